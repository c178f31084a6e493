/* engine.c — the in-memory columnar engine (see engine.h): loading the store into flat
 * columns with dictionary-encoded dimensions, the KPI pass over a filter, and breakdowns of
 * the same filtered data by platform, brand or day.
 * Calls store, schema, strmap, buf and err; nothing here touches SQL or the network. */
#include "engine.h"

#include <assert.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "schema.h"
#include "strmap.h"

#include "banned.h"

/* How a payout row earns (engine_kpis, "spend"). */
enum pay_kind {
    PAY_ORDER,    /* rate × attributed orders */
    PAY_POST,     /* rate × posts */
    PAY_REVSHARE, /* rate × attributed revenue */
    PAY_TOTAL,    /* the recorded total_payout: flat, hybrid, other, or terms without a rate */
};

/* What a payout row's terms apply to. */
#define SCOPE_INFLUENCER (-1) /* all of the influencer's activity not claimed by a campaign row */
#define SCOPE_DUPLICATE (-2)  /* same terms as an earlier row of the influencer: counted there */

/* A growable column: a buf holding a packed array of one element type. */
struct column {
    struct buf b;
};

static void col_push32(struct column *c, int32_t v)
{
    buf_append(&c->b, &v, sizeof v); /* no cap: cannot fail (xrealloc aborts on OOM) */
}

static void col_push64(struct column *c, int64_t v)
{
    buf_append(&c->b, &v, sizeof v);
}

static int32_t *col32(const struct column *c)
{
    return (int32_t *)(void *)c->b.data;
}

static int64_t *col64(const struct column *c)
{
    return (int64_t *)(void *)c->b.data;
}

/* Dictionaries: one per dimension, shared by every dataset that carries it, so a
 * campaign code in tracking, posts and payouts names the same campaign. */
enum dim {
    DIM_INFLUENCER, /* influencer_id → influencer index */
    DIM_NAME,
    DIM_CATEGORY,
    DIM_GENDER,
    DIM_PLATFORM,
    DIM_TIER,
    DIM_PERSONA,
    DIM_BRAND,
    DIM_PRODUCT,
    DIM_CAMPAIGN,
    DIM_SOURCE,
    DIM_BASIS,
    DIM_COUNT
};

struct engine {
    struct strmap *dict[DIM_COUNT];

    /* influencers, indexed by DIM_INFLUENCER code; -1 codes for unknown attributes */
    size_t ninf;
    struct column inf_name, inf_category, inf_gender, inf_platform, inf_tier, inf_persona;
    struct column inf_followers; /* int64, -1 when unknown */

    size_t nposts;
    struct column post_inf, post_platform, post_day, post_campaign, post_bucket;
    struct column post_reach, post_likes, post_comments, post_shares, post_saves; /* int64 */

    size_t ntrk;
    struct column trk_day, trk_inf, trk_bucket, trk_brand, trk_product, trk_campaign, trk_source,
        trk_orders;
    struct column trk_revenue; /* int64 paise */

    size_t npay;
    struct column pay_inf, pay_basis, pay_campaign, pay_kind, pay_scope, pay_day;
    struct column pay_rate, pay_orders, pay_posts, pay_total; /* int64 */

    /* Activity buckets (see "spend"): bucket b < ninf is influencer b's activity outside
     * campaign-scoped payout terms; buckets from ninf on are (influencer, campaign) pairs
     * that a payout row prices on its own. Organic tracking rows use bucket nbuckets. */
    size_t nbuckets;
    struct column bucket_inf;    /* int32 influencer of each bucket */
    struct column bucket_claims; /* int32 bitmask of pay_kind claiming the bucket */

    /* Days as a dimension (engine_breakdown): the distinct days of tracking rows and
     * dated posts in ascending order, and each row's index among them (-1: no date). */
    size_t ndays;
    struct column day_value;    /* int32 day numbers, ascending */
    struct column trk_day_idx;  /* int32 per tracking row */
    struct column post_day_idx; /* int32 per post */
};

/* ---- loading ------------------------------------------------------------------------ */

struct load_ctx {
    struct engine *eng;
    struct err *e;
    int col[SCHEMA_MAX_COLS]; /* canonical column indexes of the dataset being scanned */
};

static int32_t dict_code(struct engine *eng, enum dim d, const struct schema_value *v)
{
    if (!v->present || v->len == 0)
        return -1;
    return strmap_put(eng->dict[d], v->s, v->len, NULL);
}

static int64_t int_or(const struct schema_value *v, int64_t dflt)
{
    return v->present ? v->i : dflt;
}

static int32_t day_of(const struct schema_value *v)
{
    int32_t day;
    if (!v->present || schema_iso_to_days(v->s, &day) < 0)
        return ENGINE_NO_DAY;
    return day;
}

static void push_influencer_attrs(struct engine *eng, int32_t name, int32_t category,
                                  int32_t gender, int32_t platform, int32_t tier, int32_t persona,
                                  int64_t followers)
{
    col_push32(&eng->inf_name, name);
    col_push32(&eng->inf_category, category);
    col_push32(&eng->inf_gender, gender);
    col_push32(&eng->inf_platform, platform);
    col_push32(&eng->inf_tier, tier);
    col_push32(&eng->inf_persona, persona);
    col_push64(&eng->inf_followers, followers);
    eng->ninf++;
}

/* Index of an influencer id, adding an attribute-less influencer when the id is known
 * only from posts, tracking or payouts (so none of their rows is dropped). */
static int32_t influencer_ref(struct engine *eng, const struct schema_value *id)
{
    if (!id->present || id->len == 0)
        return -1;
    int added = 0;
    int32_t idx = strmap_put(eng->dict[DIM_INFLUENCER], id->s, id->len, &added);
    if (added)
        push_influencer_attrs(eng, -1, -1, -1, -1, -1, -1, -1);
    assert((size_t)idx < eng->ninf);
    return idx;
}

