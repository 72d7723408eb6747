#!/usr/bin/env bash
# scenario_fatal_shutdown: fatal security breach, HeNB side (5.7.2.3). henbd runs under henb-boot from a signed
# slot with its cell on air; the antenna is swapped. It reports the alarm (hemsd stores it and waits for NM
# instructions), gets the InformResponse, closes the session, then shuts down through the HAL: RF off first,
# services stopped, the reason persisted (boot state shutdown flag and protected storage): henbd exits 11,
# henb-boot stops, and the device stays down at the next boot. With the HeMS unreachable the report is given
# up after monitor.fatal_report_timeout and the HeNB shuts down all the same.
. "$(dirname "$0")/libdetect.sh"

start_hemsd hems
ID=$(dev_id fat1)
make_image 1.0 "$T/v1.lfi"
DEV="$T/dev"
provision "$DEV" A "$T/v1.lfi"
provision "$DEV" failsafe "$T/v1.lfi"
mkdir -p "$T/fat1/device"
boot_args=(--dev "$DEV" --pub "$T/k.pub" --retry-delay-ms 0 --
	--set "henb.state_dir=$T/fat1" --set device.serial_number=fat1 --set "henb.device_dir=$T/fat1/device"
	--set "acs.url=http://127.0.0.1:$HEMS_PORT/cwmp" --set acs.second_ms=100
	--set acs.periodic_inform_interval=100000 --set cr.rate_limit=60 --set henb.hal_poll_ms=50
	--set "firmware.pubkey=$T/k.pub")
"$BOOT" "${boot_args[@]}" 2>>"$T/fat1.log" &
BOOT_PID=$!
PIDS+=("$BOOT_PID")
det_ready "$ID" fat1
echo up >"$T/fat1/device/s1_link"
rf_on() { [ "$(cat "$T/fat1/device/rf_tx")" = on ]; }
wait_for 10 rf_on
wait_for 20 idle fat1
ok "henbd on air (S1 up, RF on) from slot A under henb-boot"

echo ANT-SWAPPED >"$T/fat1/device/antenna_id"
rc=0
wait "$BOOT_PID" || rc=$?
[ "$rc" = 0 ] || fail "henb-boot exited $rc"
grep -q 'event=agent_exit slot=A code=11 action=shutdown' "$T/fat1.log" || fail "henbd did not exit 11 (shutdown)"
[ "$(cat "$T/fat1/device/rf_tx")" = off ] || fail "RF still on"
expect_alarm "$ID" "Modified antenna" NewAlarm "Physical Violation" "Cable tamper" Critical expedited
python3 - "$T/fat1.log" "$T/hems.log" "$ID" <<'PY' || fail "the fatal sequence is out of order"
import datetime, re, sys
def ts(l):
    return datetime.datetime.strptime(re.search(r"ts=(\S+)Z", l).group(1), "%Y-%m-%dT%H:%M:%S.%f")
henb = open(sys.argv[1]).read().splitlines()
hems = open(sys.argv[2]).read().splitlines()
def at(pat, start=0):
    return next(i for i in range(start, len(henb)) if pat in henb[i])
steps = ["event=fatal_breach", "event=breach_reported", "event=rf_tx state=off reason=fatal_breach",
         "event=services_stopped", "event=fatal_shutdown ", "event=hal_shutdown", "event=agent_exit slot=A code=11"]
i = 0
for s in steps:
    i = at(s, i)
stored = next(ts(l) for l in hems if "event=alarm " in l and "device=%s " % sys.argv[3] in l and "Cable tamper" in l)
off = ts(henb[at("event=rf_tx state=off reason=fatal_breach")])
print("alarm stored at hemsd %s; RF off %s; henbd exit 11; henb-boot stopped" % (stored.time(), off.time()))
sys.exit(0 if stored <= off else 1)
PY
ok "alarm stored at hemsd first; then InformResponse, RF off, services stopped, reason persisted, exit 11, launcher stopped"
c=$(case_of "$ID")
[ "$(case_field "$c" 'd["state"]')" = awaiting_instructions ] || fail "hemsd case $c not awaiting instructions"
ok "hemsd: case $c awaiting NM instructions"

# The reason is persisted twice: the boot state (henb-boot) and protected storage (henbd).
"$IMG" status --dev "$DEV" | grep -q '^shutdown: yes' || fail "boot state shutdown flag not set: $("$IMG" status --dev "$DEV")"
grep -q 'antenna' "$T/fat1/device/protected/fatal_shutdown" || fail "no fatal_shutdown record"
n=$(grep -c 'event=agent_start' "$T/fat1.log")
rc=0
"$BOOT" "${boot_args[@]}" 2>>"$T/fat1.log" || rc=$?
[ "$rc" = 0 ] || fail "henb-boot exited $rc on a shut-down device"
grep -q 'event=device_shut_down' "$T/fat1.log" || fail "henb-boot booted a shut-down device"
[ "$(grep -c 'event=agent_start' "$T/fat1.log")" = "$n" ] || fail "henbd started again"
# without the launcher too: henbd itself refuses, RF stays off
rc=0
"$LF_BIN/henbd" --set "henb.state_dir=$T/fat1" --set device.serial_number=fat1 \
	--set "henb.device_dir=$T/fat1/device" --set "acs.url=http://127.0.0.1:$HEMS_PORT/cwmp" 2>>"$T/fat1.log" || rc=$?
[ "$rc" = 11 ] || fail "henbd started on a device shut down after a fatal breach (exit $rc)"
grep -q 'event=fatal_shutdown_latched reason="antenna: ' "$T/fat1.log" || fail "the refusal does not say why"
[ "$(cat "$T/fat1/device/rf_tx")" = off ] || fail "RF on"
ok "it stays down: henb-boot boots nothing, henbd alone refuses service (exit 11, reason logged), RF off"

# HeMS unreachable: report given up after the timeout (2 s here), shut down all the same.
dead=$(free_port)
mkdir -p "$T/fat2/device"
echo up >"$T/fat2/device/s1_link"
start_henbd fat2 --set "acs.url=http://127.0.0.1:$dead/cwmp" --set acs.second_ms=100 --set henb.hal_poll_ms=50 \
	--set "henb.device_dir=$T/fat2/device" --set monitor.fatal_report_timeout=20
wait_for 20 grep -q 'event=monitor_start' "$T/fat2.log"
sleep 0.5
t0=$(date +%s%N)
echo LL-BOARD-EVIL >"$T/fat2/device/board_id"
rc=0
wait "$HENB_PID_fat2" || rc=$?
dt=$(( ($(date +%s%N) - t0) / 1000000 ))
[ "$rc" = 11 ] || fail "henbd exited $rc"
grep -q 'event=breach_report_timeout check=circuit' "$T/fat2.log" || fail "no report timeout"
[ "$(cat "$T/fat2/device/rf_tx")" = off ] || fail "RF on"
[ "$dt" -ge 2000 ] && [ "$dt" -lt 15000 ] || fail "shut down after $dt ms, expected the 2 s report timeout"
ok "HeMS unreachable: report given up after the timeout ($dt ms), RF off, exit 11"

sanitizers_clean
ok "fatal shutdown"
