/* download.h: the Download RPC's hook (TR-069 A.3.2.8). download.c is the one place where file transfer and
 * installation happen; signed-firmware installation (src/firmware) plugs in at henb_download_perform. */
#ifndef LF_HENB_DOWNLOAD_H
#define LF_HENB_DOWNLOAD_H

#include <stdint.h>

#include "cwmp/cwmp.h"
#include "henb/persist.h"

struct henb_agent;

/* henb_download_start: accept or refuse a Download. On acceptance the job is recorded (persisted) and resp
 * gets Status 1 (a TransferComplete follows); returns 0. Otherwise returns the CWMP fault code (9003 bad
 * arguments, 9004 one download already waiting, 9013 unsupported protocol ...). */
uint32_t henb_download_start(struct henb_agent *a, const struct cwmp_download *d, struct cwmp_transfer_result *resp);
/* henb_download_perform: carry out a due job and describe the outcome in tc (fault code 0 on success).
 * Called from the agent's loop outside any session. */
void henb_download_perform(struct henb_agent *a, const struct henb_download_job *job, struct henb_transfer *tc);

#endif
