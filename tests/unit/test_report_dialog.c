/* test_report_dialog.c - the PAKN report conversation over a fake backend:
 * slot order, each slot filled from typical answers, cancel, confirm yes/no,
 * split-ward options, the emergency short-circuit, a complaint, status
 * lookups (a bad check digit never reaches the backend), the dialog blob. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "answer/answer.h"
#include "answer/report_dialog.h"
#include "base/alloc.h"
#include "kb/kb.h"

/* ---- fake backend: keyword rules ------------------------------------------ */

struct fake {
	int files, lookups;
	char text[4096], name[96], phone[16], location[256], channel[16];
	bool duplicate;
};

static void ward(struct report_analysis *a, const char *code, const char *name)
{
	snprintf(a->wards[a->n_wards], sizeof a->wards[0], "%s", code);
	snprintf(a->ward_names[a->n_wards], sizeof a->ward_names[0], "%s", name);
	a->n_wards++;
}

static td_err fake_analyse(void *ctx, const struct dialog_report *d, struct report_analysis *a)
{
	(void)ctx;
	memset(a, 0, sizeof *a);
	const char *t = d->text;
	snprintf(a->category, sizeof a->category, "thoat-nuoc");
	snprintf(a->category_name, sizeof a->category_name, "Thoát nước, ngập úng");
	a->field_report = strstr(t, "ngập") || strstr(t, "rác");
	a->complaint = strstr(t, "tố cáo") != NULL;
	if (strstr(t, "cháy")) {
		a->emergency = true;
		snprintf(a->emergency_numbers, sizeof a->emergency_numbers, "114");
	}
	if (strstr(t, "Cống Vị")) {
		ward(a, "00008", "Phường Ngọc Hà");
		ward(a, "00025", "Phường Giảng Võ");
	} else if (strstr(t, "Giảng Võ")) {
		ward(a, "00025", "Phường Giảng Võ");
	} else if (strstr(t, "phường Láng") || strstr(d->location, "phường Láng")) {
		ward(a, "00199", "Phường Láng");
	}
	if (a->field_report && a->n_wards == 0 && !d->ward_pick)
		a->missing[a->n_missing++] = "dia_diem";
	if (a->field_report && !strstr(t, "sáng") && !strstr(t, "hôm qua"))
		a->missing[a->n_missing++] = "thoi_gian";
	const char *la = strstr(t, "tôi là ");
	if (la) {
		la += strlen("tôi là ");
		size_t l = strcspn(la, ",");
		snprintf(a->name, sizeof a->name, "%.*s", (int)l, la);
	}
	const char *ph = strstr(t, "09");
	if (ph && strlen(ph) >= 10)
		snprintf(a->phone, sizeof a->phone, "%.10s", ph);
	if (!d->name[0] && !a->name[0])
		a->missing[a->n_missing++] = "ho_ten";
	if (!d->phone[0] && !d->address[0] && !a->phone[0])
		a->missing[a->n_missing++] = "lien_he";
	return TD_OK;
}

static td_err fake_file(void *ctx, const struct report_submission *s, struct report_filing *out)
{
	struct fake *f = ctx;
	memset(out, 0, sizeof *out);
	f->files++;
	snprintf(f->text, sizeof f->text, "%s", s->text);
	snprintf(f->name, sizeof f->name, "%s", s->name);
	snprintf(f->phone, sizeof f->phone, "%s", s->phone);
	snprintf(f->location, sizeof f->location, "%s", s->location);
	snprintf(f->channel, sizeof f->channel, "%s", s->channel);
	snprintf(out->number, sizeof out->number, "261128-0002-3");
	if (f->duplicate)
		snprintf(out->duplicate, sizeof out->duplicate, "261128-0001-0");
	snprintf(out->agency_name, sizeof out->agency_name, "Sở Xây dựng");
	snprintf(out->level, sizeof out->level, "normal");
	return TD_OK;
}

static td_err fake_lookup(void *ctx, const char *canon, struct report_case_view *v)
{
	struct fake *f = ctx;
	f->lookups++;
	memset(v, 0, sizeof *v);
	if (strcmp(canon, "26112800010") != 0)
		return TD_ERR_NOTFOUND;
	snprintf(v->number, sizeof v->number, "261128-0001-0");
	snprintf(v->status_label, sizeof v->status_label, "Đã tiếp nhận");
	snprintf(v->agency_name, sizeof v->agency_name, "Sở Xây dựng");
	snprintf(v->category_name, sizeof v->category_name, "Thoát nước, ngập úng");
	v->updated_at = 1795856400;
	return TD_OK;
}

