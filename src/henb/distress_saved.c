/* distress_saved.c: the protected-storage records of henbd's distress client (keys and state) written and read
 * back with every field checked against its limit; the list of remembered action ids. */
#include "henb/distress_saved.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/alloc.h"
#include "common/err.h"
#include "distress/codec.h"
#include "firmware/bootctl.h"
#include "henb/record.h"

static void lf__err(char *err, size_t errlen, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

static void lf__err(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;
	if (!err || !errlen)
		return;
	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
}

/* A decimal number of at most max (digits only). */
static int lf__u64(const char *s, uint64_t max, uint64_t *out)
{
	char *end;
	if (!s[0] || strspn(s, "0123456789") != strlen(s) || strlen(s) > 20)
		return -1;
	errno = 0;
	unsigned long long v = strtoull(s, &end, 10);
	if (errno || *end || v > max)
		return -1;
	*out = v;
	return 0;
}

/* Text of at most max bytes, without control characters (text = TAB, LF, CR allowed). */
static int lf__text(const char *s, size_t max, bool text, char *out, size_t outlen)
{
	size_t n = strlen(s);
	if (n > max || n >= outlen)
		return -1;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		if ((c < 0x20 || c == 0x7f) && !(text && (c == '\t' || c == '\n' || c == '\r')))
			return -1;
	}
	memcpy(out, s, n + 1);
	return 0;
}

static int lf__hexbytes(const char *s, uint8_t *out, size_t n)
{
	if (strlen(s) != 2 * n)
		return -1;
	for (size_t i = 0; i < 2 * n; i++) {
		char c = s[i];
		int v = c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
		if (v < 0)
			return -1;
		out[i / 2] = (uint8_t)(i % 2 ? (out[i / 2] << 4) | v : v);
	}
	return 0;
}

static void lf__hex(const uint8_t *p, size_t n, char *out)
{
	static const char digits[] = "0123456789abcdef";
	for (size_t i = 0; i < n; i++) {
		out[2 * i] = digits[p[i] >> 4];
		out[2 * i + 1] = digits[p[i] & 15];
	}
	out[2 * n] = '\0';
}

/* ------------------------------------------------------------------------------------------------ keys */

int henb_distress_keys_format(const struct henb_distress_keys *k, struct lf_buf *out)
{
	const char *f[5] = {k->enable ? "1" : "0", k->server_url, k->identity, k->psk, k->trigger_key};
	return henb_record_put(out, 'K', f, 5);
}

static int lf__identity_ok(const char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s <= 0x20 || (unsigned char)*s >= 0x7f || *s == '"' || *s == '\\')
			return -1;
	return 0;
}

int henb_distress_keys_parse(const char *text, size_t len, struct henb_distress_keys *k, char *err, size_t errlen)
{
	char *f[HENB_RECORD_MAX_FIELDS];
	char type;
	size_t n;
	int result = LF_EPARSE;
	memset(k, 0, sizeof(k[0]));
	if (len > HENB_DISTRESS_SAVED_MAX || memchr(text, '\0', len)) {
		lf__err(err, errlen, "%zu bytes or a NUL byte", len);
		return LF_EPARSE;
	}
	char *line = lf_strndup(text, len);
	size_t l = strlen(line);
	if (l && line[l - 1] == '\n')
		line[--l] = '\0';
	if (strchr(line, '\n') || henb_record_split(line, &type, f, HENB_RECORD_MAX_FIELDS, &n) || type != 'K' ||
	    n != 5) {
		lf__err(err, errlen, "not one K record of 5 fields");
		goto out;
	}
	if (strcmp(f[0], "0") != 0 && strcmp(f[0], "1") != 0) {
		lf__err(err, errlen, "enable '%.8s' is not 0 or 1", f[0]);
		goto out;
	}
	k->enable = f[0][0] == '1';
	if (lf__text(f[1], 256, false, k->server_url, sizeof(k->server_url))) {
		lf__err(err, errlen, "server URL over 256 bytes or with control characters");
		goto out;
	}
	if (lf__text(f[2], DISTRESS_MAX_ID, false, k->identity, sizeof(k->identity)) || lf__identity_ok(k->identity)) {
		lf__err(err, errlen, "identity over %d bytes or not printable ASCII", DISTRESS_MAX_ID);
		goto out;
	}
	if ((f[3][0] && !distress_key_valid(f[3])) || (f[4][0] && !distress_key_valid(f[4]))) {
		lf__err(err, errlen, "a key is not 64 lower-case hex characters");
		goto out;
	}
	snprintf(k->psk, sizeof(k->psk), "%s", f[3]);
	snprintf(k->trigger_key, sizeof(k->trigger_key), "%s", f[4]);
	result = LF_OK;
out:
	if (result)
		memset(k, 0, sizeof(k[0]));
	lf_free(line);
	return result;
}

