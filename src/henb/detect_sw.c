/* detect_sw.c: unexpected firmware/software modification: the running image's files hashed against its signed
 * manifest (fw_slot_verify): the slot henb-boot started (LF_DEV_DIR, LF_BOOT_SLOT), or monitor.image_dir when
 * henbd runs without the launcher; the signature is checked with monitor.fw_pub_key. */
#include <stdio.h>
#include <string.h>

#include "common/err.h"
#include "common/log.h"
#include "firmware/bootctl.h"
#include "firmware/fwerr.h"
#include "firmware/slot.h"
#include "henb/detect.h"

static void lf__start(struct henb_monitor *m)
{
	m->slot_dir[0] = '\0';
	if (m->cfg.boot_dev[0] && m->cfg.boot_slot[0]) {
		int slot = fw_slot_parse(m->cfg.boot_slot);
		if (slot < FW_SLOT_A || fw_bootctl_slot_dir(m->cfg.boot_dev, slot, m->slot_dir, sizeof(m->slot_dir)))
			snprintf(m->sw_why, sizeof(m->sw_why), "LF_BOOT_SLOT '%.16s' names no slot", m->cfg.boot_slot);
	} else if (m->cfg.image_dir[0]) {
		snprintf(m->slot_dir, sizeof(m->slot_dir), "%s", m->cfg.image_dir);
	}
	if (m->slot_dir[0])
		lf_info("sw_image", "dir=%s key=%s", m->slot_dir, m->have_pub ? m->cfg.fw_pub_key : "none");
}

static void lf__read(struct henb_monitor *m, struct henb_reading *r, int64_t now)
{
	char err[256];
	if (!m->slot_dir[0]) {
		if (m->sw_why[0])
			henb__reading(r, HENB_V_UNREADABLE, "%s", m->sw_why);
		else
			henb__reading(r, HENB_V_OFF,
			              "no signed image to verify (not under henb-boot, monitor.image_dir unset)");
		return;
	}
	if (!m->have_pub) {
		henb__reading(r, HENB_V_UNREADABLE, "no trusted firmware key (monitor.fw_pub_key) to verify %.100s",
		              m->slot_dir);
		return;
	}
	int result = fw_slot_verify(m->slot_dir, m->pub, NULL, err, sizeof(err));
	snprintf(r->info, sizeof(r->info), "image=%.120s slot=%.16s result=%s", m->slot_dir,
	         m->cfg.boot_slot[0] ? m->cfg.boot_slot : "none", fw_strerror(result));
	if (result == LF_OK) {
		henb__reading(r, HENB_V_OK, "running image verified against its signed manifest");
		return;
	}
	/* A file that cannot be read is a broken sensor, anything else a modification (changed, added, removed
	 * file, bad signature). */
	henb__reading(r, result == LF_EIO ? HENB_V_UNREADABLE : HENB_V_TAMPER, "running image: %.170s", err);
}

static int64_t lf__period(const struct henb_monitor *m)
{
	return m->cfg.sw_check_ms;
}

const struct henb_detector henb__detect_sw = {
    .check = HENB_CHECK_SW,
    .kind = ALARM_SW_MODIFIED,
    .sensed = false,
    .start = lf__start,
    .read = lf__read,
    .period_ms = lf__period,
};
