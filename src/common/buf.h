/* buf.h: a growable byte buffer with a hard size cap, for anything that holds outside input or output. */
#ifndef LF_BUF_H
#define LF_BUF_H

#include <stdarg.h>
#include <stddef.h>

struct lf_buf {
	char *data;  /* always NUL-terminated when non-NULL */
	size_t len;
	size_t cap;
	size_t max;  /* hard cap on len; appends past it fail with LF_ETOOBIG */
};

/* lf_buf_init: empty buffer that may grow to max bytes. No allocation until the first append. */
void lf_buf_init(struct lf_buf *b, size_t max);
/* lf_buf_free: release the storage; the buffer is empty and reusable afterwards. */
void lf_buf_free(struct lf_buf *b);
/* lf_buf_reset: forget the content, keep the storage. */
void lf_buf_reset(struct lf_buf *b);
int lf_buf_append(struct lf_buf *b, const void *p, size_t n);
int lf_buf_puts(struct lf_buf *b, const char *s);
int lf_buf_printf(struct lf_buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
int lf_buf_vprintf(struct lf_buf *b, const char *fmt, va_list ap) __attribute__((format(printf, 2, 0)));
/* lf_buf_steal: hand the storage to the caller (caller owns, lf_free), leave the buffer empty. */
char *lf_buf_steal(struct lf_buf *b);

#endif
