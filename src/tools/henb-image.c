/* henb-image.c: make keys, build, sign, inspect and verify firmware images; install and provision slots. */
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "common/err.h"
#include "common/log.h"
#include "firmware/bootctl.h"
#include "firmware/fwerr.h"
#include "firmware/image.h"
#include "firmware/key.h"
#include "firmware/slot.h"

/* Exit statuses, documented in the help text. */
enum {
	HI_EXIT_OK = 0,
	HI_EXIT_USAGE = 1,
	HI_EXIT_REFUSED = 2, /* the image or slot was refused: corrupted, unsigned, bad signature, wrong target */
	HI_EXIT_ERROR = 3,   /* anything else: key file, I/O, no free slot, state file */
};

enum {
	HI_OPT_KEY = 1 << 0,
	HI_OPT_PUB = 1 << 1,
	HI_OPT_PRODUCT = 1 << 2,
	HI_OPT_HW = 1 << 3,
	HI_OPT_VERSION = 1 << 4,
	HI_OPT_OUT = 1 << 5,
	HI_OPT_DEV = 1 << 6,
	HI_OPT_SLOT = 1 << 7,
	HI_OPT_REASON = 1 << 8,
};

struct hi_opts {
	const char *key, *pub, *product_class, *hw, *version, *out, *dev, *slot, *reason;
	unsigned given;
	int nargs;
	char **args;
};

struct hi_cmd {
	const char *name;
	int (*run)(const struct hi_opts *o);
	unsigned required; /* options that must be given */
	unsigned allowed;  /* options that may be given (required included) */
	int nargs;         /* positional arguments */
	const char *synopsis;
	const char *description;
	const char *options;
};

static const char hi_exit_text[] =
	"EXIT STATUS\n"
	"    0  success\n"
	"    1  usage error (unknown command or option, missing argument)\n"
	"    2  refused: the image or slot is corrupted (bad magic, truncated, size or hash mismatch, bad\n"
	"       manifest), unsigned or badly signed, or for another product class or hardware version; the message\n"
	"       names the reason and the TR-069 TransferComplete fault code (9018, 9019, 9010)\n"
	"    3  any other error: unreadable or malformed key file, I/O error, no free slot, bad boot state\n";

static int hi_fail(int err, const char *what, const char *msg)
{
	int refused = err <= FW_EMAGIC && err >= FW_ENOSLOT;
	if (refused)
		fprintf(stderr, "henb-image: %s refused: %s (%s; TR-069 fault %d)\n", what, msg, fw_strerror(err),
			fw_fault_code(err));
	else
		fprintf(stderr, "henb-image: %s: %s\n", what, msg[0] ? msg : fw_strerror(err));
	return refused ? HI_EXIT_REFUSED : HI_EXIT_ERROR;
}

static int hi_load_pub(const char *path, uint8_t pub[FW_KEY_LEN])
{
	char err[512];
	if (fw_key_load_public(pub, path, err, sizeof(err))) {
		fprintf(stderr, "henb-image: %s\n", err);
		return HI_EXIT_ERROR;
	}
	return HI_EXIT_OK;
}

static int hi_keygen(const struct hi_opts *o)
{
	struct fw_key k;
	char err[512];
	fw_key_generate(&k);
	int result = fw_key_save(&k, o->args[0], o->args[1], err, sizeof(err));
	fw_key_wipe(&k);
	if (result)
		return hi_fail(result, "keygen", err);
	printf("private key: %s (mode 0600, keep it off devices)\npublic key:  %s\n", o->args[0], o->args[1]);
	return HI_EXIT_OK;
}

