/*
 * kb_national_channels.c - the "Cách thức thực hiện" table of the national
 * export: rows of <channel><duration><fee>(<fee note>)<description> run
 * together with no separators.
 *
 * A row starts where a channel name ("Trực tiếp", "Trực tuyến", "Dịch vụ
 * bưu chính") is followed without a space by a digit or a capital letter:
 * inside descriptions the same words are always followed by a space or
 * punctuation.  Inside a row the duration cell is read first (number and
 * unit, or a "no information" phrase); the fee cell must then start with
 * one of the few shapes the portal prints ("Miễn phí", "Không có thông
 * tin", "<amount> Việt Nam Đồng|VNĐ|USD") and may carry a note in
 * parentheses; the rest is the description.  When the duration is free
 * text, the earliest fee shape in the row ends it.  When the portal printed
 * a duration without a unit, its digits can run into the fee's digits
 * ("Trực tuyến120,000 VNĐ" is "1" and "20,000 VNĐ"); the shortest split
 * that leaves a well-formed amount is taken, with a warning.  Durations
 * missing from the cell are looked for in the description.  Everything
 * guessed is a tagged warning (kb_national.h).
 */
#include "kb/kb_national.h"

#include <stdio.h>
#include <string.h>

#include "base/alloc.h"
#include "kb/kb_national_int.h"
#include "base/banned.h"

#define TABLE_HEADER "Hình thức nộpThời gianPhí, lệ phíMô tả"
#define FREE_WORD "Miễn phí"

static const struct {
	const char *name;
	enum kb_channel_kind kind;
} channels[] = {
	{"Trực tiếp", KB_CHANNEL_DIRECT},
	{"Trực tuyến", KB_CHANNEL_ONLINE},
	{"Dịch vụ bưu chính", KB_CHANNEL_POST},
};

/* Longer words first: "Ngày làm việc" before "Ngày". */
static const struct {
	const char *word;
	enum kb_duration_unit unit;
	double factor;
} units[] = {
	{"Ngày làm việc", KB_UNIT_WORKING_DAYS, 1}, {"ngày làm việc", KB_UNIT_WORKING_DAYS, 1},
	{"Giờ làm việc", KB_UNIT_WORKING_HOURS, 1}, {"giờ làm việc", KB_UNIT_WORKING_HOURS, 1},
	{"Ngày", KB_UNIT_DAYS, 1},   {"ngày", KB_UNIT_DAYS, 1},
	{"Giờ", KB_UNIT_HOURS, 1},   {"giờ", KB_UNIT_HOURS, 1},
	{"Tháng", KB_UNIT_MONTHS, 1}, {"tháng", KB_UNIT_MONTHS, 1},
	{"Tuần", KB_UNIT_DAYS, 7},   {"tuần", KB_UNIT_DAYS, 7},
	{"Năm", KB_UNIT_MONTHS, 12}, {"năm", KB_UNIT_MONTHS, 12},
};

static const struct {
	const char *word;
	const char *currency;
} currencies[] = {
	{"Việt Nam Đồng", "VND"}, {"VNĐ", "VND"}, {"VND", "VND"}, {"Đồng", "VND"},
	{"đồng", "VND"},	  {"USD", "USD"},
};

/* Phrases a duration cell uses to say "none given". */
static const char *const no_duration[] = {
	KB__NO_INFO, "Không quy định", "Không",
};

/* Length of the unit word at s (after optional blanks), 0 if none; the
 * index into units[] goes to *which. */
static size_t unit_at(const char *s, size_t n, size_t *which)
{
	size_t sp = 0;
	while (sp < n && s[sp] == ' ')
		sp++;
	for (size_t i = 0; i < sizeof units / sizeof units[0]; i++)
		if (kb__starts(s + sp, n - sp, units[i].word)) {
			*which = i;
			return sp + strlen(units[i].word);
		}
	return 0;
}

/* Length of " <currency word>" at s, 0 if none. */
static size_t currency_at(const char *s, size_t n, const char **currency)
{
	size_t sp = 0;
	while (sp < n && s[sp] == ' ')
		sp++;
	for (size_t i = 0; i < sizeof currencies / sizeof currencies[0]; i++)
		if (kb__starts(s + sp, n - sp, currencies[i].word)) {
			*currency = currencies[i].currency;
			return sp + strlen(currencies[i].word);
		}
	return 0;
}

