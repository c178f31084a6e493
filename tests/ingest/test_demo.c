/* test_demo.c — the demo data generator: determinism per seed, sizes that follow the row
 * count, sane rows, payouts that follow exactly from their terms and the generated tracking
 * rows, a visible lift on influencer days, every platform and tier, winners and losers,
 * loading into a real SQLite store, and CSV files that hold exactly the generated rows. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "testutil.h"

#include <dirent.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/time.h>
#include <unistd.h>

#include "demo.h"
#include "export.h"
#include "store.h"

#include "banned.h"

#define N_ROWS 20000u
#define MAX_INF 5000
#define MAX_CAMPAIGNS 16

/* ---- reading a generated row ---------------------------------------------------------- */

static const struct schema_value *val(const struct schema_row *row, const char *col)
{
    int c = schema_col_index(row->ds, col);
    assert_true(c >= 0);
    return &row->v[c];
}

static const char *text(const struct schema_row *row, const char *col)
{
    const struct schema_value *v = val(row, col);
    return v->present ? v->s : NULL;
}

static int64_t num(const struct schema_row *row, const char *col)
{
    const struct schema_value *v = val(row, col);
    assert_true(v->present);
    return v->i;
}

static int has(const struct schema_row *row, const char *col)
{
    return val(row, col)->present;
}

/* "INF00042" → 41; fails the test on anything else. */
static int parse_id(const char *s, const char *prefix, int digits)
{
    assert_non_null(s);
    size_t pl = strlen(prefix);
    assert_int_equal(strncmp(s, prefix, pl), 0);
    assert_int_equal(strlen(s), pl + (size_t)digits);
    long long v = 0;
    for (const char *p = s + pl; *p; p++) {
        assert_true(*p >= '0' && *p <= '9');
        v = v * 10 + (*p - '0');
    }
    assert_true(v >= 1);
    return (int)(v - 1);
}

static int32_t day_in_2025(const char *iso)
{
    int32_t d, first, last;
    assert_non_null(iso);
    assert_int_equal(strlen(iso), 10);
    assert_int_equal(schema_iso_to_days(iso, &d), 0);
    assert_int_equal(schema_iso_to_days("2025-01-01", &first), 0);
    assert_int_equal(schema_iso_to_days("2025-12-31", &last), 0);
    assert_true(d >= first && d <= last);
    return d - first;
}

static int one_of(const char *s, const char *const *set, int n)
{
    for (int i = 0; i < n; i++)
        if (s && !strcmp(s, set[i]))
            return i;
    return -1;
}

static const char *const platforms[] = {"Instagram", "YouTube", "Twitter",
                                        "Facebook",  "TikTok",  "LinkedIn"};
static const char *const tiers[] = {"Nano", "Micro", "Mid", "Macro", "Mega"};
static const char *const genders[] = {"Male", "Female", "Non-binary", "Other"};
static const char *const brands[] = {"MuscleBlaze", "HKVitals", "Gritzo"};
static const char *const bases[] = {"post", "order", "revenue_share", "flat", "hybrid"};
#define NBASES 5

/* ---- everything a test wants to know about one generated data set ---------------------- */

struct payout {
    int inf, campaign, basis;
    int64_t rate, orders, posts, revenue, total;
    int rate_present, paid;
};

struct collected {
    uint64_t hash;
    int64_t count[DS_COUNT];
    int platform_of[MAX_INF];
    int platform_seen[6], tier_seen[5];
    char campaign_names[MAX_CAMPAIGNS][64];
    int ncampaigns;
    /* per influencer × campaign, recomputed from posts and tracking rows */
    int64_t posts[MAX_INF][MAX_CAMPAIGNS];
    /* SPEC §3.1 in the sample: posts that carry no campaign (per influencer), posts on
     * another platform than their influencer's, payout rows without a payout_date */
    int64_t untagged[MAX_INF];
    int64_t cross_platform, undated_payouts;
    int64_t orders[MAX_INF][MAX_CAMPAIGNS];
    int64_t revenue[MAX_INF][MAX_CAMPAIGNS];
    int64_t day_revenue[365];
    int day_has_influencer[365];
    int64_t organic, control, attributed;
    struct payout *payouts;
    size_t npayouts;
    int64_t stop_at_tracking; /* when set: stop generation at the first tracking row */
};

