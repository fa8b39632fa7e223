/*
 * server.c - libmicrohttpd glue: socket, daemon, per-request state, body
 * caps and the per-client rate limiter (see server.h for the contract).
 *
 * MHD calls the access handler several times per request.  The first call
 * only allocates our state (and checks the rate limit and Content-Length);
 * later calls with data append it to a capped td_buf; the final call
 * (*upload_data_size == 0) dispatches.  Answering on the first call would
 * make MHD 0.9.75 close the connection (STACK.md pitfall 1), so only the
 * deliberate early 413 does that.
 *
 * We bind the socket ourselves and hand it to MHD: that way "port taken" is
 * an errno we can report in words, and port 0 works for tests.
 */
#include "http/server.h"

#include <arpa/inet.h>
#include <errno.h>
#include <inttypes.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "base/alloc.h"
#include "base/config.h"
#include "base/log.h"
#include "base/banned.h"

#define RATE_SLOTS 4096 /* client addresses remembered; bounded memory */
#define RATE_PROBE 8    /* slots looked at per address before evicting */

/* ---- rate limiter ------------------------------------------------------ */

struct rate_slot {
	uint8_t addr[16];
	bool used;
	double tokens;
	uint64_t last_ns;
};

/*
 * A token bucket per client address in a fixed open-addressed table.  When
 * the probe window is full the least recently seen slot is reused, so a
 * flood of new addresses costs no memory and at worst resets an idle
 * client's bucket to full.  One mutex: each check is a few dozen
 * instructions, far below the cost of the request it guards.
 */
struct rate_table {
	pthread_mutex_t lock;
	double rate;  /* tokens per second */
	double burst; /* bucket size */
	struct rate_slot slots[RATE_SLOTS];
};

static uint64_t now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static uint32_t addr_hash(const uint8_t addr[16])
{
	uint32_t h = 2166136261u;
	for (int i = 0; i < 16; i++)
		h = (h ^ addr[i]) * 16777619u;
	return h;
}

static struct rate_slot *rate_find(struct rate_table *t, const uint8_t addr[16])
{
	uint32_t h = addr_hash(addr);
	struct rate_slot *victim = NULL;
	for (uint32_t i = 0; i < RATE_PROBE; i++) {
		struct rate_slot *sl = &t->slots[(h + i) % RATE_SLOTS];
		if (sl->used && memcmp(sl->addr, addr, 16) == 0)
			return sl;
		if (!sl->used) {
			if (!victim || victim->used)
				victim = sl;
		} else if (!victim || (victim->used && sl->last_ns < victim->last_ns)) {
			victim = sl;
		}
	}
	memcpy(victim->addr, addr, 16);
	victim->used = true;
	victim->tokens = t->burst;
	victim->last_ns = 0;
	return victim;
}

/* Take one token for addr; false (and *retry_after in seconds) when empty. */
static bool rate_take(struct rate_table *t, const uint8_t addr[16], unsigned *retry_after)
{
	uint64_t now = now_ns();
	bool ok;
	pthread_mutex_lock(&t->lock);
	struct rate_slot *sl = rate_find(t, addr);
	if (sl->last_ns) {
		double dt = (double)(now - sl->last_ns) / 1e9;
		sl->tokens += dt * t->rate;
		if (sl->tokens > t->burst)
			sl->tokens = t->burst;
	}
	sl->last_ns = now;
	ok = sl->tokens >= 1.0;
	if (ok) {
		sl->tokens -= 1.0;
	} else {
		double wait = (1.0 - sl->tokens) / t->rate;
		*retry_after = wait < 1.0 ? 1u : (unsigned)(wait + 0.999);
	}
	pthread_mutex_unlock(&t->lock);
	return ok;
}

/* ---- configuration ----------------------------------------------------- */

void http_server_config_defaults(struct http_server_config *c)
{
	memset(c, 0, sizeof *c);
	snprintf(c->host, sizeof c->host, "127.0.0.1");
	c->port = 8080;
	c->threads = 2;
	c->max_body = 1 << 20;
	c->rate_limit = 0;
	c->connection_limit = 1000;
	c->connection_timeout = 30;
	c->connection_memory = 32 * 1024; /* MHD's default; see docs/internals/http.md, "Limits" */
}

