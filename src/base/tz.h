/* tz.h — IANA time zones read from the system's tz database (TZif files under
 * /usr/share/zoneinfo, or $TZDIR), for schedules and for the dates of posts fetched from
 * the platforms. A loaded zone is immutable, so one zone may be used by any number of
 * threads at once; nothing here touches the process's TZ, environ or localtime state
 * (setenv("TZ") + tzset would race with every other thread's getenv and localtime_r).
 * Times past the file's last transition follow its POSIX TZ footer rule
 * ("CET-1CEST,M3.5.0,M10.5.0/3"). Calls buf, err and libc. */
#ifndef INFLUDASH_TZ_H
#define INFLUDASH_TZ_H

#include <stdint.h>

#include "err.h"

#define TZ_DEFAULT "Asia/Kolkata"

struct tz;

/* A wall-clock time in some zone. wday: 0 = Monday ... 6 = Sunday (set by tz_to_civil). */
struct tz_civil {
    int year, month, day; /* month 1-12, day 1-31 */
    int hour, minute, second;
    int wday;
};

/* Loads the zone name ("Asia/Kolkata", "Europe/Berlin", "UTC"). ERR_NOTFOUND for a
 * name the database lacks, ERR_INPUT for a malformed name or file. */
int tz_load(const char *name, struct tz **out, struct err *e);
void tz_free(struct tz *z);
const char *tz_name(const struct tz *z);

/* Seconds east of UTC in effect at the instant t (unix seconds). */
int tz_utoff(const struct tz *z, int64_t t);
/* The abbreviation in effect at t ("IST", "CEST", "+0530"); valid while z lives. */
const char *tz_abbr(const struct tz *z, int64_t t);

/* The wall-clock time at instant t. */
void tz_to_civil(const struct tz *z, int64_t t, struct tz_civil *out);
/* The instant a wall-clock time names. A time that occurs twice (clocks going back) is
 * its first occurrence; a time that does not occur (clocks going forward over it) is the
 * instant of the change, and *skipped (when not NULL) is set to 1 (else 0). Fields out of
 * range (month 13, minute 75) are normalised as by timegm. */
int64_t tz_from_civil(const struct tz *z, const struct tz_civil *local, int *skipped);

/* Enough for tz_format_iso's text and its NUL. */
#define TZ_ISO_MAX 32

/* The instant t as ISO 8601 wall-clock time in z with its offset, "2026-12-02T11:23:05+05:30"
 * (z NULL: UTC, "…Z"); "" for t <= 0 (unknown). */
void tz_format_iso(const struct tz *z, int64_t t, char out[TZ_ISO_MAX]);

/* Calendar helpers (proleptic Gregorian): days since 1970-01-01. */
int64_t tz_days_from_civil(int year, int month, int day);
void tz_civil_from_days(int64_t days, int *year, int *month, int *day);
int tz_weekday(int64_t days); /* 0 = Monday ... 6 = Sunday */
int tz_days_in_month(int year, int month);

#endif
