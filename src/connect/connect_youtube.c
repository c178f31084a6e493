/* connect_youtube.c — a channel's uploads through the YouTube Data API v3 (an API key):
 *
 *   GET /youtube/v3/channels?part=contentDetails&id={channel}
 *       → items[0].contentDetails.relatedPlaylists.uploads
 *   GET /youtube/v3/playlistItems?part=contentDetails&playlistId={uploads}&maxResults=50
 *       [&pageToken=T] → items[].contentDetails.videoId, nextPageToken
 *   GET /youtube/v3/videos?part=snippet,statistics&id={up to 50 ids}
 *       → items[].snippet.{publishedAt,title,description}, .statistics.{viewCount,
 *         likeCount,commentCount} (counts as strings; likeCount absent when hidden)
 *
 * Each video becomes a post: post_id = the video id, url https://www.youtube.com/watch?v=ID,
 * caption = title and description, video_views = viewCount. A video in the uploads
 * playlist that videos.list does not return (private, deleted) is left out. Errors are
 * {"error":{"code","message","errors":[{"message","domain","reason"}]}}: quotaExceeded (the
 * day's quota, reset at midnight Pacific time), keyInvalid / API_KEY_INVALID, and
 * rateLimitExceeded (retried within the sync's wait). Calls connect_common, httpc and tz. */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "connect_impl.h"
#include "banned.h"

#define BATCH 50

struct yt_ctx {
    const struct connect_source *src;
    const struct connect_opts *o;
    struct connect_run *run;
};

struct yt_error {
    long code;
    char message[400];
    char reason[64]; /* errors[0].reason */
    char detail[64]; /* details[].reason (google.rpc.ErrorInfo), e.g. API_KEY_INVALID */
    int present;
};

static void read_yt_error(const struct httpc_response *res, struct yt_error *y)
{
    memset(y, 0, sizeof *y);
    json_error_t je;
    json_t *root = json_loadb(res->body.data ? res->body.data : "", res->body.len, 0, &je);
    json_t *err = root ? json_object_get(root, "error") : NULL;
    if (json_is_object(err)) {
        y->present = 1;
        json_t *v;
        if (json_is_integer(v = json_object_get(err, "code")))
            y->code = (long)json_integer_value(v);
        if (json_is_string(v = json_object_get(err, "message")))
            snprintf(y->message, sizeof y->message, "%s", json_string_value(v));
        json_t *first = json_array_get(json_object_get(err, "errors"), 0);
        if (json_is_string(v = json_object_get(first, "reason")))
            snprintf(y->reason, sizeof y->reason, "%s", json_string_value(v));
        size_t i;
        json_t *d;
        json_array_foreach(json_object_get(err, "details"), i, d)
        {
            if (json_is_string(v = json_object_get(d, "reason"))) {
                snprintf(y->detail, sizeof y->detail, "%s", json_string_value(v));
                break;
            }
        }
    }
    json_decref(root);
    /* The message may carry HTML (<a href=...>quota</a>): keep the words. */
    char *w = y->message;
    int in_tag = 0;
    for (const char *r = y->message; *r; r++) {
        if (*r == '<')
            in_tag = 1;
        else if (*r == '>')
            in_tag = 0;
        else if (!in_tag)
            *w++ = *r;
    }
    *w = '\0';
}

static int yt_retry(void *ctx, const struct httpc_response *res, double *wait)
{
    (void)ctx;
    (void)wait;
    struct yt_error y;
    read_yt_error(res, &y);
    return !strcmp(y.reason, "rateLimitExceeded") || !strcmp(y.reason, "userRateLimitExceeded");
}

/* "13:30 on 3 Dec, Asia/Kolkata time": when the next Pacific midnight is, in the
 * installation's zone; empty when the Pacific zone cannot be read. */
