/* store_sqlite.c — the SQLite backend of the store (see store.h, store_impl.h): one database
 * file in WAL mode, tables generated from schema.h's dataset definitions by versioned
 * migrations, a cached upsert statement per dataset, and bulk inserts that read a batch
 * of rows through a virtual table (rows_module) for fast imports, the first of them syncing
 * the file from a thread of their own as they go (bulk_syncer). Calls sqlite3, store_sql,
 * store_jobs (the DDL of version 3), schema (dataset tables, row setters), buf and err. */
#include "store_sql.h"

#include <assert.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <pthread.h>
#include <sqlite3.h>
#include <stdbool.h>
#include <sys/stat.h>
#include <sys/statvfs.h>

#include "buf.h"

#include "banned.h"

#define BUSY_TIMEOUT_MS 5000
/* Statements of store_sql kept prepared. */
#define SQL_CACHE 16

struct bulk_syncer;

struct store_sqlite {
    struct store base; /* first: store.c sees only this */
    sqlite3 *db;
    char *path;
    /* The file's identity right after the open (store_check_file); set once, then only
     * read, from any thread. */
    dev_t dev;
    ino_t ino;
    sqlite3_stmt *put[DS_COUNT];      /* upsert per dataset, prepared on first use */
    sqlite3_stmt *put_many[DS_COUNT]; /* INSERT OR IGNORE of rows read from rows_module */
    int rows_module_on;               /* rows_module is registered on db */
    uint64_t int_cols[DS_COUNT];      /* bit i: column i is stored as an integer */
    int put_many_backoff;             /* groups left to put one row at a time */
    /* The open write transaction changed a dataset (store_clear, store_put, store_put_many):
     * its commit counts the data version up (sqlite_commit). */
    int data_changed;
    /* In sqlite_commit: a checkpoint the commit called for waits until the page cache is
     * given back (wal_hook). */
    int in_commit, checkpoint_due;
    /* ... and replaced or removed stored tracking rows (sqlite_clear, sqlite_put over a
     * stored key): its commit records its version as data_version.rewritten. */
    int tracking_rewritten;
    /* The open write transaction runs under a rollback journal (sqlite_begin_bulk): its end
     * puts the database back into WAL mode. */
    int bulk;
    /* PRAGMA secure_delete as the connection opened with, put back after a bulk import. */
    int secure_delete;
    /* During a bulk import on Linux: SQLite's own descriptor of the database file (never
     * closed here), the rows stored since the file's pages were last sent to the disk, and
     * the file's size then (start_writeback). */
    int bulk_fd;
    int64_t bulk_rows;
    int64_t bulk_sent;
    int64_t bulk_looks; /* start_writeback's looks, for its flushes */
    /* Syncs the file, or the WAL, meanwhile (start_writeback, wal_writeback); may be NULL. */
    struct bulk_syncer *syncer;
    /* store_sql's statements, kept prepared by their text (a signed-in request runs the
     * same few on every call); replaced round robin. */
    struct {
        char *sql;
        sqlite3_stmt *stmt;
        int busy; /* in use by a call further up the stack */
    } sql_cache[SQL_CACHE];
    int sql_cache_next;
};

static struct store_sqlite *from_base(struct store *base)
{
    return (struct store_sqlite *)base;
}

/* What a failure means and what to do, for the codes a user can act on; NULL for the rest,
 * which are reported with SQLite's own message. */
static const char *explain(int rc)
{
    switch (rc & 0xff) {
    case SQLITE_BUSY:
        return "database is locked by another process (try again, or stop the other import)";
    case SQLITE_NOTADB:
        return "file is not a database (it is not an SQLite file, or it is damaged or "
               "encrypted; point --db at an infludash database or a new file name)";
    case SQLITE_CORRUPT:
        return "database file is damaged (restore it from a backup, or point --db at a new "
               "file and import again)";
    case SQLITE_FULL:
        return "disk is full (free some space and try again)";
    case SQLITE_READONLY:
        return "database is read-only (check the permissions of the file and its directory: "
               "SQLite writes a -wal and a -shm file beside it)";
    case SQLITE_PERM:
    case SQLITE_AUTH:
        return "permission denied (check the permissions of the file and its directory)";
    default:
        return NULL;
    }
}

/* Why this process cannot write the database at path, its directory or the -wal and -shm
 * files SQLite keeps beside it, in words, appended to out; false when nothing visibly
 * stands in the way. SQLite's own message for these cases is often "unable to open
 * database file" with the errno of a later, unrelated call ("No such file or directory"
 * for a file on a read-only mount), so the file system is asked directly. */
static bool unwritable_reason(const char *path, struct buf *out)
{
    struct buf dir = BUF_INIT;
    const char *slash = strrchr(path, '/');
    if (!slash)
        buf_puts(&dir, ".");
    else if (slash == path)
        buf_puts(&dir, "/");
    else
        buf_append(&dir, path, (size_t)(slash - path));
    unsigned uid = (unsigned)geteuid();
    size_t start = out->len;
    struct stat st;
    struct statvfs vfs;
    if (stat(dir.data, &st) < 0) {
        if (errno == ENOENT)
            buf_printf(out,
                       "the directory %s does not exist (create it, or point --db at a "
                       "file in a directory that exists)",
                       dir.data);
        else
            buf_printf(out, "the directory %s cannot be reached by this user (uid %u): %s",
                       dir.data, uid, strerror(errno));
    } else if (!S_ISDIR(st.st_mode)) {
        buf_printf(out, "%s is not a directory", dir.data);
    } else if (statvfs(dir.data, &vfs) == 0 && (vfs.f_flag & ST_RDONLY)) {
        buf_printf(out,
                   "the directory %s is on a file system mounted read-only; infludash "
                   "writes the database and its -wal and -shm files there (mount it "
                   "read-write, or copy the database to a writable place and point --db "
                   "at the copy)",
                   dir.data);
    } else if (faccessat(AT_FDCWD, dir.data, W_OK | X_OK, AT_EACCESS) < 0 && errno == EACCES) {
        buf_printf(out,
                   "this user (uid %u) may not create files in the directory %s, where "
                   "SQLite keeps the -wal and -shm files beside the database (give this "
                   "user write permission there, or run infludash as the directory's "
                   "owner)",
                   uid, dir.data);
    } else {
        static const char *const suffixes[] = {"", "-wal", "-shm"};
        struct buf file = BUF_INIT;
        for (size_t i = 0; i < 3 && out->len == start; i++) {
            buf_reset(&file);
            buf_printf(&file, "%s%s", path, suffixes[i]);
            if (stat(file.data, &st) == 0 &&
                faccessat(AT_FDCWD, file.data, R_OK | W_OK, AT_EACCESS) < 0 && errno == EACCES)
                buf_printf(out,
                           "this user (uid %u) may not read and write %s (owner uid %u, "
                           "mode %03o): run infludash as its owner, or change its "
                           "permissions",
                           uid, file.data, (unsigned)st.st_uid, (unsigned)(st.st_mode & 0777));
        }
        buf_release(&file);
    }
    buf_release(&dir);
    return out->len > start;
}

/* Fills e with "PATH: WHAT: what went wrong (what to do)" for an SQLite failure and returns
 * ERR_STORE. Call it right after the failing call, while SQLite's message is current. */
static int fail(struct store_sqlite *s, int rc, struct err *e, const char *what_fmt, ...)
    __attribute__((format(printf, 4, 5)));
static int fail(struct store_sqlite *s, int rc, struct err *e, const char *what_fmt, ...)
{
    char what[256];
    va_list ap;
    va_start(ap, what_fmt);
    vsnprintf(what, sizeof what, what_fmt, ap);
    va_end(ap);

    int primary = rc & 0xff;
    if (primary == SQLITE_CANTOPEN || primary == SQLITE_READONLY || primary == SQLITE_PERM ||
        primary == SQLITE_IOERR) {
        struct buf why = BUF_INIT;
        int found = unwritable_reason(s->path, &why);
        if (found)
            err_set(e, ERR_STORE, "%s: %s: %s", s->path, what, why.data);
        buf_release(&why);
        if (found)
            return ERR_STORE;
    }
    const char *known = explain(rc);
    if (known)
        return err_set(e, ERR_STORE, "%s: %s: %s", s->path, what, known);

    const char *msg = s->db ? sqlite3_errmsg(s->db) : sqlite3_errstr(rc);
    int sys = s->db ? sqlite3_system_errno(s->db) : 0;
    if (primary == SQLITE_CANTOPEN || primary == SQLITE_IOERR) {
        char sysbuf[128] = "";
        const char *sysmsg = sys ? strerror_r(sys, sysbuf, sizeof sysbuf) : NULL;
        return err_set(e, ERR_STORE,
                       "%s: %s: %s%s%s (check that the directory exists, that "
                       "you may write there, and that the disk is healthy)",
                       s->path, what, msg, sysmsg ? ": " : "", sysmsg ? sysmsg : "");
    }
    if (primary == SQLITE_CONSTRAINT)
        return err_set(e, ERR_STORE, "%s: %s: %s (the row breaks a rule of the table)", s->path,
                       what, msg);
    if (primary == SQLITE_NOMEM)
        return err_set(e, ERR_STORE,
                       "%s: %s: out of memory (close other programs or import "
                       "smaller files)",
                       s->path, what);
    return err_set(e, ERR_STORE,
                   "%s: %s: %s (SQLite error %d; if it persists, check the "
                   "database with `sqlite3 %s 'PRAGMA integrity_check'`)",
                   s->path, what, msg, rc, s->path);
}

/* Runs SQL without parameters (pragmas, transaction control, DDL). */
static int exec_sql(struct store_sqlite *s, const char *sql, struct err *e, const char *what)
{
    int rc = sqlite3_exec(s->db, sql, NULL, NULL, NULL);
    if (rc != SQLITE_OK)
        return fail(s, rc, e, "%s", what);
    return 0;
}

