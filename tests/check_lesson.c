/*
 * check_lesson.c: the lesson loader. A fixture lesson read into title,
 * intro, steps, prose, shape, sources and claims (with their lines); a
 * table of malformed lessons, each with its exact message; covers;
 * collecting files from directories.
 */
#include "config.h"

#include <check.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "check-util.h"
#include "lesson.h"
#include "util.h"

static lesson_t *
load_fixture(const char *name)
{
	char *path = test_data_path(name), *err = NULL;
	lesson_t *l = lesson_load(path, &err);

	ck_assert_msg(l != NULL, "%s: %s", name, err ? err : "?");
	free(path);
	return l;
}

START_TEST(test_good_structure)
{
	lesson_t *l = load_fixture("lessons/good.md");

	ck_assert_str_eq(l->title, "A small lesson for the tests");
	ck_assert_int_eq(l->nsteps, 2);
	ck_assert_str_eq(l->steps[0].title, "Forward");
	ck_assert_str_eq(l->steps[1].title, "Derivatives");
	ck_assert_int_eq(l->steps[0].line, 11);
	ck_assert_int_eq(l->steps[1].line, 33);
	/* shape block: every key given */
	ck_assert_int_eq(l->shape.N, 2);
	ck_assert_int_eq(l->shape.C_in, 2);
	ck_assert_int_eq(l->shape.H_in, 6);
	ck_assert_int_eq(l->shape.W_in, 7);
	ck_assert_int_eq(l->shape.C_out, 3);
	ck_assert_int_eq(l->shape.R, 3);
	ck_assert_int_eq(l->shape.S, 2);
	ck_assert_int_eq(l->shape.strh, 2);
	ck_assert_int_eq(l->shape.strw, 3);
	/* validated: H_out = (6-3)/2+1 = 2, W_out = (7-2)/3+1 = 2 */
	ck_assert_int_eq(l->shape.H_out, 2);
	ck_assert_int_eq(l->shape.W_out, 2);
	ck_assert(!l->covers_padding && !l->covers_dilation);
	lesson_free(l);
}
END_TEST

START_TEST(test_good_prose)
{
	lesson_t *l = load_fixture("lessons/good.md");

	/* soft breaks become spaces, emphasis and links their text, inline
	 * code kept */
	ck_assert_str_eq(l->intro, "This lesson exists for check_lesson and "
	    "cli-verify.sh. Its prose has emphasis, strong text, inline code "
	    "and a link so that the plain-text form can be checked.");
	ck_assert_str_eq(l->steps[0].prose, "The forward pass, with the "
	    "bias.\n\n- a list item\n- another item");
	/* a code block with another info string is prose, indented */
	ck_assert_str_eq(l->steps[1].prose,
	    "    /* an example in another language: prose */");
	ck_assert_str_eq(l->steps[0].source, "$output = \\sum input * weight$");
	ck_assert_ptr_null(l->steps[1].source);
	/* the Markdown as written */
	ck_assert_str_eq(l->steps[0].prose_md, "The forward pass, with the "
	    "bias.\n\n- a list item\n- another item");
	ck_assert(strstr(l->intro_md, "*emphasis*, **strong**") != NULL);
	lesson_free(l);
}
END_TEST

START_TEST(test_good_claims)
{
	lesson_t *l = load_fixture("lessons/good.md");
	lesson_step_t *a = &l->steps[0], *b = &l->steps[1];

	ck_assert_int_eq(a->nclaims, 2);
	ck_assert_int_eq(b->nclaims, 4);
	/* lines in the lesson file: the check block's content starts on the
	 * line after its fence */
	ck_assert_int_eq(a->claims[0]->line, 20);
	ck_assert_int_eq(a->claims[1]->line, 24);
	ck_assert_int_eq(b->claims[0]->line, 41);
	ck_assert_int_eq(b->claims[1]->line, 46);
	ck_assert_int_eq(b->claims[2]->line, 49);
	ck_assert_int_eq(b->claims[3]->line, 52);
	ck_assert_int_eq(a->claims[0]->kind, CLAIM_IDENTITY);
	ck_assert(!a->claims[0]->expect_fail);
	ck_assert(a->claims[1]->expect_fail);
	ck_assert_int_eq(b->claims[0]->kind, CLAIM_PARTIAL);
	ck_assert_int_eq(b->claims[1]->kind, CLAIM_CHAIN);
	ck_assert_int_eq(b->claims[2]->kind, CLAIM_KERNEL);
	ck_assert_int_eq(b->claims[3]->kernel, KERNEL_MATRIX);
	ck_assert_str_eq(a->claims[0]->label, "forward, NCHW, with the bias");
	ck_assert_str_eq(a->claims[0]->file + strlen(a->claims[0]->file) -
	    strlen("lessons/good.md"), "lessons/good.md");
	lesson_free(l);
}
END_TEST

