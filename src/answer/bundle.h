/*
 * bundle.h - everything the question path needs, loaded in one call.
 *
 * For the CLI (`tongdai ask`) and the server: the procedures from the store
 * (copied into memory), the lexicon and stop words (data/text/), the search
 * index built over them, the message models (data/answer/) and the engine.
 * A bundle is immutable once opened; a server that reloads opens a new one
 * and swaps it (the engine holds its own reference to the index).
 */
#ifndef TD_ANSWER_BUNDLE_H
#define TD_ANSWER_BUNDLE_H

#include <stddef.h>

#include "answer/answer.h"
#include "base/error.h"

struct answer_bundle {
	struct answer_engine *engine;
	struct answer_nlu *nlu;
	struct search_index *index;   /* owns the records */
	size_t nprocs;
};

/*
 * Open a bundle: records from the store at data_dir, resources from
 * resource_dir (the directory holding data/text/lexicon.tsv,
 * data/text/stopwords.txt and data/answer/; NULL: the compiled-in
 * TD_SOURCE_DIR).  A missing stop-word file is tolerated; a missing lexicon
 * or model file is an error.  err says what failed, in words a person can
 * act on.  Release with answer_bundle_close.
 */
td_err answer_bundle_open(struct answer_bundle *b, const char *data_dir, const char *resource_dir,
			  char *err, size_t errlen);
void answer_bundle_close(struct answer_bundle *b);

#endif
