/* fuzz_cwmp_parse.c: libFuzzer target for cwmp_parse; whatever parses must build, parse again and rebuild
 * to the same bytes (round-trip stability). */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/buf.h"
#include "common/err.h"
#include "cwmp/cwmp.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void fuzz__die(const char *what, const char *err, const struct lf_buf *text)
{
	fprintf(stderr, "fuzz_cwmp_parse: %s: %s\n%s\n", what, err, text->data ? text->data : "");
	abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct cwmp_msg first, second;
	struct lf_buf b1, b2;
	char err[256];
	int result;

	cwmp_msg_init(&first);
	cwmp_msg_init(&second);
	lf_buf_init(&b1, CWMP_MAX_MESSAGE);
	lf_buf_init(&b2, CWMP_MAX_MESSAGE);

	result = cwmp_parse(&first, (const char *)data, size, err, sizeof(err));
	if (result) {
		/* Every refusal says why. */
		if (!err[0] || strlen(err) >= sizeof(err))
			abort();
		goto out;
	}

	result = cwmp_build(&first, &b1);
	/* An empty envelope has nothing to build; escaping can grow a message past the cap. */
	if ((result == LF_EINVAL && first.method == CWMP_EMPTY) || result == LF_ETOOBIG)
		goto out;
	if (result)
		fuzz__die("build of a parsed message failed", lf_strerror(result), &b1);

	result = cwmp_parse(&second, b1.data, b1.len, err, sizeof(err));
	if (result)
		fuzz__die("our own output does not parse", err, &b1);
	if (second.method != first.method || second.version != first.version)
		fuzz__die("method or version changed", cwmp_method_name(second.method), &b1);

	result = cwmp_build(&second, &b2);
	if (result)
		fuzz__die("rebuild failed", lf_strerror(result), &b1);
	if (b1.len != b2.len || memcmp(b1.data, b2.data, b1.len) != 0)
		fuzz__die("rebuild differs", b2.data, &b1);

out:
	lf_buf_free(&b1);
	lf_buf_free(&b2);
	cwmp_msg_free(&first);
	cwmp_msg_free(&second);
	return 0;
}
