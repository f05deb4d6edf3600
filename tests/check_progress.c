/*
 * check_progress.c: the progress store. Records kept and counted; saved
 * and loaded again (resumed: the last place); the default path under
 * $XDG_STATE_HOME; a corrupt file reported with file:line and set aside,
 * never fatal; two writers at once (two processes, each saving many times)
 * leave a file that loads, with every record of both. The tutor's side
 * (tutor-progress.h) over the fixture lesson: steps seen as drawn, the
 * last place resumed (a step, or the list), exercises solved, the list's
 * summary, and nothing kept without tutor_progress_open. Presenter mode's
 * reveal order (tutor-present.h) over the same lesson.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "check-util.h"
#include "progress.h"
#include "tutor-present.h"
#include "tutor-progress.h"
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
	char *path = tmp_path("corrupt"), *aside, *warn = NULL, *want, *want2;
	progress_t *p = progress_create();

	write_text(path, bad[_i]);
	ck_assert_int_eq(progress_load(p, path, &warn), 1);
	want = xasprintf("corrupt progress file, progress starts afresh: "
	    "%s:%d: ", path, line[_i]);
	ck_assert_msg(strncmp(warn, want, strlen(want)) == 0, "%s", warn);
	ck_assert_msg(strstr(warn, "set aside as ") != NULL, "%s", warn);
	ck_assert_int_eq(progress_count_seen(p, "03-input.md"), 0);
	/* "... set aside as PATH.corrupt-YYYYMMDD-HHMMSS", and it is there */
	aside = xstrdup(strstr(warn, "set aside as ") + strlen("set aside as "));
	want2 = xasprintf("%s.corrupt-", path);
	ck_assert_msg(strncmp(aside, want2, strlen(want2)) == 0 &&
	    strlen(aside) >= strlen(want2) + 15, "%s", aside);
	ck_assert_int_eq(access(aside, F_OK), 0);
	ck_assert_int_ne(access(path, F_OK), 0);
	free(warn);
	warn = NULL;
	/* and saving afresh works */
	progress_mark_seen(p, "01-forward.md", 0);
	ck_assert_int_eq(progress_save(p, path, &warn), 0);
	unlink(aside);
	free(want);
	free(want2);
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

/* A second corrupt file in the same second does not overwrite the first;
 * a path that cannot be read as a file (a directory) is set aside too. */
START_TEST(test_corrupt_twice)
{
	char *path = tmp_path("twice"), *warn1 = NULL, *warn2 = NULL, *dirp;
	const char *a1, *a2;
	progress_t *p = progress_create();

	write_text(path, "garbage 1\n");
	ck_assert_int_eq(progress_load(p, path, &warn1), 1);
	write_text(path, "garbage 2\n");
	ck_assert_int_eq(progress_load(p, path, &warn2), 1);
	a1 = strstr(warn1, "set aside as ");
	a2 = strstr(warn2, "set aside as ");
	ck_assert_ptr_nonnull(a1);
	ck_assert_ptr_nonnull(a2);
	ck_assert_str_ne(a1, a2);
	ck_assert_int_eq(access(a1 + strlen("set aside as "), F_OK), 0);
	ck_assert_int_eq(access(a2 + strlen("set aside as "), F_OK), 0);
	free(warn1);
	warn1 = NULL;
	dirp = tmp_path("a-directory");
	ck_assert_int_eq(mkdir(dirp, 0700), 0);
	ck_assert_int_eq(progress_load(p, dirp, &warn1), 1);
	ck_assert_msg(strstr(warn1, "progress starts afresh") != NULL, "%s",
	    warn1);
	ck_assert_int_ne(access(dirp, F_OK), 0);        /* set aside */
	free(warn1);
	free(warn2);
	free(dirp);
	free(path);
	progress_free(p);
}
END_TEST

/* The last place on the list ("last\tLESSON\tlist") survives a save. */
START_TEST(test_last_list)
{
	char *path = tmp_path("list"), *err = NULL, *warn = NULL;
	progress_t *a = progress_create(), *b = progress_create();
	const char *l;
	int s;

	progress_set_last(a, "05-bias.md", PROGRESS_LIST);
	ck_assert_msg(progress_save(a, path, &err) == 0, "%s", err);
	ck_assert_int_eq(progress_load(b, path, &warn), 0);
	ck_assert(progress_last(b, &l, &s));
	ck_assert_str_eq(l, "05-bias.md");
	ck_assert_int_eq(s, PROGRESS_LIST);
	progress_free(a);
	progress_free(b);
	free(path);
}
END_TEST

