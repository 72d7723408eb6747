#!/usr/bin/env bash
# acs_overload_503: above hemsd.max_sessions concurrent sessions a new Inform gets 503 with Retry-After at once
# (nobody else slows down); one session per device: a second concurrent Inform of the same device is refused with
# fault 8005; blocked devices are refused at the first request with no session and nothing stored.
. "$(dirname "$0")/../lib/common.sh"
C="$LF_REF/captures"

start_hemsd hems --set hemsd.max_sessions=2 --set hemsd.session_timeout=3
URL="http://127.0.0.1:$HEMS_PORT/cwmp"
inform() { sed "s#<SerialNumber>[^<]*</SerialNumber>#<SerialNumber>$1</SerialNumber>#" "$C/inform-cavium-enb.xml"; }
post_inform() { inform "$1" | curl -s -D "$T/headers" -o "$T/body" -w '%{http_code}' -H 'Content-Type: text/xml' --data-binary @- "$URL"; }

# Two sessions opened and left open (no empty POST).
[ "$(post_inform OVL1)" = 200 ] || fail "first"
[ "$(post_inform OVL2)" = 200 ] || fail "second"
t0=$(date +%s%N)
code=$(post_inform OVL3)
t1=$(date +%s%N)
[ "$code" = 503 ] || fail "third concurrent session: HTTP $code"
grep -qi '^Retry-After: [0-9]' "$T/headers" || fail "no Retry-After"
ok "third concurrent session -> 503 $(grep -i '^Retry-After' "$T/headers" | tr -d '\r') in $(((t1 - t0) / 1000000)) ms"
hemsctl metrics | grep -q '^hems_refused_total{reason="overload"} 1' || fail "overload not counted"
hemsctl --json devices | json_get '[x["deviceId"] for x in d["devices"]]' | grep -q OVL3 && fail "refused device stored"

# Same device again while its session is open: fault 8005 (retry), no second session.
code=$(post_inform OVL1)
[ "$code" = 200 ] && grep -q '<FaultCode>8005</FaultCode>' "$T/body" || fail "concurrent Inform of OVL1: $code $(cat "$T/body")"
ok "second concurrent Inform of the same device -> fault 8005"

# The open sessions time out; then there is room again.
sleep 4
[ "$(post_inform OVL3)" = 200 ] || fail "session after the idle ones expired"
ok "idle sessions expired after hemsd.session_timeout; new sessions accepted"

# Blocked device: 403 at the Inform, no session, nothing stored (not even an update of last contact).
before=$(hemsctl --json device "000FB7-Cavium%20eNB-OVL2" | json_get 'd["informs"]')
hemsctl block "000FB7-Cavium%20eNB-OVL2" "tampered" >/dev/null
hemsctl block "000FB7-Cavium%20eNB-NEVERSEEN" "stolen" >/dev/null
sleep 3.5 # let OVL2's old session expire first
[ "$(post_inform OVL2)" = 403 ] && grep -q 'blocked: tampered' "$T/body" || fail "blocked device: $(cat "$T/body")"
[ "$(post_inform NEVERSEEN)" = 403 ] || fail "blocked unknown device"
after=$(hemsctl --json device "000FB7-Cavium%20eNB-OVL2" | json_get 'd["informs"]')
[ "$before" = "$after" ] || fail "blocked device's Inform was stored"
hemsctl devices | grep -q NEVERSEEN && fail "blocked unknown device stored"
[ "$(hemsctl --json device "000FB7-Cavium%20eNB-OVL2" | json_get 'd["blocked"]')" = True ] || fail "blocked flag"
hemsctl unblock "000FB7-Cavium%20eNB-OVL2" >/dev/null
[ "$(post_inform OVL2)" = 200 ] || fail "unblocked device refused"
ok "blocked devices refused with 403 and nothing stored; unblock lets them back"
