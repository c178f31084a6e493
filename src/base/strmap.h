/* strmap.h — a hash map from byte strings to dense ids (0, 1, 2, ... in insertion order):
 * dictionary encoding of dimensions and sets of known keys. Keys are copied into an
 * internal arena. Not thread-safe. Calls only buf. */
#ifndef INFLUDASH_STRMAP_H
#define INFLUDASH_STRMAP_H

#include <stddef.h>
#include <stdint.h>

struct strmap;

struct strmap *strmap_new(void);
void strmap_free(struct strmap *m);
/* Id of key, or -1 when absent. */
int32_t strmap_get(const struct strmap *m, const char *key, size_t len);
/* Id of key, adding it when absent (*added set to 1 then, when added is not NULL). */
int32_t strmap_put(struct strmap *m, const char *key, size_t len, int *added);
size_t strmap_size(const struct strmap *m);
/* The key of an id (NUL-terminated; valid while the map lives). */
const char *strmap_key(const struct strmap *m, int32_t id, size_t *len);
void strmap_clear(struct strmap *m);

#endif
