/* engine.h — the in-memory columnar analytics engine: the four datasets loaded once from
 * the store into flat arrays (dimensions dictionary-encoded through strmap, numbers as
 * int32/int64 columns), and the SPEC §3 metrics computed over any filter in one pass per
 * dataset with no string compares, in total or by platform, brand or day (engine_breakdown),
 * per influencer (engine_influencers) or per persona (engine_personas). Loading is
 * engine_load.c, querying engine_query.c, incremental revenue engine_incremental.c and the
 * payouts check engine_payouts.c, over the private engine_impl.h.
 * Calls store, schema, strmap, format, buf and err.
 *
 * Spend follows the payout terms over the filtered activity, aggregated per influencer
 * before anything is joined ("Spend rules" in engine_load.c and engine_query.c explain
 * them, including how several payout rows of one influencer are kept from counting the
 * same activity twice). */
#ifndef INFLUDASH_ENGINE_H
#define INFLUDASH_ENGINE_H

#include <stddef.h>
#include <stdint.h>

#include "err.h"
#include "schema.h"
#include "store.h"

/* Day number of a row without a date (posts, payouts): such rows pass an open date range
 * and fail any bounded one (payouts: always pass, see engine_kpis). */
#define ENGINE_NO_DAY INT32_MIN

struct engine;

/* One multi-select filter: values as the user names them (canonical spellings, as
 * stored); n == 0 means "no filter on this dimension". Not owned by the engine. */
struct engine_set {
    const char *const *values;
    size_t n;
};

/* SPEC §3 filters. from_day/to_day are inclusive day numbers (schema_iso_to_days);
 * INT32_MIN / INT32_MAX for an open end. engine_filter_init gives "everything". */
struct engine_filter {
    int32_t from_day, to_day;
    /* influencer attributes: select influencers with their posts, attributed rows and
     * payouts; never organic rows. platform also applies to each post's own platform;
     * basis also selects which of a selected influencer's payout rows count. */
    struct engine_set platform, category, gender, tier, persona, influencer, basis;
    /* tracking-row dimensions: attributed and organic rows alike */
    struct engine_set brand, product, campaign, source;
    /* min ROAS: of the influencers the filters above select, keep those whose ROAS over the
     * filtered data is at least min_roas (an influencer without spend has no ROAS and is
     * dropped). has_min_roas == 0: no such filter. */
    int has_min_roas;
    double min_roas;
};

void engine_filter_init(struct engine_filter *f);

/* A ratio that may be undefined (denominator 0): has == 0 means null. */
struct engine_ratio {
    int has;
    double value;
};

struct engine_kpis {
    int64_t revenue;         /* paise, attributed rows */
    int64_t orders;          /* attributed rows */
    int64_t organic_revenue; /* paise, organic rows */
    int64_t organic_orders;
    int64_t spend; /* paise, Σ per-influencer spend, each rounded to the paisa */
    int64_t posts;
    int64_t reach;
    int64_t engagements; /* likes + comments + shares + saves */
    /* Engagement rate's other denominators (SPEC §3.3), each over the posts that have it:
     * followers, the post's influencer's follower_count once per post (posts of influencers
     * without one are left out of both sums); views, the post's video_views, else its
     * impressions (posts with neither are left out of both sums). */
    int64_t followers, follower_engagements;
    int64_t views, view_engagements;
    int64_t influencers;      /* selected influencers with a post, an attributed row or spend */
    struct engine_ratio roas; /* revenue / spend */
    struct engine_ratio roi;  /* (revenue − spend) / spend */
    struct engine_ratio engagement_rate;           /* engagements / reach */
    struct engine_ratio engagement_rate_followers; /* follower_engagements / followers */
    struct engine_ratio engagement_rate_views;     /* view_engagements / views */
    struct engine_ratio cpo;                       /* spend / orders, in paise per order */
    struct engine_ratio aov;                       /* revenue / orders, in paise per order */
    struct engine_ratio cpm;              /* spend / reach × 1000, in paise per 1000 reached */
    struct engine_ratio cpe;              /* spend / engagements, in paise per engagement */
    struct engine_ratio conversion_rate;  /* orders / reach */
    struct engine_ratio revenue_per_post; /* revenue / posts, in paise per post */
};

