/* alloc.c: allocation through one place, so out-of-memory is handled once (abort with a log line). */
#include "common/alloc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void lf__oom(size_t n)
{
	fprintf(stderr, "level=fatal event=out_of_memory bytes=%zu\n", n);
	abort();
}

void *lf_malloc(size_t n)
{
	void *p = malloc(n ? n : 1);
	if (!p)
		lf__oom(n);
	return p;
}

void *lf_calloc(size_t count, size_t n)
{
	void *p = calloc(count ? count : 1, n ? n : 1);
	if (!p)
		lf__oom(count * n);
	return p;
}

void *lf_realloc(void *p, size_t n)
{
	void *q = realloc(p, n ? n : 1);
	if (!q)
		lf__oom(n);
	return q;
}

char *lf_strdup(const char *s)
{
	return lf_strndup(s, strlen(s));
}

char *lf_strndup(const char *s, size_t n)
{
	char *p = lf_malloc(n + 1);
	memcpy(p, s, n);
	p[n] = '\0';
	return p;
}

void lf_free(void *p)
{
	free(p);
}
