/* hemsctl.c: the operator's command line over hemsd's northbound interface (never opens the database itself). */
#include <curl/curl.h>
#include <getopt.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "common/buf.h"

#define LF_MAX_ANSWER (64 * 1024 * 1024)

struct lf__ctl {
	const char *url;
	const char *token;
	const char *cacert;
	int json;
};

static void lf__usage(FILE *f)
{
	fprintf(f, "NAME\n"
		   "    hemsctl - operate a Lifeline HeMS (hemsd) through its northbound interface\n\n"
		   "SYNOPSIS\n"
		   "    hemsctl [--url URL] [--token TOKEN] [--json] COMMAND [ARGS]\n\n"
		   "COMMANDS\n"
		   "    devices                         list registered HeNBs: id, software, last events, last contact\n"
		   "    device ID                       one HeNB with its cached parameters\n"
		   "    task add ID METHOD [ARGS]       queue a CPE RPC (ARGS: JSON object, see docs/nbi-openapi.yaml);\n"
		   "                                    prints the task id; --connect wakes the device now\n"
		   "    task get TASK [--wait S]        a task and its result; --wait polls until it is answered\n"
		   "    tasks [ID]                      recent tasks (of one device)\n"
		   "    connect ID                      send a connection request (HTTP, then UDP)\n"
		   "    block ID [REASON] | unblock ID  refuse / accept the device's sessions\n"
		   "    alarms ID                       security alarms received from a HeNB\n"
		   "    cases [ID]                      remediation cases (of one device)\n"
		   "    case CASE                       one case and its timeline\n"
		   "    case start ID PROCEDURE [WHY]   open a case by hand (notify-only, reconfigure, reload-software,\n"
		   "                                    fatal, diagnose-first)\n"
		   "    case cancel CASE [WHY]          close an open case\n"
		   "    case decide CASE block|release|retry [WHY]\n"
		   "                                    the decision on a case awaiting instructions\n"
		   "    files                           files the file server hands out\n"
		   "    file add NAME PATH [--product-class X] [--version V]\n"
		   "                                    register a file (hemsd computes size and SHA-256)\n"
		   "    user set USERNAME PASSWORD      credentials a CPE uses towards hemsd (kept as Digest HA1)\n"
		   "    metrics                         hemsd's Prometheus metrics\n"
		   "  northbound (FaultSupervisionMnS, delivery, measures; see docs/northbound.md):\n"
		   "    alarm list [--device ID] [--severity S] [--type T] [--ack-state A] [--since T] [--until T]\n"
		   "               [--history]          alarm records (28.532 AlarmRecords), newest first\n"
		   "    alarm get|ack|unack|clear ALARM [--user U]\n"
		   "                                    one alarm record; acknowledge, unacknowledge or clear it\n"
		   "    alarm count                     alarm records per perceived severity (same filters)\n"
		   "    subscriptions                   notification subscribers with delivery state and lag\n"
		   "    subscribe URL [FILTER]          add a subscriber (FILTER: JSON object, e.g.\n"
		   "                                    '{\"notificationTypes\":[\"notifyNewAlarm\"]}'); prints its id\n"
		   "    unsubscribe ID                  remove a subscriber\n"
		   "    outbox                          newest notifications and every subscriber's cursor and lag\n"
		   "    measure ID MEASURE [REASON]     run a higher-level measure: hems-block, hems-unblock,\n"
		   "                                    segw-blacklist, gw-block, subscriber-notify\n"
		   "    measures ID                     measures run on a device and their results\n\n"
		   "EXAMPLES\n"
		   "    hemsctl task add 00005A-LifelineHeNB-LL01 GetParameterValues \\\n"
		   "        '{\"names\":[\"Device.DeviceInfo.\"]}' --connect\n"
		   "    hemsctl task get 12 --wait 30\n\n"
		   "OPTIONS\n"
		   "    --url URL            hemsd base URL (default $HEMSCTL_URL or http://127.0.0.1:7547)\n"
		   "    --token TOKEN        NBI bearer token (default $HEMSCTL_TOKEN)\n"
		   "    --cacert FILE        CA to trust for an https URL (default $HEMSCTL_CACERT, else the system's)\n"
		   "    --json               print hemsd's JSON answer as it is\n"
		   "    -h, --help           this text\n\n"
		   "EXIT STATUS\n"
		   "    0 success, 1 usage error, 2 hemsd unreachable or refused the request.\n");
}

static size_t lf__on_body(char *p, size_t size, size_t n, void *ctx)
{
	return lf_buf_append(ctx, p, size * n) ? 0 : size * n;
}

