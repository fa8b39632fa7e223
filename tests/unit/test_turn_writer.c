/* test_turn_writer.c - the batched chat turn writer on a real SQLite store:
 * everything added is written on stop (the clean-stop guarantee), turns that
 * wait while a commit is in progress go in one transaction, a full queue
 * waits and then drops (counted), a turn the store refuses does not take
 * its batch down, sync makes the turns visible to other connections. */
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>
#include <sqlite3.h>

#include "base/alloc.h"
#include "http/turn_writer.h"
#include "store/store.h"
#include "store/store_chat.h"

static char dir[64];

static int setup(void **state)
{
	(void)state;
	snprintf(dir, sizeof dir, "/tmp/td_turn_writer_XXXXXX");
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

#define T0 ((int64_t)1764316800)
#define TTL 1800

/* Settled callbacks, counted. */
static atomic_int settled_ok, settled_failed;

static void on_settled(void *ctx, const char *id, bool stored)
{
	(void)ctx;
	assert_true(store_chat_id_valid(id));
	if (stored)
		atomic_fetch_add(&settled_ok, 1);
	else
		atomic_fetch_add(&settled_failed, 1);
}

static struct http_turn_writer *writer_or_die(const struct http_turn_writer_config *cfg)
{
	atomic_store(&settled_ok, 0);
	atomic_store(&settled_failed, 0);
	struct http_turn_writer *w;
	assert_int_equal(http_turn_writer_new(open_or_die(), cfg, on_settled, NULL, &w), TD_OK);
	return w;
}

static void session_id(int i, char *id, size_t n)
{
	snprintf(id, n, "session%04dAAAAAAAAAAAAAA", i);
}

/* Add turn number `turn` (0-based) of session i with a recognisable dialog. */
static td_err add(struct http_turn_writer *w, int i, unsigned turn, bool gap)
{
	char id[40], q[64];
	session_id(i, id, sizeof id);
	snprintf(q, sizeof q, "câu hỏi %u của phiên %d, gọi 0912 345 678", turn, i);
	struct http_turn_session s = {.id = id, .channel = "web", .created_at = T0, .turns = turn};
	struct store_chat_turn t = {.question = q, .intent = "procedure_info",
				    .aspect = "overview",
				    .status = gap ? "no_match" : "answered",
				    .procedure = gap ? NULL : "1.001193",
				    .confidence = 0.75, .gap = gap};
	unsigned char dialog[8] = {'d', (unsigned char)i, (unsigned char)turn};
	return http_turn_writer_add(w, &s, &t, dialog, sizeof dialog, T0 + turn, TTL);
}

static size_t turn_count(struct store *s, int i)
{
	char id[40];
	session_id(i, id, sizeof id);
	size_t n = 0;
	assert_int_equal(store_chat_turn_count(s, id, &n), TD_OK);
	return n;
}

/* A second connection holding the write lock, so the writer blocks. */
static sqlite3 *lock_db(void)
{
	char path[128];
	snprintf(path, sizeof path, "%s/tongdai.db", dir);
	sqlite3 *db;
	assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
	assert_int_equal(sqlite3_exec(db, "BEGIN IMMEDIATE", NULL, NULL, NULL), SQLITE_OK);
	return db;
}

static void unlock_db(sqlite3 *db)
{
	assert_int_equal(sqlite3_exec(db, "COMMIT", NULL, NULL, NULL), SQLITE_OK);
	sqlite3_close(db);
}

static void sleep_ms(long ms)
{
	struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
	nanosleep(&ts, NULL);
}

static void test_flush_on_stop(void **state)
{
	(void)state;
	struct http_turn_writer *w = writer_or_die(NULL);
	for (unsigned turn = 0; turn < 10; turn++)
		for (int i = 0; i < 50; i++)
			assert_int_equal(add(w, i, turn, false), TD_OK);
	http_turn_writer_free(w); /* at once: the queue must be drained first */
	assert_int_equal(atomic_load(&settled_ok), 500);
	assert_int_equal(atomic_load(&settled_failed), 0);

	struct store *s = open_or_die();
	for (int i = 0; i < 50; i++) {
		assert_int_equal(turn_count(s, i), 10);
		char id[40];
		session_id(i, id, sizeof id);
		struct store_chat_session got;
		enum store_chat_lookup found;
		assert_int_equal(store_chat_session_get(s, id, T0, &got, &found), TD_OK);
		assert_int_equal(found, STORE_CHAT_LIVE);
		assert_int_equal(got.turns, 10);
		assert_int_equal(got.expires_at, T0 + 9 + TTL);
		/* the dialog of the LAST turn: turns were written in order */
		assert_int_equal(got.dialog_len, 8);
		assert_int_equal(got.dialog[1], (unsigned char)i);
		assert_int_equal(got.dialog[2], 9);
	}
	/* the store masked the question */
	char id[40], *q = NULL;
	session_id(3, id, sizeof id);
	assert_int_equal(store_chat_turn_question(s, id, 0, &q), TD_OK);
	assert_null(strstr(q, "345"));
	td_free(q);
	store_close(s);
}

static void test_batches_while_committing(void **state)
{
	(void)state;
	struct http_turn_writer *w = writer_or_die(NULL);
	sqlite3 *blocker = lock_db();
	assert_int_equal(add(w, 0, 0, false), TD_OK);
	sleep_ms(50); /* the writer takes it and waits for the lock */
	for (int i = 1; i < 200; i++)
		assert_int_equal(add(w, i, 0, false), TD_OK);
	struct http_turn_writer_stats st;
	http_turn_writer_stats(w, &st);
	assert_true(st.depth >= 199 && st.depth <= 200);
	unlock_db(blocker);

	http_turn_writer_sync(w);
	http_turn_writer_stats(w, &st);
	assert_int_equal(st.queued, 200);
	assert_int_equal(st.written, 200);
	assert_int_equal(st.failed, 0);
	assert_true(st.batches <= 2);
	assert_true(st.max_batch >= 199);
	assert_int_equal(st.depth, 0);

	/* sync: committed, so another connection sees every turn now */
	struct store *s = open_or_die();
	for (int i = 0; i < 200; i += 37)
		assert_int_equal(turn_count(s, i), 1);
	store_close(s);
	http_turn_writer_free(w);
}

/* Under a stream of turns the writer waits gather_ms between batch starts:
 * the first turn after a quiet spell is written at once, the 39 that follow
 * one every 5 ms (well within gather_ms) wait and go in one or two more
 * batches, not one commit each (no sync: a sync would start a batch at once). */
static void test_gathers_between_batches(void **state)
{
	(void)state;
	struct http_turn_writer_config cfg;
	http_turn_writer_config_defaults(&cfg);
	cfg.gather_ms = 1000;
	struct http_turn_writer *w = writer_or_die(&cfg);
	for (int i = 0; i < 40; i++) {
		assert_int_equal(add(w, i, 0, false), TD_OK);
		sleep_ms(5);
	}
	struct http_turn_writer_stats st;
	for (int waited = 0; waited < 10000; waited += 20) {
		http_turn_writer_stats(w, &st);
		if (st.written == 40)
			break;
		sleep_ms(20);
	}
	assert_int_equal(st.written, 40);
	assert_int_equal(st.failed, 0);
	assert_true(st.batches <= 3);
	http_turn_writer_free(w);
}

struct release_later {
	sqlite3 *db;
	long ms;
};

static void *release_after(void *arg)
{
	struct release_later *r = arg;
	sleep_ms(r->ms);
	unlock_db(r->db);
	return NULL;
}

static void test_queue_full_waits_then_drops(void **state)
{
	(void)state;
	struct http_turn_writer_config cfg;
	http_turn_writer_config_defaults(&cfg);
	cfg.max_queue = 4;
	cfg.block_ms = 30;
	struct http_turn_writer *w = writer_or_die(&cfg);
	sqlite3 *blocker = lock_db();
	assert_int_equal(add(w, 0, 0, false), TD_OK);
	sleep_ms(50); /* taken by the writer, which now waits for the lock */
	for (int i = 1; i <= 4; i++)
		assert_int_equal(add(w, i, 0, false), TD_OK);

	/* full: waits block_ms, then drops and counts */
	struct timespec t0, t1;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	assert_int_equal(add(w, 5, 0, false), TD_ERR_BUSY);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	double waited = (double)(t1.tv_sec - t0.tv_sec) * 1e3 + (double)(t1.tv_nsec - t0.tv_nsec) / 1e6;
	assert_true(waited >= 25.0);
	struct http_turn_writer_stats st;
	http_turn_writer_stats(w, &st);
	assert_int_equal(st.dropped, 1);
	assert_int_equal(st.depth, 4);

	unlock_db(blocker);
	http_turn_writer_free(w); /* writes the 5 queued */

	/* full, but room comes within block_ms: the add waits and succeeds */
	cfg.block_ms = 5000;
	w = writer_or_die(&cfg);
	blocker = lock_db();
	assert_int_equal(add(w, 10, 0, false), TD_OK);
	sleep_ms(50);
	for (int i = 11; i <= 14; i++)
		assert_int_equal(add(w, i, 0, false), TD_OK);
	struct release_later rl = {blocker, 100};
	pthread_t th;
	assert_int_equal(pthread_create(&th, NULL, release_after, &rl), 0);
	assert_int_equal(add(w, 15, 0, false), TD_OK);
	pthread_join(th, NULL);
	http_turn_writer_sync(w);
	http_turn_writer_stats(w, &st);
	assert_int_equal(st.dropped, 0);
	assert_int_equal(st.written, 6);
	http_turn_writer_free(w);

	struct store *s = open_or_die();
	assert_int_equal(turn_count(s, 5), 0);  /* the dropped one */
	assert_int_equal(turn_count(s, 1), 1);  /* written by the first writer's stop */
	assert_int_equal(turn_count(s, 15), 1); /* the one that waited */
	store_close(s);
}

static void test_refused_turn_does_not_sink_its_batch(void **state)
{
	(void)state;
	struct http_turn_writer *w = writer_or_die(NULL);
	/* No kb_gap table: a turn with a gap fails, the others can succeed. */
	char path[128];
	snprintf(path, sizeof path, "%s/tongdai.db", dir);
	sqlite3 *db;
	assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
	assert_int_equal(sqlite3_exec(db, "DROP TABLE kb_gap", NULL, NULL, NULL), SQLITE_OK);
	sqlite3_close(db);

	sqlite3 *blocker = lock_db();
	assert_int_equal(add(w, 0, 0, false), TD_OK);
	sleep_ms(50);
	assert_int_equal(add(w, 1, 0, false), TD_OK);
	assert_int_equal(add(w, 2, 0, true), TD_OK); /* refused */
	assert_int_equal(add(w, 3, 0, false), TD_OK);
	unlock_db(blocker);
	http_turn_writer_sync(w);

	struct http_turn_writer_stats st;
	http_turn_writer_stats(w, &st);
	assert_int_equal(st.written, 3);
	assert_int_equal(st.failed, 1);
	assert_int_equal(atomic_load(&settled_ok), 3);
	assert_int_equal(atomic_load(&settled_failed), 1);
	/* store_open would refuse this schema: count with SQL */
	assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
	for (int i = 1; i <= 3; i++) {
		char id[40], sql[128];
		session_id(i, id, sizeof id);
		snprintf(sql, sizeof sql, "SELECT count(*) FROM chat_turn WHERE session_id = '%s'",
			 id);
		sqlite3_stmt *q;
		assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &q, NULL), SQLITE_OK);
		assert_int_equal(sqlite3_step(q), SQLITE_ROW);
		assert_int_equal(sqlite3_column_int(q, 0), i == 2 ? 0 : 1);
		sqlite3_finalize(q);
	}
	sqlite3_close(db);
	http_turn_writer_free(w);
}

