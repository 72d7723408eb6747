#!/usr/bin/env bash
# scenario_detect_config_change: the persisted configuration (henbd.state) carries an HMAC kept with the device
# key in protected storage, updated by henbd on every legitimate change. SetParameterValues and AddObject from
# the HeMS raise nothing; the state file edited behind henbd's back (seal recomputed, so only the MAC can tell)
# raises Integrity Violation / Information modification detected / Minor "Unexpected configuration change",
# expedited to hemsd, whether henbd runs or not (checked at boot); hemsd's default policy reconfigures (golden
# configuration) and that change through management clears the alarm.
. "$(dirname "$0")/libdetect.sh"

SP="Unexpected configuration change"
start_hemsd hems
ID=$(dev_id cfg1)
det_start cfg1
det_ready "$ID" cfg1

# 1. Legitimate changes.
task "$ID" SetParameterValues '{"values":[{"name":"Device.ManagementServer.PeriodicInformInterval","value":"1234","type":"xsd:unsignedInt"}],"parameterKey":"legit-1"}'
expect_status done
task "$ID" AddObject '{"objectName":"Device.Services.FAPService.1.CellConfig.LTE.RAN.NeighborList.LTECell.","parameterKey":"legit-2"}'
expect_status done
sleep 1.5 # seven checks of the MAC
[ "$(alarm_count "$ID" "$SP" NewAlarm)" = 0 ] || fail "a legitimate SetParameterValues / AddObject raised an alarm"
grep -q 'event=config_mac_mismatch' "$T/cfg1.log" && fail "a legitimate change was a MAC mismatch"
ok "SetParameterValues and AddObject from the HeMS: the MAC follows, no alarm"

# 2. Behind henbd's back while it runs.
wait_for 20 idle cfg1
state_edit "$T/cfg1" Device.ManagementServer.PeriodicInformInterval 7
expect_alarm "$ID" "$SP" NewAlarm "Integrity Violation" "Information modification detected" Minor expedited
ident=$(field "$ALARM" alarmIdentifier)
echo "$ALARM" | grep -q "changed outside management" || fail "text: $ALARM"
ok "state file edited while henbd runs -> Integrity Violation / Information modification detected / Minor"
# hemsd reconfigures (golden configuration, SetParameterValues): that change through management clears it
wait_for 30 has_alarm "$ID" "$SP" ClearedAlarm
[ "$(field "$(alarm "$ID" "$SP" ClearedAlarm)" alarmIdentifier)" = "$ident" ] || fail "cleared another alarm"
c=$(case_of "$ID")
resolved() { [ "$(case_field "$c" 'd["state"]')" = resolved ]; }
wait_for 30 resolved
ok "hemsd reconfigured (case $c resolved); the change through management cleared the alarm"

# 3. Behind henbd's back while it is stopped: caught at boot, before the state is used.
wait_for 20 idle cfg1
stop "$HENB_PID_cfg1"
state_edit "$T/cfg1" Device.ManagementServer.PeriodicInformInterval 9
det_start cfg1
two() { [ "$(alarm_count "$ID" "$SP" NewAlarm)" -ge 2 ]; }
wait_for 20 two
alarm "$ID" "$SP" NewAlarm | grep -q "not running" || fail "boot detection text: $(alarm "$ID" "$SP" NewAlarm)"
grep -q 'event=config_mac_mismatch .*not running' "$T/cfg1.log" || fail "not caught at boot"
two_cleared() { [ "$(alarm_count "$ID" "$SP" ClearedAlarm)" -ge 2 ]; }
wait_for 30 two_cleared
ok "state file edited while henbd was stopped -> caught at boot, reported, reconfigured, cleared"

# 4. An edit that breaks the seal too: the file is set aside (henbd.state.bad), and it is still reported.
wait_for 20 idle cfg1
stop "$HENB_PID_cfg1"
echo "v Device.ManagementServer.URL http://rogue" >>"$T/cfg1/henbd.state"
det_start cfg1
three() { [ "$(alarm_count "$ID" "$SP" NewAlarm)" -ge 3 ]; }
wait_for 20 three
[ -e "$T/cfg1/henbd.state.bad" ] || fail "the broken file was not set aside"
ok "unsealed edit -> henbd.state.bad, factory state, and the alarm"

sanitizers_clean
ok "configuration change detection"
