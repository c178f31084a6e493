/* engine_allocate.c — SPEC §3.1, spend follows the money: each payout row's spend allocated
 * to the cells (day, platform, brand, product, campaign, source) of the activity that
 * earned it, in whole paise by the largest-remainder method (README "Allocation").
 * At load (alloc_build_entries, alloc_build_posts): order and revenue_share spend and undated
 * recorded totals onto the fine cube's entries (lines, and the cube's spend column the scan
 * adds), each post's price. Per query (alloc_influencer): what depends on the date range — a
 * post's price and a dated recorded total split over the influencer's attributed revenue
 * in the range — and, under a basis filter, the lines of the payout rows it leaves out
 * taken back; what the filter cannot count is left out (a split on a platform or campaign it
 * leaves out, or over cells it keeps none of; of a split, the other cells' paise), with
 * the same answers as engine_set_exhaustive_allocation's full computation. Calls strmap,
 * buf and err. */
#include "engine_impl.h"

#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "strmap.h"

#include "banned.h"

/* ---- largest remainder ---------------------------------------------------------------- */

/* One share while a split is made: numerator over the split's denominator. */
struct share {
    __int128 num;
    __int128 rem; /* num − floor × den, 0 ≤ rem < den */
    int64_t paise;
    /* the cell's key in text order (day, brand, product, campaign, source, campaign type
     * ranks; -1 for no value): equal remainders go to the earlier key */
    int32_t key[6];
    uint32_t at; /* position in the caller's order */
};

static int cmp_share(const void *a, const void *b)
{
    const struct share *x = a, *y = b;
    if (x->rem != y->rem)
        return x->rem > y->rem ? -1 : 1;
    for (int k = 0; k < 6; k++)
        if (x->key[k] != y->key[k])
            return x->key[k] < y->key[k] ? -1 : 1;
    return (x->at > y->at) - (x->at < y->at);
}

/* cmp_share over pointers to the shares (the shares stay in place). */
static int cmp_share_ptr(const void *a, const void *b)
{
    return cmp_share(*(const struct share *const *)a, *(const struct share *const *)b);
}

static __int128 floor_div(__int128 a, __int128 d)
{
    __int128 q = a / d;
    if ((a % d != 0) && ((a < 0) != (d < 0)))
        q--;
    return q;
}

/* Splits total paise over s[0..n) in proportion to s[i].num / den (den > 0): each share's
 * floor, then the paise left one by one to the largest remainders, ties to the earlier
 * share. Σ s[i].paise == total. s is left in its order. */
static void largest_remainder(struct share *s, size_t n, __int128 den, int64_t total)
{
    if (n == 0)
        return;
    int64_t given = 0;
    for (size_t i = 0; i < n; i++) {
        __int128 f = floor_div(s[i].num, den);
        s[i].rem = s[i].num - f * den;
        s[i].paise = (int64_t)f;
        s[i].at = (uint32_t)i;
        given += s[i].paise;
    }
    int64_t left = total - given;
    if (left != 0) {
        /* the order of the remainders, by pointer: cmp_share is a total order (at breaks
         * every tie), so which sort makes it does not matter */
        struct share **by = xmalloc(n * sizeof *by);
        for (size_t i = 0; i < n; i++)
            by[i] = &s[i];
        qsort(by, n, sizeof *by, cmp_share_ptr);
        /* left is in 0..n for every split made here; the loop keeps Σ exact whatever */
        for (size_t i = 0; left != 0; i = (i + 1) % n) {
            by[i]->paise += left > 0 ? 1 : -1;
            left += left > 0 ? -1 : 1;
        }
        free(by);
    }
}

/* ---- at load ---------------------------------------------------------------------------- */

struct ranked {
    const char *text;
    int32_t code;
};

static int cmp_ranked(const void *a, const void *b)
{
    return strcmp(((const struct ranked *)a)->text, ((const struct ranked *)b)->text);
}

/* eng->rank: each code's place in its dictionary's text order. */
static void build_ranks(struct engine *eng)
{
    static const enum dim dims[4] = {DIM_BRAND, DIM_PRODUCT, DIM_CAMPAIGN, DIM_SOURCE};
    for (int d = 0; d < 4; d++) {
        const struct strmap *dict = eng->dict[dims[d]];
        size_t n = strmap_size(dict);
        struct ranked *v = xmalloc((n + 1) * sizeof *v);
        for (size_t i = 0; i < n; i++)
            v[i] = (struct ranked){strmap_key(dict, (int32_t)i, NULL), (int32_t)i};
        qsort(v, n, sizeof *v, cmp_ranked);
        int32_t *rank = xmalloc((n + 1) * sizeof *rank);
        for (size_t i = 0; i < n; i++)
            rank[v[i].code] = (int32_t)i;
        rank[n] = (int32_t)n; /* Unallocated: after every value */
        buf_append(&eng->rank[d].b, rank, (n + 1) * sizeof *rank);
        free(rank);
        free(v);
    }
}

/* code's rank under rank column d (-1: no value). */
static int32_t rank_of(const struct engine *eng, int d, int32_t code)
{
    return code < 0 ? -1 : col32(&eng->rank[d])[code];
}

/* A fine entry's key in text order (struct share). */
static void entry_key(const struct engine *eng, int32_t e, int32_t key[6])
{
    const struct cube *c = &eng->cube[CUBE_FINE];
    key[0] = col32(&eng->entry_day)[e];
    key[1] = rank_of(eng, 0, col32(&c->brand)[e]);
    key[2] = rank_of(eng, 1, col32(&c->product)[e]);
    key[3] = rank_of(eng, 2, col32(&c->campaign)[e]);
    key[4] = rank_of(eng, 3, col32(&c->source)[e]);
    key[5] = col32(&c->ctype)[e];
}

/* A line while the lines are collected. */
struct line {
    uint32_t entry;
    int32_t pay;
    int64_t amount;
};

struct lines {
    struct line *v;
    size_t n, cap;
};

static void lines_push(struct lines *l, uint32_t entry, int32_t pay, int64_t amount)
{
    if (amount == 0)
        return;
    if (l->n == l->cap) {
        l->cap = l->cap ? 2 * l->cap : 1024;
        l->v = xrealloc(l->v, l->cap * sizeof *l->v);
    }
    l->v[l->n++] = (struct line){entry, pay, amount};
}

/* The fine entries of bucket b. */
static void bucket_range(const struct engine *eng, int32_t b, int64_t *lo, int64_t *hi)
{
    const int64_t *start = col64(&eng->bucket_entry_start);
    *lo = start[b];
    *hi = start[b + 1];
}

/* Whether payout row i prices bucket b's entries (order and revenue_share terms): its own
 * bucket when campaign-scoped; else the influencer's buckets no scoped row of its kind
 * claims (as payout_row_spend prices them). */
static int prices_bucket(const struct engine *eng, size_t i, int32_t b)
{
    int32_t scope = col32(&eng->pay_scope)[i];
    if (scope >= 0)
        return b == scope;
    int32_t kind = col32(&eng->pay_kind)[i];
    return !(col32(&eng->bucket_claims)[b] & (1 << kind));
}

/* Order or revenue_share row i onto its entries: the row's spend over all of them rounded
 * half away from zero (as engine_kpis rounds), split by largest remainder in proportion
 * to rate × orders (or revenue) of each entry. */