static int load_influencer(void *ctx, const struct schema_row *row)
{
    struct load_ctx *l = ctx;
    struct engine *eng = l->eng;
    const struct schema_value *v = row->v;
    enum { ID, NAME, CATEGORY, GENDER, FOLLOWERS, PLATFORM, TIER, PERSONA };
    if (!v[ID].present || v[ID].len == 0)
        return 0; /* the key is NOT NULL in every store; nothing to index by */
    int added = 0;
    strmap_put(eng->dict[DIM_INFLUENCER], v[ID].s, v[ID].len, &added);
    if (!added)
        return 0; /* keys are unique in the store */
    push_influencer_attrs(
        eng, dict_code(eng, DIM_NAME, &v[NAME]), dict_code(eng, DIM_CATEGORY, &v[CATEGORY]),
        dict_code(eng, DIM_GENDER, &v[GENDER]), dict_code(eng, DIM_PLATFORM, &v[PLATFORM]),
        dict_code(eng, DIM_TIER, &v[TIER]), dict_code(eng, DIM_PERSONA, &v[PERSONA]),
        int_or(&v[FOLLOWERS], -1));
    return 0;
}

static int load_post(void *ctx, const struct schema_row *row)
{
    struct load_ctx *l = ctx;
    struct engine *eng = l->eng;
    const struct schema_value *v = row->v;
    const int *c = l->col;
    enum { INF, PLATFORM, DATE, CAMPAIGN, REACH, LIKES, COMMENTS, SHARES, SAVES };
    int32_t inf = influencer_ref(eng, &v[c[INF]]);
    int32_t platform = dict_code(eng, DIM_PLATFORM, &v[c[PLATFORM]]);
    if (platform < 0 && inf >= 0)
        platform = col32(&eng->inf_platform)[inf]; /* SPEC §1: default, the influencer's */
    col_push32(&eng->post_inf, inf);
    col_push32(&eng->post_platform, platform);
    col_push32(&eng->post_day, day_of(&v[c[DATE]]));
    col_push32(&eng->post_campaign, dict_code(eng, DIM_CAMPAIGN, &v[c[CAMPAIGN]]));
    col_push64(&eng->post_reach, int_or(&v[c[REACH]], 0));
    col_push64(&eng->post_likes, int_or(&v[c[LIKES]], 0));
    col_push64(&eng->post_comments, int_or(&v[c[COMMENTS]], 0));
    col_push64(&eng->post_shares, int_or(&v[c[SHARES]], 0));
    col_push64(&eng->post_saves, int_or(&v[c[SAVES]], 0));
    eng->nposts++;
    return 0;
}

static int load_tracking(void *ctx, const struct schema_row *row)
{
    struct load_ctx *l = ctx;
    struct engine *eng = l->eng;
    const struct schema_value *v = row->v;
    const int *c = l->col;
    enum { ID, INF, DATE, BRAND, PRODUCT, CAMPAIGN, SOURCE, ORDERS, REVENUE, ORGANIC };
    int32_t day = day_of(&v[c[DATE]]);
    if (day == ENGINE_NO_DAY)
        return err_set(l->e, ERR_INPUT, "tracking_data %s: date: \"%s\": not a date",
                       v[c[ID]].present ? v[c[ID]].s : "?", v[c[DATE]].present ? v[c[DATE]].s : "");
    int64_t orders = int_or(&v[c[ORDERS]], 1);
    if (orders < 0 || orders > INT32_MAX)
        return err_set(l->e, ERR_INPUT,
                       "tracking_data %s: orders: %lld: out of range (0 to %d per row)",
                       v[c[ID]].present ? v[c[ID]].s : "?", (long long)orders, INT32_MAX);
    int organic = int_or(&v[c[ORGANIC]], 0) != 0 || !v[c[INF]].present || v[c[INF]].len == 0;
    col_push32(&eng->trk_day, day);
    col_push32(&eng->trk_inf, organic ? -1 : influencer_ref(eng, &v[c[INF]]));
    col_push32(&eng->trk_brand, dict_code(eng, DIM_BRAND, &v[c[BRAND]]));
    col_push32(&eng->trk_product, dict_code(eng, DIM_PRODUCT, &v[c[PRODUCT]]));
    col_push32(&eng->trk_campaign, dict_code(eng, DIM_CAMPAIGN, &v[c[CAMPAIGN]]));
    col_push32(&eng->trk_source, dict_code(eng, DIM_SOURCE, &v[c[SOURCE]]));
    col_push32(&eng->trk_orders, (int32_t)orders);
    col_push64(&eng->trk_revenue, int_or(&v[c[REVENUE]], 0));
    eng->ntrk++;
    return 0;
}

static enum pay_kind pay_kind_of(const struct schema_value *basis, int has_rate)
{
    if (!has_rate || !basis->present)
        return PAY_TOTAL;
    if (strcmp(basis->s, "order") == 0)
        return PAY_ORDER;
    if (strcmp(basis->s, "post") == 0)
        return PAY_POST;
    if (strcmp(basis->s, "revenue_share") == 0)
        return PAY_REVSHARE;
    return PAY_TOTAL;
}

static int load_payout(void *ctx, const struct schema_row *row)
{
    struct load_ctx *l = ctx;
    struct engine *eng = l->eng;
    const struct schema_value *v = row->v;
    const int *c = l->col;
    enum { INF, CAMPAIGN, BASIS, RATE, ORDERS, POSTS, TOTAL, DATE };
    int has_rate = v[c[RATE]].present;
    col_push32(&eng->pay_inf, influencer_ref(eng, &v[c[INF]]));
    col_push32(&eng->pay_basis, dict_code(eng, DIM_BASIS, &v[c[BASIS]]));
    col_push32(&eng->pay_campaign, dict_code(eng, DIM_CAMPAIGN, &v[c[CAMPAIGN]]));
    col_push32(&eng->pay_kind, (int32_t)pay_kind_of(&v[c[BASIS]], has_rate));
    col_push32(&eng->pay_scope, SCOPE_INFLUENCER);
    col_push32(&eng->pay_day, day_of(&v[c[DATE]]));
    col_push64(&eng->pay_rate, int_or(&v[c[RATE]], 0));
    col_push64(&eng->pay_orders, int_or(&v[c[ORDERS]], 0));
    col_push64(&eng->pay_posts, int_or(&v[c[POSTS]], 0));
    col_push64(&eng->pay_total, int_or(&v[c[TOTAL]], 0));
    eng->npay++;
    return 0;
}

