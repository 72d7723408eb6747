/* dm.h: henbd's data model engine: typed static object/parameter tables in, TR-069 paths, values, attributes,
 * multi-instance tables with fixed maxima and change tracking out. */
#ifndef LF_HENB_DM_H
#define LF_HENB_DM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/buf.h"
#include "henb/limits.h"

struct henb_config;
struct henb_dm;

/* ---------------------------------------------------------------------------------------------
 * Schema: what modules register (dm_*.c), as const data.
 */

enum henb_dm_type {
	HENB_DM_STRING = 0,
	HENB_DM_UINT,     /* unsignedInt (32 bits) */
	HENB_DM_INT,      /* int (32 bits) */
	HENB_DM_BOOL,     /* boolean: "true"/"false" (also accepts "1"/"0" on write) */
	HENB_DM_DATETIME, /* dateTime: 2026-11-28T22:07:00Z; 0001-01-01T00:00:00Z is the Unknown Time */
};

enum henb_dm_param_flag {
	HENB_DM_W = 1u << 0,              /* writable by the ACS (SetParameterValues) */
	HENB_DM_FORCED = 1u << 1,         /* forcedInform: in every Inform's ParameterList */
	HENB_DM_SECRET = 1u << 2,         /* read as "" (passwords); never in an Inform */
	HENB_DM_VOLATILE = 1u << 3,       /* status value: not persisted, back to its default at start */
	HENB_DM_CANDENY = 1u << 4,        /* activeNotify="canDeny": Active notification is refused (9009) */
	HENB_DM_FORCE_ACTIVE = 1u << 5,   /* activeNotify="forceEnabled": always Active, cannot be changed */
	HENB_DM_DEFAULT_ACTIVE = 1u << 6, /* activeNotify="forceDefaultEnabled": Active until the ACS changes it */
	HENB_DM_LIST = 1u << 7,           /* comma-separated list: the range / enumeration apply to each item */
	HENB_DM_DEFAULT_PASSIVE = 1u << 8,/* Passive until the ACS changes it (FaultMgmt.QueuedEvent) */
};

/* An element of a parameter or object in a request/walk: which object, parameter and instance. */
struct henb_dm_ref {
	int16_t obj;      /* registered object index */
	int16_t param;    /* parameter index in the object, -1 = the object itself */
	int16_t row;      /* the instance (row) holding the object; a table named without an instance number:
			   * the row holding the table's parent */
	bool table_level; /* the name is a table without an instance number ("...LTECell.") */
};

/* Where a change comes from: the ACS gets no value change notification for its own writes. */
enum henb_dm_origin {
	HENB_DM_ORIGIN_INIT = 0, /* factory default, persisted state: no notification */
	HENB_DM_ORIGIN_ACS,      /* SetParameterValues / AddObject: no notification back */
	HENB_DM_ORIGIN_CPE,      /* the device itself: notified per the Notification attribute */
};

/* get: the live value of a computed parameter into out (NUL-terminated). ctx is henb_dm_init's ctx. */
typedef void (*henb_dm_get_fn)(void *ctx, const struct henb_dm_ref *ref, char *out, size_t outlen);
/* validate: extra check of a value the ACS writes, after the type check; 0 or a CWMP fault code (9007). */
typedef uint32_t (*henb_dm_validate_fn)(void *ctx, const struct henb_dm_ref *ref, const char *value);
/* changed: after the stored value changed (any origin except INIT). */
typedef void (*henb_dm_changed_fn)(void *ctx, const struct henb_dm_ref *ref, const char *value,
				   enum henb_dm_origin origin);

struct henb_dm_param {
	const char *name;           /* leaf name: "PeriodicInformInterval" */
	uint8_t type;               /* enum henb_dm_type */
	uint16_t flags;             /* enum henb_dm_param_flag */
	uint16_t max_len;           /* STRING: maximum bytes; 0 = HENB_DM_MAX_VALUE - 1 */
	int64_t min, max;           /* UINT / INT: inclusive range (min == max == 0: the type's range) */
	const char *const *enums;   /* STRING: allowed values, NULL-terminated; NULL = any */
	const char *def;            /* factory default; NULL = "" / 0 / false / Unknown Time */
	int cfg;                    /* HENB_CFG(field): factory default from the config instead; 0 = none */
	henb_dm_get_fn get;         /* computed on read (live); NULL = a stored value */
	henb_dm_validate_fn validate;
	henb_dm_changed_fn changed;
};

enum henb_dm_object_flag {
	HENB_DM_TABLE = 1u << 0,    /* multi-instance: "Name.{i}." */
	HENB_DM_ADDABLE = 1u << 1,  /* the ACS may AddObject / DeleteObject */
	HENB_DM_RING = 1u << 2,     /* fixed-size ring of events (FaultMgmt): rows written by the CPE */
};

