/* test_search.c - the procedure search engine: ranking with and without
 * diacritics, abbreviations and everyday names, typos, fillers, scores,
 * odd inputs, the snapshot holder under concurrent readers. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <pthread.h>
#include <stdatomic.h>

#include <cmocka.h>

#include "base/alloc.h"
#include "kb/kb.h"
#include "search/search.h"
#include "text/vn.h"

/* ------------------------------------------------------------------------- */
/* A small, realistic corpus                                                  */
/* ------------------------------------------------------------------------- */

struct rec {
	const char *code, *name, *field, *agency, *result, *steps, *dossier;
};

static const struct rec corpus[] = {
	{"1.001193", "Thủ tục đăng ký khai sinh", "Hộ tịch", "Ủy ban nhân dân cấp xã",
	 "Giấy khai sinh", "Người đi đăng ký khai sinh nộp tờ khai theo mẫu và giấy chứng sinh.",
	 "Tờ khai đăng ký khai sinh"},
	{"1.000894", "Thủ tục đăng ký kết hôn", "Hộ tịch", "Ủy ban nhân dân cấp xã",
	 "Giấy chứng nhận kết hôn",
	 "Hai bên nam, nữ nộp tờ khai đăng ký kết hôn và có mặt khi đăng ký.",
	 "Tờ khai đăng ký kết hôn"},
	{"1.000656", "Thủ tục đăng ký khai tử", "Hộ tịch", "Ủy ban nhân dân cấp xã",
	 "Trích lục khai tử", "Người thân nộp tờ khai và giấy báo tử.", "Giấy báo tử"},
	{"2.001346", "Cấp hộ chiếu phổ thông ở trong nước", "Xuất nhập cảnh",
	 "Phòng Quản lý xuất nhập cảnh Công an tỉnh", "Hộ chiếu phổ thông",
	 "Công dân nộp tờ khai đề nghị cấp hộ chiếu, ảnh chân dung.", "Tờ khai đề nghị cấp hộ chiếu"},
	{"3.000347", "Đổi giấy phép lái xe", "Đường bộ", "Sở Xây dựng", "Giấy phép lái xe",
	 "Người có giấy phép lái xe hết hạn hoặc hỏng nộp đơn đề nghị đổi giấy phép lái xe.",
	 "Đơn đề nghị đổi giấy phép lái xe"},
	{"1.012787",
	 "Đăng ký, cấp Giấy chứng nhận quyền sử dụng đất, quyền sở hữu tài sản gắn liền với đất lần đầu",
	 "Đất đai", "Văn phòng đăng ký đất đai",
	 "Giấy chứng nhận quyền sử dụng đất, quyền sở hữu tài sản gắn liền với đất",
	 "Người sử dụng đất nộp đơn đăng ký đất đai, tài sản gắn liền với đất.",
	 "Đơn đăng ký đất đai, tài sản gắn liền với đất"},
	{"1.013225", "Cấp giấy phép xây dựng mới đối với nhà ở riêng lẻ", "Hoạt động xây dựng",
	 "Ủy ban nhân dân cấp xã", "Giấy phép xây dựng",
	 "Chủ đầu tư nộp đơn đề nghị cấp giấy phép xây dựng kèm bản vẽ thiết kế.",
	 "Bản vẽ thiết kế xây dựng"},
	{"2.001199", "Đăng ký thành lập công ty TNHH hai thành viên trở lên",
	 "Thành lập và hoạt động doanh nghiệp", "Phòng Đăng ký kinh doanh",
	 "Giấy chứng nhận đăng ký doanh nghiệp",
	 "Người thành lập doanh nghiệp nộp hồ sơ đăng ký doanh nghiệp.", "Điều lệ công ty"},
	{"1.001612", "Đăng ký thành lập hộ kinh doanh", "Thành lập và hoạt động của hộ kinh doanh",
	 "Phòng Kinh tế cấp xã", "Giấy chứng nhận đăng ký hộ kinh doanh",
	 "Chủ hộ kinh doanh nộp giấy đề nghị đăng ký hộ kinh doanh.",
	 "Giấy đề nghị đăng ký hộ kinh doanh"},
	{"1.014067", "Cấp thẻ căn cước cho công dân từ đủ 14 tuổi trở lên", "Căn cước",
	 "Công an cấp xã", "Thẻ căn cước", "Công dân đến cơ quan quản lý căn cước để được cấp thẻ.",
	 "Tờ khai căn cước"},
	{"1.010028", "Xóa đăng ký tạm trú", "Đăng ký, quản lý cư trú", "Công an cấp xã",
	 "Thông báo xóa đăng ký tạm trú", "Người thuộc trường hợp xóa đăng ký tạm trú nộp hồ sơ.",
	 "Tờ khai thay đổi thông tin cư trú"},
	{"1.004194", "Cấp số nhà", "Quản lý nhà", "Ủy ban nhân dân cấp xã", "Giấy chứng nhận số nhà",
	 "Chủ nhà nộp đơn đề nghị cấp số nhà.", "Đơn đề nghị cấp số nhà"},
};

#define NCORPUS (sizeof corpus / sizeof *corpus)

static const char *lexicon_text =
	"CCCD\tcăn cước công dân|thẻ căn cước|căn cước\tabbrev\n"
	"GPLX\tgiấy phép lái xe\tabbrev\n"
	"TNHH\ttrách nhiệm hữu hạn\tabbrev\n"
	"bằng lái\tgiấy phép lái xe\teveryday\n"
	"sổ đỏ\tgiấy chứng nhận quyền sử dụng đất\teveryday\n"
	"làm passport\tcấp hộ chiếu phổ thông\teveryday\n"
	"passport\thộ chiếu\teveryday\n"
	"ntn\tnhư thế nào\tchat\n"
	"đk\tđăng ký\tchat\n";

