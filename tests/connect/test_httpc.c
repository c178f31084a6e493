/* test_httpc.c — unit tests for the HTTP client of connections (src/httpc.c), against the
 * local platforms server (tests/servers/platforms.py): answers, caps, conditional requests,
 * retries with Retry-After and backoff (the sleep is recorded, never slept), redirects, and
 * the redaction of credentials from every message. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "buf.h"
#include "err.h"
#include "httpc.h"
#include "testserver.h"
#include "testutil.h"
#include "banned.h"

static struct testserver srv;
static char files_dir[PATH_MAX];

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

static void opts_recording(struct httpc_opts *o, struct sleeps *s)
{
    httpc_opts_default(o);
    memset(s, 0, sizeof *s);
    o->sleep = record_sleep;
    o->sleep_ctx = s;
}

static void url(struct buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void url(struct buf *b, const char *fmt, ...)
{
    buf_reset(b);
    buf_puts(b, srv.base);
    va_list ap;
    va_start(ap, fmt);
    buf_vprintf(b, fmt, ap);
    va_end(ap);
}

static int group_setup(void **state)
{
    (void)state;
    if (!testutil_make_dir(files_dir, sizeof files_dir, "httpc"))
        return -1;
    testserver_start(&srv, "platforms.py", "--files", files_dir, NULL);
    return 0;
}

static int group_teardown(void **state)
{
    (void)state;
    testserver_stop(&srv);
    testutil_remove_dir(files_dir);
    return 0;
}

static void test_httpc_get_returns_the_answer_and_its_headers(void **state)
{
    (void)state;
    struct buf u = BUF_INIT;
    url(&u, "/youtube/v3/channels?part=contentDetails&id=UCtest000000000000000001&key=test-key");
    struct httpc_request req = {.url = buf_cstr(&u)};
    struct httpc_response res;
    httpc_response_init(&res);
    struct err e;
    err_clear(&e);
    assert_int_equal(httpc_get(NULL, &req, &res, &e), 0);
    assert_int_equal(res.status, 200);
    assert_int_equal(res.attempts, 1);
    assert_non_null(strstr(buf_cstr(&res.body), "\"uploads\": \"UUtest000000000000000001\""));
    assert_non_null(res.content_type);
    assert_non_null(strstr(res.content_type, "application/json"));
    assert_int_equal(res.body_bytes, res.body.len);
    httpc_response_release(&res);
    buf_release(&u);
}

static void test_httpc_429_waits_what_retry_after_says(void **state)
{
    (void)state;
    struct httpc_opts o;
    struct sleeps s;
    opts_recording(&o, &s);
    struct buf u = BUF_INIT;
    url(&u, "/s/ratelimit-a/youtube/v3/channels?part=contentDetails&id=x&key=test-key");
    struct httpc_request req = {.url = buf_cstr(&u)};
    struct httpc_response res;
    httpc_response_init(&res);
    struct err e;
    err_clear(&e);
    assert_int_equal(httpc_get(&o, &req, &res, &e), 0);
    assert_int_equal(res.status, 200);
    assert_int_equal(res.attempts, 2);
    assert_int_equal(s.n, 1);
    assert_true(s.waits[0] == 7.0);
    assert_true(res.waited == 7.0);
    httpc_response_release(&res);
    buf_release(&u);
}

static void test_httpc_503_with_an_http_date_waits_until_then(void **state)
{
    (void)state;
    struct httpc_opts o;
    struct sleeps s;
    opts_recording(&o, &s);
    struct buf u = BUF_INIT;
    url(&u, "/s/retry-date-a/youtube/v3/channels?part=contentDetails&id=x&key=test-key");
    struct httpc_request req = {.url = buf_cstr(&u)};
    struct httpc_response res;
    httpc_response_init(&res);
    struct err e;
    err_clear(&e);
    assert_int_equal(httpc_get(&o, &req, &res, &e), 0);
    assert_int_equal(res.status, 200);
    assert_int_equal(s.n, 1);
    /* The server asked for "now + 5 s" as a date with whole seconds. */
    assert_true(s.waits[0] >= 3.0 && s.waits[0] <= 6.0);
    httpc_response_release(&res);
    buf_release(&u);
}

