/* report.c: henbsim's counters in words and in JSON (jansson). */
#include "henbsim/report.h"

#include <jansson.h>
#include <math.h>
#include <string.h>
#include <unistd.h>

#include "common/err.h"
#include "common/file.h"

/* Above the exact range, bucket i holds [E * 1.01^i, E * 1.01^(i+1)) ms: 1200 buckets reach past an hour. */
static size_t lf__log_bucket(uint64_t ms)
{
	double b = log((double)ms / SIM_HIST_EXACT_MS) / log(1.01);
	if (b < 0)
		b = 0;
	return b >= SIM_HIST_LOG_BUCKETS ? SIM_HIST_LOG_BUCKETS - 1 : (size_t)b;
}

void sim_hist_add(struct sim_hist *h, uint64_t ms)
{
	if (ms < SIM_HIST_EXACT_MS)
		h->exact[ms]++;
	else
		h->log[lf__log_bucket(ms)]++;
	h->n++;
	if (ms > h->max_ms)
		h->max_ms = ms;
}

uint64_t sim_hist_pct(const struct sim_hist *h, double p)
{
	if (!h->n)
		return 0;
	uint64_t want = (uint64_t)ceil(p / 100.0 * (double)h->n);
	if (want < 1)
		want = 1;
	uint64_t seen = 0;
	for (size_t i = 0; i < SIM_HIST_EXACT_MS; i++) {
		seen += h->exact[i];
		if (seen >= want)
			return i;
	}
	for (size_t i = 0; i < SIM_HIST_LOG_BUCKETS; i++) {
		seen += h->log[i];
		if (seen >= want) {
			/* The bucket's upper edge, never above what was really seen. */
			uint64_t edge = (uint64_t)(SIM_HIST_EXACT_MS * pow(1.01, (double)(i + 1)));
			return edge < h->max_ms ? edge : h->max_ms;
		}
	}
	return h->max_ms;
}

static const char *const lf__fail_names[SIM_FAIL_COUNT] = {"busy_503", "network", "auth_401", "protocol", "other"};

void sim_progress(FILE *f, const struct sim_summary *s, size_t inflight, double sessions_per_s)
{
	bool tty = isatty(fileno(f));
	fprintf(f, "%st=%.1fs started=%zu registered=%zu/%zu inflight=%zu sessions=%llu (%.0f/s) failed=%llu "
		   "busy=%llu alarms=%zu/%zu dropped=%zu down=%zu%s",
		tty ? "\r" : "", s->elapsed_s, s->started, s->registered, s->devices, inflight,
		(unsigned long long)s->sessions_ok, sessions_per_s, (unsigned long long)s->sessions_failed,
		(unsigned long long)s->fail[SIM_FAIL_BUSY], s->alarms_delivered, s->tampered, s->dropped, s->down,
		tty ? "   " : "\n");
	fflush(f);
}

static void lf__pcts(FILE *f, const char *what, const struct sim_hist *h)
{
	if (!h->n) {
		fprintf(f, "  %-22s none\n", what);
		return;
	}
	fprintf(f, "  %-22s n=%llu p50=%llu ms p90=%llu ms p99=%llu ms max=%llu ms\n", what, (unsigned long long)h->n,
		(unsigned long long)sim_hist_pct(h, 50), (unsigned long long)sim_hist_pct(h, 90),
		(unsigned long long)sim_hist_pct(h, 99), (unsigned long long)h->max_ms);
}

void sim_summary_print(FILE *f, const struct sim_summary *s)
{
	fprintf(f, "\nhenbsim summary after %.1f s\n", s->elapsed_s);
	fprintf(f, "  devices                %zu (started %zu, start failures %zu, dropped %zu, shut down %zu, "
		   "rebooted %zu)\n",
		s->devices, s->started, s->start_failed, s->dropped, s->down, s->rebooted);
	fprintf(f, "  registered             %zu", s->registered);
	if (s->all_registered_s >= 0)
		fprintf(f, " (all by %.2f s; the last device was powered on at %.2f s)", s->all_registered_s,
			s->all_powered_s);
	fprintf(f, "\n  sessions               %llu good, %llu failed (%.0f good/s)\n", (unsigned long long)s->sessions_ok,
		(unsigned long long)s->sessions_failed, s->elapsed_s > 0 ? (double)s->sessions_ok / s->elapsed_s : 0.0);
	fprintf(f, "  failures               ");
	for (int i = 0; i < SIM_FAIL_COUNT; i++)
		fprintf(f, "%s=%llu ", lf__fail_names[i], (unsigned long long)s->fail[i]);
	fprintf(f, "\n  connection requests    %llu\n", (unsigned long long)s->cr_received);
	fprintf(f, "  alarms delivered       %zu of %zu tampered", s->alarms_delivered, s->tampered);
	if (s->all_alarms_s >= 0)
		fprintf(f, " (the last %.2f s after its tamper)", s->all_alarms_s);
	fprintf(f, "\n");
	lf__pcts(f, "session", &s->session_ms);
	lf__pcts(f, "power-on to registered", &s->register_ms);
	for (size_t i = 0; i < s->n_tamper; i++) {
		const struct sim_tamper_result *t = &s->tamper[i];
		fprintf(f, "  tamper %zu (%s)           %zu devices, %zu alarms delivered\n", i + 1, t->check, t->devices,
			t->delivered);
		lf__pcts(f, "  tamper to alarm", &t->alarm_ms);
		lf__pcts(f, "  alarm to first RPC", &t->remedy_ms);
	}
	fprintf(f, "  requests from the HeMS %llu\n", (unsigned long long)s->rpcs);
	fprintf(f, "  peak sessions open     %zu\n  peak RSS               %ld KB\n", s->peak_inflight, s->peak_rss_kb);
}

