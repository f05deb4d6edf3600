/*
 * bench-tutor.c: how fast the tutor answers a key while it verifies.
 *
 *   bench-tutor CONVGRAD LESSON [KEYS [SHAPE [steps]]]
 *
 * Runs `CONVGRAD tutor --no-resume --shape 2,3,16,16,4,3,3 --stride 1,1 LESSON`
 * (its progress kept in a temporary XDG_STATE_HOME) on a
 * pseudo-terminal (80x24), goes to step 2 (whose claims then verify in the
 * background: about two million sampled tuples each), and sends KEYS
 * (default 200) cursor moves, 20 ms apart, reading the pty all along. The
 * tutor writes, after each key is handled and the screen refreshed, the
 * time to CONVGRAD_TUTOR_KEYLOG (CLOCK_MONOTONIC, the same clock as ours):
 * a key's latency is that time minus the time we wrote the key. Prints
 * p50, p99 and the largest, over all keys and over those that came while a
 * verification ran, then how long q took to end the process.
 *
 * SHAPE replaces 2,3,16,16,4,3,3; "steps" sends n and p in turn instead of
 * cursor moves, and the first n's latency is printed either way: lesson 7
 * at 2,3,100,100,4,3,3 times the step changes while its lets (cols alone
 * is 2 x 27 x 9604 entries) are evaluated in the background.
 *
 * `make bench` runs it on lesson 3 and on lesson 7, whose step 2 shows
 * its lets as panes (Y, Wm, cols: each key recomputes the panes' state,
 * the im2col check of the cols slice included, 27 x 196 entries here).
 *
 * Figures depend on the machine's load: on a shared machine they are
 * noisy, and the number of processors and the load average are printed
 * with them.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pty.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define MAX_KEYS 10000

static long long
now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

/* The screen text seen so far (the last part of it). */
static char seen[65536];
static size_t nseen;

/* Read what the tutor wrote, for up to ms milliseconds. */
static void
drain(int fd, int ms)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };
	char buf[4096];
	ssize_t n;

	while (poll(&p, 1, ms) > 0) {
		n = read(fd, buf, sizeof buf);
		if (n <= 0)
			return;
		if (nseen + (size_t)n >= sizeof seen) {
			memmove(seen, seen + sizeof seen / 2, sizeof seen / 2);
			nseen -= sizeof seen / 2;
		}
		memcpy(seen + nseen, buf, (size_t)n);
		nseen += (size_t)n;
		ms = 0;
	}
}

static bool
seen_has(const char *s)
{
	return memmem(seen, nseen, s, strlen(s)) != NULL;
}

/* The keylog's line i (0-based): its time and busy flag. false if it is
 * not written yet. */
static bool
keylog_line(const char *path, int i, long long *ns, int *busy)
{
	FILE *f = fopen(path, "r");
	int key, j = 0, b;
	long long t;
	bool found = false;

	if (f == NULL)
		return false;
	while (fscanf(f, "%d %lld %d", &key, &t, &b) == 3) {
		if (j++ == i) {
			*ns = t, *busy = b, found = true;
			break;
		}
	}
	fclose(f);
	return found;
}

/* Wait (reading the pty) for keylog line i, up to 10 s. */
static bool
wait_key(int fd, const char *log, int i, long long *ns, int *busy)
{
	long long until = now_ns() + 10000000000LL;

	while (now_ns() < until) {
		if (keylog_line(log, i, ns, busy))
			return true;
		drain(fd, 1);
	}
	return false;
}

/* The progress the tutor saved under state (convgrad/progress and its
 * lock), then the directories. */
static void
state_remove(const char *state)
{
	static const char *const files[] = { "convgrad/progress",
	    "convgrad/progress.lock", "convgrad", "" };
	char path[4200];
	size_t i;

	for (i = 0; i < sizeof files / sizeof files[0]; i++) {
		snprintf(path, sizeof path, "%s/%s", state, files[i]);
		if (unlink(path) != 0)
			rmdir(path);
	}
}

static int
cmp_ll(const void *a, const void *b)
{
	long long x = *(const long long *)a, y = *(const long long *)b;

	return x < y ? -1 : x > y;
}

static void
report(const char *what, long long *v, int n)
{
	if (n == 0) {
		printf("  %-28s no keys\n", what);
		return;
	}
	qsort(v, (size_t)n, sizeof *v, cmp_ll);
	printf("  %-28s %4d keys  p50 %6.2f ms  p99 %6.2f ms  max %6.2f ms\n",
	    what, n, v[n / 2] / 1e6, v[(n * 99) / 100 < n ? (n * 99) / 100 : n - 1] / 1e6,
	    v[n - 1] / 1e6);
}

