/* store.h — persistent storage of the four datasets behind one interface: SQLite
 * (store_sqlite.c) and PostgreSQL (store_pg.c). Raw rows are the source of truth.
 * Schema follows schema.h: one table per dataset, its canonical columns plus `extra`
 * (JSON text), versioned by migrations. Writes happen inside store_begin/store_commit:
 * an import applies whole or not at all. A store is used by one thread at a time. */
#ifndef INFLUDASH_STORE_H
#define INFLUDASH_STORE_H

#include <stddef.h>
#include <stdint.h>

#include "err.h"
#include "schema.h"

struct store;

struct store_import_log {
    int64_t id;
    char dataset[32];
    char file[256];
    char mode[16]; /* "append" | "replace" */
    int64_t accepted;
    int64_t rejected;
    int64_t started_at; /* unix seconds */
    int64_t finished_at;
};

/* url: "sqlite:PATH", "sqlite://PATH", a plain path, or a "postgresql://" / "postgres://"
 * URL (libpq's syntax). Creates the database and runs the
 * migrations when needed. */
int store_open(const char *url, struct store **out, struct err *e);
/* The database of one part of an installation beside the main one, named by part: "accounts"
 * (users, sessions, workspaces) or "ws-SLUG" (a workspace's data; part is lower-case letters,
 * digits and '-'). SQLite: a file beside the main one ("data.db" → "data-ws-acme.db");
 * PostgreSQL: the schema "infludash_ws_acme" of the same database. Without create, a part
 * that does not exist yet is ERR_NOTFOUND (and nothing is created). */
int store_open_part(const char *url, const char *part, int create, struct store **out,
                    struct err *e);
/* The URL that store_open takes to reach an existing part: "sqlite:data-ws-acme.db", or
 * the PostgreSQL URL with the part's schema as its search_path. Appended to out. */
struct buf;
void store_part_url(const char *url, const char *part, struct buf *out);
/* Removes a part's database for good: its file (SQLite, with its -wal, -shm and .engine) or its
 * schema (PostgreSQL). A part that does not exist is not an error. */
int store_drop_part(const char *url, const char *part, struct err *e);
void store_close(struct store *s);
const char *store_backend(const struct store *s); /* "sqlite" | "postgresql" */
/* The database location without credentials, for status output. */
const char *store_location(const struct store *s);
int store_schema_version(struct store *s, int *version, struct err *e);

int store_begin(struct store *s, struct err *e);
/* store_begin for a bulk import that may have the database to itself (the command line's
 * import): when no dataset holds a row and no other connection has the database open, the
 * SQLite backend writes this transaction straight into the database file under a rollback
 * journal, instead of into the WAL and then again into the file by a checkpoint, and goes
 * back to WAL at its end (commit or rollback). Other processes opening the database
 * meanwhile wait for the import. Otherwise, and with PostgreSQL, it is store_begin. */
int store_begin_bulk(struct store *s, struct err *e);
int store_commit(struct store *s, struct err *e);
void store_rollback(struct store *s);

/* Within a transaction: removes every row of a dataset (replace mode). */
int store_clear(struct store *s, enum dataset ds, struct err *e);
/* Within a transaction: inserts a row, or replaces the stored row with the same key. */
int store_put(struct store *s, const struct schema_row *row, struct err *e);
/* Within a transaction: store_put of each row in order, faster for bulk loads. On an
 * error the rows before the failing one may be stored (the transaction decides). */
int store_put_many(struct store *s, const struct schema_row *rows, size_t n, struct err *e);

/* A read-only transaction: every read until store_rollback sees one snapshot of the
 * database, whatever other connections commit meanwhile. */
int store_read_begin(struct store *s, struct err *e);
/* A number that changes whenever the stored data may have changed (a commit through any
 * connection); compare two readings, never interpret one. */
int store_data_version(struct store *s, int64_t *version, struct err *e);
/* The stamp of the stored datasets: id, random per database (made with it), and version, a
 * count that every commit changing a dataset (store_clear, store_put, store_put_many) moves
 * up in its own transaction. Unlike store_data_version it survives restarts and means the
 * same on every connection: two readings with equal stamps saw the same rows (what the
 * engine's cache beside the database is checked against). Not within a write transaction. */
