/* connreq.h: waking devices: HTTP connection requests (Digest) and UDP ones (TR-069 Annex G), on a worker thread. */
#ifndef LF_HEMS_CONNREQ_H
#define LF_HEMS_CONNREQ_H

#include <stddef.h>

#include "hems/hems.h"

/* hems_connreq_start: start the worker thread, which has its own store connection (cfg.store). */
int hems_connreq_start(struct hems *h, char *err, size_t errlen);
/* hems_connreq_stop: finish the job in hand, drop the rest, join the thread. */
void hems_connreq_stop(struct hems *h);
/* hems_connreq_wake: queue a connection request to device_id, built from what the store knows (URL, UDP
 * address, credentials). Returns LF_OK, LF_ENOTFOUND (unknown device or no address), LF_EBUSY (queue full). */
int hems_connreq_wake(struct hems *h, const char *device_id);

#endif
