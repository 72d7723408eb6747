#!/usr/bin/env bash
# fw_image_tool.sh: henb-image keygen/build/verify/show/install/provision through the real binary; henb-boot
# reboots on exit 10, falls back from a new slot that keeps failing, refuses a corrupted slot, forwards SIGTERM
# and keeps a shut-down device down.
source "$(dirname "$0")/../lib/common.sh"

IMG="$LF_BIN/henb-image"
BOOT="$LF_BIN/henb-boot"
PC=LifelineHeNB
DEV="$T/dev"
OUT="$T/out.log"

# expect_rc WANT CMD...: run CMD with its output in $OUT; fail unless it exits WANT.
expect_rc() {
	local want=$1; shift
	local rc=0
	"$@" >"$OUT" 2>&1 || rc=$?
	if [ "$rc" != "$want" ]; then
		cat "$OUT"
		fail "expected exit $want, got $rc: $*"
	fi
}
has() { grep -q -- "$1" "$OUT" || { cat "$OUT"; fail "output lacks '$1'"; }; }
state() { "$IMG" status --dev "$DEV" | sed -n "s/^$1: //p"; }
boot() { "$BOOT" --dev "$DEV" --pub "$T/k.pub" --retry-delay-ms 0 "$@"; }

# A slot's agent: a shell script that appends "<slot> <tag> <args>" to $LF_DEV_DIR/runs, then does $2.
make_src() {
	local dir=$1 body=$2 tag=$3
	mkdir -p "$dir/bin" "$dir/etc"
	cat >"$dir/bin/henbd" <<SCRIPT
#!/bin/sh
echo "\$LF_BOOT_SLOT $tag \$*" >> "\$LF_DEV_DIR/runs"
$body
SCRIPT
	chmod 0755 "$dir/bin/henbd"
	echo "release $tag" >"$dir/etc/release"
}
build() { "$IMG" build --key "$T/k.priv" --product-class $PC --hw 1.0,1.1 --version "$1" --out "$2" "$3"; }
flip_byte() { python3 -c "import sys; p=sys.argv[1]; o=int(sys.argv[2]); b=bytearray(open(p,'rb').read()); b[o]^=1; open(p,'wb').write(b)" "$@"; }

# ---------------------------------------------------------------- help and usage
expect_rc 0 "$IMG" --help;            has "EXIT STATUS"; has "provision"
expect_rc 0 "$IMG" build --help;      has "\-\-product-class"; has "SYNOPSIS"
expect_rc 0 "$BOOT" --help;           has "exit 10"
expect_rc 1 "$IMG" frobnicate;        has "unknown command"
expect_rc 1 "$IMG" verify "$T/x";     has "\-\-pub is required"
expect_rc 1 "$IMG" show --pub x y;    has "does not apply"
expect_rc 1 "$BOOT" --dev "$T";       has "required"
ok "help and usage errors"

# ---------------------------------------------------------------- keys
expect_rc 0 "$IMG" keygen "$T/k.priv" "$T/k.pub"
[ "$(stat -c %a "$T/k.priv")" = 600 ] || fail "private key is not mode 0600"
grep -q "^# lifeline-ed25519-public-key" "$T/k.pub" || fail "public key lacks its comment line"
expect_rc 3 "$IMG" keygen "$T/k.priv" "$T/k2.pub"; has "already exists"
expect_rc 0 "$IMG" keygen "$T/other.priv" "$T/other.pub"
ok "keygen"

