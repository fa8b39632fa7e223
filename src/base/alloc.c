/* alloc.c - the allocation funnel: abort cleanly on OOM, check overflow. */
#include "base/alloc.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void oom(size_t n)
{
	fprintf(stderr, "tongdai: out of memory (allocating %zu bytes)\n", n);
	abort();
}

void *td_malloc(size_t n)
{
	void *p = malloc(n ? n : 1);
	if (!p)
		oom(n);
	return p;
}

void *td_calloc(size_t nmemb, size_t size)
{
	void *p = calloc(nmemb ? nmemb : 1, size ? size : 1);
	if (!p)
		oom(nmemb * size);
	return p;
}

void *td_realloc(void *p, size_t n)
{
	void *q = realloc(p, n ? n : 1);
	if (!q)
		oom(n);
	return q;
}

void *td_reallocarray(void *p, size_t nmemb, size_t size)
{
	if (size && nmemb > SIZE_MAX / size)
		oom(SIZE_MAX);
	return td_realloc(p, nmemb * size);
}

void td_free(void *p)
{
	free(p);
}

char *td_strdup(const char *s)
{
	return s ? td_strndup(s, strlen(s)) : NULL;
}

char *td_strndup(const char *s, size_t n)
{
	if (!s)
		return NULL;
	size_t len = strnlen(s, n);
	char *d = td_malloc(len + 1);
	memcpy(d, s, len);
	d[len] = '\0';
	return d;
}
