/* replay_main.c: without libFuzzer, run a fuzz target over every file of its corpus directories once. */
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "common/buf.h"
#include "common/file.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int main(int argc, char **argv)
{
	unsigned runs = 0;
	for (int i = 1; i < argc; i++) {
		DIR *d = opendir(argv[i]);
		if (!d) {
			fprintf(stderr, "replay: cannot open corpus directory %s\n", argv[i]);
			return 1;
		}
		struct dirent *e;
		while ((e = readdir(d))) {
			if (e->d_name[0] == '.')
				continue;
			char path[4096];
			snprintf(path, sizeof(path), "%s/%s", argv[i], e->d_name);
			struct lf_buf b;
			lf_buf_init(&b, 1 << 20);
			if (lf_file_read(path, &b) == 0) {
				LLVMFuzzerTestOneInput((const uint8_t *)(b.data ? b.data : ""), b.len);
				runs++;
			}
			lf_buf_free(&b);
		}
		closedir(d);
	}
	printf("replay: %u inputs, no crash\n", runs);
	return runs ? 0 : 1;
}
