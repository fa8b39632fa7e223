/* test_store_chat.c - chat sessions, turns and knowledge-base gaps in the
 * SQLite store: ids, expiry, the dialog blob across reopen, masking,
 * resolution of clarify gaps, the since/field filters, a failed write. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <sqlite3.h>

#include "base/alloc.h"
#include "store/store.h"
#include "store/store_chat.h"

static char dir[64];

static int setup(void **state)
{
	(void)state;
	snprintf(dir, sizeof dir, "/tmp/td_store_chat_XXXXXX");
	assert_non_null(mkdtemp(dir));
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	char cmd[128];
	snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
	return system(cmd);
}

static struct store *open_or_die(void)
{
	struct store *s;
	char err[256];
	if (store_open(dir, &s, err, sizeof err))
		fail_msg("store_open: %s", err);
	return s;
}

#define T0 ((int64_t)1764316800) /* 2025-11-28T08:00:00Z */
#define TTL 1800

static struct store_chat_turn turn(const char *q, const char *status)
{
	struct store_chat_turn t = {.question = q, .intent = "procedure_info",
				    .aspect = "overview", .status = status, .confidence = 0.5};
	return t;
}

static void test_ids(void **state)
{
	(void)state;
	struct store_chat_session a, b;
	assert_int_equal(store_chat_session_start("web", T0, TTL, &a), TD_OK);
	assert_int_equal(store_chat_session_start("web", T0, TTL, &b), TD_OK);
	assert_int_equal(strlen(a.id), STORE_CHAT_ID_LEN);
	assert_true(store_chat_id_valid(a.id));
	assert_string_not_equal(a.id, b.id);
	assert_false(a.stored);
	assert_int_equal(a.expires_at, T0 + TTL);

	assert_false(store_chat_id_valid(""));
	assert_false(store_chat_id_valid(NULL));
	assert_false(store_chat_id_valid("abc/def"));
	assert_false(store_chat_id_valid("abc def"));
	char longid[STORE_CHAT_ID_MAX + 2];
	memset(longid, 'a', sizeof longid - 1);
	longid[sizeof longid - 1] = '\0';
	assert_false(store_chat_id_valid(longid));
	longid[STORE_CHAT_ID_MAX] = '\0';
	assert_true(store_chat_id_valid(longid));
}

static void test_session_roundtrip_and_expiry(void **state)
{
	(void)state;
	struct store *s = open_or_die();
	assert_true(store_schema_version(s) >= 2);
	struct store_chat_session sess;
	assert_int_equal(store_chat_session_start("app", T0, TTL, &sess), TD_OK);

	/* Not stored before its first turn. */
	struct store_chat_session got;
	enum store_chat_lookup found;
	assert_int_equal(store_chat_session_get(s, sess.id, T0, &got, &found), TD_OK);
	assert_int_equal(found, STORE_CHAT_UNKNOWN);

	const unsigned char blob[] = {1, 2, 3, 0, 4, 5};
	struct store_chat_turn t = turn("đăng ký khai sinh", "answered");
	t.procedure = "1.001193";
	assert_int_equal(store_chat_turn_add(s, &sess, &t, blob, sizeof blob, T0 + 10, TTL), TD_OK);
	assert_true(sess.stored);
	assert_int_equal(sess.turns, 1);
	assert_int_equal(sess.expires_at, T0 + 10 + TTL);
	store_close(s);

	/* Survives closing the connection (the server restarting). */
	s = open_or_die();
	assert_int_equal(store_chat_session_get(s, sess.id, T0 + 20, &got, &found), TD_OK);
	assert_int_equal(found, STORE_CHAT_LIVE);
	assert_string_equal(got.channel, "app");
	assert_int_equal(got.created_at, T0);
	assert_int_equal(got.last_active, T0 + 10);
	assert_int_equal(got.turns, 1);
	assert_int_equal(got.dialog_len, sizeof blob);
	assert_memory_equal(got.dialog, blob, sizeof blob);

	/* Each turn pushes the expiry on. */
	struct store_chat_turn t2 = turn("thế còn lệ phí?", "answered");
	assert_int_equal(store_chat_turn_add(s, &got, &t2, blob, 3, T0 + 1000, TTL), TD_OK);
	assert_int_equal(store_chat_session_get(s, sess.id, T0 + 1000 + TTL - 1, &got, &found),
			 TD_OK);
	assert_int_equal(found, STORE_CHAT_LIVE);
	assert_int_equal(got.dialog_len, 3);
	assert_int_equal(got.turns, 2);

	/* At the expiry second it is expired; unknown ids are unknown. */
	assert_int_equal(store_chat_session_get(s, sess.id, T0 + 1000 + TTL, &got, &found), TD_OK);
	assert_int_equal(found, STORE_CHAT_EXPIRED);
	assert_int_equal(store_chat_session_get(s, "AAAAAAAAAAAAAAAAAAAAAA", T0, &got, &found),
			 TD_OK);
	assert_int_equal(found, STORE_CHAT_UNKNOWN);
	assert_int_equal(store_chat_session_get(s, "x' OR '1'='1", T0, &got, &found), TD_OK);
	assert_int_equal(found, STORE_CHAT_UNKNOWN);

	size_t n;
	assert_int_equal(store_chat_turn_count(s, sess.id, &n), TD_OK);
	assert_int_equal(n, 2);

	/* Expiring drops the dialog but keeps the session and its turns. */
	assert_int_equal(store_chat_sessions_expire(s, T0 + 1000 + TTL + 1, &n), TD_OK);
	assert_int_equal(n, 1);
	assert_int_equal(store_chat_session_get(s, sess.id, T0, &got, &found), TD_OK);
	assert_int_equal(got.dialog_len, 0);
	assert_int_equal(store_chat_turn_count(s, sess.id, &n), TD_OK);
	assert_int_equal(n, 2);

	/* A dialog over the cap is refused and nothing is written. */
	unsigned char *big = td_calloc(1, STORE_CHAT_DIALOG_MAX + 1);
	assert_int_equal(store_chat_turn_add(s, &got, &t2, big, STORE_CHAT_DIALOG_MAX + 1, T0, TTL),
			 TD_ERR_INVAL);
	td_free(big);
	assert_int_equal(store_chat_turn_count(s, sess.id, &n), TD_OK);
	assert_int_equal(n, 2);
	store_close(s);
}

