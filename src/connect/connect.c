/* connect.c — the sources' entry points (see connect.h): kinds, runs, and connect_sync,
 * which runs a source through its kind's file (connect_instagram.c, connect_youtube.c,
 * connect_url.c, connect_folder.c); what those share is connect_common.c. Calls the kinds'
 * files (connect_instagram, connect_youtube, connect_url, connect_folder), connect_common,
 * ingest and httpc. */
#include "connect.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "connect_impl.h"
#include "csv.h"
#include "banned.h"

static const char *const kind_names[] = {"instagram", "youtube", "url", "folder"};

int connect_kind_parse(const char *text, enum connect_kind *kind, struct err *e)
{
    for (int i = 0; i < 4; i++)
        if (text && strcasecmp(text, kind_names[i]) == 0) {
            *kind = (enum connect_kind)i;
            return 0;
        }
    return err_set(e, ERR_USAGE,
                   "unknown source kind \"%s\": use instagram, youtube, url or folder",
                   text ? text : "");
}

const char *connect_kind_name(enum connect_kind kind)
{
    return (unsigned)kind < 4 ? kind_names[kind] : "?";
}

void connect_opts_default(struct connect_opts *o)
{
    memset(o, 0, sizeof *o);
    httpc_opts_default(&o->http);
    ingest_opts_default(&o->ingest);
    o->folder_settle_seconds = 5;
    o->max_items = 100000;
    o->page_size = 50;
    o->max_text_bytes = 256u << 20;
}

void connect_run_init(struct connect_run *r)
{
    memset(r, 0, sizeof *r);
}

void connect_run_release(struct connect_run *r)
{
    free(r->etag);
    free(r->last_modified);
    free(r->files);
    memset(r, 0, sizeof *r);
}

/* The first rejected row of an import, as the CLI prints it, after e's message. */
static void add_first_issue(struct err *e, const struct ingest_result *res)
{
    for (size_t i = 0; i < res->nissues; i++) {
        if (res->issues[i].warning)
            continue;
        struct buf b = BUF_INIT;
        ingest_issue_format(&res->issues[i], &b);
        size_t n = strlen(e->msg);
        snprintf(e->msg + n, sizeof e->msg - n, " (first: %s)", buf_cstr(&b));
        buf_release(&b);
        return;
    }
}

static int sync_api(struct store *s, const struct connect_source *src, const struct connect_opts *o,
                    struct connect_run *run, struct err *e)
{
    if (!src->influencer_id || !*src->influencer_id)
        return err_set(e, ERR_USAGE,
                       "source \"%s\": an %s source needs the influencer its media "
                       "belong to (--influencer ID)",
                       src->name, connect_kind_name(src->kind));
    if (!src->account || !*src->account)
        return err_set(e, ERR_USAGE, "source \"%s\": an %s source needs --account (%s)", src->name,
                       connect_kind_name(src->kind),
                       src->kind == CONNECT_INSTAGRAM ? "the Instagram professional account's IG "
                                                        "user id"
                                                      : "the YouTube channel id, UC...");
    if (!src->token || !*src->token)
        return err_set(e, ERR_USAGE, "source \"%s\" has no %s: add one with --token-file FILE",
                       src->name,
                       src->kind == CONNECT_INSTAGRAM ? "access token" : "YouTube API key");
    struct cbuf csv;
    cbuf_init(&csv, o->max_text_bytes);
    int rc = src->kind == CONNECT_INSTAGRAM ? connect_instagram_fetch(src, o, &csv, run, e)
                                            : connect_youtube_fetch(src, o, &csv, run, e);
    if (rc == 0) {
        struct ingest_opts io = o->ingest;
        io.dataset = DS_POSTS;
        struct ingest_result res;
        memset(&res, 0, sizeof res);
        struct buf name = BUF_INIT;
        buf_printf(&name, "%s (%s sync)", src->name, connect_kind_name(src->kind));
        rc = connect_import_text(s, buf_cstr(&name), DS_POSTS, cbuf_cstr(&csv), csv.b.len, &io,
                                 &res, e);
        if (rc == 0)
            run->rows = res.accepted;
        else
            add_first_issue(e, &res);
        ingest_result_release(&res);
        buf_release(&name);
    }
    cbuf_release(&csv);
    return rc;
}

int connect_sync(struct store *s, const struct connect_source *src,
                 const struct connect_state *state, const struct connect_opts *o,
                 struct connect_run *run, struct err *e)
{
    struct connect_opts defaults;
    if (!o) {
        connect_opts_default(&defaults);
        o = &defaults;
    }
    connect_run_init(run);
    run->started_at = o->now ? o->now : (int64_t)time(NULL);
    struct err err;
    err_clear(&err);
    int rc;
    switch (src->kind) {
    case CONNECT_INSTAGRAM:
    case CONNECT_YOUTUBE:
        rc = sync_api(s, src, o, run, &err);
        break;
    case CONNECT_URL:
        rc = connect_url_sync(s, src, state, o, run, &err);
        break;
    case CONNECT_FOLDER:
        rc = connect_folder_sync(s, src, o, run, &err);
        break;
    default:
        rc = err_set(&err, ERR_USAGE, "unknown source kind");
    }
    if (rc != 0) {
        httpc_scrub_err(&err, src->token);
        run->error = err;
        if (e)
            *e = err;
    }
    run->finished_at = o->now ? o->now : (int64_t)time(NULL);
    run->ok = rc == 0;
    return rc;
}
