/*
 * fuzz_search.c - fuzz target for the search engine's query path.
 *
 * A small index (a handful of procedures, a lexicon with multi-syllable and
 * filler-only terms, a stop list) is built once; every input is then used
 * as a question (whole, and split at the first byte 0x00 into a question
 * for a second, smaller index, so two indexes share one scratch), and once
 * more as a stop-word file and a lexicon to exercise those parsers.  The
 * invariants checked: hits are sorted, scores and ratios are finite and in
 * range, records are the index's own.  Seeds in fuzz/corpus/fuzz_search/.
 */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "base/alloc.h"
#include "kb/kb.h"
#include "search/search.h"
#include "text/vn.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char *const names[] = {
	"Thủ tục đăng ký khai sinh", "Thủ tục đăng ký kết hôn", "Cấp hộ chiếu phổ thông",
	"Đổi giấy phép lái xe",      "Cấp giấy phép xây dựng",  "Xóa đăng ký tạm trú",
	"Cấp số nhà",                "Đăng ký thành lập công ty TNHH hai thành viên trở lên",
};
#define NN (sizeof names / sizeof *names)

static struct kb_procedure *procs[NN];
static struct search_index *ix, *ix_small;
static struct search_scratch *scratch;

static void setup(void)
{
	static const char lex[] = "CCCD\tcăn cước công dân\tabbrev\n"
				  "TNHH\ttrách nhiệm hữu hạn\tabbrev\n"
				  "sổ đỏ\tgiấy chứng nhận quyền sử dụng đất\teveryday\n"
				  "ntn\tnhư thế nào\tchat\n";
	static const char stop[] = "alo\ndạ\nạ\ncho em hỏi\nthế nào\nnhư thế nào\nlàm\n";
	struct vn_lexicon *l = NULL;
	struct search_stopwords *s = NULL;
	vn_lexicon_parse(&l, lex, sizeof lex - 1, "fuzz", NULL, 0);
	search_stopwords_parse(&s, stop, sizeof stop - 1, "fuzz", NULL, 0);
	for (size_t i = 0; i < NN; i++) {
		procs[i] = kb_procedure_new();
		procs[i]->code = td_strdup("1.000001");
		procs[i]->name = td_strdup(names[i]);
		procs[i]->steps = td_strdup("Bước 1: nộp hồ sơ. Bước 2: nhận kết quả.");
	}
	if (search_index_build(procs, NN, l, s, &ix) != TD_OK ||
	    search_index_build(procs, 2, NULL, NULL, &ix_small) != TD_OK)
		abort();
	vn_lexicon_free(l);
	search_stopwords_free(s);
	scratch = search_scratch_new();
}

static void check(const struct search_index *x, const char *q, size_t n)
{
	struct search_hit h[NN];
	struct search_info info;
	size_t k = search_query_ex(x, scratch, q, n, h, NN, &info);
	if (k > search_index_count(x))
		abort();
	for (size_t i = 0; i < k; i++) {
		if (!isfinite(h[i].score) || h[i].score < 0 || h[i].norm < 0 ||
		    h[i].norm > 1.0001 || h[i].query_cover < 0 || h[i].query_cover > 1 ||
		    h[i].title_cover < 0 || h[i].title_cover > 1 ||
		    h[i].proc != search_index_record(x, h[i].doc))
			abort();
		if (i && h[i - 1].score < h[i].score)
			abort();
	}
	if (!isfinite(info.max_score) || info.margin < 0 || info.margin > 1)
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (!ix)
		setup();
	const char *q = (const char *)data;
	check(ix, q, size);
	const uint8_t *nul = memchr(data, 0, size);
	if (nul)
		check(ix_small, q, (size_t)(nul - data));
	struct search_hit h[2];
	search_query(ix, q, size, h, 2);

	if (size <= 65536) {
		struct search_stopwords *s = NULL;
		if (search_stopwords_parse(&s, q, size, "fuzz", NULL, 0) == TD_OK)
			search_stopwords_free(s);
	}
	return 0;
}
