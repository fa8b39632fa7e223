/* test_store_case.c - PAKN cases in the SQLite store: numbers and their
 * Damm check digit, the original text kept and the public copy masked, the
 * contact stored apart and masked, status transitions and history, listing
 * filters, API keys, the group-commit writer under concurrent submitters,
 * and duplicate detection (similarity and the per-ward index). */
#include <pthread.h>
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

#include "pakn/dup.h"
#include "store/store.h"
#include "store/store_case.h"

static char dir[64];

static int setup(void **state)
{
	(void)state;
	snprintf(dir, sizeof dir, "/tmp/td_store_case_XXXXXX");
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
	assert_int_equal(store_open(dir, &s, err, sizeof err), TD_OK);
	return s;
}

static void test_numbers(void **state)
{
	(void)state;
	char n[STORE_CASE_NUMBER_MAX + 1], canon[STORE_CASE_NUMBER_MAX + 1], disp[32];
	assert_int_equal(store_case_number_make(n, "251128", 42), TD_OK);
	assert_int_equal(strlen(n), 11);
	assert_memory_equal(n, "2511280042", 10);
	store_case_number_display(n, disp, sizeof disp);
	assert_int_equal(strlen(disp), 13);
	assert_int_equal(store_case_number_parse(disp, canon), TD_OK);
	assert_string_equal(canon, n);
	char spaced[32];
	snprintf(spaced, sizeof spaced, "%.4s %.4s %.3s", n, n + 4, n + 8);
	assert_int_equal(store_case_number_parse(spaced, canon), TD_OK);
	/* every single-digit error and every adjacent swap is caught */
	for (size_t i = 0; i < 11; i++) {
		for (char d = '0'; d <= '9'; d++) {
			char m[16];
			memcpy(m, n, 12);
			if (m[i] == d)
				continue;
			m[i] = d;
			assert_int_not_equal(store_case_number_parse(m, canon), TD_OK);
		}
		if (i + 1 < 11 && n[i] != n[i + 1]) {
			char m[16];
			memcpy(m, n, 12);
			m[i] = n[i + 1];
			m[i + 1] = n[i];
			assert_int_not_equal(store_case_number_parse(m, canon), TD_OK);
		}
	}
	/* five-digit sequences once a day passes 9999 */
	assert_int_equal(store_case_number_make(n, "251128", 12345), TD_OK);
	assert_int_equal(strlen(n), 12);
	assert_int_equal(store_case_number_parse(n, canon), TD_OK);
	assert_int_not_equal(store_case_number_parse("abc", canon), TD_OK);
	assert_int_not_equal(store_case_number_parse("123", canon), TD_OK);
	assert_int_not_equal(store_case_number_make(n, "2511", 1), TD_OK);
	assert_int_not_equal(store_case_number_make(n, "251128", 0), TD_OK);
	char day[7];
	store_case_day(1764288000, day); /* 2025-11-28 00:00 UTC = 07:00 in Hanoi */
	assert_string_equal(day, "251128");
	store_case_day(1764288000 - 3600 * 8, day); /* 2025-11-27 16:00 UTC = 23:00 Hanoi */
	assert_string_equal(day, "251127");
}

static void fill(struct store_case *c, const char *text, const char *ward)
{
	store_case_init(c);
	store_case_set(&c->text, text);
	snprintf(c->channel, sizeof c->channel, "web");
	snprintf(c->category, sizeof c->category, "ve-sinh-moi-truong");
	snprintf(c->level, sizeof c->level, "normal");
	snprintf(c->ward_codes, sizeof c->ward_codes, "%s", ward);
	snprintf(c->agency, sizeof c->agency, "ubnd:%s", ward);
	store_case_set(&c->routing_reason, "test");
}

