/* bootctl.c: A/B boot control: install to the inactive slot, per-boot choice with tries and fallbacks, flags. */
#include "firmware/bootctl.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/buf.h"
#include "common/config.h"
#include "common/err.h"
#include "common/file.h"
#include "common/log.h"
#include "firmware/fwerr.h"
#include "firmware/image.h"
#include "firmware/slot.h"

#define FW__STATE_FORMAT 1

static const char *const fw__slot_names[] = {"A", "B", "failsafe"};

const char *fw_slot_name(int slot)
{
	if (slot >= FW_SLOT_A && slot <= FW_SLOT_FAILSAFE)
		return fw__slot_names[slot];
	return "none";
}

int fw_slot_parse(const char *s)
{
	if (strcmp(s, "A") == 0 || strcmp(s, "a") == 0)
		return FW_SLOT_A;
	if (strcmp(s, "B") == 0 || strcmp(s, "b") == 0)
		return FW_SLOT_B;
	if (strcmp(s, "failsafe") == 0)
		return FW_SLOT_FAILSAFE;
	if (strcmp(s, "none") == 0)
		return FW_SLOT_NONE;
	return -2;
}

int fw_bootctl_slot_dir(const char *dev, int slot, char *out, size_t outlen)
{
	if (slot < FW_SLOT_A || slot > FW_SLOT_FAILSAFE)
		return LF_EINVAL;
	int n = snprintf(out, outlen, "%s/slots/%s", dev, fw__slot_names[slot]);
	return n < 0 || (size_t)n >= outlen ? LF_ETOOBIG : LF_OK;
}

void fw_bootctl_defaults(struct fw_bootctl *st)
{
	memset(st, 0, sizeof(*st));
	st->active = FW_SLOT_A;
	st->pending = FW_SLOT_NONE;
	st->booted = FW_SLOT_NONE;
}

/* ------------------------------------------------------------------------------------------ state file */

/* The file's fields as lf_cfg reads them; converted to struct fw_bootctl after the parse. */
struct fw__raw {
	long long format;
	char active[16];
	char pending[16];
	char booted[16];
	long long tries_left;
	long long boot_count;
	long long failed_boots;
	int good_a;
	int good_b;
	int failsafe_requested;
	int shutdown;
	char shutdown_reason[FW_BOOT_TEXT_MAX];
	char last_result[FW_BOOT_TEXT_MAX];
	char last_reason[FW_BOOT_TEXT_MAX];
};

#define R struct fw__raw
static const struct lf_cfg_key fw__keys[] = {
	LF_CFG_INT_KEY("format", R, format, FW__STATE_FORMAT, FW__STATE_FORMAT, "state file format"),
	LF_CFG_STR_KEY("active", R, active, "confirmed slot: A or B"),
	LF_CFG_STR_KEY("pending", R, pending, "installed, unconfirmed slot: A, B or none"),
	LF_CFG_STR_KEY("booted", R, booted, "slot chosen by the last boot"),
	LF_CFG_INT_KEY("tries_left", R, tries_left, 0, 100, "boots left for the pending slot"),
	LF_CFG_INT_KEY("boot_count", R, boot_count, 0, (long long)1 << 62, "boots so far"),
	LF_CFG_INT_KEY("failed_boots", R, failed_boots, 0, 1000000, "consecutive failed boots"),
	LF_CFG_BOOL_KEY("good_a", R, good_a, "slot A known good"),
	LF_CFG_BOOL_KEY("good_b", R, good_b, "slot B known good"),
	LF_CFG_BOOL_KEY("failsafe_requested", R, failsafe_requested, "boot the failsafe image next"),
	LF_CFG_BOOL_KEY("shutdown", R, shutdown, "stay down"),
	LF_CFG_STR_KEY("shutdown_reason", R, shutdown_reason, "why the device stays down"),
	LF_CFG_STR_KEY("last_result", R, last_result, "how the last boot ended"),
	LF_CFG_STR_KEY("last_reason", R, last_reason, "why the last boot chose its slot"),
};
#undef R

/* Copy s into out (size outlen) as one printable line, so it survives the key = value file. */
static void fw__one_line(char *out, size_t outlen, const char *s)
{
	size_t n = 0;
	for (; s && *s && n + 1 < outlen; s++)
		out[n++] = ((unsigned char)*s < 0x20 || (unsigned char)*s > 0x7e) ? '?' : *s;
	out[n] = '\0';
}

