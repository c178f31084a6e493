/* tz.c — a reader of TZif files (RFC 8536, versions 1 to 4) and of POSIX TZ rule strings,
 * and the conversions between instants and wall-clock times (see tz.h). Calls buf and err. */
#include "tz.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "buf.h"
#include "banned.h"

#define TZ_MAX_FILE (256 * 1024)

/* One side of a POSIX rule: when a change happens within a year. */
struct rule_date {
    char kind; /* 'M' month/week/day, 'J' julian 1-365 (no Feb 29), 'N' zero-based day */
    int month, week, wday; /* M form */
    int day;               /* J and N forms */
    int secs;              /* local time of day of the change, may be negative or past 24 h */
};

struct posix_rule {
    int present;
    int std_off; /* seconds east of UTC */
    int dst_off;
    int has_dst;
    char std_abbr[16], dst_abbr[16];
    struct rule_date start, end; /* start: into DST (local standard time), end: out of it */
};

struct ttinfo {
    int32_t utoff;
    int isdst;
    int abbr; /* index into abbrs */
};

struct tz {
    char name[128];
    int64_t *trans;     /* transition instants, ascending */
    unsigned char *idx; /* type after each transition */
    size_t ntrans;
    struct ttinfo *types;
    size_t ntypes;
    char *abbrs;
    size_t nabbrs;
    struct posix_rule rule;
};

/* ---- calendar ---- */

