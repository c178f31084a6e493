/* fuzz_csv.c — libFuzzer target for the CSV push parser (src/csv.c).
 * Input: one option byte (delimiter, blank records, small limits, a record to stop at),
 * then the CSV bytes. Invariants: feeding the input in one chunk, byte by byte or split at
 * a point gives the same records and the same error; records are numbered 0, 1, ... with
 * lines and offsets that never go back and fields within the limits; writing the records
 * with csv_write_field and reading them back gives the same fields, and so does writing
 * them with csv_write_text (the spreadsheet guard) and reading them with unguard_text. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "csv.h"
#include "err.h"
#include "fuzz_util.h"

#include "banned.h"

#define STOP_CODE (-77)

struct transcript {
    struct buf text; /* every record and the outcome, for comparison */
    const struct csv_opts *opts;
    uint64_t stop_at; /* the callback stops at this record index (UINT64_MAX: never) */
    uint64_t next_index;
    uint64_t last_line, last_offset;
    /* For the write-back check: the records as CSV (only in the one-chunk run). */
    struct buf fields; /* the fields alone: "LEN:BYTES" each, a line per record */
    struct buf *rewrite;
    char rewrite_delim;
    int rewrite_guarded; /* with csv_write_text rather than csv_write_field */
    uint64_t records;
    char delimiter; /* the parser's, after the run */
};

static int on_record(void *ctx, const struct csv_record *rec)
{
    struct transcript *t = ctx;
    size_t max_fields = t->opts->max_fields ? t->opts->max_fields : 4096;
    size_t max_bytes = t->opts->max_field_bytes ? t->opts->max_field_bytes : (size_t)1 << 20;
    FUZZ_CHECK(rec->index == t->next_index, "index %llu, expected %llu",
               (unsigned long long)rec->index, (unsigned long long)t->next_index);
    FUZZ_CHECK(rec->nfields >= 1 && rec->nfields <= max_fields, "%zu fields", rec->nfields);
    FUZZ_CHECK(rec->line >= 1 && rec->line >= t->last_line, "line %llu after %llu",
               (unsigned long long)rec->line, (unsigned long long)t->last_line);
    FUZZ_CHECK(rec->index == 0 || rec->offset > t->last_offset, "offset %llu after %llu",
               (unsigned long long)rec->offset, (unsigned long long)t->last_offset);
    t->next_index++;
    t->last_line = rec->line;
    t->last_offset = rec->offset;
    t->records++;
    buf_printf(&t->text, "record %llu line %llu offset %llu:", (unsigned long long)rec->index,
               (unsigned long long)rec->line, (unsigned long long)rec->offset);
    for (size_t i = 0; i < rec->nfields; i++) {
        const struct csv_field *f = &rec->fields[i];
        FUZZ_CHECK(f->len <= max_bytes, "field of %zu bytes", f->len);
        FUZZ_CHECK(f->len == 0 || memchr(f->data, '\0', f->len) == NULL, "NUL in a field");
        buf_printf(&t->fields, "%zu:", f->len);
        buf_append(&t->fields, f->data, f->len);
        buf_puts(&t->text, f->quoted ? " q[" : " [");
        fuzz_put_bytes(&t->text, f->data, f->len);
        buf_putc(&t->text, ']');
        if (t->rewrite) {
            if (i)
                buf_putc(t->rewrite, t->rewrite_delim);
            if (t->rewrite_guarded)
                csv_write_text(t->rewrite, f->data, f->len, t->rewrite_delim);
            else
                csv_write_field(t->rewrite, f->data, f->len, t->rewrite_delim);
        }
    }
    if (t->rewrite)
        buf_putc(t->rewrite, '\n');
    buf_putc(&t->text, '\n');
    buf_putc(&t->fields, '\n');
    return rec->index == t->stop_at ? STOP_CODE : 0;
}

/* Parses data in chunks of `step` bytes (0: one chunk) and returns the transcript's
 * result; the transcript records every record and the final code and message. */
static int run(const struct csv_opts *opts, const char *data, size_t size, size_t step,
               uint64_t stop_at, struct transcript *t)
{
    memset(t, 0, sizeof *t);
    t->opts = opts;
    t->stop_at = stop_at;
    struct csv_parser *p = csv_new(opts, on_record, t);
    struct err e = {0, ""};
    int rc = 0;
    size_t off = 0;
    if (step == 0)
        step = size ? size : 1;
    while (rc == 0 && off < size) {
        size_t n = size - off < step ? size - off : step;
        rc = csv_feed(p, data + off, n, &e);
        off += n;
    }
    if (rc == 0) {
        FUZZ_CHECK(csv_bytes(p) == size, "csv_bytes %llu of %zu", (unsigned long long)csv_bytes(p),
                   size);
        rc = csv_finish(p, &e);
    }
    if (rc == 0 && t->records > 0)
        FUZZ_CHECK(csv_delimiter(p) != 0, "records but no delimiter");
    if (rc == STOP_CODE)
        buf_puts(&t->text, "stopped by the callback\n");
    else if (rc < 0) {
        FUZZ_CHECK(rc == ERR_INPUT || rc == ERR_LIMIT, "unexpected code %d", rc);
        FUZZ_CHECK(e.code == rc && e.msg[0], "code %d but e.code %d msg \"%s\"", rc, e.code, e.msg);
        buf_printf(&t->text, "error %d: %s\n", rc, e.msg);
    } else {
        buf_printf(&t->text, "ok, delimiter %d\n", csv_delimiter(p));
    }
    t->delimiter = csv_delimiter(p);
    csv_free(p);
    return rc;
}

