/* test_tax.c — the TDS rules table and TDS per influencer and FY, against figures worked out
 * by hand: a threshold crossing within an FY (the crossing payment carries the FY's earlier
 * payments), the 1 April 2025 threshold change, the 1 April 2026 switch to the Income-tax
 * Act, 2025 and its payment codes, payees without PAN, rounding to the rupee; the shipped
 * data/tds_rules.csv; rules-file errors naming line and column; FY names; GST intra- and
 * inter-state and the net amount. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "schema.h"
#include "tax.h"

#include "banned.h"

/* ₹ as paise */
#define RS(x) ((int64_t)(x)*100)

/* The shipped table's figures, written out here so these tests pin the computation and
 * not whatever the file says today (test_shipped_table_* checks the file). */
static const char rules_csv[] =
    "rules_version,test-1\n"
    "rule_id,act,section,payment_code,kind,rate_percent,no_pan_rate_percent,threshold_paise,"
    "threshold_type,from,to,citation\n"
    "J-2023,\"Income-tax Act, 1961\",194J,,fee,10,20,3000000,aggregate_fy,2023-04-01,2025-03-31,"
    "s.194J\n"
    "J-2025,\"Income-tax Act, 1961\",194J,,fee,10,20,5000000,aggregate_fy,2025-04-01,2026-03-31,"
    "s.194J as amended by the Finance Act 2025\n"
    "R-2023,\"Income-tax Act, 1961\",194R,,product,10,20,2000000,aggregate_fy,2023-04-01,"
    "2026-03-31,s.194R\n"
    "A-1027,\"Income-tax Act, 2025\",393(1) Sl. 6(iii),1027,fee,10,20,5000000,aggregate_fy,"
    "2026-04-01,,s.393\n"
    "A-1033,\"Income-tax Act, 2025\",393(1) Sl. 8(iv),1033,product,10,20,2000000,aggregate_fy,"
    "2026-04-01,,s.393\n";

static int32_t day(const char *iso)
{
    int32_t d = 0;
    if (schema_iso_to_days(iso, &d) < 0)
        fail_msg("bad test date %s", iso);
    return d;
}

static void load_rules(struct tax_rules *r)
{
    struct err e = {0};
    tax_rules_init(r);
    if (tax_rules_parse(r, "rules.csv", rules_csv, sizeof rules_csv - 1, &e) < 0)
        fail_msg("%s", e.msg);
}

static struct tax_payment fee(const char *iso, int64_t paise)
{
    return (struct tax_payment){day(iso), paise, TAX_KIND_FEE, 1};
}

static struct tax_payment product(const char *iso, int64_t paise)
{
    return (struct tax_payment){day(iso), paise, TAX_KIND_PRODUCT, 1};
}

static void compute(const struct tax_rules *r, const struct tax_payment *p, size_t n,
                    struct tax_result *res)
{
    struct err e = {0};
    tax_result_init(res);
    if (tax_compute(r, p, n, res, &e) < 0)
        fail_msg("%s", e.msg);
    assert_int_equal(res->nlines, n);
}

/* One payment's line: TDS in paise, the base it was taken on, the rule id. */
static void line_is(const struct tax_result *res, size_t i, int64_t tds, int64_t base,
                    const char *rule)
{
    const struct tax_line *l = &res->lines[i];
    if (l->tds != tds || l->base != base || strcmp(l->rule->id, rule) != 0)
        fail_msg("payment %zu: tds %lld base %lld rule %s, want tds %lld base %lld rule %s", i + 1,
                 (long long)l->tds, (long long)l->base, l->rule->id, (long long)tds,
                 (long long)base, rule);
}

