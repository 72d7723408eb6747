/* test_common.c: capped buffers and arenas refuse to grow past their cap; atomic writes replace whole files. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "common/arena.h"
#include "common/buf.h"
#include "common/err.h"
#include "common/file.h"

static void test_buf_cap(void **state)
{
	struct lf_buf b;
	lf_buf_init(&b, 10);
	assert_int_equal(lf_buf_puts(&b, "12345"), LF_OK);
	assert_int_equal(lf_buf_printf(&b, "%d", 67890), LF_OK);
	assert_int_equal(b.len, 10);
	assert_string_equal(b.data, "1234567890");
	assert_int_equal(lf_buf_puts(&b, "x"), LF_ETOOBIG);
	assert_int_equal(b.len, 10);
	lf_buf_reset(&b);
	assert_int_equal(b.len, 0);
	assert_int_equal(lf_buf_printf(&b, "%s", "01234567890"), LF_ETOOBIG);
	lf_buf_free(&b);
}

static void test_arena_cap_and_alignment(void **state)
{
	struct lf_arena a;
	lf_arena_init(&a, 10000);
	for (int i = 0; i < 50; i++) {
		void *p = lf_arena_alloc(&a, 3);
		assert_non_null(p);
		assert_int_equal((uintptr_t)p % _Alignof(max_align_t), 0);
	}
	assert_null(lf_arena_alloc(&a, 20000));
	char *s = lf_arena_strndup(&a, "hello world", 5);
	assert_string_equal(s, "hello");
	lf_arena_free(&a);
	assert_int_equal(a.used, 0);
}

static void test_atomic_write_replaces(void **state)
{
	char path[128];
	snprintf(path, sizeof(path), "/tmp/lf-test-atomic-%d", (int)getpid());
	assert_int_equal(lf_file_write_atomic(path, "first", 5), LF_OK);
	assert_int_equal(lf_file_write_atomic(path, "second!", 7), LF_OK);
	struct lf_buf b;
	lf_buf_init(&b, 100);
	assert_int_equal(lf_file_read(path, &b), LF_OK);
	assert_string_equal(b.data, "second!");
	lf_buf_free(&b);
	unlink(path);
	assert_int_equal(lf_file_write_atomic("/nonexistent-dir/f", "x", 1), LF_EIO);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_buf_cap),
		cmocka_unit_test(test_arena_cap_and_alignment),
		cmocka_unit_test(test_atomic_write_replaces),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
