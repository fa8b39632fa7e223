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
#include "store/store_case_int.h"
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

	/* 2: chat sessions, their turns and knowledge-base gaps
	 * (store_chat.h).  Times are Unix seconds.  The dialog is the
	 * answering layer's state as an opaque blob; questions are stored
	 * masked.  A gap belongs to the turn that revealed it; resolved_at is
	 * set when a later turn picks one of a clarification's options. */
	"CREATE TABLE chat_session ("
	"  id TEXT PRIMARY KEY,"
	"  channel TEXT NOT NULL,"
	"  created_at INTEGER NOT NULL,"
	"  last_active INTEGER NOT NULL,"
	"  expires_at INTEGER NOT NULL,"
	"  turns INTEGER NOT NULL DEFAULT 0,"
	"  dialog BLOB) WITHOUT ROWID;"
	"CREATE INDEX chat_session_expires ON chat_session(expires_at);"
	"CREATE TABLE chat_turn ("
	"  id INTEGER PRIMARY KEY,"
	"  session_id TEXT NOT NULL REFERENCES chat_session(id),"
	"  at INTEGER NOT NULL,"
	"  question TEXT NOT NULL,"
	"  intent TEXT NOT NULL,"
	"  aspect TEXT NOT NULL,"
	"  status TEXT NOT NULL,"
	"  procedure TEXT,"
	"  confidence REAL NOT NULL);"
	"CREATE INDEX chat_turn_session ON chat_turn(session_id, id);"
	"CREATE TABLE kb_gap ("
	"  turn_id INTEGER PRIMARY KEY REFERENCES chat_turn(id),"
	"  session_id TEXT NOT NULL,"
	"  at INTEGER NOT NULL,"
	"  channel TEXT NOT NULL,"
	"  question TEXT NOT NULL,"
	"  status TEXT NOT NULL,"
	"  field TEXT,"
	"  field_key TEXT NOT NULL DEFAULT '',"
	"  agency TEXT,"
	"  candidates TEXT NOT NULL DEFAULT '[]',"
	"  resolved_at INTEGER);"
	"CREATE INDEX kb_gap_open ON kb_gap(resolved_at, at);"
	"CREATE INDEX kb_gap_session ON kb_gap(session_id) WHERE resolved_at IS NULL;",

	/* 3: PAKN cases (store_case.h, docs/internals/pakn-cases.md).  The
	 * original text is kept unaltered; the contact lives apart in
	 * pakn_case_contact; every status change is a pakn_case_event; the
	 * number comes from a per-day sequence; Open311 keys are stored as
	 * BLAKE2b hashes only. */
	"CREATE TABLE pakn_case ("
	"  id INTEGER PRIMARY KEY,"
	"  number TEXT NOT NULL UNIQUE,"
	"  token TEXT NOT NULL UNIQUE,"
	"  channel TEXT NOT NULL,"
	"  service_code TEXT NOT NULL DEFAULT '',"
	"  received_at INTEGER NOT NULL,"
	"  updated_at INTEGER NOT NULL,"
	"  text TEXT NOT NULL,"
	"  public_text TEXT NOT NULL,"
	"  category TEXT NOT NULL,"
	"  confidence REAL NOT NULL,"
	"  reasons TEXT NOT NULL DEFAULT '[]',"
	"  level TEXT NOT NULL,"
	"  emergency INTEGER NOT NULL,"
	"  emergency_numbers TEXT NOT NULL DEFAULT '',"
	"  ward_codes TEXT NOT NULL DEFAULT '',"
	"  place_text TEXT,"
	"  agency TEXT NOT NULL DEFAULT '',"
	"  routing_reason TEXT NOT NULL DEFAULT '',"
	"  status TEXT NOT NULL,"
	"  status_reason TEXT,"
	"  missing TEXT NOT NULL DEFAULT '',"
	"  duplicate_of INTEGER REFERENCES pakn_case(id),"
	"  duplicate_score REAL,"
	"  reporters INTEGER NOT NULL DEFAULT 1,"
	"  lat REAL, long REAL,"
	"  location TEXT,"
	"  device_id TEXT NOT NULL DEFAULT '',"
	"  account_id TEXT NOT NULL DEFAULT '');"
	"CREATE INDEX pakn_case_received ON pakn_case(received_at);"
	"CREATE INDEX pakn_case_status ON pakn_case(status, received_at);"
	"CREATE INDEX pakn_case_agency ON pakn_case(agency, received_at);"
	"CREATE TABLE pakn_case_contact ("
	"  case_id INTEGER PRIMARY KEY REFERENCES pakn_case(id),"
	"  name TEXT NOT NULL DEFAULT '',"
	"  phone TEXT NOT NULL DEFAULT '',"
	"  email TEXT NOT NULL DEFAULT '',"
	"  address TEXT NOT NULL DEFAULT '');"
	"CREATE TABLE pakn_case_event ("
	"  id INTEGER PRIMARY KEY,"
	"  case_id INTEGER NOT NULL REFERENCES pakn_case(id),"
	"  at INTEGER NOT NULL,"
	"  status TEXT NOT NULL,"
	"  note TEXT NOT NULL DEFAULT '',"
	"  actor TEXT NOT NULL DEFAULT '');"
	"CREATE INDEX pakn_case_event_case ON pakn_case_event(case_id, id);"
	"CREATE TABLE pakn_case_attachment ("
	"  id INTEGER PRIMARY KEY,"
	"  case_id INTEGER NOT NULL REFERENCES pakn_case(id),"
	"  url TEXT NOT NULL,"
	"  media_type TEXT NOT NULL DEFAULT '',"
	"  size INTEGER NOT NULL DEFAULT -1);"
	"CREATE INDEX pakn_case_attachment_case ON pakn_case_attachment(case_id);"
	"CREATE TABLE pakn_day_seq (day TEXT PRIMARY KEY, last INTEGER NOT NULL) WITHOUT ROWID;"
	"CREATE TABLE open311_key ("
	"  hash TEXT PRIMARY KEY,"
	"  name TEXT NOT NULL,"
	"  created_at INTEGER NOT NULL,"
	"  revoked_at INTEGER) WITHOUT ROWID;",
};
#define NMIGRATIONS ((int)(sizeof migrations / sizeof migrations[0]))