static void test_crossing_taxes_the_whole_fy_total(void **state)
{
    (void)state;
    struct tax_rules r;
    load_rules(&r);
    /* FY 2025-26, threshold ₹50,000: 20,000 + 25,000 = 45,000 stays under it; the third
     * payment takes the total to 55,000 and carries 10 % of all of it (₹5,500); the fourth
     * is taxed on its own ₹8,000 (₹800). */
    struct tax_payment p[] = {fee("2025-05-10", RS(20000)), fee("2025-07-15", RS(25000)),
                              fee("2025-09-01", RS(10000)), fee("2025-12-01", RS(8000))};
    struct tax_result res;
    compute(&r, p, 4, &res);
    line_is(&res, 0, 0, 0, "J-2025");
    line_is(&res, 1, 0, 0, "J-2025");
    line_is(&res, 2, RS(5500), RS(55000), "J-2025");
    line_is(&res, 3, RS(800), RS(8000), "J-2025");
    assert_true(res.lines[2].crossed);
    assert_false(res.lines[3].crossed);
    assert_int_equal(res.tds, RS(6300));
    assert_int_equal(res.nsections, 1);
    assert_string_equal(res.sections[0].rule->section, "194J");
    assert_int_equal(res.sections[0].fy, 2025);
    assert_int_equal(res.sections[0].rate_bp, 1000);
    assert_int_equal(res.sections[0].base, RS(63000));
    assert_int_equal(res.sections[0].tds, RS(6300));
    tax_result_release(&res);
    tax_rules_release(&r);
}

static void test_threshold_must_be_exceeded_and_order_is_by_date(void **state)
{
    (void)state;
    struct tax_rules r;
    load_rules(&r);
    /* Given out of order: by date 30,000 then 20,000 make exactly ₹50,000 (not over it, no
     * TDS); the ₹1 after takes it over: 10 % of 50,001 = 5,000.10, deducted as ₹5,000. */
    struct tax_payment p[] = {fee("2026-01-05", RS(1)), fee("2025-06-01", RS(30000)),
                              fee("2025-08-01", RS(20000))};
    struct tax_result res;
    compute(&r, p, 3, &res);
    line_is(&res, 1, 0, 0, "J-2025");
    line_is(&res, 2, 0, 0, "J-2025");
    line_is(&res, 0, RS(5000), RS(50001), "J-2025");
    assert_true(res.lines[0].crossed);
    tax_result_release(&res);

    /* Same day: the order given decides which payment crosses. */
    struct tax_payment q[] = {fee("2025-06-01", RS(50000)), fee("2025-06-01", RS(1000))};
    compute(&r, q, 2, &res);
    line_is(&res, 0, 0, 0, "J-2025");
    line_is(&res, 1, RS(5100), RS(51000), "J-2025");
    tax_result_release(&res);
    tax_rules_release(&r);
}

static void test_april_2025_resets_the_fy_and_raises_the_threshold(void **state)
{
    (void)state;
    struct tax_rules r;
    load_rules(&r);
    /* FY 2024-25 (threshold ₹30,000): 20,000 + 15,000 = 35,000 crosses on 20 March 2025:
     * ₹3,500. FY 2025-26 starts again from zero with ₹50,000: ₹40,000 on 5 April 2025 is
     * under it (it would have crossed the old ₹30,000), ₹15,000 on 1 June takes the total
     * to 55,000: ₹5,500. */
    struct tax_payment p[] = {fee("2025-02-10", RS(20000)), fee("2025-03-20", RS(15000)),
                              fee("2025-04-05", RS(40000)), fee("2025-06-01", RS(15000))};
    struct tax_result res;
    compute(&r, p, 4, &res);
    line_is(&res, 0, 0, 0, "J-2023");
    line_is(&res, 1, RS(3500), RS(35000), "J-2023");
    line_is(&res, 2, 0, 0, "J-2025");
    line_is(&res, 3, RS(5500), RS(55000), "J-2025");
    assert_int_equal(res.lines[1].fy, 2024);
    assert_int_equal(res.lines[2].fy, 2025);
    assert_int_equal(res.nsections, 2);
    assert_int_equal(res.sections[0].fy, 2024);
    assert_int_equal(res.sections[0].tds, RS(3500));
    assert_int_equal(res.sections[1].fy, 2025);
    assert_int_equal(res.sections[1].tds, RS(5500));
    tax_result_release(&res);
    tax_rules_release(&r);
}

