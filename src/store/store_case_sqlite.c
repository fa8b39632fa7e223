/*
 * store_case_sqlite.c - the SQLite rows of PAKN cases (migration 3 in
 * store_sqlite.c).  Kept apart from store_sqlite.c so the case schema and
 * its statements can grow without touching the procedure/chat backend; it
 * reaches the connection through store__sqlite_db() and keeps its own
 * prepared statements in store->case_stmts (finalised by
 * store__sqlite_case_close before the connection closes).
 *
 * Every function here runs inside the caller's transaction or as one
 * statement; the backend-independent rules are in store_case.c.
 */
#include <stdio.h>
#include <string.h>

#include <sqlite3.h>

#include "base/alloc.h"
#include "store/store_case_int.h"
#include "store/store_int.h"
#include "base/banned.h"

enum cst {
	CS_SEQ,
	CS_INSERT,
	CS_CONTACT,
	CS_EVENT,
	CS_ATTACH,
	CS_BUMP,
	CS_GET_NUMBER,
	CS_GET_TOKEN,
	CS_GET_ID,
	CS_ATTACH_GET,
	CS_CONTACT_GET,
	CS_HISTORY,
	CS_STATUS,
	CS__N
};

#define CASE_COLS \
	"SELECT c.id, c.number, c.token, c.channel, c.service_code, c.received_at," \
	" c.updated_at, c.text, c.public_text, c.category, c.confidence, c.reasons, c.level," \
	" c.emergency, c.emergency_numbers, c.ward_codes, c.place_text, c.agency," \
	" c.routing_reason, c.status, c.status_reason, c.missing, c.duplicate_of," \
	" c.duplicate_score, c.reporters, c.lat, c.long, c.location, c.device_id," \
	" c.account_id, (SELECT d.number FROM pakn_case d WHERE d.id = c.duplicate_of)" \
	" FROM pakn_case c"

static const char *const cst_sql[CS__N] = {
	[CS_SEQ] = "INSERT INTO pakn_day_seq(day, last) VALUES (?1, 1)"
		   " ON CONFLICT(day) DO UPDATE SET last = last + 1 RETURNING last",
	[CS_INSERT] = "INSERT INTO pakn_case(number, token, channel, service_code, received_at,"
		      " updated_at, text, public_text, category, confidence, reasons, level,"
		      " emergency, emergency_numbers, ward_codes, place_text, agency,"
		      " routing_reason, status, status_reason, missing, duplicate_of,"
		      " duplicate_score, reporters, lat, long, location, device_id, account_id)"
		      " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15,"
		      " ?16, ?17, ?18, ?19, ?20, ?21, ?22, ?23, ?24, ?25, ?26, ?27, ?28, ?29)",
	[CS_CONTACT] = "INSERT INTO pakn_case_contact(case_id, name, phone, email, address)"
		       " VALUES (?1, ?2, ?3, ?4, ?5)",
	[CS_EVENT] = "INSERT INTO pakn_case_event(case_id, at, status, note, actor)"
		     " VALUES (?1, ?2, ?3, ?4, ?5)",
	[CS_ATTACH] = "INSERT INTO pakn_case_attachment(case_id, url, media_type, size)"
		      " VALUES (?1, ?2, ?3, ?4)",
	[CS_BUMP] = "UPDATE pakn_case SET reporters = reporters + 1, updated_at = ?2 WHERE id = ?1",
	[CS_GET_NUMBER] = CASE_COLS " WHERE c.number = ?1",
	[CS_GET_TOKEN] = CASE_COLS " WHERE c.token = ?1",
	[CS_GET_ID] = CASE_COLS " WHERE c.id = ?1",
	[CS_ATTACH_GET] = "SELECT url, media_type, size FROM pakn_case_attachment"
			  " WHERE case_id = ?1 ORDER BY id LIMIT 16",
	[CS_CONTACT_GET] = "SELECT name, phone, email, address FROM pakn_case_contact"
			   " WHERE case_id = ?1",
	[CS_HISTORY] = "SELECT at, status, note, actor FROM pakn_case_event WHERE case_id = ?1"
		       " ORDER BY id",
	[CS_STATUS] = "UPDATE pakn_case SET status = ?2, updated_at = ?3,"
		      " status_reason = CASE WHEN ?4 IS NOT NULL THEN ?4 ELSE status_reason END"
		      " WHERE id = ?1",
};

