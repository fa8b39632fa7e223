/*
 * session_cache.h - the live chat sessions of this process, in memory, in
 * front of the store.
 *
 * Turns are written behind the answer (turn_writer.h), so right after an
 * answer the store may not have the session's new dialog yet.  The next
 * message of that session must see it, so the chat handler keeps each
 * session's state here and reads the store only on a miss (after a
 * restart, or for a session this cache has let go of).  The store stays the
 * durable copy; this is a bounded cache, not a second source of truth.
 *
 * Shape: a set-associative table (HTTP_SESSION_CACHE_WAYS entries per set),
 * its sets spread over 16 shards with one mutex each, so two pool threads
 * rarely meet on a lock and each lock covers a handful of compares and one
 * ~300-byte copy.  Within a set, eviction takes an empty slot, else an
 * expired one, else the least recently used - but never an entry with a
 * write still in flight ("pending"), because the store does not have that
 * entry's state yet and a reader would find an older dialog there.  If a
 * set holds only pending entries, put says so and the caller waits for the
 * writer (http_turn_writer_sync) and tries again.
 *
 * Expiry: an entry keeps the session's expires_at; a lookup at or after it
 * says "expired", exactly as the store would.
 */
#ifndef TD_HTTP_SESSION_CACHE_H
#define TD_HTTP_SESSION_CACHE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/error.h"
#include "store/store_chat.h"

#define HTTP_SESSION_CACHE_WAYS 16
/* Largest dialog blob cached (the chat handler's blob is ~220 bytes;
 * api_chat.c checks that at compile time). */
#define HTTP_SESSION_DIALOG_MAX 256

struct http_session_cache;

/* One session's state, as cached.  Plain data, copied in and out. */
struct http_session_entry {
	char id[STORE_CHAT_ID_MAX + 1];
	char channel[16];
	int64_t created_at;
	int64_t last_active;
	int64_t expires_at;
	unsigned turns;
	size_t dialog_len;
	unsigned char dialog[HTTP_SESSION_DIALOG_MAX];
};

/* A cache of about `capacity` sessions (rounded up to whole sets; at least
 * one set per shard).  Free with http_session_cache_free. */
struct http_session_cache *http_session_cache_new(size_t capacity);
void http_session_cache_free(struct http_session_cache *c);

enum http_session_lookup {
	HTTP_SESSION_LIVE,    /* found, not expired: *out filled */
	HTTP_SESSION_EXPIRED, /* found, expired: *out filled, must not be resumed */
	HTTP_SESSION_MISS,    /* not cached: ask the store */
};

/* Look id up at time now (and mark it recently used). */
enum http_session_lookup http_session_cache_get(struct http_session_cache *c, const char *id,
						int64_t now, struct http_session_entry *out);

/*
 * Insert or replace the entry with e's id.  pending: a write of this state
 * has been (or is about to be) queued, so the entry must stay until
 * http_session_cache_settle is called for it; false for a state read from
 * the store.  Replacing keeps the entry's pending count.
 *
 * TD_OK, or TD_ERR_BUSY when the set has no slot that may be evicted (all
 * pending): wait for the writer and call again, or call with force.  force
 * evicts the least recently used entry even if pending (counted in
 * forced_evictions; that session's next message may see the store's older
 * dialog until its write lands).  TD_ERR_INVAL for a dialog over
 * HTTP_SESSION_DIALOG_MAX.
 */
td_err http_session_cache_put(struct http_session_cache *c, const struct http_session_entry *e,
			      bool pending, bool force);

/* One queued write of session id has settled (stored or failed). */
void http_session_cache_settle(struct http_session_cache *c, const char *id);

struct http_session_cache_stats {
	uint64_t hits, misses, evictions, forced_evictions;
	size_t entries, capacity;
};
void http_session_cache_stats(struct http_session_cache *c, struct http_session_cache_stats *out);

#endif
