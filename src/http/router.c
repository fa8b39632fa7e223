/*
 * router.c - route table, dispatch, response helpers and request metrics.
 *
 * Routes are parsed once into segments when added, so matching a request is
 * a walk over the path with no allocation; only the winning route captures
 * its parameters.  The table is a fixed array of pointers filled before the
 * server starts and never changed while it runs, which is what lets worker
 * threads dispatch without a lock.  Counters are C11 atomics updated with
 * relaxed ordering: /metrics needs totals, not a consistent snapshot.
 */
#include "http/router.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <microhttpd.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/alloc.h"
#include "base/log.h"
#include "base/banned.h"

#define MAX_ROUTES 256
#define MAX_SEGMENTS 16
#define MAX_FILE_SIZE ((size_t)64 << 20)
#define MAX_JSON_BODY ((size_t)64 << 20)

enum seg_kind { SEG_LITERAL, SEG_PARAM, SEG_REST };

struct segment {
	enum seg_kind kind;
	char *text;  /* literal text or parameter name */
	size_t len;
};

/* Status classes counted per route: 1xx..5xx. */
#define N_CLASSES 5

struct http_route {
	char method[16];
	char *label;   /* "GET /api/v1/procedures/{code}" */
	struct segment segs[MAX_SEGMENTS];
	size_t n_segs;
	http_handler_fn fn;
	void *ctx;
	atomic_uint_fast64_t by_class[N_CLASSES];
};

/* Upper bounds of the latency histogram, in microseconds. */
static const uint64_t bucket_usec[] = {500,	1000,	 2500,	  5000,	   10000,   25000,  50000,
				       100000, 250000, 500000, 1000000, 2500000, 5000000};
#define N_BUCKETS (sizeof bucket_usec / sizeof bucket_usec[0])

struct http_router {
	struct http_route *routes[MAX_ROUTES];
	size_t n_routes;
	struct http_route none; /* requests that matched no route or were refused early */
	atomic_uint_fast64_t buckets[N_BUCKETS + 1]; /* last: +Inf */
	atomic_uint_fast64_t sum_usec;
	atomic_uint_fast64_t count;
};

/* ---- route table ------------------------------------------------------- */

static void route_free(struct http_route *rt)
{
	if (!rt)
		return;
	for (size_t i = 0; i < rt->n_segs; i++)
		td_free(rt->segs[i].text);
	td_free(rt->label);
	td_free(rt);
}

struct http_router *http_router_new(void)
{
	struct http_router *r = td_calloc(1, sizeof *r);
	r->none.label = td_strdup("none");
	return r;
}

void http_router_free(struct http_router *r)
{
	if (!r)
		return;
	for (size_t i = 0; i < r->n_routes; i++)
		route_free(r->routes[i]);
	td_free(r->none.label);
	td_free(r);
}

static bool param_name_ok(const char *s, size_t n)
{
	if (n == 0 || n >= sizeof((struct http_param *)0)->name)
		return false;
	for (size_t i = 0; i < n; i++) {
		char c = s[i];
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		      c == '_'))
			return false;
	}
	return true;
}

/* Parse one pattern segment [s, s+n) into seg. */
static td_err parse_segment(const char *s, size_t n, bool last, struct segment *seg)
{
	if (n >= 2 && s[0] == '{' && s[n - 1] == '}') {
		const char *name = s + 1;
		size_t len = n - 2;
		seg->kind = SEG_PARAM;
		if (len > 3 && memcmp(name + len - 3, "...", 3) == 0) {
			if (!last)
				return TD_ERR_INVAL;
			len -= 3;
			seg->kind = SEG_REST;
		}
		if (!param_name_ok(name, len))
			return TD_ERR_INVAL;
		seg->text = td_strndup(name, len);
		seg->len = len;
		return TD_OK;
	}
	if (n == 0 || memchr(s, '{', n) || memchr(s, '}', n))
		return TD_ERR_INVAL;
	seg->kind = SEG_LITERAL;
	seg->text = td_strndup(s, n);
	seg->len = n;
	return TD_OK;
}

