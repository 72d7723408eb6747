/* nbi.h: the northbound JSON interface (first part): devices and their cached parameters, token-authenticated. */
#ifndef LF_HEMS_NBI_H
#define LF_HEMS_NBI_H

#include "hems/hems.h"

#define HEMS_NBI_PREFIX "/nbi/v1/"

/* hems_nbi_init: load cfg.nbi_tokens_file (errors name the line). */
int hems_nbi_init(struct hems *h, char *err, size_t errlen);
void hems_nbi_free(struct hems *h);
/* hems_nbi_authorize: 1 when authorization ("Bearer TOKEN") names a known token; actor gets its name. */
int hems_nbi_authorize(struct hems *h, const char *authorization, char *actor, size_t actorlen);

/* hems_nbi_handle: answer one NBI request. authorization: the Authorization header or NULL; body/len: the request
 * body (JSON for POST/PUT). Every bad input becomes a 4xx JSON problem document naming what is wrong. */
void hems_nbi_handle(struct hems *h, const char *method, const char *url, const char *authorization,
		     const char *body, size_t len, struct hems_reply *r);

#endif