/* ------------------------------------------------------------------------------------------------ state */

static const char *const lf__phase_names[] = {"none", "fetch", "installed"};

int henb_distress_saved_format(const struct henb_distress_saved *s, struct lf_buf *out)
{
	char a[24], b[24], c[24], d[24], hex[65];
	int result;
	snprintf(a, sizeof(a), "%llu", (unsigned long long)s->replay.last_ts);
	snprintf(b, sizeof(b), "%llu", (unsigned long long)s->replay.last_id);
	const char *r[3] = {a, b, s->replay.have ? "1" : "0"};
	result = henb_record_put(out, 'R', r, 3);
	for (size_t i = 0; i < s->n_memo && !result; i++) {
		const struct henb_distress_memo *m = &s->memo[i];
		snprintf(a, sizeof(a), "%llu", (unsigned long long)m->id);
		snprintf(b, sizeof(b), "%u", m->kind);
		snprintf(c, sizeof(c), "%u", m->status);
		snprintf(d, sizeof(d), "%u", m->fault);
		const char *f[4] = {a, b, c, d};
		result = henb_record_put(out, 'A', f, 4);
	}
	if (s->dl.phase != HENB_DDL_NONE && !result) {
		snprintf(a, sizeof(a), "%llu", (unsigned long long)s->dl.id);
		snprintf(b, sizeof(b), "%llu", (unsigned long long)s->dl.size);
		lf__hex(s->dl.sha256, 32, hex);
		const char *f[6] = {a, lf__phase_names[s->dl.phase], b, hex, s->dl.command_key, s->dl.url};
		result = henb_record_put(out, 'D', f, 6);
		if (!result) {
			const char *g[3] = {s->dl.start_time, fw_slot_name(s->dl.slot), s->dl.version};
			result = henb_record_put(out, 'd', g, 3);
		}
	}
	for (size_t i = 0; i < s->n_reports && !result; i++) {
		const struct henb_distress_report *p = &s->reports[i];
		snprintf(a, sizeof(a), "%llu", (unsigned long long)p->id);
		snprintf(b, sizeof(b), "%u", p->kind);
		snprintf(c, sizeof(c), "%u", p->status);
		snprintf(d, sizeof(d), "%u", p->fault);
		const char *f[7] = {a, b, c, d, p->software_version, p->start_time, p->complete_time};
		result = henb_record_put(out, 'P', f, 7);
		if (!result) {
			const char *g[1] = {p->fault_string};
			result = henb_record_put(out, 'p', g, 1);
		}
	}
	if (s->resume && !result) {
		snprintf(a, sizeof(a), "%u", s->resume);
		snprintf(b, sizeof(b), "%llu", (unsigned long long)s->resume_id);
		const char *f[3] = {a, b, s->resume_key};
		result = henb_record_put(out, 'B', f, 3);
	}
	return result;
}