static const char *stop_text = "# test fillers\n"
			       "alo\ndạ\nạ\nà\nừm\nvâng\nnhé\ncho em hỏi\ncho tôi hỏi\nem\ntôi\n"
			       "làm sao\nthế nào\nnhư thế nào\nthì\nlà\ncó\nkhông\nvới\nmuốn\n"
			       "làm\nthủ tục\ngì\nở đâu\n";

static struct kb_procedure *make_rec(const struct rec *r)
{
	struct kb_procedure *p = kb_procedure_new();
	p->code = td_strdup(r->code);
	p->name = td_strdup(r->name);
	p->field = td_strdup(r->field);
	p->agency = td_strdup(r->agency);
	p->result = td_strdup(r->result);
	p->steps = td_strdup(r->steps);
	struct kb_dossier_item *d = kb_procedure_add_dossier(p);
	d->name = td_strdup(r->dossier);
	return p;
}

struct fixture {
	struct kb_procedure *procs[NCORPUS];
	struct vn_lexicon *lex;
	struct search_stopwords *stop;
	struct search_index *ix;
};

static int setup(void **state)
{
	struct fixture *f = td_calloc(1, sizeof *f);
	for (size_t i = 0; i < NCORPUS; i++)
		f->procs[i] = make_rec(&corpus[i]);
	kb_strlist_add(&f->procs[4]->aliases, "đổi bằng lái xe");
	char err[256];
	if (vn_lexicon_parse(&f->lex, lexicon_text, strlen(lexicon_text), "test", err,
			     sizeof err) != TD_OK)
		return -1;
	if (search_stopwords_parse(&f->stop, stop_text, strlen(stop_text), "test", err,
				   sizeof err) != TD_OK)
		return -1;
	if (search_index_build(f->procs, NCORPUS, f->lex, f->stop, &f->ix) != TD_OK)
		return -1;
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;
	search_index_unref(f->ix);
	search_stopwords_free(f->stop);
	vn_lexicon_free(f->lex);
	for (size_t i = 0; i < NCORPUS; i++)
		kb_procedure_free(f->procs[i]);
	td_free(f);
	return 0;
}

/* The code of the top hit for q, or "" when nothing matched. */
static const char *top(const struct search_index *ix, const char *q)
{
	struct search_hit h[5];
	size_t n = search_query(ix, q, strlen(q), h, 5);
	return n ? h[0].proc->code : "";
}

/* ------------------------------------------------------------------------- */

static void test_accented_and_folded(void **state)
{
	struct fixture *f = *state;
	assert_string_equal(top(f->ix, "đăng ký khai sinh"), "1.001193");
	assert_string_equal(top(f->ix, "dang ky khai sinh"), "1.001193");
	assert_string_equal(top(f->ix, "ĐĂNG KÝ KHAI SINH"), "1.001193");
	assert_string_equal(top(f->ix, "Dang Ky Ket Hon"), "1.000894");
	assert_string_equal(top(f->ix, "xoa dang ky tam tru"), "1.010028");
	/* decomposed (NFD) input meets the same key */
	assert_string_equal(top(f->ix, "\x44\xc4\x83ng ky\xcc\x81 khai tu\xcc\x89"), "1.000656");
}

static void test_ranking_order(void **state)
{
	struct fixture *f = *state;
	struct search_hit h[NCORPUS];
	size_t n = search_query(f->ix, "đăng ký kết hôn", strlen("đăng ký kết hôn"), h, NCORPUS);
	assert_true(n >= 3);
	assert_string_equal(h[0].proc->code, "1.000894");
	for (size_t i = 1; i < n; i++) {
		assert_true(h[i - 1].score >= h[i].score);
		assert_true(h[i].norm >= 0 && h[i].norm <= 1.0 + 1e-9);
		assert_true(h[i].query_cover >= 0 && h[i].query_cover <= 1.0 + 1e-9);
		assert_true(h[i].title_cover >= 0 && h[i].title_cover <= 1.0 + 1e-9);
	}
	/* max smaller than the matches: still the best ones, best first */
	struct search_hit h2[2];
	size_t n2 = search_query(f->ix, "đăng ký kết hôn", strlen("đăng ký kết hôn"), h2, 2);
	assert_int_equal(n2, 2);
	assert_string_equal(h2[0].proc->code, h[0].proc->code);
	assert_string_equal(h2[1].proc->code, h[1].proc->code);
	assert_int_equal(search_query(f->ix, "kết hôn", strlen("kết hôn"), h2, 0), 0);
}

static void test_exact_accent_bonus(void **state)
{
	struct fixture *f = *state;
	/* "số nhà" and "sổ" fold alike; the accented question prefers the
	 * record with the same accents */
	struct search_hit h[3];
	size_t n = search_query(f->ix, "cấp số nhà", strlen("cấp số nhà"), h, 3);
	assert_true(n > 0);
	assert_string_equal(h[0].proc->code, "1.004194");
}

