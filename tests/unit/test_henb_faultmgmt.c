/* test_henb_faultmgmt.c: Device.FaultMgmt behaviour: alarms raised and cleared into CurrentAlarm, the History /
 * Expedited / Queued rings (fixed size, oldest entry overwritten), ReportingMechanism, the CurrentAlarm maximum,
 * and SupportedAlarm instance numbers that survive a restart. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <string.h>

#include "alarm/catalogue.h"
#include "common/err.h"
#include "henb/config.h"
#include "henb/dm.h"
#include "henb/dm_schema.h"
#include "henb/faultmgmt.h"
#include "henb/persist.h"

#define FM "Device.FaultMgmt."

static const struct henb_dm_module *const lf__modules[] = {&henb_dm_device_module, &henb_dm_faultmgmt_module};

static const struct henb_fm_supported lf__catalogue[] = {
	{"Physical Violation", "Cable tamper", "Antenna modified", "Critical", "0 Expedited"},
	{"Physical Violation", "Intrusion detection", "Case opened", "Major", "1 Queued"},
	{"Integrity Violation", "Information modification detected", "*", "*", "2 Logged"},
	{"Operational Violation", "Denial of service", "LAN attack", "Warning", "3 Disabled"},
};

struct lf__fix {
	struct henb_config cfg;
	struct henb_dm *dm;
	struct henb_fm fm;
};

static int lf__setup(void **state)
{
	static struct lf__fix f;
	char err[256];
	memset(&f, 0, sizeof(f));
	henb_config_defaults(&f.cfg);
	f.dm = henb_dm_new(lf__modules, 2, &f.cfg, NULL, err, sizeof(err));
	assert_non_null(f.dm);
	assert_int_equal(henb_fm_init(&f.fm, f.dm, lf__catalogue, HENB_N(lf__catalogue)), LF_OK);
	*state = &f;
	return 0;
}

static int lf__teardown(void **state)
{
	struct lf__fix *f = *state;
	henb_dm_free(&f->dm);
	return 0;
}

static const char *lf__v(struct lf__fix *f, const char *name)
{
	return henb_dm_get_str(f->dm, name);
}

static const struct henb_fm_alarm lf__antenna = {
	.event_type = "Physical Violation",
	.probable_cause = "Cable tamper",
	.specific_problem = "Antenna modified",
	.perceived_severity = "Critical",
	.managed_object_instance = "Device.Services.FAPService.1.",
	.additional_text = "antenna id changed",
};

static const struct henb_fm_alarm lf__case = {
	.event_type = "Physical Violation",
	.probable_cause = "Intrusion detection",
	.specific_problem = "Case opened",
	.perceived_severity = "Major",
};

static void test_tables_start_as_the_standard_says(void **state)
{
	struct lf__fix *f = *state;
	assert_string_equal(lf__v(f, FM "SupportedAlarmNumberOfEntries"), "4");
	assert_string_equal(lf__v(f, FM "MaxCurrentAlarmEntries"), "32");
	assert_string_equal(lf__v(f, FM "CurrentAlarmNumberOfEntries"), "0");
	assert_string_equal(lf__v(f, FM "HistoryEventNumberOfEntries"), "0");
	/* Expedited and Queued hold all their entries from the start, unpopulated */
	assert_string_equal(lf__v(f, FM "ExpeditedEventNumberOfEntries"), "16");
	assert_string_equal(lf__v(f, FM "QueuedEventNumberOfEntries"), "16");
	assert_string_equal(lf__v(f, FM "ExpeditedEvent.16.EventTime"), "0001-01-01T00:00:00Z");
	assert_string_equal(lf__v(f, FM "ExpeditedEvent.1.AlarmIdentifier"), "");
	assert_string_equal(lf__v(f, FM "SupportedAlarm.1.ReportingMechanism"), "0 Expedited");
	assert_string_equal(lf__v(f, FM "SupportedAlarm.3.SpecificProblem"), "*");
}

