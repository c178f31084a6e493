/* engine_load.c — loading the store into the engine (see engine.h, engine_impl.h): each
 * dataset read on one or more connections into flat columns with dictionary-encoded
 * dimensions, the stored rows it cannot use set aside (engine_skipped), payout terms tied to
 * activity buckets, tracking rows merged into the day-sorted cubes, posts sorted by day.
 * Calls engine_allocate, engine_rollup, engine_query (the pool of query scratch), store,
 * schema, strmap, buf and err; nothing here touches SQL or the network. */
#include "engine_impl.h"

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

/* ---- loading ------------------------------------------------------------------------ */

/* Tracking rows' codes found again without the dictionary's hash: per dimension a table of
 * recent codes, placed by a short hash of a value's ends and checked against the
 * dictionary's key (so a slot never gives a wrong code), and likewise recent days by their
 * text. Zeroed with the load_ctx (an empty slot holds 0). */
#define CODE_CACHE_BITS 10
struct day_slot {
    char text[10];
    uint16_t len; /* 0: empty */
    int32_t day;
};

struct load_ctx {
    struct engine *eng;
    struct err *e;
    int col[SCHEMA_MAX_COLS]; /* canonical column indexes of the dataset being scanned */
    int32_t codes[5][1 << CODE_CACHE_BITS]; /* code + 1 of influencer, brand, product, campaign,
                                               source */
    struct day_slot days[1 << CODE_CACHE_BITS];
};

static int32_t dict_code(struct engine *eng, enum dim d, const struct schema_value *v)
{
    if (!v->present || v->len == 0)
        return -1;
    return strmap_put(eng->dict[d], v->s, v->len, NULL);
}

/* Room for bytes bytes in c, allocated to the byte (a column's final size is known before
 * a merge appends to it: doubling would leave up to half of it unused). */
static void col_reserve(struct column *c, size_t bytes)
{
    struct buf *b = &c->b;
    if (b->cap >= bytes + 1)
        return;
    b->data = xrealloc(b->data, bytes + 1);
    b->cap = bytes + 1;
    b->data[b->len] = '\0';
}

/* Gives back what a column grew beyond its length. */
static void col_shrink(struct column *c)
{
    struct buf *b = &c->b;
    if (b->data && b->cap > b->len + 1) {
        b->data = xrealloc(b->data, b->len + 1);
        b->cap = b->len + 1;
    }
}

