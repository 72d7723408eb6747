/* http204.c: the benchmark baseline: a minimal libmicrohttpd server (same library and threading as hemsd:
 * one internal epoll thread) that reads each POST and answers 204 No Content. */
#include <microhttpd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static enum MHD_Result lf__access(void *cls, struct MHD_Connection *c, const char *url, const char *method,
				  const char *version, const char *upload_data, size_t *upload_data_size,
				  void **con_cls)
{
	static int marker;
	if (!*con_cls) {
		*con_cls = &marker;
		return MHD_YES;
	}
	if (*upload_data_size) {
		*upload_data_size = 0;
		return MHD_YES;
	}
	struct MHD_Response *r = MHD_create_response_from_buffer(0, NULL, MHD_RESPMEM_PERSISTENT);
	enum MHD_Result ret = MHD_queue_response(c, 204, r);
	MHD_destroy_response(r);
	return ret;
}

int main(int argc, char **argv)
{
	unsigned port = argc > 1 ? (unsigned)strtoul(argv[1], NULL, 10) : 7599;
	struct MHD_Daemon *d;
	if (argc > 3) { /* http204 PORT CERT KEY: the same behind TLS */
		static char cert[65536], key[65536];
		FILE *f = fopen(argv[2], "r");
		size_t n = f ? fread(cert, 1, sizeof(cert) - 1, f) : 0;
		if (f)
			fclose(f);
		cert[n] = '\0';
		f = fopen(argv[3], "r");
		n = f ? fread(key, 1, sizeof(key) - 1, f) : 0;
		if (f)
			fclose(f);
		key[n] = '\0';
		d = MHD_start_daemon(MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL | MHD_USE_TLS, (uint16_t)port, NULL,
				     NULL, lf__access, NULL, MHD_OPTION_CONNECTION_LIMIT, 10000u, MHD_OPTION_HTTPS_MEM_CERT,
				     cert, MHD_OPTION_HTTPS_MEM_KEY, key, MHD_OPTION_END);
	} else {
		d = MHD_start_daemon(MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL, (uint16_t)port, NULL, NULL,
				     lf__access, NULL, MHD_OPTION_CONNECTION_LIMIT, 10000u, MHD_OPTION_END);
	}
	if (!d) {
		fprintf(stderr, "http204: cannot listen on %u\n", port);
		return 1;
	}
	sigset_t s;
	sigemptyset(&s);
	sigaddset(&s, SIGTERM);
	sigaddset(&s, SIGINT);
	sigprocmask(SIG_BLOCK, &s, NULL);
	int sig;
	sigwait(&s, &sig);
	MHD_stop_daemon(d);
	return 0;
}
