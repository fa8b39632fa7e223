/*
 * bench_pakn_classify.c - speed of pakn_classify on one core, and (with a
 * labelled JSONL file) its accuracy on messages it was not trained on.
 *
 *     bench_pakn_classify [--resources DIR] [--rounds N] [--eval FILE.jsonl]
 *
 * Speed: every training row of data/pakn/train.tsv plus the held-out
 * messages of the unit test's style below, classified `rounds` times;
 * prints messages/s and the model's load (training) time.
 * --eval: each line {"text","category","level","emergency"} (emergency a
 * bool or a number string) is classified and the report of pakn_eval_print
 * is printed (category accuracy, macro-F1, emergency precision/recall, level
 * accuracy), with the misses listed.
 */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "base/alloc.h"
#include "pakn/pakn.h"
#include "pakn/pakn_eval.h"

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static const char *const extra[] = {
	"alo dạ em ở phường Láng Thượng cái ngõ nhà em đèn đường hỏng cả tuần rồi ạ",
	"Nhà số 8 ngõ 12 đang cháy to lắm, khói đen kín cả ngõ, gọi cứu hỏa giúp",
	"hom qua co vu chay o cho, gio da dap tat roi, de nghi kiem tra pccc",
	"cán bộ phường bắt tôi đi lại ba lần mới nhận hồ sơ khai sinh cho con",
	"Có hai thanh niên đang đánh nhau bằng gậy trước cổng chợ",
	"xe rac khong den thu gom 5 ngay nay, rac boc mui kinh khung",
};

static int do_eval(const struct pakn_model *m, const char *path)
{
	FILE *f = fopen(path, "r");
	if (!f) {
		perror(path);
		return 1;
	}
	struct pakn_eval_report r;
	pakn_eval_init(&r);
	char *line = NULL;
	size_t cap = 0;
	ssize_t len;
	while ((len = getline(&line, &cap, f)) > 0) {
		json_error_t je;
		json_t *o = json_loadb(line, (size_t)len, 0, &je);
		if (!o)
			continue;
		const char *text = json_string_value(json_object_get(o, "text"));
		const char *cat = json_string_value(json_object_get(o, "category"));
		const char *lvl = json_string_value(json_object_get(o, "level"));
		json_t *em = json_object_get(o, "emergency");
		char nums[32] = "";
		if (json_is_true(em))
			snprintf(nums, sizeof nums, "1");
		else if (json_is_string(em) && json_string_length(em))
			snprintf(nums, sizeof nums, "%s", json_string_value(em));
		else if (json_is_array(em) && json_array_size(em))
			snprintf(nums, sizeof nums, "1");
		size_t ci = pakn_category_count();
		for (size_t i = 0; cat && i < pakn_category_count(); i++)
			if (strcmp(pakn_category_slug(i), cat) == 0)
				ci = i;
		enum pakn_level gl = PAKN_LEVEL_NORMAL;
		if (lvl && strcmp(lvl, "urgent") == 0)
			gl = PAKN_LEVEL_URGENT;
		else if (lvl && strcmp(lvl, "complex") == 0)
			gl = PAKN_LEVEL_COMPLEX;
		if (!text || ci == pakn_category_count()) {
			json_decref(o);
			continue;
		}
		struct pakn_classification c;
		pakn_classify(m, text, strlen(text), &c);
		/* Only "is an emergency" is compared, not the numbers. */
		if (nums[0] && c.emergency)
			snprintf(nums, sizeof nums, "%s", c.emergency_numbers);
		pakn_eval_add(&r, ci, gl, nums, &c);
		if (strcmp(c.category, cat) || c.emergency != (nums[0] != 0) || c.level != gl)
			printf("MISS %s/%s/%s -> %s/%s/%s %.2f: %s\n", cat, lvl ? lvl : "?",
			       nums[0] ? "khẩn" : "-", c.category, pakn_level_name(c.level),
			       c.emergency ? c.emergency_numbers : "-", c.confidence, text);
		json_decref(o);
	}
	free(line);
	fclose(f);
	pakn_eval_finish(&r);
	pakn_eval_print(&r, stdout);
	return 0;
}

int main(int argc, char **argv)
{
	const char *resources = NULL, *eval = NULL;
	int rounds = 20;
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--resources") == 0 && i + 1 < argc)
			resources = argv[++i];
		else if (strcmp(argv[i], "--rounds") == 0 && i + 1 < argc)
			rounds = atoi(argv[++i]);
		else if (strcmp(argv[i], "--eval") == 0 && i + 1 < argc)
			eval = argv[++i];
		else {
			fprintf(stderr, "usage: %s [--resources DIR] [--rounds N] [--eval FILE.jsonl]\n",
				argv[0]);
			return 2;
		}
	}
	struct pakn_model *m;
	char err[512];
	double t0 = now();
	if (pakn_model_load(&m, resources, err, sizeof err) != TD_OK) {
		fprintf(stderr, "bench_pakn_classify: %s\n", err);
		return 1;
	}
	printf("model loaded and trained in %.3f s\n", now() - t0);
	if (eval) {
		int rc = do_eval(m, eval);
		pakn_model_free(m);
		return rc;
	}
	/* The training texts, read back from the file. */
	char path[4096];
	snprintf(path, sizeof path, "%s/data/pakn/train.tsv", resources ? resources : TD_SOURCE_DIR);
	FILE *f = fopen(path, "r");
	char **texts = NULL;
	size_t n = 0;
	char *line = NULL;
	size_t cap = 0;
	ssize_t len;
	while (f && (len = getline(&line, &cap, f)) > 0) {
		if (line[0] == '#' || line[0] == '\n')
			continue;
		char *t = line;
		for (int k = 0; k < 3 && t; k++) {
			t = strchr(t, '\t');
			if (t)
				t++;
		}
		if (!t)
			continue;
		t[strcspn(t, "\r\n")] = '\0';
		texts = td_reallocarray(texts, n + 1, sizeof *texts);
		texts[n++] = td_strdup(t);
	}
	free(line);
	if (f)
		fclose(f);
	for (size_t i = 0; i < sizeof extra / sizeof extra[0]; i++) {
		texts = td_reallocarray(texts, n + 1, sizeof *texts);
		texts[n++] = td_strdup(extra[i]);
	}
	size_t bytes = 0, emerg = 0;
	for (size_t i = 0; i < n; i++)
		bytes += strlen(texts[i]);
	struct pakn_classification c;
	t0 = now();
	for (int r = 0; r < rounds; r++)
		for (size_t i = 0; i < n; i++) {
			pakn_classify(m, texts[i], strlen(texts[i]), &c);
			emerg += c.emergency;
		}
	double dt = now() - t0;
	double total = (double)n * rounds;
	printf("%zu messages (avg %.0f bytes) x %d rounds: %.0f messages/s, %.1f us/message "
	       "(%zu emergencies)\n",
	       n, n ? (double)bytes / (double)n : 0.0, rounds, total / dt, 1e6 * dt / total, emerg);
	for (size_t i = 0; i < n; i++)
		td_free(texts[i]);
	td_free(texts);
	pakn_model_free(m);
	return 0;
}
