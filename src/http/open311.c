/*
 * open311.c - Open311 GeoReport v2 (see open311.h and docs/api.md).
 *
 * Every response is built once as a jansson value and rendered either as
 * JSON or, by a small generic converter, as XML: objects become elements
 * named by their keys, arrays become a wrapper element whose items take the
 * singular name the spec uses (service_requests/request, services/service,
 * errors/error, ...).  So the two formats can never drift apart.
 *
 * Mapping (docs/internals/pakn-cases.md has the reasoning):
 *   service_code        a PAKN category slug (khieu-nai-to-cao is not offered)
 *   service_request_id  the case number as displayed, "251128-0042-7"
 *   status              open: received, accepted, assigned, in_progress;
 *                       closed: not_accepted, answered, closed
 *   status_notes        the status reason, else the latest history note
 *   description         the public (masked) copy of the text
 *   requested_datetime  received_at; updated_datetime updated_at (Hanoi time)
 * A POST that is not a PAKN (complaint, denunciation) or lacks required
 * parts is still recorded and answered in the spec's form: its
 * service_notice explains, and the request is closed (not_accepted).
 */
#include "http/open311.h"

#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "base/alloc.h"
#include "base/buf.h"
#include "base/log.h"
#include "http/pakn_view.h"
#include "http/router.h"
#include "http/store_pool.h"
#include "pakn/intake.h"
#include "pakn/pakn.h"
#include "pakn/route.h"
#include "store/store.h"
#include "store/store_case.h"
#include "text/vn.h"
#include "base/banned.h"

#define XML_MAX ((size_t)32 << 20)
#define FORM_PAIRS_MAX 64
#define IDS_MAX 100
#define PAGE_SIZE_MAX 1000
#define DEFAULT_DAYS 90
#define CHANGESET "2026-11-28T00:00:00+07:00"

struct http_open311 {
	struct http_store_pool *pool;
	struct pakn_intake *intake;
};

enum fmt { FMT_XML, FMT_JSON };

/* ---- rendering ---------------------------------------------------------- */

static const struct {
	const char *parent, *child;
} xml_children[] = {
	{"service_requests", "request"}, {"services", "service"},     {"errors", "error"},
	{"attributes", "attribute"},     {"values", "value"},         {"notes", "note"},
	{"endpoints", "endpoint"},       {"formats", "format"},       {"ward_codes", "ward_code"},
};

static const char *child_name(const char *parent)
{
	for (size_t i = 0; i < sizeof xml_children / sizeof xml_children[0]; i++)
		if (strcmp(parent, xml_children[i].parent) == 0)
			return xml_children[i].child;
	return "item";
}

/* Text content: escape markup and drop characters XML 1.0 cannot carry. */
static void xml_text(struct td_buf *b, const char *s)
{
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		switch (*p) {
		case '&': td_buf_adds(b, "&amp;"); break;
		case '<': td_buf_adds(b, "&lt;"); break;
		case '>': td_buf_adds(b, "&gt;"); break;
		case '"': td_buf_adds(b, "&quot;"); break;
		case '\'': td_buf_adds(b, "&apos;"); break;
		default:
			if (*p < 0x20 && *p != '\t' && *p != '\n' && *p != '\r')
				break;
			/* U+FFFE/U+FFFF (EF BF BE/BF) are not XML characters either */
			if (*p == 0xEF && p[1] == 0xBF && (p[2] == 0xBE || p[2] == 0xBF)) {
				p += 2;
				break;
			}
			td_buf_addc(b, (char)*p);
		}
	}
}

static void xml_value(struct td_buf *b, const char *name, json_t *v)
{
	if (json_is_null(v) || !v) {
		td_buf_addf(b, "<%s/>", name);
		return;
	}
	td_buf_addf(b, "<%s>", name);
	if (json_is_object(v)) {
		const char *k;
		json_t *x;
		json_object_foreach(v, k, x)
			xml_value(b, k, x);
	} else if (json_is_array(v)) {
		size_t i;
		json_t *x;
		const char *cn = child_name(name);
		json_array_foreach(v, i, x)
			xml_value(b, cn, x);
	} else if (json_is_string(v)) {
		xml_text(b, json_string_value(v));
	} else if (json_is_true(v)) {
		td_buf_adds(b, "true");
	} else if (json_is_false(v)) {
		td_buf_adds(b, "false");
	} else if (json_is_integer(v)) {
		td_buf_addf(b, "%lld", (long long)json_integer_value(v));
	} else if (json_is_real(v)) {
		td_buf_addf(b, "%.7f", json_real_value(v));
	}
	td_buf_addf(b, "</%s>", name);
}