static int prepare(struct store_sqlite *s, const char *sql, unsigned flags, sqlite3_stmt **stmt,
                   struct err *e, const char *what)
{
    int rc = sqlite3_prepare_v3(s->db, sql, -1, flags, stmt, NULL);
    if (rc != SQLITE_OK) {
        *stmt = NULL;
        return fail(s, rc, e, "%s", what);
    }
    return 0;
}

/* ---- migrations ---------------------------------------------------------------------- */

/* CREATE TABLE for one dataset: its canonical columns in order, INTEGER or TEXT by kind,
 * the key TEXT NOT NULL UNIQUE, then `extra` (JSON text). The table keeps its implicit
 * rowid, so scans in rowid order return rows in insertion order and an upsert keeps the
 * replaced row's place. */
static void dataset_ddl(struct buf *b, const struct schema_dataset *d)
{
    assert(d->ncols > 0 && d->ncols <= SCHEMA_MAX_COLS);
    buf_puts(b, "CREATE TABLE ");
    store_sql_ident(b, d->name);
    buf_puts(b, " (");
    for (int i = 0; i < d->ncols; i++) {
        const struct schema_col *c = &d->cols[i];
        assert(strcmp(c->name, "extra") != 0);
        store_sql_ident(b, c->name);
        buf_puts(b, schema_kind_is_int(c->kind) ? " INTEGER" : " TEXT");
        if (c->flags & SCHEMA_KEY)
            buf_puts(b, " NOT NULL UNIQUE");
        buf_puts(b, ", ");
    }
    buf_puts(b, "\"extra\" TEXT)");
}

/* Version 1: one table per dataset, and the import log. */
static int migration_1(struct store *base, struct err *e)
{
    struct store_sqlite *s = from_base(base);
    struct buf sql = BUF_INIT;
    int rc = 0;
    for (int ds = 0; ds < DS_COUNT && rc == 0; ds++) {
        const struct schema_dataset *d = schema_dataset((enum dataset)ds);
        buf_reset(&sql);
        dataset_ddl(&sql, d);
        rc = exec_sql(s, buf_cstr(&sql), e, "creating the dataset tables");
    }
    if (rc == 0)
        rc = exec_sql(s,
                      "CREATE TABLE imports ("
                      "id INTEGER PRIMARY KEY, dataset TEXT NOT NULL, file TEXT NOT NULL, "
                      "mode TEXT NOT NULL, accepted INTEGER NOT NULL, "
                      "rejected INTEGER NOT NULL, started_at INTEGER NOT NULL, "
                      "finished_at INTEGER NOT NULL)",
                      e, "creating the import log table");
    buf_release(&sql);
    return rc;
}

/* Version 2: the installation's accounts (store_accounts_ddl) and the audit log. */
static int migration_2(struct store *base, struct err *e)
{
    struct store_sqlite *s = from_base(base);
    int rc = 0;
    for (size_t i = 0; store_accounts_ddl[i] && rc == 0; i++)
        rc = exec_sql(s, store_accounts_ddl[i], e, "creating the accounts tables");
    if (rc == 0)
        rc = exec_sql(s,
                      "CREATE TABLE audit (id INTEGER PRIMARY KEY, at BIGINT NOT NULL, "
                      "actor TEXT NOT NULL, action TEXT NOT NULL, workspace TEXT NOT NULL, "
                      "target TEXT NOT NULL, detail TEXT NOT NULL)",
                      e, "creating the audit table");
    return rc;
}

/* Version 3: sources, scheduled reports and their runs (SPEC §9; store_jobs.c). */
static int migration_3(struct store *base, struct err *e)
{
    struct store_sqlite *s = from_base(base);
    int rc = 0;
    for (size_t i = 0; store_jobs_ddl[i] && rc == 0; i++)
        rc = exec_sql(s, store_jobs_ddl[i], e, "creating the sources and reports tables");
    if (rc == 0)
        rc = exec_sql(s, "CREATE TABLE runs (id INTEGER PRIMARY KEY, " STORE_RUNS_COLUMNS ")", e,
                      "creating the runs table");
    if (rc == 0)
        rc = exec_sql(s, "CREATE INDEX runs_job ON runs (job, name, id)", e,
                      "creating the runs table");
    return rc;
}

static int query_int(struct store_sqlite *s, const char *sql, int64_t *out, struct err *e,
                     const char *what);

/* Version 4: the columns of SPEC §10 (influencers' payment details, payouts' kind), those
 * marked SCHEMA_SINCE_4. A database created by this build has them from version 1's
 * tables (which take the current columns); one created before gains them here. */
static int migration_4(struct store *base, struct err *e)
{
    struct store_sqlite *s = from_base(base);
    struct buf sql = BUF_INIT;
    int rc = 0;
    for (int ds = 0; ds < DS_COUNT && rc == 0; ds++) {
        const struct schema_dataset *d = schema_dataset((enum dataset)ds);
        for (int i = 0; i < d->ncols && rc == 0; i++) {
            const struct schema_col *c = &d->cols[i];
            if (!(c->flags & SCHEMA_SINCE_4))
                continue;
            int64_t have = 0;
            buf_reset(&sql);
            buf_printf(&sql, "SELECT count(*) FROM pragma_table_info('%s') WHERE name = '%s'",
                       d->name, c->name); /* names from schema.c, never from input */
            rc = query_int(s, buf_cstr(&sql), &have, e, "reading a table's columns");
            if (rc < 0 || have)
                continue;
            buf_reset(&sql);
            buf_puts(&sql, "ALTER TABLE ");
            store_sql_ident(&sql, d->name);
            buf_puts(&sql, " ADD COLUMN ");
            store_sql_ident(&sql, c->name);
            buf_puts(&sql, schema_kind_is_int(c->kind) ? " INTEGER" : " TEXT");
            rc = exec_sql(s, buf_cstr(&sql), e, "adding the payment detail columns");
        }
    }
    buf_release(&sql);
    return rc;
}

/* Runs a query that yields one integer. */
static int query_int(struct store_sqlite *s, const char *sql, int64_t *out, struct err *e,
                     const char *what)
{
    sqlite3_stmt *stmt;
    int rc = prepare(s, sql, 0, &stmt, e, what);
    if (rc < 0)
        return rc;
    int step = sqlite3_step(stmt);
    if (step == SQLITE_ROW) {
        *out = sqlite3_column_int64(stmt, 0);
        rc = 0;
    } else {
        rc = fail(s, step == SQLITE_DONE ? SQLITE_INTERNAL : step, e, "%s", what);
    }
    sqlite3_finalize(stmt);
    return rc;
}

static int record_migration(struct store *base, int version, struct err *e)
{
    struct store_sqlite *s = from_base(base);
    sqlite3_stmt *stmt;
    int rc = prepare(s,
                     "INSERT INTO schema_migrations (version, applied_at) "
                     "VALUES (?1, strftime('%Y-%m-%dT%H:%M:%SZ', 'now'))",
                     0, &stmt, e, "recording a migration");
    if (rc < 0)
        return rc;
    sqlite3_bind_int(stmt, 1, version);
    int step = sqlite3_step(stmt);
    if (step != SQLITE_DONE)
        rc = fail(s, step, e, "recording migration %d", version);
    sqlite3_finalize(stmt);
    return rc;
}

static int dialect_exec(struct store *base, const char *sql, struct err *e, const char *what)
{
    return exec_sql(from_base(base), sql, e, what);
}

static int dialect_query_int(struct store *base, const char *sql, int64_t *out, struct err *e,
                             const char *what)
{
    return query_int(from_base(base), sql, out, e, what);
}

/* BEGIN IMMEDIATE takes the write lock at once: a second process migrating waits here. */
static int begin_migration(struct store *base, struct err *e)
{
    return exec_sql(from_base(base), "BEGIN IMMEDIATE", e, "starting the schema migration");
}

static void abort_migration(struct store *base)
{
    struct store_sqlite *s = from_base(base);
    if (!sqlite3_get_autocommit(s->db))
        sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
}

/* Version 5: the data version, a counter every commit that changes a dataset counts up in
 * its own transaction (sqlite_commit), with a random id of the database made here: together
 * they stamp the stored rows (store_data_stamp), across restarts. Idempotent, as version 4. */
static int migration_5(struct store *base, struct err *e)
{
    return exec_sql(from_base(base),
                    "CREATE TABLE IF NOT EXISTS data_version (one INTEGER PRIMARY KEY "
                    "CHECK (one = 1), version INTEGER NOT NULL, id INTEGER NOT NULL); "
                    "INSERT OR IGNORE INTO data_version (one, version, id) VALUES (1, 0, random())",
                    e, "creating the data version table");
}

/* Version 6: data_version.rewritten, the version of the newest commit that replaced or
 * removed stored tracking rows (sqlite_commit), so that an engine cache of an older version
 * can be extended by the rows appended since instead of loaded again (store_stamp). A
 * database migrated here counts as rewritten at its current version (nothing is known of
 * the commits before). Idempotent, as version 4. */
static int migration_6(struct store *base, struct err *e)
{
    struct store_sqlite *s = from_base(base);
    int64_t have = 0;
    int rc = query_int(s,
                       "SELECT count(*) FROM pragma_table_info('data_version') WHERE name = "
                       "'rewritten'",
                       &have, e, "reading a table's columns");
    if (rc == 0 && !have)
        rc = exec_sql(s,
                      "ALTER TABLE data_version ADD COLUMN rewritten INTEGER NOT NULL DEFAULT 0; "
                      "UPDATE data_version SET rewritten = version",
                      e, "adding the rewrite version to the data version table");
    return rc;
}

/* Version 7: nothing here (PostgreSQL's data_version.rewritten, which SQLite has had since
 * version 6). */
static int migration_7(struct store *base, struct err *e)
{
    (void)base;
    (void)e;
    return 0;
}

