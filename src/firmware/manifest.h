/* manifest.h: the signed text manifest of a firmware image: strict parser, formatter and limits. */
#ifndef FW_MANIFEST_H
#define FW_MANIFEST_H

#include <stddef.h>
#include <stdint.h>

#include "common/buf.h"

#define FW_MANIFEST_MAX (64 * 1024)                 /* bytes of manifest text */
#define FW_FILES_MAX 256                            /* file lines */
#define FW_PATH_MAX 255                             /* bytes of one relative path */
#define FW_FIELD_MAX 64                             /* product_class, version, one hardware version */
#define FW_HW_MAX 32                                /* entries in hardware_versions */
#define FW_FILE_SIZE_MAX (256ULL * 1024 * 1024)     /* one payload file */
#define FW_PAYLOAD_MAX (1024ULL * 1024 * 1024)      /* all payload files together */
#define FW_SHA256_LEN 32
#define FW_FORMAT 1

struct fw_file {
	char *path;                     /* relative, validated: no "..", ".", empty components, leading "/" */
	uint64_t size;
	uint8_t sha256[FW_SHA256_LEN];
	unsigned mode;                  /* 0644 or 0755 */
};

struct fw_manifest {
	int format;
	char product_class[FW_FIELD_MAX + 1];
	char version[FW_FIELD_MAX + 1];
	char hw[FW_HW_MAX][FW_FIELD_MAX + 1];
	size_t nhw;
	struct fw_file *files;          /* in manifest (= payload) order; owned, fw_manifest_free */
	size_t nfiles;
	uint64_t payload_size;          /* sum of the file sizes */
};

/*
 * fw_manifest_parse: parse manifest text (not NUL-terminated, any bytes) into m.
 *
 * Grammar, one item per line, lines end with "\n" (the last may lack it), printable ASCII only:
 *     # comment                  (and empty lines)
 *     format = 1                 first key, exactly once
 *     product_class = <text>     exactly once, 1..64 chars
 *     hardware_versions = <a>,<b>,...  exactly once, 1..32 entries of 1..64 chars, no spaces
 *     version = <text>           exactly once, 1..64 chars
 *     file = <path> <size> <sha256 hex> [<mode>]   1..256 times; mode 0644 (default) or 0755
 * Keys and values are separated by exactly " = "; no trailing blanks. Paths are unique, at most 255 bytes, with
 * no "." or ".." or empty components, no leading "/", no "\\", and no file may sit where another one needs a
 * directory; ".manifest" and ".signature" are reserved (the slot keeps the image's own there).
 *
 * Returns LF_OK, or FW_EMANIFEST with "manifest line N: problem" in err. m is always initialised and must be
 * released with fw_manifest_free, whatever the result.
 */
int fw_manifest_parse(const char *text, size_t len, struct fw_manifest *m, char *err, size_t errlen);

/* fw_manifest_free: release the file list; m is empty afterwards. */
void fw_manifest_free(struct fw_manifest *m);

/* fw_manifest_format: append m's canonical text to out (what fw_manifest_parse reads back). */
int fw_manifest_format(const struct fw_manifest *m, struct lf_buf *out);

/* fw_manifest_allows_hw: 1 if hw_version is one of m's hardware_versions. */
int fw_manifest_allows_hw(const struct fw_manifest *m, const char *hw_version);

/* fw_manifest_check_path: NULL if path[0..len) is a valid payload path (rules above), else a static text
 * saying why. */
const char *fw_manifest_check_path(const char *path, size_t len);

/* fw_hex_encode: 2*n lowercase hex chars plus NUL into out (size >= 2*n+1). */
void fw_hex_encode(char *out, const uint8_t *in, size_t n);
/* fw_hex_decode: exactly 2*n hex chars (either case) from in into out; LF_EINVAL otherwise. */
int fw_hex_decode(uint8_t *out, size_t n, const char *in, size_t inlen);

#endif
