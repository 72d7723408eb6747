/* store.c: the store front: picks the back end from the URL and forwards each call to it. */
#include "store/store.h"

#include <stdio.h>
#include <string.h>

#include "common/alloc.h"
#include "common/err.h"
#include "store/store_impl.h"

int store_open(const char *url, struct store **out, char *err, size_t errlen)
{
	*out = NULL;
	if (strncmp(url, "sqlite:", 7) == 0)
		return store__sqlite_open(url + 7, out, err, errlen);
	if (strncmp(url, "postgres:", 9) == 0 || strncmp(url, "postgresql:", 11) == 0) {
		snprintf(err, errlen, "store '%s': the PostgreSQL back end is not built yet", url);
		return LF_EUNSUPPORTED;
	}
	return store__sqlite_open(url, out, err, errlen);
}

void store_close(struct store **s)
{
	if (*s)
		(*s)->ops->close(*s);
	*s = NULL;
}

int store_record_inform(struct store *s, const struct store_inform *in)
{
	return s->ops->record_inform(s, in);
}

int store_device_get(struct store *s, const char *device_id, struct store_device *out)
{
	return s->ops->device_get(s, device_id, out);
}

int store_device_list(struct store *s, int (*cb)(void *ctx, const struct store_device *d), void *ctx)
{
	return s->ops->device_list(s, cb, ctx);
}

int store_param_list(struct store *s, const char *device_id, const char *prefix,
		     int (*cb)(void *ctx, const char *name, const char *value, const char *type, int64_t updated),
		     void *ctx)
{
	return s->ops->param_list(s, device_id, prefix, cb, ctx);
}

int store_schema_version(struct store *s)
{
	return s->ops->schema_version(s);
}

int store_task_add(struct store *s, const char *device_id, const char *method, const char *args_json, int64_t now,
		   int64_t *id)
{
	s->task_version++; /* before the call: a failed or rolled-back add only costs a needless re-read */
	return s->ops->task_add(s, device_id, method, args_json, now, id);
}

int store_task_next(struct store *s, const char *device_id, struct store_task *out)
{
	return s->ops->task_next(s, device_id, out);
}

int store_task_get(struct store *s, int64_t id, struct store_task *out)
{
	return s->ops->task_get(s, id, out);
}

int store_task_set_status(struct store *s, int64_t id, int status, const char *result_json, const char *note,
			  int64_t now)
{
	if (status == STORE_TASK_QUEUED)
		s->task_version++;
	return s->ops->task_set_status(s, id, status, result_json, note, now);
}

uint64_t store_task_version(const struct store *s)
{
	return s->task_version;
}

int store_task_list(struct store *s, const char *device_id, int limit,
		    int (*cb)(void *ctx, const struct store_task *t), void *ctx)
{
	return s->ops->task_list(s, device_id, limit, cb, ctx);
}

int store_task_fail_sent(struct store *s, const char *note, int64_t now, int *count)
{
	return s->ops->task_fail_sent(s, note, now, count);
}

int store_task_transfer_complete(struct store *s, const char *device_id, const char *command_key,
				 const char *tc_json)
{
	return s->ops->task_transfer_complete(s, device_id, command_key, tc_json);
}

void store_task_clear(struct store_task *t)
{
	lf_free_ptr(&t->args);
	lf_free_ptr(&t->result);
}

int store_credentials_set(struct store *s, const char *device_id, const struct store_credentials *c)
{
	return s->ops->credentials_set(s, device_id, c);
}

int store_credentials_get(struct store *s, const char *device_id, struct store_credentials *c)
{
	return s->ops->credentials_get(s, device_id, c);
}

int store_block_set(struct store *s, const char *device_id, int blocked, const char *reason, int64_t now)
{
	return s->ops->block_set(s, device_id, blocked, reason, now);
}

int store_block_get(struct store *s, const char *device_id, int *blocked, char *reason, size_t reasonlen)
{
	return s->ops->block_get(s, device_id, blocked, reason, reasonlen);
}

int store_conn_request_record(struct store *s, const char *device_id, const char *result, int64_t now)
{
	return s->ops->conn_request_record(s, device_id, result, now);
}

int store_cwmp_user_set(struct store *s, const char *username, const char *ha1_hex)
{
	return s->ops->cwmp_user_set(s, username, ha1_hex);
}

int store_cwmp_user_get(struct store *s, const char *username, char *ha1_hex, size_t len)
{
	return s->ops->cwmp_user_get(s, username, ha1_hex, len);
}

int store_file_add(struct store *s, const struct store_file *f)
{
	return s->ops->file_add(s, f);
}

