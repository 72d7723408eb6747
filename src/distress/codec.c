/* codec.c: distress channel payloads: table-driven TLV encoder and decoder over fixed-size structures
 * (docs/protocol/distress-channel.md sections 6 and 7). */
#include "distress/codec.h"

#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "common/err.h"
#include "common/random.h"

/* ---------------------------------------------------------------- field tables */

enum lf__fk {
	FK_U8, /* uint, at most maxval */
	FK_U32,
	FK_U64,
	FK_STR,     /* printable UTF-8 */
	FK_TEXT,    /* UTF-8 that may also hold TAB, LF, CR */
	FK_BYTES32, /* exactly 32 octets; aux = offset of the int "has" flag */
	FK_ALARM,   /* group: struct distress_alarm */
	FK_PARAM,   /* group: struct distress_param */
};

struct lf__field {
	uint8_t tag;
	uint8_t kind;     /* enum lf__fk */
	uint8_t required; /* must be on the wire (strings: non-empty) */
	uint16_t repeat;  /* 0: single; else the most occurrences (aux = offset of the size_t count) */
	const char *name; /* for errors */
	size_t off;       /* the value, or the first element of an array */
	size_t size;      /* strings: array size (limit + 1); repeated: element stride */
	size_t aux;
	uint64_t maxval; /* integers */
};

#define M(type, member) offsetof(type, member), sizeof(((type *)0)->member)
#define F_STR(tag, name, type, member, req)                                                                            \
	{                                                                                                              \
		tag, FK_STR, req, 0, name, M(type, member), 0, 0                                                       \
	}
#define F_TEXT(tag, name, type, member)                                                                                \
	{                                                                                                              \
		tag, FK_TEXT, 0, 0, name, M(type, member), 0, 0                                                        \
	}
#define F_INT(tag, kind, name, type, member, req, max)                                                                 \
	{                                                                                                              \
		tag, kind, req, 0, name, offsetof(type, member), 0, 0, max                                             \
	}
#define F_STRS(tag, name, type, member, count, n)                                                                      \
	{                                                                                                              \
		tag, FK_STR, 0, n, name, offsetof(type, member), sizeof(((type *)0)->member[0]),                       \
		    offsetof(type, count), 0                                                                           \
	}
#define F_GROUP(tag, kind, name, type, member, count, n)                                                               \
	{                                                                                                              \
		tag, kind, 0, n, name, offsetof(type, member), sizeof(((type *)0)->member[0]), offsetof(type, count),  \
		    0                                                                                                  \
	}

static const struct lf__field lf__alarm_fields[] = {
    F_STR(0x01, "AlarmIdentifier", struct distress_alarm, alarm_identifier, 1),
    F_STR(0x02, "EventTime", struct distress_alarm, event_time, 0),
    F_INT(0x03, FK_U8, "NotificationType", struct distress_alarm, notification, 0, DISTRESS_NOTIF_MAX),
    F_STR(0x04, "ManagedObjectInstance", struct distress_alarm, managed_object, 0),
    F_STR(0x05, "EventType", struct distress_alarm, event_type, 1),
    F_STR(0x06, "ProbableCause", struct distress_alarm, probable_cause, 1),
    F_STR(0x07, "SpecificProblem", struct distress_alarm, specific_problem, 0),
    F_INT(0x08, FK_U8, "PerceivedSeverity", struct distress_alarm, severity, 1, DISTRESS_SEV_MAX),
    F_TEXT(0x09, "AdditionalText", struct distress_alarm, additional_text),
    F_TEXT(0x0A, "AdditionalInformation", struct distress_alarm, additional_info),
};

static const struct lf__field lf__param_fields[] = {
    F_STR(0x01, "name", struct distress_param, name, 1),
    F_TEXT(0x02, "value", struct distress_param, value),
    F_STR(0x03, "type", struct distress_param, type, 0),
};

static const struct lf__field lf__inform_fields[] = {
    F_STR(0x01, "device id", struct distress_inform, device_id, 1),
    F_INT(0x02, FK_U8, "reason", struct distress_inform, reason, 1, DISTRESS_REASON_MAX),
    F_TEXT(0x03, "reason text", struct distress_inform, reason_text),
    F_STRS(0x04, "event", struct distress_inform, events, n_events, DISTRESS_MAX_EVENTS),
    F_STR(0x05, "software version", struct distress_inform, software_version, 0),
    F_STR(0x06, "hardware version", struct distress_inform, hardware_version, 0),
    F_STR(0x07, "trigger address", struct distress_inform, trigger_address, 0),
    F_INT(0x08, FK_U32, "standard failures", struct distress_inform, standard_failures, 0, UINT32_MAX),
    F_GROUP(0x09, FK_ALARM, "alarm", struct distress_inform, alarms, n_alarms, DISTRESS_MAX_ALARMS),
    F_GROUP(0x0A, FK_PARAM, "parameter", struct distress_inform, params, n_params, DISTRESS_MAX_INFORM_PARAMS),
};