int64_t tz_days_from_civil(int year, int month, int day)
{
    /* Howard Hinnant's days_from_civil. */
    int64_t y = (int64_t)year - (month <= 2);
    int64_t era = (y >= 0 ? y : y - 399) / 400;
    int64_t yoe = y - era * 400;
    int64_t doy = (153 * (month + (month > 2 ? -3 : 9)) + 2) / 5 + day - 1;
    int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

void tz_civil_from_days(int64_t z, int *year, int *month, int *day)
{
    z += 719468;
    int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    int64_t doe = z - era * 146097;
    int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    int64_t y = yoe + era * 400;
    int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    int64_t mp = (5 * doy + 2) / 153;
    int d = (int)(doy - (153 * mp + 2) / 5 + 1);
    int m = (int)(mp < 10 ? mp + 3 : mp - 9);
    *year = (int)(y + (m <= 2));
    *month = m;
    *day = d;
}

int tz_weekday(int64_t days)
{
    /* 1970-01-01 was a Thursday (3 when Monday is 0). */
    int64_t w = (days + 3) % 7;
    return (int)(w < 0 ? w + 7 : w);
}

static int is_leap(int y)
{
    return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

int tz_days_in_month(int year, int month)
{
    static const int dm[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (month == 2 && is_leap(year))
        return 29;
    return dm[month - 1];
}

static int64_t floor_div(int64_t a, int64_t b)
{
    int64_t q = a / b;
    return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q;
}

/* ---- POSIX TZ strings ---- */

static int parse_abbr(const char **p, char *out, size_t cap)
{
    const char *s = *p;
    size_t n = 0;
    if (*s == '<') {
        s++;
        while (*s && *s != '>') {
            if (n + 1 < cap)
                out[n++] = *s;
            s++;
        }
        if (*s != '>')
            return -1;
        s++;
    } else {
        while ((*s >= 'A' && *s <= 'Z') || (*s >= 'a' && *s <= 'z')) {
            if (n + 1 < cap)
                out[n++] = *s;
            s++;
        }
    }
    out[n] = '\0';
    if (n < 3 && !(n > 0 && **p == '<'))
        return -1;
    *p = s;
    return 0;
}

static int parse_num(const char **p, int min, int max, int *out)
{
    const char *s = *p;
    int v = 0, n = 0;
    while (*s >= '0' && *s <= '9' && n < 4) {
        v = v * 10 + (*s - '0');
        s++;
        n++;
    }
    if (n == 0 || v < min || v > max)
        return -1;
    *p = s;
    *out = v;
    return 0;
}

/* [+-]hh[:mm[:ss]] as seconds; hours up to 167 (RFC 8536 extension). */
static int parse_hms(const char **p, int *secs)
{
    const char *s = *p;
    int sign = 1;
    if (*s == '+' || *s == '-') {
        sign = *s == '-' ? -1 : 1;
        s++;
    }
    int h, m = 0, sec = 0;
    if (parse_num(&s, 0, 167, &h) < 0)
        return -1;
    if (*s == ':') {
        s++;
        if (parse_num(&s, 0, 59, &m) < 0)
            return -1;
        if (*s == ':') {
            s++;
            if (parse_num(&s, 0, 59, &sec) < 0)
                return -1;
        }
    }
    *secs = sign * (h * 3600 + m * 60 + sec);
    *p = s;
    return 0;
}

static int parse_rule_date(const char **p, struct rule_date *d)
{
    const char *s = *p;
    if (*s == 'M') {
        s++;
        d->kind = 'M';
        if (parse_num(&s, 1, 12, &d->month) < 0 || *s++ != '.' ||
            parse_num(&s, 1, 5, &d->week) < 0 || *s++ != '.' || parse_num(&s, 0, 6, &d->wday) < 0)
            return -1;
    } else if (*s == 'J') {
        s++;
        d->kind = 'J';
        if (parse_num(&s, 1, 365, &d->day) < 0)
            return -1;
    } else {
        d->kind = 'N';
        if (parse_num(&s, 0, 365, &d->day) < 0)
            return -1;
    }
    d->secs = 7200;
    if (*s == '/') {
        s++;
        if (parse_hms(&s, &d->secs) < 0)
            return -1;
    }
    *p = s;
    return 0;
}

static int parse_posix(const char *s, struct posix_rule *r)
{
    memset(r, 0, sizeof *r);
    int off;
    if (parse_abbr(&s, r->std_abbr, sizeof r->std_abbr) < 0 || parse_hms(&s, &off) < 0)
        return -1;
    r->std_off = -off;
    if (*s == '\0') {
        r->present = 1;
        return 0;
    }
    if (parse_abbr(&s, r->dst_abbr, sizeof r->dst_abbr) < 0)
        return -1;
    r->has_dst = 1;
    r->dst_off = r->std_off + 3600;
    if (*s != ',' && *s != '\0') {
        if (parse_hms(&s, &off) < 0)
            return -1;
        r->dst_off = -off;
    }
    if (*s == '\0') {
        /* No rule given: POSIX leaves it to the implementation; use the US rules. */
        r->start = (struct rule_date){'M', 3, 2, 0, 0, 7200};
        r->end = (struct rule_date){'M', 11, 1, 0, 0, 7200};
        r->present = 1;
        return 0;
    }
    if (*s++ != ',' || parse_rule_date(&s, &r->start) < 0 || *s++ != ',' ||
        parse_rule_date(&s, &r->end) < 0 || *s != '\0')
        return -1;
    r->present = 1;
    return 0;
}

/* The day (days since the epoch) a rule date falls on in year. */
static int64_t rule_day(const struct rule_date *d, int year)
{
    if (d->kind == 'J') {
        int doy = d->day - 1; /* 0-based, Feb 29 not counted */
        if (is_leap(year) && d->day >= 60)
            doy++;
        return tz_days_from_civil(year, 1, 1) + doy;
    }
    if (d->kind == 'N')
        return tz_days_from_civil(year, 1, 1) + d->day;
    int64_t first = tz_days_from_civil(year, d->month, 1);
    int first_sun0 = (tz_weekday(first) + 1) % 7; /* 0 = Sunday, as POSIX counts */
    int day = 1 + (d->wday - first_sun0 + 7) % 7 + (d->week - 1) * 7;
    int dim = tz_days_in_month(year, d->month);
    while (day > dim)
        day -= 7;
    return first + day - 1;
}

/* Whether DST is in effect at t under rule r. */
static int rule_is_dst(const struct posix_rule *r, int64_t t)
{
    if (!r->has_dst)
        return 0;
    int y, m, d;
    tz_civil_from_days(floor_div(t + r->std_off, 86400), &y, &m, &d);
    (void)m;
    (void)d;
    /* The year's two changes as instants: the start is given in standard time, the end in
     * daylight time. Check the years around t so that a change near New Year is seen. */
    for (int yy = y + 1; yy >= y - 1; yy--) {
        int64_t start = rule_day(&r->start, yy) * 86400 + r->start.secs - r->std_off;
        int64_t end = rule_day(&r->end, yy) * 86400 + r->end.secs - r->dst_off;
        if (start < end) {
            if (t >= end)
                return 0;
            if (t >= start)
                return 1;
        } else {
            /* Southern hemisphere: DST spans New Year. */
            if (t >= start)
                return 1;
            if (t >= end)
                return 0;
        }
    }
    return 0;
}

/* ---- TZif ---- */

static uint32_t be32(const unsigned char *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static int64_t be64(const unsigned char *p)
{
    return (int64_t)((uint64_t)be32(p) << 32 | be32(p + 4));
}

struct tzif_counts {
    uint32_t isut, isstd, leap, time, type, chars;
};

static int read_counts(const unsigned char *p, size_t len, struct tzif_counts *c, int *version)
{
    if (len < 44 || memcmp(p, "TZif", 4) != 0)
        return -1;
    *version = p[4] ? p[4] - '0' : 1;
    c->isut = be32(p + 20);
    c->isstd = be32(p + 24);
    c->leap = be32(p + 28);
    c->time = be32(p + 32);
    c->type = be32(p + 36);
    c->chars = be32(p + 40);
    if (c->type == 0 || c->type > 256 || c->time > 100000 || c->chars > 4096 || c->leap > 1000)
        return -1;
    return 0;
}

static size_t block_size(const struct tzif_counts *c, int tsize)
{
    return (size_t)c->time * (size_t)tsize + c->time + (size_t)c->type * 6 + c->chars +
           (size_t)c->leap * (size_t)(tsize + 4) + c->isstd + c->isut;
}

static int parse_tzif(struct tz *z, const unsigned char *data, size_t len)
{
    struct tzif_counts c;
    int version;
    if (read_counts(data, len, &c, &version) < 0)
        return -1;
    const unsigned char *p = data + 44;
    size_t left = len - 44;
    int tsize = 4;
    size_t need = block_size(&c, 4);
    if (need > left)
        return -1;
    if (version >= 2) {
        /* Skip the 32-bit block: the 64-bit one that follows says the same, longer. */
        p += need;
        left -= need;
        if (read_counts(p, left, &c, &version) < 0)
            return -1;
        p += 44;
        left -= 44;
        tsize = 8;
        need = block_size(&c, 8);
        if (need > left)
            return -1;
    }
    z->ntrans = c.time;
    z->ntypes = c.type;
    z->nabbrs = c.chars;
    z->trans = xcalloc(c.time ? c.time : 1, sizeof *z->trans);
    z->idx = xcalloc(c.time ? c.time : 1, 1);
    z->types = xcalloc(c.type, sizeof *z->types);
    z->abbrs = xcalloc(c.chars + 1, 1);
    for (uint32_t i = 0; i < c.time; i++) {
        z->trans[i] = tsize == 8 ? be64(p) : (int64_t)(int32_t)be32(p);
        p += tsize;
        if (i && z->trans[i] <= z->trans[i - 1])
            return -1;
    }
    for (uint32_t i = 0; i < c.time; i++) {
        z->idx[i] = *p++;
        if (z->idx[i] >= c.type)
            return -1;
    }
    for (uint32_t i = 0; i < c.type; i++) {
        z->types[i].utoff = (int32_t)be32(p);
        z->types[i].isdst = p[4];
        z->types[i].abbr = p[5];
        if (z->types[i].abbr >= (int)c.chars || z->types[i].utoff < -89999 ||
            z->types[i].utoff > 93599)
            return -1;
        p += 6;
    }
    memcpy(z->abbrs, p, c.chars);
    p += c.chars;
    p += (size_t)c.leap * (size_t)(tsize + 4) + c.isstd + c.isut;
    left = len - (size_t)(p - data);
    if (version >= 2 && left >= 2 && *p == '\n') {
        const unsigned char *nl = memchr(p + 1, '\n', left - 1);
        if (nl && nl > p + 1) {
            char footer[128];
            size_t n = (size_t)(nl - p - 1);
            if (n < sizeof footer) {
                memcpy(footer, p + 1, n);
                footer[n] = '\0';
                if (parse_posix(footer, &z->rule) < 0)
                    memset(&z->rule, 0, sizeof z->rule);
            }
        }
    }
    return 0;
}

static int valid_name(const char *name)
{
    size_t n = strlen(name);
    if (n == 0 || n >= 128 || name[0] == '/' || strstr(name, ".."))
        return 0;
    for (const char *p = name; *p; p++) {
        char c = *p;
        if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
              c == '_' || c == '-' || c == '+' || c == '/'))
            return 0;
    }
    return 1;
}

int tz_load(const char *name, struct tz **out, struct err *e)
{
    *out = NULL;
    if (!name || !valid_name(name))
        return err_set(e, ERR_INPUT,
                       "\"%s\" is not a time zone name: use an IANA name such as Asia/Kolkata "
                       "or Europe/Berlin",
                       name ? name : "");
    const char *dir = getenv("TZDIR");
    if (!dir || !*dir)
        dir = "/usr/share/zoneinfo";
    struct buf path = BUF_INIT;
    buf_printf(&path, "%s/%s", dir, name);
    int rc = 0;
    unsigned char *data = NULL;
    struct tz *z = NULL;
    int fd = open(buf_cstr(&path), O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        rc = err_set(e, errno == ENOENT ? ERR_NOTFOUND : ERR_IO,
                     "unknown time zone \"%s\": %s (%s; IANA names such as Asia/Kolkata; "
                     "Debian's tzdata package holds them)",
                     name, strerror(errno), buf_cstr(&path));
        goto out;
    }
    struct stat st;
    if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) || st.st_size > TZ_MAX_FILE) {
        rc = err_set(e, ERR_INPUT, "%s is not a time zone file", buf_cstr(&path));
        goto out;
    }
    size_t len = (size_t)st.st_size;
    data = xmalloc(len ? len : 1);
    size_t got = 0;
    while (got < len) {
        ssize_t r = read(fd, data + got, len - got);
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0) {
            rc = err_set(e, ERR_IO, "cannot read %s: %s", buf_cstr(&path),
                         r < 0 ? strerror(errno) : "file shrank");
            goto out;
        }
        got += (size_t)r;
    }
    z = xcalloc(1, sizeof *z);
    snprintf(z->name, sizeof z->name, "%s", name);
    if (parse_tzif(z, data, len) < 0) {
        rc = err_set(e, ERR_INPUT, "%s is not a valid TZif time zone file", buf_cstr(&path));
        goto out;
    }
    *out = z;
    z = NULL;
