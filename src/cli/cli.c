/* cli.c — the command line (see cli.h): cli_main picks the command; the data commands
 * (import, demo, export, status, query, explain, serve) are here, the account commands in
 * cli_accounts.c, the sources and schedules in cli_sources.c; each command's options are a
 * table read by cli_options. Calls cli_accounts, cli_sources, cli_common, cli_options, store,
 * ingest, demo, export, engine, filter, api, api_data, api_explain, api_tax, report, tax,
 * tax_builtin, schema, payid, tz and serve; owns all terminal output. */
#include "cli.h"
#include "cli_impl.h"

#include <errno.h>
#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "api.h"
#include "api_data.h"
#include "api_explain.h"
#include "api_tax.h"
#include "engine.h"
#include "filter.h"
#include "report.h"
#include "demo.h"
#include "export.h"
#include "ingest.h"
#include "payid.h"
#include "serve.h"
#include "auth.h"
#include "store.h"
#include "tax.h"

#include "banned.h"

/* A dataset's name (the field is an enum dataset); data: the command, for the message. */
static int dataset_option(void *field, const struct cli_option *o, const char *value)
{
    enum dataset ds = schema_dataset_by_name(value);
    if (ds == DS_NONE) {
        fprintf(stderr,
                "infludash %s: unknown dataset \"%s\" (use influencers, posts, tracking_data or "
                "payouts)\n",
                (const char *)o->data, value);
        return -1;
    }
    *(enum dataset *)field = ds;
    return 0;
}

/* ---- import ----------------------------------------------------------------------- */

struct import_args {
    const char *db, *ws;
    struct ingest_opts io;
    struct schema_config schema; /* --platforms */
    int quiet;
    int engine_file; /* --engine-file: 1 yes, 0 no, -1 auto */
};

static int engine_file_option(void *field, const struct cli_option *o, const char *value)
{
    (void)o;
    static const char *const names[] = {"no", "yes", "auto"};
    for (int i = 0; i < 3; i++)
        if (strcmp(value, names[i]) == 0) {
            *(int *)field = i == 2 ? -1 : i;
            return 0;
        }
    fprintf(stderr, "infludash import: --engine-file must be auto, yes or no, not \"%s\"\n", value);
    return -1;
}

static int mode_option(void *field, const struct cli_option *o, const char *value)
{
    (void)o;
    if (strcmp(value, "append") != 0 && strcmp(value, "replace") != 0) {
        fprintf(stderr, "infludash import: --mode must be append or replace, not \"%s\"\n", value);
        return -1;
    }
    *(int *)field = strcmp(value, "replace") == 0;
    return 0;
}

static const struct cli_option import_options[] = {
    CLI_DB(struct import_args, db),
    CLI_WORKSPACE(struct import_args, ws),
    CLI_CALLBACK(struct import_args, io.dataset, "--dataset", NULL, "NAME",
                 "influencers, posts, tracking_data or payouts (default:\n"
                 "recognised from each file's name and header)",
                 dataset_option, "import", NULL, NULL),
    CLI_CALLBACK(struct import_args, io.replace, "--mode", NULL, "append|replace",
                 "append: upsert rows by id (default); replace:\n"
                 "replace each imported dataset whole",
                 mode_option, NULL, NULL, NULL),
    CLI_FLAG(struct import_args, io.skip_invalid, "--skip-invalid", NULL,
             "import the valid rows and report the rejected ones"),
    CLI_STRING(struct import_args, io.rejects_path, "--rejects", "FILE",
               "write the rejected rows, with the reason, as CSV"),
    CLI_U64(struct import_args, io.limits.max_file_bytes, "--max-file-size", "BYTES",
            "refuse a larger file (K, M or G suffix; default 8G)"),
    CLI_U64(struct import_args, io.limits.max_rows, "--max-rows", "N",
            "refuse a file of more rows (default 200 million)"),
    CLI_SIZE(struct import_args, io.limits.max_field_bytes, "--max-field-size", "BYTES",
             "refuse a longer field (default 1M)"),
    CLI_CALLBACK(struct import_args, schema.platforms, "--platforms", NULL, "LIST",
                 CLI_PLATFORMS_HELP, cli_platforms_option, "import", NULL, NULL),
    CLI_FLAG(struct import_args, quiet, "--quiet", "-q", "print only errors and warnings"),
    CLI_CALLBACK(struct import_args, engine_file, "--engine-file", NULL, "auto|yes|no",
                 "leave the engine file beside an SQLite database for\n"
                 "the next start (auto, the default: when the files\n"
                 "hold 256 MB or more, or when the database then holds\n"
                 "2M to 5M tracking rows and no file)",
                 engine_file_option, NULL, NULL, NULL),
    CLI_END,
};

static const struct cli_command import_command = {
    "import",
    "import CSV or JSON files (influencers, posts, tracking_data, payouts)",
    NULL,
    "FILE...",
    -1,
    "Imports CSV (comma, semicolon or tab separated) or JSON arrays of objects. Each\n"
    "file's dataset is recognised from its name and header, or named with --dataset\n"
    "(influencers, posts, tracking_data, payouts). All files are imported in one\n"
    "transaction: all or nothing.\n"
    "Exit status: 0 all rows imported; 1 nothing imported; 2 some rows skipped.\n",
    import_options,
};

/* ---- import ----------------------------------------------------------------------- */

/* The engine file beside an SQLite database (serve's DB.engine), left current by the import
 * that commits, so that the next start reads it instead of every row. Into a database that
 * holds no tracking row (or when the import removes them: replace mode), the tracking rows
 * are fed to an engine as they are stored (engine_feed, on the import's third thread) and
 * the rest is read after the commit (engine_load_fed); into one whose engine file the
 * commits since only appended tracking rows to, that file is extended by the rows stored
 * since, as a start would (engine_extend_snapshot), when it is at most IMPORT_EXTEND_MAX
 * (a larger one the next start extends). The file is stamped with the data
 * version of the import's own commit, checked to be the one after the version read before
 * the import (no other commit between): a file of any other data is never written. Anything
 * else (PostgreSQL, rows replaced, no current file, a failure) writes no file: the next
 * start loads from the database, as without this. With --engine-file auto and files
 * smaller than IMPORT_ENGINE_AUTO_MIN, nothing is fed, and only import_engine_load may make
 * the file. */
struct import_engine {
    struct buf path;
    const char *slug;
    struct store_stamp before;
    int64_t seq_before;
    struct engine_feed *feed; /* NULL: the tracking rows are not fed */
    int cleared_tracking, cleared_any;
    /* --engine-file auto with files below IMPORT_ENGINE_AUTO_MIN: no feed, and a file only
     * from a load after the commit (import_engine_load) */
    int load_only;
    struct buf url; /* the workspace's database, for the load's extra connections */
};

