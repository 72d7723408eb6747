/* store_sqlite.c: the embedded SQLite back end of the store (WAL, versioned migrations, prepared statements). */
#include <sqlite3.h>
#include <stdio.h>
#include <string.h>

#include "common/alloc.h"
#include "common/err.h"
#include "common/log.h"
#include "store/store_impl.h"

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
};
#define LF_SCHEMA_VERSION ((int)(sizeof(lf__migrations) / sizeof(lf__migrations[0])))

enum lf__stmt {
	ST_DEVICE_UPSERT,
	ST_PARAM_UPSERT,
	ST_DEVICE_GET,
	ST_DEVICE_LIST,
	ST_PARAM_LIST,
	ST_TASK_ADD,
	ST_TASK_NEXT,
	ST_TASK_GET,
	ST_TASK_SET,
	ST_TASK_LIST_DEV,
	ST_TASK_LIST_ALL,
	ST_TASK_FAIL_SENT,
	ST_TASK_TC,
	ST_CRED_SET,
	ST_CRED_GET,
	ST_BLOCK_ADD,
	ST_BLOCK_DEL,
	ST_BLOCK_GET,
	ST_CR_RECORD,
	ST_USER_SET,
	ST_USER_GET,
	ST_FILE_ADD,
	ST_FILE_GET,
	ST_FILE_LIST,
	ST_BEGIN,
	ST_COMMIT,
	ST_ROLLBACK,
	ST__COUNT
};

#define LF__DEVICE_COLS                                                                                        \
	"device_id, manufacturer, oui, product_class, serial_number, software_version, hardware_version, "    \
	"conn_req_url, last_events, remote_addr, first_seen, last_inform, informs, "                           \
	"EXISTS (SELECT 1 FROM device_blocks b WHERE b.device_id = devices.device_id), last_cr, last_cr_time"

