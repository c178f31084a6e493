/* routes_payouts.c — SPEC §10's and §11's endpoints: GET /api/payouts/tax (TDS and GST per
 * influencer for an FY), GET /api/payouts/batch.csv (the bank's bulk-payment file of what
 * is pending), GET /api/payouts/batch-refusals (the rows that file leaves out, and why),
 * and the rules table: GET /api/payouts/tax-rules (as CSV) and POST (an admin replaces it,
 * checked whole first, written to the audit log); GET /api/compliance (the ASCI check of
 * the captions). Calls routes_common, http, api_tax, api_compliance, asci, tax, payid, app,
 * site, store, csv, json and schema. */
#include "routes_handlers.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "api_compliance.h"
#include "api_tax.h"
#include "app.h"
#include "asci.h"
#include "csv.h"
#include "json.h"
#include "payid.h"
#include "site.h"
#include "tax.h"

#include "banned.h"

/* ?gst_state=NN (the Payouts page's setting) over serve's --gst-state; -1 with 400
 * answered when it is not a GST state code. */
static int gst_state_of(struct http_request *req, struct http_response *res, struct site *site)
{
    const char *raw = http_query(req, "gst_state");
    if (!raw || !*raw)
        return site->gst_state;
    char *end = NULL;
    errno = 0;
    long v = strtol(raw, &end, 10);
    if (errno || end == raw || *end || !payid_gst_state_name((int)v)) {
        http_response_err(res, ERR_USAGE,
                          "gst_state: \"%.20s\" is not a GST state code (two digits, e.g. 27 "
                          "for Maharashtra, 06 for Haryana)",
                          raw);
        return -1;
    }
    return (int)v;
}

/* The FY asked for (?fy=2025-26), else the newest with payouts (API_TAX_LATEST_FY). */
static int fy_of(struct http_request *req, struct http_response *res, int32_t *fy)
{
    const char *raw = http_query(req, "fy");
    struct err e;
    err_clear(&e);
    if (raw && *raw) {
        if (tax_fy_parse(raw, fy, &e) < 0) {
            http_response_err(res, ERR_USAGE, "fy: %s", e.msg);
            return -1;
        }
        return 0;
    }
    *fy = API_TAX_LATEST_FY;
    return 0;
}

int routes_api_payouts_tax(struct http_request *req, struct http_response *res)
{
    struct app *app = req->app;
    struct site *site = app->site;
    int32_t fy;
    int gst_state = gst_state_of(req, res, site);
    if (gst_state < 0 || fy_of(req, res, &fy) < 0)
        return 0;
    struct err e;
    err_clear(&e);
    http_response_json(res, 200);
    pthread_mutex_lock(&site->tax_lock);
    pthread_mutex_lock(&app->store_lock);
    int rc = api_tax_json(app->store, site->tax_rules, gst_state, fy, &res->body, &e);
    pthread_mutex_unlock(&app->store_lock);
    pthread_mutex_unlock(&site->tax_lock);
    if (rc < 0) {
        buf_reset(&res->body);
        return routes_fail(req, res, "computing the tax", &e);
    }
    buf_putc(&res->body, '\n');
    return 0;
}

int routes_export_tax(struct http_request *req, struct http_response *res, int32_t to_day,
                      struct api_tax_table *t, int *have)
{
    struct app *app = req->app;
    struct site *site = app->site;
    *have = 0;
    int32_t fy;
    int gst_state = gst_state_of(req, res, site);
    if (gst_state < 0 || fy_of(req, res, &fy) < 0)
        return -1;
    struct err e;
    err_clear(&e);
    pthread_mutex_lock(&site->tax_lock);
    pthread_mutex_lock(&app->store_lock);
    int rc = api_tax_report_table(app->store, site->tax_rules, gst_state, fy, to_day, t, have, &e);
    pthread_mutex_unlock(&app->store_lock);
    pthread_mutex_unlock(&site->tax_lock);
    if (rc < 0) {
        routes_fail(req, res, "computing the tax", &e);
        return -1;
    }
    return 0;
}