static const struct lf__field lf__welcome_fields[] = {
    F_INT(0x01, FK_U64, "session id", struct distress_welcome, session_id, 1, UINT64_MAX),
    F_INT(0x02, FK_U32, "pending", struct distress_welcome, pending, 0, UINT32_MAX),
    F_INT(0x03, FK_U64, "server time", struct distress_welcome, server_time, 0, UINT64_MAX),
    F_INT(0x04, FK_U32, "poll interval", struct distress_welcome, poll_interval, 0, UINT32_MAX),
    F_INT(0x05, FK_U32, "session timeout", struct distress_welcome, session_timeout, 0, UINT32_MAX),
};

static const struct lf__field lf__poll_fields[] = {
    F_INT(0x01, FK_U64, "session id", struct distress_poll, session_id, 1, UINT64_MAX),
};

static const struct lf__field lf__action_fields[] = {
    F_INT(0x01, FK_U64, "action id", struct distress_action, id, 1, UINT64_MAX),
    F_INT(0x02, FK_U8, "kind", struct distress_action, kind, 1, DISTRESS_KIND_MAX),
    F_STR(0x03, "command key", struct distress_action, command_key, 0),
    F_STR(0x04, "URL", struct distress_action, url, 0),
    F_INT(0x05, FK_U64, "file size", struct distress_action, file_size, 0, UINT64_MAX),
    {0x06, FK_BYTES32, 0, 0, "SHA-256", offsetof(struct distress_action, sha256), 32,
     offsetof(struct distress_action, has_sha256), 0},
    F_STR(0x07, "file type", struct distress_action, file_type, 0),
    F_STRS(0x08, "name", struct distress_action, names, n_names, DISTRESS_MAX_NAMES),
    F_INT(0x09, FK_U32, "pending", struct distress_action, pending, 0, UINT32_MAX),
    F_INT(0x0A, FK_U32, "retry after", struct distress_action, retry_after, 0, UINT32_MAX),
    F_STR(0x0B, "target version", struct distress_action, target_version, 0),
};

static const struct lf__field lf__result_fields[] = {
    F_INT(0x01, FK_U64, "session id", struct distress_result, session_id, 1, UINT64_MAX),
    F_INT(0x02, FK_U64, "action id", struct distress_result, action_id, 1, UINT64_MAX),
    F_INT(0x03, FK_U8, "status", struct distress_result, status, 1, DISTRESS_STATUS_MAX),
    F_INT(0x04, FK_U32, "fault code", struct distress_result, fault_code, 0, UINT32_MAX),
    F_TEXT(0x05, "fault string", struct distress_result, fault_string),
    F_GROUP(0x06, FK_PARAM, "parameter", struct distress_result, params, n_params, DISTRESS_MAX_PARAMS),
    F_STR(0x07, "diagnostic state", struct distress_result, diag_state, 0),
    F_TEXT(0x08, "diagnostic results", struct distress_result, diag_results),
    F_STR(0x09, "software version", struct distress_result, software_version, 0),
    F_STR(0x0A, "start time", struct distress_result, start_time, 0),
    F_STR(0x0B, "complete time", struct distress_result, complete_time, 0),
    F_STRS(0x0C, "event", struct distress_result, events, n_events, DISTRESS_MAX_EVENTS),
    F_GROUP(0x0D, FK_ALARM, "alarm", struct distress_result, alarms, n_alarms, DISTRESS_MAX_ALARMS),
};

static const struct lf__field lf__ack_fields[] = {
    F_INT(0x01, FK_U32, "pending", struct distress_ack, pending, 0, UINT32_MAX),
};

#define LF_N(a) (sizeof(a) / sizeof((a)[0]))

/* One message type: its code, name and fields. */
struct lf__msg {
	uint8_t type;
	const char *name;
	const struct lf__field *fields;
	size_t n;
};

