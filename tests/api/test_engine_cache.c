/* test_engine_cache.c — the engine cache file (engine_cache.c): an engine read back from it
 * answers byte for byte as the engine loaded from the store (dashboard, influencers,
 * payouts and insights JSON under several filters, demo data of two seeds); a file of an
 * older data version (after an import), another database or workspace, another format, a
 * wrong magic, one cut short at any length, one damaged, and one whose checksum is right but
 * whose lengths or indexes lie are all refused with a reason, never read. A file of older
 * data with only tracking rows appended since is a base that engine_extend makes into the
 * engine a load gives, byte for byte; one with tracking rows replaced or removed since is
 * not. The engine fed the tracking rows as they are stored (engine_feed, `infludash
 * import`) is the one a load gives, byte for byte; it is refused when the stored rows are
 * not the rows fed. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "testutil.h"
#include "teststore.h"

#include "api_data.h"
#include "buf.h"
#include "demo.h"
#include "engine.h"
#include "filter.h"

#include "banned.h"

static int setup(void **state)
{
    return teststore_open(state, "engine-cache");
}

static struct store_stamp stamp_of(struct store *s)
{
    struct err e;
    err_clear(&e);
    struct store_stamp st;
    if (store_data_stamp(s, &st, &e) < 0)
        fail_msg("store_data_stamp: %s", e.msg);
    return st;
}

static void demo(struct store *s, uint64_t seed, uint64_t rows)
{
    struct demo_opts o = {.rows = rows, .seed = seed};
    struct err e;
    err_clear(&e);
    if (demo_load(s, &o, &e) < 0)
        fail_msg("demo_load: %s", e.msg);
}

static void cache_path(const struct fixture *f, char *out, size_t cap)
{
    snprintf(out, cap, "%s.engine", f->db);
}

static void write_cache(const struct fixture *f, const struct engine *eng,
                        const struct store_stamp *st)
{
    char path[PATH_MAX + 64];
    cache_path(f, path, sizeof path);
    struct err e;
    err_clear(&e);
    if (engine_cache_write(eng, path, st, "default", &e) < 0)
        fail_msg("engine_cache_write: %s", e.msg);
}

static struct engine *read_cache(const struct fixture *f, const struct store_stamp *st,
                                 struct err *e)
{
    char path[PATH_MAX + 64];
    cache_path(f, path, sizeof path);
    err_clear(e);
    return engine_cache_read(path, st, "default", e);
}

/* The bytes of the cache file (the caller frees them). */
static unsigned char *slurp(const struct fixture *f, size_t *len)
{
    char path[PATH_MAX + 64];
    cache_path(f, path, sizeof path);
    FILE *fp = fopen(path, "rb");
    assert_non_null(fp);
    struct buf b = BUF_INIT;
    char chunk[65536];
    size_t n;
    while ((n = fread(chunk, 1, sizeof chunk, fp)) > 0)
        buf_append(&b, chunk, n);
    fclose(fp);
    *len = b.len;
    return (unsigned char *)buf_detach(&b);
}

/* Every answer of eng under the filters, one after the other. */
static void answers_n(const struct engine *eng, struct buf *out, size_t nfilters)
{
    static const char *const filters[][9] = {
        {NULL},
        {"from", "2025-02-01", "to", "2025-04-30", NULL},
        {"platform", "Instagram,YouTube", NULL},
        {"min_roas", "1.5", NULL},
        {"from", "2025-03-01", "basis", "order", NULL},
    };
    for (size_t i = 0; i < sizeof filters / sizeof filters[0] && i < nfilters; i++) {
        struct filter f;
        struct err e;
        err_clear(&e);
        if (filter_parse(&f, filter_kv_get, (void *)filters[i], &e) < 0)
            fail_msg("filter_parse: %s", e.msg);
        struct api_settings s;
        api_settings_default(&s);
        int rc = api_dashboard_json(eng, &f, &s, out, &e);
        buf_putc(out, '\n');
        if (rc == 0)
            rc = api_influencers_json(eng, &f, &s, out, &e);
        buf_putc(out, '\n');
        if (rc == 0)
            rc = api_payouts_json(eng, &f, &s, out, &e);
        buf_putc(out, '\n');
        if (rc == 0)
            rc = api_insights_json(eng, &f, &s, out, &e);
        buf_putc(out, '\n');
        if (rc < 0)
            fail_msg("answers: %s", e.msg);
        filter_release(&f);
    }
}

