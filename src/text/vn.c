/*
 * vn.c - NFC normalisation and the two comparison keys (accented, folded).
 *
 * How a key is built.  One pass over the input splits it into words (runs
 * of letters and marks), separators (collapsed to one space) and other
 * characters (copied).  Letters of ASCII and of the Latin ranges U+00A0–U+024F
 * and U+1E00–U+1EFF are looked up in a table built once from utf8proc: the
 * case-folded code point, its ASCII base for the folded key, and for the 146
 * Vietnamese letters (73 in each case) their "unit" (one of 33 letters a–z, đ ă â ê ô ơ ư plus
 * one of 6 tones).  A word made only of Vietnamese units and no longer than a
 * syllable goes through syllable_fix(), which moves the tone mark to its
 * canonical vowel and applies the i/y rule; it is then written out from the
 * units.  This path allocates nothing and calls no library function per
 * character.
 *
 * Anything the table does not cover (other scripts, combining marks as in
 * "tổ hợp" input, ignorables, full-width forms, invalid bytes in lossy mode)
 * makes the pass stop; the whole string is then run once through utf8proc
 * (decompose + case fold [+ strip marks] + compose, with key_map() for
 * full-width forms and dashes) into one scratch buffer, and the same pass runs
 * over that, now treating unknown characters by their Unicode category.
 *
 * Tone placement (see docs/internals/text.md): the "new" style, mark on the
 * main vowel.  With a vowel carrying a hat, breve or horn the mark goes on it
 * (the last one for ươ); three vowels: the middle one; two vowels: the second
 * when a final consonant follows or the pair is oa, oe, uy (hoà, khoẻ, thuý),
 * else the first (mùa, hai, kìa); "qu" and "gi" before a vowel are consonants.
 */
#include "text/vn.h"

#include <pthread.h>
#include <stdint.h>
#include <string.h>
#include <utf8proc.h>

#include "base/alloc.h"
#include "text/vn_int.h"
#include "base/banned.h"

/* ---- letters, vowels and tones ------------------------------------------ */

/* Letter codes of syllable units: 0..25 are a..z, then these. */
enum { L_DD = 26, L_AW, L_AA, L_EE, L_OO, L_OW, L_UW, L_COUNT };

/* Syllables are at most 7 letters (nghiêng); longer words are not syllables. */
#define SYL_MAX 8

/* The 12 vowels a ă â e ê i o ô ơ u ư y, lower case, by tone: none, huyền
 * (grave), sắc (acute), hỏi (hook), ngã (tilde), nặng (dot below). */
static const uint16_t vowel_cp[12][6] = {
	{ 0x0061, 0x00E0, 0x00E1, 0x1EA3, 0x00E3, 0x1EA1 }, /* a */
	{ 0x0103, 0x1EB1, 0x1EAF, 0x1EB3, 0x1EB5, 0x1EB7 }, /* ă */
	{ 0x00E2, 0x1EA7, 0x1EA5, 0x1EA9, 0x1EAB, 0x1EAD }, /* â */
	{ 0x0065, 0x00E8, 0x00E9, 0x1EBB, 0x1EBD, 0x1EB9 }, /* e */
	{ 0x00EA, 0x1EC1, 0x1EBF, 0x1EC3, 0x1EC5, 0x1EC7 }, /* ê */
	{ 0x0069, 0x00EC, 0x00ED, 0x1EC9, 0x0129, 0x1ECB }, /* i */
	{ 0x006F, 0x00F2, 0x00F3, 0x1ECF, 0x00F5, 0x1ECD }, /* o */
	{ 0x00F4, 0x1ED3, 0x1ED1, 0x1ED5, 0x1ED7, 0x1ED9 }, /* ô */
	{ 0x01A1, 0x1EDD, 0x1EDB, 0x1EDF, 0x1EE1, 0x1EE3 }, /* ơ */
	{ 0x0075, 0x00F9, 0x00FA, 0x1EE7, 0x0169, 0x1EE5 }, /* u */
	{ 0x01B0, 0x1EEB, 0x1EE9, 0x1EED, 0x1EEF, 0x1EF1 }, /* ư */
	{ 0x0079, 0x1EF3, 0x00FD, 0x1EF7, 0x1EF9, 0x1EF5 }, /* y */
};
static const uint8_t vowel_letter[12] = {
	'a' - 'a', L_AW, L_AA, 'e' - 'a', L_EE, 'i' - 'a',
	'o' - 'a', L_OO, L_OW, 'u' - 'a', L_UW, 'y' - 'a',
};
static const char letter_ascii[L_COUNT + 1] = "abcdefghijklmnopqrstuvwxyz" "daaeoou";