static int scan_dataset(struct store *s, struct engine *eng, enum dataset ds,
                        const char *const *cols, int ncols, store_row_fn fn, struct err *e)
{
    struct load_ctx l = {.eng = eng, .e = e};
    assert(ncols <= SCHEMA_MAX_COLS);
    for (int i = 0; i < ncols; i++) {
        l.col[i] = schema_col_index(ds, cols[i]);
        assert(l.col[i] >= 0);
    }
    err_clear(e);
    int rc = store_scan(s, ds, fn, &l, e);
    if (rc < 0 && e && e->code == ERR_OK)
        err_set(e, rc, "loading %s into the engine failed", schema_dataset(ds)->name);
    return rc;
}

/* Spend rules, part 1: which activity each payout row prices.
 * A payout row of an activity basis (order, post, revenue_share, with a rate) is
 * campaign-scoped when its campaign also appears among that activity's campaigns in the
 * whole data (attributed tracking rows for order and revenue_share, posts for post): it
 * prices only the influencer's activity in that campaign, an (influencer, campaign)
 * bucket. A row whose campaign is empty or unknown to the activity is unscoped: its terms
 * apply once to the influencer's activity outside the campaigns claimed under the same
 * basis. Of several rows with the same target (influencer, basis and campaign — or
 * influencer and basis when unscoped) only the first counts; the rest are
 * SCOPE_DUPLICATE, so no order, post or rupee is ever priced twice under one basis.
 * Rows of different bases (e.g. per post and a revenue share) both apply: hybrid terms.
 * Part 2 is compute_spend. */
static void build_buckets(struct engine *eng)
{
    size_t ncampaigns = strmap_size(eng->dict[DIM_CAMPAIGN]);
    uint8_t *in_tracking = xcalloc(ncampaigns + 1, 1);
    uint8_t *in_posts = xcalloc(ncampaigns + 1, 1);
    const int32_t *trk_campaign = col32(&eng->trk_campaign), *trk_inf = col32(&eng->trk_inf);
    const int32_t *post_campaign = col32(&eng->post_campaign), *post_inf = col32(&eng->post_inf);
    for (size_t i = 0; i < eng->ntrk; i++)
        if (trk_campaign[i] >= 0 && trk_inf[i] >= 0)
            in_tracking[trk_campaign[i]] = 1;
    for (size_t i = 0; i < eng->nposts; i++)
        if (post_campaign[i] >= 0)
            in_posts[post_campaign[i]] = 1;

    struct strmap *pairs = strmap_new();  /* (influencer, campaign) → pair number */
    struct strmap *claims = strmap_new(); /* (influencer, kind, campaign) seen */
    for (size_t i = 0; i < eng->ninf; i++) {
        col_push32(&eng->bucket_inf, (int32_t)i);
        col_push32(&eng->bucket_claims, 0);
    }
    int32_t *scope = col32(&eng->pay_scope);
    for (size_t i = 0; i < eng->npay; i++) {
        int32_t inf = col32(&eng->pay_inf)[i], campaign = col32(&eng->pay_campaign)[i];
        int32_t kind = col32(&eng->pay_kind)[i];
        if (inf < 0 || kind == PAY_TOTAL)
            continue;
        int scoped = campaign >= 0 && (kind == PAY_POST ? in_posts : in_tracking)[campaign];
        int32_t claim_key[3] = {inf, kind, scoped ? campaign : -1};
        int added = 0;
        strmap_put(claims, (const char *)claim_key, sizeof claim_key, &added);
        if (!added) {
            scope[i] = SCOPE_DUPLICATE;
            continue;
        }
        if (!scoped)
            continue;
        int32_t pair_key[2] = {inf, campaign};
        int32_t pair = strmap_put(pairs, (const char *)pair_key, sizeof pair_key, &added);
        int32_t bucket = (int32_t)eng->ninf + pair;
        if (added) {
            col_push32(&eng->bucket_inf, inf);
            col_push32(&eng->bucket_claims, 0);
        }
        col32(&eng->bucket_claims)[bucket] |= 1 << kind;
        scope[i] = bucket;
    }
    eng->nbuckets = eng->ninf + strmap_size(pairs);

    for (size_t i = 0; i < eng->ntrk; i++) {
        int32_t bucket = trk_inf[i] >= 0 ? trk_inf[i] : (int32_t)eng->nbuckets; /* organic */
        if (trk_inf[i] >= 0 && trk_campaign[i] >= 0) {
            int32_t key[2] = {trk_inf[i], trk_campaign[i]};
            int32_t pair = strmap_get(pairs, (const char *)key, sizeof key);
            if (pair >= 0)
                bucket = (int32_t)eng->ninf + pair;
        }
        col_push32(&eng->trk_bucket, bucket);
    }
    for (size_t i = 0; i < eng->nposts; i++) {
        int32_t bucket = post_inf[i];
        if (bucket >= 0 && post_campaign[i] >= 0) {
            int32_t key[2] = {post_inf[i], post_campaign[i]};
            int32_t pair = strmap_get(pairs, (const char *)key, sizeof key);
            if (pair >= 0)
                bucket = (int32_t)eng->ninf + pair;
        }
        col_push32(&eng->post_bucket, bucket);
    }
    strmap_free(claims);
    strmap_free(pairs);
    free(in_posts);
    free(in_tracking);
}

static int cmp_int32(const void *a, const void *b)
{
    int32_t x = *(const int32_t *)a, y = *(const int32_t *)b;
    return (x > y) - (x < y);
}

/* Index of day among the ndays sorted distinct days (which hold it). */
static int32_t day_index(const int32_t *days, size_t ndays, int32_t day)
{
    size_t lo = 0, hi = ndays;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (days[mid] < day)
            lo = mid + 1;
        else
            hi = mid;
    }
    assert(lo < ndays && days[lo] == day);
    return (int32_t)lo;
}

/* Dictionary-encodes days (see struct engine), so that a breakdown by day needs one slot
 * per day present, however far apart the dates are. */
