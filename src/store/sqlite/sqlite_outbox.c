/* sqlite_outbox: SQLite back end, northbound side: alarm records (28.532) with ack/clear, subscriptions and their
 * delivery cursors, reading the outbox, higher-level measures. */
#include <sqlite3.h>
#include <stdio.h>
#include <string.h>

#include "common/alloc.h"
#include "common/err.h"
#include "store/sqlite/sqlite_internal.h"
#include "store/sqlite/sqlite_outbox.h"

/* An alarm record is the event that raised the alarm: a NewAlarm, or a ChangedAlarm whose predecessor of the same
 * AlarmIdentifier is a ClearedAlarm or nothing (the raise was never seen). It lasts until the next NewAlarm or
 * ClearedAlarm of that identifier (end_id); the ChangedAlarms in between give its current severity. */
static const char SQL_ALARM_QUERY[] =
    "WITH rec AS ("
    "  SELECT a.* FROM alarms a"
    "  WHERE (?1 IS NULL OR a.device_id = ?1) AND (?9 = 0 OR a.id = ?9)"
    "    AND (a.notification_type = 'NewAlarm' OR (a.notification_type = 'ChangedAlarm' AND COALESCE("
    "      (SELECT p.notification_type FROM alarms p WHERE p.device_id = a.device_id"
    "        AND p.alarm_identifier = a.alarm_identifier AND p.id < a.id ORDER BY p.id DESC LIMIT 1),"
    "      'ClearedAlarm') = 'ClearedAlarm'))"
    "), bounded AS ("
    "  SELECT rec.*, (SELECT MIN(b.id) FROM alarms b WHERE b.device_id = rec.device_id"
    "    AND b.alarm_identifier = rec.alarm_identifier AND b.id > rec.id"
    "    AND b.notification_type IN ('NewAlarm', 'ClearedAlarm')) AS end_id FROM rec"
    "), folded AS ("
    "  SELECT bounded.*, (SELECT c.id FROM alarms c WHERE c.device_id = bounded.device_id"
    "    AND c.alarm_identifier = bounded.alarm_identifier AND c.notification_type = 'ChangedAlarm'"
    "    AND c.id > bounded.id AND (bounded.end_id IS NULL OR c.id < bounded.end_id)"
    "    ORDER BY c.id DESC LIMIT 1) AS ch_id FROM bounded"
    "), cur AS ("
    "  SELECT f.id, f.device_id, f.alarm_identifier, f.event_time, f.notification_type, f.managed_object,"
    "    f.event_type, f.probable_cause, f.specific_problem, f.severity, f.additional_text, f.additional_info,"
    "    f.source, f.received, f.case_id, f.acked, f.ack_user, f.ack_time, f.cleared, f.clear_user,"
    "    f.clear_time,"
    "    CASE WHEN f.cleared THEN 'Cleared' ELSE COALESCE(ch.severity, f.severity) END AS sev_now,"
    "    COALESCE(ch.event_time, '') AS ch_time,"
    "    CASE WHEN e.notification_type = 'ClearedAlarm' THEN f.end_id ELSE COALESCE(f.ch_id, f.id) END AS last_id"
    "  FROM folded f LEFT JOIN alarms ch ON ch.id = f.ch_id LEFT JOIN alarms e ON e.id = f.end_id"
    ")"
    " SELECT * FROM cur"
    " WHERE (?2 IS NULL OR lower(sev_now) = lower(?2)) AND (?3 IS NULL OR lower(event_type) = lower(?3))"
    "   AND (?4 < 0 OR acked = ?4) AND (?5 < 0 OR cleared = ?5)"
    "   AND (?6 IS NULL OR julianday(event_time) >= julianday(?6))"
    "   AND (?7 IS NULL OR julianday(event_time) <= julianday(?7))"
    "   AND (?10 = 1 OR ?9 <> 0 OR NOT (cleared = 1 AND acked = 1))"
    " ORDER BY id DESC LIMIT ?8";
static const char SQL_ALARM_EVENT[] = "SELECT device_id, alarm_identifier, notification_type FROM alarms WHERE id = ?1";
static const char SQL_ALARM_BEFORE[] =
    "SELECT id, notification_type FROM alarms WHERE device_id = ?1 AND alarm_identifier = ?2 AND id <= ?3"
    " ORDER BY id DESC";