/* Malformed lessons and their exact messages. */
static const struct bad_case {
	const char *text;
	const char *msg;
} bad_cases[] = {
	{ "Prose first.\n\n## Step\n",
	  "x.md:1:1: error: missing title (the lesson must start with a '# ' "
	  "heading)" },
	{ "## Step\n",
	  "x.md:1:1: error: missing title (the lesson must start with a '# ' "
	  "heading)" },
	{ "",
	  "x.md:1:1: error: missing title (the lesson must start with a '# ' "
	  "heading)" },
	{ "# T\n\n```check\noutput[b,c_out,h_out,w_out] = bias[c_out]\n```\n",
	  "x.md:3:1: error: a check block outside a step (put a '## ' heading "
	  "above it)" },
	{ "# T\n\n```source\nx\n```\n",
	  "x.md:3:1: error: a source block outside a step (put a '## ' "
	  "heading above it)" },
	{ "# T\n\n```shape\nN=1 Cin=2\n```\n",
	  "x.md:4:5: error: unknown shape key 'Cin' (expected N, C_in, H_in, "
	  "W_in, C_out, R, S, strh, strw, pad_h, pad_w, dil_h, dil_w, groups or "
	  "covers)" },
	{ "# T\n\n```shape\nN=1\n  H_out=3\n```\n",
	  "x.md:5:3: error: unknown shape key 'H_out' (expected N, C_in, H_in, "
	  "W_in, C_out, R, S, strh, strw, pad_h, pad_w, dil_h, dil_w, groups or "
	  "covers)" },
	{ "# T\n\n```shape\nN=two\n```\n",
	  "x.md:4:1: error: shape key 'N' needs an integer, got 'two'" },
	{ "# T\n\n```shape\nN=\n```\n",
	  "x.md:4:1: error: shape key 'N' needs an integer, got ''" },
	{ "# T\n\n```shape\nN 2\n```\n",
	  "x.md:4:1: error: expected key=value in the shape block, got 'N'" },
	{ "# T\n\n```shape\ncovers=padding,strides\n```\n",
	  "x.md:4:1: error: unknown value 'strides' in covers= (expected "
	  "padding, dilation, groups or none)" },
	{ "# T\n\n```shape\nN=1\n```\n\n```shape\nN=2\n```\n",
	  "x.md:7:1: error: a second shape block (the first is at line 3)" },
	{ "# T\n\n# U\n",
	  "x.md:3:1: error: a second title (a lesson has one '# ' heading; "
	  "steps are '## ')" },
	{ "# T\n\n```shape\nH_in=3 W_in=3 R=5\n```\n",
	  "x.md:3:1: error: the lesson's default shape is invalid: dilated "
	  "kernel (R-1)*dil_h+1 = 5 is larger than the padded input "
	  "H_in+2*pad_h = 3" },
	{ "# T\n\n```shape\nN=0\n```\n",
	  "x.md:3:1: error: the lesson's default shape is invalid: size N "
	  "must be at least 1, got 0" },
	/* fences never closed: CommonMark runs them to the end of the file */
	{ "# T\n\n## S\n\n```check\nd f / d bias[c_out] = 0\n",
	  "x.md:5:1: error: the ```check block opened here is never closed "
	  "(close it with a ``` line)" },
	{ "# T\n\n## S\n\n```check\nd f / d bias[c_out] = 0\n\n## Next\n"
	  "\nMore prose.\n",
	  "x.md:5:1: error: the ```check block opened here is never closed: it "
	  "runs to the end of the file, over the heading at line 8 (close it "
	  "with a ``` line)" },
	{ "# T\n\n## S\n\n````check\nd f / d bias[c_out] = 0\n```\n",
	  "x.md:5:1: error: the ````check block opened here is never closed "
	  "(close it with a ```` line)" },
	{ "# T\n\n## S\n\n~~~source\nx\n```\n",
	  "x.md:5:1: error: the ~~~source block opened here is never closed "
	  "(close it with a ~~~ line)" },
	{ "# T\n\n## S\n\n  ```\n",
	  "x.md:5:3: error: the ``` block opened here is never closed (close it "
	  "with a ``` line)" },
	{ "# T\n\n## S\n\n```check\nd f / d bias[c_out] = 0\n``` x\n",
	  "x.md:5:1: error: the ```check block opened here is never closed "
	  "(close it with a ``` line)" },
	{ "# T\r\r```shape\rN=1\r\r## S\r",
	  "x.md:3:1: error: the ```shape block opened here is never closed: it "
	  "runs to the end of the file, over the heading at line 6 (close it "
	  "with a ``` line)" },
	/* exercise blocks */
	{ "# T\n\n```exercise\nprompt: p\nanswer: d f / d bias[c_out] = 0\n```\n",
	  "x.md:3:1: error: an exercise block outside a step (put a '## ' "
	  "heading above it)" },
	{ "# T\n\n## S\n\n```exercise\nanswer: d f / d bias[c_out] = 0\n"
	  "hint: h\n```\n",
	  "x.md:5:1: error: the exercise block has no prompt (write 'prompt: ' "
	  "and the question)" },
	{ "# T\n\n## S\n\n```exercise\nprompt: p\nhint: h\n```\n",
	  "x.md:5:1: error: the exercise block has no answer (write 'answer: ' "
	  "and a claim that holds, hidden from the student)" },
	{ "# T\n\n## S\n\n```exercise\nprompt:\nanswer: d f / d bias[c_out] "
	  "= 0\n```\n",
	  "x.md:6:1: error: the exercise block has an empty prompt (write "
	  "'prompt: ' and the question)" },
	{ "# T\n\n## S\n\n```exercise\nprompt: p\nanswer:   \n```\n",
	  "x.md:7:1: error: the exercise block has an empty answer (write "
	  "'answer: ' and a claim that holds, hidden from the student)" },
	{ "# T\n\n## S\n\n```exercise\nprompt: p\nanswer: d f / d bias[c_out] "
	  "= 0\nhnt: typo\n```\n",
	  "x.md:8:1: error: unknown field 'hnt' in the exercise block (expected "
	  "'prompt:', 'answer:' or 'hint:'; a line starting with white space "
	  "continues the field above)" },
	{ "# T\n\n## S\n\n```exercise\nprompt: p\nno colon here\n```\n",
	  "x.md:7:1: error: expected a field, got 'no colon here' in the "
	  "exercise block (expected 'prompt:', 'answer:' or 'hint:'; a line "
	  "starting with white space continues the field above)" },
	{ "# T\n\n## S\n\n```exercise\n  stray\nprompt: p\n```\n",
	  "x.md:6:1: error: a continuation line before any field in the "
	  "exercise block (expected 'prompt:', 'answer:' or 'hint:')" },
	{ "# T\n\n## S\n\n```exercise\nprompt: p\nprompt: q\nanswer: d f / "
	  "d bias[c_out] = 0\n```\n",
	  "x.md:7:1: error: a second prompt in the exercise block (the first is "
	  "at line 6)" },
	{ "# T\n\n## S\n\n```exercise\nprompt: p\nanswer: d f / d bias[c_out] "
	  "= 0\nanswer: d f / d bias[c_out] = 1\n```\n",
	  "x.md:8:1: error: a second answer in the exercise block (the first is "
	  "at line 7)" },
	{ "# T\n\n## S\n\n```exercise\nprompt: p\nanswer: let t[i < N] = i\n"
	  "```\n",
	  "x.md:7:9: error: the exercise's answer is a let; an answer is a claim "
	  "(FORMULA = FORMULA, or d ... / d ... = ...) that the student's must "
	  "match" },
	{ "# T\n\n## S\n\n```exercise\nprompt: p\nanswer: d f / d bias[c_out] "
	  "= 0 expect fail\n```\n",
	  "x.md:7:9: error: the exercise's answer is marked 'expect fail' (an "
	  "erratum); an answer must hold" },
	{ "# T\n\n## S\n\n```exercise\nprompt: p\nanswer: d f / d bias[c_out] "
	  "= 0\n```\n\n```exercise\nprompt: p\n```\n",
	  "x.md:10:1: error: the exercise block has no answer (write 'answer: ' "
	  "and a claim that holds, hidden from the student)" },
	{ "# T\n\n## S\n\n```exercise\nprompt: p\nanswer: d f / d bias[c_out] "
	  "= 0\n",
	  "x.md:5:1: error: the ```exercise block opened here is never closed "
	  "(close it with a ``` line)" },
};

