/* fetch.c: resumable HTTP(S) GET into a file with libcurl's multi-socket API, driven by the agent's poll()
 * loop. A local file that already holds a prefix is continued with "Range: bytes=N-" (RFC 7233); a server that
 * answers 200 instead starts it over, a 206 that does not continue at N or a 416 that does not say "you have
 * it all" empties it. TLS is verified like the CWMP session's (CA file, host name). */
#include "henb/fetch.h"

#include <curl/curl.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "common/alloc.h"
#include "common/err.h"
#include "common/log.h"
#include "common/timeutil.h"

struct henb_fetch {
	struct henb_curlpoll poll; /* the multi handle and what it waits on */
	CURL *easy;
	int fd;
	uint64_t offset;           /* bytes in the local file */
	uint64_t received;         /* bytes this transfer wrote */
	uint64_t max_bytes;
	long status;               /* HTTP status of the final answer, once its body starts */
	bool answered;             /* the first body bytes were seen: status decided */
	bool discard;              /* an error page: its body is not the file */
	bool have_range;           /* Content-Range of the current answer */
	uint64_t range_start, range_total;
	bool have_total;
	bool too_big, io_error, restart; /* why our write callback aborted the transfer */
	bool done;
	enum henb_fetch_outcome outcome;
	char range[32];            /* the Range value we sent: curl keeps a pointer */
	char errbuf[CURL_ERROR_SIZE];
	char why[256];
};

/* Empty the local file: what we had does not belong to the file on the server. */
static int lf__truncate(struct henb_fetch *f)
{
	f->offset = 0;
	if (ftruncate(f->fd, 0) != 0 || lseek(f->fd, 0, SEEK_SET) != 0)
		return LF_EIO;
	return LF_OK;
}

/* CURLOPT_HEADERFUNCTION: the Content-Range of the answer (each answer of a redirect chain starts over). */
static size_t lf__on_header(char *p, size_t size, size_t n, void *ctx)
{
	struct henb_fetch *f = ctx;
	size_t len = size * n;
	char line[256];
	if (len >= 5 && memcmp(p, "HTTP/", 5) == 0) {
		f->have_range = f->have_total = false;
		return len;
	}
	if (len < 14 || len >= sizeof(line) || strncasecmp(p, "Content-Range:", 14) != 0)
		return len;
	memcpy(line, p + 14, len - 14);
	line[len - 14] = '\0';
	const char *s = line;
	while (*s == ' ' || *s == '\t')
		s++;
	if (strncmp(s, "bytes ", 6) != 0)
		return len;
	s += 6;
	char *end = NULL;
	if (*s == '*') {
		s++;
	} else {
		unsigned long long a = strtoull(s, &end, 10);
		if (end == s || *end != '-')
			return len;
		s = strchr(end, '/');
		if (!s)
			return len;
		f->range_start = a;
		f->have_range = true;
	}
	if (*s != '/')
		return len;
	s++;
	unsigned long long total = strtoull(s, &end, 10);
	if (end != s) {
		f->range_total = total;
		f->have_total = true;
	}
	return len;
}

/* The first body bytes of the final answer: decide what they are. false = abort the transfer. */
static bool lf__answer(struct henb_fetch *f)
{
	f->answered = true;
	curl_easy_getinfo(f->easy, CURLINFO_RESPONSE_CODE, &f->status);
	if (f->status == 206) {
		if (!f->have_range || f->range_start != f->offset) {
			/* Not the continuation we asked for: start over with the whole file. */
			f->restart = true;
			if (lf__truncate(f))
				f->io_error = true;
			return false;
		}
		return true;
	}
	if (f->status == 200) {
		if (f->offset > 0) {
			lf_info("fetch_no_range", "kept_bytes=%llu action=start_over", (unsigned long long)f->offset);
			if (lf__truncate(f)) {
				f->io_error = true;
				return false;
			}
		}
		return true;
	}
	f->discard = true; /* an error page or a 416 note */
	return true;
}

static size_t lf__on_body(char *p, size_t size, size_t n, void *ctx)
{
	struct henb_fetch *f = ctx;
	size_t len = size * n;
	if (!f->answered && !lf__answer(f))
		return 0;
	if (f->discard)
		return len;
	if (f->offset + len > f->max_bytes) {
		f->too_big = true;
		return 0;
	}
	size_t off = 0;
	while (off < len) {
		ssize_t w = write(f->fd, p + off, len - off);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0) {
			f->io_error = true;
			return 0;
		}
		off += (size_t)w;
	}
	f->offset += len;
	f->received += len;
	return len;
}

/* The URL without user:password@, for logs. */
static void lf__loggable_url(const char *url, char *out, size_t outlen)
{
	const char *scheme = strstr(url, "://");
	const char *host = scheme ? scheme + 3 : url;
	const char *slash = strchr(host, '/');
	const char *at = strchr(host, '@');
	if (at && (!slash || at < slash))
		snprintf(out, outlen, "%.*s%s", (int)(host - url), url, at + 1);
	else
		snprintf(out, outlen, "%s", url);
	for (char *c = out; *c; c++)
		if (*c == '"' || (unsigned char)*c < 0x20)
			*c = '?';
}

