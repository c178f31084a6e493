/* engine_cache.c — the loaded engine kept in a file beside the database (engine.h,
 * "engine_cache_"), so that a server start has its engine in the time of reading one file
 * instead of every stored row: its columns, dictionaries and counts, with a header naming the
 * data they were built from (the store's data stamp and the workspace). The stored rows stay
 * the truth: a file that is missing, of another stamp or build, short, damaged or
 * inconsistent is refused with the reason, and the caller loads from the store.
 * Calls buf, strmap, err, engine_rollup, engine_allocate and the engine's own state
 * (engine_impl.h).
 *
 * The file (host byte order; it is a cache of this machine's build, never exchanged):
 *   header, CACHE_HEADER bytes: magic, format version, the engine's layout (columns, size of
 *     a skipped row), the stamp (database id, data version), the body's size and checksum,
 *     the workspace;
 *   body: the counts (CACHE_NCOUNTS uint64), the skipped rows (struct engine_skipped_row),
 *     each dictionary (uint64 key count, then per key a uint32 length and its bytes), each
 *     column of engine_columns and of the two cubes (uint64 byte length, then the bytes).
 * Every length is checked against the counts before use: a column's length follows from the
 * counts (col_bytes), and the offsets and indexes the queries follow are checked in range
 * (check_indexes), so that a file that passes is an engine the queries can read. */
#include "engine.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "buf.h"
#include "engine_impl.h"
#include "strmap.h"

#include "banned.h"

/* Change with any change of what the file holds or how the engine reads it. */
#define CACHE_FORMAT 2
#define CACHE_HEADER 128
#define CACHE_WORKSPACE 64
static const char cache_magic[8] = {'I', 'N', 'F', 'L', 'E', 'N', 'G', '\n'};

/* ---- the checksum: XXH64's construction, streamed ------------------------------------ */

#define P1 11400714785092213111ULL
#define P2 14029467366897019727ULL
#define P3 1609587929392839161ULL
#define P4 9650029242287828579ULL
#define P5 2870177450012600261ULL

struct hash {
    uint64_t v[4];
    uint64_t total;
    unsigned char pending[32];
    size_t npending;
};

static uint64_t rotl(uint64_t x, int r)
{
    return (x << r) | (x >> (64 - r));
}

static uint64_t hash_round(uint64_t acc, uint64_t in)
{
    acc += in * P2;
    return rotl(acc, 31) * P1;
}

static uint64_t load64(const unsigned char *p)
{
    uint64_t v;
    memcpy(&v, p, sizeof v);
    return v;
}

static void hash_init(struct hash *h)
{
    memset(h, 0, sizeof *h);
    h->v[0] = P1 + P2;
    h->v[1] = P2;
    h->v[2] = 0;
    h->v[3] = (uint64_t)0 - P1;
}

static void hash_block(struct hash *h, const unsigned char *p)
{
    for (int i = 0; i < 4; i++)
        h->v[i] = hash_round(h->v[i], load64(p + 8 * i));
}

static void hash_add(struct hash *h, const void *data, size_t n)
{
    const unsigned char *p = data;
    h->total += n;
    if (h->npending) {
        size_t take = 32 - h->npending < n ? 32 - h->npending : n;
        memcpy(h->pending + h->npending, p, take);
        h->npending += take;
        p += take;
        n -= take;
        if (h->npending < 32)
            return;
        hash_block(h, h->pending);
        h->npending = 0;
    }
    for (; n >= 32; p += 32, n -= 32)
        hash_block(h, p);
    memcpy(h->pending, p, n);
    h->npending = n;
}

static uint64_t hash_merge(uint64_t acc, uint64_t v)
{
    acc ^= hash_round(0, v);
    return acc * P1 + P4;
}

static uint64_t hash_end(const struct hash *h)
{
    uint64_t x;
    if (h->total >= 32) {
        x = rotl(h->v[0], 1) + rotl(h->v[1], 7) + rotl(h->v[2], 12) + rotl(h->v[3], 18);
        for (int i = 0; i < 4; i++)
            x = hash_merge(x, h->v[i]);
    } else {
        x = P5;
    }
    x += h->total;
    const unsigned char *p = h->pending;
    size_t n = h->npending;
    for (; n >= 8; p += 8, n -= 8) {
        x ^= hash_round(0, load64(p));
        x = rotl(x, 27) * P1 + P4;
    }
    for (; n > 0; p++, n--) {
        x ^= (uint64_t)*p * P5;
        x = rotl(x, 11) * P1;
    }
    x ^= x >> 33;
    x *= P2;
    x ^= x >> 29;
    x *= P3;
    x ^= x >> 32;
    return x;
}

/* ---- the header and the counts ---------------------------------------------------------- */

struct cache_header {
    char magic[8];
    uint32_t format, ncolumns, skipped_size, reserved;
    int64_t db_id, data_version;
    uint64_t body_size, body_hash;
    char workspace[CACHE_WORKSPACE];
};
_Static_assert(sizeof(struct cache_header) <= CACHE_HEADER, "the header fits");

