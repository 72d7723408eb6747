/* first_rpc.h: how long a security alarm waits for its remediation - from its case opened (the alarm stored,
 * in the same intake) to the first RPC of that case sent to the device - as exact millisecond quantiles for
 * /metrics (hems_remediation_first_rpc_ms). Loop thread only. */
#ifndef LF_HEMS_FIRST_RPC_H
#define LF_HEMS_FIRST_RPC_H

#include <stdint.h>

#include "common/buf.h"

struct hems_first_rpc;

struct hems_first_rpc *hems_first_rpc_new(void);
void hems_first_rpc_free(struct hems_first_rpc **p);
/* hems_first_rpc_opened: case case_id was opened now (its alarm stored). */
void hems_first_rpc_opened(struct hems_first_rpc *p, int64_t case_id, int64_t now_ms);
/* hems_first_rpc_sent: a task of case case_id went to the device now; the first one is measured. */
void hems_first_rpc_sent(struct hems_first_rpc *p, int64_t case_id, int64_t now_ms);
/* hems_first_rpc_case_of: the case a task's JSON arguments are tagged with ("_case"), 0 if none. */
int64_t hems_first_rpc_case_of(const char *task_args);
/* hems_first_rpc_metrics: the quantiles, count and max in Prometheus text. */
void hems_first_rpc_metrics(const struct hems_first_rpc *p, struct lf_buf *b);

#endif
