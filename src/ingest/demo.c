/* demo.c — realistic, self-consistent sample data of any size (see demo.h): influencers,
 * their posts, tracking rows streamed one at a time and payouts that follow from the
 * tracking totals. Memory is O(influencers), never O(tracking rows).
 * Calls schema (rows, derived fields, dates), payid (the GSTIN check character), store
 * (demo_load), export (demo_write_csv), buf and err. */
#include "demo.h"

#include <assert.h>
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "buf.h"
#include "export.h"
#include "payid.h"

#include "banned.h"

#define DEMO_DEFAULT_ROWS 20000u
#define DEMO_DEFAULT_SEED 42u
#define DEMO_MAX_ROWS 1000000000u /* ids are TRK + 9 digits */
#define DEMO_MIN_INFLUENCERS 60u
#define DEMO_MAX_INFLUENCERS 5000u
#define DEMO_ROWS_PER_INFLUENCER 200u
#define DEMO_MAX_CAMPAIGNS_PER_INF 3
#define DEMO_ORGANIC_SHARE 0.30  /* of tracking rows */
#define DEMO_CONTROL_SHARE 0.355 /* of the holdout campaign's rows: control ≈ 55 % of test */
/* post- and flat-paid influencers get at most this share of the attributed rows */
#define DEMO_POST_SHARE_CAP 0.80
/* SPEC §3.1 in the sample: posts (beyond each campaign's first) that carry no campaign,
 * posts on another platform than the influencer's, flat-paid influencers on hybrid terms
 * (a fee plus a share of revenue, recorded as one total), flat fees without a payout_date */
#define DEMO_UNTAGGED_SHARE 0.20
#define DEMO_CROSS_PLATFORM_SHARE 0.05
#define DEMO_HYBRID_SHARE 0.40
#define DEMO_HYBRID_REVENUE_SHARE 50000 /* millionths: 5 % */
#define DEMO_UNDATED_FEE_SHARE 0.25
#define DEMO_CSV_FLUSH (1u << 20) /* bytes buffered per file before a write */
#define DEMO_PROGRESS_EVERY 0.2   /* seconds between progress updates */

/* ---- deterministic random numbers: xoshiro256** seeded through splitmix64 ----------- */

struct demo_rng {
    uint64_t s[4];
};

