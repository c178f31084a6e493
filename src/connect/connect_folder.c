/* connect_folder.c — files dropped into a directory. Each run imports every file directly
 * in the folder, each as its own import recorded under the file's name; a good file then
 * moves to done/, a refused one to failed/ with NAME.error.txt beside it saying why (the
 * message and the first rejected rows). Being moved out is what marks a file as seen, so a
 * file dropped again (same name or not) is imported again, and the upsert by id makes that
 * harmless.
 *
 * Robust to what happens in a shared folder: hidden files (.name), partial downloads
 * (.part, .tmp, .crdownload, .download, ~), symbolic links, directories and anything
 * modified within the last folder_settle_seconds are left alone; a file whose size or time
 * changes while it is imported is rolled back and left for the next run; a file that
 * vanishes is skipped; names with spaces are fine; a name already in done/ or failed/ gets
 * " (2)", " (3)", ... before its extension. Calls connect_common, ingest and tz. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "connect_impl.h"
#include "banned.h"

static int has_suffix(const char *s, const char *suffix)
{
    size_t n = strlen(s), m = strlen(suffix);
    return n >= m && strcmp(s + n - m, suffix) == 0;
}

/* Whether a name is a file to import (not hidden, not a partial download, not ours). */
static int wanted(const char *name)
{
    static const char *const partial[] = {".part",    ".tmp", ".crdownload", ".download",
                                          ".partial", "~",    ".error.txt"};
    if (name[0] == '.')
        return 0;
    for (size_t i = 0; i < sizeof partial / sizeof partial[0]; i++)
        if (has_suffix(name, partial[i]))
            return 0;
    return 1;
}