static void build_day_index(struct engine *eng)
{
    const int32_t *trk_day = col32(&eng->trk_day), *post_day = col32(&eng->post_day);
    int32_t *days = xmalloc((eng->ntrk + eng->nposts + 1) * sizeof *days);
    size_t n = 0;
    for (size_t i = 0; i < eng->ntrk; i++)
        days[n++] = trk_day[i];
    for (size_t i = 0; i < eng->nposts; i++)
        if (post_day[i] != ENGINE_NO_DAY)
            days[n++] = post_day[i];
    qsort(days, n, sizeof *days, cmp_int32);
    size_t ndays = 0;
    for (size_t i = 0; i < n; i++)
        if (ndays == 0 || days[ndays - 1] != days[i])
            days[ndays++] = days[i];
    for (size_t i = 0; i < ndays; i++)
        col_push32(&eng->day_value, days[i]);
    for (size_t i = 0; i < eng->ntrk; i++)
        col_push32(&eng->trk_day_idx, day_index(days, ndays, trk_day[i]));
    for (size_t i = 0; i < eng->nposts; i++)
        col_push32(&eng->post_day_idx,
                   post_day[i] == ENGINE_NO_DAY ? -1 : day_index(days, ndays, post_day[i]));
    eng->ndays = ndays;
    free(days);
}

struct engine *engine_load(struct store *s, struct err *e)
{
    static const char *const post_cols[] = {"influencer_id", "platform", "date",
                                            "campaign",      "reach",    "likes",
                                            "comments",      "shares",   "saves"};
    static const char *const trk_cols[] = {"tracking_id", "influencer_id", "date",   "brand",
                                           "product",     "campaign",      "source", "orders",
                                           "revenue",     "organic"};
    static const char *const pay_cols[] = {"influencer_id", "campaign",   "basis",
                                           "rate",          "orders",     "posts",
                                           "total_payout",  "payout_date"};
    struct engine *eng = xcalloc(1, sizeof *eng);
    for (int d = 0; d < DIM_COUNT; d++)
        eng->dict[d] = strmap_new();
    /* Influencers first, so that posts can default to their influencer's platform. */
    int rc = scan_dataset(s, eng, DS_INFLUENCERS, NULL, 0, load_influencer, e);
    if (rc == 0)
        rc = scan_dataset(s, eng, DS_POSTS, post_cols, 9, load_post, e);
    if (rc == 0)
        rc = scan_dataset(s, eng, DS_TRACKING, trk_cols, 10, load_tracking, e);
    if (rc == 0)
        rc = scan_dataset(s, eng, DS_PAYOUTS, pay_cols, 8, load_payout, e);
    if (rc < 0) {
        engine_free(eng);
        return NULL;
    }
    build_buckets(eng);
    build_day_index(eng);
    return eng;
}

void engine_free(struct engine *eng)
{
    if (!eng)
        return;
    struct column *cols[] = {
        &eng->inf_name,      &eng->inf_category,  &eng->inf_gender,    &eng->inf_platform,
        &eng->inf_tier,      &eng->inf_persona,   &eng->inf_followers, &eng->post_inf,
        &eng->post_platform, &eng->post_day,      &eng->post_campaign, &eng->post_bucket,
        &eng->post_reach,    &eng->post_likes,    &eng->post_comments, &eng->post_shares,
        &eng->post_saves,    &eng->trk_day,       &eng->trk_inf,       &eng->trk_bucket,
        &eng->trk_brand,     &eng->trk_product,   &eng->trk_campaign,  &eng->trk_source,
        &eng->trk_orders,    &eng->trk_revenue,   &eng->pay_inf,       &eng->pay_basis,
        &eng->pay_campaign,  &eng->pay_kind,      &eng->pay_scope,     &eng->pay_day,
        &eng->pay_rate,      &eng->pay_orders,    &eng->pay_posts,     &eng->pay_total,
        &eng->bucket_inf,    &eng->bucket_claims, &eng->day_value,     &eng->trk_day_idx,
        &eng->post_day_idx,
    };
    for (size_t i = 0; i < sizeof cols / sizeof cols[0]; i++)
        buf_release(&cols[i]->b);
    for (int d = 0; d < DIM_COUNT; d++)
        strmap_free(eng->dict[d]);
    free(eng);
}

size_t engine_count(const struct engine *eng, enum dataset ds)
{
    switch (ds) {
    case DS_INFLUENCERS:
        return eng->ninf;
    case DS_POSTS:
        return eng->nposts;
    case DS_TRACKING:
        return eng->ntrk;
    case DS_PAYOUTS:
        return eng->npay;
    default:
        return 0;
    }
}

/* ---- filtering ---------------------------------------------------------------------- */

void engine_filter_init(struct engine_filter *f)
{
    memset(f, 0, sizeof *f);
    f->from_day = INT32_MIN;
    f->to_day = INT32_MAX;
}

/* A dimension's selected codes as a byte per code, offset by one so that code -1 (no
 * value) has a slot: ok[code + 1]. With no filter every slot is 1; with one, a row
 * without a value never matches. */
struct code_mask {
    uint8_t *ok;
    int active;
};

static void code_mask_init(struct code_mask *m, const struct strmap *dict,
                           const struct engine_set *set)
{
    size_t n = strmap_size(dict) + 1;
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
    }
}

/* Per-query scratch: masks and accumulators, so engine_kpis only reads the engine. */
struct query {
    struct code_mask platform, category, gender, tier, persona, influencer, basis;
    struct code_mask brand, product, campaign, source;
    uint8_t *inf_selected;    /* by influencer index */
    uint8_t *bucket_selected; /* by bucket: its influencer's; 1 for the organic bucket */
    /* per bucket: filtered attributed activity */
    int64_t *orders, *revenue, *posts, *rows;
};

static void query_release(struct query *q)
{
    struct code_mask *masks[] = {&q->platform, &q->category,   &q->gender, &q->tier,
                                 &q->persona,  &q->influencer, &q->basis,  &q->brand,
                                 &q->product,  &q->campaign,   &q->source};
    for (size_t i = 0; i < sizeof masks / sizeof masks[0]; i++)
        free(masks[i]->ok);
    free(q->inf_selected);
    free(q->bucket_selected);
    free(q->orders);
    free(q->revenue);
    free(q->posts);
    free(q->rows);
}

/* Influencers passing every influencer-attribute filter; basis selects influencers with
 * at least one payout row of a selected basis. */
static void select_influencers(const struct engine *eng, struct query *q)
{
    const int32_t *platform = col32(&eng->inf_platform), *category = col32(&eng->inf_category);
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
    for (size_t i = 0; i < eng->ninf; i++) {
        q->inf_selected[i] = q->platform.ok[platform[i] + 1] & q->category.ok[category[i] + 1] &
                             q->gender.ok[gender[i] + 1] & q->tier.ok[tier[i] + 1] &
                             q->persona.ok[persona[i] + 1] & q->influencer.ok[i + 1] &
                             (has_basis ? has_basis[i] : 1);
    }
    free(has_basis);
}

