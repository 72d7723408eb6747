/* placeholder */
typedef int lf_placeholder;
