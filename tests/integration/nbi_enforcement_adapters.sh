#!/usr/bin/env bash
# nbi_enforcement_adapters: higher-level measures (5.7.4) through each adapter. exec: a program fed the request as
# JSON on stdin, its exit status and output recorded (success, failure, timeout); the shipped strongSwan adapter
# in dry-run mode: the swanctl command line that ends the HeNB's IKE SA and its identity on the deny list that
# the SeGW's ext-auth check reads; webhook: a POST retried through the outbox until the receiver takes it, also
# across a hemsd crash; policy: a blocked device is blacklisted at the SeGW by itself. Every result lands in the
# case timeline and northbound. A wrong enforcement configuration stops hemsd at start, naming the key.
. "$(dirname "$0")/../lib/common.sh"
. "$(dirname "$0")/../lib/nbi.sh"
SRC=$(cd "$(dirname "$0")/../.." && pwd)
STRONGSWAN="$SRC/scripts/enforce-strongswan"

# The test adapter for gw-block: records its request, fails or hangs when the reason says so.
cat >"$T/adapter.py" <<'EOF'
#!/usr/bin/env python3
import json, os, sys, time
req = json.load(sys.stdin)
with open(os.path.join(sys.argv[1], "req-%d.json" % req["measureId"]), "w") as f:
    json.dump(req, f)
if "hang" in req["reason"]:
    time.sleep(5)
if "fail" in req["reason"]:
    print("gateway refused: HeNB unknown")
    sys.exit(3)
print("blocked %s at the HeNB-GW" % req["deviceId"])
EOF
chmod +x "$T/adapter.py"
D1=$(device_id D1) D2=$(device_id D2)
# What charon would list: D1 has an IKE SA (#7), someone else another.
cat >"$T/sas.txt" <<EOF
henb: #7, ESTABLISHED, IKEv2, 6fd55d95f66b4a67_i cea64d4a303e0ca2_r*
  local  'segw.example.net' @ 192.0.2.1[4500]
  remote '$D1' @ 198.51.100.7[4500] [10.0.0.5]
  established 12s ago, rekeying in 14043s
  henb-net: #9, reqid 1, INSTALLED, TUNNEL, ESP:AES_GCM_16-128
henb: #8, ESTABLISHED, IKEv2, 1fd55d95f66b4a67_i cea64d4a303e0ca2_r*
  local  'segw.example.net' @ 192.0.2.1[4500]
  remote '000FB7-Cavium%20eNB-OTHER' @ 198.51.100.8[4500]
EOF

# --- misconfiguration stops hemsd at start, naming the key
bad_start() {
	if "$LF_BIN/hemsd" --set hemsd.listen_port=0 --set "hemsd.store=sqlite:$T/bad.db" --set "nbi.token=$TOKEN" \
		"$@" 2>"$T/err"; then
		fail "hemsd started with $*"
	fi
}
bad_start --set enforcement.gw_block=exec
grep -q "enforcement.gw_block_command" "$T/err" || fail "exec without command: $(cat "$T/err")"
bad_start --set enforcement.segw_blacklist=ssh
grep -q "enforcement.segw_blacklist 'ssh'" "$T/err" || fail "unknown adapter: $(cat "$T/err")"
bad_start --set enforcement.subscriber_notify=webhook --set enforcement.subscriber_notify_url=mailto:x
grep -q "subscriber_notify_url" "$T/err" || fail "webhook without URL: $(cat "$T/err")"
bad_start --set enforcement.on_blocked=gw-block
grep -q "enforcement.on_blocked names gw-block, which has no adapter" "$T/err" || fail "policy: $(cat "$T/err")"
ok "bad enforcement configuration refused at start with the key named"

