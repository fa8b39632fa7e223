/*
 * store_case.h - PAKN cases (feedback and petitions): the record that is
 * never lost, its phone-readable number, its status history, the contact
 * kept apart, and the group-commit writer that makes "acknowledged" mean
 * "on disk" at a thousand cases a second.
 *
 * A case keeps the citizen's text exactly as received (never altered), a
 * public copy of it with personal data masked (what Open311 and public views
 * show), the classification, the place, the agency and why, the status and
 * its history.  The contact (name, phone, e-mail, address) lives in its own
 * table and is read only by store_case_contact_get: listings, public views
 * and logs never see it.
 *
 * Case numbers (read over the phone): YYMMDD, a per-day sequence of at least
 * four digits, and one Damm check digit, all digits: 251128-0042-7.  The
 * canonical form has no separators ("25112800427"); anything the citizen
 * types or says with spaces, dots or dashes is accepted, and a number whose
 * check digit does not match is refused before any lookup, so a misheard
 * digit or two swapped neighbours never shows another person's case.  The
 * day is the Hanoi calendar day (UTC+7) of receipt.  See
 * docs/internals/pakn-cases.md.
 *
 * Times are Unix seconds (UTC) passed in by the caller.  Thread safety: as
 * for struct store (one connection, one thread at a time), except the
 * writer, which is shared by any number of threads.
 */
#ifndef TD_STORE_STORE_CASE_H
#define TD_STORE_STORE_CASE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/error.h"

struct store;

/* ---- numbers -------------------------------------------------------------- */

/* Canonical number: 6 date digits, 4..9 sequence digits, 1 check digit. */
#define STORE_CASE_NUMBER_MAX 16
/* Display form with two dashes. */
#define STORE_CASE_NUMBER_DISPLAY_MAX 20

/* The Damm check digit ('0'..'9') of the decimal digits s[0..n). */
char store_case_check_digit(const char *s, size_t n);

/* Build the canonical number of sequence seq (>= 1) on Hanoi day yymmdd
 * (6 digits) into out (STORE_CASE_NUMBER_MAX + 1 bytes).  TD_ERR_INVAL for a
 * malformed day or seq 0 or seq >= 10^9. */
td_err store_case_number_make(char *out, const char *yymmdd, uint64_t seq);

/* Parse a number as typed ("251128-0042-7", "25112800427", "2511 2800 427"):
 * separators (space, '-', '.', '/') dropped, 11..16 digits, check digit
 * verified.  Fills canon (STORE_CASE_NUMBER_MAX + 1 bytes).  TD_ERR_INVAL
 * when it is not shaped like a number or the check digit is wrong. */
td_err store_case_number_parse(const char *in, char *canon);

/* The display form of a canonical number ("251128-0042-7") into out. */
void store_case_number_display(const char *canon, char *out, size_t outlen);

/* The Hanoi (UTC+7) day of t as "YYMMDD" into out[7]. */
void store_case_day(int64_t t, char out[7]);

/* ---- the record ----------------------------------------------------------- */

enum store_case_status {
	STORE_CASE_RECEIVED,     /* recorded, not yet checked by staff */
	STORE_CASE_ACCEPTED,     /* accepted as a PAKN */
	STORE_CASE_NOT_ACCEPTED, /* refused, with the reason (final) */
	STORE_CASE_ASSIGNED,     /* given to an agency / officer */
	STORE_CASE_IN_PROGRESS,  /* being handled */
	STORE_CASE_ANSWERED,     /* the citizen was answered */
	STORE_CASE_CLOSED,       /* done (final); also merged duplicates */
	STORE_CASE__NSTATUS
};

/* "received", "accepted", ... (static; "received" for out-of-range values). */
const char *store_case_status_name(enum store_case_status st);
/* The Vietnamese label ("Đã tiếp nhận", ...), static. */
const char *store_case_status_label(enum store_case_status st);
/* Parse a status name; false if unknown. */
bool store_case_status_parse(const char *s, enum store_case_status *out);
/* Open311 "open" (true) or "closed": not_accepted, answered, closed are closed. */
bool store_case_status_is_open(enum store_case_status st);
/* May a case go from `from` to `to`?  received -> accepted | not_accepted |
 * assigned | closed; accepted -> assigned | in_progress | answered | closed;
 * assigned -> in_progress | answered | assigned | closed; in_progress ->
 * answered | assigned | closed; answered -> closed | in_progress (reopened);
 * not_accepted and closed are final. */
bool store_case_transition_ok(enum store_case_status from, enum store_case_status to);