static void answers(const struct engine *eng, struct buf *out)
{
    answers_n(eng, out, SIZE_MAX);
}

/* got answers every filter of answers() byte for byte as want does. */
static void assert_same_answers(const struct engine *want_eng, const struct engine *got_eng)
{
    struct buf want = BUF_INIT, got = BUF_INIT;
    answers(want_eng, &want);
    answers(got_eng, &got);
    assert_true(want.len > 1000);
    assert_int_equal(got.len, want.len);
    assert_memory_equal(got.data, want.data, want.len);
    buf_release(&want);
    buf_release(&got);
}

/* On demo data of two seeds, a read-back engine answers as the loaded one. */
static void cached_engine_answers_as_the_loaded_one(void **state)
{
    struct fixture *f = *state;
    static const uint64_t seeds[] = {1, 7};
    for (size_t i = 0; i < 2; i++) {
        demo(f->store, seeds[i], 4000);
        struct store_stamp st = stamp_of(f->store);
        struct err e;
        err_clear(&e);
        struct engine *loaded = engine_load_snapshot(f->store, f->url, &e);
        if (!loaded)
            fail_msg("engine_load_snapshot: %s", e.msg);
        write_cache(f, loaded, &st);
        struct engine *cached = read_cache(f, &st, &e);
        if (!cached)
            fail_msg("engine_cache_read: %s", e.msg);
        assert_same_answers(loaded, cached);
        assert_int_equal(engine_as_of(cached), engine_as_of(loaded));
        assert_int_equal(engine_count(cached, DS_TRACKING), engine_count(loaded, DS_TRACKING));
        assert_int_equal(engine_cube_size(cached), engine_cube_size(loaded));
        assert_int_equal(engine_skipped_count(cached, DS_COUNT),
                         engine_skipped_count(loaded, DS_COUNT));
        engine_free(cached);
        engine_free(loaded);
    }
}

/* An empty database's engine goes through the file too. */
static void empty_engine_round_trips(void **state)
{
    struct fixture *f = *state;
    struct store_stamp st = stamp_of(f->store);
    struct engine *loaded = load(f->store);
    write_cache(f, loaded, &st);
    struct err e;
    struct engine *cached = read_cache(f, &st, &e);
    if (!cached)
        fail_msg("engine_cache_read: %s", e.msg);
    struct buf want = BUF_INIT, got = BUF_INIT;
    answers(loaded, &want);
    answers(cached, &got);
    assert_string_equal(buf_cstr(&got), buf_cstr(&want));
    buf_release(&want);
    buf_release(&got);
    engine_free(cached);
    engine_free(loaded);
}

/* After an import the file's stamp is behind the database's: it is refused as stale; and a
 * file of another database, workspace or a missing one is refused too. */
static void stale_or_foreign_file_is_refused(void **state)
{
    struct fixture *f = *state;
    demo(f->store, 3, 1000);
    struct store_stamp st = stamp_of(f->store);
    struct engine *loaded = load(f->store);
    write_cache(f, loaded, &st);
    engine_free(loaded);
    demo(f->store, 4, 1000); /* an import */
    struct store_stamp now = stamp_of(f->store);
    assert_true(now.version > st.version && now.id == st.id);
    struct err e;
    assert_null(read_cache(f, &now, &e));
    assert_non_null(strstr(e.msg, "stale"));

    struct store_stamp other = st;
    other.id ^= 1;
    assert_null(read_cache(f, &other, &e));
    assert_non_null(strstr(e.msg, "another database"));
    char path[PATH_MAX + 64];
    cache_path(f, path, sizeof path);
    err_clear(&e);
    assert_null(engine_cache_read(path, &st, "acme", &e));
    assert_non_null(strstr(e.msg, "another workspace"));
    struct engine *same = read_cache(f, &st, &e); /* the file itself is fine */
    assert_non_null(same);
    engine_free(same);
    snprintf(path + strlen(path), sizeof path - strlen(path), ".missing");
    err_clear(&e);
    assert_null(engine_cache_read(path, &st, "default", &e));
    assert_int_equal(e.code, ERR_NOTFOUND);
}

