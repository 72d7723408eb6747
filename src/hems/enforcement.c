/* enforcement.c: higher-level measures (5.7.4): the built-in HeMS block and the exec / webhook adapters, the policy
 * that runs measures by itself, and the results recorded in the case timeline and notified northbound.
 *
 * The event loop owns every store write here. Exec adapters run on a worker thread (a program may take up to
 * enforcement.exec_timeout) and hand their result back through a queue the loop drains every tick; webhook
 * measures are outbox rows addressed to the adapter's own subscription, so the delivery worker retries them like
 * any notification and reports the 2xx through the same queue. A measure is a row of its own (measures table),
 * so one left unfinished by a crash is taken up at the next start: exec adapters are run again (they must be
 * idempotent: terminating an IKE SA twice or listing an identity twice is harmless), webhooks are still in the
 * outbox. */
#include "hems/enforcement.h"

#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "common/alloc.h"
#include "common/err.h"
#include "common/log.h"
#include "common/timeutil.h"
#include "hems/fm_nbi.h"
#include "hems/notify.h"
#include "hems/outbox.h"
#include "hems/remediation.h"
#include "store/store.h"

extern char **environ;

#define LF_JOB_QUEUE 256   /* exec measures waiting for the worker */
#define LF_MAX_ARGS 32     /* words of an exec adapter's command line */
#define LF_MAX_OUTPUT 4096 /* bytes of an adapter's output kept */
#define LF_POLICY_OWNER "policy:enforcement"

enum lf__measure {
	LF_M_HEMS_BLOCK,
	LF_M_HEMS_UNBLOCK,
	LF_M_SEGW_BLACKLIST,
	LF_M_GW_BLOCK,
	LF_M_SUBSCRIBER_NOTIFY,
	LF_M_COUNT
};

static const char *const lf__measure_names[LF_M_COUNT] = {
    HEMS_MEASURE_HEMS_BLOCK, HEMS_MEASURE_HEMS_UNBLOCK,      HEMS_MEASURE_SEGW_BLACKLIST,
    HEMS_MEASURE_GW_BLOCK,   HEMS_MEASURE_SUBSCRIBER_NOTIFY,
};

enum lf__adapter { LF_A_NONE, LF_A_BUILTIN, LF_A_EXEC, LF_A_WEBHOOK };
static const char *const lf__adapter_names[] = {"none", "builtin", "exec", "webhook"};

struct lf__job {
	int64_t measure_id;
	char command[512];
	char *input; /* JSON document for stdin (owned) */
};

struct lf__result {
	int64_t measure_id;
	int ok;
	int exit_status;
	char text[512];
};

struct hems_enforcement {
	struct hems *h;
	/* per measure: adapter, command, URL (from the configuration), webhook subscription id */
	enum lf__adapter adapter[LF_M_COUNT];
	const char *command[LF_M_COUNT];
	const char *url[LF_M_COUNT];
	int64_t webhook_sub[LF_M_COUNT];
	long timeout_s;
	/* policy: measures run on a trigger, and the cursor over the outbox */
	unsigned on_blocked, on_awaiting, on_no_comm; /* bit sets of enum lf__measure */
	int64_t policy_sub, policy_cursor;
	/* the exec worker and the queues between it and the loop */
	pthread_t thread;
	pthread_mutex_t lock;
	pthread_cond_t wake;
	int stop;
	struct lf__job jobs[LF_JOB_QUEUE];
	size_t head, count;
	struct lf__result *results;
	size_t n_results;
	/* counters for /metrics (loop only) */
	uint64_t requested[LF_M_COUNT], succeeded[LF_M_COUNT], failed[LF_M_COUNT];
};

static int lf__measure_parse(const char *name)
{
	for (int i = 0; i < LF_M_COUNT; i++)
		if (strcmp(name, lf__measure_names[i]) == 0)
			return i;
	return -1;
}

/* ---------------------------------------------------------------- exec adapter (worker thread) */

static void lf__append_output(char *out, size_t outlen, size_t *used, const char *p, size_t n)
{
	for (size_t i = 0; i < n && *used + 1 < outlen; i++) {
		char c = p[i];
		out[(*used)++] = (c == '\n' || c == '\r' || c == '\t') ? ' ' : (c >= 0x20 && c < 0x7f ? c : '?');
	}
	out[*used] = '\0';
}

/* Run command (split on blanks, no shell) with input on stdin; stdout and stderr become the output. Killed
 * (its whole process group) after timeout_s. *exit_status: the exit code, -1 when killed or not started. */
