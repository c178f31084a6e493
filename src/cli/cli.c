/* cli.c — the command line (see cli.h): cli_main picks the command; the data commands
 * (import, demo, export, status, query, serve) are here, the account commands in
 * cli_accounts.c. Calls cli_accounts, cli_common, store, ingest, demo, export, engine,
 * filter, api, api_data, report, schema, number and serve; owns all terminal output. */
#include "cli.h"
#include "cli_impl.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "api.h"
#include "api_data.h"
#include "engine.h"
#include "filter.h"
#include "report.h"
#include "demo.h"
#include "export.h"
#include "ingest.h"
#include "serve.h"
#include "auth.h"
#include "number.h"
#include "store.h"

#include "banned.h"

static const char main_usage[] =
    "infludash " INFLUDASH_VERSION " — influencer-campaign analytics\n"
    "\n"
    "usage: infludash COMMAND [OPTIONS]\n"
    "\n"
    "commands:\n"
    "  serve    serve the dashboard and the JSON API over HTTP\n"
    "  import   import CSV or JSON files (influencers, posts, tracking_data, payouts)\n"
    "  demo     load generated sample data\n"
    "  query    print the dashboard JSON for a filter (as GET /api/dashboard)\n"
    "  export   write a dataset's stored rows as CSV\n"
    "  status   print row counts and the last imports as JSON\n"
    "  user     add, list, change or remove users (user add NAME --role admin)\n"
    "  workspace add, list or remove workspaces\n"
    "  audit    print the audit log of imports, deletions and user changes\n"
    "\n"
    "The database is --db URL (sqlite:PATH), else $DATABASE_URL, else sqlite:infludash.db.\n"
    "Data commands take --workspace SLUG (default: default); see docs/accounts.md.\n"
    "Run 'infludash COMMAND --help' for a command's options.\n";

static const char serve_usage[] =
    "usage: infludash serve [--db URL] [--listen HOST:PORT] [--sample-if-empty]\n"
    "                       [--sample-rows N] [--max-body-size BYTES]\n"
    "                       [--max-upload-size BYTES] [--max-connections N]\n"
    "                       [--max-connections-per-client N] [--idle-timeout SECONDS]\n"
    "                       [--header-timeout SECONDS]\n"
    "                       [--roas-benchmark X] [--roi-benchmark X]\n"
    "                       [--session-ttl SECONDS] [--trust-proxy]\n"
    "\n"
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
    "X-Forwarded-Host name this server for the same-origin check).\n";

static const char import_usage[] =
    "usage: infludash import [--db URL] [--workspace SLUG] [--dataset NAME] [--mode "
    "append|replace]\n"
    "                        [--skip-invalid] [--rejects FILE] [--max-file-size BYTES]\n"
    "                        [--max-rows N] [--max-field-size BYTES] [--quiet] FILE...\n"
    "\n"
    "Imports CSV (comma, semicolon or tab separated) or JSON arrays of objects. Each\n"
    "file's dataset is recognised from its name and header, or named with --dataset\n"
    "(influencers, posts, tracking_data, payouts). All files are imported in one\n"
    "transaction: all or nothing.\n"
    "  --mode append     upsert rows by id (default)\n"
    "  --mode replace    replace each imported dataset whole\n"
    "  --skip-invalid    import the valid rows and report the rejected ones\n"
    "  --rejects FILE    write the rejected rows, with the reason, as CSV\n"
    "Exit status: 0 all rows imported; 1 nothing imported; 2 some rows skipped.\n";

static const char demo_usage[] =
    "usage: infludash demo [--db URL] [--workspace SLUG] [--rows N] [--seed S] [--csv DIR]\n"
    "\n"
    "Replaces the four datasets with generated sample data: N tracking rows (default\n"
    "20000) and matching influencers, posts and payouts. With --csv, writes the four\n"
    "CSV files into DIR instead of loading them.\n";

