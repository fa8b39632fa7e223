/*
 * bench_answer.c - latency of the whole answer path in process: intent,
 * aspect, search, decision, composing both renderings and the JSON, for
 * questions from a JSONL file, over a data dir that already holds the
 * records (`tongdai kb import`).  Usage:
 *     bench_answer DATA_DIR QUESTIONS.jsonl [rounds]
 * Prints answers/s and p50/p95/p99/max latency.
 */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "answer/answer.h"
#include "answer/bundle.h"
#include "base/alloc.h"
#include "base/buf.h"

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

int main(int argc, char **argv)
{
	if (argc < 3) {
		fprintf(stderr, "usage: %s DATA_DIR QUESTIONS.jsonl [rounds]\n", argv[0]);
		return 2;
	}
	int rounds = argc > 3 ? atoi(argv[3]) : 50;
	struct answer_bundle b;
	char err[512];
	double t0 = now();
	if (answer_bundle_open(&b, argv[1], NULL, err, sizeof err) != TD_OK) {
		fprintf(stderr, "bench_answer: %s\n", err);
		return 1;
	}
	printf("bundle: %zu procedures loaded and indexed in %.2f s\n", b.nprocs, now() - t0);

	FILE *f = fopen(argv[2], "r");
	if (!f) {
		perror(argv[2]);
		return 1;
	}
	char **qs = NULL;
	size_t nq = 0;
	char line[8192];
	while (fgets(line, sizeof line, f)) {
		json_t *o = json_loads(line, 0, NULL);
		const char *q = json_string_value(json_object_get(o, "question"));
		if (q) {
			qs = td_reallocarray(qs, nq + 1, sizeof *qs);
			qs[nq++] = td_strdup(q);
		}
		json_decref(o);
	}
	fclose(f);
	if (!nq)
		return 1;

	size_t total = nq * (size_t)rounds;
	double *lat = td_malloc(total * sizeof *lat);
	struct td_buf json;
	td_buf_init(&json, 1 << 20);
	double start = now();
	for (size_t i = 0; i < total; i++) {
		const char *q = qs[i % nq];
		double a = now();
		struct answer_result r;
		if (answer_question(b.engine, NULL, q, strlen(q), ANSWER_CHANNEL_CHAT, &r) == TD_OK) {
			td_buf_clear(&json);
			answer_result_json(&r, "x", &json);
			answer_result_release(&r);
		}
		lat[i] = now() - a;
	}
	double secs = now() - start;
	qsort(lat, total, sizeof *lat, cmp_double);
	printf("%zu answers in %.2f s: %.0f answers/s; latency p50 %.3f ms, p95 %.3f ms, "
	       "p99 %.3f ms, max %.3f ms\n",
	       total, secs, (double)total / secs, lat[total / 2] * 1e3, lat[total * 95 / 100] * 1e3,
	       lat[total * 99 / 100] * 1e3, lat[total - 1] * 1e3);
	td_buf_release(&json);
	td_free(lat);
	for (size_t i = 0; i < nq; i++)
		td_free(qs[i]);
	td_free(qs);
	answer_bundle_close(&b);
	return 0;
}
