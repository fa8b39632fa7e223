/*
 * answer.h - from a citizen's message to a reply: intent, aspect, decision,
 * composition, dialog follow-ups.
 *
 * The question path (DESIGN.md "How data flows"):
 *
 *   message ─ vn_fold ─┬─ answer_intent  (rules + naive Bayes)  ─ not a procedure
 *                      │                                           question: canned reply
 *                      ├─ answer_aspect  (rules + naive Bayes)
 *                      └─ retriever (search_query) ─ answer_decide ─ answered / clarify /
 *                                                      no_match ─ answer_compose (chat + voice)
 *
 * Everything a citizen reads is composed from the fields of a struct
 * kb_procedure and nothing else: a missing field is said to be missing, never
 * guessed.  The models (data/answer/, tab-separated files) are loaded and trained once; an
 * engine is immutable after creation and may be shared by any number of
 * threads, each with its own struct dialog and struct answer_result.
 */
#ifndef TD_ANSWER_ANSWER_H
#define TD_ANSWER_ANSWER_H

#include <stdbool.h>
#include <stddef.h>

#include "base/buf.h"
#include "base/error.h"
#include "kb/kb.h"

/* ---------------------------------------------------------------------------
 * Labels.  Names are the stable strings of the JSON contract.
 * ------------------------------------------------------------------------- */

enum answer_intent {
	ANSWER_INTENT_PROCEDURE_INFO, /* "procedure_info" */
	ANSWER_INTENT_DOSSIER_STATUS, /* "dossier_status": progress of a submitted dossier */
	ANSWER_INTENT_PAKN_REPORT,    /* "pakn_report": reporting a problem (phản ánh) */
	ANSWER_INTENT_PAKN_STATUS,    /* "pakn_status": progress of a report */
	ANSWER_INTENT_HUMAN,          /* "human": wants an operator */
	ANSWER_INTENT_GREETING,       /* "greeting" */
	ANSWER_INTENT_GOODBYE,        /* "goodbye" */
	ANSWER_INTENT_THANKS,         /* "thanks" */
	ANSWER_INTENT_OUT_OF_SCOPE,   /* "out_of_scope": weather, football, jokes */
	ANSWER_INTENT__COUNT
};

enum answer_aspect {
	ANSWER_ASPECT_OVERVIEW,
	ANSWER_ASPECT_DOCUMENTS,
	ANSWER_ASPECT_DURATION,
	ANSWER_ASPECT_FEE,
	ANSWER_ASPECT_PLACE,
	ANSWER_ASPECT_STEPS,
	ANSWER_ASPECT_ONLINE,
	ANSWER_ASPECT_CONDITIONS,
	ANSWER_ASPECT_RESULT,
	ANSWER_ASPECT_LEGAL_BASIS,
	ANSWER_ASPECT_FORM,
	ANSWER_ASPECT__COUNT
};

enum answer_status {
	ANSWER_STATUS_ANSWERED,
	ANSWER_STATUS_CLARIFY,
	ANSWER_STATUS_NO_MATCH,
	ANSWER_STATUS_OTHER_INTENT,
};

enum answer_channel { ANSWER_CHANNEL_CHAT, ANSWER_CHANNEL_VOICE };

/* Stable names ("procedure_info", "documents", "clarify"); static storage. */
const char *answer_intent_name(enum answer_intent i);
const char *answer_aspect_name(enum answer_aspect a);
const char *answer_status_name(enum answer_status s);
/* Parse those names; false if unknown. */
bool answer_intent_parse(const char *s, enum answer_intent *out);
bool answer_aspect_parse(const char *s, enum answer_aspect *out);

/* ---------------------------------------------------------------------------
 * Understanding the message: struct answer_nlu holds the editable rules and
 * the naive Bayes models trained from the example files.  Immutable after
 * loading; thread-safe to read.
 * ------------------------------------------------------------------------- */

struct answer_nlu;

/*
 * Load and train from a directory holding intents.tsv, aspects.tsv and
 * intent_train.tsv (data/answer/; formats in docs/internals/answer.md).
 * On success *out is new (free with answer_nlu_free).  Errors:
 * TD_ERR_NOTFOUND/TD_ERR_IO for a missing/unreadable file, TD_ERR_PARSE for a
 * bad line, TD_ERR_TOOBIG past the caps; err then says "path:LINE: reason".
 */
