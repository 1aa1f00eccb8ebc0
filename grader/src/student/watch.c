/*
 * watch.c - `wirebook watch`: checks the current exercise each time one of
 * its files is saved, and moves on to the next exercise when it passes.
 *
 * Saves are seen two ways at once. inotify on the files' folder reports
 * IN_CLOSE_WRITE (written in place), IN_MOVED_TO (editors that write a
 * temporary file and rename it over the old one) and IN_CREATE; and every
 * wake-up compares each file's inode, size and mtime with the last ones, so
 * a save inotify misses (network or FUSE file systems, containers with
 * bind mounts) is still caught within a second. --poll (or no inotify) uses
 * only the comparison, every 500 ms. Keys: Enter checks now, h hints, q quits.
 */
#include "student.h"
#include "util.h"

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <sys/stat.h>
#include <termios.h>
#include <unistd.h>

#define POLL_MS 500
#define SAFETY_POLL_MS 1000
#define SETTLE_MS 150 /* a save is often several writes: wait until they stop */

static volatile sig_atomic_t interrupts;
static struct termios saved_tty;
static volatile sig_atomic_t tty_changed;

/* First Ctrl-C: finish the check that runs and leave cleanly. Second: leave now. */
static void on_sigint(int sig)
{
    interrupts++;
    if (interrupts > 1) {
        if (tty_changed)
            tcsetattr(STDIN_FILENO, TCSANOW, &saved_tty);
        signal(sig, SIG_DFL);
        raise(sig);
    }
}

/* Keys without Enter and without echo, when stdin is a terminal. */
static void tty_keys_on(void)
{
    if (!isatty(STDIN_FILENO) || tcgetattr(STDIN_FILENO, &saved_tty) != 0)
        return;
    struct termios raw = saved_tty;
    raw.c_lflag &= ~(tcflag_t)(ICANON | ECHO);
    raw.c_cc[VMIN] = 1;
    raw.c_cc[VTIME] = 0;
    if (tcsetattr(STDIN_FILENO, TCSANOW, &raw) == 0)
        tty_changed = 1;
}

static void tty_keys_off(void)
{
    if (tty_changed && tcsetattr(STDIN_FILENO, TCSANOW, &saved_tty) == 0)
        tty_changed = 0;
}

/* The files of the exercise being watched, and what they looked like. */
struct watched {
    const struct wb_exercise *ex;
    char **paths;
    struct stat *last;
    size_t n;
    int inotify_fd; /* -1 when polling only */
};

static void watched_free(struct watched *w)
{
    if (w->inotify_fd >= 0)
        close(w->inotify_fd);
    for (size_t i = 0; i < w->n; i++)
        free(w->paths[i]);
    free(w->paths);
    free(w->last);
    memset(w, 0, sizeof *w);
    w->inotify_fd = -1;
}

static bool same_stat(const struct stat *a, const struct stat *b)
{
    return a->st_ino == b->st_ino && a->st_size == b->st_size &&
           a->st_mtim.tv_sec == b->st_mtim.tv_sec && a->st_mtim.tv_nsec == b->st_mtim.tv_nsec;
}

/* True when a file changed since the last look (and remembers the new look). */
static bool files_changed(struct watched *w)
{
    bool changed = false;
    for (size_t i = 0; i < w->n; i++) {
        struct stat now;
        if (stat(w->paths[i], &now) != 0)
            memset(&now, 0, sizeof now); /* a missing file is a state too */
        if (!same_stat(&now, &w->last[i])) {
            changed = true;
            w->last[i] = now;
        }
    }
    return changed;
}

static int watched_open(struct watched *w, const struct wb_manifest *m, const struct wb_exercise *e,
                        bool poll_only)
{
    memset(w, 0, sizeof *w);
    w->inotify_fd = -1;
    w->ex = e;
    w->paths = calloc(e->nfiles, sizeof *w->paths);
    w->last = calloc(e->nfiles, sizeof *w->last);
    if (!w->paths || !w->last)
        return -1;
    for (size_t i = 0; i < e->nfiles; i++, w->n++)
        if (!(w->paths[i] = str_printf("%s/chapters/%s/%s", m->root, e->chapter->id, e->files[i])))
            return -1;
    files_changed(w); /* the starting point */
    if (poll_only)
        return 0;
    w->inotify_fd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
    if (w->inotify_fd < 0) {
        fprintf(stderr, "wirebook: inotify unavailable (%s); looking at the files every %d ms\n",
                strerror(errno), POLL_MS);
        return 0;
    }
    for (size_t i = 0; i < w->n; i++) {
        char *dir = strdup(w->paths[i]);
        char *slash = dir ? strrchr(dir, '/') : NULL;
        if (slash)
            *slash = '\0';
        /* The folder, not the file: a rename-on-save replaces the file's inode. */
        if (!dir ||
            inotify_add_watch(w->inotify_fd, dir, IN_CLOSE_WRITE | IN_MOVED_TO | IN_CREATE) < 0) {
            fprintf(stderr, "wirebook: cannot watch %s (%s); looking at the files every %d ms\n",
                    dir ? dir : "the chapter", strerror(errno), POLL_MS);
            close(w->inotify_fd);
            w->inotify_fd = -1;
            free(dir);
            return 0;
        }
        free(dir);
    }
    return 0;
}

