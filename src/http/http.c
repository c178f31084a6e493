/* http.c — the HTTP server on libmicrohttpd (see http.h): listening socket, request
 * lifecycle (state in *req_cls, response queued on a later callback so keep-alive works,
 * STACK.md gotcha 1), routing, body caps, access log and graceful stop.
 * Calls libmicrohttpd, buf, err, json and libc. */
#include "http.h"

#include <microhttpd.h>

#include <assert.h>
#include <errno.h>
#include <inttypes.h>
#include <netdb.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdalign.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "json.h"

#include "banned.h"

#define DEFAULT_CONNECTION_LIMIT 512
#define DEFAULT_CONNECTION_TIMEOUT 30
#define DEFAULT_HEADER_TIMEOUT 10
#define DEFAULT_PER_CLIENT_LIMIT 256
#define DEFAULT_HEALTH_RESERVE 16
#define DEFAULT_HEALTH_PATH "/healthz"
/* Seconds a connection on the health-check reserve may take to send its request head. */
#define RESERVE_HEADER_TIMEOUT 2
/* A reserve connection still without a request head this long after it opened gives its
 * place to a new one when the reserve is full (a health check sends its request at once). */
#define RESERVE_STALE_MS 500
#define DEFAULT_CONNECTION_MEMORY (64 * 1024)
#define DEFAULT_MAX_BODY (1024 * 1024)
#define DEFAULT_MAX_UPLOAD ((size_t)1 << 30)
#define DEFAULT_SHUTDOWN_TIMEOUT 30
#define ARENA_BLOCK 4096

/* Upper bounds of the latency histogram's buckets, in seconds (+Inf is implicit). */
static const double http_latency_bounds[] = {0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1,
                                             0.25,  0.5,    1,     2.5,  5,     10};
#define HTTP_LATENCY_BUCKETS (sizeof http_latency_bounds / sizeof http_latency_bounds[0] + 1)
#define HTTP_STATUS_CLASSES 5 /* 1xx .. 5xx */

/* Request counters for /metrics. Only atomics, updated by each connection's thread when its
 * request completes: no lock. by_route has (nroutes + 1) * HTTP_STATUS_CLASSES entries, the
 * last row for requests no route matched. */
struct http_metrics {
    atomic_uint_fast64_t *by_route;
    atomic_uint_fast64_t errors;                        /* 5xx and handler failures */
    atomic_uint_fast64_t aborted;                       /* ended without a response */
    atomic_uint_fast64_t timed_out;                     /* connections cut by a timeout */
    atomic_uint_fast64_t latency[HTTP_LATENCY_BUCKETS]; /* per bucket, not cumulative */
    atomic_uint_fast64_t latency_sum_us;
    atomic_uint_fast64_t connections; /* accepted since start */
    atomic_uint_fast64_t refused;     /* closed at accept: pool, reserve or client share full */
    atomic_int open_connections;
    struct timespec started; /* CLOCK_MONOTONIC */
};

/* One open connection: its place in the admission counts, and the request-head deadline (a
 * client must deliver a complete request head by then, however slowly it trickles bytes:
 * libmicrohttpd's own timeout only counts idle time). */
struct http_conn {
    struct http_conn *prev, *next; /* in http_server.conns, guarded by conns_lock */
    int fd;
    struct http_client *client; /* its address's counts; guarded by conns_lock */
    bool reserve;               /* admitted on the health-check reserve; set at start */
    bool counted;               /* holds its place in the counts: until cut or closed */
    bool cut;                   /* guarded by conns_lock */
    long long opened_ms;        /* CLOCK_MONOTONIC */
    /* The head must be complete by then (CLOCK_MONOTONIC ms); -1 while a request runs.
     * Written by the connection's own thread (and once before it starts), read by the
     * watchdog. */
    atomic_llong head_deadline_ms;
    /* The thread serving the connection, once its first request line came in: libmicrohttpd
     * reports some refusals only through its logger, on that thread. Written once by that
     * thread (thread, then has_thread), read by the logger while the connection is listed. */
    pthread_t thread;
    atomic_bool has_thread;
    bool answered_bad_length; /* http_answer_bad_content_length answered it; conns_lock */
};

/* The connections open from one client address (normal ones and reserve ones). */
struct http_client {
    struct http_client *next; /* in its bucket of http_server.clients */
    unsigned char addr[16];
    unsigned char len; /* 4 (IPv4), 16 (IPv6), 0 (anything else: all such share one entry) */
    unsigned normal, reserve;
};

#define HTTP_CLIENT_BUCKETS 1024

struct http_server {
    struct http_config cfg; /* defaults applied */
    FILE *log;
    struct MHD_Daemon *daemon; /* NULL once stopped */
    int listen_fd;             /* MHD's until quiesced; ours to close afterwards */
    bool quiesced;
    atomic_int inflight;  /* requests between their first callback and completion */
    atomic_bool draining; /* stopping: responses carry Connection: close */
    unsigned port;
    char url[128];
    struct http_metrics metrics;
    /* conns_lock guards the list of open connections (conns) and each one's cut flag, the
     * per-address counts (clients) and the admission totals; taken when a connection is
     * accepted, joins or leaves and while the watchdog scans; never per request. */
    pthread_mutex_t conns_lock;
    struct http_conn *conns;
    struct http_client *clients[HTTP_CLIENT_BUCKETS];
    unsigned open_normal, open_reserve;
    pthread_t watchdog;
    bool watchdog_running;
    pthread_mutex_t watchdog_lock; /* guards watchdog_stop */
    pthread_cond_t watchdog_wake;
    bool watchdog_stop;
};

/* Per-request memory: blocks chained and freed together. */
struct arena_block {
    alignas(max_align_t) struct arena_block *next;
    size_t used, cap;
};

struct http_header_node {
    struct http_header_node *next;
    const char *name;
    const char *value;
};

struct http_request_impl {
    struct http_request req; /* req.impl points back here */
    struct http_response res;
    struct http_server *srv;
    struct MHD_Connection *conn;
    struct arena_block *arena;
    const struct http_route *route; /* NULL: no route for this method and path */
    unsigned allowed;               /* methods the path accepts (for 405's Allow) */
    size_t body_cap;
    size_t body_bytes;   /* received so far */
    bool responded;      /* a response was queued */
    bool refused;        /* res holds a refusal, sent once the (dropped) body is in */
    bool handler_failed; /* the handler returned an error (answered 500) */
    bool reserve;        /* on a health-check reserve connection: closed after the answer */
    size_t dropped;      /* body bytes read and dropped since the refusal */
    int status;          /* what was sent (or 413 when the body was cut off) */
    size_t bytes;        /* response body bytes */
    struct timespec started;
    char client[64];
};

static void http_conn_set_deadline(struct MHD_Connection *conn, long long deadline_ms);
static bool http_conn_is_reserve(struct MHD_Connection *conn);
static long long http_header_ms(const struct http_server *srv, bool reserve);
static long long http_now_ms(void);

void http_config_default(struct http_config *cfg)
{
    memset(cfg, 0, sizeof *cfg);
}

/* ---- per-request memory ---- */

void *http_alloc(struct http_request *req, size_t n)
{
    struct http_request_impl *r = req->impl;
    const size_t align = alignof(max_align_t);
    n = (n + align - 1) & ~(align - 1);
    struct arena_block *b = r->arena;
    if (!b || b->cap - b->used < n) {
        size_t cap = n > ARENA_BLOCK ? n : ARENA_BLOCK;
        b = xmalloc(sizeof *b + cap);
        b->cap = cap;
        b->used = 0;
        b->next = r->arena;
        r->arena = b;
    }
    void *p = (unsigned char *)(b + 1) + b->used;
    b->used += n;
    return p;
}

char *http_strdup(struct http_request *req, const char *s)
{
    size_t len = strlen(s);
    char *p = http_alloc(req, len + 1);
    memcpy(p, s, len + 1);
    return p;
}

const char *http_query(struct http_request *req, const char *name)
{
    return MHD_lookup_connection_value(req->impl->conn, MHD_GET_ARGUMENT_KIND, name);
}

/* Appends one parameter as its name's length, the name, then the value's length and the
 * value, or a length of ~0 for a parameter without "=". */
static enum MHD_Result http_key_add(void *cls, enum MHD_ValueKind kind, const char *key,
                                    size_t key_size, const char *value, size_t value_size)
{
    (void)kind;
    struct buf *out = cls;
    uint64_t n = key_size;
    buf_append(out, &n, sizeof n);
    buf_append(out, key, key_size);
    n = value ? value_size : ~(uint64_t)0;
    buf_append(out, &n, sizeof n);
    if (value)
        buf_append(out, value, value_size);
    return MHD_YES;
}

