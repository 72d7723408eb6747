#!/usr/bin/env bash
# scenario_distress_hems_initiated: 5.7.3.1 started by the HeMS on a really broken network. hemsd and henbd (under
# henb-boot) live in their own network namespaces joined by a standard path and an alternative path; a firewall
# rule drops TR-069 on the standard path. A remediation step's connection request fails, the step times out,
# extended remediation queues the case's distress action and triggers the HeNB on its alternative-path address;
# the HeNB tries the standard path first (an Inform with 6 CONNECTION REQUEST, dropped), then opens the distress
# session (DTLS PSK, CoAP) and runs the actions: Get, Reboot (confirmed by the resume INFORM after the boot),
# Download (fetched over the alternative path, SHA-256 and henbd's signed-image checks, slot B, confirmed after
# the boot and reported with the new version), FactoryReset (the keys survive in protected storage; confirmed by
# 0 BOOTSTRAP) and the emergency diagnostic. Every result reaches hemsd and closes the case; each action runs once.
# The provisioned secrets read back as "" and are kept in protected storage, not in the state file. Prints the
# median time from the standard-path failure to the completed distress action.
. "$(dirname "$0")/libdistress.sh"

dx_netns
fw_build 1.0 "$T/v1.lfi"
fw_build 2.0 "$T/v2.lfi"
fw_provision "$T/v1.lfi"
dx_hemsd
hemsctl file add fw-2.0.lfi "$T/v2.lfi" --product-class "$PC" --version 2.0 >/dev/null
N=hi1
ID=$(dev_id $N)
LOG="$T/$N.log"
dx_boot $N
dx_registered "$ID" $N
echo up >"$T/$N/device/s1_link"
rf_on() { [ "$(cat "$T/$N/device/rf_tx")" = on ]; }
wait_for 10 rf_on
wait_for 10 idle $N
ok "registered over the standard path; hemsd provisioned the distress keys, learnt TriggerAddress $HENB_ALT:$TPORT"

# The provisioned secrets: write-only in the data model, in protected storage, not in the state file.
PSK=$(python3 -c "import sqlite3,sys; print(sqlite3.connect(sys.argv[1]).execute('SELECT psk FROM distress_devices WHERE device_id=?', (sys.argv[2],)).fetchone()[0])" "$T/hems.db" "$ID")
TKEY=$(python3 -c "import sqlite3,sys; print(sqlite3.connect(sys.argv[1]).execute('SELECT trigger_key FROM distress_devices WHERE device_id=?', (sys.argv[2],)).fetchone()[0])" "$T/hems.db" "$ID")
task "$ID" GetParameterValues '{"names":["Device.X_00005A_Distress."]}'
dval() { tj "[p['value'] for p in d['result']['parameters'] if p['name'] == 'Device.X_00005A_Distress.$1'][0]"; }
[ "$(dval PSK)" = "" ] && [ "$(dval TriggerKey)" = "" ] && [ "$(dval Identity)" = "" ] || fail "a secret reads back: $(cat "$T/task.json")"
[ "$(dval TriggerAddress)" = "$HENB_ALT:$TPORT" ] || fail "TriggerAddress $(dval TriggerAddress)"
[ "$(dval ServerURL)" = "coaps://$HEMS_ALT:$DPORT" ] && [ "$(dval Enable)" = true ] && [ "$(dval State)" = Idle ] ||
	fail "distress parameters: $(cat "$T/task.json")"
grep -q "$PSK" "$T/$N/device/protected/distress_keys" && grep -q "$TKEY" "$T/$N/device/protected/distress_keys" ||
	fail "keys not in protected storage"
! grep -q -e "$PSK" -e "$TKEY" -e "_Distress.Identity" "$T/$N/henbd.state" || fail "a distress secret is in the state file"
ok "GetParameterValues: PSK, TriggerKey, Identity read \"\"; keys in protected/distress_keys, not in henbd.state"

state_is() { [ "$(case_field "$1" 'd["state"]')" = "$2" ]; }
closed_resolved() { [ "$(case_field "$1" 'd["state"]')" = resolved ]; }

# ---- The measure: standard path broken and a management action needed at that moment, to the distress action
# completed (hemsd stored its result). A diagnose-first case, three times.
RUNS=()
for run in 1 2 3; do
	wait_for 30 idle $N
	from=$(lines "$T/hems.log")
	block_standard
	t0=$(now_s)
	hemsctl case start "$ID" diagnose-first "measure $run" >/dev/null
	C=$(case_of "$ID")
	wait_for 60 closed_resolved "$C"
	t1=$(log_ts "$T/hems.log" "event=distress_result device=$ID action=[0-9]+ kind=diagnostic status=done" "$from") ||
		fail "no distress result for run $run"
	RUNS+=("$(ms_between "$t0" "$t1")")
	restore_standard
	# Back to normal: the next standard session goes through.
	n_ok=$(grep -c "event=session_ok" "$LOG" || true)
	more_ok() { [ "$(grep -c 'event=session_ok' "$LOG" || true)" -gt "$n_ok" ]; }
	hemsctl connect "$ID" >/dev/null || true
	wait_for 30 more_ok