struct case_stmts {
	sqlite3_stmt *st[CS__N];
};

static td_err fail(struct store *s, const char *what)
{
	snprintf(s->errmsg, sizeof s->errmsg, "%s: %s", what, sqlite3_errmsg(store__sqlite_db(s)));
	return TD_ERR_DB;
}

void store__sqlite_case_close(struct store *s)
{
	struct case_stmts *cs = s->case_stmts;
	if (!cs)
		return;
	for (int i = 0; i < CS__N; i++)
		sqlite3_finalize(cs->st[i]);
	td_free(cs);
	s->case_stmts = NULL;
}

/* The prepared statement i of this connection (prepared on first use). */
static sqlite3_stmt *stmt(struct store *s, enum cst i)
{
	struct case_stmts *cs = s->case_stmts;
	if (!cs)
		cs = s->case_stmts = td_calloc(1, sizeof *cs);
	if (!cs->st[i] && sqlite3_prepare_v3(store__sqlite_db(s), cst_sql[i], -1,
					     SQLITE_PREPARE_PERSISTENT, &cs->st[i],
					     NULL) != SQLITE_OK) {
		fail(s, "prepare case statement");
		return NULL;
	}
	return cs->st[i];
}

static void finish(sqlite3_stmt *st)
{
	sqlite3_reset(st);
	sqlite3_clear_bindings(st);
}

static td_err step_done(struct store *s, sqlite3_stmt *st, const char *what)
{
	int rc = sqlite3_step(st);
	td_err e = rc == SQLITE_DONE ? TD_OK : fail(s, what);
	finish(st);
	return e;
}

static void bind_text(sqlite3_stmt *st, int i, const char *v)
{
	sqlite3_bind_text(st, i, v ? v : "", -1, SQLITE_STATIC);
}

static void bind_opt(sqlite3_stmt *st, int i, const char *v)
{
	if (v)
		sqlite3_bind_text(st, i, v, -1, SQLITE_STATIC);
	else
		sqlite3_bind_null(st, i);
}

static td_err sq_next_seq(struct store *s, const char *day, uint64_t *seq)
{
	sqlite3_stmt *st = stmt(s, CS_SEQ);
	if (!st)
		return TD_ERR_DB;
	bind_text(st, 1, day);
	td_err e = TD_OK;
	if (sqlite3_step(st) == SQLITE_ROW)
		*seq = (uint64_t)sqlite3_column_int64(st, 0);
	else
		e = fail(s, "case sequence");
	/* RETURNING: step to the end so the statement completes. */
	while (e == TD_OK && sqlite3_step(st) == SQLITE_ROW)
		;
	finish(st);
	return e;
}

static td_err add_event(struct store *s, int64_t id, int64_t at, const char *status,
			const char *note, const char *actor)
{
	sqlite3_stmt *st = stmt(s, CS_EVENT);
	if (!st)
		return TD_ERR_DB;
	sqlite3_bind_int64(st, 1, id);
	sqlite3_bind_int64(st, 2, at);
	bind_text(st, 3, status);
	bind_text(st, 4, note);
	bind_text(st, 5, actor);
	return step_done(s, st, "write case event");
}

