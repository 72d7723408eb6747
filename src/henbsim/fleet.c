/* fleet.c: the simulator's one event loop (epoll + a timer heap) driving many henbd agents through the
 * agent's step API (henb_agent_step / _pollfds / _process), exactly as henbd's own loop drives one.
 *
 * Each device is served only when one of its descriptors is ready or its deadline came, so an idle fleet
 * costs nothing per loop pass; a device's descriptors are re-armed after every service (curl may close and
 * reopen a socket under the same number between two passes). */
#include "henbsim/fleet.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "common/alloc.h"
#include "common/err.h"
#include "common/file.h"
#include "common/log.h"
#include "common/timeutil.h"
#include "henb/agent.h"
#include "henb/connreq.h"

#define LF_PROGRESS_MS 1000
#define LF_REBOOT_MS 1000      /* a simulated reboot: down this long, then the agent starts again */
#define LF_QUEUED_RECHECK_MS 1000
#define LF_MAX_POWER_PER_PASS 500 /* devices powered on per loop pass: the loop stays responsive */
#define LF_NOT_IN_HEAP UINT32_MAX

enum lf__state { LF__OFF, LF__ON, LF__REBOOTING, LF__DROPPED, LF__DOWN };

struct lf__dev {
	struct henb_agent *a;
	struct henb_agent_host host; /* ctx: this device; cr_url: its path on the shared listener */
	struct henb_cr_ops ops; /* the agent's connection request callbacks, for the shared listener */
	struct pollfd pfd[HENB_AGENT_MAX_FDS];
	uint8_t npfd;
	uint8_t state;          /* enum lf__state */
	bool registered, tampered, alarm_done, await_rpc;
	bool queued;            /* waiting in the fifo for a session slot */
	bool granted;           /* a slot is reserved for it (counted in inflight) until its session starts */
	uint32_t heap_i;
	uint32_t pass;          /* the loop pass that last served it for I/O */
	int64_t due;
	int64_t power_ms;
	int64_t tamper_ms;
	int64_t alarm_ms;       /* when the InformResponse for its alarm came */
	uint64_t alarm_seq_at_tamper;
	uint8_t tev;            /* the --tamper event (index + 1) that tampered it; 0: none */
	char serial[32];
	char cr_url[96];
};

struct lf__fleet {
	const struct sim_options *o;
	struct henb_config base;
	struct lf__dev *dev;
	size_t n;
	uint32_t *heap; /* device indices, earliest due first */
	size_t heap_n;
	uint32_t *fd_owner; /* fd -> device index + 1 (0: none) */
	size_t fd_owner_n;
	uint32_t *fifo; /* devices waiting for a session slot */
	size_t fifo_head, fifo_n;
	int ep;
	struct henb_crhttp *cr;
	char cr_base[96];
	size_t inflight, powered;
	int64_t t0;
	int64_t met_ms;           /* when the --until-* conditions were met; -1 before */
	bool released;            /* sessions may start: with --rate 0, once every device is powered on */
	bool drop_done;
	size_t tamper_cursor[SIM_MAX_TAMPER]; /* next device index the event looks at; n: done */
	struct sim_summary sum;
};

static volatile sig_atomic_t lf__stop;
static struct lf__fleet lf__f; /* large; one per process */

void sim_stop(void)
{
	lf__stop = 1;
}

/* ------------------------------------------------------------------------------------------------ heap */

static bool lf__before(const struct lf__fleet *f, uint32_t x, uint32_t y)
{
	return f->dev[x].due < f->dev[y].due;
}

static void lf__heap_swap(struct lf__fleet *f, size_t i, size_t j)
{
	uint32_t t = f->heap[i];
	f->heap[i] = f->heap[j];
	f->heap[j] = t;
	f->dev[f->heap[i]].heap_i = (uint32_t)i;
	f->dev[f->heap[j]].heap_i = (uint32_t)j;
}

static void lf__heap_fix(struct lf__fleet *f, size_t i)
{
	while (i > 0 && lf__before(f, f->heap[i], f->heap[(i - 1) / 2])) {
		lf__heap_swap(f, i, (i - 1) / 2);
		i = (i - 1) / 2;
	}
	for (;;) {
		size_t l = 2 * i + 1, r = l + 1, m = i;
		if (l < f->heap_n && lf__before(f, f->heap[l], f->heap[m]))
			m = l;
		if (r < f->heap_n && lf__before(f, f->heap[r], f->heap[m]))
			m = r;
		if (m == i)
			return;
		lf__heap_swap(f, i, m);
		i = m;
	}
}

