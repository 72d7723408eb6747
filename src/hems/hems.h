/* hems.h: the hemsd daemon context shared by its modules (config, store, CWMP sessions, HTTP front). */
#ifndef LF_HEMS_H
#define LF_HEMS_H

#include <stdint.h>

#include "common/buf.h"
#include "hems/config.h"

struct store;
struct hems_sessions;

/* Counters for /metrics; written by the HTTP thread only. */
struct hems_metrics {
	uint64_t http_requests;
	uint64_t informs;
	uint64_t sessions_started;
	uint64_t sessions_ended;
	uint64_t tasks_sent;
	uint64_t tasks_done;
	uint64_t tasks_fault;
	uint64_t tasks_failed;
	uint64_t bad_requests;
	uint64_t auth_failures;
	uint64_t refused_blocked;
	uint64_t refused_overload;
	uint64_t latency_bucket[8]; /* request handling time: <=0.5,1,2,5,10,50,100 ms, +Inf */
	double latency_sum_ms;
};

struct hems_connreq;
struct hems_remediation;
struct hems_first_rpc;
struct hems_roles;
struct hems_outbox;
struct hems_enforcement;
struct hems_distress;
struct hems;
struct cwmp_transfer_complete;

/* Hooks later procedures fill (remediation, emergency HeMS); NULL = only logged. */
typedef void (*hems_transfer_complete_fn)(struct hems *h, const char *device_id,
					  const struct cwmp_transfer_complete *tc);
typedef void (*hems_request_download_fn)(struct hems *h, const char *device_id, const void *request_download);

struct hems_nbi_token {
	char name[64];
	char token[256];
};

struct hems {
	struct hems_config cfg;
	struct hems_nbi_token *nbi_tokens; /* from cfg.nbi_tokens_file */
	size_t n_nbi_tokens;
	struct hems_metrics metrics;
	struct hems_connreq *connreq; /* connection request worker */
	struct store *store;
	struct hems_sessions *sessions;
	uint16_t port; /* the port actually bound */
	hems_transfer_complete_fn on_transfer_complete;
	hems_request_download_fn on_request_download;
	struct hems_remediation *remediation;
	struct hems_first_rpc *first_rpc;     /* alarm stored -> first remediation RPC sent (first_rpc.c) */
	struct hems_roles *roles;
	struct hems_outbox *outbox;           /* northbound delivery worker (outbox.c) */
	struct hems_enforcement *enforcement; /* higher-level measures (enforcement.c) */
	struct hems_distress *distress;       /* distress channel server (distress_server.c); NULL when off */
	char file_base_url[256]; /* how devices reach /files/: cfg.file_base_url or http://address:port */
	/* extended remediation (5.7.3): the distress channel takes over; NULL until it exists */
	void (*on_extended_remediation)(struct hems *h, int64_t case_id, const char *reason);
};

/* An HTTP answer built by a handler; the HTTP front sends it. */
struct hems_reply {
	unsigned status;
	const char *content_type; /* static string; NULL when body is empty */
	struct lf_buf body;
	char set_cookie[128];     /* "" when none */
	unsigned retry_after;     /* seconds; 0 = no header */
};

void hems_reply_init(struct hems_reply *r);
void hems_reply_free(struct hems_reply *r);
/* hems_reply_text: a plain-text answer (errors): "status reason\n". */
void hems_reply_text(struct hems_reply *r, unsigned status, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

#endif