static const struct store_dialect sqlite_dialect = {
    .exec = dialect_exec,
    .query_int = dialect_query_int,
    .begin_migration = begin_migration,
    .abort_migration = abort_migration,
    .record_migration = record_migration,
    .has_migrations_sql = "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND "
                          "name = 'schema_migrations'",
    .count_tables_sql = "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND "
                        "name NOT LIKE 'sqlite_%'",
    .not_ours = "an SQLite database, but not an infludash one (it has tables and no "
                "schema_migrations); point --db at a new file name or an infludash database",
    .migrations = {migration_1, migration_2, migration_3, migration_4, migration_5, migration_6,
                   migration_7},
};

/* ---- open and close ------------------------------------------------------------------ */

/* The page cache of a connection (negative cache_size is in KiB: 64 MB), and the smaller one
 * of a scan (scan_rows). */
#define CACHE_SIZE_PRAGMA "PRAGMA cache_size = -65536"
#define SCAN_CACHE_SIZE_PRAGMA "PRAGMA cache_size = -2048"

/* Pages in the WAL past which a commit checkpoints it (SQLite's own default). */
#define CHECKPOINT_PAGES 1000

/* After every commit on the connection, in place of SQLite's automatic checkpoint (which
 * this hook replaces, with the same threshold): a checkpoint now, or, for a commit of
 * sqlite_commit, once it has given back its page cache. A checkpoint after a large import
 * copies the whole WAL into the file (25 s after 8.5M tracking rows) while the server
 * already loads the new data, and held the import's page cache all that time. */
static int wal_hook(void *arg, sqlite3 *db, const char *name, int pages)
{
    struct store_sqlite *s = arg;
    if (pages < CHECKPOINT_PAGES)
        return SQLITE_OK;
    if (s->in_commit)
        s->checkpoint_due = 1;
    else
        sqlite3_wal_checkpoint_v2(db, name, SQLITE_CHECKPOINT_PASSIVE, NULL, NULL);
    return SQLITE_OK;
}

/* Connection settings. journal_mode is the first statement to read the file, so a file
 * that is not a database, or one locked in rollback-journal mode, fails here. */
static int configure(struct store_sqlite *s, struct err *e)
{
    int rc = exec_sql(s, "PRAGMA page_size = 16384; PRAGMA journal_mode = WAL", e,
                      "opening the database");
    /* synchronous=FULL: a commit is on disk when store_commit returns. The page cache
     * keeps an import's index pages in memory. */
    if (rc == 0)
        rc = exec_sql(s, "PRAGMA synchronous = FULL; PRAGMA foreign_keys = OFF; " CACHE_SIZE_PRAGMA,
                      e, "configuring the database connection");
    int64_t secure = 1;
    if (rc == 0)
        rc =
            query_int(s, "PRAGMA secure_delete", &secure, e, "configuring the database connection");
    s->secure_delete = (int)secure;
    return rc;
}

/* SQLite takes a file shorter than its header for an empty database and overwrites it, so
 * a small file that is not a database (a CSV given by mistake) is refused before SQLite
 * reads it. An empty file is a new database; anything else is left to SQLite.
 * The header is read through SQLite's own handle of the file: opening and closing the
 * file ourselves would drop every POSIX lock this process holds on it (close(2) releases
 * them all), including those of other connections of the process (a server's), and let
 * another process checkpoint and delete a WAL they still use. */
static int check_header(struct store_sqlite *s, struct err *e)
{
    static const char magic[16] = "SQLite format 3";
    sqlite3_file *file = NULL;
    if (sqlite3_file_control(s->db, "main", SQLITE_FCNTL_FILE_POINTER, &file) != SQLITE_OK ||
        !file || !file->pMethods)
        return 0;
    /* stat, not xFileSize: SQLite reports a file of one byte as empty (a workaround of
     * its own), and stat opens nothing. */
    struct stat st;
    if (stat(s->path, &st) != 0 || st.st_size <= 0)
        return 0;
    sqlite3_int64 size = st.st_size;
    char head[sizeof magic];
    memset(head, 0, sizeof head);
    int n = size < (sqlite3_int64)sizeof head ? (int)size : (int)sizeof head;
    int rc = file->pMethods->xRead(file, head, n, 0);
    if (rc != SQLITE_OK) /* unreadable: SQLite reports it on first use */
        return 0;
    if ((size_t)n < sizeof head || memcmp(head, magic, sizeof magic) != 0)
        return fail(s, SQLITE_NOTADB, e, "opening the database");
    return 0;
}

static void stop_syncer(struct store_sqlite *s);

static void sqlite_close(struct store *base)
{
    struct store_sqlite *s = from_base(base);
    stop_syncer(s);
    for (int ds = 0; ds < DS_COUNT; ds++) {
        sqlite3_finalize(s->put[ds]);
        sqlite3_finalize(s->put_many[ds]);
    }
    for (int i = 0; i < SQL_CACHE; i++) {
        sqlite3_finalize(s->sql_cache[i].stmt);
        free(s->sql_cache[i].sql);
    }
    /* Every statement is finalized, so this cannot fail with SQLITE_BUSY; an open
     * transaction is rolled back. */
    sqlite3_close(s->db);
    free(s->path);
    free(s);
}

/* ---- the installation's tables ------------------------------------------------------ */

#define SQL_MAX_COLS 16

/* The prepared statement of sql from the cache (reset, bindings cleared), or a new one put
 * there; *slot is its entry (-1: not cached, the caller finalizes it). */
static int sql_prepare_cached(struct store_sqlite *s, const char *sql, sqlite3_stmt **stmt,
                              int *slot, const char *what, struct err *e)
{
    for (int i = 0; i < SQL_CACHE; i++) {
        if (s->sql_cache[i].sql && !s->sql_cache[i].busy && strcmp(s->sql_cache[i].sql, sql) == 0) {
            *stmt = s->sql_cache[i].stmt;
            *slot = i;
            s->sql_cache[i].busy = 1;
            return 0;
        }
    }
    int rc = prepare(s, sql, SQLITE_PREPARE_PERSISTENT, stmt, e, what);
    if (rc < 0)
        return rc;
    *slot = -1;
    for (int k = 0; k < SQL_CACHE; k++) {
        int i = (s->sql_cache_next + k) % SQL_CACHE;
        if (s->sql_cache[i].busy)
            continue;
        sqlite3_finalize(s->sql_cache[i].stmt);
        free(s->sql_cache[i].sql);
        s->sql_cache[i].sql = xstrdup(sql);
        s->sql_cache[i].stmt = *stmt;
        s->sql_cache[i].busy = 1;
        s->sql_cache_next = (i + 1) % SQL_CACHE;
        *slot = i;
        break;
    }
    return 0;
}

static int sqlite_sql(struct store *base, const char *sql, int nparams, const char *const *params,
                      store_sql_row_fn fn, void *ctx, const char *what, struct err *e)
{
    struct store_sqlite *s = from_base(base);
    sqlite3_stmt *stmt;
    int slot;
    int rc = sql_prepare_cached(s, sql, &stmt, &slot, what, e);
    if (rc < 0)
        return rc;
    for (int i = 0; i < nparams; i++) {
        int b = params[i] ? sqlite3_bind_text(stmt, i + 1, params[i], -1, SQLITE_STATIC)
                          : sqlite3_bind_null(stmt, i + 1);
        if (b != SQLITE_OK) {
            rc = fail(s, b, e, "binding a value");
            goto out;
        }
    }
    int ncols = sqlite3_column_count(stmt);
    if (ncols > SQL_MAX_COLS)
        ncols = SQL_MAX_COLS;
    int step;
    while ((step = sqlite3_step(stmt)) == SQLITE_ROW) {
        if (!fn)
            continue;
        const char *vals[SQL_MAX_COLS];
        for (int c = 0; c < ncols; c++)
            vals[c] = (const char *)sqlite3_column_text(stmt, c);
        if ((rc = fn(ctx, ncols, vals)) < 0)
            goto out;
    }
    if (step != SQLITE_DONE) {
        rc = fail(s, step, e, "%s", what);
        goto out;
    }
    rc = sqlite3_stmt_readonly(stmt) ? 0 : sqlite3_changes(s->db);
out:
    if (slot < 0) {
        sqlite3_finalize(stmt);
    } else {
        /* ready for the next call; the bound texts are the caller's, so let go of them */
        sqlite3_reset(stmt);
        sqlite3_clear_bindings(stmt);
        s->sql_cache[slot].busy = 0;
    }
    return rc;
}

static const struct store_ops sqlite_ops;

/* A database that does not exist yet is made here, empty and readable by its owner only
 * (0600 whatever the umask: it holds the data, the accounts hold password hashes); SQLite
 * then gives its -wal and -shm files the same mode as the main file. An existing file keeps
 * the mode it has. */
static int create_private(const char *path, struct err *e)
{
    int fd = open(path, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600);
    if (fd < 0)
        return 0; /* it exists, or cannot be made: SQLite's own open says why */
    int rc = 0;
    if (fchmod(fd, 0600) < 0)
        rc = err_set(e, ERR_STORE, "%s: cannot make the new database private (chmod 600): %s", path,
                     strerror(errno));
    close(fd);
    return rc;
}

int store_sqlite_open_part(const char *path, int create, struct store **out, struct err *e)
{
    struct stat st;
    if (!create && stat(path, &st) < 0 && errno == ENOENT)
        return err_set(e, ERR_NOTFOUND, "%s: does not exist yet", path);
    return store_sqlite_open(path, out, e);
}