static int lf__exec(const char *command, const char *input, long timeout_s, int *exit_status, char *output,
                    size_t outlen)
{
	char buf[512], *argv[LF_MAX_ARGS + 1];
	int argc = 0, in[2] = {-1, -1}, out[2] = {-1, -1}, result = LF_EIO;
	size_t used = 0, written = 0, inlen = strlen(input);
	pid_t pid = -1;
	*exit_status = -1;
	output[0] = '\0';
	snprintf(buf, sizeof(buf), "%s", command);
	for (char *save = NULL, *w = strtok_r(buf, " \t", &save); w && argc < LF_MAX_ARGS;
	     w = strtok_r(NULL, " \t", &save))
		argv[argc++] = w;
	argv[argc] = NULL;
	if (argc == 0) {
		snprintf(output, outlen, "no command configured");
		return LF_EINVAL;
	}
	if (pipe(in) || pipe(out)) {
		snprintf(output, outlen, "pipe: %s", strerror(errno));
		goto out;
	}
	fcntl(in[1], F_SETFD, FD_CLOEXEC);
	fcntl(out[0], F_SETFD, FD_CLOEXEC);
	fcntl(in[1], F_SETFL, O_NONBLOCK);
	posix_spawn_file_actions_t fa;
	posix_spawnattr_t attr;
	sigset_t none, dflt;
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_adddup2(&fa, in[0], 0);
	posix_spawn_file_actions_adddup2(&fa, out[1], 1);
	posix_spawn_file_actions_adddup2(&fa, out[1], 2);
	posix_spawnattr_init(&attr);
	/* hemsd blocks SIGTERM/SIGINT (signalfd) and ignores SIGPIPE; the adapter gets a plain signal state, and
	 * its own process group so a timeout kills everything it started. */
	sigemptyset(&none);
	sigemptyset(&dflt);
	sigaddset(&dflt, SIGPIPE);
	sigaddset(&dflt, SIGTERM);
	sigaddset(&dflt, SIGINT);
	posix_spawnattr_setsigmask(&attr, &none);
	posix_spawnattr_setsigdefault(&attr, &dflt);
	posix_spawnattr_setpgroup(&attr, 0);
	posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETPGROUP);
	int rc = strchr(argv[0], '/') ? posix_spawn(&pid, argv[0], &fa, &attr, argv, environ)
	                              : posix_spawnp(&pid, argv[0], &fa, &attr, argv, environ);
	posix_spawn_file_actions_destroy(&fa);
	posix_spawnattr_destroy(&attr);
	close(in[0]);
	close(out[1]);
	in[0] = out[1] = -1;
	if (rc != 0) {
		pid = -1;
		snprintf(output, outlen, "cannot run %s: %s", argv[0], strerror(rc));
		goto out;
	}
	int64_t deadline = lf_now_ms() + timeout_s * 1000;
	int killed = 0;
	for (;;) {
		struct pollfd pfd[2] = {{.fd = out[0], .events = POLLIN}, {.fd = in[1], .events = POLLOUT}};
		int nfds = in[1] >= 0 ? 2 : 1;
		int64_t left = deadline - lf_now_ms();
		if (left <= 0) {
			if (killed >= 2)
				break;
			/* SIGTERM first; SIGKILL 2 s later if it is still there */
			kill(-pid, killed ? SIGKILL : SIGTERM);
			killed++;
			deadline = lf_now_ms() + 2000;
			continue;
		}
		int n = poll(pfd, (nfds_t)nfds, (int)(left > 1000 ? 1000 : left));
		if (n < 0 && errno != EINTR)
			break;
		if (nfds == 2 && (pfd[1].revents & (POLLOUT | POLLERR | POLLHUP))) {
			int done = 1; /* an error or a hang-up: it will not read more */
			if (pfd[1].revents & POLLOUT) {
				ssize_t k = write(in[1], input + written, inlen - written);
				if (k > 0) {
					written += (size_t)k;
					done = written == inlen;
				} else {
					done = !(k < 0 && (errno == EAGAIN || errno == EINTR));
				}
			}
			if (done) {
				close(in[1]); /* EOF on its stdin; a program that does not read it is fine too */
				in[1] = -1;
			}
		}
		if (pfd[0].revents & (POLLIN | POLLHUP | POLLERR)) {
			char chunk[1024];
			ssize_t k = read(out[0], chunk, sizeof(chunk));
			if (k > 0)
				lf__append_output(output, outlen, &used, chunk, (size_t)k);
			else if (k == 0 || errno != EINTR)
				break; /* EOF: the program (and whatever held its output) is done */
		}
	}
	/* Its output is closed; it may still run (a program that closed stdout and went on): wait for it
	 * under the same deadline. */
	int st = 0;
	for (;;) {
		pid_t r = waitpid(pid, &st, WNOHANG);
		if (r == pid || (r < 0 && errno != EINTR))
			break;
		if (lf_now_ms() >= deadline) {
			kill(-pid, killed ? SIGKILL : SIGTERM);
			killed++;
			deadline = lf_now_ms() + 2000;
		}
		struct timespec ts = {0, 20 * 1000 * 1000};
		nanosleep(&ts, NULL);
	}
	if (killed) {
		size_t n = strlen(output);
		snprintf(output + n, outlen - n, "%stimed out after %ld s, killed", n ? "; " : "", timeout_s);
		result = LF_ETIMEOUT;
	} else if (WIFEXITED(st)) {
		*exit_status = WEXITSTATUS(st);
		result = *exit_status == 0 ? LF_OK : LF_EIO;
	} else {
		size_t n = strlen(output);
		snprintf(output + n, outlen - n, "%skilled by signal %d", n ? "; " : "",
		         WIFSIGNALED(st) ? WTERMSIG(st) : 0);
	}
out:
	for (int i = 0; i < 2; i++) {
		if (in[i] >= 0)
			close(in[i]);
		if (out[i] >= 0)
			close(out[i]);
	}
	return result;
}

static void lf__push_result(struct hems_enforcement *e, const struct lf__result *res)
{
	pthread_mutex_lock(&e->lock);
	e->results = lf_realloc(e->results, (e->n_results + 1) * sizeof(*e->results));
	e->results[e->n_results++] = *res;
	pthread_mutex_unlock(&e->lock);
}

