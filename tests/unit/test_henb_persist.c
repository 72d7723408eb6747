/* test_henb_persist.c: henbd's state file: every field round-trips, a tampered or torn file is refused, and a
 * writer killed with SIGKILL at random moments always leaves the old or the new state, never a broken file. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <dirent.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "common/err.h"
#include "common/file.h"
#include "common/random.h"
#include "henb/config.h"
#include "henb/dm.h"
#include "henb/dm_schema.h"
#include "henb/persist.h"

static struct henb_config lf__cfg;
static char lf__dir[256];
static char lf__path[300];

static struct henb_dm *lf__dm(void)
{
	size_t n;
	char err[256];
	const struct henb_dm_module *const *m = henb_dm_schema(&n);
	struct henb_dm *dm = henb_dm_new(m, n, &lf__cfg, NULL, err, sizeof(err));
	if (!dm)
		fail_msg("%s", err);
	return dm;
}

static int lf__setup(void **state)
{
	henb_config_defaults(&lf__cfg);
	snprintf(lf__dir, sizeof(lf__dir), "/tmp/test_henb_persist.XXXXXX");
	assert_non_null(mkdtemp(lf__dir));
	snprintf(lf__path, sizeof(lf__path), "%s/henbd.state", lf__dir);
	return 0;
}

static int lf__teardown(void **state)
{
	DIR *d = opendir(lf__dir);
	struct dirent *e;
	char p[600];
	while (d && (e = readdir(d))) {
		if (e->d_name[0] == '.')
			continue;
		snprintf(p, sizeof(p), "%s/%s", lf__dir, e->d_name);
		unlink(p);
	}
	if (d)
		closedir(d);
	rmdir(lf__dir);
	return 0;
}

/* A state with something in every field, and escapes everywhere they can hide. */
static void lf__fill(struct henb_state *st, struct henb_dm *dm, long long boots, int values)
{
	memset(st, 0, sizeof(*st));
	st->bootstrapped = true;
	snprintf(st->acs_url, sizeof(st->acs_url), "https://hems.example:7547/cwmp?a=b c");
	st->boots = boots;
	st->reboot_pending = true;
	snprintf(st->reboot_key, sizeof(st->reboot_key), "key with\\ and\nnewline");
	st->n_tc = 2;
	snprintf(st->tc[0].command_key, sizeof(st->tc[0].command_key), "dl 1");
	st->tc[0].fault_code = 9010;
	snprintf(st->tc[0].fault_string, sizeof(st->tc[0].fault_string), "tab\there\r\x01");
	snprintf(st->tc[0].start_time, sizeof(st->tc[0].start_time), "2026-11-28T22:07:00Z");
	snprintf(st->tc[1].command_key, sizeof(st->tc[1].command_key), "%s", "");
	st->dl.used = true;
	snprintf(st->dl.command_key, sizeof(st->dl.command_key), "k");
	snprintf(st->dl.file_type, sizeof(st->dl.file_type), "1 Firmware Upgrade Image");
	snprintf(st->dl.url, sizeof(st->dl.url), "http://files/fw.img");
	snprintf(st->dl.password, sizeof(st->dl.password), "p w");
	st->dl.file_size = 123456;
	st->dl.delay_seconds = 7;
	st->udp_have = true;
	st->udp_last_ts = 1795905236;
	st->udp_last_id = UINT64_MAX;
	st->fm_next_alarm_id = 17;
	st->fm_ring_next[0] = 3;
	st->fm_ring_next[2] = 15;
	struct henb_dm_ref t;
	henb_dm_resolve(dm, "Device.Services.FAPService.", &t);
	henb_dm_add(dm, &t, 1, HENB_DM_ORIGIN_INIT);
	henb_dm_resolve(dm, "Device.Services.FAPService.1.CellConfig.LTE.RAN.NeighborList.LTECell.", &t);
	for (int i = 0; i < values; i++) {
		int row = henb_dm_add(dm, &t, 0, HENB_DM_ORIGIN_ACS);
		if (row < 0)
			break;
		struct henb_dm_ref r = henb_dm_row_ref(dm, t.obj, row, "PLMNID");
		henb_dm_set(dm, &r, "00101", HENB_DM_ORIGIN_ACS);
	}
	henb_dm_set_str(dm, "Device.ManagementServer.ParameterKey", "pk 1", HENB_DM_ORIGIN_ACS);
	henb_dm_set_str(dm, "Device.DeviceInfo.ProvisioningCode", "\xc3\xa9t\xc3\xa9 \\n", HENB_DM_ORIGIN_ACS);
}

