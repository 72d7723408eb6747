/* detect_circuit.c: circuit modifications: the board fingerprint (HAL board_id) against the one provisioned
 * at first boot (protected storage). */
#include <stdio.h>
#include <string.h>

#include "common/err.h"
#include "henb/detect.h"
#include "henb/hal/hal.h"

#define LF_RECORD "board_id"

static void lf__start(struct henb_monitor *m)
{
	if (henb_hal_protected_read(m->hal, LF_RECORD, m->prov_board, sizeof(m->prov_board)) != LF_OK)
		m->prov_board[0] = '\0';
	m->prov_board[strcspn(m->prov_board, "\r\n")] = '\0';
}

static void lf__read(struct henb_monitor *m, struct henb_reading *r, int64_t now)
{
	char v[128];
	int result = henb_hal_read(m->hal, HENB_HAL_BOARD_ID, v, sizeof(v));
	if (result) {
		henb__reading(r, HENB_V_UNREADABLE, "board_id sensor %s",
		              result == LF_ENOTFOUND ? "absent" : "unreadable");
		return;
	}
	henb__provision(m, LF_RECORD, v, m->prov_board, sizeof(m->prov_board));
	r->verdict = henb__identity_eval("board fingerprint", v, m->prov_board, r->detail, sizeof(r->detail));
	snprintf(r->info, sizeof(r->info), "measured=%.80s provisioned=%.80s", v, m->prov_board);
}

static int64_t lf__period(const struct henb_monitor *m)
{
	return m->cfg.poll_ms;
}

const struct henb_detector henb__detect_circuit = {
    .check = HENB_CHECK_CIRCUIT,
    .kind = ALARM_CIRCUIT_MODIFIED,
    .sensed = true,
    .start = lf__start,
    .read = lf__read,
    .period_ms = lf__period,
};
