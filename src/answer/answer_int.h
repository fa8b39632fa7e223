/*
 * answer_int.h - shared internals of src/answer (not for other subsystems).
 *
 * A message is folded (vn_fold, lossy) and tokenised once into a struct
 * answer__msg; the rule matcher, the classifiers, the decision and the dialog
 * all read that one form, so a message costs one fold whatever asks about it.
 */
#ifndef TD_ANSWER_ANSWER_INT_H
#define TD_ANSWER_ANSWER_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "answer/answer.h"
#include "base/buf.h"
#include "text/vn.h"

/* Messages longer than this are cut (a phone turn or a chat message is far
 * shorter; this bounds every per-message cost). */
#define ANSWER_MSG_MAX 4096
#define ANSWER_MSG_TOKENS 256

enum answer__tok_class {
	ANSWER__TOK_WORD,
	ANSWER__TOK_NUMBER, /* 5, 2015, 1,5 */
	ANSWER__TOK_PCODE,  /* a procedure code: 1.001612 */
	ANSWER__TOK_CASE,   /* a dossier / case number: 000.00.12.H26-251201-0007 */
	ANSWER__TOK_OTHER,  /* other codes: H26, 123/2015/nđ-cp */
};

struct answer__tok {
	const char *s;      /* into msg.folded.data */
	size_t len;
	uint32_t hash;      /* fnv1a of the bytes */
	enum answer__tok_class cls;
};

struct answer__msg {
	struct td_buf folded;                       /* vn_fold key, NUL-terminated */
	struct answer__tok tok[ANSWER_MSG_TOKENS];
	size_t ntok;
	uint64_t words[4]; /* bit (hash & 255) set for each token: a rule whose
			    * words are not all here is skipped without a scan */
};

/* Fold and tokenise text (cut at ANSWER_MSG_MAX bytes on a UTF-8 boundary).
 * Never fails: an unusable message becomes an empty one. */
void answer__msg_init(struct answer__msg *m, const char *text, size_t n);
void answer__msg_release(struct answer__msg *m);

/* The distinct folded syllables of a procedure name (its first 64), as
 * hashes: what answer_decide compares to tell the same procedure at another
 * agency from a rival.  The engine builds one per record once. */
struct answer_name_sig {
	size_t n;
	uint32_t h[64];
};
void answer__name_sig(const char *name, struct answer_name_sig *sig);

uint32_t answer__hash(const char *s, size_t n);
uint32_t answer__hash_more(uint32_t h, const char *s, size_t n);

/* True if the token equals the NUL-terminated ASCII word w. */
bool answer__tok_is(const struct answer__tok *t, const char *w);

/* The intent / aspect of an already prepared message (see answer.h). */
enum answer_intent answer__intent_msg(const struct answer_nlu *nlu, const struct answer__msg *m,
				      double *confidence);
enum answer_aspect answer__aspect_msg(const struct answer_nlu *nlu, const struct answer__msg *m,
				      unsigned *mask, double *confidence);

/* Words of the message that could name a procedure: not fillers, pronouns,
 * question words or words of a matched aspect cue.  "thế còn lệ phí?" has
 * none; a follow-up is a message with (almost) none. */
size_t answer__topic_words(const struct answer_nlu *nlu, const struct answer__msg *m);

/* The message points back at what was discussed ("thủ tục đó", "cái này",
 * or starts with "thế", "còn", "vậy"). */
bool answer__refers_back(const struct answer__msg *m);

/* Copy at most cap-1 bytes of s into dst, NUL-terminated, never cutting a
 * UTF-8 sequence.  */
void answer__copy(char *dst, size_t cap, const char *s);

#endif
