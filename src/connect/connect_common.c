/* connect_common.c — what the kinds' files share (connect_impl.h), below them and
 * connect.c: a run's file results, the posts text the API sources build, platform
 * timestamps, JSON reading with jansson, the request helper that counts requests and waits
 * into the run, the API host, and one import of a text or a file with the message of a
 * refused one. Calls httpc, ingest, csv, tz, buf and err. */
#include "connect_impl.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "csv.h"
#include "banned.h"

struct connect_file_result *connect_run_add_file(struct connect_run *run, const char *name)
{
    run->files = xrealloc(run->files, (run->nfiles + 1) * sizeof *run->files);
    struct connect_file_result *f = &run->files[run->nfiles++];
    memset(f, 0, sizeof *f);
    snprintf(f->name, sizeof f->name, "%s", name);
    return f;
}

/* ---- posts text ---- */

static const char *const post_columns[] = {
    "post_id",  "influencer_id", "platform", "date",   "url",         "caption",     "likes",
    "comments", "reach",         "saves",    "shares", "video_views", "impressions",
};

void connect_posts_header(struct cbuf *csv)
{
    /* Our own fixed text, on the empty buffer: it is not counted against the cap. */
    for (size_t i = 0; i < sizeof post_columns / sizeof post_columns[0]; i++) {
        if (i)
            buf_putc(&csv->b, ',');
        buf_puts(&csv->b, post_columns[i]);
    }
    buf_putc(&csv->b, '\n');
}

static void put_text(struct buf *csv, const char *s, int first)
{
    if (!first)
        buf_putc(csv, ',');
    if (s)
        csv_write_field(csv, s, strlen(s), ',');
}

static void put_count(struct buf *csv, int64_t v)
{
    buf_putc(csv, ',');
    if (v >= 0)
        buf_printf(csv, "%lld", (long long)v);
}

int connect_posts_row(struct cbuf *out, const struct connect_post *p, const struct tz *zone,
                      struct err *e)
{
    struct buf *csv = &out->b;
    size_t mark = csv->len;
    char date[40];
    int off = zone ? tz_utoff(zone, p->published) : 0;
    int64_t local = p->published + off;
    int64_t days = local / 86400 - (local % 86400 < 0);
    int64_t secs = local - days * 86400;
    int y, mo, d;
    tz_civil_from_days(days, &y, &mo, &d);
    int aoff = off < 0 ? -off : off;
    snprintf(date, sizeof date, "%04d-%02d-%02d %02d:%02d:%02d%c%02d:%02d", y, mo, d,
             (int)(secs / 3600), (int)(secs / 60 % 60), (int)(secs % 60), off < 0 ? '-' : '+',
             aoff / 3600, aoff / 60 % 60);
    put_text(csv, p->post_id, 1);
    put_text(csv, p->influencer_id, 0);
    put_text(csv, p->platform, 0);
    put_text(csv, date, 0);
    put_text(csv, p->url, 0);
    put_text(csv, p->caption, 0);
    put_count(csv, p->likes);
    put_count(csv, p->comments);
    put_count(csv, p->reach);
    put_count(csv, p->saves);
    put_count(csv, p->shares);
    put_count(csv, p->video_views);
    put_count(csv, p->impressions);
    buf_putc(csv, '\n');
    if (cbuf_fits(out, mark) < 0)
        return err_set(e, ERR_LIMIT,
                       "the posts read from the platform pass the %zu MiB a sync may hold: "
                       "nothing was imported",
                       out->max >> 20);
    return 0;
}

static int digits(const char **p, int n, int *out)
{
    int v = 0;
    for (int i = 0; i < n; i++) {
        if (!isdigit((unsigned char)(*p)[i]))
            return -1;
        v = v * 10 + ((*p)[i] - '0');
    }
    *p += n;
    *out = v;
    return 0;
}

int connect_parse_timestamp(const char *s, int64_t *out)
{
    int y, mo, d, h, mi, sec = 0;
    const char *p = s;
    if (!s || digits(&p, 4, &y) || *p++ != '-' || digits(&p, 2, &mo) || *p++ != '-' ||
        digits(&p, 2, &d) || (*p != 'T' && *p != ' '))
        return -1;
    p++;
    if (digits(&p, 2, &h) || *p++ != ':' || digits(&p, 2, &mi))
        return -1;
    if (*p == ':') {
        p++;
        if (digits(&p, 2, &sec))
            return -1;
        if (*p == '.') {
            p++;
            while (isdigit((unsigned char)*p))
                p++;
        }
    }
    int off = 0;
    if (*p == 'Z') {
        p++;
    } else if (*p == '+' || *p == '-') {
        int sign = *p == '-' ? -1 : 1, oh, om = 0;
        p++;
        if (digits(&p, 2, &oh))
            return -1;
        if (*p == ':')
            p++;
        if (*p && digits(&p, 2, &om))
            return -1;
        off = sign * (oh * 3600 + om * 60);
    } else {
        return -1;
    }
    if (*p || mo < 1 || mo > 12 || d < 1 || d > tz_days_in_month(y, mo) || h > 23 || mi > 59 ||
        sec > 60)
        return -1;
    *out = tz_days_from_civil(y, mo, d) * 86400 + h * 3600 + mi * 60 + sec - off;
    return 0;
}

