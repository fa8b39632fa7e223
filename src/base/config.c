/* config.c - defaults < file < environment < flags (see config.h). */
#include "base/config.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/alloc.h"

static const struct {
	const char *key;
	const char *def;
	const char *help;
} known[] = {
	{"data_dir", "./var", "directory holding the database and other state"},
	{"listen", "127.0.0.1:8080", "address:port the HTTP server listens on"},
	{"log_level", "info", "debug, info, warn, error or off"},
	{"http_threads", "2", "HTTP worker threads"},
	{"http_max_body", "1048576", "largest request body accepted, in bytes"},
	{"http_rate_limit", "50", "requests per second allowed per client address (0: off)"},
	{"pakn_dup_days", "7", "days within which a similar report in the same ward joins an open case"},
	{"pakn_dup_threshold", "0.5", "text similarity (0..1) above which a report is a duplicate"},
	{"web_dir", "", "directory of the static pages (default: the built-in location)"},
	{"session_ttl_seconds", "1800", "idle seconds after which a chat session cannot be resumed"},
};
#define NKNOWN (sizeof known / sizeof known[0])

struct td_config {
	char *values[NKNOWN];
};

static int key_index(const char *key)
{
	for (size_t i = 0; i < NKNOWN; i++)
		if (strcmp(known[i].key, key) == 0)
			return (int)i;
	return -1;
}

struct td_config *td_config_new(void)
{
	struct td_config *cfg = td_calloc(1, sizeof *cfg);
	for (size_t i = 0; i < NKNOWN; i++)
		cfg->values[i] = td_strdup(known[i].def);
	return cfg;
}

void td_config_free(struct td_config *cfg)
{
	if (!cfg)
		return;
	for (size_t i = 0; i < NKNOWN; i++)
		td_free(cfg->values[i]);
	td_free(cfg);
}

td_err td_config_set(struct td_config *cfg, const char *key, const char *value)
{
	int i = key_index(key);
	if (i < 0)
		return TD_ERR_NOTFOUND;
	td_free(cfg->values[i]);
	cfg->values[i] = td_strdup(value);
	return TD_OK;
}

const char *td_config_get(const struct td_config *cfg, const char *key)
{
	int i = key_index(key);
	return i < 0 ? NULL : cfg->values[i];
}

long td_config_get_long(const struct td_config *cfg, const char *key, long def)
{
	const char *v = td_config_get(cfg, key);
	if (!v || !*v)
		return def;
	char *end;
	errno = 0;
	long n = strtol(v, &end, 10);
	if (errno || *end)
		return def;
	return n;
}

const char *td_config_key(size_t i, const char **help)
{
	if (i >= NKNOWN)
		return NULL;
	if (help)
		*help = known[i].help;
	return known[i].key;
}

static char *trim(char *s)
{
	while (isspace((unsigned char)*s))
		s++;
	char *e = s + strlen(s);
	while (e > s && isspace((unsigned char)e[-1]))
		*--e = '\0';
	return s;
}

td_err td_config_load_file(struct td_config *cfg, const char *path, char *err, size_t errlen)
{
	FILE *f = fopen(path, "r");
	if (!f) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return errno == ENOENT ? TD_ERR_NOTFOUND : TD_ERR_IO;
	}
	char line[4096];
	int lineno = 0;
	td_err rc = TD_OK;
	while (fgets(line, sizeof line, f)) {
		lineno++;
		char *s = trim(line);
		if (!*s || *s == '#')
			continue;
		char *eq = strchr(s, '=');
		if (!eq) {
			snprintf(err, errlen, "%s:%d: expected 'key = value'", path, lineno);
			rc = TD_ERR_CONFIG;
			break;
		}
		*eq = '\0';
		char *key = trim(s), *val = trim(eq + 1);
		if (td_config_set(cfg, key, val) != TD_OK) {
			snprintf(err, errlen, "%s:%d: unknown key '%s'", path, lineno, key);
			rc = TD_ERR_CONFIG;
			break;
		}
	}
	fclose(f);
	return rc;
}

void td_config_load_env(struct td_config *cfg)
{
	for (size_t i = 0; i < NKNOWN; i++) {
		char name[64] = "TONGDAI_";
		size_t n = strlen(name);
		for (const char *k = known[i].key; *k && n < sizeof name - 1; k++)
			name[n++] = (char)toupper((unsigned char)*k);
		name[n] = '\0';
		const char *v = getenv(name);
		if (v)
			td_config_set(cfg, known[i].key, v);
	}
}
