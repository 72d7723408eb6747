/* distress_download.c: the download action of the distress channel (protocol section 8): fetch the URL over the
 * alternative path (the agent's loop drives the transfer, fetch.c), check its size and SHA-256 (hashed a slice per
 * loop turn), then henbd's signed-image checks unchanged (install.c: signature, product class, hardware version,
 * every file's hash) and the install into the inactive A/B slot, reboot into it; the new image confirms its slot
 * once a distress INFORM got through and reports the final result. The job is in protected storage, so a restart
 * takes it up again and an accepted action is executed once. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "common/err.h"
#include "common/log.h"
#include "common/timeutil.h"
#include "cwmp/cwmp.h"
#include "firmware/bootctl.h"
#include "firmware/fwerr.h"
#include "firmware/image.h"
#include "firmware/key.h"
#include "henb/agent.h"
#include "henb/distress_int.h"

#define LF_FT_FIRMWARE "1 Firmware Upgrade Image"
#define LF_MAX_IMAGE ((uint64_t)FW_HEADER_LEN + FW_MANIFEST_MAX + FW_SIG_LEN + FW_PAYLOAD_MAX)
#define LF_ATTEMPTS 3               /* transfers of one job (the first and its resumes) */
#define LF_HASH_SLICE (1024 * 1024) /* bytes hashed per loop turn */

/* ------------------------------------------------------------------------------------------------ outcome */

static void lf__remove_image(struct henb__dx_dl *dl)
{
	if (dl->path[0] && unlink(dl->path) != 0 && errno != ENOENT)
		lf_error("distress_download_remove_failed", "path=%s reason=\"%s\"", dl->path, strerror(errno));
}

/* The job ends with a final result (reported in a distress session). */
static void lf__final(struct henb_agent *a, uint8_t status, uint32_t fault, const char *why, const char *version)
{
	struct henb_distress *d = a->distress;
	struct henb_distress_report r;
	memset(&r, 0, sizeof(r));
	r.id = d->saved.dl.id;
	r.kind = DISTRESS_KIND_DOWNLOAD;
	r.status = status;
	r.fault = fault;
	henb__dx_copy(r.fault_string, sizeof(r.fault_string), fault ? why : "", true);
	henb__dx_copy(r.software_version, sizeof(r.software_version), version ? version : "", false);
	snprintf(r.start_time, sizeof(r.start_time), "%s", d->saved.dl.start_time);
	lf_time_iso8601(time(NULL), r.complete_time, sizeof(r.complete_time));
	if (fault)
		lf_warn("distress_download_failed", "action=%llu fault=%u reason=\"%s\"", (unsigned long long)r.id,
		        fault, r.fault_string);
	else
		lf_info("distress_download_done", "action=%llu version=\"%s\"", (unsigned long long)r.id,
		        r.software_version);
	memset(&d->saved.dl, 0, sizeof(d->saved.dl));
	d->saved.dl.slot = FW_SLOT_NONE;
	d->dl.phase = HENB__DL_IDLE;
	lf__remove_image(&d->dl);
	henb__dx_report(a, &r); /* saves the state */
}

/* ------------------------------------------------------------------------------------------------ transfer */

static void lf__fetch(struct henb_agent *a)
{
	struct henb_distress *d = a->distress;
	struct henb__dx_dl *dl = &d->dl;
	char err[256];
	struct henb_fetch_opts o = {
	    .url = d->saved.dl.url,
	    .username = "",
	    .password = "",
	    .ca_file = a->cfg.ca_file,
	    .client_cert = a->cfg.client_cert,
	    .client_key = a->cfg.client_key,
	    .path = dl->path,
	    .max_bytes = d->saved.dl.size,
	    .rate_limit = (uint64_t)a->cfg.fw_rate_limit,
	    .timeout_s = (long)a->cfg.http_timeout,
	};
	dl->attempts++;
	if (henb_fetch_start(&dl->fetch, &o, err, sizeof(err))) {
		lf__final(a, DISTRESS_STATUS_FAILED, CWMP_FAULT_INTERNAL_ERROR, err, NULL);
		return;
	}
	dl->phase = HENB__DL_FETCH;
}