static td_err sq_insert(struct store *s, struct store_case *c, const struct store_case_contact *ct,
			const char *actor, int64_t now)
{
	sqlite3_stmt *st = stmt(s, CS_INSERT);
	if (!st)
		return TD_ERR_DB;
	bind_text(st, 1, c->number);
	bind_text(st, 2, c->token);
	bind_text(st, 3, c->channel);
	bind_text(st, 4, c->service_code);
	sqlite3_bind_int64(st, 5, c->received_at);
	sqlite3_bind_int64(st, 6, c->updated_at);
	bind_text(st, 7, c->text);
	bind_text(st, 8, c->public_text);
	bind_text(st, 9, c->category);
	sqlite3_bind_double(st, 10, c->confidence);
	bind_text(st, 11, c->reasons ? c->reasons : "[]");
	bind_text(st, 12, c->level);
	sqlite3_bind_int(st, 13, c->emergency);
	bind_text(st, 14, c->emergency_numbers);
	bind_text(st, 15, c->ward_codes);
	bind_opt(st, 16, c->place_text);
	bind_text(st, 17, c->agency);
	bind_text(st, 18, c->routing_reason);
	bind_text(st, 19, store_case_status_name(c->status));
	bind_opt(st, 20, c->status_reason);
	bind_text(st, 21, c->missing);
	if (c->duplicate_of) {
		sqlite3_bind_int64(st, 22, c->duplicate_of);
		sqlite3_bind_double(st, 23, c->duplicate_score);
	}
	sqlite3_bind_int(st, 24, (int)(c->reporters ? c->reporters : 1));
	if (c->has_location) {
		sqlite3_bind_double(st, 25, c->lat);
		sqlite3_bind_double(st, 26, c->lon);
	}
	bind_opt(st, 27, c->location);
	bind_text(st, 28, c->device_id);
	bind_text(st, 29, c->account_id);
	td_err e = step_done(s, st, "write case");
	if (e)
		return e;
	c->id = sqlite3_last_insert_rowid(store__sqlite_db(s));

	if (ct) {
		st = stmt(s, CS_CONTACT);
		if (!st)
			return TD_ERR_DB;
		sqlite3_bind_int64(st, 1, c->id);
		bind_text(st, 2, ct->name);
		bind_text(st, 3, ct->phone);
		bind_text(st, 4, ct->email);
		bind_text(st, 5, ct->address);
		if ((e = step_done(s, st, "write case contact")))
			return e;
	}
	if ((e = add_event(s, c->id, now, store_case_status_name(c->status),
			   c->status_reason ? c->status_reason : "", actor)))
		return e;
	for (size_t i = 0; i < c->n_attachments && i < STORE_CASE_ATTACH_MAX; i++) {
		st = stmt(s, CS_ATTACH);
		if (!st)
			return TD_ERR_DB;
		sqlite3_bind_int64(st, 1, c->id);
		bind_text(st, 2, c->attachments[i].url);
		bind_text(st, 3, c->attachments[i].media_type);
		sqlite3_bind_int64(st, 4, c->attachments[i].size);
		if ((e = step_done(s, st, "write case attachment")))
			return e;
	}
	if (c->duplicate_of) {
		st = stmt(s, CS_BUMP);
		if (!st)
			return TD_ERR_DB;
		sqlite3_bind_int64(st, 1, c->duplicate_of);
		sqlite3_bind_int64(st, 2, now);
		if ((e = step_done(s, st, "link duplicate")))
			return e;
		char note[160];
		char disp[STORE_CASE_NUMBER_DISPLAY_MAX];
		store_case_number_display(c->number, disp, sizeof disp);
		snprintf(note, sizeof note, "Thêm một phản ánh trùng: số %s", disp);
		/* the primary keeps its status; the event records the link */
		e = add_event(s, c->duplicate_of, now, "", note, actor);
	}
	return e;
}

static const char *col(sqlite3_stmt *st, int i)
{
	const unsigned char *t = sqlite3_column_text(st, i);
	return t ? (const char *)t : "";
}

static const char *col_opt(sqlite3_stmt *st, int i)
{
	return sqlite3_column_type(st, i) == SQLITE_NULL ? NULL : col(st, i);
}

static void cut(char *dst, size_t cap, const char *src)
{
	snprintf(dst, cap, "%s", src ? src : "");
}