static void test_april_2026_switches_to_the_2025_act_codes(void **state)
{
    (void)state;
    struct tax_rules r;
    load_rules(&r);
    /* 31 March 2026 is FY 2025-26 under §194J; 1 April 2026 opens FY 2026-27 under §393
     * with payment code 1027 (fees) and 1033 (products). Fees: ₹45,000 then ₹60,000 in
     * the new FY (over ₹50,000 at once: ₹6,000). Products: ₹15,000 in FY 2025-26 stays
     * under ₹20,000; ₹25,000 on 2 April 2026 is a new FY's first and is over it: ₹2,500. */
    struct tax_payment p[] = {fee("2026-03-31", RS(45000)), fee("2026-04-01", RS(60000)),
                              product("2026-03-15", RS(15000)), product("2026-04-02", RS(25000))};
    struct tax_result res;
    compute(&r, p, 4, &res);
    line_is(&res, 0, 0, 0, "J-2025");
    line_is(&res, 1, RS(6000), RS(60000), "A-1027");
    line_is(&res, 2, 0, 0, "R-2023");
    line_is(&res, 3, RS(2500), RS(25000), "A-1033");
    assert_string_equal(res.lines[1].rule->payment_code, "1027");
    assert_string_equal(res.lines[1].rule->act, "Income-tax Act, 2025");
    assert_string_equal(res.lines[3].rule->payment_code, "1033");
    assert_int_equal(res.lines[1].fy, 2026);
    assert_int_equal(res.tds, RS(8500));
    tax_result_release(&res);
    tax_rules_release(&r);
}

static void test_products_count_apart_from_fees(void **state)
{
    (void)state;
    struct tax_rules r;
    load_rules(&r);
    /* ₹30,000 of fees do not bring ₹20,000 of products over the §194R threshold (the
     * kinds have their own totals); the ₹500 product after does: 10 % of 20,500. */
    struct tax_payment p[] = {fee("2025-04-10", RS(30000)), product("2025-05-01", RS(20000)),
                              product("2025-05-20", RS(500))};
    struct tax_result res;
    compute(&r, p, 3, &res);
    line_is(&res, 0, 0, 0, "J-2025");
    line_is(&res, 1, 0, 0, "R-2023");
    line_is(&res, 2, RS(2050), RS(20500), "R-2023");
    tax_result_release(&res);
    tax_rules_release(&r);
}

static void test_without_pan_the_higher_rate(void **state)
{
    (void)state;
    struct tax_rules r;
    load_rules(&r);
    /* No PAN: 20 % (§206AA: the higher of the section's 10 % and 20 %). */
    struct tax_payment p[] = {fee("2025-06-01", RS(60000))};
    p[0].has_pan = 0;
    struct tax_result res;
    compute(&r, p, 1, &res);
    line_is(&res, 0, RS(12000), RS(60000), "J-2025");
    assert_int_equal(res.lines[0].rate_bp, 2000);
    tax_result_release(&res);

    /* Mixed: the crossing payment has no PAN, so its catch-up on the whole ₹55,000 is at
     * 20 % (₹11,000); the PAN arrives before the last payment: 10 % of ₹10,000. Two
     * section totals, one per rate. */
    struct tax_payment q[] = {fee("2025-05-01", RS(40000)), fee("2025-06-01", RS(15000)),
                              fee("2025-07-01", RS(10000))};
    q[0].has_pan = 1;
    q[1].has_pan = 0;
    q[2].has_pan = 1;
    compute(&r, q, 3, &res);
    line_is(&res, 0, 0, 0, "J-2025");
    line_is(&res, 1, RS(11000), RS(55000), "J-2025");
    line_is(&res, 2, RS(1000), RS(10000), "J-2025");
    assert_int_equal(res.nsections, 2);
    assert_int_equal(res.sections[0].rate_bp, 2000);
    assert_int_equal(res.sections[0].tds, RS(11000));
    assert_int_equal(res.sections[1].rate_bp, 1000);
    assert_int_equal(res.sections[1].tds, RS(1000));
    assert_int_equal(res.tds, RS(12000));
    tax_result_release(&res);
    tax_rules_release(&r);
}

