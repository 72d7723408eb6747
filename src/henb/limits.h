/* limits.h: every compile-time bound of henbd in one place, so its memory use is fixed and known. */
#ifndef LF_HENB_LIMITS_H
#define LF_HENB_LIMITS_H

/* Data model engine */
#define HENB_DM_MAX_OBJECTS 96     /* registered objects (schema), all modules together */
#define HENB_DM_MAX_PARAMS 64      /* parameters of one object */
#define HENB_DM_MAX_DEPTH 4        /* nested multi-instance tables on one path */
#define HENB_DM_MAX_VALUE 1024     /* bytes of one value (the longest is SelfTestDiagnostics.Results) */
#define HENB_DM_MAX_NAME 256       /* a full parameter name (CWMP string(256)) */
#define HENB_DM_MAX_ROWS_PER_TABLE 256

/* Multi-instance tables: the fixed maximum number of rows of each. */
#define HENB_FM_MAX_SUPPORTED 32   /* FaultMgmt.SupportedAlarm */
#define HENB_FM_MAX_CURRENT 32     /* FaultMgmt.CurrentAlarm (= MaxCurrentAlarmEntries) */
#define HENB_FM_MAX_HISTORY 64     /* FaultMgmt.HistoryEvent ring */
#define HENB_FM_MAX_EXPEDITED 16   /* FaultMgmt.ExpeditedEvent ring */
#define HENB_FM_MAX_QUEUED 16      /* FaultMgmt.QueuedEvent ring */
#define HENB_FAP_MAX_SERVICES 1    /* Services.FAPService: one cell */
#define HENB_FAP_MAX_PLMN 6        /* FAPService.{i}.CellConfig.LTE.EPC.PLMNList */
#define HENB_FAP_MAX_NEIGHBORS 16  /* FAPService.{i}.CellConfig.LTE.RAN.NeighborList.LTECell */

/* Sessions and events */
#define HENB_MAX_SCHEDULED 8       /* ScheduleInform requests waiting at once */
#define HENB_MAX_TRANSFERS 8       /* TransferComplete records waiting for their TransferCompleteResponse */
#define HENB_MAX_RPCS_PER_SESSION 4096
#define HENB_RPC_SCRATCH (2 * 1024 * 1024) /* bytes one RPC answer may use (names, values); over it: 9004 */
#define HENB_MAX_CHANGED 256       /* changed parameters carried in one Inform (value change notification) */

/* Persisted state file */
#define HENB_STATE_MAX (2 * 1024 * 1024)

/* Connection requests */
#define HENB_CR_MAX_CONNECTIONS 4  /* concurrent HTTP connections to the listener */
#define HENB_CR_MEMORY_LIMIT (16 * 1024) /* bytes MHD may use per connection */
#define HENB_CR_RATE_WINDOW 64     /* ring of accepted request times for the per-minute limit */

#endif
