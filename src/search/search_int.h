/*
 * search_int.h - shared internals of src/search (not for other subsystems).
 *
 * Terms.  Every term is a string key interned in one dictionary and known by
 * its integer id:
 *   "dang"          folded syllable (or number / code)        SEARCH__K_FOLD
 *   "dang ky"       folded syllable bigram                    SEARCH__K_BIGRAM
 *   "\x01đăng"      accented syllable (exact-accent bonus)    SEARCH__K_ACCENT
 * The prefix byte \x01 can never occur in a key (keys are vn_fold_case /
 * vn_fold output, which maps controls to white space), so the three families
 * never collide.
 *
 * Postings.  Term t owns post[post_off[t] .. post_off[t+1]), sorted by
 * record.  Each posting stores the record, the BM25F saturated term weight
 * computed at build time (the index is immutable, so field weights and
 * lengths are fixed) and a bit mask of the titles (bit 0 the name, bit k
 * alias k) that contain the term, used by the title-coverage feature.
 */
#ifndef TD_SEARCH_SEARCH_INT_H
#define TD_SEARCH_SEARCH_INT_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/buf.h"
#include "search/search.h"

#define SEARCH__NONE UINT32_MAX
#define SEARCH__ACCENT_MARK '\x01'
#define SEARCH__MAX_TITLES 16   /* name + 15 aliases take part in title coverage */
#define SEARCH__STOP_MAX_SYL 4  /* syllables in a stop phrase */
#define SEARCH__TYPO_MIN 3      /* shortest word (bytes) we try to correct */
#define SEARCH__TYPO_MAX 24     /* longest */
#define SEARCH__TYPO_CANDS 2    /* corrections kept per unknown word */

enum search__kind {
	SEARCH__K_FOLD,
	SEARCH__K_BIGRAM,
	SEARCH__K_ACCENT,
};

/* ---------------------------------------------------------------------------
 * A string dictionary: key -> dense id in insertion order (open addressing,
 * FNV-1a).  Grows while building; read-only afterwards.
 * ------------------------------------------------------------------------- */
struct search__dict {
	uint32_t *slot;  /* id + 1; 0 is empty */
	size_t mask;     /* slots - 1 (slots a power of two) */
	uint32_t *off;   /* key offset in keys, per id */
	uint32_t *len;   /* key length, per id */
	uint32_t *hash;  /* key hash, per id */
	char *keys;
	size_t keys_len, keys_cap;
	size_t n, cap;
};

uint32_t search__hash(const char *s, size_t n);
void search__dict_init(struct search__dict *d);
void search__dict_release(struct search__dict *d);
/* The id of key, or SEARCH__NONE. */
uint32_t search__dict_find(const struct search__dict *d, const char *k, size_t n);
/* The id of key, adding it if new.  SEARCH__NONE when the dictionary is full
 * (2^31 keys or 4 GiB of key bytes). */
uint32_t search__dict_intern(struct search__dict *d, const char *k, size_t n);
const char *search__dict_key(const struct search__dict *d, uint32_t id, size_t *len);
/* Deep copy (dst uninitialised). */
void search__dict_copy(struct search__dict *dst, const struct search__dict *src);
/* Bytes allocated. */
size_t search__dict_bytes(const struct search__dict *d);

/* ---------------------------------------------------------------------------
 * Text analysis shared by the build and the query: the accented key of the
 * text (vn_fold_case), its tokens, and each token folded (vn_fold).
 * ------------------------------------------------------------------------- */
struct search__tok {
	uint32_t acc_off, acc_len;   /* in an->acc.data */
	uint32_t fold_off, fold_len; /* in an->fold.data */
	uint8_t kind;                /* enum vn_token_kind */
	bool adj;                    /* follows the previous token with one space between */
	bool marks;                  /* accented form differs from the folded one */
	bool stop;                   /* a filler (set by search__mark_stops) */
	bool lex;                    /* covered by a lexicon match with an expansion */
};

struct search__an {
	struct td_buf acc;  /* accented key */
	struct td_buf fold; /* folded tokens, back to back */
	struct search__tok *t;
	size_t n, cap;
};

