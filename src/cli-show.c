/*
 * cli-show.c: `convgrad show [OPTIONS] LESSON...`: print lessons for
 * reading without the tutor.
 *
 *   text      title, introduction, each step's heading and prose wrapped to
 *             78 columns, its claims laid out in 2-D by claim_render_fit
 *             in the same 78 columns (stacked where one line is wider;
 *             Unicode, or ASCII in a non-UTF-8 locale or with --ascii),
 *             and the source document's text quoted verbatim;
 *   markdown  the prose as written, each claim as display LaTeX
 *             ($$ claim_latex $$), the source text in a fenced block:
 *             docs/derivation.md is generated with it;
 *   latex     a LaTeX fragment (\section per lesson, \subsection per step);
 *   html      one self-contained XHTML page (html.h): the prose, each
 *             claim as MathML with its verdict, counterexample and
 *             receptive-window grid (inline SVG); with --output-dir DIR,
 *             one page per lesson in DIR and an index.html.
 * A step's exercises come after its prose: the prompt and the hints (in
 * Markdown each hint in a <details> the reader opens), the hidden answer
 * only with --answers (a teacher's copy).
 * What is shown is what the verifier checks: the formulas come from the
 * parsed claims, never from a second copy.
 */
#include "config.h"

#include <errno.h>
#include <langinfo.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cli-common.h"
#include "cmd.h"
#include "expr.h"
#include "html.h"
#include "lesson.h"
#include "escape.h"
#include "util.h"

#define PROG "convgrad show"
#define WRAP 78

enum format { FORMAT_TEXT, FORMAT_MARKDOWN, FORMAT_LATEX, FORMAT_HTML };

typedef struct scli {
	enum format format;
	bool ascii;
	const char *output_dir;   /* --output-dir: html, one file per lesson */
	bool answers;             /* --answers: the exercises' answers too */
	cli_common_t common;      /* --help, --version */
} scli_t;

static const struct option long_options[] = {
	{ "format", required_argument, NULL, 'f' },
	{ "ascii", no_argument, NULL, 'a' },
	{ "output-dir", required_argument, NULL, 'o' },
	{ "answers", no_argument, NULL, 'A' },
	CLI_HELP_LONG_OPTIONS,
	{ NULL, 0, NULL, 0 },
};

static void
usage(FILE *f)
{
	fprintf(f, "Usage: convgrad show [OPTIONS] LESSON...\n"
	    "Print lessons for reading: each step's prose, its claims rendered "
	    "as formulas\n(exactly the claims that 'convgrad verify' checks), "
	    "and the source document's\ntext for the step. A LESSON is a file "
	    "or a directory of *.md files.\n\n"
	    "Options:\n"
	    "  --format F      text (default): prose wrapped to 78 columns, "
	    "formulas in 2-D;\n"
	    "                  markdown: the prose as written, each claim as "
	    "$$ LaTeX $$;\n"
	    "                  latex: a LaTeX fragment, \\section per lesson;\n"
	    "                  html: one self-contained XHTML page, formulas "
	    "as MathML, each\n"
	    "                  claim verified (its verdict, counterexample and "
	    "window grid)\n"
	    "  --output-dir D  html: one page per lesson in directory D (made "
	    "if missing),\n"
	    "                  D/NAME.html for NAME.md, and D/index.html\n"
	    "  --ascii         text: ASCII only, formulas and prose (the "
	    "partial sign as\n"
	    "                  d; the default in a non-UTF-8 locale)\n"
	    "  --answers       also the exercises' answers (hidden by default: "
	    "the prompt\n"
	    "                  and the hints are shown)\n"
	    "  -h, --help      show this help and exit\n"
	    "  -V, --version   show the version and exit\n\n"
	    "Exit status: 0 success, 2 bad usage, a lesson that does not "
	    "parse, or output\nthat cannot be written.\n");
}

/* One of show's own options (a cli_option_fn); 0, or -1 with *err naming
 * it. */
static int
parse_option(void *ctx, int opt, const char *arg, char **err)
{
	static const char *const formats[] = { "text", "markdown", "latex",
	    "html", NULL };
	scli_t *c = ctx;
	int v;

	switch (opt) {
	case 'f':
		if (cli_opt_choice("--format", arg, formats, &v, err) != 0)
			return -1;
		c->format = (enum format)v;
		break;
	case 'a':
		c->ascii = true;
		break;
	case 'o':
		if (*arg == '\0')
			return set_error(err, "--output-dir: an empty name");
		c->output_dir = arg;
		break;
	case 'A':
		c->answers = true;
		break;
	}
	return 0;
}

/* ---- text ---- */

