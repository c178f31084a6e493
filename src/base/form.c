/* form.c — form fields and cookies (see form.h). Calls only libc. */
#include "form.h"

#include <string.h>

#include "banned.h"

static int hexval(int c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

const char *form_field(const char *body, size_t len, const char *name, char *out, size_t cap)
{
    size_t n = strlen(name);
    const char *p = body ? body : "";
    const char *end_all = p + (body ? len : 0);
    if (cap == 0)
        return NULL;
    while (p < end_all) {
        const char *end = memchr(p, '&', (size_t)(end_all - p));
        if (!end)
            end = end_all;
        if ((size_t)(end - p) >= n + 1 && memcmp(p, name, n) == 0 && p[n] == '=') {
            size_t o = 0;
            for (const char *c = p + n + 1; c < end; c++) {
                int ch = (unsigned char)*c;
                if (ch == '+') {
                    ch = ' ';
                } else if (ch == '%') {
                    if (end - c < 3 || hexval(c[1]) < 0 || hexval(c[2]) < 0)
                        return NULL;
                    ch = hexval(c[1]) * 16 + hexval(c[2]);
                    c += 2;
                }
                if (ch == 0 || o + 1 >= cap)
                    return NULL;
                out[o++] = (char)ch;
            }
            out[o] = '\0';
            return out;
        }
        p = end + 1;
    }
    return NULL;
}

const char *form_cookie(const char *header, const char *name, char *out, size_t cap)
{
    size_t n = strlen(name);
    for (const char *p = header; p && *p;) {
        p += strspn(p, " ;");
        const char *end = p + strcspn(p, ";");
        if ((size_t)(end - p) > n && strncmp(p, name, n) == 0 && p[n] == '=') {
            size_t len = (size_t)(end - p) - n - 1;
            if (len >= cap)
                return NULL;
            memcpy(out, p + n + 1, len);
            out[len] = '\0';
            return out;
        }
        p = end;
    }
    return NULL;
}