static void import_engine_stored(void *ctx, const struct schema_row *rows, size_t n)
{
    struct import_engine *ie = ctx;
    engine_feed_rows(ie->feed, rows, n);
}

static void import_engine_cleared(void *ctx, enum dataset ds)
{
    struct import_engine *ie = ctx;
    ie->cleared_any = 1;
    if (ds == DS_TRACKING) {
        ie->cleared_tracking = 1;
        if (ie->feed)
            engine_feed_reset(ie->feed);
    }
}

/* Before the import: 0 when an engine file can be left by it (io gets the callbacks). With
 * load_only, the rows are not fed: the file can come only from import_engine_load. */
static int import_engine_begin(struct import_engine *ie, struct store *s, const char *db,
                               const char *slug, int load_only, struct ingest_opts *io)
{
    memset(ie, 0, sizeof *ie);
    ie->path = (struct buf)BUF_INIT;
    ie->url = (struct buf)BUF_INIT;
    ie->slug = slug;
    ie->load_only = load_only;
    cli_data_url(db, slug, &ie->url);
    struct err e = {0, ""};
    if (strcmp(store_backend(s), "sqlite") != 0 || store_data_stamp(s, &ie->before, &e) < 0 ||
        store_last_seq(s, DS_TRACKING, &ie->seq_before, &e) < 0 || ie->seq_before < 0)
        return -1;
    buf_printf(&ie->path, "%s.engine", store_location(s));
    if (!load_only && (ie->seq_before == 0 || io->replace)) /* the rows stored: all of them */
        ie->feed = engine_feed_new();
    io->stored = ie->feed ? import_engine_stored : NULL;
    io->cleared = import_engine_cleared;
    io->stored_ctx = ie;
    return 0;
}

/* --engine-file auto: the import makes the engine file when its files hold at least this
 * (about 2 million demo tracking rows). A start loads a smaller database from its rows in
 * about 2 s or less (1,000,000 rows: 1.0 s), while making the file costs the import about
 * 0.6 s of CPU a million rows and its wall time more (1M: 1.28 -> 2.33 s); at 10,000,000
 * rows the start's 8.6 s become 0.19 s. A file whose size is not known (a pipe) counts as
 * large. */
#define IMPORT_ENGINE_AUTO_MIN ((uint64_t)256 << 20)

static int import_engine_wanted(int engine_file, const char *const *files, size_t n)
{
    if (engine_file >= 0)
        return engine_file;
    uint64_t total = 0;
    for (size_t i = 0; i < n; i++) {
        struct stat st;
        if (stat(files[i], &st) != 0 || !S_ISREG(st.st_mode))
            return 1;
        total += (uint64_t)st.st_size;
    }
    return total >= IMPORT_ENGINE_AUTO_MIN;
}

/* An engine file larger than this is extended by the next start, not by the import: the
 * engine read from it and the one made from that are in memory together (a 126 MB file of
 * 10M demo rows: 217 MB at the peak, against issue 19's 200 MB for an import). */
#define IMPORT_EXTEND_MAX (64 << 20)

/* --engine-file auto, files below IMPORT_ENGINE_AUTO_MIN: the import still leaves the
 * file when there is none and the database holds from IMPORT_LOAD_MIN_ROWS to
 * IMPORT_LOAD_MAX_ROWS tracking rows after it (its last row number), loaded from the
 * database after the commit as a start loads it. A database grown by imports of smaller
 * files, none of which made a file, had its first start load every row (10M demo rows:
 * 6.7 s, against issue 19's 3 s); that load is now the one import's that crosses the
 * threshold, and later starts extend the file. At the maximum: 1M rows appended to 4M took
 * 2.8 s, now 6.1 s with a peak of 165 MB; above it the load is left to the start, as
 * before, since the engine it makes would take the import past 200 MB of memory. */
#define IMPORT_LOAD_MIN_ROWS 2000000
#define IMPORT_LOAD_MAX_ROWS 5000000

static void import_engine_load(struct import_engine *ie, struct store *s, int quiet)
{
    struct err e = {0, ""};
    struct stat st;
    int64_t rows;
    if (stat(buf_cstr(&ie->path), &st) == 0 || errno != ENOENT) /* a file: the start's */
        return;
    if (store_last_seq(s, DS_TRACKING, &rows, &e) < 0 || rows < IMPORT_LOAD_MIN_ROWS ||
        rows > IMPORT_LOAD_MAX_ROWS)
        return;
    struct store_stamp stamp; /* read before the load: the file never claims newer data */
    struct engine *eng = NULL;
    if (store_data_stamp(s, &stamp, &e) == 0 &&
        (eng = engine_load_snapshot(s, buf_cstr(&ie->url), &e)) != NULL)
        engine_cache_write(eng, buf_cstr(&ie->path), &stamp, ie->slug, &e);
    if (e.code && !quiet)
        fprintf(stderr,
                "infludash import: the engine file was not made (%s); the next start loads "
                "from the database\n",
                e.msg);
    engine_free(eng);
}

/* After a committed import: writes the engine file when it can be made (see above); a
 * reason on stderr (unless quiet) when it cannot. */
static void import_engine_end(struct import_engine *ie, struct store *s,
                              const struct ingest_result *res, int quiet)
{
    struct err e = {0, ""};
    struct store_stamp after;
    struct engine *eng = NULL;
    const char *why = NULL;
    struct stat st;
    if (ie->load_only) {
        import_engine_load(ie, s, quiet);
        return;
    }
    int fed = ie->feed && (ie->seq_before == 0 || ie->cleared_tracking);
    int had_file = stat(buf_cstr(&ie->path), &st) == 0;
    if (res->accepted == 0 && !ie->cleared_any) {
        why = NULL; /* nothing changed: a file that was current still is */
    } else if (store_data_stamp(s, &after, &e) < 0) {
        why = e.msg;
    } else if (after.id != ie->before.id || after.version != ie->before.version + 1) {
        why = "another commit came between";
    } else if (after.rewritten == after.version && !fed) {
        why = "the import replaced stored tracking rows";
    } else if (fed) {
        eng = engine_load_fed(ie->feed, s, &after, &e); /* takes the feed */
        ie->feed = NULL;
        if (!eng)
            why = e.msg;
    } else if (had_file && st.st_size > IMPORT_EXTEND_MAX) {
        /* left for the next start to extend: the base and the engine made from it would
         * not fit 200 MB here */
    } else {
        int64_t version;
        struct engine *base =
            engine_cache_read_base(buf_cstr(&ie->path), &after, ie->slug, &version, &e);
        if (base)
            eng = engine_extend_snapshot(base, s, &e); /* takes base */
        if (!eng)
            why = e.code == ERR_NOTFOUND ? "there is none to extend" : e.msg;
    }
    if (eng && engine_cache_write(eng, buf_cstr(&ie->path), &after, ie->slug, &e) < 0)
        why = e.msg;
    /* said when the next start loads every row where it would not have: a file was there,
     * or this import was making one (none is the usual state of a database no server ran
     * on; a file left for the start to extend is no loss) */
    if (why && !quiet && (fed || had_file))
        fprintf(stderr,
                "infludash import: the engine file was not brought up to date (%s); the next "
                "start loads from the database\n",
                why);
    engine_free(eng);
}

