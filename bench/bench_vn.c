/*
 * bench_vn.c - how fast the Vietnamese keys are, against the naive recipe.
 *
 * Reads the national procedure export (one JSON object a line), pulls out
 * every "ten_thu_tuc" with a crude scan (no JSON library: only \" \\ \/ \n
 * escapes are decoded, which is all the names use), and folds all the names
 * many times with each method, printing MB/s of input.  The naive method is
 * what STACK.md §3.4 measured: utf8proc_map(COMPAT|DECOMPOSE|CASEFOLD|
 * STRIPMARK), then đ → d by hand, one malloc per call.  A second workload
 * folds whole records (all fields), closer to what indexing does.
 *
 *     bench_vn [national_2642.jsonl] [seconds per method, default 1]
 *
 * Not a test: numbers depend on the machine; compare the ratios.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <utf8proc.h>

#include "base/alloc.h"
#include "base/buf.h"
#include "text/vn.h"

struct corpus {
	char **s;
	size_t *len;
	size_t n, cap, bytes;
};

static void corpus_add(struct corpus *c, const char *s, size_t n)
{
	if (c->n == c->cap) {
		c->cap = c->cap ? 2 * c->cap : 1024;
		c->s = td_reallocarray(c->s, c->cap, sizeof *c->s);
		c->len = td_reallocarray(c->len, c->cap, sizeof *c->len);
	}
	c->s[c->n] = td_strndup(s, n);
	c->len[c->n] = n;
	c->n++;
	c->bytes += n;
}

static void corpus_free(struct corpus *c)
{
	for (size_t i = 0; i < c->n; i++)
		td_free(c->s[i]);
	td_free(c->s);
	td_free(c->len);
}

/* The string value after "key": in line, unescaped into out. */
static bool json_string_field(const char *line, const char *key, struct td_buf *out)
{
	const char *p = strstr(line, key);
	if (!p)
		return false;
	p += strlen(key);
	while (*p == ' ' || *p == ':')
		p++;
	if (*p != '"')
		return false;
	for (p++; *p && *p != '"'; p++) {
		if (*p == '\\' && p[1]) {
			p++;
			td_buf_addc(out, *p == 'n' ? ' ' : *p);
		} else {
			td_buf_addc(out, *p);
		}
	}
	return true;
}

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static size_t sink;

static void naive_fold(const char *s, size_t n)
{
	utf8proc_uint8_t *dst = NULL;
	utf8proc_ssize_t r = utf8proc_map((const utf8proc_uint8_t *)s, (utf8proc_ssize_t)n, &dst,
					  UTF8PROC_COMPAT | UTF8PROC_DECOMPOSE | UTF8PROC_CASEFOLD |
						  UTF8PROC_STRIPMARK);
	if (r < 0)
		return;
	/* đ (C4 91) → d, in place. */
	size_t w = 0;
	for (utf8proc_ssize_t i = 0; i < r; i++) {
		if (dst[i] == 0xC4 && i + 1 < r && dst[i + 1] == 0x91) {
			dst[w++] = 'd';
			i++;
		} else {
			dst[w++] = dst[i];
		}
	}
	sink += w;
	free(dst); /* utf8proc allocates with malloc */
}

static void naive_nfc(const char *s, size_t n)
{
	utf8proc_uint8_t *dst = NULL;
	utf8proc_ssize_t r = utf8proc_map((const utf8proc_uint8_t *)s, (utf8proc_ssize_t)n, &dst,
					  UTF8PROC_STABLE | UTF8PROC_COMPOSE);
	if (r >= 0)
		sink += (size_t)r;
	free(dst);
}

enum method { M_FOLD, M_FOLD_CASE, M_NFC, M_TOKENS, M_NAIVE_FOLD, M_NAIVE_NFC };

static const char *method_name[] = {
	"vn_fold (folded key)", "vn_fold_case (accented key)", "vn_normalize (NFC)",
	"vn_tokenize", "naive utf8proc fold + đ", "naive utf8proc NFC",
};

/* Run one method over the corpus until secs have passed; returns MB/s. */
static double run(const struct corpus *c, enum method m, double secs)
{
	struct td_buf b;
	struct vn_token toks[256];
	size_t bytes = 0;
	double t0 = now(), t;

	td_buf_init(&b, VN_KEY_BOUND(VN_INPUT_MAX));
	do {
		for (size_t i = 0; i < c->n; i++) {
			td_buf_clear(&b);
			switch (m) {
			case M_FOLD:
				vn_fold(&b, c->s[i], c->len[i], 0);
				break;
			case M_FOLD_CASE:
				vn_fold_case(&b, c->s[i], c->len[i], 0);
				break;
			case M_NFC:
				vn_normalize(&b, c->s[i], c->len[i], 0);
				break;
			case M_TOKENS:
				sink += vn_tokenize(c->s[i], c->len[i], toks, 256);
				break;
			case M_NAIVE_FOLD:
				naive_fold(c->s[i], c->len[i]);
				break;
			case M_NAIVE_NFC:
				naive_nfc(c->s[i], c->len[i]);
				break;
			}
			sink += b.len;
		}
		bytes += c->bytes;
		t = now();
	} while (t - t0 < secs);
	td_buf_release(&b);
	return (double)bytes / (t - t0) / 1e6;
}