static void *lf__worker(void *arg)
{
	struct hems_enforcement *e = arg;
	pthread_mutex_lock(&e->lock);
	for (;;) {
		while (!e->stop && e->count == 0)
			pthread_cond_wait(&e->wake, &e->lock);
		if (e->stop)
			break;
		struct lf__job job = e->jobs[e->head];
		e->head = (e->head + 1) % LF_JOB_QUEUE;
		e->count--;
		pthread_mutex_unlock(&e->lock);

		struct lf__result res;
		char output[LF_MAX_OUTPUT];
		memset(&res, 0, sizeof(res));
		res.measure_id = job.measure_id;
		int rc = lf__exec(job.command, job.input, e->timeout_s, &res.exit_status, output, sizeof(output));
		res.ok = rc == LF_OK;
		if (rc == LF_OK || rc == LF_EIO)
			snprintf(res.text, sizeof(res.text), "exit %d%s%.440s", res.exit_status, output[0] ? ": " : "",
			         output);
		else
			snprintf(res.text, sizeof(res.text), "%.500s", output);
		lf_free(job.input);
		lf__push_result(e, &res);
		pthread_mutex_lock(&e->lock);
	}
	pthread_mutex_unlock(&e->lock);
	return NULL;
}

static int lf__enqueue(struct hems_enforcement *e, int64_t measure_id, const char *command, const char *input)
{
	pthread_mutex_lock(&e->lock);
	if (e->count == LF_JOB_QUEUE) {
		pthread_mutex_unlock(&e->lock);
		return LF_EBUSY;
	}
	struct lf__job *j = &e->jobs[(e->head + e->count) % LF_JOB_QUEUE];
	j->measure_id = measure_id;
	snprintf(j->command, sizeof(j->command), "%s", command);
	j->input = lf_strdup(input);
	e->count++;
	pthread_cond_signal(&e->wake);
	pthread_mutex_unlock(&e->lock);
	return LF_OK;
}

/* ---------------------------------------------------------------- the loop's side */

static json_t *lf__measure_json(const struct store_measure *m)
{
	char created[32], finished[32];
	lf_time_iso8601((time_t)m->created, created, sizeof(created));
	json_t *o =
	    json_pack("{s:I, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s}", "measureId", (json_int_t)m->id, "deviceId",
	              m->device_id, "measure", m->measure, "adapter", m->adapter, "reason", m->reason, "actor",
	              m->actor, "status", m->status, "result", m->result, "created", created);
	if (m->case_id)
		json_object_set_new(o, "caseId", json_integer(m->case_id));
	if (strcmp(m->adapter, "exec") == 0 && m->finished)
		json_object_set_new(o, "exitStatus", json_integer(m->exit_status));
	if (m->outbox_id)
		json_object_set_new(o, "notificationId", json_integer(m->outbox_id));
	if (m->finished) {
		lf_time_iso8601((time_t)m->finished, finished, sizeof(finished));
		json_object_set_new(o, "finished", json_string(finished));
	}
	return o;
}

/* The document an adapter receives (exec: on stdin; webhook: in the notification). */
static json_t *lf__request_doc(struct hems *h, const struct store_measure *m)
{
	struct store_device d;
	char t[32];
	lf_time_iso8601((time_t)m->created, t, sizeof(t));
	json_t *o = json_pack("{s:I, s:s, s:s, s:s, s:s, s:I, s:s}", "measureId", (json_int_t)m->id, "measure",
	                      m->measure, "deviceId", m->device_id, "reason", m->reason, "actor", m->actor, "caseId",
	                      (json_int_t)m->case_id, "requestedAt", t);
	if (store_device_get(h->store, m->device_id, &d) == LF_OK)
		json_object_set_new(o, "device",
		                    json_pack("{s:s, s:s, s:s, s:s, s:s, s:s}", "manufacturer", d.manufacturer, "oui",
		                              d.oui, "productClass", d.product_class, "serialNumber", d.serial_number,
		                              "softwareVersion", d.software_version, "remoteAddress", d.remote_addr));
	return o;
}

/* A row in the timeline of the measure's case: hems_case_note while the case is open; a closed case (a device
 * blocked by NM's decision closes it) still gets the row, so the result stays next to the decision. */
static void lf__timeline(struct hems *h, const struct store_measure *m, const char *actor, const char *what)
{
	struct store_case c;
	if (!m->case_id || store_case_get(h->store, m->case_id, &c) != LF_OK)
		return;
	if (!c.closed) {
		hems_case_note(h, m->device_id, actor, what);
		return;
	}
	struct store_case_event ev;
	memset(&ev, 0, sizeof(ev));
	ev.case_id = c.id;
	ev.time = (int64_t)time(NULL) * 1000;
	snprintf(ev.from, sizeof(ev.from), "%s", c.state);
	snprintf(ev.to, sizeof(ev.to), "%s", c.state);
	snprintf(ev.why, sizeof(ev.why), "%s", what);
	snprintf(ev.actor, sizeof(ev.actor), "%s", actor);
	store_case_event_add(h->store, &ev);
}

