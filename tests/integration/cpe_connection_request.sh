#!/usr/bin/env bash
# cpe_connection_request: henbd's connection request listeners. HTTP: Digest with the credentials hemsd gave
# the device at 0 BOOTSTRAP opens a session with 6 CONNECTION REQUEST; wrong or missing credentials get 401
# and no session (counted); over the rate limit 503. UDP (TR-069 Annex G): a signed datagram opens a session;
# a bad signature, a replay and a stale timestamp are dropped silently. ConnectionRequestURL is the real port.
. "$(dirname "$0")/libcpe.sh"

start_hemsd hems
ID=$(dev_id cr1)
# 100 ms protocol seconds: the "per minute" rate limit window is 6 s; at most 4 accepted in it.
cpe_start cr1 --set cr.rate_limit=4 --set cr.path=/cr-secret --set cr.udp_ts_window=300
wait_for 20 informs_at_least "$ID" 1
user_set() { state_value Device.ManagementServer.ConnectionRequestUsername "$T/cr1" | grep -q .; }
wait_for 20 user_set
CR_USER=$(state_value Device.ManagementServer.ConnectionRequestUsername "$T/cr1")
CR_PASS=$(state_value Device.ManagementServer.ConnectionRequestPassword "$T/cr1")
[ -n "$CR_PASS" ] || fail "no ConnectionRequestPassword provisioned"

