/* policy.c: parse and apply the remediation policy (classification rules, ladders, timers, golden config). */
#include "hems/policy.h"

#include <ctype.h>
#include <errno.h>
#include <fnmatch.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "common/buf.h"
#include "common/err.h"
#include "common/file.h"

static const char lf__default_policy[] =
	"# Lifeline default remediation policy: DESIGN.md section 4. Format: docs/policy.md.\n"
	"#\n"
	"# rule PROCEDURE [event_type=\"...\"] [probable_cause=\"...\"] [severity=A,B] [specific_problem=\"glob\"]\n"
	"# The first rule that matches an alarm decides its procedure.\n"
	"rule reload-software event_type=\"Integrity Violation\" probable_cause=\"Information modification detected\""
	" severity=Critical,Major\n"
	"rule reconfigure event_type=\"Integrity Violation\" probable_cause=\"Information modification detected\""
	" severity=Minor,Warning,Indeterminate\n"
	"rule notify-only event_type=\"Security Service or Mechanism Violation\"\n"
	"rule notify-only event_type=\"Operational Violation\" probable_cause=\"Denial of service\"\n"
	"rule diagnose-first event_type=\"Physical Violation\" probable_cause=\"Intrusion detection\"\n"
	"rule fatal event_type=\"Physical Violation\" probable_cause=\"Cable tamper\"\n"
	"rule fatal event_type=\"Physical Violation\" probable_cause=\"Unspecified reason\" severity=Critical\n"
	"rule diagnose-first\n"
	"\n"
	"# Escalation ladders: rungs separated by '|', the steps of a rung by ','.\n"
	"ladder reconfigure = configure | reboot, configure | factory-reset, configure\n"
	"ladder reload-software = download, configure, diagnose | reboot, download, configure, diagnose |"
	" factory-reset, download, configure, diagnose\n"
	"\n"
	"# Seconds a step may take; seconds of extended remediation before 'no communication possible'.\n"
	"timeout step = 300\n"
	"timeout extended = 600\n"
	"\n"
	"# Golden configuration: golden PRODUCT-CLASS NAME = VALUE [TYPE] ('*' = every product class).\n"
	"golden * Device.ManagementServer.PeriodicInformInterval = 3600 xsd:unsignedInt\n"
	"\n"
	"# Approved firmware: firmware PRODUCT-CLASS = FILE (a file registered on the file server).\n";

const char *policy_default_text(void)
{
	return lf__default_policy;
}

static const char *const lf__step_names[POLICY_STEP_COUNT] = {"configure", "reboot", "factory-reset", "download",
							       "diagnose"};

const char *policy_step_name(enum policy_step s)
{
	return (unsigned)s < POLICY_STEP_COUNT ? lf__step_names[s] : "?";
}

/* A tokenizer over one line: words, and key="quoted value" or key=value. */
struct lf__tok {
	const char *p;
};

static void lf__skip(struct lf__tok *t)
{
	while (isspace((unsigned char)*t->p))
		t->p++;
}

/* Next token into out; quotes removed. 0 = none left, -1 = unterminated quote or too long. */
static int lf__next(struct lf__tok *t, char *out, size_t outlen)
{
	size_t n = 0;
	int quoted = 0;
	lf__skip(t);
	if (!*t->p || *t->p == '#')
		return 0;
	while (*t->p && (quoted || !isspace((unsigned char)*t->p))) {
		char c = *t->p++;
		if (c == '"') {
			quoted = !quoted;
			continue;
		}
		if (n + 1 >= outlen)
			return -1;
		out[n++] = c;
	}
	if (quoted)
		return -1;
	out[n] = '\0';
	return 1;
}

static void lf__trim(char *s)
{
	char *e = s + strlen(s);
	while (e > s && isspace((unsigned char)e[-1]))
		*--e = '\0';
	char *b = s;
	while (isspace((unsigned char)*b))
		b++;
	memmove(s, b, strlen(b) + 1);
}

