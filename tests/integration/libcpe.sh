# libcpe.sh: helpers for the cpe_* integration tests: henbd managed by a real hemsd through its task queue.
# Sourced after tests/lib/common.sh (which CTest runs with LF_BIN set).
. "$(dirname "$0")/../lib/common.sh"

# cpe_start NAME [--set k=v]...: henbd NAME towards the running hemsd, with the protocol second shortened to
# 100 ms, no periodic inform, a rate limit out of the way and its HAL directory in $T/NAME/device.
cpe_start() {
	local name=$1; shift
	mkdir -p "$T/$name/device"
	start_henbd "$name" --set "acs.url=http://127.0.0.1:$HEMS_PORT/cwmp" --set acs.second_ms=100 \
		--set acs.periodic_inform_interval=100000 --set cr.rate_limit=60 --set henb.hal_poll_ms=50 \
		--set "henb.device_dir=$T/$name/device" "$@"
}

dev_id() { echo "00005A-LifelineHeNB-$1"; }
informs() { hemsctl --json device "$1" | json_get 'd["informs"]'; }
last_events() { hemsctl --json device "$1" | json_get 'd["lastEvents"]'; }
# cached_param ID NAME: the value hemsd cached from the device's Informs and answers
cached_param() {
	hemsctl --json device "$1" | python3 -c "import json,sys; d=json.load(sys.stdin); print(next((p['value'] for p in d['parameters'] if p['name']=='$2'), '<none>'))"
}
informs_at_least() { [ "$(informs "$1")" -ge "$2" ]; }

# task ID METHOD ARGS: queue a task with connectNow, wait for its answer, print its JSON into $T/task.json.
task() {
	local tid
	tid=$(hemsctl task add "$1" "$2" "$3" --connect) || fail "cannot queue $2"
	hemsctl --json task get "$tid" --wait 30 >"$T/task.json" || fail "$2 (task $tid) not answered: $(cat "$T/task.json")"
}
# tj EXPR: a Python expression on the last task's JSON (d)
tj() { python3 -c "import json,sys; d=json.load(open('$T/task.json')); print($1)"; }
# expect_status STATUS: the last task ended so
expect_status() {
	local s
	s=$(tj 'd["status"]')
	[ "$s" = "$1" ] || fail "task status '$s', expected '$1': $(cat "$T/task.json")"
}

# count PATTERN FILE: matching lines (0 when none)
count() { grep -c -E "$1" "$2" 2>/dev/null || true; }
# state_value NAME DIR: a value from henbd's state file (test plumbing: the file is plain text)
state_value() {
	python3 - "$2/henbd.state" "$1" <<'PY'
import sys
name = sys.argv[2]
def unesc(s):
    out, i = [], 0
    while i < len(s):
        c = s[i]
        if c == '\\':
            n = s[i + 1]
            if n == 'x':
                out.append(chr(int(s[i + 2:i + 4], 16))); i += 4; continue
            out.append({'\\': '\\', 's': ' ', 'n': '\n', 'r': '\r', 't': '\t'}[n]); i += 2; continue
        out.append(c); i += 1
    return ''.join(out)
for line in open(sys.argv[1], encoding='utf-8'):
    parts = line.rstrip('\n').split(' ')
    if parts[0] == 'v' and unesc(parts[1]) == name:
        print(unesc(parts[2])); sys.exit(0)
sys.exit(1)
PY
}

# sanitizers_clean: stop every daemon of the test (so LeakSanitizer runs at their exit) and fail on any
# sanitizer report in the logs.
sanitizers_clean() {
	for p in "${PIDS[@]}"; do kill -TERM "$p" 2>/dev/null || true; done
	for p in "${PIDS[@]}"; do wait "$p" 2>/dev/null || true; done
	if grep -l "Sanitizer\|runtime error" "$T"/*.log >/dev/null 2>&1; then
		grep -h -A5 "Sanitizer\|runtime error" "$T"/*.log | head -40
		fail "sanitizer report"
	fi
	ok "no sanitizer report"
}

# idle NAME: henbd NAME has no session open (its last session_start has ended).
idle() {
	python3 - "$T/$1.log" <<'PY'
import sys
last = None
for line in open(sys.argv[1]):
    if "event=session_start" in line:
        last = "open"
    elif "event=session_ok" in line or "event=session_failed" in line:
        last = "closed"
sys.exit(0 if last != "open" else 1)
PY
}
