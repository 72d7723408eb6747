/* xmlwrite.c: the escaping XML writer of cwmp_build; refuses text XML 1.0 cannot carry. */
#include "cwmp/xmlwrite.h"

#include <stdio.h>
#include <string.h>

#include "common/err.h"

void cwmp__xw_init(struct cwmp__xw *w, struct lf_buf *out)
{
	w->out = out;
	w->err = LF_OK;
}

static void cwmp__xw_append(struct cwmp__xw *w, const char *p, size_t n)
{
	if (w->err)
		return;
	w->err = lf_buf_append(w->out, p, n);
}

void cwmp__xw_raw(struct cwmp__xw *w, const char *s)
{
	cwmp__xw_append(w, s, strlen(s));
}

/* Length of the UTF-8 sequence at s if it encodes an XML 1.0 Char (#x9 | #xA | #xD | [#x20-#xD7FF] |
 * [#xE000-#xFFFD] | [#x10000-#x10FFFF]), else 0. Overlong forms and surrogates are refused. */
static size_t cwmp__xml_char_len(const unsigned char *s)
{
	unsigned char c = s[0];
	if (c < 0x80)
		return (c >= 0x20 || c == '\t' || c == '\n' || c == '\r') ? 1 : 0;
	size_t n;
	uint32_t cp;
	if (c >= 0xC2 && c <= 0xDF) {
		n = 2;
		cp = c & 0x1F;
	} else if (c >= 0xE0 && c <= 0xEF) {
		n = 3;
		cp = c & 0x0F;
	} else if (c >= 0xF0 && c <= 0xF4) {
		n = 4;
		cp = c & 0x07;
	} else {
		return 0;
	}
	for (size_t i = 1; i < n; i++) {
		/* A NUL terminator fails this test, so we never read past the string. */
		if ((s[i] & 0xC0) != 0x80)
			return 0;
		cp = (cp << 6) | (s[i] & 0x3F);
	}
	if ((n == 3 && cp < 0x800) || (n == 4 && (cp < 0x10000 || cp > 0x10FFFF)))
		return 0;
	if ((cp >= 0xD800 && cp <= 0xDFFF) || cp == 0xFFFE || cp == 0xFFFF)
		return 0;
	return n;
}

/* Escape s: the five markup characters always; CR always (a parser would turn a raw one into LF);
 * TAB and LF only inside attribute values, where a parser would turn them into spaces. */
static void cwmp__xw_escape(struct cwmp__xw *w, const char *s, bool attr)
{
	const unsigned char *p = (const unsigned char *)s;
	const unsigned char *run = p;
	while (!w->err && *p) {
		const char *rep = NULL;
		switch (*p) {
		case '&': rep = "&amp;"; break;
		case '<': rep = "&lt;"; break;
		case '>': rep = "&gt;"; break;
		case '"': rep = "&quot;"; break;
		case '\'': rep = "&apos;"; break;
		case '\r': rep = "&#13;"; break;
		case '\t': rep = attr ? "&#9;" : NULL; break;
		case '\n': rep = attr ? "&#10;" : NULL; break;
		default: break;
		}
		if (rep) {
			cwmp__xw_append(w, (const char *)run, (size_t)(p - run));
			cwmp__xw_raw(w, rep);
			p++;
			run = p;
			continue;
		}
		size_t n = cwmp__xml_char_len(p);
		if (n == 0) {
			w->err = LF_EINVAL;
			return;
		}
		p += n;
	}
	cwmp__xw_append(w, (const char *)run, (size_t)(p - run));
}

void cwmp__xw_text(struct cwmp__xw *w, const char *s)
{
	if (s)
		cwmp__xw_escape(w, s, false);
}

void cwmp__xw_open(struct cwmp__xw *w, const char *name, const char *attr, const char *value)
{
	cwmp__xw_raw(w, "<");
	cwmp__xw_raw(w, name);
	if (attr) {
		cwmp__xw_raw(w, " ");
		cwmp__xw_raw(w, attr);
		cwmp__xw_raw(w, "=\"");
		cwmp__xw_escape(w, value ? value : "", true);
		cwmp__xw_raw(w, "\"");
	}
	cwmp__xw_raw(w, ">");
}

void cwmp__xw_close(struct cwmp__xw *w, const char *name)
{
	cwmp__xw_raw(w, "</");
	cwmp__xw_raw(w, name);
	cwmp__xw_raw(w, ">\n");
}

void cwmp__xw_leaf_attr(struct cwmp__xw *w, const char *name, const char *attr, const char *value,
			const char *text)
{
	cwmp__xw_open(w, name, attr, value);
	cwmp__xw_text(w, text);
	cwmp__xw_close(w, name);
}

void cwmp__xw_leaf(struct cwmp__xw *w, const char *name, const char *text)
{
	cwmp__xw_leaf_attr(w, name, NULL, NULL, text);
}

void cwmp__xw_leaf_u32(struct cwmp__xw *w, const char *name, uint32_t v)
{
	char num[16];
	snprintf(num, sizeof(num), "%lu", (unsigned long)v);
	cwmp__xw_leaf(w, name, num);
}

void cwmp__xw_leaf_int(struct cwmp__xw *w, const char *name, int v)
{
	char num[16];
	snprintf(num, sizeof(num), "%d", v);
	cwmp__xw_leaf(w, name, num);
}

void cwmp__xw_leaf_bool(struct cwmp__xw *w, const char *name, bool v)
{
	cwmp__xw_leaf(w, name, v ? "true" : "false");
}
