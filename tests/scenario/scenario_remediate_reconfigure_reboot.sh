#!/usr/bin/env bash
# scenario_remediate_reconfigure_reboot (5.7.2.2, rung 2): compromised firmware keeps the tampered value (HAL
# test hook stuck_until_boot): the golden configuration is accepted but reads back wrong, so rung 1 fails; hemsd
# reboots the HeNB (Reboot, 1 BOOT), which cures it, pushes the configuration again and verifies it at rung 2.
. "$(dirname "$0")/libremediate.sh"

rem_hemsd
ID=$(dev_id rb1)
det_start rb1
det_ready "$ID" rb1
wait_for 20 idle rb1
echo "$PERIODIC 7" > "$T/rb1/device/stuck_until_boot"
state_edit "$T/rb1" $PERIODIC 7
expect_alarm "$ID" "Unexpected configuration change" NewAlarm "Integrity Violation" "Information modification detected" Minor expedited
wait_for 60 case_is "$ID" resolved
timeline "$ID"
[ "$(case_field "$(case_of "$ID")" 'd["outcome"]')" = "reconfigure verified at rung 2" ] || fail "outcome"
timeline "$ID" | grep -q "rung 1 failed: .*reads back '7', expected '3600'" || fail "rung 1 failure not recorded"
timeline "$ID" | grep -q "the device rebooted (1 BOOT)" || fail "no reboot"
grep -q 'event=spv_reverted' "$T/rb1.log" || fail "the test hook did not act"
[ ! -e "$T/rb1/device/stuck_until_boot" ] || fail "the reboot did not happen"
[ "$(gpv "$ID" $PERIODIC)" = 3600 ] || fail "value"
ok "rung 1 read back wrong -> reboot + reconfigure -> verified at rung 2"
sanitizers_clean