/* One line of the state record; *p_open: a P line waits for its p line. */
static int lf__state_line(struct henb_distress_saved *s, char type, char **f, size_t n, bool *p_open, char *why,
                          size_t whylen)
{
	uint64_t v[4];
	if (*p_open && type != 'p') {
		snprintf(why, whylen, "P without its p line");
		return -1;
	}
	switch (type) {
	case 'R':
		if (n != 3 || lf__u64(f[0], UINT64_MAX, &v[0]) || lf__u64(f[1], UINT64_MAX, &v[1]) ||
		    lf__u64(f[2], 1, &v[2])) {
			snprintf(why, whylen, "R: want last_ts last_id have(0|1)");
			return -1;
		}
		s->replay.last_ts = v[0];
		s->replay.last_id = v[1];
		s->replay.have = (int)v[2];
		return 0;
	case 'A':
		if (n != 4 || lf__u64(f[0], UINT64_MAX, &v[0]) || v[0] == 0 ||
		    lf__u64(f[1], DISTRESS_KIND_MAX, &v[1]) || lf__u64(f[2], DISTRESS_STATUS_MAX, &v[2]) ||
		    lf__u64(f[3], UINT32_MAX, &v[3])) {
			snprintf(why, whylen, "A: want id kind status fault");
			return -1;
		}
		if (s->n_memo == HENB_DISTRESS_MEMORY) {
			snprintf(why, whylen, "more than %d remembered actions", HENB_DISTRESS_MEMORY);
			return -1;
		}
		s->memo[s->n_memo++] = (struct henb_distress_memo){v[0], (uint8_t)v[1], (uint8_t)v[2], (uint32_t)v[3]};
		return 0;
	case 'D': {
		int phase = -1;
		for (int i = 1; i < 3; i++)
			if (n == 6 && strcmp(f[1], lf__phase_names[i]) == 0)
				phase = i;
		if (n != 6 || s->dl.phase || phase < 0 || lf__u64(f[0], UINT64_MAX, &v[0]) || v[0] == 0 ||
		    lf__u64(f[2], UINT64_MAX, &v[1]) || lf__hexbytes(f[3], s->dl.sha256, 32) ||
		    lf__text(f[4], DISTRESS_LEN_COMMAND_KEY, false, s->dl.command_key, sizeof(s->dl.command_key)) ||
		    lf__text(f[5], DISTRESS_MAX_URL, false, s->dl.url, sizeof(s->dl.url))) {
			snprintf(why, whylen, "D: want id phase size sha256 command_key url (once)");
			return -1;
		}
		s->dl.phase = (uint8_t)phase;
		s->dl.id = v[0];
		s->dl.size = v[1];
		s->dl.slot = FW_SLOT_NONE;
		return 0;
	}
	case 'd': {
		int slot = n == 3 ? fw_slot_parse(f[1]) : -2;
		if (n != 3 || !s->dl.phase || (slot != FW_SLOT_NONE && slot != FW_SLOT_A && slot != FW_SLOT_B) ||
		    lf__text(f[0], DISTRESS_LEN_TIME, false, s->dl.start_time, sizeof(s->dl.start_time)) ||
		    lf__text(f[2], DISTRESS_LEN_VERSION, false, s->dl.version, sizeof(s->dl.version))) {
			snprintf(why, whylen, "d: want start_time slot version after D");
			return -1;
		}
		s->dl.slot = slot;
		return 0;
	}
	case 'P': {
		struct henb_distress_report *p = &s->reports[s->n_reports];
		if (s->n_reports == HENB_DISTRESS_REPORTS) {
			snprintf(why, whylen, "more than %d results to report", HENB_DISTRESS_REPORTS);
			return -1;
		}
		memset(p, 0, sizeof(*p));
		if (n != 7 || lf__u64(f[0], UINT64_MAX, &v[0]) || v[0] == 0 ||
		    lf__u64(f[1], DISTRESS_KIND_MAX, &v[1]) || lf__u64(f[2], DISTRESS_STATUS_MAX, &v[2]) ||
		    lf__u64(f[3], UINT32_MAX, &v[3]) ||
		    lf__text(f[4], DISTRESS_LEN_VERSION, false, p->software_version, sizeof(p->software_version)) ||
		    lf__text(f[5], DISTRESS_LEN_TIME, false, p->start_time, sizeof(p->start_time)) ||
		    lf__text(f[6], DISTRESS_LEN_TIME, false, p->complete_time, sizeof(p->complete_time))) {
			snprintf(why, whylen, "P: want id kind status fault software_version start_time complete_time");
			return -1;
		}
		p->id = v[0];
		p->kind = (uint8_t)v[1];
		p->status = (uint8_t)v[2];
		p->fault = (uint32_t)v[3];
		*p_open = true;
		return 0;
	}
	case 'p': {
		struct henb_distress_report *p = &s->reports[s->n_reports];
		if (!*p_open || n != 1 ||
		    lf__text(f[0], DISTRESS_LEN_FAULT, true, p->fault_string, sizeof(p->fault_string))) {
			snprintf(why, whylen, "p: want one fault string after P");
			return -1;
		}
		*p_open = false;
		s->n_reports++;
		return 0;
	}
	case 'B':
		if (n != 3 || s->resume || lf__u64(f[0], DISTRESS_KIND_MAX, &v[0]) ||
		    (v[0] != DISTRESS_KIND_REBOOT && v[0] != DISTRESS_KIND_FACTORY_RESET) ||
		    lf__u64(f[1], UINT64_MAX, &v[1]) || v[1] == 0 ||
		    lf__text(f[2], 32, false, s->resume_key, sizeof(s->resume_key))) {
			snprintf(why, whylen, "B: want kind(3|4) id command_key (once)");
			return -1;
		}
		s->resume = (uint8_t)v[0];
		s->resume_id = v[1];
		return 0;
	default:
		snprintf(why, whylen, "unknown record type");
		return -1;
	}
}

