/* schema.c — the union schema: column tables, dataset detection, header mapping, records
 * into rows and derived fields (see schema.h); each value is read by schema_value.c. Pure
 * functions over bytes. Calls schema_value, payid, prefetch, buf, err and json. */
#include "schema.h"
#include "schema_impl.h"

#include <assert.h>
#include <ctype.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "json.h"
#include "payid.h"
#include "prefetch.h"

#include "banned.h"

/* ---- column tables ---------------------------------------------------------------- */

static const struct schema_col influencer_cols[] = {
    {"influencer_id", COL_ID, SCHEMA_KEY, "id|influencerid|inf_id|influencer_code"},
    {"name", COL_TEXT, 0, "influencer_name|influencer|full_name|username|handle"},
    {"category", COL_TEXT, 0, "influencer_type|niche|influencer_category"},
    {"gender", COL_GENDER, 0, "sex"},
    {"follower_count", COL_COUNT, 0, "followers|followercount|followers_count|num_followers"},
    {"platform", COL_PLATFORM, 0, "social_platform|network"},
    {"tier", COL_TEXT, 0, "influencer_tier"},
    {"persona", COL_TEXT, 0, ""},
    /* payment details (SPEC §10), checked by payid; stored in capitals except the UPI id */
    {"pan", COL_PAYID, SCHEMA_SINCE_4, "pan_number|pan_no"},
    {"gstin", COL_PAYID, SCHEMA_SINCE_4, "gst_number|gst_no|gstin_number"},
    {"bank_account", COL_PAYID, SCHEMA_SINCE_4,
     "account_number|account_no|bank_account_number|bank_account_no"},
    {"ifsc", COL_PAYID, SCHEMA_SINCE_4, "ifsc_code"},
    {"upi", COL_PAYID, SCHEMA_SINCE_4, "upi_id|vpa"},
};

static const struct schema_col post_cols[] = {
    {"post_id", COL_ID, SCHEMA_KEY, "id|postid"},
    {"influencer_id", COL_ID, SCHEMA_REQUIRED, "influencerid|inf_id"},
    {"platform", COL_PLATFORM, 0, "social_platform|network"},
    {"date", COL_DATE, 0,
     "post_date|posted_at|posted_on|published_at|publish_date|timestamp|datetime"},
    {"url", COL_TEXT, 0, "post_url|link|permalink"},
    {"caption", COL_TEXT, 0, "text|content|post_caption|description"},
    {"reach", COL_COUNT, 0, "post_reach"},
    {"likes", COL_COUNT, 0, "like_count|likes_count"},
    {"comments", COL_COUNT, 0, "comment_count|comments_count"},
    {"shares", COL_COUNT, 0, "share_count|shares_count"},
    {"saves", COL_COUNT, 0, "save_count|saves_count"},
    {"video_views", COL_COUNT, 0, "views|view_count"},
    {"impressions", COL_COUNT, 0, ""},
    {"brand", COL_BRAND, 0, "brand_mentioned|brands"},
    {"campaign", COL_TEXT, 0, "campaign_name"},
    {"product", COL_TEXT, 0, "product_name"},
};

static const struct schema_col tracking_cols[] = {
    {"tracking_id", COL_ID, SCHEMA_KEY, "id|trackingid|order_id|event_id|transaction_id"},
    {"source", COL_TEXT, 0, "utm_source|traffic_source"},
    {"campaign", COL_TEXT, 0, "campaign_name"},
    {"influencer_id", COL_ID, 0, "influencerid|inf_id"},
    {"user_id", COL_TEXT, 0, "customer_id|userid"},
    {"product", COL_TEXT, 0, "product_name|sku"},
    {"brand", COL_BRAND, 0, "brands"},
    {"date", COL_DATE, SCHEMA_REQUIRED,
     "transaction_date|order_date|purchase_date|timestamp|datetime"},
    {"orders", COL_COUNT, 0, "order_count|orders_count|quantity|qty"},
    {"revenue", COL_MONEY, SCHEMA_REQUIRED, "sales|amount|order_value|gmv|revenue_inr"},
    {"campaign_type", COL_TEXT, 0, "group|test_control|experiment_group"},
    {"clicks", COL_COUNT, 0, "click_count"},
    {"is_return", COL_FLAG, 0, "return|returned|is_refund|refund"},
    {"organic", COL_FLAG, SCHEMA_DERIVED, ""},
};

static const struct schema_col payout_cols[] = {
    {"payout_id", COL_ID, SCHEMA_KEY, "id|payoutid"},
    {"influencer_id", COL_ID, SCHEMA_REQUIRED, "influencerid|inf_id"},
    {"campaign", COL_TEXT, 0, "campaign_name"},
    {"basis", COL_BASIS, 0, "payout_basis|payment_basis|payout_type"},
    {"rate", COL_RATE, 0, "payout_rate|rate_per_unit"},
    {"orders", COL_COUNT, 0, "total_orders_by_influencer|total_orders|orders_count"},
    {"posts", COL_COUNT, 0, "posts_count|post_count|num_posts"},
    {"revenue", COL_MONEY, 0, "total_revenue"},
    {"total_payout", COL_MONEY, 0, "payout_amount|payout|total_amount|amount"},
    {"payout_date", COL_DATE, 0, "payment_date|paid_on|paid_date"},
    {"status", COL_STATUS, 0, "payment_status|payout_status"},
    {"kind", COL_PAYKIND, SCHEMA_SINCE_4, "payout_kind|payment_kind"},
};

#define NCOLS(a) ((int)(sizeof(a) / sizeof((a)[0])))

static const struct schema_dataset datasets[DS_COUNT] = {
    {"influencers", influencer_cols, NCOLS(influencer_cols), 'I'},
    {"posts", post_cols, NCOLS(post_cols), 'P'},
    {"tracking_data", tracking_cols, NCOLS(tracking_cols), 'T'},
    {"payouts", payout_cols, NCOLS(payout_cols), 'Y'},
};

/* Header aliases that name the influencer by name in posts, tracking and payouts. */
static const char influencer_name_aliases[] = "influencer_name|influencer|name|creator";

const struct schema_dataset *schema_dataset(enum dataset ds)
{
    if (ds < 0 || ds >= DS_COUNT)
        return NULL;
    return &datasets[ds];
}

int schema_col_index(enum dataset ds, const char *name)
{
    const struct schema_dataset *d = schema_dataset(ds);
    for (int i = 0; d && i < d->ncols; i++)
        if (strcmp(d->cols[i].name, name) == 0)
            return i;
    return -1;
}