/* A tutor over the fixture lesson, its progress in path. */
static tutor_t *
fixture_tutor(const char *path)
{
	char *lesson = test_data_path("tutor-lesson.md"), *warn = NULL;
	tutor_t *t = tutor_create(&lesson, 1);

	ck_assert_ptr_nonnull(t->lessons[0].lesson);
	t->auto_verify = false;         /* no kernels: progress only */
	ck_assert_int_eq(tutor_progress_open(t, path, &warn), 0);
	free(lesson);
	return t;
}

/* Resumed after q: a tutor that saw steps 1-3 and quit at step 3 makes
 * the next one open at step 3, with 3/4 steps in the list. */
START_TEST(test_tutor_resume)
{
	char *path = tmp_path("tutor"), *err = NULL, buf[64];
	tutor_t *t = fixture_tutor(path);
	int s;

	ck_assert(!tutor_progress_summary(t, 0, false, buf, sizeof buf));
	ck_assert(!tutor_progress_resume(t));           /* nothing yet */
	tutor_progress_note(t);                         /* the list */
	ck_assert_int_eq(tutor_open(t, 0), 0);
	for (s = 0; s < 3; s++) {
		tutor_goto_step(t, s);
		tutor_progress_note(t);
	}
	ck_assert(tutor_progress_dirty(t));
	ck_assert_msg(tutor_progress_save(t, &err) == 0, "%s", err);
	ck_assert(!tutor_progress_dirty(t));
	tutor_free(t);

	t = fixture_tutor(path);
	ck_assert(tutor_progress_summary(t, 0, false, buf, sizeof buf));
	ck_assert_str_eq(buf, "3/4 steps");
	ck_assert(tutor_progress_resume(t));
	ck_assert_int_eq(t->screen, SCR_LESSON);
	ck_assert_int_eq(t->step, 2);
	ck_assert_msg(strstr(t->message, "at step 3 of 4") != NULL, "%s",
	    t->message);
	/* back to the list, quit: the next one opens the list */
	tutor_key(t, TK_ESC);
	ck_assert_int_eq(t->screen, SCR_LIST);
	tutor_progress_note(t);
	ck_assert_int_eq(tutor_progress_save(t, &err), 0);
	tutor_free(t);
	t = fixture_tutor(path);
	ck_assert(tutor_progress_resume(t));
	ck_assert_int_eq(t->screen, SCR_LIST);
	ck_assert_int_eq(t->list_cursor, 0);
	tutor_free(t);
	free(path);
}
END_TEST

/* An exercise solved is kept by its "STEP.K" name; a tutor without
 * tutor_progress_open keeps nothing and writes nothing. */
START_TEST(test_tutor_solved)
{
	char *path = tmp_path("solved"), *err = NULL, *lesson;
	tutor_t *t = fixture_tutor(path);

	ck_assert_int_eq(tutor_open(t, 0), 0);
	tutor_progress_solved(t, 1, 0);
	ck_assert(tutor_progress_is_solved(t, 0, 1, 0));
	ck_assert(!tutor_progress_is_solved(t, 0, 1, 1));
	ck_assert_int_eq(tutor_progress_save(t, &err), 0);
	tutor_free(t);
	t = fixture_tutor(path);
	ck_assert(tutor_progress_is_solved(t, 0, 1, 0));
	tutor_free(t);

	lesson = test_data_path("tutor-lesson.md");
	t = tutor_create(&lesson, 1);
	t->auto_verify = false;
	ck_assert_int_eq(tutor_open(t, 0), 0);
	tutor_progress_note(t);
	tutor_progress_solved(t, 1, 0);
	ck_assert(!tutor_progress_dirty(t));
	ck_assert(!tutor_progress_resume(t));
	ck_assert_int_eq(tutor_progress_save(t, &err), 0);
	tutor_free(t);
	free(lesson);
	free(path);
}
END_TEST

