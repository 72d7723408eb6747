# libdetect.sh: helpers for the tamper detection scenarios (scenario_detect_*, scenario_alarm_*,
# scenario_fatal_shutdown): a real hemsd and henbd with its integrity monitor on fast timers and a signed image
# to verify, tampering through the HAL device directory, and what hemsd stored. Sourced by the scenario scripts.
. "$(dirname "$0")/../integration/libcpe.sh"

IMG="$LF_BIN/henb-image"
BOOT="$LF_BIN/henb-boot"
PC=LifelineHeNB

# make_image VERSION OUT: a signed image holding the real henbd (built by this test's build) and a release file;
# the key pair $T/k.priv / $T/k.pub is made on first use.
make_image() {
	local v=$1 out=$2 src="$T/src-$1"
	[ -e "$T/k.pub" ] || "$IMG" keygen "$T/k.priv" "$T/k.pub" >/dev/null
	mkdir -p "$src/bin" "$src/etc"
	cp "$LF_BIN/henbd" "$src/bin/henbd"
	echo "Lifeline HeNB release $v" >"$src/etc/release"
	"$IMG" build --key "$T/k.priv" --product-class $PC --hw 1.0 --version "$v" --out "$out" "$src" >/dev/null ||
		fail "cannot build image $v"
}

# provision DEV SLOT IMAGE: the factory writes IMAGE into slot SLOT of boot device DEV.
provision() {
	"$IMG" provision --pub "$T/k.pub" --dev "$1" --slot "$2" --product-class $PC --hw 1.0 "$3" >/dev/null ||
		fail "cannot provision slot $2"
}

# det_start NAME [--set k=v]...: henbd NAME towards the running hemsd (libcpe.sh cpe_start) with the monitor on
# fast timers (50 ms sensor polls, debounce 3), verifying the signed image in $T/img/slots/A, a 1 s event
# window (protocol seconds of 100 ms). The factory image is made on first use.
det_start() {
	local name=$1; shift
	if [ ! -d "$T/img/slots/A" ]; then
		make_image 1.0 "$T/v1.lfi"
		provision "$T/img" A "$T/v1.lfi"
	fi
	cpe_start "$name" --set "monitor.image_dir=$T/img/slots/A" --set "firmware.pubkey=$T/k.pub" \
		--set monitor.sw_check_ms=300 --set monitor.config_check_ms=200 --set monitor.event_window=10 "$@"
}

# alarm ID SPECIFIC-PROBLEM NOTIFICATION-TYPE: the newest alarm event hemsd stored for the device with this
# SpecificProblem and NotificationType, as JSON on stdout; exit 1 when there is none.
alarm() {
	hemsctl --json alarms "$1" | python3 -c '
import json, sys
d = json.load(sys.stdin)
m = [a for a in d["alarms"] if a["specificProblem"] == sys.argv[1] and a["notificationType"] == sys.argv[2]]
if not m:
    sys.exit(1)
print(json.dumps(max(m, key=lambda a: a["alarmId"])))' "$2" "$3"
}
# alarm_count ID SPECIFIC-PROBLEM NOTIFICATION-TYPE: how many such events hemsd stored
alarm_count() {
	hemsctl --json alarms "$1" | python3 -c '
import json, sys
d = json.load(sys.stdin)
print(sum(1 for a in d["alarms"] if a["specificProblem"] == sys.argv[1] and a["notificationType"] == sys.argv[2]))' "$2" "$3"
}
has_alarm() { alarm "$@" >/dev/null; }

# expect_alarm ID SPECIFIC-PROBLEM TYPE EVENT-TYPE PROBABLE-CAUSE SEVERITY SOURCE: wait (20 s) for the event at
# hemsd and check its fields; sets ALARM (its JSON).
expect_alarm() {
	local id=$1 sp=$2 type=$3
	wait_for 20 has_alarm "$id" "$sp" "$type"
	ALARM=$(alarm "$id" "$sp" "$type")
	python3 - "$ALARM" "$4" "$5" "$6" "$7" <<'PY' || fail "alarm '$sp' ($type) at hemsd: $ALARM"
import json, sys
a = json.loads(sys.argv[1])
want = {"eventType": sys.argv[2], "probableCause": sys.argv[3], "perceivedSeverity": sys.argv[4], "source": sys.argv[5]}
bad = {k: (a.get(k), v) for k, v in want.items() if a.get(k) != v}
if bad:
    print("mismatch (got, want):", bad)
    sys.exit(1)
PY
}
field() { python3 -c "import json,sys; print(json.loads(sys.argv[1])[sys.argv[2]])" "$1" "$2"; }

