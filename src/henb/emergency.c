/* emergency.c: emergency remediation with the failsafe image (TS 32.593 5.7.3.2, HeNB side). The main image
 * starts it; the failsafe image runs it; the re-imaged main slot closes it. Its state lives in protected storage
 * (HENB_EMERGENCY_PROTECTED), because the procedure wipes henbd.state twice: a device whose security is in doubt
 * goes into the failsafe without its configuration, and comes out of it factory-fresh, to be registered again
 * through the initial HeMS (5.1). Every step has a bound; the end of every bound is a shutdown. */
#include "henb/emergency.h"

#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "common/buf.h"
#include "common/err.h"
#include "common/log.h"
#include "common/timeutil.h"
#include "firmware/bootctl.h"
#include "henb/agent.h"
#include "henb/breach.h"
#include "henb/connreq.h"
#include "henb/download.h"
#include "henb/hal/hal.h"
#include "henb/record.h"
#include "henb/session.h"

/* Phases of the protected record. */
#define LF_PH_FAILSAFE "failsafe" /* the failsafe image must run (again) and finish */
#define LF_PH_REIMAGED "reimaged" /* a new image waits in SLOT; its first boot closes the procedure */
#define LF_PH_FAILED "failed"     /* shut down; an operator who clears the shutdown latch clears this too */

/* The protected record: E PHASE REQUESTS FAILSAFE-BOOTS SLOT REASON. */
struct lf__rec {
	char phase[16];
	unsigned requests; /* failsafe boots requested by a main image */
	unsigned fboots;   /* failsafe boots that ran */
	int slot;          /* reimaged: the slot of the new image */
	char reason[256];
};

/* ------------------------------------------------------------------------------------------------ helpers */

/* Text from outside (the HeMS's fault strings) made safe for a quoted log field or a one-line record. */
static void lf__safe(char *out, size_t outlen, const char *s)
{
	size_t n = 0;
	for (; s && *s && n + 1 < outlen; s++)
		out[n++] = (*s == '"' || (unsigned char)*s < 0x20 || (unsigned char)*s > 0x7e) ? '?' : *s;
	out[n] = '\0';
}

/* The boot device: firmware.dev_dir, or LF_DEV_DIR from henb-boot; "" = none. */
static const char *lf__dev(const struct henb_agent *a)
{
	const char *env = getenv("LF_DEV_DIR");
	return a->cfg.fw_dev_dir[0] ? a->cfg.fw_dev_dir : env ? env : "";
}

/* The slot henb-boot started us from; FW_SLOT_NONE without the launcher. */
static int lf__boot_slot(void)
{
	const char *s = getenv("LF_BOOT_SLOT");
	int slot = s && s[0] ? fw_slot_parse(s) : FW_SLOT_NONE;
	return slot >= FW_SLOT_A ? slot : FW_SLOT_NONE;
}

static int lf__rec_load(struct henb_hal *h, struct lf__rec *r)
{
	char text[600], *f[HENB_RECORD_MAX_FIELDS], type;
	size_t n;
	char *end = NULL;
	memset(r, 0, sizeof(*r));
	r->slot = FW_SLOT_NONE;
	int result = henb_hal_protected_read(h, HENB_EMERGENCY_PROTECTED, text, sizeof(text));
	if (result)
		return result == LF_ENOTFOUND ? LF_ENOTFOUND : LF_EPARSE;
	text[strcspn(text, "\r\n")] = '\0';
	if (henb_record_split(text, &type, f, HENB_RECORD_MAX_FIELDS, &n) || type != 'E' || n != 5)
		return LF_EPARSE;
	unsigned long req = strtoul(f[1], &end, 10);
	if (*end)
		return LF_EPARSE;
	unsigned long fb = strtoul(f[2], &end, 10);
	if (*end || req > 1000 || fb > 1000)
		return LF_EPARSE;
	snprintf(r->phase, sizeof(r->phase), "%s", f[0]);
	r->requests = (unsigned)req;
	r->fboots = (unsigned)fb;
	r->slot = strcmp(f[3], "none") == 0 ? FW_SLOT_NONE : fw_slot_parse(f[3]);
	snprintf(r->reason, sizeof(r->reason), "%s", f[4]);
	if (r->slot < FW_SLOT_NONE || (strcmp(r->phase, LF_PH_FAILSAFE) != 0 && strcmp(r->phase, LF_PH_REIMAGED) != 0 &&
	                               strcmp(r->phase, LF_PH_FAILED) != 0))
		return LF_EPARSE;
	return LF_OK;
}

