/* main.c: henbsim, a fleet of simulated HeNBs in one process: options, signals, the run. */
#include <curl/curl.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/err.h"
#include "common/log.h"
#include "henbsim/fleet.h"

static void lf__usage(FILE *f)
{
	fprintf(f,
		"NAME\n"
		"    henbsim - a fleet of simulated HeNBs in one process, for load and storm tests of a HeMS\n\n"
		"SYNOPSIS\n"
		"    henbsim --acs URL --devices N --dir DIR [OPTIONS]\n\n"
		"DESCRIPTION\n"
		"    Runs N HeNBs on one event loop. Every device is henbd's own agent (the henb library: data model,\n"
		"    CWMP sessions with retry, periodic Informs, integrity monitor and its detectors, FaultMgmt alarms,\n"
		"    connection requests), with its own serial number, state directory and device directory under DIR\n"
		"    (put DIR on a tmpfs such as /dev/shm to keep the fleet in memory). One HTTP connection request\n"
		"    listener serves the whole fleet: device i advertises http://ADDRESS:PORT/cr/i and checks its own\n"
		"    Digest credentials. Devices power on at --rate per second (all at once by default); a share of\n"
		"    them can be tampered with or dropped from the network at a given time. A progress line is printed\n"
		"    every second and a summary at the end (sessions, failures by cause, latency percentiles).\n\n"
		"    Fleet defaults that differ from henbd's (override them with --set): cr.udp_enable=false,\n"
		"    distress.trigger_address= (no per-device UDP sockets), henb.hal_poll_ms=60000,\n"
		"    monitor.poll_ms=60000, monitor.config_check_ms=600000, henb.log_level=warn. A tampered device's\n"
		"    sensor raises the platform's interrupt, so its detector reads at once (debounce still applies).\n\n"
		"OPTIONS\n"
		"    --acs URL             the HeMS (acs.url of every device)\n"
		"    -n, --devices N       number of devices (default 100)\n"
		"    --dir DIR             the devices' directories (created; default /dev/shm/henbsim)\n"
		"    --rate R              devices powered on per second (default 0: all at once)\n"
		"    --serial-prefix P     serial numbers are P + 6-digit index (default SIM)\n"
		"    --periodic S          PeriodicInformInterval in seconds (acs.periodic_inform_interval)\n"
		"    --cr-address A        the shared connection request listener's address (default 127.0.0.1)\n"
		"    --cr-port P           its port (default 0: any free port)\n"
		"    --max-inflight N      sessions open at once (default 4096); devices due beyond it wait for a slot\n"
		"    --tamper SHARE:CHECK:AT[:PER_S]\n"
		"                          at AT seconds, SHARE (0..1) of the devices are tampered with, all at once or\n"
		"                          PER_S a second; CHECK is case, antenna, clock or circuit (their sensor in the\n"
		"                          device directory changes); AT written +S: S seconds after the whole fleet\n"
		"                          registered. Up to 4 events; a device is tampered with at most once\n"
		"    --drop SHARE:AT       at AT (or +S) seconds, SHARE of the devices drop off the network for good\n"
		"    --duration S          stop after S seconds\n"
		"    --until-registered    stop once every device had a good session\n"
		"    --until-alarms        stop once every tampered device delivered its alarm\n"
		"    --timeout S           stop the --until-* conditions after S seconds in any case\n"
		"    --linger S            once the --until-* conditions are met, keep running S seconds more\n"
		"    --set KEY=VALUE       henbd configuration for every device; \"{serial}\" in VALUE is replaced by the\n"
		"                          device's serial number (e.g. --set acs.password=pw-{serial})\n"
		"    --json FILE           write the summary as JSON\n"
		"    --timeline FILE       one line per second: t started registered sessions_ok sessions_failed\n"
		"                          alarms_delivered inflight (for plots)\n"
		"    -q, --quiet           no progress line\n"
		"    -h, --help            this text\n\n"
		"EXIT STATUS\n"
		"    0 when the run ended as asked (the conditions met, the duration reached or a signal), 2 when an\n"
		"    --until-* condition was not met before --timeout, 1 on a start-up error (the message names it).\n");
}

