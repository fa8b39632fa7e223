/* cmd_kb.c - placeholder. */
#include <stdio.h>

#include "cmd/cmd.h"

int cmd_kb(int argc, char **argv, struct td_config *cfg)
{
	(void)argc;
	(void)argv;
	(void)cfg;
	return 1;
}
