/*
 * store_chat.c - the backend-independent half of chat sessions, turns and
 * knowledge-base gaps (see store_chat.h): session ids, masking, the session
 * bookkeeping of a turn, folding the field filter.  The backend only moves
 * rows (store_int.h, chat_* operations).
 *
 * Why the store masks: a turn is written from the HTTP handler, the CLI and,
 * later, the voice path; putting td_pii_mask here means a raw phone number
 * can never reach the database whichever way a question came in.
 */
#include "store/store_chat.h"

#include <assert.h>
#include <pthread.h>
#include <string.h>
#include <time.h>

#include <sodium.h>

#include "base/alloc.h"
#include "base/buf.h"
#include "base/log.h"
#include "store/store_int.h"
#include "text/vn.h"
#include "base/banned.h"

static pthread_once_t sodium_once = PTHREAD_ONCE_INIT;
static int sodium_state = -1;

static void sodium_setup(void)
{
	sodium_state = sodium_init(); /* 0 first time, 1 if already done, -1 failure */
}

static bool id_char(char c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
	       c == '-' || c == '_';
}

bool store_chat_id_valid(const char *id)
{
	if (!id)
		return false;
	size_t n = 0;
	for (; id[n]; n++)
		if (n >= STORE_CHAT_ID_MAX || !id_char(id[n]))
			return false;
	return n > 0;
}

static void copy_cut(char *dst, size_t cap, const char *src)
{
	size_t n = src ? strlen(src) : 0;
	if (n >= cap)
		n = cap - 1;
	if (n)
		memcpy(dst, src, n);
	dst[n] = '\0';
}

/* The 64 characters of base64url in ASCII order, so that ids compare as
 * text in the order of their bytes (the sortable alphabet of ULID-like ids;
 * every character is still one store_chat_id_valid accepts). */
static const char sortable64[64] =
	"-0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ_abcdefghijklmnopqrstuvwxyz";