static void test_an_expedited_alarm_goes_to_current_history_and_expedited(void **state)
{
	struct lf__fix *f = *state;
	char id[32];
	assert_int_equal(henb_fm_raise(&f->fm, &lf__antenna, 1795900000, id, sizeof(id)), LF_OK);
	assert_string_equal(id, "1");
	assert_string_equal(lf__v(f, FM "CurrentAlarmNumberOfEntries"), "1");
	assert_string_equal(lf__v(f, FM "CurrentAlarm.1.AlarmIdentifier"), "1");
	assert_string_equal(lf__v(f, FM "CurrentAlarm.1.PerceivedSeverity"), "Critical");
	assert_string_equal(lf__v(f, FM "CurrentAlarm.1.AlarmRaisedTime"), "2026-11-28T21:06:40Z");
	assert_string_equal(lf__v(f, FM "CurrentAlarm.1.AdditionalText"), "antenna id changed");
	assert_string_equal(lf__v(f, FM "HistoryEventNumberOfEntries"), "1");
	assert_string_equal(lf__v(f, FM "HistoryEvent.1.NotificationType"), "NewAlarm");
	assert_string_equal(lf__v(f, FM "ExpeditedEvent.1.AlarmIdentifier"), "1");
	assert_string_equal(lf__v(f, FM "ExpeditedEvent.1.EventType"), "Physical Violation");
	assert_string_equal(lf__v(f, FM "QueuedEvent.1.AlarmIdentifier"), "");
}

static void test_a_queued_alarm_goes_to_queued_and_updates_keep_their_identifier(void **state)
{
	struct lf__fix *f = *state;
	char id1[32], id2[32];
	assert_int_equal(henb_fm_raise(&f->fm, &lf__case, 1000, id1, sizeof(id1)), LF_OK);
	assert_string_equal(lf__v(f, FM "QueuedEvent.1.AlarmIdentifier"), id1);
	assert_string_equal(lf__v(f, FM "ExpeditedEvent.1.AlarmIdentifier"), "");
	/* the same alarm again: an update of the same entry */
	assert_int_equal(henb_fm_raise(&f->fm, &lf__case, 2000, id2, sizeof(id2)), LF_OK);
	assert_string_equal(id1, id2);
	assert_string_equal(lf__v(f, FM "CurrentAlarmNumberOfEntries"), "1");
	assert_string_equal(lf__v(f, FM "CurrentAlarm.1.AlarmRaisedTime"), "1970-01-01T00:16:40Z");
	assert_string_equal(lf__v(f, FM "CurrentAlarm.1.AlarmChangedTime"), "1970-01-01T00:33:20Z");
	assert_string_equal(lf__v(f, FM "QueuedEvent.2.NotificationType"), "ChangedAlarm");
	assert_string_equal(lf__v(f, FM "HistoryEventNumberOfEntries"), "2");
}

static void test_clearing_removes_the_current_alarm_and_logs_a_cleared_event(void **state)
{
	struct lf__fix *f = *state;
	char id[32];
	henb_fm_raise(&f->fm, &lf__antenna, 1000, id, sizeof(id));
	assert_int_equal(henb_fm_clear(&f->fm, &lf__antenna, 1500), LF_OK);
	assert_string_equal(lf__v(f, FM "CurrentAlarmNumberOfEntries"), "0");
	assert_string_equal(lf__v(f, FM "HistoryEvent.2.NotificationType"), "ClearedAlarm");
	assert_string_equal(lf__v(f, FM "HistoryEvent.2.PerceivedSeverity"), "Cleared");
	assert_string_equal(lf__v(f, FM "HistoryEvent.2.AlarmIdentifier"), id);
	assert_string_equal(lf__v(f, FM "ExpeditedEvent.2.NotificationType"), "ClearedAlarm");
	assert_int_equal(henb_fm_clear(&f->fm, &lf__antenna, 1600), LF_ENOTFOUND);
}

