/* err.c: texts of the project-wide error codes. */
#include "common/err.h"

const char *lf_strerror(int err)
{
	switch (err) {
	case LF_OK: return "success";
	case LF_ENOMEM: return "out of memory";
	case LF_EINVAL: return "invalid argument";
	case LF_ETOOBIG: return "over size limit";
	case LF_EPARSE: return "parse error";
	case LF_EIO: return "I/O error";
	case LF_ENOTFOUND: return "not found";
	case LF_EAUTH: return "authentication failed";
	case LF_ETIMEOUT: return "timed out";
	case LF_EUNSUPPORTED: return "not supported";
	case LF_EBUSY: return "busy";
	case LF_EEXIST: return "already exists";
	case LF_ESTORE: return "store error";
	case LF_ENET: return "network error";
	case LF_EFORBIDDEN: return "forbidden";
	}
	return "unknown error";
}