/* ---- small text helpers ----------------------------------------------------------- */

/* Does squashed `key` equal the squashed name or any '|'-separated alias? */
static int matches_alias_list(const char *key, const char *list)
{
    const char *p = list;
    while (*p) {
        const char *end = strchr(p, '|');
        size_t n = end ? (size_t)(end - p) : strlen(p);
        char tmp[64];
        squash(p, n, tmp, sizeof tmp);
        if (tmp[0] && strcmp(tmp, key) == 0)
            return 1;
        p += n;
        if (*p == '|')
            p++;
    }
    return 0;
}

static int utf8_valid(const char *s, size_t len)
{
    const unsigned char *p = (const unsigned char *)s;
    size_t i = 0;
    while (i < len) {
        /* ASCII eight bytes at a time (most fields are ASCII only) */
        while (len - i >= 8) {
            uint64_t w;
            memcpy(&w, p + i, 8);
            if (w & 0x8080808080808080ULL)
                break;
            i += 8;
        }
        if (i >= len)
            break;
        unsigned char c = p[i];
        if (c < 0x80) {
            i++;
            continue;
        }
        size_t n;
        uint32_t cp;
        if (c >= 0xC2 && c <= 0xDF)
            n = 1, cp = c & 0x1F;
        else if (c >= 0xE0 && c <= 0xEF)
            n = 2, cp = c & 0x0F;
        else if (c >= 0xF0 && c <= 0xF4)
            n = 3, cp = c & 0x07;
        else
            return 0;
        if (i + n >= len)
            return 0;
        for (size_t k = 1; k <= n; k++) {
            if ((p[i + k] & 0xC0) != 0x80)
                return 0;
            cp = (cp << 6) | (p[i + k] & 0x3F);
        }
        if ((n == 2 && cp < 0x800) || (n == 3 && (cp < 0x10000 || cp > 0x10FFFF)) ||
            (cp >= 0xD800 && cp <= 0xDFFF))
            return 0;
        i += n + 1;
    }
    return 1;
}

static void shorten_value(const char *s, size_t len, char *out, size_t cap)
{
    size_t n = len < cap - 1 ? len : cap - 1;
    /* Do not cut a UTF-8 sequence in half. */
    if (n < len)
        while (n > 0 && ((unsigned char)s[n] & 0xC0) == 0x80)
            n--;
    memcpy(out, s, n);
    out[n] = '\0';
    for (size_t i = 0; i < n; i++)
        if ((unsigned char)out[i] < 0x20)
            out[i] = ' ';
}

/* ---- dataset detection ------------------------------------------------------------ */

enum dataset schema_dataset_by_name(const char *name)
{
    char k[64];
    squash(name, strlen(name), k, sizeof k);
    if (!strcmp(k, "influencers") || !strcmp(k, "influencer") || !strcmp(k, "inf"))
        return DS_INFLUENCERS;
    if (!strcmp(k, "posts") || !strcmp(k, "post"))
        return DS_POSTS;
    if (!strcmp(k, "trackingdata") || !strcmp(k, "tracking") || !strcmp(k, "trk") ||
        !strcmp(k, "orders"))
        return DS_TRACKING;
    if (!strcmp(k, "payouts") || !strcmp(k, "payout") || !strcmp(k, "pay"))
        return DS_PAYOUTS;
    return DS_NONE;
}

/* Columns that tell one dataset from the others (shared ones like influencer_id, platform,
 * date, campaign and brand say nothing). */
static const char *const distinctive[DS_COUNT] = {
    "name|category|gender|follower_count|followers|followercount|tier|persona|niche|"
    "influencer_type|influencer_name",
    "reach|likes|comments|caption|url|post_url|shares|saves|video_views|post_id|post_date|"
    "impressions",
    "revenue|orders|user_id|source|product|tracking_id|transaction_date|sales|clicks|brands",
    "basis|rate|total_payout|payout_amount|payout_id|payment_date|payout_date|status|"
    "posts_count|total_orders_by_influencer|payout_basis",
};

static enum dataset dataset_from_filename(const char *filename)
{
    if (!filename)
        return DS_NONE;
    const char *base = strrchr(filename, '/');
    base = base ? base + 1 : filename;
    char k[256];
    squash(base, strlen(base), k, sizeof k);
    if (strstr(k, "payout") || strstr(k, "payment"))
        return DS_PAYOUTS;
    if (strstr(k, "track") || strstr(k, "order") || strstr(k, "sale") || strstr(k, "conversion"))
        return DS_TRACKING;
    if (strstr(k, "post"))
        return DS_POSTS;
    if (strstr(k, "influencer") || strstr(k, "creator"))
        return DS_INFLUENCERS;
    return DS_NONE;
}

enum dataset schema_detect(const char *filename, const struct csv_field *header, size_t n,
                           struct err *e)
{
    int score[DS_COUNT] = {0};
    for (size_t i = 0; i < n; i++) {
        char k[64];
        const char *s = header[i].data;
        size_t len = header[i].len;
        trim(&s, &len);
        if (len >= sizeof k)
            continue;
        squash(s, len, k, sizeof k);
        for (int ds = 0; ds < DS_COUNT; ds++)
            if (matches_alias_list(k, distinctive[ds]))
                score[ds] += 2;
    }
    enum dataset hint = dataset_from_filename(filename);
    if (hint != DS_NONE)
        score[hint] += 1;
    int best = DS_NONE, best_score = 0, ties = 0;
    for (int ds = 0; ds < DS_COUNT; ds++) {
        if (score[ds] > best_score) {
            best = ds, best_score = score[ds], ties = 0;
        } else if (score[ds] == best_score && best_score > 0) {
            ties++;
        }
    }
    if (best == DS_NONE || ties) {
        err_set(e, ERR_INPUT,
                "cannot tell which dataset this file holds from its name and header; "
                "name it with --dataset influencers|posts|tracking_data|payouts");
        return DS_NONE;
    }
    return (enum dataset)best;
}

/* ---- configuration ---------------------------------------------------------------- */

void schema_config_default(struct schema_config *cfg)
{
    cfg->tier_bounds[0] = 10000;
    cfg->tier_bounds[1] = 100000;
    cfg->tier_bounds[2] = 500000;
    cfg->tier_bounds[3] = 1000000;
    cfg->platforms = SCHEMA_PLATFORMS_DEFAULT;
}