static int lf__rule(struct policy *p, const char *rest, unsigned line, char *why, size_t whylen)
{
	struct lf__tok t = {rest};
	char tok[256];
	if (p->n_rules == POLICY_MAX_RULES) {
		snprintf(why, whylen, "more than %d rules", POLICY_MAX_RULES);
		return LF_EINVAL;
	}
	struct policy_rule *r = &p->rules[p->n_rules];
	memset(r, 0, sizeof(*r));
	r->line = line;
	int got = lf__next(&t, tok, sizeof(tok));
	if (got <= 0 || (r->procedure = alarm_procedure_parse(tok)) < 0 || r->procedure == ALARM_PROC_EMERGENCY) {
		snprintf(why, whylen, "rule needs a procedure: notify-only, reconfigure, reload-software, fatal or "
				      "diagnose-first");
		return LF_EINVAL;
	}
	while ((got = lf__next(&t, tok, sizeof(tok))) > 0) {
		char *eq = strchr(tok, '=');
		if (!eq) {
			snprintf(why, whylen, "expected key=value, got '%s'", tok);
			return LF_EINVAL;
		}
		*eq = '\0';
		const char *v = eq + 1;
		if (strcmp(tok, "event_type") == 0) {
			if (alarm_event_type_parse(v) < 0) {
				snprintf(why, whylen, "unknown event_type '%s'", v);
				return LF_EINVAL;
			}
			snprintf(r->event_type, sizeof(r->event_type), "%s", v);
		} else if (strcmp(tok, "probable_cause") == 0) {
			if (alarm_cause_parse(v) < 0) {
				snprintf(why, whylen, "unknown probable_cause '%s' (X.736 security alarm causes)", v);
				return LF_EINVAL;
			}
			snprintf(r->probable_cause, sizeof(r->probable_cause), "%s", v);
		} else if (strcmp(tok, "severity") == 0) {
			char list[128];
			snprintf(list, sizeof(list), "%s", v);
			for (char *save = NULL, *s = strtok_r(list, ",", &save); s; s = strtok_r(NULL, ",", &save)) {
				int sev = alarm_severity_parse(s);
				if (sev < 0) {
					snprintf(why, whylen, "unknown severity '%s'", s);
					return LF_EINVAL;
				}
				r->severities |= 1u << sev;
			}
		} else if (strcmp(tok, "specific_problem") == 0) {
			snprintf(r->specific_problem, sizeof(r->specific_problem), "%s", v);
		} else {
			snprintf(why, whylen, "unknown rule key '%s'", tok);
			return LF_EINVAL;
		}
	}
	if (got < 0) {
		snprintf(why, whylen, "unterminated quote or value too long");
		return LF_EINVAL;
	}
	p->n_rules++;
	return LF_OK;
}

static int lf__ladder(struct policy *p, const char *rest, char *why, size_t whylen)
{
	char buf[1024];
	snprintf(buf, sizeof(buf), "%s", rest);
	char *eq = strchr(buf, '=');
	if (!eq) {
		snprintf(why, whylen, "ladder needs 'ladder PROCEDURE = steps | steps ...'");
		return LF_EINVAL;
	}
	*eq = '\0';
	lf__trim(buf);
	int proc = alarm_procedure_parse(buf);
	if (proc != ALARM_PROC_RECONFIGURE && proc != ALARM_PROC_RELOAD_SOFTWARE) {
		snprintf(why, whylen, "ladders exist for reconfigure and reload-software, not '%s'", buf);
		return LF_EINVAL;
	}
	struct policy_ladder l;
	memset(&l, 0, sizeof(l));
	char *rungs = eq + 1;
	for (char *rs = NULL, *rung = strtok_r(rungs, "|", &rs); rung; rung = strtok_r(NULL, "|", &rs)) {
		if (l.n_rungs == POLICY_MAX_RUNGS) {
			snprintf(why, whylen, "more than %d rungs", POLICY_MAX_RUNGS);
			return LF_EINVAL;
		}
		for (char *ss = NULL, *step = strtok_r(rung, ",", &ss); step; step = strtok_r(NULL, ",", &ss)) {
			lf__trim(step);
			if (!step[0]) {
				snprintf(why, whylen, "empty rung or step");
				return LF_EINVAL;
			}
			int k = -1;
			for (int i = 0; i < POLICY_STEP_COUNT; i++)
				if (strcmp(step, lf__step_names[i]) == 0)
					k = i;
			if (k < 0) {
				snprintf(why, whylen, "unknown step '%s' (configure, reboot, factory-reset, download, "
						      "diagnose)", step);
				return LF_EINVAL;
			}
			if (l.n_steps[l.n_rungs] == POLICY_MAX_STEPS) {
				snprintf(why, whylen, "more than %d steps in a rung", POLICY_MAX_STEPS);
				return LF_EINVAL;
			}
			l.steps[l.n_rungs][l.n_steps[l.n_rungs]++] = (enum policy_step)k;
		}
		if (l.n_steps[l.n_rungs] == 0) {
			snprintf(why, whylen, "empty rung");
			return LF_EINVAL;
		}
		l.n_rungs++;
	}
	if (l.n_rungs == 0) {
		snprintf(why, whylen, "a ladder needs at least one rung");
		return LF_EINVAL;
	}
	p->ladders[proc] = l;
	return LF_OK;
}

