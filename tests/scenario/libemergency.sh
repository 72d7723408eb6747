# libemergency.sh: helpers for discovery and registration (5.1) and emergency remediation (5.7.3.2) scenarios:
# real hemsd instances in the three roles (serving, initial, emergency), and henbd run by henb-boot from signed
# slots (A: the factory image, failsafe: the read-only recovery image) on a boot device $DEV. Without network
# namespaces a path is made unavailable by stopping the hemsd behind it (the serving HeMS carries both the
# standard path and the distress server) or by pointing the HeNB at a closed port. Sourced by the scripts.
. "$(dirname "$0")/libremediate.sh"

DEV="$T/dev"

udp_port() { python3 -c 'import socket; s=socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

# use_hems NAME: hemsctl (and the helpers built on it) talk to hemsd NAME from now on.
use_hems() {
	HEMS_PORT=$(cat "$T/$1.port")
	export HEMSCTL_URL="http://127.0.0.1:$HEMS_PORT"
}
# hc NAME ARGS...: hemsctl against hemsd NAME
hc() { local n=$1; shift; HEMSCTL_URL="http://127.0.0.1:$(cat "$T/$n.port")" "$LF_BIN/hemsctl" "$@"; }
hems_url() { echo "http://127.0.0.1:$(cat "$T/$1.port")/cwmp"; }

# em_images: the vendor key pair, factory image 1.0 in slot A, the failsafe image in slots/failsafe, and the
# approved image 2.0 ($T/v2.lfi) for the emergency HeMS.
em_images() {
	make_image 1.0 "$T/v1.lfi"
	make_image 2.0 "$T/v2.lfi"
	make_image 1.0-failsafe "$T/fs.lfi"
	provision "$DEV" A "$T/v1.lfi"
	provision "$DEV" failsafe "$T/fs.lfi"
}

# start_serving [--set k=v]...: the serving HeMS with the default policy (golden configuration, ladders), its
# distress server on a UDP port ($DPORT) and a 30 s step timeout.
start_serving() {
	"$LF_BIN/hemsd" --print-policy | sed 's/^timeout step = .*/timeout step = 30/' >"$T/serving.policy"
	[ -n "${DPORT:-}" ] || DPORT=$(udp_port)
	start_hemsd serving --set "hemsd.policy=$T/serving.policy" --set distress.enable=true \
		--set distress.listen_address=127.0.0.1 --set "distress.port=$DPORT" "$@"
	SERVING_PORT=$HEMS_PORT
	SERVING_URL="http://127.0.0.1:$SERVING_PORT/cwmp"
}
# restart_serving: the serving HeMS back on its port and store after stop_serving.
stop_serving() { stop "$HEMS_PID_serving"; }
restart_serving() { start_serving --set "hemsd.listen_port=$SERVING_PORT"; }

# start_initial: the initial HeMS: every LifelineHeNB goes to the serving HeMS, with its SeGW and HeNB-GW.
start_initial() {
	cat >"$T/assign" <<RULES
# initial HeMS assignment rules (hemsd.assignments)
assign product_class=Other* url=http://127.0.0.1:9/cwmp
assign product_class=$PC serial=* url=$SERVING_URL segw=192.0.2.10 s1=192.0.2.20
RULES
	start_hemsd initial --set hemsd.role=initial --set "hemsd.assignments=$T/assign"
	INITIAL_URL="http://127.0.0.1:$HEMS_PORT/cwmp"
}

# start_emergency IMAGE: the emergency HeMS with IMAGE approved for LifelineHeNB (registered as lifeline-2.0.lfi).
start_emergency() {
	"$LF_BIN/hemsd" --print-policy >"$T/emergency.policy"
	printf 'firmware %s = lifeline-2.0.lfi\n' "$PC" >>"$T/emergency.policy"
	start_hemsd emergency --set hemsd.role=emergency --set "hemsd.policy=$T/emergency.policy"
	EMERGENCY_URL="http://127.0.0.1:$HEMS_PORT/cwmp"
	hemsctl file add lifeline-2.0.lfi "$1" --product-class "$PC" --version 2.0 >/dev/null
}

# em_boot NAME [--set k=v]...: henb-boot on $DEV running henbd NAME: a factory-fresh HeNB that knows the initial
# HeMS (acs.url) and, in protected configuration, the emergency HeMS; protocol seconds of 100 ms, the S1 link up,
# the integrity monitor on fast timers, the distress client with short bounds. BOOT_PID: the launcher.
em_boot() {
	local name=$1; shift
	mkdir -p "$T/$name/device"
	echo up >"$T/$name/device/s1_link"
	"$BOOT" --dev "$DEV" --pub "$T/k.pub" --retry-delay-ms 200 -- \
		--set "henb.state_dir=$T/$name" --set "device.serial_number=$name" --set "henb.device_dir=$T/$name/device" \
		--set "acs.url=${INITIAL_URL:-http://127.0.0.1:9/cwmp}" --set acs.second_ms=100 \
		--set acs.periodic_inform_interval=100000 --set cr.rate_limit=60 --set henb.hal_poll_ms=50 \
		--set "firmware.pubkey=$T/k.pub" --set monitor.sw_check_ms=300 --set monitor.config_check_ms=200 \
		--set emergency.enable=true --set "emergency.url=${EMERGENCY_URL:-http://127.0.0.1:9/cwmp}" \
		--set emergency.timeout=900 --set emergency.tries=3 \
		--set distress.max_retries=2 --set distress.retry_interval=1 --set distress.request_timeout_ms=1000 \
		--set distress.failed_session_threshold=3 --set distress.standard_retry_timeout=5 \
		"$@" 2>>"$T/$name.log" &
	BOOT_PID=$!
	PIDS+=("$BOOT_PID")
}
# agent_pid: the henbd that henb-boot runs now ("" when none).
agent_pid() { pgrep -P "$BOOT_PID" -x henbd || true; }
# bootctl KEY: a field of the boot state (henb-image status).
bootctl() { "$IMG" status --dev "$DEV" | sed -n "s/^$1: //p"; }

# registered_at HEMS ID: hemsd HEMS stored a 0 BOOTSTRAP Inform of device ID
registered_at() { grep -q "event=inform device=$2 events=\"0 BOOTSTRAP" "$T/$1.log"; }
# provisioned_at HEMS ID: the serving HeMS's registration tasks all answered: security alarms expedited (event
# table notifications, SupportedAlarm read, ReportingMechanism 0 Expedited), the golden configuration, the
# connection request credentials and the distress keys.
provisioned_at() {
	local done
	done=$(sqlite3 "$T/$1.db" "select count(*) from tasks where device_id='$2' and status=2 and (
		args like '%\"_purpose\":\"alarm-notification\"%' or args like '%\"_purpose\":\"supported-alarms\"%' or
		args like '%\"_purpose\":\"alarms-expedited\"%' or args like '%\"_purpose\":\"golden-config\"%' or
		args like '%\"_purpose\":\"distress-credentials\"%' or args like '%\"parameterKey\":\"hems-provision\"%')")
	[ "$done" -ge 6 ]
}
# informs_at HEMS ID: how many Informs of device ID hemsd HEMS logged
informs_at() { grep -c "event=inform device=$2 " "$T/$1.log" || true; }

# wait_exit PID SECONDS: wait for a background process to end; its status in $RC.
wait_exit() {
	local pid=$1 limit=$2 end=$((SECONDS + $2))
	while kill -0 "$pid" 2>/dev/null; do
		[ $SECONDS -lt $end ] || fail "process $pid still running after ${limit}s"
		sleep 0.1
	done
	RC=0
	wait "$pid" || RC=$?
}

# in_order FILE PATTERN...: the patterns (extended regular expressions) match lines of FILE in this order.
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

# outbox_types HEMS ID: the northbound notifications hemsd HEMS queued about device ID, in order, one per line
outbox_types() { sqlite3 "$T/$1.db" "select type from outbox where device_id='$2' order by id"; }

# to_failsafe NAME [sw|case]: the escalation of 5.7.3 on a registered HeNB: the serving HeMS goes away (the
# standard path and the distress server with it), then a tamper: a file of the running image changed (sw: Integrity
# Violation; slot A no longer verifies) or the case opened (case: Physical Violation; slot A still boots). The
# alarm cannot be delivered, the distress channel fails too while the S1 link is up: emergency remediation starts
# and henb-boot boots the failsafe image.
to_failsafe() {
	local name=$1 kind=${2:-sw}
	wait_for 20 idle "$name"
	stop_serving
	case $kind in
	sw) echo "# patched by an attacker" >>"$DEV/slots/A/etc/release" ;;
	case) echo open >"$T/$name/device/case" ;;
	*) fail "to_failsafe: unknown tamper $kind" ;;
	esac
	wait_for 120 grep -q "event=emergency_start " "$T/$name.log"
	wait_for 30 grep -q "event=boot slot=failsafe" "$T/$name.log"
	wait_for 30 grep -q "event=failsafe_mode" "$T/$name.log"
}