/* METHOD path with an optional JSON body; on a 2xx answer *doc is the parsed JSON (caller owns). */
static int lf__request(const struct lf__ctl *ctl, const char *method, const char *path, const char *body,
		       json_t **doc)
{
	char url[2048];
	char auth[512];
	struct lf_buf answer;
	long status = 0;
	int rc = 2;
	snprintf(url, sizeof(url), "%s%s", ctl->url, path);
	snprintf(auth, sizeof(auth), "Authorization: Bearer %s", ctl->token ? ctl->token : "");
	lf_buf_init(&answer, LF_MAX_ANSWER);
	CURL *c = curl_easy_init();
	struct curl_slist *h = curl_slist_append(NULL, auth);
	if (body)
		h = curl_slist_append(h, "Content-Type: application/json");
	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, method);
	if (ctl->cacert)
		curl_easy_setopt(c, CURLOPT_CAINFO, ctl->cacert);
	if (body)
		curl_easy_setopt(c, CURLOPT_POSTFIELDS, body);
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, h);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, lf__on_body);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, &answer);
	curl_easy_setopt(c, CURLOPT_TIMEOUT, 30L);
	CURLcode cr = curl_easy_perform(c);
	if (cr != CURLE_OK) {
		fprintf(stderr, "hemsctl: cannot reach hemsd at %s: %s\n", ctl->url, curl_easy_strerror(cr));
		goto out;
	}
	curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
	if (status == 204) { /* done, nothing to say (FaultMnS PATCH and DELETE) */
		*doc = json_object();
		rc = 0;
		goto out;
	}
	json_error_t jerr;
	*doc = json_loadb(answer.data ? answer.data : "", answer.len, 0, &jerr);
	if (!*doc) {
		fprintf(stderr, "hemsctl: hemsd answered HTTP %ld with no JSON: %s\n", status, jerr.text);
		goto out;
	}
	if (status < 200 || status > 299) {
		json_t *d = json_object_get(*doc, "detail");
		fprintf(stderr, "hemsctl: hemsd refused: HTTP %ld: %s\n", status,
			json_is_string(d) ? json_string_value(d) : "(no detail)");
		json_decref(*doc);
		*doc = NULL;
		goto out;
	}
	rc = 0;
out:
	curl_slist_free_all(h);
	curl_easy_cleanup(c);
	lf_buf_free(&answer);
	return rc;
}

static int lf__get(const struct lf__ctl *ctl, const char *path, json_t **doc)
{
	return lf__request(ctl, "GET", path, NULL, doc);
}

static void lf__print_json(json_t *doc)
{
	json_dumpf(doc, stdout, JSON_INDENT(2) | JSON_SORT_KEYS);
	putchar('\n');
}

