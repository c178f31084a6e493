/* engine_impl.h — private to src/engine/engine_*.c: the engine's loaded data (struct
 * engine: flat columns, dictionary-encoded dimensions, the tracking cubes), a query's state
 * and its result, and what the files of the engine share. engine_load.c fills struct
 * engine; engine_query.c runs a filter over it into struct engine_result;
 * engine_incremental.c and engine_payouts.c read a result. Nothing outside src/engine/
 * includes this header; engine.h is the engine's interface. */
#ifndef INFLUDASH_ENGINE_IMPL_H
#define INFLUDASH_ENGINE_IMPL_H

#include <stdint.h>
#include <string.h>

#include "buf.h"
#include "engine.h"
#include "schema.h"
#include "strmap.h"

/* How a payout row earns (engine_kpis, "spend"). */
enum pay_kind {
    PAY_ORDER,    /* rate × attributed orders */
    PAY_POST,     /* rate × posts */
    PAY_REVSHARE, /* rate × attributed revenue */
    PAY_TOTAL,    /* the recorded total_payout: flat, hybrid, other, or terms without a rate */
};

/* How a stored payout row earns: its basis's activity when it has a rate, else its total. */
static inline enum pay_kind payout_kind_of(const struct schema_value *basis, int has_rate)
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

static inline int32_t *col32(const struct column *c)
{
    return (int32_t *)(void *)c->b.data;
}

static inline int64_t *col64(const struct column *c)
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
    /* int64 paise: the spend allocated to the entry at load (SPEC §3.1: order,
     * revenue_share and undated recorded totals; engine_allocate.c) */
    struct column spend;
    struct column day_start; /* int64 offsets, ndays + 1 of them */
    /* The fine cube only, for engine_extend: the number of each entry in the order of
     * its first stored row (uint32; the entries of a load from the store were merged in
     * that order) and the sum of its rows' revenue magnitudes (uint64, trk_absrev). */
    struct column seq, absrev;
};

enum { CUBE_FINE, CUBE_COARSE, CUBE_COUNT };

/* A rollup of the fine cube (engine_rollup.c): its distinct combinations of (platform
 * class, brand, campaign, product or source), key[4 g .. 4 g + 3] for combination g (the
 * class: the influencer's platform code + 1, 0 for none, organic_class for organic
 * entries; the codes -1 for none), and per combination width = ndays + 1 running sums over
 * days: cum[g * width + d] sums days 0 .. d - 1. */
struct rollup_sums {
    int64_t revenue, orders, rows, spend;
};
struct rollup {
    int built;
    size_t ncombo, width;
    int32_t organic_class;
    int32_t *key;
    struct rollup_sums *cum;
};

/* struct engine campaign_same of a campaign without cells. */
#define CAMPAIGN_NO_CELLS (-3)

/* A post with a price, as alloc_influencer reads it (struct engine priced). */
struct priced_post {
    int32_t day, day_slot; /* post_day, and post_day_idx + 1 */
    int32_t platform, campaign, pay;
    int64_t spend;
};

/* A cell's entries in cell_entry_day and cell_entry_cum (struct engine cell_span). */
struct cell_span {
    int32_t start, n;            /* its entries: start .. start + n */
    int32_t first_day, last_day; /* their day indexes (n > 0) */
    int64_t total;               /* the revenue of them all */
};

/* A payout row's terms, as compute_spend reads them (struct engine terms). */
struct pay_term {
    int32_t kind, scope, basis, day; /* pay_kind, pay_scope, pay_basis, pay_day */
    int64_t rate, total;             /* pay_rate, pay_total */
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
    struct column post_views; /* int64: video_views, else impressions; -1 when neither */
    /* Posts are sorted by day once loaded: those without a date first, then day by day;
     * post_start[d + 1] .. post_start[d + 2] are the posts of day d, post_start[0] ..
     * post_start[1] those without a date (int64, ndays + 2 of them). */
    struct column post_start;

