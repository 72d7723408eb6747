/* sqlite_devices: SQLite back end: devices, their parameter cache, per-device secrets, blocking and CPE users. */
#include <sqlite3.h>
#include <stdio.h>
#include <string.h>

#include "common/alloc.h"
#include "common/err.h"
#include "store/sqlite/sqlite_internal.h"

#define LF__DEVICE_COLS                                                                                        \
	"device_id, manufacturer, oui, product_class, serial_number, software_version, hardware_version, "    \
	"conn_req_url, last_events, remote_addr, first_seen, last_inform, informs, "                           \
	"EXISTS (SELECT 1 FROM device_blocks b WHERE b.device_id = devices.device_id), last_cr, last_cr_time"

static const char SQL_DEVICE_UPSERT[] =
	"INSERT INTO devices (device_id, manufacturer, oui, product_class, serial_number, software_version,"
			" hardware_version, conn_req_url, last_events, remote_addr, first_seen, last_inform, informs)"
			" VALUES (?1, ?2, ?3, ?4, ?5, coalesce(?6, ''), coalesce(?7, ''), coalesce(?8, ''), ?9, ?10, ?11, ?11, 1)"
			" ON CONFLICT (device_id) DO UPDATE SET manufacturer = ?2, software_version = coalesce(?6, software_version),"
			" hardware_version = coalesce(?7, hardware_version), conn_req_url = coalesce(?8, conn_req_url),"
			" last_events = ?9, remote_addr = ?10, last_inform = ?11, informs = informs + 1";
static const char SQL_PARAM_UPSERT[] =
	"INSERT INTO device_params (device_id, name, value, type, updated) VALUES (?1, ?2, ?3, ?4, ?5)"
				    " ON CONFLICT (device_id, name) DO UPDATE SET value = ?3, type = ?4, updated = ?5";
static const char SQL_DEVICE_GET[] =
	"SELECT " LF__DEVICE_COLS " FROM devices WHERE device_id = ?1";
static const char SQL_DEVICE_LIST[] = "SELECT " LF__DEVICE_COLS " FROM devices ORDER BY device_id";
static const char SQL_PARAM_LIST[] =
	"SELECT name, value, type, updated FROM device_params"
				  " WHERE device_id = ?1 AND substr(name, 1, length(?2)) = ?2 ORDER BY name";
static const char SQL_CRED_SET[] =
	"INSERT INTO device_credentials (device_id, cr_username, cr_password) VALUES (?1, ?2, ?3)"
				" ON CONFLICT (device_id) DO UPDATE SET cr_username = ?2, cr_password = ?3";
static const char SQL_CRED_GET[] =
	"SELECT cr_username, cr_password FROM device_credentials WHERE device_id = ?1";
static const char SQL_BLOCK_ADD[] =
	"INSERT INTO device_blocks (device_id, reason, since) VALUES (?1, ?2, ?3)"
				 " ON CONFLICT (device_id) DO UPDATE SET reason = ?2";
static const char SQL_BLOCK_DEL[] = "DELETE FROM device_blocks WHERE device_id = ?1";
static const char SQL_BLOCK_GET[] = "SELECT reason FROM device_blocks WHERE device_id = ?1";
static const char SQL_CR_RECORD[] =
	"UPDATE devices SET last_cr = ?2, last_cr_time = ?3 WHERE device_id = ?1";
static const char SQL_USER_SET[] =
	"INSERT INTO cwmp_users (username, ha1) VALUES (?1, ?2)"
				" ON CONFLICT (username) DO UPDATE SET ha1 = ?2";
static const char SQL_USER_GET[] = "SELECT ha1 FROM cwmp_users WHERE username = ?1";

struct lf__text_out {
	char *buf;
	size_t len;
};

