#!/usr/bin/env bash
# hems_bad_requests: broken, hostile and out-of-order CWMP requests get a 400 with a reason or a SOAP Fault,
# never a crash; the real captured Informs of other vendors register; hemsd keeps serving.
. "$(dirname "$0")/../lib/common.sh"
: "${LF_REF:?}"

start_hemsd hems
URL="http://127.0.0.1:$HEMS_PORT/cwmp"
post() { curl -s -o "$T/body" -w '%{http_code}' -H 'Content-Type: text/xml' --data-binary "$@" "$URL"; }

code=$(post 'this is not xml')
[ "$code" = 400 ] && grep -q 'bad CWMP message' "$T/body" || fail "garbage: HTTP $code $(cat "$T/body")"
ok "garbage -> 400 $(cat "$T/body")"

code=$(post '<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaa"><!ENTITY b "&a;&a;&a;">]><x>&b;</x>')
[ "$code" = 400 ] && grep -qi 'DTD\|DOCTYPE\|entit' "$T/body" || fail "DTD: HTTP $code $(cat "$T/body")"
ok "DTD / entity expansion -> 400 $(cat "$T/body")"

code=$(curl -s -o "$T/body" -w '%{http_code}' -X POST "$URL")
[ "$code" = 400 ] && grep -q 'outside a session' "$T/body" || fail "empty POST: HTTP $code"
ok "empty POST without session -> 400"

code=$(post @"$LF_REF/captures/transfercomplete.xml")
[ "$code" = 400 ] && grep -q 'outside a session' "$T/body" || fail "TransferComplete first: HTTP $code"
ok "request before Inform -> 400"

unknown='<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/" xmlns:cwmp="urn:dslforum-org:cwmp-1-0"><soapenv:Header><cwmp:ID soapenv:mustUnderstand="1">42</cwmp:ID></soapenv:Header><soapenv:Body><cwmp:FrobnicateDevice/></soapenv:Body></soapenv:Envelope>'
code=$(post "$unknown")
[ "$code" = 200 ] && grep -q '<FaultCode>8000</FaultCode>' "$T/body" && grep -q '>42</cwmp:ID>' "$T/body" ||
	fail "unknown method: HTTP $code $(cat "$T/body")"
ok "unknown method -> SOAP Fault 8000 with the request's cwmp:ID"

head -c 300000 /dev/zero | tr '\0' 'a' > "$T/big"
code=$(post @"$T/big")
[ "$code" = 413 ] || fail "oversized body: HTTP $code"
ok "oversized body -> 413"

# Real Informs from other vendors' devices (captures) register and get an InformResponse echoing cwmp:ID.
for f in inform-cavium-enb inform-thomson-speedtouch780 inform-zte-ebg2100-odd; do
	code=$(post @"$LF_REF/captures/$f.xml")
	[ "$code" = 200 ] && grep -q 'InformResponse' "$T/body" || fail "$f: HTTP $code $(cat "$T/body")"
done
n=$(hemsctl --json devices | json_get 'len(d["devices"])')
[ "$n" = 3 ] || fail "expected 3 devices from the captures, got $n"
hemsctl devices
hemsctl --json devices | json_get '[x["deviceId"] for x in d["devices"]]' | grep -q "000FB7-Cavium%20eNB-10.18.104.79" ||
	fail "cavium device id"
ok "captured Informs from Cavium, Thomson and ZTE registered"

code=$(curl -s -o "$T/body" -w '%{http_code}' "http://127.0.0.1:$HEMS_PORT/nbi/v1/devices")
[ "$code" = 401 ] || fail "NBI without token: HTTP $code"
code=$(curl -s -o "$T/body" -w '%{http_code}' -H "Authorization: Bearer wrong" "http://127.0.0.1:$HEMS_PORT/nbi/v1/devices")
[ "$code" = 401 ] || fail "NBI with wrong token: HTTP $code"
ok "NBI refuses missing and wrong tokens"

kill -0 "$HEMS_PID_hems" || fail "hemsd died"
ok "hemsd still serving"