/* The batch of ?status= (default Pending): the CSV file or the refusals' JSON. */
static int routes_batch(struct http_request *req, struct http_response *res, int want_csv)
{
    struct app *app = req->app;
    struct site *site = app->site;
    int gst_state = gst_state_of(req, res, site);
    if (gst_state < 0)
        return 0;
    const char *status = http_query(req, "status");
    if (!status || !*status)
        status = "Pending";
    struct buf norm = BUF_INIT;
    schema_norm_status(status, strlen(status), &norm);
    struct err e;
    err_clear(&e);
    struct buf csv = BUF_INIT, refusals = BUF_INIT;
    size_t nrefused = 0;
    pthread_mutex_lock(&site->tax_lock);
    pthread_mutex_lock(&app->store_lock);
    int rc = api_batch(app->store, site->tax_rules, gst_state, buf_cstr(&norm),
                       want_csv ? &csv : NULL, want_csv ? NULL : &refusals, &nrefused, &e);
    pthread_mutex_unlock(&app->store_lock);
    pthread_mutex_unlock(&site->tax_lock);
    buf_release(&norm);
    if (rc < 0) {
        buf_release(&csv);
        buf_release(&refusals);
        return routes_fail(req, res, "making the payout batch", &e);
    }
    if (want_csv) {
        res->status = 200;
        res->content_type = "text/csv; charset=utf-8";
        res->no_store = true;
        char n[32];
        snprintf(n, sizeof n, "%zu", nrefused);
        /* the file stays uploadable; what it leaves out is /api/payouts/batch-refusals */
        http_response_header(res, "X-Refused-Rows", n);
        http_response_header(res, "Content-Disposition",
                             "attachment; filename=\"payout-batch.csv\"");
        buf_append(&res->body, csv.data, csv.len);
    } else {
        http_response_json(res, 200);
        buf_append(&res->body, refusals.data, refusals.len);
        buf_putc(&res->body, '\n');
    }
    buf_release(&csv);
    buf_release(&refusals);
    return 0;
}

int routes_api_payouts_batch_csv(struct http_request *req, struct http_response *res)
{
    return routes_batch(req, res, 1);
}

int routes_api_payouts_batch_refusals(struct http_request *req, struct http_response *res)
{
    return routes_batch(req, res, 0);
}

/* Writes the rules table back as CSV (the columns of the shipped file). */
static void rules_csv(const struct tax_rules *r, struct buf *out)
{
    buf_printf(out, "rules_version,%s\n", r->version);
    for (size_t c = 0; c < tax_rule_ncolumns; c++)
        buf_printf(out, "%s%s", c ? "," : "", tax_rule_columns[c]);
    buf_putc(out, '\n');
    for (size_t i = 0; i < r->nrules; i++) {
        const struct tax_rule *t = &r->rules[i];
        char from[11], to[11] = "";
        schema_days_to_iso(t->from_day, from);
        if (t->to_day != TAX_OPEN_END)
            schema_days_to_iso(t->to_day, to);
        const char *fields[] = {t->id, t->act, t->section, t->payment_code, tax_kind_name(t->kind)};
        for (size_t f = 0; f < 5; f++) {
            csv_write_field(out, fields[f], strlen(fields[f]), ',');
            buf_putc(out, ',');
        }
        buf_printf(out, "%d.%02d,%d.%02d,%lld,%s,%s,%s,", t->rate_bp / 100, t->rate_bp % 100,
                   t->no_pan_rate_bp / 100, t->no_pan_rate_bp % 100, (long long)t->threshold,
                   t->threshold_type == TAX_THRESHOLD_AGGREGATE_FY ? "aggregate_fy" : "per_payment",
                   from, to);
        csv_write_field(out, t->citation, strlen(t->citation), ',');
        buf_putc(out, '\n');
    }
}

