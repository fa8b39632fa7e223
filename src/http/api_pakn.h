/*
 * api_pakn.h - the PAKN (feedback and petitions) endpoints of the REST API:
 *
 *   POST /api/v1/pakn            a report -> 201 with its case number
 *   GET  /api/v1/pakn/{number}   the public status view (no personal data)
 *
 * Intake goes through a struct pakn_intake (classification, place, routing,
 * duplicates, group-commit write); the 201 is sent only after the case's
 * transaction committed.  docs/api.md documents requests and responses.
 */
#ifndef TD_HTTP_API_PAKN_H
#define TD_HTTP_API_PAKN_H

#include "base/buf.h"
#include "base/error.h"

struct http_router;
struct http_store_pool;
struct pakn_intake;
struct http_api_pakn;

/* Largest request body POST /api/v1/pakn reads (larger: 413 too_big). */
#define HTTP_PAKN_BODY_MAX (64 * 1024)

/* Register the routes on router.  pool and intake are borrowed and must
 * outlive the object (free it with http_api_pakn_free after the server
 * stopped).  TD_ERR_INVAL / TD_ERR_EXISTS if a route cannot be added. */
td_err http_api_pakn_new(struct http_router *router, struct http_store_pool *pool,
			 struct pakn_intake *intake, struct http_api_pakn **out);
void http_api_pakn_free(struct http_api_pakn *a);

#endif
