/* rpc.h: answering the ACS's requests inside a session (TR-069 Annex A CPE methods). One file per group of
 * methods: rpc_get.c (GetParameterValues/Names/Attributes), rpc_set.c (SetParameterValues/Attributes),
 * rpc_object.c (AddObject, DeleteObject), rpc_control.c (GetRPCMethods, Reboot, FactoryReset, ScheduleInform,
 * Download). */
#ifndef LF_HENB_RPC_H
#define LF_HENB_RPC_H

#include <stdint.h>

#include "common/arena.h"
#include "common/buf.h"
#include "cwmp/cwmp.h"

struct henb_agent;

/* henb_rpc_answer: the answer to one ACS request (its response, or a CWMP fault) into out, with the request's
 * cwmp:ID and namespace. LF_OK, or the build error (the session then fails). */
int henb_rpc_answer(struct henb_agent *a, const struct cwmp_msg *req, struct lf_buf *out);
/* henb_rpc_fault: a CWMP fault answer to req into out. */
int henb_rpc_fault(const struct cwmp_msg *req, uint32_t code, struct lf_buf *out);

/* The handlers: fill resp (a response, or CWMP_FAULT through henb__rpc_fault). Strings live in scratch. */
typedef void (*henb__rpc_fn)(struct henb_agent *a, const struct cwmp_msg *req, struct cwmp_msg *resp,
			     struct lf_arena *scratch);
void henb__rpc_fault(struct cwmp_msg *resp, uint32_t code, const char *string);
void henb__rpc_get_values(struct henb_agent *a, const struct cwmp_msg *req, struct cwmp_msg *resp,
			  struct lf_arena *scratch);
void henb__rpc_get_names(struct henb_agent *a, const struct cwmp_msg *req, struct cwmp_msg *resp,
			 struct lf_arena *scratch);
void henb__rpc_get_attributes(struct henb_agent *a, const struct cwmp_msg *req, struct cwmp_msg *resp,
			      struct lf_arena *scratch);
void henb__rpc_set_values(struct henb_agent *a, const struct cwmp_msg *req, struct cwmp_msg *resp,
			  struct lf_arena *scratch);
void henb__rpc_set_attributes(struct henb_agent *a, const struct cwmp_msg *req, struct cwmp_msg *resp,
			      struct lf_arena *scratch);
void henb__rpc_add_object(struct henb_agent *a, const struct cwmp_msg *req, struct cwmp_msg *resp,
			  struct lf_arena *scratch);
void henb__rpc_delete_object(struct henb_agent *a, const struct cwmp_msg *req, struct cwmp_msg *resp,
			     struct lf_arena *scratch);
void henb__rpc_get_rpc_methods(struct henb_agent *a, const struct cwmp_msg *req, struct cwmp_msg *resp,
			       struct lf_arena *scratch);
void henb__rpc_reboot(struct henb_agent *a, const struct cwmp_msg *req, struct cwmp_msg *resp,
		      struct lf_arena *scratch);
void henb__rpc_factory_reset(struct henb_agent *a, const struct cwmp_msg *req, struct cwmp_msg *resp,
			     struct lf_arena *scratch);
void henb__rpc_schedule_inform(struct henb_agent *a, const struct cwmp_msg *req, struct cwmp_msg *resp,
			       struct lf_arena *scratch);
void henb__rpc_download(struct henb_agent *a, const struct cwmp_msg *req, struct cwmp_msg *resp,
			struct lf_arena *scratch);



/* A growing array in the scratch arena (old copies stay in the arena until the answer is built). */
struct henb__vec {
	void *items;
	size_t n, cap, size;
	struct lf_arena *arena;
};
/* henb__vec_push: room for one more item (zeroed), or NULL when the arena's cap is reached (answer 9004). */
void *henb__vec_push(struct henb__vec *v);
/* henb__arena_str: a copy of s in the arena, or NULL. */
char *henb__arena_str(struct lf_arena *arena, const char *s);
#endif
