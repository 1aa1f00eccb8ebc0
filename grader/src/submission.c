/*
 * submission.c - takes a submission in the forms students hand them in: a
 * folder (a git checkout is one), a .zip, or a .tar.gz / .tgz.
 *
 * Archives come from students, so they are unpacked defensively, with
 * Debian's unzip and tar:
 *   - the listing is read first: an absolute name, a `..` component, a
 *     symlink, a hard link or a device refuses the whole archive, as does
 *     more than MAX_ENTRIES entries or MAX_BYTES unpacked;
 *   - the unpacking runs under proc.c's limits (time, file size);
 *   - the unpacked tree is walked again: anything that is not a plain file
 *     or folder refuses it (what the listing hid cannot slip through).
 * Staging (stage.c) then copies only the manifest's student files, and only
 * when they are plain files, so nothing else in a submission is ever used.
 */
#include "pipeline.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

extern char **environ;

#define MAX_ENTRIES 5000
#define MAX_BYTES (64L << 20)
#define UNPACK_TIMEOUT_MS 60000

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

/* Runs a tool with its output in out_path; 0 when it exited 0. */
static int run_tool(char **argv, const char *out_path)
{
    struct proc_spec spec = {.argv = argv,
                             .envp = environ,
                             .output_path = out_path,
                             .timeout_ms = UNPACK_TIMEOUT_MS,
                             .limits = {.file_mb = MAX_BYTES >> 20}};
    struct proc_outcome o;
    return proc_run(&spec, &o) == 0 && o.exit_code == 0 ? 0 : -1;
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

/* Checks the names (one per line) of an archive's listing. */
static int check_names(char *names, const char *archive, char *err, size_t errlen)
{
    size_t count = 0;
    for (char *line = strtok(names, "\n"); line; line = strtok(NULL, "\n")) {
        if (escapes(line)) {
            snprintf(err, errlen, "%s: refused: the entry '%s' would unpack outside its folder",
                     archive, line);
            return -1;
        }
        if (++count > MAX_ENTRIES) {
            snprintf(err, errlen, "%s: refused: more than %d entries", archive, MAX_ENTRIES);
            return -1;
        }
    }
    return 0;
}

/* Checks the long listing: each entry line starts with its mode string
 * ("-rw-r--r--", "drwxr-xr-x", "lrwxrwxrwx"...) and holds its size in the
 * size_field'th blank-separated field. Only files and folders may be there. */
static int check_types(char *listing, enum archive_kind kind, const char *archive, char *err,
                       size_t errlen)
{
    long long total = 0;
    for (char *line = strtok(listing, "\n"); line; line = strtok(NULL, "\n")) {
        char mode[32], second[64], third[64], fourth[64];
        if (sscanf(line, "%31s %63s %63s %63s", mode, second, third, fourth) != 4)
            continue;
        const char *size;
        if (kind == ZIP) { /* "-rw-r--r--  3.0 unx  123 tx stor DATE TIME NAME" */
            if (!(second[0] >= '0' && second[0] <= '9' && second[1] == '.'))
                continue; /* the header and trailer lines */
            size = fourth;
        } else { /* "-rw-r--r-- user/group 123 DATE TIME NAME" */
            size = third;
        }
        if (mode[0] != '-' && mode[0] != 'd') {
            snprintf(err, errlen,
                     "%s: refused: it holds a link or a special file (%s); hand in plain "
                     "files only",
                     archive, line);
            return -1;
        }
        total += atoll(size);
        if (total > MAX_BYTES) {
            snprintf(err, errlen, "%s: refused: it unpacks to more than %ld MB", archive,
                     MAX_BYTES >> 20);
            return -1;
        }
    }
    return 0;
}

/* Lists the archive twice (names, then the long form) and checks both. */
static int check_listing(const char *archive, enum archive_kind kind, const char *list_path,
                         char *err, size_t errlen)
{
    char *names_argv[] = {"unzip", "-Z1", (char *)archive, NULL};
    char *long_argv[] = {"unzip", "-Z", (char *)archive, NULL};
    char *tar_names_argv[] = {"tar", "-tzf", (char *)archive, NULL};
    char *tar_long_argv[] = {"tar", "-tzvf", (char *)archive, NULL};
    char **argvs[2] = {kind == ZIP ? names_argv : tar_names_argv,
                       kind == ZIP ? long_argv : tar_long_argv};
    for (int pass = 0; pass < 2; pass++) {
        if (run_tool(argvs[pass], list_path) != 0) {
            char *said = file_read(list_path, NULL);
            snprintf(err, errlen,
                     "%s: cannot read the archive with %s (is it damaged? is %s "
                     "installed?): %.300s",
                     archive, argvs[pass][0], argvs[pass][0], said ? said : "");
            free(said);
            return -1;
        }
        char *text = file_read_or_say(list_path, NULL, err, errlen);
        if (!text)
            return -1;
        int rc = pass == 0 ? check_names(text, archive, err, errlen)
                           : check_types(text, kind, archive, err, errlen);
        free(text);
        if (rc != 0)
            return -1;
    }
    return 0;
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
    char *log = str_printf("%s.log", dir);
    char *result = NULL;
    if (!log || remove_tree(dir) != 0 || mkdir_p(dir) != 0) {
        snprintf(err, errlen, "cannot create %s: %s", dir, strerror(errno));
        goto out;
    }
    if (check_listing(archive, kind, log, err, errlen) != 0)
        goto out;
    char *unzip_argv[] = {"unzip", "-qq", "-o", (char *)archive, "-d", (char *)dir, NULL};
    char *tar_argv[] = {"tar",
                        "-xzf",
                        (char *)archive,
                        "-C",
                        (char *)dir,
                        "--no-same-owner",
                        "--no-same-permissions",
                        NULL};
    if (run_tool(kind == ZIP ? unzip_argv : tar_argv, log) != 0) {
        snprintf(err, errlen, "%s: unpacking failed (damaged, or over the size limit); see %s",
                 archive, log);
        goto out;
    }
    long long bytes = 0;
    size_t count = 0;
    if (check_tree(dir, &bytes, &count, err, errlen) != 0)
        goto out;
    result = path_absolute(dir);
    if (!result)
        snprintf(err, errlen, "%s: cannot resolve the unpacked folder", dir);
out:
    free(log);
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
