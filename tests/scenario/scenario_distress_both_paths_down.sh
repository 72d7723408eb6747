#!/usr/bin/env bash
# scenario_distress_both_paths_down: no communication possible at all (namespaces, two paths, nftables drops TR-069 on
# the standard path and the distress traffic on the alternative one). The HeNB (S1 up) fails its standard
# sessions, then MaxRetries distress attempts (DTLS handshakes that get no answer, RetryInterval apart); the distress
# path counts as failed: it calls the emergency remediation hook, which is not available here, and shuts down at
# once: RF off first, the reason in protected storage, exit status 11. hemsd's extended remediation (a case
# whose connection request and trigger both get nowhere) times out: it tells NM "no communication possible" (the
# northbound outbox) and waits for instructions.
. "$(dirname "$0")/libdistress.sh"

dx_netns
dx_policy
sed -i 's/^timeout extended = .*/timeout extended = 6/' "$T/policy"
dx_hemsd
N=bp1
ID=$(dev_id $N)
LOG="$T/$N.log"
dx_henbd $N --set acs.periodic_inform_interval=30 --set acs.retry_min_wait=1 --set acs.retry_multiplier=1000 \
	--set distress.failed_session_threshold=3 --set distress.max_retries=3 --set distress.retry_interval=10 \
	--set distress.request_timeout_ms=1500
dx_registered "$ID" $N
echo up >"$T/$N/device/s1_link"
rf_on() { [ "$(cat "$T/$N/device/rf_tx")" = on ]; }
wait_for 10 rf_on
wait_for 20 idle $N
ok "registered; S1 up, the cell on air"

block_standard
block_alternative
t0=$(now_s)
hemsctl case start "$ID" diagnose-first "test: both paths down" >/dev/null
C=$(case_of "$ID")

# The HeNB: standard sessions fail, then every distress attempt, then the hook and the shutdown.
rc=0
wait "$HENB_PID" || rc=$?
[ "$rc" = 11 ] || fail "henbd exited $rc, expected 11 (shutdown)"
[ "$(grep -c "event=distress_attempt_failed" "$LOG")" = 3 ] || fail "$(grep -c "event=distress_attempt_failed" "$LOG") distress attempts, expected MaxRetries 3"
grep -q 'event=distress_attempt_failed attempt=1 max=3 error=.* reason=".*DTLS handshake did not complete' "$LOG" ||
	fail "attempt failure: $(grep distress_attempt_failed "$LOG" | head -1)"
in_order "$LOG" "event=distress_session_start reason=standard-path-failed attempt=1" "event=distress_attempt_failed attempt=3 max=3" \
	"event=distress_path_failed" 'event=emergency_remediation_start available=no' "event=rf_tx state=off reason=distress_failed" \
	"event=distress_shutdown reason=\"no communication with the HeMS" "event=agent_stop .*exit=shutdown" ||
	fail "HeNB failure sequence"
[ "$(cat "$T/$N/device/rf_tx")" = off ] || fail "RF still on"
grep -q "no communication with the HeMS: standard path and distress channel failed" "$T/$N/device/protected/distress_shutdown" ||
	fail "the reason is not in protected storage"
grep -q "unavailable no communication with the HeMS" "$T/$N/emergency_remediation" || fail "the emergency hook's call is not recorded"
t1=$(log_ts "$LOG" "event=distress_shutdown")
ok "HeNB: 3 distress attempts failed, emergency remediation hook called (not available), RF off, reason persisted, exit 11 ($(ms_between "$t0" "$t1") ms after both paths broke)"
[ "$(grep -c "event=distress_session device=$ID " "$T/hems.log" || true)" = 0 ] || fail "hemsd saw a distress session"

# hemsd: the case's connection request and trigger got nowhere; extended remediation times out; NM is told.
state_is() { [ "$(case_field "$C" 'd["state"]')" = "$1" ]; }
wait_for 60 state_is awaiting_instructions
hemsctl case "$C" | grep -q "no communication possible" || fail "timeline: $(hemsctl case "$C")"
grep -q "event=distress_trigger device=$ID address=$HENB_ALT:$TPORT" "$T/hems.log" || fail "hemsd never triggered"
nocomm() { hemsctl --json outbox | python3 -c '
import json, sys
d = json.load(sys.stdin)
text = json.dumps(d)
sys.exit(0 if "notifyNoCommunicationPossible" in text and sys.argv[1] in text else 1)' "$ID"; }
wait_for 20 nocomm
ok "hemsd: trigger sent, extended remediation timed out, notifyNoCommunicationPossible in the northbound outbox, case $C awaiting NM instructions"

sanitizers_clean
