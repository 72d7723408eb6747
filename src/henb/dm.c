/* dm.c: the data model engine: schema indexes built once from the static tables, a fixed pool of table rows,
 * names (resolve and render), values, attributes and value change marks. */
#include "henb/dm.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/alloc.h"
#include "common/err.h"
#include "cwmp/cwmp.h"
#include "henb/config.h"
#include "henb/dm_value.h"
#include "henb/record.h"

#define LF__ROOT (-2) /* row.table of the root row (the objects outside every table) */
#define LF__FREE (-1) /* row.table of an unused row */

/* Per-parameter attribute byte of a row. */
enum {
	LF__A_NOTIF = 0x07,      /* Notification 0..2 */
	LF__A_SUBSCRIBER = 0x08, /* AccessList holds "Subscriber" */
	LF__A_PENDING = 0x10,    /* changed, not yet reported to the ACS */
	LF__A_SET = 0x20,        /* written since factory: persisted */
	LF__A_ATTR = 0x40,       /* attributes written by the ACS: persisted */
};

struct lf__obj {
	const struct henb_dm_object *def;
	int16_t parent;       /* object index; -1 for Device. */
	int16_t owner;        /* the table whose rows hold this object's values (itself if a table); -1 = root */
	uint16_t slot_base;   /* first value slot of this object's parameters in the owner's rows */
	uint8_t depth;        /* tables on the path, this one included */
	const char *seg;      /* last name segment of the path (without {i}) */
	size_t seglen;
	int16_t count_obj;    /* TABLE: object and parameter of NumberOfEntries */
	int16_t count_param;
	uint16_t row_first;   /* TABLE: its rows in the pool */
	uint32_t next_inst;   /* TABLE: next instance number handed out */
};

struct lf__row {
	int16_t table;  /* object index of the table; LF__ROOT; LF__FREE */
	int16_t parent; /* row holding the table's parent object; -1 for the root */
	uint32_t inst;
	uint16_t nslots;
	char **val;     /* one per slot of the owner; live parameters keep the last reported value */
	uint8_t *attr;
};

struct henb_dm {
	struct lf__obj obj[HENB_DM_MAX_OBJECTS];
	size_t n_obj;
	uint16_t slots[HENB_DM_MAX_OBJECTS + 1]; /* value slots per owner: [0] root, [t + 1] table t */
	struct lf__row *rows;
	size_t n_rows;
	const struct henb_config *cfg;
	void *ctx;
	bool dirty;
};

/* ------------------------------------------------------------------------------------------------ */

static void lf__free_row_values(struct lf__row *r)
{
	for (size_t i = 0; i < r->nslots; i++)
		lf_free_ptr(&r->val[i]);
	memset(r->attr, 0, r->nslots);
}

static int lf__row_owner(const struct lf__row *r)
{
	return r->table == LF__ROOT ? -1 : r->table;
}

static void lf__default(const struct henb_dm *dm, const struct henb_dm_param *p, char *out, size_t outlen)
{
	if (p->cfg) {
		const char *field = (const char *)dm->cfg + (p->cfg - 1);
		switch ((enum henb_dm_type)p->type) {
		case HENB_DM_UINT:
		case HENB_DM_INT: {
			long long v;
			memcpy(&v, field, sizeof(v));
			snprintf(out, outlen, "%lld", v);
			return;
		}
		case HENB_DM_BOOL: {
			int v;
			memcpy(&v, field, sizeof(v));
			snprintf(out, outlen, "%s", v ? "true" : "false");
			return;
		}
		case HENB_DM_DATETIME:
			if (!field[0])
				break;
			/* fall through */
		case HENB_DM_STRING: snprintf(out, outlen, "%s", field); return;
		}
	} else if (p->def) {
		snprintf(out, outlen, "%s", p->def);
		return;
	}
	henb__dm_type_default((enum henb_dm_type)p->type, out, outlen);
}

static uint8_t lf__default_attr(const struct henb_dm_param *p)
{
	if (p->flags & (HENB_DM_FORCE_ACTIVE | HENB_DM_DEFAULT_ACTIVE))
		return 2;
	return (p->flags & HENB_DM_DEFAULT_PASSIVE) ? 1 : 0;
}

/* Factory values and attributes of every parameter a row holds. */
static void lf__row_defaults(struct henb_dm *dm, struct lf__row *r)
{
	char v[HENB_DM_MAX_VALUE];
	int owner = lf__row_owner(r);
	for (size_t o = 0; o < dm->n_obj; o++) {
		if (dm->obj[o].owner != owner)
			continue;
		const struct henb_dm_object *d = dm->obj[o].def;
		for (size_t i = 0; i < d->n_params; i++) {
			size_t slot = dm->obj[o].slot_base + i;
			lf__default(dm, &d->params[i], v, sizeof(v));
			lf_free(r->val[slot]);
			r->val[slot] = lf_strdup(v);
			r->attr[slot] = lf__default_attr(&d->params[i]);
		}
	}
}

/* The parent path of a schema path: "A.B.{i}." -> "A.", "A.B." -> "A."; its length, or 0 for "Device.". */
static size_t lf__parent_len(const char *path, bool table, const char **seg, size_t *seglen)
{
	size_t n = strlen(path);
	size_t end = n - 1; /* the final '.' */
	if (table) {
		if (n < 5 || strcmp(path + n - 4, "{i}.") != 0)
			return (size_t)-1;
		end = n - 5;
	}
	size_t start = end;
	while (start > 0 && path[start - 1] != '.')
		start--;
	*seg = path + start;
	*seglen = end - start;
	return start;
}

