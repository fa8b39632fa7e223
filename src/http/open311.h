/*
 * open311.h - Open311 GeoReport v2 under /open311/v2/, XML and JSON:
 *
 *   GET  discovery.{xml,json}
 *   GET  services.{xml,json}              our PAKN categories as services
 *   GET  services/{code}.{xml,json}       service definition (no attributes)
 *   POST requests.{xml,json}              form-encoded, api_key required
 *   GET  requests.{xml,json}              filters, paging (page, page_size)
 *   GET  requests/{id}.{xml,json}
 *   GET  tokens/{token}.{xml,json}
 *
 * Errors use the spec's format ([{"code","description"}] / <errors>) with
 * the same HTTP status.  jurisdiction_id, when given, must be
 * "hanoi.gov.vn".  API keys live in the store (open311_key, hashed); add one
 * with `tongdai pakn apikey add NAME`.  docs/api.md documents the mapping.
 */
#ifndef TD_HTTP_OPEN311_H
#define TD_HTTP_OPEN311_H

#include "base/error.h"

struct http_router;
struct http_store_pool;
struct pakn_intake;
struct http_open311;

#define OPEN311_JURISDICTION "hanoi.gov.vn"
/* Largest form body a POST reads (larger: 413 in the spec's format). */
#define OPEN311_BODY_MAX (64 * 1024)

/* Register the routes.  pool and intake are borrowed and must outlive the
 * object; free it after the server stopped.  TD_ERR_INVAL / TD_ERR_EXISTS
 * if a route cannot be added. */
td_err http_open311_new(struct http_router *router, struct http_store_pool *pool,
			struct pakn_intake *intake, struct http_open311 **out);
void http_open311_free(struct http_open311 *o);

#endif
