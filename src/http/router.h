/*
 * router.h - requests, responses and method + path routing for the HTTP
 * layer.
 *
 * The server (server.h) turns each complete HTTP request into a struct
 * http_request, asks the router for the matching route and hands the handler
 * an empty struct http_response to fill.  Handlers never touch
 * libmicrohttpd directly except through the request accessors below, so they
 * stay small, testable and independent of the server's threading.
 *
 * Routes are added once, before the server starts, by each API module in its
 * own file:
 *
 *     http_route_add(router, "POST", "/api/v1/chat", chat_post, chat_ctx);
 *     http_route_add(router, "GET", "/api/v1/procedures/{code}", get_proc, kb);
 *     http_route_add(router, "GET", "/static/{path...}", static_file, kb);
 *
 * A pattern is a '/'-separated path whose segments are literals, `{name}`
 * (one non-empty segment, read with http_request_param(req, "name")) or, as
 * the last segment only, `{name...}` (the non-empty rest of the path,
 * possibly several segments).  Names are letters, digits and '_'.  GET routes also answer
 * HEAD.  A path that matches no pattern is a 404; one that matches only with
 * another method is a 405 with an Allow header.  The route table is
 * read-only while the server runs, so dispatch takes no lock.
 *
 * Errors: a handler returns a td_err.  TD_OK means it filled the response.
 * Any other code, when the handler has not set a status itself, becomes a
 * JSON error {"error": {"code": slug, "message": Vietnamese text}} with the
 * status mapped by http_status_from_err().  Internal details never reach the
 * client: a 500 always carries the same generic message and the detail goes
 * to the log.
 *
 * The router also keeps per-route request counters and a latency histogram
 * (atomics, lock-free) that /metrics prints.
 */
#ifndef TD_HTTP_ROUTER_H
#define TD_HTTP_ROUTER_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/buf.h"
#include "base/error.h"

struct MHD_Connection;
struct http_route;
struct http_router;

/* Largest number of {name} captures in one pattern. */
#define HTTP_MAX_PARAMS 8
/* Largest number of extra headers on one response. */
#define HTTP_MAX_HEADERS 8

struct http_param {
	char name[32];  /* pattern name without braces and dots */
	char *value;    /* owned by the request, NUL-terminated */
};

/* One complete request.  Everything is owned by the server (or MHD) and valid
 * only during the handler call. */
struct http_request {
	const char *method;      /* "GET", "POST", ... */
	const char *path;        /* percent-decoded path, no query string */
	const char *client_ip;   /* textual client address, "" if unknown */
	const char *body;        /* request body, NUL-terminated, "" when none */
	size_t body_len;
	struct MHD_Connection *conn; /* NULL in unit tests */
	const struct http_route *route; /* set by dispatch; NULL: none matched */
	size_t n_params;
	struct http_param params[HTTP_MAX_PARAMS];
};

struct http_header {
	char *name;   /* owned */
	char *value;  /* owned */
};

/* What a handler produces.  Start from http_response_init(); the body is
 * either a heap buffer (body/body_len) or an open file (fd >= 0). */
struct http_response {
	unsigned status;          /* 0 until a helper sets it */
	const char *content_type; /* static string, NULL: none */
	char *body;               /* owned (td_malloc), NULL: empty */
	size_t body_len;
	int fd;                   /* owned open file to send, -1: none */
	size_t fd_size;
	size_t n_headers;
	struct http_header headers[HTTP_MAX_HEADERS];
};

/* Called with the request and an initialised response.  ctx is the pointer
 * given to http_route_add.  Must not keep pointers into req after return. */
typedef td_err (*http_handler_fn)(struct http_request *req, struct http_response *res, void *ctx);

/* An empty router; free with http_router_free. */
struct http_router *http_router_new(void);
void http_router_free(struct http_router *r);

/*
 * Add a route: method ("GET", "POST", ...), pattern as described above,
 * handler and its context (not owned).  Must be called before the server
 * starts.  TD_ERR_INVAL for a malformed pattern (no leading '/', empty
 * segment, {name...} not last, too many captures, bad name), TD_ERR_EXISTS if the same method and
 * pattern are already routed, TD_ERR_TOOBIG past 256 routes.
 */
