/* distress_saved.h: what henbd's distress client keeps in protected storage (HAL records, which survive a factory
 * reset): the provisioned keys (record distress_keys) and the client's own state (record distress_state): the
 * trigger replay window, the ids of the actions executed or accepted, a download in progress, final results still
 * to report and a reboot or factory reset to confirm. Text records in the state file's line syntax (record.c),
 * parsed with every limit checked (tests/fuzz/fuzz_henb_distress_saved.c). */
#ifndef LF_HENB_DISTRESS_SAVED_H
#define LF_HENB_DISTRESS_SAVED_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/buf.h"
#include "cwmp/udp_connreq.h"
#include "distress/protocol.h"

#define HENB_DISTRESS_KEYS_RECORD "distress_keys"
#define HENB_DISTRESS_STATE_RECORD "distress_state"
#define HENB_DISTRESS_SHUTDOWN_RECORD "distress_shutdown" /* why the HeNB shut down after both paths failed */
#define HENB_DISTRESS_SAVED_MAX 8192                      /* bytes of one record */
#define HENB_DISTRESS_MEMORY 16 /* action ids remembered (executed or accepted), newest last */
#define HENB_DISTRESS_REPORTS 4 /* final results waiting for a distress session */

/* The values hemsd provisions (X_<OUI>_Distress.{Enable, ServerURL, Identity, PSK, TriggerKey}). */
struct henb_distress_keys {
	bool enable;
	char server_url[257];
	char identity[DISTRESS_MAX_ID + 1];
	char psk[DISTRESS_KEY_HEX + 1];
	char trigger_key[DISTRESS_KEY_HEX + 1];
};

/* An action id this HeNB executed (status success or failed) or accepted (status accepted). */
struct henb_distress_memo {
	uint64_t id;
	uint8_t kind;   /* enum distress_kind */
	uint8_t status; /* enum distress_status */
	uint32_t fault;
};

enum henb_distress_dl_phase {
	HENB_DDL_NONE = 0,
	HENB_DDL_FETCH,     /* accepted: fetch, check, install (started again after a restart) */
	HENB_DDL_INSTALLED, /* in the inactive slot: its boot decides (the final result after the reboot) */
};

/* A download action in progress. */
struct henb_distress_dl {
	uint8_t phase; /* enum henb_distress_dl_phase */
	uint64_t id;
	char command_key[DISTRESS_LEN_COMMAND_KEY + 1];
	char url[DISTRESS_MAX_URL + 1];
	uint64_t size;
	uint8_t sha256[32];
	char start_time[DISTRESS_LEN_TIME + 1];
	int slot;                               /* INSTALLED: the slot written (fw_slot) */
	char version[DISTRESS_LEN_VERSION + 1]; /* INSTALLED: the image's version */
};

/* A final result to post in the next distress session (a download's outcome). */
struct henb_distress_report {
	uint64_t id;
	uint8_t kind;
	uint8_t status;
	uint32_t fault;
	char fault_string[DISTRESS_LEN_FAULT + 1];
	char software_version[DISTRESS_LEN_VERSION + 1];
	char start_time[DISTRESS_LEN_TIME + 1];
	char complete_time[DISTRESS_LEN_TIME + 1];
};

struct henb_distress_saved {
	struct cwmp_udp_cr_replay replay; /* the last accepted trigger */
	struct henb_distress_memo memo[HENB_DISTRESS_MEMORY];
	size_t n_memo;
	struct henb_distress_dl dl;
	struct henb_distress_report reports[HENB_DISTRESS_REPORTS];
	size_t n_reports;
	uint8_t resume;      /* DISTRESS_KIND_REBOOT / _FACTORY_RESET accepted: confirm it in a distress INFORM */
	uint64_t resume_id;  /* that action */
	char resume_key[33]; /* its command key (M Reboot) */
};

/* henb_distress_keys_format / _parse: the distress_keys record ("K enable url identity psk trigger_key").
 * parse: LF_OK, or LF_EPARSE with the reason in err (a field over its limit, a key that is not 64 lower-case hex
 * characters, an identity with blanks or control characters). */
int henb_distress_keys_format(const struct henb_distress_keys *k, struct lf_buf *out);
int henb_distress_keys_parse(const char *text, size_t len, struct henb_distress_keys *k, char *err, size_t errlen);

/* henb_distress_saved_format / _parse: the distress_state record, one line per item:
 *   R last_ts last_id have                      trigger replay window
 *   A id kind status fault                      a remembered action (at most HENB_DISTRESS_MEMORY)
 *   D id phase size sha256 command_key url      a download (phase fetch | installed)
 *   d start_time slot version                   ... its progress
 *   P id kind status fault software_version start_time complete_time   a final result to report
 *   p fault_string                              ... its fault string (follows its P line)
 *   B kind id command_key                       a reboot / factory reset to confirm
 * parse zeroes s first; LF_OK, or LF_EPARSE / LF_ETOOBIG with "line N: problem" in err. */
int henb_distress_saved_format(const struct henb_distress_saved *s, struct lf_buf *out);
int henb_distress_saved_parse(const char *text, size_t len, struct henb_distress_saved *s, char *err, size_t errlen);

/* henb_distress_memo_find: the remembered action id, or NULL. */
const struct henb_distress_memo *henb_distress_memo_find(const struct henb_distress_saved *s, uint64_t id);
/* henb_distress_memo_put: remember (or update) action id; the oldest goes when the list is full. */
void henb_distress_memo_put(struct henb_distress_saved *s, uint64_t id, uint8_t kind, uint8_t status, uint32_t fault);

#endif
