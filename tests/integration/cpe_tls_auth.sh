#!/usr/bin/env bash
# cpe_tls_auth: the management path's security. Over HTTPS henbd checks the HeMS certificate against
# acs.ca_file and the host of ManagementServer.URL, and presents its device certificate; a wrong CA, a host
# the certificate does not name, or no device certificate fail. Over plain HTTP it authenticates with Digest
# (ManagementServer.Username/Password); a wrong password fails.
. "$(dirname "$0")/libcpe.sh"
command -v openssl >/dev/null || { echo "SKIP: no openssl"; exit 0; }

# A CA, the HeMS certificate for "localhost" only, a device certificate, and an unrelated CA.
cd "$T"
openssl_req() { openssl req -new -newkey rsa:2048 -nodes -subj "/CN=$2" -keyout "$1.key" -out "$1.csr" 2>/dev/null; }
openssl req -x509 -new -newkey rsa:2048 -nodes -days 2 -subj "/CN=Lifeline Test CA" -keyout ca.key -out ca.pem 2>/dev/null
openssl req -x509 -new -newkey rsa:2048 -nodes -days 2 -subj "/CN=Rogue CA" -keyout rogue.key -out rogue.pem 2>/dev/null
openssl_req hems localhost
printf 'subjectAltName=DNS:localhost\nextendedKeyUsage=serverAuth\n' >hems.ext
openssl x509 -req -in hems.csr -CA ca.pem -CAkey ca.key -CAcreateserial -days 2 -extfile hems.ext -out hems.pem 2>/dev/null
openssl_req dev 00005A-LifelineHeNB-tls1
printf 'extendedKeyUsage=clientAuth\n' >dev.ext
openssl x509 -req -in dev.csr -CA ca.pem -CAkey ca.key -CAcreateserial -days 2 -extfile dev.ext -out dev.pem 2>/dev/null
[ -s hems.pem ] && [ -s dev.pem ] || fail "cannot make test certificates"
cd - >/dev/null

start_hemsd hems --set "tls.cert=$T/hems.pem" --set "tls.key=$T/hems.key" --set "tls.client_ca=$T/ca.pem" \
	--set cwmp.auth=cert
export HEMSCTL_URL="https://localhost:$HEMS_PORT" HEMSCTL_CACERT="$T/ca.pem"
TLS_ARGS=(--set "acs.url=https://localhost:$HEMS_PORT/cwmp" --set "acs.ca_file=$T/ca.pem"
	--set "acs.client_cert=$T/dev.pem" --set "acs.client_key=$T/dev.key")

# 1. The right CA, the right host, a device certificate: registered.
ID=$(dev_id tls1)
cpe_start tls1 "${TLS_ARGS[@]}"
wait_for 30 informs_at_least "$ID" 1
grep -q 'event=session_ok' "$T/tls1.log" || fail "no clean session over TLS"
ok "HTTPS with the CA, the host of the URL and the device certificate: registered"

# 2. A CA that did not sign the HeMS certificate: no session.
failed() { grep -q 'event=session_failed' "$T/$1.log"; }
cpe_start tls2 "${TLS_ARGS[@]}" --set "acs.ca_file=$T/rogue.pem"
wait_for 20 failed tls2
grep 'event=session_failed' "$T/tls2.log" | head -1 | grep -qi 'certificate\|SSL\|verify' ||
	fail "wrong CA: $(grep session_failed "$T/tls2.log" | head -1)"
ok "a HeMS certificate from another CA is refused: $(grep session_failed "$T/tls2.log" | head -1 | sed 's/.*reason=//')"

# 3. The certificate names localhost; the URL says 127.0.0.1: no session.
cpe_start tls3 "${TLS_ARGS[@]}" --set "acs.url=https://127.0.0.1:$HEMS_PORT/cwmp"
wait_for 20 failed tls3
grep 'event=session_failed' "$T/tls3.log" | head -1 | grep -qi 'certificate\|SSL\|name\|host' ||
	fail "host mismatch: $(grep session_failed "$T/tls3.log" | head -1)"
ok "a certificate that does not name the URL's host is refused"

# 4. No device certificate where the HeMS requires one: no session.
cpe_start tls4 --set "acs.url=https://localhost:$HEMS_PORT/cwmp" --set "acs.ca_file=$T/ca.pem"
wait_for 20 failed tls4
n=$(hemsctl --json devices | json_get 'len(d["devices"])')
[ "$n" = 1 ] || fail "$n devices registered, only tls1 should be"
ok "without a device certificate the HeMS does not let it in"
stop "$HEMS_PID_hems"

# 5. Plain HTTP with Digest: the right password registers, a wrong one does not.
start_hemsd hems2 --set cwmp.auth=digest
hemsctl user set henb-user 'pass word' >/dev/null || fail "hemsctl user set"
ID=$(dev_id dig1)
cpe_start dig1 --set acs.username=henb-user --set 'acs.password=pass word'
wait_for 20 informs_at_least "$ID" 1
ok "HTTP Digest with ManagementServer.Username/Password: registered"
cpe_start dig2 --set acs.username=henb-user --set acs.password=wrong
wait_for 20 failed dig2
grep 'event=session_failed' "$T/dig2.log" | head -1 | grep -q 'HTTP 401' ||
	fail "wrong password: $(grep session_failed "$T/dig2.log" | head -1)"
ok "a wrong Digest password fails with 401"

sanitizers_clean
ok "TLS and HTTP authentication"