struct unit {
	uint8_t letter; /* L_* code */
	uint8_t tone;   /* 0..5, vowels only */
};

/* ---- the character table ------------------------------------------------ */

#define C_SLOW 4 /* not handled by the table: take the utf8proc path */
#define FOLD_SLOW 0xFF /* marks on a non-ASCII base: utf8proc strips them */

struct cpinfo {
	uint16_t lower; /* case-folded, NFC, one code point */
	uint8_t cls;    /* enum vn__class, or C_SLOW */
	uint8_t unit;   /* Vietnamese letter code + 1, 0 if not one */
	uint8_t tone;
	uint8_t fold;   /* folded key: ASCII letter; 0: lower as is; FOLD_SLOW */
	uint8_t nfc;    /* the code point is NFC and composes with nothing here */
};

#define TAB_A0 0x00A0u
#define TAB_A1 0x0250u /* exclusive */
#define TAB_B0 0x1E00u
#define TAB_B1 0x1F00u
#define TAB_N ((TAB_A1 - TAB_A0) + (TAB_B1 - TAB_B0))

static struct cpinfo tab[TAB_N];
static int8_t letter_vowel[L_COUNT];
static uint8_t ascii_cls[128];
static pthread_once_t tab_once = PTHREAD_ONCE_INIT;

static inline const struct cpinfo *cpinfo(uint32_t cp)
{
	if (cp - TAB_A0 < TAB_A1 - TAB_A0)
		return &tab[cp - TAB_A0];
	if (cp - TAB_B0 < TAB_B1 - TAB_B0)
		return &tab[(TAB_A1 - TAB_A0) + cp - TAB_B0];
	return NULL;
}

static bool is_letter_cat(utf8proc_category_t c)
{
	return c >= UTF8PROC_CATEGORY_LU && c <= UTF8PROC_CATEGORY_ME;
}

/* Class by Unicode category, for code points the table does not cover. */
static enum vn__class class_of_cat(uint32_t cp)
{
	if (cp == 0xFFFD || cp == 0x85)
		return VN__SPACE;
	utf8proc_category_t c = utf8proc_category((utf8proc_int32_t)cp);
	if (is_letter_cat(c))
		return VN__LETTER;
	if (c == UTF8PROC_CATEGORY_ND)
		return VN__DIGIT;
	if (c == UTF8PROC_CATEGORY_ZS || c == UTF8PROC_CATEGORY_ZL ||
	    c == UTF8PROC_CATEGORY_ZP || c == UTF8PROC_CATEGORY_CC)
		return VN__SPACE;
	return VN__OTHER;
}

static utf8proc_int32_t key_map(utf8proc_int32_t cp, void *data);

/*
 * Outside the table: true if NFC (and, with fold, case folding, ignorables,
 * mark stripping and key_map) provably leave cp alone whatever surrounds it:
 * no canonical decomposition, combining class 0, never the second half of a
 * composition, no Hangul.  Curly quotes, bullets, CJK, Greek and Cyrillic
 * lower case take this path instead of the utf8proc one.
 */
static bool passes_through(uint32_t cp, bool fold)
{
	if (cp >= 0x1100 && cp <= 0x11FF) /* Hangul jamo compose by algorithm */
		return false;
	if (cp >= 0xAC00 && cp <= 0xD7A3)
		return false;
	const utf8proc_property_t *p = utf8proc_get_property((utf8proc_int32_t)cp);
	if (p->combining_class != 0 || p->category == UTF8PROC_CATEGORY_CN ||
	    (p->category >= UTF8PROC_CATEGORY_MN && p->category <= UTF8PROC_CATEGORY_ME))
		return false;
	if (p->decomp_seqindex != UINT16_MAX && p->decomp_type == 0)
		return false;
	if (p->comb_index != UINT16_MAX && p->comb_index >= 0x8000)
		return false;
	if (fold && (p->casefold_seqindex != UINT16_MAX || p->ignorable ||
		     key_map((utf8proc_int32_t)cp, NULL) != (utf8proc_int32_t)cp))
		return false;
	return true;
}

