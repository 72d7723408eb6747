/* policy.h: the remediation policy: classification rules (alarm -> procedure), escalation ladders, timers,
 * golden configuration and approved firmware per product class. A small line format (docs/policy.md),
 * validated at start with errors naming the line; the table of DESIGN.md section 4 is the shipped default. */
#ifndef LF_HEMS_POLICY_H
#define LF_HEMS_POLICY_H

#include <stddef.h>

#include "alarm/catalogue.h"

#define POLICY_MAX_RULES 128
#define POLICY_MAX_RUNGS 6
#define POLICY_MAX_STEPS 6
#define POLICY_MAX_GOLDEN 256
#define POLICY_MAX_FIRMWARE 32

enum policy_step {
	POLICY_STEP_CONFIGURE,     /* push the golden configuration, read it back, compare */
	POLICY_STEP_REBOOT,        /* Reboot, wait for the device's 1 BOOT */
	POLICY_STEP_FACTORY_RESET, /* FactoryReset, wait for 0 BOOTSTRAP */
	POLICY_STEP_DOWNLOAD,      /* Download the approved image, TransferComplete, Inform with its version */
	POLICY_STEP_DIAGNOSE,      /* SelfTestDiagnostics, 8 DIAGNOSTICS COMPLETE, all checks pass */
	POLICY_STEP_COUNT
};

struct policy_rule {
	int procedure;              /* enum alarm_procedure */
	char event_type[64];        /* "" = any */
	char probable_cause[64];    /* "" = any */
	unsigned severities;        /* bit per enum alarm_severity; 0 = any */
	char specific_problem[128]; /* glob (fnmatch); "" = any */
	unsigned line;
};

struct policy_ladder {
	int n_rungs;
	int n_steps[POLICY_MAX_RUNGS];
	enum policy_step steps[POLICY_MAX_RUNGS][POLICY_MAX_STEPS];
};

struct policy_golden {
	char product_class[64]; /* "*" = any */
	char name[256];
	char value[256];
	char type[32];
};

struct policy_firmware {
	char product_class[64];
	char file[128]; /* name registered on the file server; its version is the expected SoftwareVersion */
};

struct policy {
	struct policy_rule rules[POLICY_MAX_RULES];
	int n_rules;
	struct policy_ladder ladders[ALARM_PROC_COUNT]; /* used for reconfigure and reload-software */
	long step_timeout_s;     /* a step must complete within this */
	long extended_timeout_s; /* extended remediation (distress) before "no communication possible" */
	struct policy_golden golden[POLICY_MAX_GOLDEN];
	int n_golden;
	struct policy_firmware firmware[POLICY_MAX_FIRMWARE];
	int n_firmware;
};

/* policy_parse: parse the policy text (named origin in errors) into p. LF_EPARSE/LF_EINVAL with
 * "origin:line: problem" in err. */
int policy_parse(struct policy *p, const char *text, size_t len, const char *origin, char *err, size_t errlen);
/* policy_load: the file at path, or the shipped default when path is NULL or "". */
int policy_load(struct policy *p, const char *path, char *err, size_t errlen);
/* policy_default_text: the shipped default policy. */
const char *policy_default_text(void);
/* policy_classify: the procedure for an alarm (first matching rule); ALARM_PROC_DIAGNOSE_FIRST if none. */
int policy_classify(const struct policy *p, const char *event_type, const char *probable_cause, const char *severity,
		    const char *specific_problem, unsigned *rule_line);
const char *policy_step_name(enum policy_step s);
/* policy_firmware_for: the approved image name for a product class, or NULL. */
const char *policy_firmware_for(const struct policy *p, const char *product_class);

#endif