static void test_rounding_keeps_the_fy_total_exact(void **state)
{
    (void)state;
    struct tax_rules r;
    load_rules(&r);
    /* 10 % of the crossing total ₹55,005 is ₹5,500.50: deducted as ₹5,501 (half up).
     * Then ₹5 (tax 50 paise): running tax ₹5,501.00 → nothing more to deduct; another ₹5:
     * ₹5,501.50 → ₹5,502, so ₹1. Per-payment rounding would have deducted ₹5,501 + ₹1 + ₹1;
     * the FY total stays the exact ₹5,501.50 rounded once. */
    struct tax_payment p[] = {fee("2025-05-01", RS(55005)), fee("2025-06-01", RS(5)),
                              fee("2025-07-01", RS(5))};
    struct tax_result res;
    compute(&r, p, 3, &res);
    line_is(&res, 0, RS(5501), RS(55005), "J-2025");
    line_is(&res, 1, 0, RS(5), "J-2025");
    line_is(&res, 2, RS(1), RS(5), "J-2025");
    for (size_t i = 0; i < 3; i++)
        assert_int_equal(res.lines[i].tds % 100, 0);
    tax_result_release(&res);

    /* Paise: 10 % of ₹50,000.55 is ₹5,000.055: ₹5,000. */
    struct tax_payment q[] = {fee("2025-05-01", 5000055)};
    compute(&r, q, 1, &res);
    line_is(&res, 0, RS(5000), 5000055, "J-2025");
    tax_result_release(&res);
    tax_rules_release(&r);
}

static void test_per_payment_threshold(void **state)
{
    (void)state;
    static const char csv[] =
        "rules_version,v\n"
        "rule_id,act,section,payment_code,kind,rate_percent,no_pan_rate_percent,threshold_paise,"
        "threshold_type,from,to,citation\n"
        "C,Act,194C,,fee,1,20,3000000,per_payment,2025-04-01,,\"single payments over Rs 30,000\"\n";
    struct tax_rules r;
    struct err e = {0};
    tax_rules_init(&r);
    assert_int_equal(tax_rules_parse(&r, "c.csv", csv, sizeof csv - 1, &e), 0);
    struct tax_payment p[] = {fee("2025-05-01", RS(25000)), fee("2025-06-01", RS(35000)),
                              fee("2025-07-01", RS(30000))};
    struct tax_result res;
    compute(&r, p, 3, &res);
    line_is(&res, 0, 0, 0, "C");
    line_is(&res, 1, RS(350), RS(35000), "C");
    line_is(&res, 2, 0, 0, "C");
    tax_result_release(&res);
    tax_rules_release(&r);
}

static void test_payment_without_a_rule_is_an_error(void **state)
{
    (void)state;
    struct tax_rules r;
    load_rules(&r);
    struct tax_payment p[] = {fee("2025-05-01", RS(100)), product("2023-03-31", RS(100))};
    struct tax_result res;
    struct err e = {0};
    tax_result_init(&res);
    assert_int_equal(tax_compute(&r, p, 2, &res, &e), ERR_INPUT);
    assert_string_equal(e.msg, "payment 2 (2023-03-31, product): no rule of the TDS table "
                               "rules.csv (version test-1) covers product payments on that "
                               "day; add a row for it to the table");
    assert_int_equal(res.nlines, 0);
    p[1] = fee("2025-05-02", -1);
    assert_int_equal(tax_compute(&r, p, 2, &res, &e), ERR_INPUT);
    assert_string_equal(e.msg, "payment 2 (2025-05-02): amount -1 paise is outside 0 to "
                               "10000000000000");
    tax_rules_release(&r);
}

