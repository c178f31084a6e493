/* schema.h — the union schema of the four datasets (SPEC §1): canonical columns, header
 * aliases, value normalisation (ids, gender, platform, dates, numbers, money) and derived
 * fields (tier, persona, brand, organic, generated ids, computed payout totals).
 * A file's header is mapped once (struct schema_map); each record then becomes a typed
 * struct schema_row, or a reject naming the column, value and reason. Calls buf, err, csv, json. */
#ifndef INFLUDASH_SCHEMA_H
#define INFLUDASH_SCHEMA_H

#include <stddef.h>
#include <stdint.h>

#include "buf.h"
#include "csv.h"
#include "err.h"

enum dataset {
    DS_NONE = -1,
    DS_INFLUENCERS = 0,
    DS_POSTS,
    DS_TRACKING,
    DS_PAYOUTS,
    DS_COUNT
};

/* How a column's value is read, normalised and stored. */
enum col_kind {
    COL_ID,       /* text; "32.0" is stored as "32" */
    COL_TEXT,     /* trimmed text, valid UTF-8 */
    COL_COUNT,    /* whole number >= 0, int64 */
    COL_MONEY,    /* int64 minor units (cents/paise), rounded half away from zero */
    COL_RATE,     /* int64 millionths (rates: 246.94 → 246940000, 0.05 → 50000) */
    COL_DATE,     /* text "YYYY-MM-DD", or "YYYY-MM-DD HH:MM:SS[.ffffff]" when a time was given */
    COL_GENDER,   /* Male | Female | Non-binary | Other | Unknown (empty or absent) */
    COL_PLATFORM, /* normalised (schema_norm_platform), one of schema_config.platforms */
    COL_BASIS,    /* post | order | revenue_share | flat | hybrid | other text lower-cased */
    COL_STATUS,   /* Paid | Pending | as given, capitalised */
    COL_BRAND,    /* MuscleBlaze | HKVitals | Gritzo | as given */
    COL_FLAG,     /* 0 or 1 */
};

/* Whether a kind is stored as an integer (else text). */
int schema_kind_is_int(enum col_kind kind);

/*
 * The range of every integer value, the same at import (a value outside is refused, naming
 * file, line and column) and in the engine (a stored row outside, from an older version or
 * written around the import, is left out of the figures and reported): import and engine
 * agree, so whatever import accepts the engine loads.
 * - counts (orders, reach, likes, ..., follower_count): 0 .. 2,147,483,647 (int32);
 * - money: |amount| <= 10^10 paise (₹10 crore, ₹10,00,00,000.00) per value;
 * - rates: |rate| <= 10^8 currency units (₹10 crore per order or post) per value.
 * With at most ENGINE_MAX_ROWS (2^28) rows per dataset in the engine, the total of a money
 * column is at most 2^28 × 10^10 ≈ 2.68e18 paise and of a count column 2^28 × (2^31 − 1)
 * ≈ 5.8e17 (2.3e18 for likes + comments + shares + saves), so any sum of up to three such
 * totals fits int64 (9.22e18): no sum the engine makes can overflow. engine.c holds the
 * static assertions of this proof.
 */
#define SCHEMA_COUNT_MAX INT64_C(2147483647)
#define SCHEMA_MONEY_MAX INT64_C(10000000000)
#define SCHEMA_RATE_MAX INT64_C(100000000000000) /* millionths: 10^8 units */
/* 0 when v is within the range of kind (counts, money, rates, flags; any value of other
 * kinds), else -1 with *reason saying the range and what to do. */
int schema_check_range(enum col_kind kind, int64_t v, const char **reason);

#define SCHEMA_KEY 0x1      /* the dataset's id (upsert key); generated when absent */
#define SCHEMA_REQUIRED 0x2 /* the file must have the column (or its substitute) */
#define SCHEMA_DERIVED 0x4  /* never read from input; computed */

struct schema_col {
    const char *name;    /* canonical name: also the SQL column and the export header */
    enum col_kind kind;
    unsigned flags;
    const char *aliases; /* '|'-separated header aliases, matched like the name */
};

