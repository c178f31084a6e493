/* test_tz.c — unit tests for the time-zone reader (src/tz.c): offsets and abbreviations
 * from the system's TZif files, the POSIX footer rule past the last transition (both
 * hemispheres), wall-clock conversions across clock changes, and refused names. Expected
 * values come from Python's zoneinfo on the same tz database. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "err.h"
#include "tz.h"
#include "banned.h"

static struct tz *load(const char *name)
{
    struct tz *z = NULL;
    struct err e;
    err_clear(&e);
    if (tz_load(name, &z, &e) != 0)
        fail_msg("tz_load %s: %s", name, e.msg);
    return z;
}

static void test_tz_offsets_match_the_tz_database(void **state)
{
    (void)state;
    static const struct {
        const char *zone;
        int64_t t;
        int utoff;
        const char *abbr;
    } cases[] = {
        {"Asia/Kolkata", 1796169600, 19800, "IST"},      /* 2026-12-02T05:30+05:30 */
        {"Europe/Berlin", 1774745999, 3600, "CET"},      /* 2026-03-29T01:59:59+01:00 */
        {"Europe/Berlin", 1774746000, 7200, "CEST"},     /* 2026-03-29T03:00+02:00 */
        {"Europe/Berlin", 1792889999, 7200, "CEST"},     /* 2026-10-25T02:59:59+02:00 */
        {"Europe/Berlin", 1792890000, 3600, "CET"},      /* 2026-10-25T02:00+01:00 */
        {"America/New_York", 1772953199, -18000, "EST"}, /* 2026-03-08T01:59:59-05:00 */
        {"America/New_York", 1772953200, -14400, "EDT"}, /* 2026-03-08T03:00-04:00 */
        {"America/New_York", 1793512799, -14400, "EDT"}, /* 2026-11-01T01:59:59-04:00 */
        {"America/New_York", 1793512800, -18000, "EST"}, /* 2026-11-01T01:00-05:00 */
        {"Europe/Berlin", 2374102799, 3600, "CET"},      /* 2045-03-26T01:59:59+01:00 */
        {"Europe/Berlin", 2374102800, 7200, "CEST"},     /* 2045-03-26T03:00+02:00 */
        {"Europe/Berlin", 2392851599, 7200, "CEST"},     /* 2045-10-29T02:59:59+02:00 */
        {"Europe/Berlin", 2392851600, 3600, "CET"},      /* 2045-10-29T02:00+01:00 */
        {"Australia/Sydney", 2374675199, 39600, "AEDT"}, /* 2045-04-02T02:59:59+11:00 */
        {"Australia/Sydney", 2374675200, 36000, "AEST"}, /* 2045-04-02T02:00+10:00 */
        {"Australia/Sydney", 2390399999, 36000, "AEST"}, /* 2045-10-01T01:59:59+10:00 */
        {"Australia/Sydney", 2390400000, 39600, "AEDT"}, /* 2045-10-01T03:00+11:00 */
        {"Australia/Sydney", 2368051200, 39600, "AEDT"}, /* 2045-01-15T11:00+11:00 */
        {"Asia/Kathmandu", 1906502400, 20700, "+0545"},  /* 2030-06-01T05:45+05:45 */
        {"America/Sao_Paulo", 1262304000, -7200, "-02"}, /* 2009-12-31T22:00-02:00 */
        {"Asia/Kolkata", -886291200, 23400, "+0630"},    /* 1941-12-01T06:30+06:30 */
        {"UTC", 1767225600, 0, "UTC"},
        {"America/New_York", 2540246400, -14400, "EDT"}, /* 2050-06-30T20:00-04:00 */
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct tz *z = load(cases[i].zone);
        if (tz_utoff(z, cases[i].t) != cases[i].utoff)
            fail_msg("%s at %lld: offset %d, expected %d", cases[i].zone, (long long)cases[i].t,
                     tz_utoff(z, cases[i].t), cases[i].utoff);
        assert_string_equal(tz_abbr(z, cases[i].t), cases[i].abbr);
        assert_string_equal(tz_name(z), cases[i].zone);
        tz_free(z);
    }
}

static void test_tz_to_civil_gives_the_wall_clock(void **state)
{
    (void)state;
    struct tz *z = load("Asia/Kolkata");
    struct tz_civil c;
    tz_to_civil(z, 1796169600, &c); /* 2026-12-02T00:00Z */
    assert_int_equal(c.year, 2026);
    assert_int_equal(c.month, 12);
    assert_int_equal(c.day, 2);
    assert_int_equal(c.hour, 5);
    assert_int_equal(c.minute, 30);
    assert_int_equal(c.second, 0);
    assert_int_equal(c.wday, 2); /* Wednesday */
    tz_free(z);
}

static int64_t from_civil(struct tz *z, int y, int mo, int d, int h, int mi, int *skipped)
{
    struct tz_civil c = {y, mo, d, h, mi, 0, 0};
    return tz_from_civil(z, &c, skipped);
}

