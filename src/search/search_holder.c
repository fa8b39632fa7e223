/*
 * search_holder.c - the published search snapshot of a server.
 *
 * Readers call search_holder_acquire() once per request and release the
 * index with search_index_unref() when done; a reload builds a new index off
 * to the side and search_holder_publish()es it.  The old index stays alive
 * while any reader holds it and is freed by whoever drops the last reference
 * (index reference counts are atomics).
 *
 * Why a mutex around "load the pointer, take a reference": with only an
 * atomic pointer, a reader could load the old pointer, be preempted, and the
 * publisher could swap and drop the last reference before the reader's
 * increment, which would then touch freed memory.  Closing that window
 * without a lock needs hazard pointers or epochs; the critical section here
 * is one load and one atomic increment (tens of nanoseconds), so a plain
 * mutex is cheaper to trust and costs nothing measurable next to a query.
 * The pointer itself is still an atomic so search_holder_peek-style readers
 * or assertions could read it without the lock.  The publisher drops the
 * previous index's reference outside the lock, so freeing a big index never
 * blocks readers.
 */
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>

#include "base/alloc.h"
#include "search/search.h"

#include "base/banned.h"

struct search_holder {
	pthread_mutex_t lock;
	_Atomic(struct search_index *) cur;
};

struct search_holder *search_holder_new(void)
{
	struct search_holder *h = td_calloc(1, sizeof *h);
	if (pthread_mutex_init(&h->lock, NULL) != 0)
		abort();
	atomic_init(&h->cur, NULL);
	return h;
}

void search_holder_publish(struct search_holder *h, struct search_index *ix)
{
	pthread_mutex_lock(&h->lock);
	struct search_index *old = atomic_exchange_explicit(&h->cur, ix, memory_order_acq_rel);
	pthread_mutex_unlock(&h->lock);
	search_index_unref(old);
}

struct search_index *search_holder_acquire(struct search_holder *h)
{
	pthread_mutex_lock(&h->lock);
	struct search_index *ix = atomic_load_explicit(&h->cur, memory_order_acquire);
	if (ix)
		search_index_ref(ix);
	pthread_mutex_unlock(&h->lock);
	return ix;
}

void search_holder_free(struct search_holder *h)
{
	if (!h)
		return;
	search_index_unref(atomic_load_explicit(&h->cur, memory_order_acquire));
	pthread_mutex_destroy(&h->lock);
	td_free(h);
}
