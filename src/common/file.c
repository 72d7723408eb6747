/* file.c: file helpers; atomic replace is how henbd persists its config, alarms and boot state. */
#include "common/file.h"

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "common/err.h"

int lf_file_read(const char *path, struct lf_buf *b)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return errno == ENOENT ? LF_ENOTFOUND : LF_EIO;
	int result = LF_OK;
	char chunk[8192];
	for (;;) {
		ssize_t n = read(fd, chunk, sizeof(chunk));
		if (n < 0) {
			if (errno == EINTR)
				continue;
			result = LF_EIO;
			break;
		}
		if (n == 0)
			break;
		result = lf_buf_append(b, chunk, (size_t)n);
		if (result)
			break;
	}
	close(fd);
	return result;
}

static int lf__write_all(int fd, const char *p, size_t len)
{
	while (len) {
		ssize_t n = write(fd, p, len);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return LF_EIO;
		}
		p += n;
		len -= (size_t)n;
	}
	return LF_OK;
}

int lf_file_write_atomic(const char *path, const void *data, size_t len)
{
	char tmp[4096];
	char dir[4096];
	int n = snprintf(tmp, sizeof(tmp), "%s.tmp.%ld", path, (long)getpid());
	if (n < 0 || (size_t)n >= sizeof(tmp))
		return LF_EINVAL;
	int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0)
		return LF_EIO;
	int result = lf__write_all(fd, data, len);
	if (!result && fsync(fd) != 0)
		result = LF_EIO;
	if (close(fd) != 0 && !result)
		result = LF_EIO;
	if (!result && rename(tmp, path) != 0)
		result = LF_EIO;
	if (result) {
		unlink(tmp);
		return result;
	}
	/* The rename is durable only once the directory entry is. */
	snprintf(dir, sizeof(dir), "%s", path);
	int dfd = open(dirname(dir), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd >= 0) {
		fsync(dfd);
		close(dfd);
	}
	return LF_OK;
}
