/*
 * ui-term.c: terminal setup and teardown, in one place (as htop's CRT.c).
 *
 * ui_term_check() decides, before anything is written, whether the tutor
 * can run: both standard input and output must be terminals and TERM must
 * name a terminal type that can move the cursor. ui_term_init() installs
 * the signal handlers first (so ncurses keeps ours), then newterm, cbreak,
 * noecho, keypad, and colour or a monochrome scheme. ui_term_done()
 * restores the terminal; it is also fatal()'s hook, so a fatal error is
 * printed on a restored screen.
 *
 * Signals that ask to end or stop the program only set flags; the main
 * loop polls them (a signal ends getch's wait at once, and the worker
 * thread that verifies blocks them, so they always reach the loop):
 *   SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGUSR1, SIGUSR2, SIGPIPE, SIGALRM,
 *   SIGXCPU, SIGXFSZ, SIGVTALRM
 *                            quit: restore the terminal, exit 128+signo;
 *   SIGTSTP (Ctrl-Z)         endwin, stop for real, redraw on resume;
 *   SIGWINCH                 left to ncurses, which turns it into KEY_RESIZE.
 * Faults (SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGABRT, SIGSYS, SIGTRAP) cannot
 * wait for the loop: their handler restores the terminal itself with
 * async-signal-safe calls only (the tty modes saved before newterm, and
 * the terminal's own strings to leave the alternate screen, show the
 * cursor and reset attributes, looked up in advance), then dies of the
 * same signal. It runs on an alternate stack, so a stack overflow can
 * still restore.
 */
#include "ui-curses.h"

#include <langinfo.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <term.h>
#include <termios.h>
#include <unistd.h>

#include "util.h"

static volatile sig_atomic_t quit_signal;
static volatile sig_atomic_t suspend_pending;
static bool active;
static bool have_color;
static bool ascii_mode;
static bool present_mode;
static SCREEN *screen;

/* For the fault handler: the tty as the shell left it, and what to write
 * to put the screen back. */
static struct termios saved_tio;
static bool have_tio;
static char restore_seq[512];
static size_t restore_len;
static char alt_stack[64 * 1024];

static const int quit_signals[] = {
	SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGUSR1, SIGUSR2, SIGPIPE, SIGALRM,
	SIGXCPU, SIGXFSZ, SIGVTALRM,
};
static const int fault_signals[] = {
	SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGABRT, SIGSYS, SIGTRAP,
};
#define NELEM(a) (sizeof (a) / sizeof (a)[0])

static const ui_glyphs_t glyphs_unicode = {
	.h = "─", .v = "│", .tl = "┌", .tr = "┐", .bl = "└", .br = "┘",
	.ok = "✓", .fail = "✗", .dot = "·", .times = "×", .ellipsis = "…",
	.arrow = "→",
	.cur_l = "[", .cur_r = "]", .set_l = "‹", .set_r = "›",
	.par_l = "{", .par_r = "}",
	.shade = { "░", "▒", "▓", "█" },
	.bar_done = "█", .bar_todo = "░",
	.clip_up = "▴", .clip_down = "▾", .clip_l = "◂", .clip_r = "▸",
};

static const ui_glyphs_t glyphs_ascii = {
	.h = "-", .v = "|", .tl = "+", .tr = "+", .bl = "+", .br = "+",
	.ok = "ok", .fail = "FAIL", .dot = ".", .times = "x", .ellipsis = "~",
	.arrow = "->",
	.cur_l = "[", .cur_r = "]", .set_l = "<", .set_r = ">",
	.par_l = "{", .par_r = "}",
	.shade = { ".", ":", "o", "#" },
	.bar_done = "#", .bar_todo = ".",
	.clip_up = "^", .clip_down = "v", .clip_l = "<", .clip_r = ">",
};