/* lf__schedule: the device is served at due (earlier or later than it was). */
static void lf__schedule(struct lf__fleet *f, uint32_t d, int64_t due)
{
	struct lf__dev *v = &f->dev[d];
	v->due = due;
	if (v->heap_i == LF_NOT_IN_HEAP) {
		v->heap_i = (uint32_t)f->heap_n;
		f->heap[f->heap_n++] = d;
	}
	lf__heap_fix(f, v->heap_i);
}

static void lf__unschedule(struct lf__fleet *f, uint32_t d)
{
	struct lf__dev *v = &f->dev[d];
	size_t i = v->heap_i;
	if (i == LF_NOT_IN_HEAP)
		return;
	v->heap_i = LF_NOT_IN_HEAP;
	if (i != --f->heap_n) {
		f->heap[i] = f->heap[f->heap_n];
		f->dev[f->heap[i]].heap_i = (uint32_t)i;
		lf__heap_fix(f, i);
	}
}

/* ------------------------------------------------------------------------------------------------ devices */

static void lf__dev_dir(const struct lf__fleet *f, size_t i, char *out, size_t outlen)
{
	snprintf(out, outlen, "%s/%s", f->o->dir, f->dev[i].serial);
}

/* Deterministic choice of a share of the fleet (a different one per salt). */
static bool lf__chosen(size_t i, uint64_t salt, double share)
{
	uint64_t x = (uint64_t)i * 0x9e3779b97f4a7c15ull ^ salt;
	x ^= x >> 31;
	x *= 0xbf58476d1ce4e5b9ull;
	x ^= x >> 29;
	return (double)(x >> 11) / 9007199254740992.0 < share;
}

static int lf__write(const char *dir, const char *name, const char *text)
{
	char p[1200];
	snprintf(p, sizeof(p), "%s/%s", dir, name);
	return lf_file_write_atomic(p, text, strlen(text));
}

/* Re-arm the device's descriptors as the agent wants them now. */
static void lf__arm(struct lf__fleet *f, uint32_t d, int64_t now)
{
	struct lf__dev *v = &f->dev[d];
	int64_t deadline = -1;
	/* What the agent no longer waits on leaves the epoll set (a closed socket left it already). */
	struct pollfd old[HENB_AGENT_MAX_FDS];
	size_t nold = v->npfd;
	memcpy(old, v->pfd, nold * sizeof(old[0]));
	v->npfd = (uint8_t)henb_agent_pollfds(v->a, v->pfd, HENB_AGENT_MAX_FDS, now, &deadline);
	for (size_t i = 0; i < nold; i++) {
		bool kept = false;
		for (size_t j = 0; j < v->npfd && !kept; j++)
			kept = v->pfd[j].fd == old[i].fd;
		if (!kept && (size_t)old[i].fd < f->fd_owner_n && f->fd_owner[old[i].fd] == d + 1) {
			epoll_ctl(f->ep, EPOLL_CTL_DEL, old[i].fd, NULL);
			f->fd_owner[old[i].fd] = 0;
		}
	}
	for (size_t j = 0; j < v->npfd; j++) {
		struct epoll_event ev = {.events = 0, .data.u64 = (uint64_t)d + 1};
		if (v->pfd[j].events & POLLIN)
			ev.events |= EPOLLIN;
		if (v->pfd[j].events & POLLOUT)
			ev.events |= EPOLLOUT;
		int fd = v->pfd[j].fd;
		if (fd < 0 || (size_t)fd >= f->fd_owner_n)
			continue;
		if (epoll_ctl(f->ep, EPOLL_CTL_MOD, fd, &ev) != 0 && epoll_ctl(f->ep, EPOLL_CTL_ADD, fd, &ev) != 0)
			lf_error("sim_epoll_failed", "fd=%d reason=\"%s\"", fd, strerror(errno));
		f->fd_owner[fd] = d + 1;
	}
	/* A device waiting for a session slot is woken by the slot; its other timers can wait a little. */
	if (v->queued && deadline < now + LF_QUEUED_RECHECK_MS)
		deadline = now + LF_QUEUED_RECHECK_MS;
	lf__schedule(f, d, deadline);
}