/* Record a measure's outcome: the row, the case timeline, the notification; one transaction. */
static void lf__finish(struct hems *h, int64_t id, int ok, int exit_status, const char *text)
{
	struct hems_enforcement *e = h->enforcement;
	struct store_measure m;
	char what[640];
	if (store_measure_get(h->store, id, &m) != LF_OK || m.finished)
		return;
	snprintf(m.status, sizeof(m.status), "%s", ok ? "succeeded" : "failed");
	m.exit_status = exit_status;
	snprintf(m.result, sizeof(m.result), "%s", text);
	m.finished = (int64_t)time(NULL);
	snprintf(what, sizeof(what), "measure %s (%s) %s: %s", m.measure, m.adapter, m.status, m.result);
	store_begin(h->store);
	int result = store_measure_update(h->store, &m);
	lf__timeline(h, &m, "enforcement", what);
	json_t *extra = lf__measure_json(&m);
	if (!result)
		result = hems_notify_device(h, HEMS_NOTIFY_ENFORCEMENT, m.device_id, extra);
	else
		json_decref(extra);
	store_end(h->store, result != LF_OK);
	int k = lf__measure_parse(m.measure);
	if (e && k >= 0) {
		if (ok)
			e->succeeded[k]++;
		else
			e->failed[k]++;
	}
	lf_log(ok ? LF_LOG_INFO : LF_LOG_WARN, "measure_done",
	       "measure=%lld device=%s name=%s adapter=%s status=%s result=\"%s\"", (long long)m.id, m.device_id,
	       m.measure, m.adapter, m.status, m.result);
	hems_outbox_kick(h);
}

static int lf__latest_case(void *ctx, const struct store_case *c)
{
	*(int64_t *)ctx = c->id;
	return 1;
}

int hems_enforcement_request(struct hems *h, const char *device_id, const char *measure, const char *reason,
                             const char *actor, int64_t *id, char *err, size_t errlen)
{
	struct hems_enforcement *e = h->enforcement;
	struct store_measure m;
	struct store_device d;
	struct store_case c;
	char what[640];
	int k = lf__measure_parse(measure);
	*id = 0;
	if (k < 0) {
		snprintf(err, errlen,
		         "unknown measure '%.40s' (hems-block, hems-unblock, segw-blacklist, gw-block, "
		         "subscriber-notify)",
		         measure);
		return LF_EINVAL;
	}
	if (!e || e->adapter[k] == LF_A_NONE) {
		snprintf(err, errlen, "measure %s has no adapter: set enforcement.%s in hemsd's configuration", measure,
		         k == LF_M_SEGW_BLACKLIST ? "segw_blacklist"
		         : k == LF_M_GW_BLOCK     ? "gw_block"
		                                  : "subscriber_notify");
		return LF_EUNSUPPORTED;
	}
	if (store_device_get(h->store, device_id, &d) != LF_OK) {
		snprintf(err, errlen, "no such device");
		return LF_ENOTFOUND;
	}
	memset(&m, 0, sizeof(m));
	snprintf(m.device_id, sizeof(m.device_id), "%s", device_id);
	snprintf(m.measure, sizeof(m.measure), "%s", measure);
	snprintf(m.adapter, sizeof(m.adapter), "%s", lf__adapter_names[e->adapter[k]]);
	snprintf(m.reason, sizeof(m.reason), "%s", reason ? reason : "");
	snprintf(m.actor, sizeof(m.actor), "%s", actor);
	/* The device's open case, else its latest one: the measure belongs next to the decision that led to it. */
	if (store_case_open_of(h->store, device_id, &c) == LF_OK)
		m.case_id = c.id;
	else
		store_case_list(h->store, device_id, 0, 1, lf__latest_case, &m.case_id);
	m.created = (int64_t)time(NULL);
	snprintf(m.status, sizeof(m.status), "%s", e->adapter[k] == LF_A_WEBHOOK ? "queued" : "running");
	snprintf(what, sizeof(what), "measure %s requested by %s%s%s (%s%s%s)", measure, actor, m.reason[0] ? ": " : "",
	         m.reason, m.adapter, e->adapter[k] == LF_A_WEBHOOK ? " " : "",
	         e->adapter[k] == LF_A_WEBHOOK ? e->url[k] : "");

	int result = store_begin(h->store);
	if (!result)
		result = store_measure_add(h->store, &m);
	if (!result)
		lf__timeline(h, &m, actor, what);
	if (!result && e->adapter[k] == LF_A_WEBHOOK) {
		/* The request rides the outbox to the adapter's own subscription: retried until it is taken. */
		char href[320], dn[300], now[32];
		snprintf(href, sizeof(href), "/nbi/v1/devices/%s/measures/%lld", device_id, (long long)m.id);
		snprintf(dn, sizeof(dn), HEMS_FM_SYSTEM_DN ",HeNB=%s", device_id);
		lf_time_iso8601(time(NULL), now, sizeof(now));
		json_t *b = lf__request_doc(h, &m);
		json_object_update_new(b, json_pack("{s:s, s:s, s:s, s:s, s:s}", "notificationType",
		                                    HEMS_NOTIFY_ENFORCEMENT_REQUEST, "href", href, "eventTime", now,
		                                    "systemDN", HEMS_FM_SYSTEM_DN, "objectInstance", dn));
		char *text = json_dumps(b, JSON_COMPACT | JSON_SORT_KEYS);
		json_decref(b);
		result = store_outbox_add_target(h->store, e->webhook_sub[k], HEMS_NOTIFY_ENFORCEMENT_REQUEST,
		                                 device_id, m.case_id, text ? text : "{}", m.created, &m.outbox_id);
		free(text);
		if (!result)
			result = store_measure_update(h->store, &m);
	}
	if (store_end(h->store, result != LF_OK) && !result)
		result = LF_ESTORE;
	if (result) {
		snprintf(err, errlen, "store unavailable");
		return result;
	}
	*id = m.id;
	e->requested[k]++;
	lf_info("measure_requested", "measure=%lld device=%s name=%s adapter=%s actor=%s reason=\"%s\"",
	        (long long)m.id, device_id, measure, m.adapter, actor, m.reason);

	if (e->adapter[k] == LF_A_BUILTIN) {
		int block = k == LF_M_HEMS_BLOCK;
		char text[400];
		snprintf(text, sizeof(text), "%s by %s%s%s", block ? "blocked" : "unblocked", actor,
		         m.reason[0] ? ": " : "", m.reason);
		store_begin(h->store);
		result = store_block_set(h->store, device_id, block, text, m.created);
		if (!result)
			result = hems_notify_device(
			    h, block ? HEMS_NOTIFY_DEVICE_BLOCKED : HEMS_NOTIFY_DEVICE_UNBLOCKED, device_id,
			    json_pack("{s:s, s:s, s:I}", "reason", text, "actor", actor, "measureId",
			              (json_int_t)m.id));
		store_end(h->store, result != LF_OK);
		lf__finish(h, m.id, result == LF_OK, 0,
		           result  ? "store unavailable"
		           : block ? "the HeMS refuses the device"
		                   : "the HeMS accepts the device again");
	} else if (e->adapter[k] == LF_A_EXEC) {
		json_t *doc = lf__request_doc(h, &m);
		char *input = json_dumps(doc, JSON_COMPACT | JSON_SORT_KEYS);
		json_decref(doc);
		if (lf__enqueue(e, m.id, e->command[k], input ? input : "{}"))
			lf__finish(h, m.id, 0, -1, "not run: the exec adapter queue is full");
		free(input);
	} else {
		hems_outbox_kick(h);
	}
	return LF_OK;
}

