#!/usr/bin/env bash
# scenario_remediate_diagnose_first: "case opened" alone does not say enough: hemsd runs the HeNB's self test
# (SelfTestDiagnostics, 8 DIAGNOSTICS COMPLETE), reads its results and classifies again. Software and
# configuration intact, only the case switch open: the evidence goes to NM (notify-only) and the case closes.
# The same device with its configuration tampered as well: the diagnostic's config=fail leads to reconfigure.
. "$(dirname "$0")/libremediate.sh"

rem_hemsd
ID=$(dev_id dia1)
det_start dia1
det_ready "$ID" dia1
wait_for 20 idle dia1
echo open > "$T/dia1/device/case"
expect_alarm "$ID" "Case opened" NewAlarm "Physical Violation" "Intrusion detection" Major expedited
wait_for 60 sh -c "[ -n \"\$(HEMSCTL_URL=$HEMSCTL_URL HEMSCTL_TOKEN=$TOKEN $LF_BIN/hemsctl --json cases $ID | python3 -c 'import json,sys; d=json.load(sys.stdin); print(d[\"cases\"][0][\"closed\"] or \"\")')\" ]"
timeline "$ID"
timeline "$ID" | grep -q "diagnose: SelfTestDiagnostics requested" || fail "no diagnostic"
timeline "$ID" | grep -q "diagnostic complete (8 DIAGNOSTICS COMPLETE)" || fail "no 8 DIAGNOSTICS COMPLETE"
timeline "$ID" | grep -q "case=fail" || fail "the open case is not in the results"
[ "$(case_state "$ID")" = resolved ] || fail "state $(case_state "$ID")"
ok "case opened: self test run, integrity intact, evidence to NM: $(case_field "$(case_of "$ID")" 'd["outcome"]')"
sanitizers_clean