static void test_rings_overwrite_their_oldest_entry(void **state)
{
	struct lf__fix *f = *state;
	char name[128];
	/* 17 expedited events (raise + clear, ...) into a ring of 16: entry 1 is overwritten by the 17th */
	for (int i = 0; i < 17; i++) {
		if (i % 2 == 0)
			assert_int_equal(henb_fm_raise(&f->fm, &lf__antenna, 1000 + i, NULL, 0), LF_OK);
		else
			assert_int_equal(henb_fm_clear(&f->fm, &lf__antenna, 1000 + i), LF_OK);
	}
	assert_string_equal(lf__v(f, FM "ExpeditedEventNumberOfEntries"), "16");
	assert_string_equal(lf__v(f, FM "ExpeditedEvent.1.EventTime"), "1970-01-01T00:16:56Z");
	assert_string_equal(lf__v(f, FM "ExpeditedEvent.2.EventTime"), "1970-01-01T00:16:41Z");
	assert_int_equal(f->fm.ring_next[HENB_FM_EXPEDITED], 1);
	/* History grows to 64, then rolls over the same way */
	for (int i = 17; i < 64 + 5; i++) {
		if (i % 2 == 0)
			henb_fm_raise(&f->fm, &lf__antenna, 1000 + i, NULL, 0);
		else
			henb_fm_clear(&f->fm, &lf__antenna, 1000 + i);
	}
	assert_string_equal(lf__v(f, FM "HistoryEventNumberOfEntries"), "64");
	snprintf(name, sizeof(name), FM "HistoryEvent.%d.EventTime", 5);
	assert_string_equal(lf__v(f, name), "1970-01-01T00:17:48Z"); /* event 68 (0-based) */
	snprintf(name, sizeof(name), FM "HistoryEvent.%d.EventTime", 6);
	assert_string_equal(lf__v(f, name), "1970-01-01T00:16:45Z"); /* event 5: the oldest left */
}

static int lf__notification_off(void *vctx, const struct henb_dm_ref *ref)
{
	if (ref->param >= 0)
		henb_dm_set_attributes(vctx, ref, true, 0, false, 0);
	return 0;
}

static void test_an_overwritten_entry_counts_as_changed_in_every_parameter(void **state)
{
	struct lf__fix *f = *state;
	struct henb_dm_ref ref;
	bool active;
	/* The ACS watches only ExpeditedEvent.{i}.EventType actively: the rest off (they are Active by default). */
	assert_int_equal(henb_dm_resolve(f->dm, FM "ExpeditedEvent.", &ref), LF_OK);
	henb_dm_walk(f->dm, &ref, 0, lf__notification_off, f->dm);
	for (int i = 1; i <= 16; i++) {
		char n[96];
		snprintf(n, sizeof(n), FM "ExpeditedEvent.%d.EventType", i);
		assert_int_equal(henb_dm_resolve(f->dm, n, &ref), LF_OK);
		henb_dm_set_attributes(f->dm, &ref, true, 2, false, 0);
	}
	henb_fm_raise(&f->fm, &lf__antenna, 1000, NULL, 0);
	assert_int_equal(henb_dm_pending(f->dm, &active), 1);
	assert_true(active);
	struct henb_dm_ref out[32];
	henb_dm_take_pending(f->dm, out, 32);
	/* 15 more events fill entries 2..16; the 16th overwrites entry 1 with the same EventType: a change */
	for (int i = 1; i <= 15; i++) {
		if (i % 2)
			henb_fm_clear(&f->fm, &lf__antenna, 1000 + i);
		else
			henb_fm_raise(&f->fm, &lf__antenna, 1000 + i, NULL, 0);
	}
	assert_int_equal(henb_dm_take_pending(f->dm, out, 32), 15);
	henb_fm_raise(&f->fm, &lf__antenna, 2000, NULL, 0);
	assert_int_equal(henb_dm_take_pending(f->dm, out, 32), 1);
	char name[128];
	henb_dm_name(f->dm, &out[0], name, sizeof(name));
	assert_string_equal(name, FM "ExpeditedEvent.1.EventType");
}