static void import_engine_release(struct import_engine *ie)
{
    engine_feed_free(ie->feed);
    ie->feed = NULL;
    buf_release(&ie->path);
    buf_release(&ie->url);
}

static int cmd_import(int argc, char **argv)
{
    /* Buffers of 1 MB and more mapped on their own and unmapped when freed: the engine
     * file's build frees and grows many of them, which glibc would otherwise take from its
     * heap once its dynamic threshold rose, and keep there (10M demo rows: peak 263 MB
     * instead of 175 MB). */
    mallopt(M_MMAP_THRESHOLD, 1 << 20);
    struct import_args a = {
        .db = cli_default_db(), .ws = AUTH_DEFAULT_WORKSPACE, .engine_file = -1};
    ingest_opts_default(&a.io);
    schema_config_default(&a.schema);
    int nfiles;
    int rc = cli_parse(&import_command, &a, argc, argv, &nfiles);
    if (rc != CLI_PARSED)
        return rc;
    if (nfiles == 0) {
        fprintf(stderr, "infludash import: no file given\n\n");
        cli_usage(&import_command, stderr);
        return EXIT_USAGE;
    }
    struct ingest_opts io = a.io;
    io.cfg = &a.schema;
    io.progress = !a.quiet;
    io.bulk = 1;
    int quiet = a.quiet;
    const char *const *files = (const char *const *)argv;
    struct store *s = cli_open_store(a.db, a.ws);
    if (!s)
        return 1;
    struct ingest_result res;
    struct err e = {0, ""};
    io.audit_actor = cli_actor();
    io.audit_workspace = a.ws;
    struct import_engine ie;
    memset(&ie, 0, sizeof ie);
    int wanted = import_engine_wanted(a.engine_file, files, (size_t)nfiles);
    int with_engine =
        (wanted || a.engine_file < 0) && import_engine_begin(&ie, s, a.db, a.ws, !wanted, &io) == 0;
    rc = ingest_files(s, files, (size_t)nfiles, &io, &res, &e);
    if (with_engine && rc == 0 && res.committed)
        import_engine_end(&ie, s, &res, quiet);
    import_engine_release(&ie);
    struct buf line = BUF_INIT;
    for (size_t i = 0; i < res.nissues; i++) {
        buf_reset(&line);
        ingest_issue_format(&res.issues[i], &line);
        fprintf(stderr, "%s\n", buf_cstr(&line));
    }
    int64_t unlisted = res.rejected + res.warnings - (int64_t)res.nissues;
    if (unlisted > 0 && res.nissues > 0)
        fprintf(stderr, "... and %lld more issue rows not listed\n", (long long)unlisted);
    buf_release(&line);
    if (!quiet)
        for (size_t i = 0; i < res.nfiles; i++) {
            const struct ingest_file_result *fr = &res.files[i];
            if (fr->ds == DS_NONE)
                continue; /* failed before its header: the error says why */
            printf("%s: %s: %lld rows %s, %lld rejected, %lld warnings\n", fr->file,
                   schema_dataset(fr->ds)->name, (long long)fr->accepted,
                   res.committed ? "imported" : "valid", (long long)fr->rejected,
                   (long long)fr->warnings);
        }
    int status = 0;
    if (rc < 0) {
        fprintf(stderr, "infludash import: %s\n", e.msg);
        status = 1;
    } else if (res.rejected > 0) {
        fprintf(stderr,
                "infludash import: imported %lld rows; %lld rejected rows were skipped%s%s\n",
                (long long)res.accepted, (long long)res.rejected,
                io.rejects_path ? " and written to " : "", io.rejects_path ? io.rejects_path : "");
        status = EXIT_PARTIAL;
    } else if (!quiet) {
        printf("imported %lld rows from %d file%s\n", (long long)res.accepted, nfiles,
               nfiles == 1 ? "" : "s");
    }
    ingest_result_release(&res);
    store_close(s);
    return status;
}

/* ---- demo ------------------------------------------------------------------------- */

struct demo_args {
    const char *db, *ws, *csv_dir;
    struct demo_opts d;
};

static const struct cli_option demo_options[] = {
    CLI_DB(struct demo_args, db),
    CLI_WORKSPACE(struct demo_args, ws),
    CLI_U64(struct demo_args, d.rows, "--rows", "N", "tracking rows to generate (default 20000)"),
    CLI_U64(struct demo_args, d.seed, "--seed", "S",
            "the random seed (default 42): same seed, same data"),
    CLI_STRING(struct demo_args, csv_dir, "--csv", "DIR",
               "write the four CSV files into DIR instead"),
    CLI_END,
};

static const struct cli_command demo_command = {
    "demo",
    "load generated sample data",
    NULL,
    NULL,
    0,
    "Replaces the four datasets with generated sample data: N tracking rows (default\n"
    "20000) and matching influencers, posts and payouts. With --csv, writes the four\n"
    "CSV files into DIR instead of loading them.\n",
    demo_options,
};

static int cmd_demo(int argc, char **argv)
{
    struct demo_args a = {
        cli_default_db(), AUTH_DEFAULT_WORKSPACE, NULL, {.rows = 20000, .seed = 42, .progress = 1}};
    int nops;
    int parsed = cli_parse(&demo_command, &a, argc, argv, &nops);
    if (parsed != CLI_PARSED)
        return parsed;
    struct demo_opts d = a.d;
    const char *db = a.db, *ws = a.ws, *csv_dir = a.csv_dir;
    struct err e = {0, ""};
    if (csv_dir) {
        if (mkdir(csv_dir, 0777) < 0 && errno != EEXIST) {
            fprintf(stderr, "infludash demo: %s: cannot create the folder: %s\n", csv_dir,
                    strerror(errno));
            return 1;
        }
        if (demo_write_csv(csv_dir, &d, &e) < 0) {
            fprintf(stderr, "infludash demo: %s\n", e.msg);
            return 1;
        }
        return 0;
    }
    struct store *s = cli_open_store(db, ws);
    if (!s)
        return 1;
    d.audit_actor = cli_actor();
    d.audit_workspace = ws;
    int rc = demo_load(s, &d, &e);
    if (rc < 0)
        fprintf(stderr, "infludash demo: %s\n", e.msg);
    else
        printf("loaded sample data: %llu tracking rows (seed %llu) into %s\n",
               (unsigned long long)d.rows, (unsigned long long)d.seed, store_location(s));
    store_close(s);
    return rc < 0 ? 1 : 0;
}