# slot_tree SLOT: a fingerprint of everything in a slot (names, sizes, contents), "" when it does not exist.
slot_tree() {
	[ -d "$DEV/slots/$1" ] || return 0
	(cd "$DEV/slots/$1" && find . -type f -print0 | sort -z | xargs -0 sha256sum | sha256sum | cut -d' ' -f1)
}

# stays_down NAME: the HeNB is shut down for good: henb-boot ran its last boot (BOOT_PID gone, exit 0), RF off,
# the reason in protected storage and in the boot state; a new henb-boot (power on again) boots nothing.
stays_down() {
	local name=$1 rc=0
	wait_exit "$BOOT_PID" 60
	[ "$RC" = 0 ] || fail "henb-boot exited $RC"
	grep -q "event=agent_exit slot=failsafe code=11 action=shutdown" "$T/$name.log" || fail "no shutdown (exit 11)"
	[ "$(cat "$T/$name/device/rf_tx")" = off ] || fail "RF on after the shutdown"
	grep -q "emergency remediation failed" "$T/$name/device/protected/fatal_shutdown" || fail "reason not persisted"
	[ "$(bootctl shutdown)" = yes ] || fail "boot state has no shutdown flag"
	"$BOOT" --dev "$DEV" --pub "$T/k.pub" --retry-delay-ms 200 -- --set "henb.state_dir=$T/$name" \
		2>>"$T/$name.log" || rc=$?
	[ "$rc" = 0 ] || fail "a new henb-boot exited $rc"
	[ "$(grep -c 'event=device_shut_down' "$T/$name.log")" -ge 1 ] || fail "a new henb-boot did not stay down"
}