static void lf__ungrant(struct lf__fleet *f, struct lf__dev *v, int64_t now);

/* The agent's life ended or the device left: release it; its state directory stays (a reboot reads it). */
static void lf__release(struct lf__fleet *f, uint32_t d)
{
	struct lf__dev *v = &f->dev[d];
	if (!v->a)
		return;
	if (v->a->session && f->inflight)
		f->inflight--; /* cut off mid-session: no session_done comes */
	for (size_t j = 0; j < v->npfd; j++) {
		int fd = v->pfd[j].fd;
		if (fd >= 0 && (size_t)fd < f->fd_owner_n && f->fd_owner[fd] == d + 1) {
			epoll_ctl(f->ep, EPOLL_CTL_DEL, fd, NULL);
			f->fd_owner[fd] = 0;
		}
	}
	v->npfd = 0;
	lf__ungrant(f, v, lf_now_ms());
	v->queued = false; /* its fifo entry is skipped */
	lf_log_device(v->serial);
	henb_agent_free(v->a);
	lf_log_device(NULL);
	lf_free_ptr(&v->a);
	lf__unschedule(f, d);
}

static bool lf__may_start(void *ctx, struct henb_agent *a);
static void lf__informed(void *ctx, struct henb_agent *a);
static void lf__rpc_received(void *ctx, struct henb_agent *a, enum cwmp_method method);
static void lf__session_done(void *ctx, struct henb_agent *a, int result, const char *why, bool informed,
			     int64_t duration_ms);

static void lf__power_on(struct lf__fleet *f, uint32_t d, int64_t now)
{
	struct lf__dev *v = &f->dev[d];
	char dir[700], devdir[800], err[512];
	struct henb_config cfg = f->base;
	lf__dev_dir(f, d, dir, sizeof(dir));
	snprintf(devdir, sizeof(devdir), "%s/device", dir);
	snprintf(cfg.state_dir, sizeof(cfg.state_dir), "%s", dir);
	snprintf(cfg.serial_number, sizeof(cfg.serial_number), "%s", v->serial);
	for (size_t i = 0; i < f->o->n_sets; i++) {
		const char *s = f->o->sets[i], *at = strstr(s, "{serial}");
		if (!at)
			continue;
		char x[1200];
		snprintf(x, sizeof(x), "%.*s%s%s", (int)(at - s), s, v->serial, at + 8);
		if (henb_config_set(&cfg, x, err, sizeof(err)))
			lf_error("sim_config_failed", "dev=%s reason=\"%s\"", v->serial, err);
	}
	if (v->state == LF__OFF) {
		/* The device's platform: its directory in memory (tmpfs), with empty lists of running listeners and
		 * processes so the behaviour detector reads them rather than the simulator's own /proc. */
		if (mkdir(dir, 0700) != 0 && errno != EEXIST)
			lf_error("sim_mkdir_failed", "dir=%s reason=\"%s\"", dir, strerror(errno));
		mkdir(devdir, 0700);
		char p[900];
		snprintf(p, sizeof(p), "%s/listeners", devdir);
		if (access(p, F_OK) != 0) {
			lf__write(devdir, "listeners", "");
			lf__write(devdir, "processes", "");
		}
		v->power_ms = now;
		f->sum.started++;
	}
	v->a = lf_calloc(1, sizeof(*v->a));
	lf_log_device(v->serial);
	v->host = (struct henb_agent_host){
		.ctx = v,
		.cr_url = v->cr_url,
		.may_start = lf__may_start,
		.informed = lf__informed,
		.rpc_received = lf__rpc_received,
		.session_done = lf__session_done,
	};
	snprintf(v->cr_url, sizeof(v->cr_url), "%s%u", f->cr_base, d);
	int result = henb_agent_init_hosted(v->a, &cfg, &v->host, err, sizeof(err));
	lf_log_device(NULL);
	if (result) {
		lf_error("sim_device_start_failed", "dev=%s reason=\"%s\"", v->serial, err);
		bool down = v->a->exit_action == HENB_EXIT_SHUTDOWN;
		henb_agent_free(v->a);
		lf_free_ptr(&v->a);
		v->state = LF__DOWN;
		f->sum.down += down;
		f->sum.start_failed += !down;
		return;
	}
	v->state = LF__ON;
	henb_agent_cr_ops(v->a, &v->ops);
	lf__arm(f, d, now);
	lf__schedule(f, d, now); /* its first step at once */
}

