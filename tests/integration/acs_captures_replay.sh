#!/usr/bin/env bash
# acs_captures_replay: hand-written CWMP conversations made of real captured messages (other vendors' CPEs and
# ACSs, ../shared/reference/captures): Informs of three vendors register; a queued SetParameterValues answered
# with the captured SOAP Fault is stored with its per-parameter faults; the captured TransferComplete is answered;
# the session ends with 204.
. "$(dirname "$0")/../lib/common.sh"
: "${LF_REF:?}"
C="$LF_REF/captures"

# The captures are whole conversations: no provisioning task of our own in between.
start_hemsd hems --set connreq.provision_credentials=false --set provision.alarm_reporting=false \
	--set provision.golden_config=false
URL="http://127.0.0.1:$HEMS_PORT/cwmp"
post() { curl -s -b "$T/jar" -c "$T/jar" -o "$T/body" -w '%{http_code}' -H 'Content-Type: text/xml' --data-binary "$@" "$URL"; }

for f in inform-cavium-enb inform-thomson-speedtouch780 inform-thomson-speedtouch780-b inform-zte-ebg2100-odd; do
	rm -f "$T/jar"
	[ "$(post @"$C/$f.xml")" = 200 ] || fail "$f refused: $(cat "$T/body")"
	grep -q 'InformResponse' "$T/body" || fail "$f: no InformResponse"
	id=$(sed -n 's/.*<cwmp:ID[^>]*>\([^<]*\)<.*/\1/p' "$C/$f.xml" | head -1)
	grep -q ">$id</cwmp:ID>" "$T/body" || fail "$f: cwmp:ID $id not echoed"
	grep -q 'urn:dslforum-org:cwmp-1-0' "$T/body" || fail "$f: answer not in the CPE's namespace"
	[ "$(post '')" = 204 ] || fail "$f: session did not end with 204"
done
n=$(hemsctl --json devices | json_get 'len(d["devices"])')
[ "$n" = 3 ] || fail "expected 3 devices (two Thomson captures are one device), got $n"
sw=$(hemsctl --json device "00147F-SpeedTouch%20780-CP0611JTLNW" | json_get 'd["softwareVersion"]')
[ "$sw" = 6.2.35.0 ] || fail "Thomson SoftwareVersion from a TR-098 Inform: '$sw'"
ok "Cavium (Device:2), Thomson (TR-098, two Informs) and ZTE (odd) Informs registered; IDs echoed; 204 at the end"

# A queued SPV; the device answers with the captured fault (9003 with two SetParameterValuesFault).
ID="00147F-SpeedTouch%20780-CP0611JTLNW"
task=$(hemsctl task add "$ID" SetParameterValues '{"values":[{"name":"InternetGatewayDevice.WANDevice.1.WANConnectionDevice.3.WANPPPConnection.1.Password","value":"x"},{"name":"InternetGatewayDevice.WANDevice.1.WANConnectionDevice.3.WANPPPConnection.1.Username","value":"y"}]}')
rm -f "$T/jar"
[ "$(post @"$C/inform-thomson-speedtouch780-b.xml")" = 200 ] || fail "Inform"
[ "$(post @"$C/transfercomplete.xml")" = 200 ] && grep -q TransferCompleteResponse "$T/body" || fail "TransferComplete"
grep -q '>1234</cwmp:ID>' "$T/body" || fail "TransferComplete ID not echoed"
[ "$(post '')" = 200 ] && grep -q '<cwmp:SetParameterValues>' "$T/body" || fail "SPV not sent after the empty POST"
[ "$(post @"$C/fault.xml")" = 204 ] || fail "session did not end after the fault: $(cat "$T/body")"
[ "$(task_field "$task" 'd["status"]')" = fault ] || fail "task status"
[ "$(task_field "$task" 'd["fault"]["code"]')" = 9003 ] || fail "fault code"
[ "$(task_field "$task" 'len(d["fault"]["parameterFaults"])')" = 2 ] || fail "parameter faults"
ok "captured TransferComplete answered; captured SOAP Fault stored on the SPV task with both parameter faults"

# The captured ACS requests parse as requests: a CPE sending them to the ACS gets fault 8000 (not an ACS method).
rm -f "$T/jar"
[ "$(post @"$C/inform-cavium-enb.xml")" = 200 ] || fail "Inform"
[ "$(post @"$C/getparametervalues.xml")" = 200 ] && grep -q '<FaultCode>8000</FaultCode>' "$T/body" || fail "GPV to ACS"
ok "a CPE-method request sent to the ACS gets fault 8000"
