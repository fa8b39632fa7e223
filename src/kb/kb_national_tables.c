/*
 * kb_national_tables.c - the dossier (thành phần hồ sơ) and legal-basis
 * (căn cứ pháp lý) tables of the national export, both flattened into
 * run-together text.
 *
 * Dossier: every table opens with "Tên giấy tờMẫu đơn, tờ khaiSố lượng";
 * the text before it is the case heading ("--" when there is none).  Rows
 * are <name>[<form file>.docx]<N bản chính>[,<M bản sao>]; the count is the
 * only reliable separator, so rows are cut at counts glued to what
 * follows, and a form is the file name that ends the row text (its start is
 * where a glued boundary such as ".Mẫu", "NamMẫu" or ").Mau" is).  The text
 * after a table's last count is the heading of the next table.
 *
 * Legal basis: <title><number> pairs.  A number is digits "/" [year "/"]
 * upper-case code (82/2015/NĐ-CP, 23/2023/QH15, QĐ/0001-BCA, 885/QĐ-BCA-C06)
 * and ends a pair only where it is glued to the next title (a capital letter
 * or a digit) or ends the text; a number immediately repeated is part of the
 * title ("Luật 51/2019/QH1451/2019/QH14").  A year glued to the next number
 * ("năm 201102/2011/QH13") is split off.
 */
#include "kb/kb_national.h"

#include <stdio.h>
#include <string.h>

#include "base/alloc.h"
#include "base/buf.h"
#include "kb/kb_national_int.h"
#include "base/banned.h"

#define DOSSIER_HEADER "Tên giấy tờMẫu đơn, tờ khaiSố lượng"
#define LEGAL_HEADER "Tên văn bản pháp lýMã văn bản"

/* ---- dossier ---- */

struct count {
	size_t start, end; /* span in the table text */
	int originals, copies;
};

static size_t skip_spaces(const char *s, size_t n, size_t i)
{
	while (i < n && s[i] == ' ')
		i++;
	return i;
}

/* "<N> bản chính|sao|chụp" at s+i (i at the first digit); returns the end. */
static size_t count_part(const char *s, size_t n, size_t i, int *val, bool *original)
{
	size_t j = i;
	while (j < n && kb__digit(s[j]))
		j++;
	if (j == i || j - i > 7)
		return 0;
	/* a long run is a date or code glued to the count: keep its last digit */
	size_t from = j - i > 2 ? j - 1 : i;
	int v = 0;
	for (size_t k = from; k < j; k++)
		v = v * 10 + (s[k] - '0');
	if (!kb__starts(s + j, n - j, " bản "))
		return 0;
	j += strlen(" bản ");
	if (kb__starts(s + j, n - j, "chính")) {
		*original = true;
		j += strlen("chính");
	} else if (kb__starts(s + j, n - j, "sao")) {
		*original = false;
		j += strlen("sao");
	} else if (kb__starts(s + j, n - j, "chụp")) {
		*original = false;
		j += strlen("chụp");
	} else {
		return 0;
	}
	*val = v;
	return j;
}

/* A count token starting at or just before i; fills c.  Only counts glued
 * to the next row (or ending the table) are separators. */
static bool count_at(const char *s, size_t n, size_t i, struct count *c)
{
	c->originals = c->copies = -1;
	if (kb__starts(s + i, n - i, "Bản chính:")) {
		size_t j = skip_spaces(s, n, i + strlen("Bản chính:"));
		if (j >= n || !kb__digit(s[j]))
			return false;
		int o = 0;
		while (j < n && kb__digit(s[j]) && o < 1000)
			o = o * 10 + (s[j++] - '0');
		j = skip_spaces(s, n, j);
		if (!kb__starts(s + j, n - j, "Bản sao:"))
			return false;
		j = skip_spaces(s, n, j + strlen("Bản sao:"));
		int cp = 0;
		if (j >= n || !kb__digit(s[j]))
			return false;
		while (j < n && kb__digit(s[j]) && cp < 1000)
			cp = cp * 10 + (s[j++] - '0');
		*c = (struct count){i, j, o, cp};
		return true;
	}
	if (!kb__digit(s[i]) || (i > 0 && kb__digit(s[i - 1])))
		return false;
	int v;
	bool orig;
	size_t j = count_part(s, n, i, &v, &orig);
	if (!j)
		return false;
	size_t start = i;
	size_t run = 0;
	while (i + run < n && kb__digit(s[i + run]))
		run++;
	if (run > 2)
		start = i + run - 1;
	c->start = start;
	if (orig)
		c->originals = v;
	else
		c->copies = v;
	if (j < n && s[j] == ',') {
		size_t k = skip_spaces(s, n, j + 1);
		int v2;
		bool orig2;
		size_t e = k < n ? count_part(s, n, k, &v2, &orig2) : 0;
		if (e && !orig2) {
			c->copies = v2;
			j = e;
		}
	}
	if (j < n && (s[j] == ' ' || s[j] == '\t'))
		return false;
	c->end = j;
	return true;
}