/* ---- JSON ---- */

json_t *connect_json(const struct httpc_response *res, const char *what, const char *url,
                     struct err *e)
{
    json_error_t je;
    json_t *root = json_loadb(res->body.data ? res->body.data : "", res->body.len, 0, &je);
    if (!root) {
        struct buf host = BUF_INIT;
        httpc_url_host(url, &host);
        err_set(e, ERR_IO,
                "%s from %s is not valid JSON (line %d, column %d: %s): nothing was imported; "
                "try again later",
                what, buf_cstr(&host), je.line, je.column, je.text);
        buf_release(&host);
    }
    return root;
}

const char *connect_json_str(json_t *obj, const char *key, struct buf *scratch)
{
    json_t *v = obj ? json_object_get(obj, key) : NULL;
    if (json_is_string(v))
        return json_string_value(v);
    if (json_is_integer(v)) {
        buf_reset(scratch);
        buf_printf(scratch, "%lld", (long long)json_integer_value(v));
        return buf_cstr(scratch);
    }
    return NULL;
}

int64_t connect_json_count(json_t *obj, const char *key)
{
    json_t *v = obj ? json_object_get(obj, key) : NULL;
    if (json_is_integer(v))
        return json_integer_value(v) >= 0 ? (int64_t)json_integer_value(v) : -1;
    if (json_is_string(v)) {
        const char *s = json_string_value(v);
        if (!*s)
            return -1;
        char *end;
        long long n = strtoll(s, &end, 10);
        return *end || n < 0 ? -1 : n;
    }
    return -1;
}

int connect_get(const struct connect_opts *o, const struct httpc_request *req,
                struct httpc_response *res, struct connect_run *run, struct err *e)
{
    int rc = httpc_get(&o->http, req, res, e);
    run->requests += (size_t)res->attempts;
    run->waited += res->waited;
    return rc;
}

void connect_base(const struct connect_source *src, const char *host, struct buf *out)
{
    const char *b = src->base_url && *src->base_url ? src->base_url : host;
    size_t n = strlen(b);
    while (n && b[n - 1] == '/')
        n--;
    buf_append(out, b, n);
}

/* ---- importing ---- */

int connect_import_text(struct store *s, const char *name, enum dataset ds, const char *text,
                        size_t len, const struct ingest_opts *o, struct ingest_result *res,
                        struct err *e)
{
    struct ingest *in = ingest_new(s, o, e);
    if (!in)
        return e ? e->code : ERR_IO;
    int rc = ingest_file_begin(in, name, ds, len, e);
    size_t chunk = 1 << 20;
    for (size_t off = 0; rc == 0 && off < len; off += chunk)
        rc = ingest_feed(in, text + off, len - off < chunk ? len - off : chunk, e);
    if (rc == 0)
        rc = ingest_file_end(in, e);
    if (rc == 0)
        rc = ingest_finish(in, res, e);
    ingest_free(in);
    return rc;
}

int connect_import_fd(struct store *s, const char *name, enum dataset ds, int fd, int stable,
                      const struct ingest_opts *o, struct ingest_result *res, struct err *e)
{
    struct stat before, after;
    if (fstat(fd, &before) != 0 || lseek(fd, 0, SEEK_SET) < 0)
        return err_set(e, ERR_IO, "%s: %s", name, strerror(errno));
    struct ingest *in = ingest_new(s, o, e);
    if (!in)
        return e ? e->code : ERR_IO;
    int rc = ingest_file_begin(in, name, ds, (uint64_t)before.st_size, e);
    size_t cap = 1 << 20;
    char *chunk = xmalloc(cap);
    while (rc == 0) {
        ssize_t n = read(fd, chunk, cap);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0) {
            rc = err_set(e, ERR_IO, "%s: read error: %s", name, strerror(errno));
            break;
        }
        if (n == 0)
            break;
        rc = ingest_feed(in, chunk, (size_t)n, e);
    }
    free(chunk);
    if (rc == 0)
        rc = ingest_file_end(in, e);
    if (rc == 0 && stable &&
        (fstat(fd, &after) != 0 || after.st_size != before.st_size ||
         after.st_mtim.tv_sec != before.st_mtim.tv_sec ||
         after.st_mtim.tv_nsec != before.st_mtim.tv_nsec)) {
        ingest_free(in); /* rolls back */
        return 1;
    }
    if (rc == 0)
        rc = ingest_finish(in, res, e);
    ingest_free(in);
    return rc;
}

void connect_describe_failure(const struct err *e, const struct ingest_result *res, size_t max,
                              struct buf *out)
{
    buf_puts(out, e->msg);
    buf_putc(out, '\n');
    size_t shown = 0;
    for (size_t i = 0; res && i < res->nissues && shown < max; i++) {
        if (res->issues[i].warning)
            continue;
        ingest_issue_format(&res->issues[i], out);
        buf_putc(out, '\n');
        shown++;
    }
}
