/* test_answer_compose.c - numbers in words, the chat and voice renderings,
 * honesty about missing fields. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "answer/answer.h"
#include "answer/numwords.h"
#include "base/alloc.h"
#include "kb/kb.h"

static char *words(uint64_t n)
{
	struct td_buf b;
	td_buf_init(&b, 4096);
	answer_number_words(&b, n);
	return td_buf_detach(&b, NULL);
}

static void check_words(uint64_t n, const char *want)
{
	char *w = words(n);
	assert_string_equal(w, want);
	td_free(w);
}

static void test_number_words(void **state)
{
	(void)state;
	check_words(0, "không");
	check_words(5, "năm");
	check_words(10, "mười");
	check_words(11, "mười một");
	check_words(15, "mười lăm");
	check_words(20, "hai mươi");
	check_words(21, "hai mươi mốt");
	check_words(25, "hai mươi lăm");
	check_words(105, "một trăm linh năm");
	check_words(110, "một trăm mười");
	check_words(1005, "một nghìn không trăm linh năm");
	check_words(1050, "một nghìn không trăm năm mươi");
	check_words(50000, "năm mươi nghìn");
	check_words(200000, "hai trăm nghìn");
	check_words(1500000, "một triệu năm trăm nghìn");
	check_words(2000000, "hai triệu");
	check_words(1000000000ull, "một tỷ");
	check_words(1000000000000ull, "một nghìn tỷ");
	check_words(2001000ull, "hai triệu không trăm linh một nghìn");
}

static char *dec(double v, const char *unit)
{
	struct td_buf b;
	td_buf_init(&b, 4096);
	assert_true(answer_decimal_words(&b, v, unit));
	return td_buf_detach(&b, NULL);
}

static void test_decimal_and_text(void **state)
{
	(void)state;
	char *s = dec(1.5, "ngày");
	assert_string_equal(s, "một ngày rưỡi");
	td_free(s);
	s = dec(0.5, "ngày");
	assert_string_equal(s, "nửa ngày");
	td_free(s);
	s = dec(2.25, NULL);
	assert_string_equal(s, "hai phẩy hai năm");
	td_free(s);
	s = dec(5, "ngày làm việc");
	assert_string_equal(s, "năm ngày làm việc");
	td_free(s);
	struct td_buf b;
	td_buf_init(&b, 4096);
	assert_false(answer_decimal_words(&b, -1, NULL));
	const char *t = "Lệ phí 50.000 đồng, 1,5 ngày, mã 1.001612, gọi 0912345678, 10%";
	answer_text_numbers_to_words(&b, t, strlen(t));
	assert_non_null(strstr(b.data, "năm mươi nghìn đồng"));
	assert_non_null(strstr(b.data, "một phẩy năm ngày"));
	assert_non_null(strstr(b.data, "một không không một sáu một hai"));
	assert_non_null(strstr(b.data, "không chín một hai"));
	assert_non_null(strstr(b.data, "mười phần trăm"));
	td_buf_release(&b);
	td_buf_init(&b, 4096);
	t = "50,000 Việt Nam Đồng";
	answer_text_numbers_to_words(&b, t, strlen(t));
	assert_string_equal(b.data, "năm mươi nghìn Việt Nam Đồng");
	td_buf_release(&b);
}

/* A small record in the shape of the national data. */
static struct kb_procedure *sample(void)
{
	struct kb_procedure *p = kb_procedure_new();
	p->code = td_strdup("1.000894");
	p->name = td_strdup("Thủ tục đăng ký kết hôn");
	p->field = td_strdup("Hộ tịch");
	kb_strlist_add(&p->levels, "Cấp xã");
	p->agency = td_strdup("Ủy ban nhân dân cấp xã");
	p->source_url = td_strdup("https://dichvucong.gov.vn/p/home/x?ma_thu_tuc=1.000894");
	p->as_of = td_strdup("2026-11-28");
	p->steps = td_strdup("Bước 1: Nộp hồ sơ.\nBước 2: Nhận kết quả.");
	struct kb_channel *c = kb_procedure_add_channel(p, KB_CHANNEL_DIRECT);
	c->duration.has_value = true;
	c->duration.value = 5;
	c->duration.unit = KB_UNIT_WORKING_DAYS;
	c->duration.text = td_strdup("5 Ngày làm việc");
	c->fee.has_amount = true;
	c->fee.amount_vnd = 50000;
	c->fee.amount = 50000;
	c->fee.currency = td_strdup("VND");
	c->fee.text = td_strdup("50,000 Việt Nam Đồng");
	c = kb_procedure_add_channel(p, KB_CHANNEL_ONLINE);
	c->duration.has_value = true;
	c->duration.value = 3;
	c->duration.unit = KB_UNIT_WORKING_DAYS;
	c->fee.free = true;
	c->fee.text = td_strdup("Miễn phí");
	c = kb_procedure_add_channel(p, KB_CHANNEL_POST);
	c->fee.text = td_strdup("Miễn phí(Mức lệ phí cụ thể do Hội đồng nhân dân tỉnh quyết định)");
	struct kb_dossier_item *d = kb_procedure_add_dossier(p);
	d->name = td_strdup("(1) Tờ khai đăng ký kết hôn theo mẫu;");
	d->originals = 1;
	d->copies = 0;
	d = kb_procedure_add_dossier(p);
	d->name = td_strdup("Giấy tờ chứng minh nhân thân");
	d->originals = 0;
	d->copies = 2;
	return p;
}

