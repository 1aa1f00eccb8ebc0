/*
 * submission.c - takes a submission in the forms students hand them in: a
 * folder (a git checkout is one), a .zip, or a .tar.gz / .tgz.
 *
 * Archives come from students, so they are unpacked defensively with
 * libarchive, in a child process that runs as the sandbox's run user (when
 * the grader is root) under CPU, memory and file size limits and a wall
 * limit:
 *   - every entry is checked before anything of it is written: an absolute
 *     name, a `..` component, a symlink, a hard link or a device refuses the
 *     whole archive, as do more than MAX_ENTRIES entries;
 *   - the bytes really written are counted as they are written (a listing
 *     can lie about sizes: a zip bomb says 1000 bytes and holds 1 GB), and
 *     the archive is refused as soon as they pass MAX_BYTES;
 *   - a refused or failed unpack leaves nothing behind;
 *   - the unpacked tree is walked again: anything that is not a plain file
 *     or folder refuses it.
 * Staging (stage.c) then copies only the manifest's student files, and only
 * when they are plain files, so nothing else in a submission is ever used.
 */
#include "pipeline.h"
#include "sandbox.h"

#include <archive.h>
#include <archive_entry.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define MAX_ENTRIES 5000
#define MAX_BYTES (64L << 20)
#define UNPACK_SECONDS 60

enum archive_kind { NOT_ARCHIVE, ZIP, TAR_GZ };

static enum archive_kind archive_kind(const char *path)
{
    if (str_ends_with(path, ".zip") || str_ends_with(path, ".ZIP"))
        return ZIP;
    if (str_ends_with(path, ".tar.gz") || str_ends_with(path, ".tgz"))
        return TAR_GZ;
    return NOT_ARCHIVE;
}

bool submission_is_archive(const char *path)
{
    return archive_kind(path) != NOT_ARCHIVE;
}

/* An entry name that would land outside the folder it is unpacked in. */
static bool escapes(const char *name)
{
    if (name[0] == '/' || name[0] == '\\')
        return true;
    for (const char *p = name; *p;) {
        size_t n = strcspn(p, "/\\");
        if (n == 2 && p[0] == '.' && p[1] == '.')
            return true;
        p += n;
        if (*p)
            p++;
    }
    return false;
}

/* Creates the folders of rel (a checked entry name) below dir. */
static int make_parents(const char *dir, const char *rel)
{
    char *path = path_join(dir, rel);
    char *slash = path ? strrchr(path, '/') : NULL;
    int rc = -1;
    if (slash) {
        *slash = '\0';
        rc = mkdir_p(path);
    }
    free(path);
    return rc;
}

/* Writes the current entry's data to dir/rel, adding to *total; -1 with
 * err set when it cannot, or when *total passes MAX_BYTES. */
static int write_entry(struct archive *a, const char *dir, const char *rel, long long *total,
                       const char *archive, char *err, size_t errlen)
{
    char *path = path_join(dir, rel);
    int fd = path && make_parents(dir, rel) == 0
                 ? open(path, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, 0644)
                 : -1;
    free(path);
    if (fd < 0) {
        snprintf(err, errlen, "%s: cannot write %s: %s", archive, rel, strerror(errno));
        return -1;
    }
    char buf[65536];
    la_ssize_t n;
    int rc = 0;
    while ((n = archive_read_data(a, buf, sizeof buf)) > 0) {
        *total += n;
        if (*total > MAX_BYTES) {
            snprintf(err, errlen,
                     "%s: refused: it unpacks to more than %ld MB (counted while unpacking; "
                     "the archive's own listing may say less)",
                     archive, MAX_BYTES >> 20);
            rc = -1;
            break;
        }
        if (write(fd, buf, (size_t)n) != n) {
            snprintf(err, errlen, "%s: cannot write %s: %s", archive, rel, strerror(errno));
            rc = -1;
            break;
        }
    }
    if (rc == 0 && n < 0) {
        snprintf(err, errlen, "%s: damaged at %s: %s", archive, rel, archive_error_string(a));
        rc = -1;
    }
    if (close(fd) != 0 && rc == 0) {
        snprintf(err, errlen, "%s: cannot write %s: %s", archive, rel, strerror(errno));
        rc = -1;
    }
    return rc;
}