static const struct lf__msg lf__inform = {DISTRESS_MSG_INFORM, "INFORM", lf__inform_fields, LF_N(lf__inform_fields)};
static const struct lf__msg lf__welcome = {DISTRESS_MSG_WELCOME, "WELCOME", lf__welcome_fields,
                                           LF_N(lf__welcome_fields)};
static const struct lf__msg lf__poll = {DISTRESS_MSG_POLL, "POLL", lf__poll_fields, LF_N(lf__poll_fields)};
static const struct lf__msg lf__action = {DISTRESS_MSG_ACTION, "ACTION", lf__action_fields, LF_N(lf__action_fields)};
static const struct lf__msg lf__result = {DISTRESS_MSG_RESULT, "RESULT", lf__result_fields, LF_N(lf__result_fields)};
static const struct lf__msg lf__ack = {DISTRESS_MSG_ACK, "ACK", lf__ack_fields, LF_N(lf__ack_fields)};

static void lf__err(char *err, size_t errlen, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

static void lf__err(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;
	if (!err || !errlen)
		return;
	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
}

/* ---------------------------------------------------------------- value checks */

/* UTF-8 without overlong forms, surrogates or code points over U+10FFFF (RFC 3629); no NUL; control
 * characters only TAB, LF, CR and only when text. Returns NULL or what is wrong. */
static const char *lf__check_utf8(const uint8_t *s, size_t n, int text)
{
	size_t i = 0;
	while (i < n) {
		uint8_t c = s[i];
		if (c < 0x80) {
			if (c == 0)
				return "NUL byte";
			if ((c < 0x20 || c == 0x7f) && !(text && (c == '\t' || c == '\n' || c == '\r')))
				return "control character";
			i++;
			continue;
		}
		size_t more;
		uint32_t cp, min;
		if (c >= 0xc2 && c <= 0xdf) {
			more = 1, cp = c & 0x1f, min = 0x80;
		} else if (c >= 0xe0 && c <= 0xef) {
			more = 2, cp = c & 0x0f, min = 0x800;
		} else if (c >= 0xf0 && c <= 0xf4) {
			more = 3, cp = c & 0x07, min = 0x10000;
		} else {
			return "invalid UTF-8";
		}
		if (n - i - 1 < more)
			return "truncated UTF-8";
		for (size_t k = 1; k <= more; k++) {
			if ((s[i + k] & 0xc0) != 0x80)
				return "invalid UTF-8";
			cp = (cp << 6) | (s[i + k] & 0x3f);
		}
		if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
			return "invalid UTF-8";
		i += more + 1;
	}
	return NULL;
}

/* ---------------------------------------------------------------- decoding */

struct lf__dctx {
	const char *msg;   /* message name, for errors */
	const char *group; /* "alarm 2" inside a group, else NULL */
	char *err;
	size_t errlen;
};

static int lf__fail(const struct lf__dctx *d, const struct lf__field *f, unsigned tag, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static int lf__fail(const struct lf__dctx *d, const struct lf__field *f, unsigned tag, const char *fmt, ...)
{
	char what[160];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	if (f)
		lf__err(d->err, d->errlen, "%s%s%s tag 0x%02x (%s): %s", d->msg, d->group ? " " : "",
		        d->group ? d->group : "", tag, f->name, what);
	else
		lf__err(d->err, d->errlen, "%s%s%s: %s", d->msg, d->group ? " " : "", d->group ? d->group : "", what);
	return LF_EPARSE;
}

static const struct lf__field *lf__field_of(const struct lf__field *fields, size_t n, uint8_t tag)
{
	for (size_t i = 0; i < n; i++)
		if (fields[i].tag == tag)
			return &fields[i];
	return NULL;
}

static int lf__decode_fields(const struct lf__dctx *d, const struct lf__field *fields, size_t nf, const uint8_t *p,
                             size_t len, void *base);

static int lf__decode_value(const struct lf__dctx *d, const struct lf__field *f, const uint8_t *v, size_t n, void *base)
{
	char *b = base;
	switch (f->kind) {
	case FK_U8:
	case FK_U32:
	case FK_U64: {
		uint64_t x = 0;
		if (n < 1 || n > 8)
			return lf__fail(d, f, f->tag, "integer of %zu bytes (1 to 8)", n);
		for (size_t i = 0; i < n; i++)
			x = (x << 8) | v[i];
		if (x > f->maxval)
			return lf__fail(d, f, f->tag, "value %llu over %llu", (unsigned long long)x,
			                (unsigned long long)f->maxval);
		if (f->kind == FK_U8)
			*(uint8_t *)(b + f->off) = (uint8_t)x;
		else if (f->kind == FK_U32)
			*(uint32_t *)(b + f->off) = (uint32_t)x;
		else
			*(uint64_t *)(b + f->off) = x;
		return LF_OK;
	}
	case FK_STR:
	case FK_TEXT: {
		size_t i = 0;
		size_t size = f->size;
		char *dst = b + f->off;
		if (f->repeat) {
			size_t *count = (size_t *)(b + f->aux);
			i = *count;
			dst = b + f->off + i * f->size;
		}
		if (n + 1 > size)
			return lf__fail(d, f, f->tag, "%zu bytes, over %zu", n, size - 1);
		const char *bad = lf__check_utf8(v, n, f->kind == FK_TEXT);
		if (bad)
			return lf__fail(d, f, f->tag, "%s", bad);
		memcpy(dst, v, n);
		dst[n] = '\0';
		if (f->repeat)
			*(size_t *)(b + f->aux) = i + 1;
		return LF_OK;
	}
	case FK_BYTES32:
		if (n != 32)
			return lf__fail(d, f, f->tag, "%zu bytes, must be 32", n);
		memcpy(b + f->off, v, 32);
		*(int *)(b + f->aux) = 1;
		return LF_OK;
	case FK_ALARM:
	case FK_PARAM: {
		size_t *count = (size_t *)(b + f->aux);
		char label[32];
		snprintf(label, sizeof(label), "%s %zu", f->name, *count + 1);
		struct lf__dctx sub = {d->msg, label, d->err, d->errlen};
		void *elem = b + f->off + *count * f->size;
		int result = f->kind == FK_ALARM
		                 ? lf__decode_fields(&sub, lf__alarm_fields, LF_N(lf__alarm_fields), v, n, elem)
		                 : lf__decode_fields(&sub, lf__param_fields, LF_N(lf__param_fields), v, n, elem);
		if (result)
			return result;
		*count += 1;
		return LF_OK;
	}
	}
	return lf__fail(d, f, f->tag, "internal: unknown field kind");
}

/* One pass over the TLVs of p[0..len): each known tag into base, elective unknown tags skipped. */
static int lf__decode_fields(const struct lf__dctx *d, const struct lf__field *fields, size_t nf, const uint8_t *p,
                             size_t len, void *base)
{
	uint32_t seen = 0; /* one bit per field index (tables have fewer than 32 fields) */
	size_t pos = 0;
	while (pos < len) {
		uint8_t tag = p[pos++];
		if (tag == 0 || tag >= 0x80)
			return lf__fail(d, NULL, tag, "invalid tag 0x%02x at byte %zu", tag, pos - 1);
		if (pos >= len)
			return lf__fail(d, NULL, tag, "tag 0x%02x without a length", tag);
		size_t n = p[pos++];
		if (n >= 0x80) {
			if (pos >= len)
				return lf__fail(d, NULL, tag, "tag 0x%02x: truncated two-byte length", tag);
			n = ((n & 0x7f) << 8) | p[pos++];
			if (n < 0x80)
				return lf__fail(d, NULL, tag, "tag 0x%02x: length %zu in the two-byte form", tag, n);
		}
		if (n > len - pos)
			return lf__fail(d, NULL, tag, "tag 0x%02x: value of %zu bytes runs past the end (%zu left)",
			                tag, n, len - pos);
		const uint8_t *v = p + pos;
		pos += n;
		const struct lf__field *f = lf__field_of(fields, nf, tag);
		if (!f) {
			if (tag >= 0x40)
				continue; /* elective: a later minor version's field */
			return lf__fail(d, NULL, tag, "unknown critical tag 0x%02x", tag);
		}
		uint32_t bit = 1u << (f - fields);
		if (f->repeat) {
			if (*(size_t *)((char *)base + f->aux) >= f->repeat)
				return lf__fail(d, f, tag, "more than %u", (unsigned)f->repeat);
		} else if (seen & bit) {
			return lf__fail(d, f, tag, "given twice");
		}
		if (f->kind == FK_ALARM || f->kind == FK_PARAM) {
			if (d->group)
				return lf__fail(d, f, tag, "group inside a group");
		}
		int result = lf__decode_value(d, f, v, n, base);
		if (result)
			return result;
		seen |= bit;
	}
	for (size_t i = 0; i < nf; i++) {
		const struct lf__field *f = &fields[i];
		if (!f->required)
			continue;
		if (!(seen & (1u << i)))
			return lf__fail(d, f, f->tag, "required, missing");
		if ((f->kind == FK_STR || f->kind == FK_TEXT) && ((char *)base)[f->off] == '\0')
			return lf__fail(d, f, f->tag, "required, empty");
	}
	return LF_OK;
}

static int lf__decode(const struct lf__msg *m, const uint8_t *p, size_t len, void *base, size_t size, char *err,
                      size_t errlen)
{
	struct lf__dctx d = {m->name, NULL, err, errlen};
	memset(base, 0, size);
	if (len > DISTRESS_MAX_MESSAGE) {
		lf__err(err, errlen, "%s: %zu bytes, over %d", m->name, len, DISTRESS_MAX_MESSAGE);
		return LF_ETOOBIG;
	}
	if (len < 2)
		return lf__fail(&d, NULL, 0, "%zu bytes, shorter than the 2-byte header", len);
	if (p[0] != DISTRESS_VERSION)
		return lf__fail(&d, NULL, 0, "version %u, expected %d", p[0], DISTRESS_VERSION);
	if (p[1] != m->type)
		return lf__fail(&d, NULL, 0, "message type %u, expected %u", p[1], m->type);
	return lf__decode_fields(&d, m->fields, m->n, p + 2, len - 2, base);
}

/* ---------------------------------------------------------------- semantic checks (both directions) */

static int lf__check_alarms(const char *msg, const struct distress_alarm *a, size_t n, char *err, size_t errlen)
{
	for (size_t i = 0; i < n; i++)
		if (!a[i].alarm_identifier[0] || !a[i].event_type[0] || !a[i].probable_cause[0]) {
			lf__err(err, errlen, "%s alarm %zu: AlarmIdentifier, EventType and ProbableCause are required",
			        msg, i + 1);
			return LF_EINVAL;
		} else if (a[i].notification > DISTRESS_NOTIF_MAX || a[i].severity > DISTRESS_SEV_MAX) {
			lf__err(err, errlen, "%s alarm %zu: NotificationType or PerceivedSeverity out of range", msg,
			        i + 1);
			return LF_EINVAL;
		}
	return LF_OK;
}

static int lf__check_params(const char *msg, const struct distress_param *p, size_t n, char *err, size_t errlen)
{
	for (size_t i = 0; i < n; i++)
		if (!p[i].name[0]) {
			lf__err(err, errlen, "%s parameter %zu: name is required", msg, i + 1);
			return LF_EINVAL;
		}
	return LF_OK;
}

static int lf__check_inform(const struct distress_inform *m, char *err, size_t errlen)
{
	if (!m->device_id[0]) {
		lf__err(err, errlen, "INFORM: device id is required");
		return LF_EINVAL;
	}
	if (m->reason > DISTRESS_REASON_MAX) {
		lf__err(err, errlen, "INFORM: reason %u out of range", m->reason);
		return LF_EINVAL;
	}
	int result = lf__check_alarms("INFORM", m->alarms, m->n_alarms, err, errlen);
	return result ? result : lf__check_params("INFORM", m->params, m->n_params, err, errlen);
}

static int lf__check_session(const char *msg, uint64_t id, char *err, size_t errlen)
{
	if (id == 0) {
		lf__err(err, errlen, "%s: session id 0 is not a session", msg);
		return LF_EINVAL;
	}
	return LF_OK;
}

static int lf__check_action(const struct distress_action *m, char *err, size_t errlen)
{
	if (m->kind > DISTRESS_KIND_MAX) {
		lf__err(err, errlen, "ACTION: kind %u out of range", m->kind);
		return LF_EINVAL;
	}
	if ((m->kind == DISTRESS_KIND_NONE) != (m->id == 0)) {
		lf__err(err, errlen, "ACTION: action id %llu with kind %s (id 0 goes with kind none only)",
		        (unsigned long long)m->id, distress_kind_name(m->kind));
		return LF_EINVAL;
	}
	if (m->kind == DISTRESS_KIND_DOWNLOAD && (!m->url[0] || m->file_size == 0 || !m->has_sha256)) {
		lf__err(err, errlen, "ACTION %llu download: URL, file size and SHA-256 are required",
		        (unsigned long long)m->id);
		return LF_EINVAL;
	}
	if (m->kind == DISTRESS_KIND_GET && m->n_names == 0) {
		lf__err(err, errlen, "ACTION %llu get: at least one name is required", (unsigned long long)m->id);
		return LF_EINVAL;
	}
	return LF_OK;
}

static int lf__check_result(const struct distress_result *m, char *err, size_t errlen)
{
	int result = lf__check_session("RESULT", m->session_id, err, errlen);
	if (result)
		return result;
	if (m->action_id == 0) {
		lf__err(err, errlen, "RESULT: action id 0 is not an action");
		return LF_EINVAL;
	}
	if (m->status > DISTRESS_STATUS_MAX) {
		lf__err(err, errlen, "RESULT: status %u out of range", m->status);
		return LF_EINVAL;
	}
	if (m->status == DISTRESS_STATUS_FAILED && m->fault_code == 0) {
		lf__err(err, errlen, "RESULT %llu: a failed action needs a fault code",
		        (unsigned long long)m->action_id);
		return LF_EINVAL;
	}
	result = lf__check_alarms("RESULT", m->alarms, m->n_alarms, err, errlen);
	return result ? result : lf__check_params("RESULT", m->params, m->n_params, err, errlen);
}

/* A semantic refusal found after a clean decode is a parse error of the received payload. */
static int lf__as_parse(int result)
{
	return result ? LF_EPARSE : LF_OK;
}

int distress_inform_decode(const uint8_t *p, size_t len, struct distress_inform *m, char *err, size_t errlen)
{
	int result = lf__decode(&lf__inform, p, len, m, sizeof(*m), err, errlen);
	return result ? result : lf__as_parse(lf__check_inform(m, err, errlen));
}

int distress_welcome_decode(const uint8_t *p, size_t len, struct distress_welcome *m, char *err, size_t errlen)
{
	int result = lf__decode(&lf__welcome, p, len, m, sizeof(*m), err, errlen);
	return result ? result : lf__as_parse(lf__check_session("WELCOME", m->session_id, err, errlen));
}

int distress_poll_decode(const uint8_t *p, size_t len, struct distress_poll *m, char *err, size_t errlen)
{
	int result = lf__decode(&lf__poll, p, len, m, sizeof(*m), err, errlen);
	return result ? result : lf__as_parse(lf__check_session("POLL", m->session_id, err, errlen));
}

int distress_action_decode(const uint8_t *p, size_t len, struct distress_action *m, char *err, size_t errlen)
{
	int result = lf__decode(&lf__action, p, len, m, sizeof(*m), err, errlen);
	return result ? result : lf__as_parse(lf__check_action(m, err, errlen));
}

int distress_result_decode(const uint8_t *p, size_t len, struct distress_result *m, char *err, size_t errlen)
{
	int result = lf__decode(&lf__result, p, len, m, sizeof(*m), err, errlen);
	return result ? result : lf__as_parse(lf__check_result(m, err, errlen));
}

int distress_ack_decode(const uint8_t *p, size_t len, struct distress_ack *m, char *err, size_t errlen)
{
	return lf__decode(&lf__ack, p, len, m, sizeof(*m), err, errlen);
}

int distress_msg_type(const uint8_t *p, size_t len)
{
	if (len < 2 || p[0] != DISTRESS_VERSION)
		return -1;
	return p[1];
}

/* ---------------------------------------------------------------- encoding */

/* A writer that counts past its capacity, so a first pass with out == NULL sizes a group. */
struct lf__w {
	uint8_t *out;
	size_t cap;
	size_t len;
};

static void lf__put(struct lf__w *w, const void *p, size_t n)
{
	if (w->out && w->len + n <= w->cap && n)
		memcpy(w->out + w->len, p, n);
	w->len += n;
}

static void lf__put_tl(struct lf__w *w, uint8_t tag, size_t n)
{
	uint8_t h[3] = {tag, 0, 0};
	if (n < 0x80) {
		h[1] = (uint8_t)n;
		lf__put(w, h, 2);
	} else {
		h[1] = (uint8_t)(0x80 | (n >> 8));
		h[2] = (uint8_t)(n & 0xff);
		lf__put(w, h, 3);
	}
}

static void lf__put_uint(struct lf__w *w, uint8_t tag, uint64_t x)
{
	uint8_t b[8];
	size_t n = 0;
	do {
		b[7 - n++] = (uint8_t)(x & 0xff);
		x >>= 8;
	} while (x);
	lf__put_tl(w, tag, n);
	lf__put(w, b + 8 - n, n);
}

static int lf__encode_fields(const char *msg, const struct lf__field *fields, size_t nf, const void *base,
                             struct lf__w *w, char *err, size_t errlen);

static int lf__encode_str(const char *msg, const struct lf__field *f, const char *s, struct lf__w *w, char *err,
                          size_t errlen)
{
	size_t n = strnlen(s, f->size);
	if (n >= f->size) {
		lf__err(err, errlen, "%s %s: not terminated within %zu bytes", msg, f->name, f->size);
		return LF_EINVAL;
	}
	const char *bad = lf__check_utf8((const uint8_t *)s, n, f->kind == FK_TEXT);
	if (bad) {
		lf__err(err, errlen, "%s %s: %s", msg, f->name, bad);
		return LF_EINVAL;
	}
	lf__put_tl(w, f->tag, n);
	lf__put(w, s, n);
	return LF_OK;
}

static int lf__encode_group(const char *msg, const struct lf__field *f, const void *elem, struct lf__w *w, char *err,
                            size_t errlen)
{
	const struct lf__field *sub = f->kind == FK_ALARM ? lf__alarm_fields : lf__param_fields;
	size_t nsub = f->kind == FK_ALARM ? LF_N(lf__alarm_fields) : LF_N(lf__param_fields);
	struct lf__w probe = {NULL, 0, 0};
	int result = lf__encode_fields(msg, sub, nsub, elem, &probe, err, errlen);
	if (result)
		return result;
	if (probe.len > 0x7fff) {
		lf__err(err, errlen, "%s %s: group of %zu bytes, over 32767", msg, f->name, probe.len);
		return LF_EINVAL;
	}
	lf__put_tl(w, f->tag, probe.len);
	return lf__encode_fields(msg, sub, nsub, elem, w, err, errlen);
}

static int lf__encode_fields(const char *msg, const struct lf__field *fields, size_t nf, const void *base,
                             struct lf__w *w, char *err, size_t errlen)
{
	const char *b = base;
	for (size_t i = 0; i < nf; i++) {
		const struct lf__field *f = &fields[i];
		int result = LF_OK;
		switch (f->kind) {
		case FK_U8:
		case FK_U32:
		case FK_U64: {
			uint64_t x = f->kind == FK_U8    ? *(const uint8_t *)(b + f->off)
			             : f->kind == FK_U32 ? *(const uint32_t *)(b + f->off)
			                                 : *(const uint64_t *)(b + f->off);
			if (x > f->maxval) {
				lf__err(err, errlen, "%s %s: value %llu over %llu", msg, f->name, (unsigned long long)x,
				        (unsigned long long)f->maxval);
				return LF_EINVAL;
			}
			if (x || f->required)
				lf__put_uint(w, f->tag, x);
			break;
		}
		case FK_STR:
		case FK_TEXT:
			if (f->repeat) {
				size_t count = *(const size_t *)(b + f->aux);
				if (count > f->repeat) {
					lf__err(err, errlen, "%s: %zu %ss, over %u", msg, count, f->name,
					        (unsigned)f->repeat);
					return LF_EINVAL;
				}
				for (size_t k = 0; k < count && !result; k++)
					result = lf__encode_str(msg, f, b + f->off + k * f->size, w, err, errlen);
			} else if (b[f->off] || f->required) {
				if (!b[f->off]) {
					lf__err(err, errlen, "%s: %s is required", msg, f->name);
					return LF_EINVAL;
				}
				result = lf__encode_str(msg, f, b + f->off, w, err, errlen);
			}
			break;
		case FK_BYTES32:
			if (*(const int *)(b + f->aux)) {
				lf__put_tl(w, f->tag, 32);
				lf__put(w, b + f->off, 32);
			}
			break;
		case FK_ALARM:
		case FK_PARAM: {
			size_t count = *(const size_t *)(b + f->aux);
			if (count > f->repeat) {
				lf__err(err, errlen, "%s: %zu %ss, over %u", msg, count, f->name, (unsigned)f->repeat);
				return LF_EINVAL;
			}
			for (size_t k = 0; k < count && !result; k++)
				result = lf__encode_group(msg, f, b + f->off + k * f->size, w, err, errlen);
			break;
		}
		}
		if (result)
			return result;
	}
	return LF_OK;
}

static int lf__encode(const struct lf__msg *m, const void *base, uint8_t *out, size_t outlen, size_t *len, char *err,
                      size_t errlen)
{
	uint8_t h[2] = {DISTRESS_VERSION, m->type};
	struct lf__w w = {out, outlen < DISTRESS_MAX_MESSAGE ? outlen : DISTRESS_MAX_MESSAGE, 0};
	lf__put(&w, h, 2);
	int result = lf__encode_fields(m->name, m->fields, m->n, base, &w, err, errlen);
	if (result)
		return result;
	if (w.len > w.cap) {
		lf__err(err, errlen, "%s: %zu bytes, over the %zu available", m->name, w.len, w.cap);
		return LF_ETOOBIG;
	}
	*len = w.len;
	return LF_OK;
}

int distress_inform_encode(const struct distress_inform *m, uint8_t *out, size_t outlen, size_t *len, char *err,
                           size_t errlen)
{
	int result = lf__check_inform(m, err, errlen);
	return result ? result : lf__encode(&lf__inform, m, out, outlen, len, err, errlen);
}

int distress_welcome_encode(const struct distress_welcome *m, uint8_t *out, size_t outlen, size_t *len, char *err,
                            size_t errlen)
{
	int result = lf__check_session("WELCOME", m->session_id, err, errlen);
	return result ? result : lf__encode(&lf__welcome, m, out, outlen, len, err, errlen);
}

int distress_poll_encode(const struct distress_poll *m, uint8_t *out, size_t outlen, size_t *len, char *err,
                         size_t errlen)
{
	int result = lf__check_session("POLL", m->session_id, err, errlen);
	return result ? result : lf__encode(&lf__poll, m, out, outlen, len, err, errlen);
}

int distress_action_encode(const struct distress_action *m, uint8_t *out, size_t outlen, size_t *len, char *err,
                           size_t errlen)
{
	int result = lf__check_action(m, err, errlen);
	return result ? result : lf__encode(&lf__action, m, out, outlen, len, err, errlen);
}

int distress_result_encode(const struct distress_result *m, uint8_t *out, size_t outlen, size_t *len, char *err,
                           size_t errlen)
{
	int result = lf__check_result(m, err, errlen);
	return result ? result : lf__encode(&lf__result, m, out, outlen, len, err, errlen);
}

int distress_ack_encode(const struct distress_ack *m, uint8_t *out, size_t outlen, size_t *len, char *err,
                        size_t errlen)
{
	return lf__encode(&lf__ack, m, out, outlen, len, err, errlen);
}

/* ---------------------------------------------------------------- names and keys */

static const char *const lf__kinds[] = {
    "none", "retry-standard-session", "inform", "reboot", "factory-reset", "download", "get", "diagnostic"};
static const char *const lf__reasons[] = {
    "other", "trigger", "standard-path-failed", "connreq-unserved", "alarm-undeliverable", "resume"};
static const char *const lf__statuses[] = {"success", "failed", "accepted"};
static const char *const lf__notifications[] = {"NewAlarm", "ChangedAlarm", "ClearedAlarm"};
static const char *const lf__severities[] = {"Indeterminate", "Critical", "Major", "Minor", "Warning", "Cleared"};

#define LF_NAME(table, i) ((i) >= 0 && (size_t)(i) < LF_N(table) ? (table)[i] : "?")

const char *distress_kind_name(int kind)
{
	return LF_NAME(lf__kinds, kind);
}

int distress_kind_parse(const char *name)
{
	for (size_t i = 0; i < LF_N(lf__kinds); i++)
		if (strcmp(lf__kinds[i], name) == 0)
			return (int)i;
	return -1;
}

const char *distress_reason_name(int reason)
{
	return LF_NAME(lf__reasons, reason);
}

const char *distress_status_name(int status)
{
	return LF_NAME(lf__statuses, status);
}

const char *distress_notification_name(int n)
{
	return LF_NAME(lf__notifications, n);
}

int distress_notification_parse(const char *s)
{
	for (size_t i = 0; i < LF_N(lf__notifications); i++)
		if (strcasecmp(lf__notifications[i], s) == 0)
			return (int)i;
	return -1;
}

const char *distress_severity_name(int s)
{
	return LF_NAME(lf__severities, s);
}

int distress_severity_parse(const char *s)
{
	for (size_t i = 0; i < LF_N(lf__severities); i++)
		if (strcasecmp(lf__severities[i], s) == 0)
			return (int)i;
	return -1;
}

void distress_key_new(char out[DISTRESS_KEY_HEX + 1])
{
	lf_random_hex(out, DISTRESS_KEY_HEX / 2);
}

int distress_key_valid(const char *s)
{
	size_t n = strnlen(s, DISTRESS_KEY_HEX + 1);
	if (n != DISTRESS_KEY_HEX)
		return 0;
	for (size_t i = 0; i < n; i++)
		if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
			return 0;
	return 1;
}
