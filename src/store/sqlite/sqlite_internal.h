/* sqlite_internal.h: what the files of the SQLite back end share: the connection, a cache of prepared
 * statements, transactions that nest, and small row helpers. */
#ifndef LF_STORE_SQLITE_INTERNAL_H
#define LF_STORE_SQLITE_INTERNAL_H

#include <sqlite3.h>

#include "store/store_impl.h"

#define SQ_STMT_CACHE 128

struct sq {
	struct store base; /* first: the store handle callers hold */
	sqlite3 *db;
	const char *sql[SQ_STMT_CACHE]; /* statement text, by address: each module's static SQL */
	sqlite3_stmt *st[SQ_STMT_CACHE];
	int version;
	int tx_depth; /* sq_begin nesting: only the outermost begins and commits */
	int tx_failed;
};

static inline struct sq *sq_of(struct store *s)
{
	return (struct sq *)s;
}

/* sq_stmt: the prepared statement of sql (a static string), prepared on first use and kept. NULL on error. */
sqlite3_stmt *sq_stmt(struct sq *q, const char *sql);
/* sq_fail: log the SQLite error of an operation; returns LF_ESTORE. */
int sq_fail(struct sq *q, const char *what);
/* sq_step_done: run a statement that returns no rows, then reset it. */
int sq_step_done(struct sq *q, sqlite3_stmt *st, const char *what);
/* sq_one_row: run st expecting at most one row; row() copies it out. LF_ENOTFOUND when none. */
int sq_one_row(struct sq *q, sqlite3_stmt *st, const char *what, void (*row)(sqlite3_stmt *, void *), void *out);
void sq_bind_text(sqlite3_stmt *st, int i, const char *v);
void sq_col_copy(sqlite3_stmt *st, int i, char *out, size_t outlen);
char *sq_col_dup(sqlite3_stmt *st, int i); /* caller owns (lf_free); NULL for SQL NULL */

/* Transactions that nest: the outermost sq_begin starts one, the matching sq_end commits it, or rolls it
 * back when any level ended with failed != 0. */
int sq_begin(struct sq *q);
int sq_end(struct sq *q, int failed);

/* The operations, one file per concern. */
int sq_record_inform(struct store *s, const struct store_inform *in);
int sq_device_get(struct store *s, const char *device_id, struct store_device *out);
int sq_device_list(struct store *s, int (*cb)(void *ctx, const struct store_device *d), void *ctx);
int sq_param_list(struct store *s, const char *device_id, const char *prefix,
		  int (*cb)(void *ctx, const char *name, const char *value, const char *type, int64_t updated),
		  void *ctx);
int sq_credentials_set(struct store *s, const char *device_id, const struct store_credentials *c);
int sq_credentials_get(struct store *s, const char *device_id, struct store_credentials *c);
int sq_block_set(struct store *s, const char *device_id, int blocked, const char *reason, int64_t now);
int sq_block_get(struct store *s, const char *device_id, int *blocked, char *reason, size_t reasonlen);
int sq_conn_request_record(struct store *s, const char *device_id, const char *result, int64_t now);
int sq_cwmp_user_set(struct store *s, const char *username, const char *ha1_hex);
int sq_cwmp_user_get(struct store *s, const char *username, char *ha1_hex, size_t len);
int sq_task_add(struct store *s, const char *device_id, const char *method, const char *args_json, int64_t now,
		int64_t *id);
int sq_task_next(struct store *s, const char *device_id, struct store_task *out);
int sq_task_get(struct store *s, int64_t id, struct store_task *out);
int sq_task_set_status(struct store *s, int64_t id, int status, const char *result_json, const char *note,
		       int64_t now);
int sq_task_list(struct store *s, const char *device_id, int limit, int (*cb)(void *ctx, const struct store_task *t),
		 void *ctx);
int sq_task_fail_sent(struct store *s, const char *note, int64_t now, int *count);
int sq_task_transfer_complete(struct store *s, const char *device_id, const char *command_key, const char *tc_json);
int sq_file_add(struct store *s, const struct store_file *f);
int sq_file_get(struct store *s, const char *name, struct store_file *f);
int sq_file_list(struct store *s, int (*cb)(void *ctx, const struct store_file *f), void *ctx);
/* sq_row_alarm: the alarm columns (LF__ALARM_COLS order, 21 columns from 0) of the current row into a. */
void sq_row_alarm(sqlite3_stmt *st, struct store_alarm *a);
int sq_alarm_record(struct store *s, struct store_alarm *a, int *is_new);
int sq_alarm_get(struct store *s, int64_t id, struct store_alarm *out);
int sq_alarm_list(struct store *s, const char *device_id, int limit, int (*cb)(void *ctx, const struct store_alarm *a),
		  void *ctx);
int sq_alarm_set_case(struct store *s, int64_t alarm_id, int64_t case_id);
int sq_case_insert(struct store *s, struct store_case *c);
int sq_case_get(struct store *s, int64_t id, struct store_case *out);
int sq_case_open_of(struct store *s, const char *device_id, struct store_case *out);
int sq_case_update(struct store *s, const struct store_case *c);
int sq_case_list(struct store *s, const char *device_id, int open_only, int limit,
		 int (*cb)(void *ctx, const struct store_case *c), void *ctx);
int sq_case_due(struct store *s, int64_t now_ms, int64_t *ids, size_t max, size_t *n);
int sq_case_event_add(struct store *s, const struct store_case_event *e);
int sq_case_events(struct store *s, int64_t case_id, int (*cb)(void *ctx, const struct store_case_event *e),
		   void *ctx);
int sq_outbox_add(struct store *s, const char *type, const char *device_id, int64_t case_id, const char *body_json,
		  int64_t now, int64_t *id);

#endif
