/* httpc.h — the HTTP(S) client of connections (SPEC §9): one GET through libcurl with TLS
 * verified, connect and total timeouts, at most a few redirects (http and https only), a
 * capped answer (a limit error past the cap, never an unbounded buffer), conditional
 * requests (ETag / If-None-Match, Last-Modified / If-Modified-Since, 304 seen), and bounded
 * retries: 429 and 503 honour Retry-After (seconds or an HTTP date), other 5xx and broken
 * connections back off exponentially, all within a maximum total wait. The sleep is
 * injectable so tests record waits instead of sleeping.
 *
 * Secrets never leave through here: every message and the redacted URL replace the values
 * of query parameters that carry credentials (access_token, key, token, ...) with "***".
 * Calls libcurl, buf and err. Thread-safe: each call has its own handle; libcurl's global
 * initialisation happens once (pthread_once). */
#ifndef INFLUDASH_HTTPC_H
#define INFLUDASH_HTTPC_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <time.h>

#include "buf.h"
#include "err.h"

/* Sleeps (or pretends to) for seconds; the default is nanosleep. */
typedef void (*httpc_sleep_fn)(void *ctx, double seconds);

struct httpc_response;

/* Decides whether a complete answer that is not a plain success should be asked again
 * (a platform's "too many calls" inside a 400, say): returns 1 to retry, 0 to keep the
 * answer. *wait may be set to the seconds the platform asked for (else leave it < 0: the
 * exponential backoff decides). Called only for answers httpc itself would not retry. */
typedef int (*httpc_retry_fn)(void *ctx, const struct httpc_response *res, double *wait);

struct httpc_opts {
    long connect_timeout_ms; /* default 10 s */
    long total_timeout_ms;   /* per attempt, default 120 s */
    long low_speed_bytes;    /* abort an attempt slower than this many bytes/s ... */
    long low_speed_seconds;  /* ... for this long (defaults 1 byte/s for 30 s) */
    int max_redirects;       /* default 5 */
    uint64_t max_body;       /* default 64 MiB; past it the call fails with ERR_LIMIT */
    int max_attempts;        /* default 4 (1: no retry) */
    double max_total_wait;   /* seconds of retry waits per call, default 120 */
    double backoff_initial;  /* first backoff wait, default 1 s, doubled each time */
    double backoff_max;      /* one backoff wait at most, default 30 s */
    httpc_sleep_fn sleep;    /* NULL: nanosleep */
    void *sleep_ctx;
    const char *ca_file;    /* extra trust anchor (tests' self-signed servers); NULL: system */
    const char *user_agent; /* NULL: "infludash" */
};

void httpc_opts_default(struct httpc_opts *o);

struct httpc_request {
    const char *url;
    const char *if_none_match;     /* an ETag from an earlier answer, or NULL */
    const char *if_modified_since; /* a Last-Modified value from an earlier answer, or NULL */
    const char *const *headers;    /* extra "Name: value" lines, NULL-terminated, or NULL */
    FILE *sink;                    /* when set, the body is written here instead of res->body */
    httpc_retry_fn retry;          /* NULL: only 429, 5xx and broken connections retry */
    void *retry_ctx;
};

struct httpc_response {
    long status;         /* last HTTP status (0 when no answer arrived) */
    int not_modified;    /* 1: a 304 to a conditional request; body empty */
    struct buf body;     /* the body (unless the request had a sink), capped at max_body */
    uint64_t body_bytes; /* bytes received of the final answer (body or sink) */
    char *etag;          /* ETag of the answer, or NULL; free()d by httpc_response_release */
    char *last_modified; /* Last-Modified, or NULL */
    char *content_type;  /* Content-Type, or NULL */
    char *retry_after;   /* Retry-After as sent, or NULL */
    char *buc_usage;     /* X-Business-Use-Case-Usage (Graph API), or NULL */
    int attempts;        /* requests made */
    double waited;       /* seconds slept between attempts */
};

void httpc_response_init(struct httpc_response *r);
void httpc_response_release(struct httpc_response *r);

/* GETs req->url. Returns 0 when an answer arrived, whatever its status (the caller reads
 * res->status and the body: platforms explain errors there); retries are spent first on
 * the statuses and conditions above. Fails with e filled (the URL redacted):
 * ERR_LIMIT when the body passes max_body or a Retry-After asks for more than the wait that
 * is left, ERR_IO when no answer could be had (DNS, connection, TLS, timeouts), ERR_USAGE
 * for a URL that is not http(s). On failure res still tells attempts and waited. */
int httpc_get(const struct httpc_opts *o, const struct httpc_request *req,
              struct httpc_response *res, struct err *e);

/* Fills e with a message for an answer that is not 2xx/304: "HOST answered 404 Not Found
 * for URL (redacted)" and the start of the body when it is short text. Returns ERR_IO. */
int httpc_status_error(const struct httpc_response *res, const char *url, struct err *e);

/* Appends url to out with the values of credential parameters (access_token, key,
 * api_key, token, client_secret, password, signature, sig) replaced by "***", and any
 * user:password@ in the authority. */
void httpc_redact(const char *url, struct buf *out);
/* Appends text with every credential parameter value in it ("access_token=...",
 * "key=...", wherever it stands: libcurl's messages and servers may quote the URL)
 * replaced by "***". */
void httpc_redact_text(const char *text, struct buf *out);
/* httpc_redact_text on e's message, and every occurrence of secret (when not NULL or
 * empty) replaced by "***": for messages that may quote a server echoing a token. */
void httpc_scrub_err(struct err *e, const char *secret);

/* Seconds to wait from a Retry-After value: delta-seconds, or an HTTP date (IMF-fixdate,
 * RFC 850 or asctime form) relative to now (0 when already past). -1 when unreadable. */
double httpc_retry_after_seconds(const char *value, time_t now);

/* Appends s percent-encoded for a query value (RFC 3986 unreserved kept). */
void httpc_query_escape(struct buf *out, const char *s);

/* The host of an http(s) URL, for messages ("graph.facebook.com"); appended to out. */
void httpc_url_host(const char *url, struct buf *out);

#endif