static const char SQL_ALARM_ACK[] = "UPDATE alarms SET acked = ?2, ack_user = ?3, ack_time = ?4 WHERE id = ?1";
static const char SQL_ALARM_CLEAR[] =
    "UPDATE alarms SET cleared = 1, clear_user = ?2, clear_time = ?3 WHERE id = ?1 AND cleared = 0";
static const char SQL_ALARM_EXISTS[] = "SELECT id FROM alarms WHERE id = ?1";

#define LF__SUB_COLS                                                                                                   \
	"id, consumer_reference, filter, owner, created, cursor, delivered, failures, failed_total, last_error,"       \
	" last_attempt, last_success"
static const char SQL_SUB_ADD[] = "INSERT INTO nbi_subscriptions (consumer_reference, filter, owner, created, cursor)"
                                  " VALUES (?1, ?2, ?3, ?4, (SELECT COALESCE(MAX(id), 0) FROM outbox))";
static const char SQL_SUB_GET[] = "SELECT " LF__SUB_COLS " FROM nbi_subscriptions WHERE id = ?1";
static const char SQL_SUB_LIST[] = "SELECT " LF__SUB_COLS " FROM nbi_subscriptions ORDER BY id";
static const char SQL_SUB_DELETE[] = "DELETE FROM nbi_subscriptions WHERE id = ?1";
static const char SQL_SUB_SET_URL[] = "UPDATE nbi_subscriptions SET consumer_reference = ?2 WHERE id = ?1";
static const char SQL_SUB_ADVANCE[] =
    "UPDATE nbi_subscriptions SET cursor = MAX(cursor, ?2), delivered = delivered + ?3,"
    " failures = CASE WHEN ?3 > 0 THEN 0 ELSE failures END,"
    " last_error = CASE WHEN ?3 > 0 THEN '' ELSE last_error END,"
    " last_success = CASE WHEN ?3 > 0 THEN ?4 ELSE last_success END,"
    " last_attempt = CASE WHEN ?3 > 0 THEN ?4 ELSE last_attempt END WHERE id = ?1";
static const char SQL_SUB_FAILED[] =
    "UPDATE nbi_subscriptions SET failures = failures + 1, failed_total = failed_total + 1, last_error = ?2,"
    " last_attempt = ?3 WHERE id = ?1";

static const char SQL_OUTBOX_AFTER[] =
    "SELECT id, created, type, device_id, case_id, target, body FROM outbox WHERE id > ?1 ORDER BY id LIMIT ?2";
static const char SQL_OUTBOX_ADD_TARGET[] =
    "INSERT INTO outbox (created, type, device_id, case_id, body, target) VALUES (?1, ?2, ?3, ?4, ?5, ?6)";
static const char SQL_OUTBOX_LAST[] = "SELECT COALESCE(MAX(id), 0) FROM outbox";
static const char SQL_OUTBOX_PENDING[] =
    "SELECT COUNT(*), COALESCE(MIN(created), 0) FROM outbox WHERE id > ?2 AND (target = 0 OR target = ?1)";

#define LF__MEASURE_COLS                                                                                               \
	"id, device_id, measure, adapter, reason, actor, case_id, status, exit_status, result, outbox_id, created,"    \
	" finished"
static const char SQL_MEASURE_ADD[] =
    "INSERT INTO measures (device_id, measure, adapter, reason, actor, case_id, status, exit_status, result,"
    " outbox_id, created, finished) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)";
static const char SQL_MEASURE_GET[] = "SELECT " LF__MEASURE_COLS " FROM measures WHERE id = ?1";
static const char SQL_MEASURE_UPDATE[] =
    "UPDATE measures SET status = ?2, exit_status = ?3, result = ?4, outbox_id = ?5, finished = ?6 WHERE id = ?1";
static const char SQL_MEASURE_LIST[] = "SELECT " LF__MEASURE_COLS " FROM measures WHERE (?1 IS NULL OR device_id = ?1)"
                                       " AND (?2 IS NULL OR status = ?2) ORDER BY id DESC LIMIT ?3";

/* After a row loop over st ended with rc (cb's verdict in result): reset st, name a store error. */
static int lf__finish(struct sq *q, sqlite3_stmt *st, int rc, int result, const char *what)
{
	if (!result && rc != SQLITE_DONE && rc != SQLITE_ROW)
		result = sq_fail(q, what);
	sqlite3_reset(st);
	sqlite3_clear_bindings(st);
	return result;
}

