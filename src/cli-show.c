/* cli-show.c: placeholder until its issue lands. */
#include <stdio.h>
#include "cmd.h"

int
cmd_show(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	fprintf(stderr, "convgrad: 'show' is not built yet\n");
	return 2;
}