static void lf__begin(struct henb_agent *a)
{
	struct henb__dx_dl *dl = &a->distress->dl;
	dl->attempts = 0;
	lf__remove_image(dl); /* a job starts from the first byte: the SHA-256 covers exactly this transfer */
	lf_info("distress_download_start", "action=%llu url=%s size=%llu", (unsigned long long)a->distress->saved.dl.id,
	        a->distress->saved.dl.url, (unsigned long long)a->distress->saved.dl.size);
	lf__fetch(a);
}

static uint32_t lf__fetch_fault(enum henb_fetch_outcome o)
{
	switch (o) {
	case HENB_FETCH_DONE:
		return 0;
	case HENB_FETCH_NO_CONTACT:
		return CWMP_FAULT_CONTACT_FILE_SERVER;
	case HENB_FETCH_NO_ACCESS:
		return CWMP_FAULT_ACCESS_FILE;
	case HENB_FETCH_AUTH:
		return CWMP_FAULT_FILE_SERVER_AUTH;
	case HENB_FETCH_INTERRUPTED:
	case HENB_FETCH_RESTART:
		return CWMP_FAULT_COMPLETE_DOWNLOAD;
	case HENB_FETCH_TOO_BIG:
		return CWMP_FAULT_FILE_CORRUPTED;
	case HENB_FETCH_IO:
		return CWMP_FAULT_INTERNAL_ERROR;
	}
	return CWMP_FAULT_INTERNAL_ERROR;
}

static void lf__fetch_done(struct henb_agent *a, int64_t now)
{
	struct henb__dx_dl *dl = &a->distress->dl;
	const char *why;
	char reason[300];
	uint64_t size, received;
	enum henb_fetch_outcome o = henb_fetch_result(dl->fetch, &why, &size, &received);
	henb__dx_copy(reason, sizeof(reason), why, false);
	henb_fetch_free(&dl->fetch);
	lf_info("distress_fetch_done", "outcome=%d bytes=%llu attempt=%u", (int)o, (unsigned long long)size,
	        dl->attempts);
	if (o == HENB_FETCH_DONE) {
		dl->fd = open(dl->path, O_RDONLY | O_CLOEXEC);
		if (dl->fd < 0) {
			lf__final(a, DISTRESS_STATUS_FAILED, CWMP_FAULT_INTERNAL_ERROR, "the download vanished", NULL);
			return;
		}
		sha256_init(&dl->sha);
		dl->hashed = 0;
		dl->phase = HENB__DL_HASH;
		return;
	}
	if ((o == HENB_FETCH_INTERRUPTED || o == HENB_FETCH_RESTART) && dl->attempts < LF_ATTEMPTS) {
		dl->retry_ms = now + a->cfg.second_ms; /* resumed with a Range request */
		dl->phase = HENB__DL_WAIT;
		lf_warn("distress_download_interrupted", "bytes=%llu attempt=%u reason=\"%s\"",
		        (unsigned long long)size, dl->attempts, reason);
		return;
	}
	lf__final(a, DISTRESS_STATUS_FAILED, lf__fetch_fault(o), reason, NULL);
}

/* ------------------------------------------------------------------------------------------------ checks */

static void lf__install(struct henb_agent *a)
{
	struct henb_distress *d = a->distress;
	struct henb__dx_dl *dl = &d->dl;
	struct henb_install_req req;
	char why[HENB_INSTALL_PATH_MAX + 128];
	memset(&req, 0, sizeof(req));
	req.kind = HENB_INSTALL_FIRMWARE;
	snprintf(req.image, sizeof(req.image), "%s", dl->path);
	snprintf(req.dev, sizeof(req.dev), "%s", dl->dev);
	memcpy(req.pub, dl->pub, sizeof(req.pub));
	snprintf(req.product_class, sizeof(req.product_class), "%s", a->cfg.product_class);
	snprintf(req.hw_version, sizeof(req.hw_version), "%s", a->cfg.hardware_version);
	if (henb_install_start(&dl->install, &req, why, sizeof(why))) {
		lf__final(a, DISTRESS_STATUS_FAILED, CWMP_FAULT_INTERNAL_ERROR, why, NULL);
		return;
	}
	lf_info("distress_fw_check_start", "action=%llu", (unsigned long long)d->saved.dl.id);
	dl->phase = HENB__DL_INSTALL;
}

