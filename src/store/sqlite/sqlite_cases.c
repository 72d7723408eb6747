/* sqlite_cases: SQLite back end: security alarms, remediation cases with their timelines, the outbox. */
#include <sqlite3.h>
#include <stdio.h>
#include <string.h>

#include "common/alloc.h"
#include "common/err.h"
#include "store/sqlite/sqlite_internal.h"

#define LF__ALARM_COLS                                                                                         \
	"id, device_id, alarm_identifier, event_time, notification_type, managed_object, event_type, "       \
	"probable_cause, specific_problem, severity, additional_text, additional_info, source, received, "   \
	"case_id, acked, ack_user, ack_time, cleared, clear_user, clear_time"
#define LF__CASE_COLS                                                                                          \
	"id, device_id, state, procedure, rung, step, phase, alarm_id, wait_task, wait_event, deadline, "    \
	"step_started, last_contact, created, updated, closed, outcome, data"

static const char SQL_ALARM_INSERT[] =
	"INSERT INTO alarms (device_id, alarm_identifier, event_time, notification_type, managed_object,"
	" event_type, probable_cause, specific_problem, severity, additional_text, additional_info, source, received)"
	" VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13) ON CONFLICT DO NOTHING";
static const char SQL_ALARM_FIND[] =
	"SELECT id FROM alarms WHERE device_id = ?1 AND alarm_identifier = ?2 AND event_time = ?3"
	" AND notification_type = ?4";
static const char SQL_ALARM_CLEAR_EARLIER[] =
	"UPDATE alarms SET cleared = 1, clear_user = 'device', clear_time = ?3 WHERE device_id = ?1"
	" AND alarm_identifier = ?2 AND cleared = 0";
static const char SQL_ALARM_GET[] = "SELECT " LF__ALARM_COLS " FROM alarms WHERE id = ?1";
static const char SQL_ALARM_LIST_DEV[] =
	"SELECT " LF__ALARM_COLS " FROM alarms WHERE device_id = ?1 ORDER BY id DESC LIMIT ?2";
static const char SQL_ALARM_LIST_ALL[] = "SELECT " LF__ALARM_COLS " FROM alarms ORDER BY id DESC LIMIT ?2";
static const char SQL_ALARM_SET_CASE[] = "UPDATE alarms SET case_id = ?2 WHERE id = ?1";
static const char SQL_CASE_INSERT[] =
	"INSERT INTO cases (device_id, state, procedure, rung, step, phase, alarm_id, wait_task, wait_event,"
	" deadline, step_started, last_contact, created, updated, closed, outcome, data)"
	" VALUES (?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18)";
static const char SQL_CASE_UPDATE[] =
	"UPDATE cases SET device_id = ?2, state = ?3, procedure = ?4, rung = ?5, step = ?6, phase = ?7,"
	" alarm_id = ?8, wait_task = ?9, wait_event = ?10, deadline = ?11, step_started = ?12, last_contact = ?13,"
	" created = ?14, updated = ?15, closed = ?16, outcome = ?17, data = ?18 WHERE id = ?1";
static const char SQL_CASE_GET[] = "SELECT " LF__CASE_COLS " FROM cases WHERE id = ?1";
static const char SQL_CASE_OPEN_OF[] = "SELECT " LF__CASE_COLS " FROM cases WHERE device_id = ?1 AND closed = 0";
static const char SQL_CASE_LIST[] =
	"SELECT " LF__CASE_COLS " FROM cases WHERE (?1 IS NULL OR device_id = ?1) AND (?2 = 0 OR closed = 0)"
	" ORDER BY id DESC LIMIT ?3";
static const char SQL_CASE_DUE[] =
	"SELECT id FROM cases WHERE closed = 0 AND deadline > 0 AND deadline <= ?1 ORDER BY deadline LIMIT ?2";
static const char SQL_CASE_EVENT_ADD[] =
	"INSERT INTO case_events (case_id, time, from_state, to_state, why, task_id, actor)"
	" VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)";
static const char SQL_CASE_EVENTS[] =
	"SELECT id, case_id, time, from_state, to_state, why, task_id, actor FROM case_events WHERE case_id = ?1"
	" ORDER BY id";
static const char SQL_OUTBOX_ADD[] =
	"INSERT INTO outbox (created, type, device_id, case_id, body) VALUES (?1, ?2, ?3, ?4, ?5)";

