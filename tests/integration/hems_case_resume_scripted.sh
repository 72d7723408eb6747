#!/usr/bin/env bash
# hems_case_resume_scripted: hemsd killed -9 at several points of a case continues it where it stood after a
# restart: waiting for the device's reboot (the awaited event survives), and with a task in flight (the step
# starts again). No completed step is repeated and no alarm is lost.
. "$(dirname "$0")/../lib/common.sh"

cat > "$T/policy" <<'POL'
rule reconfigure event_type="Integrity Violation" severity=Minor
rule diagnose-first
ladder reconfigure = configure | reboot, configure | factory-reset, configure
ladder reload-software = download
timeout step = 20
golden * Device.ManagementServer.PeriodicInformInterval = 3600 xsd:unsignedInt
POL
start_hemsd hems --set "hemsd.policy=$T/policy"
PORT=$HEMS_PORT
D=000FB7-Cavium%20eNB
restart_hemsd() {
	kill -9 "$HEMS_PID_hems"; wait "$HEMS_PID_hems" 2>/dev/null || true
	start_hemsd hems --set "hemsd.policy=$T/policy" --set "hemsd.listen_port=$PORT"
}

# Kill point 1: the case waits for the device's 1 BOOT after the Reboot; the device takes 3 s to boot.
start_device R1 --refuse-config 1 --boot-delay 3
raise R1 config
waiting_boot() { hemsctl case "$(case_of $D-R1)" | grep -q "waiting for 1 BOOT"; }
wait_for 30 waiting_boot
restart_hemsd
ok "hemsd killed -9 while the case waited for 1 BOOT, restarted"
resolved() { [ "$(case_field "$(case_of $D-$1)" 'd["state"]')" = resolved ]; }
wait_for 40 resolved R1
[ "$(grep -c '"method": "Reboot"' "$T/R1.cpe.log")" = 1 ] || fail "the Reboot was repeated"
[ "$(case_field "$(case_of $D-R1)" 'd["outcome"]')" = "reconfigure verified at rung 2" ] || fail "outcome"
ok "case resumed: the device's 1 BOOT continued it, rung 2 verified, Reboot sent once"

# Kill point 2: a task in flight: the device holds its answer to the read-back (GetParameterValues) while
# hemsd is killed; after the restart that task is failed (outcome unknown) and its step starts again.
start_device R2 --stall-on GetParameterValues --stall-seconds 2
raise R2 config
stalled() { grep -q '"what": "stalling"' "$T/R2.cpe.log"; }
wait_for 20 stalled
c=$(case_of $D-R2)
restart_hemsd
wait_for 40 resolved R2
hemsctl case "$c" | grep -q "hemsd restarted while GetParameterValues was in flight: the step starts again" ||
	fail "the restart of the step is not in the timeline"
[ "$(case_field "$c" 'd["outcome"]')" = "reconfigure verified at rung 1" ] || fail "outcome $(case_field "$c" 'd["outcome"]')"
ok "task in flight at the kill: failed with its reason, step restarted, verified at rung 1"
[ "$(hemsctl --json alarms "$D-R2" | json_get 'len(d["alarms"])')" = 1 ] || fail "alarm lost or duplicated"
ok "the alarm is stored exactly once"
