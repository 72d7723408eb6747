/* rpc.c: dispatch of the ACS's requests to their handlers, and the fault answers. */
#include "henb/rpc.h"

#include <string.h>

#include "common/err.h"
#include "common/log.h"
#include "henb/agent.h"

void henb__rpc_fault(struct cwmp_msg *resp, uint32_t code, const char *string)
{
	resp->method = CWMP_FAULT;
	resp->u.fault.code = code;
	resp->u.fault.string = string ? string : cwmp_fault_text(code);
	resp->u.fault.spv = NULL;
	resp->u.fault.n_spv = 0;
}

int henb_rpc_fault(const struct cwmp_msg *req, uint32_t code, struct lf_buf *out)
{
	struct cwmp_msg f;
	cwmp_msg_init(&f);
	f.version = req->version;
	f.id = req->id;
	henb__rpc_fault(&f, code, NULL);
	lf_info("rpc", "method=unknown answer=Fault fault=%u", code);
	int result = cwmp_build(&f, out);
	cwmp_msg_free(&f);
	return result;
}

int henb_rpc_answer(struct henb_agent *a, const struct cwmp_msg *req, struct lf_buf *out)
{
	static const henb__rpc_fn handlers[CWMP_METHOD_COUNT] = {
		[CWMP_GET_RPC_METHODS] = henb__rpc_get_rpc_methods,
		[CWMP_GET_PARAMETER_VALUES] = henb__rpc_get_values,
		[CWMP_GET_PARAMETER_NAMES] = henb__rpc_get_names,
		[CWMP_GET_PARAMETER_ATTRIBUTES] = henb__rpc_get_attributes,
		[CWMP_SET_PARAMETER_VALUES] = henb__rpc_set_values,
		[CWMP_SET_PARAMETER_ATTRIBUTES] = henb__rpc_set_attributes,
		[CWMP_ADD_OBJECT] = henb__rpc_add_object,
		[CWMP_DELETE_OBJECT] = henb__rpc_delete_object,
		[CWMP_REBOOT] = henb__rpc_reboot,
		[CWMP_FACTORY_RESET] = henb__rpc_factory_reset,
		[CWMP_SCHEDULE_INFORM] = henb__rpc_schedule_inform,
		[CWMP_DOWNLOAD] = henb__rpc_download,
	};
	struct lf_arena scratch;
	struct cwmp_msg resp;
	lf_arena_init(&scratch, HENB_RPC_SCRATCH);
	cwmp_msg_init(&resp);
	resp.version = req->version;
	resp.id = req->id;
	henb__rpc_fn fn = (unsigned)req->method < CWMP_METHOD_COUNT ? handlers[req->method] : NULL;
	if (fn) {
		int m = cwmp_method_response(req->method);
		resp.method = m > 0 ? (enum cwmp_method)m : CWMP_FAULT;
		fn(a, req, &resp, &scratch);
	} else {
		/* A response or an ACS method where a CPE method belongs. */
		henb__rpc_fault(&resp, CWMP_FAULT_METHOD_NOT_SUPPORTED, NULL);
	}
	/* The configuration changed through management: a latched configuration alarm is over (detect_config.c). */
	if (resp.method != CWMP_FAULT && (req->method == CWMP_SET_PARAMETER_VALUES || req->method == CWMP_ADD_OBJECT ||
					  req->method == CWMP_DELETE_OBJECT))
		henb_monitor_config_managed(&a->mon);
	if (resp.method == CWMP_FAULT)
		lf_info("rpc", "method=%s answer=Fault fault=%u faults=%zu", cwmp_method_name(req->method),
			resp.u.fault.code, resp.u.fault.n_spv);
	else
		lf_info("rpc", "method=%s answer=%s", cwmp_method_name(req->method), cwmp_method_name(resp.method));
	int result = cwmp_build(&resp, out);
	if (result == LF_ETOOBIG) {
		/* The answer does not fit one envelope: say so rather than drop the session. */
		struct cwmp_msg f;
		cwmp_msg_init(&f);
		f.version = req->version;
		f.id = req->id;
		henb__rpc_fault(&f, CWMP_FAULT_RESOURCES_EXCEEDED, NULL);
		result = cwmp_build(&f, out);
		cwmp_msg_free(&f);
	}
	cwmp_msg_free(&resp);
	lf_arena_free(&scratch);
	return result;
}

void *henb__vec_push(struct henb__vec *v)
{
	if (v->n == v->cap) {
		size_t cap = v->cap ? v->cap * 2 : 32;
		void *items = lf_arena_alloc(v->arena, cap * v->size);
		if (!items)
			return NULL;
		if (v->n)
			memcpy(items, v->items, v->n * v->size);
		v->items = items;
		v->cap = cap;
	}
	void *p = (char *)v->items + v->n * v->size;
	memset(p, 0, v->size);
	v->n++;
	return p;
}

char *henb__arena_str(struct lf_arena *arena, const char *s)
{
	return lf_arena_strndup(arena, s, strlen(s));
}