static void lines_of_terms(const struct engine *eng, size_t i, struct lines *out,
                           struct buf *scratch)
{
    const struct cube *c = &eng->cube[CUBE_FINE];
    const int32_t *entries = col32(&eng->bucket_entries);
    const int64_t *orders = col64(&c->orders), *revenue = col64(&c->revenue);
    int32_t inf = col32(&eng->pay_inf)[i], kind = col32(&eng->pay_kind)[i];
    __int128 rate = col64(&eng->pay_rate)[i];
    const int32_t *bstart = col32(&eng->inf_bucket_start), *buckets = col32(&eng->inf_buckets);
    buf_reset(scratch);
    size_t n = 0;
    __int128 sum = 0;
    for (int32_t k = bstart[inf]; k < bstart[inf + 1]; k++) {
        int32_t b = buckets[k];
        if (!prices_bucket(eng, i, b))
            continue;
        int64_t lo, hi;
        bucket_range(eng, b, &lo, &hi);
        for (int64_t x = lo; x < hi; x++) {
            int32_t e = entries[x];
            struct share s = {0};
            s.num = kind == PAY_ORDER ? rate * 100 * orders[e] : rate * revenue[e];
            s.at = (uint32_t)e; /* the entry, kept through the split in paise */
            entry_key(eng, e, s.key);
            sum += s.num;
            buf_append(scratch, &s, sizeof s);
            n++;
        }
    }
    if (n == 0)
        return;
    struct share *s = (struct share *)(void *)scratch->data;
    uint32_t *entry_of = xmalloc(n * sizeof *entry_of);
    for (size_t k = 0; k < n; k++)
        entry_of[k] = s[k].at;
    largest_remainder(s, n, 1000000, round_micro(sum));
    for (size_t k = 0; k < n; k++)
        lines_push(out, entry_of[k], (int32_t)i, s[k].paise);
    free(entry_of);
}

/* An undated recorded total (row i) onto the influencer's entries (of its campaign when it
 * names one) in proportion to their positive revenue, all time; with no such revenue it
 * waits in pay_unalloc for the undated day. */
static void lines_of_total(const struct engine *eng, size_t i, struct lines *out,
                           struct buf *scratch, int64_t *unalloc)
{
    const struct cube *c = &eng->cube[CUBE_FINE];
    const int32_t *entries = col32(&eng->bucket_entries), *campaign = col32(&c->campaign);
    const int64_t *revenue = col64(&c->revenue);
    int32_t inf = col32(&eng->pay_inf)[i], named = col32(&eng->pay_campaign)[i];
    int64_t total = col64(&eng->pay_total)[i];
    const int32_t *bstart = col32(&eng->inf_bucket_start), *buckets = col32(&eng->inf_buckets);
    buf_reset(scratch);
    size_t n = 0;
    __int128 weight = 0;
    for (int32_t k = bstart[inf]; k < bstart[inf + 1]; k++) {
        int64_t lo, hi;
        bucket_range(eng, buckets[k], &lo, &hi);
        for (int64_t x = lo; x < hi; x++) {
            int32_t e = entries[x];
            if (revenue[e] <= 0 || (named >= 0 && campaign[e] != named))
                continue;
            struct share s = {0};
            s.num = (__int128)revenue[e] * total;
            s.at = (uint32_t)e;
            entry_key(eng, e, s.key);
            weight += revenue[e];
            buf_append(scratch, &s, sizeof s);
            n++;
        }
    }
    if (n == 0) {
        *unalloc = total;
        return;
    }
    struct share *s = (struct share *)(void *)scratch->data;
    uint32_t *entry_of = xmalloc(n * sizeof *entry_of);
    for (size_t k = 0; k < n; k++)
        entry_of[k] = s[k].at;
    largest_remainder(s, n, weight, total);
    for (size_t k = 0; k < n; k++)
        lines_push(out, entry_of[k], (int32_t)i, s[k].paise);
    free(entry_of);
}

/* A cell while the cells of an influencer are numbered at load. */
struct load_cell {
    int32_t code[4], rank[4];
    int32_t entry;
};

static int cmp_load_cell(const void *a, const void *b)
{
    const struct load_cell *x = a, *y = b;
    for (int k = 0; k < 4; k++)
        if (x->rank[k] != y->rank[k])
            return x->rank[k] < y->rank[k] ? -1 : 1;
    return 0;
}

/* inf_cell_start, inf_cells, entry_cell (struct engine). */
static void build_cells(struct engine *eng)
{
    const struct cube *c = &eng->cube[CUBE_FINE];
    const int32_t *cols[4] = {col32(&c->brand), col32(&c->product), col32(&c->campaign),
                              col32(&c->source)};
    const int32_t *bstart = col32(&eng->inf_bucket_start), *buckets = col32(&eng->inf_buckets);
    const int32_t *entries = col32(&eng->bucket_entries);
    int32_t *cell_of = xmalloc((c->n + 1) * sizeof *cell_of);
    for (size_t e = 0; e < c->n; e++)
        cell_of[e] = -1;
    struct load_cell *v = NULL;
    size_t cap = 0;
    int32_t ncells = 0;
    col_push32(&eng->inf_cell_start, 0);
    for (size_t i = 0; i < eng->ninf; i++) {
        size_t n = 0;
        for (int32_t k = bstart[i]; k < bstart[i + 1]; k++) {
            int64_t lo, hi;
            bucket_range(eng, buckets[k], &lo, &hi);
            for (int64_t x = lo; x < hi; x++) {
                if (n == cap) {
                    cap = cap ? 2 * cap : 256;
                    v = xrealloc(v, cap * sizeof *v);
                }
                struct load_cell *l = &v[n++];
                l->entry = entries[x];
                for (int d = 0; d < 4; d++) {
                    l->code[d] = cols[d][entries[x]];
                    l->rank[d] = rank_of(eng, d, l->code[d]);
                }
            }
        }
        if (n > 1)
            qsort(v, n, sizeof *v, cmp_load_cell);
        int32_t first = ncells;
        for (size_t k = 0; k < n; k++) {
            if (k == 0 || cmp_load_cell(&v[k - 1], &v[k]) != 0) {
                for (int d = 0; d < 4; d++)
                    col_push32(&eng->inf_cells, v[k].code[d]);
                ncells++;
            }
            cell_of[v[k].entry] = ncells - 1 - first;
        }
        col_push32(&eng->inf_cell_start, ncells);
    }
    buf_append(&eng->entry_cell.b, cell_of, c->n * sizeof *cell_of);
    /* each cell's entries in day order (the cube's order), with the running revenue */
    const int32_t *bucket = col32(&c->bucket), *bucket_inf = col32(&eng->bucket_inf);
    const int32_t *cstart = col32(&eng->inf_cell_start), *entry_day = col32(&eng->entry_day);
    const int64_t *revenue = col64(&c->revenue);
    size_t ng = (size_t)ncells;
    int64_t *start = xcalloc(ng + 2, sizeof *start);
    int32_t *cell_g = xmalloc((c->n + 1) * sizeof *cell_g);
    for (size_t e = 0; e < c->n; e++) {
        cell_g[e] = -1;
        if ((size_t)bucket[e] < eng->nbuckets && cell_of[e] >= 0) {
            cell_g[e] = cstart[bucket_inf[bucket[e]]] + cell_of[e];
            start[cell_g[e] + 1]++;
        }
    }
    for (size_t g = 1; g <= ng; g++)
        start[g] += start[g - 1];
    size_t total = (size_t)start[ng];
    int32_t *days = xmalloc((total + 1) * sizeof *days);
    int64_t *cum = xmalloc((total + 1) * sizeof *cum);
    int64_t *at = xmalloc((ng + 1) * sizeof *at);
    memcpy(at, start, (ng + 1) * sizeof *at);
    for (size_t e = 0; e < c->n; e++) {
        int32_t g = cell_g[e];
        if (g < 0)
            continue;
        int64_t x = at[g]++;
        days[x] = entry_day[e];
        cum[x] = (x > start[g] ? cum[x - 1] : 0) + revenue[e];
    }
    buf_append(&eng->cell_entry_start.b, start, (ng + 1) * sizeof *start);
    buf_append(&eng->cell_entry_day.b, days, total * sizeof *days);
    buf_append(&eng->cell_entry_cum.b, cum, total * sizeof *cum);
    free(at);
    free(cum);
    free(days);
    free(cell_g);
    free(start);
    free(cell_of);
    free(v);
}

