/* download.h: the Download RPC (TR-069 A.3.2.8) from acceptance to TransferComplete: resumable transfer
 * (fetch.c), full check of the signed image and install into the inactive A/B slot (install.c), reboot into
 * it and its confirmation, or a vendor configuration file applied to the data model (vendorcfg.c). Everything
 * runs from the agent's loop; only the image check and the slot write run on a worker thread. */
#ifndef LF_HENB_DOWNLOAD_H
#define LF_HENB_DOWNLOAD_H

#include <poll.h>
#include <stdint.h>

#include "cwmp/cwmp.h"
#include "henb/fetch.h"
#include "henb/persist.h"

struct henb_agent;
struct henb_download;

/* Descriptors henb_download_pollfds may add: the transfer's sockets and the install thread's pipe. */
#define HENB_DOWNLOAD_MAX_FDS (HENB_FETCH_MAX_SOCKS + 1)
/* Transfers of one job (the first and its resumes) before it ends with 9017. */
#define HENB_DOWNLOAD_MAX_ATTEMPTS 5
/* The marker of an install waiting for its boot confirmation, in the download directory. */
#define HENB_DOWNLOAD_MARKER "firmware.install"

/* henb_download_start: accept or refuse a Download. On acceptance the job is recorded (persisted) and resp
 * gets Status 1 (a TransferComplete follows); returns 0. Otherwise returns the CWMP fault code (9003 bad
 * arguments, 9004 one download already waiting, 9013 unsupported protocol ...). */
uint32_t henb_download_start(struct henb_agent *a, const struct cwmp_download *d, struct cwmp_transfer_result *resp);

/* henb_download_init: the firmware context from the configuration and the launcher's environment
 * (LF_BOOT_SLOT, LF_DEV_DIR): the trusted key, the boot device and download directories; SoftwareVersion from
 * the running slot's manifest; and the outcome of an install that was waiting for this boot (the new image
 * runs: it is confirmed after the first good session; another slot runs: the new one was given up, its
 * TransferComplete says so). Call after the state is loaded. LF_OK, or LF_EINVAL with the reason in err
 * (an unreadable firmware.pubkey). a->download is set either way (henb_download_free releases it). */
int henb_download_init(struct henb_agent *a, char *err, size_t errlen);
/* henb_download_tick: start the accepted job once its DelaySeconds passed; the loop calls it when no session
 * is open. */
void henb_download_tick(struct henb_agent *a, int64_t now_ms);
/* henb_download_pollfds: the descriptors of the job in progress into p (at most max); returns how many. */
size_t henb_download_pollfds(struct henb_agent *a, struct pollfd *p, size_t max);
/* henb_download_deadline: absolute ms (lf_now_ms) the loop must wake for the job, or -1. */
int64_t henb_download_deadline(const struct henb_agent *a);
/* henb_download_process: after poll (p: the entries henb_download_pollfds filled, with revents): drive the
 * transfer, collect the install, finish the job (TransferComplete queued, or a reboot requested). */
void henb_download_process(struct henb_agent *a, const struct pollfd *p, size_t n, int64_t now_ms);
/* henb_download_session_ok: a session succeeded. The first one under the launcher confirms the running slot
 * (fw_bootctl_mark_good); if it is an image this agent installed, its TransferComplete (fault 0) is queued. */
void henb_download_session_ok(struct henb_agent *a);
/* henb_download_free: stop the transfer (the partial file stays for a resume), wait for an install in
 * progress, release everything; a->download becomes NULL. */
void henb_download_free(struct henb_agent *a);

#endif