static void test_httpc_5xx_backs_off_exponentially_then_succeeds(void **state)
{
    (void)state;
    struct httpc_opts o;
    struct sleeps s;
    opts_recording(&o, &s);
    o.backoff_initial = 2;
    struct buf u = BUF_INIT;
    url(&u, "/s/flaky-a/youtube/v3/channels?part=contentDetails&id=x&key=test-key");
    struct httpc_request req = {.url = buf_cstr(&u)};
    struct httpc_response res;
    httpc_response_init(&res);
    struct err e;
    err_clear(&e);
    assert_int_equal(httpc_get(&o, &req, &res, &e), 0);
    assert_int_equal(res.status, 200);
    assert_int_equal(res.attempts, 3);
    assert_int_equal(s.n, 2);
    assert_true(s.waits[0] == 2.0 && s.waits[1] == 4.0);
    httpc_response_release(&res);
    buf_release(&u);
}

static void test_httpc_retries_are_bounded_and_the_last_answer_kept(void **state)
{
    (void)state;
    struct httpc_opts o;
    struct sleeps s;
    opts_recording(&o, &s);
    o.max_attempts = 2;
    struct buf u = BUF_INIT;
    url(&u, "/s/flaky-b/youtube/v3/channels?part=contentDetails&id=x&key=test-key");
    struct httpc_request req = {.url = buf_cstr(&u)};
    struct httpc_response res;
    httpc_response_init(&res);
    struct err e;
    err_clear(&e);
    assert_int_equal(httpc_get(&o, &req, &res, &e), 0);
    assert_int_equal(res.status, 502);
    assert_int_equal(res.attempts, 2);
    assert_int_equal(s.n, 1);
    assert_int_equal(httpc_status_error(&res, req.url, &e), ERR_IO);
    assert_non_null(strstr(e.msg, "127.0.0.1"));
    assert_non_null(strstr(e.msg, "502 Bad Gateway"));
    assert_non_null(strstr(e.msg, "key=***"));
    assert_null(strstr(e.msg, "test-key"));
    httpc_response_release(&res);
    buf_release(&u);
}

static void test_httpc_total_wait_is_capped(void **state)
{
    (void)state;
    struct httpc_opts o;
    struct sleeps s;
    opts_recording(&o, &s);
    o.backoff_initial = 10;
    o.max_total_wait = 12; /* 10 s, then only 2 s are left */
    struct buf u = BUF_INIT;
    url(&u, "/s/flaky-c/youtube/v3/channels?part=contentDetails&id=x&key=test-key");
    struct httpc_request req = {.url = buf_cstr(&u)};
    struct httpc_response res;
    httpc_response_init(&res);
    struct err e;
    err_clear(&e);
    assert_int_equal(httpc_get(&o, &req, &res, &e), 0);
    assert_int_equal(res.status, 200);
    assert_int_equal(s.n, 2);
    assert_true(s.waits[0] == 10.0 && s.waits[1] == 2.0);
    assert_true(res.waited <= 12.0);
    httpc_response_release(&res);
    buf_release(&u);
}

static void test_httpc_retry_after_beyond_the_wait_left_fails_at_once(void **state)
{
    (void)state;
    struct httpc_opts o;
    struct sleeps s;
    opts_recording(&o, &s);
    o.max_total_wait = 5;
    struct buf u = BUF_INIT;
    url(&u, "/s/ratelimit-b/v21.0/17841400000000001/media?access_token=test-token");
    struct httpc_request req = {.url = buf_cstr(&u)};
    struct httpc_response res;
    httpc_response_init(&res);
    struct err e;
    err_clear(&e);
    assert_int_equal(httpc_get(&o, &req, &res, &e), ERR_LIMIT);
    assert_int_equal(s.n, 0);
    assert_non_null(strstr(e.msg, "asks to wait 7 s"));
    assert_non_null(strstr(e.msg, "try again later"));
    assert_null(strstr(e.msg, "test-token"));
    httpc_response_release(&res);
    buf_release(&u);
}

