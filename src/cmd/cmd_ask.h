/*
 * cmd_ask.h - `tongdai ask`: answer questions from the command line.
 * Registered in src/main.c's command table as
 *     {"ask", cmd_ask, "answer citizens' questions (one, or --jsonl from stdin)"},
 */
#ifndef TD_CMD_CMD_ASK_H
#define TD_CMD_CMD_ASK_H

struct td_config;

/* Arguments after "ask"; returns 0 success, 1 failure, 2 usage error. */
int cmd_ask(int argc, char **argv, struct td_config *cfg);

#endif
