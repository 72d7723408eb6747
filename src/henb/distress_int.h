/* distress_int.h: what the parts of henbd's distress client share (distress.c: decisions, trigger, session;
 * distress_action.c: the actions; distress_download.c: the download action). Not for other modules. */
#ifndef LF_HENB_DISTRESS_INT_H
#define LF_HENB_DISTRESS_INT_H

#include <nettle/sha2.h>
#include <poll.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "distress/codec.h"
#include "firmware/key.h"
#include "henb/distress.h"
#include "henb/distress_saved.h"
#include "henb/distress_worker.h"
#include "henb/fetch.h"
#include "henb/install.h"

struct henb_agent;

/* X_<OUI>_Distress.State */
enum henb__dx_state {
	HENB__DX_IDLE,
	HENB__DX_STANDARD_RETRY, /* a trigger came: the standard session is tried first */
	HENB__DX_ACTIVE,         /* a distress session is wanted or runs */
	HENB__DX_FAILED,         /* the distress path failed too */
};

/* Where a distress session stands (one request in flight on the distress thread at a time). */
enum henb__dx_phase {
	HENB__DX_P_NONE,
	HENB__DX_P_OPEN,   /* INFORM sent */
	HENB__DX_P_REPORT, /* a final result of an earlier action sent */
	HENB__DX_P_NEXT,   /* POLL /d/n sent */
	HENB__DX_P_EXEC,   /* an action runs here (retry-standard-session waits for the standard session) */
	HENB__DX_P_RESULT, /* its RESULT sent */
	HENB__DX_P_WAIT,   /* nothing pending yet: polling again at wait_until_ms */
	HENB__DX_P_END,    /* POLL /d/e sent */
};

#define HENB__DX_RESULTS 4 /* results of this session's actions kept (encoded) for re-deliveries */

/* The download action's transfer, check and install (distress_download.c). */
enum henb__dx_dl_phase { HENB__DL_IDLE, HENB__DL_FETCH, HENB__DL_WAIT, HENB__DL_HASH, HENB__DL_INSTALL };

struct henb__dx_dl {
	bool have_key;
	uint8_t pub[FW_KEY_LEN];
	char dev[HENB_INSTALL_PATH_MAX];
	int boot_slot;
	char path[HENB_INSTALL_PATH_MAX + 64]; /* the image while it arrives */
	enum henb__dx_dl_phase phase;
	struct henb_fetch *fetch;
	struct henb_install *install;
	unsigned attempts;
	int64_t retry_ms;
	int fd; /* HASH: the file being hashed */
	struct sha256_ctx sha;
	uint64_t hashed;
	bool confirm; /* the new image runs: confirm the slot once a distress INFORM got through, then report */
	bool reboot;  /* installed: reboot into it once the session is over */
};

struct henb_distress {
	char prefix[64]; /* "Device.X_<OUI>_Distress." */
	struct henb_distress_saved saved;
	/* trigger listener */
	int trig_fd;
	uint16_t trig_port;
	bool reopen;
	bool have_server_time;
	int64_t server_offset; /* WELCOME server time - our clock, s */
	uint64_t accepted, dropped;
	/* decisions */
	enum henb__dx_state state;
	bool want;      /* a distress session is wanted */
	uint8_t reason; /* enum distress_reason of the next / current session */
	char reason_text[DISTRESS_LEN_REASON + 1];
	unsigned attempts; /* failed attempts in a row */
	int64_t next_try_ms;
	int64_t std_deadline_ms; /* STANDARD_RETRY ends here */
	bool retrigger;          /* a trigger came during a session */
	uint8_t again;           /* another session wanted after this one (its reason), 0 = none */
	char again_text[DISTRESS_LEN_REASON + 1];
	bool unavailable_logged; /* "not provisioned" said once */
	bool path_failed;        /* MaxRetries attempts failed: emergency remediation or shutdown next turn */
	char failed_why[400];
	bool episode;      /* a HeNB-initiated session ran for this outage of the standard path */
	bool restored;     /* the standard path works again while a session runs */
	bool boot_seen;    /* the first standard session since start has ended */
	bool resume_ready; /* saved.resume was accepted before this boot: the boot it asked for happened */
	/* the session */
	struct henb_dworker *w;
	enum henb__dx_phase phase;
	unsigned reopens;
	bool polled; /* the session waited for a poll at least once */
	int64_t opened_ms;
	int64_t wait_until_ms;
	uint64_t alarm_seq; /* the alarm events the INFORM (or an inform result) carried */
	int after;          /* once the RESULT is acknowledged: end the session and reboot / reset */
	int after_session;  /* DISTRESS_KIND_REBOOT / _FACTORY_RESET when the session is over */
	bool await_std;     /* retry-standard-session: waiting for the standard session's outcome */
	int64_t await_std_deadline_ms;
	struct distress_action *act; /* the action being executed */
	struct distress_result *res; /* its result */
	uint64_t done_id[HENB__DX_RESULTS];
	size_t done_len[HENB__DX_RESULTS];
	uint8_t *done_buf[HENB__DX_RESULTS];
	size_t done_next;
	struct henb__dx_dl dl;
};

/* distress.c */
/* henb__dx_save: write the state record to protected storage now (logged on failure). */
void henb__dx_save(struct henb_agent *a);
/* henb__dx_param: X_<OUI>_Distress.<leaf> as the CPE sets it; henb__dx_u32: a numeric one. */
void henb__dx_param(struct henb_agent *a, const char *leaf, const char *value);
uint32_t henb__dx_u32(const struct henb_agent *a, const char *leaf);
/* henb__dx_report: a final result to post in a distress session (now if one runs, else one is opened). */
void henb__dx_report(struct henb_agent *a, const struct henb_distress_report *r);

/* distress_action.c */
enum henb__dx_exec {
	HENB__DX_POST, /* res holds the result: post it */
	HENB__DX_WAIT, /* the result comes later (retry-standard-session) */
};
/* henb__dx_execute: run action act once; res gets its result (action id set); *after: DISTRESS_KIND_REBOOT or
 * _FACTORY_RESET when the HeNB must end the session and do that once the result is acknowledged. */
enum henb__dx_exec henb__dx_execute(struct henb_agent *a, const struct distress_action *act,
                                    struct distress_result *res, int *after);
/* henb__dx_inform: the INFORM of a new session for reason; *alarm_seq gets the alarm events it carries. */
void henb__dx_inform(struct henb_agent *a, uint8_t reason, const char *text, struct distress_inform *in,
                     uint64_t *alarm_seq);
/* henb__dx_copy: s into out (outlen bytes with the NUL), cut at a UTF-8 boundary, control characters replaced
 * by '?' (text: TAB, LF and CR kept). */
void henb__dx_copy(char *out, size_t outlen, const char *s, bool text);

/* distress_download.c */
void henb__dx_dl_init(struct henb_agent *a);
/* henb__dx_dl_start: a download action: accepted (the transfer starts) or failed; res filled. */
void henb__dx_dl_start(struct henb_agent *a, const struct distress_action *act, struct distress_result *res);
/* henb__dx_dl_opened: a distress INFORM got its WELCOME: a new image waiting for that is confirmed and its final
 * result queued. */
void henb__dx_dl_opened(struct henb_agent *a);
size_t henb__dx_dl_pollfds(struct henb_agent *a, struct pollfd *p, size_t max);
void henb__dx_dl_process(struct henb_agent *a, const struct pollfd *p, size_t n, int64_t now);
int64_t henb__dx_dl_deadline(const struct henb_agent *a);
void henb__dx_dl_free(struct henb_agent *a);

#endif
