/* persist.c: henbd's state file. Format (one record per line, fields escaped by record.c):
 *   H lifeline-henbd-state 1               header and format version, first line
 *   s KEY VALUE                              agent state (bootstrapped, acs_url, boots, reboot_key, ...)
 *   t KEY FAULT STRING START COMPLETE        a TransferComplete not yet acknowledged
 *   d KEY TYPE URL USER PASSWORD SIZE TARGET DELAY   a Download accepted and not yet done
 *   r NAME / i PATH NEXT / v NAME VALUE / a NAME NOTIFICATION ACCESS PENDING   the data model (dm.c)
 *   E SHA256                                 seal: hex SHA-256 of every byte before this line, last line
 * The writer replaces the file atomically; the seal catches anything else (a torn copy, an editor). */
#include "henb/persist.h"

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <nettle/sha2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/err.h"
#include "common/file.h"
#include "henb/dm.h"
#include "henb/record.h"

#define LF_MAGIC "lifeline-henbd-state"
#define LF_VERSION "1"
#define LF_MAX_LINE 8192

static int lf__put_s(struct lf_buf *b, const char *key, const char *value)
{
	const char *f[2] = {key, value};
	return henb_record_put(b, 's', f, 2);
}

static int lf__put_u(struct lf_buf *b, const char *key, unsigned long long v)
{
	char n[24];
	snprintf(n, sizeof(n), "%llu", v);
	return lf__put_s(b, key, n);
}

static void lf__sha256_hex(const char *data, size_t len, char out[65])
{
	struct sha256_ctx ctx;
	uint8_t digest[SHA256_DIGEST_SIZE];
	sha256_init(&ctx);
	sha256_update(&ctx, len, (const uint8_t *)data);
	sha256_digest(&ctx, sizeof(digest), digest);
	for (size_t i = 0; i < sizeof(digest); i++)
		snprintf(out + 2 * i, 3, "%02x", digest[i]);
}

int henb_state_serialize(const struct henb_state *st, struct henb_dm *dm, struct lf_buf *out)
{
	const char *h[2] = {LF_MAGIC, LF_VERSION};
	int result = henb_record_put(out, 'H', h, 2);
	result = result ? result : lf__put_u(out, "bootstrapped", st->bootstrapped);
	result = result ? result : lf__put_s(out, "acs_url", st->acs_url);
	result = result ? result : lf__put_u(out, "boots", (unsigned long long)st->boots);
	if (st->reboot_pending)
		result = result ? result : lf__put_s(out, "reboot_key", st->reboot_key);
	if (st->udp_have) {
		result = result ? result : lf__put_u(out, "udp_last_ts", st->udp_last_ts);
		result = result ? result : lf__put_u(out, "udp_last_id", st->udp_last_id);
	}
	result = result ? result : lf__put_u(out, "fm_next_alarm_id", st->fm_next_alarm_id);
	result = result ? result : lf__put_u(out, "fm_ring_history", st->fm_ring_next[0]);
	result = result ? result : lf__put_u(out, "fm_ring_expedited", st->fm_ring_next[1]);
	result = result ? result : lf__put_u(out, "fm_ring_queued", st->fm_ring_next[2]);
	for (size_t i = 0; i < st->n_tc && !result; i++) {
		char code[16];
		snprintf(code, sizeof(code), "%u", st->tc[i].fault_code);
		const char *f[5] = {st->tc[i].command_key, code, st->tc[i].fault_string, st->tc[i].start_time,
				    st->tc[i].complete_time};
		result = henb_record_put(out, 't', f, 5);
	}
	if (st->dl.used && !result) {
		char size[16], delay[16];
		snprintf(size, sizeof(size), "%u", st->dl.file_size);
		snprintf(delay, sizeof(delay), "%u", st->dl.delay_seconds);
		const char *f[8] = {st->dl.command_key, st->dl.file_type, st->dl.url, st->dl.username,
				    st->dl.password, size, st->dl.target_file_name, delay};
		result = henb_record_put(out, 'd', f, 8);
	}
	result = result ? result : henb_dm_dump(dm, out);
	if (!result) {
		char hex[65];
		lf__sha256_hex(out->data, out->len, hex);
		const char *f[1] = {hex};
		result = henb_record_put(out, 'E', f, 1);
	}
	return result;
}

