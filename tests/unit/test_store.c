/* test_store.c: the SQLite store migrates, upserts devices and parameters atomically, and survives reopen. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/err.h"
#include "store/store.h"

static char dbpath[256];

static int setup(void **state)
{
	snprintf(dbpath, sizeof(dbpath), "/tmp/lf-test-store-%d.db", (int)getpid());
	unlink(dbpath);
	return 0;
}

static int teardown(void **state)
{
	char p[300];
	unlink(dbpath);
	snprintf(p, sizeof(p), "%s-wal", dbpath);
	unlink(p);
	snprintf(p, sizeof(p), "%s-shm", dbpath);
	unlink(p);
	return 0;
}

static void inform(struct store *s, const char *serial, const char *sw, int64_t now)
{
	char id[STORE_MAX_ID];
	assert_int_equal(store_device_id(id, sizeof(id), "00005A", "LifelineHeNB", serial), LF_OK);
	struct store_param p[] = {{"Device.DeviceInfo.SoftwareVersion", sw, "xsd:string"},
				  {"Device.ManagementServer.ParameterKey", "", NULL}};
	struct store_inform in = {
		.device_id = id, .manufacturer = "Lifeline", .oui = "00005A", .product_class = "LifelineHeNB",
		.serial_number = serial, .software_version = sw, .events = "1 BOOT", .remote_addr = "127.0.0.1",
		.params = p, .n_params = 2, .now = now,
	};
	assert_int_equal(store_record_inform(s, &in), LF_OK);
}

static int count_cb(void *ctx, const struct store_device *d)
{
	(*(int *)ctx)++;
	return 0;
}

static int param_cb(void *ctx, const char *name, const char *value, const char *type, int64_t updated)
{
	if (strcmp(name, "Device.DeviceInfo.SoftwareVersion") == 0)
		snprintf(ctx, 64, "%s", value);
	return 0;
}

static void test_device_id_escapes(void **state)
{
	char id[64];
	assert_int_equal(store_device_id(id, sizeof(id), "000FB7", "Cavium eNB", "10.18-1"), LF_OK);
	assert_string_equal(id, "000FB7-Cavium%20eNB-10.18%2D1");
	assert_int_equal(store_device_id(id, 8, "000FB7", "Cavium eNB", "10.18-1"), LF_ETOOBIG);
}

static void test_upsert_and_reopen(void **state)
{
	struct store *s = NULL;
	char err[256];
	assert_int_equal(store_open(dbpath, &s, err, sizeof(err)), LF_OK);
	int version = store_schema_version(s);
	assert_true(version >= 3); /* migrations ran; the reopen below must not run them again */
	inform(s, "A1", "1.0", 100);
	inform(s, "A1", "1.1", 200);
	inform(s, "B2", "1.0", 150);

	struct store_device d;
	assert_int_equal(store_device_get(s, "00005A-LifelineHeNB-A1", &d), LF_OK);
	assert_int_equal(d.informs, 2);
	assert_int_equal(d.first_seen, 100);
	assert_int_equal(d.last_inform, 200);
	assert_string_equal(d.software_version, "1.1");
	assert_int_equal(store_device_get(s, "nope", &d), LF_ENOTFOUND);
	store_close(&s);
	assert_null(s);

	/* Reopen: no migration repeated, data kept. */
	assert_int_equal(store_open(dbpath, &s, err, sizeof(err)), LF_OK);
	assert_int_equal(store_schema_version(s), version);
	int n = 0;
	assert_int_equal(store_device_list(s, count_cb, &n), LF_OK);
	assert_int_equal(n, 2);
	char sw[64] = "";
	assert_int_equal(store_param_list(s, "00005A-LifelineHeNB-A1", "Device.DeviceInfo.", param_cb, sw), LF_OK);
	assert_string_equal(sw, "1.1");
	store_close(&s);
}

static void test_bad_path_names_problem(void **state)
{
	struct store *s = NULL;
	char err[256];
	assert_int_not_equal(store_open("/nonexistent-dir/x.db", &s, err, sizeof(err)), LF_OK);
	assert_null(s);
	assert_non_null(strstr(err, "/nonexistent-dir/x.db"));
	assert_int_equal(store_open("postgres://x", &s, err, sizeof(err)), LF_EUNSUPPORTED);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_device_id_escapes),
		cmocka_unit_test_setup_teardown(test_upsert_and_reopen, setup, teardown),
		cmocka_unit_test(test_bad_path_names_problem),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