/* Length of the fee keyword or "<amount> <currency>" at s, 0 if none. */
static size_t fee_token_at(const char *s, size_t n)
{
	if (kb__starts(s, n, FREE_WORD))
		return strlen(FREE_WORD);
	if (kb__starts(s, n, KB__NO_INFO))
		return strlen(KB__NO_INFO);
	size_t used;
	double v;
	const char *cur;
	if (n && kb__digit(s[0]) && kb__number(s, n, KB__NUM_COLUMN, &used, &v)) {
		size_t c = currency_at(s + used, n - used, &cur);
		if (c)
			return used + c;
	}
	return 0;
}

/* Earliest position >= from where a fee cell can start, or n. */
static size_t find_fee(const char *s, size_t n, size_t from)
{
	for (size_t i = from; i < n; i++) {
		if (kb__digit(s[i]) && i > from && (kb__digit(s[i - 1]) || s[i - 1] == ',' ||
						    s[i - 1] == '.'))
			continue;
		if ((s[i] == 'M' || s[i] == 'K' || kb__digit(s[i])) && fee_token_at(s + i, n - i))
			return i;
	}
	return n;
}

/* End (exclusive) of the parenthesised note starting at s[0] == '('.
 * Unbalanced notes end where the first nested group closes, else at n. */
static size_t note_end(const char *s, size_t n, bool *unbalanced)
{
	int depth = 0;
	size_t first_back_to_one = 0;
	*unbalanced = false;
	for (size_t i = 0; i < n; i++) {
		if (s[i] == '(')
			depth++;
		else if (s[i] == ')') {
			depth--;
			if (depth == 0)
				return i + 1;
			if (depth == 1 && !first_back_to_one)
				first_back_to_one = i + 1;
		}
	}
	*unbalanced = true;
	return first_back_to_one ? first_back_to_one : n;
}

/* ---- durations ---- */

static bool is_no_duration(const char *s, size_t n)
{
	for (size_t i = 0; i < sizeof no_duration / sizeof no_duration[0]; i++) {
		size_t m = strlen(no_duration[i]);
		if (n >= m && memcmp(s, no_duration[i], m) == 0) {
			/* allow a trailing full stop */
			if (n == m || (n == m + 1 && s[m] == '.'))
				return true;
		}
	}
	return false;
}

td_err kb_national_parse_duration(const char *text, struct kb_duration *out,
				  struct kb_strlist *notes)
{
	if (!text || !out)
		return TD_ERR_INVAL;
	memset(out, 0, sizeof *out);
	const char *s = text;
	size_t n = strlen(text);
	kb__trim(&s, &n);
	out->text = n ? td_strndup(s, n) : NULL;
	if (n == 0 || is_no_duration(s, n))
		return TD_OK;
	if (!kb__digit(s[0]))
		return TD_ERR_PARSE;
	size_t used, which;
	double v;
	if (!kb__number(s, n, KB__NUM_COLUMN, &used, &v))
		return TD_ERR_PARSE;
	size_t u = unit_at(s + used, n - used, &which);
	if (!u) {
		out->value = v; /* has_value stays false: the unit is unknown */
		if (used == n) {
			kb__note(notes, "duration.no_unit", "'%.*s' has no unit", kb__snip(s, n, 40), s);
		}
		return TD_ERR_PARSE;
	}
	out->has_value = true;
	out->unit = units[which].unit;
	out->value = v * units[which].factor;
	if (units[which].factor != 1)
		kb__note(notes, "duration.converted", "'%.*s' converted to %g %s",
			 kb__snip(s, n, 60), s, out->value, kb_unit_name(out->unit));
	if (used + u < n)
		kb__note(notes, "duration.extra_text", "text after the unit ignored: '%.*s'",
			 kb__snip(s + used + u, n - used - u, 80), s + used + u);
	return TD_OK;
}

/* Words that, shortly before a number, make it the processing time. */
static const char *const duration_cues[] = {
	"thời hạn", "Thời hạn", "trong", "Trong", "không quá", "Không quá", "thời gian",
	"Thời gian", "tối đa", "giải quyết", "vòng",
};

static bool cue_before(const char *s, size_t at)
{
	size_t from = at > 48 ? at - 48 : 0;
	if (at - from <= 4) {
		/* the number opens the text or a "- " item */
		bool only_marks = true;
		for (size_t i = from; i < at; i++)
			if (s[i] != ' ' && s[i] != '-' && s[i] != '+' && s[i] != '\n')
				only_marks = false;
		if (only_marks)
			return true;
	}
	for (size_t i = 0; i < sizeof duration_cues / sizeof duration_cues[0]; i++)
		if (kb__find(s + from, at - from, duration_cues[i]))
			return true;
	return false;
}

