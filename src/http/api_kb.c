/*
 * api_kb.c - knowledge-base, health, metrics and static-file endpoints.
 *
 * Handlers are thin: check the input (every size from outside is capped
 * before use), borrow a store connection from the pool, turn the result into
 * JSON, give the connection back.  The `q=` parameter of the list runs the
 * search engine of the current answering snapshot (answer_holder.h): results
 * are ranked, carry their score, and field/level filters apply to the
 * ranked hits.  Without a snapshot (a server started without an engine) it
 * falls back to a substring match over folded text (vn_fold: no case, no
 * diacritics, đ→d).
 */
#include "http/api_kb.h"

#include <jansson.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "base/alloc.h"
#include "base/buf.h"
#include "http/answer_holder.h"
#include "http/router.h"
#include "http/store_pool.h"
#include "search/search.h"
#include "kb/kb.h"
#include "store/store.h"
#include "text/vn.h"
#include "base/banned.h"

#define LIST_LIMIT_DEFAULT 50
#define LIST_LIMIT_MAX 200
#define LIST_OFFSET_MAX 1000000
#define FILTER_MAX 200       /* bytes in field=, level= */
#define QUERY_MAX 200        /* bytes in q= */
#define STATIC_PATH_MAX 512  /* bytes in a /static/ path */
#define FOLD_MAX (64 * 1024) /* folded name/alias kept for matching */
#define SEARCH_WINDOW 500    /* ranked hits considered for q= */
#define SEARCH_RELATIVE_FLOOR 0.2 /* hits below this share of the best score are dropped */

struct http_api_kb {
	struct http_router *router;
	struct http_store_pool *pool;
	char *web_dir;
	double start_time; /* Unix time the API was created, for process_start_time_seconds */
	struct http_answer_holder *holder; /* NULL: q= is a substring filter */
	http_metrics_fn extra_metrics;
	void *extra_metrics_ctx;
};

/* A JSON string, or null for NULL / invalid UTF-8 (never fails). */
static json_t *jstr(const char *s)
{
	json_t *v = s ? json_string(s) : NULL;
	return v ? v : json_null();
}

/* ---- query parameters -------------------------------------------------- */

/* An optional text argument: NULL when absent or blank; false if too long
 * or not UTF-8. */
static bool query_text(const struct http_request *req, const char *key, size_t max,
		       const char **out)
{
	const char *v = http_request_query(req, key);
	*out = NULL;
	if (!v)
		return true;
	size_t n = strlen(v);
	if (n > max || !vn_utf8_valid(v, n))
		return false;
	for (const char *p = v; *p; p++) {
		if (*p != ' ' && *p != '\t') {
			*out = v;
			break;
		}
	}
	return true;
}

/* ---- GET /api/v1/procedures -------------------------------------------- */

struct list_walk {
	const char *q_key;     /* folded query, NULL: no text filter */
	struct td_buf scratch; /* folded name/alias */
	size_t skip;           /* matches to pass over before collecting */
	size_t want;           /* items still to collect */
	size_t total;          /* matches seen */
	json_t *items;
};

static bool folded_contains(struct list_walk *w, const char *text)
{
	if (!text)
		return false;
	td_buf_clear(&w->scratch);
	if (vn_fold(&w->scratch, text, strlen(text), VN_LOSSY) != TD_OK || !w->scratch.data)
		return false;
	return strstr(w->scratch.data, w->q_key) != NULL;
}

static bool procedure_matches(struct list_walk *w, const struct kb_procedure *p)
{
	if (!w->q_key)
		return true;
	if (p->code && strstr(p->code, w->q_key))
		return true;
	if (folded_contains(w, p->name))
		return true;
	for (size_t i = 0; i < p->aliases.n; i++)
		if (folded_contains(w, p->aliases.items[i]))
			return true;
	return false;
}

static json_t *list_item(const struct kb_procedure *p)
{
	json_t *levels = json_array();
	for (size_t i = 0; i < p->levels.n; i++)
		json_array_append_new(levels, jstr(p->levels.items[i]));
	json_t *o = json_object();
	json_object_set_new(o, "code", jstr(p->code));
	json_object_set_new(o, "name", jstr(p->name));
	json_object_set_new(o, "field", jstr(p->field));
	json_object_set_new(o, "levels", levels);
	return o;
}