done
MEDIAN=$(median "${RUNS[@]}")
echo "distress: standard path broken -> distress action completed (HeMS-initiated, diagnostic): runs ${RUNS[*]} ms, median ${MEDIAN} ms"
ok "measured: median ${MEDIAN} ms from standard-path failure to the completed distress action"

# ---- 1. Get and Reboot: a reconfigure case; its configure step's connection request fails.
wait_for 30 idle $N
block_standard
GET=$(queue_action "$ID" get '{"names":["Device.DeviceInfo.SoftwareVersion","Device.X_00005A_Distress.","Device.DeviceInfo.Nope"]}')
GET2=$(queue_action "$ID" get '{"names":["Device.DeviceInfo.SoftwareVersion","Device.X_00005A_Distress.PSK"]}')
from=$(lines "$T/hems.log")
hfrom=$(lines "$LOG")
hemsctl case start "$ID" reconfigure "test: reconfigure over a broken path" >/dev/null
C1=$(case_of "$ID")
wait_for 30 state_is "$C1" extended
wait_for 10 grep -q "event=connreq_ok device=$ID result=\".*after http failed" "$T/hems.log"
wait_for 30 action_final "$GET2"
REBOOT=$(action_of "$ID" reboot)
[ -n "$REBOOT" ] || fail "hemsd queued no reboot for the reconfigure case"
[ "$(action_field "$GET" 'r["status"]')" = 4 ] && [ "$(action_field "$GET" 'res["faultCode"]')" = 9005 ] ||
	fail "get of an unknown name: $(action_field "$GET" 'r')"
[ "$(action_field "$GET2" 'r["status"]')" = 3 ] || fail "get: $(action_field "$GET2" 'r')"
[ "$(action_field "$GET2" '[p["value"] for p in res["parameters"]]')" = "['1.0', '']" ] ||
	fail "get values (the PSK must read \"\"): $(action_field "$GET2" 'res')"
ok "get over the distress session: values (SoftwareVersion 1.0, PSK \"\"), 9005 for an unknown name"
python3 - "$LOG" "$hfrom" <<'PY' || fail "HeNB sequence after the trigger"
import re, sys
lines = open(sys.argv[1]).read().splitlines()[int(sys.argv[2]):]
want = ["event=distress_trigger_accepted", "event=distress_standard_retry", 'event=session_start events=".*6 CONNECTION REQUEST',
        "event=session_failed", "event=distress_session_start reason=trigger", "event=distress_session_open"]
i = 0
for pat in want:
    while i < len(lines) and not re.search(pat, lines[i]):
        i += 1
    if i == len(lines):
        sys.exit("not in order: " + pat)
PY
ok "trigger accepted on $HENB_ALT:$TPORT; standard session with 6 CONNECTION REQUEST tried first and dropped; then the distress session"
wait_for 60 action_done "$REBOOT"
grep -q "event=distress_result device=$ID action=$REBOOT kind=reboot status=done note=\"the device rebooted" "$T/hems.log" ||
	fail "reboot not confirmed"
in_order "$LOG" "event=distress_result_sent action=$REBOOT kind=reboot status=accepted" "event=distress_reboot" \
	"event=agent_exit slot=A code=10 action=reboot" "event=distress_session_start reason=resume" \
	"event=distress_resume_confirmed action=$REBOOT kind=reboot" || fail "reboot sequence"
wait_for 20 closed_resolved "$C1"
ok "reboot: accepted, rebooted (exit 10), the resume INFORM (1 BOOT, M Reboot) completed action $REBOOT; case $C1 resolved"

# ---- 2. Download: a reload-software case; the approved image comes over the alternative path.
wait_for 30 idle $N
hemsctl case start "$ID" reload-software "test: re-image over a broken path" >/dev/null
C2=$(case_of "$ID")
dl_queued() { [ -n "$(action_of "$ID" download)" ]; }
wait_for 30 dl_queued
DL=$(action_of "$ID" download)
wait_for 90 action_final "$DL"
[ "$(action_field "$DL" 'r["status"]')" = 3 ] || fail "download: $(action_field "$DL" 'r')"
[ "$(action_field "$DL" 'res["softwareVersion"]')" = 2.0 ] || fail "download result: $(action_field "$DL" 'res')"
grep -q "event=file_served name=fw-2.0.lfi" "$T/hems.log" || fail "the image was not fetched from hemsd's file server"
in_order "$LOG" "event=distress_result_sent action=$DL kind=download status=accepted" \
	"event=distress_download_verified action=$DL bytes=$(stat -c %s "$T/v2.lfi") sha256=match" \
	"event=distress_fw_install_done action=$DL slot=B launcher=yes" "event=agent_exit slot=A code=10" "event=boot slot=B" \
	'event=software_version slot=B version="2.0"' "event=distress_session_start reason=resume" \
	"event=fw_slot_confirmed slot=B via=distress" "event=distress_report action=$DL kind=download status=success" ||
	fail "download sequence"
