/* distress-client.c: speak the distress channel as a HeNB would (CoAP over DTLS with a PSK): open a session,
 * answer queued actions with scripted results, wait for triggers. For tests, interop checks and operators. */
#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <stdbool.h>
#include <netdb.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "common/alloc.h"
#include "common/err.h"
#include "common/timeutil.h"
#include "distress/client.h"
#include "distress/codec.h"
#include "distress/trigger.h"

#define LF_MAX_ANSWERS 16

/* Exit statuses. */
enum { EX_OK = 0, EX_USAGE = 1, EX_AUTH = 2, EX_PROTOCOL = 3, EX_NET = 4 };

static void lf__usage(FILE *f)
{
	fprintf(f,
	        "NAME\n"
	        "    distress-client - talk to a Lifeline HeMS over the distress channel as a HeNB does\n\n"
	        "SYNOPSIS\n"
	        "    distress-client --server URL --identity ID --psk HEX [--timeout MS] session [OPTIONS]\n"
	        "    distress-client --identity ID wait-trigger --listen IP:PORT --trigger-key HEX [OPTIONS]\n\n"
	        "DESCRIPTION\n"
	        "    session opens a distress session (CoAP POST /d/s over DTLS 1.2, PSK identity ID and key HEX, see\n"
	        "    docs/protocol/distress-channel.md), then fetches the pending actions one by one, answers each\n"
	        "    with a scripted result and ends the session when none is left. One line per step on stdout:\n"
	        "      session id=N pending=N poll_interval=N\n"
	        "      action id=N kind=KIND [url=... size=N sha256=HEX names=A,B ...]\n"
	        "      result id=N status=STATUS pending=N\n"
	        "      end pending=N\n"
	        "    wait-trigger listens for distress triggers (TR-069 Annex G datagrams signed with the trigger\n"
	        "    key) and checks each as a HeNB must: signature, identity, replay window, clock skew:\n"
	        "      trigger verdict=accepted|dropped id=N ts=N [reason=\"...\"]\n\n"
	        "SESSION OPTIONS\n"
	        "    --reason NAME          other | trigger | standard-path-failed | connreq-unserved |\n"
	        "                           alarm-undeliverable | resume (default trigger)\n"
	        "    --event CODE           an event of the INFORM (repeatable), e.g. \"1 BOOT\"\n"
	        "    --sw VERSION           SoftwareVersion (default 1.0.0)\n"
	        "    --trigger-address A    where this HeNB listens for triggers (ip:port)\n"
	        "    --alarm SPEC           a pending alarm: ID|EventType|ProbableCause|Severity|SpecificProblem\n"
	        "    --answer KIND=RESULT   how to answer actions of KIND (repeatable; default success):\n"
	        "                           success | accepted | failed:CODE[:TEXT]\n"
	        "    --diag-results TEXT    diagnostic results (default \"sw=pass;config=pass\")\n"
	        "    --poll                 when the HeMS says to poll again, wait and poll (up to --timeout-total)\n"
	        "    --timeout-total S      seconds the session may last with --poll (default 60)\n"
	        "    --open-only            open the session and stop (no fetching)\n\n"
	        "WAIT-TRIGGER OPTIONS\n"
	        "    --listen IP:PORT       UDP address to listen on\n"
	        "    --trigger-key HEX      the device's trigger key (64 hex characters)\n"
	        "    --count N              datagrams to read before exiting (default 1)\n"
	        "    --wait S               seconds to wait in all (default 30)\n"
	        "    --max-skew S           accepted |ts - now| (default 300)\n\n"
	        "EXIT STATUS\n"
	        "    0 done; 1 usage; 2 DTLS handshake failed or not authorized (4.01) or no trigger accepted;\n"
	        "    3 the HeMS refused a request (4.xx); 4 network error or timeout.\n");
}

static int lf__exit_of(int result)
{
	switch (result) {
	case LF_OK:
		return EX_OK;
	case LF_EAUTH:
		return EX_AUTH;
	case LF_ETIMEOUT:
	case LF_ENET:
		return EX_NET;
	default:
		return EX_PROTOCOL;
	}
}

struct lf__answer {
	int kind;
	int status;
	unsigned fault;
	char text[128];
};

struct lf__opts {
	const char *server, *identity, *psk;
	unsigned timeout_ms;
	/* session */
	int reason;
	struct distress_inform in;
	struct lf__answer answers[LF_MAX_ANSWERS];
	size_t n_answers;
	const char *diag_results;
	int poll;
	int timeout_total_s;
	int open_only;
	/* wait-trigger */
	const char *listen;
	const char *trigger_key;
	int count;
	int wait_s;
	unsigned max_skew;
};