/* A number option: all of arg a number within [min, max], else a message naming the option. */
static int lf__number(const char *name, const char *arg, double min, double max, double *out)
{
	char *end;
	double v = strtod(arg, &end);
	if (end == arg || *end || !(v >= min && v <= max)) {
		fprintf(stderr, "henbsim: --%s '%s': a number from %g to %g\n", name, arg, min, max);
		return -1;
	}
	*out = v;
	return 0;
}

static void lf__on_signal(int sig)
{
	(void)sig;
	sim_stop();
}

static int lf__event(const char *arg, bool tamper, struct sim_event *ev)
{
	char check[32] = "";
	char copy[128];
	snprintf(copy, sizeof(copy), "%s", arg);
	char *plus = strchr(copy, '+');
	ev->after_registered = plus != NULL;
	if (plus)
		memmove(plus, plus + 1, strlen(plus));
	int n = tamper ? sscanf(copy, "%lf:%31[a-z]:%lf:%lf", &ev->share, check, &ev->at_s, &ev->per_s)
		       : sscanf(copy, "%lf:%lf", &ev->share, &ev->at_s);
	if (n < (tamper ? 3 : 2) || ev->share < 0 || ev->share > 1 || ev->at_s < 0 || ev->per_s < 0) {
		fprintf(stderr, "henbsim: --%s '%s': expected %s\n", tamper ? "tamper" : "drop", arg,
			tamper ? "SHARE:CHECK:AT[:PER_S], e.g. 0.1:case:30 or 0.01:antenna:+10:20" : "SHARE:AT, e.g. 0.05:60");
		return -1;
	}
	if (tamper) {
		int c = henb_check_parse(check);
		if (c != HENB_CHECK_CASE && c != HENB_CHECK_ANTENNA && c != HENB_CHECK_CLOCK && c != HENB_CHECK_CIRCUIT) {
			fprintf(stderr, "henbsim: --tamper: check '%s' is not simulated (case, antenna, clock, circuit)\n",
				check);
			return -1;
		}
		ev->check = (enum henb_check)c;
	}
	ev->used = true;
	return 0;
}

