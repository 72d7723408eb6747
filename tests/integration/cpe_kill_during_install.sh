#!/usr/bin/env bash
# cpe_kill_during_install: kill -9 of henbd at the worst moments of a firmware upgrade never bricks the HeNB.
#   1. During the download (three times, at growing sizes): henb-boot restarts henbd from slot A, which resumes
#      the transfer with a Range request where the partial file ended.
#   2. During the check and the write of slot B (several times): the next boot recovers slot B, runs slot A,
#      and the persisted job checks and installs again; the upgrade then completes (TransferComplete 0, B).
#   3. A new image that never reaches its HeMS (the device is blocked) and is killed on each of its 3 trial
#      boots: henb-boot falls back to the old slot, whose agent reports the failure (9010); a retried Download
#      of the same image then completes.
# After every kill the device comes back on a slot that verifies, and the slot it runs from is never written.
. "$(dirname "$0")/libfw.sh"

start_hemsd hems
fw_keys
fw_build 1.0 "$T/v1.lfi"
# v2 carries a large file, so that the transfer and the install last long enough to be cut.
mkdir -p "$T/big/bin" "$T/big/share"
cp "$LF_BIN/henbd" "$T/big/bin/henbd"; chmod 0755 "$T/big/bin/henbd"
head -c 160000000 /dev/urandom >"$T/big/share/filler"
"$IMG" build --key "$T/k.priv" --product-class "$PC" --hw 1.0 --version 2.0 --out "$T/v2.lfi" "$T/big" >/dev/null
rm -rf "$T/big"
fw_build 3.0 "$T/v3.lfi"
fw_provision "$T/v1.lfi"
"$IMG" provision --pub "$T/k.pub" --dev "$DEV" --slot failsafe "$T/v1.lfi" >/dev/null
A_V1=$(slot_tree A)
ID=$(dev_id kill1)
LOG="$T/kill1.log"
# 20 MB/s: the 160 MB image takes about 8 s to arrive.
boot_start kill1 --set firmware.rate_limit=20000000
wait_for 30 informs_at_least "$ID" 1
PART="$T/kill1/download"

count_log() { grep -c -E "$1" "$LOG" || true; }
part_size() { stat -c %s "$PART"/dl-*.img 2>/dev/null || echo 0; }
# confirmed: every boot so far reached its HeMS and confirmed its slot (so kills do not add up to failed boots).
confirmed() { [ "$(count_log 'event=fw_slot_confirmed')" -ge "$(count_log 'event=agent_start ')" ]; }
# kill_agent: kill -9 the running henbd and wait until henb-boot started the next one; prints nothing.
kill_agent() {
	local pid
	pid=$(agent_pid)
	[ -n "$pid" ] || fail "no agent to kill"
	kill -9 "$pid"
	wait_for 30 new_agent "$pid"
}
new_agent() { local p; p=$(agent_pid); [ -n "$p" ] && [ "$p" != "$1" ]; }
# sane: the launcher runs, the boot state names a slot that verifies, and slot A is v1 (or empty of writes).
sane() {
	kill -0 "$BOOT_PID" 2>/dev/null || fail "$1: henb-boot exited: $(tail -5 "$LOG")"
	local booted
	booted=$(bootctl booted)
	case "$booted" in A | B) ;; *) fail "$1: booted '$booted'";; esac
	"$IMG" status --dev "$DEV" --pub "$T/k.pub" | grep -q "slot $booted: .*verified" ||
		fail "$1: the running slot $booted does not verify: $("$IMG" status --dev "$DEV" --pub "$T/k.pub")"
}

# ---------------------------------------------------------------- 1. kills during the download
SIZE=$(stat -c %s "$T/v2.lfi")
URL=$(file_url fw-2.0.lfi "$T/v2.lfi")
tid=$(download "$ID" kill-up "$URL" "$SIZE")
at_least() { [ "$(part_size)" -ge "$1" ]; }
for pct in 15 40 65; do
	wait_for 60 at_least $((SIZE * pct / 100))
	wait_for 30 confirmed
	before=$(part_size)
	kill_agent
	sane "kill at ${pct}% of the download"
	[ "$(part_size)" -ge "$before" ] || fail "the partial file shrank after the kill: $(part_size) < $before"
	echo "   killed with $before of $SIZE bytes"
done
resumes=$(grep -E 'event=fetch_start .*offset=[1-9]' "$LOG" | wc -l)
[ "$resumes" -ge 3 ] || fail "the download was not resumed after the kills ($resumes resumes)"
served=$(grep -E 'event=file_served name=fw-2.0.lfi .*offset=[1-9]' "$T/hems.log" | wc -l)
[ "$served" -ge 3 ] || fail "hemsd served no Range requests"
[ "$(slot_tree A)" = "$A_V1" ] || fail "slot A was written"
ok "3 kills during the download: henbd restarts from slot A and resumes with Range requests ($resumes resumes)"