/* Percent-encode one path segment into out. */
static void lf__encode(const char *in, char *out, size_t outlen)
{
	size_t pos = 0;
	for (const char *p = in; *p && pos + 4 < outlen; p++) {
		unsigned char ch = (unsigned char)*p;
		if ((ch >= 'A' && ch <= 'Z') || (ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') || ch == '-' ||
		    ch == '.' || ch == '_' || ch == '~')
			out[pos++] = (char)ch;
		else
			pos += (size_t)snprintf(out + pos, outlen - pos, "%%%02X", ch);
	}
	out[pos] = '\0';
}

static const char *lf__str(json_t *o, const char *k)
{
	json_t *v = json_object_get(o, k);
	return json_is_string(v) ? json_string_value(v) : "";
}

static void lf__time(json_t *o, const char *k, char *out, size_t outlen)
{
	json_t *v = json_object_get(o, k);
	time_t t = json_is_integer(v) ? (time_t)json_integer_value(v) : 0;
	struct tm tm;
	gmtime_r(&t, &tm);
	strftime(out, outlen, "%Y-%m-%d %H:%M:%SZ", &tm);
}

static int lf__cmd_devices(const struct lf__ctl *ctl)
{
	json_t *doc = NULL;
	int rc = lf__get(ctl, "/nbi/v1/devices", &doc);
	if (rc)
		return rc;
	if (ctl->json) {
		json_dumpf(doc, stdout, JSON_INDENT(2));
		putchar('\n');
		json_decref(doc);
		return 0;
	}
	json_t *list = json_object_get(doc, "devices");
	size_t i;
	json_t *d;
	printf("%-40s %-10s %-22s %-8s %s\n", "DEVICE", "SOFTWARE", "LAST CONTACT", "INFORMS", "LAST EVENTS");
	json_array_foreach(list, i, d)
	{
		char when[32];
		lf__time(d, "lastInform", when, sizeof(when));
		json_t *n = json_object_get(d, "informs");
		printf("%-40s %-10s %-22s %-8lld %s\n", lf__str(d, "deviceId"), lf__str(d, "softwareVersion"), when,
		       (long long)json_integer_value(n), lf__str(d, "lastEvents"));
	}
	printf("%zu device(s)\n", json_array_size(list));
	json_decref(doc);
	return 0;
}

static int lf__cmd_device(const struct lf__ctl *ctl, const char *id)
{
	char path[1024], enc[768];
	/* Percent-encode the id: it carries %XX escapes of its own. */
	lf__encode(id, enc, sizeof(enc));
	snprintf(path, sizeof(path), "/nbi/v1/devices/%s", enc);
	json_t *doc = NULL;
	int rc = lf__get(ctl, path, &doc);
	if (rc)
		return rc;
	if (ctl->json) {
		json_dumpf(doc, stdout, JSON_INDENT(2));
		putchar('\n');
		json_decref(doc);
		return 0;
	}
	char first[32], last[32];
	lf__time(doc, "firstSeen", first, sizeof(first));
	lf__time(doc, "lastInform", last, sizeof(last));
	printf("device:        %s\nmanufacturer:  %s (OUI %s)\nproduct class: %s\nserial:        %s\n"
	       "software:      %s\nhardware:      %s\nfirst seen:    %s\nlast contact:  %s from %s\n"
	       "last events:   %s\nblocked:       %s\nlast conn req: %s\nparameters:\n",
	       lf__str(doc, "deviceId"), lf__str(doc, "manufacturer"), lf__str(doc, "oui"),
	       lf__str(doc, "productClass"), lf__str(doc, "serialNumber"), lf__str(doc, "softwareVersion"),
	       lf__str(doc, "hardwareVersion"), first, last, lf__str(doc, "remoteAddress"),
	       lf__str(doc, "lastEvents"), json_is_true(json_object_get(doc, "blocked")) ? "yes" : "no",
	       lf__str(doc, "lastConnectionRequest"));
	size_t i;
	json_t *p;
	json_array_foreach(json_object_get(doc, "parameters"), i, p)
		printf("  %-60s %s\n", lf__str(p, "name"), lf__str(p, "value"));
	json_decref(doc);
	return 0;
}

static void lf__print_task_line(json_t *t)
{
	char when[32];
	lf__time(t, "created", when, sizeof(when));
	json_t *fault = json_object_get(t, "fault");
	printf("%-8lld %-24s %-7s %-22s %s%s\n", (long long)json_integer_value(json_object_get(t, "taskId")),
	       lf__str(t, "method"), lf__str(t, "status"), when,
	       fault ? "fault " : lf__str(t, "note"),
	       fault ? json_string_value(json_object_get(fault, "string")) : "");
}

static int lf__cmd_tasks(const struct lf__ctl *ctl, const char *device)
{
	char path[1024], enc[768];
	json_t *doc = NULL;
	if (device) {
		lf__encode(device, enc, sizeof(enc));
		snprintf(path, sizeof(path), "/nbi/v1/devices/%s/tasks", enc);
	} else {
		snprintf(path, sizeof(path), "/nbi/v1/tasks");
	}
	int rc = lf__get(ctl, path, &doc);
	if (rc)
		return rc;
	if (ctl->json) {
		lf__print_json(doc);
	} else {
		size_t i;
		json_t *t;
		printf("%-8s %-24s %-7s %-22s %s\n", "TASK", "METHOD", "STATUS", "CREATED", "NOTE");
		json_array_foreach(json_object_get(doc, "tasks"), i, t)
			lf__print_task_line(t);
	}
	json_decref(doc);
	return 0;
}

static int lf__cmd_task_get(const struct lf__ctl *ctl, const char *id, int wait_s)
{
	char path[128];
	json_t *doc = NULL;
	snprintf(path, sizeof(path), "/nbi/v1/tasks/%s", id);
	for (int tries = 0;; tries++) {
		int rc = lf__get(ctl, path, &doc);
		if (rc)
			return rc;
		const char *st = lf__str(doc, "status");
		if (wait_s <= 0 || (strcmp(st, "queued") && strcmp(st, "sent")))
			break;
		if (tries >= wait_s * 10) {
			fprintf(stderr, "hemsctl: task %s still %s after %d s\n", id, st, wait_s);
			json_decref(doc);
			return 2;
		}
		json_decref(doc);
		doc = NULL;
		struct timespec ts = {0, 100 * 1000 * 1000};
		nanosleep(&ts, NULL);
	}
	if (ctl->json) {
		lf__print_json(doc);
	} else {
		lf__print_task_line(doc);
		json_t *res = json_object_get(doc, "result");
		json_t *fault = json_object_get(doc, "fault");
		if (res || fault)
			lf__print_json(res ? res : fault);
	}
	json_decref(doc);
	return 0;
}

static int lf__cmd_task_add(const struct lf__ctl *ctl, const char *device, const char *method, const char *args,
			    int connect)
{
	char path[1024], enc[768];
	json_error_t jerr;
	json_t *jargs = json_loads(args ? args : "{}", 0, &jerr);
	if (!json_is_object(jargs)) {
		fprintf(stderr, "hemsctl: ARGS must be a JSON object: %s\n", jargs ? "not an object" : jerr.text);
		json_decref(jargs);
		return 1;
	}
	json_t *req = json_pack("{s:s, s:o, s:b}", "method", method, "args", jargs, "connectNow", connect);
	char *body = json_dumps(req, JSON_COMPACT);
	json_decref(req);
	lf__encode(device, enc, sizeof(enc));
	snprintf(path, sizeof(path), "/nbi/v1/devices/%s/tasks", enc);
	json_t *doc = NULL;
	int rc = lf__request(ctl, "POST", path, body, &doc);
	free(body);
	if (rc)
		return rc;
	if (ctl->json)
		lf__print_json(doc);
	else
		printf("%lld\n", (long long)json_integer_value(json_object_get(doc, "taskId")));
	json_decref(doc);
	return 0;
}

/* A request whose answer is only printed (block, unblock, connect, file add, user set). */
static int lf__cmd_simple(const struct lf__ctl *ctl, const char *method, const char *path, json_t *body_doc)
{
	char *body = body_doc ? json_dumps(body_doc, JSON_COMPACT) : NULL;
	json_decref(body_doc);
	json_t *doc = NULL;
	int rc = lf__request(ctl, method, path, body, &doc);
	free(body);
	if (rc)
		return rc;
	lf__print_json(doc);
	json_decref(doc);
	return 0;
}

static int lf__device_path(char *path, size_t len, const char *device, const char *tail)
{
	char enc[768];
	lf__encode(device, enc, sizeof(enc));
	snprintf(path, len, "/nbi/v1/devices/%s/%s", enc, tail);
	return 0;
}

static int lf__cmd_cases(const struct lf__ctl *ctl, const char *device, int open_only)
{
	char path[1024], enc[768];
	json_t *doc = NULL;
	if (device) {
		lf__encode(device, enc, sizeof(enc));
		snprintf(path, sizeof(path), "/nbi/v1/devices/%s/cases", enc);
	} else {
		snprintf(path, sizeof(path), open_only ? "/nbi/v1/cases/open" : "/nbi/v1/cases");
	}
	int rc = lf__get(ctl, path, &doc);
	if (rc)
		return rc;
	if (ctl->json) {
		lf__print_json(doc);
	} else {
		size_t i;
		json_t *c;
		printf("%-6s %-40s %-16s %-22s %-5s %s\n", "CASE", "DEVICE", "PROCEDURE", "STATE", "RUNG", "OUTCOME");
		json_array_foreach(json_object_get(doc, "cases"), i, c)
			printf("%-6lld %-40s %-16s %-22s %-5lld %s\n",
			       (long long)json_integer_value(json_object_get(c, "caseId")), lf__str(c, "deviceId"),
			       lf__str(c, "procedure"), lf__str(c, "state"),
			       (long long)json_integer_value(json_object_get(c, "rung")), lf__str(c, "outcome"));
	}
	json_decref(doc);
	return 0;
}

/* One case with its timeline, readable by someone who has never seen the project. */
static int lf__cmd_case(const struct lf__ctl *ctl, const char *id)
{
	char path[128];
	json_t *doc = NULL;
	snprintf(path, sizeof(path), "/nbi/v1/cases/%s", id);
	int rc = lf__get(ctl, path, &doc);
	if (rc)
		return rc;
	if (ctl->json) {
		lf__print_json(doc);
		json_decref(doc);
		return 0;
	}
	json_t *a = json_object_get(doc, "alarm");
	printf("Case %lld for HeNB %s\n", (long long)json_integer_value(json_object_get(doc, "caseId")),
	       lf__str(doc, "deviceId"));
	if (a)
		printf("  alarm:     %s / %s / %s: %s\n", lf__str(a, "eventType"), lf__str(a, "probableCause"),
		       lf__str(a, "perceivedSeverity"), lf__str(a, "specificProblem"));
	printf("  procedure: %s\n  state:     %s%s%s\n\nTimeline:\n", lf__str(doc, "procedure"), lf__str(doc, "state"),
	       lf__str(doc, "outcome")[0] ? " - " : "", lf__str(doc, "outcome"));
	size_t i;
	json_t *e;
	json_array_foreach(json_object_get(doc, "timeline"), i, e)
	{
		json_int_t ms = json_integer_value(json_object_get(e, "time"));
		time_t t = (time_t)(ms / 1000);
		struct tm tm;
		char when[32];
		gmtime_r(&t, &tm);
		strftime(when, sizeof(when), "%H:%M:%S", &tm);
		const char *from = lf__str(e, "from"), *to = lf__str(e, "to");
		char move[80];
		if (strcmp(from, to) == 0)
			snprintf(move, sizeof(move), "%s", to);
		else
			snprintf(move, sizeof(move), "%s -> %s", from[0] ? from : "(new)", to);
		printf("  %s.%03d  %-34s %-8s %s", when, (int)(ms % 1000), move, lf__str(e, "actor"), lf__str(e, "why"));
		json_int_t task = json_integer_value(json_object_get(e, "taskId"));
		if (task)
			printf(" [task %lld]", (long long)task);
		putchar('\n');
	}
	json_decref(doc);
	return 0;
}

static int lf__cmd_alarms(const struct lf__ctl *ctl, const char *device)
{
	char path[1024], enc[768];
	json_t *doc = NULL;
	lf__encode(device, enc, sizeof(enc));
	snprintf(path, sizeof(path), "/nbi/v1/devices/%s/alarms", enc);
	int rc = lf__get(ctl, path, &doc);
	if (rc)
		return rc;
	if (ctl->json) {
		lf__print_json(doc);
	} else {
		size_t i;
		json_t *a;
		printf("%-6s %-20s %-12s %-10s %-40s %s\n", "ALARM", "IDENTIFIER", "TYPE", "SEVERITY", "SPECIFIC PROBLEM",
		       "CASE");
		json_array_foreach(json_object_get(doc, "alarms"), i, a)
			printf("%-6lld %-20s %-12s %-10s %-40s %lld\n",
			       (long long)json_integer_value(json_object_get(a, "alarmId")),
			       lf__str(a, "alarmIdentifier"), lf__str(a, "notificationType"),
			       lf__str(a, "perceivedSeverity"), lf__str(a, "specificProblem"),
			       (long long)json_integer_value(json_object_get(a, "caseId")));
	}
	json_decref(doc);
	return 0;
}

static int lf__cmd_files(const struct lf__ctl *ctl)
{
	json_t *doc = NULL;
	int rc = lf__get(ctl, "/nbi/v1/files", &doc);
	if (rc)
		return rc;
	if (ctl->json) {
		lf__print_json(doc);
	} else {
		size_t i;
		json_t *f;
		printf("%-32s %-12s %-16s %-10s %s\n", "NAME", "SIZE", "PRODUCT CLASS", "VERSION", "SHA-256");
		json_array_foreach(json_object_get(doc, "files"), i, f)
			printf("%-32s %-12lld %-16s %-10s %s\n", lf__str(f, "name"),
			       (long long)json_integer_value(json_object_get(f, "size")), lf__str(f, "productClass"),
			       lf__str(f, "version"), lf__str(f, "sha256"));
	}
	json_decref(doc);
	return 0;
}

static int lf__cmd_metrics(const struct lf__ctl *ctl)
{
	char url[1024];
	snprintf(url, sizeof(url), "%s/metrics", ctl->url);
	CURL *c = curl_easy_init();
	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_TIMEOUT, 30L);
	curl_easy_setopt(c, CURLOPT_FAILONERROR, 1L);
	if (ctl->cacert)
		curl_easy_setopt(c, CURLOPT_CAINFO, ctl->cacert);
	CURLcode cr = curl_easy_perform(c); /* body goes to stdout */
	curl_easy_cleanup(c);
	if (cr != CURLE_OK) {
		fprintf(stderr, "hemsctl: cannot read %s: %s\n", url, curl_easy_strerror(cr));
		return 2;
	}
	return 0;
}