/* One slice of the SHA-256 of the received file; at the end, size and digest against the action's. */
static void lf__hash_step(struct henb_agent *a)
{
	struct henb_distress *d = a->distress;
	struct henb__dx_dl *dl = &d->dl;
	static uint8_t buf[64 * 1024];
	size_t done = 0;
	while (done < LF_HASH_SLICE) {
		ssize_t n = read(dl->fd, buf, sizeof(buf));
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			close(dl->fd);
			dl->fd = -1;
			lf__final(a, DISTRESS_STATUS_FAILED, CWMP_FAULT_INTERNAL_ERROR, "cannot read the download",
			          NULL);
			return;
		}
		if (n == 0)
			break;
		sha256_update(&dl->sha, (size_t)n, buf);
		dl->hashed += (uint64_t)n;
		done += (size_t)n;
	}
	if (done == LF_HASH_SLICE)
		return; /* more next turn */
	close(dl->fd);
	dl->fd = -1;
	uint8_t digest[SHA256_DIGEST_SIZE];
	char why[160];
	sha256_digest(&dl->sha, sizeof(digest), digest);
	if (dl->hashed != d->saved.dl.size) {
		snprintf(why, sizeof(why), "received %llu bytes, the action announced %llu",
		         (unsigned long long)dl->hashed, (unsigned long long)d->saved.dl.size);
		lf__final(a, DISTRESS_STATUS_FAILED, CWMP_FAULT_FILE_CORRUPTED, why, NULL);
		return;
	}
	if (memcmp(digest, d->saved.dl.sha256, sizeof(digest)) != 0) {
		lf__final(a, DISTRESS_STATUS_FAILED, CWMP_FAULT_FILE_CORRUPTED,
		          "the file's SHA-256 is not the action's", NULL);
		return;
	}
	lf_info("distress_download_verified", "action=%llu bytes=%llu sha256=match", (unsigned long long)d->saved.dl.id,
	        (unsigned long long)dl->hashed);
	lf__install(a);
}

static void lf__install_done(struct henb_agent *a, struct henb_install_res *res)
{
	struct henb_distress *d = a->distress;
	struct henb__dx_dl *dl = &d->dl;
	char why[700];
	henb_install_free(&dl->install);
	if (res->result) {
		uint32_t fault = res->wrong_kind ? CWMP_FAULT_DOWNLOAD_FAILURE : (uint32_t)fw_fault_code(res->result);
		snprintf(why, sizeof(why), "%s", res->err[0] ? res->err : fw_strerror(res->result));
		lf__final(a, DISTRESS_STATUS_FAILED, fault, why, NULL);
		return;
	}
	lf__remove_image(dl);
	dl->phase = HENB__DL_IDLE;
	lf_info("distress_fw_install_done", "action=%llu slot=%s launcher=%s", (unsigned long long)d->saved.dl.id,
	        fw_slot_name(res->slot), dl->boot_slot == FW_SLOT_NONE ? "no" : "yes");
	if (dl->boot_slot == FW_SLOT_NONE) {
		/* No boot loader here to switch slots: the image waits, pending, for the next boot through it. */
		lf__final(a, DISTRESS_STATUS_SUCCESS, 0, "", res->version);
		return;
	}
	d->saved.dl.phase = HENB_DDL_INSTALLED;
	d->saved.dl.slot = res->slot;
	henb__dx_copy(d->saved.dl.version, sizeof(d->saved.dl.version), res->version, false);
	henb__dx_save(a);
	/* Into the new image once the distress session (if one runs) is over. */
	dl->reboot = true;
	if (!d->w) {
		dl->reboot = false;
		lf_info("distress_reboot", "why=\"new firmware installed\"");
		a->reboot_requested = true;
	}
}

/* ------------------------------------------------------------------------------------------------ API */

