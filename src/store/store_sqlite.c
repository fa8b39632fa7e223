/*
 * store_sqlite.c - the embedded SQLite backend (the default).
 *
 * One database file, DATA_DIR/tongdai.db, in WAL mode with synchronous=FULL:
 * a write the API acknowledged is on disk.  Statements are prepared once per
 * connection and reused.  Migrations are numbered SQL scripts applied in
 * order inside a transaction; the applied number is kept in `meta`.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include <sqlite3.h>

#include "base/alloc.h"
#include "store/store_int.h"

/* Each entry upgrades the schema from version i to i + 1.  Never edit a
 * released entry: add a new one. */
static const char *const migrations[] = {
	/* 1: procedures and their versions.  `procedure` is the index of
	 * current versions (the columns filters need); the content of every
	 * version, current included, is stored once, in procedure_version. */
	"CREATE TABLE procedure ("
	"  code TEXT PRIMARY KEY,"
	"  name TEXT NOT NULL,"
	"  field_key TEXT NOT NULL DEFAULT '',"
	"  levels_key TEXT NOT NULL DEFAULT '|',"
	"  owner TEXT,"
	"  version INTEGER NOT NULL);"
	"CREATE INDEX procedure_field ON procedure(field_key);"
	"CREATE TABLE procedure_version ("
	"  code TEXT NOT NULL,"
	"  version INTEGER NOT NULL,"
	"  body TEXT NOT NULL,"
	"  changed_at TEXT NOT NULL,"
	"  changed_by TEXT NOT NULL,"
	"  summary TEXT NOT NULL,"
	"  PRIMARY KEY (code, version)) WITHOUT ROWID;",
};
#define NMIGRATIONS ((int)(sizeof migrations / sizeof migrations[0]))

enum stmt_id {
	ST_CURRENT,
	ST_UPSERT,
	ST_VERSION_INSERT,
	ST_COUNT,
	ST_HISTORY,
	ST_VERSION_GET,
	ST__N
};

#define CURRENT_COLS \
	"SELECT v.code, v.version, v.body, v.changed_at, v.changed_by, v.summary" \
	" FROM procedure p JOIN procedure_version v ON v.code = p.code AND v.version = p.version"

static const char *const stmt_sql[ST__N] = {
	[ST_CURRENT] = CURRENT_COLS " WHERE p.code = ?1",
	[ST_UPSERT] = "INSERT INTO procedure(code, name, field_key, levels_key, owner, version)"
		      " VALUES (?1, ?2, ?3, ?4, ?5, ?6)"
		      " ON CONFLICT(code) DO UPDATE SET name = excluded.name,"
		      " field_key = excluded.field_key, levels_key = excluded.levels_key,"
		      " owner = excluded.owner, version = excluded.version",
	[ST_VERSION_INSERT] = "INSERT INTO procedure_version(code, version, body, changed_at,"
			      " changed_by, summary) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
	[ST_COUNT] = "SELECT count(*) FROM procedure",
	[ST_HISTORY] = "SELECT code, version, body, changed_at, changed_by, summary"
		       " FROM procedure_version WHERE code = ?1 ORDER BY version DESC",
	[ST_VERSION_GET] = "SELECT code, version, body, changed_at, changed_by, summary"
			   " FROM procedure_version WHERE code = ?1 AND version = ?2",
};

struct sqlite_impl {
	sqlite3 *db;
	sqlite3_stmt *stmt[ST__N];
};

static td_err fail(struct store *s, sqlite3 *db, const char *what)
{
	snprintf(s->errmsg, sizeof s->errmsg, "%s: %s", what, db ? sqlite3_errmsg(db) : "?");
	return TD_ERR_DB;
}

static td_err exec(struct store *s, sqlite3 *db, const char *sql)
{
	char *msg = NULL;
	if (sqlite3_exec(db, sql, NULL, NULL, &msg) != SQLITE_OK) {
		snprintf(s->errmsg, sizeof s->errmsg, "%s", msg ? msg : sqlite3_errmsg(db));
		sqlite3_free(msg);
		return TD_ERR_DB;
	}
	return TD_OK;
}

static int user_version(sqlite3 *db)
{
	sqlite3_stmt *st;
	int v = -1;
	if (sqlite3_prepare_v2(db, "PRAGMA user_version", -1, &st, NULL) == SQLITE_OK &&
	    sqlite3_step(st) == SQLITE_ROW)
		v = sqlite3_column_int(st, 0);
	sqlite3_finalize(st);
	return v;
}

static td_err migrate(struct store *s, sqlite3 *db, char *err, size_t errlen)
{
	int v = user_version(db);
	if (v < 0 || v > NMIGRATIONS) {
		snprintf(err, errlen, "database schema version %d is newer than this tongdai (%d)", v,
			 NMIGRATIONS);
		return TD_ERR_DB;
	}
	for (; v < NMIGRATIONS; v++) {
		char pragma[64];
		snprintf(pragma, sizeof pragma, "PRAGMA user_version = %d", v + 1);
		if (exec(s, db, "BEGIN IMMEDIATE") || exec(s, db, migrations[v]) ||
		    exec(s, db, pragma) || exec(s, db, "COMMIT")) {
			snprintf(err, errlen, "migration %d failed: %s", v + 1, s->errmsg);
			sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
			return TD_ERR_DB;
		}
	}
	s->schema_version = v;
	return TD_OK;
}