/* ---------------------------------------------------------------- northbound (FaultSupervisionMnS, delivery,
 * measures): the commands of docs/northbound.md */

struct lf__nb_opts {
	const char *device, *severity, *type, *ack_state, *since, *until, *user;
	int history;
};

static int lf__northbound_command(const char *cmd)
{
	static const char *const cmds[] = {"alarm", "subscriptions", "subscribe", "unsubscribe", "outbox", "measure",
					   "measures"};
	for (size_t i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++)
		if (strcmp(cmd, cmds[i]) == 0)
			return 1;
	return 0;
}

/* "&key=value" (value percent-encoded) when value is set. */
static void lf__query_add(struct lf_buf *q, const char *key, const char *value)
{
	char enc[768];
	if (!value)
		return;
	lf__encode(value, enc, sizeof(enc));
	lf_buf_printf(q, "%c%s=%s", q->len ? '&' : '?', key, enc);
}

static void lf__print_alarm_line(const char *id, json_t *a)
{
	printf("%-7s %-40s %-40s %-13s %-14s %-21s %s\n", id, lf__str(a, "deviceId"), lf__str(a, "alarmType"),
	       lf__str(a, "perceivedSeverity"), lf__str(a, "ackState"), lf__str(a, "alarmRaisedTime"),
	       lf__str(a, "specificProblem"));
}

