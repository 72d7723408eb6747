/* test_dm_engine.c: the data model engine on a small schema of its own: types and canonical values, names,
 * multi-instance tables (numbers never reused, fixed maxima, nested rows), GetParameterNames walks, attributes
 * and notification marks, and the dump/load round trip. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <string.h>

#include "common/err.h"
#include "henb/config.h"
#include "henb/dm.h"
#include "henb/dm_schema.h"

static unsigned lf__live_counter;

static void lf__live(void *ctx, const struct henb_dm_ref *ref, char *out, size_t outlen)
{
	snprintf(out, outlen, "%u", lf__live_counter);
}

static unsigned lf__changes;
static enum henb_dm_origin lf__last_origin;

static void lf__changed(void *ctx, const struct henb_dm_ref *ref, const char *v, enum henb_dm_origin o)
{
	lf__changes++;
	lf__last_origin = o;
}

static uint32_t lf__not_seven(void *ctx, const struct henb_dm_ref *ref, const char *v)
{
	return strcmp(v, "7") == 0 ? 9007 : 0;
}

static const char *const lf__modes[] = {"A", "B", "C D", NULL};

static const struct henb_dm_param lf__root[] = {
	HENB_P_STR("Version", 16, HENB_DM_VOLATILE | HENB_DM_FORCED, .def = "1.0"),
};
static const struct henb_dm_param lf__obj[] = {
	HENB_P_STR("Str", 8, HENB_DM_W, .def = "x"),
	HENB_P_UINT("Num", 1, 100, HENB_DM_W, .def = "5", .validate = lf__not_seven, .changed = lf__changed),
	HENB_P_INT("Int", -5, 5, HENB_DM_W, .def = "0"),
	HENB_P_BOOL("Flag", HENB_DM_W, .def = "false"),
	HENB_P_TIME("When", HENB_DM_W, .def = NULL),
	HENB_P_STR("Mode", 0, HENB_DM_W, .enums = lf__modes, .def = "A"),
	HENB_P_STR("Modes", 32, HENB_DM_W | HENB_DM_LIST, .enums = lf__modes, .def = "A,B"),
	HENB_P_UINT("Nums", 0, 10, HENB_DM_W | HENB_DM_LIST, .max_len = 16, .def = "1,2"),
	HENB_P_STR("Secret", 32, HENB_DM_W | HENB_DM_SECRET, .def = "hidden"),
	HENB_P_UINT("Live", 0, 0, HENB_DM_CANDENY, .get = lf__live),
	HENB_P_STR("Forced", 8, HENB_DM_FORCED | HENB_DM_FORCE_ACTIVE, .def = "f"),
	HENB_P_STR("Status", 8, HENB_DM_VOLATILE | HENB_DM_DEFAULT_ACTIVE, .def = "idle"),
	HENB_P_STR("FromCfg", 64, HENB_DM_W, .cfg = HENB_CFG(serial_number)),
	HENB_P_COUNT("TabNumberOfEntries"),
};
static const struct henb_dm_param lf__tab[] = {
	HENB_P_STR("Name", 16, HENB_DM_W, .def = ""),
	HENB_P_UINT("Val", 0, 0, HENB_DM_W, .def = "0"),
	HENB_P_COUNT("InnerNumberOfEntries"),
};
static const struct henb_dm_param lf__sub[] = {
	HENB_P_BOOL("X", HENB_DM_W, .def = "true"),
};
static const struct henb_dm_param lf__inner[] = {
	HENB_P_STR("Y", 8, HENB_DM_W, .def = "y"),
};
static const struct henb_dm_param lf__vendor[] = {
	HENB_P_STR("V", 8, HENB_DM_W, .def = "v"),
};
static const struct henb_dm_param lf__ro_tab[] = {
	HENB_P_STR("Z", 8, 0, .def = ""),
};
static const struct henb_dm_param lf__ro_count[] = {
	HENB_P_COUNT("ROTabNumberOfEntries"),
};

static const struct henb_dm_object lf__objects[] = {
	HENB_OBJ("Device.", 0, 0, NULL, lf__root),
	HENB_OBJ("Device.Obj.", 0, 0, NULL, lf__obj),
	HENB_OBJ("Device.Obj.Tab.{i}.", HENB_DM_TABLE | HENB_DM_ADDABLE, 3, "TabNumberOfEntries", lf__tab),
	HENB_OBJ("Device.Obj.Tab.{i}.Sub.", 0, 0, NULL, lf__sub),
	HENB_OBJ("Device.Obj.Tab.{i}.Inner.{i}.", HENB_DM_TABLE | HENB_DM_ADDABLE, 4, "InnerNumberOfEntries", lf__inner),
	HENB_OBJ("Device.X_{OUI}_Vendor.", 0, 0, NULL, lf__vendor),
	HENB_OBJ("Device.RO.", 0, 0, NULL, lf__ro_count),
	HENB_OBJ("Device.RO.ROTab.{i}.", HENB_DM_TABLE, 2, "ROTabNumberOfEntries", lf__ro_tab),
};
static const struct henb_dm_module lf__module = {lf__objects, HENB_N(lf__objects)};
static const struct henb_dm_module *const lf__modules[] = {&lf__module};

static struct henb_config lf__cfg;

static struct henb_dm *lf__new(void)
{
	char err[256];
	henb_config_defaults(&lf__cfg);
	snprintf(lf__cfg.serial_number, sizeof(lf__cfg.serial_number), "SN-42");
	struct henb_dm *dm = henb_dm_new(lf__modules, 1, &lf__cfg, NULL, err, sizeof(err));
	if (!dm)
		fail_msg("henb_dm_new: %s", err);
	return dm;
}

static struct henb_dm_ref lf__ref(struct henb_dm *dm, const char *name)
{
	struct henb_dm_ref r;
	if (henb_dm_resolve(dm, name, &r))
		fail_msg("cannot resolve %s", name);
	return r;
}

static const char *lf__val(struct henb_dm *dm, const char *name)
{
	static char v[HENB_DM_MAX_VALUE];
	struct henb_dm_ref r = lf__ref(dm, name);
	henb_dm_get(dm, &r, false, v, sizeof(v));
	return v;
}

static uint32_t lf__check(struct henb_dm *dm, const char *name, const char *value, char *canon)
{
	static char scratch[HENB_DM_MAX_VALUE];
	struct henb_dm_ref r = lf__ref(dm, name);
	return henb_dm_check(dm, &r, value, canon ? canon : scratch, HENB_DM_MAX_VALUE);
}

static int lf__add(struct henb_dm *dm, const char *table)
{
	struct henb_dm_ref t = lf__ref(dm, table);
	return henb_dm_add(dm, &t, 0, HENB_DM_ORIGIN_ACS);
}

static void test_factory_values_come_from_defaults_and_config(void **state)
{
	struct henb_dm *dm = lf__new();
	assert_string_equal(lf__val(dm, "Device.Version"), "1.0");
	assert_string_equal(lf__val(dm, "Device.Obj.Num"), "5");
	assert_string_equal(lf__val(dm, "Device.Obj.When"), "0001-01-01T00:00:00Z");
	assert_string_equal(lf__val(dm, "Device.Obj.FromCfg"), "SN-42");
	assert_string_equal(lf__val(dm, "Device.Obj.TabNumberOfEntries"), "0");
	henb_dm_free(&dm);
	assert_null(dm);
}

static void test_values_are_checked_against_type_range_length_and_enum(void **state)
{
	struct henb_dm *dm = lf__new();
	char canon[HENB_DM_MAX_VALUE];
	/* unsignedInt in 1..100, canonical without leading zeros */
	assert_int_equal(lf__check(dm, "Device.Obj.Num", "007", canon), 0);
	assert_string_equal(canon, "7");
	assert_int_equal(lf__check(dm, "Device.Obj.Num", "0", NULL), 9007);
	assert_int_equal(lf__check(dm, "Device.Obj.Num", "101", NULL), 9007);
	assert_int_equal(lf__check(dm, "Device.Obj.Num", "-1", NULL), 9007);
	assert_int_equal(lf__check(dm, "Device.Obj.Num", "", NULL), 9007);
	assert_int_equal(lf__check(dm, "Device.Obj.Num", " 5", NULL), 9007);
	assert_int_equal(lf__check(dm, "Device.Obj.Num", "5x", NULL), 9007);
	assert_int_equal(lf__check(dm, "Device.Obj.Num", "99999999999999999999999", NULL), 9007);
	/* int in -5..5 */
	assert_int_equal(lf__check(dm, "Device.Obj.Int", "-5", NULL), 0);
	assert_int_equal(lf__check(dm, "Device.Obj.Int", "-6", NULL), 9007);
	assert_int_equal(lf__check(dm, "Device.Obj.Int", "-", NULL), 9007);
	/* boolean: 1/0 accepted, stored as true/false */
	assert_int_equal(lf__check(dm, "Device.Obj.Flag", "1", canon), 0);
	assert_string_equal(canon, "true");
	assert_int_equal(lf__check(dm, "Device.Obj.Flag", "0", canon), 0);
	assert_string_equal(canon, "false");
	assert_int_equal(lf__check(dm, "Device.Obj.Flag", "yes", NULL), 9007);
	assert_int_equal(lf__check(dm, "Device.Obj.Flag", "TRUE", NULL), 9007);
	/* dateTime */
	assert_int_equal(lf__check(dm, "Device.Obj.When", "2026-11-28T22:07:00Z", NULL), 0);
	assert_int_equal(lf__check(dm, "Device.Obj.When", "2026-11-28T22:07:00.123+01:00", NULL), 0);
	assert_int_equal(lf__check(dm, "Device.Obj.When", "2026-11-28T22:07:00", NULL), 0);
	assert_int_equal(lf__check(dm, "Device.Obj.When", "2026-13-28T22:07:00Z", NULL), 9007);
	assert_int_equal(lf__check(dm, "Device.Obj.When", "2026-11-28 22:07:00Z", NULL), 9007);
	assert_int_equal(lf__check(dm, "Device.Obj.When", "yesterday", NULL), 9007);
	/* string length (bytes) */
	assert_int_equal(lf__check(dm, "Device.Obj.Str", "12345678", NULL), 0);
	assert_int_equal(lf__check(dm, "Device.Obj.Str", "123456789", NULL), 9007);
	/* enumeration, and a list of enumerated items */
	assert_int_equal(lf__check(dm, "Device.Obj.Mode", "C D", NULL), 0);
	assert_int_equal(lf__check(dm, "Device.Obj.Mode", "a", NULL), 9007);
	assert_int_equal(lf__check(dm, "Device.Obj.Modes", "B,C D,A", NULL), 0);
	assert_int_equal(lf__check(dm, "Device.Obj.Modes", "", NULL), 0);
	assert_int_equal(lf__check(dm, "Device.Obj.Modes", "A,E", NULL), 9007);
	/* a list of unsignedInt items, each in range */
	assert_int_equal(lf__check(dm, "Device.Obj.Nums", "0,10,03", canon), 0);
	assert_string_equal(canon, "0,10,3");
	assert_int_equal(lf__check(dm, "Device.Obj.Nums", "1,11", NULL), 9007);
	assert_int_equal(lf__check(dm, "Device.Obj.Nums", "1,", NULL), 9007);
	/* text XML cannot carry: control characters and broken UTF-8 */
	assert_int_equal(lf__check(dm, "Device.Obj.Str", "a\x01", NULL), 9007);
	assert_int_equal(lf__check(dm, "Device.Obj.Str", "\xc3\x28", NULL), 9007);
	assert_int_equal(lf__check(dm, "Device.Obj.Str", "\xc0\xaf", NULL), 9007);
	assert_int_equal(lf__check(dm, "Device.Obj.Str", "\xc3\xa9t\xc3\xa9", NULL), 0);
	henb_dm_free(&dm);
}

