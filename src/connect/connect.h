/* connect.h — sources (SPEC §9): data that arrives without a person uploading it.
 *
 *   instagram  an Instagram professional account's media through the Graph API
 *              (/v21.0/{ig-user-id}/media, paged; /{ig-media-id}/insights) → posts
 *   youtube    a channel's uploads through the YouTube Data API v3 (channels.list →
 *              uploads playlist, playlistItems.list paged, videos.list in batches of 50) → posts
 *   url        a CSV or JSON file at an HTTP(S) address, fetched only when it changed
 *              (ETag / Last-Modified)
 *   folder     files dropped into a directory, each imported once, then moved to done/ or
 *              to failed/ with NAME.error.txt beside it
 *
 * Every source imports through the same validation as an upload (ingest.h), all or
 * nothing: a sync of an API source is ONE import (nothing is imported when any page or
 * the import fails); each file of a url or folder source is its own import, recorded under
 * the file's name. Instagram and YouTube media become posts of the source's influencer
 * with post_id = the platform's media id, so a second sync updates and never duplicates.
 *
 * This module holds no state between runs: what a `source` row keeps (kind, dataset,
 * influencer, account, url, dir, base URL, the sealed token, the url's ETag and
 * Last-Modified, the runs) belongs to the store; a caller opens the token (secret.h), fills
 * a connect_source, calls connect_sync and records the connect_run. Nothing here prints or
 * logs a token: messages pass through httpc_scrub_err. Calls the kinds' files
 * (connect_instagram, connect_youtube, connect_url, connect_folder), connect_common, httpc,
 * ingest, csv, tz, buf, err and jansson. */
#ifndef INFLUDASH_CONNECT_H
#define INFLUDASH_CONNECT_H

#include <stddef.h>
#include <stdint.h>

#include "buf.h"
#include "err.h"
#include "httpc.h"
#include "ingest.h"
#include "schema.h"
#include "store.h"
#include "tz.h"

enum connect_kind { CONNECT_INSTAGRAM, CONNECT_YOUTUBE, CONNECT_URL, CONNECT_FOLDER };

/* "instagram", "youtube", "url", "folder" (any case); ERR_USAGE naming the kinds. */
int connect_kind_parse(const char *text, enum connect_kind *kind, struct err *e);
const char *connect_kind_name(enum connect_kind kind);

/* The Graph API version in the paths (SPEC §9: /v21.0/{ig-user-id}/media). */
#define CONNECT_GRAPH_VERSION "v21.0"
#define CONNECT_GRAPH_HOST "https://graph.facebook.com"
#define CONNECT_YOUTUBE_HOST "https://www.googleapis.com"

struct connect_source {
    const char *name; /* the source's name: import history, audit, messages */
    enum connect_kind kind;
    enum dataset dataset;      /* url, folder: DS_NONE lets each file's name and header
                                * decide; instagram, youtube: always posts */
    const char *influencer_id; /* instagram, youtube: whose posts the media are */
    const char *account;       /* instagram: the IG user id; youtube: the channel id (UC...) */
    const char *url;           /* url */
    const char *dir;           /* folder */
    const char *base_url;      /* instagram, youtube: replaces the platform's host (a proxy,
                                * a test server); NULL: the real one */
    const char *token;         /* instagram: access token; youtube: API key; url: optional
                                * bearer token. Plaintext in memory only. */
};

/* What a url source remembers between runs (NULLs on the first). */
struct connect_state {
    const char *etag;
    const char *last_modified;
};

struct connect_opts {
    struct httpc_opts http;    /* timeouts, caps, retries, the sleep */
    struct ingest_opts ingest; /* mode, limits, audit actor; dataset is the source's */
    const struct tz *zone;     /* post dates become calendar days here; NULL: UTC */
    int folder_settle_seconds; /* a file modified more recently is still being written:
                                * left for the next run (default 5) */
    int64_t now;               /* 0: the clock; tests set it */
    size_t max_items;          /* media fetched per sync at most (default 100000) */
    int page_size;             /* media asked per page (default 50, YouTube's most) */
    size_t max_text_bytes;     /* posts text built from an API at most (default 256 MiB) */
};

void connect_opts_default(struct connect_opts *o);

/* One file of a folder run. */
struct connect_file_result {
    char name[256];
    int imported; /* 1: imported and moved to done/; 0: refused and moved to failed/ */
    int64_t rows;
    char error[1024]; /* when refused */
};

/* The record of one run (SPEC §9: start, end, rows, result and error). */
struct connect_run {
    int64_t started_at, finished_at;   /* unix seconds */
    int ok;                            /* 1: everything asked was imported (or unchanged) */
    int64_t rows;                      /* rows imported in all */
    int not_modified;                  /* url: unchanged since the last run, nothing fetched */
    char *etag, *last_modified;        /* url: to remember for the next run (malloc'd) */
    size_t items_fetched;              /* instagram, youtube: media read from the platform */
    size_t requests;                   /* HTTP requests made */
    double waited;                     /* seconds spent waiting on rate limits and retries */
    struct connect_file_result *files; /* folder (and url: its one file) */
    size_t nfiles;
    size_t files_skipped; /* folder: still being written, or vanished */
    struct err error;     /* when !ok: what a person can act on */
};

void connect_run_init(struct connect_run *r);
void connect_run_release(struct connect_run *r);

/* Runs the source once against store s. Returns 0 when everything asked was imported (or
 * a url was unchanged), else the error code, with the message in both e and run->error.
 * A folder run with some files refused returns ERR_INPUT after importing the good ones. */
int connect_sync(struct store *s, const struct connect_source *src,
                 const struct connect_state *state, const struct connect_opts *o,
                 struct connect_run *run, struct err *e);

/* The API sources' first half, for a caller that wants the rows without importing them:
 * the account's media as posts CSV text (canonical header, one record per media) appended
 * to csv (capped: ERR_LIMIT, with csv as before the record that passed it). *items gets the
 * number of media. */
int connect_instagram_fetch(const struct connect_source *src, const struct connect_opts *o,
                            struct cbuf *csv, struct connect_run *run, struct err *e);
int connect_youtube_fetch(const struct connect_source *src, const struct connect_opts *o,
                          struct cbuf *csv, struct connect_run *run, struct err *e);

/* Imports text (CSV or a JSON array, as an upload) as ONE import under name. */
int connect_import_text(struct store *s, const char *name, enum dataset ds, const char *text,
                        size_t len, const struct ingest_opts *o, struct ingest_result *res,
                        struct err *e);

#endif