void sq_row_alarm(sqlite3_stmt *st, struct store_alarm *a)
{
	memset(a, 0, sizeof(*a));
	a->id = sqlite3_column_int64(st, 0);
	sq_col_copy(st, 1, a->device_id, sizeof(a->device_id));
	sq_col_copy(st, 2, a->alarm_identifier, sizeof(a->alarm_identifier));
	sq_col_copy(st, 3, a->event_time, sizeof(a->event_time));
	sq_col_copy(st, 4, a->notification_type, sizeof(a->notification_type));
	sq_col_copy(st, 5, a->managed_object, sizeof(a->managed_object));
	sq_col_copy(st, 6, a->event_type, sizeof(a->event_type));
	sq_col_copy(st, 7, a->probable_cause, sizeof(a->probable_cause));
	sq_col_copy(st, 8, a->specific_problem, sizeof(a->specific_problem));
	sq_col_copy(st, 9, a->severity, sizeof(a->severity));
	sq_col_copy(st, 10, a->additional_text, sizeof(a->additional_text));
	sq_col_copy(st, 11, a->additional_info, sizeof(a->additional_info));
	sq_col_copy(st, 12, a->source, sizeof(a->source));
	a->received = sqlite3_column_int64(st, 13);
	a->case_id = sqlite3_column_int64(st, 14);
	a->acked = sqlite3_column_int(st, 15);
	sq_col_copy(st, 16, a->ack_user, sizeof(a->ack_user));
	a->ack_time = sqlite3_column_int64(st, 17);
	a->cleared = sqlite3_column_int(st, 18);
	sq_col_copy(st, 19, a->clear_user, sizeof(a->clear_user));
	a->clear_time = sqlite3_column_int64(st, 20);
}

static void lf__row_alarm(sqlite3_stmt *st, void *out)
{
	sq_row_alarm(st, out);
}

static void lf__row_id(sqlite3_stmt *st, void *out)
{
	*(int64_t *)out = sqlite3_column_int64(st, 0);
}

int sq_alarm_record(struct store *s, struct store_alarm *a, int *is_new)
{
	struct sq *q = sq_of(s);
	int result = sq_begin(q);
	if (result)
		return result;
	sqlite3_stmt *st = sq_stmt(q, SQL_ALARM_INSERT);
	const char *v[] = {a->device_id,      a->alarm_identifier, a->event_time,	  a->notification_type,
			   a->managed_object, a->event_type,	   a->probable_cause,	  a->specific_problem,
			   a->severity,	      a->additional_text,  a->additional_info, a->source};
	for (int i = 0; i < 12; i++)
		sq_bind_text(st, i + 1, v[i]);
	if (st)
		sqlite3_bind_int64(st, 13, a->received);
	result = sq_step_done(q, st, "alarm_insert");
	*is_new = !result && sqlite3_changes(q->db) > 0;
	if (!result) {
		st = sq_stmt(q, SQL_ALARM_FIND);
		for (int i = 0; i < 4; i++)
			sq_bind_text(st, i + 1, v[i]);
		result = sq_one_row(q, st, "alarm_find", lf__row_id, &a->id);
	}
	if (!result && *is_new && strcmp(a->notification_type, "ClearedAlarm") == 0) {
		st = sq_stmt(q, SQL_ALARM_CLEAR_EARLIER);
		sq_bind_text(st, 1, a->device_id);
		sq_bind_text(st, 2, a->alarm_identifier);
		if (st)
			sqlite3_bind_int64(st, 3, a->received);
		result = sq_step_done(q, st, "alarm_clear_earlier");
	}
	return sq_end(q, result != LF_OK) ? (result ? result : LF_ESTORE) : result;
}

int sq_alarm_get(struct store *s, int64_t id, struct store_alarm *out)
{
	struct sq *q = sq_of(s);
	sqlite3_stmt *st = sq_stmt(q, SQL_ALARM_GET);
	if (st)
		sqlite3_bind_int64(st, 1, id);
	return sq_one_row(q, st, "alarm_get", lf__row_alarm, out);
}

int sq_alarm_list(struct store *s, const char *device_id, int limit, int (*cb)(void *ctx, const struct store_alarm *a),
		  void *ctx)
{
	struct sq *q = sq_of(s);
	sqlite3_stmt *st = sq_stmt(q, device_id ? SQL_ALARM_LIST_DEV : SQL_ALARM_LIST_ALL);
	if (!st)
		return LF_ESTORE;
	if (device_id)
		sq_bind_text(st, 1, device_id);
	sqlite3_bind_int(st, 2, limit);
	struct store_alarm a;
	int result = LF_OK, rc;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		lf__row_alarm(st, &a);
		result = cb(ctx, &a);
		if (result)
			break;
	}
	if (!result && rc != SQLITE_DONE)
		result = sq_fail(q, "alarm_list");
	sqlite3_reset(st);
	sqlite3_clear_bindings(st);
	return result;
}

