/* slot.h: an installed image in a slot directory: atomic install, secure-boot verification, crash recovery. */
#ifndef FW_SLOT_H
#define FW_SLOT_H

#include <stddef.h>
#include <stdint.h>

#include "firmware/image.h"

/* Files a slot keeps next to the payload, so it can be verified again at every boot. */
#define FW_SLOT_MANIFEST ".manifest" /* the manifest text, byte for byte as signed */
#define FW_SLOT_SIGNATURE ".signature" /* the 64-byte signature, raw */

/*
 * fw_slot_install: replace slot_dir by img's payload plus its manifest and signature, atomically.
 * img must be open with a trusted key (fw_image_open with pub). Every file is hashed while it is written into
 * "<slot_dir>.new"; only when all of them match does the new tree replace the slot (via "<slot_dir>.old").
 * After a power cut at any step, the slot holds either its old or its new content in full once
 * fw_slot_recover has run (the boot loader runs it first). readonly write-protects the new tree (failsafe).
 * Returns LF_OK or the refusal of the payload (FW_EHASH, FW_ETRUNC...) or LF_EIO; the slot is untouched then.
 */
int fw_slot_install(struct fw_image *img, const char *slot_dir, int readonly, char *err, size_t errlen);

/*
 * fw_slot_verify: secure-boot check of an installed slot: the signature over its .manifest with pub, the
 * manifest's syntax, every listed file present with its size and SHA-256, and no other file, link or device
 * in the tree. If m is non-NULL it receives the parsed manifest (caller frees with fw_manifest_free).
 * Returns LF_OK, FW_EMISSING, FW_EUNSIGNED, FW_ESIG, FW_EMANIFEST, FW_ESIZE, FW_EHASH, FW_EEXTRA or LF_EIO.
 */
int fw_slot_verify(const char *slot_dir, const uint8_t pub[FW_KEY_LEN], struct fw_manifest *m, char *err,
		   size_t errlen);

/* fw_slot_read_manifest: parse a slot's .manifest WITHOUT checking anything else (status display only). */
int fw_slot_read_manifest(const char *slot_dir, struct fw_manifest *m, char *err, size_t errlen);

/*
 * fw_slot_recover: finish the story of an install that a power cut interrupted: if the slot is missing but
 * "<slot>.old" exists, rename it back (the install had not completed); then delete "<slot>.new" and
 * "<slot>.old". What was done, if anything, is written to note (empty if nothing). LF_OK or LF_EIO.
 */
int fw_slot_recover(const char *slot_dir, char *note, size_t notelen);

#endif