static void test_insert_get_contact(void **state)
{
	(void)state;
	struct store *s = open_or_die();
	const char *text = "Rác tồn đọng ở ngõ 5, gọi tôi số 0912345678 nhé";
	struct store_case c;
	fill(&c, text, "00070");
	c.n_attachments = 1;
	snprintf(c.attachments[0].url, sizeof c.attachments[0].url, "https://example.org/a.jpg");
	snprintf(c.attachments[0].media_type, sizeof c.attachments[0].media_type, "image/jpeg");
	c.attachments[0].size = 1234;
	struct store_case_contact ct = {.name = "Nguyễn Văn An", .phone = "0912345678",
					.email = "an@example.org", .address = "Số 3 ngõ 5, Hoàn Kiếm"};
	assert_int_equal(store_case_insert(s, &c, &ct, "test", 1764288000), TD_OK);
	assert_true(c.id > 0);
	assert_int_equal(strlen(c.number), 11);
	assert_true(strlen(c.token) >= 20);

	struct store_case g;
	assert_int_equal(store_case_get(s, c.number, &g), TD_OK);
	assert_string_equal(g.text, text); /* never altered */
	assert_null(strstr(g.public_text, "0912345678"));
	assert_non_null(strstr(g.public_text, "Rác tồn đọng"));
	assert_int_equal(g.n_attachments, 1);
	assert_int_equal(g.attachments[0].size, 1234);
	assert_int_equal(g.status, STORE_CASE_RECEIVED);
	store_case_release(&g);
	assert_int_equal(store_case_get_by_token(s, c.token, &g), TD_OK);
	assert_int_equal(g.id, c.id);
	store_case_release(&g);

	/* the contact is in its own table, not in the case row */
	sqlite3 *db;
	char path[128];
	snprintf(path, sizeof path, "%s/tongdai.db", dir);
	assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
	sqlite3_stmt *st;
	assert_int_equal(sqlite3_prepare_v2(db,
					    "SELECT count(*) FROM pakn_case WHERE public_text LIKE"
					    " '%0912345678%' OR location LIKE '%Nguyễn%'",
					    -1, &st, NULL),
			 SQLITE_OK);
	assert_int_equal(sqlite3_step(st), SQLITE_ROW);
	assert_int_equal(sqlite3_column_int(st, 0), 0);
	sqlite3_finalize(st);
	sqlite3_close(db);

	struct store_case_contact got, masked;
	assert_int_equal(store_case_contact_get(s, c.id, &got), TD_OK);
	assert_string_equal(got.phone, "0912345678");
	store_case_contact_mask(&got, &masked);
	assert_null(strstr(masked.phone, "345"));
	assert_null(strstr(masked.name, "Văn"));
	assert_null(strstr(masked.email, "an@"));
	assert_null(strstr(masked.address, "ngõ 5"));
	store_case_release(&c);
	store_close(s);
}

static int count_events(const struct store_case_event *e, void *ctx)
{
	(void)e;
	(*(int *)ctx)++;
	return 0;
}

static int count_cases(const struct store_case *c, void *ctx)
{
	(void)c;
	(*(int *)ctx)++;
	return 0;
}

