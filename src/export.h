/* export.h — a dataset's stored rows back out as CSV: the canonical columns (derived-only
 * ones left out) followed by the kept extra columns, so that what was imported comes back
 * out and imports again to the same rows. Calls store, schema, csv, jsonrows. */
#ifndef INFLUDASH_EXPORT_H
#define INFLUDASH_EXPORT_H

#include <stdio.h>

#include "buf.h"
#include "err.h"
#include "schema.h"
#include "store.h"

/* Writes the header line: canonical columns, then extra_keys. */
void export_csv_header(enum dataset ds, char *const *extra_keys, size_t nextra, struct buf *out);
/* Writes one row as a CSV line (with '\n'). extra_keys as given to the header. */
void export_csv_row(const struct schema_row *row, char *const *extra_keys, size_t nextra,
                    struct buf *out);
/* Streams every stored row of ds to out. */
int export_dataset_csv(struct store *s, enum dataset ds, FILE *out, struct err *e);
/* The same with only the rows keep accepts (keep NULL: all). */
typedef int (*export_keep_fn)(void *ctx, const struct schema_row *row);
int export_dataset_csv_where(struct store *s, enum dataset ds, export_keep_fn keep, void *ctx,
                             FILE *out, struct err *e);

#endif
