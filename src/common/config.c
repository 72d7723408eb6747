/* config.c: a small line-oriented config parser driven by a table of typed keys. */
#include "common/config.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/buf.h"
#include "common/err.h"
#include "common/file.h"

#define LF_CFG_MAX_FILE (1024 * 1024)
#define LF_CFG_MAX_LINE 4096

static const struct lf_cfg_key *lf__cfg_find(const struct lf_cfg_key *keys, size_t n, const char *name)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(keys[i].name, name) == 0)
			return &keys[i];
	return NULL;
}

static int lf__cfg_bool(const char *v, int *out)
{
	static const char *yes[] = {"true", "yes", "on", "1"};
	static const char *no[] = {"false", "no", "off", "0"};
	for (int i = 0; i < 4; i++) {
		if (strcasecmp(v, yes[i]) == 0) {
			*out = 1;
			return LF_OK;
		}
		if (strcasecmp(v, no[i]) == 0) {
			*out = 0;
			return LF_OK;
		}
	}
	return LF_EINVAL;
}

/* Apply value to one key; on error write the problem (without location) into err. */
static int lf__cfg_apply(const struct lf_cfg_key *k, const char *value, void *target, char *err, size_t errlen)
{
	char *field = (char *)target + k->offset;
	switch (k->type) {
	case LF_CFG_STR: {
		size_t n = strlen(value);
		if (n >= k->size) {
			snprintf(err, errlen, "value of '%s' is %zu bytes, longer than the limit of %zu", k->name, n,
				 k->size - 1);
			return LF_EINVAL;
		}
		memcpy(field, value, n + 1);
		return LF_OK;
	}
	case LF_CFG_INT: {
		char *end = NULL;
		errno = 0;
		long long v = strtoll(value, &end, 10);
		if (errno || end == value || *end != '\0') {
			snprintf(err, errlen, "value of '%s' must be an integer, got '%s'", k->name, value);
			return LF_EINVAL;
		}
		if (v < k->min || v > k->max) {
			snprintf(err, errlen, "value of '%s' must be in %lld..%lld, got %lld", k->name, k->min, k->max,
				 v);
			return LF_EINVAL;
		}
		memcpy(field, &v, sizeof(v));
		return LF_OK;
	}
	case LF_CFG_BOOL: {
		int b;
		if (lf__cfg_bool(value, &b)) {
			snprintf(err, errlen, "value of '%s' must be true or false, got '%s'", k->name, value);
			return LF_EINVAL;
		}
		memcpy(field, &b, sizeof(b));
		return LF_OK;
	}
	}
	return LF_EINVAL;
}

static char *lf__trim(char *s)
{
	while (isspace((unsigned char)*s))
		s++;
	char *e = s + strlen(s);
	while (e > s && isspace((unsigned char)e[-1]))
		*--e = '\0';
	return s;
}

