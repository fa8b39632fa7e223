/*
 * main.c - the tongdai program: reads the configuration and dispatches to a
 * subcommand.  All the work is in libtongdai; see src/cmd/ for the thin
 * command-line layer of each subcommand.
 */
#include <locale.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>

#include "base/config.h"
#include "base/log.h"
#include "cmd/cmd.h"
#include "cmd/cmd_ask.h"

static const struct {
	const char *name;
	int (*run)(int, char **, struct td_config *);
	const char *help;
} commands[] = {
	{"ask", cmd_ask, "answer citizens' questions (one, or --jsonl from standard input)"},
	{"kb", cmd_kb, "manage the procedure knowledge base (import, show, list, validate, export, history)"},
	{"pakn", cmd_pakn, "feedback and petitions: classify, place, route (and cases)"},
	{"serve", cmd_serve, "start the HTTP switchboard"},
};

static void usage(FILE *f)
{
	fprintf(f, "usage: tongdai [--config FILE] COMMAND [ARGS]\n\n"
		   "tongdai - AI switchboard for city public-administration services.\n\ncommands:\n");
	for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
		fprintf(f, "  %-8s %s\n", commands[i].name, commands[i].help);
	fprintf(f, "\nRun 'tongdai COMMAND --help' for a command's options.\n"
		   "\nSettings (tongdai.conf as key = value, or TONGDAI_<KEY> in the environment;\n"
		   "flags override both):\n");
	const char *help;
	for (size_t i = 0; td_config_key(i, &help); i++)
		fprintf(f, "  %-20s %s\n", td_config_key(i, NULL), help);
}

int main(int argc, char **argv)
{
	setlocale(LC_ALL, "C.UTF-8");
	signal(SIGPIPE, SIG_IGN);

	struct td_config *cfg = td_config_new();
	int rc = 2;
	int i = 1;
	const char *conf = NULL;
	if (i + 1 < argc && strcmp(argv[i], "--config") == 0) {
		conf = argv[i + 1];
		i += 2;
	}
	char err[512];
	td_err e = td_config_load_file(cfg, conf ? conf : "tongdai.conf", err, sizeof err);
	if (e != TD_OK && (conf || e != TD_ERR_NOTFOUND)) {
		fprintf(stderr, "tongdai: %s\n", err);
		goto out;
	}
	td_config_load_env(cfg);
	int lvl = td_log_level_parse(td_config_get(cfg, "log_level"));
	if (lvl >= 0)
		td_log_set_level((enum td_log_level)lvl);

	if (i >= argc) {
		usage(stderr);
		goto out;
	}
	if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0 ||
	    strcmp(argv[i], "help") == 0) {
		usage(stdout);
		rc = 0;
		goto out;
	}
	if (strcmp(argv[i], "--version") == 0) {
		printf("tongdai %s\n", TD_VERSION);
		rc = 0;
		goto out;
	}
	for (size_t k = 0; k < sizeof commands / sizeof commands[0]; k++) {
		if (strcmp(argv[i], commands[k].name) == 0) {
			rc = commands[k].run(argc - i, argv + i, cfg);
			goto out;
		}
	}
	fprintf(stderr, "tongdai: unknown command '%s'\n\n", argv[i]);
	usage(stderr);
out:
	td_config_free(cfg);
	return rc;
}