/* Send doc (stolen) as JSON or as XML under root. */
static td_err send(struct http_response *res, unsigned status, enum fmt f, const char *root,
		   json_t *doc)
{
	if (f == FMT_JSON)
		return http_response_json(res, status, doc);
	struct td_buf b;
	td_buf_init(&b, XML_MAX);
	td_buf_adds(&b, "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n");
	xml_value(&b, root, doc);
	td_buf_addc(&b, '\n');
	json_decref(doc);
	if (td_buf_error(&b)) {
		td_buf_release(&b);
		return TD_ERR_TOOBIG;
	}
	size_t len;
	char *body = td_buf_detach(&b, &len);
	http_response_set_body(res, status, "text/xml; charset=utf-8", body, len);
	return TD_OK;
}

static td_err error(struct http_response *res, enum fmt f, unsigned status, const char *desc)
{
	json_t *e = json_array();
	json_array_append_new(e, json_pack("{s:i, s:s}", "code", (int)status, "description", desc));
	return send(res, status, f, "errors", e);
}

/* "services.json" -> name "services", FMT_JSON.  false: no/unknown format. */
static bool split_fmt(const char *seg, char *name, size_t cap, enum fmt *f)
{
	const char *dot = seg ? strrchr(seg, '.') : NULL;
	*f = FMT_XML;
	if (!dot || dot == seg || (size_t)(dot - seg) >= cap)
		return false;
	if (strcmp(dot + 1, "json") == 0)
		*f = FMT_JSON;
	else if (strcmp(dot + 1, "xml") != 0)
		return false;
	memcpy(name, seg, (size_t)(dot - seg));
	name[dot - seg] = '\0';
	return true;
}

static bool jurisdiction_ok(const char *j)
{
	return !j || !*j || strcmp(j, OPEN311_JURISDICTION) == 0;
}

#define BAD_JURISDICTION "jurisdiction_id không được hỗ trợ: chỉ có " OPEN311_JURISDICTION "."

/* ---- services ------------------------------------------------------------ */

static const struct {
	const char *slug, *keywords;
} service_keywords[] = {
	{"trat-tu-do-thi", "lấn chiếm vỉa hè, bán hàng rong, quảng cáo rao vặt, trông giữ xe trái phép"},
	{"trat-tu-xay-dung", "xây dựng không phép, sai phép, cơi nới, lấn chiếm đất công"},
	{"ve-sinh-moi-truong", "rác thải, đổ trộm phế thải, ô nhiễm, khói bụi, mùi, nước thải, đốt rác"},
	{"tieng-on", "karaoke, loa kẹo kéo, thi công ban đêm, tiếng ồn"},
	{"ha-tang-giao-thong", "ổ gà, mặt đường hư hỏng, nắp hố ga, biển báo, đèn tín hiệu, vỉa hè hỏng"},
	{"chieu-sang-cay-xanh", "đèn đường hỏng, cây đổ, cây gãy, cây nguy hiểm, cắt tỉa"},
	{"thoat-nuoc", "ngập, cống tắc, tràn nước thải"},
	{"cap-nuoc", "mất nước, nước đục, nước bẩn, rò rỉ đường ống"},
	{"dien", "mất điện, dây điện võng, dây điện đứt, cột điện nghiêng"},
	{"an-ninh-trat-tu", "trộm cắp, gây rối, tụ tập, cờ bạc, ma túy, tín dụng đen"},
	{"an-toan-giao-thong", "đua xe, xe quá tải, đỗ xe gây ùn tắc, vi phạm giao thông"},
	{"phong-chay", "nguy cơ cháy nổ, lối thoát hiểm bị chắn, kho hàng dễ cháy"},
	{"an-toan-thuc-pham", "cơ sở mất vệ sinh, thực phẩm bẩn, ngộ độc"},
	{"y-te", "bệnh viện, trạm y tế, dịch bệnh, thuốc"},
	{"giao-duc", "trường lớp, học phí, lạm thu, dạy thêm, tuyển sinh"},
	{"dat-dai", "tranh chấp đất, lấn chiếm đất, cấp giấy chứng nhận, giải phóng mặt bằng"},
	{"lao-dong-an-sinh", "tiền lương, bảo hiểm xã hội, trợ cấp, người có công, hộ nghèo"},
	{"thuong-mai", "hàng giả, giá cả, chợ, kinh doanh trái phép"},
	{"van-hoa-du-lich", "lễ hội, di tích, dịch vụ du lịch"},
	{"thu-tuc-hanh-chinh", "hồ sơ chậm, nhũng nhiễu, giấy tờ ngoài quy định, quy định bất hợp lý"},
	{"khac", "khác"},
};

