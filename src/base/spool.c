/* spool.c — the serve process's temporary directory (spool.h). Calls buf and err. */
#include "spool.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "banned.h"

#define DEFAULT_MAX_REJECTS 20
#define SPOOL_PREFIX "infludash-serve."
/* The file in every spool directory that says a serve made it and holds its lock. */
#define SPOOL_OWNER "owner"
/* A directory of ours without the owner file (made by a version before it) counts as
 * abandoned when nothing in it changed for this long: a serve touches it with every upload. */
#define SPOOL_UNMARKED_AGE (24 * 3600)

struct spool {
    char *dir;
    int lock_fd; /* the directory, flock()ed for the life of the process */
    size_t max_rejects;
    pthread_mutex_t lock;           /* guards kept, nkept and counter */
    char (*kept)[SPOOL_ID_LEN + 1]; /* oldest first */
    size_t nkept;
    uint64_t counter; /* makes spool_create's names unique */
};

static const char *spool_tmpdir(void)
{
    const char *tmp = getenv("TMPDIR");
    return tmp && *tmp ? tmp : "/tmp";
}

/* Locks the new directory (for as long as this process lives: the kernel lets go of a
 * flock when its holder dies, however it dies) and then marks it with the owner file, so a
 * directory with the mark and no lock holder is one a dead serve left. The lock waits for a
 * serve that is looking at the directory at this moment (spool_remove_stale). */
static int spool_claim(const char *dir, int *lock_fd, struct err *e)
{
    int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0 || flock(fd, LOCK_EX) < 0) {
        int saved = errno;
        if (fd >= 0)
            close(fd);
        return err_set(e, ERR_IO, "cannot lock the temporary directory %s: %s", dir,
                       strerror(saved));
    }
    int owner = openat(fd, SPOOL_OWNER, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (owner < 0) {
        int saved = errno;
        close(fd);
        return err_set(e, ERR_IO, "cannot write in the temporary directory %s: %s", dir,
                       strerror(saved));
    }
    char pid[32];
    int len = snprintf(pid, sizeof pid, "%ld\n", (long)getpid());
    ssize_t w = write(owner, pid, (size_t)len); /* for people looking; the lock decides */
    (void)w;
    close(owner);
    *lock_fd = fd;
    return 0;
}

struct spool *spool_new(size_t max_rejects, struct err *e)
{
    const char *tmp = spool_tmpdir();
    struct buf path = BUF_INIT;
    buf_printf(&path, "%s/" SPOOL_PREFIX "XXXXXX", tmp);
    if (!mkdtemp(path.data)) {
        err_set(e, ERR_IO, "cannot create a temporary directory for uploads in %s: %s", tmp,
                strerror(errno));
        buf_release(&path);
        return NULL;
    }
    int lock_fd = -1;
    if (spool_claim(path.data, &lock_fd, e) < 0) {
        rmdir(path.data); /* still empty */
        buf_release(&path);
        return NULL;
    }
    struct spool *sp = xcalloc(1, sizeof *sp);
    sp->lock_fd = lock_fd;
    sp->dir = buf_detach(&path);
    sp->max_rejects = max_rejects ? max_rejects : DEFAULT_MAX_REJECTS;
    sp->kept = xcalloc(sp->max_rejects, sizeof *sp->kept);
    pthread_mutex_init(&sp->lock, NULL);
    return sp;
}

void spool_free(struct spool *sp)
{
    if (!sp)
        return;
    DIR *d = opendir(sp->dir);
    if (d) {
        const struct dirent *de;
        while ((de = readdir(d)) != NULL) {
            if (strcmp(de->d_name, ".") != 0 && strcmp(de->d_name, "..") != 0)
                unlinkat(dirfd(d), de->d_name, 0);
        }
        closedir(d);
    }
    rmdir(sp->dir);
    close(sp->lock_fd);
    pthread_mutex_destroy(&sp->lock);
    free(sp->kept);
    free(sp->dir);
    free(sp);
}

int spool_create(struct spool *sp, const char *tag, struct buf *path, struct err *e)
{
    pthread_mutex_lock(&sp->lock);
    uint64_t n = ++sp->counter;
    pthread_mutex_unlock(&sp->lock);
    size_t start = path->len;
    buf_printf(path, "%s/%s-%llu", sp->dir, tag, (unsigned long long)n);
    int fd = open(path->data + start, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (fd < 0)
        return err_set(e, ERR_IO, "cannot create a temporary file in %s: %s", sp->dir,
                       strerror(errno));
    return fd;
}

static void spool_random_id(char id[SPOOL_ID_LEN + 1])
{
    unsigned char bytes[SPOOL_ID_LEN / 2];
    size_t got = 0;
    while (got < sizeof bytes) {
        ssize_t r = getrandom(bytes + got, sizeof bytes - got, 0);
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0)
            abort(); /* the kernel's generator does not fail after boot */
        got += (size_t)r;
    }
    for (size_t i = 0; i < sizeof bytes; i++)
        snprintf(id + 2 * i, 3, "%02x", bytes[i]);
}