td_err answer_nlu_load(struct answer_nlu **out, const char *dir, char *err, size_t errlen);

/* The same from three in-memory texts (tests, fuzzing).  Any may be NULL
 * (no rules / no training rows). */
td_err answer_nlu_parse(struct answer_nlu **out, const char *intent_rules, const char *aspect_rules,
			const char *train, char *err, size_t errlen);

/* The same with the feedback classifier's training messages (the text of
 * data/pakn/train.tsv, may be NULL) as extra pakn_report examples; load
 * reads them from DIR/../pakn/train.tsv when that file exists. */
td_err answer_nlu_parse_reports(struct answer_nlu **out, const char *intent_rules,
				const char *aspect_rules, const char *train, const char *reports,
				char *err, size_t errlen);

void answer_nlu_free(struct answer_nlu *nlu);

/*
 * The intent of a message (any bytes; invalid UTF-8 is tolerated), and in
 * *confidence (may be NULL) the model's probability of it, 0..1.  An empty
 * message is a greeting-less procedure question with confidence 0.
 */
enum answer_intent answer_intent(const struct answer_nlu *nlu, const char *text, size_t n,
				 double *confidence);

/*
 * The aspect of a procedure question.  *mask (may be NULL) gets one bit
 * (1u << aspect) per aspect whose cue phrases occur in the text, 0 when no
 * cue was found (the aspect then falls back to the model or overview);
 * *confidence as above.
 */
enum answer_aspect answer_aspect(const struct answer_nlu *nlu, const char *text, size_t n,
				 unsigned *mask, double *confidence);

/* ---------------------------------------------------------------------------
 * Composition.  Both renderings are NFC UTF-8 heap strings owned by the
 * struct; answer_text_release frees them.
 * ------------------------------------------------------------------------- */

struct answer_text {
	char *chat;  /* structured plain text: name and code, content, source */
	char *voice; /* short sentences, numbers in words, no lists or URLs */
};

void answer_text_release(struct answer_text *t);

/*
 * Compose the answer about procedure p focused on `aspect`; `extra` is a
 * mask of further aspects asked in the same message (1u << aspect; 0: none),
 * of which the first one is answered too.  Never states anything that is not
 * in p: a missing field is said to be missing, with the operator offered.
 * Returns TD_OK, or TD_ERR_TOOBIG if the text passed its cap (not expected).
 */
td_err answer_compose(const struct kb_procedure *p, enum answer_aspect aspect, unsigned extra,
		      struct answer_text *out);

/* "Anh/chị hỏi về: 1) … 2) …?" over n (2..5) options; voice reads at most
 * three, briefly. */
td_err answer_compose_clarify(const struct kb_procedure *const *opts, size_t n,
			      struct answer_text *out);

/* Canned replies that need no record. */
enum answer_canned {
	ANSWER_CANNED_NO_MATCH,
	ANSWER_CANNED_GREETING,
	ANSWER_CANNED_THANKS,
	ANSWER_CANNED_GOODBYE,
	ANSWER_CANNED_HUMAN,
	ANSWER_CANNED_OUT_OF_SCOPE,
	ANSWER_CANNED_DOSSIER_STATUS,      /* asks for the dossier code */
	ANSWER_CANNED_DOSSIER_STATUS_CODE, /* a code was given: will be looked up */
	ANSWER_CANNED_PAKN_REPORT,
	ANSWER_CANNED_PAKN_STATUS,
	ANSWER_CANNED_EMPTY,               /* nothing was said */
	ANSWER_CANNED__COUNT
};

td_err answer_compose_canned(enum answer_canned kind, struct answer_text *out);

/* ---------------------------------------------------------------------------
 * Decision: answer, ask to clarify, or abstain.
 * ------------------------------------------------------------------------- */

/* One search candidate; proc is borrowed (owned by whoever owns the records).
 * The measures are those of struct search_hit (src/search/search.h). */
struct answer_name_sig; /* a name's syllable set, precomputed by the engine */

struct answer_candidate {
	const struct kb_procedure *proc;
	double score;       /* the retriever's raw score, larger is better */
	double norm;        /* score / the best score the query could reach, 0..1 */
	double query_cover; /* share of the question's term mass found in the record */
	double title_cover; /* share of the record's name found in the question */
	const struct answer_name_sig *sig; /* proc's name signature, or NULL (then
					    * answer_decide computes it) */
};

