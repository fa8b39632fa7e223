/*
 * test_pakn_place.c - the place resolver: the shipped tables against the
 * shared originals, every old ward (526) from "<ward>, <district>" in
 * several spellings, every new unit (126) by name, street-name and
 * other-province negatives, split wards, ambiguity rules.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <jansson.h>

#include "base/alloc.h"
#include "base/buf.h"
#include "pakn/place.h"
#include "text/vn.h"

static struct place_index *ix;
static struct place_result res;

static const char *src_dir(void)
{
	const char *s = getenv("TD_SOURCE_DIR");
	return s ? s : TD_SOURCE_DIR;
}

static const char *shared_dir(void)
{
	const char *s = getenv("TD_SHARED_DIR");
	return s ? s : TD_SOURCE_DIR "/../shared";
}

static int setup(void **state)
{
	(void)state;
	char err[512] = "";
	td_err e = place_index_load(&ix, src_dir(), err, sizeof err);
	if (e)
		fprintf(stderr, "load: %s\n", err);
	place_result_init(&res);
	return e == TD_OK ? 0 : -1;
}

static int teardown(void **state)
{
	(void)state;
	place_result_release(&res);
	place_index_free(ix);
	return 0;
}

/* The codes found in s, comma-separated, in a static buffer. */
static const char *codes(const char *s)
{
	static char out[PLACE_CODES_MAX * 6 + 1];
	assert_int_equal(place_resolve(ix, s, strlen(s), &res), TD_OK);
	out[0] = '\0';
	size_t k = 0;
	for (size_t i = 0; i < res.n; i++) {
		if (i)
			out[k++] = ',';
		memcpy(out + k, res.cand[i].code, 5);
		k += 5;
		out[k] = '\0';
	}
	return out;
}

static char *fold(const char *s)
{
	struct td_buf b;
	td_buf_init(&b, 1 << 16);
	assert_int_equal(vn_fold(&b, s, strlen(s), 0), TD_OK);
	return td_buf_detach(&b, NULL);
}

/* Replace every occurrence of a in s by b (caller frees). */
static char *replace(const char *s, const char *a, const char *b)
{
	struct td_buf o;
	td_buf_init(&o, 1 << 16);
	size_t la = strlen(a);
	while (*s) {
		if (strncmp(s, a, la) == 0) {
			td_buf_adds(&o, b);
			s += la;
		} else {
			td_buf_addc(&o, *s++);
		}
	}
	return td_buf_detach(&o, NULL);
}

/* New-style tone marks to old style and back: hoà↔hòa, thuỵ↔thụy. */
static char *swap_tones(const char *s)
{
	static const char *const pairs[][2] = {
		{"oà", "òa"}, {"oá", "óa"}, {"oả", "ỏa"}, {"oã", "õa"}, {"oạ", "ọa"},
		{"uỳ", "ùy"}, {"uý", "úy"}, {"uỷ", "ủy"}, {"uỹ", "ũy"}, {"uỵ", "ụy"},
	};
	char *cur = td_strdup(s);
	for (size_t i = 0; i < sizeof pairs / sizeof pairs[0]; i++) {
		char *nx = strstr(cur, pairs[i][0]) ? replace(cur, pairs[i][0], pairs[i][1])
						    : replace(cur, pairs[i][1], pairs[i][0]);
		td_free(cur);
		cur = nx;
	}
	return cur;
}

/* "Phường X" → "P. X", "Huyện Y" → "H. Y", "Thị xã Z" → "TX Z". */
static char *abbreviate(const char *full)
{
	static const char *const ab[][2] = {
		{"Phường ", "P. "}, {"Xã ", "X. "},   {"Thị trấn ", "TT. "},
		{"Quận ", "Q. "},   {"Huyện ", "H. "}, {"Thị xã ", "TX "},
	};
	for (size_t i = 0; i < sizeof ab / sizeof ab[0]; i++) {
		size_t l = strlen(ab[i][0]);
		if (strncmp(full, ab[i][0], l) == 0) {
			size_t n = strlen(ab[i][1]) + strlen(full + l) + 1;
			char *o = td_malloc(n);
			snprintf(o, n, "%s%s", ab[i][1], full + l);
			return o;
		}
	}
	return td_strdup(full);
}