static void query_init(const struct engine *eng, const struct engine_filter *f, struct query *q)
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
    const int32_t *bucket_inf = col32(&eng->bucket_inf);
    q->bucket_selected = xmalloc(eng->nbuckets + 1);
    for (size_t b = 0; b < eng->nbuckets; b++)
        q->bucket_selected[b] = q->inf_selected[bucket_inf[b]];
    q->bucket_selected[eng->nbuckets] = 1;
    q->orders = xcalloc(eng->nbuckets + 1, sizeof *q->orders);
    q->revenue = xcalloc(eng->nbuckets + 1, sizeof *q->revenue);
    q->posts = xcalloc(eng->nbuckets + 1, sizeof *q->posts);
    q->rows = xcalloc(eng->nbuckets + 1, sizeof *q->rows);
}

/* The tracking-row selection of a filter, with the columns it reads hoisted: one
 * definition of "a tracking row passes", shared by the KPI and breakdown passes. Organic
 * rows sit in bucket eng->nbuckets, which every filter keeps (influencer filters skip
 * attributed rows only). */
struct tracking_view {
    const int32_t *day, *bucket, *brand, *product, *campaign, *source;
    const uint8_t *bucket_ok, *brand_ok, *product_ok, *campaign_ok, *source_ok;
    uint32_t from, span; /* from <= day <= to as one unsigned compare */
    int by_dims;         /* brand, product, campaign or source is filtered */
};

static void tracking_view_init(const struct engine *eng, const struct engine_filter *f,
                               const struct query *q, struct tracking_view *v)
{
    v->day = col32(&eng->trk_day);
    v->bucket = col32(&eng->trk_bucket);
    v->brand = col32(&eng->trk_brand);
    v->product = col32(&eng->trk_product);
    v->campaign = col32(&eng->trk_campaign);
    v->source = col32(&eng->trk_source);
    v->bucket_ok = q->bucket_selected;
    v->brand_ok = q->brand.ok;
    v->product_ok = q->product.ok;
    v->campaign_ok = q->campaign.ok;
    v->source_ok = q->source.ok;
    v->from = (uint32_t)f->from_day;
    v->span = (uint32_t)f->to_day - v->from;
    v->by_dims = q->brand.active || q->product.active || q->campaign.active || q->source.active;
}

/* 1 when tracking row i passes the filter, else 0; branch-free, since filters make the
 * selection unpredictable. by_dims is a constant at each call, so that rows are read for
 * brand/product/campaign/source only when one of them is filtered. */
static inline int64_t tracking_kept(const struct tracking_view *v, size_t i, int by_dims)
{
    uint32_t keep = ((uint32_t)v->day[i] - v->from <= v->span) & v->bucket_ok[v->bucket[i]];
    if (by_dims)
        keep &= v->brand_ok[v->brand[i] + 1] & v->product_ok[v->product[i] + 1] &
                v->campaign_ok[v->campaign[i] + 1] & v->source_ok[v->source[i] + 1];
    return (int64_t)keep;
}

static inline void accumulate_tracking(const struct engine *eng, const struct tracking_view *v,
                                       struct query *q, int by_dims)
{
    const int32_t *orders = col32(&eng->trk_orders);
    const int64_t *revenue = col64(&eng->trk_revenue);
    int64_t *acc_orders = q->orders, *acc_revenue = q->revenue, *acc_rows = q->rows;
    for (size_t i = 0; i < eng->ntrk; i++) {
        int32_t b = v->bucket[i];
        int64_t keep = tracking_kept(v, i, by_dims); /* a rejected row adds 0 */
        acc_orders[b] += orders[i] & -keep;
        acc_revenue[b] += revenue[i] & -keep;
        acc_rows[b] += keep;
    }
}

/* Tracking rows into their bucket (organic ones into the extra bucket eng->nbuckets). */
static void pass_tracking(const struct engine *eng, const struct engine_filter *f, struct query *q,
                          struct engine_kpis *out)
{
    struct tracking_view v;
    tracking_view_init(eng, f, q, &v);
    if (v.by_dims)
        accumulate_tracking(eng, &v, q, 1);
    else
        accumulate_tracking(eng, &v, q, 0);
    out->organic_revenue = q->revenue[eng->nbuckets];
    out->organic_orders = q->orders[eng->nbuckets];
}

/* The post selection of a filter: posts of selected influencers, by post date and the
 * post's own platform. Shared by the KPI and breakdown passes. */
struct post_view {
    const int32_t *day, *inf, *platform;
    const uint8_t *platform_ok, *selected;
    int32_t from, to;
};

static void post_view_init(const struct engine *eng, const struct engine_filter *f,
                           const struct query *q, struct post_view *v)
{
    v->day = col32(&eng->post_day);
    v->inf = col32(&eng->post_inf);
    v->platform = col32(&eng->post_platform);
    v->platform_ok = q->platform.ok;
    v->selected = q->inf_selected;
    v->from = f->from_day;
    v->to = f->to_day;
}

static inline int post_kept(const struct post_view *v, size_t i)
{
    return v->day[i] >= v->from && v->day[i] <= v->to && v->inf[i] >= 0 && v->selected[v->inf[i]] &&
           v->platform_ok[v->platform[i] + 1];
}

static void pass_posts(const struct engine *eng, const struct engine_filter *f, struct query *q,
                       struct engine_kpis *out)
{
    struct post_view v;
    post_view_init(eng, f, q, &v);
    const int32_t *bucket = col32(&eng->post_bucket);
    const int64_t *reach = col64(&eng->post_reach), *likes = col64(&eng->post_likes);
    const int64_t *comments = col64(&eng->post_comments), *shares = col64(&eng->post_shares);
    const int64_t *saves = col64(&eng->post_saves);
    int64_t total_reach = 0, engagements = 0, posts = 0;
    for (size_t i = 0; i < eng->nposts; i++) {
        if (!post_kept(&v, i))
            continue;
        posts++;
        total_reach += reach[i];
        engagements += likes[i] + comments[i] + shares[i] + saves[i];
        q->posts[bucket[i]]++;
    }
    out->posts = posts;
    out->reach = total_reach;
    out->engagements = engagements;
}

