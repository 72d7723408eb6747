#!/usr/bin/env bash
# nbi_instructions_auth: NM's instructions and the FaultSupervisionMnS resources need a valid bearer token: without
# one (none, wrong, another scheme) every request gets 401 and changes nothing; with NBI tokens unset the
# interface is off (403). With a named token each instruction (acknowledge, block/unblock, force a connection,
# start/cancel a remediation, decide a fatal case, run a measure) is carried out and audited in the case
# timeline with the token's name, time and what. Bad input gets 400 naming what is wrong. Tokens never reach
# the log.
. "$(dirname "$0")/../lib/common.sh"
. "$(dirname "$0")/../lib/nbi.sh"

FRAUD_TOKEN=fraud-detection-token-$$-0123456789
NOC_TOKEN=noc-operations-token-$$-0123456789
printf '# NAME TOKEN\nnm-fraud %s\nnoc-ops %s\n' "$FRAUD_TOKEN" "$NOC_TOKEN" >"$T/tokens"

# --- the interface is off without any token
start_hemsd off --set nbi.token=
fm GET "$FM/alarms" >/dev/null
[ "$(code)" = 403 ] || fail "FaultMnS with no token configured: HTTP $(code)"
fm GET /nbi/v1/outbox >/dev/null
[ "$(code)" = 403 ] || fail "NBI with no token configured: HTTP $(code)"
stop "$HEMS_PID_off"
ok "no token configured: FaultMnS and NBI refuse everything (403)"

start_consumer nm
start_hemsd h --set "nbi.tokens_file=$T/tokens"
subscribe "http://127.0.0.1:$CONS_PORT_nm/nm" >/dev/null
A=$(device_id A) B=$(device_id B)
EA=$(urlenc "$A") EB=$(urlenc "$B")
inform A "$(alarm fatal-1 'Physical Violation' Critical NewAlarm 'Clock speed modified' 'Unspecified reason')" || fail "A"
fake_cpe session --url "http://127.0.0.1:$HEMS_PORT/cwmp" --serial B --cr-port "$(free_port)" --log "$T/cpe-b.log" ||
	fail "B"
wait_for 10 has_received nm notifyAwaitingInstructions
CASE=$(fm GET "/nbi/v1/devices/$EA/cases" | json_get 'd["cases"][0]["caseId"]')
ALARM=$(fm GET "$FM/alarms" | json_get 'list(d)[0]')

# --- every protected request without valid credentials: 401, nothing changed
requests=(
	"GET $FM/alarms"
	"GET $FM/alarms/$ALARM"
	"GET $FM/alarms/alarmCount"
	"PATCH $FM/alarms/$ALARM {\"ackState\":\"ACKNOWLEDGED\",\"ackUserId\":\"intruder\"}"
	"PATCH $FM/alarms/$ALARM {\"perceivedSeverity\":\"CLEARED\",\"clearUserId\":\"intruder\"}"
	"POST $FM/subscriptions {\"consumerReference\":\"http://127.0.0.1:1/x\"}"
	"GET $FM/subscriptions"
	"DELETE $FM/subscriptions/1"
	"PUT /nbi/v1/devices/$EB/block {\"reason\":\"intruder\"}"
	"DELETE /nbi/v1/devices/$EB/block"
	"POST /nbi/v1/devices/$EB/connection-request"
	"POST /nbi/v1/devices/$EB/cases {\"procedure\":\"reconfigure\"}"
	"POST /nbi/v1/cases/$CASE/decision {\"decision\":\"release\"}"
	"POST /nbi/v1/cases/$CASE/cancel {\"reason\":\"intruder\"}"
	"POST /nbi/v1/devices/$EA/measures {\"measure\":\"hems-block\"}"
	"GET /nbi/v1/devices/$EA/measures"
	"GET /nbi/v1/outbox"
)
bad_auth=("" "Bearer wrong-token-0123456789abcdef" "Basic $(printf 'admin:%s' "$TOKEN" | base64)" "Bearer ${FRAUD_TOKEN}x"
	"Bearer ${TOKEN:0:10}" "Bearer")
