/* store_impl.h: what a store back end (sqlite/, later postgres/) provides: a table of operations. */
#ifndef LF_STORE_IMPL_H
#define LF_STORE_IMPL_H

#include "store/store.h"

struct store_ops {
	const char *name;
	void (*close)(struct store *s);
	int (*record_inform)(struct store *s, const struct store_inform *in);
	int (*device_get)(struct store *s, const char *device_id, struct store_device *out);
	int (*device_list)(struct store *s, int (*cb)(void *ctx, const struct store_device *d), void *ctx);
	int (*param_list)(struct store *s, const char *device_id, const char *prefix,
			  int (*cb)(void *ctx, const char *name, const char *value, const char *type, int64_t updated),
			  void *ctx);
	int (*schema_version)(struct store *s);
};

/* Every back end's handle starts with this. */
struct store {
	const struct store_ops *ops;
};

int store__sqlite_open(const char *path, struct store **out, char *err, size_t errlen);

#endif
