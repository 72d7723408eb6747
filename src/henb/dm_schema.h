/* dm_schema.h: henbd's data model registration: the modules (dm_*.c) and the macros their static tables use. */
#ifndef LF_HENB_DM_SCHEMA_H
#define LF_HENB_DM_SCHEMA_H

#include <stddef.h>

#include "henb/config.h"
#include "henb/dm.h"

/* Parameter definitions: name, bounds, flags, then any designated field (.def, .cfg, .enums, .get ...). */
#define HENB_P_STR(n, len, fl, ...) {.name = (n), .type = HENB_DM_STRING, .max_len = (len), .flags = (fl), __VA_ARGS__}
#define HENB_P_UINT(n, lo, hi, fl, ...) \
	{.name = (n), .type = HENB_DM_UINT, .min = (lo), .max = (hi), .flags = (fl), __VA_ARGS__}
#define HENB_P_INT(n, lo, hi, fl, ...) \
	{.name = (n), .type = HENB_DM_INT, .min = (lo), .max = (hi), .flags = (fl), __VA_ARGS__}
#define HENB_P_BOOL(n, fl, ...) {.name = (n), .type = HENB_DM_BOOL, .flags = (fl), __VA_ARGS__}
#define HENB_P_TIME(n, fl, ...) {.name = (n), .type = HENB_DM_DATETIME, .flags = (fl), __VA_ARGS__}
/* A NumberOfEntries parameter: read-only, kept by the engine, not persisted. */
#define HENB_P_COUNT(n) HENB_P_UINT(n, 0, 0, HENB_DM_VOLATILE, .def = "0")

#define HENB_N(a) (sizeof(a) / sizeof((a)[0]))
/* Object definitions: path, flags, maximum rows, NumberOfEntries name, parameter array (or none). */
#define HENB_OBJ(path, fl, maxr, count, params) {(path), (fl), (maxr), (count), (params), HENB_N(params)}
#define HENB_OBJ0(path, fl, maxr, count) {(path), (fl), (maxr), (count), NULL, 0}

#define HENB_STR2(x) #x
#define HENB_STR(x) HENB_STR2(x)

/* The modules, in registration order (parents before children). */
extern const struct henb_dm_module henb_dm_device_module;      /* Device., DeviceInfo. */
extern const struct henb_dm_module henb_dm_mgmt_module;        /* ManagementServer. */
extern const struct henb_dm_module henb_dm_faultmgmt_module;   /* FaultMgmt. and its five tables */
extern const struct henb_dm_module henb_dm_selftest_module;    /* SelfTestDiagnostics. */
extern const struct henb_dm_module henb_dm_fap_module;         /* Services.FAPService.{i}. subset (TR-196) */
extern const struct henb_dm_module henb_dm_vendor_module;      /* X_<OUI>_Security., X_<OUI>_Distress. */
extern const struct henb_dm_module henb_dm_integrity_module;   /* X_<OUI>_Security.SelfTest. (self test checks) */

/* henb_dm_schema: the module list of henbd, for henb_dm_new. */
const struct henb_dm_module *const *henb_dm_schema(size_t *n);

#endif
