/* extended.c: the extended remediation hook (5.7.3.1, HeNB side): a security alarm cannot be delivered over the
 * standard path while the S1 link is up, so the distress channel takes it (distress.c). Every call is logged and
 * recorded, whether the channel can carry it or not. */
#include "henb/extended.h"

#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "common/log.h"
#include "common/timeutil.h"
#include "henb/agent.h"
#include "henb/distress.h"

void extended_remediation_start(struct henb_agent *a, const char *reason)
{
	char path[700], when[32], line[512];
	lf_warn("extended_remediation_start", "reason=\"%s\"", reason);
	snprintf(path, sizeof(path), "%s/%s", a->cfg.state_dir, EXTENDED_RECORD);
	lf_time_iso8601(time(NULL), when, sizeof(when));
	int n = snprintf(line, sizeof(line), "%s %s\n", when, reason);
	int fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
	if (fd < 0 || n <= 0 || write(fd, line, strlen(line)) != (ssize_t)strlen(line))
		lf_error("extended_remediation_record_failed", "path=%s", path);
	if (fd >= 0)
		close(fd);
	/* The pending alarms ride the distress INFORM (reason 4, protocol section 7.1). */
	henb_distress_start(a, DISTRESS_REASON_ALARM_UNDELIVERABLE, reason);
}