for req in "${requests[@]}"; do
	read -r method path body <<<"$req"
	for auth in "${bad_auth[@]}"; do
		args=(-s -o "$T/answer" -w '%{http_code}' -X "$method")
		[ -n "$auth" ] && args+=(-H "Authorization: $auth")
		[ -n "${body:-}" ] && args+=(-H 'Content-Type: application/json' --data-binary "$body")
		code=$(curl "${args[@]}" "http://127.0.0.1:$HEMS_PORT$path")
		[ "$code" = 401 ] || fail "$method $path with '${auth:0:12}...': HTTP $code"
		grep -q '"detail"' "$T/answer" || fail "401 without a problem document"
	done
done
[ "$(fm GET "$FM/alarms/$ALARM" | json_get 'd["ackState"]')" = UNACKNOWLEDGED ] || fail "alarm changed"
[ "$(fm GET "$FM/alarms/$ALARM" | json_get 'd["perceivedSeverity"]')" = CRITICAL ] || fail "alarm cleared"
[ "$(fm GET "$FM/subscriptions" | json_get 'len(d["subscriptions"])')" = 1 ] || fail "subscriptions changed"
[ "$(fm GET "/nbi/v1/devices/$EB" | json_get 'd["blocked"]')" = False ] || fail "B blocked"
[ "$(fm GET "/nbi/v1/cases/$CASE" | json_get 'd["state"]')" = awaiting_instructions ] || fail "case changed"
[ "$(fm GET "/nbi/v1/devices/$EB/cases" | json_get 'len(d["cases"])')" = 0 ] || fail "a case was started"
[ "$(fm GET "/nbi/v1/devices/$EA/measures" | json_get 'len(d["measures"])')" = 0 ] || fail "a measure ran"
ok "${#requests[@]} protected requests x ${#bad_auth[@]} bad credentials: all 401 with a problem document, nothing changed"

# --- with named tokens: carried out and audited
FM_TOKEN=$FRAUD_TOKEN fm PATCH "$FM/alarms/$ALARM" '{"ackState": "ACKNOWLEDGED"}' >/dev/null
[ "$(code)" = 204 ] || fail "ack: HTTP $(code)"
[ "$(fm GET "$FM/alarms/$ALARM" | json_get 'd["ackUserId"]')" = nm-fraud ] || fail "ackUserId is not the token's name"
FM_TOKEN=$FRAUD_TOKEN fm POST "/nbi/v1/cases/$CASE/decision" '{"decision": "block", "reason": "clock tampering"}' >/dev/null
[ "$(code)" = 200 ] || fail "decision: HTTP $(code)"
[ "$(fm GET "/nbi/v1/devices/$EA" | json_get 'd["blocked"]')" = True ] || fail "A not blocked"
FM_TOKEN=$NOC_TOKEN fm POST "/nbi/v1/devices/$EA/measures" '{"measure": "hems-unblock", "reason": "board replaced"}' >/dev/null
[ "$(code)" = 200 ] || fail "unblock measure: HTTP $(code)"
[ "$(fm GET "/nbi/v1/devices/$EA" | json_get 'd["blocked"]')" = False ] || fail "A still blocked"
FM_TOKEN=$FRAUD_TOKEN fm POST "/nbi/v1/devices/$EB/cases" '{"procedure": "reconfigure"}' >/dev/null
[ "$(code)" = 201 ] || fail "case start: HTTP $(code)"
CASE_B=$(fm GET "/nbi/v1/devices/$EB/cases" | json_get 'd["cases"][0]["caseId"]')
FM_TOKEN=$NOC_TOKEN fm POST "/nbi/v1/devices/$EB/connection-request" >/dev/null
[ "$(code)" = 202 ] || fail "connection request: HTTP $(code)"
FM_TOKEN=$NOC_TOKEN fm POST "/nbi/v1/cases/$CASE_B/cancel" '{"reason": "wrong device"}' >/dev/null
[ "$(code)" = 200 ] || fail "cancel: HTTP $(code)"

fm GET "/nbi/v1/cases/$CASE" >"$T/case-a"
fm GET "/nbi/v1/cases/$CASE_B" >"$T/case-b"
python3 - "$T/case-a" "$T/case-b" <<'EOF' || fail "audit trail"
import json, sys
def rows(path):
    return json.load(open(path))["timeline"]
def has(path, actor, text):
    for r in rows(path):
        if r["actor"] == actor and text in r["why"] and r["time"] > 0:
            return True
    raise AssertionError("%s: no row by %s with %r in %s" % (path, actor, text, rows(path)))