static void test_masking(void **state)
{
	(void)state;
	struct store *s = open_or_die();
	struct store_chat_session sess;
	assert_int_equal(store_chat_session_start("web", T0, TTL, &sess), TD_OK);
	struct store_chat_turn t = turn("số tôi là 0912 345 678, email an.nguyen@example.vn, "
					"CCCD 001204012345",
					"no_match");
	t.gap = true;
	assert_int_equal(store_chat_turn_add(s, &sess, &t, NULL, 0, T0, TTL), TD_OK);
	char *q;
	assert_int_equal(store_chat_turn_question(s, sess.id, 0, &q), TD_OK);
	assert_null(strstr(q, "345"));
	assert_null(strstr(q, "an.nguyen"));
	assert_null(strstr(q, "0120401"));
	assert_non_null(strstr(q, "số tôi là 09"));
	assert_non_null(strstr(q, "@example.vn"));
	td_free(q);
	assert_int_equal(store_chat_turn_question(s, sess.id, 1, &q), TD_ERR_NOTFOUND);

	/* A very long question is kept cut, still valid UTF-8 and masked. */
	size_t n = 3 * STORE_CHAT_QUESTION_MAX;
	char *longq = td_malloc(n + 1);
	for (size_t i = 0; i + 2 <= n; i += 2)
		memcpy(longq + i, "\xc4\x91", 2); /* đ */
	longq[n] = '\0';
	struct store_chat_turn t2 = turn(longq, "answered");
	assert_int_equal(store_chat_turn_add(s, &sess, &t2, NULL, 0, T0 + 1, TTL), TD_OK);
	assert_int_equal(store_chat_turn_question(s, sess.id, 1, &q), TD_OK);
	assert_true(strlen(q) <= STORE_CHAT_QUESTION_MAX);
	assert_int_equal(strlen(q) % 2, 0);
	td_free(q);
	td_free(longq);
	store_close(s);
}

struct gaps_seen {
	size_t n;
	char questions[8][256];
	char fields[8][64];
};

static int collect(const struct store_gap *g, void *ctx)
{
	struct gaps_seen *seen = ctx;
	if (seen->n < 8) {
		snprintf(seen->questions[seen->n], sizeof seen->questions[0], "%s", g->question);
		snprintf(seen->fields[seen->n], sizeof seen->fields[0], "%s",
			 g->field ? g->field : "");
	}
	seen->n++;
	return 0;
}

