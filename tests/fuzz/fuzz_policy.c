/* fuzz_policy.c: the policy parser takes any bytes: a valid policy or an error naming the line. */
#include <stddef.h>
#include <stdint.h>

#include "hems/policy.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct policy p;
	char err[256];
	if (policy_parse(&p, (const char *)data, size, "fuzz", err, sizeof(err)) == 0)
		policy_classify(&p, "Physical Violation", "Cable tamper", "Critical", "Modified antenna", NULL);
	return 0;
}