static void test_every_field_round_trips(void **state)
{
	struct henb_state st, st2;
	struct henb_dm *dm = lf__dm(), *dm2 = lf__dm();
	struct lf_buf a, b;
	char err[256];
	lf_buf_init(&a, HENB_STATE_MAX);
	lf_buf_init(&b, HENB_STATE_MAX);
	lf__fill(&st, dm, 3, 4);
	assert_int_equal(henb_state_save(lf__path, &st, dm), LF_OK);
	struct henb_dm_ref t;
	henb_dm_resolve(dm2, "Device.Services.FAPService.", &t);
	henb_dm_add(dm2, &t, 1, HENB_DM_ORIGIN_INIT);
	assert_int_equal(henb_state_load(lf__path, &st2, dm2, err, sizeof(err)), LF_OK);
	assert_int_equal(henb_state_serialize(&st, dm, &a), LF_OK);
	assert_int_equal(henb_state_serialize(&st2, dm2, &b), LF_OK);
	assert_string_equal(a.data, b.data);
	assert_string_equal(st2.reboot_key, "key with\\ and\nnewline");
	assert_string_equal(st2.tc[0].fault_string, "tab\there\r\x01");
	assert_int_equal(st2.tc[0].fault_code, 9010);
	assert_int_equal(st2.n_tc, 2);
	assert_true(st2.dl.used);
	assert_string_equal(st2.dl.password, "p w");
	assert_true(st2.udp_last_id == UINT64_MAX);
	assert_string_equal(henb_dm_get_str(dm2, "Device.ManagementServer.ParameterKey"), "pk 1");
	assert_string_equal(henb_dm_get_str(dm2, "Device.DeviceInfo.ProvisioningCode"), "\xc3\xa9t\xc3\xa9 \\n");
	assert_string_equal(
		henb_dm_get_str(dm2, "Device.Services.FAPService.1.CellConfig.LTE.RAN.NeighborList.LTECell.4.PLMNID"),
		"00101");
	lf_buf_free(&a);
	lf_buf_free(&b);
	henb_dm_free(&dm);
	henb_dm_free(&dm2);
}

static int lf__load_text(const char *text, size_t len, char *err, size_t errlen)
{
	struct henb_state st;
	struct henb_dm *dm = lf__dm();
	int rc = henb_state_parse(text, len, true, &st, dm, err, errlen);
	henb_dm_free(&dm);
	return rc;
}

static void test_a_tampered_torn_or_foreign_file_is_refused(void **state)
{
	struct henb_state st;
	struct henb_dm *dm = lf__dm();
	struct lf_buf a;
	char err[256];
	lf_buf_init(&a, HENB_STATE_MAX);
	lf__fill(&st, dm, 1, 2);
	assert_int_equal(henb_state_serialize(&st, dm, &a), LF_OK);
	assert_int_equal(lf__load_text(a.data, a.len, err, sizeof(err)), LF_OK);
	/* one changed byte */
	char *copy = strdup(a.data);
	char *p = strstr(copy, "boots 1");
	p[6] = '2';
	assert_int_equal(lf__load_text(copy, a.len, err, sizeof(err)), LF_EPARSE);
	assert_non_null(strstr(err, "seal"));
	/* cut anywhere */
	for (size_t cut = 0; cut < a.len; cut += 7)
		assert_int_equal(lf__load_text(a.data, cut, err, sizeof(err)), LF_EPARSE);
	/* something else entirely */
	assert_int_equal(lf__load_text("[state]\nbootstrapped = true\n", 28, err, sizeof(err)), LF_EPARSE);
	/* a future format version: named as such (unsealed parse, as the fuzzer does) */
	const char *future = "H lifeline-henbd-state 2\n";
	assert_int_equal(henb_state_parse(future, strlen(future), false, &st, dm, err, sizeof(err)), LF_EPARSE);
	assert_non_null(strstr(err, "version 2"));
	free(copy);
	lf_buf_free(&a);
	henb_dm_free(&dm);
}

static void test_no_file_is_the_factory_state(void **state)
{
	struct henb_state st;
	struct henb_dm *dm = lf__dm();
	char err[256];
	assert_int_equal(henb_state_load(lf__path, &st, dm, err, sizeof(err)), LF_ENOTFOUND);
	assert_false(st.bootstrapped);
	assert_int_equal(henb_state_wipe(lf__path), LF_OK);
	henb_dm_free(&dm);
}

/* The writer: alternate between a small state (boots 1) and a large one (boots 2) as fast as it can. */
static void lf__writer(void)
{
	struct henb_state a, b;
	struct henb_dm *da = lf__dm(), *db = lf__dm();
	lf__fill(&a, da, 1, 0);
	lf__fill(&b, db, 2, 16);
	for (;;) {
		henb_state_save(lf__path, &a, da);
		henb_state_save(lf__path, &b, db);
	}
}

static void test_sigkill_during_writes_leaves_the_old_or_the_new_state(void **state)
{
	unsigned seen[3] = {0};
	char err[256];
	for (int i = 0; i < 60; i++) {
		pid_t pid = fork();
		assert_true(pid >= 0);
		if (pid == 0)
			lf__writer();
		/* Let it write a few files, then kill it somewhere in the middle of one. */
		usleep((useconds_t)(2000 + lf_random_range(0, 20000)));
		kill(pid, SIGKILL);
		int status;
		waitpid(pid, &status, 0);
		assert_true(WIFSIGNALED(status));
		struct henb_state st;
		struct henb_dm *dm = lf__dm();
		int rc = henb_state_load(lf__path, &st, dm, err, sizeof(err));
		if (rc == LF_ENOTFOUND && i == 0) {
			henb_dm_free(&dm);
			continue; /* killed before the first rename */
		}
		if (rc != LF_OK)
			fail_msg("iteration %d: the state file does not load: %s", i, err);
		assert_true(st.boots == 1 || st.boots == 2);
		seen[st.boots]++;
		henb_dm_free(&dm);
	}
	/* both versions were seen: the kills did land at different moments */
	print_message("small state %u times, large state %u times\n", seen[1], seen[2]);
	assert_true(seen[1] + seen[2] >= 59);
}

int main(void)
{
#define T(t) cmocka_unit_test_setup_teardown(t, lf__setup, lf__teardown)
	const struct CMUnitTest tests[] = {
		T(test_every_field_round_trips),
		T(test_a_tampered_torn_or_foreign_file_is_refused),
		T(test_no_file_is_the_factory_state),
		T(test_sigkill_during_writes_leaves_the_old_or_the_new_state),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
