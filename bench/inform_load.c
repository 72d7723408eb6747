/* inform_load.c: load driver for the Inform-session benchmark: N threads, each with one keep-alive connection,
 * run Inform-only CWMP sessions (Inform, empty POST -> 204) or raw POSTs against a baseline responder. */
#include <curl/curl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "common/buf.h"
#include "common/timeutil.h"

struct lf__opts {
	const char *url;
	int threads;
	int seconds;
	int devices;
	int raw;
	long sessions; /* stop after this many sessions (0 = run for seconds) */
};

static struct lf__opts opts = {"http://127.0.0.1:7547/cwmp", 2, 5, 1000, 0, 0};
static atomic_ulong done_sessions, done_requests, errors;
static atomic_int stop_flag;

static size_t lf__sink(char *p, size_t size, size_t n, void *ctx)
{
	return size * n;
}

static void lf__inform(char *out, size_t outlen, int serial)
{
	snprintf(out, outlen,
		 "<soapenv:Envelope xmlns:soapenv=\"http://schemas.xmlsoap.org/soap/envelope/\" "
		 "xmlns:cwmp=\"urn:dslforum-org:cwmp-1-2\" xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\">"
		 "<soapenv:Header><cwmp:ID soapenv:mustUnderstand=\"1\">1</cwmp:ID></soapenv:Header><soapenv:Body>"
		 "<cwmp:Inform><DeviceId><Manufacturer>Lifeline</Manufacturer><OUI>00005A</OUI>"
		 "<ProductClass>LifelineHeNB</ProductClass><SerialNumber>LOAD%07d</SerialNumber></DeviceId>"
		 "<Event><EventStruct><EventCode>2 PERIODIC</EventCode><CommandKey></CommandKey></EventStruct></Event>"
		 "<MaxEnvelopes>1</MaxEnvelopes><CurrentTime>2026-11-28T00:00:00Z</CurrentTime>"
		 "<RetryCount>0</RetryCount><ParameterList>"
		 "<ParameterValueStruct><Name>Device.RootDataModelVersion</Name><Value xsi:type=\"xsd:string\">2.19</Value></ParameterValueStruct>"
		 "<ParameterValueStruct><Name>Device.DeviceInfo.HardwareVersion</Name><Value xsi:type=\"xsd:string\">1.0</Value></ParameterValueStruct>"
		 "<ParameterValueStruct><Name>Device.DeviceInfo.SoftwareVersion</Name><Value xsi:type=\"xsd:string\">0.1.0</Value></ParameterValueStruct>"
		 "<ParameterValueStruct><Name>Device.DeviceInfo.ProvisioningCode</Name><Value xsi:type=\"xsd:string\"></Value></ParameterValueStruct>"
		 "<ParameterValueStruct><Name>Device.ManagementServer.ParameterKey</Name><Value xsi:type=\"xsd:string\"></Value></ParameterValueStruct>"
		 "<ParameterValueStruct><Name>Device.ManagementServer.ConnectionRequestURL</Name><Value xsi:type=\"xsd:string\">http://127.0.0.1:7548/cr</Value></ParameterValueStruct>"
		 "</ParameterList></cwmp:Inform></soapenv:Body></soapenv:Envelope>",
		 serial);
}

static long lf__post(CURL *c, const char *body)
{
	long status = 0;
	curl_easy_setopt(c, CURLOPT_POSTFIELDS, body);
	curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE, (long)strlen(body));
	if (curl_easy_perform(c) != CURLE_OK)
		return -1;
	curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
	return status;
}

