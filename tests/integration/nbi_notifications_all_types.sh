#!/usr/bin/env bash
# nbi_notifications_all_types: every northbound notification type hemsd emits reaches a real NM consumer, in
# order and once, with the 28.532 header and alarm fields; subscription filters (type, device, alarm type,
# severity) pass only what they name; the alarm list filters and counts records the same way. Alarms arrive as
# FaultMgmt ExpeditedEvents in real Informs.
. "$(dirname "$0")/../lib/common.sh"
. "$(dirname "$0")/../lib/nbi.sh"

# Short step and extended timeouts, so a device that never comes back reaches "no communication" quickly.
cat >"$T/policy" <<'EOF'
rule reconfigure event_type="Integrity Violation" probable_cause="Information modification detected" severity=Minor,Warning
rule reload-software event_type="Integrity Violation" probable_cause="Information modification detected"
rule notify-only event_type="Security Service or Mechanism Violation"
rule fatal event_type="Physical Violation" probable_cause="Cable tamper"
rule diagnose-first
ladder reconfigure = configure | reboot, configure
ladder reload-software = download
timeout step = 2
timeout extended = 2
golden * Device.ManagementServer.PeriodicInformInterval = 3600 xsd:unsignedInt
EOF

start_consumer all
start_consumer filt
start_hemsd h --set "hemsd.policy=$T/policy"
N1=$(device_id N1) R1=$(device_id R1) F1=$(device_id F1)
subscribe "http://127.0.0.1:$CONS_PORT_all/nm" >/dev/null
subscribe "http://127.0.0.1:$CONS_PORT_filt/integrity" \
	'{"notificationTypes": ["notifyNewAlarm", "notifyClearedAlarm"], "alarmTypes": ["INTEGRITY_VIOLATION"]}' >/dev/null
subscribe "http://127.0.0.1:$CONS_PORT_filt/n1" "{\"deviceIds\": [\"$N1\"]}" >/dev/null
subscribe "http://127.0.0.1:$CONS_PORT_filt/critical" '{"perceivedSeverity": "CRITICAL"}' >/dev/null
[ "$(hemsctl --json subscriptions | json_get 'len(d["subscriptions"])')" = 4 ] || fail "4 subscriptions expected"
ok "four subscriptions (one for everything, three filtered)"

