/* sqlite_files: SQLite back end: files of the file server. */
#include <sqlite3.h>
#include <stdio.h>
#include <string.h>

#include "common/alloc.h"
#include "common/err.h"
#include "store/sqlite/sqlite_internal.h"

static const char SQL_FILE_ADD[] =
	"INSERT INTO files (name, path, size, sha256, product_class, version, created)"
				" VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7) ON CONFLICT (name) DO UPDATE SET path = ?2, size = ?3,"
				" sha256 = ?4, product_class = ?5, version = ?6, created = ?7";
static const char SQL_FILE_GET[] =
	"SELECT name, path, size, sha256, product_class, version, created FROM files WHERE name = ?1";
static const char SQL_FILE_LIST[] =
	"SELECT name, path, size, sha256, product_class, version, created FROM files ORDER BY name";

static void lf__row_file(sqlite3_stmt *st, struct store_file *f)
{
	memset(f, 0, sizeof(*f));
	sq_col_copy(st, 0, f->name, sizeof(f->name));
	sq_col_copy(st, 1, f->path, sizeof(f->path));
	f->size = sqlite3_column_int64(st, 2);
	sq_col_copy(st, 3, f->sha256, sizeof(f->sha256));
	sq_col_copy(st, 4, f->product_class, sizeof(f->product_class));
	sq_col_copy(st, 5, f->version, sizeof(f->version));
	f->created = sqlite3_column_int64(st, 6);
}

static void lf__row_file_v(sqlite3_stmt *st, void *out)
{
	lf__row_file(st, out);
}

int sq_file_add(struct store *s, const struct store_file *f)
{
	struct sq *q = sq_of(s);
	sqlite3_stmt *st = sq_stmt(q, SQL_FILE_ADD);
	sq_bind_text(st, 1, f->name);
	sq_bind_text(st, 2, f->path);
	sqlite3_bind_int64(st, 3, f->size);
	sq_bind_text(st, 4, f->sha256);
	sq_bind_text(st, 5, f->product_class);
	sq_bind_text(st, 6, f->version);
	sqlite3_bind_int64(st, 7, f->created);
	return sq_step_done(q, st, "file_add");
}

int sq_file_get(struct store *s, const char *name, struct store_file *f)
{
	struct sq *q = sq_of(s);
	sqlite3_stmt *st = sq_stmt(q, SQL_FILE_GET);
	sq_bind_text(st, 1, name);
	return sq_one_row(q, st, "file_get", lf__row_file_v, f);
}

int sq_file_list(struct store *s, int (*cb)(void *ctx, const struct store_file *f), void *ctx)
{
	struct sq *q = sq_of(s);
	sqlite3_stmt *st = sq_stmt(q, SQL_FILE_LIST);
	int result = LF_OK;
	int rc;
	struct store_file f;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		lf__row_file(st, &f);
		result = cb(ctx, &f);
		if (result)
			break;
	}
	if (!result && rc != SQLITE_DONE)
		result = sq_fail(q, "file_list");
	sqlite3_reset(st);
	return result;
}