int store_sqlite_open(const char *path, struct store **out, struct err *e)
{
    struct store_sqlite *s = xcalloc(1, sizeof *s);
    s->base.ops = &sqlite_ops;
    s->path = xstrdup(path);
    s->bulk_fd = -1;
    s->base.location = s->path;

    int flags =
        SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX | SQLITE_OPEN_EXRESCODE;
    int rc = create_private(path, e);
    if (rc < 0)
        goto out;
    rc = sqlite3_open_v2(path, &s->db, flags, NULL);
    if (rc != SQLITE_OK) {
        rc = fail(s, rc, e, "cannot open the database file");
        goto out;
    }
    rc = check_header(s, e);
    if (rc < 0)
        goto out;
    sqlite3_extended_result_codes(s->db, 1);
    sqlite3_busy_timeout(s->db, BUSY_TIMEOUT_MS);
    sqlite3_wal_hook(s->db, wal_hook, s);
    rc = configure(s, e);
    if (rc == 0)
        rc = store_sql_migrate(&s->base, &sqlite_dialect, e);
    struct stat st;
    if (rc == 0 && stat(path, &st) < 0)
        rc = err_set(e, ERR_STORE, "%s: the database file disappeared while it was opened: %s",
                     path, strerror(errno));
    if (rc == 0) {
        s->dev = st.st_dev;
        s->ino = st.st_ino;
    }
out:
    if (rc < 0) {
        sqlite_close(&s->base);
        return rc;
    }
    *out = &s->base;
    return 0;
}

static int sqlite_check_file(struct store *base, struct err *e)
{
    struct store_sqlite *s = from_base(base);
    struct stat st;
    if (stat(s->path, &st) == 0 && st.st_dev == s->dev && st.st_ino == s->ino)
        return 0;
    return err_set(e, ERR_STORE,
                   "the database file %s was deleted or replaced while the server ran; "
                   "restart the server (it then opens the file that is there now: put the "
                   "right one back first, from a backup if need be)",
                   s->path);
}

/* ---- transactions -------------------------------------------------------------------- */

static int sqlite_schema_version(struct store *base, int *version, struct err *e)
{
    return store_sql_applied_version(base, &sqlite_dialect, version, e);
}

/* BEGIN IMMEDIATE takes the write lock now, so a concurrent writer is reported here (after
 * the busy timeout) instead of halfway through an import. */
static int sqlite_begin(struct store *base, struct err *e)
{
    struct store_sqlite *s = from_base(base);
    assert(sqlite3_get_autocommit(s->db));
    s->data_changed = 0;
    s->bulk_rows = s->bulk_sent = s->bulk_looks = 0;
    return exec_sql(s, "BEGIN IMMEDIATE", e, "cannot start writing");
}

/* The journal mode of the connection set to mode ("delete", "wal"); true when it is mode
 * afterwards. With wait, a lock held by another connection is waited for (the busy
 * timeout); without, it leaves the mode as it was at once. */
static bool set_journal_mode(struct store_sqlite *s, const char *mode, bool wait)
{
    char sql[64];
    snprintf(sql, sizeof sql, "PRAGMA journal_mode = %s", mode);
    sqlite3_stmt *stmt;
    if (sqlite3_prepare_v2(s->db, sql, -1, &stmt, NULL) != SQLITE_OK)
        return false;
    if (!wait)
        sqlite3_busy_timeout(s->db, 0);
    bool ok = sqlite3_step(stmt) == SQLITE_ROW &&
              strcmp((const char *)sqlite3_column_text(stmt, 0), mode) == 0;
    sqlite3_finalize(stmt);
    if (!wait)
        sqlite3_busy_timeout(s->db, BUSY_TIMEOUT_MS);
    return ok;
}

/* Whether no dataset table holds a row. */
static int datasets_empty(struct store_sqlite *s, bool *empty, struct err *e)
{
    struct buf sql = BUF_INIT;
    buf_puts(&sql, "SELECT 0");
    for (int ds = 0; ds < DS_COUNT; ds++) {
        buf_puts(&sql, " + EXISTS (SELECT 1 FROM ");
        store_sql_ident(&sql, schema_dataset((enum dataset)ds)->name);
        buf_puts(&sql, ")");
    }
    int64_t n = 1;
    int rc = query_int(s, buf_cstr(&sql), &n, e, "reading whether the datasets are empty");
    buf_release(&sql);
    *empty = n == 0;
    return rc;
}

/* PRAGMA secure_delete (0 off, 1 on, 2 fast) set to value. The system's SQLite may be built
 * with it on (Debian's is): then the space a cell leaves on a page is overwritten with
 * zeros, in a bulk import each time a full page's cells are shared out with the next
 * (3 % of the writer's instructions at 200,000 tracking rows). */
static void set_secure_delete(struct store_sqlite *s, int value)
{
    char sql[64];
    snprintf(sql, sizeof sql, "PRAGMA secure_delete = %d", value);
    sqlite3_exec(s->db, sql, NULL, NULL, NULL);
}

/* Rows between two looks at the database file's size during a bulk import, and the growth
 * past which its new pages are sent to the disk; the looks between two flushes of the page
 * cache. */
#define WRITEBACK_ROWS 16384
#define WRITEBACK_BYTES (8 << 20)
#define FLUSH_LOOKS 4
/* In WAL mode, the looks between two syncs of the WAL (wal_writeback). */
#define WAL_SYNC_LOOKS 2

/* SQLite's descriptor of a file, found among the process's open files by the file's device
 * and inode; -1 when none is found, or not on Linux. Opening the file again would not do:
 * closing that descriptor would drop every POSIX lock the process holds on the file
 * (check_header). */
static int find_open_fd(dev_t dev, ino_t ino)
{
#ifdef __linux__
    DIR *d = opendir("/proc/self/fd");
    if (!d)
        return -1;
    int found = -1;
    for (struct dirent *ent; found < 0 && (ent = readdir(d)) != NULL;) {
        char *end;
        long fd = strtol(ent->d_name, &end, 10);
        struct stat st;
        if (*end || end == ent->d_name || fd < 0 || fd == dirfd(d))
            continue;
        if (fstat((int)fd, &st) == 0 && S_ISREG(st.st_mode) && st.st_dev == dev && st.st_ino == ino)
            found = (int)fd;
    }
    closedir(d);
    return found;
#else
    (void)dev;
    (void)ino;
    return -1;
#endif
}

/* SQLite's descriptor of the database file (the connection has it open while its
 * transaction lasts), or -1. */
static int find_db_fd(const struct store_sqlite *s)
{
    return find_open_fd(s->dev, s->ino);
}

/* SQLite's descriptor of the database's WAL (open while the connection is in WAL mode), or
 * -1. */
static int find_wal_fd(const struct store_sqlite *s)
{
    char wal[PATH_MAX];
    struct stat st;
    if ((size_t)snprintf(wal, sizeof wal, "%s-wal", s->path) >= sizeof wal || stat(wal, &st) != 0)
        return -1;
    return find_open_fd(st.st_dev, st.st_ino);
}

/* A thread that syncs the database file during a bulk import each time start_writeback
 * asks (or the WAL during another large transaction, wal_writeback), while the import goes
 * on: a sync writes the pages SQLite has written into the file since the last one, and
 * flushes the disk's write cache. Without it the commit's sync found all of the import to
 * flush: measured on a virtual disk (1M tracking rows, 150 MB), the commit's syncs took
 * 150-200 ms whether or not the pages had been written out before (sync_file_range), 15-30 ms
 * with a sync every 8 MB of growth. It syncs SQLite's own descriptor (find_open_fd), and a
 * sync reports a write error to one caller only, so one it saw fails the commit
 * (stop_syncer) rather than leaving SQLite's sync to miss it. The checkpoint after a commit
 * is not helped this way: a write error its sync missed could no longer fail anything, and
 * the WAL would be reused over pages that never reached the disk. */
struct bulk_syncer {
    pthread_t thread;
    pthread_mutex_t mu;
    pthread_cond_t cv;
    int fd;
    int asked; /* a sync was asked for and has not started */
    int stop;
    int error; /* errno of a failed sync, 0 when none failed */
};

static void *syncer_main(void *arg)
{
    struct bulk_syncer *y = arg;
    pthread_mutex_lock(&y->mu);
    for (;;) {
        while (!y->asked && !y->stop)
            pthread_cond_wait(&y->cv, &y->mu);
        if (y->stop) /* the commit syncs what is left */
            break;
        y->asked = 0;
        pthread_mutex_unlock(&y->mu);
        int rc = fdatasync(y->fd);
        int err = rc != 0 ? errno : 0;
        pthread_mutex_lock(&y->mu);
        if (err && !y->error)
            y->error = err;
    }
    pthread_mutex_unlock(&y->mu);
    return NULL;
}

/* Starts s->syncer for fd; without it (no descriptor, no thread) start_writeback only
 * starts the writes, and wal_writeback only writes the pages into the WAL. */
static void start_syncer(struct store_sqlite *s, int fd)
{
    if (fd < 0)
        return;
    struct bulk_syncer *y = xcalloc(1, sizeof *y);
    y->fd = fd;
    pthread_mutex_init(&y->mu, NULL);
    pthread_cond_init(&y->cv, NULL);
    if (pthread_create(&y->thread, NULL, syncer_main, y) != 0) {
        pthread_cond_destroy(&y->cv);
        pthread_mutex_destroy(&y->mu);
        free(y);
        return;
    }
    s->syncer = y;
}

static void ask_syncer(struct bulk_syncer *y)
{
    pthread_mutex_lock(&y->mu);
    y->asked = 1;
    pthread_cond_signal(&y->cv);
    pthread_mutex_unlock(&y->mu);
}

/* Stops s->syncer, waiting for a sync under way; returns the errno of a sync that failed,
 * 0 when none did (or there was no syncer). */
static int stop_syncer_error(struct store_sqlite *s)
{
    struct bulk_syncer *y = s->syncer;
    if (!y)
        return 0;
    s->syncer = NULL;
    pthread_mutex_lock(&y->mu);
    y->stop = 1;
    pthread_cond_signal(&y->cv);
    pthread_mutex_unlock(&y->mu);
    pthread_join(y->thread, NULL);
    int error = y->error;
    pthread_cond_destroy(&y->cv);
    pthread_mutex_destroy(&y->mu);
    free(y);
    return error;
}