START_TEST(test_bad)
{
	const struct bad_case *bc = &bad_cases[_i];
	char *err = NULL;
	lesson_t *l = lesson_parse(bc->text, strlen(bc->text), "x.md", &err);

	ck_assert_ptr_null(l);
	ck_assert_ptr_nonnull(err);
	ck_assert_str_eq(err, bc->msg);
	free(err);
}
END_TEST

/* A claim's parse error comes through with the lesson file's line. */
START_TEST(test_bad_claim_line)
{
	lesson_t *l;
	char *path = test_data_path("lessons/bad-claim.md"), *err = NULL;
	char *want = xasprintf("%s:6:", path);

	l = lesson_load(path, &err);
	ck_assert_ptr_null(l);
	ck_assert_ptr_nonnull(err);
	ck_assert_msg(strncmp(err, want, strlen(want)) == 0,
	    "'%s' does not start with '%s'", err, want);
	free(want);
	free(err);
	free(path);
}
END_TEST

/* Fences closed in every way CommonMark allows are not refused: a longer
 * closing fence, trailing white space, up to three spaces of indent, CRLF
 * and lone CR line ends, ~~~; and an indented code block has no fence. */
START_TEST(test_fences_closed)
{
	static const char *const texts[] = {
		"# T\n\n## S\n\n```check\nd f / d bias[c_out] = 0\n`````\n",
		"# T\n\n## S\n\n```check\nd f / d bias[c_out] = 0\n```  \t\n",
		"# T\n\n## S\n\n```check\nd f / d bias[c_out] = 0\n   ```",
		"# T\r\n\r\n## S\r\n\r\n```check\r\nd f / d bias[c_out] = 0\r\n"
		    "```\r\n\r\n## U\r\n",
		"# T\r\r## S\r\r```check\rd f / d bias[c_out] = 0\r```\r",
		"# T\n\n## S\n\n~~~~source\nx\n```\n~~~~\n",
		"# T\n\n## S\n\n    ```not a fence\n",
		"# T\n\n## S\n\n- ```\n  in a list\n\nprose\n",
	};
	size_t i;

	for (i = 0; i < sizeof texts / sizeof texts[0]; i++) {
		char *err = NULL;
		lesson_t *l = lesson_parse(texts[i], strlen(texts[i]), "x.md",
		    &err);

		ck_assert_msg(l != NULL, "text %zu refused: %s", i,
		    err ? err : "?");
		ck_assert_int_ge(l->nsteps, 1);
		lesson_free(l);
	}
}
END_TEST