static int hi_build(const struct hi_opts *o)
{
	struct fw_key k;
	char err[1024];
	int result = fw_key_load_private(&k, o->key, err, sizeof(err));
	if (result) {
		fprintf(stderr, "henb-image: %s\n", err);
		return HI_EXIT_ERROR;
	}
	struct fw_build b = {.src_dir = o->args[0],
			     .product_class = o->product_class,
			     .hw_versions = o->hw,
			     .version = o->version,
			     .out_path = o->out};
	result = fw_image_build(&b, &k, err, sizeof(err));
	fw_key_wipe(&k);
	if (result) {
		fprintf(stderr, "henb-image: build: %s\n", err);
		return HI_EXIT_ERROR;
	}
	/* Show what was signed: read the image back in inspect mode. */
	struct fw_image img;
	result = fw_image_open(&img, o->out, NULL, err, sizeof(err));
	if (!result)
		printf("built %s: product_class %s, version %s, %zu files, %llu payload bytes\n", o->out,
		       img.manifest.product_class, img.manifest.version, img.manifest.nfiles,
		       (unsigned long long)img.manifest.payload_size);
	fw_image_close(&img);
	return result ? hi_fail(result, "build", err) : HI_EXIT_OK;
}

static int hi_verify(const struct hi_opts *o)
{
	uint8_t pub[FW_KEY_LEN];
	char err[1024];
	struct fw_image img;
	int rc = hi_load_pub(o->pub, pub);
	if (rc)
		return rc;
	int result = fw_image_open(&img, o->args[0], pub, err, sizeof(err));
	if (!result)
		result = fw_image_check_target(&img, o->product_class, o->hw, err, sizeof(err));
	if (!result)
		result = fw_image_verify_payload(&img, err, sizeof(err));
	if (!result)
		printf("ok: %s: signature good, product_class %s, version %s, %zu files verified, %llu bytes\n",
		       o->args[0], img.manifest.product_class, img.manifest.version, img.manifest.nfiles,
		       (unsigned long long)img.manifest.payload_size);
	fw_image_close(&img);
	return result ? hi_fail(result, o->args[0], err) : HI_EXIT_OK;
}

static int hi_show(const struct hi_opts *o)
{
	char err[1024];
	char hex[2 * FW_SIG_LEN + 1];
	struct fw_image img;
	int result = fw_image_open(&img, o->args[0], NULL, err, sizeof(err));
	if (result) {
		fw_image_close(&img);
		return hi_fail(result, o->args[0], err);
	}
	uint64_t want = img.payload_off + img.manifest.payload_size;
	fw_hex_encode(hex, img.sig, sizeof(img.sig));
	printf("image:      %s\n", o->args[0]);
	printf("size:       %llu bytes (manifest %u, payload %llu)\n", (unsigned long long)img.file_size,
	       (unsigned)img.manifest_len, (unsigned long long)img.manifest.payload_size);
	printf("signature:  %s\n", img.is_unsigned ? "none (unsigned image)" : hex);
	printf("            not checked here: use henb-image verify --pub KEY\n");
	if (img.file_size < want)
		printf("payload:    TRUNCATED, %llu bytes missing\n", (unsigned long long)(want - img.file_size));
	else if (img.file_size > want)
		printf("payload:    %llu unexpected bytes after the last file\n",
		       (unsigned long long)(img.file_size - want));
	else
		printf("payload:    complete (file hashes not checked here)\n");
	printf("--- manifest ---\n%s", img.manifest_text);
	if (img.manifest_len && img.manifest_text[img.manifest_len - 1] != '\n')
		putchar('\n');
	fw_image_close(&img);
	return HI_EXIT_OK;
}

static int hi_install(const struct hi_opts *o)
{
	uint8_t pub[FW_KEY_LEN];
	char err[1024];
	int slot = FW_SLOT_NONE;
	int rc = hi_load_pub(o->pub, pub);
	if (rc)
		return rc;
	int result = fw_bootctl_install_to_inactive(o->dev, o->args[0], pub, o->product_class, o->hw, &slot, err,
						    sizeof(err));
	if (result)
		return hi_fail(result, o->args[0], err);
	printf("installed %s into slot %s, pending with %d tries; reboot to try it\n", o->args[0],
	       fw_slot_name(slot), FW_BOOT_TRIES);
	return HI_EXIT_OK;
}

