/*
 * intake.c - the PAKN intake pipeline (see intake.h).
 *
 * Everything up to the write runs on the caller's thread (an HTTP worker,
 * the CLI): classification, place, completeness and routing only read
 * immutable models.  The write goes through the group-commit writer; its
 * hooks run on the writer thread, where duplicate detection happens: the
 * writer is the one place that sees every case in commit order, so two
 * reports of the same problem arriving in the same millisecond still link
 * (the second sees the first, even inside one batch).
 */
#include "pakn/intake.h"

#include <jansson.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "base/alloc.h"
#include "base/buf.h"
#include "base/log.h"
#include "pakn/dup.h"
#include "pakn/pakn.h"
#include "pakn/place.h"
#include "pakn/route.h"
#include "store/store.h"
#include "text/vn.h"
#include "base/banned.h"

#ifndef TD_SOURCE_DIR
#define TD_SOURCE_DIR "."
#endif

struct pakn_intake {
	struct pakn_model *model;
	struct place_index *places;
	struct route_table *routes;
	struct pakn_dup_index *dups;
	struct store_case_writer *writer;
	unsigned wait_ms;
	atomic_ulong cases, duplicates, not_accepted, emergencies, failed;
};

static const char *const channels[] = {"phone", "chat", "app", "web", "open311"};

bool pakn_intake_channel_ok(const char *channel)
{
	for (size_t i = 0; channel && i < sizeof channels / sizeof channels[0]; i++)
		if (strcmp(channel, channels[i]) == 0)
			return true;
	return false;
}

const struct route_table *pakn_intake_routes(const struct pakn_intake *in)
{
	return in->routes;
}

static const struct {
	const char *code, *label;
} missing_labels[] = {
	{"noi_dung_tieng_viet", "nội dung bằng tiếng Việt"},
	{"ho_ten", "họ tên người phản ánh"},
	{"lien_he", "số điện thoại, thư điện tử hoặc địa chỉ để trả lời"},
	{"dia_diem", "địa điểm (phường/xã) nơi xảy ra sự việc"},
	{"thoi_gian", "thời gian xảy ra sự việc"},
};

const char *pakn_intake_missing_label(const char *code)
{
	for (size_t i = 0; code && i < sizeof missing_labels / sizeof missing_labels[0]; i++)
		if (strcmp(code, missing_labels[i].code) == 0)
			return missing_labels[i].label;
	return code ? code : "";
}

/* ---- writer hooks (writer thread) ------------------------------------------ */

struct open_check {
	struct store *s;
};

static bool still_open(void *ctx, int64_t id)
{
	struct open_check *oc = ctx;
	enum store_case_status st;
	return store_case_status_of(oc->s, id, &st) == TD_OK && store_case_status_is_open(st);
}

static bool single_ward(const char *codes)
{
	return strlen(codes) == 5;
}

static void hook_prepare(void *ctx, struct store *s, struct store_case *c)
{
	struct pakn_intake *in = ctx;
	if (c->status != STORE_CASE_RECEIVED || c->duplicate_of || !single_ward(c->ward_codes))
		return;
	struct open_check oc = {.s = s};
	struct pakn_dup_match m;
	if (!pakn_dup_find(in->dups, c->category, c->ward_codes, c->received_at, c->text,
			   still_open, &oc, &m))
		return;
	c->duplicate_of = m.id;
	snprintf(c->duplicate_number, sizeof c->duplicate_number, "%s", m.number);
	c->duplicate_score = m.score;
	c->status = STORE_CASE_CLOSED;
	char disp[STORE_CASE_NUMBER_DISPLAY_MAX], reason[192];
	store_case_number_display(m.number, disp, sizeof disp);
	snprintf(reason, sizeof reason, "Trùng với phản ánh số %s đang được xử lý; đã gộp vào phản ánh đó.",
		 disp);
	store_case_set(&c->status_reason, reason);
}

static void hook_written(void *ctx, const struct store_case *c)
{
	struct pakn_intake *in = ctx;
	if (!c->duplicate_of && store_case_status_is_open(c->status) && single_ward(c->ward_codes))
		pakn_dup_add(in->dups, c->id, c->number, c->category, c->ward_codes, c->received_at,
			     c->text);
}