void alloc_build_entries(struct engine *eng)
{
    struct cube *c = &eng->cube[CUBE_FINE];
    size_t n = c->n, nb = eng->nbuckets;
    build_ranks(eng);
    /* each fine entry's day index, and the entries of each bucket in day order */
    const int64_t *day_start = col64(&c->day_start);
    for (size_t d = 0; d < eng->ndays; d++)
        for (int64_t e = day_start[d]; e < day_start[d + 1]; e++)
            col_push32(&eng->entry_day, (int32_t)d);
    const int32_t *bucket = col32(&c->bucket);
    int64_t *start = xcalloc(nb + 2, sizeof *start);
    for (size_t e = 0; e < n; e++)
        if ((size_t)bucket[e] < nb)
            start[bucket[e] + 1]++;
    for (size_t b = 1; b <= nb; b++)
        start[b] += start[b - 1];
    int32_t *entries = xmalloc((size_t)(start[nb] + 1) * sizeof *entries);
    int64_t *at = xmalloc((nb + 1) * sizeof *at);
    memcpy(at, start, (nb + 1) * sizeof *at);
    for (size_t e = 0; e < n; e++)
        if ((size_t)bucket[e] < nb)
            entries[at[bucket[e]]++] = (int32_t)e;
    buf_append(&eng->bucket_entry_start.b, start, (nb + 1) * sizeof *start);
    buf_append(&eng->bucket_entries.b, entries, (size_t)start[nb] * sizeof *entries);
    free(at);
    free(entries);
    free(start);
    build_cells(eng);

    /* the lines of every payout row that lies on entries */
    struct lines lines = {NULL, 0, 0};
    struct buf scratch = BUF_INIT;
    const int32_t *inf = col32(&eng->pay_inf), *kind = col32(&eng->pay_kind);
    const int32_t *scope = col32(&eng->pay_scope), *day = col32(&eng->pay_day);
    for (size_t i = 0; i < eng->npay; i++) {
        int64_t unalloc = 0;
        if (inf[i] >= 0 && scope[i] != SCOPE_DUPLICATE) {
            if (kind[i] == PAY_ORDER || kind[i] == PAY_REVSHARE)
                lines_of_terms(eng, i, &lines, &scratch);
            else if (kind[i] == PAY_TOTAL && day[i] == ENGINE_NO_DAY)
                lines_of_total(eng, i, &lines, &scratch, &unalloc);
        }
        col_push64(&eng->pay_unalloc, unalloc);
    }
    buf_release(&scratch);

    /* lines by entry (counting sort, stable: by payout row within an entry) */
    int64_t *ls = xcalloc(n + 2, sizeof *ls);
    for (size_t k = 0; k < lines.n; k++)
        ls[lines.v[k].entry + 1]++;
    for (size_t e = 1; e <= n; e++)
        ls[e] += ls[e - 1];
    int32_t *pay = xmalloc((lines.n + 1) * sizeof *pay);
    int64_t *amount = xmalloc((lines.n + 1) * sizeof *amount);
    int64_t *pos = xmalloc((n + 1) * sizeof *pos);
    memcpy(pos, ls, (n + 1) * sizeof *pos);
    int64_t *spend = col64(&c->spend);
    for (size_t k = 0; k < lines.n; k++) {
        int64_t p = pos[lines.v[k].entry]++;
        pay[p] = lines.v[k].pay;
        amount[p] = lines.v[k].amount;
        spend[lines.v[k].entry] += lines.v[k].amount;
    }
    buf_append(&eng->line_start.b, ls, (n + 1) * sizeof *ls);
    buf_append(&eng->line_pay.b, pay, lines.n * sizeof *pay);
    buf_append(&eng->line_amount.b, amount, lines.n * sizeof *amount);
    free(pos);
    free(pay);
    free(amount);
    free(ls);
    free(lines.v);
}

/* The payout row pricing post i (post terms: the scoped row of its bucket, else the
 * influencer's unscoped one), or -1. */
static int32_t post_pricer(const struct engine *eng, size_t i, const int32_t *unscoped,
                           const int32_t *scoped_row)
{
    int32_t inf = col32(&eng->post_inf)[i], b = col32(&eng->post_bucket)[i];
    if (inf < 0)
        return -1;
    if (b >= 0 && (col32(&eng->bucket_claims)[b] & (1 << PAY_POST)))
        return scoped_row[b];
    return unscoped[inf];
}

void alloc_build_posts(struct engine *eng)
{
    size_t ninf = eng->ninf, np = eng->nposts;
    const int32_t *pinf = col32(&eng->pay_inf), *kind = col32(&eng->pay_kind);
    const int32_t *scope = col32(&eng->pay_scope), *day = col32(&eng->pay_day);
    int32_t *unscoped = xmalloc((ninf + 1) * sizeof *unscoped);
    int32_t *scoped_row = xmalloc((eng->nbuckets + 1) * sizeof *scoped_row);
    uint32_t *flags = xcalloc(ninf + 1, sizeof *flags);
    for (size_t i = 0; i < ninf; i++)
        unscoped[i] = -1;
    for (size_t b = 0; b < eng->nbuckets; b++)
        scoped_row[b] = -1;
    const int64_t *unalloc = col64(&eng->pay_unalloc);
    for (size_t i = 0; i < eng->npay; i++) {
        if (pinf[i] < 0 || scope[i] == SCOPE_DUPLICATE)
            continue;
        if (kind[i] == PAY_POST) {
            if (scope[i] >= 0)
                scoped_row[scope[i]] = (int32_t)i;
            else if (unscoped[pinf[i]] < 0)
                unscoped[pinf[i]] = (int32_t)i;
        } else if (kind[i] == PAY_TOTAL) {
            if (day[i] != ENGINE_NO_DAY)
                flags[pinf[i]] |= ALLOC_DATED;
            else if (unalloc[i] != 0)
                flags[pinf[i]] |= ALLOC_UNDATED;
        }
    }
    /* each post's pricer; the pricer's posts counted */
    int32_t *pricer = xmalloc((np + 1) * sizeof *pricer);
    int64_t *count = xcalloc(eng->npay + 1, sizeof *count);
    for (size_t i = 0; i < np; i++) {
        pricer[i] = post_pricer(eng, i, unscoped, scoped_row);
        if (pricer[i] >= 0)
            count[pricer[i]]++;
    }
    /* each pricer's spend, rate × its posts rounded half away from zero, in equal shares,
     * the leftover paise to its first posts in day order */
    int64_t *each = xcalloc(eng->npay + 1, sizeof *each);
    int64_t *extra = xcalloc(eng->npay + 1, sizeof *extra);
    for (size_t i = 0; i < eng->npay; i++) {
        if (count[i] == 0)
            continue;
        int64_t total = round_micro((__int128)col64(&eng->pay_rate)[i] * 100 * count[i]);
        each[i] = (int64_t)floor_div(total, count[i]);
        extra[i] = total - each[i] * count[i];
    }
    for (size_t i = 0; i < np; i++) {
        int64_t amount = 0;
        if (pricer[i] >= 0) {
            int32_t p = pricer[i];
            amount = each[p] + (extra[p] > 0 ? 1 : 0);
            if (extra[p] > 0)
                extra[p]--;
            flags[pinf[p]] |= ALLOC_POSTS;
        }
        col_push64(&eng->post_spend, amount);
        col_push32(&eng->post_pay, pricer[i]);
    }
    /* the posts of each influencer, in day order */
    const int32_t *post_inf = col32(&eng->post_inf);
    int32_t *start = xcalloc(ninf + 2, sizeof *start);
    for (size_t i = 0; i < np; i++)
        if (post_inf[i] >= 0)
            start[post_inf[i] + 1]++;
    for (size_t k = 1; k <= ninf; k++)
        start[k] += start[k - 1];
    int32_t *list = xmalloc(((size_t)start[ninf] + 1) * sizeof *list);
    int32_t *at = xmalloc((ninf + 1) * sizeof *at);
    memcpy(at, start, (ninf + 1) * sizeof *at);
    for (size_t i = 0; i < np; i++)
        if (post_inf[i] >= 0)
            list[at[post_inf[i]]++] = (int32_t)i;
    buf_append(&eng->inf_post_start.b, start, (ninf + 1) * sizeof *start);
    buf_append(&eng->inf_posts.b, list, (size_t)start[ninf] * sizeof *list);
    /* influencers with lines */
    const int32_t *bucket_inf = col32(&eng->bucket_inf);
    const int64_t *bstart = col64(&eng->bucket_entry_start), *ls = col64(&eng->line_start);
    const int32_t *entries = col32(&eng->bucket_entries);
    for (size_t b = 0; b < eng->nbuckets; b++)
        for (int64_t x = bstart[b]; x < bstart[b + 1]; x++)
            if (ls[entries[x] + 1] > ls[entries[x]]) {
                flags[bucket_inf[b]] |= ALLOC_LINES;
                break;
            }
    buf_append(&eng->inf_alloc.b, flags, ninf * sizeof *flags);
    free(at);
    free(list);
    free(start);
    free(each);
    free(extra);
    free(count);
    free(pricer);
    free(flags);
    free(scoped_row);
    free(unscoped);
}