static const char export_usage[] =
    "usage: infludash export [--db URL] [--workspace SLUG] --format csv|pdf|xlsx [FILTERS] [-o "
    "FILE]\n"
    "       infludash export [--db URL] --dataset NAME [FILTERS] [-o FILE]\n"
    "\n"
    "--format writes the report of the filtered data: csv (the per-influencer metrics, or\n"
    "--table), pdf (KPIs against the benchmarks, charts, spend and ROAS by group, top and\n"
    "bottom influencers, payouts, the insight sentences) or xlsx (sheets Summary,\n"
    "Influencers, Platforms, Personas, Daily, Payouts, Brands, Campaigns, Products,\n"
    "Sources). Each states its filters and when it was made. Without -o the file is\n"
    "named infludash-report-YYYYMMDD-HHMMSS.EXT (UTC) in the current directory.\n"
    "\n"
    "--dataset writes that dataset's stored rows as CSV (canonical columns, then the extra\n"
    "columns kept at import) to FILE or standard output: every row, or with filters the\n"
    "rows they cover.\n"
    "\n" FILTER_OPTIONS_HELP
    "  --iroas-method M --fixed-share P --roas-benchmark X --roi-benchmark X  as for query\n"
    "  --compare previous|FROM..TO  the reports add the KPIs of that period and the change\n"
    "  --table T            csv: influencers (default), kpis (with --compare: the earlier\n"
    "                       period and the change), platform, brand, campaign, day,\n"
    "                       product or source\n";

static const char query_usage[] =
    "usage: infludash query [--db URL] [--workspace SLUG] [FILTERS] [--iroas-method "
    "auto|organic|holdout|fixed_share]\n"
    "                       [--fixed-share P] [--roas-benchmark X] [--roi-benchmark X]\n"
    "                       [--compare previous|FROM..TO]\n"
    "\n"
    "Prints the dashboard of the filtered data as JSON, the same document as\n"
    "GET /api/dashboard with the same parameters.\n"
    "\n" FILTER_OPTIONS_HELP "incremental revenue and benchmarks:\n"
    "  --iroas-method M     organic, holdout or fixed_share (default auto: organic when it\n"
    "                       applies, else holdout, else fixed_share)\n"
    "  --fixed-share P      the share of attributed revenue fixed_share takes as baseline\n"
    "                       (0..1, default 0.2)\n"
    "  --roas-benchmark X   default 4; --roi-benchmark X as a fraction, default 2 (200 %)\n"
    "period comparison:\n"
    "  --compare previous   adds the KPIs of the same number of days just before --from\n"
    "                       (without --from/--to: before the data's first day) and the\n"
    "                       change of each; --compare FROM..TO compares with those dates\n";

static const char status_usage[] =
    "usage: infludash status [--db URL] [--workspace SLUG]\n"
    "\n"
    "Prints row counts, the backend and the recent imports as JSON (as GET /api/status).\n";

/* ---- import ----------------------------------------------------------------------- */