static const char *const lf__sql[ST__COUNT] = {
	[ST_DEVICE_UPSERT] =
		"INSERT INTO devices (device_id, manufacturer, oui, product_class, serial_number, software_version,"
		" hardware_version, conn_req_url, last_events, remote_addr, first_seen, last_inform, informs)"
		" VALUES (?1, ?2, ?3, ?4, ?5, coalesce(?6, ''), coalesce(?7, ''), coalesce(?8, ''), ?9, ?10, ?11, ?11, 1)"
		" ON CONFLICT (device_id) DO UPDATE SET manufacturer = ?2, software_version = coalesce(?6, software_version),"
		" hardware_version = coalesce(?7, hardware_version), conn_req_url = coalesce(?8, conn_req_url),"
		" last_events = ?9, remote_addr = ?10, last_inform = ?11, informs = informs + 1",
	[ST_PARAM_UPSERT] = "INSERT INTO device_params (device_id, name, value, type, updated) VALUES (?1, ?2, ?3, ?4, ?5)"
			    " ON CONFLICT (device_id, name) DO UPDATE SET value = ?3, type = ?4, updated = ?5",
	[ST_DEVICE_GET] = "SELECT " LF__DEVICE_COLS " FROM devices WHERE device_id = ?1",
	[ST_DEVICE_LIST] = "SELECT " LF__DEVICE_COLS " FROM devices ORDER BY device_id",
	[ST_PARAM_LIST] = "SELECT name, value, type, updated FROM device_params"
			  " WHERE device_id = ?1 AND substr(name, 1, length(?2)) = ?2 ORDER BY name",
#define LF__TASK_COLS "id, device_id, method, args, status, result, note, created, sent, completed"
	[ST_TASK_ADD] = "INSERT INTO tasks (device_id, method, args, created) VALUES (?1, ?2, ?3, ?4)",
	[ST_TASK_NEXT] = "SELECT " LF__TASK_COLS " FROM tasks WHERE device_id = ?1 AND status = 0 ORDER BY id LIMIT 1",
	[ST_TASK_GET] = "SELECT " LF__TASK_COLS " FROM tasks WHERE id = ?1",
	[ST_TASK_SET] = "UPDATE tasks SET status = ?2, result = coalesce(?3, result), note = coalesce(?4, note),"
			" sent = CASE WHEN ?2 = 1 THEN ?5 ELSE sent END,"
			" completed = CASE WHEN ?2 >= 2 THEN ?5 ELSE completed END WHERE id = ?1",
	[ST_TASK_LIST_DEV] = "SELECT " LF__TASK_COLS " FROM tasks WHERE device_id = ?1 ORDER BY id DESC LIMIT ?2",
	[ST_TASK_LIST_ALL] = "SELECT " LF__TASK_COLS " FROM tasks ORDER BY id DESC LIMIT ?2",
	[ST_TASK_FAIL_SENT] = "UPDATE tasks SET status = 4, note = ?1, completed = ?2 WHERE status = 1",
	[ST_TASK_TC] = "UPDATE tasks SET result = json_set(coalesce(result, '{}'), '$.transferComplete', json(?3))"
		       " WHERE id = (SELECT id FROM tasks WHERE device_id = ?1 AND method = 'Download'"
		       " AND json_extract(args, '$.commandKey') = ?2 ORDER BY id DESC LIMIT 1)",
	[ST_CRED_SET] = "INSERT INTO device_credentials (device_id, cr_username, cr_password) VALUES (?1, ?2, ?3)"
			" ON CONFLICT (device_id) DO UPDATE SET cr_username = ?2, cr_password = ?3",
	[ST_CRED_GET] = "SELECT cr_username, cr_password FROM device_credentials WHERE device_id = ?1",
	[ST_BLOCK_ADD] = "INSERT INTO device_blocks (device_id, reason, since) VALUES (?1, ?2, ?3)"
			 " ON CONFLICT (device_id) DO UPDATE SET reason = ?2",
	[ST_BLOCK_DEL] = "DELETE FROM device_blocks WHERE device_id = ?1",
	[ST_BLOCK_GET] = "SELECT reason FROM device_blocks WHERE device_id = ?1",
	[ST_CR_RECORD] = "UPDATE devices SET last_cr = ?2, last_cr_time = ?3 WHERE device_id = ?1",
	[ST_USER_SET] = "INSERT INTO cwmp_users (username, ha1) VALUES (?1, ?2)"
			" ON CONFLICT (username) DO UPDATE SET ha1 = ?2",
	[ST_USER_GET] = "SELECT ha1 FROM cwmp_users WHERE username = ?1",
	[ST_FILE_ADD] = "INSERT INTO files (name, path, size, sha256, product_class, version, created)"
			" VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7) ON CONFLICT (name) DO UPDATE SET path = ?2, size = ?3,"
			" sha256 = ?4, product_class = ?5, version = ?6, created = ?7",
	[ST_FILE_GET] = "SELECT name, path, size, sha256, product_class, version, created FROM files WHERE name = ?1",
	[ST_FILE_LIST] = "SELECT name, path, size, sha256, product_class, version, created FROM files ORDER BY name",
	[ST_BEGIN] = "BEGIN IMMEDIATE",
	[ST_COMMIT] = "COMMIT",
	[ST_ROLLBACK] = "ROLLBACK",
};

struct lf__sqlite {
	struct store base; /* first: the store handle callers hold */
	sqlite3 *db;
	sqlite3_stmt *st[ST__COUNT];
	int version;
};

static struct lf__sqlite *lf__sq(struct store *s)
{
	return (struct lf__sqlite *)s;
}

static int lf__fail(struct lf__sqlite *q, const char *what)
{
	lf_error("store_error", "backend=sqlite op=%s error=\"%s\"", what, sqlite3_errmsg(q->db));
	return LF_ESTORE;
}

/* Run a prepared statement that returns no rows, then reset it. */
static int lf__step_done(struct lf__sqlite *q, sqlite3_stmt *st, const char *what)
{
	int rc = sqlite3_step(st);
	sqlite3_reset(st);
	sqlite3_clear_bindings(st);
	if (rc != SQLITE_DONE)
		return lf__fail(q, what);
	return LF_OK;
}

