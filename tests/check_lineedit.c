/*
 * check_lineedit.c: the one-line editor. Every editing key (cursor keys
 * over UTF-8, Home/End, Backspace, Delete, ^U, ^W), a line at the length
 * cap, control bytes dropped, history Up/Down with the line being written
 * kept, the history kept in a file from one editor to the next (a missing
 * file empty, an unwritable one an error), Tab completion.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check-util.h"
#include "lineedit.h"
#include "util.h"

static void
keys(lineedit_t *e, const lineedit_key_t *k, int n)
{
	int i;

	for (i = 0; i < n; i++)
		lineedit_key(e, k[i]);
}

START_TEST(test_cursor_keys)
{
	lineedit_t *e = lineedit_create();

	ck_assert(lineedit_insert(e, "d f / d bias"));
	ck_assert_uint_eq(lineedit_cursor(e), 12);
	ck_assert(lineedit_key(e, LE_HOME));
	ck_assert_uint_eq(lineedit_cursor(e), 0);
	ck_assert(!lineedit_key(e, LE_LEFT));        /* nothing left of 0 */
	ck_assert(!lineedit_key(e, LE_BACKSPACE));
	ck_assert(lineedit_key(e, LE_RIGHT));
	ck_assert(lineedit_insert(e, "x"));
	ck_assert_str_eq(lineedit_text(e), "dx f / d bias");
	ck_assert(lineedit_key(e, LE_END));
	ck_assert_uint_eq(lineedit_cursor(e), 13);
	ck_assert(!lineedit_key(e, LE_RIGHT));
	ck_assert(!lineedit_key(e, LE_DELETE));      /* nothing after the end */
	lineedit_free(e);
}
END_TEST

/* The tutor puts the cursor where a syntax error is: clamped to the
 * text, never inside a UTF-8 character. */
START_TEST(test_set_cursor)
{
	lineedit_t *e = lineedit_create();

	lineedit_set(e, "a\xe2\x88\x82" "b");     /* a∂b */
	lineedit_set_cursor(e, 0);
	ck_assert_uint_eq(lineedit_cursor(e), 0);
	lineedit_set_cursor(e, 2);                  /* inside ∂: its start */
	ck_assert_uint_eq(lineedit_cursor(e), 1);
	lineedit_set_cursor(e, 4);
	ck_assert_uint_eq(lineedit_cursor(e), 4);
	lineedit_set_cursor(e, 99);
	ck_assert_uint_eq(lineedit_cursor(e), 5);
	lineedit_insert(e, "c");
	ck_assert_str_eq(lineedit_text(e), "a\xe2\x88\x82" "bc");
	lineedit_free(e);
}
END_TEST

/* The cursor steps over a whole UTF-8 character; Backspace and Delete
 * remove one. */
START_TEST(test_utf8)
{
	lineedit_t *e = lineedit_create();

	lineedit_set(e, "a∂b");                      /* ∂ is 3 bytes */
	ck_assert(lineedit_key(e, LE_LEFT));
	ck_assert_uint_eq(lineedit_cursor(e), 4);
	ck_assert(lineedit_key(e, LE_LEFT));
	ck_assert_uint_eq(lineedit_cursor(e), 1);
	ck_assert(lineedit_key(e, LE_DELETE));
	ck_assert_str_eq(lineedit_text(e), "ab");
	lineedit_set(e, "a∂");
	ck_assert(lineedit_key(e, LE_BACKSPACE));
	ck_assert_str_eq(lineedit_text(e), "a");
	lineedit_free(e);
}
END_TEST

