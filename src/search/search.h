/*
 * search.h - the in-memory procedure search engine.
 *
 * Given a citizen's question (typed, or a phone transcript without
 * punctuation, with or without diacritics, with abbreviations, everyday names
 * and typos), rank the procedures of a knowledge base.
 *
 * The index is an immutable snapshot: search_index_build() analyses an array
 * of records once (BM25F over fields, folded and accented syllables, syllable
 * bigrams, lexicon expansions resolved to term ids, a deletion neighbourhood
 * for typo tolerance) and from then on it is read-only, so any number of
 * threads may query it at once.  A server keeps the current snapshot in a
 * struct search_holder: a reload builds a new index and publishes it; readers
 * that still hold the old one keep using it, and the last one to release it
 * frees it.  docs/internals/search.md describes the design and the measured
 * figures.
 *
 * What the scores mean (see struct search_hit):
 *   score        raw BM25F sum plus the title-coverage bonus.  Comparable
 *                between records for one query and index; not between
 *                queries (a long query scores higher).
 *   norm         score / max_score of the query (0..1): how much of the best
 *                score this query could possibly reach was reached.
 *   query_cover  share of the query's IDF mass (its non-filler terms) found
 *                anywhere in the record (0..1).  Low for questions about
 *                something the knowledge base does not contain.
 *   title_cover  share of the record's name (or best alias) IDF mass that the
 *                query contains (0..1).  1 means the query names the
 *                procedure completely.
 * The answering layer derives its confidence from norm, query_cover and the
 * margin between the first and second hit (struct search_info).
 */
#ifndef TD_SEARCH_SEARCH_H
#define TD_SEARCH_SEARCH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/error.h"
#include "kb/kb.h"
#include "text/vn.h"

/* Queries longer than this are cut (at a token boundary) before analysis. */
#define SEARCH_QUERY_MAX 4096
/* At most this many distinct weighted terms are kept for one query. */
#define SEARCH_QUERY_TERMS 256

/* ---------------------------------------------------------------------------
 * Stop words and fillers ("alo", "dạ", "cho em hỏi", "thế nào", ...).
 * File format (data/text/stopwords.txt): one word or phrase (up to 4
 * syllables) a line, '#' starts a comment, blank lines are skipped.  Each
 * entry is matched on its accented key in queries typed with diacritics and
 * on its folded key in queries typed without.  A loaded list is immutable.
 * ------------------------------------------------------------------------- */

struct search_stopwords;

/* Load a stop-word file.  *out is a new list the caller frees with
 * search_stopwords_free.  Errors: TD_ERR_NOTFOUND, TD_ERR_IO, TD_ERR_TOOBIG
 * (file over 1 MiB or over 10000 entries), TD_ERR_PARSE (a line over 4
 * syllables or invalid UTF-8; err gets "path:LINE: reason"). */
td_err search_stopwords_load(struct search_stopwords **out, const char *path, char *err,
			     size_t errlen);

/* The same from memory; name is used in error messages. */
td_err search_stopwords_parse(struct search_stopwords **out, const char *text, size_t n,
			      const char *name, char *err, size_t errlen);

void search_stopwords_free(struct search_stopwords *stop);

/* Number of entries. */
size_t search_stopwords_count(const struct search_stopwords *stop);

/* ---------------------------------------------------------------------------
 * Build options.  search_options_default() fills the tuned defaults; the
 * field weights are the BM25F w_f, the b values its length normalisation.
 * ------------------------------------------------------------------------- */

enum search_field {
	SEARCH_F_NAME,     /* Tên thủ tục */
	SEARCH_F_ALIAS,    /* everyday names */
	SEARCH_F_KEYWORD,  /* the code (1.001193) and keywords */
	SEARCH_F_RESULT,   /* Kết quả */
	SEARCH_F_FIELD,    /* Lĩnh vực, đối tượng */
	SEARCH_F_AGENCY,   /* cơ quan thực hiện / có thẩm quyền / ..., cấp */
	SEARCH_F_DOSSIER,  /* names of the dossier items */
	SEARCH_F_STEPS,    /* Trình tự thực hiện, Yêu cầu điều kiện */
	SEARCH_NFIELDS
};

struct search_options {
	float weight[SEARCH_NFIELDS]; /* BM25F field weights */
	float b[SEARCH_NFIELDS];      /* length normalisation per field, 0..1 */
	float k1;                     /* term-frequency saturation */
	float bigram_weight;          /* query weight of a syllable bigram */
	float stop_bigram_weight;     /* factor for a bigram with one filler syllable */
	float accent_weight;          /* extra weight of an exact-accent match */
	float expand_weight;          /* weight of lexicon expansion terms */
	float known_expand_weight;    /* the same when the lexicon term itself is
				       * common in the records (e.g. "chứng thực") */
	float typo_weight;            /* weight of a typo-corrected term */
	float lexicon_literal_weight; /* score weight of the question's own words
				       * where a lexicon term matched (coverage
				       * still counts them fully) */
	float title_bonus;            /* weight of the title-coverage bonus */
	float min_term_weight;        /* query terms with w * idf below this are not
				       * scored (words in nearly every record) */
	float level_prior;            /* weight of the record's level prior (where
				       * a citizen goes to do it: commune 1,
				       * province 0.5, else 0; search_index.c) */
	float verb_penalty;           /* taken off a variant ("Cấp lại X", "Xóa
				       * đăng ký X") whose verb the question does
				       * not say, and off a base when it says
				       * the verb of one of its variants */
	float verb_bonus;             /* added to a variant whose verb it says */
	bool own_records;             /* the index frees the records at the end */
};