start_consumer nm
start_consumer hook
echo 500 >"$T/hook.status"
HOOK_PORT=$CONS_PORT_hook
CONF=(--set outbox.retry_min_ms=200 --set outbox.retry_max=1
	--set enforcement.segw_blacklist=exec
	--set "enforcement.segw_blacklist_command=$STRONGSWAN --dry-run --deny-list $T/deny.list --sas-file $T/sas.txt"
	--set enforcement.gw_block=exec --set "enforcement.gw_block_command=$T/adapter.py $T"
	--set enforcement.subscriber_notify=webhook
	--set "enforcement.subscriber_notify_url=http://127.0.0.1:$HOOK_PORT/replace-henb"
	--set enforcement.exec_timeout=2 --set enforcement.on_blocked=segw-blacklist)
start_hemsd h "${CONF[@]}"
subscribe "http://127.0.0.1:$CONS_PORT_nm/nm" >/dev/null
inform D1 "$(alarm fatal-1 'Physical Violation' Critical NewAlarm 'Circuit modified' 'Unspecified reason')" || fail "D1"
inform D2 || fail "D2"
E1=$(urlenc "$D1") E2=$(urlenc "$D2")
CASE=$(fm GET "/nbi/v1/devices/$E1/cases" | json_get 'd["cases"][0]["caseId"]')

# measure DEVICE-ENC NAME REASON: request it; prints the measure id.
measure() { fm POST "/nbi/v1/devices/$1/measures" "{\"measure\": \"$2\", \"reason\": \"$3\"}" | json_get 'd["measureId"]'; }
mfield() { fm GET "/nbi/v1/devices/$1/measures/$2" | json_get "$3"; }
finished() { [ "$(mfield "$1" "$2" 'd["status"]')" != running ] && [ "$(mfield "$1" "$2" 'd["status"]')" != queued ]; }

# --- strongSwan adapter (exec, dry run): swanctl command line and deny list
M=$(measure "$E1" segw-blacklist "fatal: circuit modified")
[ "$(code)" = 202 ] || fail "segw-blacklist: HTTP $(code)"
wait_for 15 finished "$E1" "$M"
[ "$(mfield "$E1" "$M" 'd["status"]')" = succeeded ] || fail "segw-blacklist: $(mfield "$E1" "$M" 'd')"
[ "$(mfield "$E1" "$M" 'd["exitStatus"]')" = 0 ] || fail "exit status"
mfield "$E1" "$M" 'd["result"]' | grep -q "dry-run: swanctl --terminate --ike-id 7 --force" ||
	fail "swanctl command line: $(mfield "$E1" "$M" 'd["result"]')"
if mfield "$E1" "$M" 'd["result"]' | grep -q -- "--ike-id 8"; then fail "another HeNB's SA terminated"; fi
grep -q "^$D1  # measure $M by admin" "$T/deny.list" || fail "deny list: $(cat "$T/deny.list")"
IKE_REMOTE_ID="$D1" "$STRONGSWAN" --check --deny-list "$T/deny.list" 2>/dev/null && fail "ext-auth check lets D1 in"
IKE_REMOTE_ID="000FB7-Cavium%20eNB-OTHER" "$STRONGSWAN" --check --deny-list "$T/deny.list" || fail "check refuses others"
ok "strongSwan adapter: 'swanctl --terminate --ike-id 7 --force' for D1's IKE SA only, D1 on the deny list, ext-auth check refuses it"

