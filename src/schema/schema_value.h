/* schema_value.h — how one value of a column kind is read and written back (schema_value.c,
 * part of the schema: schema.h includes it): the column kinds, the range every integer
 * keeps, the parsers of counts, money, rates, flags and dates, day numbers, the canonical
 * spellings of gender, platform, basis, status and brand, and stored integers as text for
 * export. Pure functions. Calls buf. */
#ifndef INFLUDASH_SCHEMA_VALUE_H
#define INFLUDASH_SCHEMA_VALUE_H

#include <stddef.h>
#include <stdint.h>

#include "buf.h"

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
    COL_PAYID,    /* a payment detail checked by payid (PAN, GSTIN, IFSC, UPI id, account) */
    COL_PAYKIND,  /* fee | product (a payout's kind; absent means fee) */
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
 * totals fits int64 (9.22e18): no sum the engine makes can overflow. engine_impl.h holds the
 * static assertions of this proof.
 */
#define SCHEMA_COUNT_MAX INT64_C(2147483647)
#define SCHEMA_MONEY_MAX INT64_C(10000000000)
#define SCHEMA_RATE_MAX INT64_C(100000000000000) /* millionths: 10^8 units */
/* 0 when v is within the range of kind (counts, money, rates, flags; any value of other
 * kinds), else -1 with *reason saying the range and what to do. */
int schema_check_range(enum col_kind kind, int64_t v, const char **reason);

/* Value parsers. Each returns 0 or -1 with a reason; a value outside the range of
 * schema_check_range is refused too. */
int schema_parse_count(const char *s, size_t len, int64_t *out, const char **reason);
int schema_parse_money(const char *s, size_t len, int64_t *cents, const char **reason);
int schema_parse_rate(const char *s, size_t len, int64_t *micros, const char **reason);
/* A rate as text may say more after the number: "₹4,500/post", "₹58,800/post + 6.8%". The
 * leading number is the rate; *has_tail tells the caller to keep the original text. */
int schema_parse_rate_text(const char *s, size_t len, int64_t *micros, const char **reason,
                           int *has_tail);
/* 1 for "1", "true", "yes", "y", "return(ed)", "refund(ed)"; 0 for "", "0", "false", "no",
 * "n" (any letter case and spacing); -1 for anything else. */
int schema_parse_flag(const char *s, size_t len, int64_t *out);
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
/* A payout status: paid/completed/done → Paid, pending/unpaid/due → Pending, anything else
 * capitalised. */
void schema_norm_status(const char *s, size_t len, struct buf *out);
/* A brand value as import stores it: exactly a known brand's name or code (MB, HKV, GZ…)
 * becomes its canonical name; anything else is kept as given. */
void schema_norm_brand(const char *s, size_t len, struct buf *out);
/* "MuscleBlaze", "HKVitals", "Gritzo" when text names one, else NULL. */
const char *schema_brand_in(const char *s, size_t len);

/* Formats a stored integer value back to text for export: money "1506.16", rate
 * "0.05", counts and flags as integers. */
void schema_format_int(enum col_kind kind, int64_t v, struct buf *out);

#endif
