/* dm_fap.c: the subset of Device.Services.FAPService.{i}. (TR-196 Issue 2, tr-196-2-1-0-full.xml) this HeNB
 * manages: LTE FAP control and gateways, a few RAN and EPC parameters, the LTE neighbour list. */
#include <stdlib.h>
#include <string.h>

#include "cwmp/cwmp.h"
#include "henb/agent.h"
#include "henb/dm_schema.h"

#define LF_FAP "Device.Services.FAPService.{i}."

static const char *const lf__s1_modes[] = {"One", "All", NULL};

/* QOffset and CIO: -24..-8, -6..6 or 8..24 dB (TR-196 ranges; -7 and 7 are not values). */
static uint32_t lf__offset_ok(void *ctx, const struct henb_dm_ref *ref, const char *v)
{
	long x = strtol(v, NULL, 10);
	return (x == 7 || x == -7) ? CWMP_FAULT_INVALID_PARAMETER_VALUE : 0;
}

/* PhyCellID: a list of physical cell identities 0..503 (ranges "a..b" allowed by TR-196). */
static uint32_t lf__pci_list_ok(void *ctx, const struct henb_dm_ref *ref, const char *v)
{
	const char *s = v;
	if (!*s)
		return 0;
	for (;;) {
		char *end;
		if (*s < '0' || *s > '9')
			return CWMP_FAULT_INVALID_PARAMETER_VALUE;
		long a = strtol(s, &end, 10);
		if (a > 503)
			return CWMP_FAULT_INVALID_PARAMETER_VALUE;
		if (strncmp(end, "..", 2) == 0) {
			s = end + 2;
			if (*s < '0' || *s > '9')
				return CWMP_FAULT_INVALID_PARAMETER_VALUE;
			long b = strtol(s, &end, 10);
			if (b > 503 || b < a)
				return CWMP_FAULT_INVALID_PARAMETER_VALUE;
		}
		if (*end == '\0')
			return 0;
		if (*end != ',')
			return CWMP_FAULT_INVALID_PARAMETER_VALUE;
		s = end + 1;
	}
}

static void lf__admin_changed(void *ctx, const struct henb_dm_ref *ref, const char *v, enum henb_dm_origin o)
{
	henb_agent_note(ctx, HENB_NOTE_RF);
}

static const struct henb_dm_param lf__services[] = {
	HENB_P_COUNT("FAPServiceNumberOfEntries"),
};

static const struct henb_dm_param lf__fap_lte[] = {
	HENB_P_BOOL("OpState", HENB_DM_FORCED | HENB_DM_DEFAULT_ACTIVE | HENB_DM_VOLATILE, .def = "false"),
	HENB_P_BOOL("AdminState", HENB_DM_W, .cfg = HENB_CFG(fap_admin_state), .changed = lf__admin_changed),
	HENB_P_BOOL("RFTxStatus", HENB_DM_FORCED | HENB_DM_DEFAULT_ACTIVE | HENB_DM_VOLATILE, .def = "false"),
	HENB_P_STR("PMConfig", 256, HENB_DM_W, .def = ""),
};

static const struct henb_dm_param lf__gateway[] = {
	HENB_P_STR("SecGWServer1", 64, HENB_DM_W, .cfg = HENB_CFG(fap_secgw1)),
	HENB_P_STR("SecGWServer2", 64, HENB_DM_W, .cfg = HENB_CFG(fap_secgw2)),
	HENB_P_STR("SecGWServer3", 64, HENB_DM_W, .cfg = HENB_CFG(fap_secgw3)),
	HENB_P_STR("S1SigLinkServerList", 256, HENB_DM_W | HENB_DM_LIST, .cfg = HENB_CFG(fap_s1_servers)),
	HENB_P_STR("S1ConnectionMode", 0, HENB_DM_W, .enums = lf__s1_modes, .def = "One"),
	HENB_P_UINT("S1SigLinkPort", 0, 65535, HENB_DM_W, .cfg = HENB_CFG(fap_s1_port)),
};

static const struct henb_dm_param lf__epc[] = {
	HENB_P_UINT("TAC", 0, 65535, HENB_DM_W, .cfg = HENB_CFG(fap_tac)),
	HENB_P_UINT("MaxPLMNListEntries", 0, 0, HENB_DM_VOLATILE, .def = HENB_STR(HENB_FAP_MAX_PLMN)),
	HENB_P_COUNT("PLMNListNumberOfEntries"),
};

static const struct henb_dm_param lf__plmn[] = {
	HENB_P_BOOL("Enable", HENB_DM_W, .def = "false"),
	HENB_P_BOOL("IsPrimary", HENB_DM_W, .def = "false"),
	HENB_P_STR("PLMNID", 6, HENB_DM_W, .def = ""),
	HENB_P_BOOL("CellReservedForOperatorUse", HENB_DM_W, .def = "false"),
};

