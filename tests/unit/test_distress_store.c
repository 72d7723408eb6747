/* test_distress_store.c: the store's distress records: per-device keys, devices still to provision, and the
 * action queue that re-delivers an unanswered action before the next one and keeps results. */
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
	snprintf(dbpath, sizeof(dbpath), "/tmp/lf-test-distress-store-%d.db", (int)getpid());
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

static void add_device(struct store *s, const char *id, int64_t now)
{
	struct store_inform in = {.device_id = id,
	                          .manufacturer = "Lifeline",
	                          .oui = "00005A",
	                          .product_class = "LifelineHeNB",
	                          .serial_number = id,
	                          .events = "0 BOOTSTRAP",
	                          .remote_addr = "127.0.0.1",
	                          .now = now};
	assert_int_equal(store_record_inform(s, &in), LF_OK);
}

static void test_keys_and_devices_to_provision(void **state)
{
	struct store *s;
	char err[256], ids[8][STORE_MAX_ID];
	size_t n;
	assert_int_equal(store_open(dbpath, &s, err, sizeof(err)), LF_OK);
	add_device(s, "A", 100);
	add_device(s, "B", 200);
	add_device(s, "C", 300);
	assert_int_equal(store_block_set(s, "C", 1, "stolen", 300), LF_OK);
	assert_int_equal(store_distress_unprovisioned(s, 0, ids, 8, &n), LF_OK);
	assert_int_equal(n, 2); /* the blocked device gets no keys */
	assert_string_equal(ids[0], "A");
	assert_string_equal(ids[1], "B");

	struct store_distress_device d, got;
	memset(&d, 0, sizeof(d));
	snprintf(d.device_id, sizeof(d.device_id), "A");
	memset(d.psk, 'a', 64);
	memset(d.trigger_key, 'b', 64);
	d.provisioned = 500;
	assert_int_equal(store_distress_device_put(s, &d), LF_OK);
	assert_int_equal(store_distress_unprovisioned(s, 0, ids, 8, &n), LF_OK);
	assert_int_equal(n, 1);
	assert_string_equal(ids[0], "B");
	assert_int_equal(store_distress_unprovisioned(s, 201, ids, 8, &n), LF_OK);
	assert_int_equal(n, 0); /* B was first seen before 201 */
	assert_int_equal(store_distress_device_get(s, "A", &got), LF_OK);
	assert_memory_equal(&d, &got, sizeof(d));
	snprintf(d.trigger_addr, sizeof(d.trigger_addr), "192.0.2.7:5685");
	d.sessions = 3;
	assert_int_equal(store_distress_device_put(s, &d), LF_OK); /* replace */
	assert_int_equal(store_distress_device_get(s, "A", &got), LF_OK);
	assert_string_equal(got.trigger_addr, "192.0.2.7:5685");
	assert_int_equal(got.sessions, 3);
	assert_int_equal(store_distress_device_get(s, "B", &got), LF_ENOTFOUND);
	store_close(&s);
}

static int count_cb(void *ctx, const struct store_distress_action *a)
{
	(*(int *)ctx)++;
	return 0;
}

static void test_queue_redelivers_then_moves_on(void **state)
{
	struct store *s;
	char err[256];
	int64_t id1, id2, pending;
	struct store_distress_action a;
	assert_int_equal(store_open(dbpath, &s, err, sizeof(err)), LF_OK);
	assert_int_equal(store_distress_action_add(s, "A", 7, "diagnostic", NULL, 100, &id1), LF_OK);
	assert_int_equal(store_distress_action_add(s, "A", 7, "reboot", "{\"commandKey\":\"k\"}", 101, &id2), LF_OK);
	assert_int_equal(store_distress_action_pending(s, "A", &pending), LF_OK);
	assert_int_equal(pending, 2);

	assert_int_equal(store_distress_action_next(s, "A", &a), LF_OK);
	assert_int_equal(a.id, id1);
	assert_string_equal(a.args, "{}");
	assert_null(a.result);
	a.status = STORE_DISTRESS_SENT;
	a.deliveries = 1;
	a.session = 99;
	a.sent = 102;
	assert_int_equal(store_distress_action_update(s, &a), LF_OK);
	store_distress_action_clear(&a);
	/* Sent without a result: delivered again before the next one. */
	assert_int_equal(store_distress_action_next(s, "A", &a), LF_OK);
	assert_int_equal(a.id, id1);
	assert_int_equal(a.deliveries, 1);
	a.status = STORE_DISTRESS_DONE;
	a.result = strdup("{\"status\":\"success\"}");
	a.completed = 103;
	snprintf(a.note, sizeof(a.note), "diagnostic Complete");
	assert_int_equal(store_distress_action_update(s, &a), LF_OK);
	free(a.result);
	a.result = NULL;
	store_distress_action_clear(&a);
	assert_int_equal(store_distress_action_next(s, "A", &a), LF_OK);
	assert_int_equal(a.id, id2);
	assert_string_equal(a.kind, "reboot");
	assert_string_equal(a.args, "{\"commandKey\":\"k\"}");
	store_distress_action_clear(&a);

	assert_int_equal(store_distress_action_get(s, id1, &a), LF_OK);
	assert_int_equal(a.status, STORE_DISTRESS_DONE);
	assert_string_equal(a.result, "{\"status\":\"success\"}");
	assert_int_equal(a.case_id, 7);
	store_distress_action_clear(&a);
	assert_int_equal(store_distress_action_pending(s, "A", &pending), LF_OK);
	assert_int_equal(pending, 1);
	assert_int_equal(store_distress_action_next(s, "B", &a), LF_ENOTFOUND);
	int n = 0;
	assert_int_equal(store_distress_action_list(s, "A", STORE_DISTRESS_DONE, 10, count_cb, &n), LF_OK);
	assert_int_equal(n, 1);
	n = 0;
	assert_int_equal(store_distress_action_list(s, NULL, -1, 10, count_cb, &n), LF_OK);
	assert_int_equal(n, 2);
	a.id = 12345;
	assert_int_equal(store_distress_action_update(s, &a), LF_ENOTFOUND);
	store_close(&s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_keys_and_devices_to_provision, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_queue_redelivers_then_moves_on, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