static bool parse_port(const char *s, unsigned *port)
{
	if (!*s || strlen(s) > 5)
		return false;
	unsigned v = 0;
	for (; *s; s++) {
		if (*s < '0' || *s > '9')
			return false;
		v = v * 10 + (unsigned)(*s - '0');
	}
	if (v > 65535)
		return false;
	*port = v;
	return true;
}

td_err http_parse_listen(const char *s, char *host, size_t hostlen, unsigned *port)
{
	if (!s)
		return TD_ERR_INVAL;
	const char *colon;
	const char *h = s;
	size_t hlen;
	if (s[0] == '[') {
		const char *close = strchr(s, ']');
		if (!close || close[1] != ':')
			return TD_ERR_INVAL;
		h = s + 1;
		hlen = (size_t)(close - h);
		colon = close + 1;
	} else {
		colon = strrchr(s, ':');
		if (!colon || memchr(s, ':', (size_t)(colon - s)))
			return TD_ERR_INVAL; /* IPv6 needs brackets */
		hlen = (size_t)(colon - s);
	}
	if (hlen == 0 || hlen >= hostlen || hlen >= 64)
		return TD_ERR_INVAL;
	char tmp[64];
	memcpy(tmp, h, hlen);
	tmp[hlen] = '\0';
	if (strcmp(tmp, "localhost") == 0)
		snprintf(tmp, sizeof tmp, "127.0.0.1");
	unsigned char probe[sizeof(struct in6_addr)];
	bool v6 = s[0] == '[';
	if (inet_pton(v6 ? AF_INET6 : AF_INET, tmp, probe) != 1)
		return TD_ERR_INVAL;
	if (!parse_port(colon + 1, port))
		return TD_ERR_INVAL;
	snprintf(host, hostlen, "%s", tmp);
	return TD_OK;
}

static td_err config_number(const struct td_config *cfg, const char *key, long lo, long hi,
			    long *out, char *err, size_t errlen)
{
	const char *v = td_config_get(cfg, key);
	if (!v || !*v)
		return TD_OK; /* keep the default */
	char *end;
	errno = 0;
	long n = strtol(v, &end, 10);
	if (errno || *end || n < lo || n > hi) {
		snprintf(err, errlen, "%s: '%s' is not a number from %ld to %ld", key, v, lo, hi);
		return TD_ERR_CONFIG;
	}
	*out = n;
	return TD_OK;
}

td_err http_server_config_load(struct http_server_config *c, const struct td_config *cfg,
			       char *err, size_t errlen)
{
	const char *listen = td_config_get(cfg, "listen");
	if (listen && *listen &&
	    http_parse_listen(listen, c->host, sizeof c->host, &c->port) != TD_OK) {
		snprintf(err, errlen,
			 "listen: '%s' is not HOST:PORT (e.g. 127.0.0.1:8080 or [::1]:8080)", listen);
		return TD_ERR_CONFIG;
	}
	long threads = c->threads, body = (long)c->max_body, rate = c->rate_limit;
	td_err e = config_number(cfg, "http_threads", 1, 64, &threads, err, errlen);
	if (e == TD_OK)
		e = config_number(cfg, "http_max_body", 1024, 64L << 20, &body, err, errlen);
	if (e == TD_OK)
		e = config_number(cfg, "http_rate_limit", 0, 1000000, &rate, err, errlen);
	if (e != TD_OK)
		return e;
	c->threads = (unsigned)threads;
	c->max_body = (size_t)body;
	c->rate_limit = (unsigned)rate;
	return TD_OK;
}

/* ---- per-request state ------------------------------------------------- */

struct http_server {
	struct http_server_config cfg;
	atomic_bool running;     /* set once MHD has started */
	struct http_router *router;
	struct MHD_Daemon *daemon;
	struct rate_table *rate; /* NULL: no rate limit */
	unsigned port;
};

/* MHD's *con_cls for one request. */
struct req_state {
	uint64_t start_ns;
	struct td_buf body;
	unsigned reject;       /* 0, or the status to answer instead of routing */
	unsigned retry_after;  /* for 429 */
	size_t discarded;      /* body bytes dropped for a rejected request */
	bool queued;           /* a response was queued */
};

