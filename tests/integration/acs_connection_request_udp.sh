#!/usr/bin/env bash
# acs_connection_request_udp: a NATed device (its HTTP ConnectionRequestURL unreachable) is woken by a TR-069
# Annex G UDP connection request: signed with HMAC-SHA1 over ts, id, un, cn with the credentials hemsd gave it,
# sent several times; the device verifies it (signature, user, replay) and opens a session where the task runs.
. "$(dirname "$0")/../lib/common.sh"

start_hemsd hems --set connreq.timeout=1 --set connreq.udp_repeats=3
URL="http://127.0.0.1:$HEMS_PORT/cwmp"
ID="000FB7-Cavium%20eNB-UDP0001"
CRPORT=$(free_port)
UDPPORT=$(free_port)
fake_cpe_start serve --url "$URL" --serial UDP0001 --cr-port "$CRPORT" --no-http-cr --udp-port "$UDPPORT" \
	--log "$T/cpe.log" --ready "$T/ready"
wait_for 20 test -e "$T/ready"
wait_for 10 grep -q '"what": "session_end"' "$T/cpe.log"

task=$(hemsctl task add "$ID" GetRPCMethods '{}' --connect)
hemsctl task get "$task" --wait 20 >/dev/null || fail "task not answered"
[ "$(task_field "$task" 'd["status"]')" = done ] || fail "task status"
valid=$(grep -c '"what": "udp_connection_request", "valid": true' "$T/cpe.log")
dups=$(grep -c '"what": "udp_connection_request", "valid": false' "$T/cpe.log")
[ "$valid" = 1 ] || fail "$valid valid UDP requests (want exactly 1: retransmissions share the message id)"
[ "$dups" -ge 1 ] || fail "the retransmitted copies were not seen"
grep -q '"events": \["6 CONNECTION REQUEST"\]' "$T/cpe.log" || fail "no 6 CONNECTION REQUEST session"
res=$(hemsctl --json device "$ID" | json_get 'd["lastConnectionRequest"]')
case "$res" in "udp sent 3/3 to 127.0.0.1:$UDPPORT (after http failed"*) ;; *) fail "recorded: $res" ;; esac
ok "HTTP unreachable -> UDP x3 (one accepted, copies dropped as replays) -> session -> task done"
ok "recorded: $res"
