/* config.h: schema-driven `key = value` config files with [sections]; errors name the file, line and problem. */
#ifndef LF_CONFIG_H
#define LF_CONFIG_H

#include <stddef.h>

enum lf_cfg_type {
	LF_CFG_STR,  /* char array of `size` bytes inside the target struct */
	LF_CFG_INT,  /* long long, bounded by min..max */
	LF_CFG_BOOL, /* int, from true/false/yes/no/on/off/1/0 */
};

struct lf_cfg_key {
	const char *name; /* "section.key" (or "key" before any [section]) */
	enum lf_cfg_type type;
	size_t offset;    /* offsetof(target struct, field) */
	size_t size;      /* LF_CFG_STR: sizeof the char array */
	long long min, max;
	const char *help; /* one line for --help and the example config */
};

#define LF_CFG_STR_KEY(name, type, field, help) \
	{ name, LF_CFG_STR, offsetof(type, field), sizeof(((type *)0)->field), 0, 0, help }
#define LF_CFG_INT_KEY(name, type, field, lo, hi, help) \
	{ name, LF_CFG_INT, offsetof(type, field), sizeof(long long), lo, hi, help }
#define LF_CFG_BOOL_KEY(name, type, field, help) \
	{ name, LF_CFG_BOOL, offsetof(type, field), sizeof(int), 0, 1, help }

/* lf_cfg_parse: apply the text of a config file (named `origin` in errors) to target.
 * Returns LF_OK, or LF_EPARSE / LF_EINVAL with "origin:line: problem" in err. */
int lf_cfg_parse(const char *text, size_t len, const char *origin, const struct lf_cfg_key *keys,
		 size_t nkeys, void *target, char *err, size_t errlen);
/* lf_cfg_load: read the file at path (at most 1 MiB) and lf_cfg_parse it. */
int lf_cfg_load(const char *path, const struct lf_cfg_key *keys, size_t nkeys, void *target, char *err,
		size_t errlen);
/* lf_cfg_set: set one key from "section.key=value" (command-line overrides). */
int lf_cfg_set(const char *assignment, const struct lf_cfg_key *keys, size_t nkeys, void *target, char *err,
	       size_t errlen);

#endif