static int lf__rec_save(struct henb_hal *h, const struct lf__rec *r)
{
	char req[16], fb[16];
	struct lf_buf b;
	snprintf(req, sizeof(req), "%u", r->requests);
	snprintf(fb, sizeof(fb), "%u", r->fboots);
	const char *f[5] = {r->phase, req, fb, fw_slot_name(r->slot), r->reason};
	lf_buf_init(&b, 2048);
	int result = henb_record_put(&b, 'E', f, 5);
	if (!result)
		result = henb_hal_protected_write(h, HENB_EMERGENCY_PROTECTED, b.data);
	lf_buf_free(&b);
	if (result)
		lf_error("emergency_record_unwritable", "record=%s reason=\"%s\"", HENB_EMERGENCY_PROTECTED,
		         lf_strerror(result));
	return result;
}

/* Every call of the hook, one line in STATE_DIR/EMERGENCY_RECORD (for operators and tests). */
static void lf__note_call(const struct henb_agent *a, bool available, const char *reason)
{
	char path[700], when[32], line[512];
	snprintf(path, sizeof(path), "%s/%s", a->cfg.state_dir, EMERGENCY_RECORD);
	lf_time_iso8601(time(NULL), when, sizeof(when));
	snprintf(line, sizeof(line), "%s %s %s\n", when, available ? "started" : "unavailable", reason);
	int fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
	if (fd < 0 || write(fd, line, strlen(line)) != (ssize_t)strlen(line))
		lf_error("emergency_remediation_record_failed", "path=%s", path);
	if (fd >= 0)
		close(fd);
}

/* ------------------------------------------------------------------------------------------------ shutdown */

/* The last resort failed: RF off first, the services stopped, the reason where the boot loader and the next
 * start find it (the fatal shutdown latch: the HeNB stays down until an operator clears it). */
