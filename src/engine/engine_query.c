/* engine_query.c — a query over the loaded engine (see engine.h, engine_impl.h): the
 * filter's masks and selection, the scan of a cube's date range (on two threads when it is
 * large), spend under the payout terms, the KPIs, breakdowns by platform, brand or day,
 * influencers and personas, one influencer's posts, the values a filter can take, and
 * whether a stored row is one a result covers. Calls engine_allocate, engine_rank, engine_rollup,
 * schema, strmap, buf and err. */
#include "engine_impl.h"

#include <assert.h>
#include <limits.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "buf.h"
#include "schema.h"
#include "strmap.h"

#include "banned.h"

/* ---- filtering ---------------------------------------------------------------------- */

void engine_filter_init(struct engine_filter *f)
{
    memset(f, 0, sizeof *f);
    f->from_day = INT32_MIN;
    f->to_day = INT32_MAX;
}

static void code_mask_init(struct code_mask *m, const struct strmap *dict,
                           const struct engine_set *set)
{
    /* slot 0: no value; code + 1; the last: Unallocated spend (SPEC §3.1) */
    size_t n = strmap_size(dict) + 2;
    m->active = set->n > 0;
    m->ok = xmalloc(n);
    memset(m->ok, m->active ? 0 : 1, n);
    for (size_t i = 0; i < set->n; i++) {
        const char *value = set->values[i];
        if (!value)
            continue;
        int32_t code = strmap_get(dict, value, strlen(value));
        if (code >= 0)
            m->ok[code + 1] = 1;
        if (strcmp(value, ENGINE_UNALLOCATED) == 0)
            m->ok[n - 1] = 1;
    }
}

static void query_release(struct query *q)
{
    struct code_mask *masks[] = {&q->platform, &q->category,   &q->gender, &q->tier,
                                 &q->persona,  &q->influencer, &q->basis,  &q->brand,
                                 &q->product,  &q->campaign,   &q->source};
    for (size_t i = 0; i < sizeof masks / sizeof masks[0]; i++)
        free(masks[i]->ok);
    free(q->inf_selected);
    free(q->selected);
    free(q->bucket_selected);
}

/* q->selected from q->inf_selected. */
static void list_selected(const struct engine *eng, struct query *q)
{
    q->nselected = 0;
    for (size_t i = 0; i < eng->ninf; i++)
        if (q->inf_selected[i])
            q->selected[q->nselected++] = (int32_t)i;
}

/* Influencers passing every influencer-attribute filter; basis selects influencers with
 * at least one payout row of a selected basis. platform does not select influencers: it
 * selects cells (SPEC §3: posts by their own platform, the rest by the influencer's). */
static void select_influencers(const struct engine *eng, struct query *q)
{
    const int32_t *category = col32(&eng->inf_category);
    const int32_t *gender = col32(&eng->inf_gender), *tier = col32(&eng->inf_tier);
    const int32_t *persona = col32(&eng->inf_persona);
    uint8_t *has_basis = NULL;
    if (q->basis.active) {
        has_basis = xcalloc(eng->ninf + 1, 1);
        const int32_t *pay_inf = col32(&eng->pay_inf), *pay_basis = col32(&eng->pay_basis);
        for (size_t i = 0; i < eng->npay; i++)
            if (pay_inf[i] >= 0 && q->basis.ok[pay_basis[i] + 1])
                has_basis[pay_inf[i]] = 1;
    }
    q->inf_selected = xmalloc(eng->ninf + 1);
    for (size_t i = 0; i < eng->ninf; i++)
        q->inf_selected[i] = q->category.ok[category[i] + 1] & q->gender.ok[gender[i] + 1] &
                             q->tier.ok[tier[i] + 1] & q->persona.ok[persona[i] + 1] &
                             q->influencer.ok[i + 1];
    for (size_t i = 0; has_basis && i < eng->ninf; i++)
        q->inf_selected[i] &= has_basis[i];
    free(has_basis);
    q->selected = xmalloc((eng->ninf + 1) * sizeof *q->selected);
    list_selected(eng, q);
}

/* The buckets of selected influencers on a selected platform (the influencer's): their
 * tracking entries count. */
static void select_buckets(const struct engine *eng, struct query *q)
{
    const int32_t *bucket_inf = col32(&eng->bucket_inf), *platform = col32(&eng->inf_platform);
    for (size_t b = 0; b < eng->nbuckets; b++)
        q->bucket_selected[b] =
            q->inf_selected[bucket_inf[b]] & q->platform.ok[platform[bucket_inf[b]] + 1];
}

/* The filter's masks and selection into q, with sums (nbuckets + 1, cleared) its per-bucket
 * accumulators. */
static void query_init(const struct engine *eng, const struct engine_filter *f, struct query *q,
                       struct bucket_sums *sums)
{
    memset(q, 0, sizeof *q);
    struct strmap *const *d = eng->dict;
    code_mask_init(&q->platform, d[DIM_PLATFORM], &f->platform);
    code_mask_init(&q->category, d[DIM_CATEGORY], &f->category);
    code_mask_init(&q->gender, d[DIM_GENDER], &f->gender);
    code_mask_init(&q->tier, d[DIM_TIER], &f->tier);
    code_mask_init(&q->persona, d[DIM_PERSONA], &f->persona);
    code_mask_init(&q->influencer, d[DIM_INFLUENCER], &f->influencer);
    code_mask_init(&q->basis, d[DIM_BASIS], &f->basis);
    code_mask_init(&q->brand, d[DIM_BRAND], &f->brand);
    code_mask_init(&q->product, d[DIM_PRODUCT], &f->product);
    code_mask_init(&q->campaign, d[DIM_CAMPAIGN], &f->campaign);
    code_mask_init(&q->source, d[DIM_SOURCE], &f->source);
    select_influencers(eng, q);
    q->bucket_selected = xmalloc(eng->nbuckets + 1);
    select_buckets(eng, q);
    q->bucket_selected[eng->nbuckets] = 1;
    q->sums = sums;
}

/* ---- per-query scratch, kept for the next query ------------------------------------------ */

/* The sums a query fills (its result's and its query's), with the sizes they were made for,
 * and a second set for the scan's other thread (made when first needed). A query takes
 * them cleared, all but act: gather_activity clears the entry of each selected influencer
 * (no other is read). */
struct result_scratch {
    size_t nact, nsums, ndays, ncodes[5]; /* ncodes: brand, campaign, product, source, platform */
    struct influencer_activity *act;      /* in act_block, on a 64-byte boundary */
    void *act_block;
    int64_t *alloc_spend; /* nact: set by alloc_influencer for each selected influencer */
    struct bucket_sums *sums, *sums2;
    struct day_sums *days;
    struct dim_sums *dims[5], *dims2[4];
};

/* The scratch of finished queries, for the next ones (the server's threads run queries on
 * one engine at once): at most RESULT_POOL_KEEP of them. */
#define RESULT_POOL_KEEP 8
struct allocation;
struct result_pool {
    pthread_mutex_t lock; /* guards everything below */
    size_t n;
    struct result_scratch *kept[RESULT_POOL_KEEP];
    /* The allocation's helper thread (result_pass), started by the first query that wants
     * one and kept for the next: it waits on work_cond for a posted job, one query's at a
     * time; stopping ends it (result_pool_free). */
    pthread_cond_t work_cond;
    pthread_t helper;
    int helper_started, helper_failed, stopping;
    struct allocation *job; /* posted by a query, not yet taken by the helper */
};

struct result_pool *result_pool_new(void)
{
    struct result_pool *p = xcalloc(1, sizeof *p);
    pthread_mutex_init(&p->lock, NULL);
    pthread_cond_init(&p->work_cond, NULL);
    return p;
}

static void scratch_free(struct result_scratch *s)
{
    if (!s)
        return;
    free(s->act_block);
    free(s->alloc_spend);
    free(s->sums);
    free(s->sums2);
    free(s->days);
    for (int d = 0; d < 5; d++)
        free(s->dims[d]);
    for (int d = 0; d < 4; d++)
        free(s->dims2[d]);
    free(s);
}

void result_pool_free(struct result_pool *p)
{
    if (!p)
        return;
    pthread_mutex_lock(&p->lock);
    p->stopping = 1;
    pthread_cond_signal(&p->work_cond);
    pthread_mutex_unlock(&p->lock);
    if (p->helper_started)
        pthread_join(p->helper, NULL);
    pthread_cond_destroy(&p->work_cond);
    for (size_t i = 0; i < p->n; i++)
        scratch_free(p->kept[i]);
    pthread_mutex_destroy(&p->lock);
    free(p);
}

/* The sizes of a query's sums on eng. */
static void scratch_sizes(const struct engine *eng, struct result_scratch *s)
{
    static const enum dim dims[5] = {DIM_BRAND, DIM_CAMPAIGN, DIM_PRODUCT, DIM_SOURCE,
                                     DIM_PLATFORM};
    s->nact = eng->ninf + 1;
    s->nsums = eng->nbuckets + 1;
    s->ndays = eng->ndays + 1;
    for (int d = 0; d < 5; d++)
        s->ncodes[d] = strmap_size(eng->dict[dims[d]]) + 2;
}

