/*
 * fuzz_vn.c - fuzz target for the Vietnamese text module (src/text).
 *
 * Every input goes through the three transforms (strict and lossy), the
 * tokenizer, and the lexicon parser; the properties the unit tests check on
 * random input are checked here too, and a violation aborts so libFuzzer
 * reports it: output bounds, valid UTF-8, idempotent keys, fold of the
 * accented key equal to the folded key, tokens inside the input.  If the
 * input parses as a lexicon, it is also used to expand the input as a query.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/alloc.h"
#include "base/buf.h"
#include "text/vn.h"

#define CHECK(cond)                                                                 \
	do {                                                                        \
		if (!(cond)) {                                                      \
			fprintf(stderr, "fuzz_vn: check failed: %s (line %d)\n", #cond, \
				__LINE__);                                          \
			abort();                                                    \
		}                                                                   \
	} while (0)

static void same_after(td_err (*fn)(struct td_buf *, const char *, size_t, unsigned),
		       const struct td_buf *in, const struct td_buf *want)
{
	struct td_buf b;
	td_buf_init(&b, 1 << 26);
	CHECK(fn(&b, in->data ? in->data : "", in->len, 0) == TD_OK);
	CHECK(b.len == want->len);
	CHECK(b.len == 0 || memcmp(b.data, want->data, b.len) == 0);
	td_buf_release(&b);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *s = (const char *)data;
	struct td_buf nf, ak, fk;
	bool valid = vn_utf8_valid(s, size);
	unsigned flags = valid ? 0 : VN_LOSSY;

	if (size > (1 << 20))
		return 0;
	td_buf_init(&nf, 1 << 26);
	td_buf_init(&ak, 1 << 26);
	td_buf_init(&fk, 1 << 26);

	if (!valid)
		CHECK(vn_fold(&fk, s, size, 0) == TD_ERR_UTF8 && fk.len == 0);
	CHECK(vn_normalize(&nf, s, size, flags) == TD_OK);
	CHECK(vn_fold_case(&ak, s, size, flags) == TD_OK);
	CHECK(vn_fold(&fk, s, size, flags) == TD_OK);
	CHECK(nf.len <= 3 * size && ak.len <= 3 * size && fk.len <= 3 * size);
	CHECK(vn_utf8_valid(nf.data ? nf.data : "", nf.len));
	CHECK(vn_utf8_valid(ak.data ? ak.data : "", ak.len));
	CHECK(vn_utf8_valid(fk.data ? fk.data : "", fk.len));
	same_after(vn_normalize, &nf, &nf);
	same_after(vn_fold_case, &ak, &ak);
	same_after(vn_fold, &fk, &fk);
	same_after(vn_fold, &ak, &fk);
	same_after(vn_fold_case, &nf, &ak);

	struct vn_tokenizer t;
	struct vn_token tok;
	size_t last = 0;
	vn_tokenizer_init(&t, s, size);
	while (vn_tokenizer_next(&t, &tok)) {
		CHECK(tok.len > 0 && tok.start >= last && tok.start + tok.len <= size);
		last = tok.start + tok.len;
	}

	struct vn_lexicon *lex = NULL;
	char err[256];
	if (vn_lexicon_parse(&lex, s, size, "fuzz", err, sizeof err) == TD_OK) {
		struct td_buf q;
		td_buf_init(&q, 1 << 26);
		CHECK(vn_lexicon_expand(lex, &q, s, size, 0) == TD_OK);
		td_buf_clear(&q);
		CHECK(vn_lexicon_expand(lex, &q, s, size, VN_EXPAND_ACCENTED) == TD_OK);
		for (size_t i = 0; i < vn_lexicon_count(lex); i++) {
			const struct vn_lexicon_entry *e = vn_lexicon_entry_at(lex, i);
			CHECK(vn_lexicon_lookup(lex, e->term, strlen(e->term)) == e);
		}
		td_buf_release(&q);
		vn_lexicon_free(lex);
	} else {
		CHECK(lex == NULL);
	}

	td_buf_release(&nf);
	td_buf_release(&ak);
	td_buf_release(&fk);
	return 0;
}
