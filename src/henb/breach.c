/* breach.c: fatal security breach on the HeNB (5.7.2.3): the alarm goes out first (the session carrying it gets
 * its InformResponse, within monitor.fatal_report_timeout), the session is closed, then the device shuts down:
 * RF transmitter off, connection request listeners closed, the reason persisted in protected storage (and in
 * the boot state under henb-boot), exit with the HAL's shutdown status. */
#include "henb/breach.h"

#include <stdio.h>
#include <string.h>

#include "common/err.h"
#include "common/log.h"
#include "common/timeutil.h"
#include "firmware/bootctl.h"
#include "henb/agent.h"
#include "henb/connreq.h"
#include "henb/hal/hal.h"
#include "henb/session.h"

#define LF_CLOSE_GRACE_MS 2000 /* a session still open after the report may finish (its 204) this long */

void henb_breach_start(struct henb_agent *a, enum henb_check check, const char *reason)
{
	struct henb_breach *b = &a->breach;
	int64_t now = lf_now_ms();
	if (b->active)
		return;
	b->active = true;
	b->check = check;
	b->seq = a->mon.alarm_seq;
	b->report_deadline_ms = now + a->cfg.monitor_fatal_report_timeout * a->cfg.second_ms;
	snprintf(b->reason, sizeof(b->reason), "%s: %s", henb_check_name(check), reason);
	lf_warn("fatal_breach", "check=%s reason=\"%s\" action=report_then_shutdown timeout_ms=%lld",
	        henb_check_name(check), reason, (long long)(b->report_deadline_ms - now));
}

int64_t henb_breach_deadline(const struct henb_agent *a)
{
	const struct henb_breach *b = &a->breach;
	if (!b->active || b->done)
		return -1;
	return b->reported ? b->close_deadline_ms : b->report_deadline_ms;
}

bool henb_breach_latched(struct henb_hal *h, char *reason, size_t reasonlen)
{
	int result = henb_hal_protected_read(h, HENB_BREACH_RECORD, reason, reasonlen);
	if (result == LF_ENOTFOUND)
		return false;
	if (result != LF_OK) /* there, but unreadable or too long: the latch holds all the same */
		snprintf(reason, reasonlen, "(unreadable record %s)", HENB_BREACH_RECORD);
	reason[strcspn(reason, "\r\n")] = '\0';
	return true;
}

/* RF off first, then the services, then the reason on record: the device is down for good. */
static void lf__shutdown(struct henb_agent *a)
{
	struct henb_breach *b = &a->breach;
	if (a->session) {
		lf_info("breach_session_closed", "reason=\"shutting down\"");
		henb_session_free(&a->session);
	}
	if (a->hal && henb_hal_set_rf_tx(a->hal, false) != LF_OK)
		lf_error("rf_tx_off_failed", "reason=fatal_breach");
	a->rf_on = false;
	a->rf_known = true;
	lf_warn("rf_tx", "state=off reason=fatal_breach");
	henb_crhttp_close(&a->crhttp);
	henb_crudp_close(&a->crudp);
	lf_info("services_stopped", "listeners=closed sessions=none");
	char record[300];
	snprintf(record, sizeof(record), "%s\n", b->reason);
	if (!a->hal || henb_hal_protected_write(a->hal, HENB_BREACH_RECORD, record) != LF_OK)
		lf_error("fatal_shutdown_unrecorded", "record=%s", HENB_BREACH_RECORD);
	if (a->mon.cfg.boot_dev[0]) {
		int result = fw_bootctl_request_shutdown(a->mon.cfg.boot_dev, b->reason);
		if (result)
			lf_error("bootctl_shutdown_failed", "dev=%s reason=\"%s\"", a->mon.cfg.boot_dev,
			         lf_strerror(result));
	}
	henb_agent_persist(a);
	b->done = true;
	a->exit_action = HENB_EXIT_SHUTDOWN;
	lf_warn("fatal_shutdown", "reason=\"%s\" launcher=%s", b->reason, a->mon.cfg.boot_dev[0] ? "yes" : "no");
}

void henb_breach_step(struct henb_agent *a, int64_t now)
{
	struct henb_breach *b = &a->breach;
	if (!b->active || b->done)
		return;
	if (!b->reported) {
		if (a->mon.alarm_delivered >= b->seq) {
			b->reported = true;
			lf_info("breach_reported", "check=%s", henb_check_name(b->check));
		} else if (now >= b->report_deadline_ms) {
			b->reported = true;
			lf_error("breach_report_timeout", "check=%s action=shutdown_unreported",
			         henb_check_name(b->check));
		} else {
			return;
		}
		b->close_deadline_ms = now + LF_CLOSE_GRACE_MS;
	}
	if (a->session && now < b->close_deadline_ms)
		return;
	lf__shutdown(a);
}
