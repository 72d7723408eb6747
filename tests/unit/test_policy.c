/* test_policy.c: the policy parser applies the shipped default (DESIGN.md section 4) and names the line and the
 * problem of every bad statement. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "common/err.h"
#include "hems/policy.h"

static struct policy p;

static int parse(const char *text, char *err)
{
	return policy_parse(&p, text, strlen(text), "t.policy", err, 256);
}

static void test_default_policy_is_design_table(void **state)
{
	char err[256];
	assert_int_equal(policy_load(&p, NULL, err, sizeof(err)), LF_OK);
	/* detection -> alarm -> procedure, for every detection the catalogue knows */
	for (int k = 0; k < ALARM_KIND_COUNT; k++) {
		const struct alarm_def *d = alarm_def_of((enum alarm_kind)k);
		int proc = policy_classify(&p, alarm_event_type_text(d->event_type), alarm_cause_text(d->cause),
					   alarm_severity_text(d->severity), d->specific_problem, NULL);
		assert_int_equal(proc, d->procedure);
	}
	assert_int_equal(p.ladders[ALARM_PROC_RECONFIGURE].n_rungs, 3);
	assert_int_equal(p.ladders[ALARM_PROC_RECONFIGURE].steps[1][0], POLICY_STEP_REBOOT);
	assert_int_equal(p.ladders[ALARM_PROC_RECONFIGURE].steps[2][0], POLICY_STEP_FACTORY_RESET);
	assert_int_equal(p.ladders[ALARM_PROC_RELOAD_SOFTWARE].steps[0][0], POLICY_STEP_DOWNLOAD);
	assert_int_equal(p.ladders[ALARM_PROC_RELOAD_SOFTWARE].n_steps[0], 3);
	assert_int_equal(p.step_timeout_s, 300);
	assert_true(p.n_golden >= 1);
}

static void test_rules_match_in_order(void **state)
{
	char err[256];
	const char *text = "ladder reconfigure = configure\nladder reload-software = download\n"
			   "rule fatal specific_problem=\"*antenna*\"\n"
			   "rule reconfigure severity=Minor,Warning\n"
			   "rule notify-only\n";
	assert_int_equal(parse(text, err), LF_OK);
	unsigned line;
	assert_int_equal(policy_classify(&p, "Physical Violation", "Cable tamper", "Critical", "Modified antenna", &line),
			 ALARM_PROC_FATAL);
	assert_int_equal(line, 3);
	assert_int_equal(policy_classify(&p, "Integrity Violation", "x", "minor", "", &line), ALARM_PROC_RECONFIGURE);
	assert_int_equal(policy_classify(&p, "Integrity Violation", "x", "Major", "", &line), ALARM_PROC_NOTIFY_ONLY);
	assert_int_equal(line, 5);
}

static void test_errors_name_the_line(void **state)
{
	char err[256];
	static const struct {
		const char *text, *want;
	} bad[] = {
		{"rule explode\n", "t.policy:1: rule needs a procedure"},
		{"\nrule fatal colour=red\n", "t.policy:2: unknown rule key 'colour'"},
		{"rule fatal event_type=\"Nice Violation\"\n", "unknown event_type 'Nice Violation'"},
		{"rule fatal probable_cause=\"Too hot\"\n", "unknown probable_cause 'Too hot'"},
		{"rule fatal severity=Major,Loud\n", "unknown severity 'Loud'"},
		{"rule fatal event_type=\"Physical Violation\n", "unterminated quote"},
		{"ladder fatal = configure\n", "ladders exist for reconfigure and reload-software"},
		{"ladder reconfigure = configure | dance\n", "unknown step 'dance'"},
		{"ladder reconfigure = configure | | reboot\n", "empty rung"},
		{"timeout step = -3\n", "expected 'timeout step|extended = SECONDS'"},
		{"timeout nap = 3\n", "unknown timeout 'nap'"},
		{"golden * Device.X\n", "expected 'golden PRODUCT-CLASS NAME = VALUE [TYPE]'"},
		{"golden * Device.X = 1 int\n", "golden TYPE must be an xsd: type"},
		{"golden * Device.X. = 1\n", "must be a full parameter name"},
		{"firmware X fw.img\n", "expected 'firmware PRODUCT-CLASS = FILE'"},
		{"frobnicate\n", "t.policy:1: unknown statement 'frobnicate'"},
		{"rule fatal\n", "t.policy: no ladder for reconfigure"},
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		err[0] = '\0';
		assert_int_not_equal(parse(bad[i].text, err), LF_OK);
		if (!strstr(err, bad[i].want))
			fail_msg("'%s': got '%s', want '%s'", bad[i].text, err, bad[i].want);
	}
}

static void test_golden_and_firmware(void **state)
{
	char err[256];
	const char *text = "ladder reconfigure = configure\nladder reload-software = download, diagnose\n"
			   "golden LifelineHeNB Device.A = 1 xsd:unsignedInt\ngolden * Device.B = \"two words\"\n"
			   "firmware LifelineHeNB = fw-2.img\n";
	assert_int_equal(parse(text, err), LF_OK);
	assert_int_equal(p.n_golden, 2);
	assert_string_equal(p.golden[1].value, "two words");
	assert_string_equal(p.golden[1].type, "xsd:string");
	assert_string_equal(policy_firmware_for(&p, "LifelineHeNB"), "fw-2.img");
	assert_null(policy_firmware_for(&p, "Other"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_default_policy_is_design_table),
		cmocka_unit_test(test_rules_match_in_order),
		cmocka_unit_test(test_errors_name_the_line),
		cmocka_unit_test(test_golden_and_firmware),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