static void read_case(sqlite3_stmt *st, struct store_case *c)
{
	store_case_init(c);
	c->id = sqlite3_column_int64(st, 0);
	cut(c->number, sizeof c->number, col(st, 1));
	cut(c->token, sizeof c->token, col(st, 2));
	cut(c->channel, sizeof c->channel, col(st, 3));
	cut(c->service_code, sizeof c->service_code, col(st, 4));
	c->received_at = sqlite3_column_int64(st, 5);
	c->updated_at = sqlite3_column_int64(st, 6);
	store_case_set(&c->text, col(st, 7));
	store_case_set(&c->public_text, col(st, 8));
	cut(c->category, sizeof c->category, col(st, 9));
	c->confidence = sqlite3_column_double(st, 10);
	store_case_set(&c->reasons, col(st, 11));
	cut(c->level, sizeof c->level, col(st, 12));
	c->emergency = sqlite3_column_int(st, 13) != 0;
	cut(c->emergency_numbers, sizeof c->emergency_numbers, col(st, 14));
	cut(c->ward_codes, sizeof c->ward_codes, col(st, 15));
	store_case_set(&c->place_text, col_opt(st, 16));
	cut(c->agency, sizeof c->agency, col(st, 17));
	store_case_set(&c->routing_reason, col(st, 18));
	if (!store_case_status_parse(col(st, 19), &c->status))
		c->status = STORE_CASE_RECEIVED;
	store_case_set(&c->status_reason, col_opt(st, 20));
	cut(c->missing, sizeof c->missing, col(st, 21));
	c->duplicate_of = sqlite3_column_int64(st, 22);
	c->duplicate_score = sqlite3_column_double(st, 23);
	c->reporters = (unsigned)sqlite3_column_int(st, 24);
	if (sqlite3_column_type(st, 25) != SQLITE_NULL) {
		c->has_location = true;
		c->lat = sqlite3_column_double(st, 25);
		c->lon = sqlite3_column_double(st, 26);
	}
	store_case_set(&c->location, col_opt(st, 27));
	cut(c->device_id, sizeof c->device_id, col(st, 28));
	cut(c->account_id, sizeof c->account_id, col(st, 29));
	cut(c->duplicate_number, sizeof c->duplicate_number, col(st, 30));
}

static td_err sq_get(struct store *s, enum store__case_key by, const char *key, int64_t id,
		     struct store_case *out)
{
	enum cst which = by == STORE__CASE_BY_NUMBER ? CS_GET_NUMBER
			 : by == STORE__CASE_BY_TOKEN ? CS_GET_TOKEN
						      : CS_GET_ID;
	sqlite3_stmt *st = stmt(s, which);
	if (!st)
		return TD_ERR_DB;
	if (by == STORE__CASE_BY_ID)
		sqlite3_bind_int64(st, 1, id);
	else
		bind_text(st, 1, key);
	int rc = sqlite3_step(st);
	td_err e = TD_OK;
	if (rc == SQLITE_ROW)
		read_case(st, out);
	else if (rc == SQLITE_DONE)
		e = TD_ERR_NOTFOUND;
	else
		e = fail(s, "read case");
	finish(st);
	if (e)
		return e;
	st = stmt(s, CS_ATTACH_GET);
	if (!st)
		return TD_ERR_DB;
	sqlite3_bind_int64(st, 1, out->id);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW && out->n_attachments < STORE_CASE_ATTACH_MAX) {
		struct store_case_attachment *a = &out->attachments[out->n_attachments++];
		cut(a->url, sizeof a->url, col(st, 0));
		cut(a->media_type, sizeof a->media_type, col(st, 1));
		a->size = sqlite3_column_int64(st, 2);
	}
	finish(st);
	return TD_OK;
}

static td_err sq_contact_get(struct store *s, int64_t id, struct store_case_contact *out)
{
	sqlite3_stmt *st = stmt(s, CS_CONTACT_GET);
	if (!st)
		return TD_ERR_DB;
	sqlite3_bind_int64(st, 1, id);
	int rc = sqlite3_step(st);
	td_err e = TD_OK;
	memset(out, 0, sizeof *out);
	if (rc == SQLITE_ROW) {
		cut(out->name, sizeof out->name, col(st, 0));
		cut(out->phone, sizeof out->phone, col(st, 1));
		cut(out->email, sizeof out->email, col(st, 2));
		cut(out->address, sizeof out->address, col(st, 3));
	} else if (rc == SQLITE_DONE) {
		e = TD_ERR_NOTFOUND;
	} else {
		e = fail(s, "read case contact");
	}
	finish(st);
	return e;
}

