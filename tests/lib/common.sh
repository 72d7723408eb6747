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