void hems_enforcement_delivered(struct hems *h, int64_t measure_id, const char *detail)
{
	struct hems_enforcement *e = h->enforcement;
	struct lf__result res;
	if (!e)
		return;
	memset(&res, 0, sizeof(res));
	res.measure_id = measure_id;
	res.ok = 1;
	snprintf(res.text, sizeof(res.text), "%s", detail);
	lf__push_result(e, &res);
}

/* Policy: measures run by hemsd itself after some notifications (read from the outbox behind its own cursor, so
 * a trigger is never lost nor acted on twice across restarts). */
static int lf__policy_row(void *ctx, const struct store_outbox_row *row)
{
	struct hems *h = ctx;
	struct hems_enforcement *e = h->enforcement;
	unsigned set = strcmp(row->type, HEMS_NOTIFY_DEVICE_BLOCKED) == 0          ? e->on_blocked
	               : strcmp(row->type, HEMS_NOTIFY_AWAITING_INSTRUCTIONS) == 0 ? e->on_awaiting
	               : strcmp(row->type, HEMS_NOTIFY_NO_COMMUNICATION) == 0      ? e->on_no_comm
	                                                                           : 0;
	e->policy_cursor = row->id;
	if (!set || row->target || !row->device_id[0])
		return 0;
	for (int k = 0; k < LF_M_COUNT; k++) {
		if (!(set & (1u << k)))
			continue;
		char reason[160], err[256];
		int64_t id;
		snprintf(reason, sizeof(reason), "policy enforcement.on_* after %s (notification %lld)", row->type,
		         (long long)row->id);
		if (hems_enforcement_request(h, row->device_id, lf__measure_names[k], reason, "policy", &id, err,
		                             sizeof(err)))
			lf_warn("policy_measure_failed", "device=%s measure=%s error=\"%s\"", row->device_id,
			        lf__measure_names[k], err);
	}
	return 0;
}

void hems_enforcement_poll(struct hems *h)
{
	struct hems_enforcement *e = h->enforcement;
	if (!e)
		return;
	pthread_mutex_lock(&e->lock);
	struct lf__result *results = e->results;
	size_t n = e->n_results;
	e->results = NULL;
	e->n_results = 0;
	pthread_mutex_unlock(&e->lock);
	for (size_t i = 0; i < n; i++)
		lf__finish(h, results[i].measure_id, results[i].ok, results[i].exit_status, results[i].text);
	lf_free(results);

	if (e->policy_sub) {
		int64_t before = e->policy_cursor;
		store_outbox_after(h->store, e->policy_cursor, 100, lf__policy_row, h);
		if (e->policy_cursor > before)
			store_subscription_advance(h->store, e->policy_sub, e->policy_cursor, 0,
			                           (int64_t)time(NULL) * 1000);
	}
}

/* ---------------------------------------------------------------- start, stop, recovery */

