/* api_tax.c — TDS, GST and the bank batch file from the stored influencers and payouts
 * (api_tax.h): one scan of each dataset into payees and payments, then tax_compute per
 * influencer and FY. Calls tax, payid, store, schema, json, csv and strmap. */
#include "api_tax.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "csv.h"
#include "json.h"
#include "payid.h"
#include "schema.h"
#include "strmap.h"

#include "banned.h"

/* One influencer's payment details (strings owned, NULL when absent). */
struct payee {
    char *id, *name, *pan, *gstin, *account, *ifsc, *upi;
};

/* One payout row as tax sees it. */
struct payment {
    char *payout_id, *campaign, *status;
    int32_t payee;
    int32_t day; /* -1: no payout_date */
    int has_amount;
    int64_t amount; /* total_payout, paise */
    enum tax_kind kind;
};

struct ledger {
    struct strmap *ids; /* influencer_id → index into payees */
    struct payee *payees;
    size_t npayees, cap_payees;
    struct payment *payments;
    size_t npayments, cap_payments;
    /* the payments of payee k, in stored order: by_payee[start[k] .. start[k + 1]] */
    size_t *start, *by_payee;
};

static void ledger_init(struct ledger *l)
{
    memset(l, 0, sizeof *l);
    l->ids = strmap_new();
}

static void ledger_release(struct ledger *l)
{
    for (size_t i = 0; i < l->npayees; i++) {
        struct payee *p = &l->payees[i];
        free(p->id), free(p->name), free(p->pan), free(p->gstin);
        free(p->account), free(p->ifsc), free(p->upi);
    }
    for (size_t i = 0; i < l->npayments; i++) {
        free(l->payments[i].payout_id);
        free(l->payments[i].campaign);
        free(l->payments[i].status);
    }
    free(l->payees);
    free(l->payments);
    free(l->start);
    free(l->by_payee);
    strmap_free(l->ids);
}

static char *dup_text(const struct schema_row *row, int col)
{
    if (col < 0 || !row->v[col].present || !row->v[col].s)
        return NULL;
    return xstrdup(row->v[col].s);
}

/* The payee of id, added with no details when new. */
static int32_t payee_of(struct ledger *l, const char *id)
{
    int added = 0;
    int32_t at = strmap_put(l->ids, id, strlen(id), &added);
    if (added) {
        if (l->npayees == l->cap_payees) {
            l->cap_payees = l->cap_payees ? 2 * l->cap_payees : 64;
            l->payees = xrealloc(l->payees, l->cap_payees * sizeof *l->payees);
        }
        memset(&l->payees[l->npayees], 0, sizeof l->payees[0]);
        l->payees[l->npayees].id = xstrdup(id);
        l->npayees++;
    }
    return at;
}

static int read_influencer(void *ctx, const struct schema_row *row)
{
    struct ledger *l = ctx;
    int id = schema_col_index(DS_INFLUENCERS, "influencer_id");
    if (!row->v[id].present)
        return 0;
    int32_t k = payee_of(l, row->v[id].s); /* may move l->payees */
    struct payee *p = &l->payees[k];
    free(p->name), free(p->pan), free(p->gstin), free(p->account), free(p->ifsc), free(p->upi);
    p->name = dup_text(row, schema_col_index(DS_INFLUENCERS, "name"));
    p->pan = dup_text(row, schema_col_index(DS_INFLUENCERS, "pan"));
    p->gstin = dup_text(row, schema_col_index(DS_INFLUENCERS, "gstin"));
    p->account = dup_text(row, schema_col_index(DS_INFLUENCERS, "bank_account"));
    p->ifsc = dup_text(row, schema_col_index(DS_INFLUENCERS, "ifsc"));
    p->upi = dup_text(row, schema_col_index(DS_INFLUENCERS, "upi"));
    return 0;
}

