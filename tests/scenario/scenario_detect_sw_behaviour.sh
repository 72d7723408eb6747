#!/usr/bin/env bash
# scenario_detect_sw_behaviour: unexpected behaviour of software components and attacks via the LAN.
# A burst of failed authentications on the connection request listeners (bad HTTP Digest credentials, badly
# signed UDP requests: monitor.lan_burst within monitor.event_window) raises Security Service or Mechanism
# Violation / Unauthorized access attempt / Warning; it clears when a window passes without. A listening
# socket the platform does not allow (HAL listeners against listeners_allowed; henbd's own are always
# allowed) and a watchdog miss (HAL watchdog_misses grows) raise Operational Violation / Denial of service /
# Warning "Unexpected behaviour of software components", cleared when they are gone. All reach hemsd.
. "$(dirname "$0")/libdetect.sh"

LAN="Attack via the LAN: burst of failed authentications"
BEH="Unexpected behaviour of software components"
start_hemsd hems
ID=$(dev_id beh1)
det_start beh1 --set monitor.event_window=20
det_ready "$ID" beh1
DEV="$T/beh1/device"
url=$(cached_param "$ID" Device.ManagementServer.ConnectionRequestURL)
udp=$(cached_param "$ID" Device.ManagementServer.UDPConnectionRequestAddress)

# 1. Four bad Digest attempts: below the threshold of 5, nothing.
for i in 1 2 3 4; do curl -s -o /dev/null --digest -u "intruder:guess$i" "$url"; done
sleep 0.5
[ "$(alarm_count "$ID" "$LAN" NewAlarm)" = 0 ] || fail "4 failures raised the LAN alarm"
# the fifth within the window: the burst
curl -s -o /dev/null --digest -u "intruder:guess5" "$url"
expect_alarm "$ID" "$LAN" NewAlarm "Security Service or Mechanism Violation" "Unauthorized access attempt" Warning expedited
echo "$ALARM" | grep -q 'via http' || fail "text: $ALARM"
ok "5 bad Digest connection requests within the window -> LAN attack alarm at hemsd"
wait_for 20 has_alarm "$ID" "$LAN" ClearedAlarm
ok "a window without failures -> cleared"

# 2. The UDP listener: badly signed requests count the same.
cat >"$T/udpbad.py" <<'PY'
import hashlib, hmac, socket, sys, time
host, port = sys.argv[1].rsplit(":", 1)
for i in range(6):
    ts, mid, un, cn = str(int(time.time())), str(5000 + i), "intruder", "XTGRWIPC6D3IPXS3"
    sig = hmac.new(b"guess", (ts + mid + un + cn).encode(), hashlib.sha1).hexdigest()
    msg = "GET http://%s?ts=%s&id=%s&un=%s&cn=%s&sig=%s HTTP/1.1\r\nHost: %s\r\n\r\n" % (sys.argv[1], ts, mid, un, cn, sig, sys.argv[1])
    socket.socket(socket.AF_INET, socket.SOCK_DGRAM).sendto(msg.encode(), (host, int(port)))
    time.sleep(0.02)
PY
python3 "$T/udpbad.py" "$udp"
two() { [ "$(alarm_count "$ID" "$LAN" NewAlarm)" -ge 2 ]; }
wait_for 20 two
alarm "$ID" "$LAN" NewAlarm | grep -q 'via udp' || fail "text: $(alarm "$ID" "$LAN" NewAlarm)"
ok "6 badly signed UDP connection requests -> LAN attack alarm again"

# 3. A listening socket the platform does not allow.
wait_for 20 idle beh1
echo "tcp:22" >"$DEV/listeners_allowed"
printf 'tcp:22\ntcp:31337\n' >"$DEV/listeners"
expect_alarm "$ID" "$BEH" NewAlarm "Operational Violation" "Denial of service" Warning expedited
echo "$ALARM" | grep -q 'tcp:31337' || fail "text: $ALARM"
ident=$(field "$ALARM" alarmIdentifier)
ok "unexpected listener tcp:31337 -> Operational Violation / Denial of service / Warning at hemsd"
echo "tcp:22" >"$DEV/listeners"
wait_for 20 has_alarm "$ID" "$BEH" ClearedAlarm
[ "$(field "$(alarm "$ID" "$BEH" ClearedAlarm)" alarmIdentifier)" = "$ident" ] || fail "cleared another alarm"
ok "listener gone -> cleared"

# 4. A process the platform does not allow.
wait_for 20 idle beh1
echo "sshd" >"$DEV/processes_allowed"
printf 'sshd\ncryptominer\n' >"$DEV/processes"
two_beh() { [ "$(alarm_count "$ID" "$BEH" NewAlarm)" -ge 2 ]; }
wait_for 20 two_beh
alarm "$ID" "$BEH" NewAlarm | grep -q cryptominer || fail "text: $(alarm "$ID" "$BEH" NewAlarm)"
echo "sshd" >"$DEV/processes"
two_beh_cleared() { [ "$(alarm_count "$ID" "$BEH" ClearedAlarm)" -ge 2 ]; }
wait_for 20 two_beh_cleared
ok "unexpected process cryptominer -> alarm, gone -> cleared"

# 5. The platform watchdog saw a missed kick.
wait_for 20 idle beh1
echo 1 >"$DEV/watchdog_misses"
three() { [ "$(alarm_count "$ID" "$BEH" NewAlarm)" -ge 3 ]; }
wait_for 20 three
alarm "$ID" "$BEH" NewAlarm | grep -q 'watchdog missed' || fail "text: $(alarm "$ID" "$BEH" NewAlarm)"
three_cleared() { [ "$(alarm_count "$ID" "$BEH" ClearedAlarm)" -ge 3 ]; }
wait_for 20 three_cleared
ok "watchdog miss -> alarm; a window without misses -> cleared"

kill -0 "$HENB_PID_beh1" || fail "henbd stopped: none of these is fatal"
sanitizers_clean
ok "software behaviour and LAN attack detection"
