#!/usr/bin/env bash
# cpe_firmware_bad_images: every bad Download of a firmware image ends in a TransferComplete with its fault code
# (TR-069 A.5.2): signed by another key or unsigned 9019, another product class or hardware version 9010,
# truncated, corrupted, not an image or shorter than its FileSize 9018, no file server or an HTTPS server with
# an untrusted certificate 9015, no such file 9016, a transfer that keeps breaking off 9017.
# Each time the running slot stays A and its agent keeps running (no reboot), slot A is unchanged, and nothing
# is written to slot B: the image is checked in full before anything is written to a slot.
. "$(dirname "$0")/libfw.sh"

start_hemsd hems
fw_keys
fw_build 1.0 "$T/v1.lfi"
fw_build 2.0 "$T/v2.lfi"
fw_provision "$T/v1.lfi"
A_BEFORE=$(slot_tree A)
ID=$(dev_id bad1)
make_pki "$T/pki"
boot_start bad1 --set "acs.ca_file=$T/pki/ca.pem"
wait_for 30 informs_at_least "$ID" 1
wait_for 20 test -n "$(agent_pid)"
PID_A=$(agent_pid)
[ "$(bootctl booted)" = A ] || fail "not booted from A"
ok "henbd runs from slot A (pid $PID_A)"

flip_byte() { python3 -c "import sys; p=sys.argv[1]; o=int(sys.argv[2]); b=bytearray(open(p,'rb').read()); b[o]^=1; open(p,'wb').write(b)" "$@"; }
# zero_signature IMAGE: the 64-byte signature block (after magic, length and manifest) set to zero.
zero_signature() {
	python3 - "$1" <<'PY'
import struct, sys
p = sys.argv[1]
b = bytearray(open(p, 'rb').read())
n = struct.unpack('>I', bytes(b[8:12]))[0]
b[12 + n:12 + n + 64] = bytes(64)
open(p, 'wb').write(b)
PY
}

# still_on_a WHAT: the device still runs the same agent from slot A, slot A is unchanged, slot B was never
# written, no install was logged, and the download area holds no leftover image.
still_on_a() {
	[ "$(agent_pid)" = "$PID_A" ] || fail "$1: the agent restarted ($(agent_pid), was $PID_A)"
	[ "$(bootctl booted)" = A ] && [ "$(bootctl active)" = A ] && [ "$(bootctl pending)" = none ] ||
		fail "$1: boot state changed: $("$IMG" status --dev "$DEV")"
	[ "$(slot_tree A)" = "$A_BEFORE" ] || fail "$1: slot A was written"
	[ ! -e "$DEV/slots/B" ] && [ ! -e "$DEV/slots/B.new" ] && [ ! -e "$DEV/slots/B.old" ] ||
		fail "$1: something was written to slot B: $(ls -a "$DEV/slots")"
	! grep -q 'event=fw_install_done' "$T/bad1.log" || fail "$1: an install happened"
	! grep -q 'event=fw_installed' "$T/bad1.log" || fail "$1: a slot was written"
	[ ! -e "$T/bad1/download/firmware.install" ] || fail "$1: install marker left"
	[ -z "$(ls "$T/bad1/download" 2>/dev/null | grep '^dl-')" ] || fail "$1: image left: $(ls "$T/bad1/download")"
}

# expect_fault NAME FILE WANT [FILESIZE]: serve FILE as NAME, Download it, expect TransferComplete WANT.
N=0
expect_fault() {
	local name=$1 file=$2 want=$3 size=${4:-}
	N=$((N + 1))
	[ -n "$size" ] || size=$(stat -c %s "$file")
	local url tid
	url=$(file_url "$name" "$file")
	tid=$(download "$ID" "bad-$N" "$url" "$size")
	wait_for 60 has_tc "$tid"
	[ "$(tc_fault "$tid")" = "$want" ] || fail "$name: TransferComplete $(hemsctl --json task get "$tid"), expected $want"
	still_on_a "$name"
	ok "$name: TransferComplete $want ($(task_field "$tid" 'd["result"]["transferComplete"]["faultString"]'))"
}

# Signature: another vendor's key, and an image whose signature block is zero.
"$IMG" build --key "$T/other.priv" --product-class "$PC" --hw 1.0 --version 2.0 --out "$T/other.lfi" "$T/src-2.0" >/dev/null
expect_fault other-key.lfi "$T/other.lfi" 9019
cp "$T/v2.lfi" "$T/unsigned.lfi"; zero_signature "$T/unsigned.lfi"
expect_fault unsigned.lfi "$T/unsigned.lfi" 9019
cp "$T/v2.lfi" "$T/manifest-flip.lfi"; flip_byte "$T/manifest-flip.lfi" 40
expect_fault manifest-flip.lfi "$T/manifest-flip.lfi" 9019