/* Per-influencer activity: totals over its buckets, and the part of them that
 * campaign-scoped terms of each kind claim (unscoped terms price the rest). */
struct influencer_activity {
    int64_t orders, revenue, posts, rows;
    int64_t claimed_orders, claimed_revenue, claimed_posts;
    __int128 spend_micro; /* millionths of a paisa */
    int paid;             /* a recorded total counted in the filter */
};

static void gather_activity(const struct engine *eng, const struct query *q,
                            struct influencer_activity *act)
{
    const int32_t *bucket_inf = col32(&eng->bucket_inf);
    const int32_t *claims = col32(&eng->bucket_claims);
    for (size_t b = 0; b < eng->nbuckets; b++) {
        struct influencer_activity *a = &act[bucket_inf[b]];
        a->orders += q->orders[b];
        a->revenue += q->revenue[b];
        a->posts += q->posts[b];
        a->rows += q->rows[b];
        if (claims[b] & (1 << PAY_ORDER))
            a->claimed_orders += q->orders[b];
        if (claims[b] & (1 << PAY_REVSHARE))
            a->claimed_revenue += q->revenue[b];
        if (claims[b] & (1 << PAY_POST))
            a->claimed_posts += q->posts[b];
    }
}

/* Spend of one payout row, in millionths of a paisa (rates are millionths of a
 * currency unit per order or post, or of the revenue for revenue_share). */
static __int128 payout_row_spend(const struct engine *eng, const struct query *q,
                                 const struct influencer_activity *a, size_t i)
{
    int32_t scope = col32(&eng->pay_scope)[i];
    __int128 rate = col64(&eng->pay_rate)[i];
    int scoped = scope >= 0;
    switch ((enum pay_kind)col32(&eng->pay_kind)[i]) {
    case PAY_ORDER:
        return rate * 100 * (scoped ? q->orders[scope] : a->orders - a->claimed_orders);
    case PAY_POST:
        return rate * 100 * (scoped ? q->posts[scope] : a->posts - a->claimed_posts);
    case PAY_REVSHARE:
        return rate * (scoped ? q->revenue[scope] : a->revenue - a->claimed_revenue);
    case PAY_TOTAL:
        break;
    }
    return (__int128)col64(&eng->pay_total)[i] * 1000000;
}

/* Millionths of a paisa to paise, half away from zero. */
static int64_t round_micro(__int128 m)
{
    return (int64_t)(m >= 0 ? (m + 500000) / 1000000 : -((-m + 500000) / 1000000));
}

/* A selected influencer with filtered activity: a post, an attributed row or a recorded
 * payout counted in the range (engine_kpis "influencers", the rows of engine_influencers). */
static int influencer_active(const struct query *q, const struct influencer_activity *a, size_t i)
{
    return q->inf_selected[i] && (a->rows > 0 || a->posts > 0 || a->paid);
}

/* Spend rules, part 2: each payout row of a selected influencer (and a selected basis) prices the
 * filtered activity it covers once; SCOPE_DUPLICATE rows price nothing. Recorded totals
 * count when their payout_date is in the range, or when they have none. Each
 * influencer's sum is rounded to the paisa (half away from zero), then summed. */
static void compute_spend(const struct engine *eng, const struct engine_filter *f,
                          const struct query *q, struct influencer_activity *act,
                          struct engine_kpis *out)
{
    const int32_t *pay_inf = col32(&eng->pay_inf), *pay_basis = col32(&eng->pay_basis);
    const int32_t *pay_kind = col32(&eng->pay_kind), *pay_scope = col32(&eng->pay_scope);
    const int32_t *pay_day = col32(&eng->pay_day);
    for (size_t i = 0; i < eng->npay; i++) {
        int32_t inf = pay_inf[i];
        if (inf < 0 || !q->inf_selected[inf] || !q->basis.ok[pay_basis[i] + 1] ||
            pay_scope[i] == SCOPE_DUPLICATE)
            continue;
        if (pay_kind[i] == PAY_TOTAL) {
            if (pay_day[i] != ENGINE_NO_DAY && (pay_day[i] < f->from_day || pay_day[i] > f->to_day))
                continue;
            act[inf].paid = 1;
        }
        act[inf].spend_micro += payout_row_spend(eng, q, &act[inf], i);
    }
    int64_t spend = 0, influencers = 0;
    for (size_t i = 0; i < eng->ninf; i++) {
        const struct influencer_activity *a = &act[i];
        spend += round_micro(a->spend_micro);
        influencers += influencer_active(q, a, i);
        out->revenue += a->revenue;
        out->orders += a->orders;
    }
    out->spend = spend;
    out->influencers = influencers;
}

static struct engine_ratio ratio(double num, double den)
{
    struct engine_ratio r = {0, 0.0};
    if (den != 0) {
        r.has = 1;
        r.value = num / den;
    }
    return r;
}

/* The KPI pipeline over a filter (from_day <= to_day): fills q, the totals of out (not its
 * ratios) and *act, one entry per influencer, which the caller frees along with q. */
static void run_query(const struct engine *eng, const struct engine_filter *f, struct query *q,
                      struct engine_kpis *out, struct influencer_activity **act)
{
    memset(out, 0, sizeof *out);
    query_init(eng, f, q);
    pass_tracking(eng, f, q, out);
    pass_posts(eng, f, q, out);
    *act = xcalloc(eng->ninf + 1, sizeof **act);
    gather_activity(eng, q, *act);
    compute_spend(eng, f, q, *act, out);
}

int engine_kpis(const struct engine *eng, const struct engine_filter *f, struct engine_kpis *out,
                struct err *e)
{
    memset(out, 0, sizeof *out);
    if (f->from_day > f->to_day)
        return err_set(e, ERR_USAGE, "the date range is empty: from is after to");
    struct query q;
    struct influencer_activity *act;
    run_query(eng, f, &q, out, &act);
    free(act);
    query_release(&q);