static void lf__bind_text(sqlite3_stmt *st, int i, const char *v)
{
	if (v)
		sqlite3_bind_text(st, i, v, -1, SQLITE_STATIC);
	else
		sqlite3_bind_null(st, i);
}

static void lf__col_copy(sqlite3_stmt *st, int i, char *out, size_t outlen)
{
	const unsigned char *t = sqlite3_column_text(st, i);
	snprintf(out, outlen, "%s", t ? (const char *)t : "");
}

static void lf__row_device(sqlite3_stmt *st, struct store_device *d)
{
	memset(d, 0, sizeof(*d));
	lf__col_copy(st, 0, d->device_id, sizeof(d->device_id));
	lf__col_copy(st, 1, d->manufacturer, sizeof(d->manufacturer));
	lf__col_copy(st, 2, d->oui, sizeof(d->oui));
	lf__col_copy(st, 3, d->product_class, sizeof(d->product_class));
	lf__col_copy(st, 4, d->serial_number, sizeof(d->serial_number));
	lf__col_copy(st, 5, d->software_version, sizeof(d->software_version));
	lf__col_copy(st, 6, d->hardware_version, sizeof(d->hardware_version));
	lf__col_copy(st, 7, d->conn_req_url, sizeof(d->conn_req_url));
	lf__col_copy(st, 8, d->last_events, sizeof(d->last_events));
	lf__col_copy(st, 9, d->remote_addr, sizeof(d->remote_addr));
	d->first_seen = sqlite3_column_int64(st, 10);
	d->last_inform = sqlite3_column_int64(st, 11);
	d->informs = sqlite3_column_int64(st, 12);
	d->blocked = sqlite3_column_int(st, 13);
	lf__col_copy(st, 14, d->last_cr, sizeof(d->last_cr));
	d->last_cr_time = sqlite3_column_int64(st, 15);
}

static char *lf__col_dup(sqlite3_stmt *st, int i)
{
	const unsigned char *t = sqlite3_column_text(st, i);
	return t ? lf_strdup((const char *)t) : NULL;
}

static void lf__row_task(sqlite3_stmt *st, struct store_task *t)
{
	memset(t, 0, sizeof(*t));
	t->id = sqlite3_column_int64(st, 0);
	lf__col_copy(st, 1, t->device_id, sizeof(t->device_id));
	lf__col_copy(st, 2, t->method, sizeof(t->method));
	t->args = lf__col_dup(st, 3);
	t->status = sqlite3_column_int(st, 4);
	t->result = lf__col_dup(st, 5);
	lf__col_copy(st, 6, t->note, sizeof(t->note));
	t->created = sqlite3_column_int64(st, 7);
	t->sent = sqlite3_column_int64(st, 8);
	t->completed = sqlite3_column_int64(st, 9);
}

static void lf__row_file(sqlite3_stmt *st, struct store_file *f)
{
	memset(f, 0, sizeof(*f));
	lf__col_copy(st, 0, f->name, sizeof(f->name));
	lf__col_copy(st, 1, f->path, sizeof(f->path));
	f->size = sqlite3_column_int64(st, 2);
	lf__col_copy(st, 3, f->sha256, sizeof(f->sha256));
	lf__col_copy(st, 4, f->product_class, sizeof(f->product_class));
	lf__col_copy(st, 5, f->version, sizeof(f->version));
	f->created = sqlite3_column_int64(st, 6);
}

static void lf__row_device_v(sqlite3_stmt *st, void *out)
{
	lf__row_device(st, out);
}

static void lf__row_task_v(sqlite3_stmt *st, void *out)
{
	lf__row_task(st, out);
}

static void lf__row_file_v(sqlite3_stmt *st, void *out)
{
	lf__row_file(st, out);
}

/* Run st (bindings done) expecting at most one row; row() copies it. LF_ENOTFOUND when none. */
static int lf__one_row(struct lf__sqlite *q, sqlite3_stmt *st, const char *what, void (*row)(sqlite3_stmt *, void *),
		       void *out)
{
	int rc = sqlite3_step(st);
	int result = LF_OK;
	if (rc == SQLITE_ROW)
		row(st, out);
	else if (rc == SQLITE_DONE)
		result = LF_ENOTFOUND;
	else
		result = lf__fail(q, what);
	sqlite3_reset(st);
	sqlite3_clear_bindings(st);
	return result;
}