static void lf__row_device(sqlite3_stmt *st, struct store_device *d)
{
	memset(d, 0, sizeof(*d));
	sq_col_copy(st, 0, d->device_id, sizeof(d->device_id));
	sq_col_copy(st, 1, d->manufacturer, sizeof(d->manufacturer));
	sq_col_copy(st, 2, d->oui, sizeof(d->oui));
	sq_col_copy(st, 3, d->product_class, sizeof(d->product_class));
	sq_col_copy(st, 4, d->serial_number, sizeof(d->serial_number));
	sq_col_copy(st, 5, d->software_version, sizeof(d->software_version));
	sq_col_copy(st, 6, d->hardware_version, sizeof(d->hardware_version));
	sq_col_copy(st, 7, d->conn_req_url, sizeof(d->conn_req_url));
	sq_col_copy(st, 8, d->last_events, sizeof(d->last_events));
	sq_col_copy(st, 9, d->remote_addr, sizeof(d->remote_addr));
	d->first_seen = sqlite3_column_int64(st, 10);
	d->last_inform = sqlite3_column_int64(st, 11);
	d->informs = sqlite3_column_int64(st, 12);
	d->blocked = sqlite3_column_int(st, 13);
	sq_col_copy(st, 14, d->last_cr, sizeof(d->last_cr));
	d->last_cr_time = sqlite3_column_int64(st, 15);
}

static void lf__row_device_v(sqlite3_stmt *st, void *out)
{
	lf__row_device(st, out);
}

int sq_record_inform(struct store *s, const struct store_inform *in)
{
	struct sq *q = sq_of(s);
	int result = sq_begin(q);
	if (result)
		return result;

	sqlite3_stmt *st = sq_stmt(q, SQL_DEVICE_UPSERT);
	sq_bind_text(st, 1, in->device_id);
	sq_bind_text(st, 2, in->manufacturer);
	sq_bind_text(st, 3, in->oui);
	sq_bind_text(st, 4, in->product_class);
	sq_bind_text(st, 5, in->serial_number);
	sq_bind_text(st, 6, in->software_version);
	sq_bind_text(st, 7, in->hardware_version);
	sq_bind_text(st, 8, in->conn_req_url);
	sq_bind_text(st, 9, in->events ? in->events : "");
	sq_bind_text(st, 10, in->remote_addr ? in->remote_addr : "");
	if (st)
		sqlite3_bind_int64(st, 11, in->now);
	result = sq_step_done(q, st, "device_upsert");

	st = sq_stmt(q, SQL_PARAM_UPSERT);
	for (size_t i = 0; !result && i < in->n_params; i++) {
		sq_bind_text(st, 1, in->device_id);
		sq_bind_text(st, 2, in->params[i].name);
		sq_bind_text(st, 3, in->params[i].value ? in->params[i].value : "");
		sq_bind_text(st, 4, in->params[i].type);
		if (st)
			sqlite3_bind_int64(st, 5, in->now);
		result = sq_step_done(q, st, "param_upsert");
	}
	return sq_end(q, result != LF_OK) ? LF_ESTORE : result;
}

int sq_device_get(struct store *s, const char *device_id, struct store_device *out)
{
	struct sq *q = sq_of(s);
	sqlite3_stmt *st = sq_stmt(q, SQL_DEVICE_GET);
	sq_bind_text(st, 1, device_id);
	return sq_one_row(q, st, "device_get", lf__row_device_v, out);
}

int sq_device_list(struct store *s, int (*cb)(void *ctx, const struct store_device *d), void *ctx)
{
	struct sq *q = sq_of(s);
	sqlite3_stmt *st = sq_stmt(q, SQL_DEVICE_LIST);
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
		result = sq_fail(q, "device_list");
	sqlite3_reset(st);
	return result;
}

int sq_param_list(struct store *s, const char *device_id, const char *prefix,
				 int (*cb)(void *ctx, const char *name, const char *value, const char *type,
					   int64_t updated),
				 void *ctx)
{
	struct sq *q = sq_of(s);
	sqlite3_stmt *st = sq_stmt(q, SQL_PARAM_LIST);
	sq_bind_text(st, 1, device_id);
	sq_bind_text(st, 2, prefix ? prefix : "");
	int result = LF_OK;
	int rc;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		result = cb(ctx, (const char *)sqlite3_column_text(st, 0), (const char *)sqlite3_column_text(st, 1),
			    (const char *)sqlite3_column_text(st, 2), sqlite3_column_int64(st, 3));
		if (result)
			break;
	}
	if (!result && rc != SQLITE_DONE)
		result = sq_fail(q, "param_list");
	sqlite3_reset(st);
	sqlite3_clear_bindings(st);
	return result;
}

