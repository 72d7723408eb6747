/* detect.h: the tamper detectors behind the integrity monitor, one file each (detect_<check>.c), and the pure
 * evaluation functions they are built on (unit-tested on their own). Internal to henbd (henb__ prefix). */
#ifndef LF_HENB_DETECT_H
#define LF_HENB_DETECT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "henb/monitor.h"

/* A detector: what it checks, which alarm it raises, how it reads. */
struct henb_detector {
	enum henb_check check;
	enum alarm_kind kind; /* the alarm of HENB_V_TAMPER */
	bool sensed;          /* a physical input: debounced, and its failure is a sensor failure */
	/* start: at henb_monitor_open (before the state file is read): key material, provisioned values. */
	void (*start)(struct henb_monitor *m);
	/* read: one reading now into r (r zeroed by the caller). */
	void (*read)(struct henb_monitor *m, struct henb_reading *r, int64_t now);
	/* period_ms: time between two readings. */
	int64_t (*period_ms)(const struct henb_monitor *m);
};

extern const struct henb_detector henb__detect_sw;
extern const struct henb_detector henb__detect_config;
extern const struct henb_detector henb__detect_lan;
extern const struct henb_detector henb__detect_behaviour;
extern const struct henb_detector henb__detect_clock;
extern const struct henb_detector henb__detect_antenna;
extern const struct henb_detector henb__detect_case;
extern const struct henb_detector henb__detect_circuit;

/* henb__detector: the detector of a check. */
const struct henb_detector *henb__detector(enum henb_check c);

/* henb__reading: fill r (verdict, printf-style detail; info left as is). */
void henb__reading(struct henb_reading *r, enum henb_verdict v, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* henb__provision: the provisioned reference of an identity kept in protected storage under `record` (ref,
 * already loaded by the detector's start); while there is none, a non-empty value read now becomes it (first
 * boot). True when a reference exists. */
bool henb__provision(struct henb_monitor *m, const char *record, const char *value, char *ref, size_t reflen);

/* ---- pure evaluations (no I/O) */

/* clock: text is the HAL's clock_hz; nominal the provisioned frequency; tolerance in parts per million. */
enum henb_verdict henb__clock_eval(const char *text, uint64_t nominal_hz, unsigned tolerance_ppm, uint64_t *measured_hz,
                                   char *detail, size_t detaillen);
/* henb__parse_u64: a whole decimal number (no sign, no blanks, at most 20 digits). */
bool henb__parse_u64(const char *s, unsigned long long *out);
/* identity (antenna, board): the text read against the provisioned one (what names it in the detail). */
enum henb_verdict henb__identity_eval(const char *what, const char *text, const char *provisioned, char *detail,
                                      size_t detaillen);
/* case: "closed" ok, "open" tamper, anything else unreadable. */
enum henb_verdict henb__case_eval(const char *text, char *detail, size_t detaillen);

/* lan: one failed authentication at now; henb__lan_burst: whether the last `burst` failures fell within
 * window_ms before now. */
void henb__lan_record(struct henb_monitor *m, int64_t now);
bool henb__lan_burst(const struct henb_monitor *m, unsigned burst, int64_t window_ms, int64_t now);

/* behaviour: the tokens of `present` (separated by blanks, commas or newlines) that are neither in `allowed`
 * nor in `own`, space separated into out (cut at outlen). Returns how many. */
size_t henb__unexpected(const char *present, const char *allowed, const char *own, char *out, size_t outlen);

/* config: HMAC-SHA256 of data with key, lower-case hex (65 bytes with the NUL). */
void henb__config_mac(const uint8_t key[32], const void *data, size_t len, char hex[65]);

#endif
