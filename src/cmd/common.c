/* common.c - options every subcommand accepts. */
#include <stdio.h>
#include <string.h>

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