int sq_alarm_set_case(struct store *s, int64_t alarm_id, int64_t case_id)
{
	struct sq *q = sq_of(s);
	sqlite3_stmt *st = sq_stmt(q, SQL_ALARM_SET_CASE);
	if (st) {
		sqlite3_bind_int64(st, 1, alarm_id);
		sqlite3_bind_int64(st, 2, case_id);
	}
	return sq_step_done(q, st, "alarm_set_case");
}

static void lf__row_case(sqlite3_stmt *st, void *out)
{
	struct store_case *c = out;
	memset(c, 0, sizeof(*c));
	c->id = sqlite3_column_int64(st, 0);
	sq_col_copy(st, 1, c->device_id, sizeof(c->device_id));
	sq_col_copy(st, 2, c->state, sizeof(c->state));
	sq_col_copy(st, 3, c->procedure, sizeof(c->procedure));
	c->rung = sqlite3_column_int(st, 4);
	c->step = sqlite3_column_int(st, 5);
	c->phase = sqlite3_column_int(st, 6);
	c->alarm_id = sqlite3_column_int64(st, 7);
	c->wait_task = sqlite3_column_int64(st, 8);
	sq_col_copy(st, 9, c->wait_event, sizeof(c->wait_event));
	c->deadline = sqlite3_column_int64(st, 10);
	c->step_started = sqlite3_column_int64(st, 11);
	c->last_contact = sqlite3_column_int64(st, 12);
	c->created = sqlite3_column_int64(st, 13);
	c->updated = sqlite3_column_int64(st, 14);
	c->closed = sqlite3_column_int64(st, 15);
	sq_col_copy(st, 16, c->outcome, sizeof(c->outcome));
	sq_col_copy(st, 17, c->data, sizeof(c->data));
}

static void lf__bind_case(sqlite3_stmt *st, const struct store_case *c)
{
	if (!st)
		return;
	sqlite3_bind_int64(st, 1, c->id);
	sq_bind_text(st, 2, c->device_id);
	sq_bind_text(st, 3, c->state);
	sq_bind_text(st, 4, c->procedure);
	sqlite3_bind_int(st, 5, c->rung);
	sqlite3_bind_int(st, 6, c->step);
	sqlite3_bind_int(st, 7, c->phase);
	sqlite3_bind_int64(st, 8, c->alarm_id);
	sqlite3_bind_int64(st, 9, c->wait_task);
	sq_bind_text(st, 10, c->wait_event);
	sqlite3_bind_int64(st, 11, c->deadline);
	sqlite3_bind_int64(st, 12, c->step_started);
	sqlite3_bind_int64(st, 13, c->last_contact);
	sqlite3_bind_int64(st, 14, c->created);
	sqlite3_bind_int64(st, 15, c->updated);
	sqlite3_bind_int64(st, 16, c->closed);
	sq_bind_text(st, 17, c->outcome);
	sq_bind_text(st, 18, c->data[0] ? c->data : "{}");
}

int sq_case_insert(struct store *s, struct store_case *c)
{
	struct sq *q = sq_of(s);
	sqlite3_stmt *st = sq_stmt(q, SQL_CASE_INSERT);
	lf__bind_case(st, c);
	if (!st)
		return LF_ESTORE;
	int rc = sqlite3_step(st);
	sqlite3_reset(st);
	sqlite3_clear_bindings(st);
	if (rc == SQLITE_CONSTRAINT)
		return LF_EEXIST; /* the device already has an open case */
	if (rc != SQLITE_DONE)
		return sq_fail(q, "case_insert");
	c->id = sqlite3_last_insert_rowid(q->db);
	return LF_OK;
}

int sq_case_get(struct store *s, int64_t id, struct store_case *out)
{
	struct sq *q = sq_of(s);
	sqlite3_stmt *st = sq_stmt(q, SQL_CASE_GET);
	if (st)
		sqlite3_bind_int64(st, 1, id);
	return sq_one_row(q, st, "case_get", lf__row_case, out);
}

int sq_case_open_of(struct store *s, const char *device_id, struct store_case *out)
{
	struct sq *q = sq_of(s);
	sqlite3_stmt *st = sq_stmt(q, SQL_CASE_OPEN_OF);
	sq_bind_text(st, 1, device_id);
	return sq_one_row(q, st, "case_open_of", lf__row_case, out);
}