static uint64_t splitmix64(uint64_t *x)
{
    uint64_t z = (*x += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

/* Each phase of generation draws from its own stream, so that a change in how posts are
 * drawn does not reshuffle every tracking row. */
static void rng_seed(struct demo_rng *r, uint64_t seed, uint64_t stream)
{
    uint64_t x = seed ^ (stream * 0xD1B54A32D192ED03ull);
    for (int i = 0; i < 4; i++)
        r->s[i] = splitmix64(&x);
}

static uint64_t rotl(uint64_t x, int k)
{
    return (x << k) | (x >> (64 - k));
}

static uint64_t rng_next(struct demo_rng *r)
{
    uint64_t *s = r->s;
    uint64_t result = rotl(s[1] * 5, 7) * 9;
    uint64_t t = s[1] << 17;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = rotl(s[3], 45);
    return result;
}

/* Uniform in [0, 1). */
static double rng_unit(struct demo_rng *r)
{
    return (double)(rng_next(r) >> 11) * 0x1.0p-53;
}

/* Uniform in [0, n); n > 0. */
static uint64_t rng_below(struct demo_rng *r, uint64_t n)
{
    return (uint64_t)(((unsigned __int128)rng_next(r) * n) >> 64);
}

/* Uniform in [lo, hi]. */
static int64_t rng_range(struct demo_rng *r, int64_t lo, int64_t hi)
{
    return lo + (int64_t)rng_below(r, (uint64_t)(hi - lo) + 1);
}

static double rng_uniform(struct demo_rng *r, double lo, double hi)
{
    return lo + (hi - lo) * rng_unit(r);
}

static double rng_log_uniform(struct demo_rng *r, double lo, double hi)
{
    return exp(rng_uniform(r, log(lo), log(hi)));
}

/* An index drawn with the given integer weights. */
static int rng_pick(struct demo_rng *r, const unsigned *weights, int n)
{
    unsigned total = 0;
    for (int i = 0; i < n; i++)
        total += weights[i];
    assert(total > 0);
    unsigned x = (unsigned)rng_below(r, total);
    for (int i = 0; i < n; i++) {
        if (x < weights[i])
            return i;
        x -= weights[i];
    }
    return n - 1;
}

#define NELEM(a) ((int)(sizeof(a) / sizeof((a)[0])))

/* ---- the world the data describes --------------------------------------------------- */

static const char *const first_names_male[] = {
    "Aarav",     "Arjun",  "Vivaan", "Aditya", "Rohan",  "Karan",  "Vikram",   "Rahul",
    "Siddharth", "Ishaan", "Kabir",  "Aryan",  "Nikhil", "Pranav", "Varun",    "Sahil",
    "Rajat",     "Manish", "Harsh",  "Yash",   "Dhruv",  "Kunal",  "Abhishek", "Gaurav",
    "Ankit",     "Tarun",  "Mohit",  "Sameer", "Imran",  "Farhan",
};
static const char *const first_names_female[] = {
    "Ananya", "Priya",  "Diya",    "Aditi",   "Kavya",  "Isha",    "Sneha",     "Pooja",
    "Neha",   "Riya",   "Shreya",  "Meera",   "Tanvi",  "Nisha",   "Aishwarya", "Sakshi",
    "Anjali", "Divya",  "Kritika", "Radhika", "Simran", "Pallavi", "Swati",     "Shruti",
    "Zoya",   "Fatima", "Lakshmi", "Deepika", "Mansi",  "Ira",
};
static const char *const surnames[] = {
    "Sharma",  "Verma",    "Gupta",      "Singh",     "Kumar",   "Patel",  "Shah",
    "Mehta",   "Iyer",     "Nair",       "Reddy",     "Rao",     "Menon",  "Pillai",
    "Das",     "Banerjee", "Chatterjee", "Mukherjee", "Bose",    "Sen",    "Ghosh",
    "Joshi",   "Kulkarni", "Deshpande",  "Patil",     "Jadhav",  "Chopra", "Malhotra",
    "Kapoor",  "Khanna",   "Bhatia",     "Arora",     "Sethi",   "Ahuja",  "Chauhan",
    "Rathore", "Yadav",    "Mishra",     "Tiwari",    "Pandey",  "Dubey",  "Srivastava",
    "Saxena",  "Agarwal",  "Jain",       "Bansal",    "Goyal",   "Mittal", "Khan",
    "Qureshi", "Siddiqui", "Fernandes",  "D'Souza",   "Pereira", "Naidu",  "Hegde",
    "Shetty",  "Kamath",   "Bhat",       "Gill",
};

enum { BRAND_MB, BRAND_HKV, BRAND_GZ, NBRANDS };
static const char *const brand_names[NBRANDS] = {"MuscleBlaze", "HKVitals", "Gritzo"};
static const unsigned organic_brand_weights[NBRANDS] = {45, 35, 20};

static const char *const categories[] = {"Fitness",  "Nutrition", "Bodybuilding", "Yoga",
                                         "Wellness", "Parenting", "Lifestyle",    "Beauty"};
static const unsigned category_weights[] = {22, 14, 14, 10, 12, 10, 10, 8};
/* Which brands a category's creators work with (MuscleBlaze, HKVitals, Gritzo). */
static const unsigned category_brand_weights[][NBRANDS] = {
    {70, 25, 5},  {35, 45, 20}, {90, 10, 0},  {10, 85, 5},
    {15, 75, 10}, {5, 25, 70},  {35, 40, 25}, {5, 90, 5},
};

static const char *const genders[] = {"Male", "Female", "Non-binary", "Other"};
static const unsigned gender_weights[] = {48, 46, 4, 2};
static const unsigned parenting_gender_weights[] = {22, 75, 2, 1};

enum { PF_INSTAGRAM, PF_YOUTUBE, PF_TWITTER, PF_FACEBOOK, PF_TIKTOK, PF_LINKEDIN, NPLATFORMS };
static const char *const platforms[NPLATFORMS] = {"Instagram", "YouTube", "Twitter",
                                                  "Facebook",  "TikTok",  "LinkedIn"};
static const unsigned platform_weights[NPLATFORMS] = {46, 26, 8, 9, 5, 6};
/* Typical engagements per reached account. */
static const double platform_engagement[NPLATFORMS] = {0.035, 0.045, 0.012, 0.015, 0.06, 0.022};
/* Where an attributed order came from, by the influencer's platform ("promo_code" aside). */
static const char *const platform_sources[NPLATFORMS][3] = {
    {"instagram_story", "instagram_reel", "instagram_bio_link"},
    {"youtube_description", "youtube_pinned_comment", "youtube_community"},
    {"twitter_link", "twitter_link", "twitter_thread"},
    {"facebook_post", "facebook_group", "facebook_post"},
    {"tiktok_bio_link", "tiktok_video", "tiktok_bio_link"},
    {"linkedin_post", "linkedin_article", "linkedin_post"},
};

struct demo_product {
    const char *name;
    int64_t list_paise; /* ₹299–₹4,999 */
};
#define PRODUCTS_PER_BRAND 6
static const struct demo_product products[NBRANDS][PRODUCTS_PER_BRAND] = {
    {{"MuscleBlaze Biozyme Performance Whey 2kg", 499900},
     {"MuscleBlaze Whey Gold 1kg", 329900},
     {"MuscleBlaze Raw Whey Protein 1kg", 219900},
     {"MuscleBlaze Mass Gainer XXL 3kg", 259900},
     {"MuscleBlaze Creatine Monohydrate 250g", 89900},
     {"MuscleBlaze PRE Workout 300", 149900}},
    {{"HKVitals Multivitamin 60 Tablets", 54900},
     {"HKVitals Fish Oil 1000mg", 69900},
     {"HKVitals Biotin Maximum Strength", 49900},
     {"HKVitals Apple Cider Vinegar", 44900},
     {"HKVitals Skin Radiance Collagen", 129900},
     {"HKVitals Vitamin D3 + K2", 59900}},
    {{"Gritzo SuperMilk Kids 3-5y", 89900},
     {"Gritzo SuperMilk 8-12y", 94900},
     {"Gritzo SuperMilk Teens Height+", 114900},
     {"Gritzo SuperKids Gummies", 39900},
     {"Gritzo SuperMilk Chocolate Refill", 64900},
     {"Gritzo Nutri Bar Kids", 34900}},
};
#define MAX_DISCOUNT_PCT 10
/* Units per order line: mostly one, sometimes a few. */
static const unsigned orders_weights[] = {0, 72, 20, 6, 1, 1};

struct demo_campaign {
    const char *name;
    int brand;
    const char *from, *to; /* the window its posts fall in */
    const char *hashtag_topic;
};
/* Windows leave gaps, so that the year has days without influencer activity: the organic
 * baseline of incremental revenue. */
static const struct demo_campaign campaigns[] = {
    {"MB_New_Year_Resolution", BRAND_MB, "2025-01-06", "2025-02-05", "NewYearNewMe"},
    {"HKV_Womens_Wellness", BRAND_HKV, "2025-03-01", "2025-03-20", "WomensDay"},
    {"MB_Summer_Shred", BRAND_MB, "2025-04-10", "2025-05-20", "SummerShred"},
    {"GZ_Kids_Growth", BRAND_GZ, "2025-06-10", "2025-06-30", "GrowWithGritzo"},
    {"HKV_Immunity_Monsoon", BRAND_HKV, "2025-07-15", "2025-08-20", "MonsoonImmunity"},
    {"GZ_Back_To_School", BRAND_GZ, "2025-09-10", "2025-09-30", "BackToSchool"},
    {"MB_Diwali_Gains", BRAND_MB, "2025-10-15", "2025-11-10", "DiwaliGains"},
    {"HKV_Winter_Wellness", BRAND_HKV, "2025-12-01", "2025-12-20", "WinterWellness"},
};
#define NCAMPAIGNS NELEM(campaigns)
/* The campaign run as a test/control holdout: part of its audience saw nothing. */
#define HOLDOUT_CAMPAIGN 2

enum { BASIS_POST, BASIS_ORDER, BASIS_REVENUE_SHARE, BASIS_FLAT, NBASES };
static const char *const basis_names[NBASES] = {"post", "order", "revenue_share", "flat"};
static const unsigned basis_weights[NBASES] = {50, 25, 18, 7};
/* Per-post fee range in rupees by tier (Nano, Micro, Mid, Macro, Mega). */
static const int64_t post_fee_lo[5] = {2000, 5000, 15000, 40000, 75000};
static const int64_t post_fee_hi[5] = {6000, 18000, 45000, 90000, 150000};

#define YEAR_FIRST "2025-01-01"
#define YEAR_LAST "2025-12-31"

/* ---- generator state ---------------------------------------------------------------- */

struct demo_influencer {
    int64_t followers;
    uint8_t first_name, surname, male_name;
    uint8_t category, gender, platform, tier, basis;
    uint8_t ncampaigns;
    uint8_t campaign[DEMO_MAX_CAMPAIGNS_PER_INF];
    uint32_t posts_in[DEMO_MAX_CAMPAIGNS_PER_INF];
    uint32_t untagged; /* of its posts, those that carry no campaign (demo_post) */
    uint32_t first_post, nposts;
    int64_t rate;                                 /* COL_RATE millionths; 0 for flat */
    int64_t flat_fee[DEMO_MAX_CAMPAIGNS_PER_INF]; /* paise, flat basis only */
    double weight;                                /* share of attributed rows, unnormalised */
};

struct demo_post {
    uint32_t influencer;
    int32_t day;
    uint8_t slot; /* index into the influencer's campaigns */
    uint8_t product;
    /* carries no brand, campaign or product (its sales still belong to the slot's
     * campaign): the allocation's split path (SPEC §3.1) */
    uint8_t untagged;
};

/* Column indices, looked up once by name. */
struct demo_cols {
    int inf_id, inf_name, inf_category, inf_gender, inf_followers, inf_platform;
    int post_id, post_influencer, post_platform, post_date, post_url, post_caption, post_reach,
        post_likes, post_comments, post_shares, post_saves, post_views, post_impressions,
        post_brand, post_campaign, post_product;
    int trk_id, trk_source, trk_campaign, trk_influencer, trk_user, trk_product, trk_brand,
        trk_date, trk_orders, trk_revenue, trk_campaign_type, trk_clicks;
    int inf_pan, inf_gstin, inf_account, inf_ifsc, inf_upi;
    int pay_id, pay_influencer, pay_campaign, pay_basis, pay_rate, pay_orders, pay_posts,
        pay_revenue, pay_total, pay_date, pay_status;
};

struct demo_progress {
    int on;
    int printed;
    double last;
};

struct demo_gen {
    struct demo_opts opts;
    struct schema_config cfg;
    struct demo_cols col;
    int32_t year_first, year_last;
    int32_t campaign_from[NCAMPAIGNS], campaign_to[NCAMPAIGNS];
    int64_t brand_row_mean[NBRANDS]; /* expected revenue of one tracking row, paise */
    uint32_t ninfluencers, nposts;
    struct demo_influencer *inf;
    struct demo_post *posts;
    double *cumulative; /* running sum of influencer weights, for picking */
    uint64_t users;
    /* attributed totals per influencer and campaign slot, filled while streaming tracking */
    int64_t *attributed_orders, *attributed_revenue;
    struct schema_row row;
    struct buf scratch;
    struct demo_progress progress;
    demo_row_fn fn;
    void *ctx;
};

static void lookup_cols(struct demo_cols *c)
{
#define COL(field, ds, name)                                                                       \
    do {                                                                                           \
        c->field = schema_col_index(ds, name);                                                     \
        assert(c->field >= 0 && "schema.c lost a column demo.c writes");                           \
    } while (0)
    COL(inf_id, DS_INFLUENCERS, "influencer_id");
    COL(inf_name, DS_INFLUENCERS, "name");
    COL(inf_category, DS_INFLUENCERS, "category");
    COL(inf_gender, DS_INFLUENCERS, "gender");
    COL(inf_followers, DS_INFLUENCERS, "follower_count");
    COL(inf_platform, DS_INFLUENCERS, "platform");
    COL(inf_pan, DS_INFLUENCERS, "pan");
    COL(inf_gstin, DS_INFLUENCERS, "gstin");
    COL(inf_account, DS_INFLUENCERS, "bank_account");
    COL(inf_ifsc, DS_INFLUENCERS, "ifsc");
    COL(inf_upi, DS_INFLUENCERS, "upi");
    COL(post_id, DS_POSTS, "post_id");
    COL(post_influencer, DS_POSTS, "influencer_id");
    COL(post_platform, DS_POSTS, "platform");
    COL(post_date, DS_POSTS, "date");
    COL(post_url, DS_POSTS, "url");
    COL(post_caption, DS_POSTS, "caption");
    COL(post_reach, DS_POSTS, "reach");
    COL(post_likes, DS_POSTS, "likes");
    COL(post_comments, DS_POSTS, "comments");
    COL(post_shares, DS_POSTS, "shares");
    COL(post_saves, DS_POSTS, "saves");
    COL(post_views, DS_POSTS, "video_views");
    COL(post_impressions, DS_POSTS, "impressions");
    COL(post_brand, DS_POSTS, "brand");
    COL(post_campaign, DS_POSTS, "campaign");
    COL(post_product, DS_POSTS, "product");
    COL(trk_id, DS_TRACKING, "tracking_id");
    COL(trk_source, DS_TRACKING, "source");
    COL(trk_campaign, DS_TRACKING, "campaign");
    COL(trk_influencer, DS_TRACKING, "influencer_id");
    COL(trk_user, DS_TRACKING, "user_id");
    COL(trk_product, DS_TRACKING, "product");
    COL(trk_brand, DS_TRACKING, "brand");
    COL(trk_date, DS_TRACKING, "date");
    COL(trk_orders, DS_TRACKING, "orders");
    COL(trk_revenue, DS_TRACKING, "revenue");
    COL(trk_campaign_type, DS_TRACKING, "campaign_type");
    COL(trk_clicks, DS_TRACKING, "clicks");
    COL(pay_id, DS_PAYOUTS, "payout_id");
    COL(pay_influencer, DS_PAYOUTS, "influencer_id");
    COL(pay_campaign, DS_PAYOUTS, "campaign");
    COL(pay_basis, DS_PAYOUTS, "basis");
    COL(pay_rate, DS_PAYOUTS, "rate");
    COL(pay_orders, DS_PAYOUTS, "orders");
    COL(pay_posts, DS_PAYOUTS, "posts");
    COL(pay_revenue, DS_PAYOUTS, "revenue");
    COL(pay_total, DS_PAYOUTS, "total_payout");
    COL(pay_date, DS_PAYOUTS, "payout_date");
    COL(pay_status, DS_PAYOUTS, "status");
#undef COL
}

static int32_t iso_days(const char *iso)
{
    int32_t d = 0;
    int rc = schema_iso_to_days(iso, &d);
    assert(rc == 0);
    (void)rc;
    return d;
}

/* ---- small row helpers -------------------------------------------------------------- */

static void set_str(struct demo_gen *g, int col, const char *s)
{
    schema_row_set_text(&g->row, col, s, strlen(s));
}

static void set_fmt(struct demo_gen *g, int col, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void set_fmt(struct demo_gen *g, int col, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    buf_reset(&g->scratch);
    buf_vprintf(&g->scratch, fmt, ap);
    va_end(ap);
    schema_row_set_text(&g->row, col, buf_cstr(&g->scratch), g->scratch.len);
}

static void set_date(struct demo_gen *g, int col, int32_t day)
{
    char iso[11];
    schema_days_to_iso(day, iso);
    schema_row_set_text(&g->row, col, iso, 10);
}

static void set_influencer_id(struct demo_gen *g, int col, uint32_t i)
{
    set_fmt(g, col, "INF%05u", i + 1);
}

/* Starts a row of ds in the one reused row. */
static void row_start(struct demo_gen *g, enum dataset ds)
{
    if (g->row.ds != ds) {
        schema_row_release(&g->row);
        schema_row_init(&g->row, ds);
    } else {
        schema_row_clear(&g->row);
    }
}

/* Derives what import would derive and hands the row to the caller. */
static int row_emit(struct demo_gen *g)
{
    schema_row_derive(&g->row, &g->cfg);
    int rc = g->fn(g->ctx, &g->row);
    return rc < 0 ? rc : 0;
}

static const char *influencer_first_name(const struct demo_influencer *in)
{
    return in->male_name ? first_names_male[in->first_name] : first_names_female[in->first_name];
}

/* "ananyasharma17": lower-case letters of the name and the influencer's number. */
static void handle_of(const struct demo_influencer *in, uint32_t i, struct buf *out)
{
    const char *parts[2] = {influencer_first_name(in), surnames[in->surname]};
    for (int p = 0; p < 2; p++)
        for (const char *s = parts[p]; *s; s++)
            if ((*s >= 'A' && *s <= 'Z') || (*s >= 'a' && *s <= 'z'))
                buf_putc(out, (char)(*s | 0x20));
    buf_printf(out, "%u", i + 1);
}

static int tier_index(const struct schema_config *cfg, int64_t followers)
{
    int t = 0;
    while (t < 4 && followers >= cfg->tier_bounds[t])
        t++;
    return t;
}

static int64_t round_to(double v, int64_t step)
{
    int64_t r = (int64_t)llround(v / (double)step) * step;
    return r < step ? step : r;
}

/* ---- the model: influencers, their campaigns and posts ----------------------------- */

/* Followers log-uniform over 2k–5M, so every tier occurs; the first five influencers are
 * drawn inside one tier each, so that even the smallest data set has all five. */
static int64_t draw_followers(struct demo_gen *g, struct demo_rng *r, uint32_t i)
{
    double lo = 2000, hi = 5000000;
    if (i < 5) {
        if (i > 0 && (double)g->cfg.tier_bounds[i - 1] > lo)
            lo = (double)g->cfg.tier_bounds[i - 1];
        if (i < 4 && (double)g->cfg.tier_bounds[i] < hi)
            hi = (double)g->cfg.tier_bounds[i] - 1;
        if (lo >= hi)
            lo = 2000, hi = 5000000;
    }
    return (int64_t)llround(rng_log_uniform(r, lo, hi));
}

static void draw_campaigns(struct demo_rng *r, struct demo_influencer *in)
{
    static const unsigned count_weights[] = {0, 50, 35, 15};
    in->ncampaigns = (uint8_t)rng_pick(r, count_weights, NELEM(count_weights));
    for (int k = 0; k < in->ncampaigns; k++) {
        int c = -1;
        for (int attempt = 0; attempt < 8 && c < 0; attempt++) {
            int brand = rng_pick(r, category_brand_weights[in->category], NBRANDS);
            int options[NCAMPAIGNS], n = 0;
            for (int j = 0; j < NCAMPAIGNS; j++)
                if (campaigns[j].brand == brand)
                    options[n++] = j;
            c = options[rng_below(r, (uint64_t)n)];
            for (int j = 0; j < k; j++)
                if (in->campaign[j] == c)
                    c = -1;
        }
        if (c < 0) { /* the favourite brands are taken: any campaign not yet used */
            for (c = (int)rng_below(r, NCAMPAIGNS);; c = (c + 1) % NCAMPAIGNS) {
                int used = 0;
                for (int j = 0; j < k; j++)
                    used |= in->campaign[j] == c;
                if (!used)
                    break;
            }
        }
        in->campaign[k] = (uint8_t)c;
    }
}

/* The terms an influencer is paid under. */
static void draw_terms(struct demo_rng *r, struct demo_influencer *in)
{
    in->basis = (uint8_t)rng_pick(r, basis_weights, NBASES);
    /* most creators charge near the bottom of their tier's range, a few near the top */
    double u = rng_unit(r);
    double lo = (double)post_fee_lo[in->tier], hi = (double)post_fee_hi[in->tier];
    int64_t fee = round_to(lo * pow(hi / lo, u * u), 500);
    switch (in->basis) {
    case BASIS_POST:
        in->rate = fee * 1000000;
        break;
    case BASIS_ORDER:
        in->rate = rng_range(r, 10, 80) * 5 * 1000000; /* ₹50–₹400 */
        break;
    case BASIS_REVENUE_SHARE:
        in->rate = 50000 + 5000 * rng_range(r, 0, 20); /* 0.05–0.15 */
        break;
    default:
        in->rate = 0;
        for (int k = 0; k < in->ncampaigns; k++)
            in->flat_fee[k] =
                round_to((double)fee * in->posts_in[k] * rng_uniform(r, 0.8, 1.3), 1000) * 100;
        break;
    }
}

/* Expected revenue of one of the influencer's tracking rows, paise: the mix of brands
 * its posts promote, less the holdout campaign's control share. */
static double influencer_row_mean(const struct demo_gen *g, const struct demo_influencer *in)
{
    double sum = 0;
    for (int k = 0; k < in->ncampaigns; k++) {
        double mean = (double)g->brand_row_mean[campaigns[in->campaign[k]].brand];
        if (in->campaign[k] == HOLDOUT_CAMPAIGN)
            mean *= 1.0 - DEMO_CONTROL_SHARE;
        sum += mean * in->posts_in[k];
    }
    return sum / in->nposts;
}

/* Shares of attributed rows. Post- and flat-paid influencers get a target ROAS between
 * 0.3 and 15 (log-uniform): their share is set so that their revenue is about that
 * multiple of their fees, which gives the insights real winners and real losers. The
 * rows left over go to order- and revenue-share-paid influencers by reach and quality. */
static void assign_weights(struct demo_gen *g, struct demo_rng *r, uint64_t attributed_rows)
{
    double fixed_rows = 0, free_weight = 0;
    for (uint32_t i = 0; i < g->ninfluencers; i++) {
        struct demo_influencer *in = &g->inf[i];
        if (in->basis == BASIS_POST || in->basis == BASIS_FLAT) {
            double fees = 0;
            if (in->basis == BASIS_POST)
                fees = (double)in->rate / 10000.0 * in->nposts;
            for (int k = 0; k < in->ncampaigns; k++)
                fees += (double)in->flat_fee[k];
            double roas = rng_log_uniform(r, 0.3, 15.0);
            in->weight = roas * fees / influencer_row_mean(g, in);
            fixed_rows += in->weight;
        } else {
            double quality = exp(rng_uniform(r, -1.5, 1.5));
            in->weight = quality * sqrt((double)in->followers);
            free_weight += in->weight;
        }
    }
    double cap = DEMO_POST_SHARE_CAP * (double)attributed_rows;
    double fixed_scale = fixed_rows > cap ? cap / fixed_rows : 1.0;
    double left = (double)attributed_rows - fixed_rows * fixed_scale;
    if (left < 1)
        left = 1;
    double total = 0;
    for (uint32_t i = 0; i < g->ninfluencers; i++) {
        struct demo_influencer *in = &g->inf[i];
        if (in->basis == BASIS_POST || in->basis == BASIS_FLAT)
            in->weight *= fixed_scale;
        else
            in->weight *= free_weight > 0 ? left / free_weight : 0;
        total += in->weight;
        g->cumulative[i] = total;
    }
}

static void build_model(struct demo_gen *g)
{
    struct demo_rng r;
    rng_seed(&r, g->opts.seed, 1);
    uint64_t n = g->opts.rows / DEMO_ROWS_PER_INFLUENCER;
    g->ninfluencers = (uint32_t)(n < DEMO_MIN_INFLUENCERS   ? DEMO_MIN_INFLUENCERS
                                 : n > DEMO_MAX_INFLUENCERS ? DEMO_MAX_INFLUENCERS
                                                            : n);
    g->inf = xcalloc(g->ninfluencers, sizeof *g->inf);
    g->cumulative = xcalloc(g->ninfluencers, sizeof *g->cumulative);
    g->attributed_orders =
        xcalloc((size_t)g->ninfluencers * DEMO_MAX_CAMPAIGNS_PER_INF, sizeof *g->attributed_orders);
    g->attributed_revenue = xcalloc((size_t)g->ninfluencers * DEMO_MAX_CAMPAIGNS_PER_INF,
                                    sizeof *g->attributed_revenue);
    g->users = g->opts.rows / 4 > 1000 ? g->opts.rows / 4 : 1000;

    /* the choices added for SPEC §3.1 draw from streams of their own, so that the rest of
     * the data stays as it was for a seed */
    struct demo_rng tag;
    rng_seed(&tag, g->opts.seed, 5);
    uint32_t post_cap = g->ninfluencers * 7;
    g->posts = xcalloc(post_cap, sizeof *g->posts);
    g->nposts = 0;
    for (uint32_t i = 0; i < g->ninfluencers; i++) {
        struct demo_influencer *in = &g->inf[i];
        in->category = (uint8_t)rng_pick(&r, category_weights, NELEM(category_weights));
        in->gender = (uint8_t)rng_pick(&r,
                                       !strcmp(categories[in->category], "Parenting")
                                           ? parenting_gender_weights
                                           : gender_weights,
                                       NELEM(gender_weights));
        in->male_name = in->gender == 0 || (in->gender >= 2 && rng_below(&r, 2));
        in->first_name = (uint8_t)rng_below(&r, in->male_name ? NELEM(first_names_male)
                                                              : NELEM(first_names_female));
        in->surname = (uint8_t)rng_below(&r, NELEM(surnames));
        in->platform =
            (uint8_t)(i < NPLATFORMS ? (int)i : rng_pick(&r, platform_weights, NPLATFORMS));
        in->followers = draw_followers(g, &r, i);
        in->tier = (uint8_t)tier_index(&g->cfg, in->followers);
        draw_campaigns(&r, in);

        /* 1–7 posts (about 4), at least one per campaign. */
        uint32_t np = (uint32_t)rng_range(&r, 1, 7);
        if (np < in->ncampaigns)
            np = in->ncampaigns;
        in->first_post = g->nposts;
        in->nposts = np;
        for (uint32_t p = 0; p < np; p++) {
            struct demo_post *post = &g->posts[g->nposts++];
            int slot = p < in->ncampaigns ? (int)p : (int)rng_below(&r, in->ncampaigns);
            int c = in->campaign[slot];
            post->influencer = i;
            post->slot = (uint8_t)slot;
            post->day = (int32_t)rng_range(&r, g->campaign_from[c], g->campaign_to[c]);
            post->product = (uint8_t)rng_below(&r, PRODUCTS_PER_BRAND);
            in->posts_in[slot]++;
            /* beyond the first post of each campaign, one in five carries no campaign */
            if (p >= in->ncampaigns && rng_unit(&tag) < DEMO_UNTAGGED_SHARE) {
                post->untagged = 1;
                in->untagged++;
            }
        }
        draw_terms(&r, in);
    }
    uint64_t organic_expected = (uint64_t)((double)g->opts.rows * DEMO_ORGANIC_SHARE);
    assign_weights(g, &r, g->opts.rows - organic_expected);
}

static void compute_brand_means(struct demo_gen *g)
{
    double orders_mean = 0, wsum = 0;
    for (int k = 0; k < NELEM(orders_weights); k++) {
        orders_mean += (double)k * orders_weights[k];
        wsum += orders_weights[k];
    }
    orders_mean /= wsum;
    double price_factor = 1.0 - MAX_DISCOUNT_PCT / 200.0;
    for (int b = 0; b < NBRANDS; b++) {
        double sum = 0;
        for (int p = 0; p < PRODUCTS_PER_BRAND; p++)
            sum += (double)products[b][p].list_paise;
        g->brand_row_mean[b] = (int64_t)(sum / PRODUCTS_PER_BRAND * price_factor * orders_mean);
    }
}

/* ---- progress on a terminal -------------------------------------------------------- */

static double now_seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void progress_update(struct demo_gen *g, uint64_t done, int final)
{
    struct demo_progress *p = &g->progress;
    if (!p->on)
        return;
    double t = now_seconds();
    if (!final && t - p->last < DEMO_PROGRESS_EVERY)
        return;
    p->last = t;
    unsigned pct = g->opts.rows ? (unsigned)(done * 100 / g->opts.rows) : 100;
    fprintf(stderr, "\rdemo: %llu / %llu tracking rows (%u%%)", (unsigned long long)done,
            (unsigned long long)g->opts.rows, pct);
    p->printed = 1;
    if (final)
        fputc('\n', stderr);
    fflush(stderr);
}

/* ---- emitting rows ------------------------------------------------------------------ */

/* Payment details (SPEC §10) made from the influencer's number alone (no draw from the
 * random stream, so every other generated value stays as it was): a PAN for 9 in 10, a
 * GSTIN (of one of five states) for 1 in 4 of those, a bank account with its IFSC for 8
 * in 10, a UPI id for 1 in 10, and 1 in 10 with neither (the bank batch refuses them). All
 * pass payid's checks. */
static void set_payment_details(struct demo_gen *g, uint32_t i)
{
    const struct demo_cols *c = &g->col;
    char pan[11];
    snprintf(pan, sizeof pan, "%c%c%cP%c%04u%c", 'A' + (int)(i % 26), 'A' + (int)(i / 26 % 26),
             'A' + (int)(i / 676 % 26), 'A' + (int)(i * 7 % 26), (unsigned)(i % 10000),
             'A' + (int)(i * 11 % 26));
    if (i % 10 != 7) {
        schema_row_set_text(&g->row, c->inf_pan, pan, 10);
        if (i % 4 == 0) {
            static const int states[] = {27, 29, 7, 6, 33};
            char gstin[16];
            snprintf(gstin, sizeof gstin, "%02d%s1Z", states[i / 4 % 5], pan);
            gstin[14] = payid_gstin_check_char(gstin);
            gstin[15] = '\0';
            schema_row_set_text(&g->row, c->inf_gstin, gstin, 15);
        }
    }
    if (i % 10 == 3) {
        set_fmt(g, c->inf_upi, "creator%u@okaxis", (unsigned)i);
    } else if (i % 10 != 9) {
        static const char *const banks[] = {"HDFC", "ICIC", "SBIN", "UTIB", "KKBK"};
        set_fmt(g, c->inf_account, "50100%07u", (unsigned)(i * 7919 % 10000000));
        set_fmt(g, c->inf_ifsc, "%s0%06u", banks[i % 5], (unsigned)(i * 104729 % 1000000));
    }
}

static int emit_influencers(struct demo_gen *g)
{
    const struct demo_cols *c = &g->col;
    for (uint32_t i = 0; i < g->ninfluencers; i++) {
        const struct demo_influencer *in = &g->inf[i];
        row_start(g, DS_INFLUENCERS);
        set_influencer_id(g, c->inf_id, i);
        set_fmt(g, c->inf_name, "%s %s", influencer_first_name(in), surnames[in->surname]);
        set_str(g, c->inf_category, categories[in->category]);
        set_str(g, c->inf_gender, genders[in->gender]);
        schema_row_set_int(&g->row, c->inf_followers, in->followers);
        set_str(g, c->inf_platform, platforms[in->platform]);
        set_payment_details(g, i);
        int rc = row_emit(g);
        if (rc < 0)
            return rc;
    }
    return 0;
}

/* A platform-shaped link to the post. */
static void post_url(struct demo_rng *r, const struct demo_influencer *in, uint32_t i,
                     struct buf *out)
{
    static const char alphabet[] =
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    char code[12];
    for (int k = 0; k < 11; k++)
        code[k] = alphabet[rng_below(r, 64)];
    code[11] = '\0';
    unsigned long long status = 1800000000000000000ull + rng_below(r, 100000000000000000ull);
    struct buf handle = BUF_INIT;
    handle_of(in, i, &handle);
    const char *h = buf_cstr(&handle);
    switch (in->platform) {
    case PF_INSTAGRAM:
        buf_printf(out, "https://www.instagram.com/p/%s/", code);
        break;
    case PF_YOUTUBE:
        buf_printf(out, "https://www.youtube.com/watch?v=%s", code);
        break;
    case PF_TWITTER:
        buf_printf(out, "https://x.com/%s/status/%llu", h, status);
        break;
    case PF_FACEBOOK:
        buf_printf(out, "https://www.facebook.com/%s/posts/%llu", h, status);
        break;
    case PF_TIKTOK:
        buf_printf(out, "https://www.tiktok.com/@%s/video/%llu", h, status);
        break;
    default:
        buf_printf(out, "https://www.linkedin.com/posts/%s_activity-%llu", h, status);
        break;
    }
    buf_release(&handle);
}

/* A caption that names the brand and product, with a promo code and the campaign tag;
 * some span two lines, as real captions do. */
static void post_caption(struct demo_rng *r, const struct demo_influencer *in, int campaign,
                         const char *product, struct buf *out)
{
    const struct demo_campaign *cp = &campaigns[campaign];
    const char *brand = brand_names[cp->brand];
    struct buf code = BUF_INIT;
    for (const char *s = influencer_first_name(in); *s; s++)
        buf_putc(&code, (char)(*s & ~0x20));
    buf_puts(&code, "10");
    switch (rng_below(r, 4)) {
    case 0:
        buf_printf(out, "My go-to lately: %s. Use code %s for 10%% off! #%s #%s #ad", product,
                   buf_cstr(&code), cp->hashtag_topic, brand);
        break;
    case 1:
        buf_printf(out,
                   "Honest review of %s after 30 days \xF0\x9F\x92\xAA\n"
                   "Link in bio, code %s. #%s #%s #Collaboration",
                   product, buf_cstr(&code), brand, cp->hashtag_topic);
        break;
    case 2:
        buf_printf(out,
                   "Partnered with %s for #%s \xE2\x80\x94 trying %s. Code %s works till "
                   "the end of the campaign. #Sponsored",
                   brand, cp->hashtag_topic, product, buf_cstr(&code));
        break;
    default:
        buf_printf(out, "Daily routine ft. %s (%s). Use %s at checkout! #ad #%s", product, brand,
                   buf_cstr(&code), cp->hashtag_topic);
        break;
    }
    buf_release(&code);
}

static int emit_posts(struct demo_gen *g)
{
    const struct demo_cols *c = &g->col;
    struct demo_rng r;
    rng_seed(&r, g->opts.seed, 2);
    struct demo_rng cross;
    rng_seed(&cross, g->opts.seed, 6);
    struct buf text = BUF_INIT;
    int rc = 0;
    for (uint32_t p = 0; p < g->nposts && rc == 0; p++) {
        const struct demo_post *post = &g->posts[p];
        const struct demo_influencer *in = &g->inf[post->influencer];
        int campaign = in->campaign[post->slot];
        int brand = campaigns[campaign].brand;
        const char *product = products[brand][post->product].name;

        int64_t reach = (int64_t)llround((double)in->followers * rng_uniform(&r, 0.05, 0.6));
        double engagement =
            (double)reach * platform_engagement[in->platform] * rng_uniform(&r, 0.5, 1.6);
        row_start(g, DS_POSTS);
        set_fmt(g, c->post_id, "POST%06u", p + 1);
        set_influencer_id(g, c->post_influencer, post->influencer);
        /* a few posts go out on another platform than the influencer's own */
        int platform = in->platform;
        if (rng_unit(&cross) < DEMO_CROSS_PLATFORM_SHARE)
            platform = (platform + 1 + (int)rng_below(&cross, NPLATFORMS - 1)) % NPLATFORMS;
        set_str(g, c->post_platform, platforms[platform]);
        set_date(g, c->post_date, post->day);
        buf_reset(&text);
        post_url(&r, in, post->influencer, &text);
        schema_row_set_text(&g->row, c->post_url, buf_cstr(&text), text.len);
        buf_reset(&text);
        post_caption(&r, in, campaign, product, &text);
        schema_row_set_text(&g->row, c->post_caption, buf_cstr(&text), text.len);
        schema_row_set_int(&g->row, c->post_reach, reach);
        schema_row_set_int(&g->row, c->post_likes, (int64_t)llround(engagement * 0.80));
        schema_row_set_int(&g->row, c->post_comments, (int64_t)llround(engagement * 0.08));
        schema_row_set_int(&g->row, c->post_shares, (int64_t)llround(engagement * 0.06));
        schema_row_set_int(&g->row, c->post_saves, (int64_t)llround(engagement * 0.06));
        if (in->platform != PF_TWITTER && in->platform != PF_LINKEDIN)
            schema_row_set_int(&g->row, c->post_views,
                               (int64_t)llround((double)reach * rng_uniform(&r, 0.3, 1.1)));
        schema_row_set_int(&g->row, c->post_impressions,
                           (int64_t)llround((double)reach * rng_uniform(&r, 1.1, 1.8)));
        if (!post->untagged) {
            set_str(g, c->post_brand, brand_names[brand]);
            set_str(g, c->post_campaign, campaigns[campaign].name);
            set_str(g, c->post_product, product);
        }
        rc = row_emit(g);
    }
    buf_release(&text);
    return rc;
}

/* Sales follow a post: most within three days, a tail up to ten. */
static int32_t days_after_post(struct demo_rng *r)
{
    double u = rng_unit(r);
    if (u < 0.30)
        return 0;
    if (u < 0.75)
        return (int32_t)rng_range(r, 1, 3);
    return (int32_t)rng_range(r, 4, 10);
}

/* Sets product, orders and revenue (orders × the discounted unit price); returns the
 * orders and writes the revenue. */
static int64_t set_sale(struct demo_gen *g, struct demo_rng *r, int brand, int product,
                        int64_t *revenue)
{
    const struct demo_cols *c = &g->col;
    const struct demo_product *pr = &products[brand][product];
    int64_t orders = rng_pick(r, orders_weights, NELEM(orders_weights));
    int64_t discount = rng_range(r, 0, MAX_DISCOUNT_PCT);
    int64_t unit = (pr->list_paise * (100 - discount) + 50) / 100;
    *revenue = orders * unit;
    set_str(g, c->trk_product, pr->name);
    set_str(g, c->trk_brand, brand_names[brand]);
    schema_row_set_int(&g->row, c->trk_orders, orders);
    schema_row_set_int(&g->row, c->trk_revenue, *revenue);
    return orders;
}

static void set_user(struct demo_gen *g, struct demo_rng *r)
{
    set_fmt(g, g->col.trk_user, "U%llu", (unsigned long long)rng_range(r, 1, (int64_t)g->users));
}

static void tracking_organic(struct demo_gen *g, struct demo_rng *r)
{
    const struct demo_cols *c = &g->col;
    int brand = rng_pick(r, organic_brand_weights, NBRANDS);
    int64_t revenue;
    set_str(g, c->trk_source, "organic");
    set_user(g, r);
    set_sale(g, r, brand, (int)rng_below(r, PRODUCTS_PER_BRAND), &revenue);
    set_date(g, c->trk_date, (int32_t)rng_range(r, g->year_first, g->year_last));
}

/* A sale of the holdout campaign's control group: it saw no influencer content, so the
 * row has none, and falls anywhere in the campaign's window. */
static void tracking_control(struct demo_gen *g, struct demo_rng *r, int campaign)
{
    const struct demo_cols *c = &g->col;
    int64_t revenue;
    set_str(g, c->trk_source, "holdout_control");
    set_str(g, c->trk_campaign, campaigns[campaign].name);
    set_user(g, r);
    set_sale(g, r, campaigns[campaign].brand, (int)rng_below(r, PRODUCTS_PER_BRAND), &revenue);
    set_date(g, c->trk_date,
             (int32_t)rng_range(r, g->campaign_from[campaign], g->campaign_to[campaign]));
    set_str(g, c->trk_campaign_type, "Control");
}

static uint32_t pick_influencer(const struct demo_gen *g, struct demo_rng *r)
{
    double x = rng_unit(r) * g->cumulative[g->ninfluencers - 1];
    uint32_t lo = 0, hi = g->ninfluencers - 1;
    while (lo < hi) {
        uint32_t mid = lo + (hi - lo) / 2;
        if (g->cumulative[mid] > x)
            hi = mid;
        else
            lo = mid + 1;
    }
    return lo;
}

/* An order driven by one of an influencer's posts: dated just after it, for its campaign
 * and usually its product. Adds to the influencer's attributed totals. */
static void tracking_attributed(struct demo_gen *g, struct demo_rng *r)
{
    const struct demo_cols *c = &g->col;
    uint32_t i = pick_influencer(g, r);
    const struct demo_influencer *in = &g->inf[i];
    const struct demo_post *post = &g->posts[in->first_post + rng_below(r, in->nposts)];
    int campaign = in->campaign[post->slot];
    if (campaign == HOLDOUT_CAMPAIGN && rng_unit(r) < DEMO_CONTROL_SHARE) {
        tracking_control(g, r, campaign);
        return;
    }
    int brand = campaigns[campaign].brand;
    int product = rng_unit(r) < 0.6 ? post->product : (int)rng_below(r, PRODUCTS_PER_BRAND);
    if (rng_unit(r) < 0.25)
        set_str(g, c->trk_source, "promo_code");
    else
        set_str(g, c->trk_source, platform_sources[in->platform][rng_below(r, 3)]);
    set_str(g, c->trk_campaign, campaigns[campaign].name);
    set_influencer_id(g, c->trk_influencer, i);
    set_user(g, r);
    int64_t revenue;
    int64_t orders = set_sale(g, r, brand, product, &revenue);
    int32_t day = post->day + days_after_post(r);
    set_date(g, c->trk_date, day > g->year_last ? g->year_last : day);
    set_str(g, c->trk_campaign_type, "Test");
    schema_row_set_int(&g->row, c->trk_clicks, orders * rng_range(r, 3, 40));
    size_t slot = (size_t)i * DEMO_MAX_CAMPAIGNS_PER_INF + post->slot;
    g->attributed_orders[slot] += orders;
    g->attributed_revenue[slot] += revenue;
}

static int emit_tracking(struct demo_gen *g)
{
    struct demo_rng r;
    rng_seed(&r, g->opts.seed, 3);
    for (uint64_t t = 0; t < g->opts.rows; t++) {
        row_start(g, DS_TRACKING);
        set_fmt(g, g->col.trk_id, "TRK%09llu", (unsigned long long)(t + 1));
        if (rng_unit(&r) < DEMO_ORGANIC_SHARE)
            tracking_organic(g, &r);
        else
            tracking_attributed(g, &r);
        int rc = row_emit(g);
        if (rc < 0)
            return rc;
        if ((t & 4095) == 4095)
            progress_update(g, t + 1, 0);
    }
    progress_update(g, g->opts.rows, 1);
    return 0;
}

static int64_t mul_div_round(int64_t a, int64_t b, int64_t div)
{
    __int128 p = (__int128)a * b;
    return (int64_t)(p >= 0 ? (p + div / 2) / div : -((-p + div / 2) / div));
}

/* One payout per influencer and campaign, its total following exactly from its terms and
 * the attributed totals gathered while the tracking rows streamed past. */
static int emit_payouts(struct demo_gen *g)
{
    const struct demo_cols *c = &g->col;
    struct demo_rng r, terms;
    rng_seed(&r, g->opts.seed, 4);
    rng_seed(&terms, g->opts.seed, 7); /* hybrid terms and undated fees (SPEC §3.1) */
    uint32_t id = 0;
    for (uint32_t i = 0; i < g->ninfluencers; i++) {
        const struct demo_influencer *in = &g->inf[i];
        int hybrid = in->basis == BASIS_FLAT && rng_unit(&terms) < DEMO_HYBRID_SHARE;
        /* the posts of each campaign that carry it (the others are priced by a row of
         * their own, below) */
        uint32_t tagged[DEMO_MAX_CAMPAIGNS_PER_INF] = {0};
        for (uint32_t p = in->first_post; p < in->first_post + in->nposts; p++)
            if (!g->posts[p].untagged)
                tagged[g->posts[p].slot]++;
        for (int k = 0; k < in->ncampaigns; k++) {
            int campaign = in->campaign[k];
            size_t slot = (size_t)i * DEMO_MAX_CAMPAIGNS_PER_INF + (size_t)k;
            int64_t orders = g->attributed_orders[slot];
            int64_t revenue = g->attributed_revenue[slot];
            int64_t posts = tagged[k]; /* the posts that carry the campaign */
            int64_t total;
            switch (in->basis) {
            case BASIS_POST:
                total = mul_div_round(in->rate, posts, 10000);
                break;
            case BASIS_ORDER:
                total = mul_div_round(in->rate, orders, 10000);
                break;
            case BASIS_REVENUE_SHARE:
                total = mul_div_round(in->rate, revenue, 1000000);
                break;
            default:
                total = in->flat_fee[k];
                if (hybrid)
                    total += mul_div_round(DEMO_HYBRID_REVENUE_SHARE, revenue, 1000000);
                break;
            }
            row_start(g, DS_PAYOUTS);
            set_fmt(g, c->pay_id, "PAY%05u", ++id);
            set_influencer_id(g, c->pay_influencer, i);
            set_str(g, c->pay_campaign, campaigns[campaign].name);
            set_str(g, c->pay_basis, hybrid ? "hybrid" : basis_names[in->basis]);
            if (in->basis != BASIS_FLAT)
                schema_row_set_int(&g->row, c->pay_rate, in->rate);
            schema_row_set_int(&g->row, c->pay_orders, orders);
            schema_row_set_int(&g->row, c->pay_posts, posts);
            /* the revenue a payout row records is a summary (the engine prices from the
             * tracking rows): past what one amount may hold (a mega influencer's campaign in
             * tens of millions of rows) it is left empty rather than refused at import */
            if (revenue <= SCHEMA_MONEY_MAX)
                schema_row_set_int(&g->row, c->pay_revenue, revenue);
            schema_row_set_int(&g->row, c->pay_total, total);
            int32_t day = g->campaign_to[campaign] + (int32_t)rng_range(&r, 7, 30);
            int undated = in->basis == BASIS_FLAT && rng_unit(&terms) < DEMO_UNDATED_FEE_SHARE;
            if (!undated)
                set_date(g, c->pay_date, day > g->year_last ? g->year_last : day);
            set_str(g, c->pay_status, rng_unit(&r) < 0.70 ? "Paid" : "Pending");
            int rc = row_emit(g);
            if (rc < 0)
                return rc;
        }
        if (in->basis == BASIS_POST && in->untagged > 0) {
            /* the posts that carry no campaign, under the same rate without one */
            row_start(g, DS_PAYOUTS);
            set_fmt(g, c->pay_id, "PAY%05u", ++id);
            set_influencer_id(g, c->pay_influencer, i);
            set_str(g, c->pay_basis, basis_names[BASIS_POST]);
            schema_row_set_int(&g->row, c->pay_rate, in->rate);
            schema_row_set_int(&g->row, c->pay_orders, 0);
            schema_row_set_int(&g->row, c->pay_posts, in->untagged);
            schema_row_set_int(&g->row, c->pay_revenue, 0);
            schema_row_set_int(&g->row, c->pay_total, mul_div_round(in->rate, in->untagged, 10000));
            set_date(g, c->pay_date, g->year_last);
            set_str(g, c->pay_status, "Pending");
            int rc = row_emit(g);
            if (rc < 0)
                return rc;
        }
    }
    return 0;
}

static void gen_init(struct demo_gen *g, const struct demo_opts *o, demo_row_fn fn, void *ctx)
{
    memset(g, 0, sizeof *g);
    if (o) {
        g->opts = *o;
    } else {
        g->opts.rows = DEMO_DEFAULT_ROWS;
        g->opts.seed = DEMO_DEFAULT_SEED;
    }
    schema_config_default(&g->cfg);
    lookup_cols(&g->col);
    g->year_first = iso_days(YEAR_FIRST);
    g->year_last = iso_days(YEAR_LAST);
    for (int c = 0; c < NCAMPAIGNS; c++) {
        g->campaign_from[c] = iso_days(campaigns[c].from);
        g->campaign_to[c] = iso_days(campaigns[c].to);
    }
    compute_brand_means(g);
    schema_row_init(&g->row, DS_INFLUENCERS);
    buf_init(&g->scratch);
    g->progress.on = g->opts.progress && isatty(STDERR_FILENO);
    g->progress.last = now_seconds();
    g->fn = fn;
    g->ctx = ctx;
}

static void gen_release(struct demo_gen *g)
{
    free(g->inf);
    free(g->posts);
    free(g->cumulative);
    free(g->attributed_orders);
    free(g->attributed_revenue);
    schema_row_release(&g->row);
    buf_release(&g->scratch);
}

/* When fn fails, its return value comes back and e is left as fn left it: the callback
 * owns the message (demo_load and demo_write_csv pass e through their context). */
int demo_generate(const struct demo_opts *o, demo_row_fn fn, void *ctx, struct err *e)
{
    assert(fn);
    if (o && o->rows > DEMO_MAX_ROWS)
        return err_set(e, ERR_LIMIT, "--rows %llu: at most %u tracking rows",
                       (unsigned long long)o->rows, DEMO_MAX_ROWS);
    struct demo_gen g;
    gen_init(&g, o, fn, ctx);
    build_model(&g);
    int rc = emit_influencers(&g);
    if (rc == 0)
        rc = emit_posts(&g);
    if (rc == 0)
        rc = emit_tracking(&g);
    if (rc == 0)
        rc = emit_payouts(&g);
    if (rc < 0 && g.progress.printed)
        fputc('\n', stderr);
    gen_release(&g);
    return rc;
}

/* ---- into the store ---------------------------------------------------------------- */

/* Rows are stored in batches: store_put_many is much faster than one row at a time. */
#define LOAD_BATCH 1024

struct load_ctx {
    struct store *store;
    struct err *e;
    int64_t count[DS_COUNT];
    struct schema_row *batch; /* LOAD_BATCH rows, reused */
    size_t n;
};

static int load_flush(struct load_ctx *l)
{
    int rc = store_put_many(l->store, l->batch, l->n, l->e);
    l->n = 0;
    return rc;
}

static int load_row(void *ctx, const struct schema_row *row)
{
    struct load_ctx *l = ctx;
    schema_row_copy(&l->batch[l->n++], row);
    l->count[row->ds]++;
    return l->n == LOAD_BATCH ? load_flush(l) : 0;
}

static void describe_opts(const struct demo_opts *o, char *out, size_t n)
{
    snprintf(out, n, "demo --rows %llu --seed %llu",
             (unsigned long long)(o ? o->rows : DEMO_DEFAULT_ROWS),
             (unsigned long long)(o ? o->seed : DEMO_DEFAULT_SEED));
}

int demo_load(struct store *s, const struct demo_opts *o, struct err *e)
{
    assert(s);
    struct load_ctx l = {s, e, {0}, NULL, 0};
    int64_t started = (int64_t)time(NULL);
    int rc = store_begin(s, e);
    if (rc < 0)
        return rc;
    l.batch = xcalloc(LOAD_BATCH, sizeof *l.batch);
    for (size_t i = 0; i < LOAD_BATCH; i++)
        schema_row_init(&l.batch[i], DS_INFLUENCERS);
    for (int ds = 0; ds < DS_COUNT && rc == 0; ds++)
        rc = store_clear(s, (enum dataset)ds, e);
    if (rc == 0)
        rc = demo_generate(o, load_row, &l, e);
    if (rc == 0 && l.n)
        rc = load_flush(&l);
    for (size_t i = 0; i < LOAD_BATCH; i++)
        schema_row_release(&l.batch[i]);
    free(l.batch);
    for (int ds = 0; ds < DS_COUNT && rc == 0; ds++) {
        struct store_import_log log;
        memset(&log, 0, sizeof log);
        snprintf(log.dataset, sizeof log.dataset, "%s", schema_dataset((enum dataset)ds)->name);
        describe_opts(o, log.file, sizeof log.file);
        snprintf(log.mode, sizeof log.mode, "replace");
        log.accepted = l.count[ds];
        log.rejected = 0;
        log.started_at = started;
        log.finished_at = (int64_t)time(NULL);
        rc = store_log_import(s, &log, e);
    }
    if (rc == 0 && o->audit_actor) {
        char detail[160];
        snprintf(detail, sizeof detail,
                 "sample data replaced every dataset: %llu tracking rows, seed %llu",
                 (unsigned long long)l.count[DS_TRACKING], (unsigned long long)o->seed);
        rc = store_audit_add(s, o->audit_actor, "demo",
                             o->audit_workspace ? o->audit_workspace : "default", "all datasets",
                             detail, e);
    }
    if (rc == 0)
        rc = store_commit(s, e);
    if (rc < 0) {
        store_rollback(s);
        err_prefix(e, "demo");
    }
    return rc;
}

/* ---- into CSV files ---------------------------------------------------------------- */

static const char *const csv_names[DS_COUNT] = {"influencers.csv", "posts.csv", "tracking_data.csv",
                                                "payouts.csv"};

struct csv_file {
    char *path, *tmp_path; /* written to tmp_path, renamed to path when complete */
    FILE *fp;
    struct buf out;
};

struct csv_ctx {
    struct csv_file f[DS_COUNT];
    struct err *e;
};

static int csv_flush(struct csv_file *f, struct err *e)
{
    if (f->out.len && fwrite(f->out.data, 1, f->out.len, f->fp) != f->out.len)
        return err_set(e, ERR_IO, "%s: cannot write: %s", f->tmp_path, strerror(errno));
    buf_reset(&f->out);
    return 0;
}

static int csv_row(void *ctx, const struct schema_row *row)
{
    struct csv_ctx *c = ctx;
    struct csv_file *f = &c->f[row->ds];
    export_csv_row(row, NULL, &f->out);
    return f->out.len >= DEMO_CSV_FLUSH ? csv_flush(f, c->e) : 0;
}

int demo_write_csv(const char *dir, const struct demo_opts *o, struct err *e)
{
    assert(dir);
    struct csv_ctx c;
    memset(&c, 0, sizeof c);
    c.e = e;
    int rc = 0;
    for (int ds = 0; ds < DS_COUNT && rc == 0; ds++) {
        struct csv_file *f = &c.f[ds];
        struct buf path = BUF_INIT;
        buf_printf(&path, "%s/%s", dir, csv_names[ds]);
        f->path = buf_detach(&path);
        buf_printf(&path, "%s.tmp", f->path);
        f->tmp_path = buf_detach(&path);
        buf_init(&f->out);
        f->fp = fopen(f->tmp_path, "w");
        if (!f->fp) {
            rc = err_set(e, ERR_IO, "%s: cannot create: %s", f->tmp_path, strerror(errno));
            break;
        }
        export_csv_header((enum dataset)ds, NULL, 0, &f->out);
    }
    if (rc == 0)
        rc = demo_generate(o, csv_row, &c, e);
    for (int ds = 0; ds < DS_COUNT; ds++) {
        struct csv_file *f = &c.f[ds];
        if (f->fp) {
            if (rc == 0)
                rc = csv_flush(f, e);
            if (fclose(f->fp) != 0 && rc == 0)
                rc = err_set(e, ERR_IO, "%s: cannot write: %s", f->tmp_path, strerror(errno));
        }
    }
    for (int ds = 0; ds < DS_COUNT && rc == 0; ds++) {
        struct csv_file *f = &c.f[ds];
        if (rename(f->tmp_path, f->path) != 0)
            rc = err_set(e, ERR_IO, "%s: cannot rename to %s: %s", f->tmp_path, f->path,
                         strerror(errno));
    }
    for (int ds = 0; ds < DS_COUNT; ds++) {
        struct csv_file *f = &c.f[ds];
        if (rc < 0 && f->tmp_path && f->fp)
            unlink(f->tmp_path);
        free(f->path);
        free(f->tmp_path);
        buf_release(&f->out);
    }
    return rc;
}