    /* Tracking rows as loaded (ntrk of them), merged as they are read into nagg entries, one
     * per distinct day, influencer, brand, product, campaign, source and campaign type, in
     * the order of their first row (int32 columns; trk_ctype one byte; trk_bucket is added
     * by build_buckets); released once the cube is built. While the rows are read, the
     * entries are in agg (room for agg_room), in order, found through agg_slot (agg_cap
     * slots: an entry's number + 1, 0 for none), and the last rows read wait in agg_pending
     * (engine_load.c). */
    size_t ntrk, nagg;
    struct column trk_day, trk_inf, trk_bucket, trk_brand, trk_product, trk_campaign, trk_source,
        trk_ctype;
    struct column trk_orders, trk_revenue, trk_rows; /* int64 sums (revenue in paise) */
    struct column trk_absrev; /* uint64: the sum of the rows' revenue magnitudes */
    struct agg_entry *agg;
    uint32_t *agg_slot;
    struct agg_pending *agg_pending;
    size_t agg_room, agg_cap, agg_npending;
    /* Instead of agg, while engine_extend adds rows to the entries it began with: the
     * entries are in the trk_ columns already, and ext_slot (ext_cap slots) indexes them by
     * key (entry number, -1: empty). */
    int32_t *ext_slot;
    size_t ext_cap;
    /* engine_extend, until the left-out rows are named: the base's named left-out tracking
     * rows (engine_load.c, name_skipped_extended) */
    struct ext_skipped *ext_skip;

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

    /* unix seconds of the last change to the data (engine_as_of), 0 when unknown */
    int64_t as_of;
    /* The highest row number of the stored tracking rows the engine holds (store_last_seq),
     * -1 when unknown (then engine_extend cannot add the rows after it). */
    int64_t trk_seq;
    /* SPEC §3.1 allocation, fixed at load (engine_allocate.c, alloc_build):
     * - the fine cube's spend column, as lines: fine entry e's are line_pay/line_amount
     *   [line_start[e] .. line_start[e + 1]] (the payout row and its paise);
     * - the fine entries of each bucket in day order: bucket_entries[bucket_entry_start[b]
     *   .. bucket_entry_start[b + 1]], with each fine entry's day index in entry_day;
     * - each post's price in paise (post_spend) and the payout row that prices it
     *   (post_pay, -1: none); the posts of influencer i in day order, inf_posts[
     *   inf_post_start[i] .. inf_post_start[i + 1]];
     * - per payout row: the paise of an undated recorded total with no revenue to split
     *   over (pay_unalloc, on the undated day and the Unallocated groups), and the day
     *   index of payout_date (pay_day_idx, -1: none);
     * - per influencer, ALLOC_* flags: what a query has to allocate for it. */
    struct column line_start;                /* int64, fine entries + 1 */
    struct column line_pay;                  /* int32 */
    struct column line_amount;               /* int64 */
    struct column bucket_entry_start;        /* int64, nbuckets + 1 */
    struct column bucket_entries, entry_day; /* int32 */
    struct column post_spend;                /* int64 */
    struct column post_pay;                  /* int32 */
    struct column inf_post_start, inf_posts; /* int32 */
    struct column pay_unalloc;               /* int64 */
    struct column pay_day_idx;               /* int32 */
    struct column inf_alloc;                 /* int32 ALLOC_* flags */
    /* the text order of the codes of brand, product, campaign and source (int32 rank per
     * code, and Unallocated after them): largest-remainder ties go to the earlier cell in
     * that order (README "Allocation") */
    struct column rank[4];
    /* each influencer's distinct cells (brand, product, campaign, source of its attributed
     * entries) in text order: inf_cells[inf_cell_start[i] .. inf_cell_start[i + 1]] hold
     * their codes (4 int32 each), and entry_cell the cell of each fine entry (within its
     * influencer's; -1 organic), so that a query sums a range's revenue per cell unsorted */
    struct column inf_cell_start, inf_cells, entry_cell;
    /* the fine entries of each cell (numbered across influencers: inf_cell_start[i] + the
     * cell within i's) in day order, cell_entry_start[g] .. cell_entry_start[g + 1], with
     * each one's day index (cell_entry_day, int32) and the cell's revenue summed up to and
     * including it (cell_entry_cum, int64): a range's revenue of a cell is two lookups */
    struct column cell_entry_start, cell_entry_cum; /* int64 */
    struct column cell_entry_day;                   /* int32 */
    /* each influencer's cells by campaign, so that a split of one campaign visits only that
     * campaign's cells: influencer i's groups are camp_start[i] .. camp_start[i + 1] in
     * campaign code order, group j's campaign code camp_code[j] and its cells (their place
     * within i's, ascending: text order) camp_cells[camp_cell_start[j] .. camp_cell_start[j
     * + 1]], with the brand, product and source every one of them has (camp_same[3 j ..
     * 3 j + 2], -2 where they differ). Derived from inf_cells after every load
     * (alloc_build_groups), never stored. */
    int32_t *camp_start, *camp_code, *camp_cell_start, *camp_cells, *camp_same;
    /* per campaign code, the brand, product and source every cell of it has, whatever its
     * influencer (campaign_same[3 c .. 3 c + 2], -2 where they differ, CAMPAIGN_NO_CELLS for
     * a campaign with no cell), so that a query passes by the splits of a campaign its
     * filter keeps no cell of (derived with the groups, never stored) */
    int32_t *campaign_same;
    /* each influencer's priced posts (a payout row and spend that is not 0) in day order,
     * what a query's splits read of them side by side: influencer i's are priced[
     * priced_start[i] .. priced_start[i + 1]] (derived with the groups, never stored) */
    struct priced_post *priced;
    int32_t *priced_start;
    /* each influencer's payout rows (SCOPE_DUPLICATE ones left out) in row order, their
     * terms side by side for compute_spend: influencer i's are terms[terms_start[i] ..
     * terms_start[i + 1]] (derived with the groups, never stored) */
    struct pay_term *terms;
    int32_t *terms_start;
    /* per cell (numbered as for cell_entry_start), what cell_range_revenue reads first side
     * by side: its entries' place and count, first and last day index, and its whole
     * revenue (derived with the groups, never stored) */
    struct cell_span *cell_span;
    /* the scratch of finished queries, for the next ones (engine_query.c) */
    struct result_pool *results;
    /* alloc_influencer without its shortcuts, and every query's product and source groups from
     * the fine cube's scan (engine_set_exhaustive_allocation) */
    int exhaustive_allocation;
    /* by product [0] and by source [1] (engine_build_rollups; not built: the fine scan) */
    struct rollup rollup[2];

