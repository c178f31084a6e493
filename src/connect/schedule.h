/* schedule.h — when syncs and scheduled reports run (SPEC §9 `--every`), and the relative
 * periods a scheduled report covers (`--period`). Schedules are wall-clock times in the
 * installation's time zone (tz.h; default Asia/Kolkata), computed without touching the
 * process's TZ, so any thread may call anything here.
 *
 *   hourly             at minute 00 of every hour
 *   daily HH:MM        every day
 *   weekly DAY HH:MM   DAY: MON TUE WED THU FRI SAT SUN, any case
 *   monthly N HH:MM    N 1-31; a month without day N runs on its last day
 *
 * Rules where clocks change: a time skipped when the clocks go forward (a daily 02:30 in
 * Europe/Berlin on the last Sunday of March) runs at the change (03:00 new time), once; a
 * time that happens twice when they go back runs at its first occurrence, once.
 *
 * Missed runs: a server that was down when a run was due runs it once at its next start,
 * however many were missed (schedule_missed). Calls tz, buf and err. */
#ifndef INFLUDASH_SCHEDULE_H
#define INFLUDASH_SCHEDULE_H

#include <stdint.h>

#include "buf.h"
#include "err.h"
#include "tz.h"

enum schedule_kind { SCHEDULE_HOURLY, SCHEDULE_DAILY, SCHEDULE_WEEKLY, SCHEDULE_MONTHLY };

struct schedule {
    enum schedule_kind kind;
    int hour, minute; /* daily, weekly, monthly */
    int wday;         /* weekly: 0 = Monday ... 6 = Sunday */
    int mday;         /* monthly: 1-31 */
};

/* Parses the text of --every. ERR_USAGE with a message that shows the accepted forms. */
int schedule_parse(const char *text, struct schedule *s, struct err *e);
/* The canonical text ("weekly MON 09:00"), appended to out; schedule_parse reads it back. */
void schedule_format(const struct schedule *s, struct buf *out);

/* The first due instant strictly after `after` (unix seconds). */
int64_t schedule_next(const struct schedule *s, const struct tz *z, int64_t after);
/* The last due instant at or before `at`. */
int64_t schedule_prev(const struct schedule *s, const struct tz *z, int64_t at);
/* 1 when a run was due in (last_run, now]: the job should run now (once). last_run is
 * when it last ran, or when it was added if it never ran. */
int schedule_due(const struct schedule *s, const struct tz *z, int64_t last_run, int64_t now);
/* 1 when more than one run was due in (last_run, now]: the server was down over a due
 * time and this run catches up (it still runs once). */
int schedule_missed(const struct schedule *s, const struct tz *z, int64_t last_run, int64_t now);

/* Relative periods of scheduled reports, resolved when the report runs. */
enum schedule_period {
    PERIOD_LAST_WEEK,     /* the last full Monday-Sunday week before today */
    PERIOD_LAST_MONTH,    /* the last full calendar month */
    PERIOD_LAST_7_DAYS,   /* the 7 days ending yesterday */
    PERIOD_LAST_30_DAYS,  /* the 30 days ending yesterday */
    PERIOD_MONTH_TO_DATE, /* the 1st of this month to today */
};

struct schedule_range {
    int32_t from, to; /* day numbers (days since 1970-01-01), both included */
    char from_iso[11], to_iso[11];
    char label[96]; /* "last full week, 23–29 Nov 2026" */
};

/* Parses last-week, last-month, last-7-days, last-30-days, month-to-date (any case). */
int schedule_period_parse(const char *text, enum schedule_period *p, struct err *e);
const char *schedule_period_name(enum schedule_period p);
/* The dates the period covers for a report made at `now`, in zone z. */
void schedule_period_resolve(enum schedule_period p, const struct tz *z, int64_t now,
                             struct schedule_range *out);
/* "23–29 Nov 2026", "30 Nov – 6 Dec 2026", "29 Dec 2025 – 4 Jan 2026", "5 Dec 2026". */
void schedule_format_range(int32_t from, int32_t to, struct buf *out);

#endif