static int lf__cmd_alarm_list(const struct lf__ctl *ctl, const struct lf__nb_opts *o, int count)
{
	struct lf_buf q;
	char path[2048];
	json_t *doc = NULL;
	lf_buf_init(&q, 1024);
	lf__query_add(&q, "deviceId", o->device);
	lf__query_add(&q, "perceivedSeverity", o->severity);
	lf__query_add(&q, "alarmType", o->type);
	lf__query_add(&q, "ackState", o->ack_state);
	lf__query_add(&q, "since", o->since);
	lf__query_add(&q, "until", o->until);
	lf__query_add(&q, "includeHistory", o->history ? "true" : NULL);
	snprintf(path, sizeof(path), "/FaultSupervisionMnS/v1/alarms%s%s", count ? "/alarmCount" : "",
		 q.data ? q.data : "");
	lf_buf_free(&q);
	int rc = lf__get(ctl, path, &doc);
	if (rc)
		return rc;
	if (ctl->json || count) {
		lf__print_json(doc);
	} else {
		const char *id;
		json_t *a;
		printf("%-7s %-40s %-40s %-13s %-14s %-21s %s\n", "ALARM", "DEVICE", "TYPE", "SEVERITY", "ACK", "RAISED",
		       "SPECIFIC PROBLEM");
		json_object_foreach(doc, id, a)
			lf__print_alarm_line(id, a);
		printf("%zu alarm(s)\n", json_object_size(doc));
	}
	json_decref(doc);
	return 0;
}

static int lf__cmd_alarm_one(const struct lf__ctl *ctl, const char *what, const char *id,
			     const struct lf__nb_opts *o)
{
	char path[512], enc[128];
	lf__encode(id, enc, sizeof(enc));
	snprintf(path, sizeof(path), "/FaultSupervisionMnS/v1/alarms/%s", enc);
	if (strcmp(what, "get") == 0) {
		json_t *doc = NULL;
		int rc = lf__get(ctl, path, &doc);
		if (rc)
			return rc;
		lf__print_json(doc);
		json_decref(doc);
		return 0;
	}
	json_t *body;
	if (strcmp(what, "clear") == 0)
		body = json_pack("{s:s}", "perceivedSeverity", "CLEARED");
	else
		body = json_pack("{s:s}", "ackState", strcmp(what, "ack") == 0 ? "ACKNOWLEDGED" : "UNACKNOWLEDGED");
	if (o->user)
		json_object_set_new(body, strcmp(what, "clear") == 0 ? "clearUserId" : "ackUserId", json_string(o->user));
	char *text = json_dumps(body, JSON_COMPACT);
	json_decref(body);
	json_t *doc = NULL;
	int rc = lf__request(ctl, "PATCH", path, text, &doc);
	free(text);
	json_decref(doc);
	if (!rc)
		printf("alarm %s: %s\n", id, strcmp(what, "clear") == 0 ? "cleared" : strcmp(what, "ack") == 0 ? "acknowledged"
														  : "unacknowledged");
	return rc;
}

