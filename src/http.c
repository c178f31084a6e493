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
#define DEFAULT_CONNECTION_MEMORY (64 * 1024)
#define DEFAULT_MAX_BODY (1024 * 1024)
#define DEFAULT_MAX_UPLOAD ((size_t)1 << 30)
#define DEFAULT_SHUTDOWN_TIMEOUT 30
#define ARENA_BLOCK 4096

/* Upper bounds of the latency histogram's buckets, in seconds (+Inf is implicit). */
static const double http_latency_bounds[] = {0.001, 0.0025, 0.005, 0.01, 0.025, 0.05,
                                             0.1,   0.25,   0.5,   1,    2.5,   5,    10};
#define HTTP_LATENCY_BUCKETS (sizeof http_latency_bounds / sizeof http_latency_bounds[0] + 1)
#define HTTP_STATUS_CLASSES 5 /* 1xx .. 5xx */

/* Request counters for /metrics. Only atomics, updated by each connection's thread when its
 * request completes: no lock. by_route has (nroutes + 1) * HTTP_STATUS_CLASSES entries, the
 * last row for requests no route matched. */
struct http_metrics {
    atomic_uint_fast64_t *by_route;
    atomic_uint_fast64_t errors;                          /* 5xx and handler failures */
    atomic_uint_fast64_t aborted;                         /* ended without a response */
    atomic_uint_fast64_t timed_out;                       /* connections cut by a timeout */
    atomic_uint_fast64_t latency[HTTP_LATENCY_BUCKETS];   /* per bucket, not cumulative */
    atomic_uint_fast64_t latency_sum_us;
    atomic_uint_fast64_t connections;                     /* accepted since start */
    atomic_int open_connections;
    struct timespec started; /* CLOCK_MONOTONIC */
};

/* One open connection, for the request-head deadline: a client must deliver a complete
 * request head within connection_timeout of connecting or of its previous request's end,
 * however slowly it trickles bytes (libmicrohttpd's own timeout only counts idle time). */
struct http_conn {
    struct http_conn *prev, *next; /* in http_server.conns, guarded by conns_lock */
    int fd;
    atomic_llong head_since_ms; /* waiting for a request head since; -1 while one runs */
    bool cut;                   /* guarded by conns_lock */
};

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
    /* conns_lock guards the list of open connections (conns) and each one's cut flag, only
     * while a connection joins or leaves and while the watchdog scans; never per request. */
    pthread_mutex_t conns_lock;
    struct http_conn *conns;
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
    size_t body_bytes; /* received so far */
    bool responded;    /* a response was queued */
    bool refused;      /* res holds a refusal, sent once the (dropped) body is in */
    bool handler_failed; /* the handler returned an error (answered 500) */
    int status;        /* what was sent (or 413 when the body was cut off) */
    size_t bytes;      /* response body bytes */
    struct timespec started;
    char client[64];
};

static void http_conn_head_wait(struct MHD_Connection *conn, long long since_ms);
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

int http_response_error(struct http_response *res, int status, const char *fmt, ...)
{
    struct buf msg = BUF_INIT;
    va_list ap;
    va_start(ap, fmt);
    buf_vprintf(&msg, fmt, ap);
    va_end(ap);
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
    buf_init(&r->req.body, 0);
    r->res.req = &r->req;
    r->res.status = 200;
    r->res.content_type = "text/plain; charset=utf-8";
    r->res.fd = -1;
    buf_init(&r->res.body, 0);

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
    buf_release(&r->req.body);
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
    if (atomic_load(&r->srv->draining))
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

/* First callback: route, then refuse what will not be served: no route for a request with
 * a body (404/405), the guard's refusal (sign-in, rights), a body over the cap (413).
 * Everything else is answered on a later callback, so that the connection stays open
 * (STACK.md gotcha 1). */
static enum MHD_Result http_begin(struct http_request_impl *r)
{
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
            bool upload = r->route && r->route->max_body == HTTP_MAX_UPLOAD;
            http_response_error(&r->res, 413,
                                "request body of %s bytes is larger than the limit of %zu bytes%s",
                                declared, r->body_cap,
                                upload ? " (the server's --max-upload-size)" : "");
            return http_refuse(r, declared);
        }
    }
    return MHD_YES;
}

/* A chunk of the body: counted against the cap, then collected or streamed. */
static enum MHD_Result http_body(struct http_request_impl *r, const char *data, size_t len)
{
    if (r->responded || r->refused)
        return MHD_YES; /* answered or refused: drop the rest */
    if (len > r->body_cap - r->body_bytes) {
        /* No Content-Length to refuse up front (chunked): cut the connection. */
        r->status = 413;
        return MHD_NO;
    }
    r->body_bytes += len;
    if (!r->route)
        return MHD_YES;
    if (r->route->on_body) {
        if (!r->req.body_failed && r->route->on_body(&r->req, data, len) < 0)
            r->req.body_failed = true;
        return MHD_YES;
    }
    if (buf_append(&r->req.body, data, len) < 0) {
        r->status = 413;
        return MHD_NO;
    }
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
        http_conn_head_wait(conn, -1);
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
    http_conn_head_wait(conn, http_now_ms());
    http_request_free(r);
    *req_cls = NULL;
    atomic_fetch_sub(&srv->inflight, 1);
}

