/* fuzz_nbi_json.c: task arguments from the NBI (JSON) become a CWMP request or a named error; what is accepted
 * builds into a valid envelope. The first byte picks the method. */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "common/alloc.h"
#include "common/buf.h"
#include "cwmp/cwmp.h"
#include "hems/rpc.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char *const methods[] = {
	"GetRPCMethods",	  "GetParameterValues", "SetParameterValues", "GetParameterNames",
	"GetParameterAttributes", "SetParameterAttributes", "AddObject",  "DeleteObject",
	"Reboot",		  "Download",		  "FactoryReset",	  "ScheduleInform",
};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	const char *method = methods[data[0] % (sizeof(methods) / sizeof(methods[0]))];
	char *args = lf_strndup((const char *)data + 1, size - 1);
	char err[256];
	struct cwmp_msg m;
	cwmp_msg_init(&m);
	if (hems_rpc_request(method, args, &m, err, sizeof(err)) == 0) {
		struct lf_buf out;
		lf_buf_init(&out, 4 * CWMP_MAX_MESSAGE);
		m.id = "fuzz";
		if (cwmp_build(&m, &out) == 0) {
			struct cwmp_msg back;
			cwmp_msg_init(&back);
			if (cwmp_parse(&back, out.data, out.len, err, sizeof(err)) != 0 || back.method != m.method)
				__builtin_trap(); /* what we send must parse */
			cwmp_msg_free(&back);
		}
		lf_buf_free(&out);
	}
	cwmp_msg_free(&m);
	lf_free(args);
	return 0;
}
