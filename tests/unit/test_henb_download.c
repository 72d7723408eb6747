/* test_henb_download.c: the parts of the Download path that need no network, on a real agent (state in a temp
 * directory): a vendor configuration file is applied all or nothing; and what a boot makes of an install that
 * was waiting for it (the marker in the download area against LF_BOOT_SLOT and the boot state): the new image
 * confirms itself after a good session and reports fault 0 once, a given-up image is reported 9010, a cut
 * install lets the job run again, and without the launcher a pending install is a success. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/err.h"
#include "common/file.h"
#include "common/log.h"
#include "cwmp/cwmp.h"
#include "firmware/bootctl.h"
#include "henb/agent.h"
#include "henb/download.h"
#include "henb/vendorcfg.h"

static struct henb_agent lf__a;
static struct henb_config lf__cfg;
static char lf__dir[256];
static char lf__dev[300];
static char lf__marker[400];

static void lf__start(void)
{
	char err[512];
	if (henb_agent_init(&lf__a, &lf__cfg, NULL, err, sizeof(err)))
		fail_msg("henb_agent_init: %s", err);
}

static int lf__setup(void **state)
{
	lf_log_init("test_henb_download", LF_LOG_WARN);
	snprintf(lf__dir, sizeof(lf__dir), "/tmp/test_henb_download.XXXXXX");
	assert_non_null(mkdtemp(lf__dir));
	snprintf(lf__dev, sizeof(lf__dev), "%s/dev", lf__dir);
	assert_int_equal(mkdir(lf__dev, 0755), 0);
	char dl[300];
	snprintf(dl, sizeof(dl), "%s/download", lf__dir);
	assert_int_equal(mkdir(dl, 0700), 0);
	snprintf(lf__marker, sizeof(lf__marker), "%s/%s", dl, HENB_DOWNLOAD_MARKER);
	henb_config_defaults(&lf__cfg);
	snprintf(lf__cfg.state_dir, sizeof(lf__cfg.state_dir), "%s", lf__dir);
	snprintf(lf__cfg.fw_dev_dir, sizeof(lf__cfg.fw_dev_dir), "%s", lf__dev);
	snprintf(lf__cfg.acs_url, sizeof(lf__cfg.acs_url), "http://127.0.0.1:1/cwmp");
	unsetenv("LF_BOOT_SLOT");
	lf__start();
	return 0;
}

static void lf__rmtree(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	char p[600];
	while (d && (e = readdir(d))) {
		if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
			continue;
		snprintf(p, sizeof(p), "%s/%s", dir, e->d_name);
		if (unlink(p) != 0)
			lf__rmtree(p);
	}
	if (d)
		closedir(d);
	rmdir(dir);
}

static int lf__teardown(void **state)
{
	henb_agent_free(&lf__a);
	unsetenv("LF_BOOT_SLOT");
	lf__rmtree(lf__dir);
	return 0;
}

static const char *lf__get(const char *name)
{
	return henb_dm_get_str(lf__a.dm, name);
}

static void test_a_vendor_configuration_file_is_applied_all_or_nothing(void **state)
{
	char err[256];
	static const char good[] = "# vendor settings\n\n"
				   "Device.DeviceInfo.ProvisioningCode = site-42\r\n"
				   "  Device.ManagementServer.DefaultActiveNotificationThrottle=17  \n"
				   "Device.Services.FAPService.1.CellConfig.LTE.EPC.TAC = 99";
	assert_int_equal(henb_vendorcfg_apply(&lf__a, good, strlen(good), err, sizeof(err)), 0);
	assert_string_equal(lf__get("Device.DeviceInfo.ProvisioningCode"), "site-42");
	assert_string_equal(lf__get("Device.ManagementServer.DefaultActiveNotificationThrottle"), "17");
	assert_string_equal(lf__get("Device.Services.FAPService.1.CellConfig.LTE.EPC.TAC"), "99");

	/* One bad entry anywhere: nothing changes, and the reason names the line. */
	static const struct {
		const char *text;
		const char *why;
	} bad[] = {
		{"Device.DeviceInfo.ProvisioningCode = x\nDevice.No.Such = 1\n", "line 2: Device.No.Such is not a parameter"},
		{"Device.DeviceInfo.ProvisioningCode = x\nDevice.DeviceInfo.SerialNumber = y\n", "not writable"},
		{"Device.DeviceInfo.ProvisioningCode = x\nDevice.ManagementServer.PeriodicInformInterval = -3\n",
		 "line 2: invalid value"},
		{"Device.DeviceInfo.ProvisioningCode = x\nDevice.DeviceInfo.ProvisioningCode = y\n", "set twice"},
		{"Device.DeviceInfo.ProvisioningCode = x\njust words\n", "line 2: expected Name = value"},
		{"Device.DeviceInfo.ProvisioningCode = x\n\0\n", "NUL"},
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		size_t len = strlen(bad[i].text) + (i == 5 ? 2 : 0);
		assert_int_equal(henb_vendorcfg_apply(&lf__a, bad[i].text, len, err, sizeof(err)),
				 CWMP_FAULT_DOWNLOAD_FAILURE);
		if (!strstr(err, bad[i].why))
			fail_msg("case %zu: '%s' lacks '%s'", i, err, bad[i].why);
		assert_string_equal(lf__get("Device.DeviceInfo.ProvisioningCode"), "site-42");
	}
	/* Persisted: a restart keeps the applied values. */
	henb_agent_free(&lf__a);
	lf__start();
	assert_string_equal(lf__get("Device.ManagementServer.DefaultActiveNotificationThrottle"), "17");
}

