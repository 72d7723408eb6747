#!/usr/bin/env bash
# scenario_distress_alarm_delivery: a security alarm that cannot be delivered over the standard path reaches the HeMS
# over the distress channel (namespaces, two paths, TR-069 dropped by nftables). The case is opened while the
# S1 link is up; monitor.delivery_tries failed sessions make henbd call extended_remediation_start, which opens a
# distress session whose INFORM (reason alarm-undeliverable) carries the pending alarm event: hemsd stores it
# (source distress, the HeNB's AlarmIdentifier), opens a remediation case and notifies it northbound. The HeNB
# counts the alarm delivered (no more retries for it) and keeps polling while the case is open; the case's
# diagnostic comes over the same session once hemsd's step over TR-069 timed out.
. "$(dirname "$0")/libdistress.sh"

dx_netns
dx_policy
dx_hemsd
N=al1
ID=$(dev_id $N)
LOG="$T/$N.log"
make_image 1.0 "$T/v1.lfi"
provision "$T/img" A "$T/v1.lfi"
dx_henbd $N --set acs.retry_min_wait=1 --set acs.retry_multiplier=1000 --set monitor.delivery_tries=3 \
	--set distress.failed_session_threshold=50 --set "monitor.image_dir=$T/img/slots/A" --set "firmware.pubkey=$T/k.pub"
dx_registered "$ID" $N
wait_for 20 grep -q 'parameter_key="hems-alarms"' "$LOG"
echo up >"$T/$N/device/s1_link"
wait_for 20 idle $N
ok "registered; alarm reporting provisioned (security alarms expedited); S1 up"

block_standard
echo open >"$T/$N/device/case"
wait_for 20 grep -q "event=tamper_detected alarm=.* id=[0-9]* severity=Major text=\"case open" "$LOG"
HID=$(sed -nE 's/.*event=tamper_detected alarm=.* id=([0-9]+) severity=Major.*/\1/p' "$LOG" | tail -1)
wait_for 60 grep -q "event=distress_session device=$ID .*reason=alarm-undeliverable .*alarms=1" "$T/hems.log"
grep -q 'event=extended_remediation_start reason="security alarm undeliverable' "$LOG" || fail "hook not called"
grep -q 'security alarm undeliverable' "$T/$N/extended_remediation" || fail "the hook's call is not recorded"
[ "$(grep -c 'event=session_failed' "$LOG")" -ge 3 ] || fail "distress before 3 failed tries"
in_order "$LOG" "event=tamper_detected" "event=alarm_delivery_failed tries=3" "event=extended_remediation_start" \
	"event=distress_session_start reason=alarm-undeliverable attempt=1 alarms=1" "event=distress_session_open" ||
	fail "HeNB sequence"
ok "case opened, S1 up, standard path blocked: 3 failed tries, extended_remediation_start, distress INFORM with the alarm"

expect_alarm "$ID" "Case opened" NewAlarm "Physical Violation" "Intrusion detection" Major distress
[ "$(field "$ALARM" alarmIdentifier)" = "$HID" ] || fail "AlarmIdentifier $(field "$ALARM" alarmIdentifier), the HeNB raised $HID"
C=$(case_of "$ID")
[ -n "$C" ] || fail "no case opened by the alarm"
hemsctl --json outbox | grep -q "notifyNewAlarm" || fail "no notifyNewAlarm northbound"
ok "hemsd: alarm $HID stored (source distress), case $C opened, notified northbound"

# Delivered: the HeNB does not retry it over the standard path any more.
grep -q "event=distress_session_open" "$LOG"
n=$(grep -c 'event=alarm_delivery_failed' "$LOG")
sleep 3
[ "$(grep -c 'event=alarm_delivery_failed' "$LOG")" = "$n" ] || fail "the alarm still counts as undelivered"
ok "the HeNB counts the alarm delivered"

# The case's diagnostic arrives in the same distress session (the HeNB polls while the case is open).
DIAG=""
diag_queued() { DIAG=$(action_of "$ID" diagnostic); [ -n "$DIAG" ]; }
wait_for 30 diag_queued
wait_for 30 action_final "$DIAG"
[ "$(action_field "$DIAG" 'r["status"]')" = 3 ] || fail "diagnostic: $(action_field "$DIAG" 'r')"
action_field "$DIAG" 'res["diagnosticResults"]' | grep -q "case=fail" || fail "diagnostic results: $(action_field "$DIAG" 'res')"
[ "$(grep -c "event=distress_session_start" "$LOG")" = 1 ] || fail "the diagnostic needed a new session"
grep -q "event=distress_poll_wait\|event=distress_action action=$DIAG kind=diagnostic" "$LOG" || fail "no polling"
ok "diagnostic $DIAG delivered in the same session (polled while the case was open): $(action_field "$DIAG" 'res["diagnosticResults"]')"

restore_standard
sanitizers_clean