static void test_gaps_filters_and_resolution(void **state)
{
	(void)state;
	struct store *s = open_or_die();
	struct store_chat_session a, b;
	assert_int_equal(store_chat_session_start("web", T0, TTL, &a), TD_OK);
	assert_int_equal(store_chat_session_start("voice", T0, TTL, &b), TD_OK);

	struct store_chat_turn t = turn("nuôi chó mèo cảnh", "no_match");
	t.gap = true;
	t.gap_field = "Bảo trợ xã hội";
	t.gap_agency = "UBND cấp xã";
	t.candidates = "[{\"code\":\"1.000001\",\"name\":\"X\",\"score\":1.5}]";
	assert_int_equal(store_chat_turn_add(s, &a, &t, NULL, 0, T0, TTL), TD_OK);

	struct store_chat_turn c = turn("giấy phép", "clarify");
	c.gap = true;
	c.gap_field = "Hoạt động xây dựng";
	assert_int_equal(store_chat_turn_add(s, &b, &c, NULL, 0, T0 + 86400, TTL), TD_OK);

	/* An answered turn is not a gap. */
	struct store_chat_turn ans = turn("đăng ký khai sinh", "answered");
	assert_int_equal(store_chat_turn_add(s, &a, &ans, NULL, 0, T0 + 5, TTL), TD_OK);

	struct gaps_seen seen = {0};
	struct store_gap_filter f = {0};
	size_t total = 0;
	assert_int_equal(store_chat_gaps(s, &f, collect, &seen, &total), TD_OK);
	assert_int_equal(total, 2);
	assert_int_equal(seen.n, 2);
	assert_string_equal(seen.questions[0], "giấy phép"); /* newest first */
	assert_string_equal(seen.questions[1], "nuôi chó mèo cảnh");

	/* Field: case- and accent-insensitive, exact. */
	memset(&seen, 0, sizeof seen);
	f.field = "BAO TRO XA HOI";
	assert_int_equal(store_chat_gaps(s, &f, collect, &seen, &total), TD_OK);
	assert_int_equal(total, 1);
	assert_string_equal(seen.fields[0], "Bảo trợ xã hội");
	f.field = "bảo trợ";
	assert_int_equal(store_chat_gaps(s, &f, NULL, NULL, &total), TD_OK);
	assert_int_equal(total, 0);

	/* Since. */
	f.field = NULL;
	f.since = T0 + 3600;
	memset(&seen, 0, sizeof seen);
	assert_int_equal(store_chat_gaps(s, &f, collect, &seen, &total), TD_OK);
	assert_int_equal(total, 1);
	assert_string_equal(seen.questions[0], "giấy phép");

	/* Limit and offset window the items, not the total. */
	f.since = 0;
	f.limit = 1;
	f.offset = 1;
	memset(&seen, 0, sizeof seen);
	assert_int_equal(store_chat_gaps(s, &f, collect, &seen, &total), TD_OK);
	assert_int_equal(total, 2);
	assert_int_equal(seen.n, 1);
	assert_string_equal(seen.questions[0], "nuôi chó mèo cảnh");

	/* A later turn of b picks an option: its clarify gap is resolved;
	 * a's no_match gap is untouched. */
	struct store_chat_turn pick = turn("1", "answered");
	pick.resolves = true;
	assert_int_equal(store_chat_turn_add(s, &b, &pick, NULL, 0, T0 + 86401, TTL), TD_OK);
	memset(&f, 0, sizeof f);
	memset(&seen, 0, sizeof seen);
	assert_int_equal(store_chat_gaps(s, &f, collect, &seen, &total), TD_OK);
	assert_int_equal(total, 1);
	assert_string_equal(seen.questions[0], "nuôi chó mèo cảnh");

	/* Bad input is refused before the backend. */
	struct store_chat_turn bad = turn(NULL, "answered");
	assert_int_equal(store_chat_turn_add(s, &a, &bad, NULL, 0, T0, TTL), TD_ERR_INVAL);
	struct store_chat_session broken = a;
	broken.id[0] = '/';
	assert_int_equal(store_chat_turn_add(s, &broken, &ans, NULL, 0, T0, TTL), TD_ERR_INVAL);
	store_close(s);
}

/* A write the database refuses is one transaction: nothing of the turn,
 * the session or the gap stays, and the caller gets TD_ERR_DB.  The gap
 * table is dropped behind the store's back to make the last insert fail. */
static void test_write_failure_is_atomic(void **state)
{
	(void)state;
	struct store *s = open_or_die();
	struct store_chat_session sess;
	assert_int_equal(store_chat_session_start("web", T0, TTL, &sess), TD_OK);

	char path[128];
	snprintf(path, sizeof path, "%s/tongdai.db", dir);
	sqlite3 *db;
	assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
	assert_int_equal(sqlite3_exec(db, "DROP TABLE kb_gap", NULL, NULL, NULL), SQLITE_OK);
	sqlite3_close(db);

	struct store_chat_turn t = turn("nuôi chó mèo cảnh", "no_match");
	t.gap = true;
	assert_int_equal(store_chat_turn_add(s, &sess, &t, NULL, 0, T0, TTL), TD_ERR_DB);
	assert_false(sess.stored);
	assert_true(strlen(store_errmsg(s)) > 0);
	size_t n = 99;
	assert_int_equal(store_chat_turn_count(s, sess.id, &n), TD_OK);
	assert_int_equal(n, 0);
	struct store_chat_session got;
	enum store_chat_lookup found;
	assert_int_equal(store_chat_session_get(s, sess.id, T0, &got, &found), TD_OK);
	assert_int_equal(found, STORE_CHAT_UNKNOWN);

	/* A turn without a gap still works. */
	struct store_chat_turn ok = turn("khai sinh", "answered");
	assert_int_equal(store_chat_turn_add(s, &sess, &ok, NULL, 0, T0, TTL), TD_OK);
	store_close(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_ids, setup, teardown),
		cmocka_unit_test_setup_teardown(test_session_roundtrip_and_expiry, setup, teardown),
		cmocka_unit_test_setup_teardown(test_masking, setup, teardown),
		cmocka_unit_test_setup_teardown(test_gaps_filters_and_resolution, setup, teardown),
		cmocka_unit_test_setup_teardown(test_write_failure_is_atomic, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
