/* answers.c — answers.h: a hash table of chained entries, each holding its key and answer
 * in one allocation, on a doubly linked list in the order last asked (the head the most
 * recent). One mutex guards it all; a lookup copies the answer out under it (an answer of
 * 40 KB is a few microseconds of memcpy). Calls buf. */
#include "answers.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "banned.h"

struct entry {
    struct entry *chain;         /* the next in its bucket */
    struct entry *newer, *older; /* the order last asked */
    uint64_t hash;
    size_t klen, blen;
    unsigned char data[]; /* the key, then the answer */
};

struct answers {
    pthread_mutex_t lock;
    size_t max_bytes, bytes, entries;
    struct entry **table;
    size_t nbuckets; /* a power of two */
    struct entry *newest, *oldest;
    uint64_t hits, misses;
};

/* What an entry counts against the room: its bytes and its bookkeeping. */
static size_t entry_cost(size_t klen, size_t blen)
{
    return sizeof(struct entry) + klen + blen;
}

/* FNV-1a, 64 bits. */
static uint64_t hash_key(const unsigned char *k, size_t n)
{
    uint64_t h = 0xcbf29ce484222325u;
    for (size_t i = 0; i < n; i++)
        h = (h ^ k[i]) * 0x100000001b3u;
    return h;
}

struct answers *answers_new(size_t max_bytes)
{
    if (max_bytes == 0)
        return NULL;
    struct answers *a = xcalloc(1, sizeof *a);
    pthread_mutex_init(&a->lock, NULL);
    a->max_bytes = max_bytes;
    a->nbuckets = 256;
    a->table = xcalloc(a->nbuckets, sizeof *a->table);
    return a;
}

void answers_free(struct answers *a)
{
    if (!a)
        return;
    for (struct entry *x = a->newest, *next; x; x = next) {
        next = x->older;
        free(x);
    }
    free(a->table);
    pthread_mutex_destroy(&a->lock);
    free(a);
}

static struct entry **slot_of(struct answers *a, uint64_t hash, const void *key, size_t klen)
{
    struct entry **p = &a->table[hash & (a->nbuckets - 1)];
    while (*p && !((*p)->hash == hash && (*p)->klen == klen && !memcmp((*p)->data, key, klen)))
        p = &(*p)->chain;
    return p;
}

static void list_unlink(struct answers *a, struct entry *x)
{
    if (x->newer)
        x->newer->older = x->older;
    else
        a->newest = x->older;
    if (x->older)
        x->older->newer = x->newer;
    else
        a->oldest = x->newer;
    x->newer = x->older = NULL;
}

static void list_push(struct answers *a, struct entry *x)
{
    x->newer = NULL;
    x->older = a->newest;
    if (a->newest)
        a->newest->newer = x;
    a->newest = x;
    if (!a->oldest)
        a->oldest = x;
}

/* Takes x out of the table and the list, and frees it. */
static void drop(struct answers *a, struct entry *x)
{
    struct entry **p = slot_of(a, x->hash, x->data, x->klen);
    *p = x->chain;
    list_unlink(a, x);
    a->bytes -= entry_cost(x->klen, x->blen);
    a->entries--;
    free(x);
}

static void grow(struct answers *a)
{
    size_t n = a->nbuckets * 2;
    struct entry **t = xcalloc(n, sizeof *t);
    for (size_t i = 0; i < a->nbuckets; i++)
        for (struct entry *x = a->table[i], *next; x; x = next) {
            next = x->chain;
            x->chain = t[x->hash & (n - 1)];
            t[x->hash & (n - 1)] = x;
        }
    free(a->table);
    a->table = t;
    a->nbuckets = n;
}

int answers_get(struct answers *a, const void *key, size_t klen, struct buf *out)
{
    if (!a)
        return 0;
    uint64_t h = hash_key(key, klen);
    pthread_mutex_lock(&a->lock);
    struct entry *x = *slot_of(a, h, key, klen);
    if (x) {
        list_unlink(a, x);
        list_push(a, x);
        buf_append(out, x->data + x->klen, x->blen);
        a->hits++;
    } else {
        a->misses++;
    }
    pthread_mutex_unlock(&a->lock);
    return x != NULL;
}

void answers_put(struct answers *a, const void *key, size_t klen, const void *body, size_t blen)
{
    if (!a)
        return;
    size_t cost = entry_cost(klen, blen);
    if (cost > a->max_bytes / 8)
        return;
    struct entry *x = xmalloc(sizeof *x + klen + blen);
    x->hash = hash_key(key, klen);
    x->klen = klen;
    x->blen = blen;
    memcpy(x->data, key, klen);
    memcpy(x->data + klen, body, blen);
    pthread_mutex_lock(&a->lock);
    struct entry *old = *slot_of(a, x->hash, key, klen);
    if (old)
        drop(a, old); /* another request computed it meanwhile: the same answer */
    while (a->oldest && a->bytes + cost > a->max_bytes)
        drop(a, a->oldest);
    if (a->entries + 1 > a->nbuckets)
        grow(a);
    struct entry **p = &a->table[x->hash & (a->nbuckets - 1)];
    x->chain = *p;
    *p = x;
    list_push(a, x);
    a->bytes += cost;
    a->entries++;
    pthread_mutex_unlock(&a->lock);
}

void answers_stats(struct answers *a, struct answers_stats *out)
{
    memset(out, 0, sizeof *out);
    if (!a)
        return;
    pthread_mutex_lock(&a->lock);
    out->hits = a->hits;
    out->misses = a->misses;
    out->bytes = a->bytes;
    out->entries = a->entries;
    pthread_mutex_unlock(&a->lock);
}
