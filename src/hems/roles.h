/* roles.h: hemsd's three roles (TS 32.593 5.1 discovery and registration, 5.7.3.2): serving (manages its HeNBs),
 * initial (first contact: decides each HeNB's serving HeMS and gateways and hands them over), emergency (takes
 * HeNBs in failsafe mode and re-images them). One binary; the role comes from hemsd.role. */
#ifndef LF_HEMS_ROLES_H
#define LF_HEMS_ROLES_H

#include <stddef.h>

#include "cwmp/cwmp.h"
#include "hems/hems.h"

enum hems_role { HEMS_ROLE_SERVING, HEMS_ROLE_INITIAL, HEMS_ROLE_EMERGENCY };

/* hems_roles_init: parse hemsd.role and, for the initial role, the assignment rules (hemsd.assignments);
 * errors name the file and line. */
int hems_roles_init(struct hems *h, char *err, size_t errlen);
void hems_roles_free(struct hems *h);
const char *hems_role_name(enum hems_role r);
/* hems_roles_serving: whether this hemsd manages its devices (provisioning, remediation). */
int hems_roles_serving(const struct hems *h);

/* hems_roles_on_inform: an Inform was stored. Initial role: at 0 BOOTSTRAP queue the hand-over (serving
 * ManagementServer.URL, SeGW and HeNB-GW addresses). Emergency role: note an emergency Inform. */
void hems_roles_on_inform(struct hems *h, const char *device_id, const struct cwmp_inform *in);
/* hems_roles_on_request_download: a RequestDownload: the emergency role answers it with a Download of the
 * approved image for the device (an emergency-reimage case); other roles only log it. */
void hems_roles_on_request_download(struct hems *h, const char *device_id, const char *file_type);

#endif