static int list_each(const struct kb_procedure *p, void *ctx)
{
	struct list_walk *w = ctx;
	if (!procedure_matches(w, p))
		return 0;
	w->total++;
	if (w->skip) {
		w->skip--;
		return 0;
	}
	if (w->want && w->items) {
		json_array_append_new(w->items, list_item(p));
		w->want--;
	}
	return 0;
}

static int count_each(const struct kb_procedure *p, void *ctx)
{
	(void)p;
	((struct list_walk *)ctx)->total++;
	return 0;
}

/* Fill w->items and w->total for the request's filter and window. */
static td_err list_run(struct store *st, struct store_filter *f, struct list_walk *w,
		       size_t offset, size_t limit)
{
	if (w->q_key) {
		/* Text filter: one walk over every candidate, counting matches
		 * and collecting the window. */
		w->skip = offset;
		w->want = limit;
		f->offset = 0;
		f->limit = 0;
		return store_procedure_list(st, f, list_each, w);
	}
	td_err e = TD_OK;
	if (limit > 0) {
		f->offset = offset;
		f->limit = limit;
		w->want = limit;
		e = store_procedure_list(st, f, list_each, w);
	}
	w->total = 0;
	if (e == TD_OK && !f->field && !f->level)
		return store_procedure_count(st, &w->total);
	if (e == TD_OK) {
		f->offset = 0;
		f->limit = 0;
		e = store_procedure_list(st, f, count_each, w);
	}
	return e;
}

/* Is the folded form of text equal to key? */
static bool folded_equal(struct td_buf *scratch, const char *text, const char *key)
{
	if (!text)
		return false;
	td_buf_clear(scratch);
	if (vn_fold(scratch, text, strlen(text), VN_LOSSY) != TD_OK)
		return false;
	return strcmp(scratch->data ? scratch->data : "", key) == 0;
}

static bool hit_passes(struct td_buf *scratch, const struct kb_procedure *p, const char *field_key,
		       const char *level_key)
{
	if (field_key && !folded_equal(scratch, p->field, field_key))
		return false;
	if (!level_key)
		return true;
	for (size_t i = 0; i < p->levels.n; i++)
		if (folded_equal(scratch, p->levels.items[i], level_key))
			return true;
	return false;
}

static char *fold_dup(const char *s)
{
	struct td_buf b;
	td_buf_init(&b, VN_KEY_BOUND(FILTER_MAX));
	td_buf_adds(&b, "");
	if (vn_fold(&b, s, strlen(s), VN_LOSSY) != TD_OK) {
		td_buf_release(&b);
		return NULL;
	}
	return td_buf_detach(&b, NULL);
}

/* q= through the search engine: ranked hits (at most SEARCH_WINDOW),
 * filtered by field/level, windowed. */
static td_err search_procedures(struct http_answer_snapshot *snap, const char *q,
				const struct store_filter *f, size_t offset, size_t limit,
				struct http_response *res)
{
	char *field_key = f->field ? fold_dup(f->field) : NULL;
	char *level_key = f->level ? fold_dup(f->level) : NULL;
	struct search_hit *hits = td_calloc(SEARCH_WINDOW, sizeof *hits);
	size_t n = search_query(snap->bundle.index, q, strlen(q), hits, SEARCH_WINDOW);
	struct td_buf scratch;
	td_buf_init(&scratch, FOLD_MAX);
	json_t *items = json_array();
	size_t total = 0;
	/* The tail of a ranked list is records sharing one common word with
	 * the query ("giấy", "cấp"); past a fifth of the best score a hit is
	 * not counted, so `total` means something.  The floor is on the text's
	 * evidence: the level prior orders close hits, it does not make one. */
	double floor = 0;
	for (size_t i = 0; i < n; i++)
		if (hits[i].score - hits[i].prior > floor)
			floor = hits[i].score - hits[i].prior;
	floor *= SEARCH_RELATIVE_FLOOR;
	for (size_t i = 0; i < n; i++) {
		const struct kb_procedure *p = hits[i].proc;
		if (hits[i].score - hits[i].prior < floor)
			continue;
		if (!p || !hit_passes(&scratch, p, field_key, level_key))
			continue;
		total++;
		if (total <= offset || total > offset + limit)
			continue;
		json_t *o = list_item(p);
		json_object_set_new(o, "score",
				    json_real((double)(long long)(hits[i].score * 1e4) / 1e4));
		json_array_append_new(items, o);
	}
	td_buf_release(&scratch);
	td_free(hits);
	td_free(field_key);
	td_free(level_key);
	json_t *doc = json_object();
	json_object_set_new(doc, "total", json_integer((json_int_t)total));
	json_object_set_new(doc, "offset", json_integer((json_int_t)offset));
	json_object_set_new(doc, "limit", json_integer((json_int_t)limit));
	json_object_set_new(doc, "items", items);
	return http_response_json(res, 200, doc);
}

