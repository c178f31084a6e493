/* test_schema.c — unit tests for the union schema (src/schema.c): header aliases and
 * dataset detection, value normalisation (ids, gender, platform, dates, numbers, rates),
 * derived fields (tier, persona, brand, organic, payout totals, generated ids) and rejects.
 * Records are built by hand: a string split on '|' (values may hold commas) or ','. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <ctype.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "csv.h"
#include "err.h"
#include "schema.h"
#include "banned.h"

/* ---- hand-built records ----------------------------------------------------------- */

#define MAX_TEST_FIELDS 32

/* Fields point into the caller's string, which must outlive the record. */
struct test_record {
    struct csv_field fields[MAX_TEST_FIELDS];
    struct csv_record rec;
};

static void record_split(struct test_record *r, const char *text, char delim, uint64_t line)
{
    memset(r, 0, sizeof *r);
    size_t n = 0;
    const char *p = text;
    for (;;) {
        const char *sep = strchr(p, delim);
        size_t len = sep ? (size_t)(sep - p) : strlen(p);
        assert_true(n < MAX_TEST_FIELDS);
        r->fields[n].data = p;
        r->fields[n].len = len;
        n++;
        if (!sep)
            break;
        p = sep + 1;
    }
    r->rec.fields = r->fields;
    r->rec.nfields = n;
    r->rec.line = line;
    r->rec.index = line > 0 ? line - 1 : 0;
}

/* ---- fixture: one mapped header and one row ---------------------------------------- */

struct fixture {
    struct schema_config cfg;
    struct schema_map map;
    int mapped;
    struct schema_row row;
    struct schema_reject rej;
    struct err e;
    uint64_t next_line; /* line given to the next record built */
};

static int fixture_setup(void **state)
{
    struct fixture *fx = xcalloc(1, sizeof *fx);
    schema_config_default(&fx->cfg);
    schema_row_init(&fx->row, DS_INFLUENCERS);
    fx->next_line = 2;
    *state = fx;
    return 0;
}

static int fixture_teardown(void **state)
{
    struct fixture *fx = *state;
    if (fx->mapped)
        schema_map_release(&fx->map);
    schema_row_release(&fx->row);
    free(fx);
    return 0;
}

/* Maps a '|'-separated header for ds; returns schema_map_init's result. */
static int map_header(struct fixture *fx, enum dataset ds, const char *header)
{
    struct test_record h;
    if (fx->mapped)
        schema_map_release(&fx->map);
    fx->mapped = 0;
    fx->next_line = 2;
    err_clear(&fx->e);
    record_split(&h, header, '|', 1);
    int rc = schema_map_init(&fx->map, ds, h.fields, h.rec.nfields, &fx->cfg, &fx->e);
    if (rc == 0)
        fx->mapped = 1;
    return rc;
}

static void map_ok(struct fixture *fx, enum dataset ds, const char *header)
{
    if (map_header(fx, ds, header) != 0)
        fail_msg("mapping header \"%s\" failed: %s", header, fx->e.msg);
}

/* Builds one '|'-separated record against the mapped header. */
static int build(struct fixture *fx, const char *values)
{
    struct test_record r;
    assert_true(fx->mapped);
    record_split(&r, values, '|', fx->next_line++);
    memset(&fx->rej, 0, sizeof fx->rej);
    return schema_row_build(&fx->map, &r.rec, &fx->row, &fx->rej);
}

static void build_ok(struct fixture *fx, const char *values)
{
    if (build(fx, values) != 0)
        fail_msg("record \"%s\" rejected: %s: \"%s\": %s", values, fx->rej.column, fx->rej.value,
                 fx->rej.reason);
}

static void build_rejected(struct fixture *fx, const char *values)
{
    if (build(fx, values) == 0)
        fail_msg("record \"%s\" was accepted", values);
}

/* Maps header and builds one record that must be accepted. */
static void row_of(struct fixture *fx, enum dataset ds, const char *header, const char *values)
{
    map_ok(fx, ds, header);
    build_ok(fx, values);
}

static int col_of(const struct schema_row *row, const char *col)
{
    int c = schema_col_index(row->ds, col);
    if (c < 0)
        fail_msg("no column %s in %s", col, schema_dataset(row->ds)->name);
    return c;
}

static int has(const struct schema_row *row, const char *col)
{
    return row->v[col_of(row, col)].present;
}

/* Text value of a column; NULL when absent. */
static const char *text_of(const struct schema_row *row, const char *col)
{
    const struct schema_value *v = &row->v[col_of(row, col)];
    return v->present ? v->s : NULL;
}

static int64_t int_of(const struct schema_row *row, const char *col)
{
    const struct schema_value *v = &row->v[col_of(row, col)];
    if (!v->present)
        fail_msg("%s is absent", col);
    return v->i;
}

static void assert_text(const struct schema_row *row, const char *col, const char *want)
{
    const char *got = text_of(row, col);
    if (!got)
        fail_msg("%s is absent, want \"%s\"", col, want);
    if (strcmp(got, want) != 0)
        fail_msg("%s is \"%s\", want \"%s\"", col, got, want);
}

static void assert_int_value(const struct schema_row *row, const char *col, int64_t want)
{
    int64_t got = int_of(row, col);
    if (got != want)
        fail_msg("%s is %" PRId64 ", want %" PRId64, col, got, want);
}

static const char *extra_of(const struct schema_row *row)
{
    return row->extra ? row->extra : "(none)";
}

/* ---- value parsers ---------------------------------------------------------------- */

typedef int (*number_parser)(const char *s, size_t len, int64_t *out, const char **reason);
#define PARSER(fn) fn, #fn

static void expect_number(number_parser fn, const char *name, const char *s, int64_t want)
{
    int64_t got = 0;
    const char *reason = NULL;
    if (fn(s, strlen(s), &got, &reason) != 0)
        fail_msg("%s(\"%s\") failed: %s", name, s, reason ? reason : "(no reason)");
    if (got != want)
        fail_msg("%s(\"%s\") = %" PRId64 ", want %" PRId64, name, s, got, want);
}

static void expect_not_number(number_parser fn, const char *name, const char *s,
                              const char *want_reason)
{
    int64_t got = 0;
    const char *reason = NULL;
    if (fn(s, strlen(s), &got, &reason) == 0)
        fail_msg("%s(\"%s\") = %" PRId64 ", want the error \"%s\"", name, s, got, want_reason);
    if (!reason || strcmp(reason, want_reason) != 0)
        fail_msg("%s(\"%s\") failed with \"%s\", want \"%s\"", name, s,
                 reason ? reason : "(no reason)", want_reason);
}

static void expect_date(const char *s, const char *want)
{
    struct buf out = BUF_INIT;
    const char *reason = NULL;
    int rc = schema_parse_date(s, strlen(s), &out, &reason);
    char got[128];
    snprintf(got, sizeof got, "%s", buf_cstr(&out));
    buf_release(&out);
    if (rc != 0)
        fail_msg("date \"%s\" rejected: %s", s, reason ? reason : "(no reason)");
    if (strcmp(got, want) != 0)
        fail_msg("date \"%s\" gave \"%s\", want \"%s\"", s, got, want);
}

/* The date must be rejected with a reason that contains want_reason. */
static void expect_bad_date(const char *s, const char *want_reason)
{
    struct buf out = BUF_INIT;
    const char *reason = NULL;
    int rc = schema_parse_date(s, strlen(s), &out, &reason);
    buf_release(&out);
    if (rc == 0)
        fail_msg("date \"%s\" was accepted, want \"%s\"", s, want_reason);
    if (!reason || !strstr(reason, want_reason))
        fail_msg("date \"%s\" rejected with \"%s\", want \"%s\"", s,
                 reason ? reason : "(no reason)", want_reason);
}

typedef void (*text_normaliser)(const char *s, size_t len, struct buf *out);

static void expect_norm(text_normaliser fn, const char *s, const char *want)
{
    struct buf out = BUF_INIT;
    fn(s, strlen(s), &out);
    char got[128];
    snprintf(got, sizeof got, "%s", buf_cstr(&out));
    buf_release(&out);
    if (strcmp(got, want) != 0)
        fail_msg("\"%s\" normalised to \"%s\", want \"%s\"", s, got, want);
}

/* ---- header mapping --------------------------------------------------------------- */

/* Appends the canonical names of required columns other than `except`, so that a header
 * built around one alias still maps. */
static void append_required(struct buf *h, enum dataset ds, int except)
{
    const struct schema_dataset *d = schema_dataset(ds);
    if (ds == DS_INFLUENCERS) {
        if (except != 0 && except != 1)
            buf_puts(h, "|influencer_id");
        return;
    }
    for (int c = 0; c < d->ncols; c++)
        if ((d->cols[c].flags & SCHEMA_REQUIRED) && c != except)
            buf_printf(h, "|%s", d->cols[c].name);
    /* posts need a date or a reach */
    if (ds == DS_POSTS && except != schema_col_index(ds, "date") &&
        except != schema_col_index(ds, "reach"))
        buf_puts(h, "|reach");
}

/* The three spellings every header name must match in: as written, upper-case, and with
 * spaces for underscores and around it. */
static void spelling(const char *name, size_t len, int variant, struct buf *out)
{
    buf_reset(out);
    if (variant == 2)
        buf_puts(out, "  ");
    for (size_t i = 0; i < len; i++) {
        char c = name[i];
        if (variant == 1)
            c = (char)toupper((unsigned char)c);
        else if (variant == 2 && c == '_')
            c = ' ';
        buf_putc(out, c);
    }
    if (variant == 2)
        buf_puts(out, " ");
}

static void expect_alias_maps(struct fixture *fx, enum dataset ds, int c, const char *alias,
                              size_t len)
{
    struct buf name = BUF_INIT, header = BUF_INIT;
    for (int variant = 0; variant < 3; variant++) {
        spelling(alias, len, variant, &name);
        buf_reset(&header);
        buf_puts(&header, buf_cstr(&name));
        append_required(&header, ds, c);
        int rc = map_header(fx, ds, buf_cstr(&header));
        int source = rc == 0 ? fx->map.source_of[c] : -2;
        if (rc != 0 || source != 0) {
            char shown[256];
            snprintf(shown, sizeof shown, "%s", buf_cstr(&header));
            buf_release(&name);
            buf_release(&header);
            fail_msg("%s: header \"%s\" does not map its first field to %s (rc %d, source %d): %s",
                     schema_dataset(ds)->name, shown, schema_dataset(ds)->cols[c].name, rc, source,
                     fx->e.msg);
        }
    }
    buf_release(&name);
    buf_release(&header);
}

static void test_every_alias_in_the_column_tables_maps_to_its_canonical_column(void **state)
{
    struct fixture *fx = *state;
    int checked = 0;
    for (int ds = 0; ds < DS_COUNT; ds++) {
        const struct schema_dataset *d = schema_dataset((enum dataset)ds);
        for (int c = 0; c < d->ncols; c++) {
            if (d->cols[c].flags & SCHEMA_DERIVED)
                continue;
            expect_alias_maps(fx, (enum dataset)ds, c, d->cols[c].name, strlen(d->cols[c].name));
            checked++;
            const char *p = d->cols[c].aliases;
            while (*p) {
                const char *bar = strchr(p, '|');
                size_t len = bar ? (size_t)(bar - p) : strlen(p);
                expect_alias_maps(fx, (enum dataset)ds, c, p, len);
                checked++;
                p += len;
                if (*p == '|')
                    p++;
            }
        }
    }
    assert_true(checked > 100);
}

static void test_header_matching_ignores_case_spaces_and_underscores(void **state)
{
    struct fixture *fx = *state;
    static const char *const spellings[] = {
        "Follower_Count",
        "followerCount",
        " FOLLOWERS ",
        "Followers Count",
        "follower-count",
        "FOLLOWER_COUNT",
        "\xC2\xA0"
        "followers"
        "\xC2\xA0",
    };
    int followers = schema_col_index(DS_INFLUENCERS, "follower_count");
    for (size_t i = 0; i < sizeof spellings / sizeof spellings[0]; i++) {
        char header[64];
        snprintf(header, sizeof header, "ID|%s", spellings[i]);
        map_ok(fx, DS_INFLUENCERS, header);
        if (fx->map.source_of[followers] != 1)
            fail_msg("\"%s\" is not follower_count", spellings[i]);
        assert_int_equal(fx->map.source_of[0], 0);
    }
    /* The name as given is kept trimmed for messages. */
    map_ok(fx, DS_INFLUENCERS, " ID |  Follower_Count ");
    assert_string_equal(fx->map.in_names[0], "ID");
    assert_string_equal(fx->map.in_names[1], "Follower_Count");
}

