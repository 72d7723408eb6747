/* hal_file.c: the default HAL on Linux: a device directory of small text files, like sysfs. Tests and the
 * simulator tamper with a device by writing a file. Files (one value, newline optional; docs/henb-hal.md):
 *   s1_link     up | down       read: the S1 link (default down)
 *   rf_tx       on | off        written by henbd: the RF transmitter
 *   case        closed | open   read: case switch (default closed)
 *   antenna_id  text            read: antenna identity (default ANT-LL-0001)
 *   clock_hz    decimal         read: reference clock (default 10000000)
 *   board_id    text            read: board fingerprint (default LL-BOARD-0001)
 *   watchdog_misses  decimal    read: watchdog kicks the platform saw missed (default 0)
 *   listeners, listeners_allowed, processes, processes_allowed   read, optional: the behaviour detector's lists
 *   protected/  records         protected storage: device key, provisioned identities, fatal shutdown latch
 * Reboot and shutdown are process exits (or a re-exec) decided here and carried out by main, see hal.h. */
#include "henb/hal/hal.h"

#include <ctype.h>
#include <dirent.h>
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
	[HENB_HAL_S1_LINK] = "s1_link",   [HENB_HAL_CASE] = "case",         [HENB_HAL_ANTENNA_ID] = "antenna_id",
	[HENB_HAL_CLOCK_HZ] = "clock_hz", [HENB_HAL_BOARD_ID] = "board_id", [HENB_HAL_WATCHDOG_MISSES] = "watchdog_misses",
};

static const char *const lf__list_files[HENB_HAL_LIST_COUNT] = {
	[HENB_HAL_LISTENERS] = "listeners",
	[HENB_HAL_LISTENERS_ALLOWED] = "listeners_allowed",
	[HENB_HAL_PROCESSES] = "processes",
	[HENB_HAL_PROCESSES_ALLOWED] = "processes_allowed",
	[HENB_HAL_STUCK_UNTIL_BOOT] = "stuck_until_boot",
	[HENB_HAL_STUCK] = "stuck",
};

#define LF_PROTECTED "protected"
#define LF_LIST_MAX (1024 * 1024) /* bytes of a list file or of a /proc table read at once */

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
	/* The simulated body: a closed case, an antenna, a 10 MHz reference clock, a board, a watchdog. The
	 * integrity monitor provisions its references from them at first boot. */
	if (lf__default_file(h, "s1_link", "down\n") || lf__default_file(h, "case", "closed\n") ||
	    lf__default_file(h, "rf_tx", "off\n") || lf__default_file(h, "antenna_id", "ANT-LL-0001\n") ||
	    lf__default_file(h, "clock_hz", "10000000\n") || lf__default_file(h, "board_id", "LL-BOARD-0001\n") ||
	    lf__default_file(h, "watchdog_misses", "0\n")) {
		snprintf(err, errlen, "cannot write the default files of %s", h->dir);
		goto fail;
	}
	char prot[600];
	if (lf__path(h, LF_PROTECTED, prot, sizeof(prot)) || (mkdir(prot, 0700) != 0 && errno != EEXIST)) {
		snprintf(err, errlen, "cannot create the protected storage %s/%s: %s", h->dir, LF_PROTECTED,
			 strerror(errno));
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
	return result;
}

