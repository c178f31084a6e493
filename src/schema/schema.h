/* schema.h — the union schema of the four datasets (SPEC §1): canonical columns, header
 * aliases and derived fields (tier, persona, brand, organic, generated ids, computed payout
 * totals); how each value is read (ids, gender, platform, dates, numbers, money) is
 * schema_value.h, included here. A file's header is mapped once (struct schema_map); each
 * record then becomes a typed struct schema_row, or a reject naming the column, value and
 * reason. Calls schema_value, payid, prefetch, buf, err and json. */
#ifndef INFLUDASH_SCHEMA_H
#define INFLUDASH_SCHEMA_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "buf.h"
#include "csv.h"
#include "err.h"
#include "schema_value.h"

enum dataset { DS_NONE = -1, DS_INFLUENCERS = 0, DS_POSTS, DS_TRACKING, DS_PAYOUTS, DS_COUNT };

#define SCHEMA_KEY 0x1      /* the dataset's id (upsert key); generated when absent */
#define SCHEMA_REQUIRED 0x2 /* the file must have the column (or its substitute) */
#define SCHEMA_DERIVED 0x4  /* never read from input; computed */
/* Added by store schema version 4 (SPEC §10's payment details and payout kind): a
 * database made before it gains the column on open (store migration 4). */
#define SCHEMA_SINCE_4 0x8

struct schema_col {
    const char *name; /* canonical name: also the SQL column and the export header */
    enum col_kind kind;
    unsigned flags;
    const char *aliases; /* '|'-separated header aliases, matched like the name */
};

struct schema_dataset {
    const char *name; /* "influencers", "posts", "tracking_data", "payouts" */
    const struct schema_col *cols;
    int ncols;
    char id_prefix; /* prefix of generated ids: 'P', 'T', 'Y' */
};

#define SCHEMA_MAX_COLS 24

const struct schema_dataset *schema_dataset(enum dataset ds);
/* Accepts canonical names and short forms ("tracking", "influencer", "payout", "post").
 * DS_NONE when unknown. */
enum dataset schema_dataset_by_name(const char *name);
/* Index of a canonical column in a dataset, -1 when absent. */
int schema_col_index(enum dataset ds, const char *name);

/* Recognises a file's dataset from its header (column names) and, to break ties, its
 * file name. DS_NONE with a message in e when it cannot tell. */
enum dataset schema_detect(const char *filename, const struct csv_field *header, size_t n,
                           struct err *e);

/* The platforms a row may name by default: SPEC §1's six, and Threads, which real exports
 * carry (shared/peers). */
#define SCHEMA_PLATFORMS_DEFAULT "Instagram,YouTube,Twitter,Facebook,TikTok,LinkedIn,Threads"

/* Configurable thresholds and defaults. */
struct schema_config {
    int64_t
        tier_bounds[4]; /* followers: Nano < b0 <= Micro < b1 <= Mid < b2 <= Macro < b3 <= Mega */
    /* The platforms a row may name, as stored, comma-separated (NULL: the default list). A
     * value is read through schema_norm_platform ("ig" is Instagram), then matched to the
     * list ignoring case and spaces; one that names no listed platform is a row error. */
    const char *platforms;
};
void schema_config_default(struct schema_config *cfg);
/* Checks a list of platforms for schema_config.platforms (`--platforms`): comma-separated,
 * at least one, each 1..63 characters of printable text. ERR_USAGE naming the bad entry. */
int schema_platforms_check(const char *list, struct err *e);

/* One normalised row. Strings point into row->text and stay valid until the next
 * schema_row_build on the same row or schema_row_release. */
struct schema_value {
    int present;   /* 0: NULL */
    int64_t i;     /* integer kinds */
    const char *s; /* text kinds, NUL-terminated */
    size_t len;
};

struct schema_row {
    enum dataset ds;
    /* v[nv..] are all absent (zeros): the setters raise nv, so schema_row_clear clears only
     * the values set since (clearing all 24 took 13% of the parser thread's samples). */
    int nv;
    struct schema_value v[SCHEMA_MAX_COLS];
    const char *extra; /* JSON object of kept unknown columns ({"k":"v",...}), NULL when none */
    size_t extra_len;
    uint64_t line;   /* input line of the record, 0 when not from a file */
    struct buf text; /* owns the strings; text values keep their offset in v[].i */
    size_t extra_off;
    /* A generated id whose hash schema_rows_finish_ids has yet to write (the key's last 16
     * characters are zeros until then): the bytes it hashes, at hash_off in text. */
    int hash_pending;
    size_t hash_off, hash_len;
};

void schema_row_init(struct schema_row *row, enum dataset ds);
void schema_row_release(struct schema_row *row);
/* Clears values for reuse (keeps memory). */
void schema_row_clear(struct schema_row *row);
/* Setters used by generators and stores; strings are copied. */
void schema_row_set_text(struct schema_row *row, int col, const char *s, size_t len);
/* A text value the row does not copy: s (NUL-terminated) must stay valid as long as the
 * row is used, as a store's row does during a scan callback. */
