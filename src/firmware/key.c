/* key.c: Ed25519 key files (hex text with a comment naming the kind) and nettle's sign/verify. */
#include "firmware/key.h"

#include <nettle/eddsa.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/buf.h"
#include "common/err.h"
#include "common/file.h"
#include "common/random.h"
#include "firmware/fwerr.h"
#include "firmware/manifest.h"

/* The first line of each kind of key file; the loader checks it, so a swapped --key/--pub is caught. */
#define FW__PRIV_TAG "# lifeline-ed25519-private-key"
#define FW__PUB_TAG "# lifeline-ed25519-public-key"
#define FW__KEYFILE_MAX 4096

void fw_key_generate(struct fw_key *k)
{
	lf_random_bytes(k->priv, sizeof(k->priv));
	ed25519_sha512_public_key(k->pub, k->priv);
	k->has_priv = 1;
}

void fw_key_wipe(struct fw_key *k)
{
	explicit_bzero(k, sizeof(*k));
}

static int fw__save_one(const char *path, const char *tag, const char *what, const uint8_t *key, char *err,
			size_t errlen)
{
	char text[256];
	char hex[2 * FW_KEY_LEN + 1];
	fw_hex_encode(hex, key, FW_KEY_LEN);
	int n = snprintf(text, sizeof(text), "%s: %s\n%s\n", tag, what, hex);
	/* lf_file_write_atomic creates its temporary file 0600, and rename keeps the mode. */
	int result = lf_file_write_atomic(path, text, (size_t)n);
	explicit_bzero(text, sizeof(text));
	explicit_bzero(hex, sizeof(hex));
	if (result)
		snprintf(err, errlen, "%s: cannot write: %s", path, lf_strerror(result));
	return result;
}

int fw_key_save(const struct fw_key *k, const char *priv_path, const char *pub_path, char *err, size_t errlen)
{
	const char *paths[] = {priv_path, pub_path};
	for (int i = 0; i < 2; i++) {
		if (access(paths[i], F_OK) == 0) {
			snprintf(err, errlen, "%s already exists; refusing to overwrite a key", paths[i]);
			return LF_EEXIST;
		}
	}
	int result = fw__save_one(priv_path, FW__PRIV_TAG,
				  "firmware signing key (Ed25519 seed, hex). Secret: keep it off devices.", k->priv, err,
				  errlen);
	if (result)
		return result;
	result = fw__save_one(pub_path, FW__PUB_TAG, "firmware verification key (Ed25519, hex). Public.", k->pub,
			      err, errlen);
	if (result)
		return result;
	if (chmod(pub_path, 0644) != 0) {
		snprintf(err, errlen, "%s: cannot make it world-readable", pub_path);
		return LF_EIO;
	}
	return LF_OK;
}

/* Read a key file of the kind `tag` and decode its one hex line into out. */
static int fw__load_one(const char *path, const char *tag, const char *other_tag, const char *kind,
			uint8_t out[FW_KEY_LEN], char *err, size_t errlen)
{
	struct lf_buf b;
	int result;
	int found = 0;
	size_t pos = 0;
	unsigned lineno = 0;

	lf_buf_init(&b, FW__KEYFILE_MAX);
	result = lf_file_read(path, &b);
	if (result) {
		snprintf(err, errlen, "%s: cannot read the %s key: %s", path, kind,
			 result == LF_ETOOBIG ? "file too large for a key" : lf_strerror(result));
		goto out;
	}
	const char *t = b.data ? b.data : "";
	result = FW_EKEY;
	if (strncmp(t, tag, strlen(tag)) != 0) {
		if (strncmp(t, other_tag, strlen(other_tag)) == 0)
			snprintf(err, errlen, "%s: this is the other half of the key pair; a %s key is needed", path,
				 kind);
		else
			snprintf(err, errlen, "%s: not a Lifeline %s key file (first line must start with '%s')",
				 path, kind, tag);
		goto out;
	}
	while (pos < b.len) {
		const char *nl = memchr(t + pos, '\n', b.len - pos);
		size_t n = nl ? (size_t)(nl - (t + pos)) : b.len - pos;
		const char *line = t + pos;
		lineno++;
		pos += n + (nl ? 1 : 0);
		if (n == 0 || line[0] == '#')
			continue;
		if (found || fw_hex_decode(out, FW_KEY_LEN, line, n)) {
			snprintf(err, errlen, "%s:%u: expected exactly one line of %d hex digits", path, lineno,
				 2 * FW_KEY_LEN);
			goto out;
		}
		found = 1;
	}
	if (!found) {
		snprintf(err, errlen, "%s: no key line", path);
		goto out;
	}
	result = LF_OK;
out:
	if (b.data)
		explicit_bzero(b.data, b.len);
	lf_buf_free(&b);
	return result;
}

int fw_key_load_private(struct fw_key *k, const char *path, char *err, size_t errlen)
{
	memset(k, 0, sizeof(*k));
	int result = fw__load_one(path, FW__PRIV_TAG, FW__PUB_TAG, "private", k->priv, err, errlen);
	if (result) {
		fw_key_wipe(k);
		return result;
	}
	ed25519_sha512_public_key(k->pub, k->priv);
	k->has_priv = 1;
	return LF_OK;
}

int fw_key_load_public(uint8_t pub[FW_KEY_LEN], const char *path, char *err, size_t errlen)
{
	return fw__load_one(path, FW__PUB_TAG, FW__PRIV_TAG, "public", pub, err, errlen);
}

void fw_key_sign(const struct fw_key *k, const void *msg, size_t len, uint8_t sig[FW_SIG_LEN])
{
	ed25519_sha512_sign(k->pub, k->priv, len, msg, sig);
}

int fw_key_verify(const uint8_t pub[FW_KEY_LEN], const void *msg, size_t len, const uint8_t sig[FW_SIG_LEN])
{
	return ed25519_sha512_verify(pub, len, msg, sig) == 1;
}
