/* store_impl.h: what a store back end (sqlite/, later postgres/) provides: a table of operations. */
#ifndef LF_STORE_IMPL_H
#define LF_STORE_IMPL_H

#include "store/store.h"

struct store_ops {
	const char *name;
	void (*close)(struct store *s);
	int (*record_inform)(struct store *s, const struct store_inform *in);
	int (*device_get)(struct store *s, const char *device_id, struct store_device *out);
	int (*device_list)(struct store *s, int (*cb)(void *ctx, const struct store_device *d), void *ctx);
	int (*param_list)(struct store *s, const char *device_id, const char *prefix,
			  int (*cb)(void *ctx, const char *name, const char *value, const char *type, int64_t updated),
			  void *ctx);
	int (*schema_version)(struct store *s);
	int (*task_add)(struct store *s, const char *device_id, const char *method, const char *args_json,
			int64_t now, int64_t *id);
	int (*task_next)(struct store *s, const char *device_id, struct store_task *out);
	int (*task_get)(struct store *s, int64_t id, struct store_task *out);
	int (*task_set_status)(struct store *s, int64_t id, int status, const char *result_json, const char *note,
			       int64_t now);
	int (*task_list)(struct store *s, const char *device_id, int limit,
			 int (*cb)(void *ctx, const struct store_task *t), void *ctx);
	int (*task_transfer_complete)(struct store *s, const char *device_id, const char *command_key,
				      const char *tc_json);
	int (*task_fail_sent)(struct store *s, const char *note, int64_t now, int *count);
	int (*credentials_set)(struct store *s, const char *device_id, const struct store_credentials *c);
	int (*credentials_get)(struct store *s, const char *device_id, struct store_credentials *c);
	int (*block_set)(struct store *s, const char *device_id, int blocked, const char *reason, int64_t now);
	int (*block_get)(struct store *s, const char *device_id, int *blocked, char *reason, size_t reasonlen);
	int (*conn_request_record)(struct store *s, const char *device_id, const char *result, int64_t now);
	int (*cwmp_user_set)(struct store *s, const char *username, const char *ha1_hex);
	int (*cwmp_user_get)(struct store *s, const char *username, char *ha1_hex, size_t len);
	int (*file_add)(struct store *s, const struct store_file *f);
	int (*file_get)(struct store *s, const char *name, struct store_file *f);
	int (*begin)(struct store *s);
	int (*end)(struct store *s, int failed);
	int (*alarm_record)(struct store *s, struct store_alarm *a, int *is_new);
	int (*alarm_get)(struct store *s, int64_t id, struct store_alarm *out);
	int (*alarm_list)(struct store *s, const char *device_id, int limit,
			  int (*cb)(void *ctx, const struct store_alarm *a), void *ctx);
	int (*alarm_set_case)(struct store *s, int64_t alarm_id, int64_t case_id);
	int (*case_insert)(struct store *s, struct store_case *c);
	int (*case_get)(struct store *s, int64_t id, struct store_case *out);
	int (*case_open_of)(struct store *s, const char *device_id, struct store_case *out);
	int (*case_update)(struct store *s, const struct store_case *c);
	int (*case_list)(struct store *s, const char *device_id, int open_only, int limit,
			 int (*cb)(void *ctx, const struct store_case *c), void *ctx);
	int (*case_due)(struct store *s, int64_t now_ms, int64_t *ids, size_t max, size_t *n);
	int (*case_event_add)(struct store *s, const struct store_case_event *e);
	int (*case_events)(struct store *s, int64_t case_id, int (*cb)(void *ctx, const struct store_case_event *e),
			   void *ctx);
	int (*outbox_add)(struct store *s, const char *type, const char *device_id, int64_t case_id,
			  const char *body_json, int64_t now, int64_t *id);
	int (*file_list)(struct store *s, int (*cb)(void *ctx, const struct store_file *f), void *ctx);
	/* northbound (Interface Type 2): alarm records, subscriptions, outbox reading, measures */
	int (*alarm_query)(struct store *s, const struct store_alarm_filter *f, int limit,
			   int (*cb)(void *ctx, const struct store_alarm_record *r), void *ctx);
	int (*alarm_record_of)(struct store *s, int64_t alarm_event_id, int64_t *record_id);
	int (*alarm_ack)(struct store *s, int64_t id, int acked, const char *user, int64_t now);
	int (*alarm_clear)(struct store *s, int64_t id, const char *user, int64_t now);
	int (*subscription_add)(struct store *s, struct store_subscription *sub, int64_t now);
	int (*subscription_get)(struct store *s, int64_t id, struct store_subscription *out);
	int (*subscription_list)(struct store *s, int (*cb)(void *ctx, const struct store_subscription *sub),
				 void *ctx);
	int (*subscription_delete)(struct store *s, int64_t id);
	int (*subscription_set_url)(struct store *s, int64_t id, const char *url);
	int (*subscription_advance)(struct store *s, int64_t id, int64_t cursor, int delivered, int64_t now_ms);
	int (*subscription_failed)(struct store *s, int64_t id, const char *error, int64_t now_ms);
	int (*outbox_after)(struct store *s, int64_t after_id, int limit,
			    int (*cb)(void *ctx, const struct store_outbox_row *row), void *ctx);
	int (*outbox_add_target)(struct store *s, int64_t target, const char *type, const char *device_id,
				 int64_t case_id, const char *body_json, int64_t now, int64_t *id);
	int (*outbox_last_id)(struct store *s, int64_t *id);
	int (*outbox_pending)(struct store *s, int64_t subscription_id, int64_t cursor, int64_t *count,
			      int64_t *oldest_created);
	int (*measure_add)(struct store *s, struct store_measure *m);
	int (*measure_get)(struct store *s, int64_t id, struct store_measure *out);
	int (*measure_update)(struct store *s, const struct store_measure *m);
	int (*measure_list)(struct store *s, const char *device_id, const char *status, int limit,
			    int (*cb)(void *ctx, const struct store_measure *m), void *ctx);
	/* distress channel (5.7.3.1): per-device keys, the action queue */
	int (*distress_device_put)(struct store *s, const struct store_distress_device *d);
	int (*distress_device_get)(struct store *s, const char *device_id, struct store_distress_device *out);
	int (*distress_unprovisioned)(struct store *s, int64_t since, char (*ids)[STORE_MAX_ID], size_t max, size_t *n);
	int (*distress_action_add)(struct store *s, const char *device_id, int64_t case_id, const char *kind,
				   const char *args_json, int64_t now, int64_t *id);
	int (*distress_action_next)(struct store *s, const char *device_id, struct store_distress_action *out);
	int (*distress_action_get)(struct store *s, int64_t id, struct store_distress_action *out);
	int (*distress_action_update)(struct store *s, const struct store_distress_action *a);
	int (*distress_action_list)(struct store *s, const char *device_id, int status, int limit,
				    int (*cb)(void *ctx, const struct store_distress_action *a), void *ctx);
	int (*distress_action_pending)(struct store *s, const char *device_id, int64_t *count);
};

/* Every back end's handle starts with this. */
struct store {
	const struct store_ops *ops;
	uint64_t task_version; /* store_task_version: bumped by store.c, whatever the backend */
};

int store__sqlite_open(const char *path, struct store **out, char *err, size_t errlen);

#endif
