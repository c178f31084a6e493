/* jobs.c — a stored source synced, a stored report made and delivered, and the scheduler's
 * pass over what is due (see jobs.h). Calls connect, schedule, mail, secret, auth, report,
 * engine, filter, api_data, api_tax, tax, tax_builtin, store, schema, format, form, tz, buf and
 * err. */
#include "jobs.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "api_data.h"
#include "api_tax.h"
#include "auth.h"
#include "buf.h"
#include "connect.h"
#include "engine.h"
#include "filter.h"
#include "form.h"
#include "format.h"
#include "mail.h"
#include "report.h"
#include "schedule.h"
#include "schema.h"
#include "secret.h"
#include "tax.h"

#include "banned.h"

int jobs_zone_load(struct tz **out, struct err *e)
{
    const char *name = getenv("INFLUDASH_TZ");
    if (!name || !*name)
        name = TZ_DEFAULT;
    int rc = tz_load(name, out, e);
    if (rc < 0)
        err_prefix(e, "the installation's time zone (INFLUDASH_TZ=%s)", name);
    return rc;
}

static int64_t now_of(const struct jobs_config *c)
{
    return c->now ? c->now : (int64_t)time(NULL);
}

/* ---- due times -------------------------------------------------------------------------- */

int64_t jobs_next_run(const char *schedule, const struct tz *z, int64_t last, int64_t now)
{
    struct schedule s;
    struct err e;
    if (!schedule || !*schedule || schedule_parse(schedule, &s, &e) < 0)
        return 0;
    /* a run due and not yet made is next: now */
    if (schedule_due(&s, z, last, now))
        return now;
    return schedule_next(&s, z, now);
}

int jobs_is_due(const char *schedule, const struct tz *z, int64_t last, int64_t now)
{
    struct schedule s;
    struct err e;
    if (!schedule || !*schedule || schedule_parse(schedule, &s, &e) < 0)
        return 0;
    return schedule_due(&s, z, last, now);
}

/* ---- what both kinds of job share --------------------------------------------------------- */

static void run_start(struct store_run *run, enum store_job job, const char *name,
                      const char *workspace)
{
    memset(run, 0, sizeof *run);
    run->job = job;
    snprintf(run->name, sizeof run->name, "%s", name);
    snprintf(run->workspace, sizeof run->workspace, "%s", workspace);
    run->started_at = (int64_t)time(NULL);
}

/* Ends the run with rc's result and records it in main; returns rc (or the store's error
 * when the record could not be written). */
static int run_finish(struct store *main, struct store_run *run, int rc, int unchanged,
                      const struct err *why, struct err *e)
{
    run->finished_at = (int64_t)time(NULL);
    snprintf(run->result, sizeof run->result, "%s",
             rc < 0      ? "failed"
             : unchanged ? "unchanged"
                         : "ok");
    if (rc < 0)
        snprintf(run->error, sizeof run->error, "%s", why->msg);
    struct err store_err;
    err_clear(&store_err);
    if (store_run_add(main, run, &store_err) < 0) {
        if (rc == 0) {
            *e = store_err;
            return store_err.code;
        }
    }
    if (rc < 0 && e != why)
        *e = *why;
    return rc;
}

/* The installation's secret key, for opening a token or a password. */
static int load_key(const struct jobs_config *c, struct secret_key *key, struct err *e)
{
    struct buf path = BUF_INIT;
    int rc = 0;
    if (!getenv(SECRET_ENV) || !*getenv(SECRET_ENV))
        rc = secret_key_path(c->db_url, &path, e);
    if (rc == 0)
        rc = secret_key_load(path.len ? buf_cstr(&path) : NULL, 0, key, e);
    buf_release(&path);
    return rc;
}

/* Opens sealed text (a token, a password) into plain; "" stays empty. */
static int open_sealed(const struct jobs_config *c, const char *sealed, struct buf *plain,
                       struct err *e)
{
    buf_reset(plain);
    if (!sealed || !*sealed)
        return 0;
    struct secret_key key;
    int rc = load_key(c, &key, e);
    if (rc == 0)
        rc = secret_open(&key, sealed, plain, e);
    secret_key_wipe(&key);
    return rc;
}

/* ---- a source's sync ----------------------------------------------------------------------- */

