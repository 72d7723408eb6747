#!/usr/bin/env bash
# scenario_emergency_hems_unreachable (TS 32.593 5.7.3.2, failure): nothing answers. The serving HeMS is gone with its
# distress server and the emergency HeMS the HeNB was given in protected configuration does not run (a closed
# port: no namespaces here). The escalation takes the HeNB into the failsafe image, whose sessions with the
# emergency HeMS fail emergency.tries times in a row: it shuts down - RF off first, the reason persisted, it stays
# down - and does nothing else: no other HeMS contacted, no distress session, no download, no slot written.
. "$(dirname "$0")/libemergency.sh"

em_images
start_serving
start_initial
EPORT=$(free_port)
EMERGENCY_URL="http://127.0.0.1:$EPORT/cwmp" # nobody listens there
em_boot un1
ID=$(dev_id un1)
wait_for 30 provisioned_at serving "$ID"
A0=$(slot_tree A)

to_failsafe un1
n_initial=$(informs_at initial "$ID")
n_distress=$(grep -c "event=distress_session_start" "$T/un1.log" || true)
ok "tamper, standard and distress paths gone, S1 up: emergency remediation, failsafe image"

stays_down un1
grep -q "event=emergency_failed reason=\"the emergency HeMS $EMERGENCY_URL cannot be reached: 3 sessions failed in a row" \
	"$T/un1.log" || fail "no shutdown for an unreachable emergency HeMS"
# What the failsafe image did: sessions towards the emergency HeMS only, then the shutdown.
sed -n '/event=failsafe_mode/,$p' "$T/un1.log" >"$T/failsafe.log"
[ "$(grep -c 'event=session_start events="1 BOOT,X 00005A EMERGENCY"' "$T/failsafe.log")" -ge 1 ] || fail "no emergency Inform"
[ "$(grep -c 'event=session_failed' "$T/failsafe.log")" = 3 ] || fail "not 3 failed sessions"
grep 'event=session_failed' "$T/failsafe.log" | grep -qv "port $EPORT after" && fail "a session went elsewhere" || true
grep -Eq "event=(download_start|fetch_start|fw_check_start|distress_session_start|emergency_request_download)" "$T/failsafe.log" &&
	fail "the failsafe image did more than contact the emergency HeMS"
[ "$(informs_at initial "$ID")" = "$n_initial" ] || fail "the initial HeMS was contacted"
[ "$(grep -c "event=distress_session_start" "$T/un1.log" || true)" = "$n_distress" ] || fail "a distress session"
[ -z "$(slot_tree B)" ] || fail "slot B was written"
in_order "$T/un1.log" "event=failsafe_mode" "event=rf_tx state=off reason=emergency_failed" \
	"event=fw_shutdown_requested" "event=emergency_failed" "event=agent_exit slot=failsafe code=11" ||
	fail "the shutdown is out of order"
ok "failsafe: 3 failed sessions with the emergency HeMS (and nothing else), then RF off, reason persisted, exit 11"
ok "stays down: a new henb-boot boots nothing (shutdown flag), RF off"
[ "$A0" != "$(slot_tree A)" ] || fail "the tamper did not change slot A"
sanitizers_clean
