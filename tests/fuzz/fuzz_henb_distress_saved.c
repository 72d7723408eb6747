/* fuzz_henb_distress_saved.c: the distress client's protected-storage records (distress_keys, distress_state) never
 * crash the reader or make it read past the input, refuse anything out of bounds with a reason, and what they
 * accept writes back into a record that reads again to the same content. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "common/buf.h"
#include "common/err.h"
#include "henb/distress_saved.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void lf__state(const uint8_t *data, size_t size)
{
	struct henb_distress_saved s, s2;
	char err[256] = "";
	int result = henb_distress_saved_parse((const char *)data, size, &s, err, sizeof(err));
	if (result) {
		if (!err[0])
			abort(); /* every refusal says why */
		return;
	}
	struct lf_buf a, b;
	lf_buf_init(&a, 4 * HENB_DISTRESS_SAVED_MAX);
	lf_buf_init(&b, 4 * HENB_DISTRESS_SAVED_MAX);
	if (henb_distress_saved_format(&s, &a) != LF_OK)
		abort();
	if (henb_distress_saved_parse(a.data, a.len, &s2, err, sizeof(err)) != LF_OK)
		abort(); /* what we write we must read */
	if (henb_distress_saved_format(&s2, &b) != LF_OK || a.len != b.len || memcmp(a.data, b.data, a.len) != 0)
		abort(); /* and it must be stable */
	/* The memo keeps its bound whatever was loaded. */
	for (uint64_t id = 1; id <= HENB_DISTRESS_MEMORY + 2; id++)
		henb_distress_memo_put(&s2, id, 3, 2, 0);
	if (s2.n_memo != HENB_DISTRESS_MEMORY || !henb_distress_memo_find(&s2, HENB_DISTRESS_MEMORY + 2))
		abort();
	lf_buf_free(&a);
	lf_buf_free(&b);
}

static void lf__keys(const uint8_t *data, size_t size)
{
	struct henb_distress_keys k, k2;
	char err[256] = "";
	if (henb_distress_keys_parse((const char *)data, size, &k, err, sizeof(err)) != LF_OK) {
		if (!err[0])
			abort();
		return;
	}
	struct lf_buf a;
	lf_buf_init(&a, 4 * HENB_DISTRESS_SAVED_MAX);
	if (henb_distress_keys_format(&k, &a) != LF_OK ||
	    henb_distress_keys_parse(a.data, a.len, &k2, err, sizeof(err)) != LF_OK || memcmp(&k, &k2, sizeof(k)) != 0)
		abort();
	lf_buf_free(&a);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	lf__state(data, size);
	lf__keys(data, size);
	return 0;
}