/* What the run did, for its record: files imported and refused, media read. */
static void sync_detail(const struct connect_run *cr, struct store_run *run)
{
    struct buf d = BUF_INIT;
    if (cr->not_modified)
        buf_puts(&d, "unchanged since the last run (HTTP 304): nothing imported");
    else if (cr->nfiles) {
        size_t done = 0;
        for (size_t i = 0; i < cr->nfiles; i++)
            done += cr->files[i].imported != 0;
        buf_printf(&d, "%zu file%s imported, %zu refused", done, done == 1 ? "" : "s",
                   cr->nfiles - done);
        for (size_t i = 0; i < cr->nfiles; i++)
            buf_printf(&d, "%s %s (%s)", i ? "," : ":", cr->files[i].name,
                       cr->files[i].imported ? "imported" : "refused");
        if (cr->files_skipped)
            buf_printf(&d, "; %zu still being written, left for the next run", cr->files_skipped);
    } else if (cr->items_fetched || cr->requests) {
        buf_printf(&d, "%zu media read in %zu requests", cr->items_fetched, cr->requests);
        if (cr->waited > 0)
            buf_printf(&d, ", %.0f s waited on rate limits and retries", cr->waited);
    } else {
        buf_puts(&d, "no new file");
    }
    snprintf(run->detail, sizeof run->detail, "%s", buf_cstr(&d));
    buf_release(&d);
}

int jobs_sync(struct store *main, const struct jobs_config *c, const struct store_source *src,
              struct store_run *out, struct err *e)
{
    struct store_run local, *run = out ? out : &local;
    run_start(run, STORE_JOB_SOURCE, src->name, src->workspace);
    struct err why;
    err_clear(&why);
    struct buf token = BUF_INIT;
    struct store *ws = NULL;
    struct connect_run cr;
    connect_run_init(&cr);
    char actor[120];
    snprintf(actor, sizeof actor, "source:%s", src->name);

    struct connect_source cs = {.name = src->name,
                                .influencer_id = src->influencer,
                                .account = src->account,
                                .url = src->url,
                                .dir = src->dir,
                                .base_url = *src->base_url ? src->base_url : NULL};
    int rc = connect_kind_parse(src->kind, &cs.kind, &why);
    cs.dataset = *src->dataset ? schema_dataset_by_name(src->dataset) : DS_NONE;
    if (rc == 0)
        rc = open_sealed(c, src->token, &token, &why);
    cs.token = token.len ? buf_cstr(&token) : NULL;
    if (rc == 0)
        rc = auth_workspace_store(c->db_url, src->workspace, 0, &ws, &why);
    if (rc == 0) {
        struct connect_opts o;
        connect_opts_default(&o);
        o.zone = c->zone;
        o.http.ca_file = c->ca_file;
        o.ingest.dataset = cs.dataset;
        o.ingest.cfg = c->schema;
        o.ingest.audit_actor = actor;
        o.ingest.audit_workspace = src->workspace;
        struct connect_state state = {*src->etag ? src->etag : NULL,
                                      *src->last_modified ? src->last_modified : NULL};
        rc = connect_sync(ws, &cs, &state, &o, &cr, &why);
        run->rows = cr.rows;
        sync_detail(&cr, run);
        struct err state_err;
        err_clear(&state_err);
        /* a refused file keeps the old ETag, so the next run fetches it again */
        if (rc == 0 && !cr.not_modified && cs.kind == CONNECT_URL &&
            store_source_set_state(main, src->name, cr.etag, cr.last_modified, &state_err) < 0)
            rc = err_set(&why, state_err.code, "%s", state_err.msg);
    }
    rc = run_finish(main, run, rc, rc == 0 && cr.not_modified, &why, e);
    connect_run_release(&cr);
    store_close(ws);
    secret_wipe(&token);
    return rc;
}

/* ---- a scheduled report --------------------------------------------------------------------- */

/* The report's filter: its saved query string, with from and to replaced by its period's
 * dates when it has one. */
