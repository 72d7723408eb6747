/* test_henb_monitor.c: the integrity monitor on a real file HAL, data model and FaultMgmt: identities
 * provisioned at first boot, debounced sensors raising and clearing their alarms, flapping inputs that raise
 * nothing, the sensor-failure alarm, fatal detections handed to the owner, the configuration MAC (behind
 * henbd's back while running and while stopped, legitimate writes, the clear by management), LAN bursts, the
 * behaviour lists and the watchdog, the signed image, alarm delivery bookkeeping and the self test. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/err.h"
#include "common/file.h"
#include "firmware/image.h"
#include "firmware/key.h"
#include "firmware/slot.h"
#include "firmware/tree.h"
#include "henb/config.h"
#include "henb/dm.h"
#include "henb/dm_schema.h"
#include "henb/faultmgmt.h"
#include "henb/hal/hal.h"
#include "henb/monitor.h"

#define FM "Device.FaultMgmt."
#define POLL 50

static const struct henb_dm_module *const lf__modules[] = {&henb_dm_device_module, &henb_dm_faultmgmt_module,
                                                           &henb_dm_vendor_module, &henb_dm_integrity_module};

struct lf__fix {
	char dir[64];
	char dev[128];
	struct henb_config cfg;
	struct henb_monitor_cfg mc;
	struct henb_dm *dm;
	struct henb_fm fm;
	struct henb_hal *hal;
	struct henb_monitor mon;
	int64_t now;
	int fatal_calls;
	enum henb_check fatal_check;
	char fatal_reason[256];
};

static struct lf__fix fx;

static void lf__fatal(void *ctx, enum henb_check c, const char *reason)
{
	struct lf__fix *f = ctx;
	f->fatal_calls++;
	f->fatal_check = c;
	snprintf(f->fatal_reason, sizeof(f->fatal_reason), "%s", reason);
}

static void lf__own(void *ctx, char *out, size_t outlen)
{
	snprintf(out, outlen, "tcp:7547 udp:7547");
}

static void lf__put(struct lf__fix *f, const char *file, const char *text)
{
	char p[256];
	snprintf(p, sizeof(p), "%s/%s", f->dev, file);
	assert_int_equal(lf_file_write_atomic(p, text, strlen(text)), LF_OK);
}

static void lf__rm(struct lf__fix *f, const char *file)
{
	char p[256];
	snprintf(p, sizeof(p), "%s/%s", f->dev, file);
	unlink(p);
}

/* (Re)open the monitor the way the agent does: HAL, monitor, then FaultMgmt, attach, boot. */
static void lf__open(struct lf__fix *f)
{
	char err[256];
	const struct henb_monitor_ops ops = {.ctx = f, .fatal = lf__fatal, .own_listeners = lf__own};
	assert_int_equal(henb_hal_open(&f->hal, f->dev, err, sizeof(err)), LF_OK);
	assert_int_equal(henb_monitor_open(&f->mon, &f->mc, f->hal, &ops, err, sizeof(err)), LF_OK);
	f->dm = henb_dm_new(lf__modules, HENB_N(lf__modules), &f->cfg, NULL, err, sizeof(err));
	assert_non_null(f->dm);
	size_t n;
	const struct henb_fm_supported *cat = henb_fm_default_catalogue(&n);
	memset(&f->fm, 0, sizeof(f->fm));
	assert_int_equal(henb_fm_init(&f->fm, f->dm, cat, n), LF_OK);
	henb_monitor_attach(&f->mon, &f->fm, f->dm);
	henb_monitor_boot(&f->mon, f->now);
}

static void lf__close(struct lf__fix *f)
{
	henb_dm_free(&f->dm);
	henb_hal_close(&f->hal);
}

/* n polls of the sensor detectors */
static void lf__polls(struct lf__fix *f, int n)
{
	for (int i = 0; i < n; i++) {
		f->now += POLL;
		henb_monitor_run(&f->mon, f->now);
	}
}

