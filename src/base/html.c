/* html.c — HTML escaping (see html.h). Calls buf and json (json_utf8_seq). */
#include "html.h"

#include <string.h>

#include "json.h"

#include "banned.h"

static const char *html_entity(unsigned char c)
{
    switch (c) {
    case '&':
        return "&amp;";
    case '<':
        return "&lt;";
    case '>':
        return "&gt;";
    case '"':
        return "&quot;";
    case '\'':
        return "&#39;";
    default:
        return NULL;
    }
}

void html_escape(struct buf *out, const char *str, size_t len)
{
    const unsigned char *s = (const unsigned char *)str;
    size_t i = 0, run = 0; /* s[run..i) is pending output written as is */
    while (i < len) {
        const char *rep = NULL;
        size_t skip = 1;
        if (s[i] < 0x80) {
            rep = html_entity(s[i]);
        } else {
            int n = json_utf8_seq(s + i, len - i);
            if (n < 0) {
                rep = "\xEF\xBF\xBD"; /* U+FFFD */
                skip = (size_t)-n;
            } else {
                skip = (size_t)n;
            }
        }
        if (rep) {
            buf_append(out, s + run, i - run);
            buf_puts(out, rep);
            run = i + skip;
        }
        i += skip;
    }
    buf_append(out, s + run, len - run);
}

void html_puts(struct buf *out, const char *s)
{
    if (s)
        html_escape(out, s, strlen(s));
}
