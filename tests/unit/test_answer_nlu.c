/* test_answer_nlu.c - intent and aspect on held-out messages (written for
 * this test, not rows of data/answer/intent_train.tsv), and the rule file
 * parser's errors. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "answer/answer.h"

static struct answer_nlu *nlu;

static int setup(void **state)
{
	(void)state;
	const char *src = getenv("TD_SOURCE_DIR");
	char dir[1024], err[512];
	snprintf(dir, sizeof dir, "%s/data/answer", src ? src : TD_SOURCE_DIR);
	if (answer_nlu_load(&nlu, dir, err, sizeof err) != TD_OK) {
		fprintf(stderr, "%s\n", err);
		return -1;
	}
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	answer_nlu_free(nlu);
	return 0;
}

struct labelled {
	const char *text;
	const char *label;
};

static const struct labelled intents[] = {
	{"cho tôi hỏi đổi giấy phép lái xe hạng A1 cần những gì", "procedure_info"},
	{"làm lại sổ hộ khẩu bị rách thế nào", "procedure_info"},
	{"xin cap ban sao giay khai sinh o dau", "procedure_info"},
	{"Doanh nghiệp muốn đổi tên công ty thì nộp hồ sơ ở đâu?", "procedure_info"},
	{"dạ cho em hỏi đăng ký tạm trú cho người thuê nhà mất phí không ạ", "procedure_info"},
	{"ừm alo cho hỏi làm giấy phép xây dựng nhà cấp bốn bao lâu", "procedure_info"},
	{"ông tôi muốn lập di chúc thì chứng thực ở xã được không", "procedure_info"},
	{"dk kinh doanh online dc ko", "procedure_info"},
	{"thủ tục cấp giấy chứng nhận quyền sử dụng đất lần đầu", "procedure_info"},
	{"người nước ngoài mua nhà ở Việt Nam có được cấp sổ hồng không", "procedure_info"},
	{"hồ sơ mã 000.00.21.H26-251118-0042 của tôi xong chưa", "dossier_status"},
	{"tôi nộp hồ sơ sang tên sổ đỏ 2 tuần rồi giờ đến đâu rồi", "dossier_status"},
	{"kiểm tra giúp tình trạng hồ sơ đăng ký kinh doanh của công ty tôi", "dossier_status"},
	{"ho so cua em qua hen roi sao chua tra", "dossier_status"},
	{"đèn chiếu sáng ở ngõ 12 hỏng lâu rồi không ai sửa", "pakn_report"},
	{"ở phường tôi có người đổ phế thải xây dựng ra vỉa hè", "pakn_report"},
	{"cán bộ tiếp nhận hồ sơ yêu cầu nộp thêm tiền ngoài quy định", "pakn_report"},
	{"mưa xong là đường Nguyễn Trãi ngập hết", "pakn_report"},
	{"quán nhậu mở nhạc to quá nửa đêm", "pakn_report"},
	{"tôi gửi kiến nghị về ô nhiễm tháng trước giờ xử lý chưa", "pakn_status"},
	{"phản ánh về ổ gà hôm trước đã có ai trả lời chưa", "pakn_status"},
	{"cho hỏi phản ánh của tôi đến đâu rồi", "pakn_status"},
	{"nối máy cho tôi gặp tổng đài viên", "human"},
	{"tôi cần nói chuyện với người thật", "human"},
	{"chuyển tôi sang nhân viên tư vấn đi", "human"},
	{"gap nguoi that giup toi", "human"},
	{"chào tổng đài ạ", "greeting"},
	{"alo alo", "greeting"},
	{"xin chào buổi chiều", "greeting"},
	{"cảm ơn tổng đài nhiều nhé", "thanks"},
	{"ok tks", "thanks"},
	{"dạ em cảm ơn chị", "thanks"},
	{"thôi chào nhé", "goodbye"},
	{"tạm biệt bạn", "goodbye"},
	{"vậy thôi, tôi tắt máy", "goodbye"},
	{"tối nay có bão không", "out_of_scope"},
	{"đội nào vô địch ngoại hạng anh", "out_of_scope"},
	{"kể một câu chuyện cười đi", "out_of_scope"},
	{"giá vàng nhẫn hôm nay bao nhiêu", "out_of_scope"},
	{"món gì ngon ở phố cổ", "out_of_scope"},
};

static void test_intent_held_out(void **state)
{
	(void)state;
	size_t n = sizeof intents / sizeof intents[0], ok = 0;
	for (size_t i = 0; i < n; i++) {
		enum answer_intent want, got;
		assert_true(answer_intent_parse(intents[i].label, &want));
		got = answer_intent(nlu, intents[i].text, strlen(intents[i].text), NULL);
		if (got == want)
			ok++;
		else
			fprintf(stderr, "intent miss: %s -> %s (want %s)\n", intents[i].text,
				answer_intent_name(got), intents[i].label);
	}
	double acc = (double)ok / (double)n;
	fprintf(stderr, "intent accuracy on held-out: %.3f (%zu/%zu)\n", acc, ok, n);
	assert_true(acc >= 0.90);
}

/* Small talk with forms of address is still small talk; a greeting in front
 * of a question is a question. */