# --- exec adapter: the request document, success, failure with exit status, timeout
M2=$(measure "$E1" gw-block "please fail")
wait_for 15 finished "$E1" "$M2"
[ "$(mfield "$E1" "$M2" 'd["status"]')" = failed ] || fail "failing adapter not failed"
[ "$(mfield "$E1" "$M2" 'd["exitStatus"]')" = 3 ] || fail "exit status 3 not recorded"
mfield "$E1" "$M2" 'd["result"]' | grep -q "gateway refused" || fail "adapter output not recorded"
python3 - "$T/req-$M2.json" "$D1" "$CASE" <<'EOF' || fail "request document: $(cat "$T/req-$M2.json")"
import json, sys
r = json.load(open(sys.argv[1]))
assert r["deviceId"] == sys.argv[2] and r["measure"] == "gw-block" and r["reason"] == "please fail", r
assert r["caseId"] == int(sys.argv[3]) and r["actor"] == "admin" and r["measureId"] > 0, r
assert r["device"]["serialNumber"] == "D1" and r["device"]["oui"] == "000FB7", r
EOF
M3=$(measure "$E1" gw-block "hang")
wait_for 15 finished "$E1" "$M3"
[ "$(mfield "$E1" "$M3" 'd["status"]')" = failed ] || fail "hanging adapter not failed"
mfield "$E1" "$M3" 'd["result"]' | grep -q "timed out after 2 s" || fail "timeout: $(mfield "$E1" "$M3" 'd["result"]')"
[ "$(mfield "$E1" "$M3" 'd["exitStatus"]')" = -1 ] || fail "killed adapter exit status"
M4=$(measure "$E1" gw-block "fraud confirmed")
wait_for 15 finished "$E1" "$M4"
[ "$(mfield "$E1" "$M4" 'd["status"]')" = succeeded ] || fail "gw-block"
mfield "$E1" "$M4" 'd["result"]' | grep -q "exit 0: blocked $D1 at the HeNB-GW" || fail "gw-block output"
ok "exec adapter: JSON request on stdin; exit 3 -> failed with status and output; 2 s timeout -> killed; exit 0 -> succeeded"

# --- webhook adapter: retried through the outbox until the receiver takes it
M5=$(measure "$E1" subscriber-notify "tell the subscriber to replace the HeNB")
[ "$(code)" = 202 ] || fail "webhook measure: HTTP $(code)"
wait_for 15 grep -q '"status": 500' "$T/hook.jsonl"
sleep 1
[ "$(mfield "$E1" "$M5" 'd["status"]')" = queued ] || fail "webhook refused but measure not queued"
rm -f "$T/hook.status"
wait_for 15 finished "$E1" "$M5"
[ "$(mfield "$E1" "$M5" 'd["status"]')" = succeeded ] || fail "webhook measure"
mfield "$E1" "$M5" 'd["result"]' | grep -q "answered HTTP 204" || fail "webhook result"
python3 - "$T/hook.jsonl" "$M5" "$D1" <<'EOF' || fail "webhook request"
import json, sys
ok = [json.loads(l) for l in open(sys.argv[1]) if json.loads(l)["status"] == 204]
assert len(ok) == 1, ok
b = ok[0]["body"]
assert b["notificationType"] == "notifyEnforcementRequest" and b["measureId"] == int(sys.argv[2]), b
assert b["deviceId"] == sys.argv[3] and b["measure"] == "subscriber-notify" and b["notificationId"] > 0, b
EOF
if grep -q notifyEnforcementRequest "$T/nm.jsonl"; then fail "NM received the webhook's own request"; fi
ok "webhook adapter: refused (500) -> retried from the outbox -> taken (204) -> succeeded; only the webhook gets it"

# --- every result in the case timeline and northbound
fm GET "/nbi/v1/cases/$CASE" >"$T/case"
python3 - "$T/case" "$T/nm.jsonl" "$M" "$M2" "$M3" "$M4" "$M5" <<'EOF' || fail "timeline / notifications"
import json, sys
rows = json.load(open(sys.argv[1]))["timeline"]
ids = [int(x) for x in sys.argv[3:]]
notes = [json.loads(l)["body"] for l in open(sys.argv[2])]
results = {b["measureId"]: b for b in notes if b["notificationType"] == "notifyEnforcementResult"}
expect = {ids[0]: "succeeded", ids[1]: "failed", ids[2]: "failed", ids[3]: "succeeded", ids[4]: "succeeded"}
for mid, status in expect.items():
    assert results[mid]["status"] == status, results[mid]
    assert any(("(%s) %s" % (results[mid]["adapter"], status)) in r["why"] and results[mid]["measure"] in r["why"]
               for r in rows), "no timeline row for measure %d" % mid
