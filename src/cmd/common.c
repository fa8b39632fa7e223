/* common.c - options every subcommand accepts. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>

#include "base/config.h"
#include "cmd/cmd.h"

int cmd_common_option(int argc, char **argv, struct td_config *cfg)
{
	const char *opt = argv[0];
	const char *key = NULL;
	if (strcmp(opt, "--data-dir") == 0)
		key = "data_dir";
	else if (strcmp(opt, "--log-level") == 0)
		key = "log_level";
	else if (strcmp(opt, "--listen") == 0)
		key = "listen";
	if (!key)
		return 0;
	if (argc < 2) {
		fprintf(stderr, "tongdai: %s needs a value\n", opt);
		return -1;
	}
	td_config_set(cfg, key, argv[1]);
	return 2;
}

int cmd_jsonl_each(int (*fn)(void *ctx, char *line, size_t n, size_t lineno), void *ctx,
		   size_t max)
{
	char *line = NULL;
	size_t cap = 0, lineno = 0;
	ssize_t len;
	int rc = 0;
	while ((len = getline(&line, &cap, stdin)) >= 0) {
		lineno++;
		if ((size_t)len > max) {
			printf("{\"id\":\"line-%zu\",\"error\":\"too_big\"}\n", lineno);
			rc = 1;
		} else if (fn(ctx, line, (size_t)len, lineno) != 0) {
			rc = 1;
		}
		fflush(stdout);
	}
	free(line); /* allocated by getline(3) with malloc */
	return rc;
}