int sq_credentials_set(struct store *s, const char *device_id, const struct store_credentials *c)
{
	struct sq *q = sq_of(s);
	sqlite3_stmt *st = sq_stmt(q, SQL_CRED_SET);
	sq_bind_text(st, 1, device_id);
	sq_bind_text(st, 2, c->cr_username);
	sq_bind_text(st, 3, c->cr_password);
	return sq_step_done(q, st, "credentials_set");
}

static void lf__row_cred(sqlite3_stmt *st, void *out)
{
	struct store_credentials *c = out;
	sq_col_copy(st, 0, c->cr_username, sizeof(c->cr_username));
	sq_col_copy(st, 1, c->cr_password, sizeof(c->cr_password));
}

int sq_credentials_get(struct store *s, const char *device_id, struct store_credentials *c)
{
	struct sq *q = sq_of(s);
	sqlite3_stmt *st = sq_stmt(q, SQL_CRED_GET);
	sq_bind_text(st, 1, device_id);
	return sq_one_row(q, st, "credentials_get", lf__row_cred, c);
}

int sq_block_set(struct store *s, const char *device_id, int blocked, const char *reason, int64_t now)
{
	struct sq *q = sq_of(s);
	sqlite3_stmt *st = sq_stmt(q, blocked ? SQL_BLOCK_ADD : SQL_BLOCK_DEL);
	sq_bind_text(st, 1, device_id);
	if (blocked) {
		sq_bind_text(st, 2, reason ? reason : "");
		sqlite3_bind_int64(st, 3, now);
	}
	return sq_step_done(q, st, "block_set");
}

static void lf__row_text0(sqlite3_stmt *st, void *out)
{
	struct lf__text_out *t = out;
	sq_col_copy(st, 0, t->buf, t->len);
}

int sq_block_get(struct store *s, const char *device_id, int *blocked, char *reason, size_t reasonlen)
{
	struct sq *q = sq_of(s);
	sqlite3_stmt *st = sq_stmt(q, SQL_BLOCK_GET);
	struct lf__text_out t = {reason, reasonlen};
	sq_bind_text(st, 1, device_id);
	int result = sq_one_row(q, st, "block_get", lf__row_text0, &t);
	*blocked = result == LF_OK;
	if (result == LF_ENOTFOUND) {
		if (reasonlen)
			reason[0] = '\0';
		return LF_OK;
	}
	return result;
}

int sq_conn_request_record(struct store *s, const char *device_id, const char *res, int64_t now)
{
	struct sq *q = sq_of(s);
	sqlite3_stmt *st = sq_stmt(q, SQL_CR_RECORD);
	sq_bind_text(st, 1, device_id);
	sq_bind_text(st, 2, res);
	sqlite3_bind_int64(st, 3, now);
	return sq_step_done(q, st, "conn_request_record");
}

int sq_cwmp_user_set(struct store *s, const char *username, const char *ha1_hex)
{
	struct sq *q = sq_of(s);
	sqlite3_stmt *st = sq_stmt(q, SQL_USER_SET);
	sq_bind_text(st, 1, username);
	sq_bind_text(st, 2, ha1_hex);
	return sq_step_done(q, st, "cwmp_user_set");
}

int sq_cwmp_user_get(struct store *s, const char *username, char *ha1_hex, size_t len)
{
	struct sq *q = sq_of(s);
	sqlite3_stmt *st = sq_stmt(q, SQL_USER_GET);
	struct lf__text_out t = {ha1_hex, len};
	sq_bind_text(st, 1, username);
	return sq_one_row(q, st, "cwmp_user_get", lf__row_text0, &t);
}
