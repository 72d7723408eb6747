# libfw.sh: helpers for the firmware integration tests (cpe_firmware_*, cpe_kill_during_install): signing keys,
# signed images whose payload is the built henbd, a boot device with slot A provisioned, and henbd run by the
# henb-boot launcher against a real hemsd. Sourced after nothing: it sources libcpe.sh (and common.sh).
. "$(dirname "$0")/libcpe.sh"

IMG="$LF_BIN/henb-image"
BOOT="$LF_BIN/henb-boot"
PC=LifelineHeNB
DEV="$T/dev"

# fw_keys: the vendor's signing key pair ($T/k.priv, $T/k.pub) and a stranger's ($T/other.*).
fw_keys() {
	"$IMG" keygen "$T/k.priv" "$T/k.pub" >/dev/null
	"$IMG" keygen "$T/other.priv" "$T/other.pub" >/dev/null
}

# fw_build VERSION OUT [henb-image build options...]: a firmware image: bin/henbd (this build's henbd) and
# etc/version, signed with $T/k.priv for $PC, hardware 1.0 (options given later override).
fw_build() {
	local version=$1 out=$2; shift 2
	local src="$T/src-$version"
	rm -rf "$src"; mkdir -p "$src/bin" "$src/etc"
	cp "$LF_BIN/henbd" "$src/bin/henbd"; chmod 0755 "$src/bin/henbd"
	echo "lifeline henbd $version" >"$src/etc/version"
	"$IMG" build --key "$T/k.priv" --product-class "$PC" --hw 1.0,1.1 --version "$version" --out "$out" "$@" "$src" \
		>/dev/null
}

# fw_provision IMAGE: a factory-fresh boot device $DEV with IMAGE in slot A (active, good).
fw_provision() {
	"$IMG" provision --pub "$T/k.pub" --dev "$DEV" --slot A --product-class "$PC" --hw 1.0 "$1" >/dev/null
}

# bootctl KEY: a field of the boot state (henb-image status).
bootctl() { "$IMG" status --dev "$DEV" | sed -n "s/^$1: //p"; }

# slot_tree SLOT: a fingerprint of everything in a slot (names, sizes, contents), "" when it does not exist.
slot_tree() {
	[ -d "$DEV/slots/$1" ] || return 0
	(cd "$DEV/slots/$1" && find . -type f -print0 | sort -z | xargs -0 sha256sum | sha256sum | cut -d' ' -f1)
}

# boot_start NAME [henbd --set options...]: henb-boot on $DEV running henbd NAME towards the running hemsd
# (the settings of cpe_start plus the firmware key); BOOT_PID is the launcher's pid, the log $T/NAME.log holds
# the launcher's and every boot's agent lines.
boot_start() {
	local name=$1; shift
	mkdir -p "$T/$name/device"
	"$BOOT" --dev "$DEV" --pub "$T/k.pub" --retry-delay-ms 200 -- \
		--set "henb.state_dir=$T/$name" --set "device.serial_number=$name" \
		--set "acs.url=http://127.0.0.1:$HEMS_PORT/cwmp" --set acs.second_ms=100 \
		--set acs.periodic_inform_interval=100000 --set cr.rate_limit=60 --set henb.hal_poll_ms=50 \
		--set "henb.device_dir=$T/$name/device" --set "firmware.pubkey=$T/k.pub" "$@" 2>>"$T/$name.log" &
	BOOT_PID=$!
	PIDS+=("$BOOT_PID")
}

# agent_pid: the pid of the henbd that henb-boot runs now ("" when none).
agent_pid() { pgrep -P "$BOOT_PID" -x henbd || true; }

# file_url NAME PATH: register PATH on hemsd's file server as NAME, print its URL.
file_url() {
	hemsctl file add "$1" "$2" --version "$1" >/dev/null
	echo "http://127.0.0.1:$HEMS_PORT/files/$1"
}

# tls_file_server NAME CA CERT KEY FILE-NAME PATH: a second hemsd that serves files over HTTPS with CERT (CA
# signed it, for hemsctl), with PATH registered as FILE-NAME; sets TLS_URL to its URL. hemsctl and HEMS_PORT
# stay with the first hemsd.
tls_file_server() {
	local name=$1 ca=$2 cert=$3 key=$4 fname=$5 path=$6
	local keep_port=$HEMS_PORT keep_url=$HEMSCTL_URL
	start_hemsd "$name" --set "tls.cert=$cert" --set "tls.key=$key" </dev/null >/dev/null
	TLS_URL="https://127.0.0.1:$HEMS_PORT/files/$fname"
	HEMSCTL_URL="https://127.0.0.1:$HEMS_PORT" "$LF_BIN/hemsctl" --cacert "$ca" file add "$fname" "$path" \
		--version "$fname" >/dev/null
	HEMS_PORT=$keep_port
	export HEMSCTL_URL=$keep_url
}

# flaky_server NAME MODE FILE: tests/lib/flaky_file_server.py serving FILE, breaking off transfers (MODE
# break-first or break-always); sets FLAKY_URL. Its requests are logged in $T/NAME.log.
flaky_server() {
	local name=$1 mode=$2 file=$3
	python3 "$(dirname "$0")/../lib/flaky_file_server.py" "$file" "$T/$name.port" "$mode" "$T/$name.log" &
	PIDS+=($!)
	wait_for 20 test -s "$T/$name.port"
	FLAKY_URL="http://127.0.0.1:$(cat "$T/$name.port")/fw.lfi"
}

# download ID KEY URL [SIZE] [TYPE]: queue a Download task with --connect; prints the task id.
download() {
	local size=${4:-0} type=${5:-1 Firmware Upgrade Image}
	hemsctl task add "$1" Download "{\"commandKey\":\"$2\",\"fileType\":\"$type\",\"url\":\"$3\",\"fileSize\":$size}" \
		--connect
}

# tc_fault TASK: the faultCode of the TransferComplete matched to the Download task ("" before it came).
tc_fault() { task_field "$1" 'd.get("result", {}).get("transferComplete", {}).get("faultCode", "")'; }
has_tc() { [ -n "$(tc_fault "$1")" ]; }

# in_order FILE PATTERN...: the patterns match lines of FILE in this order.
in_order() {
	python3 - "$@" <<'PY'
import re, sys
lines = open(sys.argv[1]).read().splitlines()
i = 0
for pat in sys.argv[2:]:
    while i < len(lines) and not re.search(pat, lines[i]):
        i += 1
    if i == len(lines):
        sys.exit("not found in order: " + pat)
    i += 1
PY
}
