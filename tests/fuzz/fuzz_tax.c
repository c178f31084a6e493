/* fuzz_tax.c — libFuzzer target for the TDS rules table reader and the TDS computation
 * (src/tax.c). Input: the bytes are a rules file; when it is accepted, the same bytes are
 * also read as payments (see payments_from), which are computed against it.
 * Invariants: an accepted table has a version, rules with checked fields (rate no higher
 * than the no-PAN rate, from <= to, a known kind and threshold type, a 0- or 4-digit
 * payment code) and no two rules of one kind on one day, so tax_rules_find gives each rule
 * back on its first and last day; a refused one leaves the table empty and its message
 * starts with the file name. Computed TDS is whole rupees, never negative, sums to the
 * result's total and to the section totals, and per FY and kind equals the tax on all
 * taxed bases rounded once; a payment is taxed only in full or not at all, except the
 * crossing one, whose base is the FY's running total. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "err.h"
#include "fuzz_util.h"
#include "tax.h"

#include "banned.h"

#define MAX_PAYMENTS 32

static void check_table(const struct tax_rules *r)
{
    FUZZ_CHECK(r->version && r->version[0], "no version");
    FUZZ_CHECK(r->nrules > 0, "no rules");
    for (size_t i = 0; i < r->nrules; i++) {
        const struct tax_rule *a = &r->rules[i];
        FUZZ_CHECK(a->rate_bp >= 0 && a->rate_bp <= a->no_pan_rate_bp && a->no_pan_rate_bp <= 10000,
                   "rule %s rates %d %d", a->id, a->rate_bp, a->no_pan_rate_bp);
        FUZZ_CHECK(a->from_day <= a->to_day, "rule %s dates", a->id);
        FUZZ_CHECK(a->kind == TAX_KIND_FEE || a->kind == TAX_KIND_PRODUCT, "rule %s kind", a->id);
        FUZZ_CHECK(a->threshold >= 0 && a->threshold <= TAX_AMOUNT_MAX, "rule %s threshold", a->id);
        size_t code = strlen(a->payment_code);
        FUZZ_CHECK(code == 0 || code == 4, "rule %s code %s", a->id, a->payment_code);
        FUZZ_CHECK(a->id[0] && a->act[0] && a->section[0] && a->citation[0], "rule %s text", a->id);
        FUZZ_CHECK(tax_rules_find(r, a->kind, a->from_day) == a,
                   "rule %s not found on its first "
                   "day",
                   a->id);
        FUZZ_CHECK(tax_rules_find(r, a->kind, a->to_day) == a, "rule %s not found on its last day",
                   a->id);
    }
}

/* Payments on the rules' days: each rule gives a few, amounts and PAN flags drawn from
 * the input bytes. */
static size_t payments_from(const struct tax_rules *r, const uint8_t *data, size_t size,
                            struct tax_payment *out)
{
    size_t n = 0;
    for (size_t i = 0; i < r->nrules && n < MAX_PAYMENTS; i++) {
        const struct tax_rule *rule = &r->rules[i];
        for (int k = 0; k < 3 && n < MAX_PAYMENTS; k++) {
            uint8_t b = size ? data[(i * 3 + (size_t)k) % size] : 0;
            int32_t span = rule->to_day == TAX_OPEN_END ? 400 : rule->to_day - rule->from_day;
            int32_t day =
                rule->from_day + (span > 0 ? (int32_t)((b * 37u) % (unsigned)(span + 1)) : 0);
            int64_t amount = (int64_t)(b % 64) * (rule->threshold / 16 + 1) + b;
            if (amount > TAX_AMOUNT_MAX)
                amount = TAX_AMOUNT_MAX;
            out[n++] = (struct tax_payment){day, amount, rule->kind, b & 1};
        }
    }
    return n;
}

static void check_compute(const struct tax_rules *r, const struct tax_payment *p, size_t n)
{
    struct tax_result res;
    struct err e = {0};
    tax_result_init(&res);
    int rc = tax_compute(r, p, n, &res, &e);
    FUZZ_CHECK(rc == 0 || rc == ERR_LIMIT, "compute failed: %s", e.msg);
    if (rc < 0)
        return;
    int64_t sum = 0, section_sum = 0;
    for (size_t i = 0; i < n; i++) {
        const struct tax_line *l = &res.lines[i];
        FUZZ_CHECK(l->tds >= 0 && l->tds % 100 == 0, "payment %zu tds %lld", i, (long long)l->tds);
        FUZZ_CHECK(l->rule == tax_rules_find(r, p[i].kind, p[i].day), "payment %zu rule", i);
        FUZZ_CHECK(l->base == 0 || l->base == p[i].amount || l->crossed, "payment %zu base %lld", i,
                   (long long)l->base);
        FUZZ_CHECK(l->base >= 0, "payment %zu negative base", i);
        sum += l->tds;
    }
    FUZZ_CHECK(sum == res.tds, "lines %lld, total %lld", (long long)sum, (long long)res.tds);
    for (size_t s = 0; s < res.nsections; s++)
        section_sum += res.sections[s].tds;
    FUZZ_CHECK(section_sum == res.tds, "sections %lld, total %lld", (long long)section_sum,
               (long long)res.tds);
    /* per FY and kind: the sum of deductions is the exact tax rounded once */
    for (size_t i = 0; i < n; i++) {
        int64_t exact = 0, deducted = 0;
        for (size_t j = 0; j < n; j++)
            if (res.lines[j].fy == res.lines[i].fy && p[j].kind == p[i].kind) {
                exact += res.lines[j].base * res.lines[j].rate_bp;
                deducted += res.lines[j].tds;
            }
        FUZZ_CHECK(deducted == (exact + 500000) / 1000000 * 100,
                   "FY %d %s: %lld deducted, exact %lld", res.lines[i].fy, tax_kind_name(p[i].kind),
                   (long long)deducted, (long long)exact);
    }
    tax_result_release(&res);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    /* an owned copy, so that reading past the end is caught */
    char *text = malloc(size ? size : 1);
    if (!text)
        return 0;
    if (size)
        memcpy(text, data, size);
    struct tax_rules r;
    struct err e = {0};
    tax_rules_init(&r);
    int rc = tax_rules_parse(&r, "fuzz.csv", text, size, &e);
    if (rc < 0) {
        FUZZ_CHECK(rc == ERR_INPUT || rc == ERR_LIMIT, "code %d: %s", rc, e.msg);
        FUZZ_CHECK(strncmp(e.msg, "fuzz.csv", 8) == 0, "message without the file name: %s", e.msg);
        FUZZ_CHECK(r.nrules == 0 && !r.rules && !r.version, "a refused table kept rules");
    } else {
        check_table(&r);
        struct tax_payment p[MAX_PAYMENTS];
        size_t n = payments_from(&r, data, size, p);
        check_compute(&r, p, n);
    }
    tax_rules_release(&r);
    free(text);
    return 0;
}