static int scratch_fits(const struct result_scratch *a, const struct result_scratch *b)
{
    return a->nact == b->nact && a->nsums == b->nsums && a->ndays == b->ndays &&
           memcmp(a->ncodes, b->ncodes, sizeof a->ncodes) == 0;
}

/* A kept scratch of eng's sizes, or a new one; its sums cleared (act aside). */
static struct result_scratch *scratch_take(const struct engine *eng)
{
    struct result_scratch want;
    scratch_sizes(eng, &want);
    struct result_pool *p = eng->results;
    struct result_scratch *s = NULL;
    pthread_mutex_lock(&p->lock);
    if (p->n > 0)
        s = p->kept[--p->n];
    pthread_mutex_unlock(&p->lock);
    if (s && !scratch_fits(s, &want)) {
        scratch_free(s);
        s = NULL;
    }
    if (!s) {
        s = xcalloc(1, sizeof *s);
        scratch_sizes(eng, s);
        s->act_block = xmalloc(s->nact * sizeof *s->act + 63);
        s->act = (void *)(((uintptr_t)s->act_block + 63) & ~(uintptr_t)63);
        s->alloc_spend = xmalloc(s->nact * sizeof *s->alloc_spend);
        s->sums = xmalloc(s->nsums * sizeof *s->sums);
        s->days = xmalloc(s->ndays * sizeof *s->days);
        for (int d = 0; d < 5; d++)
            s->dims[d] = xmalloc(s->ncodes[d] * sizeof *s->dims[d]);
    }
    memset(s->sums, 0, s->nsums * sizeof *s->sums);
    memset(s->days, 0, s->ndays * sizeof *s->days);
    for (int d = 0; d < 5; d++)
        memset(s->dims[d], 0, s->ncodes[d] * sizeof *s->dims[d]);
    return s;
}

/* The second set of s, cleared, for the scan's other thread. */
static void scratch_take_second(struct result_scratch *s)
{
    if (!s->sums2) {
        s->sums2 = xmalloc(s->nsums * sizeof *s->sums2);
        for (int d = 0; d < 4; d++)
            s->dims2[d] = xmalloc(s->ncodes[d] * sizeof *s->dims2[d]);
    }
    memset(s->sums2, 0, s->nsums * sizeof *s->sums2);
    for (int d = 0; d < 4; d++)
        memset(s->dims2[d], 0, s->ncodes[d] * sizeof *s->dims2[d]);
}

/* s back to eng's pool (freed when the pool is full). */
static void scratch_give(const struct engine *eng, struct result_scratch *s)
{
    struct result_pool *p = eng->results;
    pthread_mutex_lock(&p->lock);
    if (p->n < RESULT_POOL_KEEP) {
        p->kept[p->n++] = s;
        s = NULL;
    }
    pthread_mutex_unlock(&p->lock);
    scratch_free(s);
}

/* ---- the tracking scan ------------------------------------------------------------------ */

/* What a scan accumulates besides per-bucket and per-day sums. */
enum {
    SCAN_BRAND = 1,    /* dim_sums per brand */
    SCAN_CAMPAIGN = 2, /* dim_sums per campaign */
    SCAN_PRODUCT = 4,  /* dim_sums per product (the fine cube) */
    SCAN_SOURCE = 8,   /* dim_sums per source (the fine cube) */
};

/* One thread's share of a scan: days d0..d1 of the cube into its own accumulators (the
 * per-day sums go straight into the shared array, whose slots the parts do not share). */
struct scan_part {
    const struct engine *eng;
    const struct cube *cube;
    const struct query *q;
    const int32_t *brands; /* the selected brand codes, ascending, when brand is filtered */
    size_t nbrands;
    size_t d0, d1;
    int by_dims, want;
    struct bucket_sums *sums; /* per bucket, nbuckets + 1 */
    struct dim_sums *brand, *campaign, *product, *source;
    int64_t ctype_revenue[CTYPE_COUNT], ctype_rows[CTYPE_COUNT];
    struct day_sums *days;
};

/* One day's running totals in scan_loop. */
struct day_acc {
    int64_t rev, ord, orev, oord, arows, orows, spend;
};

/* Entries i0..i1 into p's accumulators and the day's; by_dims and want are constants at
 * each call (scan_days), so the compiler drops the reads and sums a query does not need.
 * Branch-free: a rejected entry adds 0, since filters make the selection unpredictable. */

/* Adds one cube entry's figures to its group of a dimension: attributed or organic by the
 * mask om (all ones for an organic entry), spend as allocated. */
static inline void dim_add(struct dim_sums *g, int64_t r, int64_t o, int64_t n, int64_t sp,
                           int64_t om)
{
    g->revenue += r & ~om;
    g->orders += o & ~om;
    g->organic_revenue += r & om;
    g->organic_orders += o & om;
    g->rows += n;
    g->spend += sp;
}
static inline __attribute__((always_inline)) void
scan_run(struct scan_part *p, int64_t i0, int64_t i1, struct day_acc *acc, int by_dims, int want)
{
    const struct query *q = p->q;
    const struct cube *c = p->cube;
    const int32_t *bucket = col32(&c->bucket), *brand = col32(&c->brand);
    const int32_t *product = col32(&c->product), *campaign = col32(&c->campaign);
    const int32_t *source = col32(&c->source), *ctype = col32(&c->ctype);
    const int64_t *orders = col64(&c->orders), *revenue = col64(&c->revenue);
    const int64_t *rows = col64(&c->rows), *spend = col64(&c->spend);
    const uint8_t *bucket_ok = q->bucket_selected, *brand_ok = q->brand.ok;
    const uint8_t *product_ok = q->product.ok, *campaign_ok = q->campaign.ok;
    const uint8_t *source_ok = q->source.ok;
    int32_t organic = (int32_t)p->eng->nbuckets;
    int64_t rev = acc->rev, ord = acc->ord, orev = acc->orev, oord = acc->oord;
    int64_t arows = acc->arows, orows = acc->orows, sp_day = acc->spend;
    for (int64_t i = i0; i < i1; i++) {
        int32_t b = bucket[i];
        int64_t keep = bucket_ok[b];
        if (by_dims)
            keep &= brand_ok[brand[i] + 1] & product_ok[product[i] + 1] &
                    campaign_ok[campaign[i] + 1] & source_ok[source[i] + 1];
        int64_t m = -keep;
        int64_t o = orders[i] & m, r = revenue[i] & m, n = rows[i] & m, sp = spend[i] & m;
        struct bucket_sums *bs = &p->sums[b];
        bs->orders += o;
        bs->revenue += r;
        bs->rows += n;
        bs->spend += sp;
        sp_day += sp;
        int64_t om = -(int64_t)(b == organic);
        rev += r & ~om;
        ord += o & ~om;
        arows += n & ~om;
        orev += r & om;
        oord += o & om;
        orows += n & om;
        p->ctype_revenue[ctype[i]] += r;
        p->ctype_rows[ctype[i]] += n;
        if (want & SCAN_BRAND)
            dim_add(&p->brand[brand[i] + 1], r, o, n, sp, om);
        if (want & SCAN_CAMPAIGN)
            dim_add(&p->campaign[campaign[i] + 1], r, o, n, sp, om);
        if (want & SCAN_PRODUCT)
            dim_add(&p->product[product[i] + 1], r, o, n, sp, om);
        if (want & SCAN_SOURCE)
            dim_add(&p->source[source[i] + 1], r, o, n, sp, om);
    }
    *acc = (struct day_acc){rev, ord, orev, oord, arows, orows, sp_day};
}

/* The first entry in [lo, hi) whose brand is at least code (a day's entries are sorted by
 * brand: cube_sort_day). */
