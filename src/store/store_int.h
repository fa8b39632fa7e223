/*
 * store_int.h - what a storage backend implements (private to src/store/).
 *
 * The backend-independent logic (versioning, change summaries, turning rows
 * into records) lives in store.c; a backend only moves rows.  This is the
 * connection-filter idea of curl: one table of operations per backend, no
 * #ifdef in function bodies.
 */
#ifndef TD_STORE_STORE_INT_H
#define TD_STORE_STORE_INT_H

#include <stddef.h>

#include "base/error.h"
#include "store/store.h"
#include "store/store_chat.h"

/* One stored version of a procedure, as a backend hands it over.  All strings
 * are owned by the row (store__row_release frees them). */
struct store__row {
	char *code;
	int version;
	char *body; /* canonical JSON content (KB_JSON_CONTENT | KB_JSON_RAW) */
	char *changed_at;
	char *changed_by;
	char *summary;
};

void store__row_release(struct store__row *r);

/* The columns a backend filters on, derived from the record by store.c. */
struct store__keys {
	const char *code;
	const char *name;
	char *field_key;  /* folded Lĩnh vực */
	char *levels_key; /* "|cap xa|cap tinh|" folded, for LIKE '%|cap xa|%' */
	const char *owner;
};

typedef int (*store__row_fn)(const struct store__row *r, void *ctx);

struct store_ops {
	const char *name;
	td_err (*open)(struct store *s, const char *location, char *err, size_t errlen);
	void (*close)(struct store *s);
	td_err (*begin)(struct store *s);
	td_err (*commit)(struct store *s);
	td_err (*rollback)(struct store *s);
	/* The current row of code: TD_ERR_NOTFOUND if none. */
	td_err (*current)(struct store *s, const char *code, struct store__row *out);
	/* Write a new current version and append it to the history. */
	td_err (*write)(struct store *s, const struct store__keys *k, const struct store__row *r);
	td_err (*list)(struct store *s, const char *field_key, const char *level_key,
		       const char *owner, size_t offset, size_t limit, store__row_fn fn, void *ctx);
	td_err (*count)(struct store *s, size_t *n);
	/* Every version of code, newest first. */
	td_err (*history)(struct store *s, const char *code, store__row_fn fn, void *ctx);
	td_err (*version)(struct store *s, const char *code, int version, struct store__row *out);

	/* ---- chat sessions, turns, gaps (store_chat.c; migration 2) ---- */
	/* The session row of id: TD_ERR_NOTFOUND if none.  Fills every field
	 * of out but `stored`. */
	td_err (*chat_session_get)(struct store *s, const char *id, struct store_chat_session *out);
	/* In one transaction: upsert the session as given (its counters
	 * already advanced by the caller), insert the turn (question already
	 * masked), insert a gap when t->gap (gap_field_key: folded field),
	 * mark the session's open clarify gaps resolved when t->resolves. */
	td_err (*chat_turn_add)(struct store *s, const struct store_chat_session *sess,
				const struct store_chat_turn *t, const char *gap_field_key,
				int64_t now);
	td_err (*chat_turn_count)(struct store *s, const char *session_id, size_t *n);
	/* The masked question of turn n (0-based) of a session, copied. */
	td_err (*chat_turn_question)(struct store *s, const char *session_id, size_t n,
				     char **out);
	/* Open gaps, newest first; field_key NULL: any. */
	td_err (*chat_gaps)(struct store *s, int64_t since, const char *field_key, size_t offset,
			    size_t limit, store_gap_fn fn, void *ctx);
	td_err (*chat_gaps_count)(struct store *s, int64_t since, const char *field_key,
				  size_t *n);
	/* Drop the dialog blob of sessions expired before `before`. */
	td_err (*chat_expire)(struct store *s, int64_t before, size_t *n);

	/* ---- PAKN cases (store_case.c, store_case_int.h; migration 3) ---- */
	const struct store__case_ops *cases;
};

struct store {
	const struct store_ops *ops;
	void *impl;          /* backend connection */
	int schema_version;
	char errmsg[512];
	void *case_stmts;    /* the case backend's prepared statements, NULL until used */
};

extern const struct store_ops store__sqlite_ops;

struct store__case_ops;
/* The SQLite connection of a store opened with store__sqlite_ops (for
 * store_case_sqlite.c), and the hook that finalises that file's statements
 * before the connection closes. */
struct sqlite3;
struct sqlite3 *store__sqlite_db(struct store *s);
void store__sqlite_case_close(struct store *s);

/* Folded comparison key for filters (lower case, no diacritics, đ -> d);
 * caller frees. */
char *store__fold(const char *s);

#endif