int schema_platforms_check(const char *list, struct err *e)
{
    size_t entries = 0;
    for (const char *p = list;;) {
        const char *end = strchr(p, ',');
        size_t n = end ? (size_t)(end - p) : strlen(p);
        const char *s = p;
        size_t len = n;
        trim(&s, &len);
        if (len == 0)
            return err_set(e, ERR_USAGE,
                           "an empty platform in \"%s\" (give names separated by commas)", list);
        if (len > 63)
            return err_set(e, ERR_USAGE, "the platform \"%.*s...\" is longer than 63 characters",
                           20, s);
        for (size_t i = 0; i < len; i++)
            if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f)
                return err_set(e, ERR_USAGE, "a control character in the platform \"%.*s\"",
                               (int)len, s);
        entries++;
        if (!end)
            break;
        p = end + 1;
    }
    return entries ? 0 : err_set(e, ERR_USAGE, "no platform given");
}

const char *schema_tier(const struct schema_config *cfg, int64_t followers)
{
    static const char *const names[] = {"Nano", "Micro", "Mid", "Macro", "Mega"};
    int i = 0;
    while (i < 4 && followers >= cfg->tier_bounds[i])
        i++;
    return names[i];
}

/* ---- rows ------------------------------------------------------------------------- */

void schema_row_init(struct schema_row *row, enum dataset ds)
{
    memset(row, 0, sizeof *row);
    row->ds = ds;
    buf_init(&row->text);
}

void schema_row_release(struct schema_row *row)
{
    buf_release(&row->text);
    enum dataset ds = row->ds;
    memset(row, 0, sizeof *row);
    row->ds = ds;
}

/* Notes that v[col] is about to be set (see nv). */
static inline void mark_set(struct schema_row *row, int col)
{
    assert(col >= 0 && col < SCHEMA_MAX_COLS);
    if (col >= row->nv)
        row->nv = col + 1;
}

void schema_row_clear(struct schema_row *row)
{
    memset(row->v, 0, (size_t)row->nv * sizeof row->v[0]); /* present 0, i 0, s NULL, len 0 */
    row->nv = 0;
    row->extra = NULL;
    row->extra_len = 0;
    row->extra_off = 0;
    row->line = 0;
    row->hash_pending = 0;
    buf_reset(&row->text);
}

/* Text values keep their offset in v[].i; pointers are refreshed after each append,
 * since the buffer may move. */
static void row_fixup(struct schema_row *row)
{
    const struct schema_dataset *d = schema_dataset(row->ds);
    for (int c = 0; c < d->ncols; c++)
        if (row->v[c].present && !schema_kind_is_int(d->cols[c].kind) && row->v[c].i >= 0)
            row->v[c].s = row->text.data + row->v[c].i; /* i < 0: borrowed, not in text */
    if (row->extra)
        row->extra = row->text.data + row->extra_off;
}

void schema_row_set_text(struct schema_row *row, int col, const char *s, size_t len)
{
    mark_set(row, col);
    struct buf *b = &row->text;
    size_t off = b->len;
    const char *before = b->data;
    if (b->data && b->cap - b->len > len + 1) { /* fits: buf_append_nul without the call */
        if (len)
            memcpy(b->data + off, s, len);
        b->data[off + len] = '\0';
        b->len = off + len + 1;
        b->data[b->len] = '\0';
    } else {
        buf_append_nul(b, s, len);
    }
    row->v[col].present = 1;
    row->v[col].i = (int64_t)off;
    row->v[col].len = len;
    row->v[col].s = b->data + off;
    if (b->data != before)
        row_fixup(row);
}

void schema_row_borrow_text(struct schema_row *row, int col, const char *s, size_t len)
{
    mark_set(row, col);
    row->v[col].present = 1;
    row->v[col].i = -1;
    row->v[col].len = len;
    row->v[col].s = s;
}

void schema_row_set_int(struct schema_row *row, int col, int64_t v)
{
    mark_set(row, col);
    row->v[col].present = 1;
    row->v[col].i = v;
    row->v[col].s = NULL;
    row->v[col].len = 0;
}

void schema_row_set_extra(struct schema_row *row, const char *json, size_t len)
{
    size_t off = row->text.len;
    buf_append(&row->text, json, len);
    buf_putc(&row->text, '\0');
    row->extra = row->text.data + off;
    row->extra_off = off;
    row->extra_len = len;
    row_fixup(row);
}

void schema_rows_prefetch(const struct schema_row *rows, size_t n, size_t i, bool for_write)
{
    void (*fetch)(const void *, size_t) = for_write ? prefetch_for_write : prefetch_for_read;
    if (i + 1 < n)
        fetch(rows[i + 1].text.data, rows[i + 1].text.len);
    if (i + 2 < n)
        fetch(&rows[i + 2], sizeof rows[i + 2]);
}

void schema_row_copy(struct schema_row *dst, const struct schema_row *src)
{
    assert(!src->hash_pending);
    schema_row_clear(dst);
    dst->ds = src->ds;
    dst->line = src->line;
    const struct schema_dataset *d = schema_dataset(src->ds);
    for (int c = 0; c < d->ncols; c++) {
        const struct schema_value *v = &src->v[c];
        if (!v->present)
            continue;
        if (schema_kind_is_int(d->cols[c].kind))
            schema_row_set_int(dst, c, v->i);
        else
            schema_row_set_text(dst, c, v->s, v->len);
    }
    if (src->extra)
        schema_row_set_extra(dst, src->extra, src->extra_len);
}

/* Appends the text of a normalised value produced into a scratch buf. */
static void set_from_buf(struct schema_row *row, int col, const struct buf *b)
{
    schema_row_set_text(row, col, buf_cstr(b), b->len);
}

static int64_t mul_div_round(int64_t a, int64_t b, int64_t div)
{
    __int128 p = (__int128)a * b;
    __int128 q = p >= 0 ? (p + div / 2) / div : -((-p + div / 2) / div);
    if (q > INT64_MAX)
        return INT64_MAX;
    if (q < INT64_MIN)
        return INT64_MIN;
    return (int64_t)q;
}

