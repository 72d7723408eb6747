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
};
#define LF_SCHEMA_VERSION ((int)(sizeof(lf__migrations) / sizeof(lf__migrations[0])))

enum lf__stmt {
	ST_DEVICE_UPSERT,
	ST_PARAM_UPSERT,
	ST_DEVICE_GET,
	ST_DEVICE_LIST,
	ST_PARAM_LIST,
	ST_BEGIN,
	ST_COMMIT,
	ST_ROLLBACK,
	ST__COUNT
};

#define LF__DEVICE_COLS                                                                                        \
	"device_id, manufacturer, oui, product_class, serial_number, software_version, hardware_version, "    \
	"conn_req_url, last_events, remote_addr, first_seen, last_inform, informs"

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
	int rc = sqlite3_step(st);
	int result = LF_OK;
	if (rc == SQLITE_ROW)
		lf__row_device(st, out);
	else if (rc == SQLITE_DONE)
		result = LF_ENOTFOUND;
	else
		result = lf__fail(q, "device_get");
	sqlite3_reset(st);
	sqlite3_clear_bindings(st);
	return result;
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

static const struct store_ops lf__sqlite_ops = {
	.name = "sqlite",
	.close = lf__sqlite_close,
	.record_inform = lf__sqlite_record_inform,
	.device_get = lf__sqlite_device_get,
	.device_list = lf__sqlite_device_list,
	.param_list = lf__sqlite_param_list,
	.schema_version = lf__sqlite_schema_version,
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
