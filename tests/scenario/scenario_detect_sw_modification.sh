#!/usr/bin/env bash
# scenario_detect_sw_modification: henbd runs under henb-boot from a signed slot (A; B and the failsafe hold
# good images too). A file of the running image changes behind its back: the hash check of the running slot
# against its signed manifest raises Integrity Violation / Information modification detected / Major
# "Unexpected firmware/software modification", expedited to hemsd. hemsd's default policy reloads the software;
# with no approved image its ladder reboots the device: henb-boot refuses the modified slot A at boot (secure
# boot) and starts the good slot B, whose henbd verifies its own image and clears the alarm (ClearedAlarm of
# the same AlarmIdentifier at hemsd).
. "$(dirname "$0")/libdetect.sh"

SP="Unexpected firmware/software modification"
start_hemsd hems
ID=$(dev_id sw1)
make_image 1.0 "$T/v1.lfi"
DEV="$T/dev"
provision "$DEV" A "$T/v1.lfi"
provision "$DEV" B "$T/v1.lfi"
provision "$DEV" failsafe "$T/v1.lfi"
mkdir -p "$T/sw1/device"
"$BOOT" --dev "$DEV" --pub "$T/k.pub" --retry-delay-ms 0 -- \
	--set "henb.state_dir=$T/sw1" --set device.serial_number=sw1 --set "henb.device_dir=$T/sw1/device" \
	--set "acs.url=http://127.0.0.1:$HEMS_PORT/cwmp" --set acs.second_ms=100 \
	--set acs.periodic_inform_interval=100000 --set cr.rate_limit=60 --set henb.hal_poll_ms=50 \
	--set "firmware.pubkey=$T/k.pub" --set monitor.sw_check_ms=200 2>>"$T/sw1.log" &
BOOT_PID=$!
PIDS+=("$BOOT_PID")
det_ready "$ID" sw1
grep -q "event=boot slot=A" "$T/sw1.log" || fail "henb-boot did not start slot A"
grep -q "event=sw_image dir=$DEV/slots/A " "$T/sw1.log" || fail "henbd does not verify its running slot A"
grep -q 'event=detector_state check=sw verdict=ok' "$T/sw1.log" || fail "slot A does not verify at boot"
ok "henbd runs from signed slot A under henb-boot and verifies it"

wait_for 20 idle sw1
t0=$(now_s)
echo "# patched" >>"$DEV/slots/A/etc/release"
expect_alarm "$ID" "$SP" NewAlarm "Integrity Violation" "Information modification detected" Major expedited
ident=$(field "$ALARM" alarmIdentifier)
echo "$ALARM" | grep -q 'etc/release' || fail "the alarm does not name the file: $ALARM"
echo "detection_to_stored_ms=$(stored_latency_ms "$t0" "$ID" "$ident") (sw check every 200 ms)"
ok "a changed file of the running image -> Integrity Violation / Information modification detected / Major"

# hemsd remediates (reload software -> reboot); secure boot refuses slot A, B starts and clears the alarm
wait_for 60 grep -q 'event=fw_slot_refused slot=A' "$T/sw1.log"
wait_for 30 grep -q "event=boot slot=B" "$T/sw1.log"
wait_for 30 has_alarm "$ID" "$SP" ClearedAlarm
[ "$(field "$(alarm "$ID" "$SP" ClearedAlarm)" alarmIdentifier)" = "$ident" ] || fail "cleared another alarm"
grep -q "event=sw_image dir=$DEV/slots/B " "$T/sw1.log" || fail "the henbd of slot B does not verify slot B"
"$IMG" status --dev "$DEV" --pub "$T/k.pub" | grep -q 'slot A: REFUSED' || fail "slot A not refused"
ok "reboot by hemsd: slot A refused at boot, slot B verified, the alarm cleared at hemsd"

sanitizers_clean
ok "software modification detection"