static void lf__row_record(sqlite3_stmt *st, void *out)
{
	struct store_alarm_record *r = out;
	memset(r, 0, sizeof(*r));
	sq_row_alarm(st, &r->a);
	sq_col_copy(st, 21, r->severity_now, sizeof(r->severity_now));
	sq_col_copy(st, 22, r->changed_time, sizeof(r->changed_time));
	r->last_event_id = sqlite3_column_int64(st, 23);
}

int sq_alarm_query(struct store *s, const struct store_alarm_filter *f, int limit,
                   int (*cb)(void *ctx, const struct store_alarm_record *r), void *ctx)
{
	struct sq *q = sq_of(s);
	sqlite3_stmt *st = sq_stmt(q, SQL_ALARM_QUERY);
	if (!st)
		return LF_ESTORE;
	sq_bind_text(st, 1, f->device_id);
	sq_bind_text(st, 2, f->severity);
	sq_bind_text(st, 3, f->event_type);
	sqlite3_bind_int(st, 4, f->acked);
	sqlite3_bind_int(st, 5, f->cleared);
	sq_bind_text(st, 6, f->since);
	sq_bind_text(st, 7, f->until);
	sqlite3_bind_int(st, 8, limit);
	sqlite3_bind_int64(st, 9, f->id);
	sqlite3_bind_int(st, 10, f->include_closed ? 1 : 0);
	struct store_alarm_record r;
	int result = LF_OK, rc;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		lf__row_record(st, &r);
		result = cb(ctx, &r);
		if (result)
			break;
	}
	return lf__finish(q, st, rc, result, "alarm_query");
}

struct lf__event_key {
	char device_id[STORE_MAX_ID];
	char identifier[65];
	char type[20];
};

static void lf__row_event_key(sqlite3_stmt *st, void *out)
{
	struct lf__event_key *k = out;
	sq_col_copy(st, 0, k->device_id, sizeof(k->device_id));
	sq_col_copy(st, 1, k->identifier, sizeof(k->identifier));
	sq_col_copy(st, 2, k->type, sizeof(k->type));
}

int sq_alarm_record_of(struct store *s, int64_t alarm_event_id, int64_t *record_id)
{
	struct sq *q = sq_of(s);
	struct lf__event_key k;
	sqlite3_stmt *st = sq_stmt(q, SQL_ALARM_EVENT);
	if (st)
		sqlite3_bind_int64(st, 1, alarm_event_id);
	int result = sq_one_row(q, st, "alarm_event", lf__row_event_key, &k);
	if (result)
		return result;
	/* Walk back from the event over ChangedAlarms to the raise: a NewAlarm, or the first ChangedAlarm after a
	 * ClearedAlarm (or after nothing). A ClearedAlarm belongs to the record it ends. */
	st = sq_stmt(q, SQL_ALARM_BEFORE);
	if (!st)
		return LF_ESTORE;
	sq_bind_text(st, 1, k.device_id);
	sq_bind_text(st, 2, k.identifier);
	sqlite3_bind_int64(st, 3, alarm_event_id);
	int64_t candidate = 0;
	int rc, first = 1;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		int64_t id = sqlite3_column_int64(st, 0);
		const char *type = (const char *)sqlite3_column_text(st, 1);
		type = type ? type : "";
		if (first && strcmp(type, "ClearedAlarm") == 0) {
			first = 0;
			continue;
		}
		first = 0;
		if (strcmp(type, "ClearedAlarm") == 0)
			break;
		candidate = id;
		if (strcmp(type, "NewAlarm") == 0)
			break;
	}
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		result = sq_fail(q, "alarm_record_of");
	sqlite3_reset(st);
	sqlite3_clear_bindings(st);
	if (result)
		return result;
	/* A lone ClearedAlarm (its raise was never received) stands for itself. */
	*record_id = candidate ? candidate : alarm_event_id;
	return LF_OK;
}

int sq_alarm_ack(struct store *s, int64_t id, int acked, const char *user, int64_t now)
{
	struct sq *q = sq_of(s);
	sqlite3_stmt *st = sq_stmt(q, SQL_ALARM_ACK);
	if (st) {
		sqlite3_bind_int64(st, 1, id);
		sqlite3_bind_int(st, 2, acked ? 1 : 0);
		sqlite3_bind_int64(st, 4, now);
	}
	sq_bind_text(st, 3, user ? user : "");
	int result = sq_step_done(q, st, "alarm_ack");
	if (!result && sqlite3_changes(q->db) == 0)
		result = LF_ENOTFOUND;
	return result;
}