static int report_filter(const struct store_report *r, const struct schedule_range *range,
                         struct filter *f, struct err *e)
{
    const char *kv[2 * FILTER_NPARAMS + 1];
    char *values[FILTER_NPARAMS];
    int n = 0, rc = 0;
    size_t len = strlen(r->filters);
    for (int p = 0; p < FILTER_NPARAMS; p++) {
        const char *name = filter_param_name((enum filter_param)p);
        values[p] = NULL;
        if (range && (!strcmp(name, "from") || !strcmp(name, "to"))) {
            kv[n++] = name;
            kv[n++] = !strcmp(name, "from") ? range->from_iso : range->to_iso;
            continue;
        }
        size_t cap = len + 1;
        values[p] = xmalloc(cap);
        if (form_field(r->filters, len, name, values[p], cap)) {
            kv[n++] = name;
            kv[n++] = values[p];
        }
    }
    kv[n] = NULL;
    rc = filter_parse(f, filter_kv_get, (void *)kv, e);
    if (rc < 0)
        err_prefix(e, "report \"%s\": its saved filters", r->name);
    for (int p = 0; p < FILTER_NPARAMS; p++)
        free(values[p]);
    return rc;
}

static int read_whole_file(const char *path, struct buf *out, struct err *e)
{
    FILE *fp = fopen(path, "rb");
    if (!fp)
        return err_set(e, ERR_IO, "%s: %s", path, strerror(errno));
    char chunk[65536];
    size_t n;
    while ((n = fread(chunk, 1, sizeof chunk, fp)) > 0)
        buf_append(out, chunk, n);
    int bad = ferror(fp);
    fclose(fp);
    return bad ? err_set(e, ERR_IO, "%s: cannot read", path) : 0;
}

/* The mail's body: what the report covers and its headline figures. */
static void mail_body(const struct store_report *r, const struct engine *eng,
                      const struct filter *f, const char *period, const char *file, struct buf *out)
{
    buf_printf(out, "The scheduled report \"%s\" is attached (%s).\n\n", r->name, file);
    buf_printf(out, "Period: %s\n", period);
    struct buf q = BUF_INIT;
    filter_query_string(f, &q);
    buf_printf(out, "Filters: %s\n\n", q.len ? buf_cstr(&q) : "none (all data)");
    buf_release(&q);
    struct engine_kpis k;
    struct err e;
    if (engine_kpis(eng, &f->f, &k, &e) == 0) {
        char revenue[64], spend[64], roas[64], orders[64];
        format_money(revenue, sizeof revenue, k.revenue, 0);
        format_money(spend, sizeof spend, k.spend, 0);
        format_int(orders, sizeof orders, k.orders);
        if (k.roas.has)
            format_ratio(roas, sizeof roas, k.roas.value);
        else
            snprintf(roas, sizeof roas, "none (no spend)");
        buf_printf(out, "Revenue %s from %s orders; spend %s; ROAS %s.\n", revenue, orders, spend,
                   roas);
    }
    buf_puts(out, "\nSent by infludash. Change or stop it with `infludash report add` or "
                  "`infludash report del`.\n");
}

/* Sends the file by mail to the report's recipients. */
static int report_mail(const struct jobs_config *c, const struct store_report *r, const char *path,
                       const char *file, const char *body, const char *content_type,
                       struct store_run *run, struct err *e)
{
    char **to = NULL;
    size_t nto = 0;
    struct buf password = BUF_INIT, data = BUF_INIT, subject = BUF_INIT;
    int rc = mail_parse_addresses(r->mail_to, &to, &nto, e);
    if (rc == 0)
        rc = open_sealed(c, r->smtp_password, &password, e);
    if (rc == 0)
        rc = read_whole_file(path, &data, e);
    int attempts = 0;
    if (rc == 0) {
        struct mail_server server = {.url = *r->smtp_url ? r->smtp_url : "smtp://localhost:25",
                                     .user = *r->smtp_user ? r->smtp_user : NULL,
                                     .password = password.len ? buf_cstr(&password) : NULL,
                                     .ca_file = c->ca_file,
                                     .max_attempts = c->mail_attempts,
                                     .backoff_initial = c->mail_backoff};
        struct mail_attachment att = {file, content_type, data.data, data.len};
        buf_printf(&subject, "infludash report: %s", r->name);
        struct mail_message m = {.from = *r->mail_from ? r->mail_from : "infludash@localhost",
                                 .to = (const char *const *)to,
                                 .nto = nto,
                                 .subject = buf_cstr(&subject),
                                 .text = body,
                                 .attachments = &att,
                                 .nattachments = 1};
        rc = mail_send(&server, &m, &attempts, e);
    }
    if (rc == 0)
        snprintf(run->detail, sizeof run->detail, "mailed %s to %s (%d attempt%s)", file,
                 r->mail_to, attempts, attempts == 1 ? "" : "s");
    for (size_t i = 0; i < nto; i++)
        free(to[i]);
    free(to);
    secret_wipe(&password);
    buf_release(&data);
    buf_release(&subject);
    return rc;
}