static void stop_syncer(struct store_sqlite *s)
{
    (void)stop_syncer_error(s);
}

/* During a bulk import, every WRITEBACK_BYTES the file grows: the pages SQLite has written
 * into it are synced now by the syncer (bulk_syncer), while the import goes on, rather than
 * all by the commit's sync (at 10M tracking rows 1.9 GB, which the sync then waited for on a
 * busy disk); without a syncer, sync_file_range starts their writes and does not wait. It
 * changes no order of writes SQLite relies on: the system may write those pages at any time
 * (the journal they follow is synced first); the commit still syncs the journal, then the
 * file. Measured with the syncer against sync_file_range alone, 1M rows, 9 alternating runs:
 * medians 1.30 -> 1.12 s with tracking_id, 1.35 -> 1.20 s without.
 * And every FLUSH_LOOKS * WRITEBACK_ROWS rows the page cache's dirty pages are written into
 * the file (sqlite3_db_cacheflush, as a spill writes them: after the journal is synced), so
 * that they go to the disk with the rest: the commit found up to the whole 64 MB cache
 * dirty, to write then sync (1M tracking rows: 58 MB, 125 ms of writes, then 114 ms of
 * sync). The pages stay cached, clean, for the inserts that read them. Measured, 1M rows
 * without tracking_id, 5 interleaved runs: median 1.37 -> 1.32 s; 10M: 14.6 -> 14.5 s. */
static int start_writeback(struct store_sqlite *s, size_t rows, struct err *e)
{
    s->bulk_rows += (int64_t)rows;
    if (s->bulk_rows < WRITEBACK_ROWS)
        return 0;
    s->bulk_rows = 0;
    if (++s->bulk_looks % FLUSH_LOOKS == 0) {
        int rc = sqlite3_db_cacheflush(s->db); /* busy: another reader; the commit writes them */
        if (rc != SQLITE_OK && rc != SQLITE_BUSY)
            return fail(s, rc, e, "writing the imported rows into the database file");
    }
    if (s->bulk_fd < 0)
        return 0;
#ifdef __linux__
    struct stat st;
    if (fstat(s->bulk_fd, &st) != 0 || st.st_dev != s->dev || st.st_ino != s->ino) {
        s->bulk_fd = -1;
        return 0;
    }
    if ((int64_t)st.st_size - s->bulk_sent < WRITEBACK_BYTES)
        return 0;
    if (s->syncer)
        ask_syncer(s->syncer);
    else
        sync_file_range(s->bulk_fd, 0, 0, SYNC_FILE_RANGE_WRITE);
    s->bulk_sent = (int64_t)st.st_size;
#endif
    return 0;
}

/* The same for a large write transaction in WAL mode (an import into a database that holds
 * rows, an upload to the server): every WAL_SYNC_LOOKS looks the syncer, started on the
 * WAL's descriptor at the first look, syncs what the page cache has spilled into the WAL
 * meanwhile, so that the commit's sync of the WAL has little left. By rows, not by the WAL's
 * size: after a checkpoint the next transaction writes the WAL again from its start. The page
 * cache is not flushed here as in start_writeback: a page written again after its frame
 * overwrites the frame, and then the commit reads and rewrites every frame after it to chain
 * their checksums again (1M rows: 7,000 frames). Measured, 1M tracking rows into a database
 * holding the other datasets: the commit's sync of the WAL took 0.32 s of the import's 1.8 s,
 * 0.12 s with the syncer (the pages the commit writes itself); 5 alternating runs, medians
 * 1.85 -> 1.64 s. Smaller transactions never get that far. */
static void wal_writeback(struct store_sqlite *s, size_t rows)
{
    s->bulk_rows += (int64_t)rows;
    if (s->bulk_rows < WRITEBACK_ROWS)
        return;
    s->bulk_rows = 0;
    if (s->bulk_looks++ == 0)
        start_syncer(s, find_wal_fd(s));
    if (s->syncer && s->bulk_looks % WAL_SYNC_LOOKS == 0)
        ask_syncer(s->syncer);
}

/* The first import into a database, with the database to itself, skips the WAL: in WAL
 * mode every page of the import is written twice, into the WAL and then by the checkpoint
 * after the commit into the file (at 10M tracking rows 1.7 GB each way, the checkpoint
 * 5.9 s of the import's 19.4 s of CPU time, most of it in the kernel). Under a rollback
 * journal the new pages go into the file once and only the few pages that existed before
 * the import are journaled; the commit (synchronous=FULL) syncs the journal, then the file,
 * then deletes the journal, as durable as a WAL commit, and an import killed midway leaves
 * a hot journal that the next connection to open the database rolls back. The mode can
 * change only while no other connection has the database open (a server, another import):
 * then this is store_begin. Other connections that open the database during the import
 * wait for its end (configure switches them to WAL), and see its rows or none. Nothing
 * stored before is deleted in that transaction (the datasets are empty), only rows of the
 * import itself replaced (a key given twice), so secure_delete is off meanwhile. */
static int sqlite_begin_bulk(struct store *base, struct err *e)
{
    struct store_sqlite *s = from_base(base);
    assert(sqlite3_get_autocommit(s->db));
    bool empty = false;
    int rc = datasets_empty(s, &empty, e);
    if (rc < 0)
        return rc;
    if (empty && set_journal_mode(s, "delete", false))
        s->bulk = 1;
    if (s->bulk)
        set_secure_delete(s, 0);
    rc = sqlite_begin(base, e);
    if (rc < 0 && s->bulk) {
        s->bulk = 0;
        set_secure_delete(s, s->secure_delete);
        set_journal_mode(s, "wal", true);
    }
    if (rc == 0 && s->bulk) {
        s->bulk_fd = find_db_fd(s);
        start_syncer(s, s->bulk_fd);
    }
    return rc;
}

/* After a bulk transaction: WAL again. When another process holds the database past the
 * busy timeout the file stays in rollback-journal mode, durable all the same, until the
 * next connection to open it (configure) switches it back. */
static void end_bulk(struct store_sqlite *s)
{
    if (!s->bulk)
        return;
    stop_syncer(s);
    s->bulk = 0;
    s->bulk_fd = -1;
    set_secure_delete(s, s->secure_delete);
    set_journal_mode(s, "wal", true);
}

/* A deferred transaction: the first read fixes the snapshot every later read sees, while
 * writers on other connections go on (WAL). */
static int sqlite_read_begin(struct store *base, struct err *e)
{
    struct store_sqlite *s = from_base(base);
    assert(sqlite3_get_autocommit(s->db));
    return exec_sql(s, "BEGIN", e, "cannot start reading");
}

/* Changes whenever another connection commits (PRAGMA data_version), plus this
 * connection's own changes. */
static int sqlite_data_version(struct store *base, int64_t *version, struct err *e)
{
    struct store_sqlite *s = from_base(base);
    sqlite3_stmt *stmt;
    int rc = prepare(s, "PRAGMA data_version", 0, &stmt, e, "reading the data version");
    if (rc < 0)
        return rc;
    int step = sqlite3_step(stmt);
    if (step == SQLITE_ROW)
        *version = sqlite3_column_int64(stmt, 0) * 1000003 + sqlite3_total_changes64(s->db);
    else
        rc = fail(s, step, e, "reading the data version");
    sqlite3_finalize(stmt);
    return rc;
}

/* The stamp of migration 5's row. */
static int sqlite_data_stamp(struct store *base, struct store_stamp *out, struct err *e)
{
    struct store_sqlite *s = from_base(base);
    sqlite3_stmt *stmt;
    int rc = prepare(s, "SELECT id, version, rewritten FROM data_version WHERE one = 1", 0, &stmt,
                     e, "reading the data version");
    if (rc < 0)
        return rc;
    int step = sqlite3_step(stmt);
    if (step == SQLITE_ROW) {
        out->id = sqlite3_column_int64(stmt, 0);
        out->version = sqlite3_column_int64(stmt, 1);
        out->rewritten = sqlite3_column_int64(stmt, 2);
    } else {
        rc = fail(s, step == SQLITE_DONE ? SQLITE_CORRUPT : step, e, "reading the data version");
    }
    sqlite3_finalize(stmt);
    return rc;
}

/* A page cache given back past this many bytes is returned to the system at once. */
#define RELEASE_TRIM_BYTES (8 << 20)

/* After a transaction: the pages its page cache holds given back (up to the 64 MB of
 * CACHE_SIZE_PRAGMA after an import, which a server kept on its connection for as long as
 * it ran, on top of the engine it loads next). A later read finds them in the system's
 * file cache. When that was much, the allocator returns it to the system too: the pages
 * were allocated on this thread's arena, where only this thread could use them again. */
static void release_cache(struct store_sqlite *s)
{
    if (!sqlite3_get_autocommit(s->db))
        return;
    int before = 0, after = 0, high;
    sqlite3_db_status(s->db, SQLITE_DBSTATUS_CACHE_USED, &before, &high, 0);
    sqlite3_db_release_memory(s->db);
    sqlite3_db_status(s->db, SQLITE_DBSTATUS_CACHE_USED, &after, &high, 0);
    if (before - after >= RELEASE_TRIM_BYTES)
        xmalloc_trim();
}

/* A commit that changed a dataset counts the data version up first, in the same
 * transaction: the count and the rows are durable together or not at all. On failure the
 * transaction may still be open: the caller calls store_rollback. */
