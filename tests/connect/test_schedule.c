/* test_schedule.c — unit tests for schedules and report periods (src/schedule.c): the
 * --every forms and their refusals, next and previous due instants in Asia/Kolkata and in
 * zones with clock changes (Europe/Berlin, America/New_York), months without day N, runs
 * due and missed, and relative periods with their printed words. The expected instants
 * come from Python's zoneinfo on the same tz database, with the rules of schedule.h. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "buf.h"
#include "err.h"
#include "schedule.h"
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

static struct schedule parse(const char *text)
{
    struct schedule s;
    struct err e;
    err_clear(&e);
    if (schedule_parse(text, &s, &e) != 0)
        fail_msg("schedule_parse \"%s\": %s", text, e.msg);
    return s;
}

static void test_schedule_parses_every_form_in_any_case(void **state)
{
    (void)state;
    static const struct {
        const char *text, *canonical;
    } cases[] = {
        {"hourly", "hourly"},
        {"HOURLY", "hourly"},
        {"daily 09:00", "daily 09:00"},
        {"  Daily   7:05 ", "daily 07:05"},
        {"weekly mon 09:30", "weekly MON 09:30"},
        {"weekly Sun 23:59", "weekly SUN 23:59"},
        {"monthly 1 00:00", "monthly 1 00:00"},
        {"monthly 31 06:00", "monthly 31 06:00"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct schedule s = parse(cases[i].text);
        struct buf b = BUF_INIT;
        schedule_format(&s, &b);
        assert_string_equal(buf_cstr(&b), cases[i].canonical);
        struct schedule again = parse(buf_cstr(&b));
        assert_memory_equal(&s, &again, sizeof s);
        buf_release(&b);
    }
}

static void test_schedule_refuses_what_it_cannot_read(void **state)
{
    (void)state;
    static const struct {
        const char *text, *message;
    } cases[] = {
        {"", "is not one of: hourly, daily HH:MM"},
        {"every day", "is not one of"},
        {"daily", "is not one of"},
        {"daily 24:00", "the time must be HH:MM, 00:00 to 23:59"},
        {"daily 9:5", "the time must be HH:MM"},
        {"daily 09:60", "the time must be HH:MM"},
        {"daily 0900", "the time must be HH:MM"},
        {"weekly FUN 09:00", "\"FUN\" is not a day: use MON TUE WED THU FRI SAT or SUN"},
        {"weekly MON", "is not one of"},
        {"monthly 0 09:00", "\"0\" is not a day of the month (1-31"},
        {"monthly 32 09:00", "is not a day of the month"},
        {"monthly 3x 09:00", "is not a day of the month"},
        {"hourly 5", "is not one of"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct schedule s;
        struct err e;
        err_clear(&e);
        assert_int_equal(schedule_parse(cases[i].text, &s, &e), ERR_USAGE);
        if (!strstr(e.msg, cases[i].message))
            fail_msg("\"%s\": %s", cases[i].text, e.msg);
    }
}

static const struct {
    const char *zone, *every;
    int64_t after, next;
    const char *why;
} next_cases[] = {
    {"Asia/Kolkata", "daily 09:00", 1796169600, 1796182200, "05:30 IST -> 09:00 the same day"},
    {"Asia/Kolkata", "daily 09:00", 1796182200, 1796268600, "at 09:00 itself -> tomorrow"},
    {"Asia/Kolkata", "weekly MON 09:00", 1796182200, 1796614200, "Wed 2 Dec -> Mon 7 Dec"},
    {"Asia/Kolkata", "weekly SUN 23:59", 1796581740, 1797186540, "at Sun 23:59 -> next Sun"},
    {"Asia/Kolkata", "monthly 31 06:00", 1801440000, 1803774600, "Feb 2027 -> 28 Feb"},
    {"Asia/Kolkata", "monthly 31 06:00", 1832976000, 1835397000, "Feb 2028 -> 29 Feb"},
    {"Asia/Kolkata", "monthly 31 06:00", 1806537600, 1809045000, "April -> 30 Apr"},
    {"Asia/Kolkata", "monthly 31 06:00", 1801355400, 1803774600, "31 Jan 06:00 -> 28 Feb"},
    {"Asia/Kolkata", "monthly 1 00:00", 1798741800, 1801420200, "at 1 Jan 00:00 -> 1 Feb"},
    {"Europe/Berlin", "daily 02:30", 1774699200, 1774746000, "skipped 02:30 -> 03:00 CEST"},
    {"Europe/Berlin", "daily 02:30", 1774746000, 1774830600, "the day after -> 02:30 CEST"},
    {"Europe/Berlin", "daily 02:30", 1792843200, 1792888200, "02:30 twice -> the first"},
    {"Europe/Berlin", "daily 02:30", 1792888200, 1792978200, "and not the second"},
    {"Europe/Berlin", "monthly 29 02:15", 1772323200, 1774746000, "29 Mar 02:15 skipped"},
    {"Europe/Berlin", "daily 02:30", 2374056000, 2374102800, "2045: the footer rule"},
    {"America/New_York", "daily 02:30", 1772884800, 1772953200, "skipped 02:30 -> 03:00 EDT"},
    {"America/New_York", "daily 01:30", 1793448000, 1793511000, "01:30 twice -> EDT's"},
    {"America/New_York", "daily 01:30", 1793511000, 1793601000, "then the next day"},
    {"America/New_York", "weekly SUN 02:00", 1772409600, 1772953200, "Sun 02:00 skipped"},
    {"Asia/Kolkata", "hourly", 1796170200, 1796171400, "05:40 IST -> 06:00 IST (:30 UTC)"},
    {"Asia/Kathmandu", "hourly", 1796169600, 1796170500, "+05:45 -> :15 UTC"},
    {"Europe/Berlin", "hourly", 1774744200, 1774746000, "01:30 CET -> 03:00 CEST"},
    {"America/New_York", "hourly", 1793507400, 1793509200, "00:30 EDT -> 01:00 EDT"},
    {"America/New_York", "hourly", 1793509200, 1793512800, "01:00 EDT -> 01:00 EST"},
    {"America/New_York", "hourly", 1793512800, 1793516400, "01:00 EST -> 02:00 EST"},
};

static void test_schedule_next_run_tables(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof next_cases / sizeof next_cases[0]; i++) {
        struct tz *z = load(next_cases[i].zone);
        struct schedule s = parse(next_cases[i].every);
        int64_t got = schedule_next(&s, z, next_cases[i].after);
        if (got != next_cases[i].next)
            fail_msg("%s %s after %lld: %lld, expected %lld (%s)", next_cases[i].zone,
                     next_cases[i].every, (long long)next_cases[i].after, (long long)got,
                     (long long)next_cases[i].next, next_cases[i].why);
        /* The previous due instant of the next one is itself. */
        assert_int_equal(schedule_prev(&s, z, got), got);
        assert_true(schedule_prev(&s, z, got - 1) <= next_cases[i].after);
        tz_free(z);
    }
}