enum {
    C_NINF,
    C_NPOSTS,
    C_NTRK,
    C_NAGG,
    C_NPAY,
    C_NBUCKETS,
    C_NDAYS,
    C_FINE,
    C_COARSE,
    C_NSKIPPED,
    C_AS_OF,
    C_TRK_SEQ,
    C_SKIPPED_COUNT,                           /* DS_COUNT of them */
    C_OVER_LIMIT = C_SKIPPED_COUNT + DS_COUNT, /* DS_COUNT of them */
    CACHE_NCOUNTS = C_OVER_LIMIT + DS_COUNT
};

/* Every column in file order: engine_columns, then each cube's. */
#define CACHE_MAXCOLS (ENGINE_NCOLUMNS + CUBE_COUNT * CUBE_NCOLUMNS)
static size_t all_columns(struct engine *eng, struct column **out)
{
    size_t n = engine_columns(eng, out);
    for (int c = 0; c < CUBE_COUNT; c++)
        n += engine_cube_columns(&eng->cube[c], out + n);
    return n;
}

static size_t layout_columns(void)
{
    struct engine probe;
    memset(&probe, 0, sizeof probe);
    struct column *cols[CACHE_MAXCOLS];
    return all_columns(&probe, cols);
}

static void fill_header(struct cache_header *h, const struct store_stamp *stamp,
                        const char *workspace)
{
    memset(h, 0, sizeof *h);
    memcpy(h->magic, cache_magic, sizeof h->magic);
    h->format = CACHE_FORMAT;
    h->ncolumns = (uint32_t)layout_columns();
    h->skipped_size = (uint32_t)sizeof(struct engine_skipped_row);
    h->db_id = stamp->id;
    h->data_version = stamp->version;
    snprintf(h->workspace, sizeof h->workspace, "%s", workspace);
}

/* ---- writing ----------------------------------------------------------------------------- */

struct writer {
    int fd;
    struct hash h;
    uint64_t size;
    int failed;         /* errno of the first failure */
    struct buf pending; /* small pieces, written in one go */
};

/* n bytes at p to the file, whole (or w->failed set). */
static void w_write(struct writer *w, const char *p, size_t n)
{
    while (n > 0 && !w->failed) {
        ssize_t k = write(w->fd, p, n);
        if (k < 0 && errno == EINTR)
            continue;
        if (k <= 0) {
            w->failed = k < 0 ? errno : EIO;
            break;
        }
        p += k;
        n -= (size_t)k;
    }
}

static void w_flush(struct writer *w)
{
    w_write(w, w->pending.data, w->pending.len);
    buf_reset(&w->pending);
}

static void w_put(struct writer *w, const void *data, size_t n)
{
    if (n == 0)
        return;
    hash_add(&w->h, data, n);
    w->size += n;
    if (n >= 65536) { /* a column: straight from its memory */
        w_flush(w);
        w_write(w, data, n);
        return;
    }
    buf_append(&w->pending, data, n);
    if (w->pending.len >= 65536)
        w_flush(w);
}

static void w_u64(struct writer *w, uint64_t v)
{
    w_put(w, &v, sizeof v);
}

static void write_body(struct writer *w, struct engine *eng)
{
    uint64_t counts[CACHE_NCOUNTS];
    counts[C_NINF] = eng->ninf;
    counts[C_NPOSTS] = eng->nposts;
    counts[C_NTRK] = eng->ntrk;
    counts[C_NAGG] = eng->nagg;
    counts[C_NPAY] = eng->npay;
    counts[C_NBUCKETS] = eng->nbuckets;
    counts[C_NDAYS] = eng->ndays;
    counts[C_FINE] = eng->cube[CUBE_FINE].n;
    counts[C_COARSE] = eng->cube[CUBE_COARSE].n;
    counts[C_NSKIPPED] = eng->nskipped;
    counts[C_AS_OF] = (uint64_t)eng->as_of;
    counts[C_TRK_SEQ] = (uint64_t)eng->trk_seq;
    for (int ds = 0; ds < DS_COUNT; ds++) {
        counts[C_SKIPPED_COUNT + ds] = eng->skipped_count[ds];
        counts[C_OVER_LIMIT + ds] = eng->over_limit[ds];
    }
    w_put(w, counts, sizeof counts);
    w_put(w, eng->skipped, eng->nskipped * sizeof eng->skipped[0]);
    for (int d = 0; d < DIM_COUNT; d++) {
        size_t n = strmap_size(eng->dict[d]);
        w_u64(w, n);
        for (size_t i = 0; i < n; i++) {
            size_t len;
            const char *key = strmap_key(eng->dict[d], (int32_t)i, &len);
            uint32_t len32 = (uint32_t)len;
            w_put(w, &len32, sizeof len32);
            w_put(w, key, len);
        }
    }
    struct column *cols[CACHE_MAXCOLS];
    size_t ncols = all_columns(eng, cols);
    for (size_t i = 0; i < ncols; i++) {
        w_u64(w, cols[i]->b.len);
        w_put(w, cols[i]->b.data, cols[i]->b.len);
    }
    w_flush(w);
}

