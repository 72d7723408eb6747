/* store_sqlite.c: the embedded SQLite back end of the store: open, schema migrations, statement cache,
 * nesting transactions, and the table of operations (each implemented in the sqlite_*.c file of its concern). */
#include <sqlite3.h>
#include <stdio.h>
#include <string.h>

#include "common/alloc.h"
#include "common/err.h"
#include "common/log.h"
#include "store/sqlite/sqlite_internal.h"
#include "store/sqlite/sqlite_outbox.h"
#include "store/sqlite/sqlite_distress.h"

/* Schema migrations: entry i brings the schema from version i to i+1. Append only; never edit a shipped one. */
static const char *const lf__migrations[] = {
	/* 0 -> 1: devices and their parameter cache */
	"CREATE TABLE devices ("
	"  device_id TEXT PRIMARY KEY,"
	"  manufacturer TEXT NOT NULL, oui TEXT NOT NULL, product_class TEXT NOT NULL, serial_number TEXT NOT NULL,"
	"  software_version TEXT NOT NULL DEFAULT '', hardware_version TEXT NOT NULL DEFAULT '',"
	"  conn_req_url TEXT NOT NULL DEFAULT '', last_events TEXT NOT NULL DEFAULT '',"
	"  remote_addr TEXT NOT NULL DEFAULT '',"
	"  first_seen INTEGER NOT NULL, last_inform INTEGER NOT NULL, informs INTEGER NOT NULL DEFAULT 0);"
	"CREATE TABLE device_params ("
	"  device_id TEXT NOT NULL REFERENCES devices(device_id) ON DELETE CASCADE,"
	"  name TEXT NOT NULL, value TEXT NOT NULL, type TEXT, updated INTEGER NOT NULL,"
	"  PRIMARY KEY (device_id, name)) WITHOUT ROWID;",
	/* 1 -> 2: task queue, device secrets, blocking, CPE users, files */
	"ALTER TABLE devices ADD COLUMN last_cr TEXT NOT NULL DEFAULT '';"
	"ALTER TABLE devices ADD COLUMN last_cr_time INTEGER NOT NULL DEFAULT 0;"
	"CREATE TABLE tasks ("
	"  id INTEGER PRIMARY KEY AUTOINCREMENT, device_id TEXT NOT NULL, method TEXT NOT NULL,"
	"  args TEXT NOT NULL, status INTEGER NOT NULL DEFAULT 0, result TEXT, note TEXT NOT NULL DEFAULT '',"
	"  created INTEGER NOT NULL, sent INTEGER NOT NULL DEFAULT 0, completed INTEGER NOT NULL DEFAULT 0);"
	"CREATE INDEX tasks_by_device ON tasks (device_id, status, id);"
	"CREATE TABLE device_credentials ("
	"  device_id TEXT PRIMARY KEY, cr_username TEXT NOT NULL, cr_password TEXT NOT NULL);"
	"CREATE TABLE device_blocks (device_id TEXT PRIMARY KEY, reason TEXT NOT NULL, since INTEGER NOT NULL);"
	"CREATE TABLE cwmp_users (username TEXT PRIMARY KEY, ha1 TEXT NOT NULL);"
	"CREATE TABLE files ("
	"  name TEXT PRIMARY KEY, path TEXT NOT NULL, size INTEGER NOT NULL, sha256 TEXT NOT NULL,"
	"  product_class TEXT NOT NULL, version TEXT NOT NULL, created INTEGER NOT NULL);",
	/* 2 -> 3: security alarms, remediation cases and their timelines, the northbound outbox */
	"CREATE TABLE alarms ("
	"  id INTEGER PRIMARY KEY AUTOINCREMENT, device_id TEXT NOT NULL, alarm_identifier TEXT NOT NULL,"
	"  event_time TEXT NOT NULL, notification_type TEXT NOT NULL, managed_object TEXT NOT NULL,"
	"  event_type TEXT NOT NULL, probable_cause TEXT NOT NULL, specific_problem TEXT NOT NULL,"
	"  severity TEXT NOT NULL, additional_text TEXT NOT NULL, additional_info TEXT NOT NULL,"
	"  source TEXT NOT NULL, received INTEGER NOT NULL, case_id INTEGER NOT NULL DEFAULT 0,"
	"  acked INTEGER NOT NULL DEFAULT 0, ack_user TEXT NOT NULL DEFAULT '', ack_time INTEGER NOT NULL DEFAULT 0,"
	"  cleared INTEGER NOT NULL DEFAULT 0, clear_user TEXT NOT NULL DEFAULT '',"
	"  clear_time INTEGER NOT NULL DEFAULT 0,"
	"  UNIQUE (device_id, alarm_identifier, event_time, notification_type));"
	"CREATE INDEX alarms_by_device ON alarms (device_id, id);"
	"CREATE TABLE cases ("
	"  id INTEGER PRIMARY KEY AUTOINCREMENT, device_id TEXT NOT NULL, state TEXT NOT NULL,"
	"  procedure TEXT NOT NULL, rung INTEGER NOT NULL DEFAULT 0, step INTEGER NOT NULL DEFAULT 0,"
	"  phase INTEGER NOT NULL DEFAULT 0, alarm_id INTEGER NOT NULL DEFAULT 0,"
	"  wait_task INTEGER NOT NULL DEFAULT 0, wait_event TEXT NOT NULL DEFAULT '',"
	"  deadline INTEGER NOT NULL DEFAULT 0, step_started INTEGER NOT NULL DEFAULT 0,"
	"  last_contact INTEGER NOT NULL DEFAULT 0, created INTEGER NOT NULL, updated INTEGER NOT NULL,"
	"  closed INTEGER NOT NULL DEFAULT 0, outcome TEXT NOT NULL DEFAULT '', data TEXT NOT NULL DEFAULT '{}');"
	"CREATE UNIQUE INDEX cases_one_open ON cases (device_id) WHERE closed = 0;"
	"CREATE INDEX cases_due ON cases (deadline) WHERE closed = 0 AND deadline > 0;"
	"CREATE TABLE case_events ("
	"  id INTEGER PRIMARY KEY AUTOINCREMENT, case_id INTEGER NOT NULL, time INTEGER NOT NULL,"
	"  from_state TEXT NOT NULL, to_state TEXT NOT NULL, why TEXT NOT NULL, task_id INTEGER NOT NULL DEFAULT 0,"
	"  actor TEXT NOT NULL DEFAULT 'hemsd');"
	"CREATE INDEX case_events_by_case ON case_events (case_id, id);"
	"CREATE TABLE outbox ("
	"  id INTEGER PRIMARY KEY AUTOINCREMENT, created INTEGER NOT NULL, type TEXT NOT NULL,"
	"  device_id TEXT NOT NULL DEFAULT '', case_id INTEGER NOT NULL DEFAULT 0, body TEXT NOT NULL);",
	/* 3 -> 4: northbound subscriptions with their delivery cursor, outbox rows addressed to one subscription
	 * (webhook adapters), alarm records by identifier, higher-level measures */
	"CREATE TABLE nbi_subscriptions ("
	"  id INTEGER PRIMARY KEY AUTOINCREMENT, consumer_reference TEXT NOT NULL,"
	"  filter TEXT NOT NULL DEFAULT '{}', owner TEXT NOT NULL DEFAULT 'nm', created INTEGER NOT NULL,"
	"  cursor INTEGER NOT NULL DEFAULT 0, delivered INTEGER NOT NULL DEFAULT 0,"
	"  failures INTEGER NOT NULL DEFAULT 0, failed_total INTEGER NOT NULL DEFAULT 0,"
	"  last_error TEXT NOT NULL DEFAULT '', last_attempt INTEGER NOT NULL DEFAULT 0,"
	"  last_success INTEGER NOT NULL DEFAULT 0);"
	"ALTER TABLE outbox ADD COLUMN target INTEGER NOT NULL DEFAULT 0;"
	"CREATE INDEX alarms_by_identifier ON alarms (device_id, alarm_identifier, id);"
	"CREATE TABLE measures ("
	"  id INTEGER PRIMARY KEY AUTOINCREMENT, device_id TEXT NOT NULL, measure TEXT NOT NULL,"
	"  adapter TEXT NOT NULL, reason TEXT NOT NULL DEFAULT '', actor TEXT NOT NULL DEFAULT '',"
	"  case_id INTEGER NOT NULL DEFAULT 0, status TEXT NOT NULL DEFAULT 'queued',"
	"  exit_status INTEGER NOT NULL DEFAULT 0, result TEXT NOT NULL DEFAULT '',"
	"  outbox_id INTEGER NOT NULL DEFAULT 0, created INTEGER NOT NULL, finished INTEGER NOT NULL DEFAULT 0);"
	"CREATE INDEX measures_by_device ON measures (device_id, id);",
	/* 4 -> 5: distress channel (5.7.3.1): per-device PSK and trigger key with what the channel learned, the
	 * queue of distress actions with their results */
	"CREATE TABLE distress_devices ("
	"  device_id TEXT PRIMARY KEY, psk TEXT NOT NULL, trigger_key TEXT NOT NULL,"
	"  trigger_addr TEXT NOT NULL DEFAULT '', last_remote TEXT NOT NULL DEFAULT '',"
	"  provisioned INTEGER NOT NULL, last_session INTEGER NOT NULL DEFAULT 0,"
	"  last_trigger INTEGER NOT NULL DEFAULT 0, sessions INTEGER NOT NULL DEFAULT 0);"
	"CREATE TABLE distress_actions ("
	"  id INTEGER PRIMARY KEY AUTOINCREMENT, device_id TEXT NOT NULL, case_id INTEGER NOT NULL DEFAULT 0,"
	"  kind TEXT NOT NULL, args TEXT NOT NULL DEFAULT '{}', result TEXT, status INTEGER NOT NULL DEFAULT 0,"
	"  deliveries INTEGER NOT NULL DEFAULT 0, session INTEGER NOT NULL DEFAULT 0,"
	"  note TEXT NOT NULL DEFAULT '', created INTEGER NOT NULL, sent INTEGER NOT NULL DEFAULT 0,"
	"  completed INTEGER NOT NULL DEFAULT 0);"
	"CREATE INDEX distress_actions_by_device ON distress_actions (device_id, status, id);",
};
#define LF_SCHEMA_VERSION ((int)(sizeof(lf__migrations) / sizeof(lf__migrations[0])))