static int lf__setup(void **state)
{
	struct lf__fix *f = &fx;
	memset(f, 0, sizeof(*f));
	snprintf(f->dir, sizeof(f->dir), "/tmp/lf-test-monitor-XXXXXX");
	assert_non_null(mkdtemp(f->dir));
	snprintf(f->dev, sizeof(f->dev), "%s/device", f->dir);
	henb_config_defaults(&f->cfg);
	snprintf(f->mc.state_path, sizeof(f->mc.state_path), "%s/henbd.state", f->dir);
	f->mc.poll_ms = POLL;
	f->mc.sw_check_ms = 1000;
	f->mc.config_check_ms = 200;
	f->mc.debounce = 3;
	f->mc.clock_tolerance_ppm = 100;
	f->mc.lan_burst = 3;
	f->mc.event_window_ms = 1000;
	char err[64];
	assert_int_equal(henb_monitor_fatal_parse("default", &f->mc.fatal_mask, err, sizeof(err)), LF_OK);
	f->now = 1000000;
	*state = f;
	return 0;
}

static int lf__teardown(void **state)
{
	struct lf__fix *f = *state;
	lf__close(f);
	fw__tree_remove(f->dir);
	return 0;
}

static bool lf__current(struct lf__fix *f, enum alarm_kind k)
{
	struct henb_fm_alarm al;
	henb_monitor_alarm(k, &al);
	return henb_fm_is_current(&f->fm, &al);
}

static const char *lf__v(struct lf__fix *f, const char *name)
{
	return henb_dm_get_str(f->dm, name);
}

/* The CurrentAlarm row's parameter for alarm kind k ("" if not current). */
static const char *lf__current_field(struct lf__fix *f, enum alarm_kind k, const char *leaf)
{
	static char v[300];
	char n[128];
	struct henb_fm_alarm al;
	henb_monitor_alarm(k, &al);
	v[0] = '\0';
	for (int i = 1; i <= 64; i++) {
		snprintf(n, sizeof(n), FM "CurrentAlarm.%d.SpecificProblem", i);
		struct henb_dm_ref r;
		if (henb_dm_resolve(f->dm, n, &r) || strcmp(lf__v(f, n), al.specific_problem) != 0)
			continue;
		snprintf(n, sizeof(n), FM "CurrentAlarm.%d.%s", i, leaf);
		snprintf(v, sizeof(v), "%s", lf__v(f, n));
	}
	return v;
}

static void test_first_boot_provisions_the_identities_and_raises_nothing(void **state)
{
	struct lf__fix *f = *state;
	char v[128];
	lf__open(f);
	lf__polls(f, 3);
	assert_int_equal(henb_hal_protected_read(f->hal, "antenna_id", v, sizeof(v)), LF_OK);
	assert_string_equal(v, "ANT-LL-0001");
	assert_int_equal(henb_hal_protected_read(f->hal, "board_id", v, sizeof(v)), LF_OK);
	assert_string_equal(v, "LL-BOARD-0001");
	assert_int_equal(henb_hal_protected_read(f->hal, "clock_nominal_hz", v, sizeof(v)), LF_OK);
	assert_string_equal(v, "10000000");
	assert_int_equal(henb_hal_protected_read(f->hal, "device_key", v, sizeof(v)), LF_OK);
	assert_int_equal(strlen(v), 64);
	assert_string_equal(lf__v(f, FM "CurrentAlarmNumberOfEntries"), "0");
	assert_string_equal(lf__v(f, "Device.X_00005A_Security.IntegrityStatus"), "OK");
	assert_int_equal(f->mon.alarm_seq, 0);
	/* a second boot keeps the references: a changed antenna is not provisioned over */
	lf__close(f);
	lf__put(f, "antenna_id", "ANT-EVIL\n");
	lf__open(f);
	assert_int_equal(henb_hal_protected_read(f->hal, "antenna_id", v, sizeof(v)), LF_OK);
	assert_string_equal(v, "ANT-LL-0001");
	lf__polls(f, 2);
	assert_true(lf__current(f, ALARM_ANTENNA_MODIFIED));
}

