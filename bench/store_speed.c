/* store_speed.c — throughput of the store's bulk write (store_put_many, src/store/): ROWS
 * generated tracking rows into one transaction, in batches of 1,024 as an import hands them
 * over, then the commit. Prints rows/s with and without the commit. Built with the project
 * (build/bench/store_speed); the figure that matters comes from the optimised build:
 *   build/bench/store_speed [ROWS] [URL]   (defaults: 100000 rows, a new SQLite database in
 *                                           a temporary directory; a postgresql:// URL
 *                                           writes into that database) */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "buf.h"
#include "err.h"
#include "number.h"
#include "schema.h"
#include "store.h"

#include "banned.h"

enum { BATCH = 1024 };

static double seconds_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void fill_tracking_row(struct schema_row *row, long i)
{
    char text[64];
    int n;
    schema_row_clear(row);
    row->ds = DS_TRACKING;
#define TEXT(col, ...)                                                                             \
    n = snprintf(text, sizeof text, __VA_ARGS__);                                                  \
    schema_row_set_text(row, schema_col_index(DS_TRACKING, col), text, (size_t)n)
    TEXT("tracking_id", "T%08ld", i);
    TEXT("source", "%s", i % 3 ? "instagram" : "youtube");
    TEXT("campaign", "Summer Sale %ld", i % 12);
    TEXT("influencer_id", "INF%04ld", i % 500);
    TEXT("user_id", "U%07ld", (i * 7919) % 1000000);
    TEXT("product", "%s", i % 2 ? "Whey Protein 1kg" : "Multivitamin Tablets");
    TEXT("brand", "%s", i % 2 ? "MuscleBlaze" : "HKVitals");
    TEXT("date", "2025-%02ld-%02ld", 1 + i % 12, 1 + i % 28);
    TEXT("campaign_type", "%s", i % 2 ? "Test" : "Control");
#undef TEXT
    schema_row_set_int(row, schema_col_index(DS_TRACKING, "orders"), 1 + i % 3);
    schema_row_set_int(row, schema_col_index(DS_TRACKING, "revenue"), 150616 + i % 1000);
    schema_row_set_int(row, schema_col_index(DS_TRACKING, "clicks"), i % 40);
    schema_row_set_int(row, schema_col_index(DS_TRACKING, "is_return"), 0);
    schema_row_set_int(row, schema_col_index(DS_TRACKING, "organic"), i % 10 == 0);
}

static int run(const char *url, long rows, struct err *e)
{
    struct store *s = NULL;
    int rc = store_open(url, &s, e);
    if (rc < 0)
        return rc;
    struct schema_row *batch = xcalloc(BATCH, sizeof *batch);
    for (int i = 0; i < BATCH; i++)
        schema_row_init(&batch[i], DS_TRACKING);
    double t0 = seconds_now();
    rc = store_begin(s, e);
    for (long i = 0; rc == 0 && i < rows;) {
        size_t n = 0;
        for (; n < BATCH && i < rows; n++, i++)
            fill_tracking_row(&batch[n], i);
        rc = store_put_many(s, batch, n, e);
    }
    double t1 = seconds_now();
    if (rc == 0)
        rc = store_commit(s, e);
    else
        store_rollback(s);
    double t2 = seconds_now();
    if (rc == 0)
        printf("store_put_many (%s): %ld tracking_data rows in %.3f s = %.0f rows/s (commit "
               "%.3f s, %.0f rows/s with it)\n",
               store_backend(s), rows, t1 - t0, (double)rows / (t1 - t0), t2 - t1,
               (double)rows / (t2 - t0));
    for (int i = 0; i < BATCH; i++)
        schema_row_release(&batch[i]);
    free(batch);
    store_close(s);
    return rc;
}

int main(int argc, char **argv)
{
    uint64_t rows = 100000;
    if (argc > 1 &&
        (number_parse_u64(argv[1], strlen(argv[1]), &rows) < 0 || rows == 0 || rows > 100000000)) {
        fprintf(stderr, "usage: store_speed [ROWS] [URL] (ROWS from 1 to 100000000)\n");
        return 64;
    }
    char dir[] = "/tmp/infludash-store-speed-XXXXXX";
    struct buf url = BUF_INIT;
    if (argc > 2) {
        buf_puts(&url, argv[2]);
    } else {
        if (!mkdtemp(dir)) {
            fprintf(stderr, "store_speed: cannot make a temporary directory: %s\n",
                    strerror(errno));
            return 1;
        }
        buf_printf(&url, "sqlite:%s/bench.db", dir);
    }
    struct err e;
    err_clear(&e);
    int rc = run(buf_cstr(&url), (long)rows, &e);
    if (rc < 0)
        fprintf(stderr, "store_speed: %s\n", e.msg);
    if (argc <= 2) {
        static const char *const files[] = {"bench.db", "bench.db-wal", "bench.db-shm"};
        for (size_t i = 0; i < sizeof files / sizeof files[0]; i++) {
            struct buf path = BUF_INIT;
            buf_printf(&path, "%s/%s", dir, files[i]);
            unlink(buf_cstr(&path));
            buf_release(&path);
        }
        rmdir(dir);
    }
    buf_release(&url);
    return rc < 0 ? 1 : 0;
}
