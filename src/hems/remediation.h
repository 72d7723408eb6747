/* remediation.h: the HeMS remediation engine (procedures 5.7.2.x): alarm intake, classification by policy,
 * one persisted case per device driven through the escalation ladder, verification, and the operator's and
 * NM's instructions. Everything runs on hemsd's event loop; every transition is a case_events row and, in the
 * same transaction, a northbound notification in the outbox. */
#ifndef LF_HEMS_REMEDIATION_H
#define LF_HEMS_REMEDIATION_H

#include <stddef.h>
#include <stdint.h>

#include "cwmp/cwmp.h"
#include "hems/hems.h"
#include "store/store.h"

/* hems_remediation_init: load and validate the policy (cfg.policy; the shipped default when empty).
 * err names the file, line and problem. */
int hems_remediation_init(struct hems *h, char *err, size_t errlen);
void hems_remediation_free(struct hems *h);

/* Intake from the CWMP session engine. */
/* hems_remediation_on_inform: a stored Inform: alarm events in its parameters (FaultMgmt ExpeditedEvent,
 * QueuedEvent, CurrentAlarm), its event codes and SoftwareVersion advance the device's case. */
void hems_remediation_on_inform(struct hems *h, const char *device_id, const struct cwmp_inform *in);
/* hems_remediation_wants_inform: whether hems_remediation_on_inform would do anything with this Inform: it
 * carries FaultMgmt alarm parameters, or the device has an open case (or the store cannot tell). Lets the
 * session engine do this read inside the transaction that records the Inform, and skip the call when it
 * is 1 in a thousand that it matters (a periodic Inform of a healthy device). */
int hems_remediation_wants_inform(struct hems *h, const char *device_id, const struct cwmp_inform *in);
/* hems_remediation_on_bootstrap: a device informed 0 BOOTSTRAP (first registration or after factory reset):
 * queue the provisioning of its security alarm reporting and golden configuration. */
void hems_remediation_on_bootstrap(struct hems *h, const char *device_id);
/* hems_remediation_on_task: a task of the device reached done, fault or failed. */
void hems_remediation_on_task(struct hems *h, int64_t task_id);
/* hems_remediation_on_transfer_complete: a TransferComplete of the device (matched by CommandKey). */
void hems_remediation_on_transfer_complete(struct hems *h, const char *device_id,
					   const struct cwmp_transfer_complete *tc);
/* hems_alarm_intake: one alarm event from a device (Inform or distress channel): stored once (idempotent), logged,
 * notified northbound, and (serving role) handed to the engine, in one transaction. */
int hems_alarm_intake(struct hems *h, struct store_alarm *a);
/* hems_remediation_on_alarm: one alarm event (from an Inform or the distress channel), stored already. */
void hems_remediation_on_alarm(struct hems *h, const struct store_alarm *a);
/* hems_remediation_resume: at start, after orphaned tasks were failed: restart the steps that waited on them. */
void hems_remediation_resume(struct hems *h);
/* hems_remediation_emergency: a HeNB in failsafe mode asked for a new image (RequestDownload; the emergency
 * HeMS, 5.7.3.2): open (or turn the open case into) an emergency-reimage case: Download of the approved image,
 * TransferComplete; failure -> "no communication possible". */
int hems_remediation_emergency(struct hems *h, const char *device_id, const char *why);
/* hems_remediation_on_distress_result: an action of the distress channel serving a case has a result: it is
 * recorded on the case, and a case in extended remediation is resolved by it (or waits for NM). */
void hems_remediation_on_distress_result(struct hems *h, const struct store_distress_action *a);
/* hems_remediation_tick: advance cases whose deadline has passed. */
void hems_remediation_tick(struct hems *h, int64_t now_ms);

/* Instructions (operator through hemsctl, NM through the NBI). actor names who, for the timeline. */
/* hems_case_start: open a case by hand with a procedure name; LF_EEXIST if the device has an open case. */
int hems_case_start(struct hems *h, const char *device_id, const char *procedure, const char *actor,
		    int64_t *case_id, char *err, size_t errlen);
/* hems_case_cancel: close an open case as cancelled. */
int hems_case_cancel(struct hems *h, int64_t case_id, const char *actor, const char *why);
/* hems_case_decide: NM's decision on a case awaiting instructions: "block" (block the device and close),
 * "release" (close, device stays in service), "retry" (start the remediation ladder again). */
int hems_case_decide(struct hems *h, int64_t case_id, const char *decision, const char *actor, const char *why,
		     char *err, size_t errlen);
/* hems_case_note: add an audit row (actor, what) to the device's open case timeline, if it has one. */
void hems_case_note(struct hems *h, const char *device_id, const char *actor, const char *what);

#endif