static int cmd_import(int argc, char **argv)
{
    struct opts o = {argc, argv, 0, NULL};
    struct ingest_opts io;
    ingest_opts_default(&io);
    io.progress = 1;
    const char *db = cli_default_db(), *ws = AUTH_DEFAULT_WORKSPACE;
    int quiet = 0, bad = 0;
    const char **files = calloc((size_t)argc + 1, sizeof *files);
    size_t nfiles = 0;
    while (o.i < argc) {
        const char *a = argv[o.i];
        uint64_t v;
        if (cli_is_help(a)) {
            fputs(import_usage, stdout);
            free(files);
            return 0;
        } else if (cli_opt_value(&o, "--db", &bad)) {
            db = o.value;
        } else if (cli_opt_value(&o, "--workspace", &bad) || cli_opt_value(&o, "-w", &bad)) {
            ws = o.value;
        } else if (cli_opt_value(&o, "--dataset", &bad)) {
            io.dataset = schema_dataset_by_name(o.value);
            if (io.dataset == DS_NONE) {
                fprintf(stderr,
                        "infludash import: unknown dataset \"%s\" (use influencers, "
                        "posts, tracking_data or payouts)\n",
                        o.value);
                bad = 1;
            }
        } else if (cli_opt_value(&o, "--mode", &bad)) {
            if (!strcmp(o.value, "append"))
                io.replace = 0;
            else if (!strcmp(o.value, "replace"))
                io.replace = 1;
            else {
                fprintf(stderr, "infludash import: --mode must be append or replace, not \"%s\"\n",
                        o.value);
                bad = 1;
            }
        } else if (cli_opt_flag(&o, "--skip-invalid")) {
            io.skip_invalid = 1;
        } else if (cli_opt_value(&o, "--rejects", &bad)) {
            io.rejects_path = o.value;
        } else if (cli_opt_value(&o, "--max-file-size", &bad)) {
            bad |= cli_parse_u64("--max-file-size", o.value, &v) < 0;
            io.limits.max_file_bytes = v;
        } else if (cli_opt_value(&o, "--max-rows", &bad)) {
            bad |= cli_parse_u64("--max-rows", o.value, &v) < 0;
            io.limits.max_rows = v;
        } else if (cli_opt_value(&o, "--max-field-size", &bad)) {
            bad |= cli_parse_u64("--max-field-size", o.value, &v) < 0;
            io.limits.max_field_bytes = (size_t)v;
        } else if (cli_opt_flag(&o, "--quiet") || cli_opt_flag(&o, "-q")) {
            quiet = 1;
            io.progress = 0;
        } else if (bad) {
            break;
        } else if (a[0] == '-' && a[1] != '\0') {
            free(files);
            return cli_unknown_option("import", a, import_usage);
        } else {
            files[nfiles++] = a;
            o.i++;
        }
        if (bad)
            break;
    }
    if (bad) {
        free(files);
        return EXIT_USAGE;
    }
    if (nfiles == 0) {
        fprintf(stderr, "infludash import: no file given\n\n%s", import_usage);
        free(files);
        return EXIT_USAGE;
    }
    struct store *s = cli_open_store(db, ws);
    if (!s) {
        free(files);
        return 1;
    }
    struct ingest_result res;
    struct err e = {0, ""};
    io.audit_actor = cli_actor();
    io.audit_workspace = ws;
    int rc = ingest_files(s, files, nfiles, &io, &res, &e);
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
        printf("imported %lld rows from %zu file%s\n", (long long)res.accepted, nfiles,
               nfiles == 1 ? "" : "s");
    }
    ingest_result_release(&res);
    store_close(s);
    free(files);
    return status;
}

/* ---- demo ------------------------------------------------------------------------- */