void schema_row_borrow_text(struct schema_row *row, int col, const char *s, size_t len);
void schema_row_set_int(struct schema_row *row, int col, int64_t v);
void schema_row_set_extra(struct schema_row *row, const char *json, size_t len);
/* Makes dst an independent copy of src (dst's memory is reused). */
void schema_row_copy(struct schema_row *dst, const struct schema_row *src);
/* While row i of rows[0..n) is worked on, row i + 2 and the text of row i + 1 (whose
 * address is read from its row, fetched one row before) are fetched into this core's cache,
 * for writing or for reading: for a loop over a batch of rows another thread used last (the
 * import's batches pass from the parser to the writer and to the engine's feed, each on
 * its own thread), whose first touch of each row otherwise waits on the other core's copy
 * of the lines. A hint: it changes nothing the loop computes. */
void schema_rows_prefetch(const struct schema_row *rows, size_t n, size_t i, bool for_write);
/* Fills derived fields a generator or a store did not give (tier, persona, brand,
 * organic, total_payout, generated id): the same rules as import. */
void schema_row_derive(struct schema_row *row, const struct schema_config *cfg);

/* Why a record was rejected. */
struct schema_reject {
    uint64_t line;
    char column[128]; /* header name as in the file ("" for the whole record) */
    char value[256];  /* the offending value, shortened to fit */
    char reason[256];
};

/* A file's header mapped onto a dataset. */
struct schema_map {
    enum dataset ds;
    const struct schema_config *cfg;
    size_t nin;      /* fields in the header */
    int *target;     /* per input field: canonical column, or SCHEMA_T_EXTRA/NAME/IGNORE */
    char **in_names; /* header names as given (trimmed, BOM-free) */
    int source_of[SCHEMA_MAX_COLS]; /* canonical column → input field, -1 when absent */
    int name_field;     /* input field holding the influencer's name (refs by name), -1 */
    int ids_from_names; /* influencers without ids: id = normalised name */
    uint64_t ordinal;   /* data records seen, for generated ids */
    int legacy_ids;     /* generate ids in the form of older versions (schema_map_legacy_id) */
    /* Leave a generated id's hash to schema_rows_finish_ids (set by the caller after
     * schema_map_init), which hashes four rows at once. */
    int defer_ids;
    /* Columns schema_row_build looks at for every record (schema_col_index, once per map;
     * -1 when the dataset has none). */
    int col_influencer, col_revenue, col_return, col_total, col_rate;
    struct buf scratch; /* reused between records */
    struct buf extra;
    char reason[256]; /* a reject's reason built for the record (unknown platform) */
};

#define SCHEMA_T_EXTRA (-1)
#define SCHEMA_T_NAME (-2)
#define SCHEMA_T_IGNORE (-3)

/* Maps a header. Fails (ERR_INPUT, "missing required column ...") when the dataset's
 * required columns are absent, or for posts when both date and reach are; the message
 * does not carry the file name (the caller prefixes "FILE:1"). */
int schema_map_init(struct schema_map *m, enum dataset ds, const struct csv_field *header, size_t n,
                    const struct schema_config *cfg, struct err *e);
void schema_map_release(struct schema_map *m);
/* Normalises one record into row. Returns 0, or -1 with rej filled. Records with fewer
 * fields than the header get empty values; more fields than the header is a reject. */
int schema_row_build(struct schema_map *m, const struct csv_record *rec, struct schema_row *row,
                     struct schema_reject *rej);
/* Writes the generated ids that schema_row_build left to it (m->defer_ids) into rows:
 * the same ids as without deferring. The content hash is a chain of multiplications, one
 * per byte, so one record's hash waits on each step; four records' chains side by side
 * take about the time of one. Call it before a row is used. */
void schema_rows_finish_ids(struct schema_row *rows, size_t n);

/* Room for a generated id and its NUL. */
#define SCHEMA_ID_MAX 40
/* A generated id as text: prefix, the ordinal in ten digits at least and '-' (none when
 * ordinal is SCHEMA_NO_ORDINAL, the form of older versions), then h in 16 lower-case hex
 * digits, as printf's "%c%010llu-%016llx" or "%c%016llx". Returns its length. */
#define SCHEMA_NO_ORDINAL UINT64_MAX
size_t schema_format_id(char out[SCHEMA_ID_MAX], char prefix, uint64_t ordinal, uint64_t h);
/* When the next record (rec, not yet built) has no id, writes into out the id that versions
 * before issue 19 generated for it (the dataset's prefix and 16 hex digits of the content
 * hash) and returns 1; else returns 0. The caller looks that id up in the store: when the
 * store holds it, the file was imported before in that form, and setting m->legacy_ids keeps
 * generating that form, so that the re-import replaces its rows instead of adding them
 * again. The key is the dataset's first column. */
int schema_map_legacy_id(const struct schema_map *m, const struct csv_record *rec,
                         char out[SCHEMA_ID_MAX]);

const char *schema_tier(const struct schema_config *cfg, int64_t followers);

#endif
