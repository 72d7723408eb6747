/* fuzz_udp_connreq.c: the UDP connection request parser never crashes, and what it accepts verifies cleanly. */
#include <stddef.h>
#include <stdint.h>

#include "cwmp/udp_connreq.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct cwmp_udp_cr m;
	char err[128];
	if (cwmp_udp_cr_parse((const char *)data, size, &m, err, sizeof(err)) == 0) {
		struct cwmp_udp_cr_replay r = {0};
		cwmp_udp_cr_verify(&m, "user", "password");
		cwmp_udp_cr_replay_check(&r, &m, 0, 0);
	}
	return 0;
}
