#!/usr/bin/env bash
# hems_roles_scripted: the three hemsd roles with a scripted HeNB: the initial HeMS hands a bootstrapping HeNB
# over to its serving HeMS by assignment rule (URL and gateways), the HeNB registers there with 0 BOOTSTRAP and
# is provisioned; the emergency HeMS answers a failsafe HeNB's RequestDownload with the approved image and tracks
# it as a case; bad role configuration is refused with the line named.
. "$(dirname "$0")/../lib/common.sh"

start_hemsd serving
SERVING_PORT=$HEMS_PORT
cat > "$T/assign" <<RULES
# initial HeMS assignment rules
assign product_class=Nope* url=http://127.0.0.1:9/cwmp
assign product_class=Cavium* serial=ROLE* url=http://127.0.0.1:$SERVING_PORT/cwmp segw=192.0.2.10 s1=192.0.2.20
RULES
start_hemsd initial --set hemsd.role=initial --set "hemsd.assignments=$T/assign"
INITIAL_PORT=$HEMS_PORT
start_device ROLE01
handed() { HEMSCTL_URL=http://127.0.0.1:$SERVING_PORT hemsctl devices | grep -q ROLE01; }
wait_for 30 handed
D=000FB7-Cavium%20eNB-ROLE01
grep -q '"what": "new_acs"' "$T/ROLE01.cpe.log" || fail "no hand-over"
grep -q "event=assignment device=$D serving=http://127.0.0.1:$SERVING_PORT/cwmp segw=192.0.2.10 rule_line=3" "$T/initial.log" ||
	fail "the assignment rule is not in the log"
[ "$(sqlite3 "$T/initial.db" "select count(*) from outbox where type='notifyDeviceAssigned'")" = 1 ] || fail "NM not told"
[ "$(sqlite3 "$T/initial.db" "select count(*) from tasks where method='SetParameterAttributes'")" = 0 ] ||
	fail "the initial HeMS provisioned the device itself"
provisioned() { [ "$(sqlite3 "$T/serving.db" "select count(*) from tasks where device_id='$D' and status=2 and args like '%_purpose%'")" -ge 2 ]; }
wait_for 20 provisioned
ok "initial HeMS -> serving HeMS: assigned by rule 3, registered with 0 BOOTSTRAP, provisioned by the serving HeMS"

# Emergency HeMS: a failsafe HeNB informs with X 000FB7 EMERGENCY and asks for an image.
head -c 100000 /dev/urandom > "$T/fw.img"
printf 'firmware * = fw-3.0.img\nladder reconfigure = configure\nladder reload-software = download\n' > "$T/policy"
start_hemsd emergency --set hemsd.role=emergency --set "hemsd.policy=$T/policy"
hemsctl file add fw-3.0.img "$T/fw.img" --version 3.0 >/dev/null
start_device FAILSAFE1 --emergency --new-version 3.0
E=000FB7-Cavium%20eNB-FAILSAFE1
reimaged() { [ "$(case_field "$(case_of $E)" 'd["state"]')" = resolved ]; }
wait_for 30 reimaged
hemsctl case "$(case_of $E)"
[ "$(case_field "$(case_of $E)" 'd["procedure"]')" = emergency-reimage ] || fail "procedure"
grep -q '"what": "download", "url": "http://127.0.0.1:'"$HEMS_PORT"'/files/fw-3.0.img", "ok": true' "$T/FAILSAFE1.cpe.log" || fail "no download"
grep -q "event=emergency_inform device=$E" "$T/emergency.log" || fail "emergency Inform not noticed"
ok "emergency HeMS: RequestDownload -> Download of the approved image -> TransferComplete -> case resolved"

# A failed emergency download: the HeNB shuts down, NM hears 'no communication possible'.
start_device FAILSAFE2 --emergency --download-fault 9019
E2=000FB7-Cavium%20eNB-FAILSAFE2
awaiting() { [ "$(case_field "$(case_of $E2)" 'd["state"]')" = awaiting_instructions ]; }
wait_for 30 awaiting
hemsctl case "$(case_of $E2)" | grep -q "TransferComplete fault 9019" || fail "fault not in the timeline"
[ "$(sqlite3 "$T/emergency.db" "select count(*) from outbox where type='notifyNoCommunicationPossible'")" = 1 ] || fail "NM"
ok "failed emergency image (9019): no communication possible, awaiting instructions"

# Configuration errors name what is wrong.
if "$LF_BIN/hemsd" --set hemsd.role=boss 2>"$T/err"; then fail "bad role accepted"; fi
grep -q "hemsd.role 'boss' is not serving, initial or emergency" "$T/err" || fail "$(cat "$T/err")"
printf 'assign url=ftp://x\n' > "$T/bad"
if "$LF_BIN/hemsd" --set hemsd.role=initial --set "hemsd.assignments=$T/bad" --set "hemsd.store=sqlite:$T/x.db" 2>"$T/err"; then fail "bad rule accepted"; fi
grep -q "$T/bad:1: url must be" "$T/err" || fail "$(cat "$T/err")"
ok "bad role and bad assignment rule refused with the line named"
