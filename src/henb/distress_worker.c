/* distress_worker.c: the distress exchange thread: waits for a request, runs it with the blocking libcoap client,
 * posts the answer and wakes the agent's loop through a pipe. Signals stay with the main thread. */
#define _GNU_SOURCE /* pipe2 */
#include "henb/distress_worker.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "common/alloc.h"
#include "common/err.h"

struct henb_dworker {
	pthread_t thread;
	bool running;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	int pipe[2];
	/* under mu */
	bool pending; /* a request waits for the thread or runs */
	bool answered;
	bool quit;
	/* the thread's */
	struct distress_client *client;
	char server[300], identity[DISTRESS_MAX_ID + 1], psk[DISTRESS_KEY_HEX + 1];
	unsigned timeout_ms;
	struct henb_dworker_msg *msg;
};

static void lf__run(struct henb_dworker *w)
{
	struct henb_dworker_msg *m = w->msg;
	m->err[0] = '\0';
	if (m->op == HENB_DW_OPEN && !w->client) {
		struct distress_client_config cfg = {w->server, w->identity, w->psk, w->timeout_ms};
		m->rc = distress_client_new(&cfg, &w->client, m->err, sizeof(m->err));
		if (m->rc)
			return;
	}
	if (!w->client) {
		snprintf(m->err, sizeof(m->err), "no distress session: open it first");
		m->rc = LF_EINVAL;
		return;
	}
	switch (m->op) {
	case HENB_DW_OPEN:
		m->rc = distress_client_open(w->client, &m->inform, &m->welcome, m->err, sizeof(m->err));
		break;
	case HENB_DW_NEXT:
		m->rc = distress_client_next(w->client, &m->action, m->err, sizeof(m->err));
		break;
	case HENB_DW_RESULT:
		m->rc = distress_client_result(w->client, &m->result, &m->ack, m->err, sizeof(m->err));
		break;
	case HENB_DW_END:
		m->rc = distress_client_end(w->client, &m->ack, m->err, sizeof(m->err));
		break;
	default:
		snprintf(m->err, sizeof(m->err), "unknown request %d", m->op);
		m->rc = LF_EINVAL;
	}
}

static void *lf__main(void *arg)
{
	struct henb_dworker *w = arg;
	for (;;) {
		pthread_mutex_lock(&w->mu);
		while (!w->pending && !w->quit)
			pthread_cond_wait(&w->cv, &w->mu);
		bool work = w->pending;
		pthread_mutex_unlock(&w->mu);
		if (!work)
			break;
		lf__run(w);
		pthread_mutex_lock(&w->mu);
		w->pending = false;
		w->answered = true;
		pthread_mutex_unlock(&w->mu);
		ssize_t n = write(w->pipe[1], "x", 1);
		(void)n; /* a full pipe already wakes the loop */
	}
	distress_client_free(&w->client);
	return NULL;
}

int henb_dworker_start(struct henb_dworker **out, const struct distress_client_config *cfg, char *err, size_t errlen)
{
	struct henb_dworker *w = lf_calloc(1, sizeof(*w));
	sigset_t all, old;
	*out = NULL;
	w->pipe[0] = w->pipe[1] = -1;
	snprintf(w->server, sizeof(w->server), "%s", cfg->server);
	snprintf(w->identity, sizeof(w->identity), "%s", cfg->identity);
	snprintf(w->psk, sizeof(w->psk), "%s", cfg->psk);
	w->timeout_ms = cfg->timeout_ms;
	w->msg = lf_calloc(1, sizeof(*w->msg));
	pthread_mutex_init(&w->mu, NULL);
	pthread_cond_init(&w->cv, NULL);
	if (pipe2(w->pipe, O_CLOEXEC | O_NONBLOCK) != 0) {
		snprintf(err, errlen, "pipe: %s", strerror(errno));
		goto fail;
	}
	/* The thread inherits a mask that blocks every signal: SIGTERM and SIGINT reach the agent's thread. */
	sigfillset(&all);
	pthread_sigmask(SIG_BLOCK, &all, &old);
	int rc = pthread_create(&w->thread, NULL, lf__main, w);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (rc != 0) {
		snprintf(err, errlen, "pthread_create: %s", strerror(rc));
		goto fail;
	}
	w->running = true;
	*out = w;
	return LF_OK;
fail:
	henb_dworker_stop(&w);
	return LF_EIO;
}

struct henb_dworker_msg *henb_dworker_msg(struct henb_dworker *w)
{
	return w->msg;
}

int henb_dworker_submit(struct henb_dworker *w, int op)
{
	int result = LF_OK;
	pthread_mutex_lock(&w->mu);
	if (w->pending || w->answered) {
		result = LF_EBUSY;
	} else {
		w->msg->op = op;
		w->pending = true;
		pthread_cond_signal(&w->cv);
	}
	pthread_mutex_unlock(&w->mu);
	return result;
}

bool henb_dworker_busy(struct henb_dworker *w)
{
	pthread_mutex_lock(&w->mu);
	bool busy = w->pending || w->answered;
	pthread_mutex_unlock(&w->mu);
	return busy;
}

int henb_dworker_fd(const struct henb_dworker *w)
{
	return w->pipe[0];
}

bool henb_dworker_collect(struct henb_dworker *w)
{
	char drain[16];
	while (read(w->pipe[0], drain, sizeof(drain)) > 0)
		;
	pthread_mutex_lock(&w->mu);
	bool done = w->answered;
	w->answered = false;
	pthread_mutex_unlock(&w->mu);
	return done;
}

void henb_dworker_stop(struct henb_dworker **wp)
{
	struct henb_dworker *w = *wp;
	if (!w)
		return;
	if (w->running) {
		pthread_mutex_lock(&w->mu);
		w->quit = true;
		pthread_cond_signal(&w->cv);
		pthread_mutex_unlock(&w->mu);
		pthread_join(w->thread, NULL);
	}
	for (int i = 0; i < 2; i++)
		if (w->pipe[i] >= 0)
			close(w->pipe[i]);
	pthread_mutex_destroy(&w->mu);
	pthread_cond_destroy(&w->cv);
	explicit_bzero(w->psk, sizeof(w->psk));
	lf_free(w->msg);
	lf_free(w);
	*wp = NULL;
}