/* True if cp alone is unchanged by NFC. */
static bool nfc_stable(utf8proc_int32_t cp)
{
	utf8proc_int32_t buf[8];
	int bc = 0;
	utf8proc_ssize_t r = utf8proc_decompose_char(cp, buf, 8, UTF8PROC_DECOMPOSE, &bc);
	if (r < 1 || r > 8)
		return false;
	r = utf8proc_normalize_utf32(buf, r, UTF8PROC_COMPOSE | UTF8PROC_STABLE);
	return r == 1 && buf[0] == cp;
}

static void build_entry(struct cpinfo *ci, uint32_t cp)
{
	utf8proc_int32_t buf[8];
	int bc = 0;

	memset(ci, 0, sizeof *ci);
	ci->lower = (uint16_t)cp;
	ci->cls = C_SLOW;
	ci->nfc = nfc_stable((utf8proc_int32_t)cp) &&
		  utf8proc_category((utf8proc_int32_t)cp) != UTF8PROC_CATEGORY_CN;
	utf8proc_ssize_t r = utf8proc_decompose_char((utf8proc_int32_t)cp, buf, 8,
						     UTF8PROC_CASEFOLD | UTF8PROC_IGNORE, &bc);
	if (!ci->nfc || r != 1 || buf[0] > 0xFFFF || !nfc_stable(buf[0]))
		return;
	uint32_t lower = (uint32_t)buf[0];
	utf8proc_category_t cat = utf8proc_category((utf8proc_int32_t)lower);
	if (cat == UTF8PROC_CATEGORY_CN || cat == UTF8PROC_CATEGORY_CF ||
	    cat == UTF8PROC_CATEGORY_CO || cat == UTF8PROC_CATEGORY_CS ||
	    (cat >= UTF8PROC_CATEGORY_MN && cat <= UTF8PROC_CATEGORY_ME))
		return;
	ci->lower = (uint16_t)lower;
	ci->cls = (uint8_t)class_of_cat(lower);

	if (lower >= 'a' && lower <= 'z') { /* ſ → s */
		ci->unit = (uint8_t)(lower - 'a' + 1);
		ci->fold = (uint8_t)lower;
		return;
	}
	if (lower == 0x0111) { /* đ has no decomposition: mapped by hand */
		ci->unit = L_DD + 1;
		ci->fold = 'd';
		return;
	}
	for (int v = 0; v < 12; v++)
		for (int t = 0; t < 6; t++)
			if (vowel_cp[v][t] == lower) {
				ci->unit = (uint8_t)(vowel_letter[v] + 1);
				ci->tone = (uint8_t)t;
				ci->fold = (uint8_t)letter_ascii[vowel_letter[v]];
				return;
			}
	/* Other Latin letters: fold to the ASCII base when the rest are marks;
	 * a mark on a non-ASCII base (ǯ) is left to utf8proc. */
	r = utf8proc_decompose_char((utf8proc_int32_t)lower, buf, 8, UTF8PROC_DECOMPOSE, &bc);
	if (r < 2 || r > 8)
		return;
	ci->fold = FOLD_SLOW;
	if (buf[0] < 'a' || buf[0] > 'z')
		return;
	for (utf8proc_ssize_t i = 1; i < r; i++) {
		utf8proc_category_t mc = utf8proc_category(buf[i]);
		if (mc < UTF8PROC_CATEGORY_MN || mc > UTF8PROC_CATEGORY_ME)
			return;
	}
	ci->fold = (uint8_t)buf[0];
}

static void build_tables(void)
{
	for (int l = 0; l < L_COUNT; l++)
		letter_vowel[l] = -1;
	for (int v = 0; v < 12; v++)
		letter_vowel[vowel_letter[v]] = (int8_t)v;
	for (int c = 0; c < 128; c++) {
		if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'))
			ascii_cls[c] = VN__LETTER;
		else if (c >= '0' && c <= '9')
			ascii_cls[c] = VN__DIGIT;
		else if (c <= ' ' || c == 0x7F)
			ascii_cls[c] = VN__SPACE;
		else
			ascii_cls[c] = VN__OTHER;
	}
	for (uint32_t cp = TAB_A0; cp < TAB_A1; cp++)
		build_entry(&tab[cp - TAB_A0], cp);
	for (uint32_t cp = TAB_B0; cp < TAB_B1; cp++)
		build_entry(&tab[(TAB_A1 - TAB_A0) + cp - TAB_B0], cp);
}

static inline void tables_ready(void)
{
	pthread_once(&tab_once, build_tables);
}

