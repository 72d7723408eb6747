/* fleet.h: many simulated HeNBs in one process on one event loop. Every device is a real henbd agent (the
 * henb library: data model, CWMP session, integrity monitor, FaultMgmt, connection requests) with its own
 * identity, state directory and device directory; the fleet only drives their loops, shares one connection
 * request listener between them, and plays the world around them (power-on ramp, tampering, network loss). */
#ifndef LF_HENBSIM_FLEET_H
#define LF_HENBSIM_FLEET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "henb/config.h"
#include "henb/monitor.h"
#include "henbsim/report.h"

#define SIM_MAX_SETS 64

/* A share of the fleet that something happens to at a time after start. */
struct sim_event {
	double share;          /* 0..1 of the devices */
	double at_s;           /* seconds after the fleet started (or after every device registered) */
	bool after_registered; /* at_s counts from the moment the whole fleet was registered */
	enum henb_check check; /* tamper: which detector sees it */
	double per_s;          /* tamper: devices per second from AT on (0: all at once) */
	bool used;
};

struct sim_options {
	const char *acs_url;
	size_t devices;
	double rate;              /* devices powered on per second; 0 = all at once */
	const char *dir;          /* where the devices' state and device directories go (tmpfs: in memory) */
	const char *serial_prefix;
	const char *cr_address;   /* the shared connection request listener */
	unsigned cr_port;         /* 0 = any free port */
	size_t max_inflight;      /* sessions open at once (the simulator's own sockets and memory) */
	double duration_s;        /* run this long after start; 0 = until a condition below or a signal */
	bool until_registered;    /* stop once every device had a good session */
	bool until_alarms;        /* stop once every tampered device delivered its alarm */
	double timeout_s;         /* give up on the conditions after this long (0 = never) */
	double linger_s;          /* keep running this long once the conditions are met (background load) */
	struct sim_event tamper[SIM_MAX_TAMPER]; /* a device is tampered with once: later events skip it */
	size_t n_tamper;
	struct sim_event drop;
	const char *sets[SIM_MAX_SETS]; /* henbd configuration for every device; "{serial}" is replaced */
	size_t n_sets;
	const char *json_path;    /* the summary as JSON ("" = none) */
	const char *timeline_path; /* one line per second: t registered sessions alarms ("" = none) */
	bool quiet;               /* no progress line */
};

/* sim_run: build the fleet, run it until done, print the summary; the summary also in *out.
 * LF_OK, or the start-up error in err. */
int sim_run(const struct sim_options *o, struct sim_summary *out, char *err, size_t errlen);
/* sim_stop: async-signal-safe request to end the run (the summary is still printed). */
void sim_stop(void);

#endif