static void test_exact_canonical_name_beats_an_alias_whatever_the_order(void **state)
{
    struct fixture *fx = *state;
    int followers = schema_col_index(DS_INFLUENCERS, "follower_count");
    map_ok(fx, DS_INFLUENCERS, "id|followers|follower_count");
    assert_int_equal(fx->map.source_of[followers], 2);
    assert_int_equal(fx->map.target[1], SCHEMA_T_EXTRA);

    int revenue = schema_col_index(DS_TRACKING, "revenue");
    map_ok(fx, DS_TRACKING, "amount|date|revenue");
    assert_int_equal(fx->map.source_of[revenue], 2);
    assert_int_equal(fx->map.target[0], SCHEMA_T_EXTRA);

    int total = schema_col_index(DS_PAYOUTS, "total_payout");
    map_ok(fx, DS_PAYOUTS, "influencer_id|payout_amount|total_payout");
    assert_int_equal(fx->map.source_of[total], 2);
    assert_int_equal(fx->map.target[1], SCHEMA_T_EXTRA);

    /* The alias column's values are not lost: they go to extra. */
    build_ok(fx, "7|100|120");
    assert_int_value(&fx->row, "total_payout", 12000);
    assert_string_equal(extra_of(&fx->row), "{\"payout_amount\":\"100\"}");
}

static void test_id_header_means_the_key_of_each_dataset(void **state)
{
    struct fixture *fx = *state;
    map_ok(fx, DS_INFLUENCERS, "id|name");
    assert_int_equal(fx->map.source_of[schema_col_index(DS_INFLUENCERS, "influencer_id")], 0);
    map_ok(fx, DS_POSTS, "id|influencer_id|reach");
    assert_int_equal(fx->map.source_of[schema_col_index(DS_POSTS, "post_id")], 0);
    assert_int_equal(fx->map.source_of[schema_col_index(DS_POSTS, "influencer_id")], 1);
    map_ok(fx, DS_TRACKING, "id|influencer_id|date|revenue");
    assert_int_equal(fx->map.source_of[schema_col_index(DS_TRACKING, "tracking_id")], 0);
    map_ok(fx, DS_PAYOUTS, "id|influencer_id");
    assert_int_equal(fx->map.source_of[schema_col_index(DS_PAYOUTS, "payout_id")], 0);

    /* And the value becomes the row's key. */
    row_of(fx, DS_PAYOUTS, "id|influencer_id|basis", "PAY-9|7|post");
    assert_text(&fx->row, "payout_id", "PAY-9");
    assert_text(&fx->row, "influencer_id", "7");
}

static void test_influencer_name_headers_refer_to_the_influencer_by_name(void **state)
{
    struct fixture *fx = *state;
    static const char *const name_headers[] = {"influencer_name", "Influencer", "name", "Creator",
                                               "Influencer Name"};
    static const enum dataset referring[] = {DS_POSTS, DS_TRACKING, DS_PAYOUTS};
    for (size_t d = 0; d < 3; d++) {
        for (size_t i = 0; i < sizeof name_headers / sizeof name_headers[0]; i++) {
            struct buf header = BUF_INIT;
            buf_puts(&header, name_headers[i]);
            append_required(&header, referring[d], schema_col_index(referring[d], "influencer_id"));
            int rc = map_header(fx, referring[d], buf_cstr(&header));
            buf_release(&header);
            if (rc != 0)
                fail_msg("%s with \"%s\": %s", schema_dataset(referring[d])->name, name_headers[i],
                         fx->e.msg);
            assert_int_equal(fx->map.name_field, 0);
            assert_int_equal(fx->map.target[0], SCHEMA_T_NAME);
        }
    }
    /* The id is the normalised, lower-cased name, the same as an influencers file without ids
     * gives, so the two join. */
    row_of(fx, DS_POSTS, "influencer_name|platform|reach", "  Priya   SHARMA |ig|100");
    assert_text(&fx->row, "influencer_id", "priya sharma");
    assert_null(fx->row.extra);
    row_of(fx, DS_INFLUENCERS, "name|category", "Priya Sharma|Fitness");
    assert_text(&fx->row, "influencer_id", "priya sharma");
    row_of(fx, DS_TRACKING, "influencer_name|date|revenue", "Priya Sharma|2025-03-09|10");
    assert_text(&fx->row, "influencer_id", "priya sharma");
    row_of(fx, DS_PAYOUTS, "influencer_name|basis|rate|orders", "Priya Sharma|post|500|2");
    assert_text(&fx->row, "influencer_id", "priya sharma");
    /* A name that reads as a number becomes the id an export of it imports back as
     * ("300.0" → "300"; found by fuzzing the export round trip). */
    row_of(fx, DS_PAYOUTS, "influencer_name|basis", "300.0|post");
    assert_text(&fx->row, "influencer_id", "300");
    row_of(fx, DS_INFLUENCERS, "name|category", "0.00|Fitness");
    assert_text(&fx->row, "influencer_id", "0");
}

static void test_given_influencer_id_wins_over_name_and_name_is_kept_in_extra(void **state)
{
    struct fixture *fx = *state;
    row_of(fx, DS_POSTS, "influencer_id|influencer_name|platform|reach", "INF_7|Priya Sharma|ig");
    assert_text(&fx->row, "influencer_id", "INF_7");
    assert_string_equal(extra_of(&fx->row), "{\"influencer_name\":\"Priya Sharma\"}");
    /* An empty id on one row falls back to the name. */
    build_ok(fx, "|Priya Sharma|ig");
    assert_text(&fx->row, "influencer_id", "priya sharma");
}

static void test_influencers_without_id_column_get_ids_from_names(void **state)
{
    struct fixture *fx = *state;
    map_ok(fx, DS_INFLUENCERS, "name|category|gender|follower_count|platform");
    assert_true(fx->map.ids_from_names);
    build_ok(fx, "Rohan  Mehta|fitness|male|50000|instagram");
    assert_text(&fx->row, "influencer_id", "rohan mehta");
    assert_text(&fx->row, "name", "Rohan  Mehta");
    build_rejected(fx, "|fitness|male|50000|instagram");
    assert_string_equal(fx->rej.column, "name");
    assert_non_null(strstr(fx->rej.reason, "missing influencer id and name"));

    map_ok(fx, DS_INFLUENCERS, "influencer_id|name");
    assert_false(fx->map.ids_from_names);
    build_ok(fx, "|Asha Rao");
    assert_text(&fx->row, "influencer_id", "asha rao");
}

static void test_unknown_columns_are_kept_in_extra_as_a_json_object(void **state)
{
    struct fixture *fx = *state;
    row_of(fx, DS_INFLUENCERS, "influencer_id|name|engagement_rate| Location |avg_views",
           "1|Asha|0.05|Delhi|");
    assert_string_equal(extra_of(&fx->row),
                        "{\"engagement_rate\":\"0.05\",\"Location\":\"Delhi\"}");
    assert_int_equal(fx->row.extra_len, strlen(fx->row.extra));
    /* No unknown values: no extra. */
    build_ok(fx, "2|Ravi||  |");
    assert_null(fx->row.extra);
}

static void test_extra_json_escapes_quotes_backslashes_and_control_chars(void **state)
{
    struct fixture *fx = *state;
    row_of(fx, DS_INFLUENCERS, "influencer_id|note|say \"q\"",
           "1|a \"quoted\" \\path\\ tab\there\x01 nl\nend|x");
    assert_string_equal(extra_of(&fx->row),
                        "{\"note\":\"a \\\"quoted\\\" \\\\path\\\\ tab\\there\\u0001 "
                        "nl\\nend\",\"say \\\"q\\\"\":\"x\"}");
    /* Non-ASCII text stays as UTF-8. */
    build_ok(fx, "2|\xE2\x82\xB9 caf\xC3\xA9|");
    assert_string_equal(extra_of(&fx->row), "{\"note\":\"\xE2\x82\xB9 caf\xC3\xA9\"}");
}

static void expect_missing(struct fixture *fx, enum dataset ds, const char *header,
                           const char *column)
{
    if (map_header(fx, ds, header) == 0)
        fail_msg("%s header \"%s\" was accepted", schema_dataset(ds)->name, header);
    assert_int_equal(fx->e.code, ERR_INPUT);
    char want[96];
    snprintf(want, sizeof want, "missing required column \"%s\"", column);
    if (!strstr(fx->e.msg, want))
        fail_msg("message \"%s\" does not say %s", fx->e.msg, want);
}

static void test_missing_required_columns_are_input_errors_naming_the_column(void **state)
{
    struct fixture *fx = *state;
    expect_missing(fx, DS_INFLUENCERS, "category|gender|follower_count", "influencer_id (or name)");
    expect_missing(fx, DS_POSTS, "platform|date|reach|likes", "influencer_id");
    expect_missing(fx, DS_TRACKING, "influencer_id|revenue|orders", "date");
    expect_missing(fx, DS_TRACKING, "influencer_id|date|orders", "revenue");
    expect_missing(fx, DS_PAYOUTS, "basis|rate|orders|total_payout", "influencer_id");
    /* The message shows what the header has, as written. */
    expect_missing(fx, DS_POSTS, "Platform| Date ", "influencer_id");
    assert_non_null(strstr(fx->e.msg, "Platform, Date"));
    assert_non_null(strstr(fx->e.msg, "posts"));
    /* Tracking needs no influencer column: organic-only files are fine. */
    map_ok(fx, DS_TRACKING, "date|revenue");
}

/* Issue 14 (13): posts without a date vanish from every dated view, so a posts file needs a
 * date or a reach column; one with neither is refused naming both. */
static void test_posts_need_a_date_or_a_reach_column(void **state)
{
    struct fixture *fx = *state;
    assert_int_equal(map_header(fx, DS_POSTS, "post_id|influencer_id|platform|likes"), ERR_INPUT);
    assert_non_null(strstr(fx->e.msg, "missing columns \"date\" and \"reach\" for posts"));
    assert_non_null(strstr(fx->e.msg, "post_id, influencer_id, platform, likes"));
    map_ok(fx, DS_POSTS, "influencer_id|posted_at|likes"); /* an alias of date */
    map_ok(fx, DS_POSTS, "influencer_id|reach");
}

/* ---- dataset detection ------------------------------------------------------------ */

struct header_case {
    const char *file;
    const char *header; /* comma-separated */
    enum dataset want;
};

/* Header lines of the files in shared/peers (see its README), with the quotes the CSV
 * reader removes and the BOM it strips already gone. */
