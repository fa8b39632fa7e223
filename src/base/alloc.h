/*
 * alloc.h - the allocation funnel.
 *
 * All heap memory goes through these.  On failure they print one line and
 * abort: sizes that come from outside are capped before they reach here, so an
 * abort means the machine is truly out of memory, not that a peer asked for
 * too much.  Tests may install a failing hook to exercise error paths.
 */
#ifndef TD_BASE_ALLOC_H
#define TD_BASE_ALLOC_H

#include <stddef.h>

void *td_malloc(size_t n);
void *td_calloc(size_t nmemb, size_t size);
void *td_realloc(void *p, size_t n);
/* Grow an array of nmemb elements of size each; checks the multiplication. */
void *td_reallocarray(void *p, size_t nmemb, size_t size);
void td_free(void *p);

/* Copies; NULL in gives NULL out.  The caller owns the result. */
char *td_strdup(const char *s);
char *td_strndup(const char *s, size_t n);

#endif