/* ------------------------------------------------------------------------------------------------ serve */

static void lf__serve(struct lf__fleet *f, uint32_t d, bool io, int64_t now)
{
	struct lf__dev *v = &f->dev[d];
	if (v->state == LF__REBOOTING) {
		lf__unschedule(f, d);
		f->sum.rebooted++;
		lf__power_on(f, d, now);
		return;
	}
	if (v->state != LF__ON || !v->a)
		return;
	lf_log_device(v->serial);
	if (io && v->npfd) {
		/* Which of its descriptors are ready: one non-blocking poll of this device's few. */
		if (poll(v->pfd, v->npfd, 0) < 0)
			for (size_t i = 0; i < v->npfd; i++)
				v->pfd[i].revents = 0;
	} else {
		for (size_t i = 0; i < v->npfd; i++)
			v->pfd[i].revents = 0;
	}
	henb_agent_process(v->a, v->pfd, v->npfd, now);
	bool alive = henb_agent_step(v->a, now);
	lf_log_device(NULL);
	lf__ungrant(f, v, now);
	if (alive) {
		lf__arm(f, d, now);
		return;
	}
	enum henb_exit how = v->a->exit_action;
	lf__release(f, d);
	if (how == HENB_EXIT_REBOOT) {
		v->state = LF__REBOOTING;
		lf__schedule(f, d, now + LF_REBOOT_MS);
	} else {
		v->state = LF__DOWN;
		f->sum.down++;
	}
}

/* ------------------------------------------------------------------------------------------------ host */

/* Free slots go to the devices waiting longest: each gets a reserved slot and is served at once. */
static void lf__grant(struct lf__fleet *f, int64_t now)
{
	while (f->fifo_n && f->inflight < f->o->max_inflight) {
		uint32_t w = f->fifo[f->fifo_head];
		f->fifo_head = (f->fifo_head + 1) % f->n;
		f->fifo_n--;
		struct lf__dev *v = &f->dev[w];
		if (!v->queued)
			continue;
		v->queued = false;
		if (v->state != LF__ON || !v->a)
			continue;
		v->granted = true;
		f->inflight++;
		lf__schedule(f, w, now);
	}
}

/* A reserved slot its device did not use (nothing was due any more, or it left): back to the pool. */
static void lf__ungrant(struct lf__fleet *f, struct lf__dev *v, int64_t now)
{
	if (!v->granted)
		return;
	v->granted = false;
	if (f->inflight)
		f->inflight--;
	lf__grant(f, now);
}

static bool lf__may_start(void *ctx, struct henb_agent *a)
{
	struct lf__fleet *f = &lf__f;
	struct lf__dev *v = ctx;
	uint32_t d = (uint32_t)(v - f->dev);
	(void)a;
	bool ok = false;
	if (!f->released) {
		/* A storm "all at once": every device is powered on first (starting a device costs the simulator
		 * far more than a real device's boot costs the HeMS), then all are released together. */
	} else if (v->granted) {
		v->granted = false; /* its reserved slot, already counted */
		ok = true;
	} else if (!f->fifo_n && f->inflight < f->o->max_inflight) {
		f->inflight++;
		ok = true;
	}
	if (ok) {
		if (f->inflight > f->sum.peak_inflight)
			f->sum.peak_inflight = f->inflight;
		return true;
	}
	if (!v->queued) { /* in the ring at most once: n places are enough */
		v->queued = true;
		f->fifo[(f->fifo_head + f->fifo_n++) % f->n] = d;
	}
	return false;
}

static enum sim_fail lf__classify(int result, const char *why)
{
	if (strstr(why, "503"))
		return SIM_FAIL_BUSY;
	if (result == LF_EAUTH || strstr(why, "401"))
		return SIM_FAIL_AUTH;
	if (result == LF_ENET || result == LF_ETIMEOUT)
		return SIM_FAIL_NET;
	if (result == LF_EPARSE || result == LF_EUNSUPPORTED)
		return SIM_FAIL_PROTOCOL;
	return SIM_FAIL_OTHER;
}

