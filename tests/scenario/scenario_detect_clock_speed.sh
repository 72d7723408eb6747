#!/usr/bin/env bash
# scenario_detect_clock_speed: the measured reference clock (HAL file clock_hz) against the nominal frequency
# provisioned at first boot: a drift within monitor.clock_tolerance_ppm (100) is no alarm; 10.5 MHz for 10 MHz
# (50000 ppm) is Physical Violation / Unspecified reason / Critical "Modified clock speed", expedited to hemsd;
# back in tolerance it clears (monitor.fatal=none). With the default local policy it is fatal: reported first,
# then RF off and shutdown (exit 11), and it stays down.
. "$(dirname "$0")/libdetect.sh"

start_hemsd hems
ID=$(dev_id clk0)
det_start clk0
det_ready "$ID" clk0
echo 10000900 >"$T/clk0/device/clock_hz" # 90 ppm
sleep 1.5
[ "$(alarm_count "$ID" "Modified clock speed" NewAlarm)" = 0 ] || fail "a drift within the tolerance raised an alarm"
grep -q 'event=tamper_detected' "$T/clk0.log" && fail "a drift within the tolerance was a detection"
echo 9999000 >"$T/clk0/device/clock_hz" # -100 ppm: the edge, still within
sleep 1
[ "$(alarm_count "$ID" "Modified clock speed" NewAlarm)" = 0 ] || fail "100 ppm raised an alarm"
ok "90 and 100 ppm from the nominal 10 MHz: within the tolerance, no alarm"
stop "$HENB_PID_clk0"

hw_detection clk1 clock_hz 10500000 "Modified clock speed" "Unspecified reason"
grep -q 'reference clock 10500000 Hz is 50000 ppm from the nominal 10000000 Hz' "$T/clk1.log" || fail "detail"
sanitizers_clean
ok "clock speed detection"
