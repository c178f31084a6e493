/* tax.h — Indian tax on influencer payouts (SPEC §10): the dated TDS rules table
 * (data/tds_rules.csv, docs/payouts.md), TDS per influencer per financial year by payment
 * date, and GST on a fee. Money is int64 paise, dates are int32 day numbers (days since
 * 1970-01-01, as schema_iso_to_days gives). Calls buf, err, csv, json, schema and payid.
 *
 * How TDS is computed (docs/payouts.md says why):
 * - A payment's kind picks the rule in force on its date (fee: §194J / §393 code 1027,
 *   product: §194R / §393 code 1033).
 * - Payments are taken in date order per financial year (April–March) and kind. With an
 *   aggregate-per-FY threshold nothing is deducted while the FY's total stays at or under
 *   it; the payment that takes the total over it carries the tax on the whole FY total so
 *   far (earlier payments included), and every later payment of that FY is taxed in full.
 *   With a per-payment threshold a payment over it is taxed in full.
 * - The rate is the rule's rate, or its no-PAN rate when the payment's payee has no PAN
 *   (§206AA / §397(2)); a catch-up on earlier payments uses the rate of the payment that
 *   carries it, the deduction being made then.
 * - Whole rupees: the FY's running tax is kept exact (paise × basis points) and rounded
 *   half up to the rupee; each payment deducts the increase of the rounded running total,
 *   so every deduction is whole rupees and the FY total is the exact total rounded once. */
#ifndef INFLUDASH_TAX_H
#define INFLUDASH_TAX_H

#include <stddef.h>
#include <stdint.h>

#include "err.h"

enum tax_kind {
    TAX_KIND_FEE = 0,     /* cash for services */
    TAX_KIND_PRODUCT = 1, /* goods the influencer keeps (a benefit or perquisite) */
};
#define TAX_NKINDS 2

enum tax_threshold_type {
    TAX_THRESHOLD_AGGREGATE_FY = 0, /* the FY's total to the payee must exceed it */
    TAX_THRESHOLD_PER_PAYMENT = 1,  /* each payment on its own must exceed it */
};

/* The day number for "no end" in a rule's to_day. */
#define TAX_OPEN_END INT32_MAX

/* The largest payment or threshold, in paise: far enough from int64 that amount × rate
 * (in basis points) cannot overflow. */
#define TAX_AMOUNT_MAX ((int64_t)10000000000000) /* ₹1,000 crore in paise */

/* One dated row of the rules table. Strings are owned by the table. */
struct tax_rule {
    char *id;           /* unique: "IT1961-194J-2025" */
    char *act;          /* "Income-tax Act, 1961" */
    char *section;      /* "194J(1)(a)", "393(1) Table Sl. No. 6(iii)" */
    char *payment_code; /* "" under the 1961 Act, "1027" under the 2025 Act */
    enum tax_kind kind;
    int32_t rate_bp;        /* basis points: 1000 = 10 % */
    int32_t no_pan_rate_bp; /* rate when the payee has furnished no PAN */
    int64_t threshold;      /* paise */
    enum tax_threshold_type threshold_type;
    int32_t from_day, to_day; /* inclusive; to_day TAX_OPEN_END when open */
    char *citation;           /* where the rule comes from */
    uint64_t line;            /* line of the rules file it was read from */
};

struct tax_rules {
    char *name;    /* the file name given to tax_rules_parse/load */
    char *version; /* the file's rules_version */
    struct tax_rule *rules;
    size_t nrules;
};

void tax_rules_init(struct tax_rules *r);
void tax_rules_release(struct tax_rules *r);

/* Reads a rules table (CSV, see data/tds_rules.csv and docs/payouts.md):
 *   record 1:  rules_version,<version>
 *   record 2:  the header, every column of TAX_RULE_COLUMNS once, in any order
 *   then one rule per record.
 * Checks every field and that no two rules of one kind share a day. On error returns
 * ERR_INPUT (or ERR_LIMIT) with "NAME:LINE:COLUMN: column: reason" and leaves r empty.
 * r must be initialised; a table already in it is released first. */