void http_query_key(struct http_request *req, struct buf *out)
{
    MHD_get_connection_values_n(req->impl->conn, MHD_GET_ARGUMENT_KIND, http_key_add, out);
}

const char *http_header(struct http_request *req, const char *name)
{
    return MHD_lookup_connection_value(req->impl->conn, MHD_HEADER_KIND, name);
}

/* ---- responses ---- */

void http_response_header(struct http_response *res, const char *name, const char *value)
{
    struct http_header_node *h = http_alloc(res->req, sizeof *h);
    h->name = http_strdup(res->req, name);
    h->value = http_strdup(res->req, value);
    h->next = res->headers;
    res->headers = h;
}

void http_response_json(struct http_response *res, int status)
{
    res->status = status;
    res->content_type = "application/json";
    res->no_store = true;
}

/* Drops a body set by http_response_static or http_response_fd (error answers). */
static void http_response_drop_special(struct http_response *res)
{
    res->static_body = NULL;
    res->static_len = 0;
    if (res->fd >= 0)
        close(res->fd);
    res->fd = -1;
}

static void response_verror(struct http_response *res, int status, const char *fmt, va_list ap)
{
    struct buf msg = BUF_INIT;
    buf_vprintf(&msg, fmt, ap);
    buf_reset(&res->body);
    http_response_drop_special(res);
    http_response_json(res, status);
    struct json j;
    json_init(&j, &res->body);
    json_obj_begin(&j);
    json_kv_str(&j, "error", buf_cstr(&msg));
    json_obj_end(&j);
    buf_puts(&res->body, "\n");
    buf_release(&msg);
}

int http_response_error(struct http_response *res, int status, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    response_verror(res, status, fmt, ap);
    va_end(ap);
    return 0;
}

int http_response_err(struct http_response *res, int code, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    response_verror(res, err_http_status(code), fmt, ap);
    va_end(ap);
    return 0;
}

void http_response_static(struct http_response *res, const void *data, size_t len)
{
    res->static_body = data;
    res->static_len = len;
}

void http_response_fd(struct http_response *res, int fd, uint64_t size)
{
    if (res->fd >= 0)
        close(res->fd);
    res->fd = fd;
    res->fd_size = size;
}

int http_response_text(struct http_response *res, int status, const char *text)
{
    res->status = status;
    res->content_type = "text/plain; charset=utf-8";
    buf_reset(&res->body);
    http_response_drop_special(res);
    buf_puts(&res->body, text);
    return 0;
}

/* ---- listen address ---- */

static int http_listen_usage(struct err *e, const char *address, const char *why)
{
    return err_set(e, ERR_USAGE,
                   "listen address \"%s\": %s; expected HOST:PORT, e.g. 127.0.0.1:8080, "
                   "[::1]:8080 or :8080 (all interfaces)",
                   address, why);
}

int http_parse_listen(const char *address, struct buf *host, unsigned *port, struct err *e)
{
    if (!address || !*address)
        return http_listen_usage(e, address ? address : "", "empty");
    const char *host_start, *host_end, *port_text;
    if (address[0] == '[') {
        host_start = address + 1;
        host_end = strchr(host_start, ']');
        if (!host_end)
            return http_listen_usage(e, address, "missing ']'");
        if (host_end[1] != ':')
            return http_listen_usage(e, address, "missing :PORT after ']'");
        if (host_end == host_start)
            return http_listen_usage(e, address, "empty IPv6 address");
        port_text = host_end + 2;
    } else {
        const char *colon = strrchr(address, ':');
        if (!colon)
            return http_listen_usage(e, address, "missing :PORT");
        if (memchr(address, ':', (size_t)(colon - address)))
            return http_listen_usage(e, address, "an IPv6 address needs brackets");
        host_start = address;
        host_end = colon;
        port_text = colon + 1;
    }
    size_t digits = strspn(port_text, "0123456789");
    if (digits == 0 || digits > 5 || port_text[digits] != '\0')
        return http_listen_usage(e, address, "the port must be a number");
    unsigned long value = strtoul(port_text, NULL, 10);
    if (value > 65535)
        return http_listen_usage(e, address, "the port must be at most 65535");
    size_t host_len = (size_t)(host_end - host_start);
    if (host_len == 1 && host_start[0] == '*')
        host_len = 0;
    buf_append(host, host_start, host_len);
    *port = (unsigned)value;
    return 0;
}

/* Binds and listens on the configured address; fills srv->listen_fd, port and url. */
static int http_listen(struct http_server *srv, bool *ipv6, struct err *e)
{
    const char *address = srv->cfg.listen;
    struct buf host = BUF_INIT;
    struct addrinfo *found = NULL;
    unsigned port = 0;
    int rc = http_parse_listen(address, &host, &port, e);
    if (rc < 0)
        goto out;

    struct addrinfo hints;
    memset(&hints, 0, sizeof hints);
    hints.ai_socktype = SOCK_STREAM;
    hints.ai_flags = AI_NUMERICSERV | (host.len ? 0 : AI_PASSIVE);
    hints.ai_family = host.len ? AF_UNSPEC : AF_INET;
    char port_text[8];
    snprintf(port_text, sizeof port_text, "%u", port);
    int gai = getaddrinfo(host.len ? buf_cstr(&host) : NULL, port_text, &hints, &found);
    if (gai != 0) {
        rc = err_set(e, ERR_USAGE, "listen address \"%s\": cannot resolve \"%s\": %s", address,
                     buf_cstr(&host), gai_strerror(gai));
        goto out;
    }
    int fd = -1, saved_errno = 0;
    const struct addrinfo *ai;
    for (ai = found; ai; ai = ai->ai_next) {
        fd = socket(ai->ai_family, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
        if (fd < 0) {
            saved_errno = errno;
            continue;
        }
        int on = 1;
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof on);
        if (ai->ai_family == AF_INET6)
            setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &on, sizeof on);
        if (bind(fd, ai->ai_addr, ai->ai_addrlen) == 0 && listen(fd, SOMAXCONN) == 0)
            break;
        saved_errno = errno;
        close(fd);
        fd = -1;
    }
    if (fd < 0) {
        char ebuf[128];
        const char *why = strerror_r(saved_errno, ebuf, sizeof ebuf);
        const char *hint = saved_errno == EADDRINUSE ? " (another program uses this port: "
                                                       "stop it or choose another port)"
                           : saved_errno == EACCES   ? " (ports below 1024 need privileges)"
                           : saved_errno == EADDRNOTAVAIL
                               ? " (no interface of this machine has that address)"
                               : "";
        rc = err_set(e, ERR_IO, "cannot listen on %s: %s%s", address, why, hint);
        goto out;
    }
    *ipv6 = ai->ai_family == AF_INET6;

    struct sockaddr_storage bound;
    socklen_t bound_len = sizeof bound;
    char numeric[INET6_ADDRSTRLEN] = "?", service[8] = "0";
    if (getsockname(fd, (struct sockaddr *)&bound, &bound_len) == 0)
        getnameinfo((struct sockaddr *)&bound, bound_len, numeric, sizeof numeric, service,
                    sizeof service, NI_NUMERICHOST | NI_NUMERICSERV);
    srv->listen_fd = fd;
    srv->port = (unsigned)strtoul(service, NULL, 10);
    snprintf(srv->url, sizeof srv->url, *ipv6 ? "http://[%s]:%u/" : "http://%s:%u/", numeric,
             srv->port);
out:
    if (found)
        freeaddrinfo(found);
    buf_release(&host);
    return rc;
}

/* ---- requests ---- */

static enum http_method http_method_of(const char *m)
{
    static const struct {
        const char *name;
        enum http_method method;
    } methods[] = {
        {"GET", HTTP_GET},         {"HEAD", HTTP_HEAD},     {"POST", HTTP_POST},
        {"PUT", HTTP_PUT},         {"DELETE", HTTP_DELETE}, {"PATCH", HTTP_PATCH},
        {"OPTIONS", HTTP_OPTIONS},
    };
    for (size_t i = 0; i < sizeof methods / sizeof methods[0]; i++) {
        if (strcmp(m, methods[i].name) == 0)
            return methods[i].method;
    }
    return HTTP_OTHER;
}

/* Whether pattern matches path; *param gets the rest for prefix patterns. */
static bool http_route_matches(const char *pattern, const char *path, const char **param)
{
    size_t len = strlen(pattern);
    *param = NULL;
    if (len >= 2 && pattern[len - 2] == '/' && pattern[len - 1] == '*') {
        if (strncmp(path, pattern, len - 1) != 0 || path[len - 1] == '\0')
            return false;
        *param = path + len - 1;
        return true;
    }
    return strcmp(pattern, path) == 0;
}