static uint64_t fnv(uint64_t h, const void *p, size_t n)
{
    const unsigned char *b = p;
    for (size_t i = 0; i < n; i++)
        h = (h ^ b[i]) * 0x100000001b3ull;
    return h;
}

static void hash_row(struct collected *c, const struct schema_row *row)
{
    const struct schema_dataset *d = schema_dataset(row->ds);
    c->hash = fnv(c->hash, &row->ds, sizeof row->ds);
    for (int i = 0; i < d->ncols; i++) {
        const struct schema_value *v = &row->v[i];
        c->hash = fnv(c->hash, &v->present, sizeof v->present);
        if (!v->present)
            continue;
        if (schema_kind_is_int(d->cols[i].kind))
            c->hash = fnv(c->hash, &v->i, sizeof v->i);
        else
            c->hash = fnv(c->hash, v->s, v->len + 1);
    }
}

static int campaign_index(struct collected *c, const char *name)
{
    assert_non_null(name);
    for (int i = 0; i < c->ncampaigns; i++)
        if (!strcmp(c->campaign_names[i], name))
            return i;
    assert_true(c->ncampaigns < MAX_CAMPAIGNS);
    snprintf(c->campaign_names[c->ncampaigns], sizeof c->campaign_names[0], "%s", name);
    return c->ncampaigns++;
}

static int known_influencer(struct collected *c, const char *id)
{
    int i = parse_id(id, "INF", 5);
    assert_true(i < c->count[DS_INFLUENCERS]);
    return i;
}

static void check_influencer(struct collected *c, const struct schema_row *row)
{
    int i = parse_id(text(row, "influencer_id"), "INF", 5);
    assert_int_equal(i, c->count[DS_INFLUENCERS] - 1); /* in order, no gaps */
    assert_non_null(strchr(text(row, "name"), ' '));
    assert_true(one_of(text(row, "gender"), genders, 4) >= 0);
    int64_t followers = num(row, "follower_count");
    assert_true(followers >= 2000 && followers <= 5000000);
    int p = one_of(text(row, "platform"), platforms, 6);
    int t = one_of(text(row, "tier"), tiers, 5);
    assert_true(p >= 0 && t >= 0);
    assert_non_null(text(row, "persona"));
    assert_non_null(text(row, "category"));
    c->platform_of[i] = p;
    c->platform_seen[p] = 1;
    c->tier_seen[t] = 1;
}

static void check_post(struct collected *c, const struct schema_row *row)
{
    assert_int_equal(parse_id(text(row, "post_id"), "POST", 6), c->count[DS_POSTS] - 1);
    int i = known_influencer(c, text(row, "influencer_id"));
    int platform = one_of(text(row, "platform"), platforms, 6);
    assert_true(platform >= 0);
    c->cross_platform += platform != c->platform_of[i];
    day_in_2025(text(row, "date"));
    assert_int_equal(strncmp(text(row, "url"), "https://", 8), 0);
    const char *brand = text(row, "brand");
    if (!brand) { /* a post that carries no campaign carries no brand or product either */
        assert_false(has(row, "campaign"));
        assert_false(has(row, "product"));
        c->untagged[i]++;
        return;
    }
    assert_true(one_of(brand, brands, 3) >= 0);
    assert_non_null(strstr(text(row, "caption"), brand));
    const char *counts[] = {"reach", "likes", "comments", "shares", "saves", "impressions"};
    for (int k = 0; k < 6; k++)
        assert_true(num(row, counts[k]) >= 0);
    assert_true(num(row, "likes") <= num(row, "reach"));
    c->posts[i][campaign_index(c, text(row, "campaign"))]++;
}

