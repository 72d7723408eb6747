/* outbox.h: delivery of the northbound notifications in the outbox to every subscriber, in order, at least once,
 * across subscriber outages and hemsd crashes (a persisted cursor per subscription), on a worker thread. */
#ifndef LF_HEMS_OUTBOX_H
#define LF_HEMS_OUTBOX_H

#include <jansson.h>
#include <stddef.h>

#include "common/buf.h"
#include "hems/hems.h"
#include "store/store.h"

/* Subscriptions whose consumerReference has this scheme are read inside hemsd (enforcement policy), never
 * POSTed to. */
#define HEMS_OUTBOX_INTERNAL "internal:"

/* hems_outbox_start: start the delivery thread with its own store connection (cfg.store). */
int hems_outbox_start(struct hems *h, char *err, size_t errlen);
/* hems_outbox_stop: abort the POSTs in flight (they are redelivered at the next start), join the thread. */
void hems_outbox_stop(struct hems *h);
/* hems_outbox_kick: new rows or changed subscriptions: look now instead of at the next poll (200 ms). */
void hems_outbox_kick(struct hems *h);

/* hems_outbox_subscription_json: a subscription as the FaultMnS API shows it, with its delivery state (cursor,
 * pending rows, lag in seconds, counters, last error). Main thread (reads h->store). */
json_t *hems_outbox_subscription_json(struct hems *h, const struct store_subscription *s);
/* hems_outbox_metrics: Prometheus lines on delivery state and lag, appended to b. Main thread. */
void hems_outbox_metrics(struct hems *h, struct lf_buf *b);
/* hems_outbox_nbi: GET /nbi/v1/outbox (newest id, recent rows, every subscription's delivery state) and
 * GET /nbi/v1/outbox/{id} (one notification as delivered). id NULL for the first. */
void hems_outbox_nbi(struct hems *h, const char *id, struct hems_reply *r);

/* hems_outbox_payload: the body POSTed for row: its JSON with notificationId = row id. Caller owns (free()). */
char *hems_outbox_payload(const struct store_outbox_row *row);

#endif
