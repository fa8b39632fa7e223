/*
 * answer_holder.c - the published answering snapshot (answer_holder.h).
 *
 * The mutex covers only "load the pointer, take a reference", for the
 * reason search_holder.c gives: with a bare atomic pointer a reader could
 * load the old snapshot, be preempted while the publisher swaps and drops
 * the last reference, then increment freed memory.  The critical section is
 * a load and an atomic increment; a reload frees the old bundle outside it.
 */
#include "http/answer_holder.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "base/alloc.h"
#include "search/search.h"
#include "base/banned.h"

struct http_answer_holder {
	pthread_mutex_t lock;
	_Atomic(struct http_answer_snapshot *) cur;
};

td_err http_answer_snapshot_open(const char *data_dir, const char *resource_dir,
				 struct http_answer_snapshot **out, char *err, size_t errlen)
{
	*out = NULL;
	struct http_answer_snapshot *snap = td_calloc(1, sizeof *snap);
	td_err rc = answer_bundle_open(&snap->bundle, data_dir, resource_dir, err, errlen);
	if (rc != TD_OK) {
		td_free(snap);
		return rc;
	}
	size_t n = search_index_count(snap->bundle.index);
	for (size_t i = 0; i < n; i++) {
		const struct kb_procedure *p = search_index_record(snap->bundle.index, i);
		/* ISO dates compare as strings. */
		if (p && p->as_of && strlen(p->as_of) == 10 && strcmp(p->as_of, snap->kb_as_of) > 0)
			memcpy(snap->kb_as_of, p->as_of, 11);
	}
	atomic_init(&snap->refs, 1);
	*out = snap;
	return TD_OK;
}

void http_answer_snapshot_unref(struct http_answer_snapshot *snap)
{
	if (!snap)
		return;
	if (atomic_fetch_sub_explicit(&snap->refs, 1, memory_order_acq_rel) != 1)
		return;
	answer_bundle_close(&snap->bundle);
	td_free(snap);
}

struct http_answer_holder *http_answer_holder_new(void)
{
	struct http_answer_holder *h = td_calloc(1, sizeof *h);
	if (pthread_mutex_init(&h->lock, NULL) != 0)
		abort(); /* start-up only */
	atomic_init(&h->cur, NULL);
	return h;
}

void http_answer_holder_publish(struct http_answer_holder *h, struct http_answer_snapshot *snap)
{
	pthread_mutex_lock(&h->lock);
	struct http_answer_snapshot *old =
		atomic_exchange_explicit(&h->cur, snap, memory_order_acq_rel);
	pthread_mutex_unlock(&h->lock);
	http_answer_snapshot_unref(old);
}

struct http_answer_snapshot *http_answer_holder_acquire(struct http_answer_holder *h)
{
	pthread_mutex_lock(&h->lock);
	struct http_answer_snapshot *snap = atomic_load_explicit(&h->cur, memory_order_acquire);
	if (snap)
		atomic_fetch_add_explicit(&snap->refs, 1, memory_order_relaxed);
	pthread_mutex_unlock(&h->lock);
	return snap;
}

void http_answer_holder_free(struct http_answer_holder *h)
{
	if (!h)
		return;
	http_answer_snapshot_unref(atomic_load_explicit(&h->cur, memory_order_acquire));
	pthread_mutex_destroy(&h->lock);
	td_free(h);
}