static void test_status_history_list(void **state)
{
	(void)state;
	struct store *s = open_or_die();
	struct store_case c;
	fill(&c, "Đèn đường hỏng", "00097");
	assert_int_equal(store_case_insert(s, &c, NULL, "test", 1764288000), TD_OK);
	assert_int_equal(store_case_status_set(s, c.number, STORE_CASE_ANSWERED, "x", "t", 1764288100),
			 TD_ERR_INVAL); /* received -> answered is not allowed */
	assert_int_equal(store_case_status_set(s, c.number, STORE_CASE_ACCEPTED, NULL, "cb", 1764288100),
			 TD_OK);
	assert_int_equal(store_case_status_set(s, c.number, STORE_CASE_ASSIGNED, "Giao phường", "cb",
					       1764288200),
			 TD_OK);
	assert_int_equal(store_case_status_set(s, c.number, STORE_CASE_ANSWERED, "Đã sửa", "cb",
					       1764288300),
			 TD_OK);
	assert_int_equal(store_case_status_set(s, c.number, STORE_CASE_CLOSED, NULL, "cb", 1764288400),
			 TD_OK);
	assert_int_equal(store_case_status_set(s, c.number, STORE_CASE_IN_PROGRESS, NULL, "cb",
					       1764288500),
			 TD_ERR_INVAL); /* closed is final */
	assert_int_equal(store_case_status_set(s, "00000000000", STORE_CASE_ACCEPTED, NULL, "cb", 1),
			 TD_ERR_NOTFOUND);
	int n = 0;
	assert_int_equal(store_case_history(s, c.id, count_events, &n), TD_OK);
	assert_int_equal(n, 5);
	assert_false(store_case_status_is_open(STORE_CASE_CLOSED));
	assert_true(store_case_status_is_open(STORE_CASE_ASSIGNED));

	struct store_case_filter f = {.ward = "00097"};
	n = 0;
	size_t total = 0;
	assert_int_equal(store_case_list(s, &f, count_cases, &n, &total), TD_OK);
	assert_int_equal(n, 1);
	assert_int_equal(total, 1);
	f.ward = "0009"; /* a prefix of a code is not the code */
	n = 0;
	assert_int_equal(store_case_list(s, &f, count_cases, &n, NULL), TD_OK);
	assert_int_equal(n, 0);
	struct store_case_filter g = {.open_only = true};
	n = 0;
	assert_int_equal(store_case_list(s, &g, count_cases, &n, NULL), TD_OK);
	struct store_case_filter h = {.closed_only = true};
	int m = 0;
	assert_int_equal(store_case_list(s, &h, count_cases, &m, NULL), TD_OK);
	assert_int_equal(m, 1);
	store_case_release(&c);
	store_close(s);
}

static void test_apikeys(void **state)
{
	(void)state;
	struct store *s = open_or_die();
	char key[64], name[64];
	bool ok;
	assert_int_equal(store_case_apikey_add(s, "ihanoi", 1, key, sizeof key), TD_OK);
	assert_int_equal(strlen(key), 43);
	assert_int_equal(store_case_apikey_check(s, key, &ok, name, sizeof name), TD_OK);
	assert_true(ok);
	assert_string_equal(name, "ihanoi");
	assert_int_equal(store_case_apikey_check(s, "nope", &ok, NULL, 0), TD_OK);
	assert_false(ok);
	assert_int_equal(store_case_apikey_check(s, NULL, &ok, NULL, 0), TD_OK);
	assert_false(ok);
	size_t n;
	assert_int_equal(store_case_apikey_revoke(s, "ihanoi", 2, &n), TD_OK);
	assert_int_equal(n, 1);
	assert_int_equal(store_case_apikey_check(s, key, &ok, NULL, 0), TD_OK);
	assert_false(ok);
	store_close(s);
}

/* ---- group commit under concurrent submitters ---------------------------- */

#define THREADS 6
#define PER_THREAD 40

struct sub_arg {
	struct store_case_writer *w;
	char numbers[PER_THREAD][STORE_CASE_NUMBER_MAX + 1];
	int failures;
};

static void *submitter(void *p)
{
	struct sub_arg *a = p;
	for (int i = 0; i < PER_THREAD; i++) {
		struct store_case c;
		fill(&c, "Nước thải tràn ra đường", "00070");
		struct store_case_contact ct = {.name = "A", .phone = "0900000000"};
		if (store_case_writer_submit(a->w, &c, &ct, "t", 1764288000 + i, 5000) != TD_OK)
			a->failures++;
		memcpy(a->numbers[i], c.number, sizeof a->numbers[i]);
		store_case_release(&c);
	}
	return NULL;
}

static int committed_calls;
static void on_written(void *ctx, const struct store_case *c)
{
	(void)ctx;
	(void)c;
	committed_calls++; /* writer thread only */
}