void schema_row_derive(struct schema_row *row, const struct schema_config *cfg)
{
    struct schema_value *v = row->v;
    switch (row->ds) {
    case DS_INFLUENCERS: {
        enum { ID, NAME, CATEGORY, GENDER, FOLLOWERS, PLATFORM, TIER, PERSONA };
        /* SPEC §1: an influencer of the influencers file without a gender (an empty value
         * or no such column) is Unknown, so that it is shown and a filter can select it. */
        if (!v[GENDER].present)
            schema_row_set_text(row, GENDER, "Unknown", 7);
        if (!v[TIER].present && v[FOLLOWERS].present) {
            const char *t = schema_tier(cfg, v[FOLLOWERS].i);
            schema_row_set_text(row, TIER, t, strlen(t));
        }
        if (!v[PERSONA].present && (v[CATEGORY].present || v[GENDER].present)) {
            struct buf b = BUF_INIT;
            if (v[CATEGORY].present)
                buf_append(&b, v[CATEGORY].s, v[CATEGORY].len);
            if (v[CATEGORY].present && v[GENDER].present)
                buf_puts(&b, " \xC2\xB7 "); /* " · " */
            if (v[GENDER].present)
                buf_append(&b, v[GENDER].s, v[GENDER].len);
            set_from_buf(row, PERSONA, &b);
            buf_release(&b);
        }
        break;
    }
    case DS_TRACKING: {
        enum {
            ID,
            SOURCE,
            CAMPAIGN,
            INFLUENCER,
            USER,
            PRODUCT,
            BRAND,
            DATE,
            ORDERS,
            REVENUE,
            CTYPE,
            CLICKS,
            RETURN,
            ORGANIC
        };
        if (!v[ORDERS].present)
            schema_row_set_int(row, ORDERS, 1);
        if (!v[BRAND].present) {
            const char *b = NULL;
            if (v[SOURCE].present)
                b = schema_brand_in(v[SOURCE].s, v[SOURCE].len);
            if (!b && v[PRODUCT].present)
                b = schema_brand_in(v[PRODUCT].s, v[PRODUCT].len);
            if (!b && v[CAMPAIGN].present)
                b = schema_brand_in(v[CAMPAIGN].s, v[CAMPAIGN].len);
            if (!b)
                b = "Unknown";
            schema_row_set_text(row, BRAND, b, strlen(b));
        }
        int organic = !v[INFLUENCER].present || v[INFLUENCER].len == 0 ||
                      (v[SOURCE].present && squash_eq(v[SOURCE].s, v[SOURCE].len, "organic"));
        schema_row_set_int(row, ORGANIC, organic);
        break;
    }
    case DS_PAYOUTS: {
        enum { ID, INFLUENCER, CAMPAIGN, BASIS, RATE, ORDERS, POSTS, REVENUE, TOTAL, DATE, STATUS };
        if (v[BASIS].present && !strcmp(v[BASIS].s, "order") && v[RATE].present && v[RATE].i > 0 &&
            v[RATE].i < 1000000)
            schema_row_set_text(row, BASIS, "revenue_share", 13);
        if (!v[TOTAL].present && v[BASIS].present && v[RATE].present) {
            const char *basis = v[BASIS].s;
            if (!strcmp(basis, "order") && v[ORDERS].present)
                schema_row_set_int(row, TOTAL, mul_div_round(v[RATE].i, v[ORDERS].i, 10000));
            else if (!strcmp(basis, "post") && v[POSTS].present)
                schema_row_set_int(row, TOTAL, mul_div_round(v[RATE].i, v[POSTS].i, 10000));
            else if (!strcmp(basis, "revenue_share") && v[REVENUE].present)
                schema_row_set_int(row, TOTAL, mul_div_round(v[RATE].i, v[REVENUE].i, 1000000));
        }
        break;
    }
    default:
        break;
    }
}

/* ---- header mapping --------------------------------------------------------------- */

int schema_map_init(struct schema_map *m, enum dataset ds, const struct csv_field *header, size_t n,
                    const struct schema_config *cfg, struct err *e)
{
    const struct schema_dataset *d = schema_dataset(ds);
    memset(m, 0, sizeof *m);
    m->ds = ds;
    m->cfg = cfg;
    m->nin = n;
    m->name_field = -1;
    m->col_influencer = schema_col_index(ds, "influencer_id");
    m->col_revenue = schema_col_index(ds, "revenue");
    m->col_return = schema_col_index(ds, "is_return");
    m->col_total = schema_col_index(ds, "total_payout");
    m->col_rate = schema_col_index(ds, "rate");
    m->target = xcalloc(n ? n : 1, sizeof *m->target);
    m->in_names = xcalloc(n ? n : 1, sizeof *m->in_names);
    for (int c = 0; c < SCHEMA_MAX_COLS; c++)
        m->source_of[c] = -1;

    char **keys = xcalloc(n ? n : 1, sizeof *keys);
    for (size_t f = 0; f < n; f++) {
        const char *s = header[f].data;
        size_t len = header[f].len;
        trim(&s, &len);
        if (len == 0 || !utf8_valid(s, len)) {
            char tmp[32];
            snprintf(tmp, sizeof tmp, "column_%zu", f + 1);
            m->in_names[f] = xstrdup(tmp);
        } else {
            m->in_names[f] = xstrndup(s, len);
        }
        keys[f] = xmalloc(len + 1);
        squash(s, len, keys[f], len + 1);
        m->target[f] = SCHEMA_T_EXTRA;
    }
    /* Exact canonical names first, then aliases, so that an alias never takes a column
     * whose canonical name is also present. */
    for (int pass = 0; pass < 2; pass++) {
        for (size_t f = 0; f < n; f++) {
            if (m->target[f] != SCHEMA_T_EXTRA || !keys[f][0])
                continue;
            for (int c = 0; c < d->ncols; c++) {
                if (m->source_of[c] >= 0 || (d->cols[c].flags & SCHEMA_DERIVED))
                    continue;
                char cn[64];
                squash(d->cols[c].name, strlen(d->cols[c].name), cn, sizeof cn);
                int hit = pass == 0 ? !strcmp(cn, keys[f])
                                    : matches_alias_list(keys[f], d->cols[c].aliases);
                if (hit) {
                    m->target[f] = c;
                    m->source_of[c] = (int)f;
                    break;
                }
            }
        }
    }
    if (ds != DS_INFLUENCERS) {
        for (size_t f = 0; f < n && m->name_field < 0; f++)
            if (m->target[f] == SCHEMA_T_EXTRA && keys[f][0] &&
                matches_alias_list(keys[f], influencer_name_aliases)) {
                m->target[f] = SCHEMA_T_NAME;
                m->name_field = (int)f;
            }
    }
    for (size_t f = 0; f < n; f++)
        free(keys[f]);
    free(keys);

    /* Required columns. */
    const char *missing = NULL;
    if (ds == DS_INFLUENCERS) {
        if (m->source_of[0] < 0) {
            if (m->source_of[1] < 0)
                missing = "influencer_id (or name)";
            else
                m->ids_from_names = 1;
        }
    } else {
        int inf = schema_col_index(ds, "influencer_id");
        for (int c = 0; c < d->ncols && !missing; c++)
            if ((d->cols[c].flags & SCHEMA_REQUIRED) && m->source_of[c] < 0 &&
                !(c == inf && m->name_field >= 0))
                missing = d->cols[c].name;
    }
    /* Posts need a date or a reach: a file with neither is either not posts at all or posts
     * that every dated view would leave out without a word (issue 14). */
    int no_date_or_reach = ds == DS_POSTS && m->source_of[schema_col_index(ds, "date")] < 0 &&
                           m->source_of[schema_col_index(ds, "reach")] < 0;
    if (missing || no_date_or_reach) {
        struct buf have = BUF_INIT;
        for (size_t f = 0; f < n; f++)
            buf_printf(&have, "%s%s", f ? ", " : "", m->in_names[f]);
        if (missing)
            err_set(e, ERR_INPUT, "missing required column \"%s\" for %s (the header has: %s)",
                    missing, d->name, buf_cstr(&have));
        else
            err_set(e, ERR_INPUT,
                    "missing columns \"date\" and \"reach\" for posts: a posts file needs at "
                    "least one of them (posts without a date are left out of every dated view) "
                    "(the header has: %s)",
                    buf_cstr(&have));
        buf_release(&have);
        schema_map_release(m);
        return ERR_INPUT;
    }
    return 0;
}

