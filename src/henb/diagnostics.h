/* diagnostics.h: Device.SelfTestDiagnostics: the self test the ACS requests, run after the session. */
#ifndef LF_HENB_DIAGNOSTICS_H
#define LF_HENB_DIAGNOSTICS_H

struct henb_agent;

/* henb_diag_run: run the self test now; DiagnosticsState becomes Complete or Error_Internal when the test itself
 * could not run. Results holds one `check=pass|fail` per integrity check, ';' separated, in this order: sw,
 * config (MAC, seal, configuration and values), lan, behaviour, clock, antenna, case, circuit, sensors (every
 * tamper sensor and the HAL readable); Device.X_<OUI>_Security.SelfTest. one entry per check with what was
 * seen. The caller then reports 8 DIAGNOSTICS COMPLETE. */
void henb_diag_run(struct henb_agent *a);

#endif
