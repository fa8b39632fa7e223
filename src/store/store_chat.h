/*
 * store_chat.h - chat sessions, their turns and the knowledge-base gaps.
 *
 * A chat session is what lets "thế còn lệ phí?" be understood after "đăng ký
 * khai sinh cần gì?": the answering layer's dialog state (struct dialog, plain
 * bytes) is kept here as an opaque blob beside an unguessable id, the channel
 * and an expiry.  The store does not know what the blob means; it only keeps
 * it, so src/store/ does not depend on src/answer/.
 *
 * Every turn is kept with the citizen's question *masked* (td_pii_mask:
 * phone and ID numbers keep two digits at each end, e-mail local parts are
 * starred) - the store does the masking itself, so no caller can forget it.
 * A turn the engine could not answer (no_match) or that asked the citizen to
 * choose (clarify) is also recorded as a knowledge-base gap: the list the
 * people who maintain the records work from.  A clarify gap is "resolved"
 * when a later turn of the same session picks one of the options; resolved
 * gaps are not listed.
 *
 * Times are Unix seconds (UTC) passed in by the caller, so tests can move
 * the clock.  All writes of one turn (turn, session, gap, resolution) are one
 * transaction.  Thread safety: as for struct store (one connection, one
 * thread at a time).
 */
#ifndef TD_STORE_STORE_CHAT_H
#define TD_STORE_STORE_CHAT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/error.h"

struct store;

/* Session ids are 18 bytes (the start time in milliseconds, 48 bits, big
 * endian, then 12 random bytes) written with the base64url characters in
 * ASCII order ("-0-9A-Z_a-z"), so ids sort as text by creation time: 24
 * characters. */
#define STORE_CHAT_ID_BYTES 18
#define STORE_CHAT_ID_LEN 24
/* Longest id accepted from outside (ids are checked before any lookup). */
#define STORE_CHAT_ID_MAX 64
/* Largest dialog blob a session keeps. */
#define STORE_CHAT_DIALOG_MAX 4096
/* Longest question kept in a turn (bytes, after masking; cut at a UTF-8
 * boundary). */
#define STORE_CHAT_QUESTION_MAX 8192

struct store_chat_session {
	char id[STORE_CHAT_ID_MAX + 1]; /* base64url, NUL-terminated */
	char channel[16];               /* "web", "app", "voice" */
	int64_t created_at;
	int64_t last_active;
	int64_t expires_at;             /* not resumable from this second on */
	unsigned turns;
	bool stored;                    /* false until the first turn is written */
	size_t dialog_len;              /* 0: no dialog yet */
	unsigned char dialog[STORE_CHAT_DIALOG_MAX];
};

/* Is id shaped like a session id (1..STORE_CHAT_ID_MAX characters of the
 * base64url alphabet)?  Ids that are not are never looked up. */
bool store_chat_id_valid(const char *id);

/*
 * A fresh session id for a session started at `now` (Unix seconds; the id
 * takes the current time in milliseconds, `now` only if the clock cannot be
 * read) into out: STORE_CHAT_ID_LEN characters and a NUL.  96 of its bits
 * come from libsodium's randombytes_buf, so ids cannot be guessed; the time
 * prefix makes later ids sort after earlier ones (to the millisecond).
 * TD_ERR_INTERNAL (out "") if libsodium cannot be initialised.
 */
td_err store_chat_id_new(int64_t now, char out[STORE_CHAT_ID_LEN + 1]);

/*
 * Start a new session in memory: a fresh id (store_chat_id_new), channel
 * (copied, cut to 15 bytes), created/last-active `now`, expiry now + ttl.
 * Nothing is written until store_chat_turn_add.  TD_ERR_INTERNAL if
 * libsodium cannot be initialised.
 */
td_err store_chat_session_start(const char *channel, int64_t now, int64_t ttl,
				struct store_chat_session *out);

