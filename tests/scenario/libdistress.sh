# libdistress.sh: the distress scenarios' network (5.7.3.1 on a really broken network): hemsd and henbd each in
# its own network namespace, joined by two veth links: the standard path (TR-069: 10.200.1.1 HeMS, 10.200.1.2
# HeNB) and the alternative path (distress channel, triggers and the file server: 10.200.2.1 / 10.200.2.2). The
# standard path is broken by nftables rules in the HeNB's namespace that drop TR-069 traffic, like a misconfigured
# firewall at the Internet access gateway. The private 10.200.x.y addresses exist only inside the namespaces this
# library creates; they and the namespaces are removed at exit. Needs root (network namespaces) and nft.
# Sourced by tests/scenario/scenario_distress_*.sh.
. "$(dirname "$0")/libdetect.sh"
[ -n "${T:-}" ] && [ -d "$T" ] || { echo "libdistress.sh: tests/lib/common.sh was not loaded" >&2; exit 1; }

NS_HEMS=lf-hems-$$
NS_HENB=lf-henb-$$
HEMS_STD=10.200.1.1
HENB_STD=10.200.1.2
HEMS_ALT=10.200.2.1
HENB_ALT=10.200.2.2
HEMS_PORT=7547 # hemsd's CWMP, NBI and file server (in its own namespace, so a fixed port is safe)
CR_PORT=7548   # henbd's HTTP connection request listener
UDP_CR_PORT=7549
DPORT=5684 # the distress server (coaps)
TPORT=5685 # the HeNB's trigger listener
DEV="$T/dev"
export HEMSCTL_URL="http://127.0.0.1:$HEMS_PORT" HEMSCTL_TOKEN=$TOKEN

