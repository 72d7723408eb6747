/* udp_connreq.c: TR-069 Annex G UDP Connection Request: build, parse, HMAC-SHA1 check, replay window. */
#include "cwmp/udp_connreq.h"

#include <errno.h>
#include <nettle/hmac.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/err.h"

static void lf__sign(const char *password, const char *ts, const char *id, const char *un, const char *cn,
		     char hex[41])
{
	static const char digits[] = "0123456789abcdef";
	struct hmac_sha1_ctx ctx;
	uint8_t mac[SHA1_DIGEST_SIZE];
	hmac_sha1_set_key(&ctx, strlen(password), (const uint8_t *)password);
	hmac_sha1_update(&ctx, strlen(ts), (const uint8_t *)ts);
	hmac_sha1_update(&ctx, strlen(id), (const uint8_t *)id);
	hmac_sha1_update(&ctx, strlen(un), (const uint8_t *)un);
	hmac_sha1_update(&ctx, strlen(cn), (const uint8_t *)cn);
	hmac_sha1_digest(&ctx, sizeof(mac), mac);
	for (size_t i = 0; i < sizeof(mac); i++) {
		hex[2 * i] = digits[mac[i] >> 4];
		hex[2 * i + 1] = digits[mac[i] & 15];
	}
	hex[40] = '\0';
}

/* Append s to out form-urlencoded. */
static int lf__put_encoded(char *out, size_t outlen, size_t *pos, const char *s)
{
	static const char hex[] = "0123456789ABCDEF";
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;
		int plain = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
			    c == '.' || c == '_' || c == '~';
		if (*pos + 3 >= outlen)
			return LF_ETOOBIG;
		if (plain) {
			out[(*pos)++] = (char)c;
		} else {
			out[(*pos)++] = '%';
			out[(*pos)++] = hex[c >> 4];
			out[(*pos)++] = hex[c & 15];
		}
	}
	out[*pos] = '\0';
	return LF_OK;
}

static int lf__put(char *out, size_t outlen, size_t *pos, const char *s)
{
	size_t n = strlen(s);
	if (*pos + n >= outlen)
		return LF_ETOOBIG;
	memcpy(out + *pos, s, n + 1);
	*pos += n;
	return LF_OK;
}

int cwmp_udp_cr_build(char *out, size_t outlen, size_t *len, const char *authority, uint64_t ts, uint64_t id,
		      const char *un, const char *cn, const char *password)
{
	char ts_text[21], id_text[21], sig[41];
	size_t pos = 0;
	int result;
	if (!authority[0] || strpbrk(authority, " \r\n/?#") || !un[0] || !cn[0] || strlen(cn) > 128 ||
	    strlen(un) > 256)
		return LF_EINVAL;
	snprintf(ts_text, sizeof(ts_text), "%llu", (unsigned long long)ts);
	snprintf(id_text, sizeof(id_text), "%llu", (unsigned long long)id);
	lf__sign(password, ts_text, id_text, un, cn, sig);
	if (outlen > CWMP_UDP_CR_MAX + 1)
		outlen = CWMP_UDP_CR_MAX + 1;
	result = lf__put(out, outlen, &pos, "GET http://");
	if (!result)
		result = lf__put(out, outlen, &pos, authority);
	if (!result)
		result = lf__put(out, outlen, &pos, "?ts=");
	if (!result)
		result = lf__put(out, outlen, &pos, ts_text);
	if (!result)
		result = lf__put(out, outlen, &pos, "&id=");
	if (!result)
		result = lf__put(out, outlen, &pos, id_text);
	if (!result)
		result = lf__put(out, outlen, &pos, "&un=");
	if (!result)
		result = lf__put_encoded(out, outlen, &pos, un);
	if (!result)
		result = lf__put(out, outlen, &pos, "&cn=");
	if (!result)
		result = lf__put_encoded(out, outlen, &pos, cn);
	if (!result)
		result = lf__put(out, outlen, &pos, "&sig=");
	if (!result)
		result = lf__put(out, outlen, &pos, sig);
	if (!result)
		result = lf__put(out, outlen, &pos, " HTTP/1.1\r\nHost: ");
	if (!result)
		result = lf__put(out, outlen, &pos, authority);
	if (!result)
		result = lf__put(out, outlen, &pos, "\r\nContent-Length: 0\r\n\r\n");
	if (result)
		return result;
	*len = pos;
	return LF_OK;
}

static int lf__hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Decode a form-urlencoded value of n bytes into out (cap outlen incl. NUL). */
static int lf__decode(const char *s, size_t n, char *out, size_t outlen)
{
	size_t w = 0;
	for (size_t i = 0; i < n; i++) {
		char c = s[i];
		if (c == '+') {
			c = ' ';
		} else if (c == '%') {
			if (i + 2 >= n)
				return LF_EPARSE;
			int hi = lf__hexval(s[i + 1]), lo = lf__hexval(s[i + 2]);
			if (hi < 0 || lo < 0)
				return LF_EPARSE;
			c = (char)(hi * 16 + lo);
			i += 2;
		}
		if (c == '\0' || w + 1 >= outlen)
			return c == '\0' ? LF_EPARSE : LF_ETOOBIG;
		out[w++] = c;
	}
	out[w] = '\0';
	return LF_OK;
}

static int lf__parse_u64(const char *text, uint64_t *v)
{
	if (!text[0] || strlen(text) > 20)
		return LF_EPARSE;
	for (const char *p = text; *p; p++)
		if (*p < '0' || *p > '9')
			return LF_EPARSE;
	errno = 0;
	unsigned long long x = strtoull(text, NULL, 10);
	if (errno)
		return LF_EPARSE;
	*v = x;
	return LF_OK;
}

