/* test_config.c: the config parser applies typed keys and names file, line and problem on every bad input. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "common/config.h"
#include "common/err.h"

struct cfg {
	char name[8];
	long long port;
	int on;
	long long top;
};

static const struct lf_cfg_key keys[] = {
	LF_CFG_STR_KEY("srv.name", struct cfg, name, ""),
	LF_CFG_INT_KEY("srv.port", struct cfg, port, 1, 65535, ""),
	LF_CFG_BOOL_KEY("srv.on", struct cfg, on, ""),
	LF_CFG_INT_KEY("top", struct cfg, top, 0, 10, ""),
};
#define NK (sizeof(keys) / sizeof(keys[0]))

static int parse(const char *text, struct cfg *c, char *err)
{
	memset(c, 0, sizeof(*c));
	return lf_cfg_parse(text, strlen(text), "t.conf", keys, NK, c, err, 256);
}

static void test_good_file_sets_every_type(void **state)
{
	struct cfg c;
	char err[256];
	const char *text = "# comment\ntop = 7\n\n[srv]\n  name = \"ab cd\"  \nport=8080\non = yes\n; other comment\n";
	assert_int_equal(parse(text, &c, err), LF_OK);
	assert_string_equal(c.name, "ab cd");
	assert_int_equal(c.port, 8080);
	assert_int_equal(c.on, 1);
	assert_int_equal(c.top, 7);
}

static void test_unknown_key_names_line(void **state)
{
	struct cfg c;
	char err[256];
	assert_int_equal(parse("[srv]\nport = 1\nbogus = 2\n", &c, err), LF_EINVAL);
	assert_string_equal(err, "t.conf:3: unknown key 'srv.bogus'");
}

static void test_out_of_range_int(void **state)
{
	struct cfg c;
	char err[256];
	assert_int_equal(parse("[srv]\nport = 70000\n", &c, err), LF_EINVAL);
	assert_non_null(strstr(err, "t.conf:2:"));
	assert_non_null(strstr(err, "1..65535"));
	assert_int_equal(parse("[srv]\nport = 12x\n", &c, err), LF_EINVAL);
	assert_non_null(strstr(err, "must be an integer"));
}

static void test_bad_bool_and_long_string(void **state)
{
	struct cfg c;
	char err[256];
	assert_int_equal(parse("[srv]\non = maybe\n", &c, err), LF_EINVAL);
	assert_non_null(strstr(err, "true or false"));
	assert_int_equal(parse("[srv]\nname = 12345678\n", &c, err), LF_EINVAL);
	assert_non_null(strstr(err, "longer than the limit of 7"));
}

static void test_syntax_errors(void **state)
{
	struct cfg c;
	char err[256];
	assert_int_equal(parse("[srv\n", &c, err), LF_EPARSE);
	assert_non_null(strstr(err, "t.conf:1: section header"));
	assert_int_equal(parse("top 3\n", &c, err), LF_EPARSE);
	assert_non_null(strstr(err, "expected 'key = value'"));
	assert_int_equal(parse("= 3\n", &c, err), LF_EPARSE);
	const char nul[] = "top = 1\0\n";
	memset(&c, 0, sizeof(c));
	assert_int_equal(lf_cfg_parse(nul, sizeof(nul) - 1, "t.conf", keys, NK, &c, err, 256), LF_EPARSE);
	assert_non_null(strstr(err, "NUL"));
}

static void test_set_override(void **state)
{
	struct cfg c;
	char err[256];
	memset(&c, 0, sizeof(c));
	assert_int_equal(lf_cfg_set("srv.port=99", keys, NK, &c, err, sizeof(err)), LF_OK);
	assert_int_equal(c.port, 99);
	assert_int_equal(lf_cfg_set("srv.port", keys, NK, &c, err, sizeof(err)), LF_EINVAL);
	assert_int_equal(lf_cfg_set("nope=1", keys, NK, &c, err, sizeof(err)), LF_EINVAL);
	assert_non_null(strstr(err, "unknown key 'nope'"));
}

static void test_missing_file(void **state)
{
	struct cfg c;
	char err[256];
	assert_int_equal(lf_cfg_load("/nonexistent/x.conf", keys, NK, &c, err, sizeof(err)), LF_ENOTFOUND);
	assert_non_null(strstr(err, "/nonexistent/x.conf"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_good_file_sets_every_type), cmocka_unit_test(test_unknown_key_names_line),
		cmocka_unit_test(test_out_of_range_int),          cmocka_unit_test(test_bad_bool_and_long_string),
		cmocka_unit_test(test_syntax_errors),             cmocka_unit_test(test_set_override),
		cmocka_unit_test(test_missing_file),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