static const struct header_case peer_headers[] = {
    {"influencers.csv", "id,name,category,gender,follower_count,platform,persona", DS_INFLUENCERS},
    {"payouts.csv", "influencer_id,basis,rate,orders,total_payout", DS_PAYOUTS},
    {"posts.csv", "influencer_id,platform,date,url,caption,reach,likes,comments", DS_POSTS},
    {"tracking_data.csv", "source,campaign,influencer_id,user_id,product,date,orders,revenue",
     DS_TRACKING},
    {"influencers.csv", "ID,name,category,gender,follower_count,platform", DS_INFLUENCERS},
    {"posts.csv", "influencer_id,platform,date,URL,caption,reach,likes,comments", DS_POSTS},
    {"tracking_data.csv", "source,campaign,influencer_id,user_id,product,brand,date,orders,revenue",
     DS_TRACKING},
    {"influencers.csv", "id,name,category,gender,follower_count,platform,created_date",
     DS_INFLUENCERS},
    {"payouts.csv",
     "id,influencer_id,campaign,basis,rate,orders,posts,total_payout,payment_date,status,"
     "created_date",
     DS_PAYOUTS},
    {"posts.csv", "id,influencer_id,platform,date,url,caption,reach,likes,comments,created_date",
     DS_POSTS},
    {"tracking_data.csv",
     "id,source,campaign,influencer_id,user_id,product,brand,date,orders,revenue,created_date",
     DS_TRACKING},
    {"influencers.csv", "name,category,gender,follower_count,platform", DS_INFLUENCERS},
    {"payouts.csv", "influencer_name,basis,rate,orders,total_payout,payout_date", DS_PAYOUTS},
    {"posts.csv", "influencer_name,platform,date,url,caption,reach,likes,comments", DS_POSTS},
    {"tracking.csv", "source,campaign,influencer_name,user_id,product,date,orders,revenue,brand",
     DS_TRACKING},
    {"payouts.csv", "payout_id,influencer_id,basis,rate,orders,posts,total_payout", DS_PAYOUTS},
    {"posts.csv", "post_id,influencer_id,platform,date,url,caption,reach,likes,comments,shares",
     DS_POSTS},
    {"tracking_data.csv",
     "tracking_id,source,campaign,influencer_id,user_id,product,brand,date,orders,revenue",
     DS_TRACKING},
    {"influencers.csv",
     "influencer_id,name,category,gender,follower_count,platform,engagement_rate,avg_views,"
     "location",
     DS_INFLUENCERS},
    {"payouts.csv",
     "payout_id,influencer_id,campaign,basis,rate,posts_count,orders,total_payout,payout_date,"
     "status",
     DS_PAYOUTS},
    {"posts.csv",
     "post_id,influencer_id,platform,date,url,caption,reach,likes,comments,shares,saves", DS_POSTS},
    {"tracking_data.csv",
     "tracking_id,source,campaign,influencer_id,user_id,brand,product,date,orders,revenue,"
     "clicks,cost_per_click",
     DS_TRACKING},
    {"Influencer.csv", "ID,Name,Category,Gender,Follower_Count,Platform", DS_INFLUENCERS},
    {"Payout.csv", "Influencer_ID,Basis,Rate,Orders,Total_Payout", DS_PAYOUTS},
    {"Posts.csv", "Influencer_ID,Platform,Date,URL,Caption,Reach,Likes,Comments", DS_POSTS},
    {"Tracking_data.csv", "Source,Campaign,Influencer_ID,User_ID,Date,Orders,Revenue,Brands",
     DS_TRACKING},
    {"influencers.csv", "influencer_id,name,category,gender,follower_count,platform,payout_basis",
     DS_INFLUENCERS},
    {"payouts.csv", "payout_id,influencer_id,basis,rate,orders,total_payout", DS_PAYOUTS},
    {"posts.csv", "post_id,influencer_id,platform,date,brand,campaign,reach,likes,comments",
     DS_POSTS},
    {"influencers.csv", "id,name,category,gender,follower_count,platform,city,age_group,persona",
     DS_INFLUENCERS},
    {"posts.csv", "influencer_id,platform,date,url,caption,reach,likes,comments,brand", DS_POSTS},
    {"tracking_data.csv", "source,campaign,brand,product,influencer_id,user_id,date,orders,revenue",
     DS_TRACKING},
    {"payouts.csv",
     "influencer_id,basis,rate,orders,total_revenue,payout_amount,gifted_products_cost,"
     "total_cost",
     DS_PAYOUTS},
    {"sample_new_payouts.csv",
     "influencer_id,basis,rate,orders,total_revenue,payout_amount,gifted_products_cost,"
     "total_cost",
     DS_PAYOUTS},
    {"posts.csv",
     "post_id,influencer_id,platform,date,url,caption,brand_mentioned,reach,likes,comments,"
     "shares,video_views,watch_time_minutes",
     DS_POSTS},
    {"payouts.csv", "influencer_id,basis,rate,total_orders_by_influencer,total_payout", DS_PAYOUTS},
    {"tracking_data.csv",
     "tracking_id,source,campaign,influencer_id,user_id,product,date,orders,revenue", DS_TRACKING},
    {"influencers.csv", "influencer_id,name,category,gender,followers,platform", DS_INFLUENCERS},
    {"influencers.csv", "id,name,category,gender,followers,platform", DS_INFLUENCERS},
    {"posts.csv",
     "post_id,influencer_id,platform,date,url,caption,reach,likes,comments,engagement_rate",
     DS_POSTS},
    {"tracking.csv", "source,campaign,influencer_id,user_id,product,date,orders,revenue",
     DS_TRACKING},
    {"posts.csv", "post_id,influencer_id,platform,post_date,post_url,caption,reach,likes,comments",
     DS_POSTS},
    {"tracking_data.csv",
     "tracking_id,source,campaign,influencer_id,user_id,product,transaction_date,orders,revenue",
     DS_TRACKING},
    {"influencers.csv", "ID,name,category,gender,follower_count,platform,tier", DS_INFLUENCERS},
    {"tracking_data_with_brand_FIXED.csv",
     "source,campaign,influencer_id,user_id,product,date,orders,revenue,brand,period", DS_TRACKING},
    {"sample_influencers.csv", "ID,name,category,gender,follower_count,platform", DS_INFLUENCERS},
    {"sample_payouts.csv", "influencer_id,basis,rate,orders,total_payout", DS_PAYOUTS},
    {"sample_posts.csv", "influencer_id,platform,date,URL,caption,reach,likes,comments", DS_POSTS},
    {"sample_tracking.csv", "source,campaign,influencer_id,user_id,product,date,orders,revenue",
     DS_TRACKING},
    /* JSON exports use camelCase keys. */
    {"influencers.json", "ID,name,category,gender,followerCount,platform", DS_INFLUENCERS},
};

static enum dataset detect(const char *file, const char *header, struct err *e)
{
    struct test_record h;
    record_split(&h, header, ',', 1);
    err_clear(e);
    return schema_detect(file, h.fields, h.rec.nfields, e);
}

static void test_detect_recognises_every_peer_header_with_and_without_its_file_name(void **state)
{
    (void)state;
    static const char *const neutral[] = {"upload.csv", "data/export (3).csv", NULL};
    for (size_t i = 0; i < sizeof peer_headers / sizeof peer_headers[0]; i++) {
        const struct header_case *hc = &peer_headers[i];
        struct err e;
        const char *files[] = {hc->file, neutral[0], neutral[1], neutral[2]};
        for (size_t f = 0; f < 4; f++) {
            enum dataset got = detect(files[f], hc->header, &e);
            if (got != hc->want)
                fail_msg("\"%s\" (%s) detected as %d, want %s: %s", hc->header,
                         files[f] ? files[f] : "no name", (int)got, schema_dataset(hc->want)->name,
                         e.msg);
        }
    }
}

static void test_detect_gives_none_with_a_message_when_it_cannot_tell(void **state)
{
    (void)state;
    struct err e;
    /* Only columns every dataset may have. */
    assert_int_equal(detect("data.csv", "influencer_id,platform,date,campaign", &e), DS_NONE);
    assert_int_equal(e.code, ERR_INPUT);
    assert_non_null(strstr(e.msg, "--dataset"));
    /* Nothing known at all. */
    assert_int_equal(detect(NULL, "foo,bar,baz", &e), DS_NONE);
    assert_int_equal(e.code, ERR_INPUT);
    assert_true(strlen(e.msg) > 0);
    /* One column for each of two datasets: a tie. */
    assert_int_equal(detect("upload.csv", "revenue,reach", &e), DS_NONE);
    assert_int_equal(e.code, ERR_INPUT);
    /* An empty header. */
    assert_int_equal(schema_detect("x.csv", NULL, 0, &e), DS_NONE);
}

static void test_detect_uses_the_file_name_to_break_ties_and_for_neutral_headers(void **state)
{
    (void)state;
    struct err e;
    assert_int_equal(detect("posts.csv", "revenue,reach", &e), DS_POSTS);
    assert_int_equal(detect("/tmp/up/tracking_data.csv", "revenue,reach", &e), DS_TRACKING);
    assert_int_equal(detect("Payout.csv", "influencer_id,platform,date", &e), DS_PAYOUTS);
    assert_int_equal(detect("my_influencers.csv", "influencer_id,platform", &e), DS_INFLUENCERS);
    assert_int_equal(detect("orders.csv", "influencer_id,date", &e), DS_TRACKING);
    /* A clear header wins over a misleading name. */
    assert_int_equal(detect("orders.csv", "influencer_id,platform,date,url,caption,reach", &e),
                     DS_POSTS);
}

static void test_dataset_by_name_accepts_canonical_names_and_short_forms(void **state)
{
    (void)state;
    assert_int_equal(schema_dataset_by_name("influencers"), DS_INFLUENCERS);
    assert_int_equal(schema_dataset_by_name("influencer"), DS_INFLUENCERS);
    assert_int_equal(schema_dataset_by_name("posts"), DS_POSTS);
    assert_int_equal(schema_dataset_by_name("post"), DS_POSTS);
    assert_int_equal(schema_dataset_by_name("tracking_data"), DS_TRACKING);
    assert_int_equal(schema_dataset_by_name("tracking"), DS_TRACKING);
    assert_int_equal(schema_dataset_by_name("Tracking-Data"), DS_TRACKING);
    assert_int_equal(schema_dataset_by_name("payouts"), DS_PAYOUTS);
    assert_int_equal(schema_dataset_by_name("payout"), DS_PAYOUTS);
    assert_int_equal(schema_dataset_by_name("campaigns"), DS_NONE);
    assert_int_equal(schema_dataset_by_name(""), DS_NONE);
    for (int ds = 0; ds < DS_COUNT; ds++)
        assert_int_equal(schema_dataset_by_name(schema_dataset((enum dataset)ds)->name), ds);
    assert_null(schema_dataset(DS_NONE));
    assert_null(schema_dataset(DS_COUNT));
}

/* ---- ids, gender, platform ---------------------------------------------------------- */

static void test_float_typed_ids_drop_a_zero_fraction_only(void **state)
{
    struct fixture *fx = *state;
    static const struct {
        const char *in, *want;
    } ids[] = {
        {"32.0", "32"}, {"42.000", "42"},   {"INF_001", "INF_001"}, {"32.5", "32.5"},
        {"32.", "32."}, {"32.01", "32.01"}, {" 7.0 ", "7"},         {"HK001", "HK001"},
        {"0.0", "0"},   {"1.0e3", "1.0e3"},
    };
    map_ok(fx, DS_TRACKING, "influencer_id|date|revenue");
    for (size_t i = 0; i < sizeof ids / sizeof ids[0]; i++) {
        char rec[64];
        snprintf(rec, sizeof rec, "%s|2025-03-09|1", ids[i].in);
        build_ok(fx, rec);
        assert_text(&fx->row, "influencer_id", ids[i].want);
    }
    /* The same rule for the dataset's own key. */
    row_of(fx, DS_INFLUENCERS, "ID|name", "32.0|A");
    assert_text(&fx->row, "influencer_id", "32");
}

