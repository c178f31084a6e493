/* engine_rollup.c — the product and source groups of a range without the fine cube's scan:
 * running sums over days of the fine cube per (influencer's platform or organic, brand,
 * campaign, product) and per (..., source), built once after the engine is loaded, so that
 * a range costs two lookups per combination. Calls strmap and buf. */
#include "engine_impl.h"

#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "strmap.h"

#include "banned.h"

/* Combinations past which (dense key space, or running sums in bytes) the rollup is not
 * built and every query scans the fine cube as before. */
#define ROLLUP_MAX_KEYS ((size_t)1 << 22)
#define ROLLUP_MAX_BYTES ((size_t)256 << 20)

/* The rollup's key class of a fine entry's bucket: its influencer's platform code + 1 (0:
 * none), or nplatform + 1 for organic entries. */
static int32_t platform_class(const struct engine *eng, int32_t bucket, int32_t organic)
{
    if (bucket == (int32_t)eng->nbuckets)
        return organic;
    return col32(&eng->inf_platform)[col32(&eng->bucket_inf)[bucket]] + 1;
}

/* One rollup (by product when by_source is 0, else by source) into *ru; left empty when
 * its combinations exceed the caps above. */
static void rollup_build_one(const struct engine *eng, struct rollup *ru, int by_source)
{
    const struct cube *c = &eng->cube[CUBE_FINE];
    memset(ru, 0, sizeof *ru);
    size_t nplat = strmap_size(eng->dict[DIM_PLATFORM]);
    size_t nbrand = strmap_size(eng->dict[DIM_BRAND]) + 1;
    size_t ncamp = strmap_size(eng->dict[DIM_CAMPAIGN]) + 1;
    size_t ncode = strmap_size(eng->dict[by_source ? DIM_SOURCE : DIM_PRODUCT]) + 1;
    size_t nclass = nplat + 2;
    size_t nkeys = nclass * nbrand * ncamp * ncode;
    if (nkeys > ROLLUP_MAX_KEYS || c->n > (size_t)INT32_MAX)
        return;
    const int32_t *bucket = col32(&c->bucket), *brand = col32(&c->brand);
    const int32_t *campaign = col32(&c->campaign);
    const int32_t *code = col32(by_source ? &c->source : &c->product);
    const int64_t *orders = col64(&c->orders), *revenue = col64(&c->revenue);
    const int64_t *rows = col64(&c->rows), *spend = col64(&c->spend);
    const int64_t *start = col64(&c->day_start);
    int32_t organic = (int32_t)nplat + 1;
    /* the combinations that occur, numbered in key order */
    int32_t *id = xmalloc(nkeys * sizeof *id);
    for (size_t k = 0; k < nkeys; k++)
        id[k] = -1;
    int32_t *entry_key = xmalloc((c->n + 1) * sizeof *entry_key);
    for (size_t i = 0; i < c->n; i++) {
        size_t k = (size_t)platform_class(eng, bucket[i], organic);
        k = k * nbrand + (size_t)(brand[i] + 1);
        k = k * ncamp + (size_t)(campaign[i] + 1);
        k = k * ncode + (size_t)(code[i] + 1);
        entry_key[i] = (int32_t)k;
        id[k] = 0;
    }
    size_t ncombo = 0;
    for (size_t k = 0; k < nkeys; k++)
        if (id[k] == 0)
            id[k] = (int32_t)ncombo++;
    size_t width = eng->ndays + 1;
    if (ncombo > 0 && width > ROLLUP_MAX_BYTES / sizeof *ru->cum / ncombo) {
        free(id);
        free(entry_key);
        return;
    }
    ru->ncombo = ncombo;
    ru->width = width;
    ru->key = xmalloc((ncombo + 1) * 4 * sizeof *ru->key);
    for (size_t k = 0; k < nkeys; k++) {
        if (id[k] < 0)
            continue;
        int32_t *key = &ru->key[(size_t)id[k] * 4];
        size_t rest = k;
        key[3] = (int32_t)(rest % ncode) - 1;
        rest /= ncode;
        key[2] = (int32_t)(rest % ncamp) - 1;
        rest /= ncamp;
        key[1] = (int32_t)(rest % nbrand) - 1;
        key[0] = (int32_t)(rest / nbrand);
    }
    /* day d's sums at slot d + 1, then running sums: slot d holds days 0 .. d - 1 */
    ru->cum = xcalloc(ncombo * width + 1, sizeof *ru->cum);
    for (size_t d = 0; d < eng->ndays; d++)
        for (int64_t i = start[d]; i < start[d + 1]; i++) {
            struct rollup_sums *s = &ru->cum[(size_t)id[entry_key[i]] * width + d + 1];
            s->revenue += revenue[i];
            s->orders += orders[i];
            s->rows += rows[i];
            s->spend += spend[i];
        }
    for (size_t g = 0; g < ncombo; g++) {
        struct rollup_sums *s = &ru->cum[g * width];
        for (size_t d = 1; d < width; d++) {
            s[d].revenue += s[d - 1].revenue;
            s[d].orders += s[d - 1].orders;
            s[d].rows += s[d - 1].rows;
            s[d].spend += s[d - 1].spend;
        }
    }
    ru->organic_class = organic;
    ru->built = 1;
    free(id);
    free(entry_key);
}