int henb_distress_saved_parse(const char *text, size_t len, struct henb_distress_saved *s, char *err, size_t errlen)
{
	char *f[HENB_RECORD_MAX_FIELDS], why[160], type;
	size_t n, lineno = 0;
	bool p_open = false;
	int result = LF_OK;
	memset(s, 0, sizeof(*s));
	s->dl.slot = FW_SLOT_NONE;
	if (len > HENB_DISTRESS_SAVED_MAX) {
		lf__err(err, errlen, "%zu bytes, over %d", len, HENB_DISTRESS_SAVED_MAX);
		return LF_ETOOBIG;
	}
	if (memchr(text, '\0', len)) {
		lf__err(err, errlen, "a NUL byte");
		return LF_EPARSE;
	}
	char *copy = lf_strndup(text, len), *save = NULL;
	for (char *line = strtok_r(copy, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		lineno++;
		why[0] = '\0';
		if (henb_record_split(line, &type, f, HENB_RECORD_MAX_FIELDS, &n))
			snprintf(why, sizeof(why), "not a record (bad escape, type or field count)");
		else if (lf__state_line(s, type, f, n, &p_open, why, sizeof(why)) && !why[0])
			snprintf(why, sizeof(why), "bad record");
		if (why[0]) {
			lf__err(err, errlen, "line %zu: %s", lineno, why);
			result = LF_EPARSE;
			break;
		}
	}
	if (!result && p_open) {
		lf__err(err, errlen, "line %zu: P without its p line", lineno);
		result = LF_EPARSE;
	}
	lf_free(copy);
	if (result) {
		memset(s, 0, sizeof(*s));
		s->dl.slot = FW_SLOT_NONE;
	}
	return result;
}

/* ------------------------------------------------------------------------------------------------ memo */

const struct henb_distress_memo *henb_distress_memo_find(const struct henb_distress_saved *s, uint64_t id)
{
	for (size_t i = 0; i < s->n_memo; i++)
		if (s->memo[i].id == id)
			return &s->memo[i];
	return NULL;
}

void henb_distress_memo_put(struct henb_distress_saved *s, uint64_t id, uint8_t kind, uint8_t status, uint32_t fault)
{
	for (size_t i = 0; i < s->n_memo; i++)
		if (s->memo[i].id == id) {
			s->memo[i].kind = kind;
			s->memo[i].status = status;
			s->memo[i].fault = fault;
			return;
		}
	if (s->n_memo == HENB_DISTRESS_MEMORY) {
		memmove(&s->memo[0], &s->memo[1], (HENB_DISTRESS_MEMORY - 1) * sizeof(s->memo[0]));
		s->n_memo--;
	}
	s->memo[s->n_memo++] = (struct henb_distress_memo){id, kind, status, fault};
}
