/* download.c: the Download RPC from acceptance to TransferComplete. A job is persisted when accepted
 * (henbd.state); when due it is fetched into the download directory (resumed with a Range request after an
 * interruption or a restart: the partial file is named after the URL), checked in full on a worker thread
 * (size, signature, product class, hardware version, every file's hash) before anything is written, then:
 *   - "1 Firmware Upgrade Image": installed into the inactive A/B slot, a marker written, and a reboot;
 *     henb-boot starts the new slot on trial, and its agent confirms it (fw_bootctl_mark_good) after its first
 *     good session and only then reports TransferComplete fault 0. If the new image never gets that far,
 *     henb-boot falls back and the old image reports the failure. The running slot is never written.
 *   - "3 Vendor Configuration File": the signed image's one file applied to the data model (vendorcfg.c).
 * Every failure ends in a TransferComplete with its fault code (TR-069 A.3.3.2 / A.5.2). */
#include "henb/download.h"

#include <dirent.h>
#include <errno.h>
#include <nettle/sha2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <time.h>
#include <unistd.h>

#include "common/alloc.h"
#include "common/err.h"
#include "common/file.h"
#include "common/log.h"
#include "common/timeutil.h"
#include "firmware/bootctl.h"
#include "firmware/fwerr.h"
#include "firmware/image.h"
#include "firmware/key.h"
#include "firmware/slot.h"
#include "henb/agent.h"
#include "henb/install.h"
#include "henb/record.h"
#include "henb/vendorcfg.h"

#define LF_FT_FIRMWARE "1 Firmware Upgrade Image"
#define LF_FT_CONFIG "3 Vendor Configuration File"
#define LF_SOFTWARE_VERSION "Device.DeviceInfo.SoftwareVersion"
/* The largest file a Download may bring: a full-size image (header, manifest, signature, payload). */
#define LF_MAX_IMAGE ((uint64_t)FW_HEADER_LEN + FW_MANIFEST_MAX + FW_SIG_LEN + FW_PAYLOAD_MAX)
#define LF_MAX_CONFIG_IMAGE ((uint64_t)FW_HEADER_LEN + FW_MANIFEST_MAX + FW_SIG_LEN + HENB_INSTALL_CONFIG_MAX)
#define LF_RETRY_MAX_S 30 /* longest wait before resuming an interrupted transfer (protocol seconds) */

/* File types this CPE takes (cwmp-1-2.xsd DownloadFileType). */
static const char *const lf__file_types[] = {LF_FT_FIRMWARE, LF_FT_CONFIG, NULL};

enum lf__phase {
	LF_IDLE,    /* no job running (one may be waiting for its DelaySeconds) */
	LF_FETCH,   /* transfer in flight */
	LF_WAIT,    /* interrupted: resuming at retry_ms */
	LF_INSTALL, /* the worker thread checks (and installs) the image */
};

/* An install waiting for the boot that runs it: which job, which slot, since when. */
struct lf__marker {
	char command_key[33];
	bool installed;     /* false: "installing", the slot write may not have finished */
	int slot;
	char version[FW_FIELD_MAX + 1];
	char start_time[32];
};

struct henb_download {
	/* The firmware context (henb_download_init). */
	bool have_key;
	uint8_t pub[FW_KEY_LEN];
	char dev[HENB_INSTALL_PATH_MAX];    /* boot device directory; "" = none (no slot install possible) */
	char dir[HENB_INSTALL_PATH_MAX];    /* download directory */
	int boot_slot;                      /* LF_BOOT_SLOT; FW_SLOT_NONE without the launcher */
	bool confirmed;                     /* the running slot was confirmed after a good session */
	/* An install of ours that the running image completes once a session succeeded. */
	bool confirm;
	struct lf__marker marker;
	/* The job in progress. */
	enum lf__phase phase;
	struct henb_fetch *fetch;
	struct henb_install *install;
	bool is_config;
	unsigned attempts;                  /* transfers of this job so far */
	bool pieced;                        /* the file holds bytes of an earlier transfer */
	bool refetched;                     /* a corrupt pieced file was fetched once more from the start */
	int64_t retry_ms;
	char image[HENB_INSTALL_PATH_MAX];
	char start_time[32];
};

/* ------------------------------------------------------------------------------------------------ helpers */

static bool lf__fits(const char *s, size_t size)
{
	return strlen(s ? s : "") < size;
}

static int lf__path(char *out, size_t outlen, const char *dir, const char *name)
{
	int n = snprintf(out, outlen, "%s/%s", dir, name);
	return n < 0 || (size_t)n >= outlen ? LF_ETOOBIG : LF_OK;
}