static void lf__session_done(void *ctx, struct henb_agent *a, int result, const char *why, bool informed,
			     int64_t duration_ms)
{
	struct lf__fleet *f = &lf__f;
	struct lf__dev *v = ctx;
	int64_t now = lf_now_ms();
	if (f->inflight)
		f->inflight--;
	sim_hist_add(&f->sum.session_ms, duration_ms < 0 ? 0 : (uint64_t)duration_ms);
	if (result) {
		f->sum.sessions_failed++;
		f->sum.fail[lf__classify(result, why)]++;
	} else {
		f->sum.sessions_ok++;
	}
	if (!result && informed && !v->registered) {
		v->registered = true;
		f->sum.registered++;
		sim_hist_add(&f->sum.register_ms, (uint64_t)(now - v->power_ms));
		if (f->sum.registered == f->n)
			f->sum.all_registered_s = (double)(now - f->t0) / 1000.0;
	}
	lf__grant(f, now); /* the slot it freed */
}

static void lf__informed(void *ctx, struct henb_agent *a)
{
	struct lf__fleet *f = &lf__f;
	struct lf__dev *v = ctx;
	/* The alarm raised after the tamper rode this Inform: the HeMS stored it before it answered. */
	if (v->tampered && !v->alarm_done && a->mon.alarm_seq > v->alarm_seq_at_tamper &&
	    !henb_monitor_undelivered(&a->mon)) {
		int64_t now = lf_now_ms();
		struct sim_tamper_result *tr = &f->sum.tamper[v->tev - 1];
		v->alarm_done = true;
		v->alarm_ms = now;
		v->await_rpc = true;
		f->sum.alarms_delivered++;
		tr->delivered++;
		sim_hist_add(&tr->alarm_ms, (uint64_t)(now - v->tamper_ms));
		if (f->sum.alarms_delivered == f->sum.tampered)
			f->sum.all_alarms_s = (double)(now - v->tamper_ms) / 1000.0;
	}
}

static void lf__rpc_received(void *ctx, struct henb_agent *a, enum cwmp_method method)
{
	struct lf__fleet *f = &lf__f;
	struct lf__dev *v = ctx;
	(void)a, (void)method;
	f->sum.rpcs++;
	if (v->await_rpc) {
		v->await_rpc = false;
		sim_hist_add(&f->sum.tamper[v->tev - 1].remedy_ms, (uint64_t)(lf_now_ms() - v->alarm_ms));
	}
}

/* The shared listener's router: /cr/<index> is device index. */
static const struct henb_cr_ops *lf__route(void *ctx, const char *path)
{
	struct lf__fleet *f = ctx;
	char *end;
	/* Only "/cr/" and decimal digits (strtoul alone would take "", blanks and signs). */
	if (strncmp(path, "/cr/", 4) != 0 || path[4] < '0' || path[4] > '9')
		return NULL;
	unsigned long i = strtoul(path + 4, &end, 10);
	if (*end || i >= f->n || f->dev[i].state != LF__ON || !f->dev[i].a)
		return NULL;
	f->sum.cr_received++;
	lf__schedule(f, (uint32_t)i, lf_now_ms()); /* accepted or not, the agent looks at once */
	return &f->dev[i].ops;
}

/* ------------------------------------------------------------------------------------------------ world */

static const char *lf__tamper_file(enum henb_check c, const char **value)
{
	switch (c) {
	case HENB_CHECK_CASE: *value = "open\n"; return "case";
	case HENB_CHECK_ANTENNA: *value = "ANT-FOREIGN-9999\n"; return "antenna_id";
	case HENB_CHECK_CLOCK: *value = "10005000\n"; return "clock_hz"; /* 500 ppm off 10 MHz */
	case HENB_CHECK_CIRCUIT: *value = "LL-BOARD-MODIFIED\n"; return "board_id";
	default: *value = NULL; return NULL;
	}
}

