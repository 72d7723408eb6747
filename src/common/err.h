/* err.h: the one error code type of Lifeline, 0 for success, negative for failure. */
#ifndef LF_ERR_H
#define LF_ERR_H

enum lf_err {
	LF_OK = 0,
	LF_ENOMEM = -1,      /* out of memory (hemsd aborts instead) */
	LF_EINVAL = -2,      /* bad argument or bad input value */
	LF_ETOOBIG = -3,     /* input over a size limit */
	LF_EPARSE = -4,      /* input does not parse */
	LF_EIO = -5,         /* file or socket I/O failed */
	LF_ENOTFOUND = -6,   /* no such object */
	LF_EAUTH = -7,       /* authentication failed */
	LF_ETIMEOUT = -8,    /* a deadline passed */
	LF_EUNSUPPORTED = -9,/* valid but not supported */
	LF_EBUSY = -10,      /* resource in use (e.g. a session already open) */
	LF_EEXIST = -11,     /* already exists */
	LF_ESTORE = -12,     /* the store (database) failed */
	LF_ENET = -13,       /* network failure: connect, TLS, HTTP status */
	LF_EFORBIDDEN = -14, /* refused by policy (blocked device) */
};

/* lf_strerror: a short fixed text for an lf_err code. */
const char *lf_strerror(int err);

#endif