static td_err sqlite_open(struct store *s, const char *dir, char *err, size_t errlen)
{
	if (mkdir(dir, 0750) != 0 && errno != EEXIST) {
		snprintf(err, errlen, "cannot create data directory %s: %s", dir, strerror(errno));
		return TD_ERR_IO;
	}
	char path[4096];
	if ((size_t)snprintf(path, sizeof path, "%s/tongdai.db", dir) >= sizeof path) {
		snprintf(err, errlen, "data directory path too long");
		return TD_ERR_INVAL;
	}
	struct sqlite_impl *im = td_calloc(1, sizeof *im);
	td_err rc = TD_ERR_DB;
	int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX;
	if (sqlite3_open_v2(path, &im->db, flags, NULL) != SQLITE_OK) {
		snprintf(err, errlen, "cannot open %s: %s", path,
			 im->db ? sqlite3_errmsg(im->db) : "out of memory");
		goto fail_close;
	}
	sqlite3_busy_timeout(im->db, 10000);
	/* 16 MiB of page cache: an import writes thousands of multi-KB
	 * records in one transaction, and the default 2 MiB spills. */
	if (exec(s, im->db, "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL;"
			     " PRAGMA foreign_keys=ON; PRAGMA cache_size=-16384;")) {
		snprintf(err, errlen, "cannot set up %s: %s", path, s->errmsg);
		goto fail_close;
	}
	rc = migrate(s, im->db, err, errlen);
	if (rc)
		goto fail_close;
	for (int i = 0; i < ST__N; i++) {
		if (sqlite3_prepare_v3(im->db, stmt_sql[i], -1, SQLITE_PREPARE_PERSISTENT,
				       &im->stmt[i], NULL) != SQLITE_OK) {
			snprintf(err, errlen, "cannot prepare statement %d: %s", i,
				 sqlite3_errmsg(im->db));
			rc = TD_ERR_DB;
			goto fail_finalize;
		}
	}
	s->impl = im;
	return TD_OK;

fail_finalize:
	for (int i = 0; i < ST__N; i++)
		sqlite3_finalize(im->stmt[i]);
fail_close:
	sqlite3_close(im->db);
	td_free(im);
	return rc;
}

static void sqlite_close(struct store *s)
{
	struct sqlite_impl *im = s->impl;
	if (!im)
		return;
	for (int i = 0; i < ST__N; i++)
		sqlite3_finalize(im->stmt[i]);
	sqlite3_close(im->db);
	td_free(im);
	s->impl = NULL;
}

static td_err sqlite_begin(struct store *s)
{
	return exec(s, ((struct sqlite_impl *)s->impl)->db, "BEGIN IMMEDIATE");
}

static td_err sqlite_commit(struct store *s)
{
	return exec(s, ((struct sqlite_impl *)s->impl)->db, "COMMIT");
}

static td_err sqlite_rollback(struct store *s)
{
	return exec(s, ((struct sqlite_impl *)s->impl)->db, "ROLLBACK");
}

static char *col_text(sqlite3_stmt *st, int i)
{
	const unsigned char *t = sqlite3_column_text(st, i);
	return td_strdup(t ? (const char *)t : "");
}

/* Read a row shaped (code, version, body, changed_at, changed_by, summary). */
static void read_row(sqlite3_stmt *st, struct store__row *r)
{
	r->code = col_text(st, 0);
	r->version = sqlite3_column_int(st, 1);
	r->body = col_text(st, 2);
	r->changed_at = col_text(st, 3);
	r->changed_by = col_text(st, 4);
	r->summary = col_text(st, 5);
}

static td_err one_row(struct store *s, sqlite3_stmt *st, struct store__row *out)
{
	struct sqlite_impl *im = s->impl;
	int rc = sqlite3_step(st);
	td_err e = TD_OK;
	if (rc == SQLITE_ROW)
		read_row(st, out);
	else if (rc == SQLITE_DONE)
		e = TD_ERR_NOTFOUND;
	else
		e = fail(s, im->db, "read");
	sqlite3_reset(st);
	sqlite3_clear_bindings(st);
	return e;
}

static td_err sqlite_current(struct store *s, const char *code, struct store__row *out)
{
	sqlite3_stmt *st = ((struct sqlite_impl *)s->impl)->stmt[ST_CURRENT];
	sqlite3_bind_text(st, 1, code, -1, SQLITE_STATIC);
	return one_row(s, st, out);
}

static td_err sqlite_version(struct store *s, const char *code, int version, struct store__row *out)
{
	sqlite3_stmt *st = ((struct sqlite_impl *)s->impl)->stmt[ST_VERSION_GET];
	sqlite3_bind_text(st, 1, code, -1, SQLITE_STATIC);
	sqlite3_bind_int(st, 2, version);
	return one_row(s, st, out);
}