static int read_payout(void *ctx, const struct schema_row *row)
{
    struct ledger *l = ctx;
    const struct schema_value *v = row->v;
    int inf = schema_col_index(DS_PAYOUTS, "influencer_id");
    int date = schema_col_index(DS_PAYOUTS, "payout_date");
    int total = schema_col_index(DS_PAYOUTS, "total_payout");
    int kind = schema_col_index(DS_PAYOUTS, "kind");
    if (!v[inf].present)
        return 0;
    if (l->npayments == l->cap_payments) {
        l->cap_payments = l->cap_payments ? 2 * l->cap_payments : 256;
        l->payments = xrealloc(l->payments, l->cap_payments * sizeof *l->payments);
    }
    struct payment *p = &l->payments[l->npayments++];
    memset(p, 0, sizeof *p);
    p->payee = payee_of(l, v[inf].s);
    p->payout_id = dup_text(row, schema_col_index(DS_PAYOUTS, "payout_id"));
    p->campaign = dup_text(row, schema_col_index(DS_PAYOUTS, "campaign"));
    p->status = dup_text(row, schema_col_index(DS_PAYOUTS, "status"));
    p->day = -1;
    if (v[date].present && schema_iso_to_days(v[date].s, &p->day) < 0)
        p->day = -1;
    p->has_amount = v[total].present && v[total].i >= 0 && v[total].i <= TAX_AMOUNT_MAX;
    p->amount = p->has_amount ? v[total].i : 0;
    p->kind = v[kind].present && !strcmp(v[kind].s, "product") ? TAX_KIND_PRODUCT : TAX_KIND_FEE;
    return 0;
}

/* Influencers first (their details), then payouts: an influencer the payouts name that
 * the influencers file lacks is a payee without details. */
static int ledger_load(struct ledger *l, struct store *s, struct err *e)
{
    int rc = store_scan(s, DS_INFLUENCERS, read_influencer, l, e);
    if (rc == 0)
        rc = store_scan(s, DS_PAYOUTS, read_payout, l, e);
    if (rc < 0)
        return rc;
    /* a counting sort of the payments by payee (stable: stored order within each) */
    l->start = xcalloc(l->npayees + 2, sizeof *l->start);
    l->by_payee = xmalloc((l->npayments + 1) * sizeof *l->by_payee);
    for (size_t i = 0; i < l->npayments; i++)
        l->start[l->payments[i].payee + 2]++;
    for (size_t k = 2; k < l->npayees + 2; k++)
        l->start[k] += l->start[k - 1];
    for (size_t i = 0; i < l->npayments; i++)
        l->by_payee[l->start[l->payments[i].payee + 1]++] = i;
    return 0;
}

static int has_pan(const struct payee *p)
{
    return p->pan && payid_pan(p->pan, NULL) == 0;
}

static int gst_registered(const struct payee *p)
{
    return p->gstin && payid_gstin(p->gstin, NULL) == 0;
}

/* GST on one fee: the split by state when the brand's state is known, else 18 % as one
 * amount (in igst, intra_state 0; the caller shows no split). */
static int gst_of(const struct payee *p, int gst_state, int64_t fee, struct tax_gst *g,
                  struct err *e)
{
    memset(g, 0, sizeof *g);
    if (!gst_registered(p))
        return 0;
    int state = gst_state ? gst_state : -1;
    if (state < 0) { /* no brand state: the total is the same either way */
        int64_t t = (fee * TAX_GST_RATE_BP + 5000) / 10000;
        g->igst = g->total = t;
        return 0;
    }
    return tax_gst(fee, p->gstin, state, g, e);
}

/* The payments of payee k dated in FY fy, in the order stored (indexes into
 * l->payments), as tax_payments. */