__attribute__((format(printf, 2, 0))) static void http_mhd_log(void *cls, const char *fmt,
                                                               va_list ap)
{
    struct http_server *srv = cls;
    struct buf line = BUF_INIT;
    buf_puts(&line, "infludash: http: ");
    buf_vprintf(&line, fmt, ap);
    if (line.len && line.data[line.len - 1] != '\n')
        buf_putc(&line, '\n');
    fputs(buf_cstr(&line), srv->log);
    buf_release(&line);
}

/* ---- connections and the request-head deadline ---- */

static long long http_now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Marks the connection as waiting for a request head since since_ms, or (-1) as running
 * one. */
static void http_conn_head_wait(struct MHD_Connection *conn, long long since_ms)
{
    const union MHD_ConnectionInfo *info =
        MHD_get_connection_info(conn, MHD_CONNECTION_INFO_SOCKET_CONTEXT);
    struct http_conn *c = info ? info->socket_context : NULL;
    if (c)
        atomic_store(&c->head_since_ms, since_ms);
}

/* Joins a new connection to the list, and takes it off when it closes. libmicrohttpd
 * calls CLOSED before it closes the socket, so a listed fd is always still the
 * connection's own (the watchdog may shut it down without hitting a reused descriptor). */
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
        atomic_init(&c->head_since_ms, http_now_ms());
        pthread_mutex_lock(&srv->conns_lock);
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
    pthread_mutex_unlock(&srv->conns_lock);
    free(c);
    *socket_context = NULL;
    atomic_fetch_sub_explicit(&m->open_connections, 1, memory_order_relaxed);
}

/* Shuts down connections that have waited longer than connection_timeout for a complete
 * request head; libmicrohttpd then sees the end of the stream and closes them. */
static void http_cut_slow_heads(struct http_server *srv)
{
    long long deadline = http_now_ms() - (long long)srv->cfg.connection_timeout * 1000;
    pthread_mutex_lock(&srv->conns_lock);
    for (struct http_conn *c = srv->conns; c; c = c->next) {
        long long since = atomic_load(&c->head_since_ms);
        if (c->cut || since < 0 || since > deadline || c->fd < 0)
            continue;
        shutdown(c->fd, SHUT_RDWR);
        c->cut = true;
        atomic_fetch_add_explicit(&srv->metrics.timed_out, 1, memory_order_relaxed);
    }
    pthread_mutex_unlock(&srv->conns_lock);
}

static void *http_watchdog_main(void *arg)
{
    struct http_server *srv = arg;
    /* Four checks per timeout, at most one a second: a cut comes at most 25 % late. */
    long long tick_ms = (long long)srv->cfg.connection_timeout * 250;
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
            buf_printf(out, "infludash_http_request_duration_seconds_bucket{le=\"%g\"} %" PRIuFAST64 "\n",
                       http_latency_bounds[b], cumulative);
        else
            buf_printf(out, "infludash_http_request_duration_seconds_bucket{le=\"+Inf\"} %" PRIuFAST64 "\n",
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
    double uptime = (double)(now.tv_sec - m->started.tv_sec) +
                    (double)(now.tv_nsec - m->started.tv_nsec) / 1e9;
    buf_printf(out,
               "# HELP infludash_http_connections_total Connections accepted.\n"
               "# TYPE infludash_http_connections_total counter\n"
               "infludash_http_connections_total %" PRIuFAST64 "\n"
               "# HELP infludash_http_open_connections Connections open now.\n"
               "# TYPE infludash_http_open_connections gauge\n"
               "infludash_http_open_connections %d\n"
               "# HELP infludash_http_connection_limit The most connections served at once.\n"
               "# TYPE infludash_http_connection_limit gauge\n"
               "infludash_http_connection_limit %u\n"
               "# HELP infludash_uptime_seconds Seconds since the server started.\n"
               "# TYPE infludash_uptime_seconds gauge\n"
               "infludash_uptime_seconds %.3f\n",
               http_load(&m->connections), atomic_load(&m->open_connections),
               srv->cfg.connection_limit, uptime);
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
    srv->metrics.by_route = xcalloc((c->nroutes + 1) * HTTP_STATUS_CLASSES,
                                    sizeof *srv->metrics.by_route);
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
    srv->daemon =
        MHD_start_daemon(flags, 0, NULL, NULL, http_access, srv, MHD_OPTION_EXTERNAL_LOGGER,
                         http_mhd_log, srv, MHD_OPTION_LISTEN_SOCKET, (MHD_socket)srv->listen_fd,
                         MHD_OPTION_CONNECTION_LIMIT, (unsigned int)c->connection_limit,
                         MHD_OPTION_CONNECTION_TIMEOUT, (unsigned int)c->connection_timeout,
                         MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)c->connection_memory,
                         MHD_OPTION_NOTIFY_COMPLETED, http_completed, srv,
                         MHD_OPTION_NOTIFY_CONNECTION, http_notify_connection, srv,
                         MHD_OPTION_END);
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