int engine_cache_write(const struct engine *engine, const char *path,
                       const struct store_stamp *stamp, const char *workspace, struct err *e)
{
    /* write_body only reads it; engine_columns takes the columns by address */
    struct engine *eng = (struct engine *)engine;
    struct buf tmp = BUF_INIT;
    buf_printf(&tmp, "%s.tmp-%ld", path, (long)getpid());
    int rc = 0;
    int fd = open(buf_cstr(&tmp), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0600);
    if (fd < 0) {
        rc = err_set(e, ERR_IO, "%s: cannot write the engine cache: %s", buf_cstr(&tmp),
                     strerror(errno));
        goto out;
    }
    struct writer w = {.fd = fd, .pending = BUF_INIT};
    hash_init(&w.h);
    char head[CACHE_HEADER];
    memset(head, 0, sizeof head);
    if (lseek(fd, CACHE_HEADER, SEEK_SET) < 0)
        w.failed = errno;
    if (!w.failed)
        write_body(&w, eng);
    buf_release(&w.pending);
    /* the header last, so that a file cut short never has a valid one for a partial body */
    struct cache_header h;
    fill_header(&h, stamp, workspace);
    h.body_size = w.size;
    h.body_hash = hash_end(&w.h);
    memcpy(head, &h, sizeof h);
    if (!w.failed && pwrite(fd, head, sizeof head, 0) != (ssize_t)sizeof head)
        w.failed = errno ? errno : EIO;
    if (!w.failed && fsync(fd) < 0)
        w.failed = errno;
    if (close(fd) < 0 && !w.failed)
        w.failed = errno;
    if (!w.failed && rename(buf_cstr(&tmp), path) < 0)
        w.failed = errno;
    if (w.failed) {
        unlink(buf_cstr(&tmp));
        rc = err_set(e, ERR_IO, "%s: cannot write the engine cache: %s", path, strerror(w.failed));
    }
out:
    buf_release(&tmp);
    return rc;
}

/* ---- reading ----------------------------------------------------------------------------- */

/* The body, from memory or a file, hashed as it is read. */
struct reader {
    const unsigned char *mem; /* or NULL: fd */
    int fd;
    uint64_t pos, size; /* of the body */
    struct hash h;
    struct err *e;
    int failed;
};

static int r_fail(struct reader *r, const char *why)
{
    if (!r->failed)
        err_set(r->e, ERR_INPUT, "%s", why);
    r->failed = 1;
    return -1;
}

/* n bytes into out: fails (without reading) when the body has fewer left. */
static int r_get(struct reader *r, void *out, uint64_t n)
{
    if (r->failed)
        return -1;
    if (n > r->size - r->pos)
        return r_fail(r, "it ends too early (a length points past the end)");
    if (n == 0)
        return 0;
    if (r->mem) {
        memcpy(out, r->mem + CACHE_HEADER + r->pos, n);
    } else {
        char *p = out;
        uint64_t left = n;
        while (left > 0) {
            ssize_t k = read(r->fd, p, left);
            if (k < 0 && errno == EINTR)
                continue;
            if (k <= 0)
                return r_fail(r, k < 0 ? "reading it failed" : "it ends too early");
            p += k;
            left -= (uint64_t)k;
        }
    }
    hash_add(&r->h, out, n);
    r->pos += n;
    return 0;
}

static int r_u64(struct reader *r, uint64_t *v)
{
    return r_get(r, v, sizeof *v);
}

static int read_skipped(struct reader *r, struct engine *eng, uint64_t n)
{
    if (n > ENGINE_SKIPPED_KEEP)
        return r_fail(r, "too many skipped rows");
    if (r_get(r, eng->skipped, n * sizeof eng->skipped[0]) < 0)
        return -1;
    eng->nskipped = n;
    for (size_t i = 0; i < n; i++) {
        struct engine_skipped_row *s = &eng->skipped[i];
        if ((int)s->ds < 0 || (int)s->ds >= DS_COUNT || !memchr(s->id, 0, sizeof s->id) ||
            !memchr(s->column, 0, sizeof s->column) || !memchr(s->value, 0, sizeof s->value) ||
            !memchr(s->reason, 0, sizeof s->reason))
            return r_fail(r, "a skipped row is not well formed");
    }
    return 0;
}

static int read_dicts(struct reader *r, struct engine *eng)
{
    char *key = NULL;
    size_t cap = 0;
    int rc = 0;
    for (int d = 0; d < DIM_COUNT && rc == 0; d++) {
        uint64_t n;
        if ((rc = r_u64(r, &n)) < 0)
            break;
        /* each key takes at least its 4-byte length */
        if (n > (r->size - r->pos) / 4 || n > INT32_MAX) {
            rc = r_fail(r, "a dictionary is longer than the file");
            break;
        }
        for (uint64_t i = 0; i < n && rc == 0; i++) {
            uint32_t len;
            if ((rc = r_get(r, &len, sizeof len)) < 0)
                break;
            if (len > r->size - r->pos) {
                rc = r_fail(r, "a dictionary key is longer than the file");
                break;
            }
            if (cap < (size_t)len + 1) {
                cap = (size_t)len + 1;
                key = xrealloc(key, cap);
            }
            if ((rc = r_get(r, key, len)) < 0)
                break;
            key[len] = '\0';
            int added = 0;
            int32_t id = strmap_put(eng->dict[d], key, len, &added);
            if (!added || id != (int32_t)i)
                rc = r_fail(r, "a dictionary repeats a key");
        }
    }
    free(key);
    return rc;
}