static void test_a_case_opened_is_raised_after_the_debounce_and_cleared_when_closed(void **state)
{
	struct lf__fix *f = *state;
	lf__open(f);
	lf__polls(f, 3);
	lf__put(f, "case", "open\n");
	lf__polls(f, 2);
	assert_false(lf__current(f, ALARM_CASE_OPENED)); /* two readings: not yet */
	lf__polls(f, 1);
	assert_true(lf__current(f, ALARM_CASE_OPENED));
	assert_string_equal(lf__current_field(f, ALARM_CASE_OPENED, "EventType"), "Physical Violation");
	assert_string_equal(lf__current_field(f, ALARM_CASE_OPENED, "ProbableCause"), "Intrusion detection");
	assert_string_equal(lf__current_field(f, ALARM_CASE_OPENED, "PerceivedSeverity"), "Major");
	assert_string_equal(lf__current_field(f, ALARM_CASE_OPENED, "AdditionalText"),
	                    "case opened (enclosure switch)");
	/* the factory mechanism of the case alarm is Queued */
	assert_string_equal(lf__v(f, FM "QueuedEvent.1.SpecificProblem"), "Case opened");
	assert_string_equal(lf__v(f, FM "QueuedEvent.1.NotificationType"), "NewAlarm");
	assert_int_equal(f->mon.alarm_seq, 1);
	assert_string_equal(lf__v(f, "Device.X_00005A_Security.IntegrityStatus"), "Violated");
	assert_int_equal(f->fatal_calls, 0);
	/* still open: no second event */
	lf__polls(f, 10);
	assert_int_equal(f->mon.alarm_seq, 1);
	lf__put(f, "case", "closed\n");
	lf__polls(f, 3);
	assert_false(lf__current(f, ALARM_CASE_OPENED));
	assert_string_equal(lf__v(f, FM "QueuedEvent.2.NotificationType"), "ClearedAlarm");
	assert_int_equal(f->mon.alarm_seq, 2);
	assert_string_equal(lf__v(f, "Device.X_00005A_Security.IntegrityStatus"), "OK");
}

static void test_a_flapping_switch_raises_nothing(void **state)
{
	struct lf__fix *f = *state;
	lf__open(f);
	lf__polls(f, 3);
	for (int i = 0; i < 30; i++) {
		lf__put(f, "case", i % 3 == 2 ? "closed\n" : "open\n"); /* open twice, closed once */
		lf__polls(f, 1);
	}
	assert_false(lf__current(f, ALARM_CASE_OPENED));
	assert_int_equal(f->mon.alarm_seq, 0);
}

static void test_a_fatal_detection_is_raised_expedited_and_handed_to_the_owner(void **state)
{
	struct lf__fix *f = *state;
	lf__open(f);
	lf__polls(f, 3);
	lf__put(f, "antenna_id", "ANT-EVIL\n");
	lf__polls(f, 3);
	assert_true(lf__current(f, ALARM_ANTENNA_MODIFIED));
	assert_string_equal(lf__v(f, FM "ExpeditedEvent.1.SpecificProblem"), "Modified antenna");
	assert_string_equal(lf__v(f, FM "ExpeditedEvent.1.PerceivedSeverity"), "Critical");
	assert_string_equal(lf__v(f, FM "ExpeditedEvent.1.ProbableCause"), "Cable tamper");
	assert_int_equal(f->fatal_calls, 1);
	assert_int_equal(f->fatal_check, HENB_CHECK_ANTENNA);
	assert_non_null(strstr(f->fatal_reason, "ANT-EVIL"));
	/* the clock and the board too */
	lf__put(f, "clock_hz", "10500000\n");
	lf__put(f, "board_id", "LL-BOARD-6666\n");
	lf__polls(f, 3);
	assert_true(lf__current(f, ALARM_CLOCK_MODIFIED));
	assert_true(lf__current(f, ALARM_CIRCUIT_MODIFIED));
	assert_string_equal(lf__current_field(f, ALARM_CLOCK_MODIFIED, "ProbableCause"), "Unspecified reason");
	assert_int_equal(f->fatal_calls, 3);
	/* a clock inside the tolerance is fine: the alarm clears */
	lf__put(f, "clock_hz", "10000500\n");
	lf__polls(f, 3);
	assert_false(lf__current(f, ALARM_CLOCK_MODIFIED));
}