static int lf__parse_answer(const char *spec, struct lf__answer *a)
{
	char kind[32];
	const char *eq = strchr(spec, '=');
	if (!eq || (size_t)(eq - spec) >= sizeof(kind))
		return -1;
	memcpy(kind, spec, (size_t)(eq - spec));
	kind[eq - spec] = '\0';
	memset(a, 0, sizeof(*a));
	a->kind = distress_kind_parse(kind);
	if (a->kind <= 0)
		return -1;
	const char *r = eq + 1;
	if (strcmp(r, "success") == 0) {
		a->status = DISTRESS_STATUS_SUCCESS;
	} else if (strcmp(r, "accepted") == 0) {
		a->status = DISTRESS_STATUS_ACCEPTED;
	} else if (strncmp(r, "failed:", 7) == 0) {
		char *end;
		a->status = DISTRESS_STATUS_FAILED;
		a->fault = (unsigned)strtoul(r + 7, &end, 10);
		if (a->fault == 0 || (*end && *end != ':'))
			return -1;
		if (*end == ':')
			snprintf(a->text, sizeof(a->text), "%s", end + 1);
	} else {
		return -1;
	}
	return 0;
}

static int lf__parse_alarm(const char *spec, struct distress_alarm *a)
{
	char buf[600];
	char *f[5] = {NULL};
	int n = 0;
	snprintf(buf, sizeof(buf), "%s", spec);
	f[n++] = buf;
	for (char *p = buf; *p && n < 5; p++)
		if (*p == '|') {
			*p = '\0';
			f[n++] = p + 1;
		}
	if (n < 4)
		return -1;
	memset(a, 0, sizeof(*a));
	int sev = distress_severity_parse(f[3]);
	if (sev < 0)
		return -1;
	snprintf(a->alarm_identifier, sizeof(a->alarm_identifier), "%s", f[0]);
	snprintf(a->event_type, sizeof(a->event_type), "%s", f[1]);
	snprintf(a->probable_cause, sizeof(a->probable_cause), "%s", f[2]);
	a->severity = (uint8_t)sev;
	if (n == 5)
		snprintf(a->specific_problem, sizeof(a->specific_problem), "%s", f[4]);
	snprintf(a->managed_object, sizeof(a->managed_object), "Device.");
	time_t now = time(NULL);
	struct tm tm;
	gmtime_r(&now, &tm);
	strftime(a->event_time, sizeof(a->event_time), "%Y-%m-%dT%H:%M:%SZ", &tm);
	return 0;
}

static void lf__print_action(const struct distress_action *a)
{
	printf("action id=%llu kind=%s", (unsigned long long)a->id, distress_kind_name(a->kind));
	if (a->command_key[0])
		printf(" command_key=%s", a->command_key);
	if (a->url[0])
		printf(" url=%s size=%llu", a->url, (unsigned long long)a->file_size);
	if (a->has_sha256) {
		printf(" sha256=");
		for (int i = 0; i < 32; i++)
			printf("%02x", a->sha256[i]);
	}
	if (a->target_version[0])
		printf(" target_version=%s", a->target_version);
	for (size_t i = 0; i < a->n_names; i++)
		printf("%s%s", i ? "," : " names=", a->names[i]);
	printf(" pending=%u\n", a->pending);
	fflush(stdout);
}