/* Attachments are kept by reference (a URL or a stored file path). */
#define STORE_CASE_ATTACH_MAX 5
#define STORE_CASE_ATTACH_SIZE_MAX ((int64_t)20 << 20)
#define STORE_CASE_URL_MAX 1024

struct store_case_attachment {
	char url[STORE_CASE_URL_MAX + 1]; /* http(s) URL or a file path under the data dir */
	char media_type[64];              /* "" unknown */
	int64_t size;                     /* bytes, -1 unknown; at most ATTACH_SIZE_MAX */
};

/* The person who reported, stored apart (table pakn_case_contact). */
struct store_case_contact {
	char name[128];
	char phone[32];
	char email[128];
	char address[256];
};

/* Longest original text kept (bytes); longer input is refused by the
 * channels before it gets here. */
#define STORE_CASE_TEXT_MAX ((size_t)16 << 10)

/*
 * One case.  Heap strings are owned by the struct (store_case_release frees
 * them); fixed arrays are NUL-terminated and cut when too long.
 */
struct store_case {
	int64_t id;                                  /* 0 until stored */
	char number[STORE_CASE_NUMBER_MAX + 1];      /* canonical; "" until stored */
	char token[32];                              /* Open311 token; "" until stored */
	char channel[16];                            /* phone, chat, app, web, open311 */
	char service_code[32];                       /* Open311 code asked for, or "" */
	int64_t received_at;
	int64_t updated_at;
	char *text;          /* the original, never altered */
	char *public_text;   /* personal data masked (public views, Open311) */
	char category[32];
	double confidence;
	char *reasons;       /* JSON array text of the classifier's reasons */
	char level[16];      /* normal, urgent, complex */
	bool emergency;
	char emergency_numbers[16]; /* "113", "114,115", "" */
	char ward_codes[128];       /* comma list of 5-digit codes, "" none */
	char *place_text;           /* the matched address text or NULL */
	char agency[32];            /* "" none */
	char *routing_reason;
	enum store_case_status status;
	char *status_reason; /* why (not_accepted), or NULL */
	char missing[96];    /* comma list of missing-part codes (complete.h) */
	int64_t duplicate_of;                           /* case id, 0 none */
	char duplicate_number[STORE_CASE_NUMBER_MAX + 1]; /* its number, "" none */
	double duplicate_score;
	unsigned reporters;  /* 1 + reports merged into this one */
	bool has_location;
	double lat, lon;
	char *location;      /* Open311 address_string / the form's place, or NULL */
	char device_id[64];
	char account_id[64];
	size_t n_attachments;
	struct store_case_attachment attachments[STORE_CASE_ATTACH_MAX];
};

/* Zero a case for filling. */
void store_case_init(struct store_case *c);
/* Free what the case owns and zero it. */
void store_case_release(struct store_case *c);
/* Set one of the heap strings (copied; NULL clears). */
void store_case_set(char **field, const char *value);

/*
 * Store a new case at time now, in one transaction unless one is open: a
 * number from the day's sequence (c->number, c->id and, if empty, c->token
 * are filled in), the case row, the contact (may be NULL) in its own table,
 * the first history entry (status, status_reason as its note, actor) and the
 * attachments.  When c->duplicate_of is set the primary case gets a history
 * note and its reporter count goes up.  TD_ERR_INVAL for a missing text or
 * too many / too large attachments, TD_ERR_DB when the store refuses
 * (nothing is written).
 */
td_err store_case_insert(struct store *s, struct store_case *c, const struct store_case_contact *ct,
			 const char *actor, int64_t now);

/* Fetch by canonical number / by token / by id into *out (initialised by the
 * call; release with store_case_release).  TD_ERR_NOTFOUND if none. */
td_err store_case_get(struct store *s, const char *number, struct store_case *out);
td_err store_case_get_by_token(struct store *s, const char *token, struct store_case *out);
td_err store_case_get_by_id(struct store *s, int64_t id, struct store_case *out);

/* The contact of case id (staff only).  TD_ERR_NOTFOUND if none stored. */
td_err store_case_contact_get(struct store *s, int64_t id, struct store_case_contact *out);

/* Mask a contact for display (td_pii_mask on phone/e-mail, name reduced to
 * its last word's initial, address to its last comma-separated part). */
void store_case_contact_mask(const struct store_case_contact *in, struct store_case_contact *out);