int henb_hal_proc_net_listeners(const char *text, const char *proto, char *out, size_t outlen)
{
	/* "  sl  local_address rem_address   st ..." then "   0: 0100007F:1F90 00000000:0000 0A ..." */
	const char *line = text;
	bool header = true;
	size_t used = strlen(out);
	while (*line) {
		const char *end = strchr(line, '\n');
		size_t ll = end ? (size_t)(end - line) : strlen(line);
		char buf[512], local[128], st[8];
		unsigned sl;
		snprintf(buf, sizeof(buf), "%.*s", (int)(ll < sizeof(buf) - 1 ? ll : sizeof(buf) - 1), line);
		line = end ? end + 1 : line + ll;
		if (header) {
			if (!strstr(buf, "local_address"))
				return LF_EPARSE;
			header = false;
			continue;
		}
		if (!buf[0])
			continue;
		if (sscanf(buf, " %u: %127s %*s %7s", &sl, local, st) != 3)
			return LF_EPARSE;
		const char *colon = strrchr(local, ':');
		unsigned long port;
		char *pe = NULL;
		if (!colon || !(port = strtoul(colon + 1, &pe, 16)) || *pe)
			continue;
		if (strcmp(proto, "tcp") == 0 && strcmp(st, "0A") != 0)
			continue; /* tcp: only LISTEN */
		char tok[32];
		snprintf(tok, sizeof(tok), "%s:%lu\n", proto, port);
		/* no duplicates (IPv4 and IPv6 sockets on one port) */
		bool seen = false;
		for (const char *p = out; (p = strstr(p, tok)) && !seen; p++)
			seen = p == out || p[-1] == '\n';
		if (seen)
			continue;
		size_t tl = strlen(tok);
		if (used + tl >= outlen)
			return LF_ETOOBIG;
		memcpy(out + used, tok, tl + 1);
		used += tl;
	}
	return LF_OK;
}

/* The listening sockets of the host from /proc/net (tcp, tcp6, udp, udp6). */
static int lf__proc_listeners(char *out, size_t outlen)
{
	static const char *const tables[][2] = {
		{"/proc/net/tcp", "tcp"}, {"/proc/net/tcp6", "tcp"}, {"/proc/net/udp", "udp"}, {"/proc/net/udp6", "udp"}};
	out[0] = '\0';
	for (size_t i = 0; i < sizeof(tables) / sizeof(tables[0]); i++) {
		struct lf_buf b;
		lf_buf_init(&b, LF_LIST_MAX);
		int result = lf_file_read(tables[i][0], &b);
		if (!result)
			result = henb_hal_proc_net_listeners(b.data ? b.data : "", tables[i][1], out, outlen);
		lf_buf_free(&b);
		if (result == LF_ENOTFOUND)
			continue; /* no IPv6 */
		if (result)
			return result == LF_ETOOBIG ? LF_OK : LF_EIO; /* a full list still says what it holds */
	}
	return LF_OK;
}

/* The names of the host's processes from /proc/<pid>/comm, without duplicates. */
static int lf__proc_processes(char *out, size_t outlen)
{
	DIR *d = opendir("/proc");
	struct dirent *e;
	size_t used = 0;
	if (!d)
		return LF_EIO;
	out[0] = '\0';
	while ((e = readdir(d))) {
		char path[300], name[64];
		if (!isdigit((unsigned char)e->d_name[0]))
			continue;
		snprintf(path, sizeof(path), "/proc/%s/comm", e->d_name);
		FILE *f = fopen(path, "re");
		if (!f)
			continue; /* gone meanwhile */
		bool got = fgets(name, sizeof(name), f) != NULL;
		fclose(f);
		if (!got)
			continue;
		name[strcspn(name, "\r\n")] = '\0';
		for (char *c = name; *c; c++)
			if (isspace((unsigned char)*c) || *c == ',')
				*c = '_'; /* a token */
		char tok[80];
		snprintf(tok, sizeof(tok), "%s\n", name);
		bool seen = false;
		for (const char *p = out; (p = strstr(p, tok)) && !seen; p++)
			seen = p == out || p[-1] == '\n';
		size_t tl = strlen(tok);
		if (seen || !name[0])
			continue;
		if (used + tl >= outlen)
			break;
		memcpy(out + used, tok, tl + 1);
		used += tl;
	}
	closedir(d);
	return LF_OK;
}

