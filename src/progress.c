/*
 * progress.c: the progress store (progress.h). Records are kept as their
 * file lines ("seen\tLESSON\tSTEP"), so merging two stores is the union of
 * two sets of strings.
 */
#include "config.h"

#include <assert.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "progress.h"
#include "util.h"

#define PROGRESS_HEADER "convgrad-progress 1"
#define PROGRESS_MAX_SIZE ((size_t)16 << 20)

struct progress {
	char **rec;             /* "seen\t..." and "solved\t..." lines */
	int n;
	char *last_lesson;      /* or NULL */
	int last_step;
};

progress_t *
progress_create(void)
{
	return xcalloc(1, sizeof(progress_t));
}

static void
progress_clear(progress_t *p)
{
	int i;

	for (i = 0; i < p->n; i++)
		free(p->rec[i]);
	free(p->rec);
	free(p->last_lesson);
	memset(p, 0, sizeof *p);
}

void
progress_free(progress_t *p)
{
	if (p == NULL)
		return;
	progress_clear(p);
	free(p);
}

char *
progress_default_path(void)
{
	const char *x = getenv("XDG_STATE_HOME"), *h = getenv("HOME");

	if (x != NULL && x[0] == '/')
		return xasprintf("%s/convgrad/progress", x);
	if (h != NULL && h[0] != '\0')
		return xasprintf("%s/.local/state/convgrad/progress", h);
	return NULL;
}

static bool
has_rec(const progress_t *p, const char *r)
{
	int i;

	for (i = 0; i < p->n; i++)
		if (strcmp(p->rec[i], r) == 0)
			return true;
	return false;
}

/* Add record r (taken) unless it is there. */
static void
add_rec(progress_t *p, char *r)
{
	if (has_rec(p, r)) {
		free(r);
		return;
	}
	p->rec = xreallocarray(p->rec, (size_t)p->n + 1, sizeof *p->rec);
	p->rec[p->n++] = r;
}

static void
check_field(const char *s)
{
	assert(s != NULL && strpbrk(s, "\t\n") == NULL);
	(void)s;
}

void
progress_mark_seen(progress_t *p, const char *lesson, int step)
{
	check_field(lesson);
	add_rec(p, xasprintf("seen\t%s\t%d", lesson, step));
}

bool
progress_seen(const progress_t *p, const char *lesson, int step)
{
	char *r = xasprintf("seen\t%s\t%d", lesson, step);
	bool yes = has_rec(p, r);

	free(r);
	return yes;
}

int
progress_count_seen(const progress_t *p, const char *lesson)
{
	char *pre = xasprintf("seen\t%s\t", lesson);
	int i, n = 0;

	for (i = 0; i < p->n; i++)
		n += strncmp(p->rec[i], pre, strlen(pre)) == 0;
	free(pre);
	return n;
}

void
progress_mark_solved(progress_t *p, const char *lesson, const char *exercise)
{
	check_field(lesson);
	check_field(exercise);
	add_rec(p, xasprintf("solved\t%s\t%s", lesson, exercise));
}

bool
progress_solved(const progress_t *p, const char *lesson, const char *exercise)
{
	char *r = xasprintf("solved\t%s\t%s", lesson, exercise);
	bool yes = has_rec(p, r);

	free(r);
	return yes;
}

void
progress_set_last(progress_t *p, const char *lesson, int step)
{
	check_field(lesson);
	assert(step >= 0 || step == PROGRESS_LIST);
	free(p->last_lesson);
	p->last_lesson = xstrdup(lesson);
	p->last_step = step;
}

bool
progress_last(const progress_t *p, const char **lesson, int *step)
{
	if (p->last_lesson == NULL)
		return false;
	*lesson = p->last_lesson;
	*step = p->last_step;
	return true;
}

/* A step number: digits only, below a million. */
static bool
parse_step(const char *s, int *v)
{
	size_t n = strspn(s, "0123456789");

	if (n == 0 || n > 6 || s[n] != '\0')
		return false;
	*v = atoi(s);
	return true;
}

/* One line of the file into p. NULL, or what is wrong with it (static). */
static const char *
parse_line(progress_t *p, char *line)
{
	char *kind = line, *a, *b;
	int step;

	if ((a = strchr(kind, '\t')) == NULL || (b = strchr(a + 1, '\t')) ==
	    NULL || strchr(b + 1, '\t') != NULL)
		return "expected three tab-separated fields";
	*a++ = '\0';
	*b++ = '\0';
	if (*a == '\0' || *b == '\0')
		return "an empty field";
	if (strcmp(kind, "solved") == 0) {
		progress_mark_solved(p, a, b);
		return NULL;
	}
	if (strcmp(kind, "last") == 0 && strcmp(b, "list") == 0) {
		progress_set_last(p, a, PROGRESS_LIST);
		return NULL;
	}
	if (!parse_step(b, &step))
		return "the step is not a number";
	if (strcmp(kind, "seen") == 0)
		progress_mark_seen(p, a, step);
	else if (strcmp(kind, "last") == 0)
		progress_set_last(p, a, step);
	else
		return "unknown record (seen, solved, last)";
	return NULL;
}

