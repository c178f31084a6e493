/* jsonrows.h — streaming reader for a JSON array of flat objects ([{"a":1,"b":"x"},...]),
 * the form some peer dashboards save their datasets in. Each object is handed over as
 * key/value text pairs, like a CSV record with its own header. Strings are unescaped
 * (\uXXXX with surrogate pairs to UTF-8); numbers, true/false are given as their text;
 * null as an empty value with is_null set; a nested object or array as its raw JSON text.
 * Memory is bounded by the largest object. Calls only buf and err. */
#ifndef INFLUDASH_JSONROWS_H
#define INFLUDASH_JSONROWS_H

#include <stddef.h>
#include <stdint.h>

#include "err.h"

struct jsonrows_pair {
    const char *key; /* NUL-terminated, valid only during the callback */
    size_t key_len;
    const char *value; /* NUL-terminated, valid only during the callback */
    size_t value_len;
    int is_null;
    uint64_t line; /* line where the value starts */
};

/* Returns 0 to go on, negative to stop (passed through by jsonrows_feed). */
typedef int (*jsonrows_object_fn)(void *ctx, const struct jsonrows_pair *pairs, size_t npairs,
                                  uint64_t line, uint64_t index);

struct jsonrows_opts {
    size_t max_value_bytes; /* 0: 1 MiB */
    size_t max_pairs;       /* 0: 4096 */
    const char *name;       /* file name for messages */
    int keys_only;          /* 1: string values are read (and checked) but not kept: each
                               comes out empty, for a reader that wants the keys alone */
};

struct jsonrows;

struct jsonrows *jsonrows_new(const struct jsonrows_opts *opts, jsonrows_object_fn fn, void *ctx);
void jsonrows_free(struct jsonrows *r);
/* Errors read "NAME:LINE:COLUMN: reason" (column in bytes from the line start, 1-based),
 * code ERR_INPUT/ERR_LIMIT. */
int jsonrows_feed(struct jsonrows *r, const char *data, size_t len, struct err *e);
int jsonrows_finish(struct jsonrows *r, struct err *e);

#endif
