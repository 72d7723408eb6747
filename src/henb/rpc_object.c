/* rpc_object.c: AddObject and DeleteObject (TR-069 A.3.2.6, A.3.2.7) on the tables the ACS may change;
 * instance numbers are not reused and survive restarts; ParameterKey updated on success. */
#include <stdio.h>
#include <string.h>

#include "common/err.h"
#include "common/log.h"
#include "henb/agent.h"
#include "henb/rpc.h"

#define LF_PARAMETER_KEY "Device.ManagementServer.ParameterKey"

void henb__rpc_add_object(struct henb_agent *a, const struct cwmp_msg *req, struct cwmp_msg *resp,
			  struct lf_arena *scratch)
{
	const char *name = req->u.object.object_name ? req->u.object.object_name : "";
	const char *key = req->u.object.parameter_key ? req->u.object.parameter_key : "";
	struct henb_dm_ref ref;
	char old_key[64];
	/* The name is a table: "....LTECell." (ends with a dot, no instance number). */
	if (henb_dm_resolve(a->dm, name, &ref) || !ref.table_level ||
	    !(henb_dm_object_def(a->dm, ref.obj)->flags & HENB_DM_ADDABLE)) {
		henb__rpc_fault(resp, CWMP_FAULT_INVALID_PARAMETER_NAME, NULL);
		return;
	}
	int row = henb_dm_add(a->dm, &ref, 0, HENB_DM_ORIGIN_ACS);
	if (row < 0) {
		henb__rpc_fault(resp, row == LF_ETOOBIG ? CWMP_FAULT_RESOURCES_EXCEEDED : CWMP_FAULT_INTERNAL_ERROR,
				NULL);
		return;
	}
	snprintf(old_key, sizeof(old_key), "%s", henb_dm_get_str(a->dm, LF_PARAMETER_KEY));
	henb_dm_set_str(a->dm, LF_PARAMETER_KEY, key, HENB_DM_ORIGIN_ACS);
	if (henb_agent_persist(a)) {
		henb_dm_delete(a->dm, row, HENB_DM_ORIGIN_ACS);
		henb_dm_set_str(a->dm, LF_PARAMETER_KEY, old_key, HENB_DM_ORIGIN_ACS);
		henb__rpc_fault(resp, CWMP_FAULT_INTERNAL_ERROR, "cannot store the new object");
		return;
	}
	lf_info("object_added", "table=\"%s\" instance=%u", name, henb_dm_instance(a->dm, row));
	resp->u.add_object_response.instance_number = henb_dm_instance(a->dm, row);
	resp->u.add_object_response.status = 0;
}

void henb__rpc_delete_object(struct henb_agent *a, const struct cwmp_msg *req, struct cwmp_msg *resp,
			     struct lf_arena *scratch)
{
	const char *name = req->u.object.object_name ? req->u.object.object_name : "";
	const char *key = req->u.object.parameter_key ? req->u.object.parameter_key : "";
	struct henb_dm_ref ref;
	size_t len = strlen(name);
	/* The name is one instance: "....LTECell.3.". */
	if (len == 0 || name[len - 1] != '.' || henb_dm_resolve(a->dm, name, &ref) || ref.table_level ||
	    ref.param >= 0 || !(henb_dm_object_def(a->dm, ref.obj)->flags & HENB_DM_TABLE) ||
	    !(henb_dm_object_def(a->dm, ref.obj)->flags & HENB_DM_ADDABLE)) {
		henb__rpc_fault(resp, CWMP_FAULT_INVALID_PARAMETER_NAME, NULL);
		return;
	}
	henb_dm_delete(a->dm, ref.row, HENB_DM_ORIGIN_ACS);
	henb_dm_set_str(a->dm, LF_PARAMETER_KEY, key, HENB_DM_ORIGIN_ACS);
	if (henb_agent_persist(a)) {
		/* The row is gone from memory; tell the ACS the outcome is not durable. */
		henb__rpc_fault(resp, CWMP_FAULT_INTERNAL_ERROR, "cannot store the deletion");
		return;
	}
	lf_info("object_deleted", "object=\"%s\"", name);
	resp->u.delete_object_response.status = 0;
}
