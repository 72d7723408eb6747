/* dm_value.c: the parameter types of the data model: checking a value against its type, range, length and
 * enumeration, canonical forms, and the xsi:type names (TR-106 data types). */
#include "henb/dm_value.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cwmp/cwmp.h"

static const char *const henb__xsd_names[] = {
	[HENB_DM_STRING] = "xsd:string",   [HENB_DM_UINT] = "xsd:unsignedInt", [HENB_DM_INT] = "xsd:int",
	[HENB_DM_BOOL] = "xsd:boolean",    [HENB_DM_DATETIME] = "xsd:dateTime",
};

const char *henb_dm_xsd_type(enum henb_dm_type t)
{
	if ((unsigned)t >= sizeof(henb__xsd_names) / sizeof(henb__xsd_names[0]))
		return "xsd:string";
	return henb__xsd_names[t];
}

const char *henb_dm_param_xsd(const struct henb_dm_param *p)
{
	return (p->flags & HENB_DM_LIST) ? "xsd:string" : henb_dm_xsd_type((enum henb_dm_type)p->type);
}

int henb__dm_type_from_xsd(const char *xsi)
{
	static const struct {
		const char *local;
		enum henb_dm_type t;
	} map[] = {
		{"string", HENB_DM_STRING}, {"unsignedInt", HENB_DM_UINT}, {"int", HENB_DM_INT},
		{"boolean", HENB_DM_BOOL},  {"dateTime", HENB_DM_DATETIME},
	};
	const char *colon = strchr(xsi, ':');
	const char *local = colon ? colon + 1 : xsi;
	/* Some ACSs write the TR-106 size facet into the type: "xsd:string(64)". */
	size_t n = strcspn(local, "(");
	for (size_t i = 0; i < sizeof(map) / sizeof(map[0]); i++)
		if (strlen(map[i].local) == n && strncmp(local, map[i].local, n) == 0)
			return (int)map[i].t;
	return -1;
}

/* XML 1.0 can carry it: valid UTF-8, no control characters other than TAB, LF, CR. */
static bool henb__xml_text_ok(const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	while (*p) {
		unsigned c = *p;
		if (c < 0x80) {
			if (c < 0x20 && c != '\t' && c != '\n' && c != '\r')
				return false;
			if (c == 0x7f)
				return false;
			p++;
			continue;
		}
		int extra;
		unsigned cp;
		if ((c & 0xe0) == 0xc0) {
			extra = 1;
			cp = c & 0x1f;
		} else if ((c & 0xf0) == 0xe0) {
			extra = 2;
			cp = c & 0x0f;
		} else if ((c & 0xf8) == 0xf0) {
			extra = 3;
			cp = c & 0x07;
		} else {
			return false;
		}
		p++;
		for (int i = 0; i < extra; i++, p++) {
			if ((*p & 0xc0) != 0x80)
				return false;
			cp = (cp << 6) | (*p & 0x3f);
		}
		/* Overlong forms, surrogates, beyond U+10FFFF, and U+FFFE/U+FFFF are not XML characters. */
		if ((extra == 1 && cp < 0x80) || (extra == 2 && cp < 0x800) || (extra == 3 && cp < 0x10000) ||
		    (cp >= 0xd800 && cp <= 0xdfff) || cp > 0x10ffff || cp == 0xfffe || cp == 0xffff)
			return false;
	}
	return true;
}

/* One decimal integer item [s, s+n): strict (no spaces, no '+', no empty), within [lo, hi]. */
static bool henb__int_item(const char *s, size_t n, bool is_signed, int64_t lo, int64_t hi, int64_t *out)
{
	char tmp[24];
	if (n == 0 || n >= sizeof(tmp))
		return false;
	memcpy(tmp, s, n);
	tmp[n] = '\0';
	const char *d = tmp;
	if (is_signed && *d == '-')
		d++;
	if (!*d)
		return false;
	for (const char *q = d; *q; q++)
		if (*q < '0' || *q > '9')
			return false;
	char *end = NULL;
	long long v = strtoll(tmp, &end, 10);
	if (*end != '\0' || v < lo || v > hi)
		return false;
	*out = v;
	return true;
}

static bool henb__digits(const char *s, int n)
{
	for (int i = 0; i < n; i++)
		if (s[i] < '0' || s[i] > '9')
			return false;
	return true;
}

static int henb__num(const char *s, int n)
{
	int v = 0;
	for (int i = 0; i < n; i++)
		v = v * 10 + (s[i] - '0');
	return v;
}