static void test_httpc_a_50_mb_body_is_refused_by_the_cap(void **state)
{
    (void)state;
    const char *scenarios[] = {"huge", "huge-cl"};
    for (size_t i = 0; i < 2; i++) {
        struct httpc_opts o;
        struct sleeps s;
        opts_recording(&o, &s);
        o.max_body = 8 << 20;
        struct buf u = BUF_INIT;
        url(&u, "/s/%s-a/v21.0/17841400000000001/media?access_token=test-token", scenarios[i]);
        struct httpc_request req = {.url = buf_cstr(&u)};
        struct httpc_response res;
        httpc_response_init(&res);
        struct err e;
        err_clear(&e);
        assert_int_equal(httpc_get(&o, &req, &res, &e), ERR_LIMIT);
        assert_non_null(strstr(e.msg, "larger than the 8 MiB allowed"));
        assert_null(strstr(e.msg, "test-token"));
        assert_true(res.body.len <= (8u << 20));
        assert_int_equal(s.n, 0);
        httpc_response_release(&res);
        buf_release(&u);
    }
}

static void test_httpc_the_cap_holds_for_a_sink_too(void **state)
{
    (void)state;
    struct httpc_opts o;
    httpc_opts_default(&o);
    o.max_body = 1 << 20;
    struct buf u = BUF_INIT;
    url(&u, "/s/huge-b/files/x.csv");
    FILE *f = tmpfile();
    assert_non_null(f);
    struct httpc_request req = {.url = buf_cstr(&u), .sink = f};
    struct httpc_response res;
    httpc_response_init(&res);
    struct err e;
    err_clear(&e);
    assert_int_equal(httpc_get(&o, &req, &res, &e), ERR_LIMIT);
    fflush(f);
    struct stat st;
    assert_int_equal(fstat(fileno(f), &st), 0);
    assert_true(st.st_size <= (1 << 20));
    fclose(f);
    httpc_response_release(&res);
    buf_release(&u);
}

static void write_file(const char *name, const char *text)
{
    char path[PATH_MAX * 2];
    snprintf(path, sizeof path, "%s/%s", files_dir, name);
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
}

static void test_httpc_etag_and_last_modified_give_not_modified(void **state)
{
    (void)state;
    write_file("posts.csv", "post_id,influencer_id\np1,i1\n");
    struct buf u = BUF_INIT;
    url(&u, "/files/posts.csv");
    struct httpc_request req = {.url = buf_cstr(&u)};
    struct httpc_response res;
    httpc_response_init(&res);
    struct err e;
    err_clear(&e);
    assert_int_equal(httpc_get(NULL, &req, &res, &e), 0);
    assert_int_equal(res.status, 200);
    assert_string_equal(buf_cstr(&res.body), "post_id,influencer_id\np1,i1\n");
    assert_non_null(res.etag);
    assert_non_null(res.last_modified);
    char *etag = xstrdup(res.etag), *modified = xstrdup(res.last_modified);

    struct httpc_request again = {.url = buf_cstr(&u), .if_none_match = etag};
    assert_int_equal(httpc_get(NULL, &again, &res, &e), 0);
    assert_int_equal(res.status, 304);
    assert_int_equal(res.not_modified, 1);
    assert_int_equal(res.body.len, 0);

    struct httpc_request by_date = {.url = buf_cstr(&u), .if_modified_since = modified};
    assert_int_equal(httpc_get(NULL, &by_date, &res, &e), 0);
    assert_int_equal(res.not_modified, 1);

    /* A changed file has a new ETag: the same conditional request now gets the body. */
    write_file("posts.csv", "post_id,influencer_id\np1,i1\np2,i1\n");
    assert_int_equal(httpc_get(NULL, &again, &res, &e), 0);
    assert_int_equal(res.status, 200);
    assert_int_equal(res.not_modified, 0);
    assert_non_null(strstr(buf_cstr(&res.body), "p2,i1"));
    assert_string_not_equal(res.etag, etag);
    free(etag);
    free(modified);
    httpc_response_release(&res);
    buf_release(&u);
}