int tax_rules_parse(struct tax_rules *r, const char *name, const char *data, size_t len,
                    struct err *e);
/* tax_rules_parse on a file's contents (at most 1 MiB); ERR_IO names the path. */
int tax_rules_load(struct tax_rules *r, const char *path, struct err *e);

/* The table shipped in the binary (data/tds_rules.csv at build time, tax_builtin.c), named
 * tax_rules_builtin_name; an error here is a build that shipped a bad table. */
int tax_rules_builtin(struct tax_rules *r, struct err *e);
extern const char tax_rules_builtin_name[];

/* The header's column names, for messages and documentation. */
extern const char *const tax_rule_columns[];
extern const size_t tax_rule_ncolumns;

/* The rule for kind in force on day, or NULL. */
const struct tax_rule *tax_rules_find(const struct tax_rules *r, enum tax_kind kind, int32_t day);

/* "fee" / "product". */
const char *tax_kind_name(enum tax_kind kind);

/* Financial years, named by their first year: 2025 is FY 2025-26 (1 April 2025 to
 * 31 March 2026). */
int32_t tax_fy_of_day(int32_t day);
/* Writes "2025-26" (out needs 8 bytes). */
void tax_fy_name(int32_t fy, char out[8]);
/* Parses "2025-26" (the second part must be the next year's last two digits); ERR_USAGE
 * with a message naming the expected form otherwise. */
int tax_fy_parse(const char *s, int32_t *fy, struct err *e);
/* First and last day of an FY. */
void tax_fy_days(int32_t fy, int32_t *first, int32_t *last);

/* One payment to one influencer. */
struct tax_payment {
    int32_t day;
    int64_t amount; /* paise, 0 to TAX_AMOUNT_MAX; a product's value without GST */
    enum tax_kind kind;
    int has_pan; /* the payee has furnished a valid PAN */
};

/* What one payment deducts. */
struct tax_line {
    const struct tax_rule *rule; /* the rule in force on the payment's day */
    int32_t fy;
    int32_t rate_bp; /* the rate used: the rule's, or its no-PAN rate */
    int64_t base;    /* paise taxed by this payment (with the catch-up on the crossing one) */
    int64_t tds;     /* paise, whole rupees */
    int crossed;     /* this payment took the FY total over the threshold */
};

/* TDS summed per FY, rule and rate (a payee with and without PAN in one FY gives two). */
struct tax_section_total {
    const struct tax_rule *rule;
    int32_t fy;
    int32_t rate_bp;
    int64_t base;
    int64_t tds;
};

struct tax_result {
    struct tax_line *lines; /* one per payment, in the order given */
    size_t nlines;
    struct tax_section_total *sections; /* by FY, then the order rules first deduct */
    size_t nsections;
    int64_t tds; /* all lines */
};

void tax_result_init(struct tax_result *res);
void tax_result_release(struct tax_result *res);

/* TDS on one influencer's payments (any order, any FYs). ERR_INPUT when a payment has no
 * rule in force on its day (naming the date, the kind and the rules file) or an amount
 * is out of range. res must be initialised; on error it is left empty. */
int tax_compute(const struct tax_rules *rules, const struct tax_payment *payments, size_t n,
                struct tax_result *res, struct err *e);

/* GST on a fee (SPEC §10): 18 %, CGST 9 % + SGST 9 % when the influencer's GSTIN names
 * the brand's state, else IGST 18 %; each part rounded half up to the paisa. */
#define TAX_GST_RATE_BP 1800

struct tax_gst {
    int64_t cgst, sgst, igst;
    int64_t total;
    int intra_state; /* CGST + SGST */
};

/* gstin NULL or "" (not registered): no GST, all zero. Otherwise gstin must pass
 * payid_gstin (its message is passed on, ERR_INPUT) and brand_state must be a GST state
 * code (ERR_USAGE). fee in 0..TAX_AMOUNT_MAX. */
int tax_gst(int64_t fee, const char *gstin, int brand_state, struct tax_gst *out, struct err *e);

/* A payout's net amount: fee + GST − TDS (SPEC §10). */
int64_t tax_net(int64_t fee, int64_t gst, int64_t tds);

#endif
