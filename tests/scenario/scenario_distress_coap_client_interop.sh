#!/usr/bin/env bash
# scenario_distress_coap_client_interop: the distress server speaks standard CoAP over DTLS 1.2 with PSK: the stock
# client of libcoap3-bin, given the identity and key hemsd provisioned to a registered device over TR-069, opens a
# distress session and gets a WELCOME; with a wrong key, an unknown identity, or once the device is blocked, the
# handshake is refused and nothing is answered. Errors carry their diagnostic text (4.01, 4.15, 4.00).
. "$(dirname "$0")/../lib/common.sh"

COAP_CLIENT=$(command -v coap-client-gnutls || command -v coap-client || true)
[ -n "$COAP_CLIENT" ] || fail "coap-client (libcoap3-bin) is not installed"
udp_port() { python3 -c 'import socket; s=socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
DPORT=$(udp_port)
start_hemsd hems --set distress.enable=true --set distress.listen_address=127.0.0.1 --set "distress.port=$DPORT"
grep -q "event=distress_started address=127.0.0.1 port=$DPORT" "$T/hems.log" || fail "distress server not started"
URL="http://127.0.0.1:$HEMS_PORT/cwmp"
ID="000FB7-Cavium%20eNB-DIST01"

# 1. Registration: hemsd gives the device its distress keys over the TR-069 session (SetParameterValues).
fake_cpe session --url "$URL" --serial DIST01 --events "0 BOOTSTRAP,1 BOOT" --log "$T/cpe.log" ||
	fail "registration session"
wait_for 20 grep -q "event=provision device=$ID what=distress_credentials" "$T/hems.log"
fake_cpe session --url "$URL" --serial DIST01 --events "2 PERIODIC" --log "$T/cpe.log" || fail "second session"
provisioned() {
	python3 - "$T/cpe.log" "$1" <<'PY'
import json, re, sys
values = {}
for line in open(sys.argv[1]):
    d = json.loads(line)
    if d.get("what") == "request" and d.get("method") == "SetParameterValues":
        for n, v in re.findall(r"<Name>[^<]*_Distress\.([A-Za-z]+)</Name>\s*<Value[^>]*>([^<]*)</Value>", d["xml"]):
            values[n] = v
print(values.get(sys.argv[2], ""))
PY
}
PSK=$(provisioned PSK)
[ ${#PSK} = 64 ] || fail "no 64-hex-character PSK provisioned (got '$PSK')"
[ "$(provisioned Identity)" = "$ID" ] || fail "Identity provisioned: $(provisioned Identity)"
[ "$(provisioned ServerURL)" = "coaps://127.0.0.1:$DPORT" ] || fail "ServerURL provisioned: $(provisioned ServerURL)"
[ "$(provisioned Enable)" = true ] || fail "Enable not provisioned"
TKEY=$(provisioned TriggerKey)
[ ${#TKEY} = 64 ] && [ "$TKEY" != "$PSK" ] || fail "trigger key missing or equal to the PSK"
ok "registration provisioned X_000FB7_Distress.{Enable,ServerURL,Identity,PSK,TriggerKey} over TR-069"

# An INFORM payload (protocol section 7.1), built independently of the C codec.
tlv_inform() {
	python3 - "$1" "$2" <<'PY'
import sys
def tlv(t, v):
    return bytes([t, len(v)]) + v
sys.stdout.buffer.write(bytes([1, 1]) + tlv(1, sys.argv[1].encode()) + tlv(2, bytes([1])) +
                        tlv(4, b"6 CONNECTION REQUEST") + tlv(5, sys.argv[2].encode()))
PY
}
tlv_inform "$ID" "1.0" > "$T/inform.bin"
coap() { "$COAP_CLIENT" -B 3 "$@"; } # answers on stdout (-o FILE), error codes and diagnostics on stderr
sessions() { grep -c "event=distress_session device=$ID " "$T/hems.log" || true; }

# 2. The right identity and key: 2.01 Created with a WELCOME (version 1, type 2, a non-zero session id).
coap -m post -u "$ID" -k "$PSK" -t 65100 -f "$T/inform.bin" -o "$T/welcome.bin" "coaps://127.0.0.1:$DPORT/d/s" \
	>"$T/ok.out" 2>&1 || true
[ -s "$T/welcome.bin" ] || fail "no answer to the stock client with the right PSK: $(cat "$T/ok.out")"
python3 - "$T/welcome.bin" <<'PY' || fail "the answer is not a WELCOME"
import sys
b = open(sys.argv[1], "rb").read()
assert b[0] == 1 and b[1] == 2, b[:2]
fields, i = {}, 2
while i < len(b):
    t, n = b[i], b[i + 1]
    fields[t] = int.from_bytes(b[i + 2:i + 2 + n], "big")
    i += 2 + n
assert fields.get(1, 0) != 0, "session id"
assert fields.get(5) == 300, "session timeout"
print("welcome: session %d, pending %d, server time %d" % (fields[1], fields.get(2, 0), fields[3]))
PY
[ "$(sessions)" = 1 ] || fail "hemsd did not log the distress session"
grep -q "event=distress_session device=$ID .*reason=trigger .*events=\"6 CONNECTION REQUEST\" sw=\"1.0\"" "$T/hems.log" ||
	fail "session log line"
ok "stock coap-client with the provisioned PSK: 2.01 WELCOME"

# 3. Resource discovery lists the four resources with their content format.
coap -m get -u "$ID" -k "$PSK" "coaps://127.0.0.1:$DPORT/.well-known/core" >"$T/core.out" 2>&1 || true
for r in d/s d/n d/r d/e; do grep -q "</$r>;ct=65100" "$T/core.out" || fail "/.well-known/core lacks $r: $(cat "$T/core.out")"; done
ok "/.well-known/core: $(tr -d '\n' < "$T/core.out")"

# 4. Errors carry a diagnostic payload: another device's id (4.01), a wrong content format (4.15), garbage (4.00).
tlv_inform "000FB7-Cavium%20eNB-OTHER" "1.0" > "$T/other.bin"
coap -m post -u "$ID" -k "$PSK" -f "$T/other.bin" "coaps://127.0.0.1:$DPORT/d/s" >"$T/e1.out" 2>&1 || true
grep -q "4.01 device id 000FB7-Cavium%20eNB-OTHER is not the DTLS identity $ID" "$T/e1.out" || fail "4.01: $(cat "$T/e1.out")"
coap -m post -u "$ID" -k "$PSK" -t 50 -f "$T/inform.bin" "coaps://127.0.0.1:$DPORT/d/s" >"$T/e2.out" 2>&1 || true
grep -q "4.15 Content-Format 50, expected 65100" "$T/e2.out" || fail "4.15: $(cat "$T/e2.out")"
printf '\001\001\077\000' > "$T/bad.bin"
coap -m post -u "$ID" -k "$PSK" -f "$T/bad.bin" "coaps://127.0.0.1:$DPORT/d/s" >"$T/e3.out" 2>&1 || true
grep -q "4.00 INFORM: unknown critical tag 0x3f" "$T/e3.out" || fail "4.00: $(cat "$T/e3.out")"
ok "errors: $(tr '\n' ' ' < "$T/e1.out")/ $(tr '\n' ' ' < "$T/e2.out")/ $(tr '\n' ' ' < "$T/e3.out")"

# 5. A wrong key: the handshake fails, nothing is answered, no session.
BAD=$(python3 -c "import sys; k=sys.argv[1]; print(('0' if k[0] != '0' else '1') + k[1:])" "$PSK")
coap -m post -u "$ID" -k "$BAD" -f "$T/inform.bin" -o "$T/wrong.bin" "coaps://127.0.0.1:$DPORT/d/s" >"$T/wrong.out" 2>&1 || true
[ ! -e "$T/wrong.bin" ] || fail "answered a client with a wrong key"
[ "$(sessions)" = 1 ] || fail "a session was opened with a wrong key"
ok "wrong key refused (no answer, no session)"

# 6. An unknown identity with a well-formed key: refused the same way, and logged.
coap -m post -u "000FB7-Cavium%20eNB-NOBODY" -k "$PSK" -f "$T/inform.bin" -o "$T/unknown.bin" \
	"coaps://127.0.0.1:$DPORT/d/s" >"$T/unknown.out" 2>&1 || true
[ ! -e "$T/unknown.bin" ] || fail "answered an unknown identity"
grep -q 'event=distress_refused identity="000FB7-Cavium%20eNB-NOBODY" reason="unknown identity"' "$T/hems.log" ||
	fail "unknown identity not logged"
ok "unknown identity refused"

# 7. A blocked device: its valid key stops working.
hemsctl block "$ID" "stolen" >/dev/null
coap -m post -u "$ID" -k "$PSK" -f "$T/inform.bin" -o "$T/blocked.bin" "coaps://127.0.0.1:$DPORT/d/s" >"$T/blocked.out" 2>&1 || true
[ ! -e "$T/blocked.bin" ] || fail "answered a blocked device"
grep -q "event=distress_refused identity=\"$ID\" reason=\"device blocked\"" "$T/hems.log" || fail "blocked not logged"
[ "$(sessions)" = 1 ] || fail "a blocked device opened a session"
ok "blocked device refused"
