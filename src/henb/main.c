/* main.c: henbd, the HeNB agent: TR-069 CPE of a femtocell. */
#include <curl/curl.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>

#include "common/log.h"
#include "henb/agent.h"
#include "henb/config.h"

static struct henb_agent lf__agent;

static void lf__on_signal(int sig)
{
	(void)sig;
	henb_agent_stop(&lf__agent);
}

static void lf__usage(FILE *f)
{
	fprintf(f,
		"NAME\n"
		"    henbd - Lifeline HeNB agent (TR-069 CPE of a femtocell)\n\n"
		"SYNOPSIS\n"
		"    henbd [-c FILE] [--set SECTION.KEY=VALUE]...\n\n"
		"DESCRIPTION\n"
		"    Registers the HeNB at its HeMS with Inform (0 BOOTSTRAP on first contact, 1 BOOT on every\n"
		"    start, 2 PERIODIC on PeriodicInformInterval), answers the HeMS's requests in the session,\n"
		"    and retries failed sessions with the randomised, growing waits of TR-069 3.2.1.1.\n"
		"    State is kept in henb.state_dir/henbd.state, replaced atomically. Logs are key=value lines\n"
		"    on stderr. SIGTERM or SIGINT stop it cleanly.\n\n"
		"OPTIONS\n"
		"    -c, --config FILE     configuration file (see etc/henbd.conf.example)\n"
		"    --set KEY=VALUE       override one configuration key, e.g. --set acs.url=http://hems:7547/cwmp\n"
		"    -h, --help            this text\n"
		"    -V, --version         print the version\n\n"
		"CONFIGURATION KEYS\n");
	henb_config_print_keys();
	fprintf(f, "\nEXIT STATUS\n    0 after a clean stop, 1 on a start-up error (the message names the cause).\n");
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{"config", required_argument, NULL, 'c'}, {"set", required_argument, NULL, 's'},
		{"help", no_argument, NULL, 'h'}, {"version", no_argument, NULL, 'V'}, {NULL, 0, NULL, 0},
	};
	struct henb_config cfg;
	char err[512];
	const char *config_path = NULL;
	const char *sets[64];
	int nsets = 0;
	int opt;

	henb_config_defaults(&cfg);
	while ((opt = getopt_long(argc, argv, "c:hV", opts, NULL)) != -1) {
		switch (opt) {
		case 'c': config_path = optarg; break;
		case 's':
			if (nsets == 64) {
				fprintf(stderr, "henbd: too many --set options\n");
				return 1;
			}
			sets[nsets++] = optarg;
			break;
		case 'h': lf__usage(stdout); return 0;
		case 'V': printf("henbd 0.1.0\n"); return 0;
		default: lf__usage(stderr); return 1;
		}
	}
	if (config_path && henb_config_load(&cfg, config_path, err, sizeof(err))) {
		fprintf(stderr, "henbd: %s\n", err);
		return 1;
	}
	for (int i = 0; i < nsets; i++)
		if (henb_config_set(&cfg, sets[i], err, sizeof(err))) {
			fprintf(stderr, "henbd: %s\n", err);
			return 1;
		}
	int level = lf_log_level_parse(cfg.log_level);
	if (level < 0) {
		fprintf(stderr, "henbd: henb.log_level '%s' is not debug, info, warn or error\n", cfg.log_level);
		return 1;
	}
	lf_log_init("henbd", (enum lf_log_level)level);
	curl_global_init(CURL_GLOBAL_DEFAULT);

	if (henb_agent_init(&lf__agent, &cfg, err, sizeof(err))) {
		fprintf(stderr, "henbd: %s\n", err);
		henb_agent_free(&lf__agent);
		curl_global_cleanup();
		return 1;
	}
	struct sigaction sa;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = lf__on_signal;
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);

	henb_agent_run(&lf__agent);
	henb_agent_free(&lf__agent);
	curl_global_cleanup();
	return 0;
}
