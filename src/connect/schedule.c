/* schedule.c — parsing schedules, computing their due instants in a time zone, and
 * resolving relative report periods (see schedule.h). Calls tz, buf and err. */
#include "schedule.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "banned.h"

static const char *const day_names[] = {"MON", "TUE", "WED", "THU", "FRI", "SAT", "SUN"};
static const char *const month_abbr[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                         "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};

#define SCHEDULE_FORMS                                                                             \
    "hourly, daily HH:MM, weekly DAY HH:MM (DAY: MON TUE WED THU FRI SAT SUN) or monthly N "       \
    "HH:MM (N: 1-31)"

/* Splits text into at most 4 words separated by spaces. */
static int split_words(const char *text, char words[4][16])
{
    int n = 0;
    const char *p = text;
    for (;;) {
        while (*p == ' ' || *p == '\t')
            p++;
        if (!*p)
            break;
        if (n == 4)
            return -1;
        size_t len = 0;
        while (p[len] && p[len] != ' ' && p[len] != '\t')
            len++;
        if (len >= 16)
            return -1;
        memcpy(words[n], p, len);
        words[n][len] = '\0';
        n++;
        p += len;
    }
    return n;
}

static int parse_hhmm(const char *s, int *hour, int *minute)
{
    /* H:MM or HH:MM, 00:00-23:59 */
    const char *colon = strchr(s, ':');
    if (!colon || colon == s || colon - s > 2 || strlen(colon + 1) != 2)
        return -1;
    for (const char *p = s; *p; p++)
        if (p != colon && !isdigit((unsigned char)*p))
            return -1;
    int h = 0;
    for (const char *p = s; p < colon; p++)
        h = h * 10 + (*p - '0');
    int m = (colon[1] - '0') * 10 + (colon[2] - '0');
    if (h > 23 || m > 59)
        return -1;
    *hour = h;
    *minute = m;
    return 0;
}

int schedule_parse(const char *text, struct schedule *s, struct err *e)
{
    char w[4][16];
    memset(s, 0, sizeof *s);
    int n = text ? split_words(text, w) : -1;
    if (n < 1)
        goto bad;
    if (strcasecmp(w[0], "hourly") == 0 && n == 1) {
        s->kind = SCHEDULE_HOURLY;
        return 0;
    }
    if (strcasecmp(w[0], "daily") == 0 && n == 2) {
        s->kind = SCHEDULE_DAILY;
        if (parse_hhmm(w[1], &s->hour, &s->minute) < 0)
            goto bad_time;
        return 0;
    }
    if (strcasecmp(w[0], "weekly") == 0 && n == 3) {
        s->kind = SCHEDULE_WEEKLY;
        s->wday = -1;
        for (int i = 0; i < 7; i++)
            if (strcasecmp(w[1], day_names[i]) == 0)
                s->wday = i;
        if (s->wday < 0)
            return err_set(e, ERR_USAGE,
                           "schedule \"%s\": \"%s\" is not a day: use MON TUE WED THU FRI SAT "
                           "or SUN",
                           text, w[1]);
        if (parse_hhmm(w[2], &s->hour, &s->minute) < 0)
            goto bad_time;
        return 0;
    }
    if (strcasecmp(w[0], "monthly") == 0 && n == 3) {
        s->kind = SCHEDULE_MONTHLY;
        char *end;
        long d = strtol(w[1], &end, 10);
        if (*end || end == w[1] || d < 1 || d > 31)
            return err_set(e, ERR_USAGE,
                           "schedule \"%s\": \"%s\" is not a day of the month (1-31; a month "
                           "without that day runs on its last day)",
                           text, w[1]);
        s->mday = (int)d;
        if (parse_hhmm(w[2], &s->hour, &s->minute) < 0)
            goto bad_time;
        return 0;
    }
bad:
    return err_set(e, ERR_USAGE, "schedule \"%s\" is not one of: " SCHEDULE_FORMS,
                   text ? text : "");
bad_time:
    return err_set(e, ERR_USAGE, "schedule \"%s\": the time must be HH:MM, 00:00 to 23:59", text);
}

void schedule_format(const struct schedule *s, struct buf *out)
{
    switch (s->kind) {
    case SCHEDULE_HOURLY:
        buf_puts(out, "hourly");
        break;
    case SCHEDULE_DAILY:
        buf_printf(out, "daily %02d:%02d", s->hour, s->minute);
        break;
    case SCHEDULE_WEEKLY:
        buf_printf(out, "weekly %s %02d:%02d", day_names[s->wday], s->hour, s->minute);
        break;
    case SCHEDULE_MONTHLY:
        buf_printf(out, "monthly %d %02d:%02d", s->mday, s->hour, s->minute);
        break;
    }
}

static int64_t local_day(const struct tz *z, int64_t t)
{
    struct tz_civil c;
    tz_to_civil(z, t, &c);
    return tz_days_from_civil(c.year, c.month, c.day);
}

static int day_matches(const struct schedule *s, int64_t day)
{
    int y, m, d;
    switch (s->kind) {
    case SCHEDULE_DAILY:
        return 1;
    case SCHEDULE_WEEKLY:
        return tz_weekday(day) == s->wday;
    case SCHEDULE_MONTHLY:
        tz_civil_from_days(day, &y, &m, &d);
        {
            int dim = tz_days_in_month(y, m);
            return d == (s->mday < dim ? s->mday : dim);
        }
    case SCHEDULE_HOURLY:
        break;
    }
    return 0;
}

static int64_t instant_on(const struct schedule *s, const struct tz *z, int64_t day)
{
    struct tz_civil c = {0};
    tz_civil_from_days(day, &c.year, &c.month, &c.day);
    c.hour = s->hour;
    c.minute = s->minute;
    return tz_from_civil(z, &c, NULL);
}

/* Whether instant t is at minute 00 of a local hour. */
static int top_of_hour(const struct tz *z, int64_t t)
{
    struct tz_civil c;
    tz_to_civil(z, t, &c);
    return c.minute == 0 && c.second == 0;
}

/* Moves t to a whole local minute: up (dir 1) or down (dir -1). */
static int64_t align_minute(const struct tz *z, int64_t t, int dir)
{
    struct tz_civil c;
    tz_to_civil(z, t, &c);
    if (c.second == 0)
        return t;
    return dir > 0 ? t + (60 - c.second) : t - c.second;
}

int64_t schedule_next(const struct schedule *s, const struct tz *z, int64_t after)
{
    if (s->kind == SCHEDULE_HOURLY) {
        /* Minute by minute: a clock change can move the next top of the hour by any
         * number of minutes, and at most ~2 hours are ever scanned. */
        int64_t t = align_minute(z, after + 1, 1);
        for (int i = 0; i < 24 * 60; i++, t += 60)
            if (top_of_hour(z, t))
                return t;
        return t;
    }
    int64_t day = local_day(z, after) - 1;
    for (int i = 0; i < 800; i++, day++) {
        if (!day_matches(s, day))
            continue;
        int64_t t = instant_on(s, z, day);
        if (t > after)
            return t;
    }
    return after + 86400; /* unreachable: every schedule matches within 800 days */
}

int64_t schedule_prev(const struct schedule *s, const struct tz *z, int64_t at)
{
    if (s->kind == SCHEDULE_HOURLY) {
        int64_t t = align_minute(z, at, -1);
        for (int i = 0; i < 24 * 60; i++, t -= 60)
            if (top_of_hour(z, t))
                return t;
        return t;
    }
    int64_t day = local_day(z, at) + 1;
    for (int i = 0; i < 800; i++, day--) {
        if (!day_matches(s, day))
            continue;
        int64_t t = instant_on(s, z, day);
        if (t <= at)
            return t;
    }
    return at - 86400;
}

int schedule_due(const struct schedule *s, const struct tz *z, int64_t last_run, int64_t now)
{
    return schedule_next(s, z, last_run) <= now;
}

int schedule_missed(const struct schedule *s, const struct tz *z, int64_t last_run, int64_t now)
{
    int64_t first = schedule_next(s, z, last_run);
    return first <= now && schedule_next(s, z, first) <= now;
}

/* ---- periods ---- */

static const struct {
    const char *name;
    enum schedule_period p;
} period_names[] = {
    {"last-week", PERIOD_LAST_WEEK},         {"last-month", PERIOD_LAST_MONTH},
    {"last-7-days", PERIOD_LAST_7_DAYS},     {"last-30-days", PERIOD_LAST_30_DAYS},
    {"month-to-date", PERIOD_MONTH_TO_DATE},
};

int schedule_period_parse(const char *text, enum schedule_period *p, struct err *e)
{
    for (size_t i = 0; i < sizeof period_names / sizeof period_names[0]; i++)
        if (text && strcasecmp(text, period_names[i].name) == 0) {
            *p = period_names[i].p;
            return 0;
        }
    return err_set(e, ERR_USAGE,
                   "period \"%s\" is not one of: last-week, last-month, last-7-days, "
                   "last-30-days, month-to-date",
                   text ? text : "");
}

const char *schedule_period_name(enum schedule_period p)
{
    for (size_t i = 0; i < sizeof period_names / sizeof period_names[0]; i++)
        if (period_names[i].p == p)
            return period_names[i].name;
    return "?";
}

#define EN_DASH "\xe2\x80\x93"

void schedule_format_range(int32_t from, int32_t to, struct buf *out)
{
    int y1, m1, d1, y2, m2, d2;
    tz_civil_from_days(from, &y1, &m1, &d1);
    tz_civil_from_days(to, &y2, &m2, &d2);
    if (from == to)
        buf_printf(out, "%d %s %d", d1, month_abbr[m1 - 1], y1);
    else if (y1 == y2 && m1 == m2)
        buf_printf(out, "%d" EN_DASH "%d %s %d", d1, d2, month_abbr[m1 - 1], y1);
    else if (y1 == y2)
        buf_printf(out, "%d %s " EN_DASH " %d %s %d", d1, month_abbr[m1 - 1], d2,
                   month_abbr[m2 - 1], y2);
    else
        buf_printf(out, "%d %s %d " EN_DASH " %d %s %d", d1, month_abbr[m1 - 1], y1, d2,
                   month_abbr[m2 - 1], y2);
}

static void iso(int32_t day, char out[11])
{
    int y, m, d;
    tz_civil_from_days(day, &y, &m, &d);
    snprintf(out, 11, "%04d-%02d-%02d", y, m, d);
}

void schedule_period_resolve(enum schedule_period p, const struct tz *z, int64_t now,
                             struct schedule_range *out)
{
    int64_t today = local_day(z, now);
    int y, m, d;
    tz_civil_from_days(today, &y, &m, &d);
    int64_t first_of_month = tz_days_from_civil(y, m, 1);
    const char *words = "";
    switch (p) {
    case PERIOD_LAST_WEEK: {
        int64_t monday = today - tz_weekday(today);
        out->from = (int32_t)(monday - 7);
        out->to = (int32_t)(monday - 1);
        words = "last full week";
        break;
    }
    case PERIOD_LAST_MONTH: {
        out->to = (int32_t)(first_of_month - 1);
        int py, pm, pd;
        tz_civil_from_days(out->to, &py, &pm, &pd);
        out->from = (int32_t)tz_days_from_civil(py, pm, 1);
        words = "last full month";
        break;
    }
    case PERIOD_LAST_7_DAYS:
        out->from = (int32_t)(today - 7);
        out->to = (int32_t)(today - 1);
        words = "last 7 days";
        break;
    case PERIOD_LAST_30_DAYS:
        out->from = (int32_t)(today - 30);
        out->to = (int32_t)(today - 1);
        words = "last 30 days";
        break;
    case PERIOD_MONTH_TO_DATE:
        out->from = (int32_t)first_of_month;
        out->to = (int32_t)today;
        words = "month to date";
        break;
    }
    iso(out->from, out->from_iso);
    iso(out->to, out->to_iso);
    struct buf b = BUF_INIT;
    buf_printf(&b, "%s, ", words);
    schedule_format_range(out->from, out->to, &b);
    snprintf(out->label, sizeof out->label, "%s", buf_cstr(&b));
    buf_release(&b);
}