/* Text from outside (image versions, reasons) made safe for a quoted log field. */
static void lf__log_safe(char *out, size_t outlen, const char *s)
{
	size_t n = 0;
	for (; s && *s && n + 1 < outlen; s++)
		out[n++] = (*s == '"' || (unsigned char)*s < 0x20 || (unsigned char)*s > 0x7e) ? '?' : *s;
	out[n] = '\0';
}

/* The slot henb-boot started us from (LF_BOOT_SLOT); FW_SLOT_NONE without the launcher. */
static int lf__env_slot(void)
{
	const char *s = getenv("LF_BOOT_SLOT");
	int slot = s ? fw_slot_parse(s) : FW_SLOT_NONE;
	return slot >= FW_SLOT_A ? slot : FW_SLOT_NONE;
}

/* Whether this agent reports an install itself (TransferComplete fault 0 once the slot is written and pending)
 * instead of the new image after its first good session: without the launcher nothing switches slots; the
 * failsafe image reports to its emergency HeMS before it reboots into the new image (emergency.c, 5.7.3.2). */
static bool lf__reports_install(const struct henb_download *d)
{
	return d->boot_slot == FW_SLOT_NONE || d->boot_slot == FW_SLOT_FAILSAFE;
}

/* ------------------------------------------------------------------------------------------------ marker */

static int lf__marker_path(const struct henb_download *d, char *out, size_t outlen)
{
	return lf__path(out, outlen, d->dir, HENB_DOWNLOAD_MARKER);
}

static int lf__marker_save(const struct henb_download *d, const struct lf__marker *m)
{
	char path[HENB_INSTALL_PATH_MAX + 32];
	struct lf_buf b;
	const char *f[5] = {m->command_key, m->installed ? "installed" : "installing", fw_slot_name(m->slot),
			    m->version, m->start_time};
	if (lf__marker_path(d, path, sizeof(path)))
		return LF_ETOOBIG;
	lf_buf_init(&b, 4096);
	int result = henb_record_put(&b, 'I', f, 5);
	if (!result)
		result = lf_file_write_atomic(path, b.data, b.len);
	lf_buf_free(&b);
	return result;
}

/* LF_OK with m filled, LF_ENOTFOUND when there is no marker, LF_EPARSE when it is unreadable. */
static int lf__marker_load(const struct henb_download *d, struct lf__marker *m)
{
	char path[HENB_INSTALL_PATH_MAX + 32];
	struct lf_buf b;
	char *f[HENB_RECORD_MAX_FIELDS];
	char type, empty[1] = "";
	size_t n;
	memset(m, 0, sizeof(*m));
	if (lf__marker_path(d, path, sizeof(path)))
		return LF_ETOOBIG;
	if (access(path, F_OK) != 0)
		return LF_ENOTFOUND;
	lf_buf_init(&b, 4096);
	int result = lf_file_read(path, &b);
	if (!result && b.len && b.data[b.len - 1] == '\n')
		b.data[--b.len] = '\0';
	if (!result)
		result = henb_record_split(b.data ? b.data : empty, &type, f, HENB_RECORD_MAX_FIELDS, &n);
	if (!result && (type != 'I' || n != 5 || fw_slot_parse(f[2]) < FW_SLOT_A || fw_slot_parse(f[2]) > FW_SLOT_B ||
			(strcmp(f[1], "installed") != 0 && strcmp(f[1], "installing") != 0) ||
			!lf__fits(f[0], sizeof(m->command_key)) || !lf__fits(f[3], sizeof(m->version)) ||
			!lf__fits(f[4], sizeof(m->start_time))))
		result = LF_EPARSE;
	if (!result) {
		snprintf(m->command_key, sizeof(m->command_key), "%s", f[0]);
		m->installed = strcmp(f[1], "installed") == 0;
		m->slot = fw_slot_parse(f[2]);
		snprintf(m->version, sizeof(m->version), "%s", f[3]);
		snprintf(m->start_time, sizeof(m->start_time), "%s", f[4]);
	}
	lf_buf_free(&b);
	return result ? (result == LF_ENOTFOUND ? LF_EIO : result) : LF_OK;
}

static void lf__marker_remove(const struct henb_download *d)
{
	char path[HENB_INSTALL_PATH_MAX + 32];
	if (!lf__marker_path(d, path, sizeof(path)) && unlink(path) != 0 && errno != ENOENT)
		lf_error("fw_marker_remove_failed", "path=%s reason=\"%s\"", path, strerror(errno));
}

/* ------------------------------------------------------------------------------------------------ outcome */