void henb__dx_dl_start(struct henb_agent *a, const struct distress_action *act, struct distress_result *r)
{
	struct henb_distress *d = a->distress;
	struct henb__dx_dl *dl = &d->dl;
	const char *why = NULL;
	uint32_t fault = CWMP_FAULT_INVALID_ARGUMENTS;
	if (strncmp(act->url, "http://", 7) != 0 && strncmp(act->url, "https://", 8) != 0) {
		why = "the URL is not http:// or https://";
		fault = CWMP_FAULT_UNSUPPORTED_PROTOCOL;
	} else if (!act->file_size || !act->has_sha256) {
		why = "a download needs the file size and its SHA-256";
	} else if (act->file_type[0] && strcmp(act->file_type, LF_FT_FIRMWARE) != 0) {
		why = "only \"1 Firmware Upgrade Image\" goes over the distress channel";
	} else if (act->file_size > LF_MAX_IMAGE) {
		why = "the file is larger than any image";
		fault = CWMP_FAULT_DOWNLOAD_FAILURE;
	} else if (!dl->have_key) {
		why = "no trusted firmware key (firmware.pubkey): images cannot be authenticated";
		fault = CWMP_FAULT_DOWNLOAD_FAILURE;
	} else if (!dl->dev[0]) {
		why = "no boot device directory (firmware.dev_dir, or LF_DEV_DIR from henb-boot): nowhere to install";
		fault = CWMP_FAULT_DOWNLOAD_FAILURE;
	} else if (d->saved.dl.phase != HENB_DDL_NONE || a->st.dl.used) {
		why = "another download is in progress";
		fault = CWMP_FAULT_RESOURCES_EXCEEDED;
	}
	if (why) {
		r->status = DISTRESS_STATUS_FAILED;
		r->fault_code = fault;
		snprintf(r->fault_string, sizeof(r->fault_string), "%s", why);
		return;
	}
	memset(&d->saved.dl, 0, sizeof(d->saved.dl));
	d->saved.dl.phase = HENB_DDL_FETCH;
	d->saved.dl.id = act->id;
	snprintf(d->saved.dl.command_key, sizeof(d->saved.dl.command_key), "%s", act->command_key);
	snprintf(d->saved.dl.url, sizeof(d->saved.dl.url), "%s", act->url);
	d->saved.dl.size = act->file_size;
	memcpy(d->saved.dl.sha256, act->sha256, sizeof(d->saved.dl.sha256));
	d->saved.dl.slot = FW_SLOT_NONE;
	lf_time_iso8601(time(NULL), d->saved.dl.start_time, sizeof(d->saved.dl.start_time));
	snprintf(r->start_time, sizeof(r->start_time), "%s", d->saved.dl.start_time);
	/* Accepted before the transfer starts: a transfer that cannot even start reports its failure as the final
	 * result, which must not be overwritten by this acceptance. */
	r->status = DISTRESS_STATUS_ACCEPTED;
	henb_distress_memo_put(&d->saved, act->id, act->kind, r->status, 0);
	henb__dx_save(a);
	lf__begin(a);
}

void henb__dx_dl_init(struct henb_agent *a)
{
	struct henb_distress *d = a->distress;
	struct henb__dx_dl *dl = &d->dl;
	const char *env_dev = getenv("LF_DEV_DIR"), *slot = getenv("LF_BOOT_SLOT");
	char why[512];
	dl->fd = -1;
	snprintf(dl->dev, sizeof(dl->dev), "%s", a->cfg.fw_dev_dir[0] ? a->cfg.fw_dev_dir : env_dev ? env_dev : "");
	dl->boot_slot = slot ? fw_slot_parse(slot) : FW_SLOT_NONE;
	if (dl->boot_slot < FW_SLOT_A)
		dl->boot_slot = FW_SLOT_NONE;
	snprintf(dl->path, sizeof(dl->path), "%s/distress-download.img", a->cfg.state_dir);
	if (a->cfg.fw_pubkey[0]) {
		if (fw_key_load_public(dl->pub, a->cfg.fw_pubkey, why, sizeof(why)))
			lf_warn("distress_download_no_key", "reason=\"%s\"", why);
		else
			dl->have_key = true;
	}
	struct henb_distress_dl *job = &d->saved.dl;
	if (job->phase == HENB_DDL_FETCH) {
		/* Cut off by a restart before it was installed: the same action goes on (at most once). */
		lf_info("distress_download_resumed", "action=%llu", (unsigned long long)job->id);
		lf__begin(a);
	} else if (job->phase == HENB_DDL_INSTALLED) {
		if (dl->boot_slot == job->slot) {
			/* The new image runs on trial: confirmed once a distress INFORM (or a standard session) got
			 * through, then reported. */
			dl->confirm = true;
			lf_info("distress_download_boot", "action=%llu slot=%s action_next=confirm_after_inform",
			        (unsigned long long)job->id, fw_slot_name(job->slot));
			return;
		}
		struct fw_bootctl bc;
		if (dl->dev[0] && fw_bootctl_load(dl->dev, &bc, why, sizeof(why)) == LF_OK && bc.pending == job->slot &&
		    dl->boot_slot != FW_SLOT_NONE)
			return; /* still on its way to a trial boot */
		snprintf(why, sizeof(why), "the new image %s in slot %s did not come up; back on slot %s", job->version,
		         fw_slot_name(job->slot), fw_slot_name(dl->boot_slot));
		lf__final(a, DISTRESS_STATUS_FAILED, CWMP_FAULT_DOWNLOAD_FAILURE, why, NULL);
	}
}

