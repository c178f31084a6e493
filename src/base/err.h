/* err.h — the error value every fallible function fills: a code and a message a user
 * can act on ("tracking_data.csv:1042: revenue: \"12,3x\": not a number"). */
#ifndef INFLUDASH_ERR_H
#define INFLUDASH_ERR_H

enum err_code {
    ERR_OK = 0,
    ERR_IO = -1,    /* a file or socket failed */
    ERR_INPUT = -2, /* the user's data is invalid */
    ERR_LIMIT = -3, /* a configured limit was passed */
    ERR_STORE = -4, /* the database failed */
    ERR_USAGE = -5, /* bad command line or request */
    ERR_NOTFOUND = -6,
    ERR_ABORTED = -7, /* stopped on purpose (interrupt) */
};

struct err {
    int code;
    char msg[1024];
};

/* Fills e (when not NULL) and returns code, so callers can `return err_set(...)`. */
int err_set(struct err *e, int code, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/* Prepends "prefix: " to the message already in e. */
void err_prefix(struct err *e, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void err_clear(struct err *e);

#endif