/* Numeric client address as 16 bytes (IPv4 mapped) and as text. */
static void client_address(struct MHD_Connection *conn, uint8_t addr[16], char *text,
			   size_t textlen)
{
	memset(addr, 0, 16);
	text[0] = '\0';
	const union MHD_ConnectionInfo *ci =
		MHD_get_connection_info(conn, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
	if (!ci || !ci->client_addr)
		return;
	const struct sockaddr *sa = ci->client_addr;
	if (sa->sa_family == AF_INET) {
		const struct sockaddr_in *in = (const struct sockaddr_in *)(const void *)sa;
		addr[10] = addr[11] = 0xff;
		memcpy(addr + 12, &in->sin_addr, 4);
		inet_ntop(AF_INET, &in->sin_addr, text, (socklen_t)textlen);
	} else if (sa->sa_family == AF_INET6) {
		const struct sockaddr_in6 *in6 = (const struct sockaddr_in6 *)(const void *)sa;
		memcpy(addr, &in6->sin6_addr, 16);
		inet_ntop(AF_INET6, &in6->sin6_addr, text, (socklen_t)textlen);
	}
}

/* An empty body.  MHD 0.9.77+ deprecates _from_buffer and adds _static
 * (STACK.md pitfall 4). */
#if MHD_VERSION >= 0x00097701
static struct MHD_Response *response_empty(void)
{
	return MHD_create_response_from_buffer_static(0, "");
}
#else
static struct MHD_Response *response_empty(void)
{
	return MHD_create_response_from_buffer(0, (void *)"", MHD_RESPMEM_PERSISTENT);
}
#endif

/* Turn res into an MHD response, moving its body or file to MHD. */
static struct MHD_Response *to_mhd(struct http_response *res)
{
	struct MHD_Response *r;
	if (res->fd >= 0 && res->fd_size > 0) {
		r = MHD_create_response_from_fd(res->fd_size, res->fd);
		if (r)
			res->fd = -1; /* MHD closes it */
	} else if (res->body && res->body_len > 0) {
		r = MHD_create_response_from_buffer_with_free_callback(res->body_len, res->body,
								       td_free);
		if (r)
			res->body = NULL; /* MHD frees it */
	} else {
		r = response_empty();
	}
	if (!r)
		return NULL;
	if (res->content_type)
		MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, res->content_type);
	for (size_t i = 0; i < res->n_headers; i++)
		MHD_add_response_header(r, res->headers[i].name, res->headers[i].value);
	MHD_add_response_header(r, "X-Content-Type-Options", "nosniff");
	if (res->content_type && strncmp(res->content_type, "text/html", 9) == 0)
		MHD_add_response_header(r, "Content-Security-Policy",
					"default-src 'self'; frame-ancestors 'none'");
	return r;
}

/* Queue res for conn, count it, release res.  MHD_NO closes the connection. */
static enum MHD_Result send_response(struct http_server *s, struct MHD_Connection *conn,
				     struct req_state *st, const struct http_route *route,
				     struct http_response *res)
{
	enum MHD_Result ok = MHD_NO;
	struct MHD_Response *r = to_mhd(res);
	if (r) {
		ok = MHD_queue_response(conn, res->status, r);
		MHD_destroy_response(r);
	}
	st->queued = true;
	uint64_t usec = (now_ns() - st->start_ns) / 1000;
	http_router_observe(s->router, route, res->status, usec);
	http_response_release(res);
	return ok;
}

static enum MHD_Result send_reject(struct http_server *s, struct MHD_Connection *conn,
				   struct req_state *st)
{
	struct http_response res;
	http_response_init(&res);
	if (st->reject == 429) {
		char secs[16];
		snprintf(secs, sizeof secs, "%u", st->retry_after);
		http_response_from_err(&res, TD_ERR_BUSY, NULL);
		http_response_header(&res, "Retry-After", secs);
	} else {
		http_response_error(&res, 413, "too_big",
				    "Nội dung gửi lên quá lớn. Vui lòng rút gọn và gửi lại.");
	}
	return send_response(s, conn, st, NULL, &res);
}

/* Checks made once the headers are in: rate limit and declared body size. */
static void first_checks(struct http_server *s, struct MHD_Connection *conn, struct req_state *st)
{
	if (s->rate) {
		uint8_t addr[16];
		char text[INET6_ADDRSTRLEN];
		client_address(conn, addr, text, sizeof text);
		if (!rate_take(s->rate, addr, &st->retry_after)) {
			st->reject = 429;
			return;
		}
	}
	const char *cl = MHD_lookup_connection_value(conn, MHD_HEADER_KIND,
						     MHD_HTTP_HEADER_CONTENT_LENGTH);
	if (cl) {
		char *end;
		errno = 0;
		unsigned long long n = strtoull(cl, &end, 10);
		if (errno || *end || n > s->cfg.max_body)
			st->reject = 413;
	}
}