static int read_column(struct reader *r, struct column *c)
{
    uint64_t len;
    if (r_u64(r, &len) < 0)
        return -1;
    if (len > r->size - r->pos)
        return r_fail(r, "a column is longer than the file");
    if (len == 0)
        return 0;
    struct buf *b = &c->b;
    b->data = xmalloc((size_t)len + 1);
    b->cap = (size_t)len + 1;
    if (r_get(r, b->data, len) < 0)
        return -1;
    b->len = (size_t)len;
    b->data[len] = '\0';
    return 0;
}

/* ---- the checks of a read engine --------------------------------------------------------- */

/* Whether column c holds exactly n elements of w bytes. */
static int col_is(const struct column *c, uint64_t n, size_t w)
{
    return n <= SIZE_MAX / w && c->b.len == n * w;
}

static size_t col_n(const struct column *c, size_t w)
{
    return c->b.len / w;
}

/* Every value of an int32 column within [lo, hi). */
static int col32_in(const struct column *c, int64_t lo, int64_t hi)
{
    const int32_t *v = col32(c);
    size_t n = col_n(c, 4);
    for (size_t i = 0; i < n; i++)
        if (v[i] < lo || v[i] >= hi)
            return 0;
    return 1;
}

/* An int32 column of dictionary codes of d (or -1). */
static int codes_ok(const struct engine *eng, const struct column *c, enum dim d)
{
    return col32_in(c, -1, (int64_t)strmap_size(eng->dict[d]));
}

/* Offsets: n + 1 of them (int64 when w is 8, else int32), from 0, never falling, the last
 * one total; *total (when not NULL) gets the last. */
static int offsets_ok(const struct column *c, size_t w, uint64_t n, uint64_t *total)
{
    if (!col_is(c, n + 1, w))
        return 0;
    int64_t prev = 0;
    for (uint64_t i = 0; i <= n; i++) {
        int64_t v = w == 8 ? col64(c)[i] : col32(c)[i];
        if ((i == 0 && v != 0) || v < prev)
            return 0;
        prev = v;
    }
    if (total)
        *total = (uint64_t)prev;
    return 1;
}

/* The fine cube's seq holds each of 0 .. n - 1 once, and absrev each entry's revenue
 * magnitude or more. */
static int permutation_ok(const struct cube *k)
{
    unsigned char *seen = xcalloc(k->n + 1, 1);
    const int32_t *seq = col32(&k->seq);
    const int64_t *revenue = col64(&k->revenue);
    const uint64_t *absrev = (const uint64_t *)(const void *)k->absrev.b.data;
    int ok = 1;
    for (size_t i = 0; i < k->n && ok; i++) {
        uint64_t mag = revenue[i] < 0 ? 0 - (uint64_t)revenue[i] : (uint64_t)revenue[i];
        ok = seq[i] >= 0 && (size_t)seq[i] < k->n && !seen[seq[i]] && absrev[i] >= mag;
        if (ok)
            seen[seq[i]] = 1;
    }
    free(seen);
    return ok;
}

static int cube_ok(const struct engine *eng, const struct cube *k, int fine)
{
    size_t n = k->n;
    uint64_t last;
    if (!(col_is(&k->bucket, n, 4) && col_is(&k->brand, n, 4) && col_is(&k->product, n, 4) &&
          col_is(&k->campaign, n, 4) && col_is(&k->source, n, 4) && col_is(&k->ctype, n, 4) &&
          col_is(&k->orders, n, 8) && col_is(&k->revenue, n, 8) && col_is(&k->rows, n, 8) &&
          (fine ? col_is(&k->spend, n, 8) : k->spend.b.len == 0 || col_is(&k->spend, n, 8))))
        return 0;
    if (!offsets_ok(&k->day_start, 8, eng->ndays, &last) || last != n)
        return 0;
    return col32_in(&k->bucket, 0, (int64_t)eng->nbuckets + 1) &&
           codes_ok(eng, &k->brand, DIM_BRAND) && codes_ok(eng, &k->product, DIM_PRODUCT) &&
           codes_ok(eng, &k->campaign, DIM_CAMPAIGN) && codes_ok(eng, &k->source, DIM_SOURCE) &&
           col32_in(&k->ctype, 0, CTYPE_COUNT);
}

/* Whether the magnitudes of an int64 column total at most max (each one too); *total (when
 * not NULL) gets the total. */
static int abs_total_ok(const struct column *c, int64_t max, uint64_t *total)
{
    const int64_t *v = col64(c);
    size_t n = col_n(c, 8);
    uint64_t sum = 0;
    for (size_t i = 0; i < n; i++) {
        if (v[i] < -max || v[i] > max)
            return 0;
        sum += (uint64_t)(v[i] < 0 ? -v[i] : v[i]);
        if (sum > (uint64_t)max)
            return 0;
    }
    if (total)
        *total = sum;
    return 1;
}

