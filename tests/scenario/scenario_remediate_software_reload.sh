#!/usr/bin/env bash
# scenario_remediate_software_reload (5.7.2.2, reload software): henbd runs under henb-boot from signed slot A
# (1.0). A file of the running image changes: Integrity Violation / Major -> reload-software. hemsd sends a
# Download of the approved signed image (2.0, on its file server); henbd verifies it, installs it into slot B,
# reboots into it; hemsd requires TransferComplete without fault, the Inform with SoftwareVersion 2.0, the golden
# configuration read back, and a passing integrity self-test: the case is verified at rung 1.
. "$(dirname "$0")/libremediate.sh"

make_image 1.0 "$T/v1.lfi"
make_image 2.0 "$T/v2.lfi"
printf 'firmware %s = lifeline-2.0.lfi\n' "$PC" > "$T/policy.extra"
rem_hemsd
hemsctl file add lifeline-2.0.lfi "$T/v2.lfi" --product-class "$PC" --version 2.0 >/dev/null
ID=$(dev_id rel1)
DEV="$T/dev"
provision "$DEV" A "$T/v1.lfi"
provision "$DEV" failsafe "$T/v1.lfi"
mkdir -p "$T/rel1/device"
"$BOOT" --dev "$DEV" --pub "$T/k.pub" --retry-delay-ms 0 -- \
	--set "henb.state_dir=$T/rel1" --set device.serial_number=rel1 --set "henb.device_dir=$T/rel1/device" \
	--set "acs.url=http://127.0.0.1:$HEMS_PORT/cwmp" --set acs.second_ms=100 \
	--set acs.periodic_inform_interval=100000 --set cr.rate_limit=60 --set henb.hal_poll_ms=50 \
	--set "firmware.pubkey=$T/k.pub" --set monitor.sw_check_ms=200 2>>"$T/rel1.log" &
PIDS+=($!)
det_ready "$ID" rel1
[ "$(hemsctl --json device "$ID" | json_get 'd["softwareVersion"]')" = 1.0 ] || fail "not running 1.0"
ok "henbd runs signed image 1.0 from slot A under henb-boot"

wait_for 20 idle rel1
echo "# patched by an attacker" >> "$DEV/slots/A/etc/release"
expect_alarm "$ID" "Unexpected firmware/software modification" NewAlarm "Integrity Violation" \
	"Information modification detected" Major expedited
wait_for 120 case_is "$ID" resolved
timeline "$ID"
c=$(case_of "$ID")
[ "$(case_field "$c" 'd["procedure"]')" = reload-software ] || fail "procedure"
[ "$(case_field "$c" 'd["outcome"]')" = "reload-software verified at rung 1" ] || fail "outcome $(case_field "$c" 'd["outcome"]')"
timeline "$ID" | grep -q "Download of lifeline-2.0.lfi (version 2.0) sent" || fail "no Download"
timeline "$ID" | grep -q "TransferComplete .*: image installed" || fail "no TransferComplete"
timeline "$ID" | grep -q "Inform reports SoftwareVersion 2.0" || fail "no new version"
timeline "$ID" | grep -q "step diagnose done" || fail "no diagnostic verification"
[ "$(hemsctl --json device "$ID" | json_get 'd["softwareVersion"]')" = 2.0 ] || fail "not running 2.0"
grep -q "event=boot slot=B" "$T/rel1.log" || fail "henb-boot did not boot slot B"
"$IMG" status --dev "$DEV" --pub "$T/k.pub" | tee "$T/status" | grep -qi 'active.*B' || fail "slot B not active: $(cat "$T/status")"
ok "signed image 2.0 downloaded, verified, installed into slot B, booted; version, configuration and self-test verified"
sanitizers_clean
