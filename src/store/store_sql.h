/* store_sql.h — the SQL that both store backends share (store_sql.c), one level below them:
 * quoted names and column lists, the migration driver and the schema version it reads, the
 * list of a dataset's extra keys, text cut into fixed fields, and the import log and the
 * audit log, written and read through each backend's store_ops.sql. The backends supply what
 * differs (their DDL, their catalog queries, how they lock out a second migrator). Private
 * to src/store/: store_sqlite.c and store_pg.c call it; it calls no backend by name. */
#ifndef INFLUDASH_STORE_SQL_H
#define INFLUDASH_STORE_SQL_H

#include <stddef.h>
#include <stdint.h>

#include "buf.h"
#include "store_impl.h"

/* The newest schema version this build knows; every backend migrates up to it. */
#define STORE_SCHEMA_VERSION 7

/* At most this many distinct keys in a dataset's extra JSON are listed (store_extra_keys). */
#define STORE_EXTRA_KEYS_MAX 100000

/* ---- names and column lists ---- */

/* A quoted table or column name (names come from schema.c, never from input). */
void store_sql_ident(struct buf *b, const char *name);
/* The index of a dataset's key column. */
int store_key_col(const struct schema_dataset *d);
/* A dataset's columns as "c1","c2",…,"extra". */
void store_sql_columns(struct buf *b, const struct schema_dataset *d);

/* Version 2's tables that both backends create with the same SQL (the installation's
 * accounts; the audit table differs by its id column and is each backend's own). */
extern const char *const store_accounts_ddl[];
/* Version 3's tables of sources and scheduled reports (store_jobs.c); the runs table differs
 * by its id column and is each backend's own, like audit. */
extern const char *const store_jobs_ddl[];
/* The columns of the runs table after its id. */
#define STORE_RUNS_COLUMNS                                                                         \
    "job TEXT NOT NULL, name TEXT NOT NULL, workspace TEXT NOT NULL, "                             \
    "started_at BIGINT NOT NULL, finished_at BIGINT NOT NULL, nrows BIGINT NOT NULL, "             \
    "result TEXT NOT NULL, error TEXT NOT NULL, detail TEXT NOT NULL"

/* ---- migrations ---- */

typedef int (*store_migration_fn)(struct store *s, struct err *e);

/* What a backend gives the migration driver. Every function takes the backend's handle as
 * its struct store. */
struct store_dialect {
    /* Statements without parameters or rows (DDL, transaction control). */
    int (*exec)(struct store *s, const char *sql, struct err *e, const char *what);
    /* A query that yields one integer. */
    int (*query_int)(struct store *s, const char *sql, int64_t *out, struct err *e,
                     const char *what);
    /* Starts the migration's transaction so that a second process migrating at the same time
     * waits for it. */
    int (*begin_migration)(struct store *s, struct err *e);
    /* Rolls the migration's transaction back, when one is open. */
    void (*abort_migration)(struct store *s);
    /* Inserts schema_migrations' row for version, stamped now. */
    int (*record_migration)(struct store *s, int version, struct err *e);
    /* One integer each: whether schema_migrations exists, and how many tables there are. */
    const char *has_migrations_sql;
    const char *count_tables_sql;
    /* After "LOCATION: ": what a database with tables but no schema_migrations is, and what
     * to do ("an SQLite database, but not an infludash one ...; point --db at ..."). */
    const char *not_ours;
    /* migrations[v - 1] brings a database from version v - 1 to v. Append only: a migration
     * that has shipped is never edited. */
    store_migration_fn migrations[STORE_SCHEMA_VERSION];
};

/* The newest applied migration, 0 for a new (empty) database. A database with tables but no
 * schema_migrations belongs to something else and is refused (ERR_STORE) rather than
 * altered. */
int store_sql_applied_version(struct store *s, const struct store_dialect *d, int *version,
                              struct err *e);
/* Applies the migrations the database lacks, all in one transaction (begin_migration): a
 * failure leaves the database as it was. An up-to-date database is only read, so opening
 * one that another process is writing to does not wait for it. A database newer than this
 * build is refused. */
int store_sql_migrate(struct store *s, const struct store_dialect *d, struct err *e);

/* ---- the keys of extra ---- */

/* The array store_extra_keys hands out, grown as pointers in a capped buffer
 * (STORE_EXTRA_KEYS_MAX of them: the keys come from the data). */
struct store_key_list {
    struct cbuf list;
    size_t count;
};
void store_key_list_init(struct store_key_list *kl);
/* A store_key_fn: appends a copy of key; ERR_LIMIT past the cap. */
int store_key_list_add(void *ctx, const char *key, size_t len);
/* Ends the listing whose result was rc: on success hands the array to *keys and *n (both
 * left alone when no key was found); on failure frees it, with ERR_LIMIT worded as "more
 * than N distinct extra columns" of what. Returns rc (ERR_LIMIT replaced by e's code). */
int store_key_list_finish(struct store_key_list *kl, int rc, const char *location, const char *what,
                          char ***keys, size_t *n, struct err *e);

/* ---- fixed fields ---- */

/* Copies len bytes of src (NULL: none) into dst of size bytes, NUL-terminated and cut at a
 * UTF-8 character boundary when too long. */
void store_copy_field(char *dst, size_t size, const char *src, size_t len);

#endif