#define ANSWER_OPTIONS_MAX 5

/*
 * Thresholds; answer_thresholds_default gives the values chosen from the
 * development set (docs/internals/answer.md, "Choosing the thresholds").
 * The confidence of the top candidate mixes how much of the question it
 * covers, how much of its name the question says, and its lead over the
 * second candidate.
 */
struct answer_thresholds {
	double min_query_cover;  /* below: no_match whatever else */
	double answer_conf;      /* confidence ≥ this: answered */
	double clarify_conf;     /* between this and answer_conf: clarify when there are
				  * close alternatives, else confirm the one candidate */
	double answer_query_cover; /* to answer outright the record must also explain at
				    * least this share of the question; below it, a
				    * confident-looking lead is only confirmed */
	double close_ratio;      /* candidates with score ≥ ratio × top are "close" */
	double same_name;        /* name similarity (0..1) above which two candidates
				  * count as the same procedure at another agency */
	double report_hint;      /* a message read as a report whose best record covers
				  * this share of it and of the record's name gets that
				  * record offered ("nhắn «thủ tục»") */
};

void answer_thresholds_default(struct answer_thresholds *t);

struct answer_decision {
	enum answer_status status;   /* answered, clarify or no_match */
	double confidence;           /* 0..1 */
	size_t n_options;            /* clarify: indices into the candidates */
	size_t options[ANSWER_OPTIONS_MAX];
};

/*
 * Decide from candidates c[0..n) (best first, n may be 0).  Pure function;
 * never fails.  With t NULL the defaults are used.
 */
void answer_decide(const struct answer_thresholds *t, const struct answer_candidate *c, size_t n,
		   struct answer_decision *out);

/* ---------------------------------------------------------------------------
 * Dialog state: plain data, copyable, no pointers, so the session store can
 * keep it as bytes.  dialog_init zeroes it.
 * ------------------------------------------------------------------------- */

#define DIALOG_CODE_MAX 32

/* A PAKN report being collected in the chat (report_dialog.h): the
 * citizen's words (kept verbatim, later turns of content appended after a
 * newline), what was asked last, and the contact kept apart from the text.
 * Zero (state DIALOG_REPORT_NONE) when no report is under way. */
#define DIALOG_REPORT_TEXT_MAX 3000
#define DIALOG_REPORT_WARDS_MAX 5

enum dialog_report_state {
	DIALOG_REPORT_NONE,       /* no draft */
	DIALOG_REPORT_ASKING,     /* asked for `slot`, waiting for the answer */
	DIALOG_REPORT_CONFIRM,    /* summary shown, waiting for có/không */
	DIALOG_REPORT_EMERGENCY,  /* emergency numbers given; files only if asked */
	DIALOG_REPORT_STATUS,     /* asked for a case number to look up */
	DIALOG_REPORT__NSTATE
};

struct dialog_report {
	unsigned char state;     /* enum dialog_report_state */
	unsigned char slot;      /* what was asked last (report_dialog.c) */
	unsigned char tries;     /* times in a row that slot was asked */
	unsigned char flags;     /* report_dialog.c: slots given up on */
	unsigned char n_wards;   /* candidate wards offered, 0..DIALOG_REPORT_WARDS_MAX */
	unsigned char ward_pick; /* 1..n_wards: the citizen's choice, 0 none */
	char wards[DIALOG_REPORT_WARDS_MAX][6];           /* 5-digit codes */
	char ward_name[64];      /* name of the chosen ward */
	char name[96];
	char phone[16];
	char address[192];       /* for the reply (or an e-mail) */
	char location[192];      /* the place as answered, in words */
	unsigned short text_len; /* bytes of text */
	char text[DIALOG_REPORT_TEXT_MAX + 1]; /* last: only text_len bytes are stored */
};

struct dialog {
	char procedure[DIALOG_CODE_MAX];                  /* current procedure code, "" none */
	enum answer_aspect aspect;                        /* last aspect answered */
	size_t n_options;                                 /* last clarification */
	char options[ANSWER_OPTIONS_MAX][DIALOG_CODE_MAX];
	unsigned turns;
	struct dialog_report report;                      /* added in blob version 2 */
};

