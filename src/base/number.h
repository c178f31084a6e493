/* number.h — numbers a person types into a query parameter or a command-line option. The
 * whole text is the number, spaces around it aside: plain decimal only, so that trailing
 * text ("1abc", "1 2"), hex ("0x10"), "inf" and "nan" are refused rather than read in part.
 * The length is given, so a NUL inside the text is refused too. Calls libc only. */
#ifndef INFLUDASH_NUMBER_H
#define INFLUDASH_NUMBER_H

#include <stddef.h>
#include <stdint.h>

/* A finite decimal: [+-]digits[.digits][e[+-]digits] (digits on at least one side of the
 * point), at most 64 characters. Returns 0 with *out; -1 when the text is not such a
 * decimal, -2 when it is one too large for a double ("1e999"). */
int number_parse_double(const char *s, size_t len, double *out);

/* A whole number from 0 to UINT64_MAX in decimal digits, no sign. Returns 0 with *out, or
 * -1. */
int number_parse_u64(const char *s, size_t len, uint64_t *out);

#endif
