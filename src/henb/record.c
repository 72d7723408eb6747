/* record.c: escaping and splitting the records of henbd's state file. */
#include "henb/record.h"

#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "common/err.h"

/* Bytes that are written escaped. */
static bool henb__special(unsigned char c)
{
	return c == '\\' || c <= 0x20 || c == 0x7f;
}

static int henb__field_put(struct lf_buf *b, const char *s)
{
	int result = LF_OK;
	const unsigned char *p = (const unsigned char *)s;
	while (*p && !result) {
		/* The plain run up to the next byte to escape goes in one append (the state file is written after
		 * every change: this is henbd's hottest loop). */
		const unsigned char *q = p;
		while (*q && !henb__special(*q))
			q++;
		if (q > p) {
			result = lf_buf_append(b, p, (size_t)(q - p));
			p = q;
			continue;
		}
		switch (*p) {
		case '\\': result = lf_buf_puts(b, "\\\\"); break;
		case ' ': result = lf_buf_puts(b, "\\s"); break;
		case '\n': result = lf_buf_puts(b, "\\n"); break;
		case '\r': result = lf_buf_puts(b, "\\r"); break;
		case '\t': result = lf_buf_puts(b, "\\t"); break;
		default: result = lf_buf_printf(b, "\\x%02x", *p);
		}
		p++;
	}
	return result;
}

int henb_record_put(struct lf_buf *b, char type, const char *const *fields, size_t n)
{
	int result = lf_buf_append(b, &type, 1);
	for (size_t i = 0; i < n && !result; i++) {
		result = lf_buf_puts(b, " ");
		if (!result)
			result = henb__field_put(b, fields[i]);
	}
	if (!result)
		result = lf_buf_puts(b, "\n");
	return result;
}

static int henb__hex(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Unescape [s, end) in place; the result is NUL-terminated and never longer. */
static int henb__unescape(char *s)
{
	char *w = s;
	for (char *r = s; *r; r++) {
		if (*r != '\\') {
			*w++ = *r;
			continue;
		}
		r++;
		switch (*r) {
		case '\\': *w++ = '\\'; break;
		case 's': *w++ = ' '; break;
		case 'n': *w++ = '\n'; break;
		case 'r': *w++ = '\r'; break;
		case 't': *w++ = '\t'; break;
		case 'x': {
			int hi = r[1] ? henb__hex(r[1]) : -1;
			int lo = hi >= 0 && r[2] ? henb__hex(r[2]) : -1;
			if (lo < 0 || (hi == 0 && lo == 0))
				return LF_EPARSE; /* NUL cannot be carried */
			*w++ = (char)(hi * 16 + lo);
			r += 2;
			break;
		}
		default: return LF_EPARSE;
		}
	}
	*w = '\0';
	return LF_OK;
}

int henb_record_split(char *line, char *type, char **fields, size_t max, size_t *n)
{
	*n = 0;
	if (!line[0] || line[0] == ' ' || (line[1] && line[1] != ' '))
		return LF_EPARSE;
	*type = line[0];
	if (!line[1])
		return LF_OK;
	char *p = line + 2;
	for (;;) {
		if (*n == max)
			return LF_EPARSE;
		char *sp = strchr(p, ' ');
		if (sp)
			*sp = '\0';
		if (henb__unescape(p))
			return LF_EPARSE;
		fields[(*n)++] = p;
		if (!sp)
			break;
		p = sp + 1;
	}
	return LF_OK;
}