static void test_names_resolve_and_render(void **state)
{
	struct henb_dm *dm = lf__new();
	struct henb_dm_ref r;
	char name[HENB_DM_MAX_NAME];
	assert_int_equal(henb_dm_resolve(dm, "Device.Obj.Tab.", &r), LF_OK);
	assert_true(r.table_level);
	assert_int_equal(r.param, -1);
	int row = lf__add(dm, "Device.Obj.Tab.");
	assert_true(row > 0);
	assert_int_equal(henb_dm_resolve(dm, "Device.Obj.Tab.1.Sub.X", &r), LF_OK);
	assert_int_equal(henb_dm_name(dm, &r, name, sizeof(name)), LF_OK);
	assert_string_equal(name, "Device.Obj.Tab.1.Sub.X");
	assert_int_equal(henb_dm_resolve(dm, "Device.Obj.Tab.1.Inner.", &r), LF_OK);
	assert_true(r.table_level);
	assert_int_equal(henb_dm_name(dm, &r, name, sizeof(name)), LF_OK);
	assert_string_equal(name, "Device.Obj.Tab.1.Inner.");
	/* the vendor prefix carries the configured OUI */
	assert_int_equal(henb_dm_resolve(dm, "Device.X_00005A_Vendor.V", &r), LF_OK);
	assert_int_equal(henb_dm_name(dm, &r, name, sizeof(name)), LF_OK);
	assert_string_equal(name, "Device.X_00005A_Vendor.V");
	static const char *const bad[] = {
		"", "Device", "Device.Obj", "Device.Obj.Num.", "Device..Obj.", "Device.Obj.Tab.01.", "Device.Obj.Tab.0.",
		"Device.Obj.Tab.2.", "Device.Obj.Tab.1", "Device.Obj.Tab.x.", "Device.Nope.", "Device.Obj.Nope",
		"Device.X_{OUI}_Vendor.V", "Device.X_00005B_Vendor.", "Device.Obj.Tab.1.Sub", "Device.Obj.Tab.99999999999.",
		"InternetGatewayDevice.",
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		if (henb_dm_resolve(dm, bad[i], &r) != LF_ENOTFOUND)
			fail_msg("'%s' resolved", bad[i]);
	henb_dm_free(&dm);
}

static void test_instance_numbers_are_not_reused_and_tables_are_bounded(void **state)
{
	struct henb_dm *dm = lf__new();
	assert_int_equal(henb_dm_instance(dm, lf__add(dm, "Device.Obj.Tab.")), 1);
	assert_int_equal(henb_dm_instance(dm, lf__add(dm, "Device.Obj.Tab.")), 2);
	assert_int_equal(henb_dm_instance(dm, lf__add(dm, "Device.Obj.Tab.")), 3);
	assert_int_equal(lf__add(dm, "Device.Obj.Tab."), LF_ETOOBIG);
	assert_string_equal(lf__val(dm, "Device.Obj.TabNumberOfEntries"), "3");
	struct henb_dm_ref r = lf__ref(dm, "Device.Obj.Tab.2.");
	assert_int_equal(henb_dm_delete(dm, r.row, HENB_DM_ORIGIN_ACS), LF_OK);
	assert_string_equal(lf__val(dm, "Device.Obj.TabNumberOfEntries"), "2");
	/* 2 is gone, and the next row is 4, not 2 */
	assert_int_equal(henb_dm_resolve(dm, "Device.Obj.Tab.2.", &r), LF_ENOTFOUND);
	assert_int_equal(henb_dm_instance(dm, lf__add(dm, "Device.Obj.Tab.")), 4);
	/* an explicit number that is taken */
	struct henb_dm_ref t = lf__ref(dm, "Device.Obj.Tab.");
	assert_int_equal(lf__add(dm, "Device.Obj.Tab."), LF_ETOOBIG);
	r = lf__ref(dm, "Device.Obj.Tab.4.");
	henb_dm_delete(dm, r.row, HENB_DM_ORIGIN_ACS);
	assert_int_equal(henb_dm_add(dm, &t, 3, HENB_DM_ORIGIN_ACS), LF_EEXIST);
	henb_dm_free(&dm);
}

static void test_nested_rows_go_with_their_parent(void **state)
{
	struct henb_dm *dm = lf__new();
	lf__add(dm, "Device.Obj.Tab.");
	lf__add(dm, "Device.Obj.Tab.");
	assert_true(lf__add(dm, "Device.Obj.Tab.1.Inner.") > 0);
	assert_true(lf__add(dm, "Device.Obj.Tab.1.Inner.") > 0);
	assert_true(lf__add(dm, "Device.Obj.Tab.2.Inner.") > 0);
	assert_string_equal(lf__val(dm, "Device.Obj.Tab.1.InnerNumberOfEntries"), "2");
	assert_string_equal(lf__val(dm, "Device.Obj.Tab.2.InnerNumberOfEntries"), "1");
	/* numbers are per table, counted across parents */
	assert_string_equal(lf__val(dm, "Device.Obj.Tab.2.Inner.3.Y"), "y");
	struct henb_dm_ref r = lf__ref(dm, "Device.Obj.Tab.1.");
	henb_dm_delete(dm, r.row, HENB_DM_ORIGIN_ACS);
	assert_int_equal(henb_dm_resolve(dm, "Device.Obj.Tab.1.Inner.1.Y", &r), LF_ENOTFOUND);
	/* the inner pool has room again: 4 rows max, 1 in use */
	for (int i = 0; i < 3; i++)
		assert_true(lf__add(dm, "Device.Obj.Tab.2.Inner.") > 0);
	assert_int_equal(lf__add(dm, "Device.Obj.Tab.2.Inner."), LF_ETOOBIG);
	henb_dm_free(&dm);
}

struct lf__names {
	struct henb_dm *dm;
	char list[4096];
};

static int lf__collect(void *vctx, const struct henb_dm_ref *ref)
{
	struct lf__names *c = vctx;
	char name[HENB_DM_MAX_NAME];
	henb_dm_name(c->dm, ref, name, sizeof(name));
	size_t n = strlen(c->list);
	snprintf(c->list + n, sizeof(c->list) - n, "%s%s%s", n ? " " : "", name,
		 henb_dm_writable(c->dm, ref) ? "(w)" : "");
	return 0;
}

static const char *lf__walk(struct henb_dm *dm, const char *start, unsigned flags)
{
	static struct lf__names c;
	memset(&c, 0, sizeof(c));
	c.dm = dm;
	struct henb_dm_ref r = lf__ref(dm, start);
	henb_dm_walk(dm, &r, flags, lf__collect, &c);
	return c.list;
}

static void test_walks_follow_get_parameter_names_next_level(void **state)
{
	struct henb_dm *dm = lf__new();
	lf__add(dm, "Device.Obj.Tab.");
	lf__add(dm, "Device.Obj.Tab.1.Inner.");
	unsigned next = HENB_DM_WALK_OBJECTS | HENB_DM_WALK_NEXT_LEVEL;
	unsigned all = HENB_DM_WALK_OBJECTS | HENB_DM_WALK_SELF;
	/* NextLevel true: the direct children only; a table's children are its instances */
	assert_string_equal(lf__walk(dm, "Device.", next), "Device.Version Device.Obj. Device.X_00005A_Vendor. Device.RO.");
	assert_string_equal(lf__walk(dm, "Device.Obj.Tab.", next), "Device.Obj.Tab.1.(w)");
	assert_string_equal(lf__walk(dm, "Device.Obj.Tab.1.", next),
			    "Device.Obj.Tab.1.Name(w) Device.Obj.Tab.1.Val(w) Device.Obj.Tab.1.InnerNumberOfEntries "
			    "Device.Obj.Tab.1.Sub. Device.Obj.Tab.1.Inner.(w)");
	/* NextLevel false: the object itself and everything below */
	assert_string_equal(lf__walk(dm, "Device.Obj.Tab.1.", all),
			    "Device.Obj.Tab.1.(w) Device.Obj.Tab.1.Name(w) Device.Obj.Tab.1.Val(w) "
			    "Device.Obj.Tab.1.InnerNumberOfEntries Device.Obj.Tab.1.Sub. Device.Obj.Tab.1.Sub.X(w) "
			    "Device.Obj.Tab.1.Inner.(w) Device.Obj.Tab.1.Inner.1.(w) Device.Obj.Tab.1.Inner.1.Y(w)");
	/* a read-only table is not writable, nor are its rows */
	struct henb_dm_ref t = lf__ref(dm, "Device.RO.ROTab.");
	henb_dm_add(dm, &t, 0, HENB_DM_ORIGIN_CPE);
	assert_string_equal(lf__walk(dm, "Device.RO.", all),
			    "Device.RO. Device.RO.ROTabNumberOfEntries Device.RO.ROTab. Device.RO.ROTab.1. "
			    "Device.RO.ROTab.1.Z");
	/* parameters only (GetParameterValues) */
	assert_string_equal(lf__walk(dm, "Device.Obj.Tab.", 0),
			    "Device.Obj.Tab.1.Name(w) Device.Obj.Tab.1.Val(w) Device.Obj.Tab.1.InnerNumberOfEntries "
			    "Device.Obj.Tab.1.Sub.X(w) Device.Obj.Tab.1.Inner.1.Y(w)");
	henb_dm_free(&dm);
}

static void test_secrets_read_empty_and_live_values_are_computed(void **state)
{
	struct henb_dm *dm = lf__new();
	char v[64];
	struct henb_dm_ref r = lf__ref(dm, "Device.Obj.Secret");
	assert_string_equal(lf__val(dm, "Device.Obj.Secret"), "");
	henb_dm_get(dm, &r, true, v, sizeof(v));
	assert_string_equal(v, "hidden");
	lf__live_counter = 41;
	assert_string_equal(lf__val(dm, "Device.Obj.Live"), "41");
	r = lf__ref(dm, "Device.Obj.Live");
	assert_int_equal(henb_dm_set(dm, &r, "3", HENB_DM_ORIGIN_CPE), LF_EINVAL);
	henb_dm_free(&dm);
}

static void test_changes_call_back_with_their_origin(void **state)
{
	struct henb_dm *dm = lf__new();
	lf__changes = 0;
	henb_dm_set_str(dm, "Device.Obj.Num", "9", HENB_DM_ORIGIN_ACS);
	assert_int_equal(lf__changes, 1);
	assert_int_equal(lf__last_origin, HENB_DM_ORIGIN_ACS);
	henb_dm_set_str(dm, "Device.Obj.Num", "9", HENB_DM_ORIGIN_CPE); /* same value: no change */
	assert_int_equal(lf__changes, 1);
	henb_dm_set_str(dm, "Device.Obj.Num", "10", HENB_DM_ORIGIN_INIT); /* factory/persisted: silent */
	assert_int_equal(lf__changes, 1);
	assert_int_equal(henb_dm_set_str(dm, "Device.Obj.Num", "1000", HENB_DM_ORIGIN_CPE), LF_EINVAL);
	assert_string_equal(lf__val(dm, "Device.Obj.Num"), "10");
	henb_dm_free(&dm);
}

static void test_notification_attributes_refuse_what_the_parameter_denies(void **state)
{
	struct henb_dm *dm = lf__new();
	struct henb_dm_ref live = lf__ref(dm, "Device.Obj.Live");
	struct henb_dm_ref forced = lf__ref(dm, "Device.Obj.Forced");
	struct henb_dm_ref num = lf__ref(dm, "Device.Obj.Num");
	struct henb_dm_ref status = lf__ref(dm, "Device.Obj.Status");
	assert_int_equal(henb_dm_check_notification(dm, &live, 2), 9009); /* canDeny */
	assert_int_equal(henb_dm_check_notification(dm, &live, 1), 0);
	assert_int_equal(henb_dm_check_notification(dm, &forced, 0), 9009); /* forceEnabled */
	assert_int_equal(henb_dm_check_notification(dm, &forced, 2), 0);
	assert_int_equal(henb_dm_check_notification(dm, &num, 3), 9009); /* lightweight: not supported */
	assert_int_equal(henb_dm_check_notification(dm, &num, 7), 9003);
	/* forceEnabled and forceDefaultEnabled start Active; the latter may be turned off */
	assert_int_equal(henb_dm_notification(dm, &forced), 2);
	assert_int_equal(henb_dm_notification(dm, &status), 2);
	assert_int_equal(henb_dm_check_notification(dm, &status, 0), 0);
	henb_dm_set_attributes(dm, &num, true, 1, true, HENB_DM_ACCESS_SUBSCRIBER);
	assert_int_equal(henb_dm_notification(dm, &num), 1);
	assert_int_equal(henb_dm_access(dm, &num), HENB_DM_ACCESS_SUBSCRIBER);
	henb_dm_set_attributes(dm, &num, false, 0, true, 0);
	assert_int_equal(henb_dm_notification(dm, &num), 1);
	assert_int_equal(henb_dm_access(dm, &num), 0);
	henb_dm_free(&dm);
}

static void test_value_changes_are_marked_for_notification(void **state)
{
	struct henb_dm *dm = lf__new();
	struct henb_dm_ref out[8];
	bool active = false;
	struct henb_dm_ref num = lf__ref(dm, "Device.Obj.Num");
	struct henb_dm_ref str = lf__ref(dm, "Device.Obj.Str");
	/* Notification off: nothing */
	henb_dm_set(dm, &str, "a", HENB_DM_ORIGIN_CPE);
	assert_int_equal(henb_dm_pending(dm, &active), 0);
	/* passive */
	henb_dm_set_attributes(dm, &num, true, 1, false, 0);
	henb_dm_set(dm, &num, "11", HENB_DM_ORIGIN_CPE);
	assert_int_equal(henb_dm_pending(dm, &active), 1);
	assert_false(active);
	/* active */
	henb_dm_set_attributes(dm, &str, true, 2, false, 0);
	henb_dm_set(dm, &str, "b", HENB_DM_ORIGIN_CPE);
	assert_int_equal(henb_dm_pending(dm, &active), 2);
	assert_true(active);
	/* the ACS's own write is not reported back, and clears a pending mark */
	henb_dm_set(dm, &str, "c", HENB_DM_ORIGIN_ACS);
	assert_int_equal(henb_dm_pending(dm, &active), 1);
	assert_false(active);
	/* taking them clears; restoring (Inform not delivered) brings them back */
	size_t n = henb_dm_take_pending(dm, out, 8);
	assert_int_equal(n, 1);
	assert_int_equal(out[0].param, num.param);
	assert_int_equal(henb_dm_pending(dm, NULL), 0);
	henb_dm_restore_pending(dm, out, n);
	assert_int_equal(henb_dm_pending(dm, NULL), 1);
	henb_dm_take_pending(dm, out, 8);
	/* a live value with passive notification is reported when it differs from when watching began */
	struct henb_dm_ref live = lf__ref(dm, "Device.Obj.Live");
	lf__live_counter = 1;
	henb_dm_set_attributes(dm, &live, true, 1, false, 0);
	assert_int_equal(henb_dm_take_pending(dm, out, 8), 0);
	lf__live_counter = 2;
	assert_int_equal(henb_dm_take_pending(dm, out, 8), 1);
	assert_int_equal(henb_dm_take_pending(dm, out, 8), 0);
	/* a touched row counts as changed in every watched parameter, even with equal values */
	int row = lf__add(dm, "Device.Obj.Tab.");
	struct henb_dm_ref name = henb_dm_row_ref(dm, lf__ref(dm, "Device.Obj.Tab.").obj, row, "Name");
	henb_dm_set_attributes(dm, &name, true, 2, false, 0);
	henb_dm_touch(dm, row);
	assert_int_equal(henb_dm_pending(dm, &active), 1);
	assert_true(active);
	henb_dm_free(&dm);
}

/* A record-by-record load of a dump, as persist.c does it. */
static void lf__load(struct henb_dm *dm, char *text)
{
	char *line = text;
	while (*line) {
		char *nl = strchr(line, '\n');
		assert_non_null(nl);
		*nl = '\0';
		char type = line[0];
		char *f[8];
		size_t n = 0;
		char *p = line + 2;
		for (char *sp; (sp = strchr(p, ' ')); p = sp + 1) {
			*sp = '\0';
			f[n++] = p;
		}
		f[n++] = p;
		/* the test values hold no escapes, so the fields are the text */
		assert_int_equal(henb_dm_load_record(dm, type, f, n), LF_OK);
		line = nl + 1;
	}
}

static void test_dump_and_load_keep_rows_numbers_values_and_attributes(void **state)
{
	struct henb_dm *dm = lf__new();
	struct lf_buf a, b;
	lf_buf_init(&a, 1 << 20);
	lf_buf_init(&b, 1 << 20);
	lf__add(dm, "Device.Obj.Tab.");
	lf__add(dm, "Device.Obj.Tab.");
	lf__add(dm, "Device.Obj.Tab.");
	struct henb_dm_ref r = lf__ref(dm, "Device.Obj.Tab.1.");
	henb_dm_delete(dm, r.row, HENB_DM_ORIGIN_ACS);
	lf__add(dm, "Device.Obj.Tab.3.Inner.");
	henb_dm_set_str(dm, "Device.Obj.Tab.3.Name", "three", HENB_DM_ORIGIN_ACS);
	henb_dm_set_str(dm, "Device.Obj.Tab.3.Inner.1.Y", "yy", HENB_DM_ORIGIN_ACS);
	henb_dm_set_str(dm, "Device.Obj.Num", "42", HENB_DM_ORIGIN_ACS);
	henb_dm_set_str(dm, "Device.Obj.Status", "busy", HENB_DM_ORIGIN_CPE); /* volatile: not kept */
	r = lf__ref(dm, "Device.Obj.Str");
	henb_dm_set_attributes(dm, &r, true, 2, true, HENB_DM_ACCESS_SUBSCRIBER);
	henb_dm_set(dm, &r, "pending", HENB_DM_ORIGIN_CPE);
	assert_int_equal(henb_dm_dump(dm, &a), LF_OK);

	struct henb_dm *dm2 = lf__new();
	lf__load(dm2, a.data);
	assert_int_equal(henb_dm_dump(dm2, &b), LF_OK);
	lf_buf_reset(&a); /* the first was cut up by the load */
	assert_int_equal(henb_dm_dump(dm, &a), LF_OK);
	assert_string_equal(b.data, a.data);
	assert_string_equal(lf__val(dm2, "Device.Obj.Tab.3.Name"), "three");
	assert_string_equal(lf__val(dm2, "Device.Obj.Tab.3.Inner.1.Y"), "yy");
	assert_string_equal(lf__val(dm2, "Device.Obj.TabNumberOfEntries"), "2");
	assert_string_equal(lf__val(dm2, "Device.Obj.Num"), "42");
	assert_string_equal(lf__val(dm2, "Device.Obj.Status"), "idle");
	r = lf__ref(dm2, "Device.Obj.Str");
	assert_int_equal(henb_dm_notification(dm2, &r), 2);
	assert_int_equal(henb_dm_pending(dm2, NULL), 1);
	/* the next number is still 4 */
	assert_int_equal(henb_dm_instance(dm2, lf__add(dm2, "Device.Obj.Tab.")), 4);
	/* records about things this schema lacks are skipped, malformed ones refused */
	char *unknown[] = {"Device.Gone.Param", "1"};
	assert_int_equal(henb_dm_load_record(dm2, 'v', unknown, 2), LF_OK);
	char *badinst[] = {"Device.Obj.Tab.x."};
	assert_int_equal(henb_dm_load_record(dm2, 'r', badinst, 1), LF_EPARSE);
	char *badattr[] = {"Device.Obj.Str", "9", "0", "0"};
	assert_int_equal(henb_dm_load_record(dm2, 'a', badattr, 4), LF_EPARSE);
	char *badval[] = {"Device.Obj.Num", "1000"};
	assert_int_equal(henb_dm_load_record(dm2, 'v', badval, 2), LF_OK); /* dropped: factory value stays */
	assert_string_equal(lf__val(dm2, "Device.Obj.Num"), "42");
	lf_buf_free(&a);
	lf_buf_free(&b);
	henb_dm_free(&dm);
	henb_dm_free(&dm2);
}

static void test_reset_brings_back_the_factory_state(void **state)
{
	struct henb_dm *dm = lf__new();
	lf__add(dm, "Device.Obj.Tab.");
	henb_dm_set_str(dm, "Device.Obj.Num", "42", HENB_DM_ORIGIN_ACS);
	henb_dm_reset(dm);
	assert_string_equal(lf__val(dm, "Device.Obj.Num"), "5");
	assert_string_equal(lf__val(dm, "Device.Obj.TabNumberOfEntries"), "0");
	assert_int_equal(henb_dm_instance(dm, lf__add(dm, "Device.Obj.Tab.")), 1);
	char bad[HENB_DM_MAX_NAME];
	assert_int_equal(henb_dm_self_check(dm, bad, sizeof(bad)), 0);
	henb_dm_free(&dm);
}

static void test_inconsistent_schemas_are_refused(void **state)
{
	static const struct henb_dm_object orphan[] = {
		HENB_OBJ("Device.", 0, 0, NULL, lf__root),
		HENB_OBJ("Device.Missing.Child.", 0, 0, NULL, lf__vendor),
	};
	static const struct henb_dm_object no_count[] = {
		HENB_OBJ("Device.", 0, 0, NULL, lf__root),
		HENB_OBJ("Device.T.{i}.", HENB_DM_TABLE, 2, "NoSuchNumberOfEntries", lf__vendor),
	};
	static const char *const modes[] = {"A", NULL};
	static const struct henb_dm_param bad_default[] = {HENB_P_STR("M", 0, 0, .enums = modes, .def = "B")};
	static const struct henb_dm_object bad_def[] = {
		HENB_OBJ("Device.", 0, 0, NULL, bad_default),
	};
	const struct henb_dm_module m1 = {orphan, HENB_N(orphan)}, m2 = {no_count, HENB_N(no_count)},
				    m3 = {bad_def, HENB_N(bad_def)};
	const struct henb_dm_module *const l1[] = {&m1}, *const l2[] = {&m2}, *const l3[] = {&m3};
	char err[256];
	henb_config_defaults(&lf__cfg);
	assert_null(henb_dm_new(l1, 1, &lf__cfg, NULL, err, sizeof(err)));
	assert_non_null(strstr(err, "parent"));
	assert_null(henb_dm_new(l2, 1, &lf__cfg, NULL, err, sizeof(err)));
	assert_non_null(strstr(err, "NoSuchNumberOfEntries"));
	assert_null(henb_dm_new(l3, 1, &lf__cfg, NULL, err, sizeof(err)));
	assert_non_null(strstr(err, "factory value"));
}

static void test_the_henbd_schema_builds_and_validates(void **state)
{
	size_t n;
	const struct henb_dm_module *const *mods = henb_dm_schema(&n);
	char err[256], bad[HENB_DM_MAX_NAME];
	henb_config_defaults(&lf__cfg);
	struct henb_dm *dm = henb_dm_new(mods, n, &lf__cfg, NULL, err, sizeof(err));
	if (!dm)
		fail_msg("%s", err);
	assert_int_equal(henb_dm_self_check(dm, bad, sizeof(bad)), 0);
	assert_string_equal(henb_dm_get_str(dm, "Device.ManagementServer.URL"), lf__cfg.acs_url);
	assert_string_equal(henb_dm_get_str(dm, "Device.FaultMgmt.MaxCurrentAlarmEntries"), "32");
	henb_dm_free(&dm);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_factory_values_come_from_defaults_and_config),
		cmocka_unit_test(test_values_are_checked_against_type_range_length_and_enum),
		cmocka_unit_test(test_names_resolve_and_render),
		cmocka_unit_test(test_instance_numbers_are_not_reused_and_tables_are_bounded),
		cmocka_unit_test(test_nested_rows_go_with_their_parent),
		cmocka_unit_test(test_walks_follow_get_parameter_names_next_level),
		cmocka_unit_test(test_secrets_read_empty_and_live_values_are_computed),
		cmocka_unit_test(test_changes_call_back_with_their_origin),
		cmocka_unit_test(test_notification_attributes_refuse_what_the_parameter_denies),
		cmocka_unit_test(test_value_changes_are_marked_for_notification),
		cmocka_unit_test(test_dump_and_load_keep_rows_numbers_values_and_attributes),
		cmocka_unit_test(test_reset_brings_back_the_factory_state),
		cmocka_unit_test(test_inconsistent_schemas_are_refused),
		cmocka_unit_test(test_the_henbd_schema_builds_and_validates),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