static void test_gender_is_normalised_to_five_values(void **state)
{
    struct fixture *fx = *state;
    static const struct {
        const char *in, *want;
    } cases[] = {
        {"M", "Male"},
        {"m", "Male"},
        {"male", "Male"},
        {"MALE", "Male"},
        {" Male ", "Male"},
        {"F", "Female"},
        {"f", "Female"},
        {"female", "Female"},
        {"FEMALE", "Female"},
        {"Non-Binary", "Non-binary"},
        {"non-binary", "Non-binary"},
        {"nonbinary", "Non-binary"},
        {"Non binary", "Non-binary"},
        {"Other", "Other"},
        {"X", "Other"},
        {"prefer not to say", "Other"},
        {"malee", "Other"},
        {"", "Unknown"},
        {"Unknown", "Unknown"},
        {"unknown", "Unknown"},
        {"N/A", "Unknown"},
        {"none", "Unknown"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
        expect_norm(schema_norm_gender, cases[i].in, cases[i].want);
    /* In a row (SPEC §1): normalised when given, Unknown when empty, so that it is shown and
     * filterable; an export's "Unknown" reads back as Unknown. */
    map_ok(fx, DS_INFLUENCERS, "influencer_id|gender");
    build_ok(fx, "1|m");
    assert_text(&fx->row, "gender", "Male");
    build_ok(fx, "2|");
    assert_text(&fx->row, "gender", "Unknown");
    build_ok(fx, "3|   ");
    assert_text(&fx->row, "gender", "Unknown");
    build_ok(fx, "4|Unknown");
    assert_text(&fx->row, "gender", "Unknown");
    /* A file without a gender column: every influencer's gender is unknown. */
    map_ok(fx, DS_INFLUENCERS, "influencer_id|name");
    build_ok(fx, "5|Asha");
    assert_text(&fx->row, "gender", "Unknown");
}

static void test_platform_is_normalised_and_unknown_kept_as_given(void **state)
{
    struct fixture *fx = *state;
    static const struct {
        const char *in, *want;
    } cases[] = {
        {"instagram", "Instagram"},
        {"Instagram", "Instagram"},
        {"IG", "Instagram"},
        {"ig", "Instagram"},
        {"youtube", "YouTube"},
        {"YouTube", "YouTube"},
        {"yt", "YouTube"},
        {"YT", "YouTube"},
        {"x", "Twitter"},
        {"X", "Twitter"},
        {"twitter", "Twitter"},
        {"X (Twitter)", "Twitter"},
        {"fb", "Facebook"},
        {"Facebook", "Facebook"},
        {"tiktok", "TikTok"},
        {"Tik Tok", "TikTok"},
        {"linkedin", "LinkedIn"},
        {"threads", "Threads"},
        {" instagram ", "Instagram"},
        {"Moj", "Moj"},
        {"ShareChat", "ShareChat"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
        expect_norm(schema_norm_platform, cases[i].in, cases[i].want);
    row_of(fx, DS_POSTS, "influencer_id|platform|reach", "1|yt");
    assert_text(&fx->row, "platform", "YouTube");
}

/* SPEC §1 names the platforms; a row naming another ("Myspace") is refused like any bad
 * value, with the known ones in the reason. The list is configurable. */
static void test_a_platform_outside_the_configured_list_is_a_row_error(void **state)
{
    struct fixture *fx = *state;
    map_ok(fx, DS_POSTS, "influencer_id|platform|reach");
    build_rejected(fx, "1|Myspace|100");
    assert_string_equal(fx->rej.column, "platform");
    assert_string_equal(fx->rej.value, "Myspace");
    assert_string_equal(fx->rej.reason,
                        "not a known platform (known: Instagram, YouTube, Twitter, Facebook, "
                        "TikTok, LinkedIn, Threads)");
    build_rejected(fx, "2|Moj|100");
    static const struct {
        const char *in, *want;
    } known[] = {{"instagram", "Instagram"}, {"X", "Twitter"},       {"yt", "YouTube"},
                 {"Tik Tok", "TikTok"},      {"threads", "Threads"}, {"LINKEDIN", "LinkedIn"}};
    for (size_t i = 0; i < sizeof known / sizeof known[0]; i++) {
        char values[64];
        snprintf(values, sizeof values, "3|%s|100", known[i].in);
        build_ok(fx, values);
        assert_text(&fx->row, "platform", known[i].want);
    }
    build_ok(fx, "4||100"); /* no platform: the influencer's, as before */
    assert_false(fx->row.v[col_of(&fx->row, "platform")].present);

    /* another list: its own spellings, and only those */
    fx->cfg.platforms = "Instagram, Moj,ShareChat";
    map_ok(fx, DS_INFLUENCERS, "influencer_id|name|platform");
    build_ok(fx, "5|Asha|moj");
    assert_text(&fx->row, "platform", "Moj");
    build_ok(fx, "6|Ravi|share chat");
    assert_text(&fx->row, "platform", "ShareChat");
    build_rejected(fx, "7|Mira|YouTube");
    assert_string_equal(fx->rej.reason, "not a known platform (known: Instagram, Moj, ShareChat)");
}

/* ---- dates -------------------------------------------------------------------------- */

static void test_iso_dates_are_accepted_with_and_without_time(void **state)
{
    (void)state;
    expect_date("2025-03-09", "2025-03-09");
    expect_date(" 2025-03-09 ", "2025-03-09");
    expect_date("2025-03-09 12:01:24", "2025-03-09 12:01:24");
    expect_date("2025-02-23 00:15:58.051049", "2025-02-23 00:15:58.051049");
    expect_date("2025-03-09T12:01:24", "2025-03-09 12:01:24");
    expect_date("2025-03-09 12:01", "2025-03-09 12:01:00");
    expect_date("2025-3-9", "2025-03-09");
    /* JavaScript's midnight adds nothing and is dropped. */
    expect_date("2025-07-01T00:00:00.000Z", "2025-07-01");
    expect_date("2025-07-01 00:00:00", "2025-07-01");
    /* A real time with a zone keeps the zone. */
    expect_date("2025-07-01T10:30:00+05:30", "2025-07-01 10:30:00+05:30");
}

static void test_day_first_dates_become_iso(void **state)
{
    (void)state;
    expect_date("01-07-2025", "2025-07-01");
    expect_date("03/07/2025", "2025-07-03");
    expect_date("31-12-2024", "2024-12-31");
    expect_date("1/7/2025", "2025-07-01");
    expect_date("29-02-2024", "2024-02-29");
    expect_date("03/07/2025 18:05:00", "2025-07-03 18:05:00");
}

static void test_impossible_dates_are_rejected_with_a_clear_reason(void **state)
{
    (void)state;
    expect_bad_date("2025-02-30", "impossible date");
    expect_bad_date("2025-02-29", "impossible date");
    expect_date("2024-02-29", "2024-02-29");
    expect_bad_date("1900-02-29", "impossible date");
    expect_date("2000-02-29", "2000-02-29");
    expect_bad_date("2025-13-01", "impossible date");
    expect_bad_date("2025-00-10", "impossible date");
    expect_bad_date("2025-04-31", "impossible date");
    expect_bad_date("31-04-2025", "day first");
    expect_bad_date("13/13/2025", "impossible date");
    expect_bad_date("00/01/2025", "impossible date");
    expect_bad_date("2025-03-09 24:00:00", "impossible time");
    expect_bad_date("2025-03-09 12:60", "impossible time");
}

static void test_garbage_is_not_a_date(void **state)
{
    (void)state;
    static const char *const garbage[] = {
        "yesterday",
        "",
        "2025",
        "2025-03",
        "20250309",
        "09-03-25",
        "2025/03-09",
        "2025-03-09x",
        "2025-03-09 noon",
        "2025-03-09T",
        "12:00",
        "--",
        "2025-03-09 12:01:24.",
        "12345-01-01",
    };
    for (size_t i = 0; i < sizeof garbage / sizeof garbage[0]; i++)
        expect_bad_date(garbage[i], "not a date");
}

static void test_iso_days_round_trip_over_two_centuries_with_leap_years(void **state)
{
    (void)state;
    int32_t first = 0, last = 0, d = 0;
    assert_int_equal(schema_iso_to_days("1970-01-01", &d), 0);
    assert_int_equal(d, 0);
    assert_int_equal(schema_iso_to_days("1969-12-31", &d), 0);
    assert_int_equal(d, -1);
    assert_int_equal(schema_iso_to_days("2000-02-29", &d), 0);
    assert_int_equal(d, 11016);
    assert_int_equal(schema_iso_to_days("2024-02-29", &d), 0);
    assert_int_equal(d, 19782);
    assert_int_equal(schema_iso_to_days("2025-03-09 12:01:24", &d), 0);
    assert_int_equal(d, 20156);

    assert_int_equal(schema_iso_to_days("1900-01-01", &first), 0);
    assert_int_equal(schema_iso_to_days("2100-12-31", &last), 0);
    char prev[11] = "";
    for (int32_t day = first; day <= last; day++) {
        char iso[11];
        int32_t back = 0;
        schema_days_to_iso(day, iso);
        if (schema_iso_to_days(iso, &back) != 0 || back != day)
            fail_msg("day %" PRId32 " -> %s -> %" PRId32, day, iso, back);
        if (prev[0] && strcmp(prev, iso) >= 0)
            fail_msg("%s does not follow %s", iso, prev);
        memcpy(prev, iso, sizeof prev);
    }
    assert_string_equal(prev, "2100-12-31");
    /* every day of years 1 to 2999 as "%04u-%02u-%02u" writes it (years below 1000 padded) */
    assert_int_equal(schema_iso_to_days("0001-01-01", &first), 0);
    assert_int_equal(schema_iso_to_days("2999-12-31", &last), 0);
    for (int32_t day = first, y = 1, m = 1, md = 1; day <= last; day++) {
        char iso[11], want[40];
        schema_days_to_iso(day, iso);
        snprintf(want, sizeof want, "%04d-%02d-%02d", y, m, md);
        if (strcmp(iso, want) != 0)
            fail_msg("day %" PRId32 " -> %s, want %s", day, iso, want);
        int leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
        int month_days = m == 2 ? 28 + leap : m == 4 || m == 6 || m == 9 || m == 11 ? 30 : 31;
        if (++md > month_days) {
            md = 1;
            if (++m > 12) {
                m = 1;
                y++;
            }
        }
    }
    /* 29 February exists exactly in leap years. */
    for (int y = 1900; y <= 2100; y++) {
        char iso[16];
        snprintf(iso, sizeof iso, "%04d-02-29", y);
        int leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
        assert_int_equal(schema_iso_to_days(iso, &d) == 0, leap);
    }
    assert_int_equal(schema_iso_to_days("2025-02-30", &d), -1);
    assert_int_equal(schema_iso_to_days("garbage", &d), -1);
    assert_int_equal(schema_iso_to_days("", &d), -1);
}

/* ---- numbers ------------------------------------------------------------------------ */

static void test_money_accepts_separators_and_currency_signs(void **state)
{
    (void)state;
    expect_number(PARSER(schema_parse_money), "1,234.50", 123450);
    expect_number(PARSER(schema_parse_money),
                  "\xE2\x82\xB9"
                  "1,234",
                  123400); /* ₹1,234 */
    expect_number(PARSER(schema_parse_money), "\xE2\x82\xB9 1,234", 123400);
    expect_number(PARSER(schema_parse_money), "$12", 1200);
    expect_number(PARSER(schema_parse_money), "Rs. 500", 50000);
    expect_number(PARSER(schema_parse_money), "Rs500", 50000);
    expect_number(PARSER(schema_parse_money), "INR 1,00,000", 10000000);
    expect_number(PARSER(schema_parse_money), "1,00,00,000", 1000000000);
    expect_number(PARSER(schema_parse_money), "1,234,567", 123456700);
    expect_number(PARSER(schema_parse_money),
                  "\xC2\xA3"
                  "5",
                  500); /* £5 */
    expect_number(PARSER(schema_parse_money),
                  "\xE2\x82\xAC"
                  "7.25",
                  725); /* €7.25 */
    expect_number(PARSER(schema_parse_money), "USD 3", 300);
    expect_number(PARSER(schema_parse_money), "1e3", 100000);
    expect_number(PARSER(schema_parse_money), "1.5E2", 15000);
    expect_number(PARSER(schema_parse_money), "-5", -500);
    expect_number(PARSER(schema_parse_money),
                  "-\xE2\x82\xB9"
                  "5",
                  -500);
    expect_number(PARSER(schema_parse_money), "+5", 500);
    expect_number(PARSER(schema_parse_money), ".5", 50);
    expect_number(PARSER(schema_parse_money), " 42 ", 4200);
    expect_number(PARSER(schema_parse_money), "0", 0);
}

static void test_malformed_numbers_are_not_numbers(void **state)
{
    (void)state;
    static const char *const bad[] = {
        "12,3x", "12,3",  "1,2345", ",123", "1,,234", "12,345,67", "abc",       "",     "-",
        "$",     "1 234", "1.2.3",  "1e",   "5%",     "12abc",     "1,234.5,6", "0x10",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        expect_not_number(PARSER(schema_parse_money), bad[i], "not a number");
        expect_not_number(PARSER(schema_parse_count), bad[i], "not a number");
    }
}

static void test_currency_sign_before_another_symbol_does_not_hang(void **state)
{
    (void)state;
    /* A currency sign followed by a non-breaking-space lead byte that is not one once made
     * the parser loop forever: "$£5", "$©". */
    expect_not_number(PARSER(schema_parse_money),
                      "$\xC2\xA3"
                      "5",
                      "not a number");
    expect_not_number(PARSER(schema_parse_money), "$\xC2\xA9", "not a number");
    expect_not_number(PARSER(schema_parse_rate),
                      "\xE2\x82\xB9\xC2\xA3"
                      "5",
                      "not a number");
    expect_not_number(PARSER(schema_parse_money), "$\xC2", "not a number");
    /* A real non-breaking space after the sign is skipped. */
    expect_number(PARSER(schema_parse_money),
                  "\xE2\x82\xB9\xC2\xA0"
                  "100",
                  10000);
}

static void test_money_rounds_half_away_from_zero_at_the_cent(void **state)
{
    (void)state;
    expect_number(PARSER(schema_parse_money), "0.005", 1);
    expect_number(PARSER(schema_parse_money), "-0.005", -1);
    expect_number(PARSER(schema_parse_money), "0.0049", 0);
    expect_number(PARSER(schema_parse_money), "-0.0049", 0);
    expect_number(PARSER(schema_parse_money), "0.015", 2);
    expect_number(PARSER(schema_parse_money), "2.675", 268);
    expect_number(PARSER(schema_parse_money), "47.902364834081666", 4790);
    expect_number(PARSER(schema_parse_money), "1506.155", 150616);
    expect_number(PARSER(schema_parse_money), "1.99999999999999999999999", 200);
    expect_number(PARSER(schema_parse_money), "1e-3", 0);
    expect_number(PARSER(schema_parse_money), "5e-3", 1);
}

/* Plain counts and amounts ("2", "9298.14") are read by a short path: the same values and
 * the same refusals as the general reader, which a leading space sends them to. */
static void test_plain_numbers_read_as_the_general_reader_does(void **state)
{
    (void)state;
    static const char *const cases[] = {
        "0",
        "7",
        "007",
        "10",
        "999999999999",
        "1000000000000",
        "0.5",
        "408.5",
        "9298.14",
        "12.",
        ".5",
        "1.234",
        "1.00",
        "05.05",
        "123456789012.99",
        "1234567890123.5",
        "99.9x",
        "1e3",
        "",
        "12a",
        "1,234",
        "4.05",
        "0.01",
        "100000000000000",
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char spaced[64];
        snprintf(spaced, sizeof spaced, " %s", cases[i]);
        int64_t a = -1, b = -1;
        const char *ra = NULL, *rb = NULL;
        int ca = schema_parse_money(cases[i], strlen(cases[i]), &a, &ra);
        int cb = schema_parse_money(spaced, strlen(spaced), &b, &rb);
        assert_int_equal(ca, cb);
        if (ca == 0)
            assert_int_equal(a, b);
        else
            assert_string_equal(ra, rb);
        ca = schema_parse_count(cases[i], strlen(cases[i]), &a, &ra);
        cb = schema_parse_count(spaced, strlen(spaced), &b, &rb);
        assert_int_equal(ca, cb);
        if (ca == 0)
            assert_int_equal(a, b);
        else
            assert_string_equal(ra, rb);
    }
    int64_t v = 0;
    const char *reason = NULL;
    assert_int_equal(schema_parse_money("9298.14", 7, &v, &reason), 0);
    assert_int_equal(v, 929814);
    assert_int_equal(schema_parse_money("408.5", 5, &v, &reason), 0);
    assert_int_equal(v, 40850);
    assert_int_equal(schema_parse_count("12", 2, &v, &reason), 0);
    assert_int_equal(v, 12);
}

static void test_counts_must_be_whole_and_not_negative(void **state)
{
    (void)state;
    expect_number(PARSER(schema_parse_count), "17", 17);
    expect_number(PARSER(schema_parse_count), "17.0", 17);
    expect_number(PARSER(schema_parse_count), "17.000000", 17);
    expect_number(PARSER(schema_parse_count), "1,234", 1234);
    expect_number(PARSER(schema_parse_count), "12,34,567", 1234567);
    expect_number(PARSER(schema_parse_count), "1e3", 1000);
    expect_number(PARSER(schema_parse_count), "0", 0);
    expect_number(PARSER(schema_parse_count), "-0", 0);
    expect_not_number(PARSER(schema_parse_count), "-5", "negative count");
    expect_not_number(PARSER(schema_parse_count), "-0.5", "negative count");
    expect_not_number(PARSER(schema_parse_count), "17.5", "not a whole number");
    expect_not_number(PARSER(schema_parse_count), "0.1", "not a whole number");
    expect_not_number(PARSER(schema_parse_count), "1e-1", "not a whole number");
    /* In a row the reason reaches the reject. */
    struct fixture *fx = *state;
    map_ok(fx, DS_POSTS, "influencer_id|likes|reach");
    build_rejected(fx, "1|-3|10");
    assert_string_equal(fx->rej.column, "likes");
    assert_string_equal(fx->rej.value, "-3");
    assert_string_equal(fx->rej.reason, "negative count");
    build_ok(fx, "1|3.0|1,000");
    assert_int_value(&fx->row, "likes", 3);
    assert_int_value(&fx->row, "reach", 1000);
}

#define RANGE_COUNT "out of range: a count may be at most 2147483647 (2^31 - 1)"
#define RANGE_MONEY                                                                                \
    "out of range: an amount may be at most 100000000.00 (10 crore), positive or negative; "       \
    "split a larger amount over several rows"
#define RANGE_RATE                                                                                 \
    "out of range: a rate may be at most 100000000 (10 crore per order or post), positive or "     \
    "negative"

static void test_very_long_numbers_are_out_of_range(void **state)
{
    (void)state;
    expect_not_number(PARSER(schema_parse_money), "123456789012345678901234567890", RANGE_MONEY);
    expect_not_number(PARSER(schema_parse_money), "99999999999999999.99", RANGE_MONEY);
    expect_not_number(PARSER(schema_parse_money), "1e30", RANGE_MONEY);
    expect_not_number(PARSER(schema_parse_count), "123456789012345678901234567890", RANGE_COUNT);
    expect_not_number(PARSER(schema_parse_rate), "1e20", RANGE_RATE);
    /* Long fractions are fine: digits past what can matter are dropped. */
    expect_number(PARSER(schema_parse_money), "0.1234567890123456789012345678901234567890", 12);
}

/* Issue 14 (1, 3): every count fits int32 and every amount is at most ₹10 crore either way,
 * so that no sum the engine makes can overflow (schema.h) — the values that once made every
 * engine load fail, or the revenue total wrap to −9.22e16, are refused at import. */
static void test_counts_and_amounts_are_refused_outside_the_engine_range(void **state)
{
    (void)state;
    expect_number(PARSER(schema_parse_count), "2147483647", INT32_MAX);
    expect_not_number(PARSER(schema_parse_count), "2147483648", RANGE_COUNT);
    expect_not_number(PARSER(schema_parse_count), "9223372036854775807", RANGE_COUNT);
    expect_not_number(PARSER(schema_parse_count), "1e10", RANGE_COUNT);
    expect_number(PARSER(schema_parse_money), "100000000", SCHEMA_MONEY_MAX);
    expect_number(PARSER(schema_parse_money), "1,00,00,000.00", 1000000000);
    expect_number(PARSER(schema_parse_money), "-100000000.00", -SCHEMA_MONEY_MAX);
    expect_not_number(PARSER(schema_parse_money), "100000000.01", RANGE_MONEY);
    expect_not_number(PARSER(schema_parse_money), "-100000000.01", RANGE_MONEY);
    expect_not_number(PARSER(schema_parse_money), "92233720368547758.07", RANGE_MONEY);
    expect_not_number(PARSER(schema_parse_money), "-92233720368547758.08", RANGE_MONEY);
    expect_number(PARSER(schema_parse_rate), "100000000", SCHEMA_RATE_MAX);
    expect_not_number(PARSER(schema_parse_rate), "100000000.000001", RANGE_RATE);
    const char *reason = NULL;
    assert_int_equal(schema_check_range(COL_COUNT, (int64_t)INT32_MAX + 1, &reason), -1);
    assert_string_equal(reason, RANGE_COUNT);
    assert_int_equal(schema_check_range(COL_COUNT, -1, &reason), -1);
    assert_int_equal(schema_check_range(COL_MONEY, INT64_MIN, &reason), -1);
    assert_int_equal(schema_check_range(COL_RATE, INT64_MAX, &reason), -1);
    assert_int_equal(schema_check_range(COL_FLAG, 2, &reason), -1);
    assert_int_equal(schema_check_range(COL_TEXT, INT64_MAX, &reason), 0);
    assert_int_equal(schema_check_range(COL_MONEY, -SCHEMA_MONEY_MAX, &reason), 0);
}

/* The same at the row: the column and the value as written. */
static void test_out_of_range_values_are_rejected_naming_the_column(void **state)
{
    struct fixture *fx = *state;
    map_ok(fx, DS_TRACKING, "tracking_id|influencer_id|date|orders|revenue");
    build_rejected(fx, "T1|I1|2025-01-01|2147483648|100");
    assert_string_equal(fx->rej.column, "orders");
    assert_string_equal(fx->rej.value, "2147483648");
    assert_string_equal(fx->rej.reason, RANGE_COUNT);
    build_rejected(fx, "T2|I1|2025-01-01|1|92233720368547758.07");
    assert_string_equal(fx->rej.column, "revenue");
    assert_string_equal(fx->rej.value, "92233720368547758.07");
    assert_string_equal(fx->rej.reason, RANGE_MONEY);
    build_ok(fx, "T3|I1|2025-01-01|2147483647|100000000.00");
    assert_int_value(&fx->row, "orders", INT32_MAX);
    assert_int_value(&fx->row, "revenue", SCHEMA_MONEY_MAX);
    /* a payout total computed from the terms is held to the same range, named at the rate */
    map_ok(fx, DS_PAYOUTS, "payout_id|influencer_id|basis|rate|orders");
    build_rejected(fx, "Y1|I1|order|1000|2000000");
    assert_string_equal(fx->rej.column, "rate");
    assert_string_equal(fx->rej.value, "1000");
    assert_non_null(strstr(fx->rej.reason, "total_payout"));
    assert_non_null(strstr(fx->rej.reason, "out of range"));
    build_ok(fx, "Y2|I1|order|1000|100000");
    assert_int_value(&fx->row, "total_payout", SCHEMA_MONEY_MAX);
}

/* SPEC §10: payment details are checked on import (payid), named by their column, and
 * stored in capitals (PAN, GSTIN, IFSC); the aliases account_number and upi_id map. */
static void test_payment_details_are_checked_and_stored_in_capitals(void **state)
{
    struct fixture *fx = *state;
    map_ok(fx, DS_INFLUENCERS, "influencer_id|name|pan|gstin|account_number|ifsc|upi_id");
    build_ok(fx, "I1|Asha|abcpe1234f|27aapfu0939f1zv|001234567890|hdfc0001234|asha.k@okaxis");
    assert_text(&fx->row, "pan", "ABCPE1234F");
    assert_text(&fx->row, "gstin", "27AAPFU0939F1ZV");
    assert_text(&fx->row, "bank_account", "001234567890");
    assert_text(&fx->row, "ifsc", "HDFC0001234");
    assert_text(&fx->row, "upi", "asha.k@okaxis");
    build_ok(fx, "I2|Ravi||||||");
    assert_false(has(&fx->row, "pan"));
    assert_false(has(&fx->row, "upi"));

    build_rejected(fx, "I3|X|ABCXE1234F||||");
    assert_string_equal(fx->rej.column, "pan");
    assert_string_equal(fx->rej.value, "ABCXE1234F");
    assert_non_null(strstr(fx->rej.reason, "holder type"));
    build_rejected(fx, "I4|X||27AAPFU0939F1ZA|||");
    assert_string_equal(fx->rej.column, "gstin");
    assert_non_null(strstr(fx->rej.reason, "V")); /* names the check character expected */
    build_rejected(fx, "I5|X|||12 34|||");
    assert_string_equal(fx->rej.column, "account_number");
    build_rejected(fx, "I6|X||||HDFC1001234|");
    assert_string_equal(fx->rej.column, "ifsc");
    build_rejected(fx, "I7|X|||||asha");
    assert_string_equal(fx->rej.column, "upi_id");
    assert_int_equal(fx->rej.line, 8);
}

/* A payout's kind is fee or product in any case; absent stays absent (meaning fee);
 * anything else is refused naming the column. */
static void test_payout_kind_is_fee_or_product(void **state)
{
    struct fixture *fx = *state;
    map_ok(fx, DS_PAYOUTS, "payout_id|influencer_id|total_payout|kind");
    build_ok(fx, "Y1|I1|100|Product");
    assert_text(&fx->row, "kind", "product");
    build_ok(fx, "Y2|I1|100|FEE");
    assert_text(&fx->row, "kind", "fee");
    build_ok(fx, "Y3|I1|100|");
    assert_false(has(&fx->row, "kind"));
    build_rejected(fx, "Y4|I1|100|gift");
    assert_string_equal(fx->rej.column, "kind");
    assert_string_equal(fx->rej.value, "gift");
    assert_non_null(strstr(fx->rej.reason, "payout kind"));
}

static void test_rates_are_stored_in_millionths(void **state)
{
    (void)state;
    expect_number(PARSER(schema_parse_rate), "0.05", 50000);
    expect_number(PARSER(schema_parse_rate), "246.94", 246940000);
    expect_number(PARSER(schema_parse_rate), "6.8%", 68000);
    expect_number(PARSER(schema_parse_rate), "6.8 %", 68000);
    expect_number(PARSER(schema_parse_rate),
                  "\xE2\x82\xB9"
                  "4,500",
                  4500000000);
    expect_number(PARSER(schema_parse_rate), "0.0000005", 1);
    expect_number(PARSER(schema_parse_rate), "1", 1000000);
}

static void test_rate_text_keeps_the_number_and_the_original_in_extra(void **state)
{
    struct fixture *fx = *state;
    map_ok(fx, DS_PAYOUTS, "influencer_id|basis|rate|orders");
    build_ok(fx, "HK001|post|\xE2\x82\xB9"
                 "437,947/post|");
    assert_int_value(&fx->row, "rate", 437947000000);
    assert_string_equal(extra_of(&fx->row), "{\"rate_text\":\"\xE2\x82\xB9"
                                            "437,947/post\"}");

    build_ok(fx, "HK002|hybrid|\xE2\x82\xB9"
                 "58,800/post + 6.8%|");
    assert_int_value(&fx->row, "rate", 58800000000);
    assert_text(&fx->row, "basis", "hybrid");
    assert_string_equal(extra_of(&fx->row), "{\"rate_text\":\"\xE2\x82\xB9"
                                            "58,800/post + 6.8%\"}");

    build_ok(fx, "HK003|post|500 per post|");
    assert_int_value(&fx->row, "rate", 500000000);
    assert_non_null(strstr(extra_of(&fx->row), "\"rate_text\":\"500 per post\""));

    /* A plain number keeps no text. */
    build_ok(fx, "HK004|order|0.05|3");
    assert_int_value(&fx->row, "rate", 50000);
    assert_null(fx->row.extra);

    build_rejected(fx, "HK005|post|12,3x|");
    assert_string_equal(fx->rej.column, "rate");
    assert_string_equal(fx->rej.value, "12,3x");
    assert_string_equal(fx->rej.reason, "not a number");
    build_rejected(fx, "HK006|post|500abc|");
    assert_string_equal(fx->rej.reason, "not a number");
}

/* ---- basis and status ----------------------------------------------------------------- */

static void expect_basis(struct fixture *fx, const char *basis, const char *rate, const char *want)
{
    char rec[128];
    snprintf(rec, sizeof rec, "1|%s|%s", basis, rate);
    build_ok(fx, rec);
    const char *got = text_of(&fx->row, "basis");
    if (!got || strcmp(got, want) != 0)
        fail_msg("basis \"%s\" at rate \"%s\" became \"%s\", want \"%s\"", basis, rate,
                 got ? got : "(absent)", want);
}

static void test_basis_is_normalised_and_unknown_kept_lower_cased(void **state)
{
    struct fixture *fx = *state;
    map_ok(fx, DS_PAYOUTS, "influencer_id|basis|rate");
    expect_basis(fx, "per_order", "50", "order");
    expect_basis(fx, "sale", "50", "order");
    expect_basis(fx, "Order", "50", "order");
    expect_basis(fx, "ORDER", "", "order");
    expect_basis(fx, "per_post", "500", "post");
    expect_basis(fx, "Post", "500", "post");
    expect_basis(fx, "hybrid", "500", "hybrid");
    expect_basis(fx, "Flat", "5000", "flat");
    expect_basis(fx, "revenue_share", "0.1", "revenue_share");
    expect_basis(fx, "Engagement", "2", "engagement");
    expect_basis(fx, "Per Click", "2", "per click");
}

static void test_order_basis_with_a_fractional_rate_is_revenue_share(void **state)
{
    struct fixture *fx = *state;
    map_ok(fx, DS_PAYOUTS, "influencer_id|basis|rate");
    expect_basis(fx, "order", "0.05", "revenue_share");
    expect_basis(fx, "per_order", "0.15", "revenue_share");
    expect_basis(fx, "Order", "8%", "revenue_share");
    expect_basis(fx, "order", "1", "order");
    expect_basis(fx, "order", "0", "order");
    expect_basis(fx, "order", "1.5", "order");
    expect_basis(fx, "post", "0.5", "post");
}

static void test_status_is_normalised(void **state)
{
    struct fixture *fx = *state;
    static const struct {
        const char *in, *want;
    } cases[] = {
        {"paid", "Paid"},
        {"PAID", "Paid"},
        {" Paid ", "Paid"},
        {"pending", "Pending"},
        {"PENDING", "Pending"},
        {"processing", "Processing"},
        {"Processing", "Processing"},
    };
    map_ok(fx, DS_PAYOUTS, "influencer_id|status");
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char rec[64];
        snprintf(rec, sizeof rec, "1|%s", cases[i].in);
        build_ok(fx, rec);
        assert_text(&fx->row, "status", cases[i].want);
    }
}

/* ---- derived fields --------------------------------------------------------------------- */

static void test_tier_is_derived_from_followers_at_each_threshold(void **state)
{
    struct fixture *fx = *state;
    static const struct {
        const char *followers, *tier;
    } cases[] = {
        {"0", "Nano"},       {"9999", "Nano"},       {"10000", "Micro"},  {"99999", "Micro"},
        {"100000", "Mid"},   {"499999", "Mid"},      {"500000", "Macro"}, {"999999", "Macro"},
        {"1000000", "Mega"}, {"25,000,000", "Mega"},
    };
    map_ok(fx, DS_INFLUENCERS, "influencer_id|follower_count");
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char rec[64];
        snprintf(rec, sizeof rec, "1|%s", cases[i].followers);
        build_ok(fx, rec);
        const char *got = text_of(&fx->row, "tier");
        if (!got || strcmp(got, cases[i].tier) != 0)
            fail_msg("%s followers gave tier %s, want %s", cases[i].followers,
                     got ? got : "(absent)", cases[i].tier);
    }
    /* No followers: no tier. */
    build_ok(fx, "1|");
    assert_false(has(&fx->row, "tier"));
}

static void test_tier_thresholds_are_configurable_and_a_given_tier_is_kept(void **state)
{
    struct fixture *fx = *state;
    struct schema_config cfg = {{100, 200, 300, 400}, NULL};
    assert_string_equal(schema_tier(&cfg, 99), "Nano");
    assert_string_equal(schema_tier(&cfg, 100), "Micro");
    assert_string_equal(schema_tier(&cfg, 399), "Macro");
    assert_string_equal(schema_tier(&cfg, 400), "Mega");
    fx->cfg = cfg;
    row_of(fx, DS_INFLUENCERS, "influencer_id|follower_count", "1|250");
    assert_text(&fx->row, "tier", "Mid");

    schema_config_default(&fx->cfg);
    row_of(fx, DS_INFLUENCERS, "influencer_id|follower_count|tier", "1|5|Celebrity");
    assert_text(&fx->row, "tier", "Celebrity");
}

static void test_persona_is_category_and_gender_unless_given(void **state)
{
    struct fixture *fx = *state;
    map_ok(fx, DS_INFLUENCERS, "influencer_id|category|gender|persona");
    build_ok(fx, "1|Fitness|F|");
    assert_text(&fx->row, "persona", "Fitness \xC2\xB7 Female");
    build_ok(fx, "2|Fitness|F|Gym Rat");
    assert_text(&fx->row, "persona", "Gym Rat");
    /* an empty gender is Unknown (SPEC §1), in the persona too */
    build_ok(fx, "3|Nutrition||");
    assert_text(&fx->row, "persona", "Nutrition \xC2\xB7 Unknown");
    build_ok(fx, "4|||");
    assert_text(&fx->row, "persona", "Unknown");
    build_ok(fx, "5||Male|");
    assert_text(&fx->row, "persona", "Male");
}

static void test_derive_fills_generated_rows_like_import(void **state)
{
    struct fixture *fx = *state;
    struct schema_row row;
    schema_row_init(&row, DS_INFLUENCERS);
    schema_row_set_text(&row, col_of(&row, "influencer_id"), "G1", 2);
    schema_row_set_text(&row, col_of(&row, "category"), "Fitness", 7);
    schema_row_set_text(&row, col_of(&row, "gender"), "Male", 4);
    schema_row_set_int(&row, col_of(&row, "follower_count"), 120000);
    schema_row_derive(&row, &fx->cfg);
    assert_string_equal(text_of(&row, "tier"), "Mid");
    assert_string_equal(text_of(&row, "persona"), "Fitness \xC2\xB7 Male");
    assert_string_equal(text_of(&row, "influencer_id"), "G1");
    schema_row_release(&row);

    schema_row_init(&row, DS_TRACKING);
    schema_row_set_text(&row, col_of(&row, "product"), "MB Protein", 10);
    schema_row_derive(&row, &fx->cfg);
    assert_string_equal(text_of(&row, "brand"), "MuscleBlaze");
    assert_int_equal(int_of(&row, "orders"), 1);
    assert_int_equal(int_of(&row, "organic"), 1);
    schema_row_release(&row);
}

/* Builds a tracking row from source, campaign and product and returns its brand. */
static const char *brand_of(struct fixture *fx, const char *source, const char *campaign,
                            const char *product)
{
    char rec[256];
    snprintf(rec, sizeof rec, "5|%s|%s|%s|2025-03-09|100", source, campaign, product);
    build_ok(fx, rec);
    return text_of(&fx->row, "brand");
}

static void test_tracking_brand_comes_from_source_then_product_then_campaign(void **state)
{
    struct fixture *fx = *state;
    map_ok(fx, DS_TRACKING, "influencer_id|source|campaign|product|date|revenue");
    assert_string_equal(brand_of(fx, "MuscleBlaze", "Summer", "Whey"), "MuscleBlaze");
    assert_string_equal(brand_of(fx, "HKVitals", "Summer", "Whey Protein (MB)"), "HKVitals");
    assert_string_equal(brand_of(fx, "instagram", "Summer", "Whey Protein (MB)"), "MuscleBlaze");
    assert_string_equal(brand_of(fx, "instagram", "", "MB Protein"), "MuscleBlaze");
    assert_string_equal(brand_of(fx, "SwipeUp", "", "HKVitals_ACV"), "HKVitals");
    assert_string_equal(brand_of(fx, "", "", "HK Vitals Omega"), "HKVitals");
    assert_string_equal(brand_of(fx, "", "", "Gritzo SuperMilk"), "Gritzo");
    assert_string_equal(brand_of(fx, "BioLink", "HKV_GlowUp", "Fish Oil"), "HKVitals");
    assert_string_equal(brand_of(fx, "BioLink", "GritzoKidsRun", "Milk"), "Gritzo");
    assert_string_equal(brand_of(fx, "PromoCode", "Festive Sale", "Kombucha"), "Unknown");
    assert_string_equal(brand_of(fx, "", "", ""), "Unknown");
    /* Product beats campaign. */
    assert_string_equal(brand_of(fx, "", "HKV_GlowUp", "MB Protein"), "MuscleBlaze");
}

static void test_a_given_brand_is_normalised_or_kept(void **state)
{
    struct fixture *fx = *state;
    static const struct {
        const char *in, *want;
    } cases[] = {
        {"Muscleblaze", "MuscleBlaze"},
        {"MUSCLEBLAZE", "MuscleBlaze"},
        {"MB", "MuscleBlaze"},
        {"Muscle Blaze", "MuscleBlaze"},
        {"hkvitals", "HKVitals"},
        {"HK Vitals", "HKVitals"},
        {"HKV", "HKVitals"},
        {"gritzo", "Gritzo"},
        {"Nike", "Nike"},
        {"BrandA", "BrandA"},
    };
    map_ok(fx, DS_TRACKING, "influencer_id|brand|product|date|revenue");
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char rec[128];
        snprintf(rec, sizeof rec, "5|%s|Gritzo Milk|2025-03-09|100", cases[i].in);
        build_ok(fx, rec);
        assert_text(&fx->row, "brand", cases[i].want);
    }
    /* Posts and the Brands header too. */
    row_of(fx, DS_POSTS, "influencer_id|Brand_Mentioned|reach", "1|muscleblaze");
    assert_text(&fx->row, "brand", "MuscleBlaze");
    row_of(fx, DS_TRACKING, "Influencer_ID|Date|Revenue|Brands", "1|2025-03-09|10|HKVitals");
    assert_text(&fx->row, "brand", "HKVitals");
}

static void test_organic_when_influencer_id_is_empty_or_source_is_organic(void **state)
{
    struct fixture *fx = *state;
    map_ok(fx, DS_TRACKING, "influencer_id|source|date|revenue");
    build_ok(fx, "|influencer|2025-03-09|100");
    assert_int_value(&fx->row, "organic", 1);
    assert_false(has(&fx->row, "influencer_id"));
    build_ok(fx, "12|Organic|2025-03-09|100");
    assert_int_value(&fx->row, "organic", 1);
    build_ok(fx, "12| ORGANIC |2025-03-09|100");
    assert_int_value(&fx->row, "organic", 1);
    build_ok(fx, "12|influencer|2025-03-09|100");
    assert_int_value(&fx->row, "organic", 0);
    build_ok(fx, "12|organic_search|2025-03-09|100");
    assert_int_value(&fx->row, "organic", 0);
    /* organic is derived: a column of that name in the file does not set it. */
    row_of(fx, DS_TRACKING, "influencer_id|organic|date|revenue", "12|1|2025-03-09|100");
    assert_int_value(&fx->row, "organic", 0);
    assert_string_equal(extra_of(&fx->row), "{\"organic\":\"1\"}");
    /* A file without influencers is all organic. */
    row_of(fx, DS_TRACKING, "source|date|revenue", "paid_ad|2025-03-09|100");
    assert_int_value(&fx->row, "organic", 1);
}

static void test_orders_default_to_one(void **state)
{
    struct fixture *fx = *state;
    row_of(fx, DS_TRACKING, "influencer_id|date|revenue", "1|2025-03-09|100");
    assert_int_value(&fx->row, "orders", 1);
    row_of(fx, DS_TRACKING, "influencer_id|date|revenue|orders", "1|2025-03-09|100|");
    assert_int_value(&fx->row, "orders", 1);
    build_ok(fx, "1|2025-03-09|100|3");
    assert_int_value(&fx->row, "orders", 3);
    build_ok(fx, "1|2025-03-09|100|0");
    assert_int_value(&fx->row, "orders", 0);
}

static void test_negative_revenue_is_rejected_unless_the_row_is_a_return(void **state)
{
    struct fixture *fx = *state;
    map_ok(fx, DS_TRACKING, "influencer_id|date|Revenue|is_return");
    fx->next_line = 17;
    build_rejected(fx, "1|2025-03-09|-500|");
    assert_int_equal(fx->rej.line, 17);
    assert_string_equal(fx->rej.column, "Revenue");
    assert_string_equal(fx->rej.value, "-500");
    assert_non_null(strstr(fx->rej.reason, "negative revenue"));
    build_rejected(fx, "1|2025-03-09|\xE2\x82\xB9-1,200.5|no");
    assert_string_equal(fx->rej.value, "\xE2\x82\xB9-1,200.5");
    static const char *const truthy[] = {"1", "true", "TRUE", "yes", "Y", "returned", "refund"};
    for (size_t i = 0; i < sizeof truthy / sizeof truthy[0]; i++) {
        char rec[64];
        snprintf(rec, sizeof rec, "1|2025-03-09|-500|%s", truthy[i]);
        build_ok(fx, rec);
        assert_int_value(&fx->row, "revenue", -50000);
        assert_int_value(&fx->row, "is_return", 1);
    }
    build_ok(fx, "1|2025-03-09|0|");
    assert_int_value(&fx->row, "revenue", 0);
    build_rejected(fx, "1|2025-03-09|5|maybe");
    assert_string_equal(fx->rej.column, "is_return");
    assert_string_equal(fx->rej.reason, "not a yes/no value");
}

static void test_payout_total_is_computed_when_absent_and_kept_when_given(void **state)
{
    struct fixture *fx = *state;
    map_ok(fx, DS_PAYOUTS, "influencer_id|basis|rate|orders|posts|revenue|total_payout");
    /* order: rate × orders */
    build_ok(fx, "1|order|50|10|||");
    assert_int_value(&fx->row, "total_payout", 50000);
    build_ok(fx, "1|per_order|12.345|3|||");
    assert_int_value(&fx->row, "total_payout", 3704); /* 37.035 → 37.04 */
    /* post: rate × posts */
    build_ok(fx, "1|post|\xE2\x82\xB9"
                 "4,500/post||3||");
    assert_int_value(&fx->row, "total_payout", 1350000);
    /* revenue_share: rate × revenue, whether named or an order rate below 1 */
    build_ok(fx, "1|revenue_share|0.1|||2500|");
    assert_int_value(&fx->row, "total_payout", 25000);
    build_ok(fx, "1|order|0.05|7||1000|");
    assert_text(&fx->row, "basis", "revenue_share");
    assert_int_value(&fx->row, "total_payout", 5000);
    build_ok(fx, "1|order|8%|||1000|");
    assert_int_value(&fx->row, "total_payout", 8000);
    /* Given: kept even when it does not match (a mismatch is flagged elsewhere, not fixed). */
    build_ok(fx, "1|order|50|10|||999");
    assert_int_value(&fx->row, "total_payout", 99900);
    build_ok(fx, "1|post|500||2||0");
    assert_int_value(&fx->row, "total_payout", 0);
    /* Not computable: stays absent. */
    build_ok(fx, "1|post|500|4|||");
    assert_false(has(&fx->row, "total_payout"));
    build_ok(fx, "1|order|0.05|7|||");
    assert_false(has(&fx->row, "total_payout"));
    build_ok(fx, "1|flat|5000||||");
    assert_false(has(&fx->row, "total_payout"));
    build_ok(fx, "1||50|10|||");
    assert_false(has(&fx->row, "total_payout"));
}

/* ---- generated ids -------------------------------------------------------------------- */

static void test_generated_ids_are_stable_by_position_and_distinct_for_equal_records(void **state)
{
    struct fixture *fx = *state;
    static const struct {
        enum dataset ds;
        const char *header, *record, *key;
        char prefix;
    } cases[] = {
        {DS_POSTS, "influencer_id|platform|reach", "7|instagram|100", "post_id", 'P'},
        {DS_TRACKING, "influencer_id|date|revenue", "7|2025-03-09|100", "tracking_id", 'T'},
        {DS_PAYOUTS, "influencer_id|basis|rate|orders", "7|order|50|2", "payout_id", 'Y'},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char first[2][32], second[2][32];
        for (int run = 0; run < 2; run++) {
            map_ok(fx, cases[i].ds, cases[i].header);
            build_ok(fx, cases[i].record);
            snprintf(first[run], sizeof first[run], "%s", text_of(&fx->row, cases[i].key));
            build_ok(fx, cases[i].record);
            snprintf(second[run], sizeof second[run], "%s", text_of(&fx->row, cases[i].key));
        }
        assert_string_equal(first[0], first[1]);
        assert_string_equal(second[0], second[1]);
        assert_string_not_equal(first[0], second[0]);
        /* the prefix, the place (ten digits), "-", the hash (16 hex digits): ascending */
        assert_int_equal(first[0][0], cases[i].prefix);
        assert_int_equal(strlen(first[0]), 28);
        assert_memory_equal(first[0] + 1, "0000000001-", 11);
        assert_memory_equal(second[0] + 1, "0000000002-", 11);
        assert_true(strcmp(first[0], second[0]) < 0);
    }
    /* The form of older versions (prefix and hash alone), asked for the next record; kept
     * for a file when the map says so. The hash is the same in both forms. */
    struct csv_field f[3];
    struct csv_record rec = {f, 3, 2, 1, 0};
    const char *vals[3] = {"7", "instagram", "100"};
    for (int k = 0; k < 3; k++) {
        f[k].data = vals[k];
        f[k].len = strlen(vals[k]);
        f[k].quoted = 0;
    }
    map_ok(fx, DS_POSTS, "influencer_id|platform|reach");
    char legacy[SCHEMA_ID_MAX];
    assert_int_equal(schema_map_legacy_id(&fx->map, &rec, legacy), 1);
    assert_int_equal(strlen(legacy), 17);
    build_ok(fx, "7|instagram|100");
    assert_string_equal(legacy + 1, text_of(&fx->row, "post_id") + 12);
    fx->map.legacy_ids = 1;
    assert_int_equal(schema_map_legacy_id(&fx->map, &rec, legacy), 1);
    build_ok(fx, "7|instagram|100");
    assert_string_equal(text_of(&fx->row, "post_id"), legacy);
    map_ok(fx, DS_POSTS, "post_id|influencer_id|reach");
    vals[0] = "POST-1";
    f[0].data = vals[0];
    f[0].len = strlen(vals[0]);
    assert_int_equal(schema_map_legacy_id(&fx->map, &rec, legacy), 0); /* it has its id */
    /* Different records at the same position get different ids. */
    char a[32];
    row_of(fx, DS_POSTS, "influencer_id|platform|reach", "7|instagram|100");
    snprintf(a, sizeof a, "%s", text_of(&fx->row, "post_id"));
    row_of(fx, DS_POSTS, "influencer_id|platform|reach", "7|instagram|101");
    assert_string_not_equal(a, text_of(&fx->row, "post_id"));
    /* A given id is used, not generated. */
    row_of(fx, DS_POSTS, "post_id|influencer_id|reach", "POST-1|7");
    assert_text(&fx->row, "post_id", "POST-1");
}

/* ---- rejects ------------------------------------------------------------------------ */

static void test_rejects_carry_line_column_value_and_reason(void **state)
{
    struct fixture *fx = *state;
    map_ok(fx, DS_TRACKING, "Influencer_ID| Transaction_Date |Revenue|Orders");
    fx->next_line = 1042;
    build_rejected(fx, "5|2025-03-09| 12,3x |1");
    assert_int_equal(fx->rej.line, 1042);
    assert_string_equal(fx->rej.column, "Revenue");
    assert_string_equal(fx->rej.value, "12,3x");
    assert_string_equal(fx->rej.reason, "not a number");

    build_rejected(fx, "5|2025-02-30|10|1");
    assert_int_equal(fx->rej.line, 1043);
    assert_string_equal(fx->rej.column, "Transaction_Date");
    assert_string_equal(fx->rej.value, "2025-02-30");
    assert_non_null(strstr(fx->rej.reason, "impossible date"));

    build_rejected(fx, "5|2025-03-09|10|2.5");
    assert_string_equal(fx->rej.column, "Orders");
    assert_string_equal(fx->rej.reason, "not a whole number");

    /* A required value that is empty names its column. */
    build_rejected(fx, "5||10|1");
    assert_string_equal(fx->rej.column, "Transaction_Date");
    assert_non_null(strstr(fx->rej.reason, "date is required"));

    /* A long value is shortened to fit, not overflowed. */
    char long_value[1200];
    memset(long_value, '9', 600);
    memcpy(long_value + 600, "x|1", 4);
    char rec[1300];
    snprintf(rec, sizeof rec, "5|2025-03-09|%s", long_value);
    build_rejected(fx, rec);
    assert_string_equal(fx->rej.column, "Revenue");
    assert_true(strlen(fx->rej.value) < sizeof fx->rej.value);
    assert_true(strlen(fx->rej.value) > 200);
    /* After rejects the map goes on: the next good record is accepted. */
    build_ok(fx, "5|2025-03-09|10|1");
    assert_int_value(&fx->row, "revenue", 1000);
    assert_int_equal(fx->row.line, 1047);
}

static void test_a_record_with_more_values_than_the_header_is_rejected(void **state)
{
    struct fixture *fx = *state;
    map_ok(fx, DS_TRACKING, "influencer_id|date|revenue");
    fx->next_line = 9;
    build_rejected(fx, "5|2025-03-09|100|surprise");
    assert_int_equal(fx->rej.line, 9);
    assert_string_equal(fx->rej.column, "");
    assert_string_equal(fx->rej.value, "surprise");
    assert_non_null(strstr(fx->rej.reason, "4 fields"));
    assert_non_null(strstr(fx->rej.reason, "3"));
    /* Trailing empty fields (a trailing comma) are harmless. */
    build_ok(fx, "5|2025-03-09|100||");
    assert_int_value(&fx->row, "revenue", 10000);
    /* Fewer fields than the header: the rest are empty. */
    map_ok(fx, DS_POSTS, "influencer_id|platform|reach|likes");
    build_ok(fx, "5|ig");
    assert_text(&fx->row, "platform", "Instagram");
    assert_false(has(&fx->row, "reach"));
    map_ok(fx, DS_TRACKING, "influencer_id|revenue|date");
    build_rejected(fx, "5|100");
    assert_string_equal(fx->rej.column, "date");
}

static void test_invalid_utf8_is_rejected(void **state)
{
    struct fixture *fx = *state;
    static const char *const bad[] = {
        "caf\xE9",          /* Latin-1 é */
        "\xFF",             /* never valid */
        "\xC0\xAF",         /* overlong '/' */
        "\xE0\x80\xAF",     /* overlong */
        "\xED\xA0\x80",     /* a surrogate */
        "\xE2\x82",         /* cut short */
        "\xF4\x90\x80\x80", /* past U+10FFFF */
        "ok\x80",           /* stray continuation byte */
    };
    map_ok(fx, DS_POSTS, "influencer_id|caption|date");
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        char rec[64];
        snprintf(rec, sizeof rec, "1|%s", bad[i]);
        build_rejected(fx, rec);
        assert_string_equal(fx->rej.column, "caption");
        assert_non_null(strstr(fx->rej.reason, "UTF-8"));
        /* between ASCII fields too (the whole-record ASCII check must not pass it) */
        snprintf(rec, sizeof rec, "1|%s|2025-03-09", bad[i]);
        build_rejected(fx, rec);
        assert_string_equal(fx->rej.column, "caption");
        assert_non_null(strstr(fx->rej.reason, "UTF-8"));
    }
    /* Valid multi-byte text passes: emoji, Devanagari, ₹. */
    build_ok(fx, "1|\xF0\x9F\x92\xAA \xE0\xA4\xB9\xE0\xA4\xBF \xE2\x82\xB9");
    assert_text(&fx->row, "caption", "\xF0\x9F\x92\xAA \xE0\xA4\xB9\xE0\xA4\xBF \xE2\x82\xB9");
    /* Invalid text in an unknown column is rejected too: extra must be valid JSON. */
    map_ok(fx, DS_POSTS, "influencer_id|notes|date");
    build_rejected(fx, "1|caf\xE9");
    assert_string_equal(fx->rej.column, "notes");
}