START_TEST(test_kills)
{
	static const lineedit_key_t left3[] = { LE_LEFT, LE_LEFT, LE_LEFT };
	lineedit_t *e = lineedit_create();

	lineedit_set(e, "d f / d bias[c_out]  ");
	ck_assert(lineedit_key(e, LE_KILL_WORD));    /* spaces, then "]" */
	ck_assert_str_eq(lineedit_text(e), "d f / d bias[c_out");
	ck_assert(lineedit_key(e, LE_KILL_WORD));
	ck_assert_str_eq(lineedit_text(e), "d f / d bias[");
	ck_assert(lineedit_key(e, LE_KILL_WORD));
	ck_assert_str_eq(lineedit_text(e), "d f / d bias");
	keys(e, left3, 3);                           /* "d f / d b|ias" */
	ck_assert(lineedit_key(e, LE_KILL_LINE));
	ck_assert_str_eq(lineedit_text(e), "ias");
	ck_assert_uint_eq(lineedit_cursor(e), 0);
	ck_assert(!lineedit_key(e, LE_KILL_LINE));
	ck_assert(!lineedit_key(e, LE_KILL_WORD));
	lineedit_free(e);
}
END_TEST

/* A very long line stops at the cap; control bytes never enter. */
START_TEST(test_long_and_control)
{
	lineedit_t *e = lineedit_create();
	char *big = xmalloc(LINEEDIT_MAX + 2);

	memset(big, 'x', LINEEDIT_MAX - 1);
	big[LINEEDIT_MAX - 1] = '\0';
	ck_assert(lineedit_insert(e, big));
	ck_assert(lineedit_insert(e, "y"));
	ck_assert_uint_eq(strlen(lineedit_text(e)), LINEEDIT_MAX);
	ck_assert(!lineedit_insert(e, "z"));
	ck_assert_uint_eq(strlen(lineedit_text(e)), LINEEDIT_MAX);
	lineedit_set(e, "a\tb\nc\033[2Jd");
	ck_assert_str_eq(lineedit_text(e), "abc[2Jd");
	free(big);
	lineedit_free(e);
}
END_TEST

START_TEST(test_history)
{
	lineedit_t *e = lineedit_create();
	char *s;

	ck_assert(!lineedit_key(e, LE_UP));          /* empty history */
	lineedit_set(e, "one");
	free(lineedit_accept(e));
	lineedit_set(e, "two");
	s = lineedit_accept(e);
	ck_assert_str_eq(s, "two");
	free(s);
	ck_assert_str_eq(lineedit_text(e), "");
	lineedit_set(e, "two");
	free(lineedit_accept(e));                    /* a repeat: not kept */
	lineedit_set(e, "   ");
	free(lineedit_accept(e));                    /* blank: not kept */
	ck_assert_int_eq(lineedit_history_count(e), 2);
	lineedit_insert(e, "thr");                   /* being written */
	ck_assert(lineedit_key(e, LE_UP));
	ck_assert_str_eq(lineedit_text(e), "two");
	ck_assert(lineedit_key(e, LE_UP));
	ck_assert_str_eq(lineedit_text(e), "one");
	ck_assert(!lineedit_key(e, LE_UP));
	ck_assert(lineedit_key(e, LE_DOWN));
	ck_assert(lineedit_key(e, LE_DOWN));
	ck_assert_str_eq(lineedit_text(e), "thr");   /* back again */
	ck_assert(!lineedit_key(e, LE_DOWN));
	lineedit_free(e);
}
END_TEST

/* Kept from one run to the next, in a file. */
START_TEST(test_history_file)
{
	char dir[] = "/tmp/check_lineedit.XXXXXX";
	char *path, *bad, *err = NULL;
	lineedit_t *a = lineedit_create(), *b = lineedit_create();

	ck_assert_ptr_nonnull(mkdtemp(dir));
	path = xasprintf("%s/history", dir);
	ck_assert_int_eq(lineedit_history_load(a, path, &err), 0);  /* none */
	ck_assert_int_eq(lineedit_history_count(a), 0);
	lineedit_set(a, "d f / d bias[c_out] = 1");
	free(lineedit_accept(a));
	lineedit_set(a, "output[b,c_out,h_out,w_out] = 0");
	free(lineedit_accept(a));
	ck_assert_int_eq(lineedit_history_save(a, path, &err), 0);
	ck_assert_int_eq(lineedit_history_load(b, path, &err), 0);
	ck_assert_int_eq(lineedit_history_count(b), 2);
	ck_assert_str_eq(lineedit_history(b, 0), "d f / d bias[c_out] = 1");
	ck_assert(lineedit_key(b, LE_UP));
	ck_assert_str_eq(lineedit_text(b), "output[b,c_out,h_out,w_out] = 0");
	bad = xasprintf("%s/no/such/dir/history", dir);
	ck_assert_int_eq(lineedit_history_save(a, bad, &err), -1);
	ck_assert_msg(strstr(err, bad) != NULL, "%s", err);
	free(err);
	unlink(path);
	rmdir(dir);
	free(path);
	free(bad);
	lineedit_free(a);
	lineedit_free(b);
}
END_TEST

