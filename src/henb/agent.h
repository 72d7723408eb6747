/* agent.h: the henbd agent: its state, pending CWMP events, and the single event loop that drives sessions. */
#ifndef LF_HENB_AGENT_H
#define LF_HENB_AGENT_H

#include <signal.h>
#include <stdint.h>

#include "henb/config.h"
#include "henb/persist.h"

/* Pending Inform events (TR-069 3.7.1.5 EventCodes this agent raises). */
enum henb_event {
	HENB_EV_BOOTSTRAP = 1u << 0, /* 0 BOOTSTRAP */
	HENB_EV_BOOT = 1u << 1,      /* 1 BOOT */
	HENB_EV_PERIODIC = 1u << 2,  /* 2 PERIODIC */
};

struct henb_agent {
	struct henb_config cfg;
	struct henb_state state;
	char state_path[600];
	unsigned pending;        /* enum henb_event bits not yet delivered */
	unsigned retry_count;    /* failed session attempts since the last success */
	int64_t next_attempt_ms; /* earliest time of the next session attempt */
	int64_t next_periodic_ms;
	int64_t start_ms;
	int wake_fd[2];          /* self-pipe: signals (and later listeners) wake the loop */
	volatile sig_atomic_t stop;
};

/* henb_agent_init: load the persisted state and decide the boot events. err names the problem. */
int henb_agent_init(struct henb_agent *a, const struct henb_config *cfg, char *err, size_t errlen);
/* henb_agent_run: the event loop; returns when stop is set (henb_agent_stop from a signal handler). */
int henb_agent_run(struct henb_agent *a);
/* henb_agent_stop: async-signal-safe request to leave the loop. */
void henb_agent_stop(struct henb_agent *a);
void henb_agent_free(struct henb_agent *a);

#endif