/* The report file written into dir (through a hidden temporary name, renamed when whole). */
static int write_report(const struct report_input *in, const char *format, const char *dir,
                        const char *file, struct buf *path, struct err *e)
{
    struct buf tmp = BUF_INIT;
    buf_printf(&tmp, "%s/.%s.part", dir, file);
    buf_printf(path, "%s/%s", dir, file);
    int rc;
    if (!strcmp(format, "pdf")) {
        rc = report_pdf(in, buf_cstr(&tmp), e);
    } else if (!strcmp(format, "xlsx")) {
        rc = report_xlsx(in, buf_cstr(&tmp), e);
    } else {
        FILE *fp = fopen(buf_cstr(&tmp), "wb");
        if (!fp) {
            rc = err_set(e, ERR_IO, "%s: %s", buf_cstr(&tmp), strerror(errno));
        } else {
            rc = report_csv(in, fp, e);
            if (fclose(fp) != 0 && rc == 0)
                rc = err_set(e, ERR_IO, "%s: cannot write", buf_cstr(&tmp));
        }
    }
    if (rc == 0 && rename(buf_cstr(&tmp), buf_cstr(path)) != 0)
        rc = err_set(e, ERR_IO, "%s: %s", buf_cstr(path), strerror(errno));
    if (rc < 0)
        unlink(buf_cstr(&tmp));
    buf_release(&tmp);
    return rc;
}

static const char *content_type_of(const char *format)
{
    if (!strcmp(format, "pdf"))
        return "application/pdf";
    if (!strcmp(format, "xlsx"))
        return "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";
    return "text/csv";
}

/* The tax table a PDF or XLSX report ends with, as export and GET /api/export.* give it:
 * the FY of the report's period (its end), else the newest FY with payouts. */
static int report_tax(const struct jobs_config *c, struct store *ws, const struct filter *f,
                      struct api_tax_table *t, int *have, struct err *e)
{
    struct tax_rules builtin;
    tax_rules_init(&builtin);
    const struct tax_rules *rules = c->tax_rules;
    int rc = 0;
    if (!rules) {
        rc = tax_rules_builtin(&builtin, e);
        rules = &builtin;
    }
    if (rc == 0) {
        if (c->tax_lock)
            pthread_mutex_lock(c->tax_lock);
        rc = api_tax_report_table(ws, rules, c->gst_state, API_TAX_LATEST_FY, f->f.to_day, t, have,
                                  e);
        if (c->tax_lock)
            pthread_mutex_unlock(c->tax_lock);
    }
    tax_rules_release(&builtin);
    return rc;
}

/* A temporary folder for a mailed report, removed with what is in it. */
static int temp_dir(struct buf *dir, struct err *e)
{
    const char *base = getenv("TMPDIR");
    buf_printf(dir, "%s/infludash-report-XXXXXX", base && *base ? base : "/tmp");
    if (!mkdtemp(dir->data))
        return err_set(e, ERR_IO, "%s: cannot make a temporary folder: %s", buf_cstr(dir),
                       strerror(errno));
    return 0;
}

