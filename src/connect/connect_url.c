/* connect_url.c — a CSV or JSON file at an HTTP(S) address (a published spreadsheet, a
 * shop's order export). Each run asks with the ETag and Last-Modified of the last file it
 * imported, so an unchanged file is answered 304 and not imported again ("not modified").
 * The body is streamed to an unlinked temporary file (capped by the HTTP options'
 * max_body), then imported as one import under the file's name (the last segment of the
 * address's path). A refused file leaves the remembered ETag as it was, so the next run
 * fetches it again. Calls connect_common, httpc and ingest. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "connect_impl.h"
#include "banned.h"

/* The file's name from the address: its path's last segment, percent-decoded, made safe
 * ("tracking_data.csv"); "download" when the path ends in '/'. */
static void file_name(const char *url, struct buf *out)
{
    const char *p = strstr(url, "://");
    p = p ? p + 3 : url;
    size_t end = strcspn(p, "?#");
    const char *path = memchr(p, '/', end);
    const char *last = NULL;
    if (path)
        for (const char *q = path; q < p + end; q++)
            if (*q == '/')
                last = q + 1;
    size_t start = out->len;
    for (const char *q = last; q && q < p + end; q++) {
        char c = *q;
        if (c == '%' && q + 2 < p + end && q[1] && q[2]) {
            char hex[3] = {q[1], q[2], 0};
            char *stop;
            long v = strtol(hex, &stop, 16);
            if (!*stop && v >= 0x20 && v != 0x7f) {
                c = (char)v;
                q += 2;
            }
        }
        if (c == '/' || c == '\\' || (unsigned char)c < 0x20)
            c = '_';
        buf_putc(out, c);
    }
    if (out->len == start)
        buf_puts(out, "download");
}

int connect_url_sync(struct store *s, const struct connect_source *src,
                     const struct connect_state *state, const struct connect_opts *o,
                     struct connect_run *run, struct err *e)
{
    if (!src->url || !*src->url)
        return err_set(e, ERR_USAGE, "source \"%s\": a url source needs --url URL", src->name);
    FILE *tmp = tmpfile();
    if (!tmp)
        return err_set(e, ERR_IO, "cannot make a temporary file for the download: %s",
                       strerror(errno));
    struct buf auth = BUF_INIT, name = BUF_INIT;
    const char *headers[2] = {NULL, NULL};
    if (src->token && *src->token) {
        buf_printf(&auth, "Authorization: Bearer %s", src->token);
        headers[0] = buf_cstr(&auth);
    }
    struct httpc_request req = {
        .url = src->url,
        .if_none_match = state ? state->etag : NULL,
        .if_modified_since = state ? state->last_modified : NULL,
        .headers = headers,
        .sink = tmp,
    };
    struct httpc_response res;
    httpc_response_init(&res);
    int rc = connect_get(o, &req, &res, run, e);
    file_name(src->url, &name);
    if (rc != 0) {
        err_prefix(e, "source \"%s\"", src->name);
        goto out;
    }
    if (res.not_modified) {
        run->not_modified = 1;
        run->etag = state && state->etag ? xstrdup(state->etag) : NULL;
        run->last_modified = state && state->last_modified ? xstrdup(state->last_modified) : NULL;
        goto out;
    }
    if (res.status != 200) {
        rc = httpc_status_error(&res, src->url, e);
        err_prefix(e, "source \"%s\"", src->name);
        goto out;
    }
    struct connect_file_result *fr = connect_run_add_file(run, buf_cstr(&name));
    struct ingest_opts io = o->ingest;
    io.dataset = src->dataset;
    struct ingest_result ir;
    memset(&ir, 0, sizeof ir);
    fflush(tmp);
    rc = connect_import_fd(s, buf_cstr(&name), src->dataset, fileno(tmp), 0, &io, &ir, e);
    if (rc == 0) {
        fr->imported = 1;
        fr->rows = ir.accepted;
        run->rows = ir.accepted;
        run->etag = res.etag ? xstrdup(res.etag) : NULL;
        run->last_modified = res.last_modified ? xstrdup(res.last_modified) : NULL;
    } else {
        struct buf why = BUF_INIT;
        connect_describe_failure(e, &ir, 1, &why);
        snprintf(fr->error, sizeof fr->error, "%s", buf_cstr(&why));
        buf_release(&why);
        err_prefix(e, "source \"%s\"", src->name);
    }
    ingest_result_release(&ir);
out:
    httpc_response_release(&res);
    fclose(tmp);
    buf_release(&name);
    if (auth.data)
        memset(auth.data, 0, auth.len);
    buf_release(&auth);
    return rc;
}
