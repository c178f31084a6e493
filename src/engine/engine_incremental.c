/* engine_incremental.c — incremental revenue and iROAS of a query's result (SPEC §3,
 * engine.h): the organic baseline with its bootstrap interval, the holdout test against
 * control, or the fixed share, and why each method passed over does not apply. Calls format,
 * buf and err. */
#include "engine_impl.h"

#include <assert.h>
#include <limits.h>
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "buf.h"
#include "format.h"
#include "schema.h"
#include "strmap.h"

#include "banned.h"

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

static double max_abs(const double *v, size_t n)
{
    double m = 0;
    for (size_t i = 0; i < n; i++)
        m = fabs(v[i]) > m ? fabs(v[i]) : m;
    return m;
}

/* Why organic (nb baseline and nc campaign days) does not apply, every failing condition
 * in words, into b (empty when it applies). Its figures must fit the paise the engine sums
 * (MONEY_TOTAL_MAX): the estimate and every resample add nc campaign days, each at most the
 * largest campaign day, less nc baseline means, each at most the largest baseline day, so
 * nc × (the two largest days) bounds them all. Stored rows can pass that bound (a few huge
 * baseline days over years of campaign days): organic then does not apply. */
static void organic_not_ok(const struct engine_result *r, const double *campaign, size_t nc,
                           const double *baseline, size_t nb, struct buf *b)
{
    const char *sep = "";
    double bound = (double)nc * (max_abs(campaign, nc) + max_abs(baseline, nb));
    if (bound > (double)MONEY_TOTAL_MAX) {
        char most[48];
        format_money_compact(most, sizeof most, MONEY_TOTAL_MAX);
        buf_printf(b,
                   "%zu days with activity against baseline days this large could give an "
                   "estimate beyond %s, more than the engine sums",
                   nc, most);
        sep = ", ";
    }
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
    buf_init(&organic_why);
    buf_init(&holdout_why);
    buf_init(&why);
    organic_not_ok(r, campaign, nc, baseline, nb, &organic_why);
    holdout_not_ok(out, &holdout_why);
    int organic_ok = organic_why.len == 0, holdout_ok = holdout_why.len == 0;
    enum engine_iroas_method m = o->method;
    if ((m == ENGINE_IROAS_ORGANIC && !organic_ok) || (m == ENGINE_IROAS_HOLDOUT && !holdout_ok))
        m = ENGINE_IROAS_AUTO; /* asked for but not applicable: chosen as if not asked */
    if (m == ENGINE_IROAS_AUTO)
        m = organic_ok   ? ENGINE_IROAS_ORGANIC
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
        out->incremental_revenue =
            r->kpis.revenue - round_paise(o->fixed_share * (double)r->kpis.revenue);
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