static void lf__shutdown(struct henb_agent *a, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void lf__shutdown(struct henb_agent *a, const char *fmt, ...)
{
	struct henb_emergency *em = &a->emergency;
	char why[300], latch[400];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(why, sizeof(why), fmt, ap);
	va_end(ap);
	em->done = true;
	if (a->session) {
		lf_info("emergency_session_closed", "reason=\"shutting down\"");
		henb_session_free(&a->session);
	}
	if (a->hal && henb_hal_set_rf_tx(a->hal, false) != LF_OK)
		lf_error("rf_tx_off_failed", "reason=emergency_failed");
	a->rf_on = false;
	a->rf_known = true;
	lf_warn("rf_tx", "state=off reason=emergency_failed");
	henb_crhttp_close(&a->crhttp);
	henb_crudp_close(&a->crudp);
	snprintf(latch, sizeof(latch), "emergency remediation failed: %s", why);
	char line[sizeof(latch) + 1];
	snprintf(line, sizeof(line), "%s\n", latch);
	if (!a->hal || henb_hal_protected_write(a->hal, HENB_BREACH_RECORD, line) != LF_OK)
		lf_error("emergency_shutdown_unrecorded", "record=%s", HENB_BREACH_RECORD);
	if (a->hal) {
		struct lf__rec r;
		if (lf__rec_load(a->hal, &r) != LF_OK) {
			memset(&r, 0, sizeof(r));
			r.slot = FW_SLOT_NONE;
		}
		snprintf(r.phase, sizeof(r.phase), "%s", LF_PH_FAILED);
		snprintf(r.reason, sizeof(r.reason), "%s", why);
		lf__rec_save(a->hal, &r);
	}
	const char *dev = lf__dev(a);
	if (dev[0] && lf__boot_slot() != FW_SLOT_NONE) {
		int result = fw_bootctl_request_shutdown(dev, latch);
		if (result)
			lf_error("bootctl_shutdown_failed", "dev=%s reason=\"%s\"", dev, lf_strerror(result));
	}
	if (a->dm)
		henb_agent_persist(a);
	a->exit_action = HENB_EXIT_SHUTDOWN;
	lf_warn("emergency_failed", "reason=\"%s\" action=shutdown rf_tx=off", why);
}

/* ------------------------------------------------------------------------------------------------ main image */

bool emergency_remediation_start(struct henb_agent *a, const char *reason)
{
	struct henb_emergency *em = &a->emergency;
	const char *dev = lf__dev(a);
	const char *no = NULL;
	char shown[256];
	lf__safe(shown, sizeof(shown), reason);
	if (em->failsafe || em->started) {
		/* The procedure is already what runs: nothing new to start, nothing to shut down for. */
		lf_info("emergency_remediation_start", "available=yes reason=\"%s\" note=%s", shown,
		        em->failsafe ? "failsafe_mode" : "already_started");
		return true;
	}
	if (!a->cfg.emergency_enable)
		no = "emergency.enable is false";
	else if (!a->hal || !henb_hal_s1_link(a->hal))
		no = "the S1 link is down";
	else if (!dev[0] || lf__boot_slot() == FW_SLOT_NONE)
		no = "no boot loader to start the failsafe image (not run by henb-boot)";
	lf_warn("emergency_remediation_start", "available=%s reason=\"%s\"%s%s%s", no ? "no" : "yes", shown,
	        no ? " why_not=\"" : "", no ? no : "", no ? "\"" : "");
	lf__note_call(a, !no, shown);
	if (no)
		return false;

	/* 5.7.3.2: reset into the failsafe image. The reason first, where the failsafe image finds it. */
	struct lf__rec r;
	memset(&r, 0, sizeof(r));
	snprintf(r.phase, sizeof(r.phase), "%s", LF_PH_FAILSAFE);
	r.requests = 1;
	r.slot = FW_SLOT_NONE;
	snprintf(r.reason, sizeof(r.reason), "%s", shown);
	if (lf__rec_save(a->hal, &r))
		return false;
	int result = fw_bootctl_request_failsafe(dev);
	if (result) {
		lf_error("emergency_failsafe_request_failed", "dev=%s reason=\"%s\"", dev, lf_strerror(result));
		henb_hal_protected_remove(a->hal, HENB_EMERGENCY_PROTECTED);
		return false;
	}
	em->started = true;
	snprintf(em->reason, sizeof(em->reason), "%s", shown);
	/* The configuration of a device in doubt is not carried over: the state goes (as in a factory reset) and the
	 * device reboots once no session is open. */
	a->factory_reset_requested = true;
	lf_warn("emergency_start", "reason=\"%s\" action=failsafe_boot dev=%s", shown, dev);
	return true;
}

/* ------------------------------------------------------------------------------------------------ boot */

/* The emergency HeMS: protected record (factory), emergency.url, acs.url (the initial HeMS). */
static void lf__emergency_url(struct henb_agent *a, char *out, size_t outlen)
{
	char rec[300];
	if (henb_hal_protected_read(a->hal, HENB_EMERGENCY_URL_RECORD, rec, sizeof(rec)) == LF_OK) {
		rec[strcspn(rec, "\r\n \t")] = '\0';
		if (strncmp(rec, "http://", 7) == 0 || strncmp(rec, "https://", 8) == 0) {
			snprintf(out, outlen, "%s", rec);
			return;
		}
		lf_warn("emergency_url_record_invalid", "record=%s action=ignored", HENB_EMERGENCY_URL_RECORD);
	}
	snprintf(out, outlen, "%s", a->cfg.emergency_url[0] ? a->cfg.emergency_url : a->cfg.acs_url);
}

/* The first failsafe boot of an emergency starts from the factory configuration: whatever the main image left
 * (its state, a Download job and its install marker) is not trusted and not the emergency's business. Later
 * failsafe boots (after a power cut) keep their own state: the emergency Download resumes. */
static void lf__fresh_state(struct henb_agent *a)
{
	char path[1200];
	henb_monitor_state_wiping(&a->mon); /* not a change behind henbd's back */
	if (henb_state_wipe(a->state_path))
		lf_error("failsafe_state_wipe_failed", "path=%s", a->state_path);
	if (a->cfg.fw_download_dir[0])
		snprintf(path, sizeof(path), "%s/%s", a->cfg.fw_download_dir, HENB_DOWNLOAD_MARKER);
	else
		snprintf(path, sizeof(path), "%s/download/%s", a->cfg.state_dir, HENB_DOWNLOAD_MARKER);
	if (unlink(path) == 0)
		lf_info("failsafe_marker_removed", "path=%s", path);
	lf_info("failsafe_fresh_state", "path=%s", a->state_path);
}

/* A boot that must not start service: err says why, exit_action what main does. */
static int lf__refuse(struct henb_agent *a, char *err, size_t errlen, const char *what)
{
	snprintf(err, errlen, "%s", what);
	return a->exit_action == HENB_EXIT_REBOOT ? LF_EBUSY : LF_EFORBIDDEN;
}

int henb_emergency_boot(struct henb_agent *a, char *err, size_t errlen)
{
	struct henb_emergency *em = &a->emergency;
	struct lf__rec r;
	char text[400];
	const char *dev = lf__dev(a);
	int slot = lf__boot_slot();
	memset(em, 0, sizeof(*em));
	em->retry_ms = -1;
	int result = lf__rec_load(a->hal, &r);
	if (result == LF_EPARSE) {
		/* Unreadable protected state: the procedure may be under way; carry on with it rather than forget it.
		 */
		lf_error("emergency_record_unreadable", "record=%s action=continue_emergency",
		         HENB_EMERGENCY_PROTECTED);
		memset(&r, 0, sizeof(r));
		snprintf(r.phase, sizeof(r.phase), "%s", LF_PH_FAILSAFE);
		r.slot = FW_SLOT_NONE;
		snprintf(r.reason, sizeof(r.reason), "(unreadable emergency record)");
		result = LF_OK;
	}

	if (slot == FW_SLOT_FAILSAFE) {
		em->failsafe = true;
		if (result == LF_ENOTFOUND) {
			/* henb-boot found no main image that verifies: re-imaging is exactly the remedy. */
			memset(&r, 0, sizeof(r));
			snprintf(r.reason, sizeof(r.reason),
			         "failsafe boot without an emergency request: no main image "
			         "could be booted");
		}
		snprintf(r.phase, sizeof(r.phase), "%s", LF_PH_FAILSAFE);
		r.slot = FW_SLOT_NONE;
		r.fboots++;
		lf__rec_save(a->hal, &r);
		snprintf(em->reason, sizeof(em->reason), "%s", r.reason);
		em->fboots = r.fboots;
		em->requests = r.requests;
		if (r.fboots > (unsigned)a->cfg.emergency_boots) {
			lf__shutdown(
			    a, "%u failsafe boots did not complete the emergency procedure (emergency.boots %lld)",
			    r.fboots - 1, a->cfg.emergency_boots);
			return lf__refuse(a, err, errlen, "emergency remediation failed: shut down");
		}
		if (r.fboots == 1)
			lf__fresh_state(a);
		lf__emergency_url(a, em->url, sizeof(em->url));
		snprintf(em->event, sizeof(em->event), "X %s EMERGENCY", a->cfg.oui);
		em->deadline_ms = lf_now_ms() + a->cfg.emergency_timeout * a->cfg.second_ms;
		lf_warn("failsafe_mode", "reason=\"%s\" emergency_hems=%s failsafe_boot=%u timeout_s=%lld tries=%lld",
		        r.reason, em->url, r.fboots, a->cfg.emergency_timeout, a->cfg.emergency_tries);
		return LF_OK;
	}

	if (result == LF_ENOTFOUND)
		return LF_OK;
	if (result) {
		snprintf(err, errlen, "emergency record: %s", lf_strerror(result));
		return LF_EIO;
	}
	if (strcmp(r.phase, LF_PH_REIMAGED) == 0 && slot == r.slot) {
		/* The new image runs: the procedure is over; discovery and registration take it from here. */
		henb_hal_protected_remove(a->hal, HENB_EMERGENCY_PROTECTED);
		lf_warn("emergency_complete", "slot=%s reason=\"%s\" failsafe_boots=%u next=bootstrap_at_initial_hems",
		        fw_slot_name(slot), r.reason, r.fboots);
		return LF_OK;
	}
	if (strcmp(r.phase, LF_PH_FAILED) == 0) {
		/* Only reached when an operator cleared the shutdown latch: the device is meant to run again. */
		henb_hal_protected_remove(a->hal, HENB_EMERGENCY_PROTECTED);
		lf_warn("emergency_cleared", "reason=\"%s\"", r.reason);
		return LF_OK;
	}
	/* The failsafe did not finish (a power cut, a crash, an image that did not verify) or the re-imaged slot did
	 * not come up: back to the failsafe, within emergency.boots. */
	snprintf(em->reason, sizeof(em->reason), "%s", r.reason);
	if (!dev[0] || slot == FW_SLOT_NONE) {
		lf__shutdown(a, "an emergency is under way (%s) but no boot loader can start the failsafe image",
		             r.reason);
		return lf__refuse(a, err, errlen, "emergency remediation failed: shut down");
	}
	if (r.requests >= (unsigned)a->cfg.emergency_boots) {
		lf__shutdown(a, "the failsafe image did not complete the emergency procedure after %u requests",
		             r.requests);
		return lf__refuse(a, err, errlen, "emergency remediation failed: shut down");
	}
	r.requests++;
	if (strcmp(r.phase, LF_PH_REIMAGED) == 0)
		lf_warn("emergency_new_image_failed", "slot=%s running=%s", fw_slot_name(r.slot), fw_slot_name(slot));
	snprintf(r.phase, sizeof(r.phase), "%s", LF_PH_FAILSAFE);
	r.slot = FW_SLOT_NONE;
	result = lf__rec_save(a->hal, &r);
	if (!result)
		result = fw_bootctl_request_failsafe(dev);
	if (result) {
		lf__shutdown(a, "cannot request the failsafe image again: %s", lf_strerror(result));
		return lf__refuse(a, err, errlen, "emergency remediation failed: shut down");
	}
	if (a->hal)
		henb_hal_set_rf_tx(a->hal, false);
	a->exit_action = HENB_EXIT_REBOOT;
	lf_warn("emergency_resume", "reason=\"%s\" slot=%s request=%u action=failsafe_boot", r.reason,
	        fw_slot_name(slot), r.requests);
	snprintf(text, sizeof(text), "emergency remediation under way (%s): rebooting into the failsafe image",
	         r.reason);
	return lf__refuse(a, err, errlen, text);
}

/* ------------------------------------------------------------------------------------------------ failsafe */

/* The new image is installed and pending: record it, then wipe the state and reboot into it (the boot loader
 * boots the pending slot on trial; its agent bootstraps at the initial HeMS). */
static void lf__reimaged(struct henb_agent *a)
{
	struct henb_emergency *em = &a->emergency;
	struct fw_bootctl bc;
	struct lf__rec r;
	char why[300];
	const char *dev = lf__dev(a);
	if (!dev[0] || fw_bootctl_load(dev, &bc, why, sizeof(why)) != LF_OK) {
		lf__shutdown(a, "the boot state cannot be read after the install");
		return;
	}
	if (bc.pending != FW_SLOT_A && bc.pending != FW_SLOT_B) {
		lf__shutdown(a, "the emergency image is not waiting in a main slot (pending %s)",
		             fw_slot_name(bc.pending));
		return;
	}
	if (lf__rec_load(a->hal, &r) != LF_OK) {
		memset(&r, 0, sizeof(r));
		snprintf(r.reason, sizeof(r.reason), "%s", em->reason);
		r.fboots = em->fboots;
	}
	snprintf(r.phase, sizeof(r.phase), "%s", LF_PH_REIMAGED);
	r.slot = bc.pending;
	if (lf__rec_save(a->hal, &r)) {
		lf__shutdown(a, "the emergency record cannot be written");
		return;
	}
	em->done = true;
	a->factory_reset_requested = true;
	lf_warn("emergency_reimaged", "command_key=\"%s\" slot=%s action=factory_reset_reboot", em->command_key,
	        fw_slot_name(bc.pending));
}

/* The emergency Download in the agent's queues: the job, then its TransferComplete (any in the failsafe's own
 * factory-fresh state is the emergency's). */
static void lf__follow_download(struct henb_agent *a)
{
	struct henb_emergency *em = &a->emergency;
	if (a->st.dl.used && !em->have_job) {
		em->have_job = true;
		snprintf(em->command_key, sizeof(em->command_key), "%s", a->st.dl.command_key);
		lf_info("emergency_download_accepted", "command_key=\"%s\"", em->command_key);
	}
	for (size_t i = 0; i < a->st.n_tc && !em->have_result; i++) {
		const struct henb_transfer *t = &a->st.tc[i];
		if (em->have_job && strcmp(t->command_key, em->command_key) != 0)
			continue;
		em->have_job = true;
		em->have_result = true;
		snprintf(em->command_key, sizeof(em->command_key), "%s", t->command_key);
		em->fault = t->fault_code;
		lf__safe(em->fault_string, sizeof(em->fault_string), t->fault_string);
		lf_info("emergency_download_result", "command_key=\"%s\" fault=%u", em->command_key, em->fault);
	}
}

static bool lf__result_queued(const struct henb_agent *a)
{
	for (size_t i = 0; i < a->st.n_tc; i++)
		if (strcmp(a->st.tc[i].command_key, a->emergency.command_key) == 0)
			return true;
	return false;
}

void henb_emergency_tick(struct henb_agent *a, int64_t now)
{
	struct henb_emergency *em = &a->emergency;
	if (!em->failsafe || em->done)
		return;
	/* The failsafe does not register anywhere: it tells the emergency HeMS why it is here and asks for an image. */
	a->pending &= ~(unsigned)HENB_EV_BOOTSTRAP;
	if (!em->announced) {
		em->announced = true;
		a->pending |= HENB_EV_EMERGENCY;
	}
	if (em->requesting && !a->session)
		em->requesting = false; /* the session ended before the answer: the next one asks again */
	lf__follow_download(a);
	if (a->session)
		return;
	if (em->have_result && !lf__result_queued(a)) {
		/* The emergency HeMS acknowledged the TransferComplete. */
		if (em->fault == 0)
			lf__reimaged(a);
		else
			lf__shutdown(a, "the emergency image was refused: TransferComplete fault %u (%s)", em->fault,
			             em->fault_string);
		return;
	}
	if (now >= em->deadline_ms) {
		lf__shutdown(a, "the emergency procedure did not finish within %lld s (emergency.timeout)",
		             a->cfg.emergency_timeout);
		return;
	}
	if (a->retry_count >= (unsigned)a->cfg.emergency_tries) {
		if (em->have_result && em->fault == 0) {
			/* The image is installed and checked; only its report did not get through. */
			lf_warn("emergency_report_undelivered", "command_key=\"%s\" sessions_failed=%u",
			        em->command_key, a->retry_count);
			lf__reimaged(a);
			return;
		}
		lf__shutdown(a,
		             "the emergency HeMS %s cannot be reached: %u sessions failed in a row (emergency.tries)",
		             em->url, a->retry_count);
		return;
	}
	if (em->requested && !em->have_job && !a->st.dl.used) {
		/* Answered, but no Download came in that session. */
		em->requested = false;
		em->asks++;
		if (em->asks >= (unsigned)a->cfg.emergency_tries) {
			lf__shutdown(a, "the emergency HeMS answered %u RequestDownloads without a Download", em->asks);
			return;
		}
		em->retry_ms = now + a->cfg.retry_min_wait * a->cfg.second_ms;
		lf_warn("emergency_no_download", "asks=%u retry_in_ms=%lld", em->asks, (long long)(em->retry_ms - now));
	}
	if (em->retry_ms >= 0 && now >= em->retry_ms) {
		em->retry_ms = -1;
		a->pending |= HENB_EV_EMERGENCY; /* a session to ask again */
	}
}

int64_t henb_emergency_deadline(const struct henb_agent *a)
{
	const struct henb_emergency *em = &a->emergency;
	if (!em->failsafe || em->done)
		return -1;
	return em->retry_ms >= 0 && em->retry_ms < em->deadline_ms ? em->retry_ms : em->deadline_ms;
}

const char *henb_emergency_acs_url(const struct henb_agent *a)
{
	return a->emergency.failsafe ? a->emergency.url : NULL;
}

bool henb_emergency_want_request(struct henb_agent *a)
{
	struct henb_emergency *em = &a->emergency;
	if (!em->failsafe || em->done || em->requested || em->requesting || em->have_job || em->retry_ms >= 0 ||
	    a->st.dl.used || a->st.n_tc)
		return false;
	em->requesting = true;
	lf_info("emergency_request_download", "file_type=\"1 Firmware Upgrade Image\" url=%s", em->url);
	return true;
}

void henb_emergency_request_done(struct henb_agent *a, bool ok)
{
	struct henb_emergency *em = &a->emergency;
	em->requesting = false;
	/* A fault answer counts like an answer without a Download (the emergency HeMS will not send one). */
	em->requested = true;
	lf_info("emergency_request_answered", "ok=%s", ok ? "yes" : "no");
}