    out->roas = ratio((double)out->revenue, (double)out->spend);
    out->roi = ratio((double)(out->revenue - out->spend), (double)out->spend);
    out->engagement_rate = ratio((double)out->engagements, (double)out->reach);
    out->cpo = ratio((double)out->spend, (double)out->orders);
    out->aov = ratio((double)out->revenue, (double)out->orders);
    out->cpm = ratio((double)out->spend * 1000.0, (double)out->reach);
    out->cpe = ratio((double)out->spend, (double)out->engagements);
    out->conversion_rate = ratio((double)out->orders, (double)out->reach);
    out->revenue_per_post = ratio((double)out->revenue, (double)out->posts);
    return 0;
}

/* ---- breakdowns ----------------------------------------------------------------------- */

/* Per-group sums while a breakdown runs, one slot per code of the dimension plus slot 0
 * for rows without a value; active counts what reached the slot, so that groups with no
 * filtered activity are left out. */
struct group_sums {
    int64_t revenue, orders, organic_revenue, spend, posts, reach, active;
};

/* The slot of tracking row i (attributed or organic) under dim. */
static size_t tracking_slot(const struct engine *eng, enum engine_dim dim, size_t i)
{
    switch (dim) {
    case ENGINE_BY_PLATFORM: {
        int32_t inf = col32(&eng->bucket_inf)[col32(&eng->trk_bucket)[i]];
        return (size_t)(col32(&eng->inf_platform)[inf] + 1);
    }
    case ENGINE_BY_BRAND:
        return (size_t)(col32(&eng->trk_brand)[i] + 1);
    case ENGINE_BY_DAY:
        break;
    }
    return (size_t)(col32(&eng->trk_day_idx)[i] + 1);
}

/* Tracking rows passing the filter into their slots. Organic rows have no influencer,
 * hence no platform: by platform they are left out. */
static void group_tracking(const struct engine *eng, const struct engine_filter *f,
                           const struct query *q, enum engine_dim dim, struct group_sums *sums)
{
    struct tracking_view v;
    tracking_view_init(eng, f, q, &v);
    const int32_t *orders = col32(&eng->trk_orders);
    const int64_t *revenue = col64(&eng->trk_revenue);
    int32_t organic_bucket = (int32_t)eng->nbuckets;
    for (size_t i = 0; i < eng->ntrk; i++) {
        if (!tracking_kept(&v, i, v.by_dims))
            continue;
        int organic = v.bucket[i] == organic_bucket;
        if (organic && dim == ENGINE_BY_PLATFORM)
            continue;
        struct group_sums *g = &sums[tracking_slot(eng, dim, i)];
        g->active++;
        if (organic) {
            g->organic_revenue += revenue[i];
        } else {
            g->revenue += revenue[i];
            g->orders += orders[i];
        }
    }
}

/* Posts passing the filter into their slots: the influencer's platform, or the post's day
 * (slot 0 when it has none). Not by brand (engine.h says why). */
static void group_posts(const struct engine *eng, const struct engine_filter *f,
                        const struct query *q, enum engine_dim dim, struct group_sums *sums)
{
    if (dim == ENGINE_BY_BRAND)
        return;
    struct post_view v;
    post_view_init(eng, f, q, &v);
    const int32_t *inf_platform = col32(&eng->inf_platform);
    const int32_t *day_idx = col32(&eng->post_day_idx);
    const int64_t *reach = col64(&eng->post_reach);
    for (size_t i = 0; i < eng->nposts; i++) {
        if (!post_kept(&v, i))
            continue;
        int32_t code = dim == ENGINE_BY_PLATFORM ? inf_platform[v.inf[i]] : day_idx[i];
        struct group_sums *g = &sums[code + 1];
        g->active++;
        g->posts++;
        g->reach += reach[i];
    }
}

/* Per-influencer spend (rounded as in engine_kpis) into the influencer's platform. */
static void group_spend_by_platform(const struct engine *eng, const struct query *q,
                                    const struct influencer_activity *act, struct group_sums *sums)
{
    const int32_t *inf_platform = col32(&eng->inf_platform);
    for (size_t i = 0; i < eng->ninf; i++) {
        if (!q->inf_selected[i])
            continue;
        int64_t spend = round_micro(act[i].spend_micro);
        struct group_sums *g = &sums[inf_platform[i] + 1];
        g->spend += spend;
        g->active += spend != 0 || act[i].paid;
    }
}

static int cmp_group_key(const void *a, const void *b)
{
    return strcmp(((const struct engine_group *)a)->key, ((const struct engine_group *)b)->key);
}

/* The key text of slot (code + 1) under dim, into iso when it is a day. */
static const char *slot_key(const struct engine *eng, enum engine_dim dim, size_t slot,
                            char iso[11])
{
    if (slot == 0)
        return "";
    int32_t code = (int32_t)(slot - 1);
    switch (dim) {
    case ENGINE_BY_PLATFORM:
        return strmap_key(eng->dict[DIM_PLATFORM], code, NULL);
    case ENGINE_BY_BRAND:
        return strmap_key(eng->dict[DIM_BRAND], code, NULL);
    case ENGINE_BY_DAY:
        break;
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
            .revenue = sum->revenue,
            .orders = sum->orders,
            .organic_revenue = sum->organic_revenue,
            .spend = sum->spend,
            .posts = sum->posts,
            .reach = sum->reach,
            .roas = ratio((double)sum->revenue, (double)sum->spend),
        };
        keys += len;
        g++;
    }
    qsort(groups, ngroups, sizeof *groups, cmp_group_key);
    return groups;
}

int engine_breakdown(const struct engine *eng, const struct engine_filter *f, enum engine_dim dim,
                     struct engine_group **out, size_t *n, struct err *e)
{
    *out = NULL;
    *n = 0;
    size_t nslots;
    switch (dim) {
    case ENGINE_BY_PLATFORM:
        nslots = strmap_size(eng->dict[DIM_PLATFORM]) + 1;
        break;
    case ENGINE_BY_BRAND:
        nslots = strmap_size(eng->dict[DIM_BRAND]) + 1;
        break;
    case ENGINE_BY_DAY:
        nslots = eng->ndays + 1;
        break;
    default:
        return err_set(e, ERR_USAGE, "unknown breakdown dimension %d", (int)dim);
    }
    if (f->from_day > f->to_day)
        return err_set(e, ERR_USAGE, "the date range is empty: from is after to");
    struct query q;
    struct engine_kpis totals;
    struct influencer_activity *act = NULL;
    struct group_sums *sums = xcalloc(nslots, sizeof *sums);
    /* Spend needs the whole KPI pipeline; brand and day have no spend yet, so they need
     * only the selection (masks and selected influencers). */
    if (dim == ENGINE_BY_PLATFORM) {
        run_query(eng, f, &q, &totals, &act);
        group_spend_by_platform(eng, &q, act, sums);
    } else {
        query_init(eng, f, &q);
    }
    group_tracking(eng, f, &q, dim, sums);
    group_posts(eng, f, &q, dim, sums);
    *out = groups_from_sums(eng, dim, sums, nslots, n);
    free(sums);
    free(act);
    query_release(&q);
    return 0;
}

