/* detect_clock.c: modified clock speed: the measured reference clock frequency (HAL clock_hz) against the
 * nominal one (monitor.clock_nominal_hz, or the frequency provisioned at first boot), with a tolerance in ppm. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/err.h"
#include "common/log.h"
#include "henb/detect.h"
#include "henb/hal/hal.h"

#define LF_RECORD "clock_nominal_hz"

bool henb__parse_u64(const char *s, unsigned long long *out)
{
	unsigned long long v = 0;
	if (!*s || strlen(s) > 20)
		return false;
	for (const char *p = s; *p; p++) {
		if (*p < '0' || *p > '9')
			return false;
		unsigned d = (unsigned)(*p - '0');
		if (v > (~0ULL - d) / 10)
			return false;
		v = v * 10 + d;
	}
	*out = v;
	return true;
}

enum henb_verdict henb__clock_eval(const char *text, uint64_t nominal_hz, unsigned tolerance_ppm, uint64_t *measured_hz,
                                   char *detail, size_t detaillen)
{
	unsigned long long hz;
	*measured_hz = 0;
	if (!henb__parse_u64(text, &hz)) {
		snprintf(detail, detaillen, "clock_hz '%.40s' is not a frequency in Hz", text);
		return HENB_V_UNREADABLE;
	}
	*measured_hz = hz;
	if (nominal_hz == 0) {
		snprintf(detail, detaillen, "no nominal clock frequency provisioned");
		return HENB_V_UNREADABLE;
	}
	/* |f - f0| / f0 in parts per million; in floating point: both may be near 2^64. */
	unsigned long long diff = hz > nominal_hz ? hz - nominal_hz : nominal_hz - hz;
	double ppm = (double)diff * 1e6 / (double)nominal_hz;
	if (ppm > (double)tolerance_ppm) {
		snprintf(detail, detaillen,
		         "reference clock %llu Hz is %.0f ppm from the nominal %llu Hz (tolerance %u ppm)", hz, ppm,
		         (unsigned long long)nominal_hz, tolerance_ppm);
		return HENB_V_TAMPER;
	}
	snprintf(detail, detaillen, "reference clock %llu Hz within %u ppm of %llu Hz", hz, tolerance_ppm,
	         (unsigned long long)nominal_hz);
	return HENB_V_OK;
}

static void lf__start(struct henb_monitor *m)
{
	char v[32];
	unsigned long long hz = 0;
	if (henb_hal_protected_read(m->hal, LF_RECORD, v, sizeof(v)) == LF_OK) {
		v[strcspn(v, "\r\n")] = '\0';
		if (henb__parse_u64(v, &hz))
			m->prov_clock_hz = hz;
	}
	if (m->cfg.clock_nominal_hz) {
		/* The configured nominal frequency is the reference; recorded so a later start without it keeps it. */
		if (m->prov_clock_hz != m->cfg.clock_nominal_hz) {
			snprintf(v, sizeof(v), "%llu", (unsigned long long)m->cfg.clock_nominal_hz);
			henb_hal_protected_write(m->hal, LF_RECORD, v);
		}
		m->prov_clock_hz = m->cfg.clock_nominal_hz;
	}
}

static void lf__read(struct henb_monitor *m, struct henb_reading *r, int64_t now)
{
	char v[64];
	int result = henb_hal_read(m->hal, HENB_HAL_CLOCK_HZ, v, sizeof(v));
	if (result) {
		henb__reading(r, HENB_V_UNREADABLE, "clock_hz sensor %s",
		              result == LF_ENOTFOUND ? "absent" : "unreadable");
		return;
	}
	unsigned long long hz;
	if (!m->prov_clock_hz && henb__parse_u64(v, &hz) && hz) {
		char ref[32] = "";
		if (henb__provision(m, LF_RECORD, v, ref, sizeof(ref)))
			m->prov_clock_hz = hz;
	}
	uint64_t measured;
	r->verdict =
	    henb__clock_eval(v, m->prov_clock_hz, m->cfg.clock_tolerance_ppm, &measured, r->detail, sizeof(r->detail));
	snprintf(r->info, sizeof(r->info), "measured_hz=%llu nominal_hz=%llu tolerance_ppm=%u",
	         (unsigned long long)measured, (unsigned long long)m->prov_clock_hz, m->cfg.clock_tolerance_ppm);
}

static int64_t lf__period(const struct henb_monitor *m)
{
	return m->cfg.poll_ms;
}

const struct henb_detector henb__detect_clock = {
    .check = HENB_CHECK_CLOCK,
    .kind = ALARM_CLOCK_MODIFIED,
    .sensed = true,
    .start = lf__start,
    .read = lf__read,
    .period_ms = lf__period,
};