/* ---- status ----------------------------------------------------------------------- */

struct status_args {
    const char *db, *ws;
};

static const struct cli_option status_options[] = {
    CLI_DB(struct status_args, db),
    CLI_WORKSPACE(struct status_args, ws),
    CLI_END,
};

static const struct cli_command status_command = {
    "status",
    "print row counts and the last imports as JSON",
    NULL,
    NULL,
    0,
    "Prints row counts, the backend and the recent imports as JSON (as GET /api/status).\n",
    status_options,
};

static int cmd_status(int argc, char **argv)
{
    struct status_args a = {cli_default_db(), AUTH_DEFAULT_WORKSPACE};
    int nops;
    int parsed = cli_parse(&status_command, &a, argc, argv, &nops);
    if (parsed != CLI_PARSED)
        return parsed;
    const char *db = a.db, *ws = a.ws;
    struct store *s = cli_open_store(db, ws);
    if (!s)
        return 1;
    struct buf out = BUF_INIT;
    struct err e = {0, ""};
    struct buf url = BUF_INIT;
    cli_data_url(db, ws, &url);
    int rc = api_status_json(s, buf_cstr(&url), &out, &e);
    buf_release(&url);
    if (rc < 0)
        fprintf(stderr, "infludash status: %s\n", e.msg);
    else
        printf("%s\n", buf_cstr(&out));
    buf_release(&out);
    store_close(s);
    return rc < 0 ? 1 : 0;
}

/* ---- query ------------------------------------------------------------------------ */

/* A warning on stderr when the loaded figures leave stored rows out (engine_skipped). */
static void warn_skipped(const char *command, const struct engine *eng)
{
    size_t total = eng ? engine_skipped_count(eng, DS_COUNT) : 0, n;
    if (total == 0)
        return;
    const struct engine_skipped_row *rows = engine_skipped(eng, &n);
    fprintf(stderr,
            "infludash %s: warning: %zu stored row%s left out of the figures (a value the "
            "import would refuse); `infludash status` lists them, importing each again with a "
            "valid value fixes it. The first: %s %s: %s: \"%s\": %s\n",
            command, total, total == 1 ? " is" : "s are", schema_dataset(rows[0].ds)->name,
            rows[0].id[0] ? rows[0].id : "(rows)", rows[0].column, rows[0].value, rows[0].reason);
}

/* The settings options shared by query and export as query-parameter name/value pairs for
 * api_settings_parse. */
struct settings_args {
    const char *kv[17]; /* name, value, ..., NULL: eight settings at most */
    int n;
};

static void settings_arg(struct settings_args *a, const char *name, const char *value)
{
    for (int i = 0; i < a->n; i += 2)
        if (!strcmp(a->kv[i], name)) {
            a->kv[i + 1] = value;
            return;
        }
    a->kv[a->n++] = name;
    a->kv[a->n++] = value;
    a->kv[a->n] = NULL;
}

/* What query and export share: the filters (FILTER_OPTIONS_HELP) and the settings. */
struct analytics_args {
    struct filter_args fa;
    struct settings_args sa;
    const char *tz_name; /* --tz; NULL: TZ_DEFAULT */
    struct tz *tz;       /* loaded by analytics_parse, freed by analytics_release */
};

/* A settings option (the field is a struct settings_args); data: its query parameter. */
static int settings_option(void *field, const struct cli_option *o, const char *value)
{
    settings_arg(field, o->data, value);
    return 0;
}

static int filters_match(void *field, int argc, char **argv, int *i, struct err *e)
{
    return filter_args_match(field, argc, argv, i, e);
}

/* The analytics options of a command whose struct T has a struct analytics_args f; forms: the
 * usage lines that show the settings. */
#define CLI_ANALYTICS(T, f, forms)                                                                 \
    CLI_MATCH(T, f.fa, "FILTERS", FILTER_OPTIONS_HELP, filters_match),                             \
        CLI_CALLBACK(T, f.sa, "--iroas-method", NULL, "M",                                         \
                     "organic, holdout or fixed_share (default auto: organic\n"                    \
                     "when it applies, else holdout, else fixed_share)",                           \
                     settings_option, "iroas_method", forms, NULL),                                \
        CLI_CALLBACK(T, f.sa, "--fixed-share", NULL, "P",                                          \
                     "the share of attributed revenue fixed_share takes\n"                         \
                     "as baseline (0..1, default 0.2)",                                            \
                     settings_option, "fixed_share", forms, NULL),                                 \
        CLI_CALLBACK(T, f.sa, "--roas-benchmark", NULL, "X", "the ROAS benchmark (default 4)",     \
                     settings_option, "roas_benchmark", forms, NULL),                              \
        CLI_CALLBACK(T, f.sa, "--roi-benchmark", NULL, "X",                                        \
                     "the ROI benchmark as a fraction (default 2: 200 %)", settings_option,        \
                     "roi_benchmark", forms, NULL),                                                \
        CLI_CALLBACK(T, f.sa, "--compare", NULL, "previous|FROM..TO",                              \
                     "add the KPIs of an earlier period and the change of each:\n"                 \
                     "previous: as many days just before --from (without\n"                        \
                     "--from/--to: before the data's first day)",                                  \
                     settings_option, "compare", forms, NULL),                                     \
        CLI_CALLBACK(T, f.sa, "--rank", NULL, "shrunk|raw",                                        \
                     "rankings by ROAS: shrunk toward the cohort (default)\n"                      \
                     "or the plain ratio",                                                         \
                     settings_option, "rank", forms, NULL),                                        \
        CLI_CALLBACK(T, f.sa, "--few-orders", NULL, "N",                                           \
                     "mark ranked rows with fewer orders (default 30)", settings_option,           \
                     "few_orders", forms, NULL),                                                   \
        CLI_STRING_F(T, f.tz_name, "--tz", NULL, "ZONE",                                           \
                     "the time zone of \"as_of\" (default Asia/Kolkata)", forms, NULL)

static void analytics_init(struct analytics_args *a)
{
    filter_args_init(&a->fa);
    a->sa.kv[0] = NULL;
    a->sa.n = 0;
    a->tz_name = NULL;
    a->tz = NULL;
}

static void analytics_release(struct analytics_args *a)
{
    filter_args_release(&a->fa);
    tz_free(a->tz);
    a->tz = NULL;
}

/* The filter and settings of the options parsed; EXIT_USAGE after printing why they are bad.
 * f is to be released either way. */