static const char *keywords_of(const char *slug)
{
	for (size_t i = 0; i < sizeof service_keywords / sizeof service_keywords[0]; i++)
		if (strcmp(service_keywords[i].slug, slug) == 0)
			return service_keywords[i].keywords;
	return NULL;
}

/* Is slug a service we offer (every category but complaints)? */
static bool service_known(const char *slug)
{
	if (!slug || strcmp(slug, "khieu-nai-to-cao") == 0)
		return false;
	for (size_t i = 0; i < pakn_category_count(); i++)
		if (strcmp(pakn_category_slug(i), slug) == 0)
			return true;
	return false;
}

static json_t *service_json(const struct route_table *rt, const char *slug, const char *name)
{
	const char *label = route_category_label(rt, slug);
	const char *kw = keywords_of(slug);
	bool field = route_is_field_report(rt, slug);
	char desc[512];
	snprintf(desc, sizeof desc, "%s%s%s", label ? label : name, kw ? ": " : "", kw ? kw : "");
	json_t *o = json_object();
	json_object_set_new(o, "service_code", json_string(slug));
	json_object_set_new(o, "service_name", json_string(name));
	json_object_set_new(o, "description", json_string(desc));
	json_object_set_new(o, "metadata", json_false());
	json_object_set_new(o, "type", json_string("realtime"));
	json_object_set_new(o, "keywords", kw ? json_string(kw) : json_null());
	json_object_set_new(o, "group", json_string(field ? "Phản ánh hiện trường"
							   : "Quy định, thủ tục và dịch vụ công"));
	return o;
}

static td_err get_services(struct http_open311 *o, struct http_response *res, enum fmt f)
{
	const struct route_table *rt = pakn_intake_routes(o->intake);
	json_t *a = json_array();
	for (size_t i = 0; i < pakn_category_count(); i++) {
		const char *slug = pakn_category_slug(i);
		if (service_known(slug))
			json_array_append_new(a, service_json(rt, slug, pakn_category_name(i)));
	}
	return send(res, 200, f, "services", a);
}

static td_err get_discovery(struct http_request *req, struct http_response *res, enum fmt f)
{
	const char *host = http_request_header(req, "Host");
	char url[300];
	snprintf(url, sizeof url, "http://%.200s/open311/v2", host && *host ? host : "127.0.0.1");
	json_t *formats = json_pack("[s, s]", "text/xml", "application/json");
	json_t *ep = json_pack("{s:s, s:s, s:s, s:s, s:o}", "specification",
			       "http://wiki.open311.org/GeoReport_v2", "url", url, "changeset",
			       CHANGESET, "type", "production", "formats", formats);
	json_t *d = json_pack("{s:s, s:s, s:s, s:[o]}", "changeset", CHANGESET, "contact",
			      "Trung tâm Phục vụ hành chính công thành phố Hà Nội",
			      "key_service",
			      "Khóa api_key do quản trị viên cấp bằng lệnh 'tongdai pakn apikey add TÊN'.",
			      "endpoints", ep);
	return send(res, 200, f, "discovery", d);
}

/* ---- requests ------------------------------------------------------------ */

struct view_ctx {
	struct store *s;
	const struct route_table *rt;
	bool extensions;
	json_t *a;
	td_err err;
};

struct last_note {
	char note[512];
};

static int last_note_fn(const struct store_case_event *e, void *ctx)
{
	struct last_note *l = ctx;
	if (e->note && *e->note)
		snprintf(l->note, sizeof l->note, "%s", e->note);
	return 0;
}

static json_t *jstr_or_null(const char *s)
{
	return s && *s ? json_string(s) : json_null();
}