static void test_bad_input(void **state)
{
	(void)state;
	struct http_turn_writer *w = writer_or_die(NULL);
	struct http_turn_session s = {.id = "../etc", .channel = "web", .created_at = T0};
	struct store_chat_turn t = {.question = "x", .intent = "i", .aspect = "a",
				    .status = "answered"};
	assert_int_equal(http_turn_writer_add(w, &s, &t, NULL, 0, T0, TTL), TD_ERR_INVAL);
	s.id = "AAAAAAAAAAAAAAAAAAAAAA";
	t.status = NULL;
	assert_int_equal(http_turn_writer_add(w, &s, &t, NULL, 0, T0, TTL), TD_ERR_INVAL);
	t.status = "answered";
	static unsigned char big[STORE_CHAT_DIALOG_MAX + 1];
	assert_int_equal(http_turn_writer_add(w, &s, &t, big, sizeof big, T0, TTL), TD_ERR_INVAL);
	/* an over-long question is cut, not refused */
	char *q = td_malloc(3 * STORE_CHAT_QUESTION_MAX);
	memset(q, 'a', 3 * STORE_CHAT_QUESTION_MAX - 1);
	q[3 * STORE_CHAT_QUESTION_MAX - 1] = '\0';
	t.question = q;
	assert_int_equal(http_turn_writer_add(w, &s, &t, NULL, 0, T0, TTL), TD_OK);
	td_free(q);
	http_turn_writer_sync(w);
	struct http_turn_writer_stats st;
	http_turn_writer_stats(w, &st);
	assert_int_equal(st.written, 1);
	http_turn_writer_free(w);

	struct http_turn_writer_config cfg;
	http_turn_writer_config_defaults(&cfg);
	cfg.max_queue = 0;
	assert_int_equal(http_turn_writer_new(open_or_die(), &cfg, NULL, NULL, &w), TD_ERR_INVAL);
	assert_null(w);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_flush_on_stop, setup, teardown),
		cmocka_unit_test_setup_teardown(test_batches_while_committing, setup, teardown),
		cmocka_unit_test_setup_teardown(test_gathers_between_batches, setup, teardown),
		cmocka_unit_test_setup_teardown(test_queue_full_waits_then_drops, setup, teardown),
		cmocka_unit_test_setup_teardown(test_refused_turn_does_not_sink_its_batch, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_bad_input, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
