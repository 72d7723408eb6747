/* xmlwrite.h: a small escaping XML writer over lf_buf, used by cwmp_build (internal to src/cwmp). */
#ifndef LF_CWMP_XMLWRITE_H
#define LF_CWMP_XMLWRITE_H

#include <stdbool.h>
#include <stdint.h>

#include "common/buf.h"

/* A writer appends to `out`. The first failure (LF_ETOOBIG from out's cap, LF_EINVAL for text that XML 1.0
 * cannot carry) is kept in `err` and turns every later call into a no-op, so a builder writes a whole
 * document and checks once at the end. Element and attribute names are trusted literals, never escaped. */
struct cwmp__xw {
	struct lf_buf *out;
	int err;
};

void cwmp__xw_init(struct cwmp__xw *w, struct lf_buf *out);
/* cwmp__xw_raw: append trusted markup as is. */
void cwmp__xw_raw(struct cwmp__xw *w, const char *s);
/* cwmp__xw_text: append s escaped for element content (NULL writes nothing). */
void cwmp__xw_text(struct cwmp__xw *w, const char *s);
/* cwmp__xw_open: `<name>` or, with attr != NULL, `<name attr="value">` (value escaped). */
void cwmp__xw_open(struct cwmp__xw *w, const char *name, const char *attr, const char *value);
/* cwmp__xw_close: `</name>` and a newline. */
void cwmp__xw_close(struct cwmp__xw *w, const char *name);
/* cwmp__xw_leaf: `<name>text</name>` (text escaped, NULL as empty). */
void cwmp__xw_leaf(struct cwmp__xw *w, const char *name, const char *text);
/* cwmp__xw_leaf_attr: `<name attr="value">text</name>`. */
void cwmp__xw_leaf_attr(struct cwmp__xw *w, const char *name, const char *attr, const char *value,
			const char *text);
void cwmp__xw_leaf_u32(struct cwmp__xw *w, const char *name, uint32_t v);
void cwmp__xw_leaf_int(struct cwmp__xw *w, const char *name, int v);
/* cwmp__xw_leaf_bool: xs:boolean in its canonical form, "true" or "false". */
void cwmp__xw_leaf_bool(struct cwmp__xw *w, const char *name, bool v);

#endif