sqlite3_stmt *sq_stmt(struct sq *q, const char *sql)
{
	/* Open addressing by the string's address: every statement text is a static array. */
	size_t h = ((size_t)(uintptr_t)sql >> 4) % SQ_STMT_CACHE;
	for (size_t i = 0; i < SQ_STMT_CACHE; i++, h = (h + 1) % SQ_STMT_CACHE) {
		if (q->sql[h] == sql)
			return q->st[h];
		if (!q->sql[h]) {
			if (sqlite3_prepare_v2(q->db, sql, -1, &q->st[h], NULL) != SQLITE_OK) {
				lf_error("store_error", "backend=sqlite op=prepare error=\"%s\"", sqlite3_errmsg(q->db));
				q->st[h] = NULL;
				return NULL;
			}
			q->sql[h] = sql;
			return q->st[h];
		}
	}
	lf_error("store_error", "backend=sqlite op=prepare error=\"statement cache full\"");
	return NULL;
}

int sq_fail(struct sq *q, const char *what)
{
	lf_error("store_error", "backend=sqlite op=%s error=\"%s\"", what, sqlite3_errmsg(q->db));
	return LF_ESTORE;
}

int sq_step_done(struct sq *q, sqlite3_stmt *st, const char *what)
{
	if (!st)
		return LF_ESTORE;
	int rc = sqlite3_step(st);
	sqlite3_reset(st);
	sqlite3_clear_bindings(st);
	if (rc != SQLITE_DONE)
		return sq_fail(q, what);
	return LF_OK;
}

