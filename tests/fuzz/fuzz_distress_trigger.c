/* fuzz_distress_trigger.c: the HeNB's trigger check never crashes, drops what it refuses with a reason, and
 * accepts a datagram only when it verifies under the key, once. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "common/err.h"
#include "distress/trigger.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define KEY "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff"
#define ID "00005A-LifelineHeNB-LL0001"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct distress_trigger_state st;
	struct cwmp_udp_cr m;
	char err[256] = "";
	memset(&st, 0, sizeof(st));
	int result = distress_trigger_accept(&st, (const char *)data, size, ID, KEY, 0, 0, &m, err, sizeof(err));
	if (result != LF_OK) {
		if (!err[0] || st.accepted || st.dropped != 1)
			abort();
		return 0;
	}
	/* Accepted: it verifies, names this device, and a second copy is a replay. */
	if (strcmp(m.un, ID) != 0 || cwmp_udp_cr_verify(&m, ID, KEY) != LF_OK)
		abort();
	if (distress_trigger_accept(&st, (const char *)data, size, ID, KEY, 0, 0, NULL, err, sizeof(err)) != LF_EEXIST)
		abort();
	/* With a clock, the same datagram is judged by the skew window without crashing. */
	struct distress_trigger_state st2;
	memset(&st2, 0, sizeof(st2));
	distress_trigger_accept(&st2, (const char *)data, size, ID, KEY, m.ts + 1000, 300, NULL, err, sizeof(err));
	return 0;
}
