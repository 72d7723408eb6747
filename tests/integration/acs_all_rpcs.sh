#!/usr/bin/env bash
# acs_all_rpcs: every CPE method can be queued through the NBI, is sent in the device's next session in queue
# order, and its response (or CWMP fault) is stored with times; TransferComplete is matched to its Download by
# CommandKey; bad task arguments are refused when queued. The CPE is the scripted peer tests/lib/fake_cpe.py.
. "$(dirname "$0")/../lib/common.sh"

start_hemsd hems
URL="http://127.0.0.1:$HEMS_PORT/cwmp"
ID="000FB7-Cavium%20eNB-RPC0001"
fake_cpe session --url "$URL" --serial RPC0001 --events "0 BOOTSTRAP,1 BOOT" --log "$T/cpe.log"
hemsctl devices | grep -q "$ID" || fail "device not registered"

declare -A TASK
add() { TASK[$1]=$(hemsctl task add "$ID" "$2" "$3"); }
add gpc GetRPCMethods '{}'
add gpv GetParameterValues '{"names":["Device.DeviceInfo.SoftwareVersion","Device.DeviceInfo.UpTime"]}'
add spv SetParameterValues '{"values":[{"name":"Device.ManagementServer.PeriodicInformInterval","value":"60","type":"xsd:unsignedInt"}],"parameterKey":"k1"}'
add spv_bad SetParameterValues '{"values":[{"name":"Device.DeviceInfo.ReadOnlyThing","value":"x"}]}'
add gpn GetParameterNames '{"path":"Device.DeviceInfo.","nextLevel":true}'
add gpa GetParameterAttributes '{"names":["Device.DeviceInfo.SoftwareVersion"]}'
add spa SetParameterAttributes '{"attributes":[{"name":"Device.DeviceInfo.SoftwareVersion","notificationChange":true,"notification":2}]}'
add add AddObject '{"objectName":"Device.FaultMgmt.X_Test.","parameterKey":"k2"}'
add del DeleteObject '{"objectName":"Device.FaultMgmt.X_Test.3.","parameterKey":"k3"}'
add dl Download '{"commandKey":"dl-1","fileType":"1 Firmware Upgrade Image","url":"http://127.0.0.1/files/img","fileSize":1234}'
add si ScheduleInform '{"delaySeconds":30,"commandKey":"si-1"}'
add reboot Reboot '{"commandKey":"rb-1"}'
add fr FactoryReset '{}'
for k in "${!TASK[@]}"; do
	[ "$(task_field "${TASK[$k]}" 'd["status"]')" = queued ] || fail "task $k not queued"
done
ok "13 tasks queued"

fake_cpe session --url "$URL" --serial RPC0001 --events "2 PERIODIC" --log "$T/cpe2.log"

# The device saw the requests in queue order (registration's provisioning ran in the first session).
order=$(python3 -c '
import json
for l in open("'"$T/cpe2.log"'"):
    e = json.loads(l)
    if e["what"] == "request": print(e["method"])' | tr '\n' ' ')
expect="GetRPCMethods GetParameterValues SetParameterValues SetParameterValues GetParameterNames GetParameterAttributes SetParameterAttributes AddObject DeleteObject Download ScheduleInform Reboot FactoryReset "
[ "$order" = "$expect" ] || fail "requests in order: $order"
ok "requests sent in queue order"
grep -q '"id": "task-' "$T/cpe2.log" || fail "cwmp:ID of a task request is not task-<id>"

for k in "${!TASK[@]}"; do
	st=$(task_field "${TASK[$k]}" 'd["status"]')
	want=done
	[ "$k" = spv_bad ] && want=fault
	[ "$st" = "$want" ] || fail "task $k status $st, want $want"
	[ "$(task_field "${TASK[$k]}" 'd["sent"] > 0 and d["completed"] >= d["sent"]')" = True ] || fail "task $k times"
done
ok "every task answered and timed"

[ "$(task_field "${TASK[gpv]}" 'd["result"]["parameters"][0]["value"]')" = value-of-SoftwareVersion ] || fail "GPV result"
[ "$(task_field "${TASK[gpc]}" 'len(d["result"]["methods"])')" = 5 ] || fail "GetRPCMethods result"
[ "$(task_field "${TASK[spv]}" 'd["result"]["status"]')" = 0 ] || fail "SPV result"
[ "$(task_field "${TASK[spv_bad]}" 'd["fault"]["code"]')" = 9003 ] || fail "SPV fault code"
[ "$(task_field "${TASK[spv_bad]}" 'd["fault"]["parameterFaults"][0]["code"]')" = 9008 ] || fail "SPV parameter fault"
[ "$(task_field "${TASK[gpn]}" '[p["writable"] for p in d["result"]["parameters"]]')" = "[True, False]" ] || fail "GPN result"
[ "$(task_field "${TASK[gpa]}" 'd["result"]["attributes"][0]["notification"]')" = 2 ] || fail "GPA result"
[ "$(task_field "${TASK[add]}" 'd["result"]["instanceNumber"]')" = 7 ] || fail "AddObject result"
[ "$(task_field "${TASK[dl]}" 'd["result"]["status"]')" = 1 ] || fail "Download result"
ok "results stored: GPV values, RPC methods, SPV status and per-parameter faults, GPN, GPA, AddObject, Download"

# The Download's outcome arrives in a later session's TransferComplete, matched by CommandKey.
fake_cpe session --url "$URL" --serial RPC0001 --events "7 TRANSFER COMPLETE,M Download" --command-key dl-1 \
	--transfer-complete --log "$T/cpe.log"
[ "$(task_field "${TASK[dl]}" 'd["result"]["transferComplete"]["faultCode"]')" = 0 ] || fail "TransferComplete not matched"
ok "TransferComplete matched to Download dl-1"

# Bad arguments are refused at queue time, naming the problem.
if hemsctl task add "$ID" GetParameterValues '{"names":"Device."}' 2>"$T/err"; then fail "bad args accepted"; fi
grep -q "args.names must be an array" "$T/err" || fail "bad args message: $(cat "$T/err")"
if hemsctl task add "$ID" Frobnicate '{}' 2>"$T/err"; then fail "unknown method accepted"; fi
grep -q "not a CPE method" "$T/err" || fail "unknown method message: $(cat "$T/err")"
if hemsctl task add "no-such-device" GetRPCMethods '{}' 2>"$T/err"; then fail "unknown device accepted"; fi
ok "bad arguments, unknown methods and unknown devices refused at queue time"
hemsctl tasks "$ID" | head -5

# Secrets do not leave hemsd northbound: the provisioned connection request password is hidden in task listings.
hemsctl --json tasks "$ID" | grep -q '"(hidden)"' || fail "the provisioning task's password is shown"
if hemsctl --json tasks "$ID" | python3 -c '
import json, sys
d = json.load(sys.stdin)
for t in d["tasks"]:
    for v in t["args"].get("values", []):
        if v["name"].endswith("ConnectionRequestPassword") and v["value"] != "(hidden)":
            sys.exit(0)
sys.exit(1)'; then fail "a password in clear"; fi
ok "secret parameter values are hidden in task listings"

