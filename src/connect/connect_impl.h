/* connect_impl.h — what the connect_*.c files share and nothing else includes: the posts
 * text they build, JSON reading with jansson, instants from platform timestamps, and the
 * request helper that counts requests and waits into the run (connect_common.c); and the
 * kinds' runs that connect_sync calls (connect_<kind>.c).
 *
 * jansson's json_null() has the same name as json.h's writer function: the program's
 * definition would be called. Nothing here calls json_null(); test with json_is_null. */
#ifndef INFLUDASH_CONNECT_IMPL_H
#define INFLUDASH_CONNECT_IMPL_H

#include <stdint.h>

#include <jansson.h>

#include "buf.h"
#include "connect.h"
#include "err.h"
#include "httpc.h"

/* One post as the platforms give it; counts < 0 are unknown (an empty cell, not 0). */
struct connect_post {
    const char *post_id;
    const char *influencer_id;
    const char *platform; /* "Instagram", "YouTube" */
    int64_t published;    /* unix seconds */
    const char *url;
    const char *caption;
    int64_t likes, comments, reach, saves, shares, video_views, impressions;
};

/* The header line of the posts text. */
void connect_posts_header(struct cbuf *csv);
/* One record; ERR_LIMIT past csv's cap. The date is the local time in zone (UTC when NULL)
 * with its offset: "2026-11-27 14:00:00+05:30". */
int connect_posts_row(struct cbuf *csv, const struct connect_post *p, const struct tz *zone,
                      struct err *e);

/* Reads an ISO 8601 timestamp as the platforms write it ("2026-11-27T08:30:00+0000",
 * "2026-02-02T01:15:00Z", "2026-02-02T01:15:00.000Z") into unix seconds; -1 when not one. */
int connect_parse_timestamp(const char *s, int64_t *out);

/* Parses a body as JSON. ERR_IO with "WHAT from HOST is not valid JSON (line L, column C:
 * reason): nothing was imported; try again later" when it is not. */
json_t *connect_json(const struct httpc_response *res, const char *what, const char *url,
                     struct err *e);
/* A member as text (strings; numbers written as integers), or NULL. */
const char *connect_json_str(json_t *obj, const char *key, struct buf *scratch);
/* A member as a count: a JSON integer, or a string of digits (YouTube's statistics).
 * -1 when absent or not a count. */
int64_t connect_json_count(json_t *obj, const char *key);

/* httpc_get with the run's counters updated (requests, waited). */
int connect_get(const struct connect_opts *o, const struct httpc_request *req,
                struct httpc_response *res, struct connect_run *run, struct err *e);

/* The file sources' runs (connect_url.c, connect_folder.c), called by connect_sync. */
int connect_url_sync(struct store *s, const struct connect_source *src,
                     const struct connect_state *state, const struct connect_opts *o,
                     struct connect_run *run, struct err *e);
int connect_folder_sync(struct store *s, const struct connect_source *src,
                        const struct connect_opts *o, struct connect_run *run, struct err *e);
/* Imports the open file fd from its start as ONE import under name. When stable is set,
 * the file's size and modification time are compared before the commit and an import of
 * a file that changed meanwhile (still being written) is rolled back: returns 1 then. */
int connect_import_fd(struct store *s, const char *name, enum dataset ds, int fd, int stable,
                      const struct ingest_opts *o, struct ingest_result *res, struct err *e);
/* The message of a refused import, with its first rejected rows (up to max), appended. */
void connect_describe_failure(const struct err *e, const struct ingest_result *res, size_t max,
                              struct buf *out);
/* Appends a file result to the run. */
struct connect_file_result *connect_run_add_file(struct connect_run *run, const char *name);

/* The API host: src->base_url without a trailing '/', or the platform's. */
void connect_base(const struct connect_source *src, const char *host, struct buf *out);

#endif