static void test_tz_from_civil_across_clock_changes(void **state)
{
    (void)state;
    int skipped;
    struct tz *berlin = load("Europe/Berlin");
    /* An ordinary time. */
    assert_int_equal(from_civil(berlin, 2026, 3, 28, 2, 30, &skipped), 1774661400);
    assert_int_equal(skipped, 0);
    /* 02:30 does not exist on 29 Mar 2026: the instant of the change (03:00 CEST). */
    assert_int_equal(from_civil(berlin, 2026, 3, 29, 2, 30, &skipped), 1774746000);
    assert_int_equal(skipped, 1);
    /* 02:30 happens twice on 25 Oct 2026: the first (00:30Z, CEST). */
    assert_int_equal(from_civil(berlin, 2026, 10, 25, 2, 30, &skipped), 1792888200);
    assert_int_equal(skipped, 0);
    tz_free(berlin);
    struct tz *ny = load("America/New_York");
    assert_int_equal(from_civil(ny, 2026, 3, 8, 2, 30, &skipped), 1772953200);
    assert_int_equal(skipped, 1);
    assert_int_equal(from_civil(ny, 2026, 11, 1, 1, 30, &skipped), 1793511000);
    tz_free(ny);
    /* Out-of-range fields are normalised: 32 Dec 2026 is 1 Jan 2027. */
    struct tz *utc = load("UTC");
    assert_int_equal(from_civil(utc, 2026, 12, 32, 0, 0, NULL), 1798761600);
    assert_int_equal(from_civil(utc, 2026, 13, 1, 0, 0, NULL), 1798761600);
    tz_free(utc);
}

static void test_tz_refuses_unknown_and_unsafe_names(void **state)
{
    (void)state;
    struct tz *z = NULL;
    struct err e;
    assert_int_equal(tz_load("Asia/Kolkatta", &z, &e), ERR_NOTFOUND);
    assert_non_null(strstr(e.msg, "unknown time zone \"Asia/Kolkatta\""));
    assert_null(z);
    assert_int_equal(tz_load("../../etc/passwd", &z, &e), ERR_INPUT);
    assert_int_equal(tz_load("/etc/localtime", &z, &e), ERR_INPUT);
    assert_int_equal(tz_load("", &z, &e), ERR_INPUT);
    /* A directory of the database is not a zone. */
    assert_int_equal(tz_load("Europe", &z, &e), ERR_INPUT);
}

static void test_tz_calendar_helpers(void **state)
{
    (void)state;
    assert_int_equal(tz_days_from_civil(1970, 1, 1), 0);
    assert_int_equal(tz_days_from_civil(2026, 12, 2), 20789);
    int y, m, d;
    tz_civil_from_days(20789, &y, &m, &d);
    assert_int_equal(y, 2026);
    assert_int_equal(m, 12);
    assert_int_equal(d, 2);
    tz_civil_from_days(-1, &y, &m, &d);
    assert_int_equal(y, 1969);
    assert_int_equal(d, 31);
    assert_int_equal(tz_weekday(0), 3);     /* Thursday */
    assert_int_equal(tz_weekday(20789), 2); /* Wednesday */
    assert_int_equal(tz_weekday(-1), 2);
    assert_int_equal(tz_days_in_month(2028, 2), 29);
    assert_int_equal(tz_days_in_month(2100, 2), 28);
    assert_int_equal(tz_days_in_month(2000, 2), 29);
}

/* "Data as of" (SPEC §3.3): ISO 8601 in the installation's zone with its offset. */
static void test_tz_format_iso_writes_the_offset(void **state)
{
    (void)state;
    struct tz *kolkata, *new_york;
    struct err e;
    err_clear(&e);
    assert_int_equal(tz_load("Asia/Kolkata", &kolkata, &e), 0);
    assert_int_equal(tz_load("America/New_York", &new_york, &e), 0);
    char out[TZ_ISO_MAX];
    tz_format_iso(kolkata, 1796169600, out);
    assert_string_equal(out, "2026-12-02T05:30:00+05:30");
    tz_format_iso(new_york, 1772953199, out);
    assert_string_equal(out, "2026-03-08T01:59:59-05:00");
    tz_format_iso(NULL, 1796169600, out);
    assert_string_equal(out, "2026-12-02T00:00:00Z");
    tz_format_iso(kolkata, 0, out); /* unknown */
    assert_string_equal(out, "");
    tz_free(kolkata);
    tz_free(new_york);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_tz_offsets_match_the_tz_database),
        cmocka_unit_test(test_tz_format_iso_writes_the_offset),
        cmocka_unit_test(test_tz_to_civil_gives_the_wall_clock),
        cmocka_unit_test(test_tz_from_civil_across_clock_changes),
        cmocka_unit_test(test_tz_refuses_unknown_and_unsafe_names),
        cmocka_unit_test(test_tz_calendar_helpers),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
