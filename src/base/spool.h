/* spool.h — the `serve` process's private temporary directory: uploads are streamed to
 * files here before they are imported, dataset downloads are written here before they are
 * sent, and the rejected rows of the last few imports are kept here for download under a
 * random id. The directory and everything in it is removed when the spool is freed (at the
 * end of `serve`), or by the next serve when this one could not (spool_remove_stale). Thread-safe:
 * its own lock guards the list of kept rejects files. Calls buf, err and libc. */
#ifndef INFLUDASH_SPOOL_H
#define INFLUDASH_SPOOL_H

#include <stddef.h>
#include <stdint.h>

#include "buf.h"
#include "err.h"

/* A rejects id: 32 lowercase hex digits. */
#define SPOOL_ID_LEN 32

struct spool;

/* Creates a fresh directory under $TMPDIR (else /tmp), infludash-serve.XXXXXX, that keeps
 * at most max_rejects rejects files (0: 20). The directory is locked (flock) for the life
 * of the process and marked with a file `owner`, so that a later serve can tell it was
 * abandoned (spool_remove_stale). NULL with e filled when it cannot. */
struct spool *spool_new(size_t max_rejects, struct err *e);
/* Removes the spool directories a serve killed before it could clean up (kill -9, a crash,
 * a power cut) left in the same temporary directory: only this user's, only marked ones
 * whose lock no running process holds (and unmarked ones of earlier versions untouched for
 * a day), only their regular files. *removed: how many directories went. */
int spool_remove_stale(const struct spool *sp, size_t *removed, struct err *e);
/* Removes the directory with its files, and frees. NULL does nothing. */
void spool_free(struct spool *sp);

/* Creates a new empty file (mode 0600) whose name starts with tag; its path is appended to
 * path. Returns the open descriptor (the caller closes it and unlinks the file), or a
 * negative code with e filled. */
int spool_create(struct spool *sp, const char *tag, struct buf *path, struct err *e);

/* A fresh rejects id (id gets SPOOL_ID_LEN digits and a NUL) and the path its file goes to
 * (appended to path). Nothing is kept until spool_keep_rejects. */
void spool_new_rejects(struct spool *sp, char id[SPOOL_ID_LEN + 1], struct buf *path);
/* Keeps the rejects file of id for download, removing the oldest kept one beyond the cap. */
void spool_keep_rejects(struct spool *sp, const char *id);
/* Opens a kept rejects file for reading: the descriptor (the caller owns it) and its size,
 * or -1 when id is malformed or not (or no longer) kept. */
int spool_open_rejects(struct spool *sp, const char *id, uint64_t *size);

#endif