static json_t *lf__hist_json(const struct sim_hist *h)
{
	return json_pack("{sI sI sI sI sI}", "n", (json_int_t)h->n, "p50_ms", (json_int_t)sim_hist_pct(h, 50),
			 "p90_ms", (json_int_t)sim_hist_pct(h, 90), "p99_ms", (json_int_t)sim_hist_pct(h, 99), "max_ms",
			 (json_int_t)h->max_ms);
}

int sim_summary_json(const struct sim_summary *s, const char *path)
{
	json_t *fail = json_object();
	for (int i = 0; i < SIM_FAIL_COUNT; i++)
		json_object_set_new(fail, lf__fail_names[i], json_integer((json_int_t)s->fail[i]));
	json_t *o = json_object();
	json_object_set_new(o, "elapsed_s", json_real(s->elapsed_s));
	json_object_set_new(o, "devices", json_integer((json_int_t)s->devices));
	json_object_set_new(o, "started", json_integer((json_int_t)s->started));
	json_object_set_new(o, "start_failed", json_integer((json_int_t)s->start_failed));
	json_object_set_new(o, "registered", json_integer((json_int_t)s->registered));
	json_object_set_new(o, "all_registered_s", json_real(s->all_registered_s));
	json_object_set_new(o, "all_powered_s", json_real(s->all_powered_s));
	json_object_set_new(o, "dropped", json_integer((json_int_t)s->dropped));
	json_object_set_new(o, "down", json_integer((json_int_t)s->down));
	json_object_set_new(o, "rebooted", json_integer((json_int_t)s->rebooted));
	json_object_set_new(o, "sessions_ok", json_integer((json_int_t)s->sessions_ok));
	json_object_set_new(o, "sessions_failed", json_integer((json_int_t)s->sessions_failed));
	json_object_set_new(o, "failures", fail);
	json_object_set_new(o, "connection_requests", json_integer((json_int_t)s->cr_received));
	json_object_set_new(o, "tampered", json_integer((json_int_t)s->tampered));
	json_object_set_new(o, "alarms_delivered", json_integer((json_int_t)s->alarms_delivered));
	json_object_set_new(o, "all_alarms_s", json_real(s->all_alarms_s));
	json_object_set_new(o, "session", lf__hist_json(&s->session_ms));
	json_object_set_new(o, "register", lf__hist_json(&s->register_ms));
	json_t *tampers = json_array();
	for (size_t i = 0; i < s->n_tamper; i++) {
		const struct sim_tamper_result *t = &s->tamper[i];
		json_array_append_new(tampers, json_pack("{ss sI sI sI sI so so}", "check", t->check, "at_unix_ms",
							 (json_int_t)t->at_unix_ms, "last_unix_ms",
							 (json_int_t)t->last_unix_ms, "devices", (json_int_t)t->devices,
							 "delivered", (json_int_t)t->delivered, "alarm",
							 lf__hist_json(&t->alarm_ms), "alarm_to_first_rpc",
							 lf__hist_json(&t->remedy_ms)));
	}
	json_object_set_new(o, "tamper", tampers);
	json_object_set_new(o, "rpcs", json_integer((json_int_t)s->rpcs));
	json_object_set_new(o, "peak_inflight", json_integer((json_int_t)s->peak_inflight));
	json_object_set_new(o, "peak_rss_kb", json_integer((json_int_t)s->peak_rss_kb));
	char *text = json_dumps(o, JSON_INDENT(2) | JSON_SORT_KEYS);
	json_decref(o);
	if (!text)
		return LF_ENOMEM;
	int result = lf_file_write_atomic(path, text, strlen(text));
	free(text);
	return result;
}