static void test_the_fatal_policy_can_make_any_detection_fatal_or_none(void **state)
{
	struct lf__fix *f = *state;
	char err[64];
	assert_int_equal(henb_monitor_fatal_parse("case", &f->mc.fatal_mask, err, sizeof(err)), LF_OK);
	lf__open(f);
	lf__polls(f, 3);
	lf__put(f, "antenna_id", "ANT-2\n");
	lf__put(f, "case", "open\n");
	lf__polls(f, 3);
	assert_true(lf__current(f, ALARM_ANTENNA_MODIFIED));
	assert_int_equal(f->fatal_calls, 1);
	assert_int_equal(f->fatal_check, HENB_CHECK_CASE);
}

static void test_an_unreadable_sensor_raises_the_sensor_failure_alarm_and_keeps_its_own(void **state)
{
	struct lf__fix *f = *state;
	lf__open(f);
	lf__polls(f, 3);
	lf__put(f, "case", "open\n");
	lf__polls(f, 3);
	assert_true(lf__current(f, ALARM_CASE_OPENED));
	/* pulling the switch does not clear the alarm: it raises the sensor failure */
	lf__rm(f, "case");
	lf__put(f, "clock_hz", "fast\n");
	lf__polls(f, 3);
	assert_true(lf__current(f, ALARM_CASE_OPENED));
	assert_true(lf__current(f, ALARM_SENSOR_FAILURE));
	const char *text = lf__current_field(f, ALARM_SENSOR_FAILURE, "AdditionalText");
	assert_non_null(strstr(text, "clock: clock_hz 'fast' is not a frequency"));
	assert_non_null(strstr(text, "case: case switch absent"));
	assert_string_equal(lf__current_field(f, ALARM_SENSOR_FAILURE, "EventType"), "Operational Violation");
	assert_string_equal(lf__current_field(f, ALARM_SENSOR_FAILURE, "ProbableCause"), "Out of service");
	assert_string_equal(lf__v(f, "Device.X_00005A_Security.IntegrityStatus"), "Violated");
	/* one sensor back: the alarm changes its text; both back: it clears */
	lf__put(f, "clock_hz", "10000000\n");
	lf__polls(f, 3);
	assert_true(lf__current(f, ALARM_SENSOR_FAILURE));
	assert_null(strstr(lf__current_field(f, ALARM_SENSOR_FAILURE, "AdditionalText"), "clock"));
	lf__put(f, "case", "closed\n");
	lf__polls(f, 3);
	assert_false(lf__current(f, ALARM_SENSOR_FAILURE));
	assert_false(lf__current(f, ALARM_CASE_OPENED));
}

/* Write the state file as the agent does (sealing, write, sealed). */
static void lf__agent_write(struct lf__fix *f, const char *text)
{
	henb_monitor_state_sealing(&f->mon, text, strlen(text));
	int rc = lf_file_write_atomic(f->mc.state_path, text, strlen(text));
	henb_monitor_state_sealed(&f->mon, rc == LF_OK);
	assert_int_equal(rc, LF_OK);
}