static void lf__sqlite_close(struct store *s)
{
	struct lf__sqlite *q = lf__sq(s);
	for (int i = 0; i < ST__COUNT; i++)
		sqlite3_finalize(q->st[i]);
	sqlite3_close(q->db);
	lf_free(q);
}

static int lf__sqlite_record_inform(struct store *s, const struct store_inform *in)
{
	struct lf__sqlite *q = lf__sq(s);
	int result = lf__step_done(q, q->st[ST_BEGIN], "begin");
	if (result)
		return result;

	sqlite3_stmt *st = q->st[ST_DEVICE_UPSERT];
	lf__bind_text(st, 1, in->device_id);
	lf__bind_text(st, 2, in->manufacturer);
	lf__bind_text(st, 3, in->oui);
	lf__bind_text(st, 4, in->product_class);
	lf__bind_text(st, 5, in->serial_number);
	lf__bind_text(st, 6, in->software_version);
	lf__bind_text(st, 7, in->hardware_version);
	lf__bind_text(st, 8, in->conn_req_url);
	lf__bind_text(st, 9, in->events ? in->events : "");
	lf__bind_text(st, 10, in->remote_addr ? in->remote_addr : "");
	sqlite3_bind_int64(st, 11, in->now);
	result = lf__step_done(q, st, "device_upsert");
	if (result)
		goto out;

	st = q->st[ST_PARAM_UPSERT];
	for (size_t i = 0; i < in->n_params; i++) {
		lf__bind_text(st, 1, in->device_id);
		lf__bind_text(st, 2, in->params[i].name);
		lf__bind_text(st, 3, in->params[i].value ? in->params[i].value : "");
		lf__bind_text(st, 4, in->params[i].type);
		sqlite3_bind_int64(st, 5, in->now);
		result = lf__step_done(q, st, "param_upsert");
		if (result)
			goto out;
	}
	result = lf__step_done(q, q->st[ST_COMMIT], "commit");
out:
	if (result)
		lf__step_done(q, q->st[ST_ROLLBACK], "rollback");
	return result;
}

static int lf__sqlite_device_get(struct store *s, const char *device_id, struct store_device *out)
{
	struct lf__sqlite *q = lf__sq(s);
	sqlite3_stmt *st = q->st[ST_DEVICE_GET];
	lf__bind_text(st, 1, device_id);
	return lf__one_row(q, st, "device_get", lf__row_device_v, out);
}

static int lf__sqlite_device_list(struct store *s, int (*cb)(void *ctx, const struct store_device *d), void *ctx)
{
	struct lf__sqlite *q = lf__sq(s);
	sqlite3_stmt *st = q->st[ST_DEVICE_LIST];
	int result = LF_OK;
	int rc;
	struct store_device d;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		lf__row_device(st, &d);
		result = cb(ctx, &d);
		if (result)
			break;
	}
	if (!result && rc != SQLITE_DONE)
		result = lf__fail(q, "device_list");
	sqlite3_reset(st);
	return result;
}

static int lf__sqlite_param_list(struct store *s, const char *device_id, const char *prefix,
				 int (*cb)(void *ctx, const char *name, const char *value, const char *type,
					   int64_t updated),
				 void *ctx)
{
	struct lf__sqlite *q = lf__sq(s);
	sqlite3_stmt *st = q->st[ST_PARAM_LIST];
	lf__bind_text(st, 1, device_id);
	lf__bind_text(st, 2, prefix ? prefix : "");
	int result = LF_OK;
	int rc;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		result = cb(ctx, (const char *)sqlite3_column_text(st, 0), (const char *)sqlite3_column_text(st, 1),
			    (const char *)sqlite3_column_text(st, 2), sqlite3_column_int64(st, 3));
		if (result)
			break;
	}
	if (!result && rc != SQLITE_DONE)
		result = lf__fail(q, "param_list");
	sqlite3_reset(st);
	sqlite3_clear_bindings(st);
	return result;
}

