/* sqlite_outbox.h: the SQLite back end's northbound operations (sqlite_outbox.c): alarm records with their
 * ack/clear state, subscriptions and delivery cursors, outbox reading, higher-level measures. */
#ifndef LF_STORE_SQLITE_OUTBOX_H
#define LF_STORE_SQLITE_OUTBOX_H

#include "store/store_impl.h"

int sq_alarm_query(struct store *s, const struct store_alarm_filter *f, int limit,
                   int (*cb)(void *ctx, const struct store_alarm_record *r), void *ctx);
int sq_alarm_record_of(struct store *s, int64_t alarm_event_id, int64_t *record_id);
int sq_alarm_ack(struct store *s, int64_t id, int acked, const char *user, int64_t now);
int sq_alarm_clear(struct store *s, int64_t id, const char *user, int64_t now);
int sq_subscription_add(struct store *s, struct store_subscription *sub, int64_t now);
int sq_subscription_get(struct store *s, int64_t id, struct store_subscription *out);
int sq_subscription_list(struct store *s, int (*cb)(void *ctx, const struct store_subscription *sub), void *ctx);
int sq_subscription_delete(struct store *s, int64_t id);
int sq_subscription_set_url(struct store *s, int64_t id, const char *url);
int sq_subscription_advance(struct store *s, int64_t id, int64_t cursor, int delivered, int64_t now_ms);
int sq_subscription_failed(struct store *s, int64_t id, const char *error, int64_t now_ms);
int sq_outbox_after(struct store *s, int64_t after_id, int limit,
                    int (*cb)(void *ctx, const struct store_outbox_row *row), void *ctx);
int sq_outbox_add_target(struct store *s, int64_t target, const char *type, const char *device_id, int64_t case_id,
                         const char *body_json, int64_t now, int64_t *id);
int sq_outbox_last_id(struct store *s, int64_t *id);
int sq_outbox_pending(struct store *s, int64_t subscription_id, int64_t cursor, int64_t *count,
                      int64_t *oldest_created);
int sq_measure_add(struct store *s, struct store_measure *m);
int sq_measure_get(struct store *s, int64_t id, struct store_measure *out);
int sq_measure_update(struct store *s, const struct store_measure *m);
int sq_measure_list(struct store *s, const char *device_id, const char *status, int limit,
                    int (*cb)(void *ctx, const struct store_measure *m), void *ctx);

#endif