/* The scripted result of one action. */
static void lf__result_for(const struct lf__opts *o, const struct distress_action *a, struct distress_result *r)
{
	struct lf__answer ans = {a->kind, DISTRESS_STATUS_SUCCESS, 0, ""};
	for (size_t i = 0; i < o->n_answers; i++)
		if (o->answers[i].kind == a->kind)
			ans = o->answers[i];
	memset(r, 0, sizeof(*r));
	r->action_id = a->id;
	r->status = (uint8_t)ans.status;
	if (ans.status == DISTRESS_STATUS_FAILED) {
		r->fault_code = ans.fault;
		snprintf(r->fault_string, sizeof(r->fault_string), "%s", ans.text);
		return;
	}
	if (ans.status == DISTRESS_STATUS_ACCEPTED)
		return;
	switch (a->kind) {
	case DISTRESS_KIND_GET:
		/* Like the scripted CPE of the CWMP tests: value-of-<last name segment>. */
		for (size_t i = 0; i < a->n_names && i < DISTRESS_MAX_PARAMS; i++) {
			const char *last = strrchr(a->names[i], '.');
			snprintf(r->params[i].name, sizeof(r->params[i].name), "%s", a->names[i]);
			snprintf(r->params[i].value, sizeof(r->params[i].value), "value-of-%.200s",
			         last ? last + 1 : a->names[i]);
			r->n_params++;
		}
		break;
	case DISTRESS_KIND_DIAGNOSTIC:
		snprintf(r->diag_state, sizeof(r->diag_state), "Complete");
		snprintf(r->diag_results, sizeof(r->diag_results), "%s", o->diag_results);
		break;
	case DISTRESS_KIND_DOWNLOAD:
		snprintf(r->software_version, sizeof(r->software_version), "%s",
		         a->target_version[0] ? a->target_version : o->in.software_version);
		break;
	case DISTRESS_KIND_INFORM:
		snprintf(r->software_version, sizeof(r->software_version), "%s", o->in.software_version);
		memcpy(r->alarms, o->in.alarms, sizeof(r->alarms));
		r->n_alarms = o->in.n_alarms;
		break;
	default:
		break;
	}
}

static int lf__session(struct lf__opts *o)
{
	struct distress_client_config cfg = {o->server, o->identity, o->psk, o->timeout_ms};
	struct distress_client *c = NULL;
	struct distress_welcome w;
	struct distress_action *a = lf_calloc(1, sizeof(*a));
	struct distress_result *r = lf_calloc(1, sizeof(*r));
	char err[512];
	int result = distress_client_new(&cfg, &c, err, sizeof(err));
	if (result)
		goto out;
	snprintf(o->in.device_id, sizeof(o->in.device_id), "%s", o->identity);
	result = distress_client_open(c, &o->in, &w, err, sizeof(err));
	if (result)
		goto out;
	printf("session id=%llu pending=%u poll_interval=%u session_timeout=%u\n", (unsigned long long)w.session_id,
	       w.pending, w.poll_interval, w.session_timeout);
	fflush(stdout);
	if (o->open_only)
		goto out;
	int64_t deadline = lf_now_ms() + (int64_t)o->timeout_total_s * 1000;
	for (;;) {
		result = distress_client_next(c, a, err, sizeof(err));
		if (result)
			goto out;
		if (a->kind == DISTRESS_KIND_NONE) {
			if (o->poll && a->retry_after && lf_now_ms() + a->retry_after * 1000 < deadline) {
				printf("wait seconds=%u\n", a->retry_after);
				fflush(stdout);
				sleep(a->retry_after);
				continue;
			}
			break;
		}
		lf__print_action(a);
		lf__result_for(o, a, r);
		struct distress_ack ack;
		result = distress_client_result(c, r, &ack, err, sizeof(err));
		if (result)
			goto out;
		printf("result id=%llu status=%s pending=%u\n", (unsigned long long)r->action_id,
		       distress_status_name(r->status), ack.pending);
		fflush(stdout);
	}
	struct distress_ack ack;
	result = distress_client_end(c, &ack, err, sizeof(err));
	if (!result)
		printf("end pending=%u\n", ack.pending);
out:
	if (result)
		fprintf(stderr, "distress-client: %s (%s)\n", err, lf_strerror(result));
	distress_client_free(&c);
	lf_free(a);
	lf_free(r);
	return lf__exit_of(result);
}

