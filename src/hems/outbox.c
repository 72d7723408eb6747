/* outbox.c: northbound delivery worker: every outbox row to every matching subscription, in order, at least once.
 *
 * Why a thread and not the event loop: a subscriber can take up to outbox.timeout to answer, or not answer at
 * all, and the CWMP sessions on the loop must not wait for it. The thread owns its store connection and a curl
 * multi handle, so every subscriber has at most one POST in flight and a slow or dead one delays nobody else.
 *
 * Delivery state is one cursor per subscription (nbi_subscriptions.cursor): every row up to it was answered 2xx
 * or does not match the subscription's filter. The cursor moves only after the 2xx, so delivery is in outbox
 * order per subscriber, and after a crash (kill -9) hemsd resends exactly the rows past the cursor: at most the
 * one that was in flight was already received, and its notificationId (= the outbox row id) lets the consumer
 * drop it. A failed POST (connection refused, timeout, non-2xx) is retried after an exponential backoff
 * (outbox.retry_min_ms doubling up to outbox.retry_max, randomised) for as long as it takes. */
#include "hems/outbox.h"

#include <curl/curl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "common/alloc.h"
#include "common/err.h"
#include "common/log.h"
#include "common/random.h"
#include "common/timeutil.h"
#include "hems/enforcement.h"
#include "hems/fm_nbi.h"

#define LF_SCAN_BATCH 100   /* rows read per look at a subscription */
#define LF_POLL_MS 200      /* longest sleep: new rows are found this fast without a kick */
#define LF_RELOAD_MS 1000   /* subscriptions are re-read this often (and at each kick) */
#define LF_MAX_ANSWER 65536 /* bytes of a subscriber's answer kept (and then ignored) */

struct lf__sub {
	struct store_subscription s; /* s.cursor: in memory, never behind the stored one */
	json_t *filter;
	int filter_needs_body; /* the filter looks at alarmType / perceivedSeverity */
	int targeted_only;     /* a webhook adapter: only rows addressed to it */
	int internal;          /* read inside hemsd, never POSTed */
	int seen;              /* mark of the last reload */
	CURL *easy;            /* the POST in flight, or NULL */
	struct curl_slist *headers;
	char *payload;
	int64_t row_id;     /* the row in flight */
	int64_t measure_id; /* webhook: the measure the row carries */
	int64_t next_ms;    /* monotonic ms before which no attempt is made */
	unsigned failures;  /* consecutive, for the backoff */
	char errbuf[CURL_ERROR_SIZE];
};

struct hems_outbox {
	struct hems *h;
	pthread_t thread;
	pthread_mutex_t lock;
	int stop;            /* under lock */
	int kicked;          /* under lock */
	struct store *store; /* the worker's own connection */
	CURLM *multi;
	struct lf__sub **subs;
	size_t n;
	long timeout_s;
	int64_t retry_min_ms, retry_max_ms;
	char ca_file[512];
	int64_t reload_ms;
};

static int64_t lf__wall_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

char *hems_outbox_payload(const struct store_outbox_row *row)
{
	json_t *b = json_loads(row->body ? row->body : "", 0, NULL);
	if (!json_is_object(b)) {
		/* Never expected (hemsd writes the bodies); deliver what there is rather than block the queue. */
		json_decref(b);
		b = json_pack("{s:s, s:s}", "notificationType", row->type, "raw", row->body ? row->body : "");
	}
	json_object_set_new(b, "notificationId", json_integer(row->id));
	char *text = json_dumps(b, JSON_COMPACT | JSON_SORT_KEYS);
	json_decref(b);
	return text;
}

static size_t lf__discard(char *p, size_t size, size_t n, void *ctx)
{
	return size * n;
}

static void lf__release(struct hems_outbox *w, struct lf__sub *sub)
{
	if (sub->easy) {
		curl_multi_remove_handle(w->multi, sub->easy);
		curl_easy_cleanup(sub->easy);
		sub->easy = NULL;
	}
	curl_slist_free_all(sub->headers);
	sub->headers = NULL;
	free(sub->payload); /* jansson allocated it */
	sub->payload = NULL;
	sub->row_id = 0;
	sub->measure_id = 0;
}