# ---------------------------------------------------------------- 2. kills during the check and install
# Alternately right after the check started (before anything is written) and while slot B is written.
# fast_wait SECONDS CMD...: like wait_for, polling every 10 ms (the install lasts well under a second).
fast_wait() {
	local limit=$1; shift
	local end=$((SECONDS + limit))
	until "$@" >/dev/null 2>&1; do
		[ $SECONDS -lt $end ] || return 1
		sleep 0.01
	done
}
in_write=0
in_check=0
checks=0 # checks started so far
more_checks() { [ "$(count_log 'event=fw_check_start')" -gt "$1" ]; }
for i in 1 2 3 4; do
	fast_wait 120 more_checks "$checks" || fail "kill $i: no new check of the image"
	checks=$(count_log 'event=fw_check_start')
	if [ $((i % 2)) = 0 ]; then
		wait_for 30 confirmed
		fast_wait 30 test -e "$DEV/slots/B.new" || true
		sleep "0.0$((RANDOM % 10))"
	fi
	pid=$(agent_pid)
	[ -n "$pid" ] || break # already rebooting into the new image
	writing=no
	[ -e "$DEV/slots/B.new" ] && writing=yes
	kill -9 "$pid"
	wait_for 30 new_agent "$pid"
	sane "kill $i during the install"
	if [ "$(bootctl booted)" = B ]; then
		echo "   kill $i came after the install had finished: slot B boots"
		break
	fi
	[ "$(slot_tree A)" = "$A_V1" ] || fail "after kill $i: slot A was written"
	if [ "$writing" = yes ]; then in_write=$((in_write + 1)); else in_check=$((in_check + 1)); fi
	echo "   kill $i during the install (slot B being written: $writing)"
done
[ "$in_write" -ge 1 ] && [ "$in_check" -ge 1 ] ||
	fail "kills: $in_write while slot B was written, $in_check during the check; expected at least one of each"
grep -q 'event=fw_slot_recovered slot=B' "$LOG" || fail "henb-boot recovered no interrupted write of slot B"
grep -q 'event=fw_install_interrupted' "$LOG" || fail "the agent did not notice the interrupted install"
ok "$((in_write + in_check)) kills during the install ($in_write while slot B was written): slot B recovered, slot A runs"

wait_for 120 has_tc "$tid"
[ "$(tc_fault "$tid")" = 0 ] || fail "the upgrade after the kills: $(hemsctl --json task get "$tid")"
[ "$(bootctl active)" = B ] && [ "$(bootctl booted)" = B ] && [ "$(bootctl pending)" = none ] ||
	fail "after the upgrade: $("$IMG" status --dev "$DEV")"
wait_for 20 test "$(cached_param "$ID" Device.DeviceInfo.SoftwareVersion)" = 2.0
[ "$(slot_tree A)" = "$A_V1" ] || fail "slot A was written"
[ "$(grep -c 'event=download_start command_key="kill-up"' "$LOG")" -ge 4 ] || fail "the job did not run again"
ok "the same Download job completes after the kills: TransferComplete 0, slot B (2.0) active and good, A still v1"

# ---------------------------------------------------------------- 3. a new image that never comes up
B_V2=$(slot_tree B)
URL=$(file_url fw-3.0.lfi "$T/v3.lfi")
# DelaySeconds 20 (2 s here): time to block the device before the new image's first session.
tid=$(hemsctl task add "$ID" Download "{\"commandKey\":\"trial-1\",\"fileType\":\"1 Firmware Upgrade Image\",
	\"url\":\"$URL\",\"fileSize\":0,\"delaySeconds\":20}" --connect)
hemsctl --json task get "$tid" --wait 30 >/dev/null
hemsctl block "$ID" "firmware trial test" >/dev/null
boots_a() { grep -c 'event=boot slot=A' "$LOG" || true; }
n0=$(boots_a)
for try in 1 2 3; do
	more_boots() { [ "$(boots_a)" -ge "$1" ]; }
	wait_for 60 more_boots $((n0 + try))
	wait_for 20 test -n "$(agent_pid)"
	sleep 0.3
	[ "$(bootctl booted)" = A ] && [ "$(bootctl pending)" = A ] || fail "trial $try: $("$IMG" status --dev "$DEV")"
	kill_agent
done
fallback() { [ "$(bootctl booted)" = B ] && [ "$(bootctl pending)" = none ]; }
wait_for 30 fallback
grep -q 'event=fw_pending_given_up slot=A fallback=B' "$LOG" || fail "henb-boot did not give up slot A"
[ "$(slot_tree B)" = "$B_V2" ] || fail "slot B was written while it ran"
hemsctl unblock "$ID" >/dev/null
hemsctl connect "$ID" >/dev/null 2>&1 || true
wait_for 60 has_tc "$tid"
[ "$(tc_fault "$tid")" = 9010 ] || fail "TransferComplete of the failed trial: $(hemsctl --json task get "$tid")"
task_field "$tid" 'd["result"]["transferComplete"]["faultString"]' | grep -q "did not come up" ||
	fail "fault string: $(hemsctl --json task get "$tid")"
[ "$(bootctl active)" = B ] || fail "not back on B"
wait_for 20 test "$(cached_param "$ID" Device.DeviceInfo.SoftwareVersion)" = 2.0
ok "a new image killed on all 3 trial boots: henb-boot falls back to slot B (2.0), which reports 9010"

tid=$(download "$ID" trial-2 "$URL")
wait_for 60 has_tc "$tid"
[ "$(tc_fault "$tid")" = 0 ] || fail "retried Download: $(hemsctl --json task get "$tid")"
[ "$(bootctl active)" = A ] && [ "$(bootctl booted)" = A ] || fail "retried Download: $("$IMG" status --dev "$DEV")"
wait_for 20 test "$(cached_param "$ID" Device.DeviceInfo.SoftwareVersion)" = 3.0
sane "after the retried Download"
ok "the retried Download completes: slot A (3.0) active and good"

sanitizers_clean
ok "kill during install"
