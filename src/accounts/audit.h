/* audit.h — reading the audit log (store_audit_add writes it): a workspace's data events
 * merged with the installation's user and workspace events, newest first, as JSON (for
 * /api/audit) or CSV (/api/audit.csv, `infludash audit --format csv`). Calls store, json,
 * csv, format (timestamps). */
#ifndef INFLUDASH_AUDIT_H
#define INFLUDASH_AUDIT_H

#include <stddef.h>

#include "buf.h"
#include "err.h"
#include "store.h"

/* The data events of the workspace store `data` and, when accounts is given, the user and
 * workspace events recorded there: newest first, at most limit (0: all). The caller frees
 * *out. */
int audit_collect(struct store *data, struct store *accounts, size_t limit,
                  struct store_audit **out, size_t *n, struct err *e);
/* {"entries":[{"at","actor","action","workspace","target","detail"},...]} */
void audit_write_json(const struct store_audit *a, size_t n, struct buf *out);
/* A header line, then one line per entry; cells a spreadsheet would run as a formula
 * start with an apostrophe. */
void audit_write_csv(const struct store_audit *a, size_t n, struct buf *out);

#endif