struct henb_dm *henb_dm_new(const struct henb_dm_module *const *modules, size_t n_modules, const struct henb_config *cfg,
			    void *ctx, char *err, size_t errlen)
{
	struct henb_dm *dm = lf_calloc(1, sizeof(*dm));
	dm->cfg = cfg;
	dm->ctx = ctx;
	size_t total_rows = 1;

	for (size_t m = 0; m < n_modules; m++) {
		for (size_t k = 0; k < modules[m]->n; k++) {
			const struct henb_dm_object *d = &modules[m]->objects[k];
			if (dm->n_obj == HENB_DM_MAX_OBJECTS) {
				snprintf(err, errlen, "more than %d objects", HENB_DM_MAX_OBJECTS);
				goto fail;
			}
			struct lf__obj *o = &dm->obj[dm->n_obj];
			bool table = d->flags & HENB_DM_TABLE;
			size_t plen = 0;
			o->def = d;
			o->parent = -1;
			o->owner = -1;
			if (strncmp(d->path, "Device.", 7) != 0 || d->path[strlen(d->path) - 1] != '.' ||
			    (dm->n_obj == 0) != (strcmp(d->path, "Device.") == 0)) {
				snprintf(err, errlen, "object %s: paths start at Device., which comes first", d->path);
				goto fail;
			}
			if (dm->n_obj > 0) {
				plen = lf__parent_len(d->path, table, &o->seg, &o->seglen);
				if (plen == (size_t)-1 || o->seglen == 0) {
					snprintf(err, errlen, "object %s: malformed path", d->path);
					goto fail;
				}
				for (size_t j = 0; j < dm->n_obj; j++)
					if (strlen(dm->obj[j].def->path) == plen &&
					    strncmp(dm->obj[j].def->path, d->path, plen) == 0)
						o->parent = (int16_t)j;
				if (o->parent < 0) {
					snprintf(err, errlen, "object %s: parent not registered before it", d->path);
					goto fail;
				}
			} else {
				o->seg = "Device";
				o->seglen = 6;
			}
			const struct lf__obj *par = o->parent >= 0 ? &dm->obj[o->parent] : NULL;
			o->owner = table ? (int16_t)dm->n_obj : (par ? par->owner : -1);
			o->depth = (uint8_t)((par ? par->depth : 0) + (table ? 1 : 0));
			if (o->depth > HENB_DM_MAX_DEPTH || d->n_params > HENB_DM_MAX_PARAMS) {
				snprintf(err, errlen, "object %s: too deep or too many parameters", d->path);
				goto fail;
			}
			o->slot_base = dm->slots[o->owner + 1];
			dm->slots[o->owner + 1] = (uint16_t)(dm->slots[o->owner + 1] + d->n_params);
			o->count_obj = o->count_param = -1;
			o->next_inst = 1;
			if (table) {
				if (!d->max_rows || d->max_rows > HENB_DM_MAX_ROWS_PER_TABLE || !d->count_param) {
					snprintf(err, errlen, "table %s: needs max_rows and count_param", d->path);
					goto fail;
				}
				for (size_t i = 0; i < par->def->n_params; i++)
					if (strcmp(par->def->params[i].name, d->count_param) == 0)
						o->count_param = (int16_t)i;
				const struct henb_dm_param *cp =
					o->count_param >= 0 ? &par->def->params[o->count_param] : NULL;
				if (!cp || cp->type != HENB_DM_UINT || !(cp->flags & HENB_DM_VOLATILE) || cp->get) {
					snprintf(err, errlen, "table %s: %s must be a stored volatile unsignedInt of its parent",
						 d->path, d->count_param);
					goto fail;
				}
				o->count_obj = o->parent;
				o->row_first = (uint16_t)total_rows;
				total_rows += d->max_rows;
			}
			for (size_t i = 0; i < d->n_params; i++) {
				const struct henb_dm_param *p = &d->params[i];
				char v[HENB_DM_MAX_VALUE], canon[HENB_DM_MAX_VALUE];
				lf__default(dm, p, v, sizeof(v));
				if (!p->get && henb__dm_check_value(p, v, canon, sizeof(canon))) {
					snprintf(err, errlen, "parameter %s%s: factory value '%.64s' is not valid", d->path,
						 p->name, v);
					goto fail;
				}
			}
			dm->n_obj++;
		}
	}
	if (total_rows > INT16_MAX) {
		snprintf(err, errlen, "more than %d rows", INT16_MAX);
		goto fail;
	}
	dm->n_rows = total_rows;
	dm->rows = lf_calloc(total_rows, sizeof(*dm->rows));
	for (size_t r = 0; r < total_rows; r++) {
		dm->rows[r].table = LF__FREE;
		dm->rows[r].parent = -1;
	}
	dm->rows[0].table = LF__ROOT;
	for (size_t o = 0; o < dm->n_obj; o++) {
		if (!(dm->obj[o].def->flags & HENB_DM_TABLE))
			continue;
		for (size_t r = 0; r < dm->obj[o].def->max_rows; r++) {
			struct lf__row *row = &dm->rows[dm->obj[o].row_first + r];
			row->nslots = dm->slots[o + 1];
			row->val = lf_calloc(row->nslots ? row->nslots : 1, sizeof(char *));
			row->attr = lf_calloc(row->nslots ? row->nslots : 1, 1);
		}
	}
	dm->rows[0].nslots = dm->slots[0];
	dm->rows[0].val = lf_calloc(dm->slots[0] ? dm->slots[0] : 1, sizeof(char *));
	dm->rows[0].attr = lf_calloc(dm->slots[0] ? dm->slots[0] : 1, 1);
	lf__row_defaults(dm, &dm->rows[0]);
	return dm;
fail:
	lf_free(dm);
	return NULL;
}

void henb_dm_free(struct henb_dm **dmp)
{
	struct henb_dm *dm = *dmp;
	if (!dm)
		return;
	for (size_t r = 0; r < dm->n_rows; r++) {
		struct lf__row *row = &dm->rows[r];
		if (!row->val)
			continue;
		for (size_t i = 0; i < row->nslots; i++)
			lf_free(row->val[i]);
		lf_free(row->val);
		lf_free(row->attr);
	}
	lf_free(dm->rows);
	lf_free(dm);
	*dmp = NULL;
}