/* A TransferComplete for command_key (queued and persisted until acknowledged). */
static void lf__report(struct henb_agent *a, const char *command_key, uint32_t fault, const char *why,
		       const char *start_time)
{
	struct henb_transfer tc;
	char shown[300];
	memset(&tc, 0, sizeof(tc));
	snprintf(tc.command_key, sizeof(tc.command_key), "%s", command_key);
	tc.fault_code = fault;
	snprintf(tc.fault_string, sizeof(tc.fault_string), "%s", fault ? why : "");
	snprintf(tc.start_time, sizeof(tc.start_time), "%s", start_time);
	lf_time_iso8601(time(NULL), tc.complete_time, sizeof(tc.complete_time));
	lf__log_safe(shown, sizeof(shown), why);
	if (fault)
		lf_warn("download_failed", "command_key=\"%s\" fault=%u reason=\"%s\"", tc.command_key, fault, shown);
	else
		lf_info("download_complete", "command_key=\"%s\" fault=0", tc.command_key);
	henb_agent_transfer_done(a, &tc);
}

static void lf__remove_image(struct henb_download *d)
{
	if (d->image[0] && unlink(d->image) != 0 && errno != ENOENT)
		lf_error("download_remove_failed", "path=%s reason=\"%s\"", d->image, strerror(errno));
}

/* The job ends with fault (0 = success): its TransferComplete is queued, the job forgotten. keep_file: the
 * partial download stays for a Download of the same URL to resume. */
static void lf__end(struct henb_agent *a, uint32_t fault, const char *why, bool keep_file)
{
	struct henb_download *d = a->download;
	struct stat st;
	if (!keep_file || (d->image[0] && stat(d->image, &st) == 0 && st.st_size == 0))
		lf__remove_image(d);
	d->phase = LF_IDLE;
	a->st.dl.used = false;
	lf__report(a, a->st.dl.command_key, fault, why, d->start_time);
}

/* ------------------------------------------------------------------------------------------------ transfer */

static void lf__fetch(struct henb_agent *a)
{
	struct henb_download *d = a->download;
	const struct henb_download_job *job = &a->st.dl;
	char err[256];
	struct stat st;
	uint64_t cap = d->is_config ? LF_MAX_CONFIG_IMAGE : LF_MAX_IMAGE;
	if (job->file_size)
		cap = job->file_size; /* TR-069 FileSize: no more than announced */
	if (stat(d->image, &st) == 0 && st.st_size > 0)
		d->pieced = true;
	struct henb_fetch_opts o = {
		.url = job->url,
		.username = job->username,
		.password = job->password,
		.ca_file = a->cfg.ca_file,
		.client_cert = a->cfg.client_cert,
		.client_key = a->cfg.client_key,
		.path = d->image,
		.max_bytes = cap,
		.rate_limit = (uint64_t)a->cfg.fw_rate_limit,
		.timeout_s = (long)a->cfg.http_timeout,
	};
	d->attempts++;
	if (henb_fetch_start(&d->fetch, &o, err, sizeof(err))) {
		lf__end(a, CWMP_FAULT_INTERNAL_ERROR, err, false);
		return;
	}
	d->phase = LF_FETCH;
}

/* Remove the partial downloads of other URLs (an earlier job that never finished). */
static void lf__remove_stale(const struct henb_download *d, const char *keep)
{
	DIR *dir = opendir(d->dir);
	struct dirent *e;
	char p[HENB_INSTALL_PATH_MAX + 300];
	while (dir && (e = readdir(dir))) {
		size_t len = strlen(e->d_name);
		if (strncmp(e->d_name, "dl-", 3) != 0 || len < 7 || strcmp(e->d_name + len - 4, ".img") != 0 ||
		    strcmp(e->d_name, keep) == 0)
			continue;
		if (!lf__path(p, sizeof(p), d->dir, e->d_name) && unlink(p) == 0)
			lf_info("download_stale_removed", "path=%s", p);
	}
	if (dir)
		closedir(dir);
}