/* ---- an engine with no records --------------------------------------------- */

static size_t no_query(void *ctx, const char *q, size_t n, struct answer_candidate *out,
		       size_t max, size_t *words)
{
	(void)ctx, (void)q, (void)n, (void)out, (void)max;
	*words = 0;
	return 0;
}

struct world {
	struct answer_nlu *nlu;
	struct answer_engine *e;
	struct fake f;
	struct report_backend b;
	struct dialog *d;
	struct report_turn t;
	char chat[4096], voice[4096];
	enum answer_intent intent;
};

static int setup(void **state)
{
	struct world *w = td_calloc(1, sizeof *w);
	const char *src = getenv("TD_SOURCE_DIR");
	char dir[1024], err[512];
	snprintf(dir, sizeof dir, "%s/data/answer", src ? src : TD_SOURCE_DIR);
	if (answer_nlu_load(&w->nlu, dir, err, sizeof err) != TD_OK)
		return -1;
	struct answer_retriever r = {no_query, NULL};
	if (answer_engine_new(NULL, 0, w->nlu, &r, NULL, &w->e) != TD_OK)
		return -1;
	w->b = (struct report_backend){fake_analyse, fake_file, fake_lookup, &w->f};
	w->d = td_malloc(sizeof *w->d);
	dialog_init(w->d);
	*state = w;
	return 0;
}

static int teardown(void **state)
{
	struct world *w = *state;
	answer_engine_free(w->e);
	answer_nlu_free(w->nlu);
	td_free(w->d);
	td_free(w);
	return 0;
}

/* One turn; returns the state ("" when the dialog was not involved). */
static const char *say(struct world *w, const char *q, const char *channel)
{
	struct answer_result r;
	enum answer_channel ch = strcmp(channel, "voice") == 0 ? ANSWER_CHANNEL_VOICE
							       : ANSWER_CHANNEL_CHAT;
	assert_int_equal(report_dialog_answer(&w->b, w->e, w->d, q, strlen(q), ch, channel, &r,
					      &w->t),
			 TD_OK);
	snprintf(w->chat, sizeof w->chat, "%s", r.text.chat ? r.text.chat : "");
	snprintf(w->voice, sizeof w->voice, "%s", r.text.voice ? r.text.voice : "");
	w->intent = r.intent;
	answer_result_release(&r);
	/* every turn survives the session blob */
	unsigned char blob[DIALOG_BLOB_MAX];
	size_t n = dialog_encode(w->d, blob, sizeof blob);
	assert_true(n > 0);
	struct dialog *back = td_malloc(sizeof *back);
	assert_true(dialog_decode(back, blob, n));
	assert_int_equal(back->report.state, w->d->report.state);
	assert_int_equal(back->report.text_len, w->d->report.text_len);
	assert_string_equal(back->report.text, w->d->report.text);
	assert_string_equal(back->report.name, w->d->report.name);
	*w->d = *back;
	td_free(back);
	return w->t.state ? w->t.state : "";
}

static void assert_asking(struct world *w, const char *slot)
{
	assert_string_equal(w->t.state, "asking");
	assert_string_equal(w->t.asking, slot);
}