enum vn__class vn__classify(uint32_t cp)
{
	tables_ready();
	if (cp < 0x80)
		return (enum vn__class)ascii_cls[cp];
	const struct cpinfo *ci = cpinfo(cp);
	if (ci && ci->cls != C_SLOW)
		return (enum vn__class)ci->cls;
	return class_of_cat(cp);
}

/* ---- UTF-8 helpers ------------------------------------------------------ */

bool vn_utf8_valid(const char *s, size_t n)
{
	/* Validation only (no code point is built): every answer is checked
	 * on its way out, and Vietnamese has a multi-byte letter every few
	 * bytes.  Accepts exactly what vn__utf8_decode accepts (RFC 3629:
	 * no overlongs, no surrogates, nothing past U+10FFFF). */
	const unsigned char *p = (const unsigned char *)s, *e = p + n;
	while (p < e) {
		/* Skip ASCII eight bytes at a time. */
		while (e - p >= 8) {
			uint64_t w;
			memcpy(&w, p, 8);
			if (w & UINT64_C(0x8080808080808080))
				break;
			p += 8;
		}
		if (p >= e)
			break;
		unsigned c = *p;
		if (c < 0x80) {
			p++;
		} else if (c < 0xC2) {
			return false;
		} else if (c < 0xE0) {
			if (e - p < 2 || (p[1] & 0xC0) != 0x80)
				return false;
			p += 2;
		} else if (c < 0xF0) {
			if (e - p < 3 || (p[1] & 0xC0) != 0x80 || (p[2] & 0xC0) != 0x80 ||
			    (c == 0xE0 && p[1] < 0xA0) || (c == 0xED && p[1] > 0x9F))
				return false;
			p += 3;
		} else if (c < 0xF5) {
			if (e - p < 4 || (p[1] & 0xC0) != 0x80 || (p[2] & 0xC0) != 0x80 ||
			    (p[3] & 0xC0) != 0x80 || (c == 0xF0 && p[1] < 0x90) ||
			    (c == 0xF4 && p[1] > 0x8F))
				return false;
			p += 4;
		} else {
			return false;
		}
	}
	return true;
}

/* Copy s to out with each maximal ill-formed subpart replaced by U+FFFD. */
static void utf8_sanitize(struct td_buf *out, const unsigned char *s, size_t n)
{
	size_t i = 0, run = 0;
	while (i < n) {
		uint32_t cp;
		size_t bad = 0;
		size_t len = vn__utf8_decode(s + i, n - i, &cp, &bad);
		if (len) {
			i += len;
			continue;
		}
		td_buf_add(out, s + run, i - run);
		td_buf_add(out, "\xEF\xBF\xBD", 3);
		i += bad;
		run = i;
	}
	td_buf_add(out, s + run, n - run);
}

/* ---- the output writer -------------------------------------------------- */

/* Bytes are staged in a chunk and appended to the td_buf in blocks, so the
 * per-character cost is a store, not a function call. */
struct writer {
	struct td_buf *b;
	size_t n;
	bool space; /* a separator is pending */
	bool any;   /* something was written */
	unsigned char chunk[1024];
};

static void w_flush(struct writer *w)
{
	td_buf_add(w->b, w->chunk, w->n);
	w->n = 0;
}

static inline void w_room(struct writer *w, size_t k)
{
	if (w->n + k > sizeof w->chunk)
		w_flush(w);
}

static inline void w_byte(struct writer *w, unsigned char c)
{
	w_room(w, 1);
	w->chunk[w->n++] = c;
}

static inline void w_cp(struct writer *w, uint32_t cp)
{
	w_room(w, 4);
	w->n += vn__utf8_encode(cp, w->chunk + w->n);
}

/* Before a word or a character: write the pending separator. */
static inline void w_start(struct writer *w)
{
	if (w->space) {
		w_byte(w, ' ');
		w->space = false;
	}
	w->any = true;
}

static inline void w_sep(struct writer *w)
{
	w->space = w->any;
}

/* ---- syllables ---------------------------------------------------------- */

static inline bool is_vowel(uint8_t l)
{
	return letter_vowel[l] >= 0;
}

static inline bool has_hat(uint8_t l)
{
	return l >= L_AW; /* ă â ê ô ơ ư */
}

static inline bool is_letter(const struct unit *u, char c)
{
	return u->letter == (uint8_t)(c - 'a');
}