/* Like fw__one_line, and '"' becomes '\'', so the text can sit in a quoted key="value" log field. */
static void fw__log_safe(char *out, size_t outlen, const char *s)
{
	fw__one_line(out, outlen, s);
	for (char *c = out; *c; c++)
		if (*c == '"')
			*c = '\'';
}

static int fw__state_path(const char *dev, const char *name, char *out, size_t outlen)
{
	int n = snprintf(out, outlen, "%s/boot/%s", dev, name);
	return n < 0 || (size_t)n >= outlen ? LF_ETOOBIG : LF_OK;
}

int fw_bootctl_load(const char *dev, struct fw_bootctl *st, char *err, size_t errlen)
{
	char path[PATH_MAX];
	struct fw__raw raw;
	int result;

	fw_bootctl_defaults(st);
	if (fw__state_path(dev, "bootctl", path, sizeof(path))) {
		snprintf(err, errlen, "device path too long");
		return LF_ETOOBIG;
	}
	if (access(path, F_OK) != 0 && errno == ENOENT)
		return LF_OK;
	memset(&raw, 0, sizeof(raw));
	snprintf(raw.active, sizeof(raw.active), "A");
	snprintf(raw.pending, sizeof(raw.pending), "none");
	snprintf(raw.booted, sizeof(raw.booted), "none");
	result = lf_cfg_load(path, fw__keys, sizeof(fw__keys) / sizeof(fw__keys[0]), &raw, err, errlen);
	if (result)
		return result;
	int active = fw_slot_parse(raw.active);
	int pending = fw_slot_parse(raw.pending);
	int booted = fw_slot_parse(raw.booted);
	if (raw.format != FW__STATE_FORMAT || (active != FW_SLOT_A && active != FW_SLOT_B) ||
	    (pending != FW_SLOT_NONE && pending != FW_SLOT_A && pending != FW_SLOT_B) || booted < FW_SLOT_NONE) {
		snprintf(err, errlen, "%s: format must be 1, active A or B, pending A, B or none, booted a slot",
			 path);
		return LF_EPARSE;
	}
	st->active = active;
	st->pending = pending;
	st->booted = booted;
	st->tries_left = (int)raw.tries_left;
	st->boot_count = raw.boot_count;
	st->failed_boots = (int)raw.failed_boots;
	st->good[FW_SLOT_A] = raw.good_a;
	st->good[FW_SLOT_B] = raw.good_b;
	st->failsafe_requested = raw.failsafe_requested;
	st->shutdown = raw.shutdown;
	memcpy(st->shutdown_reason, raw.shutdown_reason, sizeof(st->shutdown_reason));
	memcpy(st->last_result, raw.last_result, sizeof(st->last_result));
	memcpy(st->last_reason, raw.last_reason, sizeof(st->last_reason));
	return LF_OK;
}

int fw_bootctl_save(const char *dev, const struct fw_bootctl *st)
{
	char path[PATH_MAX];
	char reason[FW_BOOT_TEXT_MAX], result_text[FW_BOOT_TEXT_MAX], why[FW_BOOT_TEXT_MAX];
	struct lf_buf b;
	int result;

	if (fw__state_path(dev, "", path, sizeof(path)))
		return LF_ETOOBIG;
	if (mkdir(path, 0755) != 0 && errno != EEXIST)
		return LF_EIO;
	fw__state_path(dev, "bootctl", path, sizeof(path));
	fw__one_line(reason, sizeof(reason), st->shutdown_reason);
	fw__one_line(result_text, sizeof(result_text), st->last_result);
	fw__one_line(why, sizeof(why), st->last_reason);
	lf_buf_init(&b, 8192);
	result = lf_buf_printf(&b,
			       "# bootctl: Lifeline boot control state (slots A/B + failsafe); replaced atomically.\n"
			       "format = %d\nactive = %s\npending = %s\ntries_left = %d\nbooted = %s\n"
			       "boot_count = %lld\nfailed_boots = %d\ngood_a = %s\ngood_b = %s\n"
			       "failsafe_requested = %s\nshutdown = %s\nshutdown_reason = \"%s\"\n"
			       "last_result = \"%s\"\nlast_reason = \"%s\"\n",
			       FW__STATE_FORMAT, fw_slot_name(st->active), fw_slot_name(st->pending), st->tries_left,
			       fw_slot_name(st->booted), st->boot_count, st->failed_boots,
			       st->good[FW_SLOT_A] ? "yes" : "no", st->good[FW_SLOT_B] ? "yes" : "no",
			       st->failsafe_requested ? "yes" : "no", st->shutdown ? "yes" : "no", reason,
			       result_text, why);
	if (!result)
		result = lf_file_write_atomic(path, b.data, b.len);
	lf_buf_free(&b);
	return result;
}

