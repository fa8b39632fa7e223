/* test_kb_json.c - tongdai JSON format: round trip, validation, file loading. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "base/alloc.h"
#include "kb/kb.h"
#include "kb/kb_json.h"

static const char *good_record =
	"{\"code\": \"1.001193\", \"name\": \"Thủ tục đăng ký khai sinh\", \"field\": \"Hộ tịch\","
	" \"levels\": [\"Cấp xã\"], \"agency\": \"UBND cấp xã\","
	" \"channels\": [{\"channel\": \"direct\", \"duration\": {\"value\": 1, \"unit\": \"working_days\","
	"  \"text\": \"Ngay trong ngày\"}, \"fee\": {\"amount_vnd\": null, \"free\": true, \"text\": \"Miễn lệ phí\"}},"
	"  {\"channel\": \"online\", \"duration\": {\"value\": 0.5, \"unit\": \"working_days\", \"text\": \"0,5 ngày\"},"
	"   \"fee\": {\"amount_vnd\": 8000, \"free\": false, \"text\": \"8.000 đồng\"}}],"
	" \"dossier\": [{\"name\": \"Tờ khai đăng ký khai sinh\", \"form\": \"Mẫu KS\", \"originals\": 1,"
	"  \"copies\": 0, \"case\": null}],"
	" \"legal_basis\": [{\"number\": \"60/2014/QH13\", \"title\": \"Luật Hộ tịch\", \"date\": \"2014-11-20\"}],"
	" \"aliases\": [\"làm giấy khai sinh\"], \"as_of\": \"2026-11-28\", \"sample\": true}";

static struct kb_procedure *parse(const char *text, struct kb_problems *ps)
{
	json_error_t e;
	json_t *o = json_loads(text, 0, &e);
	assert_non_null(o);
	struct kb_procedure *p = NULL;
	kb_procedure_from_json(o, 0, &p, ps);
	json_decref(o);
	return p;
}

static bool has_problem(const struct kb_problems *ps, const char *path, enum kb_severity sev)
{
	for (size_t i = 0; i < ps->n; i++)
		if (strcmp(ps->items[i].path, path) == 0 && ps->items[i].severity == sev)
			return true;
	return false;
}

static void test_parse_good(void **state)
{
	(void)state;
	struct kb_problems ps;
	kb_problems_init(&ps);
	struct kb_procedure *p = parse(good_record, &ps);
	assert_non_null(p);
	assert_int_equal(ps.errors, 0);
	assert_string_equal(p->code, "1.001193");
	assert_int_equal(p->n_channels, 2);
	assert_true(p->channels[0].fee.free);
	assert_false(p->channels[0].fee.has_amount);
	assert_int_equal(p->channels[1].kind, KB_CHANNEL_ONLINE);
	assert_true(p->channels[1].duration.has_value);
	assert_true(p->channels[1].duration.value == 0.5);
	assert_true(p->channels[1].fee.amount_vnd == 8000);
	assert_string_equal(p->channels[1].fee.currency, "VND");
	assert_int_equal(p->dossier[0].originals, 1);
	assert_string_equal(p->legal[0].number, "60/2014/QH13");
	assert_true(p->sample);
	kb_procedure_free(p);
	kb_problems_release(&ps);
}

static void test_round_trip_is_stable(void **state)
{
	(void)state;
	struct kb_problems ps;
	kb_problems_init(&ps);
	struct kb_procedure *p = parse(good_record, &ps);
	char *a = kb_procedure_to_string(p, KB_JSON_CONTENT | KB_JSON_RAW);
	struct kb_procedure *q = parse(a, &ps);
	assert_non_null(q);
	char *b = kb_procedure_to_string(q, KB_JSON_CONTENT | KB_JSON_RAW);
	assert_string_equal(a, b);
	/* integers stay integers, halves stay halves */
	assert_non_null(strstr(a, "\"value\":0.5"));
	assert_non_null(strstr(a, "\"amount_vnd\":8000,"));
	td_free(a);
	td_free(b);
	kb_procedure_free(p);
	kb_procedure_free(q);
	kb_problems_release(&ps);
}

static void test_validation_reports_every_problem(void **state)
{
	(void)state;
	struct kb_problems ps;
	kb_problems_init(&ps);
	const char *bad =
		"{\"code\": \"1.00119\", \"name\": \"\", \"levels\": \"Cấp xã\","
		" \"channels\": [{\"channel\": \"fax\"}, {\"channel\": \"online\","
		"  \"duration\": {\"value\": 5, \"unit\": \"weeks\"}, \"fee\": {\"amount_vnd\": -1}}],"
		" \"legal_basis\": [{\"date\": \"2014-13-01\"}], \"as_of\": \"28/11/2026\", \"fees\": 1}";
	struct kb_procedure *p = parse(bad, &ps);
	assert_null(p);
	assert_true(has_problem(&ps, "code", KB_SEV_ERROR));
	assert_true(has_problem(&ps, "name", KB_SEV_ERROR));
	assert_true(has_problem(&ps, "levels", KB_SEV_ERROR));
	assert_true(has_problem(&ps, "channels[0].channel", KB_SEV_ERROR));
	assert_true(has_problem(&ps, "channels[1].duration.unit", KB_SEV_ERROR));
	assert_true(has_problem(&ps, "channels[1].fee.amount_vnd", KB_SEV_ERROR));
	assert_true(has_problem(&ps, "legal_basis[0]", KB_SEV_ERROR));
	assert_true(has_problem(&ps, "legal_basis[0].date", KB_SEV_ERROR));
	assert_true(has_problem(&ps, "as_of", KB_SEV_ERROR));
	assert_true(has_problem(&ps, "fees", KB_SEV_WARNING));
	/* the record code is attached to every problem found after it */
	for (size_t i = 0; i < ps.n; i++)
		assert_string_equal(ps.items[i].code, "1.00119");
	/* messages are Vietnamese */
	assert_non_null(strstr(ps.items[0].message, "Mã thủ tục"));
	kb_problems_release(&ps);
}