static int sqlite_commit(struct store *base, struct err *e)
{
    struct store_sqlite *s = from_base(base);
    int rc = 0;
    if (s->data_changed)
        rc = exec_sql(s,
                      s->tracking_rewritten
                          ? "UPDATE data_version SET version = version + 1, rewritten = version "
                            "+ 1 WHERE one = 1"
                          : "UPDATE data_version SET version = version + 1 WHERE one = 1",
                      e, "counting the data version up");
    int sync_error = stop_syncer_error(s);
    if (rc == 0 && sync_error)
        rc = err_set(e, ERR_STORE, "%s: cannot commit the changes: writing the database file: %s",
                     s->path, strerror(sync_error));
    s->in_commit = 1;
    if (rc == 0)
        rc = exec_sql(s, "COMMIT", e, "cannot commit the changes");
    s->in_commit = 0;
    if (rc == 0) {
        s->data_changed = s->tracking_rewritten = 0;
        end_bulk(s);
    }
    release_cache(s);
    if (s->checkpoint_due)
        sqlite3_wal_checkpoint_v2(s->db, NULL, SQLITE_CHECKPOINT_PASSIVE, NULL, NULL);
    s->checkpoint_due = 0;
    return rc;
}

static void sqlite_rollback(struct store *base)
{
    struct store_sqlite *s = from_base(base);
    s->data_changed = s->tracking_rewritten = 0;
    stop_syncer(s);
    if (!sqlite3_get_autocommit(s->db))
        sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
    end_bulk(s);
    release_cache(s);
}

/* ---- writes -------------------------------------------------------------------------- */

static int sqlite_clear(struct store *base, enum dataset ds, struct err *e)
{
    struct store_sqlite *s = from_base(base);
    const struct schema_dataset *d = schema_dataset(ds);
    assert(!sqlite3_get_autocommit(s->db));
    s->data_changed = 1;
    s->tracking_rewritten |= ds == DS_TRACKING;
    struct buf sql = BUF_INIT;
    buf_puts(&sql, "DELETE FROM ");
    store_sql_ident(&sql, d->name);
    int rc = sqlite3_exec(s->db, buf_cstr(&sql), NULL, NULL, NULL);
    buf_release(&sql);
    if (rc != SQLITE_OK)
        return fail(s, rc, e, "removing the %s rows", d->name);
    return 0;
}

/* ---- rows_module: a batch of rows as a table -------------------------------------------
 *
 * A bulk insert reads its rows from a virtual table, infludash_rows(?1), whose one
 * argument is a pointer to the rows (sqlite3_bind_pointer): the statement takes each value
 * straight from the row with its xColumn, where bound parameters cost a bind, an unbind
 * and a copy per value (a third of the writer's instructions in a bulk import, bound 32
 * rows at a time). Column cK is the row's canonical column K (NULL when absent or past the
 * dataset's columns), column extra its kept unknown columns; the hidden column rows is the
 * argument. The text is given SQLITE_STATIC: the rows outlive the statement's step. The
 * table exists only on the connection that registers it (eponymous, no CREATE). */

#define ROWS_POINTER_TYPE "infludash_rows"
#define ROWS_COL_EXTRA SCHEMA_MAX_COLS
#define ROWS_COL_ARG (SCHEMA_MAX_COLS + 1)

struct rows_arg {
    const struct schema_row *rows;
    size_t n;
    uint64_t ints; /* int_cols of the rows' dataset */
    int ncols;
};

struct rows_cursor {
    sqlite3_vtab_cursor base; /* first */
    const struct rows_arg *arg;
    size_t at;
};

static int rows_connect(sqlite3 *db, void *aux, int argc, const char *const *argv,
                        sqlite3_vtab **out, char **err)
{
    (void)aux;
    (void)argc;
    (void)argv;
    (void)err;
    struct buf ddl = BUF_INIT;
    buf_puts(&ddl, "CREATE TABLE x(");
    for (int i = 0; i < SCHEMA_MAX_COLS; i++)
        buf_printf(&ddl, "c%d, ", i);
    buf_puts(&ddl, "extra, rows HIDDEN)");
    int rc = sqlite3_declare_vtab(db, buf_cstr(&ddl));
    buf_release(&ddl);
    if (rc != SQLITE_OK)
        return rc;
    sqlite3_vtab *vt = sqlite3_malloc(sizeof *vt);
    if (!vt)
        return SQLITE_NOMEM;
    memset(vt, 0, sizeof *vt);
    *out = vt;
    return SQLITE_OK;
}

static int rows_disconnect(sqlite3_vtab *vt)
{
    sqlite3_free(vt);
    return SQLITE_OK;
}

/* The only plan: rows = ?, given to xFilter. Without it the table cannot be read. */
static int rows_best_index(sqlite3_vtab *vt, sqlite3_index_info *info)
{
    (void)vt;
    for (int i = 0; i < info->nConstraint; i++) {
        const struct sqlite3_index_constraint *c = &info->aConstraint[i];
        if (c->iColumn != ROWS_COL_ARG || c->op != SQLITE_INDEX_CONSTRAINT_EQ)
            continue;
        if (!c->usable)
            return SQLITE_CONSTRAINT;
        info->aConstraintUsage[i].argvIndex = 1;
        info->aConstraintUsage[i].omit = 1;
        info->estimatedCost = 1;
        info->estimatedRows = 1024;
        info->orderByConsumed = info->nOrderBy == 1 && info->aOrderBy[0].iColumn < 0 &&
                                !info->aOrderBy[0].desc; /* rowid order is row order */
        return SQLITE_OK;
    }
    return SQLITE_CONSTRAINT;
}

static int rows_open(sqlite3_vtab *vt, sqlite3_vtab_cursor **out)
{
    (void)vt;
    struct rows_cursor *c = sqlite3_malloc(sizeof *c);
    if (!c)
        return SQLITE_NOMEM;
    memset(c, 0, sizeof *c);
    *out = &c->base;
    return SQLITE_OK;
}

static int rows_close(sqlite3_vtab_cursor *cur)
{
    sqlite3_free(cur);
    return SQLITE_OK;
}

static int rows_filter(sqlite3_vtab_cursor *cur, int idx_num, const char *idx_str, int argc,
                       sqlite3_value **argv)
{
    (void)idx_num;
    (void)idx_str;
    struct rows_cursor *c = (struct rows_cursor *)cur;
    c->arg = argc == 1 ? sqlite3_value_pointer(argv[0], ROWS_POINTER_TYPE) : NULL;
    c->at = 0;
    return SQLITE_OK;
}

static int rows_next(sqlite3_vtab_cursor *cur)
{
    struct rows_cursor *c = (struct rows_cursor *)cur;
    c->at++;
    if (c->arg)
        schema_rows_prefetch(c->arg->rows, c->arg->n, c->at, false);
    return SQLITE_OK;
}

static int rows_eof(sqlite3_vtab_cursor *cur)
{
    const struct rows_cursor *c = (const struct rows_cursor *)cur;
    return !c->arg || c->at >= c->arg->n;
}

static int rows_column(sqlite3_vtab_cursor *cur, sqlite3_context *ctx, int col)
{
    const struct rows_cursor *c = (const struct rows_cursor *)cur;
    const struct schema_row *row = &c->arg->rows[c->at];
    if (col == ROWS_COL_EXTRA) {
        if (row->extra)
            sqlite3_result_text64(ctx, row->extra, row->extra_len, SQLITE_STATIC, SQLITE_UTF8);
        return SQLITE_OK;
    }
    if (col >= c->arg->ncols || !row->v[col].present)
        return SQLITE_OK; /* NULL */
    if (c->arg->ints >> col & 1)
        sqlite3_result_int64(ctx, row->v[col].i);
    else
        sqlite3_result_text64(ctx, row->v[col].s, row->v[col].len, SQLITE_STATIC, SQLITE_UTF8);
    return SQLITE_OK;
}

static int rows_rowid(sqlite3_vtab_cursor *cur, sqlite3_int64 *rowid)
{
    *rowid = (sqlite3_int64)((const struct rows_cursor *)cur)->at + 1;
    return SQLITE_OK;
}

static const sqlite3_module rows_module = {
    .iVersion = 0,
    .xCreate = NULL, /* eponymous only */
    .xConnect = rows_connect,
    .xBestIndex = rows_best_index,
    .xDisconnect = rows_disconnect,
    .xDestroy = rows_disconnect,
    .xOpen = rows_open,
    .xClose = rows_close,
    .xFilter = rows_filter,
    .xNext = rows_next,
    .xEof = rows_eof,
    .xColumn = rows_column,
    .xRowid = rows_rowid,
};

/* Rows per bulk insert statement: one step for many rows saves most of the per-statement
 * work of a bulk import. */
#define PUT_MANY 256
/* After a group of rows met keys already stored, this many groups go straight to the
 * one-row upsert (a re-import of stored rows would otherwise try every group twice). */
#define PUT_MANY_BACKOFF 4

/* With many == 0, the upsert of one row:
 *   INSERT INTO "t" (cols..., "extra") VALUES (?1, ...) ON CONFLICT ("key") DO UPDATE SET
 *   "col" = excluded."col", ... for every column but the key, extra included;
 * else INSERT OR IGNORE of the rows given as ?1 (store_put_many says why):
 *   INSERT OR IGNORE INTO "t" (cols..., "extra") SELECT c0, ..., extra
 *   FROM infludash_rows(?1) ORDER BY rowid
 * Prepared once per dataset. */
