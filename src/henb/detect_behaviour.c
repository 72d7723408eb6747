/* detect_behaviour.c: unexpected behaviour of software components: listening sockets and processes the
 * platform does not allow (HAL lists listeners / processes against listeners_allowed / processes_allowed; the
 * agent's own listeners and process are always allowed), and misses of the platform watchdog (HAL
 * watchdog_misses, a counter). A part the platform does not report is skipped. */
#include <stdio.h>
#include <string.h>

#include "common/err.h"
#include "henb/detect.h"
#include "henb/hal/hal.h"

#define LF_LIST 4096
#define LF_SEP " ,\t\r\n"

/* Whether token tok (tl bytes) is one of the tokens of list. */
static bool lf__has(const char *list, const char *tok, size_t tl)
{
	const char *p = list;
	while (*p) {
		p += strspn(p, LF_SEP);
		size_t n = strcspn(p, LF_SEP);
		if (n == tl && memcmp(p, tok, tl) == 0)
			return true;
		p += n;
	}
	return false;
}

size_t henb__unexpected(const char *present, const char *allowed, const char *own, char *out, size_t outlen)
{
	size_t count = 0, used = 0;
	bool full = outlen == 0;
	const char *p = present;
	if (outlen)
		out[0] = '\0';
	while (*p) {
		p += strspn(p, LF_SEP);
		size_t n = strcspn(p, LF_SEP);
		if (n && !lf__has(allowed, p, n) && !lf__has(own, p, n)) {
			count++;
			/* Whole tokens only: the first that does not fit ends the text. */
			int w = full ? -1 : snprintf(out + used, outlen - used, "%s%.*s", used ? " " : "", (int)n, p);
			if (w > 0 && (size_t)w < outlen - used) {
				used += (size_t)w;
			} else if (!full) {
				out[used] = '\0';
				full = true;
			}
		}
		p += n;
	}
	return count;
}

static void lf__start(struct henb_monitor *m)
{
	FILE *f = fopen("/proc/self/comm", "re");
	if (f) {
		if (fgets(m->own_comm, sizeof(m->own_comm), f))
			m->own_comm[strcspn(m->own_comm, "\r\n")] = '\0';
		fclose(f);
	}
}

/* One list compared with its allowed list: 1 unexpected, 0 fine, -1 unreadable, -2 not reported. */
static int lf__list(struct henb_monitor *m, enum henb_hal_list l, const char *own, char *bad, size_t badlen)
{
	static char present[LF_LIST], allowed[LF_LIST]; /* one thread; kept off the stack */
	int result = henb_hal_read_list(m->hal, l, present, sizeof(present));
	if (result == LF_ENOTFOUND)
		return -2;
	if (result)
		return -1;
	result = henb_hal_read_list(m->hal, (enum henb_hal_list)(l + 1), allowed, sizeof(allowed));
	if (result == LF_ENOTFOUND)
		allowed[0] = '\0';
	else if (result)
		return -1;
	return henb__unexpected(present, allowed, own, bad, badlen) ? 1 : 0;
}

static void lf__read(struct henb_monitor *m, struct henb_reading *r, int64_t now)
{
	char own[160] = "", bad_l[96] = "", bad_p[96] = "", wd[32];
	char why[HENB_MON_TEXT] = "";
	const char *unreadable = NULL;
	int reported = 0;
	if (m->ops.own_listeners)
		m->ops.own_listeners(m->ops.ctx, own, sizeof(own));
	int listeners = lf__list(m, HENB_HAL_LISTENERS, own, bad_l, sizeof(bad_l));
	int processes = lf__list(m, HENB_HAL_PROCESSES, m->own_comm, bad_p, sizeof(bad_p));
	if (listeners == -1)
		unreadable = "listeners";
	if (processes == -1)
		unreadable = "processes";
	reported += listeners != -2;
	reported += processes != -2;

	/* The watchdog counter: any growth is a miss; the alarm holds for the event window after the last one. */
	int result = henb_hal_read(m->hal, HENB_HAL_WATCHDOG_MISSES, wd, sizeof(wd));
	unsigned long long misses = 0;
	if (result != LF_ENOTFOUND) {
		reported++;
		if (result || !henb__parse_u64(wd, &misses)) {
			unreadable = "watchdog_misses";
		} else {
			if (m->wd_have && misses > m->wd_base)
				m->wd_miss_ms = now;
			m->wd_base = misses;
			m->wd_have = true;
		}
	}
	bool wd_recent = m->wd_miss_ms >= 0 && now - m->wd_miss_ms < m->cfg.event_window_ms;
	snprintf(r->info, sizeof(r->info), "unexpected_listeners=%.50s unexpected_processes=%.50s watchdog_misses=%llu",
	         bad_l[0] ? bad_l : "none", bad_p[0] ? bad_p : "none", m->wd_base);
	if (listeners == 1 || processes == 1 || wd_recent) {
		size_t pos = 0;
		int n;
		if (listeners == 1 && (n = snprintf(why, sizeof(why), "unexpected listening sockets: %s", bad_l)) > 0)
			pos = (size_t)n < sizeof(why) ? (size_t)n : sizeof(why) - 1;
		if (processes == 1 && (n = snprintf(why + pos, sizeof(why) - pos, "%sunexpected processes: %s",
		                                    pos ? "; " : "", bad_p)) > 0)
			pos = pos + (size_t)n < sizeof(why) ? pos + (size_t)n : sizeof(why) - 1;
		if (wd_recent)
			snprintf(why + pos, sizeof(why) - pos, "%swatchdog missed (counter %llu)", pos ? "; " : "",
			         m->wd_base);
		henb__reading(r, HENB_V_TAMPER, "%s", why);
		return;
	}
	if (unreadable) {
		henb__reading(r, HENB_V_UNREADABLE, "%s list cannot be read", unreadable);
		return;
	}
	if (!reported) {
		henb__reading(r, HENB_V_OFF, "the platform reports no listeners, processes or watchdog");
		return;
	}
	henb__reading(r, HENB_V_OK, "listeners %s, processes %s, watchdog %s",
	              listeners == -2 ? "not reported" : "as allowed", processes == -2 ? "not reported" : "as allowed",
	              result == LF_ENOTFOUND ? "not reported" : "no misses");
}

static int64_t lf__period(const struct henb_monitor *m)
{
	return m->cfg.poll_ms;
}

const struct henb_detector henb__detect_behaviour = {
    .check = HENB_CHECK_BEHAVIOUR,
    .kind = ALARM_SW_BEHAVIOUR,
    .sensed = true,
    .start = lf__start,
    .read = lf__read,
    .period_ms = lf__period,
};
