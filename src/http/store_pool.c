/*
 * store_pool.c - a mutex-guarded free list of store connections (see
 * store_pool.h).  Opening a connection (which may migrate the schema) is
 * done outside the lock; the slot is reserved first so max_open holds.
 */
#include "http/store_pool.h"

#include <pthread.h>
#include <stdio.h>

#include "base/alloc.h"
#include "base/log.h"
#include "store/store.h"
#include "base/banned.h"

struct http_store_pool {
	pthread_mutex_t lock;
	pthread_cond_t returned;
	char *location;
	unsigned max_open;
	unsigned n_open;       /* opened or being opened */
	struct store **idle;   /* max_open slots */
	unsigned n_idle;
};

td_err http_store_pool_new(const char *location, unsigned max_open, struct http_store_pool **out,
			   char *err, size_t errlen)
{
	*out = NULL;
	if (!location || max_open < 1)
		return TD_ERR_INVAL;
	struct store *first = NULL;
	td_err e = store_open(location, &first, err, errlen);
	if (e != TD_OK)
		return e;
	struct http_store_pool *p = td_calloc(1, sizeof *p);
	pthread_mutex_init(&p->lock, NULL);
	pthread_cond_init(&p->returned, NULL);
	p->location = td_strdup(location);
	p->max_open = max_open;
	p->idle = td_calloc(max_open, sizeof *p->idle);
	p->idle[0] = first;
	p->n_idle = 1;
	p->n_open = 1;
	*out = p;
	return TD_OK;
}

void http_store_pool_free(struct http_store_pool *p)
{
	if (!p)
		return;
	for (unsigned i = 0; i < p->n_idle; i++)
		store_close(p->idle[i]);
	pthread_cond_destroy(&p->returned);
	pthread_mutex_destroy(&p->lock);
	td_free(p->idle);
	td_free(p->location);
	td_free(p);
}

td_err http_store_pool_acquire(struct http_store_pool *p, struct store **out)
{
	*out = NULL;
	pthread_mutex_lock(&p->lock);
	while (p->n_idle == 0 && p->n_open >= p->max_open)
		pthread_cond_wait(&p->returned, &p->lock);
	if (p->n_idle > 0) {
		*out = p->idle[--p->n_idle];
		pthread_mutex_unlock(&p->lock);
		return TD_OK;
	}
	p->n_open++; /* reserve the slot, open outside the lock */
	pthread_mutex_unlock(&p->lock);

	char err[256];
	td_err e = store_open(p->location, out, err, sizeof err);
	if (e == TD_OK)
		return TD_OK;
	td_log(TD_LOG_ERROR, "http.store_open", "error", err, NULL);
	pthread_mutex_lock(&p->lock);
	p->n_open--;
	pthread_cond_signal(&p->returned);
	pthread_mutex_unlock(&p->lock);
	return TD_ERR_DB;
}

void http_store_pool_release(struct http_store_pool *p, struct store *s)
{
	if (!s)
		return;
	pthread_mutex_lock(&p->lock);
	p->idle[p->n_idle++] = s;
	pthread_cond_signal(&p->returned);
	pthread_mutex_unlock(&p->lock);
}

td_err http_store_pool_open_own(struct http_store_pool *p, struct store **out, char *err,
				size_t errlen)
{
	return store_open(p->location, out, err, errlen);
}
