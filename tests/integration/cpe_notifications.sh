#!/usr/bin/env bash
# cpe_notifications: value change notification. A device-side change of an Active parameter opens a session at
# once with 4 VALUE CHANGE and the new value; a Passive one waits for the next Inform; changes the ACS makes
# itself are not notified back; DefaultActiveNotificationThrottle spaces the sessions that only notify.
# The device-side change is real: the S1 link file of the HAL flips FAPControl.LTE.OpState and RFTxStatus.
. "$(dirname "$0")/libcpe.sh"

start_hemsd hems
ID=$(dev_id not1)
cpe_start not1
wait_for 20 informs_at_least "$ID" 1
LTE=Device.Services.FAPService.1.FAPControl.LTE
vc_sessions() { grep -c 'event=session_start events="[^"]*4 VALUE CHANGE' "$T/not1.log" || true; }
rf() { cat "$T/not1/device/rf_tx"; }
[ "$(rf)" = off ] || fail "RF on without an S1 link"

# 1. Active (OpState and RFTxStatus are forceDefaultEnabled: Active from the factory).
n=$(vc_sessions)
echo up >"$T/not1/device/s1_link"
more() { [ "$(vc_sessions)" -gt "$n" ]; }
wait_for 10 more
grep 'event=session_start events="4 VALUE CHANGE"' "$T/not1.log" | tail -1 | grep -q 'changed=2' ||
	fail "the session should carry OpState and RFTxStatus: $(grep 'VALUE CHANGE' "$T/not1.log" | tail -1)"
op_true() { [ "$(cached_param "$ID" "$LTE.OpState")" = true ]; }
wait_for 10 op_true
[ "$(cached_param "$ID" "$LTE.RFTxStatus")" = true ] || fail "RFTxStatus not reported"
[ "$(rf)" = on ] || fail "the HAL's rf_tx was not switched on"
ok "active: S1 up -> immediate session with 4 VALUE CHANGE, OpState/RFTxStatus true, rf_tx on"

# 2. The ACS's own change of an Active parameter is not notified back.
task "$ID" SetParameterValues '{"values":[{"name":"Device.DeviceInfo.ProvisioningCode","value":"by-acs","type":"xsd:string"}],"parameterKey":"p1"}'
expect_status done
n=$(vc_sessions)
sleep 1.5
[ "$(vc_sessions)" = "$n" ] || fail "a change made by the ACS was notified"
ok "SetParameterValues on a forceEnabled parameter: no notification back"

# 3. Passive: the change waits for the next Inform (here the one a connection request opens).
task "$ID" SetParameterAttributes "{\"attributes\":[
	{\"name\":\"$LTE.OpState\",\"notificationChange\":true,\"notification\":1,\"accessListChange\":false,\"accessList\":[]},
	{\"name\":\"$LTE.RFTxStatus\",\"notificationChange\":true,\"notification\":1,\"accessListChange\":false,\"accessList\":[]}]}"
expect_status done
n=$(vc_sessions)
echo down >"$T/not1/device/s1_link"
off() { [ "$(rf)" = off ]; }
wait_for 10 off
sleep 1.5
[ "$(vc_sessions)" = "$n" ] || fail "a passive change opened a session"
[ "$(cached_param "$ID" "$LTE.OpState")" = true ] || fail "hemsd heard of the passive change too early"
task "$ID" GetParameterValues '{"names":["Device.DeviceInfo.UpTime"]}'
carried() { grep -q 'event=inform .*events="4 VALUE CHANGE,6 CONNECTION REQUEST"' "$T/hems.log"; }
wait_for 10 carried
op_false() { [ "$(cached_param "$ID" "$LTE.OpState")" = false ]; }
wait_for 10 op_false
ok "passive: S1 down -> no session; the next Inform (6 CONNECTION REQUEST) carries 4 VALUE CHANGE and OpState false"

# 4. Throttle: a session only for an Active change waits DefaultActiveNotificationThrottle (30 s = 3 s here)
#    after the end of the last session.
task "$ID" SetParameterValues '{"values":[{"name":"Device.ManagementServer.DefaultActiveNotificationThrottle","value":"30","type":"xsd:unsignedInt"}],"parameterKey":"p2"}'
expect_status done
task "$ID" SetParameterAttributes "{\"attributes\":[{\"name\":\"$LTE.OpState\",\"notificationChange\":true,\"notification\":2,\"accessListChange\":false,\"accessList\":[]}]}"
expect_status done
wait_for 10 idle not1
n=$(vc_sessions)
echo up >"$T/not1/device/s1_link"
wait_for 15 more
python3 - "$T/not1.log" <<'PY' || fail "throttle not respected"
import re, sys, datetime
def t(line):
    return datetime.datetime.strptime(re.search(r"ts=(\S+)Z", line).group(1), "%Y-%m-%dT%H:%M:%S.%f")
lines = open(sys.argv[1]).read().splitlines()
start = max(i for i, l in enumerate(lines) if 'event=session_start events="4 VALUE CHANGE"' in l)
end = max(i for i in range(start) if "event=session_ok" in lines[i])
gap = (t(lines[start]) - t(lines[end])).total_seconds()
print("ok: throttled session started %.2f s after the end of the previous one" % gap)
sys.exit(0 if 2.9 <= gap <= 6 else 1)
PY
ok "throttle: the notify-only session waited DefaultActiveNotificationThrottle"

sanitizers_clean
ok "notifications"