static int lf__measure_set(const char *list, const char *key, int allow_block, unsigned *set, char *err, size_t errlen,
                           const struct hems_enforcement *e)
{
	char buf[256];
	*set = 0;
	snprintf(buf, sizeof(buf), "%s", list);
	for (char *save = NULL, *w = strtok_r(buf, ", \t", &save); w; w = strtok_r(NULL, ", \t", &save)) {
		int k = lf__measure_parse(w);
		if (k < 0 || k == LF_M_HEMS_UNBLOCK || (!allow_block && k == LF_M_HEMS_BLOCK)) {
			snprintf(err, errlen,
			         "enforcement.%s: '%s' is not a measure policy can run here (%s"
			         "segw-blacklist, gw-block, subscriber-notify)",
			         key, w, allow_block ? "hems-block, " : "");
			return LF_EINVAL;
		}
		if (e->adapter[k] == LF_A_NONE) {
			snprintf(err, errlen, "enforcement.%s names %s, which has no adapter (enforcement.%s = none)",
			         key, w,
			         k == LF_M_SEGW_BLACKLIST ? "segw_blacklist"
			         : k == LF_M_GW_BLOCK     ? "gw_block"
			                                  : "subscriber_notify");
			return LF_EINVAL;
		}
		*set |= 1u << k;
	}
	return LF_OK;
}

struct lf__find_owner {
	const char *owner;
	struct store_subscription found;
	int have;
};

static int lf__find_owner(void *ctx, const struct store_subscription *s)
{
	struct lf__find_owner *f = ctx;
	if (strcmp(s->owner, f->owner) == 0) {
		f->found = *s;
		f->have = 1;
		return 1;
	}
	return 0;
}

/* The subscription named owner, with url: found (url updated) or created (its cursor starts now). */
static int lf__owned_subscription(struct hems *h, const char *owner, const char *url, const char *filter,
                                  struct store_subscription *out)
{
	struct lf__find_owner f = {owner, {0}, 0};
	int result = store_subscription_list(h->store, lf__find_owner, &f);
	if (result < 0)
		return result;
	if (f.have) {
		result = LF_OK;
		if (strcmp(f.found.consumer_reference, url) != 0) {
			result = store_subscription_set_url(h->store, f.found.id, url);
			snprintf(f.found.consumer_reference, sizeof(f.found.consumer_reference), "%s", url);
		}
		*out = f.found;
		return result;
	}
	memset(out, 0, sizeof(*out));
	snprintf(out->consumer_reference, sizeof(out->consumer_reference), "%s", url);
	snprintf(out->filter, sizeof(out->filter), "%s", filter);
	snprintf(out->owner, sizeof(out->owner), "%s", owner);
	return store_subscription_add(h->store, out, (int64_t)time(NULL));
}

struct lf__recover {
	struct hems *h;
	int64_t ids[256];
	size_t n;
};

static int lf__collect_unfinished(void *ctx, const struct store_measure *m)
{
	struct lf__recover *r = ctx;
	if (r->n < sizeof(r->ids) / sizeof(r->ids[0]))
		r->ids[r->n++] = m->id;
	return 0;
}

/* Measures a previous hemsd left unfinished: exec ones run again, webhook ones the outbox already delivered
 * (the cursor passed their row) are recorded as such; the others are still on their way. */
static void lf__recover(struct hems *h)
{
	struct hems_enforcement *e = h->enforcement;
	static const char *const states[] = {"running", "queued"};
	for (int s = 0; s < 2; s++) {
		struct lf__recover r = {h, {0}, 0};
		store_measure_list(h->store, NULL, states[s], 256, lf__collect_unfinished, &r);
		for (size_t i = r.n; i-- > 0;) {
			struct store_measure m;
			if (store_measure_get(h->store, r.ids[i], &m) != LF_OK)
				continue;
			int k = lf__measure_parse(m.measure);
			if (strcmp(m.adapter, "exec") == 0) {
				if (k < 0 || e->adapter[k] != LF_A_EXEC) {
					lf__finish(h, m.id, 0, -1,
					           "hemsd restarted and the exec adapter is no longer configured");
					continue;
				}
				json_t *doc = lf__request_doc(h, &m);
				char *input = json_dumps(doc, JSON_COMPACT | JSON_SORT_KEYS);
				json_decref(doc);
				lf_info("measure_resumed", "measure=%lld device=%s name=%s", (long long)m.id,
				        m.device_id, m.measure);
				if (lf__enqueue(e, m.id, e->command[k], input ? input : "{}"))
					lf__finish(h, m.id, 0, -1, "not run: the exec adapter queue is full");
				free(input);
			} else if (strcmp(m.adapter, "webhook") == 0 && k >= 0 && e->webhook_sub[k]) {
				struct store_subscription sub;
				if (store_subscription_get(h->store, e->webhook_sub[k], &sub) == LF_OK &&
				    sub.cursor >= m.outbox_id && m.outbox_id)
					lf__finish(h, m.id, 1, 0, "webhook delivered (recorded after a restart)");
			}
		}
	}
}