/* Whether each value of an int64 column is within [-max, max]. */
static int each_within(const struct column *c, int64_t max)
{
    const int64_t *v = col64(c);
    size_t n = col_n(c, 8);
    for (size_t i = 0; i < n; i++)
        if (v[i] < -max || v[i] > max)
            return 0;
    return 1;
}

/* The bounds "why no sum overflows" (engine_impl.h) rests on, which the load makes true of
 * the stored values: each money and count column totals at most MONEY_TOTAL_MAX or
 * COUNT_TOTAL_MAX in magnitude, rates within SCHEMA_RATE_MAX, and the payout terms over all
 * the activity within ENGINE_SPEND_MAX (the load bounds them by each influencer's own
 * activity, so this check may refuse a file the load would accept: it is then loaded from the
 * store). Returns NULL or what is wrong. */
static const char *check_values(const struct engine *eng)
{
    const struct column *money[] = {&eng->pay_total, &eng->pay_unalloc, &eng->line_amount,
                                    &eng->post_spend};
    const struct column *count[] = {&eng->post_reach,    &eng->post_likes,  &eng->post_comments,
                                    &eng->post_shares,   &eng->post_saves,  &eng->post_views,
                                    &eng->inf_followers, &eng->pay_orders,  &eng->pay_posts,
                                    &eng->bucket_rows,   &eng->bucket_posts};
    for (size_t i = 0; i < sizeof money / sizeof money[0]; i++)
        if (!abs_total_ok(money[i], MONEY_TOTAL_MAX, NULL))
            return "a money column is out of range";
    for (size_t i = 0; i < sizeof count / sizeof count[0]; i++)
        if (!abs_total_ok(count[i], COUNT_TOTAL_MAX, NULL))
            return "a count column is out of range";
    uint64_t orders = 0, revenue = 0;
    for (int c = 0; c < CUBE_COUNT; c++) {
        const struct cube *k = &eng->cube[c];
        uint64_t o, r;
        if (!abs_total_ok(&k->orders, COUNT_TOTAL_MAX, &o) ||
            !abs_total_ok(&k->rows, COUNT_TOTAL_MAX, NULL) ||
            !abs_total_ok(&k->revenue, MONEY_TOTAL_MAX, &r) ||
            !abs_total_ok(&k->spend, MONEY_TOTAL_MAX, NULL))
            return "a cube's sums are out of range";
        orders = o > orders ? o : orders;
        revenue = r > revenue ? r : revenue;
    }
    if (!each_within(&eng->cell_entry_cum, MONEY_TOTAL_MAX) ||
        !each_within(&eng->pay_rate, SCHEMA_RATE_MAX))
        return "a running sum or a rate is out of range";
    const unsigned __int128 budget = (unsigned __int128)ENGINE_SPEND_MAX * 1000000;
    unsigned __int128 spend = 0;
    for (size_t i = 0; i < eng->npay; i++) {
        int64_t rate = col64(&eng->pay_rate)[i], total = col64(&eng->pay_total)[i];
        unsigned __int128 m = (unsigned __int128)(rate < 0 ? -rate : rate);
        switch ((enum pay_kind)col32(&eng->pay_kind)[i]) {
        case PAY_ORDER:
            m *= 100 * (unsigned __int128)orders;
            break;
        case PAY_POST:
            m *= 100 * (unsigned __int128)eng->nposts;
            break;
        case PAY_REVSHARE:
            m *= revenue;
            break;
        case PAY_TOTAL:
            m = (unsigned __int128)(total < 0 ? -total : total) * 1000000;
            break;
        }
        spend += m;
        if (spend > budget)
            return "the payout terms could price more than the engine can sum";
    }
    return NULL;
}

/* The lengths and indexes the queries rely on (engine_query.c, engine_allocate.c): a file
 * that passes cannot make them read out of bounds. Returns NULL or what is wrong. */
