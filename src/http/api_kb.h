/*
 * api_kb.h - the knowledge-base and service endpoints of the HTTP API:
 *
 *   GET /healthz                     liveness + procedure count
 *   GET /metrics                     Prometheus text format
 *   GET /api/v1/procedures           list / filter / ranked search (q=)
 *   GET /api/v1/procedures/{code}    one procedure record
 *   GET /                            web/index.html (citizen page)
 *   GET /static/{path...}            files under web/static/
 *
 * docs/api.md documents the requests and responses.  Every handler borrows a
 * store connection from the pool for the duration of the call only.
 */
#ifndef TD_HTTP_API_KB_H
#define TD_HTTP_API_KB_H

#include "base/buf.h"
#include "base/error.h"

struct http_answer_holder;
struct http_router;
struct http_store_pool;
struct http_api_kb;

/*
 * Register the routes above on router.  pool (not owned) lends store
 * connections; web_dir (copied) is the directory holding index.html and
 * static/.  The router and pool must outlive the returned object, which the
 * caller frees with http_api_kb_free after the server has stopped.
 * TD_ERR_INVAL / TD_ERR_EXISTS if a route cannot be added; the router may
 * then hold some of the routes and must be freed without serving.
 */
td_err http_api_kb_new(struct http_router *router, struct http_store_pool *pool,
		       const char *web_dir, struct http_api_kb **out);
void http_api_kb_free(struct http_api_kb *kb);

/*
 * Use holder's current snapshot (borrowed; must outlive kb) for the ranked
 * q= search of GET /api/v1/procedures and for kb_as_of in /healthz.
 * Without it q= is a substring filter.  Call before the server starts.
 */
void http_api_kb_set_answer(struct http_api_kb *kb, struct http_answer_holder *holder);

/* Extra lines for GET /metrics: fn(ctx, out) appends Prometheus text; it
 * runs on any worker thread, so it must be thread-safe.  Call before the
 * server starts. */
typedef void (*http_metrics_fn)(void *ctx, struct td_buf *out);
void http_api_kb_set_metrics(struct http_api_kb *kb, http_metrics_fn fn, void *ctx);

#endif
