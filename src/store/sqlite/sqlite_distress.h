/* sqlite_distress.h: the SQLite back end's distress channel operations (sqlite_distress.c). */
#ifndef LF_STORE_SQLITE_DISTRESS_H
#define LF_STORE_SQLITE_DISTRESS_H

#include "store/store_impl.h"

int sq_distress_device_put(struct store *s, const struct store_distress_device *d);
int sq_distress_device_get(struct store *s, const char *device_id, struct store_distress_device *out);
int sq_distress_unprovisioned(struct store *s, int64_t since, char (*ids)[STORE_MAX_ID], size_t max, size_t *n);
int sq_distress_action_add(struct store *s, const char *device_id, int64_t case_id, const char *kind,
                           const char *args_json, int64_t now, int64_t *id);
int sq_distress_action_next(struct store *s, const char *device_id, struct store_distress_action *out);
int sq_distress_action_get(struct store *s, int64_t id, struct store_distress_action *out);
int sq_distress_action_update(struct store *s, const struct store_distress_action *a);
int sq_distress_action_list(struct store *s, const char *device_id, int status, int limit,
                            int (*cb)(void *ctx, const struct store_distress_action *a), void *ctx);
int sq_distress_action_pending(struct store *s, const char *device_id, int64_t *count);

#endif
