/* hems.h: the hemsd daemon context shared by its modules (config, store, CWMP sessions, HTTP front). */
#ifndef LF_HEMS_H
#define LF_HEMS_H

#include <stdint.h>

#include "common/buf.h"
#include "hems/config.h"

struct store;
struct hems_sessions;

struct hems {
	struct hems_config cfg;
	struct store *store;
	struct hems_sessions *sessions;
	uint16_t port; /* the port actually bound */
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
