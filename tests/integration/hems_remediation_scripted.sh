#!/usr/bin/env bash
# hems_remediation_scripted: the remediation engine against scripted HeNBs (tests/lib/fake_cpe.py device):
# every procedure and rung of the default ladders, verification, escalation, extended remediation and NM
# decisions, with the timeline and the outbox checked. The scenario tests repeat the main paths with henbd.
. "$(dirname "$0")/../lib/common.sh"

cat > "$T/policy" <<'POL'
rule reload-software event_type="Integrity Violation" probable_cause="Information modification detected" severity=Major
rule reconfigure event_type="Integrity Violation" probable_cause="Information modification detected" severity=Minor
rule notify-only event_type="Security Service or Mechanism Violation"
rule diagnose-first event_type="Physical Violation" probable_cause="Intrusion detection"
rule fatal event_type="Physical Violation" probable_cause="Cable tamper"
rule diagnose-first
ladder reconfigure = configure | reboot, configure | factory-reset, configure
ladder reload-software = download, configure, diagnose | reboot, download, configure, diagnose
timeout step = 6
timeout extended = 3
golden * Device.ManagementServer.PeriodicInformInterval = 3600 xsd:unsignedInt
firmware Cavium%20eNB = fw-2.0.img
firmware * = fw-2.0.img
POL
start_hemsd hems --set "hemsd.policy=$T/policy"
head -c 200000 /dev/urandom > "$T/fw.img"
hemsctl file add fw-2.0.img "$T/fw.img" --version 2.0 >/dev/null
D=000FB7-Cavium%20eNB
state_is() { [ "$(case_field "$(case_of "$1")" 'd["state"]')" = "$2" ]; }
outcome() { case_field "$(case_of "$1")" 'd["outcome"]'; }

# notify-only: the LAN attack alarm is forwarded, nothing is done on the device.
start_device NOTIFY
raise NOTIFY lan
wait_for 20 state_is $D-NOTIFY resolved
hemsctl case "$(case_of $D-NOTIFY)"
[ "$(case_field "$(case_of $D-NOTIFY)" 'd["procedure"]')" = notify-only ] || fail "notify-only"
ok "notify-only: $(outcome $D-NOTIFY)"

# reconfigure succeeding at rung 1.
start_device RECONF
raise RECONF config
wait_for 30 state_is $D-RECONF resolved
[ "$(outcome $D-RECONF)" = "reconfigure verified at rung 1" ] || fail "reconfigure: $(outcome $D-RECONF)"
ok "reconfigure: $(outcome $D-RECONF)"

# reconfigure escalating: the device puts the value back once -> reboot + reconfigure.
start_device REBOOT --refuse-config 1
raise REBOOT config
wait_for 40 state_is $D-REBOOT resolved
[ "$(outcome $D-REBOOT)" = "reconfigure verified at rung 2" ] || fail "reboot rung: $(outcome $D-REBOOT)"
hemsctl case "$(case_of $D-REBOOT)" | grep -q "reads back" || fail "the read-back failure is not in the timeline"
grep -q '"events": \["1 BOOT", "M Reboot"\]' "$T/REBOOT.cpe.log" || fail "the device did not reboot"
ok "reconfigure -> reboot + reconfigure: $(outcome $D-REBOOT)"

# ... twice -> factory reset + reconfigure (the reset cures it).
start_device FRESET --refuse-config 2 --reset-cures
raise FRESET config
wait_for 50 state_is $D-FRESET resolved
[ "$(outcome $D-FRESET)" = "reconfigure verified at rung 3" ] || fail "factory reset rung: $(outcome $D-FRESET)"
grep -q '"method": "FactoryReset"' "$T/FRESET.cpe.log" || fail "no FactoryReset"
ok "reconfigure -> factory reset + reconfigure: $(outcome $D-FRESET)"

# reload software: Download from the file server, TransferComplete, the new version, configure, diagnose.
start_device RELOAD --new-version 2.0
raise RELOAD sw
wait_for 60 state_is $D-RELOAD resolved
[ "$(outcome $D-RELOAD)" = "reload-software verified at rung 1" ] || fail "reload: $(outcome $D-RELOAD)"
[ "$(hemsctl --json device $D-RELOAD | json_get 'd["softwareVersion"]')" = 2.0 ] || fail "version"
hemsctl case "$(case_of $D-RELOAD)" | grep -q "TransferComplete" || fail "timeline lacks TransferComplete"
ok "reload-software: $(outcome $D-RELOAD)"

# diagnose-first: case opened, self-test clean -> resolved; self-test finds the software changed -> reload.
start_device DIAGOK
raise DIAGOK case
wait_for 40 state_is $D-DIAGOK resolved
[ "$(outcome $D-DIAGOK)" = "diagnostic found no integrity problem" ] || fail "diag ok: $(outcome $D-DIAGOK)"
start_device DIAGSW --diag-results "sw=fail;config=pass;case=fail" --new-version 2.0
raise DIAGSW case
wait_for 60 state_is $D-DIAGSW resolved
[ "$(case_field "$(case_of $D-DIAGSW)" 'd["procedure"]')" = reload-software ] || fail "diag sw not reclassified"
ok "diagnose-first: clean -> resolved; sw=fail -> classified again as reload-software -> resolved"

# fatal: awaiting NM's instructions; NM decides to block.
start_device FATAL
raise FATAL antenna
wait_for 20 state_is $D-FATAL awaiting_instructions
c=$(case_of $D-FATAL)
hemsctl case decide "$c" block "antenna tampering confirmed" >/dev/null
state_is $D-FATAL blocked || fail "not blocked"
[ "$(hemsctl --json device $D-FATAL | json_get 'd["blocked"]')" = True ] || fail "device not blocked"
ok "fatal: awaiting instructions, NM decided block -> device blocked"

# extended remediation: the device vanishes; an operator starts a case by hand; no contact within the step
# time -> extended remediation -> "no communication possible" -> awaiting instructions.
start_device GONE
eval "kill \$DEV_PID_GONE"
hemsctl case start $D-GONE reconfigure "operator suspects tampering" >/dev/null
c=$(case_of $D-GONE)
wait_for 40 state_is $D-GONE awaiting_instructions
hemsctl case "$c"
hemsctl case "$c" | grep -q "extended remediation started: the HeNB did not contact" || fail "no extended remediation"
hemsctl case "$c" | grep -q "no communication possible" || fail "no 'no communication possible'"
hemsctl case "$c" | grep -q "case opened by admin" || fail "the operator is not in the timeline"
ok "unreachable device: extended remediation, then 'no communication possible', awaiting instructions"

# Every step went northbound through the outbox, in the same transactions.
n=$(sqlite3 "$T/hems.db" "SELECT count(*) FROM outbox")
for ty in notifyNewAlarm notifyRemediationStarted notifyRemediationSucceeded notifyRemediationStep \
	notifyAwaitingInstructions notifyDeviceBlocked notifyExtendedRemediationStarted notifyNoCommunicationPossible; do
	[ "$(sqlite3 "$T/hems.db" "SELECT count(*) FROM outbox WHERE type='$ty'")" -ge 1 ] || fail "no $ty in the outbox"
done
ok "outbox: $n notifications, every kind present"
