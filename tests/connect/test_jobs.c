/* test_jobs.c — unit tests for jobs.c, the runner of stored sources and reports, without
 * the network: a folder source in a new SQLite database, run by jobs_run_due at set
 * moments — not before it is due, once when due, not twice, once after many missed runs,
 * every job with force — and claimed by one connection only; a report filed in a folder
 * with its period resolved; the next-run instants. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <dirent.h>
#include <ftw.h>
#include <unistd.h>

#include "testutil.h"

#include "jobs.h"
#include "store.h"
#include "tz.h"

#include "banned.h"

struct fixture {
    char dir[PATH_MAX];
    char url[PATH_MAX + 16];
    char drop[PATH_MAX + 8];
    struct tz *zone;
    struct store *s;
};

static int setup(void **state)
{
    struct fixture *f = calloc(1, sizeof *f);
    if (!f || !testutil_make_dir(f->dir, sizeof f->dir, "jobs"))
        return -1;
    snprintf(f->url, sizeof f->url, "sqlite:%s/d.db", f->dir);
    snprintf(f->drop, sizeof f->drop, "%s/drop", f->dir);
    mkdir(f->drop, 0700);
    struct err e;
    err_clear(&e);
    if (tz_load("Asia/Kolkata", &f->zone, &e) < 0 || store_open(f->url, &f->s, &e) < 0) {
        print_error("%s\n", e.msg);
        return -1;
    }
    *state = f;
    return 0;
}

static int remove_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    (void)st;
    (void)flag;
    (void)ftw;
    return remove(path);
}

static int teardown(void **state)
{
    struct fixture *f = *state;
    store_close(f->s);
    tz_free(f->zone);
    nftw(f->dir, remove_entry, 16, FTW_DEPTH | FTW_PHYS); /* done/, out/ and their files */
    free(f);
    return 0;
}

/* A file in the drop folder, old enough to have settled. */
static void drop_file(struct fixture *f, const char *name, const char *text)
{
    char path[PATH_MAX + 300];
    snprintf(path, sizeof path, "%s/%s", f->drop, name);
    FILE *fp = fopen(path, "w");
    assert_non_null(fp);
    fputs(text, fp);
    fclose(fp);
    struct timeval old[2] = {{1000000000, 0}, {1000000000, 0}};
    assert_int_equal(utimes(path, old), 0);
}

static void add_folder_source(struct fixture *f, const char *schedule, int64_t added_at)
{
    struct store_source src = {.name = "drop",
                               .kind = "folder",
                               .dataset = "influencers",
                               .influencer = "",
                               .account = "",
                               .url = "",
                               .dir = f->drop,
                               .base_url = "",
                               .token = "",
                               .schedule = (char *)schedule,
                               .etag = "",
                               .last_modified = "",
                               .workspace = "default",
                               .added_at = added_at};
    struct err e;
    err_clear(&e);
    assert_int_equal(store_source_put(f->s, &src, &e), 0);
}

struct seen {
    int n;
    char last[128];
    int64_t rows;
};

static void on_run(void *ctx, const struct store_run *run)
{
    struct seen *s = ctx;
    s->n++;
    snprintf(s->last, sizeof s->last, "%s:%s", run->name, run->result);
    s->rows += run->rows;
}

/* One pass at instant now (force: every job); returns the runs made. */
static int pass(struct fixture *f, int64_t now, int force, struct seen *seen)
{
    struct jobs_config c = {.db_url = f->url, .zone = f->zone, .now = now};
    struct err e;
    err_clear(&e);
    size_t ran = 0, failed = 0;
    int rc = jobs_run_due(f->s, &c, force, on_run, seen, &ran, &failed, &e);
    if (rc < 0)
        print_error("jobs_run_due: %s\n", e.msg);
    assert_int_equal(rc, 0);
    assert_int_equal(failed, 0);
    return (int)ran;
}

static int64_t at(const struct tz *z, int y, int mo, int d, int h, int mi)
{
    struct tz_civil c = {y, mo, d, h, mi, 0, 0};
    return tz_from_civil(z, &c, NULL);
}

