/* fuzz_form.c — libFuzzer target for what a browser sends with a sign-in (src/form.c): the
 * fields of an application/x-www-form-urlencoded body and the cookies of a Cookie header.
 * Input: the bytes are the body and (up to the first NUL) the header.
 * Invariants: a found field is NUL-terminated within the buffer, holds no NUL, and encoding
 * it again (every byte as %XX) and parsing that gives the same value back; a field that
 * needs more room than the buffer is not found; a found cookie is the text between
 * "name=" and the next ';' of the header, and fits. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "form.h"
#include "fuzz_util.h"

#include "banned.h"

static const char *const names[] = {"username", "password", "next",
                                    "csrf",     "a",        "infludash_session"};

static void check_field(const char *body, size_t len, const char *name)
{
    char out[64];
    const char *v = form_field(body, len, name, out, sizeof out);
    if (!v)
        return;
    size_t n = strnlen(out, sizeof out);
    FUZZ_CHECK(n < sizeof out, "field %s not terminated", name);
    /* encode again, every byte as %XX, and parse back */
    struct buf again = BUF_INIT;
    buf_printf(&again, "x=1&%s=", name);
    for (size_t i = 0; i < n; i++)
        buf_printf(&again, "%%%02X", (unsigned char)out[i]);
    char back[64];
    const char *w = form_field(again.data, again.len, name, back, sizeof back);
    FUZZ_CHECK(w && strcmp(w, out) == 0, "field %s did not survive encoding again", name);
    /* a buffer one byte too small must not find it */
    char tight[64];
    FUZZ_CHECK(!form_field(body, len, name, tight, n), "field %s fit in %zu bytes", name, n);
    buf_release(&again);
}

static void check_cookie(const char *header, const char *name)
{
    char out[64];
    const char *v = form_cookie(header, name, out, sizeof out);
    if (!v)
        return;
    size_t n = strlen(out);
    FUZZ_CHECK(n < sizeof out, "cookie %s too long", name);
    FUZZ_CHECK(!strchr(out, ';'), "cookie %s holds a ';'", name);
    struct buf pattern = BUF_INIT;
    buf_printf(&pattern, "%s=%s", name, out);
    FUZZ_CHECK(strstr(header, buf_cstr(&pattern)) != NULL, "cookie %s=%s is not in the header",
               name, out);
    buf_release(&pattern);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    /* an owned copy, so that reading past the end is caught */
    char *body = malloc(size ? size : 1);
    if (!body)
        return 0;
    if (size)
        memcpy(body, data, size);
    char *header = malloc(size + 1);
    if (!header) {
        free(body);
        return 0;
    }
    if (size)
        memcpy(header, data, size);
    header[size] = '\0';
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        check_field(body, size, names[i]);
        check_cookie(header, names[i]);
    }
    free(header);
    free(body);
    return 0;
}