/* Take the device's boot lock (creating <dev>/boot); the fd to close, or -1 with err set. */
static int fw__lock(const char *dev, char *err, size_t errlen)
{
	char path[PATH_MAX];
	struct stat st;
	if (fw__state_path(dev, "", path, sizeof(path))) {
		snprintf(err, errlen, "device path too long");
		return -1;
	}
	if (stat(dev, &st) != 0 || !S_ISDIR(st.st_mode)) {
		snprintf(err, errlen, "device directory %s does not exist", dev);
		return -1;
	}
	if (mkdir(path, 0755) != 0 && errno != EEXIST) {
		snprintf(err, errlen, "cannot create %s: %s", path, strerror(errno));
		return -1;
	}
	fw__state_path(dev, "lock", path, sizeof(path));
	int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	if (fd < 0) {
		snprintf(err, errlen, "cannot open %s: %s", path, strerror(errno));
		return -1;
	}
	while (flock(fd, LOCK_EX) != 0) {
		if (errno != EINTR) {
			snprintf(err, errlen, "cannot lock %s: %s", path, strerror(errno));
			close(fd);
			return -1;
		}
	}
	return fd;
}

/* Delete temporary files of state writes a power cut interrupted ("bootctl.tmp.<pid>"). */
static void fw__clean_state_tmp(const char *dev)
{
	char path[PATH_MAX];
	if (fw__state_path(dev, "", path, sizeof(path)))
		return;
	DIR *d = opendir(path);
	if (!d)
		return;
	for (;;) {
		struct dirent *e = readdir(d);
		if (!e)
			break;
		if (strncmp(e->d_name, "bootctl.tmp.", 12) == 0)
			unlinkat(dirfd(d), e->d_name, 0);
	}
	closedir(d);
}

static void fw__unlock(int fd)
{
	if (fd >= 0)
		close(fd);
}

/* ------------------------------------------------------------------------------------------ install */

/* Write image_path into slot (already chosen) under the lock; st is the loaded state, saved as it changes. */
static int fw__install(const char *dev, struct fw_bootctl *st, const char *image_path, const uint8_t *pub,
		       int slot, const char *product_class, const char *hw_version, char *err, size_t errlen)
{
	char dir[PATH_MAX];
	char slots[PATH_MAX];
	char note[PATH_MAX + 128];
	struct fw_image img;
	int result = fw_image_open(&img, image_path, pub, err, errlen);

	if (!result)
		result = fw_image_check_target(&img, product_class, hw_version, err, errlen);
	if (result)
		goto out;
	if (fw_bootctl_slot_dir(dev, slot, dir, sizeof(dir)) ||
	    snprintf(slots, sizeof(slots), "%s/slots", dev) >= (int)sizeof(slots)) {
		snprintf(err, errlen, "device path too long");
		result = LF_ETOOBIG;
		goto out;
	}
	if (mkdir(slots, 0755) != 0 && errno != EEXIST) {
		snprintf(err, errlen, "cannot create %s: %s", slots, strerror(errno));
		result = LF_EIO;
		goto out;
	}
	fw_slot_recover(dir, note, sizeof(note));
	if (note[0]) {
		fw__log_safe(note, sizeof(note), note);
		lf_warn("fw_slot_recovered", "slot=%s note=\"%s\"", fw_slot_name(slot), note);
	}

	/* Before the slot changes, the state stops calling it good or pending; restored if nothing changed. */
	struct fw_bootctl before = *st;
	if (slot <= FW_SLOT_B) {
		st->good[slot] = 0;
		if (st->pending == slot) {
			st->pending = FW_SLOT_NONE;
			st->tries_left = 0;
		}
		result = fw_bootctl_save(dev, st);
		if (result) {
			snprintf(err, errlen, "cannot save the boot state: %s", lf_strerror(result));
			goto out;
		}
	}
	result = fw_slot_install(&img, dir, slot == FW_SLOT_FAILSAFE, err, errlen);
	if (result) {
		*st = before;
		if (slot <= FW_SLOT_B)
			fw_bootctl_save(dev, st);
		goto out;
	}
	char version[FW_FIELD_MAX + 1];
	fw__log_safe(version, sizeof(version), img.manifest.version);
	lf_info("fw_installed", "slot=%s version=\"%s\" files=%zu bytes=%llu", fw_slot_name(slot), version,
		img.manifest.nfiles, (unsigned long long)img.manifest.payload_size);
out:
	fw_image_close(&img);
	return result;
}