/* A cell while the groups are built: its campaign code and place within its influencer's. */
struct group_cell {
    int32_t campaign, k;
};

static int cmp_group_cell(const void *a, const void *b)
{
    const struct group_cell *x = a, *y = b;
    if (x->campaign != y->campaign)
        return x->campaign < y->campaign ? -1 : 1;
    return (x->k > y->k) - (x->k < y->k);
}

void alloc_build_groups(struct engine *eng)
{
    alloc_release_groups(eng);
    const int32_t *cstart = col32(&eng->inf_cell_start), *codes = col32(&eng->inf_cells);
    size_t ninf = eng->ninf, total = ninf ? (size_t)cstart[ninf] : 0;
    eng->camp_start = xmalloc((ninf + 1) * sizeof *eng->camp_start);
    eng->camp_code = xmalloc((total + 1) * sizeof *eng->camp_code);
    eng->camp_cell_start = xmalloc((total + 2) * sizeof *eng->camp_cell_start);
    eng->camp_cells = xmalloc((total + 1) * sizeof *eng->camp_cells);
    eng->camp_same = xmalloc((3 * total + 1) * sizeof *eng->camp_same);
    struct group_cell *v = xmalloc((total + 1) * sizeof *v);
    int32_t ngroups = 0, at = 0;
    eng->camp_start[0] = 0;
    eng->camp_cell_start[0] = 0;
    for (size_t i = 0; i < ninf; i++) {
        int32_t n = cstart[i + 1] - cstart[i];
        for (int32_t k = 0; k < n; k++)
            v[k] = (struct group_cell){codes[4 * ((size_t)cstart[i] + (size_t)k) + 2], k};
        if (n > 1)
            qsort(v, (size_t)n, sizeof *v, cmp_group_cell);
        for (int32_t k = 0; k < n; k++) {
            const int32_t *code = &codes[4 * ((size_t)cstart[i] + (size_t)v[k].k)];
            int32_t *same = &eng->camp_same[3 * (size_t)ngroups];
            if (k == 0 || v[k].campaign != v[k - 1].campaign) {
                if (k > 0) {
                    eng->camp_cell_start[++ngroups] = at;
                    same += 3;
                }
                eng->camp_code[ngroups] = v[k].campaign;
                same[0] = code[0];
                same[1] = code[1];
                same[2] = code[3];
            }
            for (int d = 0; d < 3; d++)
                if (same[d] != code[d < 2 ? d : 3])
                    same[d] = -2;
            eng->camp_cells[at++] = v[k].k;
        }
        if (n > 0)
            eng->camp_cell_start[++ngroups] = at;
        eng->camp_start[i + 1] = ngroups;
    }
    free(v);
    /* per campaign, the brand, product and source all its cells share across influencers
     * (-2 where they differ, CAMPAIGN_NO_CELLS when it has none) */
    size_t ncamp = strmap_size(eng->dict[DIM_CAMPAIGN]);
    eng->campaign_same = xmalloc((3 * ncamp + 1) * sizeof *eng->campaign_same);
    for (size_t i = 0; i < 3 * ncamp; i++)
        eng->campaign_same[i] = CAMPAIGN_NO_CELLS;
    for (int32_t j = 0; j < ngroups; j++) {
        if (eng->camp_code[j] < 0)
            continue;
        int32_t *to = &eng->campaign_same[3 * (size_t)eng->camp_code[j]];
        const int32_t *same = &eng->camp_same[3 * (size_t)j];
        for (int d = 0; d < 3; d++)
            to[d] = to[d] == CAMPAIGN_NO_CELLS || to[d] == same[d] ? same[d] : -2;
    }
    /* the priced posts */
    const int32_t *pstart = col32(&eng->inf_post_start), *posts = col32(&eng->inf_posts);
    const int32_t *post_pay = col32(&eng->post_pay), *post_day = col32(&eng->post_day);
    const int32_t *post_day_idx = col32(&eng->post_day_idx);
    const int32_t *post_platform = col32(&eng->post_platform);
    const int32_t *post_campaign = col32(&eng->post_campaign);
    const int64_t *post_spend = col64(&eng->post_spend);
    size_t nposts = ninf ? (size_t)pstart[ninf] : 0;
    eng->priced = xmalloc((nposts + 1) * sizeof *eng->priced);
    eng->priced_start = xmalloc((ninf + 1) * sizeof *eng->priced_start);
    int32_t np = 0;
    eng->priced_start[0] = 0;
    for (size_t i = 0; i < ninf; i++) {
        for (int32_t k = pstart[i]; k < pstart[i + 1]; k++) {
            int32_t p = posts[k];
            if (post_pay[p] < 0 || post_spend[p] == 0)
                continue; /* split makes nothing of it */
            eng->priced[np++] =
                (struct priced_post){post_day[p],      post_day_idx[p] + 1, post_platform[p],
                                     post_campaign[p], post_pay[p],         post_spend[p]};
        }
        eng->priced_start[i + 1] = np;
    }
    /* the payout terms */
    const int32_t *pay_start = col32(&eng->inf_pay_start), *pays = col32(&eng->inf_pays);
    const int32_t *kind = col32(&eng->pay_kind), *scope = col32(&eng->pay_scope);
    const int32_t *basis = col32(&eng->pay_basis), *day = col32(&eng->pay_day);
    const int64_t *rate = col64(&eng->pay_rate), *recorded = col64(&eng->pay_total);
    size_t nrows = ninf ? (size_t)pay_start[ninf] : 0;
    eng->terms = xmalloc((nrows + 1) * sizeof *eng->terms);
    eng->terms_start = xmalloc((ninf + 1) * sizeof *eng->terms_start);
    int32_t nt = 0;
    eng->terms_start[0] = 0;
    for (size_t i = 0; i < ninf; i++) {
        for (int32_t k = pay_start[i]; k < pay_start[i + 1]; k++) {
            int32_t p = pays[k];
            if (scope[p] == SCOPE_DUPLICATE)
                continue; /* priced by the earlier row of the same terms */
            eng->terms[nt++] =
                (struct pay_term){kind[p], scope[p], basis[p], day[p], rate[p], recorded[p]};
        }
        eng->terms_start[i + 1] = nt;
    }
    /* the cells' spans */
    const int64_t *gstart = col64(&eng->cell_entry_start), *cum = col64(&eng->cell_entry_cum);
    const int32_t *gday = col32(&eng->cell_entry_day);
    eng->cell_span = xmalloc((total + 1) * sizeof *eng->cell_span);
    for (size_t g = 0; g < total; g++) {
        int64_t lo = gstart[g], hi = gstart[g + 1];
        struct cell_span *c = &eng->cell_span[g];
        *c = (struct cell_span){(int32_t)lo, (int32_t)(hi - lo), 0, 0, 0};
        if (hi > lo) {
            c->first_day = gday[lo];
            c->last_day = gday[hi - 1];
            c->total = cum[hi - 1];
        }
    }
}