static void lf__print_sub_line(json_t *s)
{
	json_t *d = json_object_get(s, "delivery");
	printf("%-5s %-28s %-8lld %-8lld %-6lld %-10lld %-8lld %-30.30s %s\n", lf__str(s, "id"), lf__str(s, "owner"),
	       (long long)json_integer_value(json_object_get(d, "cursor")),
	       (long long)json_integer_value(json_object_get(d, "pending")),
	       (long long)json_integer_value(json_object_get(d, "lagSeconds")),
	       (long long)json_integer_value(json_object_get(d, "delivered")),
	       (long long)json_integer_value(json_object_get(d, "failures")), lf__str(d, "lastError"),
	       lf__str(s, "consumerReference"));
}

static void lf__print_sub_table(json_t *list)
{
	size_t i;
	json_t *s;
	printf("%-5s %-28s %-8s %-8s %-6s %-10s %-8s %-30s %s\n", "ID", "OWNER", "CURSOR", "PENDING", "LAG-S",
	       "DELIVERED", "FAILING", "LAST ERROR", "URL");
	json_array_foreach(list, i, s)
		lf__print_sub_line(s);
}

static int lf__cmd_outbox(const struct lf__ctl *ctl, int subscriptions_only)
{
	json_t *doc = NULL;
	int rc = lf__get(ctl, subscriptions_only ? "/FaultSupervisionMnS/v1/subscriptions" : "/nbi/v1/outbox", &doc);
	if (rc)
		return rc;
	if (ctl->json) {
		lf__print_json(doc);
	} else if (subscriptions_only) {
		lf__print_sub_table(json_object_get(doc, "subscriptions"));
	} else {
		size_t i;
		json_t *n;
		printf("newest notification: %lld\n\n", (long long)json_integer_value(json_object_get(doc, "lastId")));
		lf__print_sub_table(json_object_get(doc, "subscriptions"));
		printf("\n%-8s %-21s %-34s %-8s %s\n", "ID", "CREATED", "TYPE", "TARGET", "DEVICE");
		json_array_foreach(json_object_get(doc, "recent"), i, n)
			printf("%-8lld %-21s %-34s %-8lld %s\n",
			       (long long)json_integer_value(json_object_get(n, "notificationId")), lf__str(n, "created"),
			       lf__str(n, "notificationType"), (long long)json_integer_value(json_object_get(n, "target")),
			       lf__str(n, "deviceId"));
	}
	json_decref(doc);
	return 0;
}

static int lf__cmd_subscribe(const struct lf__ctl *ctl, const char *url, const char *filter)
{
	json_error_t jerr;
	json_t *f = filter ? json_loads(filter, 0, &jerr) : json_object();
	if (!json_is_object(f)) {
		fprintf(stderr, "hemsctl: FILTER must be a JSON object: %s\n", f ? "not an object" : jerr.text);
		json_decref(f);
		return 1;
	}
	json_t *body = json_pack("{s:s, s:o}", "consumerReference", url, "filter", f);
	char *text = json_dumps(body, JSON_COMPACT);
	json_decref(body);
	json_t *doc = NULL;
	int rc = lf__request(ctl, "POST", "/FaultSupervisionMnS/v1/subscriptions", text, &doc);
	free(text);
	if (rc)
		return rc;
	if (ctl->json)
		lf__print_json(doc);
	else
		printf("%s\n", lf__str(doc, "id"));
	json_decref(doc);
	return 0;
}

static int lf__cmd_measures(const struct lf__ctl *ctl, const char *device)
{
	char path[1024];
	json_t *doc = NULL;
	lf__device_path(path, sizeof(path), device, "measures");
	int rc = lf__get(ctl, path, &doc);
	if (rc)
		return rc;
	if (ctl->json) {
		lf__print_json(doc);
	} else {
		size_t i;
		json_t *m;
		printf("%-6s %-18s %-8s %-10s %-5s %-16s %s\n", "ID", "MEASURE", "ADAPTER", "STATUS", "EXIT", "ACTOR",
		       "RESULT");
		json_array_foreach(json_object_get(doc, "measures"), i, m)
		{
			json_t *ex = json_object_get(m, "exitStatus");
			char exit_text[16] = "-";
			if (json_is_integer(ex))
				snprintf(exit_text, sizeof(exit_text), "%lld", (long long)json_integer_value(ex));
			printf("%-6lld %-18s %-8s %-10s %-5s %-16s %s\n",
			       (long long)json_integer_value(json_object_get(m, "measureId")), lf__str(m, "measure"),
			       lf__str(m, "adapter"), lf__str(m, "status"), exit_text, lf__str(m, "actor"),
			       lf__str(m, "result"));
		}
	}
	json_decref(doc);
	return 0;
}