void engine_build_rollups(struct engine *eng)
{
    engine_release_rollups(eng);
    rollup_build_one(eng, &eng->rollup[0], 0);
    rollup_build_one(eng, &eng->rollup[1], 1);
}

void engine_release_rollups(struct engine *eng)
{
    for (int k = 0; k < 2; k++) {
        free(eng->rollup[k].key);
        free(eng->rollup[k].cum);
        memset(&eng->rollup[k], 0, sizeof eng->rollup[k]);
    }
}

size_t engine_rollup_bytes(const struct engine *eng)
{
    size_t n = 0;
    for (int k = 0; k < 2; k++)
        if (eng->rollup[k].built)
            n += eng->rollup[k].ncombo *
                 (4 * sizeof(int32_t) + eng->rollup[k].width * sizeof(struct rollup_sums));
    return n;
}

int rollup_usable(const struct engine_result *r)
{
    const struct engine *eng = r->eng;
    const struct query *q = &r->q;
    /* every influencer selected: a bucket is kept by its influencer's platform alone */
    return eng->rollup[0].built && eng->rollup[1].built && !eng->exhaustive_allocation &&
           q->nselected == eng->ninf && !q->product.active && !q->source.active;
}

/* The groups of one rollup over r's range into groups (slot code + 1). */
static void rollup_add(const struct engine_result *r, const struct rollup *ru,
                       struct dim_sums *groups)
{
    const struct query *q = &r->q;
    if (r->day_hi <= r->day_lo)
        return;
    const uint8_t *platform_ok = q->platform.ok, *brand_ok = q->brand.ok;
    const uint8_t *campaign_ok = q->campaign.ok;
    for (size_t g = 0; g < ru->ncombo; g++) {
        const int32_t *key = &ru->key[g * 4];
        int organic = key[0] == ru->organic_class;
        if (!(organic || platform_ok[key[0]]) || !brand_ok[key[1] + 1] || !campaign_ok[key[2] + 1])
            continue;
        const struct rollup_sums *lo = &ru->cum[g * ru->width + r->day_lo];
        const struct rollup_sums *hi = &ru->cum[g * ru->width + r->day_hi];
        struct dim_sums *s = &groups[key[3] + 1];
        int64_t rev = hi->revenue - lo->revenue, ord = hi->orders - lo->orders;
        if (organic) {
            s->organic_revenue += rev;
            s->organic_orders += ord;
        } else {
            s->revenue += rev;
            s->orders += ord;
        }
        s->rows += hi->rows - lo->rows;
        s->spend += hi->spend - lo->spend;
    }
}

void rollup_groups(struct engine_result *r, int products, int sources)
{
    if (products)
        rollup_add(r, &r->eng->rollup[0], r->product);
    if (sources)
        rollup_add(r, &r->eng->rollup[1], r->source);
}