/*
 * Canonical form of one syllable, in place: the tone mark moves to the vowel
 * the new-style rules pick, and a lone i/y after h k l m s t or qu (open
 * syllable) becomes y: the letters after which both spellings are in use
 * (hi/hy, kĩ/kỹ, lí/lý, mĩ/mỹ, sĩ/sỹ, ti/ty, qui/quy).  Words that do not look like one Vietnamese syllable
 * (no vowel, two vowel groups, two tone marks, four vowels) are left alone.
 */
static void syllable_fix(struct unit *u, size_t n)
{
	size_t vs = 0;
	while (vs < n && !is_vowel(u[vs].letter))
		vs++;
	if (vs == n)
		return;
	/* "qu" and "gi" followed by a vowel: the u / i belongs to the onset. */
	if (vs == 1 && vs + 1 < n && is_vowel(u[vs + 1].letter) &&
	    ((is_letter(&u[0], 'q') && is_letter(&u[1], 'u')) ||
	     (is_letter(&u[0], 'g') && is_letter(&u[1], 'i'))))
		vs = 2;
	size_t ve = vs;
	while (ve < n && is_vowel(u[ve].letter))
		ve++;
	for (size_t k = ve; k < n; k++)
		if (is_vowel(u[k].letter))
			return;
	size_t nv = ve - vs;
	bool coda = ve < n;

	/* i/y: kĩ/kỹ, lí/lý, qui/quy, công ti/công ty → y. */
	if (nv == 1 && !coda && (is_letter(&u[vs], 'i') || is_letter(&u[vs], 'y'))) {
		bool onset = false;
		if (vs == 1) {
			uint8_t c = u[0].letter;
			onset = c == 'h' - 'a' || c == 'k' - 'a' || c == 'l' - 'a' ||
				c == 'm' - 'a' || c == 's' - 'a' || c == 't' - 'a';
		} else if (vs == 2) {
			onset = is_letter(&u[0], 'q') && is_letter(&u[1], 'u');
		}
		if (onset)
			u[vs].letter = 'y' - 'a';
	}

	size_t tpos = n, ntones = 0;
	for (size_t k = 0; k < n; k++)
		if (u[k].tone) {
			ntones++;
			tpos = k;
		}
	if (ntones != 1 || nv > 3)
		return;

	size_t target = vs;
	size_t hat = n;
	for (size_t k = vs; k < ve; k++)
		if (has_hat(u[k].letter))
			hat = k;
	if (hat < n) {
		target = hat;
	} else if (nv == 3) {
		target = vs + 1;
	} else if (nv == 2) {
		const struct unit *a = &u[vs], *b = &u[vs + 1];
		bool newstyle = (is_letter(a, 'o') && (is_letter(b, 'a') || is_letter(b, 'e'))) ||
				(is_letter(a, 'u') && is_letter(b, 'y'));
		if (coda || newstyle)
			target = vs + 1;
	}
	if (target != tpos) {
		u[target].tone = u[tpos].tone;
		u[tpos].tone = 0;
	}
}

/*
 * Decomposed ("tổ hợp") input: a combining tone or hat mark right after a
 * Vietnamese letter is merged into its unit.  Only the orders in which NFC
 * gives the same letter are accepted (a hat before the tone, at most one of
 * each, on a base that takes it); anything else returns false and the caller
 * takes the utf8proc path.  Real records contain thousands of these marks.
 */
static bool merge_mark(struct unit *u, uint32_t cp)
{
	static const struct {
		uint16_t cp;
		uint8_t tone;
	} tones[] = { { 0x0300, 1 }, { 0x0301, 2 }, { 0x0309, 3 }, { 0x0303, 4 }, { 0x0323, 5 } };
	for (size_t i = 0; i < sizeof tones / sizeof tones[0]; i++)
		if (cp == tones[i].cp) {
			if (!is_vowel(u->letter) || u->tone)
				return false;
			u->tone = tones[i].tone;
			return true;
		}
	if (u->tone)
		return false;
	uint8_t l = u->letter, to;
	if (cp == 0x0302 && l == 'a' - 'a')
		to = L_AA;
	else if (cp == 0x0302 && l == 'e' - 'a')
		to = L_EE;
	else if (cp == 0x0302 && l == 'o' - 'a')
		to = L_OO;
	else if (cp == 0x0306 && l == 'a' - 'a')
		to = L_AW;
	else if (cp == 0x031B && l == 'o' - 'a')
		to = L_OW;
	else if (cp == 0x031B && l == 'u' - 'a')
		to = L_UW;
	else
		return false;
	u->letter = to;
	return true;
}

