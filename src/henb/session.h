/* session.h: one CWMP session from the CPE side (TR-069 3.7): Inform, our TransferCompletes, then the ACS's
 * requests until it answers 204 - a state machine fed by the agent's poll() loop. */
#ifndef LF_HENB_SESSION_H
#define LF_HENB_SESSION_H

#include <poll.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct henb_agent;
struct henb_session;

/* henb_session_start: build the Inform (events and parameters from the agent) and POST it to the ACS.
 * Caller owns *out (henb_session_free). LF_OK, or the reason in err. */
int henb_session_start(struct henb_session **out, struct henb_agent *a, char *err, size_t errlen);
size_t henb_session_pollfds(const struct henb_session *s, struct pollfd *p, size_t max);
int64_t henb_session_deadline(const struct henb_session *s);
/* henb_session_process: after poll (p: the entries henb_session_pollfds filled). True once the session is
 * over; henb_session_result then tells how. */
bool henb_session_process(struct henb_session *s, const struct pollfd *p, size_t n, int64_t now_ms);
/* henb_session_result: LF_OK for a clean end (204), else the error, with the reason in why. *informed: the
 * InformResponse came. local_ip: our address on the connection ("" if unknown). */
int henb_session_result(const struct henb_session *s, bool *informed, const char **why, const char **local_ip);
void henb_session_free(struct henb_session **sp);

#endif