/* One history entry; strings valid during the callback only. */
struct store_case_event {
	int64_t at;
	const char *status;
	const char *note;  /* may be "" */
	const char *actor;
};
typedef int (*store_case_event_fn)(const struct store_case_event *e, void *ctx);
/* The history of case id, oldest first. */
td_err store_case_history(struct store *s, int64_t id, store_case_event_fn fn, void *ctx);

/*
 * Move case `number` to status `to` at now, with a note (may be NULL) and the
 * actor, in one transaction; the note becomes the status reason for
 * not_accepted.  TD_ERR_NOTFOUND if no such case, TD_ERR_INVAL if the
 * transition is not allowed (store_case_transition_ok).
 */
td_err store_case_status_set(struct store *s, const char *number, enum store_case_status to,
			     const char *note, const char *actor, int64_t now);

/* The current status of case id. */
td_err store_case_status_of(struct store *s, int64_t id, enum store_case_status *out);

struct store_case_filter {
	int has_status;                 /* filter on status */
	enum store_case_status status;
	bool open_only;                 /* received/accepted/assigned/in_progress */
	bool closed_only;               /* not_accepted/answered/closed (Open311 "closed") */
	const char *agency;             /* exact, NULL any */
	const char *ward;               /* 5-digit code among the ward codes, NULL any */
	const char *category;           /* slug or Open311 service_code, NULL any */
	int64_t since, until;           /* received_at in [since, until); 0: unbounded */
	bool oldest_first;              /* default newest first */
	size_t offset, limit;           /* limit 0: no limit */
};
typedef int (*store_case_fn)(const struct store_case *c, void *ctx);
/* Cases matching f, passed to fn (owned by the store, valid during the call;
 * a non-zero return stops).  *total (may be NULL) gets the number of matches
 * regardless of offset/limit. */
td_err store_case_list(struct store *s, const struct store_case_filter *f, store_case_fn fn,
		       void *ctx, size_t *total);

/* ---- Open311 API keys ----------------------------------------------------- */

/* Create a key for client `name`: 32 random bytes in base64url (43
 * characters) into key_out (at least 48 bytes).  Only its BLAKE2b-256 hash is
 * stored, so the key is shown once. */
td_err store_case_apikey_add(struct store *s, const char *name, int64_t now, char *key_out,
			     size_t keylen);
/* Is key a valid, unrevoked key?  Fills the client's name (may be NULL). */
td_err store_case_apikey_check(struct store *s, const char *key, bool *valid, char *name,
			       size_t namelen);
/* Revoke every key of client name; *n gets how many. */
td_err store_case_apikey_revoke(struct store *s, const char *name, int64_t now, size_t *n);

/* ---- group commit --------------------------------------------------------- */

struct store_case_writer;

/* Called on the writer thread, inside the batch transaction, before a case
 * is inserted (duplicate detection) and after the batch committed or
 * failed.  Any hook may be NULL. */
struct store_case_hooks {
	void (*prepare)(void *ctx, struct store *s, struct store_case *c);
	void (*committed)(void *ctx, const struct store_case *c);
	void (*aborted)(void *ctx, const struct store_case *c);
	void *ctx;
};

/*
 * Start a writer: its own store connection to location and one thread that
 * takes every waiting case (at most batch_max, 1..4096) from a queue of
 * queue_max (1..65536), writes them in one transaction and commits
 * (synchronous=FULL: fsync), then wakes each submitter.  err says why on
 * failure.  Free with store_case_writer_free (drains the queue first).
 */
td_err store_case_writer_new(const char *location, size_t queue_max, size_t batch_max,
			     const struct store_case_hooks *hooks, struct store_case_writer **out,
			     char *err, size_t errlen);
void store_case_writer_free(struct store_case_writer *w);

/*
 * Write c (and contact ct, may be NULL) durably, at time now.  Blocks until
 * the case's batch committed: on TD_OK c->id, c->number, c->token (and any
 * duplicate fields the prepare hook set) are filled and the case is on disk.
 * Waits at most wait_ms for room in a full queue (TD_ERR_BUSY after that);
 * once queued it waits for the commit, which SQLite's busy timeout bounds.
 * TD_ERR_DB when the batch failed (nothing of the case was written).
 * c and ct must stay valid until the call returns.
 */
td_err store_case_writer_submit(struct store_case_writer *w, struct store_case *c,
				const struct store_case_contact *ct, const char *actor,
				int64_t now, unsigned wait_ms);

struct store_case_writer_stats {
	uint64_t cases, batches, failed, max_batch;
};
void store_case_writer_stats(struct store_case_writer *w, struct store_case_writer_stats *out);

#endif
