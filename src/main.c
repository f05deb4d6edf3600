/*
 * main.c: dispatch to the front ends.
 *
 *   convgrad                      the tutor on the bundled lessons
 *   convgrad LESSON|DIR           the tutor on that lesson
 *   convgrad tutor [LESSON]       the tutor
 *   convgrad verify [FILES|DIRS]  verify lessons in batch
 *   convgrad show LESSON          print a lesson as text
 *   convgrad gradcheck [OPTIONS]  check a conv2d layer's gradients
 *   convgrad lab step-size        the step-size lab, as text or JSON
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <locale.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cmd.h"

static const struct command {
	const char *name;
	int (*run)(int, char **);
	const char *summary;
} commands[] = {
	{ "tutor",     cmd_tutor,     "walk through the derivation (the default)" },
	{ "verify",    cmd_verify,    "verify lessons against finite differences" },
	{ "show",      cmd_show,      "print a lesson as text with rendered formulas" },
	{ "gradcheck", cmd_gradcheck, "check a conv2d layer's gradients entry by entry" },
	{ "lab",       cmd_lab,       "step-size: finite-difference error against h" },
};

static void
usage(FILE *f)
{
	size_t i;

	fprintf(f, "Usage: convgrad [COMMAND] [OPTIONS] [ARGS]\n"
	    "Learn, teach and check the gradients of 2-D convolution.\n\n"
	    "Commands:\n");
	for (i = 0; i < sizeof commands / sizeof commands[0]; i++)
		fprintf(f, "  %-10s  %s\n", commands[i].name, commands[i].summary);
	fprintf(f, "\nWith no command, convgrad opens the tutor; 'convgrad LESSON' opens\n"
	    "the tutor on that lesson (a file, or a directory of lessons).\n"
	    "'convgrad COMMAND --help' describes a command's options.\n\n"
	    "  -h, --help     show this help and exit\n"
	    "  -V, --version  show the version and exit\n\n"
	    "Exit status: 0 success, 1 a check failed, 2 bad usage or input.\n"
	    "See convgrad(1).\n");
}

/* A path rather than a command word: it exists, names a folder, or is a
 * Markdown file. The tutor then reports a missing one itself. */
static bool
looks_like_lesson(const char *arg)
{
	size_t n = strlen(arg);

	return access(arg, F_OK) == 0 || strchr(arg, '/') != NULL ||
	    (n > 3 && strcmp(arg + n - 3, ".md") == 0);
}

/* A closed standard stream would be reused by the next file opened: a
 * lesson read as fd 1, a --dump file written by printf. stdin and stderr
 * become /dev/null; a closed stdout is refused (every command's output
 * would be lost). False if stdout is closed. */
static bool
std_streams_open(void)
{
	int fd;

	for (fd = 0; fd <= 2; fd++) {
		if (fcntl(fd, F_GETFD) != -1 || errno != EBADF)
			continue;
		if (fd == 1)
			return false;
		if (open("/dev/null", fd == 0 ? O_RDONLY : O_WRONLY) != fd)
			return false;
	}
	return true;
}

/* Every command's output goes to stdout through stdio: a write that
 * failed (a full disk, /dev/full, a closed pipe's EPIPE) leaves the
 * stream's error flag, and the last buffer is written at the flush.
 * Both are checked once, here, for every command: "convgrad: write
 * error on standard output: No space left on device", exit 2. */
static int
close_stdout(int rc)
{
	bool bad = fflush(stdout) != 0;
	int e = errno;

	bad |= ferror(stdout) != 0;
	if (fclose(stdout) != 0 && !bad) {
		bad = true;
		e = errno;
	}
	if (!bad)
		return rc;
	fprintf(stderr, "convgrad: write error on standard output: %s\n",
	    e != 0 ? strerror(e) : "the output is incomplete");
	return 2;
}

static int
run(int argc, char **argv)
{
	size_t i;

	if (argc < 2 || argv[1][0] == '-') {
		if (argc >= 2 && (strcmp(argv[1], "--help") == 0 ||
		    strcmp(argv[1], "-h") == 0)) {
			usage(stdout);
			return 0;
		}
		if (argc >= 2 && (strcmp(argv[1], "--version") == 0 ||
		    strcmp(argv[1], "-V") == 0)) {
			printf("convgrad %s\n", PACKAGE_VERSION);
			return 0;
		}
		/* No command, or only options: the tutor takes them. */
		return cmd_tutor(argc, argv);
	}
	for (i = 0; i < sizeof commands / sizeof commands[0]; i++) {
		if (strcmp(argv[1], commands[i].name) == 0)
			return commands[i].run(argc - 1, argv + 1);
	}
	/* `convgrad LESSON`: the tutor on that lesson (or directory). */
	if (looks_like_lesson(argv[1]))
		return cmd_tutor(argc, argv);
	fprintf(stderr, "convgrad: unknown command '%s'\n", argv[1]);
	usage(stderr);
	return 2;
}

int
main(int argc, char **argv)
{
	if (!std_streams_open()) {
		fprintf(stderr, "convgrad: standard output is closed\n");
		return 2;
	}
	setlocale(LC_ALL, "");
	/* Numbers are read and written the C way whatever the locale: "2.5"
	 * in a lesson, --eps 1e-6, and the reports' figures and JSON. */
	setlocale(LC_NUMERIC, "C");
	return close_stdout(run(argc, argv));
}
