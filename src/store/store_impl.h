/* store_impl.h — private to the store: the vtable each backend fills in, and the backends'
 * open functions. store.c dispatches through it; store_sqlite.c and store_pg.c implement
 * it, on top of the SQL they share (store_sql.h). Nothing outside src/store/ includes this
 * header. */
#ifndef INFLUDASH_STORE_IMPL_H
#define INFLUDASH_STORE_IMPL_H

#include "store.h"

/* One backend's implementation of every store.h function after store_open. The contracts
 * are store.h's; store.c has already checked the arguments it can (dataset in range,
 * non-NULL outputs). */
struct store_ops {
    const char *backend; /* "sqlite", "postgresql" */
    void (*close)(struct store *s);
    int (*schema_version)(struct store *s, int *version, struct err *e);
    int (*begin)(struct store *s, struct err *e);
    /* Optional: store_begin_bulk (NULL: begin). */
    int (*begin_bulk)(struct store *s, struct err *e);
    int (*commit)(struct store *s, struct err *e);
    void (*rollback)(struct store *s);
    int (*clear)(struct store *s, enum dataset ds, struct err *e);
    int (*put)(struct store *s, const struct schema_row *row, struct err *e);
    /* Optional: many rows at once (store.c falls back to put). */
    int (*put_many)(struct store *s, const struct schema_row *rows, size_t n, struct err *e);
    int (*count)(struct store *s, enum dataset ds, int64_t *n, struct err *e);
    int (*scan)(struct store *s, enum dataset ds, store_row_fn fn, void *ctx, struct err *e);
    int (*scan_part)(struct store *s, enum dataset ds, int part, int nparts, uint64_t columns,
                     store_row_fn fn, void *ctx, struct err *e);
    /* Optional (NULL: no row numbers): store_last_seq and store_scan_after. */
    int (*last_seq)(struct store *s, enum dataset ds, int64_t *seq, struct err *e);
    int (*scan_after)(struct store *s, enum dataset ds, int64_t seq, uint64_t columns,
                      store_row_fn fn, void *ctx, struct err *e);
    int (*read_begin)(struct store *s, struct err *e);
    int (*data_version)(struct store *s, int64_t *version, struct err *e);
    int (*data_stamp)(struct store *s, struct store_stamp *out, struct err *e);
    /* Optional: blocks until another connection commits or timeout_ms pass; 1 when a
     * commit was announced, 0 otherwise (NULL: the backend cannot announce commits). */
    int (*wait_change)(struct store *s, int timeout_ms);
    /* Optional (NULL: nothing to check): store_check_file. Thread-safe. */
    int (*check_file)(struct store *s, struct err *e);
    int (*each_key)(struct store *s, enum dataset ds, store_key_fn fn, void *ctx, struct err *e);
    int (*extra_keys)(struct store *s, enum dataset ds, char ***keys, size_t *n, struct err *e);
    /* store_sql; what names the statement in error messages ("reading the import log").
     * The import and audit logs (store_sql.c) go through it too. */
    int (*sql)(struct store *s, const char *sql, int nparams, const char *const *params,
               store_sql_row_fn fn, void *ctx, const char *what, struct err *e);
};

/* The part every backend's handle starts with: backends embed it as their first member
 * and cast back. */
struct store {
    const struct store_ops *ops;
    const char *location; /* owned by the backend; no credentials */
};

/* Opens (creating when needed) the SQLite database at path and brings its schema up to
 * date. On success *out is a new store that store_close frees. */
int store_sqlite_open(const char *path, struct store **out, struct err *e);
/* The same for an installation part's file (store_open_part): without create, a missing
 * file is ERR_NOTFOUND. */
int store_sqlite_open_part(const char *path, int create, struct store **out, struct err *e);

/* Connects to the PostgreSQL database of a postgresql:// or postgres:// URL (libpq's
 * syntax) and brings its schema up to date. On success *out is a new store that
 * store_close frees; store_location is the URL without its password. */
int store_pg_open(const char *url, struct store **out, struct err *e);
/* The same for a URL whose search_path names the schema `schema` (a plain identifier;
 * store_part_url): created when missing if create, else ERR_NOTFOUND. */
int store_pg_open_schema(const char *url, const char *schema, int create, struct store **out,
                         struct err *e);
/* Drops the schema and everything in it (no error when it is absent). */
int store_pg_drop_schema(const char *url, const char *schema, struct err *e);

#endif