/* Ids left to schema_rows_finish_ids (m->defer_ids) are the ids schema_row_build gives at
 * once, byte for byte: batches of 1 to 11 rows (the hashes go four at a time, then the
 * rest), records of different lengths and empty fields, fields next to one another in the
 * input and apart, rows with an id of their own in between, and the form of older
 * versions. */
static void test_deferred_ids_equal_ids_built_at_once(void **state)
{
    struct fixture *fx = *state;
    enum { N = 11 };
    static const char *const values[] = {
        "instagram|C1|INF1|U1|P1|MuscleBlaze|2025-01-02|1|100.5",
        "youtube||INF2|U22|Product two|HKVitals|2025-02-03|2|7",
        "||||||2025-01-01|0|0",
        "organic|A very long campaign name to make this record longer than the rest of them|"
        "INF3|U333|P3|Gritzo|2025-03-04|3|3.25",
        "instagram|C1|INF1|U1|P1|MuscleBlaze|2025-01-02|1|100.5", /* the first again */
    };
    const size_t nvalues = sizeof values / sizeof values[0];
    for (int legacy = 0; legacy <= 1; legacy++)
        for (size_t n = 1; n <= N; n++) {
            struct schema_row at_once[N], deferred[N];
            for (int pass = 0; pass < 2; pass++) {
                struct schema_row *rows = pass ? deferred : at_once;
                map_ok(fx, DS_TRACKING,
                       "tracking_id|source|campaign|influencer_id|user_id|product|brand|date|"
                       "orders|revenue");
                fx->map.legacy_ids = legacy;
                fx->map.defer_ids = pass;
                for (size_t i = 0; i < n; i++) {
                    char rec[256];
                    /* every third row has its own id */
                    snprintf(rec, sizeof rec, "%s|%s", i % 3 == 2 ? "OWN-ID" : "",
                             values[i % nvalues]);
                    struct test_record r;
                    record_split(&r, rec, '|', i + 2);
                    char gapped[512]; /* every other row: fields apart, as quoted ones are */
                    if (i % 2) {
                        size_t at = 0;
                        for (size_t f = 0; f < r.rec.nfields; f++) {
                            memcpy(gapped + at, r.fields[f].data, r.fields[f].len);
                            r.fields[f].data = gapped + at;
                            at += r.fields[f].len + 2;
                        }
                    }
                    schema_row_init(&rows[i], DS_TRACKING);
                    if (schema_row_build(&fx->map, &r.rec, &rows[i], &fx->rej) != 0)
                        fail_msg("record \"%s\" rejected: %s", rec, fx->rej.reason);
                    assert_int_equal(rows[i].hash_pending, pass && i % 3 != 2);
                }
                if (pass)
                    schema_rows_finish_ids(rows, n);
            }
            for (size_t i = 0; i < n; i++) {
                assert_false(deferred[i].hash_pending);
                assert_string_equal(deferred[i].v[0].s, at_once[i].v[0].s);
                assert_int_equal(deferred[i].v[0].len, at_once[i].v[0].len);
                assert_int_equal(deferred[i].v[6].present, at_once[i].v[6].present);
                if (at_once[i].v[6].present) /* brand: the id's bytes may have moved the text */
                    assert_string_equal(deferred[i].v[6].s, at_once[i].v[6].s);
                schema_row_release(&at_once[i]);
                schema_row_release(&deferred[i]);
            }
        }
}

