/* tax_builtin.c — the rules table the binary ships: data/tds_rules.csv as it was at build
 * time (the build writes it into tds_rules_csv.h), so that a server started from a clean
 * clone computes TDS with the law in force and `serve --tax-rules FILE` can replace it.
 * Calls tax. */
#include "tax.h"

#include "tds_rules_csv.h"

#include "banned.h"

const char tax_rules_builtin_name[] = "data/tds_rules.csv (built in)";

int tax_rules_builtin(struct tax_rules *r, struct err *e)
{
    return tax_rules_parse(r, tax_rules_builtin_name, tds_rules_csv, (size_t)tds_rules_csv_len, e);
}
