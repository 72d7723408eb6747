/* dm_schema.c: the list of henbd's data model modules, in registration order (parents before children). */
#include "henb/dm_schema.h"

static const struct henb_dm_module *const lf__modules[] = {
	&henb_dm_device_module, &henb_dm_mgmt_module, &henb_dm_faultmgmt_module,
	&henb_dm_selftest_module, &henb_dm_fap_module, &henb_dm_vendor_module, &henb_dm_integrity_module,
};

const struct henb_dm_module *const *henb_dm_schema(size_t *n)
{
	*n = HENB_N(lf__modules);
	return lf__modules;
}
