/* distress.h: henbd's distress client, the HeNB side of extended remediation (5.7.3.1,
 * docs/protocol/distress-channel.md): the trigger listener on the alternative path, the decision to open a
 * distress session (after a trigger whose standard session failed, after N failed sessions with S1 up, for a
 * connection request it could not serve, for a security alarm it could not deliver), the session itself
 * (CoAP/DTLS on the distress thread, distress_worker.c), the actions (distress_action.c), and what happens when
 * the distress path fails too (emergency remediation or shutdown). Driven by the agent's loop like the rest. */
#ifndef LF_HENB_DISTRESS_H
#define LF_HENB_DISTRESS_H

#include <poll.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "distress/protocol.h"
#include "henb/fetch.h"

struct henb_agent;

/* Descriptors henb_distress_pollfds may add: the trigger listener, the distress thread's pipe, a download's
 * transfer and its install thread. */
#define HENB_DISTRESS_MAX_FDS (2 + HENB_FETCH_MAX_SOCKS + 1)

/* henb_distress_init: load the provisioned keys and the client's state from protected storage into the data model
 * and the client, take up a download or a reboot accepted before this boot, open the trigger listener. Call after
 * henb_download_init (SoftwareVersion of the running slot). LF_OK, or LF_EINVAL with the reason in err. a->distress
 * is set either way (henb_distress_free releases it). */
int henb_distress_init(struct henb_agent *a, char *err, size_t errlen);
/* henb_distress_free: end a session in flight (waits at most distress.request_timeout_ms), stop a transfer, close
 * the listener; a->distress becomes NULL. */
void henb_distress_free(struct henb_agent *a);

/* Loop integration. */
/* henb_distress_tick: timers and decisions (every loop turn, whether a standard session is open or not). */
void henb_distress_tick(struct henb_agent *a, int64_t now);
size_t henb_distress_pollfds(struct henb_agent *a, struct pollfd *p, size_t max);
/* henb_distress_process: after poll (p: the entries henb_distress_pollfds filled, with revents). */
void henb_distress_process(struct henb_agent *a, const struct pollfd *p, size_t n, int64_t now);
/* henb_distress_deadline: when the loop must wake for the client (lf_now_ms clock), -1 = no deadline. */
int64_t henb_distress_deadline(const struct henb_agent *a);

/* Events from the agent. */
/* henb_distress_session_done: a standard session ended (informed: the InformResponse came, the standard path
 * works). Call before the agent counts the failure (a->retry_count is the count before it). */
void henb_distress_session_done(struct henb_agent *a, bool informed);
/* henb_distress_start: the HeNB itself wants a distress session (reason, one line of text): extended
 * remediation. Nothing happens when the channel is not provisioned (logged). */
void henb_distress_start(struct henb_agent *a, enum distress_reason reason, const char *text);
/* henb_distress_keys_changed: the HeMS wrote one of Enable, ServerURL, Identity, PSK, TriggerKey: they go to
 * protected storage (the data model holds them volatile). */
void henb_distress_keys_changed(struct henb_agent *a);
/* henb_distress_listener_changed: TriggerPort changed: the listener is opened again. */
void henb_distress_listener_changed(struct henb_agent *a);
/* henb_distress_trigger_port: the bound trigger port (0 = no listener), for the monitor's own listeners. */
uint16_t henb_distress_trigger_port(const struct henb_agent *a);

#endif
