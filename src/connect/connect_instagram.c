/* connect_instagram.c — an Instagram professional account's media through the Graph API
 * (Instagram API with Facebook Login, host graph.facebook.com):
 *
 *   GET /v21.0/{ig-user-id}/media?fields=id,caption,media_type,media_product_type,
 *       permalink,timestamp,like_count,comments_count&limit=50[&after=CURSOR]
 *       → {"data":[...],"paging":{"cursors":{"before","after"},"next"}}; pages are followed
 *         while "next" is present, with the cursor sent to our own base URL (a `next` link
 *         names the real host and carries the token: it is not followed as given)
 *   GET /v21.0/{ig-media-id}/insights?metric=reach,saved,shares,views
 *       → {"data":[{"name","period","values":[{"value"}],"title","description","id"}]}
 *
 * Insights a media does not have are left empty, never 0: a metric the API refuses for the
 * media's type ("(#100) ... does not support the views metric") is dropped and the rest
 * asked again; media posted before the account became a business account (subcode
 * 2108006) or with too few viewers (code 10) keep their like and comment counts only.
 * Meta's "views" replaced both plays and impressions: it becomes video_views for a video or
 * reel and impressions for a photo or album.
 *
 * Errors (the Graph API's {"error":{"message","type","code","error_subcode","fbtrace_id"}}):
 * code 190 is the token (463: expired, with the date Meta gives), 4/17/32/613/80002 are
 * rate limits (retried within the sync's wait, with Meta's estimated_time_to_regain_access
 * from X-Business-Use-Case-Usage), 1/2 are transient (retried), 10 and 200-299 are missing
 * permissions. Calls connect_common, httpc and tz. */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "connect_impl.h"
#include "banned.h"

#define MEDIA_FIELDS                                                                               \
    "id,caption,media_type,media_product_type,permalink,timestamp,like_count,comments_count"

struct ig_media {
    char *id, *caption, *media_type, *product_type, *permalink;
    int64_t published;
    int64_t likes, comments;
    int64_t reach, saved, shares, views;
};

struct graph_ctx {
    const struct connect_source *src;
    const struct connect_opts *o;
    struct connect_run *run;
    int throttled; /* the last retry was for a rate limit */
    long throttle_code;
    double asked_wait; /* seconds Meta asked for (estimated_time_to_regain_access) */
};

struct graph_error {
    long code, subcode;
    char message[400];
    char user_title[160];
    char fbtrace[64];
    int present;
};

static void read_graph_error(const struct httpc_response *res, struct graph_error *g)
{
    memset(g, 0, sizeof *g);
    json_error_t je;
    json_t *root = json_loadb(res->body.data ? res->body.data : "", res->body.len, 0, &je);
    json_t *err = root ? json_object_get(root, "error") : NULL;
    if (json_is_object(err)) {
        g->present = 1;
        json_t *v;
        if (json_is_integer(v = json_object_get(err, "code")))
            g->code = (long)json_integer_value(v);
        if (json_is_integer(v = json_object_get(err, "error_subcode")))
            g->subcode = (long)json_integer_value(v);
        if (json_is_string(v = json_object_get(err, "message")))
            snprintf(g->message, sizeof g->message, "%s", json_string_value(v));
        if (json_is_string(v = json_object_get(err, "error_user_title")))
            snprintf(g->user_title, sizeof g->user_title, "%s", json_string_value(v));
        if (json_is_string(v = json_object_get(err, "fbtrace_id")))
            snprintf(g->fbtrace, sizeof g->fbtrace, "%s", json_string_value(v));
    }
    json_decref(root);
}

static int is_rate_limit(long code)
{
    return code == 4 || code == 17 || code == 32 || code == 613 || code == 80002;
}

/* Meta's estimate of when calls work again: the largest estimated_time_to_regain_access
 * (minutes) in X-Business-Use-Case-Usage, in seconds; -1 when it gives none. */
static double regain_seconds(const char *usage)
{
    if (!usage)
        return -1;
    json_error_t je;
    json_t *root = json_loads(usage, 0, &je);
    double best = -1;
    const char *k;
    json_t *list;
    json_object_foreach(root, k, list)
    {
        size_t i;
        json_t *entry;
        json_array_foreach(list, i, entry)
        {
            json_t *v = json_object_get(entry, "estimated_time_to_regain_access");
            if (json_is_integer(v) && (double)json_integer_value(v) * 60 > best)
                best = (double)json_integer_value(v) * 60;
        }
    }
    (void)k;
    json_decref(root);
    return best;
}

