/*
 * cmd_pakn.h - `tongdai pakn train`: the cross-validated report of the PAKN
 * classifier.  The other `pakn` subcommands live in another file; the
 * dispatcher in src/main.c calls cmd_pakn_train for "pakn train" with argv[0]
 * == "train".
 */
#ifndef TD_CMD_CMD_PAKN_H
#define TD_CMD_CMD_PAKN_H

struct td_config;

/* Arguments after "pakn" (argv[0] is "train"); returns 0 success, 1 failure
 * (the data does not load), 2 usage error. */
int cmd_pakn_train(int argc, char **argv, struct td_config *cfg);

#endif