/* Finds the route for the request's method and path, and the methods the path accepts. */
static void http_route_request(struct http_request_impl *r)
{
    const struct http_config *cfg = &r->srv->cfg;
    for (size_t i = 0; i < cfg->nroutes; i++) {
        const struct http_route *route = &cfg->routes[i];
        const char *param;
        if (!http_route_matches(route->path, r->req.path, &param))
            continue;
        unsigned methods = route->methods;
        if (methods & HTTP_GET)
            methods |= HTTP_HEAD;
        r->allowed |= methods;
        if (!r->route && (methods & r->req.method)) {
            r->route = route;
            r->req.path_param = param;
        }
    }
}

static struct http_request_impl *http_request_new(struct http_server *srv,
                                                  struct MHD_Connection *conn, const char *url,
                                                  const char *method)
{
    struct http_request_impl *r = xcalloc(1, sizeof *r);
    r->req.impl = r;
    r->srv = srv;
    r->conn = conn;
    clock_gettime(CLOCK_MONOTONIC, &r->started);
    r->req.method_name = http_strdup(&r->req, method);
    r->req.method = http_method_of(method);
    r->req.path = http_strdup(&r->req, url);
    r->req.app = srv->cfg.app;
    r->reserve = http_conn_is_reserve(conn);
    cbuf_init(&r->req.body, 0); /* the route decides the cap */
    r->res.req = &r->req;
    r->res.status = 200;
    r->res.content_type = "text/plain; charset=utf-8";
    r->res.fd = -1;
    buf_init(&r->res.body);

    snprintf(r->client, sizeof r->client, "-");
    const union MHD_ConnectionInfo *info =
        MHD_get_connection_info(conn, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
    if (info && info->client_addr) {
        socklen_t len = info->client_addr->sa_family == AF_INET6 ? sizeof(struct sockaddr_in6)
                                                                 : sizeof(struct sockaddr_in);
        getnameinfo(info->client_addr, len, r->client, sizeof r->client, NULL, 0, NI_NUMERICHOST);
    }
    return r;
}

static void http_request_free(struct http_request_impl *r)
{
    if (r->req.state_free)
        r->req.state_free(r->req.state);
    struct arena_block *b = r->arena;
    while (b) {
        struct arena_block *next = b->next;
        free(b);
        b = next;
    }
    cbuf_release(&r->req.body);
    buf_release(&r->res.body);
    if (r->res.fd >= 0)
        close(r->res.fd);
    free(r);
}

const char *http_client(struct http_request *req)
{
    return req->impl->client;
}

static bool http_is_api_path(const char *path)
{
    return strncmp(path, "/api/", 5) == 0 || strcmp(path, "/api") == 0;
}

/* Queues r->res. The response body is handed to libmicrohttpd, which frees it. */
static enum MHD_Result http_queue(struct http_request_impl *r)
{
    struct http_response *res = &r->res;
    struct MHD_Response *mr;
    uint64_t len;
    if (res->fd >= 0) {
        len = res->fd_size;
        mr = MHD_create_response_from_fd64(len, res->fd);
        if (!mr)
            return MHD_NO; /* fd closed with the request */
        res->fd = -1;      /* libmicrohttpd closes it */
    } else if (res->static_body) {
        len = res->static_len;
        mr = MHD_create_response_from_buffer(res->static_len, (void *)res->static_body,
                                             MHD_RESPMEM_PERSISTENT);
        if (!mr)
            return MHD_NO;
    } else {
        len = res->body.len;
        char *data = buf_detach(&res->body);
        mr = MHD_create_response_from_buffer((size_t)len, data, MHD_RESPMEM_MUST_FREE);
        if (!mr) {
            free(data);
            return MHD_NO;
        }
    }
    MHD_add_response_header(mr, MHD_HTTP_HEADER_CONTENT_TYPE, res->content_type);
    MHD_add_response_header(mr, "X-Content-Type-Options", "nosniff");
    if (res->no_store)
        MHD_add_response_header(mr, MHD_HTTP_HEADER_CACHE_CONTROL, "no-store");
    else if (res->cache_control)
        MHD_add_response_header(mr, MHD_HTTP_HEADER_CACHE_CONTROL, res->cache_control);
    for (const struct http_header_node *h = res->headers; h; h = h->next)
        MHD_add_response_header(mr, h->name, h->value);
    if (atomic_load(&r->srv->draining) || r->reserve)
        MHD_add_response_header(mr, MHD_HTTP_HEADER_CONNECTION, "close");
    r->status = res->status;
    r->bytes = (size_t)len;
    r->responded = true;
    enum MHD_Result rc = MHD_queue_response(r->conn, (unsigned)res->status, mr);
    MHD_destroy_response(mr);
    return rc;
}

static void http_allow_header(struct http_request_impl *r, struct buf *allow)
{
    static const struct {
        unsigned bit;
        const char *name;
    } names[] = {{HTTP_GET, "GET"},        {HTTP_HEAD, "HEAD"},     {HTTP_POST, "POST"},
                 {HTTP_PUT, "PUT"},        {HTTP_DELETE, "DELETE"}, {HTTP_PATCH, "PATCH"},
                 {HTTP_OPTIONS, "OPTIONS"}};
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        if (r->allowed & names[i].bit) {
            if (allow->len)
                buf_puts(allow, ", ");
            buf_puts(allow, names[i].name);
        }
    }
}

/* Runs the handler (or answers 404/405) once the whole request is in, then queues. */
static enum MHD_Result http_dispatch(struct http_request_impl *r)
{
    struct http_request *req = &r->req;
    struct http_response *res = &r->res;
    int rc = 0;
    if (r->refused) {
        /* the answer is in res already */
    } else if (r->route) {
        rc = r->route->handler(req, res);
    } else if (r->allowed) {
        struct buf allow = BUF_INIT;
        http_allow_header(r, &allow);
        http_response_header(res, "Allow", buf_cstr(&allow));
        http_response_error(res, 405, "method %s is not allowed for %s (allowed: %s)",
                            req->method_name, req->path, buf_cstr(&allow));
        buf_release(&allow);
    } else if (http_is_api_path(req->path) || !r->srv->cfg.not_found) {
        if (http_is_api_path(req->path))
            http_response_error(res, 404, "no such endpoint: %s", req->path);
        else
            http_response_text(res, 404, "not found\n");
    } else {
        rc = r->srv->cfg.not_found(req, res);
    }
    if (rc < 0) {
        r->handler_failed = true;
        res->headers = NULL;
        res->cache_control = NULL;
        http_response_error(res, 500, "internal error while answering %s %s", req->method_name,
                            req->path);
    }
    return http_queue(r);
}

/* Whether the request announces a body (Content-Length above 0, or chunked). */
static bool http_has_body(struct http_request_impl *r, const char *declared)
{
    if (declared && strspn(declared, "0") != strlen(declared))
        return true;
    return MHD_lookup_connection_value(r->conn, MHD_HEADER_KIND,
                                       MHD_HTTP_HEADER_TRANSFER_ENCODING) != NULL;
}

/* A refused request's body up to this size is read and dropped before the answer goes out:
 * closing on a client that is still sending makes it fail with a broken pipe instead of
 * reading the answer. Larger (or unsized) bodies are answered at once and the connection
 * closed; clients send those after "Expect: 100-continue", which the early answer spares. */
#define HTTP_DRAIN_MAX (16u << 20)

/* Answers a refusal already in r->res: on the last callback, after the body if any
 * (http_body drops it, http_dispatch sends), so that the connection stays open; at once
 * (closing it) when the body is too large to read or of unknown size. */
static enum MHD_Result http_refuse(struct http_request_impl *r, const char *declared)
{
    unsigned long long n = 0;
    char *end = NULL;
    if (declared) {
        errno = 0;
        n = strtoull(declared, &end, 10);
    }
    bool small = declared && end != declared && errno != ERANGE && n <= HTTP_DRAIN_MAX;
    if (!small && http_has_body(r, declared))
        return http_queue(r);
    r->refused = true;
    return MHD_YES;
}

/* Finds a query parameter whose name or value holds a NUL byte (%00): handlers read the
 * parameters as C strings, so the rest of such a value would be dropped without a word
 * ("min_roas=1%00abc" read as 1). */
static enum MHD_Result http_find_nul(void *cls, enum MHD_ValueKind kind, const char *key,
                                     size_t key_size, const char *value, size_t value_size)
{
    (void)kind;
    if (strlen(key) != key_size || (value && strlen(value) != value_size)) {
        *(const char **)cls = key;
        return MHD_NO;
    }
    return MHD_YES;
}

