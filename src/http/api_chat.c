/*
 * api_chat.c - POST /api/v1/chat and GET /api/v1/kb/gaps.
 *
 * One chat request: validate (content type, body size, JSON shape, message
 * length, channel) -> take the current answering snapshot -> resume the
 * session from the session cache (the store only on a miss: after a
 * restart, or for a session the cache let go of) or start one (unknown and
 * expired ids get a new session and the response says which) ->
 * answer_question with the session's dialog -> put the new session state
 * in the cache and queue the turn for the turn writer -> answer.  The
 * answer is the same JSON object as `tongdai ask --json`, plus session_id,
 * session_status and kb_as_of.
 *
 * Durability versus latency: the answer does not wait for the turn's fsync.
 * The turn writer (turn_writer.h) commits the turns of all requests waiting
 * in one transaction behind the answers; a clean stop flushes it, a crash
 * loses at most the turns not yet committed (docs/internals/http.md).  The
 * session cache keeps each session's newest state until its write has
 * landed, so a follow-up sent right after an answer always sees the
 * previous dialog.  A turn the store refuses or the full queue drops is
 * counted, never turned into an error for the citizen.
 *
 * The dialog blob is dialog_encode's (answer.h: a 4-byte version tag, then
 * the fields; version-1 blobs still load, anything else starts afresh, and
 * every field is bounds-checked so a damaged row cannot index past a
 * table).  A PAKN report under way (report_dialog.h) makes the blob up to
 * 4 KB, more than the session cache holds (256 bytes): the cache then keeps
 * a 4-byte marker "tdDS" instead, meaning "the dialog is in the store", and
 * the next turn waits for the turn writer (http_turn_writer_sync, usually
 * nothing left to wait for) and reads the session from the store.  Only
 * report turns pay that read.  The turn's question is logged masked while a
 * report is under way (report_turn_log_text), so phone numbers and the
 * name given for a report stay out of the chat log.
 */
#include "http/api_chat.h"

#include <assert.h>
#include <jansson.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "answer/answer.h"
#include "answer/report_dialog.h"
#include "base/alloc.h"
#include "base/log.h"
#include "http/answer_holder.h"
#include "http/router.h"
#include "http/session_cache.h"
#include "http/store_pool.h"
#include "http/turn_writer.h"
#include "store/store.h"
#include "store/store_chat.h"
#include "text/vn.h"
#include "base/banned.h"

#define GAPS_LIMIT_DEFAULT 50
#define GAPS_LIMIT_MAX 500
#define GAPS_OFFSET_MAX 1000000
#define FIELD_MAX 200
#define ANSWER_JSON_MAX ((size_t)4 << 20)

/* Live sessions kept in memory (~380 bytes each: about 6 MiB). */
#define SESSION_CACHE_ENTRIES 16384

/* In the cache instead of a blob too big for it: read the store. */
static const unsigned char dialog_in_store[4] = {'t', 'd', 'D', 'S'};
static_assert(DIALOG_BLOB_MAX <= STORE_CHAT_DIALOG_MAX, "dialog blob must fit the store");

enum { ST_ANSWERED, ST_CLARIFY, ST_NO_MATCH, ST_OTHER, ST__N };
static const char *const status_label[ST__N] = {"answered", "clarify", "no_match",
						"other_intent"};

struct http_api_chat {
	struct http_store_pool *pool;
	struct http_answer_holder *holder;
	struct http_session_cache *sessions;
	struct http_turn_writer *writer; /* owns its own store connection */
	int64_t ttl;
	atomic_ulong answers[ST__N];
	atomic_ulong sessions_started;
	atomic_ulong session_read_failures;
	struct report_pakn *report;      /* NULL: PAKN replies are placeholders */
	struct report_backend report_ops;
};

/* ---- validation ---------------------------------------------------------- */

/* Is the Content-Type application/json (any parameters, any case)? */
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

/* Number of Unicode characters in valid UTF-8 text. */
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