# Cleanup (replaces common.sh's, same behaviour): the daemons first, then the namespaces and their addresses.
cleanup() {
	local rc=$?
	for p in "${PIDS[@]}"; do kill -TERM "$p" 2>/dev/null || true; done
	for p in "${PIDS[@]}"; do wait "$p" 2>/dev/null || true; done
	# Anything still running in our namespaces was started by this test.
	for ns in "$NS_HENB" "$NS_HEMS"; do
		for p in $(ip netns pids "$ns" 2>/dev/null); do kill -KILL "$p" 2>/dev/null || true; done
		ip netns del "$ns" 2>/dev/null || true
	done
	if [ $rc -ne 0 ]; then
		echo "---- test failed (rc=$rc); logs in $T:"
		for f in "$T"/*.log; do [ -f "$f" ] && { echo "== $f"; tail -n 60 "$f"; }; done
	elif [ -n "${LF_KEEP:-}" ]; then
		echo "kept: $T" # the demo reads the stores of a passed run
	else
		rm -rf "$T"
	fi
}
trap cleanup EXIT
trap 'exit 143' TERM INT # a signal still takes the namespaces down

in_hems() { ip netns exec "$NS_HEMS" "$@"; }
in_henb() { ip netns exec "$NS_HENB" "$@"; }
hemsctl() { ip netns exec "$NS_HEMS" "$LF_BIN/hemsctl" "$@"; }

# dx_netns: the two namespaces and their links; fails clearly where namespaces are not available.
dx_netns() {
	[ "$(id -u)" = 0 ] || fail "network namespaces are not available: this scenario needs root (CAP_SYS_ADMIN and CAP_NET_ADMIN) to build its two-path network"
	command -v nft >/dev/null || fail "nft (nftables) is not installed: run scripts/install-deps"
	ip netns add "$NS_HEMS" 2>"$T/netns.err" || fail "cannot create a network namespace: $(cat "$T/netns.err")"
	ip netns add "$NS_HENB" 2>"$T/netns.err" || fail "cannot create a network namespace: $(cat "$T/netns.err")"
	# Both ends of each link are created inside the namespaces: nothing appears in the caller's network.
	ip -n "$NS_HEMS" link add std0 type veth peer name std1 netns "$NS_HENB" || fail "veth (standard path)"
	ip -n "$NS_HEMS" link add alt0 type veth peer name alt1 netns "$NS_HENB" || fail "veth (alternative path)"
	ip -n "$NS_HEMS" addr add "$HEMS_STD/24" dev std0
	ip -n "$NS_HEMS" addr add "$HEMS_ALT/24" dev alt0
	ip -n "$NS_HENB" addr add "$HENB_STD/24" dev std1
	ip -n "$NS_HENB" addr add "$HENB_ALT/24" dev alt1
	for ns in "$NS_HEMS" "$NS_HENB"; do
		ip -n "$ns" link set lo up
	done
	ip -n "$NS_HEMS" link set std0 up
	ip -n "$NS_HEMS" link set alt0 up
	ip -n "$NS_HENB" link set std1 up
	ip -n "$NS_HENB" link set alt1 up
	ok "network: hemsd in $NS_HEMS, henbd in $NS_HENB; standard path $HEMS_STD-$HENB_STD, alternative $HEMS_ALT-$HENB_ALT"
}

# block_standard: the gateway's firewall drops TR-069 on the standard path: CWMP to the HeMS, connection requests
# (HTTP and UDP) to the HeNB. restore_standard takes the rules away.
block_standard() {
	in_henb nft -f - <<EOF || fail "nft rules (standard path)"
table inet lf_std {
	chain out { type filter hook output priority 0; policy accept; oifname "std1" tcp dport $HEMS_PORT drop; }
	chain in { type filter hook input priority 0; policy accept;
		iifname "std1" tcp dport $CR_PORT drop; iifname "std1" udp dport $UDP_CR_PORT drop; }
}
EOF
}
restore_standard() { in_henb nft delete table inet lf_std; }
# block_alternative: the distress path is broken too (DTLS to the HeMS, triggers to the HeNB, the file server).
block_alternative() {
	in_henb nft -f - <<EOF || fail "nft rules (alternative path)"
table inet lf_alt {
	chain out { type filter hook output priority 0; policy accept;
		oifname "alt1" udp dport $DPORT drop; oifname "alt1" tcp dport $HEMS_PORT drop; }
	chain in { type filter hook input priority 0; policy accept; iifname "alt1" udp dport $TPORT drop; }
}
EOF
}
restore_alternative() { in_henb nft delete table inet lf_alt; }
# dropped_packets: packets the standard path's rules dropped so far
dropped_packets() { in_henb nft list table inet lf_std 2>/dev/null | grep -c drop || true; }

# dx_policy: a remediation policy with short steps (hemsd.policy); no golden configuration, so each HeNB keeps the
# PeriodicInformInterval it was started with.
dx_policy() {
	cat >"$T/policy" <<'POL'
rule diagnose-first
ladder reconfigure = configure
ladder reload-software = download
timeout step = 2
timeout extended = 60
firmware LifelineHeNB = fw-2.0.lfi
POL
}

# The daemons are started with `ip netns exec` as a simple command, so $! is the daemon itself (ip execs it).
# dx_hemsd [--set k=v]...: hemsd in its namespace on every address, its distress server on the alternative path
# and its file server handed out there.
dx_hemsd() {
	[ -e "$T/policy" ] || dx_policy
	ip netns exec "$NS_HEMS" "$LF_BIN/hemsd" --set hemsd.listen_address=0.0.0.0 --set "hemsd.listen_port=$HEMS_PORT" \
		--set "hemsd.store=sqlite:$T/hems.db" --set "nbi.token=$TOKEN" --set "hemsd.policy=$T/policy" \
		--set "hemsd.file_base_url=http://$HEMS_ALT:$HEMS_PORT" --set connreq.timeout=1 \
		--set distress.enable=true --set "distress.listen_address=$HEMS_ALT" --set "distress.port=$DPORT" \
		--set "distress.server_url=coaps://$HEMS_ALT:$DPORT" --set distress.trigger_interval_ms=100 \
		--set distress.poll_interval=1 "$@" 2>>"$T/hems.log" &
	HEMS_PID=$!
	PIDS+=("$HEMS_PID")
	wait_for 20 grep -q "event=distress_started" "$T/hems.log"
	wait_for 20 hemsctl devices
	wait_for 10 reach "$HEMS_STD" "$HEMS_PORT"
	wait_for 10 reach "$HEMS_ALT" "$HEMS_PORT"
}
# reach HOST PORT: a TCP connection from the HeNB's namespace succeeds.
reach() { in_henb python3 -c 'import socket, sys; socket.create_connection((sys.argv[1], int(sys.argv[2])), 1).close()' "$1" "$2"; }

# The henbd settings of every scenario: towards hemsd over the standard path, connection requests there, triggers
# on the alternative path; protocol second 100 ms; short distress timers.
dx_henb_args() {
	local name=$1
	echo --set "henb.state_dir=$T/$name" --set "device.serial_number=$name" \
		--set "acs.url=http://$HEMS_STD:$HEMS_PORT/cwmp" --set acs.second_ms=100 --set acs.http_timeout=1 \
		--set acs.periodic_inform_interval=100000 --set cr.rate_limit=60 --set henb.hal_poll_ms=50 \
		--set "henb.device_dir=$T/$name/device" --set "cr.address=$HENB_STD" --set "cr.port=$CR_PORT" \
		--set "cr.udp_address=$HENB_STD" --set "cr.udp_port=$UDP_CR_PORT" \
		--set "distress.trigger_address=$HENB_ALT" --set "distress.trigger_port=$TPORT" \
		--set distress.standard_retry_timeout=30 --set distress.retry_interval=5 --set distress.max_retries=3 \
		--set distress.session_timeout=600 --set distress.request_timeout_ms=3000
}

# dx_henbd NAME [--set k=v]...: henbd NAME in its namespace (no launcher); HENB_PID.
dx_henbd() {
	local name=$1; shift
	mkdir -p "$T/$name/device"
	# shellcheck disable=SC2046
	ip netns exec "$NS_HENB" "$LF_BIN/henbd" $(dx_henb_args "$name") "$@" 2>>"$T/$name.log" &
	HENB_PID=$!
	PIDS+=("$HENB_PID")
}

# Firmware: the vendor's keys, signed images of this build's henbd, a boot device with slot A provisioned.
fw_keys() { [ -e "$T/k.pub" ] || "$IMG" keygen "$T/k.priv" "$T/k.pub" >/dev/null; }
fw_build() {
	local version=$1 out=$2 src="$T/src-$1"
	fw_keys
	rm -rf "$src"; mkdir -p "$src/bin" "$src/etc"
	cp "$LF_BIN/henbd" "$src/bin/henbd"; chmod 0755 "$src/bin/henbd"
	echo "lifeline henbd $version" >"$src/etc/version"
	"$IMG" build --key "$T/k.priv" --product-class "$PC" --hw 1.0 --version "$version" --out "$out" "$src" >/dev/null ||
		fail "cannot build image $version"
}
fw_provision() { "$IMG" provision --pub "$T/k.pub" --dev "$DEV" --slot A --product-class "$PC" --hw 1.0 "$1" >/dev/null; }
bootctl() { "$IMG" status --dev "$DEV" | sed -n "s/^$1: //p"; }

# dx_boot NAME [--set k=v]...: henb-boot on $DEV running henbd NAME in the HeNB's namespace; BOOT_PID.
dx_boot() {
	local name=$1; shift
	mkdir -p "$T/$name/device"
	# shellcheck disable=SC2046
	ip netns exec "$NS_HENB" "$BOOT" --dev "$DEV" --pub "$T/k.pub" --retry-delay-ms 200 -- $(dx_henb_args "$name") \
		--set "firmware.pubkey=$T/k.pub" "$@" 2>>"$T/$name.log" &
	BOOT_PID=$!
	PIDS+=("$BOOT_PID")
}

# dx_registered ID NAME: registered over the standard path, distress keys provisioned and saved by the HeNB, its
# TriggerAddress known to hemsd, no session open.
dx_registered() {
	wait_for 30 informs_at_least "$1" 1
	wait_for 30 grep -q "event=provision device=$1 what=distress_credentials" "$T/hems.log"
	wait_for 30 grep -q "event=distress_keys_saved enable=true server_url=coaps://$HEMS_ALT:$DPORT identity=$1" "$T/$2.log"
	trigger_known() { [ "$(cached_param "$1" "Device.X_00005A_Distress.TriggerAddress")" = "$HENB_ALT:$TPORT" ]; }
	wait_for 30 trigger_known "$1"
	wait_for 30 idle "$2"
}

# queue_action ID KIND ARGS-JSON: a distress action queued in hemsd's store the way hems_distress_queue() does (the
# NBI has no command for it: hemsd queues them from extended remediation); prints its id.
queue_action() {
	python3 - "$T/hems.db" "$1" "$2" "$3" <<'PY'
import sqlite3, sys, time
db = sqlite3.connect(sys.argv[1], timeout=10)
cur = db.execute("INSERT INTO distress_actions (device_id, case_id, kind, args, created) VALUES (?, 0, ?, ?, ?)",
                 (sys.argv[2], sys.argv[3], sys.argv[4], int(time.time())))
db.commit()
print(cur.lastrowid)
PY
}
# action_field ID PY-EXPR: a field of distress action ID in hemsd's store (row r: status 0 queued, 1 sent,
# 2 accepted, 3 done, 4 failed; result as JSON text).
action_field() {
	python3 - "$T/hems.db" "$1" "$2" <<'PY'
import json, sqlite3, sys
db = sqlite3.connect(sys.argv[1], timeout=10)
db.row_factory = sqlite3.Row
r = db.execute("SELECT * FROM distress_actions WHERE id = ?", (int(sys.argv[2]),)).fetchone()
r = dict(r)
res = json.loads(r["result"]) if r["result"] else {}
print(eval(sys.argv[3]))
PY
}
action_done() { [ "$(action_field "$1" 'r["status"]')" = 3 ]; }
action_final() { [ "$(action_field "$1" 'r["status"] in (3, 4)')" = True ]; }
# action_of ID KIND: the newest distress action of that kind for the device (hemsd queued it), "" when none.
action_of() {
	python3 - "$T/hems.db" "$1" "$2" <<'PY'
import sqlite3, sys
db = sqlite3.connect(sys.argv[1], timeout=10)
r = db.execute("SELECT max(id) FROM distress_actions WHERE device_id = ? AND kind = ?", (sys.argv[2], sys.argv[3])).fetchone()
print(r[0] or "")
PY
}

# device_key ID psk|trigger_key: a key hemsd drew for the device (its store).
device_key() {
	python3 -c "import sqlite3,sys; print(sqlite3.connect(sys.argv[1]).execute('SELECT $2 FROM distress_devices WHERE device_id=?', (sys.argv[3],)).fetchone()[0])" \
		"$T/hems.db" "$2" "$1"
}
# trigger_dgram KEY TS MSGID UN: a trigger datagram (protocol section 4, TR-069 Annex G) to the HeNB's trigger
# address, signed with KEY, on stdout.
trigger_dgram() {
	python3 - "$HENB_ALT:$TPORT" "$@" <<'PY'
import hashlib, hmac, os, sys, urllib.parse
addr, key, ts, mid, un = sys.argv[1:6]
cn = os.urandom(8).hex()
sig = hmac.new(key.encode(), (ts + mid + un + cn).encode(), hashlib.sha1).hexdigest()
q = "ts=%s&id=%s&un=%s&cn=%s&sig=%s" % (ts, mid, urllib.parse.quote(un, safe=""), cn, sig)
sys.stdout.write("GET http://%s?%s HTTP/1.1\r\nHost: %s\r\nContent-Length: 0\r\n\r\n" % (addr, q, addr))
PY
}
# send_dgram FILE: send FILE as one UDP datagram from the HeMS's namespace to the HeNB's trigger listener.
send_dgram() {
	in_hems python3 -c 'import socket, sys; socket.socket(socket.AF_INET, socket.SOCK_DGRAM).sendto(open(sys.argv[1], "rb").read(), (sys.argv[2], int(sys.argv[3])))' \
		"$1" "$HENB_ALT" "$TPORT"
}

# log_ts FILE PATTERN: the unix time (s, with fraction) of the first line matching PATTERN (after line START).
log_ts() {
	python3 - "$1" "$2" "${3:-0}" <<'PY'
import datetime, re, sys
for i, line in enumerate(open(sys.argv[1], errors="replace")):
    if i >= int(sys.argv[3]) and re.search(sys.argv[2], line):
        ts = re.search(r"ts=(\S+)Z", line).group(1)
        print("%.3f" % datetime.datetime.strptime(ts, "%Y-%m-%dT%H:%M:%S.%f").replace(tzinfo=datetime.timezone.utc).timestamp())
        sys.exit(0)
sys.exit(1)
PY
}
lines() { wc -l <"$1"; }
# oks NAME: standard sessions of henbd NAME that succeeded so far; standard_ok NAME COUNT: more than COUNT now.
oks() { grep -c 'event=session_ok' "$T/$1.log" || true; }
standard_ok() { [ "$(oks "$1")" -gt "$2" ]; }
# in_order FILE PATTERN...: the patterns match lines of FILE in this order.
in_order() {
	python3 - "$@" <<'PY'
import re, sys
lines = open(sys.argv[1], errors="replace").read().splitlines()
i = 0
for pat in sys.argv[2:]:
    while i < len(lines) and not re.search(pat, lines[i]):
        i += 1
    if i == len(lines):
        sys.exit("not found in order: " + pat)
    i += 1
PY
}
ms_between() { python3 -c "import sys; print(int(round((float(sys.argv[2]) - float(sys.argv[1])) * 1000)))" "$1" "$2"; }
