/* test_connect.c — unit tests for sources (src/connect*.c) against the local platforms
 * server (tests/servers/platforms.py) and a real SQLite store: Instagram media over three
 * pages with their insights merged, YouTube uploads in batches of 50, both imported as one
 * import that a second sync updates without duplicating; the platforms' errors (expired
 * token, bad key, quota, rate limits, malformed JSON, a 50 MB answer) as messages a person
 * can act on, with nothing imported and no token in them; url sources with ETag ("not
 * modified"); folder sources moving files to done/ and failed/. Waits are recorded, never
 * slept. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "buf.h"
#include "connect.h"
#include "err.h"
#include "schema.h"
#include "store.h"
#include "testserver.h"
#include "testutil.h"
#include "tz.h"
#include "banned.h"

static struct testserver srv;
static char files_dir[PATH_MAX];
static struct tz *kolkata;

#define IG_USER "17841400000000001"
#define YT_CHANNEL "UCtest000000000000000001"

struct sleeps {
    double waits[16];
    int n;
};

static void record_sleep(void *ctx, double seconds)
{
    struct sleeps *s = ctx;
    if (s->n < 16)
        s->waits[s->n] = seconds;
    s->n++;
}

struct fx {
    char dir[PATH_MAX];
    char url[PATH_MAX + 32];
    struct store *store;
    struct connect_opts o;
    struct sleeps sleeps;
    char base[160];
};

static int group_setup(void **state)
{
    (void)state;
    if (!testutil_make_dir(files_dir, sizeof files_dir, "connect-files"))
        return -1;
    testserver_start(&srv, "platforms.py", "--files", files_dir, NULL);
    struct err e;
    if (tz_load("Asia/Kolkata", &kolkata, &e) != 0)
        return -1;
    return 0;
}

static int group_teardown(void **state)
{
    (void)state;
    testserver_stop(&srv);
    testutil_remove_dir(files_dir);
    tz_free(kolkata);
    return 0;
}

static int fx_setup(void **state)
{
    struct fx *f = calloc(1, sizeof *f);
    assert_non_null(testutil_make_dir(f->dir, sizeof f->dir, "connect"));
    snprintf(f->url, sizeof f->url, "sqlite:%s/infludash.db", f->dir);
    struct err e;
    err_clear(&e);
    if (store_open(f->url, &f->store, &e) != 0)
        fail_msg("store_open: %s", e.msg);
    connect_opts_default(&f->o);
    f->o.http.sleep = record_sleep;
    f->o.http.sleep_ctx = &f->sleeps;
    f->o.zone = kolkata;
    snprintf(f->base, sizeof f->base, "%s", srv.base);
    *state = f;
    return 0;
}

/* Removes a directory tree two levels deep (the folder tests' done/ and failed/). */
static void remove_tree(const char *dir)
{
    const char *subs[] = {"done", "failed"};
    for (int i = 0; i < 2; i++) {
        char p[PATH_MAX + 16];
        snprintf(p, sizeof p, "%s/%s", dir, subs[i]);
        testutil_remove_dir(p);
    }
    testutil_remove_dir(dir);
}

static int fx_teardown(void **state)
{
    struct fx *f = *state;
    store_close(f->store);
    remove_tree(f->dir);
    free(f);
    return 0;
}

static struct connect_source instagram(const struct fx *f, const char *token)
{
    struct connect_source s = {
        .name = "ig-main",
        .kind = CONNECT_INSTAGRAM,
        .dataset = DS_POSTS,
        .influencer_id = "INF7",
        .account = IG_USER,
        .base_url = f->base,
        .token = token,
    };
    return s;
}

static struct connect_source youtube(const struct fx *f, const char *key)
{
    struct connect_source s = {
        .name = "yt-main",
        .kind = CONNECT_YOUTUBE,
        .dataset = DS_POSTS,
        .influencer_id = "INF9",
        .account = YT_CHANNEL,
        .base_url = f->base,
        .token = key,
    };
    return s;
}

/* The stored posts, one line each, sorted by post_id:
 * "id|influencer|platform|day|likes|comments|reach|saves|shares|video_views|impressions". */
