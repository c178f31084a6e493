/* engine_speed.c — the analytics engine (src/engine/) over generated sample data: ROWS
 * tracking rows of demo data (seed 42) into a new SQLite database, engine_load, then 41
 * filtered engine_kpis (date ranges of a month and more, with a brand or two platforms),
 * the unfiltered one, and 41 engine_breakdown by day. Prints the load time and the median,
 * minimum and maximum per query. Built with the project (build/bench/engine_speed); the
 * figure that matters comes from the optimised build:
 *   build/bench/engine_speed [ROWS]        (default 1000000) */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "buf.h"
#include "demo.h"
#include "engine.h"
#include "err.h"
#include "number.h"
#include "schema.h"
#include "store.h"

#include "banned.h"

enum { RUNS = 41 };

#define SET(field, ...)                                                                            \
    do {                                                                                           \
        static const char *const values_[] = {__VA_ARGS__};                                        \
        (field).values = values_;                                                                  \
        (field).n = sizeof values_ / sizeof values_[0];                                            \
    } while (0)

static double now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static int32_t day(const char *iso)
{
    int32_t d = 0;
    schema_iso_to_days(iso, &d);
    return d;
}

/* The timed queries over eng; prints the figures. */
static int queries(const struct engine *eng, double load_ms, double engine_ms, struct err *e)
{
    struct engine_filter f;
    struct engine_kpis k;
    double ms[RUNS];
    for (int i = 0; i < RUNS; i++) {
        engine_filter_init(&f);
        f.from_day = day("2025-01-01") + i * 7;
        f.to_day = f.from_day + 30 + i * 5;
        if (i % 3 == 1)
            SET(f.brand, "MuscleBlaze");
        if (i % 3 == 2)
            SET(f.platform, "Instagram", "YouTube");
        double a = now_ms();
        if (engine_kpis(eng, &f, &k, e) < 0)
            return -1;
        ms[i] = now_ms() - a;
    }
    engine_filter_init(&f);
    double a = now_ms();
    if (engine_kpis(eng, &f, &k, e) < 0)
        return -1;
    double unfiltered = now_ms() - a;
    double by_day[RUNS];
    for (int i = 0; i < RUNS; i++) {
        engine_filter_init(&f);
        if (i % 2 == 1)
            SET(f.brand, "MuscleBlaze");
        struct engine_group *g;
        size_t n;
        a = now_ms();
        if (engine_breakdown(eng, &f, ENGINE_BY_DAY, &g, &n, e) < 0)
            return -1;
        by_day[i] = now_ms() - a;
        free(g);
    }
    qsort(by_day, RUNS, sizeof by_day[0], cmp_double);
    qsort(ms, RUNS, sizeof ms[0], cmp_double);
    printf("engine: %zu tracking rows, %zu posts, %zu influencers, %zu payouts\n"
           "  demo_load %.0f ms, engine_load %.0f ms\n"
           "  engine_kpis median %.2f ms (min %.2f, max %.2f), unfiltered %.2f ms\n"
           "  engine_breakdown(BY_DAY) median %.2f ms (min %.2f, max %.2f)\n",
           engine_count(eng, DS_TRACKING), engine_count(eng, DS_POSTS),
           engine_count(eng, DS_INFLUENCERS), engine_count(eng, DS_PAYOUTS), load_ms, engine_ms,
           ms[RUNS / 2], ms[0], ms[RUNS - 1], unfiltered, by_day[RUNS / 2], by_day[0],
           by_day[RUNS - 1]);
    return 0;
}

static int run(const char *url, uint64_t rows, struct err *e)
{
    struct store *s = NULL;
    int rc = store_open(url, &s, e);
    if (rc < 0)
        return rc;
    struct demo_opts o = {.rows = rows, .seed = 42};
    double t0 = now_ms();
    rc = demo_load(s, &o, e);
    double t1 = now_ms();
    struct engine *eng = rc == 0 ? engine_load(s, e) : NULL;
    double t2 = now_ms();
    if (rc == 0 && !eng)
        rc = -1;
    if (rc == 0)
        rc = queries(eng, t1 - t0, t2 - t1, e);
    engine_free(eng);
    store_close(s);
    return rc;
}

int main(int argc, char **argv)
{
    uint64_t rows = 1000000;
    if (argc > 1 &&
        (number_parse_u64(argv[1], strlen(argv[1]), &rows) < 0 || rows == 0 || rows > 100000000)) {
        fprintf(stderr, "usage: engine_speed [ROWS] (from 1 to 100000000)\n");
        return 64;
    }
    char dir[] = "/tmp/infludash-engine-speed-XXXXXX";
    if (!mkdtemp(dir)) {
        fprintf(stderr, "engine_speed: cannot make a temporary directory: %s\n", strerror(errno));
        return 1;
    }
    struct buf url = BUF_INIT;
    buf_printf(&url, "sqlite:%s/bench.db", dir);
    struct err e;
    err_clear(&e);
    int rc = run(buf_cstr(&url), rows, &e);
    if (rc < 0)
        fprintf(stderr, "engine_speed: %s\n", e.msg);
    static const char *const files[] = {"bench.db", "bench.db-wal", "bench.db-shm"};
    for (size_t i = 0; i < sizeof files / sizeof files[0]; i++) {
        struct buf path = BUF_INIT;
        buf_printf(&path, "%s/%s", dir, files[i]);
        unlink(buf_cstr(&path));
        buf_release(&path);
    }
    rmdir(dir);
    buf_release(&url);
    return rc < 0 ? 1 : 0;
}