td_err http_route_add(struct http_router *r, const char *method, const char *pattern,
		      http_handler_fn fn, void *ctx);

/*
 * Find the route for req->method and req->path, capture its parameters into
 * req, run its handler and make sure res holds a complete response (a JSON
 * 404/405/error when nothing else did).  Sets req->route.  Never fails.
 */
void http_router_dispatch(struct http_router *r, struct http_request *req,
			  struct http_response *res);

/* The pattern of a route as given to http_route_add ("GET /healthz"), for
 * logs; "-" for NULL. */
const char *http_route_label(const struct http_route *route);

/* Count one finished request for /metrics: its route (NULL when none
 * matched or it was refused before routing), final status and duration in
 * microseconds.  Thread-safe (atomics). */
void http_router_observe(struct http_router *r, const struct http_route *route, unsigned status,
			 uint64_t usec);

/* Append the request counters and latency histogram in Prometheus text
 * format (version 0.0.4) to out. */
void http_router_metrics(const struct http_router *r, struct td_buf *out);

/* Release what a request owns (captured parameters). */
void http_request_release(struct http_request *req);

/* A query-string argument (percent-decoded by MHD) or NULL when absent or
 * given without '=' ("?a").  The value is owned by MHD. */
const char *http_request_query(const struct http_request *req, const char *key);
/* An optional non-negative integer argument no larger than max: *out is def
 * when absent; false (and *out def) for anything but 1..9 digits ≤ max. */
bool http_request_query_size(const struct http_request *req, const char *key, size_t def,
			     size_t max, size_t *out);
/* A request header (case-insensitive name) or NULL; owned by MHD. */
const char *http_request_header(const struct http_request *req, const char *name);
/* A captured path parameter ("code" for {code} or {code...}) or NULL;
 * owned by the request. */
const char *http_request_param(const struct http_request *req, const char *name);

/* Prepare an empty response. */
void http_response_init(struct http_response *res);
/* Free what the response still owns (body, fd, headers). */
void http_response_release(struct http_response *res);

/* Set status, content type (static string) and body; takes ownership of
 * body (td_malloc'd, may be NULL for an empty body).  Replaces any body. */
void http_response_set_body(struct http_response *res, unsigned status, const char *content_type,
			    char *body, size_t len);
/* Same, copying text. */
void http_response_text(struct http_response *res, unsigned status, const char *content_type,
			const char *text);
/*
 * Serialise doc compactly (UTF-8 kept as is) as the body with
 * "application/json; charset=utf-8".  Steals the reference to doc (also on
 * error).  TD_ERR_INTERNAL if it cannot be serialised (res is then a 500).
 */
td_err http_response_json(struct http_response *res, unsigned status, json_t *doc);
/* A JSON error {"error": {"code": code, "message": message}}; both copied. */
void http_response_error(struct http_response *res, unsigned status, const char *code,
			 const char *message);
/* A JSON error for err with its mapped status and slug; message NULL (or any
 * message for a 5xx) gives the generic Vietnamese text of the status. */
void http_response_from_err(struct http_response *res, td_err err, const char *message);
/* Add a header (both copied).  TD_ERR_TOOBIG past HTTP_MAX_HEADERS. */
td_err http_response_header(struct http_response *res, const char *name, const char *value);
/*
 * Serve a regular file: opens path, sets the content type from its
 * extension, an ETag from size and mtime, and answers 304 when the request's
 * If-None-Match equals it (req may be NULL).  TD_ERR_NOTFOUND when the file
 * does not exist or is not a regular file, TD_ERR_TOOBIG over 64 MiB,
 * TD_ERR_IO otherwise; res is untouched on error.
 */
td_err http_response_file(struct http_response *res, const struct http_request *req,
			  const char *path);

/* HTTP status for a td_err: NOTFOUND 404, INVAL/PARSE/UTF8 400, TOOBIG 413,
 * BUSY 429, EXISTS 409, UNSUPPORTED 501, anything else 500. */
unsigned http_status_from_err(td_err err);
/* Content type for a file name by extension ("text/html; charset=utf-8",
 * ...); "application/octet-stream" when unknown.  Static string. */
const char *http_content_type_for(const char *path);

#endif
