/* ingest.h — importing files into the store (SPEC §2). An import is one transaction over
 * one or more files: it applies whole or not at all. Files are pushed in chunks (from
 * disk by ingest_files, or from an HTTP upload as it streams in); CSV and JSON arrays are
 * recognised from the content. Every rejected row is reported as
 * `file:line: column: "value": reason`; rows that refer to unknown influencers are
 * warnings. Calls csv, jsonrows, schema, store, strmap. */
#ifndef INFLUDASH_INGEST_H
#define INFLUDASH_INGEST_H

#include <stddef.h>
#include <stdint.h>

#include "err.h"
#include "schema.h"
#include "store.h"

struct ingest_limits {
    uint64_t max_file_bytes; /* default 8 GiB */
    uint64_t max_rows;       /* per file; default 200 million */
    size_t max_field_bytes;  /* default 1 MiB: also bounds a line's field */
    size_t max_fields;       /* default 4096 */
};

struct ingest_opts {
    enum dataset dataset;     /* DS_NONE: recognise each file from its name and header */
    int replace;              /* 0: append (upsert by id); 1: replace the dataset */
    int skip_invalid;         /* import the valid rows, report the rest */
    const char *rejects_path; /* write rejected records here as CSV (NULL: no file) */
    int progress;             /* draw a progress bar on stderr */
    size_t max_reported;      /* issues kept in the result; default 100 */
    struct ingest_limits limits;
    const struct schema_config *cfg; /* NULL: defaults */
    /* When set, each file's import is written to the audit log (store_audit_add) in the
     * import's own transaction, by this actor, in this workspace. */
    const char *audit_actor;
    const char *audit_workspace;
    /* The import may have the database to itself (the command line's): its transaction
     * begins with store_begin_bulk. */
    int bulk;
    /* When set, called with each batch of rows once store_put_many stored it, in the order
     * stored, on a thread of its own (the rows stay valid during the call; one call at a
     * time; every batch handed over has been taken when a file ends and before the
     * commit): what a caller builds from the stored rows (the engine file of `infludash
     * import`) is made while the import runs. cleared is called (on the caller's thread,
     * between batches) after a dataset's stored rows were removed (replace mode). */
    void (*stored)(void *ctx, const struct schema_row *rows, size_t n);
    void (*cleared)(void *ctx, enum dataset ds);
    void *stored_ctx;
};

void ingest_opts_default(struct ingest_opts *o);

struct ingest_issue {
    char file[256];
    uint64_t line;
    char column[128];
    char value[256];
    char message[256];
    int warning; /* 1: the row was kept */
};

struct ingest_file_result {
    char file[256];
    enum dataset ds;
    int64_t accepted;
    int64_t rejected;
    int64_t warnings;
};

struct ingest_result {
    struct ingest_file_result *files;
    size_t nfiles;
    struct ingest_issue *issues; /* first max_reported issues, errors and warnings in order */
    size_t nissues;
    int64_t accepted, rejected, warnings;
    int committed; /* 1: the rows are in the store */
};

void ingest_result_release(struct ingest_result *r);
/* Formats one issue the way the CLI prints it. */
void ingest_issue_format(const struct ingest_issue *is, struct buf *out);

struct ingest;

/* Starts an import (opens the transaction). */
struct ingest *ingest_new(struct store *s, const struct ingest_opts *opts, struct err *e);
/* Begins a file: name is used in messages; ds DS_NONE lets the header decide.
 * size_hint (0 if unknown) drives the progress bar. */
int ingest_file_begin(struct ingest *in, const char *name, enum dataset ds, uint64_t size_hint,
                      struct err *e);
int ingest_feed(struct ingest *in, const char *data, size_t len, struct err *e);
int ingest_file_end(struct ingest *in, struct err *e);
/* Commits when everything asked can be imported, else rolls back. Returns 0 only when
 * committed; ERR_INPUT when rows were rejected in strict mode (nothing imported). */
int ingest_finish(struct ingest *in, struct ingest_result *res, struct err *e);
/* Rolls back if not finished, and frees. */
void ingest_free(struct ingest *in);
/* The data rows of the open file read so far (0 between files), for progress reports; *ds
 * (when not NULL) gets its dataset, DS_NONE until its header is read. */
uint64_t ingest_rows_read(const struct ingest *in, enum dataset *ds);

/* Imports files from disk, influencers first so references can be checked. */
int ingest_files(struct store *s, const char *const *paths, size_t n, const struct ingest_opts *o,
                 struct ingest_result *res, struct err *e);

/* Peeks at a file's start to tell its dataset (DS_NONE with e when it cannot). */
enum dataset ingest_detect_file(const char *path, struct err *e);

#endif