void alloc_release_groups(struct engine *eng)
{
    free(eng->camp_start);
    free(eng->camp_code);
    free(eng->camp_cell_start);
    free(eng->camp_cells);
    free(eng->camp_same);
    free(eng->campaign_same);
    free(eng->priced);
    free(eng->priced_start);
    free(eng->terms);
    free(eng->terms_start);
    free(eng->cell_span);
    eng->camp_start = eng->camp_code = eng->camp_cell_start = eng->camp_cells = NULL;
    eng->camp_same = eng->campaign_same = NULL;
    eng->priced = NULL;
    eng->priced_start = NULL;
    eng->terms = NULL;
    eng->terms_start = NULL;
    eng->cell_span = NULL;
}

void engine_set_exhaustive_allocation(struct engine *eng, int on)
{
    eng->exhaustive_allocation = on != 0;
}

/* ---- per query --------------------------------------------------------------------------- */

/* A cell of an influencer's attributed revenue in the range (day aside): its revenue, looked
 * up when a split first reaches it; an influencer's cells are in text order (build_cells),
 * their codes in eng->inf_cells. */
struct cell {
    int64_t revenue; /* in the range, when gen == w->gen */
    uint32_t gen;
};

struct alloc_walk {
    struct engine_result *r;
    int exhaustive; /* every split made in full (engine_set_exhaustive_allocation) */
    struct cell *cells;
    int32_t inf;          /* whose cells (-1: none) */
    const int32_t *codes; /* their codes, 4 a cell (brand, product, campaign, source) */
    uint32_t gen;         /* bumped with each influencer: a revenue of another gen is unknown */
    size_t ncells, cap;
    struct share *shares;
    size_t share_cap;
    /* the last split: the cells it lies on (of w->cells, positive revenue, its campaign)
     * with their paise, and how many of them count */
    uint32_t *split_cell, *split_order;
    uint8_t *split_counts; /* whether each of them counts */
    int64_t *split_rem, *split_paise;
    size_t nsplit, nsplit_counted, split_cap;
    int32_t unalloc[4]; /* the Unallocated code of brand, product, campaign, source */
    /* the last split of these cells: an influencer's posts mostly cost the same, so the
     * next split of the same amount and campaign is the same paise (reused) */
    int last_valid;
    /* of the last split: its counted cells' paise together (added to the influencer, day
     * and platform at once), and how many times its cells' own paise are yet to be added
     * to their brand, product, campaign and source (flush_split) */
    int64_t split_total, split_times;
    int32_t last_campaign;
    int64_t last_amount;
    /* the cells of the last split's campaign (split_cells), kept for the next split of
     * that campaign: whether it can count, and their weight */
    int cells_valid, cells_can_count;
    int32_t cells_campaign;
    __int128 cells_weight;
    /* the spend this walk gives each day slot and each platform, brand, product, campaign
     * and source slot (in one block), added to r's groups by alloc_end: two walks can run on
     * two threads at once, each on its own influencers (their activity is theirs alone) */
    int64_t *spend_block;
    int64_t *day_spend, *platform_spend, *brand_spend, *product_spend, *campaign_spend,
        *source_spend;
    size_t ndays, ncodes[5]; /* slots of days and of platform, brand, product, campaign, source */
    /* per campaign code, whether no split of it can count under the filter (campaign_dead) */
    uint8_t *dead;
};

/* spend amount on one cell: counted when every cell filter keeps it */
static void emit(struct alloc_walk *w, int32_t inf, size_t day_slot, int32_t platform,
                 int32_t brand, int32_t product, int32_t campaign, int32_t source, int64_t amount)
{
    struct engine_result *r = w->r;
    const struct query *q = &r->q;
    if (amount == 0 || !q->platform.ok[platform + 1] || !q->brand.ok[brand + 1] ||
        !q->product.ok[product + 1] || !q->campaign.ok[campaign + 1] || !q->source.ok[source + 1])
        return;
    r->alloc_spend[inf] += amount;
    w->day_spend[day_slot] += amount;
    w->platform_spend[platform + 1] += amount;
    w->brand_spend[brand + 1] += amount;
    w->product_spend[product + 1] += amount;
    w->campaign_spend[campaign + 1] += amount;
    w->source_spend[source + 1] += amount;
}

/* Whether the cell filters keep a cell of these codes (emit's test, platform aside). */
static inline int cell_counts(const struct query *q, int32_t brand, int32_t product,
                              int32_t campaign, int32_t source)
{
    return q->brand.ok[brand + 1] & q->product.ok[product + 1] & q->campaign.ok[campaign + 1] &
           q->source.ok[source + 1];
}

/* Whether a split on platform, of campaign when it is not -1, can count anything: every
 * paisa of it lies on that platform and, when fixed, that campaign (split, emit). */
static int split_can_count(const struct query *q, int32_t platform, int32_t campaign)
{
    return q->platform.ok[platform + 1] && (campaign < 0 || q->campaign.ok[campaign + 1]);
}

/* Whether the Unallocated cell of campaign (-1: Unallocated too) passes the cell filters. */
static int unallocated_counts(const struct alloc_walk *w, int32_t campaign)
{
    return cell_counts(&w->r->q, w->unalloc[0], w->unalloc[1],
                       campaign >= 0 ? campaign : w->unalloc[2], w->unalloc[3]);
}

