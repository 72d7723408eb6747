#!/usr/bin/env bash
# cpe_firmware_upgrade: a signed image reaches a running HeNB through a TR-069 Download from hemsd's file server:
# henbd (run by henb-boot from slot A, version 1.0) fetches it, checks it, installs it into slot B, reboots
# (exit 10), henb-boot starts slot B on trial, the new henbd informs with SoftwareVersion 2.0, confirms slot B
# after its first good session and only then reports TransferComplete fault 0, which hemsd attaches to the
# Download task. Then a signed vendor configuration file is applied the same way, and slot A (now the inactive
# one) takes the next upgrade, fetched over HTTPS. Slot A is never written while it runs.
. "$(dirname "$0")/libfw.sh"

start_hemsd hems
fw_keys
fw_build 1.0 "$T/v1.lfi"
fw_build 2.0 "$T/v2.lfi"
fw_provision "$T/v1.lfi"
A_BEFORE=$(slot_tree A)
make_pki "$T/pki"
ID=$(dev_id up1)
boot_start up1 --set "acs.ca_file=$T/pki/ca.pem"
wait_for 30 informs_at_least "$ID" 1
[ "$(cached_param "$ID" Device.DeviceInfo.SoftwareVersion)" = 1.0 ] ||
	fail "SoftwareVersion before: $(cached_param "$ID" Device.DeviceInfo.SoftwareVersion)"
wait_for 20 test "$(bootctl booted)" = A
ok "henb-boot runs henbd from slot A; its Inform says SoftwareVersion 1.0 (the slot's signed manifest)"

pid_a=$(agent_pid)
URL=$(file_url fw-2.0.lfi "$T/v2.lfi")
tid=$(download "$ID" up-1 "$URL" "$(stat -c %s "$T/v2.lfi")")
wait_for 60 has_tc "$tid"
[ "$(tc_fault "$tid")" = 0 ] || fail "TransferComplete: $(hemsctl --json task get "$tid")"
[ "$(task_field "$tid" 'd["result"]["status"]')" = 1 ] || fail "DownloadResponse status: $(hemsctl --json task get "$tid")"
grep -q 'event=transfer_complete device=.* command_key="up-1" fault=0 download_task=matched' "$T/hems.log" ||
	fail "hemsd did not match the TransferComplete to the task"
ok "Download accepted with Status 1; TransferComplete fault 0 matched to the Download task"

# The sequence in the agent's log: fetched, checked, installed into B, rebooted, B booted, confirmed, reported.
grep -q 'event=fw_install_done command_key="up-1" slot=B version="2.0" launcher=yes' "$T/up1.log" ||
	fail "install into slot B not logged"
grep -q 'event=agent_exit slot=A code=10 action=reboot' "$T/up1.log" || fail "no reboot (exit 10) from slot A"
grep -q 'event=boot slot=B' "$T/up1.log" || fail "henb-boot did not boot slot B"
grep -q 'event=fw_slot_confirmed slot=B' "$T/up1.log" || fail "slot B not confirmed by its agent"
kill -0 "$pid_a" 2>/dev/null && fail "the agent of slot A still runs"
[ "$(agent_pid)" != "" ] || fail "no agent runs after the upgrade"
ok "installed into slot B, exit 10, henb-boot booted slot B, its agent confirmed it"

[ "$(cached_param "$ID" Device.DeviceInfo.SoftwareVersion)" = 2.0 ] ||
	fail "SoftwareVersion after: $(cached_param "$ID" Device.DeviceInfo.SoftwareVersion)"
in_order "$T/up1.log" 'event=fw_install_done command_key="up-1"' 'event=agent_exit slot=A code=10' \
	'event=boot slot=B' 'event=software_version slot=B version="2.0"' 'event=session_start events="1 BOOT"' \
	'event=fw_slot_confirmed slot=B' 'event=session_start events="7 TRANSFER COMPLETE,M Download"' \
	'event=transfer_complete_sent command_key="up-1" fault=0' || fail "upgrade sequence"
ok "the new image informs 1 BOOT with SoftwareVersion 2.0, then 7 TRANSFER COMPLETE + M Download"

[ "$(bootctl active)" = B ] || fail "active: $(bootctl active)"
[ "$(bootctl pending)" = none ] || fail "pending: $(bootctl pending)"
[ "$(bootctl booted)" = B ] || fail "booted: $(bootctl booted)"
"$IMG" status --dev "$DEV" --pub "$T/k.pub" >"$T/status.out"
grep -q "slot B: version 2.0, good, verified" "$T/status.out" || { cat "$T/status.out"; fail "slot B not good"; }
grep -q "slot A: version 1.0, good, verified" "$T/status.out" || { cat "$T/status.out"; fail "slot A changed"; }
[ "$(slot_tree A)" = "$A_BEFORE" ] || fail "slot A was written"
[ ! -e "$T/up1/download/firmware.install" ] || fail "install marker left behind"
[ -z "$(ls "$T/up1/download" | grep '^dl-')" ] || fail "download left behind: $(ls "$T/up1/download")"
ok "bootctl: B active, good, nothing pending; slot A untouched (the fallback); download area clean"