static void test_lexicon(void **state)
{
	struct fixture *f = *state;
	assert_string_equal(top(f->ix, "đổi GPLX"), "3.000347");
	assert_string_equal(top(f->ix, "doi bang lai"), "3.000347");
	assert_string_equal(top(f->ix, "làm CCCD ở đâu"), "1.014067");
	assert_string_equal(top(f->ix, "làm sổ đỏ lần đầu"), "1.012787");
	assert_string_equal(top(f->ix, "làm passport"), "2.001346");
	assert_string_equal(top(f->ix, "mo cong ty trach nhiem huu han"), "2.001199");
	assert_string_equal(top(f->ix, "đk hộ kinh doanh ntn"), "1.001612");

	/* Expansions show in search_info: typed with diacritics, "sơ đồ" is
	 * not "sổ đỏ" (they fold alike); without diacritics it may be; and a
	 * phrase never runs across punctuation. */
	struct search_scratch *sc = search_scratch_new();
	struct search_hit h[3];
	struct search_info info;
	const char *q = "sổ đỏ";
	search_query_ex(f->ix, sc, q, strlen(q), h, 3, &info);
	assert_int_equal(info.expanded, 1);
	q = "sơ đồ";
	search_query_ex(f->ix, sc, q, strlen(q), h, 3, &info);
	assert_int_equal(info.expanded, 0);
	q = "so do";
	search_query_ex(f->ix, sc, q, strlen(q), h, 3, &info);
	assert_int_equal(info.expanded, 1);
	q = "sổ, đỏ";
	search_query_ex(f->ix, sc, q, strlen(q), h, 3, &info);
	assert_int_equal(info.expanded, 0);
	search_scratch_free(sc);
}

/* The level prior: two records with the same name at different levels; a
 * question that does not say the level gets the commune's, one that says
 * it gets that level's.  And a one-word abbreviation joins its neighbours
 * in bigrams as if its expansion had been typed ("thông tin QH" -> "tin
 * quy"). */
/* A small corpus of its own and a lexicon, for one test. */
struct mini {
	struct kb_procedure *p[16];
	size_t n;
	struct vn_lexicon *lex;
};

static void mini_init(struct mini *m, const struct rec *recs, size_t n, const char *lex_text)
{
	assert_true(n <= sizeof m->p / sizeof *m->p);
	m->n = n;
	for (size_t i = 0; i < n; i++)
		m->p[i] = make_rec(&recs[i]);
	char err[128];
	m->lex = NULL;
	assert_int_equal(vn_lexicon_parse(&m->lex, lex_text, strlen(lex_text), "t", err, sizeof err),
			 TD_OK);
}

static void mini_free(struct mini *m)
{
	vn_lexicon_free(m->lex);
	for (size_t i = 0; i < m->n; i++)
		kb_procedure_free(m->p[i]);
}

static void test_level_prior_and_abbrev_bigrams(void **state)
{
	(void)state;
	static const struct rec recs[] = {
		{"1.001445", "Trình báo mất hộ chiếu phổ thông (thực hiện tại cấp tỉnh)",
		 "Xuất nhập cảnh", "Công an tỉnh", "Giấy xác nhận", "Nộp đơn trình báo.", "Đơn"},
		{"1.010386", "Trình báo mất hộ chiếu phổ thông (thực hiện tại cấp xã)",
		 "Xuất nhập cảnh", "Công an xã", "Giấy xác nhận", "Nộp đơn trình báo.", "Đơn"},
		{"1.014159",
		 "Cung cấp thông tin quy hoạch đô thị và nông thôn cho tổ chức, cá nhân có nhu cầu",
		 "Quy hoạch", "Sở Quy hoạch", "Văn bản", "Nộp phiếu yêu cầu.", "Phiếu yêu cầu"},
		{"9.000001", "Cấp thông tin về dự án và điều chỉnh quy hoạch chi tiết", "Quy hoạch",
		 "Sở Quy hoạch", "Văn bản", "Nộp phiếu yêu cầu.", "Phiếu yêu cầu"},
	};
	static const char lex_text[] = "QH\tquy hoạch\tabbrev\n";
	struct mini m;
	mini_init(&m, recs, sizeof recs / sizeof *recs, lex_text);
	kb_strlist_add(&m.p[0]->levels, "Cấp tỉnh");
	kb_strlist_add(&m.p[1]->levels, "Cấp xã");
	struct search_index *ix = NULL;
	assert_int_equal(search_index_build(m.p, m.n, m.lex, NULL, &ix), TD_OK);
	assert_string_equal(top(ix, "trình báo mất hộ chiếu"), "1.010386");
	assert_string_equal(top(ix, "trình báo mất hộ chiếu ở cấp tỉnh"), "1.001445");
	assert_string_equal(top(ix, "trinh bao mat ho chieu cap tinh"), "1.001445");
	assert_string_equal(top(ix, "xin thông tin QH"), "1.014159");
	assert_string_equal(top(ix, "xin thông tin quy hoạch"), "1.014159");
	search_index_unref(ix);

	/* without the prior the tie goes to the first record */
	struct search_options o;
	search_options_default(&o);
	o.level_prior = 0;
	assert_int_equal(search_index_build_opts(m.p, m.n, m.lex, NULL, &o, &ix), TD_OK);
	assert_string_equal(top(ix, "trình báo mất hộ chiếu"), "1.001445");
	search_index_unref(ix);
	mini_free(&m);
}

/* Score of record `code` for q (0 when not in the first 8). */
static double score_of(const struct search_index *ix, const char *q, const char *code)
{
	struct search_hit h[8];
	size_t n = search_query(ix, q, strlen(q), h, 8);
	for (size_t i = 0; i < n; i++)
		if (!strcmp(h[i].proc->code, code))
			return h[i].score;
	return 0;
}

/* Where a lexicon term matched, the question's own words weigh less than
 * what they mean: "bằng lái" written out in the foreigners' record gains
 * less over "giấy phép lái xe" in the plain one than at literal weight 1. */
