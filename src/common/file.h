/* file.h: whole-file read with a cap, and atomic replace (temp file, fsync, rename, fsync dir). */
#ifndef LF_FILE_H
#define LF_FILE_H

#include <stddef.h>

#include "common/buf.h"

/* lf_file_read: append the file's bytes to b (b->max caps it: LF_ETOOBIG). */
int lf_file_read(const char *path, struct lf_buf *b);
/* lf_file_write_atomic: after return, path holds either its old content or all of data, never a mix,
 * even across a power cut. */
int lf_file_write_atomic(const char *path, const void *data, size_t len);

#endif
