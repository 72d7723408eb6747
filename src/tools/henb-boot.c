/* henb-boot.c: the boot loader on a Linux host: choose a verified slot, run its henbd, act on how it ends. */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "common/alloc.h"
#include "common/err.h"
#include "common/log.h"
#include "firmware/bootctl.h"
#include "firmware/fwerr.h"
#include "firmware/key.h"

/* How the agent's exit status is read (the contract between henb-boot and henbd). */
enum {
	HB_AGENT_STOP = 0,     /* normal stop: the launcher exits too */
	HB_AGENT_REBOOT = 10,  /* reboot requested (Reboot RPC, new image installed): boot again */
	HB_AGENT_SHUTDOWN = 11 /* shut down: the launcher exits; a fatal breach also sets the bootctl flag */
};

/* The launcher's own exit statuses, documented in the help text. */
enum {
	HB_EXIT_OK = 0,
	HB_EXIT_USAGE = 1,
	HB_EXIT_NOBOOT = 2,
	HB_EXIT_MAXBOOTS = 3,
};

static volatile sig_atomic_t hb_stop;
static volatile sig_atomic_t hb_stop_sig;
static volatile sig_atomic_t hb_child;

static void hb_on_signal(int sig)
{
	hb_stop = 1;
	hb_stop_sig = sig;
	if (hb_child > 0)
		kill((pid_t)hb_child, sig);
}

static void hb_usage(FILE *f)
{
	fprintf(f,
		"NAME\n"
		"    henb-boot - play the HeNB's boot loader on a Linux host: A/B slots with a failsafe\n\n"
		"SYNOPSIS\n"
		"    henb-boot --dev DEVDIR --pub PUB [--max-boots N] [--retry-delay-ms MS] [--agent PATH]\n"
		"              [--log-level LEVEL] [-- AGENT-ARGS...]\n\n"
		"DESCRIPTION\n"
		"    At every boot, chooses a slot of DEVDIR with the boot state in DEVDIR/boot/bootctl: the failsafe if\n"
		"    requested, a pending (newly installed) slot while it has tries left, else the active slot, else\n"
		"    the other known-good slot, else slots/failsafe. The chosen slot must verify (signature with PUB,\n"
		"    every file's SHA-256, no stray files) or the next one is taken. Then runs SLOT/bin/henbd with\n"
		"    AGENT-ARGS and the environment LF_BOOT_SLOT=A|B|failsafe and LF_DEV_DIR=DEVDIR, and waits:\n"
		"      exit 0    normal stop: henb-boot exits 0\n"
		"      exit 10   reboot requested: boot again\n"
		"      exit 11   shutdown: henb-boot records it and exits 0\n"
		"      other     failed boot (also a crash): recorded, counts against a pending slot's tries; boot\n"
		"                again after the retry delay\n"
		"    A pending slot that does not confirm itself (henbd calls fw_bootctl_mark_good, or\n"
		"    `henb-image mark-good`) within its 3 boots is given up for the active slot. If the boot state\n"
		"    has its shutdown flag set (fatal breach), nothing is booted and henb-boot exits 0: the device\n"
		"    stays down. SIGTERM and SIGINT are forwarded to the agent; henb-boot exits when it has.\n"
		"    Logs are key=value lines on stderr.\n\n"
		"OPTIONS\n"
		"    --dev DEVDIR           device directory (slots/A, slots/B, slots/failsafe, boot/)\n"
		"    --pub PUB              trusted firmware public key file (henb-image keygen)\n"
		"    --max-boots N          stop after N boots (0, the default: no limit)\n"
		"    --retry-delay-ms MS    wait after a failed boot (default 1000)\n"
		"    --agent PATH           the program inside the slot (default bin/henbd)\n"
		"    --log-level LEVEL      debug, info (default), warn or error\n"
		"    -h, --help             this text\n\n"
		"EXIT STATUS\n"
		"    0  the agent stopped normally or shut down, the device is shut down (flag), or a signal\n"
		"    1  usage error, unreadable key or missing device directory\n"
		"    2  nothing to boot: no slot verifies, or the boot state cannot be written\n"
		"    3  --max-boots reached\n");
}