/* Whether the request is the health check, the one request answered on a reserve
 * connection. */
static bool http_is_health_check(const struct http_request_impl *r)
{
    return (r->req.method == HTTP_GET || r->req.method == HTTP_HEAD) &&
           strcmp(r->req.path, r->srv->cfg.health_path) == 0;
}

/* Puts the 413 for a body over the cap in r->res; declared is its Content-Length, or NULL
 * when it was found too large as it arrived (chunked). */
static void http_body_too_large(struct http_request_impl *r, const char *declared)
{
    bool upload = r->route && r->route->max_body == HTTP_MAX_UPLOAD;
    const char *hint = upload ? " (the server's --max-upload-size)" : "";
    if (declared)
        http_response_error(&r->res, 413,
                            "request body of %s bytes is larger than the limit of %zu bytes%s",
                            declared, r->body_cap, hint);
    else
        http_response_error(&r->res, 413, "request body is larger than the limit of %zu bytes%s",
                            r->body_cap, hint);
}

/* First callback: route, then refuse what will not be served: anything but the health
 * check on a reserve connection (503), no route for a request with a body (404/405), the
 * guard's refusal (sign-in, rights), a body over the cap (413). Everything else is answered
 * on a later callback, so that the connection stays open (STACK.md gotcha 1). */
static enum MHD_Result http_begin(struct http_request_impl *r)
{
    const struct http_config *cfg = &r->srv->cfg;
    if (r->reserve && !http_is_health_check(r)) {
        http_response_header(&r->res, "Retry-After", "1");
        http_response_error(&r->res, 503,
                            "the server is busy: it serves at most %u connections at once, "
                            "%u from one address; only %s is answered until one closes, try "
                            "again shortly",
                            cfg->connection_limit, cfg->per_client_limit, cfg->health_path);
        return http_refuse(r, MHD_lookup_connection_value(r->conn, MHD_HEADER_KIND,
                                                          MHD_HTTP_HEADER_CONTENT_LENGTH));
    }
    http_route_request(r);
    r->body_cap = r->route && r->route->max_body ? r->route->max_body : r->srv->cfg.max_body;
    if (r->body_cap == HTTP_MAX_UPLOAD)
        r->body_cap = r->srv->cfg.max_upload;
    if (r->route && !r->route->on_body)
        r->req.body.max = r->body_cap;
    const char *declared =
        MHD_lookup_connection_value(r->conn, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_LENGTH);
    const char *nul_param = NULL;
    MHD_get_connection_values_n(r->conn, MHD_GET_ARGUMENT_KIND, http_find_nul, &nul_param);
    if (nul_param) {
        http_response_error(&r->res, 400,
                            "query parameter \"%s\": a NUL byte (%%00) is not allowed in a "
                            "parameter",
                            nul_param);
        return http_refuse(r, declared);
    }
    if (!r->route && http_has_body(r, declared))
        return http_dispatch(r);
    if (r->route && r->srv->cfg.guard && r->srv->cfg.guard(&r->req, r->route, &r->res) != 0)
        return http_refuse(r, declared);
    if (declared) {
        char *end;
        errno = 0;
        unsigned long long n = strtoull(declared, &end, 10);
        if ((errno == ERANGE || n > r->body_cap) && end != declared) {
            http_body_too_large(r, declared);
            return http_refuse(r, declared);
        }
    }
    return MHD_YES;
}

/* Refuses the rest of a body found too large as it arrived (chunked, so no Content-Length
 * to refuse up front): libmicrohttpd cannot answer before the body is in, so the rest is
 * read and dropped (http_body) and the 413 goes out on the last callback. */
static enum MHD_Result http_refuse_body(struct http_request_impl *r, size_t len)
{
    http_body_too_large(r, NULL);
    r->refused = true;
    r->dropped = len;
    return MHD_YES;
}

/* A chunk of the body: counted against the cap, then collected or streamed. */
static enum MHD_Result http_body(struct http_request_impl *r, const char *data, size_t len)
{
    if (r->responded || r->refused) {
        /* Answered or refused: drop the rest. A body that goes on for more than
         * HTTP_DRAIN_MAX past the refusal is cut off without the answer, which cannot be
         * sent while the client is still sending (libmicrohttpd). */
        r->dropped += len;
        if (r->dropped > HTTP_DRAIN_MAX) {
            r->status = r->res.status;
            return MHD_NO;
        }
        return MHD_YES;
    }
    if (len > r->body_cap - r->body_bytes)
        return http_refuse_body(r, len);
    r->body_bytes += len;
    if (!r->route)
        return MHD_YES;
    if (r->route->on_body) {
        if (!r->req.body_failed && r->route->on_body(&r->req, data, len) < 0)
            r->req.body_failed = true;
        return MHD_YES;
    }
    if (cbuf_append(&r->req.body, data, len) < 0)
        return http_refuse_body(r, len);
    return MHD_YES;
}

static enum MHD_Result http_access(void *cls, struct MHD_Connection *conn, const char *url,
                                   const char *method, const char *version, const char *upload_data,
                                   size_t *upload_data_size, void **req_cls)
{
    (void)version;
    struct http_server *srv = cls;
    struct http_request_impl *r = *req_cls;
    if (!r) {
        http_conn_set_deadline(conn, -1);
        r = http_request_new(srv, conn, url, method);
        *req_cls = r;
        atomic_fetch_add(&srv->inflight, 1);
        return http_begin(r);
    }
    if (*upload_data_size > 0) {
        enum MHD_Result rc = http_body(r, upload_data, *upload_data_size);
        *upload_data_size = 0;
        return rc;
    }
    if (r->responded)
        return MHD_YES;
    return http_dispatch(r);
}

/* ---- access log ---- */

/* Appends s with bytes that could forge or garble a log line written as \xHH. */
static void http_log_escape(struct buf *out, const char *s)
{
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        if (*p < 0x20 || *p == 0x7F || *p == '"' || *p == '\\')
            buf_printf(out, "\\x%02x", *p);
        else
            buf_putc(out, (char)*p);
    }
}

static const char *http_termination_text(enum MHD_RequestTerminationCode toe)
{
    switch (toe) {
    case MHD_REQUEST_TERMINATED_COMPLETED_OK:
        return NULL;
    case MHD_REQUEST_TERMINATED_WITH_ERROR:
        return "aborted: error";
    case MHD_REQUEST_TERMINATED_TIMEOUT_REACHED:
        return "aborted: timeout";
    case MHD_REQUEST_TERMINATED_DAEMON_SHUTDOWN:
        return "aborted: server shutdown";
    case MHD_REQUEST_TERMINATED_READ_ERROR:
        return "aborted: read error";
    case MHD_REQUEST_TERMINATED_CLIENT_ABORT:
        return "aborted: client closed";
    default:
        return "aborted";
    }
}

/* One line per request: time, client, "METHOD PATH", status, body bytes, duration. */
static void http_access_log(struct http_request_impl *r, enum MHD_RequestTerminationCode toe,
                            double ms)
{
    struct timespec now_wall;
    clock_gettime(CLOCK_REALTIME, &now_wall);
    struct tm tm;
    char when[32] = "-";
    if (gmtime_r(&now_wall.tv_sec, &tm))
        strftime(when, sizeof when, "%Y-%m-%dT%H:%M:%SZ", &tm);

    struct buf line = BUF_INIT;
    buf_printf(&line, "%s %s \"", when, r->client);
    http_log_escape(&line, r->req.method_name);
    buf_putc(&line, ' ');
    http_log_escape(&line, r->req.path);
    buf_putc(&line, '"');
    if (r->status)
        buf_printf(&line, " %d", r->status);
    else
        buf_puts(&line, " -");
    buf_printf(&line, " %zu %.3fms", r->bytes, ms);
    const char *why = http_termination_text(toe);
    if (why)
        buf_printf(&line, " (%s)", why);
    buf_putc(&line, '\n');
    fputs(buf_cstr(&line), r->srv->log);
    fflush(r->srv->log);
    buf_release(&line);
}

