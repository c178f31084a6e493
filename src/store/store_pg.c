/* store_pg.c — the PostgreSQL backend of the store (see store.h, store_impl.h), for teams and
 * several infludash instances on one database. The same tables as SQLite (schema.h's
 * columns, BIGINT or TEXT by kind, `extra` JSON text) plus a `seq` identity column that
 * plays SQLite's rowid: scans follow it, so rows come back in insertion order and an upsert
 * keeps the row's place. Bulk writes stream through COPY (binary) straight into the
 * dataset's table, a batch under a savepoint; a batch that repeats a key (a re-import) goes
 * again through a temporary staging table and one INSERT ... ON CONFLICT, and so do the
 * dataset's later batches. Every other statement is PQexecParams with bound values. Calls libpq,
 * store_sql, store_jobs (the DDL of version 3), schema (dataset tables, row setters), buf and err.
 */
#include "store_sql.h"

#include <assert.h>
#include <poll.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libpq-fe.h>

#include "buf.h"

#include "banned.h"

/* A writer waits this long for another writer's transaction before giving up (SQLite's
 * busy timeout). */
#define LOCK_TIMEOUT "5s"
/* Advisory lock keys (class, object): one database-wide lock for migrations, one for
 * writers, so that writers serialise like SQLite's BEGIN IMMEDIATE. */
#define LOCK_CLASS 0x1f1d0a5
#define LOCK_MIGRATE 1
#define LOCK_WRITE 2
/* COPY data goes to the server in chunks of this size. */
#define COPY_CHUNK (64 * 1024)
/* A batch ends when this many rows or bytes of COPY data are in it (and before any other
 * statement). Its data is kept until it ends, to be sent again to the staging table when
 * it repeats a key, so the bytes bound that memory. */
#define STAGE_ROWS 65536
#define STAGE_BYTES (16 * 1024 * 1024)
/* Rows per FETCH of a scan. */
#define FETCH_ROWS "10000"
/* The channel every writing commit notifies; each connection listens on it. */
#define NOTIFY_CHANNEL "infludash_data"

#define OID_INT8 20
#define OID_TEXT 25

enum tx_state {
    TX_NONE,
    TX_WRITE, /* store_begin */
    TX_READ,  /* store_read_begin */
    TX_LOST,  /* the connection went away during a transaction: only rollback clears it */
};

struct store_pg {
    struct store base; /* first: store.c sees only this */
    PGconn *conn;
    char *location; /* the URL without its password */
    enum tx_state tx;
    int stage_ready[DS_COUNT]; /* the staging table exists in this transaction */
    /* A batch of this dataset repeated a key in this transaction: its later batches go
     * through the staging table at once. */
    int stage_always[DS_COUNT];
    /* A COPY in progress (stage_ds >= 0), into the dataset's table under the savepoint
     * infludash_stage (stage_direct) or into its staging table: either way the batch is
     * not settled until stage_flush. */
    int stage_ds;
    int stage_direct;
    int64_t stage_seq; /* a direct batch's first seq: its rows take the next ones */
    int64_t stage_rows;
    uint64_t stage_first_line, stage_last_line;
    struct buf copy;  /* the batch's COPY data: all of it when stage_direct */
    size_t copy_sent; /* bytes of copy already sent */
    int cursor_depth; /* open scan cursors (a callback may scan again) */
    int lost;         /* the session ended: the next call reconnects */
    int write_lock;   /* the writers' advisory lock object: one per schema */
    /* This transaction replaced or removed stored tracking rows, or may have: its commit
     * records its version as data_version.rewritten (migration_7). */
    int tracking_rewritten;
};

static struct store_pg *from_base(struct store *base)
{
    return (struct store_pg *)base;
}

/* ---- errors -------------------------------------------------------------------------- */

/* libpq's messages end with a line break and may span lines ("...\n\tIs the server
 * running..."): one line for ours. */
static void one_line(char *out, size_t size, const char *msg)
{
    size_t n = 0;
    for (const char *p = msg ? msg : ""; *p && n + 1 < size; p++) {
        if (*p == '\n' || *p == '\t') {
            if (n > 0 && out[n - 1] != ' ' && p[1])
                out[n++] = *p == '\n' ? ';' : ' ';
            if (n + 1 < size && n > 0 && out[n - 1] != ' ' && p[1])
                out[n++] = ' ';
            continue;
        }
        out[n++] = *p;
    }
    while (n > 0 && (out[n - 1] == ' ' || out[n - 1] == ';'))
        n--;
    out[n] = '\0';
}

/* What a failure means and what to do, for the SQLSTATEs a user can act on; NULL for the
 * rest, which are reported with PostgreSQL's own message. */
static const char *explain(const char *state)
{
    if (!state)
        return NULL;
    if (strcmp(state, "55P03") == 0)
        return "database is locked by another process (try again, or stop the other import)";
    if (strcmp(state, "53100") == 0)
        return "the database server's disk is full (free some space and try again)";
    if (strcmp(state, "53200") == 0)
        return "the database server is out of memory (try again, or import smaller files)";
    if (strcmp(state, "53300") == 0)
        return "the database server has too many connections (raise max_connections, or "
               "stop some clients)";
    if (strcmp(state, "42501") == 0)
        return "permission denied (the PostgreSQL user in the URL needs to own the "
               "infludash tables, or the right to create them)";
    if (strcmp(state, "25006") == 0)
        return "the database is read-only (a standby? point --db at the primary)";
    return NULL;
}

/* Fills e with "LOCATION: lost the connection to PostgreSQL: ..." and returns ERR_STORE;
 * the next call reconnects. A transaction in progress is gone with the connection. */
static int fail_lost_because(struct store_pg *s, struct err *e, const char *what, const char *why)
{
    char msg[512];
    one_line(msg, sizeof msg, why);
    s->lost = 1;
    if (s->tx != TX_NONE)
        s->tx = TX_LOST;
    s->stage_ds = -1;
    s->stage_direct = 0;
    buf_reset(&s->copy);
    s->copy_sent = 0;
    s->cursor_depth = 0;
    return err_set(e, ERR_STORE,
                   "%s: %s: lost the connection to PostgreSQL at %s: %s (infludash reconnects "
                   "on the next request; check that the server is running)",
                   s->location, what, s->location, msg[0] ? msg : "no reason given");
}

static int fail_lost(struct store_pg *s, struct err *e, const char *what)
{
    return fail_lost_because(s, e, what, PQerrorMessage(s->conn));
}

/* SQLSTATEs that end the session: connection exceptions (08) and the server shutting
 * down or terminating this backend (57P01-57P03). */
static int ends_session(const char *state)
{
    return state && (strncmp(state, "08", 2) == 0 || strncmp(state, "57P0", 4) == 0);
}

/* Fills e with "LOCATION: WHAT: what went wrong (what to do)" for a failed statement (res
 * may be NULL) and returns ERR_STORE. */
static int fail(struct store_pg *s, const PGresult *res, struct err *e, const char *what_fmt, ...)
    __attribute__((format(printf, 4, 5)));
static int fail(struct store_pg *s, const PGresult *res, struct err *e, const char *what_fmt, ...)
{
    char what[256];
    va_list ap;
    va_start(ap, what_fmt);
    vsnprintf(what, sizeof what, what_fmt, ap);
    va_end(ap);

    if (PQstatus(s->conn) != CONNECTION_OK)
        return fail_lost(s, e, what);
    const char *state = res ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : NULL;
    if (ends_session(state))
        return fail_lost_because(s, e, what, PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY));
    const char *known = explain(state);
    if (known)
        return err_set(e, ERR_STORE, "%s: %s: %s", s->location, what, known);
    char msg[512];
    const char *primary = res ? PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY) : NULL;
    one_line(msg, sizeof msg, primary ? primary : PQerrorMessage(s->conn));
    return err_set(e, ERR_STORE, "%s: %s: %s (PostgreSQL error %s)", s->location, what,
                   msg[0] ? msg : "unknown error", state ? state : "without a code");
}

/* ---- statements ---------------------------------------------------------------------- */

/* Drops notices ("relation already exists, skipping"): libpq would print them on stderr. */
static void ignore_notice(void *arg, const char *message)
{
    (void)arg;
    (void)message;
}

/* Runs sql with the given parameters (binary when formats says so) and returns its result
 * when it succeeded (PGRES_COMMAND_OK or PGRES_TUPLES_OK), else NULL with e filled. The
 * caller PQclears the result. */
static PGresult *run_params(struct store_pg *s, const char *sql, int nparams, const Oid *types,
                            const char *const *values, const int *lengths, const int *formats,
                            int binary_result, struct err *e, const char *what)
{
    PGresult *res =
        PQexecParams(s->conn, sql, nparams, types, values, lengths, formats, binary_result);
    ExecStatusType st = res ? PQresultStatus(res) : PGRES_FATAL_ERROR;
    if (st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK)
        return res;
    fail(s, res, e, "%s", what);
    PQclear(res);
    return NULL;
}

/* Statements without values (transaction control, DDL), possibly several: the simple
 * protocol, whose result is the last statement's. */