/* The GeoReport request of case c (new reference); NULL on a store error. */
static json_t *request_json(struct view_ctx *v, const struct store_case *c)
{
	char num[STORE_CASE_NUMBER_DISPLAY_MAX], at[32], up[32];
	store_case_number_display(c->number, num, sizeof num);
	pakn_view_time(c->received_at, at);
	pakn_view_time(c->updated_at, up);
	struct last_note ln = {""};
	if (!c->status_reason && store_case_history(v->s, c->id, last_note_fn, &ln) != TD_OK)
		return NULL;
	struct td_buf notes;
	td_buf_init(&notes, 8192);
	/* the status reason is written by tongdai itself (no personal data);
	 * staff notes go through the same masking as the history */
	if (c->status_reason)
		td_buf_adds(&notes, c->status_reason);
	else
		pakn_view_mask_note(&notes, ln.note);
	const char *an = c->agency[0] ? route_agency_name(v->rt, c->agency) : NULL;
	json_t *o = json_object();
	json_object_set_new(o, "service_request_id", json_string(num));
	json_object_set_new(o, "status",
			    json_string(store_case_status_is_open(c->status) ? "open" : "closed"));
	json_object_set_new(o, "status_notes", jstr_or_null(notes.data));
	td_buf_release(&notes);
	json_object_set_new(o, "service_name", json_string(pakn_view_category_name(c->category)));
	json_object_set_new(o, "service_code", json_string(c->category));
	json_object_set_new(o, "description", jstr_or_null(c->public_text));
	json_object_set_new(o, "agency_responsible", jstr_or_null(an));
	json_object_set_new(o, "service_notice", json_null());
	json_object_set_new(o, "requested_datetime", json_string(at));
	json_object_set_new(o, "updated_datetime", json_string(up));
	json_object_set_new(o, "expected_datetime", json_null());
	json_object_set_new(o, "address", jstr_or_null(c->location ? c->location : c->place_text));
	json_object_set_new(o, "address_id", json_null());
	json_object_set_new(o, "zipcode", json_null());
	json_object_set_new(o, "lat", c->has_location ? json_real(c->lat) : json_null());
	json_object_set_new(o, "long", c->has_location ? json_real(c->lon) : json_null());
	json_object_set_new(o, "media_url",
			    c->n_attachments ? json_string(c->attachments[0].url) : json_null());
	if (v->extensions) {
		json_t *h = pakn_view_history(v->s, c->id);
		if (!h) {
			json_decref(o);
			return NULL;
		}
		json_t *notes_a = json_array();
		size_t i;
		json_t *e;
		json_array_foreach(h, i, e)
		{
			json_t *n = json_object();
			json_object_set(n, "datetime", json_object_get(e, "at"));
			json_object_set(n, "status", json_object_get(e, "status"));
			json_object_set(n, "summary", json_object_get(e, "note"));
			json_array_append_new(notes_a, n);
		}
		json_decref(h);
		json_object_set_new(o, "notes", notes_a);
		json_object_set_new(o, "detailed_status", json_string(store_case_status_name(c->status)));
		json_object_set_new(o, "status_label", json_string(store_case_status_label(c->status)));
		json_object_set_new(o, "level", json_string(c->level));
		json_object_set_new(o, "emergency", json_boolean(c->emergency));
		json_object_set_new(o, "ward_codes", pakn_view_list(c->ward_codes));
		json_object_set_new(o, "reporters", json_integer((json_int_t)c->reporters));
		char d[STORE_CASE_NUMBER_DISPLAY_MAX] = "";
		if (c->duplicate_number[0])
			store_case_number_display(c->duplicate_number, d, sizeof d);
		json_object_set_new(o, "duplicate_of", jstr_or_null(d));
	}
	return o;
}

static int view_one(const struct store_case *c, void *ctx)
{
	struct view_ctx *v = ctx;
	json_t *o = request_json(v, c);
	if (!o) {
		v->err = TD_ERR_DB;
		return 1;
	}
	json_array_append_new(v->a, o);
	return 0;
}

static bool parse_uint(const char *s, unsigned long lo, unsigned long hi, unsigned long *out)
{
	if (!s || !*s || strlen(s) > 9)
		return false;
	unsigned long v = 0;
	for (const char *p = s; *p; p++) {
		if (*p < '0' || *p > '9')
			return false;
		v = v * 10 + (unsigned long)(*p - '0');
	}
	if (v < lo || v > hi)
		return false;
	*out = v;
	return true;
}

