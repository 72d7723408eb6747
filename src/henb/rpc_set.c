/* rpc_set.c: SetParameterValues and SetParameterAttributes (TR-069 A.3.2.1, A.3.2.4): every entry checked
 * before anything changes; all applied or none; ParameterKey updated on success. */
#include <stdio.h>
#include <string.h>

#include "common/err.h"
#include "common/log.h"
#include "henb/agent.h"
#include "henb/dm_value.h"
#include "henb/hal/hal.h"
#include "henb/rpc.h"

#define LF_PARAMETER_KEY "Device.ManagementServer.ParameterKey"

/* The fault of one SetParameterValues entry, 0 if it may be applied. */
static uint32_t lf__check_entry(struct henb_agent *a, const struct cwmp_param_value *pv, struct henb_dm_ref *ref)
{
	char canon[HENB_DM_MAX_VALUE];
	if (!pv->name || henb_dm_resolve(a->dm, pv->name, ref) || ref->param < 0)
		return CWMP_FAULT_INVALID_PARAMETER_NAME;
	const struct henb_dm_param *p = henb_dm_param_def(a->dm, ref);
	if (!(p->flags & HENB_DM_W))
		return CWMP_FAULT_NON_WRITABLE_PARAMETER;
	if (pv->type) {
		int want = (p->flags & HENB_DM_LIST) ? HENB_DM_STRING : p->type;
		if (henb__dm_type_from_xsd(pv->type) != want)
			return CWMP_FAULT_INVALID_PARAMETER_TYPE;
	}
	uint32_t f = henb_dm_check(a->dm, ref, pv->value ? pv->value : "", canon, sizeof(canon));
	if (!f && p->validate)
		f = p->validate(a, ref, canon);
	return f;
}

void henb__rpc_set_values(struct henb_agent *a, const struct cwmp_msg *req, struct cwmp_msg *resp,
			  struct lf_arena *scratch)
{
	size_t n = req->u.spv.n;
	struct henb_dm_ref *refs = lf_arena_alloc(scratch, (n ? n : 1) * sizeof(*refs));
	char **old = lf_arena_alloc(scratch, (n ? n : 1) * sizeof(char *));
	struct henb__vec faults = {.size = sizeof(struct cwmp_spv_fault), .arena = scratch};
	char value[HENB_DM_MAX_VALUE];
	const char *key = req->u.spv.parameter_key ? req->u.spv.parameter_key : "";

	if (!refs || !old) {
		henb__rpc_fault(resp, CWMP_FAULT_RESOURCES_EXCEEDED, NULL);
		return;
	}
	/* 1. Check every entry; collect one SetParameterValuesFault per bad one. */
	for (size_t i = 0; i < n; i++) {
		const struct cwmp_param_value *pv = &req->u.spv.params[i];
		uint32_t f = lf__check_entry(a, pv, &refs[i]);
		for (size_t j = 0; j < i && !f; j++)
			if (pv->name && req->u.spv.params[j].name && strcmp(pv->name, req->u.spv.params[j].name) == 0)
				f = CWMP_FAULT_INVALID_ARGUMENTS; /* the same parameter twice */
		if (!f)
			continue;
		struct cwmp_spv_fault *sf = henb__vec_push(&faults);
		if (!sf) {
			henb__rpc_fault(resp, CWMP_FAULT_RESOURCES_EXCEEDED, NULL);
			return;
		}
		sf->name = pv->name ? pv->name : "";
		sf->code = f;
		sf->string = cwmp_fault_text(f);
	}
	if (faults.n) {
		henb__rpc_fault(resp, CWMP_FAULT_INVALID_ARGUMENTS, NULL);
		resp->u.fault.spv = faults.items;
		resp->u.fault.n_spv = faults.n;
		return;
	}
	/* 2. Apply all (the checks above cannot fail now), remembering the old values for a rollback. */
	for (size_t i = 0; i < n; i++) {
		henb_dm_get(a->dm, &refs[i], true, value, sizeof(value));
		old[i] = henb__arena_str(scratch, value);
		if (!old[i]) {
			henb__rpc_fault(resp, CWMP_FAULT_RESOURCES_EXCEEDED, NULL);
			return;
		}
	}
	char old_key[64];
	snprintf(old_key, sizeof(old_key), "%s", henb_dm_get_str(a->dm, LF_PARAMETER_KEY));
	for (size_t i = 0; i < n; i++)
		henb_dm_set(a->dm, &refs[i], req->u.spv.params[i].value ? req->u.spv.params[i].value : "",
			    HENB_DM_ORIGIN_ACS);
	henb_dm_set_str(a->dm, LF_PARAMETER_KEY, key, HENB_DM_ORIGIN_ACS);
	/* 3. Durable before we say so: if the state cannot be written, nothing was applied. */
	if (henb_agent_persist(a)) {
		for (size_t i = 0; i < n; i++)
			henb_dm_set(a->dm, &refs[i], old[i], HENB_DM_ORIGIN_ACS);
		henb_dm_set_str(a->dm, LF_PARAMETER_KEY, old_key, HENB_DM_ORIGIN_ACS);
		henb__rpc_fault(resp, CWMP_FAULT_INTERNAL_ERROR, "cannot store the new values");
		return;
	}
	/* Test hook (docs/henb-hal.md): compromised firmware keeps some parameters at their old value behind the
	 * HeMS's back; the answer still says success, only a read-back shows it. */
	for (size_t i = 0; i < n && a->hal; i++) {
		const char *name = req->u.spv.params[i].name ? req->u.spv.params[i].name : "";
		char forced[256];
		if (henb_hal_stuck_value(a->hal, name, forced, sizeof(forced))) {
			henb_dm_set(a->dm, &refs[i], forced, HENB_DM_ORIGIN_CPE);
			lf_warn("spv_reverted", "name=%s reason=test_hook_stuck", name);
			henb_agent_persist(a);
		}
	}
	lf_info("spv_applied", "count=%zu parameter_key=\"%s\"", n, key);
	resp->u.spv_response.status = 0;
}