void schema_map_release(struct schema_map *m)
{
    if (m->in_names)
        for (size_t f = 0; f < m->nin; f++)
            free(m->in_names[f]);
    free(m->in_names);
    free(m->target);
    buf_release(&m->scratch);
    buf_release(&m->extra);
    m->in_names = NULL;
    m->target = NULL;
    m->nin = 0;
}

/* ---- records ---------------------------------------------------------------------- */

/* A JSON string literal for the `extra` object (escaping lives in json.c). */
static void json_escape_into(struct buf *out, const char *s, size_t len)
{
    buf_putc(out, '"');
    json_escape(out, s, len);
    buf_putc(out, '"');
}

static uint64_t fnv1a(uint64_t h, const void *p, size_t n)
{
    const unsigned char *b = p;
    for (size_t i = 0; i < n; i++) {
        h ^= b[i];
        h *= 1099511628211ULL;
    }
    return h;
}

/* The content hash behind a generated id: the dataset, every field of the record and its
 * ordinal (the record's place in the file). */
static uint64_t record_hash(const struct schema_map *m, const struct csv_record *rec,
                            uint64_t ordinal)
{
    uint64_t h = 1469598103934665603ULL;
    h = fnv1a(h, &m->ds, sizeof m->ds);
    for (size_t f = 0; f < rec->nfields; f++) {
        h = fnv1a(h, rec->fields[f].data, rec->fields[f].len);
        h = fnv1a(h, "\x1f", 1);
    }
    return fnv1a(h, &ordinal, sizeof ordinal);
}

#define FNV_BASIS 1469598103934665603ULL
#define FNV_PRIME 1099511628211ULL

/* With m->defer_ids: the id with a hash of zero, and the bytes record_hash hashes (the
 * dataset, each field and a 0x1f, the ordinal) after the row's text, for
 * schema_rows_finish_ids. */
static void defer_generated_id(const struct schema_map *m, const struct csv_record *rec,
                               struct schema_row *row, int key)
{
    char id[SCHEMA_ID_MAX];
    char prefix = schema_dataset(m->ds)->id_prefix;
    size_t id_len = schema_format_id(id, prefix, m->legacy_ids ? SCHEMA_NO_ORDINAL : m->ordinal, 0);
    schema_row_set_text(row, key, id, id_len);
    struct buf *b = &row->text;
    const char *before = b->data;
    size_t off = b->len, n = rec->nfields, total = sizeof m->ds + sizeof m->ordinal;
    bool adjacent = true; /* each field right after the last one's delimiter: one copy */
    for (size_t f = 0; f < n; f++) {
        total += rec->fields[f].len + 1;
        if (f && rec->fields[f].data != rec->fields[f - 1].data + rec->fields[f - 1].len + 1)
            adjacent = false;
    }
    char *out = buf_extend(b, total);
    memcpy(out, &m->ds, sizeof m->ds);
    out += sizeof m->ds;
    if (n && adjacent) {
        size_t span = total - sizeof m->ds - sizeof m->ordinal;
        memcpy(out, rec->fields[0].data, span - 1);
        for (size_t f = 0; f < n; f++) { /* each delimiter, and one after the last field */
            out += rec->fields[f].len;
            *out++ = '\x1f';
        }
    } else {
        for (size_t f = 0; f < n; f++) {
            memcpy(out, rec->fields[f].data, rec->fields[f].len);
            out += rec->fields[f].len;
            *out++ = '\x1f';
        }
    }
    memcpy(out, &m->ordinal, sizeof m->ordinal);
    if (b->data != before)
        row_fixup(row);
    row->hash_pending = 1;
    row->hash_off = off;
    row->hash_len = b->len - off;
}

/* The id's last 16 characters, h in hex. */
static void finish_id(struct schema_row *row, uint64_t h)
{
    static const char hex[] = "0123456789abcdef";
    struct schema_value *v = &row->v[0]; /* every dataset's key is its first column */
    assert(v->present && v->len >= 16 && v->i >= 0);
    char *out = row->text.data + v->i + v->len - 16;
    for (int shift = 60; shift >= 0; shift -= 4)
        *out++ = hex[(h >> shift) & 0xF];
    row->hash_pending = 0;
}

void schema_rows_finish_ids(struct schema_row *rows, size_t n)
{
    size_t at[4];
    int k = 0;
    for (size_t i = 0; i <= n; i++) {
        if (i < n && !rows[i].hash_pending)
            continue;
        if (i < n)
            at[k++] = i;
        if (k < 4 && i < n)
            continue;
        /* k rows: their chains side by side up to the shortest, then each alone */
        const unsigned char *p[4];
        size_t len[4], common = SIZE_MAX;
        uint64_t h[4] = {FNV_BASIS, FNV_BASIS, FNV_BASIS, FNV_BASIS};
        for (int j = 0; j < k; j++) {
            p[j] = (const unsigned char *)rows[at[j]].text.data + rows[at[j]].hash_off;
            len[j] = rows[at[j]].hash_len;
            if (len[j] < common)
                common = len[j];
        }
        if (k == 4) {
            uint64_t h0 = h[0], h1 = h[1], h2 = h[2], h3 = h[3];
            for (size_t x = 0; x < common; x++) {
                h0 = (h0 ^ p[0][x]) * FNV_PRIME;
                h1 = (h1 ^ p[1][x]) * FNV_PRIME;
                h2 = (h2 ^ p[2][x]) * FNV_PRIME;
                h3 = (h3 ^ p[3][x]) * FNV_PRIME;
            }
            h[0] = h0, h[1] = h1, h[2] = h2, h[3] = h3;
        } else {
            common = 0;
        }
        for (int j = 0; j < k; j++) {
            h[j] = fnv1a(h[j], p[j] + common, len[j] - common);
            finish_id(&rows[at[j]], h[j]);
        }
        k = 0;
    }
}