static void lf__sub_free(struct hems_outbox *w, struct lf__sub *sub)
{
	lf__release(w, sub);
	json_decref(sub->filter);
	lf_free(sub);
}

static void lf__sub_set(struct lf__sub *sub, const struct store_subscription *s)
{
	int64_t cursor = sub->s.cursor;
	int changed = strcmp(sub->s.filter, s->filter) != 0 || !sub->filter;
	sub->s = *s;
	if (cursor > sub->s.cursor)
		sub->s.cursor = cursor;
	if (changed) {
		json_decref(sub->filter);
		sub->filter = json_loads(s->filter, 0, NULL);
	}
	sub->targeted_only = strncmp(s->owner, "enforcement:", 12) == 0;
	sub->internal = strncmp(s->consumer_reference, HEMS_OUTBOX_INTERNAL, strlen(HEMS_OUTBOX_INTERNAL)) == 0;
	sub->filter_needs_body =
	    json_object_get(sub->filter, "alarmTypes") || json_object_get(sub->filter, "perceivedSeverities");
}

static int lf__reload_one(void *ctx, const struct store_subscription *s)
{
	struct hems_outbox *w = ctx;
	for (size_t i = 0; i < w->n; i++)
		if (w->subs[i]->s.id == s->id) {
			w->subs[i]->seen = 1;
			lf__sub_set(w->subs[i], s);
			return 0;
		}
	struct lf__sub *sub = lf_calloc(1, sizeof(*sub));
	lf__sub_set(sub, s);
	sub->seen = 1;
	w->subs = lf_realloc(w->subs, (w->n + 1) * sizeof(*w->subs));
	w->subs[w->n++] = sub;
	if (!sub->internal)
		lf_info("delivery_subscriber", "subscription=%lld url=\"%s\" cursor=%lld", (long long)s->id,
		        s->consumer_reference, (long long)s->cursor);
	return 0;
}

/* Re-read the subscriptions: new ones join, deleted ones leave (a POST in flight to them is dropped). */
static void lf__reload(struct hems_outbox *w)
{
	for (size_t i = 0; i < w->n; i++)
		w->subs[i]->seen = 0;
	if (store_subscription_list(w->store, lf__reload_one, w))
		return; /* keep what we have; the next reload tries again */
	size_t k = 0;
	for (size_t i = 0; i < w->n; i++) {
		if (w->subs[i]->seen)
			w->subs[k++] = w->subs[i];
		else
			lf__sub_free(w, w->subs[i]);
	}
	w->n = k;
}

static int lf__matches(struct lf__sub *sub, const struct store_outbox_row *row)
{
	if (row->target)
		return row->target == sub->s.id;
	if (sub->targeted_only)
		return 0;
	json_t *body = sub->filter_needs_body ? json_loads(row->body ? row->body : "", 0, NULL) : NULL;
	int ok = hems_fm_filter_match(sub->filter, row->type, row->device_id, body);
	json_decref(body);
	return ok;
}

struct lf__scan {
	struct lf__sub *sub;
	int64_t skipped_to; /* the last row read that does not match */
	char *payload;      /* the first row that matches, ready to POST */
	int64_t row_id;
	int64_t measure_id;
};

static int lf__scan_row(void *ctx, const struct store_outbox_row *row)
{
	struct lf__scan *sc = ctx;
	if (!lf__matches(sc->sub, row)) {
		sc->skipped_to = row->id;
		return 0;
	}
	sc->payload = hems_outbox_payload(row);
	sc->row_id = row->id;
	if (sc->sub->targeted_only) {
		json_t *b = json_loads(row->body ? row->body : "", 0, NULL);
		json_t *m = json_object_get(b, "measureId");
		sc->measure_id = json_is_integer(m) ? json_integer_value(m) : 0;
		json_decref(b);
	}
	return 1; /* stop: one row in flight per subscriber */
}