void search__an_init(struct search__an *an, size_t max_bytes);
void search__an_release(struct search__an *an);
/* Analyse s[0..n) (lossy: invalid UTF-8 separates words).  Returns TD_OK or
 * TD_ERR_TOOBIG (text over the analyser's cap). */
td_err search__analyze(struct search__an *an, const char *s, size_t n);

static inline const char *search__acc(const struct search__an *an, size_t i)
{
	return an->acc.data + an->t[i].acc_off;
}
static inline const char *search__fold(const struct search__an *an, size_t i)
{
	return an->fold.data + an->t[i].fold_off;
}

/* The stop-word list: phrases keyed by accented and by folded syllables. */
struct search_stopwords {
	struct search__dict acc;
	struct search__dict fold;
	unsigned max_syl;
};

/* Mark the tokens of an that start a stop phrase (longest first), using the
 * accented keys when accented, else the folded ones.  key is scratch. */
void search__mark_stops(struct search__an *an, const struct search_stopwords *stop, bool accented,
			struct td_buf *key);

/* ---------------------------------------------------------------------------
 * The index.
 * ------------------------------------------------------------------------- */
struct search__post {
	uint32_t doc;
	float sat;      /* BM25F tf~ / (k1 + tf~) */
	uint16_t tmask; /* titles containing the term (coverage terms only) */
	uint8_t fmask;  /* fields containing the term */
	uint8_t pad;
};

struct search__typo {
	uint32_t hash; /* hash of a folded word or of it minus one byte */
	uint32_t term;
};

struct search_index {
	atomic_size_t refs;
	struct search_options opt;

	struct kb_procedure **procs;
	size_t ndocs;

	/* vocabulary */
	struct search__dict vocab;
	uint8_t *kind;       /* enum search__kind, per term */
	uint8_t *cover;      /* 1: counts for coverage (folded, not a filler) */
	float *idf;          /* per term */
	uint32_t *post_off;  /* nterms + 1 */
	struct search__post *post;
	size_t npost;

	/* titles: doc d owns title_mass[title_off[d] .. title_off[d+1]) */
	uint32_t *title_off;
	float *title_mass;
	float *prior;        /* per doc: level prior 0..1 (times opt.level_prior) */
	uint32_t verb_ids[32]; /* the distinct variant verbs' terms */
	size_t nverb_ids;
	uint8_t *verb;         /* per doc: 1 + the index of the verb leading its
				  name in verb_ids ("cap lai", "xoa"), or 0 */
	uint32_t *base_mask;   /* per doc: bit k set when it is the base of a
				  variant whose verb is verb_ids[k] */

	/* stop words (copied) */
	struct search_stopwords stop;
	bool has_stop;

	/* lexicon (copied): folded term key -> entry; entry e expands to terms
	 * lex_term[lex_off[e] .. lex_off[e+1]) */
	struct search__dict lex;
	struct search__dict lex_prefix; /* every leading run of syllables of a key */
	uint32_t *lex_off;
	uint32_t *lex_term;
	uint32_t *lex_head;  /* per entry: for a one-word abbreviation, the first and */
	uint32_t *lex_tail;  /* last folded syllable of its first expansion, else NONE */
	char **lex_spell;    /* per entry (NULL if none): a one-word abbreviation's first
				expansion, folded syllables joined by spaces */
	uint8_t *lex_spell_syl; /* its syllable count */
	float *lex_w;        /* per entry: weight of its expansion terms */
	struct search__dict lex_acc; /* accented keys of the lexicon terms; lex_acc_of
				      * maps a folded entry to its accented key id */
	uint32_t *lex_acc_of;
	unsigned lex_max_syl;

	/* typo neighbourhood over folded ASCII words, sorted by hash */
	struct search__typo *typo;
	size_t ntypo;

	double avg_len[SEARCH_NFIELDS];
};

/* Restricted Damerau-Levenshtein (optimal string alignment) distance of two
 * short strings, stopping early: returns a value > limit when it exceeds it. */
unsigned search__osa(const char *a, size_t an, const char *b, size_t bn, unsigned limit);

#endif