void henb_dm_reset(struct henb_dm *dm)
{
	for (size_t r = 1; r < dm->n_rows; r++) {
		struct lf__row *row = &dm->rows[r];
		if (row->table >= 0)
			lf__free_row_values(row);
		row->table = LF__FREE;
		row->parent = -1;
		row->inst = 0;
	}
	for (size_t o = 0; o < dm->n_obj; o++)
		dm->obj[o].next_inst = 1;
	lf__row_defaults(dm, &dm->rows[0]);
	dm->dirty = true;
}

/* ------------------------------------------------------------------------------------------------ names */

/* Does the schema segment (which may hold "{OUI}") equal the name segment? */
static bool lf__seg_eq(const struct henb_dm *dm, const char *seg, size_t seglen, const char *tok, size_t toklen)
{
	size_t i = 0, j = 0;
	size_t ol = strlen(dm->cfg->oui);
	while (i < seglen) {
		if (seglen - i >= 5 && memcmp(seg + i, "{OUI}", 5) == 0) {
			if (toklen - j < ol || memcmp(tok + j, dm->cfg->oui, ol) != 0)
				return false;
			i += 5;
			j += ol;
			continue;
		}
		if (j >= toklen || seg[i] != tok[j])
			return false;
		i++;
		j++;
	}
	return j == toklen;
}

int henb_dm_row_find(const struct henb_dm *dm, int obj, int parent, uint32_t instance)
{
	if (obj < 0 || (size_t)obj >= dm->n_obj || !(dm->obj[obj].def->flags & HENB_DM_TABLE))
		return -1;
	const struct lf__obj *o = &dm->obj[obj];
	for (size_t r = o->row_first; r < (size_t)o->row_first + o->def->max_rows; r++)
		if (dm->rows[r].table == obj && dm->rows[r].parent == parent && dm->rows[r].inst == instance)
			return (int)r;
	return -1;
}

size_t henb_dm_rows(const struct henb_dm *dm, int obj, int parent, int *out, size_t max)
{
	size_t n = 0;
	if (obj < 0 || (size_t)obj >= dm->n_obj || !(dm->obj[obj].def->flags & HENB_DM_TABLE))
		return 0;
	const struct lf__obj *o = &dm->obj[obj];
	for (size_t r = o->row_first; r < (size_t)o->row_first + o->def->max_rows && n < max; r++) {
		if (dm->rows[r].table != obj || dm->rows[r].parent != parent)
			continue;
		/* Insertion sort by instance number: tables are small. */
		size_t k = n++;
		while (k > 0 && dm->rows[out[k - 1]].inst > dm->rows[r].inst) {
			out[k] = out[k - 1];
			k--;
		}
		out[k] = (int)r;
	}
	return n;
}

static bool lf__parse_inst(const char *s, size_t n, uint32_t *out)
{
	if (n == 0 || n > 10 || (s[0] == '0'))
		return false;
	uint64_t v = 0;
	for (size_t i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return false;
		v = v * 10 + (uint64_t)(s[i] - '0');
	}
	if (v > UINT32_MAX)
		return false;
	*out = (uint32_t)v;
	return true;
}

int henb_dm_resolve(const struct henb_dm *dm, const char *name, struct henb_dm_ref *ref)
{
	size_t len = strlen(name);
	if (len < 7 || strncmp(name, "Device.", 7) != 0 || len >= HENB_DM_MAX_NAME)
		return LF_ENOTFOUND;
	int obj = 0, row = 0;
	bool need_inst = false;
	const char *p = name + 7;
	while (*p) {
		const char *dot = strchr(p, '.');
		size_t n = dot ? (size_t)(dot - p) : strlen(p);
		if (n == 0)
			return LF_ENOTFOUND; /* ".." */
		if (need_inst) {
			uint32_t inst;
			if (!dot || !lf__parse_inst(p, n, &inst))
				return LF_ENOTFOUND;
			row = henb_dm_row_find(dm, obj, row, inst);
			if (row < 0)
				return LF_ENOTFOUND;
			need_inst = false;
			p = dot + 1;
			continue;
		}
		if (!dot) {
			/* The last segment without a dot: a parameter of the current object. */
			const struct henb_dm_object *d = dm->obj[obj].def;
			for (size_t i = 0; i < d->n_params; i++)
				if (strlen(d->params[i].name) == n && strncmp(d->params[i].name, p, n) == 0) {
					ref->obj = (int16_t)obj;
					ref->param = (int16_t)i;
					ref->row = (int16_t)row;
					ref->table_level = false;
					return LF_OK;
				}
			return LF_ENOTFOUND;
		}
		int child = -1;
		for (size_t j = (size_t)obj + 1; j < dm->n_obj; j++)
			if (dm->obj[j].parent == obj && lf__seg_eq(dm, dm->obj[j].seg, dm->obj[j].seglen, p, n)) {
				child = (int)j;
				break;
			}
		if (child < 0)
			return LF_ENOTFOUND;
		obj = child;
		need_inst = dm->obj[obj].def->flags & HENB_DM_TABLE;
		p = dot + 1;
	}
	ref->obj = (int16_t)obj;
	ref->param = -1;
	ref->row = (int16_t)row;
	ref->table_level = need_inst;
	return LF_OK;
}

