/* download.c: the Download hook: check the request, keep the job, and when it is due carry it out and report
 * the outcome in a TransferComplete (queued and persisted until the ACS acknowledges it). The transfer and
 * the signed-image check are not wired yet: every job currently ends with fault 9010. */
#include "henb/download.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

#include "common/err.h"
#include "common/log.h"
#include "common/timeutil.h"
#include "henb/agent.h"

/* File types this CPE takes (cwmp-1-2.xsd DownloadFileType). */
static const char *const lf__file_types[] = {"1 Firmware Upgrade Image", "3 Vendor Configuration File", NULL};

static bool lf__fits(const char *s, size_t size)
{
	return strlen(s ? s : "") < size;
}

uint32_t henb_download_start(struct henb_agent *a, const struct cwmp_download *d, struct cwmp_transfer_result *resp)
{
	struct henb_download_job *job = &a->st.dl;
	const char *url = d->url ? d->url : "";
	bool type_ok = false;
	for (size_t i = 0; lf__file_types[i] && d->file_type; i++)
		type_ok = type_ok || strcmp(d->file_type, lf__file_types[i]) == 0;
	if (!type_ok || !url[0] || !lf__fits(d->command_key, sizeof(job->command_key)) ||
	    !lf__fits(url, sizeof(job->url)) || !lf__fits(d->username, sizeof(job->username)) ||
	    !lf__fits(d->password, sizeof(job->password)) ||
	    !lf__fits(d->target_file_name, sizeof(job->target_file_name)))
		return CWMP_FAULT_INVALID_ARGUMENTS;
	if (strncmp(url, "http://", 7) != 0 && strncmp(url, "https://", 8) != 0)
		return CWMP_FAULT_UNSUPPORTED_PROTOCOL;
	if (job->used)
		return CWMP_FAULT_RESOURCES_EXCEEDED;

	memset(job, 0, sizeof(*job));
	job->used = true;
	snprintf(job->command_key, sizeof(job->command_key), "%s", d->command_key ? d->command_key : "");
	snprintf(job->file_type, sizeof(job->file_type), "%s", d->file_type);
	snprintf(job->url, sizeof(job->url), "%s", url);
	snprintf(job->username, sizeof(job->username), "%s", d->username ? d->username : "");
	snprintf(job->password, sizeof(job->password), "%s", d->password ? d->password : "");
	snprintf(job->target_file_name, sizeof(job->target_file_name), "%s",
		 d->target_file_name ? d->target_file_name : "");
	job->file_size = d->file_size;
	job->delay_seconds = d->delay_seconds;
	job->due_ms = lf_now_ms() + (int64_t)d->delay_seconds * a->cfg.second_ms;
	if (henb_agent_persist(a)) {
		job->used = false;
		return CWMP_FAULT_INTERNAL_ERROR;
	}
	lf_info("download_accepted", "command_key=\"%s\" file_type=\"%s\" delay_s=%u", job->command_key,
		job->file_type, job->delay_seconds);
	resp->status = 1; /* not done yet: a TransferComplete follows (A.3.2.8) */
	resp->start_time = NULL;
	resp->complete_time = NULL;
	return 0;
}

void henb_download_perform(struct henb_agent *a, const struct henb_download_job *job, struct henb_transfer *tc)
{
	memset(tc, 0, sizeof(*tc));
	snprintf(tc->command_key, sizeof(tc->command_key), "%s", job->command_key);
	lf_time_iso8601(time(NULL), tc->start_time, sizeof(tc->start_time));
	/* Hook: fetch job->url (bounded by file_size), verify the signed image with src/firmware, install into
	 * the inactive slot, then reboot into it; on success fault_code stays 0. Not wired yet. */
	tc->fault_code = CWMP_FAULT_DOWNLOAD_FAILURE;
	snprintf(tc->fault_string, sizeof(tc->fault_string), "%s",
		 "download and installation are not available in this build");
	lf_time_iso8601(time(NULL), tc->complete_time, sizeof(tc->complete_time));
	lf_warn("download_failed", "command_key=\"%s\" fault=%u reason=\"%s\"", tc->command_key, tc->fault_code,
		tc->fault_string);
}