int main(int argc, char **argv)
{
	enum { O_ACS = 256, O_DIR, O_RATE, O_PREFIX, O_PERIODIC, O_CRA, O_CRP, O_INFL, O_TAMPER, O_DROP, O_DUR,
	       O_UREG, O_UALM, O_TMO, O_LINGER, O_SET, O_JSON, O_TL };
	static const struct option opts[] = {
		{"acs", required_argument, NULL, O_ACS}, {"devices", required_argument, NULL, 'n'},
		{"dir", required_argument, NULL, O_DIR}, {"rate", required_argument, NULL, O_RATE},
		{"serial-prefix", required_argument, NULL, O_PREFIX}, {"periodic", required_argument, NULL, O_PERIODIC},
		{"cr-address", required_argument, NULL, O_CRA}, {"cr-port", required_argument, NULL, O_CRP},
		{"max-inflight", required_argument, NULL, O_INFL}, {"tamper", required_argument, NULL, O_TAMPER},
		{"drop", required_argument, NULL, O_DROP}, {"duration", required_argument, NULL, O_DUR},
		{"until-registered", no_argument, NULL, O_UREG}, {"until-alarms", no_argument, NULL, O_UALM},
		{"timeout", required_argument, NULL, O_TMO}, {"linger", required_argument, NULL, O_LINGER}, {"set", required_argument, NULL, O_SET},
		{"json", required_argument, NULL, O_JSON}, {"timeline", required_argument, NULL, O_TL},
		{"quiet", no_argument, NULL, 'q'}, {"help", no_argument, NULL, 'h'}, {NULL, 0, NULL, 0},
	};
	static char periodic[64];
	struct sim_options o = {
		.devices = 100, .dir = "/dev/shm/henbsim", .serial_prefix = "SIM", .cr_address = "127.0.0.1",
		.max_inflight = 4096, .json_path = "", .timeline_path = "",
	};
	int opt;
	char *end;
	while ((opt = getopt_long(argc, argv, "n:qh", opts, NULL)) != -1) {
		switch (opt) {
		case O_ACS: o.acs_url = optarg; break;
		case 'n':
			o.devices = strtoul(optarg, &end, 10);
			if (*end || !o.devices || o.devices > 2000000) {
				fprintf(stderr, "henbsim: --devices '%s': a count from 1 to 2000000\n", optarg);
				return 1;
			}
			break;
		case O_DIR: o.dir = optarg; break;
		case O_RATE:
			if (lf__number("rate", optarg, 0, 1e7, &o.rate))
				return 1;
			break;
		case O_PREFIX: o.serial_prefix = optarg; break;
		case O_PERIODIC:
			snprintf(periodic, sizeof(periodic), "acs.periodic_inform_interval=%s", optarg);
			if (o.n_sets < SIM_MAX_SETS)
				o.sets[o.n_sets++] = periodic;
			break;
		case O_CRA: o.cr_address = optarg; break;
		case O_CRP: {
			double port;
			if (lf__number("cr-port", optarg, 0, 65535, &port))
				return 1;
			o.cr_port = (unsigned)port;
			break;
		}
		case O_INFL:
			o.max_inflight = strtoul(optarg, &end, 10);
			if (*end || !o.max_inflight) {
				fprintf(stderr, "henbsim: --max-inflight '%s': a positive count\n", optarg);
				return 1;
			}
			break;
		case O_TAMPER:
			if (o.n_tamper == SIM_MAX_TAMPER) {
				fprintf(stderr, "henbsim: at most %d --tamper events\n", SIM_MAX_TAMPER);
				return 1;
			}
			if (lf__event(optarg, true, &o.tamper[o.n_tamper++]))
				return 1;
			break;
		case O_DROP:
			if (lf__event(optarg, false, &o.drop))
				return 1;
			break;
		case O_DUR:
			if (lf__number("duration", optarg, 0, 1e9, &o.duration_s))
				return 1;
			break;
		case O_UREG: o.until_registered = true; break;
		case O_UALM: o.until_alarms = true; break;
		case O_TMO:
			if (lf__number("timeout", optarg, 0, 1e9, &o.timeout_s))
				return 1;
			break;
		case O_LINGER:
			if (lf__number("linger", optarg, 0, 1e9, &o.linger_s))
				return 1;
			break;
		case O_SET:
			if (o.n_sets == SIM_MAX_SETS) {
				fprintf(stderr, "henbsim: too many --set options (at most %d)\n", SIM_MAX_SETS);
				return 1;
			}
			o.sets[o.n_sets++] = optarg;
			break;
		case O_JSON: o.json_path = optarg; break;
		case O_TL: o.timeline_path = optarg; break;
		case 'q': o.quiet = true; break;
		case 'h': lf__usage(stdout); return 0;
		default: lf__usage(stderr); return 1;
		}
	}
	if (!o.acs_url) {
		fprintf(stderr, "henbsim: --acs URL is required (the HeMS, e.g. http://127.0.0.1:7547/cwmp)\n");
		return 1;
	}
	if (o.until_alarms && !o.n_tamper) {
		fprintf(stderr, "henbsim: --until-alarms needs --tamper\n");
		return 1;
	}
	lf_log_init("henbsim", LF_LOG_WARN);
	curl_global_init(CURL_GLOBAL_DEFAULT);
	struct sigaction sa;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = lf__on_signal;
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);

	struct sim_summary sum;
	char err[512];
	if (sim_run(&o, &sum, err, sizeof(err))) {
		fprintf(stderr, "henbsim: %s\n", err);
		curl_global_cleanup();
		return 1;
	}
	sim_summary_print(stdout, &sum);
	if (o.json_path[0] && sim_summary_json(&sum, o.json_path))
		fprintf(stderr, "henbsim: cannot write %s\n", o.json_path);
	curl_global_cleanup();
	bool unmet = (o.until_registered && sum.registered + sum.dropped + sum.down + sum.start_failed < sum.devices) ||
		     (o.until_alarms && sum.alarms_delivered < sum.tampered);
	return unmet ? 2 : 0;
}
