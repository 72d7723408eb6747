/* agent.c: henbd's event loop: boot events, periodic Informs, session retry per TR-069 3.2.1.1. */
#include "henb/agent.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "common/err.h"
#include "common/log.h"
#include "common/timeutil.h"
#include "cwmp/cwmp.h"
#include "henb/cwmp_client.h"
#include "henb/retry_wait.h"

static const struct {
	unsigned bit;
	const char *code;
} lf__event_codes[] = {
	{HENB_EV_BOOTSTRAP, "0 BOOTSTRAP"},
	{HENB_EV_BOOT, "1 BOOT"},
	{HENB_EV_PERIODIC, "2 PERIODIC"},
};
#define LF_NEVENT_CODES (sizeof(lf__event_codes) / sizeof(lf__event_codes[0]))

int henb_agent_init(struct henb_agent *a, const struct henb_config *cfg, char *err, size_t errlen)
{
	memset(a, 0, sizeof(*a));
	a->cfg = *cfg;
	a->wake_fd[0] = a->wake_fd[1] = -1;
	a->start_ms = lf_now_ms();
	int n = snprintf(a->state_path, sizeof(a->state_path), "%s/henbd.state", cfg->state_dir);
	if (n < 0 || (size_t)n >= sizeof(a->state_path)) {
		snprintf(err, errlen, "henb.state_dir is too long");
		return LF_EINVAL;
	}
	int result = henb_state_load(a->state_path, &a->state, err, errlen);
	if (result)
		return result;
	if (pipe(a->wake_fd) != 0) {
		snprintf(err, errlen, "pipe: %s", strerror(errno));
		return LF_EIO;
	}
	for (int i = 0; i < 2; i++) {
		fcntl(a->wake_fd[i], F_SETFL, O_NONBLOCK);
		fcntl(a->wake_fd[i], F_SETFD, FD_CLOEXEC);
	}

	/* TR-069 3.7.1.5: 0 BOOTSTRAP on first contact with an ACS (or a new ACS URL), 1 BOOT on every start. */
	a->pending = HENB_EV_BOOT;
	if (!a->state.bootstrapped || strcmp(a->state.acs_url, cfg->acs_url) != 0)
		a->pending |= HENB_EV_BOOTSTRAP;
	a->state.boots++;
	result = henb_state_save(a->state_path, &a->state);
	if (result) {
		snprintf(err, errlen, "cannot write state file %s: %s", a->state_path, lf_strerror(result));
		return result;
	}
	a->next_attempt_ms = a->start_ms;
	a->next_periodic_ms = a->start_ms + a->cfg.periodic_inform_interval * a->cfg.second_ms;
	lf_info("agent_start", "device=%s-%s boots=%lld bootstrap=%s acs=%s", cfg->oui, cfg->serial_number,
		a->state.boots, (a->pending & HENB_EV_BOOTSTRAP) ? "yes" : "no", cfg->acs_url);
	return LF_OK;
}

void henb_agent_stop(struct henb_agent *a)
{
	a->stop = 1;
	if (a->wake_fd[1] >= 0) {
		ssize_t w = write(a->wake_fd[1], "x", 1);
		(void)w;
	}
}

void henb_agent_free(struct henb_agent *a)
{
	for (int i = 0; i < 2; i++)
		if (a->wake_fd[i] >= 0)
			close(a->wake_fd[i]);
	a->wake_fd[0] = a->wake_fd[1] = -1;
}

/* One session attempt with every pending event; on failure schedule the retry. */
static void lf__attempt(struct henb_agent *a, int64_t now)
{
	struct cwmp_event ev[LF_NEVENT_CODES];
	char list[128] = "";
	size_t n = 0;
	size_t pos = 0;
	char err[256] = "";
	int informed = 0;
	unsigned sent = a->pending;

	for (size_t i = 0; i < LF_NEVENT_CODES; i++) {
		if (!(sent & lf__event_codes[i].bit))
			continue;
		ev[n].code = lf__event_codes[i].code;
		ev[n].command_key = "";
		int w = snprintf(list + pos, sizeof(list) - pos, "%s%s", n ? "," : "", ev[n].code);
		if (w > 0 && (size_t)w < sizeof(list) - pos)
			pos += (size_t)w;
		n++;
	}
	lf_info("session_start", "events=\"%s\" retry_count=%u", list, a->retry_count);
	int result = henb_session_run(a, ev, n, &informed, err, sizeof(err));
	if (informed) {
		/* The events are delivered once InformResponse came back, whatever happens later in the session. */
		a->pending &= ~sent;
		if (sent & HENB_EV_BOOTSTRAP) {
			a->state.bootstrapped = 1;
			snprintf(a->state.acs_url, sizeof(a->state.acs_url), "%s", a->cfg.acs_url);
			if (henb_state_save(a->state_path, &a->state))
				lf_error("state_save_failed", "path=%s", a->state_path);
		}
	}
	if (!result) {
		lf_info("session_ok", "events=\"%s\"", list);
		a->retry_count = 0;
		a->next_attempt_ms = now;
		return;
	}
	a->retry_count++;
	uint64_t wait = henb_retry_wait_ms(a->retry_count, (unsigned)a->cfg.retry_min_wait,
					   (unsigned)a->cfg.retry_multiplier, (unsigned)a->cfg.second_ms);
	a->next_attempt_ms = lf_now_ms() + (int64_t)wait;
	lf_warn("session_failed", "retry_count=%u wait_ms=%llu reason=\"%s\"", a->retry_count,
		(unsigned long long)wait, err);
}

int henb_agent_run(struct henb_agent *a)
{
	while (!a->stop) {
		int64_t now = lf_now_ms();
		if (a->cfg.periodic_inform_enable && now >= a->next_periodic_ms) {
			a->pending |= HENB_EV_PERIODIC;
			a->next_periodic_ms += a->cfg.periodic_inform_interval * a->cfg.second_ms;
			if (a->next_periodic_ms <= now) /* we were away long: do not fire a burst */
				a->next_periodic_ms = now + a->cfg.periodic_inform_interval * a->cfg.second_ms;
		}
		if (a->pending && now >= a->next_attempt_ms) {
			lf__attempt(a, now);
			continue;
		}
		int64_t deadline = a->cfg.periodic_inform_enable ? a->next_periodic_ms : now + 3600 * 1000;
		if (a->pending && a->next_attempt_ms < deadline)
			deadline = a->next_attempt_ms;
		int64_t timeout = deadline - now;
		if (timeout < 0)
			timeout = 0;
		if (timeout > 60 * 1000)
			timeout = 60 * 1000;
		struct pollfd pfd = {.fd = a->wake_fd[0], .events = POLLIN};
		if (poll(&pfd, 1, (int)timeout) > 0) {
			char drain[64];
			while (read(a->wake_fd[0], drain, sizeof(drain)) > 0)
				;
		}
	}
	lf_info("agent_stop", "pending=%u", a->pending);
	return LF_OK;
}
