/* fuzz_schema.c — libFuzzer target for the schema mapping of a row (src/schema.c), driven
 * the way import drives it (src/ingest.c): the CSV reader's first record is the header
 * (schema_detect, schema_map_init), every later record a schema_row_build into a reused row.
 * Input: one option byte (forced dataset or detection, the file name that helps detection,
 * and whether to run the real import too), then the CSV bytes.
 * Invariants: a built row holds only what its column's kind allows (text NUL-terminated and
 * valid UTF-8, counts, money and rates within schema_check_range, flags 0/1, dates ISO,
 * canonical genders, an influencer always with one); an integer printed by
 * schema_format_int parses back to itself; a row written out by export_csv_row and read back
 * through a fresh mapping of the export header gives the same values (export → import is
 * stable); a reject names a reason. With the import bit, the same input goes through ingest
 * into an in-memory SQLite store in strict and skip-invalid mode: accepted + rejected rows
 * match the direct run, strict mode with a reject stores nothing, skip-invalid stores at
 * most the accepted rows. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "csv.h"
#include "err.h"
#include "export.h"
#include "fuzz_util.h"
#include "ingest.h"
#include "json.h"
#include "schema.h"
#include "store.h"

#include "banned.h"

struct run {
    enum dataset forced;
    const char *filename;
    struct schema_config cfg;
    struct schema_map map;
    int have_map;
    int header_failed;
    struct schema_row row;
    int64_t accepted, rejected;
    int check_roundtrip;
    int csv_failed;
};

static int utf8_ok(const char *s, size_t len)
{
    size_t i = 0;
    while (i < len) {
        int n = json_utf8_seq((const unsigned char *)s + i, len - i);
        if (n <= 0)
            return 0;
        i += (size_t)n;
    }
    return 1;
}

static void check_value(const struct schema_col *col, const struct schema_value *v)
{
    if (!v->present)
        return;
    struct buf text = BUF_INIT;
    const char *reason = NULL;
    int64_t back = 0;
    switch (col->kind) {
    case COL_COUNT:
        FUZZ_CHECK(v->i >= 0 && v->i <= SCHEMA_COUNT_MAX, "%s: count %lld", col->name,
                   (long long)v->i);
        schema_format_int(col->kind, v->i, &text);
        FUZZ_CHECK(schema_parse_count(text.data, text.len, &back, &reason) == 0 && back == v->i,
                   "%s: count %lld prints as \"%s\" which parses as %lld (%s)", col->name,
                   (long long)v->i, text.data, (long long)back, reason ? reason : "");
        break;
    case COL_MONEY:
        FUZZ_CHECK(v->i >= -SCHEMA_MONEY_MAX && v->i <= SCHEMA_MONEY_MAX, "%s: money %lld",
                   col->name, (long long)v->i);
        schema_format_int(col->kind, v->i, &text);
        FUZZ_CHECK(schema_parse_money(text.data, text.len, &back, &reason) == 0 && back == v->i,
                   "%s: money %lld prints as \"%s\" which parses as %lld (%s)", col->name,
                   (long long)v->i, text.data, (long long)back, reason ? reason : "");
        break;
    case COL_RATE:
        FUZZ_CHECK(v->i >= -SCHEMA_RATE_MAX && v->i <= SCHEMA_RATE_MAX, "%s: rate %lld", col->name,
                   (long long)v->i);
        schema_format_int(col->kind, v->i, &text);
        FUZZ_CHECK(schema_parse_rate(text.data, text.len, &back, &reason) == 0 && back == v->i,
                   "%s: rate %lld prints as \"%s\" which parses as %lld (%s)", col->name,
                   (long long)v->i, text.data, (long long)back, reason ? reason : "");
        break;
    case COL_FLAG:
        FUZZ_CHECK(v->i == 0 || v->i == 1, "%s: flag %lld", col->name, (long long)v->i);
        break;
    default:
        FUZZ_CHECK(v->s != NULL && v->s[v->len] == '\0', "%s: text not NUL-terminated", col->name);
        FUZZ_CHECK(utf8_ok(v->s, v->len), "%s: invalid UTF-8 stored", col->name);
        if (col->kind == COL_DATE) {
            FUZZ_CHECK(schema_parse_date(v->s, v->len, &text, &reason) == 0 &&
                           strcmp(buf_cstr(&text), v->s) == 0,
                       "%s: date \"%s\" re-parses as \"%s\" (%s)", col->name, v->s, buf_cstr(&text),
                       reason ? reason : "");
        } else if (col->kind == COL_GENDER) {
            FUZZ_CHECK(!strcmp(v->s, "Male") || !strcmp(v->s, "Female") ||
                           !strcmp(v->s, "Non-binary") || !strcmp(v->s, "Other") ||
                           !strcmp(v->s, "Unknown"),
                       "%s: gender \"%s\"", col->name, v->s);
        }
        break;
    }
    buf_release(&text);
}

static void append_values(struct buf *out, const struct schema_row *row)
{
    const struct schema_dataset *d = schema_dataset(row->ds);
    for (int c = 0; c < d->ncols; c++) {
        const struct schema_value *v = &row->v[c];
        buf_printf(out, "%s=", d->cols[c].name);
        if (!v->present)
            buf_puts(out, "NULL");
        else if (schema_kind_is_int(d->cols[c].kind))
            buf_printf(out, "%lld", (long long)v->i);
        else {
            buf_putc(out, '"');
            fuzz_put_bytes(out, v->s, v->len);
            buf_putc(out, '"');
        }
        buf_putc(out, '\n');
    }
}

static int collect_record(void *ctx, const struct csv_record *rec)
{
    struct csv_record *copy = ctx;
    FUZZ_CHECK(copy->nfields == 0 || rec->index > 0, "export wrote more than one row");
    if (rec->index == 0)
        return 0;
    struct buf *store = (struct buf *)copy->fields;
    /* Keep the fields as LEN:BYTES in one buffer, rebuilt into csv_fields afterwards. */
    for (size_t i = 0; i < rec->nfields; i++) {
        buf_append(store, &rec->fields[i].len, sizeof rec->fields[i].len);
        buf_append(store, rec->fields[i].data, rec->fields[i].len);
    }
    copy->nfields = rec->nfields;
    copy->line = rec->line;
    return 0;
}