int henb_dm_name(const struct henb_dm *dm, const struct henb_dm_ref *ref, char *out, size_t outlen)
{
	uint32_t inst[HENB_DM_MAX_DEPTH];
	size_t n = 0, k = 0, pos = 0;
	for (int r = ref->row; r > 0 && n < HENB_DM_MAX_DEPTH; r = dm->rows[r].parent)
		inst[n++] = dm->rows[r].inst;
	for (size_t i = 0; i < n / 2; i++) {
		uint32_t t = inst[i];
		inst[i] = inst[n - 1 - i];
		inst[n - 1 - i] = t;
	}
	const char *path = dm->obj[ref->obj].def->path;
	char buf[HENB_DM_MAX_NAME + 64];
	for (const char *s = path; *s && pos < sizeof(buf) - 16;) {
		if (*s != '{') { /* most bytes: the state file names every stored value at every write */
			buf[pos++] = *s++;
			continue;
		}
		if (strncmp(s, "{i}", 3) == 0) {
			if (k == n)
				break; /* a table without instance: the name ends at "Table." */
			pos += (size_t)snprintf(buf + pos, sizeof(buf) - pos, "%u", inst[k++]);
			s += 3;
		} else if (strncmp(s, "{OUI}", 5) == 0) {
			pos += (size_t)snprintf(buf + pos, sizeof(buf) - pos, "%s", dm->cfg->oui);
			s += 5;
		} else {
			buf[pos++] = *s++;
		}
	}
	if (pos >= sizeof(buf) - 16)
		return LF_ETOOBIG;
	buf[pos] = '\0';
	const char *leaf = ref->param >= 0 ? dm->obj[ref->obj].def->params[ref->param].name : "";
	size_t leaf_len = strlen(leaf);
	if (pos + leaf_len >= outlen)
		return LF_ETOOBIG;
	memcpy(out, buf, pos);
	memcpy(out + pos, leaf, leaf_len + 1);
	return LF_OK;
}

const struct henb_dm_param *henb_dm_param_def(const struct henb_dm *dm, const struct henb_dm_ref *ref)
{
	if (ref->param < 0)
		return NULL;
	return &dm->obj[ref->obj].def->params[ref->param];
}

const struct henb_dm_object *henb_dm_object_def(const struct henb_dm *dm, int obj)
{
	return dm->obj[obj].def;
}

uint32_t henb_dm_instance(const struct henb_dm *dm, int row)
{
	return row > 0 ? dm->rows[row].inst : 0;
}

int henb_dm_object_index(const struct henb_dm *dm, const char *schema_path)
{
	for (size_t o = 0; o < dm->n_obj; o++)
		if (strcmp(dm->obj[o].def->path, schema_path) == 0)
			return (int)o;
	return -1;
}

int henb_dm_param_index(const struct henb_dm *dm, int obj, const char *leaf)
{
	const struct henb_dm_object *d = dm->obj[obj].def;
	for (size_t i = 0; i < d->n_params; i++)
		if (strcmp(d->params[i].name, leaf) == 0)
			return (int)i;
	return -1;
}

struct henb_dm_ref henb_dm_row_ref(const struct henb_dm *dm, int obj, int row, const char *leaf)
{
	struct henb_dm_ref r = {.obj = (int16_t)obj, .param = -1, .row = (int16_t)row, .table_level = false};
	if (leaf)
		r.param = (int16_t)henb_dm_param_index(dm, obj, leaf);
	return r;
}

/* ------------------------------------------------------------------------------------------------ walk */

static int lf__walk_children(const struct henb_dm *dm, int obj, int row, unsigned flags, henb_dm_visit_fn visit,
			     void *vctx);

static int lf__walk_table(const struct henb_dm *dm, int obj, int parent_row, unsigned flags, henb_dm_visit_fn visit,
			  void *vctx)
{
	int rows[HENB_DM_MAX_ROWS_PER_TABLE];
	size_t n = henb_dm_rows(dm, obj, parent_row, rows, sizeof(rows) / sizeof(rows[0]));
	for (size_t i = 0; i < n; i++) {
		struct henb_dm_ref r = {.obj = (int16_t)obj, .param = -1, .row = (int16_t)rows[i]};
		int rc = (flags & HENB_DM_WALK_OBJECTS) ? visit(vctx, &r) : 0;
		if (!rc && !(flags & HENB_DM_WALK_NEXT_LEVEL))
			rc = lf__walk_children(dm, obj, rows[i], flags, visit, vctx);
		if (rc)
			return rc;
	}
	return 0;
}

static int lf__walk_children(const struct henb_dm *dm, int obj, int row, unsigned flags, henb_dm_visit_fn visit,
			     void *vctx)
{
	const struct henb_dm_object *d = dm->obj[obj].def;
	int rc;
	for (size_t i = 0; i < d->n_params; i++) {
		struct henb_dm_ref r = {.obj = (int16_t)obj, .param = (int16_t)i, .row = (int16_t)row};
		rc = visit(vctx, &r);
		if (rc)
			return rc;
	}
	for (size_t c = (size_t)obj + 1; c < dm->n_obj; c++) {
		if (dm->obj[c].parent != obj)
			continue;
		bool table = dm->obj[c].def->flags & HENB_DM_TABLE;
		struct henb_dm_ref r = {.obj = (int16_t)c, .param = -1, .row = (int16_t)row, .table_level = table};
		rc = (flags & HENB_DM_WALK_OBJECTS) ? visit(vctx, &r) : 0;
		if (rc)
			return rc;
		if (flags & HENB_DM_WALK_NEXT_LEVEL)
			continue;
		rc = table ? lf__walk_table(dm, (int)c, row, flags, visit, vctx)
			   : lf__walk_children(dm, (int)c, row, flags, visit, vctx);
		if (rc)
			return rc;
	}
	return 0;
}

int henb_dm_walk(const struct henb_dm *dm, const struct henb_dm_ref *start, unsigned flags, henb_dm_visit_fn visit,
		 void *vctx)
{
	if (start->param >= 0)
		return visit(vctx, start);
	if ((flags & HENB_DM_WALK_SELF) && (flags & HENB_DM_WALK_OBJECTS)) {
		int rc = visit(vctx, start);
		if (rc)
			return rc;
	}
	if (start->table_level)
		return lf__walk_table(dm, start->obj, start->row, flags, visit, vctx);
	return lf__walk_children(dm, start->obj, start->row, flags, visit, vctx);
}

