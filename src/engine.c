/* engine.c — the in-memory columnar engine (see engine.h): loading the store into flat
 * columns with dictionary-encoded dimensions, the KPI pass over a filter, and breakdowns of
 * the same filtered data by platform, brand or day.
 * Calls store, schema, strmap, buf and err; nothing here touches SQL or the network. */
#include "engine.h"

#include <assert.h>
#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

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

/* campaign_type of a tracking row (SPEC §3 holdout). */
enum { CTYPE_NONE, CTYPE_TEST, CTYPE_CONTROL, CTYPE_COUNT };

/* status of a payout row */
enum { PAY_STATUS_OTHER, PAY_STATUS_PAID, PAY_STATUS_PENDING };

/* A growable column: a buf holding a packed array of one element type. */
struct column {
    struct buf b;
};

/* Appends v: in place while the buf has room (this runs for every loaded row and column),
 * through buf_append to grow it. No cap: cannot fail (xrealloc aborts on OOM). */
static inline void col_push(struct column *c, const void *v, size_t n)
{
    struct buf *b = &c->b;
    if (b->cap - b->len > n) { /* room for the bytes and buf's NUL */
        memcpy(b->data + b->len, v, n);
        b->len += n;
        b->data[b->len] = '\0';
    } else {
        buf_append(b, v, n);
    }
}

static inline void col_push32(struct column *c, int32_t v)
{
    col_push(c, &v, sizeof v);
}

