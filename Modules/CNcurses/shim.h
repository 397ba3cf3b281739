#ifndef CNCURSES_SHIM_H
#define CNCURSES_SHIM_H
// Wide-character ncurses, plus accessors for the macros and globals Swift cannot import.
// Accessors only: every decision lives in Sources/Terminal.
#define _XOPEN_SOURCE_EXTENDED 1
#define NCURSES_WIDECHAR 1
#include <locale.h>
#include <langinfo.h>
#include <sys/ioctl.h>
#include <termios.h>
#include <ncursesw/curses.h>

// The C standard streams (globals Swift 6 refuses to read): newterm takes them.
static inline FILE *cn_stdin(void) { return stdin; }
static inline FILE *cn_stdout(void) { return stdout; }

// How many colours and colour pairs the terminal has (globals).
static inline int cn_colors(void) { return COLORS; }
static inline int cn_color_pairs(void) { return COLOR_PAIRS; }

// Attributes (function-like macros in curses.h).
static inline attr_t cn_a_normal(void) { return A_NORMAL; }
static inline attr_t cn_a_bold(void) { return A_BOLD; }
static inline attr_t cn_a_reverse(void) { return A_REVERSE; }
static inline attr_t cn_a_dim(void) { return A_DIM; }
static inline attr_t cn_a_underline(void) { return A_UNDERLINE; }

// Function key n (KEY_F(n) is a macro).
static inline int cn_key_f(int n) { return KEY_F(n); }

// Columns the C library (and so ncurses) gives a wide character, -1 when the locale cannot
// show it. Declared only under _XOPEN_SOURCE, which Swift's Glibc module does not define.
static inline int cn_wcwidth(wchar_t c) { return wcwidth(c); }

// The mouse: clicks and the wheel (BUTTON*_PRESSED are macros). Returns the mask granted.
static inline mmask_t cn_mouse_enable(void) {
    mouseinterval(0);
    return mousemask(BUTTON1_PRESSED | BUTTON4_PRESSED | BUTTON5_PRESSED, NULL);
}
// After KEY_MOUSE: 1 for a click, 4 wheel up, 5 wheel down, 0 for anything else.
static inline int cn_mouse_read(int *x, int *y) {
    MEVENT event;
    if (getmouse(&event) != OK) return 0;
    *x = event.x;
    *y = event.y;
    if (event.bstate & BUTTON1_PRESSED) return 1;
    if (event.bstate & BUTTON4_PRESSED) return 4;
    if (event.bstate & BUTTON5_PRESSED) return 5;
    return 0;
}

// ioctl is variadic, so Swift cannot call it: the terminal's size as the kernel knows it.
static inline int cn_get_winsize(int fd, struct winsize *size) { return ioctl(fd, TIOCGWINSZ, size); }

#endif
