/* image.h: signed firmware image files: open and check the header, verify the payload streaming, build. */
#ifndef FW_IMAGE_H
#define FW_IMAGE_H

#include <stddef.h>
#include <stdint.h>

#include "firmware/fwerr.h"
#include "firmware/key.h"
#include "firmware/manifest.h"

/*
 * Layout of an image (one file, so one Download URL fetches it):
 *
 *     "LFIMG001"               8 bytes, magic
 *     manifest length          4 bytes, unsigned big-endian, 1 .. FW_MANIFEST_MAX
 *     manifest                 text, see manifest.h
 *     signature                64 bytes, Ed25519 over magic + length + manifest
 *     payload                  the manifest's files, concatenated in manifest order
 *
 * The signature covers the manifest, and the manifest binds every payload file by size and SHA-256, so the
 * payload is authenticated file by file while it streams: an image is never held in memory.
 */
#define FW_MAGIC "LFIMG001"
#define FW_MAGIC_LEN 8
#define FW_HEADER_LEN (FW_MAGIC_LEN + 4)

struct fw_image {
	int fd;                      /* open on the image file; -1 when closed */
	uint64_t file_size;          /* bytes in the image file */
	uint32_t manifest_len;
	char *manifest_text;         /* manifest_len bytes plus a NUL; owned */
	uint8_t sig[FW_SIG_LEN];
	int is_unsigned;             /* the signature block is all zero */
	int verified;                /* the signature was checked against a trusted key */
	uint64_t payload_off;        /* offset of the first payload byte */
	struct fw_manifest manifest; /* parsed manifest */
};

/*
 * fw_image_open: open the image at path and check its header: magic, manifest length, signature (with pub),
 * manifest syntax, and that the file holds exactly the payload the manifest describes.
 * pub NULL is the inspect mode of `henb-image show`: no signature and no size check, and the image cannot be
 * installed. Reads only the header; the payload is checked by fw_image_verify_payload or while installing.
 * Returns LF_OK, FW_EMAGIC, FW_ETRUNC, FW_EUNSIGNED, FW_ESIG, FW_EMANIFEST, FW_ESIZE, LF_ENOTFOUND or LF_EIO,
 * with a message naming the problem in err. img must be closed with fw_image_close whatever the result.
 */
int fw_image_open(struct fw_image *img, const char *path, const uint8_t *pub, char *err, size_t errlen);

/* fw_image_check_target: FW_EPRODUCT unless the image is for product_class, FW_EHWVER unless hw_version is in
 * its hardware_versions. A NULL argument skips that check. */
int fw_image_check_target(const struct fw_image *img, const char *product_class, const char *hw_version,
			  char *err, size_t errlen);

/* fw_image_verify_payload: read the whole payload, checking each file's size and SHA-256, writing nothing.
 * Returns LF_OK, FW_ETRUNC, FW_EHASH, FW_ESIZE (bytes after the last file) or LF_EIO. Repeatable. */
int fw_image_verify_payload(struct fw_image *img, char *err, size_t errlen);

/* fw_image_extract: write the payload files into the existing empty directory dir (parents created, each file
 * fsynced, mode from the manifest), hashing as it goes; same results as fw_image_verify_payload. On failure
 * dir holds a partial tree: the caller (fw_slot_install) throws it away. Requires a verified image. */
int fw_image_extract(struct fw_image *img, const char *dir, char *err, size_t errlen);

/* fw_image_signed_message: the signed bytes, magic + length + manifest, into out (appended). */
int fw_image_signed_message(const char *manifest, uint32_t manifest_len, struct lf_buf *out);

/* fw_image_close: release everything fw_image_open acquired; safe on a closed or failed image. */
void fw_image_close(struct fw_image *img);

/* fw_image_verify: open with pub, check the target (NULL skips) and the whole payload, close. */
int fw_image_verify(const char *path, const uint8_t pub[FW_KEY_LEN], const char *product_class,
		    const char *hw_version, char *err, size_t errlen);

struct fw_build {
	const char *src_dir;       /* every regular file below it, sorted bytewise by path, becomes the payload */
	const char *product_class;
	const char *hw_versions;   /* comma list: "1.0,1.1" */
	const char *version;
	const char *out_path;      /* replaced atomically */
};

/* fw_image_build: make a signed image from b with key (private half needed). Symlinks and special files in
 * src_dir are refused, as is a file that changes while it is read. Returns LF_OK, LF_EINVAL (bad option or
 * source tree), FW_EMANIFEST, LF_ETOOBIG or LF_EIO, with the reason in err. */
int fw_image_build(const struct fw_build *b, const struct fw_key *key, char *err, size_t errlen);

#endif
