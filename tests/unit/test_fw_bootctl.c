/* test_fw_bootctl.c: boot control tries a new slot a few times then falls back, confirms it on mark_good,
 * boots only slots that verify (then the other good slot, then the failsafe), cleans up after power cuts,
 * and keeps a shut-down device down. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/buf.h"
#include "common/err.h"
#include "common/file.h"
#include "firmware/bootctl.h"
#include "firmware/fwerr.h"
#include "firmware/image.h"
#include "firmware/key.h"
#include "firmware/slot.h"
#include "firmware/tree.h"

#define PC "LifelineHeNB"
#define HW "1.0"

static char tmp[64];
static char dev[128];
static char img_v1[128], img_v2[128], img_v3[128], img_fs[128], img_other_pc[128];
static struct fw_key key;

static void write_file(const char *dir, const char *rel, const char *text, mode_t mode)
{
	char p[512];
	snprintf(p, sizeof(p), "%s/%s", dir, rel);
	mkdir(dir, 0755);
	assert_int_equal(fw__mkdirs(dir, rel), LF_OK);
	int fd = open(p, O_WRONLY | O_CREAT | O_TRUNC, mode);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	close(fd);
}

static void make_image(const char *name, const char *version, const char *pc, char *out, size_t outlen)
{
	char dir[256], err[512];
	snprintf(dir, sizeof(dir), "%s/src-%s", tmp, name);
	write_file(dir, "bin/henbd", "#!/bin/sh\nexit 0\n", 0755);
	write_file(dir, "etc/version", version, 0644);
	snprintf(out, outlen, "%s/%s.lfi", tmp, name);
	struct fw_build b = {.src_dir = dir, .product_class = pc, .hw_versions = HW, .version = version,
			     .out_path = out};
	if (fw_image_build(&b, &key, err, sizeof(err)))
		fail_msg("build %s: %s", name, err);
}

static int group_setup(void **state)
{
	snprintf(tmp, sizeof(tmp), "/tmp/lf-test-bootctl-XXXXXX");
	assert_non_null(mkdtemp(tmp));
	fw_key_generate(&key);
	make_image("v1", "1.0", PC, img_v1, sizeof(img_v1));
	make_image("v2", "2.0", PC, img_v2, sizeof(img_v2));
	make_image("v3", "3.0", PC, img_v3, sizeof(img_v3));
	make_image("fs", "failsafe-1", PC, img_fs, sizeof(img_fs));
	make_image("other", "9.9", "OtherHeNB", img_other_pc, sizeof(img_other_pc));
	return 0;
}

static int group_teardown(void **state)
{
	fw__tree_remove(tmp);
	fw_key_wipe(&key);
	return 0;
}

/* Each test: a factory-fresh device with A = v1 (active, good) and the failsafe provisioned. */
static int setup(void **state)
{
	char err[512];
	snprintf(dev, sizeof(dev), "%s/dev", tmp);
	fw__tree_remove(dev);
	if (fw_bootctl_provision(dev, img_v1, key.pub, FW_SLOT_A, PC, HW, err, sizeof(err)) ||
	    fw_bootctl_provision(dev, img_fs, key.pub, FW_SLOT_FAILSAFE, NULL, NULL, err, sizeof(err)))
		fail_msg("provision: %s", err);
	return 0;
}

static struct fw_bootctl state_now(void)
{
	struct fw_bootctl st;
	char err[512];
	if (fw_bootctl_load(dev, &st, err, sizeof(err)))
		fail_msg("load: %s", err);
	return st;
}

static int choose(void)
{
	char err[2048];
	int slot = -5;
	int rc = fw_bootctl_choose(dev, key.pub, &slot, err, sizeof(err));
	if (rc)
		fail_msg("choose: %d %s", rc, err);
	return slot;
}

static void install(int want_slot)
{
	char err[512];
	int slot = -5;
	int rc = fw_bootctl_install_to_inactive(dev, img_v2, key.pub, PC, HW, &slot, err, sizeof(err));
	if (rc)
		fail_msg("install: %d %s", rc, err);
	assert_int_equal(slot, want_slot);
}

static void slot_version(int slot, const char *want)
{
	char dir[512], err[512];
	struct fw_manifest m;
	assert_int_equal(fw_bootctl_slot_dir(dev, slot, dir, sizeof(dir)), LF_OK);
	int rc = fw_slot_verify(dir, key.pub, &m, err, sizeof(err));
	if (rc)
		fail_msg("slot %s: %s", fw_slot_name(slot), err);
	assert_string_equal(m.version, want);
	fw_manifest_free(&m);
}