/* Unpacks archive into dir, checking each entry first. */
static int extract(const char *archive, enum archive_kind kind, const char *dir, char *err,
                   size_t errlen)
{
    struct archive *a = archive_read_new();
    if (!a) {
        snprintf(err, errlen, "archive_read_new failed");
        return -1;
    }
    if (kind == ZIP)
        archive_read_support_format_zip(a);
    else {
        archive_read_support_filter_gzip(a);
        archive_read_support_format_tar(a);
    }
    if (archive_read_open_filename(a, archive, 65536) != ARCHIVE_OK) {
        snprintf(err, errlen, "%s: cannot read the archive (is it damaged?): %s", archive,
                 archive_error_string(a));
        archive_read_free(a);
        return -1;
    }
    struct archive_entry *entry;
    long long total = 0;
    size_t count = 0;
    int rc = 0, r;
    while (rc == 0 && (r = archive_read_next_header(a, &entry)) == ARCHIVE_OK) {
        const char *name = archive_entry_pathname(entry);
        mode_t type = archive_entry_filetype(entry);
        if (!name || !*name || escapes(name)) {
            snprintf(err, errlen, "%s: refused: the entry '%s' would unpack outside its folder",
                     archive, name ? name : "");
            rc = -1;
        } else if (++count > MAX_ENTRIES) {
            snprintf(err, errlen, "%s: refused: more than %d entries", archive, MAX_ENTRIES);
            rc = -1;
        } else if (archive_entry_hardlink(entry) || (type != AE_IFREG && type != AE_IFDIR)) {
            snprintf(err, errlen,
                     "%s: refused: it holds a link or a special file (%s); hand in plain "
                     "files only",
                     archive, name);
            rc = -1;
        } else if (type == AE_IFDIR) {
            char *path = path_join(dir, name);
            rc = path && mkdir_p(path) == 0 ? 0 : -1;
            if (rc != 0)
                snprintf(err, errlen, "%s: cannot create %s: %s", archive, name, strerror(errno));
            free(path);
        } else {
            rc = write_entry(a, dir, name, &total, archive, err, errlen);
        }
    }
    if (rc == 0 && r != ARCHIVE_EOF) {
        snprintf(err, errlen, "%s: cannot read the archive (is it damaged?): %s", archive,
                 archive_error_string(a));
        rc = -1;
    }
    archive_read_free(a);
    return rc;
}

/* Runs extract in a child: the run user (when root), limits, a wall limit.
 * Its message comes back through a pipe. */
static int extract_contained(const char *archive, enum archive_kind kind, const char *dir,
                             char *err, size_t errlen)
{
    uid_t uid;
    gid_t gid;
    bool drop = sandbox_run_user(&uid, &gid) == 0;
    if (drop && chown(dir, uid, gid) != 0) {
        snprintf(err, errlen, "cannot prepare %s: %s", dir, strerror(errno));
        return -1;
    }
    int fds[2];
    if (pipe(fds) != 0) {
        snprintf(err, errlen, "pipe: %s", strerror(errno));
        return -1;
    }
    fflush(NULL);
    pid_t pid = fork();
    if (pid < 0) {
        close(fds[0]);
        close(fds[1]);
        snprintf(err, errlen, "fork: %s", strerror(errno));
        return -1;
    }
    if (pid == 0) {
        close(fds[0]);
        (void)prctl(PR_SET_PDEATHSIG, SIGKILL);
        struct rlimit cpu = {UNPACK_SECONDS, UNPACK_SECONDS};
        struct rlimit mem = {1024L << 20, 1024L << 20};
        struct rlimit fsize = {MAX_BYTES + 1, MAX_BYTES + 1};
        signal(SIGXFSZ, SIG_IGN); /* a write past the limit fails instead: counted above */
        if (setrlimit(RLIMIT_CPU, &cpu) != 0 || setrlimit(RLIMIT_AS, &mem) != 0 ||
            setrlimit(RLIMIT_FSIZE, &fsize) != 0 || (drop && sandbox_become(uid, gid) != 0) ||
            prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0) {
            dprintf(fds[1], "cannot limit the unpacking: %s", strerror(errno));
            _exit(1);
        }
        char msg[1024] = "";
        int rc = extract(archive, kind, dir, msg, sizeof msg);
        if (rc != 0 && write(fds[1], msg, strlen(msg)) < 0)
            _exit(2);
        _exit(rc == 0 ? 0 : 1);
    }
    close(fds[1]);
    time_t deadline = time(NULL) + UNPACK_SECONDS;
    int status = 0;
    pid_t done;
    while ((done = waitpid(pid, &status, WNOHANG)) == 0 && time(NULL) < deadline) {
        struct timespec ts = {0, 20000000};
        nanosleep(&ts, NULL);
    }
    if (done == 0) {
        kill(pid, SIGKILL);
        waitpid(pid, &status, 0);
    }
    ssize_t n = read(fds[0], err, errlen > 0 ? errlen - 1 : 0);
    close(fds[0]);
    if (errlen > 0)
        err[n > 0 ? n : 0] = '\0';
    if (done == pid && WIFEXITED(status) && WEXITSTATUS(status) == 0)
        return 0;
    if (errlen > 0 && !err[0])
        snprintf(err, errlen, "%s: unpacking %s", archive,
                 done == 0 ? "took too long" : "failed (damaged, or over a limit)");
    return -1;
}