/* The due job starts: checks that need no network, then the transfer. */
static void lf__begin(struct henb_agent *a)
{
	struct henb_download *d = a->download;
	const struct henb_download_job *job = &a->st.dl;
	uint8_t digest[SHA256_DIGEST_SIZE];
	struct sha256_ctx ctx;
	char hex[17], name[32], why[HENB_INSTALL_PATH_MAX + 64];
	struct stat st;
	struct statvfs vfs;

	lf_time_iso8601(time(NULL), d->start_time, sizeof(d->start_time));
	d->is_config = strcmp(job->file_type, LF_FT_CONFIG) == 0;
	d->attempts = 0;
	d->pieced = d->refetched = false;
	d->image[0] = '\0';
	lf_info("download_start", "command_key=\"%s\" file_type=\"%s\" file_size=%u", job->command_key,
		job->file_type, job->file_size);
	if (!d->have_key) {
		lf__end(a, CWMP_FAULT_DOWNLOAD_FAILURE,
			"no trusted firmware key (firmware.pubkey): images cannot be authenticated", false);
		return;
	}
	if (!d->is_config && !d->dev[0]) {
		lf__end(a, CWMP_FAULT_DOWNLOAD_FAILURE,
			"no boot device directory (firmware.dev_dir, or LF_DEV_DIR from henb-boot): nowhere to install",
			false);
		return;
	}
	if (mkdir(d->dir, 0700) != 0 && errno != EEXIST) {
		snprintf(why, sizeof(why), "cannot create the download directory %s: %s", d->dir, strerror(errno));
		lf__end(a, CWMP_FAULT_INTERNAL_ERROR, why, false);
		return;
	}
	/* The partial file is named after the URL, so a restart (or a new Download of the same URL) resumes it. */
	sha256_init(&ctx);
	sha256_update(&ctx, strlen(job->url), (const uint8_t *)job->url);
	sha256_digest(&ctx, sizeof(digest), digest);
	fw_hex_encode(hex, digest, 8);
	snprintf(name, sizeof(name), "dl-%s.img", hex);
	lf__remove_stale(d, name);
	if (lf__path(d->image, sizeof(d->image), d->dir, name)) {
		d->image[0] = '\0';
		lf__end(a, CWMP_FAULT_INTERNAL_ERROR, "download directory path too long", false);
		return;
	}
	uint64_t have = stat(d->image, &st) == 0 ? (uint64_t)st.st_size : 0;
	if (job->file_size > have && statvfs(d->dir, &vfs) == 0 &&
	    (uint64_t)vfs.f_bavail * vfs.f_frsize < job->file_size - have) {
		snprintf(why, sizeof(why), "not enough space for %u bytes in %s", job->file_size, d->dir);
		lf__end(a, CWMP_FAULT_DOWNLOAD_FAILURE, why, false);
		return;
	}
	lf__fetch(a);
}

/* TransferComplete fault of a transfer that cannot go on. */
static uint32_t lf__fetch_fault(enum henb_fetch_outcome o, bool announced)
{
	switch (o) {
	case HENB_FETCH_DONE: return 0;
	case HENB_FETCH_NO_CONTACT: return CWMP_FAULT_CONTACT_FILE_SERVER;
	case HENB_FETCH_NO_ACCESS: return CWMP_FAULT_ACCESS_FILE;
	case HENB_FETCH_AUTH: return CWMP_FAULT_FILE_SERVER_AUTH;
	case HENB_FETCH_INTERRUPTED:
	case HENB_FETCH_RESTART: return CWMP_FAULT_COMPLETE_DOWNLOAD;
	case HENB_FETCH_TOO_BIG: return announced ? CWMP_FAULT_FILE_CORRUPTED : CWMP_FAULT_DOWNLOAD_FAILURE;
	case HENB_FETCH_IO: return CWMP_FAULT_INTERNAL_ERROR;
	}
	return CWMP_FAULT_INTERNAL_ERROR;
}

static void lf__verify(struct henb_agent *a);

/* A file that failed its check. If it was pieced together from several transfers, the server's file may
 * have changed in between: fetch it once more from the start before reporting it corrupted. */
static void lf__corrupt(struct henb_agent *a, uint32_t fault, const char *why)
{
	struct henb_download *d = a->download;
	char shown[300];
	lf__remove_image(d);
	if (d->pieced && !d->refetched && d->attempts < HENB_DOWNLOAD_MAX_ATTEMPTS) {
		lf__log_safe(shown, sizeof(shown), why);
		lf_warn("download_refetch", "command_key=\"%s\" reason=\"%s\"", a->st.dl.command_key, shown);
		d->refetched = true;
		d->pieced = false;
		lf__fetch(a);
		return;
	}
	lf__end(a, fault, why, false);
}