/* export_csv_row of the row, read back through the export header's mapping, gives the same
 * values: what import stores, export writes and import reads again unchanged. */
static void check_roundtrip(const struct run *r)
{
    struct buf csv = BUF_INIT, bytes = BUF_INIT, before = BUF_INIT, after = BUF_INIT;
    export_csv_header(r->row.ds, NULL, 0, &csv);
    export_csv_row(&r->row, NULL, &csv);
    struct csv_record rec = {(const struct csv_field *)(void *)&bytes, 0, 0, 0, 0};
    struct csv_opts co = {',', 0, 0, 1, "export.csv", 1};
    struct csv_parser *p = csv_new(&co, collect_record, &rec);
    struct err e;
    int rc = csv_feed(p, csv.data, csv.len, &e);
    if (rc == 0)
        rc = csv_finish(p, &e);
    csv_free(p);
    FUZZ_CHECK(rc == 0, "the exported row does not parse: %s\n%s", e.msg, csv.data);
    /* The header, again, as its own record for schema_map_init. */
    const struct schema_dataset *d = schema_dataset(r->row.ds);
    struct csv_field header[SCHEMA_MAX_COLS], fields[SCHEMA_MAX_COLS];
    size_t nh = 0;
    for (int c = 0; c < d->ncols; c++)
        if (!(d->cols[c].flags & SCHEMA_DERIVED))
            header[nh++] = (struct csv_field){d->cols[c].name, strlen(d->cols[c].name), 0};
    size_t off = 0, nf = 0;
    while (off < bytes.len && nf < SCHEMA_MAX_COLS) {
        size_t len;
        memcpy(&len, bytes.data + off, sizeof len);
        off += sizeof len;
        fields[nf++] = (struct csv_field){bytes.data + off, len, 0};
        off += len;
    }
    struct schema_map map;
    struct schema_row again;
    struct schema_reject rj;
    schema_row_init(&again, r->row.ds);
    rc = schema_map_init(&map, r->row.ds, header, nh, &r->cfg, &e);
    FUZZ_CHECK(rc == 0, "the export header does not map: %s", e.msg);
    struct csv_record rec2 = {fields, nf, 2, 1, 0};
    rc = schema_row_build(&map, &rec2, &again, &rj);
    if (rc < 0)
        fprintf(stderr, "exported:\n%s", csv.data);
    FUZZ_CHECK(rc == 0, "the exported row is rejected: %s: \"%s\": %s", rj.column, rj.value,
               rj.reason);
    append_values(&before, &r->row);
    append_values(&after, &again);
    if (before.len != after.len || memcmp(before.data, after.data, before.len) != 0)
        fprintf(stderr, "exported:\n%s", csv.data);
    fuzz_same(&before, &after, "row values before export and after re-import");
    schema_map_release(&map);
    schema_row_release(&again);
    buf_release(&csv);
    buf_release(&bytes);
    buf_release(&before);
    buf_release(&after);
}

