/* report.h: what henbsim counts and how it tells: a latency histogram, the live progress line, the summary
 * (text and JSON). */
#ifndef LF_HENBSIM_REPORT_H
#define LF_HENBSIM_REPORT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/* Millisecond latencies: exact up to SIM_HIST_EXACT_MS, then in 1% wide buckets (enough for percentiles). */
#define SIM_HIST_EXACT_MS 1000
#define SIM_MAX_TAMPER 4 /* --tamper events */
#define SIM_HIST_LOG_BUCKETS 1200

struct sim_hist {
	uint64_t exact[SIM_HIST_EXACT_MS];
	uint64_t log[SIM_HIST_LOG_BUCKETS];
	uint64_t n;
	uint64_t max_ms;
};

void sim_hist_add(struct sim_hist *h, uint64_t ms);
/* sim_hist_pct: the latency at or below which p (0..100) percent of the samples lie; 0 without samples. */
uint64_t sim_hist_pct(const struct sim_hist *h, double p);

/* Session failure reasons counted separately (the rest is "other"). */
enum sim_fail {
	SIM_FAIL_BUSY,     /* 503 from the HeMS (too many sessions) */
	SIM_FAIL_NET,      /* connection refused, reset, timed out */
	SIM_FAIL_AUTH,     /* 401 */
	SIM_FAIL_PROTOCOL, /* a message we could not use, a fault from the HeMS */
	SIM_FAIL_OTHER,
	SIM_FAIL_COUNT
};

/* One --tamper event: when, how many, what the devices saw. */
struct sim_tamper_result {
	const char *check;
	int64_t at_unix_ms;       /* its first device; 0 if it did not happen */
	int64_t last_unix_ms;     /* its last device (spread events) */
	size_t devices, delivered;
	struct sim_hist alarm_ms; /* tamper to the InformResponse of the Inform that carried the alarm */
	struct sim_hist remedy_ms; /* that InformResponse to the HeMS's first request */
};

struct sim_summary {
	double elapsed_s;
	size_t devices, started, registered, dropped, down, start_failed, rebooted;
	double all_powered_s;     /* when the last device was powered on (with --rate 0: sessions start then) */
	double all_registered_s;  /* when the last device registered; -1 if not all did */
	uint64_t sessions_ok, sessions_failed;
	uint64_t fail[SIM_FAIL_COUNT];
	uint64_t cr_received;     /* connection requests routed to a device */
	size_t tampered, alarms_delivered;
	double all_alarms_s;      /* tamper time to the last alarm delivered; -1 if not all were */
	struct sim_hist session_ms;   /* session start to end (good and failed) */
	struct sim_hist register_ms;  /* power-on to the first good session */
	struct sim_tamper_result tamper[SIM_MAX_TAMPER]; /* per --tamper event */
	size_t n_tamper;
	uint64_t rpcs;                /* requests from the HeMS answered */
	size_t peak_inflight;
	long peak_rss_kb;
};

/* sim_progress: one status line (to f, overwritten in place when f is a terminal). */
void sim_progress(FILE *f, const struct sim_summary *s, size_t inflight, double sessions_per_s);
/* sim_summary_print: the end-of-run summary in words. */
void sim_summary_print(FILE *f, const struct sim_summary *s);
/* sim_summary_json: the same as one JSON object into path. LF_OK or the write error. */
int sim_summary_json(const struct sim_summary *s, const char *path);

#endif