/* Counts a completed request: by route pattern and status class, errors, latency. */
static void http_metrics_record(struct http_request_impl *r, enum MHD_RequestTerminationCode toe,
                                double ms)
{
    struct http_server *srv = r->srv;
    struct http_metrics *m = &srv->metrics;
    if (toe == MHD_REQUEST_TERMINATED_TIMEOUT_REACHED)
        atomic_fetch_add_explicit(&m->timed_out, 1, memory_order_relaxed);
    if (r->status < 100 || r->status > 599) {
        atomic_fetch_add_explicit(&m->aborted, 1, memory_order_relaxed);
        return;
    }
    size_t row = r->route ? (size_t)(r->route - srv->cfg.routes) : srv->cfg.nroutes;
    size_t cls = (size_t)(r->status / 100 - 1);
    atomic_fetch_add_explicit(&m->by_route[row * HTTP_STATUS_CLASSES + cls], 1,
                              memory_order_relaxed);
    if (r->status >= 500 || r->handler_failed)
        atomic_fetch_add_explicit(&m->errors, 1, memory_order_relaxed);
    double seconds = ms / 1e3;
    size_t b = 0;
    while (b < HTTP_LATENCY_BUCKETS - 1 && seconds > http_latency_bounds[b])
        b++;
    atomic_fetch_add_explicit(&m->latency[b], 1, memory_order_relaxed);
    atomic_fetch_add_explicit(&m->latency_sum_us, (uint_fast64_t)(ms * 1e3), memory_order_relaxed);
}

static void http_completed(void *cls, struct MHD_Connection *conn, void **req_cls,
                           enum MHD_RequestTerminationCode toe)
{
    struct http_server *srv = cls;
    struct http_request_impl *r = *req_cls;
    if (!r)
        return;
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    double ms = (double)(now.tv_sec - r->started.tv_sec) * 1e3 +
                (double)(now.tv_nsec - r->started.tv_nsec) / 1e6;
    http_metrics_record(r, toe, ms);
    http_access_log(r, toe, ms);
    /* The next request's head: within the idle timeout and the head timeout from now (and
     * within the head timeout of its request line, http_request_line). */
    http_conn_set_deadline(conn, http_now_ms() + (long long)srv->cfg.connection_timeout * 1000 +
                                     http_header_ms(srv, r->reserve));
    http_request_free(r);
    *req_cls = NULL;
    atomic_fetch_sub(&srv->inflight, 1);
}

/* ---- connections: admission, the health-check reserve, the request-head deadline ---- */

static long long http_now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* The most a request head may take, in milliseconds. */
static long long http_header_ms(const struct http_server *srv, bool reserve)
{
    unsigned seconds = srv->cfg.header_timeout;
    if (reserve && seconds > RESERVE_HEADER_TIMEOUT)
        seconds = RESERVE_HEADER_TIMEOUT;
    return (long long)seconds * 1000;
}

static struct http_conn *http_conn_of(struct MHD_Connection *conn)
{
    const union MHD_ConnectionInfo *info =
        MHD_get_connection_info(conn, MHD_CONNECTION_INFO_SOCKET_CONTEXT);
    return info ? info->socket_context : NULL;
}

/* Sets the time by which the connection's next request head must be complete, or (-1) none
 * while a request runs. */
static void http_conn_set_deadline(struct MHD_Connection *conn, long long deadline_ms)
{
    struct http_conn *c = http_conn_of(conn);
    if (c)
        atomic_store(&c->head_deadline_ms, deadline_ms);
}

static bool http_conn_is_reserve(struct MHD_Connection *conn)
{
    struct http_conn *c = http_conn_of(conn);
    return c && c->reserve;
}

/* A client address as the key of its counts: IPv4 (also IPv4-mapped IPv6) or IPv6 bytes. */
struct http_addr {
    unsigned char bytes[16];
    unsigned char len;
};

static void http_addr_of(const struct sockaddr *sa, socklen_t salen, struct http_addr *a)
{
    memset(a, 0, sizeof *a);
    if (!sa)
        return;
    if (sa->sa_family == AF_INET && salen >= (socklen_t)sizeof(struct sockaddr_in)) {
        struct sockaddr_in in;
        memcpy(&in, sa, sizeof in);
        memcpy(a->bytes, &in.sin_addr, 4);
        a->len = 4;
    } else if (sa->sa_family == AF_INET6 && salen >= (socklen_t)sizeof(struct sockaddr_in6)) {
        struct sockaddr_in6 in6;
        memcpy(&in6, sa, sizeof in6);
        bool mapped = IN6_IS_ADDR_V4MAPPED(&in6.sin6_addr);
        a->len = mapped ? 4 : 16;
        memcpy(a->bytes, in6.sin6_addr.s6_addr + (mapped ? 12 : 0), a->len);
    }
}

static struct http_client **http_client_bucket(struct http_server *srv, const struct http_addr *a)
{
    uint32_t h = 2166136261u; /* FNV-1a */
    for (size_t i = 0; i < a->len; i++)
        h = (h ^ a->bytes[i]) * 16777619u;
    return &srv->clients[h % HTTP_CLIENT_BUCKETS];
}

/* The counts of an address, or NULL when it has no connection open. Under conns_lock. */
static struct http_client *http_client_find(struct http_server *srv, const struct http_addr *a)
{
    for (struct http_client *cl = *http_client_bucket(srv, a); cl; cl = cl->next)
        if (cl->len == a->len && memcmp(cl->addr, a->bytes, a->len) == 0)
            return cl;
    return NULL;
}

enum http_slot { HTTP_SLOT_NONE, HTTP_SLOT_NORMAL, HTTP_SLOT_RESERVE };

/* Where a new connection from a client with counts cl (NULL: none open) goes: the normal
 * pool while it and the client's share have room, else the health-check reserve while it
 * and the client's half of it have room, else nowhere. Under conns_lock. */
static enum http_slot http_slot_for(const struct http_server *srv, const struct http_client *cl)
{
    const struct http_config *c = &srv->cfg;
    if (srv->open_normal < c->connection_limit && (!cl || cl->normal < c->per_client_limit))
        return HTTP_SLOT_NORMAL;
    unsigned share = c->health_reserve / 2 ? c->health_reserve / 2 : 1;
    if (srv->open_reserve < c->health_reserve && (!cl || cl->reserve < share))
        return HTTP_SLOT_RESERVE;
    return HTTP_SLOT_NONE;
}

/* Counts a new connection in its slot. Under conns_lock. */
static void http_conn_admit(struct http_server *srv, struct http_conn *c, const struct http_addr *a)
{
    struct http_client *cl = http_client_find(srv, a);
    /* NONE cannot happen after the accept policy; counted on the reserve all the same. */
    c->reserve = http_slot_for(srv, cl) != HTTP_SLOT_NORMAL;
    if (!cl) {
        struct http_client **bucket = http_client_bucket(srv, a);
        cl = xcalloc(1, sizeof *cl);
        memcpy(cl->addr, a->bytes, a->len);
        cl->len = a->len;
        cl->next = *bucket;
        *bucket = cl;
    }
    c->client = cl;
    c->counted = true;
    if (c->reserve) {
        cl->reserve++;
        srv->open_reserve++;
    } else {
        cl->normal++;
        srv->open_normal++;
    }
}

/* Takes a connection off the counts, once it is cut or closed. Under conns_lock. */
static void http_conn_release_slot(struct http_server *srv, struct http_conn *c)
{
    struct http_client *cl = c->client;
    if (!c->counted)
        return;
    c->counted = false;
    c->client = NULL;
    if (c->reserve) {
        cl->reserve--;
        srv->open_reserve--;
    } else {
        cl->normal--;
        srv->open_normal--;
    }
    if (cl->normal || cl->reserve)
        return;
    struct http_addr a;
    memcpy(a.bytes, cl->addr, sizeof a.bytes);
    a.len = cl->len;
    for (struct http_client **p = http_client_bucket(srv, &a); *p; p = &(*p)->next) {
        if (*p == cl) {
            *p = cl->next;
            break;
        }
    }
    free(cl);
}

/* Shuts a connection down (libmicrohttpd then sees the end of the stream and closes it) and
 * frees its place at once. Under conns_lock. */
static void http_conn_cut(struct http_server *srv, struct http_conn *c)
{
    if (c->fd >= 0)
        shutdown(c->fd, SHUT_RDWR);
    c->cut = true;
    http_conn_release_slot(srv, c);
}

/* When the reserve has no room for a new connection from a client with counts cl: cuts the
 * reserve connection that has waited longest for its request head, if that is longer than
 * RESERVE_STALE_MS (of the same client when that client's half is what is full). Slow
 * clients that spilled over onto the reserve thus never keep a health check out. Under
 * conns_lock. */
static void http_evict_stale_reserve(struct http_server *srv, const struct http_client *cl)
{
    unsigned share = srv->cfg.health_reserve / 2 ? srv->cfg.health_reserve / 2 : 1;
    bool own = cl && cl->reserve >= share;
    long long stale = http_now_ms() - RESERVE_STALE_MS;
    struct http_conn *oldest = NULL;
    for (struct http_conn *c = srv->conns; c; c = c->next) {
        if (!c->reserve || !c->counted || c->cut || (own && c->client != cl) ||
            atomic_load(&c->head_deadline_ms) < 0 || c->opened_ms > stale)
            continue;
        if (!oldest || c->opened_ms < oldest->opened_ms)
            oldest = c;
    }
    if (oldest) {
        http_conn_cut(srv, oldest);
        atomic_fetch_add_explicit(&srv->metrics.timed_out, 1, memory_order_relaxed);
    }
}

