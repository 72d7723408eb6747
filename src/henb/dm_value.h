/* dm_value.h: parameter types of the data model engine (internal to src/henb): checks and canonical forms. */
#ifndef LF_HENB_DM_VALUE_H
#define LF_HENB_DM_VALUE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "henb/dm.h"

/* TR-106 Unknown Time. */
#define HENB_DM_UNKNOWN_TIME "0001-01-01T00:00:00Z"

/* henb__dm_check_value: 0 when v is a valid value of p (type, range, length, enumeration, XML-safe text),
 * with its canonical form in canon; else CWMP fault 9007. */
uint32_t henb__dm_check_value(const struct henb_dm_param *p, const char *v, char *canon, size_t canonlen);
/* henb__dm_type_from_xsd: the type named by an xsi:type ("xsd:unsignedInt", "unsignedInt"), or -1. */
int henb__dm_type_from_xsd(const char *xsi);
/* henb__dm_datetime_ok: a TR-106 dateTime. */
bool henb__dm_datetime_ok(const char *s);
/* henb__dm_type_default: the default of a type without an explicit default. */
void henb__dm_type_default(enum henb_dm_type t, char *out, size_t outlen);

#endif
