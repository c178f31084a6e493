/* csv_speed.c — throughput of the CSV reader (src/base/csv.c) on a generated
 * tracking_data-like file of ~200 MB (~100-byte rows, some quoted fields) held in memory, fed
 * in 256 KiB chunks as a file read would be. Prints the median MB/s of 5 runs. Built with
 * the project (build/bench/csv_speed):
 *   build/bench/csv_speed [MB] */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "buf.h"
#include "csv.h"
#include "err.h"
#include "banned.h"

#define RUNS 5
#define CHUNK_BYTES ((size_t)256 << 10)

struct totals {
    uint64_t records;
    uint64_t field_bytes;
};

static int count_record(void *ctx, const struct csv_record *rec)
{
    struct totals *t = ctx;
    t->records++;
    for (size_t i = 0; i < rec->nfields; i++)
        t->field_bytes += rec->fields[i].len;
    return 0;
}

static uint64_t next_random(uint64_t *seed)
{
    uint64_t x = *seed;
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    *seed = x;
    return x;
}

/* Appends rows like the peers' tracking_data.csv until the buffer holds target bytes. */
static void generate(struct buf *out, size_t target)
{
    static const char *const sources[] = {"Instagram", "YouTube", "Twitter", "Facebook"};
    static const char *const campaigns[] = {"Summer Shred", "Monsoon Bulk Up",
                                            "\"Festive Season, Special\"", "New Year Reset"};
    static const char *const products[] = {"MuscleBlaze Whey Protein 1kg", "HK Vitals Multivitamin",
                                           "\"Gritzo SuperMilk, Chocolate\"", "TrueBasics Omega 3"};
    uint64_t seed = 0x2545F4914F6CDD1Du;
    buf_puts(out, "tracking_id,source,campaign,influencer_id,user_id,product,date,orders,"
                  "revenue\n");
    for (uint64_t id = 1; out->len < target; id++) {
        uint64_t r = next_random(&seed);
        buf_printf(out, "%llu,%s,%s,INF_%05u,usr_%06u,%s,2025-%02u-%02u,%u,%u.%02u\n",
                   (unsigned long long)id, sources[r % 4], campaigns[(r >> 2) % 4],
                   (unsigned)((r >> 4) % 100000), (unsigned)((r >> 20) % 1000000),
                   products[(r >> 40) % 4], (unsigned)(1 + (r >> 42) % 12),
                   (unsigned)(1 + (r >> 46) % 28), (unsigned)(1 + (r >> 51) % 9),
                   (unsigned)((r >> 32) % 20000), (unsigned)((r >> 56) % 100));
    }
}

static double seconds_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Parses the whole buffer once; returns the seconds taken. */
static double parse_once(const struct buf *input, struct totals *t)
{
    memset(t, 0, sizeof *t);
    struct err e = {0, ""};
    double start = seconds_now();
    struct csv_parser *p = csv_new(NULL, count_record, t);
    int rc = 0;
    for (size_t pos = 0; rc == 0 && pos < input->len; pos += CHUNK_BYTES) {
        size_t n = input->len - pos < CHUNK_BYTES ? input->len - pos : CHUNK_BYTES;
        rc = csv_feed(p, input->data + pos, n, &e);
    }
    if (rc == 0)
        rc = csv_finish(p, &e);
    csv_free(p);
    double elapsed = seconds_now() - start;
    if (rc != 0) {
        fprintf(stderr, "csv_speed: %s\n", e.msg);
        exit(1);
    }
    return elapsed;
}

static int compare_doubles(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

int main(int argc, char **argv)
{
    size_t megabytes = 200;
    if (argc > 1) {
        char *end;
        megabytes = (size_t)strtoull(argv[1], &end, 10);
        if (*end || megabytes == 0) {
            fprintf(stderr, "usage: csv_speed [MB]\n");
            return 2;
        }
    }
    struct buf input = BUF_INIT;
    generate(&input, megabytes << 20);
    double mbps[RUNS];
    struct totals t;
    for (int i = 0; i < RUNS; i++)
        mbps[i] = (double)input.len / 1e6 / parse_once(&input, &t);
    qsort(mbps, RUNS, sizeof mbps[0], compare_doubles);
    printf("csv_speed: %.1f MB, %llu records (%.1f bytes/row), %zu KiB chunks\n",
           (double)input.len / 1e6, (unsigned long long)t.records,
           (double)input.len / (double)t.records, CHUNK_BYTES >> 10);
    printf("csv_speed: median %.0f MB/s (min %.0f, max %.0f) over %d runs\n", mbps[RUNS / 2],
           mbps[0], mbps[RUNS - 1], RUNS);
    buf_release(&input);
    return 0;
}
