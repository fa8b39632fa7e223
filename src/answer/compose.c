/*
 * compose.c - the reply a citizen reads (chat) and hears (voice), composed
 * only from the fields of one struct kb_procedure.
 *
 * Chat: the procedure's name and code, the section the question asked about
 * (a numbered dossier list with originals/copies, fee and time per channel,
 * the place, the steps ...), then "Nguồn: URL (cập nhật DATE)" and a line for
 * sample data or unverified facts (one caveat, not the owner's notes).  Long source text is cut at a word
 * boundary with "…" and the source link, never paraphrased into something the
 * record does not say.
 *
 * Voice: a few short sentences, no lists, URLs or codes, every number in
 * words (numwords.c), cut at sentence ends to about 40 words, then "Anh/chị
 * có muốn nghe thêm không?".
 *
 * A field the record lacks is said to be missing ("Cơ sở dữ liệu chưa có
 * thông tin về … của thủ tục này") with the operator offered.  Amounts that
 * look broken in the source (under 1.000 đồng) are shown verbatim in chat and
 * not read out.
 */
#include <math.h>
#include <stdio.h>
#include <stdint.h>
#include <string.h>

#include "answer/answer_int.h"
#include "answer/numwords.h"
#include "base/alloc.h"

#define TEXT_MAX ((size_t)64 << 10)
#define VOICE_WORDS 40
#define DOSSIER_ITEMS_MAX 12
#define DOSSIER_CASES_MAX 4
#define FIELD_CHARS 700

static const char *const offer_operator =
	"Anh/chị có muốn chuyển sang tổng đài viên không?";
static const char *const voice_more = "Anh chị có muốn nghe thêm không?";
static const char *const voice_operator = "Anh chị có muốn chuyển sang tổng đài viên không?";

void answer_text_release(struct answer_text *t)
{
	td_free(t->chat);
	td_free(t->voice);
	t->chat = NULL;
	t->voice = NULL;
}

/* ------------------------------------------------------------------------ */
/* Small text helpers                                                       */

static bool blank(const char *s)
{
	if (!s)
		return true;
	for (; *s; s++)
		if (*s != ' ' && *s != '\t' && *s != '\n' && *s != '\r')
			return false;
	return true;
}

/* The importer writes "Không có thông tin" for empty source cells. */
static bool no_info(const char *s)
{
	if (blank(s))
		return true;
	while (*s == ' ')
		s++;
	return strncmp(s, "Không có thông tin", strlen("Không có thông tin")) == 0;
}

static bool is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

/* Whether any of the 8 bytes of w may be at most 0x20 (exact for bytes below
 * 0x80, which is where all white space is; a false alarm only slows down). */
static inline bool word_has_low(uint64_t w)
{
	const uint64_t ones = UINT64_C(0x0101010101010101);
	return (w - ones * 0x21) & ~w & (ones * 0x80);
}

/* Append s[0..n) with white space collapsed to single spaces (none at the
 * ends; one before s when s starts with white space and b does not end in a
 * space or line break).  This is on every answer's path over record text
 * that is mostly words separated by single spaces, so those are copied as
 * they are, eight bytes are scanned at once, and only a run of white space,
 * a tab or a line break is rewritten. */
static void add_collapsed(struct td_buf *b, const char *s, size_t n)
{
	size_t i = 0;
	while (i < n && is_space(s[i]))
		i++;
	if (i == n)
		return;
	if (i > 0 && b->len && b->data[b->len - 1] != ' ' && b->data[b->len - 1] != '\n')
		td_buf_addc(b, ' ');
	size_t run = i;
	while (i < n) {
		while (n - i >= 8) {
			uint64_t w;
			memcpy(&w, s + i, 8);
			if (word_has_low(w))
				break;
			i += 8;
		}
		if (i >= n)
			break;
		char c = s[i];
		if (!is_space(c) || (c == ' ' && i + 1 < n && !is_space(s[i + 1]))) {
			i++;
			continue;
		}
		td_buf_add(b, s + run, i - run);
		while (i < n && is_space(s[i]))
			i++;
		if (i < n)
			td_buf_addc(b, ' ');
		run = i;
	}
	td_buf_add(b, s + run, i - run);
}

/* Length of s cut to at most max bytes at a word boundary (whole s if it
 * fits); never splits a UTF-8 sequence. */
static size_t cut_len(const char *s, size_t max)
{
	size_t n = strlen(s);
	if (n <= max)
		return n;
	size_t k = max;
	while (k > 0 && !is_space(s[k]))
		k--;
	if (k < max / 2) {
		k = max;
		while (k > 0 && ((unsigned char)s[k] & 0xC0) == 0x80)
			k--;
	}
	while (k > 0 && (is_space(s[k - 1]) || s[k - 1] == ',' || s[k - 1] == ';'))
		k--;
	return k;
}

/* Append s collapsed and cut to max bytes, with "…" when cut. */
static void add_cut(struct td_buf *b, const char *s, size_t max)
{
	size_t n = cut_len(s, max);
	add_collapsed(b, s, n);
	if (n < strlen(s))
		td_buf_adds(b, "…");
}

/* Append a multi-line source field for chat: keeps line breaks (steps are
 * written "Bước 1: …" per line), drops empty lines, cuts at max bytes. */
static void add_lines(struct td_buf *b, const char *s, size_t max)
{
	size_t n = cut_len(s, max), i = 0;
	bool first = true;
	while (i < n) {
		size_t j = i;
		while (j < n && s[j] != '\n')
			j++;
		size_t a = i, e = j;
		while (a < e && is_space(s[a]))
			a++;
		while (e > a && is_space(s[e - 1]))
			e--;
		if (e > a) {
			if (!first)
				td_buf_addc(b, '\n');
			add_collapsed(b, s + a, e - a);
			first = false;
		}
		i = j + 1;
	}
	if (n < strlen(s))
		td_buf_adds(b, "…");
}

/* The first n words of s (collapsed), cut before a '(' or ';' or ':' so a
 * voice phrase stays a phrase.  Returns the number of words written. */
static size_t add_words(struct td_buf *b, const char *s, size_t nwords)
{
	size_t w = 0;
	bool in = false;
	for (const char *p = s; *p && w <= nwords; p++) {
		if (*p == '(' || *p == ';' || *p == ':' || *p == '\n')
			break;
		if (is_space(*p)) {
			in = false;
			continue;
		}
		if (!in) {
			if (w == nwords)
				break;
			if (w > 0)
				td_buf_addc(b, ' ');
			w++;
			in = true;
		}
		td_buf_addc(b, *p);
	}
	/* Drop trailing punctuation. */
	while (b->len && (b->data[b->len - 1] == ',' || b->data[b->len - 1] == '.' ||
			  b->data[b->len - 1] == '-'))
		td_buf_truncate(b, b->len - 1);
	return w;
}