/* Dimensions of engine_breakdown. */
enum engine_dim {
    ENGINE_BY_PLATFORM, /* the influencer's platform (attributed rows), the post's (posts) */
    ENGINE_BY_BRAND,    /* the tracking row's brand */
    ENGINE_BY_DAY,      /* the tracking row's or post's day */
    ENGINE_BY_CAMPAIGN, /* the tracking row's or post's campaign */
    ENGINE_BY_PRODUCT,  /* the tracking row's product */
    ENGINE_BY_SOURCE,   /* the tracking row's source */
};

/* The group of spend with nothing to split over (SPEC §3.1), in every breakdown but days
 * (there: key "", the undated entry); a filter value of this name selects it. */
#define ENGINE_UNALLOCATED "Unallocated"

/* One group of a breakdown. Money in paise. */
struct engine_group {
    /* Platform or brand name, or the ISO date for days; "" for rows without a value
     * (an influencer without a platform, a row without a brand, a post or spend without a
     * date); ENGINE_UNALLOCATED for spend with nothing to split over (unallocated == 1).
     * Points into the same allocation as the group array. */
    const char *key;
    int unallocated;
    int64_t revenue;         /* attributed rows */
    int64_t orders;          /* attributed rows */
    int64_t organic_revenue; /* organic rows; always 0 by platform (they have no influencer) */
    /* The spend SPEC §3.1 allocates to the group's cells (README "Allocation"). */
    int64_t spend;
    /* Posts and their reach: by the post's platform, day or campaign. By brand, product
     * and source: 0, since posts carry none of them in the engine. */
    int64_t posts;
    int64_t reach;
    int64_t engagements;                 /* of those posts: likes + comments + shares + saves */
    struct engine_ratio roas;            /* revenue / spend; null when spend is 0 */
    struct engine_ratio roi;             /* (revenue − spend) / spend; null when spend is 0 */
    struct engine_ratio engagement_rate; /* engagements / reach; null when reach is 0 */
};

/* ---- honest rankings by ROAS (SPEC §3.3; engine_rank.c) ----
 * The raw ROAS of a small influencer is noise: two orders at ROAS 40 say little. Each ranked
 * row also carries an empirical-Bayes estimate shrunk toward the cohort's ROAS (the rows
 * ranked together), normal–normal with method-of-moments hyperparameters:
 *   R0 = Σ revenue / Σ spend over the cohort's rows with spend (so weighted by spend),
 *   v_i = max(roas_i, R0)² / max(orders_i, E_i): a ROAS over n orders is as uncertain as a
 *         count of n (Poisson: relative error 1/√n); E_i = spend_i · Σ orders / Σ spend, the
 *         orders the cohort's rate would give that spend (so that no orders on a large spend
 *         is evidence too),
 *   τ² = max(Σ s_i (roas_i − R0)² / Σ s_i − Σ s_i v_i / Σ s_i, (R0 / 1000)²), s_i = spend,
 *        over rows with spend: the spread between influencers beyond the noise,
 *   B_i = τ² / (τ² + v_i),
 *   roas_shrunk_i = R0 + B_i · (roas_i − R0),
 *   90 % interval: roas_shrunk_i ± 1.645 · √(B_i · v_i), the low end at least 0.
 * A row without spend has no ROAS and no shrunk ROAS (null). */
enum engine_rank_mode {
    ENGINE_RANK_SHRUNK, /* by roas_shrunk (the default) */
    ENGINE_RANK_RAW,    /* by the plain revenue / spend */
};

struct engine_rank_opts {
    enum engine_rank_mode mode;
    int64_t few_orders; /* fewer orders than this: few_orders is set; default 30 */
};

#define ENGINE_RANK_FEW_ORDERS 30

void engine_rank_opts_default(struct engine_rank_opts *o);
/* "shrunk", "raw" */
const char *engine_rank_mode_name(enum engine_rank_mode m);

/* A row's ranking figures. */
struct engine_ranked {
    struct engine_ratio roas_shrunk, roas_low, roas_high;
    int few_orders; /* orders below the threshold */
    int has_key;    /* key is defined (the row has spend) */
    double key;     /* what the mode ranks by: roas_shrunk or the raw roas */
};

/* The cohort of one ranking: R0 and τ² of the formula above (has == 0: no row has spend). */
struct engine_rank_prior {
    int has;
    double cohort_roas, between_variance;
    double orders_per_spend; /* Σ orders / Σ spend (paise), for E_i */
};

/* One row to rank: revenue and spend in paise, orders. */
struct engine_rank_item {
    int64_t revenue, spend, orders;
};

void engine_rank_prior_of(const struct engine_rank_item *items, size_t n,
                          struct engine_rank_prior *p);