static bool channel_parse(const char *s, enum answer_channel *out)
{
	if (strcmp(s, "web") == 0 || strcmp(s, "app") == 0) {
		*out = ANSWER_CHANNEL_CHAT;
		return true;
	}
	if (strcmp(s, "voice") == 0) {
		*out = ANSWER_CHANNEL_VOICE;
		return true;
	}
	return false;
}

/* ---- dialog blob --------------------------------------------------------- */

/* The session's dialog: blob[0..len) as found (cache or store). */
struct dialog_bytes {
	size_t len;
	unsigned char data[STORE_CHAT_DIALOG_MAX];
};

/* ---- POST /api/v1/chat --------------------------------------------------- */

static int64_t now_seconds(void)
{
	return (int64_t)time(NULL);
}

static json_t *jstr(const char *s)
{
	json_t *v = s ? json_string(s) : NULL;
	return v ? v : json_null();
}

/* The candidates of a result as JSON text, for the gap row. */
static char *candidates_json(const struct answer_result *r)
{
	json_t *a = json_array();
	for (size_t i = 0; i < r->n_candidates && i < ANSWER_OPTIONS_MAX; i++) {
		const struct kb_procedure *p = r->candidates[i].proc;
		if (!p)
			continue;
		json_t *o = json_object();
		json_object_set_new(o, "code", jstr(p->code));
		json_object_set_new(o, "name", jstr(p->name));
		json_object_set_new(o, "field", jstr(p->field));
		json_object_set_new(o, "agency", jstr(p->agency));
		json_object_set_new(o, "score", json_real((double)(long)(r->candidates[i].score * 1e4) / 1e4));
		json_array_append_new(a, o);
	}
	char *text = json_dumps(a, JSON_COMPACT);
	json_decref(a);
	char *copy = td_strdup(text ? text : "[]");
	free(text); /* json_dumps allocates with jansson's malloc */
	return copy;
}

/* Did this answer settle the clarification that was pending before it? */
static bool resolves_pending(const struct answer_result *r, const struct dialog *before)
{
	if (r->status != ANSWER_STATUS_ANSWERED || !r->procedure || !r->procedure->code)
		return false;
	for (size_t i = 0; i < before->n_options && i < ANSWER_OPTIONS_MAX; i++)
		if (strcmp(before->options[i], r->procedure->code) == 0)
			return true;
	return false;
}

/* Put the session's new state in the cache (pending its write) and queue
 * the turn for the writer. */
static void record_turn(struct http_api_chat *c, const struct http_session_entry *before,
			const struct http_session_entry *after, const struct dialog *dialog_before,
			const struct dialog_bytes *blob, const char *message,
			const struct answer_result *r, int64_t now)
{
	/* The cache first: the writer settles the entry once the turn is
	 * stored, so the pending mark must be there before the turn is queued.
	 * A set whose every entry still has a write in flight (only under a
	 * burst far above the writer's pace) waits for the writer once. */
	if (http_session_cache_put(c->sessions, after, true, false) == TD_ERR_BUSY) {
		http_turn_writer_sync(c->writer);
		http_session_cache_put(c->sessions, after, true, true);
	}

	bool gap = (r->status == ANSWER_STATUS_NO_MATCH || r->status == ANSWER_STATUS_CLARIFY) &&
		   has_word_char(message);
	const struct kb_procedure *top = r->n_candidates ? r->candidates[0].proc : NULL;
	char *cands = gap ? candidates_json(r) : NULL;
	char *logged = report_turn_log_text(dialog_before, message, strlen(message));
	struct store_chat_turn t = {
		.question = logged ? logged : message,
		.intent = answer_intent_name(r->intent),
		.aspect = answer_aspect_name(r->aspect),
		.status = answer_status_name(r->status),
		.procedure = r->status == ANSWER_STATUS_ANSWERED && r->procedure ? r->procedure->code
										 : NULL,
		.confidence = r->confidence,
		.gap = gap,
		.gap_field = top ? top->field : NULL,
		.gap_agency = top ? top->agency : NULL,
		.candidates = cands,
		.resolves = resolves_pending(r, dialog_before),
	};
	struct http_turn_session ts = {
		.id = before->id,
		.channel = before->channel,
		.created_at = before->created_at,
		.turns = before->turns,
	};
	td_err e = http_turn_writer_add(c->writer, &ts, &t, blob->data, blob->len, now, c->ttl);
	if (e != TD_OK) /* dropped (counted by the writer): nothing will settle it */
		http_session_cache_settle(c->sessions, after->id);
	td_free(cands);
	td_free(logged);
}

