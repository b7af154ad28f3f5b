// ncurses 6.4 from Debian 12 (libncurses-dev). Macros, globals and variadic functions that Swift
// cannot import get fixed-arity wrappers here.
#ifndef RECALL_CNCURSES_SHIM_H
#define RECALL_CNCURSES_SHIM_H

#define NCURSES_WIDECHAR 1
#include <ncurses.h>
#include <locale.h>
#include <sys/ioctl.h>
#include <unistd.h>

static inline WINDOW *recall_stdscr(void) { return stdscr; }
static inline int recall_lines(void) { return LINES; }
static inline int recall_cols(void) { return COLS; }
static inline int recall_color_pair(int n) { return COLOR_PAIR(n); }
static inline int recall_attr_bold(void) { return A_BOLD; }
static inline int recall_attr_reverse(void) { return A_REVERSE; }
static inline int recall_attr_dim(void) { return A_DIM; }
static inline int recall_key_resize(void) { return KEY_RESIZE; }
static inline int recall_put(int y, int x, const char *text, int maxlen) {
    return mvaddnstr(y, x, text, maxlen);
}
static inline int recall_attr_on(int attrs) { return attron(attrs); }
static inline int recall_attr_off(int attrs) { return attroff(attrs); }
/* The terminal's size as the kernel knows it (ioctl is variadic, so Swift cannot call it). */
static inline int recall_terminal_size(int fd, int *rows, int *cols) {
    struct winsize size;
    if (ioctl(fd, TIOCGWINSZ, &size) != 0 || size.ws_row == 0 || size.ws_col == 0) return -1;
    *rows = size.ws_row;
    *cols = size.ws_col;
    return 0;
}

#endif