int store_file_get(struct store *s, const char *name, struct store_file *f)
{
	return s->ops->file_get(s, name, f);
}

int store_file_list(struct store *s, int (*cb)(void *ctx, const struct store_file *f), void *ctx)
{
	return s->ops->file_list(s, cb, ctx);
}

int store_begin(struct store *s)
{
	return s->ops->begin(s);
}

int store_end(struct store *s, int failed)
{
	return s->ops->end(s, failed);
}

int store_alarm_record(struct store *s, struct store_alarm *a, int *is_new)
{
	return s->ops->alarm_record(s, a, is_new);
}

int store_alarm_get(struct store *s, int64_t id, struct store_alarm *out)
{
	return s->ops->alarm_get(s, id, out);
}

int store_alarm_list(struct store *s, const char *device_id, int limit,
		     int (*cb)(void *ctx, const struct store_alarm *a), void *ctx)
{
	return s->ops->alarm_list(s, device_id, limit, cb, ctx);
}

int store_alarm_set_case(struct store *s, int64_t alarm_id, int64_t case_id)
{
	return s->ops->alarm_set_case(s, alarm_id, case_id);
}

int store_case_insert(struct store *s, struct store_case *c)
{
	return s->ops->case_insert(s, c);
}

int store_case_get(struct store *s, int64_t id, struct store_case *out)
{
	return s->ops->case_get(s, id, out);
}

int store_case_open_of(struct store *s, const char *device_id, struct store_case *out)
{
	return s->ops->case_open_of(s, device_id, out);
}

int store_case_update(struct store *s, const struct store_case *c)
{
	return s->ops->case_update(s, c);
}

int store_case_list(struct store *s, const char *device_id, int open_only, int limit,
		    int (*cb)(void *ctx, const struct store_case *c), void *ctx)
{
	return s->ops->case_list(s, device_id, open_only, limit, cb, ctx);
}

int store_case_due(struct store *s, int64_t now_ms, int64_t *ids, size_t max, size_t *n)
{
	return s->ops->case_due(s, now_ms, ids, max, n);
}

int store_case_event_add(struct store *s, const struct store_case_event *e)
{
	return s->ops->case_event_add(s, e);
}

int store_case_events(struct store *s, int64_t case_id, int (*cb)(void *ctx, const struct store_case_event *e),
		      void *ctx)
{
	return s->ops->case_events(s, case_id, cb, ctx);
}

int store_outbox_add(struct store *s, const char *type, const char *device_id, int64_t case_id, const char *body_json,
		     int64_t now, int64_t *id)
{
	return s->ops->outbox_add(s, type, device_id, case_id, body_json, now, id);
}

static int lf__store_append_escaped(char *out, size_t outlen, size_t *pos, const char *s)
{
	static const char hex[] = "0123456789ABCDEF";
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;
		int safe = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' ||
			   c == '_' || c == '~';
		size_t need = safe ? 1 : 3;
		if (*pos + need >= outlen)
			return LF_ETOOBIG;
		if (safe) {
			out[(*pos)++] = (char)c;
		} else {
			out[(*pos)++] = '%';
			out[(*pos)++] = hex[c >> 4];
			out[(*pos)++] = hex[c & 15];
		}
	}
	out[*pos] = '\0';
	return LF_OK;
}

int store_device_id(char *out, size_t outlen, const char *oui, const char *product_class, const char *serial)
{
	size_t pos = 0;
	int result;
	if (outlen == 0)
		return LF_ETOOBIG;
	out[0] = '\0';
	result = lf__store_append_escaped(out, outlen, &pos, oui);
	if (result)
		return result;
	if (pos + 1 >= outlen)
		return LF_ETOOBIG;
	out[pos++] = '-';
	result = lf__store_append_escaped(out, outlen, &pos, product_class);
	if (result)
		return result;
	if (pos + 1 >= outlen)
		return LF_ETOOBIG;
	out[pos++] = '-';
	return lf__store_append_escaped(out, outlen, &pos, serial);
}

/* ---------------------------------------------------------------- northbound (Interface Type 2) */

int store_alarm_query(struct store *s, const struct store_alarm_filter *f, int limit,
		      int (*cb)(void *ctx, const struct store_alarm_record *r), void *ctx)
{
	return s->ops->alarm_query(s, f, limit, cb, ctx);
}

int store_alarm_record_of(struct store *s, int64_t alarm_event_id, int64_t *record_id)
{
	return s->ops->alarm_record_of(s, alarm_event_id, record_id);
}

int store_alarm_ack(struct store *s, int64_t id, int acked, const char *user, int64_t now)
{
	return s->ops->alarm_ack(s, id, acked, user, now);
}