# registered ID: hemsd provisioned the device's alarm reporting (security alarms Expedited) at bootstrap.
registered() { grep -q "event=provision device=$1 what=alarms-expedited" "$T/hems.log"; }
provisioned_done() { grep -c "event=rpc method=SetParameterValues answer=SetParameterValuesResponse" "$T/$1.log" | grep -qv '^0$'; }

# now_s: wall clock in seconds with fraction (for detection latency)
now_s() { python3 -c 'import time; print("%.3f" % time.time())'; }
# stored_latency_ms T0 ID ALARM-IDENTIFIER: ms from T0 (now_s before the tamper write) to hemsd's "alarm"
# log line of that AlarmIdentifier (the alarm stored); appended to $LF_LATENCY_FILE when set.
stored_latency_ms() {
	python3 - "$1" "$T/hems.log" "$2" "$3" <<'PY'
import datetime, re, sys
t0, log, dev, ident = float(sys.argv[1]), sys.argv[2], sys.argv[3], sys.argv[4]
for line in open(log):
    if "event=alarm " in line and ("device=%s " % dev) in line and (" id=%s " % ident) in line and "type=NewAlarm" in line:
        ts = re.search(r"ts=(\S+)Z", line).group(1)
        t = datetime.datetime.strptime(ts, "%Y-%m-%dT%H:%M:%S.%f").replace(tzinfo=datetime.timezone.utc).timestamp()
        print(int(round((t - t0) * 1000)))
        sys.exit(0)
sys.exit(1)
PY
}

# det_ready ID NAME: the device registered, hemsd's alarm provisioning (SupportedAlarm -> 0 Expedited, event
# table notifications) applied, and no session open.
det_ready() {
	wait_for 20 informs_at_least "$1" 1
	wait_for 20 grep -q 'parameter_key="hems-alarms"' "$T/$2.log"
	wait_for 10 idle "$2"
}

# sa_instance ID SPECIFIC-PROBLEM: the device's SupportedAlarm instance of that alarm.
sa_instance() {
	task "$1" GetParameterValues '{"names":["Device.FaultMgmt.SupportedAlarm."]}'
	tj "[p['name'].split('.')[3] for p in d['result']['parameters'] if p['name'].endswith('.SpecificProblem') and p['value'] == '$2'][0]"
}
# set_mechanism ID SPECIFIC-PROBLEM MECHANISM: the HeMS sets that alarm's ReportingMechanism.
set_mechanism() {
	local inst
	inst=$(sa_instance "$1" "$2")
	task "$1" SetParameterValues "{\"values\":[{\"name\":\"Device.FaultMgmt.SupportedAlarm.$inst.ReportingMechanism\",\"value\":\"$3\",\"type\":\"xsd:string\"}],\"parameterKey\":\"mech\"}"
	expect_status done
}
# gpv ID NAME: one value read from the device now
gpv() {
	task "$1" GetParameterValues "{\"names\":[\"$2\"]}"
	tj 'd["result"]["parameters"][0]["value"]'
}
# sessions NAME: how many sessions henbd NAME started so far
sessions() { grep -c 'event=session_start' "$T/$1.log" || true; }

# median VALUES...: the median of integers
median() { printf '%s\n' "$@" | sort -n | python3 -c 'import sys; v=[int(x) for x in sys.stdin]; print(v[len(v)//2] if len(v)%2 else (v[len(v)//2-1]+v[len(v)//2])//2)'; }