static void count_status(struct http_api_chat *c, enum answer_status s)
{
	int i = s == ANSWER_STATUS_ANSWERED ? ST_ANSWERED
		: s == ANSWER_STATUS_CLARIFY ? ST_CLARIFY
		: s == ANSWER_STATUS_NO_MATCH ? ST_NO_MATCH
					      : ST_OTHER;
	atomic_fetch_add_explicit(&c->answers[i], 1, memory_order_relaxed);
}

/* Validate the request; on a problem fill res and return false. */
static bool chat_input(struct http_request *req, struct http_response *res, json_t **doc,
		       const char **message, size_t *message_len, const char **channel_name,
		       enum answer_channel *channel, const char **session_id)
{
	*doc = NULL;
	if (!is_json_type(http_request_header(req, "Content-Type"))) {
		http_response_error(res, 415, "unsupported_media_type",
				    "Yêu cầu phải gửi dữ liệu JSON (Content-Type: application/json).");
		return false;
	}
	if (req->body_len > HTTP_CHAT_BODY_MAX) {
		http_response_error(res, 413, "too_big",
				    "Nội dung gửi lên quá lớn (tối đa 32 KB cho một tin nhắn).");
		return false;
	}
	json_error_t je;
	json_t *o = json_loadb(req->body, req->body_len, 0, &je);
	if (!o) {
		http_response_error(res, 400, "parse",
				    "Dữ liệu gửi lên không phải JSON hợp lệ.");
		return false;
	}
	*doc = o;
	if (!json_is_object(o)) {
		http_response_error(res, 400, "invalid",
				    "Dữ liệu gửi lên phải là một đối tượng JSON có trường \"message\".");
		return false;
	}
	json_t *m = json_object_get(o, "message");
	if (!m || json_is_null(m)) {
		http_response_error(res, 400, "missing_message",
				    "Vui lòng nhập câu hỏi (trường \"message\").");
		return false;
	}
	if (!json_is_string(m) || strlen(json_string_value(m)) != json_string_length(m)) {
		http_response_error(res, 400, "invalid_message",
				    "Câu hỏi (trường \"message\") phải là một chuỗi văn bản.");
		return false;
	}
	const char *text = json_string_value(m);
	size_t len = json_string_length(m);
	bool blank = true;
	for (size_t i = 0; i < len && blank; i++)
		blank = text[i] == ' ' || text[i] == '\t' || text[i] == '\n' || text[i] == '\r';
	if (blank) {
		http_response_error(res, 400, "missing_message",
				    "Vui lòng nhập câu hỏi (trường \"message\").");
		return false;
	}
	if (utf8_chars(text, len) > HTTP_CHAT_MESSAGE_MAX) {
		http_response_error(res, 400, "message_too_long",
				    "Câu hỏi quá dài (tối đa 2.000 ký tự). Vui lòng hỏi ngắn gọn hơn.");
		return false;
	}
	*message = text;
	*message_len = len;

	json_t *ch = json_object_get(o, "channel");
	*channel_name = "web";
	*channel = ANSWER_CHANNEL_CHAT;
	if (ch && !json_is_null(ch)) {
		if (!json_is_string(ch) || !channel_parse(json_string_value(ch), channel)) {
			http_response_error(res, 400, "invalid_channel",
					    "Kênh (trường \"channel\") phải là \"web\", \"app\" "
					    "hoặc \"voice\".");
			return false;
		}
		*channel_name = json_string_value(ch);
	}