struct henb_dm_object {
	const char *path;           /* schema path, "Device.FaultMgmt.CurrentAlarm.{i}."; "X_{OUI}_" is the
				     * vendor prefix with the configured OUI */
	uint16_t flags;             /* enum henb_dm_object_flag */
	uint16_t max_rows;          /* TABLE: fixed maximum of rows (over all parent instances) */
	const char *count_param;    /* TABLE: leaf name of its NumberOfEntries parameter in the parent object */
	const struct henb_dm_param *params;
	size_t n_params;
};

/* A module's registration: its objects in parent-before-child order. */
struct henb_dm_module {
	const struct henb_dm_object *objects;
	size_t n;
};

/* ---------------------------------------------------------------------------------------------
 * Engine
 */

/* henb_dm_new: build the engine from the modules (parents registered before children), with every stored
 * value at its factory default (literal or from cfg). ctx is passed to the callbacks. The engine keeps cfg.
 * Memory: every row of every table is allocated here, so the engine never grows. Caller owns the result
 * (henb_dm_free). Returns NULL and the reason in err when the schema is inconsistent. */
struct henb_dm *henb_dm_new(const struct henb_dm_module *const *modules, size_t n_modules, const struct henb_config *cfg,
			    void *ctx, char *err, size_t errlen);
void henb_dm_free(struct henb_dm **dmp);
/* henb_dm_reset: back to factory values, attributes and rows (FactoryReset). */
void henb_dm_reset(struct henb_dm *dm);

/* Names. */
/* henb_dm_resolve: a parameter name ("Device.X.Y"), an object path ("Device.X." / "Device.T.3.") or a table
 * ("Device.T.") into ref. LF_OK or LF_ENOTFOUND. "" is not a name: callers map it to "Device.". */
int henb_dm_resolve(const struct henb_dm *dm, const char *name, struct henb_dm_ref *ref);
/* henb_dm_name: the full name of ref into out; LF_ETOOBIG if longer than outlen - 1. */
int henb_dm_name(const struct henb_dm *dm, const struct henb_dm_ref *ref, char *out, size_t outlen);
const struct henb_dm_param *henb_dm_param_def(const struct henb_dm *dm, const struct henb_dm_ref *ref);
const struct henb_dm_object *henb_dm_object_def(const struct henb_dm *dm, int obj);
/* henb_dm_xsd_type: "xsd:string", "xsd:unsignedInt" ... of a parameter type. */
const char *henb_dm_xsd_type(enum henb_dm_type t);
/* henb_dm_param_xsd: the xsi:type of a parameter on the wire (lists are strings, TR-106 3.2.3). */
const char *henb_dm_param_xsd(const struct henb_dm_param *p);
/* henb_dm_instance: the instance number of a table row (0 for the root). */
uint32_t henb_dm_instance(const struct henb_dm *dm, int row);

/* Walking the tree in schema order, instances in ascending instance number. */
enum henb_dm_walk_flag {
	HENB_DM_WALK_OBJECTS = 1u << 0,   /* visit objects too (GetParameterNames) */
	HENB_DM_WALK_NEXT_LEVEL = 1u << 1,/* only the direct children of the start */
	HENB_DM_WALK_SELF = 1u << 2,      /* visit the start object itself (GPN with NextLevel false) */
};
/* visit: one parameter (ref->param >= 0) or object. Return non-zero to stop the walk with that value. */
typedef int (*henb_dm_visit_fn)(void *vctx, const struct henb_dm_ref *ref);
/* henb_dm_walk: visit what lies under the object ref `start` (a parameter ref visits just itself). */
int henb_dm_walk(const struct henb_dm *dm, const struct henb_dm_ref *start, unsigned flags, henb_dm_visit_fn visit,
		 void *vctx);
/* henb_dm_writable: the Writable of GetParameterNames (parameters: W; tables and rows: ADDABLE). */
bool henb_dm_writable(const struct henb_dm *dm, const struct henb_dm_ref *ref);

/* Values. */
/* henb_dm_get: the value of a parameter (secrets read as "" unless raw) into out. */
void henb_dm_get(const struct henb_dm *dm, const struct henb_dm_ref *ref, bool raw, char *out, size_t outlen);
/* henb_dm_get_str: the stored value of a parameter named by full name, or "" (for the agent's own reads). */
const char *henb_dm_get_str(const struct henb_dm *dm, const char *name);
/* henb_dm_check: would value be a valid value of the parameter? 0 or 9007 (format, range, length, enum)
 * and the canonical form in canon (booleans as true/false, numbers without leading zeros). */
uint32_t henb_dm_check(const struct henb_dm *dm, const struct henb_dm_ref *ref, const char *value, char *canon,
		       size_t canonlen);