static void test_shipped_table_loads_and_has_the_law_in_force(void **state)
{
    (void)state;
    const char *dir = getenv("INFLUDASH_TEST_DATA");
    if (!dir)
        fail_msg("INFLUDASH_TEST_DATA is not set (ctest sets it to tests/data)");
    char path[4096];
    snprintf(path, sizeof path, "%s/../../data/tds_rules.csv", dir);
    struct tax_rules r;
    struct err e = {0};
    tax_rules_init(&r);
    if (tax_rules_load(&r, path, &e) < 0)
        fail_msg("%s", e.msg);
    assert_string_equal(r.name, "tds_rules.csv");
    assert_non_null(r.version);
    struct {
        const char *iso;
        enum tax_kind kind;
        const char *act, *code;
        int64_t threshold;
    } want[] = {
        {"2025-03-31", TAX_KIND_FEE, "Income-tax Act, 1961", "", RS(30000)},
        {"2025-04-01", TAX_KIND_FEE, "Income-tax Act, 1961", "", RS(50000)},
        {"2026-03-31", TAX_KIND_PRODUCT, "Income-tax Act, 1961", "", RS(20000)},
        {"2026-04-01", TAX_KIND_FEE, "Income-tax Act, 2025", "1027", RS(50000)},
        {"2026-04-01", TAX_KIND_PRODUCT, "Income-tax Act, 2025", "1033", RS(20000)},
        {"2030-01-01", TAX_KIND_FEE, "Income-tax Act, 2025", "1027", RS(50000)},
    };
    for (size_t i = 0; i < sizeof want / sizeof want[0]; i++) {
        const struct tax_rule *rule = tax_rules_find(&r, want[i].kind, day(want[i].iso));
        if (!rule)
            fail_msg("no %s rule on %s", tax_kind_name(want[i].kind), want[i].iso);
        assert_string_equal(rule->act, want[i].act);
        assert_string_equal(rule->payment_code, want[i].code);
        assert_int_equal(rule->threshold, want[i].threshold);
        assert_int_equal(rule->rate_bp, 1000);
        assert_int_equal(rule->no_pan_rate_bp, 2000);
        assert_int_equal(rule->threshold_type, TAX_THRESHOLD_AGGREGATE_FY);
        assert_true(strlen(rule->citation) > 40);
    }
    assert_null(tax_rules_find(&r, TAX_KIND_FEE, day("2023-03-31")));
    tax_rules_release(&r);
    assert_int_equal(tax_rules_load(&r, "no/such/rules.csv", &e), ERR_IO);
    assert_string_equal(e.msg, "no/such/rules.csv: cannot open the TDS rules table: No such "
                               "file or directory");
}

/* Parses header + one rule line (or the whole text when whole is set) and expects msg. */
static void rules_error(const char *text, const char *msg)
{
    struct tax_rules r;
    struct err e = {0};
    tax_rules_init(&r);
    int rc = tax_rules_parse(&r, "t.csv", text, strlen(text), &e);
    if (rc >= 0)
        fail_msg("accepted:\n%s", text);
    if (strcmp(e.msg, msg) != 0)
        fail_msg("message\n  %s\nwant\n  %s", e.msg, msg);
    assert_int_equal(r.nrules, 0);
    assert_null(r.version);
    tax_rules_release(&r);
}

#define HEAD                                                                                       \
    "rules_version,v1\n"                                                                           \
    "rule_id,act,section,payment_code,kind,rate_percent,no_pan_rate_percent,threshold_paise,"      \
    "threshold_type,from,to,citation\n"
#define GOOD "J,Act,194J,,fee,10,20,5000000,aggregate_fy,2025-04-01,2026-03-31,cite\n"