static void lf__post(struct hems_outbox *w, struct lf__sub *sub)
{
	CURL *c = curl_easy_init();
	if (!c) {
		lf__release(w, sub);
		return;
	}
	sub->errbuf[0] = '\0';
	sub->headers = curl_slist_append(NULL, "Content-Type: application/json");
	sub->headers = curl_slist_append(sub->headers, "Expect:");
	curl_easy_setopt(c, CURLOPT_URL, sub->s.consumer_reference);
	curl_easy_setopt(c, CURLOPT_POST, 1L);
	curl_easy_setopt(c, CURLOPT_POSTFIELDS, sub->payload);
	curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE, (long)strlen(sub->payload));
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, sub->headers);
	curl_easy_setopt(c, CURLOPT_USERAGENT, "lifeline-hemsd/0.1 (northbound delivery)");
	curl_easy_setopt(c, CURLOPT_TIMEOUT, w->timeout_s);
	curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT, w->timeout_s < 10 ? w->timeout_s : 10L);
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 0L);
	curl_easy_setopt(c, CURLOPT_MAXFILESIZE, (long)LF_MAX_ANSWER);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, lf__discard);
	curl_easy_setopt(c, CURLOPT_ERRORBUFFER, sub->errbuf);
	curl_easy_setopt(c, CURLOPT_PRIVATE, sub);
	if (w->ca_file[0])
		curl_easy_setopt(c, CURLOPT_CAINFO, w->ca_file);
	sub->easy = c;
	if (curl_multi_add_handle(w->multi, c) != CURLM_OK)
		lf__release(w, sub);
}

/* Find the subscription's next row and POST it; rows its filter refuses move the cursor on. */
static void lf__next(struct hems_outbox *w, struct lf__sub *sub)
{
	struct lf__scan sc = {sub, 0, NULL, 0, 0};
	int result = store_outbox_after(w->store, sub->s.cursor, LF_SCAN_BATCH, lf__scan_row, &sc);
	if (result < 0) {
		free(sc.payload);
		return;
	}
	if (sc.payload) {
		sub->payload = sc.payload;
		sub->row_id = sc.row_id;
		sub->measure_id = sc.measure_id;
		lf__post(w, sub);
	} else if (sc.skipped_to > sub->s.cursor) {
		/* Nothing here for it: remember so a restart does not read these rows again. */
		sub->s.cursor = sc.skipped_to;
		store_subscription_advance(w->store, sub->s.id, sc.skipped_to, 0, lf__wall_ms());
	}
}

static int64_t lf__backoff_ms(struct hems_outbox *w, unsigned failures)
{
	int64_t wait = w->retry_min_ms;
	for (unsigned i = 1; i < failures && wait < w->retry_max_ms; i++)
		wait *= 2;
	if (wait > w->retry_max_ms)
		wait = w->retry_max_ms;
	/* Randomised within [3/4, 1] of the wait, so subscribers that failed together do not retry together. */
	return (int64_t)lf_random_range((uint64_t)(wait * 3 / 4), (uint64_t)wait);
}

static void lf__done(struct hems_outbox *w, CURL *easy, CURLcode cr)
{
	char *priv = NULL;
	long status = 0;
	char why[CURL_ERROR_SIZE + 64];
	curl_easy_getinfo(easy, CURLINFO_PRIVATE, &priv);
	struct lf__sub *sub = (struct lf__sub *)(void *)priv;
	if (!sub)
		return;
	if (cr == CURLE_OK)
		curl_easy_getinfo(easy, CURLINFO_RESPONSE_CODE, &status);
	int64_t row = sub->row_id, measure = sub->measure_id;
	if (cr == CURLE_OK && status >= 200 && status <= 299) {
		lf__release(w, sub);
		sub->s.cursor = row;
		sub->failures = 0;
		sub->next_ms = 0;
		store_subscription_advance(w->store, sub->s.id, row, 1, lf__wall_ms());
		lf_debug("delivered", "subscription=%lld notification=%lld status=%ld", (long long)sub->s.id,
		         (long long)row, status);
		if (measure) {
			snprintf(why, sizeof(why), "webhook %s answered HTTP %ld", sub->s.consumer_reference, status);
			hems_enforcement_delivered(w->h, measure, why);
		}
		return;
	}
	if (cr != CURLE_OK)
		snprintf(why, sizeof(why), "%s", sub->errbuf[0] ? sub->errbuf : curl_easy_strerror(cr));
	else
		snprintf(why, sizeof(why), "HTTP %ld", status);
	lf__release(w, sub);
	sub->failures++;
	int64_t wait = lf__backoff_ms(w, sub->failures);
	sub->next_ms = lf_now_ms() + wait;
	store_subscription_failed(w->store, sub->s.id, why, lf__wall_ms());
	lf_warn("delivery_failed",
	        "subscription=%lld notification=%lld url=\"%s\" error=\"%s\" failures=%u retry_ms=%lld",
	        (long long)sub->s.id, (long long)row, sub->s.consumer_reference, why, sub->failures, (long long)wait);
}