static int on_record(void *ctx, const struct csv_record *rec)
{
    struct run *r = ctx;
    struct err e = {0, ""};
    if (rec->index == 0) {
        enum dataset ds = r->forced;
        if (ds == DS_NONE) {
            ds = schema_detect(r->filename, rec->fields, rec->nfields, &e);
            if (ds == DS_NONE) {
                FUZZ_CHECK(e.msg[0], "schema_detect failed without a message");
                r->header_failed = 1;
                return -1;
            }
        }
        FUZZ_CHECK(ds >= 0 && ds < DS_COUNT, "dataset %d", (int)ds);
        if (schema_map_init(&r->map, ds, rec->fields, rec->nfields, &r->cfg, &e) < 0) {
            FUZZ_CHECK(e.code < 0 && e.msg[0], "schema_map_init failed without a message");
            r->header_failed = 1;
            return -1;
        }
        FUZZ_CHECK(r->map.nin == rec->nfields, "map has %zu of %zu fields", r->map.nin,
                   rec->nfields);
        r->have_map = 1;
        return 0;
    }
    struct schema_reject rj;
    memset(&rj, 0x55, sizeof rj);
    if (schema_row_build(&r->map, rec, &r->row, &rj) < 0) {
        FUZZ_CHECK(memchr(rj.column, '\0', sizeof rj.column) &&
                       memchr(rj.value, '\0', sizeof rj.value) &&
                       memchr(rj.reason, '\0', sizeof rj.reason),
                   "reject strings not terminated");
        FUZZ_CHECK(rj.reason[0], "reject without a reason");
        FUZZ_CHECK(rj.line == rec->line, "reject line %llu of record line %llu",
                   (unsigned long long)rj.line, (unsigned long long)rec->line);
        r->rejected++;
        return 0;
    }
    r->accepted++;
    FUZZ_CHECK(r->row.ds == r->map.ds, "row dataset %d, map %d", r->row.ds, r->map.ds);
    const struct schema_dataset *d = schema_dataset(r->row.ds);
    for (int c = 0; c < d->ncols; c++)
        check_value(&d->cols[c], &r->row.v[c]);
    FUZZ_CHECK(r->row.v[0].present, "%s: no id after build", d->cols[0].name);
    if (r->row.ds == DS_INFLUENCERS) /* SPEC §1: empty or absent is Unknown */
        FUZZ_CHECK(r->row.v[schema_col_index(DS_INFLUENCERS, "gender")].present,
                   "an influencer without a gender");
    if (r->row.extra) {
        FUZZ_CHECK(r->row.extra_len >= 2 && r->row.extra[0] == '{' &&
                       r->row.extra[r->row.extra_len - 1] == '}' &&
                       r->row.extra[r->row.extra_len] == '\0',
                   "extra is not an object: %s", r->row.extra);
    }
    if (r->check_roundtrip)
        check_roundtrip(r);
    return 0;
}

