#!/usr/bin/env bash
# distress_trigger_action_result: the distress channel end to end with the distress-client tool as the HeNB.
# A device that cannot be reached over TR-069 opens a distress session with a pending security alarm (it goes
# through the alarm intake and opens a case); the case's step times out, extended remediation queues a
# diagnostic and triggers the device: the trigger verifies once (its copies are replays), a forged one is
# dropped; the device opens a session, receives the queued action, posts its result; hemsd stores it and notes
# it on the case timeline; the action is not delivered again, and a wrong PSK gets no session.
. "$(dirname "$0")/../lib/common.sh"

udp_port() { python3 -c 'import socket; s=socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
DPORT=$(udp_port)
TPORT=$(udp_port)
cat > "$T/policy" <<'POL'
rule diagnose-first
ladder reconfigure = configure | reboot, configure
ladder reload-software = download, configure, diagnose
timeout step = 2
timeout extended = 120
POL
start_hemsd hems --set "hemsd.policy=$T/policy" --set distress.enable=true --set distress.listen_address=127.0.0.1 \
	--set "distress.port=$DPORT" --set connreq.timeout=1 --set distress.trigger_interval_ms=100
URL="http://127.0.0.1:$HEMS_PORT/cwmp"
ID="000FB7-Cavium%20eNB-DIST02"
DC() { "$LF_BIN/distress-client" --server "coaps://127.0.0.1:$DPORT" --identity "$ID" --timeout 5000 "$@"; }

# Registration over TR-069 gives the device its keys; then the device is gone from the standard path.
fake_cpe session --url "$URL" --serial DIST02 --events "0 BOOTSTRAP,1 BOOT" --log "$T/cpe.log" || fail "registration"
wait_for 20 grep -q "event=provision device=$ID what=distress_credentials" "$T/hems.log"
fake_cpe session --url "$URL" --serial DIST02 --events "2 PERIODIC" --log "$T/cpe.log" || fail "second session"
provisioned() {
	python3 - "$T/cpe.log" "$1" <<'PY'
import json, re, sys
values = {}
for line in open(sys.argv[1]):
    d = json.loads(line)
    if d.get("what") == "request" and d.get("method") == "SetParameterValues":
        values.update(re.findall(r"<Name>[^<]*_Distress\.([A-Za-z]+)</Name>\s*<Value[^>]*>([^<]*)</Value>", d["xml"]))
print(values.get(sys.argv[2], ""))
PY
}
PSK=$(provisioned PSK)
TKEY=$(provisioned TriggerKey)
[ ${#PSK} = 64 ] && [ ${#TKEY} = 64 ] || fail "keys not provisioned"

# The HeNB listens for triggers on its alternative-path address (3 datagrams: one trigger sent 3 times).
"$LF_BIN/distress-client" --identity "$ID" wait-trigger --listen "127.0.0.1:$TPORT" --trigger-key "$TKEY" --count 3 \
	--wait 60 >"$T/trigger.out" 2>>"$T/trigger.err" &
TRIG_PID=$!
PIDS+=("$TRIG_PID")
wait_for 10 grep -q listening "$T/trigger.out"

# 1. HeNB-initiated: an alarm it could not deliver over TR-069 arrives over the distress channel.
DC --psk "$PSK" session --reason alarm-undeliverable --trigger-address "127.0.0.1:$TPORT" \
	--alarm 'case-1|Physical Violation|Intrusion detection|Major|Case opened' >"$T/s1.out" || fail "session 1: $(cat "$T/s1.out")"
grep -q '^session id=[1-9]' "$T/s1.out" || fail "no WELCOME"
grep -q "^end pending=0" "$T/s1.out" || fail "session 1 did not end cleanly"
grep -q "event=alarm device=$ID id=case-1 type=NewAlarm .*source=distress" "$T/hems.log" || fail "alarm not taken in"
hemsctl --json alarms "$ID" | json_get '[a["source"] for a in d["alarms"]]' | grep -q distress || fail "alarm source"
CASE=$(case_of "$ID")
[ -n "$CASE" ] || fail "the distress alarm opened no case"
ok "distress session with a pending alarm: stored (source distress), case $CASE opened"

# 2. HeMS-initiated: the step times out (the device never comes over TR-069): extended remediation queues the
#    diagnostic and triggers the device at the address it gave.
state_is() { [ "$(case_field "$CASE" 'd["state"]')" = "$1" ]; }
wait_for 30 state_is extended
wait_for 10 grep -q "event=distress_trigger device=$ID address=127.0.0.1:$TPORT" "$T/hems.log"
wait "$TRIG_PID" || fail "no trigger accepted: $(cat "$T/trigger.out" "$T/trigger.err")"
cat "$T/trigger.out"
[ "$(grep -c 'verdict=accepted' "$T/trigger.out")" = 1 ] || fail "want exactly one accepted trigger"
[ "$(grep -c 'verdict=dropped .*reason="replay' "$T/trigger.out")" = 2 ] || fail "the copies were not dropped as replays"
ok "trigger verified once, its copies dropped as replays"

# A forged trigger (right format and identity, wrong key) and a stale one are dropped.
"$LF_BIN/distress-client" --identity "$ID" wait-trigger --listen "127.0.0.1:$TPORT" --trigger-key "$TKEY" --count 2 \
	--wait 20 >"$T/forged.out" 2>&1 &
FORGE_PID=$!
PIDS+=("$FORGE_PID")
wait_for 10 grep -q listening "$T/forged.out"
python3 - "$TPORT" "$ID" "$TKEY" <<'PY'
import hashlib, hmac, socket, sys, time, urllib.parse
port, ident, key = int(sys.argv[1]), sys.argv[2], sys.argv[3]
def dgram(ts, mid, k):
    sig = hmac.new(k.encode(), ("%d%d%s%s" % (ts, mid, ident, "f0f0")).encode(), hashlib.sha1).hexdigest()
    return ("GET http://127.0.0.1:%d?ts=%d&id=%d&un=%s&cn=f0f0&sig=%s HTTP/1.1\r\n\r\n"
            % (port, ts, mid, urllib.parse.quote(ident, safe=""), sig)).encode()
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.sendto(dgram(int(time.time()), 7, "f" * 64), ("127.0.0.1", port))         # forged: not the device's key
s.sendto(dgram(int(time.time()) - 3600, 8, key), ("127.0.0.1", port))        # genuine key, an hour old
PY
wait "$FORGE_PID" && fail "a forged or stale trigger was accepted: $(cat "$T/forged.out")"
grep -q 'verdict=dropped .*reason="bad signature or identity' "$T/forged.out" || fail "forged: $(cat "$T/forged.out")"
grep -q 'verdict=dropped .*reason="ts=.* more than 300 s from now' "$T/forged.out" || fail "stale: $(cat "$T/forged.out")"
ok "forged and stale triggers dropped"

# 3. The device answers the trigger: distress session, the queued diagnostic, its result.
DC --psk "$PSK" session --reason trigger --event "6 CONNECTION REQUEST" --trigger-address "127.0.0.1:$TPORT" \
	--diag-results "sw=pass;config=pass;case=pass" >"$T/s2.out" || fail "session 2: $(cat "$T/s2.out")"
cat "$T/s2.out"
ACTION=$(sed -nE 's/^action id=([0-9]+) kind=diagnostic .*/\1/p' "$T/s2.out")
[ -n "$ACTION" ] || fail "the queued diagnostic was not delivered"
grep -q "^result id=$ACTION status=success pending=0" "$T/s2.out" || fail "result not acknowledged"
grep -q "event=distress_result device=$ID action=$ACTION kind=diagnostic status=done note=\"diagnostic Complete: sw=pass;config=pass;case=pass\"" \
	"$T/hems.log" || fail "result not stored as done"
hemsctl case "$CASE" | grep -q "distress action $ACTION (diagnostic) done" || fail "result not on the case timeline"
ok "action $ACTION delivered in the distress session, result stored and on the case timeline"

# 4. Nothing is left: a new session gets kind none, and a wrong key gets nothing at all.
DC --psk "$PSK" session --reason resume >"$T/s3.out" || fail "session 3"
grep -q '^action ' "$T/s3.out" && fail "an action was delivered twice"
BAD=$(python3 -c "import sys; k=sys.argv[1]; print(('0' if k[0] != '0' else '1') + k[1:])" "$PSK")
DC --psk "$BAD" --timeout 2000 session >"$T/s4.out" 2>&1 && fail "a wrong PSK opened a session"
grep -q "DTLS handshake did not complete" "$T/s4.out" || fail "wrong PSK: $(cat "$T/s4.out")"
ok "no re-delivery after the result; wrong PSK refused"
