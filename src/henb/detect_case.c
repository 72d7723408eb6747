/* detect_case.c: case opened: the enclosure switch (HAL case). */
#include <stdio.h>
#include <string.h>

#include "common/err.h"
#include "henb/detect.h"
#include "henb/hal/hal.h"

enum henb_verdict henb__case_eval(const char *text, char *detail, size_t detaillen)
{
	if (strcmp(text, "closed") == 0) {
		snprintf(detail, detaillen, "case closed");
		return HENB_V_OK;
	}
	if (strcmp(text, "open") == 0) {
		snprintf(detail, detaillen, "case opened (enclosure switch)");
		return HENB_V_TAMPER;
	}
	snprintf(detail, detaillen, "case switch reads '%.40s', neither open nor closed", text);
	return HENB_V_UNREADABLE;
}

static void lf__read(struct henb_monitor *m, struct henb_reading *r, int64_t now)
{
	char v[64];
	int result = henb_hal_read(m->hal, HENB_HAL_CASE, v, sizeof(v));
	if (result) {
		henb__reading(r, HENB_V_UNREADABLE, "case switch %s", result == LF_ENOTFOUND ? "absent" : "unreadable");
		return;
	}
	r->verdict = henb__case_eval(v, r->detail, sizeof(r->detail));
	snprintf(r->info, sizeof(r->info), "switch=%.40s", v);
}

static int64_t lf__period(const struct henb_monitor *m)
{
	return m->cfg.poll_ms;
}

const struct henb_detector henb__detect_case = {
    .check = HENB_CHECK_CASE,
    .kind = ALARM_CASE_OPENED,
    .sensed = true,
    .start = NULL,
    .read = lf__read,
    .period_ms = lf__period,
};