static const struct henb_dm_param lf__ran_common[] = {
	HENB_P_UINT("CellIdentity", 0, 268435455, HENB_DM_W, .cfg = HENB_CFG(fap_cell_identity)),
};

static const struct henb_dm_param lf__rf[] = {
	HENB_P_UINT("EARFCNDL", 0, 65535, HENB_DM_W | HENB_DM_LIST, .max_len = 128, .cfg = HENB_CFG(fap_earfcn_dl)),
	HENB_P_UINT("EARFCNUL", 0, 65535, HENB_DM_W | HENB_DM_LIST, .max_len = 128, .cfg = HENB_CFG(fap_earfcn_ul)),
	HENB_P_UINT("FreqBandIndicator", 1, 40, HENB_DM_W, .cfg = HENB_CFG(fap_band)),
	HENB_P_STR("PhyCellID", 512, HENB_DM_W | HENB_DM_LIST, .cfg = HENB_CFG(fap_phy_cell_id),
		   .validate = lf__pci_list_ok),
};

static const struct henb_dm_param lf__neighbor_list[] = {
	HENB_P_UINT("MaxLTECellEntries", 0, 0, HENB_DM_VOLATILE, .def = HENB_STR(HENB_FAP_MAX_NEIGHBORS)),
	HENB_P_COUNT("LTECellNumberOfEntries"),
};

static const struct henb_dm_param lf__lte_cell[] = {
	HENB_P_BOOL("Enable", HENB_DM_W, .def = "false"),
	HENB_P_BOOL("MustInclude", HENB_DM_W, .def = "false"),
	HENB_P_STR("PLMNID", 6, HENB_DM_W, .def = ""),
	HENB_P_UINT("CID", 0, 268435455, HENB_DM_W, .def = "0"),
	HENB_P_UINT("EUTRACarrierARFCN", 0, 65535, HENB_DM_W, .def = "0"),
	HENB_P_UINT("PhyCellID", 0, 503, HENB_DM_W, .def = "0"),
	HENB_P_INT("QOffset", -24, 24, HENB_DM_W, .def = "0", .validate = lf__offset_ok),
	HENB_P_INT("CIO", -24, 24, HENB_DM_W, .def = "0", .validate = lf__offset_ok),
	HENB_P_INT("RSTxPower", -60, 50, HENB_DM_W, .def = "0"),
	HENB_P_BOOL("Blacklisted", HENB_DM_W, .def = "false"),
};

static const struct henb_dm_object lf__objects[] = {
	HENB_OBJ("Device.Services.", 0, 0, NULL, lf__services),
	HENB_OBJ0(LF_FAP, HENB_DM_TABLE, HENB_FAP_MAX_SERVICES, "FAPServiceNumberOfEntries"),
	HENB_OBJ0(LF_FAP "FAPControl.", 0, 0, NULL),
	HENB_OBJ(LF_FAP "FAPControl.LTE.", 0, 0, NULL, lf__fap_lte),
	HENB_OBJ(LF_FAP "FAPControl.LTE.Gateway.", 0, 0, NULL, lf__gateway),
	HENB_OBJ0(LF_FAP "CellConfig.", 0, 0, NULL),
	HENB_OBJ0(LF_FAP "CellConfig.LTE.", 0, 0, NULL),
	HENB_OBJ(LF_FAP "CellConfig.LTE.EPC.", 0, 0, NULL, lf__epc),
	HENB_OBJ(LF_FAP "CellConfig.LTE.EPC.PLMNList.{i}.", HENB_DM_TABLE | HENB_DM_ADDABLE, HENB_FAP_MAX_PLMN,
		 "PLMNListNumberOfEntries", lf__plmn),
	HENB_OBJ0(LF_FAP "CellConfig.LTE.RAN.", 0, 0, NULL),
	HENB_OBJ(LF_FAP "CellConfig.LTE.RAN.Common.", 0, 0, NULL, lf__ran_common),
	HENB_OBJ(LF_FAP "CellConfig.LTE.RAN.RF.", 0, 0, NULL, lf__rf),
	HENB_OBJ(LF_FAP "CellConfig.LTE.RAN.NeighborList.", 0, 0, NULL, lf__neighbor_list),
	HENB_OBJ(LF_FAP "CellConfig.LTE.RAN.NeighborList.LTECell.{i}.", HENB_DM_TABLE | HENB_DM_ADDABLE,
		 HENB_FAP_MAX_NEIGHBORS, "LTECellNumberOfEntries", lf__lte_cell),
};

const struct henb_dm_module henb_dm_fap_module = {lf__objects, HENB_N(lf__objects)};