a, b = sys.argv[1], sys.argv[2]
has(a, "nm-fraud", "acknowledged by nm-fraud")
has(a, "nm-fraud", "NM decision 'block' by nm-fraud: clock tampering")
has(a, "noc-ops", "measure hems-unblock requested by noc-ops: board replaced")
has(a, "enforcement", "measure hems-unblock (builtin) succeeded")
has(b, "nm-fraud", "case opened by nm-fraud")
has(b, "noc-ops", "management connection forced")
has(b, "noc-ops", "cancelled by noc-ops: wrong device")
EOF
[ "$(fm GET "/nbi/v1/devices/$EA/measures" | json_get 'd["measures"][0]["actor"]')" = noc-ops ] || fail "measure actor"
wait_for 10 has_received nm notifyDeviceUnblocked
wait_for 10 has_received nm notifyRemediationFailed
ok "named tokens: acknowledge, decide (block), unblock measure, case start, forced connection, cancel: done and in the timeline with who, when, what"

# --- bad input with valid credentials: 400 naming the problem, nothing changed
check_400() {
	fm "$1" "$2" "${3:-}" >/dev/null
	[ "$(code)" = "${5:-400}" ] || fail "$1 $2 $3: HTTP $(code), expected ${5:-400}"
	grep -q "$4" "$T/answer" || fail "$1 $2 $3: the answer does not name '$4': $(cat "$T/answer")"
}
check_400 PATCH "$FM/alarms/$ALARM" '{"ackState": "MAYBE"}' "ACKNOWLEDGED or UNACKNOWLEDGED"
check_400 PATCH "$FM/alarms/$ALARM" '{}' "nothing to patch"
check_400 PATCH "$FM/alarms/$ALARM" '{"ackState": "ACKNOWLEDGED", "perceivedSeverity": "CLEARED"}' "two patches"
check_400 PATCH "$FM/alarms/$ALARM" '{"perceivedSeverity": "MINOR"}' "only be patched to CLEARED"
check_400 PATCH "$FM/alarms/$ALARM" '{"ackState": ' "not JSON"
check_400 PATCH "$FM/alarms/$ALARM" '{"comments": "x"}' "cannot be patched"
check_400 PATCH "$FM/alarms/abc" '{"ackState": "ACKNOWLEDGED"}' "positive integer"
check_400 PATCH "$FM/alarms/999999" '{"ackState": "ACKNOWLEDGED"}' "no such alarm" 404
check_400 POST "$FM/subscriptions" '{"consumerReference": "ftp://nm.example/x"}' "consumerReference"
check_400 POST "$FM/subscriptions" '{"consumerReference": "http://nm.example/x", "filter": "notificationType=x"}' "JSON object"
check_400 POST "$FM/subscriptions" '{"consumerReference": "http://nm.example/x", "filter": {"notificationTypes": ["notifyNothing"]}}' "notification type"
check_400 POST "$FM/subscriptions" '{"consumerReference": "http://nm.example/x", "filter": {"alarmTypes": ["FIRE"]}}' "AlarmType"
check_400 POST "$FM/subscriptions" '{"consumerReference": "http://nm.example/x", "colour": 1}' "unknown member"
check_400 GET "$FM/alarms?since=yesterday" "" "ISO 8601"
check_400 GET "$FM/alarms?limit=0" "" "limit"
check_400 DELETE "$FM/subscriptions/77" "" "no such subscription" 404
check_400 POST "/nbi/v1/devices/$EA/measures" '{"measure": "nuke"}' "measure"
check_400 POST "/nbi/v1/devices/$EA/measures" '{"measure": "segw-blacklist"}' "no adapter" 409
check_400 POST "/nbi/v1/devices/unknown-device/measures" '{"measure": "hems-block"}' "no such device" 404
[ "$(fm GET "$FM/alarms/$ALARM" | json_get 'd["perceivedSeverity"]')" = CRITICAL ] || fail "a bad patch changed the alarm"
[ "$(fm GET "$FM/subscriptions" | json_get 'len(d["subscriptions"])')" = 1 ] || fail "a bad subscription was stored"
ok "bad input: 400/404/409 with a detail naming the problem; nothing stored"

for t in "$TOKEN" "$FRAUD_TOKEN" "$NOC_TOKEN"; do
	if grep -q -- "$t" "$T/h.log"; then fail "a token reached the log"; fi
done
grep -q 'event=nbi_auth_failed' "$T/h.log" || fail "refusals not logged"
ok "refusals logged, tokens never"