static int64_t lf__wall_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Tamper event k: its share of the devices not tampered before, all at once or `budget` of them now. */
static void lf__tamper(struct lf__fleet *f, size_t k, size_t budget, int64_t now)
{
	const struct sim_event *t = &f->o->tamper[k];
	struct sim_tamper_result *tr = &f->sum.tamper[k];
	const char *value, *file = lf__tamper_file(t->check, &value);
	size_t *i = &f->tamper_cursor[k];
	for (; *i < f->n && budget; (*i)++) {
		struct lf__dev *v = &f->dev[*i];
		if (v->state != LF__ON || !v->a || v->tampered || !lf__chosen(*i, 0x7a3d + 977 * k, t->share))
			continue;
		char dir[700], devdir[800];
		lf__dev_dir(f, *i, dir, sizeof(dir));
		snprintf(devdir, sizeof(devdir), "%s/device", dir);
		if (lf__write(devdir, file, value)) {
			lf_error("sim_tamper_failed", "dev=%s file=%s", v->serial, file);
			continue;
		}
		v->tampered = true;
		v->tev = (uint8_t)(k + 1);
		v->tamper_ms = now;
		v->alarm_seq_at_tamper = v->a->mon.alarm_seq;
		f->sum.tampered++;
		tr->devices++;
		tr->last_unix_ms = lf__wall_ms();
		if (!tr->at_unix_ms)
			tr->at_unix_ms = tr->last_unix_ms;
		budget--;
		/* The platform's interrupt from the sensor: the detector reads now. */
		henb_monitor_sensor_event(&v->a->mon, t->check, now);
		lf__schedule(f, (uint32_t)*i, now);
	}
	if (*i == f->n)
		lf_info("sim_tampered", "event=%zu check=%s devices=%zu", k + 1, henb_check_name(t->check), tr->devices);
}

static void lf__drop(struct lf__fleet *f)
{
	size_t n = 0;
	for (size_t i = 0; i < f->n; i++) {
		struct lf__dev *v = &f->dev[i];
		if (v->state != LF__ON || !lf__chosen(i, 0x51d3, f->o->drop.share))
			continue;
		lf__release(f, (uint32_t)i);
		v->state = LF__DROPPED;
		n++;
	}
	f->sum.dropped += n;
	lf_info("sim_dropped", "devices=%zu", n);
}

/* ------------------------------------------------------------------------------------------------ run */

static long lf__peak_rss_kb(void)
{
	struct rusage ru;
	getrusage(RUSAGE_SELF, &ru);
	return ru.ru_maxrss;
}

static int lf__open(struct lf__fleet *f, const struct sim_options *o, char *err, size_t errlen)
{
	f->o = o;
	f->n = o->devices;
	f->ep = -1;
	henb_config_defaults(&f->base);
	/* A simulated fleet's defaults (each can be overridden with --set): no UDP listener and no distress
	 * trigger listener per device (a process cannot hold 200,000 of them), slow background polling. */
	static const char *const sim_defaults[] = {
		"cr.udp_enable=false", "distress.trigger_address=", "henb.hal_poll_ms=60000", "monitor.poll_ms=60000",
		"monitor.config_check_ms=600000", "monitor.sw_check_ms=86400000", "henb.log_level=warn",
	};
	for (size_t i = 0; i < sizeof(sim_defaults) / sizeof(sim_defaults[0]); i++)
		if (henb_config_set(&f->base, sim_defaults[i], err, errlen))
			return LF_EINVAL;
	char acs[400];
	snprintf(acs, sizeof(acs), "acs.url=%s", o->acs_url);
	if (henb_config_set(&f->base, acs, err, errlen))
		return LF_EINVAL;
	for (size_t i = 0; i < o->n_sets; i++)
		if (!strstr(o->sets[i], "{serial}") && henb_config_set(&f->base, o->sets[i], err, errlen))
			return LF_EINVAL;
	if (mkdir(o->dir, 0700) != 0 && errno != EEXIST) {
		snprintf(err, errlen, "cannot create %s: %s", o->dir, strerror(errno));
		return LF_EIO;
	}
	/* Sockets: a few per open session and the listener; ask for what the system allows. */
	struct rlimit rl;
	if (getrlimit(RLIMIT_NOFILE, &rl) == 0) {
		rl.rlim_cur = rl.rlim_max;
		setrlimit(RLIMIT_NOFILE, &rl);
		f->fd_owner_n = rl.rlim_cur > (1u << 22) ? (1u << 22) : (size_t)rl.rlim_cur;
	}
	if (o->max_inflight * 4 + 64 > f->fd_owner_n) {
		snprintf(err, errlen, "--max-inflight %zu needs about %zu descriptors; the limit is %zu", o->max_inflight,
			 o->max_inflight * 4 + 64, f->fd_owner_n);
		return LF_EINVAL;
	}
	f->fd_owner = lf_calloc(f->fd_owner_n, sizeof(*f->fd_owner));
	f->dev = lf_calloc(f->n, sizeof(*f->dev));
	f->heap = lf_calloc(f->n, sizeof(*f->heap));
	f->fifo = lf_calloc(f->n, sizeof(*f->fifo));
	for (size_t i = 0; i < f->n; i++) {
		f->dev[i].heap_i = LF_NOT_IN_HEAP;
		snprintf(f->dev[i].serial, sizeof(f->dev[i].serial), "%s%06zu", o->serial_prefix, i);
	}
	f->ep = epoll_create1(EPOLL_CLOEXEC);
	if (f->ep < 0) {
		snprintf(err, errlen, "epoll: %s", strerror(errno));
		return LF_EIO;
	}
	if (henb_crhttp_open_shared(&f->cr, o->cr_address, (uint16_t)o->cr_port, lf__route, f, 1024, err, errlen))
		return LF_EIO;
	struct epoll_event ev = {.events = EPOLLIN, .data.u64 = 0};
	epoll_ctl(f->ep, EPOLL_CTL_ADD, henb_crhttp_fd(f->cr), &ev);
	snprintf(f->cr_base, sizeof(f->cr_base), "http://%s:%u/cr/", o->cr_address, henb_crhttp_port(f->cr));
	f->sum.devices = f->n;
	f->sum.all_registered_s = -1;
	f->sum.all_alarms_s = -1;
	f->met_ms = -1;
	f->released = o->rate > 0;
	f->sum.n_tamper = o->n_tamper;
	for (size_t k = 0; k < o->n_tamper; k++)
		f->sum.tamper[k].check = henb_check_name(o->tamper[k].check);
	return LF_OK;
}