static int hi_provision(const struct hi_opts *o)
{
	uint8_t pub[FW_KEY_LEN];
	char err[1024];
	int slot = fw_slot_parse(o->slot);
	if (slot < FW_SLOT_A) {
		fprintf(stderr, "henb-image: provision: --slot must be A, B or failsafe, not '%s'\n", o->slot);
		return HI_EXIT_USAGE;
	}
	int rc = hi_load_pub(o->pub, pub);
	if (rc)
		return rc;
	int result = fw_bootctl_provision(o->dev, o->args[0], pub, slot, o->product_class, o->hw, err, sizeof(err));
	if (result)
		return hi_fail(result, o->args[0], err);
	printf("provisioned slot %s from %s%s\n", fw_slot_name(slot), o->args[0],
	       slot == FW_SLOT_A ? " (active)" : slot == FW_SLOT_FAILSAFE ? " (read-only)" : "");
	return HI_EXIT_OK;
}

static int hi_status(const struct hi_opts *o)
{
	struct fw_bootctl st;
	uint8_t pub[FW_KEY_LEN];
	char err[1024];
	char dir[PATH_MAX];
	if (o->pub) {
		int rc = hi_load_pub(o->pub, pub);
		if (rc)
			return rc;
	}
	struct stat sb;
	if (stat(o->dev, &sb) != 0 || !S_ISDIR(sb.st_mode)) {
		fprintf(stderr, "henb-image: status: device directory %s does not exist\n", o->dev);
		return HI_EXIT_ERROR;
	}
	int result = fw_bootctl_load(o->dev, &st, err, sizeof(err));
	if (result)
		return hi_fail(result, "status", err);
	printf("active: %s\n", fw_slot_name(st.active));
	printf("pending: %s\n", fw_slot_name(st.pending));
	printf("tries_left: %d\n", st.tries_left);
	printf("booted: %s\n", fw_slot_name(st.booted));
	printf("boot_count: %lld\n", st.boot_count);
	printf("failed_boots: %d\n", st.failed_boots);
	printf("failsafe_requested: %s\n", st.failsafe_requested ? "yes" : "no");
	printf("shutdown: %s\n", st.shutdown ? "yes" : "no");
	if (st.shutdown)
		printf("shutdown_reason: %s\n", st.shutdown_reason);
	printf("last_result: %s\n", st.last_result);
	printf("last_reason: %s\n", st.last_reason);
	for (int s = FW_SLOT_A; s <= FW_SLOT_FAILSAFE; s++) {
		struct fw_manifest m;
		fw_bootctl_slot_dir(o->dev, s, dir, sizeof(dir));
		result = o->pub ? fw_slot_verify(dir, pub, &m, err, sizeof(err))
				: fw_slot_read_manifest(dir, &m, err, sizeof(err));
		printf("slot %s: ", fw_slot_name(s));
		if (result == FW_EMISSING && !o->pub)
			printf("empty\n");
		else if (result)
			printf("%s (%s)\n", o->pub ? "REFUSED" : "unreadable", err);
		else
			printf("version %s%s%s\n", m.version, s <= FW_SLOT_B && st.good[s] ? ", good" : "",
			       o->pub ? ", verified" : "");
		fw_manifest_free(&m);
	}
	return HI_EXIT_OK;
}

static int hi_state_result(int result, const char *what)
{
	if (result) {
		fprintf(stderr, "henb-image: %s: cannot update the boot state: %s\n", what, fw_strerror(result));
		return HI_EXIT_ERROR;
	}
	return HI_EXIT_OK;
}

static int hi_mark_good(const struct hi_opts *o)
{
	return hi_state_result(fw_bootctl_mark_good(o->dev), "mark-good");
}

static int hi_request_failsafe(const struct hi_opts *o)
{
	return hi_state_result(fw_bootctl_request_failsafe(o->dev), "request-failsafe");
}

static int hi_request_shutdown(const struct hi_opts *o)
{
	return hi_state_result(fw_bootctl_request_shutdown(o->dev, o->reason), "request-shutdown");
}