static void spool_rejects_path(const struct spool *sp, const char *id, struct buf *path)
{
    buf_printf(path, "%s/rejects-%s.csv", sp->dir, id);
}

void spool_new_rejects(struct spool *sp, char id[SPOOL_ID_LEN + 1], struct buf *path)
{
    spool_random_id(id);
    spool_rejects_path(sp, id, path);
}

void spool_keep_rejects(struct spool *sp, const char *id)
{
    pthread_mutex_lock(&sp->lock);
    if (sp->nkept == sp->max_rejects) {
        struct buf old = BUF_INIT;
        spool_rejects_path(sp, sp->kept[0], &old);
        unlink(old.data);
        buf_release(&old);
        memmove(sp->kept, sp->kept + 1, (sp->nkept - 1) * sizeof *sp->kept);
        sp->nkept--;
    }
    snprintf(sp->kept[sp->nkept++], SPOOL_ID_LEN + 1, "%s", id);
    pthread_mutex_unlock(&sp->lock);
}

static int spool_valid_id(const char *id)
{
    return strlen(id) == SPOOL_ID_LEN && strspn(id, "0123456789abcdef") == SPOOL_ID_LEN;
}

int spool_open_rejects(struct spool *sp, const char *id, uint64_t *size)
{
    if (!spool_valid_id(id))
        return -1;
    int fd = -1;
    pthread_mutex_lock(&sp->lock);
    for (size_t i = 0; i < sp->nkept; i++) {
        if (strcmp(sp->kept[i], id) != 0)
            continue;
        struct buf path = BUF_INIT;
        spool_rejects_path(sp, id, &path);
        /* Opened under the lock, so eviction cannot remove it in between; an open file
         * stays readable after it is unlinked. */
        fd = open(path.data, O_RDONLY | O_CLOEXEC);
        buf_release(&path);
        break;
    }
    pthread_mutex_unlock(&sp->lock);
    struct stat st;
    if (fd >= 0 && fstat(fd, &st) < 0) {
        close(fd);
        fd = -1;
    }
    if (fd >= 0)
        *size = (uint64_t)st.st_size;
    return fd;
}

/* ---- what a killed serve left behind ---- */

/* Empties and removes one abandoned spool directory (tmp_fd/name, open as dir_fd): its
 * regular files only; anything else in it keeps it (and is left alone). 1 when removed. */
static int spool_remove_dir(int tmp_fd, const char *name, int dir_fd)
{
    int dup_fd = dup(dir_fd);
    DIR *d = dup_fd >= 0 ? fdopendir(dup_fd) : NULL;
    if (!d) {
        if (dup_fd >= 0)
            close(dup_fd);
        return 0;
    }
    const struct dirent *de;
    while ((de = readdir(d)) != NULL) {
        struct stat st;
        if (fstatat(dir_fd, de->d_name, &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISREG(st.st_mode))
            unlinkat(dir_fd, de->d_name, 0);
    }
    closedir(d);
    return unlinkat(tmp_fd, name, AT_REMOVEDIR) == 0;
}

/* Whether the directory tmp_fd/name is a spool directory of this user that no running
 * process holds: then it is removed (1). A live serve's lock, another user's directory, a
 * symbolic link or anything not named like ours is left alone (0). */
static int spool_try_stale(int tmp_fd, const char *name, const char *own, time_t now)
{
    if (strncmp(name, SPOOL_PREFIX, strlen(SPOOL_PREFIX)) != 0 || strcmp(name, own) == 0)
        return 0;
    struct stat st;
    if (fstatat(tmp_fd, name, &st, AT_SYMLINK_NOFOLLOW) < 0 || !S_ISDIR(st.st_mode) ||
        st.st_uid != geteuid())
        return 0;
    int fd = openat(tmp_fd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0)
        return 0;
    int removed = 0;
    if (flock(fd, LOCK_EX | LOCK_NB) == 0) {
        struct stat owner;
        int marked = fstatat(fd, SPOOL_OWNER, &owner, AT_SYMLINK_NOFOLLOW) == 0;
        /* no mark: a serve between making and claiming it (fresh), or one of a version
         * without marks (touched at every upload) */
        if (marked || now - st.st_mtime > SPOOL_UNMARKED_AGE)
            removed = spool_remove_dir(tmp_fd, name, fd);
    }
    close(fd); /* lets go of the lock */
    return removed;
}

int spool_remove_stale(const struct spool *sp, size_t *removed, struct err *e)
{
    *removed = 0;
    const char *tmp = spool_tmpdir();
    const char *own = strrchr(sp->dir, '/');
    own = own ? own + 1 : sp->dir;
    DIR *d = opendir(tmp);
    if (!d)
        return err_set(e, ERR_IO, "cannot list %s for stale upload files: %s", tmp,
                       strerror(errno));
    time_t now = time(NULL);
    const struct dirent *de;
    while ((de = readdir(d)) != NULL)
        *removed += (size_t)spool_try_stale(dirfd(d), de->d_name, own, now);
    closedir(d);
    return 0;
}