assert results[ids[1]]["exitStatus"] == 3, results[ids[1]]
assert sum("requested by admin" in r["why"] for r in rows) == 5, rows
EOF
ok "each result is a timeline row of D1's case and a notifyEnforcementResult (status, exit status, output)"

# --- policy: a device blocked at the HeMS is blacklisted at the SeGW by itself
fm PUT "/nbi/v1/devices/$E2/block" '{"reason": "stolen"}' >/dev/null
[ "$(code)" = 200 ] || fail "block D2: HTTP $(code)"
policy_done() { fm GET "/nbi/v1/devices/$E2/measures" | json_get 'd["measures"][0]["status"]' | grep -q succeeded; }
wait_for 15 policy_done
[ "$(fm GET "/nbi/v1/devices/$E2/measures" | json_get 'd["measures"][0]["actor"]')" = policy ] || fail "policy actor"
grep -q "^$D2 " "$T/deny.list" || fail "D2 not on the deny list"
if fake_cpe session --url "http://127.0.0.1:$HEMS_PORT/cwmp" --serial D2 2>/dev/null; then fail "blocked D2 served"; fi
ok "policy: notifyDeviceBlocked -> segw-blacklist run by 'policy'; D2 on the deny list and refused by the HeMS"

# --- across a crash: an exec measure running and a webhook measure undelivered are both finished afterwards
echo 500 >"$T/hook.status"
M6=$(measure "$E2" subscriber-notify "replace after theft")
M7=$(measure "$E1" gw-block "hang once more")
sleep 0.5
kill -KILL "$HEMS_PID_h"
wait "$HEMS_PID_h" 2>/dev/null || true
rm -f "$T/hook.status"
start_hemsd h "${CONF[@]}"
wait_for 20 finished "$E2" "$M6"
[ "$(mfield "$E2" "$M6" 'd["status"]')" = succeeded ] || fail "webhook measure after the crash"
wait_for 20 finished "$E1" "$M7"
mfield "$E1" "$M7" 'd["result"]' | grep -q "timed out" || fail "exec measure after the crash"
grep -q "event=measure_resumed measure=$M7" "$T/h.log" || fail "exec measure not resumed"
ok "hemsd killed -9: the undelivered webhook is delivered after the restart, the interrupted exec runs again"

# --- the strongSwan script on its own: idempotent, removable, per-HeNB connections
req="{\"measureId\": 1, \"deviceId\": \"$D1\", \"reason\": \"again\", \"device\": {\"serialNumber\": \"D1\"}}"
echo "$req" | "$STRONGSWAN" --dry-run --deny-list "$T/deny.list" --sas-file "$T/sas.txt" | grep -q "already on" ||
	fail "second blacklisting"
[ "$(grep -c "^$D1 " "$T/deny.list")" = 1 ] || fail "identity listed twice"
echo "$req" | "$STRONGSWAN" --dry-run --deny-list "$T/deny.list" --identity 'CN={serialNumber}' \
	--connection 'henb-{serialNumber}' >"$T/out"
grep -q "dry-run: swanctl --terminate --ike henb-D1 --force" "$T/out" || fail "per-HeNB connection: $(cat "$T/out")"
grep -q "^CN=D1 " "$T/deny.list" || fail "identity format"
echo "$req" | "$STRONGSWAN" --remove --deny-list "$T/deny.list" >/dev/null
if grep -q "^$D1 " "$T/deny.list"; then fail "--remove"; fi
IKE_REMOTE_ID="$D1" "$STRONGSWAN" --check --deny-list "$T/deny.list" || fail "removed identity still refused"
echo 'not json' | "$STRONGSWAN" --dry-run --deny-list "$T/deny.list" >/dev/null && fail "bad request accepted"
ok "enforce-strongswan: idempotent, --remove, --identity/--connection formats, bad input exit 2"
