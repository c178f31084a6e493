/* export.c — stored rows back out as CSV (see export.h). Calls store, schema, csv, jsonrows
 * and strmap. */
#include "export.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "csv.h"
#include "jsonrows.h"
#include "strmap.h"

#include "banned.h"

static int exported(const struct schema_col *col)
{
    return !(col->flags & SCHEMA_DERIVED);
}

void export_csv_header(enum dataset ds, char *const *extra_keys, size_t nextra, struct buf *out)
{
    const struct schema_dataset *d = schema_dataset(ds);
    int first = 1;
    for (int c = 0; c < d->ncols; c++) {
        if (!exported(&d->cols[c]))
            continue;
        if (!first)
            buf_putc(out, ',');
        first = 0;
        buf_puts(out, d->cols[c].name);
    }
    for (size_t k = 0; k < nextra; k++) {
        buf_putc(out, ',');
        csv_write_text(out, extra_keys[k], strlen(extra_keys[k]), ',');
    }
    buf_putc(out, '\n');
}

/* The extra columns of one export: a key's column found by hash (never by a scan of the
 * keys, which made a wide export quadratic), and per row the pair that fills each column. */
struct export_extra {
    struct strmap *columns; /* key → column 0..n-1, in header order */
    size_t n;
    int32_t *pair_of; /* per column: index of the row's pair, -1 when the row has none */
    struct buf *out;  /* where the current row goes */
    /* One reader for all the rows, fed "[" and then each row's object after a ","; NULL
     * before the first row with extra values and after stored text that did not read. */
    struct jsonrows *jr;
};

struct export_extra *export_extra_new(char *const *keys, size_t n)
{
    struct export_extra *x = xcalloc(1, sizeof *x);
    x->columns = strmap_new();
    x->n = n;
    x->pair_of = xcalloc(n ? n : 1, sizeof *x->pair_of);
    for (size_t k = 0; k < n; k++)
        strmap_put(x->columns, keys[k], strlen(keys[k]), NULL);
    return x;
}

void export_extra_free(struct export_extra *x)
{
    if (!x)
        return;
    strmap_free(x->columns);
    jsonrows_free(x->jr);
    free(x->pair_of);
    free(x);
}

/* The id of key in m: rows mostly list their keys in the same order, so the id after the
 * previous key's is tried first, then the hash. */
static int32_t key_id(const struct strmap *m, int32_t previous, const char *key, size_t len)
{
    if (previous >= 0 && (size_t)previous + 1 < strmap_size(m)) {
        size_t guess_len;
        const char *guess = strmap_key(m, previous + 1, &guess_len);
        if (guess_len == len && memcmp(guess, key, len) == 0)
            return previous + 1;
    }
    return strmap_get(m, key, len);
}

/* The row's extra object (jsonrows hands it over whole): each column's value, in header
 * order; of a key given twice, the last. */
static int write_extra(void *ctx, const struct jsonrows_pair *pairs, size_t n, uint64_t line,
                       uint64_t index)
{
    struct export_extra *x = ctx;
    (void)line, (void)index;
    int32_t col = -1;
    for (size_t i = 0; i < n; i++) {
        col = key_id(x->columns, col, pairs[i].key, pairs[i].key_len);
        if (col >= 0)
            x->pair_of[col] = (int32_t)i;
    }
    for (size_t k = 0; k < x->n; k++) {
        buf_putc(x->out, ',');
        if (x->pair_of[k] >= 0)
            csv_write_text(x->out, pairs[x->pair_of[k]].value, pairs[x->pair_of[k]].value_len, ',');
    }
    return 0;
}

/* The extra columns of row: one per key of x, empty where the row has no value. */
static void put_extra(const struct schema_row *row, struct export_extra *x, struct buf *out)
{
    for (size_t k = 0; k < x->n; k++)
        x->pair_of[k] = -1;
    x->out = out;
    size_t mark = out->len;
    int written = 0;
    if (row->extra && row->extra_len) {
        struct err e;
        int rc = 0;
        if (!x->jr) {
            struct jsonrows_opts jo = {0, 0, "extra", 0};
            x->jr = jsonrows_new(&jo, write_extra, x);
            rc = jsonrows_feed(x->jr, "[", 1, &e);
        } else {
            rc = jsonrows_feed(x->jr, ",", 1, &e);
        }
        /* the stored object, the next element of the array: write_extra runs once */
        if (rc == 0)
            rc = jsonrows_feed(x->jr, row->extra, row->extra_len, &e);
        written = rc == 0 && out->len > mark;
        if (!written) { /* start again at the next row */
            jsonrows_free(x->jr);
            x->jr = NULL;
        }
    }
    if (!written) { /* no extra values (or stored text that does not read): empty cells */
        out->len = mark;
        if (out->data)
            out->data[mark] = '\0';
        for (size_t k = 0; k < x->n; k++)
            buf_putc(out, ',');
    }
}

void export_csv_row(const struct schema_row *row, struct export_extra *extra, struct buf *out)
{
    const struct schema_dataset *d = schema_dataset(row->ds);
    int first = 1;
    for (int c = 0; c < d->ncols; c++) {
        if (!exported(&d->cols[c]))
            continue;
        if (!first)
            buf_putc(out, ',');
        first = 0;
        const struct schema_value *v = &row->v[c];
        if (!v->present)
            continue;
        if (schema_kind_is_int(d->cols[c].kind))
            schema_format_int(d->cols[c].kind, v->i, out); /* numbers and dates: never guarded */
        else
            csv_write_text(out, v->s, v->len, ',');
    }
    if (extra && extra->n)
        put_extra(row, extra, out);
    buf_putc(out, '\n');
}