/* ---- influencers and personas -------------------------------------------------------- */

/* Reach and engagements of the filtered posts, per influencer (act of run_query counts only
 * posts, which is all spend needs). */
static void influencer_reach(const struct engine *eng, const struct engine_filter *f,
                             const struct query *q, int64_t *reach, int64_t *engagements)
{
    struct post_view v;
    post_view_init(eng, f, q, &v);
    const int64_t *post_reach = col64(&eng->post_reach), *likes = col64(&eng->post_likes);
    const int64_t *comments = col64(&eng->post_comments), *shares = col64(&eng->post_shares);
    const int64_t *saves = col64(&eng->post_saves);
    for (size_t i = 0; i < eng->nposts; i++) {
        if (!post_kept(&v, i))
            continue;
        reach[v.inf[i]] += post_reach[i];
        engagements[v.inf[i]] += likes[i] + comments[i] + shares[i] + saves[i];
    }
}

/* The dictionary text of code under d, "" for -1 (no value). */
static const char *dict_text(const struct engine *eng, enum dim d, int32_t code)
{
    return code < 0 ? "" : strmap_key(eng->dict[d], code, NULL);
}

static int cmp_influencer_row(const void *a, const void *b)
{
    const struct engine_influencer_row *x = a, *y = b;
    if (x->revenue != y->revenue)
        return x->revenue > y->revenue ? -1 : 1;
    return strcmp(x->id, y->id);
}

/* The row of influencer i from its filtered activity. */
static struct engine_influencer_row influencer_row(const struct engine *eng, size_t i,
                                                   const struct influencer_activity *a,
                                                   int64_t reach, int64_t engagements)
{
    int64_t spend = round_micro(a->spend_micro);
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
        .spend = spend,
        .posts = a->posts,
        .reach = reach,
        .engagements = engagements,
        .roas = ratio((double)a->revenue, (double)spend),
        .roi = ratio((double)(a->revenue - spend), (double)spend),
    };
}

int engine_influencers(const struct engine *eng, const struct engine_filter *f,
                       struct engine_influencer_row **out, size_t *n, struct err *e)
{
    *out = NULL;
    *n = 0;
    if (f->from_day > f->to_day)
        return err_set(e, ERR_USAGE, "the date range is empty: from is after to");
    struct query q;
    struct engine_kpis totals;
    struct influencer_activity *act;
    run_query(eng, f, &q, &totals, &act);
    int64_t *reach = xcalloc(eng->ninf + 1, sizeof *reach);
    int64_t *engagements = xcalloc(eng->ninf + 1, sizeof *engagements);
    influencer_reach(eng, f, &q, reach, engagements);
    size_t nrows = 0;
    for (size_t i = 0; i < eng->ninf; i++)
        nrows += influencer_active(&q, &act[i], i);
    struct engine_influencer_row *rows = nrows ? xmalloc(nrows * sizeof *rows) : NULL;
    size_t r = 0;
    for (size_t i = 0; i < eng->ninf; i++)
        if (influencer_active(&q, &act[i], i))
            rows[r++] = influencer_row(eng, i, &act[i], reach[i], engagements[i]);
    assert(r == nrows);
    if (nrows > 1)
        qsort(rows, nrows, sizeof *rows, cmp_influencer_row);
    free(engagements);
    free(reach);
    free(act);
    query_release(&q);
    *out = rows;
    *n = nrows;
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

static int same_persona(const struct engine_persona_row *p, const struct engine_persona_row *key)
{
    return cmp_persona_row(p, key) == 0;
}

int engine_personas(const struct engine *eng, const struct engine_filter *f,
                    enum engine_persona_dim dim, struct engine_persona_row **out, size_t *n,
                    struct err *e)
{
    *out = NULL;
    *n = 0;
    if (dim != ENGINE_PERSONA_CATEGORY_GENDER && dim != ENGINE_PERSONA_TIER)
        return err_set(e, ERR_USAGE, "unknown persona dimension %d", (int)dim);
    struct engine_influencer_row *inf;
    size_t ninf;
    int rc = engine_influencers(eng, f, &inf, &ninf, e);
    if (rc < 0)
        return rc;
    /* One key row per influencer, sorted, then runs of equal keys merged in place. */
    struct engine_persona_row *rows = ninf ? xcalloc(ninf, sizeof *rows) : NULL;
    for (size_t i = 0; i < ninf; i++) {
        int by_tier = dim == ENGINE_PERSONA_TIER;
        rows[i] = (struct engine_persona_row){
            .category = by_tier ? NULL : inf[i].category,
            .gender = by_tier ? NULL : inf[i].gender,
            .tier = by_tier ? inf[i].tier : NULL,
            .influencers = 1,
            .revenue = inf[i].revenue,
            .orders = inf[i].orders,
            .spend = inf[i].spend,
        };
    }
    if (ninf > 1)
        qsort(rows, ninf, sizeof *rows, cmp_persona_row);
    size_t ngroups = 0;
    for (size_t i = 0; i < ninf; i++) {
        struct engine_persona_row *g = ngroups ? &rows[ngroups - 1] : NULL;
        if (g && same_persona(g, &rows[i])) {
            g->influencers += rows[i].influencers;
            g->revenue += rows[i].revenue;
            g->orders += rows[i].orders;
            g->spend += rows[i].spend;
        } else {
            rows[ngroups++] = rows[i];
        }
    }
    for (size_t i = 0; i < ngroups; i++)
        rows[i].roas = ratio((double)rows[i].revenue, (double)rows[i].spend);
    free(inf);
    if (ngroups == 0) {
        free(rows);
        rows = NULL;
    }
    *out = rows;
    *n = ngroups;
    return 0;
}
