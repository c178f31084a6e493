/* cli_sources.c — the commands of SPEC §9 (docs/connections.md): source add/list/del,
 * sync [NAME], schedule run [--now] [--at TIME], report add/list/del. They keep their
 * records in the installation's main database (store.h's sources, reports and runs) and
 * run them through jobs.h. Tokens and SMTP passwords are read from files, sealed (secret.h)
 * and never printed. Calls cli_common, cli_options, jobs, connect, schedule, mail, secret, auth,
 * filter, store, schema, tax, tz, buf and err; prints to the terminal. */
#include "cli_impl.h"

#include <errno.h>
#include <limits.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "auth.h"
#include "buf.h"
#include "connect.h"
#include "filter.h"
#include "jobs.h"
#include "mail.h"
#include "schedule.h"
#include "schema.h"
#include "secret.h"
#include "tax.h"
#include "tz.h"

#include "banned.h"

/* ---- the commands' options ---------------------------------------------------------- */

struct source_add {
    const char *db, *name, *kind, *dataset, *influencer, *account, *url, *dir, *base_url;
    const char *token_file, *every, *workspace;
};

static const struct cli_option source_options[] = {
    CLI_STRING_F(struct source_add, kind, "--kind", NULL, "instagram|youtube|url|folder",
                 "what it reads (see above)", "add", "add"),
    CLI_STRING_F(struct source_add, dataset, "--dataset", NULL, "D",
                 "the dataset it fills (url, folder: default by each\nfile's name and header)",
                 "add", NULL),
    CLI_STRING_F(struct source_add, influencer, "--influencer", NULL, "ID",
                 "instagram, youtube: whose posts the media are", "add", NULL),
    CLI_STRING_F(struct source_add, account, "--account", NULL, "ID",
                 "instagram: the IG user id; youtube: the channel id", "add", NULL),
    CLI_STRING_F(struct source_add, url, "--url", NULL, "URL", "url: the file's http(s) address",
                 "add", NULL),
    CLI_STRING_F(struct source_add, dir, "--dir", NULL, "DIR", "folder: the folder files arrive in",
                 "add", NULL),
    CLI_STRING_F(struct source_add, base_url, "--base-url", NULL, "URL",
                 "replaces the platform's API host (a proxy, a test server)", "add", NULL),
    CLI_STRING_F(struct source_add, token_file, "--token-file", NULL, "F",
                 "the access token, API key or bearer token, read\nfrom this file and stored "
                 "encrypted",
                 "add", NULL),
    CLI_STRING_F(struct source_add, every, "--every", NULL, "SCHEDULE",
                 "hourly, daily HH:MM, weekly DAY HH:MM or monthly N HH:MM", "add", NULL),
    CLI_STRING_F(struct source_add, workspace, "--workspace", "-w", "SLUG",
                 "the workspace its data goes to (default: default)", "add", NULL),
    CLI_DB(struct source_add, db),
    CLI_END,
};

static const struct cli_form source_forms[] = {
    {"add", "add NAME"}, {"list", "list"}, {"del", "del NAME"}, {NULL, NULL}};

const struct cli_command cli_source_command = {
    "source",
    "add, list or remove sources (Instagram, YouTube, a URL, a folder)",
    source_forms,
    NULL,
    2,
    "A source brings data in without an upload (docs/connections.md):\n"
    "  instagram  --account IG-USER-ID --influencer ID --token-file F (an access token):\n"
    "             the account's media and their insights become posts of the influencer\n"
    "  youtube    --account CHANNEL-ID --influencer ID --token-file F (an API key):\n"
    "             the channel's uploads become posts of the influencer\n"
    "  url        --url URL [--dataset D] [--token-file F (a bearer token)]: a CSV or JSON\n"
    "             file, imported again only when it changed (ETag / Last-Modified)\n"
    "  folder     --dir DIR [--dataset D]: each new file imported once, then moved to\n"
    "             DIR/done/ or DIR/failed/ (with NAME.error.txt)\n"
    "--every runs it on a schedule in the installation's time zone ($INFLUDASH_TZ, default\n"
    "Asia/Kolkata). The token is stored encrypted (the key in DB.key beside an SQLite\n"
    "database, or $INFLUDASH_SECRET_KEY) and never printed: list shows only that one is\n"
    "set and when it was added. Adding a source again under its name replaces it (with a\n"
    "new token when --token-file is given, else keeping the old).\n",
    source_options,
};

struct sync_args {
    const char *db;
    struct schema_config schema; /* --platforms */
};

static const struct cli_option sync_options[] = {
    CLI_CALLBACK(struct sync_args, schema.platforms, "--platforms", NULL, "LIST",
                 CLI_PLATFORMS_HELP, cli_platforms_option, "sync", NULL, NULL),
    CLI_DB(struct sync_args, db),
    CLI_END,
};

const struct cli_command cli_sync_command = {
    "sync",
    "sync sources now (every source when none is named)",
    NULL,
    "[NAME...]",
    -1,
    "Syncs the sources named (every source when none is): each sync of an API source is\n"
    "one import, each file of a url or folder source its own, recorded in the import\n"
    "history and the audit log under the source's name. Prints one line per source.\n"
    "Exit status 0 only when every sync asked for succeeded.\n",
    sync_options,
};