/* Colour pairs, one per role that has colour (0: no pair). */
static const struct role_style {
	short fg, bg;
	attr_t color_attr;     /* added to the pair */
	attr_t mono;           /* the whole style without colour */
} role_styles[ROLE_COUNT] = {
	[ROLE_NORMAL]  = { -1, -1, A_NORMAL, A_NORMAL },
	[ROLE_TITLE]   = { COLOR_WHITE, COLOR_BLUE, A_BOLD, A_REVERSE },
	[ROLE_HEADING] = { COLOR_CYAN, -1, A_BOLD, A_BOLD | A_UNDERLINE },
	[ROLE_DIM]     = { -1, -1, A_DIM, A_DIM },
	[ROLE_KEY]     = { COLOR_CYAN, -1, A_BOLD, A_BOLD },
	[ROLE_FOCUS]   = { COLOR_CYAN, -1, A_BOLD, A_BOLD },
	[ROLE_CURSOR]  = { COLOR_BLACK, COLOR_CYAN, A_BOLD, A_REVERSE },
	[ROLE_SET]     = { COLOR_BLACK, COLOR_YELLOW, A_NORMAL, A_BOLD | A_UNDERLINE },
	[ROLE_PARTNER] = { COLOR_WHITE, COLOR_MAGENTA, A_BOLD, A_REVERSE | A_UNDERLINE },
	[ROLE_POS]     = { -1, -1, A_NORMAL, A_NORMAL },
	[ROLE_NEG]     = { COLOR_RED, -1, A_NORMAL, A_NORMAL },
	[ROLE_OK]      = { COLOR_GREEN, -1, A_BOLD, A_BOLD },
	[ROLE_FAIL]    = { COLOR_RED, -1, A_BOLD, A_BOLD | A_UNDERLINE },
	[ROLE_ERRATUM] = { COLOR_MAGENTA, -1, A_BOLD, A_BOLD },
	[ROLE_WARN]    = { COLOR_YELLOW, -1, A_BOLD, A_BOLD },
	[ROLE_SELECT]  = { COLOR_BLACK, COLOR_WHITE, A_NORMAL, A_REVERSE },
};

static void
on_quit_signal(int sig)
{
	quit_signal = sig;
}

static void
on_suspend_signal(int sig)
{
	(void)sig;
	suspend_pending = 1;
}

/* No SA_RESTART: a signal wakes getch at once. */
static void
set_handler(int sig, void (*fn)(int))
{
	struct sigaction sa;

	memset(&sa, 0, sizeof sa);
	sa.sa_handler = fn;
	sigemptyset(&sa.sa_mask);
	sigaction(sig, &sa, NULL);
}

/* A fault: put the terminal back (write(2) and tcsetattr(3) are
 * async-signal-safe), then die of it (SA_RESETHAND made the action the
 * default again). */
static void
on_fault_signal(int sig)
{
	ssize_t w;

	if (restore_len > 0)
		w = write(STDOUT_FILENO, restore_seq, restore_len);
	(void)w;
	if (have_tio)
		tcsetattr(STDIN_FILENO, TCSADRAIN, &saved_tio);
	raise(sig);
}

static void
set_fault_handler(int sig)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_fault_signal;
	sa.sa_flags = SA_ONSTACK | SA_RESETHAND | SA_NODEFER;
	sigfillset(&sa.sa_mask);
	sigaction(sig, &sa, NULL);
}

/* Append the terminal's string for capability cap (if it has one). */
static void
restore_add(const char *cap)
{
	char *v = tigetstr(cap);
	size_t n;

	if (v == NULL || v == (char *)-1)
		return;
	n = strlen(v);
	if (restore_len + n < sizeof restore_seq) {
		memcpy(restore_seq + restore_len, v, n);
		restore_len += n;
	}
}

/* What the fault handler will need, gathered while it is safe to. */
static void
fault_restore_init(void)
{
	stack_t ss;
	size_t i;

	restore_len = 0;
	restore_add("sgr0");
	restore_add("cnorm");
	restore_add("rmkx");
	restore_add("rmcup");
	memset(&ss, 0, sizeof ss);
	ss.ss_sp = alt_stack;
	ss.ss_size = sizeof alt_stack;
	sigaltstack(&ss, NULL);
	for (i = 0; i < NELEM(fault_signals); i++)
		set_fault_handler(fault_signals[i]);
}

int
ui_term_check(char **why)
{
	const char *term = getenv("TERM");
	char *cup;
	int e = 0;

	if (!isatty(STDIN_FILENO))
		return set_error(why, "standard input is not a terminal");
	if (!isatty(STDOUT_FILENO))
		return set_error(why, "standard output is not a terminal");
	if (term == NULL || term[0] == '\0')
		return set_error(why, "TERM is not set");
	if (setupterm(NULL, STDOUT_FILENO, &e) != OK)
		return set_error(why, "TERM=%s is not a terminal type known here",
		    term);
	cup = tigetstr("cup");
	if (cup == NULL || cup == (char *)-1) {
		del_curterm(cur_term);
		return set_error(why, "TERM=%s cannot move the cursor", term);
	}
	del_curterm(cur_term);
	return 0;
}

static void
colors_init(void)
{
	int r;

	start_color();
	use_default_colors();
	for (r = 1; r < ROLE_COUNT; r++)
		init_pair((short)r, role_styles[r].fg, role_styles[r].bg);
}