static void test_slot_order_and_filing(void **state)
{
	struct world *w = *state;
	say(w, "cống ở đầu ngõ bị tắc, nước ngập lênh láng", "web");
	assert_int_equal(w->intent, ANSWER_INTENT_PAKN_REPORT);
	assert_asking(w, "dia_diem");
	assert_non_null(strstr(w->chat, "Anh/chị cho biết địa điểm cụ thể (số nhà, đường/phố, "
					 "phường/xã) ạ?"));
	assert_null(strstr(w->voice, "/"));
	say(w, "số 12 ngõ 5 phố Láng, phường Láng", "web");
	assert_asking(w, "thoi_gian");
	assert_non_null(strstr(w->chat, "Sự việc xảy ra từ khi nào ạ?"));
	say(w, "từ sáng nay", "web");
	assert_asking(w, "ho_ten");
	assert_non_null(strstr(w->chat, "Xin cho biết họ tên của anh/chị"));
	say(w, "tên tôi là Nguyễn Văn An ạ", "web");
	assert_string_equal(w->d->report.name, "Nguyễn Văn An");
	assert_asking(w, "lien_he");
	say(w, "số của tôi 0912.345.678", "web");
	assert_string_equal(w->d->report.phone, "0912345678");
	assert_string_equal(say(w, "để tôi xem đã", "web"), "confirm"); /* neither: asked again */
	assert_non_null(strstr(w->chat, "Anh/chị xác nhận gửi phản ánh này? (có/không)"));
	say(w, "hmm", "web");
	assert_string_equal(w->t.state, "confirm");
	assert_non_null(strstr(w->chat, "xác nhận"));
	/* "cơ" folds like "có" but is not a yes when typed with diacritics */
	say(w, "cái gì cơ", "web");
	assert_string_equal(w->t.state, "confirm");
	/* the summary was shown once before: check its content on a fresh confirm */
	assert_int_equal(w->f.files, 0);
	say(w, "có, gửi đi", "web");
	assert_string_equal(w->t.state, "filed");
	assert_int_equal(w->f.files, 1);
	assert_string_equal(w->t.number, "261128-0002-3");
	assert_non_null(strstr(w->chat, "Số phản ánh: 261128-0002-3"));
	assert_non_null(strstr(w->chat, "Sở Xây dựng"));
	assert_non_null(strstr(w->chat, "10 ngày làm việc"));
	/* content turns appended verbatim, contact kept out of the text */
	assert_string_equal(w->f.text, "cống ở đầu ngõ bị tắc, nước ngập lênh láng\n"
					"số 12 ngõ 5 phố Láng, phường Láng\ntừ sáng nay");
	assert_string_equal(w->f.name, "Nguyễn Văn An");
	assert_string_equal(w->f.phone, "0912345678");
	assert_string_equal(w->f.channel, "chat");
	assert_int_equal(w->d->report.state, DIALOG_REPORT_NONE);
}

static void test_summary_and_voice_number(void **state)
{
	struct world *w = *state;
	say(w, "rác thải tồn đọng ở phường Láng từ sáng nay, tôi là Trần Thị Bình, sđt 0987654321",
	    "voice");
	assert_string_equal(w->t.state, "confirm");
	assert_non_null(strstr(w->chat, "Phường Láng"));
	assert_non_null(strstr(w->chat, "098****321"));
	assert_null(strstr(w->chat, "0987654321"));
	say(w, "vâng", "voice");
	assert_string_equal(w->t.state, "filed");
	assert_string_equal(w->f.channel, "phone");
	assert_non_null(strstr(w->voice, "hai sáu một một hai tám, không không không hai, ba"));
}

static void test_cancel_and_no(void **state)
{
	struct world *w = *state;
	say(w, "cống ở đầu ngõ bị tắc, nước ngập lênh láng", "web");
	assert_asking(w, "dia_diem");
	assert_string_equal(say(w, "thôi", "web"), "cancelled");
	assert_int_equal(w->d->report.state, DIALOG_REPORT_NONE);
	say(w, "rác thải tồn đọng ở phường Láng từ sáng nay", "web");
	assert_asking(w, "ho_ten");
	assert_string_equal(say(w, "không gửi nữa", "web"), "cancelled");
	say(w, "rác thải tồn đọng ở phường Láng từ sáng nay, tôi là Lê Huy, 0912345678", "web");
	assert_string_equal(w->t.state, "confirm");
	assert_string_equal(say(w, "không", "web"), "cancelled");
	assert_int_equal(w->f.files, 0);
	/* a name that looks like "hủy" without marks is a name in the name slot */
	say(w, "rác thải tồn đọng ở phường Láng từ sáng nay", "web");
	assert_asking(w, "ho_ten");
	say(w, "Quang Huy", "web");
	assert_string_equal(w->d->report.name, "Quang Huy");
	assert_string_equal(say(w, "hủy", "web"), "cancelled");
}

/* ---- a report that may have been a procedure question ------------------- */

static struct kb_procedure *hint_proc;

/* Finds the one record for any message about "cống", covering half of it. */
static size_t hint_query(void *ctx, const char *q, size_t n, struct answer_candidate *out,
			 size_t max, size_t *words)
{
	(void)ctx, (void)n;
	*words = 3;
	if (!max || !strstr(q, "cống"))
		return 0;
	out[0] = (struct answer_candidate){.proc = hint_proc, .score = 10, .norm = 0.5,
					   .query_cover = 0.5, .title_cover = 0.5};
	return 1;
}

/* The best record of a message read as a report is offered for one turn;
 * "thủ tục" takes it (the draft goes, the procedure is answered), anything
 * else carries on with the report and the offer lapses. */