static sqlite3_stmt *put_stmt_n(struct store_sqlite *s, enum dataset ds, int many, struct err *e)
{
    sqlite3_stmt **slot = many ? &s->put_many[ds] : &s->put[ds];
    if (*slot)
        return *slot;
    if (many && !s->rows_module_on) {
        int rc = sqlite3_create_module_v2(s->db, "infludash_rows", &rows_module, NULL, NULL);
        if (rc != SQLITE_OK) {
            fail(s, rc, e, "preparing to store %s rows", schema_dataset(ds)->name);
            return NULL;
        }
        s->rows_module_on = 1;
    }
    const struct schema_dataset *d = schema_dataset(ds);
    int key = store_key_col(d);
    struct buf sql = BUF_INIT;
    buf_puts(&sql, many ? "INSERT OR IGNORE INTO " : "INSERT INTO ");
    store_sql_ident(&sql, d->name);
    buf_puts(&sql, " (");
    store_sql_columns(&sql, d);
    if (many) {
        buf_puts(&sql, ") SELECT ");
        for (int i = 0; i < d->ncols; i++)
            buf_printf(&sql, "c%d, ", i);
        buf_puts(&sql, "extra FROM infludash_rows(?1) ORDER BY rowid");
    } else {
        buf_puts(&sql, ") VALUES (");
        for (int i = 0; i <= d->ncols; i++)
            buf_printf(&sql, "%s?%d", i ? ", " : "", i + 1);
        buf_puts(&sql, ") ON CONFLICT (");
        store_sql_ident(&sql, d->cols[key].name);
        buf_puts(&sql, ") DO UPDATE SET ");
        for (int i = 0; i < d->ncols; i++) {
            if (i == key)
                continue;
            store_sql_ident(&sql, d->cols[i].name);
            buf_puts(&sql, " = excluded.");
            store_sql_ident(&sql, d->cols[i].name);
            buf_puts(&sql, ", ");
        }
        buf_puts(&sql, "\"extra\" = excluded.\"extra\"");
    }
    sqlite3_stmt *stmt;
    char what[128];
    snprintf(what, sizeof what, "preparing to store %s rows", d->name);
    int rc = prepare(s, buf_cstr(&sql), SQLITE_PREPARE_PERSISTENT, &stmt, e, what);
    buf_release(&sql);
    if (rc < 0)
        return NULL;
    *slot = stmt;
    return stmt;
}

static sqlite3_stmt *put_stmt(struct store_sqlite *s, enum dataset ds, struct err *e)
{
    return put_stmt_n(s, ds, 0, e);
}

/* The integer columns of a dataset as bits (bit i: column i), found once per connection. */
static uint64_t int_cols(struct store_sqlite *s, enum dataset ds)
{
    if (!s->int_cols[ds]) {
        const struct schema_dataset *d = schema_dataset(ds);
        uint64_t bits = (uint64_t)1 << 63; /* computed (no dataset has 64 columns) */
        for (int i = 0; i < d->ncols; i++)
            if (schema_kind_is_int(d->cols[i].kind))
                bits |= (uint64_t)1 << i;
        s->int_cols[ds] = bits;
    }
    return s->int_cols[ds];
}

/* Binds a row's values to parameters 1..ncols+1: NULL when absent, int64 for integer
 * kinds, else text. The text is bound SQLITE_STATIC: the row outlives the statement's step
 * and reset. */
static int bind_row(sqlite3_stmt *stmt, const struct schema_dataset *d, uint64_t ints,
                    const struct schema_row *row)
{
    int rc = SQLITE_OK;
    for (int i = 0; i <= d->ncols && rc == SQLITE_OK; i++) {
        int param = 1 + i;
        if (i == d->ncols) {
            rc = row->extra ? sqlite3_bind_text64(stmt, param, row->extra, row->extra_len,
                                                  SQLITE_STATIC, SQLITE_UTF8)
                            : sqlite3_bind_null(stmt, param);
        } else if (!row->v[i].present) {
            rc = sqlite3_bind_null(stmt, param);
        } else if (ints >> i & 1) {
            rc = sqlite3_bind_int64(stmt, param, row->v[i].i);
        } else {
            assert(row->v[i].s);
            rc = sqlite3_bind_text64(stmt, param, row->v[i].s, row->v[i].len, SQLITE_STATIC,
                                     SQLITE_UTF8);
        }
    }
    return rc;
}

static int sqlite_put(struct store *base, const struct schema_row *row, struct err *e)
{
    struct store_sqlite *s = from_base(base);
    assert(!sqlite3_get_autocommit(s->db));
    s->data_changed = 1;
    sqlite3_stmt *stmt = put_stmt(s, row->ds, e);
    if (!stmt)
        return ERR_STORE;
    const struct schema_dataset *d = schema_dataset(row->ds);
    int rc = bind_row(stmt, d, int_cols(s, row->ds), row);
    /* an insert sets the last rowid (never 0: rowids count from 1), an update of the stored
     * row with the key does not */
    sqlite3_set_last_insert_rowid(s->db, 0);
    if (rc == SQLITE_OK)
        rc = sqlite3_step(stmt);
    if (rc == SQLITE_DONE && row->ds == DS_TRACKING && sqlite3_last_insert_rowid(s->db) == 0)
        s->tracking_rewritten = 1;
    int ret = 0;
    if (rc != SQLITE_DONE) {
        if (row->line)
            ret = fail(s, rc, e, "storing the %s row of line %llu", d->name,
                       (unsigned long long)row->line);
        else
            ret = fail(s, rc, e, "storing a %s row", d->name);
    }
    sqlite3_reset(stmt);
    return ret;
}

/* Rows in groups of up to PUT_MANY of one dataset, each group as one INSERT OR IGNORE of
 * rows_module's rows; a group of one by the one-row upsert.
 *
 * Why not a multi-row upsert (INSERT ... ON CONFLICT DO UPDATE of many rows): a statement
 * that can fail after changing some rows needs a statement journal inside our
 * transaction, and SQLite writes into it the page image of every page the statement changes
 * that existed before it began (in /var/tmp unless temp_store is MEMORY). With keys that
 * arrive in random order (the content-hash ids of files without a tracking_id) each row
 * changes another page of the key's UNIQUE index: 32 pages of 16 KiB per statement, 2.19
 * million pwrite calls for 1M rows, 9.6 times DuckDB's time. INSERT OR IGNORE cannot fail
 * on a constraint (a conflict skips the row), so it runs without a statement journal;
 * neither does a one-row upsert (its checks come before its writes).
 *
 * When a group inserted fewer rows than it has, some keys were stored already (or repeat
 * within the group); when its statement failed (a value too long, say), it may have
 * inserted some of its rows, as nothing rolls back a statement without a journal. Either
 * way the whole group then goes through the one-row upsert, in order: the rows the group
 * inserted are updated to the same values, the others take the new values, and a key
 * repeated in the group ends with its last row's values, so the result is that of
 * store_put of each row in order, and a failing row is named by the one-row upsert. */
static int sqlite_put_many(struct store *base, const struct schema_row *rows, size_t n,
                           struct err *e)
{
    struct store_sqlite *s = from_base(base);
    s->data_changed = 1;
    int written = 0;
    if (s->bulk)
        written = start_writeback(s, n, e);
    else
        wal_writeback(s, n);
    if (written < 0)
        return written;
    for (size_t i = 0; i < n;) {
        size_t end = i + 1;
        while (end < n && end - i < PUT_MANY && rows[end].ds == rows[i].ds)
            end++;
        const struct schema_dataset *d = schema_dataset(rows[i].ds);
        size_t count = end - i;
        int tried = count > 1 && s->put_many_backoff == 0;
        int64_t inserted = -1;
        if (count > 1 && !tried)
            s->put_many_backoff--;
        if (tried) {
            sqlite3_stmt *stmt = put_stmt_n(s, rows[i].ds, 1, e);
            if (!stmt)
                return ERR_STORE;
            struct rows_arg arg = {&rows[i], count, int_cols(s, rows[i].ds), d->ncols};
            int rc = sqlite3_bind_pointer(stmt, 1, &arg, ROWS_POINTER_TYPE, NULL);
            if (rc == SQLITE_OK)
                rc = sqlite3_step(stmt);
            if (rc == SQLITE_DONE)
                inserted = sqlite3_changes64(s->db);
            if (rc != SQLITE_DONE && sqlite3_get_autocommit(s->db)) {
                /* SQLite rolled the transaction back (disk full, I/O error): nothing may
                 * be written after it, outside a transaction */
                int ret = fail(s, rc, e, "storing the %s rows", d->name);
                sqlite3_reset(stmt);
                sqlite3_clear_bindings(stmt);
                return ret;
            }
            sqlite3_reset(stmt);
            sqlite3_clear_bindings(stmt); /* the pointer is to the caller's rows */
        }
        if (inserted != (int64_t)count) {
            if (tried)
                s->put_many_backoff = PUT_MANY_BACKOFF;
            for (size_t k = i; k < end; k++) {
                int rc = sqlite_put(base, &rows[k], e);
                if (rc < 0)
                    return rc;
            }
        }
        i = end;
    }
    return 0;
}

/* ---- reads --------------------------------------------------------------------------- */

static int sqlite_count(struct store *base, enum dataset ds, int64_t *n, struct err *e)
{
    struct store_sqlite *s = from_base(base);
    const struct schema_dataset *d = schema_dataset(ds);
    struct buf sql = BUF_INIT;
    buf_puts(&sql, "SELECT count(*) FROM ");
    store_sql_ident(&sql, d->name);
    char what[128];
    snprintf(what, sizeof what, "counting the %s rows", d->name);
    int rc = query_int(s, buf_cstr(&sql), n, e, what);
    buf_release(&sql);
    return rc;
}

/* Copies the current result row (columns in canonical order, then extra) into row. */
/* Fills row from the result columns of stmt: result column j holds canonical column sel[j]
 * (d->ncols for `extra`). */
static int row_from_stmt(struct store_sqlite *s, sqlite3_stmt *stmt, const struct schema_dataset *d,
                         const int *sel, int nsel, struct schema_row *row, struct err *e)
{
    for (int j = 0; j < nsel; j++) {
        int i = sel[j];
        /* Each value read through its sqlite3_value: the sqlite3_column_* calls each check
         * the column and the connection's state again (a load of 200,000 rows: 268 million
         * instructions of 1,628 million in those calls). The value is SQLite's "unprotected"
         * kind, safe to read here: the connection has no mutex (SQLITE_OPEN_NOMUTEX) and only
         * this thread uses it; it stays valid until the next step. */
        sqlite3_value *v = sqlite3_column_value(stmt, j);
        int type = sqlite3_value_type(v);
        if (type == SQLITE_NULL)
            continue;
        if (i < d->ncols && schema_kind_is_int(d->cols[i].kind)) {
            schema_row_set_int(row, i, sqlite3_value_int64(v));
            continue;
        }
        const char *text = (const char *)sqlite3_value_text(v);
        if (!text)
            return fail(s, SQLITE_NOMEM, e, "reading the %s rows", d->name);
        size_t len = (size_t)sqlite3_value_bytes(v);
        if (i < d->ncols) /* SQLite's copy stays valid until the next step */
            schema_row_borrow_text(row, i, text, len);
        else
            schema_row_set_extra(row, text, len);
    }
    return 0;
}

