/* fwerr.h: why a firmware image or slot was refused, and the TR-069 fault code each refusal maps to. */
#ifndef FW_FWERR_H
#define FW_FWERR_H

/*
 * The firmware refusals extend enum lf_err (src/common/err.h) in their own range, -100 and below, so a
 * caller gets one int that says exactly why an image was refused, and the generic codes (LF_EIO, LF_ENOMEM,
 * LF_EBUSY...) keep their meaning. fw_strerror() knows both ranges.
 */
enum fw_err {
	FW_EMAGIC = -100,     /* not a Lifeline image: the magic "LFIMG001" is missing */
	FW_ETRUNC = -101,     /* the image ends before its header, manifest, signature or payload does */
	FW_EUNSIGNED = -102,  /* the signature block is all zero: an unsigned (development) image */
	FW_ESIG = -103,       /* the Ed25519 signature does not verify with the trusted public key */
	FW_EPRODUCT = -104,   /* built for another product class */
	FW_EHWVER = -105,     /* this hardware version is not in the image's hardware_versions list */
	FW_EHASH = -106,      /* a payload file's SHA-256 differs from the manifest */
	FW_ESIZE = -107,      /* a size differs from the manifest (extra payload bytes, a slot file's size) */
	FW_EMANIFEST = -108,  /* manifest syntax or limit error; the message names the line */
	FW_EMISSING = -109,   /* an installed slot lacks a file its manifest lists */
	FW_EEXTRA = -110,     /* an installed slot holds a file, link or device its manifest does not list */
	FW_ENOSLOT = -111,    /* boot: no slot (A, B or failsafe) passed verification */
	FW_EKEY = -112,       /* a key file is malformed or of the wrong kind (private given for public...) */
};

/* TR-069 (Amendment 6, table A.5.2) CPE fault codes a firmware refusal maps to, for TransferComplete. */
enum fw_fault {
	FW_FAULT_NONE = 0,
	FW_FAULT_INTERNAL = 9002,       /* Internal error: disk full, I/O error, no free slot (LF_EBUSY) */
	FW_FAULT_DOWNLOAD = 9010,       /* File transfer failure: valid image, but not for this device */
	FW_FAULT_CORRUPTED = 9018,      /* File transfer failure: file corrupted */
	FW_FAULT_AUTHENTICATION = 9019, /* File transfer failure: file authentication failure */
};

/* fw_strerror: a short fixed text for an fw_err or lf_err code. */
const char *fw_strerror(int err);

/* fw_fault_code: the TransferComplete FaultCode for the result of fw_image_* / fw_bootctl_install_to_inactive.
 * 0 for LF_OK; 9018 for a corrupted image (bad magic, truncated, hash or size mismatch, bad manifest);
 * 9019 for a missing or bad signature; 9010 for a wrong product class or hardware version (the file is fine
 * but not for this device: TR-069 has no finer code); 9002 for everything else (I/O, busy, out of memory). */
int fw_fault_code(int err);

#endif