/* Skip a dossier item's own numbering: "(1) ", "1. ", "- ", "+ ", "a) ". */
static const char *skip_numbering(const char *s)
{
	const char *p = s;
	while (is_space(*p))
		p++;
	if (*p == '(') {
		const char *q = p + 1;
		while (*q >= '0' && *q <= '9')
			q++;
		if (q > p + 1 && *q == ')')
			p = q + 1;
	} else if (*p >= '0' && *p <= '9') {
		const char *q = p;
		while (*q >= '0' && *q <= '9')
			q++;
		if (*q == '.' || *q == ')')
			p = q + 1;
	} else if ((*p == '-' || *p == '+' || *p == '*') && is_space(p[1])) {
		p++;
	} else if (*p >= 'a' && *p <= 'z' && p[1] == ')') {
		p += 2;
	}
	while (is_space(*p))
		p++;
	return *p ? p : s;
}

/* Append a dossier item name without its numbering and trailing ';' / '.'. */
static void add_item_name(struct td_buf *b, const char *name, size_t max)
{
	const char *s = skip_numbering(name);
	size_t start = b->len;
	add_cut(b, s, max);
	while (b->len > start && (b->data[b->len - 1] == ';' || b->data[b->len - 1] == '.' ||
				  b->data[b->len - 1] == ',' || b->data[b->len - 1] == ':'))
		td_buf_truncate(b, b->len - 1);
}

/* Accent- and case-insensitive substring test on the folded key of s. */
/* Whether the folded s contains one of the n folded needles (s is folded
 * once for all of them). */
static bool folded_contains_any(const char *s, const char *const *needles, size_t n)
{
	if (!s)
		return false;
	struct td_buf f;
	td_buf_init(&f, VN_KEY_BOUND(strlen(s)));
	bool hit = false;
	if (vn_fold(&f, s, strlen(s), VN_LOSSY) == TD_OK && f.data)
		for (size_t i = 0; i < n && !hit; i++)
			hit = strstr(f.data, needles[i]) != NULL;
	td_buf_release(&f);
	return hit;
}

static bool folded_contains(const char *s, const char *needle_folded)
{
	return folded_contains_any(s, &needle_folded, 1);
}

/* ------------------------------------------------------------------------ */
/* Channels: fee and duration                                               */

static const char *channel_label(enum kb_channel_kind k)
{
	switch (k) {
	case KB_CHANNEL_DIRECT:
		return "Nộp trực tiếp";
	case KB_CHANNEL_ONLINE:
		return "Nộp trực tuyến";
	case KB_CHANNEL_POST:
		return "Qua dịch vụ bưu chính";
	}
	return "Khác";
}

static const char *channel_voice(enum kb_channel_kind k)
{
	switch (k) {
	case KB_CHANNEL_DIRECT:
		return "nộp trực tiếp";
	case KB_CHANNEL_ONLINE:
		return "nộp trực tuyến";
	case KB_CHANNEL_POST:
		return "gửi qua bưu chính";
	}
	return "cách khác";
}

static const char *unit_words(enum kb_duration_unit u)
{
	switch (u) {
	case KB_UNIT_WORKING_DAYS:
		return "ngày làm việc";
	case KB_UNIT_DAYS:
		return "ngày";
	case KB_UNIT_HOURS:
		return "giờ";
	case KB_UNIT_WORKING_HOURS:
		return "giờ làm việc";
	case KB_UNIT_MONTHS:
		return "tháng";
	case KB_UNIT_NONE:
		break;
	}
	return NULL;
}

static bool fee_known(const struct kb_fee *f)
{
	return f->free || f->has_amount || !no_info(f->text);
}

static bool duration_known(const struct kb_duration *d)
{
	return (d->has_value && unit_words(d->unit)) || (!no_info(d->text) && d->text &&
							 strlen(d->text) > 2);
}

/* Whether s has an "n" followed by a "d", directly or after one space, in
 * either case: every phrase fee_by_province looks for does ("HĐND", "UBND",
 * "nhân dân"), folded or not, and most fee texts do not, so they are not
 * folded at all. */
static bool has_n_d(const char *s)
{
	for (; *s; s++) {
		if ((*s | 0x20) != 'n')
			continue;
		const char *d = s[1] == ' ' ? s + 2 : s + 1;
		if ((*d | 0x20) == 'd')
			return true;
	}
	return false;
}

/* The fee is set by the province's People's Council / Committee.  The text
 * is folded once for the four phrases: this runs for every channel of every
 * fee answer, and folding was a quarter of the whole answer path. */
static bool fee_text_by_province(const char *text)
{
	static const char *const by[] = {"hoi dong nhan dan", "hdnd", "uy ban nhan dan cap tinh",
					 "ubnd cap tinh"};
	return text && has_n_d(text) && folded_contains_any(text, by, sizeof by / sizeof *by);
}

/* One answer asks this of the same few fee texts a dozen times (each
 * channel, chat and voice, and once more to see whether the channels
 * agree): the answers of the current answer_compose call are kept here,
 * per thread, and forgotten when the next one starts. */
static _Thread_local struct {
	const char *text[8];
	bool by[8];
	size_t n;
} fee_memo;

static bool fee_by_province(const struct kb_fee *f)
{
	if (!f->text)
		return false;
	for (size_t i = 0; i < fee_memo.n; i++)
		if (strcmp(fee_memo.text[i], f->text) == 0)
			return fee_memo.by[i];
	bool by = fee_text_by_province(f->text);
	if (fee_memo.n < sizeof fee_memo.text / sizeof *fee_memo.text) {
		fee_memo.text[fee_memo.n] = f->text;
		fee_memo.by[fee_memo.n++] = by;
	}
	return by;
}

/* Amounts under 1.000 đồng come from broken source cells ("20 VNĐ"). */
static bool fee_amount_plausible(const struct kb_fee *f)
{
	return f->has_amount && f->amount_vnd >= 1000 && f->amount_vnd < 1e12;
}

static void add_vnd(struct td_buf *b, double v)
{
	char digits[32];
	snprintf(digits, sizeof digits, "%.0f", v);
	size_t n = strlen(digits);
	for (size_t i = 0; i < n; i++) {
		if (i > 0 && (n - i) % 3 == 0)
			td_buf_addc(b, '.');
		td_buf_addc(b, digits[i]);
	}
	td_buf_adds(b, " đồng");
}

static void chat_fee(struct td_buf *b, const struct kb_fee *f)
{
	bool by_province = fee_by_province(f);
	if (f->free && (no_info(f->text) || strncmp(f->text, "Miễn phí", 10) == 0) &&
	    !by_province) {
		td_buf_adds(b, "miễn phí");
		return;
	}
	if (by_province) {
		add_cut(b, f->text, 300);
		td_buf_adds(b, " (mức thu cụ thể do Hội đồng nhân dân cấp tỉnh, tại Hà Nội là "
			       "HĐND Thành phố, quyết định)");
		return;
	}
	if (fee_amount_plausible(f) && (!f->currency || strcmp(f->currency, "VND") == 0)) {
		add_vnd(b, f->amount_vnd);
		if (f->text && strchr(f->text, '(')) {
			td_buf_adds(b, " — theo nguồn: ");
			add_cut(b, f->text, 300);
		}
		return;
	}
	if (!no_info(f->text)) {
		add_cut(b, f->text, 300);
		return;
	}
	td_buf_adds(b, "chưa có thông tin");
}