static void test_lexicon_literal_weight(void **state)
{
	(void)state;
	static const struct rec recs[] = {
		{"3.000347", "Đổi giấy phép lái xe", "Đường bộ", "Sở Xây dựng", "Giấy phép lái xe",
		 "Nộp đơn đề nghị đổi giấy phép lái xe.", "Đơn đề nghị"},
		{"3.000360", "Đổi giấy phép lái xe hoặc bằng lái xe của người nước ngoài",
		 "Đường bộ", "Sở Xây dựng", "Giấy phép lái xe",
		 "Người nước ngoài nộp đơn đề nghị đổi giấy phép lái xe.", "Đơn đề nghị"},
		{"3.000346", "Cấp giấy phép lái xe", "Đường bộ", "Sở Xây dựng", "Giấy phép lái xe",
		 "Thí sinh đạt sát hạch được cấp giấy phép lái xe.", "Đơn"},
		{"3.000348", "Cấp lại giấy phép lái xe", "Đường bộ", "Sở Xây dựng",
		 "Giấy phép lái xe", "Nộp đơn đề nghị cấp lại giấy phép lái xe.", "Đơn"},
		{"3.000349", "Cấp giấy phép lái xe quốc tế", "Đường bộ", "Sở Xây dựng",
		 "Giấy phép lái xe quốc tế", "Nộp đơn kèm giấy phép lái xe.", "Đơn"},
		{"3.000350", "Thu hồi giấy phép lái xe", "Đường bộ", "Sở Xây dựng", "Quyết định",
		 "Thu hồi giấy phép lái xe cấp sai.", "Quyết định"},
		{"1.000001", "Đăng ký khai sinh", "Hộ tịch", "UBND cấp xã", "Giấy khai sinh",
		 "Nộp tờ khai.", "Tờ khai"},
		{"1.000002", "Đăng ký kết hôn", "Hộ tịch", "UBND cấp xã", "Giấy chứng nhận kết hôn",
		 "Nộp tờ khai.", "Tờ khai"},
	};
	static const char lex_text[] = "bằng lái\tgiấy phép lái xe\teveryday\n";
	struct mini m;
	mini_init(&m, recs, sizeof recs / sizeof *recs, lex_text);
	struct search_options o;
	search_options_default(&o);
	struct search_index *ix = NULL;
	const char *q = "đổi bằng lái";
	double gap[2];
	for (int k = 0; k < 2; k++) {
		o.lexicon_literal_weight = k ? 1.0f : 0.5f;
		assert_int_equal(search_index_build_opts(m.p, m.n, m.lex, NULL, &o, &ix), TD_OK);
		assert_string_equal(top(ix, q), "3.000347");
		gap[k] = score_of(ix, q, "3.000360") - score_of(ix, q, "3.000347");
		search_index_unref(ix);
	}
	assert_true(gap[0] < gap[1] - 0.5);
	mini_free(&m);
}

/* An index of m with the variant-verb bonus and penalty both at w. */
static struct search_index *verb_index_of(const struct mini *m, float w)
{
	struct search_options o;
	search_options_default(&o);
	o.verb_penalty = o.verb_bonus = w;
	struct search_index *ix = NULL;
	assert_int_equal(search_index_build_opts(m->p, m->n, m->lex, NULL, &o, &ix), TD_OK);
	return ix;
}

/* Variants and their base: a question that does not say the variant's verb
 * asks about the base ("thế chấp xe" is registering the security, not
 * deleting it), one that says it (or a lexicon word meaning it: "bị mất" ->
 * "cấp lại") asks about the variant.  The deletion's steps repeat the
 * question's words, so on words alone it would win. */
static void test_variant_verbs(void **state)
{
	(void)state;
	static const struct rec recs[] = {
		{"1.011435", "Đăng ký biện pháp bảo đảm bằng động sản", "Đăng ký biện pháp bảo đảm",
		 "Trung tâm đăng ký", "Văn bản chứng nhận", "Nộp phiếu yêu cầu đăng ký.",
		 "Phiếu yêu cầu"},
		{"1.011437", "Xóa đăng ký biện pháp bảo đảm bằng động sản",
		 "Đăng ký biện pháp bảo đảm", "Trung tâm đăng ký", "Văn bản chứng nhận",
		 "Khi đã trả hết nợ, bên thế chấp xe ô tô, xe máy nộp phiếu yêu cầu xóa đăng ký "
		 "thế chấp ở trung tâm đăng ký.",
		 "Phiếu yêu cầu"},
		{"3.000346", "Cấp giấy phép lái xe", "Đường bộ", "Sở Xây dựng", "Giấy phép lái xe",
		 "Thí sinh đạt sát hạch được cấp giấy phép lái xe. Người bị mất giấy phép lái xe "
		 "quá hạn phải sát hạch lại; bị mất giấy phép lái xe còn hạn thì không cấp theo "
		 "thủ tục này.",
		 "Đơn"},
		{"3.000348", "Cấp lại giấy phép lái xe", "Đường bộ", "Sở Xây dựng",
		 "Giấy phép lái xe", "Nộp đơn đề nghị.", "Đơn"},
		{"1.000001", "Đăng ký khai sinh", "Hộ tịch", "UBND cấp xã", "Giấy khai sinh",
		 "Nộp tờ khai.", "Tờ khai"},
	};
	static const char lex_text[] =
		"thế chấp xe\tđăng ký biện pháp bảo đảm bằng động sản\teveryday\n"
		"xóa thế chấp\txóa đăng ký biện pháp bảo đảm\teveryday\n"
		"bị mất\tbị mất|cấp lại\teveryday\n";
	struct mini m;
	mini_init(&m, recs, sizeof recs / sizeof *recs, lex_text);
	/* gap: variant's score minus base's, with the penalty (k 0) and without */
	double gap_reg[2], gap_lost[2];
	const char *reg = "thế chấp xe ô tô ở trung tâm đăng ký", *lost = "bị mất giấy phép lái xe";
	for (int k = 0; k < 2; k++) {
		struct search_index *ix = verb_index_of(&m, k ? 0.0f : 2.0f);
		gap_reg[k] = score_of(ix, reg, "1.011437") - score_of(ix, reg, "1.011435");
		gap_lost[k] = score_of(ix, lost, "3.000348") - score_of(ix, lost, "3.000346");
		if (!k) {
			assert_string_equal(top(ix, reg), "1.011435");
			assert_string_equal(top(ix, lost), "3.000348");
		}
		/* saying the verb keeps the variant first either way */
		assert_string_equal(top(ix, "xóa thế chấp xe ô tô"), "1.011437");
		assert_string_equal(top(ix, "cấp lại giấy phép lái xe"), "3.000348");
		search_index_unref(ix);
	}
	assert_true(gap_reg[1] > 0); /* the variant's steps win on words alone */
	assert_true(fabs(gap_reg[0] - (gap_reg[1] - 2)) < 1e-4);
	/* "bị mất" says "cấp lại": the variant gains the bonus, the base loses */
	assert_true(fabs(gap_lost[0] - (gap_lost[1] + 4)) < 1e-4);
	mini_free(&m);
}

