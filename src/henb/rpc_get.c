/* rpc_get.c: GetParameterValues, GetParameterNames, GetParameterAttributes (TR-069 A.3.2.2, A.3.2.3, A.3.2.5):
 * full names and partial paths, NextLevel semantics, 9005 for names that do not exist. */
#include <string.h>

#include "common/err.h"
#include "henb/agent.h"
#include "henb/dm_value.h"
#include "henb/rpc.h"

struct lf__get_ctx {
	struct henb_agent *a;
	struct henb__vec vec;
	bool full; /* arena exhausted */
};

/* "" names the whole tree (TR-069: an empty ParameterPath / ParameterNames entry). */
static int lf__resolve(const struct henb_dm *dm, const char *name, struct henb_dm_ref *ref)
{
	return henb_dm_resolve(dm, name[0] ? name : "Device.", ref);
}

static int lf__visit_value(void *vctx, const struct henb_dm_ref *ref)
{
	struct lf__get_ctx *c = vctx;
	char name[HENB_DM_MAX_NAME + 64], value[HENB_DM_MAX_VALUE];
	if (ref->param < 0)
		return 0;
	struct cwmp_param_value *pv = henb__vec_push(&c->vec);
	if (!pv || henb_dm_name(c->a->dm, ref, name, sizeof(name)))
		goto full;
	henb_dm_get(c->a->dm, ref, false, value, sizeof(value));
	pv->name = henb__arena_str(c->vec.arena, name);
	pv->value = henb__arena_str(c->vec.arena, value);
	pv->type = henb_dm_param_xsd(henb_dm_param_def(c->a->dm, ref));
	if (pv->name && pv->value)
		return 0;
full:
	c->full = true;
	return 1;
}

void henb__rpc_get_values(struct henb_agent *a, const struct cwmp_msg *req, struct cwmp_msg *resp,
			  struct lf_arena *scratch)
{
	struct lf__get_ctx c = {.a = a, .vec = {.size = sizeof(struct cwmp_param_value), .arena = scratch}};
	for (size_t i = 0; i < req->u.names.n; i++) {
		struct henb_dm_ref ref;
		if (lf__resolve(a->dm, req->u.names.names[i], &ref)) {
			henb__rpc_fault(resp, CWMP_FAULT_INVALID_PARAMETER_NAME, NULL);
			return;
		}
		henb_dm_walk(a->dm, &ref, 0, lf__visit_value, &c);
		if (c.full) {
			henb__rpc_fault(resp, CWMP_FAULT_RESOURCES_EXCEEDED, NULL);
			return;
		}
	}
	resp->u.gpv_response.params = c.vec.items;
	resp->u.gpv_response.n = c.vec.n;
}

static int lf__visit_name(void *vctx, const struct henb_dm_ref *ref)
{
	struct lf__get_ctx *c = vctx;
	char name[HENB_DM_MAX_NAME + 64];
	struct cwmp_param_info *pi = henb__vec_push(&c->vec);
	if (!pi || henb_dm_name(c->a->dm, ref, name, sizeof(name)))
		goto full;
	pi->name = henb__arena_str(c->vec.arena, name);
	pi->writable = henb_dm_writable(c->a->dm, ref);
	if (pi->name)
		return 0;
full:
	c->full = true;
	return 1;
}

void henb__rpc_get_names(struct henb_agent *a, const struct cwmp_msg *req, struct cwmp_msg *resp,
			 struct lf_arena *scratch)
{
	struct lf__get_ctx c = {.a = a, .vec = {.size = sizeof(struct cwmp_param_info), .arena = scratch}};
	const char *path = req->u.gpn.path ? req->u.gpn.path : "";
	bool next_level = req->u.gpn.next_level;
	struct henb_dm_ref ref;

	if (lf__resolve(a->dm, path, &ref)) {
		henb__rpc_fault(resp, CWMP_FAULT_INVALID_PARAMETER_NAME, NULL);
		return;
	}
	if (!path[0] && next_level) {
		/* A.3.2.3: an empty path with NextLevel true names just the root object. */
		lf__visit_name(&c, &ref);
	} else if (ref.param >= 0) {
		if (next_level) {
			/* A parameter has no next level (TR-069 Amendment 5: 9003). */
			henb__rpc_fault(resp, CWMP_FAULT_INVALID_ARGUMENTS, NULL);
			return;
		}
		lf__visit_name(&c, &ref);
	} else {
		unsigned flags = HENB_DM_WALK_OBJECTS | (next_level ? HENB_DM_WALK_NEXT_LEVEL : HENB_DM_WALK_SELF);
		henb_dm_walk(a->dm, &ref, flags, lf__visit_name, &c);
	}
	if (c.full) {
		henb__rpc_fault(resp, CWMP_FAULT_RESOURCES_EXCEEDED, NULL);
		return;
	}
	resp->u.gpn_response.params = c.vec.items;
	resp->u.gpn_response.n = c.vec.n;
}

static int lf__visit_attr(void *vctx, const struct henb_dm_ref *ref)
{
	struct lf__get_ctx *c = vctx;
	char name[HENB_DM_MAX_NAME + 64];
	if (ref->param < 0)
		return 0;
	struct cwmp_param_attr *pa = henb__vec_push(&c->vec);
	if (!pa || henb_dm_name(c->a->dm, ref, name, sizeof(name)))
		goto full;
	pa->name = henb__arena_str(c->vec.arena, name);
	pa->notification = henb_dm_notification(c->a->dm, ref);
	if (henb_dm_access(c->a->dm, ref) & HENB_DM_ACCESS_SUBSCRIBER) {
		pa->access_list = lf_arena_alloc(c->vec.arena, sizeof(char *));
		if (!pa->access_list)
			goto full;
		pa->access_list[0] = "Subscriber";
		pa->n_access = 1;
	}
	if (pa->name)
		return 0;
full:
	c->full = true;
	return 1;
}

void henb__rpc_get_attributes(struct henb_agent *a, const struct cwmp_msg *req, struct cwmp_msg *resp,
			      struct lf_arena *scratch)
{
	struct lf__get_ctx c = {.a = a, .vec = {.size = sizeof(struct cwmp_param_attr), .arena = scratch}};
	for (size_t i = 0; i < req->u.names.n; i++) {
		struct henb_dm_ref ref;
		if (lf__resolve(a->dm, req->u.names.names[i], &ref)) {
			henb__rpc_fault(resp, CWMP_FAULT_INVALID_PARAMETER_NAME, NULL);
			return;
		}
		henb_dm_walk(a->dm, &ref, 0, lf__visit_attr, &c);
		if (c.full) {
			henb__rpc_fault(resp, CWMP_FAULT_RESOURCES_EXCEEDED, NULL);
			return;
		}
	}
	resp->u.gpa_response.attrs = c.vec.items;
	resp->u.gpa_response.n = c.vec.n;
}
