/* filter.h — the dashboard filters (SPEC §3 "Filters", §5): parsed and validated from HTTP
 * query parameters or command-line flags into a struct engine_filter, and written back as
 * the "filters" JSON object the API echoes and as a canonical query string.
 * Calls engine, schema (normalisers, dates), strmap, json, number, buf and err.
 *
 * Parameters, in their fixed order (the order of JSON members and of the query string):
 *   from, to       inclusive ISO dates YYYY-MM-DD; from after to is an error
 *   platform, brand, product, campaign, source, category, gender, tier, persona,
 *   influencer, basis
 *                  comma-separated multi-select lists. Items are trimmed, empty items and
 *                  duplicates dropped, and spelled as the store spells them: platform
 *                  (ig → Instagram, yt → YouTube, x → Twitter, ...), gender (f → Female,
 *                  unknown or n/a → Unknown, anything else → Other), basis (per_order →
 *                  order, ...), tier (any case →
 *                  Nano, Micro, Mid, Macro, Mega), brand (mb → MuscleBlaze, hkv → HKVitals,
 *                  gz → Gritzo); other values are kept as given. A value cannot contain a
 *                  comma: the comma always separates. A list of only commas and spaces, like
 *                  an empty date or min_roas, is no filter.
 *   min_roas       a finite decimal number >= 0, the whole value (number.h: "1abc" is
 *                  refused, not read as 1)
 * Every bad value (also a value that is not valid UTF-8) is ERR_USAGE with a message that
 * starts with the parameter's name:
 *   from: "2025-13-01" is not a date (YYYY-MM-DD)
 *   to: 2025-01-01 is before from: 2025-02-01
 *   min_roas: "abc" is not a number
 *   platform: more than 1000 values */
#ifndef INFLUDASH_FILTER_H
#define INFLUDASH_FILTER_H

#include <stddef.h>

#include "buf.h"
#include "engine.h"
#include "err.h"
#include "json.h"

/* Limits on one parameter; past them filter_parse fails with ERR_USAGE. Items are counted
 * before duplicates are dropped; lengths are in bytes after trimming. */
#define FILTER_MAX_VALUES 1000
#define FILTER_MAX_VALUE_LEN 4096

enum filter_param {
    FILTER_FROM,
    FILTER_TO,
    FILTER_PLATFORM,
    FILTER_BRAND,
    FILTER_PRODUCT,
    FILTER_CAMPAIGN,
    FILTER_SOURCE,
    FILTER_CATEGORY,
    FILTER_GENDER,
    FILTER_TIER,
    FILTER_PERSONA,
    FILTER_INFLUENCER,
    FILTER_BASIS,
    FILTER_MIN_ROAS,
    FILTER_NPARAMS
};

/* The parameter's name as a query parameter and JSON key ("from", "min_roas"). */
const char *filter_param_name(enum filter_param p);

/* One line per flag, for the --help of commands that take filters. */
#define FILTER_OPTIONS_HELP                                                                        \
    "filters (lists are comma-separated; every filter is optional):\n"                             \
    "  --from=YYYY-MM-DD --to=YYYY-MM-DD   inclusive date range\n"                                 \
    "  --platform=A,B --brand=... --product=... --campaign=... --source=...\n"                     \
    "  --category=... --gender=... --tier=... --persona=... --influencer=ID,... --basis=...\n"     \
    "  --min-roas=N                        influencers with ROAS of at least N\n"

/* A parsed filter. It owns every string it holds; f is ready to hand to the engine and its
 * sets point into values[] (so the struct may be moved, but not copied: release it once).
 * Read values through f (or filter_set); change a filter only by parsing a new one. */
struct filter {
    struct engine_filter f;
    char from[11], to[11];         /* "YYYY-MM-DD" as parsed, "" for an open end */
    char **values[FILTER_NPARAMS]; /* owned; by list parameter (NULL for from, to, min_roas) */
};

/* No filter: everything selected. */
void filter_init(struct filter *f);
/* Frees what f owns and leaves it as after filter_init (releasing twice is harmless). */
void filter_release(struct filter *f);

/* The set of a list parameter (platform ... basis); NULL for from, to and min_roas. */
const struct engine_set *filter_set(const struct filter *f, enum filter_param p);

/* Returns the raw value of the parameter `name`, or NULL when it was not given. The
 * string must stay valid until filter_parse returns. For an HTTP request:
 *     static const char *query_param(void *req, const char *name)
 *     { return http_query(req, name); } */
typedef const char *(*filter_get_fn)(void *ctx, const char *name);

/* Parses every parameter (asking get for each name) into *out, which need not be
 * initialised. Returns 0, or ERR_USAGE with e naming the parameter and *out left as after
 * filter_init (nothing to release). On success the caller releases *out. */
int filter_parse(struct filter *out, filter_get_fn get, void *ctx, struct err *e);

/* A filter_get_fn over a NULL-terminated array of name, value pairs:
 *     const char *kv[] = {"from", "2025-01-01", "platform", "ig,yt", NULL};
 *     filter_parse(&f, filter_kv_get, kv, &e);
 * The first pair with the name wins. */
const char *filter_kv_get(void *ctx, const char *name);

/* Appends the "filters" object the API echoes (keys in the fixed order):
 *     {"from":"2025-01-01"|null,"to":...|null,"platform":["Instagram"],"brand":[],...,
 *      "basis":[],"min_roas":1.5|null}
 * Every list is present, [] when not filtered. Returns 0, or -1 when j has failed (its
 * cap; json_finish reports it). */