# Target: signed by us, but for another product class or hardware version.
fw_build 2.0-other "$T/otherpc.lfi" --product-class OtherHeNB
expect_fault other-product.lfi "$T/otherpc.lfi" 9010
fw_build 2.0-hw "$T/otherhw.lfi" --hw 2.0
expect_fault other-hw.lfi "$T/otherhw.lfi" 9010

# Integrity: truncated, a payload byte flipped, not an image at all, and a file shorter than its FileSize.
head -c $(( $(stat -c %s "$T/v2.lfi") - 4096 )) "$T/v2.lfi" >"$T/truncated.lfi"
expect_fault truncated.lfi "$T/truncated.lfi" 9018
cp "$T/v2.lfi" "$T/flipped.lfi"; flip_byte "$T/flipped.lfi" $(( $(stat -c %s "$T/v2.lfi") - 100 ))
expect_fault flipped.lfi "$T/flipped.lfi" 9018
head -c 100000 /dev/urandom >"$T/junk.lfi"
expect_fault junk.lfi "$T/junk.lfi" 9018
expect_fault short-of-filesize.lfi "$T/truncated.lfi" 9018 "$(stat -c %s "$T/v2.lfi")"
# A FileSize smaller than the file: the transfer stops at FileSize bytes.
expect_fault over-filesize.lfi "$T/v2.lfi" 9018 1000

# Transfer: nobody listens at the URL's port; the file server has no such file.
PORT=$(free_port)
tid=$(download "$ID" bad-noserver "http://127.0.0.1:$PORT/fw.lfi" 0)
wait_for 60 has_tc "$tid"
[ "$(tc_fault "$tid")" = 9015 ] || fail "no server: $(hemsctl --json task get "$tid")"
still_on_a "no server"
ok "unreachable file server: TransferComplete 9015"
tid=$(download "$ID" bad-nofile "http://127.0.0.1:$HEMS_PORT/files/nope.lfi" 0)
wait_for 60 has_tc "$tid"
[ "$(tc_fault "$tid")" = 9016 ] || fail "no file: $(hemsctl --json task get "$tid")"
still_on_a "no file"
ok "no such file on the server (404): TransferComplete 9016"
# A server that breaks off every transfer: resumed (Range) until the attempts run out, then 9017.
flaky_server flaky break-always "$T/v2.lfi"
tid=$(download "$ID" bad-broken "$FLAKY_URL" "$(stat -c %s "$T/v2.lfi")")
wait_for 60 has_tc "$tid"
[ "$(tc_fault "$tid")" = 9017 ] || fail "always broken: $(hemsctl --json task get "$tid")"
[ "$(grep -c 'range=bytes=[1-9]' "$T/flaky.log")" -ge 3 ] || fail "not resumed: $(cat "$T/flaky.log")"
[ -n "$(ls "$T/bad1/download" | grep '^dl-')" ] || fail "the partial download was not kept for a later resume"
rm -f "$T/bad1/download"/dl-*.img # (the next checks expect a clean download area)
still_on_a "always broken"
ok "a transfer that always breaks off: resumed with Range requests, then TransferComplete 9017 (partial kept)"

# HTTPS with a certificate acs.ca_file did not sign: the file server cannot be trusted, so it is not contacted.
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 2 -subj "/CN=127.0.0.1" \
	-addext "subjectAltName=IP:127.0.0.1" -keyout "$T/rogue-ip.key" -out "$T/rogue-ip.pem" 2>/dev/null
tls_file_server rogue "$T/rogue-ip.pem" "$T/rogue-ip.pem" "$T/rogue-ip.key" fw-2.0.lfi "$T/v2.lfi"
tid=$(download "$ID" bad-rogue-tls "$TLS_URL" 0)
wait_for 60 has_tc "$tid"
[ "$(tc_fault "$tid")" = 9015 ] || fail "rogue TLS: $(hemsctl --json task get "$tid")"
still_on_a "rogue TLS"
! grep -q 'event=file_served' "$T/rogue.log" || fail "a file was served over the untrusted TLS connection"
ok "HTTPS file server with an untrusted certificate: TransferComplete 9015"

# After all that the device still upgrades with a good image.
URL=$(file_url fw-2.0.lfi "$T/v2.lfi")
tid=$(download "$ID" good-1 "$URL")
wait_for 60 has_tc "$tid"
[ "$(tc_fault "$tid")" = 0 ] || fail "good image after the bad ones: $(hemsctl --json task get "$tid")"
[ "$(bootctl active)" = B ] || fail "not on B after the good image"
ok "a good image after the bad ones installs and runs from slot B"

sanitizers_clean
ok "bad images"
