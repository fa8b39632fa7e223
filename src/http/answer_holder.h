/*
 * answer_holder.h - the answering engine of a running server, as a
 * reference-counted snapshot behind an atomic pointer.
 *
 * `tongdai serve` opens one struct answer_bundle at start-up (records from
 * the store, lexicon, models, search index, engine: seconds of work) and
 * publishes it here.  Each request acquires the current snapshot, uses its
 * engine or index (immutable, safe from any number of threads) and releases
 * it.  A reload (SIGHUP) opens a new bundle off to the side and publishes
 * it; requests still holding the old snapshot finish with it, and the last
 * release frees it.  Same scheme as search_holder (src/search/search.h).
 */
#ifndef TD_HTTP_ANSWER_HOLDER_H
#define TD_HTTP_ANSWER_HOLDER_H

#include <stdatomic.h>
#include <stddef.h>

#include "answer/bundle.h"
#include "base/error.h"

struct http_answer_snapshot {
	struct answer_bundle bundle; /* read-only once published */
	char kb_as_of[16];           /* newest as_of among the records, "" if none */
	_Atomic unsigned refs;
};

/*
 * Open a snapshot: answer_bundle_open(data_dir, resource_dir) plus the
 * knowledge base's as-of date.  *out holds one reference (drop it with
 * http_answer_snapshot_unref, or hand it to http_answer_holder_publish).
 * Errors as answer_bundle_open, with err in words a person can act on.
 */
td_err http_answer_snapshot_open(const char *data_dir, const char *resource_dir,
				 struct http_answer_snapshot **out, char *err, size_t errlen);
/* Drop a reference; the last one closes the bundle.  NULL is a no-op. */
void http_answer_snapshot_unref(struct http_answer_snapshot *snap);

struct http_answer_holder;

/* An empty holder.  Free with http_answer_holder_free. */
struct http_answer_holder *http_answer_holder_new(void);
/* Make snap current, taking over the caller's reference; the previous
 * snapshot's reference is dropped (outside the lock). */
void http_answer_holder_publish(struct http_answer_holder *h, struct http_answer_snapshot *snap);
/* The current snapshot with a new reference, NULL if none was published.
 * The caller drops it with http_answer_snapshot_unref. */
struct http_answer_snapshot *http_answer_holder_acquire(struct http_answer_holder *h);
/* Drop the holder's reference and free it.  NULL is a no-op. */
void http_answer_holder_free(struct http_answer_holder *h);

#endif
