/* install.h: the checks and writes of a downloaded signed image on a worker thread, so the agent's loop keeps
 * answering while an image is hashed and extracted. The thread owns its request and result until the loop
 * collects them; it reports through a pipe the loop polls. */
#ifndef LF_HENB_INSTALL_H
#define LF_HENB_INSTALL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/buf.h"
#include "firmware/key.h"
#include "firmware/manifest.h"

#define HENB_INSTALL_PATH_MAX 600
#define HENB_INSTALL_CONFIG_MAX (256 * 1024) /* bytes of a vendor configuration file */
#define HENB_FW_AGENT_PATH "bin/henbd"       /* what henb-boot starts from a slot: a firmware image has it */

enum henb_install_kind {
	HENB_INSTALL_FIRMWARE, /* verify, then install into the inactive A/B slot */
	HENB_INSTALL_CONFIG,   /* verify, then hand back the payload's one file (a vendor configuration file) */
};

struct henb_install_req {
	enum henb_install_kind kind;
	char image[HENB_INSTALL_PATH_MAX];    /* the downloaded image file */
	char dev[HENB_INSTALL_PATH_MAX];      /* FIRMWARE: the boot device directory (slots/, boot/) */
	char work[HENB_INSTALL_PATH_MAX];     /* CONFIG: a scratch directory (created and removed) */
	uint8_t pub[FW_KEY_LEN];              /* the trusted firmware key */
	char product_class[65];
	char hw_version[65];
};

struct henb_install_res {
	int result;                           /* LF_OK, an fw_err refusal, LF_EBUSY, LF_EIO, LF_EINVAL ... */
	bool wrong_kind;                      /* LF_EINVAL: a configuration image as firmware or the reverse */
	char err[512];
	int slot;                             /* FIRMWARE: the slot written */
	char version[FW_FIELD_MAX + 1];       /* the image's version string */
	struct lf_buf config;                 /* CONFIG: the file's bytes (caller frees with lf_buf_free) */
};

struct henb_install;

/* henb_install_start: run req on a new thread. Caller owns *out (henb_install_free). LF_OK or LF_EIO. */
int henb_install_start(struct henb_install **out, const struct henb_install_req *req, char *err, size_t errlen);
/* henb_install_fd: readable once the thread has finished. */
int henb_install_fd(const struct henb_install *in);
/* henb_install_collect: if the thread has finished, join it, move its result into res and return true. */
bool henb_install_collect(struct henb_install *in, struct henb_install_res *res);
/* henb_install_free: wait for the thread if it still runs (an install cannot be cut short safely), release
 * everything, clear *inp. */
void henb_install_free(struct henb_install **inp);

#endif
