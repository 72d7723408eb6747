/* bootctl.h: A/B boot control with a read-only failsafe slot, over a device directory (the boot loader's state). */
#ifndef FW_BOOTCTL_H
#define FW_BOOTCTL_H

#include <stddef.h>
#include <stdint.h>

#include "firmware/key.h"

/*
 * Device directory layout:
 *     <dev>/slots/A, <dev>/slots/B   the two updatable slots (see slot.h for what a slot holds)
 *     <dev>/slots/failsafe           read-only recovery image: written only by fw_bootctl_provision (factory)
 *     <dev>/boot/bootctl             the state below, `key = value` text, replaced atomically
 *     <dev>/boot/lock                flock()ed by every state change, so henbd, henb-boot and henb-image agree
 *
 * A slot is booted only after it passed fw_slot_verify (signature, hashes, no stray files) at that boot.
 */

enum fw_slot {
	FW_SLOT_NONE = -1,
	FW_SLOT_A = 0,
	FW_SLOT_B = 1,
	FW_SLOT_FAILSAFE = 2,
};

#define FW_BOOT_TRIES 3        /* boots a newly installed slot gets before it is given up */
#define FW_BOOT_MAX_FAILS 5    /* consecutive failed boots of a confirmed slot before the failsafe is tried */
#define FW_BOOT_TEXT_MAX 256   /* reasons and results kept in the state */

struct fw_bootctl {
	int active;                   /* confirmed slot: FW_SLOT_A or FW_SLOT_B */
	int pending;                  /* installed, not yet confirmed: A, B or FW_SLOT_NONE */
	int tries_left;               /* boots left for pending */
	int booted;                   /* slot the last boot chose (the running one), FW_SLOT_NONE before any */
	long long boot_count;         /* boots chosen so far */
	int failed_boots;             /* consecutive failed boots (reset by a good one) */
	int good[2];                  /* A, B: known good (provisioned or confirmed), so a fallback target */
	int failsafe_requested;       /* boot the failsafe image once (emergency remediation) */
	int shutdown;                 /* stay down: a fatal breach was detected */
	char shutdown_reason[FW_BOOT_TEXT_MAX];
	char last_result[FW_BOOT_TEXT_MAX]; /* how the last boot ended: "ok exit=0", "failed exit=1"... */
	char last_reason[FW_BOOT_TEXT_MAX]; /* why the last boot chose its slot */
};

/* fw_slot_name: "A", "B", "failsafe" or "none". */
const char *fw_slot_name(int slot);
/* fw_slot_parse: inverse of fw_slot_name (also "a"/"b"); FW_SLOT_NONE for "none", -2 if unknown. */
int fw_slot_parse(const char *s);
/* fw_bootctl_slot_dir: "<dev>/slots/<name>" into out; LF_ETOOBIG if it does not fit. */
int fw_bootctl_slot_dir(const char *dev, int slot, char *out, size_t outlen);

/* fw_bootctl_defaults: the state of a device that never booted: active A, nothing pending, no flags. */
void fw_bootctl_defaults(struct fw_bootctl *st);

/* fw_bootctl_load: read <dev>/boot/bootctl; defaults and LF_OK if it does not exist; LF_EPARSE/LF_EINVAL with
 * "file:line: problem" in err if it is malformed. */
int fw_bootctl_load(const char *dev, struct fw_bootctl *st, char *err, size_t errlen);

/* fw_bootctl_save: replace <dev>/boot/bootctl atomically with st (creating <dev>/boot if needed). */
int fw_bootctl_save(const char *dev, const struct fw_bootctl *st);

/*
 * fw_bootctl_install_to_inactive: install the image at image_path into the A/B slot that is neither active nor
 * running, and make it pending with FW_BOOT_TRIES tries. The header, signature, product class and hardware
 * version are checked before anything is written; the payload is hashed while it is extracted beside the slot,
 * which is replaced only when all of it matched. The active and the running slot are never touched: while a
 * pending slot is on trial (running but unconfirmed) there is no free slot and the result is LF_EBUSY.
 * *slot (if non-NULL) receives the slot written. Returns LF_OK, an fw_err refusal (fw_fault_code maps it to a
 * TransferComplete fault), LF_EBUSY or LF_EIO, with the reason in err.
 */
int fw_bootctl_install_to_inactive(const char *dev, const char *image_path, const uint8_t pub[FW_KEY_LEN],
				   const char *product_class, const char *hw_version, int *slot, char *err,
				   size_t errlen);

/*
 * fw_bootctl_provision: factory write of slot A, B or failsafe from a signed image (product class and hardware
 * version checked when non-NULL). A becomes active and good, B good, failsafe is write-protected. The boot
 * state's pending slot is cleared if it was the one written. Same results as install.
 */
int fw_bootctl_provision(const char *dev, const char *image_path, const uint8_t pub[FW_KEY_LEN], int slot,
			 const char *product_class, const char *hw_version, char *err, size_t errlen);

/*
 * fw_bootctl_choose: the boot loader's decision, made once per boot. Recovers interrupted installs, then tries
 * in turn: the failsafe if requested (once); the pending slot while it has tries (each boot uses one; when none
 * are left it is given up); the active slot (unless it failed FW_BOOT_MAX_FAILS boots in a row); the other
 * slot if it is known good (it then becomes active); the failsafe. Each candidate must pass fw_slot_verify;
 * one that fails is logged and skipped. The choice and why are saved before returning.
 * Returns LF_OK with *slot set, LF_EFORBIDDEN if the shutdown flag is set (err holds the reason), FW_ENOSLOT if
 * nothing verifies, LF_EIO. err always says what was decided and why.
 */
int fw_bootctl_choose(const char *dev, const uint8_t pub[FW_KEY_LEN], int *slot, char *err, size_t errlen);

/* fw_bootctl_record_result: how the last boot ended (ok = the agent ran and stopped or rebooted on purpose).
 * A failure counts towards FW_BOOT_MAX_FAILS; result is free text like "failed exit=1". */
int fw_bootctl_record_result(const char *dev, int ok, const char *result);

/* fw_bootctl_mark_good: the running agent confirms its slot after a successful session: a pending slot that is
 * running becomes active. Harmless (LF_OK) when the running slot is already active or is the failsafe. */
int fw_bootctl_mark_good(const char *dev);

/* fw_bootctl_request_failsafe: boot the failsafe image at the next boot (once: the flag is consumed). */
int fw_bootctl_request_failsafe(const char *dev);

/* fw_bootctl_request_shutdown: the device stays down: fw_bootctl_choose refuses to boot until the flag is
 * cleared (fw_bootctl_clear_shutdown, a factory/operator action). reason is kept (one line, truncated). */
int fw_bootctl_request_shutdown(const char *dev, const char *reason);

/* fw_bootctl_clear_shutdown: factory/operator action: allow booting again. */
int fw_bootctl_clear_shutdown(const char *dev);

#endif