    /* During the load only (load_payout): per influencer, the activity payout terms can
     * price, and what the payout rows loaded so far could price together (micro-paise). */
    struct activity_total *totals;
    size_t ntotals;
    unsigned __int128 spend_bound;
};

/* An engine with its dictionaries and nothing else (engine_load.c). */
struct engine *engine_new(void);
/* An empty pool of query scratch, and its release with what it keeps (engine_query.c). */
struct result_pool *result_pool_new(void);
void result_pool_free(struct result_pool *p);
/* The columns of eng outside the cubes into out (ENGINE_NCOLUMNS of them at most), and the
 * CUBE_NCOLUMNS of a cube: for engine_free, shrink_columns and the cache file
 * (engine_cache.c, which stores them in this order). Return how many. */
#define ENGINE_NCOLUMNS 80
#define CUBE_NCOLUMNS 11
size_t engine_columns(struct engine *eng, struct column **out);
size_t engine_cube_columns(struct cube *k, struct column **out);

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

/* A stored date as a day number, ENGINE_NO_DAY when absent or not a date. */
static inline int32_t day_of(const struct schema_value *v)
{
    int32_t day;
    if (!v->present || schema_iso_to_days(v->s, &day) < 0)
        return ENGINE_NO_DAY;
    return day;
}

/* ---- a query ---------------------------------------------------------------------------- */

/* A dimension's selected codes as a byte per code, offset by one so that code -1 (no
 * value) has a slot: ok[code + 1]. With no filter every slot is 1; with one, a row
 * without a value never matches. */
struct code_mask {
    uint8_t *ok;
    int active;
};

/* A bucket's filtered activity (spend: of its cube entries, in paise). */
struct bucket_sums {
    int64_t orders, revenue, rows, posts, spend;
};

/* What alloc_influencer has to do for an influencer (struct engine inf_alloc). */
#define ALLOC_POSTS 0x1u   /* posts priced by a post payout row */
#define ALLOC_DATED 0x2u   /* recorded totals with a payout_date */
#define ALLOC_UNDATED 0x4u /* undated recorded totals without revenue (pay_unalloc) */
#define ALLOC_LINES 0x8u   /* spend on cube entries (lines) */

/* Per-query scratch: masks, the selection and per-bucket accumulators, so that a query
 * only reads the engine. */
struct query {
    struct code_mask platform, category, gender, tier, persona, influencer, basis;
    struct code_mask brand, product, campaign, source;
    uint8_t *inf_selected; /* by influencer index */
    int32_t *selected;     /* the selected influencers, in order */
    size_t nselected;
    uint8_t *bucket_selected; /* by bucket: its influencer's; 1 for the organic bucket */
    /* per bucket: filtered activity (the organic bucket eng->nbuckets included) */
    struct bucket_sums *sums;
};