static int graph_retry(void *ctx, const struct httpc_response *res, double *wait)
{
    struct graph_ctx *g = ctx;
    struct graph_error ge;
    read_graph_error(res, &ge);
    if (!ge.present)
        return 0;
    if (is_rate_limit(ge.code)) {
        g->throttled = 1;
        g->throttle_code = ge.code;
        double w = regain_seconds(res->buc_usage);
        g->asked_wait = w;
        if (w > 0)
            *wait = w;
        return 1;
    }
    /* "An unknown error occurred" / "Service temporarily unavailable": worth another try. */
    return ge.code == 1 || ge.code == 2;
}

static const char *const month_names[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                          "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};

static int month_of(const char *s)
{
    for (int i = 0; i < 12; i++)
        if (strncasecmp(s, month_names[i], 3) == 0)
            return i + 1;
    return 0;
}

/* The date an expired-token message names, as YYYY-MM-DD: "Session has expired on
 * Monday, 30-Nov-26 04:00:00 PST", "... expired on Feb 7, 2014 9:54am", "... expired at
 * unix time 1346940961". 0 when found. */
static int expiry_date(const char *msg, const struct tz *zone, char out[32])
{
    const char *p = strstr(msg, "expired at unix time ");
    if (p) {
        char *end;
        long long t = strtoll(p + 21, &end, 10);
        if (end == p + 21)
            return -1;
        int off = zone ? tz_utoff(zone, t) : 0;
        int64_t local = t + off;
        int y, m, d;
        tz_civil_from_days(local / 86400 - (local % 86400 < 0), &y, &m, &d);
        snprintf(out, 32, "%04d-%02d-%02d", y, m, d);
        return 0;
    }
    p = strstr(msg, "expired on ");
    if (!p)
        return -1;
    p += 11;
    /* An optional weekday: "Monday, " */
    const char *comma = strchr(p, ',');
    if (comma && comma - p <= 9) {
        int alpha = 1;
        for (const char *q = p; q < comma; q++)
            if (!isalpha((unsigned char)*q))
                alpha = 0;
        if (alpha)
            p = comma + 1;
    }
    while (*p == ' ')
        p++;
    int y = 0, m = 0, d = 0;
    if (isdigit((unsigned char)p[0])) {
        /* 30-Nov-26 or 30-Nov-2026 */
        char *end;
        d = (int)strtol(p, &end, 10);
        if (*end != '-' || !(m = month_of(end + 1)) || end[4] != '-')
            return -1;
        const char *ys = end + 5;
        y = (int)strtol(ys, &end, 10);
        if (end - ys == 2)
            y += 2000;
        else if (end - ys != 4)
            return -1;
    } else if ((m = month_of(p)) != 0) {
        /* Feb 7, 2014 */
        char *end;
        const char *ds = p + 3;
        while (*ds && !isdigit((unsigned char)*ds))
            ds++;
        d = (int)strtol(ds, &end, 10);
        if (*end != ',')
            return -1;
        y = (int)strtol(end + 1, &end, 10);
    } else {
        return -1;
    }
    if (y < 2000 || y > 9999 || m < 1 || d < 1 || d > tz_days_in_month(y, m))
        return -1;
    snprintf(out, 32, "%04d-%02d-%02d", y, m, d);
    return 0;
}

static int token_error(const struct graph_ctx *g, const struct graph_error *ge, struct err *e)
{
    const char *name = g->src->name;
    char date[32];
    if (ge->subcode == 463 && expiry_date(ge->message, g->o->zone, date) == 0)
        return err_set(e, ERR_USAGE,
                       "the Instagram token expired on %s: add a new one with `infludash source "
                       "add %s --kind instagram --token-file F`",
                       date, name);
    if (ge->subcode == 463)
        return err_set(e, ERR_USAGE,
                       "the Instagram token has expired: add a new one with `infludash source "
                       "add %s --kind instagram --token-file F`",
                       name);
    return err_set(e, ERR_USAGE,
                   "the Instagram token was refused (%s%s%s): add a new one with `infludash "
                   "source add %s --kind instagram --token-file F`",
                   ge->message, ge->subcode == 460 ? "; the password of the account changed" : "",
                   ge->subcode == 458 ? "; the app was removed from the account" : "", name);
}

/* An answer that is not 200 as a message a person can act on. */
static int graph_fail(const struct graph_ctx *g, const struct httpc_response *res, const char *url,
                      struct err *e)
{
    struct graph_error ge;
    read_graph_error(res, &ge);
    if (!ge.present)
        return httpc_status_error(res, url, e);
    if (ge.code == 190 || ge.code == 102)
        return token_error(g, &ge, e);
    if (is_rate_limit(ge.code))
        return err_set(e, ERR_LIMIT,
                       "Instagram's rate limit was reached (%s, code %ld) and did not lift within "
                       "the %.0f s a sync waits: the next sync will try again",
                       ge.message, ge.code, g->o->http.max_total_wait);
    if (ge.code == 10 || (ge.code >= 200 && ge.code <= 299))
        return err_set(e, ERR_USAGE,
                       "the Instagram token lacks a permission (%s): it needs instagram_basic, "
                       "instagram_manage_insights and pages_read_engagement; add a token that "
                       "has them with `infludash source add %s --kind instagram --token-file F`",
                       ge.message, g->src->name);
    if (ge.code == 100 && ge.subcode == 33)
        return err_set(e, ERR_NOTFOUND,
                       "Instagram has no account %s that this token can read (%s): --account is "
                       "the professional account's IG user id",
                       g->src->account, ge.message);
    char sub[32] = "";
    if (ge.subcode)
        snprintf(sub, sizeof sub, ", subcode %ld", ge.subcode);
    return err_set(e, ERR_IO, "Instagram answered %ld: %s (code %ld%s%s%s)", res->status,
                   ge.message, ge.code, sub, ge.fbtrace[0] ? ", fbtrace_id " : "", ge.fbtrace);
}

/* Meta asked for a longer wait than the sync has left. */
static int throttle_error(const struct graph_ctx *g, struct err *e)
{
    double minutes = g->asked_wait / 60;
    return err_set(e, ERR_LIMIT,
                   "Instagram's rate limit was reached (code %ld) and Meta asks to wait about "
                   "%.0f minute%s, longer than the %.0f s a sync waits: the next sync will try "
                   "again",
                   g->throttle_code, minutes, minutes >= 1.5 ? "s" : "", g->o->http.max_total_wait);
}

/* GETs a Graph API URL: 0 with a 200 answer in res, else e filled. */
static int graph_get(struct graph_ctx *g, const char *url, struct httpc_response *res,
                     struct err *e)
{
    g->throttled = 0;
    g->asked_wait = -1;
    struct httpc_request req = {.url = url, .retry = graph_retry, .retry_ctx = g};
    int rc = connect_get(g->o, &req, res, g->run, e);
    if (rc == ERR_LIMIT && g->throttled && g->asked_wait > 0)
        return throttle_error(g, e);
    if (rc != 0)
        return rc;
    if (res->status != 200)
        return graph_fail(g, res, url, e);
    return 0;
}

static int safe_id(const char *s)
{
    if (!s || !*s || strlen(s) > 64)
        return 0;
    for (; *s; s++)
        if (!isalnum((unsigned char)*s) && *s != '_' && *s != '-')
            return 0;
    return 1;
}

static void media_free(struct ig_media *m, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        free(m[i].id);
        free(m[i].caption);
        free(m[i].media_type);
        free(m[i].product_type);
        free(m[i].permalink);
    }
    free(m);
}

