/* test_answer_dialog.c - the decision thresholds, dialog picks and
 * follow-ups, and the whole answer_question path over a fake retriever,
 * with its JSON. */
#include <jansson.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "answer/answer.h"
#include "base/alloc.h"
#include "base/buf.h"
#include "kb/kb.h"
#include "text/vn.h"

static struct kb_procedure *rec(const char *code, const char *name)
{
	struct kb_procedure *p = kb_procedure_new();
	p->code = td_strdup(code);
	p->name = td_strdup(name);
	p->source_url = td_strdup("https://dichvucong.gov.vn/x");
	p->as_of = td_strdup("2026-11-28");
	struct kb_channel *c = kb_procedure_add_channel(p, KB_CHANNEL_DIRECT);
	c->fee.has_amount = true;
	c->fee.amount_vnd = 100000;
	c->fee.text = td_strdup("100,000 Việt Nam Đồng");
	c->duration.has_value = true;
	c->duration.value = 5;
	c->duration.unit = KB_UNIT_WORKING_DAYS;
	p->submit_place = td_strdup("Bộ phận Một cửa Ủy ban nhân dân cấp xã");
	return p;
}

static struct answer_candidate cand(const struct kb_procedure *p, double score, double qc,
				    double tc)
{
	struct answer_candidate c = {p, score, score / 40, qc, tc};
	return c;
}

static void test_decide(void **state)
{
	(void)state;
	struct kb_procedure *a = rec("1.000894", "Thủ tục đăng ký kết hôn");
	struct kb_procedure *b = rec("2.000806", "Thủ tục đăng ký kết hôn có yếu tố nước ngoài");
	struct kb_procedure *c = rec("1.001193", "Thủ tục đăng ký khai sinh");
	struct kb_procedure *a2 = rec("3.000894", "Thủ tục đăng ký kết hôn");
	struct answer_decision d;

	answer_decide(NULL, NULL, 0, &d);
	assert_int_equal(d.status, ANSWER_STATUS_NO_MATCH);
	assert_true(d.confidence == 0);

	/* Clear winner. */
	struct answer_candidate x[3] = {cand(a, 30, 0.9, 1.0), cand(c, 10, 0.2, 0.2)};
	answer_decide(NULL, x, 2, &d);
	assert_int_equal(d.status, ANSWER_STATUS_ANSWERED);
	assert_true(d.confidence >= 0.5 && d.confidence <= 1);

	/* The question explains little of itself: abstain. */
	x[0] = cand(a, 30, 0.15, 0.3);
	answer_decide(NULL, x, 2, &d);
	assert_int_equal(d.status, ANSWER_STATUS_NO_MATCH);

	/* Close, different procedures, both half-named: clarify with both. */
	x[0] = cand(a, 30, 0.7, 0.6);
	x[1] = cand(c, 29, 0.7, 0.6);
	answer_decide(NULL, x, 2, &d);
	assert_int_equal(d.status, ANSWER_STATUS_CLARIFY);
	assert_int_equal(d.n_options, 2);

	/* Named completely vs a qualified variant: answer the plain one. */
	x[0] = cand(a, 30, 0.9, 1.0);
	x[1] = cand(b, 29, 0.8, 0.6);
	x[2] = cand(c, 10, 0.2, 0.1);
	answer_decide(NULL, x, 3, &d);
	assert_int_equal(d.status, ANSWER_STATUS_ANSWERED);

	/* Same name at another agency is not a rival. */
	x[0] = cand(a, 30, 0.9, 0.8);
	x[1] = cand(a2, 29.9, 0.9, 0.8);
	x[2] = cand(c, 10, 0.2, 0.1);
	answer_decide(NULL, x, 3, &d);
	assert_int_equal(d.status, ANSWER_STATUS_ANSWERED);

	/* Stricter thresholds turn the same evidence into a confirmation
	 * question (one option), and stricter still into a no_match. */
	struct answer_thresholds t;
	answer_thresholds_default(&t);
	t.answer_conf = 0.99;
	x[0] = cand(a, 30, 0.7, 0.6);
	x[1] = cand(c, 20, 0.2, 0.1);
	answer_decide(&t, x, 2, &d);
	assert_int_equal(d.status, ANSWER_STATUS_CLARIFY);
	assert_int_equal(d.n_options, 1);
	t.clarify_conf = 0.98;
	answer_decide(&t, x, 2, &d);
	assert_int_equal(d.status, ANSWER_STATUS_NO_MATCH);
	assert_int_equal(d.n_options, 0);
	kb_procedure_free(a);
	kb_procedure_free(b);
	kb_procedure_free(c);
	kb_procedure_free(a2);
}

