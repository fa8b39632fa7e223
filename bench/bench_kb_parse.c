/*
 * bench_kb_parse.c - in-process cost of the national importer's parsing and
 * of serialising to tongdai JSON, without the store.  Usage:
 *     bench_kb_parse national_2642.jsonl [rounds]
 * Prints per-record microseconds and MB/s for: jansson parse alone (the
 * floor: what any importer pays to read the JSON), full kb_national parse,
 * and parse + kb_procedure_to_string.
 */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "base/alloc.h"
#include "kb/kb.h"
#include "kb/kb_json.h"
#include "kb/kb_national.h"

struct lines {
	char **s;
	size_t *len;
	size_t n;
	size_t bytes;
};

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void load(const char *path, struct lines *L)
{
	FILE *f = fopen(path, "r");
	if (!f) {
		perror(path);
		exit(1);
	}
	char *line = NULL;
	size_t cap = 0;
	ssize_t n;
	while ((n = getline(&line, &cap, f)) > 0) {
		L->s = td_reallocarray(L->s, L->n + 1, sizeof *L->s);
		L->len = td_reallocarray(L->len, L->n + 1, sizeof *L->len);
		L->s[L->n] = td_strndup(line, (size_t)n);
		L->len[L->n] = (size_t)n;
		L->bytes += (size_t)n;
		L->n++;
	}
	free(line);
	fclose(f);
}

static void report(const char *what, const struct lines *L, int rounds, double secs)
{
	double per = secs / ((double)L->n * rounds);
	printf("%-34s %8.1f us/record %8.1f MB/s %9.0f records/s\n", what, per * 1e6,
	       (double)L->bytes * rounds / secs / 1e6, 1.0 / per);
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		fprintf(stderr, "usage: %s national.jsonl [rounds]\n", argv[0]);
		return 2;
	}
	int rounds = argc > 2 ? atoi(argv[2]) : 3;
	struct lines L = {0};
	load(argv[1], &L);
	printf("%zu records, %.1f MB\n", L.n, (double)L.bytes / 1e6);

	double t0 = now();
	for (int r = 0; r < rounds; r++)
		for (size_t i = 0; i < L.n; i++)
			json_decref(json_loadb(L.s[i], L.len[i], 0, NULL));
	report("jansson parse only (floor)", &L, rounds, now() - t0);

	size_t warnings = 0;
	t0 = now();
	for (int r = 0; r < rounds; r++)
		for (size_t i = 0; i < L.n; i++) {
			struct kb_procedure *p;
			char err[256];
			if (kb_national_parse_line(L.s[i], L.len[i], &p, err, sizeof err) == TD_OK) {
				warnings += p->warnings.n;
				kb_procedure_free(p);
			}
		}
	report("kb_national_parse_line", &L, rounds, now() - t0);

	t0 = now();
	for (int r = 0; r < rounds; r++)
		for (size_t i = 0; i < L.n; i++) {
			struct kb_procedure *p;
			char err[256];
			if (kb_national_parse_line(L.s[i], L.len[i], &p, err, sizeof err) == TD_OK) {
				td_free(kb_procedure_to_string(p, KB_JSON_CONTENT | KB_JSON_RAW));
				kb_procedure_free(p);
			}
		}
	report("parse + to tongdai JSON", &L, rounds, now() - t0);
	printf("warnings per round: %zu\n", warnings / (size_t)rounds);

	for (size_t i = 0; i < L.n; i++)
		td_free(L.s[i]);
	td_free(L.s);
	td_free(L.len);
	return 0;
}