int sq_one_row(struct sq *q, sqlite3_stmt *st, const char *what, void (*row)(sqlite3_stmt *, void *), void *out)
{
	if (!st)
		return LF_ESTORE;
	int rc = sqlite3_step(st);
	int result = LF_OK;
	if (rc == SQLITE_ROW)
		row(st, out);
	else if (rc == SQLITE_DONE)
		result = LF_ENOTFOUND;
	else
		result = sq_fail(q, what);
	sqlite3_reset(st);
	sqlite3_clear_bindings(st);
	return result;
}

void sq_bind_text(sqlite3_stmt *st, int i, const char *v)
{
	if (!st)
		return;
	if (v)
		sqlite3_bind_text(st, i, v, -1, SQLITE_STATIC);
	else
		sqlite3_bind_null(st, i);
}

void sq_col_copy(sqlite3_stmt *st, int i, char *out, size_t outlen)
{
	const unsigned char *t = sqlite3_column_text(st, i);
	snprintf(out, outlen, "%s", t ? (const char *)t : "");
}

char *sq_col_dup(sqlite3_stmt *st, int i)
{
	const unsigned char *t = sqlite3_column_text(st, i);
	return t ? lf_strdup((const char *)t) : NULL;
}

static const char SQL_BEGIN[] = "BEGIN IMMEDIATE";
static const char SQL_COMMIT[] = "COMMIT";
static const char SQL_ROLLBACK[] = "ROLLBACK";