/* libmicrohttpd's accept policy: closes a connection at once when neither the pool nor the
 * reserve has room for it. Connections are accepted on one thread, so the slot found here
 * is still free when http_notify_connection takes it. */
static enum MHD_Result http_accept_policy(void *cls, const struct sockaddr *addr, socklen_t addrlen)
{
    struct http_server *srv = cls;
    struct http_addr a;
    http_addr_of(addr, addrlen, &a);
    pthread_mutex_lock(&srv->conns_lock);
    struct http_client *cl = http_client_find(srv, &a);
    enum http_slot slot = http_slot_for(srv, cl);
    if (slot == HTTP_SLOT_NONE) {
        http_evict_stale_reserve(srv, cl);
        slot = http_slot_for(srv, http_client_find(srv, &a));
    }
    pthread_mutex_unlock(&srv->conns_lock);
    if (slot != HTTP_SLOT_NONE)
        return MHD_YES;
    atomic_fetch_add_explicit(&srv->metrics.refused, 1, memory_order_relaxed);
    return MHD_NO;
}

/* Joins a new connection to the list and the counts, and takes it off when it closes.
 * libmicrohttpd calls CLOSED before it closes the socket, so a listed fd is always still
 * the connection's own (the watchdog may shut it down without hitting a reused
 * descriptor). */
