/*
 * search_audience.c - who a procedure is for, and who is asking.
 *
 * Most people who call a city switchboard ask for themselves or their
 * family; most of the national catalogue is for businesses, organisations
 * and agencies (1,128 of the 2,642 national records list no individual
 * subject).  When a question speaks in the first person about personal
 * matters and names no organisation, a record that serves organisations
 * only is a worse answer than its score says, and the reverse holds more
 * weakly.  The markers are Vietnamese pronouns, kinship words and words for
 * organisations: grammar, not knowledge of any particular procedure.
 */
#include <string.h>

#include "base/alloc.h"
#include "search/search_int.h"
#include "text/vn.h"

#include "base/banned.h"

/* Folded substrings of a subject (Đối tượng thực hiện) that mean a person. */
static const char *const person_subjects[] = {
	"cong dan", "ca nhan", "nguoi viet nam", "nguoi nuoc ngoai", "ho gia dinh",
	"nguoi dan", "nguoi lao dong", "nguoi", NULL,
};
/* ... and an organisation (officials act for their agency). */
static const char *const org_subjects[] = {
	"doanh nghiep", "to chuc", "hop tac xa", "htx", "co quan", "can bo", "cong chuc",
	"vien chuc", "dang vien", "don vi", NULL,
};

static bool contains_any(const char *s, const char *const *needles)
{
	for (const char *const *n = needles; *n; n++)
		if (strstr(s, *n))
			return true;
	return false;
}

uint8_t search__doc_audience(const struct kb_procedure *p)
{
	uint8_t a = 0;
	struct td_buf b;
	td_buf_init(&b, 1 << 16);
	for (size_t i = 0; i < p->subjects.n; i++) {
		td_buf_clear(&b);
		const char *s = p->subjects.items[i];
		if (vn_fold(&b, s, strlen(s), VN_LOSSY) != TD_OK || !b.data)
			continue;
		/* "Tổ chức (không bao gồm doanh nghiệp, HTX)" is split by the
		 * importer at the comma: both halves say organisation. */
		if (contains_any(b.data, org_subjects))
			a |= SEARCH__AUD_ORG;
		else if (contains_any(b.data, person_subjects))
			a |= SEARCH__AUD_PERSON;
	}
	td_buf_release(&b);
	return a;
}

/* One- and two-syllable folded markers. */
static const char *const person_words[] = {
	"toi", "em", "minh", "chau", "me", "vo", "chong", "gia dinh", "ca nhan", "nha toi",
	"nha em", "bo toi", "bo em", "ba toi", "ba em", "ong toi", "con toi", "con em", NULL,
};
static const char *const org_words[] = {
	"cong ty", "cty", "doanh nghiep", "dn", "htx", "hop tac xa", "to chuc", "chi nhanh",
	"don vi", "nha may", "van phong dai dien", "co so kinh doanh", NULL,
};

static bool word_at(const struct search__an *an, size_t i, const char *w)
{
	size_t wl = strlen(w);
	const char *sp = memchr(w, ' ', wl);
	size_t first = sp ? (size_t)(sp - w) : wl;
	if (an->t[i].fold_len != first || memcmp(search__fold(an, i), w, first) != 0)
		return false;
	if (!sp)
		return true;
	return i + 1 < an->n && an->t[i + 1].adj && word_at(an, i + 1, sp + 1);
}

uint8_t search__query_audience(const struct search__an *an)
{
	uint8_t a = 0;
	for (size_t i = 0; i < an->n; i++) {
		for (const char *const *w = person_words; *w; w++)
			if (word_at(an, i, *w))
				a |= SEARCH__AUD_PERSON;
		for (const char *const *w = org_words; *w; w++)
			if (word_at(an, i, *w))
				a |= SEARCH__AUD_ORG;
	}
	return a;
}