static const char *const form_exts[] = {
	".docx", ".doc", ".pdf", ".xlsx", ".xls", ".rtf", ".odt", ".zip", ".rar",
	".DOCX", ".DOC", ".PDF", ".XLSX", ".XLS",
};

/* Length of a form extension ending s[0..n), 0 if none. */
static size_t ext_end(const char *s, size_t n)
{
	for (size_t i = 0; i < sizeof form_exts / sizeof form_exts[0]; i++) {
		size_t m = strlen(form_exts[i]);
		if (n > m && memcmp(s + n - m, form_exts[i], m) == 0)
			return m;
	}
	return 0;
}

static const char *const form_words[] = {"Mẫu", "Mau", "mẫu", "mau", "MẪU", "MAU", "Phụ lục"};

/* Where a form file name starting at b would be glued to the text before. */
static bool form_boundary(const char *s, size_t b)
{
	if (b == 0)
		return false;
	char prev = s[b - 1];
	if (prev == ' ' || prev == '\t' || prev == '\n')
		return false;
	if (ext_end(s, b))
		return true;
	for (size_t i = 0; i < sizeof form_words / sizeof form_words[0]; i++)
		if (kb__starts(s + b, strlen(form_words[i]), form_words[i]))
			return true;
	bool next_letter = kb__upper_at(s + b, 4) || kb__lower_at(s + b, 4);
	if ((prev == ';' || prev == ':') && (next_letter || kb__digit(s[b])))
		return true;
	if (prev == '.' && b >= 2 && (kb__lower_at(s + b - 2, 2) || s[b - 2] == ')') && next_letter)
		return true;
	if (prev == '.' && kb__upper_at(s + b, 4)) {
		/* ".Mus09.docx" after a date, but not ".TT-BNNMT" inside a name */
		size_t k = b + 1;
		while (k < b + 4 && ((unsigned char)s[k] & 0xC0) == 0x80)
			k++;
		if (kb__lower_at(s + k, 4))
			return true;
	}
	if (prev == ')' && next_letter)
		return true;
	/* lower-case letter glued to a capital: find the previous character */
	if (kb__upper_at(s + b, 4)) {
		size_t k = b - 1;
		while (k > 0 && ((unsigned char)s[k] & 0xC0) == 0x80)
			k--;
		if (kb__lower_at(s + k, b - k))
			return true;
	}
	return false;
}

/* Split item text into name and forms (joined by "; "). */
static void split_forms(struct kb_dossier_item *d, const char *s, size_t n)
{
	struct td_buf forms;
	td_buf_init(&forms, 64 * 1024);
	size_t end = n;
	kb__trim(&s, &end);
	while (end > 0 && ext_end(s, end)) {
		size_t b = end - ext_end(s, end);
		while (b > 0 && !form_boundary(s, b))
			b--;
		char *f = kb__dup_trim(s + b, end - b);
		if (f) {
			if (forms.len) {
				/* forms were found back to front: prepend */
				char *old = td_buf_detach(&forms, NULL);
				td_buf_adds(&forms, f);
				td_buf_adds(&forms, "; ");
				td_buf_adds(&forms, old);
				td_free(old);
			} else {
				td_buf_adds(&forms, f);
			}
			td_free(f);
		}
		end = b;
	}
	d->name = kb__dup_trim(s, end);
	if (forms.len && !td_buf_error(&forms))
		d->form = td_buf_detach(&forms, NULL);
	td_buf_release(&forms);
	if (!d->name && d->form)
		d->name = td_strdup(d->form);
}

