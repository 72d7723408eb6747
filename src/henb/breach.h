/* breach.h: the HeNB side of a fatal security breach (5.7.2.3): report the alarm (wait for the InformResponse of
 * the session carrying it, bounded), close the session, then shut down through the HAL: RF off first, services
 * stopped, the reason persisted so the device does not come back into service by itself. */
#ifndef LF_HENB_BREACH_H
#define LF_HENB_BREACH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "henb/monitor.h"

struct henb_agent;
struct henb_hal;

/* The protected-storage record of a fatal shutdown: present = the device stays down (its text is the reason).
 * Cleared only by an operator (remove the record; under henb-boot also `henb-image clear-shutdown`). */
#define HENB_BREACH_RECORD "fatal_shutdown"

struct henb_breach {
	bool active;   /* a fatal detection: reporting, then shutting down */
	bool reported; /* the alarm's InformResponse came, or there was nothing to report, or time ran out */
	bool done;     /* shut down: the loop ends */
	enum henb_check check;
	uint64_t seq;               /* the alarm events the report must cover (henb_monitor.alarm_seq) */
	int64_t report_deadline_ms; /* reporting gives up here */
	int64_t close_deadline_ms;  /* the session still open after the report is cut here */
	char reason[256];
};

/* henb_breach_start: a detection the local policy classes fatal (called by the monitor). */
void henb_breach_start(struct henb_agent *a, enum henb_check check, const char *reason);
/* henb_breach_step: the loop's turn (outside or inside a session): report done? then close and shut down. */
void henb_breach_step(struct henb_agent *a, int64_t now);
/* henb_breach_deadline: when henb_breach_step must run next; -1 = no deadline. */
int64_t henb_breach_deadline(const struct henb_agent *a);
/* henb_breach_latched: whether an earlier fatal shutdown keeps the device down; the reason into reason. */
bool henb_breach_latched(struct henb_hal *h, char *reason, size_t reasonlen);

#endif
