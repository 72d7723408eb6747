/* roles.c: initial HeMS hand-over by assignment rules, emergency HeMS re-imaging entry. */
#include "hems/roles.h"

#include <fnmatch.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "common/alloc.h"
#include "common/buf.h"
#include "common/err.h"
#include "common/file.h"
#include "common/log.h"
#include "hems/notify.h"
#include "hems/remediation.h"
#include "store/store.h"

#define LF_MAX_ASSIGN 256

/* One assignment rule: devices matching product class and serial globs go to a serving HeMS. */
struct lf__assign {
	char product_class[64]; /* glob */
	char serial[64];        /* glob */
	char url[256];          /* serving HeMS ManagementServer.URL */
	char segw[64];          /* SecGWServer1; "" = leave */
	char s1[256];           /* S1SigLinkServerList (HeNB-GW / MME); "" = leave */
	unsigned line;
};

struct hems_roles {
	enum hems_role role;
	struct lf__assign rules[LF_MAX_ASSIGN];
	int n;
};

const char *hems_role_name(enum hems_role r)
{
	return r == HEMS_ROLE_INITIAL ? "initial" : r == HEMS_ROLE_EMERGENCY ? "emergency" : "serving";
}

int hems_roles_serving(const struct hems *h)
{
	return h->roles && h->roles->role == HEMS_ROLE_SERVING;
}

/* "assign product_class=GLOB serial=GLOB url=URL [segw=ADDR] [s1=LIST]" */
static int lf__parse_rule(struct lf__assign *a, char *line, char *why, size_t whylen)
{
	snprintf(a->product_class, sizeof(a->product_class), "*");
	snprintf(a->serial, sizeof(a->serial), "*");
	char *save = NULL;
	char *tok = strtok_r(line, " \t", &save);
	if (!tok || strcmp(tok, "assign") != 0) {
		snprintf(why, whylen, "expected 'assign key=value ...'");
		return LF_EINVAL;
	}
	while ((tok = strtok_r(NULL, " \t", &save))) {
		char *eq = strchr(tok, '=');
		if (!eq) {
			snprintf(why, whylen, "expected key=value, got '%s'", tok);
			return LF_EINVAL;
		}
		*eq = '\0';
		const char *v = eq + 1;
		struct {
			const char *k;
			char *dst;
			size_t size;
		} f[] = {{"product_class", a->product_class, sizeof(a->product_class)},
			 {"serial", a->serial, sizeof(a->serial)},
			 {"url", a->url, sizeof(a->url)},
			 {"segw", a->segw, sizeof(a->segw)},
			 {"s1", a->s1, sizeof(a->s1)}};
		size_t i = 0;
		while (i < 5 && strcmp(f[i].k, tok) != 0)
			i++;
		if (i == 5) {
			snprintf(why, whylen, "unknown key '%s' (product_class, serial, url, segw, s1)", tok);
			return LF_EINVAL;
		}
		if (strlen(v) >= f[i].size) {
			snprintf(why, whylen, "value of '%s' too long", tok);
			return LF_EINVAL;
		}
		snprintf(f[i].dst, f[i].size, "%s", v);
	}
	if (strncmp(a->url, "http://", 7) != 0 && strncmp(a->url, "https://", 8) != 0) {
		snprintf(why, whylen, "url must be the serving HeMS's http:// or https:// CWMP URL");
		return LF_EINVAL;
	}
	return LF_OK;
}

int hems_roles_init(struct hems *h, char *err, size_t errlen)
{
	struct hems_roles *r = lf_calloc(1, sizeof(*r));
	const char *role = h->cfg.role;
	if (!role[0] || strcmp(role, "serving") == 0)
		r->role = HEMS_ROLE_SERVING;
	else if (strcmp(role, "initial") == 0)
		r->role = HEMS_ROLE_INITIAL;
	else if (strcmp(role, "emergency") == 0)
		r->role = HEMS_ROLE_EMERGENCY;
	else {
		snprintf(err, errlen, "hemsd.role '%s' is not serving, initial or emergency", role);
		lf_free(r);
		return LF_EINVAL;
	}
	h->roles = r;
	if (r->role != HEMS_ROLE_INITIAL)
		return LF_OK;
	if (!h->cfg.assignments[0]) {
		snprintf(err, errlen, "hemsd.role = initial needs hemsd.assignments (a file of assign rules)");
		return LF_EINVAL;
	}
	struct lf_buf b;
	lf_buf_init(&b, 1024 * 1024);
	int result = lf_file_read(h->cfg.assignments, &b);
	if (result) {
		snprintf(err, errlen, "%s: cannot read: %s", h->cfg.assignments, lf_strerror(result));
		lf_buf_free(&b);
		return result;
	}
	unsigned lineno = 0;
	char *text = b.data ? b.data : (char *)"";
	for (char *save = NULL, *l = strtok_r(text, "\n", &save); l; l = strtok_r(NULL, "\n", &save)) {
		char why[256];
		lineno++;
		while (*l == ' ' || *l == '\t')
			l++;
		if (!*l || *l == '#')
			continue;
		if (r->n == LF_MAX_ASSIGN) {
			snprintf(err, errlen, "%s:%u: more than %d rules", h->cfg.assignments, lineno, LF_MAX_ASSIGN);
			result = LF_EINVAL;
			break;
		}
		r->rules[r->n].line = lineno;
		if (lf__parse_rule(&r->rules[r->n], l, why, sizeof(why))) {
			snprintf(err, errlen, "%s:%u: %s", h->cfg.assignments, lineno, why);
			result = LF_EINVAL;
			break;
		}
		r->n++;
	}
	lf_buf_free(&b);
	if (!result && r->n == 0) {
		snprintf(err, errlen, "%s: no assign rule", h->cfg.assignments);
		result = LF_EINVAL;
	}
	return result;
}