static int64_t int_or(const struct schema_value *v, int64_t dflt)
{
    return v->present ? v->i : dflt;
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
static const char *const post_cols[] = {"influencer_id", "platform",    "date",        "campaign",
                                        "reach",         "likes",       "comments",    "shares",
                                        "saves",         "video_views", "impressions", "post_id"};
enum { POST_NCOLS = 11 };

/* A stored post whose counts are out of range: 0 when it can be loaded, else -1 with p. */
static int post_problem(const struct schema_value *v, const int *c, struct problem *p)
{
    for (int k = 4; k < POST_NCOLS; k++) /* reach … saves, video_views, impressions */
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
    enum {
        INF,
        PLATFORM,
        DATE,
        CAMPAIGN,
        REACH,
        LIKES,
        COMMENTS,
        SHARES,
        SAVES,
        VIEWS,
        IMPRESSIONS
    };
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
    /* the views denominator of engagement_rate_views: video_views, else impressions */
    col_push64(&eng->post_views, int_or(&v[c[VIEWS]], int_or(&v[c[IMPRESSIONS]], -1)));
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

static uint32_t cache_slot(const char *s, size_t n)
{
    uint64_t a = 0, b = 0;
    if (n >= 8) {
        memcpy(&a, s, 8);
        memcpy(&b, s + n - 8, 8);
    } else {
        memcpy(&a, s, n);
    }
    uint64_t h = (a ^ (b * 0x9E3779B97F4A7C15ull) ^ n) * 0xC2B2AE3D27D4EB4Full;
    return (uint32_t)(h >> (64 - CODE_CACHE_BITS));
}

/* day_of through l's recent days. */
static int32_t day_cached(struct load_ctx *l, const struct schema_value *v)
{
    if (!v->present || v->len == 0 || v->len > sizeof l->days[0].text)
        return day_of(v);
    struct day_slot *d = &l->days[cache_slot(v->s, v->len)];
    if (d->len == v->len && memcmp(d->text, v->s, v->len) == 0)
        return d->day;
    int32_t day = day_of(v);
    memcpy(d->text, v->s, v->len);
    d->len = (uint16_t)v->len;
    d->day = day;
    return day;
}

/* A stored tracking row the engine cannot use (no date, orders or revenue out of range): 0
 * and its day when it can be loaded, else -1 with p. l: its recent days, or NULL. */
static int tracking_problem(struct load_ctx *l, const struct schema_value *v, const int *c,
                            int32_t *day, struct problem *p)
{
    enum { INF, DATE, BRAND, PRODUCT, CAMPAIGN, SOURCE, ORDERS, REVENUE };
    *day = l ? day_cached(l, &v[c[DATE]]) : day_of(&v[c[DATE]]);
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

/* The key of a tracking entry: day, influencer (-1: organic), brand, product, campaign,
 * source, campaign type. */
enum { AGG_KEY = 7 };

/* A tracking entry while the rows are read: its key and its sums (agg_columns makes columns
 * of them once every row is in). Entries sit in one array in the order of their first row,
 * found through a table of 4-byte slots: the array grows by realloc, which for a large one
 * moves pages instead of copying them, and only the small table is rebuilt when it doubles
 * (a table of whole entries, 64 bytes a slot, at most three quarters full, held the old and
 * the new table at once on every doubling: with a second one for each connection's rows,
 * that was the peak of a reload, 256 MB of the 410 MB at 8.5M rows). */
struct agg_entry {
    int32_t k[AGG_KEY];
    uint32_t rows; /* a dataset holds at most ENGINE_MAX_ROWS rows */
    int64_t orders, revenue;
    uint64_t absrev;
};

/* A row waiting for its entry (see agg_row): its key, hash and sums. */
struct agg_pending {
    int32_t k[AGG_KEY];
    uint32_t hash;
    int64_t orders, revenue;
};

static uint32_t agg_hash(const int32_t *k)
{
    uint64_t h = ((uint64_t)(uint32_t)k[0] << 32 | (uint32_t)k[1]) * 0x9E3779B97F4A7C15ull;
    h ^= ((uint64_t)(uint32_t)k[2] << 32 | (uint32_t)k[3]) * 0xC2B2AE3D27D4EB4Full;
    h ^= ((uint64_t)(uint32_t)k[4] << 32 | (uint32_t)k[5]) * 0x165667B19E3779F9ull;
    h ^= (uint64_t)(uint32_t)k[6] * 0x27D4EB2F165667C5ull;
    h ^= h >> 29;
    return (uint32_t)(h ^ h >> 32);
}

/* Doubles the slots of the tracking entries (1024 to begin with), placing every entry
 * again. */
static void agg_grow(struct engine *eng)
{
    size_t cap = eng->agg_cap ? eng->agg_cap * 2 : 1024;
    uint32_t *slot = xcalloc(cap, sizeof *slot);
    uint32_t mask = (uint32_t)(cap - 1);
    for (size_t e = 0; e < eng->nagg; e++) {
        uint32_t h = agg_hash(eng->agg[e].k) & mask;
        while (slot[h])
            h = (h + 1) & mask;
        slot[h] = (uint32_t)e + 1;
    }
    free(eng->agg_slot);
    eng->agg_slot = slot;
    eng->agg_cap = cap;
}

/* Adds rows (their sums) to the tracking entry of key k (hash: agg_hash(k)), a new entry,
 * the next in order, when it has none yet. */
static void agg_add(struct engine *eng, const int32_t *k, uint32_t hash, int64_t orders,
                    int64_t revenue, uint32_t rows, uint64_t absrev)
{
    if ((eng->nagg + 1) * 2 > eng->agg_cap) /* at most half full */
        agg_grow(eng);
    uint32_t mask = (uint32_t)(eng->agg_cap - 1), h = hash & mask;
    for (uint32_t at; (at = eng->agg_slot[h]) != 0; h = (h + 1) & mask) {
        struct agg_entry *a = &eng->agg[at - 1];
        if (memcmp(a->k, k, sizeof a->k) == 0) {
            a->orders += orders;
            a->revenue += revenue;
            a->rows += rows;
            a->absrev += absrev;
            return;
        }
    }
    if (eng->nagg == eng->agg_room) {
        eng->agg_room = eng->agg_room ? eng->agg_room * 2 : 1024;
        eng->agg = xrealloc(eng->agg, eng->agg_room * sizeof *eng->agg);
    }
    struct agg_entry *a = &eng->agg[eng->nagg];
    memcpy(a->k, k, sizeof a->k);
    a->orders = orders;
    a->revenue = revenue;
    a->rows = rows;
    a->absrev = absrev;
    eng->agg_slot[h] = (uint32_t)++eng->nagg;
}

/* Rows wait AGG_AHEAD rows for their entry: their slot is fetched into the cache when they
 * come, the entry it names halfway (the table and the entries are far larger than the
 * cache: a row would otherwise wait twice for memory). */
enum { AGG_AHEAD = 16 };

static void agg_take(struct engine *eng, const struct agg_pending *p)
{
    agg_add(eng, p->k, p->hash, p->orders, p->revenue, 1,
            p->revenue < 0 ? (uint64_t)-p->revenue : (uint64_t)p->revenue); /* no INT64_MIN */
}

static void ext_add(struct engine *eng, const int32_t *k, int64_t orders, int64_t revenue);

/* One tracking row into its entry (through the rows waiting: agg_flush adds them). */
static void agg_row(struct engine *eng, const int32_t *k, int64_t orders, int64_t revenue)
{
    if (eng->ext_slot) {
        ext_add(eng, k, orders, revenue);
        return;
    }
    if (!eng->agg_pending)
        eng->agg_pending = xmalloc(AGG_AHEAD * sizeof *eng->agg_pending);
    struct agg_pending *p = &eng->agg_pending[eng->agg_npending++ % AGG_AHEAD];
    if (eng->agg_npending > AGG_AHEAD)
        agg_take(eng, p); /* the row AGG_AHEAD rows back, into its entry */
    memcpy(p->k, k, sizeof p->k);
    p->hash = agg_hash(k);
    p->orders = orders;
    p->revenue = revenue;
    if (!eng->agg_cap)
        return;
    uint32_t mask = (uint32_t)(eng->agg_cap - 1);
    __builtin_prefetch(&eng->agg_slot[p->hash & mask]);
    if (eng->agg_npending > AGG_AHEAD / 2) { /* a hint: the slot may still change */
        const struct agg_pending *q =
            &eng->agg_pending[(eng->agg_npending - 1 - AGG_AHEAD / 2) % AGG_AHEAD];
        uint32_t at = eng->agg_slot[q->hash & mask];
        if (at)
            __builtin_prefetch(&eng->agg[at - 1], 1);
    }
}

/* The rows still waiting into their entries, in order (after a scan). */
static void agg_flush(struct engine *eng)
{
    size_t n = eng->agg_npending;
    for (size_t i = n > AGG_AHEAD ? n - AGG_AHEAD : 0; i < n; i++)
        agg_take(eng, &eng->agg_pending[i % AGG_AHEAD]);
    free(eng->agg_pending);
    eng->agg_pending = NULL;
    eng->agg_npending = 0;
}

/* Forgets the tracking entries (their array and slots). */
static void agg_release(struct engine *eng)
{
    free(eng->agg);
    free(eng->agg_slot);
    eng->agg = NULL;
    eng->agg_slot = NULL;
    eng->agg_cap = eng->agg_room = 0;
}

/* The tracking entries as columns (struct engine, trk_*), in order, the entries freed. */
static void agg_columns(struct engine *eng)
{
    size_t n = eng->nagg;
    free(eng->agg_slot); /* no more lookups */
    eng->agg_slot = NULL;
    struct column *k32[] = {&eng->trk_day,     &eng->trk_inf,      &eng->trk_brand,
                            &eng->trk_product, &eng->trk_campaign, &eng->trk_source};
    for (size_t c = 0; c < sizeof k32 / sizeof k32[0]; c++) {
        col_reserve(k32[c], n * sizeof(int32_t));
        for (size_t e = 0; e < n; e++)
            col_push32(k32[c], eng->agg[e].k[c]);
    }
    col_reserve(&eng->trk_ctype, n);
    col_reserve(&eng->trk_orders, n * sizeof(int64_t));
    col_reserve(&eng->trk_revenue, n * sizeof(int64_t));
    col_reserve(&eng->trk_rows, n * sizeof(int64_t));
    col_reserve(&eng->trk_absrev, n * sizeof(uint64_t));
    for (size_t e = 0; e < n; e++) {
        const struct agg_entry *a = &eng->agg[e];
        uint8_t ct = (uint8_t)a->k[6];
        col_push(&eng->trk_ctype, &ct, 1);
        col_push64(&eng->trk_orders, a->orders);
        col_push64(&eng->trk_revenue, a->revenue);
        col_push64(&eng->trk_rows, (int64_t)a->rows);
        col_push(&eng->trk_absrev, &a->absrev, sizeof a->absrev);
    }
    agg_release(eng);
}

/* dict_code (influencer_ref for DIM_INFLUENCER) through l's recent codes of dimension
 * which: the same code, given in the same order (a slot holds only codes already given). */
static int32_t code_cached(struct load_ctx *l, int which, enum dim d, const struct schema_value *v)
{
    if (!v->present || v->len == 0)
        return -1;
    int32_t *slot = &l->codes[which][cache_slot(v->s, v->len)];
    if (*slot > 0) {
        size_t len;
        const char *key = strmap_key(l->eng->dict[d], *slot - 1, &len);
        if (len == v->len && memcmp(key, v->s, len) == 0)
            return *slot - 1;
    }
    int32_t code = d == DIM_INFLUENCER ? influencer_ref(l->eng, v) : dict_code(l->eng, d, v);
    *slot = code + 1;
    return code;
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
    if (tracking_problem(l, v, c, &day, &p) < 0) {
        skip_row(eng, DS_TRACKING, "", p.col, &v[p.col], p.reason);
        return 0;
    }
    if (eng->ntrk >= ENGINE_MAX_ROWS) {
        skip_over_limit(eng, DS_TRACKING);
        return 0;
    }
    int64_t orders = int_or(&v[c[ORDERS]], 1);
    int organic = int_or(&v[c[ORGANIC]], 0) != 0 || !v[c[INF]].present || v[c[INF]].len == 0;
    /* the codes in this order (dictionary codes are given in the order they are met) */
    int32_t k[AGG_KEY];
    k[0] = day;
    k[1] = organic ? -1 : code_cached(l, 0, DIM_INFLUENCER, &v[c[INF]]);
    k[2] = code_cached(l, 1, DIM_BRAND, &v[c[BRAND]]);
    k[3] = code_cached(l, 2, DIM_PRODUCT, &v[c[PRODUCT]]);
    k[4] = code_cached(l, 3, DIM_CAMPAIGN, &v[c[CAMPAIGN]]);
    k[5] = code_cached(l, 4, DIM_SOURCE, &v[c[SOURCE]]);
    k[6] = ctype_of(&v[c[CTYPE]]);
    agg_row(eng, k, orders, int_or(&v[c[REVENUE]], 0));
    eng->ntrk++;
    return 0;
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
    const int32_t *trk_inf = col32(&eng->trk_inf);
    const int64_t *orders = col64(&eng->trk_orders);
    const uint64_t *absrev = (const uint64_t *)(void *)eng->trk_absrev.b.data;
    for (size_t i = 0; i < eng->nagg; i++) {
        if (trk_inf[i] < 0)
            continue;
        struct activity_total *t = &eng->totals[trk_inf[i]];
        t->orders += (uint64_t)orders[i];
        t->abs_revenue += absrev[i];
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
    enum pay_kind kind = payout_kind_of(&v[c[BASIS]], has_rate);
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
    for (size_t i = 0; i < eng->nagg; i++)
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
    col_reserve(&eng->trk_bucket, eng->nagg * sizeof(int32_t));
    for (size_t i = 0; i < eng->nagg; i++) {
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
    for (size_t i = 0; i < eng->nagg; i++) {
        lo = trk_day[i] < lo ? trk_day[i] : lo;
        hi = trk_day[i] > hi ? trk_day[i] : hi;
    }
    for (size_t i = 0; i < eng->nposts; i++) {
        if (post_day[i] == ENGINE_NO_DAY)
            continue;
        lo = post_day[i] < lo ? post_day[i] : lo;
        hi = post_day[i] > hi ? post_day[i] : hi;
    }
    /* payout dates too: a recorded total lies on its payout_date's day (SPEC §3.1) */
    const int32_t *pay_day = col32(&eng->pay_day), *pay_inf = col32(&eng->pay_inf);
    for (size_t i = 0; i < eng->npay; i++) {
        if (pay_day[i] == ENGINE_NO_DAY || pay_inf[i] < 0)
            continue;
        lo = pay_day[i] < lo ? pay_day[i] : lo;
        hi = pay_day[i] > hi ? pay_day[i] : hi;
    }
    /* Dates are years 1–9999 (schema.c), so the span is at most ~3.7M days. */
    size_t span = lo <= hi ? (size_t)((int64_t)hi - lo + 1) : 0;
    int32_t *idx = xmalloc((span + 1) * sizeof *idx);
    for (size_t i = 0; i < span; i++)
        idx[i] = -1;
    for (size_t i = 0; i < eng->nagg; i++)
        idx[trk_day[i] - lo] = 0;
    for (size_t i = 0; i < eng->nposts; i++)
        if (post_day[i] != ENGINE_NO_DAY)
            idx[post_day[i] - lo] = 0;
    for (size_t i = 0; i < eng->npay; i++)
        if (pay_day[i] != ENGINE_NO_DAY && pay_inf[i] >= 0)
            idx[pay_day[i] - lo] = 0;
    size_t ndays = 0;
    for (size_t i = 0; i < span; i++) {
        if (idx[i] < 0)
            continue;
        idx[i] = (int32_t)ndays++;
        col_push32(&eng->day_value, (int32_t)(lo + (int64_t)i));
    }
    for (size_t i = 0; i < eng->nposts; i++)
        col_push32(&eng->post_day_idx, post_day[i] == ENGINE_NO_DAY ? -1 : idx[post_day[i] - lo]);
    for (size_t i = 0; i < eng->npay; i++)
        col_push32(&eng->pay_day_idx,
                   pay_day[i] == ENGINE_NO_DAY || pay_inf[i] < 0 ? -1 : idx[pay_day[i] - lo]);
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
                     const struct cube_key *k, int64_t orders, int64_t revenue, int64_t rows,
                     int64_t spend)
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
        col_push64(&c->spend, 0);
        c->n++;
    }
    size_t e = first_entry + (size_t)t->slot[h];
    col64(&c->orders)[e] += orders;
    col64(&c->revenue)[e] += revenue;
    col64(&c->rows)[e] += rows;
    col64(&c->spend)[e] += spend;
}

static void cube_release(struct cube *c)
{
    struct column *cols[] = {&c->bucket,    &c->brand,  &c->product, &c->campaign, &c->source,
                             &c->ctype,     &c->orders, &c->revenue, &c->rows,     &c->spend,
                             &c->day_start, &c->seq,    &c->absrev};
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
    struct column *c32[] = {&c->bucket,   &c->brand,  &c->product,
                            &c->campaign, &c->source, &c->ctype};
    struct column *c64[] = {&c->orders, &c->revenue, &c->rows, &c->spend};
    for (size_t i = 0; i < sizeof c32 / sizeof c32[0]; i++)
        permute_segment(c32[i], from, order, n, sizeof(int32_t), tmp);
    for (size_t i = 0; i < sizeof c64 / sizeof c64[0]; i++)
        permute_segment(c64[i], from, order, n, sizeof(int64_t), tmp);
    if (c->seq.b.len == c->n * sizeof(int32_t)) { /* the fine cube's */
        permute_segment(&c->seq, from, order, n, sizeof(int32_t), tmp);
        permute_segment(&c->absrev, from, order, n, sizeof(uint64_t), tmp);
    }
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
    const int32_t *source = col32(&eng->trk_source);
    const uint8_t *ctype = (const uint8_t *)eng->trk_ctype.b.data;
    const int64_t *orders = col64(&eng->trk_orders), *revenue = col64(&eng->trk_revenue);
    const int64_t *rows = col64(&eng->trk_rows);
    const uint64_t *absrev = (const uint64_t *)(void *)eng->trk_absrev.b.data;
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
            size_t had = c->n;
            cube_add(c, &t, first, &k, orders[r], revenue[r], rows[r], 0);
            if (c->n > had) { /* one entry per tracking entry: the keys map one to one */
                col_push32(&c->seq, (int32_t)r);
                col_push(&c->absrev, &absrev[r], sizeof absrev[r]);
            }
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
    struct column *from[] = {&b->bucket, &b->brand, &b->product, &b->campaign,
                             &b->source, &b->ctype, &b->orders,  &b->revenue,
                             &b->rows,   &b->spend, &b->seq,     &b->absrev};
    struct column *to[] = {&a->bucket, &a->brand, &a->product, &a->campaign,
                           &a->source, &a->ctype, &a->orders,  &a->revenue,
                           &a->rows,   &a->spend, &a->seq,     &a->absrev};
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
    const int64_t *rows = col64(&f->rows), *spend = col64(&f->spend);
    struct cube_table t;
    memset(&t, 0, sizeof t);
    for (size_t d = 0; d < eng->ndays; d++) {
        size_t first = c->n;
        col_push64(&c->day_start, (int64_t)first);
        cube_table_day(&t, (size_t)(start[d + 1] - start[d]));
        for (int64_t i = start[d]; i < start[d + 1]; i++) {
            struct cube_key k = {bucket[i], brand[i], -1, campaign[i], -1, ctype[i]};
            cube_add(c, &t, first, &k, orders[i], revenue[i], rows[i], spend[i]);
        }
        cube_sort_day(c, first);
    }
    col_push64(&c->day_start, (int64_t)c->n);
    free(t.slot);
    buf_release(&t.keys);
}

/* Cube rows below which a second thread is not worth starting. */
#define CUBE_PARALLEL_MIN 500000

/* Builds both cubes (struct cube) from the loaded tracking entries (the rows merged by key as
 * they were read), then releases them: a counting sort by day; the fine cube day by day through a
 * hash table, the two halves of the days on two threads; then the coarse cube from the fine one. */
static void build_cubes(struct engine *eng, int32_t first_day, const int32_t *day_index)
{
    size_t n = eng->nagg, ndays = eng->ndays;
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
    buf_release(&eng->trk_day.b); /* the cubes do not read the rows' days */

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
    int threaded =
        n >= CUBE_PARALLEL_MIN && pthread_create(&thread, NULL, build_fine, &jobs[1]) == 0;
    build_fine(&jobs[0]);
    if (threaded)
        pthread_join(thread, NULL);
    else
        build_fine(&jobs[1]);
    /* The entries are in the two halves: released before the halves are joined, which
     * holds the second one twice for a moment (at 8.5M rows the entries are 54 MB). */
    free(order);
    free(start);
    struct column *raw[] = {&eng->trk_day,     &eng->trk_inf,     &eng->trk_bucket,
                            &eng->trk_brand,   &eng->trk_product, &eng->trk_campaign,
                            &eng->trk_source,  &eng->trk_ctype,   &eng->trk_orders,
                            &eng->trk_revenue, &eng->trk_rows,    &eng->trk_absrev};
    for (size_t i = 0; i < sizeof raw / sizeof raw[0]; i++)
        buf_release(&raw[i]->b);
    cube_append(&eng->cube[CUBE_FINE], &second);
    col_push64(&eng->cube[CUBE_FINE].day_start, (int64_t)eng->cube[CUBE_FINE].n);
    alloc_build_entries(eng); /* the fine cube's spend, summed into the coarse one */
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
    struct column *c32[] = {&eng->post_inf,      &eng->post_platform, &eng->post_day,
                            &eng->post_campaign, &eng->post_bucket,   &eng->post_day_idx};
    struct column *c64[] = {&eng->post_reach,  &eng->post_likes, &eng->post_comments,
                            &eng->post_shares, &eng->post_saves, &eng->post_views};
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
    agg_flush(t->eng);
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

/* Adds part's tracking entries to eng's, codes translated: an entry eng has already gets
 * the sums, the others are appended in part's order (so entries stay in the order of their
 * first row when the parts are merged in row order). The caller has checked that the rows
 * of all the parts fit ENGINE_MAX_ROWS. Counts part's left-out rows (name_skipped finds
 * them again with their ids). */
static void merge_tracking(struct engine *eng, struct engine *part)
{
    eng->skipped_count[DS_TRACKING] += part->skipped_count[DS_TRACKING];
    eng->over_limit[DS_TRACKING] += part->over_limit[DS_TRACKING];
    assert(part->ntrk <= ENGINE_MAX_ROWS - eng->ntrk);
    if (part->nagg == 0)
        return;
    /* the dictionaries in this order, as before entries were merged (codes are given in the
     * order they are met) */
    static const enum dim dims[] = {DIM_INFLUENCER, DIM_BRAND, DIM_PRODUCT, DIM_CAMPAIGN,
                                    DIM_SOURCE};
    int32_t *map[5];
    for (size_t d = 0; d < 5; d++)
        map[d] = remap_dict(eng, part, dims[d]);
    for (size_t e = 0; e < part->nagg; e++) {
        const struct agg_entry *a = &part->agg[e];
        int32_t k[AGG_KEY];
        memcpy(k, a->k, sizeof k);
        for (size_t d = 0; d < 5; d++)
            if (k[d + 1] >= 0)
                k[d + 1] = map[d][k[d + 1]];
        agg_add(eng, k, agg_hash(k), a->orders, a->revenue, a->rows, a->absrev);
    }
    agg_release(part); /* before the next part's entries come in */
    for (size_t d = 0; d < 5; d++)
        free(map[d]);
    eng->ntrk += part->ntrk;
}

/* Forgets the tracking rows read so far (engine_load_parallel, when the parts' rows are more
 * than ENGINE_MAX_ROWS in all: they are read again on one connection). */
static void tracking_reset(struct engine *eng)
{
    struct column *cols[] = {&eng->trk_day,     &eng->trk_inf,      &eng->trk_brand,
                             &eng->trk_product, &eng->trk_campaign, &eng->trk_source,
                             &eng->trk_ctype,   &eng->trk_orders,   &eng->trk_revenue,
                             &eng->trk_rows,    &eng->trk_absrev};
    for (size_t i = 0; i < sizeof cols / sizeof cols[0]; i++)
        buf_release(&cols[i]->b);
    agg_release(eng);
    free(eng->agg_pending);
    eng->agg_pending = NULL;
    eng->agg_npending = eng->nagg = eng->ntrk = 0;
    eng->skipped_count[DS_TRACKING] = eng->over_limit[DS_TRACKING] = 0;
    size_t kept = 0;
    for (size_t i = 0; i < eng->nskipped; i++)
        if (eng->skipped[i].ds != DS_TRACKING)
            eng->skipped[kept++] = eng->skipped[i];
    eng->nskipped = kept;
}

struct engine *engine_new(void)
{
    struct engine *eng = xcalloc(1, sizeof *eng);
    for (int d = 0; d < DIM_COUNT; d++)
        eng->dict[d] = strmap_new();
    eng->trk_seq = -1;
    eng->results = result_pool_new();
    return eng;
}

struct engine *engine_load(struct store *s, struct err *e)
{
    return engine_load_parallel(&s, 1, e);
}

/* The newest data change an audit entry records (imports, deletions, sample data). */
static int newest_audit(void *ctx, const struct store_audit *a)
{
    int64_t *at = ctx;
    if (a->at > *at)
        *at = a->at;
    return 0;
}

/* "Data as of": the time of the last change to the data, from the audit log and the import
 * log of the snapshot just read (0 when neither has an entry). A failure to read them
 * leaves it unknown; the data itself loaded. */
static int64_t read_as_of(struct store *s)
{
    struct err ignored;
    err_clear(&ignored);
    int64_t at = 0;
    store_audit_list(s, STORE_AUDIT_DATA, 1, newest_audit, &at, &ignored);
    struct store_import_log log;
    size_t n = 0;
    if (store_recent_imports(s, &log, 1, &n, &ignored) == 0 && n == 1) {
        int64_t t = log.finished_at > log.started_at ? log.finished_at : log.started_at;
        if (t > at)
            at = t;
    }
    return at;
}

int64_t engine_as_of(const struct engine *eng)
{
    return eng ? eng->as_of : 0;
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
    /* the tracking rows' last row number, the same on every connection (else the parts
     * may have read different snapshots, and which rows the engine holds is not known) */
    int64_t seq = -1;
    for (size_t i = 0; begun == n && i < n; i++) {
        struct err ignored;
        err_clear(&ignored);
        int64_t k = -1;
        if (store_last_seq(stores[i], DS_TRACKING, &k, &ignored) < 0 || (i > 0 && k != seq)) {
            seq = -1;
            break;
        }
        seq = k;
    }
    if (begun == n)
        eng = engine_load_parallel(stores, n, e);
    if (eng) {
        eng->as_of = read_as_of(stores[0]);
        eng->trk_seq = seq;
    }
    for (size_t i = 0; i < begun; i++)
        store_rollback(stores[i]);
    for (size_t i = 1; i < n; i++)
        store_close(stores[i]);
    return eng;
}

/* ---- an engine fed the tracking rows of an import as they are stored ---- */

static struct engine *load_rest(struct store *s, struct engine *eng, int rc, struct err *e);

struct engine_feed {
    struct engine *part; /* the tracking rows' entries, as one part of a load; NULL: given up */
    struct load_ctx l;
    uint64_t count;
};

struct engine_feed *engine_feed_new(void)
{
    struct engine_feed *f = xcalloc(1, sizeof *f);
    f->part = engine_new();
    f->l.eng = f->part;
    for (int i = 0; i < TRK_NCOLS; i++)
        f->l.col[i] = schema_col_index(DS_TRACKING, trk_cols[i]);
    return f;
}

void engine_feed_rows(struct engine_feed *f, const struct schema_row *rows, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        schema_rows_prefetch(rows, n, i, false);
        if (rows[i].ds != DS_TRACKING)
            continue;
        if (f->part)
            load_tracking(&f->l, &rows[i]);
        f->count++;
    }
    if (f->part && f->part->nagg > ENGINE_FEED_MAX_ENTRIES) { /* its memory back at once */
        engine_free(f->part);
        f->part = NULL;
    }
}

void engine_feed_reset(struct engine_feed *f)
{
    engine_free(f->part);
    f->part = engine_new();
    memset(&f->l, 0, sizeof f->l); /* the recent codes were the old dictionaries' */
    for (int i = 0; i < TRK_NCOLS; i++)
        f->l.col[i] = schema_col_index(DS_TRACKING, trk_cols[i]);
    f->l.eng = f->part;
    f->count = 0;
}

uint64_t engine_feed_count(const struct engine_feed *f)
{
    return f->count;
}

void engine_feed_free(struct engine_feed *f)
{
    if (!f)
        return;
    engine_free(f->part);
    free(f);
}

/* The fed rows' entries made eng's (which holds no tracking entry yet), codes translated in
 * place: what merge_tracking would give (each entry a new one, in part's order, the codes
 * new to eng's dictionaries added in part's order), without a second table of entries. */
static void take_tracking(struct engine *eng, struct engine *part)
{
    agg_flush(part);
    assert(eng->nagg == 0 && eng->ntrk == 0);
    eng->skipped_count[DS_TRACKING] += part->skipped_count[DS_TRACKING];
    eng->over_limit[DS_TRACKING] += part->over_limit[DS_TRACKING];
    static const enum dim dims[] = {DIM_INFLUENCER, DIM_BRAND, DIM_PRODUCT, DIM_CAMPAIGN,
                                    DIM_SOURCE};
    int32_t *map[5];
    for (size_t d = 0; d < 5; d++)
        map[d] = remap_dict(eng, part, dims[d]);
    free(part->agg_slot); /* no lookups from here on */
    part->agg_slot = NULL;
    for (size_t e = 0; e < part->nagg; e++) {
        int32_t *k = part->agg[e].k;
        for (size_t d = 0; d < 5; d++)
            if (k[d + 1] >= 0)
                k[d + 1] = map[d][k[d + 1]];
    }
    for (size_t d = 0; d < 5; d++)
        free(map[d]);
    eng->agg = part->nagg ? xrealloc(part->agg, part->nagg * sizeof *part->agg) : part->agg;
    eng->agg_room = part->nagg ? part->nagg : part->agg_room;
    eng->nagg = part->nagg;
    eng->ntrk = part->ntrk;
    part->agg = NULL;
    part->agg_cap = part->agg_room = part->nagg = part->ntrk = 0;
}

struct engine *engine_load_fed(struct engine_feed *f, struct store *s,
                               const struct store_stamp *want, struct err *e)
{
    struct engine *eng = NULL;
    if (store_read_begin(s, e) < 0) {
        engine_feed_free(f);
        return NULL;
    }
    struct store_stamp now;
    int64_t seq = -1;
    int rc = f->part ? store_data_stamp(s, &now, e)
                     : err_set(e, ERR_LIMIT, "more than %zu tracking entries",
                               (size_t)ENGINE_FEED_MAX_ENTRIES);
    if (rc == 0 && (now.id != want->id || now.version != want->version))
        rc = err_set(e, ERR_INPUT, "the database is at data version %lld, not %lld",
                     (long long)now.version, (long long)want->version);
    if (rc == 0)
        rc = store_last_seq(s, DS_TRACKING, &seq, e);
    if (rc == 0 && (seq < 0 || (uint64_t)seq != f->count))
        rc = err_set(e, ERR_INPUT,
                     "the last stored tracking row is number %lld, not the %llu rows fed",
                     (long long)seq, (unsigned long long)f->count);
    if (rc == 0) {
        /* as engine_load_parallel on one connection: influencers, posts, then the tracking
         * rows (here their entries, merged as another connection's part is) */
        eng = engine_new();
        rc = scan_dataset(s, eng, DS_INFLUENCERS, NULL, 0, load_influencer, e);
        if (rc == 0)
            rc = scan_dataset(s, eng, DS_POSTS, post_cols, POST_NCOLS, load_post, e);
        if (rc == 0)
            take_tracking(eng, f->part);
        engine_feed_free(f);
        f = NULL;
        eng = load_rest(s, eng, rc, e);
    }
    engine_feed_free(f);
    if (eng) {
        eng->as_of = read_as_of(s);
        eng->trk_seq = seq;
    }
    store_rollback(s);
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
        bad = tracking_problem(NULL, v, l->col, &day, &p) < 0;
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

/* A base's left-out tracking rows as named in it (the first n in stored order; all of them
 * when complete), and the last row number it holds. */
struct ext_skipped {
    struct engine_skipped_row rows[ENGINE_SKIPPED_KEEP];
    size_t n;
    int complete;
    int64_t after;
};

static struct ext_skipped *ext_skipped_of(const struct engine *base)
{
    struct ext_skipped *x = xcalloc(1, sizeof *x);
    for (size_t i = 0; i < base->nskipped; i++)
        if (base->skipped[i].ds == DS_TRACKING)
            x->rows[x->n++] = base->skipped[i];
    x->complete = x->n == base->skipped_count[DS_TRACKING];
    x->after = base->trk_seq;
    return x;
}

/* name_skipped of the tracking rows for engine_extend, with the same list as a result: the
 * base's named rows first, then only the rows after it are read again, unless the list
 * needs rows the base did not keep (then every row is, as name_skipped does). */
static int name_skipped_extended(struct store *s, struct engine *eng, struct err *e)
{
    const struct ext_skipped *x = eng->ext_skip;
    if (eng->skipped_count[DS_TRACKING] == eng->over_limit[DS_TRACKING])
        return 0; /* none for a value */
    size_t kept = 0;
    for (size_t i = 0; i < eng->nskipped; i++)
        if (eng->skipped[i].ds != DS_TRACKING)
            eng->skipped[kept++] = eng->skipped[i];
    eng->nskipped = kept;
    for (size_t i = 0; i < x->n && eng->nskipped < ENGINE_SKIPPED_KEEP; i++)
        eng->skipped[eng->nskipped++] = x->rows[i];
    if (eng->nskipped >= ENGINE_SKIPPED_KEEP)
        return 0; /* full, as the scan of every row would have stopped */
    if (!x->complete)
        return name_skipped(s, eng, DS_TRACKING, e);
    struct load_ctx l = {.eng = eng, .e = e};
    uint64_t columns = 0;
    for (int i = 0; i <= TRK_NCOLS; i++) {
        l.col[i] = schema_col_index(DS_TRACKING, trk_cols[i]);
        columns |= (uint64_t)1 << l.col[i];
    }
    int rc = store_scan_after(s, DS_TRACKING, x->after, columns, name_skipped_row, &l, e);
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

static void shrink_columns(struct engine *eng);

static struct engine *load_rest(struct store *s, struct engine *eng, int rc, struct err *e);

struct engine *engine_load_parallel(struct store *const *stores, size_t nstores, struct err *e)
{
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
        parts[k] = (struct tracking_part){
            .store = stores[k], .part = k, .nparts = nparts, .eng = engine_new()};
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
    agg_flush(eng);
    size_t total = eng->ntrk;
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
        total += parts[k].eng->ntrk;
    }
    /* The first ENGINE_MAX_ROWS stored rows are loaded: when the parts read more in all,
     * which of them are first is only known in one pass, so they are read again on one
     * connection (entries cannot be cut at a row). */
    int again = rc == 0 && total > ENGINE_MAX_ROWS;
    for (int k = 1; k < nparts; k++) {
        if (rc == 0 && !again && parts[k].eng)
            merge_tracking(eng, parts[k].eng);
        engine_free(parts[k].eng);
    }
    if (again) {
        tracking_reset(eng);
        rc = scan_dataset(s, eng, DS_TRACKING, trk_cols, TRK_NCOLS, load_tracking, e);
        agg_flush(eng);
    }
    return load_rest(s, eng, rc, e);
}

/* What follows the tracking rows' entries (all in eng's table, in the order of their first
 * stored row), for engine_load_parallel and engine_extend alike: the payouts, the left-out
 * rows named, and everything derived (buckets, days, cubes, allocation, rollups). rc: the
 * result so far (eng is freed when it or the rest fails). */
static struct engine *load_rest(struct store *s, struct engine *eng, int rc, struct err *e)
{
    /* in the order of load_payout's enum; payout_id last, to name left-out rows */
    static const char *const pay_cols[] = {
        "influencer_id", "campaign",     "basis",       "rate",   "orders",
        "posts",         "total_payout", "payout_date", "status", "payout_id"};
    if (rc == 0 && eng->ext_slot) { /* engine_extend's entries are columns already */
        free(eng->ext_slot);
        eng->ext_slot = NULL;
    } else if (rc == 0) {
        agg_columns(eng); /* the entries are all in */
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
        rc =
            eng->ext_skip ? name_skipped_extended(s, eng, e) : name_skipped(s, eng, DS_TRACKING, e);
    free(eng->ext_skip);
    eng->ext_skip = NULL;
    if (rc < 0) {
        engine_free(eng);
        return NULL;
    }
    finish_skipped(eng);
    build_buckets(eng);
    buf_release(&eng->trk_inf.b); /* the buckets stand for it from here on */
    int32_t first_day;
    int32_t *day_index;
    build_days(eng, &first_day, &day_index);
    build_cubes(eng, first_day, day_index);
    free(day_index);
    sort_posts(eng);
    alloc_build_posts(eng);
    count_bucket_activity(eng);
    shrink_columns(eng);
    engine_build_rollups(eng);
    alloc_build_groups(eng);
    return eng;
}

/* ---- extending an engine by the tracking rows appended since ---- */

int engine_can_extend(const struct engine *eng, struct err *e)
{
    const struct cube *f = &eng->cube[CUBE_FINE];
    if (eng->trk_seq < 0)
        return err_set(e, ERR_INPUT, "it does not know which stored tracking rows it holds");
    if (eng->over_limit[DS_TRACKING] > 0)
        return err_set(e, ERR_INPUT, "it holds the first %zu tracking rows only",
                       (size_t)ENGINE_MAX_ROWS);
    if (f->seq.b.len != f->n * sizeof(int32_t) || f->absrev.b.len != f->n * sizeof(uint64_t))
        return err_set(e, ERR_INPUT, "it lacks the order of its tracking entries");
    return 0;
}

/* base's codes of one dimension as eng's, found as they are first met (-2: not yet). */
struct recoding {
    enum dim d;
    int32_t *map;
};

static void recoding_init(struct recoding *r, const struct engine *base, enum dim d)
{
    size_t n = strmap_size(base->dict[d]);
    r->d = d;
    r->map = xmalloc((n + 1) * sizeof *r->map);
    for (size_t i = 0; i < n; i++)
        r->map[i] = -2;
}

/* The code in eng's dictionary of base's code c (-1: none), added as load_tracking adds
 * it. */
static int32_t recode(struct engine *eng, const struct engine *base, struct recoding *r, int32_t c)
{
    if (c < 0)
        return -1;
    if (r->map[c] != -2)
        return r->map[c];
    struct schema_value v = {.present = 1};
    v.s = strmap_key(base->dict[r->d], c, &v.len);
    r->map[c] = r->d == DIM_INFLUENCER ? influencer_ref(eng, &v) : dict_code(eng, r->d, &v);
    return r->map[c];
}

/* A new entry of key k at the end of the trk_ columns (ext mode). */
static void ext_push(struct engine *eng, const int32_t *k, int64_t orders, int64_t revenue,
                     int64_t rows, uint64_t absrev)
{
    col_push32(&eng->trk_day, k[0]);
    col_push32(&eng->trk_inf, k[1]);
    col_push32(&eng->trk_brand, k[2]);
    col_push32(&eng->trk_product, k[3]);
    col_push32(&eng->trk_campaign, k[4]);
    col_push32(&eng->trk_source, k[5]);
    uint8_t ct = (uint8_t)k[6];
    col_push(&eng->trk_ctype, &ct, 1);
    col_push64(&eng->trk_orders, orders);
    col_push64(&eng->trk_revenue, revenue);
    col_push64(&eng->trk_rows, rows);
    col_push(&eng->trk_absrev, &absrev, sizeof absrev);
    eng->nagg++;
}

/* Entry number e (whose hash is hash) into the index. */
static void ext_insert(struct engine *eng, uint32_t hash, int32_t e)
{
    uint32_t mask = (uint32_t)(eng->ext_cap - 1), h = hash & mask;
    while (eng->ext_slot[h] >= 0)
        h = (h + 1) & mask;
    eng->ext_slot[h] = e;
}

/* The key of entry e, from the trk_ columns. */
static void ext_key(const struct engine *eng, size_t e, int32_t *k)
{
    k[0] = col32(&eng->trk_day)[e];
    k[1] = col32(&eng->trk_inf)[e];
    k[2] = col32(&eng->trk_brand)[e];
    k[3] = col32(&eng->trk_product)[e];
    k[4] = col32(&eng->trk_campaign)[e];
    k[5] = col32(&eng->trk_source)[e];
    k[6] = (int32_t)(uint8_t)eng->trk_ctype.b.data[e];
}

/* An index with room for n entries at most three quarters full, holding the nagg entries
 * of the columns. */
static void ext_index(struct engine *eng, size_t n)
{
    size_t cap = 1024;
    while (n * 4 > cap * 3)
        cap *= 2;
    free(eng->ext_slot);
    eng->ext_slot = xmalloc(cap * sizeof *eng->ext_slot);
    memset(eng->ext_slot, 0xff, cap * sizeof *eng->ext_slot);
    eng->ext_cap = cap;
    for (size_t e = 0; e < eng->nagg; e++) {
        int32_t k[AGG_KEY];
        ext_key(eng, e, k);
        ext_insert(eng, agg_hash(k), (int32_t)e);
    }
}

/* One tracking row into its entry (ext mode), a new one at the end when it has none. */
static void ext_add(struct engine *eng, const int32_t *k, int64_t orders, int64_t revenue)
{
    uint64_t mag = revenue < 0 ? 0 - (uint64_t)revenue : (uint64_t)revenue;
    uint32_t hash = agg_hash(k);
    uint32_t mask = (uint32_t)(eng->ext_cap - 1), h = hash & mask;
    for (; eng->ext_slot[h] >= 0; h = (h + 1) & mask) {
        size_t e = (size_t)eng->ext_slot[h];
        int32_t have[AGG_KEY];
        ext_key(eng, e, have);
        if (memcmp(have, k, sizeof have) == 0) {
            col64(&eng->trk_orders)[e] += orders;
            col64(&eng->trk_revenue)[e] += revenue;
            col64(&eng->trk_rows)[e] += 1;
            ((uint64_t *)(void *)eng->trk_absrev.b.data)[e] += mag;
            return;
        }
    }
    ext_push(eng, k, orders, revenue, 1, mag);
    if (eng->nagg * 4 > eng->ext_cap * 3)
        ext_index(eng, eng->nagg * 2);
    else
        ext_insert(eng, hash, (int32_t)(eng->nagg - 1));
}

/* base's tracking entries into eng's table, as the scan of their rows would have put them
 * there: in the order of their first stored row (the fine cube's seq), each key's codes
 * given by eng's dictionaries in load_tracking's order (so that codes met first in those
 * rows come first, as in one pass over them). */
static void seed_tracking(struct engine *eng, const struct engine *base)
{
    const struct cube *f = &base->cube[CUBE_FINE];
    size_t n = f->n;
    uint32_t *at = xmalloc((n + 1) * sizeof *at); /* entry number → fine entry */
    const int32_t *seq = col32(&f->seq);
    for (size_t i = 0; i < n; i++)
        at[seq[i]] = (uint32_t)i;
    const int32_t *bucket = col32(&f->bucket), *brand = col32(&f->brand);
    const int32_t *product = col32(&f->product), *campaign = col32(&f->campaign);
    const int32_t *source = col32(&f->source), *ctype = col32(&f->ctype);
    const int32_t *bucket_inf = col32(&base->bucket_inf), *entry_day = col32(&base->entry_day);
    const int32_t *day_value = col32(&base->day_value);
    const int64_t *orders = col64(&f->orders), *revenue = col64(&f->revenue);
    const int64_t *rows = col64(&f->rows);
    const uint64_t *absrev = (const uint64_t *)(void *)f->absrev.b.data;
    static const enum dim dims[5] = {DIM_INFLUENCER, DIM_BRAND, DIM_PRODUCT, DIM_CAMPAIGN,
                                     DIM_SOURCE};
    struct recoding r[5];
    for (int d = 0; d < 5; d++)
        recoding_init(&r[d], base, dims[d]);
    /* the entries straight into the trk_ columns, in order, and indexed by key for the
     * rows to come (ext_add) */
    struct column *k32[] = {&eng->trk_day,     &eng->trk_inf,      &eng->trk_brand,
                            &eng->trk_product, &eng->trk_campaign, &eng->trk_source};
    size_t room = n + n / 8 + 16;
    for (size_t c = 0; c < 6; c++)
        col_reserve(k32[c], room * sizeof(int32_t));
    col_reserve(&eng->trk_ctype, room);
    struct column *k64[] = {&eng->trk_orders, &eng->trk_revenue, &eng->trk_rows, &eng->trk_absrev};
    for (size_t c = 0; c < 4; c++)
        col_reserve(k64[c], room * sizeof(int64_t));
    ext_index(eng, room);
    for (size_t e = 0; e < n; e++) {
        size_t i = at[e];
        int32_t k[AGG_KEY];
        k[0] = day_value[entry_day[i]];
        k[1] = (size_t)bucket[i] == base->nbuckets
                   ? -1
                   : recode(eng, base, &r[0], bucket_inf[bucket[i]]);
        k[2] = recode(eng, base, &r[1], brand[i]);
        k[3] = recode(eng, base, &r[2], product[i]);
        k[4] = recode(eng, base, &r[3], campaign[i]);
        k[5] = recode(eng, base, &r[4], source[i]);
        k[6] = ctype[i];
        ext_push(eng, k, orders[i], revenue[i], rows[i], absrev[i]);
        ext_insert(eng, agg_hash(k), (int32_t)e);
    }
    for (int d = 0; d < 5; d++)
        free(r[d].map);
    free(at);
    eng->ntrk = base->ntrk;
    eng->skipped_count[DS_TRACKING] = base->skipped_count[DS_TRACKING];
}

/* engine_extend, freeing base as soon as its entries are taken when take is set (else
 * only reading it). */
static struct engine *extend(struct engine *base, int take, struct store *s, struct err *e)
{
    if (engine_can_extend(base, e) < 0) {
        if (take)
            engine_free(base);
        return NULL;
    }
    int64_t after = base->trk_seq;
    struct engine *eng = engine_new();
    int rc = scan_dataset(s, eng, DS_INFLUENCERS, NULL, 0, load_influencer, e);
    if (rc == 0)
        rc = scan_dataset(s, eng, DS_POSTS, post_cols, POST_NCOLS, load_post, e);
    if (rc == 0) {
        seed_tracking(eng, base);
        eng->ext_skip = ext_skipped_of(base);
    }
    if (take)
        engine_free(base); /* its memory back before the rest is built */
    if (rc == 0) {
        struct load_ctx l = {.eng = eng, .e = e};
        uint64_t columns = 0;
        for (int i = 0; i < TRK_NCOLS; i++) {
            l.col[i] = schema_col_index(DS_TRACKING, trk_cols[i]);
            columns |= (uint64_t)1 << l.col[i];
        }
        err_clear(e);
        rc = store_scan_after(s, DS_TRACKING, after, columns, load_tracking, &l, e);
        if (rc < 0 && e && e->code == ERR_OK)
            err_set(e, rc, "loading tracking_data into the engine failed");
        agg_flush(eng);
    }
    return load_rest(s, eng, rc, e);
}

struct engine *engine_extend(struct engine *base, struct store *s, struct err *e)
{
    return extend(base, 1, s, e);
}

static struct engine *extend_snapshot(struct engine *base, int take, struct store *s, struct err *e)
{
    if (store_read_begin(s, e) < 0) {
        if (take)
            engine_free(base);
        return NULL;
    }
    int64_t seq = -1;
    struct engine *eng = NULL;
    if (store_last_seq(s, DS_TRACKING, &seq, e) < 0) {
        if (take)
            engine_free(base);
    } else if (seq < base->trk_seq) {
        err_set(e, ERR_INPUT, "the database has fewer tracking rows than it holds");
        if (take)
            engine_free(base);
    } else {
        eng = extend(base, take, s, e);
    }
    if (eng) {
        eng->as_of = read_as_of(s);
        eng->trk_seq = seq;
    }
    store_rollback(s);
    return eng;
}

struct engine *engine_extend_snapshot(struct engine *base, struct store *s, struct err *e)
{
    return extend_snapshot(base, 1, s, e);
}

struct engine *engine_extend_snapshot_from(const struct engine *base, struct store *s,
                                           struct err *e)
{
    /* only read (extend_snapshot with take 0 never writes through it) */
    return extend_snapshot((struct engine *)base, 0, s, e);
}

size_t engine_columns(struct engine *eng, struct column **out)
{
    struct column *cols[] = {
        &eng->inf_name,
        &eng->inf_category,
        &eng->inf_gender,
        &eng->inf_platform,
        &eng->inf_tier,
        &eng->inf_persona,
        &eng->inf_followers,
        &eng->post_inf,
        &eng->post_platform,
        &eng->post_day,
        &eng->post_campaign,
        &eng->post_bucket,
        &eng->post_reach,
        &eng->post_likes,
        &eng->post_comments,
        &eng->post_shares,
        &eng->post_saves,
        &eng->trk_day,
        &eng->trk_inf,
        &eng->trk_bucket,
        &eng->trk_brand,
        &eng->trk_product,
        &eng->trk_campaign,
        &eng->trk_source,
        &eng->trk_ctype,
        &eng->trk_orders,
        &eng->trk_revenue,
        &eng->trk_rows,
        &eng->trk_absrev,
        &eng->pay_inf,
        &eng->pay_basis,
        &eng->pay_campaign,
        &eng->pay_kind,
        &eng->pay_scope,
        &eng->pay_day,
        &eng->pay_status,
        &eng->pay_rate,
        &eng->pay_orders,
        &eng->pay_posts,
        &eng->pay_total,
        &eng->bucket_inf,
        &eng->bucket_claims,
        &eng->inf_bucket_start,
        &eng->inf_buckets,
        &eng->inf_pay_start,
        &eng->inf_pays,
        &eng->day_value,
        &eng->post_day_idx,
        &eng->post_start,
        &eng->bucket_rows,
        &eng->bucket_posts,
        &eng->line_start,
        &eng->line_pay,
        &eng->line_amount,
        &eng->bucket_entry_start,
        &eng->bucket_entries,
        &eng->entry_day,
        &eng->post_spend,
        &eng->post_pay,
        &eng->inf_post_start,
        &eng->inf_posts,
        &eng->pay_unalloc,
        &eng->pay_day_idx,
        &eng->inf_alloc,
        &eng->rank[0],
        &eng->rank[1],
        &eng->rank[2],
        &eng->rank[3],
        &eng->inf_cell_start,
        &eng->inf_cells,
        &eng->entry_cell,
        &eng->cell_entry_start,
        &eng->cell_entry_cum,
        &eng->cell_entry_day,
        &eng->post_views,
        &eng->cube[CUBE_FINE].seq,
        &eng->cube[CUBE_FINE].absrev,
    };
    _Static_assert(sizeof cols / sizeof cols[0] <= ENGINE_NCOLUMNS, "room for the columns");
    memcpy(out, cols, sizeof cols);
    return sizeof cols / sizeof cols[0];
}

/* Gives back what the columns (the cubes' too) grew beyond their lengths, once loaded. */
static void shrink_columns(struct engine *eng)
{
    struct column *cols[ENGINE_NCOLUMNS];
    size_t n = engine_columns(eng, cols);
    for (size_t i = 0; i < n; i++)
        col_shrink(cols[i]);
    for (int c = 0; c < CUBE_COUNT; c++) {
        struct column *kc[CUBE_NCOLUMNS];
        size_t nk = engine_cube_columns(&eng->cube[c], kc);
        for (size_t i = 0; i < nk; i++)
            col_shrink(kc[i]);
    }
}

size_t engine_cube_columns(struct cube *k, struct column **out)
{
    struct column *cols[] = {&k->bucket, &k->brand, &k->product,  &k->campaign,
                             &k->source, &k->ctype, &k->orders,   &k->revenue,
                             &k->rows,   &k->spend, &k->day_start};
    _Static_assert(sizeof cols / sizeof cols[0] == CUBE_NCOLUMNS, "the cube's columns");
    memcpy(out, cols, sizeof cols);
    return CUBE_NCOLUMNS;
}

void engine_free(struct engine *eng)
{
    if (!eng)
        return;
    struct column *cols[ENGINE_NCOLUMNS];
    size_t ncols = engine_columns(eng, cols);
    for (size_t i = 0; i < ncols; i++)
        buf_release(&cols[i]->b);
    for (int c = 0; c < CUBE_COUNT; c++)
        cube_release(&eng->cube[c]);
    engine_release_rollups(eng);
    alloc_release_groups(eng);
    for (int d = 0; d < DIM_COUNT; d++)
        strmap_free(eng->dict[d]);
    agg_release(eng);
    free(eng->agg_pending);
    free(eng->ext_slot);
    free(eng->ext_skip);
    result_pool_free(eng->results);
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
