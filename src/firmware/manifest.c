/* manifest.c: strict parser and formatter of the firmware manifest; every error names the line. */
#include "firmware/manifest.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "common/alloc.h"
#include "common/err.h"
#include "firmware/fwerr.h"

enum {
	FW__SEEN_FORMAT = 1,
	FW__SEEN_PRODUCT = 2,
	FW__SEEN_HW = 4,
	FW__SEEN_VERSION = 8,
};

/* Where the parse stands: the error of the current line is written with its number. */
struct fw__mp {
	struct fw_manifest *m;
	unsigned lineno;
	unsigned *file_lines; /* line of each file entry, for conflict messages */
	size_t files_cap;
	char *err;
	size_t errlen;
};

static int fw__fail(struct fw__mp *p, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static int fw__fail(struct fw__mp *p, const char *fmt, ...)
{
	if (!p->err || !p->errlen)
		return FW_EMANIFEST;
	int n = snprintf(p->err, p->errlen, "manifest line %u: ", p->lineno);
	if (n >= 0 && (size_t)n < p->errlen) {
		va_list ap;
		va_start(ap, fmt);
		vsnprintf(p->err + n, p->errlen - (size_t)n, fmt, ap);
		va_end(ap);
	}
	return FW_EMANIFEST;
}

static int fw__hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

void fw_hex_encode(char *out, const uint8_t *in, size_t n)
{
	static const char digits[] = "0123456789abcdef";
	for (size_t i = 0; i < n; i++) {
		out[2 * i] = digits[in[i] >> 4];
		out[2 * i + 1] = digits[in[i] & 15];
	}
	out[2 * n] = '\0';
}

int fw_hex_decode(uint8_t *out, size_t n, const char *in, size_t inlen)
{
	if (inlen != 2 * n)
		return LF_EINVAL;
	for (size_t i = 0; i < n; i++) {
		int hi = fw__hexval(in[2 * i]);
		int lo = fw__hexval(in[2 * i + 1]);
		if (hi < 0 || lo < 0)
			return LF_EINVAL;
		out[i] = (uint8_t)(hi << 4 | lo);
	}
	return LF_OK;
}

const char *fw_manifest_check_path(const char *path, size_t len)
{
	if (len == 0)
		return "empty path";
	if (len > FW_PATH_MAX)
		return "path longer than 255 bytes";
	if (path[0] == '/')
		return "absolute path (leading '/')";
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)path[i];
		if (c <= 0x20 || c >= 0x7f)
			return "path holds a blank, control or non-ASCII character";
		if (c == '\\')
			return "backslash in path";
	}
	size_t start = 0;
	int first = 1;
	while (start <= len) {
		const char *slash = memchr(path + start, '/', len - start);
		size_t end = slash ? (size_t)(slash - path) : len;
		size_t clen = end - start;
		const char *c = path + start;
		if (clen == 0)
			return "empty path component ('//' or a trailing '/')";
		if (clen == 1 && c[0] == '.')
			return "'.' path component";
		if (clen == 2 && c[0] == '.' && c[1] == '.')
			return "'..' path component (path traversal)";
		if (first && ((clen == 9 && memcmp(c, ".manifest", 9) == 0) ||
			      (clen == 10 && memcmp(c, ".signature", 10) == 0)))
			return "'.manifest' and '.signature' are reserved for the slot's own copy";
		first = 0;
		start = end + 1;
		if (!slash)
			break;
	}
	return NULL;
}

/* A free-text field: 1..FW_FIELD_MAX printable characters (the line check already refused the rest). */
static int fw__text(struct fw__mp *p, const char *key, const char *v, size_t vlen, char *out)
{
	if (vlen > FW_FIELD_MAX)
		return fw__fail(p, "%s is %zu characters, over the limit of %d", key, vlen, FW_FIELD_MAX);
	memcpy(out, v, vlen);
	out[vlen] = '\0';
	return LF_OK;
}