	json_t *sid = json_object_get(o, "session_id");
	*session_id = NULL;
	if (sid && !json_is_null(sid)) {
		if (!json_is_string(sid)) {
			http_response_error(res, 400, "invalid_session",
					    "Mã phiên (trường \"session_id\") phải là một chuỗi.");
			return false;
		}
		*session_id = json_string_value(sid);
	}
	return true;
}

/* The state of session id at time now: from the cache, else from the store
 * (and then cached).  A store that cannot be read counts as "unknown": the
 * citizen is answered in a new session. */
static enum store_chat_lookup session_find(struct http_api_chat *c, const char *id, int64_t now,
					   struct http_session_entry *out, struct dialog_bytes *blob)
{
	blob->len = 0;
	if (!store_chat_id_valid(id))
		return STORE_CHAT_UNKNOWN;
	switch (http_session_cache_get(c->sessions, id, now, out)) {
	case HTTP_SESSION_LIVE:
		if (out->dialog_len == sizeof dialog_in_store &&
		    memcmp(out->dialog, dialog_in_store, sizeof dialog_in_store) == 0) {
			/* a report under way: its state is (about to be) in the store */
			http_turn_writer_sync(c->writer);
			break;
		}
		blob->len = out->dialog_len;
		memcpy(blob->data, out->dialog, out->dialog_len);
		return STORE_CHAT_LIVE;
	case HTTP_SESSION_EXPIRED:
		return STORE_CHAT_EXPIRED;
	case HTTP_SESSION_MISS:
		break;
	}
	struct store *st;
	if (http_store_pool_acquire(c->pool, &st) != TD_OK) {
		atomic_fetch_add_explicit(&c->session_read_failures, 1, memory_order_relaxed);
		return STORE_CHAT_UNKNOWN;
	}
	/* 4 KiB of dialog room: on the heap, and only on a miss. */
	struct store_chat_session *sess = td_malloc(sizeof *sess);
	enum store_chat_lookup found = STORE_CHAT_UNKNOWN;
	if (store_chat_session_get(st, id, now, sess, &found) != TD_OK) {
		atomic_fetch_add_explicit(&c->session_read_failures, 1, memory_order_relaxed);
		td_log(TD_LOG_WARN, "chat.session_read_failed", "detail", store_errmsg(st), NULL);
		found = STORE_CHAT_UNKNOWN;
	}
	http_store_pool_release(c->pool, st);
	if (found != STORE_CHAT_UNKNOWN) {
		memset(out, 0, offsetof(struct http_session_entry, dialog));
		snprintf(out->id, sizeof out->id, "%s", sess->id);
		snprintf(out->channel, sizeof out->channel, "%s", sess->channel);
		out->created_at = sess->created_at;
		out->last_active = sess->last_active;
		out->expires_at = sess->expires_at;
		out->turns = sess->turns;
		if (sess->dialog_len <= sizeof blob->data) {
			blob->len = sess->dialog_len;
			memcpy(blob->data, sess->dialog, sess->dialog_len);
		}
		if (blob->len <= sizeof out->dialog) {
			out->dialog_len = blob->len;
			memcpy(out->dialog, blob->data, blob->len);
		} else {
			out->dialog_len = sizeof dialog_in_store;
			memcpy(out->dialog, dialog_in_store, sizeof dialog_in_store);
		}
		/* A clean copy: if its set is busy, simply do not cache it. */
		http_session_cache_put(c->sessions, out, false, false);
	}
	td_free(sess);
	return found;
}

/* A new session: fresh id, no turns, no dialog. */
static td_err session_new(const char *channel, int64_t now, int64_t ttl,
			  struct http_session_entry *out)
{
	memset(out, 0, offsetof(struct http_session_entry, dialog));
	static_assert(sizeof out->id > STORE_CHAT_ID_LEN, "a new id fits the cache entry");
	td_err e = store_chat_id_new(now, out->id);
	if (e != TD_OK)
		return e;
	snprintf(out->channel, sizeof out->channel, "%s", channel);
	out->created_at = now;
	out->last_active = now;
	out->expires_at = now + ttl;
	return TD_OK;
}