static json_t *load_jsonl_array(const char *path)
{
	FILE *f = fopen(path, "r");
	assert_non_null(f);
	json_t *arr = json_array();
	char *line = NULL;
	size_t cap = 0;
	while (getline(&line, &cap, f) > 0) {
		json_error_t je;
		json_t *o = json_loads(line, 0, &je);
		assert_non_null(o);
		json_array_append_new(arr, o);
	}
	free(line); /* getline(3) */
	fclose(f);
	return arr;
}

/* Sorted new codes of an old_to_new_wards.jsonl row, comma-separated. */
static void row_codes(json_t *row, char *out, size_t cap)
{
	json_t *units = json_object_get(row, "new_units");
	const char *c[8];
	size_t n = 0;
	for (size_t i = 0; i < json_array_size(units) && n < 8; i++)
		c[n++] = json_string_value(json_object_get(json_array_get(units, i), "new_ward_code"));
	for (size_t i = 1; i < n; i++)
		for (size_t j = i; j > 0 && strcmp(c[j - 1], c[j]) > 0; j--) {
			const char *t = c[j];
			c[j] = c[j - 1];
			c[j - 1] = t;
		}
	size_t k = 0;
	out[0] = '\0';
	for (size_t i = 0; i < n && k + 7 < cap; i++) {
		if (i)
			out[k++] = ',';
		memcpy(out + k, c[i], 5);
		k += 5;
		out[k] = '\0';
	}
}

static void expect(const char *text, const char *want)
{
	const char *got = codes(text);
	if (strcmp(got, want) != 0)
		fail_msg("'%s': want [%s] got [%s] (%s)", text, want, got, res.reason);
}

/* The shipped tables say what the shared originals say. */
static void test_tables_match_sources(void **state)
{
	(void)state;
	char path[4096];
	snprintf(path, sizeof path, "%s/data/hanoi/old_to_new_wards.jsonl", shared_dir());
	json_t *rows = load_jsonl_array(path);
	assert_int_equal(json_array_size(rows), 526);
	assert_int_equal(place_index_old_ward_count(ix), 526);
	assert_int_equal(place_index_unit_count(ix), 126);
	assert_int_equal(place_index_district_count(ix), 30);
	size_t phuong = 0;
	for (size_t i = 0; i < place_index_unit_count(ix); i++)
		phuong += place_index_unit_at(ix, i)->type == PLACE_PHUONG;
	assert_int_equal(phuong, 51);
	for (size_t i = 0; i < json_array_size(rows); i++) {
		json_t *r = json_array_get(rows, i);
		const char *code = json_string_value(json_object_get(r, "old_ward_code"));
		const struct place_old_ward *o = NULL;
		for (size_t k = 0; k < place_index_old_ward_count(ix); k++)
			if (strcmp(place_index_old_ward_at(ix, k)->code, code) == 0)
				o = place_index_old_ward_at(ix, k);
		assert_non_null(o);
		assert_string_equal(o->name, json_string_value(json_object_get(r, "old_ward_name")));
		assert_string_equal(place_index_district_at(ix, o->district)->name,
				    json_string_value(json_object_get(r, "old_district_name")));
		json_t *units = json_object_get(r, "new_units");
		assert_int_equal(o->nunits, json_array_size(units));
		assert_int_equal(o->partial, json_array_size(units) > 1);
		for (size_t u = 0; u < o->nunits; u++) {
			const char *want = NULL;
			for (size_t k = 0; k < json_array_size(units); k++) {
				const char *c = json_string_value(
					json_object_get(json_array_get(units, k), "new_ward_code"));
				if (strcmp(c, place_index_unit_at(ix, o->unit[u])->code) == 0)
					want = c;
			}
			assert_non_null(want);
		}
	}
	json_decref(rows);

	snprintf(path, sizeof path, "%s/data/hanoi/wards_2025.csv", shared_dir());
	FILE *f = fopen(path, "r");
	assert_non_null(f);
	char line[512];
	size_t n = 0;
	while (fgets(line, sizeof line, f)) {
		char *code = strchr(line, ',');
		if (!code || strncmp(line, "stt", 3) == 0)
			continue;
		code++;
		char *name = strchr(code, ',');
		assert_non_null(name);
		*name++ = '\0';
		char *type = strchr(name, ',');
		assert_non_null(type);
		*type = '\0';
		const struct place_unit *u = place_index_unit_by_code(ix, code);
		assert_non_null(u);
		assert_string_equal(u->name, name);
		n++;
	}
	fclose(f);
	assert_int_equal(n, 126);
}

