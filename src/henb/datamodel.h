/* datamodel.h: henbd's data model: the TR-181 parameters this agent exposes, from a static table. */
#ifndef LF_HENB_DATAMODEL_H
#define LF_HENB_DATAMODEL_H

#include <stdbool.h>
#include <stddef.h>

struct henb_agent;

enum henb_dm_flags {
	HENB_DM_FORCED = 1u << 0,   /* forcedInform: in every Inform's ParameterList */
	HENB_DM_WRITABLE = 1u << 1,
};

struct henb_dm_param {
	const char *name;
	const char *type; /* xsi:type */
	unsigned flags;
	/* get: write the current value into out (NUL-terminated, truncated at outlen). */
	void (*get)(const struct henb_agent *a, char *out, size_t outlen);
};

/* henb_dm_params: the table and its length. */
const struct henb_dm_param *henb_dm_params(size_t *n);
/* henb_dm_find: a parameter by full name, or NULL. */
const struct henb_dm_param *henb_dm_find(const char *name);
/* henb_dm_matches: whether a GetParameterValues name (full name, or partial path ending in '.') covers p. */
bool henb_dm_matches(const char *request, const struct henb_dm_param *p);

#endif
