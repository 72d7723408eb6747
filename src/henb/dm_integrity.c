/* dm_integrity.c: Device.X_<OUI>_Security.SelfTest.: one entry per integrity check of the last self test
 * (Device.SelfTestDiagnostics), "pass: ..." or "fail: ..." with what was seen; diagnostics.c writes them. */
#include "henb/dm_schema.h"

static const struct henb_dm_param lf__selftest[] = {
    /* Kept until the next self test or a reboot, like SelfTestDiagnostics.Results. */
    HENB_P_STR("SW", 256, HENB_DM_VOLATILE, .def = ""),      HENB_P_STR("Config", 256, HENB_DM_VOLATILE, .def = ""),
    HENB_P_STR("LAN", 256, HENB_DM_VOLATILE, .def = ""),     HENB_P_STR("Behaviour", 256, HENB_DM_VOLATILE, .def = ""),
    HENB_P_STR("Clock", 256, HENB_DM_VOLATILE, .def = ""),   HENB_P_STR("Antenna", 256, HENB_DM_VOLATILE, .def = ""),
    HENB_P_STR("Case", 256, HENB_DM_VOLATILE, .def = ""),    HENB_P_STR("Circuit", 256, HENB_DM_VOLATILE, .def = ""),
    HENB_P_STR("Sensors", 256, HENB_DM_VOLATILE, .def = ""),
};

static const struct henb_dm_object lf__objects[] = {
    HENB_OBJ("Device.X_{OUI}_Security.SelfTest.", 0, 0, NULL, lf__selftest),
};

const struct henb_dm_module henb_dm_integrity_module = {lf__objects, HENB_N(lf__objects)};