static void corrupt(int slot)
{
	char dir[512], p[600];
	fw_bootctl_slot_dir(dev, slot, dir, sizeof(dir));
	snprintf(p, sizeof(p), "%s/etc/version", dir);
	chmod(p, 0644);
	assert_int_equal(lf_file_write_atomic(p, "evil", 4), LF_OK);
}

static void test_fresh_device_boots_the_provisioned_slot(void **state)
{
	struct fw_bootctl st = state_now();
	assert_int_equal(st.active, FW_SLOT_A);
	assert_true(st.good[FW_SLOT_A]);
	assert_int_equal(st.pending, FW_SLOT_NONE);
	assert_int_equal(choose(), FW_SLOT_A);
	st = state_now();
	assert_int_equal(st.booted, FW_SLOT_A);
	assert_int_equal(st.boot_count, 1);
	slot_version(FW_SLOT_FAILSAFE, "failsafe-1");
}

static void test_pending_slot_gets_three_tries_then_falls_back(void **state)
{
	assert_int_equal(choose(), FW_SLOT_A);
	install(FW_SLOT_B);
	slot_version(FW_SLOT_B, "2.0");
	slot_version(FW_SLOT_A, "1.0"); /* the running slot was not touched */
	struct fw_bootctl st = state_now();
	assert_int_equal(st.pending, FW_SLOT_B);
	assert_int_equal(st.tries_left, FW_BOOT_TRIES);
	for (int i = 0; i < FW_BOOT_TRIES; i++) {
		assert_int_equal(choose(), FW_SLOT_B);
		assert_int_equal(state_now().tries_left, FW_BOOT_TRIES - 1 - i);
		assert_int_equal(fw_bootctl_record_result(dev, 0, "failed exit=1"), LF_OK);
	}
	assert_int_equal(choose(), FW_SLOT_A);
	st = state_now();
	assert_int_equal(st.active, FW_SLOT_A);
	assert_int_equal(st.pending, FW_SLOT_NONE);
	assert_false(st.good[FW_SLOT_B]);
	assert_int_equal(st.failed_boots, 0); /* A's record starts clean */
	assert_non_null(strstr(st.last_reason, "pending B gave up"));
	assert_string_equal(st.last_result, "booting");
	/* B, never confirmed, is no fallback: with A broken, the failsafe boots. */
	corrupt(FW_SLOT_A);
	assert_int_equal(choose(), FW_SLOT_FAILSAFE);
}

static void test_mark_good_makes_the_running_pending_slot_active(void **state)
{
	assert_int_equal(choose(), FW_SLOT_A);
	install(FW_SLOT_B);
	/* Confirming before the new slot ran confirms A, not B. */
	assert_int_equal(fw_bootctl_mark_good(dev), LF_OK);
	assert_int_equal(state_now().active, FW_SLOT_A);
	assert_int_equal(state_now().pending, FW_SLOT_B);
	assert_int_equal(choose(), FW_SLOT_B);
	assert_int_equal(fw_bootctl_mark_good(dev), LF_OK);
	struct fw_bootctl st = state_now();
	assert_int_equal(st.active, FW_SLOT_B);
	assert_int_equal(st.pending, FW_SLOT_NONE);
	assert_true(st.good[FW_SLOT_B]);
	assert_true(st.good[FW_SLOT_A]);
	assert_int_equal(choose(), FW_SLOT_B);
	/* The next install goes to A, the now inactive slot. */
	install(FW_SLOT_A);
	slot_version(FW_SLOT_B, "2.0");
}

static void test_no_install_while_a_new_slot_is_on_trial(void **state)
{
	char err[512];
	assert_int_equal(choose(), FW_SLOT_A);
	install(FW_SLOT_B);
	/* Installed but not booted yet: a newer image replaces the pending one. */
	install(FW_SLOT_B);
	assert_int_equal(choose(), FW_SLOT_B);
	assert_int_equal(fw_bootctl_install_to_inactive(dev, img_v3, key.pub, PC, HW, NULL, err, sizeof(err)),
			 LF_EBUSY);
	assert_non_null(strstr(err, "on trial"));
	slot_version(FW_SLOT_A, "1.0");
	slot_version(FW_SLOT_B, "2.0");
}