/* Every old ward, from its old address in several spellings. */
static void test_every_old_ward(void **state)
{
	(void)state;
	char path[4096];
	snprintf(path, sizeof path, "%s/data/hanoi/old_to_new_wards.jsonl", shared_dir());
	json_t *rows = load_jsonl_array(path);
	for (size_t i = 0; i < json_array_size(rows); i++) {
		json_t *r = json_array_get(rows, i);
		const char *w = json_string_value(json_object_get(r, "old_ward_name"));
		const char *d = json_string_value(json_object_get(r, "old_district_name"));
		char want[64];
		row_codes(r, want, sizeof want);
		char text[512];

		snprintf(text, sizeof text, "%s, %s", w, d);
		expect(text, want);
		assert_true(res.from_old_address);
		assert_int_equal(res.ambiguous, strchr(want, ',') != NULL);

		char *f = fold(text); /* no diacritics, lower case */
		expect(f, want);
		td_free(f);

		char *aw = abbreviate(w), *ad = abbreviate(d);
		snprintf(text, sizeof text, "%s %s", aw, ad); /* P. Trúc Bạch Q. Ba Đình */
		expect(text, want);
		snprintf(text, sizeof text, "%s,%s", aw, ad);
		f = fold(text);
		expect(f, want);
		td_free(f);
		td_free(aw);
		td_free(ad);

		snprintf(text, sizeof text, "%s, %s", w, d);
		char *t = swap_tones(text);
		expect(t, want);
		td_free(t);

		snprintf(text, sizeof text, "Nhà tôi ở %s %s, rác tồn đọng 3 ngày nay", w, d);
		expect(text, want);
	}
	json_decref(rows);
}

/* Every new unit by name with its prefix (full, abbreviated, folded). */
static void test_every_new_unit(void **state)
{
	(void)state;
	for (size_t i = 0; i < place_index_unit_count(ix); i++) {
		const struct place_unit *u = place_index_unit_at(ix, i);
		char text[256];
		expect(u->name, u->code);
		assert_false(res.from_old_address);
		char *f = fold(u->name);
		expect(f, u->code);
		td_free(f);
		snprintf(text, sizeof text, "%s %s", u->type == PLACE_PHUONG ? "P." : "X.",
			 u->short_name);
		expect(text, u->code);
		char *t = swap_tones(u->name);
		expect(t, u->code);
		td_free(t);
		snprintf(text, sizeof text, "Đề nghị %s kiểm tra giúp", u->name);
		expect(text, u->code);
	}
}

static void test_examples(void **state)
{
	(void)state;
	expect("phường Phúc Xá, quận Ba Đình", "00097");
	assert_true(res.from_old_address);
	assert_non_null(strstr(res.reason, "Phường Hồng Hà (00097)"));
	assert_int_equal(res.span_start, 0);
	assert_int_equal(res.span_len, strlen("phường Phúc Xá, quận Ba Đình"));
	expect("P. Trúc Bạch Q. Ba Đình", "00004");
	expect("X. Khai Thái, H. Phú Xuyên", "10342");
	expect("xã Khai Thái, huyện Phú Xuyên", "10342");
	expect("TT Phùng, H. Đan Phượng", "09784");
	expect("phường Xuân Khanh, TX Sơn Tây", "09604");
	expect("xa bat trang", "00577");
	expect("Xã Bát Tràng", "00577");
	expect("phường Yên Hoà", codes("phường Yên Hòa")); /* tone styles meet */
	expect("tôi ở Đức Thắng Bắc Từ Liêm", "00602");   /* bare, with the old district */
	expect("xã Tản Lĩnh", "09694");                   /* old name alone, unique */
	expect("P. Phúc Xá Q. Ba Đình cũ", "00097");
	expect("phường Phúc Xá (quận Ba Đình cũ), nay là phường Hồng Hà", "00097");
	expect("tôi ở Bát Tràng, gốm bị làm giả", "00577"); /* bare after a locative */
}

