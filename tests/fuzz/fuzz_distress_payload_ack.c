/* fuzz_distress_payload_ack.c: the ACK decoder of the distress channel never crashes, says why it refuses,
 * and what it accepts re-encodes to a payload that decodes to the same structure. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "common/err.h"
#include "distress/codec.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct distress_ack first, second;
static uint8_t out[DISTRESS_MAX_MESSAGE];

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char err[256] = "";
	size_t len = 0;
	if (distress_ack_decode(data, size, &first, err, sizeof(err)) != LF_OK) {
		if (!err[0])
			abort(); /* every refusal names its reason */
		return 0;
	}
	/* The canonical form is never longer than what was accepted, so it always fits. */
	if (distress_ack_encode(&first, out, sizeof(out), &len, err, sizeof(err)) != LF_OK)
		abort();
	if (distress_ack_decode(out, len, &second, err, sizeof(err)) != LF_OK)
		abort();
	if (memcmp(&first, &second, sizeof(first)) != 0)
		abort();
	return 0;
}
