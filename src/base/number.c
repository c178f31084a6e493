/* number.c — strict parsing of numbers typed by a person (see number.h). Calls only libc. */
#include "number.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "banned.h"

static void trim_spaces(const char **s, size_t *len)
{
    while (*len && (**s == ' ' || **s == '\t')) {
        (*s)++;
        (*len)--;
    }
    while (*len && ((*s)[*len - 1] == ' ' || (*s)[*len - 1] == '\t'))
        (*len)--;
}

static size_t digits(const char *s, size_t len, size_t at)
{
    size_t n = 0;
    while (at + n < len && s[at + n] >= '0' && s[at + n] <= '9')
        n++;
    return n;
}

int number_parse_double(const char *s, size_t len, double *out)
{
    trim_spaces(&s, &len);
    if (len == 0 || len > 64)
        return -1;
    size_t i = 0;
    if (s[i] == '+' || s[i] == '-')
        i++;
    size_t whole = digits(s, len, i);
    i += whole;
    size_t frac = 0;
    if (i < len && s[i] == '.') {
        frac = digits(s, len, i + 1);
        i += 1 + frac;
    }
    if (whole + frac == 0)
        return -1;
    if (i < len && (s[i] == 'e' || s[i] == 'E')) {
        size_t j = i + 1;
        if (j < len && (s[j] == '+' || s[j] == '-'))
            j++;
        size_t exp = digits(s, len, j);
        if (exp == 0)
            return -1;
        i = j + exp;
    }
    if (i != len)
        return -1; /* anything after the number, a NUL included */
    char tmp[65];
    memcpy(tmp, s, len);
    tmp[len] = '\0';
    errno = 0;
    double v = strtod(tmp, NULL);
    if (!isfinite(v))
        return -2;
    *out = v;
    return 0;
}

int number_parse_u64(const char *s, size_t len, uint64_t *out)
{
    trim_spaces(&s, &len);
    if (len == 0 || digits(s, len, 0) != len)
        return -1;
    uint64_t v = 0;
    for (size_t i = 0; i < len; i++) {
        unsigned d = (unsigned)(s[i] - '0');
        if (v > (UINT64_MAX - d) / 10)
            return -1;
        v = v * 10 + d;
    }
    *out = v;
    return 0;
}
