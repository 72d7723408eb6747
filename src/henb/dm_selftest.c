/* dm_selftest.c: Device.SelfTestDiagnostics. (TR-181 2.19): the ACS asks for the self test by writing
 * Requested; diagnostics.c runs it after the session and reports 8 DIAGNOSTICS COMPLETE. */
#include <string.h>

#include "cwmp/cwmp.h"
#include "henb/agent.h"
#include "henb/dm_schema.h"

static const char *const lf__states[] = {"None",     "Requested",      "Canceled",
					 "Complete", "Error_Internal", "Error_Other", NULL};

/* TR-181 DiagnosticsState: the ACS may write only Requested or Canceled; the rest are the CPE's. */
static uint32_t lf__state_ok(void *ctx, const struct henb_dm_ref *ref, const char *v)
{
	return strcmp(v, "Requested") == 0 || strcmp(v, "Canceled") == 0 ? 0 : CWMP_FAULT_INVALID_PARAMETER_VALUE;
}

static void lf__state_changed(void *ctx, const struct henb_dm_ref *ref, const char *v, enum henb_dm_origin o)
{
	if (o != HENB_DM_ORIGIN_ACS)
		return;
	henb_agent_note(ctx, strcmp(v, "Requested") == 0 ? HENB_NOTE_DIAG_REQUESTED : HENB_NOTE_DIAG_CANCELED);
}

static const struct henb_dm_param lf__selftest[] = {
	/* Results are kept until the next run or a reboot: after a reboot the state is None. */
	HENB_P_STR("DiagnosticsState", 0, HENB_DM_W | HENB_DM_CANDENY | HENB_DM_VOLATILE, .enums = lf__states,
		   .def = "None", .validate = lf__state_ok, .changed = lf__state_changed),
	HENB_P_STR("Results", 1024, HENB_DM_VOLATILE, .def = ""),
};

static const struct henb_dm_object lf__objects[] = {
	HENB_OBJ("Device.SelfTestDiagnostics.", 0, 0, NULL, lf__selftest),
};

const struct henb_dm_module henb_dm_selftest_module = {lf__objects, HENB_N(lf__objects)};
