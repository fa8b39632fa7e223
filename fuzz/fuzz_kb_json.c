/*
 * fuzz_kb_json.c - tongdai-format records from arbitrary bytes: parse as
 * JSON, validate, and if accepted serialise and re-parse (the round trip
 * must accept its own output).
 */
#include <jansson.h>
#include <stdint.h>
#include <stdlib.h>

#include "base/alloc.h"
#include "kb/kb_json.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	json_t *o = json_loadb((const char *)data, size, JSON_REJECT_DUPLICATES, NULL);
	if (!o)
		return 0;
	struct kb_problems ps;
	kb_problems_init(&ps);
	struct kb_procedure *p = NULL;
	if (kb_procedure_from_json(o, 1, &p, &ps) == TD_OK) {
		char *s = kb_procedure_to_string(p, KB_JSON_CONTENT | KB_JSON_RAW | KB_JSON_META);
		json_t *again = json_loads(s, 0, NULL);
		struct kb_procedure *q = NULL;
		struct kb_problems ps2;
		kb_problems_init(&ps2);
		if (!again || kb_procedure_from_json(again, 1, &q, &ps2) != TD_OK)
			abort(); /* our own output must be accepted */
		kb_procedure_free(q);
		kb_problems_release(&ps2);
		json_decref(again);
		td_free(s);
		kb_procedure_free(p);
	}
	kb_problems_release(&ps);
	json_decref(o);
	return 0;
}
