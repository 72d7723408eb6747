/* extended.c: the extended remediation hook (5.7.3.1, HeNB side). The distress channel (src/distress) plugs in
 * here; until then the call is logged and recorded. */
#include "henb/extended.h"

#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "common/log.h"
#include "common/timeutil.h"
#include "henb/agent.h"

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
}
