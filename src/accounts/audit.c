/* audit.c — reading the audit log (see audit.h). Calls store, json, csv and format. */
#include "audit.h"

#include <stdlib.h>
#include <string.h>

#include "csv.h"
#include "format.h"
#include "json.h"

#include "banned.h"

struct audit_rows {
    struct store_audit *a;
    size_t n, cap;
};

static int audit_push(void *ctx, const struct store_audit *a)
{
    struct audit_rows *r = ctx;
    if (r->n == r->cap) {
        r->cap = r->cap ? 2 * r->cap : 64;
        r->a = xrealloc(r->a, r->cap * sizeof *r->a);
    }
    r->a[r->n++] = *a;
    return 0;
}

/* Newest first: by time, then by id within one database. */
static int newest_first(const void *x, const void *y)
{
    const struct store_audit *a = x, *b = y;
    if (a->at != b->at)
        return a->at < b->at ? 1 : -1;
    return (a->id < b->id) - (a->id > b->id);
}

int audit_collect(struct store *data, struct store *accounts, size_t limit,
                  struct store_audit **out, size_t *n, struct err *e)
{
    struct audit_rows r = {0};
    int rc = store_audit_list(data, STORE_AUDIT_DATA, limit, audit_push, &r, e);
    if (rc == 0 && accounts)
        rc = store_audit_list(accounts, STORE_AUDIT_ACCOUNTS, limit, audit_push, &r, e);
    if (rc < 0) {
        free(r.a);
        return rc;
    }
    if (r.n > 1)
        qsort(r.a, r.n, sizeof *r.a, newest_first);
    if (limit && r.n > limit)
        r.n = limit;
    *out = r.a;
    *n = r.n;
    return 0;
}

void audit_write_json(const struct store_audit *a, size_t n, struct buf *out)
{
    struct json j;
    json_init(&j, out);
    json_obj_begin(&j);
    json_key(&j, "entries");
    json_arr_begin(&j);
    for (size_t i = 0; i < n; i++) {
        char at[32];
        format_utc_time(a[i].at, at);
        json_obj_begin(&j);
        json_kv_str(&j, "at", at);
        json_kv_str(&j, "actor", a[i].actor);
        json_kv_str(&j, "action", a[i].action);
        json_kv_str(&j, "workspace", a[i].workspace);
        json_kv_str(&j, "target", a[i].target);
        json_kv_str(&j, "detail", a[i].detail);
        json_obj_end(&j);
    }
    json_arr_end(&j);
    json_obj_end(&j);
}

/* A cell a spreadsheet could run as a formula is guarded (csv_write_text). */
static void put_cell(struct buf *out, const char *s, int last)
{
    csv_write_text(out, s, strlen(s), ',');
    buf_putc(out, last ? '\n' : ',');
}

void audit_write_csv(const struct store_audit *a, size_t n, struct buf *out)
{
    buf_puts(out, "at,actor,action,workspace,target,detail\n");
    for (size_t i = 0; i < n; i++) {
        char at[32];
        format_utc_time(a[i].at, at);
        put_cell(out, at, 0);
        put_cell(out, a[i].actor, 0);
        put_cell(out, a[i].action, 0);
        put_cell(out, a[i].workspace, 0);
        put_cell(out, a[i].target, 0);
        put_cell(out, a[i].detail, 1);
    }
}