/* Sleep ms milliseconds, returning early when a stop signal arrives. */
static void hb_sleep_ms(long ms)
{
	struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
	while (!hb_stop && nanosleep(&ts, &ts) != 0 && errno == EINTR)
		;
}

/* Run the agent of slot; its wait status in *status. LF_OK, or LF_EIO if it could not be started. */
static int hb_run(const char *dev, int slot, const char *agent, char **agent_args, int nargs, int *status)
{
	char dir[PATH_MAX];
	char prog[PATH_MAX];
	fw_bootctl_slot_dir(dev, slot, dir, sizeof(dir));
	int n = snprintf(prog, sizeof(prog), "%s/%s", dir, agent);
	if (n < 0 || (size_t)n >= sizeof(prog))
		return LF_ETOOBIG;
	char **argv = lf_calloc((size_t)nargs + 2, sizeof(char *));
	argv[0] = prog;
	for (int i = 0; i < nargs; i++)
		argv[i + 1] = agent_args[i];
	argv[nargs + 1] = NULL;

	pid_t pid = fork();
	if (pid < 0) {
		lf_free(argv);
		return LF_EIO;
	}
	if (pid == 0) {
		struct sigaction dfl;
		memset(&dfl, 0, sizeof(dfl));
		dfl.sa_handler = SIG_DFL;
		sigaction(SIGTERM, &dfl, NULL);
		sigaction(SIGINT, &dfl, NULL);
		setenv("LF_BOOT_SLOT", fw_slot_name(slot), 1);
		setenv("LF_DEV_DIR", dev, 1);
		execv(prog, argv);
		lf_error("agent_exec_failed", "slot=%s prog=%s error=\"%s\"", fw_slot_name(slot), prog,
			 strerror(errno));
		_exit(127);
	}
	hb_child = pid;
	if (hb_stop)
		kill(pid, hb_stop_sig ? hb_stop_sig : SIGTERM);
	lf_free(argv);
	for (;;) {
		pid_t w = waitpid(pid, status, 0);
		if (w == pid)
			break;
		if (w < 0 && errno != EINTR) {
			hb_child = 0;
			return LF_EIO;
		}
	}
	hb_child = 0;
	return LF_OK;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{"dev", required_argument, NULL, 'd'},
		{"pub", required_argument, NULL, 'p'},
		{"max-boots", required_argument, NULL, 'm'},
		{"retry-delay-ms", required_argument, NULL, 'r'},
		{"agent", required_argument, NULL, 'a'},
		{"log-level", required_argument, NULL, 'l'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	const char *dev = NULL;
	const char *pub_path = NULL;
	const char *agent = "bin/henbd";
	long max_boots = 0;
	long retry_delay = 1000;
	int level = LF_LOG_INFO;
	uint8_t pub[FW_KEY_LEN];
	char err[2048];
	int opt;

	for (;;) {
		char *end = NULL;
		opt = getopt_long(argc, argv, "h", opts, NULL);
		if (opt == -1)
			break;
		switch (opt) {
		case 'd': dev = optarg; break;
		case 'p': pub_path = optarg; break;
		case 'a': agent = optarg; break;
		case 'm':
		case 'r': {
			long v = strtol(optarg, &end, 10);
			if (!*optarg || *end || v < 0) {
				fprintf(stderr, "henb-boot: --%s needs a number >= 0, not '%s'\n",
					opt == 'm' ? "max-boots" : "retry-delay-ms", optarg);
				return HB_EXIT_USAGE;
			}
			if (opt == 'm')
				max_boots = v;
			else
				retry_delay = v;
			break;
		}
		case 'l':
			level = lf_log_level_parse(optarg);
			if (level < 0) {
				fprintf(stderr, "henb-boot: --log-level must be debug, info, warn or error\n");
				return HB_EXIT_USAGE;
			}
			break;
		case 'h': hb_usage(stdout); return HB_EXIT_OK;
		default: fprintf(stderr, "(try henb-boot --help)\n"); return HB_EXIT_USAGE;
		}
	}
	if (!dev || !pub_path) {
		fprintf(stderr, "henb-boot: --dev and --pub are required (try henb-boot --help)\n");
		return HB_EXIT_USAGE;
	}
	lf_log_init("henb-boot", (enum lf_log_level)level);
	/* The agent gets an absolute LF_DEV_DIR, so it may change directory. */
	char dev_abs[PATH_MAX];
	if (!realpath(dev, dev_abs)) {
		fprintf(stderr, "henb-boot: device directory %s: %s\n", dev, strerror(errno));
		return HB_EXIT_USAGE;
	}
	dev = dev_abs;
	if (fw_key_load_public(pub, pub_path, err, sizeof(err))) {
		fprintf(stderr, "henb-boot: %s\n", err);
		return HB_EXIT_USAGE;
	}
	struct sigaction sa;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = hb_on_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);

	struct fw_bootctl st;
	if (fw_bootctl_load(dev, &st, err, sizeof(err)) == LF_OK && st.shutdown) {
		lf_warn("device_shut_down", "dev=%s reason=\"%s\" action=stay_down", dev, st.shutdown_reason);
		return HB_EXIT_OK;
	}
	long boots = 0;
	for (;;) {
		if (hb_stop) {
			lf_info("launcher_stop", "signal=%d", (int)hb_stop_sig);
			return HB_EXIT_OK;
		}
		if (max_boots && boots >= max_boots) {
			lf_warn("launcher_max_boots", "boots=%ld", boots);
			return HB_EXIT_MAXBOOTS;
		}
		int slot = FW_SLOT_NONE;
		int result = fw_bootctl_choose(dev, pub, &slot, err, sizeof(err));
		if (result == LF_EFORBIDDEN) {
			lf_warn("device_shut_down", "dev=%s reason=\"%s\" action=stay_down", dev, err);
			return HB_EXIT_OK;
		}
		if (result) {
			lf_error("boot_failed", "error=\"%s\" reason=\"%s\"", fw_strerror(result), err);
			return HB_EXIT_NOBOOT;
		}
		boots++;
		lf_info("boot", "slot=%s boot=%ld reason=\"%s\"", fw_slot_name(slot), boots, err);
		int status = 0;
		result = hb_run(dev, slot, agent, argv + optind, argc - optind, &status);
		if (result) {
			lf_error("agent_start_failed", "slot=%s error=\"%s\"", fw_slot_name(slot), fw_strerror(result));
			fw_bootctl_record_result(dev, 0, "failed: agent could not be started");
			hb_sleep_ms(retry_delay);
			continue;
		}
		char text[128];
		if (WIFEXITED(status)) {
			int code = WEXITSTATUS(status);
			if (code == HB_AGENT_STOP || code == HB_AGENT_REBOOT || code == HB_AGENT_SHUTDOWN) {
				const char *what = code == HB_AGENT_STOP	 ? "stop"
						   : code == HB_AGENT_REBOOT ? "reboot"
									     : "shutdown";
				snprintf(text, sizeof(text), "ok %s exit=%d", what, code);
				fw_bootctl_record_result(dev, 1, text);
				lf_info("agent_exit", "slot=%s code=%d action=%s", fw_slot_name(slot), code, what);
				if (code != HB_AGENT_REBOOT)
					return HB_EXIT_OK;
				continue;
			}
			snprintf(text, sizeof(text), "failed exit=%d", code);
		} else if (WIFSIGNALED(status) && hb_stop) {
			/* We forwarded the stop signal: a clean stop, not a failed boot. */
			fw_bootctl_record_result(dev, 1, "ok stopped by signal");
			lf_info("agent_exit", "slot=%s signal=%d action=stop", fw_slot_name(slot), WTERMSIG(status));
			return HB_EXIT_OK;
		} else {
			snprintf(text, sizeof(text), "failed signal=%d", WIFSIGNALED(status) ? WTERMSIG(status) : 0);
		}
		fw_bootctl_record_result(dev, 0, text);
		lf_warn("agent_exit", "slot=%s result=\"%s\" action=reboot", fw_slot_name(slot), text);
		hb_sleep_ms(retry_delay);
	}
}
