#!/usr/bin/env bash
# cpe_all_rpcs: every CPE RPC through hemsd's task queue (connectNow: HTTP connection request, then the RPC in
# the session it opens) with the results and the 900x faults the standard asks for.
. "$(dirname "$0")/libcpe.sh"

start_hemsd hems
ID=$(dev_id rpc1)
cpe_start rpc1
wait_for 20 informs_at_least "$ID" 1
ok "registered: $(last_events "$ID")"
CELL=Device.Services.FAPService.1.CellConfig.LTE.RAN.NeighborList.LTECell.

# GetRPCMethods
task "$ID" GetRPCMethods '{}'
expect_status done
[ "$(tj 'len(d["result"]["methods"])')" = 12 ] || fail "GetRPCMethods: $(cat "$T/task.json")"
tj '" ".join(d["result"]["methods"])' | grep -q "ScheduleInform" || fail "no ScheduleInform in the method list"
ok "GetRPCMethods lists the 12 methods"

# GetParameterValues: full names and partial paths; a bad name is 9005
task "$ID" GetParameterValues '{"names":["Device.DeviceInfo.SoftwareVersion","Device.ManagementServer."]}'
expect_status done
[ "$(tj 'd["result"]["parameters"][0]["value"]')" = 0.1.0 ] || fail "SoftwareVersion"
n=$(tj 'len(d["result"]["parameters"])')
[ "$n" -gt 15 ] || fail "partial path Device.ManagementServer. gave $n parameters"
[ "$(tj '[p["type"] for p in d["result"]["parameters"] if p["name"].endswith("PeriodicInformInterval")][0]')" = xsd:unsignedInt ] ||
	fail "types not carried"
[ "$(tj '[p["value"] for p in d["result"]["parameters"] if p["name"].endswith("ConnectionRequestPassword")][0]')" = "" ] ||
	fail "a password was readable"
task "$ID" GetParameterValues '{"names":["Device.DeviceInfo.NoSuchThing"]}'
expect_status fault
[ "$(tj 'd["fault"]["code"]')" = 9005 ] || fail "unknown name: $(cat "$T/task.json")"
ok "GetParameterValues: full name, partial path ($n parameters), 9005"

# GetParameterNames: NextLevel semantics
task "$ID" GetParameterNames '{"path":"Device.","nextLevel":true}'
expect_status done
tj '[p["name"] for p in d["result"]["parameters"]]' | grep -q "'Device.FaultMgmt.'" || fail "Device. next level"
[ "$(tj 'any(p["name"]=="Device.DeviceInfo.Manufacturer" for p in d["result"]["parameters"])')" = False ] ||
	fail "NextLevel true went deeper"
task "$ID" GetParameterNames "{\"path\":\"$CELL\",\"nextLevel\":false}"
[ "$(tj 'd["result"]["parameters"][0]["writable"]')" = True ] || fail "the neighbour table is not writable"
task "$ID" GetParameterNames '{"path":"Device.ManagementServer.URL","nextLevel":true}'
expect_status fault
[ "$(tj 'd["fault"]["code"]')" = 9003 ] || fail "a parameter with NextLevel true: $(cat "$T/task.json")"
ok "GetParameterNames: next level, whole subtree, 9003 for a parameter with NextLevel"

# SetParameterValues: one fault per bad entry, nothing applied; then success and ParameterKey
task "$ID" GetParameterValues '{"names":["Device.ManagementServer.PeriodicInformInterval","Device.ManagementServer.ParameterKey"]}'
before=$(tj '",".join(p["value"] for p in d["result"]["parameters"])')
task "$ID" SetParameterValues '{"values":[
	{"name":"Device.ManagementServer.PeriodicInformInterval","value":"600","type":"xsd:unsignedInt"},
	{"name":"Device.ManagementServer.NoSuch","value":"1","type":"xsd:string"},
	{"name":"Device.ManagementServer.PeriodicInformEnable","value":"true","type":"xsd:string"},
	{"name":"Device.ManagementServer.CWMPRetryMinimumWaitInterval","value":"0","type":"xsd:unsignedInt"},
	{"name":"Device.DeviceInfo.Manufacturer","value":"x","type":"xsd:string"}],"parameterKey":"bad"}'
expect_status fault
[ "$(tj 'd["fault"]["code"]')" = 9003 ] || fail "SPV fault code"
[ "$(tj 'sorted(f["code"] for f in d["fault"]["parameterFaults"])')" = "[9005, 9006, 9007, 9008]" ] ||
	fail "SPV parameter faults: $(cat "$T/task.json")"