static int lf__cmd_northbound(const struct lf__ctl *ctl, int argc, char **argv, const struct lf__nb_opts *o)
{
	const char *cmd = argv[0];
	if (strcmp(cmd, "alarm") == 0 && argc == 2 && (strcmp(argv[1], "list") == 0 || strcmp(argv[1], "count") == 0))
		return lf__cmd_alarm_list(ctl, o, strcmp(argv[1], "count") == 0);
	if (strcmp(cmd, "alarm") == 0 && argc == 3 &&
	    (strcmp(argv[1], "get") == 0 || strcmp(argv[1], "ack") == 0 || strcmp(argv[1], "unack") == 0 ||
	     strcmp(argv[1], "clear") == 0))
		return lf__cmd_alarm_one(ctl, argv[1], argv[2], o);
	if (strcmp(cmd, "subscriptions") == 0 && argc == 1)
		return lf__cmd_outbox(ctl, 1);
	if (strcmp(cmd, "outbox") == 0 && argc == 1)
		return lf__cmd_outbox(ctl, 0);
	if (strcmp(cmd, "subscribe") == 0 && (argc == 2 || argc == 3))
		return lf__cmd_subscribe(ctl, argv[1], argc == 3 ? argv[2] : NULL);
	if (strcmp(cmd, "unsubscribe") == 0 && argc == 2) {
		char path[256], enc[128];
		lf__encode(argv[1], enc, sizeof(enc));
		snprintf(path, sizeof(path), "/FaultSupervisionMnS/v1/subscriptions/%s", enc);
		json_t *doc = NULL;
		int rc = lf__request(ctl, "DELETE", path, NULL, &doc);
		json_decref(doc);
		if (!rc)
			printf("subscription %s removed\n", argv[1]);
		return rc;
	}
	if (strcmp(cmd, "measure") == 0 && (argc == 3 || argc == 4)) {
		char path[1024];
		lf__device_path(path, sizeof(path), argv[1], "measures");
		json_t *body = json_pack("{s:s}", "measure", argv[2]);
		if (argc == 4)
			json_object_set_new(body, "reason", json_string(argv[3]));
		return lf__cmd_simple(ctl, "POST", path, body);
	}
	if (strcmp(cmd, "measures") == 0 && argc == 2)
		return lf__cmd_measures(ctl, argv[1]);
	fprintf(stderr, "hemsctl: wrong arguments for %s (see hemsctl --help)\n", cmd);
	return 1;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{"url", required_argument, NULL, 'u'}, {"token", required_argument, NULL, 't'},
		{"json", no_argument, NULL, 'j'},      {"help", no_argument, NULL, 'h'},
		{"cacert", required_argument, NULL, 'A'}, {"connect", no_argument, NULL, 'C'},   {"wait", required_argument, NULL, 'w'},
		{"product-class", required_argument, NULL, 'P'}, {"version", required_argument, NULL, 'v'},
		{"device", required_argument, NULL, 1000}, {"severity", required_argument, NULL, 1001},
		{"type", required_argument, NULL, 1002}, {"ack-state", required_argument, NULL, 1003},
		{"since", required_argument, NULL, 1004}, {"until", required_argument, NULL, 1005},
		{"history", no_argument, NULL, 1006}, {"user", required_argument, NULL, 1007},
		{NULL, 0, NULL, 0},
	};
	struct lf__ctl ctl = {getenv("HEMSCTL_URL"), getenv("HEMSCTL_TOKEN"), getenv("HEMSCTL_CACERT"), 0};
	int opt;
	int rc;
	int connect = 0;
	int wait_s = 0;
	const char *product_class = "", *version = "";
	struct lf__nb_opts nb = {0};
	if (!ctl.url)
		ctl.url = "http://127.0.0.1:7547";
	while ((opt = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (opt) {
		case 'u': ctl.url = optarg; break;
		case 't': ctl.token = optarg; break;
		case 'j': ctl.json = 1; break;
		case 'C': connect = 1; break;
		case 'A': ctl.cacert = optarg; break;
		case 'w': wait_s = (int)strtol(optarg, NULL, 10); break;
		case 'P': product_class = optarg; break;
		case 'v': version = optarg; break;
		case 1000: nb.device = optarg; break;
		case 1001: nb.severity = optarg; break;
		case 1002: nb.type = optarg; break;
		case 1003: nb.ack_state = optarg; break;
		case 1004: nb.since = optarg; break;
		case 1005: nb.until = optarg; break;
		case 1006: nb.history = 1; break;
		case 1007: nb.user = optarg; break;
		case 'h': lf__usage(stdout); return 0;
		default: lf__usage(stderr); return 1;
		}
	}
	if (optind >= argc) {
		lf__usage(stderr);
		return 1;
	}
	curl_global_init(CURL_GLOBAL_DEFAULT);
	const char *cmd = argv[optind];
	if (strcmp(cmd, "devices") == 0 && optind + 1 == argc) {
		rc = lf__cmd_devices(&ctl);
	} else if (strcmp(cmd, "device") == 0 && optind + 2 == argc) {
		rc = lf__cmd_device(&ctl, argv[optind + 1]);
	} else if (strcmp(cmd, "tasks") == 0 && optind + 2 >= argc) {
		rc = lf__cmd_tasks(&ctl, optind + 1 < argc ? argv[optind + 1] : NULL);
	} else if (strcmp(cmd, "task") == 0 && optind + 3 == argc && strcmp(argv[optind + 1], "get") == 0) {
		rc = lf__cmd_task_get(&ctl, argv[optind + 2], wait_s);
	} else if (strcmp(cmd, "task") == 0 && (optind + 4 == argc || optind + 5 == argc) &&
		   strcmp(argv[optind + 1], "add") == 0) {
		rc = lf__cmd_task_add(&ctl, argv[optind + 2], argv[optind + 3],
				      optind + 5 == argc ? argv[optind + 4] : NULL, connect);
	} else if ((strcmp(cmd, "block") == 0 && (optind + 2 == argc || optind + 3 == argc)) ||
		   (strcmp(cmd, "unblock") == 0 && optind + 2 == argc)) {
		char path[1024];
		int block = strcmp(cmd, "block") == 0;
		lf__device_path(path, sizeof(path), argv[optind + 1], "block");
		rc = lf__cmd_simple(&ctl, block ? "PUT" : "DELETE", path,
				    block && optind + 3 == argc ? json_pack("{s:s}", "reason", argv[optind + 2]) : NULL);
	} else if (strcmp(cmd, "connect") == 0 && optind + 2 == argc) {
		char path[1024];
		lf__device_path(path, sizeof(path), argv[optind + 1], "connection-request");
		rc = lf__cmd_simple(&ctl, "POST", path, NULL);
	} else if (strcmp(cmd, "cases") == 0 && optind + 2 >= argc) {
		rc = lf__cmd_cases(&ctl, optind + 1 < argc ? argv[optind + 1] : NULL, 0);
	} else if (strcmp(cmd, "case") == 0 && optind + 2 == argc) {
		rc = lf__cmd_case(&ctl, argv[optind + 1]);
	} else if (strcmp(cmd, "case") == 0 && optind + 4 <= argc && optind + 5 >= argc &&
		   strcmp(argv[optind + 1], "start") == 0) {
		char path[1024];
		lf__device_path(path, sizeof(path), argv[optind + 2], "cases");
		rc = lf__cmd_simple(&ctl, "POST", path,
				    json_pack("{s:s, s:s}", "procedure", argv[optind + 3], "reason",
					      optind + 5 == argc ? argv[optind + 4] : ""));
	} else if (strcmp(cmd, "case") == 0 && optind + 3 <= argc && optind + 4 >= argc &&
		   strcmp(argv[optind + 1], "cancel") == 0) {
		char path[128];
		snprintf(path, sizeof(path), "/nbi/v1/cases/%s/cancel", argv[optind + 2]);
		rc = lf__cmd_simple(&ctl, "POST", path,
				    json_pack("{s:s}", "reason", optind + 4 == argc ? argv[optind + 3] : ""));
	} else if (strcmp(cmd, "case") == 0 && optind + 4 <= argc && optind + 5 >= argc &&
		   strcmp(argv[optind + 1], "decide") == 0) {
		char path[128];
		snprintf(path, sizeof(path), "/nbi/v1/cases/%s/decision", argv[optind + 2]);
		rc = lf__cmd_simple(&ctl, "POST", path,
				    json_pack("{s:s, s:s}", "decision", argv[optind + 3], "reason",
					      optind + 5 == argc ? argv[optind + 4] : ""));
	} else if (strcmp(cmd, "alarms") == 0 && optind + 2 == argc) {
		rc = lf__cmd_alarms(&ctl, argv[optind + 1]);
	} else if (strcmp(cmd, "files") == 0 && optind + 1 == argc) {
		rc = lf__cmd_files(&ctl);
	} else if (strcmp(cmd, "file") == 0 && optind + 4 == argc && strcmp(argv[optind + 1], "add") == 0) {
		rc = lf__cmd_simple(&ctl, "POST", "/nbi/v1/files",
				    json_pack("{s:s, s:s, s:s, s:s}", "name", argv[optind + 2], "path", argv[optind + 3],
					      "productClass", product_class, "version", version));
	} else if (strcmp(cmd, "user") == 0 && optind + 4 == argc && strcmp(argv[optind + 1], "set") == 0) {
		char path[1024], enc[768];
		lf__encode(argv[optind + 2], enc, sizeof(enc));
		snprintf(path, sizeof(path), "/nbi/v1/cwmp-users/%s", enc);
		rc = lf__cmd_simple(&ctl, "PUT", path, json_pack("{s:s}", "password", argv[optind + 3]));
	} else if (strcmp(cmd, "metrics") == 0 && optind + 1 == argc) {
		rc = lf__cmd_metrics(&ctl);
	} else if (lf__northbound_command(cmd)) {
		rc = lf__cmd_northbound(&ctl, argc - optind, argv + optind, &nb);
	} else {
		fprintf(stderr, "hemsctl: unknown command or wrong arguments: %s (see hemsctl --help)\n", cmd);
		rc = 1;
	}
	curl_global_cleanup();
	return rc;
}