static void test_reporting_mechanism_decides_where_an_alarm_goes(void **state)
{
	struct lf__fix *f = *state;
	const struct henb_fm_alarm logged = {"Integrity Violation", "Information modification detected",
					     "Software modification", "Major", NULL, NULL, NULL};
	const struct henb_fm_alarm disabled = {"Operational Violation", "Denial of service", "LAN attack", "Warning",
					       NULL, NULL, NULL};
	const struct henb_fm_alarm unknown = {"Physical Violation", "Cable tamper", "Something else", "Minor",
					      NULL, NULL, NULL};
	/* 2 Logged (through the "*" wildcards): CurrentAlarm and History only */
	assert_int_equal(henb_fm_raise(&f->fm, &logged, 1000, NULL, 0), LF_OK);
	assert_string_equal(lf__v(f, FM "CurrentAlarmNumberOfEntries"), "1");
	assert_string_equal(lf__v(f, FM "HistoryEventNumberOfEntries"), "1");
	assert_string_equal(lf__v(f, FM "ExpeditedEvent.1.AlarmIdentifier"), "");
	assert_string_equal(lf__v(f, FM "QueuedEvent.1.AlarmIdentifier"), "");
	/* 3 Disabled: ignored */
	assert_int_equal(henb_fm_raise(&f->fm, &disabled, 1000, NULL, 0), LF_OK);
	assert_string_equal(lf__v(f, FM "CurrentAlarmNumberOfEntries"), "1");
	assert_string_equal(lf__v(f, FM "HistoryEventNumberOfEntries"), "1");
	/* not a supported alarm */
	assert_int_equal(henb_fm_raise(&f->fm, &unknown, 1000, NULL, 0), LF_ENOTFOUND);
	/* a severity outside the enumeration */
	struct henb_fm_alarm bad = lf__case;
	bad.perceived_severity = "Catastrophic";
	assert_int_equal(henb_fm_raise(&f->fm, &bad, 1000, NULL, 0), LF_EINVAL);
	/* the ACS changes the mechanism: the case alarm now goes to Expedited */
	assert_int_equal(henb_dm_set_str(f->dm, FM "SupportedAlarm.2.ReportingMechanism", "0 Expedited",
					 HENB_DM_ORIGIN_ACS), LF_OK);
	henb_fm_raise(&f->fm, &lf__case, 1000, NULL, 0);
	assert_string_equal(lf__v(f, FM "ExpeditedEvent.1.SpecificProblem"), "Case opened");
}

static void test_a_full_current_alarm_table_loses_its_oldest_changed_entry(void **state)
{
	struct lf__fix *f = *state;
	char sp[64], name[96];
	struct henb_fm_alarm al = {"Integrity Violation", "Information modification detected", sp, "Minor",
				   NULL, NULL, NULL};
	for (int i = 0; i < 32; i++) {
		snprintf(sp, sizeof(sp), "problem %d", i);
		/* problem 0 is the newest change, problem 1 the oldest */
		assert_int_equal(henb_fm_raise(&f->fm, &al, i == 0 ? 5000 : 1000 + i, NULL, 0), LF_OK);
	}
	assert_string_equal(lf__v(f, FM "CurrentAlarmNumberOfEntries"), "32");
	snprintf(sp, sizeof(sp), "problem 32");
	assert_int_equal(henb_fm_raise(&f->fm, &al, 6000, NULL, 0), LF_OK);
	assert_string_equal(lf__v(f, FM "CurrentAlarmNumberOfEntries"), "32");
	snprintf(name, sizeof(name), FM "CurrentAlarm.2.SpecificProblem");
	assert_string_equal(lf__v(f, name), "problem 32");
	assert_string_equal(lf__v(f, FM "CurrentAlarm.2.AlarmIdentifier"), "33");
	assert_string_equal(lf__v(f, FM "CurrentAlarm.1.SpecificProblem"), "problem 0");
}

static void test_expedited_events_notify_actively_and_queued_passively_by_default(void **state)
{
	struct lf__fix *f = *state;
	struct henb_dm_ref ref, out[64];
	bool active;
	/* Before the HeMS set any attribute: an expedited event must still open a session at once, a queued one
	 * must still ride the next Inform. */
	assert_int_equal(henb_dm_resolve(f->dm, FM "ExpeditedEvent.3.EventType", &ref), LF_OK);
	assert_int_equal(henb_dm_notification(f->dm, &ref), 2);
	assert_int_equal(henb_dm_resolve(f->dm, FM "QueuedEvent.3.EventType", &ref), LF_OK);
	assert_int_equal(henb_dm_notification(f->dm, &ref), 1);
	assert_int_equal(henb_dm_resolve(f->dm, FM "HistoryEventNumberOfEntries", &ref), LF_OK);
	assert_int_equal(henb_dm_notification(f->dm, &ref), 0);

	henb_fm_raise(&f->fm, &lf__case, 1000, NULL, 0); /* queued */
	assert_int_equal(henb_dm_pending(f->dm, &active), 10);
	assert_false(active);
	assert_int_equal(henb_dm_take_pending(f->dm, out, 64), 10);
	henb_fm_raise(&f->fm, &lf__antenna, 1000, NULL, 0); /* expedited */
	assert_int_equal(henb_dm_pending(f->dm, &active), 10);
	assert_true(active);
	/* the HeMS may still turn it off: its choice is honoured */
	assert_int_equal(henb_dm_resolve(f->dm, FM "ExpeditedEvent.2.EventType", &ref), LF_OK);
	assert_int_equal(henb_dm_check_notification(f->dm, &ref, 0), 0);
}