static void test_refused_install_changes_nothing(void **state)
{
	char err[512];
	assert_int_equal(choose(), FW_SLOT_A);
	struct fw_bootctl before = state_now();
	int rc = fw_bootctl_install_to_inactive(dev, img_other_pc, key.pub, PC, HW, NULL, err, sizeof(err));
	assert_int_equal(rc, FW_EPRODUCT);
	assert_int_equal(fw_fault_code(rc), 9010);
	rc = fw_bootctl_install_to_inactive(dev, img_v2, key.pub, PC, "7.0", NULL, err, sizeof(err));
	assert_int_equal(rc, FW_EHWVER);
	struct fw_key other;
	fw_key_generate(&other);
	rc = fw_bootctl_install_to_inactive(dev, img_v2, other.pub, PC, HW, NULL, err, sizeof(err));
	assert_int_equal(rc, FW_ESIG);
	assert_int_equal(fw_fault_code(rc), 9019);
	fw_key_wipe(&other);
	struct fw_bootctl after = state_now();
	assert_int_equal(after.pending, FW_SLOT_NONE);
	assert_int_equal(after.good[FW_SLOT_B], before.good[FW_SLOT_B]);
	char dir[512];
	fw_bootctl_slot_dir(dev, FW_SLOT_B, dir, sizeof(dir));
	assert_int_not_equal(access(dir, F_OK), 0);
}

static void test_refused_payload_restores_the_state(void **state)
{
	char err[512], bad[256];
	assert_int_equal(choose(), FW_SLOT_A);
	install(FW_SLOT_B);
	/* A v3 whose last payload byte is flipped: refused during extraction. */
	struct lf_buf b;
	lf_buf_init(&b, 1 << 20);
	assert_int_equal(lf_file_read(img_v3, &b), LF_OK);
	b.data[b.len - 1] ^= 1;
	snprintf(bad, sizeof(bad), "%s/v3-bad.lfi", tmp);
	assert_int_equal(lf_file_write_atomic(bad, b.data, b.len), LF_OK);
	lf_buf_free(&b);
	assert_int_equal(fw_bootctl_install_to_inactive(dev, bad, key.pub, PC, HW, NULL, err, sizeof(err)),
			 FW_EHASH);
	assert_int_equal(fw_fault_code(FW_EHASH), 9018);
	slot_version(FW_SLOT_B, "2.0");
	struct fw_bootctl st = state_now();
	assert_int_equal(st.pending, FW_SLOT_B);
	assert_int_equal(st.tries_left, FW_BOOT_TRIES);
}

static void test_corrupted_slots_fall_back_to_the_other_then_the_failsafe(void **state)
{
	char err[2048];
	int slot;
	assert_int_equal(fw_bootctl_provision(dev, img_v2, key.pub, FW_SLOT_B, PC, HW, err, sizeof(err)), LF_OK);
	assert_int_equal(choose(), FW_SLOT_A);
	corrupt(FW_SLOT_A);
	assert_int_equal(choose(), FW_SLOT_B);
	struct fw_bootctl st = state_now();
	assert_int_equal(st.active, FW_SLOT_B); /* the good one takes over */
	assert_false(st.good[FW_SLOT_A]);
	assert_non_null(strstr(st.last_reason, "slot A refused"));
	assert_non_null(strstr(st.last_reason, "etc/version"));
	/* The broken A is now the install target. */
	install(FW_SLOT_A);
	slot_version(FW_SLOT_A, "2.0");
	corrupt(FW_SLOT_A);
	corrupt(FW_SLOT_B);
	assert_int_equal(choose(), FW_SLOT_FAILSAFE);
	st = state_now();
	assert_int_equal(st.pending, FW_SLOT_NONE); /* the refused pending slot is not retried */
	assert_int_equal(st.booted, FW_SLOT_FAILSAFE);
	/* From the failsafe, an install goes to the non-active slot; mark_good does not promote the failsafe. */
	assert_int_equal(fw_bootctl_mark_good(dev), LF_OK);
	assert_int_equal(state_now().active, FW_SLOT_B);
	install(FW_SLOT_A);
	assert_int_equal(choose(), FW_SLOT_A);
	assert_int_equal(fw_bootctl_mark_good(dev), LF_OK);
	assert_int_equal(state_now().active, FW_SLOT_A);
	/* Nothing verifies at all: refuse to boot. */
	corrupt(FW_SLOT_A);
	char fs[512], p[600];
	fw_bootctl_slot_dir(dev, FW_SLOT_FAILSAFE, fs, sizeof(fs));
	snprintf(p, sizeof(p), "%s/.signature", fs);
	chmod(fs, 0755);
	assert_int_equal(unlink(p), 0);
	assert_int_equal(fw_bootctl_choose(dev, key.pub, &slot, err, sizeof(err)), FW_ENOSLOT);
	assert_int_equal(slot, FW_SLOT_NONE);
	assert_non_null(strstr(err, "no slot verifies"));
	assert_string_equal(state_now().last_result, "no bootable slot");
}