static bool pick(const struct dialog *d, const char *text, size_t *i)
{
	struct td_buf f;
	td_buf_init(&f, 4096);
	vn_fold(&f, text, strlen(text), VN_LOSSY);
	bool r = dialog_pick_option(d, f.data ? f.data : "", f.len, i);
	td_buf_release(&f);
	return r;
}

static void test_dialog_pick(void **state)
{
	(void)state;
	struct dialog d;
	size_t i;
	dialog_init(&d);
	assert_false(pick(&d, "2", &i));
	const char *codes[3] = {"1.000894", "2.000806", "1.001193"};
	dialog_set_options(&d, codes, 3);
	assert_true(pick(&d, "2", &i));
	assert_int_equal(i, 1);
	assert_true(pick(&d, "cái thứ hai", &i));
	assert_int_equal(i, 1);
	assert_true(pick(&d, "số 1 ạ", &i));
	assert_int_equal(i, 0);
	assert_true(pick(&d, "thứ nhất", &i));
	assert_false(pick(&d, "đúng rồi", &i)); /* a yes needs a single option */
	assert_int_equal(i, 0);
	assert_true(pick(&d, "cái cuối", &i));
	assert_int_equal(i, 2);
	assert_true(pick(&d, "CAI THU BA", &i));
	assert_int_equal(i, 2);
	assert_false(pick(&d, "4", &i));
	assert_false(pick(&d, "đăng ký khai sinh cho 2 con", &i));
	assert_false(pick(&d, "1 hay 2", &i));
	dialog_set_procedure(&d, "1.000894", ANSWER_ASPECT_FEE);
	assert_string_equal(d.procedure, "1.000894");
	assert_int_equal(d.n_options, 0);
	assert_false(pick(&d, "2", &i));

	/* A confirmation question offers one option: yes picks it. */
	dialog_set_options(&d, codes, 1);
	assert_true(pick(&d, "đúng rồi", &i));
	assert_int_equal(i, 0);
	assert_true(pick(&d, "vâng ạ", &i));
	assert_true(pick(&d, "1", &i));
	assert_false(pick(&d, "2", &i));
	assert_false(pick(&d, "không phải, tôi hỏi đăng ký kết hôn", &i));
}

/* A fake retriever: marriage questions find the two marriage records, birth
 * questions the birth record; anything else nothing. */
struct fake {
	const struct kb_procedure *marriage, *marriage_foreign, *birth;
};

static size_t fake_query(void *ctx, const char *q, size_t n, struct answer_candidate *out,
			 size_t max, size_t *words)
{
	struct fake *f = ctx;
	struct td_buf b;
	size_t k = 0;
	td_buf_init(&b, 4096);
	vn_fold(&b, q, n, VN_LOSSY);
	const char *s = b.data ? b.data : "";
	*words = 3;
	if (strstr(s, "ket hon") && max >= 2) {
		bool foreign = strstr(s, "nuoc ngoai") != NULL;
		out[k++] = cand(f->marriage, 30, 0.8, foreign ? 0.6 : 0.6);
		out[k++] = cand(f->marriage_foreign, 29, 0.8, foreign ? 1.0 : 0.6);
	} else if (strstr(s, "khai sinh") && max >= 1) {
		out[k++] = cand(f->birth, 25, 0.9, 1.0);
	}
	td_buf_release(&b);
	return k;
}

static struct answer_nlu *load_nlu(void)
{
	const char *src = getenv("TD_SOURCE_DIR");
	char dir[1024], err[512];
	struct answer_nlu *nlu = NULL;
	snprintf(dir, sizeof dir, "%s/data/answer", src ? src : TD_SOURCE_DIR);
	assert_int_equal(answer_nlu_load(&nlu, dir, err, sizeof err), TD_OK);
	return nlu;
}

