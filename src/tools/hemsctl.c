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
	int json;
};

static void lf__usage(FILE *f)
{
	fprintf(f, "NAME\n"
		   "    hemsctl - operate a Lifeline HeMS (hemsd) through its northbound interface\n\n"
		   "SYNOPSIS\n"
		   "    hemsctl [--url URL] [--token TOKEN] [--json] COMMAND [ARGS]\n\n"
		   "COMMANDS\n"
		   "    devices              list registered HeNBs: id, software, last events, last contact\n"
		   "    device ID            one HeNB with its cached parameters\n\n"
		   "OPTIONS\n"
		   "    --url URL            hemsd base URL (default $HEMSCTL_URL or http://127.0.0.1:7547)\n"
		   "    --token TOKEN        NBI bearer token (default $HEMSCTL_TOKEN)\n"
		   "    --json               print hemsd's JSON answer as it is\n"
		   "    -h, --help           this text\n\n"
		   "EXIT STATUS\n"
		   "    0 success, 1 usage error, 2 hemsd unreachable or refused the request.\n");
}

static size_t lf__on_body(char *p, size_t size, size_t n, void *ctx)
{
	return lf_buf_append(ctx, p, size * n) ? 0 : size * n;
}

/* GET path from hemsd; on success *doc is the parsed JSON (caller owns). */
static int lf__get(const struct lf__ctl *ctl, const char *path, json_t **doc)
{
	char url[2048];
	char auth[512];
	struct lf_buf body;
	long status = 0;
	int rc = 2;
	snprintf(url, sizeof(url), "%s%s", ctl->url, path);
	snprintf(auth, sizeof(auth), "Authorization: Bearer %s", ctl->token ? ctl->token : "");
	lf_buf_init(&body, LF_MAX_ANSWER);
	CURL *c = curl_easy_init();
	struct curl_slist *h = curl_slist_append(NULL, auth);
	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, h);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, lf__on_body);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, &body);
	curl_easy_setopt(c, CURLOPT_TIMEOUT, 30L);
	CURLcode cr = curl_easy_perform(c);
	if (cr != CURLE_OK) {
		fprintf(stderr, "hemsctl: cannot reach hemsd at %s: %s\n", ctl->url, curl_easy_strerror(cr));
		goto out;
	}
	curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
	json_error_t jerr;
	*doc = json_loadb(body.data ? body.data : "", body.len, 0, &jerr);
	if (!*doc) {
		fprintf(stderr, "hemsctl: hemsd answered HTTP %ld with no JSON: %s\n", status, jerr.text);
		goto out;
	}
	if (status != 200) {
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
	lf_buf_free(&body);
	return rc;
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
	char path[1024];
	size_t pos = (size_t)snprintf(path, sizeof(path), "/nbi/v1/devices/");
	/* Percent-encode the id: it carries %XX escapes of its own. */
	for (const char *p = id; *p && pos + 4 < sizeof(path); p++) {
		unsigned char ch = (unsigned char)*p;
		if ((ch >= 'A' && ch <= 'Z') || (ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') || ch == '-' ||
		    ch == '.' || ch == '_' || ch == '~')
			path[pos++] = (char)ch;
		else
			pos += (size_t)snprintf(path + pos, sizeof(path) - pos, "%%%02X", ch);
	}
	path[pos] = '\0';
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
	       "last events:   %s\nparameters:\n",
	       lf__str(doc, "deviceId"), lf__str(doc, "manufacturer"), lf__str(doc, "oui"),
	       lf__str(doc, "productClass"), lf__str(doc, "serialNumber"), lf__str(doc, "softwareVersion"),
	       lf__str(doc, "hardwareVersion"), first, last, lf__str(doc, "remoteAddress"),
	       lf__str(doc, "lastEvents"));
	size_t i;
	json_t *p;
	json_array_foreach(json_object_get(doc, "parameters"), i, p)
		printf("  %-60s %s\n", lf__str(p, "name"), lf__str(p, "value"));
	json_decref(doc);
	return 0;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{"url", required_argument, NULL, 'u'}, {"token", required_argument, NULL, 't'},
		{"json", no_argument, NULL, 'j'},      {"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	struct lf__ctl ctl = {getenv("HEMSCTL_URL"), getenv("HEMSCTL_TOKEN"), 0};
	int opt;
	int rc;
	if (!ctl.url)
		ctl.url = "http://127.0.0.1:7547";
	while ((opt = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (opt) {
		case 'u': ctl.url = optarg; break;
		case 't': ctl.token = optarg; break;
		case 'j': ctl.json = 1; break;
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
	} else {
		fprintf(stderr, "hemsctl: unknown command or wrong arguments: %s (see hemsctl --help)\n", cmd);
		rc = 1;
	}
	curl_global_cleanup();
	return rc;
}
