/* main.c: henbd, the HeNB agent: TR-069 CPE of a femtocell. */
#include <curl/curl.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>

#include "common/log.h"
#include "henb/agent.h"
#include "henb/config.h"
#include "henb/hal/hal.h"

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
		"    The management agent of an LTE femtocell (HeNB): a TR-069 (CWMP) CPE that registers at its HeMS\n"
		"    (the ACS) and is managed by it.\n\n"
		"    Sessions. Every session starts with an Inform carrying the pending events: 0 BOOTSTRAP on first\n"
		"    contact with an ACS URL (and after a factory reset or a new ManagementServer.URL), 1 BOOT on every\n"
		"    start, 2 PERIODIC every PeriodicInformInterval, 3 SCHEDULED + M ScheduleInform, 4 VALUE CHANGE,\n"
		"    6 CONNECTION REQUEST, 7 TRANSFER COMPLETE + M Download, 8 DIAGNOSTICS COMPLETE, M Reboot; the\n"
		"    forced-inform parameters and the changed ones ride in its ParameterList. Queued TransferCompletes\n"
		"    follow, then the HeMS's requests are answered until it ends the session (204). A failed session is\n"
		"    retried after a random wait in [m*(k/1000)^(n-1), m*(k/1000)^n] s (TR-069 3.2.1.1; m, k from\n"
		"    CWMPRetryMinimumWaitInterval and CWMPRetryIntervalMultiplier), with RetryCount n in the Inform.\n\n"
		"    RPCs. GetRPCMethods, GetParameterValues, GetParameterNames, Get/SetParameterAttributes,\n"
		"    SetParameterValues (atomic; fault 9003 with one SetParameterValuesFault 9005/9006/9007/9008 per bad\n"
		"    entry), AddObject, DeleteObject, Reboot, FactoryReset, ScheduleInform, Download (accepted with\n"
		"    Status 1; the outcome comes as a TransferComplete). Others get fault 9000.\n\n"
		"    Data model. Device.DeviceInfo, Device.ManagementServer, Device.FaultMgmt (SupportedAlarm,\n"
		"    CurrentAlarm and the History/Expedited/Queued event rings), Device.SelfTestDiagnostics, a subset of\n"
		"    Device.Services.FAPService.1 (TR-196: FAPControl.LTE, Gateway, RAN/EPC, PLMN and neighbour lists)\n"
		"    and Device.X_<OUI>_Security / X_<OUI>_Distress. Every table has a fixed maximum. Parameters with\n"
		"    Notification 2 (active) open a session when the device changes them, no sooner than\n"
		"    DefaultActiveNotificationThrottle s after the last session; passive (1) ones ride the next Inform.\n\n"
		"    Connection requests. HTTP GET on ConnectionRequestURL with Digest (MD5, qop=auth) against\n"
		"    ConnectionRequestUsername/Password: 200 and a session, 401 for bad credentials (counted in\n"
		"    X_<OUI>_Security.ConnReqAuthFailures), 503 over cr.rate_limit per minute. UDP connection requests\n"
		"    (TR-069 Annex G) on UDPConnectionRequestAddress: signature, replay and clock checked, anything else\n"
		"    dropped silently. Empty credentials refuse every connection request.\n\n"
		"    State. Writable values, instance numbers, attributes, pending events, TransferCompletes and the\n"
		"    FaultMgmt tables are kept in henb.state_dir/henbd.state, replaced atomically and sealed with a\n"
		"    SHA-256; factory values come from the configuration, persisted values override them. A state file\n"
		"    that does not verify is kept as henbd.state.bad and henbd starts from the factory state.\n\n"
		"    Platform. The HAL device directory (henb.device_dir) holds the S1 link state (s1_link) and the RF\n"
		"    transmitter (rf_tx) files, see docs/henb-hal.md. Reboot: under the launcher (LF_BOOT_SLOT set)\n"
		"    henbd exits with status 10; otherwise it re-executes itself. Logs are key=value lines on stderr.\n"
		"    SIGTERM or SIGINT stop it cleanly.\n\n"
		"    Firmware. Download of \"1 Firmware Upgrade Image\" and \"3 Vendor Configuration File\" over\n"
		"    http(s): the file is fetched into firmware.download_dir (resumed with a Range request after an\n"
		"    interruption or a restart), then checked in full - FileSize, the Ed25519 signature with\n"
		"    firmware.pubkey, product class, hardware version, every file's SHA-256 - before anything is\n"
		"    written. A firmware image goes into the inactive A/B slot of firmware.dev_dir (LF_DEV_DIR) and\n"
		"    henbd reboots into it; the new image confirms its slot after its first good session and reports\n"
		"    TransferComplete 0 (an image that does not come up is given up by henb-boot, and the old one\n"
		"    reports 9010). SoftwareVersion is the running slot's signed version. A configuration image's one\n"
		"    file (Device.Name = value lines) is applied like a SetParameterValues. Faults: 9010 wrong device or\n"
		"    kind, 9012 server authentication, 9015 no file server, 9016 no file, 9017 transfer incomplete,\n"
		"    9018 corrupted, 9019 bad or missing signature, 9002 local failure.\n\n"
		"    Tamper detection. The integrity monitor checks the running image against its signed manifest,\n"
		"    the state file against its MAC (device key in protected storage), bursts of failed connection\n"
		"    request authentications, unexpected listeners, processes and watchdog misses, the reference clock,\n"
		"    the antenna and board identities provisioned at first boot, and the case switch; each raises its\n"
		"    security alarm in Device.FaultMgmt (an unreadable sensor raises the sensor-failure alarm). After a\n"
		"    fatal detection (monitor.fatal) henbd reports the alarm, switches RF off and shuts down for good.\n\n"
		"    Emergency remediation (emergency.enable). When neither the HeMS nor the distress channel can be\n"
		"    reached while the S1 link is up, henbd reboots into the read-only failsafe image (henb-boot). There\n"
		"    it informs X <OUI> EMERGENCY + 1 BOOT at the emergency HeMS (emergency.url), sends RequestDownload\n"
		"    (1 Firmware Upgrade Image), verifies and installs the image it gets into slot A or B, reports it\n"
		"    and reboots into it factory-fresh (0 BOOTSTRAP at acs.url). A refused image, an unreachable\n"
		"    emergency HeMS or an exceeded bound (emergency.timeout, .tries, .boots): RF off, shut down for good.\n\n"
		"OPTIONS\n"
		"    -c, --config FILE     configuration file (see etc/henbd.conf.example)\n"
		"    --set KEY=VALUE       override one configuration key, e.g. --set acs.url=http://hems:7547/cwmp\n"
		"    -h, --help            this text\n"
		"    -V, --version         print the version\n\n"
		"CONFIGURATION KEYS (key = default)\n");
	henb_config_print_keys(f);
	fprintf(f, "\nEXIT STATUS\n"
		   "    0 after a clean stop; 1 on a start-up error (the message names the cause); 10 reboot when run by\n"
		   "    the launcher (LF_BOOT_SLOT set; also when an unfinished emergency remediation sends the HeNB back\n"
		   "    to the failsafe image); 11 shutdown: after a fatal security breach or a failed emergency\n"
		   "    remediation, and at every start after one (the device stays down).\n");
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

	if (henb_agent_init(&lf__agent, &cfg, argv, err, sizeof(err))) {
		fprintf(stderr, "henbd: %s\n", err);
		/* A device kept down by a fatal breach powers off again rather than failing a boot; one whose emergency
		 * remediation is under way goes back to the failsafe image (emergency.c). */
		enum henb_exit down = lf__agent.exit_action;
		henb_agent_free(&lf__agent);
		curl_global_cleanup();
		if (down == HENB_EXIT_REBOOT)
			return henb_hal_reboot(argv);
		return down == HENB_EXIT_SHUTDOWN ? henb_hal_shutdown() : 1;
	}
	struct sigaction sa;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = lf__on_signal;
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);

	henb_agent_run(&lf__agent);
	enum henb_exit how = lf__agent.exit_action;
	henb_agent_free(&lf__agent);
	curl_global_cleanup();
	/* Everything is persisted and released: the HAL may now restart or power off the device. */
	if (how == HENB_EXIT_REBOOT)
		return henb_hal_reboot(argv);
	if (how == HENB_EXIT_SHUTDOWN)
		return henb_hal_shutdown();
	return 0;
}