/* An id for a record that has none: stable for the same record at the same place in a
 * file (so re-importing a file replaces rather than duplicates), distinct for equal
 * records at different places. It is the record's ordinal (ten digits) and the content
 * hash, "T0000001042-9f2c...": the ids of a file ascend, so they go into the key's UNIQUE
 * index in order, each next to the last, where hashes alone land on a random page of it
 * every time (at 3M rows four times the import's time; the index outgrows the page cache).
 * The form of older versions, the hash alone (prefix and 16 hex digits), is kept for a
 * file whose rows the store holds in that form (m->legacy_ids). */
static size_t generated_id(const struct schema_map *m, const struct csv_record *rec,
                           char out[SCHEMA_ID_MAX])
{
    uint64_t h = record_hash(m, rec, m->ordinal);
    char prefix = schema_dataset(m->ds)->id_prefix;
    return schema_format_id(out, prefix, m->legacy_ids ? SCHEMA_NO_ORDINAL : m->ordinal, h);
}

/* Written by hand, two digits to a step: snprintf took a tenth of a file's import without
 * ids. */
size_t schema_format_id(char out[SCHEMA_ID_MAX], char prefix, uint64_t ordinal, uint64_t h)
{
    static const char dec2[] =
        "00010203040506070809101112131415161718192021222324252627282930313233"
        "34353637383940414243444546474849505152535455565758596061626364656667"
        "6869707172737475767778798081828384858687888990919293949596979899";
    static const char hex[] = "0123456789abcdef";
    size_t n = 0;
    out[n++] = prefix;
    if (ordinal != SCHEMA_NO_ORDINAL) {
        char digits[20];
        size_t nd = sizeof digits; /* written from the end */
        while (ordinal >= 100) {
            nd -= 2;
            memcpy(digits + nd, dec2 + 2 * (ordinal % 100), 2);
            ordinal /= 100;
        }
        if (ordinal >= 10) {
            nd -= 2;
            memcpy(digits + nd, dec2 + 2 * ordinal, 2);
        } else {
            digits[--nd] = (char)('0' + ordinal);
        }
        for (size_t k = sizeof digits - nd; k < 10; k++)
            out[n++] = '0';
        memcpy(out + n, digits + nd, sizeof digits - nd);
        n += sizeof digits - nd;
        out[n++] = '-';
    }
    for (int shift = 56; shift >= 0; shift -= 8) {
        unsigned byte = (unsigned)(h >> shift) & 0xFF;
        out[n++] = hex[byte >> 4];
        out[n++] = hex[byte & 0xF];
    }
    out[n] = '\0';
    return n;
}

int schema_map_legacy_id(const struct schema_map *m, const struct csv_record *rec,
                         char out[SCHEMA_ID_MAX])
{
    if (m->ds == DS_INFLUENCERS)
        return 0;
    int f = m->source_of[0];
    if (f >= 0 && (size_t)f < rec->nfields) {
        const char *s = rec->fields[f].data;
        size_t len = rec->fields[f].len;
        trim(&s, &len);
        if (len > 0)
            return 0; /* the record has its id */
    }
    snprintf(out, SCHEMA_ID_MAX, "%c%016llx", schema_dataset(m->ds)->id_prefix,
             (unsigned long long)record_hash(m, rec, m->ordinal + 1));
    return 1;
}

/* The length an id keeps: "32.0" → "32" (ids that went through a float column). */
static size_t id_length(const char *s, size_t n)
{
    size_t dot = 0;
    while (dot < n && s[dot] >= '0' && s[dot] <= '9')
        dot++;
    if (dot > 0 && dot < n && s[dot] == '.') {
        size_t k = dot + 1;
        while (k < n && s[k] == '0')
            k++;
        if (k == n && k > dot + 1)
            return dot;
    }
    return n;
}

/* Lower-cased, spaces collapsed, then as any id (id_length): the id of an influencer
 * known only by name, the same when it comes back from an export as an id. */
static void name_to_id(const char *s, size_t len, struct buf *out)
{
    int space = 0;
    size_t start = out->len;
    trim(&s, &len);
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)s[i];
        if (is_space(c)) {
            space = 1;
            continue;
        }
        if (space)
            buf_putc(out, ' ');
        space = 0;
        buf_putc(out, (char)tolower(c));
    }
    out->len = start + id_length(out->data ? out->data + start : "", out->len - start);
    if (out->data)
        out->data[out->len] = '\0';
}

static int reject(struct schema_reject *rej, uint64_t line, const char *column, const char *value,
                  size_t vlen, const char *reason)
{
    rej->line = line;
    snprintf(rej->column, sizeof rej->column, "%s", column);
    shorten_value(value, vlen, rej->value, sizeof rej->value);
    snprintf(rej->reason, sizeof rej->reason, "%s", reason);
    return -1;
}

/* The entry of list (comma-separated) that names the platform name/len, ignoring case and
 * spaces: its start and length in at and at_len; 0 when none does. */
static int platform_listed(const char *list, const char *name, size_t len, const char **at,
                           size_t *at_len)
{
    char want[64], have[64];
    if (len >= sizeof want)
        return 0;
    squash(name, len, want, sizeof want);
    for (const char *p = list; *p;) {
        const char *end = strchr(p, ',');
        size_t n = end ? (size_t)(end - p) : strlen(p);
        const char *e = p;
        size_t elen = n;
        trim(&e, &elen);
        if (elen > 0 && elen < sizeof have) {
            squash(e, elen, have, sizeof have);
            if (!strcmp(want, have)) {
                *at = e;
                *at_len = elen;
                return 1;
            }
        }
        p += n + (end ? 1 : 0);
    }
    return 0;
}

/* A platform as a row stores it: normalised, then the listed spelling; -1 with a reason
 * naming the known platforms (in m->reason) when the list has none such. */
