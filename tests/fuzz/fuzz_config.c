/* fuzz_config.c: the config parser takes any bytes and either applies them or names file, line and problem. */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "common/config.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

struct fuzz_cfg {
	char s[16];
	long long i;
	int b;
};

static const struct lf_cfg_key keys[] = {
	LF_CFG_STR_KEY("a.s", struct fuzz_cfg, s, ""),
	LF_CFG_INT_KEY("a.i", struct fuzz_cfg, i, -5, 5, ""),
	LF_CFG_BOOL_KEY("b", struct fuzz_cfg, b, ""),
};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_cfg c;
	char err[256];
	memset(&c, 0, sizeof(c));
	if (lf_cfg_parse((const char *)data, size, "fuzz.conf", keys, 3, &c, err, sizeof(err)) == 0) {
		/* whatever was accepted respects the declared bounds */
		if (c.i < -5 || c.i > 5 || strlen(c.s) >= sizeof(c.s) || (c.b != 0 && c.b != 1))
			__builtin_trap();
	}
	return 0;
}