# --- alarm notifications of a notify-only alarm: new, changed, cleared; then acknowledged by NM
SEC='Security Service or Mechanism Violation'
inform N1 "$(alarm sec-1 "$SEC" Warning)" || fail "N1 inform"
wait_for 10 has_received all notifyNewAlarm
wait_for 10 has_received all notifyRemediationSucceeded
inform N1 "$(alarm sec-1 "$SEC" Minor ChangedAlarm)" || fail "N1 changed"
wait_for 10 has_received all notifyChangedAlarm
inform N1 "$(alarm sec-1 "$SEC" Minor ClearedAlarm)" || fail "N1 cleared"
wait_for 10 has_received all notifyClearedAlarm
ALARM=$(python3 -c 'import json,sys
for l in open(sys.argv[1]):
    b = json.loads(l)["body"]
    if b.get("notificationType") == "notifyNewAlarm":
        print(b["alarmId"]); break' "$T/all.jsonl")
fm PATCH "$FM/alarms/$ALARM" '{"ackState": "ACKNOWLEDGED", "ackUserId": "nm-operator-1"}' >/dev/null
[ "$(code)" = 204 ] || fail "PATCH ack: HTTP $(code)"
wait_for 10 has_received all notifyAckStateChanged
ok "notifyNewAlarm, notifyChangedAlarm, notifyClearedAlarm, notifyAckStateChanged, notifyRemediationSucceeded"

# --- a reconfigure case whose device never returns: started, step (rung failed), extended, no communication,
# awaiting instructions; NM decides to block it, then unblocks it
inform R1 "$(alarm int-1 'Integrity Violation' Minor NewAlarm 'Configuration modification' 'Information modification detected')" ||
	fail "R1 inform"
wait_for 10 has_received all notifyRemediationStarted
wait_for 30 has_received all notifyNoCommunicationPossible
wait_for 10 has_received all notifyAwaitingInstructions
CASE=$(fm GET "/nbi/v1/devices/$(urlenc "$R1")/cases" | json_get 'd["cases"][0]["caseId"]')
fm POST "/nbi/v1/cases/$CASE/decision" '{"decision": "block", "reason": "fraud team: replace the HeNB"}' >/dev/null
[ "$(code)" = 200 ] || fail "decision: HTTP $(code)"
wait_for 10 has_received all notifyDeviceBlocked
fm DELETE "/nbi/v1/devices/$(urlenc "$R1")/block" >/dev/null
[ "$(code)" = 200 ] || fail "unblock: HTTP $(code)"
wait_for 10 has_received all notifyDeviceUnblocked
ok "notifyRemediationStarted/Step, notifyExtendedRemediationStarted, notifyNoCommunicationPossible, notifyAwaitingInstructions, notifyDeviceBlocked/Unblocked"

# --- a fatal alarm awaits instructions at once; NM cancels that case (remediation failed)
inform F1 "$(alarm phy-1 'Physical Violation' Critical NewAlarm 'Antenna modified' 'Cable tamper')" || fail "F1 inform"
wait_for 10 has_received all notifyAwaitingInstructions 2
CASE=$(fm GET "/nbi/v1/devices/$(urlenc "$F1")/cases" | json_get 'd["cases"][0]["caseId"]')
fm POST "/nbi/v1/cases/$CASE/cancel" '{"reason": "false alarm, antenna replaced by the operator"}' >/dev/null
[ "$(code)" = 200 ] || fail "cancel: HTTP $(code)"
wait_for 10 has_received all notifyRemediationFailed

# --- a higher-level measure (the built-in HeMS block) reports its result
fm POST "/nbi/v1/devices/$(urlenc "$N1")/measures" '{"measure": "hems-block", "reason": "subscriber moved"}' >/dev/null
[ "$(code)" = 200 ] || fail "measure: HTTP $(code)"
wait_for 10 has_received all notifyEnforcementResult
ok "notifyRemediationFailed (cancelled), notifyEnforcementResult"

want="notifyAckStateChanged notifyAwaitingInstructions notifyChangedAlarm notifyClearedAlarm notifyDeviceBlocked
notifyDeviceUnblocked notifyEnforcementResult notifyExtendedRemediationStarted notifyNewAlarm
notifyNoCommunicationPossible notifyRemediationFailed notifyRemediationStarted notifyRemediationStep
notifyRemediationSucceeded"
wait_for 20 outbox_idle
got=$(received_types all | tr '\n' ' ')
for t in $want; do
	case " $got " in *" $t "*) ;; *) fail "type $t never reached the consumer (got: $got)" ;; esac
done
ok "all 14 notification types reached the consumer"

# Every notification once, in outbox order, with the header; the alarm ones with the 28.532 alarm fields.
python3 - "$T/all.jsonl" <<'EOF' || fail "notification bodies"
import json, sys
ids, last = set(), 0
for line in open(sys.argv[1]):
    b = json.loads(line)["body"]
    n = b["notificationId"]
    assert isinstance(n, int) and n > last, "notificationId %r after %r: not in order or repeated" % (n, last)
    last = n
    for k in ("href", "notificationId", "notificationType", "eventTime", "systemDN", "objectInstance"):
        assert k in b, "%s lacks %s" % (b["notificationType"], k)
    assert b["objectInstance"].startswith("HeMS=lifeline,HeNB="), b["objectInstance"]
    t = b["notificationType"]
    if t in ("notifyNewAlarm", "notifyChangedAlarm", "notifyClearedAlarm", "notifyAckStateChanged"):
        for k in ("alarmId", "alarmType", "probableCause", "perceivedSeverity"):
            assert k in b, "%s lacks %s" % (t, k)
    if t == "notifyNewAlarm":  # NotifyNewSecAlarm
        for k in ("specificProblem", "additionalText", "serviceUser", "serviceProvider", "securityAlarmDetector"):
            assert k in b, "notifyNewAlarm lacks %s" % k
        assert b["alarmType"] in ("SECURITY_SERVICE_OR_MECHANISM_VIOLATION", "INTEGRITY_VIOLATION",
                                  "PHYSICAL_VIOLATION"), b["alarmType"]
    if t == "notifyAckStateChanged":
        assert b["ackState"] == "ACKNOWLEDGED" and b["ackUserId"] == "nm-operator-1", b
    if t == "notifyClearedAlarm":
        assert b["perceivedSeverity"] == "CLEARED", b
EOF
ok "notificationIds strictly increasing (in order, no duplicates); header and alarm fields present"

