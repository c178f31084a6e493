/* routes_report.c — GET /api/export.{csv,pdf,xlsx}: the reports of report.h over the
 * filters of the query, made into a spool file and sent from disk with a file name that
 * carries the report's name and the time; and the filtered rows of a dataset for
 * GET /api/datasets/NAME.csv when filters are given, and the rows behind a figure for
 * GET /api/explain/rows.csv; the PDF and XLSX end with the FY's tax table (routes_export_tax).
 * Calls routes_common, routes_payouts, api_tax,
 * report, filter, schema, store, spool, http and app. */
#include "routes_handlers.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "api_tax.h"
#include "app.h"
#include "filter.h"
#include "report.h"
#include "spool.h"

#include "banned.h"

enum routes_report_kind { REPORT_CSV, REPORT_PDF, REPORT_XLSX, REPORT_DATASET, REPORT_EXPLAIN };

/* Makes the report into a new spool file and returns its descriptor (the file unlinked:
 * only the descriptor reaches it), or -1 with e filled. */
static int routes_make_report(struct app *app, enum routes_report_kind kind, enum dataset ds,
                              const char *metric, const struct report_input *in, struct err *e)
{
    struct buf path = BUF_INIT;
    int fd = spool_create(app->spool, "report", &path, e);
    if (fd < 0) {
        buf_release(&path);
        return -1;
    }
    int rc;
    if (kind == REPORT_PDF || kind == REPORT_XLSX) {
        /* the renderers write a file of their own name (then rename over this one) */
        close(fd);
        rc = kind == REPORT_PDF ? report_pdf(in, path.data, e) : report_xlsx(in, path.data, e);
        fd = rc == 0 ? open(path.data, O_RDONLY | O_CLOEXEC) : -1;
        if (rc == 0 && fd < 0)
            rc = err_set(e, ERR_IO, "cannot read the report back: %s", strerror(errno));
    } else {
        int copy = dup(fd);
        FILE *out = copy >= 0 ? fdopen(copy, "w") : NULL;
        if (!out) {
            if (copy >= 0)
                close(copy);
            rc = err_set(e, ERR_IO, "cannot write the report: %s", strerror(errno));
        } else {
            if (kind == REPORT_DATASET || kind == REPORT_EXPLAIN) {
                /* its own connection, one snapshot, no store_lock: imports go on */
                struct store *reader = NULL;
                rc = store_open(app->db_url, &reader, e);
                if (rc == 0)
                    rc = kind == REPORT_EXPLAIN
                             ? report_explain_rows_csv(in, reader, metric, ds, out, e)
                             : report_dataset_csv(in, reader, ds, out, e);
                store_close(reader);
            } else {
                rc = report_csv(in, out, e);
            }
            if (fclose(out) != 0 && rc == 0)
                rc = err_set(e, ERR_IO, "cannot write the report: %s", strerror(errno));
        }
    }
    unlink(path.data);
    buf_release(&path);
    if (rc < 0) {
        if (fd >= 0)
            close(fd);
        return -1;
    }
    return fd;
}

/* Content-Disposition for a download named name (UTF-8): an ASCII filename for old clients
 * (other characters as '_') and the exact name as filename* (RFC 6266, RFC 5987). */
static void routes_content_disposition(const char *name, struct buf *out)
{
    buf_puts(out, "attachment; filename=\"");
    for (const unsigned char *c = (const unsigned char *)name; *c; c++) {
        if (*c >= 0x80) {
            if ((*c & 0xC0) != 0x80) /* one '_' per character */
                buf_putc(out, '_');
        } else {
            buf_putc(out, *c < 0x20 || *c == '"' || *c == '\\' ? '_' : (char)*c);
        }
    }
    buf_puts(out, "\"; filename*=UTF-8''");
    for (const unsigned char *c = (const unsigned char *)name; *c; c++) {
        if ((*c >= 'A' && *c <= 'Z') || (*c >= 'a' && *c <= 'z') || (*c >= '0' && *c <= '9') ||
            strchr("!#$&+-.^_`|~", *c))
            buf_putc(out, (char)*c);
        else
            buf_printf(out, "%%%02X", *c);
    }
}