static void test_orphans_of_interrupted_installs_are_cleaned_at_boot(void **state)
{
	char p[512];
	snprintf(p, sizeof(p), "%s/slots", dev);
	write_file(p, "B.new/bin/henbd", "half", 0755);
	/* A cut between the renames of A's replacement: A is missing, A.old holds it. */
	char a[512], a_old[512];
	fw_bootctl_slot_dir(dev, FW_SLOT_A, a, sizeof(a));
	snprintf(a_old, sizeof(a_old), "%s.old", a);
	assert_int_equal(rename(a, a_old), 0);
	write_file(p, "A.new/bin/henbd", "new", 0755);
	/* And a state write cut before its rename. */
	char boot[512];
	snprintf(boot, sizeof(boot), "%s/boot", dev);
	write_file(boot, "bootctl.tmp.4242", "active = B\n", 0600);
	assert_int_equal(choose(), FW_SLOT_A);
	snprintf(boot, sizeof(boot), "%s/boot/bootctl.tmp.4242", dev);
	assert_int_not_equal(access(boot, F_OK), 0);
	slot_version(FW_SLOT_A, "1.0");
	snprintf(p, sizeof(p), "%s/slots/B.new", dev);
	assert_int_not_equal(access(p, F_OK), 0);
	snprintf(p, sizeof(p), "%s/slots/A.new", dev);
	assert_int_not_equal(access(p, F_OK), 0);
	assert_int_not_equal(access(a_old, F_OK), 0);
	assert_non_null(strstr(state_now().last_reason, "rolled back"));
}

static void test_shutdown_flag_keeps_the_device_down(void **state)
{
	char err[512];
	int slot;
	assert_int_equal(choose(), FW_SLOT_A);
	assert_int_equal(fw_bootctl_request_shutdown(dev, "antenna cable tamper\nfatal"), LF_OK);
	struct fw_bootctl st = state_now();
	assert_true(st.shutdown);
	assert_string_equal(st.shutdown_reason, "antenna cable tamper?fatal");
	long long count = st.boot_count;
	for (int i = 0; i < 2; i++) {
		assert_int_equal(fw_bootctl_choose(dev, key.pub, &slot, err, sizeof(err)), LF_EFORBIDDEN);
		assert_int_equal(slot, FW_SLOT_NONE);
		assert_non_null(strstr(err, "antenna cable tamper"));
	}
	assert_int_equal(state_now().boot_count, count);
	assert_int_equal(fw_bootctl_clear_shutdown(dev), LF_OK);
	assert_int_equal(choose(), FW_SLOT_A);
}

static void test_failsafe_request_boots_the_failsafe_once(void **state)
{
	assert_int_equal(choose(), FW_SLOT_A);
	assert_int_equal(fw_bootctl_request_failsafe(dev), LF_OK);
	assert_true(state_now().failsafe_requested);
	assert_int_equal(choose(), FW_SLOT_FAILSAFE);
	assert_false(state_now().failsafe_requested);
	assert_int_equal(choose(), FW_SLOT_A);
}

static void test_active_slot_failing_again_and_again_goes_to_the_failsafe(void **state)
{
	for (int i = 0; i < FW_BOOT_MAX_FAILS; i++) {
		assert_int_equal(choose(), FW_SLOT_A);
		assert_int_equal(fw_bootctl_record_result(dev, 0, "failed signal=11"), LF_OK);
	}
	assert_int_equal(state_now().failed_boots, FW_BOOT_MAX_FAILS);
	assert_int_equal(choose(), FW_SLOT_FAILSAFE);
	assert_int_equal(fw_bootctl_record_result(dev, 1, "ok stop exit=0"), LF_OK);
	assert_int_equal(choose(), FW_SLOT_A);
}

