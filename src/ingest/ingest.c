/* ingest.c — one import: files pushed in chunks, parsed (csv or jsonrows), normalised
 * (schema), checked and written to the store in one transaction (see ingest.h). Calls csv,
 * jsonrows, schema, store and strmap. */
#include "ingest.h"

#include <assert.h>
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "csv.h"
#include "jsonrows.h"
#include "strmap.h"

#include "banned.h"

enum file_kind { KIND_UNKNOWN, KIND_CSV, KIND_JSON };

/*
 * Parsing and validating run on the caller's thread while a writer thread puts the rows
 * into the store: batches of rows go back and forth between the two, so neither copies a
 * row. The store is used by one thread at a time: the writer while batches are queued,
 * the caller only when the pipeline is drained (at file boundaries and at the end). With
 * opts.stored, a third thread takes each batch the writer stored before it goes back to
 * the caller.
 */
#define BATCH_ROWS 1024
#define NBATCHES 4
#define NBATCHES_STORED 6

struct batch {
    struct schema_row rows[BATCH_ROWS];
    size_t n;
    struct batch *next;
};

struct pipeline {
    pthread_mutex_t lock; /* guards everything below */
    pthread_cond_t cond;
    struct batch *full_head, *full_tail; /* queued for the writer, in order */
    struct batch *free_list;
    int busy;   /* the writer holds a batch */
    int stop;   /* the writer should exit */
    int failed; /* a store_put failed: err says why */
    struct err err;
    pthread_t thread;
    int started;
    /* opts.stored: batches stored, queued for its thread, in order */
    struct batch *fed_head, *fed_tail;
    int fed_busy, fed_stop;
    pthread_t fed_thread;
    int fed_started;
};

struct ingest {
    struct store *store;
    struct ingest_opts o;
    struct schema_config cfg_default;
    const struct schema_config *cfg;
    int in_txn;
    int fatal; /* a file could not be read at all: the import fails */
    struct err fatal_err;
    int finished;
    struct ingest_result res;
    size_t issues_cap;
    int cleared[DS_COUNT];
    int64_t started_at;

    /* Influencer ids known to the store (for the unknown-influencer warning). */
    struct strmap *known;
    int known_stale;
    struct strmap *warned;

    /* The file being read. */
    int in_file;
    char name[256];
    enum dataset forced_ds;
    enum dataset ds;
    enum file_kind kind;
    struct buf sniff; /* bytes seen before the kind is known */
    struct csv_parser *csv;
    struct jsonrows *json;
    struct schema_map map;
    int have_map;
    struct pipeline pipe;
    struct batch *batches;
    int nbatches;
    struct batch *cur; /* being filled by the caller's thread */
    uint64_t bytes, size_hint, rows;
    uint64_t undated, first_undated_line; /* posts without a date, for the file's warning */
    /* Generated ids: the first records without an id are looked up in the store in the
     * form of older versions (schema_map_legacy_id); a hit keeps that form for the file. */
    int legacy_ids;
    int legacy_probes_left;
    int64_t file_started_at;
    size_t file_index;
    /* JSON files: the header grows as objects bring new keys. */
    char **jkeys;
    size_t njkeys;
    struct strmap *jkey_ids;
    struct csv_field *jfields;
    size_t jfields_cap;
    /* Rejected records, written as CSV. */
    FILE *rejects;
    char rejects_name[512];
    struct buf line;
    size_t rejects_files;
    /* Progress bar. */
    int progress;
    double last_draw;
};

static double now_seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

void ingest_opts_default(struct ingest_opts *o)
{
    memset(o, 0, sizeof *o);
    o->dataset = DS_NONE;
    o->max_reported = 100;
    o->limits.max_file_bytes = 8ULL << 30;
    o->limits.max_rows = 200000000ULL;
    o->limits.max_field_bytes = 1 << 20;
    o->limits.max_fields = 4096;
}

void ingest_result_release(struct ingest_result *r)
{
    free(r->files);
    free(r->issues);
    memset(r, 0, sizeof *r);
}

void ingest_issue_format(const struct ingest_issue *is, struct buf *out)
{
    buf_printf(out, "%s:%llu: ", is->file, (unsigned long long)is->line);
    if (is->column[0])
        buf_printf(out, "%s: ", is->column);
    if (is->column[0] || is->value[0])
        buf_printf(out, "\"%s\": ", is->value);
    buf_puts(out, is->message);
    if (is->warning)
        buf_puts(out, " (warning: the row was kept)");
}

static struct ingest_file_result *cur_file(struct ingest *in)
{
    return &in->res.files[in->res.nfiles - 1];
}

/* Records an issue, unless max_reported are listed already (a summary of the file, one at
 * most per file, is listed anyway). */
static void add_issue_always(struct ingest *in, uint64_t line, const char *column,
                             const char *value, const char *message, int warning, int summary)
{
    if (in->res.nissues >= in->o.max_reported && !summary)
        return;
    if (in->res.nissues == in->issues_cap) {
        in->issues_cap = in->issues_cap ? in->issues_cap * 2 : 16;
        in->res.issues = xrealloc(in->res.issues, in->issues_cap * sizeof *in->res.issues);
    }
    struct ingest_issue *is = &in->res.issues[in->res.nissues++];
    memset(is, 0, sizeof *is);
    snprintf(is->file, sizeof is->file, "%s", in->name);
    is->line = line;
    snprintf(is->column, sizeof is->column, "%s", column);
    snprintf(is->value, sizeof is->value, "%s", value);
    snprintf(is->message, sizeof is->message, "%s", message);
    is->warning = warning;
}