static int64_t brand_lower_bound(const int32_t *brand, int64_t lo, int64_t hi, int32_t code)
{
    while (lo < hi) {
        int64_t mid = lo + (hi - lo) / 2;
        if (brand[mid] < code)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

/* What a run of one brand added to the day's sums (acc since before), into its group: as
 * dim_add of each of its entries would. */
static inline void brand_add_run(struct dim_sums *g, const struct day_acc *before,
                                 const struct day_acc *acc)
{
    g->revenue += acc->rev - before->rev;
    g->orders += acc->ord - before->ord;
    g->organic_revenue += acc->orev - before->orev;
    g->organic_orders += acc->oord - before->oord;
    g->rows += (acc->arows - before->arows) + (acc->orows - before->orows);
    g->spend += acc->spend - before->spend;
}

/* Days d0..d1 of p's cube: with a brand filter, only the selected brands' runs of each
 * day (the others would add nothing). */
static inline __attribute__((always_inline)) void scan_loop(struct scan_part *p, int by_dims,
                                                            int want)
{
    const int64_t *start = col64(&p->cube->day_start);
    const int32_t *brand = col32(&p->cube->brand);
    for (size_t d = p->d0; d < p->d1; d++) {
        struct day_acc acc = {0, 0, 0, 0, 0, 0, 0};
        if (p->nbrands == 0) {
            scan_run(p, start[d], start[d + 1], &acc, by_dims, want);
        } else {
            int64_t at = start[d], end = start[d + 1];
            for (size_t k = 0; k < p->nbrands && at < end; k++) {
                int64_t lo = brand_lower_bound(brand, at, end, p->brands[k]);
                int64_t hi = brand_lower_bound(brand, lo, end, p->brands[k] + 1);
                /* a run is one brand: its sums are what the run adds to the day's */
                struct day_acc before = acc;
                scan_run(p, lo, hi, &acc, by_dims, want & ~SCAN_BRAND);
                if (want & SCAN_BRAND)
                    brand_add_run(&p->brand[p->brands[k] + 1], &before, &acc);
                at = hi;
            }
        }
        struct day_sums *ds = &p->days[d + 1];
        ds->revenue = acc.rev;
        ds->orders = acc.ord;
        ds->organic_revenue = acc.orev;
        ds->organic_orders = acc.oord;
        ds->attributed_rows = acc.arows;
        ds->organic_rows = acc.orows;
        ds->spend = acc.spend;
    }
}

#define SCAN_CASE(k)                                                                               \
    case k:                                                                                        \
        scan_loop(p, (k) >> 4, (k)&15);                                                            \
        break;
#define SCAN_CASES4(k) SCAN_CASE(k) SCAN_CASE(k + 1) SCAN_CASE(k + 2) SCAN_CASE(k + 3)

static void scan_days(struct scan_part *p)
{
    switch ((p->by_dims ? 16 : 0) | p->want) {
        SCAN_CASES4(0)
        SCAN_CASES4(4)
        SCAN_CASES4(8)
        SCAN_CASES4(12)
        SCAN_CASES4(16)
        SCAN_CASES4(20)
        SCAN_CASES4(24)
        SCAN_CASES4(28)
    default:
        break;
    }
}

static void *scan_thread(void *arg)
{
    scan_days(arg);
    return NULL;
}

/* Cube entries below which a second thread costs more than it saves. */
#define SCAN_PARALLEL_MIN 200000

/* The day slice [*lo, *hi) of the day table inside [from, to]. */
static void day_slice(const struct engine *eng, int32_t from, int32_t to, size_t *lo, size_t *hi)
{
    const int32_t *days = col32(&eng->day_value);
    size_t a = 0, b = eng->ndays;
    while (a < b) {
        size_t mid = a + (b - a) / 2;
        if (days[mid] < from)
            a = mid + 1;
        else
            b = mid;
    }
    *lo = a;
    b = eng->ndays;
    while (a < b) {
        size_t mid = a + (b - a) / 2;
        if (days[mid] <= to)
            a = mid + 1;
        else
            b = mid;
    }
    *hi = a;
}

/* ---- a query's result ------------------------------------------------------------------ */

static void dim_sums_add(struct dim_sums *to, const struct dim_sums *from, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        to[i].revenue += from[i].revenue;
        to[i].orders += from[i].orders;
        to[i].organic_revenue += from[i].organic_revenue;
        to[i].organic_orders += from[i].organic_orders;
        to[i].rows += from[i].rows;
        to[i].spend += from[i].spend;
    }
}

/* The cube r's scan reads; *rollup: whether the rollups give its product and source groups
 * instead (then the scan leaves those views out). */
static const struct cube *scan_cube(const struct engine_result *r, int *rollup)
{
    const struct query *q = &r->q;
    unsigned fine_views = ENGINE_VIEW_PRODUCT | ENGINE_VIEW_SOURCE;
    /* the coarse cube has no product or source: usable when neither is filtered, and either
     * neither is asked or the rollups give their groups */
    *rollup = (r->views & fine_views) && rollup_usable(r);
    unsigned scan_views = *rollup ? r->views & ~fine_views : r->views;
    return &r->eng->cube[q->product.active || q->source.active || (scan_views & fine_views)
                             ? CUBE_FINE
                             : CUBE_COARSE];
}

/* How many entries of cube r's range holds. */
static int64_t scan_entries(const struct engine_result *r, const struct cube *cube)
{
    const int64_t *start = col64(&cube->day_start);
    return r->day_hi > r->day_lo ? start[r->day_hi] - start[r->day_lo] : 0;
}

/* Tracking entries of the range into r's accumulators, on two threads when the slice is
 * large enough to pay for the second. */
static void scan_tracking(struct engine_result *r)
{
    const struct engine *eng = r->eng;
    struct query *q = &r->q;
    size_t nb = eng->nbuckets + 1;
    size_t nbrand = strmap_size(eng->dict[DIM_BRAND]) + 1;
    size_t ncamp = strmap_size(eng->dict[DIM_CAMPAIGN]) + 1;
    size_t nprod = strmap_size(eng->dict[DIM_PRODUCT]) + 1;
    size_t nsrc = strmap_size(eng->dict[DIM_SOURCE]) + 1;
    unsigned fine_views = ENGINE_VIEW_PRODUCT | ENGINE_VIEW_SOURCE;
    int rollup;
    const struct cube *cube = scan_cube(r, &rollup);
    unsigned scan_views = rollup ? r->views & ~fine_views : r->views;
    /* the selected brands, in code order, so that each day's runs are found in one sweep */
    size_t nbrand_codes = strmap_size(eng->dict[DIM_BRAND]);
    int32_t *brands = xmalloc((nbrand_codes + 1) * sizeof *brands);
    size_t nbrands = 0;
    if (q->brand.active)
        for (size_t code = 0; code < nbrand_codes; code++)
            if (q->brand.ok[code + 1])
                brands[nbrands++] = (int32_t)code;
    struct scan_part main = {
        .eng = eng,
        .cube = cube,
        .q = q,
        .d0 = r->day_lo,
        .d1 = r->day_hi,
        .brands = brands,
        .nbrands = nbrands,
        /* the runs of the selected brands need no brand test (scan_loop) */
        .by_dims = (q->brand.active && nbrands == 0) || q->product.active || q->campaign.active ||
                   q->source.active,
        .want = ((scan_views & ENGINE_VIEW_BRAND) ? SCAN_BRAND : 0) |
                ((scan_views & ENGINE_VIEW_CAMPAIGN) ? SCAN_CAMPAIGN : 0) |
                ((scan_views & ENGINE_VIEW_PRODUCT) ? SCAN_PRODUCT : 0) |
                ((scan_views & ENGINE_VIEW_SOURCE) ? SCAN_SOURCE : 0),
        .sums = q->sums,
        .brand = r->brand,
        .campaign = r->campaign,
        .product = r->product,
        .source = r->source,
        .days = r->days,
    };
    const int64_t *start = col64(&cube->day_start);
    int64_t entries = scan_entries(r, cube);
    pthread_t tid;
    struct scan_part other;
    int threaded = 0;
    if (entries >= SCAN_PARALLEL_MIN) {
        /* split at the day where half of the entries are behind */
        size_t mid = r->day_lo;
        int64_t half = start[r->day_lo] + entries / 2;
        while (mid < r->day_hi && start[mid] < half)
            mid++;
        other = main;
        other.d0 = mid;
        main.d1 = mid;
        scratch_take_second(r->scratch);
        other.sums = r->scratch->sums2;
        other.brand = r->scratch->dims2[0];
        other.campaign = r->scratch->dims2[1];
        other.product = r->scratch->dims2[2];
        other.source = r->scratch->dims2[3];
        threaded = pthread_create(&tid, NULL, scan_thread, &other) == 0;
        if (!threaded) { /* no thread to be had: do its share here */
            scan_days(&other);
            threaded = -1;
        }
    }
    scan_days(&main);
    if (threaded) {
        if (threaded > 0)
            pthread_join(tid, NULL);
        for (size_t b = 0; b < nb; b++) {
            q->sums[b].orders += other.sums[b].orders;
            q->sums[b].revenue += other.sums[b].revenue;
            q->sums[b].rows += other.sums[b].rows;
            q->sums[b].spend += other.sums[b].spend;
        }
        dim_sums_add(r->brand, other.brand, nbrand);
        dim_sums_add(r->campaign, other.campaign, ncamp);
        dim_sums_add(r->product, other.product, nprod);
        dim_sums_add(r->source, other.source, nsrc);
        for (int c = 0; c < CTYPE_COUNT; c++) {
            main.ctype_revenue[c] += other.ctype_revenue[c];
            main.ctype_rows[c] += other.ctype_rows[c];
        }
    }
    for (int c = 0; c < CTYPE_COUNT; c++) {
        r->ctype_revenue[c] = main.ctype_revenue[c];
        r->ctype_rows[c] = main.ctype_rows[c];
    }
    if (rollup)
        rollup_groups(r, (r->views & ENGINE_VIEW_PRODUCT) != 0,
                      (r->views & ENGINE_VIEW_SOURCE) != 0);
    free(brands);
}

/* A post's part of engagement rate's other denominators (engine_kpis): its influencer's
 * followers once per post, its views; each only when known. */
static void count_other_denominators(struct influencer_activity *a, int64_t followers,
                                     int64_t views, int64_t engaged)
{
    if (followers >= 0) {
        a->followers += followers;
        a->follower_engagements += engaged;
        a->posts_with_followers++;
    }
    if (views >= 0) {
        a->views += views;
        a->view_engagements += engaged;
        a->posts_with_views++;
    }
}

/* Posts of selected influencers, in the range and on a selected platform (the post's own:
 * SPEC §3), into their bucket, influencer, day, platform and campaign. A post without a
 * date passes only an open range. Under a brand, product, campaign or source filter
 * (SPEC §3.1) a post counts when it carries a selected campaign, or carries none and its
 * influencer has attributed rows in scope; under brand, product or source also only when
 * its influencer has attributed rows in scope (posts carry no brand, product or source in
 * the engine). */
static void scan_posts(struct engine_result *r)
{
    const struct engine *eng = r->eng;
    struct query *q = &r->q;
    const int32_t *day = col32(&eng->post_day), *inf = col32(&eng->post_inf);
    const int32_t *platform = col32(&eng->post_platform), *bucket = col32(&eng->post_bucket);
    const int32_t *day_idx = col32(&eng->post_day_idx), *campaign = col32(&eng->post_campaign);
    const int64_t *reach = col64(&eng->post_reach), *likes = col64(&eng->post_likes);
    const int64_t *comments = col64(&eng->post_comments), *shares = col64(&eng->post_shares);
    const int64_t *saves = col64(&eng->post_saves), *views = col64(&eng->post_views);
    const int64_t *followers = col64(&eng->inf_followers);
    const int64_t *start = col64(&eng->post_start);
    const int32_t *claims = col32(&eng->bucket_claims);
    int by_campaign = (r->views & ENGINE_VIEW_CAMPAIGN) != 0;
    int need_rows = q->brand.active || q->product.active || q->source.active;
    /* posts without a date when the range is open at the start, then the range's days */
    size_t lo = (size_t)start[r->from_day == INT32_MIN ? 0 : r->day_lo + 1];
    size_t hi = (size_t)start[r->day_hi + 1];
    for (size_t i = lo; i < hi; i++) {
        if (day[i] < r->from_day || day[i] > r->to_day || inf[i] < 0 || !q->inf_selected[inf[i]] ||
            !q->platform.ok[platform[i] + 1])
            continue;
        int in_scope = r->act[inf[i]].rows > 0;
        if (q->campaign.active && !(campaign[i] >= 0 ? q->campaign.ok[campaign[i] + 1] : in_scope))
            continue;
        if (need_rows && !in_scope)
            continue;
        int64_t engaged = likes[i] + comments[i] + shares[i] + saves[i];
        struct dim_sums *ps = &r->platform[platform[i] + 1];
        ps->posts++;
        ps->reach += reach[i];
        ps->engagements += engaged;
        q->sums[bucket[i]].posts++;
        r->act[inf[i]].posts++;
        r->act[inf[i]].claimed_posts += (claims[bucket[i]] >> PAY_POST) & 1;
        r->act[inf[i]].reach += reach[i];
        r->act[inf[i]].engagements += engaged;
        r->days[day_idx[i] + 1].posts++;
        r->days[day_idx[i] + 1].reach += reach[i];
        r->days[day_idx[i] + 1].engagements += engaged;
        if (by_campaign) {
            r->campaign[campaign[i] + 1].posts++;
            r->campaign[campaign[i] + 1].reach += reach[i];
            r->campaign[campaign[i] + 1].engagements += engaged;
        }
        r->kpis.posts++;
        r->kpis.reach += reach[i];
        r->kpis.engagements += engaged;
        count_other_denominators(&r->act[inf[i]], followers[inf[i]], views[i], engaged);
    }
}

/* Buckets into their influencers before the posts (scan_posts reads the rows in scope, and
 * adds each counted post to its influencer itself); their entries' spend into the
 * influencer's platform. An influencer on a platform the filter leaves out has no bucket
 * selected (select_buckets): the scan added nothing to them, and it is passed by. */
static void gather_activity(struct engine_result *r)
{
    /* copied rather than set to {0}: a copy is a few vector moves, the cleared literal a
     * rep stos, several times slower for 128 bytes */
    static const struct influencer_activity none;
    const struct engine *eng = r->eng;
    const struct query *q = &r->q;
    const int32_t *claims = col32(&eng->bucket_claims), *platform = col32(&eng->inf_platform);
    const int32_t *start = col32(&eng->inf_bucket_start), *buckets = col32(&eng->inf_buckets);
    for (size_t s = 0; s < q->nselected; s++) {
        int32_t inf = q->selected[s];
        struct influencer_activity *a = &r->act[inf];
        *a = none; /* the first of the query's passes to write it */
        if (!q->platform.ok[platform[inf] + 1])
            continue;
        int64_t entry_spend = 0; /* of its spend: on its cube entries */
        for (int32_t k = start[inf]; k < start[inf + 1]; k++) {
            int32_t b = buckets[k];
            const struct bucket_sums *bs = &q->sums[b];
            a->rows += bs->rows;
            a->orders += bs->orders;
            a->revenue += bs->revenue;
            entry_spend += bs->spend;
            if (claims[b] & (1 << PAY_ORDER))
                a->claimed_orders += bs->orders;
            if (claims[b] & (1 << PAY_REVSHARE))
                a->claimed_revenue += bs->revenue;
        }
        a->spend += entry_spend;
        r->platform[platform[inf] + 1].spend += entry_spend;
    }
}

/* Spend rules, part 2, for selected influencer inf: each of its payout rows of a selected
 * basis prices the filtered activity it covers once; SCOPE_DUPLICATE rows price nothing.
 * Recorded totals count when their payout_date is in the range, or when they have none.
 * Each influencer's sum is rounded to the paisa (half away from zero): what it earned
 * (the payouts check). Its spend in the figures is what SPEC §3.1 allocates to the
 * filtered cells (gather_activity and alloc_influencer). */
static void compute_spend(struct engine_result *r, int32_t inf, int undated_in)
{
    const struct engine *eng = r->eng;
    const struct query *q = &r->q;
    struct influencer_activity *a = &r->act[inf];
    /* on a platform the filter leaves out, only post terms can price anything: its
     * orders and revenue are none, and its recorded totals are not in (payout_row_in) */
    int posts_only = !q->platform.ok[col32(&eng->inf_platform)[inf] + 1];
    for (int32_t k = eng->terms_start[inf]; k < eng->terms_start[inf + 1]; k++) {
        const struct pay_term *t = &eng->terms[k];
        if ((posts_only && t->kind != PAY_POST) || !q->basis.ok[t->basis + 1])
            continue;
        if (t->kind == PAY_TOTAL) {
            /* payout_row_in: selected, of a selected basis and platform; in the range */
            if (t->day != ENGINE_NO_DAY && (t->day < r->from_day || t->day > r->to_day))
                continue;
            /* an undated total makes its influencer active only without a date range:
             * in a range it counts through the spend §3.1 gives the range's days */
            a->paid = !r->cell_filter && (t->day != ENGINE_NO_DAY || undated_in);
        }
        a->spend_micro += payout_terms_spend(q, a, t->kind, t->scope, t->rate, t->total);
    }
    /* what it earned is round_micro(a->spend_micro) (engine_payouts) */
}

/* Each selected influencer's spend under its payout terms (compute_spend). */
static void spend_of_selected(struct engine_result *r)
{
    const struct query *q = &r->q;
    int undated_in = r->from_day == INT32_MIN && r->to_day == INT32_MAX;
    for (size_t s = 0; s < q->nselected; s++)
        compute_spend(r, q->selected[s], undated_in);
}

/* ---- the allocation, on two threads ------------------------------------------------------
 * alloc_influencer reads only the engine and the query's filter, never the scan's sums, so
 * the engine's helper thread (struct result_pool) can walk influencers while the query's
 * thread scans. Each takes the next ALLOC_CHUNK of q->selected from a shared count, on a
 * walk of its own that keeps the groups' spend apart until alloc_end adds it to r's
 * (integers: the same in any order), and writes r->alloc_spend only of the influencers it
 * took. The query's thread waits only for influencers the helper has taken: on a busy
 * machine, or while the helper serves another query, the query's thread takes them all and
 * goes on without it. */

/* Selected influencers below which the helper costs more than it saves. */
#define ALLOC_PARALLEL_MIN 1024
/* Influencers a walk takes at a time. */
#define ALLOC_CHUNK 32

/* What the query's thread and the helper share: on the heap, freed by whichever of them is
 * done with it last (refs), since the helper may take it up after the query has ended.
 * next and done are atomic; lock guards the wait for done (done_cond) and nothing else; r
 * and helper_walk are used by the helper only once it has taken influencers, which is before
 * the query's thread stops waiting for them. */
struct allocation {
    atomic_size_t next; /* the first of r->q.selected no walk has taken */
    atomic_size_t done; /* how many influencers the walks have finished */
    atomic_int refs;    /* the query's thread, the pool's job and the helper, while each has it */
    size_t n;           /* r->q.nselected */
    struct engine_result *r;
    struct alloc_walk *helper_walk; /* made by the helper when it first takes influencers */
    pthread_mutex_t lock;
    pthread_cond_t done_cond; /* signalled when done reaches n */
};

static void allocation_release(struct allocation *a)
{
    if (atomic_fetch_sub_explicit(&a->refs, 1, memory_order_acq_rel) != 1)
        return;
    pthread_cond_destroy(&a->done_cond);
    pthread_mutex_destroy(&a->lock);
    free(a);
}

/* Walks influencers taken from a until none is left; *w made on the first take when NULL. */
static void allocation_take(struct allocation *a, struct alloc_walk **w)
{
    for (;;) {
        size_t s0 = atomic_fetch_add_explicit(&a->next, ALLOC_CHUNK, memory_order_relaxed);
        if (s0 >= a->n)
            return;
        size_t s1 = s0 + ALLOC_CHUNK < a->n ? s0 + ALLOC_CHUNK : a->n;
        if (!*w)
            *w = alloc_begin(a->r);
        for (size_t s = s0; s < s1; s++)
            alloc_influencer(*w, a->r->q.selected[s]);
        /* release: the walk's sums and alloc_spend before the count that says they are in */
        size_t done = atomic_fetch_add_explicit(&a->done, s1 - s0, memory_order_acq_rel);
        if (done + (s1 - s0) == a->n) {
            pthread_mutex_lock(&a->lock);
            pthread_cond_signal(&a->done_cond);
            pthread_mutex_unlock(&a->lock);
        }
    }
}

/* The helper thread: each posted job's influencers, until the pool stops. */
static void *pool_helper(void *arg)
{
    struct result_pool *p = arg;
    pthread_mutex_lock(&p->lock);
    for (;;) {
        while (!p->stopping && !p->job)
            pthread_cond_wait(&p->work_cond, &p->lock);
        if (p->stopping)
            break;
        struct allocation *a = p->job; /* the job's reference is now the helper's */
        p->job = NULL;
        pthread_mutex_unlock(&p->lock);
        allocation_take(a, &a->helper_walk);
        allocation_release(a);
        pthread_mutex_lock(&p->lock);
    }
    pthread_mutex_unlock(&p->lock);
    return NULL;
}

/* The shared state of r's allocation, posted to the engine's helper when one is wanted, the
 * helper is free and there is (or can be started) one. */
static struct allocation *allocation_start(struct engine_result *r, int helper)
{
    struct allocation *a = xcalloc(1, sizeof *a);
    atomic_init(&a->next, 0);
    atomic_init(&a->done, 0);
    atomic_init(&a->refs, 1);
    a->n = r->q.nselected;
    a->r = r;
    pthread_mutex_init(&a->lock, NULL);
    pthread_cond_init(&a->done_cond, NULL);
    struct result_pool *p = r->eng->results;
    if (!helper)
        return a;
    pthread_mutex_lock(&p->lock);
    if (!p->helper_started && !p->helper_failed) {
        p->helper_started = pthread_create(&p->helper, NULL, pool_helper, p) == 0;
        p->helper_failed = !p->helper_started; /* no thread to be had: every query walks alone */
    }
    if (p->helper_started && !p->job) {
        atomic_fetch_add_explicit(&a->refs, 1, memory_order_relaxed);
        p->job = a;
        pthread_cond_signal(&p->work_cond);
    }
    pthread_mutex_unlock(&p->lock);
    return a;
}

/* The rest of a's influencers on the query's thread (the job taken back if the helper has
 * not taken it up), then the wait for those the helper took; each walk's spend into r's
 * groups, each influencer's into its activity. */
static void allocation_finish(struct allocation *a)
{
    struct engine_result *r = a->r;
    struct result_pool *p = r->eng->results;
    struct alloc_walk *w = NULL;
    allocation_take(a, &w);
    pthread_mutex_lock(&p->lock);
    int posted = p->job == a;
    if (posted)
        p->job = NULL;
    pthread_mutex_unlock(&p->lock);
    if (posted)
        allocation_release(a); /* the job's reference: the query's own remains */
    if (atomic_load_explicit(&a->done, memory_order_acquire) < a->n) {
        pthread_mutex_lock(&a->lock);
        while (atomic_load_explicit(&a->done, memory_order_acquire) < a->n)
            pthread_cond_wait(&a->done_cond, &a->lock);
        pthread_mutex_unlock(&a->lock);
    }
    /* every influencer is walked: the helper touches neither walk nor r again */
    if (!w)
        w = alloc_begin(r); /* none selected: the groups get no spend */
    alloc_end(w);
    if (a->helper_walk)
        alloc_end(a->helper_walk);
    allocation_release(a);
    for (size_t s = 0; s < r->q.nselected; s++) {
        int32_t inf = r->q.selected[s];
        r->act[inf].spend += r->alloc_spend[inf];
    }
}

/* A selected influencer with filtered activity: a post, an attributed row or a recorded
 * payout counted in the range (engine_kpis "influencers", the rows of engine_influencers). */
static int influencer_active(const struct engine_result *r, size_t i)
{
    const struct influencer_activity *a = &r->act[i];
    return r->q.inf_selected[i] && (a->rows > 0 || a->posts > 0 || a->paid || a->spend != 0);
}

static void result_clear_sums(struct engine_result *r)
{
    const struct engine *eng = r->eng;
    size_t nb = eng->nbuckets + 1;
    memset(r->q.sums, 0, nb * sizeof *r->q.sums);
    memset(r->act, 0, (eng->ninf + 1) * sizeof *r->act);
    memset(r->days, 0, (eng->ndays + 1) * sizeof *r->days);
    memset(r->campaign, 0, (strmap_size(eng->dict[DIM_CAMPAIGN]) + 2) * sizeof *r->campaign);
    memset(r->brand, 0, (strmap_size(eng->dict[DIM_BRAND]) + 2) * sizeof *r->brand);
    memset(r->product, 0, (strmap_size(eng->dict[DIM_PRODUCT]) + 2) * sizeof *r->product);
    memset(r->source, 0, (strmap_size(eng->dict[DIM_SOURCE]) + 2) * sizeof *r->source);
    memset(r->platform, 0, (strmap_size(eng->dict[DIM_PLATFORM]) + 2) * sizeof *r->platform);
    memset(&r->kpis, 0, sizeof r->kpis);
}

/* One pass over the range: tracking, posts, activity per influencer, spend (again: the
 * sums cleared first). With many influencers selected, a helper thread allocates beside
 * the scan, or after it when the scan takes two threads itself. */
static void result_pass(struct engine_result *r, int again)
{
    if (again)
        result_clear_sums(r);
    int helper = r->q.nselected >= ALLOC_PARALLEL_MIN && !r->eng->exhaustive_allocation;
    int rollup;
    /* a scan that takes two threads itself (scan_tracking) has the helper after it */
    int scan_threads = scan_entries(r, scan_cube(r, &rollup)) >= SCAN_PARALLEL_MIN;
    struct allocation *a = NULL;
    if (!scan_threads)
        a = allocation_start(r, helper);
    scan_tracking(r);
    if (scan_threads)
        a = allocation_start(r, helper);
    gather_activity(r);
    scan_posts(r);
    spend_of_selected(r);
    allocation_finish(a);
}

int engine_run(const struct engine *eng, const struct engine_filter *f, struct engine_result **out,
               struct err *e)
{
    return engine_run_views(eng, f, ENGINE_VIEW_ALL, out, e);
}

int engine_run_views(const struct engine *eng, const struct engine_filter *f, unsigned views,
                     struct engine_result **out, struct err *e)
{
    *out = NULL;
    if (f->from_day > f->to_day)
        return err_set(e, ERR_USAGE, "the date range is empty: from is after to");
    if (f->has_min_roas && !(f->min_roas >= 0))
        return err_set(e, ERR_USAGE, "min_roas must be a number of at least 0");
    struct engine_result *r = xcalloc(1, sizeof *r);
    r->eng = eng;
    r->views = views;
    r->from_day = f->from_day;
    r->to_day = f->to_day;
    r->scratch = scratch_take(eng);
    query_init(eng, f, &r->q, r->scratch->sums);
    r->act = r->scratch->act;
    r->alloc_spend = r->scratch->alloc_spend;
    r->days = r->scratch->days;
    r->brand = r->scratch->dims[0];
    r->campaign = r->scratch->dims[1];
    r->product = r->scratch->dims[2];
    r->source = r->scratch->dims[3];
    r->platform = r->scratch->dims[4];
    r->cell_filter = r->q.platform.active || r->q.brand.active || r->q.product.active ||
                     r->q.campaign.active || r->q.source.active;
    day_slice(eng, f->from_day, f->to_day, &r->day_lo, &r->day_hi);
    result_pass(r, 0);
    if (f->has_min_roas) {
        /* keep the influencers whose ROAS over this very filter reaches the minimum, then
         * compute everything again over them */
        for (size_t i = 0; i < eng->ninf; i++) {
            const struct influencer_activity *a = &r->act[i];
            if (r->q.inf_selected[i] &&
                !(a->spend > 0 && (double)a->revenue / (double)a->spend >= f->min_roas))
                r->q.inf_selected[i] = 0;
        }
        select_buckets(eng, &r->q);
        list_selected(eng, &r->q);
        result_pass(r, 1);
    }

    struct engine_kpis *k = &r->kpis;
    r->active = xmalloc((eng->ninf + 1) * sizeof *r->active);
    int overflow = 0;
    for (size_t s = 0; s < r->q.nselected; s++) {
        size_t i = (size_t)r->q.selected[s];
        if (!influencer_active(r, i))
            continue; /* an idle influencer has no revenue, orders or spend */
        r->active[r->nactive++] = (int32_t)i;
        sum_checked(&k->spend, r->act[i].spend, &overflow);
        sum_checked(&k->revenue, r->act[i].revenue, &overflow);
        sum_checked(&k->orders, r->act[i].orders, &overflow);
        k->followers += r->act[i].followers;
        k->follower_engagements += r->act[i].follower_engagements;
        k->views += r->act[i].views;
        k->view_engagements += r->act[i].view_engagements;
    }
    if (overflow) { /* cannot happen (see "why no sum overflows"); never a wrapped figure */
        engine_result_free(r);
        return err_set(e, ERR_LIMIT, "the totals of this filter do not fit 64 bits");
    }
    k->influencers = (int64_t)r->nactive;
    k->organic_revenue = r->q.sums[eng->nbuckets].revenue;
    k->organic_orders = r->q.sums[eng->nbuckets].orders;
    k->roas = ratio((double)k->revenue, (double)k->spend);
    k->roi = ratio((double)(k->revenue - k->spend), (double)k->spend);
    k->engagement_rate = ratio((double)k->engagements, (double)k->reach);
    k->engagement_rate_followers = ratio((double)k->follower_engagements, (double)k->followers);
    k->engagement_rate_views = ratio((double)k->view_engagements, (double)k->views);
    k->cpo = ratio((double)k->spend, (double)k->orders);
    k->aov = ratio((double)k->revenue, (double)k->orders);
    k->cpm = ratio((double)k->spend * 1000.0, (double)k->reach);
    k->cpe = ratio((double)k->spend, (double)k->engagements);
    k->conversion_rate = ratio((double)k->orders, (double)k->reach);
    k->revenue_per_post = ratio((double)k->revenue, (double)k->posts);
    *out = r;
    return 0;
}

void engine_result_free(struct engine_result *r)
{
    if (!r)
        return;
    query_release(&r->q);
    free(r->active);
    scratch_give(r->eng, r->scratch);
    free(r);
}

const struct engine_kpis *engine_result_kpis(const struct engine_result *r)
{
    return &r->kpis;
}

int engine_kpis(const struct engine *eng, const struct engine_filter *f, struct engine_kpis *out,
                struct err *e)
{
    memset(out, 0, sizeof *out);
    struct engine_result *r;
    int rc = engine_run_views(eng, f, 0, &r, e); /* the KPIs need no breakdown */
    if (rc < 0)
        return rc;
    *out = r->kpis;
    engine_result_free(r);
    return 0;
}

/* ---- breakdowns ----------------------------------------------------------------------- */

/* One group while a breakdown is assembled. */
struct group_sums {
    int64_t revenue, orders, organic_revenue, spend, posts, reach, engagements, active;
};

static int cmp_group_key(const void *a, const void *b)
{
    const struct engine_group *x = a, *y = b;
    if (x->unallocated != y->unallocated)
        return x->unallocated - y->unallocated;
    return strcmp(x->key, y->key);
}

/* The dictionary of a breakdown by a cell dimension. */
static enum dim dim_of(enum engine_dim dim)
{
    switch (dim) {
    case ENGINE_BY_PLATFORM:
        return DIM_PLATFORM;
    case ENGINE_BY_BRAND:
        return DIM_BRAND;
    case ENGINE_BY_CAMPAIGN:
        return DIM_CAMPAIGN;
    case ENGINE_BY_PRODUCT:
        return DIM_PRODUCT;
    case ENGINE_BY_SOURCE:
        return DIM_SOURCE;
    case ENGINE_BY_DAY:
        break;
    }
    return DIM_COUNT;
}

/* The key text of slot (code + 1) under dim, into iso when it is a day; the slot after the
 * dictionary's is Unallocated. */
static const char *slot_key(const struct engine *eng, enum engine_dim dim, size_t slot,
                            char iso[11])
{
    if (slot == 0)
        return "";
    int32_t code = (int32_t)(slot - 1);
    if (dim != ENGINE_BY_DAY) {
        const struct strmap *dict = eng->dict[dim_of(dim)];
        return (size_t)code >= strmap_size(dict) ? ENGINE_UNALLOCATED
                                                 : strmap_key(dict, code, NULL);
    }
    schema_days_to_iso(col32(&eng->day_value)[code], iso);
    return iso;
}

/* The active slots as groups sorted by key, in one allocation: the array, then the keys. */
static struct engine_group *groups_from_sums(const struct engine *eng, enum engine_dim dim,
                                             const struct group_sums *sums, size_t nslots,
                                             size_t *n)
{
    char iso[11];
    size_t ngroups = 0, key_bytes = 0;
    for (size_t s = 0; s < nslots; s++) {
        if (sums[s].active == 0)
            continue;
        ngroups++;
        key_bytes += strlen(slot_key(eng, dim, s, iso)) + 1;
    }
    *n = ngroups;
    if (ngroups == 0)
        return NULL;
    struct engine_group *groups = xmalloc(ngroups * sizeof *groups + key_bytes);
    char *keys = (char *)(groups + ngroups);
    size_t g = 0;
    for (size_t s = 0; s < nslots; s++) {
        const struct group_sums *sum = &sums[s];
        if (sum->active == 0)
            continue;
        const char *key = slot_key(eng, dim, s, iso);
        size_t len = strlen(key) + 1;
        memcpy(keys, key, len);
        groups[g] = (struct engine_group){
            .key = keys,
            .unallocated = dim != ENGINE_BY_DAY && dim != ENGINE_BY_PLATFORM && s == nslots - 1,
            .revenue = sum->revenue,
            .orders = sum->orders,
            .organic_revenue = sum->organic_revenue,
            .spend = sum->spend,
            .posts = sum->posts,
            .reach = sum->reach,
            .engagements = sum->engagements,
            .roas = ratio((double)sum->revenue, (double)sum->spend),
            .roi = ratio((double)(sum->revenue - sum->spend), (double)sum->spend),
            .engagement_rate = ratio((double)sum->engagements, (double)sum->reach),
        };
        keys += len;
        g++;
    }
    /* days are in order already (the undated first); the rest are sorted by name, the
     * Unallocated group last */
    if (dim != ENGINE_BY_DAY)
        qsort(groups, ngroups, sizeof *groups, cmp_group_key);
    return groups;
}

static void sums_from_dims(const struct dim_sums *d, size_t n, struct group_sums *sums)
{
    for (size_t i = 0; i < n; i++) {
        sums[i].revenue = d[i].revenue;
        sums[i].orders = d[i].orders;
        sums[i].organic_revenue = d[i].organic_revenue;
        sums[i].spend = d[i].spend;
        sums[i].posts = d[i].posts;
        sums[i].reach = d[i].reach;
        sums[i].engagements = d[i].engagements;
        sums[i].active = d[i].rows + d[i].posts + (d[i].spend != 0);
    }
}

int engine_result_breakdown(const struct engine_result *r, enum engine_dim dim,
                            struct engine_group **out, size_t *n, struct err *e)
{
    const struct engine *eng = r->eng;
    *out = NULL;
    *n = 0;
    size_t nslots;
    struct group_sums *sums;
    static const unsigned view_of[] = {
        [ENGINE_BY_BRAND] = ENGINE_VIEW_BRAND,
        [ENGINE_BY_CAMPAIGN] = ENGINE_VIEW_CAMPAIGN,
        [ENGINE_BY_PRODUCT] = ENGINE_VIEW_PRODUCT,
        [ENGINE_BY_SOURCE] = ENGINE_VIEW_SOURCE,
    };
    switch (dim) {
    case ENGINE_BY_PLATFORM: {
        /* revenue and orders by the influencer's platform, posts by their own, spend by
         * its cells' (SPEC §3) */
        nslots = strmap_size(eng->dict[DIM_PLATFORM]) + 1;
        sums = xcalloc(nslots, sizeof *sums);
        sums_from_dims(r->platform, nslots, sums);
        const int32_t *platform = col32(&eng->inf_platform);
        for (size_t i = 0; i < eng->ninf; i++) {
            if (!r->q.inf_selected[i])
                continue;
            const struct influencer_activity *a = &r->act[i];
            struct group_sums *g = &sums[platform[i] + 1];
            g->revenue += a->revenue;
            g->orders += a->orders;
            g->active += a->rows + a->paid;
        }
        break;
    }
    case ENGINE_BY_BRAND:
    case ENGINE_BY_CAMPAIGN:
    case ENGINE_BY_PRODUCT:
    case ENGINE_BY_SOURCE: {
        if (!(r->views & view_of[dim]))
            return err_set(e, ERR_USAGE, "the %s breakdown was not computed for this result",
                           dim == ENGINE_BY_BRAND      ? "brand"
                           : dim == ENGINE_BY_CAMPAIGN ? "campaign"
                           : dim == ENGINE_BY_PRODUCT  ? "product"
                                                       : "source");
        const struct dim_sums *d = dim == ENGINE_BY_BRAND      ? r->brand
                                   : dim == ENGINE_BY_CAMPAIGN ? r->campaign
                                   : dim == ENGINE_BY_PRODUCT  ? r->product
                                                               : r->source;
        nslots = strmap_size(eng->dict[dim_of(dim)]) + 2;
        sums = xcalloc(nslots, sizeof *sums);
        sums_from_dims(d, nslots, sums);
        break;
    }
    case ENGINE_BY_DAY:
        nslots = eng->ndays + 1;
        sums = xcalloc(nslots, sizeof *sums);
        for (size_t s = 0; s < nslots; s++) {
            const struct day_sums *d = &r->days[s];
            sums[s].revenue = d->revenue;
            sums[s].orders = d->orders;
            sums[s].organic_revenue = d->organic_revenue;
            sums[s].spend = d->spend;
            sums[s].posts = d->posts;
            sums[s].reach = d->reach;
            sums[s].engagements = d->engagements;
            sums[s].active = d->attributed_rows + d->organic_rows + d->posts + (d->spend != 0);
        }
        break;
    default:
        return err_set(e, ERR_USAGE, "unknown breakdown dimension %d", (int)dim);
    }
    *out = groups_from_sums(eng, dim, sums, nslots, n);
    free(sums);
    return 0;
}

int engine_breakdown(const struct engine *eng, const struct engine_filter *f, enum engine_dim dim,
                     struct engine_group **out, size_t *n, struct err *e)
{
    *out = NULL;
    *n = 0;
    if ((unsigned)dim > ENGINE_BY_SOURCE)
        return err_set(e, ERR_USAGE, "unknown breakdown dimension %d", (int)dim);
    static const unsigned view_of[] = {
        [ENGINE_BY_BRAND] = ENGINE_VIEW_BRAND,
        [ENGINE_BY_CAMPAIGN] = ENGINE_VIEW_CAMPAIGN,
        [ENGINE_BY_PRODUCT] = ENGINE_VIEW_PRODUCT,
        [ENGINE_BY_SOURCE] = ENGINE_VIEW_SOURCE,
    };
    struct engine_result *r;
    int rc = engine_run_views(eng, f, view_of[dim], &r, e); /* only the view asked for */
    if (rc < 0)
        return rc;
    rc = engine_result_breakdown(r, dim, out, n, e);
    engine_result_free(r);
    return rc;
}

/* ---- influencers and personas -------------------------------------------------------- */

static int cmp_influencer_row(const void *a, const void *b)
{
    const struct engine_influencer_row *x = a, *y = b;
    if (x->revenue != y->revenue)
        return x->revenue > y->revenue ? -1 : 1;
    return strcmp(x->id, y->id);
}

/* The row of influencer i from its filtered activity. */
static struct engine_influencer_row influencer_row(const struct engine *eng, size_t i,
                                                   const struct influencer_activity *a)
{
    return (struct engine_influencer_row){
        .id = strmap_key(eng->dict[DIM_INFLUENCER], (int32_t)i, NULL),
        .name = dict_text(eng, DIM_NAME, col32(&eng->inf_name)[i]),
        .platform = dict_text(eng, DIM_PLATFORM, col32(&eng->inf_platform)[i]),
        .category = dict_text(eng, DIM_CATEGORY, col32(&eng->inf_category)[i]),
        .gender = dict_text(eng, DIM_GENDER, col32(&eng->inf_gender)[i]),
        .tier = dict_text(eng, DIM_TIER, col32(&eng->inf_tier)[i]),
        .persona = dict_text(eng, DIM_PERSONA, col32(&eng->inf_persona)[i]),
        .revenue = a->revenue,
        .orders = a->orders,
        .spend = a->spend,
        .posts = a->posts,
        .reach = a->reach,
        .engagements = a->engagements,
        .followers = a->followers,
        .follower_engagements = a->follower_engagements,
        .views = a->views,
        .view_engagements = a->view_engagements,
        .follower_count = col64(&eng->inf_followers)[i],
        /* an influencer of the file always has a gender (Unknown when empty: load_influencer) */
        .in_influencers_file = col32(&eng->inf_gender)[i] >= 0,
        .roas = ratio((double)a->revenue, (double)a->spend),
        .roi = ratio((double)(a->revenue - a->spend), (double)a->spend),
        .engagement_rate = ratio((double)a->engagements, (double)a->reach),
        .engagement_rate_followers = ratio((double)a->follower_engagements, (double)a->followers),
        .engagement_rate_views = ratio((double)a->view_engagements, (double)a->views),
    };
}

int engine_result_influencers(const struct engine_result *r, int sorted,
                              struct engine_influencer_row **out, size_t *n)
{
    const struct engine *eng = r->eng;
    size_t nrows = r->nactive;
    struct engine_influencer_row *rows = nrows ? xmalloc(nrows * sizeof *rows) : NULL;
    for (size_t k = 0; k < nrows; k++)
        rows[k] = influencer_row(eng, (size_t)r->active[k], &r->act[r->active[k]]);
    if (sorted && nrows > 1)
        qsort(rows, nrows, sizeof *rows, cmp_influencer_row);
    struct engine_rank_opts rank;
    engine_rank_opts_default(&rank);
    engine_rank_influencers(rows, nrows, &rank);
    *out = rows;
    *n = nrows;
    return 0;
}

int engine_influencers(const struct engine *eng, const struct engine_filter *f,
                       struct engine_influencer_row **out, size_t *n, struct err *e)
{
    *out = NULL;
    *n = 0;
    struct engine_result *r;
    int rc = engine_run(eng, f, &r, e);
    if (rc < 0)
        return rc;
    rc = engine_result_influencers(r, 1, out, n);
    engine_result_free(r);
    return rc;
}

int engine_influencer_index(const struct engine *eng, const char *id)
{
    return strmap_get(eng->dict[DIM_INFLUENCER], id, strlen(id));
}

int engine_result_influencer(const struct engine_result *r, int index,
                             struct engine_influencer_row *out)
{
    if (index < 0 || (size_t)index >= r->eng->ninf)
        return -1;
    *out = influencer_row(r->eng, (size_t)index, result_activity(r, (size_t)index));
    return 0;
}

static int cmp_key(const char *a, const char *b)
{
    return a && b ? strcmp(a, b) : 0; /* NULL: not part of the key, the same in every row */
}

static int cmp_persona_row(const void *a, const void *b)
{
    const struct engine_persona_row *x = a, *y = b;
    int c = cmp_key(x->category, y->category);
    if (c == 0)
        c = cmp_key(x->gender, y->gender);
    if (c == 0)
        c = cmp_key(x->tier, y->tier);
    return c;
}

int engine_result_personas(const struct engine_result *r, enum engine_persona_dim dim,
                           struct engine_persona_row **out, size_t *n, struct err *e)
{
    const struct engine *eng = r->eng;
    *out = NULL;
    *n = 0;
    if (dim != ENGINE_PERSONA_CATEGORY_GENDER && dim != ENGINE_PERSONA_TIER)
        return err_set(e, ERR_USAGE, "unknown persona dimension %d", (int)dim);
    /* one slot per code pair (code + 1, so that "none" has one), summed, then the used
     * slots named and sorted */
    int by_tier = dim == ENGINE_PERSONA_TIER;
    size_t ngender = by_tier ? 1 : strmap_size(eng->dict[DIM_GENDER]) + 1;
    size_t nfirst = strmap_size(eng->dict[by_tier ? DIM_TIER : DIM_CATEGORY]) + 1;
    const int32_t *first = col32(by_tier ? &eng->inf_tier : &eng->inf_category);
    const int32_t *gender = col32(&eng->inf_gender);
    struct engine_persona_row *slots = xcalloc(nfirst * ngender, sizeof *slots);
    size_t used = 0;
    for (size_t a = 0; a < r->nactive; a++) {
        size_t i = (size_t)r->active[a];
        size_t g = by_tier ? 0 : (size_t)(gender[i] + 1);
        struct engine_persona_row *p = &slots[(size_t)(first[i] + 1) * ngender + g];
        if (p->influencers == 0) {
            used++;
            if (by_tier) {
                p->tier = dict_text(eng, DIM_TIER, first[i]);
            } else {
                p->category = dict_text(eng, DIM_CATEGORY, first[i]);
                p->gender = dict_text(eng, DIM_GENDER, gender[i]);
            }
        }
        p->influencers++;
        p->revenue += r->act[i].revenue;
        p->orders += r->act[i].orders;
        p->spend += r->act[i].spend;
    }
    struct engine_persona_row *rows = used ? xmalloc(used * sizeof *rows) : NULL;
    size_t k = 0;
    for (size_t i = 0; i < nfirst * ngender; i++) {
        if (slots[i].influencers == 0)
            continue;
        rows[k] = slots[i];
        rows[k].roas = ratio((double)rows[k].revenue, (double)rows[k].spend);
        k++;
    }
    free(slots);
    if (k > 1)
        qsort(rows, k, sizeof *rows, cmp_persona_row);
    struct engine_rank_opts rank;
    engine_rank_opts_default(&rank);
    engine_rank_personas(rows, k, &rank);
    *out = rows;
    *n = k;
    return 0;
}

int engine_personas(const struct engine *eng, const struct engine_filter *f,
                    enum engine_persona_dim dim, struct engine_persona_row **out, size_t *n,
                    struct err *e)
{
    *out = NULL;
    *n = 0;
    if (dim != ENGINE_PERSONA_CATEGORY_GENDER && dim != ENGINE_PERSONA_TIER)
        return err_set(e, ERR_USAGE, "unknown persona dimension %d", (int)dim);
    struct engine_result *r;
    int rc = engine_run(eng, f, &r, e);
    if (rc < 0)
        return rc;
    rc = engine_result_personas(r, dim, out, n, e);
    engine_result_free(r);
    return rc;
}

/* ---- one influencer's posts ------------------------------------------------------------- */

int engine_result_posts(const struct engine_result *r, int index, struct engine_post_row **out,
                        size_t *n)
{
    const struct engine *eng = r->eng;
    *out = NULL;
    *n = 0;
    if (index < 0 || (size_t)index >= eng->ninf || !r->q.inf_selected[index])
        return 0;
    const int32_t *day = col32(&eng->post_day), *inf = col32(&eng->post_inf);
    const int32_t *platform = col32(&eng->post_platform), *campaign = col32(&eng->post_campaign);
    size_t k = 0, cap = 0;
    struct engine_post_row *rows = NULL;
    for (size_t i = 0; i < eng->nposts; i++) {
        if (inf[i] != index || day[i] < r->from_day || day[i] > r->to_day ||
            !r->q.platform.ok[platform[i] + 1])
            continue;
        if (k == cap) {
            cap = cap ? 2 * cap : 16;
            rows = xrealloc(rows, cap * sizeof *rows);
        }
        struct engine_post_row *p = &rows[k++];
        memset(p, 0, sizeof *p);
        if (day[i] != ENGINE_NO_DAY)
            schema_days_to_iso(day[i], p->date);
        p->platform = dict_text(eng, DIM_PLATFORM, platform[i]);
        p->campaign = dict_text(eng, DIM_CAMPAIGN, campaign[i]);
        p->reach = col64(&eng->post_reach)[i];
        p->likes = col64(&eng->post_likes)[i];
        p->comments = col64(&eng->post_comments)[i];
        p->shares = col64(&eng->post_shares)[i];
        p->saves = col64(&eng->post_saves)[i];
    }
    *out = rows;
    *n = k;
    return 0;
}

/* ---- the values a filter can take ------------------------------------------------------ */

static int cmp_text(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

int engine_values(const struct engine *eng, enum engine_field field, const char ***out, size_t *n)
{
    static const enum dim dims[] = {
        [ENGINE_FIELD_PLATFORM] = DIM_PLATFORM, [ENGINE_FIELD_BRAND] = DIM_BRAND,
        [ENGINE_FIELD_PRODUCT] = DIM_PRODUCT,   [ENGINE_FIELD_CAMPAIGN] = DIM_CAMPAIGN,
        [ENGINE_FIELD_SOURCE] = DIM_SOURCE,     [ENGINE_FIELD_CATEGORY] = DIM_CATEGORY,
        [ENGINE_FIELD_GENDER] = DIM_GENDER,     [ENGINE_FIELD_TIER] = DIM_TIER,
        [ENGINE_FIELD_PERSONA] = DIM_PERSONA,   [ENGINE_FIELD_BASIS] = DIM_BASIS,
    };
    *out = NULL;
    *n = 0;
    if ((unsigned)field >= sizeof dims / sizeof dims[0])
        return -1;
    const struct strmap *dict = eng->dict[dims[field]];
    size_t count = strmap_size(dict);
    if (count == 0)
        return 0;
    const char **values = xmalloc(count * sizeof *values);
    for (size_t i = 0; i < count; i++)
        values[i] = strmap_key(dict, (int32_t)i, NULL);
    qsort(values, count, sizeof *values, cmp_text);
    *out = values;
    *n = count;
    return 0;
}

int engine_day_range(const struct engine *eng, int32_t *first, int32_t *last)
{
    if (eng->ndays == 0)
        return -1;
    *first = col32(&eng->day_value)[0];
    *last = col32(&eng->day_value)[eng->ndays - 1];
    return 0;
}

size_t engine_influencer_total(const struct engine *eng)
{
    return eng->ninf;
}

void engine_influencer_names(const struct engine *eng, size_t index, const char **id,
                             const char **name)
{
    *id = strmap_key(eng->dict[DIM_INFLUENCER], (int32_t)index, NULL);
    *name = dict_text(eng, DIM_NAME, col32(&eng->inf_name)[index]);
}

/* ---- the stored rows a result covers --------------------------------------------------- */

/* The code of a text value under d (-1: no value), or -2 for a value the engine does not
 * know (stored after the load): such a value passes only an inactive filter. */
static int32_t row_code(const struct engine *eng, enum dim d, const struct schema_value *v)
{
    if (!v->present || v->len == 0)
        return -1;
    int32_t code = strmap_get(eng->dict[d], v->s, v->len);
    return code >= 0 ? code : -2;
}

static int mask_ok(const struct code_mask *m, int32_t code)
{
    return code == -2 ? !m->active : m->ok[code + 1];
}

static int day_in(const struct engine_result *r, const struct schema_value *v)
{
    int32_t day = day_of(v);
    if (day == ENGINE_NO_DAY)
        return r->from_day == INT32_MIN && r->to_day == INT32_MAX;
    return day >= r->from_day && day <= r->to_day;
}

/* The selected influencer of an id, or -1 (none, or not selected). */
static int selected_influencer(const struct engine_result *r, const struct schema_value *id)
{
    int32_t code = row_code(r->eng, DIM_INFLUENCER, id);
    return code >= 0 && r->q.inf_selected[code] ? code : -1;
}

int engine_result_keeps_row(const struct engine_result *r, const struct schema_row *row)
{
    const struct engine *eng = r->eng;
    const struct query *q = &r->q;
    const struct schema_value *v = row->v;
#define COL(name) (&v[schema_col_index(row->ds, name)])
    switch (row->ds) {
    case DS_INFLUENCERS: {
        int code = selected_influencer(r, COL("influencer_id"));
        return code >= 0 && q->platform.ok[col32(&eng->inf_platform)[code] + 1];
    }
    case DS_POSTS: {
        int inf = selected_influencer(r, COL("influencer_id"));
        if (inf < 0 || !day_in(r, COL("date")))
            return 0;
        int32_t platform = row_code(eng, DIM_PLATFORM, COL("platform"));
        if (platform == -1)
            platform = col32(&eng->inf_platform)[inf]; /* SPEC §1: default, the influencer's */
        return mask_ok(&q->platform, platform);
    }
    case DS_TRACKING: {
        if (!day_in(r, COL("date")) ||
            !mask_ok(&q->brand, row_code(eng, DIM_BRAND, COL("brand"))) ||
            !mask_ok(&q->product, row_code(eng, DIM_PRODUCT, COL("product"))) ||
            !mask_ok(&q->campaign, row_code(eng, DIM_CAMPAIGN, COL("campaign"))) ||
            !mask_ok(&q->source, row_code(eng, DIM_SOURCE, COL("source"))))
            return 0;
        const struct schema_value *inf = COL("influencer_id"), *organic = COL("organic");
        if ((organic->present && organic->i != 0) || !inf->present || inf->len == 0)
            return 1; /* organic rows: no influencer filter applies (SPEC §3) */
        int code = selected_influencer(r, inf);
        return code >= 0 && q->platform.ok[col32(&eng->inf_platform)[code] + 1];
    }
    case DS_PAYOUTS: {
        int code = selected_influencer(r, COL("influencer_id"));
        if (code < 0 || !q->platform.ok[col32(&eng->inf_platform)[code] + 1] ||
            !mask_ok(&q->basis, row_code(eng, DIM_BASIS, COL("basis"))))
            return 0;
        const struct schema_value *date = COL("payout_date");
        return day_of(date) == ENGINE_NO_DAY || day_in(r, date);
    }
    default:
        return 0;
    }
#undef COL
}