enum stmt_id {
	ST_CURRENT,
	ST_UPSERT,
	ST_VERSION_INSERT,
	ST_COUNT,
	ST_HISTORY,
	ST_VERSION_GET,
	ST_CHAT_SESSION_GET,
	ST_CHAT_SESSION_PUT,
	ST_CHAT_TURN_INSERT,
	ST_CHAT_GAP_INSERT,
	ST_CHAT_GAP_RESOLVE,
	ST_CHAT_TURN_COUNT,
	ST_CHAT_TURN_QUESTION,
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
	[ST_CHAT_SESSION_GET] = "SELECT id, channel, created_at, last_active, expires_at, turns,"
				" dialog FROM chat_session WHERE id = ?1",
	[ST_CHAT_SESSION_PUT] = "INSERT INTO chat_session(id, channel, created_at, last_active,"
				" expires_at, turns, dialog) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)"
				" ON CONFLICT(id) DO UPDATE SET last_active = excluded.last_active,"
				" expires_at = excluded.expires_at, turns = excluded.turns,"
				" dialog = excluded.dialog",
	[ST_CHAT_TURN_INSERT] = "INSERT INTO chat_turn(session_id, at, question, intent, aspect,"
				" status, procedure, confidence)"
				" VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
	[ST_CHAT_GAP_INSERT] = "INSERT INTO kb_gap(turn_id, session_id, at, channel, question,"
			       " status, field, field_key, agency, candidates)"
			       " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
	[ST_CHAT_GAP_RESOLVE] = "UPDATE kb_gap SET resolved_at = ?2 WHERE session_id = ?1"
				" AND status = 'clarify' AND resolved_at IS NULL",
	[ST_CHAT_TURN_COUNT] = "SELECT count(*) FROM chat_turn WHERE session_id = ?1",
	[ST_CHAT_TURN_QUESTION] = "SELECT question FROM chat_turn WHERE session_id = ?1"
				  " ORDER BY id LIMIT 1 OFFSET ?2",
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

struct sqlite3 *store__sqlite_db(struct store *s)
{
	return ((struct sqlite_impl *)s->impl)->db;
}

static void sqlite_close(struct store *s)
{
	struct sqlite_impl *im = s->impl;
	if (!im)
		return;
	store__sqlite_case_close(s);
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

/* ---- chat sessions, turns, gaps (migration 2) --------------------------- */

static td_err sqlite_chat_session_get(struct store *s, const char *id,
				      struct store_chat_session *out)
{
	struct sqlite_impl *im = s->impl;
	sqlite3_stmt *st = im->stmt[ST_CHAT_SESSION_GET];
	sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
	int rc = sqlite3_step(st);
	td_err e = TD_OK;
	if (rc == SQLITE_ROW) {
		const unsigned char *t = sqlite3_column_text(st, 0);
		snprintf(out->id, sizeof out->id, "%s", t ? (const char *)t : "");
		t = sqlite3_column_text(st, 1);
		snprintf(out->channel, sizeof out->channel, "%s", t ? (const char *)t : "");
		out->created_at = sqlite3_column_int64(st, 2);
		out->last_active = sqlite3_column_int64(st, 3);
		out->expires_at = sqlite3_column_int64(st, 4);
		out->turns = (unsigned)sqlite3_column_int(st, 5);
		const void *blob = sqlite3_column_blob(st, 6);
		int n = sqlite3_column_bytes(st, 6);
		if (blob && n > 0 && (size_t)n <= sizeof out->dialog) {
			memcpy(out->dialog, blob, (size_t)n);
			out->dialog_len = (size_t)n;
		}
	} else if (rc == SQLITE_DONE) {
		e = TD_ERR_NOTFOUND;
	} else {
		e = fail(s, im->db, "read session");
	}
	sqlite3_reset(st);
	sqlite3_clear_bindings(st);
	return e;
}

static void bind_opt_text(sqlite3_stmt *st, int i, const char *v)
{
	if (v)
		sqlite3_bind_text(st, i, v, -1, SQLITE_STATIC);
	else
		sqlite3_bind_null(st, i);
}

static td_err sqlite_chat_turn_add(struct store *s, const struct store_chat_session *sess,
				   const struct store_chat_turn *t, const char *gap_field_key,
				   int64_t now)
{
	struct sqlite_impl *im = s->impl;
	bool own_tx = sqlite3_get_autocommit(im->db);
	if (own_tx && exec(s, im->db, "BEGIN IMMEDIATE"))
		return TD_ERR_DB;

	sqlite3_stmt *st = im->stmt[ST_CHAT_SESSION_PUT];
	sqlite3_bind_text(st, 1, sess->id, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, sess->channel, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 3, sess->created_at);
	sqlite3_bind_int64(st, 4, sess->last_active);
	sqlite3_bind_int64(st, 5, sess->expires_at);
	sqlite3_bind_int(st, 6, (int)sess->turns);
	if (sess->dialog_len)
		sqlite3_bind_blob(st, 7, sess->dialog, (int)sess->dialog_len, SQLITE_STATIC);
	else
		sqlite3_bind_null(st, 7);
	td_err rc = step_done(s, st, "write session");
	if (rc)
		goto out;

	if (t->resolves) {
		st = im->stmt[ST_CHAT_GAP_RESOLVE];
		sqlite3_bind_text(st, 1, sess->id, -1, SQLITE_STATIC);
		sqlite3_bind_int64(st, 2, now);
		rc = step_done(s, st, "resolve gaps");
		if (rc)
			goto out;
	}

	st = im->stmt[ST_CHAT_TURN_INSERT];
	sqlite3_bind_text(st, 1, sess->id, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, now);
	sqlite3_bind_text(st, 3, t->question, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 4, t->intent, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 5, t->aspect, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 6, t->status, -1, SQLITE_STATIC);
	bind_opt_text(st, 7, t->procedure);
	sqlite3_bind_double(st, 8, t->confidence);
	rc = step_done(s, st, "write turn");
	if (rc || !t->gap)
		goto out;
	sqlite3_int64 turn_id = sqlite3_last_insert_rowid(im->db);

	st = im->stmt[ST_CHAT_GAP_INSERT];
	sqlite3_bind_int64(st, 1, turn_id);
	sqlite3_bind_text(st, 2, sess->id, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 3, now);
	sqlite3_bind_text(st, 4, sess->channel, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 5, t->question, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 6, t->status, -1, SQLITE_STATIC);
	bind_opt_text(st, 7, t->gap_field);
	sqlite3_bind_text(st, 8, gap_field_key ? gap_field_key : "", -1, SQLITE_STATIC);
	bind_opt_text(st, 9, t->gap_agency);
	sqlite3_bind_text(st, 10, t->candidates ? t->candidates : "[]", -1, SQLITE_STATIC);
	rc = step_done(s, st, "write gap");
out:
	if (own_tx && exec(s, im->db, rc ? "ROLLBACK" : "COMMIT") && !rc)
		rc = TD_ERR_DB;
	return rc;
}

static td_err sqlite_chat_turn_count(struct store *s, const char *session_id, size_t *n)
{
	struct sqlite_impl *im = s->impl;
	sqlite3_stmt *st = im->stmt[ST_CHAT_TURN_COUNT];
	sqlite3_bind_text(st, 1, session_id, -1, SQLITE_STATIC);
	td_err e = TD_OK;
	if (sqlite3_step(st) == SQLITE_ROW)
		*n = (size_t)sqlite3_column_int64(st, 0);
	else
		e = fail(s, im->db, "count turns");
	sqlite3_reset(st);
	sqlite3_clear_bindings(st);
	return e;
}

static td_err sqlite_chat_turn_question(struct store *s, const char *session_id, size_t n,
					char **out)
{
	struct sqlite_impl *im = s->impl;
	sqlite3_stmt *st = im->stmt[ST_CHAT_TURN_QUESTION];
	sqlite3_bind_text(st, 1, session_id, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, (sqlite3_int64)n);
	int rc = sqlite3_step(st);
	td_err e = TD_OK;
	if (rc == SQLITE_ROW)
		*out = col_text(st, 0);
	else if (rc == SQLITE_DONE)
		e = TD_ERR_NOTFOUND;
	else
		e = fail(s, im->db, "read turn");
	sqlite3_reset(st);
	sqlite3_clear_bindings(st);
	return e;
}

#define GAP_WHERE \
	" WHERE resolved_at IS NULL AND at >= ?1 AND (?2 IS NULL OR field_key = ?2)"

static td_err sqlite_chat_gaps(struct store *s, int64_t since, const char *field_key,
			       size_t offset, size_t limit, store_gap_fn fn, void *ctx)
{
	struct sqlite_impl *im = s->impl;
	const char *sql = "SELECT at, session_id, channel, question, status, field, agency,"
			  " candidates FROM kb_gap" GAP_WHERE
			  " ORDER BY at DESC, turn_id DESC LIMIT ?3 OFFSET ?4";
	sqlite3_stmt *st;
	if (sqlite3_prepare_v2(im->db, sql, -1, &st, NULL) != SQLITE_OK)
		return fail(s, im->db, "list gaps");
	sqlite3_bind_int64(st, 1, since);
	bind_opt_text(st, 2, field_key);
	sqlite3_bind_int64(st, 3, limit ? (sqlite3_int64)limit : -1);
	sqlite3_bind_int64(st, 4, (sqlite3_int64)offset);
	int rc;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct store_gap g = {
			.at = sqlite3_column_int64(st, 0),
			.session_id = (const char *)sqlite3_column_text(st, 1),
			.channel = (const char *)sqlite3_column_text(st, 2),
			.question = (const char *)sqlite3_column_text(st, 3),
			.status = (const char *)sqlite3_column_text(st, 4),
			.field = (const char *)sqlite3_column_text(st, 5),
			.agency = (const char *)sqlite3_column_text(st, 6),
			.candidates = (const char *)sqlite3_column_text(st, 7),
		};
		if (fn(&g, ctx))
			break;
	}
	td_err e = rc == SQLITE_ROW || rc == SQLITE_DONE ? TD_OK : fail(s, im->db, "list gaps");
	sqlite3_finalize(st);
	return e;
}

static td_err sqlite_chat_gaps_count(struct store *s, int64_t since, const char *field_key,
				     size_t *n)
{
	struct sqlite_impl *im = s->impl;
	sqlite3_stmt *st;
	if (sqlite3_prepare_v2(im->db, "SELECT count(*) FROM kb_gap" GAP_WHERE, -1, &st, NULL) !=
	    SQLITE_OK)
		return fail(s, im->db, "count gaps");
	sqlite3_bind_int64(st, 1, since);
	bind_opt_text(st, 2, field_key);
	td_err e = TD_OK;
	if (sqlite3_step(st) == SQLITE_ROW)
		*n = (size_t)sqlite3_column_int64(st, 0);
	else
		e = fail(s, im->db, "count gaps");
	sqlite3_finalize(st);
	return e;
}

static td_err sqlite_chat_expire(struct store *s, int64_t before, size_t *n)
{
	struct sqlite_impl *im = s->impl;
	sqlite3_stmt *st;
	*n = 0;
	if (sqlite3_prepare_v2(im->db,
			       "UPDATE chat_session SET dialog = NULL"
			       " WHERE expires_at < ?1 AND dialog IS NOT NULL",
			       -1, &st, NULL) != SQLITE_OK)
		return fail(s, im->db, "expire sessions");
	sqlite3_bind_int64(st, 1, before);
	td_err e = sqlite3_step(st) == SQLITE_DONE ? TD_OK : fail(s, im->db, "expire sessions");
	if (e == TD_OK)
		*n = (size_t)sqlite3_changes(im->db);
	sqlite3_finalize(st);
	return e;
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
	.chat_session_get = sqlite_chat_session_get,
	.chat_turn_add = sqlite_chat_turn_add,
	.chat_turn_count = sqlite_chat_turn_count,
	.chat_turn_question = sqlite_chat_turn_question,
	.chat_gaps = sqlite_chat_gaps,
	.chat_gaps_count = sqlite_chat_gaps_count,
	.chat_expire = sqlite_chat_expire,
	.cases = &store__sqlite_case_ops,
};
