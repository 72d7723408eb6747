/* detect_antenna.c: modified antenna: the antenna identity read from the connector (HAL antenna_id) against
 * the one provisioned at first boot (protected storage). */
#include <stdio.h>
#include <string.h>

#include "common/err.h"
#include "henb/detect.h"
#include "henb/hal/hal.h"

#define LF_RECORD "antenna_id"

enum henb_verdict henb__identity_eval(const char *what, const char *text, const char *provisioned, char *detail,
                                      size_t detaillen)
{
	if (!provisioned[0]) {
		snprintf(detail, detaillen, "no %s identity read and none provisioned", what);
		return HENB_V_UNREADABLE;
	}
	if (strcmp(text, provisioned) == 0) {
		snprintf(detail, detaillen, "%s %.80s as provisioned", what, text);
		return HENB_V_OK;
	}
	if (!text[0])
		snprintf(detail, detaillen, "no %s identity read (provisioned '%.80s')", what, provisioned);
	else
		snprintf(detail, detaillen, "%s identity '%.60s' differs from the provisioned '%.60s'", what, text,
		         provisioned);
	return HENB_V_TAMPER;
}

static void lf__start(struct henb_monitor *m)
{
	if (henb_hal_protected_read(m->hal, LF_RECORD, m->prov_antenna, sizeof(m->prov_antenna)) != LF_OK)
		m->prov_antenna[0] = '\0';
	m->prov_antenna[strcspn(m->prov_antenna, "\r\n")] = '\0';
}

static void lf__read(struct henb_monitor *m, struct henb_reading *r, int64_t now)
{
	char v[128];
	int result = henb_hal_read(m->hal, HENB_HAL_ANTENNA_ID, v, sizeof(v));
	if (result) {
		henb__reading(r, HENB_V_UNREADABLE, "antenna_id sensor %s",
		              result == LF_ENOTFOUND ? "absent" : "unreadable");
		return;
	}
	henb__provision(m, LF_RECORD, v, m->prov_antenna, sizeof(m->prov_antenna));
	r->verdict = henb__identity_eval("antenna", v, m->prov_antenna, r->detail, sizeof(r->detail));
	snprintf(r->info, sizeof(r->info), "measured=%.80s provisioned=%.80s", v, m->prov_antenna);
}

static int64_t lf__period(const struct henb_monitor *m)
{
	return m->cfg.poll_ms;
}

const struct henb_detector henb__detect_antenna = {
    .check = HENB_CHECK_ANTENNA,
    .kind = ALARM_ANTENNA_MODIFIED,
    .sensed = true,
    .start = lf__start,
    .read = lf__read,
    .period_ms = lf__period,
};