task "$ID" GetParameterValues '{"names":["Device.ManagementServer.PeriodicInformInterval","Device.ManagementServer.ParameterKey"]}'
[ "$(tj '",".join(p["value"] for p in d["result"]["parameters"])')" = "$before" ] || fail "a failed SPV changed something"
task "$ID" SetParameterValues '{"values":[
	{"name":"Device.ManagementServer.PeriodicInformInterval","value":"5000","type":"xsd:unsignedInt"},
	{"name":"Device.Services.FAPService.1.CellConfig.LTE.EPC.TAC","value":"4242","type":"xsd:unsignedInt"}],"parameterKey":"pk-1"}'
expect_status done
[ "$(tj 'd["result"]["status"]')" = 0 ] || fail "SPV status"
task "$ID" GetParameterValues '{"names":["Device.ManagementServer.PeriodicInformInterval","Device.ManagementServer.ParameterKey","Device.Services.FAPService.1.CellConfig.LTE.EPC.TAC"]}'
[ "$(tj '",".join(p["value"] for p in d["result"]["parameters"])')" = "5000,pk-1,4242" ] ||
	fail "SPV not applied: $(cat "$T/task.json")"
ok "SetParameterValues: 9003 with 9005/9006/9007/9008 and nothing applied; then applied with ParameterKey"

# Set/GetParameterAttributes
task "$ID" SetParameterAttributes '{"attributes":[{"name":"Device.ManagementServer.PeriodicInformInterval",
	"notificationChange":true,"notification":1,"accessListChange":true,"accessList":["Subscriber"]}]}'
expect_status done
task "$ID" GetParameterAttributes '{"names":["Device.ManagementServer.PeriodicInformInterval"]}'
[ "$(tj 'd["result"]["attributes"][0]["notification"]')" = 1 ] || fail "GPA notification"
[ "$(tj 'd["result"]["attributes"][0]["accessList"]')" = "['Subscriber']" ] || fail "GPA access list"
task "$ID" SetParameterAttributes '{"attributes":[{"name":"Device.DeviceInfo.UpTime","notificationChange":true,
	"notification":2,"accessListChange":false,"accessList":[]}]}'
expect_status fault
[ "$(tj 'd["fault"]["code"]')" = 9009 ] || fail "active notification on UpTime: $(cat "$T/task.json")"
ok "Set/GetParameterAttributes; 9009 for Active on a canDeny parameter"

# AddObject / DeleteObject
task "$ID" AddObject "{\"objectName\":\"$CELL\",\"parameterKey\":\"add-1\"}"
expect_status done
[ "$(tj 'd["result"]["instanceNumber"]')" = 1 ] || fail "first instance"
task "$ID" AddObject "{\"objectName\":\"$CELL\",\"parameterKey\":\"add-2\"}"
[ "$(tj 'd["result"]["instanceNumber"]')" = 2 ] || fail "second instance"
task "$ID" DeleteObject "{\"objectName\":\"${CELL}1.\",\"parameterKey\":\"del-1\"}"
expect_status done
task "$ID" AddObject "{\"objectName\":\"$CELL\",\"parameterKey\":\"add-3\"}"
[ "$(tj 'd["result"]["instanceNumber"]')" = 3 ] || fail "instance numbers reused"
task "$ID" GetParameterValues '{"names":["Device.Services.FAPService.1.CellConfig.LTE.RAN.NeighborList.LTECellNumberOfEntries","Device.ManagementServer.ParameterKey"]}'
[ "$(tj '",".join(p["value"] for p in d["result"]["parameters"])')" = "2,add-3" ] || fail "after add/delete: $(cat "$T/task.json")"
task "$ID" AddObject '{"objectName":"Device.FaultMgmt.CurrentAlarm.","parameterKey":""}'
expect_status fault
[ "$(tj 'd["fault"]["code"]')" = 9005 ] || fail "AddObject on a read-only table"
task "$ID" DeleteObject "{\"objectName\":\"${CELL}1.\",\"parameterKey\":\"\"}"
expect_status fault
[ "$(tj 'd["fault"]["code"]')" = 9005 ] || fail "DeleteObject of a deleted row"
ok "AddObject 1, 2, delete 1, AddObject 3 (never reused); 9005 for read-only tables and missing rows"