static void test_rules_errors_name_line_and_column(void **state)
{
    (void)state;
    rules_error("rule_id,act\n", "t.csv:1:1: the first line must be rules_version,<version> (the "
                                 "version shown with every figure)");
    rules_error("rules_version,\n", "t.csv:1:2: rules_version: give a version of 1 to 64 "
                                    "characters");
    rules_error("rules_version,v1\nrule_id,act,colour\n",
                "t.csv:2:3: \"colour\" is not a column of the rules table (the columns are "
                "rule_id, act, section, payment_code, kind, rate_percent, no_pan_rate_percent, "
                "threshold_paise, threshold_type, from, to, citation)");
    rules_error("rules_version,v1\nrule_id,act,act\n", "t.csv:2:3: column act appears twice");
    rules_error("rules_version,v1\nrule_id,act\nJ,Act\n", "t.csv:2: the header has no column "
                                                          "section");
    rules_error(HEAD, "t.csv: the header is followed by no rule");
    rules_error("rules_version,v1\n", "t.csv: no header; the file needs rules_version,<version>, "
                                      "the header and at least one rule");
    rules_error(HEAD "J,Act,194J,,fee,1O,20,5000000,aggregate_fy,2025-04-01,,cite\n",
                "t.csv:3:6: rate_percent: \"1O\" is not a percentage from 0 to 100 with at most "
                "two decimals (write 10 for 10 %)");
    rules_error(HEAD "J,Act,194J,,fee,10.555,20,5000000,aggregate_fy,2025-04-01,,cite\n",
                "t.csv:3:6: rate_percent: \"10.555\" is not a percentage from 0 to 100 with at "
                "most two decimals (write 10 for 10 %)");
    rules_error(HEAD "J,Act,194J,,fee,10,5,5000000,aggregate_fy,2025-04-01,,cite\n",
                "t.csv:3:7: no_pan_rate_percent: 5.00 is below rate_percent 10.00; without a "
                "PAN the law sets the higher rate");
    rules_error(HEAD "J,Act,194J,,fees,10,20,5000000,aggregate_fy,2025-04-01,,cite\n",
                "t.csv:3:5: kind: \"fees\" is neither fee nor product");
    rules_error(HEAD "J,Act,194J,102,fee,10,20,5000000,aggregate_fy,2025-04-01,,cite\n",
                "t.csv:3:4: payment_code: \"102\" is not a four-digit payment code (leave it "
                "empty for rules of the Income-tax Act, 1961)");
    rules_error(HEAD "J,Act,194J,,fee,10,20,50000.00,aggregate_fy,2025-04-01,,cite\n",
                "t.csv:3:8: threshold_paise: \"50000.00\" is not a whole number of paise from 0 "
                "to 10000000000000 (write 5000000 for Rs 50,000)");
    rules_error(HEAD "J,Act,194J,,fee,10,20,5000000,yearly,2025-04-01,,cite\n",
                "t.csv:3:9: threshold_type: \"yearly\" is neither aggregate_fy (the FY's total "
                "to the payee) nor per_payment");
    rules_error(HEAD "J,Act,194J,,fee,10,20,5000000,aggregate_fy,2025-02-30,,cite\n",
                "t.csv:3:10: from: \"2025-02-30\" is not a date YYYY-MM-DD");
    rules_error(HEAD "J,Act,194J,,fee,10,20,5000000,aggregate_fy,2025-04-01,31-03-2026,cite\n",
                "t.csv:3:11: to: \"31-03-2026\" is not a date YYYY-MM-DD (leave it empty for a "
                "rule with no end)");
    rules_error(HEAD "J,Act,194J,,fee,10,20,5000000,aggregate_fy,2025-04-01,2025-03-31,cite\n",
                "t.csv:3:11: to: 2025-03-31 is before from 2025-04-01");
    rules_error(HEAD "J,Act,194J,,fee,10,20,5000000,aggregate_fy,2025-04-01,,\n",
                "t.csv:3:12: citation: empty; every rule needs one");
    rules_error(HEAD "J,,194J,,fee,10,20,5000000,aggregate_fy,2025-04-01,,cite\n",
                "t.csv:3:2: act: empty; every rule needs one");
    rules_error(HEAD "J,Act,194J,,fee,10,20,5000000,aggregate_fy,2025-04-01,,cite,extra\n",
                "t.csv:3: 13 fields, but the header has 12 (a comma inside a citation needs the "
                "field in double quotes)");
    rules_error(HEAD GOOD "J,Act,194R,,product,10,20,2000000,aggregate_fy,2025-04-01,,cite\n",
                "t.csv:4:1: rule_id: \"J\" is already the id of the rule on line 3; every rule "
                "needs its own");
    rules_error(HEAD GOOD "K,Act,194J,,fee,10,20,5000000,aggregate_fy,2026-03-31,,cite\n",
                "t.csv:4:10: rule K covers fee payments on 2026-03-31, as rule J (line 3) does: "
                "end one rule the day before the other starts");
    rules_error(HEAD "J K,Act,194J,,fee,10,20,5000000,aggregate_fy,2025-04-01,,cite\n",
                "t.csv:3:1: rule_id: \"J K\" may hold only letters, digits, '-', '_' and '.'");
    rules_error(HEAD "J,Act,194J,,fee,10,20,5000000,aggregate_fy,2025-04-01,,\"cite\xff\"\n",
                "t.csv:3:12: citation: not valid UTF-8 at byte 5; save the file as UTF-8");
    rules_error(HEAD "J,Act,194J,,fee,10,20,5000000,aggregate_fy,2025-04-01,,\"two\nlines\"\n",
                "t.csv:3:12: citation: holds a control character (byte 0x0a at byte 4); keep it "
                "on one line");
    rules_error(
        HEAD "J,Act,194J,,fee,10,20,5000000,aggregate_fy,2025-04-01,,\"open\n",
        "t.csv:3:12: quoted field is never closed: the quote opened here runs to the end of "
        "the input");
}

