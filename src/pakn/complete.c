/*
 * complete.c - what a PAKN still lacks (see complete.h).
 *
 * One pass over the tokens of the text (vn_tokenize).  Each word token is
 * compared by its accented key when the text wrote diacritics ("tối qua" is
 * a time, "tôi qua" is not) and by its folded key when it did not ("toi qua"
 * is taken as a time: typed without marks, both read alike).  Phrase lists
 * are static tables folded once (pthread_once), so the check allocates only
 * its bounded key buffers.
 */
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "base/alloc.h"
#include "base/banned.h"
#include "base/buf.h"
#include "pakn/complete.h"
#include "text/vn.h"

#define TEXT_READ_MAX ((size_t)8 << 10)
#define TOKS_MAX 2048
#define WORD_MAX 24 /* bytes of a key kept per token */
#define PHRASE_WORDS 4

/* Time phrases (accented, lower case). */
static const char *const time_phrases[] = {
	"sáng nay", "trưa nay", "chiều nay", "tối nay", "đêm nay", "sáng qua", "trưa qua",
	"chiều qua", "tối qua", "đêm qua", "hôm qua", "hôm nay", "hôm kia", "hôm trước",
	"bữa trước", "bữa qua", "ban đêm", "ban ngày", "nửa đêm", "đêm khuya", "sáng sớm",
	"rạng sáng", "hằng ngày", "hàng ngày", "hằng đêm", "hàng đêm", "mỗi ngày", "mỗi đêm",
	"mỗi sáng", "mỗi tối", "ngày nào", "đêm nào", "tối nào", "tuần trước", "tuần này",
	"tháng trước", "tháng này", "năm ngoái", "năm trước", "năm nay", "cuối tuần", "lâu nay",
	"mấy ngày", "mấy hôm", "nhiều ngày", "nhiều năm", "nhiều tháng", "nhiều lần", "hiện nay",
	"hiện tại", "bây giờ", "lúc này", "vừa", "đang", "suốt", "thường xuyên", "từ sáng",
	"từ chiều", "từ tối", "từ đêm", "đến nay", "tới nay", "thứ hai", "thứ ba", "thứ tư",
	"thứ năm", "thứ sáu", "thứ bảy", "chủ nhật", "sau trận mưa", "khi mưa", "cứ mưa",
	"mùa mưa", "mùa khô", "dịp tết", "giờ cao điểm", "giờ tan tầm", "từ tháng", "từ năm",
	"ngày nào cũng", "đêm qua", "sáng mai", "tối mai", "khuya", "rạng sáng",
};

/* Words after a number that make it a time: "3 ngày", "2 tuần", "30 phút". */
static const char *const time_units[] = {
	"ngày", "tuần", "tháng", "năm", "giờ", "tiếng", "phút", "hôm", "h", "đêm", "buổi",
};

/* Words before a number that make it a time: "tháng 6", "năm 2012". */
static const char *const time_heads[] = {"ngày", "tháng", "năm", "lúc", "từ"};

/* Phrases that introduce the sender's name. */
static const char *const name_intros[] = {
	"tên tôi là", "tôi tên là", "tôi là", "tôi tên", "em tên là", "em là", "mình tên là",
	"mình là", "cháu là", "con là", "họ và tên", "họ tên", "tên là", "người gửi",
};

/* Unaccented Vietnamese words common in messages (for text typed without marks). */
static const char *const vn_plain_words[] = {
	"toi", "khong", "cua", "nha", "duoc", "nguoi", "dan", "xin", "nghi", "bi", "da",
	"dang", "rat", "cho", "va", "o", "tai", "phuong", "xa", "quan", "huyen", "duong",
	"pho", "ngo", "thon", "lang", "co", "la", "nay", "qua", "mat", "dien", "nuoc", "rac",
	"xe", "em", "anh", "chi", "ong", "ba", "nhung", "cung", "den", "tu", "voi", "nhieu",
	"cac", "mot", "hai", "ngay", "dem", "sang", "toi", "kiem", "tra", "xu", "ly", "giup",
	"bao", "gi", "the", "nao", "vi", "sao", "truong", "benh", "vien", "hang", "xom",
};

struct word {
	char acc[WORD_MAX];
	char fold[WORD_MAX];
};

