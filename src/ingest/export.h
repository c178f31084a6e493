/* export.h — a dataset's stored rows back out as CSV: the canonical columns (derived-only
 * ones left out) followed by the kept extra columns, so that what was imported comes back
 * out and imports again to the same rows. Calls store, schema, csv, jsonrows, strmap. */
#ifndef INFLUDASH_EXPORT_H
#define INFLUDASH_EXPORT_H

#include <stdio.h>

#include "buf.h"
#include "err.h"
#include "schema.h"
#include "store.h"

/* Writes the header line: canonical columns, then extra_keys (csv_write_text: a key a
 * spreadsheet would take for a formula is guarded). */
void export_csv_header(enum dataset ds, char *const *extra_keys, size_t nextra, struct buf *out);

/* The extra columns of one export, prepared once for all its rows (export_extra_new copies
 * what it needs of keys; export_extra_free(NULL) does nothing). Not thread-safe: one per
 * export. */
struct export_extra;
struct export_extra *export_extra_new(char *const *keys, size_t n);
void export_extra_free(struct export_extra *x);

/* Writes one row as a CSV line (with '\n'): the canonical columns, then one cell per extra
 * column of extra (NULL: none), in time linear in the row's size. Text cells go through
 * csv_write_text (a value a spreadsheet would run as a formula gets a guard that import
 * takes off again); numbers and dates are written as they are. */
void export_csv_row(const struct schema_row *row, struct export_extra *extra, struct buf *out);

/* Streams every stored row of ds to out, reading in one snapshot (store_read_begin: the
 * header's extra columns and the rows as of one moment, without the write lock, so imports
 * through other connections go on meanwhile). s must not be inside a transaction. */
int export_dataset_csv(struct store *s, enum dataset ds, FILE *out, struct err *e);
/* The same with only the rows keep accepts (keep NULL: all). */
typedef int (*export_keep_fn)(void *ctx, const struct schema_row *row);
int export_dataset_csv_where(struct store *s, enum dataset ds, export_keep_fn keep, void *ctx,
                             FILE *out, struct err *e);

#endif