int henb_fetch_start(struct henb_fetch **out, const struct henb_fetch_opts *o, char *err, size_t errlen)
{
	struct henb_fetch *f = lf_calloc(1, sizeof(*f));
	char shown[300];
	int result = LF_OK;

	f->poll.timer_ms = -1;
	f->max_bytes = o->max_bytes;
	f->fd = open(o->path, O_WRONLY | O_CREAT | O_CLOEXEC, 0600);
	if (f->fd < 0) {
		snprintf(err, errlen, "cannot open %s: %s", o->path, strerror(errno));
		result = LF_EIO;
		goto out;
	}
	off_t have = lseek(f->fd, 0, SEEK_END);
	if (have < 0) {
		snprintf(err, errlen, "cannot seek %s: %s", o->path, strerror(errno));
		result = LF_EIO;
		goto out;
	}
	f->offset = (uint64_t)have;
	if (f->offset > f->max_bytes && lf__truncate(f)) {
		snprintf(err, errlen, "cannot empty %s: %s", o->path, strerror(errno));
		result = LF_EIO;
		goto out;
	}
	int pr = henb_curlpoll_init(&f->poll);
	f->easy = curl_easy_init();
	if (pr || !f->easy) {
		snprintf(err, errlen, "curl init failed");
		result = LF_ENOMEM;
		goto out;
	}

	CURL *c = f->easy;
	bool tls = strncmp(o->url, "https:", 6) == 0;
	curl_easy_setopt(c, CURLOPT_URL, o->url);
	curl_easy_setopt(c, CURLOPT_HTTPGET, 1L);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, lf__on_body);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, f);
	curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, lf__on_header);
	curl_easy_setopt(c, CURLOPT_HEADERDATA, f);
	curl_easy_setopt(c, CURLOPT_ERRORBUFFER, f->errbuf);
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(c, CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 1L);
	curl_easy_setopt(c, CURLOPT_MAXREDIRS, 5L);
	/* No overall time limit (an image over a slow link takes what it takes), but a stall ends it. */
	curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT, o->timeout_s);
	curl_easy_setopt(c, CURLOPT_LOW_SPEED_LIMIT, 1L);
	curl_easy_setopt(c, CURLOPT_LOW_SPEED_TIME, o->timeout_s);
	if (o->rate_limit)
		curl_easy_setopt(c, CURLOPT_MAX_RECV_SPEED_LARGE, (curl_off_t)o->rate_limit);
	curl_easy_setopt(c, CURLOPT_SSL_VERIFYPEER, 1L);
	curl_easy_setopt(c, CURLOPT_SSL_VERIFYHOST, 2L);
	curl_easy_setopt(c, CURLOPT_SSLVERSION, (long)CURL_SSLVERSION_TLSv1_2);
	if (o->ca_file && o->ca_file[0])
		curl_easy_setopt(c, CURLOPT_CAINFO, o->ca_file);
	if (o->client_cert && o->client_cert[0]) {
		curl_easy_setopt(c, CURLOPT_SSLCERT, o->client_cert);
		curl_easy_setopt(c, CURLOPT_SSLKEY, o->client_key && o->client_key[0] ? o->client_key : o->client_cert);
	}
	if (o->username && o->username[0]) {
		curl_easy_setopt(c, CURLOPT_USERNAME, o->username);
		curl_easy_setopt(c, CURLOPT_PASSWORD, o->password ? o->password : "");
		/* The password never crosses the network in clear text: Basic only inside TLS. */
		curl_easy_setopt(c, CURLOPT_HTTPAUTH, tls ? (long)(CURLAUTH_DIGEST | CURLAUTH_BASIC) : (long)CURLAUTH_DIGEST);
	}
	if (f->offset > 0) {
		/* CURLOPT_RANGE rather than RESUME_FROM: we judge 200 / 206 / 416 ourselves. */
		snprintf(f->range, sizeof(f->range), "%llu-", (unsigned long long)f->offset);
		curl_easy_setopt(c, CURLOPT_RANGE, f->range);
	}
	if (curl_multi_add_handle(f->poll.multi, f->easy) != CURLM_OK) {
		snprintf(err, errlen, "cannot start the transfer");
		result = LF_ENOMEM;
		goto out;
	}
	lf__loggable_url(o->url, shown, sizeof(shown));
	lf_info("fetch_start", "url=\"%s\" offset=%llu rate_limit=%llu", shown, (unsigned long long)f->offset,
		(unsigned long long)o->rate_limit);
out:
	if (result) {
		henb_fetch_free(&f);
		return result;
	}
	*out = f;
	return LF_OK;
}

size_t henb_fetch_pollfds(const struct henb_fetch *f, struct pollfd *p, size_t max)
{
	return f && !f->done ? henb_curlpoll_fds(&f->poll, p, max) : 0;
}

