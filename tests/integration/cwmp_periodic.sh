#!/usr/bin/env bash
# cwmp_periodic: henbd informs with 2 PERIODIC every PeriodicInformInterval, each session closed by 204.
. "$(dirname "$0")/../lib/common.sh"

ID="00005A-LifelineHeNB-henb2"
# The golden configuration would set PeriodicInformInterval to 3600 at registration.
start_hemsd hems2 --set provision.golden_config=false
start_henbd henb2 --set "acs.url=http://127.0.0.1:$HEMS_PORT/cwmp" --set acs.periodic_inform_interval=3 \
	--set acs.second_ms=100
four_informs() { [ "$(hemsctl --json device "$ID" | json_get 'd["informs"]')" -ge 4 ]; }
wait_for 20 four_informs
periodic=$(grep -c "event=inform device=$ID events=\"2 PERIODIC\"" "$T/hems2.log")
[ "$periodic" -ge 3 ] || fail "only $periodic periodic Informs reached hemsd"
ends=$(grep -c "event=session_end device=$ID" "$T/hems2.log")
[ "$ends" -ge 4 ] || fail "only $ends sessions ended with the empty POST / 204"
ok "$periodic periodic Informs, $ends sessions closed by 204"