enum store_chat_lookup {
	STORE_CHAT_LIVE,    /* found and not expired: *out filled */
	STORE_CHAT_EXPIRED, /* found but expired: *out filled, must not be resumed */
	STORE_CHAT_UNKNOWN, /* no such session (or a malformed id) */
};

/*
 * Look a session up by id at time now.  *found says which case; the return
 * value is TD_OK or TD_ERR_DB (store_errmsg says why).
 */
td_err store_chat_session_get(struct store *s, const char *id, int64_t now,
			      struct store_chat_session *out, enum store_chat_lookup *found);

/* One answered message.  All strings are borrowed for the call. */
struct store_chat_turn {
	const char *question;     /* as typed; masked by the store before it is written */
	const char *intent;       /* "procedure_info", ... */
	const char *aspect;       /* "fee", ... */
	const char *status;       /* "answered", "clarify", "no_match", "other_intent" */
	const char *procedure;    /* code answered about, NULL: none */
	double confidence;
	bool gap;                 /* also record a knowledge-base gap */
	const char *gap_field;    /* best guess (top candidate's Lĩnh vực), NULL: unknown */
	const char *gap_agency;   /* best guess (top candidate's agency), NULL: unknown */
	const char *candidates;   /* JSON array text for the gap, NULL: "[]" */
	bool resolves;            /* this turn answered a pending clarification of the
				   * session: its open clarify gaps become resolved */
};

/*
 * Write one turn at time now, in one transaction: the turn (question
 * masked), the session (created on its first turn; last_active = now,
 * expires_at = now + ttl, turns + 1, the dialog blob `dialog`/`dialog_len`,
 * at most STORE_CHAT_DIALOG_MAX bytes), the gap if t->gap, and the
 * resolution of earlier clarify gaps if t->resolves.  sess is updated to
 * what was written.  TD_ERR_INVAL for a NULL question/status or an
 * oversized dialog, TD_ERR_DB if the store refused (nothing is written).
 */
td_err store_chat_turn_add(struct store *s, struct store_chat_session *sess,
			   const struct store_chat_turn *t, const void *dialog, size_t dialog_len,
			   int64_t now, int64_t ttl);

/* Number of turns stored for a session (tests, diagnostics). */
td_err store_chat_turn_count(struct store *s, const char *session_id, size_t *n);

/* The masked question of the n-th turn of a session (0 = first); caller
 * frees with td_free.  TD_ERR_NOTFOUND when there is no such turn. */
td_err store_chat_turn_question(struct store *s, const char *session_id, size_t n, char **out);

/* One gap, as listed.  Strings are owned by the store, valid during the
 * callback only. */
struct store_gap {
	int64_t at;
	const char *session_id;
	const char *channel;
	const char *question;   /* masked */
	const char *status;     /* "no_match" or "clarify" */
	const char *field;      /* best guess or NULL */
	const char *agency;     /* best guess or NULL */
	const char *candidates; /* JSON array text */
};

struct store_gap_filter {
	int64_t since;        /* only gaps at or after this time; 0: all */
	const char *field;    /* Lĩnh vực, compared case- and accent-insensitively; NULL: any */
	size_t offset, limit; /* limit 0: no limit */
};

typedef int (*store_gap_fn)(const struct store_gap *g, void *ctx);

/*
 * The open (unresolved) gaps matching f, newest first, each passed to fn
 * (a non-zero return stops the walk).  *total (may be NULL) gets the number
 * of matches regardless of offset/limit.  TD_ERR_DB on a store error.
 */
td_err store_chat_gaps(struct store *s, const struct store_gap_filter *f, store_gap_fn fn,
		       void *ctx, size_t *total);

/*
 * Forget the dialog of sessions that expired before `before` (their turns
 * and gaps stay).  *n (may be NULL) gets how many sessions were cleared.
 */
td_err store_chat_sessions_expire(struct store *s, int64_t before, size_t *n);

#endif