/* Queue a Download job as the RPC would (persisted). */
static void lf__job(const char *key)
{
	struct cwmp_download d;
	struct cwmp_transfer_result r;
	memset(&d, 0, sizeof(d));
	d.command_key = key;
	d.file_type = "1 Firmware Upgrade Image";
	d.url = "http://127.0.0.1:1/fw.lfi";
	assert_int_equal(henb_download_start(&lf__a, &d, &r), 0);
	assert_int_equal(r.status, 1);
}

/* The boot state of dev: active, pending (FW_SLOT_NONE), booted. */
static void lf__bootctl(int active, int pending, int booted)
{
	struct fw_bootctl st;
	fw_bootctl_defaults(&st);
	st.active = active;
	st.pending = pending;
	st.tries_left = pending == FW_SLOT_NONE ? 0 : 2;
	st.booted = booted;
	st.good[active] = 1;
	assert_int_equal(fw_bootctl_save(lf__dev, &st), LF_OK);
}

static void lf__write_marker(const char *key, const char *phase, const char *slot)
{
	char line[200];
	int n = snprintf(line, sizeof(line), "I %s %s %s 2.0 2026-11-28T10:00:00Z\n", key, phase, slot);
	assert_int_equal(lf_file_write_atomic(lf__marker, line, (size_t)n), LF_OK);
}

/* Restart the agent as if henb-boot started it from slot (NULL: no launcher). */
static void lf__reboot(const char *slot)
{
	henb_agent_free(&lf__a);
	if (slot)
		setenv("LF_BOOT_SLOT", slot, 1);
	else
		unsetenv("LF_BOOT_SLOT");
	lf__start();
}

static bool lf__marker_exists(void)
{
	return access(lf__marker, F_OK) == 0;
}

static void test_the_new_image_reports_success_once_it_reached_its_hems(void **state)
{
	struct fw_bootctl st;
	char err[256];
	lf__job("up-1");
	lf__write_marker("up-1", "installed", "B");
	lf__bootctl(FW_SLOT_A, FW_SLOT_B, FW_SLOT_B);
	lf__reboot("B");
	/* Running the new image: the job is over, but nothing is reported before a good session. */
	assert_false(lf__a.st.dl.used);
	assert_int_equal(lf__a.st.n_tc, 0);
	assert_true(lf__marker_exists());
	henb_download_session_ok(&lf__a);
	assert_int_equal(fw_bootctl_load(lf__dev, &st, err, sizeof(err)), LF_OK);
	assert_int_equal(st.active, FW_SLOT_B);
	assert_int_equal(st.pending, FW_SLOT_NONE);
	assert_int_equal(lf__a.st.n_tc, 1);
	assert_string_equal(lf__a.st.tc[0].command_key, "up-1");
	assert_int_equal(lf__a.st.tc[0].fault_code, 0);
	assert_string_equal(lf__a.st.tc[0].start_time, "2026-11-28T10:00:00Z");
	assert_false(lf__marker_exists());
	/* Once: a later session, or a restart, reports nothing more. */
	henb_download_session_ok(&lf__a);
	lf__reboot("B");
	henb_download_session_ok(&lf__a);
	assert_int_equal(lf__a.st.n_tc, 1);
}