bool henb__dm_datetime_ok(const char *s)
{
	/* TR-106 dateTime: YYYY-MM-DDThh:mm:ss, optional fraction, then Z, +hh:mm, -hh:mm or nothing. */
	size_t n = strlen(s);
	if (n < 19 || !henb__digits(s, 4) || s[4] != '-' || !henb__digits(s + 5, 2) || s[7] != '-' ||
	    !henb__digits(s + 8, 2) || s[10] != 'T' || !henb__digits(s + 11, 2) || s[13] != ':' ||
	    !henb__digits(s + 14, 2) || s[16] != ':' || !henb__digits(s + 17, 2))
		return false;
	int mon = henb__num(s + 5, 2), day = henb__num(s + 8, 2);
	int hh = henb__num(s + 11, 2), mm = henb__num(s + 14, 2), ss = henb__num(s + 17, 2);
	if (mon < 1 || mon > 12 || day < 1 || day > 31 || hh > 23 || mm > 59 || ss > 60)
		return false;
	const char *p = s + 19;
	if (*p == '.') {
		p++;
		if (*p < '0' || *p > '9')
			return false;
		while (*p >= '0' && *p <= '9')
			p++;
	}
	if (*p == '\0')
		return true;
	if (*p == 'Z')
		return p[1] == '\0';
	if ((*p == '+' || *p == '-') && strlen(p) == 6 && henb__digits(p + 1, 2) && p[3] == ':' &&
	    henb__digits(p + 4, 2))
		return henb__num(p + 1, 2) <= 14 && henb__num(p + 4, 2) <= 59;
	return false;
}

static bool henb__in_enum(const char *const *enums, const char *s, size_t n)
{
	for (size_t i = 0; enums[i]; i++)
		if (strlen(enums[i]) == n && strncmp(enums[i], s, n) == 0)
			return true;
	return false;
}

uint32_t henb__dm_check_value(const struct henb_dm_param *p, const char *v, char *canon, size_t canonlen)
{
	size_t len = strlen(v);
	size_t max = p->max_len ? p->max_len : HENB_DM_MAX_VALUE - 1;
	if (len >= HENB_DM_MAX_VALUE || !henb__xml_text_ok(v))
		return CWMP_FAULT_INVALID_PARAMETER_VALUE;

	switch ((enum henb_dm_type)p->type) {
	case HENB_DM_STRING:
		if (len > max)
			return CWMP_FAULT_INVALID_PARAMETER_VALUE;
		if (p->enums) {
			if (p->flags & HENB_DM_LIST) {
				const char *s = v;
				while (*s) {
					size_t n = strcspn(s, ",");
					if (!henb__in_enum(p->enums, s, n))
						return CWMP_FAULT_INVALID_PARAMETER_VALUE;
					s += n;
					if (*s == ',')
						s++;
				}
			} else if (!henb__in_enum(p->enums, v, len)) {
				return CWMP_FAULT_INVALID_PARAMETER_VALUE;
			}
		}
		snprintf(canon, canonlen, "%s", v);
		return 0;
	case HENB_DM_UINT:
	case HENB_DM_INT: {
		bool is_signed = p->type == HENB_DM_INT;
		int64_t lo = is_signed ? INT32_MIN : 0, hi = is_signed ? INT32_MAX : UINT32_MAX;
		if (p->min || p->max) {
			lo = p->min;
			hi = p->max;
		}
		/* Lists of numbers (EARFCNDL) are checked item by item and kept as given, minus leading zeros. */
		const char *s = v;
		size_t pos = 0;
		if (len > max && (p->flags & HENB_DM_LIST))
			return CWMP_FAULT_INVALID_PARAMETER_VALUE;
		if (!*s && !(p->flags & HENB_DM_LIST))
			return CWMP_FAULT_INVALID_PARAMETER_VALUE;
		canon[0] = '\0';
		while (*s) {
			size_t n = (p->flags & HENB_DM_LIST) ? strcspn(s, ",") : len;
			int64_t x;
			if (!henb__int_item(s, n, is_signed, lo, hi, &x))
				return CWMP_FAULT_INVALID_PARAMETER_VALUE;
			int w = snprintf(canon + pos, canonlen > pos ? canonlen - pos : 0, "%s%lld", pos ? "," : "",
					 (long long)x);
			if (w < 0 || (size_t)w >= canonlen - pos)
				return CWMP_FAULT_INVALID_PARAMETER_VALUE;
			pos += (size_t)w;
			s += n;
			if (*s == ',') {
				s++;
				if (!*s)
					return CWMP_FAULT_INVALID_PARAMETER_VALUE;
			}
		}
		return 0;
	}
	case HENB_DM_BOOL:
		if (strcmp(v, "true") == 0 || strcmp(v, "1") == 0) {
			snprintf(canon, canonlen, "true");
			return 0;
		}
		if (strcmp(v, "false") == 0 || strcmp(v, "0") == 0) {
			snprintf(canon, canonlen, "false");
			return 0;
		}
		return CWMP_FAULT_INVALID_PARAMETER_VALUE;
	case HENB_DM_DATETIME:
		if (!henb__dm_datetime_ok(v))
			return CWMP_FAULT_INVALID_PARAMETER_VALUE;
		snprintf(canon, canonlen, "%s", v);
		return 0;
	}
	return CWMP_FAULT_INVALID_PARAMETER_VALUE;
}

void henb__dm_type_default(enum henb_dm_type t, char *out, size_t outlen)
{
	switch (t) {
	case HENB_DM_UINT:
	case HENB_DM_INT: snprintf(out, outlen, "0"); break;
	case HENB_DM_BOOL: snprintf(out, outlen, "false"); break;
	case HENB_DM_DATETIME: snprintf(out, outlen, "%s", HENB_DM_UNKNOWN_TIME); break;
	default: snprintf(out, outlen, "%s", ""); break;
	}
}
