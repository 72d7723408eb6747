/* persist.h: henbd's persisted state (bootstrap done, ACS URL it was for, ParameterKey, boot count), written atomically. */
#ifndef LF_HENB_PERSIST_H
#define LF_HENB_PERSIST_H

#include <stddef.h>

struct henb_state {
	int bootstrapped;        /* a 0 BOOTSTRAP has been delivered to acs_url */
	char acs_url[257];       /* the ACS the bootstrap was for: a new URL means a new bootstrap */
	char parameter_key[33];  /* ManagementServer.ParameterKey */
	long long boots;         /* starts of the agent, for the log */
};

/* henb_state_load: read path into st; a missing file gives the factory state (LF_OK). A corrupt file is an
 * error naming the line (the atomic writer never leaves one; something else wrote it). */
int henb_state_load(const char *path, struct henb_state *st, char *err, size_t errlen);
/* henb_state_save: write st to path atomically (temp, fsync, rename). */
int henb_state_save(const char *path, const struct henb_state *st);

#endif