static void test_a_replaced_current_alarm_counts_as_changed_and_the_lost_one_is_gone(void **state)
{
	struct lf__fix *f = *state;
	char sp[64], name[96], id[32];
	struct henb_dm_ref ref, out[64];
	struct henb_fm_alarm al = {"Integrity Violation", "Information modification detected", sp, "Minor",
				   NULL, NULL, NULL};
	for (int i = 0; i < HENB_FM_MAX_CURRENT; i++) {
		snprintf(sp, sizeof(sp), "problem %d", i);
		assert_int_equal(henb_fm_raise(&f->fm, &al, 1000 + i, NULL, 0), LF_OK);
	}
	/* The ACS watches CurrentAlarm.1 (problem 0, the oldest change): every parameter of it. */
	for (int i = 0; i < 10; i++) {
		static const char *const leaves[] = {"AlarmIdentifier", "AlarmRaisedTime", "AlarmChangedTime",
						     "ManagedObjectInstance", "EventType", "ProbableCause",
						     "SpecificProblem", "PerceivedSeverity", "AdditionalText",
						     "AdditionalInformation"};
		snprintf(name, sizeof(name), FM "CurrentAlarm.1.%s", leaves[i]);
		assert_int_equal(henb_dm_resolve(f->dm, name, &ref), LF_OK);
		henb_dm_set_attributes(f->dm, &ref, true, 1, false, 0);
	}
	bool active;
	henb_dm_take_pending(f->dm, out, 64);
	/* A new alarm replaces it: all ten count as changed, also EventType / ProbableCause that did not. */
	snprintf(sp, sizeof(sp), "problem new");
	assert_int_equal(henb_fm_raise(&f->fm, &al, 5000, id, sizeof(id)), LF_OK);
	assert_int_equal(henb_dm_pending(f->dm, &active), 10);
	assert_string_equal(lf__v(f, FM "CurrentAlarmNumberOfEntries"), "32");
	assert_string_equal(lf__v(f, FM "CurrentAlarm.1.SpecificProblem"), "problem new");
	assert_string_equal(lf__v(f, FM "CurrentAlarm.1.AlarmIdentifier"), id);
	assert_string_equal(lf__v(f, FM "CurrentAlarm.1.AlarmRaisedTime"), "1970-01-01T01:23:20Z");
	/* the replaced alarm is no longer current: clearing it finds nothing; the new one clears */
	snprintf(sp, sizeof(sp), "problem 0");
	assert_false(henb_fm_is_current(&f->fm, &al));
	assert_int_equal(henb_fm_clear(&f->fm, &al, 6000), LF_ENOTFOUND);
	snprintf(sp, sizeof(sp), "problem new");
	assert_true(henb_fm_is_current(&f->fm, &al));
	assert_int_equal(henb_fm_clear(&f->fm, &al, 6000), LF_OK);
	assert_string_equal(lf__v(f, FM "CurrentAlarmNumberOfEntries"), "31");
	/* and the table takes a new one without replacing anything */
	snprintf(sp, sizeof(sp), "problem newer");
	assert_int_equal(henb_fm_raise(&f->fm, &al, 7000, NULL, 0), LF_OK);
	assert_string_equal(lf__v(f, FM "CurrentAlarmNumberOfEntries"), "32");
	snprintf(sp, sizeof(sp), "problem 1");
	assert_true(henb_fm_is_current(&f->fm, &al));
}

static void test_the_default_catalogue_is_the_shared_one(void **state)
{
	size_t n;
	const struct henb_fm_supported *cat = henb_fm_default_catalogue(&n);
	assert_int_equal(n, ALARM_KIND_COUNT);
	for (size_t i = 0; i < n; i++) {
		const struct alarm_def *d = alarm_def_of((enum alarm_kind)i);
		assert_string_equal(cat[i].specific_problem, d->specific_problem);
		assert_string_equal(cat[i].event_type, alarm_event_type_text(d->event_type));
		assert_string_equal(cat[i].probable_cause, alarm_cause_text(d->cause));
		assert_string_equal(cat[i].perceived_severity, alarm_severity_text(d->severity));
		assert_string_equal(cat[i].mechanism, d->fatal_on_henb ? "0 Expedited" : "1 Queued");
	}
}