static void check_tracking(struct collected *c, const struct schema_row *row)
{
    assert_int_equal(parse_id(text(row, "tracking_id"), "TRK", 9), c->count[DS_TRACKING] - 1);
    int day = day_in_2025(text(row, "date"));
    int64_t orders = num(row, "orders"), revenue = num(row, "revenue");
    assert_true(orders >= 1);
    assert_true(revenue >= orders * 29900 && revenue <= orders * 499900);
    const char *brand = text(row, "brand");
    assert_true(one_of(brand, brands, 3) >= 0);
    assert_int_equal(strncmp(text(row, "product"), brand, strlen(brand)), 0);
    assert_true(text(row, "user_id")[0] == 'U');
    int organic = (int)num(row, "organic");
    const char *type = text(row, "campaign_type");
    c->day_revenue[day] += revenue;
    if (organic) {
        assert_false(has(row, "influencer_id"));
        if (type) { /* the holdout's control group */
            assert_string_equal(type, "Control");
            assert_string_equal(text(row, "source"), "holdout_control");
            assert_non_null(text(row, "campaign"));
            c->control++;
        } else {
            assert_string_equal(text(row, "source"), "organic");
            c->organic++;
        }
        return;
    }
    int i = known_influencer(c, text(row, "influencer_id"));
    assert_string_equal(type, "Test");
    assert_true(num(row, "clicks") >= orders);
    int k = campaign_index(c, text(row, "campaign"));
    c->orders[i][k] += orders;
    c->revenue[i][k] += revenue;
    c->day_has_influencer[day] = 1;
    c->attributed++;
}

static void check_payout(struct collected *c, const struct schema_row *row)
{
    assert_int_equal(parse_id(text(row, "payout_id"), "PAY", 5), c->count[DS_PAYOUTS] - 1);
    struct payout p;
    memset(&p, 0, sizeof p);
    p.inf = known_influencer(c, text(row, "influencer_id"));
    p.campaign = has(row, "campaign") ? campaign_index(c, text(row, "campaign")) : -1;
    p.basis = one_of(text(row, "basis"), bases, NBASES);
    assert_true(p.basis >= 0);
    p.rate_present = has(row, "rate");
    p.rate = p.rate_present ? num(row, "rate") : 0;
    p.orders = num(row, "orders");
    p.posts = num(row, "posts");
    p.revenue = num(row, "revenue");
    p.total = num(row, "total_payout");
    assert_true(p.orders >= 0 && p.posts >= 0 && p.revenue >= 0 && p.total >= 0);
    if (has(row, "payout_date"))
        day_in_2025(text(row, "payout_date"));
    else
        c->undated_payouts++;
    const char *status = text(row, "status");
    assert_true(!strcmp(status, "Paid") || !strcmp(status, "Pending"));
    p.paid = !strcmp(status, "Paid");
    c->payouts = realloc(c->payouts, (c->npayouts + 1) * sizeof *c->payouts);
    assert_non_null(c->payouts);
    c->payouts[c->npayouts++] = p;
}

static int collect(void *ctx, const struct schema_row *row)
{
    struct collected *c = ctx;
    if (c->stop_at_tracking && row->ds == DS_TRACKING)
        return -42;
    /* datasets arrive in order: influencers, posts, tracking, payouts */
    for (int later = row->ds + 1; later < DS_COUNT; later++)
        assert_int_equal(c->count[later], 0);
    c->count[row->ds]++;
    hash_row(c, row);
    switch (row->ds) {
    case DS_INFLUENCERS:
        check_influencer(c, row);
        break;
    case DS_POSTS:
        check_post(c, row);
        break;
    case DS_TRACKING:
        check_tracking(c, row);
        break;
    default:
        check_payout(c, row);
        break;
    }
    return 0;
}

static struct collected *generate(uint64_t rows, uint64_t seed)
{
    struct collected *c = calloc(1, sizeof *c);
    assert_non_null(c);
    c->hash = 0xcbf29ce484222325ull;
    struct demo_opts o = {.rows = rows, .seed = seed, .progress = 0};
    struct err e = {0, ""};
    assert_int_equal(demo_generate(&o, collect, c, &e), 0);
    return c;
}

static void collected_free(struct collected *c)
{
    free(c->payouts);
    free(c);
}

static int64_t expected_influencers(uint64_t rows)
{
    uint64_t n = rows / 200;
    return n < 60 ? 60 : n > 5000 ? 5000 : (int64_t)n;
}

