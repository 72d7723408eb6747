/* persist.h: henbd's state file (henb.state_dir/henbd.state): the agent's own state plus the data model's
 * persisted part, one record per line, sealed by a SHA-256 line, replaced atomically (temp, fsync, rename). */
#ifndef LF_HENB_PERSIST_H
#define LF_HENB_PERSIST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/buf.h"
#include "henb/limits.h"

struct henb_dm;

/* A TransferComplete waiting for its TransferCompleteResponse (TR-069 A.3.3.2: kept across reboots). */
struct henb_transfer {
	char command_key[33];
	uint32_t fault_code; /* 0 = success */
	char fault_string[257];
	char start_time[32];
	char complete_time[32];
};

/* A Download accepted (DownloadResponse Status 1) and not yet done. */
struct henb_download_job {
	bool used;
	char command_key[33];
	char file_type[65];
	char url[257];
	char username[257];
	char password[257];
	uint32_t file_size;
	char target_file_name[257];
	uint32_t delay_seconds;
	int64_t due_ms; /* not persisted: after a reboot the delay starts again */
};

struct henb_state {
	bool bootstrapped;       /* a 0 BOOTSTRAP has been delivered to acs_url */
	char acs_url[257];       /* the ACS the bootstrap was for: a new URL means a new bootstrap */
	long long boots;         /* starts of the agent */
	bool reboot_pending;     /* M Reboot to report (the Reboot RPC's CommandKey below) */
	char reboot_key[33];
	struct henb_transfer tc[HENB_MAX_TRANSFERS];
	size_t n_tc;
	struct henb_download_job dl;
	uint64_t udp_last_ts;    /* replay protection of UDP connection requests */
	uint64_t udp_last_id;
	bool udp_have;
	uint32_t fm_next_alarm_id;
	uint32_t fm_ring_next[3];
};

/* henb_state_serialize: the whole file (records and the sealing line) into out. */
int henb_state_serialize(const struct henb_state *st, struct henb_dm *dm, struct lf_buf *out);
/* henb_state_parse: apply a file's text to st (zeroed first) and dm (fresh, factory). verify: require the
 * sealing SHA-256 line to match. LF_OK, or LF_EPARSE / LF_EINVAL with "line N: problem" in err; on error st
 * and dm hold a partial load that the caller throws away. */
int henb_state_parse(const char *text, size_t len, bool verify, struct henb_state *st, struct henb_dm *dm,
		     char *err, size_t errlen);
/* henb_state_load: read path and parse it (verified). A missing file is the factory state (LF_ENOTFOUND,
 * st zeroed, dm untouched). */
int henb_state_load(const char *path, struct henb_state *st, struct henb_dm *dm, char *err, size_t errlen);
/* henb_state_save: serialize and replace path atomically: after a crash at any moment path holds the old or
 * the new state, never a mix. */
int henb_state_save(const char *path, const struct henb_state *st, struct henb_dm *dm);
/* henb_state_wipe: remove path durably (FactoryReset). */
int henb_state_wipe(const char *path);

#endif
