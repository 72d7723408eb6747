/* sqlite_tasks: SQLite back end: the per-device task queue. */
#include <sqlite3.h>
#include <stdio.h>
#include <string.h>

#include "common/alloc.h"
#include "common/err.h"
#include "store/sqlite/sqlite_internal.h"

#define LF__TASK_COLS "id, device_id, method, args, status, result, note, created, sent, completed"

static const char SQL_TASK_ADD[] =
	"INSERT INTO tasks (device_id, method, args, created) VALUES (?1, ?2, ?3, ?4)";
static const char SQL_TASK_NEXT[] =
	"SELECT " LF__TASK_COLS " FROM tasks WHERE device_id = ?1 AND status = 0 ORDER BY id LIMIT 1";
static const char SQL_TASK_GET[] = "SELECT " LF__TASK_COLS " FROM tasks WHERE id = ?1";
static const char SQL_TASK_SET[] =
	"UPDATE tasks SET status = ?2, result = coalesce(?3, result), note = coalesce(?4, note),"
				" sent = CASE WHEN ?2 = 1 THEN ?5 ELSE sent END,"
				" completed = CASE WHEN ?2 >= 2 THEN ?5 ELSE completed END WHERE id = ?1";
static const char SQL_TASK_LIST_DEV[] =
	"SELECT " LF__TASK_COLS " FROM tasks WHERE device_id = ?1 ORDER BY id DESC LIMIT ?2";
static const char SQL_TASK_LIST_ALL[] =
	"SELECT " LF__TASK_COLS " FROM tasks ORDER BY id DESC LIMIT ?2";
static const char SQL_TASK_FAIL_SENT[] =
	"UPDATE tasks SET status = 4, note = ?1, completed = ?2 WHERE status = 1";
static const char SQL_TASK_TC[] =
	"UPDATE tasks SET result = json_set(coalesce(result, '{}'), '$.transferComplete', json(?3))"
			       " WHERE id = (SELECT id FROM tasks WHERE device_id = ?1 AND method = 'Download'"
			       " AND json_extract(args, '$.commandKey') = ?2 ORDER BY id DESC LIMIT 1)";

static void lf__row_task(sqlite3_stmt *st, struct store_task *t)
{
	memset(t, 0, sizeof(*t));
	t->id = sqlite3_column_int64(st, 0);
	sq_col_copy(st, 1, t->device_id, sizeof(t->device_id));
	sq_col_copy(st, 2, t->method, sizeof(t->method));
	t->args = sq_col_dup(st, 3);
	t->status = sqlite3_column_int(st, 4);
	t->result = sq_col_dup(st, 5);
	sq_col_copy(st, 6, t->note, sizeof(t->note));
	t->created = sqlite3_column_int64(st, 7);
	t->sent = sqlite3_column_int64(st, 8);
	t->completed = sqlite3_column_int64(st, 9);
}

static void lf__row_task_v(sqlite3_stmt *st, void *out)
{
	lf__row_task(st, out);
}

int sq_task_add(struct store *s, const char *device_id, const char *method, const char *args_json,
			       int64_t now, int64_t *id)
{
	struct sq *q = sq_of(s);
	sqlite3_stmt *st = sq_stmt(q, SQL_TASK_ADD);
	sq_bind_text(st, 1, device_id);
	sq_bind_text(st, 2, method);
	sq_bind_text(st, 3, args_json);
	sqlite3_bind_int64(st, 4, now);
	int result = sq_step_done(q, st, "task_add");
	if (!result)
		*id = sqlite3_last_insert_rowid(q->db);
	return result;
}

int sq_task_next(struct store *s, const char *device_id, struct store_task *out)
{
	struct sq *q = sq_of(s);
	sqlite3_stmt *st = sq_stmt(q, SQL_TASK_NEXT);
	sq_bind_text(st, 1, device_id);
	return sq_one_row(q, st, "task_next", lf__row_task_v, out);
}

int sq_task_get(struct store *s, int64_t id, struct store_task *out)
{
	struct sq *q = sq_of(s);
	sqlite3_stmt *st = sq_stmt(q, SQL_TASK_GET);
	sqlite3_bind_int64(st, 1, id);
	return sq_one_row(q, st, "task_get", lf__row_task_v, out);
}

int sq_task_set_status(struct store *s, int64_t id, int status, const char *result_json,
				      const char *note, int64_t now)
{
	struct sq *q = sq_of(s);
	sqlite3_stmt *st = sq_stmt(q, SQL_TASK_SET);
	sqlite3_bind_int64(st, 1, id);
	sqlite3_bind_int(st, 2, status);
	sq_bind_text(st, 3, result_json);
	sq_bind_text(st, 4, note);
	sqlite3_bind_int64(st, 5, now);
	return sq_step_done(q, st, "task_set_status");
}

int sq_task_list(struct store *s, const char *device_id, int limit,
				int (*cb)(void *ctx, const struct store_task *t), void *ctx)
{
	struct sq *q = sq_of(s);
	sqlite3_stmt *st = sq_stmt(q, device_id ? SQL_TASK_LIST_DEV : SQL_TASK_LIST_ALL);
	if (device_id)
		sq_bind_text(st, 1, device_id);
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
		result = sq_fail(q, "task_list");
	sqlite3_reset(st);
	sqlite3_clear_bindings(st);
	return result;
}

int sq_task_fail_sent(struct store *s, const char *note, int64_t now, int *count)
{
	struct sq *q = sq_of(s);
	sqlite3_stmt *st = sq_stmt(q, SQL_TASK_FAIL_SENT);
	sq_bind_text(st, 1, note);
	sqlite3_bind_int64(st, 2, now);
	int result = sq_step_done(q, st, "task_fail_sent");
	*count = result ? 0 : sqlite3_changes(q->db);
	return result;
}

int sq_task_transfer_complete(struct store *s, const char *device_id, const char *command_key,
					     const char *tc_json)
{
	struct sq *q = sq_of(s);
	sqlite3_stmt *st = sq_stmt(q, SQL_TASK_TC);
	sq_bind_text(st, 1, device_id);
	sq_bind_text(st, 2, command_key);
	sq_bind_text(st, 3, tc_json);
	int result = sq_step_done(q, st, "task_transfer_complete");
	if (!result && sqlite3_changes(q->db) == 0)
		result = LF_ENOTFOUND;
	return result;
}
