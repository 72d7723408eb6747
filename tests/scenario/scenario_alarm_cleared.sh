#!/usr/bin/env bash
# scenario_alarm_cleared: an alarm clears when its condition goes away, as a ClearedAlarm event of the same
# AlarmIdentifier that hemsd stores and uses to mark the alarm cleared: several alarms at once clear each on
# its own; an alarm current across a reboot is not raised twice while the condition lasts, and is cleared at
# boot when the condition went away while henbd was down; a sensor that reads again clears the sensor failure.
. "$(dirname "$0")/libdetect.sh"

start_hemsd hems
ID=$(dev_id clr1)
det_start clr1
det_ready "$ID" clr1
DEV="$T/clr1/device"
CASE="Case opened"
BEH="Unexpected behaviour of software components"

# 1. Two alarms at once, cleared one by one.
echo open >"$DEV/case"
echo "tcp:22" >"$DEV/listeners_allowed"
printf 'tcp:22\ntcp:4444\n' >"$DEV/listeners"
wait_for 20 has_alarm "$ID" "$CASE" NewAlarm
wait_for 20 has_alarm "$ID" "$BEH" NewAlarm
case_id=$(field "$(alarm "$ID" "$CASE" NewAlarm)" alarmIdentifier)
beh_id=$(field "$(alarm "$ID" "$BEH" NewAlarm)" alarmIdentifier)
[ "$case_id" != "$beh_id" ] || fail "two alarms share an AlarmIdentifier"
echo "tcp:22" >"$DEV/listeners"
wait_for 20 has_alarm "$ID" "$BEH" ClearedAlarm
[ "$(field "$(alarm "$ID" "$BEH" ClearedAlarm)" alarmIdentifier)" = "$beh_id" ] || fail "cleared the wrong alarm"
has_alarm "$ID" "$CASE" ClearedAlarm && fail "clearing one alarm cleared the other"
[ "$(field "$(alarm "$ID" "$BEH" NewAlarm)" cleared)" = True ] || fail "hemsd does not mark the alarm cleared"
ok "two alarms; the listener one cleared alone (hemsd marks it cleared), the case one stays"

# 2. The case stays open over a restart: still current, not raised again.
wait_for 20 idle clr1
stop "$HENB_PID_clr1"
det_start clr1
restarted() { [ "$(grep -c 'event=agent_start' "$T/clr1.log")" -ge 2 ]; }
wait_for 20 restarted
wait_for 20 idle clr1
sleep 1
[ "$(alarm_count "$ID" "$CASE" NewAlarm)" = 1 ] || fail "the case alarm was raised again after a restart"
[ "$(alarm_count "$ID" "$CASE" ChangedAlarm)" = 0 ] || fail "the case alarm changed over a restart"
[ "$(gpv "$ID" Device.FaultMgmt.CurrentAlarmNumberOfEntries)" = 1 ] || fail "the case alarm is not current"
ok "restart with the case still open: CurrentAlarm kept, nothing raised twice"

# 3. Closed while henbd is down: cleared at the next boot.
wait_for 20 idle clr1
stop "$HENB_PID_clr1"
echo closed >"$DEV/case"
det_start clr1
wait_for 20 has_alarm "$ID" "$CASE" ClearedAlarm
[ "$(field "$(alarm "$ID" "$CASE" ClearedAlarm)" alarmIdentifier)" = "$case_id" ] || fail "cleared another alarm"
grep -q 'event=tamper_cleared alarm=case-opened' "$T/clr1.log" || fail "henbd did not clear it itself"
[ "$(gpv "$ID" Device.FaultMgmt.CurrentAlarmNumberOfEntries)" = 0 ] || fail "CurrentAlarm not empty"
ok "case closed while henbd was down -> cleared by the boot readings, ClearedAlarm at hemsd"

# 4. A sensor that cannot be read, then reads again: while henbd runs, and while it is down.
wait_for 20 idle clr1
rm "$DEV/clock_hz"
expect_alarm "$ID" "Tamper sensor unreadable" NewAlarm "Operational Violation" "Out of service" Major expedited
echo "$ALARM" | grep -q 'clock_hz sensor absent' || fail "text: $ALARM"
echo 10000000 >"$DEV/clock_hz"
wait_for 20 has_alarm "$ID" "Tamper sensor unreadable" ClearedAlarm
has_alarm "$ID" "Modified clock speed" NewAlarm && fail "an absent clock sensor was taken for a modified clock"
wait_for 20 idle clr1
mv "$DEV/board_id" "$DEV/board_id.saved"
two() { [ "$(alarm_count "$ID" "Tamper sensor unreadable" NewAlarm)" -ge 2 ]; }
wait_for 20 two
wait_for 20 idle clr1
stop "$HENB_PID_clr1"
mv "$DEV/board_id.saved" "$DEV/board_id"
det_start clr1
two_cleared() { [ "$(alarm_count "$ID" "Tamper sensor unreadable" ClearedAlarm)" -ge 2 ]; }
wait_for 20 two_cleared
ok "sensor absent -> sensor failure (not a tamper alarm); readable again -> cleared, also across a restart"

sanitizers_clean
ok "alarms cleared"
