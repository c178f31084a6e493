/* api.c — JSON documents of the API that the CLI prints too (see api.h): for now the
 * status document. Calls store, engine (the rows left out), schema, json, format and tz. */
#include "api.h"

#include <stdio.h>
#include <string.h>

#include "format.h"
#include "json.h"
#include "tz.h"

#include "banned.h"

int api_status_load(struct store *s, struct api_status *st, const int64_t *counts, struct err *e)
{
    memset(st, 0, sizeof *st);
    st->backend = store_backend(s);
    st->location = store_location(s);
    int rc = store_schema_version(s, &st->schema_version, e);
    for (int ds = 0; rc == 0 && ds < DS_COUNT; ds++) {
        if (counts)
            st->counts[ds] = counts[ds];
        else
            rc = store_count(s, (enum dataset)ds, &st->counts[ds], e);
    }
    if (rc == 0)
        rc = store_recent_imports(s, st->imports, API_STATUS_IMPORTS, &st->nimports, e);
    return rc;
}

static void api_time_value(struct json *j, const char *key, int64_t t)
{
    char iso[32];
    format_utc_time(t, iso);
    json_key(j, key);
    if (iso[0])
        json_str(j, iso);
    else
        json_null(j);
}

static void api_import_object(struct json *j, const struct store_import_log *log)
{
    json_obj_begin(j);
    json_kv_str(j, "dataset", log->dataset);
    json_kv_str(j, "file", log->file);
    json_kv_str(j, "mode", log->mode);
    json_kv_int(j, "accepted", log->accepted);
    json_kv_int(j, "rejected", log->rejected);
    api_time_value(j, "started_at", log->started_at);
    api_time_value(j, "finished_at", log->finished_at);
    json_obj_end(j);
}

void api_status_engine(struct api_status *st, const struct engine *eng, const char *error)
{
    st->engine_loaded = eng != NULL;
    snprintf(st->engine_error, sizeof st->engine_error, "%s", error ? error : "");
    memset(st->skipped_rows, 0, sizeof st->skipped_rows);
    st->nskipped = 0;
    st->as_of = engine_as_of(eng);
    if (!eng)
        return;
    for (int ds = 0; ds < DS_COUNT; ds++)
        st->skipped_rows[ds] = engine_skipped_count(eng, (enum dataset)ds);
    size_t n;
    const struct engine_skipped_row *rows = engine_skipped(eng, &n);
    memcpy(st->skipped, rows, n * sizeof *rows);
    st->nskipped = n;
}

static void api_engine_object(struct json *j, const struct api_status *st)
{
    json_key(j, "engine");
    json_obj_begin(j);
    json_kv_bool(j, "loaded", st->engine_loaded);
    json_key(j, "error");
    if (st->engine_error[0])
        json_str(j, st->engine_error);
    else
        json_null(j);
    size_t total = 0;
    for (int ds = 0; ds < DS_COUNT; ds++)
        total += st->skipped_rows[ds];
    json_kv_int(j, "skipped_rows", (int64_t)total);
    json_key(j, "skipped_by_dataset");
    json_obj_begin(j);
    for (int ds = 0; ds < DS_COUNT; ds++)
        json_kv_int(j, schema_dataset((enum dataset)ds)->name, (int64_t)st->skipped_rows[ds]);
    json_obj_end(j);
    json_key(j, "skipped");
    json_arr_begin(j);
    for (size_t i = 0; i < st->nskipped; i++) {
        const struct engine_skipped_row *k = &st->skipped[i];
        json_obj_begin(j);
        json_kv_str(j, "dataset", schema_dataset(k->ds)->name);
        json_kv_str(j, "id", k->id);
        json_kv_str(j, "column", k->column);
        json_kv_str(j, "value", k->value);
        json_kv_str(j, "reason", k->reason);
        json_obj_end(j);
    }
    json_arr_end(j);
    json_key(j, "fix");
    if (total)
        json_str(j, "these stored rows are left out of every figure: import each again with "
                    "a valid value (an append replaces the row with the same id), or replace "
                    "the dataset");
    else
        json_null(j);
    json_obj_end(j);
}

int api_status_write(const struct api_status *st, struct buf *out, struct err *e)
{
    struct json j;
    json_init(&j, out);
    json_obj_begin(&j);
    json_kv_str(&j, "version", INFLUDASH_VERSION);
    json_kv_str(&j, "backend", st->backend);
    json_kv_str(&j, "database", st->location);
    json_kv_int(&j, "schema_version", st->schema_version);
    /* the zone the web app shows times in (IANA name), and the last change to the data in it */
    json_kv_str(&j, "time_zone", st->tz ? tz_name(st->tz) : "UTC");
    char at[TZ_ISO_MAX];
    tz_format_iso(st->tz, st->as_of, at);
    json_kv_str(&j, "as_of", at[0] ? at : NULL);
    json_key(&j, "counts");
    json_obj_begin(&j);
    for (int ds = 0; ds < DS_COUNT; ds++)
        json_kv_int(&j, schema_dataset((enum dataset)ds)->name, st->counts[ds]);
    json_obj_end(&j);
    json_key(&j, "last_import");
    if (st->nimports > 0)
        api_import_object(&j, &st->imports[0]);
    else
        json_null(&j);
    json_key(&j, "imports");
    json_arr_begin(&j);
    for (size_t i = 0; i < st->nimports; i++)
        api_import_object(&j, &st->imports[i]);
    json_arr_end(&j);
    api_engine_object(&j, st);
    json_obj_end(&j);
    return json_finish(&j, e);
}

int api_status_json(struct store *s, const char *url, struct buf *out, struct err *e)
{
    struct api_status st;
    int rc = api_status_load(s, &st, NULL, e);
    if (rc < 0)
        return rc;
    struct err le;
    err_clear(&le);
    struct engine *eng = engine_load_snapshot(s, url, &le);
    api_status_engine(&st, eng, eng ? NULL : le.msg);
    engine_free(eng);
    struct tz *zone = NULL;
    if (tz_load(TZ_DEFAULT, &zone, &le) == 0)
        st.tz = zone;
    rc = api_status_write(&st, out, e);
    tz_free(zone);
    return rc;
}