/* Fill o with the defaults (own_records false). */
void search_options_default(struct search_options *o);

/* ---------------------------------------------------------------------------
 * The index.
 * ------------------------------------------------------------------------- */

struct search_index; /* immutable once built */

struct search_hit {
	const struct kb_procedure *proc; /* owned by the index (or its caller) */
	double score;       /* raw score, see the top of this file */
	double prior;       /* the part of score from the level prior, not the text */
	double norm;        /* score / the query's max_score, 0..1 */
	double query_cover; /* share of the query's term mass in this record, 0..1 */
	double title_cover; /* share of the record's title mass in the query, 0..1 */
	size_t doc;         /* position of the record in the build array */
};

/* What the query turned into, for confidence and diagnostics. */
struct search_info {
	size_t terms;       /* weighted terms looked up (after fillers, expansions) */
	size_t words;       /* content words of the query (fillers removed) */
	size_t unknown;     /* content words not in the vocabulary */
	size_t corrected;   /* unknown words replaced by a typo neighbour */
	size_t expanded;    /* lexicon entries that matched */
	size_t candidates;  /* records that matched any term */
	bool accented;      /* the query was typed with diacritics */
	double max_score;   /* the highest score this query could reach */
	double margin;      /* (hit1 - hit2) / hit1, 1 with one hit, 0 with none */
};

/*
 * Build an index over n records (n < 2^24).  The index keeps the pointers in
 * procs (the array itself is copied): the records must outlive the index,
 * unless opts->own_records is set, in which case the index owns them and
 * frees them with kb_procedure_free when the last reference goes.  lex and
 * stop may be NULL; they are only read during the build (everything needed
 * later is copied), so the caller may free them right after.  opts may be
 * NULL for the defaults.  On success *out holds one reference.
 * Errors: TD_ERR_INVAL (NULL out, a NULL record, too many records),
 * TD_ERR_TOOBIG (vocabulary over 2^31 terms).  On error nothing is kept
 * (records given with own_records are still the caller's).
 */
td_err search_index_build(struct kb_procedure *const *procs, size_t n,
			  const struct vn_lexicon *lex, const struct search_stopwords *stop,
			  struct search_index **out);
td_err search_index_build_opts(struct kb_procedure *const *procs, size_t n,
			       const struct vn_lexicon *lex, const struct search_stopwords *stop,
			       const struct search_options *opts, struct search_index **out);

/* Take one more reference (thread-safe). */
void search_index_ref(struct search_index *ix);
/* Drop a reference; the last one frees the index (and the records if owned).
 * NULL is a no-op. */
void search_index_unref(struct search_index *ix);

/* Number of records; the i-th record (owned as the build said). */
size_t search_index_count(const struct search_index *ix);
const struct kb_procedure *search_index_record(const struct search_index *ix, size_t i);

/* Bytes held by the index (arrays, vocabulary, typo table; not the records). */
size_t search_index_bytes(const struct search_index *ix);
/* Distinct terms in the vocabulary. */
size_t search_index_terms(const struct search_index *ix);

/* ---------------------------------------------------------------------------
 * Queries.  A scratch holds the per-query working memory so a query
 * allocates nothing once the scratch has grown to the index size.  One
 * scratch serves one thread at a time and may be used with any index.
 * ------------------------------------------------------------------------- */

struct search_scratch;

/* A new, empty scratch (grows on first use).  Free with search_scratch_free. */
struct search_scratch *search_scratch_new(void);
void search_scratch_free(struct search_scratch *s);

/*
 * Rank the records for the question q[0..qlen) (UTF-8; invalid bytes are
 * tolerated and act as word breaks; text past SEARCH_QUERY_MAX bytes is
 * ignored).  Fills up to max hits, best first (ties: lower record position
 * first), and returns how many; 0 for an empty, filler-only or unmatched
 * query.  info may be NULL.  Never fails: scratch growth goes through the
 * allocation funnel (which aborts only when the machine is out of memory).
 */
size_t search_query_ex(const struct search_index *ix, struct search_scratch *s, const char *q,
		       size_t qlen, struct search_hit *hits, size_t max, struct search_info *info);

/* search_query_ex with a per-thread scratch (freed when the thread exits). */
size_t search_query(const struct search_index *ix, const char *q, size_t qlen,
		    struct search_hit *hits, size_t max);

/* ---------------------------------------------------------------------------
 * Snapshot holder for servers.  publish() swaps the current index; acquire()
 * returns the current one with a reference the caller drops with
 * search_index_unref.  Both are thread-safe and never block for longer than
 * a pointer load plus a reference increment (see search_holder.c).
 * ------------------------------------------------------------------------- */

struct search_holder;

/* A new holder with no index.  Free with search_holder_free. */
struct search_holder *search_holder_new(void);
/* Make ix current; the holder takes over the caller's reference to ix (ix
 * may be NULL) and drops its reference to the previous one. */
void search_holder_publish(struct search_holder *h, struct search_index *ix);
/* The current index with a new reference (NULL if none was published). */
struct search_index *search_holder_acquire(struct search_holder *h);
/* Drops the holder's reference and frees it.  No thread may use h anymore. */
void search_holder_free(struct search_holder *h);

#endif