bool henb_dm_writable(const struct henb_dm *dm, const struct henb_dm_ref *ref)
{
	if (ref->param >= 0)
		return dm->obj[ref->obj].def->params[ref->param].flags & HENB_DM_W;
	if (dm->obj[ref->obj].def->flags & HENB_DM_TABLE)
		return dm->obj[ref->obj].def->flags & HENB_DM_ADDABLE;
	return false;
}

/* ------------------------------------------------------------------------------------------------ values */

static size_t lf__slot(const struct henb_dm *dm, const struct henb_dm_ref *ref)
{
	return dm->obj[ref->obj].slot_base + (size_t)ref->param;
}

static bool lf__valid_param_ref(const struct henb_dm *dm, const struct henb_dm_ref *ref)
{
	if (ref->obj < 0 || (size_t)ref->obj >= dm->n_obj || ref->param < 0 ||
	    (size_t)ref->param >= dm->obj[ref->obj].def->n_params || ref->row < 0 || (size_t)ref->row >= dm->n_rows)
		return false;
	return lf__row_owner(&dm->rows[ref->row]) == dm->obj[ref->obj].owner &&
	       dm->rows[ref->row].table != LF__FREE;
}

void henb_dm_get(const struct henb_dm *dm, const struct henb_dm_ref *ref, bool raw, char *out, size_t outlen)
{
	if (!lf__valid_param_ref(dm, ref)) {
		snprintf(out, outlen, "%s", "");
		return;
	}
	const struct henb_dm_param *p = henb_dm_param_def(dm, ref);
	if (!raw && (p->flags & HENB_DM_SECRET)) {
		snprintf(out, outlen, "%s", "");
		return;
	}
	if (p->get) {
		p->get(dm->ctx, ref, out, outlen);
		return;
	}
	const char *v = dm->rows[ref->row].val[lf__slot(dm, ref)];
	snprintf(out, outlen, "%s", v ? v : "");
}

const char *henb_dm_get_str(const struct henb_dm *dm, const char *name)
{
	struct henb_dm_ref ref;
	if (henb_dm_resolve(dm, name, &ref) || ref.param < 0)
		return "";
	const char *v = dm->rows[ref.row].val[lf__slot(dm, &ref)];
	return v ? v : "";
}

uint32_t henb_dm_check(const struct henb_dm *dm, const struct henb_dm_ref *ref, const char *value, char *canon,
		       size_t canonlen)
{
	if (!lf__valid_param_ref(dm, ref))
		return CWMP_FAULT_INVALID_PARAMETER_NAME;
	return henb__dm_check_value(henb_dm_param_def(dm, ref), value, canon, canonlen);
}

/* Store a checked value; mark persistence and notification per origin. loaded: from the state file. */
static int lf__set(struct henb_dm *dm, const struct henb_dm_ref *ref, const char *value, enum henb_dm_origin origin,
		   bool loaded)
{
	char canon[HENB_DM_MAX_VALUE];
	if (!lf__valid_param_ref(dm, ref))
		return LF_EINVAL;
	const struct henb_dm_param *p = henb_dm_param_def(dm, ref);
	if (p->get)
		return LF_EINVAL; /* live values are computed, not stored */
	if (henb__dm_check_value(p, value, canon, sizeof(canon)))
		return LF_EINVAL;
	struct lf__row *r = &dm->rows[ref->row];
	size_t slot = lf__slot(dm, ref);
	bool differs = !r->val[slot] || strcmp(r->val[slot], canon) != 0;
	if (differs) {
		lf_free(r->val[slot]);
		r->val[slot] = lf_strdup(canon);
	}
	if (loaded)
		r->attr[slot] |= LF__A_SET;
	if (origin == HENB_DM_ORIGIN_INIT)
		return LF_OK;
	if (differs) {
		r->attr[slot] |= LF__A_SET;
		dm->dirty = true;
	}
	if (origin == HENB_DM_ORIGIN_ACS && (r->attr[slot] & LF__A_PENDING)) {
		/* TR-069 3.2.1: no notification for a change the ACS made itself. */
		r->attr[slot] &= (uint8_t)~LF__A_PENDING;
		dm->dirty = true;
	}
	if (origin == HENB_DM_ORIGIN_CPE && differs && (r->attr[slot] & LF__A_NOTIF))
		r->attr[slot] |= LF__A_PENDING;
	if (differs && p->changed)
		p->changed(dm->ctx, ref, canon, origin);
	return LF_OK;
}

int henb_dm_set(struct henb_dm *dm, const struct henb_dm_ref *ref, const char *value, enum henb_dm_origin origin)
{
	return lf__set(dm, ref, value, origin, false);
}

int henb_dm_set_str(struct henb_dm *dm, const char *name, const char *value, enum henb_dm_origin origin)
{
	struct henb_dm_ref ref;
	if (henb_dm_resolve(dm, name, &ref) || ref.param < 0)
		return LF_ENOTFOUND;
	return henb_dm_set(dm, &ref, value, origin);
}

void henb_dm_touch(struct henb_dm *dm, int row)
{
	struct lf__row *r = &dm->rows[row];
	int owner = lf__row_owner(r);
	for (size_t o = 0; o < dm->n_obj; o++) {
		if (dm->obj[o].owner != owner)
			continue;
		for (size_t i = 0; i < dm->obj[o].def->n_params; i++) {
			size_t slot = dm->obj[o].slot_base + i;
			if ((r->attr[slot] & LF__A_NOTIF) && !dm->obj[o].def->params[i].get) {
				r->attr[slot] |= LF__A_PENDING;
				dm->dirty = true;
			}
		}
	}
}

