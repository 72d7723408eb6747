/* rpc.h: CPE RPCs as tasks: JSON arguments -> CWMP request message, CWMP response or fault -> JSON result. */
#ifndef LF_HEMS_RPC_H
#define LF_HEMS_RPC_H

#include <stddef.h>

#include "cwmp/cwmp.h"

/* hems_rpc_request: build the CWMP request for method with JSON args into out (strings live in out->arena).
 * Validates the arguments: LF_EINVAL with the problem in err (e.g. "args.names must be an array of strings").
 * out must be cwmp_msg_init'ed by the caller and cwmp_msg_free'd after. */
int hems_rpc_request(const char *method, const char *args_json, struct cwmp_msg *out, char *err, size_t errlen);

/* hems_rpc_result_json: the JSON text for a CPE's answer (a *Response or a Fault). Caller owns (lf_free). */
char *hems_rpc_result_json(const struct cwmp_msg *answer);

/* hems_rpc_is_method: whether name is a CPE method hemsd can queue. */
int hems_rpc_is_method(const char *name);

#endif
