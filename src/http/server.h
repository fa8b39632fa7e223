/*
 * server.h - the HTTP server: libmicrohttpd (MHD) in epoll thread-pool mode
 * in front of a struct http_router.
 *
 * The server owns the listening socket, the MHD daemon, the per-request
 * state (body accumulation with a hard cap) and the per-client rate limiter.
 * Everything a request means is the router's business (router.h); the
 * server only decides whether a request reaches the router at all:
 *
 *   - over the rate limit (token bucket per client address) -> 429 with
 *     Retry-After, body drained and discarded, connection kept alive;
 *   - body larger than max_body (by Content-Length, or while it streams
 *     in) -> 413 at once and the connection is closed rather than read;
 *   - otherwise the complete request is dispatched on the MHD worker thread
 *     that received it.
 *
 * Keep-alive follows STACK.md pitfall 1: the access handler never answers
 * on its first call for a request, so MHD keeps the connection open.
 * See docs/internals/http.md for threads, limits and the reasons.
 */
#ifndef TD_HTTP_SERVER_H
#define TD_HTTP_SERVER_H

#include <stddef.h>

#include "base/error.h"
#include "http/router.h"

struct td_config;
struct http_server;

struct http_server_config {
	char host[64];               /* numeric IPv4 or IPv6 address (no brackets) */
	unsigned port;               /* 0: any free port (see http_server_port) */
	unsigned threads;            /* MHD worker threads, 1..64 */
	size_t max_body;             /* largest request body, bytes */
	unsigned rate_limit;         /* requests/s per client address, 0: off */
	unsigned connection_limit;   /* open connections at most */
	unsigned connection_timeout; /* idle seconds before a connection is closed */
	size_t connection_memory;    /* MHD memory per connection (headers, read buffer) */
};

/* Fill c with the built-in defaults (127.0.0.1:8080, 2 threads, 1 MiB body,
 * rate limit off, 1000 connections, 30 s timeout, 64 KiB per connection). */
void http_server_config_defaults(struct http_server_config *c);

/*
 * Read listen, http_threads, http_max_body and http_rate_limit from cfg into
 * c (which should hold the defaults).  TD_ERR_CONFIG with a message in err
 * for a malformed address or an out-of-range number.
 */
td_err http_server_config_load(struct http_server_config *c, const struct td_config *cfg,
			       char *err, size_t errlen);

/*
 * Parse "HOST:PORT" where HOST is an IPv4 address, "[IPv6]" or "localhost"
 * (127.0.0.1) and PORT is 0..65535, into host (without brackets) and port.
 * TD_ERR_INVAL if malformed.
 */
td_err http_parse_listen(const char *s, char *host, size_t hostlen, unsigned *port);

/*
 * Bind, listen and start serving with router (not owned; it must outlive the
 * server and must not gain routes while the server runs).  Call it with
 * SIGINT/SIGTERM blocked if the caller waits for them with sigwait: the
 * worker threads inherit the mask.  On failure *out is NULL and err says why
 * ("127.0.0.1:8080: Address already in use"); TD_ERR_IO for socket errors,
 * TD_ERR_CONFIG for a bad configuration, TD_ERR_INTERNAL if MHD refuses.
 */
td_err http_server_start(const struct http_server_config *c, struct http_router *router,
			 struct http_server **out, char *err, size_t errlen);

/* The port actually bound (useful when the configuration asked for 0). */
unsigned http_server_port(const struct http_server *s);

/* Stop accepting, finish or drop open connections, join the workers and
 * free the server.  NULL is ignored. */
void http_server_stop(struct http_server *s);

#endif