START_TEST(test_defaults_and_covers)
{
	const char *text = "# T\n\n```shape\nR=2 pad_h=1 covers=padding\n```\n";
	char *err = NULL;
	lesson_t *l = lesson_parse(text, strlen(text), "x.md", &err);
	conv_shape_t s;
	const char *why = NULL;

	ck_assert_msg(l != NULL, "%s", err ? err : "?");
	/* missing keys take the defaults: N=2 C_in=2 H_in=7 W_in=8 C_out=3
	 * S=2 strh=2 strw=3 */
	ck_assert_int_eq(l->shape.N, 2);
	ck_assert_int_eq(l->shape.H_in, 7);
	ck_assert_int_eq(l->shape.R, 2);
	ck_assert_int_eq(l->shape.pad_h, 1);
	ck_assert_int_eq(l->shape.strw, 3);
	ck_assert_int_eq(l->nsteps, 0);
	ck_assert_str_eq(l->intro, "");
	ck_assert(l->covers_padding && !l->covers_dilation);
	s = l->shape;
	ck_assert(lesson_covers(l, &s, &why));
	s.dil_w = 2;
	ck_assert(!lesson_covers(l, &s, &why));
	ck_assert_str_eq(why, "the lesson does not cover dilation");
	lesson_free(l);
	lesson_free(NULL);
}
END_TEST

