#!/usr/bin/env bash
# acs_connection_request_http: a task queued with connectNow makes hemsd send an HTTP connection request with
# Digest auth (credentials it gave the device at 0 BOOTSTRAP); the device opens a 6 CONNECTION REQUEST session
# and the task runs in it. A device that is not listening is recorded as failed, with the reason.
. "$(dirname "$0")/../lib/common.sh"

start_hemsd hems --set connreq.timeout=2
URL="http://127.0.0.1:$HEMS_PORT/cwmp"
ID="000FB7-Cavium%20eNB-CR0001"
CRPORT=$(free_port)
fake_cpe_start serve --url "$URL" --serial CR0001 --cr-port "$CRPORT" --cr-user factory --cr-password factory-pw \
	--log "$T/cpe.log" --ready "$T/ready"
wait_for 20 test -e "$T/ready"
provisioned() { grep -q '"what": "session_end"' "$T/cpe.log"; }
wait_for 10 provisioned
ok "device registered; hemsd set its connection request credentials in that first session"

task=$(hemsctl task add "$ID" GetParameterValues '{"names":["Device.DeviceInfo.SoftwareVersion"]}' --connect)
hemsctl task get "$task" --wait 20 >/dev/null || fail "task not answered"
[ "$(task_field "$task" 'd["status"]')" = done ] || fail "task status $(task_field "$task" 'd["status"]')"
grep -q '"what": "http_connection_request", "valid": true' "$T/cpe.log" || fail "no valid Digest connection request"
grep -q '"events": \["6 CONNECTION REQUEST"\]' "$T/cpe.log" || fail "no 6 CONNECTION REQUEST session"
[ "$(hemsctl --json device "$ID" | json_get 'd["lastConnectionRequest"]')" = "http 200" ] || fail "CR result not recorded"
ok "connectNow -> Digest-authenticated connection request -> 6 CONNECTION REQUEST session -> task done"

# Without a task: an explicit connection request (hemsctl connect).
n_before=$(grep -c '"what": "http_connection_request"' "$T/cpe.log")
hemsctl connect "$ID" >/dev/null
more_crs() { [ "$(grep -c '"what": "http_connection_request"' "$T/cpe.log")" -gt "$n_before" ]; }
wait_for 10 more_crs
ok "hemsctl connect wakes the device"

# A session the device abandoned after its Inform (no further POST): hemsd still holds it open, and an explicit
# connection request must still reach the device (only tasks queued inside a live session skip one).
cr_url=$(hemsctl --json device "$ID" | json_get 'd["connectionRequestUrl"]')
python3 - "$LF_REF/captures/inform-cavium-enb.xml" "$cr_url" >"$T/inform-cr.xml" <<'PY'
import re, sys
x = open(sys.argv[1]).read()
x = re.sub(r"<SerialNumber>[^<]*", "<SerialNumber>CR0001", x)
x = re.sub(r"(ConnectionRequestURL</Name>\s*<Value[^>]*>)[^<]*", lambda m: m.group(1) + sys.argv[2], x)
sys.stdout.write(x)
PY
code=$(curl -s -o /dev/null -w '%{http_code}' -H 'Content-Type: text/xml' --data-binary @"$T/inform-cr.xml" "$URL")
[ "$code" = 200 ] || fail "half session: Inform got HTTP $code"
n_before=$(grep -c '"what": "http_connection_request"' "$T/cpe.log")
hemsctl connect "$ID" >/dev/null
wait_for 10 more_crs
ok "hemsctl connect wakes a device whose session hemsd still holds open"

# The device goes away: the connection request fails within connreq.timeout and the reason is recorded.
stop "$FAKE_PID"
hemsctl connect "$ID" >/dev/null
cr_failed() { hemsctl --json device "$ID" | json_get 'd["lastConnectionRequest"]' | grep -q 'http failed'; }
wait_for 10 cr_failed
ok "unreachable device: $(hemsctl --json device "$ID" | json_get 'd["lastConnectionRequest"]')"
[ "$(task_field "$task" 'd["status"]')" = done ] || fail "earlier task changed"