static int lf__sqlite_schema_version(struct store *s)
{
	return lf__sq(s)->version;
}

static int lf__sqlite_task_add(struct store *s, const char *device_id, const char *method, const char *args_json,
			       int64_t now, int64_t *id)
{
	struct lf__sqlite *q = lf__sq(s);
	sqlite3_stmt *st = q->st[ST_TASK_ADD];
	lf__bind_text(st, 1, device_id);
	lf__bind_text(st, 2, method);
	lf__bind_text(st, 3, args_json);
	sqlite3_bind_int64(st, 4, now);
	int result = lf__step_done(q, st, "task_add");
	if (!result)
		*id = sqlite3_last_insert_rowid(q->db);
	return result;
}

static int lf__sqlite_task_next(struct store *s, const char *device_id, struct store_task *out)
{
	struct lf__sqlite *q = lf__sq(s);
	sqlite3_stmt *st = q->st[ST_TASK_NEXT];
	lf__bind_text(st, 1, device_id);
	return lf__one_row(q, st, "task_next", lf__row_task_v, out);
}

static int lf__sqlite_task_get(struct store *s, int64_t id, struct store_task *out)
{
	struct lf__sqlite *q = lf__sq(s);
	sqlite3_stmt *st = q->st[ST_TASK_GET];
	sqlite3_bind_int64(st, 1, id);
	return lf__one_row(q, st, "task_get", lf__row_task_v, out);
}

static int lf__sqlite_task_set_status(struct store *s, int64_t id, int status, const char *result_json,
				      const char *note, int64_t now)
{
	struct lf__sqlite *q = lf__sq(s);
	sqlite3_stmt *st = q->st[ST_TASK_SET];
	sqlite3_bind_int64(st, 1, id);
	sqlite3_bind_int(st, 2, status);
	lf__bind_text(st, 3, result_json);
	lf__bind_text(st, 4, note);
	sqlite3_bind_int64(st, 5, now);
	return lf__step_done(q, st, "task_set_status");
}

static int lf__sqlite_task_list(struct store *s, const char *device_id, int limit,
				int (*cb)(void *ctx, const struct store_task *t), void *ctx)
{
	struct lf__sqlite *q = lf__sq(s);
	sqlite3_stmt *st = q->st[device_id ? ST_TASK_LIST_DEV : ST_TASK_LIST_ALL];
	if (device_id)
		lf__bind_text(st, 1, device_id);
	sqlite3_bind_int(st, 2, limit);
	int result = LF_OK;
	int rc;
	struct store_task t;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		lf__row_task(st, &t);
		result = cb(ctx, &t);
		store_task_clear(&t);
		if (result)
			break;
	}
	if (!result && rc != SQLITE_DONE)
		result = lf__fail(q, "task_list");
	sqlite3_reset(st);
	sqlite3_clear_bindings(st);
	return result;
}

static int lf__sqlite_task_fail_sent(struct store *s, const char *note, int64_t now, int *count)
{
	struct lf__sqlite *q = lf__sq(s);
	sqlite3_stmt *st = q->st[ST_TASK_FAIL_SENT];
	lf__bind_text(st, 1, note);
	sqlite3_bind_int64(st, 2, now);
	int result = lf__step_done(q, st, "task_fail_sent");
	*count = result ? 0 : sqlite3_changes(q->db);
	return result;
}

static int lf__sqlite_task_transfer_complete(struct store *s, const char *device_id, const char *command_key,
					     const char *tc_json)
{
	struct lf__sqlite *q = lf__sq(s);
	sqlite3_stmt *st = q->st[ST_TASK_TC];
	lf__bind_text(st, 1, device_id);
	lf__bind_text(st, 2, command_key);
	lf__bind_text(st, 3, tc_json);
	int result = lf__step_done(q, st, "task_transfer_complete");
	if (!result && sqlite3_changes(q->db) == 0)
		result = LF_ENOTFOUND;
	return result;
}