/* Pairing a variant with its base ignores a leading "Thủ tục", the word
 * "mới" and what is in parentheses: "Thủ tục cấp lại giấy phép xây dựng đối
 * với nhà ở riêng lẻ (sửa chữa)" is a variant of "Cấp giấy phép xây dựng
 * mới đối với nhà ở riêng lẻ (xây mới)", so saying "bị mất" (cấp lại) takes
 * the base down as well. */
static void test_variant_pairing_names(void **state)
{
	(void)state;
	static const struct rec recs[] = {
		{"1.013225", "Cấp giấy phép xây dựng mới đối với nhà ở riêng lẻ (xây mới, cải tạo)",
		 "Xây dựng", "UBND cấp xã", "Giấy phép xây dựng",
		 "Nộp đơn đề nghị cấp giấy phép xây dựng nhà ở riêng lẻ; giấy phép bị mất thì "
		 "làm thủ tục khác.",
		 "Đơn đề nghị"},
		{"1.013228", "Thủ tục cấp lại giấy phép xây dựng đối với nhà ở riêng lẻ (sửa chữa)",
		 "Xây dựng", "UBND cấp xã", "Giấy phép xây dựng", "Nộp đơn đề nghị cấp lại.",
		 "Đơn đề nghị"},
		{"1.000001", "Đăng ký khai sinh", "Hộ tịch", "UBND cấp xã", "Giấy khai sinh",
		 "Nộp tờ khai.", "Tờ khai"},
	};
	static const char lex_text[] = "bị mất\tbị mất|cấp lại\teveryday\n";
	struct mini m;
	mini_init(&m, recs, sizeof recs / sizeof *recs, lex_text);
	const char *lost = "bị mất giấy phép xây dựng nhà ở riêng lẻ";
	double gap[2];
	for (int k = 0; k < 2; k++) {
		struct search_index *ix = verb_index_of(&m, k ? 0.0f : 2.0f);
		gap[k] = score_of(ix, lost, "1.013228") - score_of(ix, lost, "1.013225");
		assert_string_equal(top(ix, "xin giấy phép xây dựng nhà ở riêng lẻ"), "1.013225");
		search_index_unref(ix);
	}
	/* the variant's bonus and the base's penalty: paired despite the names */
	assert_true(fabs(gap[0] - (gap[1] + 4)) < 1e-4);
	mini_free(&m);
}

/* A classifier inside an everyday phrase is passed over: "thế chấp chiếc
 * xe" is "thế chấp xe"; a phrase does not end on one, a word that is a
 * classifier only with its marks is not passed over typed without them, and
 * terms that contain one ("mất thẻ căn cước") still match as typed. */
static void test_lexicon_classifiers(void **state)
{
	(void)state;
	static const struct rec recs[] = {
		{"1.011435", "Đăng ký biện pháp bảo đảm bằng động sản", "Đăng ký biện pháp bảo đảm",
		 "Trung tâm đăng ký", "Văn bản chứng nhận", "Nộp phiếu yêu cầu đăng ký.",
		 "Phiếu yêu cầu"},
		{"1.000001", "Đăng ký khai sinh", "Hộ tịch", "UBND cấp xã", "Giấy khai sinh",
		 "Nộp tờ khai.", "Tờ khai"},
	};
	static const char lex_text[] =
		"thế chấp xe\tđăng ký biện pháp bảo đảm bằng động sản\teveryday\n"
		"mất thẻ căn cước\tcấp lại thẻ căn cước\teveryday\n"
		"giấy ủy quyền\tủy quyền\teveryday\n";
	struct mini m;
	mini_init(&m, recs, sizeof recs / sizeof *recs, lex_text);
	struct search_index *ix = NULL;
	assert_int_equal(search_index_build(m.p, m.n, m.lex, NULL, &ix), TD_OK);
	struct search_info info;
	struct search_hit h[4];
	struct search_scratch *sc = search_scratch_new();
	static const struct {
		const char *q;
		unsigned expanded;
	} cases[] = {
		{"thế chấp xe", 1},        {"thế chấp chiếc xe", 1}, {"the chap chiec xe", 1},
		{"thế chấp cái xe", 1},    {"thế chấp chiếc", 0},    {"thế chấp, chiếc xe", 0},
		{"the chap cai xe", 0}, /* "cai": cai nghiện, cải chính */
		/* a classifier that is part of a term still matches it */
		{"mất thẻ căn cước", 1},   {"mat the can cuoc", 1},  {"giay uy quyen", 1},
	};
	for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
		search_query_ex(ix, sc, cases[i].q, strlen(cases[i].q), h, 4, &info);
		if (info.expanded != cases[i].expanded)
			fail_msg("\"%s\": %zu lexicon matches", cases[i].q, info.expanded);
	}
	search_scratch_free(sc);
	assert_string_equal(top(ix, "thế chấp chiếc xe"), "1.011435");
	search_index_unref(ix);
	mini_free(&m);
}