static void lf__fetch_done(struct henb_agent *a, int64_t now)
{
	struct henb_download *d = a->download;
	const char *why;
	uint64_t size, received;
	char reason[300], shown[300];
	enum henb_fetch_outcome o = henb_fetch_result(d->fetch, &why, &size, &received);
	snprintf(reason, sizeof(reason), "%s", why); /* why dies with the fetch */
	henb_fetch_free(&d->fetch);
	lf_info("fetch_done", "outcome=%d bytes=%llu received=%llu attempt=%u", (int)o, (unsigned long long)size,
		(unsigned long long)received, d->attempts);
	if (o == HENB_FETCH_DONE) {
		lf__verify(a);
		return;
	}
	/* A file server that answered before and is gone now: the transfer was interrupted. */
	bool resumable = o == HENB_FETCH_INTERRUPTED || o == HENB_FETCH_RESTART ||
			 (o == HENB_FETCH_NO_CONTACT && (d->attempts > 1 || d->pieced));
	if (resumable && d->attempts < HENB_DOWNLOAD_MAX_ATTEMPTS) {
		unsigned wait_s = o == HENB_FETCH_RESTART ? 0 : 1u << (d->attempts - 1);
		if (wait_s > LF_RETRY_MAX_S)
			wait_s = LF_RETRY_MAX_S;
		d->pieced = d->pieced || size > 0;
		d->retry_ms = now + (int64_t)wait_s * a->cfg.second_ms;
		d->phase = LF_WAIT;
		lf__log_safe(shown, sizeof(shown), reason);
		lf_warn("download_interrupted", "command_key=\"%s\" bytes=%llu attempt=%u resume_in_s=%u reason=\"%s\"",
			a->st.dl.command_key, (unsigned long long)size, d->attempts, wait_s, shown);
		return;
	}
	uint32_t fault = resumable ? CWMP_FAULT_COMPLETE_DOWNLOAD : lf__fetch_fault(o, a->st.dl.file_size != 0);
	if (o == HENB_FETCH_TOO_BIG) {
		lf__corrupt(a, fault, reason);
		return;
	}
	/* The partial file stays: a new Download of the same URL continues it. */
	lf__end(a, fault, reason, true);
}

/* ------------------------------------------------------------------------------------------------ install */

static void lf__verify(struct henb_agent *a)
{
	struct henb_download *d = a->download;
	const struct henb_download_job *job = &a->st.dl;
	struct henb_install_req req;
	struct stat st;
	char why[HENB_INSTALL_PATH_MAX + 128];

	if (stat(d->image, &st) != 0) {
		snprintf(why, sizeof(why), "the download vanished: %s", strerror(errno));
		lf__end(a, CWMP_FAULT_INTERNAL_ERROR, why, false);
		return;
	}
	if (job->file_size && (uint64_t)st.st_size != job->file_size) {
		snprintf(why, sizeof(why), "received %llu bytes, the Download announced %u",
			 (unsigned long long)st.st_size, job->file_size);
		lf__corrupt(a, CWMP_FAULT_FILE_CORRUPTED, why);
		return;
	}
	memset(&req, 0, sizeof(req));
	req.kind = d->is_config ? HENB_INSTALL_CONFIG : HENB_INSTALL_FIRMWARE;
	snprintf(req.image, sizeof(req.image), "%s", d->image);
	snprintf(req.dev, sizeof(req.dev), "%s", d->dev);
	memcpy(req.pub, d->pub, sizeof(req.pub));
	snprintf(req.product_class, sizeof(req.product_class), "%s", a->cfg.product_class);
	snprintf(req.hw_version, sizeof(req.hw_version), "%s", a->cfg.hardware_version);
	if (!d->is_config) {
		/* Before the slot can change: a marker naming it, so whatever boots next knows what happened. */
		struct fw_bootctl bc;
		struct lf__marker m;
		if (fw_bootctl_load(d->dev, &bc, why, sizeof(why))) {
			lf__end(a, CWMP_FAULT_INTERNAL_ERROR, why, false);
			return;
		}
		memset(&m, 0, sizeof(m));
		snprintf(m.command_key, sizeof(m.command_key), "%s", job->command_key);
		m.slot = bc.active == FW_SLOT_A ? FW_SLOT_B : FW_SLOT_A;
		snprintf(m.start_time, sizeof(m.start_time), "%s", d->start_time);
		if (lf__marker_save(d, &m)) {
			lf__end(a, CWMP_FAULT_INTERNAL_ERROR, "cannot write the install marker", false);
			return;
		}
	}
	if (henb_install_start(&d->install, &req, why, sizeof(why))) {
		if (!d->is_config)
			lf__marker_remove(d);
		lf__end(a, CWMP_FAULT_INTERNAL_ERROR, why, false);
		return;
	}
	lf_info("fw_check_start", "command_key=\"%s\" kind=%s bytes=%llu", job->command_key,
		d->is_config ? "config" : "firmware", (unsigned long long)st.st_size);
	d->phase = LF_INSTALL;
}

