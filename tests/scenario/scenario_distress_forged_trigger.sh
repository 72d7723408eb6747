#!/usr/bin/env bash
# scenario_distress_forged_trigger: what must make nothing happen (namespaces, two paths, TR-069 dropped by nftables
# on the standard path, so any accepted trigger would open a distress session). Forged triggers (another key,
# another identity, garbage, oversized), a replayed trigger (the copy of an accepted one, also after henbd
# restarted: the replay window is in protected storage) and a stale one are dropped silently: no answer, no
# session on either path, only a counter and a log line. A genuine trigger built the same way does open the
# session (the test's triggers are well formed). A HeNB with a bad PSK never gets a distress session: the DTLS
# handshake fails and hemsd sees nothing.
. "$(dirname "$0")/libdistress.sh"

dx_netns
dx_hemsd
N=ft1
ID=$(dev_id $N)
LOG="$T/$N.log"
dx_henbd $N --set distress.max_retries=2 --set distress.retry_interval=5 --set distress.request_timeout_ms=1500
dx_registered "$ID" $N
TKEY=$(device_key "$ID" trigger_key)
block_standard
ok "registered; standard path blocked"

dsessions() { grep -c "event=distress_session device=$ID " "$T/hems.log" || true; }
dropped() { grep -c "event=distress_trigger_dropped" "$LOG" || true; }
nothing_happened() {
	sleep 1.5
	[ "$(dsessions)" = "$1" ] || fail "$2: hemsd saw a distress session"
	[ "$(grep -c "event=distress_session_start" "$LOG" || true)" = "$1" ] || fail "$2: the HeNB opened a distress session"
	[ "$(grep -c "event=distress_standard_retry" "$LOG" || true)" = "$1" ] || fail "$2: the HeNB acted on it"
}
# send_expect_drop FILE WHAT REASON-PATTERN: the datagram is dropped for that reason and nothing happens.
send_expect_drop() {
	local n
	n=$(dropped)
	send_dgram "$1"
	more_dropped() { [ "$(dropped)" -gt "$n" ]; }
	wait_for 10 more_dropped
	tail -n 20 "$LOG" | grep "event=distress_trigger_dropped" | tail -1 | grep -q "$3" ||
		fail "$2: $(grep distress_trigger_dropped "$LOG" | tail -1)"
	nothing_happened "$4" "$2"
}
NOW=$(date +%s)

# 1. Forged: the right format and identity, signed with another key.
trigger_dgram "$(printf 'f%.0s' $(seq 64))" "$NOW" 1001 "$ID" >"$T/forged.bin"
send_expect_drop "$T/forged.bin" "forged (other key)" 'reason="bad signature or identity' 0
# For another device, signed with its (unknown to us) key: here our key, wrong identity.
trigger_dgram "$TKEY" "$NOW" 1002 "00005A-LifelineHeNB-other" >"$T/other.bin"
send_expect_drop "$T/other.bin" "another identity" 'reason="bad signature or identity' 0
# Garbage and an oversized datagram.
printf 'GET / HTTP/1.1\r\n\r\n' >"$T/garbage.bin"
send_expect_drop "$T/garbage.bin" "garbage" "error=" 0
head -c 2000 /dev/zero | tr '\0' 'A' >"$T/big.bin"
send_expect_drop "$T/big.bin" "oversized" 'reason="over 1400 bytes"' 0
ok "forged (other key), another identity, garbage, oversized: dropped silently, no session"

# 2. A genuine trigger: accepted, standard path first, then the distress session.
trigger_dgram "$TKEY" "$NOW" 2001 "$ID" >"$T/good.bin"
send_dgram "$T/good.bin"
wait_for 10 grep -q "event=distress_trigger_accepted id=2001" "$LOG"
wait_for 30 grep -q "event=distress_session device=$ID .*reason=trigger" "$T/hems.log"
wait_for 20 grep -q "event=distress_session_over ok=yes reason=trigger" "$LOG"
ok "a genuine trigger: accepted, standard path tried, distress session opened"

# 3. Its replay, and an older one: dropped.
send_expect_drop "$T/good.bin" "replay" 'reason="replay' 1
trigger_dgram "$TKEY" "$((NOW - 10))" 2000 "$ID" >"$T/older.bin"
send_expect_drop "$T/older.bin" "older" 'reason="replay' 1
# Stale: a genuine key, a newer id, an hour old (the HeNB knows the HeMS's time from the WELCOME).
trigger_dgram "$TKEY" "$((NOW - 3600))" 2002 "$ID" >"$T/stale.bin"
send_expect_drop "$T/stale.bin" "stale" 'reason="' 1
ok "replayed, older and stale triggers: dropped, no session"

# 4. The replay window survives a restart (protected storage).
kill -TERM "$HENB_PID"
wait "$HENB_PID" || true
dx_henbd $N --set distress.max_retries=2 --set distress.retry_interval=5 --set distress.request_timeout_ms=1500
listening_again() { [ "$(grep -c "event=distress_trigger_listening" "$LOG")" -ge 2 ]; }
wait_for 20 listening_again
sleep 1
send_expect_drop "$T/good.bin" "replay after a restart" 'reason="replay' 1
ok "after a restart the accepted trigger's replay is still dropped"

# 5. A bad PSK: the HeNB's key does not match hemsd's. Set over TR-069 while the standard path works.
restore_standard
BAD=$(python3 -c "import os; print(os.urandom(32).hex())")
task "$ID" SetParameterValues "{\"values\":[{\"name\":\"Device.X_00005A_Distress.PSK\",\"value\":\"$BAD\",\"type\":\"xsd:string\"}],\"parameterKey\":\"bad-psk\"}"
expect_status done
wait_for 20 idle $N
block_standard
before=$(dsessions)
trigger_dgram "$TKEY" "$(date +%s)" 3001 "$ID" >"$T/t3.bin"
send_dgram "$T/t3.bin"
wait_for 10 grep -q "event=distress_trigger_accepted id=3001" "$LOG"
wait_for 30 grep -q 'event=distress_attempt_failed attempt=1 max=2 .*DTLS handshake' "$LOG"
[ "$(dsessions)" = "$before" ] || fail "hemsd opened a session for a wrong PSK"
grep -q "event=distress_session_open" <(sed -n '/id=3001/,$p' "$LOG") && fail "a session opened with a bad PSK"
ok "bad PSK: the DTLS handshake fails, hemsd answers nothing, no session"

[ "$(grep -c "event=distress_trigger_accepted" "$LOG")" = 2 ] || fail "accepted $(grep -c "event=distress_trigger_accepted" "$LOG") triggers, expected 2 (the genuine ones)"
sanitizers_clean
