/* test_err.c — the table of errors (err.h): each code's HTTP status, name and message, codes
 * and names unique, a code outside the table a 500, and err_set / err_prefix. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <string.h>

#include "err.h"

#include "banned.h"

static void statuses_from_the_table(void **state)
{
    (void)state;
    assert_int_equal(err_http_status(ERR_OK), 200);
    assert_int_equal(err_http_status(ERR_USAGE), 400);
    assert_int_equal(err_http_status(ERR_AUTH), 401);
    assert_int_equal(err_http_status(ERR_DENIED), 403);
    assert_int_equal(err_http_status(ERR_NOTFOUND), 404);
    assert_int_equal(err_http_status(ERR_CONFLICT), 409);
    assert_int_equal(err_http_status(ERR_MEDIA_TYPE), 415);
    /* a limit error is 422 wherever it comes from, as invalid data is */
    assert_int_equal(err_http_status(ERR_LIMIT), 422);
    assert_int_equal(err_http_status(ERR_INPUT), 422);
    assert_int_equal(err_http_status(ERR_BUSY), 429);
    assert_int_equal(err_http_status(ERR_IO), 500);
    assert_int_equal(err_http_status(ERR_STORE), 503);
    assert_int_equal(err_http_status(ERR_ABORTED), 503);
    assert_int_equal(err_http_status(ERR_UNAVAILABLE), 503);
    assert_int_equal(err_http_status(ERR_NO_SPACE), 507);
    assert_int_equal(err_http_status(-999), 500);
    assert_int_equal(err_http_status(1), 500);
}

static void names_and_messages(void **state)
{
    (void)state;
    assert_string_equal(err_name(ERR_LIMIT), "limit");
    assert_string_equal(err_name(ERR_NOTFOUND), "not_found");
    assert_string_equal(err_name(-999), "unknown");
    assert_string_equal(err_message(ERR_LIMIT), "a configured limit was passed");
    assert_string_equal(err_message(-999), "an unknown error");
}

#define CODE_(id, code, name, status, message) code,
#define NAME_(id, code, name, status, message) name,
static void codes_and_names_unique(void **state)
{
    (void)state;
    static const int codes[] = {ERR_TABLE(CODE_)};
    static const char *const names[] = {ERR_TABLE(NAME_)};
    size_t n = sizeof codes / sizeof codes[0];
    for (size_t i = 0; i < n; i++) {
        assert_true(codes[i] <= 0);
        assert_string_equal(err_name(codes[i]), names[i]);
        for (size_t k = i + 1; k < n; k++) {
            assert_int_not_equal(codes[i], codes[k]);
            assert_true(strcmp(names[i], names[k]) != 0);
        }
    }
}

static void set_and_prefix(void **state)
{
    (void)state;
    struct err e = {0, ""};
    assert_int_equal(err_set(&e, ERR_LIMIT, "more than %d rows", 5), ERR_LIMIT);
    assert_int_equal(e.code, ERR_LIMIT);
    err_prefix(&e, "%s", "posts.csv");
    assert_string_equal(e.msg, "posts.csv: more than 5 rows");
    assert_int_equal(err_set(NULL, ERR_IO, "x"), ERR_IO);
    err_clear(&e);
    assert_int_equal(e.code, 0);
    assert_string_equal(e.msg, "");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(statuses_from_the_table),
        cmocka_unit_test(names_and_messages),
        cmocka_unit_test(codes_and_names_unique),
        cmocka_unit_test(set_and_prefix),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
