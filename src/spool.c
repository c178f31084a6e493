/* spool.c — the serve process's temporary directory (spool.h). */
#include "spool.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>

#include "banned.h"

#define DEFAULT_MAX_REJECTS 20

struct spool {
    char *dir;
    size_t max_rejects;
    pthread_mutex_t lock; /* guards kept, nkept and counter */
    char (*kept)[SPOOL_ID_LEN + 1]; /* oldest first */
    size_t nkept;
    uint64_t counter; /* makes spool_create's names unique */
};

struct spool *spool_new(size_t max_rejects, struct err *e)
{
    const char *tmp = getenv("TMPDIR");
    if (!tmp || !*tmp)
        tmp = "/tmp";
    struct buf path = BUF_INIT;
    buf_printf(&path, "%s/infludash-serve.XXXXXX", tmp);
    if (!mkdtemp(path.data)) {
        err_set(e, ERR_IO, "cannot create a temporary directory for uploads in %s: %s", tmp,
                strerror(errno));
        buf_release(&path);
        return NULL;
    }
    struct spool *sp = xcalloc(1, sizeof *sp);
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
