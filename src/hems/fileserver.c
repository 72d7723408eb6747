/* fileserver.c: hands out registered files (firmware images) with resumable downloads (RFC 7233 byte ranges). */
#include "hems/fileserver.h"

#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/log.h"
#include "store/store.h"

static enum MHD_Result lf__text(struct MHD_Connection *c, unsigned status, const char *text, const char *range)
{
	struct MHD_Response *resp = MHD_create_response_from_buffer(strlen(text), (void *)(uintptr_t)text,
								    MHD_RESPMEM_MUST_COPY);
	if (!resp)
		return MHD_NO;
	MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, "text/plain");
	if (range)
		MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_RANGE, range);
	enum MHD_Result ret = MHD_queue_response(c, status, resp);
	MHD_destroy_response(resp);
	return ret;
}

/* Parse "bytes=a-b", "bytes=a-", "bytes=-n" against size. 1 = range set, 0 = no usable Range header (serve all),
 * -1 = unsatisfiable. Several ranges are not supported: the whole file is served instead, which RFC 7233 allows. */
static int lf__range(const char *hdr, uint64_t size, uint64_t *start, uint64_t *end)
{
	if (!hdr || strncmp(hdr, "bytes=", 6) != 0 || strchr(hdr, ','))
		return 0;
	const char *p = hdr + 6;
	char *e = NULL;
	if (*p == '-') {
		unsigned long long n = strtoull(p + 1, &e, 10);
		if (e == p + 1 || *e)
			return 0;
		if (n == 0 || size == 0)
			return -1;
		*start = n >= size ? 0 : size - n;
		*end = size - 1;
		return 1;
	}
	unsigned long long a = strtoull(p, &e, 10);
	if (e == p || *e != '-')
		return 0;
	p = e + 1;
	unsigned long long b = size ? size - 1 : 0;
	if (*p) {
		b = strtoull(p, &e, 10);
		if (*e || b < a)
			return 0;
		if (b >= size)
			b = size - 1;
	}
	if (a >= size)
		return -1;
	*start = a;
	*end = b;
	return 1;
}

enum MHD_Result hems_files_serve(struct hems *h, struct MHD_Connection *c, const char *url)
{
	const char *name = url + strlen(HEMS_FILES_PREFIX);
	struct store_file f;
	struct stat st;
	char range_hdr[96];
	if (store_file_get(h->store, name, &f) != 0)
		return lf__text(c, MHD_HTTP_NOT_FOUND, "no such file\n", NULL);
	int fd = open(f.path, O_RDONLY | O_CLOEXEC);
	if (fd < 0 || fstat(fd, &st) != 0) {
		if (fd >= 0)
			close(fd);
		lf_error("file_unreadable", "name=%s path=%s", f.name, f.path);
		return lf__text(c, MHD_HTTP_NOT_FOUND, "file registered but unreadable\n", NULL);
	}
	uint64_t size = (uint64_t)st.st_size, start = 0, end = size ? size - 1 : 0;
	int r = lf__range(MHD_lookup_connection_value(c, MHD_HEADER_KIND, MHD_HTTP_HEADER_RANGE), size, &start, &end);
	if (r < 0) {
		close(fd);
		snprintf(range_hdr, sizeof(range_hdr), "bytes */%" PRIu64, size);
		return lf__text(c, MHD_HTTP_RANGE_NOT_SATISFIABLE, "range not satisfiable\n", range_hdr);
	}
	uint64_t len = r ? end - start + 1 : size;
	/* MHD closes fd when the response is destroyed. */
	struct MHD_Response *resp = MHD_create_response_from_fd_at_offset64(len, fd, r ? start : 0);
	if (!resp) {
		close(fd);
		return MHD_NO;
	}
	MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, "application/octet-stream");
	MHD_add_response_header(resp, MHD_HTTP_HEADER_ACCEPT_RANGES, "bytes");
	if (r) {
		snprintf(range_hdr, sizeof(range_hdr), "bytes %" PRIu64 "-%" PRIu64 "/%" PRIu64, start, end, size);
		MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_RANGE, range_hdr);
	}
	lf_info("file_served", "name=%s bytes=%" PRIu64 " offset=%" PRIu64, f.name, len, r ? start : 0);
	enum MHD_Result ret = MHD_queue_response(c, r ? MHD_HTTP_PARTIAL_CONTENT : MHD_HTTP_OK, resp);
	MHD_destroy_response(resp);
	return ret;
}
