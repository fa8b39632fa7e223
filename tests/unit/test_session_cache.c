/* test_session_cache.c - the in-memory chat session cache: hit/miss,
 * expiry, bounded size with eviction, entries with a write in flight never
 * evicted (BUSY until settled, or forced and counted). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "http/session_cache.h"

#define T0 ((int64_t)1764316800)

static void entry(struct http_session_entry *e, int i, int64_t now)
{
	memset(e, 0, sizeof *e);
	snprintf(e->id, sizeof e->id, "id%06dAAAAAAAAAAAAAA", i);
	snprintf(e->channel, sizeof e->channel, "web");
	e->created_at = now;
	e->last_active = now;
	e->expires_at = now + 60;
	e->turns = (unsigned)i;
	e->dialog_len = 3;
	e->dialog[0] = 'd';
	e->dialog[1] = (unsigned char)i;
}

static void test_get_put_expiry(void **state)
{
	(void)state;
	struct http_session_cache *c = http_session_cache_new(100);
	struct http_session_entry e, got;
	entry(&e, 1, T0);
	assert_int_equal(http_session_cache_get(c, e.id, T0, &got), HTTP_SESSION_MISS);
	assert_int_equal(http_session_cache_put(c, &e, false, false), TD_OK);
	assert_int_equal(http_session_cache_get(c, e.id, T0 + 59, &got), HTTP_SESSION_LIVE);
	assert_string_equal(got.id, e.id);
	assert_int_equal(got.turns, 1);
	assert_int_equal(got.dialog_len, 3);
	assert_int_equal(got.dialog[1], 1);
	assert_int_equal(http_session_cache_get(c, e.id, T0 + 60, &got), HTTP_SESSION_EXPIRED);

	/* replace */
	e.turns = 7;
	e.expires_at = T0 + 120;
	assert_int_equal(http_session_cache_put(c, &e, true, false), TD_OK);
	assert_int_equal(http_session_cache_get(c, e.id, T0 + 60, &got), HTTP_SESSION_LIVE);
	assert_int_equal(got.turns, 7);

	e.dialog_len = HTTP_SESSION_DIALOG_MAX + 1;
	assert_int_equal(http_session_cache_put(c, &e, false, false), TD_ERR_INVAL);

	struct http_session_cache_stats st;
	http_session_cache_stats(c, &st);
	assert_int_equal(st.entries, 1);
	assert_int_equal(st.misses, 1);
	assert_int_equal(st.hits, 3);
	http_session_cache_free(c);
}

static void test_bounded(void **state)
{
	(void)state;
	struct http_session_cache *c = http_session_cache_new(1000);
	struct http_session_cache_stats st;
	http_session_cache_stats(c, &st);
	size_t cap = st.capacity;
	assert_true(cap >= 1000 && cap < 1000 + 16 * HTTP_SESSION_CACHE_WAYS);
	struct http_session_entry e;
	for (int i = 0; i < 20000; i++) {
		entry(&e, i, T0);
		assert_int_equal(http_session_cache_put(c, &e, false, false), TD_OK);
	}
	http_session_cache_stats(c, &st);
	assert_int_equal(st.entries, cap);
	assert_int_equal(st.evictions, 20000 - cap);
	assert_int_equal(st.forced_evictions, 0);
	/* the most recent one is still there */
	struct http_session_entry got;
	assert_int_equal(http_session_cache_get(c, e.id, T0, &got), HTTP_SESSION_LIVE);
	http_session_cache_free(c);
}

static void test_pending_not_evicted(void **state)
{
	(void)state;
	struct http_session_cache *c = http_session_cache_new(1); /* 16 sets of 16 */
	struct http_session_entry e;
	int busy_at = -1;
	for (int i = 0; i < 10000 && busy_at < 0; i++) {
		entry(&e, i, T0);
		if (http_session_cache_put(c, &e, true, false) == TD_ERR_BUSY)
			busy_at = i;
	}
	assert_true(busy_at >= 16 * HTTP_SESSION_CACHE_WAYS / 2);
	/* every entry put so far is still there: none was evicted */
	struct http_session_entry got;
	for (int i = 0; i < busy_at; i++) {
		entry(&e, i, T0);
		assert_int_equal(http_session_cache_get(c, e.id, T0, &got), HTTP_SESSION_LIVE);
	}
	/* forced: goes in, counted */
	entry(&e, busy_at, T0);
	assert_int_equal(http_session_cache_put(c, &e, true, true), TD_OK);
	struct http_session_cache_stats st;
	http_session_cache_stats(c, &st);
	assert_int_equal(st.forced_evictions, 1);

	/* once settled, the entries may go */
	for (int i = 0; i <= busy_at; i++) {
		entry(&e, i, T0);
		http_session_cache_settle(c, e.id);
	}
	entry(&e, 99999, T0);
	assert_int_equal(http_session_cache_put(c, &e, true, false), TD_OK);

	/* expired entries go first, even if more recently used */
	http_session_cache_free(c);
	c = http_session_cache_new(1);
	for (int i = 0; i < 5000; i++) {
		entry(&e, i, T0);
		http_session_cache_put(c, &e, false, false);
	}
	entry(&e, 123456, T0 + 3600); /* all others have expired by now */
	assert_int_equal(http_session_cache_put(c, &e, true, false), TD_OK);
	http_session_cache_free(c);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_get_put_expiry),
		cmocka_unit_test(test_bounded),
		cmocka_unit_test(test_pending_not_evicted),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