static json_t *as_json(const struct answer_result *r, const char *id)
{
	struct td_buf b;
	td_buf_init(&b, 1 << 20);
	answer_result_json(r, id, &b);
	assert_int_equal(td_buf_error(&b), TD_OK);
	json_error_t je;
	json_t *j = json_loads(b.data, 0, &je);
	if (!j)
		fprintf(stderr, "bad JSON: %s\n%s\n", je.text, b.data);
	assert_non_null(j);
	td_buf_release(&b);
	return j;
}

static void ask(const struct answer_engine *e, struct dialog *d, const char *q,
		struct answer_result *r)
{
	assert_int_equal(answer_question(e, d, q, strlen(q), ANSWER_CHANNEL_CHAT, r), TD_OK);
}

static void test_engine_dialog(void **state)
{
	(void)state;
	struct kb_procedure *m = rec("1.000894", "Thủ tục đăng ký kết hôn");
	struct kb_procedure *mf = rec("2.000806", "Thủ tục đăng ký kết hôn có yếu tố nước ngoài");
	struct kb_procedure *bi = rec("1.001193", "Thủ tục đăng ký khai sinh");
	const struct kb_procedure *all[3] = {m, mf, bi};
	struct fake f = {m, mf, bi};
	struct answer_retriever r = {fake_query, &f};
	struct answer_nlu *nlu = load_nlu();
	struct answer_engine *e;
	assert_int_equal(answer_engine_new(all, 3, nlu, &r, NULL, &e), TD_OK);
	assert_ptr_equal(answer_engine_find(e, "1.001193"), bi);
	assert_null(answer_engine_find(e, "9.999999"));

	struct dialog d;
	struct answer_result res;
	dialog_init(&d);

	/* Ambiguous: two different marriage procedures → clarify, then "2". */
	ask(e, &d, "đăng ký kết hôn cần giấy tờ gì", &res);
	assert_int_equal(res.status, ANSWER_STATUS_CLARIFY);
	assert_int_equal(res.aspect, ANSWER_ASPECT_DOCUMENTS);
	json_t *j = as_json(&res, "q1");
	assert_true(json_is_null(json_object_get(j, "procedure")));
	assert_string_equal(json_string_value(json_object_get(j, "status")), "clarify");
	assert_int_equal(json_array_size(json_object_get(j, "candidates")), 2);
	json_decref(j);
	answer_result_release(&res);

	ask(e, &d, "cái thứ hai", &res);
	assert_int_equal(res.status, ANSWER_STATUS_ANSWERED);
	assert_ptr_equal(res.procedure, mf);
	assert_int_equal(res.aspect, ANSWER_ASPECT_DOCUMENTS);
	answer_result_release(&res);

	/* Follow-ups stay on the procedure under discussion. */
	ask(e, &d, "thế còn lệ phí?", &res);
	assert_int_equal(res.status, ANSWER_STATUS_ANSWERED);
	assert_ptr_equal(res.procedure, mf);
	assert_int_equal(res.aspect, ANSWER_ASPECT_FEE);
	assert_true(res.follow_up);
	assert_non_null(strstr(res.text.chat, "100.000 đồng"));
	j = as_json(&res, "q3");
	assert_string_equal(json_string_value(json_object_get(json_object_get(j, "procedure"),
							      "code")),
			    "2.000806");
	assert_string_equal(json_string_value(json_object_get(
					json_array_get(json_object_get(j, "sources"), 0), "url")),
			    "https://dichvucong.gov.vn/x");
	json_decref(j);
	answer_result_release(&res);

	ask(e, &d, "nộp ở đâu?", &res);
	assert_ptr_equal(res.procedure, mf);
	assert_int_equal(res.aspect, ANSWER_ASPECT_PLACE);
	assert_non_null(strstr(res.text.chat, "Bộ phận Một cửa"));
	answer_result_release(&res);

	/* A new topic moves the dialog. */
	ask(e, &d, "làm giấy khai sinh cho con mất bao lâu", &res);
	assert_int_equal(res.status, ANSWER_STATUS_ANSWERED);
	assert_ptr_equal(res.procedure, bi);
	assert_int_equal(res.aspect, ANSWER_ASPECT_DURATION);
	assert_string_equal(d.procedure, "1.001193");
	answer_result_release(&res);

	/* Other intents keep the dialog and say so in the JSON. */
	ask(e, &d, "cho tôi gặp tổng đài viên", &res);
	assert_int_equal(res.status, ANSWER_STATUS_OTHER_INTENT);
	assert_int_equal(res.intent, ANSWER_INTENT_HUMAN);
	j = as_json(&res, NULL);
	assert_string_equal(json_string_value(json_object_get(j, "intent")), "human");
	assert_string_equal(json_string_value(json_object_get(j, "id")), "");
	json_decref(j);
	answer_result_release(&res);
	assert_string_equal(d.procedure, "1.001193");

	/* Nothing found: no_match with the operator offered. */
	ask(e, &d, "xin giấy phép bay flycam trên hồ gươm", &res);
	assert_int_equal(res.status, ANSWER_STATUS_NO_MATCH);
	assert_non_null(strstr(res.text.chat, "tổng đài viên"));
	answer_result_release(&res);

	/* Without a dialog, a bare follow-up cannot be answered. */
	ask(e, NULL, "thế còn lệ phí?", &res);
	assert_int_not_equal(res.status, ANSWER_STATUS_ANSWERED);
	answer_result_release(&res);

	/* Empty and junk input. */
	ask(e, &d, "", &res);
	assert_int_equal(res.status, ANSWER_STATUS_NO_MATCH);
	answer_result_release(&res);
	const char junk[] = "\xff\"\\\x01\n{}";
	assert_int_equal(answer_question(e, &d, junk, sizeof junk - 1, ANSWER_CHANNEL_VOICE, &res),
			 TD_OK);
	j = as_json(&res, "\"quoted\"");
	json_decref(j);
	answer_result_release(&res);

	answer_engine_free(e);
	answer_nlu_free(nlu);
	kb_procedure_free(m);
	kb_procedure_free(mf);
	kb_procedure_free(bi);
}