static void hook_aborted(void *ctx, const struct store_case *c)
{
	struct pakn_intake *in = ctx;
	pakn_dup_remove(in->dups, c->id);
}

/* ---- open / close ----------------------------------------------------------- */

static int rebuild_one(const struct store_case *c, void *ctx)
{
	struct pakn_intake *in = ctx;
	if (!c->duplicate_of && single_ward(c->ward_codes))
		pakn_dup_add(in->dups, c->id, c->number, c->category, c->ward_codes, c->received_at,
			     c->text);
	return 0;
}

td_err pakn_intake_open(const struct pakn_intake_config *cfg, struct pakn_intake **out, char *err,
			size_t errlen)
{
	*out = NULL;
	if (!cfg || !cfg->data_dir) {
		snprintf(err, errlen, "no data directory");
		return TD_ERR_INVAL;
	}
	const char *res = cfg->resource_dir ? cfg->resource_dir : TD_SOURCE_DIR;
	struct pakn_intake *in = td_calloc(1, sizeof *in);
	in->wait_ms = cfg->wait_ms ? cfg->wait_ms : 5000;
	td_err e = pakn_model_load(&in->model, res, err, errlen);
	if (!e)
		e = place_index_load(&in->places, res, err, errlen);
	if (!e)
		e = route_table_load(&in->routes, res, err, errlen);
	if (e)
		goto fail;
	struct pakn_dup_config dc;
	pakn_dup_config_defaults(&dc);
	if (cfg->dup_window_days)
		dc.window_days = cfg->dup_window_days;
	if (cfg->dup_threshold > 0)
		dc.threshold = cfg->dup_threshold;
	in->dups = pakn_dup_index_new(&dc);

	/* Rebuild the duplicate index from the open cases of the window. */
	struct store *s;
	if ((e = store_open(cfg->data_dir, &s, err, errlen)))
		goto fail;
	struct store_case_filter f = {
		.open_only = true,
		.since = (int64_t)time(NULL) - (int64_t)dc.window_days * 86400,
		.oldest_first = true,
	};
	e = store_case_list(s, &f, rebuild_one, in, NULL);
	if (e)
		snprintf(err, errlen, "cannot read the open cases: %s", store_errmsg(s));
	store_close(s);
	if (e)
		goto fail;

	struct store_case_hooks hooks = {
		.prepare = hook_prepare,
		.committed = hook_written,
		.aborted = hook_aborted,
		.ctx = in,
	};
	e = store_case_writer_new(cfg->data_dir, cfg->queue_max ? cfg->queue_max : 8192,
				  cfg->batch_max ? cfg->batch_max : 1024, &hooks, &in->writer, err,
				  errlen);
	if (e)
		goto fail;
	*out = in;
	return TD_OK;
fail:
	pakn_intake_close(in);
	return e;
}

void pakn_intake_close(struct pakn_intake *in)
{
	if (!in)
		return;
	store_case_writer_free(in->writer);
	pakn_dup_index_free(in->dups);
	route_table_free(in->routes);
	place_index_free(in->places);
	pakn_model_free(in->model);
	td_free(in);
}

void pakn_intake_stats(struct pakn_intake *in, struct pakn_intake_stats *out)
{
	memset(out, 0, sizeof *out);
	out->cases = atomic_load_explicit(&in->cases, memory_order_relaxed);
	out->duplicates = atomic_load_explicit(&in->duplicates, memory_order_relaxed);
	out->not_accepted = atomic_load_explicit(&in->not_accepted, memory_order_relaxed);
	out->emergencies = atomic_load_explicit(&in->emergencies, memory_order_relaxed);
	out->failed = atomic_load_explicit(&in->failed, memory_order_relaxed);
	store_case_writer_stats(in->writer, &out->writer);
}

/* ---- submit ----------------------------------------------------------------- */

static size_t utf8_chars(const char *s, size_t n)
{
	size_t c = 0;
	for (size_t i = 0; i < n; i++)
		if (((unsigned char)s[i] & 0xC0) != 0x80)
			c++;
	return c;
}