static void test_a_state_file_changed_behind_henbd_is_caught_and_management_clears_it(void **state)
{
	struct lf__fix *f = *state;
	lf__open(f);
	lf__agent_write(f, "v Device.ManagementServer.PeriodicInformInterval 3600\n");
	/* legitimate writes (an SPV, an AddObject) are never an alarm */
	lf__agent_write(f, "v Device.ManagementServer.PeriodicInformInterval 60\n");
	lf__polls(f, 10);
	assert_false(lf__current(f, ALARM_CONFIG_CHANGED));
	/* an edit behind its back */
	assert_int_equal(lf_file_write_atomic(f->mc.state_path, "v Device.ManagementServer.URL http://evil\n", 43),
	                 LF_OK);
	lf__polls(f, 5);
	assert_true(lf__current(f, ALARM_CONFIG_CHANGED));
	assert_string_equal(lf__current_field(f, ALARM_CONFIG_CHANGED, "PerceivedSeverity"), "Minor");
	assert_string_equal(lf__current_field(f, ALARM_CONFIG_CHANGED, "EventType"), "Integrity Violation");
	/* the agent's next write does not make it go away; a change through management does */
	lf__agent_write(f, "v Device.ManagementServer.PeriodicInformInterval 60\n");
	lf__polls(f, 5);
	assert_true(lf__current(f, ALARM_CONFIG_CHANGED));
	henb_monitor_config_managed(&f->mon);
	lf__polls(f, 1);
	assert_false(lf__current(f, ALARM_CONFIG_CHANGED));
}

static void test_an_edit_between_two_checks_is_caught_before_the_next_write(void **state)
{
	struct lf__fix *f = *state;
	f->mc.config_check_ms = 3600000; /* the periodic check would come far too late */
	lf__open(f);
	lf__agent_write(f, "state 1\n");
	assert_int_equal(lf_file_write_atomic(f->mc.state_path, "forged\n", 7), LF_OK);
	lf__agent_write(f, "state 2\n"); /* looks before it overwrites */
	henb_monitor_run(&f->mon, f->now + 1);
	assert_true(lf__current(f, ALARM_CONFIG_CHANGED));
}

static void test_a_state_file_changed_while_henbd_was_stopped_is_caught_at_boot(void **state)
{
	struct lf__fix *f = *state;
	lf__open(f);
	lf__agent_write(f, "state A\n");
	lf__agent_write(f, "state B\n");
	lf__close(f);
	/* a restart with the file as written: fine */
	lf__open(f);
	assert_false(lf__current(f, ALARM_CONFIG_CHANGED));
	/* a power cut after the MAC was recorded but before the file was replaced: the old file is accepted */
	henb_monitor_state_sealing(&f->mon, "state C\n", 8);
	lf__close(f);
	lf__open(f);
	assert_false(lf__current(f, ALARM_CONFIG_CHANGED));
	lf__agent_write(f, "state D\n");
	lf__close(f);
	/* edited offline */
	assert_int_equal(lf_file_write_atomic(f->mc.state_path, "state X\n", 8), LF_OK);
	lf__open(f);
	assert_true(lf__current(f, ALARM_CONFIG_CHANGED));
	assert_non_null(strstr(lf__current_field(f, ALARM_CONFIG_CHANGED, "AdditionalText"), "not running"));
	lf__close(f);
	/* removed offline */
	unlink(f->mc.state_path);
	char err[256];
	assert_int_equal(henb_hal_open(&f->hal, f->dev, err, sizeof(err)), LF_OK);
	henb_hal_protected_write(f->hal, "config_mac", "0123 -\n");
	henb_hal_close(&f->hal);
	lf__open(f);
	assert_true(lf__current(f, ALARM_CONFIG_CHANGED));
}

static void test_a_factory_reset_removes_the_state_without_an_alarm(void **state)
{
	struct lf__fix *f = *state;
	lf__open(f);
	lf__agent_write(f, "state A\n");
	henb_monitor_state_wiping(&f->mon);
	unlink(f->mc.state_path);
	lf__polls(f, 10);
	assert_false(lf__current(f, ALARM_CONFIG_CHANGED));
	lf__close(f);
	lf__open(f);
	assert_false(lf__current(f, ALARM_CONFIG_CHANGED));
	lf__agent_write(f, "factory state\n");
	lf__polls(f, 10);
	assert_false(lf__current(f, ALARM_CONFIG_CHANGED));
}

