/* api.h — the JSON of the API endpoints, shared by the HTTP routes and the CLI (which
 * prints the same documents). Callers hold whatever lock guards the store. Calls store,
 * engine, schema, json, format and tz. */
#ifndef INFLUDASH_API_H
#define INFLUDASH_API_H

#include <stddef.h>
#include <stdint.h>

#include "buf.h"
#include "engine.h"
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
    /* The analytics engine's view of the data (api_status_engine): whether it is loaded,
     * why the last load failed, and the stored rows it left out of the figures. */
    int engine_loaded;
    char engine_error[256];
    size_t skipped_rows[DS_COUNT];
    struct engine_skipped_row skipped[ENGINE_SKIPPED_KEEP];
    size_t nskipped;
    int64_t as_of;       /* engine_as_of: the last change to the data; 0 unknown */
    const struct tz *tz; /* the zone "as_of" and "time_zone" are written in; NULL: UTC */
};

/* Reads the schema version, the last imports and, unless counts (DS_COUNT values) gives
 * them, each dataset's stored row count. */
int api_status_load(struct store *s, struct api_status *st, const int64_t *counts, struct err *e);
/* Fills the engine part of st from eng (NULL: not loaded; error, when not NULL or "", says
 * why the last load failed). */
void api_status_engine(struct api_status *st, const struct engine *eng, const char *error);

/* Appends to out (no trailing newline):
 * {"version":"0.1.0","backend":"sqlite","database":"<location>","schema_version":N,
 *  "counts":{"influencers":N,"posts":N,"tracking_data":N,"payouts":N},
 *  "last_import":{"dataset","file","mode","accepted","rejected","started_at","finished_at"}
 *               or null,
 *  "imports":[up to 10, newest first, same keys],
 *  "engine":{"loaded":true|false,"error":"why the last load failed"|null,
 *            "skipped_rows":N,"skipped_by_dataset":{"influencers":N,...},
 *            "skipped":[{"dataset","id","column","value","reason"}, up to 20],
 *            "fix":"what to do about them"|null}}
 * Times are ISO-8601 UTC strings ("2025-03-09T14:05:00Z"), null when unknown.
 * api_status_json loads the engine from s to fill "engine" (what `infludash status` prints);
 * the server gives its current engine to api_status_engine instead. */
int api_status_json(struct store *s, const char *url, struct buf *out, struct err *e);
/* The same from an already loaded status. */
int api_status_write(const struct api_status *st, struct buf *out, struct err *e);

#endif