static size_t word_count(const char *s)
{
	size_t n = 0;
	int in = 0;
	for (; *s; s++) {
		if (*s == ' ') {
			in = 0;
		} else if (!in) {
			in = 1;
			n++;
		}
	}
	return n;
}

static void voice_checks(const char *v)
{
	assert_null(strstr(v, "http"));
	assert_null(strstr(v, "1.000894"));
	for (const char *c = v; *c; c++)
		assert_false(*c >= '0' && *c <= '9');
	assert_true(word_count(v) <= 48); /* ≈40 + the closing question */
}

static void test_documents(void **state)
{
	(void)state;
	struct kb_procedure *p = sample();
	struct answer_text t;
	assert_int_equal(answer_compose(p, ANSWER_ASPECT_DOCUMENTS, 0, &t), TD_OK);
	assert_non_null(strstr(t.chat, "Thủ tục đăng ký kết hôn (mã 1.000894)"));
	assert_non_null(strstr(t.chat, "1. Tờ khai đăng ký kết hôn theo mẫu — 1 bản chính\n"));
	assert_non_null(strstr(t.chat, "2. Giấy tờ chứng minh nhân thân — 2 bản sao"));
	assert_non_null(strstr(t.chat, "Nguồn: https://dichvucong.gov.vn/"));
	assert_non_null(strstr(t.chat, "(cập nhật 2026-11-28)"));
	assert_non_null(strstr(t.voice, "hai loại giấy tờ"));
	assert_non_null(strstr(t.voice, "có muốn nghe thêm không?"));
	voice_checks(t.voice);
	answer_text_release(&t);
	kb_procedure_free(p);
}

static void test_fee_per_channel(void **state)
{
	(void)state;
	struct kb_procedure *p = sample();
	struct answer_text t;
	assert_int_equal(answer_compose(p, ANSWER_ASPECT_FEE, 0, &t), TD_OK);
	assert_non_null(strstr(t.chat, "- Nộp trực tiếp: 50.000 đồng"));
	assert_non_null(strstr(t.chat, "- Nộp trực tuyến: miễn phí"));
	assert_non_null(strstr(t.chat, "Hội đồng nhân dân cấp tỉnh"));
	assert_non_null(strstr(t.voice, "năm mươi nghìn đồng"));
	assert_non_null(strstr(t.voice, "miễn phí"));
	voice_checks(t.voice);
	answer_text_release(&t);

	assert_int_equal(answer_compose(p, ANSWER_ASPECT_DURATION, 0, &t), TD_OK);
	assert_non_null(strstr(t.chat, "- Nộp trực tiếp: 5 ngày làm việc"));
	assert_non_null(strstr(t.voice, "năm ngày làm việc"));
	assert_non_null(strstr(t.voice, "ba ngày làm việc"));
	voice_checks(t.voice);
	answer_text_release(&t);
	kb_procedure_free(p);
}

