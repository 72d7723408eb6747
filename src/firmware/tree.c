/* tree.c: walk, remove, fsync and write-protect directory trees without ever following a symlink. */
#include "firmware/tree.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "common/err.h"
#include "firmware/manifest.h"

/* Deeper than any tree we write (paths are at most FW_PATH_MAX bytes); bounds the recursion of remove. */
#define FW__MAX_DEPTH 200

int fw__join(char *out, size_t outlen, const char *a, const char *b)
{
	int n = snprintf(out, outlen, "%s/%s", a, b);
	if (n < 0 || (size_t)n >= outlen)
		return LF_ETOOBIG;
	return LF_OK;
}

/* Walk the directory open at dfd (the fd is consumed); rel holds the relative path of that directory. */
static int fw__walk_fd(int dfd, char *rel, size_t rlen, fw__walk_fn fn, void *ctx, char *toolong)
{
	DIR *d = fdopendir(dfd);
	int result = LF_OK;
	if (!d) {
		close(dfd);
		return LF_EIO;
	}
	for (;;) {
		errno = 0;
		struct dirent *e = readdir(d);
		if (!e) {
			if (errno)
				result = LF_EIO;
			break;
		}
		if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
			continue;
		size_t nlen = strlen(e->d_name);
		size_t newlen = rlen + (rlen ? 1 : 0) + nlen;
		if (newlen > FW_PATH_MAX) {
			if (toolong)
				snprintf(toolong, FW_PATH_MAX + 2, "%s%s%s", rel, rlen ? "/" : "", e->d_name);
			result = LF_ETOOBIG;
			break;
		}
		if (rlen)
			rel[rlen] = '/';
		memcpy(rel + rlen + (rlen ? 1 : 0), e->d_name, nlen + 1);
		struct stat st;
		if (fstatat(dirfd(d), e->d_name, &st, AT_SYMLINK_NOFOLLOW) != 0) {
			result = LF_EIO;
			break;
		}
		result = fn(rel, &st, ctx);
		if (!result && S_ISDIR(st.st_mode)) {
			int sub = openat(dirfd(d), e->d_name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
			result = sub < 0 ? LF_EIO : fw__walk_fd(sub, rel, newlen, fn, ctx, toolong);
		}
		rel[rlen] = '\0';
		if (result)
			break;
	}
	closedir(d);
	return result;
}

int fw__tree_walk(const char *dir, fw__walk_fn fn, void *ctx, char *toolong)
{
	char rel[FW_PATH_MAX + 2] = "";
	/* dir itself may be reached through a link (callers check it when that matters); nothing below it. */
	int dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd < 0)
		return errno == ENOENT ? LF_ENOTFOUND : LF_EIO;
	return fw__walk_fd(dfd, rel, 0, fn, ctx, toolong);
}

/* Remove name (relative to dfd) and its content. */
static int fw__remove_at(int dfd, const char *name, int depth)
{
	struct stat st;
	if (fstatat(dfd, name, &st, AT_SYMLINK_NOFOLLOW) != 0)
		return errno == ENOENT ? LF_OK : LF_EIO;
	if (!S_ISDIR(st.st_mode))
		return unlinkat(dfd, name, 0) == 0 || errno == ENOENT ? LF_OK : LF_EIO;
	if (depth > FW__MAX_DEPTH)
		return LF_EIO;
	/* A write-protected directory (the failsafe slot) must become writable to be emptied. */
	if ((st.st_mode & 0700) != 0700)
		fchmodat(dfd, name, 0700, 0);
	int sub = openat(dfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (sub < 0)
		return LF_EIO;
	DIR *d = fdopendir(sub);
	if (!d) {
		close(sub);
		return LF_EIO;
	}
	int result = LF_OK;
	for (;;) {
		errno = 0;
		struct dirent *e = readdir(d);
		if (!e) {
			if (errno)
				result = LF_EIO;
			break;
		}
		if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
			continue;
		result = fw__remove_at(dirfd(d), e->d_name, depth + 1);
		if (result)
			break;
	}
	closedir(d);
	if (!result && unlinkat(dfd, name, AT_REMOVEDIR) != 0 && errno != ENOENT)
		result = LF_EIO;
	return result;
}

int fw__tree_remove(const char *path)
{
	return fw__remove_at(AT_FDCWD, path, 0);
}

int fw__fsync_path(const char *path)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return LF_EIO;
	int result = fsync(fd) == 0 ? LF_OK : LF_EIO;
	close(fd);
	return result;
}

struct fw__base {
	const char *base;
};

static int fw__fsync_one(const char *rel, const struct stat *st, void *ctx)
{
	const struct fw__base *b = ctx;
	char path[PATH_MAX];
	if (!S_ISDIR(st->st_mode))
		return LF_OK;
	if (fw__join(path, sizeof(path), b->base, rel))
		return LF_ETOOBIG;
	return fw__fsync_path(path);
}

int fw__tree_fsync(const char *dir)
{
	struct fw__base b = {dir};
	int result = fw__tree_walk(dir, fw__fsync_one, &b, NULL);
	if (result)
		return result;
	return fw__fsync_path(dir);
}

static int fw__readonly_one(const char *rel, const struct stat *st, void *ctx)
{
	const struct fw__base *b = ctx;
	char path[PATH_MAX];
	if (fw__join(path, sizeof(path), b->base, rel))
		return LF_ETOOBIG;
	mode_t mode;
	if (S_ISDIR(st->st_mode))
		mode = 0555;
	else if (S_ISREG(st->st_mode))
		mode = (st->st_mode & 0111) ? 0555 : 0444;
	else
		return LF_OK;
	return chmod(path, mode) == 0 ? LF_OK : LF_EIO;
}

int fw__tree_readonly(const char *dir)
{
	struct fw__base b = {dir};
	int result = fw__tree_walk(dir, fw__readonly_one, &b, NULL);
	if (result)
		return result;
	return chmod(dir, 0555) == 0 ? LF_OK : LF_EIO;
}

int fw__mkdirs(const char *base, const char *rel)
{
	char path[PATH_MAX];
	if (fw__join(path, sizeof(path), base, rel))
		return LF_ETOOBIG;
	size_t blen = strlen(base);
	/* Create each directory of rel's parents in turn: "base/a", "base/a/b"... (not the file itself). */
	for (char *p = path + blen + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		int rc = mkdir(path, 0755);
		int e = errno;
		*p = '/';
		if (rc != 0 && e != EEXIST)
			return LF_EIO;
	}
	return LF_OK;
}