static void voice_fee(struct td_buf *b, const struct kb_fee *f)
{
	if (fee_by_province(f)) {
		td_buf_adds(b, "do Hội đồng nhân dân thành phố quyết định");
		return;
	}
	if (f->free || (f->text && strncmp(f->text, "Miễn phí", 10) == 0)) {
		td_buf_adds(b, "miễn phí");
		return;
	}
	if (fee_amount_plausible(f) && (!f->currency || strcmp(f->currency, "VND") == 0)) {
		answer_number_words(b, (uint64_t)llround(f->amount_vnd));
		td_buf_adds(b, " đồng");
		return;
	}
	if (!no_info(f->text))
		td_buf_adds(b, "theo mức ghi trong văn bản nguồn");
	else
		td_buf_adds(b, "chưa có thông tin");
}

static void chat_duration(struct td_buf *b, const struct kb_duration *d)
{
	const char *u = unit_words(d->unit);
	if (d->has_value && u) {
		char num[32];
		snprintf(num, sizeof num, "%g", d->value);
		for (char *c = num; *c; c++)
			if (*c == '.')
				*c = ',';
		td_buf_addf(b, "%s %s", num, u);
		/* Keep extra wording the source adds ("kể từ ngày nhận đủ hồ sơ"). */
		if (d->text && strlen(d->text) > 40) {
			td_buf_adds(b, " — theo nguồn: ");
			add_cut(b, d->text, 300);
		}
		return;
	}
	if (!no_info(d->text) && strlen(d->text) > 2) {
		add_cut(b, d->text, 300);
		return;
	}
	td_buf_adds(b, "chưa có thông tin");
}

static void voice_duration(struct td_buf *b, const struct kb_duration *d)
{
	const char *u = unit_words(d->unit);
	if (d->has_value && u && answer_decimal_words(b, d->value, u))
		return;
	td_buf_adds(b, "chưa có thông tin cụ thể");
}

/* True if every channel has the same rendering under fn. */
typedef void (*render_fn)(struct td_buf *, const void *);

static void r_chat_fee(struct td_buf *b, const void *c)
{
	chat_fee(b, &((const struct kb_channel *)c)->fee);
}
static void r_voice_fee(struct td_buf *b, const void *c)
{
	voice_fee(b, &((const struct kb_channel *)c)->fee);
}
static void r_chat_dur(struct td_buf *b, const void *c)
{
	chat_duration(b, &((const struct kb_channel *)c)->duration);
}
static void r_voice_dur(struct td_buf *b, const void *c)
{
	voice_duration(b, &((const struct kb_channel *)c)->duration);
}

static bool channels_same(const struct kb_procedure *p, render_fn fn)
{
	struct td_buf a, x;
	bool same = true;
	td_buf_init(&a, TEXT_MAX);
	td_buf_init(&x, TEXT_MAX);
	if (p->n_channels)
		fn(&a, &p->channels[0]);
	for (size_t i = 1; i < p->n_channels && same; i++) {
		td_buf_clear(&x);
		fn(&x, &p->channels[i]);
		same = a.len == x.len && memcmp(a.data, x.data, a.len) == 0;
	}
	td_buf_release(&a);
	td_buf_release(&x);
	return same;
}

/* Chat: one line per channel (or one line when they agree). */
static void chat_per_channel(struct td_buf *b, const struct kb_procedure *p, const char *title,
			     render_fn fn)
{
	if (p->n_channels == 1 || channels_same(p, fn)) {
		td_buf_addf(b, "%s: ", title);
		fn(b, &p->channels[0]);
		if (p->n_channels > 1)
			td_buf_adds(b, " (như nhau ở mọi hình thức nộp)");
		td_buf_addc(b, '\n');
		return;
	}
	td_buf_addf(b, "%s:\n", title);
	for (size_t i = 0; i < p->n_channels; i++) {
		td_buf_addf(b, "- %s: ", channel_label(p->channels[i].kind));
		fn(b, &p->channels[i]);
		td_buf_addc(b, '\n');
	}
}

static void voice_per_channel(struct td_buf *b, const struct kb_procedure *p, const char *title,
			      render_fn fn)
{
	if (p->n_channels == 1 || channels_same(p, fn)) {
		td_buf_addf(b, "%s ", title);
		fn(b, &p->channels[0]);
		td_buf_adds(b, ". ");
		return;
	}
	td_buf_addf(b, "%s: ", title);
	size_t shown = 0;
	for (size_t i = 0; i < p->n_channels && shown < 3; i++, shown++) {
		if (shown)
			td_buf_adds(b, "; ");
		td_buf_adds(b, channel_voice(p->channels[i].kind));
		td_buf_addc(b, ' ');
		fn(b, &p->channels[i]);
	}
	td_buf_adds(b, ". ");
}

/* ------------------------------------------------------------------------ */
/* Sections                                                                 */

struct compose {
	const struct kb_procedure *p;
	struct td_buf chat;
	struct td_buf voice;  /* sentences with digits; numbers become words at the end */
	bool missing;         /* something asked for is not in the record */
};

static void missing(struct compose *c, const char *what)
{
	td_buf_addf(&c->chat, "Cơ sở dữ liệu chưa có thông tin về %s của thủ tục này.\n", what);
	td_buf_addf(&c->voice, "Hiện chưa có thông tin về %s của thủ tục này. ", what);
	c->missing = true;
}

static bool same_case(const char *a, const char *b)
{
	return (a == NULL && b == NULL) || (a && b && strcmp(a, b) == 0);
}

/* Distinct case names of the dossier, in order; the first max go to cases. */
static size_t count_cases(const struct kb_procedure *p, const char **cases, size_t max)
{
	size_t n = 0;
	for (size_t i = 0; i < p->n_dossier; i++) {
		const char *cn = p->dossier[i].case_name;
		bool seen = false;
		for (size_t j = 0; j < i && !seen; j++)
			seen = same_case(p->dossier[j].case_name, cn);
		if (seen)
			continue;
		if (n < max)
			cases[n] = cn;
		n++;
	}
	return n;
}

/* A case name without the source's bullets and trailing colons. */
static void add_case_name(struct td_buf *b, const char *name)
{
	while (*name == '*' || *name == '-' || *name == '+' || is_space(*name))
		name++;
	size_t start = b->len;
	add_cut(b, name, 250);
	while (b->len > start && (b->data[b->len - 1] == ':' || b->data[b->len - 1] == ' '))
		td_buf_truncate(b, b->len - 1);
}

