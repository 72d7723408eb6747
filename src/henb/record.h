/* record.h: the line syntax of henbd's state file: a type letter and space-separated escaped fields. */
#ifndef LF_HENB_RECORD_H
#define LF_HENB_RECORD_H

#include <stddef.h>

#include "common/buf.h"

#define HENB_RECORD_MAX_FIELDS 8

/* henb_record_put: append "<type> f1 f2 ...\n"; in fields, '\\', space, and control characters are escaped
 * (\\ \s \n \r \t \xHH) so a record is always one line. */
int henb_record_put(struct lf_buf *b, char type, const char *const *fields, size_t n);
/* henb_record_split: split one line (no newline) in place: *type gets the letter, fields point into line,
 * unescaped. LF_OK, or LF_EPARSE (bad escape, no type letter, more than max fields). */
int henb_record_split(char *line, char *type, char **fields, size_t max, size_t *n);

#endif