/* henb_dm_set: store a value (checked with henb_dm_check first: LF_EINVAL if invalid). Writability is the
 * caller's business (the CPE writes read-only status values). A change from the CPE marks the parameter
 * for notification when its Notification attribute asks for one; a change from the ACS clears that mark. */
int henb_dm_set(struct henb_dm *dm, const struct henb_dm_ref *ref, const char *value, enum henb_dm_origin origin);
/* henb_dm_set_str: henb_dm_set by full name. */
int henb_dm_set_str(struct henb_dm *dm, const char *name, const char *value, enum henb_dm_origin origin);
/* henb_dm_touch: count every parameter of the row as changed (a ring entry overwritten: TR-181 FaultMgmt). */
void henb_dm_touch(struct henb_dm *dm, int row);

/* Rows of tables. */
/* henb_dm_add: a new row in the table named by ref (table_level), with factory values; instance 0 = the next
 * number. Returns the row index, or LF_ETOOBIG (table full), LF_EEXIST (instance taken), LF_EINVAL. */
int henb_dm_add(struct henb_dm *dm, const struct henb_dm_ref *table, uint32_t instance, enum henb_dm_origin origin);
/* henb_dm_delete: remove a row and every row below it. */
int henb_dm_delete(struct henb_dm *dm, int row, enum henb_dm_origin origin);
/* henb_dm_row_find: the row of table `obj` under parent row `parent` with this instance number, or -1. */
int henb_dm_row_find(const struct henb_dm *dm, int obj, int parent, uint32_t instance);
/* henb_dm_rows: up to max row indexes of table obj under parent, in ascending instance number. */
size_t henb_dm_rows(const struct henb_dm *dm, int obj, int parent, int *out, size_t max);
/* henb_dm_object_index: the registered index of a schema path ("Device.FaultMgmt.CurrentAlarm.{i}."), or -1. */
int henb_dm_object_index(const struct henb_dm *dm, const char *schema_path);
/* henb_dm_param_index: the index of a leaf parameter in an object, or -1. */
int henb_dm_param_index(const struct henb_dm *dm, int obj, const char *leaf);
/* henb_dm_row_ref: a ref to parameter `leaf` of object obj in row. */
struct henb_dm_ref henb_dm_row_ref(const struct henb_dm *dm, int obj, int row, const char *leaf);

/* Attributes (SetParameterAttributes). */
enum { HENB_DM_ACCESS_SUBSCRIBER = 1u << 0 };
int henb_dm_notification(const struct henb_dm *dm, const struct henb_dm_ref *ref);
unsigned henb_dm_access(const struct henb_dm *dm, const struct henb_dm_ref *ref);
/* henb_dm_check_notification: 0, or 9009 when the parameter refuses this notification (canDeny,
 * forceEnabled, live values other than off/passive) or 9003 for a value outside 0..2. */
uint32_t henb_dm_check_notification(const struct henb_dm *dm, const struct henb_dm_ref *ref, int notification);
void henb_dm_set_attributes(struct henb_dm *dm, const struct henb_dm_ref *ref, bool set_notification,
			    int notification, bool set_access, unsigned access);

/* Value change notification bookkeeping. */
/* henb_dm_pending: how many parameters wait to be reported; *active is set when one of them is Active. */
size_t henb_dm_pending(struct henb_dm *dm, bool *active);
/* henb_dm_take_pending: move up to max pending parameters into out and clear their marks (live values with
 * Notification set are compared with the value last reported). henb_dm_restore_pending puts them back
 * when the Inform that carried them was not delivered. */
size_t henb_dm_take_pending(struct henb_dm *dm, struct henb_dm_ref *out, size_t max);
void henb_dm_restore_pending(struct henb_dm *dm, const struct henb_dm_ref *refs, size_t n);

/* Persistence support (persist.c): dirty is set by every change worth saving. */
bool henb_dm_dirty(const struct henb_dm *dm);
void henb_dm_clear_dirty(struct henb_dm *dm);
/* henb_dm_dump: append the persisted part as state-file records (rows, next instance numbers, values that
 * are not factory, attributes that are not default, pending marks). */
int henb_dm_dump(struct henb_dm *dm, struct lf_buf *out);
/* henb_dm_load_record: apply one record of henb_dm_dump (type 'r', 'i', 'v' or 'a' and its fields). An
 * unknown name is skipped (LF_OK: the schema changed under a firmware upgrade); a malformed one is
 * LF_EPARSE. */
int henb_dm_load_record(struct henb_dm *dm, char type, char **fields, size_t n_fields);
/* henb_dm_self_check: every stored value still valid for its type; the first bad name in bad. */
int henb_dm_self_check(struct henb_dm *dm, char *bad, size_t badlen);

#endif
