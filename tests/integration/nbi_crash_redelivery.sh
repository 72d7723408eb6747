#!/usr/bin/env bash
# nbi_crash_redelivery: hemsd killed -9 while a notification is in flight resends, after its restart, exactly
# what was not acknowledged: the one in flight (the consumer sees its notificationId twice and can drop the second)
# and everything queued behind it; nothing acknowledged before the crash comes again, nothing is lost, the order
# holds. Alarms, their cases and their notifications written in one transaction survive the crash together.
. "$(dirname "$0")/../lib/common.sh"
. "$(dirname "$0")/../lib/nbi.sh"

start_consumer nm
start_hemsd h --set outbox.retry_min_ms=200 --set outbox.retry_max=2
subscribe "http://127.0.0.1:$CONS_PORT_nm/nm" >/dev/null
SEC='Security Service or Mechanism Violation'

for i in 1 2; do inform "P$i" "$(alarm "p$i" "$SEC" Warning)" || fail "inform P$i"; done
wait_for 20 outbox_idle
acked_before=$(received nm | awk '{print $1}' | sort -n | tr '\n' ' ')
cursor_before=$(fm GET "$FM/subscriptions/1" | json_get 'd["delivery"]["cursor"]')
[ "$cursor_before" -ge 2 ] || fail "cursor $cursor_before before the crash"
ok "acknowledged before the crash: $acked_before(cursor $cursor_before)"

# The consumer now takes 4 s to answer; hemsd is killed while the next POST waits for that answer.
echo "sleep 4" >"$T/nm.status"
for i in 3 4 5; do inform "Q$i" "$(alarm "q$i" "$SEC" Warning)" || fail "inform Q$i"; done
last_before_crash=$(fm GET /nbi/v1/outbox | json_get 'd["lastId"]')
in_flight() { [ "$(wc -l <"$T/nm.jsonl.arrivals")" -gt "$(wc -l <"$T/nm.jsonl")" ]; }
wait_for 20 in_flight
FLYING=$(tail -n 1 "$T/nm.jsonl.arrivals" | json_get 'd["notificationId"]')
kill -KILL "$HEMS_PID_h"
wait "$HEMS_PID_h" 2>/dev/null || true
[ "$FLYING" = $((cursor_before + 1)) ] || fail "in flight: $FLYING, expected $((cursor_before + 1))"
# The consumer did get it (it answers 204 after its 4 s), but hemsd died before the answer.
wait_for 10 grep -q "\"notificationId\": $FLYING" "$T/nm.jsonl"
ok "hemsd killed -9 with notification $FLYING in flight ($last_before_crash notifications in the outbox)"

rm -f "$T/nm.status"
start_hemsd h --set outbox.retry_min_ms=200 --set outbox.retry_max=2
grep -q "event=delivery_subscriber subscription=1 .*cursor=$cursor_before" "$T/h.log" ||
	fail "the restarted hemsd does not resume at cursor $cursor_before"
wait_for 30 outbox_idle
[ "$(fm GET /nbi/v1/outbox | json_get 'd["lastId"]')" = "$last_before_crash" ] || fail "the outbox changed over the crash"

python3 - "$T/nm.jsonl" "$FLYING" "$cursor_before" "$last_before_crash" <<'EOF' || fail "redelivery"
import collections, json, sys
flying, cursor, last = int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
ids = [json.loads(l)["body"]["notificationId"] for l in open(sys.argv[1]) if 200 <= json.loads(l)["status"] <= 299]
count = collections.Counter(ids)
assert sorted(count) == list(range(1, last + 1)), "missing: %s" % sorted(set(range(1, last + 1)) - set(count))
assert [n for n, c in count.items() if c > 1] == [flying], "received twice: %s (only %d may be)" % (count, flying)
assert count[flying] == 2, count
assert all(count[n] == 1 for n in range(1, cursor + 1)), "acknowledged before the crash but sent again"
assert ids == sorted(ids), "out of order: %s" % ids
EOF
ok "after the restart: only notification $FLYING came twice (idempotent by notificationId), none missing, in order"

# The alarms raised just before the crash are there with their cases: state and notification were one transaction.
[ "$(fm GET "$FM/alarms" | json_get 'len(d)')" = 5 ] || fail "alarm records after the crash"
fm GET "/nbi/v1/devices/$(urlenc "$(device_id Q5)")/cases" | json_get 'd["cases"][0]["state"]' | grep -q resolved ||
	fail "Q5's case"
ok "alarms and cases from before the crash intact"

# A second crash with nothing in flight resends nothing.
n=$(wc -l <"$T/nm.jsonl")
kill -KILL "$HEMS_PID_h"
wait "$HEMS_PID_h" 2>/dev/null || true
start_hemsd h
sleep 2
[ "$(wc -l <"$T/nm.jsonl")" = "$n" ] || fail "a restart with everything acknowledged resent something"
ok "a restart with everything acknowledged sends nothing"