static int analytics_parse(const char *cmd, struct analytics_args *a, struct filter *f,
                           struct api_settings *settings)
{
    struct err e = {0, ""};
    api_settings_default(settings);
    if (filter_args_parse(f, &a->fa, &e) < 0 ||
        api_settings_parse(settings, filter_kv_get, (void *)a->sa.kv, &e) < 0) {
        fprintf(stderr, "infludash %s: %s\n", cmd, e.msg);
        return EXIT_USAGE;
    }
    if (tz_load(a->tz_name ? a->tz_name : TZ_DEFAULT, &a->tz, &e) < 0) {
        fprintf(stderr, "infludash %s: --tz: %s\n", cmd, e.msg);
        return EXIT_USAGE;
    }
    settings->tz = a->tz;
    return 0;
}

struct query_args {
    const char *db, *ws;
    struct analytics_args an;
};

static const struct cli_option query_options[] = {
    CLI_DB(struct query_args, db),
    CLI_WORKSPACE(struct query_args, ws),
    CLI_ANALYTICS(struct query_args, an, NULL),
    CLI_END,
};

static const struct cli_command query_command = {
    "query",
    "print the dashboard JSON for a filter (as GET /api/dashboard)",
    NULL,
    NULL,
    0,
    "Prints the dashboard of the filtered data as JSON, the same document as\n"
    "GET /api/dashboard with the same parameters.\n",
    query_options,
};

static int cmd_query(int argc, char **argv)
{
    struct query_args a = {.db = cli_default_db(), .ws = AUTH_DEFAULT_WORKSPACE};
    analytics_init(&a.an);
    struct filter f;
    filter_init(&f);
    struct api_settings settings;
    struct store *s = NULL;
    struct engine *eng = NULL;
    struct buf url = BUF_INIT, out = BUF_INIT;
    struct err e = {0, ""};
    int nops;
    int rc = cli_parse(&query_command, &a, argc, argv, &nops);
    if (rc != CLI_PARSED)
        goto out;
    if ((rc = analytics_parse("query", &a.an, &f, &settings)) != 0)
        goto out;
    rc = 1;
    if (!(s = cli_open_store(a.db, a.ws)))
        goto out;
    cli_data_url(a.db, a.ws, &url); /* the workspace's: the extra connections read its rows */
    eng = engine_load_snapshot(s, buf_cstr(&url), &e);
    store_close(s);
    s = NULL;
    warn_skipped("query", eng);
    if (!eng || api_dashboard_json(eng, &f, &settings, &out, &e) < 0) {
        fprintf(stderr, "infludash query: %s\n", e.msg);
        rc = e.code == ERR_USAGE ? EXIT_USAGE : 1;
        goto out;
    }
    printf("%s\n", buf_cstr(&out));
    rc = 0;
out:
    buf_release(&out);
    engine_free(eng);
    buf_release(&url);
    store_close(s);
    filter_release(&f);
    analytics_release(&a.an);
    return rc;
}

/* ---- export ----------------------------------------------------------------------- */

/* An output file written beside its target and renamed when complete, so that a failed
 * export leaves no half file; "-" or no path: standard output. */
struct output {
    FILE *fp;
    const char *path;
    char tmp[4096];
};

static int output_open(struct output *o, const char *path, const char *cmd)
{
    o->fp = stdout;
    o->path = path;
    o->tmp[0] = '\0';
    if (!path || strcmp(path, "-") == 0)
        return 0;
    snprintf(o->tmp, sizeof o->tmp, "%s.partial", path);
    o->fp = fopen(o->tmp, "w");
    if (!o->fp) {
        fprintf(stderr, "infludash %s: %s: %s\n", cmd, path, strerror(errno));
        return -1;
    }
    return 0;
}

/* Closes and renames into place when rc is 0; removes the partial file otherwise. */
static int output_close(struct output *o, int rc, struct err *e)
{
    if (o->fp == stdout)
        return rc == 0 && fflush(stdout) != 0 ? err_set(e, ERR_IO, "%s", strerror(errno)) : rc;
    if (fclose(o->fp) != 0 && rc == 0)
        rc = err_set(e, ERR_IO, "%s: %s", o->path, strerror(errno));
    if (rc == 0 && rename(o->tmp, o->path) != 0)
        rc = err_set(e, ERR_IO, "%s: %s", o->path, strerror(errno));
    if (rc < 0)
        unlink(o->tmp);
    return rc;
}

/* ---- explain ---------------------------------------------------------------------- */

struct explain_args {
    const char *db, *ws, *rows_path, *dataset;
    struct analytics_args an;
};

static const struct cli_option explain_options[] = {
    CLI_DB(struct explain_args, db),
    CLI_WORKSPACE(struct explain_args, ws),
    CLI_ANALYTICS(struct explain_args, an, NULL),
    CLI_STRING(struct explain_args, rows_path, "--rows", "FILE",
               "also write the stored rows behind the figure as CSV (- for standard output)"),
    CLI_STRING(struct explain_args, dataset, "--dataset", "NAME",
               "the rows of this dataset (tracking_data, posts or payouts;\n"
               "default: the first behind the figure)"),
    CLI_END,
};

static const struct cli_command explain_command = {
    "explain",
    "print how one KPI was computed (as GET /api/explain)",
    NULL,
    "METRIC",
    1,
    "Prints how the dashboard's KPI METRIC (a key of its \"kpis\": revenue, spend, roas,\n"
    "engagement_rate_followers, ...) was computed for the filter, the same document as\n"
    "GET /api/explain?metric=METRIC: its value, formula, inputs, the rules that applied and\n"
    "how many stored rows of each dataset are behind it. --rows FILE writes those rows of\n"
    "one dataset as CSV, as GET /api/explain/rows.csv does.\n",
    explain_options,
};

static int cmd_explain(int argc, char **argv)
{
    struct explain_args a = {.db = cli_default_db(), .ws = AUTH_DEFAULT_WORKSPACE};
    analytics_init(&a.an);
    struct filter f;
    filter_init(&f);
    struct api_settings settings;
    struct store *s = NULL;
    struct engine *eng = NULL;
    struct buf url = BUF_INIT, out = BUF_INIT;
    struct err e = {0, ""};
    int nops;
    int rc = cli_parse(&explain_command, &a, argc, argv, &nops);
    if (rc != CLI_PARSED)
        goto out;
    rc = EXIT_USAGE;
    if (nops != 1) {
        fprintf(stderr, "infludash explain: name the metric (a KPI key of the dashboard)\n\n");
        cli_usage(&explain_command, stderr);
        goto out;
    }
    const char *metric = argv[0];
    if ((rc = analytics_parse("explain", &a.an, &f, &settings)) != 0)
        goto out;
    rc = 1;
    if (!(s = cli_open_store(a.db, a.ws)))
        goto out;
    cli_data_url(a.db, a.ws, &url);
    eng = engine_load_snapshot(s, buf_cstr(&url), &e);
    warn_skipped("explain", eng);
    enum dataset ds = DS_NONE;
    if (!eng || api_explain_json(eng, &f, &settings, metric, &out, &e) < 0 ||
        (a.rows_path && report_explain_dataset(metric, a.dataset, &ds, &e) < 0)) {
        fprintf(stderr, "infludash explain: %s\n", e.msg);
        rc = e.code == ERR_USAGE ? EXIT_USAGE : 1;
        goto out;
    }
    if (a.rows_path) {
        struct report_input in = {eng, &f, &settings, (int64_t)time(NULL), NULL, NULL};
        struct output o;
        if (output_open(&o, a.rows_path, "explain") < 0)
            goto out;
        int wrc = report_explain_rows_csv(&in, s, metric, ds, o.fp, &e);
        if (output_close(&o, wrc, &e) < 0) {
            fprintf(stderr, "infludash explain: %s\n", e.msg);
            goto out;
        }
    }
    if (!a.rows_path || strcmp(a.rows_path, "-") != 0)
        printf("%s\n", buf_cstr(&out));
    rc = 0;
out:
    buf_release(&out);
    engine_free(eng);
    buf_release(&url);
    store_close(s);
    filter_release(&f);
    analytics_release(&a.an);
    return rc;
}

