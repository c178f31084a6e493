/* err.c — filling error values and reading the table of errors (see err.h). Calls only libc. */
#include "err.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "banned.h"

int err_set(struct err *e, int code, const char *fmt, ...)
{
    if (e) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(e->msg, sizeof e->msg, fmt, ap);
        va_end(ap);
        e->code = code;
    }
    return code;
}

void err_prefix(struct err *e, const char *fmt, ...)
{
    if (!e)
        return;
    char prefix[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(prefix, sizeof prefix, fmt, ap);
    va_end(ap);
    char old[sizeof e->msg];
    memcpy(old, e->msg, sizeof old);
    size_t n = strlen(prefix);
    if (n > sizeof e->msg - 3)
        n = sizeof e->msg - 3;
    memcpy(e->msg, prefix, n);
    e->msg[n] = ':';
    e->msg[n + 1] = ' ';
    size_t room = sizeof e->msg - n - 3;
    size_t m = strnlen(old, room);
    memcpy(e->msg + n + 2, old, m);
    e->msg[n + 2 + m] = '\0';
}

struct err_row {
    int code, status;
    const char *name, *message;
};

static const struct err_row err_rows[] = {
#define ERR_ROW_(id, code, name, status, message) {code, status, name, message},
    ERR_TABLE(ERR_ROW_)
#undef ERR_ROW_
};

static const struct err_row *err_row(int code)
{
    for (size_t i = 0; i < sizeof err_rows / sizeof err_rows[0]; i++)
        if (err_rows[i].code == code)
            return &err_rows[i];
    return NULL;
}

int err_http_status(int code)
{
    const struct err_row *r = err_row(code);
    return r ? r->status : 500;
}

const char *err_name(int code)
{
    const struct err_row *r = err_row(code);
    return r ? r->name : "unknown";
}

const char *err_message(int code)
{
    const struct err_row *r = err_row(code);
    return r ? r->message : "an unknown error";
}

void err_clear(struct err *e)
{
    if (e) {
        e->code = 0;
        e->msg[0] = '\0';
    }
}