static void test_supported_alarm_numbers_and_mechanisms_survive_a_restart(void **state)
{
	struct lf__fix *f = *state;
	struct lf_buf b;
	char err[256];
	henb_dm_set_str(f->dm, FM "SupportedAlarm.4.ReportingMechanism", "1 Queued", HENB_DM_ORIGIN_ACS);
	henb_fm_raise(&f->fm, &lf__antenna, 1000, NULL, 0);
	struct henb_state st;
	memset(&st, 0, sizeof(st));
	st.fm_next_alarm_id = f->fm.next_alarm_id;
	memcpy(st.fm_ring_next, f->fm.ring_next, sizeof(st.fm_ring_next));
	lf_buf_init(&b, 1 << 20);
	assert_int_equal(henb_state_serialize(&st, f->dm, &b), LF_OK);

	/* The new firmware drops "Case opened" from its catalogue and adds another alarm. */
	const struct henb_fm_supported next[] = {
		lf__catalogue[0], lf__catalogue[2], lf__catalogue[3],
		{"Physical Violation", "Unspecified reason", "Clock speed modified", "Critical", "0 Expedited"},
	};
	struct henb_dm *dm = henb_dm_new(lf__modules, 2, &f->cfg, NULL, err, sizeof(err));
	struct henb_state st2;
	struct henb_fm fm;
	memset(&fm, 0, sizeof(fm));
	assert_int_equal(henb_state_parse(b.data, b.len, true, &st2, dm, err, sizeof(err)), LF_OK);
	fm.next_alarm_id = st2.fm_next_alarm_id;
	memcpy(fm.ring_next, st2.fm_ring_next, sizeof(fm.ring_next));
	assert_int_equal(henb_fm_init(&fm, dm, next, HENB_N(next)), LF_OK);
	assert_string_equal(henb_dm_get_str(dm, FM "SupportedAlarm.1.SpecificProblem"), "Antenna modified");
	assert_string_equal(henb_dm_get_str(dm, FM "SupportedAlarm.3.SpecificProblem"), "*");
	assert_string_equal(henb_dm_get_str(dm, FM "SupportedAlarm.4.ReportingMechanism"), "1 Queued");
	assert_string_equal(henb_dm_get_str(dm, FM "SupportedAlarm.5.SpecificProblem"), "Clock speed modified");
	struct henb_dm_ref r;
	assert_int_equal(henb_dm_resolve(dm, FM "SupportedAlarm.2.", &r), LF_ENOTFOUND);
	assert_string_equal(henb_dm_get_str(dm, FM "SupportedAlarmNumberOfEntries"), "4");
	/* the alarm, the ring position and the identifier counter came back too */
	assert_string_equal(henb_dm_get_str(dm, FM "CurrentAlarm.1.SpecificProblem"), "Antenna modified");
	char id[16];
	henb_fm_raise(&fm, &lf__antenna, 2000, id, sizeof(id));
	assert_string_equal(id, "1"); /* an update of the same alarm */
	assert_string_equal(henb_dm_get_str(dm, FM "ExpeditedEvent.2.NotificationType"), "ChangedAlarm");
	lf_buf_free(&b);
	henb_dm_free(&dm);
}

int main(void)
{
#define T(t) cmocka_unit_test_setup_teardown(t, lf__setup, lf__teardown)
	const struct CMUnitTest tests[] = {
		T(test_tables_start_as_the_standard_says),
		T(test_an_expedited_alarm_goes_to_current_history_and_expedited),
		T(test_a_queued_alarm_goes_to_queued_and_updates_keep_their_identifier),
		T(test_clearing_removes_the_current_alarm_and_logs_a_cleared_event),
		T(test_rings_overwrite_their_oldest_entry),
		T(test_an_overwritten_entry_counts_as_changed_in_every_parameter),
		T(test_reporting_mechanism_decides_where_an_alarm_goes),
		T(test_a_full_current_alarm_table_loses_its_oldest_changed_entry),
		T(test_supported_alarm_numbers_and_mechanisms_survive_a_restart),
		T(test_expedited_events_notify_actively_and_queued_passively_by_default),
		T(test_a_replaced_current_alarm_counts_as_changed_and_the_lost_one_is_gone),
		T(test_the_default_catalogue_is_the_shared_one),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