static void test_a_burst_of_failed_authentications_is_a_lan_attack(void **state)
{
	struct lf__fix *f = *state;
	lf__open(f);
	henb_monitor_auth_failed(&f->mon, "http", f->now);
	henb_monitor_auth_failed(&f->mon, "udp", f->now + 10);
	assert_false(lf__current(f, ALARM_LAN_ATTACK));
	henb_monitor_auth_failed(&f->mon, "http", f->now + 20); /* the third within the window: at once */
	assert_true(lf__current(f, ALARM_LAN_ATTACK));
	assert_string_equal(lf__current_field(f, ALARM_LAN_ATTACK, "EventType"),
	                    "Security Service or Mechanism Violation");
	assert_string_equal(lf__current_field(f, ALARM_LAN_ATTACK, "ProbableCause"), "Unauthorized access attempt");
	assert_string_equal(lf__current_field(f, ALARM_LAN_ATTACK, "PerceivedSeverity"), "Warning");
	/* quiet for a window: over */
	f->now += 20;
	lf__polls(f, 1000 / POLL + 1);
	assert_false(lf__current(f, ALARM_LAN_ATTACK));
}

static void test_unexpected_listeners_processes_and_watchdog_misses_are_unexpected_behaviour(void **state)
{
	struct lf__fix *f = *state;
	lf__open(f);
	lf__put(f, "listeners_allowed", "tcp:22\n");
	lf__put(f, "listeners", "tcp:22\ntcp:7547\nudp:7547\n"); /* ours and an allowed one */
	lf__polls(f, 3);
	assert_false(lf__current(f, ALARM_SW_BEHAVIOUR));
	lf__put(f, "listeners", "tcp:22\ntcp:7547\ntcp:31337\n");
	lf__polls(f, 3);
	assert_true(lf__current(f, ALARM_SW_BEHAVIOUR));
	assert_non_null(strstr(lf__current_field(f, ALARM_SW_BEHAVIOUR, "AdditionalText"), "tcp:31337"));
	assert_string_equal(lf__current_field(f, ALARM_SW_BEHAVIOUR, "ProbableCause"), "Denial of service");
	lf__rm(f, "listeners");
	lf__rm(f, "listeners_allowed");
	lf__polls(f, 3);
	assert_false(lf__current(f, ALARM_SW_BEHAVIOUR));
	/* a process the platform does not allow */
	lf__put(f, "processes_allowed", "sshd\n");
	lf__put(f, "processes", "sshd\nminer\n");
	lf__polls(f, 3);
	assert_true(lf__current(f, ALARM_SW_BEHAVIOUR));
	assert_non_null(strstr(lf__current_field(f, ALARM_SW_BEHAVIOUR, "AdditionalText"), "miner"));
	lf__rm(f, "processes");
	lf__rm(f, "processes_allowed"); /* (with an allowed list alone, /proc would be compared with it) */
	lf__polls(f, 3);
	assert_false(lf__current(f, ALARM_SW_BEHAVIOUR));
	/* the watchdog counter grows: held for the event window */
	lf__put(f, "watchdog_misses", "1\n");
	lf__polls(f, 3);
	assert_true(lf__current(f, ALARM_SW_BEHAVIOUR));
	assert_non_null(strstr(lf__current_field(f, ALARM_SW_BEHAVIOUR, "AdditionalText"), "watchdog missed"));
	lf__polls(f, 1000 / POLL + 3);
	assert_false(lf__current(f, ALARM_SW_BEHAVIOUR));
	/* a list that cannot be read is a sensor failure */
	lf__put(f, "watchdog_misses", "many\n");
	lf__polls(f, 3);
	assert_true(lf__current(f, ALARM_SENSOR_FAILURE));
}