int jobs_report(struct store *main, const struct jobs_config *c, const struct store_report *r,
                struct store_run *out, struct err *e)
{
    struct store_run local, *run = out ? out : &local;
    run_start(run, STORE_JOB_REPORT, r->name, r->workspace);
    struct err why;
    err_clear(&why);
    int64_t made_at = now_of(c);
    struct schedule_range range;
    int have_period = 0, rc = 0;
    if (*r->period) {
        enum schedule_period p;
        rc = schedule_period_parse(r->period, &p, &why);
        if (rc == 0) {
            schedule_period_resolve(p, c->zone, made_at, &range);
            have_period = 1;
        }
    }
    struct filter f;
    filter_init(&f);
    if (rc == 0)
        rc = report_filter(r, have_period ? &range : NULL, &f, &why);
    struct store *ws = NULL;
    if (rc == 0)
        rc = auth_workspace_store(c->db_url, r->workspace, 0, &ws, &why);
    struct engine *eng = NULL;
    if (rc == 0) {
        struct buf url = BUF_INIT;
        if (!strcmp(r->workspace, AUTH_DEFAULT_WORKSPACE)) {
            buf_puts(&url, c->db_url);
        } else {
            struct buf part = BUF_INIT;
            buf_printf(&part, "ws-%s", r->workspace);
            store_part_url(c->db_url, buf_cstr(&part), &url);
            buf_release(&part);
        }
        eng = engine_load_snapshot(ws, buf_cstr(&url), &why);
        buf_release(&url);
        rc = eng ? 0 : why.code ? why.code : ERR_STORE;
    }
    struct api_settings settings;
    api_settings_default(&settings);
    settings.tz = c->zone; /* "Data as of" in the installation's zone */
    /* --compare: the report adds the earlier period (SPEC 3.2), resolved at run time */
    if (rc == 0 && *r->compare && filter_compare_parse(r->compare, &settings.compare, &why) < 0) {
        err_prefix(&why, "report \"%s\": --compare", r->name);
        rc = why.code;
    }
    struct report_input in = {eng, &f, &settings, made_at, have_period ? range.label : NULL, NULL};
    struct api_tax_table tax;
    api_tax_table_init(&tax);
    if (rc == 0 && (!strcmp(r->format, "pdf") || !strcmp(r->format, "xlsx"))) {
        int have = 0;
        rc = report_tax(c, ws, &f, &tax, &have, &why);
        in.tax = have ? &tax : NULL;
    }
    struct buf name = BUF_INIT, dir = BUF_INIT, path = BUF_INIT, body = BUF_INIT;
    int mailed = !*r->to_dir;
    if (rc == 0) {
        report_file_name_for(r->name, r->format, &in, &name);
        if (mailed)
            rc = temp_dir(&dir, &why);
        else
            buf_puts(&dir, r->to_dir);
    }
    if (rc == 0)
        rc = write_report(&in, r->format, buf_cstr(&dir), buf_cstr(&name), &path, &why);
    if (rc == 0) {
        run->rows = 1;
        if (mailed) {
            const char *period = have_period ? range.label : "the whole data";
            mail_body(r, eng, &f, period, buf_cstr(&name), &body);
            rc = report_mail(c, r, buf_cstr(&path), buf_cstr(&name), buf_cstr(&body),
                             content_type_of(r->format), run, &why);
        } else {
            snprintf(run->detail, sizeof run->detail, "wrote %s", buf_cstr(&path));
        }
    }
    if (mailed && dir.len) {
        if (path.len)
            unlink(buf_cstr(&path));
        rmdir(buf_cstr(&dir));
    }
    if (rc < 0)
        run->rows = 0;
    rc = run_finish(main, run, rc, 0, &why, e);
    buf_release(&name);
    buf_release(&dir);
    buf_release(&path);
    buf_release(&body);
    api_tax_table_release(&tax);
    engine_free(eng);
    filter_release(&f);
    store_close(ws);
    return rc;
}

/* ---- the scheduler's pass ------------------------------------------------------------------- */

struct pass {
    struct store *main;
    const struct jobs_config *c;
    int force;
    int64_t now;
    jobs_run_fn fn;
    void *ctx;
    size_t ran, failed;
    /* the jobs to run, copied out of the listing (a run writes to the store) */
    struct store_source *sources;
    size_t nsources, cap_sources;
    struct store_report *reports;
    size_t nreports, cap_reports;
};

static char *dup_or_empty(const char *s)
{
    return xstrdup(s ? s : "");
}

