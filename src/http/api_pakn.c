/*
 * api_pakn.c - POST /api/v1/pakn and GET /api/v1/pakn/{number}.
 *
 * POST: validate (content type, size, JSON shape, lengths) -> pakn_intake_submit,
 * which blocks this MHD worker until the case's group commit is on disk
 * (docs/internals/pakn-cases.md explains why blocking a pool thread is the
 * chosen trade-off) -> 201 with the number and what the citizen is told.
 * GET: the public view only; a number whose check digit is wrong is a 400,
 * never a lookup.
 */
#include "http/api_pakn.h"

#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "base/alloc.h"
#include "base/log.h"
#include "http/pakn_view.h"
#include "http/router.h"
#include "http/store_pool.h"
#include "pakn/intake.h"
#include "store/store.h"
#include "store/store_case.h"
#include "base/banned.h"

struct http_api_pakn {
	struct http_store_pool *pool;
	struct pakn_intake *intake;
};

static bool is_json_type(const char *ct)
{
	static const char want[] = "application/json";
	if (!ct)
		return false;
	while (*ct == ' ')
		ct++;
	if (strncasecmp(ct, want, sizeof want - 1) != 0)
		return false;
	char next = ct[sizeof want - 1];
	return next == '\0' || next == ';' || next == ' ';
}

/* Copy an optional string member into dst; false (and a message) when it is
 * not a string or too long. */
static bool opt_string(json_t *obj, const char *key, char *dst, size_t cap, char *msg,
		       size_t msglen)
{
	json_t *v = json_object_get(obj, key);
	dst[0] = '\0';
	if (!v || json_is_null(v))
		return true;
	if (!json_is_string(v) || json_string_length(v) >= cap) {
		snprintf(msg, msglen, "Trường '%s' phải là chuỗi, dài không quá %zu byte.", key,
			 cap - 1);
		return false;
	}
	memcpy(dst, json_string_value(v), json_string_length(v) + 1);
	return true;
}

static bool url_ok(const char *u)
{
	return strncmp(u, "https://", 8) == 0 || strncmp(u, "http://", 7) == 0;
}

static td_err bad(struct http_response *res, const char *code, const char *msg)
{
	http_response_error(res, 400, code, msg);
	return TD_OK;
}