struct schedule_args {
    const char *db, *at, *tax_rules;
    int now, gst_state;
    struct schema_config schema; /* --platforms */
};

static const struct cli_option schedule_options[] = {
    CLI_FLAG(struct schedule_args, now, "--now", NULL, "run every job now, due or not"),
    CLI_STRING(struct schedule_args, at, "--at", "TIME",
               "judge what is due at TIME (YYYY-MM-DDTHH:MM in the\ninstallation's time zone, "
               "or @UNIX-SECONDS)"),
    CLI_CALLBACK(struct schedule_args, schema.platforms, "--platforms", NULL, "LIST",
                 CLI_PLATFORMS_HELP, cli_platforms_option, "schedule run", NULL, NULL),
    CLI_STRING(struct schedule_args, tax_rules, "--tax-rules", "FILE",
               "the TDS/GST rules table of PDF and XLSX reports\n(default: the built-in one)"),
    CLI_CALLBACK(struct schedule_args, gst_state, "--gst-state", NULL, "NN",
                 "PDF and XLSX reports: the brand's GST state code", cli_gst_state_option,
                 "schedule run", NULL, NULL),
    CLI_DB(struct schedule_args, db),
    CLI_END,
};

static const struct cli_form schedule_forms[] = {{"run", "run"}, {NULL, NULL}};

const struct cli_command cli_schedule_command = {
    "schedule",
    "run the syncs and scheduled reports that are due (schedule run [--now])",
    schedule_forms,
    NULL,
    1,
    "Runs the source syncs and scheduled reports that are due (for cron: run it every\n"
    "minute or every hour; `serve` does the same by itself once a minute). A job that\n"
    "was due several times since its last run runs once. --now runs every job now,\n"
    "due or not. --at replays a moment: what was due then runs, and a report's period is\n"
    "the one of that moment. Exit status 0 only when every run succeeded.\n",
    schedule_options,
};

struct report_add {
    const char *db, *name, *format, *compare, *period, *every, *to_dir, *mail, *smtp, *smtp_user;
    const char *smtp_password_file, *mail_from, *workspace;
    struct filter_args fa;
};

static int report_filters_match(void *field, int argc, char **argv, int *i, struct err *e)
{
    return filter_args_match(field, argc, argv, i, e);
}

static const struct cli_option report_options[] = {
    CLI_STRING_F(struct report_add, format, "--format", NULL, "pdf|xlsx|csv", "the report's format",
                 "add", "add"),
    {CLI_OPT_MATCH, "FILTERS", NULL, "FILTERS", FILTER_OPTIONS_HELP,
     offsetof(struct report_add, fa), "add", NULL, 0, 0, NULL, NULL, NULL, report_filters_match},
    CLI_STRING_F(struct report_add, period, "--period", NULL, "P",
                 "last-week, last-month, last-7-days, last-30-days or\nmonth-to-date, resolved "
                 "when it runs (replaces --from/--to)",
                 "add", NULL),
    CLI_STRING_F(struct report_add, compare, "--compare", NULL, "previous",
                 "add the KPIs of the period just before the report's\n(as many days) and the "
                 "change of each",
                 "add", NULL),
    CLI_STRING_F(struct report_add, every, "--every", NULL, "SCHEDULE",
                 "when it is made: hourly, daily HH:MM, weekly DAY HH:MM\nor monthly N HH:MM",
                 "add", "add"),
    CLI_STRING_F(struct report_add, to_dir, "--to-dir", NULL, "DIR",
                 "write it into this folder (or --mail)", "add", NULL),
    CLI_STRING_F(struct report_add, mail, "--mail", NULL, "a@b,c@d",
                 "mail it to these addresses (or --to-dir)", "add", NULL),
    CLI_STRING_F(struct report_add, smtp, "--smtp", NULL, "URL",
                 "smtp://HOST:PORT or smtps://HOST:PORT\n(default smtp://localhost:25)", "add",
                 NULL),
    CLI_STRING_F(struct report_add, smtp_user, "--smtp-user", NULL, "U", "the SMTP login", "add",
                 NULL),
    CLI_STRING_F(struct report_add, smtp_password_file, "--smtp-password-file", NULL, "F",
                 "its password, read from this file and stored encrypted", "add", NULL),
    CLI_STRING_F(struct report_add, mail_from, "--mail-from", NULL, "ADDR",
                 "the sender (default infludash@localhost)", "add", NULL),
    CLI_STRING_F(struct report_add, workspace, "--workspace", "-w", "SLUG",
                 "the workspace it reports on (default: default)", "add", NULL),
    CLI_DB(struct report_add, db),
    CLI_END,
};

static const struct cli_form report_forms[] = {
    {"add", "add NAME"}, {"list", "list"}, {"del", "del NAME"}, {NULL, NULL}};

const struct cli_command cli_report_command = {
    "report",
    "add, list or remove scheduled reports",
    report_forms,
    NULL,
    2,
    "A scheduled report: the filtered analytics of the workspace as PDF, XLSX or CSV,\n"
    "made when its schedule is due and written into DIR or mailed with the report\n"
    "attached and a short summary in the body. Its period is resolved when it runs and\n"
    "printed in it (\"last full week, 23–29 Nov 2026\"). --smtp upgrades with STARTTLS\n"
    "whenever the server offers it, and requires it unless the host is this machine;\n"
    "smtps:// is TLS from the start. A failed delivery is retried (3 attempts), then\n"
    "shown as failed.\n",
    report_options,
};

