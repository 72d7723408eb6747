/* detect_lan.c: attacks via the LAN: bursts of failed authentications on the connection request listeners
 * (HTTP Digest and UDP signature), fed by the listeners' auth_failed events; the alarm holds while the last
 * monitor.lan_burst failures fall within the event window. */
#include <stdio.h>
#include <string.h>

#include "henb/detect.h"

void henb__lan_record(struct henb_monitor *m, int64_t now)
{
	m->lan_times[m->lan_head] = now;
	m->lan_head = (m->lan_head + 1) % HENB_MON_LAN_MAX;
	if (m->lan_n < HENB_MON_LAN_MAX)
		m->lan_n++;
	m->lan_total++;
}

/* How many recorded failures are no older than window_ms before now. */
static unsigned lf__in_window(const struct henb_monitor *m, int64_t window_ms, int64_t now)
{
	unsigned n = 0;
	for (unsigned i = 0; i < m->lan_n; i++) {
		int64_t t = m->lan_times[(m->lan_head + HENB_MON_LAN_MAX - 1 - i) % HENB_MON_LAN_MAX];
		if (now - t > window_ms)
			break; /* newest first: the rest are older */
		n++;
	}
	return n;
}

bool henb__lan_burst(const struct henb_monitor *m, unsigned burst, int64_t window_ms, int64_t now)
{
	if (burst == 0 || burst > HENB_MON_LAN_MAX)
		return false;
	return lf__in_window(m, window_ms, now) >= burst;
}

static void lf__read(struct henb_monitor *m, struct henb_reading *r, int64_t now)
{
	unsigned n = lf__in_window(m, m->cfg.event_window_ms, now);
	snprintf(r->info, sizeof(r->info), "failures_in_window=%u window_ms=%lld threshold=%u total=%llu last_via=%s",
	         n, (long long)m->cfg.event_window_ms, m->cfg.lan_burst, (unsigned long long)m->lan_total,
	         m->lan_via[0] ? m->lan_via : "none");
	if (henb__lan_burst(m, m->cfg.lan_burst, m->cfg.event_window_ms, now)) {
		m->lan_burst_ms = now;
		henb__reading(r, HENB_V_TAMPER,
		              "%u failed connection request authentications within %lld ms (last via %s, threshold %u)",
		              n, (long long)m->cfg.event_window_ms, m->lan_via, m->cfg.lan_burst);
		return;
	}
	henb__reading(r, HENB_V_OK, "%u failed connection request authentications in the last %lld ms (threshold %u)",
	              n, (long long)m->cfg.event_window_ms, m->cfg.lan_burst);
}

static int64_t lf__period(const struct henb_monitor *m)
{
	return m->cfg.poll_ms;
}

const struct henb_detector henb__detect_lan = {
    .check = HENB_CHECK_LAN,
    .kind = ALARM_LAN_ATTACK,
    .sensed = false,
    .start = NULL,
    .read = lf__read,
    .period_ms = lf__period,
};