struct lf__spa_ctx {
	struct henb_agent *a;
	const struct cwmp_set_attr *sa;
	unsigned access;
};

static int lf__visit_spa(void *vctx, const struct henb_dm_ref *ref)
{
	struct lf__spa_ctx *c = vctx;
	if (ref->param < 0)
		return 0;
	bool notif = c->sa->notification_change;
	/* A partial path sets what each parameter accepts: those that refuse keep their notification. */
	if (notif && henb_dm_check_notification(c->a->dm, ref, c->sa->notification))
		notif = false;
	henb_dm_set_attributes(c->a->dm, ref, notif, c->sa->notification, c->sa->access_list_change, c->access);
	return 0;
}

void henb__rpc_set_attributes(struct henb_agent *a, const struct cwmp_msg *req, struct cwmp_msg *resp,
			      struct lf_arena *scratch)
{
	size_t n = req->u.spa.n;
	struct henb_dm_ref *refs = lf_arena_alloc(scratch, (n ? n : 1) * sizeof(*refs));
	unsigned *access = lf_arena_alloc(scratch, (n ? n : 1) * sizeof(*access));
	if (!refs || !access) {
		henb__rpc_fault(resp, CWMP_FAULT_RESOURCES_EXCEEDED, NULL);
		return;
	}
	/* 1. Check every entry. */
	for (size_t i = 0; i < n; i++) {
		const struct cwmp_set_attr *sa = &req->u.spa.attrs[i];
		const char *name = sa->name ? sa->name : "";
		if (henb_dm_resolve(a->dm, name[0] ? name : "Device.", &refs[i])) {
			henb__rpc_fault(resp, CWMP_FAULT_INVALID_PARAMETER_NAME, NULL);
			return;
		}
		if (sa->notification_change) {
			uint32_t f;
			if (refs[i].param >= 0)
				f = henb_dm_check_notification(a->dm, &refs[i], sa->notification);
			else if (sa->notification < 0 || sa->notification > 6)
				f = CWMP_FAULT_INVALID_ARGUMENTS;
			else
				f = sa->notification > 2 ? CWMP_FAULT_NOTIFICATION_REJECTED : 0;
			if (f) {
				henb__rpc_fault(resp, f, NULL);
				return;
			}
		}
		access[i] = 0;
		for (size_t k = 0; sa->access_list_change && k < sa->n_access; k++) {
			/* TR-069 A.3.2.4: "Subscriber" is the only defined entity. */
			if (!sa->access_list[k] || strcmp(sa->access_list[k], "Subscriber") != 0) {
				henb__rpc_fault(resp, CWMP_FAULT_INVALID_ARGUMENTS, NULL);
				return;
			}
			access[i] |= HENB_DM_ACCESS_SUBSCRIBER;
		}
	}
	/* 2. Apply all. */
	for (size_t i = 0; i < n; i++) {
		struct lf__spa_ctx c = {.a = a, .sa = &req->u.spa.attrs[i], .access = access[i]};
		henb_dm_walk(a->dm, &refs[i], 0, lf__visit_spa, &c);
	}
	if (henb_agent_persist(a)) {
		henb__rpc_fault(resp, CWMP_FAULT_INTERNAL_ERROR, "cannot store the new attributes");
		return;
	}
}