int fw_bootctl_install_to_inactive(const char *dev, const char *image_path, const uint8_t pub[FW_KEY_LEN],
				   const char *product_class, const char *hw_version, int *slot, char *err,
				   size_t errlen)
{
	struct fw_bootctl st;
	int fd = fw__lock(dev, err, errlen);
	int result;
	if (fd < 0)
		return LF_EIO;
	result = fw_bootctl_load(dev, &st, err, errlen);
	if (result)
		goto out;
	if ((st.booted == FW_SLOT_A || st.booted == FW_SLOT_B) && st.booted != st.active) {
		snprintf(err, errlen, "slot %s is running on trial and slot %s is the fallback: confirm the new "
				      "slot (mark good) or let it fall back before installing another image",
			 fw_slot_name(st.booted), fw_slot_name(st.active));
		result = LF_EBUSY;
		goto out;
	}
	int target = st.active == FW_SLOT_A ? FW_SLOT_B : FW_SLOT_A;
	result = fw__install(dev, &st, image_path, pub, target, product_class, hw_version, err, errlen);
	if (result)
		goto out;
	st.pending = target;
	st.tries_left = FW_BOOT_TRIES;
	result = fw_bootctl_save(dev, &st);
	if (result) {
		snprintf(err, errlen, "image installed in slot %s, but the boot state cannot be saved: %s",
			 fw_slot_name(target), lf_strerror(result));
		goto out;
	}
	if (slot)
		*slot = target;
out:
	fw__unlock(fd);
	return result;
}

int fw_bootctl_provision(const char *dev, const char *image_path, const uint8_t pub[FW_KEY_LEN], int slot,
			 const char *product_class, const char *hw_version, char *err, size_t errlen)
{
	struct fw_bootctl st;
	char why[512];
	int result;
	if (slot < FW_SLOT_A || slot > FW_SLOT_FAILSAFE) {
		snprintf(err, errlen, "slot must be A, B or failsafe");
		return LF_EINVAL;
	}
	/* Factory: the device directory may be new. */
	if (mkdir(dev, 0755) != 0 && errno != EEXIST) {
		snprintf(err, errlen, "cannot create device directory %s: %s", dev, strerror(errno));
		return LF_EIO;
	}
	int fd = fw__lock(dev, err, errlen);
	if (fd < 0)
		return LF_EIO;
	/* Factory: an unreadable state is replaced, not a reason to refuse. */
	if (fw_bootctl_load(dev, &st, why, sizeof(why))) {
		fw__log_safe(why, sizeof(why), why);
		lf_warn("fw_state_reset", "reason=\"%s\"", why);
		fw_bootctl_defaults(&st);
	}
	result = fw__install(dev, &st, image_path, pub, slot, product_class, hw_version, err, errlen);
	if (result)
		goto out;
	if (slot == FW_SLOT_A)
		st.active = FW_SLOT_A;
	if (slot <= FW_SLOT_B)
		st.good[slot] = 1;
	result = fw_bootctl_save(dev, &st);
	if (result)
		snprintf(err, errlen, "cannot save the boot state: %s", lf_strerror(result));
out:
	fw__unlock(fd);
	return result;
}

/* ------------------------------------------------------------------------------------------ boot */

static void fw__add(int *cand, size_t *n, int slot)
{
	for (size_t i = 0; i < *n; i++)
		if (cand[i] == slot)
			return;
	cand[(*n)++] = slot;
}