static int fw__hw_list(struct fw__mp *p, const char *v, size_t vlen)
{
	struct fw_manifest *m = p->m;
	size_t start = 0;
	for (;;) {
		const char *comma = memchr(v + start, ',', vlen - start);
		size_t end = comma ? (size_t)(comma - v) : vlen;
		size_t n = end - start;
		if (n == 0)
			return fw__fail(p, "hardware_versions has an empty entry");
		if (n > FW_FIELD_MAX)
			return fw__fail(p, "hardware version '%.*s...' is over %d characters", 20, v + start,
					FW_FIELD_MAX);
		if (memchr(v + start, ' ', n))
			return fw__fail(p, "hardware_versions entries are separated by ',' without blanks");
		if (m->nhw == FW_HW_MAX)
			return fw__fail(p, "hardware_versions has more than %d entries", FW_HW_MAX);
		memcpy(m->hw[m->nhw], v + start, n);
		m->hw[m->nhw][n] = '\0';
		m->nhw++;
		if (!comma)
			return LF_OK;
		start = end + 1;
	}
}

static int fw__size(struct fw__mp *p, const char *s, size_t n, uint64_t *out)
{
	if (n == 0 || n > 20 || (n > 1 && s[0] == '0'))
		return fw__fail(p, "file size must be a decimal number without leading zeros");
	uint64_t v = 0;
	for (size_t i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return fw__fail(p, "file size must be a decimal number without leading zeros");
		if (v > FW_FILE_SIZE_MAX)
			break;
		v = v * 10 + (uint64_t)(s[i] - '0');
	}
	if (v > FW_FILE_SIZE_MAX)
		return fw__fail(p, "file size %.*s is over the limit of %llu bytes", (int)n, s,
				(unsigned long long)FW_FILE_SIZE_MAX);
	*out = v;
	return LF_OK;
}

/* Refuse a path equal to an earlier one, or one that needs an earlier file to be a directory (or vice versa). */
static int fw__path_conflicts(struct fw__mp *p, const char *path, size_t len)
{
	const struct fw_manifest *m = p->m;
	for (size_t i = 0; i < m->nfiles; i++) {
		const char *q = m->files[i].path;
		size_t qlen = strlen(q);
		if (qlen == len && memcmp(q, path, len) == 0)
			return fw__fail(p, "file '%s' is listed twice (first on line %u)", q, p->file_lines[i]);
		size_t shorter = qlen < len ? qlen : len;
		const char *longer = qlen < len ? path : q;
		if (memcmp(q, path, shorter) == 0 && longer[shorter] == '/')
			return fw__fail(p, "'%.*s' would need '%.*s' to be both a file and a directory (line %u)",
					(int)len, path, (int)shorter, path, p->file_lines[i]);
	}
	return LF_OK;
}