struct phrase {
	size_t n;
	struct word w[PHRASE_WORDS];
};

#define NTIME (sizeof time_phrases / sizeof time_phrases[0])
#define NUNIT (sizeof time_units / sizeof time_units[0])
#define NHEAD (sizeof time_heads / sizeof time_heads[0])
#define NINTRO (sizeof name_intros / sizeof name_intros[0])

static struct phrase time_tab[NTIME], unit_tab[NUNIT], head_tab[NHEAD], intro_tab[NINTRO];
static pthread_once_t tables_once = PTHREAD_ONCE_INIT;

static void key_into(char *dst, const char *s, size_t n, bool fold)
{
	char mem[4 * WORD_MAX];
	struct td_buf b;
	td_buf_init(&b, sizeof mem);
	dst[0] = '\0';
	if (n < WORD_MAX && (fold ? vn_fold(&b, s, n, VN_LOSSY) : vn_fold_case(&b, s, n, VN_LOSSY)) ==
				    TD_OK &&
	    b.data && b.len < WORD_MAX)
		memcpy(dst, b.data, b.len + 1);
	td_buf_release(&b);
}

static void build_phrase(struct phrase *p, const char *s)
{
	struct vn_token toks[PHRASE_WORDS];
	size_t n = vn_tokenize(s, strlen(s), toks, PHRASE_WORDS);
	if (n > PHRASE_WORDS)
		n = PHRASE_WORDS;
	p->n = n;
	for (size_t i = 0; i < n; i++) {
		key_into(p->w[i].acc, s + toks[i].start, toks[i].len, false);
		key_into(p->w[i].fold, s + toks[i].start, toks[i].len, true);
	}
}

static void build_tables(void)
{
	for (size_t i = 0; i < NTIME; i++)
		build_phrase(&time_tab[i], time_phrases[i]);
	for (size_t i = 0; i < NUNIT; i++)
		build_phrase(&unit_tab[i], time_units[i]);
	for (size_t i = 0; i < NHEAD; i++)
		build_phrase(&head_tab[i], time_heads[i]);
	for (size_t i = 0; i < NINTRO; i++)
		build_phrase(&intro_tab[i], name_intros[i]);
}

struct ctok {
	size_t start, len;
	enum vn_token_kind kind;
	bool marks, upper;
	bool brk; /* punctuation before it */
	char acc[WORD_MAX];
	char fold[WORD_MAX];
};

struct text {
	const char *s;
	size_t n;
	struct ctok *t;
	size_t nt;
};

static bool word_eq(const struct ctok *t, const struct word *w)
{
	if (t->kind != VN_TOKEN_WORD)
		return false;
	return t->marks ? strcmp(t->acc, w->acc) == 0 : strcmp(t->fold, w->fold) == 0;
}

/* Does phrase p start at token i (no punctuation inside)? */
static bool phrase_at(const struct text *x, size_t i, const struct phrase *p)
{
	if (p->n == 0 || i + p->n > x->nt)
		return false;
	for (size_t k = 0; k < p->n; k++) {
		if (k && x->t[i + k].brk)
			return false;
		if (!word_eq(&x->t[i + k], &p->w[k]))
			return false;
	}
	return true;
}

static bool any_at(const struct text *x, size_t i, const struct phrase *tab, size_t n,
		   size_t *len)
{
	for (size_t k = 0; k < n; k++)
		if (phrase_at(x, i, &tab[k])) {
			if (len)
				*len = tab[k].n;
			return true;
		}
	return false;
}

static bool is_upper_start(const char *s, size_t n)
{
	unsigned char c = (unsigned char)s[0];
	if (c < 0x80)
		return c >= 'A' && c <= 'Z';
	uint32_t cp = 0;
	if ((c & 0xe0) == 0xc0 && n >= 2)
		cp = (uint32_t)(c & 0x1f) << 6 | ((unsigned char)s[1] & 0x3f);
	else if ((c & 0xf0) == 0xe0 && n >= 3)
		cp = (uint32_t)(c & 0x0f) << 12 | (uint32_t)((unsigned char)s[1] & 0x3f) << 6 |
		     ((unsigned char)s[2] & 0x3f);
	if (cp >= 0xc0 && cp <= 0xde)
		return cp != 0xd7;
	if ((cp >= 0x100 && cp <= 0x17f) || (cp >= 0x1ea0 && cp <= 0x1ef9))
		return (cp & 1) == 0;
	return cp == 0x1a0 || cp == 0x1af;
}