/* ---- what the commands share ------------------------------------------------------------ */

/* "2026-12-02 11:00 IST" in zone z; "—" for 0. */
static void format_when(const struct tz *z, int64_t t, char *out, size_t cap)
{
    if (t <= 0) {
        snprintf(out, cap, "-");
        return;
    }
    struct tz_civil c;
    tz_to_civil(z, t, &c);
    snprintf(out, cap, "%04d-%02d-%02d %02d:%02d %s", c.year, c.month, c.day, c.hour, c.minute,
             tz_abbr(z, t));
}

/* A name for a source or report: 1 to 64 of letters, digits, '-', '_' and '.'. */
static int check_name(const char *cmd, const char *name)
{
    size_t n = strlen(name);
    int ok = n >= 1 && n <= 64 && name[0] != '.' && name[0] != '-';
    for (size_t i = 0; ok && i < n; i++) {
        char ch = name[i];
        ok = (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') ||
             ch == '-' || ch == '_' || ch == '.';
    }
    if (!ok)
        fprintf(stderr,
                "infludash %s: \"%s\" is not a name: use 1 to 64 letters, digits, '-', '_' "
                "or '.', not starting with '.' or '-'\n",
                cmd, name);
    return ok ? 0 : -1;
}

/* Seals the file's token under the installation's key (created on first use). */
static int seal_file(const char *db, const char *path, struct buf *sealed, struct err *e)
{
    struct buf plain = BUF_INIT, key_path = BUF_INIT;
    struct secret_key key;
    int rc = secret_read_file(path, &plain, e);
    if (rc == 0 && (!getenv(SECRET_ENV) || !*getenv(SECRET_ENV)))
        rc = secret_key_path(db, &key_path, e);
    if (rc == 0)
        rc = secret_key_load(key_path.len ? buf_cstr(&key_path) : NULL, 1, &key, e);
    if (rc == 0) {
        rc = secret_seal(&key, plain.data ? plain.data : "", plain.len, sealed, e);
        secret_key_wipe(&key);
    }
    secret_wipe(&plain);
    buf_release(&key_path);
    return rc;
}

/* The main database (the one --db names), where sources and reports are kept. */
static struct store *open_main(const char *db)
{
    return cli_open_store(db, AUTH_DEFAULT_WORKSPACE);
}

/* An absolute form of a folder that exists, for a job that a server may run from
 * another working directory. */
static int absolute_dir(const char *cmd, const char *opt, const char *dir, char *out)
{
    struct stat st;
    if (!realpath(dir, out) || stat(out, &st) != 0 || !S_ISDIR(st.st_mode)) {
        fprintf(stderr, "infludash %s: %s %s: %s\n", cmd, opt, dir,
                errno ? strerror(errno) : "not a folder");
        return -1;
    }
    return 0;
}

/* ---- source ----------------------------------------------------------------------------- */

/* What each kind needs, checked before anything is stored. */
static int check_source(const struct source_add *a, enum connect_kind kind)
{
    const char *missing = NULL;
    if (kind == CONNECT_INSTAGRAM || kind == CONNECT_YOUTUBE) {
        if (!a->account)
            missing = kind == CONNECT_INSTAGRAM
                          ? "--account (the Instagram professional account's IG user id)"
                          : "--account (the YouTube channel id, UC...)";
        else if (!a->influencer)
            missing = "--influencer (the influencer its media belong to)";
        if (!missing && a->dataset && schema_dataset_by_name(a->dataset) != DS_POSTS) {
            fprintf(stderr, "infludash source add: an %s source imports posts, not %s\n", a->kind,
                    a->dataset);
            return -1;
        }
    } else if (kind == CONNECT_URL && !a->url) {
        missing = "--url (the file's http:// or https:// address)";
    } else if (kind == CONNECT_FOLDER && !a->dir) {
        missing = "--dir (the folder files are dropped into)";
    }
    if (missing) {
        fprintf(stderr, "infludash source add: a %s source needs %s\n", a->kind, missing);
        return -1;
    }
    if (kind == CONNECT_URL && strncmp(a->url, "http://", 7) != 0 &&
        strncmp(a->url, "https://", 8) != 0) {
        fprintf(stderr, "infludash source add: --url %s: give an http:// or https:// address\n",
                a->url);
        return -1;
    }
    if (a->base_url && strncmp(a->base_url, "http://", 7) != 0 &&
        strncmp(a->base_url, "https://", 8) != 0) {
        fprintf(stderr,
                "infludash source add: --base-url %s: give an http:// or https:// address\n",
                a->base_url);
        return -1;
    }
    if (a->dataset && schema_dataset_by_name(a->dataset) == DS_NONE) {
        fprintf(stderr,
                "infludash source add: unknown dataset \"%s\" (use influencers, posts, "
                "tracking_data or payouts)\n",
                a->dataset);
        return -1;
    }
    return 0;
}

static int source_add(const char *db, const struct source_add *a)
{
    enum connect_kind kind;
    struct err e = {0, ""};
    if (!a->kind) {
        fprintf(stderr, "infludash source add: give --kind (instagram, youtube, url or folder)\n");
        return EXIT_USAGE;
    }
    if (connect_kind_parse(a->kind, &kind, &e) < 0) {
        fprintf(stderr, "infludash source add: --kind: %s\n", e.msg);
        return EXIT_USAGE;
    }
    if (check_name("source add", a->name) < 0 || check_source(a, kind) < 0)
        return EXIT_USAGE;
    struct buf every = BUF_INIT;
    if (a->every) {
        struct schedule s;
        if (schedule_parse(a->every, &s, &e) < 0) {
            fprintf(stderr, "infludash source add: --every: %s\n", e.msg);
            return EXIT_USAGE;
        }
        schedule_format(&s, &every);
    }
    char dir[PATH_MAX] = "";
    if (a->dir && absolute_dir("source add", "--dir", a->dir, dir) < 0) {
        buf_release(&every);
        return 1;
    }
    /* the workspace must exist (its store opens) */
    struct store *ws = cli_open_store(db, a->workspace);
    if (!ws) {
        buf_release(&every);
        return 1;
    }
    store_close(ws);
    struct store *s = open_main(db);
    if (!s) {
        buf_release(&every);
        return 1;
    }
    struct buf sealed = BUF_INIT;
    int rc = 0;
    struct store_source old;
    memset(&old, 0, sizeof old);
    int had = store_source_get(s, a->name, &old, &e) == 0;
    int64_t now = (int64_t)time(NULL);
    if (a->token_file)
        rc = seal_file(db, a->token_file, &sealed, &e);
    else if (had && *old.token)
        buf_puts(&sealed, old.token);
    const char *ds = a->dataset ? schema_dataset(schema_dataset_by_name(a->dataset))->name
                     : (kind == CONNECT_INSTAGRAM || kind == CONNECT_YOUTUBE) ? "posts"
                                                                              : "";
    struct store_source src = {
        .name = (char *)a->name,
        .kind = (char *)connect_kind_name(kind),
        .dataset = (char *)ds,
        .influencer = (char *)(a->influencer ? a->influencer : ""),
        .account = (char *)(a->account ? a->account : ""),
        .url = (char *)(a->url ? a->url : ""),
        .dir = dir,
        .base_url = (char *)(a->base_url ? a->base_url : ""),
        .token = sealed.len ? sealed.data : "",
        .token_added_at = a->token_file ? now
                          : had         ? old.token_added_at
                                        : 0,
        .schedule = every.len ? every.data : "",
        .etag = "",
        .last_modified = "",
        .workspace = (char *)a->workspace,
        .added_at = now,
        .last_due = 0,
    };
    if (rc == 0)
        rc = store_source_put(s, &src, &e);
    if (rc == 0) {
        char detail[256];
        snprintf(detail, sizeof detail, "%s source%s%s", src.kind, *src.schedule ? ", every " : "",
                 src.schedule);
        rc = store_audit_add(s, cli_actor(), had ? "source.replace" : "source.add", a->workspace,
                             a->name, detail, &e);
    }
    if (rc < 0)
        fprintf(stderr, "infludash source add: %s\n", e.msg);
    else
        printf("source %s %s (%s%s%s%s)\n", a->name, had ? "replaced" : "added", src.kind,
               sealed.len ? ", token set" : "", *src.schedule ? ", every " : "", src.schedule);
    store_source_release(&old);
    secret_wipe(&sealed);
    buf_release(&every);
    store_close(s);
    return rc < 0 ? 1 : 0;
}

struct list_ctx {
    struct store *s;
    const struct tz *zone;
    int64_t now;
    int n;
};

/* The newest run of a job, for the lists. */
struct last_run {
    int found;
    struct store_run run;
};

static int keep_run(void *ctx, const struct store_run *run)
{
    struct last_run *l = ctx;
    l->found = 1;
    l->run = *run;
    return 0;
}

static void print_last_run(struct list_ctx *c, enum store_job job, const char *name)
{
    struct last_run l = {0};
    struct err e;
    char when[64];
    if (store_run_list(c->s, job, name, 1, keep_run, &l, &e) < 0 || !l.found) {
        printf("  last run: none yet\n");
        return;
    }
    format_when(c->zone, l.run.started_at, when, sizeof when);
    printf("  last run: %s, %s", when, l.run.result);
    if (!strcmp(l.run.result, "failed"))
        printf(": %s\n", l.run.error);
    else
        printf(", %lld row%s%s%s\n", (long long)l.run.rows, l.run.rows == 1 ? "" : "s",
               *l.run.detail ? "; " : "", l.run.detail);
}

static int list_source(void *ctx, const struct store_source *src)
{
    struct list_ctx *c = ctx;
    char when[64], next[64];
    printf("%s\n", src->name);
    printf("  kind: %s, dataset: %s, workspace: %s\n", src->kind,
           *src->dataset ? src->dataset : "by file name and header", src->workspace);
    if (*src->account)
        printf("  account: %s, influencer: %s%s%s\n", src->account, src->influencer,
               *src->base_url ? ", base URL: " : "", src->base_url);
    if (*src->url)
        printf("  url: %s\n", src->url);
    if (*src->dir)
        printf("  dir: %s\n", src->dir);
    if (*src->token) {
        format_when(c->zone, src->token_added_at, when, sizeof when);
        printf("  token: set, added %s\n", when);
    } else {
        printf("  token: none\n");
    }
    int64_t last = src->last_due ? src->last_due : src->added_at;
    format_when(c->zone, jobs_next_run(src->schedule, c->zone, last, c->now), next, sizeof next);
    printf("  every: %s, next run: %s\n", *src->schedule ? src->schedule : "- (sync by hand)",
           *src->schedule ? next : "-");
    print_last_run(c, STORE_JOB_SOURCE, src->name);
    c->n++;
    return 0;
}

/* `source list` and `report list`: each stored job through its printer, or a line saying
 * there is none. */
static int list_jobs(const char *db, const char *command, const char *none,
                     int (*list)(struct store *s, struct list_ctx *c, struct err *e))
{
    struct err e = {0, ""};
    struct tz *zone = NULL;
    if (jobs_zone_load(&zone, &e) < 0) {
        fprintf(stderr, "infludash %s: %s\n", command, e.msg);
        return 1;
    }
    struct store *s = open_main(db);
    if (!s) {
        tz_free(zone);
        return 1;
    }
    struct list_ctx c = {s, zone, (int64_t)time(NULL), 0};
    int rc = list(s, &c, &e);
    if (rc < 0)
        fprintf(stderr, "infludash %s: %s\n", command, e.msg);
    else if (c.n == 0)
        printf("%s\n", none);
    store_close(s);
    tz_free(zone);
    return rc < 0 ? 1 : 0;
}

static int list_sources_in(struct store *s, struct list_ctx *c, struct err *e)
{
    return store_source_list(s, NULL, list_source, c, e);
}

static int source_list(const char *db)
{
    return list_jobs(db, "source list",
                     "no sources (add one with `infludash source add NAME --kind K ...`)",
                     list_sources_in);
}

/* source del / report del */
static int job_del(const char *db, enum store_job job, const char *name)
{
    const char *what = job == STORE_JOB_SOURCE ? "source" : "report";
    struct store *s = open_main(db);
    if (!s)
        return 1;
    struct err e = {0, ""};
    struct store_source src;
    struct store_report rep;
    const char *ws = AUTH_DEFAULT_WORKSPACE;
    int found = job == STORE_JOB_SOURCE ? store_source_get(s, name, &src, &e) == 0
                                        : store_report_get(s, name, &rep, &e) == 0;
    char workspace[64] = AUTH_DEFAULT_WORKSPACE;
    if (found) {
        snprintf(workspace, sizeof workspace, "%s",
                 job == STORE_JOB_SOURCE ? src.workspace : rep.workspace);
        ws = workspace;
        if (job == STORE_JOB_SOURCE)
            store_source_release(&src);
        else
            store_report_release(&rep);
    }
    int rc =
        job == STORE_JOB_SOURCE ? store_source_del(s, name, &e) : store_report_del(s, name, &e);
    if (rc == 1) {
        char action[32];
        snprintf(action, sizeof action, "%s.del", what);
        rc = store_audit_add(s, cli_actor(), action, ws, name, "", &e) < 0 ? -1 : 1;
    }
    store_close(s);
    if (rc < 0) {
        fprintf(stderr, "infludash %s del: %s\n", what, e.msg);
        return 1;
    }
    if (rc == 0) {
        fprintf(stderr,
                "infludash %s del: no %s named \"%s\" (list them with `infludash %s list`)\n", what,
                what, name, what);
        return 1;
    }
    printf("%s %s removed, with its runs\n", what, name);
    return 0;
}

int cli_cmd_source(int argc, char **argv)
{
    struct source_add a = {.db = cli_default_db(), .workspace = AUTH_DEFAULT_WORKSPACE};
    int nwords;
    int parsed = cli_parse(&cli_source_command, &a, argc, argv, &nwords);
    if (parsed != CLI_PARSED)
        return parsed;
    const char *cmd = nwords ? argv[0] : NULL;
    if (cmd && !strcmp(cmd, "list") && nwords == 1)
        return source_list(a.db);
    if (cmd && (!strcmp(cmd, "add") || !strcmp(cmd, "del")) && nwords == 2) {
        a.name = argv[1];
        return !strcmp(cmd, "add") ? source_add(a.db, &a) : job_del(a.db, STORE_JOB_SOURCE, a.name);
    }
    fprintf(stderr, "infludash source: %s\n\n",
            !cmd || !cli_form_find(&cli_source_command, cmd) ? "what to do? (add, list or del)"
                                                             : "give one NAME");
    cli_usage(&cli_source_command, stderr);
    return EXIT_USAGE;
}

/* ---- running jobs: sync, schedule run ---------------------------------------------------- */

static void print_run(void *ctx, const struct store_run *run)
{
    (void)ctx;
    const char *kind = run->job == STORE_JOB_SOURCE ? "source" : "report";
    if (!strcmp(run->result, "failed"))
        printf("%s %s: failed: %s\n", kind, run->name, run->error);
    else
        printf("%s %s: %s, %lld row%s%s%s\n", kind, run->name, run->result, (long long)run->rows,
               run->rows == 1 ? "" : "s", *run->detail ? "; " : "", run->detail);
    fflush(stdout);
}

/* The jobs' configuration from the environment: the zone (to free), and
 * $INFLUDASH_CA_FILE, an extra trust anchor for HTTPS sources and SMTP (a company's own
 * certificate authority). */
static int jobs_setup(const char *cmd, const char *db, struct jobs_config *c, struct tz **zone)
{
    struct err e = {0, ""};
    memset(c, 0, sizeof *c);
    if (auth_init(&e) < 0 || jobs_zone_load(zone, &e) < 0) {
        fprintf(stderr, "infludash %s: %s\n", cmd, e.msg);
        return -1;
    }
    c->db_url = db;
    c->zone = *zone;
    const char *ca = getenv("INFLUDASH_CA_FILE");
    c->ca_file = ca && *ca ? ca : NULL;
    return 0;
}

struct sync_all {
    struct store_source *list;
    size_t n, cap;
};

static int take_name(void *ctx, const struct store_source *src)
{
    struct sync_all *a = ctx;
    if (a->n == a->cap) {
        a->cap = a->cap ? 2 * a->cap : 8;
        a->list = xrealloc(a->list, a->cap * sizeof *a->list);
    }
    struct store_source *d = &a->list[a->n++];
    memset(d, 0, sizeof *d);
    d->name = xstrdup(src->name);
    return 0;
}

int cli_cmd_sync(int argc, char **argv)
{
    struct sync_args da = {.db = cli_default_db()};
    schema_config_default(&da.schema);
    int nwords;
    int parsed = cli_parse(&cli_sync_command, &da, argc, argv, &nwords);
    if (parsed != CLI_PARSED)
        return parsed;
    const char *db = da.db;
    struct jobs_config c;
    struct tz *zone = NULL;
    if (jobs_setup("sync", db, &c, &zone) < 0)
        return 1;
    c.schema = &da.schema;
    struct store *s = open_main(db);
    if (!s) {
        tz_free(zone);
        return 1;
    }
    struct err e = {0, ""};
    struct sync_all all = {NULL, 0, 0};
    int rc = 0;
    if (nwords == 0) {
        rc = store_source_list(s, NULL, take_name, &all, &e);
        if (rc == 0 && all.n == 0)
            printf("no sources to sync (add one with `infludash source add`)\n");
    } else {
        for (int i = 0; i < nwords; i++) {
            struct store_source one = {.name = argv[i]};
            take_name(&all, &one);
        }
    }
    size_t failed = 0;
    for (size_t i = 0; rc == 0 && i < all.n; i++) {
        struct store_source src;
        if (store_source_get(s, all.list[i].name, &src, &e) < 0) {
            fprintf(stderr, "infludash sync: %s\n", e.msg);
            failed++;
            continue;
        }
        struct store_run run;
        struct err je = {0, ""};
        if (jobs_sync(s, &c, &src, &run, &je) < 0)
            failed++;
        print_run(NULL, &run);
        store_source_release(&src);
    }
    if (rc < 0)
        fprintf(stderr, "infludash sync: %s\n", e.msg);
    for (size_t i = 0; i < all.n; i++)
        store_source_release(&all.list[i]);
    free(all.list);
    store_close(s);
    tz_free(zone);
    return rc < 0 || failed ? 1 : 0;
}

/* --at: YYYY-MM-DDTHH:MM[:SS] (or with a space) in zone z, or @UNIX-SECONDS. */
static int parse_at(const char *text, const struct tz *z, int64_t *out)
{
    if (text[0] == '@') {
        char *end;
        errno = 0;
        long long v = strtoll(text + 1, &end, 10);
        if (errno || end == text + 1 || *end || v < 0)
            return -1;
        *out = v;
        return 0;
    }
    struct tz_civil c = {0};
    char sep = 0, extra = 0;
    int n = sscanf(text, "%4d-%2d-%2d%c%2d:%2d:%2d%c", &c.year, &c.month, &c.day, &sep, &c.hour,
                   &c.minute, &c.second, &extra);
    if ((n != 6 && n != 7) || (sep != 'T' && sep != ' ') || c.month < 1 || c.month > 12 ||
        c.day < 1 || c.day > tz_days_in_month(c.year, c.month) || c.hour > 23 || c.minute > 59 ||
        c.second > 59)
        return -1;
    *out = tz_from_civil(z, &c, NULL);
    return 0;
}

int cli_cmd_schedule(int argc, char **argv)
{
    struct schedule_args sa = {.db = cli_default_db()};
    schema_config_default(&sa.schema);
    int nwords;
    int parsed = cli_parse(&cli_schedule_command, &sa, argc, argv, &nwords);
    if (parsed != CLI_PARSED)
        return parsed;
    const char *db = sa.db, *at = sa.at;
    int now_all = sa.now;
    if (nwords != 1 || strcmp(argv[0], "run") != 0) {
        fprintf(stderr, "infludash schedule: %s\n\n",
                nwords ? "unknown subcommand (run)" : "what to do? (run)");
        cli_usage(&cli_schedule_command, stderr);
        return EXIT_USAGE;
    }
    struct jobs_config c;
    struct tz *zone = NULL;
    if (jobs_setup("schedule run", db, &c, &zone) < 0)
        return 1;
    c.schema = &sa.schema;
    c.gst_state = sa.gst_state;
    if (at && parse_at(at, zone, &c.now) < 0) {
        fprintf(stderr,
                "infludash schedule run: --at %s: give YYYY-MM-DDTHH:MM (in %s) or "
                "@UNIX-SECONDS\n",
                at, tz_name(zone));
        tz_free(zone);
        return EXIT_USAGE;
    }
    struct err e = {0, ""};
    struct tax_rules rules;
    tax_rules_init(&rules);
    if (sa.tax_rules) {
        if (tax_rules_load(&rules, sa.tax_rules, &e) < 0) {
            fprintf(stderr, "infludash schedule run: --tax-rules: %s\n", e.msg);
            tax_rules_release(&rules);
            tz_free(zone);
            return 1;
        }
        c.tax_rules = &rules;
    }
    struct store *s = open_main(db);
    if (!s) {
        tax_rules_release(&rules);
        tz_free(zone);
        return 1;
    }
    size_t ran = 0, failed = 0;
    int rc = jobs_run_due(s, &c, now_all, print_run, NULL, &ran, &failed, &e);
    if (rc < 0 && !failed)
        fprintf(stderr, "infludash schedule run: %s\n", e.msg);
    if (ran == 0 && rc == 0)
        printf("nothing was due\n");
    store_close(s);
    tax_rules_release(&rules);
    tz_free(zone);
    return rc < 0 ? 1 : 0;
}

/* ---- report ------------------------------------------------------------------------------- */

/* smtp://HOST[:PORT] or smtps://HOST[:PORT]: a host, and digits after a colon. */
static int smtp_url_ok(const char *url)
{
    const char *p = !strncmp(url, "smtp://", 7)    ? url + 7
                    : !strncmp(url, "smtps://", 8) ? url + 8
                                                   : NULL;
    if (!p || !*p || *p == ':' || *p == '/')
        return 0;
    const char *colon = strrchr(p, ':');
    if (colon && !strchr(colon, ']')) {
        size_t digits = strspn(colon + 1, "0123456789");
        if (digits == 0 || (colon[1 + digits] && colon[1 + digits] != '/'))
            return 0;
    }
    return 1;
}

/* Checks the delivery options; EXIT_USAGE after printing why they are bad. */
static int check_delivery(const struct report_add *a)
{
    if (!a->to_dir == !a->mail) {
        fprintf(stderr, "infludash report add: give --to-dir DIR or --mail ADDRESSES (one)\n");
        return EXIT_USAGE;
    }
    if (a->to_dir && (a->smtp || a->smtp_user || a->smtp_password_file || a->mail_from)) {
        fprintf(stderr, "infludash report add: --smtp... and --mail-from go with --mail\n");
        return EXIT_USAGE;
    }
    if (a->smtp && !smtp_url_ok(a->smtp)) {
        fprintf(stderr,
                "infludash report add: --smtp %s: give smtp://HOST[:PORT] or "
                "smtps://HOST[:PORT]\n",
                a->smtp);
        return EXIT_USAGE;
    }
    struct err e = {0, ""};
    if (a->mail) {
        char **to = NULL;
        size_t n = 0;
        if (mail_parse_addresses(a->mail, &to, &n, &e) < 0) {
            fprintf(stderr, "infludash report add: --mail: %s\n", e.msg);
            return EXIT_USAGE;
        }
        for (size_t i = 0; i < n; i++)
            free(to[i]);
        free(to);
    }
    if (a->mail_from && (!strchr(a->mail_from, '@') || strpbrk(a->mail_from, "\r\n<>, "))) {
        fprintf(stderr, "infludash report add: --mail-from %s: not an address\n", a->mail_from);
        return EXIT_USAGE;
    }
    return 0;
}

static int report_add(const char *db, const struct report_add *a, struct filter_args *fa)
{
    struct err e = {0, ""};
    struct filter f;
    int rc = filter_args_parse(&f, fa, &e);
    if (rc < 0) {
        fprintf(stderr, "infludash report add: %s\n", e.msg);
        return EXIT_USAGE;
    }
    int usage = check_name("report add", a->name) < 0;
    if (!usage && (!a->format || (strcmp(a->format, "pdf") && strcmp(a->format, "xlsx") &&
                                  strcmp(a->format, "csv")))) {
        fprintf(stderr, "infludash report add: --format: give pdf, xlsx or csv\n");
        usage = 1;
    }
    if (!usage && a->compare) {
        struct filter_compare cmp;
        if (filter_compare_parse(a->compare, &cmp, &e) < 0) {
            fprintf(stderr, "infludash report add: --%s\n", e.msg); /* "compare: ..." */
            usage = 1;
        }
    }
    enum schedule_period period;
    if (!usage && a->period && schedule_period_parse(a->period, &period, &e) < 0) {
        fprintf(stderr, "infludash report add: --period: %s\n", e.msg);
        usage = 1;
    }
    if (!usage && a->period && (f.from[0] || f.to[0])) {
        fprintf(stderr, "infludash report add: --period replaces --from and --to: give one\n");
        usage = 1;
    }
    struct schedule sched;
    struct buf every = BUF_INIT, filters = BUF_INIT, sealed = BUF_INIT;
    if (!usage && !a->every) {
        fprintf(stderr, "infludash report add: give --every SCHEDULE (when it is made)\n");
        usage = 1;
    } else if (!usage && schedule_parse(a->every, &sched, &e) < 0) {
        fprintf(stderr, "infludash report add: --every: %s\n", e.msg);
        usage = 1;
    }
    if (!usage)
        usage = check_delivery(a) != 0;
    char dir[PATH_MAX] = "";
    int failed = 0;
    if (!usage && a->to_dir && absolute_dir("report add", "--to-dir", a->to_dir, dir) < 0)
        failed = 1;
    struct store *s = NULL;
    if (!usage && !failed) {
        schedule_format(&sched, &every);
        filter_query_string(&f, &filters);
        struct store *ws = cli_open_store(db, a->workspace);
        failed = !ws;
        store_close(ws);
    }
    if (!usage && !failed && a->smtp_password_file &&
        seal_file(db, a->smtp_password_file, &sealed, &e) < 0) {
        fprintf(stderr, "infludash report add: --smtp-password-file: %s\n", e.msg);
        failed = 1;
    }
    if (!usage && !failed) {
        s = open_main(db);
        failed = !s;
    }
    if (!usage && !failed) {
        struct store_report r = {
            .name = (char *)a->name,
            .format = (char *)a->format,
            .filters = filters.len ? filters.data : "",
            .compare = (char *)(a->compare ? a->compare : ""),
            .period = (char *)(a->period ? schedule_period_name(period) : ""),
            .schedule = every.data,
            .to_dir = dir,
            .mail_to = (char *)(a->mail ? a->mail : ""),
            .smtp_url = (char *)(a->smtp ? a->smtp : ""),
            .smtp_user = (char *)(a->smtp_user ? a->smtp_user : ""),
            .smtp_password = sealed.len ? sealed.data : "",
            .mail_from = (char *)(a->mail_from ? a->mail_from : ""),
            .workspace = (char *)a->workspace,
            .added_at = (int64_t)time(NULL),
        };
        char detail[256];
        snprintf(detail, sizeof detail, "%s every %s to %s", r.format, r.schedule,
                 a->to_dir ? "a folder" : "mail");
        if (store_report_put(s, &r, &e) < 0 ||
            store_audit_add(s, cli_actor(), "report.add", a->workspace, a->name, detail, &e) < 0) {
            fprintf(stderr, "infludash report add: %s\n", e.msg);
            failed = 1;
        } else {
            printf("report %s added (%s, every %s%s%s, to %s)\n", a->name, r.format, r.schedule,
                   *r.period ? ", period " : "", r.period, a->to_dir ? dir : a->mail);
        }
    }
    store_close(s);
    filter_release(&f);
    buf_release(&every);
    buf_release(&filters);
    secret_wipe(&sealed);
    return usage ? EXIT_USAGE : failed ? 1 : 0;
}

static int list_report(void *ctx, const struct store_report *r)
{
    struct list_ctx *c = ctx;
    char next[64];
    printf("%s\n", r->name);
    printf("  format: %s, workspace: %s, filters: %s, period: %s\n", r->format, r->workspace,
           *r->filters ? r->filters : "none", *r->period ? r->period : "the whole data");
    int64_t last = r->last_due ? r->last_due : r->added_at;
    format_when(c->zone, jobs_next_run(r->schedule, c->zone, last, c->now), next, sizeof next);
    printf("  every: %s, next run: %s\n", r->schedule, next);
    if (*r->to_dir)
        printf("  to: %s\n", r->to_dir);
    else
        printf("  mail: %s via %s%s%s%s\n", r->mail_to,
               *r->smtp_url ? r->smtp_url : "smtp://localhost:25", *r->smtp_user ? " as " : "",
               r->smtp_user, *r->smtp_password ? " (password set)" : "");
    print_last_run(c, STORE_JOB_REPORT, r->name);
    c->n++;
    return 0;
}

static int list_reports_in(struct store *s, struct list_ctx *c, struct err *e)
{
    return store_report_list(s, NULL, list_report, c, e);
}

static int report_list(const char *db)
{
    return list_jobs(db, "report list",
                     "no scheduled reports (add one with `infludash report add NAME ...`)",
                     list_reports_in);
}

int cli_cmd_report(int argc, char **argv)
{
    struct report_add a = {.db = cli_default_db(), .workspace = AUTH_DEFAULT_WORKSPACE};
    filter_args_init(&a.fa);
    int nwords;
    int rc = cli_parse(&cli_report_command, &a, argc, argv, &nwords);
    const char *cmd = nwords ? argv[0] : NULL;
    if (rc != CLI_PARSED) {
        /* rc is the exit status */
    } else if (cmd && !strcmp(cmd, "list") && nwords == 1) {
        rc = report_list(a.db);
    } else if (cmd && !strcmp(cmd, "del") && nwords == 2) {
        rc = job_del(a.db, STORE_JOB_REPORT, argv[1]);
    } else if (cmd && !strcmp(cmd, "add") && nwords == 2) {
        a.name = argv[1];
        rc = report_add(a.db, &a, &a.fa);
    } else {
        fprintf(stderr, "infludash report: %s\n\n",
                !cmd || !cli_form_find(&cli_report_command, cmd) ? "what to do? (add, list or del)"
                                                                 : "give one NAME");
        cli_usage(&cli_report_command, stderr);
        rc = EXIT_USAGE;
    }
    filter_args_release(&a.fa);
    return rc;
}