static void test_small_talk(void **state)
{
	(void)state;
	static const struct labelled cases[] = {
		{"dạ cháu chào cô chú ạ", "greeting"},
		{"tôi chào các anh chị", "greeting"},
		{"con chao co a", "greeting"},
		{"dạ em cảm ơn anh chị nhiều ạ", "thanks"},
		{"chào anh, tôi muốn hỏi đăng ký kết hôn cần gì", "procedure_info"},
		{"cảm ơn, thế lệ phí cấp hộ chiếu bao nhiêu", "procedure_info"},
	};
	for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
		enum answer_intent want;
		assert_true(answer_intent_parse(cases[i].label, &want));
		enum answer_intent got =
			answer_intent(nlu, cases[i].text, strlen(cases[i].text), NULL);
		if (got != want)
			fprintf(stderr, "small talk: %s -> %s\n", cases[i].text,
				answer_intent_name(got));
		assert_int_equal(got, want);
	}
}

/* The feedback examples teach the intent model what a report looks like:
 * with a handful of them a report-like message is a report, and a surer one
 * than with the single report row of the intent examples. */
static void test_reports_as_examples(void **state)
{
	(void)state;
	static const char train[] = "procedure_info\tsteps\tlàm giấy phép xây dựng thế nào\n"
				    "procedure_info\tplace\tđăng ký kết hôn ở đâu\n"
				    "pakn_report\t-\tđường bị ngập\n";
	static const char reports[] = "# category level emergency text\n"
				      "moi-truong\tnormal\t0\tbãi rác bốc mùi hôi thối cả xóm\n"
				      "moi-truong\tnormal\t0\trác thải đổ trộm ven đê bốc mùi\n"
				      "ha-tang\tnormal\t0\tcống bốc mùi hôi không ai nạo vét\n"
				      "bad line without tabs\n";
	const char *msg = "rác bốc mùi hôi thối";
	struct answer_nlu *a = NULL, *b = NULL;
	char err[128];
	assert_int_equal(answer_nlu_parse(&a, NULL, NULL, train, err, sizeof err), TD_OK);
	assert_int_equal(answer_nlu_parse_reports(&b, NULL, NULL, train, reports, err, sizeof err),
			 TD_OK);
	double ca = 0, cb = 0;
	assert_int_equal(answer_intent(b, msg, strlen(msg), &cb), ANSWER_INTENT_PAKN_REPORT);
	if (answer_intent(a, msg, strlen(msg), &ca) == ANSWER_INTENT_PAKN_REPORT)
		assert_true(cb > ca);
	answer_nlu_free(a);
	answer_nlu_free(b);
}

static const struct labelled aspects[] = {
	{"đăng ký kết hôn cần giấy tờ gì", "documents"},
	{"làm căn cước cần mang theo gì", "documents"},
	{"hồ sơ cấp lại bằng lái gồm những gì", "documents"},
	{"sang tên xe máy mất bao lâu", "duration"},
	{"cấp hộ chiếu mấy ngày thì có", "duration"},
	{"lệ phí cấp giấy phép xây dựng bao nhiêu", "fee"},
	{"đăng ký khai sinh có mất phí không", "fee"},
	{"làm lý lịch tư pháp ở đâu", "place"},
	{"đăng ký hộ kinh doanh nộp hồ sơ ở cơ quan nào", "place"},
	{"thủ tục ly hôn thuận tình làm thế nào", "steps"},
	{"đổi bằng lái xe làm ntn", "steps"},
	{"các bước đăng ký thường trú", "steps"},
	{"làm căn cước online được không", "online"},
	{"nộp hồ sơ khai tử qua mạng được không", "online"},
	{"điều kiện cấp giấy phép lao động là gì", "conditions"},
	{"người nước ngoài có được đăng ký thường trú không", "conditions"},
	{"làm xong thủ tục thì nhận được gì", "result"},
	{"thủ tục này căn cứ văn bản nào", "legal_basis"},
	{"mẫu đơn đăng ký kết hôn lấy ở đâu", "form"},
	{"cho tôi xin mẫu tờ khai", "form"},
	{"thủ tục đăng ký khai sinh", "overview"},
};