static void test_procedure_offer(void **state)
{
	struct world *w = *state;
	hint_proc = kb_procedure_new();
	hint_proc->code = td_strdup("1.000001");
	hint_proc->name = td_strdup("Cấp phép đấu nối cống thoát nước");
	const struct kb_procedure *procs[] = {hint_proc};
	struct answer_retriever r = {hint_query, NULL};
	answer_engine_free(w->e);
	assert_int_equal(answer_engine_new(procs, 1, w->nlu, &r, NULL, &w->e), TD_OK);

	say(w, "cống ở đầu ngõ bị tắc, nước ngập lênh láng", "web");
	assert_asking(w, "dia_diem");
	assert_non_null(strstr(w->chat, "Nếu anh/chị muốn hỏi về thủ tục \"Cấp phép đấu nối cống "
					 "thoát nước\", xin nhắn \"thủ tục\"."));
	assert_non_null(strstr(w->voice, "xin nói: thủ tục."));
	assert_string_equal(say(w, "thủ tục", "web"), "");
	assert_int_equal(w->intent, ANSWER_INTENT_PROCEDURE_INFO);
	assert_string_equal(w->d->procedure, "1.000001");
	assert_int_equal(w->d->report.state, DIALOG_REPORT_NONE);
	assert_non_null(strstr(w->chat, "Cấp phép đấu nối cống thoát nước"));

	/* answered with a place instead: the report goes on, the offer lapses,
	 * and a later "thủ tục" is neither a pick nor a cancel */
	say(w, "cống ở đầu ngõ bị tắc, nước ngập lênh láng", "web");
	assert_asking(w, "dia_diem");
	say(w, "số 12 ngõ 5 phố Láng, phường Láng", "web");
	assert_asking(w, "thoi_gian");
	assert_int_equal(w->d->n_options, 0);
	say(w, "thủ tục", "web");
	assert_string_equal(w->t.state, "asking");
	assert_int_equal(w->f.files, 0);
	kb_procedure_free(hint_proc);
}

/* A place or name whose word starts with the bytes of "hủ" is not "hủy". */
static void test_cancel_needs_the_word(void **state)
{
	struct world *w = *state;
	say(w, "cống ở đầu ngõ bị tắc, nước ngập lênh láng", "web");
	assert_asking(w, "dia_diem");
	assert_string_equal(say(w, "phố Phủ Doãn", "web"), "asking");
	assert_int_equal(w->d->report.state, DIALOG_REPORT_ASKING);
	assert_string_equal(say(w, "Huỷ", "web"), "cancelled");
}

static void test_split_ward(void **state)
{
	struct world *w = *state;
	say(w, "rác thải tồn đọng ở phường Cống Vị, quận Ba Đình từ sáng nay", "web");
	assert_asking(w, "chon_phuong");
	assert_non_null(strstr(w->chat, "1) Phường Ngọc Hà"));
	assert_non_null(strstr(w->chat, "2) Phường Giảng Võ"));
	say(w, "số 2", "web");
	assert_int_equal(w->d->report.ward_pick, 2);
	assert_string_equal(w->d->report.ward_name, "Phường Giảng Võ");
	assert_asking(w, "ho_ten");
	say(w, "Phạm Minh", "web");
	say(w, "nhà số 3 ngách 4 ngõ Giảng Võ", "web"); /* an address for the reply */
	assert_string_equal(w->t.state, "confirm");
	assert_non_null(strstr(w->chat, "Địa điểm: Phường Giảng Võ"));
	say(w, "đồng ý", "web");
	assert_string_equal(w->t.state, "filed");
	assert_non_null(strstr(w->f.location, "Phường Giảng Võ"));
	/* a ward named instead of numbered */
	say(w, "rác thải tồn đọng ở phường Cống Vị, quận Ba Đình từ sáng nay", "web");
	assert_asking(w, "chon_phuong");
	say(w, "phường Giảng Võ", "web");
	assert_int_equal(w->d->report.ward_pick, 2);
	say(w, "hủy", "web");
}

static void test_emergency_and_complaint(void **state)
{
	struct world *w = *state;
	say(w, "nhà bên cạnh đang cháy to, khói mù mịt ở ngõ 5 phố Láng", "web");
	assert_string_equal(w->t.state, "emergency");
	assert_non_null(strstr(w->chat, "Nếu có nguy hiểm, gọi ngay 114 (cứu hỏa)"));
	assert_null(strstr(w->chat, "113"));
	assert_int_equal(w->f.files, 0);
	say(w, "gửi phản ánh", "web"); /* filed at once, nothing asked */
	assert_string_equal(w->t.state, "filed");
	assert_int_equal(w->f.files, 1);
	/* not asked to file: the next message is answered as usual */
	say(w, "nhà bên cạnh đang cháy to, khói mù mịt ở ngõ 5 phố Láng", "web");
	assert_string_equal(w->t.state, "emergency");
	say(w, "cảm ơn", "web");
	assert_int_equal(w->d->report.state, DIALOG_REPORT_NONE);
	assert_int_equal(w->f.files, 1);

	say(w, "tôi muốn tố cáo cán bộ phường nhận hối lộ khi làm hồ sơ", "web");
	assert_string_equal(w->t.state, "not_pakn");
	assert_non_null(strstr(w->chat, "Luật Tố cáo"));
	assert_int_equal(w->d->report.state, DIALOG_REPORT_NONE);
	assert_int_equal(w->f.files, 1);
}