static int hi_clear_shutdown(const struct hi_opts *o)
{
	return hi_state_result(fw_bootctl_clear_shutdown(o->dev), "clear-shutdown");
}

static const struct hi_cmd hi_cmds[] = {
	{"keygen", hi_keygen, 0, 0, 2, "henb-image keygen PRIV PUB",
	 "Make an Ed25519 key pair. PRIV gets the 32-byte seed as hex (mode 0600): the signing key, which stays\n"
	 "    in the build infrastructure. PUB gets the public key as hex: it goes on every device (and to\n"
	 "    henb-boot). Each file starts with a comment line naming its kind, so a swapped key is caught.\n"
	 "    Existing files are never overwritten.",
	 ""},
	{"build", hi_build, HI_OPT_KEY | HI_OPT_PRODUCT | HI_OPT_HW | HI_OPT_VERSION | HI_OPT_OUT,
	 HI_OPT_KEY | HI_OPT_PRODUCT | HI_OPT_HW | HI_OPT_VERSION | HI_OPT_OUT, 1,
	 "henb-image build --key PRIV --product-class X --hw 1.0,1.1 --version V --out IMG DIR",
	 "Build and sign an image from every regular file below DIR, sorted by path; a file with any execute\n"
	 "    bit is installed 0755, others 0644. Symbolic links, special files, paths with blanks or over 255\n"
	 "    bytes, more than 256 files and files over 256 MiB are refused. IMG is replaced atomically.\n"
	 "    Layout: \"LFIMG001\", u32 big-endian manifest length, manifest, 64-byte Ed25519 signature over\n"
	 "    the three, then the files' bytes in manifest order; the manifest lists each file's size and SHA-256.",
	 "    --key PRIV            private key file (from keygen)\n"
	 "    --product-class X     the DeviceInfo.ProductClass the image is for\n"
	 "    --hw LIST             allowed DeviceInfo.HardwareVersion values, comma separated\n"
	 "    --version V           the software version the image carries\n"
	 "    --out IMG             the image file to write\n"},
	{"verify", hi_verify, HI_OPT_PUB, HI_OPT_PUB | HI_OPT_PRODUCT | HI_OPT_HW, 1,
	 "henb-image verify --pub PUB [--product-class X] [--hw H] IMG",
	 "Check IMG completely, as a device does before installing it: magic, manifest, signature with PUB,\n"
	 "    every file's size and SHA-256, no bytes after the payload, and, if given, the product class and\n"
	 "    that hardware version H is allowed. Reads the image once, streaming.",
	 "    --pub PUB             trusted public key file\n"
	 "    --product-class X     refuse unless the image is for product class X\n"
	 "    --hw H                refuse unless hardware version H is allowed\n"},
	{"show", hi_show, 0, 0, 1, "henb-image show IMG",
	 "Print IMG's header facts and its manifest. Checks nothing cryptographic: use verify for that.", ""},
	{"install", hi_install, HI_OPT_PUB | HI_OPT_DEV | HI_OPT_PRODUCT | HI_OPT_HW,
	 HI_OPT_PUB | HI_OPT_DEV | HI_OPT_PRODUCT | HI_OPT_HW, 1,
	 "henb-image install --pub PUB --dev DEVDIR --product-class X --hw H IMG",
	 "Install IMG into the inactive A/B slot of the device directory DEVDIR, as henbd does after a Download:\n"
	 "    header, signature and target are checked before anything is written, the files are hashed while\n"
	 "    they are extracted next to the slot, and the slot is replaced atomically only if all match. The slot\n"
	 "    becomes pending with 3 tries; the next boots try it, and the agent confirms it (mark-good) or it\n"
	 "    falls back. The active slot, the running slot and the failsafe are never written.",
	 "    --pub PUB             trusted public key file\n"
	 "    --dev DEVDIR          device directory (slots/, boot/)\n"
	 "    --product-class X     this device's product class\n"
	 "    --hw H                this device's hardware version\n"},
	{"provision", hi_provision, HI_OPT_PUB | HI_OPT_DEV | HI_OPT_SLOT,
	 HI_OPT_PUB | HI_OPT_DEV | HI_OPT_SLOT | HI_OPT_PRODUCT | HI_OPT_HW, 1,
	 "henb-image provision --pub PUB --dev DEVDIR --slot A|B|failsafe [--product-class X --hw H] IMG",
	 "Factory: write a slot directly from a verified image. A becomes the active, good slot; failsafe is\n"
	 "    the read-only recovery image (write-protected, never written by install).",
	 "    --pub PUB             trusted public key file\n"
	 "    --dev DEVDIR          device directory\n"
	 "    --slot S              A, B or failsafe\n"
	 "    --product-class X     optional: refuse unless the image is for X\n"
	 "    --hw H                optional: refuse unless hardware version H is allowed\n"},
	{"status", hi_status, HI_OPT_DEV, HI_OPT_DEV | HI_OPT_PUB, 0, "henb-image status --dev DEVDIR [--pub PUB]",
	 "Print the boot state (key: value lines) and each slot's version; with --pub, verify each slot fully\n"
	 "    as the boot loader would.",
	 "    --dev DEVDIR          device directory\n"
	 "    --pub PUB             also verify every slot with this public key\n"},
	{"mark-good", hi_mark_good, HI_OPT_DEV, HI_OPT_DEV, 0, "henb-image mark-good --dev DEVDIR",
	 "Confirm the running slot (what henbd does after a successful session): a pending slot becomes active.",
	 "    --dev DEVDIR          device directory\n"},
	{"request-failsafe", hi_request_failsafe, HI_OPT_DEV, HI_OPT_DEV, 0,
	 "henb-image request-failsafe --dev DEVDIR", "Boot the failsafe image once, at the next boot.",
	 "    --dev DEVDIR          device directory\n"},
	{"request-shutdown", hi_request_shutdown, HI_OPT_DEV | HI_OPT_REASON, HI_OPT_DEV | HI_OPT_REASON, 0,
	 "henb-image request-shutdown --dev DEVDIR --reason TEXT",
	 "Set the shutdown flag: the boot loader no longer boots the device (fatal breach).",
	 "    --dev DEVDIR          device directory\n"
	 "    --reason TEXT         why, kept in the boot state\n"},
	{"clear-shutdown", hi_clear_shutdown, HI_OPT_DEV, HI_OPT_DEV, 0, "henb-image clear-shutdown --dev DEVDIR",
	 "Operator/factory: clear the shutdown flag so the device boots again.",
	 "    --dev DEVDIR          device directory\n"},
};