/* A one-word abbreviation inside an everyday phrase matches the phrase with
 * the abbreviation spelt out: "xem QH" is "xem quy hoạch". */
static void test_lexicon_spelled_abbreviation(void **state)
{
	(void)state;
	static const struct rec recs[] = {
		{"1.014159", "Cung cấp thông tin quy hoạch", "Quy hoạch", "Sở Quy hoạch", "Văn bản",
		 "Nộp phiếu yêu cầu.", "Phiếu yêu cầu"},
		{"9.000002", "Lập quy hoạch", "Quy hoạch", "Sở Quy hoạch", "Quyết định",
		 "Lập và trình duyệt.", "Tờ trình"},
		{"1.000001", "Đăng ký khai sinh", "Hộ tịch", "UBND cấp xã", "Giấy khai sinh",
		 "Nộp tờ khai.", "Tờ khai"},
	};
	static const char lex_text[] = "QH\tquy hoạch\tabbrev\n"
				       "xem quy hoạch\tcung cấp thông tin quy hoạch\teveryday\n"
				       "đóng cửa\tchấm dứt\teveryday\n";
	struct mini m;
	mini_init(&m, recs, sizeof recs / sizeof *recs, lex_text);
	struct search_index *ix = NULL;
	assert_int_equal(search_index_build(m.p, m.n, m.lex, NULL, &ix), TD_OK);
	assert_string_equal(top(ix, "QH"), "9.000002");
	assert_string_equal(top(ix, "xem quy hoạch"), "1.014159");
	assert_string_equal(top(ix, "xem QH"), "1.014159");
	assert_string_equal(top(ix, "xem qh ở đâu"), "1.014159");
	/* spelling QH does not excuse the accents elsewhere: "động của" is not
	 * "đóng cửa" (one match, QH alone) */
	struct search_info info;
	struct search_hit h[4];
	struct search_scratch *sc = search_scratch_new();
	const char *q = "hoạt động của QH";
	search_query_ex(ix, sc, q, strlen(q), h, 4, &info);
	assert_int_equal(info.expanded, 1);
	search_scratch_free(sc);
	search_index_unref(ix);
	mini_free(&m);
}

static void test_typos(void **state)
{
	struct fixture *f = *state;
	struct search_hit h[3];
	struct search_info info;
	struct search_scratch *s = search_scratch_new();
	const char *q = "dang ky khai snih"; /* transposition */
	size_t n = search_query_ex(f->ix, s, q, strlen(q), h, 3, &info);
	assert_true(n > 0);
	assert_string_equal(h[0].proc->code, "1.001193");
	assert_int_equal(info.unknown, 1);
	assert_int_equal(info.corrected, 1);
	q = "giay phep xay dugn nha o";
	n = search_query_ex(f->ix, s, q, strlen(q), h, 3, &info);
	assert_true(n > 0);
	assert_string_equal(h[0].proc->code, "1.013225");
	q = "ho chieeu pho thong"; /* insertion */
	n = search_query_ex(f->ix, s, q, strlen(q), h, 3, &info);
	assert_true(n > 0);
	assert_string_equal(h[0].proc->code, "2.001346");
	search_scratch_free(s);
}

static void test_fillers(void **state)
{
	struct fixture *f = *state;
	assert_string_equal(top(f->ix, "alo dạ cho em hỏi làm hộ chiếu thế nào ạ"), "2.001346");
	assert_string_equal(top(f->ix, "a lo da cho em hoi dang ky ket hon thi lam the nao a"),
			    "1.000894");
	struct search_hit h[3];
	struct search_info info;
	struct search_scratch *s = search_scratch_new();
	const char *q = "dạ vâng ạ ừm à";
	assert_int_equal(search_query_ex(f->ix, s, q, strlen(q), h, 3, &info), 0);
	assert_int_equal(info.words, 0);
	/* "ntn" expands to fillers only: a filler itself */
	q = "ntn ạ";
	assert_int_equal(search_query_ex(f->ix, s, q, strlen(q), h, 3, &info), 0);
	search_scratch_free(s);
}

static void test_info_and_margin(void **state)
{
	struct fixture *f = *state;
	struct search_hit h[5];
	struct search_info info;
	struct search_scratch *s = search_scratch_new();
	const char *q = "Đổi giấy phép lái xe";
	size_t n = search_query_ex(f->ix, s, q, strlen(q), h, 5, &info);
	assert_true(n >= 2);
	assert_true(info.accented);
	assert_true(info.max_score >= h[0].score);
	assert_true(info.margin > 0 && info.margin <= 1);
	assert_true(h[0].title_cover > 0.99);
	assert_true(h[0].query_cover > 0.99);
	/* something the corpus does not contain: low coverage */
	q = "giấy phép hành nghề khám chữa bệnh y học cổ truyền";
	n = search_query_ex(f->ix, s, q, strlen(q), h, 5, &info);
	if (n)
		assert_true(h[0].query_cover < 0.5);
	search_scratch_free(s);
}

