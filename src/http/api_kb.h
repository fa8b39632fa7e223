/*
 * api_kb.h - the knowledge-base and service endpoints of the HTTP API:
 *
 *   GET /healthz                     liveness + procedure count
 *   GET /metrics                     Prometheus text format
 *   GET /api/v1/procedures           list / filter / simple text search
 *   GET /api/v1/procedures/{code}    one procedure record
 *   GET /                            web/index.html (citizen page)
 *   GET /static/{path...}            files under web/static/
 *
 * docs/api.md documents the requests and responses.  Every handler borrows a
 * store connection from the pool for the duration of the call only.
 */
#ifndef TD_HTTP_API_KB_H
#define TD_HTTP_API_KB_H

#include "base/error.h"

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

#endif
