/* agent.h: the henbd agent: its state, pending CWMP events, and the single event loop that drives sessions,
 * timers and the connection request listeners. */
#ifndef LF_HENB_AGENT_H
#define LF_HENB_AGENT_H

#include <signal.h>
#include <stdbool.h>
#include <stdint.h>

#include "cwmp/cwmp.h"
#include "cwmp/udp_connreq.h"
#include "henb/connreq.h"
#include "henb/distress.h"
#include "henb/download.h"
#include "henb/http.h"
#include "henb/config.h"
#include "henb/dm.h"
#include "henb/breach.h"
#include "henb/emergency.h"
#include "henb/faultmgmt.h"
#include "henb/limits.h"
#include "henb/monitor.h"
#include "henb/persist.h"
#include "henb/ratelimit.h"

/* The most descriptors one agent waits on: wake pipe, two listeners, a download, the distress channel, a session. */
#define HENB_AGENT_MAX_FDS (3 + HENB_DOWNLOAD_MAX_FDS + HENB_DISTRESS_MAX_FDS + HENB_HTTP_MAX_SOCKS)

struct henb_session;
struct henb_crhttp;
struct henb_crudp;
struct henb_hal;
struct henb_download;
struct henb_distress;

/* Pending Inform events (TR-069 3.7.1.5 EventCodes) that are plain flags. "4 VALUE CHANGE", "7 TRANSFER
 * COMPLETE", "M Reboot", "M ScheduleInform" and "M Download" are derived from the data model's change marks,
 * the transfer queue, and the scheduled informs. */
enum henb_event {
	HENB_EV_BOOTSTRAP = 1u << 0, /* 0 BOOTSTRAP */
	HENB_EV_BOOT = 1u << 1,      /* 1 BOOT */
	HENB_EV_PERIODIC = 1u << 2,  /* 2 PERIODIC */
	HENB_EV_SCHEDULED = 1u << 3, /* 3 SCHEDULED */
	HENB_EV_CONNREQ = 1u << 4,   /* 6 CONNECTION REQUEST */
	HENB_EV_DIAG = 1u << 5,      /* 8 DIAGNOSTICS COMPLETE */
	HENB_EV_EMERGENCY = 1u << 6, /* X <OUI> EMERGENCY: the failsafe image tells why it runs (emergency.c) */
};

/* Messages to the loop from data model callbacks (they may run inside a session). */
enum henb_note {
	HENB_NOTE_PERIODIC,        /* PeriodicInform* changed: reschedule */
	HENB_NOTE_LISTENERS,       /* HTTPConnectionRequestEnable changed */
	HENB_NOTE_RF,              /* FAPControl.LTE.AdminState changed */
	HENB_NOTE_ACS_URL,         /* ManagementServer.URL changed: 0 BOOTSTRAP to the new ACS */
	HENB_NOTE_DIAG_REQUESTED,  /* SelfTestDiagnostics.DiagnosticsState = Requested */
	HENB_NOTE_DIAG_CANCELED,
};

/* How the agent's life ends when the loop returns. */
enum henb_exit {
	HENB_EXIT_NONE = 0, /* stopped by a signal */
	HENB_EXIT_REBOOT,   /* Reboot / FactoryReset: main calls henb_hal_reboot */
	HENB_EXIT_SHUTDOWN, /* main calls henb_hal_shutdown */
};

/* A ScheduleInform waiting for its time (not persisted: lost on reboot). */
struct henb_scheduled {
	bool used;
	bool fired;       /* due: reported as 3 SCHEDULED + M ScheduleInform in the next Inform */
	int64_t due_ms;
	char command_key[33];
};

/* What one session's Inform carried, to clear once InformResponse came (or restore if it did not). */
struct henb_delivery {
	unsigned events;               /* enum henb_event bits */
	unsigned scheduled;            /* bit i: sched[i] was reported */
	bool reboot;                   /* M Reboot */
	struct henb_dm_ref changed[HENB_MAX_CHANGED];
	size_t n_changed;
	uint64_t alarm_seq;            /* the alarm events written before this Inform (henb_monitor.alarm_seq) */
};