static void quota_reset_words(const struct connect_opts *o, struct buf *out)
{
    struct tz *pacific = NULL;
    struct err e;
    if (tz_load("America/Los_Angeles", &pacific, &e) != 0)
        return;
    int64_t now = o->now ? o->now : (int64_t)time(NULL);
    struct tz_civil c;
    tz_to_civil(pacific, now, &c);
    c.day += 1;
    c.hour = c.minute = c.second = 0;
    int64_t midnight = tz_from_civil(pacific, &c, NULL);
    tz_free(pacific);
    static const char *const months[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                         "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
    struct tz_civil l;
    if (o->zone) {
        tz_to_civil(o->zone, midnight, &l);
    } else {
        struct tz *utc = NULL;
        if (tz_load("UTC", &utc, &e) != 0)
            return;
        tz_to_civil(utc, midnight, &l);
        tz_free(utc);
    }
    buf_printf(out, " (%02d:%02d on %d %s, %s time)", l.hour, l.minute, l.day, months[l.month - 1],
               o->zone ? tz_name(o->zone) : "UTC");
}

static int yt_fail(const struct yt_ctx *y, const struct httpc_response *res, const char *url,
                   struct err *e)
{
    struct yt_error ye;
    read_yt_error(res, &ye);
    if (!ye.present)
        return httpc_status_error(res, url, e);
    const char *name = y->src->name;
    if (!strcmp(ye.reason, "quotaExceeded") || !strcmp(ye.reason, "dailyLimitExceeded")) {
        struct buf when = BUF_INIT;
        quota_reset_words(y->o, &when);
        int rc = err_set(e, ERR_LIMIT,
                         "the YouTube API quota for this key is used up; it resets at midnight "
                         "Pacific time%s, and the next sync after that will work (a bigger quota "
                         "is asked for in the Google Cloud console)",
                         buf_cstr(&when));
        buf_release(&when);
        return rc;
    }
    if (!strcmp(ye.reason, "keyInvalid") || !strcmp(ye.detail, "API_KEY_INVALID") ||
        strstr(ye.message, "API key not valid"))
        return err_set(e, ERR_USAGE,
                       "the YouTube API key is not valid: add a new one with `infludash source "
                       "add %s --kind youtube --token-file F`",
                       name);
    if (!strcmp(ye.reason, "keyExpired") || !strcmp(ye.detail, "API_KEY_EXPIRED"))
        return err_set(e, ERR_USAGE,
                       "the YouTube API key has expired: add a new one with `infludash source "
                       "add %s --kind youtube --token-file F`",
                       name);
    if (!strcmp(ye.reason, "accessNotConfigured") || !strcmp(ye.detail, "SERVICE_DISABLED"))
        return err_set(e, ERR_USAGE,
                       "the YouTube Data API v3 is not enabled for this key's Google Cloud "
                       "project: enable it in the Google Cloud console, then sync again "
                       "(YouTube: %s)",
                       ye.message);
    if (!strcmp(ye.reason, "rateLimitExceeded") || !strcmp(ye.reason, "userRateLimitExceeded"))
        return err_set(e, ERR_LIMIT,
                       "YouTube is limiting the rate of requests for this key (%s): the next "
                       "sync will try again",
                       ye.message);
    if (!strcmp(ye.reason, "playlistNotFound") || !strcmp(ye.reason, "channelNotFound"))
        return err_set(e, ERR_NOTFOUND,
                       "YouTube channel %s has no uploads the key can read (%s): check --account",
                       y->src->account, ye.message);
    return err_set(e, ERR_IO, "YouTube answered %ld: %s (reason %s)", res->status, ye.message,
                   ye.reason[0] ? ye.reason : "none given");
}

static json_t *yt_get(struct yt_ctx *y, const char *url, const char *what,
                      struct httpc_response *res, struct err *e)
{
    struct httpc_request req = {.url = url, .retry = yt_retry, .retry_ctx = y};
    int rc = connect_get(y->o, &req, res, y->run, e);
    if (rc != 0)
        return NULL;
    if (res->status != 200) {
        yt_fail(y, res, url, e);
        return NULL;
    }
    return connect_json(res, what, url, e);
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

static void key_param(struct buf *url, const char *key)
{
    buf_puts(url, "&key=");
    httpc_query_escape(url, key);
}

/* The uploads playlist of the channel, into out. */
static int uploads_playlist(struct yt_ctx *y, const char *base, struct buf *out, struct err *e)
{
    struct buf url = BUF_INIT;
    buf_printf(&url, "%s/youtube/v3/channels?part=contentDetails&id=%s", base, y->src->account);
    key_param(&url, y->src->token);
    struct httpc_response res;
    httpc_response_init(&res);
    int rc = 0;
    json_t *root = yt_get(y, buf_cstr(&url), "the channel list of YouTube", &res, e);
    if (!root) {
        rc = e ? e->code : ERR_IO;
        goto out;
    }
    json_t *item = json_array_get(json_object_get(root, "items"), 0);
    const char *uploads = json_string_value(json_object_get(
        json_object_get(json_object_get(item, "contentDetails"), "relatedPlaylists"), "uploads"));
    if (!item)
        rc = err_set(e, ERR_NOTFOUND,
                     "YouTube has no channel with id %s: --account is the channel id (it starts "
                     "with UC; the channel's page shows it under About → Share channel)",
                     y->src->account);
    else if (!safe_id(uploads))
        rc =
            err_set(e, ERR_NOTFOUND, "YouTube channel %s has no uploads playlist", y->src->account);
    else
        buf_puts(out, uploads);
    json_decref(root);
out:
    httpc_response_release(&res);
    buf_release(&url);
    return rc;
}

struct id_list {
    char **ids;
    size_t n, cap;
};

static void ids_add(struct id_list *l, const char *id)
{
    if (l->n == l->cap) {
        l->cap = l->cap ? l->cap * 2 : 64;
        l->ids = xrealloc(l->ids, l->cap * sizeof *l->ids);
    }
    l->ids[l->n++] = xstrdup(id);
}

static void ids_free(struct id_list *l)
{
    for (size_t i = 0; i < l->n; i++)
        free(l->ids[i]);
    free(l->ids);
}

static int list_uploads(struct yt_ctx *y, const char *base, const char *playlist,
                        struct id_list *ids, struct err *e)
{
    struct buf url = BUF_INIT, token = BUF_INIT, prev = BUF_INIT;
    struct httpc_response res;
    httpc_response_init(&res);
    int rc = 0;
    int per = y->o->page_size > 0 && y->o->page_size < BATCH ? y->o->page_size : BATCH;
    for (size_t page = 0;; page++) {
        if (ids->n > y->o->max_items || page > y->o->max_items / (size_t)per + 2) {
            rc = err_set(e, ERR_LIMIT,
                         "YouTube channel %s has more than the %zu videos a sync reads: nothing "
                         "was imported",
                         y->src->account, y->o->max_items);
            break;
        }
        buf_reset(&url);
        buf_printf(&url,
                   "%s/youtube/v3/playlistItems?part=contentDetails&playlistId=%s"
                   "&maxResults=%d",
                   base, playlist, per);
        if (token.len) {
            buf_puts(&url, "&pageToken=");
            httpc_query_escape(&url, buf_cstr(&token));
        }
        key_param(&url, y->src->token);
        json_t *root = yt_get(y, buf_cstr(&url), "the uploads of a YouTube channel", &res, e);
        if (!root) {
            rc = e ? e->code : ERR_IO;
            break;
        }
        size_t i;
        json_t *item;
        json_array_foreach(json_object_get(root, "items"), i, item)
        {
            const char *vid = json_string_value(
                json_object_get(json_object_get(item, "contentDetails"), "videoId"));
            if (safe_id(vid))
                ids_add(ids, vid);
        }
        buf_reset(&prev);
        buf_puts(&prev, buf_cstr(&token));
        buf_reset(&token);
        const char *next = json_string_value(json_object_get(root, "nextPageToken"));
        if (next)
            buf_puts(&token, next);
        json_decref(root);
        if (!token.len || !strcmp(buf_cstr(&token), buf_cstr(&prev)))
            break;
    }
    httpc_response_release(&res);
    buf_release(&url);
    buf_release(&token);
    buf_release(&prev);
    return rc;
}

static int video_rows(struct yt_ctx *y, json_t *root, struct cbuf *csv, size_t *rows, struct err *e)
{
    size_t i;
    json_t *item;
    struct buf scratch = BUF_INIT, caption = BUF_INIT, link = BUF_INIT;
    int rc = 0;
    json_array_foreach(json_object_get(root, "items"), i, item)
    {
        const char *id = json_string_value(json_object_get(item, "id"));
        if (!safe_id(id))
            continue;
        json_t *snippet = json_object_get(item, "snippet");
        json_t *stats = json_object_get(item, "statistics");
        const char *published = json_string_value(json_object_get(snippet, "publishedAt"));
        const char *title = json_string_value(json_object_get(snippet, "title"));
        const char *desc = json_string_value(json_object_get(snippet, "description"));
        struct connect_post p = {
            .post_id = id,
            .influencer_id = y->src->influencer_id,
            .platform = "YouTube",
            .likes = connect_json_count(stats, "likeCount"),
            .comments = connect_json_count(stats, "commentCount"),
            .reach = -1,
            .saves = -1,
            .shares = -1,
            .video_views = connect_json_count(stats, "viewCount"),
            .impressions = -1,
        };
        if (!published || connect_parse_timestamp(published, &p.published) < 0) {
            rc = err_set(e, ERR_IO,
                         "YouTube video %s has no readable publishedAt (\"%s\"): nothing was "
                         "imported",
                         id, published ? published : "");
            break;
        }
        buf_reset(&caption);
        buf_puts(&caption, title ? title : "");
        if (desc && *desc)
            buf_printf(&caption, "\n\n%s", desc);
        p.caption = buf_cstr(&caption);
        buf_reset(&link);
        buf_printf(&link, "https://www.youtube.com/watch?v=%s", id);
        p.url = buf_cstr(&link);
        if ((rc = connect_posts_row(csv, &p, y->o->zone, e)) != 0)
            break;
        (*rows)++;
    }
    buf_release(&scratch);
    buf_release(&caption);
    buf_release(&link);
    return rc;
}

int connect_youtube_fetch(const struct connect_source *src, const struct connect_opts *o,
                          struct cbuf *csv, struct connect_run *run, struct err *e)
{
    if (!safe_id(src->account))
        return err_set(e, ERR_USAGE,
                       "source \"%s\": \"%s\" is not a YouTube channel id (--account is the "
                       "channel id, UC...)",
                       src->name, src->account ? src->account : "");
    struct yt_ctx y = {src, o, run};
    struct buf base = BUF_INIT, playlist = BUF_INIT, url = BUF_INIT;
    connect_base(src, CONNECT_YOUTUBE_HOST, &base);
    struct id_list ids = {0};
    struct httpc_response res;
    httpc_response_init(&res);
    int rc = uploads_playlist(&y, buf_cstr(&base), &playlist, e);
    if (rc == 0)
        rc = list_uploads(&y, buf_cstr(&base), buf_cstr(&playlist), &ids, e);
    if (rc == 0 && csv->b.len == 0)
        connect_posts_header(csv);
    size_t rows = 0;
    for (size_t start = 0; rc == 0 && start < ids.n; start += BATCH) {
        buf_reset(&url);
        buf_printf(&url, "%s/youtube/v3/videos?part=snippet,statistics&maxResults=%d&id=",
                   buf_cstr(&base), BATCH);
        for (size_t i = start; i < ids.n && i < start + BATCH; i++)
            buf_printf(&url, "%s%s", i > start ? "," : "", ids.ids[i]);
        key_param(&url, src->token);
        json_t *root = yt_get(&y, buf_cstr(&url), "the videos of a YouTube channel", &res, e);
        if (!root) {
            rc = e ? e->code : ERR_IO;
            break;
        }
        rc = video_rows(&y, root, csv, &rows, e);
        json_decref(root);
    }
    run->items_fetched = rows;
    if (rc)
        err_prefix(e, "source \"%s\"", src->name);
    httpc_response_release(&res);
    ids_free(&ids);
    buf_release(&base);
    buf_release(&playlist);
    buf_release(&url);
    if (rc)
        httpc_scrub_err(e, src->token);
    return rc;
}
