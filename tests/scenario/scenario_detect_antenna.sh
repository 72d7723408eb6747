#!/usr/bin/env bash
# scenario_detect_antenna: the antenna identity read from the connector (HAL file antenna_id) differs from the
# one provisioned at first boot: Physical Violation / Cable tamper / Critical "Modified antenna" reaches hemsd
# as an expedited event; the provisioned antenna back clears it (monitor.fatal=none). With the default local
# policy the detection is fatal: reported first, then RF off and shutdown (exit 11), and it stays down.
. "$(dirname "$0")/libdetect.sh"

start_hemsd hems
hw_detection ant1 antenna_id ANT-ROGUE-7 "Modified antenna" "Cable tamper"
sanitizers_clean
ok "antenna detection"