/* Presenter mode's reveal over the fixture's step 1 (the introduction's
 * paragraph, then the step's): paragraph by paragraph, the claim, the
 * verdict, then Space pages; a new step starts again. */
START_TEST(test_present_reveal)
{
	char *lesson = test_data_path("tutor-lesson.md"), *text;
	tutor_t *t = tutor_create(&lesson, 1);
	int k;

	t->auto_verify = false;
	ck_assert_int_eq(tutor_open(t, 0), 0);
	ck_assert(tutor_present_shows_verdict(t));      /* not presenting */
	text = tutor_present_prose(t);
	ck_assert_ptr_nonnull(strstr(text, "The forward pass with bias."));
	free(text);
	t->present = true;
	tutor_goto_step(t, 0);
	ck_assert_int_eq(tutor_present_paragraphs(t), 2);
	ck_assert_int_eq(tutor_present_parts(t), 4);
	text = tutor_present_prose(t);
	ck_assert_ptr_nonnull(strstr(text, "A small lesson"));
	ck_assert_ptr_null(strstr(text, "The forward pass"));
	free(text);
	ck_assert_str_eq(tutor_present_next_name(t), "the next paragraph");
	ck_assert(!tutor_present_shows_claim(t));
	tutor_key(t, ' ');
	text = tutor_present_prose(t);
	ck_assert_ptr_nonnull(strstr(text, "The forward pass with bias."));
	free(text);
	ck_assert(!tutor_present_shows_claim(t));
	ck_assert_str_eq(tutor_present_next_name(t), "the claim");
	tutor_key(t, ' ');
	ck_assert(tutor_present_shows_claim(t));
	ck_assert(!tutor_present_shows_verdict(t));
	ck_assert_str_eq(tutor_present_next_name(t), "the verdict");
	tutor_key(t, ' ');
	ck_assert(tutor_present_shows_verdict(t));
	ck_assert_ptr_null(tutor_present_next_name(t));
	ck_assert(!tutor_present_next(t));              /* Space pages now */
	tutor_key(t, 'n');
	ck_assert_int_eq(t->step, 1);
	ck_assert(!tutor_present_shows_claim(t));
	for (k = 0; tutor_present_next(t); k++)
		;
	ck_assert_int_eq(k, tutor_present_parts(t) - 1);
	tutor_free(t);
	free(lesson);
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

/* A save that fails part way (a full disk) keeps the old file whole and
 * leaves no temporary file (the lock file stays, by design). */
START_TEST(test_full_disk)
{
	char sub[] = "/tmp/check_progress-full.XXXXXX", name[64];
	char *path, *err = NULL, *ls;
	progress_t *p = progress_create(), *back = progress_create();
	int i;

	ck_assert_ptr_nonnull(mkdtemp(sub));
	path = xasprintf("%s/progress", sub);
	progress_mark_seen(p, "01-forward.md", 0);
	ck_assert_int_eq(progress_save(p, path, &err), 0);
	for (i = 0; i < 200; i++) {          /* 200 records of ~40 bytes */
		snprintf(name, sizeof name, "lesson-%03d-of-many.md", i);
		progress_mark_seen(p, name, i);
	}
	check_limit_file_size();
	ck_assert_int_eq(progress_save(p, path, &err), -1);
	ck_assert_msg(strstr(err, "cannot save the progress") != NULL &&
	    strstr(err, path) != NULL, "%s", err);
	ck_assert_int_eq(progress_load(back, path, &err), 0);
	ck_assert(progress_seen(back, "01-forward.md", 0));
	ck_assert(!progress_seen(back, "lesson-000-of-many.md", 0));
	ls = check_ls(sub);
	ck_assert_str_eq(ls, "progress progress.lock");
	free(ls);
	free(err);
	unlink(path);
	free(path);
	path = xasprintf("%s/progress.lock", sub);
	unlink(path);
	rmdir(sub);
	free(path);
	progress_free(p);
	progress_free(back);
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
	tcase_add_test(tc, test_corrupt_twice);
	tcase_add_test(tc, test_last_list);
	tcase_add_test(tc, test_tutor_resume);
	tcase_add_test(tc, test_tutor_solved);
	tcase_add_test(tc, test_present_reveal);
	tcase_add_test(tc, test_unwritable);
	tcase_add_test(tc, test_full_disk);
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
