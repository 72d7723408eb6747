/* emergency.h: emergency remediation with the failsafe image (TS 32.593 5.7.3.2, HeNB side), the last remote resort
 * before shutdown. The main image starts it (emergency_remediation_start) when extended remediation failed too:
 * a potential security fault, neither the standard path nor the distress channel reaches a HeMS, the S1 link up.
 * It persists the reason, asks the boot loader for one boot of the read-only failsafe image and reboots. The
 * failsafe image (LF_BOOT_SLOT=failsafe) does only the basics: Inform "X <OUI> EMERGENCY" + "1 BOOT" at the
 * emergency HeMS, RequestDownload("1 Firmware Upgrade Image"), the Download that answers it (download.c: the same
 * signed-image checks), a TransferComplete, then a factory reset into the new main slot, which bootstraps at the
 * initial HeMS (discovery and registration, 5.1). Any step that fails within its bounds (emergency.timeout,
 * emergency.tries, emergency.boots) shuts the HeNB down: RF off first, the reason persisted, it stays down. */
#ifndef LF_HENB_EMERGENCY_H
#define LF_HENB_EMERGENCY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct henb_agent;

/* EMERGENCY_RECORD: the file in henb.state_dir where every call of emergency_remediation_start is recorded
 * ("<ISO time> started|unavailable <reason>"). */
#define EMERGENCY_RECORD "emergency_remediation"
/* HENB_EMERGENCY_PROTECTED: the procedure's state in protected storage (it survives the factory resets that
 * bracket it): "E PHASE REQUESTS FAILSAFE-BOOTS SLOT REASON", see emergency.c. */
#define HENB_EMERGENCY_PROTECTED "emergency"
/* HENB_EMERGENCY_URL_RECORD: the emergency HeMS URL provisioned by the factory in protected storage; it wins over
 * emergency.url, which wins over acs.url (the initial HeMS). */
#define HENB_EMERGENCY_URL_RECORD "emergency_url"

/* The procedure as the running agent sees it (embedded in struct henb_agent). */
struct henb_emergency {
	bool failsafe;        /* running the failsafe image: only the emergency procedure runs (RF off; the
	                       * distress client and extended remediation are not the failsafe's business) */
	bool started;         /* main image: started, the reboot into the failsafe waits for the session's end */
	bool requested;       /* failsafe: RequestDownloadResponse received in this boot */
	bool requesting;      /* failsafe: a RequestDownload is in flight in the open session */
	bool done;            /* failsafe: rebooting into the new image, or shut down */
	unsigned asks;        /* failsafe: RequestDownloads answered without a Download coming */
	int64_t deadline_ms;  /* failsafe: the whole procedure ends by then (lf_now_ms clock) */
	int64_t retry_ms;     /* failsafe: when to ask again after an answer without a Download; -1 none */
	bool announced;       /* failsafe: the X <OUI> EMERGENCY event was queued in this boot */
	bool have_job;        /* failsafe: the emergency HeMS's Download was accepted */
	char command_key[33]; /* its CommandKey */
	bool have_result;     /* failsafe: its TransferComplete is queued (fault below) */
	uint32_t fault;
	char fault_string[128];
	unsigned requests; /* failsafe requests made for this emergency (main image) */
	unsigned fboots;   /* failsafe boots for this emergency */
	char url[257];     /* failsafe: the emergency HeMS's CWMP URL */
	char event[32];    /* failsafe: "X <OUI> EMERGENCY" */
	char reason[256];
};

/* emergency_remediation_start: the agreed hook: start emergency remediation for reason (one line of text), called
 * where the distress path failed too (the standard path failed before). Logs `event=emergency_remediation_start
 * available=yes|no reason="..."` and appends to EMERGENCY_RECORD. Available means: emergency.enable, the S1 link
 * up (HAL s1_link), a boot loader that can boot the failsafe image (henb-boot: LF_BOOT_SLOT and a boot device).
 * Then the reason goes to protected storage, the failsafe image is requested (fw_bootctl_request_failsafe) and the
 * agent wipes its state and reboots once no session is open. Returns true when started (or already under way, or
 * this is the failsafe image itself), false when not available: the caller shuts the HeNB down. */
bool emergency_remediation_start(struct henb_agent *a, const char *reason);

/* henb_emergency_boot: at start, once the integrity monitor is open and before the state is read. In the failsafe
 * image: failsafe mode (count the boot, read the emergency URL; the first failsafe boot of an emergency drops the
 * main image's state and starts from the factory configuration). In a main image: an emergency that did not finish
 * (power cut or crash in the failsafe) asks for the failsafe again, a re-imaged slot closes the procedure.
 * LF_OK: start normally. Otherwise the agent must not start service; a->exit_action says what main does
 * (HENB_EXIT_REBOOT: into the failsafe; HENB_EXIT_SHUTDOWN: bounds exhausted, shut down), the reason in err. */
int henb_emergency_boot(struct henb_agent *a, char *err, size_t errlen);

/* henb_emergency_tick: the loop's turn (every turn, session open or not): the failsafe procedure's steps and
 * bounds. */
void henb_emergency_tick(struct henb_agent *a, int64_t now);
/* henb_emergency_deadline: when the loop must wake for the procedure (lf_now_ms clock), -1 = none. */
int64_t henb_emergency_deadline(const struct henb_agent *a);

/* For the session (session.c). */
/* henb_emergency_acs_url: the URL sessions go to in failsafe mode (the emergency HeMS), NULL otherwise. */
const char *henb_emergency_acs_url(const struct henb_agent *a);
/* henb_emergency_want_request: whether this session should send RequestDownload("1 Firmware Upgrade Image") after
 * the Inform exchange; true marks it in flight. */
bool henb_emergency_want_request(struct henb_agent *a);
/* henb_emergency_request_done: the answer to our RequestDownload came (ok: RequestDownloadResponse; else a
 * fault), or the session ended without one (ok false). */
void henb_emergency_request_done(struct henb_agent *a, bool ok);

#endif
