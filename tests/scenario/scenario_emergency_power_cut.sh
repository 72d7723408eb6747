#!/usr/bin/env bash
# scenario_emergency_power_cut (TS 32.593 5.7.3.2, robustness): the power goes (kill -9 of henb-boot and henbd)
# while the failsafe image writes the emergency image into slot B. At the next power-on the boot loader recovers
# slot B and boots slot A (it still verifies: the tamper here is an opened case); slot A's henbd finds the
# emergency unfinished in protected storage and asks for the failsafe again at once, without starting service.
# The failsafe image resumes the same Download job, installs it, reports it and reboots into it: the HeNB is not
# bricked and comes back through the initial HeMS to the serving HeMS.
. "$(dirname "$0")/libemergency.sh"

em_images
# The approved image carries a large file, so that its check and slot write last long enough to be cut.
mkdir -p "$T/big/bin" "$T/big/share" "$T/big/etc"
cp "$LF_BIN/henbd" "$T/big/bin/henbd"
echo "Lifeline HeNB release 2.0" >"$T/big/etc/release"
head -c 120000000 /dev/urandom >"$T/big/share/filler"
"$IMG" build --key "$T/k.priv" --product-class "$PC" --hw 1.0 --version 2.0 --out "$T/v2big.lfi" "$T/big" >/dev/null
rm -rf "$T/big"
start_serving
start_initial
start_emergency "$T/v2big.lfi"
em_boot pc1
ID=$(dev_id pc1)
wait_for 30 provisioned_at serving "$ID"
A0=$(slot_tree A)

to_failsafe pc1 case
restart_serving
ok "case opened, standard and distress paths gone, S1 up: emergency remediation, failsafe image"

# fast_wait SECONDS CMD...: like wait_for, polling every 10 ms, status 1 on timeout.
fast_wait() {
	local limit=$1; shift
	local end=$((SECONDS + limit))
	until "$@" >/dev/null 2>&1; do
		[ $SECONDS -lt $end ] || return 1
		sleep 0.01
	done
}
fast_wait 120 test -e "$DEV/slots/B.new" || fail "the failsafe image never started writing slot B"
agent=$(agent_pid)
kill -9 "$BOOT_PID" "$agent"
wait "$BOOT_PID" 2>/dev/null || true
grep -q "event=fw_install_done" "$T/pc1.log" && fail "the cut came after the install (test timing)"
grep -q "event=transfer_complete_sent" "$T/pc1.log" && fail "the cut came after the report (test timing)"
ok "power cut (kill -9 of henb-boot and henbd) while the failsafe image wrote slot B"

# Power on again.
em_boot pc1
wait_for 60 grep -q "event=emergency_resume .*slot=A request=2 action=failsafe_boot" "$T/pc1.log"
in_order "$T/pc1.log" "event=fw_slot_recovered slot=B" "event=boot slot=A" "event=emergency_resume" \
	"event=agent_exit slot=A code=10 action=reboot" "event=boot slot=failsafe" "event=failsafe_mode .*failsafe_boot=2" ||
	fail "the power-on is out of order"
sed -n '/event=emergency_resume/,/event=failsafe_mode/p' "$T/pc1.log" | grep -q "event=session_start" &&
	fail "slot A started service during the emergency"
[ "$(slot_tree A)" = "$A0" ] || fail "slot A was written"
ok "power on: slot B recovered, slot A boots and goes straight back to the failsafe image (request 2)"

use_hems emergency
resolved() { case_is "$ID" resolved; }
wait_for 120 resolved
in_order "$T/pc1.log" "event=failsafe_mode .*failsafe_boot=2" "event=fw_install_interrupted" \
	"event=download_start command_key=\"case-1-r1\"" "event=fw_install_done .*slot=B" \
	"event=transfer_complete_sent .*fault=0" "event=emergency_reimaged .*slot=B" "event=boot slot=B" \
	"event=emergency_complete slot=B" || fail "the resumed re-imaging is out of order"
[ "$(grep -c 'event=download_accepted' "$T/pc1.log")" = 1 ] || fail "a second Download was needed"
ok "the failsafe image resumes the same Download job (case-1-r1), installs slot B, reports it, reboots into it"

wait_for 60 registered_at serving "$ID"
again() { [ "$(sqlite3 "$T/serving.db" "select count(*) from tasks where device_id='$ID' and status=2 and args like '%\"_purpose\":\"alarms-expedited\"%'")" -ge 2 ]; }
wait_for 30 again
[ "$(hc serving --json device "$ID" | json_get 'd["softwareVersion"]')" = 2.0 ] || fail "the serving HeMS does not see 2.0"
wait_for 30 test "$(bootctl active)" = B
ok "not bricked: image 2.0 in slot B confirmed, registered again through the initial HeMS at the serving HeMS"
sanitizers_clean
