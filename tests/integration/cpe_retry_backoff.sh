#!/usr/bin/env bash
# cpe_retry_backoff: failed sessions are retried after random waits from the TR-069 3.2.1.1 table
# ([m*(k/1000)^(n-1), m*(k/1000)^n] protocol seconds), each Inform carries RetryCount = n, a success resets it,
# and CWMPRetryMinimumWaitInterval / CWMPRetryIntervalMultiplier set by the HeMS take effect.
. "$(dirname "$0")/libcpe.sh"

# check_waits LOG N LO0 FACTOR: the first N session_failed waits lie in [LO0*f^(n-1), LO0*f^n] ms.
check_waits() {
	python3 - "$@" <<'PY'
import re, sys
log, n, lo0, f = sys.argv[1], int(sys.argv[2]), float(sys.argv[3]), float(sys.argv[4])
fails = [(int(a), int(b)) for a, b in re.findall(r"event=session_failed retry_count=(\d+) wait_ms=(\d+)", open(log).read())]
starts = [int(x) for x in re.findall(r"event=session_start .*?retry_count=(\d+)", open(log).read())]
assert len(fails) >= n, "only %d failures" % len(fails)
for i, (count, wait) in enumerate(fails[:n], 1):
    lo, hi = lo0 * f ** (i - 1), lo0 * f ** i
    assert count == i, "retry_count %d, expected %d" % (count, i)
    assert lo - 1 <= wait <= hi + 1, "retry %d waited %d ms, outside [%g, %g]" % (i, wait, lo, hi)
    print("ok: retry %d waits %d ms in [%g, %g]" % (i, wait, lo, hi))
assert starts[:n] == list(range(n)), "RetryCount in the Informs: %s" % starts[:n]
print("ok: the Informs carried RetryCount %s" % starts[:n])
PY
}

# 1. The default multiplier (2000): m = 1 s = 100 ms here; six failures while hemsd is down.
start_hemsd hems
stop "$HEMS_PID_hems"
ID=$(dev_id rb1)
cpe_start rb1 --set acs.retry_min_wait=1
six() { [ "$(count 'event=session_failed' "$T/rb1.log")" -ge 6 ]; }
wait_for 30 six
check_waits "$T/rb1.log" 6 100 2 || fail "default table"

# 2. hemsd back on the same port: the retried session arrives with RetryCount > 0 ...
start_hemsd hems --set "hemsd.listen_port=$HEMS_PORT"
wait_for 30 informs_at_least "$ID" 1
line=$(grep 'event=inform ' "$T/hems.log" | tail -1)
rc=$(echo "$line" | sed -E 's/.*retry_count=([0-9]+).*/\1/')
[ "$rc" -ge 6 ] || fail "the retried Inform carried RetryCount $rc: $line"
ok "the retried Inform reached hemsd with RetryCount $rc"
# ... and the next session, after a success, carries 0 again.
task "$ID" GetParameterValues '{"names":["Device.ManagementServer.CWMPRetryMinimumWaitInterval"]}'
expect_status done
grep 'event=inform ' "$T/hems.log" | tail -1 | grep -q 'retry_count=0' || fail "RetryCount not reset after a success"
ok "RetryCount back to 0 after a successful session"

# 3. Values set by the HeMS take effect: m = 3 s (300 ms), k = 1500.
task "$ID" SetParameterValues '{"values":[
	{"name":"Device.ManagementServer.CWMPRetryMinimumWaitInterval","value":"3","type":"xsd:unsignedInt"},
	{"name":"Device.ManagementServer.CWMPRetryIntervalMultiplier","value":"1500","type":"xsd:unsignedInt"}],"parameterKey":"retry"}'
expect_status done
task "$ID" ScheduleInform '{"delaySeconds":10,"commandKey":"while-down"}'
expect_status done
lines=$(wc -l <"$T/rb1.log")
stop "$HEMS_PID_hems"
n0=$(count 'event=session_failed' "$T/rb1.log")
four_more() { [ "$(count 'event=session_failed' "$T/rb1.log")" -ge $((n0 + 4)) ]; }
wait_for 30 four_more
tail -n +$((lines + 1)) "$T/rb1.log" >"$T/rb1.tail.log"
check_waits "$T/rb1.tail.log" 4 300 1.5 || fail "waits from the HeMS's CWMPRetry parameters"
ok "CWMPRetryMinimumWaitInterval=3 and CWMPRetryIntervalMultiplier=1500 from the HeMS give [300*1.5^(n-1), 300*1.5^n] ms"

sanitizers_clean
ok "retry backoff"