static void *lf__worker(void *arg)
{
	int idx = (int)(intptr_t)arg;
	char inform[4096];
	CURL *c = curl_easy_init();
	struct curl_slist *h = curl_slist_append(NULL, "Content-Type: text/xml");
	h = curl_slist_append(h, "Expect:");
	curl_easy_setopt(c, CURLOPT_URL, opts.url);
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, h);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, lf__sink);
	curl_easy_setopt(c, CURLOPT_COOKIEFILE, "");
	curl_easy_setopt(c, CURLOPT_TIMEOUT, 30L);
	curl_easy_setopt(c, CURLOPT_SSL_VERIFYPEER, 0L);
	curl_easy_setopt(c, CURLOPT_SSL_VERIFYHOST, 0L);
	int serial = idx;
	while (!atomic_load(&stop_flag)) {
		if (opts.raw) {
			if (lf__post(c, "x") / 100 == 2)
				atomic_fetch_add(&done_requests, 1);
			else
				atomic_fetch_add(&errors, 1);
			continue;
		}
		lf__inform(inform, sizeof(inform), serial);
		serial = (serial + opts.threads) % opts.devices;
		curl_easy_setopt(c, CURLOPT_COOKIELIST, "ALL"); /* a new session: forget the old cookie */
		if (lf__post(c, inform) != 200 || lf__post(c, "") != 204) {
			atomic_fetch_add(&errors, 1);
			continue;
		}
		unsigned long n = atomic_fetch_add(&done_sessions, 1) + 1;
		atomic_fetch_add(&done_requests, 2);
		if (opts.sessions && n >= (unsigned long)opts.sessions)
			atomic_store(&stop_flag, 1);
	}
	curl_slist_free_all(h);
	curl_easy_cleanup(c);
	return NULL;
}

int main(int argc, char **argv)
{
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--url") == 0 && i + 1 < argc)
			opts.url = argv[++i];
		else if (strcmp(argv[i], "--threads") == 0 && i + 1 < argc)
			opts.threads = (int)strtol(argv[++i], NULL, 10);
		else if (strcmp(argv[i], "--seconds") == 0 && i + 1 < argc)
			opts.seconds = (int)strtol(argv[++i], NULL, 10);
		else if (strcmp(argv[i], "--devices") == 0 && i + 1 < argc)
			opts.devices = (int)strtol(argv[++i], NULL, 10);
		else if (strcmp(argv[i], "--sessions") == 0 && i + 1 < argc)
			opts.sessions = strtol(argv[++i], NULL, 10);
		else if (strcmp(argv[i], "--raw") == 0)
			opts.raw = 1;
		else {
			fprintf(stderr, "usage: inform_load [--url URL] [--threads N] [--seconds S] [--sessions N] [--devices N] [--raw]\n"
					"  Inform-only CWMP sessions (or, with --raw, plain POSTs) as fast as the server takes\n"
					"  them, for --seconds or until --sessions N are done; devices cycle over --devices serials.\n"
					"  them; prints one JSON line with the rates.\n");
			return 1;
		}
	}
	if (opts.threads < 1 || opts.threads > 512 || opts.seconds < 1 || opts.devices < opts.threads) {
		fprintf(stderr, "inform_load: threads 1..512, seconds >= 1, devices >= threads\n");
		return 1;
	}
	curl_global_init(CURL_GLOBAL_DEFAULT);
	pthread_t *t = calloc((size_t)opts.threads, sizeof(*t));
	int64_t t0 = lf_now_ms();
	for (int i = 0; i < opts.threads; i++)
		pthread_create(&t[i], NULL, lf__worker, (void *)(intptr_t)i);
	/* Run for the given seconds, or until --sessions are done (then seconds is an upper bound). */
	for (int64_t end = t0 + (int64_t)opts.seconds * 1000; !atomic_load(&stop_flag) && lf_now_ms() < end;) {
		struct timespec ts = {0, 20 * 1000 * 1000};
		nanosleep(&ts, NULL);
	}
	atomic_store(&stop_flag, 1);
	for (int i = 0; i < opts.threads; i++)
		pthread_join(t[i], NULL);
	double secs = (double)(lf_now_ms() - t0) / 1000.0;
	printf("{\"mode\":\"%s\",\"threads\":%d,\"seconds\":%.2f,\"sessions\":%lu,\"requests\":%lu,\"errors\":%lu,"
	       "\"sessions_per_s\":%.1f,\"requests_per_s\":%.1f}\n",
	       opts.raw ? "raw" : "session", opts.threads, secs, atomic_load(&done_sessions),
	       atomic_load(&done_requests), atomic_load(&errors), (double)atomic_load(&done_sessions) / secs,
	       (double)atomic_load(&done_requests) / secs);
	free(t);
	curl_global_cleanup();
	return 0;
}