static char *dup_or_null(const char *s)
{
    return s ? xstrdup(s) : NULL;
}

/* Reads one page's media into *list; the cursor of the next page into next (empty when
 * this was the last). */
static int read_page(json_t *root, struct ig_media **list, size_t *n, size_t *cap, struct buf *next,
                     struct err *e)
{
    json_t *data = json_object_get(root, "data");
    if (!json_is_array(data))
        return err_set(e, ERR_IO,
                       "Instagram's answer for the account's media has no \"data\" "
                       "list: nothing was imported");
    size_t i;
    json_t *item;
    struct buf scratch = BUF_INIT;
    json_array_foreach(data, i, item)
    {
        const char *id = connect_json_str(item, "id", &scratch);
        if (!safe_id(id))
            continue;
        if (*n == *cap) {
            *cap = *cap ? *cap * 2 : 64;
            *list = xrealloc(*list, *cap * sizeof **list);
        }
        struct ig_media *m = &(*list)[(*n)++];
        memset(m, 0, sizeof *m);
        m->id = xstrdup(id);
        m->caption = dup_or_null(connect_json_str(item, "caption", &scratch));
        m->media_type = dup_or_null(connect_json_str(item, "media_type", &scratch));
        m->product_type = dup_or_null(connect_json_str(item, "media_product_type", &scratch));
        m->permalink = dup_or_null(connect_json_str(item, "permalink", &scratch));
        const char *ts = connect_json_str(item, "timestamp", &scratch);
        if (!ts || connect_parse_timestamp(ts, &m->published) < 0) {
            buf_release(&scratch);
            return err_set(e, ERR_IO,
                           "Instagram media %s has no readable timestamp (\"%s\"): "
                           "nothing was imported",
                           m->id, ts ? ts : "");
        }
        m->likes = connect_json_count(item, "like_count");
        m->comments = connect_json_count(item, "comments_count");
        m->reach = m->saved = m->shares = m->views = -1;
    }
    buf_release(&scratch);
    buf_reset(next);
    json_t *paging = json_object_get(root, "paging");
    json_t *cursors = json_object_get(paging, "cursors");
    const char *after = json_string_value(json_object_get(cursors, "after"));
    if (json_object_get(paging, "next") && after && *after && json_array_size(data) > 0)
        buf_puts(next, after);
    return 0;
}