/* Sums of one day (slot d + 1; slot 0 holds posts without a date). */
struct day_sums {
    int64_t revenue, orders, organic_revenue, organic_orders, spend;
    int64_t attributed_rows, organic_rows, posts, reach, engagements;
};

/* Sums of one brand, product, campaign, source or platform (slot code + 1; slot 0: rows
 * without one; slot size + 1, code size: Unallocated spend, SPEC §3.1). */
struct dim_sums {
    int64_t revenue, orders, organic_revenue, organic_orders, rows, posts, reach, engagements;
    int64_t spend;
};

/* Per-influencer activity: totals over its buckets, and the part of them that
 * campaign-scoped terms of each kind claim (unscoped terms price the rest). 128 bytes, on a
 * 64-byte boundary (struct result_scratch): two cache lines, the first with what
 * gather_activity and compute_spend add up, the second with the posts' sums. The counts of
 * rows and posts fit 32 bits (ENGINE_MAX_ROWS). */
struct influencer_activity {
    __int128 spend_micro; /* millionths of a paisa: the terms over the filtered activity */
    int64_t orders, revenue;
    int64_t spend; /* the spend allocated to the filtered cells (SPEC §3.1) */
    int64_t claimed_orders, claimed_revenue;
    int32_t rows, posts;
    int64_t reach, engagements;
    /* engagement rate's other denominators (engine_kpis) */
    int64_t followers, follower_engagements, views, view_engagements;
    int32_t posts_with_followers, posts_with_views, claimed_posts;
    int32_t paid; /* a recorded total counted in the filter */
};
_Static_assert(sizeof(struct influencer_activity) == 128, "an activity is two cache lines");
_Static_assert(ENGINE_MAX_ROWS <= INT32_MAX, "an influencer's rows and posts fit int32");

struct engine_result {
    const struct engine *eng;
    struct result_scratch *scratch; /* act, days, the groups' and the query's sums */
    unsigned views;                 /* ENGINE_VIEW_* computed */
    int32_t from_day, to_day;
    struct query q;
    struct influencer_activity *act; /* per influencer: the selected ones (result_activity) */
    /* per selected influencer, the spend its walk allocates (alloc_influencer), added to its
     * act.spend once every walk is done: a walk may run beside the scan that fills act */
    int64_t *alloc_spend;
    int32_t *active; /* the influencers influencer_active keeps, in order */
    size_t nactive;
    size_t day_lo, day_hi; /* the days of the range: slots day_lo + 1 .. day_hi */
    struct day_sums *days; /* ndays + 1 slots */
    struct dim_sums *brand, *campaign, *product, *source, *platform;
    int cell_filter; /* a platform, brand, product, campaign or source filter is active */
    int64_t ctype_revenue[CTYPE_COUNT], ctype_rows[CTYPE_COUNT];
    struct engine_kpis kpis;
};

/* SPEC §3.1: the allocation of a query's spend that depends on its range (engine_allocate.c;
 * the cube's spend column is added by the scan): posts, dated recorded totals, undated ones
 * without revenue, and, under a basis filter, the lines of the payout rows it leaves out. */
struct alloc_walk;
/* A walk of r's query (engine_allocate.c): alloc_begin, then alloc_influencer for selected
 * influencers, each once in the query, then alloc_end, which adds the walk's spend to r's
 * day, platform, brand, product, campaign and source groups and frees it. A walk reads only
 * the engine and r's filter, and writes only itself and r->alloc_spend of its influencers:
 * two walks of one query may run on two threads at once, and beside the scan. */
struct alloc_walk *alloc_begin(struct engine_result *r);
void alloc_influencer(struct alloc_walk *w, int32_t inf);
void alloc_end(struct alloc_walk *w);
/* At load, after the fine cube is built and before the coarse one: lines, the fine cube's
 * spend column and the indexes above. */
void alloc_build_entries(struct engine *eng);
/* At load, once the posts are sorted: post_spend, post_pay, inf_posts, inf_alloc. */
void alloc_build_posts(struct engine *eng);
/* camp_start, camp_code, camp_cell_start, camp_cells from inf_cells, and priced from the
 * posts (again if built): every load path calls it once the cells and post prices are
 * final, as it does engine_build_rollups. */
void alloc_build_groups(struct engine *eng);
/* Frees them (engine_free calls it). */
void alloc_release_groups(struct engine *eng);