/* Where continuation lines of a prose line hang: under the text after a
 * list or quote marker ("- ", "12. ", "> ") or the line's own indent. */
static size_t
hang_width(const char *line)
{
	size_t i = 0;

	while (line[i] == ' ')
		i++;
	if (i > 0)
		return i;
	if (strncmp(line, "- ", 2) == 0 || strncmp(line, "> ", 2) == 0)
		return 2;
	while (line[i] >= '0' && line[i] <= '9')
		i++;
	if (i > 0 && line[i] == '.' && line[i + 1] == ' ')
		return i + 2;
	return 0;
}

/* Print one prose line wrapped to WRAP columns after indent spaces;
 * words are never split, so a word wider than the line overflows it. */
static void
wrap_line(const char *line, int indent)
{
	int hang = (int)hang_width(line), lead = 0, col, w;
	const char *p = line, *word;
	char *tmp;
	bool first = true;

	while (line[lead] == ' ')
		lead++;
	p += lead;
	printf("%*s", indent + lead, "");
	col = indent + lead;
	while (*p != '\0') {
		word = p;
		while (*p != '\0' && *p != ' ')
			p++;
		tmp = xstrndup(word, (size_t)(p - word));
		w = utf8_width(tmp);
		if (!first && col + 1 + w > WRAP) {
			printf("\n%*s", indent + hang, "");
			col = indent + hang;
		} else if (!first) {
			putchar(' ');
			col++;
		}
		fputs(tmp, stdout);
		col += w;
		free(tmp);
		first = false;
		while (*p == ' ')
			p++;
	}
	putchar('\n');
}

/* Prose: lines indented 4 (code) verbatim, others wrapped. */
static void
text_prose(const char *prose, int indent)
{
	const char *p = prose, *nl;
	char *line;

	while (*p != '\0') {
		nl = strchr(p, '\n');
		line = nl ? xstrndup(p, (size_t)(nl - p)) : xstrdup(p);
		if (*line == '\0')
			putchar('\n');
		else if (strncmp(line, "    ", 4) == 0)
			printf("%*s%s\n", indent, "", line);
		else
			wrap_line(line, indent);
		free(line);
		if (nl == NULL)
			break;
		p = nl + 1;
	}
}

static void
text_source(const char *src, bool utf8)
{
	const char *p = src, *nl;

	printf("  Source, as written:\n");
	while (*p != '\0') {
		int n;

		nl = strchr(p, '\n');
		n = (int)(nl ? (size_t)(nl - p) : strlen(p));
		printf("  %s%s%.*s\n", utf8 ? "│" : "|", n > 0 ? " " : "", n, p);
		if (nl == NULL)
			break;
		p = nl + 1;
	}
	printf("\n");
}

#define CLAIM_INDENT 6

/* Lesson text as the terminal can show it: as written in a UTF-8 locale,
 * folded to ASCII (escape_ascii_fold: ∂ d, · *, − -) otherwise or with
 * --ascii, so that an ASCII terminal gets no bytes it cannot draw.
 * Malloc'd. */
static char *
text_for(const char *s, bool utf8)
{
	return utf8 ? xstrdup(s) : escape_ascii_fold(s);
}

static void
text_claim(const claim_t *c, bool utf8)
{
	pp_box_t *box;

	if (c->label != NULL) {
		char *label = text_for(c->label, utf8);

		wrap_line(label, 4);
		free(label);
	}
	box = claim_render_fit(c, utf8 ? PP_UNICODE : PP_ASCII,
	    WRAP - CLAIM_INDENT);
	pp_box_print(box, stdout, CLAIM_INDENT);
	pp_box_free(box);
	printf("\n");
}

/* "Exercise: PROMPT", "Hint 1: ..." and, with --answers, the answer laid
 * out as a claim is. */
static void
text_exercise(const scli_t *c, const lesson_exercise_t *ex, bool utf8)
{
	char *line, *shown;
	int k;

	line = xasprintf("Exercise: %s", ex->prompt);
	shown = text_for(line, utf8);
	wrap_line(shown, 2);
	free(shown);
	free(line);
	for (k = 0; k < ex->nhints; k++) {
		line = xasprintf("Hint %d: %s", k + 1, ex->hints[k]);
		shown = text_for(line, utf8);
		wrap_line(shown, 4);
		free(shown);
		free(line);
	}
	if (c->answers) {
		pp_box_t *box = claim_render_fit(ex->answer_claim,
		    utf8 ? PP_UNICODE : PP_ASCII, WRAP - CLAIM_INDENT);

		printf("    Answer:\n");
		pp_box_print(box, stdout, CLAIM_INDENT);
		pp_box_free(box);
	}
	printf("\n");
}