int store_alarm_clear(struct store *s, int64_t id, const char *user, int64_t now)
{
	return s->ops->alarm_clear(s, id, user, now);
}

int store_subscription_add(struct store *s, struct store_subscription *sub, int64_t now)
{
	return s->ops->subscription_add(s, sub, now);
}

int store_subscription_get(struct store *s, int64_t id, struct store_subscription *out)
{
	return s->ops->subscription_get(s, id, out);
}

int store_subscription_list(struct store *s, int (*cb)(void *ctx, const struct store_subscription *sub), void *ctx)
{
	return s->ops->subscription_list(s, cb, ctx);
}

int store_subscription_delete(struct store *s, int64_t id)
{
	return s->ops->subscription_delete(s, id);
}

int store_subscription_set_url(struct store *s, int64_t id, const char *url)
{
	return s->ops->subscription_set_url(s, id, url);
}

int store_subscription_advance(struct store *s, int64_t id, int64_t cursor, int delivered, int64_t now_ms)
{
	return s->ops->subscription_advance(s, id, cursor, delivered, now_ms);
}

int store_subscription_failed(struct store *s, int64_t id, const char *error, int64_t now_ms)
{
	return s->ops->subscription_failed(s, id, error, now_ms);
}

int store_outbox_after(struct store *s, int64_t after_id, int limit,
		       int (*cb)(void *ctx, const struct store_outbox_row *row), void *ctx)
{
	return s->ops->outbox_after(s, after_id, limit, cb, ctx);
}

int store_outbox_add_target(struct store *s, int64_t target, const char *type, const char *device_id,
			    int64_t case_id, const char *body_json, int64_t now, int64_t *id)
{
	return s->ops->outbox_add_target(s, target, type, device_id, case_id, body_json, now, id);
}

int store_outbox_last_id(struct store *s, int64_t *id)
{
	return s->ops->outbox_last_id(s, id);
}

int store_outbox_pending(struct store *s, int64_t subscription_id, int64_t cursor, int64_t *count,
			 int64_t *oldest_created)
{
	return s->ops->outbox_pending(s, subscription_id, cursor, count, oldest_created);
}

void store_outbox_row_clear(struct store_outbox_row *row)
{
	lf_free_ptr(&row->body);
}

int store_measure_add(struct store *s, struct store_measure *m)
{
	return s->ops->measure_add(s, m);
}

int store_measure_get(struct store *s, int64_t id, struct store_measure *out)
{
	return s->ops->measure_get(s, id, out);
}

int store_measure_update(struct store *s, const struct store_measure *m)
{
	return s->ops->measure_update(s, m);
}

int store_measure_list(struct store *s, const char *device_id, const char *status, int limit,
		       int (*cb)(void *ctx, const struct store_measure *m), void *ctx)
{
	return s->ops->measure_list(s, device_id, status, limit, cb, ctx);
}

int store_distress_device_put(struct store *s, const struct store_distress_device *d)
{
	return s->ops->distress_device_put(s, d);
}

int store_distress_device_get(struct store *s, const char *device_id, struct store_distress_device *out)
{
	return s->ops->distress_device_get(s, device_id, out);
}

int store_distress_unprovisioned(struct store *s, int64_t since, char (*ids)[STORE_MAX_ID], size_t max, size_t *n)
{
	return s->ops->distress_unprovisioned(s, since, ids, max, n);
}

int store_distress_action_add(struct store *s, const char *device_id, int64_t case_id, const char *kind,
			      const char *args_json, int64_t now, int64_t *id)
{
	return s->ops->distress_action_add(s, device_id, case_id, kind, args_json, now, id);
}

int store_distress_action_next(struct store *s, const char *device_id, struct store_distress_action *out)
{
	return s->ops->distress_action_next(s, device_id, out);
}

int store_distress_action_get(struct store *s, int64_t id, struct store_distress_action *out)
{
	return s->ops->distress_action_get(s, id, out);
}

int store_distress_action_update(struct store *s, const struct store_distress_action *a)
{
	return s->ops->distress_action_update(s, a);
}

int store_distress_action_list(struct store *s, const char *device_id, int status, int limit,
			       int (*cb)(void *ctx, const struct store_distress_action *a), void *ctx)
{
	return s->ops->distress_action_list(s, device_id, status, limit, cb, ctx);
}

int store_distress_action_pending(struct store *s, const char *device_id, int64_t *count)
{
	return s->ops->distress_action_pending(s, device_id, count);
}

void store_distress_action_clear(struct store_distress_action *a)
{
	lf_free_ptr(&a->args);
	lf_free_ptr(&a->result);
}