static enum MHD_Result dispatch(struct http_server *s, struct MHD_Connection *conn,
				const char *url, const char *method, struct req_state *st)
{
	struct http_request req;
	memset(&req, 0, sizeof req);
	uint8_t addr[16];
	char ip[INET6_ADDRSTRLEN];
	client_address(conn, addr, ip, sizeof ip);
	req.method = method;
	req.path = url;
	req.client_ip = ip;
	req.body = st->body.data ? st->body.data : "";
	req.body_len = st->body.len;
	req.conn = conn;

	struct http_response res;
	http_response_init(&res);
	http_router_dispatch(s->router, &req, &res);
	unsigned status = res.status;
	enum MHD_Result ok = send_response(s, conn, st, req.route, &res);
	char code[8];
	snprintf(code, sizeof code, "%u", status);
	td_log(TD_LOG_DEBUG, "http.request", "method", method, "path", url, "status", code,
	       "route", http_route_label(req.route), NULL);
	http_request_release(&req);
	td_buf_release(&st->body);
	return ok;
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *conn, const char *url,
				  const char *method, const char *version,
				  const char *upload_data, size_t *upload_data_size,
				  void **con_cls)
{
	struct http_server *s = cls;
	struct req_state *st = *con_cls;
	(void)version;
	if (!st) {
		st = td_calloc(1, sizeof *st);
		st->start_ns = now_ns();
		td_buf_init(&st->body, s->cfg.max_body);
		*con_cls = st;
		first_checks(s, conn, st);
		/* A body we already know is too big is refused before it is read;
		 * MHD then closes the connection, which is what we want. */
		if (st->reject == 413)
			return send_reject(s, conn, st);
		return MHD_YES;
	}
	if (st->queued) {
		*upload_data_size = 0;
		return MHD_YES;
	}
	if (*upload_data_size) {
		size_t n = *upload_data_size;
		*upload_data_size = 0;
		if (st->reject) {
			st->discarded += n;
			/* A limited client streaming a huge body: stop reading. */
			return st->discarded > s->cfg.max_body ? MHD_NO : MHD_YES;
		}
		td_buf_add(&st->body, upload_data, n);
		if (td_buf_error(&st->body)) {
			/* MHD 0.9.75 cannot queue a response in the middle of a
			 * body, so drop the rest (up to another max_body) and answer
			 * 413 once it has ended. */
			td_buf_release(&st->body);
			st->reject = 413;
		}
		return MHD_YES;
	}
	if (st->reject)
		return send_reject(s, conn, st);
	return dispatch(s, conn, url, method, st);
}

static void on_completed(void *cls, struct MHD_Connection *conn, void **con_cls,
			 enum MHD_RequestTerminationCode toe)
{
	(void)cls;
	(void)conn;
	(void)toe;
	struct req_state *st = *con_cls;
	if (!st)
		return;
	td_buf_release(&st->body);
	td_free(st);
	*con_cls = NULL;
}

__attribute__((format(printf, 2, 0))) static void on_mhd_log(void *cls, const char *fmt,
							      va_list ap)
{
	struct http_server *s = cls;
	char msg[512];
	vsnprintf(msg, sizeof msg, fmt, ap);
	size_t n = strlen(msg);
	while (n && (msg[n - 1] == '\n' || msg[n - 1] == ' '))
		msg[--n] = '\0';
	/* Once running, MHD mostly reports what clients did wrong (malformed
	 * requests, dropped connections): a peer could flood the log with
	 * those, so they are debug lines.  Start-up problems stay warnings. */
	bool running = atomic_load_explicit(&s->running, memory_order_relaxed);
	td_log(running ? TD_LOG_DEBUG : TD_LOG_WARN, "http.mhd", "message", msg, NULL);
}

/* ---- start and stop ---------------------------------------------------- */

