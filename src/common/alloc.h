/* alloc.h: the one allocation wrapper; aborts (logged) on out-of-memory, so callers never check for NULL. */
#ifndef LF_ALLOC_H
#define LF_ALLOC_H

#include <stddef.h>

void *lf_malloc(size_t n);
void *lf_calloc(size_t count, size_t n);
void *lf_realloc(void *p, size_t n);
char *lf_strdup(const char *s);
char *lf_strndup(const char *s, size_t n);
void lf_free(void *p);

/* lf_free_ptr: free *pp and clear the caller's pointer. */
#define lf_free_ptr(pp) do { lf_free(*(pp)); *(pp) = NULL; } while (0)

#endif
