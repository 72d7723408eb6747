/* vendorcfg.h: a "3 Vendor Configuration File" (the one file of a signed configuration image) applied to the
 * data model. */
#ifndef LF_HENB_VENDORCFG_H
#define LF_HENB_VENDORCFG_H

#include <stddef.h>
#include <stdint.h>

struct henb_agent;

#define HENB_VENDORCFG_MAX_ENTRIES 256

/*
 * henb_vendorcfg_apply: apply text (len bytes, any content) to the data model, all entries or none, like a
 * SetParameterValues from the HeMS (writable parameters only, each value checked; no value change
 * notification back), then persist. Format, one entry per line:
 *     # comment            (and empty lines)
 *     Device.Full.Parameter.Name = value       (the value runs to the end of the line; may be empty)
 * Returns 0, or the TransferComplete fault code (9010 for content that cannot be applied, 9002 when the state
 * cannot be written) with the reason, naming the line, in err.
 */
uint32_t henb_vendorcfg_apply(struct henb_agent *a, const char *text, size_t len, char *err, size_t errlen);

#endif
