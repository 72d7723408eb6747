/* test_retry_wait.c: session retry waits follow the TR-069 3.2.1.1 table (defaults m=5 s, k=2000). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "henb/retry_wait.h"

static void test_default_table(void **state)
{
	/* The standard's table: retry n waits within [5*2^(n-1), 5*2^n] s, fixed from n = 10 on. */
	static const uint64_t lo_s[] = {5, 10, 20, 40, 80, 160, 320, 640, 1280, 2560, 2560, 2560};
	static const uint64_t hi_s[] = {10, 20, 40, 80, 160, 320, 640, 1280, 2560, 5120, 5120, 5120};
	for (unsigned n = 1; n <= 12; n++) {
		uint64_t lo, hi;
		henb_retry_range_ms(n, 5, 2000, 1000, &lo, &hi);
		assert_int_equal(lo, lo_s[n - 1] * 1000);
		assert_int_equal(hi, hi_s[n - 1] * 1000);
	}
}

static void test_draws_stay_in_range(void **state)
{
	for (unsigned n = 1; n <= 11; n++)
		for (int i = 0; i < 200; i++) {
			uint64_t lo, hi;
			henb_retry_range_ms(n, 5, 2000, 1000, &lo, &hi);
			uint64_t w = henb_retry_wait_ms(n, 5, 2000, 1000);
			assert_true(w >= lo && w <= hi);
		}
}

static void test_draws_are_spread(void **state)
{
	/* Randomised so a fleet that lost its HeMS does not come back in lockstep. */
	uint64_t min = UINT64_MAX, max = 0;
	for (int i = 0; i < 1000; i++) {
		uint64_t w = henb_retry_wait_ms(1, 5, 2000, 1000);
		min = w < min ? w : min;
		max = w > max ? w : max;
	}
	assert_true(min < 6000);
	assert_true(max > 9000);
}

static void test_other_multiplier_and_scale(void **state)
{
	uint64_t lo, hi;
	henb_retry_range_ms(2, 10, 1500, 1000, &lo, &hi); /* 10*1.5 .. 10*1.5^2 */
	assert_int_equal(lo, 15000);
	assert_int_equal(hi, 22500);
	henb_retry_range_ms(1, 1, 2000, 100, &lo, &hi); /* tests shorten the second */
	assert_int_equal(lo, 100);
	assert_int_equal(hi, 200);
	henb_retry_range_ms(0, 5, 2000, 1000, &lo, &hi); /* n = 0 counts as the first retry */
	assert_int_equal(lo, 5000);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_default_table),
		cmocka_unit_test(test_draws_stay_in_range),
		cmocka_unit_test(test_draws_are_spread),
		cmocka_unit_test(test_other_multiplier_and_scale),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