[ "$(bootctl active)" = B ] && [ "$(bootctl pending)" = none ] || fail "bootctl: active $(bootctl active) pending $(bootctl pending)"
wait_for 20 closed_resolved "$C2"
ok "download: fetched over the alternative path, size and SHA-256 checked, signed image installed in slot B, confirmed after the boot, result 2.0; case $C2 resolved"

# ---- 3. FactoryReset, then the emergency diagnostic, in one triggered session.
wait_for 30 idle $N
FR=$(queue_action "$ID" factory-reset '{}')
resets=$(grep -c "event=factory_reset path=" "$LOG" || true)
hemsctl case start "$ID" diagnose-first "test: reset and diagnose over a broken path" >/dev/null
C3=$(case_of "$ID")
wait_for 60 action_done "$FR"
grep -q "event=distress_result device=$ID action=$FR kind=factory-reset status=done note=\"the device was reset (0 BOOTSTRAP" "$T/hems.log" ||
	fail "factory reset not confirmed"
DIAG=$(action_of "$ID" diagnostic)
wait_for 30 action_done "$DIAG"
[ "$(action_field "$DIAG" 'res["diagnosticState"]')" = Complete ] || fail "diagnostic: $(action_field "$DIAG" 'res')"
action_field "$DIAG" 'res["diagnosticResults"]' | grep -q "^sw=pass;config=pass" || fail "diagnostic results: $(action_field "$DIAG" 'res')"
wait_for 20 closed_resolved "$C3"
[ "$(grep -c "event=factory_reset path=" "$LOG")" = $((resets + 1)) ] || fail "factory reset ran $(($(grep -c "event=factory_reset path=" "$LOG") - resets)) times"
grep -q "event=distress_keys_loaded enable=true server_url=coaps://$HEMS_ALT:$DPORT identity=$ID" "$LOG" ||
	fail "keys not reloaded from protected storage after the reset"
ok "factory reset once, confirmed by the resume INFORM's 0 BOOTSTRAP (keys kept in protected storage); diagnostic Complete sw=pass config=pass; case $C3 resolved"

# ---- 4. A download whose SHA-256 is not the file's: refused before the signed-image checks (9018), nothing
# installed; its final result comes in a distress session of its own once the transfer is checked.
wait_for 30 idle $N
slots_before=$("$IMG" status --dev "$DEV" | sed -n 's/^\(active\|pending\): //p' | tr '\n' ' ')
BADSHA=$(printf '00%.0s' $(seq 32))
BAD=$(queue_action "$ID" download "{\"url\":\"http://$HEMS_ALT:$HEMS_PORT/files/fw-2.0.lfi\",\"fileSize\":$(stat -c %s "$T/v2.lfi"),\"sha256\":\"$BADSHA\",\"fileType\":\"1 Firmware Upgrade Image\",\"commandKey\":\"bad-sha\"}")
hemsctl case start "$ID" diagnose-first "test: a download with a wrong SHA-256" >/dev/null
C4=$(case_of "$ID")
wait_for 60 action_final "$BAD"
[ "$(action_field "$BAD" 'r["status"]')" = 4 ] && [ "$(action_field "$BAD" 'res["faultCode"]')" = 9018 ] ||
	fail "download with a wrong SHA-256: $(action_field "$BAD" 'r')"
grep -q "event=distress_download_failed action=$BAD fault=9018 reason=\"the file's SHA-256 is not the action's\"" "$LOG" ||
	fail "no SHA-256 refusal logged"
! grep -q "event=distress_fw_check_start action=$BAD" "$LOG" || fail "a file with a wrong SHA-256 went on to the image checks"
[ "$("$IMG" status --dev "$DEV" | sed -n 's/^\(active\|pending\): //p' | tr '\n' ' ')" = "$slots_before" ] || fail "the boot state changed"
wait_for 30 closed_resolved "$C4"
ok "download with a wrong SHA-256: accepted, fetched, refused 9018 before the image checks, nothing installed; result reported"

# Nothing ran twice; the HeNB never accepted a datagram that was not a trigger.
for a in "$GET2" "$REBOOT" "$DL" "$FR" "$DIAG" "$BAD"; do
	n=$(grep -c "event=distress_action action=$a " "$LOG" || true)
	r=$(grep -c "event=distress_action_redelivered action=$a " "$LOG" || true)
	[ "$n" -ge 1 ] && [ "$((n - r))" = 1 ] || fail "action $a delivered $n times, answered from memory $r times"
done
ok "every action executed exactly once"
sanitizers_clean