static td_err get_procedures(struct http_request *req, struct http_response *res, void *ctx)
{
	struct http_api_kb *kb = ctx;
	struct store_filter f = {0};
	size_t limit, offset;
	const char *q;
	if (!http_request_query_size(req, "limit", LIST_LIMIT_DEFAULT, LIST_LIMIT_MAX, &limit)) {
		http_response_error(res, 400, "invalid_limit",
				    "Tham số limit phải là số nguyên từ 0 đến 200.");
		return TD_OK;
	}
	if (!http_request_query_size(req, "offset", 0, LIST_OFFSET_MAX, &offset)) {
		http_response_error(res, 400, "invalid_offset",
				    "Tham số offset phải là số nguyên không âm (tối đa 1000000).");
		return TD_OK;
	}
	if (!query_text(req, "field", FILTER_MAX, &f.field) ||
	    !query_text(req, "level", FILTER_MAX, &f.level)) {
		http_response_error(res, 400, "invalid_filter",
				    "Lĩnh vực hoặc cấp thực hiện không hợp lệ (tối đa 200 ký tự).");
		return TD_OK;
	}
	if (!query_text(req, "q", QUERY_MAX, &q)) {
		http_response_error(res, 400, "invalid_query",
				    "Nội dung tìm kiếm không hợp lệ hoặc quá dài (tối đa 200 ký tự).");
		return TD_OK;
	}

	if (q && kb->holder) {
		struct http_answer_snapshot *snap = http_answer_holder_acquire(kb->holder);
		if (snap) {
			td_err se = search_procedures(snap, q, &f, offset, limit, res);
			http_answer_snapshot_unref(snap);
			return se;
		}
	}

	struct td_buf qkey;
	td_buf_init(&qkey, VN_KEY_BOUND(QUERY_MAX));
	struct list_walk w = {0};
	td_buf_init(&w.scratch, FOLD_MAX);
	td_err e = TD_OK;
	if (q) {
		e = vn_fold(&qkey, q, strlen(q), VN_LOSSY);
		if (e != TD_OK)
			goto out_bufs;
		w.q_key = qkey.data ? qkey.data : "";
		if (!*w.q_key)
			w.q_key = NULL; /* only punctuation/space: no filter */
	}
	w.items = json_array();

	struct store *st;
	e = http_store_pool_acquire(kb->pool, &st);
	if (e != TD_OK)
		goto out_items;
	e = list_run(st, &f, &w, offset, limit);
	http_store_pool_release(kb->pool, st);
	if (e != TD_OK)
		goto out_items;

	json_t *doc = json_object();
	json_object_set_new(doc, "total", json_integer((json_int_t)w.total));
	json_object_set_new(doc, "offset", json_integer((json_int_t)offset));
	json_object_set_new(doc, "limit", json_integer((json_int_t)limit));
	json_object_set_new(doc, "items", w.items);
	w.items = NULL;
	e = http_response_json(res, 200, doc);
out_items:
	json_decref(w.items);
out_bufs:
	td_buf_release(&w.scratch);
	td_buf_release(&qkey);
	return e;
}