static td_err sq_history(struct store *s, int64_t id, store_case_event_fn fn, void *ctx)
{
	sqlite3_stmt *st = stmt(s, CS_HISTORY);
	if (!st)
		return TD_ERR_DB;
	sqlite3_bind_int64(st, 1, id);
	int rc;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct store_case_event ev = {
			.at = sqlite3_column_int64(st, 0),
			.status = col(st, 1),
			.note = col(st, 2),
			.actor = col(st, 3),
		};
		if (fn(&ev, ctx))
			break;
	}
	td_err e = rc == SQLITE_ROW || rc == SQLITE_DONE ? TD_OK : fail(s, "read case history");
	finish(st);
	return e;
}

static td_err sq_status_set(struct store *s, int64_t id, enum store_case_status to,
			    const char *note, const char *actor, int64_t now)
{
	sqlite3_stmt *st = stmt(s, CS_STATUS);
	if (!st)
		return TD_ERR_DB;
	sqlite3_bind_int64(st, 1, id);
	bind_text(st, 2, store_case_status_name(to));
	sqlite3_bind_int64(st, 3, now);
	bind_opt(st, 4, to == STORE_CASE_NOT_ACCEPTED ? (note ? note : "") : NULL);
	td_err e = step_done(s, st, "update case status");
	if (e)
		return e;
	return add_event(s, id, now, store_case_status_name(to), note, actor);
}

#define LIST_WHERE \
	" WHERE (?1 IS NULL OR c.status = ?1)" \
	" AND (?2 = 0 OR c.status IN ('received','accepted','assigned','in_progress'))" \
	" AND (?3 IS NULL OR c.agency = ?3)" \
	" AND (?4 IS NULL OR instr(',' || c.ward_codes || ',', ',' || ?4 || ',') > 0)" \
	" AND (?5 IS NULL OR c.category = ?5 OR c.service_code = ?5)" \
	" AND c.received_at >= ?6 AND (?7 = 0 OR c.received_at < ?7)" \
	" AND (?10 = 0 OR c.status IN ('not_accepted','answered','closed'))"

static void bind_filter(sqlite3_stmt *st, const struct store_case_filter *f)
{
	bind_opt(st, 1, f->has_status ? store_case_status_name(f->status) : NULL);
	sqlite3_bind_int(st, 2, f->open_only);
	bind_opt(st, 3, f->agency);
	bind_opt(st, 4, f->ward);
	bind_opt(st, 5, f->category);
	sqlite3_bind_int64(st, 6, f->since);
	sqlite3_bind_int64(st, 7, f->until);
	sqlite3_bind_int(st, 10, f->closed_only);
}

static td_err sq_list(struct store *s, const struct store_case_filter *f, store_case_fn fn,
		      void *ctx, size_t *total)
{
	sqlite3 *db = store__sqlite_db(s);
	sqlite3_stmt *st;
	td_err e = TD_OK;
	if (total) {
		if (sqlite3_prepare_v2(db, "SELECT count(*) FROM pakn_case c" LIST_WHERE, -1, &st,
				       NULL) != SQLITE_OK)
			return fail(s, "count cases");
		bind_filter(st, f);
		if (sqlite3_step(st) == SQLITE_ROW)
			*total = (size_t)sqlite3_column_int64(st, 0);
		else
			e = fail(s, "count cases");
		sqlite3_finalize(st);
		if (e)
			return e;
	}
	if (!fn)
		return TD_OK;
	const char *sql = f->oldest_first
				  ? CASE_COLS LIST_WHERE " ORDER BY c.id LIMIT ?8 OFFSET ?9"
				  : CASE_COLS LIST_WHERE " ORDER BY c.id DESC LIMIT ?8 OFFSET ?9";
	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK)
		return fail(s, "list cases");
	bind_filter(st, f);
	sqlite3_bind_int64(st, 8, f->limit ? (sqlite3_int64)f->limit : -1);
	sqlite3_bind_int64(st, 9, (sqlite3_int64)f->offset);
	int rc;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct store_case c;
		read_case(st, &c);
		int stop = fn(&c, ctx);
		store_case_release(&c);
		if (stop)
			break;
	}
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		e = fail(s, "list cases");
	sqlite3_finalize(st);
	return e;
}