int routes_api_tax_rules(struct http_request *req, struct http_response *res)
{
    struct site *site = ((struct app *)req->app)->site;
    res->status = 200;
    res->content_type = "text/csv; charset=utf-8";
    res->no_store = true;
    pthread_mutex_lock(&site->tax_lock);
    rules_csv(site->tax_rules, &res->body);
    http_response_header(res, "X-Rules-Version", site->tax_rules->version);
    pthread_mutex_unlock(&site->tax_lock);
    return 0;
}

/* Writes data to path through a temporary file and a rename: the table on disk is the
 * old one or the new one, never half of each. */
static int save_file(const char *path, const char *data, size_t len, struct err *e)
{
    struct buf tmp = BUF_INIT;
    buf_printf(&tmp, "%s.tmp.%ld", path, (long)getpid());
    FILE *f = fopen(buf_cstr(&tmp), "wb");
    int rc = 0;
    if (!f)
        rc = err_set(e, ERR_IO, "cannot write %s: %s", buf_cstr(&tmp), strerror(errno));
    if (rc == 0 && fwrite(data, 1, len, f) != len)
        rc = err_set(e, ERR_IO, "cannot write %s: %s", buf_cstr(&tmp), strerror(errno));
    if (f && fclose(f) != 0 && rc == 0)
        rc = err_set(e, ERR_IO, "cannot write %s: %s", buf_cstr(&tmp), strerror(errno));
    if (rc == 0 && rename(buf_cstr(&tmp), path) != 0)
        rc = err_set(e, ERR_IO, "cannot replace %s: %s", path, strerror(errno));
    if (rc < 0)
        unlink(buf_cstr(&tmp));
    buf_release(&tmp);
    return rc;
}

/* POST /api/payouts/tax-rules (admin): the body is a whole rules table (CSV). It is
 * checked whole (a bad one is refused naming line, column and reason, and the table in use
 * stays); a good one replaces the table in use and, when serve was given --tax-rules FILE,
 * that file; else it lasts until the server stops (the answer says so). */
int routes_api_tax_rules_replace(struct http_request *req, struct http_response *res)
{
    struct app *app = req->app;
    struct site *site = app->site;
    struct tax_rules fresh;
    tax_rules_init(&fresh);
    struct err e;
    err_clear(&e);
    if (tax_rules_parse(&fresh, "the uploaded rules table", cbuf_cstr(&req->body), req->body.b.len,
                        &e) < 0) {
        tax_rules_release(&fresh);
        return routes_fail(req, res, "reading the rules table", &e); /* 422: invalid data */
    }
    pthread_mutex_lock(&site->tax_lock);
    int rc = 0;
    if (site->tax_rules_path)
        rc = save_file(site->tax_rules_path, cbuf_cstr(&req->body), req->body.b.len, &e);
    if (rc == 0) {
        free(fresh.name);
        fresh.name = xstrdup(site->tax_rules_path ? site->tax_rules_path
                                                  : "the rules table uploaded by an admin");
        tax_rules_release(site->tax_rules);
        *site->tax_rules = fresh; /* the table moves in; fresh is not released */
    }
    char version[80];
    snprintf(version, sizeof version, "%s", site->tax_rules->version);
    size_t nrules = site->tax_rules->nrules;
    pthread_mutex_unlock(&site->tax_lock);
    if (rc < 0) {
        tax_rules_release(&fresh);
        return routes_fail(req, res, "saving the rules table", &e);
    }
    pthread_mutex_lock(&app->store_lock);
    rc = store_audit_add(app->store, routes_actor(req), "tax-rules", app->slug, "tds_rules",
                         version, &e);
    pthread_mutex_unlock(&app->store_lock);
    if (rc < 0)
        return routes_fail(req, res, "writing the audit log", &e);
    http_response_json(res, 200);
    struct json j;
    json_init(&j, &res->body);
    json_obj_begin(&j);
    json_kv_str(&j, "rules_version", version);
    json_kv_int(&j, "rules", (int64_t)nrules);
    json_kv_bool(&j, "saved", site->tax_rules_path != NULL);
    if (site->tax_rules_path)
        json_kv_str(&j, "note", "saved to the server's --tax-rules file");
    else
        json_kv_str(&j, "note",
                    "in use until the server stops: start serve with --tax-rules FILE to keep "
                    "an edited table");
    json_obj_end(&j);
    buf_putc(&res->body, '\n');
    return 0;
}