static void lf__install_done(struct henb_agent *a, struct henb_install_res *res)
{
	struct henb_download *d = a->download;
	char why[700], version[FW_FIELD_MAX + 1];
	henb_install_free(&d->install);
	lf__log_safe(version, sizeof(version), res->version);
	if (res->result) {
		uint32_t fault = res->wrong_kind ? CWMP_FAULT_DOWNLOAD_FAILURE : (uint32_t)fw_fault_code(res->result);
		snprintf(why, sizeof(why), "%s", res->err[0] ? res->err : fw_strerror(res->result));
		if (!d->is_config)
			lf__marker_remove(d);
		lf_warn("fw_check_refused", "command_key=\"%s\" error=\"%s\" fault=%u", a->st.dl.command_key,
			fw_strerror(res->result), fault);
		if (fault == CWMP_FAULT_FILE_CORRUPTED)
			lf__corrupt(a, fault, why);
		else
			lf__end(a, fault, why, false);
		return;
	}
	if (d->is_config) {
		uint32_t fault = henb_vendorcfg_apply(a, res->config.data ? res->config.data : "", res->config.len, why,
						      sizeof(why));
		lf_info("vendor_config", "command_key=\"%s\" version=\"%s\" fault=%u", a->st.dl.command_key, version,
			fault);
		lf__end(a, fault, fault ? why : "", false);
		return;
	}
	/* Installed and pending in the inactive slot. */
	struct lf__marker m;
	memset(&m, 0, sizeof(m));
	snprintf(m.command_key, sizeof(m.command_key), "%s", a->st.dl.command_key);
	m.installed = true;
	m.slot = res->slot;
	snprintf(m.version, sizeof(m.version), "%s", res->version);
	snprintf(m.start_time, sizeof(m.start_time), "%s", d->start_time);
	if (lf__marker_save(d, &m))
		lf_error("fw_marker_save_failed", "dir=%s", d->dir); /* the "installing" one tells the same */
	lf__remove_image(d);
	lf_info("fw_install_done", "command_key=\"%s\" slot=%s version=\"%s\" launcher=%s", m.command_key,
		fw_slot_name(m.slot), version, d->boot_slot == FW_SLOT_NONE ? "no" : "yes");
	if (lf__reports_install(d)) {
		/* No boot loader here to switch slots (or the failsafe image): the image waits, pending, for the next
		 * boot through it. */
		lf__marker_remove(d);
		lf__end(a, 0, "", false);
		return;
	}
	/* The job is done; its TransferComplete comes from the new image once it confirmed itself. */
	d->phase = LF_IDLE;
	a->st.dl.used = false;
	a->st_dirty = true;
	henb_agent_persist(a);
	a->reboot_requested = true;
}

/* ------------------------------------------------------------------------------------------------ boot */

/* What became of an install that waited for this boot. */
static void lf__boot_outcome(struct henb_agent *a)
{
	struct henb_download *d = a->download;
	struct lf__marker *m = &d->marker;
	struct fw_bootctl bc;
	char why[512];
	int result = lf__marker_load(d, m);
	if (result == LF_ENOTFOUND)
		return;
	if (result) {
		lf_error("fw_marker_unreadable", "dir=%s action=removed", d->dir);
		lf__marker_remove(d);
		return;
	}
	bool job_is_it = a->st.dl.used && strcmp(a->st.dl.command_key, m->command_key) == 0;
	if (d->boot_slot == m->slot) {
		/* The new image runs (on trial): it is confirmed, and reported, after the first good session. */
		d->confirm = true;
		if (job_is_it) {
			a->st.dl.used = false;
			a->st_dirty = true;
		}
		lf_info("fw_boot_new_image", "command_key=\"%s\" slot=%s action=confirm_after_session",
			m->command_key, fw_slot_name(m->slot));
		return;
	}
	if (!d->dev[0] || fw_bootctl_load(d->dev, &bc, why, sizeof(why))) {
		lf_error("fw_boot_state_unreadable", "dev=%s", d->dev);
		return;
	}
	if (bc.pending == m->slot && (m->installed || lf__reports_install(d))) {
		if (lf__reports_install(d)) {
			/* Without the launcher nothing switches slots: installed and pending is success. */
			if (job_is_it)
				a->st.dl.used = false;
			lf__marker_remove(d);
			lf__report(a, m->command_key, 0, "", m->start_time);
		}
		return; /* still on its way to a trial boot */
	}
	if (!m->installed && bc.pending != m->slot) {
		/* The install was cut short: the slot was recovered; the job (still persisted) runs again. */
		lf_warn("fw_install_interrupted", "command_key=\"%s\" slot=%s action=%s", m->command_key,
			fw_slot_name(m->slot), job_is_it ? "retry" : "none");
		lf__marker_remove(d);
		return;
	}
	if (!m->installed) {
		/* Installed (pending) but the marker was not updated before the cut: whatever boots next tells. */
		if (job_is_it) {
			a->st.dl.used = false;
			a->st_dirty = true;
		}
		return;
	}
	/* Installed, and the launcher gave it up: it did not come up. The running image reports it. */
	snprintf(why, sizeof(why), "the new image %s in slot %s did not come up; back on slot %s", m->version,
		 fw_slot_name(m->slot), fw_slot_name(d->boot_slot));
	if (job_is_it)
		a->st.dl.used = false;
	lf__marker_remove(d);
	lf__report(a, m->command_key, CWMP_FAULT_DOWNLOAD_FAILURE, why, m->start_time);
}