static void lf__row_id(sqlite3_stmt *st, void *out)
{
	*(int64_t *)out = sqlite3_column_int64(st, 0);
}

int sq_alarm_clear(struct store *s, int64_t id, const char *user, int64_t now)
{
	struct sq *q = sq_of(s);
	sqlite3_stmt *st = sq_stmt(q, SQL_ALARM_CLEAR);
	if (st) {
		sqlite3_bind_int64(st, 1, id);
		sqlite3_bind_int64(st, 3, now);
	}
	sq_bind_text(st, 2, user ? user : "");
	int result = sq_step_done(q, st, "alarm_clear");
	if (result || sqlite3_changes(q->db) > 0)
		return result;
	int64_t found = 0;
	st = sq_stmt(q, SQL_ALARM_EXISTS);
	if (st)
		sqlite3_bind_int64(st, 1, id);
	result = sq_one_row(q, st, "alarm_exists", lf__row_id, &found);
	return result ? result : LF_EEXIST;
}

static void lf__row_sub(sqlite3_stmt *st, void *out)
{
	struct store_subscription *u = out;
	memset(u, 0, sizeof(*u));
	u->id = sqlite3_column_int64(st, 0);
	sq_col_copy(st, 1, u->consumer_reference, sizeof(u->consumer_reference));
	sq_col_copy(st, 2, u->filter, sizeof(u->filter));
	sq_col_copy(st, 3, u->owner, sizeof(u->owner));
	u->created = sqlite3_column_int64(st, 4);
	u->cursor = sqlite3_column_int64(st, 5);
	u->delivered = sqlite3_column_int64(st, 6);
	u->failures = sqlite3_column_int64(st, 7);
	u->failed_total = sqlite3_column_int64(st, 8);
	sq_col_copy(st, 9, u->last_error, sizeof(u->last_error));
	u->last_attempt = sqlite3_column_int64(st, 10);
	u->last_success = sqlite3_column_int64(st, 11);
}

int sq_subscription_add(struct store *s, struct store_subscription *sub, int64_t now)
{
	struct sq *q = sq_of(s);
	int result = sq_begin(q);
	if (result)
		return result;
	sqlite3_stmt *st = sq_stmt(q, SQL_SUB_ADD);
	sq_bind_text(st, 1, sub->consumer_reference);
	sq_bind_text(st, 2, sub->filter[0] ? sub->filter : "{}");
	sq_bind_text(st, 3, sub->owner[0] ? sub->owner : "nm");
	if (st)
		sqlite3_bind_int64(st, 4, now);
	result = sq_step_done(q, st, "subscription_add");
	if (!result) {
		int64_t id = sqlite3_last_insert_rowid(q->db);
		result = sq_subscription_get(s, id, sub);
	}
	int end = sq_end(q, result != LF_OK);
	return result ? result : end;
}

int sq_subscription_get(struct store *s, int64_t id, struct store_subscription *out)
{
	struct sq *q = sq_of(s);
	sqlite3_stmt *st = sq_stmt(q, SQL_SUB_GET);
	if (st)
		sqlite3_bind_int64(st, 1, id);
	return sq_one_row(q, st, "subscription_get", lf__row_sub, out);
}

int sq_subscription_list(struct store *s, int (*cb)(void *ctx, const struct store_subscription *sub), void *ctx)
{
	struct sq *q = sq_of(s);
	sqlite3_stmt *st = sq_stmt(q, SQL_SUB_LIST);
	if (!st)
		return LF_ESTORE;
	struct store_subscription u;
	int result = LF_OK, rc;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		lf__row_sub(st, &u);
		result = cb(ctx, &u);
		if (result)
			break;
	}
	return lf__finish(q, st, rc, result, "subscription_list");
}

static int lf__by_id(struct sq *q, const char *sql, const char *what, int64_t id)
{
	sqlite3_stmt *st = sq_stmt(q, sql);
	if (st)
		sqlite3_bind_int64(st, 1, id);
	int result = sq_step_done(q, st, what);
	if (!result && sqlite3_changes(q->db) == 0)
		result = LF_ENOTFOUND;
	return result;
}

int sq_subscription_delete(struct store *s, int64_t id)
{
	return lf__by_id(sq_of(s), SQL_SUB_DELETE, "subscription_delete", id);
}

