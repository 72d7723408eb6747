/* connreq.c: connection request worker: HTTP GET with Digest, then UDP (Annex G) when HTTP cannot reach the device. */
#include "hems/connreq.h"

#include <curl/curl.h>
#include <netdb.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "common/alloc.h"
#include "common/err.h"
#include "common/log.h"
#include "common/random.h"
#include "cwmp/udp_connreq.h"
#include "store/store.h"

#define LF_CR_QUEUE 4096

struct lf__cr_job {
	char device_id[STORE_MAX_ID];
	char url[STORE_MAX_URL];
	char udp_addr[STORE_MAX_URL];
	struct store_credentials cred;
};

struct hems_connreq {
	pthread_t thread;
	pthread_mutex_t lock;
	pthread_cond_t wake;
	struct lf__cr_job *ring; /* bounded queue, owned by the lock */
	size_t head, count;
	int stop;
	struct store *store; /* the worker's own connection */
	long timeout_s;
	int udp_repeats;
	uint64_t next_id;
};

static size_t lf__discard(char *p, size_t size, size_t n, void *ctx)
{
	return size * n;
}

/* HTTP connection request: 200 or 204 is success (TR-069 3.2.2). */
static int lf__http(struct hems_connreq *w, const struct lf__cr_job *j, char *res, size_t reslen)
{
	long status = 0;
	CURL *c = curl_easy_init();
	if (!c) {
		snprintf(res, reslen, "http: no curl handle");
		return LF_ENOMEM;
	}
	curl_easy_setopt(c, CURLOPT_URL, j->url);
	curl_easy_setopt(c, CURLOPT_HTTPGET, 1L);
	curl_easy_setopt(c, CURLOPT_TIMEOUT, w->timeout_s);
	curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT, w->timeout_s);
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, lf__discard);
	if (j->cred.cr_username[0]) {
		curl_easy_setopt(c, CURLOPT_USERNAME, j->cred.cr_username);
		curl_easy_setopt(c, CURLOPT_PASSWORD, j->cred.cr_password);
		curl_easy_setopt(c, CURLOPT_HTTPAUTH, (long)CURLAUTH_DIGEST);
	}
	CURLcode rc = curl_easy_perform(c);
	if (rc == CURLE_OK)
		curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
	curl_easy_cleanup(c);
	if (rc != CURLE_OK) {
		snprintf(res, reslen, "http failed: %s", curl_easy_strerror(rc));
		return LF_ENET;
	}
	snprintf(res, reslen, "http %ld", status);
	return (status == 200 || status == 204) ? LF_OK : (status == 401 ? LF_EAUTH : LF_ENET);
}