out:
    if (fd >= 0)
        close(fd);
    free(data);
    tz_free(z);
    buf_release(&path);
    return rc;
}

void tz_free(struct tz *z)
{
    if (!z)
        return;
    free(z->trans);
    free(z->idx);
    free(z->types);
    free(z->abbrs);
    free(z);
}

const char *tz_name(const struct tz *z)
{
    return z->name;
}

/* The type in effect at t from the table, or -1 when the footer rule decides. */
static int type_at(const struct tz *z, int64_t t)
{
    if (z->ntrans == 0 || t < z->trans[0]) {
        if (z->ntrans == 0 && z->rule.present)
            return -1;
        return 0;
    }
    if (t >= z->trans[z->ntrans - 1] && z->rule.present)
        return -1;
    size_t lo = 0, hi = z->ntrans; /* trans[lo] <= t < trans[hi] */
    while (hi - lo > 1) {
        size_t mid = lo + (hi - lo) / 2;
        if (z->trans[mid] <= t)
            lo = mid;
        else
            hi = mid;
    }
    return z->idx[lo];
}

int tz_utoff(const struct tz *z, int64_t t)
{
    int ty = type_at(z, t);
    if (ty >= 0)
        return z->types[ty].utoff;
    return rule_is_dst(&z->rule, t) ? z->rule.dst_off : z->rule.std_off;
}

