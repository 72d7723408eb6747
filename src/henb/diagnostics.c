/* diagnostics.c: the vendor self test behind Device.SelfTestDiagnostics (TR-181 2.19 DiagnosticsState): every
 * integrity check of the monitor run now (software, configuration, LAN, behaviour, clock, antenna, case,
 * circuit, sensors), reported as `check=pass|fail` items in Results (docs/policy.md) and one entry per check
 * in Device.X_<OUI>_Security.SelfTest. */
#include "henb/diagnostics.h"

#include <stdio.h>
#include <string.h>

#include "common/err.h"
#include "common/log.h"
#include "common/timeutil.h"
#include "henb/agent.h"
#include "henb/dm_schema.h"
#include "henb/hal/hal.h"
#include "henb/persist.h"

#define LF_SELFTEST "Device.SelfTestDiagnostics."
#define LF_ENTRIES "Device.X_{OUI}_Security.SelfTest."

/* The vendor entries, in enum henb_check order, then the sensors. */
static const char *const lf__entry[HENB_CHECK_COUNT + 1] = {"SW",      "Config", "LAN",     "Behaviour", "Clock",
                                                            "Antenna", "Case",   "Circuit", "Sensors"};

static void lf__entry_set(struct henb_agent *a, size_t i, bool pass, const char *detail)
{
	char v[256];
	int obj = henb_dm_object_index(a->dm, LF_ENTRIES);
	if (obj < 0)
		return;
	snprintf(v, sizeof(v), "%s: %.240s", pass ? "pass" : "fail", detail);
	struct henb_dm_ref ref = henb_dm_row_ref(a->dm, obj, 0, lf__entry[i]);
	henb_dm_set(a->dm, &ref, v, HENB_DM_ORIGIN_CPE);
}

void henb_diag_run(struct henb_agent *a)
{
	char results[1024], why[256] = "", bad[HENB_DM_MAX_NAME] = "";
	size_t n_modules, pos = 0;
	const struct henb_dm_module *const *modules = henb_dm_schema(&n_modules);
	struct henb_reading r[HENB_CHECK_COUNT];
	bool sensors_ok;

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

	/* Every detector reads now, undebounced. */
	henb_monitor_selftest(&a->mon, lf_now_ms(), r, &sensors_ok);
	/* The configuration check also covers the state file's seal, the configuration and every value. */
	if (r[HENB_CHECK_CONFIG].verdict == HENB_V_OK && (state_rc || config_rc || dm_rc)) {
		r[HENB_CHECK_CONFIG].verdict = HENB_V_TAMPER;
		snprintf(r[HENB_CHECK_CONFIG].detail, sizeof(r[HENB_CHECK_CONFIG].detail), "%s%.120s",
		         state_rc    ? "state file: "
		         : config_rc ? "configuration: "
		                     : "invalid value: ",
		         state_rc    ? why
		         : config_rc ? cwhy
		                     : bad);
	}
	bool pass = true;
	for (int c = 0; c < HENB_CHECK_COUNT; c++) {
		bool ok = r[c].verdict == HENB_V_OK;
		pass = pass && ok;
		int n = snprintf(results + pos, sizeof(results) - pos, "%s%s=%s", c ? ";" : "",
		                 henb_check_name((enum henb_check)c), ok ? "pass" : "fail");
		if (n > 0 && (size_t)n < sizeof(results) - pos)
			pos += (size_t)n;
		lf__entry_set(a, (size_t)c, ok, r[c].detail);
	}
	bool sensors = sensors_ok && !hal_rc;
	pass = pass && sensors;
	snprintf(results + pos, sizeof(results) - pos, ";sensors=%s", sensors ? "pass" : "fail");
	lf__entry_set(a, HENB_CHECK_COUNT, sensors,
	              sensors ? "every tamper sensor and the HAL answer" : "a tamper sensor or the HAL cannot be read");
	henb_dm_set_str(a->dm, LF_SELFTEST "Results", results, HENB_DM_ORIGIN_CPE);
	henb_dm_set_str(a->dm, LF_SELFTEST "DiagnosticsState", "Complete", HENB_DM_ORIGIN_CPE);
	lf_info("selftest_complete", "results=\"%s\" result=%s%s%s%s", results, pass ? "pass" : "fail",
	        state_rc ? " state_error=\"" : "", state_rc ? why : "", state_rc ? "\"" : "");
}