/* The retriever for the apartment-board record: the bare name explains the
 * message (title 0.75, query 0.85); a report about the board explains a
 * small part of it. */
static size_t board_query(void *ctx, const char *q, size_t n, struct answer_candidate *out,
			  size_t max, size_t *words)
{
	const struct kb_procedure *board = ctx;
	struct td_buf b;
	td_buf_init(&b, 4096);
	vn_fold(&b, q, n, VN_LOSSY);
	bool bare = b.data && !strcmp(b.data, "cong nhan ban quan tri chung cu");
	td_buf_release(&b);
	*words = 5;
	if (!max)
		return 0;
	out[0] = bare ? cand(board, 30, 0.85, 0.75) : cand(board, 12, 0.3, 0.5);
	return 1;
}

/* A message that is a procedure's name is a procedure question even when
 * the classifier is sure its words sound like a report; a report that
 * mentions the same things stays a report. */
static void test_engine_name_over_report(void **state)
{
	(void)state;
	struct kb_procedure *board = rec("1.012888", "Công nhận Ban quản trị nhà chung cư");
	const struct kb_procedure *all[1] = {board};
	struct answer_retriever r = {board_query, board};
	struct answer_nlu *nlu = load_nlu();
	struct answer_engine *e;
	assert_int_equal(answer_engine_new(all, 1, nlu, &r, NULL, &e), TD_OK);
	struct answer_result res;
	const char *bare = "công nhận ban quản trị chung cư";
	double conf = 0;
	if (answer_intent(nlu, bare, strlen(bare), &conf) == ANSWER_INTENT_PAKN_REPORT)
		fprintf(stderr, "classifier alone: pakn_report %.3f\n", conf);
	ask(e, NULL, bare, &res);
	assert_int_equal(res.intent, ANSWER_INTENT_PROCEDURE_INFO);
	assert_ptr_equal(res.candidates[0].proc, board);
	answer_result_release(&res);
	ask(e, NULL,
	    "chung cư nhà tôi mất nước ba ngày rồi ban quản trị không ai giải quyết, đề nghị "
	    "phường kiểm tra",
	    &res);
	assert_int_equal(res.intent, ANSWER_INTENT_PAKN_REPORT);
	answer_result_release(&res);
	answer_engine_free(e);
	answer_nlu_free(nlu);
	kb_procedure_free(board);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_decide),
		cmocka_unit_test(test_dialog_pick),
		cmocka_unit_test(test_engine_dialog),
		cmocka_unit_test(test_engine_name_over_report),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