struct export_args {
    const char *db, *ws, *format, *out_path;
    const char *tax_rules, *fy;
    int gst_state;
    enum dataset ds;
    struct analytics_args an;
};

static int format_option(void *field, const struct cli_option *o, const char *value)
{
    (void)o;
    if (strcmp(value, "csv") && strcmp(value, "pdf") && strcmp(value, "xlsx")) {
        fprintf(stderr, "infludash export: --format: \"%s\" is not csv, pdf or xlsx\n", value);
        return -1;
    }
    *(const char **)field = value;
    return 0;
}

static const struct cli_option export_options[] = {
    CLI_DB(struct export_args, db),
    CLI_WORKSPACE(struct export_args, ws),
    CLI_CALLBACK(struct export_args, format, "--format", NULL, "csv|pdf|xlsx",
                 "write the report of the filtered data in this format", format_option, NULL,
                 "report", "report"),
    CLI_CALLBACK(struct export_args, ds, "--dataset", NULL, "NAME",
                 "write this dataset's stored rows as CSV", dataset_option, "export", "rows",
                 "rows"),
    CLI_ANALYTICS(struct export_args, an, "report"),
    CLI_CALLBACK(struct export_args, an.sa, "--table", NULL, "T",
                 "csv: influencers (default), kpis (with --compare: the earlier\n"
                 "period and the change), platform, brand, campaign, day,\n"
                 "product or source",
                 settings_option, "table", "report", NULL),
    CLI_STRING_A(struct export_args, out_path, "-o", "--output", "FILE",
                 "the file to write (- for standard output)"),
    CLI_STRING_F(struct export_args, fy, "--fy", NULL, "YYYY-YY",
                 "pdf, xlsx: the FY of the tax table (default: the FY\nof --to, else the newest "
                 "with payouts)",
                 "report", NULL),
    CLI_STRING_F(struct export_args, tax_rules, "--tax-rules", NULL, "FILE",
                 "pdf, xlsx: the TDS rules table (default: built in)", "report", NULL),
    CLI_CALLBACK(struct export_args, gst_state, "--gst-state", NULL, "NN",
                 "pdf, xlsx: the brand's GST state code", cli_gst_state_option, "export", "report",
                 NULL),
    CLI_END,
};

static const struct cli_form export_forms[] = {{"report", ""}, {"rows", ""}, {NULL, NULL}};

static const struct cli_command export_command = {
    "export",
    "write a report, or a dataset's stored rows, as CSV, PDF or XLSX",
    export_forms,
    NULL,
    0,
    "--format writes the report of the filtered data: csv (the per-influencer metrics, or\n"
    "--table), pdf (KPIs against the benchmarks, charts, spend and ROAS by group, top and\n"
    "bottom influencers, payouts, the insight sentences) or xlsx (sheets Summary,\n"
    "Influencers, Platforms, Personas, Daily, Payouts, Brands, Campaigns, Products,\n"
    "Sources). pdf and xlsx end with the TDS and GST of an FY (sheet Tax, page \"TDS and\n"
    "GST, FY ...\"), the figures of GET /api/payouts/tax: --fy, else the FY of --to (left\n"
    "out when the rules table has no rule for it), else the newest FY with payouts.\n"
    "With --compare each adds the earlier period. Each states its filters and\n"
    "when it was made. Without -o the file is\n"
    "named infludash-report-YYYYMMDD-HHMMSS.EXT (UTC) in the current directory.\n"
    "\n"
    "--dataset writes that dataset's stored rows as CSV (canonical columns, then the extra\n"
    "columns kept at import) to FILE or standard output: every row, or with filters the\n"
    "rows they cover.\n",
    export_options,
};

/* The tax table of a PDF or XLSX report: --fy (an error when the rules table has no rule
 * for it), else the FY of the filter's end (left out, *have 0, when the table has none),
 * else the newest FY with payouts. */
static int export_tax(const struct export_args *a, struct store *s, const struct filter *f,
                      struct api_tax_table *t, int *have, struct err *e)
{
    struct tax_rules rules;
    tax_rules_init(&rules);
    int rc = a->tax_rules ? tax_rules_load(&rules, a->tax_rules, e) : tax_rules_builtin(&rules, e);
    int32_t fy = API_TAX_LATEST_FY;
    if (rc == 0 && a->fy) {
        struct err why;
        err_clear(&why);
        if ((rc = tax_fy_parse(a->fy, &fy, &why)) < 0)
            rc = err_set(e, ERR_USAGE, "--fy: %s", why.msg);
    }
    if (rc == 0)
        rc = api_tax_report_table(s, &rules, a->gst_state, fy, f->f.to_day, t, have, e);
    tax_rules_release(&rules);
    return rc;
}