static td_err get_requests(struct http_open311 *o, struct http_request *req,
			   struct http_response *res, enum fmt f)
{
	const char *ids = http_request_query(req, "service_request_id");
	const char *ext = http_request_query(req, "extensions");
	struct store_case_filter flt = {0};
	unsigned long page = 1, page_size = PAGE_SIZE_MAX;
	if (!ids) {
		const char *sc = http_request_query(req, "service_code");
		const char *sd = http_request_query(req, "start_date");
		const char *ed = http_request_query(req, "end_date");
		const char *st = http_request_query(req, "status");
		const char *pg = http_request_query(req, "page");
		const char *ps = http_request_query(req, "page_size");
		int64_t start = 0, end = 0;
		if (sd && !pakn_view_parse_time(sd, &start))
			return error(res, f, 400, "start_date không đúng định dạng W3C (2026-11-28T00:00:00+07:00).");
		if (ed && !pakn_view_parse_time(ed, &end))
			return error(res, f, 400, "end_date không đúng định dạng W3C (2026-11-28T23:59:59+07:00).");
		if (sd && ed && end < start)
			return error(res, f, 400, "end_date phải sau start_date.");
		if (pg && !parse_uint(pg, 1, 100000, &page))
			return error(res, f, 400, "page phải là số nguyên từ 1.");
		if (ps && !parse_uint(ps, 1, PAGE_SIZE_MAX, &page_size))
			return error(res, f, 400, "page_size phải từ 1 đến 1000.");
		if (st) {
			bool open = strstr(st, "open") != NULL, closed = strstr(st, "closed") != NULL;
			if (!open && !closed)
				return error(res, f, 400, "status phải là open hoặc closed.");
			flt.open_only = open && !closed;
			flt.closed_only = closed && !open;
		}
		if (!ed)
			end = (int64_t)time(NULL) + 1;
		else
			end += 1; /* inclusive */
		if (!sd)
			start = end - (int64_t)DEFAULT_DAYS * 86400;
		flt.since = start;
		flt.until = end;
		flt.category = sc && *sc ? sc : NULL;
		flt.limit = page_size;
		flt.offset = (page - 1) * page_size;
	}
	struct store *s;
	td_err e = http_store_pool_acquire(o->pool, &s);
	if (e)
		return error(res, f, 500, "Lỗi máy chủ, xin thử lại sau.");
	struct view_ctx v = {.s = s, .rt = pakn_intake_routes(o->intake),
			     .extensions = ext && strcmp(ext, "true") == 0, .a = json_array()};
	if (ids) {
		size_t n = 0;
		for (const char *p = ids; *p && n < IDS_MAX; n++) {
			const char *comma = strchr(p, ',');
			size_t l = comma ? (size_t)(comma - p) : strlen(p);
			char one[40], canon[STORE_CASE_NUMBER_MAX + 1];
			if (l < sizeof one) {
				memcpy(one, p, l);
				one[l] = '\0';
				struct store_case c;
				if (store_case_number_parse(one, canon) == TD_OK &&
				    store_case_get(s, canon, &c) == TD_OK) {
					view_one(&c, &v);
					store_case_release(&c);
				}
			}
			p += l + (comma ? 1 : 0);
		}
	} else {
		e = store_case_list(s, &flt, view_one, &v, NULL);
		if (e)
			v.err = e;
	}
	http_store_pool_release(o->pool, s);
	if (v.err) {
		json_decref(v.a);
		td_log(TD_LOG_ERROR, "open311.read_failed", "error", td_strerror(v.err), NULL);
		return error(res, f, 500, "Lỗi máy chủ, xin thử lại sau.");
	}
	return send(res, 200, f, "service_requests", v.a);
}

static td_err get_one_request(struct http_open311 *o, struct http_request *req,
			      struct http_response *res, const char *id, enum fmt f, bool by_token)
{
	char canon[STORE_CASE_NUMBER_MAX + 1];
	if (!by_token && store_case_number_parse(id, canon) != TD_OK)
		return error(res, f, 404, "Không có yêu cầu với mã này.");
	if (by_token && (strlen(id) > 64 || !*id))
		return error(res, f, 404, "Không có token này.");
	struct store *s;
	if (http_store_pool_acquire(o->pool, &s))
		return error(res, f, 500, "Lỗi máy chủ, xin thử lại sau.");
	struct store_case c;
	td_err e = by_token ? store_case_get_by_token(s, id, &c) : store_case_get(s, canon, &c);
	if (e) {
		http_store_pool_release(o->pool, s);
		return e == TD_ERR_NOTFOUND
			       ? error(res, f, 404, by_token ? "Không có token này." : "Không có yêu cầu với mã này.")
			       : error(res, f, 500, "Lỗi máy chủ, xin thử lại sau.");
	}
	json_t *a = json_array();
	if (by_token) {
		char num[STORE_CASE_NUMBER_DISPLAY_MAX];
		store_case_number_display(c.number, num, sizeof num);
		json_array_append_new(a, json_pack("{s:s, s:s}", "service_request_id", num, "token",
						   c.token));
	} else {
		const char *ext = http_request_query(req, "extensions");
		struct view_ctx v = {.s = s, .rt = pakn_intake_routes(o->intake),
				     .extensions = ext && strcmp(ext, "true") == 0, .a = a};
		view_one(&c, &v);
		e = v.err;
	}
	http_store_pool_release(o->pool, s);
	store_case_release(&c);
	if (e) {
		json_decref(a);
		return error(res, f, 500, "Lỗi máy chủ, xin thử lại sau.");
	}
	return send(res, 200, f, "service_requests", a);
}

