/*
 * cmd_pakn_classify.h - `tongdai pakn classify`: category, level, emergency,
 * place, agency and missing parts for feedback messages, from the command
 * line.  Called by the `pakn` dispatcher with argv[0] == "classify".
 */
#ifndef TD_CMD_CMD_PAKN_CLASSIFY_H
#define TD_CMD_CMD_PAKN_CLASSIFY_H

struct td_config;

/* Arguments after "pakn"; returns 0 success, 1 failure, 2 usage error. */
int cmd_pakn_classify(int argc, char **argv, struct td_config *cfg);

#endif