static int put_platform(struct schema_map *m, const char *s, size_t len, struct buf *scratch,
                        const char **reason)
{
    const char *list = m->cfg && m->cfg->platforms ? m->cfg->platforms : SCHEMA_PLATFORMS_DEFAULT;
    schema_norm_platform(s, len, scratch);
    const char *at;
    size_t at_len;
    if (platform_listed(list, scratch->data, scratch->len, &at, &at_len)) {
        buf_reset(scratch);
        buf_append(scratch, at, at_len);
        return 0;
    }
    /* "not a known platform (known: Instagram, YouTube, …)" */
    size_t used = (size_t)snprintf(m->reason, sizeof m->reason, "not a known platform (known: ");
    for (const char *p = list; *p && used < sizeof m->reason;) {
        const char *end = strchr(p, ',');
        size_t n = end ? (size_t)(end - p) : strlen(p);
        const char *e = p;
        size_t elen = n;
        trim(&e, &elen);
        if (elen > 0) {
            int w = snprintf(m->reason + used, sizeof m->reason - used, "%s%.*s",
                             p == list ? "" : ", ", (int)elen, e);
            used += w > 0 ? (size_t)w : 0;
        }
        p += n + (end ? 1 : 0);
    }
    if (used < sizeof m->reason)
        snprintf(m->reason + used, sizeof m->reason - used, ")");
    *reason = m->reason;
    return -1;
}

/* A payment detail (pan, gstin, bank_account, ifsc, upi) checked by payid: -1 with payid's
 * message (in m->reason) when it is not one. PAN, GSTIN and IFSC are stored in capitals
 * (either case is accepted); a UPI id and an account number as given. */
static int put_payid(struct schema_map *m, const char *name, const char *s, size_t len,
                     struct buf *scratch, const char **reason)
{
    buf_append(scratch, s, len);
    int upper = strcmp(name, "upi") != 0;
    if (upper)
        for (size_t i = 0; i < scratch->len; i++)
            scratch->data[i] = (char)toupper((unsigned char)scratch->data[i]);
    const char *v = buf_cstr(scratch);
    struct err e;
    err_clear(&e);
    int rc;
    if (!strcmp(name, "pan"))
        rc = payid_pan(v, &e);
    else if (!strcmp(name, "gstin"))
        rc = payid_gstin(v, &e);
    else if (!strcmp(name, "ifsc"))
        rc = payid_ifsc(v, &e);
    else if (!strcmp(name, "upi"))
        rc = payid_upi(v, &e);
    else
        rc = payid_bank_account(v, &e);
    if (rc < 0) {
        size_t n = strlen(e.msg);
        n = n < sizeof m->reason ? n : sizeof m->reason - 1;
        memcpy(m->reason, e.msg, n);
        m->reason[n] = '\0';
        *reason = m->reason;
        return -1;
    }
    return 0;
}

/* A payout's kind: fee (cash for services) or product (goods the influencer keeps), in
 * any letter case; anything else is refused. */
static int put_paykind(const char *s, size_t len, struct buf *scratch, const char **reason)
{
    if (len == 3 && strncasecmp(s, "fee", 3) == 0)
        buf_puts(scratch, "fee");
    else if (len == 7 && strncasecmp(s, "product", 7) == 0)
        buf_puts(scratch, "product");
    else {
        *reason = "not a payout kind (fee: cash for services, product: goods the influencer "
                  "keeps)";
        return -1;
    }
    return 0;
}

/* Normalises one field into canonical column c. */
static int put_field(struct schema_map *m, struct schema_row *row, int c, const char *s, size_t len,
                     struct buf *scratch, struct buf *extra, const char **reason)
{
    const struct schema_col *col = &schema_dataset(m->ds)->cols[c];
    int64_t iv;
    buf_reset(scratch);
    switch (col->kind) {
    case COL_COUNT:
        if (schema_parse_count(s, len, &iv, reason) < 0)
            return -1;
        schema_row_set_int(row, c, iv);
        return 0;
    case COL_MONEY:
        if (schema_parse_money(s, len, &iv, reason) < 0)
            return -1;
        schema_row_set_int(row, c, iv);
        return 0;
    case COL_RATE: {
        int tail = 0;
        if (schema_parse_rate_text(s, len, &iv, reason, &tail) < 0)
            return -1;
        schema_row_set_int(row, c, iv);
        if (tail) { /* keep the terms as written ("₹58,800/post + 6.8%") */
            buf_putc(extra, extra->len ? ',' : '{');
            json_escape_into(extra, "rate_text", 9);
            buf_putc(extra, ':');
            json_escape_into(extra, s, len);
        }
        return 0;
    }
    case COL_FLAG:
        if (schema_parse_flag(s, len, &iv) < 0) {
            *reason = "not a yes/no value";
            return -1;
        }
        schema_row_set_int(row, c, iv);
        return 0;
    case COL_DATE:
        if (schema_parse_date(s, len, scratch, reason) < 0)
            return -1;
        break;
    case COL_GENDER:
        schema_norm_gender(s, len, scratch);
        break;
    case COL_PLATFORM:
        if (put_platform(m, s, len, scratch, reason) < 0)
            return -1;
        break;
    case COL_BASIS:
        schema_norm_basis(s, len, scratch);
        break;
    case COL_STATUS:
        schema_norm_status(s, len, scratch);
        break;
    case COL_BRAND:
        schema_norm_brand(s, len, scratch);
        break;
    case COL_PAYID:
        if (put_payid(m, col->name, s, len, scratch, reason) < 0)
            return -1;
        break;
    case COL_PAYKIND:
        if (put_paykind(s, len, scratch, reason) < 0)
            return -1;
        break;
    case COL_ID: /* as written: straight into the row, without the scratch copy */
        schema_row_set_text(row, c, s, id_length(s, len));
        return 0;
    case COL_TEXT:
        schema_row_set_text(row, c, s, len);
        return 0;
    }
    set_from_buf(row, c, scratch);
    return 0;
}

/* Whether every field of the record is ASCII, told from one pass over the bytes the fields
 * span when they lie next to each other in the input (a CSV line without escaped quotes):
 * then no field needs utf8_valid. False when they do not, or when a byte of the span is not
 * ASCII: each field is then checked alone. */