static inline void col_push64(struct column *c, int64_t v)
{
    col_push(c, &v, sizeof v);
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

/* Tracking rows with the same day, bucket, brand, product, campaign, source and campaign
 * type merged into one entry with summed orders, revenue and row count (the coarse cube
 * merges across products and sources too: they are -1 there). Entries are sorted by day,
 * so a date range is one contiguous slice: the entries of day d are day_start[d] ..
 * day_start[d + 1]. */
struct cube {
    size_t n;
    struct column bucket, brand, product, campaign, source, ctype; /* int32 */
    struct column orders, revenue, rows;                           /* int64 */
    struct column day_start; /* int64 offsets, ndays + 1 of them */
};

enum { CUBE_FINE, CUBE_COARSE, CUBE_COUNT };

struct engine {
    struct strmap *dict[DIM_COUNT];

    /* influencers, indexed by DIM_INFLUENCER code; -1 codes for unknown attributes */
    size_t ninf;
    struct column inf_name, inf_category, inf_gender, inf_platform, inf_tier, inf_persona;
    struct column inf_followers; /* int64, -1 when unknown */

    size_t nposts;
    struct column post_inf, post_platform, post_day, post_campaign, post_bucket;
    struct column post_reach, post_likes, post_comments, post_shares, post_saves; /* int64 */
    /* Posts are sorted by day once loaded: those without a date first, then day by day;
     * post_start[d + 1] .. post_start[d + 2] are the posts of day d, post_start[0] ..
     * post_start[1] those without a date (int64, ndays + 2 of them). */
    struct column post_start;

    /* Tracking rows as loaded, one entry per stored row; released once the cube is built. */
    size_t ntrk;
    struct column trk_day, trk_inf, trk_bucket, trk_brand, trk_product, trk_campaign, trk_source,
        trk_ctype, trk_orders;
    struct column trk_revenue; /* int64 paise */

    /* The tracking cubes (struct cube): CUBE_FINE, by every dimension a filter can name;
     * CUBE_COARSE without product and source, a few times smaller, for the queries that
     * filter neither. Every query reads one of them, never the stored rows. */
    struct cube cube[CUBE_COUNT];

    size_t npay;
    struct column pay_inf, pay_basis, pay_campaign, pay_kind, pay_scope, pay_day, pay_status;
    struct column pay_rate, pay_orders, pay_posts, pay_total; /* int64 */

    /* Activity buckets (see "spend"): bucket b < ninf is influencer b's activity outside
     * campaign-scoped payout terms; buckets from ninf on are (influencer, campaign) pairs
     * that a payout row prices on its own. Organic tracking rows use bucket nbuckets. */
    size_t nbuckets;
    struct column bucket_inf;    /* int32 influencer of each bucket */
    struct column bucket_claims; /* int32 bitmask of pay_kind claiming the bucket */
    /* int64 per bucket: all of its attributed tracking rows and posts, unfiltered (the
     * payouts check: does a filter keep all the activity a payout row prices?) */
    struct column bucket_rows, bucket_posts;
    /* Per influencer, its buckets and its payout rows (in row order): influencer i's are
     * inf_buckets[inf_bucket_start[i] .. inf_bucket_start[i + 1]], and likewise for
     * payouts, so that a query visits only the influencers it selects. */
    struct column inf_bucket_start, inf_buckets, inf_pay_start, inf_pays; /* int32 */

    /* Days as a dimension: the distinct days of tracking rows and dated posts in ascending
     * order (each cube's day_start indexes them). */
    size_t ndays;
    struct column day_value;    /* int32 day numbers, ascending */
    struct column post_day_idx; /* int32 per post (-1: no date) */

    /* Stored rows left out at load (engine_skipped): counts per dataset (over_limit: of
     * them, the rows past ENGINE_MAX_ROWS) and the first ENGINE_SKIPPED_KEEP. */
    size_t skipped_count[DS_COUNT], over_limit[DS_COUNT];
    struct engine_skipped_row skipped[ENGINE_SKIPPED_KEEP];
    size_t nskipped;

    /* During the load only (load_payout): per influencer, the activity payout terms can
     * price, and what the payout rows loaded so far could price together (micro-paise). */
    struct activity_total *totals;
    size_t ntotals;
    unsigned __int128 spend_bound;
};

/* ---- why no sum overflows --------------------------------------------------------------
 * Every integer the engine loads is within schema_check_range (rows outside are left out:
 * engine_skipped), and a dataset holds at most ENGINE_MAX_ROWS rows. So a money column
 * totals at most MONEY_TOTAL_MAX in absolute value, a count column COUNT_TOTAL_MAX, a post's
 * engagements (likes + comments + shares + saves) ENGAGEMENT_TOTAL_MAX, and spend (bounded
 * row by row in load_payout) ENGINE_SPEND_MAX. Every sum a query makes — per cube entry,
 * bucket, day, brand, campaign, influencer, platform, persona, and the KPIs — adds a subset
 * of one column's values, and the differences it takes (revenue − spend, recorded − earned,
 * test − control) involve two such totals: the assertions below show they fit int64 with
 * room to spare, so the scans add without per-value checks and nothing can wrap. The sums
 * over influencers are overflow-checked all the same (sum_checked). */
#define MONEY_TOTAL_MAX ((int64_t)ENGINE_MAX_ROWS * SCHEMA_MONEY_MAX)
#define COUNT_TOTAL_MAX ((int64_t)ENGINE_MAX_ROWS * SCHEMA_COUNT_MAX)
#define ENGAGEMENT_TOTAL_MAX (4 * COUNT_TOTAL_MAX)
_Static_assert(SCHEMA_MONEY_MAX <= INT64_MAX / (int64_t)ENGINE_MAX_ROWS / 3,
               "three money totals fit int64");
_Static_assert(ENGINE_SPEND_MAX == MONEY_TOTAL_MAX, "spend is bounded like a money column");
_Static_assert(ENGAGEMENT_TOTAL_MAX <= INT64_MAX / 3, "engagement totals fit int64");
_Static_assert(ENGINE_MAX_ROWS <= UINT32_MAX && ENGINE_MAX_ROWS <= INT32_MAX,
               "row numbers fit the int32 and uint32 indexes");

/* acc += v, remembering in *overflow whether it wrapped (it cannot: see above). */
static inline void sum_checked(int64_t *acc, int64_t v, int *overflow)
{
    *overflow |= __builtin_add_overflow(*acc, v, acc);
}

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

/* ---- stored rows the engine cannot use ---- */

/* A stored value that keeps a row out: its column (canonical index) and why. */
struct problem {
    int col;
    const char *reason;
};

/* 0 when the integer value is absent or in range, else -1 with p. */
static int check_range(const struct schema_value *v, enum dataset ds, int col, struct problem *p)
{
    const char *reason;
    if (!v->present || schema_check_range(schema_dataset(ds)->cols[col].kind, v->i, &reason) == 0)
        return 0;
    p->col = col;
    p->reason = reason;
    return -1;
}

/* Stored text into out (cap bytes): shortened without cutting a UTF-8 sequence, control
 * characters as spaces (it goes to logs and JSON). */
static void copy_text(char *out, size_t cap, const char *s, size_t len)
{
    size_t n = len < cap - 1 ? len : cap - 1;
    if (n < len)
        while (n > 0 && ((unsigned char)s[n] & 0xC0) == 0x80)
            n--;
    for (size_t i = 0; i < n; i++)
        out[i] = (unsigned char)s[i] < 0x20 || s[i] == 0x7f ? ' ' : s[i];
    out[n] = '\0';
}

/* Keeps a left-out row for engine_skipped when there is room (the caller counts it). */
static void keep_skipped(struct engine *eng, enum dataset ds, const char *id, int col,
                         const struct schema_value *v, const char *reason)
{
    if (eng->nskipped >= ENGINE_SKIPPED_KEEP)
        return;
    struct engine_skipped_row *k = &eng->skipped[eng->nskipped++];
    memset(k, 0, sizeof *k);
    k->ds = ds;
    copy_text(k->id, sizeof k->id, id ? id : "", id ? strlen(id) : 0);
    if (col >= 0) {
        const struct schema_col *c = &schema_dataset(ds)->cols[col];
        snprintf(k->column, sizeof k->column, "%s", c->name);
        if (v && v->present && schema_kind_is_int(c->kind)) {
            struct buf text = BUF_INIT;
            schema_format_int(c->kind, v->i, &text);
            snprintf(k->value, sizeof k->value, "%s", buf_cstr(&text));
            buf_release(&text);
        } else if (v && v->present) {
            copy_text(k->value, sizeof k->value, v->s, v->len);
        }
    }
    snprintf(k->reason, sizeof k->reason, "%s", reason);
}

/* Leaves a stored row out of the engine: counted, and kept for engine_skipped. */
static void skip_row(struct engine *eng, enum dataset ds, const char *id, int col,
                     const struct schema_value *v, const char *reason)
{
    eng->skipped_count[ds]++;
    keep_skipped(eng, ds, id, col, v, reason);
}

/* A row past ENGINE_MAX_ROWS: counted (engine_load_parallel reports them in one entry). */
static void skip_over_limit(struct engine *eng, enum dataset ds)
{
    eng->skipped_count[ds]++;
    eng->over_limit[ds]++;
}

size_t engine_skipped_count(const struct engine *eng, enum dataset ds)
{
    if (ds >= 0 && ds < DS_COUNT)
        return eng->skipped_count[ds];
    size_t n = 0;
    for (int d = 0; d < DS_COUNT; d++)
        n += eng->skipped_count[d];
    return n;
}

const struct engine_skipped_row *engine_skipped(const struct engine *eng, size_t *n)
{
    *n = eng->nskipped;
    return eng->skipped;
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
    /* An influencer of the file without a gender is Unknown (SPEC §1; schema.c does the same
     * at import since issue 14, rows stored before have none). */
    int32_t gender = v[GENDER].present && v[GENDER].len
                         ? dict_code(eng, DIM_GENDER, &v[GENDER])
                         : strmap_put(eng->dict[DIM_GENDER], "Unknown", 7, NULL);
    push_influencer_attrs(
        eng, dict_code(eng, DIM_NAME, &v[NAME]), dict_code(eng, DIM_CATEGORY, &v[CATEGORY]), gender,
        dict_code(eng, DIM_PLATFORM, &v[PLATFORM]), dict_code(eng, DIM_TIER, &v[TIER]),
        dict_code(eng, DIM_PERSONA, &v[PERSONA]), int_or(&v[FOLLOWERS], -1));
    return 0;
}

/* The columns of posts the engine reads, in the order of load_post's enum (post_id last:
 * read only to name left-out rows). */
static const char *const post_cols[] = {"influencer_id", "platform", "date",     "campaign",
                                        "reach",         "likes",    "comments", "shares",
                                        "saves",         "post_id"};
enum { POST_NCOLS = 9 };

/* A stored post whose counts are out of range: 0 when it can be loaded, else -1 with p. */
static int post_problem(const struct schema_value *v, const int *c, struct problem *p)
{
    for (int k = 4; k < POST_NCOLS; k++) /* reach, likes, comments, shares, saves */
        if (check_range(&v[c[k]], DS_POSTS, c[k], p) < 0)
            return -1;
    return 0;
}

static int load_post(void *ctx, const struct schema_row *row)
{
    struct load_ctx *l = ctx;
    struct engine *eng = l->eng;
    const struct schema_value *v = row->v;
    const int *c = l->col;
    enum { INF, PLATFORM, DATE, CAMPAIGN, REACH, LIKES, COMMENTS, SHARES, SAVES };
    struct problem p;
    if (post_problem(v, c, &p) < 0) {
        skip_row(eng, DS_POSTS, "", p.col, &v[p.col], p.reason); /* named by name_skipped */
        return 0;
    }
    if (eng->nposts >= ENGINE_MAX_ROWS) {
        skip_over_limit(eng, DS_POSTS);
        return 0;
    }
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

/* Test and Control in any case; anything else is no experiment group. */
static int32_t ctype_of(const struct schema_value *v)
{
    if (!v->present)
        return CTYPE_NONE;
    if (strcasecmp(v->s, "test") == 0 || strcasecmp(v->s, "treatment") == 0)
        return CTYPE_TEST;
    if (strcasecmp(v->s, "control") == 0 || strcasecmp(v->s, "holdout") == 0)
        return CTYPE_CONTROL;
    return CTYPE_NONE;
}

/* The columns of tracking_data the engine reads, in the order of load_tracking's enum
 * (tracking_id last: read only to name left-out rows). */
static const char *const trk_cols[] = {"influencer_id", "date",          "brand",      "product",
                                       "campaign",      "source",        "orders",     "revenue",
                                       "organic",       "campaign_type", "tracking_id"};
enum { TRK_NCOLS = 10 };

/* A stored tracking row the engine cannot use (no date, orders or revenue out of range): 0
 * and its day when it can be loaded, else -1 with p. */
static int tracking_problem(const struct schema_value *v, const int *c, int32_t *day,
                            struct problem *p)
{
    enum { INF, DATE, BRAND, PRODUCT, CAMPAIGN, SOURCE, ORDERS, REVENUE };
    *day = day_of(&v[c[DATE]]);
    if (*day == ENGINE_NO_DAY) {
        p->col = c[DATE];
        p->reason = v[c[DATE]].present ? "not a date (expected YYYY-MM-DD)"
                                       : "missing value (date is required)";
        return -1;
    }
    if (check_range(&v[c[ORDERS]], DS_TRACKING, c[ORDERS], p) < 0 ||
        check_range(&v[c[REVENUE]], DS_TRACKING, c[REVENUE], p) < 0)
        return -1;
    return 0;
}

static int load_tracking(void *ctx, const struct schema_row *row)
{
    struct load_ctx *l = ctx;
    struct engine *eng = l->eng;
    const struct schema_value *v = row->v;
    const int *c = l->col;
    /* Not the tracking_id: reading it for every row costs more than it would tell about the
     * rows left out below, which only data written around the import checks can cause
     * (name_skipped reads it for those). */
    enum { INF, DATE, BRAND, PRODUCT, CAMPAIGN, SOURCE, ORDERS, REVENUE, ORGANIC, CTYPE };
    int32_t day;
    struct problem p;
    if (tracking_problem(v, c, &day, &p) < 0) {
        skip_row(eng, DS_TRACKING, "", p.col, &v[p.col], p.reason);
        return 0;
    }
    if (eng->ntrk >= ENGINE_MAX_ROWS) {
        skip_over_limit(eng, DS_TRACKING);
        return 0;
    }
    int64_t orders = int_or(&v[c[ORDERS]], 1);
    int organic = int_or(&v[c[ORGANIC]], 0) != 0 || !v[c[INF]].present || v[c[INF]].len == 0;
    col_push32(&eng->trk_day, day);
    col_push32(&eng->trk_inf, organic ? -1 : influencer_ref(eng, &v[c[INF]]));
    col_push32(&eng->trk_brand, dict_code(eng, DIM_BRAND, &v[c[BRAND]]));
    col_push32(&eng->trk_product, dict_code(eng, DIM_PRODUCT, &v[c[PRODUCT]]));
    col_push32(&eng->trk_campaign, dict_code(eng, DIM_CAMPAIGN, &v[c[CAMPAIGN]]));
    col_push32(&eng->trk_source, dict_code(eng, DIM_SOURCE, &v[c[SOURCE]]));
    col_push32(&eng->trk_orders, (int32_t)orders);
    col_push64(&eng->trk_revenue, int_or(&v[c[REVENUE]], 0));
    col_push32(&eng->trk_ctype, ctype_of(&v[c[CTYPE]]));
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

/* Per influencer, the activity that payout terms price (all of it, unfiltered): the most
 * any filter can give them (load_payout). */
struct activity_total {
    uint64_t orders, abs_revenue, posts;
};

/* eng->totals from the loaded tracking rows and posts (before the payouts are read). */
static void total_activity(struct engine *eng)
{
    eng->ntotals = eng->ninf;
    eng->totals = xcalloc(eng->ntotals + 1, sizeof *eng->totals);
    const int32_t *trk_inf = col32(&eng->trk_inf), *orders = col32(&eng->trk_orders);
    const int64_t *revenue = col64(&eng->trk_revenue);
    for (size_t i = 0; i < eng->ntrk; i++) {
        if (trk_inf[i] < 0)
            continue;
        struct activity_total *t = &eng->totals[trk_inf[i]];
        t->orders += (uint64_t)orders[i];
        t->abs_revenue += revenue[i] < 0 ? (uint64_t)-revenue[i] : (uint64_t)revenue[i];
    }
    const int32_t *post_inf = col32(&eng->post_inf);
    for (size_t i = 0; i < eng->nposts; i++)
        if (post_inf[i] >= 0)
            eng->totals[post_inf[i]].posts++;
}

static uint64_t magnitude(int64_t v)
{
    return v < 0 ? 0 - (uint64_t)v : (uint64_t)v; /* INT64_MIN too */
}

/* The most a payout row can add to spend under any filter, in micro-paise (as
 * payout_row_spend prices it): its rate times all of its influencer's activity of the kind,
 * or its recorded total. Values are in range (check_range), so this fits 128 bits. */
static unsigned __int128 payout_bound(const struct engine *eng, int32_t inf, enum pay_kind kind,
                                      int64_t rate, int64_t total, uint64_t *units)
{
    const struct activity_total none = {0, 0, 0};
    const struct activity_total *t =
        inf >= 0 && (size_t)inf < eng->ntotals ? &eng->totals[inf] : &none;
    unsigned __int128 r = magnitude(rate);
    switch (kind) {
    case PAY_ORDER:
        *units = t->orders;
        return r * 100 * t->orders;
    case PAY_POST:
        *units = t->posts;
        return r * 100 * t->posts;
    case PAY_REVSHARE:
        *units = t->abs_revenue;
        return r * t->abs_revenue;
    case PAY_TOTAL:
        break;
    }
    *units = 0;
    return (unsigned __int128)magnitude(total) * 1000000;
}

/* Whether a payout row may be loaded: its rate and total in range, and what its terms can
 * price within what is left of ENGINE_SPEND_MAX after the rows before it (then added to
 * eng->spend_bound). Otherwise the row is left out with the reason. */
static int payout_fits(struct engine *eng, const struct schema_value *v, const int *c,
                       enum pay_kind kind)
{
    enum { INF, CAMPAIGN, BASIS, RATE, ORDERS, POSTS, TOTAL, DATE, STATUS, ID };
    const char *id = v[c[ID]].present ? v[c[ID]].s : "";
    struct problem p;
    if (check_range(&v[c[RATE]], DS_PAYOUTS, c[RATE], &p) < 0 ||
        check_range(&v[c[TOTAL]], DS_PAYOUTS, c[TOTAL], &p) < 0) {
        skip_row(eng, DS_PAYOUTS, id, p.col, &v[p.col], p.reason);
        return 0;
    }
    int32_t inf = -1;
    if (v[c[INF]].present && v[c[INF]].len)
        inf = strmap_get(eng->dict[DIM_INFLUENCER], v[c[INF]].s, v[c[INF]].len);
    uint64_t units;
    unsigned __int128 bound =
        payout_bound(eng, inf, kind, int_or(&v[c[RATE]], 0), int_or(&v[c[TOTAL]], 0), &units);
    const unsigned __int128 budget = (unsigned __int128)ENGINE_SPEND_MAX * 1000000;
    if (bound <= budget - eng->spend_bound) {
        eng->spend_bound += bound;
        return 1;
    }
    static const char *const unit_names[] = {
        [PAY_ORDER] = "orders", [PAY_POST] = "posts", [PAY_REVSHARE] = "paise of revenue"};
    struct buf most = BUF_INIT;
    schema_format_int(COL_MONEY, ENGINE_SPEND_MAX, &most);
    char reason[320];
    if (kind == PAY_TOTAL)
        snprintf(reason, sizeof reason,
                 "with the payout rows before it, the payouts could price more than the engine "
                 "can add up (%s in all)",
                 buf_cstr(&most));
    else
        snprintf(reason, sizeof reason,
                 "its terms could price more than the engine can add up for all payouts "
                 "together (%s): this rate times the influencer's %llu %s; correct the rate "
                 "(or the activity) and import the row again",
                 buf_cstr(&most), (unsigned long long)units, unit_names[kind]);
    buf_release(&most);
    int col = kind == PAY_TOTAL ? c[TOTAL] : c[RATE];
    skip_row(eng, DS_PAYOUTS, id, col, &v[col], reason);
    return 0;
}

static int load_payout(void *ctx, const struct schema_row *row)
{
    struct load_ctx *l = ctx;
    struct engine *eng = l->eng;
    const struct schema_value *v = row->v;
    const int *c = l->col;
    enum { INF, CAMPAIGN, BASIS, RATE, ORDERS, POSTS, TOTAL, DATE, STATUS };
    int has_rate = v[c[RATE]].present;
    enum pay_kind kind = pay_kind_of(&v[c[BASIS]], has_rate);
    if (eng->npay >= ENGINE_MAX_ROWS) {
        skip_over_limit(eng, DS_PAYOUTS);
        return 0;
    }
    if (!payout_fits(eng, v, c, kind))
        return 0;
    col_push32(&eng->pay_inf, influencer_ref(eng, &v[c[INF]]));
    col_push32(&eng->pay_basis, dict_code(eng, DIM_BASIS, &v[c[BASIS]]));
    col_push32(&eng->pay_campaign, dict_code(eng, DIM_CAMPAIGN, &v[c[CAMPAIGN]]));
    col_push32(&eng->pay_kind, (int32_t)kind);
    col_push32(&eng->pay_scope, SCOPE_INFLUENCER);
    col_push32(&eng->pay_day, day_of(&v[c[DATE]]));
    int32_t status = PAY_STATUS_OTHER;
    if (v[c[STATUS]].present && strcmp(v[c[STATUS]].s, "Paid") == 0)
        status = PAY_STATUS_PAID; /* schema.c normalises paid/completed/done */
    else if (v[c[STATUS]].present && strcmp(v[c[STATUS]].s, "Pending") == 0)
        status = PAY_STATUS_PENDING;
    col_push32(&eng->pay_status, status);
    col_push64(&eng->pay_rate, int_or(&v[c[RATE]], 0));
    col_push64(&eng->pay_orders, int_or(&v[c[ORDERS]], 0));
    col_push64(&eng->pay_posts, int_or(&v[c[POSTS]], 0));
    col_push64(&eng->pay_total, int_or(&v[c[TOTAL]], 0));
    eng->npay++;
    return 0;
}

static int scan_dataset_part(struct store *s, struct engine *eng, enum dataset ds, int part,
                             int nparts, const char *const *cols, int ncols, store_row_fn fn,
                             struct err *e)
{
    struct load_ctx l = {.eng = eng, .e = e};
    assert(ncols <= SCHEMA_MAX_COLS);
    uint64_t columns = 0; /* only what the engine reads (all for influencers: ncols 0) */
    for (int i = 0; i < ncols; i++) {
        l.col[i] = schema_col_index(ds, cols[i]);
        assert(l.col[i] >= 0);
        columns |= (uint64_t)1 << l.col[i];
    }
    err_clear(e);
    int rc = store_scan_part(s, ds, part, nparts, columns, fn, &l, e);
    if (rc < 0 && e && e->code == ERR_OK)
        err_set(e, rc, "loading %s into the engine failed", schema_dataset(ds)->name);
    return rc;
}

static int scan_dataset(struct store *s, struct engine *eng, enum dataset ds,
                        const char *const *cols, int ncols, store_row_fn fn, struct err *e)
{
    return scan_dataset_part(s, eng, ds, 0, 1, cols, ncols, fn, e);
}

/* A counting sort of n items by their influencer (owner[i]; -1: none, left out): items of
 * influencer i are index[start[i] .. start[i + 1]], in item order. */
static void index_by_influencer(struct column *start, struct column *index, const int32_t *owner,
                                size_t n, size_t ninf)
{
    int32_t *count = xcalloc(ninf + 2, sizeof *count);
    for (size_t i = 0; i < n; i++)
        if (owner[i] >= 0)
            count[owner[i] + 2]++;
    for (size_t i = 2; i < ninf + 2; i++)
        count[i] += count[i - 1];
    int32_t *at = xmalloc((count[ninf + 1] + 1) * sizeof *at);
    for (size_t i = 0; i < n; i++)
        if (owner[i] >= 0)
            at[count[owner[i] + 1]++] = (int32_t)i;
    /* count[i] is now where influencer i's items begin, count[ninf] where they end */
    for (size_t i = 0; i <= ninf; i++)
        col_push32(start, count[i]);
    for (int32_t i = 0; i < count[ninf]; i++)
        col_push32(index, at[i]);
    free(at);
    free(count);
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

    /* The pairs as short lists per influencer (an influencer has few scoped campaigns), so
     * that each row finds its bucket without hashing. */
    size_t npairs = strmap_size(pairs);
    int32_t *head = xmalloc((eng->ninf + 1) * sizeof *head);
    int32_t *next = xmalloc((npairs + 1) * sizeof *next);
    int32_t *pair_campaign = xmalloc((npairs + 1) * sizeof *pair_campaign);
    for (size_t i = 0; i < eng->ninf; i++)
        head[i] = -1;
    for (size_t p = 0; p < npairs; p++) {
        int32_t key[2];
        memcpy(key, strmap_key(pairs, (int32_t)p, NULL), sizeof key); /* keys are unaligned */
        pair_campaign[p] = key[1];
        next[p] = head[key[0]];
        head[key[0]] = (int32_t)p;
    }
    for (size_t i = 0; i < eng->ntrk; i++) {
        int32_t inf = trk_inf[i], bucket = inf >= 0 ? inf : (int32_t)eng->nbuckets; /* organic */
        if (inf >= 0 && trk_campaign[i] >= 0)
            for (int32_t p = head[inf]; p >= 0; p = next[p])
                if (pair_campaign[p] == trk_campaign[i]) {
                    bucket = (int32_t)eng->ninf + p;
                    break;
                }
        col_push32(&eng->trk_bucket, bucket);
    }
    for (size_t i = 0; i < eng->nposts; i++) {
        int32_t bucket = post_inf[i];
        if (bucket >= 0 && post_campaign[i] >= 0)
            for (int32_t p = head[post_inf[i]]; p >= 0; p = next[p])
                if (pair_campaign[p] == post_campaign[i]) {
                    bucket = (int32_t)eng->ninf + p;
                    break;
                }
        col_push32(&eng->post_bucket, bucket);
    }
    free(head);
    free(next);
    free(pair_campaign);
    index_by_influencer(&eng->inf_bucket_start, &eng->inf_buckets, col32(&eng->bucket_inf),
                        eng->nbuckets, eng->ninf);
    index_by_influencer(&eng->inf_pay_start, &eng->inf_pays, col32(&eng->pay_inf), eng->npay,
                        eng->ninf);
    strmap_free(claims);
    strmap_free(pairs);
    free(in_posts);
    free(in_tracking);
}

/* Days as a dimension (struct engine): marks every tracking and post day on a bitmap over
 * the span of dates, numbers the marked days in order, and gives each post its day index.
 * *first and *index (one int32 per day of the span, -1 for days not present) let the cube
 * builder find a tracking row's day index; the caller frees *index. */
static void build_days(struct engine *eng, int32_t *first, int32_t **index)
{
    const int32_t *trk_day = col32(&eng->trk_day), *post_day = col32(&eng->post_day);
    int32_t lo = INT32_MAX, hi = INT32_MIN;
    for (size_t i = 0; i < eng->ntrk; i++) {
        lo = trk_day[i] < lo ? trk_day[i] : lo;
        hi = trk_day[i] > hi ? trk_day[i] : hi;
    }
    for (size_t i = 0; i < eng->nposts; i++) {
        if (post_day[i] == ENGINE_NO_DAY)
            continue;
        lo = post_day[i] < lo ? post_day[i] : lo;
        hi = post_day[i] > hi ? post_day[i] : hi;
    }
    /* Dates are years 1–9999 (schema.c), so the span is at most ~3.7M days. */
    size_t span = lo <= hi ? (size_t)((int64_t)hi - lo + 1) : 0;
    int32_t *idx = xmalloc((span + 1) * sizeof *idx);
    for (size_t i = 0; i < span; i++)
        idx[i] = -1;
    for (size_t i = 0; i < eng->ntrk; i++)
        idx[trk_day[i] - lo] = 0;
    for (size_t i = 0; i < eng->nposts; i++)
        if (post_day[i] != ENGINE_NO_DAY)
            idx[post_day[i] - lo] = 0;
    size_t ndays = 0;
    for (size_t i = 0; i < span; i++) {
        if (idx[i] < 0)
            continue;
        idx[i] = (int32_t)ndays++;
        col_push32(&eng->day_value, (int32_t)(lo + (int64_t)i));
    }
    for (size_t i = 0; i < eng->nposts; i++)
        col_push32(&eng->post_day_idx,
                   post_day[i] == ENGINE_NO_DAY ? -1 : idx[post_day[i] - lo]);
    eng->ndays = ndays;
    *first = lo;
    *index = idx;
}

/* The key a cube entry merges rows by. */
struct cube_key {
    int32_t bucket, brand, product, campaign, source, ctype;
};

static uint32_t cube_hash(const struct cube_key *k)
{
    uint64_t h = (uint64_t)(uint32_t)k->bucket * 0x9E3779B97F4A7C15ull;
    h ^= ((uint64_t)(uint32_t)k->brand << 32 | (uint32_t)k->product) * 0xC2B2AE3D27D4EB4Full;
    h ^= ((uint64_t)(uint32_t)k->campaign << 32 | (uint32_t)k->source) * 0x165667B19E3779F9ull;
    h ^= (uint64_t)(uint32_t)k->ctype * 0x27D4EB2F165667C5ull;
    h ^= h >> 29;
    return (uint32_t)(h ^ h >> 32);
}

/* Open addressing over one day's entries of a cube under construction. */
struct cube_table {
    int32_t *slot; /* entry relative to the day's first, or -1 */
    size_t cap;
    struct buf keys; /* struct cube_key of each entry of the day */
};

static void cube_table_day(struct cube_table *t, size_t rows)
{
    size_t want = 16;
    while (want < 2 * rows)
        want *= 2;
    if (want > t->cap) {
        free(t->slot);
        t->slot = xmalloc(want * sizeof *t->slot);
        t->cap = want;
    }
    memset(t->slot, 0xff, t->cap * sizeof *t->slot);
    buf_reset(&t->keys);
}

/* Adds rows (summing orders and revenue) to their entry of c (first_entry: the day's first
 * entry). */
static void cube_add(struct cube *c, struct cube_table *t, size_t first_entry,
                     const struct cube_key *k, int64_t orders, int64_t revenue, int64_t rows)
{
    uint32_t mask = (uint32_t)(t->cap - 1);
    uint32_t h = cube_hash(k) & mask;
    const struct cube_key *seen = (const struct cube_key *)(void *)t->keys.data;
    while (t->slot[h] >= 0 && memcmp(&seen[t->slot[h]], k, sizeof *k) != 0)
        h = (h + 1) & mask;
    if (t->slot[h] < 0) {
        t->slot[h] = (int32_t)(c->n - first_entry);
        buf_append(&t->keys, k, sizeof *k);
        col_push32(&c->bucket, k->bucket);
        col_push32(&c->brand, k->brand);
        col_push32(&c->product, k->product);
        col_push32(&c->campaign, k->campaign);
        col_push32(&c->source, k->source);
        col_push32(&c->ctype, k->ctype);
        col_push64(&c->orders, 0);
        col_push64(&c->revenue, 0);
        col_push64(&c->rows, 0);
        c->n++;
    }
    size_t e = first_entry + (size_t)t->slot[h];
    col64(&c->orders)[e] += orders;
    col64(&c->revenue)[e] += revenue;
    col64(&c->rows)[e] += rows;
}

static void cube_release(struct cube *c)
{
    struct column *cols[] = {&c->bucket, &c->brand,   &c->product, &c->campaign,
                             &c->source, &c->ctype,   &c->orders,  &c->revenue,
                             &c->rows,   &c->day_start};
    for (size_t i = 0; i < sizeof cols / sizeof cols[0]; i++)
        buf_release(&cols[i]->b);
}

/* Sort key of a cube entry within its day: by brand, then bucket (see scan_loop). */
struct day_order {
    int32_t brand, bucket;
    uint32_t at;
};

static int cmp_day_order(const void *a, const void *b)
{
    const struct day_order *x = a, *y = b;
    if (x->brand != y->brand)
        return x->brand < y->brand ? -1 : 1;
    if (x->bucket != y->bucket)
        return x->bucket < y->bucket ? -1 : 1;
    return (x->at > y->at) - (x->at < y->at);
}

static void permute_segment(struct column *col, size_t from, const struct day_order *order,
                            size_t n, size_t w, char *tmp)
{
    char *base = col->b.data + from * w;
    for (size_t i = 0; i < n; i++)
        memcpy(tmp + i * w, base + (size_t)order[i].at * w, w);
    memcpy(base, tmp, n * w);
}

/* Sorts the entries from..c->n of one day by brand, then bucket: a brand filter then reads
 * only its brands' runs, and the per-bucket sums are visited in order. */
static void cube_sort_day(struct cube *c, size_t from)
{
    size_t n = c->n - from;
    if (n < 2)
        return;
    struct day_order *order = xmalloc(n * sizeof *order);
    char *tmp = xmalloc(n * sizeof(int64_t));
    const int32_t *brand = col32(&c->brand), *bucket = col32(&c->bucket);
    for (size_t i = 0; i < n; i++)
        order[i] = (struct day_order){brand[from + i], bucket[from + i], (uint32_t)i};
    qsort(order, n, sizeof *order, cmp_day_order);
    struct column *c32[] = {&c->bucket, &c->brand, &c->product, &c->campaign, &c->source,
                            &c->ctype};
    struct column *c64[] = {&c->orders, &c->revenue, &c->rows};
    for (size_t i = 0; i < sizeof c32 / sizeof c32[0]; i++)
        permute_segment(c32[i], from, order, n, sizeof(int32_t), tmp);
    for (size_t i = 0; i < sizeof c64 / sizeof c64[0]; i++)
        permute_segment(c64[i], from, order, n, sizeof(int64_t), tmp);
    free(tmp);
    free(order);
}

/* Days d0..d1 of the fine cube from the loaded rows (order: row numbers by day, start: where
 * each day begins in it) into c, whose day_start gets d1 - d0 entries. */
struct fine_job {
    const struct engine *eng;
    const uint32_t *order;
    const int64_t *start;
    size_t d0, d1;
    struct cube *c;
};

static void *build_fine(void *arg)
{
    struct fine_job *job = arg;
    const struct engine *eng = job->eng;
    const int32_t *bucket = col32(&eng->trk_bucket), *brand = col32(&eng->trk_brand);
    const int32_t *product = col32(&eng->trk_product), *campaign = col32(&eng->trk_campaign);
    const int32_t *source = col32(&eng->trk_source), *ctype = col32(&eng->trk_ctype);
    const int32_t *orders = col32(&eng->trk_orders);
    const int64_t *revenue = col64(&eng->trk_revenue);
    struct cube *c = job->c;
    struct cube_table t;
    memset(&t, 0, sizeof t);
    for (size_t d = job->d0; d < job->d1; d++) {
        size_t from = (size_t)job->start[d], to = (size_t)job->start[d + 1];
        size_t first = c->n;
        col_push64(&c->day_start, (int64_t)first);
        cube_table_day(&t, to - from);
        for (size_t j = from; j < to; j++) {
            uint32_t r = job->order[j];
            struct cube_key k = {bucket[r], brand[r], product[r], campaign[r], source[r], ctype[r]};
            cube_add(c, &t, first, &k, orders[r], revenue[r], 1);
        }
        cube_sort_day(c, first);
    }
    free(t.slot);
    buf_release(&t.keys);
    return NULL;
}

/* Appends cube b (days after a's) to a, shifting b's day offsets. */
static void cube_append(struct cube *a, struct cube *b)
{
    const int64_t *bs = col64(&b->day_start);
    size_t ndays = b->day_start.b.len / sizeof(int64_t);
    for (size_t d = 0; d < ndays; d++)
        col_push64(&a->day_start, bs[d] + (int64_t)a->n);
    struct column *from[] = {&b->bucket, &b->brand, &b->product, &b->campaign, &b->source,
                             &b->ctype,  &b->orders, &b->revenue, &b->rows};
    struct column *to[] = {&a->bucket, &a->brand, &a->product, &a->campaign, &a->source,
                           &a->ctype,  &a->orders, &a->revenue, &a->rows};
    for (size_t i = 0; i < sizeof from / sizeof from[0]; i++)
        buf_append(&to[i]->b, from[i]->b.data, from[i]->b.len);
    a->n += b->n;
    cube_release(b);
}

/* The coarse cube from the fine one: its entries merged across products and sources. */
static void build_coarse(struct engine *eng)
{
    const struct cube *f = &eng->cube[CUBE_FINE];
    struct cube *c = &eng->cube[CUBE_COARSE];
    const int64_t *start = col64(&f->day_start);
    const int32_t *bucket = col32(&f->bucket), *brand = col32(&f->brand);
    const int32_t *campaign = col32(&f->campaign), *ctype = col32(&f->ctype);
    const int64_t *orders = col64(&f->orders), *revenue = col64(&f->revenue);
    const int64_t *rows = col64(&f->rows);
    struct cube_table t;
    memset(&t, 0, sizeof t);
    for (size_t d = 0; d < eng->ndays; d++) {
        size_t first = c->n;
        col_push64(&c->day_start, (int64_t)first);
        cube_table_day(&t, (size_t)(start[d + 1] - start[d]));
        for (int64_t i = start[d]; i < start[d + 1]; i++) {
            struct cube_key k = {bucket[i], brand[i], -1, campaign[i], -1, ctype[i]};
            cube_add(c, &t, first, &k, orders[i], revenue[i], rows[i]);
        }
        cube_sort_day(c, first);
    }
    col_push64(&c->day_start, (int64_t)c->n);
    free(t.slot);
    buf_release(&t.keys);
}

/* Cube rows below which a second thread is not worth starting. */
#define CUBE_PARALLEL_MIN 500000

/* Builds both cubes (struct cube) from the loaded tracking rows, then releases the rows: a
 * counting sort by day; the fine cube day by day through a hash table, the two halves of
 * the days on two threads; then the coarse cube from the fine one. */
static void build_cubes(struct engine *eng, int32_t first_day, const int32_t *day_index)
{
    size_t n = eng->ntrk, ndays = eng->ndays;
    const int32_t *day = col32(&eng->trk_day);
    int64_t *start = xcalloc(ndays + 2, sizeof *start);
    for (size_t i = 0; i < n; i++)
        start[day_index[day[i] - first_day] + 2]++;
    for (size_t d = 2; d < ndays + 2; d++)
        start[d] += start[d - 1];
    uint32_t *order = xmalloc((n + 1) * sizeof *order); /* row numbers by day */
    for (size_t i = 0; i < n; i++)
        order[start[day_index[day[i] - first_day] + 1]++] = (uint32_t)i;
    /* start[d] is now where day d begins in order (and start[ndays] == n). */

    size_t mid = 0; /* the first day of the second half, by rows */
    while (mid < ndays && (size_t)start[mid] < n / 2)
        mid++;
    struct cube second;
    memset(&second, 0, sizeof second);
    struct fine_job jobs[2] = {
        {eng, order, start, 0, mid, &eng->cube[CUBE_FINE]},
        {eng, order, start, mid, ndays, &second},
    };
    pthread_t thread;
    int threaded = n >= CUBE_PARALLEL_MIN &&
                   pthread_create(&thread, NULL, build_fine, &jobs[1]) == 0;
    build_fine(&jobs[0]);
    if (threaded)
        pthread_join(thread, NULL);
    else
        build_fine(&jobs[1]);
    cube_append(&eng->cube[CUBE_FINE], &second);
    col_push64(&eng->cube[CUBE_FINE].day_start, (int64_t)eng->cube[CUBE_FINE].n);
    free(order);
    free(start);
    struct column *raw[] = {&eng->trk_day,      &eng->trk_inf,    &eng->trk_bucket,
                            &eng->trk_brand,    &eng->trk_product, &eng->trk_campaign,
                            &eng->trk_source,   &eng->trk_ctype,  &eng->trk_orders,
                            &eng->trk_revenue};
    for (size_t i = 0; i < sizeof raw / sizeof raw[0]; i++)
        buf_release(&raw[i]->b);
    build_coarse(eng);
}

/* Reorders a column of n elements of size w by order (new position i holds old order[i]). */
static void permute(struct column *c, const uint32_t *order, size_t n, size_t w)
{
    if (n == 0)
        return;
    char *from = c->b.data, *to = xmalloc(n * w);
    for (size_t i = 0; i < n; i++)
        memcpy(to + i * w, from + (size_t)order[i] * w, w);
    memcpy(from, to, n * w);
    free(to);
}

/* Sorts the posts by day (stable), see post_start. */
static void sort_posts(struct engine *eng)
{
    size_t n = eng->nposts, ndays = eng->ndays;
    const int32_t *day_idx = col32(&eng->post_day_idx);
    int64_t *start = xcalloc(ndays + 3, sizeof *start);
    for (size_t i = 0; i < n; i++)
        start[day_idx[i] + 3]++; /* slot 1 + 1: no date; d + 2 + 1: day d */
    for (size_t d = 3; d < ndays + 3; d++)
        start[d] += start[d - 1];
    uint32_t *order = xmalloc((n + 1) * sizeof *order);
    for (size_t i = 0; i < n; i++)
        order[start[day_idx[i] + 2]++] = (uint32_t)i;
    /* start[k] was where slot k begins */
    struct column *c32[] = {&eng->post_inf, &eng->post_platform, &eng->post_day,
                            &eng->post_campaign, &eng->post_bucket, &eng->post_day_idx};
    struct column *c64[] = {&eng->post_reach, &eng->post_likes, &eng->post_comments,
                            &eng->post_shares, &eng->post_saves};
    for (size_t i = 0; i < sizeof c32 / sizeof c32[0]; i++)
        permute(c32[i], order, n, sizeof(int32_t));
    for (size_t i = 0; i < sizeof c64 / sizeof c64[0]; i++)
        permute(c64[i], order, n, sizeof(int64_t));
    /* after the placement start[k] is where slot k + 1 begins, start[ndays + 1] == n */
    for (size_t k = 0; k < ndays + 2; k++)
        col_push64(&eng->post_start, start[k]);
    free(order);
    free(start);
}

/* bucket_rows and bucket_posts, from the fine cube (every tracking row) and the posts. */
static void count_bucket_activity(struct engine *eng)
{
    size_t nb = eng->nbuckets + 1;
    int64_t *rows = xcalloc(nb, sizeof *rows), *posts = xcalloc(nb, sizeof *posts);
    const struct cube *c = &eng->cube[CUBE_FINE];
    const int32_t *bucket = col32(&c->bucket), *post_bucket = col32(&eng->post_bucket);
    const int64_t *n = col64(&c->rows);
    for (size_t i = 0; i < c->n; i++)
        rows[bucket[i]] += n[i];
    for (size_t i = 0; i < eng->nposts; i++)
        if (post_bucket[i] >= 0)
            posts[post_bucket[i]]++;
    buf_append(&eng->bucket_rows.b, rows, nb * sizeof *rows);
    buf_append(&eng->bucket_posts.b, posts, nb * sizeof *posts);
    free(rows);
    free(posts);
}

/* Tracking rows read on another connection into an engine of their own (its own
 * dictionaries), merged into the main one afterwards. */
struct tracking_part {
    struct store *store;
    int part, nparts;
    struct engine *eng;
    struct err e;
    int rc;
};

static void *tracking_part_main(void *arg)
{
    struct tracking_part *t = arg;
    t->rc = scan_dataset_part(t->store, t->eng, DS_TRACKING, t->part, t->nparts, trk_cols,
                              TRK_NCOLS, load_tracking, &t->e);
    return NULL;
}

/* Codes of from's dictionary d as codes of eng's (influencers unknown to eng are added,
 * attribute-less, as influencer_ref does). The caller frees the result. */
static int32_t *remap_dict(struct engine *eng, const struct engine *from, enum dim d)
{
    size_t n = strmap_size(from->dict[d]);
    int32_t *map = xmalloc((n + 1) * sizeof *map);
    for (size_t c = 0; c < n; c++) {
        size_t len;
        const char *key = strmap_key(from->dict[d], (int32_t)c, &len);
        int added = 0;
        map[c] = strmap_put(eng->dict[d], key, len, &added);
        if (added && d == DIM_INFLUENCER)
            push_influencer_attrs(eng, -1, -1, -1, -1, -1, -1, -1);
    }
    return map;
}

static void append_remapped(struct column *to, const struct column *from, size_t n,
                            const int32_t *map)
{
    const int32_t *v = col32(from);
    for (size_t i = 0; i < n; i++)
        col_push32(to, v[i] < 0 ? v[i] : map[v[i]]);
}

/* Appends part's tracking rows to eng's, in order, with codes translated, as far as
 * ENGINE_MAX_ROWS allows (the rest are counted as left out), and counts part's left-out
 * rows (name_skipped finds them again with their ids). */
static void merge_tracking(struct engine *eng, struct engine *part)
{
    eng->skipped_count[DS_TRACKING] += part->skipped_count[DS_TRACKING];
    eng->over_limit[DS_TRACKING] += part->over_limit[DS_TRACKING];
    size_t room = ENGINE_MAX_ROWS - eng->ntrk; /* load_tracking keeps ntrk <= the limit */
    if (part->ntrk > room) {
        eng->skipped_count[DS_TRACKING] += part->ntrk - room;
        eng->over_limit[DS_TRACKING] += part->ntrk - room;
        part->ntrk = room;
    }
    if (part->ntrk == 0)
        return;
    static const enum dim dims[] = {DIM_INFLUENCER, DIM_BRAND, DIM_PRODUCT, DIM_CAMPAIGN,
                                    DIM_SOURCE};
    const struct column *cols[] = {&part->trk_inf, &part->trk_brand, &part->trk_product,
                                   &part->trk_campaign, &part->trk_source};
    struct column *into[] = {&eng->trk_inf, &eng->trk_brand, &eng->trk_product,
                             &eng->trk_campaign, &eng->trk_source};
    for (size_t k = 0; k < sizeof dims / sizeof dims[0]; k++) {
        int32_t *map = remap_dict(eng, part, dims[k]);
        append_remapped(into[k], cols[k], part->ntrk, map);
        free(map);
    }
    size_t n32 = part->ntrk * sizeof(int32_t), n64 = part->ntrk * sizeof(int64_t);
    buf_append(&eng->trk_day.b, part->trk_day.b.data, n32);
    buf_append(&eng->trk_ctype.b, part->trk_ctype.b.data, n32);
    buf_append(&eng->trk_orders.b, part->trk_orders.b.data, n32);
    buf_append(&eng->trk_revenue.b, part->trk_revenue.b.data, n64);
    eng->ntrk += part->ntrk;
}

static struct engine *engine_new(void)
{
    struct engine *eng = xcalloc(1, sizeof *eng);
    for (int d = 0; d < DIM_COUNT; d++)
        eng->dict[d] = strmap_new();
    return eng;
}

struct engine *engine_load(struct store *s, struct err *e)
{
    return engine_load_parallel(&s, 1, e);
}

struct engine *engine_load_snapshot(struct store *s, const char *url, struct err *e)
{
    long cpus = sysconf(_SC_NPROCESSORS_ONLN);
    size_t want = cpus < 1 ? 1 : cpus > 4 ? 4 : (size_t)cpus;
    struct store *stores[4] = {s};
    size_t n = 1;
    /* more connections when they open; fewer is only slower */
    while (url && n < want) {
        struct err ignored;
        err_clear(&ignored);
        if (store_open(url, &stores[n], &ignored) < 0)
            break;
        n++;
    }
    struct engine *eng = NULL;
    size_t begun = 0;
    while (begun < n && store_read_begin(stores[begun], e) == 0)
        begun++;
    if (begun == n)
        eng = engine_load_parallel(stores, n, e);
    for (size_t i = 0; i < begun; i++)
        store_rollback(stores[i]);
    for (size_t i = 1; i < n; i++)
        store_close(stores[i]);
    return eng;
}

/* Stops name_skipped's scans once the list is full (not an error). */
#define NAME_SKIPPED_FULL (-1000)

static int name_skipped_row(void *ctx, const struct schema_row *row)
{
    struct load_ctx *l = ctx;
    struct engine *eng = l->eng;
    const struct schema_value *v = row->v;
    struct problem p;
    int32_t day;
    int bad;
    const struct schema_value *id;
    if (row->ds == DS_TRACKING) {
        bad = tracking_problem(v, l->col, &day, &p) < 0;
        id = &v[l->col[TRK_NCOLS]];
    } else {
        bad = post_problem(v, l->col, &p) < 0;
        id = &v[l->col[POST_NCOLS]];
    }
    if (bad)
        keep_skipped(eng, row->ds, id->present ? id->s : "", p.col, &v[p.col], p.reason);
    return eng->nskipped >= ENGINE_SKIPPED_KEEP ? NAME_SKIPPED_FULL : 0;
}

/* The left-out tracking rows and posts were counted without their ids (the load does not
 * read them, for speed): reads them again, with the ids, when there are any. */
static int name_skipped(struct store *s, struct engine *eng, enum dataset ds, struct err *e)
{
    if (eng->skipped_count[ds] == eng->over_limit[ds])
        return 0; /* none for a value */
    size_t kept = 0;
    for (size_t i = 0; i < eng->nskipped; i++)
        if (eng->skipped[i].ds != ds)
            eng->skipped[kept++] = eng->skipped[i];
    eng->nskipped = kept;
    if (kept >= ENGINE_SKIPPED_KEEP)
        return 0;
    int rc = ds == DS_TRACKING
                 ? scan_dataset(s, eng, ds, trk_cols, TRK_NCOLS + 1, name_skipped_row, e)
                 : scan_dataset(s, eng, ds, post_cols, POST_NCOLS + 1, name_skipped_row, e);
    if (rc == NAME_SKIPPED_FULL) {
        err_clear(e);
        rc = 0;
    }
    return rc;
}

/* The rows past ENGINE_MAX_ROWS as one entry per dataset, then the list by dataset. */
static void finish_skipped(struct engine *eng)
{
    for (int ds = 0; ds < DS_COUNT; ds++) {
        if (eng->over_limit[ds] == 0)
            continue;
        char reason[320];
        snprintf(reason, sizeof reason,
                 "%zu rows past the engine's limit of %zu rows per dataset are left out of "
                 "the figures (the first %zu stored rows are loaded)",
                 eng->over_limit[ds], (size_t)ENGINE_MAX_ROWS, (size_t)ENGINE_MAX_ROWS);
        keep_skipped(eng, (enum dataset)ds, "", -1, NULL, reason);
    }
    for (size_t i = 1; i < eng->nskipped; i++) /* stable insertion sort by dataset */
        for (size_t j = i; j > 0 && eng->skipped[j - 1].ds > eng->skipped[j].ds; j--) {
            struct engine_skipped_row t = eng->skipped[j];
            eng->skipped[j] = eng->skipped[j - 1];
            eng->skipped[j - 1] = t;
        }
}

struct engine *engine_load_parallel(struct store *const *stores, size_t nstores, struct err *e)
{
    /* in the order of load_payout's enum; payout_id last, to name left-out rows */
    static const char *const pay_cols[] = {
        "influencer_id", "campaign",     "basis",       "rate",   "orders",
        "posts",         "total_payout", "payout_date", "status", "payout_id"};
    struct store *s = stores[0];
    int nparts = nstores > 8 ? 8 : (int)nstores;
    struct engine *eng = engine_new();
    /* Influencers first, so that posts can default to their influencer's platform. */
    int rc = scan_dataset(s, eng, DS_INFLUENCERS, NULL, 0, load_influencer, e);
    if (rc == 0)
        rc = scan_dataset(s, eng, DS_POSTS, post_cols, POST_NCOLS, load_post, e);
    /* Tracking rows, the bulk: part 0 here, the others on their own connections. */
    struct tracking_part parts[8];
    memset(parts, 0, sizeof parts);
    pthread_t threads[8];
    int started[8] = {0};
    for (int k = 1; rc == 0 && k < nparts; k++) {
        parts[k] = (struct tracking_part){.store = stores[k], .part = k, .nparts = nparts,
                                          .eng = engine_new()};
        err_clear(&parts[k].e);
        started[k] = pthread_create(&threads[k], NULL, tracking_part_main, &parts[k]) == 0;
        if (!started[k]) /* no thread: read it here */
            tracking_part_main(&parts[k]);
        else
            started[k] = 1;
    }
    if (rc == 0)
        rc = scan_dataset_part(s, eng, DS_TRACKING, 0, nparts, trk_cols, TRK_NCOLS, load_tracking,
                               e);
    for (int k = 1; k < nparts; k++) {
        if (!parts[k].eng)
            continue;
        if (started[k])
            pthread_join(threads[k], NULL);
        if (rc == 0 && parts[k].rc < 0) {
            rc = parts[k].rc;
            if (e)
                *e = parts[k].e;
        }
        if (rc == 0)
            merge_tracking(eng, parts[k].eng);
        engine_free(parts[k].eng);
    }
    if (rc == 0) {
        total_activity(eng);
        rc = scan_dataset(s, eng, DS_PAYOUTS, pay_cols, 10, load_payout, e);
        free(eng->totals);
        eng->totals = NULL;
    }
    if (rc == 0)
        rc = name_skipped(s, eng, DS_POSTS, e);
    if (rc == 0)
        rc = name_skipped(s, eng, DS_TRACKING, e);
    if (rc < 0) {
        engine_free(eng);
        return NULL;
    }
    finish_skipped(eng);
    build_buckets(eng);
    int32_t first_day;
    int32_t *day_index;
    build_days(eng, &first_day, &day_index);
    build_cubes(eng, first_day, day_index);
    free(day_index);
    sort_posts(eng);
    count_bucket_activity(eng);
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
        &eng->trk_ctype,     &eng->trk_orders,    &eng->trk_revenue,
        &eng->pay_inf,       &eng->pay_basis,     &eng->pay_campaign,  &eng->pay_kind,
        &eng->pay_scope,     &eng->pay_day,       &eng->pay_status,    &eng->pay_rate,
        &eng->pay_orders,    &eng->pay_posts,     &eng->pay_total,     &eng->bucket_inf,
        &eng->bucket_claims, &eng->inf_bucket_start, &eng->inf_buckets, &eng->inf_pay_start,
        &eng->inf_pays,      &eng->day_value,     &eng->post_day_idx,    &eng->post_start,
        &eng->bucket_rows,   &eng->bucket_posts,
    };
    for (size_t i = 0; i < sizeof cols / sizeof cols[0]; i++)
        buf_release(&cols[i]->b);
    for (int c = 0; c < CUBE_COUNT; c++)
        cube_release(&eng->cube[c]);
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

size_t engine_cube_size(const struct engine *eng)
{
    return eng->cube[CUBE_FINE].n;
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

/* A bucket's filtered activity. */
struct bucket_sums {
    int64_t orders, revenue, rows, posts;
};

/* Per-query scratch: masks, the selection and per-bucket accumulators, so that a query
 * only reads the engine. */
struct query {
    struct code_mask platform, category, gender, tier, persona, influencer, basis;
    struct code_mask brand, product, campaign, source;
    uint8_t *inf_selected;    /* by influencer index */
    int32_t *selected;        /* the selected influencers, in order */
    size_t nselected;
    uint8_t *bucket_selected; /* by bucket: its influencer's; 1 for the organic bucket */
    /* per bucket: filtered activity (the organic bucket eng->nbuckets included) */
    struct bucket_sums *sums;
};

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
    free(q->sums);
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
    q->selected = xmalloc((eng->ninf + 1) * sizeof *q->selected);
    list_selected(eng, q);
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
    q->sums = xcalloc(eng->nbuckets + 1, sizeof *q->sums);
}


/* ---- the tracking scan ------------------------------------------------------------------ */

/* Sums of one day (slot d + 1; slot 0 holds posts without a date). */
struct day_sums {
    int64_t revenue, orders, organic_revenue, organic_orders;
    int64_t attributed_rows, organic_rows, posts, reach, engagements;
};

/* Sums of one brand or campaign (slot code + 1; slot 0: rows without one). */
struct dim_sums {
    int64_t revenue, orders, organic_revenue, organic_orders, rows, posts, reach, engagements;
};

/* What a scan accumulates besides per-bucket and per-day sums. */
enum {
    SCAN_BRAND = 1,    /* dim_sums per brand */
    SCAN_CAMPAIGN = 2, /* dim_sums per campaign */
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
    struct dim_sums *brand, *campaign;
    int64_t ctype_revenue[CTYPE_COUNT], ctype_rows[CTYPE_COUNT];
    struct day_sums *days;
};

/* One day's running totals in scan_loop. */
struct day_acc {
    int64_t rev, ord, orev, oord, arows, orows;
};

/* Entries i0..i1 into p's accumulators and the day's; by_dims and want are constants at
 * each call (scan_days), so the compiler drops the reads and sums a query does not need.
 * Branch-free: a rejected entry adds 0, since filters make the selection unpredictable. */
static inline __attribute__((always_inline)) void scan_run(struct scan_part *p, int64_t i0,
                                                           int64_t i1, struct day_acc *acc,
                                                           int by_dims, int want)
{
    const struct query *q = p->q;
    const struct cube *c = p->cube;
    const int32_t *bucket = col32(&c->bucket), *brand = col32(&c->brand);
    const int32_t *product = col32(&c->product), *campaign = col32(&c->campaign);
    const int32_t *source = col32(&c->source), *ctype = col32(&c->ctype);
    const int64_t *orders = col64(&c->orders), *revenue = col64(&c->revenue);
    const int64_t *rows = col64(&c->rows);
    const uint8_t *bucket_ok = q->bucket_selected, *brand_ok = q->brand.ok;
    const uint8_t *product_ok = q->product.ok, *campaign_ok = q->campaign.ok;
    const uint8_t *source_ok = q->source.ok;
    int32_t organic = (int32_t)p->eng->nbuckets;
    int64_t rev = acc->rev, ord = acc->ord, orev = acc->orev, oord = acc->oord;
    int64_t arows = acc->arows, orows = acc->orows;
    for (int64_t i = i0; i < i1; i++) {
        int32_t b = bucket[i];
        int64_t keep = bucket_ok[b];
        if (by_dims)
            keep &= brand_ok[brand[i] + 1] & product_ok[product[i] + 1] &
                    campaign_ok[campaign[i] + 1] & source_ok[source[i] + 1];
        int64_t m = -keep;
        int64_t o = orders[i] & m, r = revenue[i] & m, n = rows[i] & m;
        struct bucket_sums *bs = &p->sums[b];
        bs->orders += o;
        bs->revenue += r;
        bs->rows += n;
        int64_t om = -(int64_t)(b == organic);
        rev += r & ~om;
        ord += o & ~om;
        arows += n & ~om;
        orev += r & om;
        oord += o & om;
        orows += n & om;
        p->ctype_revenue[ctype[i]] += r;
        p->ctype_rows[ctype[i]] += n;
        if (want & SCAN_BRAND) {
            struct dim_sums *g = &p->brand[brand[i] + 1];
            g->revenue += r & ~om;
            g->orders += o & ~om;
            g->organic_revenue += r & om;
            g->organic_orders += o & om;
            g->rows += n;
        }
        if (want & SCAN_CAMPAIGN) {
            struct dim_sums *g = &p->campaign[campaign[i] + 1];
            g->revenue += r & ~om;
            g->orders += o & ~om;
            g->organic_revenue += r & om;
            g->organic_orders += o & om;
            g->rows += n;
        }
    }
    *acc = (struct day_acc){rev, ord, orev, oord, arows, orows};
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

/* Days d0..d1 of p's cube: with a brand filter, only the selected brands' runs of each
 * day (the others would add nothing). */
static inline __attribute__((always_inline)) void scan_loop(struct scan_part *p, int by_dims,
                                                            int want)
{
    const int64_t *start = col64(&p->cube->day_start);
    const int32_t *brand = col32(&p->cube->brand);
    for (size_t d = p->d0; d < p->d1; d++) {
        struct day_acc acc = {0, 0, 0, 0, 0, 0};
        if (p->nbrands == 0) {
            scan_run(p, start[d], start[d + 1], &acc, by_dims, want);
        } else {
            int64_t at = start[d], end = start[d + 1];
            for (size_t k = 0; k < p->nbrands && at < end; k++) {
                int64_t lo = brand_lower_bound(brand, at, end, p->brands[k]);
                int64_t hi = brand_lower_bound(brand, lo, end, p->brands[k] + 1);
                scan_run(p, lo, hi, &acc, by_dims, want);
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
    }
}

static void scan_days(struct scan_part *p)
{
    int k = (p->by_dims ? 4 : 0) | p->want;
    switch (k) {
    case 0: scan_loop(p, 0, 0); break;
    case 1: scan_loop(p, 0, 1); break;
    case 2: scan_loop(p, 0, 2); break;
    case 3: scan_loop(p, 0, 3); break;
    case 4: scan_loop(p, 1, 0); break;
    case 5: scan_loop(p, 1, 1); break;
    case 6: scan_loop(p, 1, 2); break;
    default: scan_loop(p, 1, 3); break;
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

/* Per-influencer activity: totals over its buckets, and the part of them that
 * campaign-scoped terms of each kind claim (unscoped terms price the rest). */
struct influencer_activity {
    int64_t orders, revenue, posts, rows, reach, engagements;
    int64_t claimed_orders, claimed_revenue, claimed_posts;
    __int128 spend_micro; /* millionths of a paisa */
    int64_t spend;        /* spend_micro rounded to the paisa */
    int paid;             /* a recorded total counted in the filter */
};

struct engine_result {
    const struct engine *eng;
    unsigned views; /* ENGINE_VIEW_* computed */
    int32_t from_day, to_day;
    struct query q;
    struct influencer_activity *act; /* per influencer */
    int32_t *active;                 /* the influencers influencer_active keeps, in order */
    size_t nactive;
    size_t day_lo, day_hi;           /* the days of the range: slots day_lo + 1 .. day_hi */
    struct day_sums *days;           /* ndays + 1 slots */
    struct dim_sums *brand, *campaign;
    int64_t ctype_revenue[CTYPE_COUNT], ctype_rows[CTYPE_COUNT];
    struct engine_kpis kpis;
};

/* Tracking entries of the range into r's accumulators, on two threads when the slice is
 * large enough to pay for the second. */
static void scan_tracking(struct engine_result *r)
{
    const struct engine *eng = r->eng;
    struct query *q = &r->q;
    size_t nb = eng->nbuckets + 1;
    size_t nbrand = strmap_size(eng->dict[DIM_BRAND]) + 1;
    size_t ncamp = strmap_size(eng->dict[DIM_CAMPAIGN]) + 1;
    /* the coarse cube has no product or source: usable when neither is filtered */
    const struct cube *cube = &eng->cube[q->product.active || q->source.active ? CUBE_FINE
                                                                                 : CUBE_COARSE];
    /* the selected brands, in code order, so that each day's runs are found in one sweep */
    size_t nbrand_codes = strmap_size(eng->dict[DIM_BRAND]);
    int32_t *brands = xmalloc((nbrand_codes + 1) * sizeof *brands);
    size_t nbrands = 0;
    if (q->brand.active)
        for (size_t code = 0; code < nbrand_codes; code++)
            if (q->brand.ok[code + 1])
                brands[nbrands++] = (int32_t)code;
    struct scan_part main = {
        .eng = eng, .cube = cube, .q = q, .d0 = r->day_lo, .d1 = r->day_hi,
        .brands = brands, .nbrands = nbrands,
        .by_dims = q->brand.active || q->product.active || q->campaign.active || q->source.active,
        .want = ((r->views & ENGINE_VIEW_BRAND) ? SCAN_BRAND : 0) |
                ((r->views & ENGINE_VIEW_CAMPAIGN) ? SCAN_CAMPAIGN : 0),
        .sums = q->sums,
        .brand = r->brand, .campaign = r->campaign, .days = r->days,
    };
    const int64_t *start = col64(&cube->day_start);
    int64_t entries = r->day_hi > r->day_lo ? start[r->day_hi] - start[r->day_lo] : 0;
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
        other.sums = xcalloc(nb, sizeof *other.sums);
        other.brand = xcalloc(nbrand, sizeof *other.brand);
        other.campaign = xcalloc(ncamp, sizeof *other.campaign);
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
        }
        for (size_t i = 0; i < nbrand; i++) {
            r->brand[i].revenue += other.brand[i].revenue;
            r->brand[i].orders += other.brand[i].orders;
            r->brand[i].organic_revenue += other.brand[i].organic_revenue;
            r->brand[i].organic_orders += other.brand[i].organic_orders;
            r->brand[i].rows += other.brand[i].rows;
        }
        for (size_t i = 0; i < ncamp; i++) {
            r->campaign[i].revenue += other.campaign[i].revenue;
            r->campaign[i].orders += other.campaign[i].orders;
            r->campaign[i].organic_revenue += other.campaign[i].organic_revenue;
            r->campaign[i].organic_orders += other.campaign[i].organic_orders;
            r->campaign[i].rows += other.campaign[i].rows;
        }
        for (int c = 0; c < CTYPE_COUNT; c++) {
            main.ctype_revenue[c] += other.ctype_revenue[c];
            main.ctype_rows[c] += other.ctype_rows[c];
        }
        free(other.sums);
        free(other.brand);
        free(other.campaign);
    }
    for (int c = 0; c < CTYPE_COUNT; c++) {
        r->ctype_revenue[c] = main.ctype_revenue[c];
        r->ctype_rows[c] = main.ctype_rows[c];
    }
    free(brands);
}

/* Posts of selected influencers, in the range and on a selected platform (the post's own:
 * SPEC §3), into their bucket, influencer, day and campaign. A post without a date passes
 * only an open range. */
static void scan_posts(struct engine_result *r)
{
    const struct engine *eng = r->eng;
    struct query *q = &r->q;
    const int32_t *day = col32(&eng->post_day), *inf = col32(&eng->post_inf);
    const int32_t *platform = col32(&eng->post_platform), *bucket = col32(&eng->post_bucket);
    const int32_t *day_idx = col32(&eng->post_day_idx), *campaign = col32(&eng->post_campaign);
    const int64_t *reach = col64(&eng->post_reach), *likes = col64(&eng->post_likes);
    const int64_t *comments = col64(&eng->post_comments), *shares = col64(&eng->post_shares);
    const int64_t *saves = col64(&eng->post_saves);
    const int64_t *start = col64(&eng->post_start);
    int by_campaign = (r->views & ENGINE_VIEW_CAMPAIGN) != 0;
    /* posts without a date when the range is open at the start, then the range's days */
    size_t lo = (size_t)start[r->from_day == INT32_MIN ? 0 : r->day_lo + 1];
    size_t hi = (size_t)start[r->day_hi + 1];
    for (size_t i = lo; i < hi; i++) {
        if (day[i] < r->from_day || day[i] > r->to_day || inf[i] < 0 ||
            !q->inf_selected[inf[i]] || !q->platform.ok[platform[i] + 1])
            continue;
        int64_t engaged = likes[i] + comments[i] + shares[i] + saves[i];
        q->sums[bucket[i]].posts++;
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
    }
}

/* Buckets into their influencers. */
static void gather_activity(struct engine_result *r)
{
    const struct engine *eng = r->eng;
    const struct query *q = &r->q;
    const int32_t *claims = col32(&eng->bucket_claims);
    const int32_t *start = col32(&eng->inf_bucket_start), *buckets = col32(&eng->inf_buckets);
    for (size_t s = 0; s < q->nselected; s++) {
        int32_t inf = q->selected[s];
        struct influencer_activity *a = &r->act[inf];
        for (int32_t k = start[inf]; k < start[inf + 1]; k++) {
            int32_t b = buckets[k];
            const struct bucket_sums *bs = &q->sums[b];
            a->orders += bs->orders;
            a->revenue += bs->revenue;
            a->posts += bs->posts;
            a->rows += bs->rows;
            if (claims[b] & (1 << PAY_ORDER))
                a->claimed_orders += bs->orders;
            if (claims[b] & (1 << PAY_REVSHARE))
                a->claimed_revenue += bs->revenue;
            if (claims[b] & (1 << PAY_POST))
                a->claimed_posts += bs->posts;
        }
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
        return rate * 100 * (scoped ? q->sums[scope].orders : a->orders - a->claimed_orders);
    case PAY_POST:
        return rate * 100 * (scoped ? q->sums[scope].posts : a->posts - a->claimed_posts);
    case PAY_REVSHARE:
        return rate * (scoped ? q->sums[scope].revenue : a->revenue - a->claimed_revenue);
    case PAY_TOTAL:
        break;
    }
    return (__int128)col64(&eng->pay_total)[i] * 1000000;
}

/* Millionths of a paisa to paise, half away from zero. */
static int64_t round_micro(__int128 m)
{
    /* in 64 bits when it fits (a constant divisor becomes a multiply there; 128-bit
     * division is a library call), which is every sum below ~92 billion rupees */
    if (m >= -(__int128)INT64_MAX / 2 && m <= (__int128)INT64_MAX / 2) {
        int64_t v = (int64_t)m;
        return v >= 0 ? (v + 500000) / 1000000 : -((-v + 500000) / 1000000);
    }
    return (int64_t)(m >= 0 ? (m + 500000) / 1000000 : -((-m + 500000) / 1000000));
}

/* A payout row of a selected influencer and basis whose recorded total falls in the range
 * (or has no date): counted as recorded, and as spend when its terms are a total. */
static int payout_row_in(const struct engine_result *r, size_t i)
{
    const struct engine *eng = r->eng;
    int32_t inf = col32(&eng->pay_inf)[i], day = col32(&eng->pay_day)[i];
    if (inf < 0 || !r->q.inf_selected[inf] || !r->q.basis.ok[col32(&eng->pay_basis)[i] + 1])
        return 0;
    return day == ENGINE_NO_DAY || (day >= r->from_day && day <= r->to_day);
}

/* Spend rules, part 2: each payout row of a selected influencer (and a selected basis)
 * prices the filtered activity it covers once; SCOPE_DUPLICATE rows price nothing.
 * Recorded totals count when their payout_date is in the range, or when they have none.
 * Each influencer's sum is rounded to the paisa (half away from zero). */
static void compute_spend(struct engine_result *r)
{
    const struct engine *eng = r->eng;
    const struct query *q = &r->q;
    const int32_t *pay_basis = col32(&eng->pay_basis);
    const int32_t *pay_kind = col32(&eng->pay_kind), *pay_scope = col32(&eng->pay_scope);
    const int32_t *start = col32(&eng->inf_pay_start), *pays = col32(&eng->inf_pays);
    for (size_t s = 0; s < q->nselected; s++) {
        int32_t inf = q->selected[s];
        struct influencer_activity *a = &r->act[inf];
        for (int32_t k = start[inf]; k < start[inf + 1]; k++) {
            size_t i = (size_t)pays[k];
            if (!q->basis.ok[pay_basis[i] + 1] || pay_scope[i] == SCOPE_DUPLICATE)
                continue;
            if (pay_kind[i] == PAY_TOTAL) {
                if (!payout_row_in(r, i))
                    continue;
                a->paid = 1;
            }
            a->spend_micro += payout_row_spend(eng, q, a, i);
        }
        if (a->spend_micro != 0)
            a->spend = round_micro(a->spend_micro);
    }
}

/* A selected influencer with filtered activity: a post, an attributed row or a recorded
 * payout counted in the range (engine_kpis "influencers", the rows of engine_influencers). */
static int influencer_active(const struct engine_result *r, size_t i)
{
    const struct influencer_activity *a = &r->act[i];
    return r->q.inf_selected[i] && (a->rows > 0 || a->posts > 0 || a->paid);
}

static struct engine_ratio ratio(double num, double den)
{
    struct engine_ratio x = {0, 0.0};
    if (den != 0) {
        x.has = 1;
        x.value = num / den;
    }
    return x;
}

static void result_clear_sums(struct engine_result *r)
{
    const struct engine *eng = r->eng;
    size_t nb = eng->nbuckets + 1;
    memset(r->q.sums, 0, nb * sizeof *r->q.sums);
    memset(r->act, 0, (eng->ninf + 1) * sizeof *r->act);
    memset(r->days, 0, (eng->ndays + 1) * sizeof *r->days);
    memset(r->brand, 0, (strmap_size(eng->dict[DIM_BRAND]) + 1) * sizeof *r->brand);
    memset(r->campaign, 0, (strmap_size(eng->dict[DIM_CAMPAIGN]) + 1) * sizeof *r->campaign);
    memset(&r->kpis, 0, sizeof r->kpis);
}

/* One pass over the range: tracking, posts, activity per influencer, spend (again: the
 * sums cleared first). */
static void result_pass(struct engine_result *r, int again)
{
    if (again)
        result_clear_sums(r);
    scan_tracking(r);
    scan_posts(r);
    gather_activity(r);
    compute_spend(r);
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
    query_init(eng, f, &r->q);
    r->act = xcalloc(eng->ninf + 1, sizeof *r->act);
    r->days = xcalloc(eng->ndays + 1, sizeof *r->days);
    r->brand = xcalloc(strmap_size(eng->dict[DIM_BRAND]) + 1, sizeof *r->brand);
    r->campaign = xcalloc(strmap_size(eng->dict[DIM_CAMPAIGN]) + 1, sizeof *r->campaign);
    day_slice(eng, f->from_day, f->to_day, &r->day_lo, &r->day_hi);
    result_pass(r, 0);
    if (f->has_min_roas) {
        /* keep the influencers whose ROAS over this very filter reaches the minimum, then
         * compute everything again over them */
        const int32_t *bucket_inf = col32(&eng->bucket_inf);
        for (size_t i = 0; i < eng->ninf; i++) {
            const struct influencer_activity *a = &r->act[i];
            if (r->q.inf_selected[i] &&
                !(a->spend > 0 && (double)a->revenue / (double)a->spend >= f->min_roas))
                r->q.inf_selected[i] = 0;
        }
        for (size_t b = 0; b < eng->nbuckets; b++)
            r->q.bucket_selected[b] = r->q.inf_selected[bucket_inf[b]];
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
    free(r->act);
    free(r->active);
    free(r->days);
    free(r->brand);
    free(r->campaign);
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
    int rc = engine_run(eng, f, &r, e);
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
    case ENGINE_BY_CAMPAIGN:
        return strmap_key(eng->dict[DIM_CAMPAIGN], code, NULL);
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
            .engagements = sum->engagements,
            .roas = ratio((double)sum->revenue, (double)sum->spend),
            .engagement_rate = ratio((double)sum->engagements, (double)sum->reach),
        };
        keys += len;
        g++;
    }
    /* days are in order already; the rest are sorted by name */
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
        sums[i].posts = d[i].posts;
        sums[i].reach = d[i].reach;
        sums[i].engagements = d[i].engagements;
        sums[i].active = d[i].rows + d[i].posts;
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
    switch (dim) {
    case ENGINE_BY_PLATFORM: {
        nslots = strmap_size(eng->dict[DIM_PLATFORM]) + 1;
        sums = xcalloc(nslots, sizeof *sums);
        const int32_t *platform = col32(&eng->inf_platform);
        for (size_t i = 0; i < eng->ninf; i++) {
            if (!r->q.inf_selected[i])
                continue;
            const struct influencer_activity *a = &r->act[i];
            struct group_sums *g = &sums[platform[i] + 1];
            g->revenue += a->revenue;
            g->orders += a->orders;
            g->spend += a->spend;
            g->posts += a->posts;
            g->reach += a->reach;
            g->engagements += a->engagements;
            g->active += a->rows + a->posts + (a->spend != 0) + a->paid;
        }
        break;
    }
    case ENGINE_BY_BRAND:
        if (!(r->views & ENGINE_VIEW_BRAND))
            return err_set(e, ERR_USAGE, "the brand breakdown was not computed for this result");
        nslots = strmap_size(eng->dict[DIM_BRAND]) + 1;
        sums = xcalloc(nslots, sizeof *sums);
        sums_from_dims(r->brand, nslots, sums);
        break;
    case ENGINE_BY_CAMPAIGN:
        if (!(r->views & ENGINE_VIEW_CAMPAIGN))
            return err_set(e, ERR_USAGE,
                           "the campaign breakdown was not computed for this result");
        nslots = strmap_size(eng->dict[DIM_CAMPAIGN]) + 1;
        sums = xcalloc(nslots, sizeof *sums);
        sums_from_dims(r->campaign, nslots, sums);
        break;
    case ENGINE_BY_DAY:
        nslots = eng->ndays + 1;
        sums = xcalloc(nslots, sizeof *sums);
        for (size_t s = 0; s < nslots; s++) {
            const struct day_sums *d = &r->days[s];
            sums[s].revenue = d->revenue;
            sums[s].orders = d->orders;
            sums[s].organic_revenue = d->organic_revenue;
            sums[s].posts = d->posts;
            sums[s].reach = d->reach;
            sums[s].engagements = d->engagements;
            sums[s].active = d->attributed_rows + d->organic_rows + d->posts;
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
    if ((unsigned)dim > ENGINE_BY_CAMPAIGN)
        return err_set(e, ERR_USAGE, "unknown breakdown dimension %d", (int)dim);
    struct engine_result *r;
    int rc = engine_run(eng, f, &r, e);
    if (rc < 0)
        return rc;
    rc = engine_result_breakdown(r, dim, out, n, e);
    engine_result_free(r);
    return rc;
}

/* ---- influencers and personas -------------------------------------------------------- */

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
        .roas = ratio((double)a->revenue, (double)a->spend),
        .roi = ratio((double)(a->revenue - a->spend), (double)a->spend),
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
    *out = influencer_row(r->eng, (size_t)index, &r->act[index]);
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

/* ---- incremental revenue (SPEC §3) --------------------------------------------------- */

void engine_incremental_opts_default(struct engine_incremental_opts *o)
{
    o->method = ENGINE_IROAS_AUTO;
    o->fixed_share = 0.20;
    o->bootstrap = 1000;
    o->seed = 1;
}

const char *engine_iroas_method_name(enum engine_iroas_method m)
{
    switch (m) {
    case ENGINE_IROAS_ORGANIC:
        return "organic";
    case ENGINE_IROAS_HOLDOUT:
        return "holdout";
    case ENGINE_IROAS_FIXED_SHARE:
        return "fixed_share";
    case ENGINE_IROAS_AUTO:
        break;
    }
    return "auto";
}

/* splitmix64: a small, seedable generator, so that an interval is the same on every run */
static uint64_t next_random(uint64_t *state)
{
    uint64_t z = (*state += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

/* Adds n values drawn from v[0..n) with replacement to *sum: two uniform indices from each
 * 64-bit draw (Lemire's multiply-shift on each half; n is a count of days, far below
 * 2^32, so the bias is negligible). */
static void resample_sum(uint64_t *state, const double *v, size_t n, double *sum)
{
    double s = 0;
    size_t i = 0;
    for (; i + 1 < n; i += 2) {
        uint64_t r = next_random(state);
        s += v[((r >> 32) * (uint64_t)n) >> 32];
        s += v[((r & 0xffffffffu) * (uint64_t)n) >> 32];
    }
    if (i < n)
        s += v[((next_random(state) >> 32) * (uint64_t)n) >> 32];
    *sum += s;
}

/* Puts the k-th smallest of v[0..n) at v[k], the smaller ones before it and the others
 * after (Wirth's selection): the percentiles without sorting. */
static void select_nth(double *v, size_t n, size_t k)
{
    long l = 0, m = (long)n - 1, kk = (long)k;
    while (l < m) {
        double x = v[kk];
        long i = l, j = m;
        do {
            while (v[i] < x)
                i++;
            while (x < v[j])
                j--;
            if (i <= j) {
                double t = v[i];
                v[i] = v[j];
                v[j] = t;
                i++;
                j--;
            }
        } while (i <= j);
        if (j < kk)
            l = i;
        if (kk < i)
            m = j;
    }
}

static int64_t round_paise(double v)
{
    return (int64_t)(v >= 0 ? v + 0.5 : v - 0.5);
}

/* Days of the range, split into campaign days (influencer activity in scope: an attributed
 * row or a post of a selected influencer) and baseline days (tracking rows, all organic).
 * Each day's value is its total revenue, attributed and organic. */
static void organic_days(const struct engine_result *r, double **campaign, size_t *nc,
                         double **baseline, size_t *nb)
{
    size_t span = r->day_hi - r->day_lo;
    *campaign = xmalloc((span + 1) * sizeof **campaign);
    *baseline = xmalloc((span + 1) * sizeof **baseline);
    *nc = *nb = 0;
    for (size_t d = r->day_lo; d < r->day_hi; d++) {
        const struct day_sums *s = &r->days[d + 1];
        double total = (double)(s->revenue + s->organic_revenue);
        if (s->attributed_rows > 0 || s->posts > 0)
            (*campaign)[(*nc)++] = total;
        else if (s->organic_rows > 0)
            (*baseline)[(*nb)++] = total;
    }
}

static double mean_of(const double *v, size_t n)
{
    double sum = 0;
    for (size_t i = 0; i < n; i++)
        sum += v[i];
    return n ? sum / (double)n : 0;
}

/* The organic method: incremental = Σ over campaign days (revenue − baseline), baseline the
 * mean revenue of baseline days; the interval resamples both kinds of day with
 * replacement (percentile bootstrap). *exact, *low and *high get the unrounded figures
 * (paise) that the ratios divide, out the same figures rounded to the paisa. */
static void incremental_organic(const struct engine_incremental_opts *o, const double *campaign,
                                size_t nc, const double *baseline, size_t nb,
                                struct engine_incremental *out, double *exact, double *low,
                                double *high)
{
    double base = mean_of(baseline, nb);
    double inc = 0;
    for (size_t i = 0; i < nc; i++)
        inc += campaign[i] - base;
    *exact = inc;
    out->incremental_revenue = round_paise(inc);
    out->baseline_daily = round_paise(base);
    out->campaign_days = (int64_t)nc;
    out->baseline_days = (int64_t)nb;
    out->bootstrap = o->bootstrap;
    out->seed = o->seed;
    if (o->bootstrap < 2)
        return;
    double *samples = xmalloc(o->bootstrap * sizeof *samples);
    uint64_t state = o->seed;
    for (unsigned b = 0; b < o->bootstrap; b++) {
        double cs = 0, bs = 0;
        resample_sum(&state, campaign, nc, &cs);
        resample_sum(&state, baseline, nb, &bs);
        samples[b] = cs - (double)nc * (bs / (double)nb);
    }
    size_t lo_rank = (size_t)(0.025 * (double)(o->bootstrap - 1) + 0.5);
    size_t hi_rank = (size_t)(0.975 * (double)(o->bootstrap - 1) + 0.5);
    select_nth(samples, o->bootstrap, lo_rank);
    select_nth(samples + lo_rank, o->bootstrap - lo_rank, hi_rank - lo_rank);
    out->has_interval = 1;
    *low = samples[lo_rank];
    *high = samples[hi_rank];
    out->low = round_paise(*low);
    out->high = round_paise(*high);
    free(samples);
}

/* Why organic (nb baseline and nc campaign days) does not apply, every failing condition
 * in words, into b (empty when it applies). */
static void organic_not_ok(const struct engine_result *r, size_t nb, size_t nc, struct buf *b)
{
    const char *sep = "";
    if (r->kpis.organic_revenue == 0) {
        buf_printf(b, "no organic revenue in the filtered data");
        sep = ", ";
    }
    if (nb == 0)
        buf_printf(b, "%sno day without influencer activity", sep);
    else if (nb == 1)
        buf_printf(b, "%sonly 1 day without influencer activity (the baseline needs at least 2)",
                   sep);
    if (nb < 2)
        sep = ", ";
    if (nc == 0)
        buf_printf(b, "%sno day with influencer activity", sep);
}

/* Why holdout does not apply, into b (empty when it applies). */
static void holdout_not_ok(const struct engine_incremental *inc, struct buf *b)
{
    if (inc->test_rows == 0 && inc->control_rows == 0)
        buf_printf(b, "no campaign_type Test or Control rows");
    else if (inc->control_rows == 0)
        buf_printf(b, "Test rows but no Control rows");
    else if (inc->test_rows == 0)
        buf_printf(b, "Control rows but no Test rows");
}

/* "; organic does not apply: …" (or "was asked for but does not apply") when the method
 * was not used because its conditions fail; nothing when it was not considered. */
static void say_not_applied(struct buf *why, const char *name, int asked, const struct buf *reason)
{
    if (reason->len == 0)
        return;
    buf_printf(why, "; %s %sdoes not apply: %s", name, asked ? "was asked for but " : "",
               buf_cstr(reason));
}

int engine_result_incremental(const struct engine_result *r,
                              const struct engine_incremental_opts *o,
                              struct engine_incremental *out, struct err *e)
{
    memset(out, 0, sizeof *out);
    if (!(o->fixed_share >= 0 && o->fixed_share <= 1))
        return err_set(e, ERR_USAGE, "fixed_share: %g is not a share between 0 and 1",
                       o->fixed_share);
    if (o->bootstrap > 100000)
        return err_set(e, ERR_USAGE, "bootstrap: %u resamples is more than 100000", o->bootstrap);
    out->requested = o->method;
    out->fixed_share = o->fixed_share;
    out->test_revenue = r->ctype_revenue[CTYPE_TEST];
    out->control_revenue = r->ctype_revenue[CTYPE_CONTROL];
    out->test_rows = r->ctype_rows[CTYPE_TEST];
    out->control_rows = r->ctype_rows[CTYPE_CONTROL];
    int64_t spend = r->kpis.spend;

    double *campaign, *baseline;
    size_t nc, nb;
    organic_days(r, &campaign, &nc, &baseline, &nb);
    /* organic needs organic revenue and at least two days without influencer activity (one
     * day is no estimate of a daily baseline) beside some campaign days */
    struct buf organic_why, holdout_why, why;
    buf_init(&organic_why, 0);
    buf_init(&holdout_why, 0);
    buf_init(&why, 0);
    organic_not_ok(r, nb, nc, &organic_why);
    holdout_not_ok(out, &holdout_why);
    int organic_ok = organic_why.len == 0, holdout_ok = holdout_why.len == 0;
    enum engine_iroas_method m = o->method;
    if ((m == ENGINE_IROAS_ORGANIC && !organic_ok) || (m == ENGINE_IROAS_HOLDOUT && !holdout_ok))
        m = ENGINE_IROAS_AUTO; /* asked for but not applicable: chosen as if not asked */
    if (m == ENGINE_IROAS_AUTO)
        m = organic_ok ? ENGINE_IROAS_ORGANIC
            : holdout_ok ? ENGINE_IROAS_HOLDOUT
                         : ENGINE_IROAS_FIXED_SHARE;
    out->method = m;
    /* the unrounded incremental revenue and interval (paise): what iROAS divides */
    double exact = 0, low = 0, high = 0;
    int asked_organic = o->method == ENGINE_IROAS_ORGANIC;
    int asked_holdout = o->method == ENGINE_IROAS_HOLDOUT;
    switch (m) {
    case ENGINE_IROAS_ORGANIC:
        incremental_organic(o, campaign, nc, baseline, nb, out, &exact, &low, &high);
        buf_printf(&why,
                   "baseline: mean daily revenue of %zu days without influencer activity; "
                   "%zu days with activity",
                   nb, nc);
        if (asked_holdout)
            say_not_applied(&why, "holdout", 1, &holdout_why);
        break;
    case ENGINE_IROAS_HOLDOUT:
        out->incremental_revenue = out->test_revenue - out->control_revenue;
        exact = (double)out->incremental_revenue;
        buf_printf(&why, "campaign_type Test rows (%lld) against Control rows (%lld)",
                   (long long)out->test_rows, (long long)out->control_rows);
        if (!asked_holdout)
            say_not_applied(&why, "organic", asked_organic, &organic_why);
        break;
    default:
        out->method = ENGINE_IROAS_FIXED_SHARE;
        exact = (double)r->kpis.revenue - o->fixed_share * (double)r->kpis.revenue;
        out->incremental_revenue = r->kpis.revenue - round_paise(o->fixed_share *
                                                                 (double)r->kpis.revenue);
        buf_printf(&why, "baseline: %g of attributed revenue", o->fixed_share);
        if (o->method == ENGINE_IROAS_FIXED_SHARE) {
            buf_printf(&why, ", as asked");
        } else {
            say_not_applied(&why, "organic", asked_organic, &organic_why);
            say_not_applied(&why, "holdout", asked_holdout, &holdout_why);
        }
        break;
    }
    snprintf(out->why, sizeof out->why, "%s", buf_cstr(&why));
    buf_release(&why);
    buf_release(&organic_why);
    buf_release(&holdout_why);
    free(campaign);
    free(baseline);
    out->iroas = ratio(exact, (double)spend);
    if (out->has_interval) {
        out->iroas_low = ratio(low, (double)spend);
        out->iroas_high = ratio(high, (double)spend);
    }
    return 0;
}

/* ---- payouts --------------------------------------------------------------------------- */

const char *engine_payout_check_name(enum engine_payout_check c)
{
    switch (c) {
    case ENGINE_PAYOUT_MATCH:
        return "match";
    case ENGINE_PAYOUT_MISMATCH:
        return "mismatch";
    case ENGINE_PAYOUT_NOT_COMPARABLE:
        break;
    }
    return "not_comparable";
}

static int cmp_payout_row(const void *a, const void *b)
{
    const struct engine_payout_row *x = a, *y = b;
    if (x->mismatch != y->mismatch)
        return x->mismatch ? -1 : 1;
    if (x->earned != y->earned)
        return x->earned > y->earned ? -1 : 1;
    return strcmp(x->id, y->id);
}

/* One influencer's activity terms in the payouts check: a rate row (the first of its
 * terms) with the rows that repeat those terms (SCOPE_DUPLICATE, priced there). */
struct payout_terms {
    size_t first;          /* the row whose terms price the activity */
    __int128 earned_micro; /* its spend over the filtered activity */
    int64_t recorded;      /* Σ total_payout of its rows, in range or not */
    int32_t outside_day;   /* the first of its rows dated outside the range, else NO_DAY */
};

/* The terms row i repeats: the earlier first row of the same influencer and kind, of the
 * same campaign when that one is campaign-scoped, else the unscoped one (build_buckets:
 * a row is scoped by its kind and campaign alone, so a repeat has its original's scope). */
static struct payout_terms *terms_of(const struct engine *eng, struct payout_terms *terms,
                                     size_t nterms, size_t i)
{
    const int32_t *kind = col32(&eng->pay_kind), *campaign = col32(&eng->pay_campaign);
    const int32_t *scope = col32(&eng->pay_scope);
    struct payout_terms *unscoped = NULL;
    for (size_t t = 0; t < nterms; t++) {
        size_t j = terms[t].first;
        if (kind[j] != kind[i])
            continue;
        if (scope[j] >= 0 && campaign[j] == campaign[i])
            return &terms[t];
        if (scope[j] == SCOPE_INFLUENCER)
            unscoped = &terms[t];
    }
    return unscoped;
}

/* Tracking rows (posts for post terms) that terms row i prices: *kept under the filter,
 * *all of them. Unscoped terms price the influencer's buckets no scoped terms of the same
 * kind claim (payout_row_spend). */
static void terms_activity(const struct engine_result *r, int32_t inf, size_t i, int64_t *kept,
                           int64_t *all)
{
    const struct engine *eng = r->eng;
    int32_t kind = col32(&eng->pay_kind)[i], scope = col32(&eng->pay_scope)[i];
    int posts = kind == PAY_POST;
    const int64_t *total = col64(posts ? &eng->bucket_posts : &eng->bucket_rows);
    const int32_t *claims = col32(&eng->bucket_claims);
    const int32_t *start = col32(&eng->inf_bucket_start), *buckets = col32(&eng->inf_buckets);
    *kept = *all = 0;
    for (int32_t k = start[inf]; k < start[inf + 1]; k++) {
        int32_t b = buckets[k];
        if (scope >= 0 ? b != scope : (claims[b] & (1 << kind)) != 0)
            continue;
        *kept += posts ? r->q.sums[b].posts : r->q.sums[b].rows;
        *all += total[b];
    }
}

/* The check of one influencer (rows[i] holds its counted rows' sums; earned is set). */
static void check_influencer(const struct engine_result *r, int32_t inf,
                             struct engine_payout_row *p)
{
    const struct engine *eng = r->eng;
    const int32_t *kind = col32(&eng->pay_kind), *scope = col32(&eng->pay_scope);
    const int32_t *pay_basis = col32(&eng->pay_basis), *pay_day = col32(&eng->pay_day);
    const int32_t *campaign = col32(&eng->pay_campaign);
    const int64_t *total = col64(&eng->pay_total);
    const int32_t *start = col32(&eng->inf_pay_start), *pays = col32(&eng->inf_pays);
    const struct influencer_activity *a = &r->act[inf];
    size_t nrows = (size_t)(start[inf + 1] - start[inf]);
    struct payout_terms *terms = xmalloc((nrows + 1) * sizeof *terms);
    size_t nterms = 0;
    __int128 compared_micro = 0;
    int64_t compared_recorded = 0;
    size_t compared = 0;
    /* rows of the influencer, in row order: a repeat comes after its terms' first row */
    for (int32_t k = start[inf]; k < start[inf + 1]; k++) {
        size_t i = (size_t)pays[k];
        if (!r->q.basis.ok[pay_basis[i] + 1])
            continue;
        int counted = payout_row_in(r, i);
        if (kind[i] == PAY_TOTAL) {
            if (counted) { /* earned is the recorded total itself */
                compared_micro += (__int128)total[i] * 1000000;
                compared_recorded += total[i];
                compared++;
            }
            continue;
        }
        struct payout_terms *t;
        if (scope[i] == SCOPE_DUPLICATE) {
            t = terms_of(eng, terms, nterms, i);
            if (!t)
                continue; /* cannot happen: build_buckets saw its first row */
        } else {
            t = &terms[nterms++];
            *t = (struct payout_terms){i, payout_row_spend(eng, &r->q, a, i), 0, ENGINE_NO_DAY};
        }
        t->recorded += total[i];
        if (!counted && t->outside_day == ENGINE_NO_DAY)
            t->outside_day = pay_day[i];
    }
    static const char *const kind_name[] = {
        [PAY_ORDER] = "order", [PAY_POST] = "post", [PAY_REVSHARE] = "revenue-share"};
    size_t left_out = 0;
    for (size_t t = 0; t < nterms; t++) {
        size_t i = terms[t].first;
        int64_t kept, all;
        terms_activity(r, inf, i, &kept, &all);
        if (kept == all && terms[t].outside_day == ENGINE_NO_DAY) {
            compared_micro += terms[t].earned_micro;
            compared_recorded += terms[t].recorded;
            compared++;
            continue;
        }
        if (left_out++ > 0)
            continue;
        char of[160] = "";
        if (scope[i] >= 0)
            snprintf(of, sizeof of, " for campaign %.100s",
                     dict_text(eng, DIM_CAMPAIGN, campaign[i]));
        if (kept != all) {
            snprintf(p->reason, sizeof p->reason,
                     "the filters keep %lld of the %lld %s priced by its %s terms%s",
                     (long long)kept, (long long)all,
                     kind[i] == PAY_POST ? (all == 1 ? "post" : "posts")
                                         : (all == 1 ? "tracking row" : "tracking rows"),
                     kind_name[kind[i]], of);
        } else {
            char date[11];
            schema_days_to_iso(terms[t].outside_day, date);
            snprintf(p->reason, sizeof p->reason,
                     "a payout row of its %s terms%s is dated %s, outside the range",
                     kind_name[kind[i]], of, date);
        }
    }
    if (left_out > 1) {
        size_t len = strlen(p->reason);
        snprintf(p->reason + len, sizeof p->reason - len,
                 " (%zu more of its payout terms %s not comparable either)", left_out - 1,
                 left_out == 2 ? "is" : "are");
    }
    free(terms);
    p->compared_earned = compared ? round_micro(compared_micro) : 0;
    p->compared_recorded = compared_recorded;
    int64_t difference = p->compared_recorded - p->compared_earned;
    int differs = difference > ENGINE_PAYOUT_TOLERANCE || difference < -ENGINE_PAYOUT_TOLERANCE;
    p->check = differs ? ENGINE_PAYOUT_MISMATCH
               : left_out ? ENGINE_PAYOUT_NOT_COMPARABLE
                          : ENGINE_PAYOUT_MATCH;
    p->mismatch = p->check == ENGINE_PAYOUT_MISMATCH;
    p->has_difference = p->check != ENGINE_PAYOUT_NOT_COMPARABLE;
    p->difference = p->has_difference ? difference : 0;
}

int engine_result_payouts(const struct engine_result *r, struct engine_payout_row **out, size_t *n,
                          struct engine_payout_totals *totals)
{
    const struct engine *eng = r->eng;
    memset(totals, 0, sizeof *totals);
    struct engine_payout_row *rows = xcalloc(eng->ninf + 1, sizeof *rows);
    int32_t *basis = xmalloc((eng->ninf + 1) * sizeof *basis); /* -1 none, -2 several */
    for (size_t i = 0; i < eng->ninf; i++)
        basis[i] = -1;
    const int32_t *pay_inf = col32(&eng->pay_inf), *pay_basis = col32(&eng->pay_basis);
    const int32_t *status = col32(&eng->pay_status);
    const int64_t *total = col64(&eng->pay_total);
    for (size_t i = 0; i < eng->npay; i++) {
        if (!payout_row_in(r, i))
            continue;
        struct engine_payout_row *p = &rows[pay_inf[i]];
        p->payout_rows++;
        p->recorded += total[i];
        if (status[i] == PAY_STATUS_PAID)
            p->paid += total[i];
        else if (status[i] == PAY_STATUS_PENDING)
            p->pending += total[i];
        int32_t b = pay_basis[i];
        int32_t *seen = &basis[pay_inf[i]];
        *seen = *seen == -1 ? b : (*seen == b ? b : -2);
    }
    size_t k = 0;
    for (size_t i = 0; i < eng->ninf; i++) {
        struct engine_payout_row p = rows[i];
        int64_t earned = r->q.inf_selected[i] ? r->act[i].spend : 0;
        if (p.payout_rows == 0 && earned == 0)
            continue;
        p.id = strmap_key(eng->dict[DIM_INFLUENCER], (int32_t)i, NULL);
        p.name = dict_text(eng, DIM_NAME, col32(&eng->inf_name)[i]);
        p.platform = dict_text(eng, DIM_PLATFORM, col32(&eng->inf_platform)[i]);
        p.basis = basis[i] == -2 ? "mixed" : dict_text(eng, DIM_BASIS, basis[i]);
        p.earned = earned;
        check_influencer(r, (int32_t)i, &p);
        totals->influencers++;
        totals->earned += p.earned;
        totals->recorded += p.recorded;
        totals->paid += p.paid;
        totals->pending += p.pending;
        totals->mismatches += p.mismatch;
        totals->not_comparable += p.check == ENGINE_PAYOUT_NOT_COMPARABLE;
        rows[k++] = p;
    }
    free(basis);
    if (k > 1)
        qsort(rows, k, sizeof *rows, cmp_payout_row);
    if (k == 0) {
        free(rows);
        rows = NULL;
    }
    *out = rows;
    *n = k;
    return 0;
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
    case DS_INFLUENCERS:
        return selected_influencer(r, COL("influencer_id")) >= 0;
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
        return selected_influencer(r, inf) >= 0;
    }
    case DS_PAYOUTS: {
        if (selected_influencer(r, COL("influencer_id")) < 0 ||
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