static int lf__timeout(struct policy *p, const char *rest, char *why, size_t whylen)
{
	char name[32];
	long v;
	char extra;
	if (sscanf(rest, " %31s = %ld %c", name, &v, &extra) != 2 || v < 1 || v > 86400 * 7) {
		snprintf(why, whylen, "expected 'timeout step|extended = SECONDS' (1..604800)");
		return LF_EINVAL;
	}
	if (strcmp(name, "step") == 0)
		p->step_timeout_s = v;
	else if (strcmp(name, "extended") == 0)
		p->extended_timeout_s = v;
	else {
		snprintf(why, whylen, "unknown timeout '%s' (step, extended)", name);
		return LF_EINVAL;
	}
	return LF_OK;
}

static int lf__golden(struct policy *p, const char *rest, char *why, size_t whylen)
{
	struct lf__tok t = {rest};
	char pc[64], name[256], eq[8], value[256], type[32] = "xsd:string";
	if (p->n_golden == POLICY_MAX_GOLDEN) {
		snprintf(why, whylen, "more than %d golden parameters", POLICY_MAX_GOLDEN);
		return LF_EINVAL;
	}
	if (lf__next(&t, pc, sizeof(pc)) <= 0 || lf__next(&t, name, sizeof(name)) <= 0 ||
	    lf__next(&t, eq, sizeof(eq)) <= 0 || strcmp(eq, "=") != 0 || lf__next(&t, value, sizeof(value)) < 0) {
		snprintf(why, whylen, "expected 'golden PRODUCT-CLASS NAME = VALUE [TYPE]'");
		return LF_EINVAL;
	}
	if (lf__next(&t, type, sizeof(type)) < 0 || strncmp(type, "xsd:", 4) != 0) {
		snprintf(why, whylen, "golden TYPE must be an xsd: type, e.g. xsd:unsignedInt");
		return LF_EINVAL;
	}
	if (name[strlen(name) - 1] == '.' || strchr(name, '.') == NULL) {
		snprintf(why, whylen, "golden NAME must be a full parameter name, got '%s'", name);
		return LF_EINVAL;
	}
	struct policy_golden *g = &p->golden[p->n_golden++];
	snprintf(g->product_class, sizeof(g->product_class), "%s", pc);
	snprintf(g->name, sizeof(g->name), "%s", name);
	snprintf(g->value, sizeof(g->value), "%s", value);
	snprintf(g->type, sizeof(g->type), "%s", type);
	return LF_OK;
}

static int lf__firmware(struct policy *p, const char *rest, char *why, size_t whylen)
{
	struct lf__tok t = {rest};
	char pc[64], eq[8], file[128], extra[8];
	if (p->n_firmware == POLICY_MAX_FIRMWARE) {
		snprintf(why, whylen, "more than %d firmware lines", POLICY_MAX_FIRMWARE);
		return LF_EINVAL;
	}
	if (lf__next(&t, pc, sizeof(pc)) <= 0 || lf__next(&t, eq, sizeof(eq)) <= 0 || strcmp(eq, "=") != 0 ||
	    lf__next(&t, file, sizeof(file)) <= 0 || lf__next(&t, extra, sizeof(extra)) != 0) {
		snprintf(why, whylen, "expected 'firmware PRODUCT-CLASS = FILE'");
		return LF_EINVAL;
	}
	struct policy_firmware *f = &p->firmware[p->n_firmware++];
	snprintf(f->product_class, sizeof(f->product_class), "%s", pc);
	snprintf(f->file, sizeof(f->file), "%s", file);
	return LF_OK;
}