int64_t henb_fetch_deadline(const struct henb_fetch *f)
{
	return f && !f->done ? f->poll.timer_ms : -1;
}

static bool lf__no_contact(CURLcode rc)
{
	switch (rc) {
	case CURLE_COULDNT_RESOLVE_HOST:
	case CURLE_COULDNT_RESOLVE_PROXY:
	case CURLE_COULDNT_CONNECT:
	case CURLE_SSL_CONNECT_ERROR:
	case CURLE_PEER_FAILED_VERIFICATION:
	case CURLE_SSL_CERTPROBLEM:
	case CURLE_SSL_CACERT_BADFILE:
	case CURLE_SSL_CIPHER:
	case CURLE_UNSUPPORTED_PROTOCOL:
	case CURLE_URL_MALFORMAT: return true;
	default: return false;
	}
}

/* The transfer is over with curl's code rc: decide the outcome. */
static void lf__finish(struct henb_fetch *f, CURLcode rc)
{
	f->done = true;
	if (!f->answered)
		curl_easy_getinfo(f->easy, CURLINFO_RESPONSE_CODE, &f->status);
	if (rc == CURLE_WRITE_ERROR && (f->too_big || f->io_error || f->restart)) {
		f->outcome = f->io_error ? HENB_FETCH_IO : f->too_big ? HENB_FETCH_TOO_BIG : HENB_FETCH_RESTART;
		snprintf(f->why, sizeof(f->why), "%s",
			 f->io_error  ? "cannot write the local file"
			 : f->too_big ? "the server sends more bytes than the file may have"
				      : "the server's file does not continue the partial download");
		return;
	}
	if (rc == CURLE_OK) {
		if (f->status == 200 || f->status == 206) {
			if (!f->answered && f->status == 200 && f->offset > 0 && lf__truncate(f)) {
				/* An empty file where we had a prefix: it is empty now. */
				f->outcome = HENB_FETCH_IO;
				snprintf(f->why, sizeof(f->why), "cannot empty the local file");
				return;
			}
			if (f->status == 206 && f->have_total && f->offset != f->range_total) {
				f->outcome = HENB_FETCH_INTERRUPTED;
				snprintf(f->why, sizeof(f->why), "the server sent %llu of %llu bytes",
					 (unsigned long long)f->offset, (unsigned long long)f->range_total);
				return;
			}
			f->outcome = HENB_FETCH_DONE;
			fdatasync(f->fd);
			return;
		}
		if (f->status == 416) {
			if (f->have_total && f->range_total == f->offset && f->offset > 0) {
				f->outcome = HENB_FETCH_DONE; /* we already have all of it */
				return;
			}
			f->outcome = lf__truncate(f) ? HENB_FETCH_IO : HENB_FETCH_RESTART;
			snprintf(f->why, sizeof(f->why), "the server's file is shorter than the partial download");
			return;
		}
		f->outcome = f->status == 401 ? HENB_FETCH_AUTH : HENB_FETCH_NO_ACCESS;
		snprintf(f->why, sizeof(f->why), "the file server answered HTTP %ld", f->status);
		return;
	}
	snprintf(f->why, sizeof(f->why), "%s", f->errbuf[0] ? f->errbuf : curl_easy_strerror(rc));
	if (rc == CURLE_TOO_MANY_REDIRECTS) {
		f->outcome = HENB_FETCH_NO_ACCESS;
	} else if (f->received == 0 && f->status == 0 && (lf__no_contact(rc) || rc == CURLE_OPERATION_TIMEDOUT)) {
		f->outcome = HENB_FETCH_NO_CONTACT;
	} else {
		f->outcome = HENB_FETCH_INTERRUPTED;
	}
}

bool henb_fetch_process(struct henb_fetch *f, const struct pollfd *p, size_t n, int64_t now_ms)
{
	if (f->done)
		return true;
	henb_curlpoll_drive(&f->poll, p, n, now_ms);
	CURLMsg *msg;
	int left;
	while ((msg = curl_multi_info_read(f->poll.multi, &left))) {
		if (msg->msg == CURLMSG_DONE && !f->done) {
			lf__finish(f, msg->data.result);
			curl_multi_remove_handle(f->poll.multi, f->easy);
		}
	}
	return f->done;
}

enum henb_fetch_outcome henb_fetch_result(const struct henb_fetch *f, const char **why, uint64_t *size,
					  uint64_t *received)
{
	*why = f->why;
	*size = f->offset;
	*received = f->received;
	return f->outcome;
}

void henb_fetch_free(struct henb_fetch **fp)
{
	struct henb_fetch *f = *fp;
	if (!f)
		return;
	if (f->easy && f->poll.multi && !f->done)
		curl_multi_remove_handle(f->poll.multi, f->easy);
	if (f->easy)
		curl_easy_cleanup(f->easy);
	henb_curlpoll_free(&f->poll);
	if (f->fd >= 0) {
		fdatasync(f->fd); /* a partial file worth resuming after a power cut */
		close(f->fd);
	}
	lf_free(f);
	*fp = NULL;
}