static void test_odd_inputs(void **state)
{
	struct fixture *f = *state;
	struct search_hit h[4];
	assert_int_equal(search_query(f->ix, "", 0, h, 4), 0);
	assert_int_equal(search_query(f->ix, NULL, 0, h, 4), 0);
	assert_int_equal(search_query(f->ix, "   \t\n ,.;!?", 11, h, 4), 0);
	assert_int_equal(search_query(NULL, "khai sinh", 9, h, 4), 0);
	/* invalid UTF-8 and embedded NULs act as word breaks */
	const char bad[] = "\xff\xfe kh\xc3 ai sinh \xed\xa0\x80 \xf4\x90\x80\x80 \0 \xc3\x28 đăng ký khai sinh";
	size_t n = search_query(f->ix, bad, sizeof bad - 1, h, 4);
	assert_true(n > 0);
	assert_string_equal(h[0].proc->code, "1.001193");
	/* a huge question: cut at SEARCH_QUERY_MAX, no crash, still answers */
	size_t big = 1 << 20;
	char *q = td_malloc(big + 1);
	const char *w = "đăng ký khai sinh ";
	size_t wl = strlen(w);
	for (size_t i = 0; i < big; i++)
		q[i] = w[i % wl];
	q[big] = '\0';
	n = search_query(f->ix, q, big, h, 4);
	assert_true(n > 0);
	assert_string_equal(h[0].proc->code, "1.001193");
	/* many distinct words: more than SEARCH_QUERY_TERMS terms */
	struct td_buf b;
	td_buf_init(&b, 1 << 20);
	for (int i = 0; i < 2000; i++)
		td_buf_addf(&b, "x%dq ", i);
	td_buf_adds(&b, "khai sinh");
	n = search_query(f->ix, b.data, b.len, h, 4);
	(void)n;
	td_buf_release(&b);
	/* codes and numbers */
	n = search_query(f->ix, "1.001193", 8, h, 4);
	assert_true(n > 0);
	td_free(q);
}

static void test_build_errors_and_empty(void **state)
{
	(void)state;
	struct search_index *ix = NULL;
	struct kb_procedure *bad[2] = {NULL, NULL};
	assert_int_equal(search_index_build(bad, 2, NULL, NULL, &ix), TD_ERR_INVAL);
	assert_null(ix);
	assert_int_equal(search_index_build(NULL, 0, NULL, NULL, NULL), TD_ERR_INVAL);
	/* an empty index answers nothing */
	assert_int_equal(search_index_build(NULL, 0, NULL, NULL, &ix), TD_OK);
	struct search_hit h[2];
	assert_int_equal(search_query(ix, "khai sinh", 9, h, 2), 0);
	assert_int_equal(search_index_count(ix), 0);
	search_index_unref(ix);
	search_index_unref(NULL);
}

static void test_no_lexicon_no_stop(void **state)
{
	struct fixture *f = *state;
	struct search_index *ix = NULL;
	assert_int_equal(search_index_build(f->procs, NCORPUS, NULL, NULL, &ix), TD_OK);
	assert_string_equal(top(ix, "dang ky khai sinh"), "1.001193");
	assert_string_equal(top(ix, "Đổi giấy phép lái xe"), "3.000347");
	assert_true(search_index_bytes(ix) > 0);
	assert_true(search_index_terms(ix) > 0);
	assert_ptr_equal(search_index_record(ix, 0), f->procs[0]);
	assert_null(search_index_record(ix, NCORPUS));
	search_index_unref(ix);
}

static void test_own_records(void **state)
{
	(void)state;
	struct kb_procedure *p[3];
	for (int i = 0; i < 3; i++)
		p[i] = make_rec(&corpus[i]);
	struct search_options o;
	search_options_default(&o);
	o.own_records = true;
	struct search_index *ix = NULL;
	assert_int_equal(search_index_build_opts(p, 3, NULL, NULL, &o, &ix), TD_OK);
	search_index_ref(ix);
	search_index_unref(ix);
	assert_string_equal(top(ix, "khai tử"), "1.000656");
	search_index_unref(ix); /* frees the records too (ASan checks) */
}

static void test_stopwords_parse(void **state)
{
	(void)state;
	struct search_stopwords *sw = NULL;
	char err[128];
	const char *t = "# c\n\n  alo\ncho em hỏi\nmột hai ba bốn năm\n";
	assert_int_equal(search_stopwords_parse(&sw, t, strlen(t), "x", err, sizeof err),
			 TD_ERR_PARSE);
	assert_null(sw);
	assert_non_null(strstr(err, "x:5"));
	const char *u = "alo\n\xff\n";
	assert_int_equal(search_stopwords_parse(&sw, u, strlen(u), "x", err, sizeof err),
			 TD_ERR_PARSE);
	assert_int_equal(search_stopwords_load(&sw, "/nonexistent/stop.txt", err, sizeof err),
			 TD_ERR_NOTFOUND);
	t = "alo\r\ncho em hỏi\r\n";
	assert_int_equal(search_stopwords_parse(&sw, t, strlen(t), "x", err, sizeof err), TD_OK);
	assert_int_equal(search_stopwords_count(sw), 2);
	search_stopwords_free(sw);
}