static void *lf__worker(void *arg)
{
	struct hems_outbox *w = arg;
	for (;;) {
		pthread_mutex_lock(&w->lock);
		int stop = w->stop, kicked = w->kicked;
		w->kicked = 0;
		pthread_mutex_unlock(&w->lock);
		if (stop)
			break;
		int64_t now = lf_now_ms();
		if (kicked || now - w->reload_ms >= LF_RELOAD_MS) {
			lf__reload(w);
			w->reload_ms = now;
		}
		int64_t last = 0, wait = LF_POLL_MS;
		store_outbox_last_id(w->store, &last);
		for (size_t i = 0; i < w->n; i++) {
			struct lf__sub *sub = w->subs[i];
			if (sub->easy || sub->internal || sub->s.cursor >= last)
				continue;
			if (now < sub->next_ms) {
				if (sub->next_ms - now < wait)
					wait = sub->next_ms - now;
				continue;
			}
			lf__next(w, sub);
		}
		int running = 0, left = 0, finished = 0;
		curl_multi_perform(w->multi, &running);
		CURLMsg *m;
		while ((m = curl_multi_info_read(w->multi, &left)))
			if (m->msg == CURLMSG_DONE) {
				lf__done(w, m->easy_handle, m->data.result);
				finished++;
			}
		/* A subscriber that just answered gets its next row at once: a backlog drains at the speed the
		 * subscriber answers, not one row per poll. */
		if (!finished)
			curl_multi_poll(w->multi, NULL, 0, (int)(wait > 0 ? wait : 1), NULL);
	}
	return NULL;
}

int hems_outbox_start(struct hems *h, char *err, size_t errlen)
{
	struct hems_outbox *w = lf_calloc(1, sizeof(*w));
	int result = store_open(h->cfg.store, &w->store, err, errlen);
	if (result) {
		lf_free(w);
		return result;
	}
	w->h = h;
	w->timeout_s = (long)h->cfg.outbox_timeout_s;
	w->retry_min_ms = h->cfg.outbox_retry_min_ms;
	w->retry_max_ms = h->cfg.outbox_retry_max_s * 1000;
	if (w->retry_min_ms > w->retry_max_ms)
		w->retry_min_ms = w->retry_max_ms;
	snprintf(w->ca_file, sizeof(w->ca_file), "%s", h->cfg.outbox_ca_file);
	w->multi = curl_multi_init();
	pthread_mutex_init(&w->lock, NULL);
	if (!w->multi || pthread_create(&w->thread, NULL, lf__worker, w) != 0) {
		snprintf(err, errlen, "cannot start the northbound delivery thread");
		if (w->multi)
			curl_multi_cleanup(w->multi);
		pthread_mutex_destroy(&w->lock);
		store_close(&w->store);
		lf_free(w);
		return LF_ENOMEM;
	}
	h->outbox = w;
	return LF_OK;
}

void hems_outbox_stop(struct hems *h)
{
	struct hems_outbox *w = h->outbox;
	if (!w)
		return;
	pthread_mutex_lock(&w->lock);
	w->stop = 1;
	pthread_mutex_unlock(&w->lock);
	curl_multi_wakeup(w->multi);
	pthread_join(w->thread, NULL);
	for (size_t i = 0; i < w->n; i++)
		lf__sub_free(w, w->subs[i]);
	lf_free(w->subs);
	curl_multi_cleanup(w->multi);
	pthread_mutex_destroy(&w->lock);
	store_close(&w->store);
	lf_free(w);
	h->outbox = NULL;
}

