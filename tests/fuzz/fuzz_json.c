/* fuzz_json.c — libFuzzer target for the streaming JSON rows reader (src/jsonrows.c).
 * Input: one option byte (small limits, an object to stop at), then the JSON text.
 * Invariants: feeding the input in one chunk, byte by byte or split at a point gives the same
 * objects and the same error; objects are numbered 0, 1, ... with lines that never go back;
 * keys and values are NUL-terminated at their length, a null is empty, counts respect the
 * limits; an error has a code and a message; reading with keys_only gives as many objects
 * and the same outcome (the same error). */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "err.h"
#include "fuzz_util.h"
#include "jsonrows.h"

#include "banned.h"

#define STOP_CODE (-77)

struct transcript {
    struct buf text;
    const struct jsonrows_opts *opts;
    uint64_t stop_at;
    uint64_t next_index, last_line;
};

static int on_object(void *ctx, const struct jsonrows_pair *pairs, size_t npairs, uint64_t line,
                     uint64_t index)
{
    struct transcript *t = ctx;
    size_t max_pairs = t->opts->max_pairs ? t->opts->max_pairs : 4096;
    size_t max_bytes = t->opts->max_value_bytes ? t->opts->max_value_bytes : (size_t)1 << 20;
    FUZZ_CHECK(index == t->next_index, "index %llu, expected %llu", (unsigned long long)index,
               (unsigned long long)t->next_index);
    FUZZ_CHECK(line >= 1 && line >= t->last_line, "line %llu after %llu", (unsigned long long)line,
               (unsigned long long)t->last_line);
    FUZZ_CHECK(npairs <= max_pairs, "%zu pairs", npairs);
    t->next_index++;
    t->last_line = line;
    buf_printf(&t->text, "object %llu line %llu:", (unsigned long long)index,
               (unsigned long long)line);
    for (size_t i = 0; i < npairs; i++) {
        const struct jsonrows_pair *p = &pairs[i];
        FUZZ_CHECK(p->key && p->key[p->key_len] == '\0', "key not NUL-terminated");
        FUZZ_CHECK(p->value && p->value[p->value_len] == '\0', "value not NUL-terminated");
        FUZZ_CHECK(!p->is_null || p->value_len == 0, "null with %zu bytes", p->value_len);
        FUZZ_CHECK(p->value_len <= max_bytes && p->key_len <= max_bytes, "value of %zu bytes",
                   p->value_len);
        FUZZ_CHECK(p->line >= line, "value line %llu before object line %llu",
                   (unsigned long long)p->line, (unsigned long long)line);
        buf_puts(&t->text, " [");
        fuzz_put_bytes(&t->text, p->key, p->key_len);
        buf_printf(&t->text, "]@%llu=", (unsigned long long)p->line);
        if (p->is_null)
            buf_puts(&t->text, "null");
        else {
            buf_putc(&t->text, '[');
            fuzz_put_bytes(&t->text, p->value, p->value_len);
            buf_putc(&t->text, ']');
        }
    }
    buf_putc(&t->text, '\n');
    return index == t->stop_at ? STOP_CODE : 0;
}

static void run(const struct jsonrows_opts *opts, const char *data, size_t size, size_t step,
                uint64_t stop_at, struct transcript *t)
{
    memset(t, 0, sizeof *t);
    t->opts = opts;
    t->stop_at = stop_at;
    struct jsonrows *r = jsonrows_new(opts, on_object, t);
    struct err e = {0, ""};
    int rc = 0;
    size_t off = 0;
    if (step == 0)
        step = size ? size : 1;
    while (rc == 0 && off < size) {
        size_t n = size - off < step ? size - off : step;
        rc = jsonrows_feed(r, data + off, n, &e);
        off += n;
    }
    if (rc == 0)
        rc = jsonrows_finish(r, &e);
    if (rc == STOP_CODE)
        buf_puts(&t->text, "stopped by the callback\n");
    else if (rc < 0) {
        FUZZ_CHECK(rc == ERR_INPUT || rc == ERR_LIMIT, "unexpected code %d", rc);
        FUZZ_CHECK(e.code == rc && e.msg[0], "code %d but e.code %d msg \"%s\"", rc, e.code, e.msg);
        buf_printf(&t->text, "error %d: %s\n", rc, e.msg);
    } else {
        FUZZ_CHECK(rc == 0, "positive result %d", rc);
        buf_puts(&t->text, "ok\n");
    }
    jsonrows_free(r);
}

int LLVMFuzzerTestOneInput(const uint8_t *udata, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *udata, size_t size)
{
    unsigned o = fuzz_take_byte(&udata, &size);
    const char *data = (const char *)udata;
    struct jsonrows_opts opts = {0, 0, "fuzz.json", 0};
    if (o & 1) { /* small limits, so the limit paths run */
        opts.max_value_bytes = 16;
        opts.max_pairs = 4;
    }
    uint64_t stop_at = (o & 2) ? (uint64_t)(o >> 2) : UINT64_MAX;
    struct transcript whole, bytewise, split;
    run(&opts, data, size, 0, stop_at, &whole);
    run(&opts, data, size, 1, stop_at, &bytewise);
    fuzz_same(&whole.text, &bytewise.text, "one chunk and byte-by-byte transcripts");
    if (size > 2) {
        run(&opts, data, size, size / 2 + 1, stop_at, &split);
        fuzz_same(&whole.text, &split.text, "one chunk and two chunks transcripts");
        buf_release(&split.text);
    }
    if (!(o & 1)) { /* keys_only (which keeps no value, so no value limit) reads alike */
        struct jsonrows_opts keys = opts;
        keys.keys_only = 1;
        struct transcript k;
        run(&keys, data, size, 0, stop_at, &k);
        FUZZ_CHECK(k.next_index == whole.next_index, "keys_only: %llu objects, %llu read whole",
                   (unsigned long long)k.next_index, (unsigned long long)whole.next_index);
        const char *a = strrchr(buf_cstr(&whole.text), '\n'), *b = strrchr(buf_cstr(&k.text), '\n');
        const char *a_line = a ? a : buf_cstr(&whole.text), *b_line = b ? b : buf_cstr(&k.text);
        while (a_line > buf_cstr(&whole.text) && a_line[-1] != '\n')
            a_line--;
        while (b_line > buf_cstr(&k.text) && b_line[-1] != '\n')
            b_line--;
        FUZZ_CHECK(strcmp(a_line, b_line) == 0, "keys_only ends \"%s\", whole \"%s\"", b_line,
                   a_line);
        buf_release(&k.text);
    }
    buf_release(&whole.text);
    buf_release(&bytewise.text);
    return 0;
}
