/*
 * check_progress.c: the progress store. Records kept and counted; saved
 * and loaded again (resumed: the last place); the default path under
 * $XDG_STATE_HOME; a corrupt file reported with file:line and set aside,
 * never fatal; two writers at once (two processes, each saving many times)
 * leave a file that loads, with every record of both.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "check-util.h"
#include "progress.h"
#include "util.h"

/* One directory for the run, made in main (before the tests fork), and
 * removed at the end. */
static char dir[] = "/tmp/check_progress.XXXXXX";

static char *
tmp_path(const char *name)
{
	return xasprintf("%s/%s", dir, name);
}

START_TEST(test_records)
{
	progress_t *p = progress_create();
	const char *l;
	int s;

	ck_assert(!progress_last(p, &l, &s));
	progress_mark_seen(p, "03-input.md", 0);
	progress_mark_seen(p, "03-input.md", 2);
	progress_mark_seen(p, "03-input.md", 2);
	progress_mark_seen(p, "04-weight.md", 1);
	ck_assert(progress_seen(p, "03-input.md", 2));
	ck_assert(!progress_seen(p, "03-input.md", 1));
	ck_assert_int_eq(progress_count_seen(p, "03-input.md"), 2);
	progress_mark_solved(p, "05-bias.md", "bias-sum");
	ck_assert(progress_solved(p, "05-bias.md", "bias-sum"));
	ck_assert(!progress_solved(p, "05-bias.md", "other"));
	progress_set_last(p, "04-weight.md", 1);
	ck_assert(progress_last(p, &l, &s));
	ck_assert_str_eq(l, "04-weight.md");
	ck_assert_int_eq(s, 1);
	progress_free(p);
}
END_TEST

/* Resumed after q: what one run saved, the next loads. */
START_TEST(test_save_load)
{
	char *path, *err = NULL, *warn = NULL;
	progress_t *a = progress_create(), *b = progress_create();
	const char *l;
	int s;

	setenv("XDG_STATE_HOME", dir, 1);
	path = progress_default_path();
	ck_assert_str_eq(path + strlen(dir), "/convgrad/progress");
	ck_assert_int_eq(progress_load(a, path, &warn), 0);   /* none yet */
	progress_mark_seen(a, "06-chain-rule.md", 3);
	progress_mark_solved(a, "06-chain-rule.md", "dinput");
	progress_set_last(a, "06-chain-rule.md", 3);
	ck_assert_msg(progress_save(a, path, &err) == 0, "%s", err);
	ck_assert_int_eq(progress_load(b, path, &warn), 0);
	ck_assert(progress_seen(b, "06-chain-rule.md", 3));
	ck_assert(progress_solved(b, "06-chain-rule.md", "dinput"));
	ck_assert(progress_last(b, &l, &s));
	ck_assert_str_eq(l, "06-chain-rule.md");
	ck_assert_int_eq(s, 3);
	free(path);
	progress_free(a);
	progress_free(b);
}
END_TEST

static void
write_text(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	ck_assert_ptr_nonnull(f);
	ck_assert_int_ge(fputs(text, f), 0);
	ck_assert_int_eq(fclose(f), 0);
}

START_TEST(test_corrupt)
{
	static const char *const bad[] = {
		"not a progress file\n",
		"convgrad-progress 1\nseen\t03-input.md\tx\n",
		"convgrad-progress 1\nseen\t03-input.md\t1\nfoo\ta\t1\n",
		"convgrad-progress 1\nseen\t03-input.md\t1",
		"",
	};
	static const int line[] = { 1, 2, 3, 2, 1 };
	char *path = tmp_path("corrupt"), *aside, *warn = NULL, *want;
	progress_t *p = progress_create();

	write_text(path, bad[_i]);
	ck_assert_int_eq(progress_load(p, path, &warn), 1);
	want = xasprintf("%s:%d: corrupt progress file: ", path, line[_i]);
	ck_assert_msg(strncmp(warn, want, strlen(want)) == 0, "%s", warn);
	ck_assert_msg(strstr(warn, "set aside as ") != NULL, "%s", warn);
	ck_assert_int_eq(progress_count_seen(p, "03-input.md"), 0);
	aside = xasprintf("%s.corrupt", path);
	ck_assert_int_eq(access(aside, F_OK), 0);
	ck_assert_int_ne(access(path, F_OK), 0);
	free(warn);
	warn = NULL;
	/* and saving afresh works */
	progress_mark_seen(p, "01-forward.md", 0);
	ck_assert_int_eq(progress_save(p, path, &warn), 0);
	unlink(aside);
	free(want);
	free(aside);
	free(path);
	progress_free(p);
}
END_TEST

/* Two tutors at once: each saves 25 times, a record of its own each time. */
START_TEST(test_two_writers)
{
	char *path = tmp_path("shared"), *warn = NULL;
	progress_t *p;
	pid_t pid[2];
	int w, i, st;

	for (w = 0; w < 2; w++) {
		if ((pid[w] = fork()) == 0) {
			progress_t *q = progress_create();
			char *err = NULL, name[32];

			for (i = 0; i < 25; i++) {
				snprintf(name, sizeof name, "w%d-%d", w, i);
				progress_mark_solved(q, "07-matrix-form.md", name);
				progress_set_last(q, "07-matrix-form.md", i);
				if (progress_save(q, path, &err) != 0)
					_exit(1);
			}
			_exit(0);
		}
		ck_assert_int_gt(pid[w], 0);
	}
	for (w = 0; w < 2; w++) {
		ck_assert_int_eq(waitpid(pid[w], &st, 0), pid[w]);
		ck_assert(WIFEXITED(st) && WEXITSTATUS(st) == 0);
	}
	p = progress_create();
	ck_assert_msg(progress_load(p, path, &warn) == 0, "%s", warn);
	for (w = 0; w < 2; w++)
		for (i = 0; i < 25; i++) {
			char name[32];

			snprintf(name, sizeof name, "w%d-%d", w, i);
			ck_assert_msg(progress_solved(p, "07-matrix-form.md", name),
			    "%s lost", name);
		}
	progress_free(p);
	free(path);
}
END_TEST

START_TEST(test_unwritable)
{
	progress_t *p = progress_create();
	char *err = NULL;

	progress_mark_seen(p, "01-forward.md", 0);
	ck_assert_int_eq(progress_save(p, "/proc/no/such/progress", &err), -1);
	ck_assert_msg(strstr(err, "/proc/no/such/progress: cannot save") != NULL,
	    "%s", err);
	free(err);
	progress_free(p);
}
END_TEST

static Suite *
progress_suite(void)
{
	Suite *s = suite_create("progress");
	TCase *tc = tcase_create("progress");

	tcase_add_test(tc, test_records);
	tcase_add_test(tc, test_save_load);
	tcase_add_loop_test(tc, test_corrupt, 0, 5);
	tcase_add_test(tc, test_two_writers);
	tcase_add_test(tc, test_unwritable);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	char *rm;
	int rc;

	if (mkdtemp(dir) == NULL) {
		perror(dir);
		return 99;
	}
	rc = run_suite(progress_suite());
	rm = xasprintf("rm -rf '%s'", dir);
	if (system(rm) != 0)
		fprintf(stderr, "%s: not removed\n", dir);
	free(rm);
	return rc;
}