int sq_begin(struct sq *q)
{
	if (q->tx_depth++ > 0)
		return LF_OK;
	q->tx_failed = 0;
	int result = sq_step_done(q, sq_stmt(q, SQL_BEGIN), "begin");
	if (result)
		q->tx_depth = 0;
	return result;
}

int sq_end(struct sq *q, int failed)
{
	if (failed)
		q->tx_failed = 1;
	if (q->tx_depth == 0 || --q->tx_depth > 0)
		return failed ? LF_ESTORE : LF_OK;
	if (q->tx_failed) {
		sq_step_done(q, sq_stmt(q, SQL_ROLLBACK), "rollback");
		return LF_ESTORE;
	}
	int result = sq_step_done(q, sq_stmt(q, SQL_COMMIT), "commit");
	if (result)
		sq_step_done(q, sq_stmt(q, SQL_ROLLBACK), "rollback");
	return result;
}

static int sq_store_begin(struct store *s)
{
	return sq_begin(sq_of(s));
}

static int sq_store_end(struct store *s, int failed)
{
	return sq_end(sq_of(s), failed);
}

static void sq_close(struct store *s)
{
	struct sq *q = sq_of(s);
	for (int i = 0; i < SQ_STMT_CACHE; i++)
		sqlite3_finalize(q->st[i]);
	sqlite3_close(q->db);
	lf_free(q);
}

static int sq_schema_version(struct store *s)
{
	return sq_of(s)->version;
}

static const struct store_ops lf__sqlite_ops = {
	.name = "sqlite",
	.close = sq_close,
	.record_inform = sq_record_inform,
	.device_get = sq_device_get,
	.device_list = sq_device_list,
	.param_list = sq_param_list,
	.schema_version = sq_schema_version,
	.task_add = sq_task_add,
	.task_next = sq_task_next,
	.task_get = sq_task_get,
	.task_set_status = sq_task_set_status,
	.task_list = sq_task_list,
	.task_fail_sent = sq_task_fail_sent,
	.task_transfer_complete = sq_task_transfer_complete,
	.credentials_set = sq_credentials_set,
	.credentials_get = sq_credentials_get,
	.block_set = sq_block_set,
	.block_get = sq_block_get,
	.conn_request_record = sq_conn_request_record,
	.cwmp_user_set = sq_cwmp_user_set,
	.cwmp_user_get = sq_cwmp_user_get,
	.file_add = sq_file_add,
	.file_get = sq_file_get,
	.file_list = sq_file_list,
	.begin = sq_store_begin,
	.end = sq_store_end,
	.alarm_record = sq_alarm_record,
	.alarm_get = sq_alarm_get,
	.alarm_list = sq_alarm_list,
	.alarm_set_case = sq_alarm_set_case,
	.case_insert = sq_case_insert,
	.case_get = sq_case_get,
	.case_open_of = sq_case_open_of,
	.case_update = sq_case_update,
	.case_list = sq_case_list,
	.case_due = sq_case_due,
	.case_event_add = sq_case_event_add,
	.case_events = sq_case_events,
	.outbox_add = sq_outbox_add,
	.alarm_query = sq_alarm_query,
	.alarm_record_of = sq_alarm_record_of,
	.alarm_ack = sq_alarm_ack,
	.alarm_clear = sq_alarm_clear,
	.subscription_add = sq_subscription_add,
	.subscription_get = sq_subscription_get,
	.subscription_list = sq_subscription_list,
	.subscription_delete = sq_subscription_delete,
	.subscription_set_url = sq_subscription_set_url,
	.subscription_advance = sq_subscription_advance,
	.subscription_failed = sq_subscription_failed,
	.outbox_after = sq_outbox_after,
	.outbox_add_target = sq_outbox_add_target,
	.outbox_last_id = sq_outbox_last_id,
	.outbox_pending = sq_outbox_pending,
	.measure_add = sq_measure_add,
	.measure_get = sq_measure_get,
	.measure_update = sq_measure_update,
	.measure_list = sq_measure_list,
	.distress_device_put = sq_distress_device_put,
	.distress_device_get = sq_distress_device_get,
	.distress_unprovisioned = sq_distress_unprovisioned,
	.distress_action_add = sq_distress_action_add,
	.distress_action_next = sq_distress_action_next,
	.distress_action_get = sq_distress_action_get,
	.distress_action_update = sq_distress_action_update,
	.distress_action_list = sq_distress_action_list,
	.distress_action_pending = sq_distress_action_pending,
};