START_TEST(test_collect)
{
	char *dir = test_data_path("lessons"), *err = NULL;
	char *file = test_data_path("lessons/good.md");
	char *args[2] = { file, dir };
	char **paths = NULL;
	int n = 0, i;

	ck_assert_int_eq(lesson_collect(args, 2, &paths, &n, &err), 0);
	/* the file, then the directory's *.md sorted */
	ck_assert_int_gt(n, 3);
	ck_assert_str_eq(paths[0], file);
	for (i = 2; i < n; i++)
		ck_assert_int_lt(strcmp(paths[i - 1], paths[i]), 0);
	lesson_paths_free(paths, n);
	args[0] = "/nonexistent/lesson.md";
	ck_assert_int_eq(lesson_collect(args, 1, &paths, &n, &err), -1);
	ck_assert_str_eq(err, "/nonexistent/lesson.md: No such file or "
	    "directory");
	free(err);
	free(dir);
	free(file);
}
END_TEST

/* Markdown nested past 100 levels is refused where it gets too deep
 * (50,000 nested block quotes overflowed the stack: tests/hostile.sh
 * replays that size; 5000 here keep the test fast under ASan too); 99
 * quotes around a paragraph are 100 levels, fine. */
START_TEST(test_deep_nesting)
{
	sbuf_t b;
	char *text, *err = NULL;
	lesson_t *l;
	int i;

	sbuf_init(&b);
	sbuf_add(&b, "# T\n\n");
	for (i = 0; i < 5000; i++)
		sbuf_add(&b, "> ");
	sbuf_add(&b, "x\n\n## S\n");
	text = sbuf_take(&b);
	ck_assert_ptr_null(lesson_parse(text, strlen(text), "x.md", &err));
	ck_assert_str_eq(err, "x.md:3:201: error: blocks nested more than 100 "
	    "deep (block quotes, lists and their items, emphasis)");
	free(err);
	free(text);
	sbuf_add(&b, "# T\n\n");
	for (i = 0; i < 5000; i++)
		sbuf_add(&b, "- ");
	sbuf_add(&b, "x\n\n## S\n");
	text = sbuf_take(&b);
	ck_assert_ptr_null(lesson_parse(text, strlen(text), "x.md", &err));
	ck_assert_ptr_nonnull(strstr(err, "x.md:3:101: error: blocks nested"));
	free(err);
	free(text);
	sbuf_add(&b, "# T\n\n");
	for (i = 0; i < 99; i++)        /* 99 quotes and the paragraph */
		sbuf_add(&b, "> ");
	sbuf_add(&b, "x\n\n## S\n");
	text = sbuf_take(&b);
	l = lesson_parse(text, strlen(text), "x.md", &err);
	ck_assert_msg(l != NULL, "%s", err);
	ck_assert_int_eq((int)strlen(l->intro), 2 * 99 + 1);
	lesson_free(l);
	free(text);
}
END_TEST

/* What is not a regular file is refused without blocking: a FIFO (open
 * would wait for a writer), /dev/zero (read until memory runs out), a
 * directory; a file past the size cap, which the environment sets. */
START_TEST(test_special_files)
{
	char dir[] = "/tmp/check_lesson.XXXXXX", *fifo, *err = NULL, *path;

	ck_assert_ptr_nonnull(mkdtemp(dir));
	fifo = xasprintf("%s/f.md", dir);
	ck_assert_int_eq(mkfifo(fifo, 0600), 0);
	ck_assert_ptr_null(lesson_load(fifo, &err));
	ck_assert_ptr_nonnull(strstr(err, "f.md: not a regular file (a FIFO)"));
	free(err);
	unlink(fifo);
	rmdir(dir);
	free(fifo);
	ck_assert_ptr_null(lesson_load("/dev/zero", &err));
	ck_assert_str_eq(err, "/dev/zero: not a regular file (a character "
	    "device)");
	free(err);
	ck_assert_ptr_null(lesson_load("/", &err));
	ck_assert_str_eq(err, "/: not a regular file (a directory)");
	free(err);
	path = test_data_path("lessons/good.md");
	setenv("CONVGRAD_MAX_LESSON_SIZE", "100", 1);
	ck_assert_ptr_null(lesson_load(path, &err));
	ck_assert_ptr_nonnull(strstr(err, "good.md: too large: "));
	ck_assert_ptr_nonnull(strstr(err, "bytes, more than 100 "
	    "(CONVGRAD_MAX_LESSON_SIZE sets the limit)"));
	free(err);
	setenv("CONVGRAD_MAX_LESSON_SIZE", "12Q", 1);
	ck_assert_ptr_null(lesson_load(path, &err));
	ck_assert_str_eq(err, "CONVGRAD_MAX_LESSON_SIZE: expected a size in "
	    "bytes such as 4000000, 512K or 16M, got '12Q'");
	free(err);
	setenv("CONVGRAD_MAX_LESSON_SIZE", "64K", 1);
	lesson_free(load_fixture("lessons/good.md"));
	unsetenv("CONVGRAD_MAX_LESSON_SIZE");
	free(path);
}
END_TEST