static void test_a_due_source_runs_once_and_a_missed_one_once(void **state)
{
    struct fixture *f = *state;
    /* added on 1 Dec 2026 at 10:00 IST, daily at 06:00 */
    add_folder_source(f, "daily 06:00", at(f->zone, 2026, 12, 1, 10, 0));
    drop_file(f, "influencers-a.csv", "influencer_id,name,platform\nJA1,First,Instagram\n");
    struct seen seen = {0};
    assert_int_equal(pass(f, at(f->zone, 2026, 12, 2, 5, 59), 0, &seen), 0);
    assert_int_equal(pass(f, at(f->zone, 2026, 12, 2, 6, 0), 0, &seen), 1);
    assert_string_equal(seen.last, "drop:ok");
    assert_true(seen.rows == 1);
    assert_int_equal(pass(f, at(f->zone, 2026, 12, 2, 6, 1), 0, &seen), 0);
    /* five days missed: one run */
    assert_int_equal(pass(f, at(f->zone, 2026, 12, 7, 23, 0), 0, &seen), 1);
    assert_int_equal(pass(f, at(f->zone, 2026, 12, 7, 23, 30), 0, &seen), 0);
    /* forced: runs though nothing is due */
    assert_int_equal(pass(f, at(f->zone, 2026, 12, 7, 23, 31), 1, &seen), 1);
    char done[PATH_MAX + 64];
    snprintf(done, sizeof done, "%s/done/influencers-a.csv", f->drop);
    struct stat st;
    assert_int_equal(stat(done, &st), 0);
    int64_t n = 0;
    struct err e;
    err_clear(&e);
    assert_int_equal(store_count(f->s, DS_INFLUENCERS, &n, &e), 0);
    assert_true(n == 1);
}

static void test_a_source_without_schedule_runs_only_when_forced(void **state)
{
    struct fixture *f = *state;
    add_folder_source(f, "", at(f->zone, 2026, 1, 1, 0, 0));
    struct seen seen = {0};
    assert_int_equal(pass(f, at(f->zone, 2026, 12, 2, 6, 0), 0, &seen), 0);
    assert_int_equal(pass(f, at(f->zone, 2026, 12, 2, 6, 0), 1, &seen), 1);
    assert_int_equal(jobs_next_run("", f->zone, 0, 0), 0);
}

/* A second connection (another server) finds the due run claimed. */
static void test_another_scheduler_finds_the_run_claimed(void **state)
{
    struct fixture *f = *state;
    add_folder_source(f, "hourly", at(f->zone, 2026, 12, 2, 9, 30));
    struct store *other = NULL;
    struct err e;
    err_clear(&e);
    assert_int_equal(store_open(f->url, &other, &e), 0);
    int64_t due = at(f->zone, 2026, 12, 2, 10, 0);
    assert_int_equal(store_job_claim(other, STORE_JOB_SOURCE, "drop", due, &e), 1);
    struct seen seen = {0};
    assert_int_equal(pass(f, due + 60, 0, &seen), 0);
    store_close(other);
}

static void test_a_report_is_filed_with_its_period(void **state)
{
    struct fixture *f = *state;
    char out[PATH_MAX + 8];
    snprintf(out, sizeof out, "%s/out", f->dir);
    mkdir(out, 0700);
    struct store_report r = {.name = "wk",
                             .format = "csv",
                             .filters = "platform=Instagram",
                             .compare = "",
                             .period = "last-week",
                             .schedule = "weekly MON 09:00",
                             .to_dir = out,
                             .mail_to = "",
                             .smtp_url = "",
                             .smtp_user = "",
                             .smtp_password = "",
                             .mail_from = "",
                             .workspace = "default",
                             .added_at = at(f->zone, 2026, 12, 1, 0, 0)};
    struct err e;
    err_clear(&e);
    assert_int_equal(store_report_put(f->s, &r, &e), 0);
    struct seen seen = {0};
    /* Monday 7 Dec 2026, 09:05: due; last week is 30 Nov – 6 Dec */
    assert_int_equal(pass(f, at(f->zone, 2026, 12, 7, 9, 5), 0, &seen), 1);
    assert_string_equal(seen.last, "wk:ok");
    DIR *d = opendir(out);
    assert_non_null(d);
    struct dirent *de;
    int found = 0;
    while ((de = readdir(d)) != NULL)
        if (strstr(de->d_name, "infludash-wk-") == de->d_name) {
            found = 1;
            assert_non_null(strstr(de->d_name, "from=2026-11-30 to=2026-12-06 platform=Instagram"));
            assert_non_null(strstr(de->d_name, ".csv"));
        }
    closedir(d);
    assert_true(found);
    int64_t next = jobs_next_run("weekly MON 09:00", f->zone, at(f->zone, 2026, 12, 7, 9, 0),
                                 at(f->zone, 2026, 12, 7, 9, 5));
    assert_true(next == at(f->zone, 2026, 12, 14, 9, 0));
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)

int main(void)
{
    const struct CMUnitTest tests[] = {
        T(test_a_due_source_runs_once_and_a_missed_one_once),
        T(test_a_source_without_schedule_runs_only_when_forced),
        T(test_another_scheduler_finds_the_run_claimed),
        T(test_a_report_is_filed_with_its_period),
    };
    return cmocka_run_group_tests_name("jobs", tests, NULL, NULL);
}