static void test_aspect_held_out(void **state)
{
	(void)state;
	size_t n = sizeof aspects / sizeof aspects[0], ok = 0;
	for (size_t i = 0; i < n; i++) {
		enum answer_aspect want, got;
		unsigned mask;
		double conf;
		assert_true(answer_aspect_parse(aspects[i].label, &want));
		got = answer_aspect(nlu, aspects[i].text, strlen(aspects[i].text), &mask, &conf);
		if (!mask && conf < 0.6)
			got = ANSWER_ASPECT_OVERVIEW; /* what the engine does without a cue */
		if (got == want)
			ok++;
		else
			fprintf(stderr, "aspect miss: %s -> %s (want %s)\n", aspects[i].text,
				answer_aspect_name(got), aspects[i].label);
	}
	fprintf(stderr, "aspect accuracy on held-out: %zu/%zu\n", ok, n);
	assert_true(ok * 10 >= n * 9);
}

static void test_aspect_first_cue_leads(void **state)
{
	(void)state;
	unsigned mask;
	const char *q = "nộp ở đâu, mất phí không";
	assert_int_equal(answer_aspect(nlu, q, strlen(q), &mask, NULL), ANSWER_ASPECT_PLACE);
	assert_true(mask & (1u << ANSWER_ASPECT_FEE));
	/* "làm thế nào" is the steps, "cần gì" the documents. */
	q = "làm giấy phép kinh doanh thì làm thế nào";
	assert_int_equal(answer_aspect(nlu, q, strlen(q), NULL, NULL), ANSWER_ASPECT_STEPS);
	q = "làm giấy phép kinh doanh cần gì";
	assert_int_equal(answer_aspect(nlu, q, strlen(q), NULL, NULL), ANSWER_ASPECT_DOCUMENTS);
}

static void test_rules_parse_errors(void **state)
{
	(void)state;
	struct answer_nlu *x = NULL;
	char err[256];
	assert_int_equal(answer_nlu_parse(&x, "nonsense\t2\tabc\n", NULL, NULL, err, sizeof err),
			 TD_ERR_PARSE);
	assert_null(x);
	assert_non_null(strstr(err, "intents.tsv:1"));
	assert_int_equal(answer_nlu_parse(&x, "human\tabc\tgặp người\n", NULL, NULL, err,
					  sizeof err),
			 TD_ERR_PARSE);
	assert_int_equal(answer_nlu_parse(&x, NULL, NULL, "human\tnope\tx\n", err, sizeof err),
			 TD_ERR_PARSE);
	/* Rules alone, no training rows: still a working model. */
	assert_int_equal(answer_nlu_parse(&x, "# c\nhuman\t5\tngười thật\nthanks\t5\tcảm ơn\n",
					  "fee\t5\tlệ phí\n", NULL, err, sizeof err),
			 TD_OK);
	const char *q = "cho gặp người thật";
	assert_int_equal(answer_intent(x, q, strlen(q), NULL), ANSWER_INTENT_HUMAN);
	q = "LỆ PHÍ bao nhiêu";
	assert_int_equal(answer_aspect(x, q, strlen(q), NULL, NULL), ANSWER_ASPECT_FEE);
	answer_nlu_free(x);
}

static void test_names_round_trip(void **state)
{
	(void)state;
	for (int i = 0; i < ANSWER_INTENT__COUNT; i++) {
		enum answer_intent x;
		assert_true(answer_intent_parse(answer_intent_name((enum answer_intent)i), &x));
		assert_int_equal(x, i);
	}
	for (int i = 0; i < ANSWER_ASPECT__COUNT; i++) {
		enum answer_aspect x;
		assert_true(answer_aspect_parse(answer_aspect_name((enum answer_aspect)i), &x));
		assert_int_equal(x, i);
	}
	assert_string_equal(answer_status_name(ANSWER_STATUS_CLARIFY), "clarify");
}

static void test_garbage(void **state)
{
	(void)state;
	const char junk[] = "\xff\xfe\x00\x01 \xc3 abc \xe1\xbb";
	double c;
	(void)answer_intent(nlu, junk, sizeof junk - 1, &c);
	assert_true(c >= 0 && c <= 1);
	assert_int_equal(answer_intent(nlu, "", 0, &c), ANSWER_INTENT_PROCEDURE_INFO);
	assert_true(c == 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_intent_held_out),
		cmocka_unit_test(test_small_talk),
		cmocka_unit_test(test_reports_as_examples),
		cmocka_unit_test(test_aspect_held_out),
		cmocka_unit_test(test_aspect_first_cue_leads),
		cmocka_unit_test(test_rules_parse_errors),
		cmocka_unit_test(test_names_round_trip),
		cmocka_unit_test(test_garbage),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