/* Walks what was unpacked: plain files and folders only, within the caps. */
static int check_tree(const char *dir, long long *bytes, size_t *count, char *err, size_t errlen)
{
    DIR *d = opendir(dir);
    if (!d) {
        snprintf(err, errlen, "%s: cannot read the unpacked folder: %s", dir, strerror(errno));
        return -1;
    }
    int rc = 0;
    struct dirent *e;
    while (rc == 0 && (e = readdir(d)) != NULL) {
        if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
            continue;
        char *path = path_join(dir, e->d_name);
        struct stat st;
        if (!path || lstat(path, &st) != 0) {
            snprintf(err, errlen, "%s/%s: cannot inspect the unpacked file", dir, e->d_name);
            rc = -1;
        } else if (S_ISDIR(st.st_mode)) {
            rc = check_tree(path, bytes, count, err, errlen);
        } else if (!S_ISREG(st.st_mode)) {
            snprintf(err, errlen, "%s: refused: the archive unpacked a link or special file", path);
            rc = -1;
        } else {
            *bytes += st.st_size;
            if (++*count > MAX_ENTRIES || *bytes > MAX_BYTES) {
                snprintf(err, errlen, "%s: refused: the archive unpacks to too much", dir);
                rc = -1;
            }
        }
        free(path);
    }
    closedir(d);
    return rc;
}

static char *unpack(const char *archive, enum archive_kind kind, const char *dir, char *err,
                    size_t errlen)
{
    if (remove_tree(dir) != 0 || mkdir_p(dir) != 0) {
        snprintf(err, errlen, "cannot create %s: %s", dir, strerror(errno));
        return NULL;
    }
    long long bytes = 0;
    size_t count = 0;
    char *result = NULL;
    if (extract_contained(archive, kind, dir, err, errlen) == 0 &&
        check_tree(dir, &bytes, &count, err, errlen) == 0) {
        result = path_absolute(dir);
        if (!result)
            snprintf(err, errlen, "%s: cannot resolve the unpacked folder", dir);
    }
    if (!result)
        (void)remove_tree(dir); /* nothing of a refused archive stays */
    return result;
}

/* A chapter folder's name: digits, '_', more ("01_rest"). */
static bool chapter_like(const char *name)
{
    size_t digits = strspn(name, "0123456789");
    return digits > 0 && name[digits] == '_';
}

/* An archive often wraps everything in one folder (student-name/...): grade
 * inside it, unless that folder is itself a chapter. Takes dir. */
static char *single_top_folder(char *dir)
{
    DIR *d = opendir(dir);
    if (!d)
        return dir;
    char *only = NULL;
    int entries = 0;
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0 ||
            strcmp(e->d_name, "__MACOSX") == 0)
            continue;
        entries++;
        free(only);
        only = chapter_like(e->d_name) ? NULL : path_join(dir, e->d_name);
    }
    closedir(d);
    if (entries == 1 && only && path_is_dir(only)) {
        free(dir);
        return only;
    }
    free(only);
    return dir;
}

char *submission_open(const char *submission, const char *unpack_dir, char *err, size_t errlen)
{
    if (path_is_dir(submission)) {
        char *abs = path_absolute(submission);
        if (!abs)
            snprintf(err, errlen, "submission %s: cannot resolve the folder", submission);
        return abs;
    }
    enum archive_kind kind = archive_kind(submission);
    if (!path_is_file(submission)) {
        snprintf(err, errlen, "submission %s: no such folder or archive", submission);
        return NULL;
    }
    if (kind == NOT_ARCHIVE) {
        snprintf(err, errlen, "submission %s: not a folder, a .zip, a .tar.gz or a .tgz",
                 submission);
        return NULL;
    }
    char *dir = unpack(submission, kind, unpack_dir, err, errlen);
    return dir ? single_top_folder(dir) : NULL;
}