static bool has_word_char(const char *s)
{
	for (const unsigned char *p = (const unsigned char *)s; *p; p++)
		if (*p >= 0x80 || (*p >= '0' && *p <= '9') || ((*p | 0x20) >= 'a' && (*p | 0x20) <= 'z'))
			return true;
	return false;
}

static bool category_known(const char *slug, const char **name)
{
	for (size_t i = 0; i < pakn_category_count(); i++)
		if (strcmp(pakn_category_slug(i), slug) == 0) {
			if (name)
				*name = pakn_category_name(i);
			return true;
		}
	return false;
}

/* Replace every occurrence of needle (at least 4 bytes) in *text by "***". */
static void redact(char **text, const char *needle)
{
	size_t nl = needle ? strlen(needle) : 0;
	if (nl < 4 || !strstr(*text, needle))
		return;
	struct td_buf b;
	td_buf_init(&b, 4 * STORE_CASE_TEXT_MAX);
	const char *p = *text, *hit;
	while ((hit = strstr(p, needle))) {
		td_buf_add(&b, p, (size_t)(hit - p));
		td_buf_adds(&b, "***");
		p = hit + nl;
	}
	td_buf_adds(&b, p);
	if (!td_buf_error(&b)) {
		td_free(*text);
		*text = td_buf_detach(&b, NULL);
	}
	td_buf_release(&b);
}