#define HI_NCMDS (sizeof(hi_cmds) / sizeof(hi_cmds[0]))

static void hi_usage(FILE *f)
{
	fprintf(f, "NAME\n"
		   "    henb-image - build, sign and verify Lifeline firmware images; install and provision slots\n\n"
		   "SYNOPSIS\n");
	for (size_t i = 0; i < HI_NCMDS; i++)
		fprintf(f, "    %s\n", hi_cmds[i].synopsis);
	fprintf(f, "    henb-image COMMAND --help\n\n"
		   "DESCRIPTION\n"
		   "    A firmware image is one file: a signed manifest (product class, allowed hardware versions,\n"
		   "    version, each file's size and SHA-256) followed by the files. Devices trust one Ed25519 public\n"
		   "    key and refuse unsigned, altered or mismatching images before writing anything. Slots live in\n"
		   "    a device directory: slots/A, slots/B, slots/failsafe and the boot state boot/bootctl, which\n"
		   "    henb-boot reads at every boot.\n\n"
		   "COMMANDS\n");
	for (size_t i = 0; i < HI_NCMDS; i++)
		fprintf(f, "    %-17s %s\n", hi_cmds[i].name, hi_cmds[i].synopsis + strlen("henb-image ") +
							   strlen(hi_cmds[i].name));
	fprintf(f, "\n%s", hi_exit_text);
}