void hems_roles_free(struct hems *h)
{
	lf_free_ptr(&h->roles);
}

static int lf__has_event(const struct cwmp_inform *in, const char *code)
{
	for (size_t i = 0; i < in->n_events; i++)
		if (strcmp(in->events[i].code, code) == 0)
			return 1;
	return 0;
}

static int lf__emergency_event(const struct cwmp_inform *in)
{
	for (size_t i = 0; i < in->n_events; i++)
		if (strncmp(in->events[i].code, "X ", 2) == 0 && strstr(in->events[i].code, " EMERGENCY"))
			return 1;
	return 0;
}

/* Initial role: hand the device over to its serving HeMS. */
static void lf__hand_over(struct hems *h, const char *device_id, const struct cwmp_inform *in)
{
	const struct hems_roles *r = h->roles;
	const char *pc = in->device_id.product_class ? in->device_id.product_class : "";
	const char *sn = in->device_id.serial_number ? in->device_id.serial_number : "";
	const struct lf__assign *a = NULL;
	for (int i = 0; i < r->n && !a; i++)
		if (fnmatch(r->rules[i].product_class, pc, 0) == 0 && fnmatch(r->rules[i].serial, sn, 0) == 0)
			a = &r->rules[i];
	if (!a) {
		lf_warn("assignment_none", "device=%s product_class=\"%s\" serial=%s", device_id, pc, sn);
		return;
	}
	json_t *vals = json_array();
	json_array_append_new(vals, json_pack("{s:s, s:s}", "name", "Device.ManagementServer.URL", "value", a->url));
	if (a->segw[0])
		json_array_append_new(vals, json_pack("{s:s, s:s}", "name",
						      "Device.Services.FAPService.1.FAPControl.LTE.Gateway.SecGWServer1",
						      "value", a->segw));
	if (a->s1[0])
		json_array_append_new(vals,
				      json_pack("{s:s, s:s}", "name",
						"Device.Services.FAPService.1.FAPControl.LTE.Gateway.S1SigLinkServerList",
						"value", a->s1));
	json_t *task =
	    json_pack("{s:o, s:s, s:s}", "values", vals, "parameterKey", "initial-hems", "_purpose", "hand-over");
	char *args = json_dumps(task, JSON_COMPACT);
	json_decref(task);
	int64_t id = 0;
	store_begin(h->store);
	int failed = store_task_add(h->store, device_id, "SetParameterValues", args, (int64_t)time(NULL), &id) != LF_OK;
	if (!failed)
		hems_notify_device(h, "notifyDeviceAssigned", device_id,
				   json_pack("{s:s, s:s, s:s, s:i}", "servingHeMS", a->url, "segw", a->segw, "s1", a->s1,
					     "rule", (int)a->line));
	store_end(h->store, failed);
	free(args);
	lf_info("assignment", "device=%s serving=%s segw=%s rule_line=%u task=%lld", device_id, a->url, a->segw,
		a->line, (long long)id);
}

void hems_roles_on_inform(struct hems *h, const char *device_id, const struct cwmp_inform *in)
{
	if (!h->roles)
		return;
	if (h->roles->role == HEMS_ROLE_INITIAL && lf__has_event(in, "0 BOOTSTRAP"))
		lf__hand_over(h, device_id, in);
	if (lf__emergency_event(in))
		lf_warn("emergency_inform", "device=%s role=%s", device_id, hems_role_name(h->roles->role));
}

void hems_roles_on_request_download(struct hems *h, const char *device_id, const char *file_type)
{
	if (!h->roles || h->roles->role != HEMS_ROLE_EMERGENCY) {
		lf_info("request_download_ignored", "device=%s file_type=\"%s\" role=%s", device_id, file_type,
			h->roles ? hems_role_name(h->roles->role) : "serving");
		return;
	}
	if (strcmp(file_type, "1 Firmware Upgrade Image") != 0) {
		lf_warn("request_download_refused", "device=%s file_type=\"%s\"", device_id, file_type);
		return;
	}
	hems_remediation_emergency(h, device_id, "RequestDownload of a firmware image from a failsafe HeNB");
}