/* The shipped data files load and work on this corpus. */
static void test_shipped_data(void **state)
{
	struct fixture *f = *state;
	const char *src = getenv("TD_SOURCE_DIR") ? getenv("TD_SOURCE_DIR") : TD_SOURCE_DIR;
	char path[1024], err[256] = "";
	struct search_stopwords *sw = NULL;
	struct vn_lexicon *lex = NULL;
	snprintf(path, sizeof path, "%s/data/text/stopwords.txt", src);
	assert_int_equal(search_stopwords_load(&sw, path, err, sizeof err), TD_OK);
	assert_true(search_stopwords_count(sw) > 50);
	snprintf(path, sizeof path, "%s/data/text/lexicon.tsv", src);
	assert_int_equal(vn_lexicon_load(&lex, path, err, sizeof err), TD_OK);
	struct search_index *ix = NULL;
	assert_int_equal(search_index_build(f->procs, NCORPUS, lex, sw, &ix), TD_OK);
	/* the index copied what it needs */
	search_stopwords_free(sw);
	vn_lexicon_free(lex);
	assert_string_equal(top(ix, "alo dạ cho em hỏi làm giấy khai sinh cho con thì làm sao ạ"),
			    "1.001193");
	assert_string_equal(top(ix, "em muon doi bang lai xe het han"), "3.000347");
	assert_string_equal(top(ix, "làm sổ đỏ lần đầu"), "1.012787");
	search_index_unref(ix);
}

/* ------------------------------------------------------------------------- */
/* Snapshot swap under concurrent readers                                     */
/* ------------------------------------------------------------------------- */

struct swap_ctx {
	struct search_holder *h;
	struct fixture *f;
	atomic_int stop;
	atomic_long queries;
	atomic_int errors;
};

static void *reader(void *arg)
{
	struct swap_ctx *c = arg;
	struct search_scratch *s = search_scratch_new();
	static const char *const qs[] = {"dang ky khai sinh", "đổi GPLX", "làm passport",
					 "xóa tạm trú", "cấp số nhà"};
	unsigned i = 0;
	while (!atomic_load(&c->stop)) {
		struct search_index *ix = search_holder_acquire(c->h);
		if (!ix)
			continue;
		struct search_hit h[3];
		const char *q = qs[i++ % 5];
		size_t n = search_query_ex(ix, s, q, strlen(q), h, 3, NULL);
		/* every index published has the whole corpus or its first half */
		if (!n || !h[0].proc || !h[0].proc->code)
			atomic_fetch_add(&c->errors, 1);
		/* the thread-local scratch path too */
		n = search_query(ix, q, strlen(q), h, 3);
		if (!n)
			atomic_fetch_add(&c->errors, 1);
		search_index_unref(ix);
		atomic_fetch_add(&c->queries, 1);
	}
	search_scratch_free(s);
	return NULL;
}

static void test_snapshot_swap(void **state)
{
	struct fixture *f = *state;
	struct swap_ctx c = {0};
	c.f = f;
	c.h = search_holder_new();
	assert_null(search_holder_acquire(c.h));
	struct search_index *ix = NULL;
	assert_int_equal(search_index_build(f->procs, NCORPUS, f->lex, f->stop, &ix), TD_OK);
	search_holder_publish(c.h, ix);
	atomic_init(&c.stop, 0);
	atomic_init(&c.queries, 0);
	atomic_init(&c.errors, 0);
	enum { READERS = 4 };
	pthread_t th[READERS];
	for (int i = 0; i < READERS; i++)
		assert_int_equal(pthread_create(&th[i], NULL, reader, &c), 0);
	for (int r = 0; r < 30; r++) {
		struct search_index *nix = NULL;
		/* alternate sizes so scratches must grow and shrink in use */
		size_t n = r % 2 ? NCORPUS : NCORPUS / 2;
		assert_int_equal(search_index_build(f->procs, n, f->lex, f->stop, &nix), TD_OK);
		search_holder_publish(c.h, nix);
	}
	while (atomic_load(&c.queries) < 200)
		;
	atomic_store(&c.stop, 1);
	for (int i = 0; i < READERS; i++)
		pthread_join(th[i], NULL);
	assert_int_equal(atomic_load(&c.errors), 0);
	search_holder_publish(c.h, NULL);
	assert_null(search_holder_acquire(c.h));
	search_holder_free(c.h);
}

/* One scratch used with indexes of different sizes. */
static void test_scratch_across_indexes(void **state)
{
	struct fixture *f = *state;
	struct search_index *small = NULL;
	assert_int_equal(search_index_build(f->procs, 2, NULL, NULL, &small), TD_OK);
	struct search_scratch *s = search_scratch_new();
	struct search_hit h[3];
	for (int r = 0; r < 3; r++) {
		size_t n = search_query_ex(small, s, "ket hon", 7, h, 3, NULL);
		assert_true(n > 0);
		assert_string_equal(h[0].proc->code, "1.000894");
		n = search_query_ex(f->ix, s, "so nha", 6, h, 3, NULL);
		assert_true(n > 0);
		assert_string_equal(h[0].proc->code, "1.004194");
	}
	search_scratch_free(s);
	search_index_unref(small);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_accented_and_folded),
		cmocka_unit_test(test_ranking_order),
		cmocka_unit_test(test_exact_accent_bonus),
		cmocka_unit_test(test_lexicon),
		cmocka_unit_test(test_level_prior_and_abbrev_bigrams),
		cmocka_unit_test(test_lexicon_literal_weight),
		cmocka_unit_test(test_variant_verbs),
		cmocka_unit_test(test_variant_pairing_names),
		cmocka_unit_test(test_lexicon_classifiers),
		cmocka_unit_test(test_lexicon_spelled_abbreviation),
		cmocka_unit_test(test_typos),
		cmocka_unit_test(test_fillers),
		cmocka_unit_test(test_info_and_margin),
		cmocka_unit_test(test_odd_inputs),
		cmocka_unit_test(test_build_errors_and_empty),
		cmocka_unit_test(test_no_lexicon_no_stop),
		cmocka_unit_test(test_own_records),
		cmocka_unit_test(test_stopwords_parse),
		cmocka_unit_test(test_shipped_data),
		cmocka_unit_test(test_snapshot_swap),
		cmocka_unit_test(test_scratch_across_indexes),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