void hems_outbox_kick(struct hems *h)
{
	struct hems_outbox *w = h->outbox;
	if (!w)
		return;
	pthread_mutex_lock(&w->lock);
	w->kicked = 1;
	pthread_mutex_unlock(&w->lock);
	curl_multi_wakeup(w->multi);
}

/* ---------------------------------------------------------------- visibility (main thread) */

static void lf__iso_ms(int64_t ms, char *out, size_t outlen)
{
	lf_time_iso8601((time_t)(ms / 1000), out, outlen);
}

json_t *hems_outbox_subscription_json(struct hems *h, const struct store_subscription *s)
{
	char id[32], href[96], t[32];
	int64_t pending = 0, oldest = 0;
	snprintf(id, sizeof(id), "%lld", (long long)s->id);
	snprintf(href, sizeof(href), HEMS_FM_PREFIX "subscriptions/%s", id);
	store_outbox_pending(h->store, s->id, s->cursor, &pending, &oldest);
	json_t *filter = json_loads(s->filter, 0, NULL);
	lf_time_iso8601((time_t)s->created, t, sizeof(t));
	json_t *o = json_pack("{s:s, s:s, s:s, s:o, s:s, s:s}", "id", id, "href", href, "consumerReference",
	                      s->consumer_reference, "filter", filter ? filter : json_object(), "owner", s->owner,
	                      "created", t);
	json_t *d = json_pack("{s:I, s:I, s:I, s:I, s:I, s:I, s:s}", "cursor", (json_int_t)s->cursor, "pending",
	                      (json_int_t)pending, "lagSeconds",
	                      (json_int_t)(pending && oldest ? (int64_t)time(NULL) - oldest : 0), "delivered",
	                      (json_int_t)s->delivered, "failures", (json_int_t)s->failures, "failedTotal",
	                      (json_int_t)s->failed_total, "lastError", s->last_error);
	if (s->last_attempt) {
		lf__iso_ms(s->last_attempt, t, sizeof(t));
		json_object_set_new(d, "lastAttempt", json_string(t));
	}
	if (s->last_success) {
		lf__iso_ms(s->last_success, t, sizeof(t));
		json_object_set_new(d, "lastSuccess", json_string(t));
	}
	json_object_set_new(o, "delivery", d);
	return o;
}

struct lf__metrics_ctx {
	struct hems *h;
	struct lf_buf *b;
	int part;
	size_t n;
};

static int lf__metrics_sub(void *ctx, const struct store_subscription *s)
{
	struct lf__metrics_ctx *m = ctx;
	int64_t pending = 0, oldest = 0;
	m->n++;
	switch (m->part) {
	case 0:
		store_outbox_pending(m->h->store, s->id, s->cursor, &pending, &oldest);
		lf_buf_printf(m->b, "hems_nbi_delivery_pending{subscription=\"%lld\",owner=\"%s\"} %lld\n",
		              (long long)s->id, s->owner, (long long)pending);
		break;
	case 1:
		store_outbox_pending(m->h->store, s->id, s->cursor, &pending, &oldest);
		lf_buf_printf(m->b, "hems_nbi_delivery_lag_seconds{subscription=\"%lld\",owner=\"%s\"} %lld\n",
		              (long long)s->id, s->owner,
		              (long long)(pending && oldest ? (int64_t)time(NULL) - oldest : 0));
		break;
	case 2:
		lf_buf_printf(m->b, "hems_nbi_delivered_total{subscription=\"%lld\",owner=\"%s\"} %lld\n",
		              (long long)s->id, s->owner, (long long)s->delivered);
		break;
	case 3:
		lf_buf_printf(m->b, "hems_nbi_delivery_failures_total{subscription=\"%lld\",owner=\"%s\"} %lld\n",
		              (long long)s->id, s->owner, (long long)s->failed_total);
		break;
	default:
		lf_buf_printf(m->b, "hems_nbi_delivery_cursor{subscription=\"%lld\",owner=\"%s\"} %lld\n",
		              (long long)s->id, s->owner, (long long)s->cursor);
		break;
	}
	return 0;
}