static size_t fy_payments(const struct ledger *l, int32_t k, int32_t fy, size_t *idx,
                          struct tax_payment *tp)
{
    size_t n = 0;
    int pan = has_pan(&l->payees[k]);
    for (size_t at = l->start[k]; at < l->start[k + 1]; at++) {
        size_t i = l->by_payee[at];
        const struct payment *p = &l->payments[i];
        if (p->payee != k || p->day < 0 || !p->has_amount || tax_fy_of_day(p->day) != fy)
            continue;
        idx[n] = i;
        tp[n] = (struct tax_payment){
            .day = p->day, .amount = p->amount, .kind = p->kind, .has_pan = pan};
        n++;
    }
    return n;
}

/* ---- GET /api/payouts/tax -------------------------------------------------------------- */

static void write_totals(struct json *j, const struct api_tax_amounts *t, int split)
{
    json_kv_money(j, "fees", t->fees);
    json_kv_money(j, "products", t->products);
    json_kv_money(j, "tds", t->tds);
    json_kv_money(j, "tds_fees", t->tds_fees);
    json_kv_money(j, "tds_products", t->tds_products);
    json_kv_money(j, "gst", t->gst);
    if (split) {
        json_kv_money(j, "cgst", t->cgst);
        json_kv_money(j, "sgst", t->sgst);
        json_kv_money(j, "igst", t->igst);
    } else {
        json_kv_null(j, "cgst");
        json_kv_null(j, "sgst");
        json_kv_null(j, "igst");
    }
    json_kv_money(j, "net", t->net);
    json_kv_int(j, "payments", t->payments);
}

static void write_rule(struct json *j, const struct api_tax_section *st)
{
    json_obj_begin(j);
    json_kv_str(j, "section", st->section);
    json_kv_str(j, "act", st->act);
    if (st->payment_code[0])
        json_kv_str(j, "payment_code", st->payment_code);
    else
        json_kv_null(j, "payment_code");
    json_kv_str(j, "kind", st->kind);
    json_kv_double(j, "rate", st->rate_bp / 10000.0);
    json_kv_money(j, "base", st->base);
    json_kv_money(j, "amount", st->amount);
    json_kv_str(j, "rule", st->rule);
    json_obj_end(j);
}

/* The first and last FY of the dated payouts with an amount; hi INT32_MIN when none. */
static void fy_span(const struct ledger *l, int32_t *lo, int32_t *hi)
{
    *lo = INT32_MAX, *hi = INT32_MIN;
    for (size_t i = 0; i < l->npayments; i++)
        if (l->payments[i].day >= 0 && l->payments[i].has_amount) {
            int32_t fy = tax_fy_of_day(l->payments[i].day);
            *lo = fy < *lo ? fy : *lo;
            *hi = fy > *hi ? fy : *hi;
        }
}

/* Those FYs that have payouts, newest first, as "fys". */
static void write_fys(struct json *j, const struct ledger *l)
{
    int32_t lo, hi;
    fy_span(l, &lo, &hi);
    json_key(j, "fys");
    json_arr_begin(j);
    for (int32_t fy = hi; hi >= lo && fy >= lo; fy--) {
        int has = 0;
        for (size_t i = 0; i < l->npayments && !has; i++)
            has = l->payments[i].day >= 0 && l->payments[i].has_amount &&
                  tax_fy_of_day(l->payments[i].day) == fy;
        if (has) {
            char name[8];
            tax_fy_name(fy, name);
            json_str(j, name);
        }
    }
    json_arr_end(j);
}

void api_tax_table_init(struct api_tax_table *t)
{
    memset(t, 0, sizeof *t);
}

void api_tax_table_release(struct api_tax_table *t)
{
    for (size_t i = 0; i < t->nrows; i++) {
        struct api_tax_row *r = &t->rows[i];
        for (size_t k = 0; k < r->nsections; k++) {
            struct api_tax_section *st = &r->sections[k];
            free(st->section), free(st->act), free(st->payment_code), free(st->rule);
        }
        free(r->sections);
        free(r->influencer_id), free(r->name);
    }
    free(t->rows);
    free(t->rules_version), free(t->rules_file);
    api_tax_table_init(t);
}

