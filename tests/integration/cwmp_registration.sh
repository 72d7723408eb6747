#!/usr/bin/env bash
# cwmp_registration: real hemsd and henbd on loopback: first registration (0 BOOTSTRAP) seen through hemsctl,
# restart gives 1 BOOT only, hemsd down makes henbd retry with the growing waits of TR-069 3.2.1.1, and the
# retried session reaches hemsd once it is back.
. "$(dirname "$0")/../lib/common.sh"

start_hemsd hems
ID="00005A-LifelineHeNB-henb1"
HENB_ARGS=(--set "acs.url=http://127.0.0.1:$HEMS_PORT/cwmp" --set acs.periodic_inform_interval=100000
	--set acs.retry_min_wait=1 --set acs.second_ms=100)

# 1. First start: registration with 0 BOOTSTRAP and 1 BOOT, visible through hemsctl (i.e. hemsd's NBI).
start_henbd henb1 "${HENB_ARGS[@]}"
has_device() { hemsctl devices | grep -q "$ID"; }
wait_for 20 has_device
hemsctl devices
events=$(hemsctl --json device "$ID" | json_get 'd["lastEvents"]')
[ "$events" = "0 BOOTSTRAP,1 BOOT" ] || fail "first Inform events are '$events'"
ok "registered with $events"
sw=$(hemsctl --json device "$ID" | json_get '[p["value"] for p in d["parameters"] if p["name"]=="Device.DeviceInfo.SoftwareVersion"][0]')
[ "$sw" = "0.1.0" ] || fail "SoftwareVersion in parameter cache is '$sw'"
hemsctl device "$ID" | grep -q "Device.ManagementServer.ParameterKey" || fail "forced parameters missing"
grep -q 'event=session_ok' "$T/henb1.log" || fail "henbd did not end the session cleanly"
grep -q 'event=session_end' "$T/hems.log" || fail "hemsd did not see the empty POST ending the session"
ok "parameter cache holds the forced-inform parameters; session ended with 204"

# 2. Restart henbd: 1 BOOT, no bootstrap.
stop "$HENB_PID_henb1"
start_henbd henb1 "${HENB_ARGS[@]}"
two_informs() { [ "$(hemsctl --json device "$ID" | json_get 'd["informs"]')" = 2 ]; }
wait_for 20 two_informs
events=$(hemsctl --json device "$ID" | json_get 'd["lastEvents"]')
[ "$events" = "1 BOOT" ] || fail "after restart events are '$events'"
ok "restart informs with $events"

# 3. Stop hemsd: henbd retries; waits follow [m*2^(n-1), m*2^n] * second_ms for n = 1..4.
stop "$HEMS_PID_hems"
stop "$HENB_PID_henb1"
start_henbd henb1 "${HENB_ARGS[@]}"
four_failures() { [ "$(grep -c 'event=session_failed' "$T/henb1.log")" -ge 4 ]; }
wait_for 30 four_failures
n=0
while read -r count wait; do
	n=$((n + 1))
	[ "$count" = "$n" ] || fail "retry_count $count, expected $n"
	lo=$((100 * (1 << (n - 1)))) hi=$((100 * (1 << n)))
	[ "$wait" -ge "$lo" ] && [ "$wait" -le "$hi" ] || fail "retry $n waited ${wait} ms, outside [$lo, $hi]"
	ok "retry $n waits $wait ms in [$lo, $hi]"
done < <(grep 'event=session_failed' "$T/henb1.log" | sed -E 's/.*retry_count=([0-9]+) wait_ms=([0-9]+).*/\1 \2/' | head -4)

# 4. hemsd back on the same store and port: the pending 1 BOOT arrives with RetryCount > 0.
start_hemsd hems --set "hemsd.listen_port=$HEMS_PORT"
three_informs() { [ "$(hemsctl --json device "$ID" | json_get 'd["informs"]')" = 3 ]; }
wait_for 30 three_informs
grep -E 'event=inform .*events="1 BOOT".*retry_count=[1-9]' "$T/hems.log" >/dev/null ||
	fail "the retried Inform did not carry RetryCount > 0"
ok "retried session delivered after hemsd came back"