static int routes_report(struct http_request *req, struct http_response *res,
                         enum routes_report_kind kind, enum dataset ds)
{
    static const struct {
        const char *ext, *type;
    } formats[] = {
        [REPORT_CSV] = {"csv", "text/csv; charset=utf-8"},
        [REPORT_PDF] = {"pdf", "application/pdf"},
        [REPORT_XLSX] = {"xlsx",
                         "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"},
        [REPORT_DATASET] = {"csv", "text/csv; charset=utf-8"},
        [REPORT_EXPLAIN] = {"csv", "text/csv; charset=utf-8"},
    };
    struct app *app = req->app;
    if (!app->spool)
        return http_response_err(res, ERR_UNAVAILABLE,
                                 "reports are not available (no temporary "
                                 "directory)");
    struct err e;
    err_clear(&e);
    struct filter f;
    struct api_settings settings;
    struct app_engine *ae;
    if (routes_analytics_begin(req, res, &f, &settings, &ae) < 0)
        return 0;
    struct report_input in = {ae->eng, &f, &settings, (int64_t)time(NULL), NULL, NULL};
    const char *metric = http_query(req, "metric");
    if (kind == REPORT_EXPLAIN &&
        report_explain_dataset(metric, http_query(req, "dataset"), &ds, &e) < 0) {
        app_engine_release(app, ae);
        filter_release(&f);
        return http_response_err(res, e.code, "%s", e.msg);
    }
    struct api_tax_table tax;
    api_tax_table_init(&tax);
    if (kind == REPORT_PDF || kind == REPORT_XLSX) {
        int have = 0;
        if (routes_export_tax(req, res, f.f.to_day, &tax, &have) < 0) {
            app_engine_release(app, ae);
            filter_release(&f);
            return 0;
        }
        in.tax = have ? &tax : NULL;
    }
    int fd = routes_make_report(app, kind, ds, metric, &in, &e);
    app_engine_release(app, ae);
    api_tax_table_release(&tax);
    struct stat st;
    if (fd >= 0 && fstat(fd, &st) < 0) {
        close(fd);
        fd = -1;
        err_set(&e, ERR_IO, "cannot read the report back: %s", strerror(errno));
    }
    if (fd < 0) {
        filter_release(&f);
        return routes_fail(req, res, "making the report",
                           &e); /* temporary paths, the database's words: for the log */
    }
    struct buf name = BUF_INIT, disposition = BUF_INIT;
    struct buf base = BUF_INIT;
    if (kind == REPORT_EXPLAIN)
        buf_printf(&base, "%s-%s", metric, schema_dataset(ds)->name);
    else
        buf_puts(&base, kind == REPORT_DATASET ? schema_dataset(ds)->name : "report");
    report_file_name_for(buf_cstr(&base), formats[kind].ext, &in, &name);
    buf_release(&base);
    routes_content_disposition(buf_cstr(&name), &disposition);
    filter_release(&f);
    res->status = 200;
    res->content_type = formats[kind].type;
    res->no_store = true;
    http_response_header(res, "Content-Disposition", buf_cstr(&disposition));
    http_response_fd(res, fd, (uint64_t)st.st_size);
    buf_release(&disposition);
    buf_release(&name);
    return 0;
}

int routes_api_export_csv(struct http_request *req, struct http_response *res)
{
    return routes_report(req, res, REPORT_CSV, DS_NONE);
}

int routes_api_export_pdf(struct http_request *req, struct http_response *res)
{
    return routes_report(req, res, REPORT_PDF, DS_NONE);
}

int routes_api_export_xlsx(struct http_request *req, struct http_response *res)
{
    return routes_report(req, res, REPORT_XLSX, DS_NONE);
}

int routes_api_explain_rows(struct http_request *req, struct http_response *res)
{
    return routes_report(req, res, REPORT_EXPLAIN, DS_NONE);
}

int routes_api_dataset_filtered(struct http_request *req, struct http_response *res,
                                enum dataset ds)
{
    return routes_report(req, res, REPORT_DATASET, ds);
}
