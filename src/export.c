/* export.c — stored rows back out as CSV (see export.h). */
#include "export.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "csv.h"
#include "jsonrows.h"

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
        csv_write_field(out, extra_keys[k], strlen(extra_keys[k]), ',');
    }
    buf_putc(out, '\n');
}

struct extra_values {
    char *const *keys;
    size_t nkeys;
    struct buf *values; /* one per key */
};

static int collect_extra(void *ctx, const struct jsonrows_pair *pairs, size_t n, uint64_t line,
                         uint64_t index)
{
    struct extra_values *ev = ctx;
    (void)line, (void)index;
    for (size_t i = 0; i < n; i++)
        for (size_t k = 0; k < ev->nkeys; k++)
            if (strlen(ev->keys[k]) == pairs[i].key_len &&
                !memcmp(ev->keys[k], pairs[i].key, pairs[i].key_len)) {
                buf_reset(&ev->values[k]);
                buf_append(&ev->values[k], pairs[i].value, pairs[i].value_len);
                break;
            }
    return 0;
}

void export_csv_row(const struct schema_row *row, char *const *extra_keys, size_t nextra,
                    struct buf *out)
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
            schema_format_int(d->cols[c].kind, v->i, out);
        else
            csv_write_field(out, v->s, v->len, ',');
    }
    if (nextra == 0)
        goto done;
    struct buf *values = xcalloc(nextra, sizeof *values);
    if (row->extra && row->extra_len) {
        struct extra_values ev = {extra_keys, nextra, values};
        struct jsonrows_opts jo = {0, 0, "extra"};
        struct jsonrows *jr = jsonrows_new(&jo, collect_extra, &ev);
        struct err e;
        if (jsonrows_feed(jr, "[", 1, &e) == 0 && jsonrows_feed(jr, row->extra, row->extra_len, &e) == 0)
            if (jsonrows_feed(jr, "]", 1, &e) == 0)
                jsonrows_finish(jr, &e);
        jsonrows_free(jr);
    }
    for (size_t k = 0; k < nextra; k++) {
        buf_putc(out, ',');
        csv_write_field(out, buf_cstr(&values[k]), values[k].len, ',');
        buf_release(&values[k]);
    }
    free(values);
done:
    buf_putc(out, '\n');
}

struct export_ctx {
    FILE *out;
    struct buf line;
    char **keys;
    size_t nkeys;
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
    export_csv_row(row, x->keys, x->nkeys, &x->line);
    return flush_line(x, 0);
}

int export_dataset_csv(struct store *s, enum dataset ds, FILE *out, struct err *e)
{
    return export_dataset_csv_where(s, ds, NULL, NULL, out, e);
}

int export_dataset_csv_where(struct store *s, enum dataset ds, export_keep_fn keep, void *ctx,
                             FILE *out, struct err *e)
{
    struct export_ctx x = {out, BUF_INIT, NULL, 0, 0, keep, ctx};
    int rc = store_extra_keys(s, ds, &x.keys, &x.nkeys, e);
    if (rc < 0)
        return rc;
    export_csv_header(ds, x.keys, x.nkeys, &x.line);
    rc = store_scan(s, ds, export_one, &x, e);
    if (rc == 0 && flush_line(&x, 1) < 0)
        rc = -1;
    if (x.failed || (rc == 0 && fflush(out) != 0))
        rc = err_set(e, ERR_IO, "cannot write the export: %s", strerror(x.failed ? x.failed : errno));
    for (size_t k = 0; k < x.nkeys; k++)
        free(x.keys[k]);
    free(x.keys);
    buf_release(&x.line);
    return rc;
}
