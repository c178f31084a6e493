/* test_routes_errors.c — how a route answers an error value (routes_fail, routes_common.c): by
 * the status the table of errors (err.h) gives its code, the same for every route. A refusal
 * (a limit, invalid data, a bad request, a missing thing) answers its own words; a failure of
 * the server's own means answers what failed without the internals of the message. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <string.h>

#include "buf.h"
#include "err.h"
#include "http.h"
#include "routes_handlers.h"

#include "banned.h"

static void answered(int code, const char *msg, int want_status, const char *want_in_body,
                     const char *not_in_body)
{
    struct http_request req;
    memset(&req, 0, sizeof req);
    req.method_name = "GET";
    req.path = "/api/insights";
    struct http_response res;
    memset(&res, 0, sizeof res);
    res.fd = -1;
    struct err e;
    err_set(&e, code, "%s", msg);
    assert_int_equal(routes_fail(&req, &res, "computing the answer", &e), 0);
    assert_int_equal(res.status, want_status);
    if (!strstr(buf_cstr(&res.body), want_in_body))
        fail_msg("code %d: body %s lacks %s", code, buf_cstr(&res.body), want_in_body);
    if (not_in_body && strstr(buf_cstr(&res.body), not_in_body))
        fail_msg("code %d: body %s shows %s", code, buf_cstr(&res.body), not_in_body);
    buf_release(&res.body);

    /* the import's answer (a body of its own) takes the same status and words */
    struct buf words = BUF_INIT;
    assert_int_equal(routes_fail_message(&req, "importing", &e, &words), want_status);
    if (want_status < 500)
        assert_string_equal(buf_cstr(&words), msg);
    buf_release(&words);
}

static void refusals_answer_their_words(void **state)
{
    (void)state;
    /* the limit error answered 500 outside an import once: now 422 from every route */
    answered(ERR_LIMIT, "insights: the response passed its size limit", 422,
             "the response passed its size limit", NULL);
    answered(ERR_INPUT, "from: \"x\" is not a date", 422, "is not a date", NULL);
    answered(ERR_USAGE, "limit: expected 1 to 1000", 400, "expected 1 to 1000", NULL);
    answered(ERR_NOTFOUND, "no influencer with id \"X\"", 404, "no influencer", NULL);
}

static void failures_hide_their_internals(void **state)
{
    (void)state;
    answered(ERR_IO, "/var/lib/infludash/x.db: disk I/O error", 500,
             "computing the answer failed on the server", "/var/lib");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(refusals_answer_their_words),
        cmocka_unit_test(failures_hide_their_internals),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
