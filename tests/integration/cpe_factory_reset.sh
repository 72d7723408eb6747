#!/usr/bin/env bash
# cpe_factory_reset: FactoryReset brings henbd back to its factory configuration and state: the values the HeMS
# wrote, its objects and attributes are gone, ParameterKey is "", and the device bootstraps again (0 BOOTSTRAP)
# after a reboot of the same process.
. "$(dirname "$0")/libcpe.sh"

start_hemsd hems
ID=$(dev_id fr1)
cpe_start fr1 --set fap.tac=7
wait_for 20 informs_at_least "$ID" 1
CELL=Device.Services.FAPService.1.CellConfig.LTE.RAN.NeighborList.LTECell.
pid=$HENB_PID_fr1

task "$ID" SetParameterValues '{"values":[
	{"name":"Device.ManagementServer.DefaultActiveNotificationThrottle","value":"777","type":"xsd:unsignedInt"},
	{"name":"Device.DeviceInfo.ProvisioningCode","value":"custom","type":"xsd:string"},
	{"name":"Device.Services.FAPService.1.CellConfig.LTE.EPC.TAC","value":"99","type":"xsd:unsignedInt"}],
	"parameterKey":"before-reset"}'
expect_status done
task "$ID" AddObject "{\"objectName\":\"$CELL\",\"parameterKey\":\"before-reset-2\"}"
expect_status done
task "$ID" SetParameterAttributes '{"attributes":[{"name":"Device.ManagementServer.URL","notificationChange":true,
	"notification":1,"accessListChange":false,"accessList":[]}]}'
expect_status done
ok "configured: values, a neighbour row, an attribute, ParameterKey before-reset-2"

bootstraps() { grep -c 'event=inform .*events="0 BOOTSTRAP,1 BOOT"' "$T/hems.log" || true; }
[ "$(bootstraps)" = 1 ] || fail "expected one bootstrap so far"
task "$ID" FactoryReset '{}'
expect_status done
two() { [ "$(bootstraps)" -ge 2 ]; }
wait_for 20 two
kill -0 "$pid" || fail "henbd did not come back from the factory reset"
grep -q 'event=agent_start .* boots=1 bootstrap=yes factory=yes' "$T/fr1.log" ||
	fail "restart after reset: $(grep agent_start "$T/fr1.log" | tail -1)"
# The Inform of the bootstrap carried ParameterKey "" (hemsd caches the Inform's parameters).
grep -E 'event=inform .*events="0 BOOTSTRAP,1 BOOT"' "$T/hems.log" | tail -1
ok "FactoryReset -> reboot of the same process (pid $pid) -> 0 BOOTSTRAP, 1 BOOT"

task "$ID" GetParameterValues '{"names":["Device.ManagementServer.DefaultActiveNotificationThrottle","Device.DeviceInfo.ProvisioningCode",
	"Device.Services.FAPService.1.CellConfig.LTE.EPC.TAC","Device.Services.FAPService.1.CellConfig.LTE.RAN.NeighborList.LTECellNumberOfEntries"]}'
expect_status done
[ "$(tj '",".join(p["value"] for p in d["result"]["parameters"])')" = "0,,7,0" ] ||
	fail "values after the reset: $(cat "$T/task.json")"
task "$ID" GetParameterAttributes '{"names":["Device.ManagementServer.URL"]}'
[ "$(tj 'd["result"]["attributes"][0]["notification"]')" = 0 ] || fail "attribute survived the reset"
task "$ID" AddObject "{\"objectName\":\"$CELL\",\"parameterKey\":\"\"}"
[ "$(tj 'd["result"]["instanceNumber"]')" = 1 ] || fail "instance numbering did not restart"
ok "values back to the configuration (TAC 7 from fap.tac), no rows, default attributes, numbering from 1"

# ParameterKey: "" in the Inform of the bootstrap after the reset (hemsd then provisions with its own key).
grep 'event=session_start events="0 BOOTSTRAP,1 BOOT"' "$T/fr1.log" | tail -1 | grep -q 'parameter_key=""' ||
	fail "ParameterKey in the bootstrap Inform: $(grep 'events="0 BOOTSTRAP' "$T/fr1.log" | tail -1)"
grep 'event=session_start' "$T/fr1.log" | grep -q 'parameter_key="before-reset-2"' || fail "ParameterKey before the reset"
ok "ParameterKey before-reset-2 before, \"\" in the bootstrap Inform after the reset"
sanitizers_clean
ok "factory reset"