/* Cut short at any length, any byte damaged, a wrong magic or format: refused. And with
 * the checksum made right again (engine_cache_seal), lying lengths and indexes are refused
 * by the checks of what was read. */
static void damaged_files_are_refused(void **state)
{
    struct fixture *f = *state;
    demo(f->store, 5, 300);
    struct store_stamp st = stamp_of(f->store);
    struct engine *loaded = load(f->store);
    write_cache(f, loaded, &st);
    engine_free(loaded);
    size_t len;
    unsigned char *bytes = slurp(f, &len);
    struct err e;
    err_clear(&e);
    struct engine *ok = engine_cache_parse(bytes, len, &st, "default", &e);
    if (!ok)
        fail_msg("engine_cache_parse: %s", e.msg);
    engine_free(ok);

    /* cut short: at every length up to the header's end and past it in steps */
    for (size_t cut = 0; cut < len; cut += cut < 256 ? 1 : 97) {
        err_clear(&e);
        assert_null(engine_cache_parse(bytes, cut, &st, "default", &e));
        assert_true(e.msg[0] != '\0');
        /* and resealed, so that the body's own lengths must catch it */
        unsigned char *copy = malloc(cut + 1);
        assert_non_null(copy);
        memcpy(copy, bytes, cut);
        if (engine_cache_seal(copy, cut, &st, "default") == 0) {
            err_clear(&e);
            assert_null(engine_cache_parse(copy, cut, &st, "default", &e));
        }
        free(copy);
    }
    /* one bit flipped anywhere in the body: the checksum */
    for (size_t at = 128; at < len; at += 131) {
        bytes[at] ^= 0x10;
        err_clear(&e);
        assert_null(engine_cache_parse(bytes, len, &st, "default", &e));
        bytes[at] ^= 0x10;
    }
    /* the magic and the format version */
    bytes[0] ^= 1;
    assert_null(engine_cache_parse(bytes, len, &st, "default", &e));
    assert_non_null(strstr(e.msg, "not an engine cache"));
    bytes[0] ^= 1;
    bytes[8] ^= 0x7f;
    err_clear(&e);
    assert_null(engine_cache_parse(bytes, len, &st, "default", &e));
    assert_non_null(strstr(e.msg, "another build"));
    bytes[8] ^= 0x7f;

    /* resealed lies: 32-bit words of the body in turn set to a large value, a small one or
     * -1 are either refused or read into an engine whose answers can be computed (the
     * sanitizer build checks every read); a lying length or index is always refused */
    size_t refused = 0, tried = 0;
    for (size_t at = 128; at + 4 <= len; at += 4 * 29) {
        static const uint32_t lies[] = {0xffffffffu, 0x10000u, 0x80u};
        for (size_t k = 0; k < 3; k++) {
            uint32_t was;
            memcpy(&was, bytes + at, 4);
            memcpy(bytes + at, &lies[k], 4);
            engine_cache_seal(bytes, len, &st, "default");
            err_clear(&e);
            struct engine *eng = engine_cache_parse(bytes, len, &st, "default", &e);
            tried++;
            if (eng) {
                struct buf out = BUF_INIT;
                answers_n(eng, &out, 2);
                buf_release(&out);
                engine_free(eng);
            } else {
                refused++;
            }
            memcpy(bytes + at, &was, 4);
        }
    }
    assert_true(refused > 0 && refused < tried);
    free(bytes);
}

/* ---- extending a cached engine by the tracking rows appended since ---- */

static struct engine *load_one(struct store *s, const char *url)
{
    struct err e;
    err_clear(&e);
    struct engine *eng = engine_load_snapshot(s, url, &e);
    if (!eng)
        fail_msg("engine_load_snapshot: %s", e.msg);
    return eng;
}