static void hi_cmd_usage(FILE *f, const struct hi_cmd *c)
{
	fprintf(f, "NAME\n    henb-image %s\n\nSYNOPSIS\n    %s\n\nDESCRIPTION\n    %s\n\n", c->name, c->synopsis,
		c->description);
	if (c->options[0])
		fprintf(f, "OPTIONS\n%s    -h, --help            this text\n\n", c->options);
	fprintf(f, "%s", hi_exit_text);
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{"key", required_argument, NULL, 'k'},	   {"pub", required_argument, NULL, 'p'},
		{"product-class", required_argument, NULL, 'c'}, {"hw", required_argument, NULL, 'w'},
		{"version", required_argument, NULL, 'v'}, {"out", required_argument, NULL, 'o'},
		{"dev", required_argument, NULL, 'd'},	   {"slot", required_argument, NULL, 's'},
		{"reason", required_argument, NULL, 'r'},  {"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	static const char *const names[] = {"--key", "--pub", "--product-class", "--hw", "--version",
					    "--out", "--dev", "--slot", "--reason"};
	struct hi_opts o;
	const struct hi_cmd *cmd = NULL;
	int opt;

	lf_log_init("henb-image", LF_LOG_WARN);
	memset(&o, 0, sizeof(o));
	if (argc < 2) {
		hi_usage(stderr);
		return HI_EXIT_USAGE;
	}
	if (strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "help") == 0) {
		hi_usage(stdout);
		return HI_EXIT_OK;
	}
	for (size_t i = 0; i < HI_NCMDS; i++)
		if (strcmp(argv[1], hi_cmds[i].name) == 0)
			cmd = &hi_cmds[i];
	if (!cmd) {
		fprintf(stderr, "henb-image: unknown command '%s' (try henb-image --help)\n", argv[1]);
		return HI_EXIT_USAGE;
	}
	argc--;
	argv++;
	optind = 1;
	for (;;) {
		unsigned bit = 0;
		opt = getopt_long(argc, argv, "h", opts, NULL);
		if (opt == -1)
			break;
		switch (opt) {
		case 'k': o.key = optarg; bit = HI_OPT_KEY; break;
		case 'p': o.pub = optarg; bit = HI_OPT_PUB; break;
		case 'c': o.product_class = optarg; bit = HI_OPT_PRODUCT; break;
		case 'w': o.hw = optarg; bit = HI_OPT_HW; break;
		case 'v': o.version = optarg; bit = HI_OPT_VERSION; break;
		case 'o': o.out = optarg; bit = HI_OPT_OUT; break;
		case 'd': o.dev = optarg; bit = HI_OPT_DEV; break;
		case 's': o.slot = optarg; bit = HI_OPT_SLOT; break;
		case 'r': o.reason = optarg; bit = HI_OPT_REASON; break;
		case 'h': hi_cmd_usage(stdout, cmd); return HI_EXIT_OK;
		default: fprintf(stderr, "(try henb-image %s --help)\n", cmd->name); return HI_EXIT_USAGE;
		}
		if (!(cmd->allowed & bit)) {
			fprintf(stderr, "henb-image %s: option %s does not apply (try henb-image %s --help)\n",
				cmd->name, argv[optind - 1], cmd->name);
			return HI_EXIT_USAGE;
		}
		o.given |= bit;
	}
	for (unsigned i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		if ((cmd->required & (1u << i)) && !(o.given & (1u << i))) {
			fprintf(stderr, "henb-image %s: %s is required (try henb-image %s --help)\n", cmd->name,
				names[i], cmd->name);
			return HI_EXIT_USAGE;
		}
	}
	o.nargs = argc - optind;
	o.args = argv + optind;
	if (o.nargs != cmd->nargs) {
		fprintf(stderr, "henb-image %s: expected %d argument%s, got %d\nusage: %s\n", cmd->name, cmd->nargs,
			cmd->nargs == 1 ? "" : "s", o.nargs, cmd->synopsis);
		return HI_EXIT_USAGE;
	}
	return cmd->run(&o);
}