/* The same input through the real import into an in-memory store. */
static void check_ingest(const struct run *direct, const char *data, size_t size, int skip_invalid)
{
    struct store *s = NULL;
    struct err e = {0, ""};
    FUZZ_CHECK(store_open("sqlite::memory:", &s, &e) == 0, "store_open: %s", e.msg);
    struct ingest_opts o;
    ingest_opts_default(&o);
    o.dataset = direct->forced;
    o.skip_invalid = skip_invalid;
    struct ingest_result res;
    memset(&res, 0, sizeof res);
    struct ingest *in = ingest_new(s, &o, &e);
    FUZZ_CHECK(in != NULL, "ingest_new: %s", e.msg);
    int rc = ingest_file_begin(in, direct->filename, DS_NONE, size, &e);
    if (rc == 0)
        rc = ingest_feed(in, data, size, &e);
    int rc2 = ingest_file_end(in, rc == 0 ? &e : &(struct err){0, ""});
    if (rc == 0)
        rc = rc2;
    int frc = ingest_finish(in, &res, rc == 0 ? &e : &(struct err){0, ""});
    if (rc == 0)
        rc = frc;
    ingest_free(in);
    int64_t stored = 0;
    for (int ds = 0; ds < DS_COUNT; ds++) {
        int64_t n = 0;
        FUZZ_CHECK(store_count(s, (enum dataset)ds, &n, &e) == 0, "store_count: %s", e.msg);
        stored += n;
    }
    if (rc == 0) {
        FUZZ_CHECK(res.committed, "import returned 0 but did not commit");
        FUZZ_CHECK(skip_invalid || res.rejected == 0, "strict import committed %lld rejects",
                   (long long)res.rejected);
        FUZZ_CHECK(stored <= res.accepted, "%lld rows stored of %lld accepted", (long long)stored,
                   (long long)res.accepted);
    } else {
        FUZZ_CHECK(!res.committed, "import failed (%d) but committed", rc);
        FUZZ_CHECK(stored == 0, "failed import left %lld rows", (long long)stored);
        FUZZ_CHECK(e.msg[0], "import failed (%d) without a message", rc);
    }
    /* A file the direct run read to its end gives the same counts through import (JSON
     * input takes another reader; only CSV is compared). */
    if (!direct->header_failed && !direct->csv_failed && direct->have_map && size &&
        data[0] != '[' && data[0] != ' ' && data[0] != '\t' && data[0] != '\r' && data[0] != '\n' &&
        (unsigned char)data[0] != 0xEF && rc != ERR_LIMIT && rc != ERR_IO)
        FUZZ_CHECK(res.accepted == direct->accepted && res.rejected == direct->rejected,
                   "import counts %lld/%lld, direct %lld/%lld", (long long)res.accepted,
                   (long long)res.rejected, (long long)direct->accepted,
                   (long long)direct->rejected);
    ingest_result_release(&res);
    store_close(s);
}

int LLVMFuzzerTestOneInput(const uint8_t *udata, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *udata, size_t size)
{
    static const char *const names[4] = {"upload", "influencers.csv", "posts.csv",
                                         "tracking_data.csv"};
    unsigned o = fuzz_take_byte(&udata, &size);
    const char *data = (const char *)udata;
    struct run r;
    memset(&r, 0, sizeof r);
    int pick = (int)(o & 7);
    r.forced = pick < DS_COUNT ? (enum dataset)pick : DS_NONE;
    r.filename = names[(o >> 3) & 3];
    r.check_roundtrip = 1;
    schema_config_default(&r.cfg);
    schema_row_init(&r.row, DS_INFLUENCERS);
    struct csv_opts co = {0, 0, 0, 0, r.filename, 1}; /* as ingest reads */
    struct csv_parser *p = csv_new(&co, on_record, &r);
    struct err e;
    int rc = csv_feed(p, data, size, &e);
    if (rc == 0)
        rc = csv_finish(p, &e);
    csv_free(p);
    r.csv_failed = rc < 0 && !r.header_failed; /* the CSV itself was bad */
    if (r.have_map)
        schema_map_release(&r.map);
    schema_row_release(&r.row);
    if (o & 0x20)
        check_ingest(&r, data, size, (o & 0x40) != 0);
    return 0;
}
