/* store.c: the store front: picks the back end from the URL and forwards each call to it. */
#include "store/store.h"

#include <stdio.h>
#include <string.h>

#include "common/err.h"
#include "store/store_impl.h"

int store_open(const char *url, struct store **out, char *err, size_t errlen)
{
	*out = NULL;
	if (strncmp(url, "sqlite:", 7) == 0)
		return store__sqlite_open(url + 7, out, err, errlen);
	if (strncmp(url, "postgres:", 9) == 0 || strncmp(url, "postgresql:", 11) == 0) {
		snprintf(err, errlen, "store '%s': the PostgreSQL back end is not built yet", url);
		return LF_EUNSUPPORTED;
	}
	return store__sqlite_open(url, out, err, errlen);
}

void store_close(struct store **s)
{
	if (*s)
		(*s)->ops->close(*s);
	*s = NULL;
}

int store_record_inform(struct store *s, const struct store_inform *in)
{
	return s->ops->record_inform(s, in);
}

int store_device_get(struct store *s, const char *device_id, struct store_device *out)
{
	return s->ops->device_get(s, device_id, out);
}

int store_device_list(struct store *s, int (*cb)(void *ctx, const struct store_device *d), void *ctx)
{
	return s->ops->device_list(s, cb, ctx);
}

int store_param_list(struct store *s, const char *device_id, const char *prefix,
		     int (*cb)(void *ctx, const char *name, const char *value, const char *type, int64_t updated),
		     void *ctx)
{
	return s->ops->param_list(s, device_id, prefix, cb, ctx);
}

int store_schema_version(struct store *s)
{
	return s->ops->schema_version(s);
}

static int lf__store_append_escaped(char *out, size_t outlen, size_t *pos, const char *s)
{
	static const char hex[] = "0123456789ABCDEF";
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;
		int safe = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' ||
			   c == '_' || c == '~';
		size_t need = safe ? 1 : 3;
		if (*pos + need >= outlen)
			return LF_ETOOBIG;
		if (safe) {
			out[(*pos)++] = (char)c;
		} else {
			out[(*pos)++] = '%';
			out[(*pos)++] = hex[c >> 4];
			out[(*pos)++] = hex[c & 15];
		}
	}
	out[*pos] = '\0';
	return LF_OK;
}

int store_device_id(char *out, size_t outlen, const char *oui, const char *product_class, const char *serial)
{
	size_t pos = 0;
	int result;
	if (outlen == 0)
		return LF_ETOOBIG;
	out[0] = '\0';
	result = lf__store_append_escaped(out, outlen, &pos, oui);
	if (result)
		return result;
	if (pos + 1 >= outlen)
		return LF_ETOOBIG;
	out[pos++] = '-';
	result = lf__store_append_escaped(out, outlen, &pos, product_class);
	if (result)
		return result;
	if (pos + 1 >= outlen)
		return LF_ETOOBIG;
	out[pos++] = '-';
	return lf__store_append_escaped(out, outlen, &pos, serial);
}