# ---------------------------------------------------------------- build, show, verify
# v1: reboots once (exit 10), then stops (exit 0).
make_src "$T/src-v1" 'if [ ! -e "$LF_DEV_DIR/rebooted" ]; then : > "$LF_DEV_DIR/rebooted"; exit 10; fi
exit 0' v1
expect_rc 0 build 1.0 "$T/v1.lfi" "$T/src-v1"; has "2 files"
expect_rc 0 "$IMG" show "$T/v1.lfi"
has "version = 1.0"; has "hardware_versions = 1.0,1.1"; has "file = bin/henbd .* 0755"; has "payload:    complete"
expect_rc 0 "$IMG" verify --pub "$T/k.pub" --product-class $PC --hw 1.1 "$T/v1.lfi"; has "^ok:"
expect_rc 2 "$IMG" verify --pub "$T/k.pub" --product-class OtherHeNB "$T/v1.lfi"; has "fault 9010"
expect_rc 2 "$IMG" verify --pub "$T/k.pub" --hw 2.0 "$T/v1.lfi"; has "hardware version not allowed"
expect_rc 2 "$IMG" verify --pub "$T/other.pub" "$T/v1.lfi"; has "fault 9019"
expect_rc 3 "$IMG" verify --pub "$T/k.priv" "$T/v1.lfi"; has "other half of the key pair"
cp "$T/v1.lfi" "$T/flipped.lfi"; flip_byte "$T/flipped.lfi" $(( $(stat -c %s "$T/v1.lfi") - 3 ))
expect_rc 2 "$IMG" verify --pub "$T/k.pub" "$T/flipped.lfi"; has "hash mismatch"; has "fault 9018"
cp "$T/v1.lfi" "$T/manifest-flipped.lfi"; flip_byte "$T/manifest-flipped.lfi" 30
expect_rc 2 "$IMG" verify --pub "$T/k.pub" "$T/manifest-flipped.lfi"; has "bad signature"
head -c 200 "$T/v1.lfi" >"$T/short.lfi"
expect_rc 2 "$IMG" verify --pub "$T/k.pub" "$T/short.lfi"; has "truncated"
expect_rc 2 "$IMG" show "$T/short.lfi"; has "ends inside the manifest"
head -c $(( $(stat -c %s "$T/v1.lfi") - 5 )) "$T/v1.lfi" >"$T/short2.lfi"
expect_rc 0 "$IMG" show "$T/short2.lfi"; has "TRUNCATED, 5 bytes missing"
expect_rc 2 "$IMG" verify --pub "$T/k.pub" "$T/short2.lfi"; has "truncated"
echo "not an image" >"$T/junk.lfi"
expect_rc 2 "$IMG" verify --pub "$T/k.pub" "$T/junk.lfi"; has "bad magic"
ok "build, show and verify refuse every kind of bad image"

# ---------------------------------------------------------------- provision and boot
make_src "$T/src-fs" 'exit 0' failsafe
expect_rc 0 build fs-1 "$T/fs.lfi" "$T/src-fs"
expect_rc 2 "$IMG" provision --pub "$T/k.pub" --dev "$DEV" --slot A "$T/flipped.lfi"
[ ! -e "$DEV/slots/A" ] || fail "a refused image left a slot behind"
expect_rc 0 "$IMG" provision --pub "$T/k.pub" --dev "$DEV" --slot A --product-class $PC --hw 1.0 "$T/v1.lfi"
expect_rc 0 "$IMG" provision --pub "$T/k.pub" --dev "$DEV" --slot failsafe "$T/fs.lfi"; has "read-only"
[ "$(stat -c %a "$DEV/slots/failsafe")" = 555 ] || fail "failsafe slot is not write-protected"
[ "$(state active)" = A ] || fail "provisioned A is not active"
expect_rc 0 "$IMG" status --dev "$DEV" --pub "$T/k.pub"; has "slot A: version 1.0, good, verified"

expect_rc 0 boot --max-boots 5 -- --hello world
has "event=agent_exit slot=A code=10 action=reboot"; has "event=agent_exit slot=A code=0 action=stop"
[ "$(cat "$DEV/runs")" = "$(printf 'A v1 --hello world\nA v1 --hello world')" ] || fail "runs: $(cat "$DEV/runs")"
[ "$(state boot_count)" = 2 ] || fail "boot_count $(state boot_count)"
[ "$(state last_result)" = "ok stop exit=0" ] || fail "last_result $(state last_result)"
ok "henb-boot reboots on exit 10 and stops on exit 0, with LF_BOOT_SLOT and the agent's arguments"

# ---------------------------------------------------------------- a new slot that keeps failing
make_src "$T/src-v2" 'exit 1' v2
expect_rc 0 build 2.0 "$T/v2.lfi" "$T/src-v2"
expect_rc 2 "$IMG" install --pub "$T/k.pub" --dev "$DEV" --product-class OtherHeNB --hw 1.0 "$T/v2.lfi"
has "fault 9010"
expect_rc 0 "$IMG" install --pub "$T/k.pub" --dev "$DEV" --product-class $PC --hw 1.0 "$T/v2.lfi"
has "into slot B"
[ "$(state pending)" = B ] || fail "B is not pending"
: >"$DEV/runs"
expect_rc 0 boot --max-boots 10
[ "$(cat "$DEV/runs")" = "$(printf 'B v2 \nB v2 \nB v2 \nA v1 ')" ] || fail "runs: $(cat "$DEV/runs")"
has "pending B gave up"
[ "$(state active)" = A ] && [ "$(state pending)" = none ] || fail "did not fall back to A"
ok "a pending slot that fails its 3 boots falls back to the active slot"

