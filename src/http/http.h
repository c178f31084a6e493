/* http.h — the HTTP server: libmicrohttpd with a thread per connection (STACK.md), a small
 * router over a caller-owned route table, per-request memory freed in one go when the request
 * completes, one access-log line per request, and a graceful stop that lets requests in
 * flight finish. Calls libmicrohttpd, buf, err, json (error bodies) and libc.
 *
 *     struct http_config cfg;
 *     http_config_default(&cfg);
 *     cfg.listen = "127.0.0.1:8080";
 *     cfg.routes = table; cfg.nroutes = n; cfg.app = &app;     // see routes_install()
 *     struct http_server *srv = http_start(&cfg, &e);
 *     if (!srv) ... e.msg says what failed ...
 *     http_run_until_signal(srv);   // returns after SIGTERM/SIGINT and a graceful stop
 *     http_stop(srv);               // frees
 *
 * Threads: handlers run on the connection's thread, many at once: anything they share is
 * guarded by the application (struct app documents its lock). */
#ifndef INFLUDASH_HTTP_H
#define INFLUDASH_HTTP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "buf.h"
#include "err.h"

#define HTTP_DEFAULT_LISTEN "127.0.0.1:8080"

/* Methods as bits, so a route can accept several. A route that allows GET answers HEAD too
 * (libmicrohttpd leaves the body out). */
enum http_method {
    HTTP_GET = 0x01,
    HTTP_HEAD = 0x02,
    HTTP_POST = 0x04,
    HTTP_PUT = 0x08,
    HTTP_DELETE = 0x10,
    HTTP_PATCH = 0x20,
    HTTP_OPTIONS = 0x40,
    HTTP_OTHER = 0x80, /* any other method: never routed, always 405 */
};

struct http_request;
struct http_response;

/* Fills res (status, content type, body) and returns 0. A negative return discards res and
 * answers 500 with a generic JSON error: a handler that knows what went wrong should say so
 * in res itself (http_response_error). */
typedef int (*http_handler_fn)(struct http_request *req, struct http_response *res);
/* Receives a request body as it arrives (for uploads); 0 to go on, negative to refuse the
 * rest (it is then read and dropped; the handler still runs and sees req->body_failed). */
typedef int (*http_body_fn)(struct http_request *req, const char *data, size_t len);

struct http_route {
    unsigned methods; /* HTTP_* bits */
    /* Exact ("/api/status"), or a prefix: a path ending in slash and star, as in
     * "/api/influencers/" followed by "*", matches one or more further characters, which
     * the handler gets as req->path_param. */
    const char *path;
    http_handler_fn handler;
    http_body_fn on_body; /* optional; without it the body is collected in req->body */
    size_t max_body;      /* request body cap in bytes; 0: the server's max_body;
                           * HTTP_MAX_UPLOAD: the server's max_upload */
    int access;           /* for http_config.guard; the server does not read it */
};

/* A route's max_body that stands for http_config.max_upload (set at start, e.g. from
 * --max-upload-size, while the route table is a constant). */
#define HTTP_MAX_UPLOAD ((size_t)-1)

struct http_config {
    const char *listen;          /* "HOST:PORT", "[IPV6]:PORT" or ":PORT" (all IPv4
                                  * interfaces); port 0 picks a free one. NULL: the default */
    unsigned connection_limit;   /* concurrent connections (threads); 0: 512 */
    unsigned connection_timeout; /* seconds a connection may sit idle; 0: 30 */
    unsigned header_timeout;     /* seconds a client may take to send a whole request
                                  * head, however it trickles it: from the connection's
                                  * opening, or on a kept-alive connection from the
                                  * request line (and at most connection_timeout +
                                  * header_timeout after the previous answer); 0: 10 */
    unsigned per_client_limit;   /* connections at once from one client address (a
                                  * reverse proxy is one address); 0: 256 */
    /* Connections beyond connection_limit, or beyond a client's per_client_limit, kept for
     * health checks: on them only GET/HEAD health_path is answered (other requests get
     * 503 with Retry-After), each head must arrive within 2 s, and the connection closes
     * after the answer. One client takes at most half of them; when they are full, one
     * still without its request head after half a second gives its place to a new
     * connection; else a new connection is closed at once. 0: 16. */
    unsigned health_reserve;
    const char *health_path;         /* NULL: "/healthz" */
    size_t connection_memory;        /* per-connection buffer, bounds headers and URL; 0: 64 KiB */
    size_t max_body;                 /* default request body cap in bytes; 0: 1 MiB */
    size_t max_upload;               /* cap of HTTP_MAX_UPLOAD routes; 0: 1 GiB */
    unsigned shutdown_timeout;       /* seconds a graceful stop waits for requests; 0: 30 */
    const struct http_route *routes; /* not copied: must outlive the server */
    size_t nroutes;
    /* Optional: answers unmatched paths outside /api/ (static assets later); without it
     * they get a plain-text 404. Unmatched /api/ paths always get a JSON 404. */
    http_handler_fn not_found;
    void *app; /* handed to handlers as req->app */
    /* Optional: called once a request's route is known and its head is in, before its body
     * is read or its handler runs (sign-in and rights). 0 lets it go on; anything else
     * answers with res at once (the body, if any, is not read). It may set req->app and
     * req->auth for the handler. */
    int (*guard)(struct http_request *req, const struct http_route *route,
                 struct http_response *res);
    FILE *access_log; /* NULL: stderr */
};

/* Zeroes cfg: every field at its default. */
void http_config_default(struct http_config *cfg);