# hw_detection NAME FILE TAMPERED SPECIFIC-PROBLEM PROBABLE-CAUSE: the body of the antenna / clock / circuit
# scenarios (Physical Violation, Critical, fatal by default). With monitor.fatal=none the tampered value
# raises the alarm and restoring the provisioned one clears it; then, with the default local policy, the same
# tampering is reported and the HeNB shuts itself down: exit status 11, RF off, the alarm stored at hemsd
# before the RF went off, hemsd's case awaiting NM instructions.
hw_detection() {
	local name=$1 file=$2 bad=$3 sp=$4 cause=$5
	local id f good
	id=$(dev_id "$name")
	f="$T/$name/device/$file"
	det_start "$name" --set monitor.fatal=none
	det_ready "$id" "$name"
	good=$(cat "$f")
	echo "$bad" >"$f"
	expect_alarm "$id" "$sp" NewAlarm "Physical Violation" "$cause" Critical expedited
	local ident
	ident=$(field "$ALARM" alarmIdentifier)
	ok "$file '$bad' -> Physical Violation / $cause / Critical '$sp' at hemsd (expedited)"
	wait_for 20 idle "$name"
	echo "$good" >"$f"
	wait_for 20 has_alarm "$id" "$sp" ClearedAlarm
	[ "$(field "$(alarm "$id" "$sp" ClearedAlarm)" alarmIdentifier)" = "$ident" ] || fail "cleared another alarm"
	kill -0 "$(eval echo \$HENB_PID_$name)" || fail "henbd stopped although monitor.fatal=none"
	ok "provisioned $file back -> ClearedAlarm; with monitor.fatal=none the HeNB stays up"

	# The default local policy: fatal. The cell is on air (S1 up) when it happens.
	wait_for 20 idle "$name"
	stop "$(eval echo \$HENB_PID_$name)"
	det_start "$name"
	restarted() { [ "$(grep -c 'event=agent_start' "$T/$name.log")" -ge 2 ]; }
	wait_for 20 restarted
	echo up >"$T/$name/device/s1_link"
	rf_on() { [ "$(cat "$T/$name/device/rf_tx")" = on ]; }
	wait_for 10 rf_on
	wait_for 20 idle "$name"
	local pid n
	pid=$(eval echo \$HENB_PID_$name)
	n=$(alarm_count "$id" "$sp" NewAlarm)
	echo "$bad" >"$f"
	local rc=0
	wait "$pid" || rc=$?
	[ "$rc" = 11 ] || fail "henbd exited $rc after a fatal detection, expected 11 (shutdown)"
	[ "$(cat "$T/$name/device/rf_tx")" = off ] || fail "RF still on after the fatal shutdown"
	[ "$(alarm_count "$id" "$sp" NewAlarm)" -gt "$n" ] || fail "hemsd did not get the fatal alarm"
	python3 - "$T/$name.log" "$T/hems.log" "$id" <<'PY' || fail "the fatal sequence is out of order"
import datetime, re, sys
def ts(l):
    return datetime.datetime.strptime(re.search(r"ts=(\S+)Z", l).group(1), "%Y-%m-%dT%H:%M:%S.%f")
henb = open(sys.argv[1]).read().splitlines()
hems = open(sys.argv[2]).read().splitlines()
def at(lines, pat, start=0):
    return next(i for i in range(start, len(lines)) if pat in lines[i])
b = at(henb, "event=fatal_breach")
r = at(henb, "event=breach_reported", b)
off = at(henb, "event=rf_tx state=off reason=fatal_breach", r)
st = at(henb, "event=services_stopped", off)
sd = at(henb, "event=fatal_shutdown ", st)
stored = max(ts(l) for l in hems if "event=alarm " in l and "device=%s " % sys.argv[3] in l and "type=NewAlarm" in l)
print("alarm stored at hemsd %s, RF off at %s" % (stored.time(), ts(henb[off]).time()))
sys.exit(0 if stored <= ts(henb[off]) else 1)
PY
	ok "fatal by default: alarm stored at hemsd, InformResponse, then RF off, services stopped, exit 11"
	local c
	c=$(case_of "$id")
	[ "$(case_field "$c" 'd["state"]')" = awaiting_instructions ] || fail "hemsd case $c not awaiting instructions"
	ok "hemsd: case $c awaiting NM instructions (5.7.2.3)"
	# It stays down: a restart refuses service, RF stays off.
	echo up >"$T/$name/device/s1_link"
	rc=0
	"$LF_BIN/henbd" --set "henb.state_dir=$T/$name" --set "device.serial_number=$name" \
		--set "henb.device_dir=$T/$name/device" --set "acs.url=http://127.0.0.1:$HEMS_PORT/cwmp" \
		2>>"$T/$name.log" || rc=$?
	[ "$rc" = 11 ] || fail "a restart after the fatal shutdown exited $rc, expected 11"
	grep -q 'event=fatal_shutdown_latched' "$T/$name.log" || fail "the refusal is not logged"
	[ "$(cat "$T/$name/device/rf_tx")" = off ] || fail "RF on after a restart"
	ok "a restart refuses service (exit 11, fatal_shutdown_latched logged), RF stays off"
}

# state_edit DIR NAME VALUE: change one value in henbd's state file DIR/henbd.state behind its back, with the
# SHA-256 seal recomputed (a tamperer who knows the format: the seal is no MAC). Plain values only.
state_edit() {
	python3 - "$1/henbd.state" "$2" "$3" <<'PY'
import hashlib, os, sys
path, name, value = sys.argv[1:4]
body = [l for l in open(path, encoding="utf-8").read().split("\n") if l and not l.startswith("E ")]
body = [l for l in body if not l.startswith("v %s " % name)] + ["v %s %s" % (name, value)]
text = "\n".join(body) + "\n"
text += "E " + hashlib.sha256(text.encode()).hexdigest() + "\n"
with open(path + ".edit", "w", encoding="utf-8") as f:
    f.write(text)
os.rename(path + ".edit", path)
PY
}