static int lf__wait_trigger(const struct lf__opts *o)
{
	char host[80];
	const char *colon = strrchr(o->listen, ':');
	if (!colon || (size_t)(colon - o->listen) >= sizeof(host)) {
		fprintf(stderr, "distress-client: --listen must be IP:PORT\n");
		return EX_USAGE;
	}
	memcpy(host, o->listen, (size_t)(colon - o->listen));
	host[colon - o->listen] = '\0';
	struct addrinfo hints = {.ai_flags = AI_NUMERICHOST | AI_PASSIVE, .ai_socktype = SOCK_DGRAM}, *ai = NULL;
	if (getaddrinfo(host[0] == '[' ? host + 1 : host, colon + 1, &hints, &ai) != 0 || !ai) {
		fprintf(stderr, "distress-client: --listen %s is not a numeric IP:PORT\n", o->listen);
		return EX_USAGE;
	}
	int fd = socket(ai->ai_family, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0 || bind(fd, ai->ai_addr, ai->ai_addrlen) != 0) {
		fprintf(stderr, "distress-client: cannot listen on %s: %s\n", o->listen, strerror(errno));
		freeaddrinfo(ai);
		if (fd >= 0)
			close(fd);
		return EX_NET;
	}
	freeaddrinfo(ai);
	printf("listening address=%s\n", o->listen);
	fflush(stdout);
	struct distress_trigger_state st;
	memset(&st, 0, sizeof(st));
	int64_t deadline = lf_now_ms() + (int64_t)o->wait_s * 1000;
	int seen = 0;
	while (seen < o->count) {
		int64_t left = deadline - lf_now_ms();
		if (left <= 0)
			break;
		struct pollfd p = {.fd = fd, .events = POLLIN};
		if (poll(&p, 1, (int)left) <= 0)
			continue;
		char buf[DISTRESS_TRIGGER_MAX + 2];
		ssize_t n = recv(fd, buf, sizeof(buf) - 1, 0);
		if (n < 0)
			continue;
		struct cwmp_udp_cr m;
		char err[256];
		int result = distress_trigger_accept(&st, buf, (size_t)n, o->identity, o->trigger_key,
		                                     (uint64_t)time(NULL), o->max_skew, &m, err, sizeof(err));
		if (result)
			printf("trigger verdict=dropped id=%llu ts=%llu reason=\"%s\"\n", (unsigned long long)m.id,
			       (unsigned long long)m.ts, err);
		else
			printf("trigger verdict=accepted id=%llu ts=%llu un=%s\n", (unsigned long long)m.id,
			       (unsigned long long)m.ts, m.un);
		fflush(stdout);
		seen++;
	}
	close(fd);
	if (!st.accepted)
		fprintf(stderr, "distress-client: no trigger accepted (%d datagrams)\n", seen);
	return st.accepted ? EX_OK : (seen ? EX_AUTH : EX_NET);
}

/* Long options (values above any short option character). */
enum {
	O_SERVER = 256,
	O_IDENTITY,
	O_PSK,
	O_TIMEOUT,
	O_REASON,
	O_EVENT,
	O_SW,
	O_TRIGGER_ADDRESS,
	O_ALARM,
	O_ANSWER,
	O_DIAG,
	O_POLL,
	O_TOTAL,
	O_OPEN_ONLY,
	O_LISTEN,
	O_TRIGGER_KEY,
	O_COUNT,
	O_WAIT,
	O_SKEW
};