static td_err parse_pattern(struct http_route *rt, const char *pattern)
{
	if (pattern[0] != '/')
		return TD_ERR_INVAL;
	const char *p = pattern + 1;
	if (*p == '\0')
		return TD_OK; /* "/" has no segments */
	size_t params = 0;
	for (;;) {
		const char *slash = strchr(p, '/');
		size_t n = slash ? (size_t)(slash - p) : strlen(p);
		if (rt->n_segs == MAX_SEGMENTS)
			return TD_ERR_INVAL;
		struct segment *seg = &rt->segs[rt->n_segs];
		td_err e = parse_segment(p, n, slash == NULL, seg);
		if (e != TD_OK)
			return e;
		rt->n_segs++;
		if (seg->kind != SEG_LITERAL && ++params > HTTP_MAX_PARAMS)
			return TD_ERR_INVAL;
		if (!slash)
			return TD_OK;
		p = slash + 1;
	}
}

static bool same_pattern(const struct http_route *a, const struct http_route *b)
{
	if (a->n_segs != b->n_segs)
		return false;
	for (size_t i = 0; i < a->n_segs; i++) {
		if (a->segs[i].kind != b->segs[i].kind)
			return false;
		if (a->segs[i].kind == SEG_LITERAL && strcmp(a->segs[i].text, b->segs[i].text) != 0)
			return false;
	}
	return true;
}

td_err http_route_add(struct http_router *r, const char *method, const char *pattern,
		      http_handler_fn fn, void *ctx)
{
	if (!r || !method || !pattern || !fn || !*method || strlen(method) >= 16)
		return TD_ERR_INVAL;
	if (r->n_routes == MAX_ROUTES)
		return TD_ERR_TOOBIG;
	struct http_route *rt = td_calloc(1, sizeof *rt);
	memcpy(rt->method, method, strlen(method) + 1);
	rt->fn = fn;
	rt->ctx = ctx;
	td_err e = parse_pattern(rt, pattern);
	if (e != TD_OK)
		goto fail;
	for (size_t i = 0; i < r->n_routes; i++) {
		if (strcmp(r->routes[i]->method, method) == 0 && same_pattern(r->routes[i], rt)) {
			e = TD_ERR_EXISTS;
			goto fail;
		}
	}
	struct td_buf label;
	td_buf_init(&label, 1024);
	td_buf_addf(&label, "%s %s", method, pattern);
	if (td_buf_error(&label)) {
		td_buf_release(&label);
		e = TD_ERR_INVAL;
		goto fail;
	}
	rt->label = td_buf_detach(&label, NULL);
	r->routes[r->n_routes++] = rt;
	return TD_OK;
fail:
	route_free(rt);
	return e;
}

const char *http_route_label(const struct http_route *route)
{
	return route ? route->label : "-";
}

/* ---- matching ---------------------------------------------------------- */

static void capture(struct http_request *req, const struct segment *seg, const char *v, size_t n)
{
	if (req->n_params == HTTP_MAX_PARAMS)
		return; /* cannot happen: patterns are checked when added */
	struct http_param *p = &req->params[req->n_params++];
	memcpy(p->name, seg->text, seg->len + 1);
	p->value = td_strndup(v, n);
}

