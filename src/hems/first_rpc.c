/* first_rpc.c: cases waiting for their first RPC (an open-addressed table keyed by case id) and the
 * latencies measured (1 ms resolution up to LF_EXACT_MS, then one overflow count with the max). */
#include "hems/first_rpc.h"

#include <stdlib.h>
#include <string.h>

#include "common/alloc.h"

#define LF_SLOTS 65536 /* cases waiting at once; beyond it a case is not measured (counted) */
#define LF_EXACT_MS 60000

struct lf__slot {
	int64_t case_id; /* 0: free; -1: deleted */
	int64_t opened_ms;
};

struct hems_first_rpc {
	struct lf__slot slot[LF_SLOTS];
	uint32_t hist[LF_EXACT_MS];
	uint64_t over; /* measured above LF_EXACT_MS */
	uint64_t n, max_ms, unmeasured;
};

struct hems_first_rpc *hems_first_rpc_new(void)
{
	return lf_calloc(1, sizeof(struct hems_first_rpc));
}

void hems_first_rpc_free(struct hems_first_rpc **p)
{
	lf_free_ptr(p);
}

static size_t lf__hash(int64_t id)
{
	uint64_t x = (uint64_t)id * 0x9e3779b97f4a7c15ull;
	return (size_t)(x >> 48) % LF_SLOTS;
}

void hems_first_rpc_opened(struct hems_first_rpc *p, int64_t case_id, int64_t now_ms)
{
	if (!p || case_id <= 0)
		return;
	size_t i = lf__hash(case_id);
	for (size_t k = 0; k < LF_SLOTS; k++, i = (i + 1) % LF_SLOTS)
		if (p->slot[i].case_id <= 0) {
			p->slot[i] = (struct lf__slot){case_id, now_ms};
			return;
		}
	p->unmeasured++;
}

void hems_first_rpc_sent(struct hems_first_rpc *p, int64_t case_id, int64_t now_ms)
{
	if (!p || case_id <= 0)
		return;
	size_t i = lf__hash(case_id);
	for (size_t k = 0; k < LF_SLOTS && p->slot[i].case_id != 0; k++, i = (i + 1) % LF_SLOTS) {
		if (p->slot[i].case_id != case_id)
			continue;
		uint64_t ms = now_ms > p->slot[i].opened_ms ? (uint64_t)(now_ms - p->slot[i].opened_ms) : 0;
		p->slot[i].case_id = -1; /* measured once: later tasks of the case are not first */
		if (ms < LF_EXACT_MS)
			p->hist[ms]++;
		else
			p->over++;
		p->n++;
		if (ms > p->max_ms)
			p->max_ms = ms;
		return;
	}
}

int64_t hems_first_rpc_case_of(const char *task_args)
{
	const char *k = task_args ? strstr(task_args, "\"_case\":") : NULL;
	return k ? strtoll(k + 8, NULL, 10) : 0;
}

static uint64_t lf__quantile(const struct hems_first_rpc *p, double q)
{
	uint64_t want = (uint64_t)(q * (double)p->n + 0.999999), seen = 0;
	if (want < 1)
		want = 1;
	for (size_t ms = 0; ms < LF_EXACT_MS; ms++) {
		seen += p->hist[ms];
		if (seen >= want)
			return ms;
	}
	return p->max_ms;
}

void hems_first_rpc_metrics(const struct hems_first_rpc *p, struct lf_buf *b)
{
	if (!p)
		return;
	lf_buf_printf(b,
		      "# HELP hems_remediation_first_rpc_ms Security alarm stored (its case opened) to the first RPC of "
		      "the case sent to the device.\n# TYPE hems_remediation_first_rpc_ms summary\n");
	static const double qs[] = {0.5, 0.9, 0.99};
	for (size_t i = 0; i < sizeof(qs) / sizeof(qs[0]); i++)
		lf_buf_printf(b, "hems_remediation_first_rpc_ms{quantile=\"%g\"} %llu\n", qs[i],
			      (unsigned long long)(p->n ? lf__quantile(p, qs[i]) : 0));
	lf_buf_printf(b,
		      "hems_remediation_first_rpc_ms_count %llu\nhems_remediation_first_rpc_ms_max %llu\n"
		      "hems_remediation_first_rpc_unmeasured %llu\n",
		      (unsigned long long)p->n, (unsigned long long)p->max_ms, (unsigned long long)p->unmeasured);
}