/* The metric a "(#100) ... not supported" answer names, among those asked. */
static int refused_metric(const char *message, char metrics[][16], size_t n)
{
    for (size_t i = 0; i < n; i++) {
        char a[48], b[48];
        snprintf(a, sizeof a, "the %s metric", metrics[i]);
        snprintf(b, sizeof b, "metric %s is not", metrics[i]);
        if (strstr(message, a) || strstr(message, b))
            return (int)i;
    }
    return -1;
}

static int fetch_insights(struct graph_ctx *g, const char *base, struct ig_media *m, struct err *e)
{
    char metrics[4][16] = {"reach", "saved", "shares", "views"};
    size_t n = 4;
    int rc = 0;
    struct httpc_response res;
    httpc_response_init(&res);
    for (int tries = 0; n > 0 && tries < 5; tries++) {
        struct buf url = BUF_INIT;
        buf_printf(&url, "%s/%s/%s/insights?metric=", base, CONNECT_GRAPH_VERSION, m->id);
        for (size_t i = 0; i < n; i++)
            buf_printf(&url, "%s%s", i ? "," : "", metrics[i]);
        buf_puts(&url, "&access_token=");
        httpc_query_escape(&url, g->src->token);
        g->throttled = 0;
        g->asked_wait = -1;
        struct httpc_request req = {.url = buf_cstr(&url), .retry = graph_retry, .retry_ctx = g};
        rc = connect_get(g->o, &req, &res, g->run, e);
        if (rc == 0 && res.status != 200) {
            struct graph_error ge;
            read_graph_error(&res, &ge);
            int drop = ge.code == 100 ? refused_metric(ge.message, metrics, n) : -1;
            if (drop >= 0) {
                memmove(metrics[drop], metrics[drop + 1],
                        (n - (size_t)drop - 1) * sizeof metrics[0]);
                n--;
                buf_release(&url);
                continue;
            }
            if ((ge.code == 100 && ge.subcode == 2108006) || ge.code == 10) {
                buf_release(&url);
                break; /* no insights for this media: its counts stay empty */
            }
            rc = graph_fail(g, &res, buf_cstr(&url), e);
            err_prefix(e, "insights of Instagram media %s", m->id);
        } else if (rc == ERR_LIMIT && g->throttled && g->asked_wait > 0) {
            rc = throttle_error(g, e);
        }
        if (rc == 0) {
            json_t *root =
                connect_json(&res, "the insights of an Instagram media", buf_cstr(&url), e);
            if (!root) {
                rc = ERR_IO;
            } else {
                size_t i;
                json_t *d;
                json_array_foreach(json_object_get(root, "data"), i, d)
                {
                    const char *name = json_string_value(json_object_get(d, "name"));
                    json_t *vals = json_object_get(d, "values");
                    json_t *first = json_array_get(vals, 0);
                    int64_t v = connect_json_count(first, "value");
                    if (v < 0) /* the newer total_value form */
                        v = connect_json_count(json_object_get(d, "total_value"), "value");
                    if (!name || v < 0)
                        continue;
                    if (!strcmp(name, "reach"))
                        m->reach = v;
                    else if (!strcmp(name, "saved"))
                        m->saved = v;
                    else if (!strcmp(name, "shares"))
                        m->shares = v;
                    else if (!strcmp(name, "views"))
                        m->views = v;
                }
                json_decref(root);
            }
        }
        buf_release(&url);
        break;
    }
    httpc_response_release(&res);
    return rc;
}