# ScheduleInform: 3 SCHEDULED + M ScheduleInform after DelaySeconds
before=$(informs "$ID")
task "$ID" ScheduleInform '{"delaySeconds":2,"commandKey":"sched-1"}'
expect_status done
scheduled() { grep -q 'event=session_start events="3 SCHEDULED,M ScheduleInform"' "$T/rpc1.log"; }
wait_for 10 scheduled
task "$ID" ScheduleInform '{"delaySeconds":0,"commandKey":""}'
expect_status fault
[ "$(tj 'd["fault"]["code"]')" = 9003 ] || fail "ScheduleInform with DelaySeconds 0"
ok "ScheduleInform: 3 SCHEDULED + M ScheduleInform; 9003 for DelaySeconds 0"

# Download: Status 1, then a TransferComplete (7 TRANSFER COMPLETE + M Download) with the hook's fault
task "$ID" Download '{"commandKey":"dl-1","fileType":"1 Firmware Upgrade Image","url":"http://127.0.0.1:1/fw.img",
	"username":"","password":"","fileSize":0,"targetFileName":"","delaySeconds":0}'
[ "$(tj 'd["result"]["status"]')" = 1 ] || fail "Download status: $(cat "$T/task.json")"
tc() { grep -q 'event=transfer_complete device=.* command_key="dl-1" fault=9010' "$T/hems.log"; }
wait_for 20 tc
grep -q 'events="7 TRANSFER COMPLETE,M Download"' "$T/rpc1.log" || fail "TransferComplete session events"
task "$ID" Download '{"commandKey":"dl-2","fileType":"2 Web Content","url":"http://127.0.0.1:1/x",
	"username":"","password":"","fileSize":0,"targetFileName":"","delaySeconds":0}'
expect_status fault
[ "$(tj 'd["fault"]["code"]')" = 9003 ] || fail "Download of an unsupported file type"
ok "Download: Status 1, TransferComplete fault 9010 delivered with 7 TRANSFER COMPLETE + M Download; 9003"

# Reboot: the same process re-executes itself; 1 BOOT + M Reboot with the CommandKey
pid=$HENB_PID_rpc1
before=$(informs "$ID")
task "$ID" Reboot '{"commandKey":"rb-1"}'
expect_status done
rebooted() { grep -q 'events="1 BOOT,M Reboot"' "$T/rpc1.log"; }
wait_for 20 rebooted
wait_for 20 informs_at_least "$ID" $((before + 2))
kill -0 "$pid" || fail "henbd did not survive its reboot"
[ "$(grep -c 'event=agent_start' "$T/rpc1.log")" -ge 2 ] || fail "no second start"
grep -q 'event=agent_start .* boots=2 bootstrap=no' "$T/rpc1.log" || fail "second start should be boots=2 without bootstrap"
# persisted across the reboot: values, ParameterKey, attributes, instance numbers
task "$ID" GetParameterValues '{"names":["Device.ManagementServer.PeriodicInformInterval","Device.ManagementServer.ParameterKey"]}'
[ "$(tj '",".join(p["value"] for p in d["result"]["parameters"])')" = "5000,add-3" ] || fail "lost over the reboot"
task "$ID" AddObject "{\"objectName\":\"$CELL\",\"parameterKey\":\"add-4\"}"
[ "$(tj 'd["result"]["instanceNumber"]')" = 4 ] || fail "instance numbers did not survive the reboot"
ok "Reboot: re-exec (pid $pid), 1 BOOT + M Reboot, state kept"

kill -0 "$HEMS_PID_hems" || fail "hemsd died"
# Under the launcher (henb-boot sets LF_BOOT_SLOT) a reboot is exit status 10, after the state is saved.
export LF_BOOT_SLOT=A
ID2=$(dev_id rpc2)
cpe_start rpc2
unset LF_BOOT_SLOT
wait_for 20 informs_at_least "$ID2" 1
task "$ID2" Reboot '{"commandKey":"rb-launcher"}'
expect_status done
set +e
wait "$HENB_PID_rpc2"
status=$?
set -e
[ "$status" = 10 ] || fail "exit status $status under the launcher, expected 10"
grep -q '^s reboot_key rb-launcher$' "$T/rpc2/henbd.state" || fail "M Reboot not persisted before the exit"
ok "under the launcher: Reboot -> exit status 10 with M Reboot (rb-launcher) persisted"

sanitizers_clean
ok "all CPE RPCs answered"
