/* key.h: Ed25519 firmware signing keys: generation, text key files, signing and verification. */
#ifndef FW_KEY_H
#define FW_KEY_H

#include <stddef.h>
#include <stdint.h>

#define FW_KEY_LEN 32
#define FW_SIG_LEN 64

struct fw_key {
	uint8_t pub[FW_KEY_LEN];
	uint8_t priv[FW_KEY_LEN]; /* the Ed25519 seed; zero when has_priv is 0 */
	int has_priv;
};

/* fw_key_generate: a fresh key pair from the kernel's randomness. Wipe it with fw_key_wipe after use. */
void fw_key_generate(struct fw_key *k);

/* fw_key_wipe: clear the key, secret included, so it does not linger in memory. */
void fw_key_wipe(struct fw_key *k);

/*
 * fw_key_save: write the private key (the seed, hex, mode 0600) to priv_path and the public key (hex, mode
 * 0644) to pub_path, each one line after a comment line naming what it is, each replaced atomically.
 * Refuses (LF_EEXIST) to overwrite an existing file: losing a signing key is not undoable.
 * Returns LF_OK, LF_EEXIST or LF_EIO, with the reason in err.
 */
int fw_key_save(const struct fw_key *k, const char *priv_path, const char *pub_path, char *err, size_t errlen);

/* fw_key_load_private: read a private key file (and derive its public key). FW_EKEY if the file is malformed or
 * is a public key file, LF_ENOTFOUND / LF_EIO if unreadable; the reason in err. */
int fw_key_load_private(struct fw_key *k, const char *path, char *err, size_t errlen);

/* fw_key_load_public: read a public key file into pub. FW_EKEY if malformed or a private key file. */
int fw_key_load_public(uint8_t pub[FW_KEY_LEN], const char *path, char *err, size_t errlen);

/* fw_key_sign: Ed25519 signature of msg[0..len) with k (which must have its private half). */
void fw_key_sign(const struct fw_key *k, const void *msg, size_t len, uint8_t sig[FW_SIG_LEN]);

/* fw_key_verify: 1 if sig is pub's Ed25519 signature of msg[0..len), else 0. */
int fw_key_verify(const uint8_t pub[FW_KEY_LEN], const void *msg, size_t len, const uint8_t sig[FW_SIG_LEN]);

#endif
