/* extended.h: the one hook through which the HeNB starts extended remediation (5.7.3.1): called when a security
 * alarm cannot be delivered (the HeMS unreachable after the configured number of tries while the S1 link is
 * up). It opens a distress session carrying the pending alarms (distress.c). */
#ifndef LF_HENB_EXTENDED_H
#define LF_HENB_EXTENDED_H

struct henb_agent;

/* EXTENDED_RECORD: the file in henb.state_dir where every call is recorded, one line each
 * ("<ISO time> <reason>"), so tests and operators can see it was called. */
#define EXTENDED_RECORD "extended_remediation"

/* extended_remediation_start: start extended remediation for reason (one line of text). Logs
 * `event=extended_remediation_start reason="..."`, appends to EXTENDED_RECORD and asks the distress client for a
 * session with reason alarm-undeliverable (nothing more when the channel is not provisioned). */
void extended_remediation_start(struct henb_agent *a, const char *reason);

#endif
