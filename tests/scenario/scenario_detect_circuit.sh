#!/usr/bin/env bash
# scenario_detect_circuit: the board fingerprint (HAL file board_id) differs from the one provisioned at first
# boot: Physical Violation / Unspecified reason / Critical "Circuit modification" reaches hemsd as an expedited
# event; the provisioned board back clears it (monitor.fatal=none). With the default local policy the detection
# is fatal: reported first, then RF off and shutdown (exit 11), and it stays down.
. "$(dirname "$0")/libdetect.sh"

start_hemsd hems
hw_detection brd1 board_id LL-BOARD-PATCHED "Circuit modification" "Unspecified reason"
sanitizers_clean
ok "circuit detection"