static bool has_digit(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (s[i] >= '0' && s[i] <= '9')
			return true;
	return false;
}

/* "22h", "5h30", "11-12h", "15/8", "15/8/2025", "22:00". */
static bool time_token(const struct ctok *t, const char *s)
{
	const char *p = s + t->start;
	if (t->kind == VN_TOKEN_NUMBER)
		return memchr(p, ':', t->len) != NULL;
	if (t->kind != VN_TOKEN_CODE || !has_digit(p, t->len))
		return false;
	for (size_t i = 1; i < t->len; i++) {
		bool dprev = p[i - 1] >= '0' && p[i - 1] <= '9';
		if (dprev && (p[i] == 'h' || p[i] == 'H' || p[i] == 'g'))
			return true;
		if (dprev && p[i] == '/' && i + 1 < t->len && p[i + 1] >= '0' && p[i + 1] <= '9')
			return true;
	}
	return false;
}

static bool find_time(const struct text *x)
{
	for (size_t i = 0; i < x->nt; i++) {
		const struct ctok *t = &x->t[i];
		if (time_token(t, x->s))
			return true;
		if (t->kind == VN_TOKEN_NUMBER && i + 1 < x->nt && !x->t[i + 1].brk &&
		    any_at(x, i + 1, unit_tab, NUNIT, NULL))
			return true;
		if (t->kind == VN_TOKEN_WORD && i + 1 < x->nt &&
		    x->t[i + 1].kind == VN_TOKEN_NUMBER && !x->t[i + 1].brk &&
		    any_at(x, i, head_tab, NHEAD, NULL))
			return true;
		if (any_at(x, i, time_tab, NTIME, NULL))
			return true;
	}
	return false;
}

static void find_name(const struct text *x, bool any_upper, char *out, size_t cap)
{
	out[0] = '\0';
	for (size_t i = 0; i < x->nt; i++) {
		size_t len;
		if (!any_at(x, i, intro_tab, NINTRO, &len))
			continue;
		size_t j = i + len, k = 0;
		/* "họ tên: Nguyễn Văn An" has punctuation before the name */
		while (j + k < x->nt && k < 5) {
			const struct ctok *t = &x->t[j + k];
			if (t->kind != VN_TOKEN_WORD || (k && t->brk))
				break;
			if (any_upper && !t->upper)
				break;
			if (!any_upper && k >= 4)
				break;
			k++;
		}
		if (k < 2 || (!any_upper && k > 4))
			continue;
		size_t s = x->t[j].start, e = x->t[j + k - 1].start + x->t[j + k - 1].len;
		if (e - s >= cap)
			continue;
		memcpy(out, x->s + s, e - s);
		out[e - s] = '\0';
		return;
	}
}

/* A Vietnamese phone number in s: 10-11 digits from 0, or +84/84 and 9-10
 * digits, groups split by ' ', '.', '-'.  Written as 0… into out. */
static bool find_phone(const char *s, size_t n, char *out, size_t cap)
{
	for (size_t i = 0; i < n; i++) {
		if (!(s[i] >= '0' && s[i] <= '9') && s[i] != '+')
			continue;
		if (i && ((s[i - 1] >= '0' && s[i - 1] <= '9') || s[i - 1] == '/' ||
			  s[i - 1] == ',' || s[i - 1] == ':'))
			continue;
		char d[16];
		size_t nd = 0, j = i;
		if (s[j] == '+')
			j++;
		while (j < n && nd < sizeof d - 1) {
			if (s[j] >= '0' && s[j] <= '9') {
				d[nd++] = s[j++];
			} else if ((s[j] == ' ' || s[j] == '.' || s[j] == '-') && j + 1 < n &&
				   s[j + 1] >= '0' && s[j + 1] <= '9' && nd) {
				j++;
			} else {
				break;
			}
		}
		if (j < n && s[j] >= '0' && s[j] <= '9')
			continue; /* too long: not a phone */
		d[nd] = '\0';
		const char *num = d;
		char tmp[16];
		if (nd >= 11 && d[0] == '8' && d[1] == '4') {
			snprintf(tmp, sizeof tmp, "0%s", d + 2);
			num = tmp;
		}
		size_t ln = strlen(num);
		if (num[0] == '0' && (ln == 10 || ln == 11) && num[1] != '0' && ln < cap) {
			memcpy(out, num, ln + 1);
			return true;
		}
		i = j;
	}
	return false;
}