/* The bytes of eng's cache file for stamp st (the caller frees them). */
static unsigned char *file_of(const struct fixture *f, const struct engine *eng,
                              const struct store_stamp *st, size_t *len)
{
    write_cache(f, eng, st);
    return slurp(f, len);
}

/* Appends tracking rows of round r: some with the keys of stored entries (merged into
 * them), some with new ones (a new brand, product, source, an influencer known only from
 * them, organic rows), some left out, and new influencers, posts and payouts (re-read),
 * among them the influencer that round r - 1's tracking rows named (so that its code
 * moves). */
static void append_round(struct store *s, int r)
{
    char id[32], inf[32], prev[32], brand[32], day[16], rev[32];
    snprintf(inf, sizeof inf, "INFX%d", r);
    snprintf(prev, sizeof prev, "INFX%d", r - 1);
    begin(s);
    put(s, DS_INFLUENCERS, "influencer_id", prev, "name", "Late Arrival", "platform", "YouTube",
        "tier", "Micro", "follower_count", "12000", NULL);
    snprintf(id, sizeof id, "PX%d", r);
    put(s, DS_POSTS, "post_id", id, "influencer_id", prev, "date", "2025-03-04", "campaign",
        "NewCampaign", "reach", "900", "likes", "40", NULL);
    snprintf(id, sizeof id, "PAYX%d", r);
    put(s, DS_PAYOUTS, "payout_id", id, "influencer_id", prev, "campaign", "NewCampaign", "basis",
        "order", "rate", "150000000", NULL);
    /* rows left out (no date): one in round 1, 25 in round 2 (more than the list keeps), so
     * that the extension names its left-out rows from the base's list and the new rows, and
     * then from every row */
    for (int i = 0; i < (r == 2 ? 25 : 1); i++) {
        snprintf(id, sizeof id, "BAD%d-%d", r, i);
        put(s, DS_TRACKING, "tracking_id", id, "brand", "MuscleBlaze", "revenue", "100", NULL);
    }
    for (int i = 0; i < 60; i++) {
        snprintf(id, sizeof id, "X%d-%d", r, i);
        snprintf(day, sizeof day, "2025-%02d-%02d", 1 + i % 9, 1 + i % 27);
        snprintf(rev, sizeof rev, "%d", 10000 + 977 * i);
        snprintf(brand, sizeof brand, i % 5 == 0 ? "NewBrand%d" : "MuscleBlaze", r);
        const char *who = i % 7 == 0 ? inf : i % 7 == 1 ? prev : i % 7 == 2 ? "" : "INF00003";
        if (who[0])
            put(s, DS_TRACKING, "tracking_id", id, "influencer_id", who, "date", day, "brand",
                brand, "product", i % 3 ? "MB Whey" : "NewProduct", "campaign",
                i % 4 ? "MB_Summer_Shred" : "NewCampaign", "source",
                i % 6 ? "instagram_story" : "new_source", "orders", i % 2 ? "2" : "1", "revenue",
                rev, NULL);
        else
            put(s, DS_TRACKING, "tracking_id", id, "date", day, "brand", brand, "orders", "1",
                "revenue", rev, NULL);
    }
    commit(s);
}

/* After appends, the file of the cache before is refused as current but taken as a base;
 * the base extended by the rows stored since is the engine a load gives, byte for byte in
 * its cache file (against the load on one connection, whose dictionary codes follow the
 * rows' order as the extension's do) and in its answers (against the load on several
 * connections too); three rounds, each extending the one before, on demo data of two
 * seeds. */