# ---------------------------------------------------------------- a corrupted slot is refused at boot
echo "tampered" >>"$DEV/slots/A/etc/release"
: >"$DEV/runs"
expect_rc 0 boot --max-boots 3
has "event=fw_slot_refused slot=A"; has "etc/release"
[ "$(cat "$DEV/runs")" = "failsafe failsafe " ] || fail "runs: $(cat "$DEV/runs")"
expect_rc 0 "$IMG" status --dev "$DEV" --pub "$T/k.pub"; has "slot A: REFUSED"
ok "a corrupted slot is refused at boot and the failsafe boots"

# ---------------------------------------------------------------- confirm, SIGTERM, fatal shutdown
make_src "$T/src-v3" "\"$IMG\" mark-good --dev \"\$LF_DEV_DIR\"
case \"\$(cat \"\$LF_DEV_DIR/behave\" 2>/dev/null)\" in
fatal) \"$IMG\" request-shutdown --dev \"\$LF_DEV_DIR\" --reason 'antenna cable tamper'; exit 11;;
wait) sleep 30 & trap 'kill \$!; echo term >> \"\$LF_DEV_DIR/term\"; exit 0' TERM; : > \"\$LF_DEV_DIR/started\"; wait; exit 0;;
esac
exit 0" v3
expect_rc 0 build 3.0 "$T/v3.lfi" "$T/src-v3"
expect_rc 0 "$IMG" install --pub "$T/k.pub" --dev "$DEV" --product-class $PC --hw 1.0 "$T/v3.lfi"
has "into slot B"
: >"$DEV/runs"
expect_rc 0 boot --max-boots 2
[ "$(cat "$DEV/runs")" = "B v3 " ] || fail "runs: $(cat "$DEV/runs")"
[ "$(state active)" = B ] && [ "$(state pending)" = none ] || fail "the confirmed slot B is not active"
ok "a new slot that confirms itself becomes active (installed from the failsafe)"

echo wait >"$DEV/behave"
"$BOOT" --dev "$DEV" --pub "$T/k.pub" --retry-delay-ms 0 >"$T/boot-term.log" 2>&1 &
bpid=$!
PIDS+=("$bpid")
wait_for 20 test -e "$DEV/started"
kill -TERM "$bpid"
rc=0; wait "$bpid" || rc=$?
[ "$rc" = 0 ] || { cat "$T/boot-term.log"; fail "henb-boot exited $rc after SIGTERM"; }
[ -e "$DEV/term" ] || fail "SIGTERM was not forwarded to the agent"
ok "SIGTERM is forwarded to the agent and henb-boot exits 0"

echo fatal >"$DEV/behave"
expect_rc 0 boot --max-boots 5
has "code=11 action=shutdown"
[ "$(state shutdown)" = yes ] || fail "shutdown flag not set"
: >"$DEV/runs"
expect_rc 0 boot --max-boots 5
has "event=device_shut_down"; has "antenna cable tamper"
[ ! -s "$DEV/runs" ] || fail "a shut-down device booted: $(cat "$DEV/runs")"
expect_rc 0 "$IMG" clear-shutdown --dev "$DEV"
rm -f "$DEV/behave"
expect_rc 0 boot --max-boots 5
[ "$(cat "$DEV/runs")" = "B v3 " ] || fail "runs after clear-shutdown: $(cat "$DEV/runs")"
ok "exit 11 with the shutdown flag keeps the device down until the flag is cleared"

# ---------------------------------------------------------------- nothing verifies
expect_rc 0 "$IMG" request-failsafe --dev "$DEV"
[ "$(state failsafe_requested)" = yes ] || fail "failsafe not requested"
chmod u+w "$DEV/slots/failsafe"; rm "$DEV/slots/failsafe/.signature"
echo x >>"$DEV/slots/B/etc/release"
expect_rc 2 boot --max-boots 5; has "no slot verifies"
ok "with no slot that verifies, henb-boot refuses to boot (exit 2)"
