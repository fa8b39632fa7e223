/*
 * store.h - durable storage behind an operations table.
 *
 * The rest of tongdai talks to `struct store` only through these functions;
 * which backend sits behind it (SQLite by default, PostgreSQL later) is chosen
 * once in store_open from the location string.  Records cross this boundary
 * as struct kb_procedure; each backend keeps them as canonical JSON (kb_json.h)
 * plus the few columns it filters on, so both backends give identical answers.
 *
 * Thread safety: a struct store is one connection; use one per thread (the
 * HTTP server opens one per worker).  SQLite runs in WAL mode, so readers do
 * not block the writer.
 */
#ifndef TD_STORE_STORE_H
#define TD_STORE_STORE_H

#include <stdbool.h>
#include <stddef.h>

#include "base/error.h"
#include "kb/kb.h"

struct store;

/*
 * Open (creating and migrating as needed) the store at `location`: a data
 * directory path for SQLite (the database is DIR/tongdai.db; the directory is
 * created), or, in later versions, a "postgresql://" URL.  On failure *out is
 * NULL and err says why in words a person can act on.
 */
td_err store_open(const char *location, struct store **out, char *err, size_t errlen);
void store_close(struct store *s);

/* The backend's name ("sqlite") and the schema version after migration. */
const char *store_backend(const struct store *s);
int store_schema_version(const struct store *s);

/* Group many writes into one transaction (much faster for imports). */
td_err store_begin(struct store *s);
td_err store_commit(struct store *s);
td_err store_rollback(struct store *s);

enum store_put_result { STORE_PUT_INSERTED, STORE_PUT_UPDATED, STORE_PUT_UNCHANGED };

/*
 * Insert or update one procedure.  If the stored content is identical nothing
 * changes (STORE_PUT_UNCHANGED); otherwise the version goes up by one and the
 * previous content is kept in the history with `by`, the time and a summary of
 * the changed fields.  The record is not modified; version/updated_* in it are
 * ignored.
 */
td_err store_procedure_put(struct store *s, const struct kb_procedure *p, const char *by,
			   enum store_put_result *result);

/* Fetch the current version of `code` into a new record (caller frees with
 * kb_procedure_free).  TD_ERR_NOTFOUND if there is none. */
td_err store_procedure_get(struct store *s, const char *code, struct kb_procedure **out);

/* Fetch the record as its stored canonical JSON text with version metadata
 * (caller frees with td_free).  TD_ERR_NOTFOUND if none. */
td_err store_procedure_get_json(struct store *s, const char *code, char **json_out);

struct store_filter {
	const char *field;  /* exact Lĩnh vực, compared case- and accent-insensitively; NULL: any */
	const char *level;  /* one of the levels, e.g. "Cấp xã", same comparison; NULL: any */
	const char *owner;  /* owning department; NULL: any */
	size_t offset, limit; /* limit 0: no limit */
};

/* Call `each` for every matching procedure, ordered by code; the record is
 * owned by the store and valid only during the call.  A non-zero return from
 * `each` stops the walk and is returned. */
typedef int (*store_procedure_fn)(const struct kb_procedure *p, void *ctx);
td_err store_procedure_list(struct store *s, const struct store_filter *f, store_procedure_fn each,
			    void *ctx);

/* Number of procedures stored. */
td_err store_procedure_count(struct store *s, size_t *n);

/* The versions of `code`, newest first, current one included.  The caller
 * frees with store_history_free.  TD_ERR_NOTFOUND if the code is unknown. */
td_err store_procedure_history(struct store *s, const char *code, struct kb_history_entry **out,
			       size_t *n);
void store_history_free(struct kb_history_entry *h, size_t n);

/* A previous version's full record (caller frees).  TD_ERR_NOTFOUND if none. */
td_err store_procedure_get_version(struct store *s, const char *code, int version,
				   struct kb_procedure **out);

/* The last error message of the backend, for logs (owned by the store). */
const char *store_errmsg(const struct store *s);

#endif