/* Parse the rows of one table body; returns the offset of the text after
 * the last count (the next table's heading). */
static size_t dossier_rows(struct kb_procedure *p, const char *s, size_t n, const char *case_name)
{
	size_t item = 0;
	for (size_t i = 0; i < n; i++) {
		struct count c;
		if (!(kb__digit(s[i]) || s[i] == 'B') || !count_at(s, n, i, &c))
			continue;
		if (c.start <= item && p->n_dossier > 0 && item > 0) {
			/* a second count right after a count: same row */
			struct kb_dossier_item *last = &p->dossier[p->n_dossier - 1];
			if (c.originals >= 0 && last->originals < 0)
				last->originals = c.originals;
			if (c.copies >= 0 && last->copies < 0)
				last->copies = c.copies;
		} else if (c.start > item || item == 0) {
			char *probe = kb__dup_trim(s + item, c.start - item);
			if (probe) {
				struct kb_dossier_item *d = kb_procedure_add_dossier(p);
				split_forms(d, s + item, c.start - item);
				d->originals = c.originals;
				d->copies = c.copies;
				d->case_name = td_strdup(case_name);
				td_free(probe);
			} else {
				kb__warn(p, "dossier.count_without_name",
					 "thanh_phan_ho_so: count '%.*s' has no document name",
					 (int)(c.end - c.start), s + c.start);
			}
		}
		item = c.end;
		i = c.end - 1;
	}
	return item;
}

td_err kb_national_parse_dossier(struct kb_procedure *p, const char *text)
{
	if (!p || !text)
		return TD_ERR_INVAL;
	const char *s = text;
	size_t n = strlen(text);
	kb__trim(&s, &n);
	if (kb__absent(s, n) || (n == 2 && memcmp(s, "--", 2) == 0))
		return TD_OK;
	const char *h = kb__find(s, n, DOSSIER_HEADER);
	if (!h) {
		kb__warn(p, "dossier.no_table", "thanh_phan_ho_so: no table, text kept in raw_dossier");
		return TD_OK;
	}
	const size_t hl = strlen(DOSSIER_HEADER);
	const char *heading = s;
	size_t heading_n = (size_t)(h - s);
	while (h) {
		const char *body = h + hl;
		const char *next = kb__find(body, (size_t)(s + n - body), DOSSIER_HEADER);
		size_t body_n = (size_t)((next ? next : s + n) - body);
		char *case_name = kb__dup_trim(heading, heading_n);
		if (case_name && strcmp(case_name, "--") == 0) {
			td_free(case_name);
			case_name = NULL;
		}
		size_t before = p->n_dossier;
		size_t tail = dossier_rows(p, body, body_n, case_name);
		if (p->n_dossier == before && tail == 0)
			kb__warn(p, "dossier.leftover",
				 "thanh_phan_ho_so: a table without counts: '%.*s'",
				 kb__snip(body, body_n, 80), body);
		td_free(case_name);
		heading = body + tail;
		heading_n = body_n - tail;
		h = next;
	}
	char *rest = kb__dup_trim(heading, heading_n);
	if (rest && strcmp(rest, "--") != 0)
		kb__warn(p, "dossier.trailing_text", "thanh_phan_ho_so: text after the last row: '%.*s'",
			 kb__snip(rest, strlen(rest), 80), rest);
	td_free(rest);
	return TD_OK;
}

/* ---- legal basis ---- */

static bool code_char(const char *s, size_t n, size_t *len)
{
	if (n >= 2 && (unsigned char)s[0] == 0xC4 && (unsigned char)s[1] == 0x90) { /* Đ */
		*len = 2;
		return true;
	}
	if (n >= 1 && ((s[0] >= 'A' && s[0] <= 'Z') || kb__digit(s[0]))) {
		*len = 1;
		return true;
	}
	return false;
}