/* Does path match rt?  When req is not NULL, also capture the parameters. */
static bool route_match(const struct http_route *rt, const char *path, struct http_request *req)
{
	if (path[0] != '/')
		return false;
	const char *p = path + 1;
	if (rt->n_segs == 0)
		return *p == '\0';
	for (size_t i = 0; i < rt->n_segs; i++) {
		const struct segment *seg = &rt->segs[i];
		if (seg->kind == SEG_REST) {
			if (*p == '\0')
				return false;
			if (req)
				capture(req, seg, p, strlen(p));
			return true;
		}
		const char *slash = strchr(p, '/');
		size_t n = slash ? (size_t)(slash - p) : strlen(p);
		if (n == 0)
			return false;
		if (seg->kind == SEG_LITERAL && (n != seg->len || memcmp(p, seg->text, n) != 0))
			return false;
		if (seg->kind == SEG_PARAM && req)
			capture(req, seg, p, n);
		bool last = i + 1 == rt->n_segs;
		if (last)
			return slash == NULL;
		if (!slash)
			return false;
		p = slash + 1;
	}
	return false;
}

static bool method_ok(const struct http_route *rt, const char *method)
{
	if (strcmp(rt->method, method) == 0)
		return true;
	return strcmp(method, "HEAD") == 0 && strcmp(rt->method, "GET") == 0;
}

/* Is method one of the ", "-separated tokens of list? */
static bool in_list(const char *list, const char *method)
{
	size_t n = strlen(method);
	for (const char *p = list; p && *p;) {
		const char *comma = strchr(p, ',');
		size_t len = comma ? (size_t)(comma - p) : strlen(p);
		if (len == n && memcmp(p, method, n) == 0)
			return true;
		p = comma ? comma + 2 : NULL;
	}
	return false;
}

static void add_allow(struct td_buf *allow, const char *method)
{
	if (allow->data && in_list(allow->data, method))
		return;
	if (allow->len)
		td_buf_adds(allow, ", ");
	td_buf_adds(allow, method);
	if (strcmp(method, "GET") == 0)
		add_allow(allow, "HEAD");
}

void http_router_dispatch(struct http_router *r, struct http_request *req,
			  struct http_response *res)
{
	const struct http_route *found = NULL;
	bool path_known = false;
	struct td_buf allow;
	td_buf_init(&allow, 1024);
	req->route = NULL;
	for (size_t i = 0; i < r->n_routes && !found; i++) {
		const struct http_route *rt = r->routes[i];
		if (!route_match(rt, req->path, NULL))
			continue;
		path_known = true;
		if (method_ok(rt, req->method))
			found = rt;
		else
			add_allow(&allow, rt->method);
	}
	if (!found) {
		if (path_known) {
			http_response_error(res, 405, "method_not_allowed",
					    "Phương thức này không được hỗ trợ cho địa chỉ này.");
			if (!td_buf_error(&allow) && allow.len)
				http_response_header(res, "Allow", allow.data);
		} else {
			http_response_error(res, 404, "not_found",
					    "Không tìm thấy địa chỉ (trang hoặc API) được yêu cầu.");
		}
		td_buf_release(&allow);
		return;
	}
	td_buf_release(&allow);
	route_match(found, req->path, req);
	req->route = found;
	td_err e = found->fn(req, res, found->ctx);
	if (e != TD_OK && res->status == 0)
		http_response_from_err(res, e, NULL);
	if (e != TD_OK && http_status_from_err(e) >= 500)
		td_log(TD_LOG_ERROR, "http.handler", "route", found->label, "error", td_strerror(e),
		       NULL);
	if (res->status == 0) {
		td_log(TD_LOG_ERROR, "http.handler", "route", found->label, "error",
		       "handler returned no response", NULL);
		http_response_from_err(res, TD_ERR_INTERNAL, NULL);
	}
}

/* ---- metrics ----------------------------------------------------------- */

void http_router_observe(struct http_router *r, const struct http_route *route, unsigned status,
			 uint64_t usec)
{
	/* The route is const for callers; its counters are the only mutable part. */
	struct http_route *rt = route ? (struct http_route *)route : &r->none;
	unsigned cls = status / 100;
	if (cls < 1 || cls > N_CLASSES)
		cls = 5;
	atomic_fetch_add_explicit(&rt->by_class[cls - 1], 1, memory_order_relaxed);
	size_t b = 0;
	while (b < N_BUCKETS && usec > bucket_usec[b])
		b++;
	atomic_fetch_add_explicit(&r->buckets[b], 1, memory_order_relaxed);
	atomic_fetch_add_explicit(&r->sum_usec, usec, memory_order_relaxed);
	atomic_fetch_add_explicit(&r->count, 1, memory_order_relaxed);
}

