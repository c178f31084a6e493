/* form.h — the small parsers of what a browser sends with a sign-in: a field of an
 * application/x-www-form-urlencoded body, and a cookie of a Cookie header. Pure functions
 * over the caller's memory, no allocation; both are fuzzed (tests/fuzz/fuzz_form.c).
 * Calls libc only. */
#ifndef INFLUDASH_FORM_H
#define INFLUDASH_FORM_H

#include <stddef.h>

/* The first field `name` of body[0..len), decoded ('+' a space, %XX a byte) into out with
 * a NUL; NULL when it is absent, malformed (a bad %XX), holds a NUL byte, or needs more
 * than cap - 1 bytes. */
const char *form_field(const char *body, size_t len, const char *name, char *out, size_t cap);

/* The value of the first cookie `name` of a Cookie header ("a=1; name=v"), copied into out
 * with a NUL; NULL when header is NULL, it is absent, or needs more than cap - 1 bytes. */
const char *form_cookie(const char *header, const char *name, char *out, size_t cap);

#endif