static int lf__sqlite_credentials_set(struct store *s, const char *device_id, const struct store_credentials *c)
{
	struct lf__sqlite *q = lf__sq(s);
	sqlite3_stmt *st = q->st[ST_CRED_SET];
	lf__bind_text(st, 1, device_id);
	lf__bind_text(st, 2, c->cr_username);
	lf__bind_text(st, 3, c->cr_password);
	return lf__step_done(q, st, "credentials_set");
}

static void lf__row_cred(sqlite3_stmt *st, void *out)
{
	struct store_credentials *c = out;
	lf__col_copy(st, 0, c->cr_username, sizeof(c->cr_username));
	lf__col_copy(st, 1, c->cr_password, sizeof(c->cr_password));
}

static int lf__sqlite_credentials_get(struct store *s, const char *device_id, struct store_credentials *c)
{
	struct lf__sqlite *q = lf__sq(s);
	sqlite3_stmt *st = q->st[ST_CRED_GET];
	lf__bind_text(st, 1, device_id);
	return lf__one_row(q, st, "credentials_get", lf__row_cred, c);
}

static int lf__sqlite_block_set(struct store *s, const char *device_id, int blocked, const char *reason, int64_t now)
{
	struct lf__sqlite *q = lf__sq(s);
	sqlite3_stmt *st = q->st[blocked ? ST_BLOCK_ADD : ST_BLOCK_DEL];
	lf__bind_text(st, 1, device_id);
	if (blocked) {
		lf__bind_text(st, 2, reason ? reason : "");
		sqlite3_bind_int64(st, 3, now);
	}
	return lf__step_done(q, st, "block_set");
}

struct lf__text_out {
	char *buf;
	size_t len;
};

static void lf__row_text0(sqlite3_stmt *st, void *out)
{
	struct lf__text_out *t = out;
	lf__col_copy(st, 0, t->buf, t->len);
}

static int lf__sqlite_block_get(struct store *s, const char *device_id, int *blocked, char *reason, size_t reasonlen)
{
	struct lf__sqlite *q = lf__sq(s);
	sqlite3_stmt *st = q->st[ST_BLOCK_GET];
	struct lf__text_out t = {reason, reasonlen};
	lf__bind_text(st, 1, device_id);
	int result = lf__one_row(q, st, "block_get", lf__row_text0, &t);
	*blocked = result == LF_OK;
	if (result == LF_ENOTFOUND) {
		if (reasonlen)
			reason[0] = '\0';
		return LF_OK;
	}
	return result;
}

static int lf__sqlite_conn_request_record(struct store *s, const char *device_id, const char *res, int64_t now)
{
	struct lf__sqlite *q = lf__sq(s);
	sqlite3_stmt *st = q->st[ST_CR_RECORD];
	lf__bind_text(st, 1, device_id);
	lf__bind_text(st, 2, res);
	sqlite3_bind_int64(st, 3, now);
	return lf__step_done(q, st, "conn_request_record");
}

static int lf__sqlite_cwmp_user_set(struct store *s, const char *username, const char *ha1_hex)
{
	struct lf__sqlite *q = lf__sq(s);
	sqlite3_stmt *st = q->st[ST_USER_SET];
	lf__bind_text(st, 1, username);
	lf__bind_text(st, 2, ha1_hex);
	return lf__step_done(q, st, "cwmp_user_set");
}

static int lf__sqlite_cwmp_user_get(struct store *s, const char *username, char *ha1_hex, size_t len)
{
	struct lf__sqlite *q = lf__sq(s);
	sqlite3_stmt *st = q->st[ST_USER_GET];
	struct lf__text_out t = {ha1_hex, len};
	lf__bind_text(st, 1, username);
	return lf__one_row(q, st, "cwmp_user_get", lf__row_text0, &t);
}