/* Writes the report (or with --dataset the filtered rows) from the loaded data. */
static int export_from_engine(const struct export_args *a, struct store *s, struct filter *f,
                              struct api_settings *settings, struct err *e)
{
    const char *out_path = a->out_path;
    int have_ds = a->ds != DS_NONE;
    struct buf url = BUF_INIT; /* the workspace's: the extra connections read its rows */
    cli_data_url(a->db, a->ws, &url);
    struct engine *eng = engine_load_snapshot(s, buf_cstr(&url), e);
    buf_release(&url);
    int rc = eng ? 0 : -1;
    warn_skipped("export", eng);
    struct report_input in = {eng, f, settings, (int64_t)time(NULL), NULL, NULL};
    struct buf name = BUF_INIT;
    if (rc == 0 && !have_ds && !out_path) {
        report_file_name_for("report", a->format, &in, &name);
        out_path = buf_cstr(&name);
    }
    if (rc == 0 && (have_ds || strcmp(a->format, "csv") == 0)) {
        struct output out;
        if (output_open(&out, out_path, "export") < 0) {
            rc = err_set(e, ERR_IO, "%s: cannot write", out_path);
        } else {
            rc =
                have_ds ? report_dataset_csv(&in, s, a->ds, out.fp, e) : report_csv(&in, out.fp, e);
            rc = output_close(&out, rc, e);
        }
    } else if (rc == 0) {
        struct api_tax_table tax;
        api_tax_table_init(&tax);
        int have_tax = 0;
        rc = export_tax(a, s, f, &tax, &have_tax, e);
        in.tax = have_tax ? &tax : NULL;
        if (rc == 0)
            rc = strcmp(a->format, "pdf") == 0 ? report_pdf(&in, out_path, e)
                                               : report_xlsx(&in, out_path, e);
        api_tax_table_release(&tax);
    }
    if (rc == 0 && out_path && strcmp(out_path, "-") != 0 && !have_ds)
        fprintf(stderr, "infludash export: wrote %s\n", out_path);
    buf_release(&name);
    engine_free(eng);
    return rc;
}

static int cmd_export(int argc, char **argv)
{
    struct export_args a = {.db = cli_default_db(), .ws = AUTH_DEFAULT_WORKSPACE, .ds = DS_NONE};
    analytics_init(&a.an);
    struct filter f;
    filter_init(&f);
    struct api_settings settings;
    struct store *s = NULL;
    struct err e = {0, ""};
    int nops;
    int rc = cli_parse(&export_command, &a, argc, argv, &nops);
    if (rc != CLI_PARSED)
        goto out;
    rc = EXIT_USAGE;
    if (a.ds == DS_NONE && !a.format) {
        fprintf(stderr, "infludash export: give --format (a report) or --dataset (stored rows)"
                        "\n\n");
        cli_usage(&export_command, stderr);
        goto out;
    }
    if (a.ds != DS_NONE && a.format && strcmp(a.format, "csv") != 0) {
        fprintf(stderr, "infludash export: a dataset's rows are written as CSV only\n");
        goto out;
    }
    if (analytics_parse("export", &a.an, &f, &settings) != 0)
        goto out;
    rc = 1;
    if (!(s = cli_open_store(a.db, a.ws)))
        goto out;
    int written;
    if (a.ds != DS_NONE && !filter_is_set(&f)) { /* every stored row: no engine needed */
        struct output o;
        if (output_open(&o, a.out_path, "export") < 0)
            goto out;
        written = output_close(&o, export_dataset_csv(s, a.ds, o.fp, &e), &e);
    } else {
        written = export_from_engine(&a, s, &f, &settings, &e);
    }
    if (written < 0)
        fprintf(stderr, "infludash export: %s\n", e.msg);
    rc = written < 0 ? 1 : 0;
out:
    store_close(s);
    filter_release(&f);
    analytics_release(&a.an);
    return rc;
}

/* ---- serve ------------------------------------------------------------------------ */

static const struct cli_option serve_options[] = {
    CLI_DB(struct serve_config, db_url),
    CLI_STRING(struct serve_config, listen, "--listen", "HOST:PORT",
               "the address to serve (default 127.0.0.1:8080)"),
    CLI_FLAG(struct serve_config, sample_if_empty, "--sample-if-empty", NULL,
             "load sample data when the database holds no rows"),
    CLI_U64(struct serve_config, sample_rows, "--sample-rows", "N",
            "tracking rows of that sample data (default 20000)"),
    CLI_U64(struct serve_config, max_body_bytes, "--max-body-size", "BYTES",
            "the largest request body but an upload's (default 1M)"),
    CLI_U64(struct serve_config, max_upload_bytes, "--max-upload-size", "BYTES",
            "the largest upload to POST /api/import (default 1G)"),
    CLI_UNSIGNED(struct serve_config, max_connections, "--max-connections", "N",
                 "connections served at once (default 512)", 1, 65536, NULL),
    CLI_UNSIGNED(struct serve_config, max_connections_per_client, "--max-connections-per-client",
                 "N", "connections from one address (default 256)", 1, 65536, NULL),
    CLI_UNSIGNED(struct serve_config, idle_timeout, "--idle-timeout", "SECONDS",
                 "close a connection idle this long (default 30)", 1, 86400, "seconds"),
    CLI_UNSIGNED(struct serve_config, header_timeout, "--header-timeout", "SECONDS",
                 "close a connection whose request head takes\nlonger (default 10)", 1, 3600,
                 "seconds"),
    CLI_NUMBER(struct serve_config, roas_benchmark, "--roas-benchmark", "X",
               "the ROAS benchmark (default 4)", 1e9),
    CLI_NUMBER(struct serve_config, roi_benchmark, "--roi-benchmark", "X",
               "the ROI benchmark as a fraction (default 2: 200 %)", 1e9),
    CLI_U64_RANGE(struct serve_config, session_ttl, "--session-ttl", "SECONDS",
                  "how long a sign-in lasts (default 43200, 12 h)", 1, 366 * 86400, "seconds"),
    CLI_FLAG(struct serve_config, trust_proxy, "--trust-proxy", NULL,
             "take the client's address from X-Forwarded-For"),
    CLI_FLAG(struct serve_config, no_scheduler, "--no-scheduler", NULL,
             "do not run the due syncs and scheduled reports\n(infludash schedule run does)"),
    CLI_CALLBACK(struct serve_config, platforms, "--platforms", NULL, "LIST", CLI_PLATFORMS_HELP,
                 cli_platforms_option, "serve", NULL, NULL),
    CLI_STRING(struct serve_config, tax_rules, "--tax-rules", "FILE",
               "the TDS rules table (default: data/tds_rules.csv,\nbuilt in)"),
    CLI_CALLBACK(struct serve_config, gst_state, "--gst-state", NULL, "NN",
                 "the brand's GST state code (27 Maharashtra, ...)", cli_gst_state_option, "serve",
                 NULL, NULL),
    CLI_STRING(struct serve_config, tz, "--tz", "ZONE",
               "the installation's time zone, an IANA name (default\n$INFLUDASH_TZ, else "
               "Asia/Kolkata): schedules run and\n\"Data as of\" is shown in it"),
    CLI_STRING(struct serve_config, engine_cache, "--engine-cache", "FILE",
               "where to keep the loaded data for the next start\n(default: DB.engine beside "
               "an SQLite database;\nnone for PostgreSQL)"),
    CLI_UNSIGNED(struct serve_config, answer_cache_mb, "--answer-cache", "MB",
                 "room for the answers each workspace's data has\ngiven, to give again "
                 "(default 32; 0: none kept)",
                 0, 65536, "MB"),
    CLI_END,
};