struct table {
    struct buf text;
    char **lines;
    size_t n;
};

static void put_col(struct buf *b, const struct schema_row *row, const char *col)
{
    int i = schema_col_index(DS_POSTS, col);
    const struct schema_value *v = &row->v[i];
    if (!v->present)
        buf_puts(b, "-");
    else if (schema_kind_is_int(schema_dataset(DS_POSTS)->cols[i].kind))
        buf_printf(b, "%lld", (long long)v->i);
    else if (!strcmp(col, "date"))
        buf_printf(b, "%.10s", v->s);
    else
        buf_puts(b, v->s);
}

static int on_row(void *ctx, const struct schema_row *row)
{
    struct table *t = ctx;
    struct buf line = BUF_INIT;
    const char *cols[] = {"post_id", "influencer_id", "platform",   "date",
                          "likes",   "comments",      "reach",      "saves",
                          "shares",  "video_views",   "impressions"};
    for (size_t i = 0; i < sizeof cols / sizeof cols[0]; i++) {
        if (i)
            buf_putc(&line, '|');
        put_col(&line, row, cols[i]);
    }
    t->lines = xrealloc(t->lines, (t->n + 1) * sizeof *t->lines);
    t->lines[t->n++] = buf_detach(&line);
    return 0;
}

static int cmp_lines(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static void posts_table(struct store *s, struct buf *out)
{
    struct table t = {BUF_INIT, NULL, 0};
    struct err e;
    err_clear(&e);
    if (store_scan(s, DS_POSTS, on_row, &t, &e) != 0)
        fail_msg("store_scan: %s", e.msg);
    qsort(t.lines, t.n, sizeof *t.lines, cmp_lines);
    for (size_t i = 0; i < t.n; i++) {
        buf_puts(out, t.lines[i]);
        buf_putc(out, '\n');
        free(t.lines[i]);
    }
    free(t.lines);
}

static int64_t count(struct store *s, enum dataset ds)
{
    int64_t n = -1;
    struct err e;
    err_clear(&e);
    if (store_count(s, ds, &n, &e) != 0)
        fail_msg("store_count: %s", e.msg);
    return n;
}

/* The requests the server saw under a scenario prefix, as its JSON text. */
static void server_log(const char *prefix, struct buf *out)
{
    struct buf u = BUF_INIT;
    buf_printf(&u, "%s/_log?prefix=%s", srv.base, prefix);
    struct httpc_request req = {.url = buf_cstr(&u)};
    struct httpc_response res;
    httpc_response_init(&res);
    struct err e;
    assert_int_equal(httpc_get(NULL, &req, &res, &e), 0);
    buf_puts(out, buf_cstr(&res.body));
    httpc_response_release(&res);
    buf_release(&u);
}

static size_t occurrences(const char *hay, const char *needle)
{
    size_t n = 0;
    for (const char *p = hay; (p = strstr(p, needle)) != NULL; p++)
        n++;
    return n;
}

static const char ig_expected[] =
    "18000000000000001|INF7|Instagram|2026-11-21|101|12|7003|35|21|-|14007\n"
    "18000000000000002|INF7|Instagram|2026-11-23|201|22|6003|30|18|-|12007\n"
    "18000000000000003|INF7|Instagram|2026-11-23|301|32|5003|25|15|-|-\n"
    "18000000000000004|INF7|Instagram|2026-11-24|401|42|4003|20|12|-|8007\n"
    "18000000000000005|INF7|Instagram|2026-11-25|501|52|3003|15|9|-|6007\n"
    "18000000000000006|INF7|Instagram|2026-11-26|601|62|-|-|-|-|-\n"
    "18000000000000007|INF7|Instagram|2026-11-27|701|72|1003|5|3|-|2007\n";

static void test_connect_instagram_pages_insights_and_one_import(void **state)
{
    struct fx *f = *state;
    snprintf(f->base, sizeof f->base, "%s/s/pages-a", srv.base);
    f->o.page_size = 3;
    struct connect_source src = instagram(f, "test-token");
    struct connect_run run;
    struct err e;
    err_clear(&e);
    if (connect_sync(f->store, &src, NULL, &f->o, &run, &e) != 0)
        fail_msg("sync: %s", e.msg);
    assert_int_equal(run.ok, 1);
    assert_int_equal(run.rows, 7);
    assert_int_equal(run.items_fetched, 7);
    struct buf table = BUF_INIT;
    posts_table(f->store, &table);
    /* Media 3 is a reel whose views the API refuses: asked again without them. Media 6 was
     * posted before the business conversion: no insights at all, counts stay empty. Media 2
     * was posted at 20:30 UTC on 22 Nov: 23 Nov in India. */
    assert_string_equal(buf_cstr(&table), ig_expected);
    struct buf log = BUF_INIT;
    server_log("/s/pages-a", &log);
    /* Three pages of 3, 3 and 1, the later ones by cursor; 7 insights requests, one more
     * for the reel. */
    assert_int_equal(occurrences(buf_cstr(&log), "\"path\": \"/v21.0/" IG_USER "/media\""), 3);
    assert_int_equal(occurrences(buf_cstr(&log), "\"after\": "), 2);
    assert_int_equal(occurrences(buf_cstr(&log), "\"limit\": \"3\""), 3);
    assert_int_equal(occurrences(buf_cstr(&log), "/insights\""), 8);
    assert_int_equal(occurrences(buf_cstr(&log), "\"metric\": \"reach,saved,shares,views\""), 7);
    assert_int_equal(occurrences(buf_cstr(&log), "\"metric\": \"reach,saved,shares\""), 1);
    assert_int_equal(run.requests, 11);
    connect_run_release(&run);

    /* A second sync updates the same posts: still 7, no duplicates. */
    if (connect_sync(f->store, &src, NULL, &f->o, &run, &e) != 0)
        fail_msg("second sync: %s", e.msg);
    assert_int_equal(count(f->store, DS_POSTS), 7);
    buf_reset(&table);
    posts_table(f->store, &table);
    assert_string_equal(buf_cstr(&table), ig_expected);
    /* Both syncs are in the import history under the source's name. */
    struct store_import_log logs[4];
    size_t nlogs = 0;
    assert_int_equal(store_recent_imports(f->store, logs, 4, &nlogs, &e), 0);
    assert_int_equal(nlogs, 2);
    assert_string_equal(logs[0].file, "ig-main (instagram sync)");
    assert_string_equal(logs[0].dataset, "posts");
    assert_int_equal(logs[0].accepted, 7);
    connect_run_release(&run);
    buf_release(&table);
    buf_release(&log);
}

static void test_connect_instagram_fetch_gives_posts_csv(void **state)
{
    struct fx *f = *state;
    struct connect_source src = instagram(f, "test-token");
    struct connect_run run;
    connect_run_init(&run);
    struct cbuf csv = CBUF_INIT(f->o.max_text_bytes);
    struct err e;
    err_clear(&e);
    if (connect_instagram_fetch(&src, &f->o, &csv, &run, &e) != 0)
        fail_msg("fetch: %s", e.msg);
    const char *text = cbuf_cstr(&csv);
    assert_true(strncmp(text,
                        "post_id,influencer_id,platform,date,url,caption,likes,comments,"
                        "reach,saves,shares,video_views,impressions\n",
                        106) == 0);
    /* Captions keep their commas, quotes, line breaks and rupee signs, quoted as CSV. */
    assert_non_null(strstr(text, "18000000000000007,INF7,Instagram,2026-11-27 14:00:00+05:30,"
                                 "https://www.instagram.com/p/TEST7/,\"Post 7: MuscleBlaze whey, "
                                 "\"\"gold\"\" edition #ad\nsecond line \xe2\x82\xb9"
                                 "999\","
                                 "701,72,1003,5,3,,2007\n"));
    assert_int_equal(run.items_fetched, 7);
    connect_run_release(&run);
    cbuf_release(&csv);
}

static void test_connect_youtube_uploads_in_batches_of_50(void **state)
{
    struct fx *f = *state;
    snprintf(f->base, sizeof f->base, "%s/s/yt-a", srv.base);
    struct connect_source src = youtube(f, "test-key");
    struct connect_run run;
    struct err e;
    err_clear(&e);
    if (connect_sync(f->store, &src, NULL, &f->o, &run, &e) != 0)
        fail_msg("sync: %s", e.msg);
    /* 120 uploads, one deleted (not returned by videos.list). */
    assert_int_equal(run.rows, 119);
    assert_int_equal(count(f->store, DS_POSTS), 119);
    struct buf table = BUF_INIT;
    posts_table(f->store, &table);
    assert_non_null(
        strstr(buf_cstr(&table), "yt000000001|INF9|YouTube|2026-02-02|501|41|-|-|-|10037|-\n"));
    /* Likes hidden: an empty cell, not 0. */
    assert_non_null(
        strstr(buf_cstr(&table), "yt000000007|INF9|YouTube|2026-08-08|-|47|-|-|-|10259|-\n"));
    assert_null(strstr(buf_cstr(&table), "yt000000013|"));
    struct buf log = BUF_INIT;
    server_log("/s/yt-a", &log);
    const char *l = buf_cstr(&log);
    assert_int_equal(occurrences(l, "\"path\": \"/youtube/v3/channels\""), 1);
    assert_int_equal(occurrences(l, "\"path\": \"/youtube/v3/playlistItems\""), 3);
    assert_int_equal(occurrences(l, "\"maxResults\": \"50\""), 6);
    assert_int_equal(occurrences(l, "\"pageToken\": "), 2);
    assert_int_equal(occurrences(l, "\"path\": \"/youtube/v3/videos\""), 3);
    assert_int_equal(occurrences(l, "\"part\": \"snippet,statistics\""), 3);
    connect_run_release(&run);
    /* Idempotent: the same 119 after another sync. */
    if (connect_sync(f->store, &src, NULL, &f->o, &run, &e) != 0)
        fail_msg("second sync: %s", e.msg);
    assert_int_equal(count(f->store, DS_POSTS), 119);
    connect_run_release(&run);
    buf_release(&table);
    buf_release(&log);
}

static void test_connect_rate_limit_429_waits_retry_after(void **state)
{
    struct fx *f = *state;
    snprintf(f->base, sizeof f->base, "%s/s/ratelimit-c", srv.base);
    struct connect_source src = instagram(f, "test-token");
    struct connect_run run;
    struct err e;
    err_clear(&e);
    if (connect_sync(f->store, &src, NULL, &f->o, &run, &e) != 0)
        fail_msg("sync: %s", e.msg);
    assert_int_equal(f->sleeps.n, 1);
    assert_true(f->sleeps.waits[0] == 7.0);
    assert_true(run.waited == 7.0);
    assert_int_equal(count(f->store, DS_POSTS), 7);
    connect_run_release(&run);
}

static void test_connect_instagram_throttle_waits_what_meta_estimates(void **state)
{
    struct fx *f = *state;
    snprintf(f->base, sizeof f->base, "%s/s/ig-throttled-c", srv.base);
    struct connect_source src = instagram(f, "test-token");
    struct connect_run run;
    struct err e;
    err_clear(&e);
    if (connect_sync(f->store, &src, NULL, &f->o, &run, &e) != 0)
        fail_msg("sync: %s", e.msg);
    /* Code 4 twice, each with estimated_time_to_regain_access 1 (minute). */
    assert_int_equal(f->sleeps.n, 2);
    assert_true(f->sleeps.waits[0] == 60.0 && f->sleeps.waits[1] == 60.0);
    assert_int_equal(count(f->store, DS_POSTS), 7);
    connect_run_release(&run);

    snprintf(f->base, sizeof f->base, "%s/s/ig-throttled-long-c", srv.base);
    src = instagram(f, "test-token");
    f->sleeps.n = 0;
    assert_int_equal(connect_sync(f->store, &src, NULL, &f->o, &run, &e), ERR_LIMIT);
    assert_non_null(strstr(e.msg, "Instagram's rate limit was reached (code 17) and Meta asks "
                                  "to wait about 60 minutes"));
    assert_non_null(strstr(e.msg, "the next sync will try again"));
    assert_int_equal(f->sleeps.n, 0);
    assert_int_equal(run.ok, 0);
    assert_string_equal(run.error.msg, e.msg);
    connect_run_release(&run);
}

static void test_connect_expired_token_says_when_and_what_to_do(void **state)
{
    struct fx *f = *state;
    snprintf(f->base, sizeof f->base, "%s/s/expired-a", srv.base);
    struct connect_source src = instagram(f, "test-token");
    struct connect_run run;
    struct err e;
    err_clear(&e);
    assert_int_equal(connect_sync(f->store, &src, NULL, &f->o, &run, &e), ERR_USAGE);
    assert_string_equal(e.msg, "source \"ig-main\": the Instagram token expired on 2026-11-30: "
                               "add a new one with `infludash source add ig-main --kind "
                               "instagram --token-file F`");
    assert_int_equal(f->sleeps.n, 0); /* an expired token is not retried */
    assert_int_equal(count(f->store, DS_POSTS), 0);
    connect_run_release(&run);
}

static void test_connect_refused_token_never_appears_in_the_message(void **state)
{
    struct fx *f = *state;
    struct connect_source src = instagram(f, "EAAB-wrong-token-value");
    struct connect_run run;
    struct err e;
    err_clear(&e);
    assert_int_equal(connect_sync(f->store, &src, NULL, &f->o, &run, &e), ERR_USAGE);
    assert_non_null(strstr(e.msg, "the Instagram token was refused (Invalid OAuth access token"));
    assert_non_null(
        strstr(e.msg, "`infludash source add ig-main --kind instagram --token-file F`"));
    assert_null(strstr(e.msg, "EAAB-wrong"));
    assert_null(strstr(run.error.msg, "EAAB-wrong"));
    connect_run_release(&run);
}

static void test_connect_youtube_quota_and_key_messages(void **state)
{
    struct fx *f = *state;
    snprintf(f->base, sizeof f->base, "%s/s/quota-a", srv.base);
    struct connect_source src = youtube(f, "test-key");
    f->o.now = 1796182200; /* Wed 2 Dec 2026 09:00 IST = 1 Dec 19:30 PST */
    struct connect_run run;
    struct err e;
    err_clear(&e);
    assert_int_equal(connect_sync(f->store, &src, NULL, &f->o, &run, &e), ERR_LIMIT);
    assert_string_equal(e.msg, "source \"yt-main\": the YouTube API quota for this key is used "
                               "up; it resets at midnight Pacific time (13:30 on 2 Dec, "
                               "Asia/Kolkata time), and the next sync after that will work (a "
                               "bigger quota is asked for in the Google Cloud console)");
    assert_int_equal(f->sleeps.n, 0);
    connect_run_release(&run);

    src = youtube(f, "AIza-not-the-key");
    snprintf(f->base, sizeof f->base, "%s", srv.base);
    src.base_url = f->base;
    assert_int_equal(connect_sync(f->store, &src, NULL, &f->o, &run, &e), ERR_USAGE);
    assert_string_equal(e.msg, "source \"yt-main\": the YouTube API key is not valid: add a new "
                               "one with `infludash source add yt-main --kind youtube "
                               "--token-file F`");
    connect_run_release(&run);

    snprintf(f->base, sizeof f->base, "%s/s/legacy-badkey-a", srv.base);
    src = youtube(f, "test-key");
    assert_int_equal(connect_sync(f->store, &src, NULL, &f->o, &run, &e), ERR_USAGE);
    assert_non_null(strstr(e.msg, "the YouTube API key is not valid"));
    assert_int_equal(count(f->store, DS_POSTS), 0);
    connect_run_release(&run);

    src = youtube(f, "test-key");
    src.account = "UCnosuchchannel";
    src.base_url = srv.base;
    assert_int_equal(connect_sync(f->store, &src, NULL, &f->o, &run, &e), ERR_NOTFOUND);
    assert_non_null(strstr(e.msg, "YouTube has no channel with id UCnosuchchannel"));
    connect_run_release(&run);
}

static void test_connect_malformed_json_and_huge_answers_import_nothing(void **state)
{
    struct fx *f = *state;
    snprintf(f->base, sizeof f->base, "%s/s/malformed-a", srv.base);
    struct connect_source src = instagram(f, "test-token");
    struct connect_run run;
    struct err e;
    err_clear(&e);
    assert_int_equal(connect_sync(f->store, &src, NULL, &f->o, &run, &e), ERR_IO);
    assert_non_null(strstr(e.msg, "the media of an Instagram account from 127.0.0.1"));
    assert_non_null(strstr(e.msg, "is not valid JSON (line 1, column"));
    assert_non_null(strstr(e.msg, "nothing was imported"));
    connect_run_release(&run);

    snprintf(f->base, sizeof f->base, "%s/s/huge-c", srv.base);
    src = instagram(f, "test-token");
    f->o.http.max_body = 16 << 20;
    assert_int_equal(connect_sync(f->store, &src, NULL, &f->o, &run, &e), ERR_LIMIT);
    assert_non_null(strstr(e.msg, "larger than the 16 MiB allowed"));
    assert_null(strstr(e.msg, "test-token"));
    assert_int_equal(count(f->store, DS_POSTS), 0);
    connect_run_release(&run);
}

static void test_connect_a_failed_request_imports_nothing_and_retries_get_through(void **state)
{
    struct fx *f = *state;
    /* flaky answers 500 then 502: with one attempt per request the first page fails. */
    snprintf(f->base, sizeof f->base, "%s/s/flaky-d", srv.base);
    f->o.http.max_attempts = 1;
    struct connect_source src = instagram(f, "test-token");
    struct connect_run run;
    struct err e;
    err_clear(&e);
    assert_int_equal(connect_sync(f->store, &src, NULL, &f->o, &run, &e), ERR_IO);
    assert_non_null(strstr(e.msg, "answered 500 Internal Server Error"));
    assert_non_null(strstr(e.msg, "access_token=***"));
    assert_int_equal(count(f->store, DS_POSTS), 0);
    connect_run_release(&run);
    /* With retries (the default) the same scenario gets through. */
    f->o.http.max_attempts = 4;
    snprintf(f->base, sizeof f->base, "%s/s/flaky-e", srv.base);
    src = instagram(f, "test-token");
    assert_int_equal(connect_sync(f->store, &src, NULL, &f->o, &run, &e), 0);
    assert_int_equal(f->sleeps.n, 2);
    assert_int_equal(count(f->store, DS_POSTS), 7);
    connect_run_release(&run);
}

static void write_file(const char *dir, const char *name, const char *text, int age)
{
    char path[PATH_MAX * 2];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *fp = fopen(path, "w");
    assert_non_null(fp);
    fputs(text, fp);
    fclose(fp);
    if (age) {
        struct timespec ts[2];
        clock_gettime(CLOCK_REALTIME, &ts[0]);
        ts[0].tv_sec -= age;
        ts[1] = ts[0];
        assert_int_equal(utimensat(AT_FDCWD, path, ts, 0), 0);
    }
}

static void test_connect_url_etag_gives_not_modified(void **state)
{
    struct fx *f = *state;
    write_file(files_dir, "tracking_data.csv",
               "tracking_id,influencer_id,date,revenue\nT1,INF7,2026-11-01,100\n", 0);
    struct buf u = BUF_INIT;
    buf_printf(&u, "%s/files/tracking_data.csv", srv.base);
    struct connect_source src = {
        .name = "shop", .kind = CONNECT_URL, .dataset = DS_NONE, .url = buf_cstr(&u)};
    struct connect_run run;
    struct err e;
    err_clear(&e);
    if (connect_sync(f->store, &src, NULL, &f->o, &run, &e) != 0)
        fail_msg("sync: %s", e.msg);
    assert_int_equal(run.rows, 1);
    assert_int_equal(run.not_modified, 0);
    assert_int_equal(run.nfiles, 1);
    assert_string_equal(run.files[0].name, "tracking_data.csv");
    assert_non_null(run.etag);
    assert_non_null(run.last_modified);
    assert_int_equal(count(f->store, DS_TRACKING), 1);
    char *etag = xstrdup(run.etag), *modified = xstrdup(run.last_modified);
    connect_run_release(&run);

    /* Unchanged: 304, nothing imported, the state kept. */
    struct connect_state st = {etag, modified};
    assert_int_equal(connect_sync(f->store, &src, &st, &f->o, &run, &e), 0);
    assert_int_equal(run.not_modified, 1);
    assert_int_equal(run.rows, 0);
    assert_string_equal(run.etag, etag);
    struct store_import_log logs[4];
    size_t nlogs = 0;
    assert_int_equal(store_recent_imports(f->store, logs, 4, &nlogs, &e), 0);
    assert_int_equal(nlogs, 1);
    connect_run_release(&run);

    /* Changed and broken: refused, the old ETag kept so the next run fetches it again. */
    write_file(files_dir, "tracking_data.csv",
               "tracking_id,influencer_id,date,revenue\nT2,INF7,2026-11-02,12x\n", 0);
    assert_int_equal(connect_sync(f->store, &src, &st, &f->o, &run, &e), ERR_INPUT);
    assert_non_null(strstr(e.msg, "source \"shop\": 1 row rejected; nothing was imported"));
    assert_non_null(strstr(run.files[0].error, "tracking_data.csv:2: revenue"));
    assert_null(run.etag);
    connect_run_release(&run);

    /* Fixed: imported. */
    write_file(
        files_dir, "tracking_data.csv",
        "tracking_id,influencer_id,date,revenue\nT1,INF7,2026-11-01,100\nT2,INF7,2026-11-02,120\n",
        0);
    assert_int_equal(connect_sync(f->store, &src, &st, &f->o, &run, &e), 0);
    assert_int_equal(run.rows, 2);
    assert_int_equal(count(f->store, DS_TRACKING), 2);
    assert_string_not_equal(run.etag, etag);
    connect_run_release(&run);
    free(etag);
    free(modified);
    buf_release(&u);
}

static int exists(const char *dir, const char *name)
{
    char path[PATH_MAX * 2];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    struct stat st;
    return stat(path, &st) == 0;
}

static void read_text(const char *dir, const char *name, struct buf *out)
{
    char path[PATH_MAX * 2];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *fp = fopen(path, "r");
    assert_non_null(fp);
    char chunk[512];
    size_t n;
    while ((n = fread(chunk, 1, sizeof chunk, fp)) > 0)
        buf_append(out, chunk, n);
    fclose(fp);
}

static void test_connect_folder_moves_files_to_done_and_failed(void **state)
{
    struct fx *f = *state;
    char drop[PATH_MAX + 16];
    snprintf(drop, sizeof drop, "%s/drop", f->dir);
    assert_int_equal(mkdir(drop, 0755), 0);
    write_file(drop, "influencers.csv", "influencer_id,name\nINF7,Asha\n", 60);
    write_file(drop, "orders november.csv",
               "tracking_id,influencer_id,date,revenue\nT1,INF7,2026-11-01,100\n", 60);
    write_file(drop, "bad payouts.csv", "payout_id,influencer_id,total_payout\nP1,INF7,abc\n", 60);
    write_file(drop, "fresh.csv", "tracking_id,influencer_id,date,revenue\nT9,INF7,2026-11-03,5\n",
               0);
    write_file(drop, ".hidden.csv", "x\n", 60);
    write_file(drop, "big.csv.part", "x\n", 60);
    struct connect_source src = {
        .name = "dropbox", .kind = CONNECT_FOLDER, .dataset = DS_NONE, .dir = drop};
    struct connect_run run;
    struct err e;
    err_clear(&e);
    assert_int_equal(connect_sync(f->store, &src, NULL, &f->o, &run, &e), ERR_INPUT);
    assert_non_null(strstr(e.msg, "1 of 3 files were refused and moved to"));
    assert_non_null(strstr(e.msg, "2 imported"));
    assert_int_equal(run.nfiles, 3);
    assert_int_equal(run.files_skipped, 1); /* fresh.csv: written just now */
    assert_int_equal(run.rows, 2);
    assert_int_equal(count(f->store, DS_INFLUENCERS), 1);
    assert_int_equal(count(f->store, DS_TRACKING), 1);
    assert_int_equal(count(f->store, DS_PAYOUTS), 0);
    char done[PATH_MAX + 32], failed[PATH_MAX + 32];
    snprintf(done, sizeof done, "%s/done", drop);
    snprintf(failed, sizeof failed, "%s/failed", drop);
    assert_true(exists(done, "influencers.csv"));
    assert_true(exists(done, "orders november.csv"));
    assert_true(exists(failed, "bad payouts.csv"));
    assert_true(exists(failed, "bad payouts.csv.error.txt"));
    assert_true(exists(drop, "fresh.csv"));
    assert_true(exists(drop, ".hidden.csv"));
    assert_true(exists(drop, "big.csv.part"));
    assert_false(exists(drop, "influencers.csv"));
    struct buf why = BUF_INIT;
    read_text(failed, "bad payouts.csv.error.txt", &why);
    assert_non_null(strstr(buf_cstr(&why), "bad payouts.csv was not imported ("));
    assert_non_null(strstr(buf_cstr(&why), "1 row rejected; nothing was imported"));
    assert_non_null(strstr(buf_cstr(&why), "bad payouts.csv:2: total_payout: \"abc\""));
    assert_non_null(strstr(buf_cstr(&why), "Fix the file and put it in"));
    /* Each file is its own import, under its name. */
    struct store_import_log logs[8];
    size_t nlogs = 0;
    assert_int_equal(store_recent_imports(f->store, logs, 8, &nlogs, &e), 0);
    assert_int_equal(nlogs, 2);
    connect_run_release(&run);

    /* The same name dropped again: imported again, filed beside the first as " (2)". */
    write_file(drop, "orders november.csv",
               "tracking_id,influencer_id,date,revenue\nT1,INF7,2026-11-01,150\n", 60);
    f->o.now = 0;
    assert_int_equal(connect_sync(f->store, &src, NULL, &f->o, &run, &e), 0);
    assert_int_equal(run.nfiles, 1); /* fresh.csv is still within its 5 s */
    connect_run_release(&run);
    assert_true(exists(done, "orders november (2).csv"));
    assert_int_equal(count(f->store, DS_TRACKING), 1);
    buf_release(&why);
    testutil_remove_dir(done);
    testutil_remove_dir(failed);
    testutil_remove_dir(drop);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_connect_instagram_pages_insights_and_one_import,
                                        fx_setup, fx_teardown),
        cmocka_unit_test_setup_teardown(test_connect_instagram_fetch_gives_posts_csv, fx_setup,
                                        fx_teardown),
        cmocka_unit_test_setup_teardown(test_connect_youtube_uploads_in_batches_of_50, fx_setup,
                                        fx_teardown),
        cmocka_unit_test_setup_teardown(test_connect_rate_limit_429_waits_retry_after, fx_setup,
                                        fx_teardown),
        cmocka_unit_test_setup_teardown(test_connect_instagram_throttle_waits_what_meta_estimates,
                                        fx_setup, fx_teardown),
        cmocka_unit_test_setup_teardown(test_connect_expired_token_says_when_and_what_to_do,
                                        fx_setup, fx_teardown),
        cmocka_unit_test_setup_teardown(test_connect_refused_token_never_appears_in_the_message,
                                        fx_setup, fx_teardown),
        cmocka_unit_test_setup_teardown(test_connect_youtube_quota_and_key_messages, fx_setup,
                                        fx_teardown),
        cmocka_unit_test_setup_teardown(test_connect_malformed_json_and_huge_answers_import_nothing,
                                        fx_setup, fx_teardown),
        cmocka_unit_test_setup_teardown(
            test_connect_a_failed_request_imports_nothing_and_retries_get_through, fx_setup,
            fx_teardown),
        cmocka_unit_test_setup_teardown(test_connect_url_etag_gives_not_modified, fx_setup,
                                        fx_teardown),
        cmocka_unit_test_setup_teardown(test_connect_folder_moves_files_to_done_and_failed,
                                        fx_setup, fx_teardown),
    };
    return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