static void metric_route(struct td_buf *out, const struct http_route *rt)
{
	for (unsigned c = 2; c <= N_CLASSES; c++) {
		uint64_t n = atomic_load_explicit(&rt->by_class[c - 1], memory_order_relaxed);
		td_buf_adds(out, "tongdai_http_requests_total{route=\"");
		for (const char *s = rt->label; *s; s++) {
			if (*s == '"' || *s == '\\')
				td_buf_addc(out, '\\');
			td_buf_addc(out, *s);
		}
		td_buf_addf(out, "\",class=\"%uxx\"} %" PRIu64 "\n", c, n);
	}
}

void http_router_metrics(const struct http_router *r, struct td_buf *out)
{
	td_buf_adds(out, "# HELP tongdai_http_requests_total HTTP requests by route and status class.\n"
			 "# TYPE tongdai_http_requests_total counter\n");
	for (size_t i = 0; i < r->n_routes; i++)
		metric_route(out, r->routes[i]);
	metric_route(out, &r->none);

	td_buf_adds(out, "# HELP tongdai_http_request_duration_seconds Time from request headers "
			 "to queued response.\n"
			 "# TYPE tongdai_http_request_duration_seconds histogram\n");
	uint64_t cum = 0;
	for (size_t b = 0; b <= N_BUCKETS; b++) {
		cum += atomic_load_explicit(&r->buckets[b], memory_order_relaxed);
		if (b < N_BUCKETS)
			td_buf_addf(out,
				    "tongdai_http_request_duration_seconds_bucket{le=\"%g\"} %" PRIu64
				    "\n",
				    (double)bucket_usec[b] / 1e6, cum);
		else
			td_buf_addf(out,
				    "tongdai_http_request_duration_seconds_bucket{le=\"+Inf\"} %" PRIu64
				    "\n",
				    cum);
	}
	uint64_t sum = atomic_load_explicit(&r->sum_usec, memory_order_relaxed);
	td_buf_addf(out, "tongdai_http_request_duration_seconds_sum %.6f\n", (double)sum / 1e6);
	td_buf_addf(out, "tongdai_http_request_duration_seconds_count %" PRIu64 "\n",
		    atomic_load_explicit(&r->count, memory_order_relaxed));
}

/* ---- requests ---------------------------------------------------------- */

void http_request_release(struct http_request *req)
{
	for (size_t i = 0; i < req->n_params; i++)
		td_free(req->params[i].value);
	req->n_params = 0;
}

const char *http_request_query(const struct http_request *req, const char *key)
{
	if (!req->conn)
		return NULL;
	return MHD_lookup_connection_value(req->conn, MHD_GET_ARGUMENT_KIND, key);
}

bool http_request_query_size(const struct http_request *req, const char *key, size_t def,
			     size_t max, size_t *out)
{
	const char *v = http_request_query(req, key);
	*out = def;
	if (!v)
		return true;
	if (!*v || strlen(v) > 9)
		return false;
	size_t n = 0;
	for (const char *p = v; *p; p++) {
		if (*p < '0' || *p > '9')
			return false;
		n = n * 10 + (size_t)(*p - '0');
	}
	if (n > max)
		return false;
	*out = n;
	return true;
}

const char *http_request_header(const struct http_request *req, const char *name)
{
	if (!req->conn)
		return NULL;
	return MHD_lookup_connection_value(req->conn, MHD_HEADER_KIND, name);
}

const char *http_request_param(const struct http_request *req, const char *name)
{
	for (size_t i = 0; i < req->n_params; i++)
		if (strcmp(req->params[i].name, name) == 0)
			return req->params[i].value;
	return NULL;
}