static int fw__file(struct fw__mp *p, const char *v, size_t vlen)
{
	struct fw_manifest *m = p->m;
	const char *tok[5];
	size_t toklen[5];
	size_t ntok = 0;
	size_t start = 0;
	for (;;) {
		const char *sp = memchr(v + start, ' ', vlen - start);
		size_t end = sp ? (size_t)(sp - v) : vlen;
		if (ntok == 5)
			return fw__fail(p, "expected 'file = <path> <size> <sha256> [<mode>]', got more fields");
		tok[ntok] = v + start;
		toklen[ntok] = end - start;
		if (toklen[ntok] == 0)
			return fw__fail(p, "fields of a file line are separated by exactly one blank");
		ntok++;
		if (!sp)
			break;
		start = end + 1;
	}
	if (ntok < 3 || ntok > 4)
		return fw__fail(p, "expected 'file = <path> <size> <sha256> [<mode>]', got %zu fields", ntok);
	if (m->nfiles == FW_FILES_MAX)
		return fw__fail(p, "more than %d files", FW_FILES_MAX);
	const char *why = fw_manifest_check_path(tok[0], toklen[0]);
	if (why)
		return fw__fail(p, "bad path '%.*s': %s", (int)(toklen[0] > 64 ? 64 : toklen[0]), tok[0], why);
	int result = fw__path_conflicts(p, tok[0], toklen[0]);
	if (result)
		return result;
	uint64_t size = 0;
	result = fw__size(p, tok[1], toklen[1], &size);
	if (result)
		return result;
	uint8_t sha[FW_SHA256_LEN];
	int lower = 1;
	for (size_t i = 0; i < toklen[2]; i++)
		if (tok[2][i] >= 'A' && tok[2][i] <= 'F')
			lower = 0;
	if (!lower || fw_hex_decode(sha, sizeof(sha), tok[2], toklen[2]))
		return fw__fail(p, "sha256 must be 64 lowercase hex digits");
	unsigned mode = 0644;
	if (ntok == 4) {
		if (toklen[3] == 4 && memcmp(tok[3], "0755", 4) == 0)
			mode = 0755;
		else if (!(toklen[3] == 4 && memcmp(tok[3], "0644", 4) == 0))
			return fw__fail(p, "file mode must be 0644 or 0755");
	}
	if (m->payload_size + size > FW_PAYLOAD_MAX)
		return fw__fail(p, "payload over the limit of %llu bytes", (unsigned long long)FW_PAYLOAD_MAX);
	if (m->nfiles == p->files_cap) {
		size_t cap = p->files_cap ? p->files_cap * 2 : 8;
		if (cap > FW_FILES_MAX)
			cap = FW_FILES_MAX;
		m->files = lf_realloc(m->files, cap * sizeof(*m->files));
		p->file_lines = lf_realloc(p->file_lines, cap * sizeof(*p->file_lines));
		p->files_cap = cap;
	}
	struct fw_file *f = &m->files[m->nfiles];
	f->path = lf_strndup(tok[0], toklen[0]);
	f->size = size;
	memcpy(f->sha256, sha, sizeof(sha));
	f->mode = mode;
	p->file_lines[m->nfiles] = p->lineno;
	m->nfiles++;
	m->payload_size += size;
	return LF_OK;
}

static int fw__line(struct fw__mp *p, unsigned *seen, const char *line, size_t n)
{
	struct fw_manifest *m = p->m;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)line[i];
		if (c < 0x20 || c > 0x7e)
			return fw__fail(p, "byte 0x%02x not allowed (printable ASCII only)", c);
	}
	if (n == 0 || line[0] == '#')
		return LF_OK;
	size_t klen = 0;
	while (klen < n && ((line[klen] >= 'a' && line[klen] <= 'z') || line[klen] == '_'))
		klen++;
	if (klen == 0 || n - klen < 4 || memcmp(line + klen, " = ", 3) != 0)
		return fw__fail(p, "expected 'key = value'");
	const char *v = line + klen + 3;
	size_t vlen = n - klen - 3;
	if (v[0] == ' ' || v[vlen - 1] == ' ')
		return fw__fail(p, "blank at the start or end of the value");
	static const struct {
		const char *name;
		unsigned bit;
	} keys[] = {{"format", FW__SEEN_FORMAT},
		    {"product_class", FW__SEEN_PRODUCT},
		    {"hardware_versions", FW__SEEN_HW},
		    {"version", FW__SEEN_VERSION},
		    {"file", 0}};
	size_t k = 0;
	while (k < sizeof(keys) / sizeof(keys[0]) && !(strlen(keys[k].name) == klen &&
						      memcmp(keys[k].name, line, klen) == 0))
		k++;
	if (k == sizeof(keys) / sizeof(keys[0]))
		return fw__fail(p, "unknown key '%.*s'", (int)(klen > 32 ? 32 : klen), line);
	if (!(*seen & FW__SEEN_FORMAT) && keys[k].bit != FW__SEEN_FORMAT)
		return fw__fail(p, "the first key must be 'format'");
	if (*seen & keys[k].bit)
		return fw__fail(p, "'%s' given twice", keys[k].name);
	*seen |= keys[k].bit;
	switch (keys[k].bit) {
	case FW__SEEN_FORMAT:
		if (vlen != 1 || v[0] != '0' + FW_FORMAT)
			return fw__fail(p, "unsupported format '%.*s' (this build reads format %d)",
					(int)(vlen > 16 ? 16 : vlen), v, FW_FORMAT);
		m->format = FW_FORMAT;
		return LF_OK;
	case FW__SEEN_PRODUCT:
		return fw__text(p, "product_class", v, vlen, m->product_class);
	case FW__SEEN_VERSION:
		return fw__text(p, "version", v, vlen, m->version);
	case FW__SEEN_HW:
		return fw__hw_list(p, v, vlen);
	}
	return fw__file(p, v, vlen);
}