/*
 * Look for "<number> <unit>" in a description.  want >= 0: only that
 * number (the cell's unitless value); else the first one after a cue word.
 */
static bool duration_in_text(const char *s, size_t n, double want, struct kb_duration *d)
{
	for (size_t i = 0; i < n; i++) {
		if (!kb__digit(s[i]) || (i > 0 && (kb__digit(s[i - 1]) || s[i - 1] == '/' ||
						   s[i - 1] == '.' || s[i - 1] == ',')))
			continue;
		size_t used, which;
		double v;
		if (!kb__number(s + i, n - i, KB__NUM_PROSE, &used, &v))
			continue;
		size_t u = unit_at(s + i + used, n - i - used, &which);
		if (u && i + used < n && s[i + used] == ' ' &&
		    (want >= 0 ? v == want : cue_before(s, i))) {
			d->has_value = true;
			d->unit = units[which].unit;
			d->value = v * units[which].factor;
			return true;
		}
		i += used - 1;
	}
	return false;
}

/* ---- fees ---- */

struct note_amount {
	bool found;
	double value;
	const char *currency;
};

/* First "<amount> đồng|đ|VNĐ|USD" in a prose note. */
static struct note_amount amount_in_note(const char *s, size_t n)
{
	struct note_amount r = {false, 0, NULL};
	for (size_t i = 0; i < n; i++) {
		if (!kb__digit(s[i]) || (i > 0 && (kb__digit(s[i - 1]) || s[i - 1] == '/' ||
						   s[i - 1] == '.' || s[i - 1] == ',')))
			continue;
		size_t used;
		double v;
		if (!kb__number(s + i, n - i, KB__NUM_PROSE, &used, &v))
			continue;
		const char *p = s + i + used;
		size_t m = n - i - used;
		while (m && *p == ' ') {
			p++;
			m--;
		}
		double mult = 1;
		if (kb__starts(p, m, "triệu")) {
			mult = 1e6;
			p += strlen("triệu");
			m -= strlen("triệu");
			while (m && *p == ' ') {
				p++;
				m--;
			}
		}
		if (kb__starts(p, m, "USD")) {
			r = (struct note_amount){true, v * mult, "USD"};
			return r;
		}
		if (kb__starts(p, m, "đ") || kb__starts(p, m, "Đ") || kb__starts(p, m, "VNĐ") ||
		    kb__starts(p, m, "vnđ") || kb__starts(p, m, "VND")) {
			r = (struct note_amount){true, v * mult, "VND"};
			return r;
		}
		i += used - 1;
	}
	return r;
}

static bool contains_any(const char *s, size_t n, const char *const *words, size_t k)
{
	for (size_t i = 0; i < k; i++)
		if (kb__find(s, n, words[i]))
			return true;
	return false;
}

static const char *const delegated_words[] = {
	"Hội đồng nhân dân", "HĐND", "Ủy ban nhân dân", "Uỷ ban nhân dân", "UBND",
};
static const char *const reference_words[] = {
	"Thông tư", "thông tư", "Nghị định", "Luật", "quy định", "Quyết định", "Biểu",
};
static const char *const none_openers[] = {
	"Không", "không", "Miễn", "miễn", "Chưa", "chưa",
};

/* Skip "(", "-", "+", "*" and blanks opening a note. */
static void skip_note_marks(const char **s, size_t *n)
{
	while (*n && (**s == '(' || **s == '-' || **s == '+' || **s == '*' || **s == ' ' ||
		      **s == '\t' || **s == '\n')) {
		(*s)++;
		(*n)--;
	}
}