/* A request, valid during its handler. Fields are read-only for handlers. */
struct http_request {
    enum http_method method;
    const char *method_name; /* as sent ("GET") */
    const char *path;        /* percent-decoded path, without the query */
    const char *path_param;  /* prefix routes: the part after the prefix; else NULL */
    struct cbuf body;        /* the body, when the route has no on_body (input: capped) */
    bool body_failed;        /* on_body refused some of it */
    void *app;               /* http_config.app, unless the guard changed it */
    void *auth;              /* set by the guard (per-request memory), else NULL */
    /* Free for the route's own use across on_body calls and the handler (an upload parser,
     * say). When state_free is set it is called with state when the request completes,
     * also when the client went away before the handler ran. */
    void *state;
    void (*state_free)(void *state);
    /* private to http.c */
    struct http_request_impl *impl;
};

/* A response being built. Defaults: status 200, text/plain; charset=utf-8, empty body. */
struct http_response {
    int status;
    const char *content_type;  /* must live until the request completes (literal or arena) */
    bool no_store;             /* sends Cache-Control: no-store (set by http_response_json) */
    const char *cache_control; /* else this Cache-Control when set (literal or arena) */
    struct buf body;
    /* private to http.c */
    struct http_request *req;
    struct http_header_node *headers;
    const void *static_body; /* http_response_static */
    size_t static_len;
    int fd; /* http_response_fd; -1 when unused */
    uint64_t fd_size;
};

/* A query parameter, percent-decoded, or NULL. Valid until the request completes. */
const char *http_query(struct http_request *req, const char *name);
/* Every query parameter, in the order sent, appended to out as a key: two requests give the
 * same key exactly when they send the same parameters with the same values in the same order
 * (each name and value with its length, so no value can pass for two). */
void http_query_key(struct http_request *req, struct buf *out);
/* The client's address ("127.0.0.1", "::1"; "-" when unknown). */
const char *http_client(struct http_request *req);
/* A request header (case-insensitive name), or NULL. Valid until the request completes. */
const char *http_header(struct http_request *req, const char *name);
/* Per-request memory, freed in one go when the request completes; aborts on out-of-memory
 * (sizes here are ours, not the client's: input-sized data goes in a struct cbuf). */
void *http_alloc(struct http_request *req, size_t n);
char *http_strdup(struct http_request *req, const char *s);

/* Adds a response header (name and value are copied). Content-Type, Content-Length and
 * Cache-Control are set from the struct fields; don't add them here. */
void http_response_header(struct http_response *res, const char *name, const char *value);
/* Status and content type for a JSON body the caller appends to res->body; with
 * Cache-Control: no-store. */
void http_response_json(struct http_response *res, int status);
/* A JSON error body {"error":"<message>"} with the status; returns 0 so a handler can
 * `return http_response_error(...)`. */
int http_response_error(struct http_response *res, int status, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* The same with the status of the error code (err.h's table: ERR_DENIED answers 403); every
 * route answers its refusals through this, so that a code's status is decided in one place. */
int http_response_err(struct http_response *res, int code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* A plain-text body. Returns 0. */
int http_response_text(struct http_response *res, int status, const char *text);
/* Sends len bytes at data instead of res->body, without copying: data must outlive the
 * server (built-in assets). Status and content type stay the caller's. */
void http_response_static(struct http_response *res, const void *data, size_t len);
/* Sends the size bytes of the open file fd (from its offset 0) instead of res->body: the
 * response owns fd from now on and closes it when sent or discarded (an unlinked temporary
 * file then disappears). For large downloads that should not sit in memory. */
void http_response_fd(struct http_response *res, int fd, uint64_t size);

/* Parses "HOST:PORT", "[IPV6]:PORT" or ":PORT" into host (appended to the buf, without
 * brackets; "" for ":PORT") and port. ERR_USAGE with a message naming the expected form. */
int http_parse_listen(const char *address, struct buf *host, unsigned *port, struct err *e);

/* Appends the server's counters in the Prometheus text format (version 0.0.4), for a
 * /metrics handler: infludash_http_requests_total{route,code} by route pattern (never the
 * raw path; "unmatched" for the rest) and status class, infludash_http_errors_total (5xx and
 * handler failures), aborted requests, timeouts, the latency histogram
 * infludash_http_request_duration_seconds, connections (open, refused, on the health-check
 * reserve) and uptime. Counters are atomics
 * updated when each request completes; no lock. */
void http_metrics_write(struct http_request *req, struct buf *out);

struct http_server;

/* Binds, listens and starts serving. NULL with e filled when the address is invalid or
 * cannot be bound (in use, no permission). SIGINT, SIGTERM and SIGPIPE are blocked in the
 * server's threads, so only the caller's threads take them. */
struct http_server *http_start(const struct http_config *cfg, struct err *e);
/* The actual port (useful with port 0) and the base URL, "http://127.0.0.1:8080/". */
unsigned http_port(const struct http_server *srv);
const char *http_url(const struct http_server *srv);
/* Requests started and not yet completed. */
int http_inflight(const struct http_server *srv);
/* Connections open now (counted from just after the accept to just after the close). */
int http_open_connections(const struct http_server *srv);
/* Blocks until SIGTERM or SIGINT reaches the calling thread, then stops gracefully: no new
 * connections, requests in flight finish (up to shutdown_timeout; a second signal cuts the
 * wait short), then the daemon stops. Call it from the thread that should take the signals
 * (main). Returns the signal number. Call http_stop afterwards to free the server. */
int http_run_until_signal(struct http_server *srv);
/* Stops gracefully as above when still running (without signals), then frees. NULL is a
 * no-op. */
void http_stop(struct http_server *srv);

#endif
