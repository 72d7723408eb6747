#!/usr/bin/env bash
# scenario_remediate_fatal_awaits_instructions (5.7.2.3): a modified antenna is a fatal breach: henbd sends the
# alarm and shuts down; hemsd forwards it northbound, marks the case awaiting instructions and queues nothing on
# the device; NM's decision (block) is audited and blocks the HeNB at the HeMS.
. "$(dirname "$0")/libremediate.sh"

rem_hemsd
ID=$(dev_id fat1)
det_start fat1
det_ready "$ID" fat1
wait_for 20 idle fat1
echo ANT-ROGUE-9 > "$T/fat1/device/antenna_id"
expect_alarm "$ID" "Modified antenna" NewAlarm "Physical Violation" "Cable tamper" Critical expedited
wait_for 20 case_is "$ID" awaiting_instructions
down() { ! kill -0 "$HENB_PID_fat1" 2>/dev/null; }
wait_for 20 down
[ "$(cat "$T/fat1/device/rf_tx")" = off ] || fail "RF on"
[ -z "$(case_tasks "$ID")" ] || fail "tasks queued on a fatal case: $(case_tasks "$ID")"
[ "$(sqlite3 "$T/hems.db" "select count(*) from outbox where type='notifyAwaitingInstructions' and device_id='$ID'")" = 1 ] ||
	fail "NM not told"
c=$(case_of "$ID")
hemsctl case decide "$c" block "antenna replaced: stolen unit" >/dev/null
[ "$(case_state "$ID")" = blocked ] || fail "not blocked"
timeline "$ID"
timeline "$ID" | grep -q "NM decision 'block' by admin" || fail "decision not audited"
[ "$(hemsctl --json device "$ID" | json_get 'd["blocked"]')" = True ] || fail "device not blocked at the HeMS"
ok "fatal: alarm first, HeNB shut down, case awaiting instructions with nothing queued, NM blocked it"
sanitizers_clean