int sq_subscription_set_url(struct store *s, int64_t id, const char *url)
{
	struct sq *q = sq_of(s);
	sqlite3_stmt *st = sq_stmt(q, SQL_SUB_SET_URL);
	if (st)
		sqlite3_bind_int64(st, 1, id);
	sq_bind_text(st, 2, url);
	return sq_step_done(q, st, "subscription_set_url");
}

int sq_subscription_advance(struct store *s, int64_t id, int64_t cursor, int delivered, int64_t now_ms)
{
	struct sq *q = sq_of(s);
	sqlite3_stmt *st = sq_stmt(q, SQL_SUB_ADVANCE);
	if (st) {
		sqlite3_bind_int64(st, 1, id);
		sqlite3_bind_int64(st, 2, cursor);
		sqlite3_bind_int(st, 3, delivered);
		sqlite3_bind_int64(st, 4, now_ms);
	}
	return sq_step_done(q, st, "subscription_advance");
}

int sq_subscription_failed(struct store *s, int64_t id, const char *error, int64_t now_ms)
{
	struct sq *q = sq_of(s);
	sqlite3_stmt *st = sq_stmt(q, SQL_SUB_FAILED);
	if (st) {
		sqlite3_bind_int64(st, 1, id);
		sqlite3_bind_int64(st, 3, now_ms);
	}
	sq_bind_text(st, 2, error ? error : "");
	return sq_step_done(q, st, "subscription_failed");
}

static void lf__row_outbox(sqlite3_stmt *st, void *out)
{
	struct store_outbox_row *r = out;
	lf_free(r->body); /* the previous row's, when iterating */
	memset(r, 0, sizeof(*r));
	r->id = sqlite3_column_int64(st, 0);
	r->created = sqlite3_column_int64(st, 1);
	sq_col_copy(st, 2, r->type, sizeof(r->type));
	sq_col_copy(st, 3, r->device_id, sizeof(r->device_id));
	r->case_id = sqlite3_column_int64(st, 4);
	r->target = sqlite3_column_int64(st, 5);
	r->body = sq_col_dup(st, 6);
}

int sq_outbox_after(struct store *s, int64_t after_id, int limit,
                    int (*cb)(void *ctx, const struct store_outbox_row *row), void *ctx)
{
	struct sq *q = sq_of(s);
	sqlite3_stmt *st = sq_stmt(q, SQL_OUTBOX_AFTER);
	if (!st)
		return LF_ESTORE;
	sqlite3_bind_int64(st, 1, after_id);
	sqlite3_bind_int(st, 2, limit);
	struct store_outbox_row r;
	int result = LF_OK, rc;
	memset(&r, 0, sizeof(r));
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		lf__row_outbox(st, &r);
		result = cb(ctx, &r);
		if (result)
			break;
	}
	store_outbox_row_clear(&r);
	return lf__finish(q, st, rc, result, "outbox_after");
}

int sq_outbox_add_target(struct store *s, int64_t target, const char *type, const char *device_id, int64_t case_id,
                         const char *body_json, int64_t now, int64_t *id)
{
	struct sq *q = sq_of(s);
	sqlite3_stmt *st = sq_stmt(q, SQL_OUTBOX_ADD_TARGET);
	if (st) {
		sqlite3_bind_int64(st, 1, now);
		sqlite3_bind_int64(st, 4, case_id);
		sqlite3_bind_int64(st, 6, target);
	}
	sq_bind_text(st, 2, type);
	sq_bind_text(st, 3, device_id ? device_id : "");
	sq_bind_text(st, 5, body_json);
	int result = sq_step_done(q, st, "outbox_add_target");
	if (!result && id)
		*id = sqlite3_last_insert_rowid(q->db);
	return result;
}

int sq_outbox_last_id(struct store *s, int64_t *id)
{
	struct sq *q = sq_of(s);
	*id = 0;
	return sq_one_row(q, sq_stmt(q, SQL_OUTBOX_LAST), "outbox_last_id", lf__row_id, id);
}

struct lf__pending {
	int64_t count, oldest;
};

static void lf__row_pending(sqlite3_stmt *st, void *out)
{
	struct lf__pending *p = out;
	p->count = sqlite3_column_int64(st, 0);
	p->oldest = sqlite3_column_int64(st, 1);
}

