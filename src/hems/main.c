/* main.c: hemsd, the HeNB Management System daemon: CWMP ACS, NBI, store. */
#include <getopt.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/err.h"
#include "common/log.h"
#include "hems/config.h"
#include "hems/hems.h"
#include "hems/http_front.h"
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
		"    Accepts CWMP sessions from HeNBs (Inform, TransferComplete, RequestDownload, GetRPCMethods),\n"
		"    records each device and its parameters in the store, and serves the northbound JSON\n"
		"    interface under /nbi/v1/ (Authorization: Bearer <nbi.token>). Logs are key=value lines\n"
		"    on stderr. SIGTERM or SIGINT stop it cleanly.\n\n"
		"OPTIONS\n"
		"    -c, --config FILE     configuration file (see docs/operations.md, etc/hemsd.conf.example)\n"
		"    --set KEY=VALUE       override one configuration key, e.g. --set hemsd.listen_port=7547\n"
		"    --port-file FILE      write the bound TCP port to FILE once listening (useful with port 0)\n"
		"    -h, --help            this text\n"
		"    -V, --version         print the version\n\n"
		"CONFIGURATION KEYS\n");
	hems_config_print_keys();
	fprintf(f, "\nEXIT STATUS\n    0 after a clean stop, 1 on a start-up error (the message names the cause).\n");
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{"config", required_argument, NULL, 'c'}, {"set", required_argument, NULL, 's'},
		{"port-file", required_argument, NULL, 'p'}, {"help", no_argument, NULL, 'h'},
		{"version", no_argument, NULL, 'V'}, {NULL, 0, NULL, 0},
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
	while ((opt = getopt_long(argc, argv, "c:hV", opts, NULL)) != -1) {
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

	/* Block the stop signals before any thread starts, so only sigwait below receives them. */
	sigset_t stop;
	sigemptyset(&stop);
	sigaddset(&stop, SIGTERM);
	sigaddset(&stop, SIGINT);
	pthread_sigmask(SIG_BLOCK, &stop, NULL);
	signal(SIGPIPE, SIG_IGN);

	if (store_open(h.cfg.store, &h.store, err, sizeof(err))) {
		fprintf(stderr, "hemsd: %s\n", err);
		goto out;
	}
	h.sessions = hems_sessions_new((size_t)h.cfg.max_sessions);
	if (hems_http_start(&h, &http, err, sizeof(err))) {
		fprintf(stderr, "hemsd: %s\n", err);
		goto out;
	}
	lf_info("started", "address=%s port=%u cwmp_path=%s store=%s schema=%d", h.cfg.listen_address, h.port,
		h.cfg.cwmp_path, h.cfg.store, store_schema_version(h.store));
	if (port_file) {
		FILE *f = fopen(port_file, "w");
		if (!f) {
			fprintf(stderr, "hemsd: cannot write port file %s\n", port_file);
			goto out;
		}
		fprintf(f, "%u\n", h.port);
		fclose(f);
	}

	int sig = 0;
	sigwait(&stop, &sig);
	lf_info("stopping", "signal=%d", sig);
	status = 0;
out:
	hems_http_stop(&http);
	hems_sessions_free(&h.sessions);
	store_close(&h.store);
	return status;
}
