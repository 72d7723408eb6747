/* main.c: hemsd, the HeNB Management System daemon: CWMP ACS, NBI, store. */
#include <curl/curl.h>
#include <errno.h>
#include <poll.h>
#include <sys/signalfd.h>
#include <unistd.h>
#include <getopt.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "common/err.h"
#include "common/log.h"
#include "common/timeutil.h"
#include "hems/config.h"
#include "hems/connreq.h"
#include "hems/distress_server.h"
#include "hems/enforcement.h"
#include "hems/hems.h"
#include "hems/http_front.h"
#include "hems/outbox.h"
#include "hems/nbi.h"
#include "hems/policy.h"
#include "hems/remediation.h"
#include "hems/roles.h"
#include "hems/session.h"
#include "store/store.h"

static void lf__usage(FILE *f)
{
	fprintf(f,
		"NAME\n"
		"    hemsd - Lifeline HeNB Management System (TR-069 ACS, northbound interface)\n\n"
		"SYNOPSIS\n"
		"    hemsd [-c FILE] [--set SECTION.KEY=VALUE]... [--port-file FILE]\n\n"
		"DESCRIPTION\n"
		"    A TR-069 ACS for HeNBs. Accepts CWMP sessions (Inform, TransferComplete, RequestDownload,\n"
		"    GetRPCMethods), records each device and its parameters, runs the tasks queued for a device\n"
		"    (every CPE RPC) in its next session, wakes devices with HTTP or UDP connection requests,\n"
		"    refuses blocked devices, serves firmware files (/files/NAME, with Range), metrics\n"
		"    (/metrics, Prometheus text) and the northbound JSON interface under /nbi/v1/\n"
		"    (Authorization: Bearer <nbi.token>; see docs/nbi-openapi.yaml). CPEs authenticate with\n"
		"    HTTP Digest, Basic (TLS only) or a TLS client certificate (cwmp.auth). Logs are key=value\n"
		"    lines on stderr. SIGTERM or SIGINT stop it cleanly; queued tasks survive restarts.\n\n"
		"OPTIONS\n"
		"    -c, --config FILE     configuration file (see docs/operations.md, etc/hemsd.conf.example)\n"
		"    --set KEY=VALUE       override one configuration key, e.g. --set hemsd.listen_port=7547\n"
		"    --port-file FILE      write the bound TCP port to FILE once listening (useful with port 0)\n"
		"    --print-policy        print the shipped default remediation policy (docs/policy.md) and exit\n"
		"    -h, --help            this text\n"
		"    -V, --version         print the version\n\n"
		"CONFIGURATION KEYS\n");
	hems_config_print_keys();
	fprintf(f, "\nEXIT STATUS\n    0 after a clean stop, 1 on a start-up error (the message names the cause).\n");
}