static void test_rules_accept_spaces_any_column_order_and_open_ends(void **state)
{
    (void)state;
    static const char csv[] =
        "rules_version , 2026.1 \r\n"
        "kind,rule_id,from,to,act,section,payment_code,rate_percent,no_pan_rate_percent,"
        "threshold_paise,threshold_type,citation\r\n"
        " product , R1 ,2026-04-01, ,\"Income-tax Act, 2025\",393,1033,10.5,20,2000000,"
        "aggregate_fy,\"s.393, Table\"\r\n"
        "fee,F1,2026-04-01,,Act,393,1027,0.1,20,0,per_payment,c\r\n";
    struct tax_rules r;
    struct err e = {0};
    tax_rules_init(&r);
    if (tax_rules_parse(&r, "o.csv", csv, sizeof csv - 1, &e) < 0)
        fail_msg("%s", e.msg);
    assert_string_equal(r.version, "2026.1");
    assert_int_equal(r.nrules, 2);
    assert_string_equal(r.rules[0].id, "R1");
    assert_int_equal(r.rules[0].kind, TAX_KIND_PRODUCT);
    assert_int_equal(r.rules[0].rate_bp, 1050);
    assert_int_equal(r.rules[0].to_day, TAX_OPEN_END);
    assert_string_equal(r.rules[0].citation, "s.393, Table");
    assert_int_equal(r.rules[0].line, 3);
    assert_int_equal(r.rules[1].rate_bp, 10);
    assert_int_equal(r.rules[1].threshold_type, TAX_THRESHOLD_PER_PAYMENT);
    /* parsing again replaces the table */
    assert_int_equal(tax_rules_parse(&r, "rules.csv", rules_csv, sizeof rules_csv - 1, &e), 0);
    assert_int_equal(r.nrules, 5);
    tax_rules_release(&r);
}