struct engine_ranked engine_rank_one(const struct engine_rank_prior *p,
                                     const struct engine_rank_item *item,
                                     const struct engine_rank_opts *o);

/* One influencer of engine_influencers. Strings point into the engine's dictionaries and
 * stay valid while the engine lives; "" for an attribute the influencer lacks. Money in
 * paise. */
struct engine_influencer_row {
    const char *id, *name, *platform, *category, *gender, *tier, *persona;
    int64_t revenue; /* attributed rows */
    int64_t orders;  /* attributed rows */
    int64_t spend;   /* this influencer's spend, rounded as in engine_kpis */
    int64_t posts;
    int64_t reach;
    int64_t engagements; /* likes + comments + shares + saves */
    int64_t followers, follower_engagements, views, view_engagements; /* as engine_kpis */
    int64_t follower_count;   /* the influencer's follower_count, -1 when unknown */
    int in_influencers_file;  /* a row of the influencers dataset (not only referenced) */
    struct engine_ratio roas; /* revenue / spend; null when spend is 0 */
    struct engine_ratio roi;  /* (revenue − spend) / spend; null when spend is 0 */
    struct engine_ratio engagement_rate, engagement_rate_followers, engagement_rate_views;
    /* Against the other rows of the same call to engine_result_influencers (or of
     * engine_rank_influencers), under the default engine_rank_opts unless ranked again. */
    struct engine_ranked rank;
};

struct engine_persona_row;
/* Fills rows[i].rank with the rows as the cohort, under o. */
void engine_rank_influencers(struct engine_influencer_row *rows, size_t n,
                             const struct engine_rank_opts *o);
void engine_rank_personas(struct engine_persona_row *rows, size_t n,
                          const struct engine_rank_opts *o);

/* Persona keys of engine_personas. */
enum engine_persona_dim {
    ENGINE_PERSONA_CATEGORY_GENDER, /* the influencer's category and gender */
    ENGINE_PERSONA_TIER,            /* the influencer's tier */
};

/* One persona of engine_personas: the influencers of engine_influencers sharing a key. */
struct engine_persona_row {
    /* The key: category and gender by ENGINE_PERSONA_CATEGORY_GENDER, tier by
     * ENGINE_PERSONA_TIER; "" for influencers without the attribute; NULL for the fields
     * that are not part of the key. Point into the engine's dictionaries. */
    const char *category, *gender, *tier;
    int64_t influencers; /* rows of engine_influencers with this key */
    int64_t revenue, orders, spend;
    struct engine_ratio roas;  /* Σ revenue / Σ spend; null when spend is 0 */
    struct engine_ranked rank; /* against the other personas of the call (engine_rank_personas) */
};

/* Rows the engine holds at most per dataset (2^28 = 268,435,456); rows past it are left out
 * and reported (engine_skipped). With the value ranges of schema.h this bounds every total,
 * so no sum a query makes can overflow (engine_impl.h proves it with static assertions). */
#define ENGINE_MAX_ROWS ((size_t)1 << 28)
/* The most spend all payout rows together can price (paise): a payout row whose terms could
 * price more, with the rows before it (rate × all of its influencer's orders, posts or
 * revenue, or its total_payout), is left out and reported. 2^28 × ₹10 crore ≈ ₹2.68e16. */
#define ENGINE_SPEND_MAX ((int64_t)ENGINE_MAX_ROWS * SCHEMA_MONEY_MAX)

/* A stored row the engine left out of every figure: a value outside the range import
 * accepts (schema_check_range) — a row stored by an older version, or written around the
 * import —, a date that is not one, payout terms past ENGINE_SPEND_MAX, or a row past
 * ENGINE_MAX_ROWS (id, column and value "" then). Loading never fails for such a row: the
 * rest loads, and /api/status, `infludash status` and the server's log name it. */
struct engine_skipped_row {
    enum dataset ds;
    char id[64];     /* the row's key (tracking_id, post_id, payout_id) */
    char column[32]; /* canonical column name */
    char value[64];  /* the stored value as export writes it */
    char reason[320];
};
/* Rows kept for engine_skipped (the count covers them all). */
#define ENGINE_SKIPPED_KEEP 20

/* How many stored rows of ds (DS_COUNT: of every dataset) the engine left out. */
size_t engine_skipped_count(const struct engine *eng, enum dataset ds);
/* The first ENGINE_SKIPPED_KEEP left-out rows, by dataset and then in stored order; *n
 * holds how many. Owned by the engine. */