/* SoftwareVersion: the version in the running slot's signed manifest (checked by henb-boot at this boot). */
static void lf__software_version(struct henb_agent *a)
{
	struct henb_download *d = a->download;
	struct fw_manifest m;
	char dir[HENB_INSTALL_PATH_MAX + 32], err[256], shown[FW_FIELD_MAX + 1];
	if (d->boot_slot == FW_SLOT_NONE || !d->dev[0] || fw_bootctl_slot_dir(d->dev, d->boot_slot, dir, sizeof(dir)))
		return;
	if (fw_slot_read_manifest(dir, &m, err, sizeof(err)) == LF_OK) {
		if (henb_dm_set_str(a->dm, LF_SOFTWARE_VERSION, m.version, HENB_DM_ORIGIN_INIT))
			lf_warn("software_version_refused", "slot=%s", fw_slot_name(d->boot_slot));
		lf__log_safe(shown, sizeof(shown), m.version);
		lf_info("software_version", "slot=%s version=\"%s\"", fw_slot_name(d->boot_slot), shown);
	} else {
		lf_warn("software_version_unknown", "slot=%s", fw_slot_name(d->boot_slot));
	}
	fw_manifest_free(&m);
}

/* ------------------------------------------------------------------------------------------------ API */

uint32_t henb_download_start(struct henb_agent *a, const struct cwmp_download *d, struct cwmp_transfer_result *resp)
{
	struct henb_download_job *job = &a->st.dl;
	const char *url = d->url ? d->url : "";
	bool type_ok = false;
	for (size_t i = 0; lf__file_types[i] && d->file_type; i++)
		type_ok = type_ok || strcmp(d->file_type, lf__file_types[i]) == 0;
	if (!type_ok || !url[0] || !lf__fits(d->command_key, sizeof(job->command_key)) ||
	    !lf__fits(url, sizeof(job->url)) || !lf__fits(d->username, sizeof(job->username)) ||
	    !lf__fits(d->password, sizeof(job->password)) ||
	    !lf__fits(d->target_file_name, sizeof(job->target_file_name)))
		return CWMP_FAULT_INVALID_ARGUMENTS;
	if (strncmp(url, "http://", 7) != 0 && strncmp(url, "https://", 8) != 0)
		return CWMP_FAULT_UNSUPPORTED_PROTOCOL;
	if (job->used)
		return CWMP_FAULT_RESOURCES_EXCEEDED;

	memset(job, 0, sizeof(*job));
	job->used = true;
	snprintf(job->command_key, sizeof(job->command_key), "%s", d->command_key ? d->command_key : "");
	snprintf(job->file_type, sizeof(job->file_type), "%s", d->file_type);
	snprintf(job->url, sizeof(job->url), "%s", url);
	snprintf(job->username, sizeof(job->username), "%s", d->username ? d->username : "");
	snprintf(job->password, sizeof(job->password), "%s", d->password ? d->password : "");
	snprintf(job->target_file_name, sizeof(job->target_file_name), "%s",
		 d->target_file_name ? d->target_file_name : "");
	job->file_size = d->file_size;
	job->delay_seconds = d->delay_seconds;
	job->due_ms = lf_now_ms() + (int64_t)d->delay_seconds * a->cfg.second_ms;
	if (henb_agent_persist(a)) {
		job->used = false;
		return CWMP_FAULT_INTERNAL_ERROR;
	}
	lf_info("download_accepted", "command_key=\"%s\" file_type=\"%s\" delay_s=%u", job->command_key,
		job->file_type, job->delay_seconds);
	resp->status = 1; /* not done yet: a TransferComplete follows (A.3.2.8) */
	resp->start_time = NULL;
	resp->complete_time = NULL;
	return 0;
}