const char *tz_abbr(const struct tz *z, int64_t t)
{
    int ty = type_at(z, t);
    if (ty >= 0)
        return z->abbrs + z->types[ty].abbr;
    return rule_is_dst(&z->rule, t) ? z->rule.dst_abbr : z->rule.std_abbr;
}

void tz_to_civil(const struct tz *z, int64_t t, struct tz_civil *out)
{
    int64_t local = t + tz_utoff(z, t);
    int64_t days = floor_div(local, 86400);
    int64_t secs = local - days * 86400;
    tz_civil_from_days(days, &out->year, &out->month, &out->day);
    out->hour = (int)(secs / 3600);
    out->minute = (int)(secs / 60 % 60);
    out->second = (int)(secs % 60);
    out->wday = tz_weekday(days);
}

/* The wall time as seconds, read as if it were UTC (fields normalised). */
static int64_t civil_seconds(const struct tz_civil *c)
{
    int64_t months = (int64_t)c->year * 12 + (c->month - 1);
    int y = (int)floor_div(months, 12);
    int m = (int)(months - (int64_t)y * 12) + 1;
    return tz_days_from_civil(y, m, 1) * 86400 + (int64_t)(c->day - 1) * 86400 +
           (int64_t)c->hour * 3600 + (int64_t)c->minute * 60 + c->second;
}

