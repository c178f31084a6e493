/* api.h — the JSON of the API endpoints, shared by the HTTP routes and the CLI (which
 * prints the same documents). Callers hold whatever lock guards the store. Calls store,
 * schema, json and buf. */
#ifndef INFLUDASH_API_H
#define INFLUDASH_API_H

#include <stddef.h>
#include <stdint.h>

#include "buf.h"
#include "err.h"
#include "schema.h"
#include "store.h"

/* The release, reported by /api/status and `status`; a build may override it with
 * -DINFLUDASH_VERSION="...". */
#ifndef INFLUDASH_VERSION
#define INFLUDASH_VERSION "0.1.0"
#endif

#define API_STATUS_IMPORTS 10

/* What /api/status reports, gathered in one go (the HTML front page shows it too). */
struct api_status {
    const char *backend;  /* "sqlite"; points into the store */
    const char *location; /* the database without credentials; points into the store */
    int schema_version;
    int64_t counts[DS_COUNT];
    struct store_import_log imports[API_STATUS_IMPORTS]; /* newest first */
    size_t nimports;
};

int api_status_load(struct store *s, struct api_status *st, struct err *e);

/* Appends to out (no trailing newline):
 * {"version":"0.1.0","backend":"sqlite","database":"<location>","schema_version":N,
 *  "counts":{"influencers":N,"posts":N,"tracking_data":N,"payouts":N},
 *  "last_import":{"dataset","file","mode","accepted","rejected","started_at","finished_at"}
 *               or null,
 *  "imports":[up to 10, newest first, same keys]}
 * Times are ISO-8601 UTC strings ("2025-03-09T14:05:00Z"), null when unknown. */
int api_status_json(struct store *s, struct buf *out, struct err *e);
/* The same from an already loaded status. */
int api_status_write(const struct api_status *st, struct buf *out, struct err *e);

/* Unix seconds as "YYYY-MM-DDTHH:MM:SSZ"; "" when t <= 0 (unknown). */
void api_format_time(int64_t t, char out[32]);

#endif