/* Builds eng->rollup from the fine cube (again if built): every load path calls it once the
 * cube and its spend column are final. A rollup too large to keep is left unbuilt, and the
 * queries scan the fine cube instead. */
void engine_build_rollups(struct engine *eng);
/* Frees eng->rollup (engine_free calls it). */
void engine_release_rollups(struct engine *eng);
/* Whether r's product and source groups can come from the rollups: built, every
 * influencer selected, neither product nor source filtered, no exhaustive mode. */
int rollup_usable(const struct engine_result *r);
/* The product groups (products) and source groups (sources) of r's range, from the
 * rollups, into r->product and r->source. */
void rollup_groups(struct engine_result *r, int products, int sources);

/* ---- what the files of a query share (inline: they run per payout row and value) ---- */

/* Spend of payout terms of a kind, scope, rate and recorded total, in millionths of a paisa
 * (rates are millionths of a currency unit per order or post, or of the revenue for
 * revenue_share). */
static inline __int128 payout_terms_spend(const struct query *q,
                                          const struct influencer_activity *a, int32_t kind,
                                          int32_t scope, __int128 rate, int64_t total)
{
    int scoped = scope >= 0;
    switch ((enum pay_kind)kind) {
    case PAY_ORDER:
        return rate * 100 * (scoped ? q->sums[scope].orders : a->orders - a->claimed_orders);
    case PAY_POST:
        return rate * 100 * (scoped ? q->sums[scope].posts : a->posts - a->claimed_posts);
    case PAY_REVSHARE:
        return rate * (scoped ? q->sums[scope].revenue : a->revenue - a->claimed_revenue);
    case PAY_TOTAL:
        break;
    }
    return (__int128)total * 1000000;
}

/* Spend of payout row i (payout_terms_spend of its terms). */
static inline __int128 payout_row_spend(const struct engine *eng, const struct query *q,
                                        const struct influencer_activity *a, size_t i)
{
    return payout_terms_spend(q, a, col32(&eng->pay_kind)[i], col32(&eng->pay_scope)[i],
                              col64(&eng->pay_rate)[i], col64(&eng->pay_total)[i]);
}

/* Millionths of a paisa to paise, half away from zero. */
static inline int64_t round_micro(__int128 m)
{
    /* in 64 bits when it fits (a constant divisor becomes a multiply there; 128-bit
     * division is a library call), which is every sum below ~92 billion rupees */
    if (m >= -(__int128)INT64_MAX / 2 && m <= (__int128)INT64_MAX / 2) {
        int64_t v = (int64_t)m;
        return v >= 0 ? (v + 500000) / 1000000 : -((-v + 500000) / 1000000);
    }
    return (int64_t)(m >= 0 ? (m + 500000) / 1000000 : -((-m + 500000) / 1000000));
}

/* Influencer inf's activity under r's filter: act holds the selected influencers' only (the
 * query's scratch is kept for the next query, and gather_activity clears only those), so an
 * influencer the filter does not select has none. */
static inline const struct influencer_activity *result_activity(const struct engine_result *r,
                                                                size_t inf)
{
    static const struct influencer_activity none;
    return r->q.inf_selected[inf] ? &r->act[inf] : &none;
}

/* A payout row of a selected influencer and basis whose recorded total falls in the range
 * (or has no date): counted as recorded, and as spend when its terms are a total. */
static inline int payout_row_in(const struct engine_result *r, size_t i)
{
    const struct engine *eng = r->eng;
    int32_t inf = col32(&eng->pay_inf)[i], day = col32(&eng->pay_day)[i];
    if (inf < 0 || !r->q.inf_selected[inf] || !r->q.basis.ok[col32(&eng->pay_basis)[i] + 1] ||
        !r->q.platform.ok[col32(&eng->inf_platform)[inf] + 1])
        return 0;
    return day == ENGINE_NO_DAY || (day >= r->from_day && day <= r->to_day);
}

static inline struct engine_ratio ratio(double num, double den)
{
    struct engine_ratio x = {0, 0.0};
    if (den != 0) {
        x.has = 1;
        x.value = num / den;
    }
    return x;
}

/* The dictionary text of code under d, "" for -1 (no value). */
static inline const char *dict_text(const struct engine *eng, enum dim d, int32_t code)
{
    return code < 0 ? "" : strmap_key(eng->dict[d], code, NULL);
}

#endif
