/* err.h — the error value every fallible function fills: a code and a message a user
 * can act on ("tracking_data.csv:1042: revenue: \"12,3x\": not a number"). */
#ifndef INFLUDASH_ERR_H
#define INFLUDASH_ERR_H

/* Every error, in one table: X(ID, code, name, HTTP status, message). The code is what
 * functions return (ERR_ID); the name is the stable word for it (logs, docs); the HTTP status
 * is what every route answers for it (err_http_status; docs/architecture.md "Errors"); the
 * message says what kind of failure it is. A status of 500 or more is the server's own
 * failure: a route answers it without the internals of e->msg, which go to the server log.
 * A limit error (ERR_LIMIT) is 422 wherever it comes from: the request was read, and what it
 * holds or asks for passes a configured limit (rows, a field, columns, an answer's size). A
 * request body larger than the server reads is 413, answered by the HTTP layer before any
 * route runs. Adding an error is one line here. */
#define ERR_TABLE(X)                                                                               \
    X(OK, 0, "ok", 200, "done")                                                                    \
    X(IO, -1, "io", 500, "a file or socket failed")                                                \
    X(INPUT, -2, "input", 422, "the data is invalid")                                              \
    X(LIMIT, -3, "limit", 422, "a configured limit was passed")                                    \
    X(STORE, -4, "store", 503, "the database is not available or failed")                          \
    X(USAGE, -5, "usage", 400, "bad command line or request")                                      \
    X(NOTFOUND, -6, "not_found", 404, "no such thing")                                             \
    X(ABORTED, -7, "aborted", 503, "stopped on purpose")                                           \
    X(AUTH, -8, "auth", 401, "sign in required")                                                   \
    X(DENIED, -9, "denied", 403, "not allowed")                                                    \
    X(CONFLICT, -10, "conflict", 409, "not possible in the present state")                         \
    X(BUSY, -11, "busy", 429, "too many attempts; wait")                                           \
    X(UNAVAILABLE, -12, "unavailable", 503, "not available now")                                   \
    X(MEDIA_TYPE, -13, "media_type", 415, "the content type is not accepted")                      \
    X(NO_SPACE, -14, "no_space", 507, "the server cannot store it")

enum err_code {
#define ERR_ENUM_(id, code, name, status, message) ERR_##id = code,
    ERR_TABLE(ERR_ENUM_)
#undef ERR_ENUM_
};

/* The HTTP status of code (the table); 500 for a code not in it. */
int err_http_status(int code);
/* The name of code ("limit"); "unknown" for a code not in it. */
const char *err_name(int code);
/* What kind of failure code is ("a configured limit was passed"). */
const char *err_message(int code);

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