static const struct cli_command serve_command = {
    "serve",
    "serve the dashboard and the JSON API over HTTP",
    NULL,
    NULL,
    0,
    "Serves http://HOST:PORT (default 127.0.0.1:8080): the web app (/, /influencers,\n"
    "/insights, /payouts, /upload, /export, /database), /api/status, /api/dashboard,\n"
    "/api/influencers[/ID], /api/insights, /api/payouts, uploads (POST /api/import[/DATASET],\n"
    "at most --max-upload-size bytes, default 1 GiB), /api/datasets/NAME.csv, /healthz. The\n"
    "data is loaded into memory at start and again whenever it changes. Benchmarks:\n"
    "ROAS 4 and ROI 2 (200 %) unless given. --sample-if-empty loads generated sample\n"
    "data (N tracking rows, default 20000) when the database holds no rows. Stops on\n"
    "SIGTERM or SIGINT after the requests in flight. GET /metrics answers counters in\n"
    "the Prometheus text format.\n"
    "\n"
    "Payouts (SPEC 10): TDS follows the rules table data/tds_rules.csv built into the\n"
    "binary, or --tax-rules FILE (checked at start: a bad table stops the server), which an\n"
    "admin may replace with POST /api/payouts/tax-rules (saved to FILE). --gst-state NN is\n"
    "the brand's GST state code (27 Maharashtra, 06 Haryana, ...): GST of an influencer in\n"
    "that state is CGST + SGST, else IGST. GET /api/payouts/tax?fy=2025-26,\n"
    "/api/payouts/batch.csv?status=Pending, /api/payouts/batch-refusals, /api/simulate,\n"
    "/api/compliance.\n"
    "\n"
    "Connections: at most --max-connections at once (default 512, a thread each), of them\n"
    "at most --max-connections-per-client from one address (default 256; behind a reverse\n"
    "proxy every connection comes from the proxy's address). 16 more are kept for health\n"
    "checks: past either limit a connection is answered only for GET /healthz (anything\n"
    "else gets 503 with Retry-After) and must send its request within 2 s; past those too,\n"
    "it is closed at once. A connection idle for --idle-timeout seconds (default 30) is\n"
    "closed, and so is one whose request head (request line and headers) is not complete\n"
    "within --header-timeout seconds (default 10), however it trickles in.\n"
    "\n"
    "Every workspace is served (?ws=SLUG). While no user exists (infludash user add) the\n"
    "server is open to anyone who can reach it; after that every page and API call needs\n"
    "a sign-in (POST /login), which lasts --session-ttl seconds (default 43200, 12 h).\n"
    "Failed sign-ins are limited per name and per client address; behind a reverse proxy,\n"
    "--trust-proxy takes the address from the last entry of X-Forwarded-For (and lets\n"
    "X-Forwarded-Host name this server for the same-origin check).\n"
    "\n"
    "Sources and scheduled reports (infludash source add, report add) run by themselves:\n"
    "what is due runs at start (a run missed while the server was down, once) and then at\n"
    "the start of every minute; servers sharing one database run each due job once.\n"
    "--no-scheduler leaves that to `infludash schedule run` (cron). /api/sources lists the\n"
    "sources with their runs; POST /api/sources/NAME/sync syncs one now.\n",
    serve_options,
};

static int cmd_serve(int argc, char **argv)
{
    struct serve_config cfg;
    serve_config_default(&cfg);
    cfg.db_url = cli_default_db();
    cfg.version = INFLUDASH_VERSION;
    int nops;
    int parsed = cli_parse(&serve_command, &cfg, argc, argv, &nops);
    if (parsed != CLI_PARSED)
        return parsed;
    const char *ca = getenv("INFLUDASH_CA_FILE");
    cfg.ca_file = ca && *ca ? ca : NULL;
    struct err e = {0, ""};
    if (serve_run(&cfg, &e) < 0) {
        fprintf(stderr, "infludash serve: %s\n", e.msg);
        return 1;
    }
    return 0;
}

/* The commands: adding one is an entry here (its struct cli_command, whose option table
 * prints its usage, and the function that runs it). */
static const struct {
    const struct cli_command *command;
    int (*run)(int argc, char **argv);
} commands[] = {
    {&serve_command, cmd_serve},
    {&import_command, cmd_import},
    {&demo_command, cmd_demo},
    {&query_command, cmd_query},
    {&explain_command, cmd_explain},
    {&export_command, cmd_export},
    {&status_command, cmd_status},
    {&cli_user_command, cli_cmd_user},
    {&cli_workspace_command, cli_cmd_workspace},
    {&cli_audit_command, cli_cmd_audit},
    {&cli_source_command, cli_cmd_source},
    {&cli_sync_command, cli_cmd_sync},
    {&cli_schedule_command, cli_cmd_schedule},
    {&cli_report_command, cli_cmd_report},
};
#define NCOMMANDS (sizeof commands / sizeof commands[0])

static void main_usage(FILE *f)
{
    fputs("infludash " INFLUDASH_VERSION " — influencer-campaign analytics\n"
          "\n"
          "usage: infludash COMMAND [OPTIONS]\n"
          "\n"
          "commands:\n",
          f);
    for (size_t i = 0; i < NCOMMANDS; i++)
        fprintf(f, "  %-8s %s\n", commands[i].command->name, commands[i].command->summary);
    fputs("\n"
          "The database is --db URL (sqlite:PATH), else $DATABASE_URL, else sqlite:infludash.db.\n"
          "Data commands take --workspace SLUG (default: default); see docs/accounts.md.\n"
          "Run 'infludash COMMAND --help' or 'infludash help COMMAND' for a command's options.\n",
          f);
}

static const struct cli_command *find_command(const char *name, size_t *at)
{
    for (size_t i = 0; i < NCOMMANDS; i++)
        if (!strcmp(name, commands[i].command->name)) {
            *at = i;
            return commands[i].command;
        }
    return NULL;
}

int cli_main(int argc, char **argv)
{
    size_t at;
    if (argc < 2 || cli_is_help(argv[1])) {
        if (argc == 3 && cli_is_help(argv[1]) && find_command(argv[2], &at)) {
            cli_usage(commands[at].command, stdout); /* infludash help COMMAND */
            return 0;
        }
        main_usage(argc < 2 ? stderr : stdout);
        return argc < 2 ? EXIT_USAGE : 0;
    }
    if (!strcmp(argv[1], "--version") || !strcmp(argv[1], "version")) {
        printf("infludash %s\n", INFLUDASH_VERSION);
        return 0;
    }
    if (find_command(argv[1], &at))
        return commands[at].run(argc - 2, argv + 2);
    fprintf(stderr, "infludash: unknown command \"%s\"\n\n", argv[1]);
    main_usage(stderr);
    return EXIT_USAGE;
}