const struct engine_skipped_row *engine_skipped(const struct engine *eng, size_t *n);

/* Loads every row of the four datasets from s. Returns NULL with e filled on a store
 * error (never for a stored value it cannot use: see engine_skipped). The engine does
 * not keep s; the caller frees the result with engine_free. */
struct engine *engine_load(struct store *s, struct err *e);
/* engine_load reading the tracking rows in nstores parts at once, one per store (each a
 * connection to the same database, up to 8; stores[0] reads everything else). For one
 * snapshot, the caller opens a read transaction on each (store_read_begin); rows a writer
 * commits between those may be seen by some parts only, so a caller that cares reloads
 * when store_data_version moved during the load. */
struct engine *engine_load_parallel(struct store *const *stores, size_t nstores, struct err *e);
/* The usual way to load: s and, when url is given, up to one more connection to url per
 * processor (at most 4 in all), each in a read transaction for the load's length, then
 * engine_load_parallel. s must not be in a transaction; the extra connections are closed
 * before returning. */
struct engine *engine_load_snapshot(struct store *s, const char *url, struct err *e);
/* An engine of the stored rows made from base (an engine of an earlier reading of the same
 * store: engine_load_snapshot, or the engine cache; taken: freed before the call returns, as
 * soon as its tracking entries are in the new engine) when every tracking row stored since was
 * appended (store_stamp's rewritten; the caller checks it): base's tracking entries, with
 * the tracking rows after the last one base holds read and added, and the influencers,
 * posts and payouts read again, then everything derived built as a load does. The engine is
 * the one engine_load_snapshot would give without url (one connection), column for column.
 * engine_extend_snapshot reads in one read transaction (s must not be in one); engine_extend
 * in the caller's. NULL with e filled on a store error or when base cannot be extended
 * (engine_can_extend: -1 and why). */
int engine_can_extend(const struct engine *base, struct err *e);
struct engine *engine_extend(struct engine *base, struct store *s, struct err *e);
struct engine *engine_extend_snapshot(struct engine *base, struct store *s, struct err *e);
/* engine_extend_snapshot leaving base as it is (only read: queries on it may go on meanwhile,
 * on other threads); the caller still owns it. */
struct engine *engine_extend_snapshot_from(const struct engine *base, struct store *s,
                                           struct err *e);
/* The tracking rows of an import fed to an engine as they are stored (`infludash import`
 * into a database that holds no tracking row, or whose tracking rows the import removes), so
 * that the engine a load would give is made without reading them back: each row as stored
 * (the values bound, those load_tracking reads back), in the order stored. engine_feed_rows
 * takes rows of any dataset and keeps the tracking rows; engine_feed_reset forgets them (the
 * stored rows were removed); engine_feed_count is the tracking rows fed since. One thread at
 * a time. Past ENGINE_FEED_MAX_ENTRIES entries (rows merged by key) the feed gives up, its
 * memory freed (the import's peak memory stays bounded whatever the rows: about 175 MB at
 * the 1.07M entries of 10M demo rows), and engine_load_fed fails. */
#define ENGINE_FEED_MAX_ENTRIES ((size_t)1250000)
struct engine_feed;
struct engine_feed *engine_feed_new(void);
void engine_feed_rows(struct engine_feed *f, const struct schema_row *rows, size_t n);
void engine_feed_reset(struct engine_feed *f);
uint64_t engine_feed_count(const struct engine_feed *f);
void engine_feed_free(struct engine_feed *f);
/* The engine engine_load_snapshot gives of s when its stored tracking rows are exactly the
 * rows fed to f since its last reset, in order: in one read transaction (s must not be in
 * one) whose data stamp must be want and whose tracking rows' last row number must be the
 * count fed (row numbers 1 to n: an empty table filled in order, no row replaced), else NULL
 * with e saying why; the influencers, posts and payouts are read from s, the tracking rows
 * only named again when some were left out for a value (as a load does). Takes f (freed
 * before the rest is built). */
struct engine *engine_load_fed(struct engine_feed *f, struct store *s,
                               const struct store_stamp *want, struct err *e);
void engine_free(struct engine *eng);
/* With on, every query's allocation (SPEC §3.1) is made in full, every split over all of
 * its cells, without the shortcuts that leave out what the filter does not count, and its
 * product and source groups come from the fine cube's scan, not the rollups: the same
 * answers, slower (tests compare the two). Not while queries run on eng. */