/* The generated id written by hand is printf's "%c%010llu-%016llx" (and "%c%016llx" in the
 * form of older versions), byte for byte: a re-import must find the ids stored before. */
static void test_generated_id_text_is_printf_s_byte_for_byte(void **state)
{
    (void)state;
    static const uint64_t ordinals[] = {0,
                                        1,
                                        9,
                                        10,
                                        11,
                                        99,
                                        100,
                                        101,
                                        999,
                                        1000,
                                        999999999,
                                        1000000000,
                                        9999999999,
                                        10000000000,
                                        1234567890,
                                        12345678901,
                                        UINT64_MAX - 1};
    static const uint64_t hashes[] = {0, 1, 0xF, 0x10, 0x9f2c00000000abcdULL, UINT64_MAX};
    for (size_t i = 0; i < sizeof ordinals / sizeof ordinals[0]; i++)
        for (size_t k = 0; k < sizeof hashes / sizeof hashes[0]; k++) {
            char got[SCHEMA_ID_MAX], want[SCHEMA_ID_MAX];
            size_t n = schema_format_id(got, 'T', ordinals[i], hashes[k]);
            snprintf(want, sizeof want, "%c%010llu-%016llx", 'T', (unsigned long long)ordinals[i],
                     (unsigned long long)hashes[k]);
            assert_string_equal(got, want);
            assert_int_equal(n, strlen(want));
            n = schema_format_id(got, 'P', SCHEMA_NO_ORDINAL, hashes[k]);
            snprintf(want, sizeof want, "%c%016llx", 'P', (unsigned long long)hashes[k]);
            assert_string_equal(got, want);
            assert_int_equal(n, strlen(want));
        }
}

