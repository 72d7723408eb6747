/* persist.c: the agent's state file, in the same key = value format as the config, replaced atomically. */
#include "henb/persist.h"

#include <stdio.h>
#include <string.h>

#include "common/buf.h"
#include "common/config.h"
#include "common/err.h"
#include "common/file.h"

#define S struct henb_state
static const struct lf_cfg_key lf__state_keys[] = {
	LF_CFG_BOOL_KEY("state.bootstrapped", S, bootstrapped, ""),
	LF_CFG_STR_KEY("state.acs_url", S, acs_url, ""),
	LF_CFG_STR_KEY("state.parameter_key", S, parameter_key, ""),
	LF_CFG_INT_KEY("state.boots", S, boots, 0, 1LL << 62, ""),
};
#undef S

int henb_state_load(const char *path, struct henb_state *st, char *err, size_t errlen)
{
	memset(st, 0, sizeof(*st));
	int result = lf_cfg_load(path, lf__state_keys, sizeof(lf__state_keys) / sizeof(lf__state_keys[0]), st, err,
				 errlen);
	if (result == LF_ENOTFOUND) {
		memset(st, 0, sizeof(*st));
		return LF_OK;
	}
	return result;
}

int henb_state_save(const char *path, const struct henb_state *st)
{
	struct lf_buf b;
	lf_buf_init(&b, 4096);
	int result = lf_buf_printf(&b,
				   "# henbd state: written by henbd, atomically; do not edit while it runs\n"
				   "[state]\nbootstrapped = %s\nacs_url = \"%s\"\nparameter_key = \"%s\"\nboots = %lld\n",
				   st->bootstrapped ? "true" : "false", st->acs_url, st->parameter_key, st->boots);
	if (!result)
		result = lf_file_write_atomic(path, b.data, b.len);
	lf_buf_free(&b);
	return result;
}