static void add_issue(struct ingest *in, uint64_t line, const char *column, const char *value,
                      const char *message, int warning)
{
    add_issue_always(in, line, column, value, message, warning, 0);
}

/* One warning per posts file for its posts without a date (each counts as a warning, like
 * a row naming an unknown influencer): they show only when no date range is set. */
static void warn_undated(struct ingest *in)
{
    if (in->ds != DS_POSTS || in->undated == 0)
        return;
    int f = in->map.source_of[schema_col_index(DS_POSTS, "date")];
    char msg[256];
    snprintf(msg, sizeof msg,
             "%llu post%s without a date in this file (the first on this line): %s only when "
             "no date range is set, every dated view leaves %s out",
             (unsigned long long)in->undated, in->undated == 1 ? "" : "s",
             in->undated == 1 ? "it counts" : "they count", in->undated == 1 ? "it" : "them");
    add_issue_always(in, in->first_undated_line, f >= 0 ? in->map.in_names[f] : "date", "", msg, 1,
                     1);
}

static int set_fatal(struct ingest *in, const struct err *e)
{
    in->fatal = 1;
    in->fatal_err = *e;
    return e->code ? e->code : ERR_INPUT;
}

static void pipeline_start(struct ingest *in);
static int pipeline_drain(struct ingest *in);
static void pipeline_stop(struct ingest *in);

struct ingest *ingest_new(struct store *s, const struct ingest_opts *opts, struct err *e)
{
    struct ingest *in = xcalloc(1, sizeof *in);
    in->store = s;
    in->o = *opts;
    if (!in->o.max_reported)
        in->o.max_reported = 100;
    schema_config_default(&in->cfg_default);
    in->cfg = opts->cfg ? opts->cfg : &in->cfg_default;
    in->known_stale = 1;
    in->started_at = (int64_t)time(NULL);
    if ((opts->bulk ? store_begin_bulk(s, e) : store_begin(s, e)) < 0) {
        free(in);
        return NULL;
    }
    in->in_txn = 1;
    pipeline_start(in);
    return in;
}

/* ---- rejects file ---------------------------------------------------------------- */

static void rejects_path_for_file(struct ingest *in, char *out, size_t cap)
{
    const char *path = in->o.rejects_path;
    if (in->rejects_files == 0 && in->file_index == 0) {
        snprintf(out, cap, "%s", path);
        return;
    }
    /* Several files: "rejects.csv" → "rejects-posts.csv" from the file's base name. */
    const char *base = strrchr(in->name, '/');
    base = base ? base + 1 : in->name;
    const char *dot = strrchr(path, '.');
    const char *slash = strrchr(path, '/');
    if (!dot || (slash && dot < slash))
        dot = path + strlen(path);
    snprintf(out, cap, "%.*s-%s", (int)(dot - path), path, base);
}

static int write_reject(struct ingest *in, const struct csv_record *rec,
                        const struct schema_reject *rj)
{
    if (!in->o.rejects_path)
        return 0;
    if (!in->rejects) {
        rejects_path_for_file(in, in->rejects_name, sizeof in->rejects_name);
        in->rejects = fopen(in->rejects_name, "w");
        if (!in->rejects) {
            struct err e;
            err_set(&e, ERR_IO, "%s: cannot write rejected rows: %s", in->rejects_name,
                    strerror(errno));
            return set_fatal(in, &e);
        }
        in->rejects_files++;
        buf_reset(&in->line);
        buf_puts(&in->line, "line,column,value,reason");
        for (size_t f = 0; f < in->map.nin; f++) {
            buf_putc(&in->line, ',');
            csv_write_text(&in->line, in->map.in_names[f], strlen(in->map.in_names[f]), ',');
        }
        buf_putc(&in->line, '\n');
        fwrite(in->line.data, 1, in->line.len, in->rejects);
    }
    buf_reset(&in->line);
    buf_printf(&in->line, "%llu,", (unsigned long long)rj->line);
    /* cells a spreadsheet could run as formulas are guarded, as in every CSV we write
     * (csv_write_text); importing the fixed file takes the guards off again */
    csv_write_text(&in->line, rj->column, strlen(rj->column), ',');
    buf_putc(&in->line, ',');
    csv_write_text(&in->line, rj->value, strlen(rj->value), ',');
    buf_putc(&in->line, ',');
    csv_write_text(&in->line, rj->reason, strlen(rj->reason), ',');
    for (size_t f = 0; f < rec->nfields; f++) {
        buf_putc(&in->line, ',');
        csv_write_text(&in->line, rec->fields[f].data, rec->fields[f].len, ',');
    }
    buf_putc(&in->line, '\n');
    if (fwrite(in->line.data, 1, in->line.len, in->rejects) != in->line.len) {
        struct err e;
        err_set(&e, ERR_IO, "%s: cannot write rejected rows: %s", in->rejects_name,
                strerror(errno));
        return set_fatal(in, &e);
    }
    return 0;
}

/* ---- progress -------------------------------------------------------------------- */