static void test_missing_is_said(void **state)
{
	(void)state;
	struct kb_procedure *p = sample();
	struct answer_text t;
	/* No legal basis, no forms, no conditions in the record. */
	assert_int_equal(answer_compose(p, ANSWER_ASPECT_LEGAL_BASIS, 0, &t), TD_OK);
	assert_non_null(strstr(t.chat, "Cơ sở dữ liệu chưa có thông tin về căn cứ pháp lý"));
	assert_non_null(strstr(t.chat, "tổng đài viên"));
	assert_non_null(strstr(t.voice, "tổng đài viên"));
	answer_text_release(&t);
	assert_int_equal(answer_compose(p, ANSWER_ASPECT_FORM, 0, &t), TD_OK);
	assert_non_null(strstr(t.chat, "chưa có thông tin về mẫu đơn"));
	answer_text_release(&t);
	/* A record with nothing at all still composes, honestly. */
	struct kb_procedure *e = kb_procedure_new();
	e->code = td_strdup("9.999999");
	e->name = td_strdup("Thủ tục thử");
	e->sample = true;
	kb_strlist_add(&e->notes, "Lệ phí chưa được xác minh");
	for (int a = 0; a < ANSWER_ASPECT__COUNT; a++) {
		assert_int_equal(answer_compose(e, (enum answer_aspect)a, 0xffu, &t), TD_OK);
		assert_non_null(strstr(t.chat, "Thủ tục thử (mã 9.999999)"));
		assert_non_null(strstr(t.chat, "dữ liệu mẫu"));
		/* one plain caveat for citizens, not the owner's working notes */
		assert_non_null(strstr(t.chat, "chưa được cơ quan có thẩm quyền xác nhận"));
		assert_null(strstr(t.chat, "Lệ phí chưa được xác minh"));
		voice_checks(t.voice);
		answer_text_release(&t);
	}
	kb_procedure_free(e);
	kb_procedure_free(p);
}

static void test_all_aspects_voice(void **state)
{
	(void)state;
	struct kb_procedure *p = sample();
	struct answer_text t;
	for (int a = 0; a < ANSWER_ASPECT__COUNT; a++) {
		assert_int_equal(answer_compose(p, (enum answer_aspect)a, 1u << ANSWER_ASPECT_FEE,
						&t),
				 TD_OK);
		voice_checks(t.voice);
		answer_text_release(&t);
	}
	kb_procedure_free(p);
}

static void test_clarify_and_canned(void **state)
{
	(void)state;
	struct kb_procedure *a = sample(), *b = sample();
	td_free(b->name);
	b->name = td_strdup("Thủ tục đăng ký kết hôn có yếu tố nước ngoài");
	const struct kb_procedure *opts[2] = {a, b};
	struct answer_text t;
	assert_int_equal(answer_compose_clarify(opts, 2, &t), TD_OK);
	assert_non_null(strstr(t.chat, "1) Thủ tục đăng ký kết hôn (mã"));
	assert_non_null(strstr(t.chat, "2) Thủ tục đăng ký kết hôn có yếu tố nước ngoài"));
	assert_non_null(strstr(t.voice, "số một"));
	voice_checks(t.voice);
	answer_text_release(&t);
	for (int k = 0; k < ANSWER_CANNED__COUNT; k++) {
		assert_int_equal(answer_compose_canned((enum answer_canned)k, &t), TD_OK);
		assert_true(strlen(t.chat) > 10);
		voice_checks(t.voice);
		answer_text_release(&t);
	}
	assert_int_equal(answer_compose_canned(ANSWER_CANNED_NO_MATCH, &t), TD_OK);
	assert_non_null(strstr(t.chat, "Xin lỗi, tôi chưa có thông tin"));
	assert_non_null(strstr(t.chat, "tổng đài viên"));
	answer_text_release(&t);
	kb_procedure_free(a);
	kb_procedure_free(b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_number_words),
		cmocka_unit_test(test_decimal_and_text),
		cmocka_unit_test(test_documents),
		cmocka_unit_test(test_fee_per_channel),
		cmocka_unit_test(test_missing_is_said),
		cmocka_unit_test(test_all_aspects_voice),
		cmocka_unit_test(test_clarify_and_canned),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