static int cmd_demo(int argc, char **argv)
{
    struct opts o = {argc, argv, 0, NULL};
    struct demo_opts d = {.rows = 20000, .seed = 42, .progress = 1};
    const char *db = cli_default_db(), *csv_dir = NULL, *ws = AUTH_DEFAULT_WORKSPACE;
    int bad = 0;
    while (o.i < argc && !bad) {
        const char *a = argv[o.i];
        if (cli_is_help(a)) {
            fputs(demo_usage, stdout);
            return 0;
        } else if (cli_opt_value(&o, "--db", &bad)) {
            db = o.value;
        } else if (cli_opt_value(&o, "--workspace", &bad) || cli_opt_value(&o, "-w", &bad)) {
            ws = o.value;
        } else if (cli_opt_value(&o, "--rows", &bad)) {
            bad |= cli_parse_u64("--rows", o.value, &d.rows) < 0;
        } else if (cli_opt_value(&o, "--seed", &bad)) {
            bad |= cli_parse_u64("--seed", o.value, &d.seed) < 0;
        } else if (cli_opt_value(&o, "--csv", &bad)) {
            csv_dir = o.value;
        } else if (!bad) {
            return cli_unknown_option("demo", a, demo_usage);
        }
    }
    if (bad)
        return EXIT_USAGE;
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

static int cmd_status(int argc, char **argv)
{
    struct opts o = {argc, argv, 0, NULL};
    const char *db = cli_default_db(), *ws = AUTH_DEFAULT_WORKSPACE;
    int bad = 0;
    while (o.i < argc && !bad) {
        const char *a = argv[o.i];
        if (cli_is_help(a)) {
            fputs(status_usage, stdout);
            return 0;
        } else if (cli_opt_value(&o, "--db", &bad)) {
            db = o.value;
        } else if (cli_opt_value(&o, "--workspace", &bad) || cli_opt_value(&o, "-w", &bad)) {
            ws = o.value;
        } else if (!bad) {
            return cli_unknown_option("status", a, status_usage);
        }
    }
    if (bad)
        return EXIT_USAGE;
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

/* A number option ≥ 0, within max: the whole text (number.h). */
static int parse_number(const char *name, const char *s, double max, double *out)
{
    double v;
    if (number_parse_double(s, strlen(s), &v) < 0 || !(v >= 0 && v <= max)) {
        fprintf(stderr, "infludash: %s: \"%s\" is not a number from 0 to %g\n", name, s, max);
        return -1;
    }
    *out = v;
    return 0;
}

/* The settings options shared by query (and the report exports later) as query-parameter
 * name/value pairs for api_settings_parse. */
struct settings_args {
    const char *kv[13]; /* name, value, ..., NULL */
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

/* The options query and export share: filters and the settings. Returns 1 when argv[o->i]
 * was one (o->i advanced), 0 when not, -1 after printing why a value is bad. */
static int analytics_option(struct opts *o, const char *cmd, struct filter_args *fa,
                            struct settings_args *sa, int *bad)
{
    static const struct {
        const char *flag, *param;
    } settings[] = {{"--iroas-method", "iroas_method"},
                    {"--fixed-share", "fixed_share"},
                    {"--roas-benchmark", "roas_benchmark"},
                    {"--roi-benchmark", "roi_benchmark"},
                    {"--compare", "compare"},
                    {"--table", "table"}};
    for (size_t i = 0; i < sizeof settings / sizeof settings[0]; i++) {
        if (cli_opt_value(o, settings[i].flag, bad)) {
            settings_arg(sa, settings[i].param, o->value);
            return 1;
        }
        if (*bad)
            return -1;
    }
    struct err e = {0, ""};
    int rc = filter_args_match(fa, o->argc, o->argv, &o->i, &e);
    if (rc < 0) {
        fprintf(stderr, "infludash %s: %s\n", cmd, e.msg);
        *bad = 1;
    }
    return rc;
}

/* The filter and settings of the options analytics_option took; EXIT_USAGE after printing
 * why they are bad. fa is released either way; f is to be released on success. */
static int analytics_parse(const char *cmd, struct filter_args *fa, const struct settings_args *sa,
                           struct filter *f, struct api_settings *settings)
{
    struct err e = {0, ""};
    api_settings_default(settings);
    int rc = filter_args_parse(f, fa, &e);
    filter_args_release(fa);
    if (rc < 0) {
        fprintf(stderr, "infludash %s: %s\n", cmd, e.msg);
        return EXIT_USAGE;
    }
    if (api_settings_parse(settings, filter_kv_get, (void *)sa->kv, &e) < 0) {
        fprintf(stderr, "infludash %s: %s\n", cmd, e.msg);
        filter_release(f);
        return EXIT_USAGE;
    }
    return 0;
}

static int cmd_query(int argc, char **argv)
{
    struct opts o = {argc, argv, 0, NULL};
    const char *db = cli_default_db(), *ws = AUTH_DEFAULT_WORKSPACE;
    struct filter_args fa;
    filter_args_init(&fa);
    struct settings_args sa = {{NULL}, 0};
    struct err e = {0, ""};
    int bad = 0;
    while (o.i < argc && !bad) {
        const char *a = argv[o.i];
        if (cli_is_help(a)) {
            fputs(query_usage, stdout);
            filter_args_release(&fa);
            return 0;
        } else if (cli_opt_value(&o, "--db", &bad)) {
            db = o.value;
        } else if (cli_opt_value(&o, "--workspace", &bad) || cli_opt_value(&o, "-w", &bad)) {
            ws = o.value;
        } else if (!bad && analytics_option(&o, "query", &fa, &sa, &bad) == 0) {
            filter_args_release(&fa);
            return cli_unknown_option("query", a, query_usage);
        }
    }
    if (bad) {
        filter_args_release(&fa);
        return EXIT_USAGE;
    }
    struct filter f;
    struct api_settings settings;
    if (analytics_parse("query", &fa, &sa, &f, &settings) != 0)
        return EXIT_USAGE;
    struct store *s = cli_open_store(db, ws);
    if (!s) {
        filter_release(&f);
        return 1;
    }
    struct buf url = BUF_INIT; /* the workspace's: the extra connections read its rows too */
    cli_data_url(db, ws, &url);
    struct engine *eng = engine_load_snapshot(s, buf_cstr(&url), &e);
    buf_release(&url);
    store_close(s);
    warn_skipped("query", eng);
    int rc;
    struct buf out = BUF_INIT;
    rc = eng ? api_dashboard_json(eng, &f, &settings, &out, &e) : -1;
    if (rc < 0)
        fprintf(stderr, "infludash query: %s\n", e.msg);
    else
        printf("%s\n", buf_cstr(&out));
    buf_release(&out);
    engine_free(eng);
    filter_release(&f);
    return rc < 0 ? (e.code == ERR_USAGE ? EXIT_USAGE : 1) : 0;
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

static int cmd_export(int argc, char **argv)
{
    struct opts o = {argc, argv, 0, NULL};
    const char *db = cli_default_db(), *out_path = NULL, *format = NULL;
    const char *ws = AUTH_DEFAULT_WORKSPACE;
    enum dataset ds = DS_NONE;
    int bad = 0, have_ds = 0;
    struct filter_args fa;
    filter_args_init(&fa);
    struct settings_args sa = {{NULL}, 0};
    while (o.i < argc && !bad) {
        const char *a = argv[o.i];
        if (cli_is_help(a)) {
            fputs(export_usage, stdout);
            filter_args_release(&fa);
            return 0;
        } else if (cli_opt_value(&o, "--db", &bad)) {
            db = o.value;
        } else if (cli_opt_value(&o, "--workspace", &bad) || cli_opt_value(&o, "-w", &bad)) {
            ws = o.value;
        } else if (cli_opt_value(&o, "--dataset", &bad)) {
            have_ds = 1;
            ds = schema_dataset_by_name(o.value);
            if (ds == DS_NONE) {
                fprintf(stderr,
                        "infludash export: unknown dataset \"%s\" (use influencers, "
                        "posts, tracking_data or payouts)\n",
                        o.value);
                bad = 1;
            }
        } else if (cli_opt_value(&o, "--format", &bad)) {
            format = o.value;
            if (strcmp(format, "csv") && strcmp(format, "pdf") && strcmp(format, "xlsx")) {
                fprintf(stderr, "infludash export: --format: \"%s\" is not csv, pdf or xlsx\n",
                        format);
                bad = 1;
            }
        } else if (cli_opt_value(&o, "-o", &bad) || cli_opt_value(&o, "--output", &bad)) {
            out_path = o.value;
        } else if (!bad && analytics_option(&o, "export", &fa, &sa, &bad) == 0) {
            filter_args_release(&fa);
            return cli_unknown_option("export", a, export_usage);
        }
    }
    if (!bad && !have_ds && !format) {
        fprintf(stderr,
                "infludash export: give --format (a report) or --dataset (stored rows)"
                "\n\n%s",
                export_usage);
        bad = 1;
    }
    if (!bad && have_ds && format && strcmp(format, "csv") != 0) {
        fprintf(stderr, "infludash export: a dataset's rows are written as CSV only\n");
        bad = 1;
    }
    if (bad) {
        filter_args_release(&fa);
        return EXIT_USAGE;
    }
    struct filter f;
    struct api_settings settings;
    if (analytics_parse("export", &fa, &sa, &f, &settings) != 0)
        return EXIT_USAGE;
    struct store *s = cli_open_store(db, ws);
    if (!s) {
        filter_release(&f);
        return 1;
    }
    struct err e = {0, ""};
    int rc = 0;
    if (have_ds && !filter_is_set(&f)) { /* every stored row: no engine needed */
        struct output out;
        if (output_open(&out, out_path, "export") < 0) {
            filter_release(&f);
            store_close(s);
            return 1;
        }
        rc = output_close(&out, export_dataset_csv(s, ds, out.fp, &e), &e);
    } else {
        struct buf url = BUF_INIT; /* the workspace's: the extra connections read its rows */
        cli_data_url(db, ws, &url);
        struct engine *eng = engine_load_snapshot(s, buf_cstr(&url), &e);
        buf_release(&url);
        rc = eng ? 0 : -1;
        warn_skipped("export", eng);
        struct report_input in = {eng, &f, &settings, (int64_t)time(NULL)};
        struct buf name = BUF_INIT;
        if (rc == 0 && !have_ds && !out_path) {
            report_file_name_for("report", format, &in, &name);
            out_path = buf_cstr(&name);
        }
        if (rc == 0 && (have_ds || strcmp(format, "csv") == 0)) {
            struct output out;
            if (output_open(&out, out_path, "export") < 0) {
                rc = err_set(&e, ERR_IO, "%s: cannot write", out_path);
            } else {
                rc = have_ds ? report_dataset_csv(&in, s, ds, out.fp, &e)
                             : report_csv(&in, out.fp, &e);
                rc = output_close(&out, rc, &e);
            }
        } else if (rc == 0) {
            rc = strcmp(format, "pdf") == 0 ? report_pdf(&in, out_path, &e)
                                            : report_xlsx(&in, out_path, &e);
        }
        if (rc == 0 && out_path && strcmp(out_path, "-") != 0 && !have_ds)
            fprintf(stderr, "infludash export: wrote %s\n", out_path);
        buf_release(&name);
        engine_free(eng);
    }
    if (rc < 0)
        fprintf(stderr, "infludash export: %s\n", e.msg);
    filter_release(&f);
    store_close(s);
    return rc < 0 ? 1 : 0;
}

/* ---- serve ------------------------------------------------------------------------ */

static int cmd_serve(int argc, char **argv)
{
    struct opts o = {argc, argv, 0, NULL};
    struct serve_config cfg;
    serve_config_default(&cfg);
    cfg.db_url = cli_default_db();
    cfg.version = INFLUDASH_VERSION;
    int bad = 0;
    while (o.i < argc && !bad) {
        const char *a = argv[o.i];
        uint64_t v;
        if (cli_is_help(a)) {
            fputs(serve_usage, stdout);
            return 0;
        } else if (cli_opt_value(&o, "--db", &bad)) {
            cfg.db_url = o.value;
        } else if (cli_opt_value(&o, "--listen", &bad)) {
            cfg.listen = o.value;
        } else if (cli_opt_flag(&o, "--sample-if-empty")) {
            cfg.sample_if_empty = 1;
        } else if (cli_opt_value(&o, "--sample-rows", &bad)) {
            bad |= cli_parse_u64("--sample-rows", o.value, &v) < 0;
            cfg.sample_rows = v;
        } else if (cli_opt_value(&o, "--max-body-size", &bad)) {
            bad |= cli_parse_u64("--max-body-size", o.value, &v) < 0;
            cfg.max_body_bytes = v;
        } else if (cli_opt_value(&o, "--max-upload-size", &bad)) {
            bad |= cli_parse_u64("--max-upload-size", o.value, &v) < 0;
            cfg.max_upload_bytes = v;
        } else if (cli_opt_value(&o, "--max-connections", &bad)) {
            bad |= cli_parse_u64("--max-connections", o.value, &v) < 0;
            if (!bad && (v < 1 || v > 65536)) {
                fprintf(stderr, "infludash serve: --max-connections %s: expected 1 to 65536\n",
                        o.value);
                bad = 1;
            }
            cfg.max_connections = (unsigned)v;
        } else if (cli_opt_value(&o, "--idle-timeout", &bad)) {
            bad |= cli_parse_u64("--idle-timeout", o.value, &v) < 0;
            if (!bad && (v < 1 || v > 86400)) {
                fprintf(stderr,
                        "infludash serve: --idle-timeout %s: expected 1 to 86400 "
                        "seconds\n",
                        o.value);
                bad = 1;
            }
            cfg.idle_timeout = (unsigned)v;
        } else if (cli_opt_value(&o, "--header-timeout", &bad)) {
            bad |= cli_parse_u64("--header-timeout", o.value, &v) < 0;
            if (!bad && (v < 1 || v > 3600)) {
                fprintf(stderr,
                        "infludash serve: --header-timeout %s: expected 1 to 3600 "
                        "seconds\n",
                        o.value);
                bad = 1;
            }
            cfg.header_timeout = (unsigned)v;
        } else if (cli_opt_value(&o, "--max-connections-per-client", &bad)) {
            bad |= cli_parse_u64("--max-connections-per-client", o.value, &v) < 0;
            if (!bad && (v < 1 || v > 65536)) {
                fprintf(stderr,
                        "infludash serve: --max-connections-per-client %s: expected 1 "
                        "to 65536\n",
                        o.value);
                bad = 1;
            }
            cfg.max_connections_per_client = (unsigned)v;
        } else if (cli_opt_flag(&o, "--trust-proxy")) {
            cfg.trust_proxy = 1;
        } else if (cli_opt_value(&o, "--session-ttl", &bad)) {
            bad |= cli_parse_u64("--session-ttl", o.value, &v) < 0;
            if (!bad && (v < 1 || v > 366 * 86400)) {
                fprintf(stderr,
                        "infludash serve: --session-ttl %s: expected 1 to 31622400 "
                        "seconds\n",
                        o.value);
                bad = 1;
            }
            cfg.session_ttl = v;
        } else if (cli_opt_value(&o, "--roas-benchmark", &bad)) {
            bad |= parse_number("--roas-benchmark", o.value, 1e9, &cfg.roas_benchmark) < 0;
        } else if (cli_opt_value(&o, "--roi-benchmark", &bad)) {
            bad |= parse_number("--roi-benchmark", o.value, 1e9, &cfg.roi_benchmark) < 0;
        } else if (!bad) {
            return cli_unknown_option("serve", a, serve_usage);
        }
    }
    if (bad)
        return EXIT_USAGE;
    struct err e = {0, ""};
    if (serve_run(&cfg, &e) < 0) {
        fprintf(stderr, "infludash serve: %s\n", e.msg);
        return 1;
    }
    return 0;
}

int cli_main(int argc, char **argv)
{
    if (argc < 2 || cli_is_help(argv[1])) {
        fputs(main_usage, argc < 2 ? stderr : stdout);
        return argc < 2 ? EXIT_USAGE : 0;
    }
    if (!strcmp(argv[1], "--version") || !strcmp(argv[1], "version")) {
        printf("infludash %s\n", INFLUDASH_VERSION);
        return 0;
    }
    static const struct {
        const char *name;
        int (*fn)(int, char **);
    } commands[] = {
        {"serve", cmd_serve},   {"import", cmd_import},           {"demo", cmd_demo},
        {"export", cmd_export}, {"status", cmd_status},           {"query", cmd_query},
        {"user", cli_cmd_user}, {"workspace", cli_cmd_workspace}, {"audit", cli_cmd_audit},
    };
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
        if (!strcmp(argv[1], commands[i].name))
            return commands[i].fn(argc - 2, argv + 2);
    fprintf(stderr, "infludash: unknown command \"%s\"\n\n%s", argv[1], main_usage);
    return EXIT_USAGE;
}
