/* fuzz_fw_manifest.c: the firmware manifest parser on any bytes: no crash, no leak, every accepted manifest
 * keeps the limits and survives a format/parse round trip unchanged. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "common/buf.h"
#include "common/err.h"
#include "firmware/fwerr.h"
#include "firmware/manifest.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fw_manifest m, back;
	struct lf_buf text;
	char err[512];

	int rc = fw_manifest_parse((const char *)data, size, &m, err, sizeof(err));
	if (rc) {
		/* Every refusal is a manifest error naming its line. */
		if (rc != FW_EMANIFEST || strncmp(err, "manifest line ", 14) != 0)
			abort();
		fw_manifest_free(&m);
		return 0;
	}
	if (m.nfiles == 0 || m.nfiles > FW_FILES_MAX || m.nhw == 0 || m.nhw > FW_HW_MAX ||
	    m.payload_size > FW_PAYLOAD_MAX)
		abort();
	for (size_t i = 0; i < m.nfiles; i++) {
		const char *p = m.files[i].path;
		if (fw_manifest_check_path(p, strlen(p)) || m.files[i].size > FW_FILE_SIZE_MAX)
			abort();
	}
	lf_buf_init(&text, 4 * FW_MANIFEST_MAX);
	if (fw_manifest_format(&m, &text))
		abort();
	/* The canonical form can be longer than the input (modes are spelt out); only compare if it fits. */
	if (text.len <= FW_MANIFEST_MAX) {
		if (fw_manifest_parse(text.data, text.len, &back, err, sizeof(err)))
			abort();
		if (back.nfiles != m.nfiles || back.nhw != m.nhw || strcmp(back.version, m.version) != 0 ||
		    strcmp(back.product_class, m.product_class) != 0 || back.payload_size != m.payload_size)
			abort();
		for (size_t i = 0; i < m.nfiles; i++)
			if (strcmp(back.files[i].path, m.files[i].path) != 0 || back.files[i].size != m.files[i].size ||
			    back.files[i].mode != m.files[i].mode ||
			    memcmp(back.files[i].sha256, m.files[i].sha256, FW_SHA256_LEN) != 0)
				abort();
		fw_manifest_free(&back);
	}
	lf_buf_free(&text);
	fw_manifest_free(&m);
	return 0;
}