static void test_free_with_amount_is_warning(void **state)
{
	(void)state;
	struct kb_problems ps;
	kb_problems_init(&ps);
	const char *bad = "{\"code\": \"1.000001\", \"name\": \"X\", \"as_of\": \"2026-01-01\","
			  " \"channels\": [{\"channel\": \"direct\", \"fee\": {\"amount_vnd\": 5000, \"free\": true}}]}";
	struct kb_procedure *p = parse(bad, &ps);
	assert_non_null(p); /* a temporary waiver of a regular fee */
	assert_true(has_problem(&ps, "channels[0].fee", KB_SEV_WARNING));
	kb_procedure_free(p);
	kb_problems_release(&ps);
}

static void test_decomposed_text_is_normalised(void **state)
{
	(void)state;
	struct kb_problems ps;
	kb_problems_init(&ps);
	/* "Đăng ký" with combining marks (a + U+0306, y + U+0301) */
	const char *text = "{\"code\": \"1.000001\", \"name\": \"\u0110a\u0306ng ky\u0301\","
			   " \"as_of\": \"2026-01-01\"}";
	struct kb_procedure *p = parse(text, &ps);
	assert_non_null(p);
	assert_string_equal(p->name, "Đăng ký");
	assert_true(has_problem(&ps, "name", KB_SEV_WARNING));
	kb_procedure_free(p);
	kb_problems_release(&ps);
}

static char *write_tmp(const char *suffix, const char *text)
{
	char *path = td_malloc(64);
	snprintf(path, 64, "/tmp/td_kbjson_XXXXXX%s", suffix);
	int fd = mkstemps(path, (int)strlen(suffix));
	assert_true(fd >= 0);
	assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	close(fd);
	return path;
}

static int collect(struct kb_procedure *p, void *ctx)
{
	(*(int *)ctx)++;
	kb_procedure_free(p);
	return 0;
}

static void test_load_bundle_with_duplicate_and_bad(void **state)
{
	(void)state;
	char text[8192];
	snprintf(text, sizeof text,
		 "{\"format\": \"tongdai-kb\", \"version\": 1, \"owner\": \"Sở Tư pháp\", \"procedures\": ["
		 "%s, %s, {\"code\": \"bad\", \"name\": \"x\", \"as_of\": \"2026-01-01\"}]}",
		 good_record, good_record);
	char *path = write_tmp(".json", text);
	struct kb_problems ps;
	kb_problems_init(&ps);
	int n = 0;
	assert_int_equal(kb_file_load(path, KB_FORMAT_TONGDAI, collect, &n, &ps), TD_OK);
	assert_int_equal(n, 1);
	assert_int_equal(ps.rejected, 2);
	bool dup = false;
	for (size_t i = 0; i < ps.n; i++)
		dup |= strcmp(ps.items[i].kind, "duplicate") == 0;
	assert_true(dup);
	kb_problems_release(&ps);
	unlink(path);
	td_free(path);
}

static void test_load_syntax_error_has_line(void **state)
{
	(void)state;
	char *path = write_tmp(".json", "{\n\"code\": \"1.000001\",\n\"name\": oops\n}");
	struct kb_problems ps;
	kb_problems_init(&ps);
	int n = 0;
	assert_int_equal(kb_file_load(path, KB_FORMAT_TONGDAI, collect, &n, &ps), TD_ERR_PARSE);
	assert_int_equal(n, 0);
	assert_int_equal(ps.items[0].line, 3);
	assert_string_equal(ps.items[0].kind, "syntax");
	kb_problems_release(&ps);
	unlink(path);
	td_free(path);

	path = write_tmp(".jsonl", "{\"code\": \"1.000001\", \"name\": \"A\", \"as_of\": \"2026-01-01\"}\n"
				   "not json\n\n"
				   "{\"code\": \"1.000002\", \"name\": \"B\", \"as_of\": \"2026-01-01\"}\n");
	kb_problems_init(&ps);
	assert_int_equal(kb_file_load(path, KB_FORMAT_TONGDAI, collect, &n, &ps), TD_OK);
	assert_int_equal(n, 2);
	assert_int_equal(ps.rejected, 1);
	bool line2 = false;
	for (size_t i = 0; i < ps.n; i++)
		line2 |= ps.items[i].line == 2 && ps.items[i].severity == KB_SEV_ERROR;
	assert_true(line2);
	kb_problems_release(&ps);
	unlink(path);
	td_free(path);
}

static void test_missing_file(void **state)
{
	(void)state;
	struct kb_problems ps;
	kb_problems_init(&ps);
	int n = 0;
	assert_int_equal(kb_file_load("/nonexistent/x.json", KB_FORMAT_TONGDAI, collect, &n, &ps),
			 TD_ERR_IO);
	assert_int_equal(ps.errors, 1);
	kb_problems_release(&ps);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_good),
		cmocka_unit_test(test_round_trip_is_stable),
		cmocka_unit_test(test_validation_reports_every_problem),
		cmocka_unit_test(test_free_with_amount_is_warning),
		cmocka_unit_test(test_load_bundle_with_duplicate_and_bad),
		cmocka_unit_test(test_load_syntax_error_has_line),
		cmocka_unit_test(test_missing_file),
		cmocka_unit_test(test_decomposed_text_is_normalised),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