int hems_enforcement_start(struct hems *h, char *err, size_t errlen)
{
	const struct hems_config *cfg = &h->cfg;
	struct hems_enforcement *e = lf_calloc(1, sizeof(*e));
	const char *adapters[LF_M_COUNT] = {"builtin", "builtin", cfg->enf_segw_blacklist, cfg->enf_gw_block,
	                                    cfg->enf_subscriber_notify};
	const char *commands[LF_M_COUNT] = {"", "", cfg->enf_segw_blacklist_command, cfg->enf_gw_block_command,
	                                    cfg->enf_subscriber_notify_command};
	const char *urls[LF_M_COUNT] = {"", "", cfg->enf_segw_blacklist_url, cfg->enf_gw_block_url,
	                                cfg->enf_subscriber_notify_url};
	static const char *const keys[LF_M_COUNT] = {"", "", "segw_blacklist", "gw_block", "subscriber_notify"};
	int result = LF_EINVAL;
	e->h = h;
	e->timeout_s = (long)cfg->enf_exec_timeout_s;
	for (int k = 0; k < LF_M_COUNT; k++) {
		const char *a = adapters[k];
		e->adapter[k] = strcmp(a, "builtin") == 0         ? LF_A_BUILTIN
		                : strcmp(a, "exec") == 0          ? LF_A_EXEC
		                : strcmp(a, "webhook") == 0       ? LF_A_WEBHOOK
		                : strcmp(a, "none") == 0 || !a[0] ? LF_A_NONE
		                                                  : (enum lf__adapter) - 1;
		e->command[k] = commands[k];
		e->url[k] = urls[k];
		if ((int)e->adapter[k] < 0 || (k >= LF_M_SEGW_BLACKLIST && e->adapter[k] == LF_A_BUILTIN)) {
			snprintf(err, errlen, "enforcement.%s '%s' is not none, exec or webhook", keys[k], a);
			goto fail;
		}
		if (e->adapter[k] == LF_A_EXEC && !commands[k][0]) {
			snprintf(err, errlen, "enforcement.%s = exec needs enforcement.%s_command", keys[k], keys[k]);
			goto fail;
		}
		if (e->adapter[k] == LF_A_WEBHOOK && strncmp(urls[k], "http://", 7) != 0 &&
		    strncmp(urls[k], "https://", 8) != 0) {
			snprintf(err, errlen, "enforcement.%s = webhook needs an http(s) enforcement.%s_url", keys[k],
			         keys[k]);
			goto fail;
		}
	}
	if (lf__measure_set(cfg->enf_on_blocked, "on_blocked", 0, &e->on_blocked, err, errlen, e) ||
	    lf__measure_set(cfg->enf_on_awaiting, "on_awaiting_instructions", 1, &e->on_awaiting, err, errlen, e) ||
	    lf__measure_set(cfg->enf_on_no_communication, "on_no_communication", 1, &e->on_no_comm, err, errlen, e))
		goto fail;
	for (int k = LF_M_SEGW_BLACKLIST; k < LF_M_COUNT; k++) {
		struct store_subscription sub;
		char owner[64];
		if (e->adapter[k] != LF_A_WEBHOOK)
			continue;
		snprintf(owner, sizeof(owner), "enforcement:%s", lf__measure_names[k]);
		if (lf__owned_subscription(h, owner, urls[k], "{}", &sub)) {
			snprintf(err, errlen, "enforcement: cannot set up the %s webhook (store unavailable)", keys[k]);
			result = LF_ESTORE;
			goto fail;
		}
		e->webhook_sub[k] = sub.id;
	}
	if (e->on_blocked || e->on_awaiting || e->on_no_comm) {
		struct store_subscription sub;
		if (lf__owned_subscription(h, LF_POLICY_OWNER, HEMS_OUTBOX_INTERNAL "policy", "{}", &sub)) {
			snprintf(err, errlen, "enforcement: cannot set up the policy cursor (store unavailable)");
			result = LF_ESTORE;
			goto fail;
		}
		e->policy_sub = sub.id;
		e->policy_cursor = sub.cursor;
	} else {
		/* No policy now: forget the cursor of an earlier one (it would only lag); a policy configured again
		 * later starts from then. */
		struct lf__find_owner f = {LF_POLICY_OWNER, {0}, 0};
		if (store_subscription_list(h->store, lf__find_owner, &f) >= 0 && f.have)
			store_subscription_delete(h->store, f.found.id);
	}
	pthread_mutex_init(&e->lock, NULL);
	pthread_cond_init(&e->wake, NULL);
	if (pthread_create(&e->thread, NULL, lf__worker, e) != 0) {
		pthread_mutex_destroy(&e->lock);
		pthread_cond_destroy(&e->wake);
		snprintf(err, errlen, "cannot start the enforcement thread");
		result = LF_ENOMEM;
		goto fail;
	}
	h->enforcement = e;
	lf__recover(h);
	return LF_OK;
fail:
	lf_free(e);
	return result;
}

void hems_enforcement_stop(struct hems *h)
{
	struct hems_enforcement *e = h->enforcement;
	if (!e)
		return;
	pthread_mutex_lock(&e->lock);
	e->stop = 1;
	pthread_cond_signal(&e->wake);
	pthread_mutex_unlock(&e->lock);
	/* An adapter running now finishes (or times out) first; its measure stays 'running' and runs again at the
	 * next start if the loop does not record it now. */
	pthread_join(e->thread, NULL);
	hems_enforcement_poll(h);
	while (e->count) {
		lf_free(e->jobs[e->head].input);
		e->head = (e->head + 1) % LF_JOB_QUEUE;
		e->count--;
	}
	lf_free(e->results);
	pthread_mutex_destroy(&e->lock);
	pthread_cond_destroy(&e->wake);
	lf_free(e);
	h->enforcement = NULL;
}

