/*
 * dialog.c - what a conversation remembers between turns.
 *
 * A struct dialog is plain bytes (no pointers), so the lead's session store
 * can keep it as a blob: the procedure being discussed, the last aspect, and
 * the options of a pending clarification.  Picking an option understands
 * what people say on the phone and type in chat: "2", "số 2", "cái thứ hai",
 * "thứ nhất", "cái đầu", "cái cuối", "phương án 3".
 *
 * The blob (dialog_encode/dialog_decode) is versioned: version 1 was the
 * struct up to `turns`; version 2 adds the PAKN report draft, written only
 * while a report is under way and only up to its text's length, so a
 * session that never reports keeps a blob of the old size (the HTTP
 * session cache holds blobs of up to 256 bytes).
 */
#include <stdalign.h>
#include <stddef.h>
#include <string.h>

#include "answer/answer_int.h"

void dialog_init(struct dialog *d)
{
	memset(d, 0, sizeof *d);
	d->aspect = ANSWER_ASPECT_OVERVIEW;
}

void dialog_set_procedure(struct dialog *d, const char *code, enum answer_aspect aspect)
{
	answer__copy(d->procedure, sizeof d->procedure, code ? code : "");
	d->aspect = aspect;
	d->n_options = 0;
}

void dialog_set_options(struct dialog *d, const char *const *codes, size_t n)
{
	if (n > ANSWER_OPTIONS_MAX)
		n = ANSWER_OPTIONS_MAX;
	for (size_t i = 0; i < n; i++)
		answer__copy(d->options[i], sizeof d->options[i], codes[i] ? codes[i] : "");
	d->n_options = n;
}

static const char *const ordinal[ANSWER_OPTIONS_MAX] = {"nhat", "hai", "ba", "tu", "nam"};
static const char *const cardinal[ANSWER_OPTIONS_MAX] = {"mot", "hai", "ba", "bon", "nam"};

/* Words that may surround a pick without changing it. */
static bool pick_filler(const struct answer__tok *t)
{
	static const char *const w[] = {
		"cai", "so", "thu", "phuong", "an", "lua", "chon", "muc", "y", "thu tuc",
		"toi", "em", "minh", "chon", "la", "a", "da", "vang", "u", "oi", "nhe",
		"hoi", "ve", "di", "thi", "con", "cua", "tuc", "chi", "anh", "cho", "nhe",
		"o", "ben", "tren", "duoi", "dong", "option", "ok",
	};
	for (size_t i = 0; i < sizeof w / sizeof w[0]; i++)
		if (answer__tok_is(t, w[i]))
			return true;
	return false;
}

/* Yes to a confirmation question (one option offered). */
static bool confirm_word(const struct answer__tok *t)
{
	static const char *const w[] = {
		"dung", "phai", "co", "vang", "u", "uh", "ok", "oke", "chinh xac", "roi", "yes",
	};
	for (size_t i = 0; i < sizeof w / sizeof w[0]; i++)
		if (answer__tok_is(t, w[i]))
			return true;
	return false;
}

bool dialog_pick_option(const struct dialog *d, const char *folded, size_t n, size_t *index)
{
	if (!d || d->n_options == 0 || !folded)
		return false;
	struct answer__msg m;
	answer__msg_init(&m, folded, n);
	long pick = -1;
	bool other = false;
	for (size_t i = 0; i < m.ntok && !other; i++) {
		const struct answer__tok *t = &m.tok[i];
		long v = -1;
		if (t->cls == ANSWER__TOK_NUMBER && t->len == 1 && t->s[0] >= '1' &&
		    t->s[0] <= '5') {
			v = t->s[0] - '1';
		} else if (d->n_options == 1 && confirm_word(t)) {
			v = 0; /* "đúng rồi" to "Có phải anh/chị hỏi về …?" */
		} else {
			bool after_thu = i > 0 && answer__tok_is(&m.tok[i - 1], "thu");
			for (size_t k = 0; k < ANSWER_OPTIONS_MAX && v < 0; k++)
				if (answer__tok_is(t, cardinal[k]) ||
				    (after_thu && answer__tok_is(t, ordinal[k])))
					v = (long)k;
			if (v < 0 && (answer__tok_is(t, "dau") || answer__tok_is(t, "dau tien")))
				v = 0;
			if (v < 0 && answer__tok_is(t, "cuoi"))
				v = (long)d->n_options - 1;
			if (v < 0 && answer__tok_is(t, "tien") && i > 0 &&
			    answer__tok_is(&m.tok[i - 1], "dau"))
				continue;
		}
		if (v >= 0) {
			if (pick >= 0 && pick != v)
				other = true; /* two different numbers: not a pick */
			pick = v;
		} else if (!pick_filler(t)) {
			other = true; /* a real question, not a pick */
		}
	}
	answer__msg_release(&m);
	if (other || pick < 0 || (size_t)pick >= d->n_options)
		return false;
	*index = (size_t)pick;
	return true;
}