void engine_set_exhaustive_allocation(struct engine *eng, int on);
/* Bytes held by the product and source rollups of the fine cube (0: not built). */
size_t engine_rollup_bytes(const struct engine *eng);
/* "Data as of" (SPEC §3.3): unix seconds of the last change to the data loaded — the newest
 * entry of the audit log's data changes or of the import log, as read with the rows by
 * engine_load_snapshot; 0 when unknown (no such entry, or another load function). */
int64_t engine_as_of(const struct engine *eng);

/* ---- the engine cache (engine_cache.c) ----
 * A loaded engine kept in a file beside the database, so that a start reads one file instead
 * of every stored row. The file names the data it was built from, the store's data stamp
 * (store_data_stamp) and the workspace; the stored rows stay the truth: a reader refuses any
 * other file. */
/* Writes eng to path, atomically (a temporary file beside it, fsync, rename), stamped with
 * stamp, which must have been read before eng was loaded (so the file never claims newer
 * data than it holds). */
int engine_cache_write(const struct engine *eng, const char *path, const struct store_stamp *stamp,
                       const char *workspace, struct err *e);
/* The engine of the cache file at path when it was written for exactly this stamp and
 * workspace by this build, and holds up (checksum, every length and index checked); else
 * NULL with e saying why (ERR_NOTFOUND: no file). The caller frees it with engine_free. */
struct engine *engine_cache_read(const char *path, const struct store_stamp *stamp,
                                 const char *workspace, struct err *e);
/* engine_cache_read, also taking a file of an older data version when no tracking row was
 * replaced or removed since (stamp's rewritten at most the file's version; *version gets
 * the file's): the base for engine_extend of the rows appended since. */
struct engine *engine_cache_read_base(const char *path, const struct store_stamp *stamp,
                                      const char *workspace, int64_t *version, struct err *e);
/* For tests and the fuzz target: makes a cache file's bytes in memory (len of them) carry
 * the header its body would get when written for stamp and workspace (size, checksum), so
 * that what the reader makes of a body past those checks can be tried. 0, or -1 when len is
 * shorter than a header. */
int engine_cache_seal(void *data, size_t len, const struct store_stamp *stamp,
                      const char *workspace);
/* engine_cache_read of a file's bytes in memory (tests, the fuzz target). */
struct engine *engine_cache_parse(const void *data, size_t len, const struct store_stamp *stamp,
                                  const char *workspace, struct err *e);

/* Row counts as loaded (influencers includes those only referenced by other datasets). */
size_t engine_count(const struct engine *eng, enum dataset ds);

/* Stored-row merges: the entries the queries read (tracking rows with equal day, influencer
 * bucket, brand, product, campaign, source and campaign type are one entry). */
size_t engine_cube_size(const struct engine *eng);

/* ---- one query, several views ----
 * engine_run computes everything a filter needs in one pass over its date range (on two
 * threads when the range is large); the engine_result_* calls then read the result
 * without touching the data again. The one-shot functions further down (engine_kpis,
 * engine_breakdown, ...) are engine_run plus one view. A result reads the engine, which
 * must outlive it. */
struct engine_result;

/* Returns 0 and *out (free with engine_result_free), or a negative code with e filled:
 * ERR_USAGE when from_day > to_day or min_roas is negative or not a number. */
int engine_run(const struct engine *eng, const struct engine_filter *f, struct engine_result **out,
               struct err *e);
/* engine_run computing only some of the views that cost a little per entry: the breakdowns
 * by brand and by campaign (asking a result for a view it lacks is ERR_USAGE). */
#define ENGINE_VIEW_BRAND 0x1u
#define ENGINE_VIEW_CAMPAIGN 0x2u
#define ENGINE_VIEW_PRODUCT 0x4u /* product and source read the larger, fine cube */
#define ENGINE_VIEW_SOURCE 0x8u
#define ENGINE_VIEW_ALL                                                                            \
    (ENGINE_VIEW_BRAND | ENGINE_VIEW_CAMPAIGN | ENGINE_VIEW_PRODUCT | ENGINE_VIEW_SOURCE)
int engine_run_views(const struct engine *eng, const struct engine_filter *f, unsigned views,
                     struct engine_result **out, struct err *e);
void engine_result_free(struct engine_result *r);
const struct engine_kpis *engine_result_kpis(const struct engine_result *r);
/* As engine_breakdown / engine_influencers / engine_personas below. sorted == 0 leaves
 * the influencer rows in load order (cheaper when the caller picks a few). */