/* The connection options, accepted before and after the command. false: not one of them. */
static bool lf__connection_opt(struct lf__opts *o, int opt)
{
	switch (opt) {
	case O_SERVER: o->server = optarg; return true;
	case O_IDENTITY: o->identity = optarg; return true;
	case O_PSK: o->psk = optarg; return true;
	case O_TIMEOUT: o->timeout_ms = (unsigned)strtoul(optarg, NULL, 10); return true;
	default: return false;
	}
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
	    {"server", required_argument, NULL, O_SERVER},
	    {"identity", required_argument, NULL, O_IDENTITY},
	    {"psk", required_argument, NULL, O_PSK},
	    {"timeout", required_argument, NULL, O_TIMEOUT},
	    {"reason", required_argument, NULL, O_REASON},
	    {"event", required_argument, NULL, O_EVENT},
	    {"sw", required_argument, NULL, O_SW},
	    {"trigger-address", required_argument, NULL, O_TRIGGER_ADDRESS},
	    {"alarm", required_argument, NULL, O_ALARM},
	    {"answer", required_argument, NULL, O_ANSWER},
	    {"diag-results", required_argument, NULL, O_DIAG},
	    {"poll", no_argument, NULL, O_POLL},
	    {"timeout-total", required_argument, NULL, O_TOTAL},
	    {"open-only", no_argument, NULL, O_OPEN_ONLY},
	    {"listen", required_argument, NULL, O_LISTEN},
	    {"trigger-key", required_argument, NULL, O_TRIGGER_KEY},
	    {"count", required_argument, NULL, O_COUNT},
	    {"wait", required_argument, NULL, O_WAIT},
	    {"max-skew", required_argument, NULL, O_SKEW},
	    {"help", no_argument, NULL, 'h'},
	    {NULL, 0, NULL, 0},
	};
	struct lf__opts *o = lf_calloc(1, sizeof(*o));
	int opt, status = EX_USAGE;
	o->server = "coaps://127.0.0.1:5684";
	o->in.reason = DISTRESS_REASON_TRIGGER;
	snprintf(o->in.software_version, sizeof(o->in.software_version), "1.0.0");
	o->diag_results = "sw=pass;config=pass";
	o->timeout_total_s = 60;
	o->count = 1;
	o->wait_s = 30;
	o->max_skew = 300;
	/* "+": stop at the command, whose options follow it. */
	while ((opt = getopt_long(argc, argv, "+h", opts, NULL)) != -1) {
		if (lf__connection_opt(o, opt))
			continue;
		switch (opt) {
		case 'h':
			lf__usage(stdout);
			status = EX_OK;
			goto out;
		default:
			lf__usage(stderr);
			goto out;
		}
	}
	if (optind >= argc) {
		lf__usage(stderr);
		goto out;
	}
	const char *cmd = argv[optind];
	optind++;
	while ((opt = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		if (lf__connection_opt(o, opt))
			continue;
		switch (opt) {
		case O_REASON: {
			int r = -1;
			for (int i = 0; i <= DISTRESS_REASON_MAX; i++)
				if (strcmp(distress_reason_name(i), optarg) == 0)
					r = i;
			if (r < 0) {
				fprintf(stderr, "distress-client: unknown reason '%s'\n", optarg);
				goto out;
			}
			o->in.reason = (uint8_t)r;
			break;
		}
		case O_EVENT:
			if (o->in.n_events == DISTRESS_MAX_EVENTS || strlen(optarg) > DISTRESS_LEN_EVENT) {
				fprintf(stderr, "distress-client: too many or too long --event\n");
				goto out;
			}
			snprintf(o->in.events[o->in.n_events++], sizeof(o->in.events[0]), "%s", optarg);
			break;
		case O_SW:
			snprintf(o->in.software_version, sizeof(o->in.software_version), "%s", optarg);
			break;
		case O_TRIGGER_ADDRESS:
			snprintf(o->in.trigger_address, sizeof(o->in.trigger_address), "%s", optarg);
			break;
		case O_ALARM:
			if (o->in.n_alarms == DISTRESS_MAX_ALARMS ||
			    lf__parse_alarm(optarg, &o->in.alarms[o->in.n_alarms])) {
				fprintf(stderr,
				        "distress-client: bad --alarm '%s' (ID|EventType|ProbableCause|Severity"
				        "|SpecificProblem)\n",
				        optarg);
				goto out;
			}
			o->in.n_alarms++;
			break;
		case O_ANSWER:
			if (o->n_answers == LF_MAX_ANSWERS || lf__parse_answer(optarg, &o->answers[o->n_answers])) {
				fprintf(
				    stderr,
				    "distress-client: bad --answer '%s' (KIND=success|accepted|failed:CODE[:TEXT])\n",
				    optarg);
				goto out;
			}
			o->n_answers++;
			break;
		case O_DIAG:
			o->diag_results = optarg;
			break;
		case O_POLL:
			o->poll = 1;
			break;
		case O_TOTAL:
			o->timeout_total_s = (int)strtol(optarg, NULL, 10);
			break;
		case O_OPEN_ONLY:
			o->open_only = 1;
			break;
		case O_LISTEN:
			o->listen = optarg;
			break;
		case O_TRIGGER_KEY:
			o->trigger_key = optarg;
			break;
		case O_COUNT:
			o->count = (int)strtol(optarg, NULL, 10);
			break;
		case O_WAIT:
			o->wait_s = (int)strtol(optarg, NULL, 10);
			break;
		case O_SKEW:
			o->max_skew = (unsigned)strtoul(optarg, NULL, 10);
			break;
		case 'h':
			lf__usage(stdout);
			status = EX_OK;
			goto out;
		default:
			lf__usage(stderr);
			goto out;
		}
	}
	if (!o->identity) {
		fprintf(stderr, "distress-client: --identity is required\n");
		goto out;
	}
	if (strcmp(cmd, "session") == 0) {
		if (!o->psk) {
			fprintf(stderr, "distress-client: session needs --psk\n");
			goto out;
		}
		status = lf__session(o);
	} else if (strcmp(cmd, "wait-trigger") == 0) {
		if (!o->listen || !o->trigger_key || o->count < 1 || o->wait_s < 1) {
			fprintf(stderr, "distress-client: wait-trigger needs --listen and --trigger-key\n");
			goto out;
		}
		status = lf__wait_trigger(o);
	} else {
		fprintf(stderr, "distress-client: unknown command '%s'\n", cmd);
		lf__usage(stderr);
	}
out:
	lf_free(o);
	return status;
}