/* ---- GET /api/compliance ------------------------------------------------------------------ */

/* A date parameter as a day number; -1 with 400 answered when it is not a date. */
static int day_param(struct http_request *req, struct http_response *res, const char *name,
                     int32_t open, int32_t *day)
{
    const char *raw = http_query(req, name);
    *day = open;
    if (!raw || !*raw)
        return 0;
    if (strlen(raw) != 10 || schema_iso_to_days(raw, day) < 0) {
        http_response_err(res, ERR_USAGE, "%s: \"%.20s\" is not a date (YYYY-MM-DD)", name, raw);
        return -1;
    }
    return 0;
}

/* The ASCI check (SPEC §11) over the stored posts: ?from, ?to, ?influencer, ?campaign
 * select them; ?labels= (labels separated by commas, a leading # for hashtag-only) replaces
 * the shipped list; ?limit= caps the posts listed (default 200, at most 5000). */
int routes_api_compliance(struct http_request *req, struct http_response *res)
{
    struct app *app = req->app;
    struct api_compliance_query q = {0};
    if (day_param(req, res, "from", INT32_MIN, &q.from_day) < 0 ||
        day_param(req, res, "to", INT32_MAX, &q.to_day) < 0)
        return 0;
    q.influencer = http_query(req, "influencer");
    q.campaign = http_query(req, "campaign");
    if (q.influencer && !*q.influencer)
        q.influencer = NULL;
    if (q.campaign && !*q.campaign)
        q.campaign = NULL;
    q.list_max = 200;
    const char *limit = http_query(req, "limit");
    if (limit && *limit) {
        char *end = NULL;
        long v = strtol(limit, &end, 10);
        if (*end || v < 0 || v > 5000)
            return http_response_err(res, ERR_USAGE, "limit: \"%.20s\" is not 0 to 5000", limit);
        q.list_max = (size_t)v;
    }
    struct err e;
    err_clear(&e);
    struct asci_labels labels;
    const char *list = http_query(req, "labels");
    /* the names shown: the list as given, else the shipped one */
    const char **names = NULL;
    size_t nnames = 0;
    char *copy = NULL;
    int rc;
    if (list && *list) {
        rc = asci_labels_init_list(&labels, list, &e);
        if (rc < 0)
            return http_response_err(res, ERR_USAGE, "labels: %s", e.msg);
        copy = xstrdup(list);
        names = xcalloc(strlen(list) + 1, sizeof *names);
        for (char *p = copy; p && *p;) {
            char *sep = p + strcspn(p, ",\n");
            char end = *sep;
            *sep = '\0';
            while (*p == ' ')
                p++;
            for (char *t = sep; t > p && t[-1] == ' ';)
                *--t = '\0';
            if (*p)
                names[nnames++] = p;
            p = end ? sep + 1 : NULL;
        }
    } else {
        rc = asci_labels_init_default(&labels, &e);
        if (rc < 0)
            return routes_fail(req, res, "reading the disclosure labels", &e);
    }
    http_response_json(res, 200);
    pthread_mutex_lock(&app->store_lock);
    rc = api_compliance_json(app->store, &labels,
                             names ? (const char *const *)names : asci_default_labels,
                             names ? nnames : asci_default_nlabels, &q, &res->body, &e);
    pthread_mutex_unlock(&app->store_lock);
    asci_labels_release(&labels);
    free(names);
    free(copy);
    if (rc < 0) {
        buf_reset(&res->body);
        return routes_fail(req, res, "checking the captions", &e);
    }
    buf_putc(&res->body, '\n');
    return 0;
}