int
main(int argc, char **argv)
{
	struct winsize ws = { .ws_row = 24, .ws_col = 80 };
	char log[] = "/tmp/bench-tutor-XXXXXX";
	char state[] = "/tmp/bench-tutor-state-XXXXXX";
	static long long all[MAX_KEYS], busy_lat[MAX_KEYS];
	int nkeys = argc > 3 ? atoi(argv[3]) : 200, nall = 0, nbusy = 0;
	const char *shape = argc > 4 ? argv[4] : "2,3,16,16,4,3,3";
	bool steps = argc > 5 && strcmp(argv[5], "steps") == 0;
	long long first_n;
	int fd, lfd, i, status = 0, busy;
	long long t0, t1, quit_ns = -1;
	double load[3] = { 0, 0, 0 };
	pid_t pid;

	if (argc < 3 || nkeys < 1 || nkeys > MAX_KEYS) {
		fprintf(stderr, "usage: bench-tutor CONVGRAD LESSON [KEYS [SHAPE "
		    "[steps]]]\n");
		return 2;
	}
	lfd = mkstemp(log);
	if (lfd < 0) {
		perror("bench-tutor: mkstemp");
		return 1;
	}
	close(lfd);
	if (mkdtemp(state) == NULL) {
		perror("bench-tutor: mkdtemp");
		return 1;
	}
	pid = forkpty(&fd, NULL, NULL, &ws);
	if (pid < 0) {
		perror("bench-tutor: forkpty");
		return 1;
	}
	if (pid == 0) {
		setenv("TERM", "xterm", 1);
		setenv("LC_ALL", "C.UTF-8", 1);
		setenv("CONVGRAD_TUTOR_KEYLOG", log, 1);
		/* At step 1 whatever was saved, and nothing saved in the home. */
		setenv("XDG_STATE_HOME", state, 1);
		execl(argv[1], argv[1], "tutor", "--no-resume", "--shape",
		    shape, "--stride", "1,1", argv[2], (char *)NULL);
		perror("bench-tutor: exec");
		_exit(127);
	}
	for (i = 0; i < 1000 && !seen_has("step 1/"); i++)
		drain(fd, 10);
	if (!seen_has("step 1/")) {
		fprintf(stderr, "bench-tutor: the tutor did not show the lesson\n");
		kill(pid, SIGKILL);
		return 1;
	}
	t0 = now_ns();
	if (write(fd, "n", 1) != 1 || !wait_key(fd, log, 0, &t1, &busy)) {
		fprintf(stderr, "bench-tutor: no answer to n\n");
		kill(pid, SIGKILL);
		return 1;
	}
	first_n = t1 - t0;
	drain(fd, 200);         /* the verification under way */
	for (i = 0; i < nkeys; i++) {
		const char *k = steps ? (i % 2 == 0 ? "n" : "p") :
		    (i % 2 == 0 ? "l" : "h");

		t0 = now_ns();
		if (write(fd, k, 1) != 1 || !wait_key(fd, log, i + 1, &t1, &busy)) {
			fprintf(stderr, "bench-tutor: key %d not answered in 10 s\n", i);
			break;
		}
		all[nall++] = t1 - t0;
		if (busy)
			busy_lat[nbusy++] = t1 - t0;
		drain(fd, 20);
	}
	t0 = now_ns();
	if (write(fd, "q", 1) == 1) {
		while (now_ns() - t0 < 10000000000LL) {
			drain(fd, 1);
			if (waitpid(pid, &status, WNOHANG) == pid) {
				quit_ns = now_ns() - t0;
				break;
			}
		}
	}
	if (quit_ns < 0) {
		kill(pid, SIGKILL);
		waitpid(pid, &status, 0);
	}
	unlink(log);
	state_remove(state);
	getloadavg(load, 3);
	printf("bench-tutor: keystroke latency (key written to screen refreshed) "
	    "while the tutor verifies\n  in the background: --shape "
	    "%s --stride 1,1, %s step 2, 80x24 pty, %s\n", shape, argv[2],
	    steps ? "keys n and p (step changes)" : "cursor moves");
	printf("  machine: %ld processors, load average %.2f (shared: figures "
	    "are noisy)\n", sysconf(_SC_NPROCESSORS_ONLN), load[0]);
	printf("  the first n (to step 2): %.2f ms\n", first_n / 1e6);
	report("every key", all, nall);
	report("while verifying", busy_lat, nbusy);
	if (quit_ns >= 0)
		printf("  q to the process's end: %.2f ms (exit status %d)\n",
		    quit_ns / 1e6, WIFEXITED(status) ? WEXITSTATUS(status) : -1);
	else
		printf("  q did not end the process within 10 s\n");
	return nall == nkeys && quit_ns >= 0 ? 0 : 1;
}