/* Brands spelled as stored, near misses and long ASCII text with a bad byte past the
 * first eight (the UTF-8 check reads ASCII eight bytes at a time). */
static void test_brand_fast_path_and_long_ascii_utf8_check(void **state)
{
    struct fixture *fx = *state;
    static const struct {
        const char *in, *want;
    } cases[] = {
        {"MuscleBlaze", "MuscleBlaze"},
        {"HKVitals", "HKVitals"},
        {"Gritzo", "Gritzo"},
        {"GZ", "Gritzo"},
        {"muscle_blaze", "muscle_blaze"},
        {"MuscleBlazeX", "MuscleBlazeX"},
        {"Gritz", "Gritz"},
        {"HK_Vitals", "HKVitals"},
    };
    map_ok(fx, DS_TRACKING, "influencer_id|brand|product|date|revenue");
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char rec[128];
        snprintf(rec, sizeof rec, "5|%s|Milk|2025-03-09|100", cases[i].in);
        build_ok(fx, rec);
        assert_text(&fx->row, "brand", cases[i].want);
    }
    map_ok(fx, DS_POSTS, "influencer_id|caption|date");
    build_rejected(fx, "1|exactly sixteen!\x80");
    assert_string_equal(fx->rej.column, "caption");
    build_rejected(fx, "1|seventeen chars..\xE2\x82 and more ascii after it");
    assert_string_equal(fx->rej.column, "caption");
    build_ok(fx, "1|a long ascii caption, then \xE2\x82\xB9 and more ascii text after it");
    assert_text(&fx->row, "caption",
                "a long ascii caption, then \xE2\x82\xB9 and more ascii text after it");
}

