/* codec.c: benchmark of the CWMP codec: parse and build per message, against a bare expat parse of the same
 * bytes measured in the same run (the overhead ratio), over the real captured messages. */
#include <expat.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "common/buf.h"
#include "common/file.h"
#include "cwmp/cwmp.h"

static double lf__now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void lf__start(void *ud, const XML_Char *name, const XML_Char **atts)
{
	(*(long *)ud)++;
}

/* The baseline: expat with namespaces and a trivial start handler, nothing else. */
static void lf__bare(const char *xml, size_t len)
{
	long n = 0;
	XML_Parser p = XML_ParserCreateNS(NULL, '|');
	XML_SetUserData(p, &n);
	XML_SetStartElementHandler(p, lf__start);
	XML_Parse(p, xml, (int)len, 1);
	XML_ParserFree(p);
}

int main(int argc, char **argv)
{
	const char *dir = argc > 1 ? argv[1] : "../shared/reference/captures";
	double seconds = argc > 2 ? strtod(argv[2], NULL) : 1.0;
	static const char *files[] = {"inform-cavium-enb.xml", "inform-thomson-speedtouch780.xml", "fault.xml",
				      "setparametervalues.xml", "transfercomplete.xml"};
	printf("[");
	for (size_t f = 0; f < sizeof(files) / sizeof(files[0]); f++) {
		char path[1024], err[256];
		struct lf_buf b;
		snprintf(path, sizeof(path), "%s/%s", dir, files[f]);
		lf_buf_init(&b, 1 << 20);
		if (lf_file_read(path, &b)) {
			fprintf(stderr, "codec bench: cannot read %s\n", path);
			return 1;
		}
		long n_bare = 0, n_parse = 0, n_build = 0;
		double t0 = lf__now(), t;
		while ((t = lf__now()) - t0 < seconds) {
			for (int i = 0; i < 100; i++)
				lf__bare(b.data, b.len);
			n_bare += 100;
		}
		double bare_s = (t - t0) / (double)n_bare;
		struct cwmp_msg m;
		t0 = lf__now();
		while ((t = lf__now()) - t0 < seconds) {
			for (int i = 0; i < 100; i++) {
				cwmp_msg_init(&m);
				cwmp_parse(&m, b.data, b.len, err, sizeof(err));
				cwmp_msg_free(&m);
			}
			n_parse += 100;
		}
		double parse_s = (t - t0) / (double)n_parse;
		cwmp_msg_init(&m);
		cwmp_parse(&m, b.data, b.len, err, sizeof(err));
		struct lf_buf out;
		lf_buf_init(&out, 4 * CWMP_MAX_MESSAGE);
		t0 = lf__now();
		while ((t = lf__now()) - t0 < seconds) {
			for (int i = 0; i < 100; i++) {
				lf_buf_reset(&out);
				cwmp_build(&m, &out);
			}
			n_build += 100;
		}
		double build_s = (t - t0) / (double)n_build;
		cwmp_msg_free(&m);
		lf_buf_free(&out);
		printf("%s\n  {\"message\": \"%s\", \"bytes\": %zu, \"bare_expat_us\": %.2f, \"parse_us\": %.2f, "
		       "\"build_us\": %.2f, \"parse_over_bare\": %.2f}",
		       f ? "," : "", files[f], b.len, bare_s * 1e6, parse_s * 1e6, build_s * 1e6, parse_s / bare_s);
		lf_buf_free(&b);
	}
	printf("\n]\n");
	return 0;
}
