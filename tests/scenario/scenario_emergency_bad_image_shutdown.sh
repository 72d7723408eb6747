#!/usr/bin/env bash
# scenario_emergency_bad_image_shutdown (TS 32.593 5.7.3.2, failure): the escalation of scenario_emergency_reimage
# (serving HeMS gone with its distress server, S1 up, a tampered image, the alarm undeliverable, the distress
# channel failed) takes the HeNB into the failsafe image, but the emergency HeMS offers an image signed with a key
# the HeNB does not trust. The failsafe image refuses it before writing anything (TransferComplete 9019), which
# the emergency HeMS turns into "no communication possible" for NM; then the HeNB shuts down: RF off first, the
# reason persisted in protected storage and in the boot state, and it stays down at the next power-on.
. "$(dirname "$0")/libemergency.sh"

em_images
# The badly signed image: a stranger's key over the same content.
"$IMG" keygen "$T/other.priv" "$T/other.pub" >/dev/null
"$IMG" build --key "$T/other.priv" --product-class "$PC" --hw 1.0 --version 2.0 --out "$T/bad.lfi" "$T/src-2.0" >/dev/null
start_serving
start_initial
start_emergency "$T/bad.lfi"
em_boot bad1
ID=$(dev_id bad1)
wait_for 30 provisioned_at serving "$ID"
A_V1=$(slot_tree A)

to_failsafe bad1
A_TAMPERED=$(slot_tree A)
ok "tamper, standard and distress paths gone, S1 up: emergency remediation, failsafe image"

# The image is refused: 9019, nothing written.
wait_for 60 grep -q "event=fw_check_refused .*fault=9019" "$T/bad1.log"
stays_down bad1
in_order "$T/bad1.log" "event=failsafe_mode" "event=emergency_download_accepted" "event=fw_check_refused .*fault=9019" \
	"event=transfer_complete_sent .*fault=9019" "event=transfer_complete_acked" "event=rf_tx state=off reason=emergency_failed" \
	"event=emergency_failed reason=\"the emergency image was refused: TransferComplete fault 9019" \
	"event=agent_exit slot=failsafe code=11" || fail "the failure is out of order"
[ -z "$(slot_tree B)" ] || fail "slot B was written"
[ "$(slot_tree A)" = "$A_TAMPERED" ] || fail "slot A was written"
[ "$(bootctl active)" = A ] && [ "$(bootctl pending)" = none ] || fail "boot state: $("$IMG" status --dev "$DEV")"
ok "failsafe: the badly signed image refused (9019) before any slot write; reported; then RF off, reason persisted, exit 11"

# The emergency HeMS: the case failed, NM hears "no communication possible".
use_hems emergency
timeline "$ID" | tee "$T/timeline"
[ "$(case_field "$(case_of "$ID")" 'd["procedure"]')" = emergency-reimage ] || fail "procedure"
grep -q "TransferComplete fault 9019" "$T/timeline" || fail "the fault is not in the timeline"
grep -q "no communication possible" "$T/timeline" || fail "no 'no communication possible' in the timeline"
case_is "$ID" awaiting_instructions || fail "case state $(case_state "$ID")"
outbox_types emergency "$ID" | tr '\n' ' ' | tee "$T/outbox"; echo
grep -q "notifyRemediationStarted.*notifyNoCommunicationPossible.*notifyAwaitingInstructions" "$T/outbox" ||
	fail "NM was not told"
ok "emergency HeMS: TransferComplete 9019 in the case timeline; NM: no communication possible, awaiting instructions"
ok "stays down: a new henb-boot boots nothing (shutdown flag), RF off"
[ "$A_V1" != "$A_TAMPERED" ] || fail "the tamper did not change slot A"
sanitizers_clean
