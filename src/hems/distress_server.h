/* distress_server.h: hemsd's side of the distress channel (5.7.3.1): the CoAP/DTLS server in hemsd's event
 * loop with per-device PSKs from the store, the per-device queue of distress actions and their results, the
 * trigger sender, and the provisioning of the per-device keys (docs/protocol/distress-channel.md). */
#ifndef LF_HEMS_DISTRESS_SERVER_H
#define LF_HEMS_DISTRESS_SERVER_H

#include <stddef.h>
#include <stdint.h>

#include "distress/codec.h"
#include "hems/hems.h"
#include "store/store.h"

/* hems_distress_start: with cfg.distress_enable, bind the server (UDP cfg.distress_listen_address and
 * cfg.distress_port) and set h->distress; without it do nothing and return LF_OK. Installs
 * hems_distress_on_extended_remediation as h->on_extended_remediation unless another hook is set. */
int hems_distress_start(struct hems *h, char *err, size_t errlen);
/* hems_distress_stop: close the server and clear h->distress (safe when it never started). */
void hems_distress_stop(struct hems *h);

/* Event loop integration (hemsd's single loop; every call is a no-op when the server is off). */
/* hems_distress_fd: the fd to poll for POLLIN (libcoap's epoll fd), -1 when off. */
int hems_distress_fd(struct hems *h);
/* hems_distress_timeout_ms: how long the loop may sleep before hems_distress_run is due (DTLS and CoAP
 * retransmissions, trigger copies); -1 when nothing is scheduled. */
int hems_distress_timeout_ms(struct hems *h);
/* hems_distress_run: process the server's I/O and timers without blocking; call on every loop turn. */
void hems_distress_run(struct hems *h);
/* hems_distress_tick: periodic work (every 500 ms): idle sessions, provisioning of devices without keys. */
void hems_distress_tick(struct hems *h, int64_t now_ms);

/* hems_distress_provision: give device_id new distress keys (PSK and trigger key, 32 random bytes each as 64
 * hex characters): store them and queue the SetParameterValues of Device.X_<OUI>_Distress.{Enable, ServerURL,
 * Identity, PSK, TriggerKey} as a task (_purpose "distress-credentials") for the device's session. Meant for
 * registration (0 BOOTSTRAP, next to the connection request credentials): the old keys stop working at once.
 * Returns LF_OK, LF_EUNSUPPORTED (distress channel off), LF_ENOTFOUND (unknown device), LF_ESTORE. */
int hems_distress_provision(struct hems *h, const char *device_id);

/* hems_distress_queue: queue an action for the device's next distress session (a->kind and its arguments;
 * a->id is ignored), tagged with case_id (0 = none); *id (may be NULL) gets the action id. The caller
 * triggers the device when it wants it now (hems_distress_trigger). Returns LF_OK, LF_EINVAL (kind none or
 * arguments the protocol refuses; err says which), LF_EUNSUPPORTED, LF_ESTORE. */
int hems_distress_queue(struct hems *h, const char *device_id, int64_t case_id, const struct distress_action *a,
                        int64_t *id, char *err, size_t errlen);

/* hems_distress_trigger: send the device a trigger (Annex G datagram signed with its trigger key) to its
 * TriggerAddress, cfg.distress_trigger_repeats times. what (may be NULL) says what was done or why not.
 * Returns LF_OK, LF_ENOTFOUND (no keys or no trigger address known), LF_EINVAL, LF_ENET, LF_EUNSUPPORTED. */
int hems_distress_trigger(struct hems *h, const char *device_id, char *what, size_t whatlen);

/* hems_distress_on_extended_remediation: the h->on_extended_remediation hook: queue the distress actions that
 * carry the case's remediation (diagnose-first: diagnostic; reload-software: download of the approved image,
 * else diagnostic; reconfigure: reboot; otherwise inform), unless the case already has pending ones, then
 * trigger the device. Every step is noted on the case's timeline. */
void hems_distress_on_extended_remediation(struct hems *h, int64_t case_id, const char *reason);

/* A final (done or failed) or accepted distress action, after it was stored: for the remediation engine. */
typedef void (*hems_distress_result_fn)(struct hems *h, const struct store_distress_action *a);
/* hems_distress_set_result_hook: call fn for every stored result (NULL: none). */
void hems_distress_set_result_hook(struct hems *h, hems_distress_result_fn fn);

#endif
