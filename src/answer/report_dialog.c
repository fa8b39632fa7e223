/*
 * report_dialog.c - the PAKN report conversation (report_dialog.h).
 *
 * One missing thing per turn, in this order: the place (field reports with
 * no ward found), the ward when an old address gives several (numbered
 * options), the time (field reports), the name, a phone or address for the
 * reply; then a summary and "có/không"; "có" files through the backend.
 * Place and time answers are content: they are appended to the verbatim
 * text after a newline.  Name, phone and address are contact and stay out
 * of the text (the intake stores them apart).  A place or time answer the
 * backend still cannot read is asked once more, then the dialog goes on
 * (the intake routes a report with no ward to ttpvhcc for triage).
 *
 * Never asked: an emergency gets the numbers to call at once and is filed
 * only if the citizen then says so ("gửi"); a complaint or denunciation is
 * explained (not a PAKN) and never filed.  "hủy", "thôi", "không gửi nữa"
 * drop the draft at any step; "không" to the summary drops it too.
 */
#include "answer/report_dialog.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

#include "answer/answer_int.h"
#include "answer/numwords.h"
#include "base/alloc.h"
#include "base/log.h"
#include "store/store_case.h"
#include "base/banned.h"

enum slot { SLOT_NONE, SLOT_PLACE, SLOT_WARD, SLOT_TIME, SLOT_NAME, SLOT_CONTACT, SLOT__N };
static const char *const slot_code[SLOT__N] = {NULL,	     "dia_diem", "chon_phuong",
					       "thoi_gian", "ho_ten",	  "lien_he"};

enum { FLAG_PLACE_DONE = 1, FLAG_WARD_DONE = 2, FLAG_TIME_DONE = 4 };

#define REPLY_MAX 4096

struct reply {
	struct td_buf chat, voice;
};

static void reply_init(struct reply *r)
{
	td_buf_init(&r->chat, REPLY_MAX);
	td_buf_init(&r->voice, REPLY_MAX);
}

/* The voice form of chat wording: no slashes TTS would read. */
static void voice_add(struct td_buf *v, const char *s)
{
	static const char *const from[] = {"Anh/chị", "anh/chị", "(có/không)", "đường/phố",
					   "phường/xã", "/"};
	static const char *const to[] = {"Anh chị", "anh chị", "có hay không", "đường phố",
					 "phường xã", " "};
	while (*s) {
		size_t k = 0, nk = sizeof from / sizeof from[0];
		for (; k < nk; k++)
			if (strncmp(s, from[k], strlen(from[k])) == 0)
				break;
		if (k < nk) {
			td_buf_adds(v, to[k]);
			s += strlen(from[k]);
		} else {
			td_buf_addc(v, *s == '\n' ? ' ' : *s);
			s++;
		}
	}
}

/* Add the same sentence to both renderings. */
static void say(struct reply *r, const char *s)
{
	td_buf_adds(&r->chat, s);
	voice_add(&r->voice, s);
}

static td_err reply_finish(struct reply *r, struct answer_result *out)
{
	td_err e = td_buf_error(&r->chat) ? td_buf_error(&r->chat) : td_buf_error(&r->voice);
	if (e == TD_OK) {
		answer_text_release(&out->text);
		out->text.chat = td_buf_detach(&r->chat, NULL);
		out->text.voice = td_buf_detach(&r->voice, NULL);
		if (!out->text.chat)
			out->text.chat = td_strdup("");
		if (!out->text.voice)
			out->text.voice = td_strdup("");
	}
	td_buf_release(&r->chat);
	td_buf_release(&r->voice);
	return e;
}

/* ---- small text helpers --------------------------------------------------- */