static void test_a_cut_between_report_and_marker_removal_reports_once(void **state)
{
	lf__write_marker("up-2", "installed", "B");
	lf__bootctl(FW_SLOT_B, FW_SLOT_NONE, FW_SLOT_B); /* confirmed before the cut */
	struct henb_transfer tc;
	memset(&tc, 0, sizeof(tc));
	snprintf(tc.command_key, sizeof(tc.command_key), "up-2");
	assert_int_equal(henb_agent_transfer_done(&lf__a, &tc), LF_OK);
	lf__reboot("B");
	henb_download_session_ok(&lf__a);
	assert_int_equal(lf__a.st.n_tc, 1);
	assert_false(lf__marker_exists());
}

static void test_an_image_that_did_not_come_up_is_reported_by_the_old_one(void **state)
{
	lf__write_marker("up-3", "installed", "B");
	lf__bootctl(FW_SLOT_A, FW_SLOT_NONE, FW_SLOT_A); /* henb-boot gave B up */
	lf__reboot("A");
	assert_int_equal(lf__a.st.n_tc, 1);
	assert_string_equal(lf__a.st.tc[0].command_key, "up-3");
	assert_int_equal(lf__a.st.tc[0].fault_code, CWMP_FAULT_DOWNLOAD_FAILURE);
	assert_non_null(strstr(lf__a.st.tc[0].fault_string, "did not come up"));
	assert_false(lf__marker_exists());
}

static void test_a_cut_install_runs_the_job_again(void **state)
{
	lf__job("up-4");
	lf__write_marker("up-4", "installing", "B");
	lf__bootctl(FW_SLOT_A, FW_SLOT_NONE, FW_SLOT_A); /* the write of B never finished */
	lf__reboot("A");
	assert_true(lf__a.st.dl.used);
	assert_string_equal(lf__a.st.dl.command_key, "up-4");
	assert_int_equal(lf__a.st.n_tc, 0);
	assert_false(lf__marker_exists());
	/* Installed, but cut before the marker said so: the pending slot boots and completes the job. */
	lf__write_marker("up-4", "installing", "B");
	lf__bootctl(FW_SLOT_A, FW_SLOT_B, FW_SLOT_B);
	lf__reboot("B");
	assert_false(lf__a.st.dl.used);
	henb_download_session_ok(&lf__a);
	assert_int_equal(lf__a.st.n_tc, 1);
	assert_int_equal(lf__a.st.tc[0].fault_code, 0);
}

static void test_without_the_launcher_a_pending_install_is_a_success(void **state)
{
	lf__job("up-5");
	lf__write_marker("up-5", "installing", "B");
	lf__bootctl(FW_SLOT_A, FW_SLOT_B, FW_SLOT_A);
	lf__reboot(NULL);
	assert_false(lf__a.st.dl.used);
	assert_int_equal(lf__a.st.n_tc, 1);
	assert_int_equal(lf__a.st.tc[0].fault_code, 0);
	assert_false(lf__marker_exists());
}

static void test_an_unreadable_key_stops_the_start(void **state)
{
	char err[512], key[400];
	snprintf(key, sizeof(key), "%s/k.pub", lf__dir);
	assert_int_equal(lf_file_write_atomic(key, "not a key\n", 10), LF_OK);
	henb_agent_free(&lf__a);
	snprintf(lf__cfg.fw_pubkey, sizeof(lf__cfg.fw_pubkey), "%s", key);
	assert_int_not_equal(henb_agent_init(&lf__a, &lf__cfg, NULL, err, sizeof(err)), LF_OK);
	if (!strstr(err, "pubkey") && !strstr(err, "k.pub"))
		fail_msg("reason: %s", err);
	henb_agent_free(&lf__a);
	lf__cfg.fw_pubkey[0] = '\0';
	lf__start();
}

int main(void)
{
#define T(t) cmocka_unit_test_setup_teardown(t, lf__setup, lf__teardown)
	const struct CMUnitTest tests[] = {
		T(test_a_vendor_configuration_file_is_applied_all_or_nothing),
		T(test_the_new_image_reports_success_once_it_reached_its_hems),
		T(test_a_cut_between_report_and_marker_removal_reports_once),
		T(test_an_image_that_did_not_come_up_is_reported_by_the_old_one),
		T(test_a_cut_install_runs_the_job_again),
		T(test_without_the_launcher_a_pending_install_is_a_success),
		T(test_an_unreadable_key_stops_the_start),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
