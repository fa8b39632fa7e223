/*
 * bench_pakn_place.c - how many texts per second the place resolver reads.
 *
 * Texts: the PAKN dev set (../shared/data/pakn/dev.jsonl, "text" pulled out
 * with a crude scan) when readable, else a built-in mix of new names, old
 * addresses, street names and texts without a place.  Each text is resolved
 * repeatedly on one core for the given seconds; prints texts/s and MB/s.
 *
 *     bench_pakn_place [dev.jsonl] [seconds, default 2]
 *
 * Not a test: numbers depend on the machine.  Build without sanitizers.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "base/alloc.h"
#include "pakn/place.h"

static const char *const builtin[] = {
	"Lấn chiếm vỉa hè ở phường Phúc Xá, quận Ba Đình từ sáng nay",
	"X. Khai Thái, H. Phú Xuyên: làm thủ tục chứng thực bị thu phí",
	"xa le chi huyen gia lam, xe container di vao duong lien thon",
	"Ổ gà lớn trên đường Trần Phú đoạn gần ngã tư, đề nghị sửa",
	"Bệnh viện thu thêm tiền giường dịch vụ dù không có giường trống",
	"Quán cà phê nhạc sống ở phường Láng tổ chức biểu diễn đến gần 12h đêm",
	"Tôi ở xã Hưng Đạo, tỉnh Hưng Yên, mất điện cả ngày",
	"P. Yên Nghĩa, Q. Hà Đông: xe khách dừng đón khách trên Quốc lộ 6",
};

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Pull "text" values out of a JSONL file (\" and \\ only). */
static size_t load_texts(const char *path, char ***out)
{
	FILE *f = fopen(path, "r");
	if (!f)
		return 0;
	char line[1 << 16];
	size_t n = 0;
	char **v = NULL;
	while (fgets(line, sizeof line, f)) {
		char *p = strstr(line, "\"text\": \"");
		size_t skip = 9;
		if (!p) {
			p = strstr(line, "\"text\":\"");
			skip = 8;
		}
		if (!p)
			continue;
		p += skip;
		char *o = td_malloc(strlen(p) + 1);
		size_t k = 0;
		for (; *p && *p != '"'; p++) {
			if (*p == '\\' && p[1])
				p++;
			o[k++] = *p;
		}
		o[k] = '\0';
		v = td_reallocarray(v, n + 1, sizeof *v);
		v[n++] = o;
	}
	fclose(f);
	*out = v;
	return n;
}

int main(int argc, char **argv)
{
	const char *dev = argc > 1 ? argv[1] : TD_SOURCE_DIR "/../shared/data/pakn/dev.jsonl";
	double secs = argc > 2 ? atof(argv[2]) : 2.0;
	char **texts = NULL;
	size_t n = load_texts(dev, &texts);
	const char *from = dev;
	if (n == 0) {
		n = sizeof builtin / sizeof builtin[0];
		texts = td_calloc(n, sizeof *texts);
		for (size_t i = 0; i < n; i++)
			texts[i] = td_strdup(builtin[i]);
		from = "built-in texts";
	}
	struct place_index *ix;
	char err[512];
	double t0 = now();
	if (place_index_load(&ix, TD_SOURCE_DIR, err, sizeof err) != TD_OK) {
		fprintf(stderr, "bench_pakn_place: %s\n", err);
		return 1;
	}
	double load = now() - t0;
	struct place_result r;
	place_result_init(&r);
	size_t done = 0, bytes = 0, found = 0;
	t0 = now();
	double t1;
	do {
		for (size_t i = 0; i < n; i++) {
			size_t len = strlen(texts[i]);
			place_resolve(ix, texts[i], len, &r);
			found += r.n > 0;
			bytes += len;
		}
		done += n;
		t1 = now();
	} while (t1 - t0 < secs);
	printf("place_resolve: %zu texts from %s, index load %.1f ms\n", n, from, load * 1e3);
	printf("  %.0f texts/s, %.1f MB/s, %.2f us/text (%zu with a place per pass of %zu)\n",
	       (double)done / (t1 - t0), (double)bytes / (t1 - t0) / 1e6,
	       (t1 - t0) / (double)done * 1e6, found * n / done, n);
	place_result_release(&r);
	place_index_free(ix);
	for (size_t i = 0; i < n; i++)
		td_free(texts[i]);
	td_free(texts);
	return 0;
}
