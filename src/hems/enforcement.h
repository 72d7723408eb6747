/* enforcement.h: higher-level measures (TS 32.593 5.7.4) run when NM instructs or when policy says so: blocking
 * at the HeMS (built in) and, through configured adapters (exec: a program fed JSON on stdin; webhook: a POST
 * retried by the outbox), the SeGW blacklist, the HeNB-GW/MME block and telling the subscriber to replace the
 * HeNB. Every result goes to the case timeline and northbound (notifyEnforcementResult). */
#ifndef LF_HEMS_ENFORCEMENT_H
#define LF_HEMS_ENFORCEMENT_H

#include <stddef.h>
#include <stdint.h>

#include "common/buf.h"
#include "hems/hems.h"

/* The notification a webhook adapter receives (addressed to its subscription only). */
#define HEMS_NOTIFY_ENFORCEMENT_REQUEST "notifyEnforcementRequest"

#define HEMS_MEASURE_HEMS_BLOCK "hems-block"
#define HEMS_MEASURE_HEMS_UNBLOCK "hems-unblock"
#define HEMS_MEASURE_SEGW_BLACKLIST "segw-blacklist"
#define HEMS_MEASURE_GW_BLOCK "gw-block"
#define HEMS_MEASURE_SUBSCRIBER_NOTIFY "subscriber-notify"

/* hems_enforcement_start: check the enforcement.* keys (err names the bad one), set up the webhook adapters'
 * subscriptions and the policy's cursor, take up measures a previous hemsd left unfinished, start the thread
 * that runs exec adapters. Call after the store is open, before the HTTP server starts. */
int hems_enforcement_start(struct hems *h, char *err, size_t errlen);
/* hems_enforcement_stop: kill an adapter still running (its measure is run again at the next start), join. */
void hems_enforcement_stop(struct hems *h);
/* hems_enforcement_poll: on the event loop: record finished measures (store, case timeline, notification) and
 * run the measures policy asks for after notifyDeviceBlocked / notifyAwaitingInstructions /
 * notifyNoCommunicationPossible. */
void hems_enforcement_poll(struct hems *h);

/* hems_enforcement_request: run measure on device_id for actor (reason may be ""). *id gets the measure's id.
 * LF_EINVAL unknown measure, LF_ENOTFOUND unknown device, LF_EUNSUPPORTED no adapter configured, LF_EBUSY the
 * exec queue is full. err says which. */
int hems_enforcement_request(struct hems *h, const char *device_id, const char *measure, const char *reason,
                             const char *actor, int64_t *id, char *err, size_t errlen);
/* hems_enforcement_delivered: the outbox got a 2xx for webhook measure measure_id. Any thread. */
void hems_enforcement_delivered(struct hems *h, int64_t measure_id, const char *detail);

/* hems_enforcement_nbi: GET/POST /nbi/v1/devices/{device_id}/measures[/{measure_id}]. */
void hems_enforcement_nbi(struct hems *h, const char *method, const char *device_id, const char *measure_id,
                          const char *actor, const char *body, size_t len, struct hems_reply *r);
/* hems_enforcement_parse: a POST body {"measure", "reason"} -> its fields (fuzzed). */
int hems_enforcement_parse(const char *body, size_t len, char *measure, size_t measurelen, char *reason,
                           size_t reasonlen, char *err, size_t errlen);
/* hems_enforcement_metrics: Prometheus lines (measures by outcome), appended to b. Main thread. */
void hems_enforcement_metrics(struct hems *h, struct lf_buf *b);

#endif