static bool record_ascii(const struct csv_record *rec)
{
    size_t n = rec->nfields;
    if (n == 0)
        return true;
    uintptr_t lo = (uintptr_t)rec->fields[0].data;
    uintptr_t hi = (uintptr_t)rec->fields[n - 1].data + rec->fields[n - 1].len;
    size_t total = 0;
    for (size_t f = 0; f < n; f++) {
        uintptr_t a = (uintptr_t)rec->fields[f].data;
        if (a < lo || a + rec->fields[f].len > hi)
            return false;
        total += rec->fields[f].len;
    }
    if (hi - lo > total + 3 * n) /* the separators and quotes, no more */
        return false;
    const unsigned char *p = (const unsigned char *)lo;
    size_t len = hi - lo, i = 0;
    uint64_t acc = 0;
    for (; len - i >= 8; i += 8) {
        uint64_t w;
        memcpy(&w, p + i, 8);
        acc |= w;
    }
    for (; i < len; i++)
        acc |= p[i];
    return (acc & 0x8080808080808080ULL) == 0;
}

int schema_row_build(struct schema_map *m, const struct csv_record *rec, struct schema_row *row,
                     struct schema_reject *rej)
{
    const struct schema_dataset *d = schema_dataset(m->ds);
    struct buf scratch = m->scratch, extra = m->extra;
    int rc = -1;
    buf_reset(&scratch);
    buf_reset(&extra);
    schema_row_clear(row);
    row->ds = m->ds;
    row->line = rec->line;
    m->ordinal++;

    size_t n = rec->nfields;
    if (n > m->nin) {
        for (size_t f = m->nin; f < n; f++)
            if (rec->fields[f].len) {
                char msg[128];
                snprintf(msg, sizeof msg, "record has %zu fields, the header has %zu", n, m->nin);
                reject(rej, rec->line, "", rec->fields[f].data, rec->fields[f].len, msg);
                goto out;
            }
        n = m->nin;
    }
    const char *name_s = NULL;
    size_t name_len = 0;
    bool ascii = record_ascii(rec);
    for (size_t f = 0; f < n; f++) {
        const char *s = rec->fields[f].data;
        size_t len = rec->fields[f].len;
        trim(&s, &len);
        if (len == 0)
            continue;
        if (!ascii && !utf8_valid(s, len)) {
            reject(rej, rec->line, m->in_names[f], s, len,
                   "invalid UTF-8 text (save the file as UTF-8)");
            goto out;
        }
        int t = m->target[f];
        if (t >= 0) {
            const char *reason = NULL;
            if (put_field(m, row, t, s, len, &scratch, &extra, &reason) < 0) {
                reject(rej, rec->line, m->in_names[f], s, len, reason);
                goto out;
            }
        } else if (t == SCHEMA_T_NAME) {
            name_s = s;
            name_len = len;
        } else if (t == SCHEMA_T_EXTRA) {
            buf_putc(&extra, extra.len ? ',' : '{');
            json_escape_into(&extra, m->in_names[f], strlen(m->in_names[f]));
            buf_putc(&extra, ':');
            json_escape_into(&extra, s, len);
        }
    }

    /* Ids: given, derived from the name, or generated. */
    int key = 0, inf = m->col_influencer;
    if (m->ds == DS_INFLUENCERS) {
        if (!row->v[key].present && row->v[1].present) {
            buf_reset(&scratch);
            name_to_id(row->v[1].s, row->v[1].len, &scratch);
            set_from_buf(row, key, &scratch);
        }
        if (!row->v[key].present) {
            int f = m->source_of[key] >= 0 ? m->source_of[key] : m->source_of[1];
            reject(rej, rec->line, f >= 0 ? m->in_names[f] : "influencer_id", "", 0,
                   "missing influencer id and name");
            goto out;
        }
    } else {
        if (!row->v[inf].present && name_s) {
            buf_reset(&scratch);
            name_to_id(name_s, name_len, &scratch);
            set_from_buf(row, inf, &scratch);
        } else if (name_s) {
            buf_putc(&extra, extra.len ? ',' : '{');
            json_escape_into(&extra, m->in_names[m->name_field],
                             strlen(m->in_names[m->name_field]));
            buf_putc(&extra, ':');
            json_escape_into(&extra, name_s, name_len);
        }
        if (!row->v[key].present && m->defer_ids) {
            defer_generated_id(m, rec, row, key);
        } else if (!row->v[key].present) {
            char id[SCHEMA_ID_MAX];
            size_t id_len = generated_id(m, rec, id);
            schema_row_set_text(row, key, id, id_len);
        }
    }
    /* Values a row must have. */
    for (int c = 0; c < d->ncols; c++) {
        if (!(d->cols[c].flags & SCHEMA_REQUIRED) || row->v[c].present)
            continue;
        if (m->ds == DS_TRACKING && c == inf)
            continue;
        int f = m->source_of[c] >= 0 ? m->source_of[c] : m->name_field;
        char msg[96];
        snprintf(msg, sizeof msg, "missing value (%s is required)", d->cols[c].name);
        reject(rej, rec->line, f >= 0 ? m->in_names[f] : d->cols[c].name, "", 0, msg);
        goto out;
    }
    if (m->ds == DS_TRACKING) {
        int rev = m->col_revenue;
        int ret = m->col_return;
        if (row->v[rev].i < 0 && !(row->v[ret].present && row->v[ret].i)) {
            /* Report the value as written, so the user can find it in the file. */
            int f = m->source_of[rev];
            const char *val = rec->fields[f].data;
            size_t val_len = rec->fields[f].len;
            trim(&val, &val_len);
            reject(rej, rec->line, m->in_names[f], val, val_len,
                   "negative revenue (only rows marked as returns, is_return=1, may be negative)");
            goto out;
        }
    }
    if (extra.len) {
        buf_putc(&extra, '}');
        schema_row_set_extra(row, extra.data, extra.len);
    }
    schema_row_derive(row, m->cfg);
    if (m->ds == DS_PAYOUTS) {
        /* A total computed from the terms (rate × orders, posts or revenue) is held to the
         * range of a given one (which parsing checked): reported at the rate. */
        int total = m->col_total;
        int rate = m->col_rate;
        const char *reason;
        if (row->v[total].present && schema_check_range(COL_MONEY, row->v[total].i, &reason) < 0) {
            int f = m->source_of[rate];
            const char *val = f >= 0 ? rec->fields[f].data : "";
            size_t val_len = f >= 0 ? rec->fields[f].len : 0;
            trim(&val, &val_len);
            char msg[256];
            snprintf(msg, sizeof msg,
                     "the total_payout these terms give (rate x orders, posts or "
                     "revenue) is %s",
                     reason);
            reject(rej, rec->line, f >= 0 ? m->in_names[f] : "rate", val, val_len, msg);
            goto out;
        }
    }
    rc = 0;
out:
    m->scratch = scratch; /* keep the grown buffers for the next record */
    m->extra = extra;
    return rc;
}
