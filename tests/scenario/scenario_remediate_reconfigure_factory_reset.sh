#!/usr/bin/env bash
# scenario_remediate_reconfigure_factory_reset (5.7.2.2, rung 3): the compromised firmware survives a reboot (HAL
# test hook `stuck`), so rungs 1 and 2 fail their read-back; hemsd factory-resets the HeNB (FactoryReset,
# 0 BOOTSTRAP, registration provisioning again), which cures it, and verifies the configuration at rung 3.
. "$(dirname "$0")/libremediate.sh"

rem_hemsd
ID=$(dev_id fr1)
det_start fr1
det_ready "$ID" fr1
wait_for 20 idle fr1
echo "$PERIODIC 7" > "$T/fr1/device/stuck"
state_edit "$T/fr1" $PERIODIC 7
expect_alarm "$ID" "Unexpected configuration change" NewAlarm "Integrity Violation" "Information modification detected" Minor expedited
wait_for 90 case_is "$ID" resolved
timeline "$ID"
[ "$(case_field "$(case_of "$ID")" 'd["outcome"]')" = "reconfigure verified at rung 3" ] || fail "outcome"
timeline "$ID" | grep -q "rung 2 failed" || fail "rung 2 did not fail"
timeline "$ID" | grep -q "came back from factory reset (0 BOOTSTRAP)" || fail "no factory reset"
[ ! -e "$T/fr1/device/stuck" ] || fail "the factory reset did not happen"
[ "$(gpv "$ID" $PERIODIC)" = 3600 ] || fail "value"
ok "rungs 1 and 2 read back wrong -> factory reset + reconfigure -> verified at rung 3"
sanitizers_clean