/* Parse text into p. 0, or -1 with *why and *line. */
static int
parse_text(progress_t *p, char *text, size_t len, const char **why,
    int *lineno)
{
	char *line = text, *nl;

	*lineno = 1;
	if (memchr(text, '\0', len) != NULL)
		return *why = "a NUL byte", -1;
	if (len == 0 || (nl = strchr(text, '\n')) == NULL ||
	    (size_t)(nl - text) != strlen(PROGRESS_HEADER) ||
	    strncmp(text, PROGRESS_HEADER, strlen(PROGRESS_HEADER)) != 0)
		return *why = "expected the header '" PROGRESS_HEADER "'", -1;
	for (line = nl + 1; *line != '\0'; line = nl + 1) {
		++*lineno;
		if ((nl = strchr(line, '\n')) == NULL)
			return *why = "the last line has no newline (cut short?)",
			    -1;
		*nl = '\0';
		if ((*why = parse_line(p, line)) != NULL)
			return -1;
	}
	return 0;
}

/* PATH.corrupt-YYYYMMDD-HHMMSS (UTC), with -2, -3, ... when that is
 * taken (two in one second), so no corrupt file overwrites another. */
static char *
aside_name(const char *path)
{
	char stamp[32], *name;
	time_t now = time(NULL);
	struct tm tm;
	int k;

	if (gmtime_r(&now, &tm) == NULL ||
	    strftime(stamp, sizeof stamp, "%Y%m%d-%H%M%S", &tm) == 0)
		snprintf(stamp, sizeof stamp, "%lld", (long long)now);
	name = xasprintf("%s.corrupt-%s", path, stamp);
	for (k = 2; access(name, F_OK) == 0 && k < 100; k++) {
		free(name);
		name = xasprintf("%s.corrupt-%s-%d", path, stamp, k);
	}
	return name;
}

int
progress_load(progress_t *p, const char *path, char **warn)
{
	const char *why = NULL;
	char *text = NULL, *err = NULL, *aside;
	size_t len;
	int line = 0, rc;

	progress_clear(p);
	if (access(path, F_OK) != 0 && errno == ENOENT)
		return 0;
	rc = read_file_max(path, PROGRESS_MAX_SIZE, &text, &len, &err);
	if (rc == 0 && parse_text(p, text, len, &why, &line) == 0) {
		free(text);
		return 0;
	}
	progress_clear(p);
	free(text);
	aside = aside_name(path);
	if (rename(path, aside) != 0) {
		free(aside);
		aside = NULL;
	}
	/* What happened first: a one-line message line shows the start. */
	if (err != NULL)
		set_error(warn, "unreadable progress file, progress starts "
		    "afresh: %s%s%s", err, aside ? "; set aside as " : "",
		    aside ? aside : "");
	else
		set_error(warn, "corrupt progress file, progress starts afresh: "
		    "%s:%d: %s%s%s", path, line, why,
		    aside ? "; set aside as " : "", aside ? aside : "");
	free(err);
	free(aside);
	return 1;
}

/* Write p to f, every write checked. true, or false with errno. */
static bool
write_file(const progress_t *p, FILE *f)
{
	bool ok = fprintf(f, "%s\n", PROGRESS_HEADER) >= 0;
	int i;

	for (i = 0; ok && i < p->n; i++)
		ok = fprintf(f, "%s\n", p->rec[i]) >= 0;
	if (ok && p->last_lesson != NULL && p->last_step == PROGRESS_LIST)
		ok = fprintf(f, "last\t%s\tlist\n", p->last_lesson) >= 0;
	else if (ok && p->last_lesson != NULL)
		ok = fprintf(f, "last\t%s\t%d\n", p->last_lesson,
		    p->last_step) >= 0;
	return ok;
}

/* Merge the file on disk into p (under the lock): its records join ours;
 * our last place wins. A corrupt file on disk is set aside, as on load. */
static void
merge_disk(progress_t *p, const char *path)
{
	progress_t *disk = progress_create();
	char *warn = NULL;
	int i;

	if (progress_load(disk, path, &warn) == 0) {
		for (i = 0; i < disk->n; i++)
			add_rec(p, xstrdup(disk->rec[i]));
		if (p->last_lesson == NULL && disk->last_lesson != NULL)
			progress_set_last(p, disk->last_lesson, disk->last_step);
	}
	free(warn);
	progress_free(disk);
}

int
progress_save(progress_t *p, const char *path, char **err)
{
	char *lock = xasprintf("%s.lock", path), *tmp = NULL, *why = NULL;
	FILE *f;
	int fd = -1, rc = -1;

	if (util_make_parents(path) != 0 ||
	    (fd = open(lock, O_RDWR | O_CREAT | O_CLOEXEC, 0600)) < 0 ||
	    flock(fd, LOCK_EX) != 0) {
		set_error(err, "%s: cannot save the progress: %s", path,
		    strerror(errno));
		goto out;
	}
	merge_disk(p, path);
	if ((f = util_replace_open(path, &tmp, &why)) == NULL ||
	    util_replace_close(f, &tmp, path, write_file(p, f), &why) != 0) {
		set_error(err, "cannot save the progress: %s", why);
		goto out;
	}
	rc = 0;
out:
	if (fd >= 0)
		close(fd);          /* releases the lock */
	free(why);
	free(lock);
	return rc;
}