void henb__dx_dl_opened(struct henb_agent *a)
{
	struct henb_distress *d = a->distress;
	struct henb__dx_dl *dl = &d->dl;
	if (!dl->confirm)
		return;
	dl->confirm = false;
	/* The image reached its HeMS: it is good (the pending slot on trial becomes the active one). */
	int result = dl->dev[0] ? fw_bootctl_mark_good(dl->dev) : LF_OK;
	if (result) {
		lf_error("fw_mark_good_failed", "slot=%s error=\"%s\" via=distress", fw_slot_name(dl->boot_slot),
		         fw_strerror(result));
		dl->confirm = true;
		return;
	}
	lf_info("fw_slot_confirmed", "slot=%s via=distress", fw_slot_name(dl->boot_slot));
	lf__final(a, DISTRESS_STATUS_SUCCESS, 0, "", henb_dm_get_str(a->dm, "Device.DeviceInfo.SoftwareVersion"));
}

size_t henb__dx_dl_pollfds(struct henb_agent *a, struct pollfd *p, size_t max)
{
	struct henb__dx_dl *dl = &a->distress->dl;
	if (dl->phase == HENB__DL_FETCH)
		return henb_fetch_pollfds(dl->fetch, p, max);
	if (dl->phase == HENB__DL_INSTALL && max > 0) {
		p[0] = (struct pollfd){.fd = henb_install_fd(dl->install), .events = POLLIN};
		return 1;
	}
	return 0;
}

int64_t henb__dx_dl_deadline(const struct henb_agent *a)
{
	const struct henb__dx_dl *dl = &a->distress->dl;
	switch (dl->phase) {
	case HENB__DL_FETCH:
		return henb_fetch_deadline(dl->fetch);
	case HENB__DL_WAIT:
		return dl->retry_ms;
	case HENB__DL_HASH:
		return 0; /* the next slice at once */
	default:
		return -1;
	}
}

void henb__dx_dl_process(struct henb_agent *a, const struct pollfd *p, size_t n, int64_t now)
{
	struct henb__dx_dl *dl = &a->distress->dl;
	switch (dl->phase) {
	case HENB__DL_FETCH:
		if (henb_fetch_process(dl->fetch, p, n, now))
			lf__fetch_done(a, now);
		break;
	case HENB__DL_WAIT:
		if (now >= dl->retry_ms)
			lf__fetch(a);
		break;
	case HENB__DL_HASH:
		lf__hash_step(a);
		break;
	case HENB__DL_INSTALL: {
		struct henb_install_res res;
		if (henb_install_collect(dl->install, &res)) {
			lf__install_done(a, &res);
			lf_buf_free(&res.config);
		}
		break;
	}
	default:
		break;
	}
}

void henb__dx_dl_free(struct henb_agent *a)
{
	struct henb__dx_dl *dl = &a->distress->dl;
	henb_fetch_free(&dl->fetch);
	henb_install_free(&dl->install);
	if (dl->fd >= 0)
		close(dl->fd);
	dl->fd = -1;
}