static bool lf__u64(const char *s, unsigned long long max, unsigned long long *out)
{
	if (!*s || strlen(s) > 20)
		return false;
	unsigned long long v = 0;
	for (const char *p = s; *p; p++) {
		if (*p < '0' || *p > '9')
			return false;
		unsigned d = (unsigned)(*p - '0');
		if (v > (max - d) / 10)
			return false;
		v = v * 10 + d;
	}
	*out = v;
	return true;
}

static int lf__copy(char *dst, size_t size, const char *src)
{
	size_t n = strlen(src);
	if (n >= size)
		return LF_EPARSE;
	memcpy(dst, src, n + 1);
	return LF_OK;
}

static int lf__state_key(struct henb_state *st, const char *key, const char *value)
{
	unsigned long long v;
	if (strcmp(key, "acs_url") == 0)
		return lf__copy(st->acs_url, sizeof(st->acs_url), value);
	if (strcmp(key, "reboot_key") == 0) {
		st->reboot_pending = true;
		return lf__copy(st->reboot_key, sizeof(st->reboot_key), value);
	}
	if (!lf__u64(value, UINT64_MAX, &v))
		return LF_EPARSE;
	if (strcmp(key, "bootstrapped") == 0 && v <= 1)
		st->bootstrapped = v;
	else if (strcmp(key, "boots") == 0 && v <= (1ULL << 62))
		st->boots = (long long)v;
	else if (strcmp(key, "udp_last_ts") == 0) {
		st->udp_last_ts = v;
		st->udp_have = true;
	} else if (strcmp(key, "udp_last_id") == 0)
		st->udp_last_id = v;
	else if (strcmp(key, "fm_next_alarm_id") == 0 && v <= UINT32_MAX)
		st->fm_next_alarm_id = (uint32_t)v;
	else if (strcmp(key, "fm_ring_history") == 0 && v <= UINT32_MAX)
		st->fm_ring_next[0] = (uint32_t)v;
	else if (strcmp(key, "fm_ring_expedited") == 0 && v <= UINT32_MAX)
		st->fm_ring_next[1] = (uint32_t)v;
	else if (strcmp(key, "fm_ring_queued") == 0 && v <= UINT32_MAX)
		st->fm_ring_next[2] = (uint32_t)v;
	else
		return LF_OK; /* a key of another version: ignored */
	return LF_OK;
}

static int lf__record(struct henb_state *st, struct henb_dm *dm, char type, char **f, size_t n)
{
	unsigned long long v;
	switch (type) {
	case 's':
		if (n != 2)
			return LF_EPARSE;
		return lf__state_key(st, f[0], f[1]);
	case 't': {
		if (n != 5 || st->n_tc == HENB_MAX_TRANSFERS || !lf__u64(f[1], UINT32_MAX, &v))
			return LF_EPARSE;
		struct henb_transfer *t = &st->tc[st->n_tc];
		t->fault_code = (uint32_t)v;
		if (lf__copy(t->command_key, sizeof(t->command_key), f[0]) ||
		    lf__copy(t->fault_string, sizeof(t->fault_string), f[2]) ||
		    lf__copy(t->start_time, sizeof(t->start_time), f[3]) ||
		    lf__copy(t->complete_time, sizeof(t->complete_time), f[4]))
			return LF_EPARSE;
		st->n_tc++;
		return LF_OK;
	}
	case 'd': {
		unsigned long long size, delay;
		struct henb_download_job *d = &st->dl;
		if (n != 8 || d->used || !lf__u64(f[5], UINT32_MAX, &size) || !lf__u64(f[7], UINT32_MAX, &delay))
			return LF_EPARSE;
		if (lf__copy(d->command_key, sizeof(d->command_key), f[0]) ||
		    lf__copy(d->file_type, sizeof(d->file_type), f[1]) || lf__copy(d->url, sizeof(d->url), f[2]) ||
		    lf__copy(d->username, sizeof(d->username), f[3]) ||
		    lf__copy(d->password, sizeof(d->password), f[4]) ||
		    lf__copy(d->target_file_name, sizeof(d->target_file_name), f[6]))
			return LF_EPARSE;
		d->file_size = (uint32_t)size;
		d->delay_seconds = (uint32_t)delay;
		d->used = true;
		return LF_OK;
	}
	case 'r':
	case 'i':
	case 'v':
	case 'a': return henb_dm_load_record(dm, type, f, n);
	default: return LF_EPARSE;
	}
}