static void test_httpc_redirects_are_followed_up_to_the_bound(void **state)
{
    (void)state;
    struct buf u = BUF_INIT;
    url(&u, "/redirect/3");
    struct httpc_request req = {.url = buf_cstr(&u)};
    struct httpc_response res;
    httpc_response_init(&res);
    struct err e;
    err_clear(&e);
    assert_int_equal(httpc_get(NULL, &req, &res, &e), 0);
    assert_int_equal(res.status, 200);
    assert_string_equal(buf_cstr(&res.body), "arrived\n");
    url(&u, "/redirect/6");
    req.url = buf_cstr(&u);
    assert_int_equal(httpc_get(NULL, &req, &res, &e), ERR_IO);
    assert_non_null(strstr(e.msg, "redirect"));
    httpc_response_release(&res);
    buf_release(&u);
}

static void test_httpc_refuses_other_schemes(void **state)
{
    (void)state;
    struct httpc_request req = {.url = "file:///etc/passwd"};
    struct httpc_response res;
    httpc_response_init(&res);
    struct err e;
    err_clear(&e);
    assert_int_equal(httpc_get(NULL, &req, &res, &e), ERR_USAGE);
    assert_non_null(strstr(e.msg, "not an http:// or https:// address"));
    httpc_response_release(&res);
}

static void test_httpc_connection_errors_name_the_host_and_never_the_token(void **state)
{
    (void)state;
    struct httpc_opts o;
    struct sleeps s;
    opts_recording(&o, &s);
    /* Port 1 on the loopback: nothing listens there, the connection is refused. */
    struct httpc_request req = {
        .url = "http://127.0.0.1:1/v21.0/1/media?fields=id&access_token=EAAB-secret-value"};
    struct httpc_response res;
    httpc_response_init(&res);
    struct err e;
    err_clear(&e);
    assert_int_equal(httpc_get(&o, &req, &res, &e), ERR_IO);
    assert_non_null(strstr(e.msg, "cannot get http://127.0.0.1:1/v21.0/1/media"));
    assert_non_null(strstr(e.msg, "access_token=***"));
    assert_null(strstr(e.msg, "EAAB-secret-value"));
    assert_int_equal(res.attempts, 4); /* a refused connection is worth retrying */
    assert_int_equal(s.n, 3);
    httpc_response_release(&res);
}

static int retry_on_code_4(void *ctx, const struct httpc_response *res, double *wait)
{
    int *calls = ctx;
    (*calls)++;
    if (res->status == 400 && strstr(buf_cstr(&res->body), "\"code\": 4,")) {
        *wait = 3;
        return 1;
    }
    return 0;
}

static void test_httpc_a_retry_callback_retries_platform_answers(void **state)
{
    (void)state;
    struct httpc_opts o;
    struct sleeps s;
    opts_recording(&o, &s);
    int calls = 0;
    struct buf u = BUF_INIT;
    url(&u, "/s/ig-throttled-a/v21.0/17841400000000001/media?access_token=test-token");
    struct httpc_request req = {.url = buf_cstr(&u), .retry = retry_on_code_4, .retry_ctx = &calls};
    struct httpc_response res;
    httpc_response_init(&res);
    struct err e;
    err_clear(&e);
    assert_int_equal(httpc_get(&o, &req, &res, &e), 0);
    assert_int_equal(res.status, 200);
    assert_int_equal(calls, 2);
    assert_int_equal(s.n, 2);
    assert_true(s.waits[0] == 3.0 && s.waits[1] == 3.0);
    httpc_response_release(&res);
    buf_release(&u);
}

