#!/usr/bin/env bash
# scenario_distress_path_restored: the standard path comes back while the HeNB is in distress, and everything goes back
# to normal (namespaces, two paths, TR-069 dropped by nftables, then the rules removed). While the path is broken
# the HeNB is in a distress session (an undeliverable alarm opened it; it polls while hemsd's case is open) and
# a retry-standard-session action fails (9002). Once the rules are gone the next standard session succeeds: the
# HeNB ends the distress session (no more polling), its State is Idle, the case's queued TR-069 task runs over the
# standard path, TR-069 tasks work, and a new trigger is answered over the standard path with no distress session.
. "$(dirname "$0")/libdistress.sh"

dx_netns
dx_policy
sed -i 's/^timeout step = .*/timeout step = 40/' "$T/policy" # the case waits on the standard path meanwhile
dx_hemsd
N=pr1
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
ok "registered; S1 up"

# In distress: the standard path blocked, an alarm only the distress channel can deliver; hemsd's case keeps the
# session polling.
block_standard
echo open >"$T/$N/device/case"
wait_for 60 grep -q "event=distress_session device=$ID .*reason=alarm-undeliverable .*alarms=1" "$T/hems.log"
C=$(case_of "$ID")
[ "$(case_field "$C" 'd["state"]')" = diagnosing ] || fail "case $C: $(case_field "$C" 'd["state"]')"
wait_for 10 grep -q "event=distress_poll_wait" "$LOG"
ok "in distress: session open over the alternative path, polling while case $C is diagnosing over TR-069"

# retry-standard-session while the path is still broken: the standard session fails, 9002.
R1=$(queue_action "$ID" retry-standard-session '{}')
wait_for 30 action_final "$R1"
[ "$(action_field "$R1" 'r["status"]')" = 4 ] && [ "$(action_field "$R1" 'res["faultCode"]')" = 9002 ] ||
	fail "retry-standard-session on a broken path: $(action_field "$R1" 'r')"
ok "retry-standard-session while broken: a standard session was tried and failed (9002)"

# The firewall is fixed: the HeNB's next standard session goes through (a connection request wakes it now).
k=$(oks $N)
from=$(lines "$LOG")
restore_standard
t0=$(now_s)
hemsctl connect "$ID" >/dev/null || true
wait_for 30 standard_ok $N "$k"
wait_for 20 grep -q "event=distress_session_over ok=yes reason=alarm-undeliverable outcome=\"standard path restored: distress session ended\"" "$LOG"
in_order "$LOG" "event=session_ok" "event=distress_standard_restored" "event=distress_session_over" "event=distress_state from=Active to=Idle" ||
	fail "back to normal sequence"
t1=$(log_ts "$LOG" "event=distress_session_over" "$from")
sleep 3
[ "$(grep -c "event=distress_session_start" "$LOG")" = 1 ] || fail "a distress session opened again"
! grep -q "event=distress_poll_wait" <(tail -n +"$((from + 1))" "$LOG" | sed -n '/distress_session_over/,$p') ||
	fail "still polling after the path came back"
ok "standard path restored: session_ok, distress session ended ($(ms_between "$t0" "$t1") ms after the rules went), no more polling"

# Normal again: TR-069 tasks work; the case's task went over the standard path; State Idle.
task "$ID" GetParameterValues '{"names":["Device.X_00005A_Distress.State","Device.X_00005A_Distress.LastResult"]}'
expect_status done
[ "$(tj 'd["result"]["parameters"][0]["value"]')" = Idle ] || fail "State: $(cat "$T/task.json")"
tj 'd["result"]["parameters"][1]["value"]' | grep -q "standard path restored\|answered over the standard path" ||
	fail "LastResult: $(cat "$T/task.json")"
spv_after() { tail -n +"$((from + 1))" "$LOG" | grep -q "event=rpc method=SetParameterValues answer=SetParameterValuesResponse"; }
wait_for 30 spv_after
left_diagnosing() { [ "$(case_field "$C" 'd["state"]')" != diagnosing ]; }
wait_for 40 left_diagnosing
hemsctl case "$C" | grep -q "8 DIAGNOSTICS COMPLETE\|diagnostic" || fail "the case did not go on over TR-069"
ok "TR-069 works again: GetParameterValues answered (State Idle), case $C went on over the standard path ($(case_field "$C" 'd["state"]'))"

# A trigger now is answered over the standard path: no distress session.
TKEY=$(device_key "$ID" trigger_key)
trigger_dgram "$TKEY" "$(date +%s)" 424242 "$ID" >"$T/trig.bin"
k=$(oks $N)
send_dgram "$T/trig.bin"
wait_for 10 grep -q "event=distress_trigger_accepted id=424242" "$LOG"
wait_for 20 standard_ok $N "$k"
wait_for 10 grep -q 'event=distress_not_needed reason="the standard session after the trigger succeeded"' "$LOG"
sleep 2
[ "$(grep -c "event=distress_session_start" "$LOG")" = 1 ] || fail "a trigger on a working standard path opened a distress session"
ok "a trigger with the standard path working: answered by a standard session (6 CONNECTION REQUEST), no distress session"

sanitizers_clean
