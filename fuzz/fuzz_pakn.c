/*
 * fuzz_pakn.c - arbitrary bytes through the PAKN classifier (src/pakn).
 *
 * The input is classified whole and in two halves; properties checked (a
 * violation aborts so libFuzzer reports it): TD_OK, a known category slug,
 * confidence in 0..1, a known level, urgent whenever an emergency, emergency
 * numbers present exactly when an emergency, reasons NUL-terminated valid
 * UTF-8, and the same answer twice (determinism).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pakn/pakn.h"
#include "text/vn.h"

#define CHECK(cond)                                                                   \
	do {                                                                          \
		if (!(cond)) {                                                        \
			fprintf(stderr, "fuzz_pakn: check failed: %s (line %d)\n", #cond, \
				__LINE__);                                            \
			abort();                                                      \
		}                                                                     \
	} while (0)

static struct pakn_model *model;

static void check(const char *s, size_t n)
{
	struct pakn_classification a, b;
	CHECK(pakn_classify(model, s, n, &a) == TD_OK);
	bool known = false;
	for (size_t i = 0; i < pakn_category_count(); i++)
		known |= strcmp(a.category, pakn_category_slug(i)) == 0;
	CHECK(known);
	CHECK(a.confidence >= 0.0 && a.confidence <= 1.0);
	CHECK((unsigned)a.level <= PAKN_LEVEL_COMPLEX);
	CHECK(!a.emergency || a.level == PAKN_LEVEL_URGENT);
	CHECK(a.emergency == (a.emergency_numbers[0] != '\0'));
	CHECK(a.n_reasons <= PAKN_REASONS_MAX);
	for (size_t i = 0; i < a.n_reasons; i++) {
		size_t len = strnlen(a.reasons[i], sizeof a.reasons[i]);
		CHECK(len < sizeof a.reasons[i]);
		CHECK(vn_utf8_valid(a.reasons[i], len));
	}
	CHECK(pakn_classify(model, s, n, &b) == TD_OK);
	CHECK(memcmp(&a, &b, sizeof a) == 0);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (!model) {
		char err[512];
		const char *src = getenv("TD_SOURCE_DIR");
		if (pakn_model_load(&model, src ? src : TD_SOURCE_DIR, err, sizeof err) != TD_OK) {
			fprintf(stderr, "fuzz_pakn: %s\n", err);
			abort();
		}
	}
	check((const char *)data, size);
	check((const char *)data, size / 2);
	check((const char *)data + size / 2, size - size / 2);
	return 0;
}
