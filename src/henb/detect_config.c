/* detect_config.c: unexpected configuration change: an HMAC-SHA256, keyed with the device key kept in protected
 * storage, over the state file (henbd.state: the persisted configuration) as henbd last wrote it. henbd
 * records the MAC of every state it writes (every legitimate change: SetParameterValues, AddObject,
 * DeleteObject, a local API); a file that no longer matches was changed behind its back. The alarm holds until
 * the configuration is changed again through management (the HeMS reconfigures). */
#include <nettle/hmac.h>
#include <stdio.h>
#include <string.h>

#include "common/buf.h"
#include "common/err.h"
#include "common/file.h"
#include "common/log.h"
#include "common/random.h"
#include "henb/detect.h"
#include "henb/hal/hal.h"
#include "henb/limits.h"

#define LF_KEY "device_key"
#define LF_MAC "config_mac" /* "NEW OLD" (OLD "-" when none) or "wipe" during a factory reset */

void henb__config_mac(const uint8_t key[32], const void *data, size_t len, char hex[65])
{
	struct hmac_sha256_ctx ctx;
	uint8_t digest[SHA256_DIGEST_SIZE];
	hmac_sha256_set_key(&ctx, 32, key);
	hmac_sha256_update(&ctx, len, (const uint8_t *)data);
	hmac_sha256_digest(&ctx, sizeof(digest), digest);
	for (size_t i = 0; i < sizeof(digest); i++)
		snprintf(hex + 2 * i, 3, "%02x", digest[i]);
}

static bool lf__unhex(const char *hex, uint8_t *out, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		unsigned v;
		if (sscanf(hex + 2 * i, "%2x", &v) != 1)
			return false;
		out[i] = (uint8_t)v;
	}
	return strlen(hex) >= 2 * n;
}

/* The MAC of the state file on disk into hex: LF_OK, LF_ENOTFOUND (no file) or the read error. */
static int lf__disk_mac(struct henb_monitor *m, char hex[65])
{
	struct lf_buf b;
	lf_buf_init(&b, HENB_STATE_MAX);
	int result = lf_file_read(m->cfg.state_path, &b);
	if (!result)
		henb__config_mac(m->key, b.data ? b.data : "", b.len, hex);
	lf_buf_free(&b);
	return result;
}

static void lf__latch(struct henb_monitor *m, const char *why)
{
	if (m->config_latched)
		return;
	m->config_latched = true;
	snprintf(m->config_why, sizeof(m->config_why), "%s", why);
	lf_warn("config_mac_mismatch", "path=%s why=\"%s\"", m->cfg.state_path, why);
}

/* The device key (made at first boot), then the state file as found at start against the recorded MAC. */
static void lf__start(struct henb_monitor *m)
{
	char hex[80], rec[160], now_mac[65];
	if (henb_hal_protected_read(m->hal, LF_KEY, hex, sizeof(hex)) != LF_OK || !lf__unhex(hex, m->key, 32)) {
		lf_random_bytes(m->key, sizeof(m->key));
		for (size_t i = 0; i < 32; i++)
			snprintf(hex + 2 * i, 3, "%02x", m->key[i]);
		if (henb_hal_protected_write(m->hal, LF_KEY, hex) != LF_OK)
			lf_error("device_key_unwritable", "record=%s", LF_KEY);
		else
			lf_info("device_key_created", "record=%s", LF_KEY);
	}
	char mac_new[65] = "", mac_old[65] = "";
	int have_rec = henb_hal_protected_read(m->hal, LF_MAC, rec, sizeof(rec)) == LF_OK;
	bool wipe = have_rec && strncmp(rec, "wipe", 4) == 0;
	if (have_rec && !wipe)
		sscanf(rec, "%64s %64s", mac_new, mac_old);
	int result = lf__disk_mac(m, now_mac);
	if (result == LF_ENOTFOUND) {
		/* No state: a factory device, or a factory reset that completed. Missing behind our back otherwise. */
		if (have_rec && !wipe && mac_new[0])
			lf__latch(m, "the state file was removed while henbd was not running");
		return;
	}
	if (result) {
		lf_error("config_state_unreadable", "path=%s reason=\"%s\"", m->cfg.state_path, lf_strerror(result));
		return; /* the detector reports it unreadable */
	}
	if (!have_rec || wipe) {
		/* The first start with a monitor on this state (or a reset interrupted before the file went): this is
		 * the state henbd is about to run with and writes again at once. */
		lf_info("config_mac_adopted", "path=%s reason=%s", m->cfg.state_path,
		        wipe ? "interrupted_reset" : "no_mac");
		snprintf(m->mac, sizeof(m->mac), "%s", now_mac);
		return;
	}
	/* The old MAC stands for a write that a power cut interrupted after the MAC was recorded. */
	if (strcmp(now_mac, mac_new) == 0 || strcmp(now_mac, mac_old) == 0) {
		snprintf(m->mac, sizeof(m->mac), "%s", now_mac);
		return;
	}
	snprintf(m->mac, sizeof(m->mac), "%s", mac_new);
	lf__latch(m, "the state file was changed while henbd was not running (MAC mismatch)");
}

