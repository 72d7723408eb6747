#!/usr/bin/env bash
# scenario_registration_initial_to_serving (TS 32.593 5.1, discovery and registration): a factory-fresh HeNB (henbd
# under henb-boot from signed slot A) knows only the initial HeMS. It informs 0 BOOTSTRAP there; the initial HeMS
# assigns it by rule to its serving HeMS (ManagementServer.URL, SeGW, HeNB-GW) and tells NM; the HeNB follows the
# new URL at once with 0 BOOTSTRAP at the serving HeMS, which provisions it (security alarms expedited, golden
# configuration, connection request credentials, distress keys) and manages it from then on. A reboot informs
# 1 BOOT at the serving HeMS: the initial HeMS never hears of it again.
. "$(dirname "$0")/libemergency.sh"

em_images
start_serving
start_initial
em_boot reg1
ID=$(dev_id reg1)

# 1. First contact: the initial HeMS, by rule.
wait_for 30 grep -q "event=assignment device=$ID serving=$SERVING_URL segw=192.0.2.10 rule_line=3" "$T/initial.log"
grep -q "event=inform device=$ID events=\"0 BOOTSTRAP,1 BOOT\"" "$T/initial.log" || fail "no 0 BOOTSTRAP at the initial HeMS"
[ "$(sqlite3 "$T/initial.db" "select count(*) from outbox where type='notifyDeviceAssigned'")" = 1 ] ||
	fail "NM was not told of the assignment"
ok "0 BOOTSTRAP at the initial HeMS; assigned to the serving HeMS by rule (line 3); NM told (notifyDeviceAssigned)"

# 2. The HeNB follows ManagementServer.URL: 0 BOOTSTRAP at the serving HeMS, and it is provisioned there.
wait_for 30 registered_at serving "$ID"
wait_for 30 provisioned_at serving "$ID"
in_order "$T/reg1.log" 'event=session_start events="0 BOOTSTRAP,1 BOOT"' 'event=session_ok' \
	'event=session_start events="0 BOOTSTRAP"' 'event=session_ok' || fail "the HeNB did not bootstrap twice in order"
[ "$(sqlite3 "$T/initial.db" "select count(*) from tasks where device_id='$ID' and method!='SetParameterValues'")" = 0 ] ||
	fail "the initial HeMS did more than hand the device over"
wait_for 20 idle reg1
use_hems serving
[ "$(gpv "$ID" Device.ManagementServer.URL)" = "$SERVING_URL" ] || fail "ManagementServer.URL"
[ "$(gpv "$ID" Device.Services.FAPService.1.FAPControl.LTE.Gateway.SecGWServer1)" = 192.0.2.10 ] || fail "SeGW"
[ "$(gpv "$ID" Device.Services.FAPService.1.FAPControl.LTE.Gateway.S1SigLinkServerList)" = 192.0.2.20 ] || fail "S1"
[ "$(gpv "$ID" Device.ManagementServer.PeriodicInformInterval)" = 3600 ] || fail "golden configuration not applied"
case "$(gpv "$ID" Device.ManagementServer.ConnectionRequestUsername)" in cr-*) ;; *) fail "no connection request credentials";; esac
[ "$(gpv "$ID" Device.X_00005A_Distress.Enable)" = true ] || fail "no distress keys"
inst=$(sa_instance "$ID" "Unexpected firmware/software modification")
[ "$(gpv "$ID" "Device.FaultMgmt.SupportedAlarm.$inst.ReportingMechanism")" = "0 Expedited" ] ||
	fail "security alarms not expedited"
ok "0 BOOTSTRAP at the serving HeMS: URL, SeGW 192.0.2.10, HeNB-GW 192.0.2.20, golden configuration, connection request credentials, distress keys, security alarms expedited"

# 3. Managed by the serving HeMS: a task woken by a connection request (the credentials of step 2).
task "$ID" SetParameterValues '{"values":[{"name":"Device.DeviceInfo.ProvisioningCode","value":"SERVED","type":"xsd:string"}],"parameterKey":"t1"}'
expect_status done
grep -q "event=cr_accepted via=http" "$T/reg1.log" || fail "the task did not come by connection request"
ok "managed by the serving HeMS: SetParameterValues delivered through a connection request"

# 4. A reboot: 1 BOOT at the serving HeMS, no 0 BOOTSTRAP, nothing at the initial HeMS.
n_initial=$(informs_at initial "$ID")
task "$ID" Reboot '{"commandKey":"r1"}'
rebooted() { grep -q "event=inform device=$ID events=\"1 BOOT,M Reboot\"" "$T/serving.log"; }
wait_for 30 rebooted
[ "$(grep -c "event=inform device=$ID events=\"0 BOOTSTRAP" "$T/serving.log")" = 1 ] || fail "bootstrapped again"
[ "$(informs_at initial "$ID")" = "$n_initial" ] || fail "the initial HeMS heard from the HeNB again"
ok "after a reboot: 1 BOOT + M Reboot at the serving HeMS; the initial HeMS is not contacted again"
sanitizers_clean
