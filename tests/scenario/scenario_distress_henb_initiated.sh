#!/usr/bin/env bash
# scenario_distress_henb_initiated: 5.7.3.1 started by the HeNB on a really broken network (namespaces, two
# paths, TR-069 dropped by nftables on the standard path). With the S1 link down, failed sessions open no distress
# session; with the S1 link up, FailedSessionThreshold failed sessions in a row do: the HeNB opens the distress
# session itself (reason standard-path-failed, its failure count and TriggerAddress in the INFORM), once per
# outage. A firewall that lets connection requests in but TR-069 out not: the connection request it cannot serve
# opens a distress session too (reason connreq-unserved). Prints the time from the standard-path failure to the
# HeNB's distress INFORM at hemsd.
. "$(dirname "$0")/libdistress.sh"

dx_netns
dx_hemsd
N=hn1
ID=$(dev_id $N)
LOG="$T/$N.log"
# Periodic Informs every 3 s (30 protocol seconds) keep sessions coming; retry waits of 1 protocol second.
dx_henbd $N --set acs.periodic_inform_interval=30 --set acs.retry_min_wait=1 --set acs.retry_multiplier=1000 \
	--set distress.failed_session_threshold=3
dx_registered "$ID" $N
ok "registered; distress keys provisioned over TR-069"

failures() { grep -c 'event=session_failed' "$LOG" || true; }
dsessions() { grep -c "event=distress_session device=$ID " "$T/hems.log" || true; }

# 1. S1 down: the HeNB is not in service; failed sessions alone do not make it use the distress channel.
echo down >"$T/$N/device/s1_link"
block_standard
n=$(failures)
five_more() { [ "$(failures)" -ge $((n + 5)) ]; }
wait_for 40 five_more
! grep -q "event=distress_session_start" "$LOG" || fail "distress session with the S1 link down"
[ "$(dsessions)" = 0 ] || fail "hemsd saw a distress session"
ok "S1 down, standard path blocked: $(failures) failed sessions, no distress session"

# 2. S1 up: the next FailedSessionThreshold failures open the distress session.
k=$(oks $N)
restore_standard
wait_for 30 standard_ok $N "$k"
wait_for 20 idle $N
hfrom=$(lines "$LOG")
echo up >"$T/$N/device/s1_link"
wait_for 20 idle $N
sleep 1
wait_for 20 idle $N
t0=$(now_s)
block_standard
wait_for 60 grep -q "event=distress_session device=$ID .*reason=standard-path-failed" "$T/hems.log"
t1=$(log_ts "$T/hems.log" "event=distress_session device=$ID .*reason=standard-path-failed")
grep -q "event=distress_session device=$ID .*reason_text=\"3 standard sessions failed in a row while the S1 link is up\" .*trigger_address=$HENB_ALT:$TPORT remote=$HENB_ALT:" "$T/hems.log" ||
	fail "INFORM fields: $(grep "event=distress_session device" "$T/hems.log" | tail -1)"
in_order "$LOG" "event=distress_requested reason=standard-path-failed" "event=distress_session_start reason=standard-path-failed" \
	"event=distress_session_open" "event=distress_session_over ok=yes reason=standard-path-failed" ||
	fail "HeNB-initiated session"
python3 - "$LOG" "$hfrom" <<'PY' || fail "the distress session opened before 3 failed sessions"
import sys
lines = open(sys.argv[1]).read().splitlines()[int(sys.argv[2]):]
fails = 0
for l in lines:
    if "event=session_ok" in l:
        fails = 0
    if "event=session_failed" in l:
        fails += 1
    if "event=distress_session_start" in l:
        sys.exit(0 if fails >= 3 else 1)
sys.exit(1)
PY
echo "distress: standard path broken -> HeNB-initiated distress INFORM at hemsd: $(ms_between "$t0" "$t1") ms"
ok "S1 up: after 3 failed sessions the HeNB opened the distress session (reason standard-path-failed, TriggerAddress in the INFORM)"

# Once per outage: more failures open no new session.
n=$(failures)
wait_for 40 five_more
[ "$(dsessions)" = 1 ] || fail "$(dsessions) HeNB-initiated distress sessions for one outage"
ok "once per outage: $(($(failures) - n)) more failed sessions, still one distress session"

# 3. A firewall that drops only the HeNB's TR-069 traffic: the HeMS's connection request arrives, the session it
#    asks for cannot be made: the HeNB answers over the distress channel.
k=$(oks $N)
restore_standard
wait_for 30 standard_ok $N "$k"
wait_for 20 idle $N
in_henb nft -f - <<EOF || fail "nft"
table inet lf_std {
	chain out { type filter hook output priority 0; policy accept; oifname "std1" tcp dport $HEMS_PORT drop; }
}
EOF
from=$(lines "$T/hems.log")
hemsctl connect "$ID" >/dev/null || fail "connection request not delivered"
wait_for 30 grep -q "event=distress_session device=$ID .*reason=connreq-unserved .*events=\"[^\"]*6 CONNECTION REQUEST" "$T/hems.log"
grep -q "event=cr_accepted via=http" "$LOG" || fail "the connection request did not reach the HeNB"
ok "connection request accepted but unservable over the standard path: distress session (reason connreq-unserved, 6 CONNECTION REQUEST)"

restore_standard
sanitizers_clean