static int lf__sqlite_file_add(struct store *s, const struct store_file *f)
{
	struct lf__sqlite *q = lf__sq(s);
	sqlite3_stmt *st = q->st[ST_FILE_ADD];
	lf__bind_text(st, 1, f->name);
	lf__bind_text(st, 2, f->path);
	sqlite3_bind_int64(st, 3, f->size);
	lf__bind_text(st, 4, f->sha256);
	lf__bind_text(st, 5, f->product_class);
	lf__bind_text(st, 6, f->version);
	sqlite3_bind_int64(st, 7, f->created);
	return lf__step_done(q, st, "file_add");
}

static int lf__sqlite_file_get(struct store *s, const char *name, struct store_file *f)
{
	struct lf__sqlite *q = lf__sq(s);
	sqlite3_stmt *st = q->st[ST_FILE_GET];
	lf__bind_text(st, 1, name);
	return lf__one_row(q, st, "file_get", lf__row_file_v, f);
}

static int lf__sqlite_file_list(struct store *s, int (*cb)(void *ctx, const struct store_file *f), void *ctx)
{
	struct lf__sqlite *q = lf__sq(s);
	sqlite3_stmt *st = q->st[ST_FILE_LIST];
	int result = LF_OK;
	int rc;
	struct store_file f;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		lf__row_file(st, &f);
		result = cb(ctx, &f);
		if (result)
			break;
	}
	if (!result && rc != SQLITE_DONE)
		result = lf__fail(q, "file_list");
	sqlite3_reset(st);
	return result;
}

static const struct store_ops lf__sqlite_ops = {
	.name = "sqlite",
	.close = lf__sqlite_close,
	.record_inform = lf__sqlite_record_inform,
	.device_get = lf__sqlite_device_get,
	.device_list = lf__sqlite_device_list,
	.param_list = lf__sqlite_param_list,
	.schema_version = lf__sqlite_schema_version,
	.task_add = lf__sqlite_task_add,
	.task_next = lf__sqlite_task_next,
	.task_get = lf__sqlite_task_get,
	.task_set_status = lf__sqlite_task_set_status,
	.task_list = lf__sqlite_task_list,
	.task_fail_sent = lf__sqlite_task_fail_sent,
	.task_transfer_complete = lf__sqlite_task_transfer_complete,
	.credentials_set = lf__sqlite_credentials_set,
	.credentials_get = lf__sqlite_credentials_get,
	.block_set = lf__sqlite_block_set,
	.block_get = lf__sqlite_block_get,
	.conn_request_record = lf__sqlite_conn_request_record,
	.cwmp_user_set = lf__sqlite_cwmp_user_set,
	.cwmp_user_get = lf__sqlite_cwmp_user_get,
	.file_add = lf__sqlite_file_add,
	.file_get = lf__sqlite_file_get,
	.file_list = lf__sqlite_file_list,
};

static int lf__exec(struct lf__sqlite *q, const char *sql, char *err, size_t errlen)
{
	char *msg = NULL;
	if (sqlite3_exec(q->db, sql, NULL, NULL, &msg) != SQLITE_OK) {
		snprintf(err, errlen, "%s", msg ? msg : sqlite3_errmsg(q->db));
		sqlite3_free(msg);
		return LF_ESTORE;
	}
	return LF_OK;
}

static int lf__user_version(struct lf__sqlite *q)
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
static int lf__migrate(struct lf__sqlite *q, const char *path, char *err, size_t errlen)
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
	struct lf__sqlite *q = lf_calloc(1, sizeof(*q));
	char why[512];
	int result = LF_ESTORE;
	q->base.ops = &lf__sqlite_ops;
	if (sqlite3_open_v2(path, &q->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_FULLMUTEX,
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
	for (int i = 0; i < ST__COUNT; i++)
		if (sqlite3_prepare_v2(q->db, lf__sql[i], -1, &q->st[i], NULL) != SQLITE_OK) {
			snprintf(err, errlen, "store %s: cannot prepare statement %d: %s", path, i,
				 sqlite3_errmsg(q->db));
			result = LF_ESTORE;
			goto out;
		}
	*out = &q->base;
	return LF_OK;
out:
	lf__sqlite_close(&q->base);
	return result;
}
