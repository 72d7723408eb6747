#!/usr/bin/env bash
# scenario_emergency_reimage (TS 32.593 5.7.3.2 then 5.1): a HeNB registered through the initial HeMS at its serving
# HeMS runs signed image 1.0 from slot A under henb-boot. The serving HeMS goes away - the standard path and the
# distress server with it (no network namespaces here: the hemsd behind both is stopped) - while the S1 link stays
# up, and a file of the running image is changed. The Integrity Violation cannot be delivered, the distress
# channel fails too: emergency remediation. The HeNB reboots into the read-only failsafe image (RF off), informs
# "X 00005A EMERGENCY" + "1 BOOT" at the emergency HeMS, asks for an image (RequestDownload), gets the approved
# image 2.0, verifies it, installs it into slot B, reports it (TransferComplete 0) and reboots into it,
# factory-fresh: 0 BOOTSTRAP at the initial HeMS, handed over to the serving HeMS (back by then), provisioned and
# managed again. The emergency HeMS's case timeline and its northbound outbox tell the story.
. "$(dirname "$0")/libemergency.sh"

em_images
start_serving
start_initial
start_emergency "$T/v2.lfi"
em_boot em1
ID=$(dev_id em1)
wait_for 30 provisioned_at serving "$ID"
[ "$(hc serving --json device "$ID" | json_get 'd["softwareVersion"]')" = 1.0 ] || fail "not running 1.0"
ok "registered through the initial HeMS at the serving HeMS, image 1.0 from slot A, distress keys provisioned"

# 1. Tamper detected; standard and distress paths unavailable; S1 up.
to_failsafe em1
in_order "$T/em1.log" "event=tamper_detected alarm=sw-modified" \
	"event=alarm_delivery_failed" "event=distress_session_start" "event=distress_path_failed" \
	"event=emergency_remediation_start available=yes" "event=emergency_start " "event=factory_reset" \
	"event=boot slot=failsafe" "event=failsafe_mode" || fail "the escalation is out of order"
grep -q "event=agent_exit slot=A code=10 action=reboot" "$T/em1.log" || fail "slot A did not reboot (exit 10)"
[ "$(bootctl failsafe_requested)" = no ] || fail "the failsafe request was not consumed (one-shot)"
ok "tamper, alarm undeliverable, distress failed, S1 up: emergency remediation, reboot into the failsafe image"
# The outage of the serving HeMS is over (it comes back on its port and store) before the new image looks for it.
restart_serving

# 2. Failsafe mode: only the basics, RF off, at the emergency HeMS.
grep -q "event=rf_tx state=off" "$T/em1.log" || fail "RF not off"
E=$ID
wait_for 60 grep -q "event=inform device=$E events=\"1 BOOT,X 00005A EMERGENCY\"" "$T/emergency.log"
grep -q "event=emergency_inform device=$E role=emergency" "$T/emergency.log" || fail "emergency Inform not noticed"
grep -q "event=request_download device=$E file_type=\"1 Firmware Upgrade Image\"" "$T/emergency.log" ||
	fail "no RequestDownload at the emergency HeMS"
! grep -q "events=\"[^\"]*EMERGENCY" "$T/initial.log" "$T/serving.log" || fail "the failsafe image informed another HeMS"
ok "failsafe: RF off; Inform 1 BOOT + X 00005A EMERGENCY and RequestDownload(1 Firmware Upgrade Image) at the emergency HeMS"

# 3. The approved image: verified, installed into slot B, reported, booted; then discovery and registration.
use_hems emergency
resolved() { case_is "$E" resolved; }
wait_for 90 resolved
timeline "$E" | tee "$T/timeline"
C=$(case_of "$E")
[ "$(case_field "$C" 'd["procedure"]')" = emergency-reimage ] || fail "procedure"
grep -q "a failsafe HeNB asks for a new software image" "$T/timeline" || fail "timeline: request"
grep -q "Download of lifeline-2.0.lfi (version 2.0) sent" "$T/timeline" || fail "timeline: Download"
grep -q "TransferComplete .*: image installed" "$T/timeline" || fail "timeline: TransferComplete"
outbox_types emergency "$E" | tr '\n' ' ' | tee "$T/outbox"; echo
grep -q "notifyRemediationStarted.*notifyRemediationSucceeded" "$T/outbox" || fail "NM not told of the emergency and its success"
in_order "$T/em1.log" "event=emergency_download_accepted" "event=fw_check_start" "event=fw_install_done .*slot=B" \
	"event=transfer_complete_sent .*fault=0" "event=emergency_reimaged .*slot=B" "event=factory_reset" \
	"event=boot slot=B" "event=emergency_complete slot=B" || fail "the re-imaging is out of order"
ok "emergency HeMS: case resolved (emergency-reimage), timeline Download -> TransferComplete; NM: started, succeeded"

wait_for 60 registered_at serving "$ID"
in_order "$T/initial.log" "event=inform device=$ID events=\"0 BOOTSTRAP,1 BOOT\"" \
	"event=inform device=$ID events=\"0 BOOTSTRAP,1 BOOT\"" || fail "the new image did not bootstrap at the initial HeMS"
[ "$(grep -c "event=assignment device=$ID serving=$SERVING_URL" "$T/initial.log")" = 2 ] || fail "not handed over again"
[ "$(informs_at initial "$ID")" = 2 ] || fail "the initial HeMS saw more than the two bootstraps"
again() { [ "$(sqlite3 "$T/serving.db" "select count(*) from tasks where device_id='$ID' and status=2 and args like '%\"_purpose\":\"alarms-expedited\"%'")" -ge 2 ]; }
wait_for 30 again
[ "$(hc serving --json device "$ID" | json_get 'd["softwareVersion"]')" = 2.0 ] || fail "the serving HeMS does not see 2.0"
wait_for 30 test "$(bootctl active)" = B
[ "$(bootctl pending)" = none ] || fail "slot B still on trial"
[ ! -e "$T/em1/device/protected/emergency" ] || fail "the emergency record is still there"
ok "new image 2.0 from slot B (confirmed): 0 BOOTSTRAP at the initial HeMS, handed over, 0 BOOTSTRAP and provisioning at the serving HeMS"

# 4. Managed again: a task through the serving HeMS.
use_hems serving
wait_for 20 idle em1
task "$ID" GetParameterValues '{"names":["Device.DeviceInfo.SoftwareVersion"]}'
expect_status done
[ "$(tj 'd["result"]["parameters"][0]["value"]')" = 2.0 ] || fail "task result"
echo up >"$T/em1/device/s1_link"
wait_for 10 test "$(cat "$T/em1/device/rf_tx")" = on
ok "managed again: GetParameterValues through the serving HeMS (connection request) answers 2.0; the cell transmits again"
sanitizers_clean