int sq_case_update(struct store *s, const struct store_case *c)
{
	struct sq *q = sq_of(s);
	sqlite3_stmt *st = sq_stmt(q, SQL_CASE_UPDATE);
	lf__bind_case(st, c);
	return sq_step_done(q, st, "case_update");
}

int sq_case_list(struct store *s, const char *device_id, int open_only, int limit,
		 int (*cb)(void *ctx, const struct store_case *c), void *ctx)
{
	struct sq *q = sq_of(s);
	sqlite3_stmt *st = sq_stmt(q, SQL_CASE_LIST);
	if (!st)
		return LF_ESTORE;
	sq_bind_text(st, 1, device_id);
	sqlite3_bind_int(st, 2, open_only);
	sqlite3_bind_int(st, 3, limit);
	struct store_case c;
	int result = LF_OK, rc;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		lf__row_case(st, &c);
		result = cb(ctx, &c);
		if (result)
			break;
	}
	if (!result && rc != SQLITE_DONE)
		result = sq_fail(q, "case_list");
	sqlite3_reset(st);
	sqlite3_clear_bindings(st);
	return result;
}

int sq_case_due(struct store *s, int64_t now_ms, int64_t *ids, size_t max, size_t *n)
{
	struct sq *q = sq_of(s);
	sqlite3_stmt *st = sq_stmt(q, SQL_CASE_DUE);
	*n = 0;
	if (!st)
		return LF_ESTORE;
	sqlite3_bind_int64(st, 1, now_ms);
	sqlite3_bind_int64(st, 2, (sqlite3_int64)max);
	int rc;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW && *n < max)
		ids[(*n)++] = sqlite3_column_int64(st, 0);
	sqlite3_reset(st);
	sqlite3_clear_bindings(st);
	return (rc == SQLITE_DONE || rc == SQLITE_ROW) ? LF_OK : sq_fail(q, "case_due");
}

int sq_case_event_add(struct store *s, const struct store_case_event *e)
{
	struct sq *q = sq_of(s);
	sqlite3_stmt *st = sq_stmt(q, SQL_CASE_EVENT_ADD);
	if (st) {
		sqlite3_bind_int64(st, 1, e->case_id);
		sqlite3_bind_int64(st, 2, e->time);
		sqlite3_bind_int64(st, 6, e->task_id);
	}
	sq_bind_text(st, 3, e->from);
	sq_bind_text(st, 4, e->to);
	sq_bind_text(st, 5, e->why);
	sq_bind_text(st, 7, e->actor[0] ? e->actor : "hemsd");
	return sq_step_done(q, st, "case_event_add");
}

int sq_case_events(struct store *s, int64_t case_id, int (*cb)(void *ctx, const struct store_case_event *e),
		   void *ctx)
{
	struct sq *q = sq_of(s);
	sqlite3_stmt *st = sq_stmt(q, SQL_CASE_EVENTS);
	if (!st)
		return LF_ESTORE;
	sqlite3_bind_int64(st, 1, case_id);
	struct store_case_event e;
	int result = LF_OK, rc;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		memset(&e, 0, sizeof(e));
		e.id = sqlite3_column_int64(st, 0);
		e.case_id = sqlite3_column_int64(st, 1);
		e.time = sqlite3_column_int64(st, 2);
		sq_col_copy(st, 3, e.from, sizeof(e.from));
		sq_col_copy(st, 4, e.to, sizeof(e.to));
		sq_col_copy(st, 5, e.why, sizeof(e.why));
		e.task_id = sqlite3_column_int64(st, 6);
		sq_col_copy(st, 7, e.actor, sizeof(e.actor));
		result = cb(ctx, &e);
		if (result)
			break;
	}
	if (!result && rc != SQLITE_DONE)
		result = sq_fail(q, "case_events");
	sqlite3_reset(st);
	sqlite3_clear_bindings(st);
	return result;
}

int sq_outbox_add(struct store *s, const char *type, const char *device_id, int64_t case_id, const char *body_json,
		  int64_t now, int64_t *id)
{
	struct sq *q = sq_of(s);
	sqlite3_stmt *st = sq_stmt(q, SQL_OUTBOX_ADD);
	if (st) {
		sqlite3_bind_int64(st, 1, now);
		sqlite3_bind_int64(st, 4, case_id);
	}
	sq_bind_text(st, 2, type);
	sq_bind_text(st, 3, device_id ? device_id : "");
	sq_bind_text(st, 5, body_json);
	int result = sq_step_done(q, st, "outbox_add");
	if (!result && id)
		*id = sqlite3_last_insert_rowid(q->db);
	return result;
}