static td_err fee_free_word(struct kb_fee *out, const char *note, size_t nn,
			    struct kb_strlist *notes)
{
	const char *b = note;
	size_t bn = nn;
	skip_note_marks(&b, &bn);
	if (bn == 0) {
		out->free = true;
		return TD_OK;
	}
	for (size_t i = 0; i < sizeof none_openers / sizeof none_openers[0]; i++)
		if (kb__starts(b, bn, none_openers[i])) {
			out->free = true;
			return TD_OK;
		}
	if (contains_any(b, bn, delegated_words, sizeof delegated_words / sizeof *delegated_words)) {
		kb__note(notes, "fee.delegated",
			 "'Miễn phí' but the note says the local council/committee sets the fee");
		return TD_OK;
	}
	struct note_amount a = amount_in_note(b, bn);
	if (a.found) {
		out->currency = td_strdup(a.currency);
		out->amount = a.value;
		if (strcmp(a.currency, "VND") == 0) {
			out->has_amount = true;
			out->amount_vnd = a.value;
		}
		kb__note(notes, "fee.amount_from_note",
			 "'Miễn phí' but the note states %g %s; took that amount", a.value,
			 a.currency);
		return TD_OK;
	}
	if (contains_any(b, bn, reference_words, sizeof reference_words / sizeof *reference_words)) {
		kb__note(notes, "fee.by_reference",
			 "'Miễn phí' but the note defers to a regulation: '%.*s'",
			 kb__snip(b, bn, 80), b);
		return TD_OK;
	}
	out->free = true;
	kb__note(notes, "fee.note_unclear", "'Miễn phí' with a note not understood: '%.*s'",
		 kb__snip(b, bn, 80), b);
	return TD_OK;
}

static void fee_amount_note(struct kb_fee *out, const char *note, size_t nn,
			    struct kb_strlist *notes)
{
	bool waiver = (kb__find(note, nn, "Miễn") || kb__find(note, nn, "miễn")) &&
		      (kb__find(note, nn, "từ ngày") || kb__find(note, nn, "đến"));
	if (waiver && !out->free) {
		out->free = true;
		const char *w = kb__find(note, nn, "Miễn");
		if (!w)
			w = kb__find(note, nn, "miễn");
		kb__note(notes, "fee.temporary_waiver",
			 "temporary waiver, regular amount kept: '%.*s'",
			 kb__snip(w, nn - (size_t)(w - note), 90), w);
	}
	if (kb__find(note, nn, "50%"))
		kb__note(notes, "fee.temporary_reduction", "the note mentions a 50%% rate");
	if (out->has_amount && out->amount_vnd > 0 && out->amount_vnd < 1000) {
		struct note_amount a = amount_in_note(note, nn);
		if (a.found && strcmp(a.currency, "VND") == 0 &&
		    a.value == out->amount_vnd * 1000) {
			kb__note(notes, "fee.scaled",
				 "amount %g VND read as %g VND because the note says so",
				 out->amount_vnd, a.value);
			out->amount_vnd = out->amount = a.value;
		} else if (a.found && strcmp(a.currency, "USD") == 0 && a.value == out->amount) {
			kb__note(notes, "fee.currency_from_note",
				 "amount %g marked VND but the note says USD", out->amount);
			out->has_amount = false;
			out->amount_vnd = 0;
			td_free(out->currency);
			out->currency = td_strdup("USD");
		} else {
			kb__note(notes, "fee.small_amount", "VND amount %g looks too small",
				 out->amount_vnd);
		}
	}
}

td_err kb_national_parse_fee(const char *text, struct kb_fee *out, struct kb_strlist *notes)
{
	if (!text || !out)
		return TD_ERR_INVAL;
	memset(out, 0, sizeof *out);
	const char *s = text;
	size_t n = strlen(text);
	kb__trim(&s, &n);
	out->text = n ? td_strndup(s, n) : NULL;
	if (kb__absent(s, n)) {
		kb__note(notes, "fee.no_info", "the source gives no fee information");
		return TD_OK;
	}
	size_t tok = fee_token_at(s, n);
	if (!tok)
		return TD_ERR_PARSE;
	const char *note = s + tok, *after;
	size_t nn = 0;
	bool unbalanced = false;
	if (tok < n && s[tok] == '(')
		nn = note_end(note, n - tok, &unbalanced);
	after = note + nn;
	if (unbalanced)
		kb__note(notes, "fee.note_unbalanced", "unbalanced parentheses in the fee note");
	if (after < s + n)
		kb__note(notes, "fee.extra_text", "text after the fee ignored: '%.*s'",
			 kb__snip(after, (size_t)(s + n - after), 60), after);
	if (kb__starts(s, n, KB__NO_INFO)) {
		kb__note(notes, "fee.no_info", "the source gives no fee information");
		return TD_OK;
	}
	if (kb__starts(s, n, FREE_WORD))
		return fee_free_word(out, note, nn, notes);
	size_t used;
	double v;
	const char *cur = "VND";
	if (!kb__number(s, n, KB__NUM_COLUMN, &used, &v))
		return TD_ERR_PARSE; /* cannot happen: fee_token_at read it */
	currency_at(s + used, n - used, &cur);
	out->currency = td_strdup(cur);
	out->amount = v;
	if (strcmp(cur, "VND") == 0) {
		out->has_amount = true;
		out->amount_vnd = v;
	} else {
		kb__note(notes, "fee.usd", "amount in %s, no VND amount stated", cur);
	}
	if (v == 0)
		out->free = true;
	fee_amount_note(out, note, nn, notes);
	return TD_OK;
}