static void test_unreadable_state_boots_from_defaults(void **state)
{
	char p[512];
	snprintf(p, sizeof(p), "%s/boot/bootctl", dev);
	assert_int_equal(lf_file_write_atomic(p, "active = Z\n\x01garbage", 20), LF_OK);
	struct fw_bootctl st;
	char err[512];
	assert_int_not_equal(fw_bootctl_load(dev, &st, err, sizeof(err)), LF_OK);
	assert_non_null(strstr(err, "bootctl"));
	assert_int_equal(choose(), FW_SLOT_A);
	st = state_now();
	assert_non_null(strstr(st.last_reason, "state unreadable"));
	/* mark_good etc. refuse to build on a state they cannot read; choose rewrote it, so now they work. */
	assert_int_equal(fw_bootctl_mark_good(dev), LF_OK);
}

static void test_state_survives_a_round_trip(void **state)
{
	struct fw_bootctl st, back;
	char err[512];
	fw_bootctl_defaults(&st);
	st.active = FW_SLOT_B;
	st.pending = FW_SLOT_A;
	st.tries_left = 2;
	st.booted = FW_SLOT_FAILSAFE;
	st.boot_count = 123456789012LL;
	st.failed_boots = 4;
	st.good[FW_SLOT_B] = 1;
	st.failsafe_requested = 1;
	st.shutdown = 1;
	snprintf(st.shutdown_reason, sizeof(st.shutdown_reason), "\"quoted\" = # reason");
	snprintf(st.last_result, sizeof(st.last_result), "failed exit=1");
	assert_int_equal(fw_bootctl_save(dev, &st), LF_OK);
	assert_int_equal(fw_bootctl_load(dev, &back, err, sizeof(err)), LF_OK);
	assert_int_equal(back.active, FW_SLOT_B);
	assert_int_equal(back.pending, FW_SLOT_A);
	assert_int_equal(back.tries_left, 2);
	assert_int_equal(back.booted, FW_SLOT_FAILSAFE);
	assert_true(back.boot_count == 123456789012LL);
	assert_int_equal(back.failed_boots, 4);
	assert_false(back.good[FW_SLOT_A]);
	assert_true(back.good[FW_SLOT_B]);
	assert_true(back.failsafe_requested);
	assert_true(back.shutdown);
	assert_string_equal(back.shutdown_reason, "\"quoted\" = # reason");
	assert_string_equal(back.last_result, "failed exit=1");
	assert_string_equal(fw_slot_name(fw_slot_parse("failsafe")), "failsafe");
	assert_int_equal(fw_slot_parse("C"), -2);
}

static void test_missing_device_directory_is_an_error(void **state)
{
	char err[512], missing[256];
	int slot;
	snprintf(missing, sizeof(missing), "%s/no-such-dev", tmp);
	assert_int_equal(fw_bootctl_choose(missing, key.pub, &slot, err, sizeof(err)), LF_EIO);
	assert_non_null(strstr(err, "does not exist"));
	assert_int_equal(fw_bootctl_install_to_inactive(missing, img_v2, key.pub, PC, HW, NULL, err, sizeof(err)),
			 LF_EIO);
}

int main(void)
{
#define T(f) cmocka_unit_test_setup(f, setup)
	const struct CMUnitTest tests[] = {
		T(test_fresh_device_boots_the_provisioned_slot),
		T(test_pending_slot_gets_three_tries_then_falls_back),
		T(test_mark_good_makes_the_running_pending_slot_active),
		T(test_no_install_while_a_new_slot_is_on_trial),
		T(test_refused_install_changes_nothing),
		T(test_refused_payload_restores_the_state),
		T(test_corrupted_slots_fall_back_to_the_other_then_the_failsafe),
		T(test_orphans_of_interrupted_installs_are_cleaned_at_boot),
		T(test_shutdown_flag_keeps_the_device_down),
		T(test_failsafe_request_boots_the_failsafe_once),
		T(test_active_slot_failing_again_and_again_goes_to_the_failsafe),
		T(test_unreadable_state_boots_from_defaults),
		T(test_state_survives_a_round_trip),
		T(test_missing_device_directory_is_an_error),
	};
#undef T
	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