int fw_bootctl_choose(const char *dev, const uint8_t pub[FW_KEY_LEN], int *slot, char *err, size_t errlen)
{
	struct fw_bootctl st;
	struct lf_buf why;
	char msg[512];
	char dir[PATH_MAX];
	char note[PATH_MAX + 128];
	int cand[4];
	size_t ncand = 0;
	int chosen = FW_SLOT_NONE;
	int result;

	*slot = FW_SLOT_NONE;
	lf_buf_init(&why, 16 * FW_BOOT_TEXT_MAX); /* room for a refusal message per slot */
	int fd = fw__lock(dev, err, errlen);
	if (fd < 0) {
		result = LF_EIO;
		goto out;
	}
	fw__clean_state_tmp(dev);
	for (int s = FW_SLOT_A; s <= FW_SLOT_FAILSAFE; s++) {
		if (fw_bootctl_slot_dir(dev, s, dir, sizeof(dir)))
			continue;
		if (fw_slot_recover(dir, note, sizeof(note)))
			lf_error("fw_slot_recover_failed", "slot=%s", fw_slot_name(s));
		if (note[0]) {
			fw__log_safe(note, sizeof(note), note);
			lf_warn("fw_slot_recovered", "slot=%s note=\"%s\"", fw_slot_name(s), note);
			lf_buf_printf(&why, "slot %s: %s; ", fw_slot_name(s), note);
		}
	}
	if (fw_bootctl_load(dev, &st, msg, sizeof(msg))) {
		/* A torn or tampered state must not brick the device: every slot is verified anyway. */
		fw__log_safe(msg, sizeof(msg), msg);
		lf_error("fw_state_unreadable", "reason=\"%s\"", msg);
		lf_buf_printf(&why, "state unreadable, defaults used; ");
		fw_bootctl_defaults(&st);
	}
	if (st.shutdown) {
		fw__log_safe(msg, sizeof(msg), st.shutdown_reason[0] ? st.shutdown_reason : "no reason");
		snprintf(err, errlen, "device is shut down: %s", msg);
		result = LF_EFORBIDDEN;
		goto out;
	}
	st.boot_count++;
	int other = st.active == FW_SLOT_A ? FW_SLOT_B : FW_SLOT_A;
	if (st.failsafe_requested) {
		st.failsafe_requested = 0;
		lf_buf_printf(&why, "failsafe requested; ");
		fw__add(cand, &ncand, FW_SLOT_FAILSAFE);
	}
	if (st.pending != FW_SLOT_NONE) {
		if (st.tries_left > 0) {
			st.tries_left--;
			lf_buf_printf(&why, "trying pending %s (%d tries left after this); ", fw_slot_name(st.pending),
				      st.tries_left);
			fw__add(cand, &ncand, st.pending);
		} else {
			lf_buf_printf(&why, "pending %s gave up after %d boots; ", fw_slot_name(st.pending),
				      FW_BOOT_TRIES);
			lf_warn("fw_pending_given_up", "slot=%s fallback=%s", fw_slot_name(st.pending),
				fw_slot_name(st.active));
			st.pending = FW_SLOT_NONE;
		}
	}
	if (st.booted == st.active && st.failed_boots >= FW_BOOT_MAX_FAILS) {
		lf_buf_printf(&why, "active %s failed %d boots in a row; ", fw_slot_name(st.active), st.failed_boots);
		fw__add(cand, &ncand, FW_SLOT_FAILSAFE);
	}
	fw__add(cand, &ncand, st.active);
	if (st.good[other])
		fw__add(cand, &ncand, other);
	fw__add(cand, &ncand, FW_SLOT_FAILSAFE);

	for (size_t i = 0; i < ncand && chosen == FW_SLOT_NONE; i++) {
		int c = cand[i];
		fw_bootctl_slot_dir(dev, c, dir, sizeof(dir));
		int r = fw_slot_verify(dir, pub, NULL, msg, sizeof(msg));
		if (!r) {
			chosen = c;
			break;
		}
		fw__log_safe(msg, sizeof(msg), msg);
		lf_warn("fw_slot_refused", "slot=%s error=\"%s\" reason=\"%s\"", fw_slot_name(c), fw_strerror(r),
			msg);
		lf_buf_printf(&why, "slot %s refused: %s; ", fw_slot_name(c), msg);
		if (c <= FW_SLOT_B)
			st.good[c] = 0;
		if (c == st.pending) {
			st.pending = FW_SLOT_NONE;
			st.tries_left = 0;
		}
	}
	if (chosen == FW_SLOT_NONE) {
		result = FW_ENOSLOT;
		lf_buf_printf(&why, "no slot verifies");
		snprintf(st.last_result, sizeof(st.last_result), "no bootable slot");
	} else {
		result = LF_OK;
		if (chosen <= FW_SLOT_B && chosen != st.active && chosen != st.pending) {
			/* The active slot is broken and the other one is known good: it takes over. */
			lf_buf_printf(&why, "%s becomes active; ", fw_slot_name(chosen));
			st.active = chosen;
		}
		if (chosen != st.booted)
			st.failed_boots = 0;
		st.booted = chosen;
		lf_buf_printf(&why, "booting %s", fw_slot_name(chosen));
		snprintf(st.last_result, sizeof(st.last_result), "booting");
	}
	fw__one_line(st.last_reason, sizeof(st.last_reason), why.data ? why.data : "");
	int saved = fw_bootctl_save(dev, &st);
	if (saved && !result)
		result = saved; /* booting without recording the used try could loop forever on a bad slot */
	fw__log_safe(err, errlen, why.data ? why.data : "");
	*slot = result ? FW_SLOT_NONE : chosen;
out:
	fw__unlock(fd);
	lf_buf_free(&why);
	return result;
}

