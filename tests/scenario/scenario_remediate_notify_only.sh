#!/usr/bin/env bash
# scenario_remediate_notify_only (5.7.2.1): a LAN attack (a burst of failed Digest logins on the HeNB's connection
# request listener) raises Security Service or Mechanism Violation / Unauthorized access attempt / Warning; hemsd
# forwards it northbound and does nothing on the device: the case closes as notified, no task is sent.
. "$(dirname "$0")/libremediate.sh"

rem_hemsd
ID=$(dev_id lan1)
det_start lan1
det_ready "$ID" lan1
url=$(cached_param "$ID" Device.ManagementServer.ConnectionRequestURL)
for i in 1 2 3 4 5 6; do curl -s -o /dev/null --digest -u intruder:guess$i "$url" || true; done
expect_alarm "$ID" "Attack via the LAN: burst of failed authentications" NewAlarm \
	"Security Service or Mechanism Violation" "Unauthorized access attempt" Warning expedited
wait_for 20 case_is "$ID" resolved
timeline "$ID"
[ "$(case_field "$(case_of "$ID")" 'd["procedure"]')" = notify-only ] || fail "procedure"
[ -z "$(case_tasks "$ID")" ] || fail "tasks sent to the device: $(case_tasks "$ID")"
[ "$(sqlite3 "$T/hems.db" "select count(*) from outbox where type='notifyNewAlarm' and device_id='$ID'")" -ge 1 ] ||
	fail "not forwarded northbound"
ok "LAN attack: forwarded northbound (notifyNewAlarm), case resolved, nothing sent to the HeNB"
sanitizers_clean