static td_err post_chat(struct http_request *req, struct http_response *res, void *ctx)
{
	struct http_api_chat *c = ctx;
	json_t *doc;
	const char *message, *channel_name, *session_id;
	size_t message_len;
	enum answer_channel channel;
	if (!chat_input(req, res, &doc, &message, &message_len, &channel_name, &channel,
			&session_id)) {
		json_decref(doc);
		return TD_OK;
	}

	td_err e = TD_OK;
	struct http_answer_snapshot *snap = http_answer_holder_acquire(c->holder);
	if (!snap) {
		http_response_error(res, 503, "unavailable",
				    "Dịch vụ hỏi đáp tạm thời chưa sẵn sàng. Vui lòng thử lại sau.");
		goto out_doc;
	}

	int64_t now = now_seconds();
	struct http_session_entry sess;
	/* ~4 KB blob and ~4 KB dialog twice: on the heap, not a pool thread's stack */
	struct dialog_bytes *blob = td_malloc(sizeof *blob);
	struct dialog *dd = td_malloc(2 * sizeof *dd);
	struct dialog *dp = &dd[0], *before = &dd[1];
	blob->len = 0;
	enum store_chat_lookup found =
		session_id ? session_find(c, session_id, now, &sess, blob) : STORE_CHAT_UNKNOWN;
	const char *session_status = "new";
	if (found == STORE_CHAT_LIVE) {
		session_status = "resumed";
		dialog_decode(dp, blob->data, blob->len);
	} else {
		if (found == STORE_CHAT_EXPIRED)
			session_status = "expired";
		e = session_new(channel_name, now, c->ttl, &sess);
		if (e != TD_OK)
			goto out_snap;
		atomic_fetch_add_explicit(&c->sessions_started, 1, memory_order_relaxed);
		dialog_init(dp);
	}
	*before = *dp;

	struct answer_result r;
	struct report_turn rt;
	e = report_dialog_answer(c->report ? &c->report_ops : NULL, snap->bundle.engine, dp,
				 message, message_len, channel, channel_name, &r, &rt);
	if (e != TD_OK)
		goto out_snap;
	count_status(c, r.status);

	struct http_session_entry next;
	memcpy(&next, &sess, offsetof(struct http_session_entry, dialog));
	next.turns = sess.turns + 1;
	next.last_active = now;
	next.expires_at = now + c->ttl;
	blob->len = dialog_encode(dp, blob->data, sizeof blob->data);
	if (blob->len <= sizeof next.dialog) {
		next.dialog_len = blob->len;
		memcpy(next.dialog, blob->data, blob->len);
	} else {
		next.dialog_len = sizeof dialog_in_store;
		memcpy(next.dialog, dialog_in_store, sizeof dialog_in_store);
	}
	record_turn(c, &sess, &next, before, blob, message, &r, now);

	struct td_buf out;
	td_buf_init(&out, ANSWER_JSON_MAX);
	char turn_id[STORE_CHAT_ID_MAX + 16];
	snprintf(turn_id, sizeof turn_id, "%s.%u", next.id, next.turns);
	answer_result_json(&r, turn_id, &out);
	if (!td_buf_error(&out) && out.len && out.data[out.len - 1] == '}') {
		td_buf_truncate(&out, out.len - 1);
		report_turn_json(&rt, &out);
		td_buf_adds(&out, ",\"session_id\":");
		td_json_escape(&out, next.id);
		td_buf_adds(&out, ",\"session_status\":");
		td_json_escape(&out, session_status);
		td_buf_adds(&out, ",\"channel\":");
		td_json_escape(&out, channel_name);
		td_buf_adds(&out, ",\"kb_as_of\":");
		if (snap->kb_as_of[0])
			td_json_escape(&out, snap->kb_as_of);
		else
			td_buf_adds(&out, "null");
		td_buf_addc(&out, '}');
	}
	answer_result_release(&r);
	if (td_buf_error(&out)) {
		e = TD_ERR_TOOBIG;
		td_buf_release(&out);
		goto out_snap;
	}
	size_t len;
	char *body = td_buf_detach(&out, &len);
	http_response_set_body(res, 200, "application/json; charset=utf-8", body, len);
out_snap:
	td_free(blob);
	td_free(dd);
	http_answer_snapshot_unref(snap);
out_doc:
	json_decref(doc);
	return e == TD_ERR_TOOBIG ? TD_ERR_INTERNAL : e;
}