/* ---- tests ------------------------------------------------------------------------------- */

static void same_seed_gives_identical_rows_and_another_seed_does_not(void **state)
{
    (void)state;
    struct collected *a = generate(N_ROWS, 42), *b = generate(N_ROWS, 42);
    struct collected *other = generate(N_ROWS, 43);
    assert_true(a->hash == b->hash);
    assert_memory_equal(a->count, b->count, sizeof a->count);
    assert_true(a->hash != other->hash);
    collected_free(a);
    collected_free(b);
    collected_free(other);
}

static void sizes_follow_the_row_count(void **state)
{
    (void)state;
    struct collected *c = generate(N_ROWS, 42);
    int64_t ninf = expected_influencers(N_ROWS);
    assert_int_equal(c->count[DS_INFLUENCERS], ninf);
    assert_true(c->count[DS_POSTS] >= ninf * 7 / 2 && c->count[DS_POSTS] <= ninf * 9 / 2);
    assert_int_equal(c->count[DS_TRACKING], N_ROWS);
    assert_true(c->count[DS_PAYOUTS] >= ninf && c->count[DS_PAYOUTS] <= 3 * ninf);
    /* about 30 % organic; the holdout's control rows come on top */
    assert_true(c->organic > N_ROWS * 27 / 100 && c->organic < N_ROWS * 33 / 100);
    assert_true(c->control > 0 && c->control < N_ROWS / 10);
    collected_free(c);

    /* The influencer count is clamped to 60..5000: stop at the first tracking row to see
     * it cheaply for tiny and huge row counts (which also proves a callback can stop). */
    const uint64_t rows[] = {0, 100, 2000000, 10000000};
    for (size_t k = 0; k < sizeof rows / sizeof rows[0]; k++) {
        struct collected *s = calloc(1, sizeof *s);
        assert_non_null(s);
        s->stop_at_tracking = 1;
        struct demo_opts o = {.rows = rows[k], .seed = 7, .progress = 0};
        int rc = demo_generate(&o, collect, s, NULL);
        assert_int_equal(rc, rows[k] ? -42 : 0);
        assert_int_equal(s->count[DS_INFLUENCERS], expected_influencers(rows[k]));
        assert_true(s->count[DS_POSTS] >= s->count[DS_INFLUENCERS] * 3);
        collected_free(s);
    }
}

static void rows_are_sane_and_platforms_and_tiers_all_occur(void **state)
{
    (void)state;
    /* check_* assert per row: ids, dates in 2025, non-negative counts, organic rows
     * without an influencer, references to known influencers. */
    struct collected *c = generate(N_ROWS, 42);
    for (int p = 0; p < 6; p++)
        assert_true(c->platform_seen[p]);
    for (int t = 0; t < 5; t++)
        assert_true(c->tier_seen[t]);
    assert_true(c->ncampaigns >= 6);
    collected_free(c);

    struct collected *tiny = generate(500, 9);
    for (int p = 0; p < 6; p++)
        assert_true(tiny->platform_seen[p]);
    for (int t = 0; t < 5; t++)
        assert_true(tiny->tier_seen[t]);
    collected_free(tiny);
}