static void emit_units(struct writer *w, const struct unit *u, size_t n, bool folded)
{
	for (size_t k = 0; k < n; k++) {
		uint8_t l = u[k].letter;
		if (folded) {
			w_byte(w, (unsigned char)letter_ascii[l]);
			continue;
		}
		int v = letter_vowel[l];
		if (v >= 0)
			w_cp(w, vowel_cp[v][u[k].tone]);
		else if (l == L_DD)
			w_cp(w, 0x0111);
		else
			w_byte(w, (unsigned char)('a' + l));
	}
}

/* One character outside a syllable: its case-folded (and folded) form. */
static void emit_cp(struct writer *w, uint32_t cp, bool folded)
{
	if (cp < 0x80) {
		w_byte(w, (unsigned char)(cp >= 'A' && cp <= 'Z' ? cp + 32 : cp));
		return;
	}
	const struct cpinfo *ci = cpinfo(cp);
	if (ci && ci->cls != C_SLOW) {
		if (folded && ci->fold && ci->fold != FOLD_SLOW)
			w_byte(w, ci->fold);
		else
			w_cp(w, ci->lower);
		return;
	}
	w_cp(w, cp); /* prepared input: already folded by utf8proc */
}

enum { PASS_OK = 0, PASS_SLOW = 1 };

/*
 * The key pass over s[0..n).  With prepared false the input is the caller's
 * and anything the table does not cover returns PASS_SLOW; with prepared true
 * it is utf8proc's valid, NFC, case-folded output and everything is handled.
 */
static int key_pass(struct writer *w, const unsigned char *s, size_t n, bool folded,
		    bool prepared)
{
	size_t i = 0;
	while (i < n) {
		unsigned char c = s[i];
		uint32_t cp = c;
		size_t len = 1, bad;
		const struct cpinfo *ci = NULL;
		int cls;

		if (c < 0x80) {
			cls = ascii_cls[c];
		} else {
			len = vn__utf8_decode(s + i, n - i, &cp, &bad);
			if (!len) {
				if (!prepared)
					return PASS_SLOW;
				len = bad; /* cannot happen: utf8proc output is valid */
				w_sep(w);
				i += len;
				continue;
			}
			ci = cpinfo(cp);
			cls = ci ? ci->cls : C_SLOW;
			if (folded && ci && ci->fold == FOLD_SLOW)
				cls = C_SLOW;
			if (cls == C_SLOW) {
				if (!prepared && (ci || !passes_through(cp, true)))
					return PASS_SLOW;
				cls = class_of_cat(cp);
			}
		}
		if (cls == VN__SPACE) {
			w_sep(w);
			i += len;
			continue;
		}
		if (cls != VN__LETTER) {
			w_start(w);
			emit_cp(w, cp, folded);
			i += len;
			continue;
		}

		/* A word: find its extent and its units. */
		struct unit u[SYL_MAX];
		size_t nu = 0, j = i;
		bool vn = true, ascii = true, merged = false;
		while (j < n) {
			c = s[j];
			if (c < 0x80) {
				if (ascii_cls[c] != VN__LETTER)
					break;
				if (nu < SYL_MAX) {
					u[nu].letter = (uint8_t)((c | 0x20) - 'a');
					u[nu].tone = 0;
				}
				nu++;
				j++;
				continue;
			}
			ascii = false;
			len = vn__utf8_decode(s + j, n - j, &cp, &bad);
			if (!len) {
				if (!prepared)
					return PASS_SLOW;
				break;
			}
			if (!prepared && cp >= 0x0300 && cp <= 0x0323) {
				/* A combining mark on the previous letter. */
				if (!vn || nu == 0 || nu > SYL_MAX || !merge_mark(&u[nu - 1], cp))
					return PASS_SLOW;
				merged = true;
				j += len;
				continue;
			}
			ci = cpinfo(cp);
			cls = ci ? ci->cls : C_SLOW;
			if (folded && ci && ci->fold == FOLD_SLOW)
				cls = C_SLOW;
			if (cls == C_SLOW) {
				if (!prepared && (ci || !passes_through(cp, true)))
					return PASS_SLOW;
				cls = class_of_cat(cp);
			}
			if (cls != VN__LETTER)
				break;
			if (ci && ci->cls != C_SLOW && ci->unit) {
				if (nu < SYL_MAX) {
					u[nu].letter = (uint8_t)(ci->unit - 1);
					u[nu].tone = ci->tone;
				}
				nu++;
			} else if (folded && ci && ci->fold >= 'a' && ci->fold <= 'z') {
				/* ç, ť...: plain letters once folded, so the
				 * syllable rules must see them as such. */
				if (nu < SYL_MAX) {
					u[nu].letter = (uint8_t)(ci->fold - 'a');
					u[nu].tone = 0;
				}
				nu++;
			} else {
				vn = false;
			}
			j += len;
		}

		/* Merged marks live only in the units: a word that is not written
		 * from its units must go through utf8proc. */
		if (merged && (!vn || nu > SYL_MAX))
			return PASS_SLOW;
		w_start(w);
		if (vn && nu <= SYL_MAX && (!ascii || nu == 2 || nu == 3)) {
			syllable_fix(u, nu);
			emit_units(w, u, nu, folded);
		} else if (ascii) {
			w_room(w, j - i);
			if (j - i > sizeof w->chunk) {
				/* A very long ASCII word: lower-case it through the chunk. */
				for (size_t k = i; k < j; k++)
					w_byte(w, (unsigned char)(s[k] | 0x20));
			} else {
				for (size_t k = i; k < j; k++)
					w->chunk[w->n++] = (unsigned char)(s[k] | 0x20);
			}
		} else {
			for (size_t k = i; k < j; k += len) {
				len = vn__utf8_decode(s + k, j - k, &cp, &bad);
				emit_cp(w, cp, folded);
			}
		}
		i = j;
	}
	return PASS_OK;
}

