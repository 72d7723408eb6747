/* diagnostics.h: Device.SelfTestDiagnostics: the self test the ACS requests, run after the session. */
#ifndef LF_HENB_DIAGNOSTICS_H
#define LF_HENB_DIAGNOSTICS_H

struct henb_agent;

/* henb_diag_run: run the self test now; DiagnosticsState becomes Complete (Results: one check=pass|fail per
 * check and the overall result) or Error_Internal when the test itself could not run. The caller then
 * reports 8 DIAGNOSTICS COMPLETE. The checks for now: the state file reads back and its seal holds, the
 * configuration is consistent, every data model value is valid, the HAL answers. The software and
 * configuration integrity checks of the procedure join here later. */
void henb_diag_run(struct henb_agent *a);

#endif