/* The records of a successful parse, written back with csv_write_field (guarded: with
 * csv_write_text, read with unguard_text) and read again (keeping blank records, with the
 * delimiter forced), give the same fields. */
static void check_rewrite(const struct csv_opts *opts, const char *data, size_t size, int guarded)
{
    struct buf rewrite = BUF_INIT;
    struct transcript first, second;
    /* The delimiter is known only once the first record is parsed: parse to learn it. */
    if (run(opts, data, size, 0, UINT64_MAX, &first) != 0 || first.delimiter == 0) {
        buf_release(&first.text);
        buf_release(&first.fields);
        return;
    }
    char delim = first.delimiter;
    buf_release(&first.text);
    buf_release(&first.fields);
    struct transcript writer;
    memset(&writer, 0, sizeof writer);
    writer.opts = opts;
    writer.stop_at = UINT64_MAX;
    writer.rewrite = &rewrite;
    writer.rewrite_delim = delim;
    writer.rewrite_guarded = guarded;
    struct csv_parser *p = csv_new(opts, on_record, &writer);
    struct err e;
    int rc = csv_feed(p, data, size, &e);
    if (rc == 0)
        rc = csv_finish(p, &e);
    csv_free(p);
    FUZZ_CHECK(rc == 0, "second parse failed: %s", e.msg);

    struct csv_opts again = {delim, 0, 0, 1, "rewrite", guarded};
    /* a guard adds one byte to a field */
    again.max_field_bytes = (opts->max_field_bytes ? opts->max_field_bytes : (size_t)1 << 20) + 1;
    rc = run(&again, rewrite.data ? rewrite.data : "", rewrite.len, 0, UINT64_MAX, &second);
    if (rc != 0)
        fprintf(stderr, "rewritten CSV:\n%s\n", buf_cstr(&rewrite));
    FUZZ_CHECK(rc == 0, "the rewritten records do not parse: %s", buf_cstr(&second.text));
    if (!(writer.fields.len == second.fields.len &&
          memcmp(buf_cstr(&writer.fields), buf_cstr(&second.fields), writer.fields.len) == 0)) {
        fprintf(stderr, "rewritten CSV:\n%s\n", buf_cstr(&rewrite));
        fuzz_same(&writer.fields, &second.fields,
                  guarded ? "fields before and after csv_write_text"
                          : "fields before and after csv_write_field");
    }
    buf_release(&writer.text);
    buf_release(&writer.fields);
    buf_release(&second.text);
    buf_release(&second.fields);
    buf_release(&rewrite);
}

int LLVMFuzzerTestOneInput(const uint8_t *udata, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *udata, size_t size)
{
    unsigned o = fuzz_take_byte(&udata, &size);
    const char *data = (const char *)udata;
    static const char delimiters[4] = {0, ',', ';', '\t'};
    struct csv_opts opts = {
        .delimiter = delimiters[o & 3], .keep_blank_records = (o >> 2) & 1, .name = "fuzz.csv"};
    if (o & 0x08) { /* small limits, so the limit paths run */
        opts.max_field_bytes = 16;
        opts.max_fields = 8;
    }
    uint64_t stop_at = (o & 0x10) ? (uint64_t)(o >> 5) : UINT64_MAX;

    struct transcript whole, bytewise, split;
    run(&opts, data, size, 0, stop_at, &whole);
    run(&opts, data, size, 1, stop_at, &bytewise);
    fuzz_same(&whole.text, &bytewise.text, "one chunk and byte-by-byte transcripts");
    if (size > 2) {
        run(&opts, data, size, size / 2 + 1, stop_at, &split);
        fuzz_same(&whole.text, &split.text, "one chunk and two chunks transcripts");
        buf_release(&split.text);
        buf_release(&split.fields);
    }
    buf_release(&whole.text);
    buf_release(&whole.fields);
    buf_release(&bytewise.text);
    buf_release(&bytewise.fields);
    if (stop_at == UINT64_MAX) {
        check_rewrite(&opts, data, size, 0);
        check_rewrite(&opts, data, size, 1);
    }
    return 0;
}