/*
 * The dialog as bytes for a session store: "tdD2", the fields above up to
 * `report`, then - only while a report is under way - the report up to its
 * text and text_len bytes of text.  Without a report the blob is 220 bytes
 * or less; with one at most DIALOG_BLOB_MAX.  dialog_encode returns the
 * length written to out (cap >= DIALOG_BLOB_MAX always suffices), 0 if cap
 * is too small.  dialog_decode reads version 2 and the version-1 blobs
 * ("tdD1" + the old struct) written before reports existed, checks every
 * field, and returns false (d is then a fresh dialog) for anything else.
 */
#define DIALOG_BLOB_MAX 4000
size_t dialog_encode(const struct dialog *d, unsigned char *out, size_t cap);
bool dialog_decode(struct dialog *d, const unsigned char *blob, size_t len);

void dialog_init(struct dialog *d);
/* Remember that the conversation is now about `code` (clears options). */
void dialog_set_procedure(struct dialog *d, const char *code, enum answer_aspect aspect);
/* Remember clarification options (codes, copied; at most ANSWER_OPTIONS_MAX). */
void dialog_set_options(struct dialog *d, const char *const *codes, size_t n);
/*
 * If the folded message picks one of the pending options ("2", "số 2",
 * "cái thứ hai", "thứ nhất", "cái đầu tiên", "cái cuối"), return true and its
 * index.  False when there are no options or nothing is picked.
 */
bool dialog_pick_option(const struct dialog *d, const char *folded, size_t n, size_t *index);

/* ---------------------------------------------------------------------------
 * The engine: models + records + a retriever, and the top-level entry point.
 * ------------------------------------------------------------------------- */

/* The search behind the engine: fill up to max candidates for the query
 * (raw message text), best first; return how many.  *content_words gets the
 * number of non-filler words the retriever saw (0 if unknown). */
struct answer_retriever {
	size_t (*query)(void *ctx, const char *q, size_t n, struct answer_candidate *out,
			size_t max, size_t *content_words);
	void *ctx;
};

struct answer_engine;

/*
 * A new engine over procs[0..n) (borrowed: they must outlive the engine),
 * nlu (borrowed), retriever (copied; its ctx borrowed) and thresholds (copied;
 * NULL: defaults).  Builds a code → record table.  Caller frees with
 * answer_engine_free.
 */
td_err answer_engine_new(const struct kb_procedure *const *procs, size_t n,
			 const struct answer_nlu *nlu, const struct answer_retriever *retriever,
			 const struct answer_thresholds *thresholds, struct answer_engine **out);
void answer_engine_free(struct answer_engine *e);

struct search_index;

/*
 * An engine over a search index snapshot: the records are the index's, the
 * retriever is search_query.  Takes its own reference to ix (dropped by
 * answer_engine_free), so a server builds one engine per published index.
 */
td_err answer_engine_new_search(struct search_index *ix, const struct answer_nlu *nlu,
				const struct answer_thresholds *thresholds,
				struct answer_engine **out);

/* The record with this code, or NULL (borrowed). */
const struct kb_procedure *answer_engine_find(const struct answer_engine *e, const char *code);

struct answer_result {
	enum answer_intent intent;
	double intent_confidence;
	enum answer_aspect aspect;
	enum answer_status status;
	const struct kb_procedure *procedure;       /* answered only; borrowed */
	struct answer_candidate candidates[ANSWER_OPTIONS_MAX];
	size_t n_candidates;
	double confidence;
	bool follow_up;                              /* answered from the dialog state */
	struct answer_text text;                     /* owned */
};

/*
 * Answer one message (any bytes; capped at 4 KiB, the rest ignored).  dialog
 * may be NULL (no memory between turns); otherwise it is read and updated.
 * The channel only shapes the wording (voice reads fewer options).  *out is
 * filled in full on TD_OK and must be released with answer_result_release;
 * on error it is empty.
 */
td_err answer_question(const struct answer_engine *e, struct dialog *dialog, const char *q,
		       size_t n, enum answer_channel channel, struct answer_result *out);

void answer_result_release(struct answer_result *r);

/*
 * Append the JSON object of the contract to out:
 * {"id","intent","aspect","status","procedure":{"code","name"}|null,
 *  "candidates":[{"code","name","score"}],"confidence","answer","voice",
 *  "sources":[{"code","url"}]}.  id may be NULL (then "").
 */
void answer_result_json(const struct answer_result *r, const char *id, struct td_buf *out);

#endif