static void extended_engine_is_the_loaded_one(void **state)
{
    struct fixture *f = *state;
    static const uint64_t seeds[] = {1, 7};
    for (size_t k = 0; k < 2; k++) {
        demo(f->store, seeds[k], 3000);
        struct store_stamp st = stamp_of(f->store);
        struct engine *base = load_one(f->store, NULL);
        for (int r = 1; r <= 3; r++) {
            write_cache(f, base, &st);
            engine_free(base);
            append_round(f->store, r);
            struct store_stamp now = stamp_of(f->store);
            assert_true(now.version > st.version && now.rewritten <= st.version);
            struct err e;
            assert_null(read_cache(f, &now, &e));
            assert_non_null(strstr(e.msg, "stale"));
            char path[PATH_MAX + 64];
            cache_path(f, path, sizeof path);
            int64_t version = -1;
            base = engine_cache_read_base(path, &now, "default", &version, &e);
            if (!base)
                fail_msg("engine_cache_read_base: %s", e.msg);
            assert_int_equal(version, st.version);
            size_t had = engine_count(base, DS_TRACKING);
            /* the one that leaves base alone first (a server's served engine): the same */
            struct engine *from = engine_extend_snapshot_from(base, f->store, &e);
            if (!from)
                fail_msg("engine_extend_snapshot_from: %s", e.msg);
            struct engine *ext = engine_extend_snapshot(base, f->store, &e); /* takes base */
            if (!ext)
                fail_msg("engine_extend_snapshot: %s", e.msg);
            assert_int_equal(engine_count(ext, DS_TRACKING), had + 60);
            size_t nskipped;
            const struct engine_skipped_row *skipped = engine_skipped(ext, &nskipped);
            assert_int_equal(nskipped, r == 1 ? 1 : ENGINE_SKIPPED_KEEP);
            assert_string_equal(skipped[0].id, "BAD1-0");
            struct engine *one = load_one(f->store, NULL), *many = load_one(f->store, f->url);
            size_t n_ext, n_one, n_from;
            unsigned char *b_ext = file_of(f, ext, &now, &n_ext);
            unsigned char *b_one = file_of(f, one, &now, &n_one);
            unsigned char *b_from = file_of(f, from, &now, &n_from);
            assert_int_equal(n_ext, n_one);
            assert_memory_equal(b_ext, b_one, n_one);
            assert_int_equal(n_from, n_one);
            assert_memory_equal(b_from, b_one, n_one);
            free(b_ext);
            free(b_one);
            free(b_from);
            engine_free(from);
            assert_same_answers(many, ext);
            engine_free(one);
            engine_free(many);
            base = ext;
            st = now;
        }
        engine_free(base);
    }
}

/* A stored tracking row imported again (an upsert), or every tracking row removed (a
 * replace), since the file was written: it is no base (the stored rows must be read), and
 * appends after that do not make it one again. Rows of the other datasets replaced keep it
 * one (they are read again). */
static void replaced_tracking_rows_refuse_the_base(void **state)
{
    struct fixture *f = *state;
    demo(f->store, 3, 1000);
    char path[PATH_MAX + 64];
    cache_path(f, path, sizeof path);
    struct err e;
    int64_t version;
    for (int how = 0; how < 3; how++) {
        struct store_stamp st = stamp_of(f->store);
        struct engine *loaded = load_one(f->store, NULL);
        write_cache(f, loaded, &st);
        engine_free(loaded);
        begin(f->store);
        if (how == 0) { /* an influencer and a post replaced: still a base */
            put(f->store, DS_INFLUENCERS, "influencer_id", "INF00001", "name", "Renamed", NULL);
            put(f->store, DS_POSTS, "post_id", "PX", "influencer_id", "INF00001", "date",
                "2025-02-02", NULL);
        } else if (how == 1) {
            put(f->store, DS_TRACKING, "tracking_id", "TRK000000007", "date", "2025-02-02",
                "revenue", "100", NULL);
        } else {
            assert_int_equal(store_clear(f->store, DS_TRACKING, &e), 0);
        }
        commit(f->store);
        begin(f->store);
        put(f->store, DS_TRACKING, "tracking_id", how == 2 ? "A1" : "A2", "date", "2025-02-03",
            "revenue", "100", NULL);
        commit(f->store);
        struct store_stamp now = stamp_of(f->store);
        err_clear(&e);
        struct engine *base = engine_cache_read_base(path, &now, "default", &version, &e);
        if (how == 0) {
            if (!base)
                fail_msg("engine_cache_read_base: %s", e.msg);
            struct engine *ext = engine_extend_snapshot(base, f->store, &e);
            assert_non_null(ext);
            struct engine *one = load_one(f->store, NULL);
            struct buf want = BUF_INIT, got = BUF_INIT;
            answers(one, &want);
            answers(ext, &got);
            assert_string_equal(buf_cstr(&got), buf_cstr(&want));
            buf_release(&want);
            buf_release(&got);
            engine_free(one);
            engine_free(ext);
        } else {
            assert_null(base);
            assert_non_null(strstr(e.msg, "tracking rows were replaced or removed"));
        }
    }
}

