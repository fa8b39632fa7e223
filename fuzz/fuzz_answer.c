/*
 * fuzz_answer.c - arbitrary bytes through intent, aspect, the number reader,
 * dialog picks, the whole answer path (over a fake retriever that returns a
 * record built from the input) and the JSON writer, whose output must parse.
 */
#include <jansson.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "answer/answer.h"
#include "answer/numwords.h"
#include "base/alloc.h"
#include "base/buf.h"
#include "kb/kb.h"

static struct answer_nlu *nlu;

static void init(void)
{
	if (nlu)
		return;
	char dir[1024], err[256];
	const char *src = getenv("TD_SOURCE_DIR");
	snprintf(dir, sizeof dir, "%s/data/answer", src ? src : TD_SOURCE_DIR);
	if (answer_nlu_load(&nlu, dir, err, sizeof err) != TD_OK &&
	    answer_nlu_parse(&nlu, "human\t5\tngười thật\n", "fee\t5\tlệ phí\n",
			     "procedure_info\tfee\tlệ phí bao nhiêu\n", err, sizeof err) != TD_OK)
		abort();
}

static const struct kb_procedure *fuzz_rec;

static size_t one(void *ctx, const char *q, size_t n, struct answer_candidate *out, size_t max,
		  size_t *words)
{
	(void)ctx;
	*words = n % 5;
	if (max == 0 || n % 3 == 0)
		return 0;
	out[0].proc = fuzz_rec;
	out[0].score = (double)(n % 50);
	out[0].norm = 0.5;
	out[0].query_cover = (double)(q[0] & 0x7f) / 127.0;
	out[0].title_cover = (double)(n % 11) / 10.0;
	return 1;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	init();
	const char *s = (const char *)data;
	double c;
	unsigned mask;
	(void)answer_intent(nlu, s, size, &c);
	(void)answer_aspect(nlu, s, size, &mask, &c);

	struct td_buf b;
	td_buf_init(&b, 1 << 20);
	answer_text_numbers_to_words(&b, s, size < 4096 ? size : 4096);
	td_buf_release(&b);

	/* A record whose text fields are the input. */
	char *text = td_strndup(s, size < 2048 ? size : 2048);
	struct kb_procedure *p = kb_procedure_new();
	p->code = td_strdup("1.000001");
	p->name = td_strdup(text);
	p->steps = td_strdup(text);
	p->conditions = td_strdup(text);
	struct kb_channel *ch = kb_procedure_add_channel(p, KB_CHANNEL_DIRECT);
	ch->fee.text = td_strdup(text);
	ch->fee.has_amount = size % 2;
	ch->fee.amount_vnd = (double)size * 1000.0;
	ch->duration.text = td_strdup(text);
	ch->duration.has_value = size % 3 == 0;
	ch->duration.value = (double)(size % 40) / 2.0;
	ch->duration.unit = (enum kb_duration_unit)(size % 6);
	struct kb_dossier_item *it = kb_procedure_add_dossier(p);
	it->name = td_strdup(text);
	it->case_name = size % 2 ? td_strdup(text) : NULL;
	it->originals = (int)(size % 3) - 1;
	it->copies = (int)(size % 4) - 1;
	fuzz_rec = p;

	struct answer_retriever r = {one, NULL};
	const struct kb_procedure *all[1] = {p};
	struct answer_engine *e;
	if (answer_engine_new(all, 1, nlu, &r, NULL, &e) == TD_OK) {
		struct dialog d;
		dialog_init(&d);
		const char *codes[1] = {"1.000001"};
		if (size % 2)
			dialog_set_options(&d, codes, 1);
		else
			dialog_set_procedure(&d, "1.000001", ANSWER_ASPECT_FEE);
		struct answer_result res;
		if (answer_question(e, &d, s, size, (enum answer_channel)(size % 2), &res) ==
		    TD_OK) {
			td_buf_init(&b, 1 << 22);
			answer_result_json(&res, text, &b);
			if (td_buf_error(&b) == TD_OK) {
				json_error_t je;
				json_t *j = json_loads(b.data, 0, &je);
				if (!j)
					abort(); /* the writer must always produce valid JSON */
				json_decref(j);
			}
			td_buf_release(&b);
			answer_result_release(&res);
		}
		answer_engine_free(e);
	}
	kb_procedure_free(p);
	td_free(text);
	return 0;
}
