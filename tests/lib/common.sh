# common.sh: helpers for integration and scenario tests: temp dirs, starting real daemons, waiting on conditions.
# Sourced by tests/integration/*.sh and tests/scenario/*.sh. Needs LF_BIN (build dir) from ctest.
set -euo pipefail

: "${LF_BIN:?LF_BIN must point at the build directory}"
T=$(mktemp -d /tmp/lifeline-test.XXXXXX)
PIDS=()
TOKEN=test-token-$$

cleanup() {
	local rc=$?
	for p in "${PIDS[@]}"; do kill -TERM "$p" 2>/dev/null || true; done
	for p in "${PIDS[@]}"; do wait "$p" 2>/dev/null || true; done
	if [ $rc -ne 0 ]; then
		echo "---- test failed (rc=$rc); logs in $T:"
		for f in "$T"/*.log; do [ -f "$f" ] && { echo "== $f"; tail -n 40 "$f"; }; done
	elif [ -n "${LF_KEEP:-}" ]; then
		echo "kept: $T" # the demo reads the stores of a passed run
	else
		rm -rf "$T"
	fi
}
trap cleanup EXIT

fail() { echo "FAIL: $*" >&2; exit 1; }
ok() { echo "ok: $*"; }

# wait_for SECONDS CMD...: poll CMD every 0.1 s until it succeeds; fail after SECONDS.
wait_for() {
	local limit=$1; shift
	local end=$((SECONDS + limit))
	until "$@" >/dev/null 2>&1; do
		[ $SECONDS -lt $end ] || fail "timed out after ${limit}s waiting for: $*"
		sleep 0.1
	done
}

# start_hemsd NAME [--set k=v]...: start hemsd on a free port; sets HEMS_PORT and HEMS_PID_<NAME>.
start_hemsd() {
	local name=$1; shift
	rm -f "$T/$name.port"
	"$LF_BIN/hemsd" --set hemsd.listen_port=0 --set "hemsd.store=sqlite:$T/$name.db" \
		--set "nbi.token=$TOKEN" --port-file "$T/$name.port" "$@" 2>>"$T/$name.log" &
	local pid=$!
	PIDS+=("$pid")
	eval "HEMS_PID_$name=$pid"
	wait_for 20 test -s "$T/$name.port"
	HEMS_PORT=$(cat "$T/$name.port")
	export HEMSCTL_URL="http://127.0.0.1:$HEMS_PORT" HEMSCTL_TOKEN=$TOKEN
}

# start_henbd NAME [--set k=v]...: start henbd with its state in $T/NAME; sets HENB_PID_<NAME>.
start_henbd() {
	local name=$1; shift
	mkdir -p "$T/$name"
	"$LF_BIN/henbd" --set "henb.state_dir=$T/$name" --set "device.serial_number=$name" "$@" \
		2>>"$T/$name.log" &
	local pid=$!
	PIDS+=("$pid")
	eval "HENB_PID_$name=$pid"
}

# stop PID: SIGTERM and wait for the exit.
stop() {
	kill -TERM "$1" 2>/dev/null || true
	wait "$1" 2>/dev/null || true
}

hemsctl() { "$LF_BIN/hemsctl" "$@"; }

# json_get JSON-FILTER: read hemsctl --json output from stdin, print a field (python3 is in Debian's base).
json_get() { python3 -c "import json,sys; d=json.load(sys.stdin); print($1)"; }

FAKE_CPE="$(dirname "${BASH_SOURCE[0]}")/fake_cpe.py"

# fake_cpe ARGS...: run the scripted CPE (tests/lib/fake_cpe.py) against this test's hemsd.
fake_cpe() { python3 "$FAKE_CPE" "$@"; }

# task_field TASK PY-EXPR: a field of hemsctl --json task get TASK (d is the task object).
task_field() { hemsctl --json task get "$1" | json_get "$2"; }

# free_port: a TCP port nobody listens on right now.
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

# make_pki DIR: a test CA, a server certificate for 127.0.0.1 and a device (client) certificate, with openssl.
make_pki() {
	local d=$1
	mkdir -p "$d"
	openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 2 -subj "/CN=Lifeline Test CA" \
		-keyout "$d/ca.key" -out "$d/ca.pem" 2>/dev/null
	openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -subj "/CN=127.0.0.1" \
		-keyout "$d/server.key" -out "$d/server.csr" 2>/dev/null
	printf 'subjectAltName=IP:127.0.0.1,DNS:localhost\n' > "$d/server.ext"
	openssl x509 -req -in "$d/server.csr" -CA "$d/ca.pem" -CAkey "$d/ca.key" -CAcreateserial -days 2 \
		-extfile "$d/server.ext" -out "$d/server.pem" 2>/dev/null
	openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -subj "/CN=00005A-LifelineHeNB-CERT01" \
		-keyout "$d/device.key" -out "$d/device.csr" 2>/dev/null
	openssl x509 -req -in "$d/device.csr" -CA "$d/ca.pem" -CAkey "$d/ca.key" -CAcreateserial -days 2 \
		-out "$d/device.pem" 2>/dev/null
	# A device certificate from a CA the HeMS does not trust.
	openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 2 -subj "/CN=rogue" \
		-keyout "$d/rogue.key" -out "$d/rogue.pem" 2>/dev/null
}

# fake_cpe_start ARGS...: the scripted CPE in the background; FAKE_PID is its pid (killing it kills the CPE).
fake_cpe_start() {
	python3 "$FAKE_CPE" "$@" 2>>"$T/cpe.err" &
	FAKE_PID=$!
	PIDS+=("$FAKE_PID")
}

# start_device NAME [fake_cpe device options]: a scripted stateful HeNB (tests/lib/fake_cpe.py device) with its
# own serial NAME and connection request port; DEV_CONTROL_<NAME> is the file that makes it raise alarms.
start_device() {
	local name=$1; shift
	local port
	port=$(free_port)
	python3 "$FAKE_CPE" device --url "http://127.0.0.1:$HEMS_PORT/cwmp" --serial "$name" --cr-port "$port" \
		--control "$T/$name.control" --ready "$T/$name.ready" --log "$T/$name.cpe.log" "$@" 2>>"$T/$name.err" &
	PIDS+=($!)
	eval "DEV_PID_$name=$!"
	wait_for 20 test -e "$T/$name.ready"
}

# raise NAME KIND: the scripted device NAME raises an expedited security alarm (sw config lan case antenna).
raise() { echo "$2" >> "$T/$1.control"; }

# case_of DEVICE-ID: the id of the device's newest case ("" when none).
case_of() { hemsctl --json cases "$1" | json_get 'd["cases"][0]["caseId"] if d["cases"] else ""'; }
case_field() { hemsctl --json case "$1" | json_get "$2"; }