# --- subscription filters
python3 - "$T/filt.jsonl" "$N1" <<'EOF' || fail "filtered subscribers"
import json, sys
seen = {"/integrity": 0, "/n1": 0, "/critical": 0}
for line in open(sys.argv[1]):
    d = json.loads(line)
    b, p = d["body"], d["path"]
    seen[p] += 1
    if p == "/integrity":
        assert b["notificationType"] in ("notifyNewAlarm", "notifyClearedAlarm"), b["notificationType"]
        assert b["alarmType"] == "INTEGRITY_VIOLATION", b
    elif p == "/n1":
        assert b["deviceId"] == sys.argv[2], b
    elif p == "/critical":
        assert b.get("perceivedSeverity") == "CRITICAL", b
assert seen["/integrity"] == 1, seen  # R1's new alarm only
assert seen["/critical"] == 1, seen   # F1's new alarm only
assert seen["/n1"] >= 7, seen         # N1: new, changed, cleared, ack, case started/resolved, blocked, result
EOF
ok "filters: notificationTypes + alarmTypes, deviceIds, perceivedSeverity each pass exactly what they name"

# --- the alarm list: filters, one record, counts
count_of() { fm GET "$FM/alarms$1" | json_get 'len(d)'; }
[ "$(count_of "?deviceId=$(urlenc "$F1")")" = 1 ] || fail "deviceId filter"
[ "$(count_of "?alarmType=PHYSICAL_VIOLATION")" = 1 ] || fail "alarmType filter"
[ "$(count_of "?perceivedSeverity=CRITICAL")" = 1 ] || fail "perceivedSeverity filter"
[ "$(count_of "")" = 2 ] || fail "the alarm list holds R1's and F1's alarms (N1's is cleared and acknowledged)"
[ "$(count_of "?includeHistory=true")" = 3 ] || fail "includeHistory brings N1's back"
[ "$(count_of "?ackState=ACKNOWLEDGED&alarmAckState=ALL_ALARMS&includeHistory=true")" = 1 ] || fail "ackState filter"
[ "$(count_of "?alarmAckState=ALL_ACTIVE_AND_UNACKNOWLEDGED_ALARMS")" = 2 ] || fail "alarmAckState filter"
[ "$(count_of "?since=2999-01-01T00:00:00Z")" = 0 ] || fail "since filter"
[ "$(count_of "?until=2000-01-01")" = 0 ] || fail "until filter"
[ "$(count_of "?since=2000-01-01&until=2999-01-01T00:00:00Z&includeHistory=true")" = 3 ] || fail "time window"
fm GET "$FM/alarms/alarmCount" >"$T/count"
python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); assert d["criticalCount"] == 1 and d["minorCount"] == 1 and d["clearedCount"] == 0, d' "$T/count" ||
	fail "alarmCount: $(cat "$T/count")"
# notifyClearedAlarm names the ClearedAlarm event; the record it resolves to is N1's alarm.
CLEARED=$(python3 -c 'import json,sys
for l in open(sys.argv[1]):
    b = json.loads(l)["body"]
    if b.get("notificationType") == "notifyClearedAlarm":
        print(b["alarmId"]); break' "$T/all.jsonl")
fm GET "$FM/alarms/$CLEARED" >"$T/rec"
python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); assert d["alarmId"] == sys.argv[2] and d["perceivedSeverity"] == "CLEARED" and d["ackState"] == "ACKNOWLEDGED" and d["ackUserId"] == "nm-operator-1", d' \
	"$T/rec" "$ALARM" || fail "record: $(cat "$T/rec")"
fm GET "$FM/alarms?perceivedSeverity=SEVERE" >/dev/null
[ "$(code)" = 400 ] && grep -q perceivedSeverity "$T/answer" || fail "bad filter: HTTP $(code)"
ok "alarm list: deviceId, alarmType, perceivedSeverity, ackState, alarmAckState, since/until; counts; a bad filter is named"

hemsctl subscriptions >"$T/subs" && grep -q "/nm" "$T/subs" || fail "hemsctl subscriptions"
hemsctl outbox >"$T/outbox" && grep -q "newest notification" "$T/outbox" || fail "hemsctl outbox"
hemsctl metrics >"$T/metrics"
grep -q '^hems_nbi_delivery_pending{subscription="1",owner="nm"} 0' "$T/metrics" || fail "delivery metrics"
grep -q '^hems_nbi_delivery_lag_seconds{subscription="1",owner="nm"} 0' "$T/metrics" || fail "lag metric"
grep -q '^hems_nbi_delivered_total{subscription="1",owner="nm"} [1-9]' "$T/metrics" || fail "delivered metric"
ok "delivery state in hemsctl subscriptions / outbox and /metrics"