/* ---- the blob ------------------------------------------------------------ */

static const char blob_v1[4] = {'t', 'd', 'D', '1'};
static const char blob_v2[4] = {'t', 'd', 'D', '2'};
#define BASE_LEN offsetof(struct dialog, report)
#define REPORT_HEAD_LEN offsetof(struct dialog_report, text)
/* sizeof the version-1 struct: the base rounded up to its alignment. */
#define V1_LEN ((BASE_LEN + alignof(size_t) - 1) / alignof(size_t) * alignof(size_t))
_Static_assert(4 + BASE_LEN + REPORT_HEAD_LEN + DIALOG_REPORT_TEXT_MAX <= DIALOG_BLOB_MAX,
	       "a dialog with a full report must fit DIALOG_BLOB_MAX");

size_t dialog_encode(const struct dialog *d, unsigned char *out, size_t cap)
{
	const struct dialog_report *r = &d->report;
	size_t tl = r->state != DIALOG_REPORT_NONE && r->text_len <= DIALOG_REPORT_TEXT_MAX
			    ? r->text_len
			    : 0;
	size_t len = 4 + BASE_LEN + (r->state != DIALOG_REPORT_NONE ? REPORT_HEAD_LEN + tl : 0);
	if (len > cap)
		return 0;
	memcpy(out, blob_v2, 4);
	memcpy(out + 4, d, BASE_LEN);
	if (r->state != DIALOG_REPORT_NONE) {
		memcpy(out + 4 + BASE_LEN, r, REPORT_HEAD_LEN);
		memcpy(out + 4 + BASE_LEN + REPORT_HEAD_LEN, r->text, tl);
	}
	return len;
}

static void terminate(char *s, size_t cap)
{
	s[cap - 1] = '\0';
}

bool dialog_decode(struct dialog *d, const unsigned char *blob, size_t len)
{
	dialog_init(d);
	if (!blob || len < 4 + BASE_LEN)
		return false;
	bool v1 = memcmp(blob, blob_v1, 4) == 0 && len == 4 + V1_LEN;
	bool v2 = memcmp(blob, blob_v2, 4) == 0 &&
		  (len == 4 + BASE_LEN ||
		   (len >= 4 + BASE_LEN + REPORT_HEAD_LEN &&
		    len <= 4 + BASE_LEN + REPORT_HEAD_LEN + DIALOG_REPORT_TEXT_MAX));
	if (!v1 && !v2)
		return false;
	memcpy(d, blob + 4, BASE_LEN);
	terminate(d->procedure, sizeof d->procedure);
	if (d->n_options > ANSWER_OPTIONS_MAX)
		d->n_options = 0;
	for (size_t i = 0; i < ANSWER_OPTIONS_MAX; i++)
		terminate(d->options[i], sizeof d->options[i]);
	if ((unsigned)d->aspect >= ANSWER_ASPECT__COUNT)
		d->aspect = ANSWER_ASPECT_OVERVIEW;
	memset(&d->report, 0, sizeof d->report);
	if (v1 || len == 4 + BASE_LEN)
		return true;

	struct dialog_report *r = &d->report;
	memcpy(r, blob + 4 + BASE_LEN, REPORT_HEAD_LEN);
	size_t tl = len - 4 - BASE_LEN - REPORT_HEAD_LEN;
	if (r->state >= DIALOG_REPORT__NSTATE || r->text_len != tl ||
	    r->n_wards > DIALOG_REPORT_WARDS_MAX || r->ward_pick > r->n_wards) {
		memset(r, 0, sizeof *r); /* a damaged draft: drop it, keep the rest */
		return true;
	}
	memcpy(r->text, blob + 4 + BASE_LEN + REPORT_HEAD_LEN, tl);
	r->text[tl] = '\0';
	for (size_t i = 0; i < DIALOG_REPORT_WARDS_MAX; i++)
		terminate(r->wards[i], sizeof r->wards[i]);
	terminate(r->ward_name, sizeof r->ward_name);
	terminate(r->name, sizeof r->name);
	terminate(r->phone, sizeof r->phone);
	terminate(r->address, sizeof r->address);
	terminate(r->location, sizeof r->location);
	return true;
}