/* The table of FY fy (or API_TAX_LATEST_FY) from a loaded ledger. */
static int table_build(const struct ledger *l, const struct tax_rules *rules, int gst_state,
                       int32_t fy, struct api_tax_table *out, struct err *e)
{
    if (fy == API_TAX_LATEST_FY) { /* the newest FY with payouts, else today's */
        int32_t lo, hi;
        fy_span(l, &lo, &hi);
        fy = hi != INT32_MIN ? hi : tax_fy_of_day((int32_t)(time(NULL) / 86400));
    }
    int32_t first, last;
    tax_fy_days(fy, &first, &last);
    char fyname[8];
    tax_fy_name(fy, fyname);
    if (!tax_rules_find(rules, TAX_KIND_FEE, first) ||
        !tax_rules_find(rules, TAX_KIND_PRODUCT, first))
        return err_set(e, ERR_USAGE,
                       "fy: the rules table %s (version %s) has no rule in force on the first day "
                       "of FY %s: add that year's rows to it",
                       rules->name, rules->version, fyname);
    struct api_tax_table t;
    api_tax_table_init(&t);
    memcpy(t.fy, fyname, sizeof t.fy);
    t.rules_version = xstrdup(rules->version);
    t.rules_file = xstrdup(rules->name);
    t.gst_state = gst_state;
    t.rows = xmalloc((l->npayees + 1) * sizeof *t.rows);
    size_t *idx = xmalloc((l->npayments + 1) * sizeof *idx);
    struct tax_payment *tp = xmalloc((l->npayments + 1) * sizeof *tp);
    for (size_t i = 0; i < l->npayments; i++)
        t.undated += l->payments[i].day < 0 || !l->payments[i].has_amount;
    int rc = 0;
    struct api_tax_amounts *all = &t.totals;
    for (size_t k = 0; rc == 0 && k < l->npayees; k++) {
        const struct payee *p = &l->payees[k];
        size_t n = fy_payments(l, (int32_t)k, fy, idx, tp);
        if (n == 0)
            continue;
        struct tax_result res;
        tax_result_init(&res);
        if ((rc = tax_compute(rules, tp, n, &res, e)) < 0) {
            tax_result_release(&res);
            break;
        }
        struct api_tax_amounts a = {.payments = (int64_t)n};
        for (size_t i = 0; i < n && rc == 0; i++) {
            const struct payment *pay = &l->payments[idx[i]];
            if (pay->kind == TAX_KIND_FEE) {
                struct tax_gst g;
                if ((rc = gst_of(p, gst_state, pay->amount, &g, e)) < 0)
                    break;
                a.fees += pay->amount;
                a.gst += g.total, a.cgst += g.cgst, a.sgst += g.sgst, a.igst += g.igst;
                a.tds_fees += res.lines[i].tds;
            } else {
                a.products += pay->amount;
                a.tds_products += res.lines[i].tds;
            }
        }
        if (rc < 0) {
            tax_result_release(&res);
            break;
        }
        a.tds = a.tds_fees + a.tds_products;
        a.net = tax_net(a.fees, a.gst, a.tds_fees);
        struct api_tax_row *r = &t.rows[t.nrows++];
        memset(r, 0, sizeof *r);
        r->influencer_id = xstrdup(p->id);
        r->name = p->name ? xstrdup(p->name) : NULL;
        r->has_pan = has_pan(p);
        r->gst_registered = gst_registered(p);
        r->t = a;
        r->sections = xmalloc((res.nsections + 1) * sizeof *r->sections);
        for (size_t i = 0; i < res.nsections; i++) {
            const struct tax_section_total *st = &res.sections[i];
            r->sections[i] = (struct api_tax_section){
                .section = xstrdup(st->rule->section),
                .act = xstrdup(st->rule->act),
                .payment_code = xstrdup(st->rule->payment_code),
                .rule = xstrdup(st->rule->id),
                .kind = tax_kind_name(st->rule->kind),
                .rate_bp = st->rate_bp,
                .base = st->base,
                .amount = st->tds,
            };
            r->nsections++;
        }
        all->fees += a.fees, all->products += a.products, all->tds += a.tds;
        all->tds_fees += a.tds_fees, all->tds_products += a.tds_products;
        all->gst += a.gst, all->cgst += a.cgst, all->sgst += a.sgst, all->igst += a.igst;
        all->net += a.net, all->payments += a.payments;
        tax_result_release(&res);
    }
    free(idx);
    free(tp);
    if (rc < 0) {
        api_tax_table_release(&t);
        return rc;
    }
    *out = t;
    return 0;
}