struct store_stamp {
    int64_t id, version;
    /* The version of the newest commit that replaced or removed stored tracking rows
     * (store_clear, or store_put over a stored key), 0 for none since schema version 6: a
     * reading at version v and a later one whose rewritten is at most v differ by appended
     * tracking rows only (those after store_last_seq's of the first), and by anything of the
     * other datasets. PostgreSQL does not tell the two apart: its rewritten is its version. */
    int64_t rewritten;
};
int store_data_stamp(struct store *s, struct store_stamp *out, struct err *e);
/* Waits up to timeout_ms for another connection's commit to be announced (PostgreSQL:
 * LISTEN/NOTIFY): 1 when one was, 0 when the time passed, -1 when the backend cannot
 * announce commits (SQLite: poll store_data_version instead). Not within a transaction. */
int store_wait_change(struct store *s, int timeout_ms);
/* Whether the database this store opened is still the one its location names: 0, or
 * ERR_STORE ("the database file PATH was deleted or replaced while the server ran; restart
 * the server") when the SQLite file at that path is gone or is another file (device and
 * inode differ from the ones it had at the open): writes through this store would then go
 * to a file nobody can open again, and new connections would make or read another one.
 * It reads only what the open recorded and the file system, so unlike the other calls it
 * may run while another thread uses the store. PostgreSQL: always 0. */
int store_check_file(struct store *s, struct err *e);

int store_count(struct store *s, enum dataset ds, int64_t *n, struct err *e);
/* Calls fn for each stored row in insertion order; a negative return stops the scan and
 * is returned. The row is valid only during the call. */
typedef int (*store_row_fn)(void *ctx, const struct schema_row *row);
int store_scan(struct store *s, enum dataset ds, store_row_fn fn, void *ctx, struct err *e);
/* store_scan of one part of the rows and some of the columns: the parts 0..nparts-1
 * together are every row, each once, and part k's rows come before part k+1's in insertion
 * order (for reading one dataset on several connections at once). columns has bit i set
 * for each canonical column i to read and bit ncols for `extra`; the rest are absent from
 * the rows. 0 reads every column. */
int store_scan_part(struct store *s, enum dataset ds, int part, int nparts, uint64_t columns,
                    store_row_fn fn, void *ctx, struct err *e);
/* The highest row number (SQLite's rowid, in insertion order) of a dataset's stored rows, 0
 * when it has none; -1 when the backend has no such number (PostgreSQL). */
int store_last_seq(struct store *s, enum dataset ds, int64_t *seq, struct err *e);
/* store_scan_part of the rows after row number seq (store_last_seq), in insertion order;
 * ERR_STORE on a backend without row numbers. */
int store_scan_after(struct store *s, enum dataset ds, int64_t seq, uint64_t columns,
                     store_row_fn fn, void *ctx, struct err *e);
/* Calls fn with each stored key (influencer_id, post_id, ...). */
typedef int (*store_key_fn)(void *ctx, const char *key, size_t len);
int store_each_key(struct store *s, enum dataset ds, store_key_fn fn, void *ctx, struct err *e);
/* The distinct keys used in the `extra` JSON of a dataset, sorted; caller frees each
 * string and the array. */
int store_extra_keys(struct store *s, enum dataset ds, char ***keys, size_t *n, struct err *e);

/* One statement over the installation's own tables (users, sessions, workspaces, members,
 * audit; schema version 2): portable SQL with `?` placeholders bound, in order, to the text
 * params (a NULL param is SQL NULL). fn, when given, gets each result row's column texts
 * (NULL for SQL NULL), valid during the call; a negative return stops and is returned.
 * Returns the number of rows an INSERT, UPDATE or DELETE changed (0 for other statements),
 * or a negative error. Inside store_begin/store_commit or on its own (autocommit). */
typedef int (*store_sql_row_fn)(void *ctx, int ncols, const char *const *vals);
int store_sql(struct store *s, const char *sql, int nparams, const char *const *params,
              store_sql_row_fn fn, void *ctx, struct err *e);

/* The audit log (schema version 2): who changed what, when. Data changes are recorded in
 * their workspace's database within the change's own transaction; user and workspace
 * changes in the accounts database. */
struct store_audit {
    int64_t id;
    int64_t at; /* unix seconds */
    char actor[80];
    char action[32]; /* "import", "delete", "demo", "user.add", "workspace.del", ... */
    char workspace[40];
    char target[160];
    char detail[512];
};
/* Appends an entry stamped now (inside store_begin/store_commit, or on its own). */
int store_audit_add(struct store *s, const char *actor, const char *action, const char *workspace,
                    const char *target, const char *detail, struct err *e);
enum store_audit_scope {
    STORE_AUDIT_ALL,
    STORE_AUDIT_DATA,     /* imports, deletions, sample data */
    STORE_AUDIT_ACCOUNTS, /* user.* and workspace.* */
};
/* Newest first, at most limit entries (0: all); fn's negative return stops and is returned. */
typedef int (*store_audit_fn)(void *ctx, const struct store_audit *a);
int store_audit_list(struct store *s, enum store_audit_scope scope, size_t limit, store_audit_fn fn,
                     void *ctx, struct err *e);