int filter_json(const struct filter *f, struct json *j);
/* Whether f restricts anything (a date, a list or min_roas). */
int filter_is_set(const struct filter *f);

/* Appends the canonical query string of f to out: only the parameters that filter, in the
 * fixed order, values joined by commas and percent-encoded (everything but A-Z a-z 0-9 - .
 * _ ~; a space is %20, never '+'), e.g. "from=2025-01-01&platform=Instagram,YouTube".
 * Nothing for a filter that selects everything. Parsing the decoded parameters back
 * gives the same filter. (For a capped buffer: write to &c->b, then cbuf_fits.) */
void filter_query_string(const struct filter *f, struct buf *out);

/* ---- command-line flags ----------------------------------------------------------------
 * Every parameter is a flag, as --name=VALUE or --name VALUE; '-' and '_' are the same in
 * a flag's name (--min-roas, --min_roas). A list flag given twice adds to the list
 * (--platform ig --platform yt); from, to or min_roas given twice is an error. Arguments
 * are never reordered or changed.
 *
 * Inside a command's own option loop (no ambiguity about which options take a value):
 *
 *     struct filter_args fa;
 *     filter_args_init(&fa);
 *     while (i < argc) {
 *         if (own options ...) { ... continue; }
 *         int rc = filter_args_match(&fa, argc, argv, &i, &e);
 *         if (rc < 0) → usage error e.msg;  if (rc == 0) → unknown option argv[i]
 *     }
 *     rc = filter_args_parse(&filter, &fa, &e);
 *     filter_args_release(&fa);
 *
 * or, in one go, filter_parse_argv. */
struct filter_args {
    struct cbuf raw[FILTER_NPARAMS]; /* the values given, lists joined by commas (input: capped) */
    unsigned char given[FILTER_NPARAMS];
};

void filter_args_init(struct filter_args *a);
void filter_args_release(struct filter_args *a);

/* If argv[*i] is a filter flag, records its value, advances *i past the flag (and its
 * value in the --name VALUE form) and returns 1. Returns 0, leaving *i alone, when argv[*i]
 * is not a filter flag; ERR_USAGE when the flag has no value, a single-valued flag is
 * repeated or a list grows past its limits. */
int filter_args_match(struct filter_args *a, int argc, char **argv, int *i, struct err *e);

/* filter_parse over the flags recorded in a. */
int filter_args_parse(struct filter *out, const struct filter_args *a, struct err *e);

/* Parses the filter flags in argv[0..argc) (a command's options, without the program and
 * command names) into *out. Every other argument goes, in order, to rest (room for argc
 * pointers) and *nrest counts them, for the caller's own option loop; "--" and all that
 * follows go to rest unexamined. A caller option whose value looks like a filter flag
 * (`-o --from`) is taken as the flag: use filter_args_match in the caller's loop when that
 * matters. With rest NULL every argument must be a filter flag: anything else is
 * ERR_USAGE ("unknown option \"--xxx\"", "unexpected argument \"x\""). Errors as
 * filter_parse; *out is left as after filter_init. */
int filter_parse_argv(struct filter *out, int argc, char **argv, char **rest, int *nrest,
                      struct err *e);

/* ---- period comparison (SPEC §3.2) -----------------------------------------------------
 * `compare=previous`: the same number of days just before the filter's period;
 * `compare=FROM..TO`: those inclusive ISO dates. The filter's period is from..to, an open
 * end taken from the data's range (engine_day_range: the first or last day of tracking rows
 * and dated posts), so `previous` without from/to compares the whole data with the same
 * number of days before its first day. Every other filter stays as it is. */
enum filter_compare_kind {
    FILTER_COMPARE_NONE,     /* no comparison (absent or empty) */
    FILTER_COMPARE_PREVIOUS, /* the days just before */
    FILTER_COMPARE_RANGE,    /* from_day..to_day */
};

struct filter_compare {
    enum filter_compare_kind kind;
    int32_t from_day, to_day; /* FILTER_COMPARE_RANGE: inclusive day numbers */
};

/* Parses the value of `compare` (NULL, "" or only spaces: none). ERR_USAGE with a message
 * starting "compare: " for anything but "previous" (any letter case) or
 * YYYY-MM-DD..YYYY-MM-DD with from not after to:
 *   compare: "last" is not previous or FROM..TO (YYYY-MM-DD..YYYY-MM-DD)
 *   compare: "2025-13-01" is not a date (YYYY-MM-DD)
 *   compare: to 2025-01-01 is before from 2025-02-01 */
int filter_compare_parse(const char *raw, struct filter_compare *out, struct err *e);

/* The comparison period of c against f's period over eng's data: 1 with *from_day and
 * *to_day set; 0 when there is none (FILTER_COMPARE_NONE, or `previous` with an open end
 * and no dated data to close it); ERR_USAGE with e filled when the previous period would
 * start before 0001-01-01. */
int filter_compare_period(const struct engine *eng, const struct filter *f,
                          const struct filter_compare *c, int32_t *from_day, int32_t *to_day,
                          struct err *e);

/* The engine filter of the comparison: f's, with the period replaced. It points into f,
 * which must outlive it. */
void filter_compare_apply(const struct filter *f, int32_t from_day, int32_t to_day,
                          struct engine_filter *out);

#endif