/* Issuer codes that end document numbers; used to cut a code that is glued
 * to the next title ("NĐ-CPLuật", "TT-BTCQUY ĐỊNH", "QH1451/2019").  "QH"
 * and "UBTVQH" take the two-digit legislature number. */
static const char *const issuer_codes[] = {
	"CP", "TTg", "BTC", "BCA", "BTP", "NHNN", "BNNMT", "BGTVT", "BXD", "BNNPTNT",
	"BKHĐT", "BTNMT", "BLĐTBXH", "BCT", "BYT", "VPCP", "BVHTTDL", "BKHCN", "BNV",
	"BHXH", "UBND", "BQP", "BGDĐT", "BTTTT", "BNG", "CTN", "TANDTC", "VKSNDTC",
	"KTNN", "HĐTP", "TCHQ", "BKH", "BNN", "BTTTT", "UBDT", "TLĐ", "QH", "UBTVQH",
};

/* Length of the longest issuer code opening s[0..n), 0 if none. */
static size_t known_code(const char *s, size_t n)
{
	size_t best = 0;
	for (size_t i = 0; i < sizeof issuer_codes / sizeof issuer_codes[0]; i++) {
		size_t m = strlen(issuer_codes[i]);
		if (m > n || memcmp(s, issuer_codes[i], m) != 0)
			continue;
		if (s[m - 1] == 'H' && m >= 2 && s[m - 2] == 'Q') {
			if (m + 2 > n || !kb__digit(s[m]) || !kb__digit(s[m + 1]))
				continue;
			m += 2;
		}
		if (m > best)
			best = m;
	}
	return best;
}

static bool separator(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == ',' || c == ';' ||
	       c == '.' || c == ')' || c == ':';
}

/*
 * A document number starting at s+i (a digit, or "QĐ/"): returns its end,
 * or 0.  *glued says it is followed by a capital, a digit or the end (a
 * pair boundary), not by a blank or lower-case text.
 */
static size_t number_at(const char *s, size_t n, size_t i, bool *glued)
{
	size_t j = i;
	if (kb__starts(s + i, n - i, "QĐ/")) {
		j += strlen("QĐ/");
	} else {
		while (j < n && kb__digit(s[j]))
			j++;
		if (j == i || j - i > 6)
			return 0;
		if (j < n && s[j] >= 'a' && s[j] <= 'z')
			j++; /* 12a/... */
		if (j >= n || s[j] != '/')
			return 0;
		j++;
		size_t y = j;
		while (y < n && kb__digit(s[y]))
			y++;
		if (y - j == 4 && y < n && s[y] == '/')
			j = y + 1;
		else if (y > j)
			return 0; /* a date such as 15/6/2020 */
	}
	/* code segments: a capital, then [A-ZĐ0-9]*, joined by "-"; "TTg" too */
	size_t seg_start = j, len;
	bool any = false;
	for (;;) {
		size_t k = j;
		if (kb__starts(s + k, n - k, "TTg")) {
			k += 3;
		} else if (k < n && kb__digit(s[k]) && !any) {
			break;
		} else {
			while (k < n && code_char(s + k, n - k, &len))
				k += len;
		}
		if (k == j)
			break;
		any = true;
		seg_start = j;
		j = k;
		if (j + 1 < n && s[j] == '-' && code_char(s + j + 1, n - j - 1, &len))
			j++;
		else
			break;
	}
	if (!any)
		return 0;
	size_t k = known_code(s + seg_start, j - seg_start);
	if (j < n && s[j] == ' ' && k && k < j - seg_start) {
		j = seg_start + k; /* "TT-BCAQUY ĐỊNH": an upper-case title follows */
	} else if (j < n && !separator(s[j])) {
		/* glued to what follows: cut at a known issuer code, else guess */
		if (k) {
			j = seg_start + k;
		} else if (s[j] == '/') {
			size_t d = j;
			while (d > seg_start && kb__digit(s[d - 1]))
				d--;
			if (j - d > 2)
				j = d + 2;
		} else if (kb__lower_at(s + j, n - j) && j > seg_start + 1) {
			j--; /* "XYZLuật": the capital opens the title */
		}
	}
	*glued = j >= n || kb__digit(s[j]) || kb__upper_at(s + j, n - j) || s[j] == '(' ||
		 s[j] == '"';
	return j;
}