int henb_download_init(struct henb_agent *a, char *err, size_t errlen)
{
	struct henb_download *d = lf_calloc(1, sizeof(*d));
	const char *env_dev = getenv("LF_DEV_DIR");
	char why[512];
	int n;
	a->download = d;
	d->boot_slot = lf__env_slot();
	snprintf(d->dev, sizeof(d->dev), "%s", a->cfg.fw_dev_dir[0] ? a->cfg.fw_dev_dir : env_dev ? env_dev : "");
	if (a->cfg.fw_download_dir[0])
		n = snprintf(d->dir, sizeof(d->dir), "%s", a->cfg.fw_download_dir);
	else
		n = snprintf(d->dir, sizeof(d->dir), "%s/download", a->cfg.state_dir);
	if (n < 0 || (size_t)n >= sizeof(d->dir) - 64) {
		snprintf(err, errlen, "firmware.download_dir is too long");
		return LF_EINVAL;
	}
	if (a->cfg.fw_pubkey[0]) {
		if (fw_key_load_public(d->pub, a->cfg.fw_pubkey, why, sizeof(why))) {
			snprintf(err, errlen, "firmware.pubkey: %s", why);
			return LF_EINVAL;
		}
		d->have_key = true;
	}
	lf__software_version(a);
	lf__boot_outcome(a);
	return LF_OK;
}

void henb_download_tick(struct henb_agent *a, int64_t now_ms)
{
	struct henb_download *d = a->download;
	if (!d || d->phase != LF_IDLE || !a->st.dl.used || now_ms < a->st.dl.due_ms || a->session)
		return;
	lf__begin(a);
}

size_t henb_download_pollfds(struct henb_agent *a, struct pollfd *p, size_t max)
{
	struct henb_download *d = a->download;
	if (!d)
		return 0;
	if (d->phase == LF_FETCH)
		return henb_fetch_pollfds(d->fetch, p, max);
	if (d->phase == LF_INSTALL && max > 0) {
		p[0] = (struct pollfd){.fd = henb_install_fd(d->install), .events = POLLIN};
		return 1;
	}
	return 0;
}

int64_t henb_download_deadline(const struct henb_agent *a)
{
	const struct henb_download *d = a->download;
	if (!d)
		return -1;
	switch (d->phase) {
	case LF_IDLE: return a->st.dl.used && !a->session ? a->st.dl.due_ms : -1;
	case LF_FETCH: return henb_fetch_deadline(d->fetch);
	case LF_WAIT: return d->retry_ms;
	case LF_INSTALL: return -1;
	}
	return -1;
}

void henb_download_process(struct henb_agent *a, const struct pollfd *p, size_t n, int64_t now_ms)
{
	struct henb_download *d = a->download;
	if (!d)
		return;
	switch (d->phase) {
	case LF_IDLE: break;
	case LF_FETCH:
		if (henb_fetch_process(d->fetch, p, n, now_ms))
			lf__fetch_done(a, now_ms);
		break;
	case LF_WAIT:
		if (now_ms >= d->retry_ms)
			lf__fetch(a);
		break;
	case LF_INSTALL: {
		struct henb_install_res res;
		if (henb_install_collect(d->install, &res)) {
			lf__install_done(a, &res);
			lf_buf_free(&res.config);
		}
		break;
	}
	}
}

void henb_download_session_ok(struct henb_agent *a)
{
	struct henb_download *d = a->download;
	if (!d || d->confirmed || d->boot_slot == FW_SLOT_NONE || !d->dev[0])
		return;
	/* The image reached its HeMS: it is good (a pending slot on trial becomes the active one). */
	int result = fw_bootctl_mark_good(d->dev);
	if (result) {
		lf_error("fw_mark_good_failed", "slot=%s error=\"%s\" action=retry_next_session", fw_slot_name(d->boot_slot),
			 fw_strerror(result));
		return;
	}
	d->confirmed = true;
	lf_info("fw_slot_confirmed", "slot=%s", fw_slot_name(d->boot_slot));
	if (!d->confirm)
		return;
	d->confirm = false;
	for (size_t i = 0; i < a->st.n_tc; i++)
		if (strcmp(a->st.tc[i].command_key, d->marker.command_key) == 0) {
			lf__marker_remove(d); /* reported before a cut: once is enough */
			return;
		}
	/* Queued (persisted) before the marker goes: a cut in between reports it at most twice, never never. */
	lf__report(a, d->marker.command_key, 0, "", d->marker.start_time);
	lf__marker_remove(d);
}

void henb_download_free(struct henb_agent *a)
{
	struct henb_download *d = a->download;
	if (!d)
		return;
	henb_fetch_free(&d->fetch);
	henb_install_free(&d->install);
	lf_free(d);
	a->download = NULL;
}
