/* fuzz_fm_json.c: the northbound interface's inputs: FaultMnS PATCH bodies, subscription bodies (and the filters
 * they yield, matched against notifications), alarm list query strings and measure requests. Each is accepted or
 * refused with a reason; what is accepted is consistent. The first byte picks the input. */
#include <jansson.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "common/alloc.h"
#include "hems/enforcement.h"
#include "hems/fm_nbi.h"
#include "store/store.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define LF_MAX_PAIRS 16

/* A query string "k=v&k=v" as the HTTP front would hand it over (already split and decoded). */
struct lf__query {
	char *key[LF_MAX_PAIRS];
	char *value[LF_MAX_PAIRS];
	int n;
};

static const char *lf__lookup(void *ctx, const char *key)
{
	struct lf__query *q = ctx;
	for (int i = 0; i < q->n; i++)
		if (strcmp(q->key[i], key) == 0)
			return q->value[i];
	return NULL;
}

static void lf__fuzz_query(const char *text)
{
	struct lf__query q = {.n = 0};
	char *copy = lf_strdup(text);
	for (char *save = NULL, *p = strtok_r(copy, "&", &save); p && q.n < LF_MAX_PAIRS;
	     p = strtok_r(NULL, "&", &save)) {
		char *eq = strchr(p, '=');
		if (!eq)
			continue;
		*eq = '\0';
		q.key[q.n] = p;
		q.value[q.n] = eq + 1;
		q.n++;
	}
	struct hems_fm_alarm_query aq;
	struct store_alarm_filter f;
	char err[256];
	if (hems_fm_query_parse(lf__lookup, &q, &aq, &f, err, sizeof(err)) == 0) {
		/* Accepted filters point into aq and are bounded. */
		if ((f.device_id && f.device_id != aq.device_id) || (f.since && strlen(f.since) >= sizeof(aq.since)) ||
		    aq.limit < 1 || aq.limit > HEMS_FM_MAX_LIMIT || f.acked < -1 || f.acked > 1)
			__builtin_trap();
	} else if (!err[0]) {
		__builtin_trap(); /* a refusal always says why */
	}
	lf_free(copy);
}

static void lf__fuzz_subscription(const char *body, size_t len)
{
	char url[STORE_MAX_CALLBACK], filter[STORE_MAX_FILTER], err[256];
	if (hems_fm_subscription_parse(body, len, url, sizeof(url), filter, sizeof(filter), err, sizeof(err))) {
		if (!err[0])
			__builtin_trap();
		return;
	}
	/* The stored filter is valid JSON, and parsing it again as a subscription's filter gives the same text. */
	json_t *f = json_loads(filter, 0, NULL);
	if (!json_is_object(f))
		__builtin_trap();
	json_t *again = json_pack("{s:s, s:O}", "consumerReference", url, "filter", f);
	char *text = json_dumps(again, JSON_COMPACT);
	char url2[STORE_MAX_CALLBACK], filter2[STORE_MAX_FILTER];
	if (!text ||
	    hems_fm_subscription_parse(text, strlen(text), url2, sizeof(url2), filter2, sizeof(filter2), err,
	                               sizeof(err)) ||
	    strcmp(filter, filter2) != 0 || strcmp(url, url2) != 0)
		__builtin_trap();
	free(text);
	json_decref(again);
	/* Matching never fails on odd notifications. */
	static const char *const bodies[] = {
	    "{\"alarmType\":\"INTEGRITY_VIOLATION\",\"perceivedSeverity\":\"MAJOR\"}",
	    "{\"alarmType\":7,\"perceivedSeverity\":null}",
	    "{}",
	    "[]",
	};
	for (size_t i = 0; i < sizeof(bodies) / sizeof(bodies[0]); i++) {
		json_t *b = json_loads(bodies[i], 0, NULL);
		hems_fm_filter_match(f, "notifyNewAlarm", "000FB7-X-1", b);
		hems_fm_filter_match(f, "notifyDeviceBlocked", "", b);
		json_decref(b);
	}
	json_decref(f);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	char *text = lf_strndup((const char *)data + 1, size - 1);
	size_t len = strlen(text);
	char err[256], a[64], b[256];
	switch (data[0] % 5) {
	case 0: {
		struct hems_fm_patch p;
		if (hems_fm_patch_parse(text, len, &p, err, sizeof(err)) == 0 &&
		    (p.kind > HEMS_FM_CLEAR || strlen(p.user) >= sizeof(p.user)))
			__builtin_trap();
		break;
	}
	case 1:
		lf__fuzz_subscription(text, len);
		break;
	case 2:
		lf__fuzz_query(text);
		break;
	case 3:
		if (hems_enforcement_parse(text, len, a, sizeof(a), b, sizeof(b), err, sizeof(err)) == 0 &&
		    (!a[0] || strlen(b) >= sizeof(b)))
			__builtin_trap();
		break;
	default: {
		/* A filter from the input against a notification from the input (split at the first newline). */
		char *nl = strchr(text, '\n');
		if (nl)
			*nl = '\0';
		json_t *f = json_loads(text, 0, NULL);
		json_t *body = nl ? json_loads(nl + 1, 0, NULL) : NULL;
		hems_fm_filter_match(f, "notifyNewAlarm", "dev", body);
		json_decref(f);
		json_decref(body);
		break;
	}
	}
	lf_free(text);
	return 0;
}