struct schema_dataset {
    const char *name;  /* "influencers", "posts", "tracking_data", "payouts" */
    const struct schema_col *cols;
    int ncols;
    char id_prefix;    /* prefix of generated ids: 'P', 'T', 'Y' */
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
    int64_t tier_bounds[4]; /* followers: Nano < b0 <= Micro < b1 <= Mid < b2 <= Macro < b3 <= Mega */
    /* The platforms a row may name, as stored, comma-separated (NULL: the default list). A
     * value is read through schema_norm_platform ("ig" is Instagram), then matched to the
     * list ignoring case and spaces; one that names no listed platform is a row error. */
    const char *platforms;
};
void schema_config_default(struct schema_config *cfg);

/* One normalised row. Strings point into row->text and stay valid until the next
 * schema_row_build on the same row or schema_row_release. */
struct schema_value {
    int present;     /* 0: NULL */
    int64_t i;       /* integer kinds */
    const char *s;   /* text kinds, NUL-terminated */
    size_t len;
};

struct schema_row {
    enum dataset ds;
    struct schema_value v[SCHEMA_MAX_COLS];
    const char *extra; /* JSON object of kept unknown columns ({"k":"v",...}), NULL when none */
    size_t extra_len;
    uint64_t line;     /* input line of the record, 0 when not from a file */
    struct buf text;   /* owns the strings; text values keep their offset in v[].i */
    size_t extra_off;
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
    size_t nin;              /* fields in the header */
    int *target;             /* per input field: canonical column, or SCHEMA_T_EXTRA/NAME/IGNORE */
    char **in_names;         /* header names as given (trimmed, BOM-free) */
    int source_of[SCHEMA_MAX_COLS]; /* canonical column → input field, -1 when absent */
    int name_field;          /* input field holding the influencer's name (refs by name), -1 */
    int ids_from_names;      /* influencers without ids: id = normalised name */
    uint64_t ordinal;        /* data records seen, for generated ids */
    struct buf scratch;      /* reused between records */
    struct buf extra;
    char reason[256];        /* a reject's reason built for the record (unknown platform) */
};

#define SCHEMA_T_EXTRA (-1)
#define SCHEMA_T_NAME (-2)
#define SCHEMA_T_IGNORE (-3)

/* Maps a header. Fails (ERR_INPUT, "missing required column ...") when the dataset's
 * required columns are absent, or for posts when both date and reach are; the message
 * does not carry the file name (the caller prefixes "FILE:1"). */
int schema_map_init(struct schema_map *m, enum dataset ds, const struct csv_field *header,
                    size_t n, const struct schema_config *cfg, struct err *e);
void schema_map_release(struct schema_map *m);
/* Normalises one record into row. Returns 0, or -1 with rej filled. Records with fewer
 * fields than the header get empty values; more fields than the header is a reject. */
int schema_row_build(struct schema_map *m, const struct csv_record *rec, struct schema_row *row,
                     struct schema_reject *rej);

/* Value parsers, exposed for tests and other modules. Each returns 0 or -1 with a reason;
 * a value outside the range of schema_check_range is refused too. */
int schema_parse_count(const char *s, size_t len, int64_t *out, const char **reason);
int schema_parse_money(const char *s, size_t len, int64_t *cents, const char **reason);
int schema_parse_rate(const char *s, size_t len, int64_t *micros, const char **reason);
/* Writes "YYYY-MM-DD" or "YYYY-MM-DD HH:MM:SS[.f]" to out (buf appended). */
int schema_parse_date(const char *s, size_t len, struct buf *out, const char **reason);
/* Day number (days since 1970-01-01) of an ISO date's first 10 characters; -1 on error. */
int schema_iso_to_days(const char *iso, int32_t *days);
void schema_days_to_iso(int32_t days, char out[11]);
/* Canonical spellings; write into out (appended). */
void schema_norm_gender(const char *s, size_t len, struct buf *out);
void schema_norm_platform(const char *s, size_t len, struct buf *out);
/* A payout basis as import stores it: per_order/sale → order, revshare → revenue_share, … */
void schema_norm_basis(const char *s, size_t len, struct buf *out);
/* A brand value as import stores it: exactly a known brand's name or code (MB, HKV, GZ…)
 * becomes its canonical name; anything else is kept as given. */
void schema_norm_brand(const char *s, size_t len, struct buf *out);
/* "MuscleBlaze", "HKVitals", "Gritzo" when text names one, else NULL. */
const char *schema_brand_in(const char *s, size_t len);
const char *schema_tier(const struct schema_config *cfg, int64_t followers);

/* Formats a stored integer value back to text for export: money "1506.16", rate
 * "0.05", counts and flags as integers. */
void schema_format_int(enum col_kind kind, int64_t v, struct buf *out);

#endif