static void test_the_running_image_is_verified_against_its_signed_manifest(void **state)
{
	struct lf__fix *f = *state;
	char src[128], img[128], slot[128], priv[128], pub[128], p[200], err[512];
	struct fw_key key;
	struct fw_image im;
	snprintf(src, sizeof(src), "%s/src", f->dir);
	snprintf(img, sizeof(img), "%s/v1.lfi", f->dir);
	snprintf(slot, sizeof(slot), "%s/slotA", f->dir);
	snprintf(priv, sizeof(priv), "%s/k.priv", f->dir);
	snprintf(pub, sizeof(pub), "%s/k.pub", f->dir);
	mkdir(src, 0755);
	snprintf(p, sizeof(p), "%s/henbd", src);
	assert_int_equal(lf_file_write_atomic(p, "#!/bin/sh\n", 10), LF_OK);
	fw_key_generate(&key);
	assert_int_equal(fw_key_save(&key, priv, pub, err, sizeof(err)), LF_OK);
	struct fw_build b = {
	    .src_dir = src, .product_class = "LifelineHeNB", .hw_versions = "1.0", .version = "1.0", .out_path = img};
	assert_int_equal(fw_image_build(&b, &key, err, sizeof(err)), LF_OK);
	assert_int_equal(fw_image_open(&im, img, key.pub, err, sizeof(err)), LF_OK);
	assert_int_equal(fw_slot_install(&im, slot, 0, err, sizeof(err)), LF_OK);
	fw_image_close(&im);
	fw_key_wipe(&key);

	/* no image configured: the check is off (no alarm) */
	lf__open(f);
	assert_int_equal(f->mon.det[HENB_CHECK_SW].last.verdict, HENB_V_OFF);
	lf__close(f);
	/* an image without a key: cannot be verified, a sensor failure */
	snprintf(f->mc.image_dir, sizeof(f->mc.image_dir), "%s", slot);
	lf__open(f);
	assert_int_equal(f->mon.det[HENB_CHECK_SW].last.verdict, HENB_V_UNREADABLE);
	lf__close(f);
	snprintf(f->mc.fw_pub_key, sizeof(f->mc.fw_pub_key), "%s", pub);
	lf__open(f);
	assert_int_equal(f->mon.det[HENB_CHECK_SW].last.verdict, HENB_V_OK);
	assert_false(lf__current(f, ALARM_SW_MODIFIED));
	/* a file of the running image changes: at the next check */
	snprintf(p, sizeof(p), "%s/henbd", slot);
	chmod(p, 0755);
	assert_int_equal(lf_file_write_atomic(p, "#!/bin/sh\nevil\n", 15), LF_OK);
	chmod(p, 0755);
	lf__polls(f, 1000 / POLL);
	assert_true(lf__current(f, ALARM_SW_MODIFIED));
	assert_string_equal(lf__current_field(f, ALARM_SW_MODIFIED, "PerceivedSeverity"), "Major");
	assert_string_equal(lf__current_field(f, ALARM_SW_MODIFIED, "ProbableCause"),
	                    "Information modification detected");
	assert_int_equal(f->fatal_calls, 0);
	/* restored: cleared */
	assert_int_equal(lf_file_write_atomic(p, "#!/bin/sh\n", 10), LF_OK);
	chmod(p, 0755);
	lf__polls(f, 1000 / POLL);
	assert_false(lf__current(f, ALARM_SW_MODIFIED));
	/* a file added to the image is a modification too */
	snprintf(p, sizeof(p), "%s/implant", slot);
	assert_int_equal(lf_file_write_atomic(p, "x", 1), LF_OK);
	lf__polls(f, 1000 / POLL);
	assert_true(lf__current(f, ALARM_SW_MODIFIED));
	/* a key named in the configuration that does not load stops the start */
	lf__close(f);
	snprintf(f->mc.fw_pub_key, sizeof(f->mc.fw_pub_key), "%s/none.pub", f->dir);
	assert_int_equal(henb_monitor_open(&f->mon, &f->mc, NULL, NULL, err, sizeof(err)), LF_EINVAL);
}

