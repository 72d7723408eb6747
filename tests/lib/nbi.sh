# nbi.sh: helpers for the northbound (Interface Type 2) tests: NM consumers that record what they receive,
# alarms sent through real Informs, FaultSupervisionMnS requests. Sourced after common.sh.

NM_CONSUMER="$(dirname "${BASH_SOURCE[0]}")/nm_consumer.py"
FM="/FaultSupervisionMnS/v1"

# start_consumer NAME [PORT]: an NM consumer recording into $T/NAME.jsonl, answering what $T/NAME.status says
# (204 when absent); sets CONS_PORT_<NAME> and CONS_PID_<NAME>. Restart it with the same PORT after stop.
start_consumer() {
	local name=$1 port=${2:-0}
	rm -f "$T/$name.cport"
	python3 "$NM_CONSUMER" --port "$port" --port-file "$T/$name.cport" --log "$T/$name.jsonl" \
		--status-file "$T/$name.status" 2>>"$T/$name.consumer.log" &
	local pid=$!
	PIDS+=("$pid")
	eval "CONS_PID_$name=$pid"
	wait_for 20 test -s "$T/$name.cport"
	eval "CONS_PORT_$name=$(cat "$T/$name.cport")"
}

# received NAME [PATH]: "notificationId notificationType" of every notification NAME acknowledged, in order.
received() { python3 "$NM_CONSUMER" check --log "$T/$1.jsonl" --path "${2:-}" 2>/dev/null || true; }

# received_types NAME: the distinct notification types NAME acknowledged, sorted.
received_types() { received "$1" | awk '{print $2}' | sort -u; }

# has_received NAME TYPE [MIN]: NAME got at least MIN (1) notifications of TYPE.
has_received() { [ "$(received "$1" | awk -v t="$2" '$2 == t' | wc -l)" -ge "${3:-1}" ]; }

# fm METHOD PATH [BODY]: a FaultSupervisionMnS / NBI request with this test's token; the body of the answer on
# stdout, its HTTP status in $T/code.
fm() {
	local method=$1 path=$2 body=${3:-}
	local args=(-s -o "$T/answer" -w '%{http_code}' -X "$method" -H "Authorization: Bearer ${FM_TOKEN:-$TOKEN}")
	[ -n "$body" ] && args+=(-H 'Content-Type: application/json' --data-binary "$body")
	curl "${args[@]}" "http://127.0.0.1:$HEMS_PORT$path" >"$T/code" || echo 000 >"$T/code"
	cat "$T/answer" 2>/dev/null || true
}
code() { cat "$T/code"; }

# subscribe URL [FILTER-JSON]: a FaultMnS subscription; prints its id.
subscribe() {
	local body filter=${2:-}
	[ -n "$filter" ] || filter='{}'
	body=$(python3 -c 'import json,sys; print(json.dumps({"consumerReference": sys.argv[1], "filter": json.loads(sys.argv[2])}))' \
		"$1" "$filter")
	fm POST "$FM/subscriptions" "$body" | json_get 'd["id"]'
}

# alarm ID TYPE SEVERITY [NOTIFICATION] [PROBLEM] [CAUSE]: the JSON of one FaultMgmt event for fake_cpe --alarm.
alarm() {
	python3 -c 'import json,sys
a = sys.argv[1:]
print(json.dumps({"AlarmIdentifier": a[0], "EventType": a[1], "PerceivedSeverity": a[2],
                  "NotificationType": a[3] if len(a) > 3 and a[3] else "NewAlarm",
                  "SpecificProblem": a[4] if len(a) > 4 and a[4] else "test problem",
                  "ProbableCause": a[5] if len(a) > 5 and a[5] else "Unauthorized access attempt",
                  "AdditionalText": "raised by the test"}))' "$@"
}

# inform SERIAL ALARM-JSON...: one session of device SERIAL whose Inform carries these ExpeditedEvents.
inform() {
	local serial=$1; shift
	local args=()
	for a in "$@"; do args+=(--alarm "$a"); done
	fake_cpe session --url "http://127.0.0.1:$HEMS_PORT/cwmp" --serial "$serial" --events "4 VALUE CHANGE" \
		"${args[@]}" --log "$T/cpe-$serial.log"
}

# device_id SERIAL: the id hemsd gives the fake CPE (its capture is a Cavium eNB, OUI 000FB7).
device_id() { echo "000FB7-Cavium%20eNB-$1"; }

# urlenc TEXT: TEXT percent-encoded for a path segment.
urlenc() { python3 -c 'import sys, urllib.parse; print(urllib.parse.quote(sys.argv[1], safe=""))' "$1"; }

# outbox_idle: every subscriber (not the internal policy cursor) has caught up.
outbox_idle() {
	fm GET /nbi/v1/outbox | python3 -c 'import json,sys
d = json.load(sys.stdin)
sys.exit(0 if all(s["delivery"]["pending"] == 0 for s in d["subscriptions"] if not s["consumerReference"].startswith("internal:")) else 1)'
}