static int cmp_names(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static int ensure_dir(int dirfd, const char *name, const char *parent, struct err *e)
{
    if (mkdirat(dirfd, name, 0755) == 0 || errno == EEXIST) {
        struct stat st;
        if (fstatat(dirfd, name, &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISDIR(st.st_mode))
            return 0;
        return err_set(e, ERR_IO,
                       "%s/%s is not a directory: move it away so that infludash "
                       "can file imported files there",
                       parent, name);
    }
    return err_set(e, ERR_IO, "cannot create %s/%s: %s", parent, name, strerror(errno));
}

/* Moves dir/name into dir/sub/, under a name not taken yet there; the name used is put in
 * used. A file that vanished meanwhile is not an error. */
static int move_into(int dirfd, const char *name, const char *sub, struct buf *used, struct err *e,
                     const char *dir)
{
    const char *dot = strrchr(name, '.');
    size_t stem = dot && dot != name ? (size_t)(dot - name) : strlen(name);
    for (int n = 1; n < 1000; n++) {
        buf_reset(used);
        if (n == 1)
            buf_printf(used, "%s/%s", sub, name);
        else
            buf_printf(used, "%s/%.*s (%d)%s", sub, (int)stem, name, n, name + stem);
        if (renameat2(dirfd, name, dirfd, buf_cstr(used), RENAME_NOREPLACE) == 0)
            return 0;
        if (errno == EEXIST)
            continue;
        if (errno == ENOENT)
            return 0;
        if (errno == EINVAL) { /* a file system without RENAME_NOREPLACE */
            if (linkat(dirfd, name, dirfd, buf_cstr(used), 0) == 0) {
                unlinkat(dirfd, name, 0);
                return 0;
            }
            if (errno == EEXIST)
                continue;
        }
        return err_set(e, ERR_IO, "cannot move %s/%s to %s/: %s", dir, name, sub, strerror(errno));
    }
    return err_set(e, ERR_IO, "cannot move %s/%s: too many files of that name in %s/", dir, name,
                   sub);
}

static void write_error_file(int dirfd, const char *moved, const char *dir, const char *text,
                             const struct connect_opts *o)
{
    struct buf path = BUF_INIT, body = BUF_INIT;
    buf_printf(&path, "%s.error.txt", moved);
    int64_t now = o->now ? o->now : (int64_t)time(NULL);
    struct tz_civil c = {0};
    int off = 0;
    if (o->zone) {
        tz_to_civil(o->zone, now, &c);
        off = tz_utoff(o->zone, now);
    } else {
        int64_t days = now / 86400;
        tz_civil_from_days(days, &c.year, &c.month, &c.day);
        c.hour = (int)(now % 86400 / 3600);
        c.minute = (int)(now % 3600 / 60);
        c.second = (int)(now % 60);
    }
    int aoff = off < 0 ? -off : off;
    buf_printf(&body,
               "%s was not imported (%04d-%02d-%02d %02d:%02d:%02d %c%02d:%02d):\n%s\n"
               "Nothing of it was imported. Fix the file and put it in %s again.\n",
               moved + strlen("failed/"), c.year, c.month, c.day, c.hour, c.minute, c.second,
               off < 0 ? '-' : '+', aoff / 3600, aoff / 60 % 60, text, dir);
    int fd =
        openat(dirfd, buf_cstr(&path), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0644);
    if (fd >= 0) {
        ssize_t w = write(fd, body.data, body.len);
        (void)w;
        close(fd);
    }
    buf_release(&path);
    buf_release(&body);
}

int connect_folder_sync(struct store *s, const struct connect_source *src,
                        const struct connect_opts *o, struct connect_run *run, struct err *e)
{
    const char *dir = src->dir;
    if (!dir || !*dir)
        return err_set(e, ERR_USAGE, "source \"%s\": a folder source needs --dir DIR", src->name);
    int dirfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dirfd < 0)
        return err_set(e, ERR_IO, "source \"%s\": cannot open the folder %s: %s", src->name, dir,
                       strerror(errno));
    int rc = ensure_dir(dirfd, "done", dir, e);
    if (rc == 0)
        rc = ensure_dir(dirfd, "failed", dir, e);
    if (rc != 0) {
        close(dirfd);
        return rc;
    }
    /* The names first, sorted, so that a run is repeatable and files added meanwhile wait. */
    char **names = NULL;
    size_t n = 0, cap = 0;
    DIR *d = fdopendir(dup(dirfd));
    if (!d) {
        close(dirfd);
        return err_set(e, ERR_IO, "cannot read the folder %s: %s", dir, strerror(errno));
    }
    for (struct dirent *ent; (ent = readdir(d)) != NULL;) {
        if (!wanted(ent->d_name))
            continue;
        if (n == cap) {
            cap = cap ? cap * 2 : 32;
            names = xrealloc(names, cap * sizeof *names);
        }
        names[n++] = xstrdup(ent->d_name);
    }
    closedir(d);
    qsort(names, n, sizeof *names, cmp_names);

    int64_t now = o->now ? o->now : (int64_t)time(NULL);
    size_t failed = 0;
    struct buf moved = BUF_INIT, why = BUF_INIT;
    for (size_t i = 0; i < n; i++) {
        const char *name = names[i];
        struct stat st;
        if (fstatat(dirfd, name, &st, AT_SYMLINK_NOFOLLOW) != 0) {
            run->files_skipped++; /* vanished since the listing */
            continue;
        }
        if (!S_ISREG(st.st_mode))
            continue; /* done/, failed/, other folders, links */
        if (now - (int64_t)st.st_mtim.tv_sec < o->folder_settle_seconds) {
            run->files_skipped++; /* still being written, perhaps: next run */
            continue;
        }
        int fd = openat(dirfd, name, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
        if (fd < 0) {
            run->files_skipped++; /* vanished, or replaced by a link */
            continue;
        }
        struct ingest_opts io = o->ingest;
        io.dataset = src->dataset;
        struct ingest_result ir;
        memset(&ir, 0, sizeof ir);
        struct err fe;
        err_clear(&fe);
        int frc = connect_import_fd(s, name, src->dataset, fd, 1, &io, &ir, &fe);
        close(fd);
        if (frc == 1) {
            run->files_skipped++; /* changed while read: next run */
            ingest_result_release(&ir);
            continue;
        }
        struct connect_file_result *fr = connect_run_add_file(run, name);
        if (frc == 0) {
            fr->imported = 1;
            fr->rows = ir.accepted;
            run->rows += ir.accepted;
            if ((rc = move_into(dirfd, name, "done", &moved, e, dir)) != 0) {
                ingest_result_release(&ir);
                break;
            }
        } else {
            failed++;
            buf_reset(&why);
            connect_describe_failure(&fe, &ir, 20, &why);
            snprintf(fr->error, sizeof fr->error, "%s", fe.msg);
            if ((rc = move_into(dirfd, name, "failed", &moved, e, dir)) != 0) {
                ingest_result_release(&ir);
                break;
            }
            write_error_file(dirfd, buf_cstr(&moved), dir, buf_cstr(&why), o);
        }
        ingest_result_release(&ir);
    }
    if (rc == 0 && failed)
        rc = err_set(e, ERR_INPUT,
                     "source \"%s\": %zu of %zu file%s refused and moved to %s/failed/ with the "
                     "reason beside each (NAME.error.txt); %zu imported",
                     src->name, failed, run->nfiles, run->nfiles == 1 ? " was" : "s were", dir,
                     run->nfiles - failed);
    for (size_t i = 0; i < n; i++)
        free(names[i]);
    free(names);
    buf_release(&moved);
    buf_release(&why);
    close(dirfd);
    return rc;
}
