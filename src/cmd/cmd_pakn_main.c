/*
 * cmd_pakn_main.c - `tongdai pakn SUBCOMMAND`: dispatch to the feedback and
 * petition (phản ánh, kiến nghị) commands: classifying, cases, Open311 keys,
 * the classifier's report.  Each subcommand lives in its own
 * file and takes argv with argv[0] = its own name.
 */
#include <stdio.h>
#include <string.h>

#include "cmd/cmd.h"
#include "cmd/cmd_pakn.h"
#include "cmd/cmd_pakn_cases.h"
#include "cmd/cmd_pakn_classify.h"

static const struct {
	const char *name;
	int (*run)(int, char **, struct td_config *);
	const char *help;
} subs[] = {
	{"classify", cmd_pakn_classify, "classify messages: category, level, emergency, place, agency"},
	{"submit", cmd_pakn_submit, "file a report as a durable case (prints its number)"},
	{"show", cmd_pakn_show, "one case: classification, place, agency, history"},
	{"list", cmd_pakn_list, "cases, filtered by status, agency, ward, date"},
	{"status", cmd_pakn_status, "move a case to its next status, with a note"},
	{"apikey", cmd_pakn_apikey, "manage Open311 API keys"},
	{"train", cmd_pakn_train, "cross-validated report of the classifier on its training data"},
};

static void usage(FILE *f)
{
	fprintf(f, "usage: tongdai pakn COMMAND [OPTIONS]\n\ncommands:\n");
	for (size_t i = 0; i < sizeof subs / sizeof subs[0]; i++)
		fprintf(f, "  %-9s %s\n", subs[i].name, subs[i].help);
	fprintf(f, "\nRun 'tongdai pakn COMMAND --help' for a command's options.\n");
}

int cmd_pakn(int argc, char **argv, struct td_config *cfg)
{
	if (argc < 2) {
		usage(stderr);
		return 2;
	}
	if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
		usage(stdout);
		return 0;
	}
	for (size_t i = 0; i < sizeof subs / sizeof subs[0]; i++)
		if (strcmp(argv[1], subs[i].name) == 0)
			return subs[i].run(argc - 1, argv + 1, cfg);
	fprintf(stderr, "tongdai pakn: unknown command '%s'\n\n", argv[1]);
	usage(stderr);
	return 2;
}