int engine_result_breakdown(const struct engine_result *r, enum engine_dim dim,
                            struct engine_group **out, size_t *n, struct err *e);
int engine_result_influencers(const struct engine_result *r, int sorted,
                              struct engine_influencer_row **out, size_t *n);
int engine_result_personas(const struct engine_result *r, enum engine_persona_dim dim,
                           struct engine_persona_row **out, size_t *n, struct err *e);
/* The index of an influencer id, or -1 when the engine has none. */
int engine_influencer_index(const struct engine *eng, const char *id);
/* One influencer's row under the result's filter (all zero when not selected or idle).
 * Returns -1 for an index out of range. */
int engine_result_influencer(const struct engine_result *r, int index,
                             struct engine_influencer_row *out);

/* ---- incremental revenue and iROAS (SPEC §3) ---- */

enum engine_iroas_method {
    ENGINE_IROAS_AUTO,        /* organic when it applies, else holdout, else fixed_share */
    ENGINE_IROAS_ORGANIC,     /* revenue over a baseline of days without influencer activity */
    ENGINE_IROAS_HOLDOUT,     /* campaign_type Test − Control */
    ENGINE_IROAS_FIXED_SHARE, /* attributed revenue less a fixed share that would have come anyway
                               */
};

struct engine_incremental_opts {
    enum engine_iroas_method method; /* a method that does not apply falls back as AUTO */
    double fixed_share;              /* p of fixed_share, 0..1; default 0.20 */
    unsigned bootstrap; /* organic: resamples for the interval; default 1000, ≤ 100000 */
    uint64_t seed;      /* organic: resampling seed; default 1 */
};

void engine_incremental_opts_default(struct engine_incremental_opts *o);
/* "organic", "holdout", "fixed_share" ("auto" for ENGINE_IROAS_AUTO) */
const char *engine_iroas_method_name(enum engine_iroas_method m);

/* Money in paise. */
struct engine_incremental {
    enum engine_iroas_method method;    /* the one used, never AUTO */
    enum engine_iroas_method requested; /* as asked (AUTO by default) */
    char why[384]; /* the basis of the figure, and why the other methods do not apply */
    int64_t incremental_revenue;
    struct engine_ratio iroas; /* incremental_revenue / spend of the filter */
    /* organic: the daily baseline, the days on either side, a 95 % percentile bootstrap
     * interval over days (has_interval; low/high in paise, and as iROAS) */
    int64_t baseline_daily, baseline_days, campaign_days;
    int has_interval;
    int64_t low, high;
    struct engine_ratio iroas_low, iroas_high;
    unsigned bootstrap;
    uint64_t seed;
    /* holdout: revenue and rows of Test and Control rows in the filter (attributed and
     * organic alike); incremental = test − control, over the filter's whole spend (Control
     * rows carry no influencer, so spend belongs to the Test side) */
    int64_t test_revenue, control_revenue, test_rows, control_rows;
    /* fixed_share: incremental = revenue − fixed_share × revenue */
    double fixed_share;
};

/* ERR_USAGE for a share outside 0..1 or too many resamples. */
int engine_result_incremental(const struct engine_result *r,
                              const struct engine_incremental_opts *o,
                              struct engine_incremental *out, struct err *e);

/* ---- payouts: earned under the terms against what was recorded ---- */

/* Earned and recorded differ by more than this (paise) → a mismatch. */
#define ENGINE_PAYOUT_TOLERANCE 100

/* Whether earned and recorded agree over the same activity (README, "Payouts"). A payout
 * row of activity terms (order, post, revenue_share with a rate) is comparable when the
 * filters keep all of the activity its terms price (every attributed tracking row, or
 * post for post terms) and every payout row of those terms (a repeated row of the same
 * terms included) is counted in the range: dated in it, or undated. A row priced by its
 * recorded total (flat, hybrid, no rate) is comparable when counted: its earned is that
 * total. */
enum engine_payout_check {
    ENGINE_PAYOUT_MATCH,          /* all comparable, |difference| ≤ the tolerance */
    ENGINE_PAYOUT_MISMATCH,       /* the comparable part differs by more */
    ENGINE_PAYOUT_NOT_COMPARABLE, /* some terms are not comparable, the rest agree */
};

/* "match", "mismatch", "not_comparable" */
const char *engine_payout_check_name(enum engine_payout_check c);

/* One influencer with payout rows counted in the filter (selected, a selected basis, a
 * payout_date in the range or none) or spend. Strings point into the engine. */