void hems_enforcement_metrics(struct hems *h, struct lf_buf *b)
{
	struct hems_enforcement *e = h->enforcement;
	if (!e)
		return;
	lf_buf_puts(b, "# HELP hems_measures_total Higher-level measures by outcome since start.\n"
	               "# TYPE hems_measures_total counter\n");
	for (int k = 0; k < LF_M_COUNT; k++)
		lf_buf_printf(b,
		              "hems_measures_total{measure=\"%s\",adapter=\"%s\",outcome=\"requested\"} %llu\n"
		              "hems_measures_total{measure=\"%s\",adapter=\"%s\",outcome=\"succeeded\"} %llu\n"
		              "hems_measures_total{measure=\"%s\",adapter=\"%s\",outcome=\"failed\"} %llu\n",
		              lf__measure_names[k], lf__adapter_names[e->adapter[k]],
		              (unsigned long long)e->requested[k], lf__measure_names[k],
		              lf__adapter_names[e->adapter[k]], (unsigned long long)e->succeeded[k],
		              lf__measure_names[k], lf__adapter_names[e->adapter[k]], (unsigned long long)e->failed[k]);
}

/* ---------------------------------------------------------------- NBI */

int hems_enforcement_parse(const char *body, size_t len, char *measure, size_t measurelen, char *reason,
                           size_t reasonlen, char *err, size_t errlen)
{
	json_error_t jerr;
	int result = LF_EINVAL;
	json_t *doc = json_loadb(body ? body : "", len, JSON_REJECT_DUPLICATES, &jerr);
	if (!json_is_object(doc)) {
		if (doc)
			snprintf(err, errlen, "request body must be a JSON object");
		else
			snprintf(err, errlen, "request body is not JSON: %s at line %d column %d", jerr.text, jerr.line,
			         jerr.column);
		json_decref(doc);
		return LF_EPARSE;
	}
	const char *key;
	json_t *v;
	json_object_foreach(doc, key, v)
	{
		if (strcmp(key, "measure") && strcmp(key, "reason")) {
			snprintf(err, errlen, "unknown member '%.64s' (measure, reason)", key);
			goto out;
		}
	}
	json_t *jm = json_object_get(doc, "measure");
	json_t *jr = json_object_get(doc, "reason");
	if (!json_is_string(jm) || lf__measure_parse(json_string_value(jm)) < 0) {
		snprintf(err, errlen,
		         "'measure' must be hems-block, hems-unblock, segw-blacklist, gw-block or "
		         "subscriber-notify");
		goto out;
	}
	if (jr && (!json_is_string(jr) || strlen(json_string_value(jr)) >= reasonlen)) {
		snprintf(err, errlen, "'reason' must be a string shorter than %zu bytes", reasonlen);
		goto out;
	}
	snprintf(measure, measurelen, "%s", json_string_value(jm));
	snprintf(reason, reasonlen, "%s", jr ? json_string_value(jr) : "");
	result = LF_OK;
out:
	json_decref(doc);
	return result;
}

static int lf__collect_measure(void *ctx, const struct store_measure *m)
{
	json_array_append_new(ctx, lf__measure_json(m));
	return 0;
}

void hems_enforcement_nbi(struct hems *h, const char *method, const char *device_id, const char *measure_id,
                          const char *actor, const char *body, size_t len, struct hems_reply *r)
{
	char measure[32], reason[256], err[256];
	if (strcmp(method, "GET") == 0 && measure_id) {
		char *end = NULL;
		long long id = strtoll(measure_id, &end, 10);
		struct store_measure m;
		if (!measure_id[0] || !end || *end || id <= 0 || store_measure_get(h->store, id, &m) != LF_OK ||
		    strcmp(m.device_id, device_id) != 0) {
			hems_fm_reply_problem(r, 404, "Not Found", "no such measure for this device");
			return;
		}
		hems_fm_reply_json(r, 200, lf__measure_json(&m));
		return;
	}
	if (strcmp(method, "GET") == 0) {
		json_t *list = json_array();
		store_measure_list(h->store, device_id, NULL, 1000, lf__collect_measure, list);
		hems_fm_reply_json(r, 200, json_pack("{s:o}", "measures", list));
		return;
	}
	if (strcmp(method, "POST") != 0 || measure_id) {
		hems_fm_reply_problem(r, 405, "Method Not Allowed", "measures take GET and POST");
		return;
	}
	if (hems_enforcement_parse(body, len, measure, sizeof(measure), reason, sizeof(reason), err, sizeof(err))) {
		hems_fm_reply_problem(r, 400, "Bad Request", err);
		return;
	}
	int64_t id = 0;
	int result = hems_enforcement_request(h, device_id, measure, reason, actor, &id, err, sizeof(err));
	if (result) {
		unsigned status = result == LF_ENOTFOUND      ? 404
		                  : result == LF_EUNSUPPORTED ? 409
		                  : result == LF_EBUSY        ? 503
		                  : result == LF_EINVAL       ? 400
		                                              : 500;
		hems_fm_reply_problem(r, status,
		                      status == 404   ? "Not Found"
		                      : status == 409 ? "Conflict"
		                      : status == 400 ? "Bad Request"
		                                      : "Unavailable",
		                      err);
		return;
	}
	struct store_measure m;
	if (store_measure_get(h->store, id, &m) != LF_OK) {
		hems_fm_reply_problem(r, 500, "Internal Server Error", "store unavailable");
		return;
	}
	/* Built-in measures are done now; adapters answer later (GET the measure or watch notifyEnforcementResult). */
	hems_fm_reply_json(r, m.finished ? 200 : 202, lf__measure_json(&m));
}
