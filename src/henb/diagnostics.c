/* diagnostics.c: the vendor self test behind Device.SelfTestDiagnostics (TR-181 2.19 DiagnosticsState). */
#include "henb/diagnostics.h"

#include <stdio.h>
#include <string.h>

#include "common/err.h"
#include "common/log.h"
#include "henb/agent.h"
#include "henb/dm_schema.h"
#include "henb/hal/hal.h"
#include "henb/persist.h"

#define LF_SELFTEST "Device.SelfTestDiagnostics."

void henb_diag_run(struct henb_agent *a)
{
	char results[1024], why[256] = "", bad[HENB_DM_MAX_NAME] = "";
	size_t n_modules;
	const struct henb_dm_module *const *modules = henb_dm_schema(&n_modules);
	bool pass = true;

	/* The state file as written: a scratch data model proves it parses and its seal holds. */
	struct henb_dm *scratch = henb_dm_new(modules, n_modules, &a->cfg, a, why, sizeof(why));
	if (!scratch) {
		henb_dm_set_str(a->dm, LF_SELFTEST "Results", "test could not run: no memory for the check",
				HENB_DM_ORIGIN_CPE);
		henb_dm_set_str(a->dm, LF_SELFTEST "DiagnosticsState", "Error_Internal", HENB_DM_ORIGIN_CPE);
		return;
	}
	struct henb_state st;
	int state_rc = henb_agent_persist(a);
	if (!state_rc)
		state_rc = henb_state_load(a->state_path, &st, scratch, why, sizeof(why));
	henb_dm_free(&scratch);
	char cwhy[256];
	int config_rc = henb_config_check(&a->cfg, cwhy, sizeof(cwhy));
	int dm_rc = henb_dm_self_check(a->dm, bad, sizeof(bad));
	char s1[16] = "";
	int hal_rc = a->hal ? henb_hal_read(a->hal, HENB_HAL_S1_LINK, s1, sizeof(s1)) : LF_EIO;
	pass = !state_rc && !config_rc && !dm_rc && !hal_rc;
	snprintf(results, sizeof(results), "state=%s config=%s datamodel=%s hal=%s result=%s%s%s",
		 state_rc ? "fail" : "pass", config_rc ? "fail" : "pass", dm_rc ? "fail" : "pass",
		 hal_rc ? "fail" : "pass", pass ? "pass" : "fail", dm_rc ? " bad=" : "", dm_rc ? bad : "");
	henb_dm_set_str(a->dm, LF_SELFTEST "Results", results, HENB_DM_ORIGIN_CPE);
	henb_dm_set_str(a->dm, LF_SELFTEST "DiagnosticsState", "Complete", HENB_DM_ORIGIN_CPE);
	lf_info("selftest_complete", "results=\"%s\"%s%s%s", results, state_rc ? " state_error=\"" : "",
		state_rc ? why : "", state_rc ? "\"" : "");
}
