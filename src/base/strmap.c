/* strmap.c — open-addressing hash map of strings to dense ids (see strmap.h). Calls buf. */
#include "strmap.h"

#include <stdlib.h>
#include <string.h>

#include "buf.h"

#include "banned.h"

struct strmap_entry {
    uint64_t hash;
    int32_t id; /* -1: empty slot */
};

struct strmap {
    struct strmap_entry *slots;
    size_t nslots; /* power of two */
    size_t count;
    char **chunks; /* key arena: chunks of 64 KiB or more */
    size_t nchunks;
    size_t chunk_used, chunk_cap;
    const char **keys; /* by id */
    size_t *lens;
    size_t keys_cap;
};

/* Eight bytes at a time (keys are ids, names and dates: mostly under 32 bytes), each word
 * mixed by a multiply; the tail read in full words of fewer bytes. Ids do not depend on
 * it (they count insertions), only the speed does. */
static uint64_t hash_bytes(const char *p, size_t n)
{
    const uint64_t k = 0x9E3779B97F4A7C15ULL;
    uint64_t h = 0x243F6A8885A308D3ULL ^ (n * k);
    size_t i = 0;
    for (; i + 8 <= n; i += 8) {
        uint64_t w;
        memcpy(&w, p + i, 8);
        h = (h ^ w) * k;
        h ^= h >> 32;
    }
    if (i < n) {
        uint64_t w = 0;
        memcpy(&w, p + i, n - i);
        h = (h ^ w) * k;
        h ^= h >> 32;
    }
    h *= 0xC2B2AE3D27D4EB4FULL;
    h ^= h >> 29;
    return h;
}

struct strmap *strmap_new(void)
{
    struct strmap *m = xcalloc(1, sizeof *m);
    m->nslots = 64;
    m->slots = xmalloc(m->nslots * sizeof *m->slots);
    for (size_t i = 0; i < m->nslots; i++)
        m->slots[i].id = -1;
    return m;
}

void strmap_free(struct strmap *m)
{
    if (!m)
        return;
    for (size_t i = 0; i < m->nchunks; i++)
        free(m->chunks[i]);
    free(m->chunks);
    free(m->keys);
    free(m->lens);
    free(m->slots);
    free(m);
}

void strmap_clear(struct strmap *m)
{
    for (size_t i = 0; i < m->nchunks; i++)
        free(m->chunks[i]);
    free(m->chunks);
    m->chunks = NULL;
    m->nchunks = 0;
    m->chunk_used = m->chunk_cap = 0;
    m->count = 0;
    for (size_t i = 0; i < m->nslots; i++)
        m->slots[i].id = -1;
}

static int key_equal(const struct strmap *m, int32_t id, const char *key, size_t len)
{
    return m->lens[id] == len && memcmp(m->keys[id], key, len) == 0;
}

int32_t strmap_get(const struct strmap *m, const char *key, size_t len)
{
    uint64_t h = hash_bytes(key, len);
    size_t mask = m->nslots - 1;
    for (size_t i = h & mask;; i = (i + 1) & mask) {
        const struct strmap_entry *e = &m->slots[i];
        if (e->id < 0)
            return -1;
        if (e->hash == h && key_equal(m, e->id, key, len))
            return e->id;
    }
}

static void grow_slots(struct strmap *m)
{
    size_t n = m->nslots * 2;
    struct strmap_entry *slots = xmalloc(n * sizeof *slots);
    for (size_t i = 0; i < n; i++)
        slots[i].id = -1;
    for (size_t i = 0; i < m->nslots; i++) {
        if (m->slots[i].id < 0)
            continue;
        size_t j = m->slots[i].hash & (n - 1);
        while (slots[j].id >= 0)
            j = (j + 1) & (n - 1);
        slots[j] = m->slots[i];
    }
    free(m->slots);
    m->slots = slots;
    m->nslots = n;
}

static const char *arena_copy(struct strmap *m, const char *key, size_t len)
{
    if (m->chunk_used + len + 1 > m->chunk_cap) {
        size_t cap = len + 1 > 65536 ? len + 1 : 65536;
        m->chunks = xrealloc(m->chunks, (m->nchunks + 1) * sizeof *m->chunks);
        m->chunks[m->nchunks++] = xmalloc(cap);
        m->chunk_used = 0;
        m->chunk_cap = cap;
    }
    char *p = m->chunks[m->nchunks - 1] + m->chunk_used;
    memcpy(p, key, len);
    p[len] = '\0';
    m->chunk_used += len + 1;
    return p;
}

int32_t strmap_put(struct strmap *m, const char *key, size_t len, int *added)
{
    if (added)
        *added = 0;
    int32_t id = strmap_get(m, key, len);
    if (id >= 0)
        return id;
    if ((m->count + 1) * 4 > m->nslots * 3)
        grow_slots(m);
    if (m->count == m->keys_cap) {
        m->keys_cap = m->keys_cap ? m->keys_cap * 2 : 64;
        m->keys = xrealloc(m->keys, m->keys_cap * sizeof *m->keys);
        m->lens = xrealloc(m->lens, m->keys_cap * sizeof *m->lens);
    }
    id = (int32_t)m->count++;
    m->keys[id] = arena_copy(m, key, len);
    m->lens[id] = len;
    uint64_t h = hash_bytes(key, len);
    size_t mask = m->nslots - 1;
    size_t i = h & mask;
    while (m->slots[i].id >= 0)
        i = (i + 1) & mask;
    m->slots[i].hash = h;
    m->slots[i].id = id;
    if (added)
        *added = 1;
    return id;
}

size_t strmap_size(const struct strmap *m)
{
    return m->count;
}

const char *strmap_key(const struct strmap *m, int32_t id, size_t *len)
{
    if (len)
        *len = m->lens[id];
    return m->keys[id];
}