/* A save that fails part way (a full disk) keeps the old file whole and
 * leaves no temporary file. */
START_TEST(test_history_full_disk)
{
	char dir[] = "/tmp/check_lineedit.XXXXXX", line[160];
	char *path, *err = NULL, *ls;
	lineedit_t *a = lineedit_create(), *b = lineedit_create();
	int i;

	ck_assert_ptr_nonnull(mkdtemp(dir));
	path = xasprintf("%s/history", dir);
	lineedit_set(a, "output[b,c_out,h_out,w_out] = 0");
	free(lineedit_accept(a));
	ck_assert_int_eq(lineedit_history_save(a, path, &err), 0);
	for (i = 0; i < 100; i++) {          /* 100 x 150 bytes > 4096 */
		snprintf(line, sizeof line, "%03d %0146d", i, 0);
		lineedit_set(a, line);
		free(lineedit_accept(a));
	}
	check_limit_file_size();
	ck_assert_int_eq(lineedit_history_save(a, path, &err), -1);
	ck_assert_msg(strstr(err, "cannot save the history") != NULL &&
	    strstr(err, path) != NULL, "%s", err);
	ck_assert_int_eq(lineedit_history_load(b, path, &err), 0);
	ck_assert_int_eq(lineedit_history_count(b), 1);
	ck_assert_str_eq(lineedit_history(b, 0), "output[b,c_out,h_out,w_out] = 0");
	ls = check_ls(dir);
	ck_assert_str_eq(ls, "history");
	free(ls);
	free(err);
	unlink(path);
	rmdir(dir);
	free(path);
	lineedit_free(a);
	lineedit_free(b);
}
END_TEST

START_TEST(test_tab)
{
	static const char *const names[] = { "input", "input_nhwc", "weight",
	    "H_out", "H_in", "W_out" };
	lineedit_t *e = lineedit_create();

	lineedit_set_names(e, names, 6);
	lineedit_set(e, "d f / d we");
	ck_assert(lineedit_key(e, LE_TAB));
	ck_assert_str_eq(lineedit_text(e), "d f / d weight");
	lineedit_set(e, "x < H_");
	ck_assert(!lineedit_key(e, LE_TAB));         /* H_out, H_in: no more */
	lineedit_set(e, "in");
	ck_assert(lineedit_key(e, LE_TAB));          /* input, input_nhwc */
	ck_assert_str_eq(lineedit_text(e), "input");
	lineedit_set(e, "zz");
	ck_assert(!lineedit_key(e, LE_TAB));
	lineedit_set(e, "a ");
	ck_assert(!lineedit_key(e, LE_TAB));         /* no word */
	lineedit_free(e);
}
END_TEST

static Suite *
lineedit_suite(void)
{
	Suite *s = suite_create("lineedit");
	TCase *tc = tcase_create("lineedit");

	tcase_add_test(tc, test_cursor_keys);
	tcase_add_test(tc, test_utf8);
	tcase_add_test(tc, test_set_cursor);
	tcase_add_test(tc, test_kills);
	tcase_add_test(tc, test_long_and_control);
	tcase_add_test(tc, test_history);
	tcase_add_test(tc, test_history_file);
	tcase_add_test(tc, test_history_full_disk);
	tcase_add_test(tc, test_tab);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	return run_suite(lineedit_suite());
}