/* ---- the utf8proc path -------------------------------------------------- */

/* Applied to every code point before decomposition, for keys only. */
static utf8proc_int32_t key_map(utf8proc_int32_t cp, void *data)
{
	(void)data;
	if (cp >= 0xFF01 && cp <= 0xFF5E) /* full-width ASCII */
		return cp - 0xFEE0;
	if (cp == 0xFFFD || cp == 0x3000)
		return ' ';
	if (cp == 0x0345) /* the one mark that case-folds to a letter (ι): fold */
		return 0x03B9; /* first, so that stripping marks cannot drop it */
	if ((cp >= 0x2010 && cp <= 0x2015) || cp == 0x2212 || cp == 0xFE58 || cp == 0xFE63)
		return '-';
	return cp;
}

/*
 * Run s through utf8proc with opts (map applied first).  On success *res is
 * the UTF-8 result: either stack (when it fits in small, 256 code points) or
 * a heap block in *heap that the caller frees with td_free.
 */
static td_err utf8proc_pass(const unsigned char *s, size_t n, unsigned flags,
			    utf8proc_option_t opts, utf8proc_custom_func map,
			    utf8proc_int32_t *small, size_t nsmall, utf8proc_int32_t **heap,
			    const unsigned char **res, size_t *reslen)
{
	struct td_buf clean;
	td_err err = TD_OK;

	*heap = NULL;
	td_buf_init(&clean, 3 * n + 16);
	if (!vn_utf8_valid((const char *)s, n)) {
		if (!(flags & VN_LOSSY))
			return TD_ERR_UTF8;
		utf8_sanitize(&clean, s, n);
		if (td_buf_error(&clean)) {
			err = td_buf_error(&clean);
			goto fail_clean;
		}
		s = (const unsigned char *)clean.data;
		n = clean.len;
	}
	utf8proc_int32_t *buf = small;
	utf8proc_ssize_t cnt = utf8proc_decompose_custom(s, (utf8proc_ssize_t)n, buf,
							 (utf8proc_ssize_t)nsmall - 1, opts, map, NULL);
	if (cnt < 0) {
		err = TD_ERR_UTF8;
		goto fail_clean;
	}
	if ((size_t)cnt > nsmall - 1) {
		*heap = td_reallocarray(NULL, (size_t)cnt + 1, sizeof **heap);
		buf = *heap;
		utf8proc_ssize_t again = utf8proc_decompose_custom(s, (utf8proc_ssize_t)n, buf, cnt,
								   opts, map, NULL);
		if (again != cnt) {
			err = TD_ERR_INTERNAL;
			goto fail_heap;
		}
	}
	utf8proc_ssize_t bytes = utf8proc_reencode(buf, cnt, opts);
	if (bytes < 0) {
		err = TD_ERR_INTERNAL;
		goto fail_heap;
	}
	*res = (const unsigned char *)buf;
	*reslen = (size_t)bytes;
	td_buf_release(&clean);
	return TD_OK;

fail_heap:
	td_free(*heap);
	*heap = NULL;
fail_clean:
	td_buf_release(&clean);
	return err;
}

