/* buf.c: capped growable buffer. */
#include "common/buf.h"

#include <stdio.h>
#include <string.h>

#include "common/alloc.h"
#include "common/err.h"

void lf_buf_init(struct lf_buf *b, size_t max)
{
	b->data = NULL;
	b->len = 0;
	b->cap = 0;
	b->max = max;
}

void lf_buf_free(struct lf_buf *b)
{
	lf_free_ptr(&b->data);
	b->len = 0;
	b->cap = 0;
}

void lf_buf_reset(struct lf_buf *b)
{
	b->len = 0;
	if (b->data)
		b->data[0] = '\0';
}

static int lf__buf_reserve(struct lf_buf *b, size_t extra)
{
	if (extra > b->max - b->len)
		return LF_ETOOBIG;
	size_t need = b->len + extra + 1;
	if (need <= b->cap)
		return LF_OK;
	size_t cap = b->cap ? b->cap : 256;
	while (cap < need)
		cap *= 2;
	if (cap > b->max + 1)
		cap = b->max + 1;
	b->data = lf_realloc(b->data, cap);
	b->cap = cap;
	return LF_OK;
}

int lf_buf_append(struct lf_buf *b, const void *p, size_t n)
{
	int result = lf__buf_reserve(b, n);
	if (result)
		return result;
	if (n)
		memcpy(b->data + b->len, p, n);
	b->len += n;
	b->data[b->len] = '\0';
	return LF_OK;
}

int lf_buf_puts(struct lf_buf *b, const char *s)
{
	return lf_buf_append(b, s, strlen(s));
}

int lf_buf_vprintf(struct lf_buf *b, const char *fmt, va_list ap)
{
	va_list ap2;
	va_copy(ap2, ap);
	int n = vsnprintf(NULL, 0, fmt, ap2);
	va_end(ap2);
	if (n < 0)
		return LF_EINVAL;
	int result = lf__buf_reserve(b, (size_t)n);
	if (result)
		return result;
	vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
	b->len += (size_t)n;
	return LF_OK;
}

int lf_buf_printf(struct lf_buf *b, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int result = lf_buf_vprintf(b, fmt, ap);
	va_end(ap);
	return result;
}

char *lf_buf_steal(struct lf_buf *b)
{
	char *p = b->data;
	if (!p)
		p = lf_strdup("");
	b->data = NULL;
	b->len = 0;
	b->cap = 0;
	return p;
}