static void test_httpc_redact_hides_credentials_everywhere(void **state)
{
    (void)state;
    struct buf b = BUF_INIT;
    httpc_redact("https://graph.facebook.com/v21.0/1/media?fields=id&access_token=EAAB1&limit=3",
                 &b);
    assert_string_equal(
        buf_cstr(&b),
        "https://graph.facebook.com/v21.0/1/media?fields=id&access_token=***&limit=3");
    buf_reset(&b);
    httpc_redact("https://www.googleapis.com/youtube/v3/videos?KEY=AIza9#frag", &b);
    assert_string_equal(buf_cstr(&b), "https://www.googleapis.com/youtube/v3/videos?KEY=***#frag");
    buf_reset(&b);
    httpc_redact("https://user:pw@example.com/x?monkey=1&key=abc", &b);
    assert_string_equal(buf_cstr(&b), "https://***@example.com/x?monkey=1&key=***");
    buf_reset(&b);
    httpc_redact_text("failed: \"access_token=EAAB2\" and key=AIza3 then token=t ok", &b);
    assert_string_equal(buf_cstr(&b), "failed: \"access_token=***\" and key=*** then token=*** ok");
    struct err e;
    err_set(&e, ERR_IO, "server said: your token EAAB-echo is bad (access_token=EAAB-echo)");
    httpc_scrub_err(&e, "EAAB-echo");
    assert_string_equal(e.msg, "server said: your token *** is bad (access_token=***)");
    buf_release(&b);
}

static void test_httpc_retry_after_reads_seconds_and_dates(void **state)
{
    (void)state;
    time_t now = 784111777; /* Sun, 06 Nov 1994 08:49:37 GMT */
    assert_true(httpc_retry_after_seconds("120", now) == 120.0);
    assert_true(httpc_retry_after_seconds(" 0 ", now) == 0.0);
    assert_true(httpc_retry_after_seconds("Sun, 06 Nov 1994 08:50:37 GMT", now) == 60.0);
    assert_true(httpc_retry_after_seconds("Sunday, 06-Nov-94 08:51:37 GMT", now) == 120.0);
    assert_true(httpc_retry_after_seconds("Sun Nov  6 08:52:37 1994", now) == 180.0);
    assert_true(httpc_retry_after_seconds("Sun, 06 Nov 1994 08:00:00 GMT", now) == 0.0);
    assert_true(httpc_retry_after_seconds("soon", now) < 0);
    assert_true(httpc_retry_after_seconds("12abc", now) < 0);
    assert_true(httpc_retry_after_seconds(NULL, now) < 0);
}

static void test_httpc_query_escape_and_host(void **state)
{
    (void)state;
    struct buf b = BUF_INIT;
    httpc_query_escape(&b, "id,caption a&b=ü");
    assert_string_equal(buf_cstr(&b), "id%2Ccaption%20a%26b%3D%C3%BC");
    buf_reset(&b);
    httpc_url_host("https://u:p@graph.facebook.com:443/v21.0?x", &b);
    assert_string_equal(buf_cstr(&b), "graph.facebook.com:443");
    buf_release(&b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_httpc_get_returns_the_answer_and_its_headers),
        cmocka_unit_test(test_httpc_429_waits_what_retry_after_says),
        cmocka_unit_test(test_httpc_503_with_an_http_date_waits_until_then),
        cmocka_unit_test(test_httpc_5xx_backs_off_exponentially_then_succeeds),
        cmocka_unit_test(test_httpc_retries_are_bounded_and_the_last_answer_kept),
        cmocka_unit_test(test_httpc_total_wait_is_capped),
        cmocka_unit_test(test_httpc_retry_after_beyond_the_wait_left_fails_at_once),
        cmocka_unit_test(test_httpc_a_50_mb_body_is_refused_by_the_cap),
        cmocka_unit_test(test_httpc_the_cap_holds_for_a_sink_too),
        cmocka_unit_test(test_httpc_etag_and_last_modified_give_not_modified),
        cmocka_unit_test(test_httpc_redirects_are_followed_up_to_the_bound),
        cmocka_unit_test(test_httpc_refuses_other_schemes),
        cmocka_unit_test(test_httpc_connection_errors_name_the_host_and_never_the_token),
        cmocka_unit_test(test_httpc_a_retry_callback_retries_platform_answers),
        cmocka_unit_test(test_httpc_redact_hides_credentials_everywhere),
        cmocka_unit_test(test_httpc_retry_after_reads_seconds_and_dates),
        cmocka_unit_test(test_httpc_query_escape_and_host),
    };
    return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