/* A host that embeds agents in its own event loop (henbsim: many HeNBs in one process) instead of
 * henb_agent_run. Everything else - data model, sessions, detectors, alarms - is the same code. */
struct henb_agent_host {
	void *ctx;
	/* cr_url: the host's shared connection request listener for this device (it routes requests to
	 * henb_agent_cr_ops); the agent opens no HTTP listener of its own. NULL: the agent's own listener. */
	const char *cr_url;
	/* may_start: whether a session that is due may open now (the host's own bound on open sessions); when
	 * it says no, the host steps the agent again once a slot is free. NULL: always. */
	bool (*may_start)(void *ctx, struct henb_agent *a);
	/* informed: the InformResponse came (what the Inform carried, alarms included, is delivered). */
	void (*informed)(void *ctx, struct henb_agent *a);
	/* rpc_received: the ACS sent a request in the session (before it is answered). */
	void (*rpc_received)(void *ctx, struct henb_agent *a, enum cwmp_method method);
	/* session_done: every session's end, with its result (LF_OK or the error and why) and its duration. */
	void (*session_done)(void *ctx, struct henb_agent *a, int result, const char *why, bool informed,
			     int64_t duration_ms);
};

/* Where this pass of the loop put each source's descriptors in the pollfd array. */
struct henb_agent_fdmap {
	size_t i_http, i_udp, i_dl, n_dl, i_dx, n_dx, i_sess, n;
};

struct henb_agent {
	struct henb_config cfg;        /* factory configuration */
	const struct henb_agent_host *host; /* NULL for henbd itself */
	struct henb_agent_fdmap fdmap;
	int64_t session_start_ms;
	char **argv;                   /* for the HAL reboot (re-exec) */
	struct henb_dm *dm;
	struct henb_fm fm;
	struct henb_state st;          /* persisted agent state */
	struct henb_hal *hal;
	struct henb_monitor mon;       /* the integrity monitor (tamper detection, monitor.c) */
	struct henb_breach breach;     /* a fatal security breach being reported, then the shutdown (breach.c) */
	struct henb_emergency emergency; /* emergency remediation, failsafe mode (emergency.c) */
	struct henb_session *session;  /* non-NULL while a session runs */
	struct henb_crhttp *crhttp;
	struct henb_crudp *crudp;
	struct henb_download *download; /* the Download job in progress and the firmware context (download.c) */
	struct henb_distress *distress; /* the distress client: trigger listener, distress sessions (distress.c) */
	struct henb_ratelimit cr_rate;
	char state_path[600];

	unsigned pending;              /* enum henb_event bits not yet delivered */
	struct henb_scheduled sched[HENB_MAX_SCHEDULED];
	struct henb_delivery delivery;
	uint32_t cwmp_id;              /* cwmp:ID of our requests */

	unsigned retry_count;          /* failed session attempts since the last success */
	int64_t next_attempt_ms;       /* earliest time of the next session attempt */
	int64_t next_periodic_ms;      /* -1 when PeriodicInformEnable is false */
	int64_t next_hal_ms;
	int64_t last_session_end_ms;   /* for DefaultActiveNotificationThrottle; -1 before the first */
	int64_t start_ms;
	char local_ip[64];             /* our address on the last HeMS connection (for ConnectionRequestURL) */

	/* Work for when no session is open (flags set inside a session). */
	bool reboot_requested;
	bool factory_reset_requested;
	bool diag_requested;
	bool diag_canceled;
	bool reschedule_periodic;
	bool listeners_changed;
	bool rf_changed;
	bool st_dirty;                 /* st changed since the last write */
	bool wiped;                    /* factory reset: never write the state again */
	bool rf_on, rf_known;          /* what we last told the HAL */

	uint64_t cr_auth_failures;     /* connection requests with bad credentials since start */
	uint64_t cr_rate_limited;
	int wake_fd[2];                /* self-pipe: signals wake the loop */
	volatile sig_atomic_t stop;
	enum henb_exit exit_action;
};