static void test_format_int_writes_money_and_rates_for_export(void **state)
{
    (void)state;
    static const struct {
        enum col_kind kind;
        int64_t v;
        const char *want;
    } cases[] = {
        {COL_MONEY, 150616, "1506.16"},
        {COL_MONEY, -1, "-0.01"},
        {COL_MONEY, 0, "0.00"},
        {COL_RATE, 50000, "0.05"},
        {COL_RATE, 246940000, "246.94"},
        {COL_RATE, 1000000, "1"},
        {COL_COUNT, 17, "17"},
        {COL_FLAG, 1, "1"},
        {COL_MONEY, INT64_MIN, "-92233720368547758.08"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct buf out = BUF_INIT;
        schema_format_int(cases[i].kind, cases[i].v, &out);
        char got[64];
        snprintf(got, sizeof got, "%s", buf_cstr(&out));
        buf_release(&out);
        assert_string_equal(got, cases[i].want);
    }
}

/* Every value of a cleared row is absent (all zeros), whichever setters set which columns
 * before, and whichever dataset the row held: schema_row_clear clears only the values set
 * since the last clear. */
static void assert_no_values(const struct schema_row *row)
{
    static const struct schema_value none;
    for (int c = 0; c < SCHEMA_MAX_COLS; c++)
        assert_memory_equal(&row->v[c], &none, sizeof none);
}

static void test_a_cleared_row_has_no_values_whatever_was_set_before(void **state)
{
    (void)state;
    struct schema_row row;
    schema_row_init(&row, DS_PAYOUTS);
    assert_no_values(&row);
    for (int round = 0; round < 3; round++) {
        /* each setter, on the last column, the first and one between */
        schema_row_set_int(&row, SCHEMA_MAX_COLS - 1, 7);
        schema_row_set_text(&row, 0, "key", 3);
        schema_row_borrow_text(&row, SCHEMA_MAX_COLS / 2, "borrowed", 8);
        if (round == 1) /* and the same column twice */
            schema_row_set_text(&row, SCHEMA_MAX_COLS - 1, "again", 5);
        schema_row_clear(&row);
        assert_no_values(&row);
        schema_row_set_int(&row, round, 1); /* fewer values than before */
        schema_row_clear(&row);
        assert_no_values(&row);
    }
    /* A row copied into one that held more values keeps none of them. */
    struct schema_row src;
    schema_row_init(&src, DS_TRACKING);
    schema_row_set_text(&src, 0, "T1", 2);
    schema_row_set_int(&row, SCHEMA_MAX_COLS - 1, 9);
    schema_row_set_int(&row, 3, 9);
    schema_row_copy(&row, &src);
    assert_int_equal(row.ds, DS_TRACKING);
    assert_true(row.v[0].present);
    assert_string_equal(row.v[0].s, "T1");
    for (int c = 1; c < SCHEMA_MAX_COLS; c++)
        assert_false(row.v[c].present);
    schema_row_release(&src);
    schema_row_release(&row);
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, fixture_setup, fixture_teardown)

int main(void)
{
    const struct CMUnitTest tests[] = {
        T(test_every_alias_in_the_column_tables_maps_to_its_canonical_column),
        T(test_header_matching_ignores_case_spaces_and_underscores),
        T(test_exact_canonical_name_beats_an_alias_whatever_the_order),
        T(test_id_header_means_the_key_of_each_dataset),
        T(test_influencer_name_headers_refer_to_the_influencer_by_name),
        T(test_given_influencer_id_wins_over_name_and_name_is_kept_in_extra),
        T(test_influencers_without_id_column_get_ids_from_names),
        T(test_unknown_columns_are_kept_in_extra_as_a_json_object),
        T(test_extra_json_escapes_quotes_backslashes_and_control_chars),
        T(test_missing_required_columns_are_input_errors_naming_the_column),
        T(test_posts_need_a_date_or_a_reach_column),
        T(test_detect_recognises_every_peer_header_with_and_without_its_file_name),
        T(test_detect_gives_none_with_a_message_when_it_cannot_tell),
        T(test_detect_uses_the_file_name_to_break_ties_and_for_neutral_headers),
        T(test_dataset_by_name_accepts_canonical_names_and_short_forms),
        T(test_float_typed_ids_drop_a_zero_fraction_only),
        T(test_gender_is_normalised_to_five_values),
        T(test_platform_is_normalised_and_unknown_kept_as_given),
        T(test_a_platform_outside_the_configured_list_is_a_row_error),
        T(test_iso_dates_are_accepted_with_and_without_time),
        T(test_day_first_dates_become_iso),
        T(test_impossible_dates_are_rejected_with_a_clear_reason),
        T(test_garbage_is_not_a_date),
        T(test_iso_days_round_trip_over_two_centuries_with_leap_years),
        T(test_money_accepts_separators_and_currency_signs),
        T(test_malformed_numbers_are_not_numbers),
        T(test_currency_sign_before_another_symbol_does_not_hang),
        T(test_money_rounds_half_away_from_zero_at_the_cent),
        T(test_plain_numbers_read_as_the_general_reader_does),
        T(test_counts_must_be_whole_and_not_negative),
        T(test_very_long_numbers_are_out_of_range),
        T(test_counts_and_amounts_are_refused_outside_the_engine_range),
        T(test_out_of_range_values_are_rejected_naming_the_column),
        T(test_payment_details_are_checked_and_stored_in_capitals),
        T(test_payout_kind_is_fee_or_product),
        T(test_rates_are_stored_in_millionths),
        T(test_rate_text_keeps_the_number_and_the_original_in_extra),
        T(test_basis_is_normalised_and_unknown_kept_lower_cased),
        T(test_order_basis_with_a_fractional_rate_is_revenue_share),
        T(test_status_is_normalised),
        T(test_tier_is_derived_from_followers_at_each_threshold),
        T(test_tier_thresholds_are_configurable_and_a_given_tier_is_kept),
        T(test_persona_is_category_and_gender_unless_given),
        T(test_derive_fills_generated_rows_like_import),
        T(test_tracking_brand_comes_from_source_then_product_then_campaign),
        T(test_a_given_brand_is_normalised_or_kept),
        T(test_organic_when_influencer_id_is_empty_or_source_is_organic),
        T(test_orders_default_to_one),
        T(test_negative_revenue_is_rejected_unless_the_row_is_a_return),
        T(test_payout_total_is_computed_when_absent_and_kept_when_given),
        T(test_generated_ids_are_stable_by_position_and_distinct_for_equal_records),
        T(test_rejects_carry_line_column_value_and_reason),
        T(test_a_record_with_more_values_than_the_header_is_rejected),
        T(test_invalid_utf8_is_rejected),
        T(test_generated_id_text_is_printf_s_byte_for_byte),
        T(test_deferred_ids_equal_ids_built_at_once),
        T(test_brand_fast_path_and_long_ascii_utf8_check),
        T(test_format_int_writes_money_and_rates_for_export),
        T(test_a_cleared_row_has_no_values_whatever_was_set_before),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