/* ---- the extra columns of a dataset: one pass over the stored objects ---------------- */

/* As the stores' own limit on distinct extra columns. */
#define EXPORT_EXTRA_KEYS_MAX 100000

struct key_scan {
    struct strmap *keys;
    struct jsonrows *jr; /* reused for every row: fed "[", then each object after a "," */
    int started;
    struct err e;
};

static int add_keys(void *ctx, const struct jsonrows_pair *pairs, size_t n, uint64_t line,
                    uint64_t index)
{
    struct key_scan *k = ctx;
    (void)line, (void)index;
    int32_t id = -1;
    for (size_t i = 0; i < n; i++) {
        id = key_id(k->keys, id, pairs[i].key, pairs[i].key_len);
        if (id < 0)
            id = strmap_put(k->keys, pairs[i].key, pairs[i].key_len, NULL);
    }
    if (strmap_size(k->keys) > EXPORT_EXTRA_KEYS_MAX)
        return err_set(&k->e, ERR_LIMIT, "more than %d distinct extra columns",
                       EXPORT_EXTRA_KEYS_MAX);
    return 0;
}

static int scan_keys(void *ctx, const struct schema_row *row)
{
    struct key_scan *k = ctx;
    if (!row->extra || !row->extra_len)
        return 0;
    int rc = jsonrows_feed(k->jr, k->started ? "," : "[", 1, &k->e);
    k->started = 1;
    if (rc == 0)
        rc = jsonrows_feed(k->jr, row->extra, row->extra_len, &k->e);
    return rc;
}

static int compare_keys(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The distinct keys of the dataset's stored extra objects, sorted bytewise (caller frees
 * each and the array). One pass reading only the extra column, keys found by hash: linear
 * in the stored text, where SQL's DISTINCT over every key of every row sorts them all. */
static int extra_keys(struct store *s, enum dataset ds, char ***out, size_t *n, struct err *e)
{
    struct key_scan k = {strmap_new(), NULL, 0, {0, ""}};
    struct jsonrows_opts jo = {0, 0, "extra", 1}; /* the keys alone */
    k.jr = jsonrows_new(&jo, add_keys, &k);
    int ncols = schema_dataset(ds)->ncols;
    int rc = store_scan_part(s, ds, 0, 1, (uint64_t)1 << ncols, scan_keys, &k, e);
    if (rc == 0 && k.started)
        rc = jsonrows_feed(k.jr, "]", 1, &k.e);
    if (rc == 0 && k.started)
        rc = jsonrows_finish(k.jr, &k.e);
    if (rc < 0 && k.e.msg[0])
        rc = err_set(e, rc, "%s: reading the stored extra columns: %s", schema_dataset(ds)->name,
                     k.e.msg);
    *out = NULL;
    *n = 0;
    if (rc == 0 && strmap_size(k.keys) > 0) {
        *n = strmap_size(k.keys);
        *out = xcalloc(*n, sizeof **out);
        for (size_t i = 0; i < *n; i++) {
            size_t len;
            const char *key = strmap_key(k.keys, (int32_t)i, &len);
            (*out)[i] = xstrndup(key, len);
        }
        qsort(*out, *n, sizeof **out, compare_keys);
    }
    jsonrows_free(k.jr);
    strmap_free(k.keys);
    return rc;
}

/* ---- a dataset to a file --------------------------------------------------------------- */

struct export_ctx {
    FILE *out;
    struct buf line;
    struct export_extra *extra;
    int failed;
    export_keep_fn keep;
    void *keep_ctx;
};

static int flush_line(struct export_ctx *x, int force)
{
    if (x->line.len < (1 << 20) && !force)
        return 0;
    if (x->line.len && fwrite(x->line.data, 1, x->line.len, x->out) != x->line.len) {
        x->failed = errno ? errno : EIO;
        return -1;
    }
    buf_reset(&x->line);
    return 0;
}

static int export_one(void *ctx, const struct schema_row *row)
{
    struct export_ctx *x = ctx;
    if (x->keep && !x->keep(x->keep_ctx, row))
        return 0;
    export_csv_row(row, x->extra, &x->line);
    return flush_line(x, 0);
}

int export_dataset_csv(struct store *s, enum dataset ds, FILE *out, struct err *e)
{
    return export_dataset_csv_where(s, ds, NULL, NULL, out, e);
}

int export_dataset_csv_where(struct store *s, enum dataset ds, export_keep_fn keep, void *ctx,
                             FILE *out, struct err *e)
{
    struct export_ctx x = {out, BUF_INIT, NULL, 0, keep, ctx};
    char **keys = NULL;
    size_t nkeys = 0;
    /* One snapshot for the header's keys and the rows, taking no write lock: imports go on
     * meanwhile and the file is as of one moment. */
    int rc = store_read_begin(s, e);
    if (rc < 0)
        return rc;
    rc = extra_keys(s, ds, &keys, &nkeys, e);
    if (rc == 0) {
        x.extra = export_extra_new(keys, nkeys);
        export_csv_header(ds, keys, nkeys, &x.line);
        rc = store_scan(s, ds, export_one, &x, e);
    }
    store_rollback(s);
    if (rc == 0 && flush_line(&x, 1) < 0)
        rc = -1;
    if (x.failed || (rc == 0 && fflush(out) != 0))
        rc = err_set(e, ERR_IO, "cannot write the export: %s",
                     strerror(x.failed ? x.failed : errno));
    for (size_t k = 0; k < nkeys; k++)
        free(keys[k]);
    free(keys);
    export_extra_free(x.extra);
    buf_release(&x.line);
    return rc;
}