static void
text_underline(const char *title, const char *ch)
{
	int i, w = utf8_width(title);

	for (i = 0; i < w; i++)
		fputs(ch, stdout);
	putchar('\n');
}

static void
show_text(const scli_t *c, const lesson_t *l)
{
	const char *cs = nl_langinfo(CODESET);
	bool utf8 = !c->ascii && cs != NULL && strcmp(cs, "UTF-8") == 0;
	char *title = text_for(l->title, utf8), *s;
	int i, k;

	printf("%s\n", title);
	text_underline(title, "=");
	printf("\n");
	free(title);
	if (*l->intro != '\0') {
		s = text_for(l->intro, utf8);
		text_prose(s, 0);
		printf("\n");
		free(s);
	}
	for (i = 0; i < l->nsteps; i++) {
		const lesson_step_t *st = &l->steps[i];
		char *head = xasprintf("%d. %s", i + 1, st->title);

		s = text_for(head, utf8);
		printf("%s\n", s);
		text_underline(s, "-");
		free(s);
		free(head);
		printf("\n");
		if (*st->prose != '\0') {
			s = text_for(st->prose, utf8);
			text_prose(s, 0);
			printf("\n");
			free(s);
		}
		for (k = 0; k < st->nexercises; k++)
			text_exercise(c, &st->exercises[k], utf8);
		for (k = 0; k < st->nclaims; k++)
			text_claim(st->claims[k], utf8);
		if (st->source != NULL) {
			s = text_for(st->source, utf8);
			text_source(s, utf8);
			free(s);
		}
	}
}

/* ---- markdown ---- */

/* The longest run of backticks in s, so a fence can be longer. */
static int
max_backticks(const char *s)
{
	int run = 0, best = 0;

	for (; *s != '\0'; s++) {
		run = *s == '`' ? run + 1 : 0;
		if (run > best)
			best = run;
	}
	return best;
}

static void
md_fence(const char *info, const char *body)
{
	int n = max_backticks(body) + 1, i;

	if (n < 3)
		n = 3;
	for (i = 0; i < n; i++)
		putchar('`');
	printf("%s\n%s\n", info, body);
	for (i = 0; i < n; i++)
		putchar('`');
	printf("\n\n");
}

/* A label as Markdown text: escape what Markdown would take as markup. */
static void
md_escaped(const char *s)
{
	for (; *s != '\0'; s++) {
		if (strchr("\\`*_[]<>#|$", *s) != NULL)
			putchar('\\');
		putchar(*s);
	}
}

static void
md_claim(const claim_t *c)
{
	char *tex = claim_latex(c);

	if (c->label != NULL) {
		printf("*");
		md_escaped(c->label);
		printf("*\n\n");
	}
	printf("$$\n%s\n$$\n\n", tex);
	free(tex);
}

/* An exercise in Markdown: the prompt as a bold-led paragraph, each hint
 * and (with --answers) the answer folded in a <details>, so that a
 * reader of docs/derivation.md opens one tier at a time. */
static void
md_exercise(const scli_t *c, const lesson_exercise_t *ex)
{
	char *tex;
	int k;

	printf("**Exercise.** ");
	md_escaped(ex->prompt);
	printf("\n\n");
	for (k = 0; k < ex->nhints; k++) {
		printf("<details><summary>Hint %d</summary>\n\n", k + 1);
		md_escaped(ex->hints[k]);
		printf("\n\n</details>\n\n");
	}
	if (c->answers) {
		tex = claim_latex(ex->answer_claim);
		printf("<details><summary>Answer</summary>\n\n$$\n%s\n$$\n\n"
		    "</details>\n\n", tex);
		free(tex);
	}
}

static void
show_markdown(const scli_t *c, const lesson_t *l)
{
	int i, k;

	printf("# %s\n\n", l->title);
	if (*l->intro_md != '\0')
		printf("%s\n\n", l->intro_md);
	for (i = 0; i < l->nsteps; i++) {
		const lesson_step_t *st = &l->steps[i];

		printf("## %s\n\n", st->title);
		if (*st->prose_md != '\0')
			printf("%s\n\n", st->prose_md);
		for (k = 0; k < st->nexercises; k++)
			md_exercise(c, &st->exercises[k]);
		for (k = 0; k < st->nclaims; k++)
			md_claim(st->claims[k]);
		if (st->source != NULL) {
			printf("The source, as written:\n\n");
			md_fence("text", st->source);
		}
	}
}

/* ---- latex ---- */