/* ---- rows ---- */

struct row {
	const char *s; /* after the channel name */
	size_t n;
	enum kb_channel_kind kind;
};

/* Channel index whose name starts at s and is glued to a digit or a
 * capital letter, or -1. */
static int row_start_at(const char *s, size_t n, size_t *namelen)
{
	for (int i = 0; i < 3; i++) {
		size_t m = strlen(channels[i].name);
		if (kb__starts(s, n, channels[i].name) && m < n &&
		    (kb__digit(s[m]) || kb__upper_at(s + m, n - m))) {
			*namelen = m;
			return i;
		}
	}
	return -1;
}

/* Copy tagged notes into p's warnings with the row context, skipping
 * notes whose tag is skip (NULL: none). */
static void flush_notes(struct kb_procedure *p, struct kb_strlist *notes, size_t row,
			enum kb_channel_kind kind, const char *skip)
{
	for (size_t i = 0; i < notes->n; i++) {
		const char *m = notes->items[i];
		const char *close = strchr(m, ']');
		if (!close)
			continue;
		if (skip && strncmp(m + 1, skip, (size_t)(close - m - 1)) == 0 &&
		    strlen(skip) == (size_t)(close - m - 1))
			continue;
		kb_procedure_warn(p, "%.*s cach_thuc_thuc_hien row %zu (%s):%s",
				  (int)(close - m + 1), m, row, kb_channel_name(kind), close + 1);
	}
	kb_strlist_release(notes);
}

/* Where the duration cell ends (and the fee starts) in a row; may split
 * glued digits, in which case *split is set. */
static size_t duration_end(const char *s, size_t n, bool *split)
{
	*split = false;
	if (kb__starts(s, n, KB__NO_INFO) && fee_token_at(s + strlen(KB__NO_INFO),
							    n - strlen(KB__NO_INFO)))
		return strlen(KB__NO_INFO);
	if (kb__starts(s, n, "Không quy định") &&
	    fee_token_at(s + strlen("Không quy định"), n - strlen("Không quy định")))
		return strlen("Không quy định");
	size_t used, which;
	double v;
	if (n && kb__digit(s[0]) && kb__number(s, n, KB__NUM_COLUMN, &used, &v)) {
		size_t u = unit_at(s + used, n - used, &which);
		if (u && fee_token_at(s + used + u, n - used - u))
			return used + u;
		if (!u && (kb__starts(s + used, n - used, FREE_WORD) ||
			   kb__starts(s + used, n - used, KB__NO_INFO)))
			return used;
		/* digits of a unitless duration glued to the amount */
		size_t run = 0;
		while (run < n && (kb__digit(s[run]) || s[run] == ',' || s[run] == '.'))
			run++;
		const char *cur;
		if (!u && currency_at(s + run, n - run, &cur)) {
			for (size_t k = 1; k < run && kb__digit(s[k - 1]); k++)
				if (kb__column_number_exact(s + k, run - k)) {
					*split = true;
					return k;
				}
		}
	}
	return find_fee(s, n, 0);
}

