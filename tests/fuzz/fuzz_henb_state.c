/* fuzz_henb_state.c: the state file reader never crashes or leaks on any input, and what it accepts writes
 * back into a file that reads again to the same content (unsealed parse: the fuzzer cannot forge SHA-256). */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "henb/config.h"
#include "henb/dm.h"
#include "henb/dm_schema.h"
#include "henb/persist.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct henb_dm *lf__dm(const struct henb_config *cfg)
{
	size_t n;
	char err[256];
	const struct henb_dm_module *const *m = henb_dm_schema(&n);
	return henb_dm_new(m, n, cfg, NULL, err, sizeof(err));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct henb_config cfg;
	static int init;
	struct henb_state st, st2;
	char err[256];
	if (!init) {
		henb_config_defaults(&cfg);
		init = 1;
	}
	if (size > HENB_STATE_MAX)
		return 0;
	struct henb_dm *dm = lf__dm(&cfg);
	if (henb_state_parse((const char *)data, size, false, &st, dm, err, sizeof(err)) == 0) {
		struct lf_buf a, b;
		lf_buf_init(&a, HENB_STATE_MAX * 2);
		lf_buf_init(&b, HENB_STATE_MAX * 2);
		if (henb_state_serialize(&st, dm, &a) == 0) {
			struct henb_dm *dm2 = lf__dm(&cfg);
			if (henb_state_parse(a.data, a.len, true, &st2, dm2, err, sizeof(err)) != 0)
				__builtin_trap(); /* what we write we must read */
			if (henb_state_serialize(&st2, dm2, &b) != 0 || a.len != b.len || memcmp(a.data, b.data, a.len))
				__builtin_trap(); /* and it must be stable */
			henb_dm_free(&dm2);
		}
		lf_buf_free(&a);
		lf_buf_free(&b);
	}
	henb_dm_free(&dm);
	return 0;
}