/* henb_agent_init: load the persisted state, build the data model, open the HAL and the listeners, decide
 * the boot events. argv is kept for the re-exec reboot. err names the problem. */
int henb_agent_init(struct henb_agent *a, const struct henb_config *cfg, char **argv, char *err, size_t errlen);
/* henb_agent_init_hosted: the same for an agent driven by a host's loop (host outlives the agent): no wake
 * pipe, the host's connection request listener. */
int henb_agent_init_hosted(struct henb_agent *a, const struct henb_config *cfg, const struct henb_agent_host *host,
			   char *err, size_t errlen);
/* henb_agent_run: the event loop; returns when stop is set (henb_agent_stop from a signal handler). */
int henb_agent_run(struct henb_agent *a);

/* The loop in three steps, for a host that drives many agents:
 * henb_agent_step: timers, housekeeping, and the session that is due. false once the agent's life ended
 * (exit_action: reboot or shutdown). */
bool henb_agent_step(struct henb_agent *a, int64_t now);
/* henb_agent_pollfds: the descriptors to wait on (at most max, HENB_AGENT_MAX_FDS is always enough) and in
 * *deadline the time the agent must be stepped again without I/O. */
size_t henb_agent_pollfds(struct henb_agent *a, struct pollfd *p, size_t max, int64_t now, int64_t *deadline);
/* henb_agent_process: after the wait, with revents filled for the entries henb_agent_pollfds returned. */
void henb_agent_process(struct henb_agent *a, const struct pollfd *p, size_t n, int64_t now);
/* henb_agent_cr_ops: the connection request callbacks of this agent (for a host's shared listener). */
void henb_agent_cr_ops(struct henb_agent *a, struct henb_cr_ops *ops);
/* henb_agent_stop: async-signal-safe request to leave the loop. */
void henb_agent_stop(struct henb_agent *a);
void henb_agent_free(struct henb_agent *a);

/* For the data model callbacks and the RPC handlers. */
int64_t henb_agent_uptime_s(const struct henb_agent *a);
void henb_agent_note(struct henb_agent *a, enum henb_note what);
/* henb_agent_persist: write the state file now if anything changed. LF_OK or the write error. */
int henb_agent_persist(struct henb_agent *a);
/* henb_agent_schedule_inform: a ScheduleInform in delay_s protocol seconds; LF_ETOOBIG when full. */
int henb_agent_schedule_inform(struct henb_agent *a, uint32_t delay_s, const char *command_key);
/* henb_agent_transfer_done: queue a TransferComplete (persisted until acknowledged) and ask for a session. */
int henb_agent_transfer_done(struct henb_agent *a, const struct henb_transfer *tc);
/* henb_agent_transfer_acked: the oldest queued TransferComplete got its TransferCompleteResponse. */
void henb_agent_transfer_acked(struct henb_agent *a);

/* henb_agent_session_due: when (lf_now_ms clock) the next session may start; -1 when there is nothing to
 * deliver. Passive value changes wait for another reason to inform; a session only for active ones starts
 * no sooner than DefaultActiveNotificationThrottle after the end of the last session. */
int64_t henb_agent_session_due(struct henb_agent *a);

/* Called by the session. */
/* henb_agent_inform_events: the Inform's events and changed parameters; records what it carries in
 * a->delivery. The strings point into a (valid until the next call). */
size_t henb_agent_inform_events(struct henb_agent *a, struct cwmp_event *ev, size_t max);
/* henb_agent_informed: InformResponse came: the carried events are delivered. */
void henb_agent_informed(struct henb_agent *a);
/* henb_agent_rpc_received: the ACS sent a request (for the host's counters). */
void henb_agent_rpc_received(struct henb_agent *a, enum cwmp_method method);
/* henb_agent_session_done: the session ended (result LF_OK or the reason); the loop takes over. */
void henb_agent_session_done(struct henb_agent *a, int result, bool informed, const char *why);

#endif
