/* notify.h: northbound notifications (Interface Type 2) written to the outbox, in the caller's transaction.
 * Bodies follow 3GPP TS 28.532 FaultMnS (NotificationHeader + alarm fields); the procedure's own notifications
 * use the same envelope. The delivery side (outbox.c) adds notificationId = the outbox row id. */
#ifndef LF_HEMS_NOTIFY_H
#define LF_HEMS_NOTIFY_H

#include <jansson.h>

#include "hems/hems.h"
#include "store/store.h"

/* Notification types. */
#define HEMS_NOTIFY_NEW_ALARM "notifyNewAlarm"
#define HEMS_NOTIFY_CHANGED_ALARM "notifyChangedAlarm"
#define HEMS_NOTIFY_CLEARED_ALARM "notifyClearedAlarm"
#define HEMS_NOTIFY_ACK_STATE_CHANGED "notifyAckStateChanged"
#define HEMS_NOTIFY_REMEDIATION_STARTED "notifyRemediationStarted"
#define HEMS_NOTIFY_REMEDIATION_STEP "notifyRemediationStep"
#define HEMS_NOTIFY_REMEDIATION_SUCCEEDED "notifyRemediationSucceeded"
#define HEMS_NOTIFY_REMEDIATION_FAILED "notifyRemediationFailed"
#define HEMS_NOTIFY_EXTENDED_REMEDIATION "notifyExtendedRemediationStarted"
#define HEMS_NOTIFY_NO_COMMUNICATION "notifyNoCommunicationPossible"
#define HEMS_NOTIFY_AWAITING_INSTRUCTIONS "notifyAwaitingInstructions"
#define HEMS_NOTIFY_DEVICE_BLOCKED "notifyDeviceBlocked"
#define HEMS_NOTIFY_DEVICE_UNBLOCKED "notifyDeviceUnblocked"
#define HEMS_NOTIFY_ENFORCEMENT "notifyEnforcementResult"

/* hems_notify_alarm: notifyNewAlarm / notifyChangedAlarm / notifyClearedAlarm (by a->notification_type) for a
 * security alarm of a HeNB. Fields: href, notificationType, eventTime, systemDN, alarmId, alarmType,
 * probableCause, perceivedSeverity, specificProblem, additionalText, objectInstance, plus the X.736 security
 * alarm fields serviceUser, serviceProvider, securityAlarmDetector. */
int hems_notify_alarm(struct hems *h, const struct store_alarm *a);
/* hems_notify_case: one of the procedure notifications about case c; extra (may be NULL, stolen) adds fields. */
int hems_notify_case(struct hems *h, const char *type, const struct store_case *c, json_t *extra);
/* hems_notify_device: a device-level notification (blocked/unblocked, enforcement result); extra stolen. */
int hems_notify_device(struct hems *h, const char *type, const char *device_id, json_t *extra);

#endif