int policy_parse(struct policy *p, const char *text, size_t len, const char *origin, char *err, size_t errlen)
{
	char line[2048], why[384];
	size_t pos = 0;
	unsigned lineno = 0;
	memset(p, 0, sizeof(*p));
	p->step_timeout_s = 300;
	p->extended_timeout_s = 600;
	while (pos < len) {
		size_t start = pos;
		while (pos < len && text[pos] != '\n')
			pos++;
		size_t n = pos - start;
		if (pos < len)
			pos++;
		lineno++;
		if (n >= sizeof(line) || memchr(text + start, '\0', n)) {
			snprintf(err, errlen, "%s:%u: line too long or holds a NUL byte", origin, lineno);
			return LF_EPARSE;
		}
		memcpy(line, text + start, n);
		line[n] = '\0';
		lf__trim(line);
		if (!line[0] || line[0] == '#')
			continue;
		char *sp = line + strcspn(line, " \t");
		char *rest = *sp ? sp + 1 : sp;
		*sp = '\0';
		int result;
		why[0] = '\0';
		if (strcmp(line, "rule") == 0)
			result = lf__rule(p, rest, lineno, why, sizeof(why));
		else if (strcmp(line, "ladder") == 0)
			result = lf__ladder(p, rest, why, sizeof(why));
		else if (strcmp(line, "timeout") == 0)
			result = lf__timeout(p, rest, why, sizeof(why));
		else if (strcmp(line, "golden") == 0)
			result = lf__golden(p, rest, why, sizeof(why));
		else if (strcmp(line, "firmware") == 0)
			result = lf__firmware(p, rest, why, sizeof(why));
		else {
			snprintf(why, sizeof(why), "unknown statement '%s' (rule, ladder, timeout, golden, firmware)",
				 line);
			result = LF_EINVAL;
		}
		if (result) {
			snprintf(err, errlen, "%s:%u: %s", origin, lineno, why);
			return result;
		}
	}
	/* Emergency re-imaging has one rung and one step: the failsafe HeNB asked for exactly that. */
	p->ladders[ALARM_PROC_EMERGENCY].n_rungs = 1;
	p->ladders[ALARM_PROC_EMERGENCY].n_steps[0] = 1;
	p->ladders[ALARM_PROC_EMERGENCY].steps[0][0] = POLICY_STEP_DOWNLOAD;
	for (int proc = ALARM_PROC_RECONFIGURE; proc <= ALARM_PROC_RELOAD_SOFTWARE; proc++)
		if (p->ladders[proc].n_rungs == 0) {
			snprintf(err, errlen, "%s: no ladder for %s", origin, alarm_procedure_name((enum alarm_procedure)proc));
			return LF_EINVAL;
		}
	return LF_OK;
}

int policy_load(struct policy *p, const char *path, char *err, size_t errlen)
{
	if (!path || !path[0])
		return policy_parse(p, lf__default_policy, strlen(lf__default_policy), "(default policy)", err,
				    errlen);
	struct lf_buf b;
	lf_buf_init(&b, 1024 * 1024);
	int result = lf_file_read(path, &b);
	if (result) {
		snprintf(err, errlen, "%s: cannot read policy: %s", path, lf_strerror(result));
		lf_buf_free(&b);
		return result;
	}
	result = policy_parse(p, b.data ? b.data : "", b.len, path, err, errlen);
	lf_buf_free(&b);
	return result;
}

int policy_classify(const struct policy *p, const char *event_type, const char *probable_cause, const char *severity,
		    const char *specific_problem, unsigned *rule_line)
{
	int sev = alarm_severity_parse(severity);
	for (int i = 0; i < p->n_rules; i++) {
		const struct policy_rule *r = &p->rules[i];
		if (r->event_type[0] && alarm_event_type_parse(r->event_type) != alarm_event_type_parse(event_type))
			continue;
		if (r->probable_cause[0] && strcasecmp(r->probable_cause, probable_cause) != 0)
			continue;
		if (r->severities && (sev < 0 || !(r->severities & (1u << sev))))
			continue;
		if (r->specific_problem[0] && fnmatch(r->specific_problem, specific_problem, 0) != 0)
			continue;
		if (rule_line)
			*rule_line = r->line;
		return r->procedure;
	}
	if (rule_line)
		*rule_line = 0;
	return ALARM_PROC_DIAGNOSE_FIRST;
}

const char *policy_firmware_for(const struct policy *p, const char *product_class)
{
	for (int i = 0; i < p->n_firmware; i++)
		if (strcmp(p->firmware[i].product_class, product_class) == 0 ||
		    strcmp(p->firmware[i].product_class, "*") == 0)
			return p->firmware[i].file;
	return NULL;
}
