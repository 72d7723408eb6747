/* dm_device.c: Device. and Device.DeviceInfo. (TR-181 2.19, tr-181-2-19-0-deviceinfo.xml). */
#include <stdio.h>

#include "henb/agent.h"
#include "henb/dm_schema.h"

static void lf__uptime(void *ctx, const struct henb_dm_ref *ref, char *out, size_t outlen)
{
	snprintf(out, outlen, "%lld", (long long)henb_agent_uptime_s(ctx));
}

static const struct henb_dm_param lf__device[] = {
	HENB_P_STR("RootDataModelVersion", 32, HENB_DM_FORCED | HENB_DM_VOLATILE, .def = "2.19"),
};

static const struct henb_dm_param lf__deviceinfo[] = {
	HENB_P_STR("Manufacturer", 64, HENB_DM_VOLATILE, .cfg = HENB_CFG(manufacturer)),
	HENB_P_STR("ManufacturerOUI", 6, HENB_DM_VOLATILE, .cfg = HENB_CFG(oui)),
	HENB_P_STR("ModelName", 64, HENB_DM_VOLATILE, .cfg = HENB_CFG(model_name)),
	HENB_P_STR("Description", 256, HENB_DM_VOLATILE, .cfg = HENB_CFG(description)),
	HENB_P_STR("ProductClass", 64, HENB_DM_VOLATILE | HENB_DM_CANDENY, .cfg = HENB_CFG(product_class)),
	HENB_P_STR("SerialNumber", 64, HENB_DM_VOLATILE | HENB_DM_CANDENY, .cfg = HENB_CFG(serial_number)),
	HENB_P_STR("HardwareVersion", 64, HENB_DM_VOLATILE | HENB_DM_FORCED, .cfg = HENB_CFG(hardware_version)),
	/* The running image says which version it is: not persisted, so an upgrade shows at once. */
	HENB_P_STR("SoftwareVersion", 64, HENB_DM_VOLATILE | HENB_DM_FORCED | HENB_DM_FORCE_ACTIVE,
		   .cfg = HENB_CFG(software_version)),
	HENB_P_STR("ProvisioningCode", 64, HENB_DM_W | HENB_DM_FORCED | HENB_DM_FORCE_ACTIVE,
		   .cfg = HENB_CFG(provisioning_code)),
	HENB_P_UINT("UpTime", 0, 0, HENB_DM_CANDENY, .get = lf__uptime),
	HENB_P_TIME("FirstUseDate", 0, .def = NULL),
};

static const struct henb_dm_object lf__objects[] = {
	HENB_OBJ("Device.", 0, 0, NULL, lf__device),
	HENB_OBJ("Device.DeviceInfo.", 0, 0, NULL, lf__deviceinfo),
};

const struct henb_dm_module henb_dm_device_module = {lf__objects, HENB_N(lf__objects)};
