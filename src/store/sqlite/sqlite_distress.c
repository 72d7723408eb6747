/* sqlite_distress.c: SQLite back end: distress channel keys per device and the distress action queue. */
#include "store/sqlite/sqlite_distress.h"

#include <sqlite3.h>
#include <stdio.h>
#include <string.h>

#include "common/alloc.h"
#include "common/err.h"
#include "store/sqlite/sqlite_internal.h"

#define LF__DEV_COLS                                                                                                   \
	"device_id, psk, trigger_key, trigger_addr, last_remote, provisioned, last_session,"                           \
	" last_trigger, sessions"
#define LF__ACT_COLS                                                                                                   \
	"id, device_id, case_id, kind, args, result, status, deliveries, session, note, created,"                      \
	" sent, completed"

static const char SQL_DEV_PUT[] =
    "INSERT OR REPLACE INTO distress_devices (" LF__DEV_COLS ") VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)";
static const char SQL_DEV_GET[] = "SELECT " LF__DEV_COLS " FROM distress_devices WHERE device_id = ?1";
static const char SQL_UNPROVISIONED[] =
    "SELECT d.device_id FROM devices d WHERE d.first_seen >= ?2 AND NOT EXISTS (SELECT 1 FROM distress_devices x"
    " WHERE x.device_id = d.device_id) AND NOT EXISTS (SELECT 1 FROM device_blocks b"
    " WHERE b.device_id = d.device_id) ORDER BY d.first_seen, d.device_id LIMIT ?1";
static const char SQL_ACT_ADD[] =
    "INSERT INTO distress_actions (device_id, case_id, kind, args, created) VALUES (?1, ?2, ?3, ?4, ?5)";
static const char SQL_ACT_NEXT[] = "SELECT " LF__ACT_COLS " FROM distress_actions WHERE device_id = ?1"
                                   " AND status IN (0, 1) ORDER BY id LIMIT 1";
static const char SQL_ACT_GET[] = "SELECT " LF__ACT_COLS " FROM distress_actions WHERE id = ?1";
static const char SQL_ACT_UPDATE[] =
    "UPDATE distress_actions SET status = ?2, result = coalesce(?3, result), note = ?4, deliveries = ?5,"
    " session = ?6, sent = ?7, completed = ?8 WHERE id = ?1";
static const char SQL_ACT_LIST[] = "SELECT " LF__ACT_COLS " FROM distress_actions WHERE (?1 IS NULL OR device_id = ?1)"
                                   " AND (?2 < 0 OR status = ?2) ORDER BY id DESC LIMIT ?3";
static const char SQL_ACT_PENDING[] = "SELECT count(*) FROM distress_actions WHERE device_id = ?1 AND status IN (0, 1)";

static void lf__row_dev(sqlite3_stmt *st, void *out)
{
	struct store_distress_device *d = out;
	memset(d, 0, sizeof(*d));
	sq_col_copy(st, 0, d->device_id, sizeof(d->device_id));
	sq_col_copy(st, 1, d->psk, sizeof(d->psk));
	sq_col_copy(st, 2, d->trigger_key, sizeof(d->trigger_key));
	sq_col_copy(st, 3, d->trigger_addr, sizeof(d->trigger_addr));
	sq_col_copy(st, 4, d->last_remote, sizeof(d->last_remote));
	d->provisioned = sqlite3_column_int64(st, 5);
	d->last_session = sqlite3_column_int64(st, 6);
	d->last_trigger = sqlite3_column_int64(st, 7);
	d->sessions = sqlite3_column_int64(st, 8);
}

static void lf__row_act(sqlite3_stmt *st, void *out)
{
	struct store_distress_action *a = out;
	memset(a, 0, sizeof(*a));
	a->id = sqlite3_column_int64(st, 0);
	sq_col_copy(st, 1, a->device_id, sizeof(a->device_id));
	a->case_id = sqlite3_column_int64(st, 2);
	sq_col_copy(st, 3, a->kind, sizeof(a->kind));
	a->args = sq_col_dup(st, 4);
	a->result = sq_col_dup(st, 5);
	a->status = sqlite3_column_int(st, 6);
	a->deliveries = sqlite3_column_int(st, 7);
	a->session = sqlite3_column_int64(st, 8);
	sq_col_copy(st, 9, a->note, sizeof(a->note));
	a->created = sqlite3_column_int64(st, 10);
	a->sent = sqlite3_column_int64(st, 11);
	a->completed = sqlite3_column_int64(st, 12);
}

int sq_distress_device_put(struct store *s, const struct store_distress_device *d)
{
	struct sq *q = sq_of(s);
	sqlite3_stmt *st = sq_stmt(q, SQL_DEV_PUT);
	sq_bind_text(st, 1, d->device_id);
	sq_bind_text(st, 2, d->psk);
	sq_bind_text(st, 3, d->trigger_key);
	sq_bind_text(st, 4, d->trigger_addr);
	sq_bind_text(st, 5, d->last_remote);
	if (st) {
		sqlite3_bind_int64(st, 6, d->provisioned);
		sqlite3_bind_int64(st, 7, d->last_session);
		sqlite3_bind_int64(st, 8, d->last_trigger);
		sqlite3_bind_int64(st, 9, d->sessions);
	}
	return sq_step_done(q, st, "distress_device_put");
}