static void lf__close(struct lf__fleet *f)
{
	for (size_t i = 0; f->dev && i < f->n; i++)
		lf__release(f, (uint32_t)i);
	henb_crhttp_close(&f->cr);
	if (f->ep >= 0)
		close(f->ep);
	lf_free(f->dev);
	lf_free(f->heap);
	lf_free(f->fifo);
	lf_free(f->fd_owner);
}

/* The time of an event: after start, or after the whole fleet registered (-1: not yet known). */
static double lf__event_t(const struct lf__fleet *f, const struct sim_event *e)
{
	if (!e->after_registered)
		return e->at_s;
	return f->sum.all_registered_s < 0 ? -1 : f->sum.all_registered_s + e->at_s;
}

static bool lf__finished(struct lf__fleet *f, int64_t now)
{
	const struct sim_options *o = f->o;
	double t = (double)(now - f->t0) / 1000.0;
	if (o->timeout_s > 0 && t >= o->timeout_s)
		return true;
	if (o->duration_s > 0 && t >= o->duration_s)
		return true;
	if (!o->until_registered && !o->until_alarms)
		return false;
	if (o->until_registered && f->sum.registered + f->sum.dropped + f->sum.down + f->sum.start_failed < f->n)
		return false;
	if (o->until_alarms) {
		for (size_t k = 0; k < o->n_tamper; k++)
			if (f->tamper_cursor[k] < f->n)
				return false;
		if (f->sum.alarms_delivered < f->sum.tampered)
			return false;
	}
	if (f->met_ms < 0)
		f->met_ms = now;
	return now - f->met_ms >= (int64_t)(o->linger_s * 1000);
}