static void test_fy_names_and_days(void **state)
{
    (void)state;
    assert_int_equal(tax_fy_of_day(day("2025-03-31")), 2024);
    assert_int_equal(tax_fy_of_day(day("2025-04-01")), 2025);
    assert_int_equal(tax_fy_of_day(day("2026-01-01")), 2025);
    char name[8];
    tax_fy_name(2025, name);
    assert_string_equal(name, "2025-26");
    tax_fy_name(2099, name);
    assert_string_equal(name, "2099-00");
    int32_t fy = 0, first, last;
    struct err e = {0};
    assert_int_equal(tax_fy_parse("2025-26", &fy, &e), 0);
    assert_int_equal(fy, 2025);
    assert_int_equal(tax_fy_parse("1999-00", &fy, &e), 0);
    assert_int_equal(fy, 1999);
    const char *bad[] = {"2025-27", "25-26", "2025/26", "2025-2026", "", "2025-2a"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        assert_int_equal(tax_fy_parse(bad[i], &fy, &e), ERR_USAGE);
    assert_string_equal(e.msg, "financial year \"2025-2a\": write it as YYYY-YY, the April it "
                               "starts and the March it ends (2025-26 is 1 April 2025 to 31 "
                               "March 2026)");
    tax_fy_days(2025, &first, &last);
    assert_int_equal(first, day("2025-04-01"));
    assert_int_equal(last, day("2026-03-31"));
    tax_fy_days(2023, &first, &last);
    assert_int_equal(last, day("2024-03-31"));
}

static void test_gst_intra_and_inter_state(void **state)
{
    (void)state;
    struct tax_gst g;
    struct err e = {0};
    /* Influencer registered in Maharashtra (27), brand in 27: CGST 9 % + SGST 9 %. */
    assert_int_equal(tax_gst(RS(10000), "27AAPFU0939F1ZV", 27, &g, &e), 0);
    assert_true(g.intra_state);
    assert_int_equal(g.cgst, RS(900));
    assert_int_equal(g.sgst, RS(900));
    assert_int_equal(g.igst, 0);
    assert_int_equal(g.total, RS(1800));
    /* Brand in Karnataka (29): IGST 18 %. */
    assert_int_equal(tax_gst(RS(10000), "27AAPFU0939F1ZV", 29, &g, &e), 0);
    assert_false(g.intra_state);
    assert_int_equal(g.cgst + g.sgst, 0);
    assert_int_equal(g.igst, RS(1800));
    /* Rounding half up per part: ₹123.45 → 9 % = 11.1105 → ₹11.11 each; 18 % = 22.221 →
     * ₹22.22; ₹55.55 → 9 % = 4.9995 → ₹5.00 each, 18 % = 9.999 → ₹10.00. */
    assert_int_equal(tax_gst(12345, "27AAPFU0939F1ZV", 27, &g, &e), 0);
    assert_int_equal(g.cgst, 1111);
    assert_int_equal(g.total, 2222);
    assert_int_equal(tax_gst(12345, "27AAPFU0939F1ZV", 7, &g, &e), 0);
    assert_int_equal(g.igst, 2222);
    assert_int_equal(tax_gst(5555, "27aapfu0939f1zv", 27, &g, &e), 0);
    assert_int_equal(g.cgst, 500);
    assert_int_equal(g.total, 1000);
    /* Not registered: no GST. */
    assert_int_equal(tax_gst(RS(10000), NULL, 27, &g, &e), 0);
    assert_int_equal(g.total, 0);
    assert_int_equal(tax_gst(RS(10000), "", 27, &g, &e), 0);
    assert_int_equal(g.total, 0);
    /* Bad GSTIN, bad brand state. */
    assert_int_equal(tax_gst(RS(10000), "27AAPFU0939F1ZW", 27, &g, &e), ERR_INPUT);
    assert_string_equal(e.msg, "GSTIN \"27AAPFU0939F1ZW\": the check character is 'W' but the "
                               "first 14 characters give 'V': a character is mistyped (compare "
                               "with the registration certificate)");
    assert_int_equal(tax_gst(RS(10000), "27AAPFU0939F1ZV", 45, &g, &e), ERR_USAGE);
    assert_string_equal(e.msg, "the brand's GST state 45 is not a GST state code (01 to 38, or "
                               "97): set it to the first two digits of the brand's own GSTIN "
                               "(--gst-state 27 for Maharashtra)");
    /* net = fee + GST − TDS: ₹60,000 fee, IGST ₹10,800, TDS ₹6,000. */
    assert_int_equal(tax_gst(RS(60000), "27AAPFU0939F1ZV", 29, &g, &e), 0);
    assert_int_equal(tax_net(RS(60000), g.total, RS(6000)), RS(64800));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_crossing_taxes_the_whole_fy_total),
        cmocka_unit_test(test_threshold_must_be_exceeded_and_order_is_by_date),
        cmocka_unit_test(test_april_2025_resets_the_fy_and_raises_the_threshold),
        cmocka_unit_test(test_april_2026_switches_to_the_2025_act_codes),
        cmocka_unit_test(test_products_count_apart_from_fees),
        cmocka_unit_test(test_without_pan_the_higher_rate),
        cmocka_unit_test(test_rounding_keeps_the_fy_total_exact),
        cmocka_unit_test(test_per_payment_threshold),
        cmocka_unit_test(test_payment_without_a_rule_is_an_error),
        cmocka_unit_test(test_shipped_table_loads_and_has_the_law_in_force),
        cmocka_unit_test(test_rules_errors_name_line_and_column),
        cmocka_unit_test(test_rules_accept_spaces_any_column_order_and_open_ends),
        cmocka_unit_test(test_fy_names_and_days),
        cmocka_unit_test(test_gst_intra_and_inter_state),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