static int take_source(void *ctx, const struct store_source *src)
{
    struct pass *p = ctx;
    int64_t last = src->last_due ? src->last_due : src->added_at;
    if (!p->force && !jobs_is_due(src->schedule, p->c->zone, last, p->now))
        return 0;
    if (p->nsources == p->cap_sources) {
        p->cap_sources = p->cap_sources ? 2 * p->cap_sources : 8;
        p->sources = xrealloc(p->sources, p->cap_sources * sizeof *p->sources);
    }
    struct store_source *d = &p->sources[p->nsources++];
    *d = *src;
    char **fields[] = {&d->name, &d->kind,          &d->dataset,  &d->influencer, &d->account,
                       &d->url,  &d->dir,           &d->base_url, &d->token,      &d->schedule,
                       &d->etag, &d->last_modified, &d->workspace};
    for (size_t i = 0; i < sizeof fields / sizeof fields[0]; i++)
        *fields[i] = dup_or_empty(*fields[i]);
    return 0;
}

static int take_report(void *ctx, const struct store_report *r)
{
    struct pass *p = ctx;
    int64_t last = r->last_due ? r->last_due : r->added_at;
    if (!p->force && !jobs_is_due(r->schedule, p->c->zone, last, p->now))
        return 0;
    if (p->nreports == p->cap_reports) {
        p->cap_reports = p->cap_reports ? 2 * p->cap_reports : 8;
        p->reports = xrealloc(p->reports, p->cap_reports * sizeof *p->reports);
    }
    struct store_report *d = &p->reports[p->nreports++];
    *d = *r;
    char **fields[] = {&d->name,          &d->format,    &d->filters,  &d->compare,  &d->period,
                       &d->schedule,      &d->to_dir,    &d->mail_to,  &d->smtp_url, &d->smtp_user,
                       &d->smtp_password, &d->mail_from, &d->workspace};
    for (size_t i = 0; i < sizeof fields / sizeof fields[0]; i++)
        *fields[i] = dup_or_empty(*fields[i]);
    return 0;
}

/* Claims the job's due run: 1 to run it, 0 when another scheduler has. Forced (`schedule
 * run --now`), every job runs, and one that was due is claimed as well so that the next
 * pass does not run it a second time. */
static int claim(struct pass *p, enum store_job job, const char *name, const char *schedule,
                 struct err *e)
{
    struct schedule s;
    struct err parse_err;
    if (!*schedule || schedule_parse(schedule, &s, &parse_err) < 0)
        return p->force;
    int64_t due = schedule_prev(&s, p->c->zone, p->now);
    int won = store_job_claim(p->main, job, name, due, e);
    return won < 0 ? won : p->force || won;
}

static void count(struct pass *p, int rc, const struct store_run *run)
{
    p->ran++;
    if (rc < 0)
        p->failed++;
    if (p->fn)
        p->fn(p->ctx, run);
}

int jobs_run_due(struct store *main, const struct jobs_config *c, int force, jobs_run_fn fn,
                 void *ctx, size_t *ran, size_t *failed, struct err *e)
{
    struct pass p = {.main = main, .c = c, .force = force, .now = now_of(c), .fn = fn, .ctx = ctx};
    int rc = store_source_list(main, NULL, take_source, &p, e);
    if (rc == 0)
        rc = store_report_list(main, NULL, take_report, &p, e);
    for (size_t i = 0; rc == 0 && i < p.nsources; i++) {
        int won = claim(&p, STORE_JOB_SOURCE, p.sources[i].name, p.sources[i].schedule, e);
        if (won < 0)
            rc = won;
        if (won <= 0)
            continue;
        struct store_run run;
        struct err je;
        err_clear(&je);
        count(&p, jobs_sync(main, c, &p.sources[i], &run, &je), &run);
    }
    for (size_t i = 0; rc == 0 && i < p.nreports; i++) {
        int won = claim(&p, STORE_JOB_REPORT, p.reports[i].name, p.reports[i].schedule, e);
        if (won < 0)
            rc = won;
        if (won <= 0)
            continue;
        struct store_run run;
        struct err je;
        err_clear(&je);
        count(&p, jobs_report(main, c, &p.reports[i], &run, &je), &run);
    }
    for (size_t i = 0; i < p.nsources; i++)
        store_source_release(&p.sources[i]);
    for (size_t i = 0; i < p.nreports; i++)
        store_report_release(&p.reports[i]);
    free(p.sources);
    free(p.reports);
    if (ran)
        *ran = p.ran;
    if (failed)
        *failed = p.failed;
    if (rc == 0 && p.failed)
        rc = err_set(e, ERR_INPUT, "%zu of %zu runs failed", p.failed, p.ran);
    return rc;
}