static uint64_t now_millis(int64_t fallback_seconds)
{
	struct timespec ts;
	if (clock_gettime(CLOCK_REALTIME, &ts) != 0)
		return (uint64_t)fallback_seconds * 1000u;
	return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

td_err store_chat_id_new(int64_t now, char out[STORE_CHAT_ID_LEN + 1])
{
	out[0] = '\0';
	pthread_once(&sodium_once, sodium_setup);
	if (sodium_state < 0)
		return TD_ERR_INTERNAL;
	/* 48 bits of the start time in milliseconds, then 96 random bits
	 * (like UUIDv7 or ULID): still unguessable, but ids sort by creation
	 * time, so the turn writer appends new sessions and their turns at the
	 * right edge of the B-trees instead of dirtying a random leaf page of
	 * each index per new session (docs/internals/http.md, "Chat sessions"). */
	unsigned char raw[STORE_CHAT_ID_BYTES];
	uint64_t ms = now_millis(now);
	for (int i = 0; i < 6; i++)
		raw[i] = (unsigned char)(ms >> (8 * (5 - i)));
	randombytes_buf(raw + 6, sizeof raw - 6);
	/* 18 bytes = 6 groups of 3 bytes = 24 characters, no padding. */
	static_assert(STORE_CHAT_ID_BYTES % 3 == 0 && STORE_CHAT_ID_BYTES / 3 * 4 == STORE_CHAT_ID_LEN,
		      "the id is whole groups of 3 bytes");
	char *o = out;
	for (size_t i = 0; i < sizeof raw; i += 3) {
		uint32_t v = (uint32_t)raw[i] << 16 | (uint32_t)raw[i + 1] << 8 | raw[i + 2];
		*o++ = sortable64[(v >> 18) & 63];
		*o++ = sortable64[(v >> 12) & 63];
		*o++ = sortable64[(v >> 6) & 63];
		*o++ = sortable64[v & 63];
	}
	*o = '\0';
	return TD_OK;
}

td_err store_chat_session_start(const char *channel, int64_t now, int64_t ttl,
				struct store_chat_session *out)
{
	memset(out, 0, sizeof *out);
	td_err e = store_chat_id_new(now, out->id);
	if (e != TD_OK)
		return e;
	copy_cut(out->channel, sizeof out->channel, channel ? channel : "web");
	out->created_at = now;
	out->last_active = now;
	out->expires_at = now + ttl;
	return TD_OK;
}

td_err store_chat_session_get(struct store *s, const char *id, int64_t now,
			      struct store_chat_session *out, enum store_chat_lookup *found)
{
	memset(out, 0, sizeof *out);
	*found = STORE_CHAT_UNKNOWN;
	if (!store_chat_id_valid(id))
		return TD_OK;
	td_err rc = s->ops->chat_session_get(s, id, out);
	if (rc == TD_ERR_NOTFOUND) {
		memset(out, 0, sizeof *out);
		return TD_OK;
	}
	if (rc != TD_OK)
		return rc;
	out->stored = true;
	*found = now >= out->expires_at ? STORE_CHAT_EXPIRED : STORE_CHAT_LIVE;
	return TD_OK;
}

/* A copy of s cut to at most max bytes at a UTF-8 boundary. */
static char *dup_cut_utf8(const char *s, size_t max)
{
	size_t n = strlen(s);
	if (n > max) {
		n = max;
		while (n > 0 && ((unsigned char)s[n] & 0xC0) == 0x80)
			n--;
	}
	return td_strndup(s, n);
}

td_err store_chat_turn_add(struct store *s, struct store_chat_session *sess,
			   const struct store_chat_turn *t, const void *dialog, size_t dialog_len,
			   int64_t now, int64_t ttl)
{
	if (!t || !t->question || !t->status || !t->intent || !t->aspect ||
	    dialog_len > STORE_CHAT_DIALOG_MAX || (dialog_len && !dialog) ||
	    !store_chat_id_valid(sess->id))
		return TD_ERR_INVAL;

	/* Cut first, then mask: the masked text is never longer than its
	 * input, so the buffer cannot overflow. */
	struct td_buf masked;
	td_buf_init(&masked, 2 * STORE_CHAT_QUESTION_MAX);
	char *cut = dup_cut_utf8(t->question, STORE_CHAT_QUESTION_MAX);
	td_buf_adds(&masked, "");
	td_pii_mask(&masked, cut);
	td_free(cut);
	td_err rc = td_buf_error(&masked);
	if (rc != TD_OK)
		goto out;

	struct store_chat_session next = *sess;
	next.last_active = now;
	next.expires_at = now + ttl;
	next.turns = sess->turns + 1;
	next.dialog_len = dialog_len;
	if (dialog_len)
		memcpy(next.dialog, dialog, dialog_len);

	struct store_chat_turn masked_turn = *t;
	masked_turn.question = masked.data;
	char *field_key = t->gap && t->gap_field ? store__fold(t->gap_field) : NULL;
	rc = s->ops->chat_turn_add(s, &next, &masked_turn, field_key, now);
	td_free(field_key);
	if (rc == TD_OK) {
		next.stored = true;
		*sess = next;
	}
out:
	td_buf_release(&masked);
	return rc;
}

td_err store_chat_turn_count(struct store *s, const char *session_id, size_t *n)
{
	*n = 0;
	if (!store_chat_id_valid(session_id))
		return TD_OK;
	return s->ops->chat_turn_count(s, session_id, n);
}

td_err store_chat_turn_question(struct store *s, const char *session_id, size_t n, char **out)
{
	*out = NULL;
	if (!store_chat_id_valid(session_id))
		return TD_ERR_NOTFOUND;
	return s->ops->chat_turn_question(s, session_id, n, out);
}

td_err store_chat_gaps(struct store *s, const struct store_gap_filter *f, store_gap_fn fn,
		       void *ctx, size_t *total)
{
	char *field_key = f->field ? store__fold(f->field) : NULL;
	td_err rc = TD_OK;
	if (total) {
		rc = s->ops->chat_gaps_count(s, f->since, field_key, total);
		if (rc != TD_OK)
			goto out;
	}
	if (fn)
		rc = s->ops->chat_gaps(s, f->since, field_key, f->offset, f->limit, fn, ctx);
out:
	td_free(field_key);
	return rc;
}

td_err store_chat_sessions_expire(struct store *s, int64_t before, size_t *n)
{
	size_t dummy;
	return s->ops->chat_expire(s, before, n ? n : &dummy);
}
