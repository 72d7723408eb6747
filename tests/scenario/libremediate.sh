# libremediate.sh: helpers for the scenario_remediate_* tests: real hemsd (policy with a short step timeout)
# and real henbd, tampered through its device directory and state file (libdetect.sh), with the case followed
# through hemsctl. Sourced by the scenario scripts.
. "$(dirname "$0")/libdetect.sh"

PERIODIC=Device.ManagementServer.PeriodicInformInterval

# rem_hemsd [--set k=v]...: hemsd with the default rules and ladders, a 30 s step timeout, and the approved image
# (when $T/policy.extra holds firmware lines).
rem_hemsd() {
	"$LF_BIN/hemsd" --print-policy | sed 's/^timeout step = .*/timeout step = 30/' > "$T/policy"
	[ -f "$T/policy.extra" ] && cat "$T/policy.extra" >> "$T/policy"
	start_hemsd hems --set "hemsd.policy=$T/policy" "$@"
}

# case_state ID: the state of the device's newest case ("" when none)
case_state() { local c; c=$(case_of "$1"); [ -n "$c" ] && case_field "$c" 'd["state"]'; }
case_is() { [ "$(case_state "$1")" = "$2" ]; }
# timeline ID: the newest case's timeline, readable
timeline() { hemsctl case "$(case_of "$1")"; }
# case_tasks ID: how many tasks the device's cases queued (args._case), by method, "Method=N ..."
case_tasks() {
	sqlite3 "$T/hems.db" "select method || '=' || count(*) from tasks where device_id='$1' and args like '%\"_case\"%' group by method order by method" | tr '\n' ' '
}