static void payouts_follow_their_terms_and_the_tracking_rows(void **state)
{
    (void)state;
    struct collected *c = generate(N_ROWS, 42);
    int basis_seen[NBASES] = {0};
    int64_t paid = 0, untagged_rows = 0;
    for (size_t k = 0; k < c->npayouts; k++) {
        const struct payout *p = &c->payouts[k];
        basis_seen[p->basis]++;
        paid += p->paid;
        if (p->campaign < 0) {
            /* the posts of a post-paid influencer that carry no campaign, priced alone */
            assert_int_equal(p->basis, 0);
            assert_int_equal(p->posts, c->untagged[p->inf]);
            assert_true(p->posts >= 1);
            assert_int_equal(p->orders, 0);
            assert_int_equal(p->total, p->rate / 10000 * p->posts);
            untagged_rows++;
            continue;
        }
        /* the counts are the influencer's own for that campaign (its posts that carry it) */
        assert_int_equal(p->posts, c->posts[p->inf][p->campaign]);
        assert_true(p->posts >= 1);
        assert_int_equal(p->orders, c->orders[p->inf][p->campaign]);
        assert_int_equal(p->revenue, c->revenue[p->inf][p->campaign]);
        switch (p->basis) {
        case 0: /* post: ₹2,000–₹150,000 per post */
            assert_true(p->rate >= 2000 * 1000000ll && p->rate <= 150000 * 1000000ll);
            assert_int_equal(p->rate % 1000000, 0);
            assert_int_equal(p->total, p->rate / 10000 * p->posts);
            break;
        case 1: /* order: ₹50–₹400 per order */
            assert_true(p->rate >= 50 * 1000000ll && p->rate <= 400 * 1000000ll);
            assert_int_equal(p->total, p->rate / 10000 * p->orders);
            break;
        case 2: /* revenue_share: 5–15 % of attributed revenue, rounded to the paisa */
            assert_true(p->rate >= 50000 && p->rate <= 150000);
            assert_int_equal(p->total, (p->rate * p->revenue + 500000) / 1000000);
            break;
        default: /* flat, and hybrid: a fee and a share of revenue recorded as one total */
            assert_false(p->rate_present);
            assert_true(p->total > 0);
            break;
        }
    }
    for (int b = 0; b < NBASES; b++)
        assert_true(basis_seen[b] > 0);
    /* both allocation paths of SPEC §3.1 occur: posts with and without a campaign, posts
     * on another platform, fees with and without a payout_date */
    print_message("untagged post rows %lld, cross-platform posts %lld, undated payouts %lld\n",
                  (long long)untagged_rows, (long long)c->cross_platform,
                  (long long)c->undated_payouts);
    assert_true(untagged_rows > 0 && c->cross_platform > 0 && c->undated_payouts > 0);
    assert_true(paid * 100 > (int64_t)c->npayouts * 55 && paid * 100 < (int64_t)c->npayouts * 85);
    /* every attributed order is covered by a payout row */
    int64_t attributed_orders = 0, payout_orders = 0;
    for (int i = 0; i < MAX_INF; i++)
        for (int k = 0; k < MAX_CAMPAIGNS; k++)
            attributed_orders += c->orders[i][k];
    for (size_t k = 0; k < c->npayouts; k++)
        payout_orders += c->payouts[k].orders;
    assert_int_equal(attributed_orders, payout_orders);
    collected_free(c);
}

static void influencer_days_earn_more_than_the_organic_baseline(void **state)
{
    (void)state;
    struct collected *c = generate(N_ROWS, 42);
    int64_t with = 0, without = 0;
    int ndays_with = 0, ndays_without = 0;
    for (int d = 0; d < 365; d++) {
        if (c->day_has_influencer[d]) {
            with += c->day_revenue[d];
            ndays_with++;
        } else {
            without += c->day_revenue[d];
            ndays_without++;
        }
    }
    assert_true(ndays_with >= 150);
    assert_true(ndays_without >= 30);
    double mean_with = (double)with / ndays_with, mean_without = (double)without / ndays_without;
    assert_true(mean_with > 1.5 * mean_without);
    collected_free(c);
}

static void some_influencers_profit_and_some_lose_money(void **state)
{
    (void)state;
    struct collected *c = generate(N_ROWS, 42);
    int64_t revenue[MAX_INF] = {0}, spend[MAX_INF] = {0};
    for (size_t k = 0; k < c->npayouts; k++) {
        revenue[c->payouts[k].inf] += c->payouts[k].revenue;
        spend[c->payouts[k].inf] += c->payouts[k].total;
    }
    int winners = 0, losers = 0;
    for (int i = 0; i < c->count[DS_INFLUENCERS]; i++) {
        if (spend[i] == 0)
            continue;
        double roas = (double)revenue[i] / (double)spend[i];
        winners += roas > 4.0;
        losers += roas < 1.0;
    }
    assert_true(winners >= 10);
    assert_true(losers >= 5);
    collected_free(c);
}