/* The event loop: the HTTP server, timers (session expiry, case deadlines) and signals, in one thread. */
static int lf__loop(struct hems *h, struct hems_http *http, int sfd)
{
	int64_t last_tick = 0;
	for (;;) {
		struct pollfd pfd[3] = {{.fd = hems_http_fd(http), .events = POLLIN}, {.fd = sfd, .events = POLLIN},
					{.fd = hems_distress_fd(h), .events = POLLIN}}; /* fd -1 (off): poll skips it */
		int timeout = hems_http_timeout_ms(http);
		if (timeout < 0 || timeout > 1000)
			timeout = 1000; /* timers below run at least once a second */
		int distress_timeout = hems_distress_timeout_ms(h);
		if (distress_timeout >= 0 && distress_timeout < timeout)
			timeout = distress_timeout;
		int n = poll(pfd, 3, timeout);
		if (n < 0 && errno != EINTR) {
			lf_error("poll_failed", "errno=%d", errno);
			return 1;
		}
		if (pfd[1].revents & POLLIN) {
			struct signalfd_siginfo si;
			ssize_t r = read(sfd, &si, sizeof(si));
			lf_info("stopping", "signal=%d", r == (ssize_t)sizeof(si) ? (int)si.ssi_signo : 0);
			return 0;
		}
		hems_http_run(http);
		hems_distress_run(h);
		int64_t now = lf_now_ms();
		if (now - last_tick >= 500) {
			hems_sessions_expire(h, now, h->cfg.session_timeout_s * 1000);
			hems_remediation_tick(h, now);
			hems_enforcement_poll(h);
			hems_distress_tick(h, now);
			last_tick = now;
		}
	}
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{"config", required_argument, NULL, 'c'}, {"set", required_argument, NULL, 's'},
		{"port-file", required_argument, NULL, 'p'}, {"help", no_argument, NULL, 'h'},
		{"version", no_argument, NULL, 'V'}, {"print-policy", no_argument, NULL, 'P'},
		{NULL, 0, NULL, 0},
	};
	struct hems h;
	char err[512];
	const char *config_path = NULL;
	const char *port_file = NULL;
	const char *sets[64];
	int nsets = 0;
	int opt;
	int status = 1;
	struct hems_http *http = NULL;

	memset(&h, 0, sizeof(h));
	hems_config_defaults(&h.cfg);
	while ((opt = getopt_long(argc, argv, "c:hVP", opts, NULL)) != -1) {
		switch (opt) {
		case 'c': config_path = optarg; break;
		case 's':
			if (nsets == 64) {
				fprintf(stderr, "hemsd: too many --set options\n");
				return 1;
			}
			sets[nsets++] = optarg;
			break;
		case 'p': port_file = optarg; break;
		case 'h': lf__usage(stdout); return 0;
		case 'V': printf("hemsd 0.1.0\n"); return 0;
		case 'P': fputs(policy_default_text(), stdout); return 0;
		default: lf__usage(stderr); return 1;
		}
	}
	if (config_path && hems_config_load(&h.cfg, config_path, err, sizeof(err))) {
		fprintf(stderr, "hemsd: %s\n", err);
		return 1;
	}
	for (int i = 0; i < nsets; i++)
		if (hems_config_set(&h.cfg, sets[i], err, sizeof(err))) {
			fprintf(stderr, "hemsd: %s\n", err);
			return 1;
		}
	int level = lf_log_level_parse(h.cfg.log_level);
	if (level < 0) {
		fprintf(stderr, "hemsd: hemsd.log_level '%s' is not debug, info, warn or error\n", h.cfg.log_level);
		return 1;
	}
	lf_log_init("hemsd", (enum lf_log_level)level);

	/* Stop signals arrive through a signalfd in the loop; block them before any thread starts. */
	sigset_t stop;
	sigemptyset(&stop);
	sigaddset(&stop, SIGTERM);
	sigaddset(&stop, SIGINT);
	pthread_sigmask(SIG_BLOCK, &stop, NULL);
	signal(SIGPIPE, SIG_IGN);
	int sfd = signalfd(-1, &stop, SFD_CLOEXEC);
	if (sfd < 0) {
		fprintf(stderr, "hemsd: signalfd failed\n");
		return 1;
	}

	if (store_open(h.cfg.store, &h.store, err, sizeof(err))) {
		fprintf(stderr, "hemsd: %s\n", err);
		goto out;
	}
	int orphans = 0;
	/* Tasks sent by a previous hemsd whose session died with it: their outcome is unknown, say so. */
	store_task_fail_sent(h.store, "hemsd restarted while the task was in a session", (int64_t)time(NULL), &orphans);
	if (orphans)
		lf_warn("tasks_orphaned", "count=%d", orphans);
	if (hems_nbi_init(&h, err, sizeof(err))) {
		fprintf(stderr, "hemsd: %s\n", err);
		goto out;
	}
	if (hems_roles_init(&h, err, sizeof(err))) {
		fprintf(stderr, "hemsd: %s\n", err);
		goto out;
	}
	if (hems_remediation_init(&h, err, sizeof(err))) {
		fprintf(stderr, "hemsd: %s\n", err);
		goto out;
	}
	h.sessions = hems_sessions_new((size_t)h.cfg.max_sessions);
	curl_global_init(CURL_GLOBAL_DEFAULT);
	if (hems_connreq_start(&h, err, sizeof(err))) {
		fprintf(stderr, "hemsd: %s\n", err);
		goto out;
	}
	hems_remediation_resume(&h); /* may wake devices: after the connection request worker is up */
	/* Enforcement before the outbox: the delivery worker reports webhook results to it. */
	if (hems_enforcement_start(&h, err, sizeof(err)) || hems_outbox_start(&h, err, sizeof(err))) {
		fprintf(stderr, "hemsd: %s\n", err);
		goto out;
	}
	if (hems_http_start(&h, &http, err, sizeof(err))) {
		fprintf(stderr, "hemsd: %s\n", err);
		goto out;
	}
	lf_info("started", "role=%s address=%s port=%u tls=%s auth=%s cwmp_path=%s store=%s schema=%d", h.cfg.role, h.cfg.listen_address,
		h.port, h.cfg.tls_cert[0] ? "yes" : "no", h.cfg.auth, h.cfg.cwmp_path, h.cfg.store,
		store_schema_version(h.store));
	if (h.cfg.file_base_url[0])
		snprintf(h.file_base_url, sizeof(h.file_base_url), "%s", h.cfg.file_base_url);
	else
		snprintf(h.file_base_url, sizeof(h.file_base_url), "%s://%s:%u", h.cfg.tls_cert[0] ? "https" : "http",
			 h.cfg.listen_address, h.port);
	/* The distress channel (5.7.3.1) after file_base_url: its download actions point there. */
	if (hems_distress_start(&h, err, sizeof(err))) {
		fprintf(stderr, "hemsd: %s\n", err);
		goto out;
	}
	hems_distress_set_result_hook(&h, hems_remediation_on_distress_result);
	if (port_file) {
		FILE *f = fopen(port_file, "w");
		if (!f) {
			fprintf(stderr, "hemsd: cannot write port file %s\n", port_file);
			goto out;
		}
		fprintf(f, "%u\n", h.port);
		fclose(f);
	}

	status = lf__loop(&h, http, sfd);
out:
	hems_http_stop(&http);
	hems_distress_stop(&h);
	hems_outbox_stop(&h);
	hems_enforcement_stop(&h);
	hems_connreq_stop(&h);
	hems_sessions_free(&h.sessions);
	hems_remediation_free(&h);
	hems_roles_free(&h);
	hems_nbi_free(&h);
	store_close(&h.store);
	close(sfd);
	return status;
}