int sq_distress_device_get(struct store *s, const char *device_id, struct store_distress_device *out)
{
	struct sq *q = sq_of(s);
	sqlite3_stmt *st = sq_stmt(q, SQL_DEV_GET);
	sq_bind_text(st, 1, device_id);
	return sq_one_row(q, st, "distress_device_get", lf__row_dev, out);
}

int sq_distress_unprovisioned(struct store *s, int64_t since, char (*ids)[STORE_MAX_ID], size_t max, size_t *n)
{
	struct sq *q = sq_of(s);
	sqlite3_stmt *st = sq_stmt(q, SQL_UNPROVISIONED);
	int rc;
	*n = 0;
	if (!st)
		return LF_ESTORE;
	sqlite3_bind_int64(st, 1, (sqlite3_int64)max);
	sqlite3_bind_int64(st, 2, since);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW && *n < max)
		sq_col_copy(st, 0, ids[(*n)++], STORE_MAX_ID);
	int result = (rc == SQLITE_ROW || rc == SQLITE_DONE) ? LF_OK : sq_fail(q, "distress_unprovisioned");
	sqlite3_reset(st);
	sqlite3_clear_bindings(st);
	return result;
}

int sq_distress_action_add(struct store *s, const char *device_id, int64_t case_id, const char *kind,
                           const char *args_json, int64_t now, int64_t *id)
{
	struct sq *q = sq_of(s);
	sqlite3_stmt *st = sq_stmt(q, SQL_ACT_ADD);
	sq_bind_text(st, 1, device_id);
	sq_bind_text(st, 3, kind);
	sq_bind_text(st, 4, args_json ? args_json : "{}");
	if (st) {
		sqlite3_bind_int64(st, 2, case_id);
		sqlite3_bind_int64(st, 5, now);
	}
	int result = sq_step_done(q, st, "distress_action_add");
	if (!result && id)
		*id = sqlite3_last_insert_rowid(q->db);
	return result;
}

int sq_distress_action_next(struct store *s, const char *device_id, struct store_distress_action *out)
{
	struct sq *q = sq_of(s);
	sqlite3_stmt *st = sq_stmt(q, SQL_ACT_NEXT);
	sq_bind_text(st, 1, device_id);
	return sq_one_row(q, st, "distress_action_next", lf__row_act, out);
}

int sq_distress_action_get(struct store *s, int64_t id, struct store_distress_action *out)
{
	struct sq *q = sq_of(s);
	sqlite3_stmt *st = sq_stmt(q, SQL_ACT_GET);
	if (st)
		sqlite3_bind_int64(st, 1, id);
	return sq_one_row(q, st, "distress_action_get", lf__row_act, out);
}

int sq_distress_action_update(struct store *s, const struct store_distress_action *a)
{
	struct sq *q = sq_of(s);
	sqlite3_stmt *st = sq_stmt(q, SQL_ACT_UPDATE);
	sq_bind_text(st, 3, a->result);
	sq_bind_text(st, 4, a->note);
	if (st) {
		sqlite3_bind_int64(st, 1, a->id);
		sqlite3_bind_int(st, 2, a->status);
		sqlite3_bind_int(st, 5, a->deliveries);
		sqlite3_bind_int64(st, 6, a->session);
		sqlite3_bind_int64(st, 7, a->sent);
		sqlite3_bind_int64(st, 8, a->completed);
	}
	int result = sq_step_done(q, st, "distress_action_update");
	if (!result && sqlite3_changes(q->db) == 0)
		result = LF_ENOTFOUND;
	return result;
}

int sq_distress_action_list(struct store *s, const char *device_id, int status, int limit,
                            int (*cb)(void *ctx, const struct store_distress_action *a), void *ctx)
{
	struct sq *q = sq_of(s);
	sqlite3_stmt *st = sq_stmt(q, SQL_ACT_LIST);
	struct store_distress_action a;
	int result = LF_OK;
	int rc;
	if (!st)
		return LF_ESTORE;
	sq_bind_text(st, 1, device_id);
	sqlite3_bind_int(st, 2, status);
	sqlite3_bind_int(st, 3, limit);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		lf__row_act(st, &a);
		result = cb(ctx, &a);
		store_distress_action_clear(&a);
		if (result)
			break;
	}
	if (!result && rc != SQLITE_ROW && rc != SQLITE_DONE)
		result = sq_fail(q, "distress_action_list");
	sqlite3_reset(st);
	sqlite3_clear_bindings(st);
	return result;
}

int sq_distress_action_pending(struct store *s, const char *device_id, int64_t *count)
{
	struct sq *q = sq_of(s);
	sqlite3_stmt *st = sq_stmt(q, SQL_ACT_PENDING);
	int result;
	*count = 0;
	if (!st)
		return LF_ESTORE;
	sq_bind_text(st, 1, device_id);
	if (sqlite3_step(st) == SQLITE_ROW) {
		*count = sqlite3_column_int64(st, 0);
		result = LF_OK;
	} else {
		result = sq_fail(q, "distress_action_pending");
	}
	sqlite3_reset(st);
	sqlite3_clear_bindings(st);
	return result;
}