/* Drains inotify; true when an event names one of the watched files. */
static bool inotify_says_saved(struct watched *w)
{
    char buf[4096] __attribute__((aligned(__alignof__(struct inotify_event))));
    bool hit = false;
    ssize_t len;
    while ((len = read(w->inotify_fd, buf, sizeof buf)) > 0) {
        for (char *p = buf; p < buf + len;) {
            const struct inotify_event *ev = (const struct inotify_event *)p;
            for (size_t i = 0; ev->len && i < w->n; i++) {
                const char *base = strrchr(w->paths[i], '/');
                if (base && strcmp(base + 1, ev->name) == 0)
                    hit = true;
            }
            p += sizeof *ev + ev->len;
        }
    }
    return hit;
}

enum wake { WAKE_SAVED, WAKE_ENTER, WAKE_HINT, WAKE_QUIT };

/* Waits for a save, a key, end of input or Ctrl-C. */
static enum wake wait_for_something(struct watched *w, bool *stdin_open)
{
    static bool after_command; /* the Enter that ends a typed "h" or "q" line */
    for (;;) {
        if (interrupts)
            return WAKE_QUIT;
        struct pollfd fds[2] = {{.fd = *stdin_open ? STDIN_FILENO : -1, .events = POLLIN},
                                {.fd = w->inotify_fd, .events = POLLIN}};
        int timeout = w->inotify_fd >= 0 ? SAFETY_POLL_MS : POLL_MS;
        int ready = poll(fds, 2, timeout);
        if (ready < 0 && errno != EINTR) {
            fprintf(stderr, "wirebook: poll: %s\n", strerror(errno));
            return WAKE_QUIT;
        }
        if (ready > 0 && (fds[1].revents & POLLIN) && inotify_says_saved(w)) {
            /* Let the save finish (several writes, or write then rename). */
            do
                usleep(SETTLE_MS * 1000);
            while (inotify_says_saved(w));
            files_changed(w);
            return WAKE_SAVED;
        }
        if (ready > 0 && (fds[0].revents & (POLLIN | POLLHUP))) {
            char c;
            ssize_t got = read(STDIN_FILENO, &c, 1);
            if (got <= 0) {
                *stdin_open = false; /* keep watching files without a keyboard */
                continue;
            }
            if (c == 'q' || c == 'Q')
                return WAKE_QUIT;
            if (c == 'h' || c == 'H') {
                after_command = !tty_changed; /* typed as a line: its Enter follows */
                return WAKE_HINT;
            }
            if (c == '\n' || c == '\r') {
                if (after_command) {
                    after_command = false;
                    continue;
                }
                return WAKE_ENTER;
            }
            continue;
        }
        if (files_changed(w)) {
            usleep(SETTLE_MS * 1000);
            files_changed(w);
            return WAKE_SAVED;
        }
    }
}

static void footer(const struct watched *w, bool poll_only)
{
    const struct wb_exercise *e = w->ex;
    printf("\nwatching %s/%s (", e->chapter->id, e->id);
    for (size_t i = 0; i < e->nfiles; i++)
        printf("%schapters/%s/%s", i ? ", " : "", e->chapter->id, e->files[i]);
    printf(")%s\nsave to check again | Enter: check now | h: hint | q: quit\n",
           w->inotify_fd >= 0 ? ""
           : poll_only        ? ", polling"
                              : ", polling (no inotify)");
    fflush(stdout);
}

int watch_loop(const struct wb_manifest *m, struct progress *p, const struct wb_exercise *e,
               const struct watch_options *o)
{
    struct sigaction sa = {.sa_handler = on_sigint}, old_int;
    sigemptyset(&sa.sa_mask);
    if (sigaction(SIGINT, &sa, &old_int) != 0) {
        fprintf(stderr, "wirebook: cannot handle Ctrl-C: %s\n", strerror(errno));
        return 2;
    }
    interrupts = 0;
    bool stdin_open = true;
    bool clear = isatty(STDOUT_FILENO);
    int rc = 0;
    struct watched w;
    if (watched_open(&w, m, e, o->poll) != 0) {
        fprintf(stderr, "wirebook: out of memory\n");
        watched_free(&w);
        sigaction(SIGINT, &old_int, NULL);
        return 2;
    }
    tty_keys_on();
    enum wake why = WAKE_ENTER;
    for (;;) {
        if (why == WAKE_HINT) {
            show_hint(m, p, w.ex, false);
        } else if (why != WAKE_QUIT) {
            if (clear)
                printf("\033[2J\033[H");
            printf("checking %s/%s ...\n", w.ex->chapter->id, w.ex->id);
            fflush(stdout);
            struct check_request req = {.ex = w.ex, .sanitize = o->sanitize, .color = o->color};
            int passed = check_and_record(m, p, &req);
            if (passed < 0) {
                rc = 2;
                break;
            }
            say_after_check(m, p, w.ex, passed == 1);
            if (passed == 1) {
                const struct wb_exercise *next = progress_next(m, p, w.ex);
                if (!next)
                    break;
                watched_free(&w);
                if (watched_open(&w, m, next, o->poll) != 0) {
                    fprintf(stderr, "wirebook: out of memory\n");
                    rc = 2;
                    break;
                }
                printf("Moving on: save chapters/%s/%s to check it, or press Enter.\n",
                       next->chapter->id, next->files[0]);
            }
        }
        footer(&w, o->poll);
        why = wait_for_something(&w, &stdin_open);
        if (why == WAKE_QUIT)
            break;
    }
    tty_keys_off();
    watched_free(&w);
    sigaction(SIGINT, &old_int, NULL);
    if (interrupts)
        printf("\nstopped (Ctrl-C). Your progress is saved: `wirebook list`.\n");
    else if (rc == 0)
        printf("\nbye. `wirebook watch` picks up where you left off.\n");
    return rc;
}