int lf_cfg_parse(const char *text, size_t len, const char *origin, const struct lf_cfg_key *keys, size_t nkeys,
		 void *target, char *err, size_t errlen)
{
	char section[128] = "";
	char line[LF_CFG_MAX_LINE + 1];
	char why[512];
	size_t pos = 0;
	unsigned lineno = 0;

	while (pos < len) {
		size_t start = pos;
		while (pos < len && text[pos] != '\n')
			pos++;
		size_t n = pos - start;
		if (pos < len)
			pos++; /* the newline */
		lineno++;
		if (n > LF_CFG_MAX_LINE) {
			snprintf(err, errlen, "%s:%u: line longer than %d bytes", origin, lineno, LF_CFG_MAX_LINE);
			return LF_EPARSE;
		}
		if (memchr(text + start, '\0', n)) {
			snprintf(err, errlen, "%s:%u: NUL byte in line", origin, lineno);
			return LF_EPARSE;
		}
		memcpy(line, text + start, n);
		line[n] = '\0';
		char *s = lf__trim(line);
		if (*s == '\0' || *s == '#' || *s == ';')
			continue;
		if (*s == '[') {
			char *close = strchr(s, ']');
			if (!close || lf__trim(close + 1)[0] != '\0') {
				snprintf(err, errlen, "%s:%u: section header must be '[name]'", origin, lineno);
				return LF_EPARSE;
			}
			*close = '\0';
			char *name = lf__trim(s + 1);
			if (*name == '\0' || strlen(name) >= sizeof(section)) {
				snprintf(err, errlen, "%s:%u: bad section name", origin, lineno);
				return LF_EPARSE;
			}
			snprintf(section, sizeof(section), "%s", name);
			continue;
		}
		char *eq = strchr(s, '=');
		if (!eq) {
			snprintf(err, errlen, "%s:%u: expected 'key = value', got '%.60s'", origin, lineno, s);
			return LF_EPARSE;
		}
		*eq = '\0';
		char *key = lf__trim(s);
		char *value = lf__trim(eq + 1);
		size_t vl = strlen(value);
		if (vl >= 2 && value[0] == '"' && value[vl - 1] == '"') {
			value[vl - 1] = '\0';
			value++;
		}
		char full[256];
		if (*key == '\0') {
			snprintf(err, errlen, "%s:%u: empty key", origin, lineno);
			return LF_EPARSE;
		}
		int fl = section[0] ? snprintf(full, sizeof(full), "%s.%s", section, key)
				    : snprintf(full, sizeof(full), "%s", key);
		if (fl < 0 || (size_t)fl >= sizeof(full)) {
			snprintf(err, errlen, "%s:%u: key too long", origin, lineno);
			return LF_EPARSE;
		}
		const struct lf_cfg_key *k = lf__cfg_find(keys, nkeys, full);
		if (!k) {
			snprintf(err, errlen, "%s:%u: unknown key '%s'", origin, lineno, full);
			return LF_EINVAL;
		}
		if (lf__cfg_apply(k, value, target, why, sizeof(why))) {
			snprintf(err, errlen, "%s:%u: %s", origin, lineno, why);
			return LF_EINVAL;
		}
	}
	return LF_OK;
}

int lf_cfg_load(const char *path, const struct lf_cfg_key *keys, size_t nkeys, void *target, char *err,
		size_t errlen)
{
	struct lf_buf b;
	lf_buf_init(&b, LF_CFG_MAX_FILE);
	int result = lf_file_read(path, &b);
	if (result) {
		snprintf(err, errlen, "%s: cannot read config: %s", path,
			 result == LF_ETOOBIG ? "file larger than 1 MiB" : lf_strerror(result));
		goto out;
	}
	result = lf_cfg_parse(b.data ? b.data : "", b.len, path, keys, nkeys, target, err, errlen);
out:
	lf_buf_free(&b);
	return result;
}

int lf_cfg_set(const char *assignment, const struct lf_cfg_key *keys, size_t nkeys, void *target, char *err,
	       size_t errlen)
{
	const char *eq = strchr(assignment, '=');
	if (!eq) {
		snprintf(err, errlen, "--set %s: expected section.key=value", assignment);
		return LF_EINVAL;
	}
	char name[256];
	size_t n = (size_t)(eq - assignment);
	if (n >= sizeof(name)) {
		snprintf(err, errlen, "--set: key too long");
		return LF_EINVAL;
	}
	memcpy(name, assignment, n);
	name[n] = '\0';
	const struct lf_cfg_key *k = lf__cfg_find(keys, nkeys, name);
	if (!k) {
		snprintf(err, errlen, "--set: unknown key '%s'", name);
		return LF_EINVAL;
	}
	char why[512];
	if (lf__cfg_apply(k, eq + 1, target, why, sizeof(why))) {
		snprintf(err, errlen, "--set: %s", why);
		return LF_EINVAL;
	}
	return LF_OK;
}