static int lf__exec(struct sq *q, const char *sql, char *err, size_t errlen)
{
	char *msg = NULL;
	if (sqlite3_exec(q->db, sql, NULL, NULL, &msg) != SQLITE_OK) {
		snprintf(err, errlen, "%s", msg ? msg : sqlite3_errmsg(q->db));
		sqlite3_free(msg);
		return LF_ESTORE;
	}
	return LF_OK;
}

static int lf__user_version(struct sq *q)
{
	sqlite3_stmt *st = NULL;
	int v = -1;
	if (sqlite3_prepare_v2(q->db, "PRAGMA user_version", -1, &st, NULL) == SQLITE_OK &&
	    sqlite3_step(st) == SQLITE_ROW)
		v = sqlite3_column_int(st, 0);
	sqlite3_finalize(st);
	return v;
}

/* Bring the schema up to LF_SCHEMA_VERSION, one transaction for all steps. */
static int lf__migrate(struct sq *q, const char *path, char *err, size_t errlen)
{
	char why[512];
	int v = lf__user_version(q);
	if (v < 0) {
		snprintf(err, errlen, "store %s: cannot read schema version: %s", path, sqlite3_errmsg(q->db));
		return LF_ESTORE;
	}
	if (v > LF_SCHEMA_VERSION) {
		snprintf(err, errlen, "store %s: schema version %d is newer than this hemsd (%d)", path, v,
			 LF_SCHEMA_VERSION);
		return LF_EUNSUPPORTED;
	}
	if (v == LF_SCHEMA_VERSION) {
		q->version = v;
		return LF_OK;
	}
	if (lf__exec(q, "BEGIN IMMEDIATE", why, sizeof(why)))
		goto fail;
	for (int i = v; i < LF_SCHEMA_VERSION; i++)
		if (lf__exec(q, lf__migrations[i], why, sizeof(why))) {
			lf__exec(q, "ROLLBACK", why + strlen(why), 0);
			goto fail;
		}
	char sql[64];
	snprintf(sql, sizeof(sql), "PRAGMA user_version = %d", LF_SCHEMA_VERSION);
	if (lf__exec(q, sql, why, sizeof(why)) || lf__exec(q, "COMMIT", why, sizeof(why))) {
		lf__exec(q, "ROLLBACK", why + strlen(why), 0);
		goto fail;
	}
	lf_info("store_migrated", "backend=sqlite path=%s from=%d to=%d", path, v, LF_SCHEMA_VERSION);
	q->version = LF_SCHEMA_VERSION;
	return LF_OK;
fail:
	snprintf(err, errlen, "store %s: migration to version %d failed: %s", path, LF_SCHEMA_VERSION, why);
	return LF_ESTORE;
}

int store__sqlite_open(const char *path, struct store **out, char *err, size_t errlen)
{
	struct sq *q = lf_calloc(1, sizeof(*q));
	char why[512];
	int result = LF_ESTORE;
	q->base.ops = &lf__sqlite_ops;
	/* No allocation statistics (nothing reads sqlite3_memory_used): they take a global mutex on every
	 * sqlite3_malloc. Only possible before SQLite initialises, so later opens get SQLITE_MISUSE: ignored. */
	(void)sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
	/* NOMUTEX: a store handle is used by one thread only (hemsd's loop owns it; the enforcement worker
	 * never touches the store), so SQLite's per-call connection mutex is pure cost on every statement. */
	if (sqlite3_open_v2(path, &q->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX,
			    NULL) != SQLITE_OK) {
		snprintf(err, errlen, "store %s: cannot open: %s", path, q->db ? sqlite3_errmsg(q->db) : "no memory");
		goto out;
	}
	sqlite3_busy_timeout(q->db, 5000);
	/* WAL: readers never block the writer; synchronous=NORMAL is durable across process crashes, and
	 * loses at most the last transactions on power loss, never corrupts. */
	if (lf__exec(q, "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;", why,
		     sizeof(why))) {
		snprintf(err, errlen, "store %s: cannot configure: %s", path, why);
		goto out;
	}
	result = lf__migrate(q, path, err, errlen);
	if (result)
		goto out;
	*out = &q->base;
	return LF_OK;
out:
	sq_close(&q->base);
	return result;
}