static const char *check_engine(const struct engine *eng)
{
    size_t ninf = eng->ninf, np = eng->nposts, npay = eng->npay, nb = eng->nbuckets;
    size_t nd = eng->ndays, fine = eng->cube[CUBE_FINE].n;
    if (ninf != strmap_size(eng->dict[DIM_INFLUENCER]) || nb < ninf || nb > INT32_MAX ||
        np > ENGINE_MAX_ROWS || npay > ENGINE_MAX_ROWS || nd > INT32_MAX)
        return "its counts disagree";
    const struct column *per_inf32[] = {&eng->inf_name,     &eng->inf_category, &eng->inf_gender,
                                        &eng->inf_platform, &eng->inf_tier,     &eng->inf_persona,
                                        &eng->inf_alloc};
    for (size_t i = 0; i < sizeof per_inf32 / sizeof per_inf32[0]; i++)
        if (!col_is(per_inf32[i], ninf, 4))
            return "an influencer column has the wrong length";
    if (!col_is(&eng->inf_followers, ninf, 8))
        return "an influencer column has the wrong length";
    if (!codes_ok(eng, &eng->inf_name, DIM_NAME) ||
        !codes_ok(eng, &eng->inf_category, DIM_CATEGORY) ||
        !codes_ok(eng, &eng->inf_gender, DIM_GENDER) ||
        !codes_ok(eng, &eng->inf_platform, DIM_PLATFORM) ||
        !codes_ok(eng, &eng->inf_tier, DIM_TIER) || !codes_ok(eng, &eng->inf_persona, DIM_PERSONA))
        return "an influencer column names a value out of its dictionary";

    const struct column *post32[] = {&eng->post_inf,      &eng->post_platform, &eng->post_day,
                                     &eng->post_campaign, &eng->post_bucket,   &eng->post_day_idx,
                                     &eng->post_pay};
    const struct column *post64[] = {&eng->post_reach,  &eng->post_likes, &eng->post_comments,
                                     &eng->post_shares, &eng->post_saves, &eng->post_views,
                                     &eng->post_spend};
    for (size_t i = 0; i < sizeof post32 / sizeof post32[0]; i++)
        if (!col_is(post32[i], np, 4) || !col_is(post64[i], np, 8))
            return "a post column has the wrong length";
    uint64_t last;
    if (!col32_in(&eng->post_inf, -1, (int64_t)ninf) ||
        !codes_ok(eng, &eng->post_platform, DIM_PLATFORM) ||
        !codes_ok(eng, &eng->post_campaign, DIM_CAMPAIGN) ||
        !col32_in(&eng->post_bucket, 0, (int64_t)nb + 1) ||
        !col32_in(&eng->post_day_idx, -1, (int64_t)nd) ||
        !col32_in(&eng->post_pay, -1, (int64_t)npay) ||
        !offsets_ok(&eng->post_start, 8, nd + 1, &last) || last != np)
        return "a post column points out of range";

    const struct column *pay32[] = {&eng->pay_inf,    &eng->pay_basis,  &eng->pay_campaign,
                                    &eng->pay_kind,   &eng->pay_scope,  &eng->pay_day,
                                    &eng->pay_status, &eng->pay_day_idx};
    const struct column *pay64[] = {&eng->pay_rate, &eng->pay_orders, &eng->pay_posts,
                                    &eng->pay_total, &eng->pay_unalloc};
    for (size_t i = 0; i < sizeof pay32 / sizeof pay32[0]; i++)
        if (!col_is(pay32[i], npay, 4))
            return "a payout column has the wrong length";
    for (size_t i = 0; i < sizeof pay64 / sizeof pay64[0]; i++)
        if (!col_is(pay64[i], npay, 8))
            return "a payout column has the wrong length";
    if (!col32_in(&eng->pay_inf, -1, (int64_t)ninf) || !codes_ok(eng, &eng->pay_basis, DIM_BASIS) ||
        !codes_ok(eng, &eng->pay_campaign, DIM_CAMPAIGN) ||
        !col32_in(&eng->pay_kind, PAY_ORDER, PAY_TOTAL + 1) ||
        !col32_in(&eng->pay_scope, SCOPE_DUPLICATE, (int64_t)nb) ||
        !col32_in(&eng->pay_day_idx, -1, (int64_t)nd))
        return "a payout column points out of range";

    if (!col_is(&eng->bucket_inf, nb, 4) || !col_is(&eng->bucket_claims, nb, 4) ||
        !col_is(&eng->bucket_rows, nb + 1, 8) || !col_is(&eng->bucket_posts, nb + 1, 8) ||
        !col32_in(&eng->bucket_inf, 0, (int64_t)ninf))
        return "a bucket column is inconsistent";
    if (!offsets_ok(&eng->inf_bucket_start, 4, ninf, &last) ||
        !col_is(&eng->inf_buckets, last, 4) || !col32_in(&eng->inf_buckets, 0, (int64_t)nb) ||
        !offsets_ok(&eng->inf_pay_start, 4, ninf, &last) || !col_is(&eng->inf_pays, last, 4) ||
        !col32_in(&eng->inf_pays, 0, (int64_t)npay) ||
        !offsets_ok(&eng->inf_post_start, 4, ninf, &last) || !col_is(&eng->inf_posts, last, 4) ||
        !col32_in(&eng->inf_posts, 0, (int64_t)np))
        return "an influencer index is inconsistent";
    if (!col_is(&eng->day_value, nd, 4))
        return "the days are inconsistent";
    for (size_t d = 1; d < nd; d++)
        if (col32(&eng->day_value)[d] <= col32(&eng->day_value)[d - 1])
            return "the days are not in order";

    if (!cube_ok(eng, &eng->cube[CUBE_FINE], 1) || !cube_ok(eng, &eng->cube[CUBE_COARSE], 0))
        return "a cube is inconsistent";
    if (!offsets_ok(&eng->line_start, 8, fine, &last) || !col_is(&eng->line_pay, last, 4) ||
        !col_is(&eng->line_amount, last, 8) || !col32_in(&eng->line_pay, 0, (int64_t)npay))
        return "the allocation lines are inconsistent";
    if (!offsets_ok(&eng->bucket_entry_start, 8, nb, &last) ||
        !col_is(&eng->bucket_entries, last, 4) ||
        !col32_in(&eng->bucket_entries, 0, (int64_t)fine) || !col_is(&eng->entry_day, fine, 4) ||
        !col32_in(&eng->entry_day, 0, (int64_t)nd))
        return "the entries of the buckets are inconsistent";
    const enum dim rank_dim[4] = {DIM_BRAND, DIM_PRODUCT, DIM_CAMPAIGN, DIM_SOURCE};
    for (int k = 0; k < 4; k++) {
        size_t n = strmap_size(eng->dict[rank_dim[k]]);
        if (eng->rank[k].b.len != 0 && !col_is(&eng->rank[k], n + 1, 4) &&
            !col_is(&eng->rank[k], n, 4))
            return "a text order is inconsistent";
    }
    uint64_t ncells;
    if (!offsets_ok(&eng->inf_cell_start, 4, ninf, &ncells) ||
        !col_is(&eng->inf_cells, ncells * 4, 4) || !col_is(&eng->entry_cell, fine, 4) ||
        !col32_in(&eng->entry_cell, -1, (int64_t)ncells) ||
        !offsets_ok(&eng->cell_entry_start, 8, ncells, &last) ||
        !col_is(&eng->cell_entry_cum, last, 8) || !col_is(&eng->cell_entry_day, last, 4) ||
        !col32_in(&eng->cell_entry_day, 0, (int64_t)nd))
        return "the cells are inconsistent";
    /* what engine_extend reads: each entry's number in the order of first rows (a
     * permutation of the entries) and its revenue magnitudes (at least its revenue's) */
    if (!col_is(&eng->cube[CUBE_FINE].seq, fine, 4) ||
        !col_is(&eng->cube[CUBE_FINE].absrev, fine, 8) || eng->trk_seq < -1)
        return "the order of the tracking entries is inconsistent";
    if (!permutation_ok(&eng->cube[CUBE_FINE]))
        return "the order of the tracking entries is not a permutation";
    /* the day order the range scans and the running sums rely on */
    const int64_t *ds = col64(&eng->cube[CUBE_FINE].day_start);
    for (size_t d = 0; d < nd; d++)
        for (int64_t i = ds[d]; i < ds[d + 1]; i++)
            if (col32(&eng->entry_day)[i] != (int32_t)d)
                return "the fine entries' days disagree with the cube";
    const int64_t *ce = col64(&eng->cell_entry_start);
    for (uint64_t g = 0; g < ncells; g++)
        for (int64_t i = ce[g] + 1; i < ce[g + 1]; i++)
            if (col32(&eng->cell_entry_day)[i] < col32(&eng->cell_entry_day)[i - 1])
                return "a cell's entries are not in day order";
    const int32_t *cell = col32(&eng->inf_cells);
    for (uint64_t g = 0; g < ncells; g++)
        for (int k = 0; k < 4; k++)
            if (cell[4 * g + k] < -1 ||
                cell[4 * g + k] >= (int64_t)strmap_size(eng->dict[rank_dim[k]]))
                return "a cell names a value out of its dictionary";
    return check_values(eng);
}