int64_t tz_from_civil(const struct tz *z, const struct tz_civil *local, int *skipped)
{
    int64_t wall = civil_seconds(local);
    /* The offsets a day before and a day after: around any one change (no zone changes
     * twice within two days), the wall time maps with one of them or falls in a gap. */
    int before = tz_utoff(z, wall - 86400 - 50400);
    int after = tz_utoff(z, wall + 86400 + 50400);
    int64_t a = wall - before, b = wall - after;
    int a_ok = tz_utoff(z, a) == before, b_ok = tz_utoff(z, b) == after;
    if (skipped)
        *skipped = 0;
    if (a_ok && b_ok)
        return a < b ? a : b; /* twice: the first occurrence */
    if (a_ok)
        return a;
    if (b_ok)
        return b;
    /* In a gap: the change happened between b and a (b < a). Find its instant. */
    int64_t lo = b < a ? b : a, hi = b < a ? a : b;
    int off_lo = tz_utoff(z, lo);
    while (hi - lo > 1) {
        int64_t mid = lo + (hi - lo) / 2;
        if (tz_utoff(z, mid) == off_lo)
            lo = mid;
        else
            hi = mid;
    }
    if (skipped)
        *skipped = 1;
    return hi;
}

void tz_format_iso(const struct tz *z, int64_t t, char out[TZ_ISO_MAX])
{
    out[0] = '\0';
    if (t <= 0)
        return;
    int off = z ? tz_utoff(z, t) : 0;
    struct tz_civil c;
    int64_t local = t + off;
    int64_t days = local >= 0 ? local / 86400 : -((-local + 86399) / 86400);
    int64_t secs = local - days * 86400;
    tz_civil_from_days(days, &c.year, &c.month, &c.day);
    c.hour = (int)(secs / 3600);
    c.minute = (int)(secs / 60 % 60);
    c.second = (int)(secs % 60);
    if (off == 0 && !z) {
        snprintf(out, TZ_ISO_MAX, "%04d-%02d-%02dT%02d:%02d:%02dZ", c.year, c.month, c.day, c.hour,
                 c.minute, c.second);
        return;
    }
    int a = off < 0 ? -off : off;
    snprintf(out, TZ_ISO_MAX, "%04d-%02d-%02dT%02d:%02d:%02d%c%02d:%02d", c.year, c.month, c.day,
             c.hour, c.minute, c.second, off < 0 ? '-' : '+', a / 3600, a / 60 % 60);
}