int fw_manifest_parse(const char *text, size_t len, struct fw_manifest *m, char *err, size_t errlen)
{
	struct fw__mp p = {.m = m, .lineno = 0, .file_lines = NULL, .files_cap = 0, .err = err, .errlen = errlen};
	unsigned seen = 0;
	size_t pos = 0;
	int result = LF_OK;

	memset(m, 0, sizeof(*m));
	if (err && errlen)
		err[0] = '\0';
	if (len > FW_MANIFEST_MAX) {
		p.lineno = 1;
		result = fw__fail(&p, "manifest is %zu bytes, over the limit of %d", len, FW_MANIFEST_MAX);
		goto out;
	}
	while (pos < len) {
		const char *nl = memchr(text + pos, '\n', len - pos);
		size_t n = nl ? (size_t)(nl - (text + pos)) : len - pos;
		p.lineno++;
		result = fw__line(&p, &seen, text + pos, n);
		if (result)
			goto out;
		pos += n + (nl ? 1 : 0);
	}
	/* The end of the text is where the missing keys were due. */
	p.lineno++;
	static const struct {
		unsigned bit;
		const char *name;
	} required[] = {{FW__SEEN_FORMAT, "format"},
			{FW__SEEN_PRODUCT, "product_class"},
			{FW__SEEN_HW, "hardware_versions"},
			{FW__SEEN_VERSION, "version"}};
	for (size_t i = 0; i < sizeof(required) / sizeof(required[0]); i++) {
		if (!(seen & required[i].bit)) {
			result = fw__fail(&p, "end of manifest, but '%s' is missing", required[i].name);
			goto out;
		}
	}
	if (m->nfiles == 0) {
		result = fw__fail(&p, "end of manifest, but no 'file' line");
		goto out;
	}
out:
	lf_free(p.file_lines);
	return result;
}

void fw_manifest_free(struct fw_manifest *m)
{
	for (size_t i = 0; i < m->nfiles; i++)
		lf_free(m->files[i].path);
	lf_free_ptr(&m->files);
	m->nfiles = 0;
	m->payload_size = 0;
}

int fw_manifest_format(const struct fw_manifest *m, struct lf_buf *out)
{
	char hex[2 * FW_SHA256_LEN + 1];
	int result = lf_buf_printf(out, "format = %d\nproduct_class = %s\nhardware_versions = ", FW_FORMAT,
				   m->product_class);
	for (size_t i = 0; !result && i < m->nhw; i++)
		result = lf_buf_printf(out, "%s%s", i ? "," : "", m->hw[i]);
	if (!result)
		result = lf_buf_printf(out, "\nversion = %s\n", m->version);
	for (size_t i = 0; !result && i < m->nfiles; i++) {
		const struct fw_file *f = &m->files[i];
		fw_hex_encode(hex, f->sha256, sizeof(f->sha256));
		result = lf_buf_printf(out, "file = %s %llu %s %04o\n", f->path, (unsigned long long)f->size, hex,
				       f->mode);
	}
	return result;
}

int fw_manifest_allows_hw(const struct fw_manifest *m, const char *hw_version)
{
	for (size_t i = 0; i < m->nhw; i++)
		if (strcmp(m->hw[i], hw_version) == 0)
			return 1;
	return 0;
}
