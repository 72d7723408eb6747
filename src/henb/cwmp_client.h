/* cwmp_client.h: one CWMP session from the CPE side over HTTP(S) with libcurl: Inform, answer ACS requests, 204. */
#ifndef LF_HENB_CWMP_CLIENT_H
#define LF_HENB_CWMP_CLIENT_H

#include <stddef.h>

#include "cwmp/cwmp.h"

struct henb_agent;

/* henb_session_run: open a session to the agent's ACS and deliver an Inform with these events and the
 * forced-inform parameters; then serve the ACS's requests until it answers 204.
 * Returns LF_OK once the whole session ended cleanly (the Inform is delivered as soon as InformResponse came),
 * else an error with the reason in err. *informed is set when InformResponse was received. */
int henb_session_run(struct henb_agent *a, struct cwmp_event *events, size_t n_events, int *informed,
		     char *err, size_t errlen);

#endif