int sim_run(const struct sim_options *o, struct sim_summary *out, char *err, size_t errlen)
{
	struct lf__fleet *f = &lf__f;
	memset(f, 0, sizeof(*f));
	int result = lf__open(f, o, err, errlen);
	if (result) {
		lf__close(f);
		return result;
	}
	FILE *timeline = o->timeline_path && o->timeline_path[0] ? fopen(o->timeline_path, "w") : NULL;
	if (timeline)
		fprintf(timeline, "# t_s started registered sessions_ok sessions_failed alarms_delivered inflight\n");
	fprintf(stderr, "henbsim: %zu devices -> %s, connection requests on %s<index>\n", f->n, o->acs_url,
		f->cr_base);

	struct epoll_event evs[512];
	f->t0 = lf_now_ms();
	int64_t next_progress = f->t0 + LF_PROGRESS_MS;
	uint64_t last_ok = 0;
	uint32_t pass = 0;
	for (;;) {
		pass++;
		int64_t now = lf_now_ms();
		if (lf__stop || lf__finished(f, now))
			break;
		double t = (double)(now - f->t0) / 1000.0;
		/* Power-on ramp. */
		size_t target = o->rate > 0 ? (size_t)(t * o->rate) + 1 : f->n;
		if (target > f->n)
			target = f->n;
		for (size_t k = 0; f->powered < target && k < LF_MAX_POWER_PER_PASS; k++) {
			size_t i = f->powered++;
			lf__power_on(f, (uint32_t)i, now);
		}
		if (f->powered == f->n && f->sum.all_powered_s <= 0) {
			f->sum.all_powered_s = (double)(now - f->t0) / 1000.0;
			if (!f->released) {
				f->released = true;
				lf__grant(f, now); /* the devices due, in power-on order */
			}
		}
		for (size_t k = 0; k < o->n_tamper; k++) {
			double tt = lf__event_t(f, &o->tamper[k]);
			if (f->tamper_cursor[k] >= f->n || tt < 0 || t < tt)
				continue;
			/* A spread event tampers per_s devices a second: as many as are due by now. */
			size_t budget = SIZE_MAX;
			if (o->tamper[k].per_s > 0) {
				size_t due = (size_t)((t - tt) * o->tamper[k].per_s) + 1;
				budget = due > f->sum.tamper[k].devices ? due - f->sum.tamper[k].devices : 0;
			}
			if (budget)
				lf__tamper(f, k, budget, now);
		}
		double td = lf__event_t(f, &o->drop);
		if (o->drop.used && !f->drop_done && td >= 0 && t >= td) {
			f->drop_done = true;
			lf__drop(f);
		}
		/* Devices whose time came. */
		while (f->heap_n && f->dev[f->heap[0]].due <= now) {
			uint32_t d = f->heap[0];
			lf__unschedule(f, d);
			lf__serve(f, d, false, now);
		}
		/* Wait for I/O or the next deadline. */
		int64_t wake = next_progress;
		if (f->heap_n && f->dev[f->heap[0]].due < wake)
			wake = f->dev[f->heap[0]].due;
		if (f->powered < f->n)
			wake = now;
		int64_t c = henb_crhttp_timeout_ms(f->cr);
		if (c >= 0 && now + c < wake)
			wake = now + c;
		int timeout = wake > now ? (int)(wake - now) : 0;
		int n = epoll_wait(f->ep, evs, (int)(sizeof(evs) / sizeof(evs[0])), timeout);
		now = lf_now_ms();
		henb_crhttp_run(f->cr); /* also on timeout: MHD expires idle connections */
		for (int k = 0; k < n; k++) {
			uint64_t tag = evs[k].data.u64;
			if (tag == 0 || tag > f->n)
				continue;
			uint32_t d = (uint32_t)(tag - 1);
			/* Several of one device's descriptors may be ready: serve it once per pass. */
			if (f->dev[d].pass == pass)
				continue;
			f->dev[d].pass = pass;
			lf__unschedule(f, d);
			lf__serve(f, d, true, now);
		}
		if (now >= next_progress) {
			f->sum.elapsed_s = (double)(now - f->t0) / 1000.0;
			double rate = (double)(f->sum.sessions_ok - last_ok) * 1000.0 / (double)(now - next_progress + LF_PROGRESS_MS);
			last_ok = f->sum.sessions_ok;
			if (!o->quiet)
				sim_progress(stderr, &f->sum, f->inflight, rate);
			if (timeline)
				fprintf(timeline, "%.1f %zu %zu %llu %llu %zu %zu\n", f->sum.elapsed_s, f->sum.started,
					f->sum.registered, (unsigned long long)f->sum.sessions_ok,
					(unsigned long long)f->sum.sessions_failed, f->sum.alarms_delivered, f->inflight);
			next_progress = now + LF_PROGRESS_MS;
		}
	}
	f->sum.elapsed_s = (double)(lf_now_ms() - f->t0) / 1000.0;
	f->sum.peak_rss_kb = lf__peak_rss_kb();
	if (timeline)
		fclose(timeline);
	lf__close(f);
	*out = f->sum;
	return LF_OK;
}
