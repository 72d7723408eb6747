/* tree.h: directory-tree helpers shared by the image and slot code (internal: fw__ names). */
#ifndef FW_TREE_H
#define FW_TREE_H

#include <stddef.h>
#include <sys/stat.h>

/* fw__walk_fn: called with the path relative to the walked directory and the entry's lstat. Nonzero stops. */
typedef int (*fw__walk_fn)(const char *rel, const struct stat *st, void *ctx);

/* fw__tree_walk: call fn for every entry below dir (not dir itself), a directory before its content, never
 * following symlinks below dir. Returns fn's first nonzero result, LF_ETOOBIG for a path over FW_PATH_MAX bytes (the
 * path so far in toolong, if non-NULL, size FW_PATH_MAX + 2), LF_EIO/LF_ENOTFOUND if dir cannot be read. */
int fw__tree_walk(const char *dir, fw__walk_fn fn, void *ctx, char *toolong);

/* fw__tree_remove: remove path and everything below it (read-only directories included), never following
 * symlinks. LF_OK if path did not exist. */
int fw__tree_remove(const char *path);

/* fw__tree_fsync: fsync dir and every directory below it, so new entries survive a power cut. */
int fw__tree_fsync(const char *dir);

/* fw__tree_readonly: drop all write permission below and on dir (files 0444 or 0555, directories 0555). */
int fw__tree_readonly(const char *dir);

/* fw__mkdirs: create the missing parent directories (0755) of the relative file path rel below base. */
int fw__mkdirs(const char *base, const char *rel);

/* fw__fsync_path: fsync a file or directory by name. */
int fw__fsync_path(const char *path);

/* fw__join: out = "a/b"; LF_ETOOBIG if it does not fit in outlen. */
int fw__join(char *out, size_t outlen, const char *a, const char *b);

#endif