/* ------------------------------------------------------------------------------------------------ rows */

/* Set the table's NumberOfEntries in the parent row. */
static void lf__recount(struct henb_dm *dm, int obj, int parent_row, enum henb_dm_origin origin)
{
	int rows[HENB_DM_MAX_ROWS_PER_TABLE];
	char v[16];
	size_t n = henb_dm_rows(dm, obj, parent_row, rows, sizeof(rows) / sizeof(rows[0]));
	struct henb_dm_ref c = {.obj = dm->obj[obj].count_obj, .param = dm->obj[obj].count_param,
				.row = (int16_t)parent_row};
	snprintf(v, sizeof(v), "%zu", n);
	lf__set(dm, &c, v, origin, false);
}

int henb_dm_add(struct henb_dm *dm, const struct henb_dm_ref *table, uint32_t instance, enum henb_dm_origin origin)
{
	if (!table->table_level || table->obj < 0 || (size_t)table->obj >= dm->n_obj)
		return LF_EINVAL;
	struct lf__obj *o = &dm->obj[table->obj];
	int slot = -1;
	for (size_t r = o->row_first; r < (size_t)o->row_first + o->def->max_rows; r++)
		if (dm->rows[r].table == LF__FREE) {
			slot = (int)r;
			break;
		}
	if (slot < 0)
		return LF_ETOOBIG;
	if (instance == 0) {
		instance = o->next_inst;
		/* Numbers are not reused while the counter has not wrapped (TR-069 A.3.2.6). */
		while (instance == 0 || henb_dm_row_find(dm, table->obj, table->row, instance) >= 0)
			instance++;
	} else if (henb_dm_row_find(dm, table->obj, table->row, instance) >= 0) {
		return LF_EEXIST;
	}
	if (instance >= o->next_inst)
		o->next_inst = instance == UINT32_MAX ? 1 : instance + 1;
	struct lf__row *r = &dm->rows[slot];
	r->table = table->obj;
	r->parent = table->row;
	r->inst = instance;
	lf__row_defaults(dm, r);
	lf__recount(dm, table->obj, table->row, origin);
	if (origin != HENB_DM_ORIGIN_INIT)
		dm->dirty = true;
	return slot;
}

int henb_dm_delete(struct henb_dm *dm, int row, enum henb_dm_origin origin)
{
	if (row <= 0 || (size_t)row >= dm->n_rows || dm->rows[row].table < 0)
		return LF_EINVAL;
	/* Rows of tables inside this one first. */
	for (size_t r = 1; r < dm->n_rows; r++)
		if (dm->rows[r].table >= 0 && dm->rows[r].parent == row)
			henb_dm_delete(dm, (int)r, origin);
	struct lf__row *r = &dm->rows[row];
	int table = r->table, parent = r->parent;
	lf__free_row_values(r);
	r->table = LF__FREE;
	r->parent = -1;
	r->inst = 0;
	lf__recount(dm, table, parent, origin);
	dm->dirty = true;
	return LF_OK;
}

/* ------------------------------------------------------------------------------------------------ attributes */

int henb_dm_notification(const struct henb_dm *dm, const struct henb_dm_ref *ref)
{
	if (!lf__valid_param_ref(dm, ref))
		return 0;
	return dm->rows[ref->row].attr[lf__slot(dm, ref)] & LF__A_NOTIF;
}

unsigned henb_dm_access(const struct henb_dm *dm, const struct henb_dm_ref *ref)
{
	if (!lf__valid_param_ref(dm, ref))
		return 0;
	return (dm->rows[ref->row].attr[lf__slot(dm, ref)] & LF__A_SUBSCRIBER) ? HENB_DM_ACCESS_SUBSCRIBER : 0;
}

uint32_t henb_dm_check_notification(const struct henb_dm *dm, const struct henb_dm_ref *ref, int notification)
{
	const struct henb_dm_param *p = henb_dm_param_def(dm, ref);
	if (notification < 0 || notification > 6)
		return CWMP_FAULT_INVALID_ARGUMENTS;
	if (notification > 2)
		return CWMP_FAULT_NOTIFICATION_REJECTED; /* lightweight notification is not supported */
	if ((p->flags & HENB_DM_FORCE_ACTIVE) && notification != 2)
		return CWMP_FAULT_NOTIFICATION_REJECTED;
	if (notification == 2 && ((p->flags & HENB_DM_CANDENY) || p->get))
		return CWMP_FAULT_NOTIFICATION_REJECTED;
	return 0;
}

void henb_dm_set_attributes(struct henb_dm *dm, const struct henb_dm_ref *ref, bool set_notification,
			    int notification, bool set_access, unsigned access)
{
	if (!lf__valid_param_ref(dm, ref))
		return;
	struct lf__row *r = &dm->rows[ref->row];
	size_t slot = lf__slot(dm, ref);
	const struct henb_dm_param *p = henb_dm_param_def(dm, ref);
	if (set_notification) {
		r->attr[slot] = (uint8_t)((r->attr[slot] & ~LF__A_NOTIF) | (notification & LF__A_NOTIF));
		if (!notification)
			r->attr[slot] &= (uint8_t)~LF__A_PENDING;
		if (p->get && notification) {
			/* A live value is reported when it differs from the value it had when watching began. */
			char v[HENB_DM_MAX_VALUE];
			p->get(dm->ctx, ref, v, sizeof(v));
			lf_free(r->val[slot]);
			r->val[slot] = lf_strdup(v);
		}
	}
	if (set_access)
		r->attr[slot] = (uint8_t)((r->attr[slot] & ~LF__A_SUBSCRIBER) |
					  ((access & HENB_DM_ACCESS_SUBSCRIBER) ? LF__A_SUBSCRIBER : 0));
	r->attr[slot] |= LF__A_ATTR;
	dm->dirty = true;
}