static td_err pakn_post(struct http_request *req, struct http_response *res, void *ctx)
{
	struct http_api_pakn *a = ctx;
	if (!is_json_type(http_request_header(req, "Content-Type"))) {
		http_response_error(res, 415, "unsupported_media_type",
				    "Nội dung gửi lên phải là JSON (Content-Type: application/json).");
		return TD_OK;
	}
	if (req->body_len > HTTP_PAKN_BODY_MAX) {
		http_response_error(res, 413, "too_big", "Nội dung gửi lên quá lớn.");
		return TD_OK;
	}
	json_error_t je;
	json_t *doc = json_loadb(req->body, req->body_len, JSON_REJECT_DUPLICATES, &je);
	if (!doc || !json_is_object(doc)) {
		json_decref(doc);
		return bad(res, "invalid_json", "Nội dung gửi lên không phải một đối tượng JSON hợp lệ.");
	}
	char msg[256] = "";
	struct pakn_submission sub;
	memset(&sub, 0, sizeof sub);
	json_t *text = json_object_get(doc, "text");
	char channel[16], service[40], location[512];
	if (!json_is_string(text)) {
		json_decref(doc);
		return bad(res, "missing_text", "Thiếu nội dung phản ánh (trường 'text').");
	}
	sub.text = json_string_value(text);
	if (strlen(sub.text) != json_string_length(text)) {
		json_decref(doc);
		return bad(res, "invalid_text", "Nội dung phản ánh chứa ký tự NUL.");
	}
	bool ok = opt_string(doc, "channel", channel, sizeof channel, msg, sizeof msg) &&
		  opt_string(doc, "category", service, sizeof service, msg, sizeof msg) &&
		  opt_string(doc, "location", location, sizeof location, msg, sizeof msg);
	json_t *contact = json_object_get(doc, "contact");
	if (ok && contact && !json_is_null(contact)) {
		if (!json_is_object(contact)) {
			ok = false;
			snprintf(msg, sizeof msg, "Trường 'contact' phải là một đối tượng.");
		} else {
			ok = opt_string(contact, "name", sub.contact.name, sizeof sub.contact.name, msg,
					sizeof msg) &&
			     opt_string(contact, "phone", sub.contact.phone, sizeof sub.contact.phone,
					msg, sizeof msg) &&
			     opt_string(contact, "email", sub.contact.email, sizeof sub.contact.email,
					msg, sizeof msg) &&
			     opt_string(contact, "address", sub.contact.address,
					sizeof sub.contact.address, msg, sizeof msg);
		}
	}
	if (!ok) {
		json_decref(doc);
		return bad(res, "invalid_field", msg);
	}
	if (channel[0] && (!pakn_intake_channel_ok(channel) || strcmp(channel, "open311") == 0)) {
		json_decref(doc);
		return bad(res, "invalid_channel",
			   "Kênh không hợp lệ: dùng phone, chat, app hoặc web.");
	}
	json_t *lat = json_object_get(doc, "lat"), *lon = json_object_get(doc, "long");
	if (lat || lon) {
		if (!json_is_number(lat) || !json_is_number(lon) ||
		    fabs(json_number_value(lat)) > 90 || fabs(json_number_value(lon)) > 180) {
			json_decref(doc);
			return bad(res, "invalid_location",
				   "Tọa độ phải gồm 'lat' (-90..90) và 'long' (-180..180).");
		}
		sub.has_location = true;
		sub.lat = json_number_value(lat);
		sub.lon = json_number_value(lon);
	}
	json_t *att = json_object_get(doc, "attachments");
	if (att && !json_is_null(att)) {
		if (!json_is_array(att) || json_array_size(att) > STORE_CASE_ATTACH_MAX) {
			json_decref(doc);
			return bad(res, "invalid_attachments",
				   "Tệp đính kèm: một mảng tối đa 5 phần tử {url, media_type, size}.");
		}
		for (size_t i = 0; i < json_array_size(att); i++) {
			json_t *o = json_array_get(att, i);
			struct store_case_attachment *t = &sub.attachments[i];
			json_t *size = json_object_get(o, "size");
			if (!json_is_object(o) ||
			    !opt_string(o, "url", t->url, sizeof t->url, msg, sizeof msg) ||
			    !opt_string(o, "media_type", t->media_type, sizeof t->media_type, msg,
					sizeof msg) ||
			    !url_ok(t->url) || (size && !json_is_integer(size)) ||
			    (size && (json_integer_value(size) < 0 ||
				      json_integer_value(size) > STORE_CASE_ATTACH_SIZE_MAX))) {
				json_decref(doc);
				return bad(res, "invalid_attachments",
					   "Mỗi tệp đính kèm cần 'url' http(s), và 'size' không quá 20 MB.");
			}
			t->size = size ? (int64_t)json_integer_value(size) : -1;
		}
		sub.n_attachments = json_array_size(att);
	}
	sub.channel = channel[0] ? channel : "web";
	sub.service_code = service[0] ? service : NULL;
	sub.location = location[0] ? location : NULL;
	sub.actor = "api";

	struct pakn_intake_result r;
	char err[256];
	td_err e = pakn_intake_submit(a->intake, &sub, &r, err, sizeof err);
	json_decref(doc);
	if (e) {
		if (e == TD_ERR_BUSY) {
			http_response_error(res, 503, "busy", err);
			http_response_header(res, "Retry-After", "5");
		} else if (e == TD_ERR_INVAL || e == TD_ERR_UTF8) {
			http_response_error(res, 400, "invalid_request", err);
		} else if (e == TD_ERR_TOOBIG) {
			http_response_error(res, 400, "text_too_long", err);
		} else {
			td_log(TD_LOG_ERROR, "pakn.intake_failed", "error", td_strerror(e), NULL);
			http_response_from_err(res, e, NULL);
		}
		return TD_OK;
	}
	json_t *o = pakn_view_public(&r.c, pakn_intake_routes(a->intake));
	json_object_set_new(o, "number_digits", json_string(r.c.number));
	json_object_set_new(o, "emergency", json_boolean(r.c.emergency));
	json_object_set_new(o, "emergency_numbers", pakn_view_list(r.c.emergency_numbers));
	json_t *missing = json_array();
	for (size_t i = 0; i < r.n_missing; i++)
		json_array_append_new(missing, json_string(r.missing[i]));
	json_object_set_new(o, "missing", missing);
	json_t *msgs = json_array();
	for (size_t i = 0; i < r.n_messages; i++)
		json_array_append_new(msgs, json_string(r.messages[i]));
	json_object_set_new(o, "messages", msgs);
	char loc[128];
	snprintf(loc, sizeof loc, "/api/v1/pakn/%s", r.display_number);
	http_response_header(res, "Location", loc);
	pakn_intake_result_release(&r);
	return http_response_json(res, 201, o);
}

static td_err pakn_get(struct http_request *req, struct http_response *res, void *ctx)
{
	struct http_api_pakn *a = ctx;
	char canon[STORE_CASE_NUMBER_MAX + 1];
	const char *num = http_request_param(req, "number");
	if (!num || strlen(num) > 40 || store_case_number_parse(num, canon) != TD_OK)
		return bad(res, "invalid_number",
			   "Số phản ánh không đúng (ví dụ 251128-0042-7); xin kiểm tra lại từng chữ số.");
	struct store *st;
	td_err e = http_store_pool_acquire(a->pool, &st);
	if (e)
		return e;
	struct store_case c;
	e = store_case_get(st, canon, &c);
	if (e == TD_ERR_NOTFOUND) {
		http_store_pool_release(a->pool, st);
		http_response_error(res, 404, "not_found", "Không tìm thấy phản ánh có số này.");
		return TD_OK;
	}
	if (e) {
		td_log(TD_LOG_ERROR, "pakn.read_failed", "error", store_errmsg(st), NULL);
		http_store_pool_release(a->pool, st);
		return e;
	}
	json_t *o = pakn_view_public(&c, pakn_intake_routes(a->intake));
	json_t *h = pakn_view_history(st, c.id);
	http_store_pool_release(a->pool, st);
	store_case_release(&c);
	if (!h) {
		json_decref(o);
		return TD_ERR_DB;
	}
	json_object_set_new(o, "history", h);
	return http_response_json(res, 200, o);
}

td_err http_api_pakn_new(struct http_router *router, struct http_store_pool *pool,
			 struct pakn_intake *intake, struct http_api_pakn **out)
{
	struct http_api_pakn *a = td_calloc(1, sizeof *a);
	a->pool = pool;
	a->intake = intake;
	td_err e = http_route_add(router, "POST", "/api/v1/pakn", pakn_post, a);
	if (!e)
		e = http_route_add(router, "GET", "/api/v1/pakn/{number}", pakn_get, a);
	if (e) {
		td_free(a);
		return e;
	}
	*out = a;
	return TD_OK;
}

void http_api_pakn_free(struct http_api_pakn *a)
{
	td_free(a);
}