/* The state file now against the MAC of the last write: LF_OK (or latched), or the read error. */
static int lf__check(struct henb_monitor *m)
{
	char now_mac[65];
	int result = lf__disk_mac(m, now_mac);
	if (result == LF_ENOTFOUND) {
		if (m->mac[0] && !m->wiped)
			lf__latch(m, "the state file was removed behind henbd's back");
		return LF_OK;
	}
	if (result)
		return result;
	if (m->mac[0] && strcmp(now_mac, m->mac) != 0)
		lf__latch(m, "the state file was changed outside management (MAC mismatch)");
	return LF_OK;
}

static void lf__read(struct henb_monitor *m, struct henb_reading *r, int64_t now)
{
	int result = m->config_latched ? LF_OK : lf__check(m);
	snprintf(r->info, sizeof(r->info), "state=%.150s mac=%.16s", m->cfg.state_path, m->mac[0] ? m->mac : "none");
	if (m->config_latched)
		henb__reading(r, HENB_V_TAMPER, "%s", m->config_why);
	else if (result)
		henb__reading(r, HENB_V_UNREADABLE, "state file unreadable: %s", lf_strerror(result));
	else
		henb__reading(r, HENB_V_OK, "persisted configuration matches its MAC");
}

static int64_t lf__period(const struct henb_monitor *m)
{
	return m->cfg.config_check_ms;
}

void henb_monitor_state_sealing(struct henb_monitor *m, const char *data, size_t len)
{
	char rec[160];
	/* Look before overwriting: a change behind henbd's back must not vanish under its next write. */
	if (!m->config_latched && lf__check(m) == LF_OK && m->config_latched)
		m->det[HENB_CHECK_CONFIG].next_ms = 0;
	m->wiped = false;
	henb__config_mac(m->key, data, len, m->mac_next);
	snprintf(rec, sizeof(rec), "%s %s\n", m->mac_next, m->mac[0] ? m->mac : "-");
	if (henb_hal_protected_write(m->hal, LF_MAC, rec) != LF_OK)
		lf_error("config_mac_unwritable", "record=%s", LF_MAC);
}

void henb_monitor_state_sealed(struct henb_monitor *m, bool written)
{
	if (written && m->mac_next[0])
		snprintf(m->mac, sizeof(m->mac), "%s", m->mac_next);
	m->mac_next[0] = '\0';
}

void henb_monitor_state_wiping(struct henb_monitor *m)
{
	m->wiped = true;
	m->mac[0] = '\0';
	if (henb_hal_protected_write(m->hal, LF_MAC, "wipe\n") != LF_OK)
		lf_error("config_mac_unwritable", "record=%s", LF_MAC);
}

const struct henb_detector henb__detect_config = {
    .check = HENB_CHECK_CONFIG,
    .kind = ALARM_CONFIG_CHANGED,
    .sensed = false,
    .start = lf__start,
    .read = lf__read,
    .period_ms = lf__period,
};
