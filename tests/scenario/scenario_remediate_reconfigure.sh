#!/usr/bin/env bash
# scenario_remediate_reconfigure (5.7.2.2, rung 1): the configuration changed behind henbd's back (an edit of its
# state file) raises Integrity Violation / Minor; hemsd pushes the golden configuration, reads it back, finds it
# equal: the case is verified at rung 1 and the alarm clears.
. "$(dirname "$0")/libremediate.sh"

rem_hemsd
ID=$(dev_id cfg1)
det_start cfg1
det_ready "$ID" cfg1
[ "$(gpv "$ID" $PERIODIC)" = 3600 ] || fail "golden configuration not applied at registration"
wait_for 20 idle cfg1
state_edit "$T/cfg1" $PERIODIC 7
expect_alarm "$ID" "Unexpected configuration change" NewAlarm "Integrity Violation" "Information modification detected" Minor expedited
wait_for 40 case_is "$ID" resolved
timeline "$ID"
[ "$(case_field "$(case_of "$ID")" 'd["outcome"]')" = "reconfigure verified at rung 1" ] || fail "outcome"
timeline "$ID" | grep -q "read-back equals the golden configuration" || fail "no read-back in the timeline"
[ "$(gpv "$ID" $PERIODIC)" = 3600 ] || fail "the device does not hold the golden value"
wait_for 20 has_alarm "$ID" "Unexpected configuration change" ClearedAlarm
ok "configuration tamper: golden configuration pushed, read back equal, verified at rung 1, alarm cleared"
sanitizers_clean