/* UDP connection request: the same signed datagram several times, since UDP may lose it. */
static int lf__udp(struct hems_connreq *w, const struct lf__cr_job *j, char *res, size_t reslen)
{
	char host[256], dgram[CWMP_UDP_CR_MAX + 1], cn[17];
	const char *port = "80";
	size_t len;
	snprintf(host, sizeof(host), "%s", j->udp_addr);
	char *colon = strrchr(host, ':');
	if (colon) {
		*colon = '\0';
		port = colon + 1;
	}
	lf_random_hex(cn, 8);
	int result = cwmp_udp_cr_build(dgram, sizeof(dgram), &len, j->udp_addr, (uint64_t)time(NULL), w->next_id++,
				       j->cred.cr_username[0] ? j->cred.cr_username : "-", cn, j->cred.cr_password);
	if (result) {
		snprintf(res, reslen, "udp: cannot build request (%s)", lf_strerror(result));
		return result;
	}
	struct addrinfo hints = {.ai_family = AF_UNSPEC, .ai_socktype = SOCK_DGRAM}, *ai = NULL;
	if (getaddrinfo(host, port, &hints, &ai) != 0 || !ai) {
		snprintf(res, reslen, "udp: cannot resolve %s", j->udp_addr);
		return LF_ENET;
	}
	int fd = socket(ai->ai_family, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	int sent = 0;
	for (int i = 0; fd >= 0 && i < w->udp_repeats; i++) {
		if (sendto(fd, dgram, len, 0, ai->ai_addr, ai->ai_addrlen) == (ssize_t)len)
			sent++;
		if (i + 1 < w->udp_repeats)
			usleep(50 * 1000);
	}
	if (fd >= 0)
		close(fd);
	freeaddrinfo(ai);
	snprintf(res, reslen, "udp sent %d/%d to %s", sent, w->udp_repeats, j->udp_addr);
	return sent ? LF_OK : LF_ENET;
}

static void lf__run_job(struct hems_connreq *w, const struct lf__cr_job *j)
{
	char res[256] = "no address";
	int result = LF_ENOTFOUND;
	if (j->url[0])
		result = lf__http(w, j, res, sizeof(res));
	if (result && j->udp_addr[0]) {
		char http_res[128];
		snprintf(http_res, sizeof(http_res), "%s", res);
		result = lf__udp(w, j, res, sizeof(res));
		if (j->url[0]) {
			size_t n = strlen(res);
			snprintf(res + n, sizeof(res) - n, " (after %s)", http_res);
		}
	}
	if (result)
		lf_warn("connreq_failed", "device=%s result=\"%s\"", j->device_id, res);
	else
		lf_info("connreq_ok", "device=%s result=\"%s\"", j->device_id, res);
	store_conn_request_record(w->store, j->device_id, res, (int64_t)time(NULL));
}

static void *lf__worker(void *arg)
{
	struct hems_connreq *w = arg;
	struct lf__cr_job job;
	pthread_mutex_lock(&w->lock);
	for (;;) {
		while (!w->stop && w->count == 0)
			pthread_cond_wait(&w->wake, &w->lock);
		if (w->stop)
			break;
		job = w->ring[w->head];
		w->head = (w->head + 1) % LF_CR_QUEUE;
		w->count--;
		pthread_mutex_unlock(&w->lock);
		lf__run_job(w, &job);
		pthread_mutex_lock(&w->lock);
	}
	pthread_mutex_unlock(&w->lock);
	return NULL;
}

int hems_connreq_start(struct hems *h, char *err, size_t errlen)
{
	struct hems_connreq *w = lf_calloc(1, sizeof(*w));
	int result = store_open(h->cfg.store, &w->store, err, errlen);
	if (result) {
		lf_free(w);
		return result;
	}
	w->ring = lf_calloc(LF_CR_QUEUE, sizeof(*w->ring));
	w->timeout_s = (long)h->cfg.connreq_timeout_s;
	w->udp_repeats = (int)h->cfg.connreq_udp_repeats;
	lf_random_bytes(&w->next_id, sizeof(w->next_id));
	w->next_id &= 0xffffffffu; /* message ids stay readable */
	pthread_mutex_init(&w->lock, NULL);
	pthread_cond_init(&w->wake, NULL);
	if (pthread_create(&w->thread, NULL, lf__worker, w) != 0) {
		snprintf(err, errlen, "cannot start the connection request thread");
		store_close(&w->store);
		lf_free(w->ring);
		lf_free(w);
		return LF_ENOMEM;
	}
	h->connreq = w;
	return LF_OK;
}

void hems_connreq_stop(struct hems *h)
{
	struct hems_connreq *w = h->connreq;
	if (!w)
		return;
	pthread_mutex_lock(&w->lock);
	w->stop = 1;
	pthread_cond_signal(&w->wake);
	pthread_mutex_unlock(&w->lock);
	pthread_join(w->thread, NULL);
	pthread_mutex_destroy(&w->lock);
	pthread_cond_destroy(&w->wake);
	store_close(&w->store);
	lf_free(w->ring);
	lf_free(w);
	h->connreq = NULL;
}

struct lf__udp_lookup {
	char *out;
	size_t len;
};

static int lf__find_udp_addr(void *ctx, const char *name, const char *value, const char *type, int64_t updated)
{
	struct lf__udp_lookup *l = ctx;
	const char *dot = strchr(name, '.');
	if (dot && strcmp(dot + 1, "ManagementServer.UDPConnectionRequestAddress") == 0 && value)
		snprintf(l->out, l->len, "%s", value);
	return 0;
}

int hems_connreq_wake(struct hems *h, const char *device_id)
{
	struct hems_connreq *w = h->connreq;
	struct lf__cr_job job;
	struct store_device d;
	memset(&job, 0, sizeof(job));
	if (!w)
		return LF_EUNSUPPORTED;
	int result = store_device_get(h->store, device_id, &d);
	if (result)
		return result;
	snprintf(job.device_id, sizeof(job.device_id), "%s", device_id);
	snprintf(job.url, sizeof(job.url), "%s", d.conn_req_url);
	struct lf__udp_lookup l = {job.udp_addr, sizeof(job.udp_addr)};
	store_param_list(h->store, device_id, "", lf__find_udp_addr, &l);
	if (!job.url[0] && !job.udp_addr[0])
		return LF_ENOTFOUND;
	if (store_credentials_get(h->store, device_id, &job.cred) != LF_OK)
		memset(&job.cred, 0, sizeof(job.cred));
	pthread_mutex_lock(&w->lock);
	if (w->count == LF_CR_QUEUE) {
		pthread_mutex_unlock(&w->lock);
		lf_warn("connreq_dropped", "device=%s reason=queue_full", device_id);
		return LF_EBUSY;
	}
	w->ring[(w->head + w->count) % LF_CR_QUEUE] = job;
	w->count++;
	pthread_cond_signal(&w->wake);
	pthread_mutex_unlock(&w->lock);
	return LF_OK;
}