/* ---- POST requests: form parsing ------------------------------------------ */

struct form {
	size_t n;
	char *key[FORM_PAIRS_MAX];
	char *val[FORM_PAIRS_MAX];
};

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if ((c | 0x20) >= 'a' && (c | 0x20) <= 'f')
		return (c | 0x20) - 'a' + 10;
	return -1;
}

/* Decode one application/x-www-form-urlencoded component; NULL if malformed
 * (bad %XX, NUL, invalid UTF-8). */
static char *form_decode(const char *s, size_t n)
{
	char *out = td_malloc(n + 1);
	size_t o = 0;
	for (size_t i = 0; i < n; i++) {
		char c = s[i];
		if (c == '+') {
			c = ' ';
		} else if (c == '%') {
			int hi = i + 1 < n ? hexval(s[i + 1]) : -1;
			int lo = i + 2 < n ? hexval(s[i + 2]) : -1;
			int h = hi < 0 || lo < 0 ? -1 : hi * 16 + lo;
			if (h <= 0) {
				td_free(out);
				return NULL;
			}
			c = (char)h;
			i += 2;
		}
		out[o++] = c;
	}
	out[o] = '\0';
	if (!vn_utf8_valid(out, o)) {
		td_free(out);
		return NULL;
	}
	return out;
}

static void form_free(struct form *f)
{
	for (size_t i = 0; i < f->n; i++) {
		td_free(f->key[i]);
		td_free(f->val[i]);
	}
	f->n = 0;
}

static td_err form_parse(const char *body, size_t len, struct form *f)
{
	f->n = 0;
	size_t i = 0;
	while (i < len) {
		size_t j = i;
		while (j < len && body[j] != '&')
			j++;
		if (j > i) {
			if (f->n >= FORM_PAIRS_MAX) {
				form_free(f);
				return TD_ERR_TOOBIG;
			}
			const char *eq = memchr(body + i, '=', j - i);
			size_t kl = eq ? (size_t)(eq - (body + i)) : j - i;
			char *k = form_decode(body + i, kl);
			char *v = eq ? form_decode(eq + 1, (size_t)(body + j - eq - 1)) : td_strdup("");
			if (!k || !v || !*k) {
				td_free(k);
				td_free(v);
				form_free(f);
				return TD_ERR_PARSE;
			}
			f->key[f->n] = k;
			f->val[f->n++] = v;
		}
		i = j + 1;
	}
	return TD_OK;
}

static const char *form_get(const struct form *f, const char *key)
{
	for (size_t i = 0; i < f->n; i++)
		if (strcmp(f->key[i], key) == 0)
			return f->val[i];
	return NULL;
}

static bool parse_coord(const char *s, double lim, double *out)
{
	if (!s || !*s || strlen(s) > 32)
		return false;
	char *end;
	double v = strtod(s, &end);
	if (*end || !isfinite(v) || fabs(v) > lim)
		return false;
	*out = v;
	return true;
}

static bool form_type_ok(const char *ct)
{
	static const char want[] = "application/x-www-form-urlencoded";
	if (!ct)
		return false;
	while (*ct == ' ')
		ct++;
	return strncasecmp(ct, want, sizeof want - 1) == 0 &&
	       (ct[sizeof want - 1] == '\0' || ct[sizeof want - 1] == ';' ||
		ct[sizeof want - 1] == ' ');
}

static void copy_field(char *dst, size_t cap, const char *src)
{
	snprintf(dst, cap, "%s", src ? src : "");
}

