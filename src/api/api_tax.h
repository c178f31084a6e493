/* api_tax.h — the documents of SPEC §10 read from the stored rows: TDS and GST per
 * influencer for a financial year (GET /api/payouts/tax), and the bank's bulk-payment file
 * of pending payouts with the rows it refuses (GET /api/payouts/batch.csv and
 * /api/payouts/batch-refusals). They read the store, not the engine: tax follows payment
 * dates and recorded amounts, which no filter changes. Calls tax, payid, store, schema,
 * json, csv and strmap.
 *
 * Rules chosen where SPEC §10 is silent (docs/payouts.md, README):
 * - A payout's amount is its total_payout (recorded, or computed from its terms on
 *   import), its payment date its payout_date, its kind fee unless it says product. Every
 *   status counts toward the FY's threshold: TDS is due at credit or payment, whichever is
 *   earlier. A payout without a date or an amount is left out and counted (`undated`).
 * - An influencer that only payouts name (absent from the influencers file) has no PAN:
 *   the higher rate applies.
 * - net = fees + GST − TDS on fees: a product's TDS (§194R / §393 code 1033) is paid by
 *   the brand, not deducted from cash; it is in `tds` and `tds_products`.
 * - Without a brand state (gst_state 0) GST is 18 % as one amount (`gst`), its split into
 *   CGST + SGST or IGST null. */
#ifndef INFLUDASH_API_TAX_H
#define INFLUDASH_API_TAX_H

#include <stddef.h>
#include <stdint.h>

#include "buf.h"
#include "err.h"
#include "store.h"
#include "tax.h"

/* {"fy","rules_version","rules_file","gst_state","influencers":[{"influencer_id","name",
 *  "has_pan","gst_registered","fees","products","tds","tds_fees","tds_products",
 *  "tds_by_section":[{"section","act","payment_code","rate","base","amount","rule"}],
 *  "gst","cgst","sgst","igst","net","payments"}],"totals":{…},"undated"}
 * "fys" lists the FYs with dated payouts, newest first. fy as tax_fy_of_day gives, or
 * API_TAX_LATEST_FY for the newest of those (today's when there is none); gst_state 0 or
 * a GST state code. ERR_USAGE when the rules table does not cover the FY. */
#define API_TAX_LATEST_FY INT32_MIN
int api_tax_json(struct store *s, const struct tax_rules *rules, int gst_state, int32_t fy,
                 struct buf *out, struct err *e);

/* The same figures as api_tax_json, as a table the XLSX and PDF reports print (report.h):
 * one row per influencer with payouts dated in the FY, in the document's order, and the
 * FY's totals. Strings are copied (the table outlives the rules table's replacement).
 * cgst/sgst/igst are meaningful only when gst_state is not 0. */
struct api_tax_amounts {
    int64_t fees, products, tds, tds_fees, tds_products, gst, cgst, sgst, igst, net;
    int64_t payments;
};
struct api_tax_section {
    char *section, *act, *payment_code, *rule; /* payment_code "" under the 1961 Act */
    const char *kind;                          /* "fee" / "product" */
    int32_t rate_bp;
    int64_t base, amount;
};
struct api_tax_row {
    char *influencer_id, *name; /* name NULL when the influencers file has none */
    int has_pan, gst_registered;
    struct api_tax_amounts t;
    struct api_tax_section *sections;
    size_t nsections;
};
struct api_tax_table {
    char fy[8];
    char *rules_version, *rules_file;
    int gst_state;
    struct api_tax_row *rows;
    size_t nrows;
    struct api_tax_amounts totals;
    int64_t undated;
};
void api_tax_table_init(struct api_tax_table *t);
void api_tax_table_release(struct api_tax_table *t);
/* fy, gst_state and the errors as api_tax_json; t initialised, left empty on error. */
int api_tax_table(struct store *s, const struct tax_rules *rules, int gst_state, int32_t fy,
                  struct api_tax_table *t, struct err *e);
/* The table a PDF or XLSX report ends with (export, GET /api/export.*, scheduled reports):
 * FY fy when given, else the FY of to_day (the filter's end; INT32_MAX: none), else the
 * newest FY with payouts. *have is 1 when t holds the table; when the FY came from to_day
 * and the rules table does not cover it, the report goes without one (*have 0, returns 0),
 * since the analytics were still asked for; an fy given and not covered is ERR_USAGE. */
int api_tax_report_table(struct store *s, const struct tax_rules *rules, int gst_state, int32_t fy,
                         int32_t to_day, struct api_tax_table *t, int *have, struct err *e);

/* The bank file of the payouts whose status is status ("Pending"): one row per payout
 * that can be paid, columns API_BATCH_HEADER, amount = fee + GST − that payment's TDS.
 * A payout is refused (not in the file) when it is a product, has no date or amount, its
 * influencer has neither an account number with an IFSC nor a UPI id, or its amount after
 * TDS is not above zero; refusals (may be NULL) gets
 * {"status","rows","amount","refused":[{"payout_id","influencer_id","name","amount",
 *  "reason"}]}. csv (may be NULL) gets the file; *nrefused the number refused. */
#define API_BATCH_HEADER                                                                           \
    "beneficiary_name,account_number,ifsc,upi_id,payment_mode,amount,narration,payout_id,"         \
    "influencer_id,payout_date,fee,gst,tds,tds_rule\r\n"
int api_batch(struct store *s, const struct tax_rules *rules, int gst_state, const char *status,
              struct buf *csv, struct buf *refusals, size_t *nrefused, struct err *e);

#endif
