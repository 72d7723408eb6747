/* dm_vendor.c: the vendor objects Device.X_<OUI>_Security. and Device.X_<OUI>_Distress. (OUI from
 * device.oui): placeholders the integrity monitor and the distress client fill in later issues. */
#include "henb/dm_schema.h"

static const char *const lf__integrity[] = {"Unknown", "OK", "Violated", NULL};
static const char *const lf__distress_states[] = {"Idle", "Active", NULL};

static const struct henb_dm_param lf__security[] = {
	HENB_P_BOOL("TamperDetectionEnable", HENB_DM_W, .def = "true"),
	HENB_P_STR("IntegrityStatus", 0, HENB_DM_VOLATILE, .enums = lf__integrity, .def = "Unknown"),
	/* Connection requests refused for bad credentials since boot: the hook for an alarm on bursts. */
	HENB_P_UINT("ConnReqAuthFailures", 0, 0, HENB_DM_VOLATILE, .def = "0"),
	HENB_P_UINT("ConnReqRateLimited", 0, 0, HENB_DM_VOLATILE, .def = "0"),
};

static const struct henb_dm_param lf__distress[] = {
	HENB_P_BOOL("Enable", HENB_DM_W, .cfg = HENB_CFG(distress_enable)),
	HENB_P_STR("ServerURL", 256, HENB_DM_W, .cfg = HENB_CFG(distress_url)),
	HENB_P_STR("State", 0, HENB_DM_VOLATILE, .enums = lf__distress_states, .def = "Idle"),
};

static const struct henb_dm_object lf__objects[] = {
	HENB_OBJ("Device.X_{OUI}_Security.", 0, 0, NULL, lf__security),
	HENB_OBJ("Device.X_{OUI}_Distress.", 0, 0, NULL, lf__distress),
};

const struct henb_dm_module henb_dm_vendor_module = {lf__objects, HENB_N(lf__objects)};
