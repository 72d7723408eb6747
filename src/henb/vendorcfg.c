/* vendorcfg.c: apply a vendor configuration file ("Name = value" lines) to the data model atomically, with
 * the checks of SetParameterValues. */
#include "henb/vendorcfg.h"

#include <stdio.h>
#include <string.h>

#include "common/alloc.h"
#include "common/err.h"
#include "common/log.h"
#include "cwmp/cwmp.h"
#include "henb/agent.h"

struct lf__entry {
	struct henb_dm_ref ref;
	char *value;    /* points into the copy of the text */
	char *old;      /* the value before, for the rollback (owned) */
	unsigned line;
};

static char *lf__trim(char *s)
{
	while (*s == ' ' || *s == '\t')
		s++;
	char *e = s + strlen(s);
	while (e > s && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\r'))
		*--e = '\0';
	return s;
}

/* Check one "name = value" entry as SetParameterValues would; 0 or a reason in err. */
static int lf__check(struct henb_agent *a, char *name, const char *value, struct henb_dm_ref *ref, unsigned line,
		     char *err, size_t errlen)
{
	char canon[HENB_DM_MAX_VALUE];
	if (henb_dm_resolve(a->dm, name, ref) || ref->param < 0) {
		snprintf(err, errlen, "line %u: %s is not a parameter", line, name);
		return LF_ENOTFOUND;
	}
	const struct henb_dm_param *p = henb_dm_param_def(a->dm, ref);
	if (!(p->flags & HENB_DM_W)) {
		snprintf(err, errlen, "line %u: %s is not writable", line, name);
		return LF_EINVAL;
	}
	uint32_t f = henb_dm_check(a->dm, ref, value, canon, sizeof(canon));
	if (!f && p->validate)
		f = p->validate(a, ref, canon);
	if (f) {
		snprintf(err, errlen, "line %u: invalid value for %s", line, name);
		return LF_EINVAL;
	}
	return LF_OK;
}

uint32_t henb_vendorcfg_apply(struct henb_agent *a, const char *text, size_t len, char *err, size_t errlen)
{
	struct lf__entry *e = lf_calloc(HENB_VENDORCFG_MAX_ENTRIES, sizeof(*e));
	char *copy = lf_malloc(len + 1);
	char value[HENB_DM_MAX_VALUE];
	size_t n = 0;
	unsigned line = 0;
	uint32_t fault = CWMP_FAULT_DOWNLOAD_FAILURE;

	memcpy(copy, text, len);
	copy[len] = '\0';
	if (memchr(text, '\0', len)) {
		snprintf(err, errlen, "the configuration file holds a NUL byte");
		goto out;
	}
	/* 1. Parse and check every entry; nothing changes yet. */
	for (char *s = copy, *next; s && *s; s = next) {
		next = strchr(s, '\n');
		if (next)
			*next++ = '\0';
		line++;
		char *t = lf__trim(s);
		if (!*t || *t == '#')
			continue;
		char *eq = strchr(t, '=');
		if (!eq) {
			snprintf(err, errlen, "line %u: expected Name = value", line);
			goto out;
		}
		*eq = '\0';
		char *name = lf__trim(t);
		char *v = lf__trim(eq + 1);
		if (n == HENB_VENDORCFG_MAX_ENTRIES) {
			snprintf(err, errlen, "more than %d entries", HENB_VENDORCFG_MAX_ENTRIES);
			goto out;
		}
		if (lf__check(a, name, v, &e[n].ref, line, err, errlen))
			goto out;
		for (size_t j = 0; j < n; j++)
			if (e[j].ref.obj == e[n].ref.obj && e[j].ref.param == e[n].ref.param &&
			    e[j].ref.row == e[n].ref.row) {
				snprintf(err, errlen, "line %u: %s is set twice", line, name);
				goto out;
			}
		e[n].value = v;
		e[n].line = line;
		n++;
	}
	/* 2. Apply all, keeping the old values; 3. durable, or rolled back. */
	for (size_t i = 0; i < n; i++) {
		henb_dm_get(a->dm, &e[i].ref, true, value, sizeof(value));
		e[i].old = lf_strdup(value);
	}
	for (size_t i = 0; i < n; i++)
		henb_dm_set(a->dm, &e[i].ref, e[i].value, HENB_DM_ORIGIN_ACS);
	if (henb_agent_persist(a)) {
		for (size_t i = 0; i < n; i++)
			henb_dm_set(a->dm, &e[i].ref, e[i].old, HENB_DM_ORIGIN_ACS);
		snprintf(err, errlen, "cannot store the new values");
		fault = CWMP_FAULT_INTERNAL_ERROR;
		goto out;
	}
	lf_info("vendor_config_applied", "entries=%zu", n);
	fault = 0;
out:
	for (size_t i = 0; i < n; i++)
		lf_free(e[i].old);
	lf_free(e);
	lf_free(copy);
	return fault;
}