int cwmp_udp_cr_parse(const char *dgram, size_t len, struct cwmp_udp_cr *out, char *err, size_t errlen)
{
	enum { F_TS = 1, F_ID = 2, F_UN = 4, F_CN = 8, F_SIG = 16, F_ALL = 31 };
	unsigned seen = 0;
	memset(out, 0, sizeof(*out));
	if (len > CWMP_UDP_CR_MAX) {
		snprintf(err, errlen, "datagram of %zu bytes, over %d", len, CWMP_UDP_CR_MAX);
		return LF_ETOOBIG;
	}
	const char *end = memchr(dgram, '\n', len);
	size_t line_len = end ? (size_t)(end - dgram) : len;
	if (line_len && dgram[line_len - 1] == '\r')
		line_len--;
	if (line_len < 4 || memcmp(dgram, "GET ", 4) != 0) {
		snprintf(err, errlen, "not an HTTP GET request line");
		return LF_EPARSE;
	}
	const char *uri = dgram + 4;
	const char *sp = memchr(uri, ' ', line_len - 4);
	if (!sp || (size_t)(dgram + line_len - (sp + 1)) != 8 || memcmp(sp + 1, "HTTP/1.1", 8) != 0) {
		snprintf(err, errlen, "request line must end in ' HTTP/1.1'");
		return LF_EPARSE;
	}
	size_t uri_len = (size_t)(sp - uri);
	if (uri_len < 7 || strncasecmp(uri, "http://", 7) != 0) {
		snprintf(err, errlen, "Request-URI must be absolute http://");
		return LF_EPARSE;
	}
	const char *q = memchr(uri, '?', uri_len);
	if (!q) {
		snprintf(err, errlen, "Request-URI has no query");
		return LF_EPARSE;
	}
	if (memchr(uri + 7, '/', (size_t)(q - uri - 7))) {
		snprintf(err, errlen, "Request-URI path must be empty");
		return LF_EPARSE;
	}
	const char *p = q + 1;
	const char *qend = uri + uri_len;
	while (p < qend) {
		const char *amp = memchr(p, '&', (size_t)(qend - p));
		const char *fend = amp ? amp : qend;
		const char *eq = memchr(p, '=', (size_t)(fend - p));
		if (!eq) {
			snprintf(err, errlen, "query field without '='");
			return LF_EPARSE;
		}
		size_t kl = (size_t)(eq - p);
		const char *v = eq + 1;
		size_t vl = (size_t)(fend - v);
		int result = LF_OK;
		unsigned bit = 0;
		if (kl == 2 && memcmp(p, "ts", 2) == 0) {
			bit = F_TS;
			result = lf__decode(v, vl, out->ts_text, sizeof(out->ts_text));
			if (!result)
				result = lf__parse_u64(out->ts_text, &out->ts);
		} else if (kl == 2 && memcmp(p, "id", 2) == 0) {
			bit = F_ID;
			result = lf__decode(v, vl, out->id_text, sizeof(out->id_text));
			if (!result)
				result = lf__parse_u64(out->id_text, &out->id);
		} else if (kl == 2 && memcmp(p, "un", 2) == 0) {
			bit = F_UN;
			result = lf__decode(v, vl, out->un, sizeof(out->un));
		} else if (kl == 2 && memcmp(p, "cn", 2) == 0) {
			bit = F_CN;
			result = lf__decode(v, vl, out->cn, sizeof(out->cn));
		} else if (kl == 3 && memcmp(p, "sig", 3) == 0) {
			bit = F_SIG;
			result = lf__decode(v, vl, out->sig, sizeof(out->sig));
			if (!result && strlen(out->sig) != 40)
				result = LF_EPARSE;
		}
		if (result) {
			snprintf(err, errlen, "bad value of query field '%.*s'", (int)(kl < 8 ? kl : 8), p);
			return result == LF_ETOOBIG ? LF_ETOOBIG : LF_EPARSE;
		}
		if (bit & seen) {
			snprintf(err, errlen, "query field '%.*s' given twice", (int)kl, p);
			return LF_EPARSE;
		}
		seen |= bit;
		p = fend + 1;
	}
	if (seen != F_ALL) {
		snprintf(err, errlen, "query lacks %s%s%s%s%s", (seen & F_TS) ? "" : "ts ", (seen & F_ID) ? "" : "id ",
			 (seen & F_UN) ? "" : "un ", (seen & F_CN) ? "" : "cn ", (seen & F_SIG) ? "" : "sig");
		return LF_EPARSE;
	}
	return LF_OK;
}

int cwmp_udp_cr_verify(const struct cwmp_udp_cr *m, const char *username, const char *password)
{
	char expect[41];
	unsigned char diff = 0;
	lf__sign(password, m->ts_text, m->id_text, m->un, m->cn, expect);
	for (size_t i = 0; i < 40; i++) {
		char c = m->sig[i];
		if (c >= 'A' && c <= 'F')
			c = (char)(c - 'A' + 'a');
		diff |= (unsigned char)(c ^ expect[i]);
	}
	if (strcmp(m->un, username) != 0)
		diff |= 1;
	return diff ? LF_EAUTH : LF_OK;
}

int cwmp_udp_cr_replay_check(struct cwmp_udp_cr_replay *r, const struct cwmp_udp_cr *m, uint64_t now,
			     uint64_t max_skew)
{
	if (now && (m->ts + max_skew < now || m->ts > now + max_skew))
		return LF_ETIMEOUT;
	if (r->have && (m->ts < r->last_ts || m->id == r->last_id))
		return LF_EEXIST;
	r->have = 1;
	r->last_ts = m->ts;
	r->last_id = m->id;
	return LF_OK;
}
