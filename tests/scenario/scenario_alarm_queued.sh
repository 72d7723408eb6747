#!/usr/bin/env bash
# scenario_alarm_queued: ReportingMechanism decides how an alarm travels. Before the HeMS configured anything
# (hemsd with provision.alarm_reporting=false): a Queued alarm (factory: the case) opens no session and rides
# the next Inform in QueuedEvent (Passive by default); an Expedited one (factory: clock, antenna, circuit)
# opens a session at once through ExpeditedEvent (Active by default). Then the HeMS sets mechanisms itself:
# Expedited goes at once, Queued waits for the next Inform, Logged stays in CurrentAlarm / HistoryEvent on the
# device only, Disabled is ignored.
. "$(dirname "$0")/libdetect.sh"

start_hemsd hems --set provision.alarm_reporting=false
ID=$(dev_id q1)
det_start q1 --set monitor.fatal=none
wait_for 20 informs_at_least "$ID" 1
wait_for 20 idle q1
DEV="$T/q1/device"

# 1. Factory Queued, no attribute set by the HeMS: no session; the next Inform carries it.
n=$(sessions q1)
echo open >"$DEV/case"
wait_for 10 grep -q 'event=tamper_detected alarm=case-opened' "$T/q1.log"
sleep 1.5
[ "$(sessions q1)" = "$n" ] || fail "a queued alarm opened a session"
has_alarm "$ID" "Case opened" NewAlarm && fail "hemsd has the queued alarm before any Inform"
task "$ID" GetParameterValues '{"names":["Device.DeviceInfo.UpTime"]}' # a connection request: the next Inform
expect_alarm "$ID" "Case opened" NewAlarm "Physical Violation" "Intrusion detection" Major queued
grep -E 'event=inform .*events="4 VALUE CHANGE,6 CONNECTION REQUEST"' "$T/hems.log" >/dev/null ||
	fail "the queued event did not ride the connection request's Inform as 4 VALUE CHANGE"
ok "Queued (factory), QueuedEvent Passive by default: no session of its own, rode the next Inform"

# 2. Factory Expedited, no attribute set by the HeMS: a session at once.
wait_for 20 idle q1
n=$(sessions q1)
echo 10500000 >"$DEV/clock_hz"
expect_alarm "$ID" "Modified clock speed" NewAlarm "Physical Violation" "Unspecified reason" Critical expedited
grep 'event=session_start' "$T/q1.log" | tail -n +"$((n + 1))" | head -1 | grep -q '4 VALUE CHANGE' ||
	fail "the expedited alarm did not open its own 4 VALUE CHANGE session"
ok "Expedited (factory), ExpeditedEvent Active by default: its own session at once with 4 VALUE CHANGE"

# 3. The HeMS sets the mechanisms.
set_mechanism "$ID" "Case opened" "0 Expedited"
wait_for 20 idle q1
echo closed >"$DEV/case"
wait_for 10 has_alarm "$ID" "Case opened" ClearedAlarm
[ "$(field "$(alarm "$ID" "Case opened" ClearedAlarm)" source)" = expedited ] || fail "not expedited"
ok "set to 0 Expedited by the HeMS: the clearing went out at once"

set_mechanism "$ID" "Case opened" "1 Queued"
wait_for 20 idle q1
n=$(sessions q1)
echo open >"$DEV/case"
wait_for 10 grep -q 'event=tamper_detected alarm=case-opened.*id=' "$T/q1.log"
sleep 1.5
[ "$(sessions q1)" = "$n" ] || fail "an alarm set to Queued opened a session"
[ "$(alarm_count "$ID" "Case opened" NewAlarm)" = 1 ] || fail "hemsd got the queued alarm before an Inform"
task "$ID" GetParameterValues '{"names":["Device.DeviceInfo.UpTime"]}'
two() { [ "$(alarm_count "$ID" "Case opened" NewAlarm)" -ge 2 ]; }
wait_for 10 two
[ "$(field "$(alarm "$ID" "Case opened" NewAlarm)" source)" = queued ] || fail "not queued"
ok "set to 1 Queued by the HeMS: waited for the next Inform"

set_mechanism "$ID" "Modified antenna" "2 Logged"
echo ANT-LOGGED >"$DEV/antenna_id"
wait_for 10 grep -q 'event=tamper_detected alarm=antenna-modified' "$T/q1.log"
task "$ID" GetParameterValues '{"names":["Device.FaultMgmt.CurrentAlarm.","Device.FaultMgmt.HistoryEvent."]}'
tj '[p["value"] for p in d["result"]["parameters"] if p["name"].startswith("Device.FaultMgmt.CurrentAlarm.")]' |
	grep -q "Modified antenna" || fail "a Logged alarm is not in CurrentAlarm"
tj '[p["value"] for p in d["result"]["parameters"] if p["name"].startswith("Device.FaultMgmt.HistoryEvent.")]' |
	grep -q "Modified antenna" || fail "a Logged alarm is not in HistoryEvent"
sleep 1
has_alarm "$ID" "Modified antenna" NewAlarm && fail "a Logged alarm reached hemsd"
ok "set to 2 Logged: in CurrentAlarm and HistoryEvent on the device, never sent"

set_mechanism "$ID" "Circuit modification" "3 Disabled"
echo LL-BOARD-X >"$DEV/board_id"
wait_for 10 grep -q 'event=detector_state check=circuit verdict=tamper' "$T/q1.log"
task "$ID" GetParameterValues '{"names":["Device.FaultMgmt.CurrentAlarm.","Device.FaultMgmt.HistoryEvent."]}'
tj '[p["value"] for p in d["result"]["parameters"]]' | grep -q "Circuit modification" &&
	fail "a Disabled alarm is in CurrentAlarm or HistoryEvent"
sleep 1
has_alarm "$ID" "Circuit modification" NewAlarm && fail "a Disabled alarm reached hemsd"
ok "set to 3 Disabled: ignored (not in CurrentAlarm, HistoryEvent, nor at hemsd)"

sanitizers_clean
ok "reporting mechanisms"
