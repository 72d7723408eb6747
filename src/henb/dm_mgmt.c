/* dm_mgmt.c: Device.ManagementServer. (TR-181 2.19, tr-181-2-19-1-cwmp.xml): how this CPE reaches its ACS and
 * how the ACS reaches it. */
#include <string.h>

#include "cwmp/cwmp.h"
#include "henb/agent.h"
#include "henb/dm_schema.h"

static const char *const lf__instance_modes[] = {"InstanceNumber", NULL};
static const char *const lf__conn_req_methods[] = {"HTTP", "STUN", "XMPP", NULL};

/* URL: an absolute http or https URL with a host (its host is what TLS checks the certificate against). */
static uint32_t lf__url_ok(void *ctx, const struct henb_dm_ref *ref, const char *v)
{
	const char *host = NULL;
	if (strncmp(v, "http://", 7) == 0)
		host = v + 7;
	else if (strncmp(v, "https://", 8) == 0)
		host = v + 8;
	if (!host || !*host || *host == '/' || *host == ':' || strpbrk(v, " \t\r\n"))
		return CWMP_FAULT_INVALID_PARAMETER_VALUE;
	return 0;
}

/* STUN (TR-069 Annex G NAT traversal) is not implemented: it may be switched off, not on. */
static uint32_t lf__stun_ok(void *ctx, const struct henb_dm_ref *ref, const char *v)
{
	return strcmp(v, "false") == 0 || strcmp(v, "0") == 0 ? 0 : CWMP_FAULT_INVALID_PARAMETER_VALUE;
}

static void lf__url_changed(void *ctx, const struct henb_dm_ref *ref, const char *v, enum henb_dm_origin o)
{
	henb_agent_note(ctx, HENB_NOTE_ACS_URL);
}

static void lf__periodic_changed(void *ctx, const struct henb_dm_ref *ref, const char *v, enum henb_dm_origin o)
{
	henb_agent_note(ctx, HENB_NOTE_PERIODIC);
}

static void lf__listeners_changed(void *ctx, const struct henb_dm_ref *ref, const char *v, enum henb_dm_origin o)
{
	henb_agent_note(ctx, HENB_NOTE_LISTENERS);
}

static const struct henb_dm_param lf__mgmt[] = {
	HENB_P_STR("URL", 256, HENB_DM_W, .cfg = HENB_CFG(acs_url), .validate = lf__url_ok,
		   .changed = lf__url_changed),
	HENB_P_STR("Username", 256, HENB_DM_W, .cfg = HENB_CFG(acs_username)),
	HENB_P_STR("Password", 256, HENB_DM_W | HENB_DM_SECRET, .cfg = HENB_CFG(acs_password)),
	HENB_P_BOOL("PeriodicInformEnable", HENB_DM_W, .cfg = HENB_CFG(periodic_inform_enable),
		    .changed = lf__periodic_changed),
	HENB_P_UINT("PeriodicInformInterval", 1, UINT32_MAX, HENB_DM_W, .cfg = HENB_CFG(periodic_inform_interval),
		    .changed = lf__periodic_changed),
	HENB_P_TIME("PeriodicInformTime", HENB_DM_W, .cfg = HENB_CFG(periodic_inform_time),
		    .changed = lf__periodic_changed),
	HENB_P_STR("ParameterKey", 32, HENB_DM_FORCED | HENB_DM_CANDENY, .def = ""),
	HENB_P_STR("ConnectionRequestURL", 256, HENB_DM_FORCED | HENB_DM_DEFAULT_ACTIVE | HENB_DM_VOLATILE,
		   .def = ""),
	HENB_P_STR("ConnectionRequestUsername", 256, HENB_DM_W, .cfg = HENB_CFG(cr_username)),
	HENB_P_STR("ConnectionRequestPassword", 256, HENB_DM_W | HENB_DM_SECRET, .cfg = HENB_CFG(cr_password)),
	HENB_P_BOOL("UpgradesManaged", HENB_DM_W, .def = "false"),
	HENB_P_UINT("DefaultActiveNotificationThrottle", 0, UINT32_MAX, HENB_DM_W,
		    .cfg = HENB_CFG(notification_throttle)),
	HENB_P_UINT("CWMPRetryMinimumWaitInterval", 1, 65535, HENB_DM_W, .cfg = HENB_CFG(retry_min_wait)),
	HENB_P_UINT("CWMPRetryIntervalMultiplier", 1000, 65535, HENB_DM_W, .cfg = HENB_CFG(retry_multiplier)),
	HENB_P_BOOL("HTTPConnectionRequestEnable", HENB_DM_W, .cfg = HENB_CFG(cr_enable),
		    .changed = lf__listeners_changed),
	/* Not forcedInform in TR-181, but the ACS needs it to wake a NATed CPE (TR-069 Annex G): it rides every
	 * Inform (extra parameters are allowed) and a change is notified actively, like ConnectionRequestURL. */
	HENB_P_STR("UDPConnectionRequestAddress", 256, HENB_DM_FORCED | HENB_DM_DEFAULT_ACTIVE | HENB_DM_VOLATILE,
		   .def = ""),
	HENB_P_BOOL("STUNEnable", HENB_DM_W, .def = "false", .validate = lf__stun_ok),
	HENB_P_BOOL("NATDetected", HENB_DM_VOLATILE, .def = "false"),
	HENB_P_BOOL("AliasBasedAddressing", HENB_DM_FORCED | HENB_DM_VOLATILE, .def = "false"),
	HENB_P_STR("InstanceMode", 0, HENB_DM_W, .enums = lf__instance_modes, .def = "InstanceNumber"),
	HENB_P_BOOL("AutoCreateInstances", HENB_DM_W, .def = "false"),
	HENB_P_STR("SupportedConnReqMethods", 64, HENB_DM_VOLATILE | HENB_DM_LIST, .enums = lf__conn_req_methods,
		   .def = "HTTP"),
};

static const struct henb_dm_object lf__objects[] = {
	HENB_OBJ("Device.ManagementServer.", 0, 0, NULL, lf__mgmt),
};

const struct henb_dm_module henb_dm_mgmt_module = {lf__objects, HENB_N(lf__objects)};
