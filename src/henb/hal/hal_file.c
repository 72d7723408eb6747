/* hal_file.c: the default HAL on Linux: a device directory of small text files, like sysfs. Tests and the
 * simulator tamper with a device by writing a file. Files (one value, newline optional):
 *   s1_link     up | down       read: the S1 link (default down)
 *   rf_tx       on | off        written by henbd: the RF transmitter
 *   case        closed | open   read: case switch (default closed)
 *   antenna_id  text            read: antenna identity (default "")
 *   clock_hz    decimal         read: reference clock (default "")
 *   board_id    text            read: board fingerprint (default "")
 * Reboot and shutdown are process exits (or a re-exec) decided here and carried out by main, see hal.h. */
#include "henb/hal/hal.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/alloc.h"
#include "common/err.h"
#include "common/file.h"
#include "common/log.h"

struct henb_hal {
	char dir[512];
};

static const char *const lf__sensor_files[HENB_HAL_SENSOR_COUNT] = {
	[HENB_HAL_S1_LINK] = "s1_link", [HENB_HAL_CASE] = "case",         [HENB_HAL_ANTENNA_ID] = "antenna_id",
	[HENB_HAL_CLOCK_HZ] = "clock_hz", [HENB_HAL_BOARD_ID] = "board_id",
};

static int lf__path(const struct henb_hal *h, const char *file, char *out, size_t outlen)
{
	int n = snprintf(out, outlen, "%s/%s", h->dir, file);
	return (n < 0 || (size_t)n >= outlen) ? LF_EINVAL : LF_OK;
}

/* Write a small file only if it does not exist yet. */
static int lf__default_file(const struct henb_hal *h, const char *file, const char *value)
{
	char path[600];
	if (lf__path(h, file, path, sizeof(path)))
		return LF_EINVAL;
	if (access(path, F_OK) == 0)
		return LF_OK;
	return lf_file_write_atomic(path, value, strlen(value));
}

int henb_hal_open(struct henb_hal **out, const char *device_dir, char *err, size_t errlen)
{
	struct henb_hal *h = lf_calloc(1, sizeof(*h));
	*out = NULL;
	if (snprintf(h->dir, sizeof(h->dir), "%s", device_dir) >= (int)sizeof(h->dir)) {
		snprintf(err, errlen, "device directory path too long");
		goto fail;
	}
	if (mkdir(h->dir, 0700) != 0 && errno != EEXIST) {
		snprintf(err, errlen, "cannot create device directory %s: %s", h->dir, strerror(errno));
		goto fail;
	}
	if (lf__default_file(h, "s1_link", "down\n") || lf__default_file(h, "case", "closed\n") ||
	    lf__default_file(h, "rf_tx", "off\n")) {
		snprintf(err, errlen, "cannot write the default files of %s", h->dir);
		goto fail;
	}
	*out = h;
	return LF_OK;
fail:
	lf_free(h);
	return LF_EIO;
}

void henb_hal_close(struct henb_hal **hp)
{
	lf_free_ptr(hp);
}

int henb_hal_read(struct henb_hal *h, enum henb_hal_sensor s, char *out, size_t outlen)
{
	char path[600];
	struct lf_buf b;
	out[0] = '\0';
	if ((unsigned)s >= HENB_HAL_SENSOR_COUNT || lf__path(h, lf__sensor_files[s], path, sizeof(path)))
		return LF_EINVAL;
	lf_buf_init(&b, 256);
	int result = lf_file_read(path, &b);
	if (!result && b.data) {
		size_t n = strcspn(b.data, "\r\n");
		snprintf(out, outlen, "%.*s", (int)n, b.data);
	}
	lf_buf_free(&b);
	return result == LF_ENOTFOUND ? LF_OK : result;
}

bool henb_hal_s1_link(struct henb_hal *h)
{
	char v[16];
	henb_hal_read(h, HENB_HAL_S1_LINK, v, sizeof(v));
	return strcmp(v, "up") == 0;
}

int henb_hal_set_rf_tx(struct henb_hal *h, bool on)
{
	char path[600];
	if (lf__path(h, "rf_tx", path, sizeof(path)))
		return LF_EINVAL;
	const char *v = on ? "on\n" : "off\n";
	return lf_file_write_atomic(path, v, strlen(v));
}

void henb_hal_factory_reset(struct henb_hal *h)
{
	/* The file HAL keeps nothing of its own: rf_tx goes back to off until the agent decides. */
	henb_hal_set_rf_tx(h, false);
}

int henb_hal_reboot(char *const argv[])
{
	if (getenv("LF_BOOT_SLOT")) {
		lf_info("hal_reboot", "how=exit status=%d", HENB_HAL_EXIT_REBOOT);
		return HENB_HAL_EXIT_REBOOT;
	}
	lf_info("hal_reboot", "how=exec");
	execv("/proc/self/exe", argv);
	lf_error("hal_reboot_failed", "reason=\"%s\"", strerror(errno));
	return 1;
}

int henb_hal_shutdown(void)
{
	lf_info("hal_shutdown", "status=%d", HENB_HAL_EXIT_SHUTDOWN);
	return HENB_HAL_EXIT_SHUTDOWN;
}