/* ---- store and files --------------------------------------------------------------------- */

struct tmpdir {
    char path[PATH_MAX];
};

static int make_dir(void **state)
{
    struct tmpdir *t = calloc(1, sizeof *t);
    assert_non_null(t);
    const char *tmp = getenv("TMPDIR");
    snprintf(t->path, sizeof t->path, "%s/infludash-demo-XXXXXX", tmp && *tmp ? tmp : "/tmp");
    assert_non_null(mkdtemp(t->path));
    *state = t;
    return 0;
}

static int remove_dir(void **state)
{
    struct tmpdir *t = *state;
    testutil_remove_dir(t->path);
    free(t);
    return 0;
}

static void load_replaces_the_four_datasets_in_a_sqlite_store(void **state)
{
    struct tmpdir *t = *state;
    char url[PATH_MAX + 32];
    snprintf(url, sizeof url, "sqlite:%s/demo.db", t->path);
    struct err e = {0, ""};
    struct store *s = NULL;
    assert_int_equal(store_open(url, &s, &e), 0);
    struct demo_opts o = {.rows = 3000, .seed = 5, .progress = 0};
    struct collected *want = generate(o.rows, o.seed);
    for (int round = 0; round < 2; round++) { /* the second load replaces, never appends */
        int rc = demo_load(s, &o, &e);
        if (rc)
            fail_msg("demo_load: %s", e.msg);
        for (int ds = 0; ds < DS_COUNT; ds++) {
            int64_t n = -1;
            assert_int_equal(store_count(s, (enum dataset)ds, &n, &e), 0);
            assert_int_equal(n, want->count[ds]);
        }
    }
    struct store_import_log log[8];
    size_t n = 0;
    assert_int_equal(store_recent_imports(s, log, 8, &n, &e), 0);
    assert_int_equal(n, 8);
    int seen[DS_COUNT] = {0};
    for (size_t k = 0; k < 4; k++) {
        enum dataset ds = schema_dataset_by_name(log[k].dataset);
        assert_true(ds >= 0 && ds < DS_COUNT);
        seen[ds] = 1;
        assert_string_equal(log[k].file, "demo --rows 3000 --seed 5");
        assert_string_equal(log[k].mode, "replace");
        assert_int_equal(log[k].accepted, want->count[ds]);
        assert_int_equal(log[k].rejected, 0);
    }
    for (int ds = 0; ds < DS_COUNT; ds++)
        assert_true(seen[ds]);
    collected_free(want);
    store_close(s);
}

struct expected_csv {
    struct buf text[DS_COUNT];
};

static int render_row(void *ctx, const struct schema_row *row)
{
    struct expected_csv *x = ctx;
    export_csv_row(row, NULL, &x->text[row->ds]);
    return 0;
}

static char *slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    assert_non_null(f);
    struct buf b = BUF_INIT;
    char chunk[65536];
    size_t n;
    while ((n = fread(chunk, 1, sizeof chunk, f)) > 0)
        buf_append(&b, chunk, n);
    fclose(f);
    *len = b.len;
    return buf_detach(&b);
}

static void csv_files_hold_exactly_the_generated_rows(void **state)
{
    struct tmpdir *t = *state;
    static const char *const names[DS_COUNT] = {"influencers.csv", "posts.csv", "tracking_data.csv",
                                                "payouts.csv"};
    struct demo_opts o = {
        .rows = 30000, .seed = 11, .progress = 0}; /* big enough to flush tracking more than once */
    struct err e = {0, ""};
    int rc = demo_write_csv(t->path, &o, &e);
    if (rc)
        fail_msg("demo_write_csv: %s", e.msg);

    struct expected_csv x;
    for (int ds = 0; ds < DS_COUNT; ds++) {
        buf_init(&x.text[ds]);
        export_csv_header((enum dataset)ds, NULL, 0, &x.text[ds]);
    }
    assert_int_equal(demo_generate(&o, render_row, &x, &e), 0);
    for (int ds = 0; ds < DS_COUNT; ds++) {
        char path[PATH_MAX + 64];
        snprintf(path, sizeof path, "%s/%s", t->path, names[ds]);
        size_t len;
        char *got = slurp(path, &len);
        assert_int_equal(len, x.text[ds].len);
        assert_memory_equal(got, x.text[ds].data, len);
        free(got);
        snprintf(path, sizeof path, "%s/%s.tmp", t->path, names[ds]);
        assert_int_not_equal(access(path, F_OK), 0);
        buf_release(&x.text[ds]);
    }
    /* one line per tracking row plus the header */
    char path[PATH_MAX + 64];
    snprintf(path, sizeof path, "%s/tracking_data.csv", t->path);
    size_t len;
    char *all = slurp(path, &len);
    size_t lines = 0;
    for (size_t i = 0; i < len; i++)
        lines += all[i] == '\n';
    assert_int_equal(lines, o.rows + 1);
    assert_int_equal(strncmp(all, "tracking_id,", 12), 0);
    free(all);
}