static void test_duplicate(void **state)
{
	struct world *w = *state;
	w->f.duplicate = true;
	say(w, "rác thải tồn đọng ở phường Láng từ sáng nay, tôi là Trần Thị Bình, sđt 0987654321",
	    "app");
	say(w, "có", "app");
	assert_string_equal(w->t.state, "filed");
	assert_string_equal(w->t.duplicate, "261128-0001-0");
	assert_non_null(strstr(w->chat, "trùng với phản ánh số 261128-0001-0"));
	assert_string_equal(w->f.channel, "app");
}

static void test_status(void **state)
{
	struct world *w = *state;
	say(w, "phản ánh số 261128-0001-1 của tôi đến đâu rồi", "web");
	assert_string_equal(w->t.state, "invalid_number");
	assert_int_equal(w->f.lookups, 0); /* refused before any lookup */
	say(w, "26112800010", "web");
	assert_string_equal(w->t.state, "status");
	assert_int_equal(w->f.lookups, 1);
	assert_non_null(strstr(w->chat, "Đã tiếp nhận"));
	assert_non_null(strstr(w->chat, "Sở Xây dựng"));
	say(w, "cho hỏi phản ánh của tôi đến đâu rồi", "web");
	assert_string_equal(w->t.state, "status_asking");
	say(w, "261128-0001-0", "web");
	assert_string_equal(w->t.state, "status");
}

static void test_blob_versions(void **state)
{
	(void)state;
	struct dialog *d = td_malloc(sizeof *d);
	dialog_init(d);
	dialog_set_procedure(d, "1.000894", ANSWER_ASPECT_FEE);
	unsigned char blob[DIALOG_BLOB_MAX];
	size_t n = dialog_encode(d, blob, sizeof blob);
	assert_true(n > 0 && n <= 256); /* no report: fits the session cache */
	/* a version-1 blob: tag + the old struct (the prefix, padded) */
	unsigned char v1[4 + 256];
	memset(v1, 0, sizeof v1);
	memcpy(v1, "tdD1", 4);
	memcpy(v1 + 4, d, offsetof(struct dialog, report));
	size_t v1len = 4 + (offsetof(struct dialog, report) + 7) / 8 * 8;
	struct dialog *back = td_malloc(sizeof *back);
	assert_true(dialog_decode(back, v1, v1len));
	assert_string_equal(back->procedure, "1.000894");
	assert_int_equal(back->aspect, ANSWER_ASPECT_FEE);
	assert_int_equal(back->report.state, DIALOG_REPORT_NONE);
	/* garbage and damaged drafts */
	assert_false(dialog_decode(back, (const unsigned char *)"tdD9xxxx", 8));
	d->report.state = DIALOG_REPORT_ASKING;
	d->report.text_len = 5;
	memcpy(d->report.text, "abcde", 6);
	n = dialog_encode(d, blob, sizeof blob);
	blob[4 + offsetof(struct dialog, report)] = 77; /* bad state */
	assert_true(dialog_decode(back, blob, n));
	assert_int_equal(back->report.state, DIALOG_REPORT_NONE);
	assert_string_equal(back->procedure, "1.000894");
	assert_int_equal(dialog_encode(d, blob, 10), 0);
	td_free(back);
	td_free(d);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_slot_order_and_filing, setup, teardown),
		cmocka_unit_test_setup_teardown(test_summary_and_voice_number, setup, teardown),
		cmocka_unit_test_setup_teardown(test_cancel_and_no, setup, teardown),
		cmocka_unit_test_setup_teardown(test_split_ward, setup, teardown),
		cmocka_unit_test_setup_teardown(test_procedure_offer, setup, teardown),
		cmocka_unit_test_setup_teardown(test_cancel_needs_the_word, setup, teardown),
		cmocka_unit_test_setup_teardown(test_emergency_and_complaint, setup, teardown),
		cmocka_unit_test_setup_teardown(test_duplicate, setup, teardown),
		cmocka_unit_test_setup_teardown(test_status, setup, teardown),
		cmocka_unit_test(test_blob_versions),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
