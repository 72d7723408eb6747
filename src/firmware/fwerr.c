/* fwerr.c: texts of the firmware refusals and their mapping to TR-069 TransferComplete fault codes. */
#include "firmware/fwerr.h"

#include "common/err.h"

const char *fw_strerror(int err)
{
	switch (err) {
	case FW_EMAGIC: return "not a Lifeline firmware image (bad magic)";
	case FW_ETRUNC: return "image truncated";
	case FW_EUNSIGNED: return "image is unsigned";
	case FW_ESIG: return "bad signature";
	case FW_EPRODUCT: return "wrong product class";
	case FW_EHWVER: return "hardware version not allowed";
	case FW_EHASH: return "file hash mismatch";
	case FW_ESIZE: return "size mismatch";
	case FW_EMANIFEST: return "bad manifest";
	case FW_EMISSING: return "slot file missing";
	case FW_EEXTRA: return "unexpected file in slot";
	case FW_ENOSLOT: return "no bootable slot";
	case FW_EKEY: return "bad key file";
	}
	return lf_strerror(err);
}

int fw_fault_code(int err)
{
	switch (err) {
	case LF_OK:
		return FW_FAULT_NONE;
	case FW_EMAGIC:
	case FW_ETRUNC:
	case FW_EHASH:
	case FW_ESIZE:
	case FW_EMANIFEST:
	case FW_EMISSING:
	case FW_EEXTRA:
	case LF_EPARSE:
		return FW_FAULT_CORRUPTED;
	case FW_EUNSIGNED:
	case FW_ESIG:
	case LF_EAUTH:
		return FW_FAULT_AUTHENTICATION;
	case FW_EPRODUCT:
	case FW_EHWVER:
		return FW_FAULT_DOWNLOAD;
	}
	return FW_FAULT_INTERNAL;
}