/* An exercise block: prompt and hints joined, the answer as written and
 * parsed with the lets above it in scope, at the file's lines. */
START_TEST(test_exercise_block)
{
	static const char text[] =
	    "# T\n\n## S\n\n```check\nlet twice[c < C_out] = 2 * bias[c]\n"
	    "```\n\n```exercise\nprompt: Which gradient\n  does bias get?\n"
	    "answer: d f / d bias[c_out]\n"
	    "    = sum(b, h_out, w_out) df[b, c_out, h_out, w_out]\n"
	    "hint: sum over\n\tthe batch\nhint: and positions\n```\n\n"
	    "```exercise\nprompt: twice\nanswer: twice[c] = 2 * bias[c]\n```\n"
	    "\n## U\n\nNo exercise here.\n";
	char *err = NULL;
	lesson_t *l = lesson_parse(text, sizeof text - 1, "x.md", &err);
	const lesson_exercise_t *ex;

	ck_assert_msg(l != NULL, "%s", err ? err : "?");
	ck_assert_int_eq(l->nsteps, 2);
	ck_assert_int_eq(l->steps[0].nexercises, 2);
	ck_assert_int_eq(l->steps[1].nexercises, 0);
	ck_assert_ptr_null(l->steps[1].exercises);
	ex = &l->steps[0].exercises[0];
	ck_assert_int_eq(ex->line, 9);
	ck_assert_str_eq(ex->prompt, "Which gradient does bias get?");
	ck_assert_str_eq(ex->answer, "d f / d bias[c_out]\n"
	    "    = sum(b, h_out, w_out) df[b, c_out, h_out, w_out]");
	ck_assert_ptr_nonnull(ex->answer_claim);
	ck_assert_int_eq(ex->answer_claim->kind, CLAIM_CHAIN);
	ck_assert_int_eq(ex->answer_claim->line, 12);
	ck_assert_int_eq(ex->answer_claim->col, 9);
	ck_assert_int_eq(ex->nhints, 2);
	ck_assert_str_eq(ex->hints[0], "sum over the batch");
	ck_assert_str_eq(ex->hints[1], "and positions");
	/* the let above is in scope for the second answer */
	ex = &l->steps[0].exercises[1];
	ck_assert_int_eq(ex->line, 19);
	ck_assert_int_eq(ex->answer_claim->kind, CLAIM_IDENTITY);
	ck_assert_int_eq(ex->nhints, 0);
	ck_assert_ptr_null(ex->hints);
	/* the exercise blocks are not prose */
	ck_assert_ptr_null(strstr(l->steps[0].prose, "prompt"));
	lesson_free(l);
}
END_TEST

/* An answer's parse error points into the lesson file: the continuation
 * line of the answer, at its column. */
START_TEST(test_exercise_answer_error)
{
	static const char text[] =
	    "# T\n\n## S\n\n```exercise\nprompt: p\n"
	    "answer: d f / d bias[c_out]\n      = sum(b df[b, c_out, 0, 0]\n```\n";
	char *err = NULL;

	ck_assert_ptr_null(lesson_parse(text, sizeof text - 1, "x.md", &err));
	ck_assert_ptr_nonnull(err);
	ck_assert_msg(strncmp(err, "x.md:8:", 7) == 0, "%s", err);
	free(err);
}
END_TEST

static Suite *
make_suite(void)
{
	Suite *s = suite_create("lesson");
	TCase *tc = tcase_create("lesson");

	tcase_add_test(tc, test_good_structure);
	tcase_add_test(tc, test_good_prose);
	tcase_add_test(tc, test_good_claims);
	tcase_add_loop_test(tc, test_bad, 0,
	    (int)(sizeof bad_cases / sizeof bad_cases[0]));
	tcase_add_test(tc, test_bad_claim_line);
	tcase_add_test(tc, test_exercise_block);
	tcase_add_test(tc, test_exercise_answer_error);
	tcase_add_test(tc, test_fences_closed);
	tcase_add_test(tc, test_defaults_and_covers);
	tcase_add_test(tc, test_collect);
	tcase_add_test(tc, test_deep_nesting);
	tcase_add_test(tc, test_special_files);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	return run_suite(make_suite());
}