static void test_split_and_ambiguity(void **state)
{
	(void)state;
	/* a split old ward: every candidate, to confirm */
	expect("phường Tây Mỗ, quận Nam Từ Liêm", "00622,00634");
	assert_true(res.ambiguous);
	assert_true(res.from_old_address);
	/* the same name without the old district is the new unit */
	expect("phường Tây Mỗ", "00634");
	assert_false(res.ambiguous);
	/* an old name in three districts, none given: all candidates */
	expect("phường Quang Trung", "00229,00235,09552,09556,09910,10003");
	assert_true(res.ambiguous);
	/* the district narrows it, also when named elsewhere in the text */
	expect("phường Quang Trung, quận Hà Đông", "09552,09556");
	expect("UBND quận Đống Đa chưa xử lý, nhà tôi ở phường Quang Trung", "00229,00235");
	/* thị trấn is always old */
	expect("thị trấn Đông Anh", "00454,00466,00475");
}

static void test_negatives(void **state)
{
	(void)state;
	expect("Ổ gà lớn trên đường Trần Phú đoạn gần ngã tư", "");
	expect("đường Láng ngập sâu", "");
	expect("phố Hàng Bài lấn chiếm vỉa hè", "");
	expect("chợ Hà Đông bán hàng giả", "");
	expect("ông Trần Phú hàng xóm hát karaoke", "");
	expect("tôi ở Trần Phú", ""); /* a common name needs phường/xã */
	/* an old district alone gives no ward */
	expect("quận Ba Đình có nhiều rác", "");
	assert_non_null(strstr(res.reason, "Quận Ba Đình"));
	expect("TX Sơn Tây", "");
	expect("mưa to ở Hoàn Kiếm", "");
	/* other provinces: never a Hanoi unit */
	expect("xã Hưng Đạo, huyện Tứ Kỳ, tỉnh Hải Dương mất điện", "");
	expect("Tôi ở xã Hưng Đạo, tỉnh Hưng Yên", "");
	expect("xã Trần Phú, TP HCM", "");
	expect("Tôi ở phường Phú Lương, Hà Nam bị mất nước", "");
	expect("phường Hồng Sơn, tỉnh Nghệ An", "");
	expect("xa hung dao tinh hung yen", "");
	expect("hàng giả từ Bắc Ninh về bán ở xã Bát Tràng", "");
	expect("phường 5 quận 3", "");
	expect("tôi ở Vĩnh Phúc", ""); /* the province, not the old ward */
	expect("tỉnh Yên Bái", "");
	/* ...but Hanoi named explicitly keeps it */
	expect("xã Tản Lĩnh, Hà Nội", "09694");
	expect("phường Vĩnh Phúc quận Ba Đình", "00008");
	expect("xã Yên Bài", "09706");
	expect("", "");
	expect("   ", "");
}

static void test_garbage(void **state)
{
	(void)state;
	/* invalid UTF-8, long input, NULs: no crash, bounded */
	char buf[4096];
	for (size_t i = 0; i < sizeof buf; i++)
		buf[i] = (char)(i * 131 + 7);
	assert_int_equal(place_resolve(ix, buf, sizeof buf, &res), TD_OK);
	size_t big = PLACE_TEXT_MAX + 100;
	char *s = td_malloc(big);
	for (size_t i = 0; i < big; i++)
		s[i] = "xa bat trang "[i % 13];
	assert_int_equal(place_resolve(ix, s, big, &res), TD_OK);
	assert_string_equal(res.cand[0].code, "00577");
	td_free(s);
	assert_int_equal(place_resolve(NULL, "x", 1, &res), TD_ERR_INVAL);
	assert_int_equal(place_resolve(ix, NULL, 0, &res), TD_OK);
	struct place_index *bad = NULL;
	char err[256];
	assert_int_not_equal(place_index_load(&bad, "/nonexistent", err, sizeof err), TD_OK);
	assert_null(bad);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_tables_match_sources), cmocka_unit_test(test_every_old_ward),
		cmocka_unit_test(test_every_new_unit),	     cmocka_unit_test(test_examples),
		cmocka_unit_test(test_split_and_ambiguity),  cmocka_unit_test(test_negatives),
		cmocka_unit_test(test_garbage),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