/* ---- GET /api/v1/kb/gaps -------------------------------------------------- */

/* "YYYY-MM-DD" -> Unix seconds at 00:00 UTC; false if malformed. */
static bool parse_date(const char *s, int64_t *out)
{
	if (strlen(s) != 10 || s[4] != '-' || s[7] != '-')
		return false;
	for (int i = 0; i < 10; i++)
		if (i != 4 && i != 7 && (s[i] < '0' || s[i] > '9'))
			return false;
	struct tm tm = {0};
	tm.tm_year = (s[0] - '0') * 1000 + (s[1] - '0') * 100 + (s[2] - '0') * 10 + (s[3] - '0') - 1900;
	tm.tm_mon = (s[5] - '0') * 10 + (s[6] - '0') - 1;
	tm.tm_mday = (s[8] - '0') * 10 + (s[9] - '0');
	if (tm.tm_year < 70 || tm.tm_mon < 0 || tm.tm_mon > 11 || tm.tm_mday < 1 || tm.tm_mday > 31)
		return false;
	time_t t = timegm(&tm);
	if (t == (time_t)-1)
		return false;
	*out = (int64_t)t;
	return true;
}

static void iso_time(int64_t t, char *out, size_t n)
{
	time_t tt = (time_t)t;
	struct tm tm;
	gmtime_r(&tt, &tm);
	strftime(out, n, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

static int gap_item(const struct store_gap *g, void *ctx)
{
	json_t *items = ctx;
	char when[32];
	iso_time(g->at, when, sizeof when);
	json_t *o = json_object();
	json_object_set_new(o, "time", json_string(when));
	json_object_set_new(o, "channel", jstr(g->channel));
	json_object_set_new(o, "question", jstr(g->question));
	json_object_set_new(o, "status", jstr(g->status));
	json_object_set_new(o, "field", jstr(g->field));
	json_object_set_new(o, "agency", jstr(g->agency));
	json_t *cands = g->candidates ? json_loads(g->candidates, 0, NULL) : NULL;
	json_object_set_new(o, "candidates", json_is_array(cands) ? cands : json_array());
	if (cands && !json_is_array(cands))
		json_decref(cands);
	json_array_append_new(items, o);
	return 0;
}

static td_err get_gaps(struct http_request *req, struct http_response *res, void *ctx)
{
	struct http_api_chat *c = ctx;
	struct store_gap_filter f = {0};
	const char *since = http_request_query(req, "since");
	if (since && *since && !parse_date(since, &f.since)) {
		http_response_error(res, 400, "invalid_filter",
				    "Tham số since phải là ngày dạng YYYY-MM-DD, ví dụ 2026-11-01.");
		return TD_OK;
	}
	const char *field = http_request_query(req, "field");
	if (field && (strlen(field) > FIELD_MAX || !vn_utf8_valid(field, strlen(field)))) {
		http_response_error(res, 400, "invalid_filter",
				    "Lĩnh vực không hợp lệ (tối đa 200 ký tự).");
		return TD_OK;
	}
	if (field && *field)
		f.field = field;
	if (!http_request_query_size(req, "limit", GAPS_LIMIT_DEFAULT, GAPS_LIMIT_MAX, &f.limit)) {
		http_response_error(res, 400, "invalid_limit",
				    "Tham số limit phải là số nguyên từ 0 đến 500.");
		return TD_OK;
	}
	if (!http_request_query_size(req, "offset", 0, GAPS_OFFSET_MAX, &f.offset)) {
		http_response_error(res, 400, "invalid_offset",
				    "Tham số offset phải là số nguyên không âm (tối đa 1000000).");
		return TD_OK;
	}
	/* Turns are written behind the answers: let the ones already answered
	 * land first, so a gap is listed as soon as its answer was sent.
	 * Costs at most one batch commit, on an operator's request. */
	http_turn_writer_sync(c->writer);
	struct store *st;
	td_err e = http_store_pool_acquire(c->pool, &st);
	if (e != TD_OK)
		return e;
	json_t *items = json_array();
	size_t total = 0;
	bool want_items = f.limit > 0;
	e = store_chat_gaps(st, &f, want_items ? gap_item : NULL, items, &total);
	if (e != TD_OK)
		td_log(TD_LOG_ERROR, "chat.gaps_failed", "detail", store_errmsg(st), NULL);
	http_store_pool_release(c->pool, st);
	if (e != TD_OK) {
		json_decref(items);
		return e;
	}
	json_t *doc = json_object();
	json_object_set_new(doc, "total", json_integer((json_int_t)total));
	json_object_set_new(doc, "offset", json_integer((json_int_t)f.offset));
	json_object_set_new(doc, "limit", json_integer((json_int_t)f.limit));
	json_object_set_new(doc, "items", items);
	return http_response_json(res, 200, doc);
}

/* ---- metrics and registration -------------------------------------------- */

void http_api_chat_metrics(void *ctx, struct td_buf *out)
{
	struct http_api_chat *c = ctx;
	struct http_turn_writer_stats ws;
	struct http_session_cache_stats cs;
	http_turn_writer_stats(c->writer, &ws);
	http_session_cache_stats(c->sessions, &cs);
	td_buf_adds(out, "# HELP tongdai_chat_answers_total Chat messages answered, by outcome.\n"
			 "# TYPE tongdai_chat_answers_total counter\n");
	for (int i = 0; i < ST__N; i++)
		td_buf_addf(out, "tongdai_chat_answers_total{status=\"%s\"} %lu\n", status_label[i],
			    atomic_load_explicit(&c->answers[i], memory_order_relaxed));
	td_buf_addf(out,
		    "# HELP tongdai_chat_sessions_started_total Chat sessions started.\n"
		    "# TYPE tongdai_chat_sessions_started_total counter\n"
		    "tongdai_chat_sessions_started_total %lu\n"
		    "# HELP tongdai_chat_session_read_failures_total Session lookups the store "
		    "could not answer (answered in a new session).\n"
		    "# TYPE tongdai_chat_session_read_failures_total counter\n"
		    "tongdai_chat_session_read_failures_total %lu\n",
		    atomic_load_explicit(&c->sessions_started, memory_order_relaxed),
		    atomic_load_explicit(&c->session_read_failures, memory_order_relaxed));
	td_buf_addf(out,
		    "# HELP tongdai_chat_turns_written_total Chat turns committed to the store.\n"
		    "# TYPE tongdai_chat_turns_written_total counter\n"
		    "tongdai_chat_turns_written_total %llu\n"
		    "# HELP tongdai_chat_turn_write_failures_total Chat turns answered but not "
		    "stored (the store refused them).\n"
		    "# TYPE tongdai_chat_turn_write_failures_total counter\n"
		    "tongdai_chat_turn_write_failures_total %llu\n"
		    "# HELP tongdai_chat_turns_dropped_total Chat turns answered but not stored "
		    "(the write queue stayed full).\n"
		    "# TYPE tongdai_chat_turns_dropped_total counter\n"
		    "tongdai_chat_turns_dropped_total %llu\n"
		    "# HELP tongdai_chat_turn_batches_total Transactions of the turn writer.\n"
		    "# TYPE tongdai_chat_turn_batches_total counter\n"
		    "tongdai_chat_turn_batches_total %llu\n"
		    "# HELP tongdai_chat_turn_queue_depth Chat turns waiting to be written.\n"
		    "# TYPE tongdai_chat_turn_queue_depth gauge\n"
		    "tongdai_chat_turn_queue_depth %zu\n",
		    (unsigned long long)ws.written, (unsigned long long)ws.failed,
		    (unsigned long long)ws.dropped, (unsigned long long)ws.batches, ws.depth);
	td_buf_addf(out,
		    "# HELP tongdai_chat_session_cache_hits_total Session lookups answered from "
		    "memory.\n"
		    "# TYPE tongdai_chat_session_cache_hits_total counter\n"
		    "tongdai_chat_session_cache_hits_total %llu\n"
		    "# HELP tongdai_chat_session_cache_misses_total Session lookups that went to "
		    "the store.\n"
		    "# TYPE tongdai_chat_session_cache_misses_total counter\n"
		    "tongdai_chat_session_cache_misses_total %llu\n"
		    "# HELP tongdai_chat_session_cache_entries Sessions held in memory.\n"
		    "# TYPE tongdai_chat_session_cache_entries gauge\n"
		    "tongdai_chat_session_cache_entries %zu\n",
		    (unsigned long long)cs.hits, (unsigned long long)cs.misses, cs.entries);
}

static void on_turn_settled(void *ctx, const char *session_id, bool stored)
{
	struct http_api_chat *c = ctx;
	(void)stored;
	http_session_cache_settle(c->sessions, session_id);
}

td_err http_api_chat_new(struct http_router *router, struct http_store_pool *pool,
			 struct http_answer_holder *holder, int64_t session_ttl,
			 struct http_api_chat **out)
{
	*out = NULL;
	if (!router || !pool || !holder || session_ttl < 1)
		return TD_ERR_INVAL;
	struct http_api_chat *c = td_calloc(1, sizeof *c);
	c->pool = pool;
	c->holder = holder;
	c->ttl = session_ttl;
	for (int i = 0; i < ST__N; i++)
		atomic_init(&c->answers[i], 0);
	atomic_init(&c->sessions_started, 0);
	atomic_init(&c->session_read_failures, 0);
	c->sessions = http_session_cache_new(SESSION_CACHE_ENTRIES);

	char err[256];
	struct store *wst;
	td_err e = http_store_pool_open_own(pool, &wst, err, sizeof err);
	if (e != TD_OK) {
		td_log(TD_LOG_ERROR, "chat.turn_writer", "error", err, NULL);
		goto fail_cache;
	}
	e = http_turn_writer_new(wst, NULL, on_turn_settled, c, &c->writer);
	if (e != TD_OK)
		goto fail_cache;
	e = http_route_add(router, "POST", "/api/v1/chat", post_chat, c);
	if (e == TD_OK)
		e = http_route_add(router, "GET", "/api/v1/kb/gaps", get_gaps, c);
	if (e != TD_OK)
		goto fail_writer;
	*out = c;
	return TD_OK;

fail_writer:
	http_turn_writer_free(c->writer);
fail_cache:
	http_session_cache_free(c->sessions);
	td_free(c);
	return e;
}

static td_err report_store_acquire(void *ctx, struct store **out)
{
	return http_store_pool_acquire(ctx, out);
}

static void report_store_release(void *ctx, struct store *s)
{
	http_store_pool_release(ctx, s);
}

td_err http_api_chat_set_intake(struct http_api_chat *c, struct pakn_intake *intake)
{
	if (!c || !intake || c->report)
		return TD_ERR_INVAL;
	struct report_store_access sa = {
		.acquire = report_store_acquire,
		.release = report_store_release,
		.ctx = c->pool,
	};
	td_err e = report_pakn_new(intake, &sa, &c->report);
	if (e != TD_OK) {
		td_log(TD_LOG_ERROR, "chat.report_backend", "error", td_errname(e), NULL);
		return e;
	}
	report_pakn_backend(c->report, &c->report_ops);
	return TD_OK;
}

void http_api_chat_free(struct http_api_chat *c)
{
	if (!c)
		return;
	/* The server has stopped: no handler can add a turn any more.  Free
	 * writes what is still queued (the clean-stop guarantee), then the
	 * cache its callbacks settle can go. */
	http_turn_writer_free(c->writer);
	http_session_cache_free(c->sessions);
	report_pakn_free(c->report);
	td_free(c);
}
