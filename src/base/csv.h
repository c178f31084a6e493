/* csv.h — streaming RFC 4180 push parser and CSV field writer.
 * Feed it bytes in chunks of any size; it calls back once per record with the fields.
 * Handles quoting, doubled quotes, line breaks inside quotes, CRLF/LF/CR, a UTF-8 BOM,
 * and detects the delimiter (comma, semicolon or tab) from the first record.
 * Memory is bounded by the largest record (capped by max_field_bytes/max_fields),
 * never by the file. Calls only buf and err. */
#ifndef INFLUDASH_CSV_H
#define INFLUDASH_CSV_H

#include <stddef.h>
#include <stdint.h>

#include "buf.h"
#include "err.h"

struct csv_field {
    const char *data; /* not NUL-terminated in general; valid only during the callback */
    size_t len;
    int quoted; /* the field was written in quotes */
};

struct csv_record {
    const struct csv_field *fields;
    size_t nfields;
    uint64_t line;   /* physical line (1-based) where the record starts */
    uint64_t index;  /* 0 for the first record (the header), 1 for the next, ... */
    uint64_t offset; /* byte offset in the input where the record starts */
};

/* Returns 0 to go on, a negative value to stop: csv_feed then returns that value. */
typedef int (*csv_record_fn)(void *ctx, const struct csv_record *rec);

struct csv_opts {
    char delimiter;         /* 0: detect from the first record (',' ';' '\t') */
    size_t max_field_bytes; /* 0: default 1 MiB */
    size_t max_fields;      /* 0: default 4096 */
    int keep_blank_records; /* 0: records with only empty unquoted fields are skipped */
    const char *name;       /* file name used in error messages; may be NULL */
    int unguard_text;       /* 1: a field that starts with csv_write_text's guard (an
                               apostrophe before = + - @ tab CR or another apostrophe,
                               csv_text_guarded) is handed over without it */
};

struct csv_parser;

struct csv_parser *csv_new(const struct csv_opts *opts, csv_record_fn fn, void *ctx);
void csv_free(struct csv_parser *p);
/* Parses len bytes. On a syntax or limit error returns ERR_INPUT/ERR_LIMIT with a
 * message "NAME:LINE:COLUMN: reason" (column = 1-based field number); the parser is then
 * unusable. A negative return from the callback is passed through unchanged. */
int csv_feed(struct csv_parser *p, const char *data, size_t len, struct err *e);
/* Ends the input: flushes a last record without a line break; an open quote is an error. */
int csv_finish(struct csv_parser *p, struct err *e);
/* The delimiter in use (0 before it has been detected). */
char csv_delimiter(const struct csv_parser *p);
/* Bytes consumed so far. */
uint64_t csv_bytes(const struct csv_parser *p);

/* Appends one field to out, quoted when it holds the delimiter, a quote, CR or LF,
 * or leading/trailing spaces (or begins with a UTF-8 BOM, which a reader would strip from
 * a file's first field). For a capped buffer: write to &c->b, then cbuf_fits, which
 * leaves it as it was when the field passed the cap. */
void csv_write_field(struct buf *out, const char *s, size_t len, char delimiter);

/* A text cell for a file that spreadsheets open (OWASP "CSV Injection"): a value a
 * spreadsheet would run as a formula — one that starts with = + - @ tab or CR and is not a
 * plain decimal number such as -5 or +1.5e3 — is written as a quoted field with an
 * apostrophe in front, "'=1+1". So that the guard can be taken off again without
 * ambiguity, a value that itself starts with an apostrophe followed by one of those
 * characters or by another apostrophe gets one more apostrophe ("'=x" is written "''=x").
 * Anything else is csv_write_field. Reading with csv_opts.unguard_text gives back exactly
 * the value written. */
void csv_write_text(struct buf *out, const char *s, size_t len, char delimiter);
/* Whether a field as read starts with the guard of csv_write_text: an apostrophe followed
 * by = + - @ tab CR or an apostrophe. */
int csv_text_guarded(const char *s, size_t len);

#endif