static void csv_into_a_missing_directory_names_the_path(void **state)
{
    struct tmpdir *t = *state;
    char dir[PATH_MAX + 32];
    snprintf(dir, sizeof dir, "%s/no/such/dir", t->path);
    struct demo_opts o = {.rows = 100, .seed = 1, .progress = 0};
    struct err e = {0, ""};
    assert_int_equal(demo_write_csv(dir, &o, &e), ERR_IO);
    assert_non_null(strstr(e.msg, "no/such/dir/influencers.csv"));
}

static void too_many_rows_is_a_limit_error(void **state)
{
    (void)state;
    struct demo_opts o = {.rows = 2000000000ull, .seed = 1, .progress = 0};
    struct err e = {0, ""};
    struct collected *c = calloc(1, sizeof *c);
    assert_non_null(c);
    assert_int_equal(demo_generate(&o, collect, c, &e), ERR_LIMIT);
    assert_non_null(strstr(e.msg, "--rows"));
    assert_int_equal(c->count[DS_INFLUENCERS], 0);
    collected_free(c);
}

/* Generation keeps no tracking rows: a million of them add (almost) nothing to the peak
 * resident size over a small run. */
static int count_only(void *ctx, const struct schema_row *row)
{
    (*(int64_t *)ctx) += row->ds == DS_TRACKING;
    return 0;
}

static long peak_rss_kb(void)
{
    struct rusage ru;
    assert_int_equal(getrusage(RUSAGE_SELF, &ru), 0);
    return ru.ru_maxrss;
}

static void memory_stays_flat_in_the_number_of_rows(void **state)
{
    (void)state;
    int64_t n = 0;
    struct demo_opts small = {.rows = 200000, .seed = 3}, big = {.rows = 1000000, .seed = 3};
    assert_int_equal(demo_generate(&small, count_only, &n, NULL), 0);
    long before = peak_rss_kb();
    n = 0;
    assert_int_equal(demo_generate(&big, count_only, &n, NULL), 0);
    assert_int_equal(n, 1000000);
    long growth = peak_rss_kb() - before;
    assert_true(growth < 8 * 1024); /* KiB; a tracking row kept would be ~100 MB */
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(same_seed_gives_identical_rows_and_another_seed_does_not),
        cmocka_unit_test(sizes_follow_the_row_count),
        cmocka_unit_test(rows_are_sane_and_platforms_and_tiers_all_occur),
        cmocka_unit_test(payouts_follow_their_terms_and_the_tracking_rows),
        cmocka_unit_test(influencer_days_earn_more_than_the_organic_baseline),
        cmocka_unit_test(some_influencers_profit_and_some_lose_money),
        cmocka_unit_test_setup_teardown(load_replaces_the_four_datasets_in_a_sqlite_store, make_dir,
                                        remove_dir),
        cmocka_unit_test_setup_teardown(csv_files_hold_exactly_the_generated_rows, make_dir,
                                        remove_dir),
        cmocka_unit_test_setup_teardown(csv_into_a_missing_directory_names_the_path, make_dir,
                                        remove_dir),
        cmocka_unit_test(too_many_rows_is_a_limit_error),
        cmocka_unit_test(memory_stays_flat_in_the_number_of_rows),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
