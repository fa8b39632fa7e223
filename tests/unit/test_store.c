/* test_store.c - the SQLite store: versions, history, filters, reopen. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "base/alloc.h"
#include "kb/kb.h"
#include "store/store.h"

static char dir[64];

static int setup(void **state)
{
	(void)state;
	snprintf(dir, sizeof dir, "/tmp/td_store_XXXXXX");
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

static struct kb_procedure *make(const char *code, const char *name, const char *field,
				 const char *level)
{
	struct kb_procedure *p = kb_procedure_new();
	p->code = td_strdup(code);
	p->name = td_strdup(name);
	p->field = td_strdup(field);
	kb_strlist_add(&p->levels, level);
	p->as_of = td_strdup("2026-11-28");
	struct kb_channel *c = kb_procedure_add_channel(p, KB_CHANNEL_DIRECT);
	c->duration.has_value = true;
	c->duration.value = 5;
	c->duration.unit = KB_UNIT_WORKING_DAYS;
	c->duration.text = td_strdup("05 ngày làm việc");
	c->fee.has_amount = true;
	c->fee.amount_vnd = 50000;
	c->fee.amount = 50000;
	c->fee.currency = td_strdup("VND");
	c->fee.text = td_strdup("50.000 đồng");
	return p;
}

static struct store *open_or_die(void)
{
	struct store *s;
	char err[256];
	td_err rc = store_open(dir, &s, err, sizeof err);
	if (rc)
		fail_msg("store_open: %s", err);
	return s;
}

static void test_versions_and_history(void **state)
{
	(void)state;
	struct store *s = open_or_die();
	assert_string_equal(store_backend(s), "sqlite");
	assert_true(store_schema_version(s) >= 1);

	struct kb_procedure *p = make("1.001193", "Đăng ký khai sinh", "Hộ tịch", "Cấp xã");
	enum store_put_result r;
	assert_int_equal(store_procedure_put(s, p, "alice", &r), TD_OK);
	assert_int_equal(r, STORE_PUT_INSERTED);
	assert_int_equal(store_procedure_put(s, p, "alice", &r), TD_OK);
	assert_int_equal(r, STORE_PUT_UNCHANGED);

	p->channels[0].fee.amount_vnd = 60000;
	td_free(p->channels[0].fee.text);
	p->channels[0].fee.text = td_strdup("60.000 đồng");
	assert_int_equal(store_procedure_put(s, p, "bob", &r), TD_OK);
	assert_int_equal(r, STORE_PUT_UPDATED);

	struct kb_procedure *got;
	assert_int_equal(store_procedure_get(s, "1.001193", &got), TD_OK);
	assert_int_equal(got->version, 2);
	assert_string_equal(got->updated_by, "bob");
	assert_true(got->channels[0].fee.amount_vnd == 60000);
	kb_procedure_free(got);

	struct kb_history_entry *h;
	size_t n;
	assert_int_equal(store_procedure_history(s, "1.001193", &h, &n), TD_OK);
	assert_int_equal(n, 2);
	assert_int_equal(h[0].version, 2);
	assert_string_equal(h[0].summary, "channels");
	assert_string_equal(h[1].changed_by, "alice");
	store_history_free(h, n);

	assert_int_equal(store_procedure_get_version(s, "1.001193", 1, &got), TD_OK);
	assert_true(got->channels[0].fee.amount_vnd == 50000);
	kb_procedure_free(got);

	assert_int_equal(store_procedure_get(s, "9.999999", &got), TD_ERR_NOTFOUND);
	assert_null(got);
	assert_int_equal(store_procedure_history(s, "9.999999", &h, &n), TD_ERR_NOTFOUND);
	kb_procedure_free(p);
	store_close(s);

	/* Everything survives closing and reopening. */
	s = open_or_die();
	assert_int_equal(store_procedure_get(s, "1.001193", &got), TD_OK);
	assert_int_equal(got->version, 2);
	kb_procedure_free(got);
	store_close(s);
}

static int count_fn(const struct kb_procedure *p, void *ctx)
{
	(void)p;
	(*(int *)ctx)++;
	return 0;
}

static void test_filters_fold_accents(void **state)
{
	(void)state;
	struct store *s = open_or_die();
	const char *rows[][4] = {
		{"1.000001", "A", "Hộ tịch", "Cấp xã"},
		{"1.000002", "B", "Hộ tịch", "Cấp tỉnh"},
		{"1.000003", "C", "Đất đai", "Cấp tỉnh"},
	};
	store_begin(s);
	for (int i = 0; i < 3; i++) {
		struct kb_procedure *p = make(rows[i][0], rows[i][1], rows[i][2], rows[i][3]);
		enum store_put_result r;
		assert_int_equal(store_procedure_put(s, p, "t", &r), TD_OK);
		kb_procedure_free(p);
	}
	assert_int_equal(store_commit(s), TD_OK);
	size_t total;
	assert_int_equal(store_procedure_count(s, &total), TD_OK);
	assert_true(total >= 3);

	int n = 0;
	struct store_filter f = {.field = "ho tich"};
	assert_int_equal(store_procedure_list(s, &f, count_fn, &n), TD_OK);
	assert_int_equal(n, 2 + 1 /* 1.001193 from the previous test */);
	n = 0;
	struct store_filter f2 = {.field = "ĐẤT ĐAI", .level = "cap tinh"};
	assert_int_equal(store_procedure_list(s, &f2, count_fn, &n), TD_OK);
	assert_int_equal(n, 1);
	n = 0;
	struct store_filter f3 = {.level = "Cấp xã", .limit = 1};
	assert_int_equal(store_procedure_list(s, &f3, count_fn, &n), TD_OK);
	assert_int_equal(n, 1);
	store_close(s);
}

static void test_rollback_leaves_nothing(void **state)
{
	(void)state;
	struct store *s = open_or_die();
	store_begin(s);
	struct kb_procedure *p = make("2.000009", "Z", "X", "Cấp xã");
	enum store_put_result r;
	assert_int_equal(store_procedure_put(s, p, "t", &r), TD_OK);
	assert_int_equal(store_rollback(s), TD_OK);
	struct kb_procedure *got;
	assert_int_equal(store_procedure_get(s, "2.000009", &got), TD_ERR_NOTFOUND);
	/* invalid records are refused */
	td_free(p->code);
	p->code = td_strdup("nope");
	assert_int_equal(store_procedure_put(s, p, "t", &r), TD_ERR_INVAL);
	kb_procedure_free(p);
	store_close(s);
}

static void test_bad_location(void **state)
{
	(void)state;
	struct store *s;
	char err[256];
	assert_int_not_equal(store_open("/proc/nope/dir", &s, err, sizeof err), TD_OK);
	assert_null(s);
	assert_non_null(strstr(err, "/proc/nope/dir"));
	assert_int_equal(store_open("postgresql://x", &s, err, sizeof err), TD_ERR_UNSUPPORTED);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_versions_and_history),
		cmocka_unit_test(test_filters_fold_accents),
		cmocka_unit_test(test_rollback_leaves_nothing),
		cmocka_unit_test(test_bad_location),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