static void parse_row(struct kb_procedure *p, const struct row *r, size_t rowno)
{
	struct kb_channel *c = kb_procedure_add_channel(p, r->kind);
	struct kb_strlist notes = {0};
	bool split;
	size_t d = duration_end(r->s, r->n, &split);
	if (d >= r->n) {
		/* no fee cell found: keep the text as the description */
		c->description = kb__dup_trim(r->s, r->n);
		kb__note(&notes, "channels.garbled", "no fee cell found in '%.*s'",
			 kb__snip(r->s, r->n, 80), r->s);
		flush_notes(p, &notes, rowno, r->kind, NULL);
		return;
	}
	if (split)
		kb__note(&notes, "duration.split_digits",
			 "duration and amount digits run together ('%.*s'); read the duration as '%.*s'",
			 kb__snip(r->s, r->n, 24), r->s, (int)d, r->s);
	char *dtext = td_strndup(r->s, d);
	td_err de = kb_national_parse_duration(dtext, &c->duration, &notes);
	td_free(dtext);

	size_t tok = fee_token_at(r->s + d, r->n - d);
	size_t fee_len = tok;
	bool unbalanced = false;
	if (d + tok < r->n && r->s[d + tok] == '(')
		fee_len += note_end(r->s + d + tok, r->n - d - tok, &unbalanced);
	char *ftext = td_strndup(r->s + d, fee_len);
	td_err fe = kb_national_parse_fee(ftext, &c->fee, &notes);
	td_free(ftext);
	if (fe != TD_OK)
		kb__note(&notes, "fee.unparsed", "fee not understood: '%.*s'",
			 kb__snip(r->s + d, fee_len, 80), r->s + d);

	const char *desc = r->s + d + fee_len;
	size_t dn = r->n - d - fee_len;
	c->description = kb__dup_trim(desc, dn);

	const char *skip = NULL;
	if (!c->duration.has_value && c->description) {
		size_t len = strlen(c->description);
		bool unitless = de != TD_OK && c->duration.text && kb__digit(c->duration.text[0]);
		if (unitless && duration_in_text(c->description, len, c->duration.value, &c->duration)) {
			skip = "duration.no_unit";
			kb__note(&notes, "duration.unit_from_description",
				 "unit of '%s' taken from the description", c->duration.text);
		} else if (!unitless && duration_in_text(c->description, len, -1, &c->duration)) {
			kb__note(&notes, "duration.from_description",
				 "duration %g %s taken from the description", c->duration.value,
				 kb_unit_name(c->duration.unit));
			de = TD_OK;
		}
	}
	if (de != TD_OK && !c->duration.has_value && !skip && c->duration.text &&
	    !kb__digit(c->duration.text[0]))
		kb__note(&notes, "duration.unparsed", "duration not understood: '%.*s'",
			 kb__snip(c->duration.text, strlen(c->duration.text), 80),
			 c->duration.text);
	if (de != TD_OK && !c->duration.has_value && !skip && c->duration.text &&
	    kb__digit(c->duration.text[0]) && c->duration.text[strspn(c->duration.text,
								   "0123456789.,")] != '\0')
		kb__note(&notes, "duration.unparsed", "duration not understood: '%.*s'",
			 kb__snip(c->duration.text, strlen(c->duration.text), 80),
			 c->duration.text);
	if (c->duration.has_value)
		skip = "duration.no_unit";
	flush_notes(p, &notes, rowno, r->kind, skip);
	/* A bare number ("1") keeps its value with an unknown unit, as a
	 * careful reader would: the answer can say "1 (không rõ đơn vị)"
	 * rather than nothing, and never guesses days. */
	if (!c->duration.has_value && c->duration.text && kb__digit(c->duration.text[0]) &&
	    c->duration.text[strspn(c->duration.text, "0123456789.,")] == '\0') {
		c->duration.has_value = true;
		c->duration.unit = KB_UNIT_NONE;
	}
}

td_err kb_national_parse_channels(struct kb_procedure *p, const char *text)
{
	if (!p || !text)
		return TD_ERR_INVAL;
	const char *s = text;
	size_t n = strlen(text);
	kb__trim(&s, &n);
	if (kb__absent(s, n)) {
		kb__warn(p, "channels.none", "cach_thuc_thuc_hien: no information");
		return TD_OK;
	}
	if (kb__starts(s, n, TABLE_HEADER)) {
		s += strlen(TABLE_HEADER);
		n -= strlen(TABLE_HEADER);
	} else {
		kb__warn(p, "channels.no_header", "cach_thuc_thuc_hien: table header missing");
	}
	struct row cur = {NULL, 0, KB_CHANNEL_DIRECT};
	size_t rowno = 0;
	for (size_t i = 0; i < n; i++) {
		size_t m;
		int k = (s[i] == 'T' || s[i] == 'D') ? row_start_at(s + i, n - i, &m) : -1;
		if (k < 0)
			continue;
		if (cur.s) {
			cur.n = (size_t)(s + i - cur.s);
			parse_row(p, &cur, ++rowno);
		} else if (i > 0) {
			kb__warn(p, "channels.garbled",
				 "cach_thuc_thuc_hien: text before the first row ignored: '%.*s'",
				 kb__snip(s, i, 80), s);
		}
		cur.s = s + i + m;
		cur.kind = channels[k].kind;
		i += m - 1;
	}
	if (cur.s) {
		cur.n = (size_t)(s + n - cur.s);
		parse_row(p, &cur, ++rowno);
	} else {
		kb__warn(p, "channels.none", "cach_thuc_thuc_hien: no channel row found in '%.*s'",
			 kb__snip(s, n, 80), s);
	}
	return TD_OK;
}