/* How many names fold differently from the naive recipe (expected: the
 * i/y rule, collapsed spaces, compatibility characters). */
static size_t count_differences(const struct corpus *c, const char **example)
{
	struct td_buf b;
	size_t diff = 0;
	td_buf_init(&b, VN_KEY_BOUND(VN_INPUT_MAX));
	*example = NULL;
	for (size_t i = 0; i < c->n; i++) {
		td_buf_clear(&b);
		vn_fold(&b, c->s[i], c->len[i], 0);
		utf8proc_uint8_t *dst = NULL;
		utf8proc_ssize_t r = utf8proc_map((const utf8proc_uint8_t *)c->s[i],
						  (utf8proc_ssize_t)c->len[i], &dst,
						  UTF8PROC_COMPAT | UTF8PROC_DECOMPOSE |
							  UTF8PROC_CASEFOLD | UTF8PROC_STRIPMARK);
		if (r >= 0) {
			size_t w = 0;
			for (utf8proc_ssize_t k = 0; k < r; k++) {
				if (dst[k] == 0xC4 && k + 1 < r && dst[k + 1] == 0x91) {
					dst[w++] = 'd';
					k++;
				} else {
					dst[w++] = dst[k];
				}
			}
			if (w != b.len || memcmp(dst, b.data, w) != 0) {
				diff++;
				if (!*example)
					*example = c->s[i];
			}
		}
		free(dst);
	}
	td_buf_release(&b);
	return diff;
}

static void report(const char *title, const struct corpus *c, double secs)
{
	double mbs[6];
	printf("\n%s: %zu strings, %.2f MB, %.1f bytes each\n", title, c->n,
	       (double)c->bytes / 1e6, c->n ? (double)c->bytes / (double)c->n : 0.0);
	for (int m = 0; m < 6; m++) {
		mbs[m] = run(c, (enum method)m, secs);
		printf("  %-30s %9.1f MB/s\n", method_name[m], mbs[m]);
	}
	printf("  fold: vn_fold / naive          %9.1fx\n", mbs[M_FOLD] / mbs[M_NAIVE_FOLD]);
	printf("  NFC:  vn_normalize / naive     %9.1fx\n", mbs[M_NFC] / mbs[M_NAIVE_NFC]);
}

int main(int argc, char **argv)
{
	char path[4096];
	const char *shared = getenv("TD_SHARED_DIR");
	double secs = argc > 2 ? atof(argv[2]) : 1.0;
	struct corpus names = { 0 }, records = { 0 };
	struct td_buf line, field;
	int c;

	if (argc > 1)
		snprintf(path, sizeof path, "%s", argv[1]);
	else
		snprintf(path, sizeof path, "%s/data/tthc/national_2642.jsonl",
			 shared ? shared : TD_SOURCE_DIR "/../shared");
	FILE *f = fopen(path, "rb");
	if (!f) {
		perror(path);
		return 1;
	}
	if (secs <= 0)
		secs = 1.0;
	td_buf_init(&line, 64 << 20);
	td_buf_init(&field, 1 << 20);
	for (;;) {
		td_buf_clear(&line);
		while ((c = getc(f)) != EOF && c != '\n')
			td_buf_addc(&line, (char)c);
		if (line.len) {
			td_buf_clear(&field);
			if (json_string_field(line.data, "\"ten_thu_tuc\"", &field) && field.len)
				corpus_add(&names, field.data, field.len);
			corpus_add(&records, line.data, line.len);
		}
		if (c == EOF)
			break;
	}
	fclose(f);
	td_buf_release(&line);
	td_buf_release(&field);
	if (!names.n) {
		fprintf(stderr, "%s: no ten_thu_tuc found\n", path);
		return 1;
	}

	const char *example;
	size_t diff = count_differences(&names, &example);
	printf("bench_vn: %s\n", path);
	printf("names folding differently from the naive recipe: %zu of %zu%s%s\n", diff, names.n,
	       example ? " (first: " : "", example ? example : "");
	if (example)
		printf(")\n");
	report("procedure names (ten_thu_tuc)", &names, secs);
	report("whole records (every field, raw JSON)", &records, secs);
	corpus_free(&names);
	corpus_free(&records);
	return sink == 42 ? 2 : 0;
}