/* ---- responses --------------------------------------------------------- */

void http_response_init(struct http_response *res)
{
	memset(res, 0, sizeof *res);
	res->fd = -1;
}

static void drop_body(struct http_response *res)
{
	td_free(res->body);
	res->body = NULL;
	res->body_len = 0;
	if (res->fd >= 0)
		close(res->fd);
	res->fd = -1;
	res->fd_size = 0;
}

void http_response_release(struct http_response *res)
{
	drop_body(res);
	for (size_t i = 0; i < res->n_headers; i++) {
		td_free(res->headers[i].name);
		td_free(res->headers[i].value);
	}
	res->n_headers = 0;
}

void http_response_set_body(struct http_response *res, unsigned status, const char *content_type,
			    char *body, size_t len)
{
	drop_body(res);
	res->status = status;
	res->content_type = content_type;
	res->body = body;
	res->body_len = body ? len : 0;
}

void http_response_text(struct http_response *res, unsigned status, const char *content_type,
			const char *text)
{
	size_t n = strlen(text);
	http_response_set_body(res, status, content_type, td_strndup(text, n), n);
}

static int dump_to_buf(const char *s, size_t n, void *data)
{
	struct td_buf *b = data;
	td_buf_add(b, s, n);
	return td_buf_error(b) ? -1 : 0;
}

td_err http_response_json(struct http_response *res, unsigned status, json_t *doc)
{
	struct td_buf b;
	td_buf_init(&b, MAX_JSON_BODY);
	int rc = doc ? json_dump_callback(doc, dump_to_buf, &b,
					  JSON_COMPACT | JSON_REAL_PRECISION(15))
		     : -1;
	json_decref(doc);
	if (rc != 0 || td_buf_error(&b)) {
		td_buf_release(&b);
		http_response_text(res, 500, "application/json; charset=utf-8",
				   "{\"error\":{\"code\":\"internal\",\"message\":"
				   "\"Hệ thống đang gặp sự cố. Vui lòng thử lại sau.\"}}");
		return TD_ERR_INTERNAL;
	}
	size_t len;
	char *body = td_buf_detach(&b, &len);
	http_response_set_body(res, status, "application/json; charset=utf-8", body, len);
	return TD_OK;
}

void http_response_error(struct http_response *res, unsigned status, const char *code,
			 const char *message)
{
	json_t *doc = json_pack("{s:{s:s,s:s}}", "error", "code", code, "message", message);
	http_response_json(res, status, doc);
}

unsigned http_status_from_err(td_err err)
{
	switch (err) {
	case TD_OK: return 200;
	case TD_ERR_NOTFOUND: return 404;
	case TD_ERR_INVAL:
	case TD_ERR_PARSE:
	case TD_ERR_UTF8: return 400;
	case TD_ERR_TOOBIG: return 413;
	case TD_ERR_BUSY: return 429;
	case TD_ERR_EXISTS: return 409;
	case TD_ERR_UNSUPPORTED: return 501;
	default: return 500;
	}
}

/* The Vietnamese text a citizen sees for a status when nothing better is known. */
static const char *status_message(unsigned status)
{
	switch (status) {
	case 400: return "Yêu cầu không hợp lệ. Vui lòng kiểm tra lại thông tin đã nhập.";
	case 404: return "Không tìm thấy nội dung được yêu cầu.";
	case 405: return "Phương thức này không được hỗ trợ cho địa chỉ này.";
	case 409: return "Dữ liệu đã tồn tại hoặc đang bị xung đột.";
	case 413: return "Nội dung gửi lên quá lớn.";
	case 429: return "Bạn gửi quá nhiều yêu cầu. Vui lòng thử lại sau ít giây.";
	case 501: return "Chức năng này chưa được hỗ trợ.";
	case 503: return "Dịch vụ tạm thời gián đoạn. Vui lòng thử lại sau.";
	default: return "Hệ thống đang gặp sự cố. Vui lòng thử lại sau.";
	}
}