/* v in decimal (the dossier list numbers every item: no printf per item). */
static void add_count(struct td_buf *b, size_t v)
{
	char tmp[24], *p = tmp + sizeof tmp;
	do {
		*--p = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	td_buf_add(b, p, (size_t)(tmp + sizeof tmp - p));
}

static void chat_item(struct td_buf *b, const struct kb_dossier_item *it, size_t num)
{
	add_count(b, num);
	td_buf_add(b, ". ", 2);
	add_item_name(b, it->name ? it->name : "(không tên)", 220);
	bool o = it->originals > 0, k = it->copies > 0;
	if (o || k) {
		td_buf_adds(b, " — ");
		if (o) {
			add_count(b, (size_t)it->originals);
			td_buf_adds(b, " bản chính");
		}
		if (o && k)
			td_buf_adds(b, ", ");
		if (k) {
			add_count(b, (size_t)it->copies);
			td_buf_adds(b, " bản sao");
		}
	}
	td_buf_addc(b, '\n');
}

static void sec_documents(struct compose *c)
{
	const struct kb_procedure *p = c->p;
	if (p->n_dossier == 0) {
		missing(c, "thành phần hồ sơ");
		return;
	}
	const char *cases[DOSSIER_CASES_MAX];
	size_t ncases = count_cases(p, cases, DOSSIER_CASES_MAX);
	if (ncases <= 1) {
		td_buf_adds(&c->chat, "Hồ sơ gồm:\n");
		size_t shown = 0;
		for (size_t i = 0; i < p->n_dossier && shown < DOSSIER_ITEMS_MAX; i++)
			chat_item(&c->chat, &p->dossier[i], ++shown);
		if (p->n_dossier > shown)
			td_buf_addf(&c->chat, "(còn %zu giấy tờ khác, xem nguồn)\n",
				    p->n_dossier - shown);
		td_buf_addf(&c->voice, "Hồ sơ gồm %zu loại giấy tờ: ", p->n_dossier);
		for (size_t i = 0; i < p->n_dossier && i < 3; i++) {
			if (i)
				td_buf_adds(&c->voice, "; ");
			add_words(&c->voice,
				  skip_numbering(p->dossier[i].name ? p->dossier[i].name : ""), 8);
		}
		td_buf_adds(&c->voice, p->n_dossier > 3 ? "; và các giấy tờ khác. " : ". ");
		return;
	}
	/* The items common to every case come first. */
	for (size_t k = 1; k < ncases && k < DOSSIER_CASES_MAX; k++) {
		if (cases[k] == NULL) {
			cases[k] = cases[0];
			cases[0] = NULL;
		}
	}
	td_buf_addf(&c->chat, "Hồ sơ tùy trường hợp (%zu trường hợp):\n", ncases);
	size_t shown_cases = ncases < DOSSIER_CASES_MAX ? ncases : DOSSIER_CASES_MAX;
	for (size_t k = 0; k < shown_cases; k++) {
		td_buf_adds(&c->chat, "* ");
		if (cases[k])
			add_case_name(&c->chat, cases[k]);
		else
			td_buf_adds(&c->chat, "Giấy tờ chung");
		td_buf_adds(&c->chat, ":\n");
		size_t num = 0, total = 0;
		for (size_t i = 0; i < p->n_dossier; i++) {
			if (!same_case(p->dossier[i].case_name, cases[k]))
				continue;
			total++;
			if (num < DOSSIER_ITEMS_MAX)
				chat_item(&c->chat, &p->dossier[i], ++num);
		}
		if (total > num)
			td_buf_addf(&c->chat, "(còn %zu giấy tờ khác, xem nguồn)\n", total - num);
	}
	if (ncases > shown_cases)
		td_buf_addf(&c->chat, "(còn %zu trường hợp khác, xem nguồn)\n",
			    ncases - shown_cases);
	/* Voice: the first items of the first group, and that there is more. */
	td_buf_adds(&c->voice, "Hồ sơ tùy từng trường hợp. ");
	td_buf_adds(&c->voice, cases[0] ? "Trường hợp thứ nhất gồm: " : "Giấy tờ chung gồm: ");
	size_t said = 0;
	for (size_t i = 0; i < p->n_dossier && said < 2; i++) {
		if (!same_case(p->dossier[i].case_name, cases[0]))
			continue;
		if (said++)
			td_buf_adds(&c->voice, "; ");
		add_words(&c->voice, skip_numbering(p->dossier[i].name ? p->dossier[i].name : ""),
			  8);
	}
	td_buf_adds(&c->voice, ". ");
}

static bool any_fee(const struct kb_procedure *p)
{
	for (size_t i = 0; i < p->n_channels; i++)
		if (fee_known(&p->channels[i].fee))
			return true;
	return false;
}

static bool any_duration(const struct kb_procedure *p)
{
	for (size_t i = 0; i < p->n_channels; i++)
		if (duration_known(&p->channels[i].duration))
			return true;
	return false;
}

static void sec_fee(struct compose *c)
{
	if (c->p->n_channels == 0 || !any_fee(c->p)) {
		missing(c, "phí, lệ phí");
		return;
	}
	chat_per_channel(&c->chat, c->p, "Phí, lệ phí", r_chat_fee);
	voice_per_channel(&c->voice, c->p, "Lệ phí", r_voice_fee);
}

static void sec_duration(struct compose *c)
{
	if (c->p->n_channels == 0 || !any_duration(c->p)) {
		missing(c, "thời hạn giải quyết");
		return;
	}
	chat_per_channel(&c->chat, c->p, "Thời hạn giải quyết", r_chat_dur);
	voice_per_channel(&c->voice, c->p, "Thời hạn giải quyết là", r_voice_dur);
}

static const char *first_nonblank(const char *a, const char *b, const char *d)
{
	if (!blank(a) && !no_info(a))
		return a;
	if (!blank(b) && !no_info(b))
		return b;
	if (!blank(d) && !no_info(d))
		return d;
	return NULL;
}

static void add_levels(struct td_buf *b, const struct kb_procedure *p)
{
	for (size_t i = 0; i < p->levels.n; i++) {
		if (i)
			td_buf_adds(b, ", ");
		td_buf_adds(b, p->levels.items[i]);
	}
}

static void sec_place(struct compose *c)
{
	const struct kb_procedure *p = c->p;
	const char *agency = first_nonblank(p->agency, p->competent_agency, NULL);
	if (blank(p->submit_place) && !agency) {
		missing(c, "nơi nộp hồ sơ");
		return;
	}
	if (!blank(p->submit_place)) {
		td_buf_adds(&c->chat, "Nơi nộp hồ sơ: ");
		add_cut(&c->chat, p->submit_place, FIELD_CHARS);
		td_buf_addc(&c->chat, '\n');
		td_buf_adds(&c->voice, "Anh chị nộp hồ sơ tại ");
		add_words(&c->voice, p->submit_place, 20);
		td_buf_adds(&c->voice, ". ");
	}
	if (agency) {
		td_buf_adds(&c->chat, "Cơ quan thực hiện: ");
		add_cut(&c->chat, agency, FIELD_CHARS);
		td_buf_addc(&c->chat, '\n');
		if (blank(p->submit_place)) {
			td_buf_adds(&c->voice, "Cơ quan giải quyết là ");
			add_words(&c->voice, agency, 18);
			td_buf_adds(&c->voice, ". ");
		}
	}
	if (p->levels.n) {
		td_buf_adds(&c->chat, "Cấp thực hiện: ");
		add_levels(&c->chat, p);
		td_buf_addc(&c->chat, '\n');
	}
	if (p->n_channels) {
		td_buf_adds(&c->chat, "Cách nộp: ");
		for (size_t i = 0; i < p->n_channels; i++) {
			if (i)
				td_buf_adds(&c->chat, "; ");
			td_buf_adds(&c->chat, channel_voice(p->channels[i].kind));
		}
		td_buf_addc(&c->chat, '\n');
	}
}

/* Number of "Bước N" markers in the steps text. */
static size_t count_steps(const char *s)
{
	size_t n = 0;
	for (const char *p = s; (p = strstr(p, "Bước ")) != NULL; p += 5)
		if (p[5] >= '0' && p[5] <= '9')
			n++;
	return n;
}

static void sec_steps(struct compose *c)
{
	const char *s = c->p->steps;
	if (no_info(s)) {
		missing(c, "trình tự thực hiện");
		return;
	}
	td_buf_adds(&c->chat, "Trình tự thực hiện:\n");
	add_lines(&c->chat, s, 1500);
	td_buf_addc(&c->chat, '\n');
	size_t n = count_steps(s);
	if (n > 1)
		td_buf_addf(&c->voice, "Thủ tục có %zu bước. ", n);
	const char *first = strstr(s, "Bước ");
	first = first ? first : s;
	add_words(&c->voice, first, 22);
	td_buf_adds(&c->voice, ". ");
}

static bool has_online_channel(const struct kb_procedure *p)
{
	for (size_t i = 0; i < p->n_channels; i++)
		if (p->channels[i].kind == KB_CHANNEL_ONLINE)
			return true;
	return false;
}

static void sec_online(struct compose *c)
{
	const struct kb_procedure *p = c->p;
	if (p->n_channels == 0 && blank(p->online_level)) {
		missing(c, "hình thức nộp trực tuyến");
		return;
	}
	if (has_online_channel(p)) {
		td_buf_adds(&c->chat, "Thủ tục này có thể nộp trực tuyến");
		td_buf_adds(&c->voice, "Thủ tục này có thể nộp trực tuyến");
		if (!blank(p->online_level)) {
			td_buf_addf(&c->chat, " (mức độ: %s)", p->online_level);
			td_buf_addf(&c->voice, ", mức độ %s", p->online_level);
		}
		td_buf_adds(&c->chat, ".\n");
		td_buf_adds(&c->voice, ". ");
		for (size_t i = 0; i < p->n_channels; i++) {
			const struct kb_channel *ch = &p->channels[i];
			if (ch->kind != KB_CHANNEL_ONLINE)
				continue;
			td_buf_adds(&c->chat, "Nộp trực tuyến: thời hạn ");
			chat_duration(&c->chat, &ch->duration);
			td_buf_adds(&c->chat, "; phí, lệ phí: ");
			chat_fee(&c->chat, &ch->fee);
			td_buf_adds(&c->chat, ".\n");
			if (duration_known(&ch->duration) && ch->duration.has_value) {
				td_buf_adds(&c->voice, "Thời hạn khi nộp trực tuyến là ");
				voice_duration(&c->voice, &ch->duration);
				td_buf_adds(&c->voice, ". ");
			}
			break;
		}
	} else {
		td_buf_adds(&c->chat, "Theo cơ sở dữ liệu, thủ tục này chưa có hình thức nộp trực "
				      "tuyến; có thể ");
		td_buf_adds(&c->voice, "Theo cơ sở dữ liệu, thủ tục này chưa có hình thức nộp trực "
				       "tuyến. ");
		for (size_t i = 0; i < p->n_channels; i++) {
			if (i)
				td_buf_adds(&c->chat, " hoặc ");
			td_buf_adds(&c->chat, channel_voice(p->channels[i].kind));
		}
		td_buf_adds(&c->chat, ".\n");
	}
}

static void sec_text(struct compose *c, const char *title, const char *what, const char *s,
		     size_t voice_words)
{
	if (no_info(s) || folded_contains(s, "khong co thong tin")) {
		missing(c, what);
		return;
	}
	td_buf_addf(&c->chat, "%s:\n", title);
	add_lines(&c->chat, s, 1200);
	td_buf_addc(&c->chat, '\n');
	td_buf_addf(&c->voice, "%s: ", title);
	add_words(&c->voice, s, voice_words);
	td_buf_adds(&c->voice, ". ");
}

static void sec_conditions(struct compose *c)
{
	const struct kb_procedure *p = c->p;
	bool cond = !no_info(p->conditions) && !folded_contains(p->conditions, "khong co thong tin");
	if (cond) {
		sec_text(c, "Điều kiện thực hiện", "điều kiện thực hiện", p->conditions, 25);
	} else {
		td_buf_adds(&c->chat, "Cơ sở dữ liệu không ghi điều kiện riêng cho thủ tục này.\n");
		td_buf_adds(&c->voice, "Cơ sở dữ liệu không ghi điều kiện riêng cho thủ tục này. ");
	}
	if (p->subjects.n) {
		td_buf_adds(&c->chat, "Đối tượng thực hiện: ");
		for (size_t i = 0; i < p->subjects.n; i++) {
			if (i)
				td_buf_adds(&c->chat, ", ");
			td_buf_adds(&c->chat, p->subjects.items[i]);
		}
		td_buf_addc(&c->chat, '\n');
	}
	if (!cond && p->subjects.n == 0)
		c->missing = true;
}

static void sec_legal(struct compose *c)
{
	const struct kb_procedure *p = c->p;
	if (p->n_legal == 0) {
		missing(c, "căn cứ pháp lý");
		return;
	}
	td_buf_adds(&c->chat, "Căn cứ pháp lý:\n");
	size_t shown = 0;
	for (size_t i = 0; i < p->n_legal && shown < 10; i++) {
		const struct kb_legal *l = &p->legal[i];
		if (blank(l->number) && blank(l->title))
			continue;
		td_buf_adds(&c->chat, "- ");
		if (!blank(l->number))
			td_buf_adds(&c->chat, l->number);
		if (!blank(l->number) && !blank(l->title))
			td_buf_adds(&c->chat, ": ");
		if (!blank(l->title))
			add_cut(&c->chat, l->title, 250);
		if (!blank(l->date))
			td_buf_addf(&c->chat, " (ngày %s)", l->date);
		td_buf_addc(&c->chat, '\n');
		shown++;
	}
	if (p->n_legal > shown)
		td_buf_addf(&c->chat, "(còn %zu văn bản khác, xem nguồn)\n", p->n_legal - shown);
	td_buf_addf(&c->voice, "Thủ tục này căn cứ %zu văn bản pháp luật", p->n_legal);
	for (size_t i = 0; i < p->n_legal; i++) {
		const char *t = p->legal[i].title;
		if (blank(t) || strlen(t) < 12)
			continue;
		td_buf_adds(&c->voice, ", trong đó có ");
		add_words(&c->voice, t, 12);
		break;
	}
	td_buf_adds(&c->voice, ". ");
}

static void sec_form(struct compose *c)
{
	const struct kb_procedure *p = c->p;
	size_t n = 0;
	for (size_t i = 0; i < p->n_dossier; i++)
		if (!blank(p->dossier[i].form))
			n++;
	if (n == 0) {
		missing(c, "mẫu đơn, tờ khai");
		return;
	}
	td_buf_adds(&c->chat, "Mẫu đơn, tờ khai:\n");
	size_t shown = 0;
	for (size_t i = 0; i < p->n_dossier && shown < DOSSIER_ITEMS_MAX; i++) {
		const struct kb_dossier_item *it = &p->dossier[i];
		if (blank(it->form))
			continue;
		td_buf_addf(&c->chat, "%zu. ", ++shown);
		add_item_name(&c->chat, it->name ? it->name : "", 200);
		td_buf_adds(&c->chat, ": ");
		add_cut(&c->chat, it->form, 300);
		td_buf_addc(&c->chat, '\n');
	}
	td_buf_addf(&c->voice, "Thủ tục có %zu mẫu đơn, tờ khai, ví dụ ", n);
	for (size_t i = 0; i < p->n_dossier; i++) {
		if (blank(p->dossier[i].form))
			continue;
		add_words(&c->voice, skip_numbering(p->dossier[i].name ? p->dossier[i].name : ""),
			  10);
		break;
	}
	td_buf_adds(&c->voice, ". Mẫu có tại nơi nộp hồ sơ và trên Cổng dịch vụ công. ");
}

static void sec_overview(struct compose *c)
{
	const struct kb_procedure *p = c->p;
	if (!blank(p->field)) {
		td_buf_addf(&c->chat, "Lĩnh vực: %s", p->field);
		if (p->levels.n) {
			td_buf_adds(&c->chat, "; cấp thực hiện: ");
			add_levels(&c->chat, p);
		}
		td_buf_addc(&c->chat, '\n');
	}
	const char *agency = first_nonblank(p->agency, p->competent_agency, NULL);
	if (agency) {
		td_buf_adds(&c->chat, "Cơ quan thực hiện: ");
		add_cut(&c->chat, agency, 300);
		td_buf_addc(&c->chat, '\n');
		td_buf_adds(&c->voice, "Cơ quan giải quyết là ");
		add_words(&c->voice, agency, 14);
		td_buf_adds(&c->voice, ". ");
	}
	if (p->n_channels) {
		td_buf_adds(&c->chat, "Cách nộp, thời hạn và lệ phí:\n");
		for (size_t i = 0; i < p->n_channels; i++) {
			td_buf_addf(&c->chat, "- %s: ", channel_label(p->channels[i].kind));
			chat_duration(&c->chat, &p->channels[i].duration);
			td_buf_adds(&c->chat, "; ");
			chat_fee(&c->chat, &p->channels[i].fee);
			td_buf_addc(&c->chat, '\n');
		}
		const struct kb_channel *ch = &p->channels[0];
		if (ch->duration.has_value && unit_words(ch->duration.unit)) {
			td_buf_adds(&c->voice, "Thời hạn ");
			voice_duration(&c->voice, &ch->duration);
			td_buf_adds(&c->voice, ", lệ phí ");
			voice_fee(&c->voice, &ch->fee);
			td_buf_adds(&c->voice, ". ");
		}
	}
	if (p->n_dossier)
		td_buf_addf(&c->chat, "Hồ sơ: %zu giấy tờ (hỏi \"hồ sơ gồm những gì\" để xem chi "
				      "tiết).\n",
			    p->n_dossier);
	if (!no_info(p->result)) {
		td_buf_adds(&c->chat, "Kết quả: ");
		add_cut(&c->chat, p->result, 300);
		td_buf_addc(&c->chat, '\n');
	}
	td_buf_adds(&c->chat, "Anh/chị có thể hỏi thêm về hồ sơ, lệ phí, thời hạn, nơi nộp hoặc "
			      "các bước thực hiện.\n");
}

static void section(struct compose *c, enum answer_aspect a)
{
	switch (a) {
	case ANSWER_ASPECT_DOCUMENTS:
		sec_documents(c);
		break;
	case ANSWER_ASPECT_DURATION:
		sec_duration(c);
		break;
	case ANSWER_ASPECT_FEE:
		sec_fee(c);
		break;
	case ANSWER_ASPECT_PLACE:
		sec_place(c);
		break;
	case ANSWER_ASPECT_STEPS:
		sec_steps(c);
		break;
	case ANSWER_ASPECT_ONLINE:
		sec_online(c);
		break;
	case ANSWER_ASPECT_CONDITIONS:
		sec_conditions(c);
		break;
	case ANSWER_ASPECT_RESULT:
		sec_text(c, "Kết quả thực hiện", "kết quả thực hiện", c->p->result, 20);
		break;
	case ANSWER_ASPECT_LEGAL_BASIS:
		sec_legal(c);
		break;
	case ANSWER_ASPECT_FORM:
		sec_form(c);
		break;
	case ANSWER_ASPECT_OVERVIEW:
	case ANSWER_ASPECT__COUNT:
		sec_overview(c);
		break;
	}
}

/* ------------------------------------------------------------------------ */
/* Voice finishing                                                          */

static size_t count_words(const char *s, size_t n)
{
	size_t w = 0;
	bool in = false;
	for (size_t i = 0; i < n; i++) {
		if (is_space(s[i])) {
			in = false;
		} else if (!in) {
			in = true;
			w++;
		}
	}
	return w;
}

/*
 * Turn the draft voice text into what is spoken: numbers in words, no
 * slashes in "Anh/chị", then keep whole sentences up to VOICE_WORDS words
 * (the first sentence is cut at a word if it alone is too long), then the
 * closing question (if given).
 */
static char *finish_voice(const char *draft, size_t n, const char *closing)
{
	struct td_buf w, out;
	td_buf_init(&w, TEXT_MAX);
	td_buf_init(&out, TEXT_MAX);
	answer_text_numbers_to_words(&w, draft, n);
	const char *s = w.data ? w.data : "";
	size_t len = w.len, i = 0, words = 0;
	while (i < len) {
		size_t j = i;
		while (j < len && !(s[j] == '.' || s[j] == '?' || s[j] == '!'))
			j++;
		if (j < len)
			j++;
		size_t sw = count_words(s + i, j - i);
		if (sw == 0) {
			i = j;
			continue;
		}
		if (words + sw > VOICE_WORDS) {
			if (words == 0) {
				/* One long sentence: keep its first words. */
				size_t k = i, cnt = 0;
				bool in = false;
				while (k < j) {
					if (is_space(s[k])) {
						in = false;
					} else if (!in) {
						if (cnt == VOICE_WORDS - 2)
							break;
						in = true;
						cnt++;
					}
					k++;
				}
				add_collapsed(&out, s + i, k - i);
				while (out.len && (out.data[out.len - 1] == ',' ||
						   out.data[out.len - 1] == ';' ||
						   out.data[out.len - 1] == ':'))
					td_buf_truncate(&out, out.len - 1);
				td_buf_adds(&out, "... ");
			}
			break;
		}
		add_collapsed(&out, s + i, j - i);
		td_buf_addc(&out, ' ');
		words += sw;
		i = j;
	}
	if (closing)
		td_buf_adds(&out, closing);
	while (out.len && out.data[out.len - 1] == ' ')
		td_buf_truncate(&out, out.len - 1);
	td_buf_release(&w);
	char *r = td_buf_error(&out) ? td_strdup(closing ? closing : "") : td_buf_detach(&out, NULL);
	td_buf_release(&out);
	return r;
}

/* ------------------------------------------------------------------------ */
/* Public                                                                   */

/* Names often start with "Thủ tục …" already; do not say it twice. */
static bool starts_thu_tuc(const char *name)
{
	return name && (strncmp(name, "Thủ tục ", strlen("Thủ tục ")) == 0 ||
			strncmp(name, "thủ tục ", strlen("thủ tục ")) == 0);
}

static void chat_header(struct td_buf *b, const struct kb_procedure *p)
{
	if (!starts_thu_tuc(p->name))
		td_buf_adds(b, "Thủ tục: ");
	add_cut(b, p->name ? p->name : "(chưa có tên)", 300);
	if (!blank(p->code))
		td_buf_addf(b, " (mã %s)", p->code);
	td_buf_addc(b, '\n');
}

static void chat_footer(struct td_buf *b, const struct kb_procedure *p)
{
	if (!blank(p->source_url)) {
		td_buf_addf(b, "Nguồn: %s", p->source_url);
		if (!blank(p->as_of))
			td_buf_addf(b, " (cập nhật %s)", p->as_of);
		td_buf_addc(b, '\n');
	} else {
		td_buf_adds(b, "Nguồn: cơ sở dữ liệu thủ tục hành chính của tổng đài");
		if (!blank(p->as_of))
			td_buf_addf(b, " (cập nhật %s)", p->as_of);
		td_buf_addc(b, '\n');
	}
	if (p->sample)
		td_buf_adds(b, "Lưu ý: đây là dữ liệu mẫu, chưa phải thông tin chính thức.\n");
	/* The notes are the record owner's working notes on what is not yet
	 * verified ("the source gives '1' with no unit; read as working
	 * days"): citizens get one plain caveat, staff read the notes with
	 * `kb show`. */
	if (p->notes.n)
		td_buf_adds(b, "Lưu ý: một số thông tin của thủ tục này (như lệ phí, thời hạn) chưa được "
			       "cơ quan có thẩm quyền xác nhận; anh/chị nên hỏi lại nơi nộp hồ sơ "
			       "trước khi đi.\n");
}

/* A short spoken name: the name up to the first clause break, ≤ 12 words. */
static void voice_name(struct td_buf *b, const struct kb_procedure *p)
{
	add_words(b, p->name ? p->name : "", 12);
}

static char *detach_trimmed(struct td_buf *b)
{
	while (b->len && (b->data[b->len - 1] == '\n' || b->data[b->len - 1] == ' '))
		td_buf_truncate(b, b->len - 1);
	return td_buf_detach(b, NULL);
}

td_err answer_compose(const struct kb_procedure *p, enum answer_aspect aspect, unsigned extra,
		      struct answer_text *out)
{
	struct compose c = {.p = p};
	fee_memo.n = 0;
	out->chat = out->voice = NULL;
	td_buf_init(&c.chat, TEXT_MAX);
	td_buf_init(&c.voice, TEXT_MAX);
	chat_header(&c.chat, p);
	if (!starts_thu_tuc(p->name))
		td_buf_adds(&c.voice, "Thủ tục ");
	voice_name(&c.voice, p);
	td_buf_adds(&c.voice, ". ");
	section(&c, aspect);
	/* One more aspect asked in the same message ("nộp ở đâu, mất phí không"). */
	extra &= ~(1u << aspect);
	for (unsigned a = 1; a < ANSWER_ASPECT__COUNT; a++) {
		if (extra & (1u << a)) {
			section(&c, (enum answer_aspect)a);
			break;
		}
	}
	chat_footer(&c.chat, p);
	if (c.missing)
		td_buf_addf(&c.chat, "%s\n", offer_operator);
	td_err rc = td_buf_error(&c.chat) ? td_buf_error(&c.chat) : td_buf_error(&c.voice);
	if (rc == TD_OK) {
		out->voice = finish_voice(c.voice.data, c.voice.len,
					  c.missing ? voice_operator : voice_more);
		out->chat = detach_trimmed(&c.chat);
	}
	td_buf_release(&c.chat);
	td_buf_release(&c.voice);
	return rc;
}

static const char *const voice_digit_names[ANSWER_OPTIONS_MAX] = {"một", "hai", "ba", "bốn",
								   "năm"};

td_err answer_compose_clarify(const struct kb_procedure *const *opts, size_t n,
			      struct answer_text *out)
{
	struct td_buf chat, voice;
	out->chat = out->voice = NULL;
	if (n > ANSWER_OPTIONS_MAX)
		n = ANSWER_OPTIONS_MAX;
	td_buf_init(&chat, TEXT_MAX);
	td_buf_init(&voice, TEXT_MAX);
	if (n == 1) {
		/* A confirmation: one procedure, not sure enough to answer. */
		td_buf_adds(&chat, "Có phải anh/chị hỏi về thủ tục: ");
		add_cut(&chat, opts[0]->name ? opts[0]->name : "", 220);
		if (!blank(opts[0]->code))
			td_buf_addf(&chat, " (mã %s)", opts[0]->code);
		td_buf_adds(&chat, "?\nXin trả lời \"đúng\" (hoặc 1), hoặc nói rõ hơn về việc cần làm.");
		td_buf_adds(&voice, "Có phải anh chị hỏi về ");
		add_words(&voice, opts[0]->name ? opts[0]->name : "", 12);
		td_buf_adds(&voice, " không? Xin nói đúng hoặc không.");
		goto done;
	}
	td_buf_adds(&chat, "Anh/chị hỏi về thủ tục nào:\n");
	for (size_t i = 0; i < n; i++) {
		td_buf_addf(&chat, "%zu) ", i + 1);
		add_cut(&chat, opts[i]->name ? opts[i]->name : "", 220);
		if (!blank(opts[i]->code))
			td_buf_addf(&chat, " (mã %s", opts[i]->code);
		if (opts[i]->levels.n) {
			td_buf_adds(&chat, ", ");
			add_levels(&chat, opts[i]);
		}
		td_buf_adds(&chat, ")\n");
	}
	td_buf_adds(&chat, "Xin trả lời số thứ tự (ví dụ: 1), hoặc nói rõ hơn về việc cần làm.");
	td_buf_adds(&voice, "Anh chị hỏi về ");
	size_t nv = n < 3 ? n : 3;
	for (size_t i = 0; i < nv; i++) {
		if (i)
			td_buf_adds(&voice, i + 1 == nv ? ", hay " : ", ");
		td_buf_addf(&voice, "số %s, ", voice_digit_names[i]);
		add_words(&voice, opts[i]->name ? opts[i]->name : "", 8);
	}
	td_buf_adds(&voice, "? Xin nói số thứ tự.");
done:;
	td_err rc = td_buf_error(&chat) ? td_buf_error(&chat) : td_buf_error(&voice);
	if (rc == TD_OK) {
		/* The options themselves are already short: no 40-word cut here. */
		struct td_buf w;
		td_buf_init(&w, TEXT_MAX);
		answer_text_numbers_to_words(&w, voice.data, voice.len);
		out->voice = td_buf_detach(&w, NULL);
		out->chat = td_buf_detach(&chat, NULL);
	}
	td_buf_release(&chat);
	td_buf_release(&voice);
	return rc;
}

struct canned {
	const char *chat;
	const char *voice;
};

static const struct canned canned[ANSWER_CANNED__COUNT] = {
	[ANSWER_CANNED_NO_MATCH] =
		{"Xin lỗi, tôi chưa có thông tin về câu hỏi này trong cơ sở dữ liệu thủ tục "
		 "hành chính. Anh/chị có thể nói rõ hơn tên thủ tục hoặc việc cần làm. Anh/chị "
		 "có muốn chuyển sang tổng đài viên không?",
		 "Xin lỗi, tôi chưa có thông tin về câu hỏi này. Anh chị có muốn chuyển sang "
		 "tổng đài viên không?"},
	[ANSWER_CANNED_GREETING] =
		{"Xin chào anh/chị! Tôi là tổng đài hỗ trợ thủ tục hành chính của Hà Nội. "
		 "Anh/chị cần hỏi về thủ tục nào (hồ sơ, lệ phí, thời hạn, nơi nộp…)?",
		 "Xin chào anh chị. Tôi là tổng đài hỗ trợ thủ tục hành chính của Hà Nội. "
		 "Anh chị cần hỏi về thủ tục nào ạ?"},
	[ANSWER_CANNED_THANKS] =
		{"Dạ, không có gì ạ. Anh/chị cần hỏi thêm gì cứ nhắn cho tôi nhé.",
		 "Dạ, không có gì ạ. Anh chị cần hỏi thêm gì nữa không ạ?"},
	[ANSWER_CANNED_GOODBYE] =
		{"Cảm ơn anh/chị đã liên hệ. Chào anh/chị!",
		 "Cảm ơn anh chị đã gọi tổng đài. Xin chào và hẹn gặp lại."},
	[ANSWER_CANNED_HUMAN] =
		{"Dạ, tôi đang chuyển anh/chị sang tổng đài viên. Anh/chị vui lòng chờ trong giây "
		 "lát.",
		 "Dạ, tôi chuyển anh chị sang tổng đài viên ngay. Anh chị vui lòng giữ máy."},
	[ANSWER_CANNED_OUT_OF_SCOPE] =
		{"Xin lỗi, tôi chỉ hỗ trợ thông tin về thủ tục hành chính và tiếp nhận phản ánh, "
		 "kiến nghị của người dân, doanh nghiệp tại Hà Nội. Anh/chị cần hỏi về thủ tục "
		 "nào không?",
		 "Xin lỗi, tôi chỉ hỗ trợ về thủ tục hành chính và phản ánh, kiến nghị. Anh chị "
		 "cần hỏi về thủ tục nào không ạ?"},
	[ANSWER_CANNED_DOSSIER_STATUS] =
		{"Để tra cứu tình trạng hồ sơ, anh/chị vui lòng cho biết mã hồ sơ ghi trên giấy "
		 "tiếp nhận và hẹn trả kết quả (ví dụ: 000.00.12.H26-251201-0007).",
		 "Để tra cứu hồ sơ, anh chị vui lòng đọc mã hồ sơ ghi trên giấy hẹn trả kết quả."},
	[ANSWER_CANNED_DOSSIER_STATUS_CODE] =
		{"Tôi đã ghi nhận mã hồ sơ của anh/chị. Việc tra cứu tình trạng hồ sơ sẽ được kết "
		 "nối với hệ thống một cửa; trong lúc chờ, anh/chị có muốn chuyển sang tổng đài "
		 "viên không?",
		 "Tôi đã ghi nhận mã hồ sơ. Anh chị có muốn chuyển sang tổng đài viên để tra cứu "
		 "ngay không?"},
	[ANSWER_CANNED_PAKN_REPORT] =
		{"Cảm ơn anh/chị đã phản ánh. Nội dung sẽ được chuyển tới bộ phận tiếp nhận phản "
		 "ánh, kiến nghị. Anh/chị vui lòng cho biết địa điểm cụ thể (số nhà, đường, "
		 "phường/xã) và số điện thoại liên hệ.",
		 "Cảm ơn anh chị đã phản ánh. Anh chị vui lòng cho biết địa điểm cụ thể và số "
		 "điện thoại liên hệ."},
	[ANSWER_CANNED_PAKN_STATUS] =
		{"Để tra cứu kết quả xử lý phản ánh, anh/chị vui lòng cho biết mã phản ánh hoặc số "
		 "điện thoại đã dùng khi gửi. Yêu cầu sẽ được kết nối với hệ thống tiếp nhận phản "
		 "ánh, kiến nghị.",
		 "Anh chị vui lòng đọc mã phản ánh hoặc số điện thoại đã dùng khi gửi phản ánh."},
	[ANSWER_CANNED_EMPTY] =
		{"Tôi chưa nhận được câu hỏi. Anh/chị cần hỏi về thủ tục hành chính nào?",
		 "Xin lỗi, tôi chưa nghe rõ. Anh chị vui lòng nói lại câu hỏi."},
};

td_err answer_compose_canned(enum answer_canned kind, struct answer_text *out)
{
	if ((unsigned)kind >= ANSWER_CANNED__COUNT)
		kind = ANSWER_CANNED_NO_MATCH;
	out->chat = td_strdup(canned[kind].chat);
	out->voice = td_strdup(canned[kind].voice);
	return TD_OK;
}