/* An engine that does not know its rows' last row number (engine_load, without a read
 * transaction) is written and read, but cannot be extended. */
static void engine_without_row_number_is_not_extended(void **state)
{
    struct fixture *f = *state;
    demo(f->store, 2, 500);
    struct engine *eng = load(f->store);
    struct err e;
    err_clear(&e);
    assert_int_equal(engine_can_extend(eng, &e), ERR_INPUT);
    assert_null(engine_extend_snapshot(eng, f->store, &e)); /* freed */
    assert_non_null(strstr(e.msg, "does not know which stored tracking rows"));
}

/* ---- an engine fed the tracking rows as they are stored (`infludash import`) ---- */

struct fed_put {
    struct store *s;
    struct engine_feed *feed;
};

/* store_put of row, then the row to the feed (as the import's third thread gets it). */
static int put_and_feed(void *ctx, const struct schema_row *row)
{
    struct fed_put *fp = ctx;
    struct err e;
    err_clear(&e);
    if (store_put(fp->s, row, &e) != 0)
        fail_msg("store_put: %s", e.msg);
    engine_feed_rows(fp->feed, row, 1);
    return 0;
}

/* put (teststore.h), the row also fed. */
static void put_fed(struct fed_put *fp, enum dataset ds, ...)
{
    struct schema_row row;
    schema_row_init(&row, ds);
    va_list ap;
    va_start(ap, ds);
    row_from_pairs(&row, ds, ap);
    va_end(ap);
    put_and_feed(fp, &row);
    schema_row_release(&row);
}

/* Rows a load leaves out or sets apart, fed too: without a date, revenue past the limit,
 * an influencer known only from its tracking rows, organic rows, an empty brand, a
 * campaign_type of each kind; n of the left-out ones. */
static void put_odd_rows(struct fed_put *fp, int n)
{
    char id[32], rev[32];
    for (int i = 0; i < n; i++) {
        snprintf(id, sizeof id, "NODATE%d", i);
        put_fed(fp, DS_TRACKING, "tracking_id", id, "brand", "MuscleBlaze", "revenue", "100", NULL);
    }
    snprintf(rev, sizeof rev, "%lld", (long long)SCHEMA_MONEY_MAX + 1);
    put_fed(fp, DS_TRACKING, "tracking_id", "HUGE", "date", "2025-02-02", "revenue", rev, NULL);
    put_fed(fp, DS_TRACKING, "tracking_id", "ONLYHERE", "influencer_id", "INFONLY", "date",
            "2025-02-03", "brand", "OddBrand", "product", "Odd", "campaign", "OddCamp", "source",
            "odd", "orders", "2", "revenue", "12345", "campaign_type", "holdout", NULL);
    put_fed(fp, DS_TRACKING, "tracking_id", "ORG", "date", "2025-02-03", "brand", "", "orders", "1",
            "revenue", "500", "campaign_type", "Test", NULL);
    put_fed(fp, DS_TRACKING, "tracking_id", "NEG", "influencer_id", "INFONLY", "date", "2025-02-04",
            "brand", "OddBrand", "revenue", "-700", "is_return", "1", NULL);
}

static struct engine *load_fed(struct engine_feed *feed, struct store *s,
                               const struct store_stamp *st, struct err *e)
{
    err_clear(e);
    return engine_load_fed(feed, s, st, e);
}