static void add_legal(struct kb_procedure *p, const char *t, size_t tn, const char *num, size_t nn)
{
	struct kb_legal *l = kb_procedure_add_legal(p);
	l->title = kb__dup_trim(t, tn);
	l->number = kb__dup_trim(num, nn);
}

/* No <title><number> pairs: take the numbers cited in running text. */
static void legal_prose(struct kb_procedure *p, const char *s, size_t n)
{
	size_t found = 0;
	for (size_t i = 0; i < n; i++) {
		bool glued;
		if (!(kb__digit(s[i]) || s[i] == 'Q') || (i > 0 && kb__digit(s[i - 1])))
			continue;
		size_t e = number_at(s, n, i, &glued);
		if (!e)
			continue;
		struct kb_legal *l = kb_procedure_add_legal(p);
		l->number = td_strndup(s + i, e - i);
		found++;
		i = e - 1;
	}
	if (found)
		kb__warn(p, "legal.numbers_in_text",
			 "can_cu_phap_ly: not a table; %zu numbers taken from the text", found);
	else
		kb__warn(p, "legal.no_number", "can_cu_phap_ly: no document number in '%.*s'",
			 kb__snip(s, n, 80), s);
}

td_err kb_national_parse_legal(struct kb_procedure *p, const char *text)
{
	if (!p || !text)
		return TD_ERR_INVAL;
	const char *s = text;
	size_t n = strlen(text);
	kb__trim(&s, &n);
	if (kb__absent(s, n))
		return TD_OK;
	if (kb__starts(s, n, LEGAL_HEADER)) {
		s += strlen(LEGAL_HEADER);
		n -= strlen(LEGAL_HEADER);
	} else {
		kb__warn(p, "legal.no_header", "can_cu_phap_ly: table header missing");
	}
	/* the crawler sometimes appended the next page block */
	const char *debris = kb__find(s, n, "Cơ quan thực hiện");
	if (debris && debris > s && debris[-1] != ' ') {
		kb__warn(p, "legal.debris", "can_cu_phap_ly: page text from 'Cơ quan thực hiện' on ignored");
		n = (size_t)(debris - s);
	}
	size_t title = 0, after = 0; /* after: end of the last number seen */
	for (size_t i = 0; i < n; i++) {
		bool glued = false;
		if (!(kb__digit(s[i]) || s[i] == 'Q') || (i > 0 && i != after && kb__digit(s[i - 1])))
			continue;
		size_t e = number_at(s, n, i, &glued);
		if (!e)
			continue;
		size_t start = i;
		/* "năm 2011" glued to "02/2011/QH13": the year belongs to the title */
		size_t run = 0;
		while (start + run < n && kb__digit(s[start + run]))
			run++;
		if (run > 4 && (kb__starts(s + start, n - start, "19") ||
				kb__starts(s + start, n - start, "20"))) {
			start += 4;
			e = number_at(s, n, start, &glued);
			if (!e)
				continue;
		}
		after = e;
		if (!glued || start == title) {
			i = e - 1;
			continue;
		}
		/* the same number repeated right after: this one is in the title */
		size_t nl = e - start;
		if (e + nl <= n && memcmp(s + e, s + start, nl) == 0) {
			i = e - 1;
			continue;
		}
		add_legal(p, s + title, start - title, s + start, nl);
		title = e;
		i = e - 1;
	}
	if (title < n) {
		const char *r = s + title;
		size_t rn = n - title;
		kb__trim(&r, &rn);
		if (rn && p->n_legal == 0 && !kb__absent(r, rn)) {
			legal_prose(p, r, rn);
		} else if (rn && !kb__absent(r, rn)) {
			kb__warn(p, "legal.leftover", "can_cu_phap_ly: text after the last number: '%.*s'",
				 kb__snip(r, rn, 80), r);
		}
	}
	return TD_OK;
}
