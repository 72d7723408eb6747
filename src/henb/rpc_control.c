/* rpc_control.c: GetRPCMethods, Reboot, FactoryReset, ScheduleInform, Download (TR-069 A.3.1.1, A.3.2.9,
 * A.4.1.2, A.4.1.4, A.3.2.8). Actions that end the session's life (reboot, reset) run after the session. */
#include <stdio.h>
#include <string.h>

#include "common/err.h"
#include "common/log.h"
#include "henb/agent.h"
#include "henb/download.h"
#include "henb/rpc.h"

void henb__rpc_get_rpc_methods(struct henb_agent *a, const struct cwmp_msg *req, struct cwmp_msg *resp,
			       struct lf_arena *scratch)
{
	static const char *methods[] = {
		"GetRPCMethods", "SetParameterValues", "GetParameterValues", "GetParameterNames",
		"SetParameterAttributes", "GetParameterAttributes", "AddObject", "DeleteObject",
		"Reboot", "Download", "FactoryReset", "ScheduleInform",
	};
	resp->u.rpc_methods.methods = methods;
	resp->u.rpc_methods.n = sizeof(methods) / sizeof(methods[0]);
}

void henb__rpc_reboot(struct henb_agent *a, const struct cwmp_msg *req, struct cwmp_msg *resp,
		      struct lf_arena *scratch)
{
	const char *key = req->u.reboot.command_key ? req->u.reboot.command_key : "";
	if (strlen(key) >= sizeof(a->st.reboot_key)) {
		henb__rpc_fault(resp, CWMP_FAULT_INVALID_ARGUMENTS, NULL);
		return;
	}
	/* M Reboot is persisted now: it is reported in the first session after the reboot. */
	a->st.reboot_pending = true;
	snprintf(a->st.reboot_key, sizeof(a->st.reboot_key), "%s", key);
	if (henb_agent_persist(a)) {
		a->st.reboot_pending = false;
		henb__rpc_fault(resp, CWMP_FAULT_INTERNAL_ERROR, "cannot store the reboot request");
		return;
	}
	a->reboot_requested = true;
	lf_info("reboot_requested", "command_key=\"%s\"", key);
}

void henb__rpc_factory_reset(struct henb_agent *a, const struct cwmp_msg *req, struct cwmp_msg *resp,
			     struct lf_arena *scratch)
{
	a->factory_reset_requested = true;
	lf_info("factory_reset_requested", "source=acs");
}

void henb__rpc_schedule_inform(struct henb_agent *a, const struct cwmp_msg *req, struct cwmp_msg *resp,
			       struct lf_arena *scratch)
{
	const char *key = req->u.schedule_inform.command_key ? req->u.schedule_inform.command_key : "";
	if (req->u.schedule_inform.delay_seconds == 0 || strlen(key) > 32) {
		henb__rpc_fault(resp, CWMP_FAULT_INVALID_ARGUMENTS, NULL);
		return;
	}
	if (henb_agent_schedule_inform(a, req->u.schedule_inform.delay_seconds, key)) {
		henb__rpc_fault(resp, CWMP_FAULT_RESOURCES_EXCEEDED, NULL);
		return;
	}
}

void henb__rpc_download(struct henb_agent *a, const struct cwmp_msg *req, struct cwmp_msg *resp,
			struct lf_arena *scratch)
{
	uint32_t f = henb_download_start(a, &req->u.download, &resp->u.download_response);
	if (f)
		henb__rpc_fault(resp, f, NULL);
}