int sq_outbox_pending(struct store *s, int64_t subscription_id, int64_t cursor, int64_t *count, int64_t *oldest_created)
{
	struct sq *q = sq_of(s);
	struct lf__pending p = {0, 0};
	sqlite3_stmt *st = sq_stmt(q, SQL_OUTBOX_PENDING);
	if (st) {
		sqlite3_bind_int64(st, 1, subscription_id);
		sqlite3_bind_int64(st, 2, cursor);
	}
	int result = sq_one_row(q, st, "outbox_pending", lf__row_pending, &p);
	*count = p.count;
	*oldest_created = p.oldest;
	return result;
}

static void lf__row_measure(sqlite3_stmt *st, void *out)
{
	struct store_measure *m = out;
	memset(m, 0, sizeof(*m));
	m->id = sqlite3_column_int64(st, 0);
	sq_col_copy(st, 1, m->device_id, sizeof(m->device_id));
	sq_col_copy(st, 2, m->measure, sizeof(m->measure));
	sq_col_copy(st, 3, m->adapter, sizeof(m->adapter));
	sq_col_copy(st, 4, m->reason, sizeof(m->reason));
	sq_col_copy(st, 5, m->actor, sizeof(m->actor));
	m->case_id = sqlite3_column_int64(st, 6);
	sq_col_copy(st, 7, m->status, sizeof(m->status));
	m->exit_status = sqlite3_column_int(st, 8);
	sq_col_copy(st, 9, m->result, sizeof(m->result));
	m->outbox_id = sqlite3_column_int64(st, 10);
	m->created = sqlite3_column_int64(st, 11);
	m->finished = sqlite3_column_int64(st, 12);
}

int sq_measure_add(struct store *s, struct store_measure *m)
{
	struct sq *q = sq_of(s);
	sqlite3_stmt *st = sq_stmt(q, SQL_MEASURE_ADD);
	sq_bind_text(st, 1, m->device_id);
	sq_bind_text(st, 2, m->measure);
	sq_bind_text(st, 3, m->adapter);
	sq_bind_text(st, 4, m->reason);
	sq_bind_text(st, 5, m->actor);
	sq_bind_text(st, 7, m->status[0] ? m->status : "queued");
	sq_bind_text(st, 9, m->result);
	if (st) {
		sqlite3_bind_int64(st, 6, m->case_id);
		sqlite3_bind_int(st, 8, m->exit_status);
		sqlite3_bind_int64(st, 10, m->outbox_id);
		sqlite3_bind_int64(st, 11, m->created);
		sqlite3_bind_int64(st, 12, m->finished);
	}
	int result = sq_step_done(q, st, "measure_add");
	if (!result)
		m->id = sqlite3_last_insert_rowid(q->db);
	return result;
}

int sq_measure_get(struct store *s, int64_t id, struct store_measure *out)
{
	struct sq *q = sq_of(s);
	sqlite3_stmt *st = sq_stmt(q, SQL_MEASURE_GET);
	if (st)
		sqlite3_bind_int64(st, 1, id);
	return sq_one_row(q, st, "measure_get", lf__row_measure, out);
}

int sq_measure_update(struct store *s, const struct store_measure *m)
{
	struct sq *q = sq_of(s);
	sqlite3_stmt *st = sq_stmt(q, SQL_MEASURE_UPDATE);
	sq_bind_text(st, 2, m->status);
	sq_bind_text(st, 4, m->result);
	if (st) {
		sqlite3_bind_int64(st, 1, m->id);
		sqlite3_bind_int(st, 3, m->exit_status);
		sqlite3_bind_int64(st, 5, m->outbox_id);
		sqlite3_bind_int64(st, 6, m->finished);
	}
	int result = sq_step_done(q, st, "measure_update");
	if (!result && sqlite3_changes(q->db) == 0)
		result = LF_ENOTFOUND;
	return result;
}

int sq_measure_list(struct store *s, const char *device_id, const char *status, int limit,
                    int (*cb)(void *ctx, const struct store_measure *m), void *ctx)
{
	struct sq *q = sq_of(s);
	sqlite3_stmt *st = sq_stmt(q, SQL_MEASURE_LIST);
	if (!st)
		return LF_ESTORE;
	sq_bind_text(st, 1, device_id);
	sq_bind_text(st, 2, status);
	sqlite3_bind_int(st, 3, limit);
	struct store_measure m;
	int result = LF_OK, rc;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		lf__row_measure(st, &m);
		result = cb(ctx, &m);
		if (result)
			break;
	}
	return lf__finish(q, st, rc, result, "measure_list");
}