int api_tax_table(struct store *s, const struct tax_rules *rules, int gst_state, int32_t fy,
                  struct api_tax_table *t, struct err *e)
{
    struct ledger l;
    ledger_init(&l);
    int rc = ledger_load(&l, s, e);
    if (rc == 0)
        rc = table_build(&l, rules, gst_state, fy, t, e);
    ledger_release(&l);
    return rc;
}

int api_tax_report_table(struct store *s, const struct tax_rules *rules, int gst_state, int32_t fy,
                         int32_t to_day, struct api_tax_table *t, int *have, struct err *e)
{
    *have = 0;
    int implicit = fy == API_TAX_LATEST_FY && to_day != INT32_MAX;
    if (implicit)
        fy = tax_fy_of_day(to_day);
    int rc = api_tax_table(s, rules, gst_state, fy, t, e);
    if (rc == ERR_USAGE && implicit) {
        err_clear(e); /* a period the rules table does not reach: no tax table */
        return 0;
    }
    if (rc == 0)
        *have = 1;
    return rc;
}

int api_tax_json(struct store *s, const struct tax_rules *rules, int gst_state, int32_t fy,
                 struct buf *out, struct err *e)
{
    struct ledger l;
    ledger_init(&l);
    struct api_tax_table t;
    api_tax_table_init(&t);
    int rc = ledger_load(&l, s, e);
    if (rc == 0)
        rc = table_build(&l, rules, gst_state, fy, &t, e);
    if (rc < 0) {
        ledger_release(&l);
        return rc;
    }
    int split = gst_state != 0;
    struct json j;
    json_init(&j, out);
    json_obj_begin(&j);
    json_kv_str(&j, "fy", t.fy);
    json_kv_str(&j, "rules_version", t.rules_version);
    json_kv_str(&j, "rules_file", t.rules_file);
    write_fys(&j, &l);
    if (gst_state)
        json_kv_int(&j, "gst_state", gst_state);
    else
        json_kv_null(&j, "gst_state");
    json_key(&j, "influencers");
    json_arr_begin(&j);
    for (size_t k = 0; k < t.nrows; k++) {
        const struct api_tax_row *r = &t.rows[k];
        json_obj_begin(&j);
        json_kv_str(&j, "influencer_id", r->influencer_id);
        if (r->name)
            json_kv_str(&j, "name", r->name);
        else
            json_kv_null(&j, "name");
        json_kv_bool(&j, "has_pan", r->has_pan);
        json_kv_bool(&j, "gst_registered", r->gst_registered);
        write_totals(&j, &r->t, split);
        json_key(&j, "tds_by_section");
        json_arr_begin(&j);
        for (size_t i = 0; i < r->nsections; i++)
            write_rule(&j, &r->sections[i]);
        json_arr_end(&j);
        json_obj_end(&j);
    }
    json_arr_end(&j);
    json_key(&j, "totals");
    json_obj_begin(&j);
    write_totals(&j, &t.totals, split);
    json_obj_end(&j);
    json_kv_int(&j, "undated", t.undated);
    json_obj_end(&j);
    rc = json_finish(&j, e);
    api_tax_table_release(&t);
    ledger_release(&l);
    return rc;
}