/* ---- the reader's entry points ---------------------------------------------------------- */

/* With stale, a file of an older data version is taken too when no tracking row was
 * replaced or removed since (stamp->rewritten at most its version): engine_cache_read_base. */
static int check_header(const struct cache_header *h, uint64_t file_size,
                        const struct store_stamp *stamp, const char *workspace, int stale,
                        struct err *e)
{
    struct cache_header want;
    fill_header(&want, stamp, workspace);
    if (memcmp(h->magic, cache_magic, sizeof h->magic) != 0)
        return err_set(e, ERR_INPUT, "not an engine cache file");
    if (h->format != want.format || h->ncolumns != want.ncolumns ||
        h->skipped_size != want.skipped_size)
        return err_set(e, ERR_INPUT, "written by another build (format %u)", h->format);
    if (h->db_id != want.db_id)
        return err_set(e, ERR_INPUT, "made from another database");
    if (stale && h->data_version < want.data_version && h->data_version >= stamp->rewritten)
        ; /* tracking rows appended since, at most */
    else if (stale && h->data_version < want.data_version)
        return err_set(e, ERR_INPUT,
                       "stale (data version %lld, the database is at %lld, and tracking rows "
                       "were replaced or removed at version %lld; PostgreSQL counts every "
                       "commit so)",
                       (long long)h->data_version, (long long)want.data_version,
                       (long long)stamp->rewritten);
    else if (h->data_version != want.data_version)
        return err_set(e, ERR_INPUT, "stale (data version %lld, the database is at %lld)",
                       (long long)h->data_version, (long long)want.data_version);
    if (memcmp(h->workspace, want.workspace, sizeof h->workspace) != 0)
        return err_set(e, ERR_INPUT, "made for another workspace");
    if (h->body_size != file_size - CACHE_HEADER)
        return err_set(e, ERR_INPUT, "its size is wrong (cut short, or grown)");
    return 0;
}