static td_err post_request(struct http_open311 *o, struct http_request *req,
			   struct http_response *res, enum fmt f)
{
	if (!form_type_ok(http_request_header(req, "Content-Type")))
		return error(res, f, 400,
			     "Yêu cầu phải gửi dạng application/x-www-form-urlencoded.");
	if (req->body_len > OPEN311_BODY_MAX)
		return error(res, f, 413, "Nội dung gửi lên quá lớn.");
	struct form form;
	td_err e = form_parse(req->body, req->body_len, &form);
	if (e)
		return error(res, f, 400, e == TD_ERR_TOOBIG ? "Quá nhiều tham số."
							     : "Nội dung biểu mẫu không hợp lệ (mã %XX hoặc UTF-8 sai).");
	td_err rc = TD_OK;
	if (!jurisdiction_ok(form_get(&form, "jurisdiction_id"))) {
		rc = error(res, f, 404, BAD_JURISDICTION);
		goto out;
	}
	/* api_key: missing or unknown are both 403 (GeoReport: "api_key was not
	 * provided or is invalid"). */
	const char *key = form_get(&form, "api_key");
	char client[128] = "";
	bool valid = false;
	struct store *s;
	if (http_store_pool_acquire(o->pool, &s)) {
		rc = error(res, f, 500, "Lỗi máy chủ, xin thử lại sau.");
		goto out;
	}
	e = store_case_apikey_check(s, key, &valid, client, sizeof client);
	http_store_pool_release(o->pool, s);
	if (e) {
		rc = error(res, f, 500, "Lỗi máy chủ, xin thử lại sau.");
		goto out;
	}
	if (!valid) {
		rc = error(res, f, 403, key ? "api_key không hợp lệ." : "Thiếu api_key.");
		goto out;
	}
	const char *code = form_get(&form, "service_code");
	if (!code || !*code) {
		rc = error(res, f, 400, "Thiếu service_code.");
		goto out;
	}
	if (!service_known(code)) {
		rc = error(res, f, 400, "service_code không tồn tại (xem services.json).");
		goto out;
	}
	struct pakn_submission sub;
	memset(&sub, 0, sizeof sub);
	const char *lat = form_get(&form, "lat"), *lon = form_get(&form, "long");
	const char *addr = form_get(&form, "address_string"), *addr_id = form_get(&form, "address_id");
	if (lat || lon) {
		if (!parse_coord(lat, 90, &sub.lat) || !parse_coord(lon, 180, &sub.lon)) {
			rc = error(res, f, 400, "lat/long không hợp lệ.");
			goto out;
		}
		sub.has_location = true;
	}
	if (!sub.has_location && !(addr && *addr) && !(addr_id && *addr_id)) {
		rc = error(res, f, 400, "Cần vị trí: lat và long, address_string hoặc address_id.");
		goto out;
	}
	const char *desc = form_get(&form, "description");
	if (!desc || !*desc) {
		rc = error(res, f, 400, "Thiếu description (nội dung phản ánh).");
		goto out;
	}
	const char *media = form_get(&form, "media_url");
	if (media && *media) {
		if (strlen(media) > STORE_CASE_URL_MAX ||
		    (strncmp(media, "https://", 8) != 0 && strncmp(media, "http://", 7) != 0)) {
			rc = error(res, f, 400, "media_url phải là địa chỉ http(s).");
			goto out;
		}
		copy_field(sub.attachments[0].url, sizeof sub.attachments[0].url, media);
		sub.attachments[0].size = -1;
		sub.n_attachments = 1;
	}
	/* Vietnamese names are family name first: last_name + first_name. */
	const char *first = form_get(&form, "first_name"), *last = form_get(&form, "last_name");
	snprintf(sub.contact.name, sizeof sub.contact.name, "%s%s%s", last ? last : "",
		 last && *last && first && *first ? " " : "", first ? first : "");
	copy_field(sub.contact.phone, sizeof sub.contact.phone, form_get(&form, "phone"));
	copy_field(sub.contact.email, sizeof sub.contact.email, form_get(&form, "email"));
	sub.text = desc;
	sub.channel = "open311";
	sub.service_code = code;
	sub.location = addr && *addr ? addr : addr_id;
	sub.device_id = form_get(&form, "device_id");
	sub.account_id = form_get(&form, "account_id");
	char actor[160];
	snprintf(actor, sizeof actor, "open311:%s", client);
	sub.actor = actor;

