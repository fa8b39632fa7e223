/*
 * turn_writer.h - chat turns written behind the answer, in batches.
 *
 * A chat turn log is not something the citizen submitted and was promised
 * we would keep (a PAKN case is, and is written before it is acknowledged);
 * it is our record of the conversation.  So the chat handler does not wait
 * for its fsync: it hands a copy of the turn to this writer and answers.
 * One writer thread takes every turn waiting, writes them in ONE store
 * transaction (store_chat_turn_add each, store_begin/store_commit around
 * them), commits - one fsync for the whole batch - and repeats.  While it
 * commits, new turns queue up, so the batch size follows the load (group
 * commit).  It also starts a batch no sooner than gather_ms after the
 * previous one started (unless the batch or the queue is full, a reader
 * waits in sync, or it stops): under load, fewer and bigger commits, each
 * paying one fsync and one rewrite of the B-trees' right-edge pages for
 * ~150-300 turns instead of ~20.  After a quiet spell a turn is written at
 * once.
 *
 * Bounds: the queue holds at most max_queue turns and max_queue_bytes of
 * copies.  When it is full, http_turn_writer_add waits up to block_ms for
 * room (back-pressure: a slow disk slows the answers a little) and then
 * drops the turn, counting it (TD_ERR_BUSY).  It never grows without limit.
 *
 * Durability: http_turn_writer_free drains the queue and commits before it
 * returns, so a clean stop (SIGTERM) loses nothing.  A crash or kill -9
 * loses what was queued or being committed at that instant: the last batch
 * plus whatever waited behind it (normally the last gather_ms plus one
 * commit, ~10-15 ms of turns; at worst max_queue turns).  Committed batches are as durable as
 * every other write (WAL, synchronous=FULL).
 *
 * Order: turns are written in the order they were added, so the turns of
 * one session reach the store in order.
 *
 * Thread safety: add, sync and stats may be called from any thread; new
 * and free from one owning thread.
 */
#ifndef TD_HTTP_TURN_WRITER_H
#define TD_HTTP_TURN_WRITER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/error.h"
#include "store/store_chat.h"

struct store;
struct http_turn_writer;

struct http_turn_writer_config {
	size_t max_queue;       /* turns waiting (default 10,000) */
	size_t max_queue_bytes; /* bytes of waiting copies (default 32 MiB) */
	unsigned block_ms;      /* wait for room before dropping (default 100) */
	size_t max_batch;       /* turns per transaction (default 4,096) */
	unsigned gather_ms;     /* least time between batch starts (default 10;
				   0: start each batch as soon as a turn waits) */
};

/* Fill c with the defaults above. */
void http_turn_writer_config_defaults(struct http_turn_writer_config *c);

/*
 * Called on the writer thread once a turn is settled: stored (committed) or
 * not (the store refused it; logged and counted).  session_id is valid only
 * during the call.  Used by the session cache to know which sessions still
 * have writes in flight.  Must not call back into the writer.
 */
typedef void (*http_turn_settled_fn)(void *ctx, const char *session_id, bool stored);

/*
 * Start a writer on st, which it owns from now on (closed by
 * http_turn_writer_free, also on failure).  settled may be NULL.  cfg NULL:
 * defaults.  TD_ERR_INVAL for a zero bound, TD_ERR_INTERNAL if the thread
 * cannot be started.
 */
td_err http_turn_writer_new(struct store *st, const struct http_turn_writer_config *cfg,
			    http_turn_settled_fn settled, void *ctx, struct http_turn_writer **out);

/*
 * Stop: write everything still queued (one last batch), join the thread,
 * close the store and free.  Nothing may call add after this has begun.
 * NULL is a no-op.
 */
void http_turn_writer_free(struct http_turn_writer *w);

/* The session a turn belongs to, as it was BEFORE the turn. */
struct http_turn_session {
	const char *id;      /* valid session id (store_chat_id_valid) */
	const char *channel; /* "web", "app", "voice" (cut to 15 bytes) */
	int64_t created_at;
	unsigned turns;      /* turns stored before this one */
};

/*
 * Queue one turn of session s with the dialog after the turn, at time now,
 * for a session lifetime of ttl: the store will upsert the session (turns
 * s->turns + 1, the dialog, expiry now + ttl) and insert the turn and its
 * gap, as store_chat_turn_add.
 * Everything is copied (question cut to STORE_CHAT_QUESTION_MAX bytes), so
 * the caller's strings may go away at once.  The store masks the question
 * when it writes it, as with store_chat_turn_add.
 *
 * TD_OK: queued.  TD_ERR_BUSY: the queue stayed full for block_ms and the
 * turn was dropped (counted); the settled callback is NOT called for it.
 * TD_ERR_INVAL: missing fields or an oversized dialog.
 */
td_err http_turn_writer_add(struct http_turn_writer *w, const struct http_turn_session *s,
			    const struct store_chat_turn *t, const void *dialog,
			    size_t dialog_len, int64_t now, int64_t ttl);

/*
 * Wait until every turn added before this call is settled (committed or
 * failed).  For readers that must see their own writes (the gaps list right
 * after a chat) and for tests.  Costs at most one batch commit.
 */
void http_turn_writer_sync(struct http_turn_writer *w);

struct http_turn_writer_stats {
	uint64_t queued;    /* turns accepted by add */
	uint64_t written;   /* turns committed */
	uint64_t failed;    /* turns the store refused */
	uint64_t dropped;   /* turns dropped because the queue was full */
	uint64_t batches;   /* transactions committed (or attempted) */
	uint64_t max_batch; /* largest batch so far */
	size_t depth;       /* turns waiting now */
};

/* A consistent snapshot of the counters. */
void http_turn_writer_stats(struct http_turn_writer *w, struct http_turn_writer_stats *out);

#endif