static void
tex_escaped(const char *s)
{
	for (; *s != '\0'; s++) {
		switch (*s) {
		case '\\':
			fputs("\\textbackslash{}", stdout);
			break;
		case '~':
			fputs("\\textasciitilde{}", stdout);
			break;
		case '^':
			fputs("\\textasciicircum{}", stdout);
			break;
		case '&': case '%': case '$': case '#': case '_': case '{':
		case '}':
			printf("\\%c", *s);
			break;
		default:
			putchar(*s);
		}
	}
}

static void
tex_exercise(const scli_t *c, const lesson_exercise_t *ex)
{
	char *tex;
	int k;

	printf("\\paragraph{Exercise.} ");
	tex_escaped(ex->prompt);
	printf("\n\n");
	for (k = 0; k < ex->nhints; k++) {
		printf("\\emph{Hint %d.} ", k + 1);
		tex_escaped(ex->hints[k]);
		printf("\n\n");
	}
	if (c->answers) {
		tex = claim_latex(ex->answer_claim);
		printf("\\emph{Answer.}\n\\[\n%s\n\\]\n\n", tex);
		free(tex);
	}
}

static void
show_latex(const scli_t *c, const lesson_t *l)
{
	int i, k;
	char *tex;

	printf("\\section{");
	tex_escaped(l->title);
	printf("}\n\n");
	if (*l->intro != '\0') {
		tex_escaped(l->intro);
		printf("\n\n");
	}
	for (i = 0; i < l->nsteps; i++) {
		const lesson_step_t *st = &l->steps[i];

		printf("\\subsection{");
		tex_escaped(st->title);
		printf("}\n\n");
		if (*st->prose != '\0') {
			tex_escaped(st->prose);
			printf("\n\n");
		}
		for (k = 0; k < st->nexercises; k++)
			tex_exercise(c, &st->exercises[k]);
		for (k = 0; k < st->nclaims; k++) {
			if (st->claims[k]->label != NULL) {
				printf("\\emph{");
				tex_escaped(st->claims[k]->label);
				printf("}\n");
			}
			tex = claim_latex(st->claims[k]);
			printf("\\[\n%s\n\\]\n\n", tex);
			free(tex);
		}
		if (st->source != NULL)
			printf("\\begin{verbatim}\n%s\n\\end{verbatim}\n\n",
			    st->source);
	}
}

static void
show_one(const scli_t *c, const lesson_t *l)
{
	switch (c->format) {
	case FORMAT_TEXT:
		show_text(c, l);
		break;
	case FORMAT_MARKDOWN:
		show_markdown(c, l);
		break;
	case FORMAT_LATEX:
		show_latex(c, l);
		break;
	case FORMAT_HTML:      /* all lessons at once: show_html */
		break;
	}
}

/* html: one page on standard output (main checks the writes), or one
 * per lesson in --output-dir. */
static int
show_html(const scli_t *c, lesson_t **ls, int n)
{
	html_opts_t o;
	char *page, *err = NULL;

	html_opts_default(&o);
	o.answers = c->answers;
	if (c->output_dir == NULL) {
		page = html_page(ls, n, &o);
		fputs(page, stdout);
		free(page);
		return 0;
	}
	if (html_write_dir(c->output_dir, ls, n, &o, &err) == 0)
		return 0;
	fprintf(stderr, PROG ": %s\n", err);
	free(err);
	return 2;
}

/* Load all, then show all: a parse error prints nothing but the error. */
static int
show_all(const scli_t *c, char **args, int nargs)
{
	lesson_t **ls;
	int n, i, rc;

	if (cli_lessons_load(PROG, args, nargs, &ls, &n) != 0) {
		cli_lessons_free(ls, n);
		return 2;
	}
	if (c->format == FORMAT_HTML) {
		rc = show_html(c, ls, n);
		cli_lessons_free(ls, n);
		return rc;
	}
	for (i = 0; i < n; i++) {
		if (i > 0)
			printf("\n");
		show_one(c, ls[i]);
	}
	cli_lessons_free(ls, n);
	return 0;
}

int
cmd_show(int argc, char **argv)
{
	scli_t c;
	char *err = NULL;

	memset(&c, 0, sizeof c);
	if (cli_parse_options(argc, argv, ":hV", long_options, &c.common,
	    parse_option, &c, &err) != 0)
		return cli_usage_error(PROG, err);
	if (cli_help_or_version(&c.common, usage))
		return 0;
	if (c.output_dir != NULL && c.format != FORMAT_HTML)
		return cli_usage_error(PROG,
		    xstrdup("--output-dir: only with --format html"));
	if (optind >= argc)
		return cli_usage_error(PROG,
		    xstrdup("which lesson? (a file or directory)"));
	return show_all(&c, argv + optind, argc - optind);
}