static void http_notify_connection(void *cls, struct MHD_Connection *conn, void **socket_context,
                                   enum MHD_ConnectionNotificationCode toe)
{
    struct http_server *srv = cls;
    struct http_metrics *m = &srv->metrics;
    if (toe == MHD_CONNECTION_NOTIFY_STARTED) {
        const union MHD_ConnectionInfo *info =
            MHD_get_connection_info(conn, MHD_CONNECTION_INFO_CONNECTION_FD);
        struct http_conn *c = xcalloc(1, sizeof *c);
        c->fd = info ? info->connect_fd : -1;
        c->opened_ms = http_now_ms();
        struct http_addr a;
        info = MHD_get_connection_info(conn, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
        http_addr_of(info ? info->client_addr : NULL, sizeof(struct sockaddr_storage), &a);
        pthread_mutex_lock(&srv->conns_lock);
        http_conn_admit(srv, c, &a);
        atomic_init(&c->head_deadline_ms, c->opened_ms + http_header_ms(srv, c->reserve));
        atomic_init(&c->has_thread, false);
        c->next = srv->conns;
        if (c->next)
            c->next->prev = c;
        srv->conns = c;
        pthread_mutex_unlock(&srv->conns_lock);
        *socket_context = c;
        atomic_fetch_add_explicit(&m->connections, 1, memory_order_relaxed);
        atomic_fetch_add_explicit(&m->open_connections, 1, memory_order_relaxed);
        return;
    }
    struct http_conn *c = *socket_context;
    if (!c)
        return;
    pthread_mutex_lock(&srv->conns_lock);
    if (c->prev)
        c->prev->next = c->next;
    else
        srv->conns = c->next;
    if (c->next)
        c->next->prev = c->prev;
    http_conn_release_slot(srv, c);
    pthread_mutex_unlock(&srv->conns_lock);
    free(c);
    *socket_context = NULL;
    atomic_fetch_sub_explicit(&m->open_connections, 1, memory_order_relaxed);
}

/* libmicrohttpd's URI log callback, called on the connection's thread when a request line is
 * in (before the headers): from now on the head has at most the head timeout, also on a
 * kept-alive connection whose deadline still counts from its previous answer. Returns the
 * request's initial context: none (http_access makes it). */
static void *http_request_line(void *cls, const char *uri, struct MHD_Connection *conn)
{
    (void)uri;
    struct http_server *srv = cls;
    struct http_conn *c = http_conn_of(conn);
    if (!c)
        return NULL;
    if (!atomic_load_explicit(&c->has_thread, memory_order_acquire)) {
        c->thread = pthread_self();
        atomic_store_explicit(&c->has_thread, true, memory_order_release);
    }
    long long limit = http_now_ms() + http_header_ms(srv, c->reserve);
    long long deadline = atomic_load(&c->head_deadline_ms);
    if (deadline < 0 || deadline > limit)
        atomic_store(&c->head_deadline_ms, limit);
    return NULL;
}

/* Shuts down connections whose request head is not complete by its deadline; libmicrohttpd
 * then sees the end of the stream and closes them. */
static void http_cut_slow_heads(struct http_server *srv)
{
    long long now = http_now_ms();
    pthread_mutex_lock(&srv->conns_lock);
    for (struct http_conn *c = srv->conns; c; c = c->next) {
        long long deadline = atomic_load(&c->head_deadline_ms);
        if (c->cut || deadline < 0 || deadline > now || c->fd < 0)
            continue;
        http_conn_cut(srv, c);
        atomic_fetch_add_explicit(&srv->metrics.timed_out, 1, memory_order_relaxed);
    }
    pthread_mutex_unlock(&srv->conns_lock);
}

static void *http_watchdog_main(void *arg)
{
    struct http_server *srv = arg;
    /* Four checks per shortest head timeout, at most one a second: a cut comes at most
     * 25 % late. */
    unsigned shortest = srv->cfg.header_timeout < RESERVE_HEADER_TIMEOUT ? srv->cfg.header_timeout
                                                                         : RESERVE_HEADER_TIMEOUT;
    long long tick_ms = (long long)shortest * 250;
    if (tick_ms > 1000)
        tick_ms = 1000;
    pthread_mutex_lock(&srv->watchdog_lock);
    while (!srv->watchdog_stop) {
        struct timespec until;
        clock_gettime(CLOCK_REALTIME, &until);
        until.tv_nsec += (long)(tick_ms % 1000) * 1000000L;
        until.tv_sec += (time_t)(tick_ms / 1000) + until.tv_nsec / 1000000000L;
        until.tv_nsec %= 1000000000L;
        pthread_cond_timedwait(&srv->watchdog_wake, &srv->watchdog_lock, &until);
        if (srv->watchdog_stop)
            break;
        pthread_mutex_unlock(&srv->watchdog_lock);
        http_cut_slow_heads(srv);
        pthread_mutex_lock(&srv->watchdog_lock);
    }
    pthread_mutex_unlock(&srv->watchdog_lock);
    return NULL;
}

/* ---- refusals libmicrohttpd makes itself ---- */

/* Sends all of len bytes on the non-blocking socket fd, waiting up to a second for room. */
static void http_send_all(int fd, const char *data, size_t len)
{
    while (len > 0) {
        ssize_t n = send(fd, data, len, MSG_NOSIGNAL);
        if (n > 0) {
            data += n;
            len -= (size_t)n;
            continue;
        }
        if (n < 0 && errno == EINTR)
            continue;
        struct pollfd p = {.fd = fd, .events = POLLOUT};
        if (n == 0 || (errno != EAGAIN && errno != EWOULDBLOCK) || poll(&p, 1, 1000) <= 0)
            return;
    }
}

/* libmicrohttpd 0.9.75 answers a request whose Content-Length it cannot read (not a number,
 * or too large for 64 bits) by itself, but sends that answer's header block twice; it tells
 * only its logger, on the connection's thread, before it queues that answer. So the answer
 * goes out from here, once and as JSON like every other error, and the socket's sending side
 * is shut, so that libmicrohttpd's copy fails to go out and the connection closes. */
static void http_answer_bad_content_length(struct http_server *srv, int status)
{
    int fd = -1;
    pthread_mutex_lock(&srv->conns_lock);
    for (struct http_conn *c = srv->conns; c; c = c->next) {
        if (atomic_load(&c->has_thread) && pthread_equal(c->thread, pthread_self()) && !c->cut) {
            fd = c->fd;
            c->answered_bad_length = true;
            break;
        }
    }
    pthread_mutex_unlock(&srv->conns_lock);
    if (fd < 0)
        return; /* not on a connection's thread: libmicrohttpd's own answer goes out */
    struct buf body = BUF_INIT, out = BUF_INIT;
    struct json j;
    json_init(&j, &body);
    json_obj_begin(&j);
    json_kv_str(&j, "error",
                status == 413 ? "the Content-Length header is too large for any request body"
                              : "the Content-Length header is not a number of bytes");
    json_obj_end(&j);
    buf_putc(&body, '\n');
    buf_printf(&out,
               "HTTP/1.1 %s\r\nContent-Type: application/json\r\nContent-Length: %zu\r\n"
               "Cache-Control: no-store\r\nX-Content-Type-Options: nosniff\r\n"
               "Connection: close\r\n\r\n%s",
               status == 413 ? "413 Content Too Large" : "400 Bad Request", body.len,
               buf_cstr(&body));
    http_send_all(fd, out.data, out.len);
    shutdown(fd, SHUT_WR);
    buf_release(&out);
    buf_release(&body);
}

/* Whether the calling thread serves a connection answered by http_answer_bad_content_length
 * (libmicrohttpd's notes on the answer it then fails to send are left out of the log). */
static bool http_thread_answered_bad_length(struct http_server *srv)
{
    bool answered = false;
    pthread_mutex_lock(&srv->conns_lock);
    for (struct http_conn *c = srv->conns; c; c = c->next) {
        if (atomic_load(&c->has_thread) && pthread_equal(c->thread, pthread_self())) {
            answered = c->answered_bad_length;
            break;
        }
    }
    pthread_mutex_unlock(&srv->conns_lock);
    return answered;
}

/* libmicrohttpd's messages go to the access log, prefixed; the ones that announce its own
 * answer to a bad Content-Length are answered here instead (see above). */
__attribute__((format(printf, 2, 0))) static void http_mhd_log(void *cls, const char *fmt,
                                                               va_list ap)
{
    struct http_server *srv = cls;
    if (http_thread_answered_bad_length(srv))
        return;
    struct buf line = BUF_INIT;
    buf_puts(&line, "infludash: http: ");
    buf_vprintf(&line, fmt, ap);
    if (line.len && line.data[line.len - 1] != '\n')
        buf_putc(&line, '\n');
    fputs(buf_cstr(&line), srv->log);
    if (strstr(buf_cstr(&line), "Failed to parse `Content-Length' header"))
        http_answer_bad_content_length(srv, 400);
    else if (strstr(buf_cstr(&line), "Too large value of 'Content-Length' header"))
        http_answer_bad_content_length(srv, 413);
    buf_release(&line);
}

static void http_watchdog_stop(struct http_server *srv)
{
    if (!srv->watchdog_running)
        return;
    pthread_mutex_lock(&srv->watchdog_lock);
    srv->watchdog_stop = true;
    pthread_cond_signal(&srv->watchdog_wake);
    pthread_mutex_unlock(&srv->watchdog_lock);
    pthread_join(srv->watchdog, NULL);
    srv->watchdog_running = false;
}

/* ---- /metrics ---- */

static uint_fast64_t http_load(atomic_uint_fast64_t *v)
{
    return atomic_load_explicit(v, memory_order_relaxed);
}

/* Appends s as a Prometheus label value (backslash, quote and newline escaped). */
static void http_prom_label(struct buf *out, const char *s)
{
    for (; *s; s++) {
        if (*s == '\\' || *s == '"')
            buf_putc(out, '\\');
        if (*s == '\n')
            buf_puts(out, "\\n");
        else
            buf_putc(out, *s);
    }
}

/* Requests by route pattern: routes sharing a pattern (GET and DELETE on one path) are
 * summed into one series. */
static void http_metrics_write_requests(struct http_server *srv, struct buf *out)
{
    const struct http_config *cfg = &srv->cfg;
    struct http_metrics *m = &srv->metrics;
    buf_puts(out, "# HELP infludash_http_requests_total HTTP requests answered, by route "
                  "pattern and status class.\n# TYPE infludash_http_requests_total counter\n");
    for (size_t i = 0; i <= cfg->nroutes; i++) {
        const char *pattern = i < cfg->nroutes ? cfg->routes[i].path : "unmatched";
        bool seen = false;
        for (size_t j = 0; j < i && i < cfg->nroutes; j++)
            seen |= strcmp(cfg->routes[j].path, pattern) == 0;
        if (seen)
            continue;
        for (size_t cls = 0; cls < HTTP_STATUS_CLASSES; cls++) {
            uint_fast64_t n = http_load(&m->by_route[i * HTTP_STATUS_CLASSES + cls]);
            for (size_t j = i + 1; j < cfg->nroutes && i < cfg->nroutes; j++)
                if (strcmp(cfg->routes[j].path, pattern) == 0)
                    n += http_load(&m->by_route[j * HTTP_STATUS_CLASSES + cls]);
            if (!n && cls != 1)
                continue; /* 2xx always shows, the other classes once they happen */
            buf_puts(out, "infludash_http_requests_total{route=\"");
            http_prom_label(out, pattern);
            buf_printf(out, "\",code=\"%zuxx\"} %" PRIuFAST64 "\n", cls + 1, n);
        }
    }
}

static void http_metrics_write_latency(struct http_metrics *m, struct buf *out)
{
    buf_puts(out, "# HELP infludash_http_request_duration_seconds Time from a request's "
                  "head to its completion.\n"
                  "# TYPE infludash_http_request_duration_seconds histogram\n");
    uint_fast64_t cumulative = 0;
    for (size_t b = 0; b < HTTP_LATENCY_BUCKETS; b++) {
        cumulative += http_load(&m->latency[b]);
        if (b < HTTP_LATENCY_BUCKETS - 1)
            buf_printf(
                out, "infludash_http_request_duration_seconds_bucket{le=\"%g\"} %" PRIuFAST64 "\n",
                http_latency_bounds[b], cumulative);
        else
            buf_printf(out,
                       "infludash_http_request_duration_seconds_bucket{le=\"+Inf\"} %" PRIuFAST64
                       "\n",
                       cumulative);
    }
    buf_printf(out, "infludash_http_request_duration_seconds_sum %.6f\n",
               (double)http_load(&m->latency_sum_us) / 1e6);
    buf_printf(out, "infludash_http_request_duration_seconds_count %" PRIuFAST64 "\n", cumulative);
}

void http_metrics_write(struct http_request *req, struct buf *out)
{
    struct http_server *srv = req->impl->srv;
    struct http_metrics *m = &srv->metrics;
    http_metrics_write_requests(srv, out);
    buf_printf(out,
               "# HELP infludash_http_errors_total Requests answered 5xx or whose handler "
               "failed.\n# TYPE infludash_http_errors_total counter\n"
               "infludash_http_errors_total %" PRIuFAST64 "\n"
               "# HELP infludash_http_aborted_total Requests that ended without a response "
               "(client gone, read error, timeout).\n# TYPE infludash_http_aborted_total counter\n"
               "infludash_http_aborted_total %" PRIuFAST64 "\n"
               "# HELP infludash_http_timeouts_total Connections cut by the idle or "
               "request-head timeout.\n# TYPE infludash_http_timeouts_total counter\n"
               "infludash_http_timeouts_total %" PRIuFAST64 "\n",
               http_load(&m->errors), http_load(&m->aborted), http_load(&m->timed_out));
    http_metrics_write_latency(m, out);
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    double uptime =
        (double)(now.tv_sec - m->started.tv_sec) + (double)(now.tv_nsec - m->started.tv_nsec) / 1e9;
    pthread_mutex_lock(&srv->conns_lock);
    unsigned on_reserve = srv->open_reserve;
    pthread_mutex_unlock(&srv->conns_lock);
    buf_printf(out,
               "# HELP infludash_http_connections_total Connections accepted.\n"
               "# TYPE infludash_http_connections_total counter\n"
               "infludash_http_connections_total %" PRIuFAST64 "\n"
               "# HELP infludash_http_connections_refused_total Connections closed at once "
               "because the server, its health-check reserve or the client's share was full.\n"
               "# TYPE infludash_http_connections_refused_total counter\n"
               "infludash_http_connections_refused_total %" PRIuFAST64 "\n"
               "# HELP infludash_http_open_connections Connections open now.\n"
               "# TYPE infludash_http_open_connections gauge\n"
               "infludash_http_open_connections %d\n"
               "# HELP infludash_http_reserve_connections Connections open now on the "
               "health-check reserve.\n"
               "# TYPE infludash_http_reserve_connections gauge\n"
               "infludash_http_reserve_connections %u\n"
               "# HELP infludash_http_connection_limit The most connections served at once.\n"
               "# TYPE infludash_http_connection_limit gauge\n"
               "infludash_http_connection_limit %u\n"
               "# HELP infludash_uptime_seconds Seconds since the server started.\n"
               "# TYPE infludash_uptime_seconds gauge\n"
               "infludash_uptime_seconds %.3f\n",
               http_load(&m->connections), http_load(&m->refused),
               atomic_load(&m->open_connections), on_reserve, srv->cfg.connection_limit, uptime);
}

/* ---- lifecycle ---- */

static void http_signals_to_block(sigset_t *set)
{
    sigemptyset(set);
    sigaddset(set, SIGINT);
    sigaddset(set, SIGTERM);
}

/* Frees the server's memory once its daemon is stopped (or never started). */
static void http_server_free(struct http_server *srv)
{
    struct http_conn *c = srv->conns;
    while (c) {
        struct http_conn *next = c->next;
        free(c);
        c = next;
    }
    for (size_t i = 0; i < HTTP_CLIENT_BUCKETS; i++) {
        struct http_client *cl = srv->clients[i];
        while (cl) {
            struct http_client *next = cl->next;
            free(cl);
            cl = next;
        }
    }
    free(srv->metrics.by_route);
    pthread_cond_destroy(&srv->watchdog_wake);
    pthread_mutex_destroy(&srv->watchdog_lock);
    pthread_mutex_destroy(&srv->conns_lock);
    free(srv);
}

struct http_server *http_start(const struct http_config *cfg, struct err *e)
{
    struct http_server *srv = xcalloc(1, sizeof *srv);
    srv->cfg = *cfg;
    struct http_config *c = &srv->cfg;
    if (!c->listen)
        c->listen = HTTP_DEFAULT_LISTEN;
    if (!c->connection_limit)
        c->connection_limit = DEFAULT_CONNECTION_LIMIT;
    if (!c->connection_timeout)
        c->connection_timeout = DEFAULT_CONNECTION_TIMEOUT;
    if (!c->header_timeout)
        c->header_timeout = DEFAULT_HEADER_TIMEOUT;
    if (!c->per_client_limit)
        c->per_client_limit = DEFAULT_PER_CLIENT_LIMIT;
    if (!c->health_reserve)
        c->health_reserve = DEFAULT_HEALTH_RESERVE;
    if (!c->health_path)
        c->health_path = DEFAULT_HEALTH_PATH;
    if (!c->connection_memory)
        c->connection_memory = DEFAULT_CONNECTION_MEMORY;
    if (!c->max_body)
        c->max_body = DEFAULT_MAX_BODY;
    if (!c->max_upload)
        c->max_upload = DEFAULT_MAX_UPLOAD;
    if (!c->shutdown_timeout)
        c->shutdown_timeout = DEFAULT_SHUTDOWN_TIMEOUT;
    srv->log = c->access_log ? c->access_log : stderr;
    srv->listen_fd = -1;
    atomic_init(&srv->inflight, 0);
    atomic_init(&srv->draining, false);
    srv->metrics.by_route =
        xcalloc((c->nroutes + 1) * HTTP_STATUS_CLASSES, sizeof *srv->metrics.by_route);
    clock_gettime(CLOCK_MONOTONIC, &srv->metrics.started);
    pthread_mutex_init(&srv->conns_lock, NULL);
    pthread_mutex_init(&srv->watchdog_lock, NULL);
    pthread_cond_init(&srv->watchdog_wake, NULL);