/* ------------------------------------------------------------------------------------------------ pending */

/* Call fn for every parameter slot of every row in use. */
typedef int (*lf__slot_fn)(struct henb_dm *dm, struct henb_dm_ref *ref, struct lf__row *r, size_t slot, void *c);

static int lf__each_slot(struct henb_dm *dm, lf__slot_fn fn, void *c)
{
	for (size_t ri = 0; ri < dm->n_rows; ri++) {
		struct lf__row *r = &dm->rows[ri];
		if (r->table == LF__FREE)
			continue;
		int owner = lf__row_owner(r);
		for (size_t o = 0; o < dm->n_obj; o++) {
			if (dm->obj[o].owner != owner)
				continue;
			for (size_t i = 0; i < dm->obj[o].def->n_params; i++) {
				struct henb_dm_ref ref = {.obj = (int16_t)o, .param = (int16_t)i, .row = (int16_t)ri};
				int rc = fn(dm, &ref, r, dm->obj[o].slot_base + i, c);
				if (rc)
					return rc;
			}
		}
	}
	return 0;
}

struct lf__pending_ctx {
	size_t n;
	bool active;
	struct henb_dm_ref *out;
	size_t max;
};

static int lf__count_pending(struct henb_dm *dm, struct henb_dm_ref *ref, struct lf__row *r, size_t slot, void *c)
{
	struct lf__pending_ctx *pc = c;
	if (r->attr[slot] & LF__A_PENDING) {
		pc->n++;
		if ((r->attr[slot] & LF__A_NOTIF) == 2)
			pc->active = true;
	}
	return 0;
}

size_t henb_dm_pending(struct henb_dm *dm, bool *active)
{
	struct lf__pending_ctx pc = {0};
	lf__each_slot(dm, lf__count_pending, &pc);
	if (active)
		*active = pc.active;
	return pc.n;
}

static int lf__take_pending(struct henb_dm *dm, struct henb_dm_ref *ref, struct lf__row *r, size_t slot, void *c)
{
	struct lf__pending_ctx *pc = c;
	const struct henb_dm_param *p = henb_dm_param_def(dm, ref);
	if (pc->n == pc->max)
		return 1;
	if (p->get) {
		if (!(r->attr[slot] & LF__A_NOTIF))
			return 0;
		char v[HENB_DM_MAX_VALUE];
		p->get(dm->ctx, ref, v, sizeof(v));
		if (r->val[slot] && strcmp(r->val[slot], v) == 0)
			return 0;
		lf_free(r->val[slot]);
		r->val[slot] = lf_strdup(v);
		pc->out[pc->n++] = *ref;
		return 0;
	}
	if (r->attr[slot] & LF__A_PENDING) {
		r->attr[slot] &= (uint8_t)~LF__A_PENDING;
		pc->out[pc->n++] = *ref;
		dm->dirty = true;
	}
	return 0;
}

size_t henb_dm_take_pending(struct henb_dm *dm, struct henb_dm_ref *out, size_t max)
{
	struct lf__pending_ctx pc = {.out = out, .max = max};
	lf__each_slot(dm, lf__take_pending, &pc);
	return pc.n;
}

void henb_dm_restore_pending(struct henb_dm *dm, const struct henb_dm_ref *refs, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (!lf__valid_param_ref(dm, &refs[i]) || henb_dm_param_def(dm, &refs[i])->get)
			continue;
		struct lf__row *r = &dm->rows[refs[i].row];
		size_t slot = lf__slot(dm, &refs[i]);
		if (r->attr[slot] & LF__A_NOTIF) {
			r->attr[slot] |= LF__A_PENDING;
			dm->dirty = true;
		}
	}
}

/* ------------------------------------------------------------------------------------------------ persistence */

bool henb_dm_dirty(const struct henb_dm *dm)
{
	return dm->dirty;
}

void henb_dm_clear_dirty(struct henb_dm *dm)
{
	dm->dirty = false;
}

struct lf__dump_ctx {
	struct lf_buf *out;
	int result;
};

static int lf__dump_slot(struct henb_dm *dm, struct henb_dm_ref *ref, struct lf__row *r, size_t slot, void *c)
{
	struct lf__dump_ctx *dc = c;
	const struct henb_dm_param *p = henb_dm_param_def(dm, ref);
	char name[HENB_DM_MAX_NAME + 64];
	uint8_t a = r->attr[slot];
	bool keep = !(p->flags & HENB_DM_VOLATILE) && !p->get;
	bool value = (a & LF__A_SET) && keep;
	/* A volatile value is back to its default after a restart: its change mark goes with it. */
	bool pending = (a & LF__A_PENDING) && keep;
	bool attrs = (a & LF__A_ATTR) || pending;
	if (!value && !attrs)
		return 0;
	if (henb_dm_name(dm, ref, name, sizeof(name)))
		return 0;
	if (value) {
		const char *f[2] = {name, r->val[slot] ? r->val[slot] : ""};
		dc->result = henb_record_put(dc->out, 'v', f, 2);
	}
	if (attrs && !dc->result) {
		char n[2] = {(char)('0' + (a & LF__A_NOTIF)), '\0'};
		char acc[2] = {(a & LF__A_SUBSCRIBER) ? '1' : '0', '\0'};
		char pend[2] = {pending ? '1' : '0', '\0'};
		const char *f[4] = {name, n, acc, pend};
		dc->result = henb_record_put(dc->out, 'a', f, 4);
	}
	return dc->result;
}

