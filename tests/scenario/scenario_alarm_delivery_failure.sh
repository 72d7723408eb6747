#!/usr/bin/env bash
# scenario_alarm_delivery_failure: an expedited security alarm while the HeMS cannot be reached. henbd retries
# the session per TR-069 3.2.1.1 until it is delivered. While the S1 link is down nothing more happens; with
# the S1 link up, monitor.delivery_tries failed sessions make it call extended_remediation_start(reason) once
# (logged, recorded in STATE_DIR/extended_remediation). When the HeMS is back the retry delivers the alarm.
. "$(dirname "$0")/libdetect.sh"

P=$(free_port)
start_hemsd hems --set "hemsd.listen_port=$P"
ID=$(dev_id dlv1)
# retry waits of one protocol second (100 ms): CWMPRetryMinimumWaitInterval 1, multiplier 1000
det_start dlv1 --set acs.retry_min_wait=1 --set acs.retry_multiplier=1000 --set monitor.delivery_tries=3
det_ready "$ID" dlv1
stop "$HEMS_PID_hems"

failures() { grep -c 'event=session_failed' "$T/dlv1.log" || true; }
echo open >"$T/dlv1/device/case"
five() { [ "$(failures)" -ge 5 ]; }
wait_for 20 five
grep -q 'event=extended_remediation_start' "$T/dlv1.log" && fail "extended remediation with the S1 link down"
ok "HeMS unreachable, S1 down: $(failures) tries, no extended remediation"

n=$(failures)
echo up >"$T/dlv1/device/s1_link"
wait_for 20 grep -q 'event=extended_remediation_start reason="security alarm undeliverable' "$T/dlv1.log"
[ "$(failures)" -ge $((n + 3)) ] || fail "extended remediation before 3 failed tries with S1 up"
grep -q 'security alarm undeliverable' "$T/dlv1/extended_remediation" || fail "the call is not recorded"
sleep 1
[ "$(grep -c 'event=extended_remediation_start' "$T/dlv1.log")" = 1 ] || fail "the hook was called more than once"
ok "S1 up: after 3 more failed tries extended_remediation_start was called once (logged and recorded)"

start_hemsd hems --set "hemsd.listen_port=$P"
expect_alarm "$ID" "Case opened" NewAlarm "Physical Violation" "Intrusion detection" Major expedited
ok "HeMS back: the retry delivered the alarm"

sanitizers_clean
ok "alarm delivery failure"
