/* test_alarm_catalogue.c: the shipped detection -> alarm -> procedure table is DESIGN.md section 4, every
 * cause fits its event type (X.736), and every text parses back. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "alarm/catalogue.h"

static void test_design_table(void **state)
{
	const struct alarm_def *d = alarm_def_of(ALARM_SW_MODIFIED);
	assert_string_equal(alarm_event_type_text(d->event_type), "Integrity Violation");
	assert_string_equal(alarm_cause_text(d->cause), "Information modification detected");
	assert_int_equal(d->severity, ALARM_SEV_MAJOR);
	assert_int_equal(d->procedure, ALARM_PROC_RELOAD_SOFTWARE);
	d = alarm_def_of(ALARM_CONFIG_CHANGED);
	assert_int_equal(d->severity, ALARM_SEV_MINOR);
	assert_int_equal(d->procedure, ALARM_PROC_RECONFIGURE);
	d = alarm_def_of(ALARM_LAN_ATTACK);
	assert_string_equal(alarm_event_type_text(d->event_type), "Security Service or Mechanism Violation");
	assert_string_equal(alarm_cause_text(d->cause), "Unauthorized access attempt");
	assert_int_equal(d->procedure, ALARM_PROC_NOTIFY_ONLY);
	d = alarm_def_of(ALARM_CASE_OPENED);
	assert_string_equal(alarm_cause_text(d->cause), "Intrusion detection");
	assert_int_equal(d->procedure, ALARM_PROC_DIAGNOSE_FIRST);
	assert_false(d->fatal_on_henb);
	d = alarm_def_of(ALARM_ANTENNA_MODIFIED);
	assert_string_equal(alarm_cause_text(d->cause), "Cable tamper");
	assert_int_equal(d->severity, ALARM_SEV_CRITICAL);
	assert_true(d->fatal_on_henb);
	assert_true(alarm_def_of(ALARM_CLOCK_MODIFIED)->fatal_on_henb);
	assert_true(alarm_def_of(ALARM_CIRCUIT_MODIFIED)->fatal_on_henb);
	assert_null(alarm_def_of(ALARM_KIND_COUNT));
}

static void test_every_cause_fits_its_type(void **state)
{
	for (int k = 0; k < ALARM_KIND_COUNT; k++) {
		const struct alarm_def *d = alarm_def_of((enum alarm_kind)k);
		assert_int_equal(d->kind, k);
		assert_true(alarm_cause_fits(d->event_type, d->cause));
		assert_ptr_equal(alarm_def_by_id(d->id), d);
		assert_true(strlen(d->specific_problem) > 0);
	}
	assert_false(alarm_cause_fits(ALARM_ET_INTEGRITY_VIOLATION, ALARM_PC_CABLE_TAMPER));
}

static void test_texts_parse_back(void **state)
{
	for (int t = 0; t < ALARM_ET_COUNT; t++) {
		assert_int_equal(alarm_event_type_parse(alarm_event_type_text((enum alarm_event_type)t)), t);
		assert_int_equal(alarm_event_type_parse(alarm_event_type_nbi((enum alarm_event_type)t)), t);
	}
	for (int c = 1; c < ALARM_PC_COUNT; c++)
		assert_int_equal(alarm_cause_parse(alarm_cause_text((enum alarm_cause)c)), c);
	for (int s = 0; s < ALARM_SEV_COUNT; s++) {
		assert_int_equal(alarm_severity_parse(alarm_severity_text((enum alarm_severity)s)), s);
		assert_int_equal(alarm_severity_parse(alarm_severity_nbi((enum alarm_severity)s)), s);
	}
	for (int p = 0; p < ALARM_PROC_COUNT; p++)
		assert_int_equal(alarm_procedure_parse(alarm_procedure_name((enum alarm_procedure)p)), p);
	assert_int_equal(alarm_cause_parse("information MODIFICATION detected"), ALARM_PC_INFORMATION_MODIFICATION_DETECTED);
	assert_int_equal(alarm_cause_parse(""), -1);
	assert_int_equal(alarm_severity_parse("loud"), -1);
	assert_null(alarm_def_by_id("nope"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_design_table),
		cmocka_unit_test(test_every_cause_fits_its_type),
		cmocka_unit_test(test_texts_parse_back),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
