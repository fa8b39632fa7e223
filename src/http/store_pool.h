/*
 * store_pool.h - store connections for HTTP handlers.
 *
 * A struct store is one database connection and is not thread-safe, while
 * handlers run concurrently on MHD's worker threads.  The pool lends each
 * request its own connection for the duration of the handler and takes it
 * back afterwards.  Connections are opened lazily (the first request of a
 * quiet server opens one, a busy one opens up to `max_open`) and reused;
 * when all are lent out, acquire waits for one to come back.  With the pool
 * sized to the worker count, waiting never happens for synchronous handlers.
 *
 * Why a pool rather than thread-local connections: handlers that later move
 * slow work to other threads (chat with an LLM, exports) can borrow a
 * connection there too, and every connection is closed in one place at
 * shutdown, in the thread that owns the pool.
 */
#ifndef TD_HTTP_STORE_POOL_H
#define TD_HTTP_STORE_POOL_H

#include <stddef.h>

#include "base/error.h"

struct store;
struct http_store_pool;

/*
 * A pool of connections to the store at `location` (a data directory, see
 * store_open), lending at most max_open (>= 1) at once.  One connection is
 * opened immediately, so a data directory that cannot be opened is reported
 * here, with store_open's message in err.  Free with http_store_pool_free.
 */
td_err http_store_pool_new(const char *location, unsigned max_open, struct http_store_pool **out,
			   char *err, size_t errlen);

/* Close every connection.  All borrowed ones must have been released. */
void http_store_pool_free(struct http_store_pool *p);

/*
 * Borrow a connection (exclusive until released).  Waits while max_open are
 * lent out.  TD_ERR_DB if a new connection could not be opened (logged).
 */
td_err http_store_pool_acquire(struct http_store_pool *p, struct store **out);

/* Give a borrowed connection back.  NULL is ignored. */
void http_store_pool_release(struct http_store_pool *p, struct store *s);

/*
 * Open one more connection to the pool's store that is NOT part of the
 * pool: the caller owns it (store_close) and it does not count against
 * max_open.  For a long-lived single user such as the chat turn writer
 * thread.  Errors as store_open, with its message in err.
 */
td_err http_store_pool_open_own(struct http_store_pool *p, struct store **out, char *err,
				size_t errlen);

#endif
