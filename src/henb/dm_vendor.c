/* dm_vendor.c: the vendor objects Device.X_<OUI>_Security. and Device.X_<OUI>_Distress. (OUI from device.oui). The
 * distress parameters follow docs/protocol/distress-channel.md section 13; the values hemsd provisions (Enable,
 * ServerURL, Identity, PSK, TriggerKey) live in protected storage, not in the state file (distress.c). */
#include <string.h>

#include "cwmp/cwmp.h"
#include "distress/codec.h"
#include "henb/distress.h"
#include "henb/dm_schema.h"

static const char *const lf__integrity[] = {"Unknown", "OK", "Violated", NULL};
static const char *const lf__distress_states[] = {"Idle", "Triggered", "StandardRetry", "Active", "Failed", NULL};

static const struct henb_dm_param lf__security[] = {
    HENB_P_BOOL("TamperDetectionEnable", HENB_DM_W, .def = "true"),
    HENB_P_STR("IntegrityStatus", 0, HENB_DM_VOLATILE, .enums = lf__integrity, .def = "Unknown"),
    /* Connection requests refused for bad credentials since boot: the hook for an alarm on bursts. */
    HENB_P_UINT("ConnReqAuthFailures", 0, 0, HENB_DM_VOLATILE, .def = "0"),
    HENB_P_UINT("ConnReqRateLimited", 0, 0, HENB_DM_VOLATILE, .def = "0"),
};

/* ServerURL: empty, or coaps://HOST[:PORT] (the HeNB is the DTLS client, protocol section 2). */
static uint32_t lf__server_url_ok(void *ctx, const struct henb_dm_ref *ref, const char *v)
{
	(void)ctx, (void)ref;
	if (!v[0])
		return 0;
	if (strncmp(v, "coaps://", 8) != 0 || !v[8] || v[8] == '/' || v[8] == ':' || strpbrk(v, " \t\r\n"))
		return CWMP_FAULT_INVALID_PARAMETER_VALUE;
	return 0;
}

/* Identity: the device id hemsd knows (protocol 3.1): printable ASCII without blanks, quotes or backslashes. */
static uint32_t lf__identity_ok(void *ctx, const struct henb_dm_ref *ref, const char *v)
{
	(void)ctx, (void)ref;
	for (; *v; v++)
		if ((unsigned char)*v <= 0x20 || (unsigned char)*v >= 0x7f || *v == '"' || *v == '\\')
			return CWMP_FAULT_INVALID_PARAMETER_VALUE;
	return 0;
}

/* PSK, TriggerKey: empty or 64 lower-case hex characters (protocol 3.2, 3.4). */
static uint32_t lf__key_ok(void *ctx, const struct henb_dm_ref *ref, const char *v)
{
	(void)ctx, (void)ref;
	return !v[0] || distress_key_valid(v) ? 0 : CWMP_FAULT_INVALID_PARAMETER_VALUE;
}

static void lf__keys_changed(void *ctx, const struct henb_dm_ref *ref, const char *v, enum henb_dm_origin o)
{
	(void)ref, (void)v, (void)o;
	henb_distress_keys_changed(ctx);
}

static void lf__listener_changed(void *ctx, const struct henb_dm_ref *ref, const char *v, enum henb_dm_origin o)
{
	(void)ref, (void)v, (void)o;
	henb_distress_listener_changed(ctx);
}

#define LF_PROV (HENB_DM_W | HENB_DM_VOLATILE) /* provisioned: kept in protected storage */
#define LF_SECRET (LF_PROV | HENB_DM_SECRET)   /* ... and read back as "" */

static const struct henb_dm_param lf__distress[] = {
    HENB_P_BOOL("Enable", LF_PROV, .cfg = HENB_CFG(distress_enable), .changed = lf__keys_changed),
    HENB_P_STR("State", 0, HENB_DM_VOLATILE, .enums = lf__distress_states, .def = "Idle"),
    HENB_P_STR("ServerURL", 256, LF_PROV, .cfg = HENB_CFG(distress_url), .validate = lf__server_url_ok,
               .changed = lf__keys_changed),
    HENB_P_STR("Identity", DISTRESS_MAX_ID, LF_SECRET, .validate = lf__identity_ok, .changed = lf__keys_changed),
    HENB_P_STR("PSK", DISTRESS_KEY_HEX, LF_SECRET, .validate = lf__key_ok, .changed = lf__keys_changed),
    HENB_P_STR("TriggerKey", DISTRESS_KEY_HEX, LF_SECRET, .validate = lf__key_ok, .changed = lf__keys_changed),
    /* Where the HeMS sends triggers: in every Inform (like UDPConnectionRequestAddress), so hemsd learns it. */
    HENB_P_STR("TriggerAddress", DISTRESS_MAX_ADDR, HENB_DM_FORCED | HENB_DM_DEFAULT_ACTIVE | HENB_DM_VOLATILE,
               .def = ""),
    HENB_P_UINT("TriggerPort", 0, 65535, HENB_DM_W, .cfg = HENB_CFG(distress_trigger_port),
                .changed = lf__listener_changed),
    HENB_P_UINT("TriggerMaxSkew", 0, 4294967295LL, HENB_DM_W, .cfg = HENB_CFG(distress_trigger_max_skew)),
    HENB_P_UINT("StandardRetryTimeout", 1, 4294967295LL, HENB_DM_W, .cfg = HENB_CFG(distress_standard_retry_timeout)),
    HENB_P_UINT("FailedSessionThreshold", 1, 4294967295LL, HENB_DM_W, .cfg = HENB_CFG(distress_failed_threshold)),
    HENB_P_UINT("MaxRetries", 1, 4294967295LL, HENB_DM_W, .cfg = HENB_CFG(distress_max_retries)),
    HENB_P_UINT("RetryInterval", 1, 4294967295LL, HENB_DM_W, .cfg = HENB_CFG(distress_retry_interval)),
    HENB_P_UINT("SessionTimeout", 1, 4294967295LL, HENB_DM_W, .cfg = HENB_CFG(distress_session_timeout)),
    HENB_P_TIME("LastTriggerTime", 0, .def = NULL),
    HENB_P_TIME("LastSessionTime", 0, .def = NULL),
    HENB_P_STR("LastResult", 256, 0, .def = ""),
    HENB_P_UINT("TriggersAccepted", 0, 0, HENB_DM_VOLATILE, .def = "0"),
    HENB_P_UINT("TriggersDropped", 0, 0, HENB_DM_VOLATILE, .def = "0"),
};

static const struct henb_dm_object lf__objects[] = {
    HENB_OBJ("Device.X_{OUI}_Security.", 0, 0, NULL, lf__security),
    HENB_OBJ("Device.X_{OUI}_Distress.", 0, 0, NULL, lf__distress),
};

const struct henb_dm_module henb_dm_vendor_module = {lf__objects, HENB_N(lf__objects)};
