#!/usr/bin/env bash
# acs_restart_keeps_tasks: queued tasks are persisted: hemsd killed -9 and restarted runs them in the device's next
# session, in order; a task that was in flight when hemsd died is marked failed with the reason, not lost or
# silently repeated.
. "$(dirname "$0")/../lib/common.sh"

start_hemsd hems --set hemsd.session_timeout=2
URL="http://127.0.0.1:$HEMS_PORT/cwmp"
ID="000FB7-Cavium%20eNB-RST0001"
fake_cpe session --url "$URL" --serial RST0001 --events "0 BOOTSTRAP" --log "$T/cpe.log"

inflight=$(hemsctl task add "$ID" Reboot '{"commandKey":"r1"}')
t1=$(hemsctl task add "$ID" GetParameterValues '{"names":["Device.DeviceInfo.HardwareVersion"]}')
t2=$(hemsctl task add "$ID" SetParameterValues '{"values":[{"name":"Device.ManagementServer.PeriodicInformInterval","value":"300"}]}')
# The device vanishes right after receiving the first task: it stays "sent".
fake_cpe session --url "$URL" --serial RST0001 --drop-after Reboot --log "$T/cpe.log"
[ "$(task_field "$inflight" 'd["status"]')" = sent ] || fail "in-flight task is $(task_field "$inflight" 'd["status"]')"

kill -9 "$HEMS_PID_hems"; wait "$HEMS_PID_hems" 2>/dev/null || true
ok "hemsd killed -9 with one task in flight and two queued"
start_hemsd hems --set "hemsd.listen_port=$HEMS_PORT" --set hemsd.session_timeout=2
[ "$(task_field "$inflight" 'd["status"]')" = failed ] || fail "in-flight task after restart: $(task_field "$inflight" 'd["status"]')"
task_field "$inflight" 'd["note"]' | grep -q "hemsd restarted" || fail "no reason on the failed task"
[ "$(task_field "$t1" 'd["status"]')" = queued ] && [ "$(task_field "$t2" 'd["status"]')" = queued ] || fail "queued tasks lost"
ok "after restart: in-flight task failed ('$(task_field "$inflight" 'd["note"]')'), queued ones still queued"

: > "$T/cpe2.log"
fake_cpe session --url "$URL" --serial RST0001 --log "$T/cpe2.log"
[ "$(task_field "$t1" 'd["status"]')" = done ] && [ "$(task_field "$t2" 'd["status"]')" = done ] || fail "queued tasks not run"
order=$(python3 -c '
import json
print(" ".join(json.loads(l)["method"] for l in open("'"$T/cpe2.log"'") if json.loads(l)["what"] == "request"))')
[ "$order" = "GetParameterValues SetParameterValues" ] || fail "order after restart: $order (the failed Reboot must not be resent)"
ok "queued tasks ran in order in the next session; the failed one was not repeated"

# A session that simply goes quiet: its task in flight fails when the session times out.
t3=$(hemsctl task add "$ID" GetRPCMethods '{}')
fake_cpe session --url "$URL" --serial RST0001 --drop-after GetRPCMethods --log "$T/cpe.log"
# Expiry is checked on the requests hemsd handles: poke it while waiting.
timed_out() {
	curl -s -o /dev/null "http://127.0.0.1:$HEMS_PORT/metrics"
	[ "$(task_field "$t3" 'd["status"]')" = failed ]
}
wait_for 15 timed_out
task_field "$t3" 'd["note"]' | grep -q "timed out" || fail "reason: $(task_field "$t3" 'd["note"]')"
ok "task of a session that went quiet: failed ('$(task_field "$t3" 'd["note"]')')"