void hems_outbox_metrics(struct hems *h, struct lf_buf *b)
{
	static const char *const head[] = {
	    "# HELP hems_nbi_delivery_pending Notifications past the subscription's cursor.\n"
	    "# TYPE hems_nbi_delivery_pending gauge\n",
	    "# HELP hems_nbi_delivery_lag_seconds Age of the oldest notification past the cursor.\n"
	    "# TYPE hems_nbi_delivery_lag_seconds gauge\n",
	    "# HELP hems_nbi_delivered_total Notifications acknowledged (2xx) by the subscriber.\n"
	    "# TYPE hems_nbi_delivered_total counter\n",
	    "# HELP hems_nbi_delivery_failures_total Failed delivery attempts (each is retried).\n"
	    "# TYPE hems_nbi_delivery_failures_total counter\n",
	    "# HELP hems_nbi_delivery_cursor Newest notification id acknowledged or filtered out.\n"
	    "# TYPE hems_nbi_delivery_cursor gauge\n",
	};
	int64_t last = 0;
	store_outbox_last_id(h->store, &last);
	lf_buf_printf(b,
	              "# HELP hems_outbox_last_id Newest northbound notification id.\n"
	              "# TYPE hems_outbox_last_id gauge\nhems_outbox_last_id %lld\n",
	              (long long)last);
	struct lf__metrics_ctx m = {h, b, 0, 0};
	for (m.part = 0; m.part < 5; m.part++) {
		lf_buf_puts(b, head[m.part]);
		store_subscription_list(h->store, lf__metrics_sub, &m);
	}
	lf_buf_printf(b,
	              "# HELP hems_nbi_subscriptions Subscriptions (NM, webhooks, policy).\n"
	              "# TYPE hems_nbi_subscriptions gauge\nhems_nbi_subscriptions %zu\n",
	              m.n / 5);
	hems_enforcement_metrics(h, b);
}

struct lf__nbi_ctx {
	struct hems *h;
	json_t *list;
	int64_t want;
	char *payload;
};

static int lf__nbi_sub(void *ctx, const struct store_subscription *s)
{
	struct lf__nbi_ctx *c = ctx;
	json_array_append_new(c->list, hems_outbox_subscription_json(c->h, s));
	return 0;
}

static int lf__nbi_row(void *ctx, const struct store_outbox_row *row)
{
	struct lf__nbi_ctx *c = ctx;
	char t[32];
	if (c->want) {
		if (row->id == c->want)
			c->payload = hems_outbox_payload(row);
		return 1;
	}
	lf_time_iso8601((time_t)row->created, t, sizeof(t));
	json_t *o = json_pack("{s:I, s:s, s:s, s:s, s:I, s:I}", "notificationId", (json_int_t)row->id, "created", t,
	                      "notificationType", row->type, "deviceId", row->device_id, "caseId",
	                      (json_int_t)row->case_id, "target", (json_int_t)row->target);
	json_array_append_new(c->list, o);
	return 0;
}

void hems_outbox_nbi(struct hems *h, const char *id, struct hems_reply *r)
{
	struct lf__nbi_ctx c = {h, NULL, 0, NULL};
	if (id) {
		char *end = NULL;
		long long v = strtoll(id, &end, 10);
		if (!id[0] || !end || *end || v <= 0) {
			hems_fm_reply_problem(r, 400, "Bad Request", "notification id must be a positive integer");
			return;
		}
		c.want = v;
		store_outbox_after(h->store, v - 1, 1, lf__nbi_row, &c);
		json_t *doc = c.payload ? json_loads(c.payload, 0, NULL) : NULL;
		free(c.payload);
		if (!doc) {
			hems_fm_reply_problem(r, 404, "Not Found", "no such notification");
			return;
		}
		hems_fm_reply_json(r, 200, doc);
		return;
	}
	int64_t last = 0;
	store_outbox_last_id(h->store, &last);
	json_t *recent = json_array();
	c.list = recent;
	store_outbox_after(h->store, last > 20 ? last - 20 : 0, 20, lf__nbi_row, &c);
	json_t *subs = json_array();
	c.list = subs;
	store_subscription_list(h->store, lf__nbi_sub, &c);
	hems_fm_reply_json(
	    r, 200, json_pack("{s:I, s:o, s:o}", "lastId", (json_int_t)last, "recent", recent, "subscriptions", subs));
}