static td_err sq_exec(struct store *s, const char *sql)
{
	char *msg = NULL;
	if (sqlite3_exec(store__sqlite_db(s), sql, NULL, NULL, &msg) != SQLITE_OK) {
		snprintf(s->errmsg, sizeof s->errmsg, "%s", msg ? msg : "?");
		sqlite3_free(msg);
		return TD_ERR_DB;
	}
	return TD_OK;
}

static td_err sq_savepoint(struct store *s)
{
	return sq_exec(s, "SAVEPOINT pakn_case");
}

static td_err sq_release(struct store *s)
{
	return sq_exec(s, "RELEASE pakn_case");
}

static td_err sq_rollback_to(struct store *s)
{
	td_err e = sq_exec(s, "ROLLBACK TO pakn_case");
	td_err e2 = sq_exec(s, "RELEASE pakn_case");
	return e ? e : e2;
}

static td_err sq_apikey_add(struct store *s, const char *name, const char *hash, int64_t now)
{
	sqlite3_stmt *st;
	if (sqlite3_prepare_v2(store__sqlite_db(s),
			       "INSERT INTO open311_key(hash, name, created_at) VALUES (?1, ?2, ?3)",
			       -1, &st, NULL) != SQLITE_OK)
		return fail(s, "add key");
	bind_text(st, 1, hash);
	bind_text(st, 2, name);
	sqlite3_bind_int64(st, 3, now);
	td_err e = sqlite3_step(st) == SQLITE_DONE ? TD_OK : fail(s, "add key");
	sqlite3_finalize(st);
	return e;
}

static td_err sq_apikey_check(struct store *s, const char *hash, bool *valid, char *name,
			      size_t namelen)
{
	sqlite3_stmt *st;
	*valid = false;
	if (sqlite3_prepare_v2(store__sqlite_db(s),
			       "SELECT name FROM open311_key WHERE hash = ?1 AND revoked_at IS NULL",
			       -1, &st, NULL) != SQLITE_OK)
		return fail(s, "check key");
	bind_text(st, 1, hash);
	int rc = sqlite3_step(st);
	td_err e = TD_OK;
	if (rc == SQLITE_ROW) {
		*valid = true;
		if (name && namelen)
			cut(name, namelen, col(st, 0));
	} else if (rc != SQLITE_DONE) {
		e = fail(s, "check key");
	}
	sqlite3_finalize(st);
	return e;
}

static td_err sq_apikey_revoke(struct store *s, const char *name, int64_t now, size_t *n)
{
	sqlite3_stmt *st;
	if (sqlite3_prepare_v2(store__sqlite_db(s),
			       "UPDATE open311_key SET revoked_at = ?2 WHERE name = ?1"
			       " AND revoked_at IS NULL",
			       -1, &st, NULL) != SQLITE_OK)
		return fail(s, "revoke key");
	bind_text(st, 1, name);
	sqlite3_bind_int64(st, 2, now);
	td_err e = sqlite3_step(st) == SQLITE_DONE ? TD_OK : fail(s, "revoke key");
	if (!e && n)
		*n = (size_t)sqlite3_changes(store__sqlite_db(s));
	sqlite3_finalize(st);
	return e;
}

const struct store__case_ops store__sqlite_case_ops = {
	.next_seq = sq_next_seq,
	.insert = sq_insert,
	.get = sq_get,
	.contact_get = sq_contact_get,
	.history = sq_history,
	.status_set = sq_status_set,
	.list = sq_list,
	.savepoint = sq_savepoint,
	.release = sq_release,
	.rollback_to = sq_rollback_to,
	.apikey_add = sq_apikey_add,
	.apikey_check = sq_apikey_check,
	.apikey_revoke = sq_apikey_revoke,
};