/* The engine of a body; NULL (e filled) when it does not hold up. */
static struct engine *read_body(struct reader *r, uint64_t want_hash, int rollups)
{
    struct engine *eng = engine_new();
    uint64_t counts[CACHE_NCOUNTS];
    if (r_get(r, counts, sizeof counts) < 0)
        goto fail;
    eng->ninf = counts[C_NINF];
    eng->nposts = counts[C_NPOSTS];
    eng->ntrk = counts[C_NTRK];
    eng->nagg = counts[C_NAGG];
    eng->npay = counts[C_NPAY];
    eng->nbuckets = counts[C_NBUCKETS];
    eng->ndays = counts[C_NDAYS];
    eng->cube[CUBE_FINE].n = counts[C_FINE];
    eng->cube[CUBE_COARSE].n = counts[C_COARSE];
    eng->as_of = (int64_t)counts[C_AS_OF];
    eng->trk_seq = (int64_t)counts[C_TRK_SEQ];
    for (int ds = 0; ds < DS_COUNT; ds++) {
        eng->skipped_count[ds] = counts[C_SKIPPED_COUNT + ds];
        eng->over_limit[ds] = counts[C_OVER_LIMIT + ds];
    }
    if (read_skipped(r, eng, counts[C_NSKIPPED]) < 0 || read_dicts(r, eng) < 0)
        goto fail;
    struct column *cols[CACHE_MAXCOLS];
    size_t ncols = all_columns(eng, cols);
    for (size_t i = 0; i < ncols; i++)
        if (read_column(r, cols[i]) < 0)
            goto fail;
    if (r->pos != r->size) {
        r_fail(r, "it has bytes after its last column");
        goto fail;
    }
    if (hash_end(&r->h) != want_hash) {
        r_fail(r, "its checksum does not match (the file is damaged)");
        goto fail;
    }
    const char *why = check_engine(eng);
    if (why) {
        r_fail(r, why);
        goto fail;
    }
    /* derived, never stored: built as after a load from the store (not for a base, which
     * engine_extend only reads the entries of) */
    if (rollups) {
        engine_build_rollups(eng);
        alloc_build_groups(eng);
    }
    return eng;
fail:
    engine_free(eng);
    return NULL;
}

int engine_cache_seal(void *data, size_t len, const struct store_stamp *stamp,
                      const char *workspace)
{
    if (len < CACHE_HEADER)
        return -1;
    struct cache_header h;
    fill_header(&h, stamp, workspace);
    h.body_size = len - CACHE_HEADER;
    struct hash x;
    hash_init(&x);
    hash_add(&x, (const unsigned char *)data + CACHE_HEADER, len - CACHE_HEADER);
    h.body_hash = hash_end(&x);
    memcpy(data, &h, sizeof h);
    return 0;
}

struct engine *engine_cache_parse(const void *data, size_t len, const struct store_stamp *stamp,
                                  const char *workspace, struct err *e)
{
    struct cache_header h;
    if (len < CACHE_HEADER) {
        err_set(e, ERR_INPUT, "shorter than its header");
        return NULL;
    }
    memcpy(&h, data, sizeof h);
    if (check_header(&h, len, stamp, workspace, 0, e) < 0)
        return NULL;
    struct reader r = {.mem = data, .fd = -1, .size = h.body_size, .e = e};
    hash_init(&r.h);
    return read_body(&r, h.body_hash, 1);
}

static struct engine *read_file(const char *path, const struct store_stamp *stamp,
                                const char *workspace, int stale, int64_t *version, struct err *e);

struct engine *engine_cache_read(const char *path, const struct store_stamp *stamp,
                                 const char *workspace, struct err *e)
{
    return read_file(path, stamp, workspace, 0, NULL, e);
}

struct engine *engine_cache_read_base(const char *path, const struct store_stamp *stamp,
                                      const char *workspace, int64_t *version, struct err *e)
{
    return read_file(path, stamp, workspace, 1, version, e);
}

static struct engine *read_file(const char *path, const struct store_stamp *stamp,
                                const char *workspace, int stale, int64_t *version, struct err *e)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        err_set(e, errno == ENOENT ? ERR_NOTFOUND : ERR_IO, "%s: %s", path, strerror(errno));
        return NULL;
    }
    struct engine *eng = NULL;
    struct stat st;
    char head[CACHE_HEADER];
    struct cache_header h;
    if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
        err_set(e, ERR_INPUT, "%s: not a regular file", path);
        goto out;
    }
    if (st.st_size < CACHE_HEADER || pread(fd, head, sizeof head, 0) != (ssize_t)sizeof head) {
        err_set(e, ERR_INPUT, "%s: shorter than its header", path);
        goto out;
    }
    memcpy(&h, head, sizeof h);
    if (check_header(&h, (uint64_t)st.st_size, stamp, workspace, stale, e) < 0) {
        err_prefix(e, "%s", path);
        goto out;
    }
    if (lseek(fd, CACHE_HEADER, SEEK_SET) < 0) {
        err_set(e, ERR_IO, "%s: %s", path, strerror(errno));
        goto out;
    }
#ifdef POSIX_FADV_SEQUENTIAL
    posix_fadvise(fd, 0, 0, POSIX_FADV_SEQUENTIAL);
#endif
    struct reader r = {.mem = NULL, .fd = fd, .size = h.body_size, .e = e};
    hash_init(&r.h);
    eng = read_body(&r, h.body_hash, !stale);
    if (!eng)
        err_prefix(e, "%s", path);
    else if (version)
        *version = h.data_version;
out:
    close(fd);
    return eng;
}