    bool ipv6 = false;
    if (http_listen(srv, &ipv6, e) < 0) {
        http_server_free(srv);
        return NULL;
    }

    /* The daemon's threads inherit this mask: signals meant for shutdown reach only the
     * caller's threads (http_run_until_signal), and a closed peer never raises SIGPIPE. */
    sigset_t block, old;
    http_signals_to_block(&block);
    sigaddset(&block, SIGPIPE);
    pthread_sigmask(SIG_BLOCK, &block, &old);
    unsigned flags = MHD_USE_THREAD_PER_CONNECTION | MHD_USE_INTERNAL_POLLING_THREAD |
                     MHD_USE_POLL | MHD_USE_ITC | MHD_USE_ERROR_LOG;
    if (ipv6)
        flags |= MHD_USE_IPv6;
    /* The logger goes first, so that libmicrohttpd's messages about the options go to it. */
    /* http_accept_policy shares out the pool and the reserve; libmicrohttpd's own limit is
     * above them, so that the refusals are ours (and counted: it checks its limit first),
     * with room for connections that were cut (no longer counted) and are still closing. */
    srv->daemon =
        MHD_start_daemon(flags, 0, http_accept_policy, srv, http_access, srv,
                         MHD_OPTION_EXTERNAL_LOGGER, http_mhd_log, srv, MHD_OPTION_LISTEN_SOCKET,
                         (MHD_socket)srv->listen_fd, MHD_OPTION_CONNECTION_LIMIT,
                         (unsigned int)(c->connection_limit + 2 * c->health_reserve + 1),
                         MHD_OPTION_CONNECTION_TIMEOUT, (unsigned int)c->connection_timeout,
                         MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)c->connection_memory,
                         MHD_OPTION_NOTIFY_COMPLETED, http_completed, srv,
                         MHD_OPTION_NOTIFY_CONNECTION, http_notify_connection, srv,
                         MHD_OPTION_URI_LOG_CALLBACK, http_request_line, srv, MHD_OPTION_END);
    if (srv->daemon && pthread_create(&srv->watchdog, NULL, http_watchdog_main, srv) != 0) {
        MHD_stop_daemon(srv->daemon);
        srv->daemon = NULL;
        err_set(e, ERR_IO, "cannot start the HTTP server's connection watchdog thread");
        http_server_free(srv);
        return NULL;
    }
    if (srv->daemon)
        srv->watchdog_running = true;
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    if (!srv->daemon) {
        err_set(e, ERR_IO,
                "cannot start the HTTP server on %s (libmicrohttpd refused; see the "
                "message above)",
                c->listen);
        close(srv->listen_fd);
        http_server_free(srv);
        return NULL;
    }
    return srv;
}

unsigned http_port(const struct http_server *srv)
{
    return srv->port;
}

const char *http_url(const struct http_server *srv)
{
    return srv->url;
}

int http_inflight(const struct http_server *srv)
{
    return atomic_load(&((struct http_server *)srv)->inflight);
}

int http_open_connections(const struct http_server *srv)
{
    return atomic_load(&((struct http_server *)srv)->metrics.open_connections);
}

static double http_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Stops accepting, waits for requests in flight (until the deadline, or until a signal in
 * interrupt arrives when it is not NULL), then stops the daemon, closing idle connections. */
static void http_drain_and_stop(struct http_server *srv, const sigset_t *interrupt)
{
    if (!srv->daemon)
        return;
    atomic_store(&srv->draining, true);
    MHD_socket fd = MHD_quiesce_daemon(srv->daemon);
    if (fd != MHD_INVALID_SOCKET) {
        srv->quiesced = true;
        srv->listen_fd = fd;
        /* Refuse new connections now instead of leaving them in the backlog until the
         * stop; the descriptor itself stays open until MHD_stop_daemon (its rule). */
        shutdown(fd, SHUT_RDWR);
    }
    double deadline = http_now() + srv->cfg.shutdown_timeout;
    int waiting = http_inflight(srv);
    if (waiting > 0)
        fprintf(srv->log, "infludash: finishing %d request(s) in flight\n", waiting);
    while (http_inflight(srv) > 0 && http_now() < deadline) {
        struct timespec tick = {0, 20 * 1000 * 1000};
        if (interrupt) {
            if (sigtimedwait(interrupt, NULL, &tick) > 0) {
                fprintf(srv->log, "infludash: second signal: stopping without waiting\n");
                break;
            }
        } else {
            nanosleep(&tick, NULL);
        }
    }
    if (http_inflight(srv) > 0)
        fprintf(srv->log, "infludash: stopping with %d request(s) unfinished\n",
                http_inflight(srv));
    http_watchdog_stop(srv);
    MHD_stop_daemon(srv->daemon);
    srv->daemon = NULL;
    if (srv->quiesced)
        close(srv->listen_fd);
    srv->listen_fd = -1;
}

int http_run_until_signal(struct http_server *srv)
{
    sigset_t set, old;
    http_signals_to_block(&set);
    pthread_sigmask(SIG_BLOCK, &set, &old);
    int sig = 0;
    while (sigwait(&set, &sig) != 0)
        ;
    fprintf(srv->log, "infludash: %s received, stopping\n", sig == SIGINT ? "SIGINT" : "SIGTERM");
    http_drain_and_stop(srv, &set);
    /* Take any signal that arrived meanwhile, so unblocking does not act on it. */
    struct timespec zero = {0, 0};
    while (sigtimedwait(&set, NULL, &zero) > 0)
        ;
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    return sig;
}

void http_stop(struct http_server *srv)
{
    if (!srv)
        return;
    http_drain_and_stop(srv, NULL);
    http_server_free(srv);
}