# A signed vendor configuration file: an image whose one file sets data model values.
mkdir -p "$T/cfg-src"
printf '# vendor configuration\nDevice.DeviceInfo.ProvisioningCode = vendor-cfg-7\nDevice.ManagementServer.DefaultActiveNotificationThrottle = 42\n' \
	>"$T/cfg-src/henbd.params"
"$IMG" build --key "$T/k.priv" --product-class "$PC" --hw 1.0 --version cfg-7 --out "$T/cfg.lfi" "$T/cfg-src" >/dev/null
URL=$(file_url cfg-7.lfi "$T/cfg.lfi")
tid=$(download "$ID" cfg-1 "$URL" 0 "3 Vendor Configuration File")
wait_for 30 has_tc "$tid"
[ "$(tc_fault "$tid")" = 0 ] || fail "config TransferComplete: $(hemsctl --json task get "$tid")"
task "$ID" GetParameterValues '{"names":["Device.DeviceInfo.ProvisioningCode","Device.ManagementServer.DefaultActiveNotificationThrottle"]}'
[ "$(tj '",".join(p["value"] for p in d["result"]["parameters"])')" = "vendor-cfg-7,42" ] ||
	fail "values after the configuration file: $(cat "$T/task.json")"
# Unsigned by our key: refused (9019), nothing applied.
printf 'Device.DeviceInfo.ProvisioningCode = forged\n' >"$T/cfg-src/henbd.params"
"$IMG" build --key "$T/other.priv" --product-class "$PC" --hw 1.0 --version cfg-8 --out "$T/cfg8.lfi" "$T/cfg-src" >/dev/null
URL=$(file_url cfg-8.lfi "$T/cfg8.lfi")
tid=$(download "$ID" cfg-2 "$URL" 0 "3 Vendor Configuration File")
wait_for 30 has_tc "$tid"
[ "$(tc_fault "$tid")" = 9019 ] || fail "forged config TransferComplete: $(hemsctl --json task get "$tid")"
task "$ID" GetParameterValues '{"names":["Device.DeviceInfo.ProvisioningCode"]}'
[ "$(tj 'd["result"]["parameters"][0]["value"]')" = vendor-cfg-7 ] || fail "a forged configuration was applied"
# A firmware image given as a configuration file: refused (9010).
tid=$(download "$ID" cfg-3 "http://127.0.0.1:$HEMS_PORT/files/fw-2.0.lfi" 0 "3 Vendor Configuration File")
wait_for 30 has_tc "$tid"
[ "$(tc_fault "$tid")" = 9010 ] || fail "firmware as config: $(hemsctl --json task get "$tid")"
ok "3 Vendor Configuration File: signed file applied (fault 0); other key 9019 and nothing applied; wrong kind 9010"

# The next upgrade goes to slot A, now the inactive one, from a file server on HTTPS whose certificate
# acs.ca_file vouches for.
fw_build 3.0 "$T/v3.lfi"
tls_file_server files "$T/pki/ca.pem" "$T/pki/server.pem" "$T/pki/server.key" fw-3.0.lfi "$T/v3.lfi"
tid=$(download "$ID" up-2 "$TLS_URL")
wait_for 60 has_tc "$tid"
[ "$(tc_fault "$tid")" = 0 ] || fail "second upgrade: $(hemsctl --json task get "$tid")"
[ "$(bootctl active)" = A ] && [ "$(bootctl booted)" = A ] || fail "second upgrade: active $(bootctl active)"
wait_for 20 test "$(cached_param "$ID" Device.DeviceInfo.SoftwareVersion)" = 3.0
grep -q 'event=file_served name=fw-3.0.lfi' "$T/files.log" || fail "not fetched from the HTTPS file server"
ok "a second upgrade over HTTPS (no FileSize) goes into slot A, the inactive one, and runs as 3.0"

# A file server that breaks off the first transfer: henbd resumes it with a Range request in the same run.
fw_build 4.0 "$T/v4.lfi"
flaky_server flaky break-first "$T/v4.lfi"
tid=$(download "$ID" up-3 "$FLAKY_URL" "$(stat -c %s "$T/v4.lfi")")
wait_for 60 has_tc "$tid"
[ "$(tc_fault "$tid")" = 0 ] || fail "upgrade through a broken transfer: $(hemsctl --json task get "$tid")"
grep -q 'event=download_interrupted command_key="up-3"' "$T/up1.log" || fail "no interruption seen"
grep -q "request=2 range=bytes=[1-9][0-9]*- broken=False" "$T/flaky.log" || fail "no Range request: $(cat "$T/flaky.log")"
[ "$(bootctl active)" = B ] || fail "not on B after the resumed download"
wait_for 20 test "$(cached_param "$ID" Device.DeviceInfo.SoftwareVersion)" = 4.0
ok "a transfer broken off by the server is resumed with a Range request: 4.0 runs from slot B"

sanitizers_clean
ok "firmware upgrade"