/* Statements for reads are prepared per call: a callback may itself read the store. */
/* The rows of a dataset in rowid order; with part < nparts, only the part-th of nparts
 * equal slices of the rowid range. */
static int scan_rows(struct store_sqlite *s, enum dataset ds, int part, int nparts, int64_t lo,
                     uint64_t columns, store_row_fn fn, void *ctx, struct err *e)
{
    const struct schema_dataset *d = schema_dataset(ds);
    char what[128];
    snprintf(what, sizeof what, "reading the %s rows", d->name);
    int64_t hi = INT64_MAX;
    struct buf sql = BUF_INIT;
    int rc = 0;
    if (nparts > 1) {
        /* One subquery each: SQLite looks up a lone min() or max() at the end of the rowid
         * tree, but answers both at once by reading a whole index (at 8.5M tracking rows the
         * tracking_id index, into a 64 MB page cache on each connection of the load). */
        buf_puts(&sql, "SELECT (SELECT min(rowid) FROM ");
        store_sql_ident(&sql, d->name);
        buf_puts(&sql, "), (SELECT max(rowid) FROM ");
        store_sql_ident(&sql, d->name);
        buf_puts(&sql, ")");
        sqlite3_stmt *range;
        rc = prepare(s, buf_cstr(&sql), 0, &range, e, what);
        if (rc < 0) {
            buf_release(&sql);
            return rc;
        }
        int step = sqlite3_step(range);
        if (step == SQLITE_ROW && sqlite3_column_type(range, 0) != SQLITE_NULL) {
            int64_t min = sqlite3_column_int64(range, 0), max = sqlite3_column_int64(range, 1);
            __int128 span = (__int128)max - min + 1;
            lo = (int64_t)(min + span * part / nparts);
            hi = (int64_t)(min + span * (part + 1) / nparts - 1);
        } else if (step != SQLITE_ROW) {
            rc = fail(s, step, e, "%s", what);
        }
        sqlite3_finalize(range);
        buf_reset(&sql);
        if (rc < 0) {
            buf_release(&sql);
            return rc;
        }
    }
    /* the columns asked for (all when columns is 0), `extra` as bit d->ncols */
    int sel[SCHEMA_MAX_COLS + 1], nsel = 0;
    buf_puts(&sql, "SELECT ");
    for (int i = 0; i <= d->ncols; i++) {
        if (columns && !(columns >> i & 1))
            continue;
        if (nsel > 0)
            buf_puts(&sql, ",");
        store_sql_ident(&sql, i < d->ncols ? d->cols[i].name : "extra");
        sel[nsel++] = i;
    }
    if (nsel == 0)
        buf_puts(&sql, "1");
    buf_puts(&sql, " FROM ");
    store_sql_ident(&sql, d->name);
    buf_puts(&sql, " WHERE rowid BETWEEN ?1 AND ?2 ORDER BY rowid");
    sqlite3_stmt *stmt;
    rc = prepare(s, buf_cstr(&sql), 0, &stmt, e, what);
    buf_release(&sql);
    if (rc < 0)
        return rc;
    sqlite3_bind_int64(stmt, 1, lo);
    sqlite3_bind_int64(stmt, 2, hi);
    /* A scan reads each page once: a small page cache for it (the 64 MB of configure, on
     * each of the engine load's connections, were a quarter of the server's peak memory at
     * 10M rows), given back to the allocator after it. Not inside a write transaction,
     * whose dirty pages a smaller cache would spill to the file before the commit. */
    int small_cache = sqlite3_txn_state(s->db, NULL) != SQLITE_TXN_WRITE;
    if (small_cache)
        sqlite3_exec(s->db, SCAN_CACHE_SIZE_PRAGMA, NULL, NULL, NULL);

    struct schema_row row;
    schema_row_init(&row, ds);
    for (;;) {
        int step = sqlite3_step(stmt);
        if (step == SQLITE_DONE)
            break;
        if (step != SQLITE_ROW) {
            rc = fail(s, step, e, "%s", what);
            break;
        }
        schema_row_clear(&row);
        row.ds = ds;
        rc = row_from_stmt(s, stmt, d, sel, nsel, &row, e);
        if (rc < 0)
            break;
        rc = fn(ctx, &row);
        if (rc < 0)
            break;
        rc = 0;
    }
    schema_row_release(&row);
    sqlite3_finalize(stmt);
    if (small_cache) {
        sqlite3_exec(s->db, CACHE_SIZE_PRAGMA, NULL, NULL, NULL);
        sqlite3_db_release_memory(s->db);
    }
    return rc;
}

static int sqlite_scan(struct store *base, enum dataset ds, store_row_fn fn, void *ctx,
                       struct err *e)
{
    return scan_rows(from_base(base), ds, 0, 1, INT64_MIN, 0, fn, ctx, e);
}

static int sqlite_scan_part(struct store *base, enum dataset ds, int part, int nparts,
                            uint64_t columns, store_row_fn fn, void *ctx, struct err *e)
{
    return scan_rows(from_base(base), ds, part, nparts, INT64_MIN, columns, fn, ctx, e);
}

static int sqlite_scan_after(struct store *base, enum dataset ds, int64_t seq, uint64_t columns,
                             store_row_fn fn, void *ctx, struct err *e)
{
    return scan_rows(from_base(base), ds, 0, 1, seq == INT64_MAX ? seq : seq + 1, columns, fn, ctx,
                     e);
}

static int sqlite_last_seq(struct store *base, enum dataset ds, int64_t *seq, struct err *e)
{
    struct buf sql = BUF_INIT;
    buf_puts(&sql, "SELECT coalesce(max(rowid), 0) FROM ");
    store_sql_ident(&sql, schema_dataset(ds)->name);
    int rc = query_int(from_base(base), buf_cstr(&sql), seq, e, "reading the last row number");
    buf_release(&sql);
    return rc;
}

/* Prepares sql and calls fn with the text of column 0 of each result row. */
static int each_text(struct store_sqlite *s, const char *sql, const char *what, store_key_fn fn,
                     void *ctx, struct err *e)
{
    sqlite3_stmt *stmt;
    int rc = prepare(s, sql, 0, &stmt, e, what);
    if (rc < 0)
        return rc;
    for (;;) {
        int step = sqlite3_step(stmt);
        if (step == SQLITE_DONE)
            break;
        if (step != SQLITE_ROW) {
            rc = fail(s, step, e, "%s", what);
            break;
        }
        const char *text = (const char *)sqlite3_column_text(stmt, 0);
        if (!text) {
            rc = fail(s, SQLITE_NOMEM, e, "%s", what);
            break;
        }
        rc = fn(ctx, text, (size_t)sqlite3_column_bytes(stmt, 0));
        if (rc < 0)
            break;
        rc = 0;
    }
    sqlite3_finalize(stmt);
    return rc;
}

static int sqlite_each_key(struct store *base, enum dataset ds, store_key_fn fn, void *ctx,
                           struct err *e)
{
    struct store_sqlite *s = from_base(base);
    const struct schema_dataset *d = schema_dataset(ds);
    struct buf sql = BUF_INIT;
    buf_puts(&sql, "SELECT ");
    store_sql_ident(&sql, d->cols[store_key_col(d)].name);
    buf_puts(&sql, " FROM ");
    store_sql_ident(&sql, d->name);
    buf_puts(&sql, " ORDER BY rowid");
    char what[128];
    snprintf(what, sizeof what, "reading the %s keys", d->name);
    int rc = each_text(s, buf_cstr(&sql), what, fn, ctx, e);
    buf_release(&sql);
    return rc;
}

/* SELECT DISTINCT j.key FROM t, json_each(t.extra) AS j ORDER BY j.key, into a
 * store_key_list. */
static int sqlite_extra_keys(struct store *base, enum dataset ds, char ***keys, size_t *n,
                             struct err *e)
{
    struct store_sqlite *s = from_base(base);
    const struct schema_dataset *d = schema_dataset(ds);
    struct buf sql = BUF_INIT;
    buf_puts(&sql, "SELECT DISTINCT j.key FROM ");
    store_sql_ident(&sql, d->name);
    buf_puts(&sql, " AS t, json_each(t.\"extra\") AS j WHERE t.\"extra\" IS NOT NULL "
                   "ORDER BY j.key");
    char what[128];
    snprintf(what, sizeof what, "listing the extra columns of %s", d->name);
    struct store_key_list kl;
    store_key_list_init(&kl);
    int rc = each_text(s, buf_cstr(&sql), what, store_key_list_add, &kl, e);
    buf_release(&sql);
    return store_key_list_finish(&kl, rc, s->path, what, keys, n, e);
}

static const struct store_ops sqlite_ops = {
    .backend = "sqlite",
    .close = sqlite_close,
    .schema_version = sqlite_schema_version,
    .begin = sqlite_begin,
    .begin_bulk = sqlite_begin_bulk,
    .commit = sqlite_commit,
    .rollback = sqlite_rollback,
    .clear = sqlite_clear,
    .put = sqlite_put,
    .put_many = sqlite_put_many,
    .count = sqlite_count,
    .scan = sqlite_scan,
    .scan_part = sqlite_scan_part,
    .last_seq = sqlite_last_seq,
    .scan_after = sqlite_scan_after,
    .read_begin = sqlite_read_begin,
    .data_version = sqlite_data_version,
    .data_stamp = sqlite_data_stamp,
    .check_file = sqlite_check_file,
    .each_key = sqlite_each_key,
    .extra_keys = sqlite_extra_keys,
    .sql = sqlite_sql,
};