int henb_state_parse(const char *text, size_t len, bool verify, struct henb_state *st, struct henb_dm *dm,
		     char *err, size_t errlen)
{
	char line[LF_MAX_LINE];
	char *f[HENB_RECORD_MAX_FIELDS];
	size_t pos = 0, n;
	unsigned lineno = 0;
	char type;
	bool sealed = false;

	memset(st, 0, sizeof(*st));
	if (verify) {
		/* The last line is "E <hex>\n", and the hex is the digest of everything before it. */
		if (len < 67 || text[len - 1] != '\n') {
			snprintf(err, errlen, "no seal line at the end");
			return LF_EPARSE;
		}
		size_t start = len - 1;
		while (start > 0 && text[start - 1] != '\n')
			start--;
		char hex[65];
		lf__sha256_hex(text, start, hex);
		if (len - start != 67 || strncmp(text + start, "E ", 2) != 0 || memcmp(text + start + 2, hex, 64) != 0) {
			snprintf(err, errlen, "seal does not match the content (file altered or torn)");
			return LF_EPARSE;
		}
	}
	while (pos < len) {
		size_t start = pos;
		while (pos < len && text[pos] != '\n')
			pos++;
		size_t ll = pos - start;
		lineno++;
		if (pos == len) {
			snprintf(err, errlen, "line %u: no newline at the end", lineno);
			return LF_EPARSE;
		}
		pos++;
		if (sealed) {
			snprintf(err, errlen, "line %u: content after the seal", lineno);
			return LF_EPARSE;
		}
		if (ll >= sizeof(line) || memchr(text + start, '\0', ll)) {
			snprintf(err, errlen, "line %u: too long or holds a NUL byte", lineno);
			return LF_EPARSE;
		}
		memcpy(line, text + start, ll);
		line[ll] = '\0';
		if (henb_record_split(line, &type, f, HENB_RECORD_MAX_FIELDS, &n)) {
			snprintf(err, errlen, "line %u: malformed record", lineno);
			return LF_EPARSE;
		}
		if (lineno == 1) {
			if (type != 'H' || n != 2 || strcmp(f[0], LF_MAGIC) != 0) {
				snprintf(err, errlen, "line 1: not a henbd state file");
				return LF_EPARSE;
			}
			if (strcmp(f[1], LF_VERSION) != 0) {
				snprintf(err, errlen, "line 1: state format version %.16s, this henbd reads %s", f[1],
					 LF_VERSION);
				return LF_EPARSE;
			}
			continue;
		}
		if (type == 'E') {
			sealed = true;
			continue;
		}
		if (lf__record(st, dm, type, f, n)) {
			snprintf(err, errlen, "line %u: bad '%c' record", lineno, type);
			return LF_EPARSE;
		}
	}
	if (lineno == 0) {
		snprintf(err, errlen, "empty file");
		return LF_EPARSE;
	}
	if (verify && !sealed) {
		snprintf(err, errlen, "no seal line");
		return LF_EPARSE;
	}
	return LF_OK;
}

int henb_state_load(const char *path, struct henb_state *st, struct henb_dm *dm, char *err, size_t errlen)
{
	struct lf_buf b;
	lf_buf_init(&b, HENB_STATE_MAX);
	int result = lf_file_read(path, &b);
	if (result == LF_ENOTFOUND) {
		memset(st, 0, sizeof(*st));
		goto out;
	}
	if (result) {
		snprintf(err, errlen, "%s: %s", path, result == LF_ETOOBIG ? "larger than the limit" : lf_strerror(result));
		goto out;
	}
	char why[256];
	result = henb_state_parse(b.data ? b.data : "", b.len, true, st, dm, why, sizeof(why));
	if (result)
		snprintf(err, errlen, "%s: %s", path, why);
out:
	lf_buf_free(&b);
	return result;
}

int henb_state_save(const char *path, const struct henb_state *st, struct henb_dm *dm)
{
	struct lf_buf b;
	lf_buf_init(&b, HENB_STATE_MAX);
	int result = henb_state_serialize(st, dm, &b);
	if (!result)
		result = lf_file_write_atomic(path, b.data, b.len);
	lf_buf_free(&b);
	return result;
}

int henb_state_wipe(const char *path)
{
	char dir[4096];
	if (unlink(path) != 0 && errno != ENOENT)
		return LF_EIO;
	snprintf(dir, sizeof(dir), "%s", path);
	int dfd = open(dirname(dir), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd >= 0) {
		fsync(dfd);
		close(dfd);
	}
	return LF_OK;
}