int henb_hal_read_list(struct henb_hal *h, enum henb_hal_list l, char *out, size_t outlen)
{
	char path[600];
	struct lf_buf b;
	if (!outlen)
		return LF_EINVAL;
	out[0] = '\0';
	if ((unsigned)l >= HENB_HAL_LIST_COUNT || lf__path(h, lf__list_files[l], path, sizeof(path)))
		return LF_EINVAL;
	lf_buf_init(&b, LF_LIST_MAX);
	int result = lf_file_read(path, &b);
	if (!result)
		snprintf(out, outlen, "%s", b.data ? b.data : "");
	lf_buf_free(&b);
	if (result != LF_ENOTFOUND || (l != HENB_HAL_LISTENERS && l != HENB_HAL_PROCESSES))
		return result;
	/* No platform report: with an allowed list, what the kernel says is compared with it. */
	char allowed[600];
	if (lf__path(h, lf__list_files[l + 1], allowed, sizeof(allowed)) || access(allowed, F_OK) != 0)
		return LF_ENOTFOUND;
	return l == HENB_HAL_LISTENERS ? lf__proc_listeners(out, outlen) : lf__proc_processes(out, outlen);
}

/* ------------------------------------------------------------------------------------------------ protected */

static int lf__protected_path(const struct henb_hal *h, const char *name, char *out, size_t outlen)
{
	if (!name[0] || strlen(name) > 64)
		return LF_EINVAL;
	for (const char *c = name; *c; c++)
		if (!(islower((unsigned char)*c) || isdigit((unsigned char)*c) || *c == '_'))
			return LF_EINVAL;
	int n = snprintf(out, outlen, "%s/" LF_PROTECTED "/%s", h->dir, name);
	return (n < 0 || (size_t)n >= outlen) ? LF_EINVAL : LF_OK;
}

int henb_hal_protected_read(struct henb_hal *h, const char *name, char *out, size_t outlen)
{
	char path[700];
	struct lf_buf b;
	if (!outlen)
		return LF_EINVAL;
	out[0] = '\0';
	if (lf__protected_path(h, name, path, sizeof(path)))
		return LF_EINVAL;
	lf_buf_init(&b, outlen - 1);
	int result = lf_file_read(path, &b);
	if (!result)
		snprintf(out, outlen, "%s", b.data ? b.data : "");
	lf_buf_free(&b);
	return result;
}

int henb_hal_protected_write(struct henb_hal *h, const char *name, const char *text)
{
	char path[700];
	if (lf__protected_path(h, name, path, sizeof(path)))
		return LF_EINVAL;
	return lf_file_write_atomic(path, text, strlen(text));
}

int henb_hal_protected_remove(struct henb_hal *h, const char *name)
{
	char path[700];
	if (lf__protected_path(h, name, path, sizeof(path)))
		return LF_EINVAL;
	if (unlink(path) != 0 && errno != ENOENT)
		return LF_EIO;
	return LF_OK;
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
	/* The file HAL keeps nothing of its own: rf_tx goes back to off until the agent decides; a factory
	 * reset also cures the compromised-firmware test hook. */
	henb_hal_set_rf_tx(h, false);
	henb_hal_list_remove(h, HENB_HAL_STUCK);
}

bool henb_hal_stuck_value(struct henb_hal *h, const char *name, char *out, size_t outlen)
{
	static const enum henb_hal_list lists[] = {HENB_HAL_STUCK_UNTIL_BOOT, HENB_HAL_STUCK};
	char list[4096];
	size_t nl = strlen(name);
	for (size_t k = 0; k < 2; k++) {
		if (henb_hal_read_list(h, lists[k], list, sizeof(list)) != LF_OK)
			continue;
		for (char *save = NULL, *line = strtok_r(list, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
			if (strncmp(line, name, nl) == 0 && (line[nl] == ' ' || line[nl] == '\t')) {
				const char *v = line + nl;
				while (*v == ' ' || *v == '\t')
					v++;
				snprintf(out, outlen, "%s", v);
				return true;
			}
		}
	}
	return false;
}

void henb_hal_list_remove(struct henb_hal *h, enum henb_hal_list l)
{
	char path[600];
	if ((unsigned)l < HENB_HAL_LIST_COUNT && lf__path(h, lf__list_files[l], path, sizeof(path)) == 0)
		unlink(path);
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
