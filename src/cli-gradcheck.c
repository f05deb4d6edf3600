/* cli-gradcheck.c: placeholder until its issue lands. */
#include <stdio.h>
#include "cmd.h"

int
cmd_gradcheck(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	fprintf(stderr, "convgrad: 'gradcheck' is not built yet\n");
	return 2;
}