/* Apply fn to the state under the lock and save it. */
static int fw__update(const char *dev, void (*fn)(struct fw_bootctl *st, const void *arg), const void *arg)
{
	struct fw_bootctl st;
	char err[512];
	int fd = fw__lock(dev, err, sizeof(err));
	int result;
	if (fd < 0)
		return LF_EIO;
	result = fw_bootctl_load(dev, &st, err, sizeof(err));
	if (result) {
		fw__log_safe(err, sizeof(err), err);
		lf_error("fw_state_unreadable", "reason=\"%s\"", err);
		goto out;
	}
	fn(&st, arg);
	result = fw_bootctl_save(dev, &st);
out:
	fw__unlock(fd);
	return result;
}

struct fw__result_arg {
	int ok;
	const char *text;
};

static void fw__apply_result(struct fw_bootctl *st, const void *arg)
{
	const struct fw__result_arg *a = arg;
	st->failed_boots = a->ok ? 0 : st->failed_boots + 1;
	fw__one_line(st->last_result, sizeof(st->last_result), a->text);
}

int fw_bootctl_record_result(const char *dev, int ok, const char *result)
{
	struct fw__result_arg a = {ok, result};
	return fw__update(dev, fw__apply_result, &a);
}

static void fw__apply_good(struct fw_bootctl *st, const void *arg)
{
	(void)arg;
	if (st->booted != FW_SLOT_A && st->booted != FW_SLOT_B)
		return; /* the failsafe never becomes active */
	if (st->booted == st->pending) {
		lf_info("fw_slot_confirmed", "slot=%s previous=%s", fw_slot_name(st->pending),
			fw_slot_name(st->active));
		st->active = st->pending;
		st->pending = FW_SLOT_NONE;
		st->tries_left = 0;
	}
	if (st->booted == st->active) {
		st->good[st->active] = 1;
		st->failed_boots = 0;
	}
}

int fw_bootctl_mark_good(const char *dev)
{
	return fw__update(dev, fw__apply_good, NULL);
}

static void fw__apply_failsafe(struct fw_bootctl *st, const void *arg)
{
	(void)arg;
	st->failsafe_requested = 1;
}

int fw_bootctl_request_failsafe(const char *dev)
{
	return fw__update(dev, fw__apply_failsafe, NULL);
}

static void fw__apply_shutdown(struct fw_bootctl *st, const void *arg)
{
	st->shutdown = 1;
	fw__one_line(st->shutdown_reason, sizeof(st->shutdown_reason), arg ? arg : "");
}

int fw_bootctl_request_shutdown(const char *dev, const char *reason)
{
	char safe[FW_BOOT_TEXT_MAX];
	fw__log_safe(safe, sizeof(safe), reason ? reason : "");
	lf_warn("fw_shutdown_requested", "reason=\"%s\"", safe);
	return fw__update(dev, fw__apply_shutdown, reason);
}

static void fw__apply_clear_shutdown(struct fw_bootctl *st, const void *arg)
{
	(void)arg;
	st->shutdown = 0;
	st->shutdown_reason[0] = '\0';
}

int fw_bootctl_clear_shutdown(const char *dev)
{
	return fw__update(dev, fw__apply_clear_shutdown, NULL);
}