static int exec_sql(struct store_pg *s, const char *sql, struct err *e, const char *what)
{
    PGresult *res = PQexec(s->conn, sql);
    ExecStatusType st = res ? PQresultStatus(res) : PGRES_FATAL_ERROR;
    int rc = 0;
    if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK)
        rc = fail(s, res, e, "%s", what);
    PQclear(res);
    return rc;
}

/* A query that yields one integer (text result), 0 when it yields NULL. */
static int query_int(struct store_pg *s, const char *sql, int64_t *out, struct err *e,
                     const char *what)
{
    PGresult *res = run_params(s, sql, 0, NULL, NULL, NULL, NULL, 0, e, what);
    if (!res)
        return ERR_STORE;
    int rc = 0;
    if (PQntuples(res) != 1 || PQnfields(res) < 1) {
        rc = err_set(e, ERR_STORE, "%s: %s: the server answered %d rows instead of one",
                     s->location, what, PQntuples(res));
    } else {
        const char *v = PQgetvalue(res, 0, 0);
        *out = PQgetisnull(res, 0, 0) ? 0 : strtoll(v, NULL, 10);
    }
    PQclear(res);
    return rc;
}

static void put_be64(unsigned char *p, int64_t v)
{
    uint64_t u = (uint64_t)v;
    for (int i = 7; i >= 0; i--) {
        p[i] = (unsigned char)(u & 0xff);
        u >>= 8;
    }
}

static int64_t get_be64(const unsigned char *p)
{
    uint64_t u = 0;
    for (int i = 0; i < 8; i++)
        u = u << 8 | p[i];
    return (int64_t)u;
}

/* The column definitions: canonical columns, BIGINT or TEXT by kind (byte order, as
 * SQLite compares), then extra. with_key adds the key's NOT NULL UNIQUE. */
static void put_column_defs(struct buf *b, const struct schema_dataset *d, int with_key)
{
    for (int i = 0; i < d->ncols; i++) {
        const struct schema_col *c = &d->cols[i];
        assert(strcmp(c->name, "extra") != 0 && strcmp(c->name, "seq") != 0);
        store_sql_ident(b, c->name);
        buf_puts(b, schema_kind_is_int(c->kind) ? " BIGINT" : " TEXT COLLATE \"C\"");
        if (with_key && (c->flags & SCHEMA_KEY))
            buf_puts(b, " NOT NULL UNIQUE");
        buf_puts(b, ", ");
    }
    buf_puts(b, "\"extra\" TEXT");
}

/* ---- connection ---------------------------------------------------------------------- */

static int listen_for_changes(struct store_pg *s, struct err *e)
{
    return exec_sql(s, "LISTEN " NOTIFY_CHANNEL, e, "listening for changes");
}

/* Called first by every operation: a connection lost earlier is reset once (and LISTENs
 * again); when that fails too, the error says so. A transaction lost with the connection
 * is refused until store_rollback, so the rest of an import is never written outside it. */
static int ready(struct store_pg *s, struct err *e, const char *what)
{
    if (s->tx == TX_LOST)
        return err_set(e, ERR_STORE,
                       "%s: %s: the transaction was lost with the connection to PostgreSQL "
                       "(nothing of it was stored; try again)",
                       s->location, what);
    if (PQstatus(s->conn) == CONNECTION_OK && !s->lost)
        return 0;
    PQreset(s->conn);
    s->lost = 0;
    if (PQstatus(s->conn) != CONNECTION_OK)
        return fail_lost(s, e, what);
    for (int ds = 0; ds < DS_COUNT; ds++)
        s->stage_ready[ds] = s->stage_always[ds] = 0;
    return listen_for_changes(s, e);
}

/* ---- migrations ---------------------------------------------------------------------- */

static int dataset_ddl(struct store_pg *s, const struct schema_dataset *d, struct err *e)
{
    assert(d->ncols > 0 && d->ncols <= SCHEMA_MAX_COLS);
    struct buf sql = BUF_INIT;
    buf_puts(&sql, "CREATE TABLE ");
    store_sql_ident(&sql, d->name);
    buf_puts(&sql, " (");
    put_column_defs(&sql, d, 1);
    /* seq: insertion order (SQLite's rowid), last so the canonical columns come first */
    buf_puts(&sql, ", \"seq\" BIGINT GENERATED BY DEFAULT AS IDENTITY NOT NULL UNIQUE)");
    int rc = exec_sql(s, buf_cstr(&sql), e, "creating the dataset tables");
    buf_release(&sql);
    return rc;
}

/* Version 1: one table per dataset, the import log, and the data version counter. */
static int migration_1(struct store *base, struct err *e)
{
    struct store_pg *s = from_base(base);
    int rc = 0;
    for (int ds = 0; ds < DS_COUNT && rc == 0; ds++)
        rc = dataset_ddl(s, schema_dataset((enum dataset)ds), e);
    if (rc == 0)
        rc = exec_sql(s,
                      "CREATE TABLE imports ("
                      "id BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY, "
                      "dataset TEXT NOT NULL, file TEXT NOT NULL, mode TEXT NOT NULL, "
                      "accepted BIGINT NOT NULL, rejected BIGINT NOT NULL, "
                      "started_at BIGINT NOT NULL, finished_at BIGINT NOT NULL)",
                      e, "creating the import log table");
    if (rc == 0)
        rc = exec_sql(s,
                      "CREATE TABLE data_version (one BOOLEAN PRIMARY KEY DEFAULT true "
                      "CHECK (one), version BIGINT NOT NULL); "
                      "INSERT INTO data_version (version) VALUES (0)",
                      e, "creating the data version table");
    return rc;
}

/* Version 2: the installation's accounts (store_accounts_ddl) and the audit log. */
static int migration_2(struct store *base, struct err *e)
{
    struct store_pg *s = from_base(base);
    int rc = 0;
    for (size_t i = 0; store_accounts_ddl[i] && rc == 0; i++)
        rc = exec_sql(s, store_accounts_ddl[i], e, "creating the accounts tables");
    if (rc == 0)
        rc = exec_sql(s,
                      "CREATE TABLE audit ("
                      "id BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY, "
                      "at BIGINT NOT NULL, actor TEXT NOT NULL, action TEXT NOT NULL, "
                      "workspace TEXT NOT NULL, target TEXT NOT NULL, detail TEXT NOT NULL)",
                      e, "creating the audit table");
    return rc;
}

/* Version 3: sources, scheduled reports and their runs (SPEC §9; store_jobs.c). */
static int migration_3(struct store *base, struct err *e)
{
    struct store_pg *s = from_base(base);
    int rc = 0;
    for (size_t i = 0; store_jobs_ddl[i] && rc == 0; i++)
        rc = exec_sql(s, store_jobs_ddl[i], e, "creating the sources and reports tables");
    if (rc == 0)
        rc = exec_sql(s,
                      "CREATE TABLE runs (id BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY "
                      "KEY, " STORE_RUNS_COLUMNS ")",
                      e, "creating the runs table");
    if (rc == 0)
        rc = exec_sql(s, "CREATE INDEX runs_job ON runs (job, name, id)", e,
                      "creating the runs table");
    return rc;
}

/* Version 4: the columns of SPEC §10 (influencers' payment details, payouts' kind), those
 * marked SCHEMA_SINCE_4; a database created by this build has them from version 1. */
static int migration_4(struct store *base, struct err *e)
{
    struct store_pg *s = from_base(base);
    struct buf sql = BUF_INIT;
    int rc = 0;
    for (int ds = 0; ds < DS_COUNT && rc == 0; ds++) {
        const struct schema_dataset *d = schema_dataset((enum dataset)ds);
        for (int i = 0; i < d->ncols && rc == 0; i++) {
            const struct schema_col *c = &d->cols[i];
            if (!(c->flags & SCHEMA_SINCE_4))
                continue;
            buf_reset(&sql);
            buf_puts(&sql, "ALTER TABLE ");
            store_sql_ident(&sql, d->name);
            buf_puts(&sql, " ADD COLUMN IF NOT EXISTS ");
            store_sql_ident(&sql, c->name);
            buf_puts(&sql, schema_kind_is_int(c->kind) ? " BIGINT" : " TEXT COLLATE \"C\"");
            rc = exec_sql(s, buf_cstr(&sql), e, "adding the payment detail columns");
        }
    }
    buf_release(&sql);
    return rc;
}

/* Version 5: a random id of the database beside its data version, so that the two stamp
 * its rows (store_data_stamp), as SQLite's version 5 does. */
static int migration_5(struct store *base, struct err *e)
{
    return exec_sql(from_base(base),
                    "ALTER TABLE data_version ADD COLUMN IF NOT EXISTS id BIGINT NOT NULL "
                    "DEFAULT ((random() - 0.5) * 9.2e18)::bigint",
                    e, "adding the database id to the data version table");
}