# The URL in the Inform is the one really listening.
port=$(sed -nE 's/.*event=cr_http_listening .*port=([0-9]+).*/\1/p' "$T/cr1.log" | head -1)
url=$(cached_param "$ID" Device.ManagementServer.ConnectionRequestURL)
[ "$url" = "http://127.0.0.1:$port/cr-secret" ] || fail "ConnectionRequestURL '$url', listener on port $port"
udp=$(cached_param "$ID" Device.ManagementServer.UDPConnectionRequestAddress)
udp_port=${udp##*:}
[ -n "$udp_port" ] && grep -q "event=cr_udp_listening .*port=$udp_port" "$T/cr1.log" || fail "UDPConnectionRequestAddress '$udp'"
ok "ConnectionRequestURL $url and UDPConnectionRequestAddress $udp are the bound ports"

cr_sessions() { grep -c 'event=session_start events="6 CONNECTION REQUEST"' "$T/cr1.log" || true; }
get() { curl -s -o /dev/null -w '%{http_code}' "$@"; }

# 1. HTTP with the right Digest credentials: 200 and a session.
code=$(get --digest -u "$CR_USER:$CR_PASS" "$url")
[ "$code" = 200 ] || fail "good digest: HTTP $code"
one() { [ "$(cr_sessions)" -ge 1 ]; }
wait_for 10 one
wait_for 10 grep -q 'events="6 CONNECTION REQUEST"' "$T/hems.log"
ok "good Digest credentials -> 200 and a session with 6 CONNECTION REQUEST"

# 2. Wrong password, wrong user, no credentials: 401 and no session.
sleep 0.5
n=$(cr_sessions)
[ "$(get --digest -u "$CR_USER:wrong" "$url")" = 401 ] || fail "bad password not refused"
[ "$(get --digest -u "intruder:$CR_PASS" "$url")" = 401 ] || fail "bad user not refused"
[ "$(get "$url")" = 401 ] || fail "no credentials not refused"
code=$(curl -s -D "$T/h401" -o /dev/null -w '%{http_code}' "$url")
grep -qi '^WWW-Authenticate: Digest .*algorithm="\?MD5' "$T/h401" || fail "challenge: $(cat "$T/h401")"
grep -qi 'qop="auth"' "$T/h401" || fail "challenge without qop=auth: $(cat "$T/h401")"
[ "$(get -X POST --digest -u "$CR_USER:$CR_PASS" "$url")" = 405 ] || fail "POST not refused"
[ "$(get --digest -u "$CR_USER:$CR_PASS" "http://127.0.0.1:$port/other")" = 404 ] || fail "other path"
sleep 1
[ "$(cr_sessions)" = "$n" ] || fail "a refused request opened a session"
task "$ID" GetParameterValues '{"names":["Device.X_00005A_Security.ConnReqAuthFailures"]}'
failures=$(tj 'd["result"]["parameters"][0]["value"]')
[ "$failures" -ge 2 ] || fail "auth failures counted: $failures"
ok "bad credentials -> 401 (Digest MD5, qop=auth challenge), no session, counted ($failures)"

# 3. Rate limit: at most 4 accepted per (shortened) minute; the next gets 503.
sleep 6.5 # let the window empty
codes=""
for i in 1 2 3 4 5; do codes="$codes $(get --digest -u "$CR_USER:$CR_PASS" "$url")"; done
[ "$codes" = " 200 200 200 200 503" ] || fail "rate limit: got$codes"
grep -q 'event=cr_rate_limited via=http' "$T/cr1.log" || fail "rate limiting not logged"
ok "rate limit: 4 accepted, the 5th -> 503"

# 4. UDP connection requests, built here as the ACS would (HMAC-SHA1 over ts id un cn).
sleep 6.5
cat >"$T/udpcr.py" <<'PY'
import hashlib, hmac, socket, sys
port, ts, msgid, un, pw = int(sys.argv[1]), sys.argv[2], sys.argv[3], sys.argv[4], sys.argv[5]
cn = "XTGRWIPC6D3IPXS3"
sig = hmac.new(pw.encode(), (ts + msgid + un + cn).encode(), hashlib.sha1).hexdigest()
auth = "127.0.0.1:%d" % port
msg = "GET http://%s?ts=%s&id=%s&un=%s&cn=%s&sig=%s HTTP/1.1\r\nHost: %s\r\n\r\n" % (auth, ts, msgid, un, cn, sig, auth)
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.sendto(msg.encode(), ("127.0.0.1", port))
PY
udpcr() { python3 "$T/udpcr.py" "$udp_port" "$@"; }
now=$(date +%s)
n=$(cr_sessions)
udpcr "$now" 1001 "$CR_USER" "$CR_PASS"
more() { [ "$(cr_sessions)" -gt "$n" ]; }
wait_for 10 more
grep -q 'event=cr_accepted via=udp' "$T/cr1.log" || fail "UDP acceptance not logged"
ok "signed UDP datagram -> session with 6 CONNECTION REQUEST"

sleep 1
n=$(cr_sessions)
udpcr "$now" 1001 "$CR_USER" "$CR_PASS"                 # the same again: a retransmission / replay
udpcr "$now" 1002 "$CR_USER" "wrong-password"           # bad signature
udpcr "$((now - 100000))" 1003 "$CR_USER" "$CR_PASS"    # far outside the clock window (and older)
udpcr "$now" 1004 "someone-else" "$CR_PASS"             # another username
printf 'not a connection request' | python3 -c "import socket,sys; socket.socket(socket.AF_INET,socket.SOCK_DGRAM).sendto(sys.stdin.buffer.read(),('127.0.0.1',$udp_port))"
sleep 1.5
[ "$(cr_sessions)" = "$n" ] || fail "a bad UDP datagram opened a session"
grep -q 'event=cr_udp_dropped' "$T/cr1.log" && fail "UDP drops are logged at info level (they should be debug only)"
# a new, properly signed one still works: the listener is alive
udpcr "$now" 1005 "$CR_USER" "$CR_PASS"                 # same second, new id: a new request
wait_for 10 more
ok "replayed, badly signed, stale, foreign and garbage datagrams dropped silently; a fresh one accepted"

# 5. The replay state survives a restart: the datagram accepted before is still refused after.
wait_for 10 idle cr1
stop "$HENB_PID_cr1"
cpe_start cr1 --set cr.rate_limit=4 --set cr.path=/cr-secret --set cr.udp_ts_window=300
restarted() { [ "$(grep -c 'event=agent_start' "$T/cr1.log")" -ge 2 ]; }
wait_for 10 restarted
sleep 1
udp=$(grep 'event=agent_start' "$T/cr1.log" | tail -1 | sed -E 's/.*udp_cr=([^ ]+).*/\1/')
udp_port=${udp##*:}
n=$(cr_sessions)
udpcr "$now" 1005 "$CR_USER" "$CR_PASS"
sleep 1.5
[ "$(cr_sessions)" = "$n" ] || fail "a datagram replayed after a restart was accepted"
ok "replay protection persisted across a restart"

# 6. HTTPConnectionRequestEnable false: the URL goes empty and the port closes.
task "$ID" SetParameterValues '{"values":[{"name":"Device.ManagementServer.HTTPConnectionRequestEnable","value":"false","type":"xsd:boolean"}],"parameterKey":"no-http-cr"}'
expect_status done
url=$(grep 'event=agent_start' "$T/cr1.log" | tail -1 | sed -E 's/.*cr_url=([^ ]+).*/\1/')
closed() { ! curl -s -o /dev/null --max-time 1 "$url"; }
wait_for 10 closed
task "$ID" GetParameterValues '{"names":["Device.ManagementServer.ConnectionRequestURL"]}'
[ "$(tj 'd["result"]["parameters"][0]["value"]')" = "" ] || fail "ConnectionRequestURL not empty"
ok "HTTPConnectionRequestEnable=false closes the listener and empties ConnectionRequestURL"

sanitizers_clean
ok "connection requests"
