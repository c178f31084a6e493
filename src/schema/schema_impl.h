/* schema_impl.h — private to src/schema/: the small text helpers that header mapping
 * (schema.c) and value parsing (schema_value.c) share, inline as they run per field. */
#ifndef INFLUDASH_SCHEMA_IMPL_H
#define INFLUDASH_SCHEMA_IMPL_H

#include <ctype.h>
#include <stddef.h>
#include <string.h>

static inline int is_space(unsigned char c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\v' || c == '\f';
}

/* Trims ASCII spaces and a non-breaking space (U+00A0) at both ends. */
static inline void trim(const char **s, size_t *len)
{
    const char *p = *s;
    size_t n = *len;
    for (;;) {
        if (n && is_space((unsigned char)p[0])) {
            p++, n--;
        } else if (n >= 2 && (unsigned char)p[0] == 0xC2 && (unsigned char)p[1] == 0xA0) {
            p += 2, n -= 2;
        } else {
            break;
        }
    }
    for (;;) {
        if (n && is_space((unsigned char)p[n - 1])) {
            n--;
        } else if (n >= 2 && (unsigned char)p[n - 2] == 0xC2 && (unsigned char)p[n - 1] == 0xA0) {
            n -= 2;
        } else {
            break;
        }
    }
    *s = p;
    *len = n;
}

/* Lower-cased letters and digits only: "Follower_Count" and "followerCount" both give
 * "followercount". Headers and enumerated values are compared this way. */
static inline size_t squash(const char *s, size_t len, char *out, size_t cap)
{
    size_t n = 0;
    for (size_t i = 0; i < len && n + 1 < cap; i++) {
        unsigned char c = (unsigned char)s[i];
        if (isalnum(c))
            out[n++] = (char)tolower(c);
        else if (c >= 0x80)
            out[n++] = (char)c;
    }
    out[n] = '\0';
    return n;
}

static inline int squash_eq(const char *s, size_t len, const char *lit)
{
    char tmp[64];
    if (len >= sizeof tmp)
        return 0;
    squash(s, len, tmp, sizeof tmp);
    return strcmp(tmp, lit) == 0;
}

#endif