static void test_group_commit(void **state)
{
	(void)state;
	char err[256];
	struct store_case_writer *w;
	struct store_case_hooks hooks = {.committed = on_written};
	assert_int_equal(store_case_writer_new(dir, 64, 32, &hooks, &w, err, sizeof err), TD_OK);
	static struct sub_arg args[THREADS];
	pthread_t th[THREADS];
	for (int i = 0; i < THREADS; i++) {
		memset(&args[i], 0, sizeof args[i]);
		args[i].w = w;
		assert_int_equal(pthread_create(&th[i], NULL, submitter, &args[i]), 0);
	}
	for (int i = 0; i < THREADS; i++)
		pthread_join(th[i], NULL);
	struct store_case_writer_stats st;
	store_case_writer_stats(w, &st);
	store_case_writer_free(w);
	assert_int_equal(st.cases, THREADS * PER_THREAD);
	assert_int_equal(committed_calls, THREADS * PER_THREAD);
	assert_true(st.batches <= st.cases);
	struct store *s = open_or_die();
	for (int i = 0; i < THREADS; i++) {
		assert_int_equal(args[i].failures, 0);
		for (int k = 0; k < PER_THREAD; k++) {
			struct store_case c;
			assert_int_equal(store_case_get(s, args[i].numbers[k], &c), TD_OK);
			store_case_release(&c);
			for (int j = 0; j < k; j++) /* numbers are unique */
				assert_string_not_equal(args[i].numbers[j], args[i].numbers[k]);
		}
	}
	store_close(s);
}

/* ---- duplicates ----------------------------------------------------------- */

static void test_duplicates(void **state)
{
	(void)state;
	const char *a = "Rác thải tồn đọng ở ngõ 12 phố Hàng Bông từ 3 ngày nay, bốc mùi hôi thối";
	const char *b = "Rac thai ton dong o ngo 12 pho Hang Bong tu 3 ngay nay boc mui";
	const char *c = "Karaoke hát to quá nửa đêm ở số 5 Lý Thường Kiệt";
	assert_true(pakn_dup_similarity(a, b) >= 0.5);
	assert_true(pakn_dup_similarity(a, c) < 0.2);
	assert_true(pakn_dup_similarity(a, a) > 0.99);
	assert_true(pakn_dup_similarity("", a) == 0);

	struct pakn_dup_index *ix = pakn_dup_index_new(NULL);
	int64_t t = 1764288000;
	pakn_dup_add(ix, 1, "25112800010", "ve-sinh-moi-truong", "00070", t, a);
	pakn_dup_add(ix, 2, "25112800029", "tieng-on", "00070", t, c);
	pakn_dup_add(ix, 3, "x", "ve-sinh-moi-truong", "00070,00071", t, a); /* ambiguous: skipped */
	assert_int_equal(pakn_dup_count(ix), 2);
	struct pakn_dup_match m;
	assert_true(pakn_dup_find(ix, "ve-sinh-moi-truong", "00070", t + 3600, b, NULL, NULL, &m));
	assert_int_equal(m.id, 1);
	assert_string_equal(m.number, "25112800010");
	/* other ward, other category, too late, unlike text */
	assert_false(pakn_dup_find(ix, "ve-sinh-moi-truong", "00097", t + 60, b, NULL, NULL, &m));
	assert_false(pakn_dup_find(ix, "tieng-on", "00070", t + 60, b, NULL, NULL, &m));
	assert_false(pakn_dup_find(ix, "ve-sinh-moi-truong", "00070", t + 8 * 86400, b, NULL, NULL,
				   &m));
	assert_false(pakn_dup_find(ix, "ve-sinh-moi-truong", "00070", t + 60, c, NULL, NULL, &m));
	pakn_dup_remove(ix, 1);
	assert_false(pakn_dup_find(ix, "ve-sinh-moi-truong", "00070", t + 60, b, NULL, NULL, &m));
	pakn_dup_index_free(ix);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_numbers),
		cmocka_unit_test_setup_teardown(test_insert_get_contact, setup, teardown),
		cmocka_unit_test_setup_teardown(test_status_history_list, setup, teardown),
		cmocka_unit_test_setup_teardown(test_apikeys, setup, teardown),
		cmocka_unit_test_setup_teardown(test_group_commit, setup, teardown),
		cmocka_unit_test(test_duplicates),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
