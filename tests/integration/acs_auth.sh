#!/usr/bin/env bash
# acs_auth: CPEs authenticate to hemsd with HTTP Digest, Basic only inside TLS, or a TLS device certificate;
# a device that fails gets 401 and nothing of it is stored; passwords never reach the log.
. "$(dirname "$0")/../lib/common.sh"

count_devices() { hemsctl --json devices | json_get 'len(d["devices"])'; }

# --- Digest over plain HTTP
start_hemsd dig --set cwmp.auth=digest
URL="http://127.0.0.1:$HEMS_PORT/cwmp"
hemsctl user set henb-a 's3cret-pass' >/dev/null
if fake_cpe session --url "$URL" --serial DIG1 --user henb-a --password wrong 2>/dev/null; then fail "wrong password accepted"; fi
if fake_cpe session --url "$URL" --serial DIG2 2>/dev/null; then fail "no credentials accepted"; fi
if fake_cpe session --url "$URL" --serial DIG3 --user nobody --password x 2>/dev/null; then fail "unknown user accepted"; fi
[ "$(count_devices)" = 0 ] || fail "a device that failed authentication was stored"
code=$(curl -s -o /dev/null -w '%{http_code}' --data-binary @"$LF_REF/captures/inform-cavium-enb.xml" "$URL")
[ "$code" = 401 ] || fail "no Authorization: HTTP $code"
ok "wrong password, unknown user, no credentials -> 401, nothing stored"
fake_cpe session --url "$URL" --serial DIG4 --user henb-a --password 's3cret-pass' --log "$T/cpe.log" ||
	fail "right Digest credentials refused"
[ "$(count_devices)" = 1 ] || fail "authenticated device not stored"
ok "Digest with the right password -> session (and the whole session rides on its cookie)"
hemsctl metrics | grep -q '^hems_refused_total{reason="auth"} [1-9]' || fail "auth failures not counted"
if grep -q 's3cret-pass' "$T/dig.log"; then fail "a password reached the log"; fi
ok "auth failures in /metrics; no password in the log"
stop "$HEMS_PID_dig"

# --- TLS: Basic inside TLS, and device certificates
make_pki "$T/pki"
start_hemsd tls --set cwmp.auth=basic --set "tls.cert=$T/pki/server.pem" --set "tls.key=$T/pki/server.key"
export HEMSCTL_URL="https://127.0.0.1:$HEMS_PORT"
# hemsctl talks to the NBI over the same TLS port; trust the test CA.
export HEMSCTL_CACERT="$T/pki/ca.pem"
hemsctl user set henb-b 'basic-pw' >/dev/null || fail "NBI over TLS"
TURL="https://127.0.0.1:$HEMS_PORT/cwmp"
post_basic() { curl -s -o "$T/body" -w '%{http_code}' --cacert "$T/pki/ca.pem" "$@" \
	--data-binary @"$LF_REF/captures/inform-zte-ebg2100-odd.xml" "$TURL"; }
[ "$(post_basic -u henb-b:wrong)" = 401 ] || fail "Basic with a wrong password not refused"
[ "$(post_basic)" = 401 ] || fail "Basic without credentials not refused"
[ "$(post_basic -u henb-b:basic-pw)" = 200 ] && grep -q InformResponse "$T/body" || fail "Basic over TLS refused"
ok "Basic over TLS: right password -> InformResponse, wrong or none -> 401"
stop "$HEMS_PID_tls"

start_hemsd cert --set cwmp.auth=cert --set "tls.cert=$T/pki/server.pem" --set "tls.key=$T/pki/server.key" \
	--set "tls.client_ca=$T/pki/ca.pem"
TURL="https://127.0.0.1:$HEMS_PORT/cwmp"
export HEMSCTL_URL="https://127.0.0.1:$HEMS_PORT"
[ "$(post_basic --cert "$T/pki/device.pem" --key "$T/pki/device.key")" = 200 ] || fail "valid device certificate refused"
[ "$(post_basic)" = 401 ] || fail "no device certificate accepted"
code=$(post_basic --cert "$T/pki/rogue.pem" --key "$T/pki/rogue.key")
[ "$code" = 401 ] || [ "$code" = 000 ] || fail "rogue certificate: HTTP $code"
[ "$(count_devices)" = 1 ] || fail "devices stored: $(count_devices)"
ok "device certificate from the trusted CA -> session; none or a rogue one -> refused, nothing stored"

# Plain HTTP against the TLS port does not get through.
code=$(curl -s -o /dev/null -w '%{http_code}' --data-binary @"$LF_REF/captures/inform-cavium-enb.xml" "http://127.0.0.1:$HEMS_PORT/cwmp" || true)
[ "$code" != 200 ] || fail "plain HTTP accepted on the TLS port"

# Misconfigurations are refused at start with a clear reason.
if "$LF_BIN/hemsd" --set cwmp.auth=basic --set hemsd.listen_port=0 --set "hemsd.store=sqlite:$T/x.db" 2>"$T/err"; then
	fail "basic without TLS started"; fi
grep -q "needs TLS" "$T/err" || fail "message: $(cat "$T/err")"
if "$LF_BIN/hemsd" --set cwmp.auth=magic 2>"$T/err"; then fail "unknown auth started"; fi
grep -q "not none, digest, basic or cert" "$T/err" || fail "message: $(cat "$T/err")"
ok "Basic without TLS and unknown modes refused at start"