/* The engine of the rows fed as they were stored is the one a load gives, byte for byte in
 * its cache file (against the load on one connection) and in its answers (against the load
 * on several): demo data of two seeds, the second replacing the first (every dataset
 * cleared, the feed reset, as a replace-mode import does), with rows a load leaves out. */
static void fed_engine_is_the_loaded_one(void **state)
{
    struct fixture *f = *state;
    static const uint64_t seeds[] = {1, 7};
    for (size_t k = 0; k < 2; k++) {
        struct fed_put fp = {f->store, engine_feed_new()};
        begin(f->store);
        struct err e;
        err_clear(&e);
        if (k > 0) {
            put_odd_rows(&fp, 2); /* fed, then removed with every row */
            for (int ds = 0; ds < DS_COUNT; ds++)
                assert_int_equal(store_clear(f->store, (enum dataset)ds, &e), 0);
            engine_feed_reset(fp.feed);
        }
        struct demo_opts o = {.rows = 3000, .seed = seeds[k]};
        if (demo_generate(&o, put_and_feed, &fp, &e) < 0)
            fail_msg("demo_generate: %s", e.msg);
        put_odd_rows(&fp, k == 0 ? 1 : 25);
        commit(f->store);
        assert_int_equal(engine_feed_count(fp.feed), 3000 + 4 + (k == 0 ? 1 : 25));
        struct store_stamp st = stamp_of(f->store);
        struct engine *fed = load_fed(fp.feed, f->store, &st, &e);
        if (!fed)
            fail_msg("engine_load_fed: %s", e.msg);
        struct engine *one = load_one(f->store, NULL), *many = load_one(f->store, f->url);
        size_t n_fed, n_one;
        unsigned char *b_fed = file_of(f, fed, &st, &n_fed);
        unsigned char *b_one = file_of(f, one, &st, &n_one);
        assert_int_equal(n_fed, n_one);
        assert_memory_equal(b_fed, b_one, n_one);
        free(b_fed);
        free(b_one);
        size_t nskipped;
        engine_skipped(fed, &nskipped);
        assert_true(nskipped >= 2);
        assert_same_answers(many, fed);
        engine_free(fed);
        engine_free(one);
        engine_free(many);
    }
}

/* The feed is refused when the stored tracking rows are not the rows fed (one stored again
 * over another, or a row stored that was not fed), or the data is not at the version
 * given. */
static void fed_engine_of_other_rows_is_refused(void **state)
{
    struct fixture *f = *state;
    struct err e;
    for (int how = 0; how < 3; how++) {
        struct fed_put fp = {f->store, engine_feed_new()};
        begin(f->store);
        err_clear(&e);
        assert_int_equal(store_clear(f->store, DS_TRACKING, &e), 0); /* the feed's start */
        put_fed(&fp, DS_TRACKING, "tracking_id", how == 0 ? "A1" : "B1", "date", "2025-01-01",
                "revenue", "100", NULL);
        put_fed(&fp, DS_TRACKING, "tracking_id", "A1", "date", "2025-01-02", "revenue", "200",
                NULL);
        if (how == 1)
            put(f->store, DS_TRACKING, "tracking_id", "C1", "date", "2025-01-03", "revenue", "300",
                NULL);
        commit(f->store);
        struct store_stamp st = stamp_of(f->store);
        if (how == 2)
            st.version--;
        assert_null(load_fed(fp.feed, f->store, &st, &e));
        assert_non_null(strstr(e.msg, how == 2 ? "data version" : "not the"));
    }
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, remove_store)

int main(void)
{
    const struct CMUnitTest tests[] = {
        T(cached_engine_answers_as_the_loaded_one),   T(empty_engine_round_trips),
        T(stale_or_foreign_file_is_refused),          T(damaged_files_are_refused),
        T(extended_engine_is_the_loaded_one),         T(replaced_tracking_rows_refuse_the_base),
        T(engine_without_row_number_is_not_extended), T(fed_engine_is_the_loaded_one),
        T(fed_engine_of_other_rows_is_refused),
    };
    return cmocka_run_group_tests_name("engine cache", tests, NULL, NULL);
}