static int is_video(const struct ig_media *m)
{
    return (m->media_type && !strcmp(m->media_type, "VIDEO")) ||
           (m->product_type && !strcmp(m->product_type, "REELS"));
}

int connect_instagram_fetch(const struct connect_source *src, const struct connect_opts *o,
                            struct cbuf *csv, struct connect_run *run, struct err *e)
{
    if (!safe_id(src->account))
        return err_set(e, ERR_USAGE,
                       "source \"%s\": \"%s\" is not an Instagram account id (--account is the "
                       "professional account's IG user id, digits)",
                       src->name, src->account ? src->account : "");
    struct graph_ctx g = {src, o, run, 0, 0, -1};
    struct buf base = BUF_INIT, url = BUF_INIT, cursor = BUF_INIT, prev_cursor = BUF_INIT;
    connect_base(src, CONNECT_GRAPH_HOST, &base);
    struct ig_media *media = NULL;
    size_t n = 0, cap = 0;
    int rc = 0;
    struct httpc_response res;
    httpc_response_init(&res);
    int limit = o->page_size > 0 ? o->page_size : 50;
    size_t max_pages = o->max_items / (size_t)limit + 2;
    for (size_t page = 0;; page++) {
        if (page >= max_pages || n > o->max_items) {
            rc = err_set(e, ERR_LIMIT,
                         "Instagram account %s has more than the %zu media a sync reads: nothing "
                         "was imported",
                         src->account, o->max_items);
            goto out;
        }
        buf_reset(&url);
        buf_printf(&url,
                   "%s/%s/%s/media?fields=" MEDIA_FIELDS "&limit=%d&access_token=", buf_cstr(&base),
                   CONNECT_GRAPH_VERSION, src->account, limit);
        httpc_query_escape(&url, src->token);
        if (cursor.len) {
            buf_puts(&url, "&after=");
            httpc_query_escape(&url, buf_cstr(&cursor));
        }
        if ((rc = graph_get(&g, buf_cstr(&url), &res, e)) != 0) {
            err_prefix(e, "source \"%s\"", src->name);
            goto out;
        }
        json_t *root = connect_json(&res, "the media of an Instagram account", buf_cstr(&url), e);
        if (!root) {
            rc = ERR_IO;
            goto out;
        }
        buf_reset(&prev_cursor);
        buf_puts(&prev_cursor, buf_cstr(&cursor));
        rc = read_page(root, &media, &n, &cap, &cursor, e);
        json_decref(root);
        if (rc != 0)
            goto out;
        if (!cursor.len || !strcmp(buf_cstr(&cursor), buf_cstr(&prev_cursor)))
            break;
    }
    for (size_t i = 0; i < n; i++) {
        if ((rc = fetch_insights(&g, buf_cstr(&base), &media[i], e)) != 0) {
            err_prefix(e, "source \"%s\"", src->name);
            goto out;
        }
    }
    if (csv->b.len == 0)
        connect_posts_header(csv);
    for (size_t i = 0; i < n && rc == 0; i++) {
        const struct ig_media *m = &media[i];
        struct connect_post p = {
            .post_id = m->id,
            .influencer_id = src->influencer_id,
            .platform = "Instagram",
            .published = m->published,
            .url = m->permalink,
            .caption = m->caption,
            .likes = m->likes,
            .comments = m->comments,
            .reach = m->reach,
            .saves = m->saved,
            .shares = m->shares,
            .video_views = is_video(m) ? m->views : -1,
            .impressions = is_video(m) ? -1 : m->views,
        };
        rc = connect_posts_row(csv, &p, o->zone, e);
    }
    run->items_fetched = n;
out:
    httpc_response_release(&res);
    media_free(media, n);
    buf_release(&base);
    buf_release(&url);
    buf_release(&cursor);
    buf_release(&prev_cursor);
    if (rc)
        httpc_scrub_err(e, src->token);
    return rc;
}