static td_err step_done(struct store *s, sqlite3_stmt *st, const char *what)
{
	int rc = sqlite3_step(st);
	sqlite3_reset(st);
	sqlite3_clear_bindings(st);
	return rc == SQLITE_DONE ? TD_OK : fail(s, ((struct sqlite_impl *)s->impl)->db, what);
}

static td_err sqlite_write(struct store *s, const struct store__keys *k, const struct store__row *r)
{
	struct sqlite_impl *im = s->impl;
	bool own_tx = sqlite3_get_autocommit(im->db);
	if (own_tx && exec(s, im->db, "BEGIN IMMEDIATE"))
		return TD_ERR_DB;

	sqlite3_stmt *st = im->stmt[ST_UPSERT];
	sqlite3_bind_text(st, 1, k->code, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, k->name, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, k->field_key, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 4, k->levels_key, -1, SQLITE_STATIC);
	if (k->owner)
		sqlite3_bind_text(st, 5, k->owner, -1, SQLITE_STATIC);
	sqlite3_bind_int(st, 6, r->version);
	td_err rc = step_done(s, st, "write procedure");
	if (rc)
		goto out;

	st = im->stmt[ST_VERSION_INSERT];
	sqlite3_bind_text(st, 1, r->code, -1, SQLITE_STATIC);
	sqlite3_bind_int(st, 2, r->version);
	sqlite3_bind_text(st, 3, r->body, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 4, r->changed_at, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 5, r->changed_by, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 6, r->summary, -1, SQLITE_STATIC);
	rc = step_done(s, st, "write history");
out:
	if (own_tx)
		exec(s, im->db, rc ? "ROLLBACK" : "COMMIT");
	return rc;
}

static td_err walk(struct store *s, sqlite3_stmt *st, store__row_fn fn, void *ctx)
{
	int rc;
	td_err e = TD_OK;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct store__row r = {0};
		read_row(st, &r);
		int stop = fn(&r, ctx);
		store__row_release(&r);
		if (stop)
			break;
	}
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		e = fail(s, ((struct sqlite_impl *)s->impl)->db, "list");
	sqlite3_reset(st);
	sqlite3_clear_bindings(st);
	return e;
}

static td_err sqlite_list(struct store *s, const char *field_key, const char *level_key,
			  const char *owner, size_t offset, size_t limit, store__row_fn fn, void *ctx)
{
	struct sqlite_impl *im = s->impl;
	/* Filters vary per call; this statement is cheap to prepare next to
	 * walking thousands of rows. */
	const char *sql = CURRENT_COLS
			  " WHERE (?1 IS NULL OR p.field_key = ?1)"
			  " AND (?2 IS NULL OR instr(p.levels_key, ?2) > 0)"
			  " AND (?3 IS NULL OR p.owner = ?3)"
			  " ORDER BY p.code LIMIT ?4 OFFSET ?5";
	sqlite3_stmt *st;
	if (sqlite3_prepare_v2(im->db, sql, -1, &st, NULL) != SQLITE_OK)
		return fail(s, im->db, "list");
	if (field_key)
		sqlite3_bind_text(st, 1, field_key, -1, SQLITE_STATIC);
	if (level_key)
		sqlite3_bind_text(st, 2, level_key, -1, SQLITE_STATIC);
	if (owner)
		sqlite3_bind_text(st, 3, owner, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 4, limit ? (sqlite3_int64)limit : -1);
	sqlite3_bind_int64(st, 5, (sqlite3_int64)offset);
	td_err e = walk(s, st, fn, ctx);
	sqlite3_finalize(st);
	return e;
}

static td_err sqlite_count(struct store *s, size_t *n)
{
	struct sqlite_impl *im = s->impl;
	sqlite3_stmt *st = im->stmt[ST_COUNT];
	td_err e = TD_OK;
	if (sqlite3_step(st) == SQLITE_ROW)
		*n = (size_t)sqlite3_column_int64(st, 0);
	else
		e = fail(s, im->db, "count");
	sqlite3_reset(st);
	return e;
}

static td_err sqlite_history(struct store *s, const char *code, store__row_fn fn, void *ctx)
{
	sqlite3_stmt *st = ((struct sqlite_impl *)s->impl)->stmt[ST_HISTORY];
	sqlite3_bind_text(st, 1, code, -1, SQLITE_STATIC);
	return walk(s, st, fn, ctx);
}

const struct store_ops store__sqlite_ops = {
	.name = "sqlite",
	.open = sqlite_open,
	.close = sqlite_close,
	.begin = sqlite_begin,
	.commit = sqlite_commit,
	.rollback = sqlite_rollback,
	.current = sqlite_current,
	.write = sqlite_write,
	.list = sqlite_list,
	.count = sqlite_count,
	.history = sqlite_history,
	.version = sqlite_version,
};