/* Copy at most cap-1 bytes of s[0..n), cut on a UTF-8 boundary, trimmed. */
static void copy_text(char *dst, size_t cap, const char *s, size_t n)
{
	while (n && (*s == ' ' || *s == '\t' || *s == '\n' || *s == '\r'))
		s++, n--;
	while (n && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\n' || s[n - 1] == '\r'))
		n--;
	if (n > cap - 1) {
		n = cap - 1;
		while (n && ((unsigned char)s[n] & 0xC0) == 0x80)
			n--;
	}
	memcpy(dst, s, n);
	dst[n] = '\0';
}

/* Append content to the draft text after a newline; false if it would not fit. */
static bool text_append(struct dialog_report *r, const char *s, size_t n)
{
	size_t need = (r->text_len ? 1 : 0) + n;
	if (r->text_len + need > DIALOG_REPORT_TEXT_MAX)
		return false;
	if (r->text_len)
		r->text[r->text_len++] = '\n';
	memcpy(r->text + r->text_len, s, n);
	r->text_len = (unsigned short)(r->text_len + n);
	r->text[r->text_len] = '\0';
	return true;
}

static bool msg_has(const struct answer__msg *m, const char *w)
{
	for (size_t i = 0; i < m->ntok; i++)
		if (answer__tok_is(&m->tok[i], w))
			return true;
	return false;
}

/* Does the folded message contain the folded phrase (space-separated)? */
static bool msg_phrase(const struct answer__msg *m, const char *phrase)
{
	const char *f = m->folded.data ? m->folded.data : "";
	size_t pl = strlen(phrase);
	for (const char *p = strstr(f, phrase); p; p = strstr(p + 1, phrase)) {
		bool start = p == f || p[-1] == ' ';
		bool end = p[pl] == '\0' || p[pl] == ' ' || p[pl] == '.' || p[pl] == ',' ||
			   p[pl] == '!';
		if (start && end)
			return true;
	}
	return false;
}

/* "hủy", "thôi", "không gửi nữa", "dừng lại".  In the name slot a bare
 * "huy" without marks may be a name (Huy), so only the marked forms count. */
static bool is_cancel(const struct answer__msg *m, const char *q, size_t n, bool name_slot)
{
	if (msg_phrase(m, "khong gui nua") || msg_phrase(m, "huy phan anh") ||
	    msg_phrase(m, "huy bo") || msg_phrase(m, "thoi khong gui") ||
	    msg_phrase(m, "khong muon gui"))
		return true;
	if (m->ntok > 4)
		return false;
	/* The whole marked word: its first four bytes are "hủ", which "thủ
	 * tục", "chủ nhà" and "phố Phủ Doãn" also contain. */
	static const char *const cancel[] = {"hủy", "huỷ", "Hủy", "Huỷ", "HỦY"};
	bool marked = false;
	for (size_t k = 0; k < sizeof cancel / sizeof *cancel && !marked; k++) {
		size_t l = strlen(cancel[k]);
		for (size_t i = 0; i + l <= n && !marked; i++)
			marked = !memcmp(q + i, cancel[k], l);
	}
	if (marked || (!name_slot && msg_has(m, "huy")))
		return true;
	return m->ntok <= 3 && (msg_has(m, "thoi") || msg_phrase(m, "dung lai"));
}

/* Whether the raw text q[0..n) was typed with diacritics and has no "có":
 * then its folded "co" is some other word ("cơ", "cố", "cờ"), not yes. */
static bool co_is_not_yes(const char *q, size_t n)
{
	bool marks = false;
	for (size_t i = 0; i < n && !marks; i++)
		marks = (unsigned char)q[i] >= 0x80;
	if (!marks)
		return false;
	static const char *const yes[] = {"có", "Có", "CÓ"};
	for (size_t k = 0; k < 3; k++) {
		size_t l = strlen(yes[k]);
		for (size_t i = 0; i + l <= n; i++)
			if (memcmp(q + i, yes[k], l) == 0)
				return false;
	}
	return true;
}

/* Yes (1), no (-1) or neither (0) to a có/không question: the first word
 * that decides.  q is the raw text, to tell "có" from "cơ". */
static int yes_no(const struct answer__msg *m, const char *q, size_t n)
{
	static const char *const yes[] = {"co", "dong y", "gui", "ok", "oke", "xac nhan", "dung",
					  "vang", "u", "uh", "yes", "chinh xac", "duoc"};
	static const char *const no[] = {"khong", "ko", "k", "chua", "sai", "no", "khoi"};
	if (msg_phrase(m, "khong dong y") || msg_phrase(m, "khong xac nhan"))
		return -1;
	if (msg_phrase(m, "dong y") || msg_phrase(m, "xac nhan"))
		return 1;
	for (size_t i = 0; i < m->ntok; i++) {
		for (size_t k = 0; k < sizeof no / sizeof no[0]; k++)
			if (answer__tok_is(&m->tok[i], no[k]))
				return -1;
		for (size_t k = 0; k < sizeof yes / sizeof yes[0]; k++)
			if (answer__tok_is(&m->tok[i], yes[k]) &&
			    !(k == 0 && co_is_not_yes(q, n)))
				return 1;
	}
	return 0;
}

static bool has_digit(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (s[i] >= '0' && s[i] <= '9')
			return true;
	return false;
}

/* A phone number in the message (0 + 9..10 digits, spaces/dots allowed). */
static bool find_phone(const char *q, size_t n, char *out, size_t cap)
{
	for (size_t i = 0; i < n; i++) {
		if (q[i] != '0' && !(q[i] == '+' && i + 2 < n && q[i + 1] == '8' && q[i + 2] == '4'))
			continue;
		if (i > 0 && q[i - 1] >= '0' && q[i - 1] <= '9')
			continue;
		char d[16];
		size_t nd = 0, j = i;
		if (q[j] == '+') {
			d[nd++] = '0';
			j += 3;
		}
		for (; j < n && nd < sizeof d - 1; j++) {
			if (q[j] >= '0' && q[j] <= '9')
				d[nd++] = q[j];
			else if (!(q[j] == ' ' || q[j] == '.' || q[j] == '-'))
				break;
		}
		if (j < n && q[j] >= '0' && q[j] <= '9')
			continue; /* too long: not a phone */
		if ((nd == 10 || nd == 11) && d[0] == '0') {
			d[nd] = '\0';
			snprintf(out, cap, "%s", d);
			return true;
		}
	}
	return false;
}

/* The phone with all but its first 3 and last 3 digits hidden. */
static void mask_phone(const char *p, char *out, size_t cap)
{
	size_t n = strlen(p), k = 0;
	for (size_t i = 0; i < n && k + 1 < cap; i++)
		out[k++] = i < 3 || i + 3 >= n ? p[i] : '*';
	out[k] = '\0';
}

/* Digits of a display number read as words in groups: "hai sáu …, không …". */
static void number_words(struct td_buf *out, const char *display)
{
	const char *p = display;
	while (*p) {
		const char *dash = strchr(p, '-');
		size_t l = dash ? (size_t)(dash - p) : strlen(p);
		answer_digits_words(out, p, l);
		if (!dash)
			break;
		td_buf_adds(out, ", ");
		p = dash + 1;
	}
}

/* ---- the backend's view --------------------------------------------------- */

static bool analysis_missing(const struct report_analysis *a, const char *code)
{
	for (size_t i = 0; i < a->n_missing; i++)
		if (strcmp(a->missing[i], code) == 0)
			return true;
	return false;
}

/* Take a name/phone the backend found in the text. */
static void absorb_found(struct dialog_report *r, const struct report_analysis *a)
{
	if (!r->name[0] && a->name[0])
		snprintf(r->name, sizeof r->name, "%s", a->name);
	if (!r->phone[0] && a->phone[0])
		snprintf(r->phone, sizeof r->phone, "%s", a->phone);
}

/* ---- turns ---------------------------------------------------------------- */

struct ctx {
	const struct report_backend *b;
	struct dialog_report *r;
	enum answer_channel channel;
	const char *channel_name;
	struct report_turn *turn;
	struct reply rep;
};

static void clear_draft(struct dialog_report *r)
{
	memset(r, 0, sizeof *r);
}

static void ask(struct ctx *c, enum slot s, const struct report_analysis *a)
{
	struct dialog_report *r = c->r;
	r->tries = r->slot == s && r->state == DIALOG_REPORT_ASKING ? (unsigned char)(r->tries + 1) : 1;
	r->state = DIALOG_REPORT_ASKING;
	r->slot = (unsigned char)s;
	c->turn->state = "asking";
	c->turn->asking = slot_code[s];
	bool again = r->tries > 1;
	switch (s) {
	case SLOT_PLACE:
		say(&c->rep, again ? "Tổng đài chưa xác định được phường/xã. Anh/chị cho biết tên "
				     "phường/xã (hoặc phường, quận cũ) nơi xảy ra sự việc ạ?"
				   : "Anh/chị cho biết địa điểm cụ thể (số nhà, đường/phố, phường/xã) ạ?");
		break;
	case SLOT_WARD: {
		size_t n = a->n_wards < DIALOG_REPORT_WARDS_MAX ? a->n_wards : DIALOG_REPORT_WARDS_MAX;
		r->n_wards = (unsigned char)n;
		for (size_t i = 0; i < n; i++)
			snprintf(r->wards[i], sizeof r->wards[i], "%s", a->wards[i]);
		say(&c->rep, "Địa chỉ cũ này nay thuộc nhiều phường/xã. Sự việc ở phường/xã nào ạ?");
		for (size_t i = 0; i < n; i++) {
			td_buf_addf(&c->rep.chat, "\n%zu) %s", i + 1, a->ward_names[i]);
			td_buf_addf(&c->rep.voice, " Số %zu: %s.", i + 1, a->ward_names[i]);
		}
		say(&c->rep, "\nAnh/chị trả lời bằng số thứ tự ạ.");
		break;
	}
	case SLOT_TIME:
		say(&c->rep, again ? "Anh/chị cho biết thời điểm, ví dụ \"sáng nay\", \"từ 3 ngày "
				     "nay\", \"tối 15/11\" ạ?"
				   : "Sự việc xảy ra từ khi nào ạ?");
		break;
	case SLOT_NAME:
		say(&c->rep, "Xin cho biết họ tên của anh/chị.");
		break;
	case SLOT_CONTACT:
		say(&c->rep, "Anh/chị cho biết số điện thoại (hoặc địa chỉ) để cơ quan trả lời ạ?");
		break;
	default:
		break;
	}
}

static void confirm(struct ctx *c, const struct report_analysis *a)
{
	struct dialog_report *r = c->r;
	r->state = DIALOG_REPORT_CONFIRM;
	r->slot = SLOT_NONE;
	r->tries = 0;
	c->turn->state = "confirm";
	struct td_buf *ch = &c->rep.chat, *v = &c->rep.voice;
	say(&c->rep, "Tổng đài xin tóm tắt phản ánh của anh/chị:");
	td_buf_addf(ch, "\n- Loại: %s", a->category_name);
	td_buf_addf(v, " Loại: %s.", a->category_name);
	const char *place = r->ward_name[0] ? r->ward_name
			    : a->n_wards == 1 ? a->ward_names[0]
			    : r->location[0]  ? r->location
					      : "";
	if (place[0]) {
		td_buf_addf(ch, "\n- Địa điểm: %s", place);
		td_buf_addf(v, " Địa điểm: %s.", place);
	}
	if (a->field_report) {
		bool has_time = !analysis_missing(a, "thoi_gian");
		td_buf_addf(ch, "\n- Thời gian: %s", has_time ? "đã nêu trong nội dung" : "chưa rõ");
	}
	td_buf_addf(ch, "\n- Người gửi: %s", r->name[0] ? r->name : "(chưa có)");
	td_buf_addf(v, " Người gửi: %s.", r->name[0] ? r->name : "chưa có");
	if (r->phone[0]) {
		char m[20];
		mask_phone(r->phone, m, sizeof m);
		td_buf_addf(ch, "\n- Điện thoại: %s", m);
		td_buf_adds(v, " Số điện thoại đã ghi nhận.");
	} else if (r->address[0]) {
		td_buf_addf(ch, "\n- Liên hệ: %s", r->address);
		td_buf_adds(v, " Địa chỉ liên hệ đã ghi nhận.");
	}
	say(&c->rep, "\nAnh/chị xác nhận gửi phản ánh này? (có/không)");
}

static void emergency_numbers(struct ctx *c, const char *numbers)
{
	say(&c->rep, "Nếu có nguy hiểm, gọi ngay ");
	struct td_buf tmp;
	td_buf_init(&tmp, 256);
	static const char *const num[3] = {"114", "113", "115"};
	static const char *const what[3] = {"114 (cứu hỏa)", "113 (công an)", "115 (cấp cứu)"};
	for (int i = 0; i < 3; i++)
		if (!numbers[0] || strstr(numbers, num[i])) {
			if (tmp.len)
				td_buf_adds(&tmp, ", ");
			td_buf_adds(&tmp, what[i]);
		}
	say(&c->rep, tmp.data ? tmp.data : "");
	td_buf_release(&tmp);
	say(&c->rep, ".");
}

static void handling_time(struct ctx *c, const char *level)
{
	if (strcmp(level, "urgent") == 0)
		say(&c->rep, " Phản ánh khẩn được xem xét tiếp nhận trong 8 giờ làm việc và xử lý "
			     "trong 4 giờ làm việc sau khi tiếp nhận.");
	else if (strcmp(level, "complex") == 0)
		say(&c->rep, " Phản ánh được xem xét tiếp nhận trong 8 giờ làm việc; thời hạn xử lý "
			     "dự kiến 20 ngày làm việc.");
	else
		say(&c->rep, " Phản ánh được xem xét tiếp nhận trong 8 giờ làm việc; thời hạn xử lý "
			     "dự kiến 10 ngày làm việc.");
}

static const char *case_channel(const char *channel_name)
{
	if (channel_name && strcmp(channel_name, "voice") == 0)
		return "phone";
	if (channel_name && strcmp(channel_name, "app") == 0)
		return "app";
	return "chat";
}

static void file_draft(struct ctx *c)
{
	struct dialog_report *r = c->r;
	struct td_buf loc;
	td_buf_init(&loc, 512);
	td_buf_adds(&loc, r->location[0] ? r->location : r->ward_name);
	if (r->ward_name[0] && r->location[0])
		td_buf_addf(&loc, " (%s)", r->ward_name);
	const char *location = loc.data && !td_buf_error(&loc) ? loc.data : "";
	bool email = strchr(r->address, '@') != NULL;
	struct report_submission s = {
		.text = r->text,
		.channel = case_channel(c->channel_name),
		.name = r->name,
		.phone = r->phone,
		.address = email ? "" : r->address,
		.email = email ? r->address : "",
		.location = location,
		.ward_code = r->ward_pick && r->ward_pick <= r->n_wards ? r->wards[r->ward_pick - 1]
									: NULL,
	};
	struct report_filing f;
	td_err e = c->b->file(c->b->ctx, &s, &f);
	td_buf_release(&loc);
	if (e != TD_OK) {
		td_log(TD_LOG_WARN, "report.file_failed", "error", td_errname(e), NULL);
		c->turn->state = "unavailable";
		say(&c->rep, "Hệ thống đang bận nên phản ánh chưa được gửi. Anh/chị nhắn \"có\" để "
			     "thử lại sau ít phút ạ.");
		r->state = DIALOG_REPORT_CONFIRM;
		return;
	}
	c->turn->state = "filed";
	snprintf(c->turn->number, sizeof c->turn->number, "%s", f.number);
	snprintf(c->turn->duplicate, sizeof c->turn->duplicate, "%s", f.duplicate);
	struct td_buf *ch = &c->rep.chat, *v = &c->rep.voice;
	if (f.duplicate[0]) {
		td_buf_addf(ch, "Phản ánh này trùng với phản ánh số %s đang được xử lý nên đã được "
				"gộp vào đó (số ghi nhận của anh/chị: %s). Anh/chị theo dõi kết quả "
				"bằng số %s.",
			    f.duplicate, f.number, f.duplicate);
		td_buf_adds(v, "Phản ánh này trùng với một phản ánh đang được xử lý nên đã được gộp "
			       "vào đó. Số để theo dõi là: ");
		number_words(v, f.duplicate);
		td_buf_adds(v, ".");
	} else if (f.not_accepted) {
		td_buf_addf(ch, "Phản ánh số %s chưa được tiếp nhận. ", f.number);
		td_buf_adds(v, "Phản ánh chưa được tiếp nhận. ");
		say(&c->rep, f.reason);
	} else {
		td_buf_addf(ch, "Tổng đài đã ghi nhận phản ánh của anh/chị.\nSố phản ánh: %s (xin "
				"ghi lại để tra cứu).",
			    f.number);
		td_buf_adds(v, "Tổng đài đã ghi nhận phản ánh của anh chị. Số phản ánh là: ");
		number_words(v, f.number);
		td_buf_adds(v, ".");
		if (f.agency_name[0]) {
			td_buf_addf(ch, "\nPhản ánh được chuyển đến %s.", f.agency_name);
			td_buf_addf(v, " Phản ánh được chuyển đến %s.", f.agency_name);
		}
		handling_time(c, f.level);
		if (f.missing[0]) {
			td_buf_addf(ch, "\nĐể xử lý được, xin bổ sung: %s.", f.missing);
			td_buf_addf(v, " Để xử lý được, xin bổ sung: %s.", f.missing);
		}
	}
	clear_draft(r);
}

/* After any change to the draft: ask the next missing thing, or confirm. */
static void next_step(struct ctx *c)
{
	struct dialog_report *r = c->r;
	struct report_analysis a;
	if (c->b->analyse(c->b->ctx, r, &a) != TD_OK) {
		c->turn->state = "unavailable";
		say(&c->rep, "Hệ thống tiếp nhận phản ánh tạm thời gián đoạn. Anh/chị vui lòng thử "
			     "lại sau ít phút ạ.");
		clear_draft(r);
		return;
	}
	absorb_found(r, &a);
	if (a.field_report) {
		if (a.n_wards == 0 && !r->ward_pick && !(r->flags & FLAG_PLACE_DONE)) {
			if (r->slot == SLOT_PLACE && r->tries >= 2)
				r->flags |= FLAG_PLACE_DONE;
			else
				return ask(c, SLOT_PLACE, &a);
		}
		if (a.n_wards > 1 && !r->ward_pick && !(r->flags & FLAG_WARD_DONE)) {
			if (r->slot == SLOT_WARD && r->tries >= 2)
				r->flags |= FLAG_WARD_DONE;
			else
				return ask(c, SLOT_WARD, &a);
		}
		if (analysis_missing(&a, "thoi_gian") && !(r->flags & FLAG_TIME_DONE)) {
			if (r->slot == SLOT_TIME && r->tries >= 2)
				r->flags |= FLAG_TIME_DONE;
			else
				return ask(c, SLOT_TIME, &a);
		}
	}
	if (!r->name[0])
		return ask(c, SLOT_NAME, &a);
	if (!r->phone[0] && !r->address[0])
		return ask(c, SLOT_CONTACT, &a);
	confirm(c, &a);
}

/* A name from "tôi là …", "tên tôi là …" or the whole short answer. */
static bool take_name(struct dialog_report *r, const char *q, size_t n)
{
	static const char *const lead[] = {"tên tôi là ", "Tên tôi là ", "tôi tên là ",
					   "Tôi tên là ", "tôi là ",	 "Tôi là ",
					   "mình là ",	  "Mình là ",	 "em là ",
					   "Em là ",	  "tên là ",	 "Tên là ",
					   "dạ ",	  "Dạ ",	 "tôi tên ",
					   "Tôi tên "};
	for (bool again = true; again;) {
		again = false;
		for (size_t k = 0; k < sizeof lead / sizeof lead[0]; k++) {
			size_t l = strlen(lead[k]);
			if (n > l && memcmp(q, lead[k], l) == 0) {
				q += l, n -= l;
				again = true;
			}
		}
	}
	while (n && (q[n - 1] == '.' || q[n - 1] == ' ' || q[n - 1] == '!'))
		n--;
	if (n >= 4 && memcmp(q + n - 4, " ạ", 4) == 0) /* the polite particle */
		n -= 4;
	while (n && (q[n - 1] == '.' || q[n - 1] == ' ' || q[n - 1] == '!'))
		n--;
	size_t words = 0;
	for (size_t i = 0; i < n; i++)
		if (q[i] != ' ' && (i == 0 || q[i - 1] == ' '))
			words++;
	if (words == 0 || words > 6 || has_digit(q, n) || n >= sizeof r->name)
		return false;
	for (size_t i = 0; i < n; i++)
		if (q[i] == ',' || q[i] == '?' || q[i] == '@')
			return false;
	copy_text(r->name, sizeof r->name, q, n);
	return r->name[0] != '\0';
}

/* Pick one of the offered wards: a number/ordinal, or a name that resolves
 * to exactly one of them. */
static bool take_ward(struct ctx *c, const struct answer__msg *m, const char *q, size_t n)
{
	struct dialog_report *r = c->r;
	struct dialog tmp;
	dialog_init(&tmp);
	tmp.n_options = r->n_wards;
	size_t idx;
	struct report_analysis a;
	if (!dialog_pick_option(&tmp, m->folded.data, m->folded.len, &idx)) {
		struct dialog_report *probe = td_calloc(1, sizeof *probe);
		copy_text(probe->text, sizeof probe->text, q, n);
		probe->text_len = (unsigned short)strlen(probe->text);
		bool ok = c->b->analyse(c->b->ctx, probe, &a) == TD_OK && a.n_wards == 1;
		td_free(probe);
		if (!ok)
			return false;
		for (idx = 0; idx < r->n_wards; idx++)
			if (strcmp(r->wards[idx], a.wards[0]) == 0)
				break;
		if (idx == r->n_wards)
			return false;
		r->ward_pick = (unsigned char)(idx + 1);
		snprintf(r->ward_name, sizeof r->ward_name, "%s", a.ward_names[0]);
		return true;
	}
	/* the name of the option picked: ask the backend about the draft again */
	if (c->b->analyse(c->b->ctx, r, &a) != TD_OK)
		return false;
	r->ward_pick = (unsigned char)(idx + 1);
	for (size_t i = 0; i < a.n_wards; i++)
		if (strcmp(a.wards[i], r->wards[idx]) == 0)
			snprintf(r->ward_name, sizeof r->ward_name, "%s", a.ward_names[i]);
	if (!r->ward_name[0])
		snprintf(r->ward_name, sizeof r->ward_name, "%s", r->wards[idx]);
	return true;
}

/* The citizen's answer to the pending slot. */
static void answer_slot(struct ctx *c, const struct answer__msg *m, const char *q, size_t n)
{
	struct dialog_report *r = c->r;
	char phone[16];
	if (!r->phone[0] && find_phone(q, n, phone, sizeof phone))
		snprintf(r->phone, sizeof r->phone, "%s", phone);
	switch ((enum slot)r->slot) {
	case SLOT_PLACE:
	case SLOT_TIME:
		if (!text_append(r, q, n)) {
			c->turn->state = "too_long";
			say(&c->rep, "Nội dung phản ánh đã quá dài. ");
			r->flags |= r->slot == SLOT_PLACE ? FLAG_PLACE_DONE : FLAG_TIME_DONE;
		}
		if (r->slot == SLOT_PLACE && !r->location[0])
			copy_text(r->location, sizeof r->location, q, n);
		break;
	case SLOT_WARD:
		take_ward(c, m, q, n);
		break;
	case SLOT_NAME:
		if (!take_name(r, q, n)) {
			struct report_analysis a;
			struct dialog_report *probe = td_calloc(1, sizeof *probe);
			copy_text(probe->text, sizeof probe->text, q, n);
			probe->text_len = (unsigned short)strlen(probe->text);
			if (c->b->analyse(c->b->ctx, probe, &a) == TD_OK && a.name[0])
				snprintf(r->name, sizeof r->name, "%s", a.name);
			td_free(probe);
		}
		break;
	case SLOT_CONTACT:
		if (!r->phone[0] && (memchr(q, '@', n) || n >= 8))
			copy_text(r->address, sizeof r->address, q, n);
		break;
	default:
		break;
	}
	next_step(c);
}

/* ---- status --------------------------------------------------------------- */

/* Find something shaped like a case number: a run of digits with spaces,
 * dashes, dots or slashes holding 11..16 digits.  Returns 0 none, 1 found
 * (canon filled, check digit right), -1 found but the check digit is wrong. */
static int find_case_number(const char *q, size_t n, char *canon, char *shown, size_t shown_cap)
{
	for (size_t i = 0; i < n; i++) {
		if (q[i] < '0' || q[i] > '9' || (i && q[i - 1] >= '0' && q[i - 1] <= '9'))
			continue;
		size_t j = i, digits = 0, last = i;
		while (j < n && ((q[j] >= '0' && q[j] <= '9') || q[j] == ' ' || q[j] == '-' ||
				 q[j] == '.' || q[j] == '/')) {
			if (q[j] >= '0' && q[j] <= '9') {
				digits++;
				last = j;
			}
			j++;
		}
		if (digits >= 11 && digits <= 16) {
			char in[64];
			size_t l = last + 1 - i;
			if (l >= sizeof in)
				l = sizeof in - 1;
			memcpy(in, q + i, l);
			in[l] = '\0';
			snprintf(shown, shown_cap, "%s", in);
			return store_case_number_parse(in, canon) == TD_OK ? 1 : -1;
		}
		i = j;
	}
	return 0;
}

static void status_lookup(struct ctx *c, const char *canon)
{
	struct report_case_view v;
	char shown[REPORT_NUMBER_MAX];
	store_case_number_display(canon, shown, sizeof shown);
	snprintf(c->turn->number, sizeof c->turn->number, "%s", shown);
	td_err e = c->b->lookup(c->b->ctx, canon, &v);
	if (e == TD_ERR_NOTFOUND) {
		c->turn->state = "not_found";
		td_buf_addf(&c->rep.chat, "Không tìm thấy phản ánh số %s. ", shown);
		td_buf_adds(&c->rep.voice, "Không tìm thấy phản ánh có số này. ");
		say(&c->rep, "Anh/chị kiểm tra lại số phản ánh giúp ạ.");
		return;
	}
	if (e != TD_OK) {
		c->turn->state = "unavailable";
		say(&c->rep, "Chưa tra cứu được lúc này. Anh/chị vui lòng thử lại sau ít phút ạ.");
		return;
	}
	c->turn->state = "status";
	time_t t = (time_t)(v.updated_at + 7 * 3600); /* Hanoi, UTC+7 */
	struct tm tm;
	gmtime_r(&t, &tm);
	td_buf_addf(&c->rep.chat, "Phản ánh số %s (%s): %s.", v.number, v.category_name,
		    v.status_label);
	td_buf_adds(&c->rep.voice, "Phản ánh số ");
	number_words(&c->rep.voice, v.number);
	td_buf_addf(&c->rep.voice, ": %s.", v.status_label);
	if (v.agency_name[0]) {
		td_buf_addf(&c->rep.chat, "\nCơ quan xử lý: %s.", v.agency_name);
		td_buf_addf(&c->rep.voice, " Cơ quan xử lý: %s.", v.agency_name);
	}
	td_buf_addf(&c->rep.chat, "\nCập nhật lần cuối: %02d/%02d/%04d %02d:%02d.", tm.tm_mday,
		    tm.tm_mon + 1, tm.tm_year + 1900, tm.tm_hour, tm.tm_min);
	td_buf_addf(&c->rep.voice, " Cập nhật lần cuối ngày %d tháng %d.", tm.tm_mday,
		    tm.tm_mon + 1);
	if (v.duplicate[0]) {
		td_buf_addf(&c->rep.chat, "\nPhản ánh này đã được gộp vào phản ánh số %s; anh/chị "
					  "theo dõi kết quả bằng số đó.",
			    v.duplicate);
		td_buf_adds(&c->rep.voice, " Phản ánh này đã được gộp vào một phản ánh khác cùng "
					   "nội dung.");
	}
}

/* 1: handled (a number was in the message), 0: no number. */
static int status_turn(struct ctx *c, const char *q, size_t n, bool ask_if_none)
{
	char canon[STORE_CASE_NUMBER_MAX + 1], shown[64];
	int f = find_case_number(q, n, canon, shown, sizeof shown);
	if (f > 0) {
		clear_draft(c->r);
		status_lookup(c, canon);
		return 1;
	}
	if (f < 0) {
		c->turn->state = "invalid_number";
		td_buf_addf(&c->rep.chat, "Số phản ánh %s không đúng (chữ số kiểm tra ở cuối không "
					  "khớp). ",
			    shown);
		td_buf_adds(&c->rep.voice, "Số phản ánh này không đúng. ");
		say(&c->rep, "Anh/chị kiểm tra lại số, dạng 261128-0001-0, rồi nhắn lại giúp ạ.");
		c->r->state = DIALOG_REPORT_STATUS;
		return 1;
	}
	if (!ask_if_none)
		return 0;
	clear_draft(c->r);
	c->r->state = DIALOG_REPORT_STATUS;
	c->turn->state = "status_asking";
	say(&c->rep, "Anh/chị cho biết số phản ánh (dạng 261128-0001-0, có trong tin xác nhận khi "
		     "gửi) để tổng đài tra cứu ạ.");
	return 1;
}

/* ---- starting a report ---------------------------------------------------- */

static void start_report(struct ctx *c, const char *q, size_t n)
{
	struct dialog_report *r = c->r;
	clear_draft(r);
	size_t t = n;
	while (t && (q[t - 1] == ' ' || q[t - 1] == '\n' || q[t - 1] == '\r' || q[t - 1] == '\t'))
		t--;
	if (t > DIALOG_REPORT_TEXT_MAX) {
		c->turn->state = "too_long";
		say(&c->rep, "Nội dung phản ánh dài quá 3.000 ký tự nên chưa ghi nhận được qua trò "
			     "chuyện. Anh/chị tóm tắt lại, hoặc gửi qua biểu mẫu phản ánh trên cổng "
			     "dịch vụ công ạ.");
		return;
	}
	text_append(r, q, t);
	r->state = DIALOG_REPORT_ASKING;
	struct report_analysis a;
	if (c->b->analyse(c->b->ctx, r, &a) != TD_OK) {
		c->turn->state = "unavailable";
		say(&c->rep, "Hệ thống tiếp nhận phản ánh tạm thời gián đoạn. Anh/chị vui lòng thử "
			     "lại sau ít phút ạ.");
		clear_draft(r);
		return;
	}
	if (a.complaint) {
		c->turn->state = "not_pakn";
		say(&c->rep, "Nội dung anh/chị nêu là khiếu nại, tố cáo, không phải phản ánh, kiến "
			     "nghị, nên tổng đài không tiếp nhận qua kênh này. Đơn khiếu nại gửi đến "
			     "cơ quan hoặc người đã ra quyết định, có hành vi hành chính bị khiếu nại "
			     "(theo Luật Khiếu nại); đơn tố cáo gửi đến cơ quan, người có thẩm quyền "
			     "quản lý người bị tố cáo (theo Luật Tố cáo).");
		if (a.guidance[0]) {
			say(&c->rep, " ");
			say(&c->rep, a.guidance);
		}
		clear_draft(r);
		return;
	}
	absorb_found(r, &a);
	if (a.emergency) {
		r->state = DIALOG_REPORT_EMERGENCY;
		c->turn->state = "emergency";
		emergency_numbers(c, a.emergency_numbers);
		say(&c->rep, " Nếu anh/chị vẫn muốn gửi phản ánh này đến cơ quan chức năng, hãy nhắn "
			     "\"gửi phản ánh\".");
		return;
	}
	say(&c->rep, "Tổng đài tiếp nhận phản ánh của anh/chị. ");
	next_step(c);
}

/* ---- the entry point ------------------------------------------------------ */

/* After the first reply to a report: when answer_question also found a
 * procedure the message may have been asking about (answer.c,
 * report_hint), offer it for one turn; otherwise forget the offer. */
static void offer_hint(struct ctx *c, struct dialog *d, const struct answer_result *out)
{
	if (c->r->state != DIALOG_REPORT_ASKING || out->n_candidates != 1 || d->n_options != 1 ||
	    !out->candidates[0].proc) {
		d->n_options = 0;
		return;
	}
	const char *name = out->candidates[0].proc->name;
	td_buf_adds(&c->rep.chat, " Nếu anh/chị muốn hỏi về thủ tục \"");
	td_buf_adds(&c->rep.chat, name);
	td_buf_adds(&c->rep.chat, "\", xin nhắn \"thủ tục\".");
	voice_add(&c->rep.voice, " Nếu anh/chị muốn hỏi về thủ tục ");
	voice_add(&c->rep.voice, name);
	voice_add(&c->rep.voice, ", xin nói: thủ tục.");
}

/* The reply that takes the offer: "thủ tục", "hỏi thủ tục", "ý tôi là thủ
 * tục ạ" - a short message saying "thủ tục". */
static bool takes_hint(const char *q, size_t n)
{
	struct answer__msg m;
	answer__msg_init(&m, q, n);
	bool yes = m.ntok <= 5 && msg_phrase(&m, "thu tuc");
	answer__msg_release(&m);
	return yes;
}

static void result_for(struct answer_result *out, enum answer_intent intent)
{
	answer_text_release(&out->text);
	memset(out, 0, sizeof *out);
	out->intent = intent;
	out->intent_confidence = 1;
	out->confidence = 1;
	out->status = ANSWER_STATUS_OTHER_INTENT;
}

/* A turn while a draft is under way.  False: not ours (the state was
 * dropped and the message is answered as usual). */
static bool continue_draft(struct ctx *c, const char *q, size_t n, struct answer_result *out)
{
	struct dialog_report *r = c->r;
	struct answer__msg m;
	answer__msg_init(&m, q, n);
	bool handled = true;
	enum answer_intent intent = r->state == DIALOG_REPORT_STATUS ? ANSWER_INTENT_PAKN_STATUS
								   : ANSWER_INTENT_PAKN_REPORT;
	switch ((enum dialog_report_state)r->state) {
	case DIALOG_REPORT_STATUS:
		handled = status_turn(c, q, n, false) == 1;
		if (!handled)
			clear_draft(r);
		break;
	case DIALOG_REPORT_EMERGENCY:
		if (yes_no(&m, q, n) > 0 || msg_phrase(&m, "gui phan anh")) {
			file_draft(c); /* with what is known: no questions in an emergency */
		} else {
			clear_draft(r);
			handled = false;
		}
		break;
	case DIALOG_REPORT_CONFIRM: {
		int yn = yes_no(&m, q, n);
		if (is_cancel(&m, q, n, false) || yn < 0) {
			clear_draft(r);
			c->turn->state = "cancelled";
			say(&c->rep, "Phản ánh chưa được gửi và đã được hủy. Khi cần, anh/chị có thể "
				     "phản ánh lại bất cứ lúc nào ạ.");
		} else if (yn > 0) {
			file_draft(c);
		} else {
			c->turn->state = "confirm";
			say(&c->rep, "Anh/chị xác nhận gửi phản ánh này? (có/không)");
		}
		break;
	}
	case DIALOG_REPORT_ASKING:
		if (is_cancel(&m, q, n, r->slot == SLOT_NAME)) {
			clear_draft(r);
			c->turn->state = "cancelled";
			say(&c->rep, "Đã hủy, phản ánh chưa được gửi đi. Anh/chị cần hỗ trợ gì thêm ạ?");
		} else {
			answer_slot(c, &m, q, n);
		}
		break;
	default:
		clear_draft(r);
		handled = false;
		break;
	}
	answer__msg_release(&m);
	if (handled)
		result_for(out, intent);
	return handled;
}

td_err report_dialog_answer(const struct report_backend *b, const struct answer_engine *e,
			    struct dialog *d, const char *q, size_t n, enum answer_channel channel,
			    const char *channel_name, struct answer_result *out,
			    struct report_turn *turn)
{
	memset(turn, 0, sizeof *turn);
	if (!b)
		return answer_question(e, d, q, n, channel, out);
	if (n > ANSWER_MSG_MAX) {
		n = ANSWER_MSG_MAX;
		while (n > 0 && ((unsigned char)q[n] & 0xC0) == 0x80)
			n--;
	}
	struct dialog *one = NULL; /* one-shot: a dialog for this turn only */
	if (!d) {
		one = td_malloc(sizeof *one);
		dialog_init(one);
		d = one;
	}
	struct ctx c = {.b = b, .r = &d->report, .channel = channel, .channel_name = channel_name,
			.turn = turn};
	td_err rc = TD_OK;
	memset(out, 0, sizeof *out);
	if (d->report.state == DIALOG_REPORT_ASKING && d->n_options == 1 && takes_hint(q, n)) {
		/* "thủ tục": the citizen meant the procedure offered with the
		 * report's first reply; the draft goes, option 1 is answered. */
		clear_draft(&d->report);
		rc = answer_question(e, d, "1", 1, channel, out);
		goto done;
	}
	if (d->report.state != DIALOG_REPORT_NONE) {
		reply_init(&c.rep);
		if (continue_draft(&c, q, n, out)) {
			d->turns++;
			d->n_options = 0; /* the offer held for one turn */
			rc = reply_finish(&c.rep, out);
			goto done;
		}
		td_buf_release(&c.rep.chat);
		td_buf_release(&c.rep.voice);
		memset(turn, 0, sizeof *turn);
	}
	rc = answer_question(e, d, q, n, channel, out);
	if (rc != TD_OK)
		goto done;
	if (out->intent == ANSWER_INTENT_PAKN_REPORT) {
		reply_init(&c.rep);
		start_report(&c, q, n);
		offer_hint(&c, d, out);
		rc = reply_finish(&c.rep, out);
	} else if (out->intent == ANSWER_INTENT_PAKN_STATUS) {
		reply_init(&c.rep);
		status_turn(&c, q, n, true);
		rc = reply_finish(&c.rep, out);
	}
	if (rc != TD_OK)
		answer_result_release(out);
done:
	td_free(one);
	return rc;
}

void report_turn_json(const struct report_turn *t, struct td_buf *out)
{
	if (!t->state)
		return;
	td_buf_adds(out, ",\"pakn\":{\"state\":");
	td_json_escape(out, t->state);
	td_buf_adds(out, ",\"asking\":");
	if (t->asking)
		td_json_escape(out, t->asking);
	else
		td_buf_adds(out, "null");
	td_buf_adds(out, ",\"number\":");
	if (t->number[0])
		td_json_escape(out, t->number);
	else
		td_buf_adds(out, "null");
	td_buf_adds(out, ",\"duplicate_of\":");
	if (t->duplicate[0])
		td_json_escape(out, t->duplicate);
	else
		td_buf_adds(out, "null");
	td_buf_addc(out, '}');
}

char *report_turn_log_text(const struct dialog *before, const char *q, size_t n)
{
	if (!before || before->report.state == DIALOG_REPORT_NONE)
		return NULL;
	if (before->report.state == DIALOG_REPORT_ASKING && before->report.slot == SLOT_NAME)
		return td_strdup("***");
	char *raw = td_strndup(q, n);
	struct td_buf b;
	td_buf_init(&b, 4 * n + 16);
	td_pii_mask(&b, raw);
	td_free(raw);
	char *s = td_buf_detach(&b, NULL);
	td_buf_release(&b);
	return s ? s : td_strdup("");
}
