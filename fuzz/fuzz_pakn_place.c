/*
 * fuzz_pakn_place.c - fuzz target for the place resolver, the router and
 * the completeness check (src/pakn/place.c, route.c, complete.c).
 *
 * The index and routing table are loaded once from the source tree.  Each
 * input is resolved; the properties are checked and a violation aborts so
 * libFuzzer reports it: candidates bounded, sorted, unique and real 5-digit
 * codes of the index; the span inside the input; the reason NUL-terminated;
 * ambiguous exactly when there are several candidates; a "ward" decision
 * only with exactly one candidate.  The same input is also routed for every
 * category and checked for missing fields.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pakn/complete.h"
#include "pakn/place.h"
#include "pakn/route.h"

#define CHECK(cond)                                                                        \
	do {                                                                               \
		if (!(cond)) {                                                             \
			fprintf(stderr, "fuzz_pakn_place: check failed: %s (line %d)\n", #cond, \
				__LINE__);                                                 \
			abort();                                                           \
		}                                                                          \
	} while (0)

static struct place_index *ix;
static struct route_table *rt;
static struct place_result res;

static void load_once(void)
{
	if (ix)
		return;
	const char *dir = getenv("TD_SOURCE_DIR");
	char err[512];
	if (place_index_load(&ix, dir ? dir : TD_SOURCE_DIR, err, sizeof err) != TD_OK ||
	    route_table_load(&rt, dir ? dir : TD_SOURCE_DIR, err, sizeof err) != TD_OK) {
		fprintf(stderr, "fuzz_pakn_place: %s\n", err);
		abort();
	}
	place_result_init(&res);
}

static const char *const categories[] = {"trat-tu-do-thi", "ha-tang-giao-thong",
					 "khieu-nai-to-cao", "khac", "dat-dai", "nope"};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	load_once();
	const char *text = (const char *)data;
	CHECK(place_resolve(ix, text, size, &res) == TD_OK);
	CHECK(res.n <= PLACE_CODES_MAX);
	CHECK(res.ambiguous == (res.n > 1));
	CHECK(memchr(res.reason, '\0', sizeof res.reason) != NULL);
	if (res.n) {
		CHECK(res.span_len > 0 && res.span_start + res.span_len <= size);
		CHECK(res.how != PLACE_NONE);
	} else {
		CHECK(res.how == PLACE_NONE && res.span_len == 0);
	}
	for (size_t i = 0; i < res.n; i++) {
		const struct place_unit *u = place_index_unit_by_code(ix, res.cand[i].code);
		CHECK(u != NULL && u->name == res.cand[i].name);
		if (i)
			CHECK(strcmp(res.cand[i - 1].code, res.cand[i].code) < 0);
	}
	for (size_t c = 0; c < sizeof categories / sizeof categories[0]; c++) {
		struct route_decision d;
		CHECK(route_decide(rt, categories[c], &res, text, size, &d) == TD_OK);
		CHECK(memchr(d.reason, '\0', sizeof d.reason) != NULL);
		if (strncmp(d.agency, "ubnd:", 5) == 0)
			CHECK(res.n == 1 && strcmp(d.agency + 5, res.cand[0].code) == 0);
		CHECK(d.n_candidates == (d.status == ROUTE_CONFIRM_PLACE ? res.n : 0));
	}
	struct pakn_missing m;
	CHECK(pakn_missing(text, size, NULL, true, res.n > 0, &m) == TD_OK);
	CHECK(m.n <= PAKN_MISSING_MAX);
	CHECK(memchr(m.name, '\0', sizeof m.name) && memchr(m.phone, '\0', sizeof m.phone));
	return 0;
}
