/* answers.h — the analytics answers one engine has given, kept to be given again: the same
 * dashboard opened by many analysts, a page reloaded, a chart polled. An answer is a pure
 * function of the engine and the request's parameters (the documents read nothing else), so
 * the answers live and die with their engine (app_engine): a new load, an import or a sync
 * publishes a new engine with none kept. Bounded by bytes; the least recently asked go
 * first. Thread-safe. Calls buf. */
#ifndef INFLUDASH_ANSWERS_H
#define INFLUDASH_ANSWERS_H

#include <stddef.h>
#include <stdint.h>

#include "buf.h"

struct answers;

/* Keeps at most max_bytes of keys and answers; NULL (keep none) when max_bytes is 0. */
struct answers *answers_new(size_t max_bytes);
void answers_free(struct answers *a);

/* Appends the answer kept under key to out and returns 1, or returns 0 (out untouched). */
int answers_get(struct answers *a, const void *key, size_t klen, struct buf *out);
/* Keeps a copy of body under key, in place of any kept under it; the least recently asked
 * answers go to make room, and an answer larger than an eighth of the room is not kept. */
void answers_put(struct answers *a, const void *key, size_t klen, const void *body, size_t blen);

struct answers_stats {
    uint64_t hits, misses;
    size_t bytes, entries;
};
void answers_stats(struct answers *a, struct answers_stats *out);

#endif
