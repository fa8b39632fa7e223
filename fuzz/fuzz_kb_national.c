/*
 * fuzz_kb_national.c - fuzz target for the national-portal importer.
 *
 * The input is used twice: whole, as one JSONL line for
 * kb_national_parse_line; and as a NUL-terminated string handed to each
 * field parser directly, so the table heuristics see arbitrary bytes even
 * when the input is not valid JSON.  Seeds in fuzz/corpus/fuzz_kb_national/
 * are real lines of the export plus truncated and garbled variants.
 */
#include <stdint.h>
#include <string.h>

#include "base/alloc.h"
#include "kb/kb.h"
#include "kb/kb_national.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size > KB_NATIONAL_MAX_LINE)
		return 0;
	struct kb_procedure *p = NULL;
	char err[256];
	if (kb_national_parse_line((const char *)data, size, &p, err, sizeof err) == TD_OK)
		kb_procedure_free(p);

	char *s = td_malloc(size + 1);
	memcpy(s, data, size);
	s[size] = '\0';
	p = kb_procedure_new();
	kb_national_parse_channels(p, s);
	kb_national_parse_dossier(p, s);
	kb_national_parse_legal(p, s);
	kb_national_clean_result(p, s);
	kb_procedure_free(p);

	struct kb_duration d;
	struct kb_fee f;
	struct kb_strlist notes = {0};
	kb_national_parse_duration(s, &d, &notes);
	td_free(d.text);
	kb_national_parse_fee(s, &f, &notes);
	td_free(f.text);
	td_free(f.currency);
	kb_strlist_release(&notes);
	td_free(s);
	return 0;
}