/* ---- the bank batch file ----------------------------------------------------------------- */

/* Text a bank's bulk upload accepts: letters, digits, spaces, '.', at most max bytes (bank
 * portals refuse other characters in names and narrations). */
static void bank_text(struct buf *b, const char *s, size_t max)
{
    size_t start = b->len;
    int space = 0;
    for (; s && *s && b->len - start < max; s++) {
        unsigned char c = (unsigned char)*s;
        int ok =
            (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.';
        if (ok) {
            if (space && b->len > start)
                buf_putc(b, ' ');
            buf_putc(b, (char)c);
            space = 0;
        } else {
            space = 1;
        }
    }
}

static void csv_cell(struct buf *out, const char *s)
{
    csv_write_field(out, s ? s : "", s ? strlen(s) : 0, ',');
    buf_putc(out, ',');
}

static void csv_money(struct buf *out, int64_t paise, int last)
{
    struct buf m = BUF_INIT;
    schema_format_int(COL_MONEY, paise, &m);
    buf_append(out, m.data, m.len);
    buf_release(&m);
    if (!last)
        buf_putc(out, ',');
}

static void refuse(struct json *j, const struct ledger *l, const struct payment *p,
                   const char *reason, size_t *nrefused)
{
    (*nrefused)++;
    if (!j)
        return;
    const struct payee *who = &l->payees[p->payee];
    json_obj_begin(j);
    json_kv_str(j, "payout_id", p->payout_id ? p->payout_id : "");
    json_kv_str(j, "influencer_id", who->id);
    if (who->name)
        json_kv_str(j, "name", who->name);
    else
        json_kv_null(j, "name");
    if (p->has_amount)
        json_kv_money(j, "amount", p->amount);
    else
        json_kv_null(j, "amount");
    json_kv_str(j, "reason", reason);
    json_obj_end(j);
}

/* Why payee p cannot be paid by bank transfer, or NULL: an account needs its IFSC, and a
 * UPI id serves where there is no account. */
static const char *no_payment_details(const struct payee *p)
{
    int account = p->account && payid_bank_account(p->account, NULL) == 0;
    int ifsc = p->ifsc && payid_ifsc(p->ifsc, NULL) == 0;
    int upi = p->upi && payid_upi(p->upi, NULL) == 0;
    if (account && ifsc)
        return NULL;
    if (upi && !account)
        return NULL;
    if (account)
        return "a bank account without an IFSC: add the branch's IFSC to the influencers file";
    if (ifsc)
        return "an IFSC without a bank account number: add bank_account to the influencers "
               "file";
    return "no payment details: add bank_account and ifsc, or upi, to the influencers file";
}

int api_batch(struct store *s, const struct tax_rules *rules, int gst_state, const char *status,
              struct buf *csv, struct buf *refusals, size_t *nrefused, struct err *e)
{
    struct ledger l;
    ledger_init(&l);
    *nrefused = 0;
    int rc = ledger_load(&l, s, e);
    size_t *idx = xmalloc((l.npayments + 1) * sizeof *idx);
    struct tax_payment *tp = xmalloc((l.npayments + 1) * sizeof *tp);
    struct json jr, *j = NULL;
    if (refusals) {
        json_init(&jr, refusals);
        j = &jr;
        json_obj_begin(j);
        json_kv_str(j, "status", status);
        json_key(j, "refused");
        json_arr_begin(j);
    }
    if (csv)
        buf_puts(csv, API_BATCH_HEADER);
    int64_t rows = 0, amount = 0;
    for (size_t i = 0; rc == 0 && i < l.npayments; i++) {
        const struct payment *p = &l.payments[i];
        if (!p->status || strcmp(p->status, status) != 0)
            continue;
        const struct payee *who = &l.payees[p->payee];
        if (p->kind == TAX_KIND_PRODUCT) {
            refuse(j, &l, p, "a product the influencer keeps: nothing to pay by bank", nrefused);
            continue;
        }
        if (!p->has_amount) {
            refuse(j, &l, p, "no total_payout: the amount to pay is not known", nrefused);
            continue;
        }
        if (p->day < 0) {
            refuse(j, &l, p,
                   "no payout_date: TDS depends on the payment date; set the date it will be "
                   "paid",
                   nrefused);
            continue;
        }
        const char *why = no_payment_details(who);
        if (why) {
            refuse(j, &l, p, why, nrefused);
            continue;
        }
        struct buf name = BUF_INIT;
        bank_text(&name, who->name ? who->name : who->id, 40);
        if (name.len == 0) {
            buf_release(&name);
            refuse(j, &l, p, "the name has no letters a bank file accepts (A-Z, 0-9)", nrefused);
            continue;
        }
        /* TDS of this payment among the FY's payments of its influencer */
        int32_t fy = tax_fy_of_day(p->day);
        size_t n = fy_payments(&l, p->payee, fy, idx, tp);
        struct tax_result res;
        tax_result_init(&res);
        struct err te;
        err_clear(&te);
        if (tax_compute(rules, tp, n, &res, &te) < 0) {
            buf_release(&name);
            tax_result_release(&res);
            refuse(j, &l, p, te.msg, nrefused);
            continue;
        }
        const struct tax_line *line = NULL;
        for (size_t k = 0; k < n; k++)
            if (idx[k] == i)
                line = &res.lines[k];
        struct tax_gst g;
        if ((rc = gst_of(who, gst_state, p->amount, &g, e)) < 0) {
            buf_release(&name);
            tax_result_release(&res);
            break;
        }
        int64_t net = tax_net(p->amount, g.total, line ? line->tds : 0);
        if (net <= 0) {
            buf_release(&name);
            tax_result_release(&res);
            refuse(j, &l, p,
                   "the TDS this payment carries (the FY's threshold is crossed here) is not "
                   "less than the fee: pay it with a later payment",
                   nrefused);
            continue;
        }
        if (csv) {
            int upi = !(who->account && who->ifsc);
            csv_cell(csv, buf_cstr(&name));
            csv_cell(csv, upi ? "" : who->account);
            csv_cell(csv, upi ? "" : who->ifsc);
            csv_cell(csv, upi ? who->upi : "");
            csv_cell(csv, upi ? "UPI" : "NEFT");
            csv_money(csv, net, 0);
            struct buf narr = BUF_INIT;
            buf_printf(&narr, "Payout %s %s", p->payout_id ? p->payout_id : "",
                       p->campaign ? p->campaign : "");
            struct buf clean = BUF_INIT;
            bank_text(&clean, buf_cstr(&narr), 30);
            csv_cell(csv, buf_cstr(&clean));
            buf_release(&clean);
            buf_release(&narr);
            csv_cell(csv, p->payout_id);
            csv_cell(csv, who->id);
            char iso[11];
            schema_days_to_iso(p->day, iso);
            csv_cell(csv, iso);
            csv_money(csv, p->amount, 0);
            csv_money(csv, g.total, 0);
            csv_money(csv, line ? line->tds : 0, 0);
            csv_write_field(csv, line ? line->rule->id : "", line ? strlen(line->rule->id) : 0,
                            ',');
            buf_puts(csv, "\r\n");
        }
        rows++;
        amount += net;
        buf_release(&name);
        tax_result_release(&res);
    }
    if (j) {
        json_arr_end(j);
        json_kv_int(j, "rows", rows);
        json_kv_money(j, "amount", amount);
        json_kv_int(j, "refused_count", (int64_t)*nrefused);
        json_obj_end(j);
        if (rc == 0)
            rc = json_finish(j, e);
    }
    free(idx);
    free(tp);
    ledger_release(&l);
    return rc;
}