static void say(struct pakn_intake_result *r, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
static void say(struct pakn_intake_result *r, const char *fmt, ...)
{
	if (r->n_messages >= PAKN_INTAKE_MESSAGES_MAX)
		return;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(r->messages[r->n_messages++], sizeof r->messages[0], fmt, ap);
	va_end(ap);
}

static void emergency_message(struct pakn_intake_result *r, const char *numbers)
{
	struct td_buf b;
	td_buf_init(&b, 512);
	for (const char *p = numbers; *p;) {
		const char *comma = strchr(p, ',');
		size_t l = comma ? (size_t)(comma - p) : strlen(p);
		const char *what = l == 3 && !memcmp(p, "113", 3)   ? "113 (Công an)"
				   : l == 3 && !memcmp(p, "114", 3) ? "114 (Cứu hỏa, cứu nạn cứu hộ)"
				   : l == 3 && !memcmp(p, "115", 3) ? "115 (Cấp cứu y tế)"
								    : NULL;
		if (what) {
			if (b.len)
				td_buf_adds(&b, ", ");
			td_buf_adds(&b, what);
		}
		p += l + (comma ? 1 : 0);
	}
	say(r, "Đây có thể là tình huống khẩn cấp: hãy gọi ngay %s. Phản ánh của bạn vẫn được ghi lại.",
	    b.len ? b.data : "113 (Công an), 114 (Cứu hỏa), 115 (Cấp cứu)");
	td_buf_release(&b);
}

static char *reasons_json(const struct pakn_classification *cl)
{
	json_t *a = json_array();
	for (size_t i = 0; i < cl->n_reasons && i < PAKN_REASONS_MAX; i++)
		json_array_append_new(a, json_string(cl->reasons[i]));
	char *t = json_dumps(a, JSON_COMPACT);
	json_decref(a);
	char *copy = td_strdup(t ? t : "[]");
	free(t); /* jansson allocates with malloc */
	return copy;
}

/* A ward the citizen confirmed (a pick among the candidates of a split old
 * ward, in the chat) decides the place: the text alone would still give
 * every candidate and send the case to triage.  An unknown code is
 * ignored. */
static void confirmed_ward(const struct pakn_intake *in, const char *code,
			   struct place_result *place)
{
	const struct place_unit *u = code ? place_index_unit_by_code(in->places, code) : NULL;
	if (!u)
		return;
	place->n = 1;
	memcpy(place->cand[0].code, u->code, sizeof place->cand[0].code);
	place->cand[0].name = u->name;
	place->ambiguous = false;
	if (place->how == PLACE_NONE)
		place->how = PLACE_NEW_NAME;
	snprintf(place->reason, sizeof place->reason, "người phản ánh xác nhận địa bàn %s (%s)",
		 u->name, u->code);
}

td_err pakn_intake_submit(struct pakn_intake *in, const struct pakn_submission *sub,
			  struct pakn_intake_result *res, char *err, size_t errlen)
{
	char dummy[8];
	if (!err) {
		err = dummy;
		errlen = sizeof dummy;
	}
	err[0] = '\0';
	memset(res, 0, sizeof *res);
	store_case_init(&res->c);
	const char *channel = sub->channel ? sub->channel : "web";
	size_t n = sub->text ? strlen(sub->text) : 0;
	if (!n || !has_word_char(sub->text)) {
		snprintf(err, errlen, "Nội dung phản ánh đang trống.");
		return TD_ERR_INVAL;
	}
	if (!vn_utf8_valid(sub->text, n)) {
		snprintf(err, errlen, "Nội dung phản ánh không phải văn bản UTF-8 hợp lệ.");
		return TD_ERR_UTF8;
	}
	if (n > STORE_CASE_TEXT_MAX || utf8_chars(sub->text, n) > PAKN_INTAKE_TEXT_MAX_CHARS) {
		snprintf(err, errlen, "Nội dung phản ánh dài quá %d ký tự.", PAKN_INTAKE_TEXT_MAX_CHARS);
		return TD_ERR_TOOBIG;
	}
	if (!pakn_intake_channel_ok(channel)) {
		snprintf(err, errlen, "Kênh tiếp nhận không hợp lệ.");
		return TD_ERR_INVAL;
	}
	if (sub->service_code && !category_known(sub->service_code, NULL)) {
		snprintf(err, errlen, "Không có loại phản ánh '%.64s'.", sub->service_code);
		return TD_ERR_INVAL;
	}
	if (sub->n_attachments > STORE_CASE_ATTACH_MAX) {
		snprintf(err, errlen, "Tối đa %d tệp đính kèm.", STORE_CASE_ATTACH_MAX);
		return TD_ERR_INVAL;
	}
	for (size_t i = 0; i < sub->n_attachments; i++)
		if (sub->attachments[i].size > STORE_CASE_ATTACH_SIZE_MAX || !sub->attachments[i].url[0]) {
			snprintf(err, errlen, "Tệp đính kèm thiếu địa chỉ hoặc lớn quá %lld MB.",
				 (long long)(STORE_CASE_ATTACH_SIZE_MAX >> 20));
			return TD_ERR_INVAL;
		}

	struct store_case *c = &res->c;
	struct pakn_classification cl;
	td_err e = pakn_classify(in->model, sub->text, n, &cl);
	if (e)
		return e;
	const char *category = cl.category;
	bool chosen = sub->service_code && strcmp(cl.category, "khieu-nai-to-cao") != 0;
	if (chosen)
		category = sub->service_code;

	struct place_result place;
	place_result_init(&place);
	const char *src = sub->text;
	size_t srcn = n;
	place_resolve(in->places, src, srcn, &place);
	const char *alt[2] = {sub->location, sub->contact.address};
	for (int i = 0; i < 2 && place.n == 0; i++)
		if (alt[i] && *alt[i]) {
			place_resolve(in->places, alt[i], strlen(alt[i]), &place);
			if (place.n) {
				src = alt[i];
				srcn = strlen(alt[i]);
			}
		}
	confirmed_ward(in, sub->ward_code, &place);
	struct route_decision rd;
	route_decide(in->routes, category, &place, src, srcn, &rd);

	struct pakn_form form = {
		.name = sub->contact.name,
		.phone = sub->contact.phone,
		.address = sub->contact.address[0] ? sub->contact.address : sub->contact.email,
	};
	struct pakn_missing miss;
	pakn_missing(sub->text, n, &form, route_is_field_report(in->routes, category),
		     place.n > 0 || sub->has_location, &miss);
	struct store_case_contact contact = sub->contact;
	if (!contact.name[0] && miss.name[0])
		snprintf(contact.name, sizeof contact.name, "%s", miss.name);
	if (!contact.phone[0] && miss.phone[0])
		snprintf(contact.phone, sizeof contact.phone, "%s", miss.phone);
	bool can_ask = strcmp(channel, "open311") != 0;
	for (size_t i = 0; i < miss.n; i++) {
		/* an Open311 request is timed by its submission */
		if (!can_ask && strcmp(miss.fields[i], "thoi_gian") == 0)
			continue;
		res->missing[res->n_missing++] = miss.fields[i];
	}

	/* the case */
	snprintf(c->channel, sizeof c->channel, "%s", channel);
	snprintf(c->service_code, sizeof c->service_code, "%s",
		 sub->service_code ? sub->service_code : "");
	int64_t now = (int64_t)time(NULL);
	c->received_at = now;
	store_case_set(&c->text, sub->text);
	struct td_buf pub;
	td_buf_init(&pub, 4 * STORE_CASE_TEXT_MAX);
	td_pii_mask(&pub, sub->text);
	c->public_text = td_buf_detach(&pub, NULL);
	td_buf_release(&pub);
	redact(&c->public_text, contact.name);
	redact(&c->public_text, miss.name);
	snprintf(c->category, sizeof c->category, "%s", category);
	c->confidence = chosen ? 1.0 : cl.confidence;
	c->reasons = reasons_json(&cl);
	if (chosen && strcmp(cl.category, category) != 0) {
		/* keep the classifier's view beside the sender's choice */
		char extra[160];
		snprintf(extra, sizeof extra, ",\"người gửi chọn loại; máy phân loại: %s\"]",
			 cl.category);
		size_t rl = strlen(c->reasons);
		if (rl >= 2) {
			struct td_buf b;
			td_buf_init(&b, 16384);
			td_buf_add(&b, c->reasons, rl - 1);
			if (rl == 2)
				td_buf_adds(&b, extra + 1);
			else
				td_buf_adds(&b, extra);
			if (!td_buf_error(&b)) {
				td_free(c->reasons);
				c->reasons = td_buf_detach(&b, NULL);
			}
			td_buf_release(&b);
		}
	}
	snprintf(c->level, sizeof c->level, "%s", pakn_level_name(cl.level));
	c->emergency = cl.emergency;
	snprintf(c->emergency_numbers, sizeof c->emergency_numbers, "%s", cl.emergency_numbers);
	struct td_buf wb;
	td_buf_init(&wb, sizeof c->ward_codes - 1);
	for (size_t i = 0; i < place.n; i++) {
		if (i)
			td_buf_addc(&wb, ',');
		td_buf_adds(&wb, place.cand[i].code);
	}
	snprintf(c->ward_codes, sizeof c->ward_codes, "%s", wb.data && !td_buf_error(&wb) ? wb.data : "");
	td_buf_release(&wb);
	if (place.n && place.span_start + place.span_len <= srcn) {
		char *m = td_strndup(src + place.span_start, place.span_len);
		store_case_set(&c->place_text, m);
		td_free(m);
	}
	snprintf(c->agency, sizeof c->agency, "%s", rd.agency);
	store_case_set(&c->routing_reason, rd.reason);
	struct td_buf mb;
	td_buf_init(&mb, sizeof c->missing - 1);
	for (size_t i = 0; i < res->n_missing; i++) {
		if (i)
			td_buf_addc(&mb, ',');
		td_buf_adds(&mb, res->missing[i]);
	}
	snprintf(c->missing, sizeof c->missing, "%s", mb.data && !td_buf_error(&mb) ? mb.data : "");
	td_buf_release(&mb);

	bool not_pakn = rd.status == ROUTE_NOT_ACCEPTED;
	if (not_pakn) {
		c->status = STORE_CASE_NOT_ACCEPTED;
		store_case_set(&c->status_reason, rd.reason);
	} else if (res->n_missing && !can_ask) {
		struct td_buf rb;
		td_buf_init(&rb, 1024);
		td_buf_adds(&rb, "Phản ánh thiếu thông tin bắt buộc: ");
		for (size_t i = 0; i < res->n_missing; i++) {
			if (i)
				td_buf_adds(&rb, "; ");
			td_buf_adds(&rb, pakn_intake_missing_label(res->missing[i]));
		}
		td_buf_adds(&rb, ". Xin gửi lại phản ánh với đủ thông tin.");
		c->status = STORE_CASE_NOT_ACCEPTED;
		store_case_set(&c->status_reason, rb.data);
		td_buf_release(&rb);
	} else {
		c->status = STORE_CASE_RECEIVED;
	}
	c->has_location = sub->has_location;
	c->lat = sub->lat;
	c->lon = sub->lon;
	store_case_set(&c->location, sub->location && *sub->location ? sub->location : NULL);
	snprintf(c->device_id, sizeof c->device_id, "%s", sub->device_id ? sub->device_id : "");
	snprintf(c->account_id, sizeof c->account_id, "%s", sub->account_id ? sub->account_id : "");
	c->n_attachments = sub->n_attachments;
	for (size_t i = 0; i < sub->n_attachments; i++)
		c->attachments[i] = sub->attachments[i];
	place_result_release(&place);

	bool has_contact = contact.name[0] || contact.phone[0] || contact.email[0] ||
			   contact.address[0];
	e = store_case_writer_submit(in->writer, c, has_contact ? &contact : NULL,
				     sub->actor ? sub->actor : channel, now, in->wait_ms);
	if (e) {
		atomic_fetch_add_explicit(&in->failed, 1, memory_order_relaxed);
		if (e == TD_ERR_BUSY)
			snprintf(err, errlen, "Hệ thống đang quá tải, xin gửi lại sau ít phút.");
		store_case_release(c);
		return e;
	}

	/* what the citizen is told */
	atomic_fetch_add_explicit(&in->cases, 1, memory_order_relaxed);
	store_case_number_display(c->number, res->display_number, sizeof res->display_number);
	category_known(c->category, &res->category_name);
	res->agency_name = c->agency[0] ? route_agency_name(in->routes, c->agency) : NULL;
	if (c->emergency) {
		atomic_fetch_add_explicit(&in->emergencies, 1, memory_order_relaxed);
		emergency_message(res, c->emergency_numbers);
	}
	if (c->duplicate_of) {
		atomic_fetch_add_explicit(&in->duplicates, 1, memory_order_relaxed);
		store_case_number_display(c->duplicate_number, res->duplicate_display,
					  sizeof res->duplicate_display);
		say(res,
		    "Nội dung này trùng với phản ánh số %s đã được tiếp nhận và đang xử lý; phản ánh "
		    "của bạn (số %s) đã được gộp vào đó. Bạn theo dõi kết quả bằng số %s.",
		    res->duplicate_display, res->display_number, res->duplicate_display);
		return TD_OK;
	}
	if (c->status == STORE_CASE_NOT_ACCEPTED) {
		atomic_fetch_add_explicit(&in->not_accepted, 1, memory_order_relaxed);
		if (not_pakn)
			say(res,
			    "Nội dung này là khiếu nại, tố cáo nên không được tiếp nhận như một phản ánh, "
			    "kiến nghị (số ghi nhận %s). %s",
			    res->display_number, c->status_reason ? c->status_reason : "");
		else
			say(res, "Phản ánh số %s chưa được tiếp nhận. %s", res->display_number,
			    c->status_reason ? c->status_reason : "");
		return TD_OK;
	}
	say(res, "Tổng đài đã ghi nhận phản ánh của bạn, số %s. Xin ghi lại số này để tra cứu kết quả.",
	    res->display_number);
	if (res->agency_name)
		say(res, "Phản ánh được chuyển đến %s.", res->agency_name);
	if (res->n_missing) {
		struct td_buf b;
		td_buf_init(&b, 600);
		for (size_t i = 0; i < res->n_missing; i++) {
			if (i)
				td_buf_adds(&b, "; ");
			td_buf_adds(&b, pakn_intake_missing_label(res->missing[i]));
		}
		say(res, "Để xử lý được, xin bổ sung: %s.", b.data ? b.data : "");
		td_buf_release(&b);
	}
	return TD_OK;
}

void pakn_intake_result_release(struct pakn_intake_result *res)
{
	store_case_release(&res->c);
}

const struct pakn_model *pakn_intake_model(const struct pakn_intake *in)
{
	return in->model;
}

const struct place_index *pakn_intake_places(const struct pakn_intake *in)
{
	return in->places;
}