struct engine_payout_row {
    const char *id, *name, *platform;
    const char *basis; /* the basis of its counted rows, "mixed" when several, "" none */
    int64_t earned;    /* its spend: the terms over the filtered activity */
    int64_t recorded;  /* Σ total_payout of the counted rows */
    int64_t paid;      /* of recorded: rows with status Paid */
    int64_t pending;   /* of recorded: rows with status Pending */
    enum engine_payout_check check;
    /* earned and recorded of the comparable terms: equal to earned and recorded when all
     * are comparable */
    int64_t compared_earned, compared_recorded;
    int has_difference; /* check is not NOT_COMPARABLE */
    int64_t difference; /* compared_recorded − compared_earned */
    int mismatch;       /* check == ENGINE_PAYOUT_MISMATCH */
    char reason[256];   /* why terms are left out of the comparison, "" when none is */
    int64_t payout_rows;
};

struct engine_payout_totals {
    int64_t influencers, earned, recorded, paid, pending, mismatches, not_comparable;
};

/* Rows sorted mismatches first, then by earned descending, then id; *out freed by the
 * caller (NULL when *n is 0). */
int engine_result_payouts(const struct engine_result *r, struct engine_payout_row **out, size_t *n,
                          struct engine_payout_totals *totals);

/* ---- one influencer's posts ---- */

struct engine_post_row {
    char date[11];                   /* ISO, "" when the post has none */
    const char *platform, *campaign; /* "" when absent; point into the engine */
    int64_t reach, likes, comments, shares, saves;
};

/* The posts of influencer index that the result's filter keeps, in load order; *out freed
 * by the caller (NULL when *n is 0). */
int engine_result_posts(const struct engine_result *r, int index, struct engine_post_row **out,
                        size_t *n);

/* ---- what the programme's figures leave out (SPEC §3.3; engine_explain.c) ---- */

/* One group of the unattributed revenue: organic rows, and rows of influencer ids the
 * influencers dataset lacks. key points into the engine ("" for rows without a value;
 * days: the ISO date, in the group's own storage). Money in paise. */
struct engine_unattributed_group {
    const char *key;
    char date[11];
    int64_t organic_revenue, organic_orders, unknown_revenue, unknown_orders;
};

struct engine_unknown_id {
    const char *id; /* points into the engine */
    int64_t orders, revenue;
};

/* Under the result's filter: total = attributed (influencers of the file) + organic +
 * unknown (attributed rows of ids the influencers dataset lacks), exactly; the groups of
 * each breakdown add up to organic + unknown. Arrays owned, released with
 * engine_unattributed_release. */
struct engine_unattributed {
    int64_t total_revenue, attributed_revenue, organic_revenue, unknown_revenue;
    int64_t total_orders, attributed_orders, organic_orders, unknown_orders;
    struct engine_unattributed_group *by_source, *by_campaign, *by_brand, *daily;
    size_t nby_source, nby_campaign, nby_brand, ndaily;
    /* by revenue descending, then id */
    struct engine_unknown_id *unknown_ids;
    size_t nunknown_ids;
};

/* by_source, by_campaign and by_brand by unattributed revenue descending (then key), daily
 * by date; groups with no unattributed row are left out. */
void engine_result_unattributed(const struct engine_result *r, struct engine_unattributed *out);
void engine_unattributed_release(struct engine_unattributed *u);

/* ---- the stored rows behind a figure (SPEC §3.3: /api/explain) ---- */

/* Which rows: attributed tracking rows (of ids in the influencers file or not), organic
 * tracking rows, posts, payout rows. */
#define ENGINE_ROWS_ATTRIBUTED 0x1u
#define ENGINE_ROWS_ORGANIC 0x2u
#define ENGINE_ROWS_POSTS 0x4u
#define ENGINE_ROWS_PAYOUTS 0x8u
/* payout rows counted as recorded (engine_result_payouts): of selected influencers and
 * bases, dated in the range or undated */
#define ENGINE_ROWS_PAYOUTS_COUNTED 0x10u

/* How many stored rows the result's figures read, by kind. Payout rows: those of selected
 * influencers and bases that price spend in the filter — terms of an activity (order, post,
 * revenue_share with a rate; whatever their payout_date, since they price the filtered
 * activity) and recorded totals dated in the range or undated; by_kind: order, post,
 * revenue_share, recorded total; campaign_scoped: of them, rows that name a campaign. */