/* The width of the terminal on fd in columns (80 when it cannot be told). */
static int terminal_columns(int fd)
{
    struct winsize ws;
    if (ioctl(fd, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 0)
        return ws.ws_col;
    return 80;
}

/* The file's name for the bar, at most width bytes: without its folder, and when still too
 * long its end after "..." (never starting inside a UTF-8 character). */
static void progress_name(const char *path, int width, char *out, size_t outlen)
{
    const char *slash = strrchr(path, '/');
    const char *name = slash && slash[1] ? slash + 1 : path;
    size_t len = strlen(name);
    if (len <= (size_t)width) {
        snprintf(out, outlen, "%s", name);
        return;
    }
    const char *tail = name + len - (size_t)(width - 3);
    while ((*tail & 0xC0) == 0x80)
        tail++;
    snprintf(out, outlen, "...%s", tail);
}

/* One line on stderr, redrawn in place: the file's name, a bar, the percentage and the
 * rows. It stays one column narrower than the terminal: a line that wraps cannot be
 * redrawn in place (the carriage return goes back to its second row), and each redraw
 * would leave a copy of the bar behind. */
static void draw_progress(struct ingest *in, int done)
{
    double t = now_seconds();
    if (!done && t - in->last_draw < 0.1)
        return;
    in->last_draw = t;
    double frac = in->size_hint ? (double)in->bytes / (double)in->size_hint : 0;
    if (frac > 1 || done)
        frac = 1;
    /* "NAME [BAR] 100% ROWS rows": 26 columns besides the name and the bar */
    int width = terminal_columns(STDERR_FILENO) - 1;
    int bar_width = 30, name_width = width - 26 - bar_width;
    if (name_width < 24) { /* the name matters more than the bar's length */
        bar_width -= 24 - name_width;
        name_width = 24;
    }
    if (bar_width < 5)
        bar_width = 5; /* a terminal too narrow for any bar */
    if (name_width > 40)
        name_width = 40;
    char name[64], bar[31];
    progress_name(in->name, name_width, name, sizeof name);
    int fill = (int)(frac * bar_width);
    for (int i = 0; i < bar_width; i++)
        bar[i] = i < fill ? '#' : '-';
    bar[bar_width] = '\0';
    fprintf(stderr, "\r%-*s [%s] %3d%% %12llu rows%s", name_width, name, bar, (int)(frac * 100),
            (unsigned long long)in->rows, done ? "\n" : "");
    fflush(stderr);
}

/* ---- the writer thread ----------------------------------------------------------- */

/* A queue of batches (head, tail), under the pipeline's lock: b appended at the tail. */
static void queue_push(struct batch **head, struct batch **tail, struct batch *b)
{
    b->next = NULL;
    if (*tail)
        (*tail)->next = b;
    else
        *head = b;
    *tail = b;
}

/* The batch at the head, taken off (the queue is not empty). */
static struct batch *queue_pop(struct batch **head, struct batch **tail)
{
    struct batch *b = *head;
    *head = b->next;
    if (!*head)
        *tail = NULL;
    return b;
}

static void *writer_main(void *arg)
{
    struct ingest *in = arg;
    struct pipeline *p = &in->pipe;
    pthread_mutex_lock(&p->lock);
    for (;;) {
        while (!p->full_head && !p->stop)
            pthread_cond_wait(&p->cond, &p->lock);
        if (!p->full_head)
            break;
        struct batch *b = queue_pop(&p->full_head, &p->full_tail);
        p->busy = 1;
        int failed = p->failed;
        pthread_mutex_unlock(&p->lock);
        struct err e = {0, ""};
        if (!failed && store_put_many(in->store, b->rows, b->n, &e) < 0) {
            err_prefix(&e, "%s", in->name);
            failed = 1;
        }
        if (!failed && in->o.stored && !p->fed_started) /* no thread for it: here */
            in->o.stored(in->o.stored_ctx, b->rows, b->n);
        pthread_mutex_lock(&p->lock);
        if (failed && !p->failed) {
            p->failed = 1;
            p->err = e;
        }
        if (!failed && p->fed_started) {
            queue_push(&p->fed_head, &p->fed_tail, b);
        } else {
            b->n = 0;
            b->next = p->free_list;
            p->free_list = b;
        }
        p->busy = 0;
        pthread_cond_broadcast(&p->cond);
    }
    pthread_mutex_unlock(&p->lock);
    return NULL;
}

/* opts.stored's thread: each stored batch to it, in order, then back to the caller. */
static void *fed_main(void *arg)
{
    struct ingest *in = arg;
    struct pipeline *p = &in->pipe;
    pthread_mutex_lock(&p->lock);
    for (;;) {
        while (!p->fed_head && !p->fed_stop)
            pthread_cond_wait(&p->cond, &p->lock);
        if (!p->fed_head)
            break;
        struct batch *b = queue_pop(&p->fed_head, &p->fed_tail);
        p->fed_busy = 1;
        pthread_mutex_unlock(&p->lock);
        in->o.stored(in->o.stored_ctx, b->rows, b->n);
        pthread_mutex_lock(&p->lock);
        b->n = 0;
        b->next = p->free_list;
        p->free_list = b;
        p->fed_busy = 0;
        pthread_cond_broadcast(&p->cond);
    }
    pthread_mutex_unlock(&p->lock);
    return NULL;
}

static void pipeline_start(struct ingest *in)
{
    struct pipeline *p = &in->pipe;
    pthread_mutex_init(&p->lock, NULL);
    pthread_cond_init(&p->cond, NULL);
    in->nbatches = in->o.stored ? NBATCHES_STORED : NBATCHES;
    in->batches = xcalloc((size_t)in->nbatches, sizeof *in->batches);
    for (int i = 0; i < in->nbatches; i++) {
        for (int r = 0; r < BATCH_ROWS; r++)
            schema_row_init(&in->batches[i].rows[r], DS_INFLUENCERS);
        if (i > 0) {
            in->batches[i].next = p->free_list;
            p->free_list = &in->batches[i];
        }
    }
    in->cur = &in->batches[0];
    /* The writer must not take the signals meant for the main thread. */
    sigset_t block, old;
    sigemptyset(&block);
    sigaddset(&block, SIGINT);
    sigaddset(&block, SIGTERM);
    sigaddset(&block, SIGPIPE);
    pthread_sigmask(SIG_BLOCK, &block, &old);
    p->started = pthread_create(&p->thread, NULL, writer_main, in) == 0;
    if (p->started && in->o.stored) /* else the writer calls it */
        p->fed_started = pthread_create(&p->fed_thread, NULL, fed_main, in) == 0;
    pthread_sigmask(SIG_SETMASK, &old, NULL);
}

/* Hands the current batch to the writer (or writes it here when there is no writer
 * thread) and takes an empty one. */
static void pipeline_submit(struct ingest *in)
{
    struct pipeline *p = &in->pipe;
    struct batch *b = in->cur;
    if (b->n == 0)
        return;
    schema_rows_finish_ids(b->rows, b->n);
    if (!p->started) {
        struct err e = {0, ""};
        if (!p->failed && store_put_many(in->store, b->rows, b->n, &e) < 0) {
            err_prefix(&e, "%s", in->name);
            p->failed = 1;
            p->err = e;
        }
        if (!p->failed && in->o.stored)
            in->o.stored(in->o.stored_ctx, b->rows, b->n);
        b->n = 0;
        return;
    }
    pthread_mutex_lock(&p->lock);
    queue_push(&p->full_head, &p->full_tail, b);
    pthread_cond_broadcast(&p->cond);
    while (!p->free_list)
        pthread_cond_wait(&p->cond, &p->lock);
    in->cur = p->free_list;
    p->free_list = in->cur->next;
    pthread_mutex_unlock(&p->lock);
}

/* Waits until every row handed over is in the store. Returns the writer's error. */
static int pipeline_drain(struct ingest *in)
{
    struct pipeline *p = &in->pipe;
    pipeline_submit(in);
    if (p->started) {
        pthread_mutex_lock(&p->lock);
        while (p->full_head || p->busy || p->fed_head || p->fed_busy)
            pthread_cond_wait(&p->cond, &p->lock);
        pthread_mutex_unlock(&p->lock);
    }
    if (p->failed && !in->fatal)
        return set_fatal(in, &p->err);
    return p->failed ? p->err.code : 0;
}

static void pipeline_stop(struct ingest *in)
{
    struct pipeline *p = &in->pipe;
    if (!in->batches)
        return;
    if (p->started) {
        pthread_mutex_lock(&p->lock);
        p->stop = 1;
        pthread_cond_broadcast(&p->cond);
        pthread_mutex_unlock(&p->lock);
        pthread_join(p->thread, NULL);
        p->started = 0;
    }
    if (p->fed_started) { /* after the writer: it hands batches on */
        pthread_mutex_lock(&p->lock);
        p->fed_stop = 1;
        pthread_cond_broadcast(&p->cond);
        pthread_mutex_unlock(&p->lock);
        pthread_join(p->fed_thread, NULL);
        p->fed_started = 0;
    }
    pthread_mutex_destroy(&p->lock);
    pthread_cond_destroy(&p->cond);
    for (int i = 0; i < in->nbatches; i++)
        for (int r = 0; r < BATCH_ROWS; r++)
            schema_row_release(&in->batches[i].rows[r]);
    free(in->batches);
    in->batches = NULL;
}

/* ---- records --------------------------------------------------------------------- */

static int load_known(struct ingest *in, struct err *e);

static int check_influencer(struct ingest *in, const struct schema_row *row)
{
    assert(in->map.ds == row->ds);
    int col = in->map.col_influencer; /* found once per file, not by name for every row */
    if (col < 0)
        return 0;
    const struct schema_value *v = &row->v[col];
    if (!v->present)
        return 0;
    if (in->known_stale) {
        struct err e;
        if (load_known(in, &e) < 0)
            return set_fatal(in, &e);
    }
    if (strmap_get(in->known, v->s, v->len) >= 0)
        return 0;
    cur_file(in)->warnings++;
    in->res.warnings++;
    int added = 0;
    strmap_put(in->warned, v->s, v->len, &added);
    if (added) {
        int f = in->map.source_of[col] >= 0 ? in->map.source_of[col] : in->map.name_field;
        add_issue(in, row->line, f >= 0 ? in->map.in_names[f] : "influencer_id", v->s,
                  "unknown influencer (not in the influencers dataset)", 1);
    }
    return 0;
}

static int key_into_map(void *ctx, const char *key, size_t len)
{
    strmap_put(ctx, key, len, NULL);
    return 0;
}

static int load_known(struct ingest *in, struct err *e)
{
    if (!in->known)
        in->known = strmap_new();
    if (!in->warned)
        in->warned = strmap_new();
    strmap_clear(in->known);
    in->known_stale = 0;
    return store_each_key(in->store, DS_INFLUENCERS, key_into_map, in->known, e);
}

static int handle_header(struct ingest *in, const struct csv_field *fields, size_t n)
{
    struct err e;
    enum dataset ds = in->forced_ds;
    if (ds == DS_NONE) {
        ds = schema_detect(in->name, fields, n, &e);
        if (ds == DS_NONE) {
            err_prefix(&e, "%s:1", in->name);
            return set_fatal(in, &e);
        }
    }
    if (schema_map_init(&in->map, ds, fields, n, in->cfg, &e) < 0) {
        err_prefix(&e, "%s:1", in->name);
        return set_fatal(in, &e);
    }
    in->have_map = 1;
    in->map.legacy_ids = in->legacy_ids;
    in->map.defer_ids = 1; /* finished per batch, in pipeline_submit */
    in->ds = ds;
    cur_file(in)->ds = ds;
    if (in->o.replace && !in->cleared[ds]) {
        if (store_clear(in->store, ds, &e) < 0)
            return set_fatal(in, &e);
        in->cleared[ds] = 1;
        if (in->o.cleared)
            in->o.cleared(in->o.stored_ctx, ds);
        if (ds == DS_INFLUENCERS)
            in->known_stale = 1;
    }
    return 0;
}

static int found_row(void *ctx, int ncols, const char *const *vals)
{
    (void)ncols, (void)vals;
    *(int *)ctx = 1;
    return 0;
}

/* Whether the store holds the next record under the id an older version generated for it
 * (schema_map_legacy_id); if so, the file keeps that form. Runs on the caller's thread
 * while nothing of this file has gone to the writer: the first LEGACY_PROBES records are
 * all in the first batch, and the pipeline is drained between files. */
#define LEGACY_PROBES 16
static int probe_legacy_id(struct ingest *in, const struct csv_record *rec)
{
    char id[SCHEMA_ID_MAX];
    in->legacy_probes_left--;
    if (!schema_map_legacy_id(&in->map, rec, id))
        return 0;
    assert(in->rows <= LEGACY_PROBES);
    const struct schema_dataset *d = schema_dataset(in->ds);
    struct buf sql = BUF_INIT;
    buf_printf(&sql, "SELECT 1 FROM \"%s\" WHERE \"%s\" = ?", d->name, d->cols[0].name);
    const char *params[] = {id};
    int found = 0;
    struct err e;
    int rc = store_sql(in->store, buf_cstr(&sql), 1, params, found_row, &found, &e);
    buf_release(&sql);
    if (rc < 0)
        return set_fatal(in, &e);
    if (found) {
        in->legacy_ids = in->map.legacy_ids = 1;
        in->legacy_probes_left = 0;
    }
    return 0;
}

static int handle_record(struct ingest *in, const struct csv_record *rec)
{
    struct ingest_file_result *fr = cur_file(in);
    struct schema_reject rj;
    in->rows++;
    if (in->rows > in->o.limits.max_rows) {
        struct err e;
        err_set(&e, ERR_LIMIT, "%s:%llu: more than %llu rows (raise the limit with --max-rows)",
                in->name, (unsigned long long)rec->line, (unsigned long long)in->o.limits.max_rows);
        return set_fatal(in, &e);
    }
    if (in->progress && (in->rows & 4095) == 0)
        draw_progress(in, 0);
    if (in->legacy_probes_left > 0 && probe_legacy_id(in, rec) < 0)
        return in->fatal_err.code;
    struct schema_row *row = &in->cur->rows[in->cur->n];
    schema_rows_prefetch(in->cur->rows, BATCH_ROWS, in->cur->n, true);
    if (schema_row_build(&in->map, rec, row, &rj) < 0) {
        fr->rejected++;
        in->res.rejected++;
        add_issue(in, rj.line, rj.column, rj.value, rj.reason, 0);
        return write_reject(in, rec, &rj);
    }
    if (in->ds != DS_INFLUENCERS && check_influencer(in, row) < 0)
        return ERR_STORE;
    if (in->ds == DS_POSTS && !row->v[schema_col_index(DS_POSTS, "date")].present) {
        if (in->undated++ == 0)
            in->first_undated_line = rec->line;
        fr->warnings++;
        in->res.warnings++;
    }
    /* In strict mode the first reject dooms the import: keep validating, stop writing. */
    if (in->res.rejected == 0 || in->o.skip_invalid) {
        if (++in->cur->n == BATCH_ROWS) {
            pipeline_submit(in);
            if (in->pipe.failed)
                return set_fatal(in, &in->pipe.err);
        }
    }
    fr->accepted++;
    in->res.accepted++;
    return 0;
}

static int on_csv_record(void *ctx, const struct csv_record *rec)
{
    struct ingest *in = ctx;
    if (rec->index == 0)
        return handle_header(in, rec->fields, rec->nfields);
    return handle_record(in, rec);
}

/* JSON objects become records in the order of a header that grows with new keys. */
static int on_json_object(void *ctx, const struct jsonrows_pair *pairs, size_t n, uint64_t line,
                          uint64_t index)
{
    struct ingest *in = ctx;
    (void)index;
    if (!in->jkey_ids)
        in->jkey_ids = strmap_new();
    int grew = 0;
    for (size_t i = 0; i < n; i++) {
        int added = 0;
        strmap_put(in->jkey_ids, pairs[i].key, pairs[i].key_len, &added);
        if (added) {
            in->jkeys = xrealloc(in->jkeys, (in->njkeys + 1) * sizeof *in->jkeys);
            in->jkeys[in->njkeys++] = xstrndup(pairs[i].key, pairs[i].key_len);
            grew = 1;
        }
    }
    if (in->njkeys > in->jfields_cap) {
        in->jfields_cap = in->njkeys * 2;
        in->jfields = xrealloc(in->jfields, in->jfields_cap * sizeof *in->jfields);
    }
    /* a header for new keys, and for the first object even when it has none ([{}, …]):
     * a record is never built without a mapping */
    if (grew || !in->have_map) {
        for (size_t k = 0; k < in->njkeys; k++) {
            in->jfields[k].data = in->jkeys[k];
            in->jfields[k].len = strlen(in->jkeys[k]);
            in->jfields[k].quoted = 1;
        }
        uint64_t ordinal = in->map.ordinal;
        if (in->have_map) {
            if (pipeline_drain(in) < 0)
                return in->fatal_err.code;
            schema_map_release(&in->map);
            in->have_map = 0;
            if (in->forced_ds == DS_NONE)
                in->forced_ds = in->ds; /* the dataset was settled by the first object */
        }
        int rc = handle_header(in, in->jfields, in->njkeys);
        if (rc < 0)
            return rc;
        in->map.ordinal = ordinal;
    }
    for (size_t k = 0; k < in->njkeys; k++) {
        in->jfields[k].data = "";
        in->jfields[k].len = 0;
        in->jfields[k].quoted = 0;
    }
    for (size_t i = 0; i < n; i++) {
        int32_t k = strmap_get(in->jkey_ids, pairs[i].key, pairs[i].key_len);
        in->jfields[k].data = pairs[i].value;
        in->jfields[k].len = pairs[i].value_len;
    }
    struct csv_record rec = {in->jfields, in->njkeys, line, in->rows + 1, 0};
    return handle_record(in, &rec);
}

/* ---- files ----------------------------------------------------------------------- */

int ingest_file_begin(struct ingest *in, const char *name, enum dataset ds, uint64_t size_hint,
                      struct err *e)
{
    if (in->fatal)
        return err_set(e, in->fatal_err.code, "%s", in->fatal_err.msg);
    if (in->in_file)
        return err_set(e, ERR_USAGE, "ingest_file_begin: a file is already open");
    in->in_file = 1;
    snprintf(in->name, sizeof in->name, "%s", name);
    in->forced_ds = ds != DS_NONE ? ds : in->o.dataset;
    in->ds = DS_NONE;
    in->kind = KIND_UNKNOWN;
    in->bytes = 0;
    in->rows = 0;
    in->undated = 0;
    in->first_undated_line = 0;
    in->legacy_ids = 0;
    in->legacy_probes_left = LEGACY_PROBES;
    in->size_hint = size_hint;
    in->file_started_at = (int64_t)time(NULL);
    in->progress = in->o.progress && isatty(STDERR_FILENO);
    in->last_draw = 0;
    buf_reset(&in->sniff);
    in->res.files = xrealloc(in->res.files, (in->res.nfiles + 1) * sizeof *in->res.files);
    struct ingest_file_result *fr = &in->res.files[in->res.nfiles++];
    memset(fr, 0, sizeof *fr);
    snprintf(fr->file, sizeof fr->file, "%s", name);
    fr->ds = DS_NONE;
    return 0;
}

/* Decides CSV or JSON from the first non-blank byte (after a UTF-8 BOM). */
static int sniff_kind(struct ingest *in, int at_end)
{
    const unsigned char *p = (const unsigned char *)buf_cstr(&in->sniff);
    size_t n = in->sniff.len, i = 0;
    if (n >= 3 && p[0] == 0xEF && p[1] == 0xBB && p[2] == 0xBF)
        i = 3;
    while (i < n && (p[i] == ' ' || p[i] == '\t' || p[i] == '\r' || p[i] == '\n'))
        i++;
    if (i == n && !at_end && n < 65536)
        return 0; /* not yet known */
    if (i < n && p[i] == '[') {
        in->kind = KIND_JSON;
        struct jsonrows_opts jo = {in->o.limits.max_field_bytes, in->o.limits.max_fields, in->name,
                                   0};
        in->json = jsonrows_new(&jo, on_json_object, in);
    } else {
        in->kind = KIND_CSV;
        struct csv_opts co = {0, in->o.limits.max_field_bytes, in->o.limits.max_fields, 0, in->name,
                              1};
        in->csv = csv_new(&co, on_csv_record, in);
    }
    return 1;
}

static int feed_parser(struct ingest *in, const char *data, size_t len, struct err *e)
{
    int rc = in->kind == KIND_JSON ? jsonrows_feed(in->json, data, len, e)
                                   : csv_feed(in->csv, data, len, e);
    if (rc < 0) {
        if (in->fatal) {
            *e = in->fatal_err;
            return in->fatal_err.code;
        }
        return set_fatal(in, e);
    }
    return 0;
}

int ingest_feed(struct ingest *in, const char *data, size_t len, struct err *e)
{
    if (in->fatal)
        return err_set(e, in->fatal_err.code, "%s", in->fatal_err.msg);
    if (in->bytes + len > in->o.limits.max_file_bytes) {
        struct err le;
        err_set(&le, ERR_LIMIT, "%s: file is larger than the limit of %llu bytes (--max-file-size)",
                in->name, (unsigned long long)in->o.limits.max_file_bytes);
        *e = le;
        return set_fatal(in, &le);
    }
    in->bytes += len;
    if (in->kind == KIND_UNKNOWN) {
        buf_append(&in->sniff, data, len);
        if (!sniff_kind(in, 0))
            return 0;
        int rc = feed_parser(in, in->sniff.data, in->sniff.len, e);
        buf_release(&in->sniff);
        return rc;
    }
    return feed_parser(in, data, len, e);
}

static void close_rejects(struct ingest *in)
{
    if (in->rejects) {
        fclose(in->rejects);
        in->rejects = NULL;
    }
}

static void file_cleanup(struct ingest *in)
{
    csv_free(in->csv);
    in->csv = NULL;
    jsonrows_free(in->json);
    in->json = NULL;
    if (in->have_map) {
        schema_map_release(&in->map);
        in->have_map = 0;
    }
    for (size_t k = 0; k < in->njkeys; k++)
        free(in->jkeys[k]);
    free(in->jkeys);
    in->jkeys = NULL;
    in->njkeys = 0;
    strmap_free(in->jkey_ids);
    in->jkey_ids = NULL;
    free(in->jfields);
    in->jfields = NULL;
    in->jfields_cap = 0;
    buf_release(&in->sniff);
    close_rejects(in);
    in->in_file = 0;
    in->file_index++;
}

int ingest_file_end(struct ingest *in, struct err *e)
{
    int rc = 0;
    if (in->fatal) {
        rc = err_set(e, in->fatal_err.code, "%s", in->fatal_err.msg);
        goto out;
    }
    if (in->kind == KIND_UNKNOWN) {
        sniff_kind(in, 1);
        if (in->sniff.len && (rc = feed_parser(in, in->sniff.data, in->sniff.len, e)) < 0)
            goto out;
    }
    rc = in->kind == KIND_JSON ? jsonrows_finish(in->json, e) : csv_finish(in->csv, e);
    if (rc < 0) {
        if (in->fatal)
            *e = in->fatal_err;
        else
            set_fatal(in, e);
        rc = e->code;
        goto out;
    }
    if ((rc = pipeline_drain(in)) < 0) {
        *e = in->fatal_err;
        goto out;
    }
    if (!in->have_map) {
        struct err ee;
        err_set(&ee, ERR_INPUT, "%s: the file is empty (no header and no rows)", in->name);
        *e = ee;
        rc = set_fatal(in, &ee);
        goto out;
    }
    if (in->ds == DS_INFLUENCERS)
        in->known_stale = 1;
    warn_undated(in);
    if (in->progress)
        draw_progress(in, 1);
out:
    file_cleanup(in);
    return rc;
}

int ingest_finish(struct ingest *in, struct ingest_result *res, struct err *e)
{
    int rc = 0;
    in->finished = 1;
    if (in->in_file)
        file_cleanup(in);
    if (!in->fatal)
        pipeline_drain(in);
    pipeline_stop(in);
    if (in->fatal) {
        *e = in->fatal_err;
        rc = in->fatal_err.code;
    } else if (in->res.rejected > 0 && !in->o.skip_invalid) {
        rc = err_set(e, ERR_INPUT,
                     "%lld row%s rejected; nothing was imported (fix the rows, or import the "
                     "valid ones with --skip-invalid)",
                     (long long)in->res.rejected, in->res.rejected == 1 ? "" : "s");
    } else {
        int64_t finished = (int64_t)time(NULL);
        for (size_t i = 0; i < in->res.nfiles && rc == 0; i++) {
            struct store_import_log log;
            memset(&log, 0, sizeof log);
            const struct ingest_file_result *fr = &in->res.files[i];
            snprintf(log.dataset, sizeof log.dataset, "%s",
                     fr->ds != DS_NONE ? schema_dataset(fr->ds)->name : "");
            snprintf(log.file, sizeof log.file, "%s", fr->file);
            snprintf(log.mode, sizeof log.mode, "%s", in->o.replace ? "replace" : "append");
            log.accepted = fr->accepted;
            log.rejected = fr->rejected;
            log.started_at = in->started_at;
            log.finished_at = finished;
            rc = store_log_import(in->store, &log, e);
            if (rc == 0 && in->o.audit_actor) {
                char detail[512];
                snprintf(detail, sizeof detail, "file %s, %s, %lld rows, %lld rejected", fr->file,
                         log.mode, (long long)fr->accepted, (long long)fr->rejected);
                rc = store_audit_add(in->store, in->o.audit_actor, "import",
                                     in->o.audit_workspace ? in->o.audit_workspace : "default",
                                     log.dataset, detail, e);
            }
        }
        if (rc == 0)
            rc = store_commit(in->store, e);
        if (rc == 0) {
            in->in_txn = 0;
            in->res.committed = 1;
        }
    }
    if (in->in_txn) {
        store_rollback(in->store);
        in->in_txn = 0;
    }
    if (res) {
        *res = in->res;
        memset(&in->res, 0, sizeof in->res);
    }
    return rc;
}

void ingest_free(struct ingest *in)
{
    if (!in)
        return;
    if (in->in_file)
        file_cleanup(in);
    pipeline_stop(in);
    if (in->in_txn)
        store_rollback(in->store);
    strmap_free(in->known);
    strmap_free(in->warned);
    buf_release(&in->line);
    ingest_result_release(&in->res);
    free(in);
}

uint64_t ingest_rows_read(const struct ingest *in, enum dataset *ds)
{
    if (ds)
        *ds = in->in_file && in->have_map ? in->ds : DS_NONE;
    return in->in_file ? in->rows : 0;
}

/* ---- files on disk --------------------------------------------------------------- */

struct peek {
    enum dataset ds;
    const char *name;
    struct err *e;
};

static int peek_csv_header(void *ctx, const struct csv_record *rec)
{
    struct peek *pk = ctx;
    pk->ds = schema_detect(pk->name, rec->fields, rec->nfields, pk->e);
    return -100; /* stop after the header */
}

static int peek_json_object(void *ctx, const struct jsonrows_pair *pairs, size_t n, uint64_t line,
                            uint64_t index)
{
    struct peek *pk = ctx;
    (void)line, (void)index;
    struct csv_field *f = xcalloc(n ? n : 1, sizeof *f);
    for (size_t i = 0; i < n; i++) {
        f[i].data = pairs[i].key;
        f[i].len = pairs[i].key_len;
    }
    pk->ds = schema_detect(pk->name, f, n, pk->e);
    free(f);
    return -100;
}

enum dataset ingest_detect_file(const char *path, struct err *e)
{
    FILE *fp = fopen(path, "rb");
    if (!fp) {
        err_set(e, ERR_IO, "%s: cannot open: %s", path, strerror(errno));
        return DS_NONE;
    }
    char *data = xmalloc(1 << 18);
    size_t n = fread(data, 1, 1 << 18, fp);
    fclose(fp);
    struct peek pk = {DS_NONE, path, e};
    struct err pe;
    size_t i = 0;
    if (n >= 3 && !memcmp(data, "\xEF\xBB\xBF", 3))
        i = 3;
    while (i < n && (data[i] == ' ' || data[i] == '\t' || data[i] == '\r' || data[i] == '\n'))
        i++;
    int rc;
    if (i < n && data[i] == '[') {
        struct jsonrows_opts jo = {0, 0, path, 0};
        struct jsonrows *jr = jsonrows_new(&jo, peek_json_object, &pk);
        rc = jsonrows_feed(jr, data, n, &pe);
        jsonrows_free(jr);
    } else {
        struct csv_opts co = {0, 0, 0, 0, path, 1};
        struct csv_parser *cp = csv_new(&co, peek_csv_header, &pk);
        rc = csv_feed(cp, data, n, &pe);
        if (rc == 0)
            rc = csv_finish(cp, &pe);
        csv_free(cp);
    }
    free(data);
    if (rc < 0 && rc != -100) {
        *e = pe;
        return DS_NONE;
    }
    if (pk.ds == DS_NONE && rc != -100) {
        err_set(e, ERR_INPUT, "%s: the file is empty (no header and no rows)", path);
        return DS_NONE;
    }
    if (pk.ds == DS_NONE)
        err_prefix(e, "%s:1", path);
    return pk.ds;
}

static int import_one(struct ingest *in, const char *path, enum dataset ds, struct err *e)
{
    FILE *fp = fopen(path, "rb");
    if (!fp)
        return err_set(e, ERR_IO, "%s: cannot open: %s", path, strerror(errno));
    struct stat st;
    uint64_t size = fstat(fileno(fp), &st) == 0 ? (uint64_t)st.st_size : 0;
    int rc = ingest_file_begin(in, path, ds, size, e);
    size_t cap = 1 << 20;
    char *chunk = xmalloc(cap);
    while (rc == 0) {
        size_t n = fread(chunk, 1, cap, fp);
        if (n == 0) {
            if (ferror(fp))
                rc = err_set(e, ERR_IO, "%s: read error: %s", path, strerror(errno));
            break;
        }
        rc = ingest_feed(in, chunk, n, e);
    }
    free(chunk);
    fclose(fp);
    int rc2 = ingest_file_end(in, rc == 0 ? e : &(struct err){0, ""});
    return rc ? rc : rc2;
}

int ingest_files(struct store *s, const char *const *paths, size_t n, const struct ingest_opts *o,
                 struct ingest_result *res, struct err *e)
{
    /* Influencers first, then posts, tracking data and payouts: references resolve. */
    enum dataset *ds = xcalloc(n ? n : 1, sizeof *ds);
    size_t *order = xcalloc(n ? n : 1, sizeof *order);
    memset(res, 0, sizeof *res);
    for (size_t i = 0; i < n; i++) {
        ds[i] = o->dataset;
        if (ds[i] == DS_NONE && (ds[i] = ingest_detect_file(paths[i], e)) == DS_NONE) {
            int code = e->code ? e->code : ERR_INPUT;
            free(ds);
            free(order);
            return code;
        }
        order[i] = i;
    }
    for (size_t i = 1; i < n; i++) /* stable insertion sort by dataset */
        for (size_t j = i; j > 0 && ds[order[j - 1]] > ds[order[j]]; j--) {
            size_t t = order[j];
            order[j] = order[j - 1];
            order[j - 1] = t;
        }
    int rc = 0;
    struct ingest *in = ingest_new(s, o, e);
    if (!in) {
        rc = e->code ? e->code : ERR_STORE;
        goto out;
    }
    for (size_t k = 0; k < n && rc == 0; k++)
        rc = import_one(in, paths[order[k]], ds[order[k]], e);
    if (rc == 0) {
        rc = ingest_finish(in, res, e);
    } else {
        struct err ignored;
        ingest_finish(in, res, &ignored);
    }
    ingest_free(in);
out:
    free(ds);
    free(order);
    return rc;
}
