/*
 * store_case_int.h - what a storage backend implements for PAKN cases
 * (private to src/store/).  store_case.c holds the backend-independent
 * logic (numbers, tokens, validation, masking, the group-commit writer); a
 * backend only moves rows.  The SQLite operations are in
 * store_case_sqlite.c, reached through store_ops.cases.
 */
#ifndef TD_STORE_STORE_CASE_INT_H
#define TD_STORE_STORE_CASE_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/error.h"
#include "store/store_case.h"

struct store;

enum store__case_key { STORE__CASE_BY_NUMBER, STORE__CASE_BY_TOKEN, STORE__CASE_BY_ID };

struct store__case_ops {
	/* The next sequence number of Hanoi day `day` (YYMMDD), inside the
	 * caller's transaction. */
	td_err (*next_seq)(struct store *s, const char *day, uint64_t *seq);
	/* Insert the case (number and token set), its contact (may be NULL),
	 * its first event and attachments; bump the primary of a duplicate.
	 * Sets c->id.  Inside the caller's transaction. */
	td_err (*insert)(struct store *s, struct store_case *c, const struct store_case_contact *ct,
			 const char *actor, int64_t now);
	td_err (*get)(struct store *s, enum store__case_key by, const char *key, int64_t id,
		      struct store_case *out);
	td_err (*contact_get)(struct store *s, int64_t id, struct store_case_contact *out);
	td_err (*history)(struct store *s, int64_t id, store_case_event_fn fn, void *ctx);
	/* Set status (and status_reason for not_accepted), updated_at, and
	 * append the event; inside the caller's transaction. */
	td_err (*status_set)(struct store *s, int64_t id, enum store_case_status to,
			     const char *note, const char *actor, int64_t now);
	td_err (*list)(struct store *s, const struct store_case_filter *f, store_case_fn fn,
		       void *ctx, size_t *total);
	/* Savepoints, so one bad case does not fail its whole batch. */
	td_err (*savepoint)(struct store *s);
	td_err (*release)(struct store *s);
	td_err (*rollback_to)(struct store *s);
	/* API keys by hash (hex BLAKE2b-256). */
	td_err (*apikey_add)(struct store *s, const char *name, const char *hash, int64_t now);
	td_err (*apikey_check)(struct store *s, const char *hash, bool *valid, char *name,
			       size_t namelen);
	td_err (*apikey_revoke)(struct store *s, const char *name, int64_t now, size_t *n);
};

extern const struct store__case_ops store__sqlite_case_ops;

#endif