static int record_migration(struct store *base, int version, struct err *e)
{
    struct store_pg *s = from_base(base);
    char v[16];
    snprintf(v, sizeof v, "%d", version);
    const char *values[] = {v};
    PGresult *res = run_params(s,
                               "INSERT INTO schema_migrations (version, applied_at) VALUES "
                               "($1, to_char(now() AT TIME ZONE 'UTC', "
                               "'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"'))",
                               1, NULL, values, NULL, NULL, 0, e, "recording a migration");
    if (!res)
        return ERR_STORE;
    PQclear(res);
    return 0;
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

/* The migration's transaction under an advisory lock, so that instances starting together
 * migrate once. */
static int begin_migration(struct store *base, struct err *e)
{
    struct store_pg *s = from_base(base);
    int rc = exec_sql(s, "BEGIN", e, "starting the schema migration");
    if (rc < 0)
        return rc;
    char lock[96];
    snprintf(lock, sizeof lock, "SELECT pg_advisory_xact_lock(%d, %d)", LOCK_CLASS, LOCK_MIGRATE);
    return exec_sql(s, lock, e, "waiting for another instance's schema migration");
}

static void abort_migration(struct store *base)
{
    struct store_pg *s = from_base(base);
    if (PQtransactionStatus(s->conn) != PQTRANS_IDLE)
        PQclear(PQexec(s->conn, "ROLLBACK"));
}

/* The same versions as SQLite's. */
/* Version 6: nothing here (SQLite's data_version.rewritten; PostgreSQL's is version 7). */
static int migration_6(struct store *base, struct err *e)
{
    (void)base;
    (void)e;
    return 0;
}

/* Version 7: data_version.rewritten, as SQLite's version 6: the version of the newest commit
 * that replaced or removed stored tracking rows, or may have (pg_commit), so that an engine
 * of an older version (a server's, or its --engine-cache file) is extended by the rows
 * appended since, those after its last seq, instead of loaded again. Before it every writing
 * commit counted as a rewrite. A database migrated here counts as rewritten at its current
 * version. */
static int migration_7(struct store *base, struct err *e)
{
    struct store_pg *s = from_base(base);
    return exec_sql(s,
                    "ALTER TABLE data_version ADD COLUMN IF NOT EXISTS rewritten BIGINT NOT NULL "
                    "DEFAULT 0; UPDATE data_version SET rewritten = version",
                    e, "adding the rewrite version to the data version table");
}

static const struct store_dialect pg_dialect = {
    .exec = dialect_exec,
    .query_int = dialect_query_int,
    .begin_migration = begin_migration,
    .abort_migration = abort_migration,
    .record_migration = record_migration,
    .has_migrations_sql = "SELECT count(*) FROM pg_catalog.pg_tables WHERE schemaname = "
                          "current_schema() AND tablename = 'schema_migrations'",
    .count_tables_sql = "SELECT count(*) FROM pg_catalog.pg_tables WHERE schemaname = "
                        "current_schema()",
    .not_ours = "a PostgreSQL database, but not an infludash one (its schema has tables and "
                "no schema_migrations); point --db at a new database or an infludash one",
    .migrations = {migration_1, migration_2, migration_3, migration_4, migration_5, migration_6,
                   migration_7},
};

/* ---- open and close ------------------------------------------------------------------ */

/* The URL for messages: "scheme://user:password@host" loses ":password", and a
 * password=... parameter is dropped. */
static char *url_without_password(const char *url)
{
    struct buf out = BUF_INIT;
    const char *scheme = strstr(url, "://");
    const char *auth = scheme ? scheme + 3 : url;
    size_t auth_len = strcspn(auth, "/?");
    const char *at = memchr(auth, '@', auth_len);
    const char *colon = at ? memchr(auth, ':', (size_t)(at - auth)) : NULL;
    if (colon) {
        buf_append(&out, url, (size_t)(colon - url));
        url = at;
    }
    const char *query = strchr(url, '?');
    if (!query) {
        buf_puts(&out, url);
        return buf_detach(&out);
    }
    buf_append(&out, url, (size_t)(query - url));
    const char *p = query + 1;
    char sep = '?';
    while (*p) {
        size_t len = strcspn(p, "&");
        if (!(len >= 9 && strncmp(p, "password=", 9) == 0)) {
            buf_putc(&out, sep);
            buf_append(&out, p, len);
            sep = '&';
        }
        p += len;
        if (*p == '&')
            p++;
    }
    return buf_detach(&out);
}

static void abort_copy(struct store_pg *s);

static void pg_close(struct store *base)
{
    struct store_pg *s = from_base(base);
    if (s->conn) {
        abort_copy(s);
        PQfinish(s->conn); /* an open transaction is rolled back by the server */
    }
    buf_release(&s->copy);
    free(s->location);
    free(s);
}

static const struct store_ops pg_ops;

/* FNV-1a of the schema name, kept clear of the main schema's LOCK_WRITE. */
static int schema_lock(const char *schema)
{
    uint32_t h = 2166136261u;
    for (const unsigned char *p = (const unsigned char *)schema; *p; p++)
        h = (h ^ *p) * 16777619u;
    return (int)(h & 0x3fffffff) | 0x40000000;
}

/* Connects to url; with schema (a plain identifier: the one url's search_path names, see
 * store_part_url), the schema is created first when create says so, else must exist
 * (ERR_NOTFOUND). Writers lock per search_path, so the parts of an installation do not
 * wait for each other. */
static int pg_connect(const char *url, const char *schema, int create, struct store **out,
                      struct err *e)
{
    struct store_pg *s = xcalloc(1, sizeof *s);
    s->base.ops = &pg_ops;
    s->location = url_without_password(url);
    s->base.location = s->location;
    s->stage_ds = -1;
    s->write_lock = LOCK_WRITE;
    buf_init(&s->copy);

    /* The URL, plus settings it cannot override by accident. */
    const char *keys[] = {"dbname", "client_encoding", "application_name", NULL};
    const char *values[] = {url, "UTF8", "infludash", NULL};
    s->conn = PQconnectdbParams(keys, values, 1);
    int rc = 0;
    if (!s->conn) {
        rc = err_set(e, ERR_STORE, "%s: cannot connect to PostgreSQL: out of memory", s->location);
        goto out;
    }
    if (PQstatus(s->conn) != CONNECTION_OK) {
        char msg[512];
        one_line(msg, sizeof msg, PQerrorMessage(s->conn));
        rc = err_set(e, ERR_STORE,
                     "%s: cannot connect to PostgreSQL: %s (check that the server is running "
                     "and the host, port, database, user and password in the URL)",
                     s->location, msg);
        goto out;
    }
    PQsetNoticeProcessor(s->conn, ignore_notice, NULL);
    if (schema) {
        struct buf sql = BUF_INIT;
        if (create) {
            buf_puts(&sql, "CREATE SCHEMA IF NOT EXISTS ");
            store_sql_ident(&sql, schema);
            rc = exec_sql(s, buf_cstr(&sql), e, "creating the schema");
        } else {
            int64_t n = 0;
            buf_puts(&sql, "SELECT count(*) FROM pg_namespace WHERE nspname = current_setting("
                           "'search_path')");
            rc = query_int(s, buf_cstr(&sql), &n, e, "looking for the schema");
            if (rc == 0 && n == 0)
                rc = err_set(e, ERR_NOTFOUND, "%s: schema %s does not exist yet", s->location,
                             schema);
        }
        buf_release(&sql);
    }
    if (rc == 0) {
        PGresult *res = PQexec(s->conn, "SELECT current_setting('search_path')");
        if (PQresultStatus(res) == PGRES_TUPLES_OK && PQntuples(res) == 1) {
            const char *path = PQgetvalue(res, 0, 0);
            if (strcmp(path, "\"$user\", public") != 0)
                s->write_lock = schema_lock(path);
        }
        PQclear(res);
    }
    if (rc == 0)
        rc = store_sql_migrate(&s->base, &pg_dialect, e);
    if (rc == 0)
        rc = listen_for_changes(s, e);
out:
    if (rc < 0) {
        pg_close(&s->base);
        return rc;
    }
    *out = &s->base;
    return 0;
}

int store_pg_open(const char *url, struct store **out, struct err *e)
{
    return pg_connect(url, NULL, 0, out, e);
}

int store_pg_open_schema(const char *url, const char *schema, int create, struct store **out,
                         struct err *e)
{
    return pg_connect(url, schema, create, out, e);
}

int store_pg_drop_schema(const char *url, const char *schema, struct err *e)
{
    struct store *base;
    int rc = pg_connect(url, NULL, 0, &base, e);
    if (rc < 0)
        return rc;
    struct store_pg *s = from_base(base);
    struct buf sql = BUF_INIT;
    buf_puts(&sql, "DROP SCHEMA IF EXISTS ");
    store_sql_ident(&sql, schema);
    buf_puts(&sql, " CASCADE");
    rc = exec_sql(s, buf_cstr(&sql), e, "removing the schema");
    buf_release(&sql);
    pg_close(base);
    return rc;
}

/* ---- staging: bulk writes through COPY ----------------------------------------------- */

/* The staging table of a dataset: its columns without constraints, `seq` (sent in every
 * batch, not used from here: the table gives its new rows theirs) and `ord` (the row's
 * place, numbered as the COPY fills it). Temporary, so private to this connection. */
static void stage_name(struct buf *b, const struct schema_dataset *d)
{
    buf_printf(b, "\"infludash_stage_%s\"", d->name);
}

/* Sends the COPY data gathered and not yet sent; a direct batch keeps it (stage_flush may
 * send it again to the staging table). */
static int copy_send(struct store_pg *s, struct err *e)
{
    if (s->copy.len == s->copy_sent)
        return 0;
    if (PQputCopyData(s->conn, s->copy.data + s->copy_sent, (int)(s->copy.len - s->copy_sent)) != 1)
        return fail_lost(s, e, "sending rows to PostgreSQL");
    if (s->stage_direct) {
        s->copy_sent = s->copy.len;
    } else {
        buf_reset(&s->copy);
        s->copy_sent = 0;
    }
    return 0;
}

/* Ends the COPY in progress (abort: with an error, so nothing of it stays). When
 * repeated_key is given, a unique violation (23505) sets it instead of failing. */
static int copy_end(struct store_pg *s, const char *abort_reason, int *repeated_key, struct err *e,
                    const char *what)
{
    int rc = 0;
    if (!abort_reason) {
        static const unsigned char trailer[2] = {0xff, 0xff};
        buf_append(&s->copy, trailer, sizeof trailer);
        rc = copy_send(s, e);
    }
    if (PQputCopyEnd(s->conn, abort_reason) != 1 && rc == 0)
        rc = fail_lost(s, e, what);
    PGresult *res;
    while ((res = PQgetResult(s->conn)) != NULL) {
        if (PQresultStatus(res) != PGRES_COMMAND_OK && rc == 0 && !abort_reason) {
            const char *state = PQresultErrorField(res, PG_DIAG_SQLSTATE);
            if (repeated_key && state && strcmp(state, "23505") == 0)
                *repeated_key = 1;
            else
                rc = fail(s, res, e, "%s", what);
        }
        PQclear(res);
    }
    return rc;
}

static void abort_copy(struct store_pg *s)
{
    if (s->stage_ds >= 0 && PQstatus(s->conn) == CONNECTION_OK)
        copy_end(s, "rolled back", NULL, NULL, "rolling back");
    s->stage_ds = -1;
    s->stage_direct = 0;
    s->stage_rows = 0;
    buf_reset(&s->copy);
    s->copy_sent = 0;
}

/* "COPY table (columns, extra) FROM STDIN (FORMAT binary)" and check that it started. */
static int copy_begin(struct store_pg *s, const char *sql, struct err *e, const char *what)
{
    PGresult *res = PQexec(s->conn, sql);
    int rc = 0;
    if (PQresultStatus(res) != PGRES_COPY_IN)
        rc = fail(s, res, e, "%s", what);
    PQclear(res);
    return rc;
}

/* Starts a COPY of the staging table, creating it when this transaction has not. The
 * sort of the upsert's ORDER BY fits in memory with a larger work_mem than the 4 MB
 * default (a batch is up to STAGE_BYTES). */
static int stage_copy_begin(struct store_pg *s, const struct schema_dataset *d, enum dataset ds,
                            struct err *e, const char *what)
{
    struct buf sql = BUF_INIT;
    int rc = 0;
    if (!s->stage_ready[ds]) {
        buf_puts(&sql, "CREATE TEMP TABLE IF NOT EXISTS ");
        stage_name(&sql, d);
        buf_puts(&sql, " (");
        put_column_defs(&sql, d, 0);
        buf_puts(&sql, ", \"seq\" BIGINT, \"ord\" BIGINT GENERATED ALWAYS AS IDENTITY); TRUNCATE ");
        stage_name(&sql, d);
        buf_puts(&sql, "; SET LOCAL work_mem = '64MB'");
        rc = exec_sql(s, buf_cstr(&sql), e, what);
        if (rc == 0)
            s->stage_ready[ds] = 1;
        buf_reset(&sql);
    }
    if (rc == 0) {
        buf_puts(&sql, "COPY ");
        stage_name(&sql, d);
        buf_puts(&sql, " (");
        store_sql_columns(&sql, d);
        buf_puts(&sql, ",\"seq\") FROM STDIN (FORMAT binary)");
        rc = copy_begin(s, buf_cstr(&sql), e, what);
    }
    buf_release(&sql);
    return rc;
}

/* "SELECT nextval(...)" or "SELECT setval(..." of the dataset's seq: its sequence. */
static void put_seq_call(struct buf *sql, const struct schema_dataset *d, const char *call)
{
    buf_printf(sql, "SELECT %s(pg_get_serial_sequence('", call);
    store_sql_ident(sql, d->name);
    buf_puts(sql, "', 'seq')");
}

/* Starts a batch: a COPY straight into the dataset's table under a savepoint, or, once a
 * batch of it repeated a key in this transaction, into its staging table. A direct batch
 * gives its rows their seq itself, from the sequence's next value on (measured: 15 % less
 * of the server's time than the column's default, a nextval per row); no other writer
 * takes one meanwhile (the writers' lock), and stage_flush moves the sequence past them. */
static int stage_start(struct store_pg *s, enum dataset ds, struct err *e)
{
    const struct schema_dataset *d = schema_dataset(ds);
    char what[128];
    snprintf(what, sizeof what, "preparing to store %s rows", d->name);
    int direct = !s->stage_always[ds];
    int rc;
    if (direct) {
        struct buf sql = BUF_INIT;
        rc = exec_sql(s, "SAVEPOINT infludash_stage", e, what);
        if (rc == 0) {
            put_seq_call(&sql, d, "nextval");
            buf_puts(&sql, ")");
            rc = query_int(s, buf_cstr(&sql), &s->stage_seq, e, what);
            buf_reset(&sql);
        }
        if (rc == 0) {
            buf_puts(&sql, "COPY ");
            store_sql_ident(&sql, d->name);
            buf_puts(&sql, " (");
            store_sql_columns(&sql, d);
            buf_puts(&sql, ",\"seq\") FROM STDIN (FORMAT binary)");
            rc = copy_begin(s, buf_cstr(&sql), e, what);
        }
        buf_release(&sql);
    } else {
        rc = stage_copy_begin(s, d, ds, e, what);
    }
    if (rc < 0)
        return rc;
    /* the binary COPY header: signature, flags, no extension */
    static const unsigned char header[19] = {'P', 'G', 'C', 'O', 'P', 'Y', '\n', 0xff, '\r', '\n',
                                             0,   0,   0,   0,   0,   0,   0,    0,    0};
    buf_reset(&s->copy);
    s->copy_sent = 0;
    buf_append(&s->copy, header, sizeof header);
    s->stage_ds = ds;
    s->stage_direct = direct;
    s->stage_rows = 0;
    return 0;
}

/* The binary COPY fields of a row, written at p: a field is its length (-1: NULL) in four
 * bytes, big-endian, then its bytes. */
static unsigned char *copy_be32(unsigned char *p, int32_t v)
{
    uint32_t u = (uint32_t)v;
    p[0] = (unsigned char)(u >> 24);
    p[1] = (unsigned char)(u >> 16);
    p[2] = (unsigned char)(u >> 8);
    p[3] = (unsigned char)u;
    return p + 4;
}

static unsigned char *copy_int(unsigned char *p, int64_t v)
{
    p = copy_be32(p, 8);
    put_be64(p, v);
    return p + 8;
}

static unsigned char *copy_text(unsigned char *p, const char *text, size_t len)
{
    p = copy_be32(p, (int32_t)len);
    if (len)
        memcpy(p, text, len);
    return p + len;
}

/* The bytes of a row's COPY tuple (see stage_row), or 0 when a value is larger than a
 * field takes (2 GB). */
static size_t copy_row_size(const struct schema_dataset *d, const struct schema_row *row)
{
    size_t n = 2 + 4 + (row->extra ? row->extra_len : 0) + 4 + 8;
    if (row->extra && row->extra_len > INT32_MAX)
        return 0;
    for (int i = 0; i < d->ncols; i++) {
        const struct schema_value *v = &row->v[i];
        n += 4;
        if (!v->present)
            continue;
        if (schema_kind_is_int(d->cols[i].kind))
            n += 8;
        else if (v->len > INT32_MAX)
            return 0;
        else
            n += v->len;
    }
    return n;
}

/* Appends one row to the COPY data: the columns, extra, seq (NULL for the staging table).
 * The tuple is put together first (on the stack when it is small) and appended at once:
 * a third of the writer's time went to the appends of its fields one by one. */
static int stage_row(struct store_pg *s, const struct schema_row *row, struct err *e)
{
    const struct schema_dataset *d = schema_dataset(row->ds);
    size_t size = copy_row_size(d, row);
    if (size == 0)
        return err_set(e, ERR_LIMIT,
                       "%s: storing the %s row of line %llu: a value is larger "
                       "than PostgreSQL takes (2 GB)",
                       s->location, d->name, (unsigned long long)row->line);
    unsigned char small[1024];
    unsigned char *tuple = size <= sizeof small ? small : xmalloc(size);
    unsigned char *p = tuple;
    *p++ = (unsigned char)((d->ncols + 2) >> 8);
    *p++ = (unsigned char)(d->ncols + 2);
    for (int i = 0; i < d->ncols; i++) {
        const struct schema_value *v = &row->v[i];
        if (!v->present)
            p = copy_be32(p, -1);
        else if (schema_kind_is_int(d->cols[i].kind))
            p = copy_int(p, v->i);
        else
            p = copy_text(p, v->s, v->len);
    }
    p = row->extra ? copy_text(p, row->extra, row->extra_len) : copy_be32(p, -1);
    p = s->stage_direct ? copy_int(p, s->stage_seq + s->stage_rows) : copy_be32(p, -1);
    assert((size_t)(p - tuple) <= size);
    buf_append(&s->copy, tuple, (size_t)(p - tuple));
    if (tuple != small)
        free(tuple);
    if (s->stage_rows == 0)
        s->stage_first_line = row->line;
    s->stage_last_line = row->line;
    s->stage_rows++;
    return s->copy.len - s->copy_sent >= COPY_CHUNK ? copy_send(s, e) : 0;
}

/* "(t.c, ..., t.extra)": the values but the key of table t, or of excluded when t is NULL. */
static void put_values_of(struct buf *sql, const struct schema_dataset *d, int key,
                          const char *table)
{
    buf_puts(sql, "(");
    for (int i = 0; i <= d->ncols; i++) {
        if (i == key)
            continue;
        if (table)
            store_sql_ident(sql, table);
        else
            buf_puts(sql, "excluded");
        buf_puts(sql, ".");
        store_sql_ident(sql, i < d->ncols ? d->cols[i].name : "extra");
        buf_puts(sql, i < d->ncols ? ", " : ")");
    }
}

/* " ON CONFLICT (key) DO UPDATE SET c = excluded.c, …, extra = excluded.extra WHERE the
 * values differ": an upsert replaces a row's values and keeps its place (seq); a row that
 * already holds them is left alone (re-importing a file writes no new row versions:
 * measured 10.5 → 7.9 s for 1M tracking rows). */
static void put_upsert_tail(struct buf *sql, const struct schema_dataset *d, int key)
{
    buf_puts(sql, " ON CONFLICT (");
    store_sql_ident(sql, d->cols[key].name);
    buf_puts(sql, ") DO UPDATE SET ");
    for (int i = 0; i < d->ncols; i++) {
        if (i == key)
            continue;
        store_sql_ident(sql, d->cols[i].name);
        buf_puts(sql, " = excluded.");
        store_sql_ident(sql, d->cols[i].name);
        buf_puts(sql, ", ");
    }
    buf_puts(sql, "\"extra\" = excluded.\"extra\" WHERE ");
    put_values_of(sql, d, key, d->name);
    buf_puts(sql, " IS DISTINCT FROM ");
    put_values_of(sql, d, key, NULL);
}

/* INSERT INTO "t" (cols, extra) SELECT the last version of each key, in the order each key
 * first appeared, ON CONFLICT ("key") DO UPDATE SET every other column: a batch applies
 * like store_put of each row in order. */
static void upsert_from_stage_sql(struct buf *sql, const struct schema_dataset *d, int dedup)
{
    int key = store_key_col(d);
    buf_puts(sql, "INSERT INTO ");
    store_sql_ident(sql, d->name);
    buf_puts(sql, " (");
    store_sql_columns(sql, d);
    buf_puts(sql, ") SELECT ");
    store_sql_columns(sql, d);
    if (!dedup) { /* every key once: the rows in order */
        buf_puts(sql, " FROM ");
        stage_name(sql, d);
        buf_puts(sql, " ORDER BY \"ord\"");
    } else {
        buf_puts(sql, " FROM (SELECT DISTINCT ON (");
        store_sql_ident(sql, d->cols[key].name);
        buf_puts(sql, ") *, min(\"ord\") OVER (PARTITION BY ");
        store_sql_ident(sql, d->cols[key].name);
        buf_puts(sql, ") AS \"first_ord\" FROM ");
        stage_name(sql, d);
        buf_puts(sql, " ORDER BY ");
        store_sql_ident(sql, d->cols[key].name);
        buf_puts(sql, ", \"ord\" DESC) AS \"latest\" ORDER BY \"first_ord\"");
    }
    put_upsert_tail(sql, d, key);
}

/* Runs sql (no values) and hands its result, whatever it is, to the caller to PQclear. */
static PGresult *exec_any(struct store_pg *s, const char *sql)
{
    return PQexec(s->conn, sql);
}

/* Moves the rows of the staging table into the dataset's table, then empties it. Most
 * batches repeat no key: the plain INSERT (measured: a third faster than sorting out
 * repeats) under a savepoint, and the deduplicating one only when PostgreSQL says a row
 * would be changed twice (cardinality_violation, 21000). */
static int upsert_from_stage(struct store_pg *s, const struct schema_dataset *d, struct err *e,
                             const char *what)
{
    int rc = exec_sql(s, "SAVEPOINT infludash_stage", e, what);
    if (rc < 0)
        return rc;
    struct buf sql = BUF_INIT;
    if (d == schema_dataset(DS_TRACKING) && !s->tracking_rewritten) {
        /* whether the batch meets a stored key (one stored before this transaction, or by
         * an earlier batch of it): then the upsert may replace rows (pg_commit) */
        int64_t meets = 0;
        const char *key = d->cols[store_key_col(d)].name;
        buf_puts(&sql, "SELECT count(*) FROM (SELECT 1 FROM ");
        stage_name(&sql, d);
        buf_puts(&sql, " AS n JOIN ");
        store_sql_ident(&sql, d->name);
        buf_puts(&sql, " AS t ON t.");
        store_sql_ident(&sql, key);
        buf_puts(&sql, " = n.");
        store_sql_ident(&sql, key);
        buf_puts(&sql, " LIMIT 1) AS m");
        rc = query_int(s, buf_cstr(&sql), &meets, e, what);
        buf_reset(&sql);
        if (rc < 0) {
            buf_release(&sql);
            return rc;
        }
        if (meets)
            s->tracking_rewritten = 1;
    }
    upsert_from_stage_sql(&sql, d, 0);
    PGresult *res = exec_any(s, buf_cstr(&sql));
    const char *state = PQresultErrorField(res, PG_DIAG_SQLSTATE);
    if (PQresultStatus(res) != PGRES_COMMAND_OK && state && strcmp(state, "21000") == 0) {
        PQclear(res);
        res = NULL;
        rc = exec_sql(s, "ROLLBACK TO SAVEPOINT infludash_stage", e, what);
        if (rc == 0) {
            buf_reset(&sql);
            upsert_from_stage_sql(&sql, d, 1);
            res = exec_any(s, buf_cstr(&sql));
        }
    }
    if (res && PQresultStatus(res) != PGRES_COMMAND_OK)
        rc = fail(s, res, e, "%s", what);
    PQclear(res);
    buf_reset(&sql);
    if (rc == 0) {
        buf_puts(&sql, "RELEASE SAVEPOINT infludash_stage; TRUNCATE ");
        stage_name(&sql, d);
        rc = exec_sql(s, buf_cstr(&sql), e, what);
    }
    buf_release(&sql);
    return rc;
}

/* A direct batch repeated a key (in the table or in the batch): undoes it and sends its
 * data again, to the staging table, as every later batch of the dataset in this
 * transaction will go. */
static int restage(struct store_pg *s, enum dataset ds, struct err *e, const char *what)
{
    const struct schema_dataset *d = schema_dataset(ds);
    int rc = exec_sql(s, "ROLLBACK TO SAVEPOINT infludash_stage; RELEASE SAVEPOINT infludash_stage",
                      e, what);
    s->stage_always[ds] = 1;
    if (rc == 0)
        rc = stage_copy_begin(s, d, ds, e, what);
    if (rc == 0) {
        assert(s->copy.len >= 2);
        s->copy.len -= 2; /* copy_end adds the trailer again */
        s->copy_sent = 0;
        rc = copy_end(s, NULL, NULL, e, what);
    }
    return rc;
}

/* Settles the batch in progress: called before any other statement. */
static int stage_flush(struct store_pg *s, struct err *e)
{
    if (s->stage_ds < 0)
        return 0;
    enum dataset ds = (enum dataset)s->stage_ds;
    const struct schema_dataset *d = schema_dataset(ds);
    char what[160];
    if (s->stage_first_line)
        snprintf(what, sizeof what, "storing the %s rows of lines %llu to %llu", d->name,
                 (unsigned long long)s->stage_first_line, (unsigned long long)s->stage_last_line);
    else
        snprintf(what, sizeof what, "storing %lld %s rows", (long long)s->stage_rows, d->name);
    s->stage_ds = -1;
    int direct = s->stage_direct, repeated_key = 0;
    int rc = copy_end(s, NULL, direct ? &repeated_key : NULL, e, what);
    s->stage_direct = 0;
    if (rc == 0 && direct && !repeated_key) {
        struct buf sql = BUF_INIT;
        buf_puts(&sql, "RELEASE SAVEPOINT infludash_stage; ");
        put_seq_call(&sql, d, "setval");
        buf_printf(&sql, ", %lld)", (long long)(s->stage_seq + s->stage_rows - 1));
        rc = exec_sql(s, buf_cstr(&sql), e, what);
        buf_release(&sql);
    } else if (rc == 0) {
        if (direct)
            rc = restage(s, ds, e, what);
        if (rc == 0)
            rc = upsert_from_stage(s, d, e, what);
    }
    buf_reset(&s->copy);
    s->copy_sent = 0;
    s->stage_rows = 0;
    return rc;
}

/* ready() and then stage_flush(): the start of every operation but put_many. */
static int prepare_op(struct store_pg *s, struct err *e, const char *what)
{
    int rc = ready(s, e, what);
    if (rc == 0)
        rc = stage_flush(s, e);
    return rc;
}

/* ---- transactions -------------------------------------------------------------------- */

static int pg_schema_version(struct store *base, int *version, struct err *e)
{
    struct store_pg *s = from_base(base);
    int rc = prepare_op(s, e, "reading the schema version");
    return rc < 0 ? rc : store_sql_applied_version(base, &pg_dialect, version, e);
}

/* BEGIN, then the writers' advisory lock, so a concurrent writer is reported here (after
 * LOCK_TIMEOUT) instead of halfway through an import, as SQLite's BEGIN IMMEDIATE does. */
static int pg_begin(struct store *base, struct err *e)
{
    struct store_pg *s = from_base(base);
    assert(s->tx == TX_NONE);
    int rc = ready(s, e, "cannot start writing");
    if (rc < 0)
        return rc;
    char sql[160];
    snprintf(sql, sizeof sql,
             "BEGIN; SET LOCAL lock_timeout = '" LOCK_TIMEOUT "'; "
             "SELECT pg_advisory_xact_lock(%d, %d); SET LOCAL lock_timeout = 0",
             LOCK_CLASS, s->write_lock);
    PGresult *res = PQexec(s->conn, sql);
    if (PQresultStatus(res) != PGRES_COMMAND_OK)
        rc = fail(s, res, e, "cannot start writing");
    PQclear(res);
    if (rc < 0) {
        if (PQstatus(s->conn) == CONNECTION_OK && PQtransactionStatus(s->conn) != PQTRANS_IDLE)
            PQclear(PQexec(s->conn, "ROLLBACK"));
        s->tx = TX_NONE;
        return rc;
    }
    s->tx = TX_WRITE;
    for (int ds = 0; ds < DS_COUNT; ds++)
        s->stage_ready[ds] = s->stage_always[ds] = 0;
    return 0;
}

/* A snapshot: REPEATABLE READ takes it at the first statement, run at once so that every
 * later read sees the database as it was now. */
static int pg_read_begin(struct store *base, struct err *e)
{
    struct store_pg *s = from_base(base);
    assert(s->tx == TX_NONE);
    int rc = ready(s, e, "cannot start reading");
    if (rc == 0)
        rc = exec_sql(s, "BEGIN ISOLATION LEVEL REPEATABLE READ, READ ONLY; SELECT 1", e,
                      "cannot start reading");
    if (rc == 0)
        s->tx = TX_READ;
    return rc;
}

/* Notifications only wake a listener; the counter is the truth (a notification sent while
 * this connection was away is never seen). Drained here so they do not pile up. */
static void drain_notifications(struct store_pg *s)
{
    PQconsumeInput(s->conn);
    PGnotify *n;
    while ((n = PQnotifies(s->conn)) != NULL)
        PQfreemem(n);
}

/* Waits up to timeout_ms for a notification of a commit (LISTEN): returns 1 when one came,
 * 0 on the timeout or when the connection is not usable (the caller polls the counter
 * anyway). */
static int pg_wait_change(struct store *base, int timeout_ms)
{
    struct store_pg *s = from_base(base);
    if (!s->conn || PQstatus(s->conn) != CONNECTION_OK || s->tx != TX_NONE)
        return 0;
    PQconsumeInput(s->conn);
    PGnotify *n = PQnotifies(s->conn);
    if (!n) {
        struct pollfd pfd = {PQsocket(s->conn), POLLIN, 0};
        if (pfd.fd < 0 || poll(&pfd, 1, timeout_ms) <= 0)
            return 0;
        PQconsumeInput(s->conn);
        n = PQnotifies(s->conn);
    }
    int got = n != NULL;
    while (n) {
        PQfreemem(n);
        n = PQnotifies(s->conn);
    }
    return got;
}

/* The counter every writing commit bumps (on any connection). */
static int pg_data_version(struct store *base, int64_t *version, struct err *e)
{
    struct store_pg *s = from_base(base);
    int rc = prepare_op(s, e, "reading the data version");
    if (rc < 0)
        return rc;
    drain_notifications(s);
    return query_int(s, "SELECT version FROM data_version", version, e, "reading the data version");
}

static int pg_data_stamp(struct store *base, struct store_stamp *out, struct err *e)
{
    struct store_pg *s = from_base(base);
    int rc = prepare_op(s, e, "reading the data version");
    if (rc < 0)
        return rc;
    rc = query_int(s, "SELECT id FROM data_version", &out->id, e, "reading the data version");
    if (rc == 0)
        rc = query_int(s, "SELECT version FROM data_version", &out->version, e,
                       "reading the data version");
    if (rc == 0)
        rc = query_int(s, "SELECT rewritten FROM data_version", &out->rewritten, e,
                       "reading the data version");
    return rc;
}

/* A writing commit bumps the data version and notifies the listeners (both happen only if
 * the commit does). On failure the caller calls store_rollback. */
static int pg_commit(struct store *base, struct err *e)
{
    struct store_pg *s = from_base(base);
    int rc = prepare_op(s, e, "cannot commit the changes");
    if (rc < 0)
        return rc;
    const char *sql = s->tx != TX_WRITE ? "COMMIT"
                      : s->tracking_rewritten
                          ? "UPDATE data_version SET version = version + 1, rewritten = version + "
                            "1; NOTIFY " NOTIFY_CHANNEL "; COMMIT"
                          : "UPDATE data_version SET version = version + 1; NOTIFY " NOTIFY_CHANNEL
                            "; COMMIT";
    s->tracking_rewritten = 0;
    PGresult *res = PQexec(s->conn, sql);
    if (PQresultStatus(res) != PGRES_COMMAND_OK)
        rc = fail(s, res, e, "cannot commit the changes");
    else if (strcmp(PQcmdStatus(res), "COMMIT") != 0) /* an aborted transaction */
        rc = err_set(e, ERR_STORE,
                     "%s: cannot commit the changes: an earlier statement had failed, so "
                     "the transaction was rolled back",
                     s->location);
    PQclear(res);
    if (rc == 0 || PQtransactionStatus(s->conn) == PQTRANS_IDLE)
        s->tx = s->tx == TX_LOST ? TX_LOST : TX_NONE;
    return rc;
}

static void pg_rollback(struct store *base)
{
    struct store_pg *s = from_base(base);
    abort_copy(s);
    buf_reset(&s->copy);
    if (PQstatus(s->conn) == CONNECTION_OK && PQtransactionStatus(s->conn) != PQTRANS_IDLE)
        PQclear(PQexec(s->conn, "ROLLBACK"));
    s->tx = TX_NONE;
    s->cursor_depth = 0;
    s->tracking_rewritten = 0;
    for (int ds = 0; ds < DS_COUNT; ds++)
        s->stage_ready[ds] = s->stage_always[ds] = 0;
}

/* ---- writes -------------------------------------------------------------------------- */

/* DELETE, not TRUNCATE: TRUNCATE is not MVCC-safe, and a server reading a snapshot on
 * another connection would see the table empty. */
static int pg_clear(struct store *base, enum dataset ds, struct err *e)
{
    struct store_pg *s = from_base(base);
    const struct schema_dataset *d = schema_dataset(ds);
    char what[128];
    snprintf(what, sizeof what, "removing the %s rows", d->name);
    int rc = prepare_op(s, e, what);
    if (rc < 0)
        return rc;
    assert(s->tx == TX_WRITE);
    struct buf sql = BUF_INIT;
    buf_puts(&sql, "DELETE FROM ");
    store_sql_ident(&sql, d->name);
    rc = exec_sql(s, buf_cstr(&sql), e, what);
    buf_release(&sql);
    if (ds == DS_TRACKING)
        s->tracking_rewritten = 1;
    return rc;
}

/* INSERT INTO "t" (cols..., "extra") VALUES ($1, ...) ON CONFLICT ("key") DO UPDATE SET
 * every other column = excluded's. */
static void put_sql(struct buf *sql, const struct schema_dataset *d)
{
    int key = store_key_col(d);
    buf_puts(sql, "INSERT INTO ");
    store_sql_ident(sql, d->name);
    buf_puts(sql, " (");
    store_sql_columns(sql, d);
    buf_puts(sql, ") VALUES (");
    for (int i = 0; i <= d->ncols; i++)
        buf_printf(sql, "%s$%d", i ? ", " : "", i + 1);
    buf_puts(sql, ")");
    put_upsert_tail(sql, d, key);
}

/* One row, its values bound in binary (int8, text). */
static int pg_put(struct store *base, const struct schema_row *row, struct err *e)
{
    struct store_pg *s = from_base(base);
    const struct schema_dataset *d = schema_dataset(row->ds);
    char what[128];
    if (row->line)
        snprintf(what, sizeof what, "storing the %s row of line %llu", d->name,
                 (unsigned long long)row->line);
    else
        snprintf(what, sizeof what, "storing a %s row", d->name);
    int rc = prepare_op(s, e, what);
    if (rc < 0)
        return rc;
    assert(s->tx == TX_WRITE);
    Oid types[SCHEMA_MAX_COLS + 1];
    const char *values[SCHEMA_MAX_COLS + 1];
    int lengths[SCHEMA_MAX_COLS + 1], formats[SCHEMA_MAX_COLS + 1];
    unsigned char ints[SCHEMA_MAX_COLS][8];
    for (int i = 0; i < d->ncols; i++) {
        const struct schema_value *v = &row->v[i];
        int is_int = schema_kind_is_int(d->cols[i].kind);
        types[i] = is_int ? OID_INT8 : OID_TEXT;
        formats[i] = 1;
        values[i] = NULL;
        lengths[i] = 0;
        if (!v->present)
            continue;
        if (is_int) {
            put_be64(ints[i], v->i);
            values[i] = (const char *)ints[i];
            lengths[i] = 8;
        } else {
            values[i] = v->s;
            lengths[i] = (int)v->len;
        }
    }
    types[d->ncols] = OID_TEXT;
    formats[d->ncols] = 1;
    values[d->ncols] = row->extra;
    lengths[d->ncols] = row->extra ? (int)row->extra_len : 0;
    struct buf sql = BUF_INIT;
    if (row->ds == DS_TRACKING && !s->tracking_rewritten) {
        /* a stored key: the upsert replaces its row (pg_commit) */
        int key = store_key_col(d);
        buf_puts(&sql, "SELECT count(*) FROM ");
        store_sql_ident(&sql, d->name);
        buf_puts(&sql, " WHERE ");
        store_sql_ident(&sql, d->cols[key].name);
        buf_puts(&sql, " = $1");
        PGresult *found = run_params(s, buf_cstr(&sql), 1, &types[key], &values[key], &lengths[key],
                                     &formats[key], 0, e, what);
        if (!found) {
            buf_release(&sql);
            return ERR_STORE;
        }
        if (PQntuples(found) == 1 && strcmp(PQgetvalue(found, 0, 0), "0") != 0)
            s->tracking_rewritten = 1;
        PQclear(found);
        buf_reset(&sql);
    }
    put_sql(&sql, d);
    PGresult *res =
        run_params(s, buf_cstr(&sql), d->ncols + 1, types, values, lengths, formats, 0, e, what);
    buf_release(&sql);
    if (!res)
        return ERR_STORE;
    PQclear(res);
    return 0;
}

/* Rows go into the COPY stream of their dataset's staging table; a change of dataset, a
 * full batch or any other operation moves them into the table. */
static int pg_put_many(struct store *base, const struct schema_row *rows, size_t n, struct err *e)
{
    struct store_pg *s = from_base(base);
    int rc = ready(s, e, "storing rows");
    if (rc < 0)
        return rc;
    assert(s->tx == TX_WRITE);
    for (size_t i = 0; i < n && rc == 0; i++) {
        if (s->stage_ds >= 0 && (s->stage_ds != (int)rows[i].ds || s->stage_rows >= STAGE_ROWS ||
                                 s->copy.len >= STAGE_BYTES))
            rc = stage_flush(s, e);
        if (rc == 0 && s->stage_ds < 0)
            rc = stage_start(s, rows[i].ds, e);
        if (rc == 0)
            rc = stage_row(s, &rows[i], e);
    }
    return rc;
}

/* ---- reads --------------------------------------------------------------------------- */

static int pg_count(struct store *base, enum dataset ds, int64_t *n, struct err *e)
{
    struct store_pg *s = from_base(base);
    const struct schema_dataset *d = schema_dataset(ds);
    char what[128];
    snprintf(what, sizeof what, "counting the %s rows", d->name);
    int rc = prepare_op(s, e, what);
    if (rc < 0)
        return rc;
    struct buf sql = BUF_INIT;
    buf_puts(&sql, "SELECT count(*) FROM ");
    store_sql_ident(&sql, d->name);
    rc = query_int(s, buf_cstr(&sql), n, e, what);
    buf_release(&sql);
    return rc;
}

/* Called with each fetched result row (binary format). */
typedef int (*fetch_fn)(struct store_pg *s, const PGresult *res, int r, void *ctx, struct err *e);

/* Runs a query with int8 parameters through a cursor, FETCH_ROWS rows at a time, and calls
 * fn with each row: memory stays bounded whatever the table's size, and the connection is
 * free between fetches for a callback that reads the store too. Outside a transaction the
 * scan has one of its own (a snapshot). */
static int each_row(struct store_pg *s, const char *query, int nparams, const int64_t *params,
                    fetch_fn fn, void *ctx, struct err *e, const char *what)
{
    assert(nparams <= 2);
    int own_tx = s->tx == TX_NONE;
    int rc = 0;
    if (own_tx) {
        rc = exec_sql(s, "BEGIN ISOLATION LEVEL REPEATABLE READ, READ ONLY", e, what);
        if (rc < 0)
            return rc;
        s->tx = TX_READ;
    }
    char cursor[48];
    snprintf(cursor, sizeof cursor, "\"infludash_scan_%d\"", s->cursor_depth++);
    struct buf sql = BUF_INIT;
    buf_printf(&sql, "DECLARE %s NO SCROLL CURSOR FOR %s", cursor, query);
    unsigned char bin[2][8];
    const char *values[2];
    Oid types[2];
    int lengths[2], formats[2];
    for (int i = 0; i < nparams; i++) {
        put_be64(bin[i], params[i]);
        values[i] = (const char *)bin[i];
        types[i] = OID_INT8;
        lengths[i] = 8;
        formats[i] = 1;
    }
    PGresult *res =
        run_params(s, buf_cstr(&sql), nparams, types, values, lengths, formats, 0, e, what);
    PQclear(res);
    rc = res ? 0 : ERR_STORE;
    buf_reset(&sql);
    buf_printf(&sql, "FETCH FORWARD " FETCH_ROWS " FROM %s", cursor);
    int done = rc < 0;
    while (!done) {
        res = run_params(s, buf_cstr(&sql), 0, NULL, NULL, NULL, NULL, 1, e, what);
        if (!res) {
            rc = ERR_STORE;
            break;
        }
        int n = PQntuples(res);
        for (int r = 0; r < n && rc == 0; r++)
            rc = fn(s, res, r, ctx, e);
        PQclear(res);
        done = rc < 0 || n == 0;
    }
    if (s->tx != TX_LOST && PQtransactionStatus(s->conn) == PQTRANS_INTRANS) {
        buf_reset(&sql);
        buf_printf(&sql, "CLOSE %s", cursor);
        PQclear(PQexec(s->conn, buf_cstr(&sql)));
    }
    buf_release(&sql);
    if (s->cursor_depth > 0)
        s->cursor_depth--;
    if (own_tx && s->tx == TX_READ) {
        PQclear(PQexec(s->conn, "ROLLBACK"));
        s->tx = TX_NONE;
    } else if (own_tx && s->tx == TX_LOST) {
        s->tx = TX_NONE; /* the lost transaction was the scan's own */
    }
    return rc;
}

struct scan_ctx {
    const struct schema_dataset *d;
    const int *sel;
    int nsel;
    struct schema_row row;
    store_row_fn fn;
    void *ctx;
    int stopped; /* the callback's negative return */
};

static int scan_one(struct store_pg *s, const PGresult *res, int r, void *ctx, struct err *e)
{
    struct scan_ctx *sc = ctx;
    const struct schema_dataset *d = sc->d;
    struct schema_row *row = &sc->row;
    schema_row_clear(row);
    row->ds = sc->row.ds;
    for (int j = 0; j < sc->nsel; j++) {
        int i = sc->sel[j];
        if (PQgetisnull(res, r, j))
            continue;
        const char *v = PQgetvalue(res, r, j);
        size_t len = (size_t)PQgetlength(res, r, j);
        if (i < d->ncols && schema_kind_is_int(d->cols[i].kind)) {
            if (len != 8)
                return err_set(e, ERR_STORE,
                               "%s: reading the %s rows: column %s is not a "
                               "BIGINT (was the table changed by hand?)",
                               s->location, d->name, d->cols[i].name);
            schema_row_set_int(row, i, get_be64((const unsigned char *)v));
        } else if (i < d->ncols) {
            /* libpq ends every value with a NUL, binary ones too; valid until PQclear */
            schema_row_borrow_text(row, i, v, len);
        } else {
            schema_row_set_extra(row, v, len);
        }
    }
    int rc = sc->fn(sc->ctx, row);
    if (rc < 0)
        sc->stopped = rc;
    return rc < 0 ? rc : 0;
}

/* The first and last seq of the part-th of nparts equal slices of the table's seq range. */
static int part_range(struct store_pg *s, const struct schema_dataset *d, int part, int nparts,
                      int64_t *lo, int64_t *hi, struct err *e, const char *what)
{
    struct buf sql = BUF_INIT;
    buf_puts(&sql, "SELECT min(\"seq\"), max(\"seq\") FROM ");
    store_sql_ident(&sql, d->name);
    PGresult *res = run_params(s, buf_cstr(&sql), 0, NULL, NULL, NULL, NULL, 0, e, what);
    buf_release(&sql);
    if (!res)
        return ERR_STORE;
    if (PQntuples(res) == 1 && !PQgetisnull(res, 0, 0)) {
        int64_t min = strtoll(PQgetvalue(res, 0, 0), NULL, 10);
        int64_t max = strtoll(PQgetvalue(res, 0, 1), NULL, 10);
        __int128 span = (__int128)max - min + 1;
        *lo = (int64_t)(min + span * part / nparts);
        *hi = (int64_t)(min + span * (part + 1) / nparts - 1);
    }
    PQclear(res);
    return 0;
}

/* The rows of a dataset in seq order; with nparts > 1, only the part-th of nparts equal
 * slices of the seq range. A scan outside a transaction is a snapshot of its own. */
static int scan_rows(struct store_pg *s, enum dataset ds, int part, int nparts, int64_t lo,
                     uint64_t columns, store_row_fn fn, void *ctx, struct err *e)
{
    const struct schema_dataset *d = schema_dataset(ds);
    char what[128];
    snprintf(what, sizeof what, "reading the %s rows", d->name);
    int rc = prepare_op(s, e, what);
    if (rc < 0)
        return rc;
    int64_t range[2] = {lo, INT64_MAX};
    int own_tx = nparts > 1 && s->tx == TX_NONE;
    if (own_tx) { /* the range and the rows from one snapshot */
        rc = exec_sql(s, "BEGIN ISOLATION LEVEL REPEATABLE READ, READ ONLY", e, what);
        if (rc < 0)
            return rc;
        s->tx = TX_READ;
    }
    if (nparts > 1)
        rc = part_range(s, d, part, nparts, &range[0], &range[1], e, what);
    /* the columns asked for (all when columns is 0), `extra` as bit d->ncols */
    int sel[SCHEMA_MAX_COLS + 1], nsel = 0;
    struct buf sql = BUF_INIT;
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
    buf_puts(&sql, " WHERE \"seq\" BETWEEN $1 AND $2 ORDER BY \"seq\"");
    struct scan_ctx sc = {.d = d, .sel = sel, .nsel = nsel, .fn = fn, .ctx = ctx};
    schema_row_init(&sc.row, ds);
    if (rc == 0)
        rc = each_row(s, buf_cstr(&sql), 2, range, scan_one, &sc, e, what);
    schema_row_release(&sc.row);
    buf_release(&sql);
    if (own_tx && s->tx == TX_READ) {
        PQclear(PQexec(s->conn, "ROLLBACK"));
        s->tx = TX_NONE;
    } else if (own_tx && s->tx == TX_LOST) {
        s->tx = TX_NONE;
    }
    return sc.stopped ? sc.stopped : rc;
}

static int pg_scan(struct store *base, enum dataset ds, store_row_fn fn, void *ctx, struct err *e)
{
    return scan_rows(from_base(base), ds, 0, 1, INT64_MIN, 0, fn, ctx, e);
}

static int pg_scan_part(struct store *base, enum dataset ds, int part, int nparts, uint64_t columns,
                        store_row_fn fn, void *ctx, struct err *e)
{
    return scan_rows(from_base(base), ds, part, nparts, INT64_MIN, columns, fn, ctx, e);
}

/* The row numbers are seq: a row appended takes a seq above every stored one (one writer at
 * a time, the writers' lock), and an upsert keeps the replaced row's. */
static int pg_scan_after(struct store *base, enum dataset ds, int64_t seq, uint64_t columns,
                         store_row_fn fn, void *ctx, struct err *e)
{
    if (seq == INT64_MAX)
        return 0;
    return scan_rows(from_base(base), ds, 0, 1, seq + 1, columns, fn, ctx, e);
}

static int pg_last_seq(struct store *base, enum dataset ds, int64_t *seq, struct err *e)
{
    struct store_pg *s = from_base(base);
    int rc = prepare_op(s, e, "reading the last row number");
    if (rc < 0)
        return rc;
    struct buf sql = BUF_INIT;
    buf_puts(&sql, "SELECT coalesce(max(\"seq\"), 0) FROM ");
    store_sql_ident(&sql, schema_dataset(ds)->name);
    rc = query_int(s, buf_cstr(&sql), seq, e, "reading the last row number");
    buf_release(&sql);
    return rc;
}

struct text_ctx {
    store_key_fn fn;
    void *ctx;
    int stopped;
};

static int text_one(struct store_pg *s, const PGresult *res, int r, void *ctx, struct err *e)
{
    (void)s;
    (void)e;
    struct text_ctx *tc = ctx;
    int rc = tc->fn(tc->ctx, PQgetvalue(res, r, 0), (size_t)PQgetlength(res, r, 0));
    if (rc < 0)
        tc->stopped = rc;
    return rc < 0 ? rc : 0;
}

static int pg_each_key(struct store *base, enum dataset ds, store_key_fn fn, void *ctx,
                       struct err *e)
{
    struct store_pg *s = from_base(base);
    const struct schema_dataset *d = schema_dataset(ds);
    char what[128];
    snprintf(what, sizeof what, "reading the %s keys", d->name);
    int rc = prepare_op(s, e, what);
    if (rc < 0)
        return rc;
    struct buf sql = BUF_INIT;
    buf_puts(&sql, "SELECT ");
    store_sql_ident(&sql, d->cols[store_key_col(d)].name);
    buf_puts(&sql, " FROM ");
    store_sql_ident(&sql, d->name);
    buf_puts(&sql, " ORDER BY \"seq\"");
    struct text_ctx tc = {fn, ctx, 0};
    rc = each_row(s, buf_cstr(&sql), 0, NULL, text_one, &tc, e, what);
    buf_release(&sql);
    return tc.stopped ? tc.stopped : rc;
}

/* The distinct top-level keys of extra, sorted bytewise (COLLATE "C", as SQLite sorts). */
static int pg_extra_keys(struct store *base, enum dataset ds, char ***keys, size_t *n,
                         struct err *e)
{
    struct store_pg *s = from_base(base);
    const struct schema_dataset *d = schema_dataset(ds);
    char what[128];
    snprintf(what, sizeof what, "listing the extra columns of %s", d->name);
    int rc = prepare_op(s, e, what);
    if (rc < 0)
        return rc;
    struct buf sql = BUF_INIT;
    buf_puts(&sql, "SELECT DISTINCT k COLLATE \"C\" FROM ");
    store_sql_ident(&sql, d->name);
    buf_puts(&sql, " AS t, jsonb_object_keys(t.\"extra\"::jsonb) AS k WHERE t.\"extra\" IS "
                   "NOT NULL AND jsonb_typeof(t.\"extra\"::jsonb) = 'object' ORDER BY 1");
    struct store_key_list kl;
    store_key_list_init(&kl);
    struct text_ctx tc = {store_key_list_add, &kl, 0};
    rc = each_row(s, buf_cstr(&sql), 0, NULL, text_one, &tc, e, what);
    buf_release(&sql);
    return store_key_list_finish(&kl, tc.stopped == ERR_LIMIT ? ERR_LIMIT : rc, s->location, what,
                                 keys, n, e);
}

/* ---- the installation's tables ------------------------------------------------------ */

#define SQL_MAX_COLS 16
#define SQL_MAX_PARAMS 16

/* sql with each `?` outside quotes as $1, $2, ... */
static void numbered_placeholders(struct buf *out, const char *sql)
{
    int n = 0;
    char quote = 0;
    for (const char *p = sql; *p; p++) {
        if (quote) {
            if (*p == quote)
                quote = 0;
        } else if (*p == '\'' || *p == '"') {
            quote = *p;
        } else if (*p == '?') {
            buf_printf(out, "$%d", ++n);
            continue;
        }
        buf_putc(out, *p);
    }
}

static int pg_sql(struct store *base, const char *sql, int nparams, const char *const *params,
                  store_sql_row_fn fn, void *ctx, const char *what, struct err *e)
{
    struct store_pg *s = from_base(base);
    assert(nparams <= SQL_MAX_PARAMS);
    int rc = prepare_op(s, e, what);
    if (rc < 0)
        return rc;
    struct buf text = BUF_INIT;
    numbered_placeholders(&text, sql);
    PGresult *res = run_params(s, buf_cstr(&text), nparams, NULL, params, NULL, NULL, 0, e, what);
    buf_release(&text);
    if (!res)
        return ERR_STORE;
    int ncols = PQnfields(res);
    if (ncols > SQL_MAX_COLS)
        ncols = SQL_MAX_COLS;
    for (int r = 0; fn && r < PQntuples(res) && rc == 0; r++) {
        const char *vals[SQL_MAX_COLS];
        for (int c = 0; c < ncols; c++)
            vals[c] = PQgetisnull(res, r, c) ? NULL : PQgetvalue(res, r, c);
        if ((rc = fn(ctx, ncols, vals)) > 0)
            rc = 0;
    }
    if (rc == 0) {
        const char *changed = PQcmdTuples(res);
        rc = changed[0] && PQresultStatus(res) == PGRES_COMMAND_OK ? (int)strtol(changed, NULL, 10)
                                                                   : 0;
    }
    PQclear(res);
    return rc;
}

static const struct store_ops pg_ops = {
    .backend = "postgresql",
    .close = pg_close,
    .schema_version = pg_schema_version,
    .begin = pg_begin,
    .commit = pg_commit,
    .rollback = pg_rollback,
    .clear = pg_clear,
    .put = pg_put,
    .put_many = pg_put_many,
    .count = pg_count,
    .scan = pg_scan,
    .scan_part = pg_scan_part,
    .last_seq = pg_last_seq,
    .scan_after = pg_scan_after,
    .read_begin = pg_read_begin,
    .data_version = pg_data_version,
    .data_stamp = pg_data_stamp,
    .wait_change = pg_wait_change,
    .each_key = pg_each_key,
    .extra_keys = pg_extra_keys,
    .sql = pg_sql,
};