struct engine_row_counts {
    int64_t attributed_rows, organic_rows, posts;
    int64_t payouts, payouts_by_kind[4], payouts_campaign_scoped;
    int64_t payouts_counted; /* ENGINE_ROWS_PAYOUTS_COUNTED */
    int64_t posts_with_followers, posts_with_views;
};

void engine_result_row_counts(const struct engine_result *r, struct engine_row_counts *out);
/* Whether a stored row (as the store gives it) is one of the rows of kinds that
 * engine_result_row_counts counts. */
int engine_result_row_behind(const struct engine_result *r, const struct schema_row *row,
                             unsigned kinds);

/* ---- what the filters can choose from ---- */

enum engine_field {
    ENGINE_FIELD_PLATFORM,
    ENGINE_FIELD_BRAND,
    ENGINE_FIELD_PRODUCT,
    ENGINE_FIELD_CAMPAIGN,
    ENGINE_FIELD_SOURCE,
    ENGINE_FIELD_CATEGORY,
    ENGINE_FIELD_GENDER,
    ENGINE_FIELD_TIER,
    ENGINE_FIELD_PERSONA,
    ENGINE_FIELD_BASIS,
    ENGINE_FIELD_COUNT
};

/* The distinct values of a field in the loaded data, sorted (strings point into the
 * engine); *out is freed by the caller (NULL when *n is 0). -1 for an unknown field. */
int engine_values(const struct engine *eng, enum engine_field field, const char ***out, size_t *n);
/* The first and last day of the data (tracking rows and dated posts); -1 when none. */
int engine_day_range(const struct engine *eng, int32_t *first, int32_t *last);
/* Influencers by index 0 .. engine_influencer_total - 1: id, and name ("" when none). */
size_t engine_influencer_total(const struct engine *eng);
void engine_influencer_names(const struct engine *eng, size_t index, const char **id,
                             const char **name);

/* Whether a stored row (as the store gives it) is part of the result's filtered data, under
 * the same rules as the figures: influencers selected by the attribute filters (and
 * min_roas); their posts in the range on a selected platform; tracking rows in the range
 * with a selected brand, product, campaign and source, of a selected influencer or organic;
 * payouts of a selected influencer and basis dated in the range or undated. For the
 * "filtered rows" exports. */
int engine_result_keeps_row(const struct engine_result *r, const struct schema_row *row);

/* Computes the KPIs over the filtered data into out. Returns 0, or a negative code with
 * e filled (ERR_USAGE when from_day > to_day). Reentrant: eng is only read, so several
 * threads may query one engine at once. */
int engine_kpis(const struct engine *eng, const struct engine_filter *f, struct engine_kpis *out,
                struct err *e);

/* Splits the filtered data of engine_kpis by dim: the same filter semantics, so the groups'
 * revenue and orders sum to the KPI totals, as do organic_revenue (brand, day), spend
 * (platform) and posts and reach (platform, day). Groups with no filtered activity are left
 * out; the rest are sorted by key (days in date order). On success *out holds *n groups in
 * one allocation the caller frees with free (NULL when *n is 0). Returns 0, or a negative
 * code with e filled (ERR_USAGE for an empty date range or an unknown dim). Reentrant like
 * engine_kpis. */
int engine_breakdown(const struct engine *eng, const struct engine_filter *f, enum engine_dim dim,
                     struct engine_group **out, size_t *n, struct err *e);

/* One row per selected influencer with filtered activity (a post, an attributed row or a
 * recorded payout counted in the range: the influencers engine_kpis counts), under the same
 * filter semantics, so the rows' revenue, orders, spend, posts and reach sum to the KPI
 * totals. Sorted by revenue descending, then id. On success *out holds *n rows the caller
 * frees with free (NULL when *n is 0). Returns 0, or a negative code with e filled
 * (ERR_USAGE for an empty date range). Reentrant like engine_kpis. */
int engine_influencers(const struct engine *eng, const struct engine_filter *f,
                       struct engine_influencer_row **out, size_t *n, struct err *e);

/* The rows of engine_influencers grouped by dim (SPEC §3 "best personas"): revenue, orders
 * and spend sum to the KPI totals. Sorted by key (category, then gender). On success *out
 * holds *n rows the caller frees with free (NULL when *n is 0). Returns 0, or a negative
 * code with e filled (ERR_USAGE for an empty date range or an unknown dim). Reentrant like
 * engine_kpis. */
int engine_personas(const struct engine *eng, const struct engine_filter *f,
                    enum engine_persona_dim dim, struct engine_persona_row **out, size_t *n,
                    struct err *e);

#endif