/* ---- GET /api/v1/procedures/{code} ------------------------------------- */

static td_err get_procedure(struct http_request *req, struct http_response *res, void *ctx)
{
	struct http_api_kb *kb = ctx;
	const char *code = http_request_param(req, "code");
	if (!code || !kb_code_valid(code)) {
		http_response_error(res, 400, "invalid_code",
				    "Mã thủ tục không hợp lệ. Mã có dạng 1.001612 "
				    "(có thể kèm hậu tố địa phương, ví dụ 1.004873.H87).");
		return TD_OK;
	}
	struct store *st;
	td_err e = http_store_pool_acquire(kb->pool, &st);
	if (e != TD_OK)
		return e;
	char *json = NULL;
	e = store_procedure_get_json(st, code, &json);
	http_store_pool_release(kb->pool, st);
	if (e == TD_ERR_NOTFOUND) {
		char msg[256];
		snprintf(msg, sizeof msg, "Không tìm thấy thủ tục có mã %s.", code);
		http_response_error(res, 404, "not_found", msg);
		return TD_OK;
	}
	if (e != TD_OK)
		return e;
	http_response_set_body(res, 200, "application/json; charset=utf-8", json, strlen(json));
	return TD_OK;
}

/* ---- /healthz and /metrics --------------------------------------------- */

static td_err count_procedures(struct http_api_kb *kb, size_t *n)
{
	struct store *st;
	td_err e = http_store_pool_acquire(kb->pool, &st);
	if (e != TD_OK)
		return e;
	e = store_procedure_count(st, n);
	http_store_pool_release(kb->pool, st);
	return e;
}

static td_err get_healthz(struct http_request *req, struct http_response *res, void *ctx)
{
	(void)req;
	size_t n = 0;
	if (count_procedures(ctx, &n) != TD_OK) {
		http_response_error(res, 503, "unavailable",
				    "Dịch vụ tạm thời gián đoạn. Vui lòng thử lại sau.");
		return TD_OK;
	}
	json_t *doc = json_object();
	json_object_set_new(doc, "status", json_string("ok"));
	json_object_set_new(doc, "procedures", json_integer((json_int_t)n));
	json_object_set_new(doc, "version", json_string(TD_VERSION));
	struct http_api_kb *kb = ctx;
	struct http_answer_snapshot *snap = kb->holder ? http_answer_holder_acquire(kb->holder)
						       : NULL;
	if (snap) {
		json_object_set_new(doc, "kb_as_of",
				    snap->kb_as_of[0] ? json_string(snap->kb_as_of) : json_null());
		http_answer_snapshot_unref(snap);
	}
	return http_response_json(res, 200, doc);
}

static td_err get_metrics(struct http_request *req, struct http_response *res, void *ctx)
{
	struct http_api_kb *kb = ctx;
	(void)req;
	struct td_buf b;
	td_buf_init(&b, 4 << 20);
	http_router_metrics(kb->router, &b);
	size_t n;
	if (count_procedures(kb, &n) == TD_OK)
		td_buf_addf(&b,
			    "# HELP tongdai_procedures Procedures in the knowledge base.\n"
			    "# TYPE tongdai_procedures gauge\n"
			    "tongdai_procedures %zu\n",
			    n);
	td_buf_addf(&b,
		    "# HELP process_start_time_seconds Start time of the process since the Unix "
		    "epoch in seconds.\n"
		    "# TYPE process_start_time_seconds gauge\n"
		    "process_start_time_seconds %.3f\n"
		    "# HELP tongdai_build_info Version of the running binary.\n"
		    "# TYPE tongdai_build_info gauge\n"
		    "tongdai_build_info{version=\"%s\"} 1\n",
		    kb->start_time, TD_VERSION);
	if (kb->extra_metrics)
		kb->extra_metrics(kb->extra_metrics_ctx, &b);
	if (td_buf_error(&b)) {
		td_buf_release(&b);
		return TD_ERR_TOOBIG;
	}
	size_t len;
	char *body = td_buf_detach(&b, &len);
	http_response_set_body(res, 200, "text/plain; version=0.0.4; charset=utf-8", body, len);
	return TD_OK;
}