void http_response_from_err(struct http_response *res, td_err err, const char *message)
{
	unsigned status = http_status_from_err(err);
	if (status >= 500 || !message)
		message = status_message(status);
	const char *code = status >= 500 ? "internal" : td_errname(err);
	if (status == 429)
		code = "rate_limited";
	http_response_error(res, status, code, message);
}

td_err http_response_header(struct http_response *res, const char *name, const char *value)
{
	for (size_t i = 0; i < res->n_headers; i++) {
		if (strcasecmp(res->headers[i].name, name) == 0) {
			td_free(res->headers[i].value);
			res->headers[i].value = td_strdup(value);
			return TD_OK;
		}
	}
	if (res->n_headers == HTTP_MAX_HEADERS)
		return TD_ERR_TOOBIG;
	res->headers[res->n_headers].name = td_strdup(name);
	res->headers[res->n_headers].value = td_strdup(value);
	res->n_headers++;
	return TD_OK;
}

const char *http_content_type_for(const char *path)
{
	static const struct {
		const char *ext;
		const char *type;
	} types[] = {
		{".html", "text/html; charset=utf-8"},
		{".htm", "text/html; charset=utf-8"},
		{".css", "text/css; charset=utf-8"},
		{".js", "text/javascript; charset=utf-8"},
		{".mjs", "text/javascript; charset=utf-8"},
		{".json", "application/json; charset=utf-8"},
		{".txt", "text/plain; charset=utf-8"},
		{".svg", "image/svg+xml"},
		{".png", "image/png"},
		{".jpg", "image/jpeg"},
		{".jpeg", "image/jpeg"},
		{".gif", "image/gif"},
		{".webp", "image/webp"},
		{".ico", "image/x-icon"},
		{".woff2", "font/woff2"},
		{".webmanifest", "application/manifest+json"},
		{".xml", "application/xml; charset=utf-8"},
		{".wav", "audio/wav"},
	};
	const char *slash = strrchr(path, '/');
	const char *dot = strrchr(slash ? slash : path, '.');
	if (dot)
		for (size_t i = 0; i < sizeof types / sizeof types[0]; i++)
			if (strcasecmp(dot, types[i].ext) == 0)
				return types[i].type;
	return "application/octet-stream";
}

td_err http_response_file(struct http_response *res, const struct http_request *req,
			  const char *path)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return errno == ENOENT || errno == ENOTDIR ? TD_ERR_NOTFOUND : TD_ERR_IO;
	struct stat st;
	td_err e = TD_OK;
	if (fstat(fd, &st) != 0) {
		e = TD_ERR_IO;
		goto fail_close;
	}
	if (!S_ISREG(st.st_mode)) {
		e = TD_ERR_NOTFOUND;
		goto fail_close;
	}
	if ((uint64_t)st.st_size > MAX_FILE_SIZE) {
		e = TD_ERR_TOOBIG;
		goto fail_close;
	}
	char etag[64];
	snprintf(etag, sizeof etag, "\"%" PRIx64 "-%" PRIx64 "-%lx\"", (uint64_t)st.st_size,
		 (uint64_t)st.st_mtim.tv_sec, (unsigned long)st.st_mtim.tv_nsec);
	const char *inm = req ? http_request_header(req, "If-None-Match") : NULL;
	drop_body(res);
	if (inm && strcmp(inm, etag) == 0) {
		close(fd);
		res->status = 304;
		res->content_type = NULL;
	} else {
		res->status = 200;
		res->content_type = http_content_type_for(path);
		res->fd = fd;
		res->fd_size = (size_t)st.st_size;
	}
	http_response_header(res, "ETag", etag);
	http_response_header(res, "Cache-Control", "no-cache");
	return TD_OK;
fail_close:
	close(fd);
	return e;
}