/* Create, bind and listen; returns the socket or -1 with err filled. */
static int listen_socket(const struct http_server_config *c, unsigned *port, char *err,
			 size_t errlen)
{
	struct sockaddr_storage ss;
	socklen_t sl;
	memset(&ss, 0, sizeof ss);
	bool v6 = strchr(c->host, ':') != NULL;
	if (v6) {
		struct sockaddr_in6 *a = (struct sockaddr_in6 *)&ss;
		a->sin6_family = AF_INET6;
		a->sin6_port = htons((uint16_t)c->port);
		inet_pton(AF_INET6, c->host, &a->sin6_addr);
		sl = sizeof *a;
	} else {
		struct sockaddr_in *a = (struct sockaddr_in *)&ss;
		a->sin_family = AF_INET;
		a->sin_port = htons((uint16_t)c->port);
		if (inet_pton(AF_INET, c->host, &a->sin_addr) != 1)
			goto fail_addr;
		sl = sizeof *a;
	}
	const char *lb = v6 ? "[" : "", *rb = v6 ? "]" : "";
	int fd = socket(v6 ? AF_INET6 : AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		snprintf(err, errlen, "%s%s%s:%u: %s", lb, c->host, rb, c->port, strerror(errno));
		return -1;
	}
	int one = 1;
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
	if (v6)
		setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof one);
	if (bind(fd, (struct sockaddr *)&ss, sl) != 0 || listen(fd, 511) != 0) {
		snprintf(err, errlen, "%s%s%s:%u: %s", lb, c->host, rb, c->port, strerror(errno));
		goto fail_close;
	}
	sl = sizeof ss;
	if (getsockname(fd, (struct sockaddr *)&ss, &sl) == 0)
		*port = ntohs(v6 ? ((struct sockaddr_in6 *)&ss)->sin6_port
				 : ((struct sockaddr_in *)&ss)->sin_port);
	return fd;
fail_close:
	close(fd);
	return -1;
fail_addr:
	snprintf(err, errlen, "'%s' is not an IP address", c->host);
	return -1;
}

td_err http_server_start(const struct http_server_config *c, struct http_router *router,
			 struct http_server **out, char *err, size_t errlen)
{
	*out = NULL;
	if (c->threads < 1 || c->threads > 64 || c->max_body == 0) {
		snprintf(err, errlen, "bad HTTP server configuration");
		return TD_ERR_CONFIG;
	}
	struct http_server *s = td_calloc(1, sizeof *s);
	s->cfg = *c;
	s->router = router;
	if (c->rate_limit > 0) {
		s->rate = td_calloc(1, sizeof *s->rate);
		pthread_mutex_init(&s->rate->lock, NULL);
		s->rate->rate = c->rate_limit;
		s->rate->burst = c->rate_limit;
	}
	td_err e = TD_ERR_IO;
	int fd = listen_socket(c, &s->port, err, errlen);
	if (fd < 0)
		goto fail_free;

	/* MHD warns about a pool of one, so the option is only given for 2+. */
	struct MHD_OptionItem pool[] = {
		{c->threads > 1 ? MHD_OPTION_THREAD_POOL_SIZE : MHD_OPTION_END, c->threads, NULL},
		{MHD_OPTION_END, 0, NULL},
	};
	unsigned flags = MHD_USE_EPOLL_INTERNAL_THREAD | MHD_USE_ERROR_LOG |
			 MHD_ALLOW_SUSPEND_RESUME;
	s->daemon = MHD_start_daemon(
		flags, 0, NULL, NULL, on_request, s,
		MHD_OPTION_EXTERNAL_LOGGER, on_mhd_log, s, /* first, so it catches everything */
		MHD_OPTION_LISTEN_SOCKET, (MHD_socket)fd,
		MHD_OPTION_ARRAY, pool,
		MHD_OPTION_CONNECTION_LIMIT, (unsigned int)c->connection_limit,
		MHD_OPTION_CONNECTION_TIMEOUT, (unsigned int)c->connection_timeout,
		MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)c->connection_memory,
		MHD_OPTION_NOTIFY_COMPLETED, on_completed, s,
		MHD_OPTION_END);
	if (!s->daemon) {
		close(fd);
		snprintf(err, errlen, "the HTTP library could not start on %s:%u", c->host, s->port);
		e = TD_ERR_INTERNAL;
		goto fail_free;
	}
	atomic_store(&s->running, true);
	*out = s;
	return TD_OK;
fail_free:
	if (s->rate) {
		pthread_mutex_destroy(&s->rate->lock);
		td_free(s->rate);
	}
	td_free(s);
	return e;
}

unsigned http_server_port(const struct http_server *s)
{
	return s->port;
}

void http_server_stop(struct http_server *s)
{
	if (!s)
		return;
	/* MHD closes the listening socket it was given. */
	MHD_stop_daemon(s->daemon);
	if (s->rate) {
		pthread_mutex_destroy(&s->rate->lock);
		td_free(s->rate);
	}
	td_free(s);
}