static bool has_email(const char *s, size_t n)
{
	const char *at = memchr(s, '@', n);
	if (!at || at == s)
		return false;
	size_t rest = n - (size_t)(at - s);
	const char *dot = memchr(at, '.', rest);
	return dot && dot > at + 1 && (size_t)(dot - s) + 1 < n;
}

static bool nonempty(const char *s)
{
	if (!s)
		return false;
	for (; *s; s++)
		if (*s != ' ' && *s != '\t' && *s != '\n' && *s != '\r')
			return true;
	return false;
}

static bool has_non_ascii(const char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s >= 0x80)
			return true;
	return false;
}

static bool plain_vn_word(const char *fold)
{
	for (size_t i = 0; i < sizeof vn_plain_words / sizeof vn_plain_words[0]; i++)
		if (strcmp(fold, vn_plain_words[i]) == 0)
			return true;
	return false;
}

td_err pakn_missing(const char *text, size_t n, const struct pakn_form *form, bool field_report,
		    bool has_place, struct pakn_missing *out)
{
	if (!out || (!text && n))
		return TD_ERR_INVAL;
	memset(out, 0, sizeof *out);
	pthread_once(&tables_once, build_tables);
	if (n > TEXT_READ_MAX) {
		n = TEXT_READ_MAX;
		while (n && ((unsigned char)text[n] & 0xc0) == 0x80)
			n--;
	}
	struct ctok *toks = td_calloc(TOKS_MAX, sizeof *toks);
	struct text x = {.s = text, .n = n, .t = toks, .nt = 0};
	struct vn_tokenizer tz;
	struct vn_token tk;
	size_t prev_end = 0, words = 0, vn_marked = 0, vn_plain = 0;
	bool any_upper = false;
	vn_tokenizer_init(&tz, text ? text : "", n);
	while (x.nt < TOKS_MAX && vn_tokenizer_next(&tz, &tk)) {
		struct ctok *t = &toks[x.nt++];
		memset(t, 0, sizeof *t);
		t->start = tk.start;
		t->len = tk.len;
		t->kind = tk.kind;
		for (size_t i = prev_end; i < tk.start; i++)
			if (text[i] != ' ' && text[i] != '\t')
				t->brk = true;
		prev_end = tk.start + tk.len;
		if (tk.kind != VN_TOKEN_WORD)
			continue;
		words++;
		for (size_t i = 0; i < tk.len; i++)
			if ((unsigned char)text[tk.start + i] >= 0x80)
				t->marks = true;
		t->upper = is_upper_start(text + tk.start, tk.len);
		any_upper |= t->upper;
		key_into(t->fold, text + tk.start, tk.len, true);
		if (t->marks)
			key_into(t->acc, text + tk.start, tk.len, false);
		/* Latin letters with marks that fold to plain ASCII: Vietnamese */
		if (t->marks && t->fold[0] && !has_non_ascii(t->fold))
			vn_marked++;
		else if (plain_vn_word(t->fold))
			vn_plain++;
	}
	out->vietnamese = vn_marked >= 2 || (vn_marked >= 1 && words <= 3) ||
			  (vn_plain >= 2 && vn_plain * 4 >= words);
	find_name(&x, any_upper, out->name, sizeof out->name);
	find_phone(text ? text : "", n, out->phone, sizeof out->phone);
	out->has_time = find_time(&x);

	if (!out->vietnamese)
		out->fields[out->n++] = "noi_dung_tieng_viet";
	if (!(form && nonempty(form->name)) && !out->name[0])
		out->fields[out->n++] = "ho_ten";
	if (!(form && (nonempty(form->phone) || nonempty(form->address))) && !out->phone[0] &&
	    !has_email(text ? text : "", n))
		out->fields[out->n++] = "lien_he";
	if (field_report && !has_place)
		out->fields[out->n++] = "dia_diem";
	if (field_report && !out->has_time)
		out->fields[out->n++] = "thoi_gian";
	td_free(toks);
	return TD_OK;
}