int store_log_import(struct store *s, const struct store_import_log *log, struct err *e);
/* Newest first, at most max entries; returns how many were filled in *n. */
int store_recent_imports(struct store *s, struct store_import_log *out, size_t max, size_t *n,
                         struct err *e);

/* ---- sources, scheduled reports and their runs (schema version 3, SPEC §9) ----------
 * They live in the installation's main database (the one --db names), each naming the
 * workspace its data goes to. Strings are malloc'd (release with the _release function);
 * an absent text is "". Tokens and SMTP passwords are stored only sealed (secret.h): the
 * store never sees a plaintext. */
struct store_source {
    char *name, *kind, *dataset, *influencer, *account, *url, *dir, *base_url;
    char *token;                /* sealed, or "" when none */
    int64_t token_added_at;     /* unix seconds; 0 when no token */
    char *schedule;             /* canonical --every text, or "" when only synced by hand */
    char *etag, *last_modified; /* url: what the last imported answer said */
    char *workspace;
    int64_t added_at;
    int64_t last_due; /* the due instant last claimed by a scheduler (store_job_claim) */
};
void store_source_release(struct store_source *src);

struct store_report {
    char *name, *format, *filters; /* filters: the canonical query string (filter.h) */
    char *compare, *period, *schedule;
    char *to_dir, *mail_to, *smtp_url, *smtp_user;
    char *smtp_password; /* sealed, or "" */
    char *mail_from, *workspace;
    int64_t added_at, last_due;
};
void store_report_release(struct store_report *r);

/* Adds the source, or replaces the definition of the one with its name (keeping added_at
 * and last_due; the url's remembered etag and last_modified are forgotten). */
int store_source_put(struct store *s, const struct store_source *src, struct err *e);
/* The source named name into *out (to release); ERR_NOTFOUND naming it when none. */
int store_source_get(struct store *s, const char *name, struct store_source *out, struct err *e);
/* Calls fn with each source by name (workspace NULL: all); fn's negative return stops. */
typedef int (*store_source_fn)(void *ctx, const struct store_source *src);
int store_source_list(struct store *s, const char *workspace, store_source_fn fn, void *ctx,
                      struct err *e);
/* Removes the source and its runs: 1 when it existed, 0 when not. */
int store_source_del(struct store *s, const char *name, struct err *e);
/* Remembers a url source's ETag and Last-Modified (NULL: "") for its next run. */
int store_source_set_state(struct store *s, const char *name, const char *etag,
                           const char *last_modified, struct err *e);

int store_report_put(struct store *s, const struct store_report *r, struct err *e);
int store_report_get(struct store *s, const char *name, struct store_report *out, struct err *e);
typedef int (*store_report_fn)(void *ctx, const struct store_report *r);
int store_report_list(struct store *s, const char *workspace, store_report_fn fn, void *ctx,
                      struct err *e);
int store_report_del(struct store *s, const char *name, struct err *e);

/* A scheduled job: a source's sync or a report. */
enum store_job { STORE_JOB_SOURCE, STORE_JOB_REPORT };
/* Claims the run of job `name` due at due_at: 1 when this caller won it (last_due was
 * before due_at and is now due_at), 0 when another scheduler (a second server on the same
 * database) already claimed that run or the job is gone. One UPDATE, so two servers racing
 * on one PostgreSQL database never both win. */
int store_job_claim(struct store *s, enum store_job job, const char *name, int64_t due_at,
                    struct err *e);

/* One run of a job (SPEC §9: start, end, rows, result and error). */
struct store_run {
    int64_t id;
    enum store_job job;
    char name[80];
    char workspace[40];
    int64_t started_at, finished_at;
    int64_t rows;
    char result[16];  /* "ok", "unchanged", "failed" */
    char error[1024]; /* what a person can act on; "" when ok */
    char detail[512]; /* what was done: files imported, where a report went */
};
/* Appends a run (its id is ignored; runs are numbered by the store). */
int store_run_add(struct store *s, const struct store_run *run, struct err *e);
/* The job's runs, newest first, at most limit (0: all); name NULL: every job of that kind. */
typedef int (*store_run_fn)(void *ctx, const struct store_run *run);
int store_run_list(struct store *s, enum store_job job, const char *name, size_t limit,
                   store_run_fn fn, void *ctx, struct err *e);

#endif