int
ui_term_init(const ui_opts_t *o, char **err)
{
	size_t i;

	ascii_mode = o->ascii;
	present_mode = o->present;
	have_tio = tcgetattr(STDIN_FILENO, &saved_tio) == 0;
	for (i = 0; i < NELEM(quit_signals); i++)
		set_handler(quit_signals[i], on_quit_signal);
	set_handler(SIGTSTP, on_suspend_signal);
	screen = newterm(NULL, stdout, stdin);
	if (screen == NULL) {
		ui_term_done();
		return set_error(err, "cannot set up the terminal (TERM=%s)",
		    getenv("TERM") != NULL ? getenv("TERM") : "");
	}
	set_term(screen);
	active = true;
	fault_restore_init();
	fatal_set_hook(ui_term_done);
	cbreak();
	noecho();
	nonl();
	keypad(stdscr, TRUE);
	set_escdelay(25);
	curs_set(0);
	have_color = o->color && has_colors();
	if (have_color)
		colors_init();
	return 0;
}

void
ui_term_done(void)
{
	size_t i;

	if (active) {
		endwin();
		fflush(stdout);
		active = false;
	}
	for (i = 0; i < NELEM(quit_signals); i++)
		signal(quit_signals[i], SIG_DFL);
	for (i = 0; i < NELEM(fault_signals); i++)
		signal(fault_signals[i], SIG_DFL);
	signal(SIGTSTP, SIG_DFL);
	restore_len = 0;
	fatal_set_hook(NULL);
}

/* Ctrl-Z: give the terminal back, stop, and take it again on resume. */
static void
suspend_now(void)
{
	suspend_pending = 0;
	endwin();
	fflush(stdout);
	signal(SIGTSTP, SIG_DFL);
	raise(SIGTSTP);
	/* ... stopped here until SIGCONT ... */
	set_handler(SIGTSTP, on_suspend_signal);
	reset_prog_mode();
	clearok(curscr, TRUE);
	refresh();
}

bool
ui_term_quit_requested(void)
{
	if (suspend_pending && active)
		suspend_now();
	return quit_signal != 0;
}

int
ui_term_signal(void)
{
	return quit_signal;
}

static int
translate_key(int c)
{
	switch (c) {
	case KEY_UP: return TK_UP;
	case KEY_DOWN: return TK_DOWN;
	case KEY_LEFT: return TK_LEFT;
	case KEY_RIGHT: return TK_RIGHT;
	case KEY_PPAGE: return TK_PGUP;
	case KEY_NPAGE: return TK_PGDN;
	case KEY_HOME: return TK_HOME;
	case KEY_END: return TK_END;
	case KEY_BACKSPACE: case 127: case 8: return TK_BACKSPACE;
	case KEY_F(1): return TK_F1;
	case KEY_BTAB: return TK_BTAB;
	case KEY_DC: return TK_DELETE;      /* the claim editor's Delete */
	case KEY_RESIZE: return TK_RESIZE;
	case KEY_ENTER: case '\r': case '\n': return TK_ENTER;
	case 27: return TK_ESC;
	default: break;
	}
	return c >= KEY_MIN ? 0 : c;
}

int
ui_term_getkey(int timeout_ms)
{
	int c;

	timeout(timeout_ms);
	c = getch();
	if (c == ERR)
		return -1;
	return translate_key(c);
}

/* Presenter mode's high contrast: what would be dim is plain, and every
 * coloured role is bold (a projector's red or cyan on black is faint). */
static attr_t
present_attr(ui_role_t r, attr_t a)
{
	a &= ~(attr_t)A_DIM;
	if (have_color && role_styles[r].fg != -1)
		a |= A_BOLD;
	return a;
}

attr_t
ui_attr(ui_role_t r)
{
	attr_t a;

	if (r >= ROLE_COUNT)
		r = ROLE_NORMAL;
	if (!have_color)
		a = role_styles[r].mono;
	else if (role_styles[r].fg == -1 && role_styles[r].bg == -1)
		a = role_styles[r].color_attr;
	else
		a = COLOR_PAIR(r) | role_styles[r].color_attr;
	return present_mode ? present_attr(r, a) : a;
}

bool
ui_present(void)
{
	return present_mode;
}

bool
ui_ascii(void)
{
	return ascii_mode;
}

const ui_glyphs_t *
ui_glyphs(void)
{
	return ascii_mode ? &glyphs_ascii : &glyphs_unicode;
}
