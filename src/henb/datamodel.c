/* datamodel.c: the static parameter table of Device.DeviceInfo and Device.ManagementServer (TR-181 2.19). */
#include "henb/datamodel.h"

#include <stdio.h>
#include <string.h>

#include "common/timeutil.h"
#include "henb/agent.h"

#define GETTER(fn, expr) \
	static void fn(const struct henb_agent *a, char *out, size_t outlen) { snprintf(out, outlen, "%s", expr); }

GETTER(lf__root_version, "2.19")
GETTER(lf__manufacturer, a->cfg.manufacturer)
GETTER(lf__oui, a->cfg.oui)
GETTER(lf__product_class, a->cfg.product_class)
GETTER(lf__serial, a->cfg.serial_number)
GETTER(lf__hw_version, a->cfg.hardware_version)
GETTER(lf__sw_version, a->cfg.software_version)
GETTER(lf__prov_code, a->cfg.provisioning_code)
GETTER(lf__url, a->cfg.acs_url)
GETTER(lf__param_key, a->state.parameter_key)
GETTER(lf__conn_req_url, "")
GETTER(lf__false, "false")
GETTER(lf__periodic_enable, a->cfg.periodic_inform_enable ? "true" : "false")

static void lf__uptime(const struct henb_agent *a, char *out, size_t outlen)
{
	snprintf(out, outlen, "%lld", (long long)((lf_now_ms() - a->start_ms) / 1000));
}

static void lf__periodic_interval(const struct henb_agent *a, char *out, size_t outlen)
{
	snprintf(out, outlen, "%lld", a->cfg.periodic_inform_interval);
}

static void lf__retry_min(const struct henb_agent *a, char *out, size_t outlen)
{
	snprintf(out, outlen, "%lld", a->cfg.retry_min_wait);
}

static void lf__retry_mult(const struct henb_agent *a, char *out, size_t outlen)
{
	snprintf(out, outlen, "%lld", a->cfg.retry_multiplier);
}

static const struct henb_dm_param lf__params[] = {
	{"Device.RootDataModelVersion", "xsd:string", HENB_DM_FORCED, lf__root_version},
	{"Device.DeviceInfo.Manufacturer", "xsd:string", 0, lf__manufacturer},
	{"Device.DeviceInfo.ManufacturerOUI", "xsd:string", 0, lf__oui},
	{"Device.DeviceInfo.ProductClass", "xsd:string", 0, lf__product_class},
	{"Device.DeviceInfo.SerialNumber", "xsd:string", 0, lf__serial},
	{"Device.DeviceInfo.HardwareVersion", "xsd:string", HENB_DM_FORCED, lf__hw_version},
	{"Device.DeviceInfo.SoftwareVersion", "xsd:string", HENB_DM_FORCED, lf__sw_version},
	{"Device.DeviceInfo.ProvisioningCode", "xsd:string", HENB_DM_FORCED, lf__prov_code},
	{"Device.DeviceInfo.UpTime", "xsd:unsignedInt", 0, lf__uptime},
	{"Device.ManagementServer.URL", "xsd:string", 0, lf__url},
	{"Device.ManagementServer.ParameterKey", "xsd:string", HENB_DM_FORCED, lf__param_key},
	{"Device.ManagementServer.ConnectionRequestURL", "xsd:string", HENB_DM_FORCED, lf__conn_req_url},
	{"Device.ManagementServer.PeriodicInformEnable", "xsd:boolean", 0, lf__periodic_enable},
	{"Device.ManagementServer.PeriodicInformInterval", "xsd:unsignedInt", 0, lf__periodic_interval},
	{"Device.ManagementServer.CWMPRetryMinimumWaitInterval", "xsd:unsignedInt", 0, lf__retry_min},
	{"Device.ManagementServer.CWMPRetryIntervalMultiplier", "xsd:unsignedInt", 0, lf__retry_mult},
	{"Device.ManagementServer.AliasBasedAddressing", "xsd:boolean", HENB_DM_FORCED, lf__false},
};

const struct henb_dm_param *henb_dm_params(size_t *n)
{
	*n = sizeof(lf__params) / sizeof(lf__params[0]);
	return lf__params;
}

const struct henb_dm_param *henb_dm_find(const char *name)
{
	size_t n;
	const struct henb_dm_param *p = henb_dm_params(&n);
	for (size_t i = 0; i < n; i++)
		if (strcmp(p[i].name, name) == 0)
			return &p[i];
	return NULL;
}

bool henb_dm_matches(const char *request, const struct henb_dm_param *p)
{
	size_t rl = strlen(request);
	if (rl == 0) /* "" names the whole tree */
		return true;
	if (request[rl - 1] == '.')
		return strncmp(p->name, request, rl) == 0;
	return strcmp(p->name, request) == 0;
}