/* The first of entries[lo, hi) whose day index is at least d. */
static int64_t entry_lower_bound(const int32_t *entries, const int32_t *entry_day, int64_t lo,
                                 int64_t hi, size_t d)
{
    while (lo < hi) {
        int64_t mid = lo + (hi - lo) / 2;
        if ((size_t)entry_day[entries[mid]] < d)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

/* The first of day[lo, hi) that is at least d. */
static int64_t day_lower_bound(const int32_t *day, int64_t lo, int64_t hi, size_t d)
{
    while (lo < hi) {
        int64_t mid = lo + (hi - lo) / 2;
        if ((size_t)day[mid] < d)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

/* The revenue of cell g on the days [day_lo, day_hi) from its running sums: none when the
 * cell's days all lie outside, the whole sum when they all lie inside (both from its span),
 * else two lookups. */
static int64_t cell_range_revenue(const struct engine *eng, size_t g, size_t day_lo, size_t day_hi)
{
    const struct cell_span *c = &eng->cell_span[g];
    if (c->n == 0 || (size_t)c->last_day < day_lo || (size_t)c->first_day >= day_hi)
        return 0;
    if ((size_t)c->first_day >= day_lo && (size_t)c->last_day < day_hi)
        return c->total;
    const int64_t *cum = col64(&eng->cell_entry_cum);
    const int32_t *gday = col32(&eng->cell_entry_day);
    int64_t lo = c->start, hi = lo + c->n;
    int64_t a = day_lower_bound(gday, lo, hi, day_lo);
    int64_t b = day_lower_bound(gday, a, hi, day_hi);
    return (b > lo ? cum[b - 1] : 0) - (a > lo ? cum[a - 1] : 0);
}

/* The same by two lookups whatever the cell (engine_set_exhaustive_allocation). */
static int64_t cell_range_revenue_searched(const struct engine *eng, size_t g, size_t day_lo,
                                           size_t day_hi)
{
    const int64_t *gstart = col64(&eng->cell_entry_start), *cum = col64(&eng->cell_entry_cum);
    const int32_t *gday = col32(&eng->cell_entry_day);
    int64_t lo = gstart[g], hi = gstart[g + 1];
    int64_t a = day_lower_bound(gday, lo, hi, day_lo);
    int64_t b = day_lower_bound(gday, a, hi, day_hi);
    return (b > lo ? cum[b - 1] : 0) - (a > lo ? cum[a - 1] : 0);
}

/* Cell k's codes (of the walk's influencer). */
static inline const int32_t *cell_codes(const struct alloc_walk *w, size_t k)
{
    return &w->codes[4 * k];
}

/* Whether the cell filters keep cell k. */
static inline int cell_kept(const struct alloc_walk *w, size_t k)
{
    const int32_t *code = cell_codes(w, k);
    return cell_counts(&w->r->q, code[0], code[1], code[2], code[3]);
}

/* Cell k's revenue in the range, looked up the first time a split asks. */
static int64_t cell_revenue(struct alloc_walk *w, size_t k)
{
    struct cell *c = &w->cells[k];
    if (c->gen != w->gen) {
        const struct engine_result *r = w->r;
        size_t g = (size_t)col32(&r->eng->inf_cell_start)[w->inf] + k;
        c->revenue = w->exhaustive ? cell_range_revenue_searched(r->eng, g, r->day_lo, r->day_hi)
                                   : cell_range_revenue(r->eng, g, r->day_lo, r->day_hi);
        c->gen = w->gen;
    }
    return c->revenue;
}

/* The walk on influencer inf's cells, no revenue known yet. */
static void walk_influencer(struct alloc_walk *w, int32_t inf)
{
    const struct engine *eng = w->r->eng;
    const int32_t *cstart = col32(&eng->inf_cell_start);
    size_t ncells = (size_t)(cstart[inf + 1] - cstart[inf]);
    if (ncells > w->cap) {
        size_t old = w->cap;
        w->cap = 2 * ncells;
        w->cells = xrealloc(w->cells, w->cap * sizeof *w->cells);
        memset(w->cells + old, 0, (w->cap - old) * sizeof *w->cells); /* gen 0: unknown */
    }
    w->inf = inf;
    w->codes = &col32(&eng->inf_cells)[4 * (size_t)cstart[inf]];
    w->gen++;
    w->ncells = ncells;
    w->cells_valid = 0;
}

/* Whether the cell filters keep any of influencer inf's cells. */
static int any_cell_counts(const struct alloc_walk *w, int32_t inf)
{
    const struct engine *eng = w->r->eng;
    const int32_t *cstart = col32(&eng->inf_cell_start), *codes = col32(&eng->inf_cells);
    for (int32_t g = cstart[inf]; g < cstart[inf + 1]; g++) {
        const int32_t *code = &codes[4 * (size_t)g];
        if (cell_counts(&w->r->q, code[0], code[1], code[2], code[3]))
            return 1;
    }
    return 0;
}

/* The exhaustive computation's walk on influencer inf: every cell's revenue looked up. */
static void load_cells(struct alloc_walk *w, int32_t inf)
{
    walk_influencer(w, inf);
    for (size_t k = 0; k < w->ncells; k++)
        cell_revenue(w, k);
}

/* Under a basis filter, the lines of the payout rows it leaves out taken back over the
 * influencer's entries in the range. */
static void take_back_lines(struct alloc_walk *w, int32_t inf)
{
    struct engine_result *r = w->r;
    const struct engine *eng = r->eng;
    const struct cube *c = &eng->cube[CUBE_FINE];
    const int32_t *brand = col32(&c->brand), *product = col32(&c->product);
    const int32_t *campaign = col32(&c->campaign), *source = col32(&c->source);
    const int32_t *entries = col32(&eng->bucket_entries), *entry_day = col32(&eng->entry_day);
    const int32_t *bstart = col32(&eng->inf_bucket_start), *buckets = col32(&eng->inf_buckets);
    const int64_t *ls = col64(&eng->line_start), *amount = col64(&eng->line_amount);
    const int32_t *line_pay = col32(&eng->line_pay), *pay_basis = col32(&eng->pay_basis);
    int32_t platform = col32(&eng->inf_platform)[inf];
    for (int32_t k = bstart[inf]; k < bstart[inf + 1]; k++) {
        int64_t lo, hi;
        bucket_range(eng, buckets[k], &lo, &hi);
        lo = entry_lower_bound(entries, entry_day, lo, hi, r->day_lo);
        hi = entry_lower_bound(entries, entry_day, lo, hi, r->day_hi);
        for (int64_t x = lo; x < hi; x++) {
            int32_t e = entries[x];
            for (int64_t l = ls[e]; l < ls[e + 1]; l++)
                if (!r->q.basis.ok[pay_basis[line_pay[l]] + 1])
                    emit(w, inf, (size_t)entry_day[e] + 1, platform, brand[e], product[e],
                         campaign[e], source[e], -amount[l]);
        }
    }
}

/* The split's paise of every share in full: largest_remainder over all of them (the
 * reference the shortcut of split_paise keeps to). */
static void split_paise_in_full(struct alloc_walk *w, __int128 weight, int64_t amount)
{
    size_t n = w->nsplit;
    if (n > w->share_cap) {
        w->share_cap = 2 * n;
        w->shares = xrealloc(w->shares, w->share_cap * sizeof *w->shares);
    }
    for (size_t k = 0; k < n; k++) {
        w->shares[k].num = (__int128)cell_revenue(w, w->split_cell[k]) * amount;
        memset(w->shares[k].key, 0, sizeof w->shares[k].key); /* the cells are in key order */
    }
    largest_remainder(w->shares, n, weight, amount);
    for (size_t k = 0; k < n; k++)
        w->split_paise[k] = w->shares[k].paise;
}

/* Whether share a comes before share b in the order of the extra paise: the larger
 * remainder first, ties to the earlier share (cmp_share on a split's shares). */
static inline int share_before(const int64_t *rem, uint32_t a, uint32_t b)
{
    return rem[a] > rem[b] || (rem[a] == rem[b] && a < b);
}

/* The share at place nth (from 0) of the order share_before makes of v[0..n) (n > nth),
 * by selection (Wirth's): v is reordered, not sorted. */
static uint32_t select_share(uint32_t *v, size_t n, size_t nth, const int64_t *rem)
{
    ptrdiff_t lo = 0, hi = (ptrdiff_t)n - 1, at = (ptrdiff_t)nth;
    while (lo < hi) {
        uint32_t pivot = v[at];
        ptrdiff_t i = lo, j = hi;
        do {
            while (share_before(rem, v[i], pivot))
                i++;
            while (share_before(rem, pivot, v[j]))
                j--;
            if (i <= j) {
                uint32_t t = v[i];
                v[i] = v[j];
                v[j] = t;
                i++;
                j--;
            }
        } while (i <= j);
        if (j < at)
            lo = i;
        if (at < i)
            hi = j;
    }
    return v[at];
}

/* The split's paise of the shares that count, as largest_remainder gives them: each
 * share's floor, and one paisa more for a share among the `left` largest remainders
 * (ties to the earlier share). A counted share's place in that order is found by
 * counting the shares before it when few count, else against the last share of the
 * leftover found by selection: no sort (with a leftover outside 0..n, which no split here
 * has, the whole order is made). */
static void split_paise(struct alloc_walk *w, int64_t weight, int64_t amount)
{
    size_t n = w->nsplit;
    int64_t *rem = w->split_rem, *paise = w->split_paise;
    int64_t given = 0;
    for (size_t k = 0; k < n; k++) {
        int64_t rev = cell_revenue(w, w->split_cell[k]), num;
        if (__builtin_mul_overflow(rev, amount, &num)) {
            split_paise_in_full(w, weight, amount);
            return;
        }
        int64_t f = num / weight, m = num % weight; /* weight > 0 */
        if (m < 0) {
            f--;
            m += weight;
        }
        paise[k] = f;
        rem[k] = m;
        given += f;
    }
    int64_t left = amount - given;
    if (left == 0)
        return;
    if (left < 0 || (uint64_t)left >= n) {
        split_paise_in_full(w, weight, amount);
        return;
    }
    if (w->nsplit_counted <= 4) {
        for (size_t k = 0; k < n; k++) {
            if (!w->split_counts[k])
                continue;
            int64_t before = 0, r = rem[k];
            for (size_t i = 0; i < k; i++)
                before += rem[i] >= r;
            for (size_t i = k + 1; i < n; i++)
                before += rem[i] > r;
            if (before < left)
                paise[k]++;
        }
        return;
    }
    /* the last share to get a paisa more, then every counted share up to it in the order */
    uint32_t *order = w->split_order;
    for (size_t k = 0; k < n; k++)
        order[k] = (uint32_t)k;
    uint32_t last = select_share(order, n, (size_t)left - 1, rem);
    for (size_t k = 0; k < n; k++)
        if (w->split_counts[k] && !share_before(rem, last, (uint32_t)k))
            paise[k]++;
}

/* What the cell filters keep of a group of cells. */
enum { KEEP_NONE, KEEP_ALL, KEEP_SOME };

/* The cells a split of campaign (-1: any) lies on, before their revenue is known: the
 * walk's influencer's cells of that campaign (*list, their places ascending), or all of
 * them (*list NULL); how many. *keep: what the cell filters keep of them, from the group's
 * codes where they are the same in every cell (KEEP_SOME: cell by cell). */
static size_t campaign_cells(const struct alloc_walk *w, int32_t campaign, const int32_t **list,
                             int *keep)
{
    const struct engine *eng = w->r->eng;
    const struct query *q = &w->r->q;
    *list = NULL;
    *keep = KEEP_SOME;
    if (campaign < 0)
        return w->ncells;
    for (int32_t j = eng->camp_start[w->inf]; j < eng->camp_start[w->inf + 1]; j++) {
        if (eng->camp_code[j] < campaign)
            continue;
        if (eng->camp_code[j] > campaign)
            break;
        *list = &eng->camp_cells[eng->camp_cell_start[j]];
        /* brand, product, source: the code every cell of the group has, or -2 */
        const int32_t *same = &eng->camp_same[3 * (size_t)j];
        const struct code_mask *masks[3] = {&q->brand, &q->product, &q->source};
        *keep = q->campaign.ok[campaign + 1] ? KEEP_ALL : KEEP_NONE;
        for (int d = 0; d < 3 && *keep != KEEP_NONE; d++)
            if (masks[d]->active)
                *keep = same[d] == -2 ? KEEP_SOME : masks[d]->ok[same[d] + 1] ? *keep : KEEP_NONE;
        return (size_t)(eng->camp_cell_start[j + 1] - eng->camp_cell_start[j]);
    }
    *list = eng->camp_cells; /* none */
    return 0;
}

/* Whether a split of campaign (-1: any) can count anything with the filter's cells: one
 * of its cells is kept, or, should none have revenue in the range, its Unallocated cell. */
static int campaign_can_count(struct alloc_walk *w, int32_t campaign)
{
    if (unallocated_counts(w, campaign))
        return 1;
    const int32_t *list;
    int keep;
    size_t n = campaign_cells(w, campaign, &list, &keep);
    if (keep != KEEP_SOME)
        return keep == KEEP_ALL && n > 0;
    for (size_t i = 0; i < n; i++)
        if (cell_kept(w, list ? (size_t)list[i] : i))
            return 1;
    return 0;
}

/* The cells a split of campaign (-1: any) lies on: positive revenue in the range, in cell
 * order. Their weight, or 0 when there are none. */
static __int128 split_cells(struct alloc_walk *w, int32_t campaign)
{
    if (w->ncells > w->split_cap) {
        w->split_cap = 2 * w->ncells;
        w->split_cell = xrealloc(w->split_cell, w->split_cap * sizeof *w->split_cell);
        w->split_counts = xrealloc(w->split_counts, w->split_cap * sizeof *w->split_counts);
        w->split_rem = xrealloc(w->split_rem, w->split_cap * sizeof *w->split_rem);
        w->split_paise = xrealloc(w->split_paise, w->split_cap * sizeof *w->split_paise);
        w->split_order = xrealloc(w->split_order, w->split_cap * sizeof *w->split_order);
    }
    /* the exhaustive computation tests every cell's campaign and filters: the reference for
     * the groups */
    const int32_t *list = NULL;
    int keep = KEEP_SOME;
    size_t n = w->exhaustive ? w->ncells : campaign_cells(w, campaign, &list, &keep);
    __int128 weight = 0;
    w->nsplit = w->nsplit_counted = 0;
    for (size_t i = 0; i < n; i++) {
        size_t k = list ? (size_t)list[i] : i;
        if (w->exhaustive && campaign >= 0 && cell_codes(w, k)[2] != campaign)
            continue;
        int64_t rev = cell_revenue(w, k);
        if (rev <= 0)
            continue;
        int counts = keep == KEEP_SOME ? cell_kept(w, k) : keep == KEEP_ALL;
        w->split_counts[w->nsplit] = (uint8_t)counts;
        w->split_cell[w->nsplit++] = (uint32_t)k;
        w->nsplit_counted += (size_t)counts;
        weight += rev;
    }
    return weight;
}

/* The last split's cells' paise, times it was made since the last flush, into their brand,
 * product, campaign and source groups. */
static void flush_split(struct alloc_walk *w)
{
    int64_t times = w->split_times;
    for (size_t k = 0; k < w->nsplit && times != 0; k++) {
        if (!w->split_counts[k])
            continue;
        const int32_t *c = cell_codes(w, w->split_cell[k]);
        int64_t amount = w->split_paise[k] * times;
        w->brand_spend[c[0] + 1] += amount;
        w->product_spend[c[1] + 1] += amount;
        w->campaign_spend[c[2] + 1] += amount;
        w->source_spend[c[3] + 1] += amount;
    }
    w->split_times = 0;
}

/* amount on day_slot and platform, split over the influencer's cells with positive revenue
 * (of campaign when it is not -1) in proportion to it, by largest remainder in cell order;
 * with none, on the Unallocated brand, product and source (and campaign unless fixed).
 * Only the counted cells' paise are made, and none when the filter keeps nothing of it. */
static void split(struct alloc_walk *w, int32_t inf, size_t day_slot, int32_t platform,
                  int32_t campaign, int64_t amount)
{
    if (amount == 0 || (!w->exhaustive && !split_can_count(&w->r->q, platform, campaign)))
        return;
    /* the exhaustive computation reuses nothing: the reference for every cache here */
    if (w->exhaustive ||
        !(w->last_valid && w->last_campaign == campaign && w->last_amount == amount)) {
        flush_split(w); /* before its cells or paise are replaced */
        if (w->inf != inf) {
            if (w->exhaustive)
                load_cells(w, inf);
            else
                walk_influencer(w, inf);
        }
        /* the cells of the campaign, as for the last split of it when there was one */
        if (w->exhaustive || !(w->cells_valid && w->cells_campaign == campaign)) {
            w->cells_can_count = w->exhaustive || campaign_can_count(w, campaign);
            if (w->cells_can_count) {
                w->last_valid = 0; /* the last split's cells are replaced */
                w->cells_weight = split_cells(w, campaign);
            }
            w->cells_valid = 1;
            w->cells_campaign = campaign;
        }
        if (!w->cells_can_count)
            return;
        __int128 weight = w->cells_weight;
        if (w->nsplit == 0) {
            emit(w, inf, day_slot, platform, w->unalloc[0], w->unalloc[1],
                 campaign >= 0 ? campaign : w->unalloc[2], w->unalloc[3], amount);
            return;
        }
        if (w->exhaustive || weight > INT64_MAX)
            split_paise_in_full(w, weight, amount);
        else if (w->nsplit_counted > 0)
            split_paise(w, (int64_t)weight, amount);
        w->split_total = 0;
        for (size_t k = 0; k < w->nsplit; k++)
            w->split_total += w->split_counts[k] ? w->split_paise[k] : 0;
        w->last_valid = 1;
        w->last_campaign = campaign;
        w->last_amount = amount;
    }
    if (w->exhaustive) {
        for (size_t k = 0; k < w->nsplit; k++) {
            const int32_t *c = cell_codes(w, w->split_cell[k]);
            emit(w, inf, day_slot, platform, c[0], c[1], c[2], c[3], w->split_paise[k]);
        }
    } else if (w->nsplit_counted > 0) {
        /* as emit of each counted cell's paise: the cells' groups at the next flush */
        w->r->alloc_spend[inf] += w->split_total;
        w->day_spend[day_slot] += w->split_total;
        w->platform_spend[platform + 1] += w->split_total;
        w->split_times++;
    }
}

/* The first of priced[lo, hi) on day or later. */
static int32_t priced_lower_bound(const struct priced_post *priced, int32_t lo, int32_t hi,
                                  int32_t day)
{
    while (lo < hi) {
        int32_t mid = lo + (hi - lo) / 2;
        if (priced[mid].day < day)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

/* Whether no split of campaign can count anything under the walk's filter, for any
 * influencer: the filter leaves out the campaign, or a brand, product or source that every
 * cell of it has (or it has no cell), and its Unallocated cell too. Then alloc_influencer
 * passes its posts and recorded totals by without looking at their influencer's cells (split
 * would find the same through campaign_can_count, the influencer's cells at a time). */
static int campaign_dead(const struct alloc_walk *w, int32_t campaign)
{
    const struct query *q = &w->r->q;
    if (unallocated_counts(w, campaign))
        return 0;
    const int32_t *same = &w->r->eng->campaign_same[3 * (size_t)campaign];
    if (!q->campaign.ok[campaign + 1] || same[0] == CAMPAIGN_NO_CELLS)
        return 1;
    const struct code_mask *masks[3] = {&q->brand, &q->product, &q->source};
    for (int d = 0; d < 3; d++)
        if (masks[d]->active && same[d] != -2 && !masks[d]->ok[same[d] + 1])
            return 1;
    return 0;
}

struct alloc_walk *alloc_begin(struct engine_result *r)
{
    const struct engine *eng = r->eng;
    struct alloc_walk *w = xcalloc(1, sizeof *w);
    w->r = r;
    w->exhaustive = eng->exhaustive_allocation;
    w->unalloc[0] = (int32_t)strmap_size(eng->dict[DIM_BRAND]);
    w->unalloc[1] = (int32_t)strmap_size(eng->dict[DIM_PRODUCT]);
    w->unalloc[2] = (int32_t)strmap_size(eng->dict[DIM_CAMPAIGN]);
    w->unalloc[3] = (int32_t)strmap_size(eng->dict[DIM_SOURCE]);
    static const enum dim dims[5] = {DIM_PLATFORM, DIM_BRAND, DIM_PRODUCT, DIM_CAMPAIGN,
                                     DIM_SOURCE};
    size_t total = w->ndays = eng->ndays + 1;
    for (int d = 0; d < 5; d++)
        total += w->ncodes[d] = strmap_size(eng->dict[dims[d]]) + 2;
    w->spend_block = xcalloc(total, sizeof *w->spend_block);
    int64_t **to[5] = {&w->platform_spend, &w->brand_spend, &w->product_spend, &w->campaign_spend,
                       &w->source_spend};
    w->day_spend = w->spend_block;
    int64_t *at = w->spend_block + w->ndays;
    for (int d = 0; d < 5; d++) {
        *to[d] = at;
        at += w->ncodes[d];
    }
    size_t ncamp = strmap_size(eng->dict[DIM_CAMPAIGN]);
    w->dead = xcalloc(ncamp + 1, 1);
    for (size_t c = 0; c < ncamp && !w->exhaustive; c++)
        w->dead[c] = (uint8_t)campaign_dead(w, (int32_t)c);
    return w;
}

void alloc_influencer(struct alloc_walk *w, int32_t inf)
{
    struct engine_result *r = w->r;
    const struct engine *eng = r->eng;
    const struct query *q = &r->q;
    uint32_t f = ((const uint32_t *)(const void *)eng->inf_alloc.b.data)[inf];
    int32_t platform = col32(&eng->inf_platform)[inf];
    r->alloc_spend[inf] = 0; /* the first to write it in this query */
    /* the influencer's platform carries its lines and recorded totals */
    int platform_ok = w->exhaustive || q->platform.ok[platform + 1];
    if (!(f & ALLOC_POSTS) && !platform_ok)
        return;
    w->inf = -1; /* its cells are loaded when first needed */
    w->last_valid = 0;
    /* nothing taken back counts when the cell filters keep none of its cells */
    if (q->basis.active && (f & ALLOC_LINES) && platform_ok &&
        (w->exhaustive || any_cell_counts(w, inf)))
        take_back_lines(w, inf);
    if (f & ALLOC_POSTS) {
        /* the priced posts in the range: a slice of the influencer's, in day order */
        const int32_t *pay_basis = col32(&eng->pay_basis);
        int32_t lo = eng->priced_start[inf], hi = eng->priced_start[inf + 1];
        lo = priced_lower_bound(eng->priced, lo, hi, r->from_day);
        for (int32_t k = lo; k < hi && eng->priced[k].day <= r->to_day; k++) {
            const struct priced_post *p = &eng->priced[k];
            if ((q->basis.active && !q->basis.ok[pay_basis[p->pay] + 1]) ||
                (p->campaign >= 0 && w->dead[p->campaign]))
                continue;
            split(w, inf, (size_t)p->day_slot, p->platform, p->campaign, p->spend);
        }
    }
    if ((f & (ALLOC_DATED | ALLOC_UNDATED)) && platform_ok) {
        const int32_t *pay_start = col32(&eng->inf_pay_start), *pays = col32(&eng->inf_pays);
        const int32_t *pay_kind = col32(&eng->pay_kind), *pay_day = col32(&eng->pay_day);
        const int32_t *pay_day_idx = col32(&eng->pay_day_idx);
        const int32_t *pay_basis = col32(&eng->pay_basis);
        const int32_t *pay_campaign = col32(&eng->pay_campaign);
        const int64_t *pay_total = col64(&eng->pay_total);
        const int64_t *pay_unalloc = col64(&eng->pay_unalloc);
        int open = r->from_day == INT32_MIN && r->to_day == INT32_MAX;
        for (int32_t k = pay_start[inf]; k < pay_start[inf + 1]; k++) {
            size_t i = (size_t)pays[k];
            if (pay_kind[i] != PAY_TOTAL || !q->basis.ok[pay_basis[i] + 1])
                continue;
            if (pay_day[i] == ENGINE_NO_DAY) {
                if (open && pay_unalloc[i] != 0)
                    emit(w, inf, 0, platform, w->unalloc[0], w->unalloc[1],
                         pay_campaign[i] >= 0 ? pay_campaign[i] : w->unalloc[2], w->unalloc[3],
                         pay_unalloc[i]);
            } else if (pay_day[i] >= r->from_day && pay_day[i] <= r->to_day &&
                       !(pay_campaign[i] >= 0 && w->dead[pay_campaign[i]])) {
                split(w, inf, (size_t)(pay_day_idx[i] + 1), platform, pay_campaign[i],
                      pay_total[i]);
            }
        }
    }
}

void alloc_end(struct alloc_walk *w)
{
    flush_split(w);
    struct engine_result *r = w->r;
    for (size_t d = 0; d < w->ndays; d++)
        r->days[d].spend += w->day_spend[d];
    struct dim_sums *groups[5] = {r->platform, r->brand, r->product, r->campaign, r->source};
    const int64_t *spend[5] = {w->platform_spend, w->brand_spend, w->product_spend,
                               w->campaign_spend, w->source_spend};
    for (int d = 0; d < 5; d++)
        for (size_t c = 0; c < w->ncodes[d]; c++)
            groups[d][c].spend += spend[d][c];
    free(w->spend_block);
    free(w->dead);
    free(w->cells);
    free(w->shares);
    free(w->split_cell);
    free(w->split_counts);
    free(w->split_rem);
    free(w->split_paise);
    free(w->split_order);
    free(w);
}