static void test_alarm_delivery_is_counted_until_an_inform_confirms_it(void **state)
{
	struct lf__fix *f = *state;
	lf__open(f);
	assert_false(henb_monitor_undelivered(&f->mon));
	assert_false(henb_monitor_delivery_failed(&f->mon, true, 2)); /* nothing waiting: not counted */
	uint64_t before = f->mon.alarm_seq;
	lf__put(f, "case", "open\n");
	lf__polls(f, 3);
	assert_true(henb_monitor_undelivered(&f->mon));
	/* the S1 link down: the HeMS unreachable is no alarm delivery failure of ours */
	assert_false(henb_monitor_delivery_failed(&f->mon, false, 2));
	assert_false(henb_monitor_delivery_failed(&f->mon, true, 2));
	assert_true(henb_monitor_delivery_failed(&f->mon, true, 2));  /* the second try: failed */
	assert_false(henb_monitor_delivery_failed(&f->mon, true, 2)); /* once per episode */
	/* an Inform built before the event does not deliver it */
	henb_monitor_delivered(&f->mon, before);
	assert_true(henb_monitor_undelivered(&f->mon));
	henb_monitor_delivered(&f->mon, f->mon.alarm_seq);
	assert_false(henb_monitor_undelivered(&f->mon));
	/* a new episode counts from the start again */
	lf__put(f, "case", "closed\n");
	lf__polls(f, 3);
	assert_false(henb_monitor_delivery_failed(&f->mon, true, 2));
	assert_true(henb_monitor_delivery_failed(&f->mon, true, 2));
}

static void test_the_self_test_reads_every_check_now(void **state)
{
	struct lf__fix *f = *state;
	struct henb_reading r[HENB_CHECK_COUNT];
	bool sensors;
	lf__open(f);
	lf__agent_write(f, "state\n");
	henb_monitor_selftest(&f->mon, f->now, r, &sensors);
	assert_true(sensors);
	assert_int_equal(r[HENB_CHECK_SW].verdict, HENB_V_OFF);
	for (int c = HENB_CHECK_CONFIG; c < HENB_CHECK_COUNT; c++)
		assert_int_equal(r[c].verdict, HENB_V_OK);
	/* undebounced: a single reading is enough */
	lf__put(f, "case", "open\n");
	lf__rm(f, "board_id");
	henb_monitor_selftest(&f->mon, f->now, r, &sensors);
	assert_int_equal(r[HENB_CHECK_CASE].verdict, HENB_V_TAMPER);
	assert_int_equal(r[HENB_CHECK_CIRCUIT].verdict, HENB_V_UNREADABLE);
	assert_false(sensors);
	assert_false(lf__current(f, ALARM_CASE_OPENED)); /* the self test reports; the monitor raises */
}

int main(void)
{
#define T(t) cmocka_unit_test_setup_teardown(t, lf__setup, lf__teardown)
	const struct CMUnitTest tests[] = {
	    T(test_first_boot_provisions_the_identities_and_raises_nothing),
	    T(test_a_case_opened_is_raised_after_the_debounce_and_cleared_when_closed),
	    T(test_a_flapping_switch_raises_nothing),
	    T(test_a_fatal_detection_is_raised_expedited_and_handed_to_the_owner),
	    T(test_the_fatal_policy_can_make_any_detection_fatal_or_none),
	    T(test_an_unreadable_sensor_raises_the_sensor_failure_alarm_and_keeps_its_own),
	    T(test_a_state_file_changed_behind_henbd_is_caught_and_management_clears_it),
	    T(test_an_edit_between_two_checks_is_caught_before_the_next_write),
	    T(test_a_state_file_changed_while_henbd_was_stopped_is_caught_at_boot),
	    T(test_a_factory_reset_removes_the_state_without_an_alarm),
	    T(test_a_burst_of_failed_authentications_is_a_lan_attack),
	    T(test_unexpected_listeners_processes_and_watchdog_misses_are_unexpected_behaviour),
	    T(test_the_running_image_is_verified_against_its_signed_manifest),
	    T(test_alarm_delivery_is_counted_until_an_inform_confirms_it),
	    T(test_the_self_test_reads_every_check_now),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
