#!/usr/bin/env bash
# scenario_remediate_hems_crash_resume: hemsd killed -9 several times during a case with real henbd (the
# reconfigure ladder that needs a reboot): after each restart the case continues where it stood; it ends
# verified, the alarm is stored once, and no completed step is repeated.
. "$(dirname "$0")/libremediate.sh"

rem_hemsd
PORT=$HEMS_PORT
ID=$(dev_id crash1)
det_start crash1
det_ready "$ID" crash1
wait_for 20 idle crash1
echo "$PERIODIC 7" > "$T/crash1/device/stuck_until_boot"
state_edit "$T/crash1" $PERIODIC 7
# kill_at PATTERN: kill -9 hemsd the moment a timeline row matching PATTERN (SQL LIKE) is committed, then
# start it again on the same store and port.
kills=0
kill_at() {
	python3 - "$T/hems.db" "$1" <<'PY' || fail "the case never reached '$1'"
import sqlite3, sys, time
end = time.time() + 60
while time.time() < end:
    try:
        c = sqlite3.connect(sys.argv[1], timeout=1)
        if c.execute("select count(*) from case_events where why like ?", (sys.argv[2],)).fetchone()[0]:
            sys.exit(0)
    except sqlite3.Error:
        pass
    time.sleep(0.005)
sys.exit(1)
PY
	kill -9 "$HEMS_PID_hems"; wait "$HEMS_PID_hems" 2>/dev/null || true
	kills=$((kills + 1))
	echo "killed hemsd at '$1': case $(sqlite3 "$T/hems.db" "select state || ' rung ' || (rung+1) || ' phase ' || phase from cases order by id desc limit 1")"
	rem_hemsd --set "hemsd.listen_port=$PORT"
}
kill_at 'configure: golden configuration sent%'
kill_at 'reboot: Reboot sent%'
kill_at '%the device rebooted (1 BOOT)%'
wait_for 90 case_is "$ID" resolved
timeline "$ID"
ok "hemsd killed -9 $kills times during the case; it resumed and ended: $(case_field "$(case_of "$ID")" 'd["outcome"]')"
[ "$(alarm_count "$ID" "Unexpected configuration change" NewAlarm)" = 1 ] || fail "alarm lost or duplicated"
dups=$(hemsctl --json case "$(case_of "$ID")" | python3 -c '
import json, sys, collections
d = json.load(sys.stdin)
done = [e["why"] for e in d["timeline"] if e["why"].startswith("step ") and " done" in e["why"]]
rungs = collections.Counter()
rung = 1
for e in d["timeline"]:
    if e["why"].startswith("rung ") and " failed" in e["why"]:
        rung += 1
    if e["why"].startswith("step ") and " done" in e["why"]:
        rungs[(rung, e["why"].split(":")[0])] += 1
print(sum(1 for v in rungs.values() if v > 1))')
[ "$dups" = 0 ] || fail "a completed step was repeated"
[ "$(sqlite3 "$T/hems.db" "select count(*) from cases")" = 1 ] || fail "more than one case"
ok "one alarm, one case, no completed step repeated"
sanitizers_clean
