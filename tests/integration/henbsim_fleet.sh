#!/usr/bin/env bash
# henbsim_fleet: henbsim runs a fleet of henbd agents in one process against a real hemsd. Every device
# registers under its own identity; the shared connection request listener routes hemsd's Digest-signed
# requests to the right device (a queued task is answered by that device alone); a case switch opened on a
# share of the fleet reaches hemsd as one security alarm and one case per tampered device, none elsewhere;
# a dropped share is counted while the rest keeps informing; the summary (text, JSON, timeline) says so.
. "$(dirname "$0")/libcpe.sh"

N=40
start_hemsd hems
"$LF_BIN/henbsim" --acs "http://127.0.0.1:$HEMS_PORT/cwmp" -n "$N" --dir "$T/fleet" --rate 200 \
	--set acs.second_ms=100 --set acs.periodic_inform_interval=30 --set monitor.debounce=1 \
	--tamper 0.25:case:6 --drop 0.1:20 --duration 40 --json "$T/sim.json" --timeline "$T/sim.tl" \
	>"$T/sim.out" 2>"$T/sim.log" &
SIM=$!
PIDS+=("$SIM")

n_devices() { hemsctl --json devices | json_get 'len(d["devices"])'; }
all_in() { [ "$(n_devices)" -ge "$N" ]; }
wait_for 60 all_in
ok "$N simulated devices registered with hemsd"

# Each device's connection request URL is its own path on the one shared listener.
url=$(hemsctl --json device "$(dev_id SIM000007)" | json_get 'd["connectionRequestUrl"]')
case "$url" in http://127.0.0.1:*/cr/7) ;; *) fail "ConnectionRequestURL of device 7: '$url'" ;; esac
code=$(curl -s -o /dev/null -w '%{http_code}' "$url")
[ "$code" = 401 ] || fail "unauthenticated connection request got HTTP $code"
base=${url%/cr/7}
for bad in /cr/ /cr/+7 /cr/7x "/cr/%207" /cr/999999 /other; do
	code=$(curl -s -o /dev/null -w '%{http_code}' "$base$bad")
	[ "$code" = 404 ] || fail "connection request to $bad got HTTP $code, expected 404"
done
# hemsd's Digest connection request wakes device 7 (and only it answers the task).
task "$(dev_id SIM000007)" GetParameterValues '{"names":["Device.DeviceInfo.SerialNumber"]}'
expect_status done
[ "$(tj 'd["result"]["parameters"][0]["value"]')" = SIM000007 ] || fail "task answered by: $(cat "$T/task.json")"
ok "connection request through the shared listener: device 7 answered with its own serial number"

# The tampered share: one case per device with an opened case, on exactly those devices.
has_cases() { [ "$(hemsctl --json cases | json_get 'len(d["cases"])')" -ge 1 ]; }
wait_for 60 has_cases
wait_for 60 test -s "$T/sim.json"
sim() { json_get "$1" <"$T/sim.json"; }
[ "$(sim 'd["registered"]')" = "$N" ] || fail "registered: $(cat "$T/sim.json")"
nt=$(sim 'd["tampered"]')
[ "$nt" -ge 1 ] || fail "nobody tampered: $(cat "$T/sim.json")"
[ "$(sim 'd["alarms_delivered"]')" = "$nt" ] || fail "alarms delivered vs tampered: $(cat "$T/sim.json")"
hemsctl --json cases | python3 -c '
import json, sys
cases = json.load(sys.stdin)["cases"]
devs = sorted({c["deviceId"] for c in cases})
assert len(devs) == len(cases), "more than one case per device: %s" % cases
print(" ".join(devs))' >"$T/case_devs" || fail "cases: $(hemsctl --json cases)"
[ "$(wc -w <"$T/case_devs")" = "$nt" ] || fail "$nt devices tampered, cases on: $(cat "$T/case_devs")"
for d in $(cat "$T/case_devs"); do
	[ -f "$T/fleet/${d##*-}/device/case" ] && grep -q open "$T/fleet/${d##*-}/device/case" ||
		fail "case opened on $d whose case switch is closed"
done
ok "$nt devices with their case switch opened -> $nt alarms delivered, one case each, on exactly those devices"

# Dropped devices: counted, and the rest of the fleet kept informing.
[ "$(sim 'd["dropped"]')" -ge 1 ] || fail "nobody dropped: $(cat "$T/sim.json")"
[ "$(sim 'd["sessions_failed"]')" = 0 ] || fail "failed sessions: $(cat "$T/sim.json")"
grep -q 'sessions .* good' "$T/sim.out" && grep -q 'tamper to alarm .*p99=' "$T/sim.out" || fail "summary: $(cat "$T/sim.out")"
[ "$(grep -vc '^#' "$T/sim.tl")" -ge 30 ] || fail "timeline: $(cat "$T/sim.tl")"
ok "summary: $(sim 'd["sessions_ok"]') good sessions, $(sim 'd["dropped"]') dropped, timeline of $(grep -vc '^#' "$T/sim.tl") s"