/* ---- static files ------------------------------------------------------ */

/* Is rel a safe relative path: segments of printable characters, none empty,
 * none starting with '.' (so no "..", no hidden files), no backslash? */
static bool static_path_ok(const char *rel)
{
	size_t n = strlen(rel);
	if (n == 0 || n > STATIC_PATH_MAX)
		return false;
	bool seg_start = true;
	for (const unsigned char *p = (const unsigned char *)rel; *p; p++) {
		if (*p < 0x20 || *p == 0x7f || *p == '\\')
			return false;
		if (*p == '/') {
			if (seg_start)
				return false; /* empty segment */
			seg_start = true;
			continue;
		}
		if (seg_start && *p == '.')
			return false;
		seg_start = false;
	}
	return !seg_start;
}

static td_err serve_file(struct http_api_kb *kb, struct http_request *req,
			 struct http_response *res, const char *rel)
{
	struct td_buf path;
	td_buf_init(&path, 4096);
	td_buf_addf(&path, "%s/%s", kb->web_dir, rel);
	td_err e = td_buf_error(&path) ? TD_ERR_TOOBIG : http_response_file(res, req, path.data);
	td_buf_release(&path);
	if (e == TD_ERR_NOTFOUND || e == TD_ERR_TOOBIG) {
		http_response_error(res, 404, "not_found", "Không tìm thấy tệp được yêu cầu.");
		return TD_OK;
	}
	return e;
}

static td_err get_index(struct http_request *req, struct http_response *res, void *ctx)
{
	return serve_file(ctx, req, res, "index.html");
}

static td_err get_static(struct http_request *req, struct http_response *res, void *ctx)
{
	const char *rel = http_request_param(req, "path");
	if (!rel || !static_path_ok(rel)) {
		http_response_error(res, 400, "invalid_path", "Đường dẫn tệp không hợp lệ.");
		return TD_OK;
	}
	struct td_buf sub;
	td_buf_init(&sub, STATIC_PATH_MAX + 16);
	td_buf_addf(&sub, "static/%s", rel);
	td_err e = td_buf_error(&sub) ? TD_ERR_TOOBIG : serve_file(ctx, req, res, sub.data);
	td_buf_release(&sub);
	return e;
}

/* ---- registration ------------------------------------------------------ */

td_err http_api_kb_new(struct http_router *router, struct http_store_pool *pool,
		       const char *web_dir, struct http_api_kb **out)
{
	static const struct {
		const char *method;
		const char *pattern;
		http_handler_fn fn;
	} routes[] = {
		{"GET", "/healthz", get_healthz},
		{"GET", "/metrics", get_metrics},
		{"GET", "/api/v1/procedures", get_procedures},
		{"GET", "/api/v1/procedures/{code}", get_procedure},
		{"GET", "/", get_index},
		{"GET", "/static/{path...}", get_static},
	};
	*out = NULL;
	struct http_api_kb *kb = td_calloc(1, sizeof *kb);
	kb->router = router;
	kb->pool = pool;
	kb->web_dir = td_strdup(web_dir);
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	kb->start_time = (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
	for (size_t i = 0; i < sizeof routes / sizeof routes[0]; i++) {
		td_err e = http_route_add(router, routes[i].method, routes[i].pattern, routes[i].fn,
					  kb);
		if (e != TD_OK) {
			http_api_kb_free(kb);
			return e;
		}
	}
	*out = kb;
	return TD_OK;
}

void http_api_kb_set_answer(struct http_api_kb *kb, struct http_answer_holder *holder)
{
	kb->holder = holder;
}

void http_api_kb_set_metrics(struct http_api_kb *kb, http_metrics_fn fn, void *ctx)
{
	kb->extra_metrics = fn;
	kb->extra_metrics_ctx = ctx;
}

void http_api_kb_free(struct http_api_kb *kb)
{
	if (!kb)
		return;
	td_free(kb->web_dir);
	td_free(kb);
}