int henb_dm_dump(struct henb_dm *dm, struct lf_buf *out)
{
	struct lf__dump_ctx dc = {.out = out};
	char name[HENB_DM_MAX_NAME + 64];
	/* Rows first, parents before children: tables are registered parent first. */
	for (size_t o = 0; o < dm->n_obj && !dc.result; o++) {
		const struct lf__obj *ob = &dm->obj[o];
		if (!(ob->def->flags & HENB_DM_TABLE))
			continue;
		for (size_t r = ob->row_first; r < (size_t)ob->row_first + ob->def->max_rows && !dc.result; r++) {
			if (dm->rows[r].table != (int)o)
				continue;
			struct henb_dm_ref ref = {.obj = (int16_t)o, .param = -1, .row = (int16_t)r};
			if (henb_dm_name(dm, &ref, name, sizeof(name)))
				continue;
			const char *f[1] = {name};
			dc.result = henb_record_put(out, 'r', f, 1);
		}
		if (ob->next_inst > 1 && !dc.result) {
			char n[16];
			snprintf(n, sizeof(n), "%u", ob->next_inst);
			const char *f[2] = {ob->def->path, n};
			dc.result = henb_record_put(out, 'i', f, 2);
		}
	}
	if (!dc.result)
		lf__each_slot(dm, lf__dump_slot, &dc);
	return dc.result;
}

static bool lf__parse_u32(const char *s, uint32_t *out)
{
	if (!*s || strlen(s) > 10)
		return false;
	uint64_t v = 0;
	for (const char *p = s; *p; p++) {
		if (*p < '0' || *p > '9')
			return false;
		v = v * 10 + (uint64_t)(*p - '0');
	}
	if (v > UINT32_MAX)
		return false;
	*out = (uint32_t)v;
	return true;
}

static int lf__load_row(struct henb_dm *dm, const char *name)
{
	char table[HENB_DM_MAX_NAME];
	size_t n = strlen(name);
	if (n < 3 || n >= sizeof(table) || name[n - 1] != '.')
		return LF_EPARSE;
	size_t start = n - 1;
	while (start > 0 && name[start - 1] != '.')
		start--;
	uint32_t inst;
	if (!lf__parse_inst(name + start, n - 1 - start, &inst))
		return LF_EPARSE;
	memcpy(table, name, start);
	table[start] = '\0';
	struct henb_dm_ref ref;
	if (henb_dm_resolve(dm, table, &ref) || !ref.table_level)
		return LF_OK; /* a table this firmware does not have */
	if (henb_dm_row_find(dm, ref.obj, ref.row, inst) >= 0)
		return LF_OK;
	int rc = henb_dm_add(dm, &ref, inst, HENB_DM_ORIGIN_INIT);
	return rc < 0 && rc != LF_ETOOBIG ? LF_EPARSE : LF_OK;
}

int henb_dm_load_record(struct henb_dm *dm, char type, char **f, size_t n)
{
	struct henb_dm_ref ref;
	uint32_t a, b, c;
	switch (type) {
	case 'r':
		if (n != 1)
			return LF_EPARSE;
		return lf__load_row(dm, f[0]);
	case 'i': {
		if (n != 2 || !lf__parse_u32(f[1], &a))
			return LF_EPARSE;
		int o = henb_dm_object_index(dm, f[0]);
		if (o >= 0 && (dm->obj[o].def->flags & HENB_DM_TABLE) && a > dm->obj[o].next_inst)
			dm->obj[o].next_inst = a;
		return LF_OK;
	}
	case 'v':
		if (n != 2)
			return LF_EPARSE;
		if (henb_dm_resolve(dm, f[0], &ref) || ref.param < 0)
			return LF_OK;
		if (henb_dm_param_def(dm, &ref)->flags & HENB_DM_VOLATILE)
			return LF_OK;
		/* A value this firmware's type rejects is dropped: the factory value stays. */
		lf__set(dm, &ref, f[1], HENB_DM_ORIGIN_INIT, true);
		return LF_OK;
	case 'a': {
		if (n != 4 || !lf__parse_u32(f[1], &a) || !lf__parse_u32(f[2], &b) || !lf__parse_u32(f[3], &c) ||
		    a > 2 || b > 1 || c > 1)
			return LF_EPARSE;
		if (henb_dm_resolve(dm, f[0], &ref) || ref.param < 0)
			return LF_OK;
		if (henb_dm_check_notification(dm, &ref, (int)a))
			return LF_OK;
		struct lf__row *r = &dm->rows[ref.row];
		size_t slot = lf__slot(dm, &ref);
		r->attr[slot] = (uint8_t)((r->attr[slot] & (LF__A_SET)) | a | (b ? LF__A_SUBSCRIBER : 0) |
					  (c && a ? LF__A_PENDING : 0) | LF__A_ATTR);
		const struct henb_dm_param *p = henb_dm_param_def(dm, &ref);
		if (p->get && a) {
			char v[HENB_DM_MAX_VALUE];
			p->get(dm->ctx, &ref, v, sizeof(v));
			lf_free(r->val[slot]);
			r->val[slot] = lf_strdup(v);
		}
		return LF_OK;
	}
	default: return LF_EPARSE;
	}
}

struct lf__check_ctx {
	char *bad;
	size_t badlen;
};

static int lf__check_slot(struct henb_dm *dm, struct henb_dm_ref *ref, struct lf__row *r, size_t slot, void *c)
{
	struct lf__check_ctx *cc = c;
	const struct henb_dm_param *p = henb_dm_param_def(dm, ref);
	char canon[HENB_DM_MAX_VALUE];
	if (p->get)
		return 0;
	if (!r->val[slot] || henb__dm_check_value(p, r->val[slot], canon, sizeof(canon))) {
		henb_dm_name(dm, ref, cc->bad, cc->badlen);
		return LF_EINVAL;
	}
	return 0;
}

int henb_dm_self_check(struct henb_dm *dm, char *bad, size_t badlen)
{
	struct lf__check_ctx cc = {bad, badlen};
	return lf__each_slot(dm, lf__check_slot, &cc);
}
