#!/usr/bin/env bash
# nbi_subscriber_outage: a subscriber that is down (connection refused) or failing (HTTP 500) gets everything
# once it is back: nothing missing, in outbox order, no duplicates; the retries back off up to outbox.retry_max;
# the other subscribers are not held up meanwhile; the outage is visible as lag and errors (hemsctl, /metrics).
# A subscription created later starts from "now".
. "$(dirname "$0")/../lib/common.sh"
. "$(dirname "$0")/../lib/nbi.sh"

start_consumer nm
start_consumer other
NM_PORT=$CONS_PORT_nm
start_hemsd h --set outbox.retry_min_ms=200 --set outbox.retry_max=2 --set outbox.timeout=2
subscribe "http://127.0.0.1:$NM_PORT/nm" >/dev/null
subscribe "http://127.0.0.1:$CONS_PORT_other/other" >/dev/null
SEC='Security Service or Mechanism Violation'

# A burst before the outage.
for i in 1 2 3; do inform "D$i" "$(alarm "a$i" "$SEC" Warning)" || fail "inform D$i"; done
wait_for 20 outbox_idle
before=$(received nm | wc -l)
[ "$before" -ge 3 ] || fail "only $before notifications before the outage"
ok "$before notifications delivered before the outage"

# --- outage 1: the subscriber is down (connection refused)
stop "$CONS_PID_nm"
for i in 4 5 6 7 8; do inform "D$i" "$(alarm "a$i" "$SEC" Warning)" || fail "inform D$i"; done
# A backlog: 200 acknowledgement changes on one alarm, 200 notifications.
ALARM=$(fm GET "$FM/alarms?deviceId=$(urlenc "$(device_id D4)")" | json_get 'list(d)[0]')
for i in $(seq 100); do
	fm PATCH "$FM/alarms/$ALARM" '{"ackState": "ACKNOWLEDGED"}' >/dev/null
	fm PATCH "$FM/alarms/$ALARM" '{"ackState": "UNACKNOWLEDGED"}' >/dev/null
done
[ "$(code)" = 204 ] || fail "PATCH: HTTP $(code)"
# The other subscriber is not held up by the dead one.
wait_for 20 has_received other notifyNewAlarm 8
wait_for 20 has_received other notifyAckStateChanged 200
sub_field() { fm GET "$FM/subscriptions/1" | json_get "$1"; }
failures_at_least() { [ "$(sub_field 'd["delivery"]["failures"]')" -ge "$1" ]; }
wait_for 20 failures_at_least 3
[ "$(sub_field 'd["delivery"]["pending"]')" -ge 5 ] || fail "pending not shown"
sub_field 'd["delivery"]["lastError"]' | grep -qi "connect" || fail "last error: $(sub_field 'd["delivery"]["lastError"]')"
hemsctl metrics >"$T/metrics"
grep -qE '^hems_nbi_delivery_pending\{subscription="1",owner="nm"\} [1-9]' "$T/metrics" || fail "pending metric"
grep -qE '^hems_nbi_delivery_failures_total\{subscription="1",owner="nm"\} [1-9]' "$T/metrics" || fail "failures metric"
hemsctl subscriptions >"$T/subs"
grep -qi "connect" "$T/subs" || fail "hemsctl subscriptions does not show the error: $(cat "$T/subs")"
# Backoff: waits double from 200 ms and stop at retry_max (2 s), randomised within [3/4, 1] of the wait.
python3 - "$T/h.log" <<'EOF' || fail "backoff"
import re, sys
waits = [int(m.group(1)) for m in re.finditer(r"event=delivery_failed subscription=1 .*retry_ms=(\d+)", open(sys.argv[1]).read())]
assert len(waits) >= 3, waits
assert all(w <= 2000 for w in waits), waits
assert waits[0] <= 200 and waits[1] <= 400, waits
EOF
sleep 3
grep -q 'event=delivery_failed subscription=1 .*retry_ms=1[5-9][0-9][0-9]\|retry_ms=2000' "$T/h.log" || fail "the retry wait never reached the cap"
ok "subscriber down: others served, failures and lag visible, retries back off up to the 2 s cap"

# --- back up, but refusing with 500 for a while
echo 500 >"$T/nm.status"
start_consumer nm "$NM_PORT"
inform D9 "$(alarm a9 "$SEC" Warning)" || fail "inform D9"
wait_for 20 grep -q '"status": 500' "$T/nm.jsonl"
sub_field 'd["delivery"]["lastError"]' | grep -q "HTTP 500" || fail "500 not recorded"
ok "subscriber answering 500: not acknowledged, retried"

# --- healthy again: everything arrives, at the speed the subscriber answers
rm -f "$T/nm.status"
t0=$SECONDS
wait_for 30 outbox_idle
echo "backlog of $(fm GET /nbi/v1/outbox | json_get 'd["lastId"]') drained in $((SECONDS - t0)) s"
python3 - "$T/nm.jsonl" "$T/other.jsonl" <<'EOF' || fail "after the outage"
import json, sys
def acked(path):
    return [json.loads(l)["body"]["notificationId"] for l in open(path) if 200 <= json.loads(l)["status"] <= 299]
nm, other = acked(sys.argv[1]), acked(sys.argv[2])
assert nm == sorted(nm), "out of order: %s" % nm
assert len(nm) == len(set(nm)), "acknowledged twice: %s" % nm
assert nm == other, "the subscriber that was down misses some: %s vs %s" % (nm, other)
assert nm == list(range(1, len(nm) + 1)), "a gap: %s" % nm
EOF
ok "after the outage: all $(received nm | wc -l) notifications, in order, none twice (same as the subscriber that stayed up)"
[ "$(sub_field 'd["delivery"]["failures"]')" = 0 ] || fail "failures not reset"
[ "$(sub_field 'd["delivery"]["lastError"]')" = "" ] || fail "last error not cleared"

# --- a subscription created now starts from now
last=$(fm GET /nbi/v1/outbox | json_get 'd["lastId"]')
start_consumer late
subscribe "http://127.0.0.1:$CONS_PORT_late/late" >/dev/null
inform D10 "$(alarm a10 "$SEC" Warning)" || fail "inform D10"
wait_for 20 outbox_idle
python3 - "$T/late.jsonl" "$last" <<'EOF' || fail "late subscriber"
import json, sys
ids = [json.loads(l)["body"]["notificationId"] for l in open(sys.argv[1])]
assert ids and min(ids) > int(sys.argv[2]), ids
EOF
ok "a subscription created later receives only what happened after it"

# Deleting a subscription stops its delivery; it is gone from the list.
fm DELETE "$FM/subscriptions/3" >/dev/null
[ "$(code)" = 204 ] || fail "DELETE: HTTP $(code)"
fm GET "$FM/subscriptions/3" >/dev/null
[ "$(code)" = 404 ] || fail "deleted subscription still there"
n_late=$(wc -l <"$T/late.jsonl")
inform D11 "$(alarm a11 "$SEC" Warning)" || fail "inform D11"
wait_for 20 outbox_idle
[ "$(wc -l <"$T/late.jsonl")" = "$n_late" ] || fail "a deleted subscription still receives"
ok "a deleted subscription receives nothing more"