	struct pakn_intake_result r;
	char err[256];
	e = pakn_intake_submit(o->intake, &sub, &r, err, sizeof err);
	if (e) {
		if (e == TD_ERR_BUSY)
			rc = error(res, f, 503, err);
		else if (e == TD_ERR_INVAL || e == TD_ERR_UTF8 || e == TD_ERR_TOOBIG)
			rc = error(res, f, 400, err);
		else
			rc = error(res, f, 500, "Lỗi máy chủ, xin thử lại sau.");
		goto out;
	}
	struct td_buf notice;
	td_buf_init(&notice, 8192);
	for (size_t i = 0; i < r.n_messages; i++) {
		if (i)
			td_buf_addc(&notice, ' ');
		td_buf_adds(&notice, r.messages[i]);
	}
	json_t *item = json_object();
	json_object_set_new(item, "service_request_id", json_string(r.display_number));
	json_object_set_new(item, "token", json_string(r.c.token));
	json_object_set_new(item, "service_notice", jstr_or_null(notice.data));
	json_object_set_new(item, "account_id", jstr_or_null(sub.account_id));
	td_buf_release(&notice);
	pakn_intake_result_release(&r);
	json_t *a = json_array();
	json_array_append_new(a, item);
	rc = send(res, 200, f, "service_requests", a);
out:
	form_free(&form);
	return rc;
}

/* ---- routes ------------------------------------------------------------- */

static td_err on_resource(struct http_request *req, struct http_response *res, void *ctx)
{
	struct http_open311 *o = ctx;
	char name[32];
	enum fmt f;
	if (!split_fmt(http_request_param(req, "resource"), name, sizeof name, &f))
		return error(res, f, 404, "Không có tài nguyên này (dùng .xml hoặc .json).");
	bool post = strcmp(req->method, "POST") == 0;
	if (post) {
		if (strcmp(name, "requests") == 0)
			return post_request(o, req, res, f);
		return error(res, f, 404, "Không có tài nguyên này.");
	}
	if (!jurisdiction_ok(http_request_query(req, "jurisdiction_id")))
		return error(res, f, 404, BAD_JURISDICTION);
	if (strcmp(name, "discovery") == 0)
		return get_discovery(req, res, f);
	if (strcmp(name, "services") == 0)
		return get_services(o, res, f);
	if (strcmp(name, "requests") == 0)
		return get_requests(o, req, res, f);
	return error(res, f, 404, "Không có tài nguyên này.");
}

static td_err on_service(struct http_request *req, struct http_response *res, void *ctx)
{
	(void)ctx;
	char code[64];
	enum fmt f;
	if (!split_fmt(http_request_param(req, "file"), code, sizeof code, &f))
		return error(res, f, 404, "Không có tài nguyên này (dùng .xml hoặc .json).");
	if (!jurisdiction_ok(http_request_query(req, "jurisdiction_id")))
		return error(res, f, 404, BAD_JURISDICTION);
	if (!service_known(code))
		return error(res, f, 404, "Không có dịch vụ với service_code này.");
	json_t *d = json_pack("{s:s, s:[]}", "service_code", code, "attributes");
	return send(res, 200, f, "service_definition", d);
}

static td_err on_request(struct http_request *req, struct http_response *res, void *ctx)
{
	char id[64];
	enum fmt f;
	if (!split_fmt(http_request_param(req, "file"), id, sizeof id, &f))
		return error(res, f, 404, "Không có tài nguyên này (dùng .xml hoặc .json).");
	if (!jurisdiction_ok(http_request_query(req, "jurisdiction_id")))
		return error(res, f, 404, BAD_JURISDICTION);
	return get_one_request(ctx, req, res, id, f, false);
}

static td_err on_token(struct http_request *req, struct http_response *res, void *ctx)
{
	char token[80];
	enum fmt f;
	if (!split_fmt(http_request_param(req, "file"), token, sizeof token, &f))
		return error(res, f, 404, "Không có tài nguyên này (dùng .xml hoặc .json).");
	if (!jurisdiction_ok(http_request_query(req, "jurisdiction_id")))
		return error(res, f, 404, BAD_JURISDICTION);
	return get_one_request(ctx, req, res, token, f, true);
}

td_err http_open311_new(struct http_router *router, struct http_store_pool *pool,
			struct pakn_intake *intake, struct http_open311 **out)
{
	struct http_open311 *o = td_calloc(1, sizeof *o);
	o->pool = pool;
	o->intake = intake;
	td_err e = http_route_add(router, "GET", "/open311/v2/{resource}", on_resource, o);
	if (!e)
		e = http_route_add(router, "POST", "/open311/v2/{resource}", on_resource, o);
	if (!e)
		e = http_route_add(router, "GET", "/open311/v2/services/{file}", on_service, o);
	if (!e)
		e = http_route_add(router, "GET", "/open311/v2/requests/{file}", on_request, o);
	if (!e)
		e = http_route_add(router, "GET", "/open311/v2/tokens/{file}", on_token, o);
	if (e) {
		td_free(o);
		return e;
	}
	*out = o;
	return TD_OK;
}

void http_open311_free(struct http_open311 *o)
{
	td_free(o);
}