static void test_schedule_due_and_missed(void **state)
{
    (void)state;
    struct tz *z = load("Asia/Kolkata");
    struct schedule s = parse("daily 09:00");
    int64_t nine = 1796182200; /* Wed 2 Dec 2026 09:00 IST */
    /* Ran at 09:00 yesterday, now 08:59 today: not due. */
    assert_int_equal(schedule_due(&s, z, nine - 86400, nine - 60), 0);
    /* At 09:00: due, and nothing missed. */
    assert_int_equal(schedule_due(&s, z, nine - 86400, nine), 1);
    assert_int_equal(schedule_missed(&s, z, nine - 86400, nine), 0);
    /* Down for three days: due, with runs missed; it runs once now. */
    assert_int_equal(schedule_due(&s, z, nine - 4 * 86400, nine + 3600), 1);
    assert_int_equal(schedule_missed(&s, z, nine - 4 * 86400, nine + 3600), 1);
    /* Just ran: not due again until tomorrow. */
    assert_int_equal(schedule_due(&s, z, nine + 5, nine + 86399), 0);
    tz_free(z);
}

static void test_schedule_period_words_and_dates(void **state)
{
    (void)state;
    static const struct {
        const char *zone, *period;
        int64_t now;
        const char *from, *to, *label;
    } cases[] = {
        /* Wed 2 Dec 2026 09:00 IST */
        {"Asia/Kolkata", "last-week", 1796182200, "2026-11-23", "2026-11-29",
         "last full week, 23\xe2\x80\x93"
         "29 Nov 2026"},
        {"Asia/Kolkata", "last-month", 1796182200, "2026-11-01", "2026-11-30",
         "last full month, 1\xe2\x80\x93"
         "30 Nov 2026"},
        {"Asia/Kolkata", "last-7-days", 1796182200, "2026-11-25", "2026-12-01",
         "last 7 days, 25 Nov \xe2\x80\x93 1 Dec 2026"},
        {"Asia/Kolkata", "last-30-days", 1796182200, "2026-11-02", "2026-12-01",
         "last 30 days, 2 Nov \xe2\x80\x93 1 Dec 2026"},
        {"Asia/Kolkata", "month-to-date", 1796182200, "2026-12-01", "2026-12-02",
         "month to date, 1\xe2\x80\x93"
         "2 Dec 2026"},
        /* 30 Nov 2026 19:00 UTC is already 1 Dec in India: last month is November. */
        {"Asia/Kolkata", "last-month", 1796065200, "2026-11-01", "2026-11-30",
         "last full month, 1\xe2\x80\x93"
         "30 Nov 2026"},
        {"UTC", "last-month", 1796065200, "2026-10-01", "2026-10-31",
         "last full month, 1\xe2\x80\x93"
         "31 Oct 2026"},
        /* Sun 3 Jan 2027 and Mon 4 Jan 2027, noon IST */
        {"Asia/Kolkata", "last-week", 1798957800, "2026-12-21", "2026-12-27",
         "last full week, 21\xe2\x80\x93"
         "27 Dec 2026"},
        {"Asia/Kolkata", "last-week", 1799044200, "2026-12-28", "2027-01-03",
         "last full week, 28 Dec 2026 \xe2\x80\x93 3 Jan 2027"},
        {"Asia/Kolkata", "LAST-MONTH", 1799044200, "2026-12-01", "2026-12-31",
         "last full month, 1\xe2\x80\x93"
         "31 Dec 2026"},
        /* 1 Mar 2028: February of a leap year */
        {"Asia/Kolkata", "last-month", 1835505000, "2028-02-01", "2028-02-29",
         "last full month, 1\xe2\x80\x93"
         "29 Feb 2028"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct tz *z = load(cases[i].zone);
        enum schedule_period p;
        struct err e;
        assert_int_equal(schedule_period_parse(cases[i].period, &p, &e), 0);
        struct schedule_range r;
        schedule_period_resolve(p, z, cases[i].now, &r);
        if (strcmp(r.from_iso, cases[i].from) || strcmp(r.to_iso, cases[i].to) ||
            strcmp(r.label, cases[i].label))
            fail_msg("%s at %lld: %s..%s \"%s\", expected %s..%s \"%s\"", cases[i].period,
                     (long long)cases[i].now, r.from_iso, r.to_iso, r.label, cases[i].from,
                     cases[i].to, cases[i].label);
        tz_free(z);
    }
    enum schedule_period p;
    struct err e;
    assert_int_equal(schedule_period_parse("last-year", &p, &e), ERR_USAGE);
    assert_non_null(strstr(e.msg, "last-week, last-month, last-7-days"));
    assert_string_equal(schedule_period_name(PERIOD_MONTH_TO_DATE), "month-to-date");
}

static void test_schedule_format_range_forms(void **state)
{
    (void)state;
    struct buf b = BUF_INIT;
    int32_t d = (int32_t)tz_days_from_civil(2026, 12, 5);
    schedule_format_range(d, d, &b);
    assert_string_equal(buf_cstr(&b), "5 Dec 2026");
    buf_release(&b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_schedule_parses_every_form_in_any_case),
        cmocka_unit_test(test_schedule_refuses_what_it_cannot_read),
        cmocka_unit_test(test_schedule_next_run_tables),
        cmocka_unit_test(test_schedule_due_and_missed),
        cmocka_unit_test(test_schedule_period_words_and_dates),
        cmocka_unit_test(test_schedule_format_range_forms),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