/* ---- public ------------------------------------------------------------- */

static td_err key_build(struct td_buf *out, const char *s, size_t n, unsigned flags,
			bool folded)
{
	struct writer w;
	utf8proc_int32_t small[256], small2[256];
	utf8proc_int32_t *heap = NULL, *heap2 = NULL;
	const unsigned char *p;
	size_t plen;
	size_t start = out->len;
	td_err err;

	if (n > VN_INPUT_MAX)
		return TD_ERR_TOOBIG;
	if (td_buf_error(out))
		return td_buf_error(out);
	tables_ready();
	w.b = out;
	w.n = 0;
	w.space = false;
	w.any = false;
	if (key_pass(&w, (const unsigned char *)s, n, folded, false) == PASS_OK)
		goto done;

	/*
	 * Slow path: NFC first, then case fold (and strip marks) and compose
	 * again, and redo the pass over that.  utf8proc folds case before it
	 * orders marks, so folding the NFC form is what makes the key the same
	 * for canonically equivalent inputs (U+0345 is the case in point).
	 */
	utf8proc_option_t opts = UTF8PROC_STABLE | UTF8PROC_COMPOSE | UTF8PROC_CASEFOLD |
				 UTF8PROC_IGNORE;
	if (folded)
		opts |= UTF8PROC_STRIPMARK;
	err = utf8proc_pass((const unsigned char *)s, n, flags, UTF8PROC_STABLE | UTF8PROC_COMPOSE,
			    NULL, small, sizeof small / sizeof small[0], &heap, &p, &plen);
	if (err)
		goto fail;
	err = utf8proc_pass(p, plen, 0, opts, key_map, small2, sizeof small2 / sizeof small2[0],
			    &heap2, &p, &plen);
	if (err)
		goto fail_heap;
	w.n = 0;
	w.space = false;
	w.any = false;
	td_buf_truncate(out, start);
	key_pass(&w, p, plen, folded, true);
	td_free(heap2);
	td_free(heap);
done:
	w_flush(&w);
	err = td_buf_error(out);
	if (err)
		goto fail;
	return TD_OK;
fail_heap:
	td_free(heap);
fail:
	td_buf_truncate(out, start);
	return err;
}

td_err vn_fold_case(struct td_buf *out, const char *s, size_t n, unsigned flags)
{
	return key_build(out, s, n, flags, false);
}

td_err vn_fold(struct td_buf *out, const char *s, size_t n, unsigned flags)
{
	return key_build(out, s, n, flags, true);
}

td_err vn_normalize(struct td_buf *out, const char *s, size_t n, unsigned flags)
{
	const unsigned char *p = (const unsigned char *)s;
	utf8proc_int32_t small[256];
	utf8proc_int32_t *heap = NULL;
	size_t start = out->len;
	td_err err;

	if (n > VN_INPUT_MAX)
		return TD_ERR_TOOBIG;
	if (td_buf_error(out))
		return td_buf_error(out);
	tables_ready();

	/* Fast path: ASCII and table characters that NFC leaves alone. */
	size_t i = 0;
	while (i < n) {
		if (p[i] < 0x80) {
			i++;
			continue;
		}
		uint32_t cp;
		size_t bad;
		size_t len = vn__utf8_decode(p + i, n - i, &cp, &bad);
		if (!len)
			break;
		const struct cpinfo *ci = cpinfo(cp);
		if (ci ? !ci->nfc : !passes_through(cp, false))
			break;
		i += len;
	}
	if (i == n) {
		td_buf_add(out, s, n);
		goto done;
	}

	const unsigned char *res;
	size_t reslen;
	err = utf8proc_pass(p, n, flags, UTF8PROC_STABLE | UTF8PROC_COMPOSE, NULL, small,
			    sizeof small / sizeof small[0], &heap, &res, &reslen);
	if (err)
		return err;
	td_buf_add(out, res, reslen);
	td_free(heap);
done:
	err = td_buf_error(out);
	if (err)
		td_buf_truncate(out, start);
	return err;
}
