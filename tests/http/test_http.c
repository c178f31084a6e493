/* test_http.c — the HTTP server in-process over real sockets: listen-address parsing,
 * routing (exact, prefix, 404 JSON/text, 405 with Allow), keep-alive across requests, HEAD,
 * request body caps (413, chunked too), a bad Content-Length answered once, the access log,
 * connection admission (per-address share, the health-check reserve, the request-head
 * deadline) and a graceful stop that lets a slow request finish. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include "http.h"

#include "banned.h"

/* ---- listen addresses ---- */

static void parse_ok(const char *in, const char *host, unsigned port)
{
    struct buf h = BUF_INIT;
    unsigned p = 1;
    struct err e;
    err_clear(&e);
    assert_int_equal(http_parse_listen(in, &h, &p, &e), 0);
    assert_string_equal(buf_cstr(&h), host);
    assert_int_equal(p, port);
    buf_release(&h);
}

static void parse_fails(const char *in, const char *why)
{
    struct buf h = BUF_INIT;
    unsigned p = 0;
    struct err e;
    err_clear(&e);
    assert_int_equal(http_parse_listen(in, &h, &p, &e), ERR_USAGE);
    assert_non_null(strstr(e.msg, why));
    assert_non_null(strstr(e.msg, "HOST:PORT"));
    buf_release(&h);
}

static void parses_listen_addresses(void **state)
{
    (void)state;
    parse_ok("127.0.0.1:8080", "127.0.0.1", 8080);
    parse_ok("localhost:1", "localhost", 1);
    parse_ok("[::1]:8080", "::1", 8080);
    parse_ok("[::]:0", "::", 0);
    parse_ok(":9000", "", 9000);
    parse_ok("*:9000", "", 9000);
    parse_ok("0.0.0.0:65535", "0.0.0.0", 65535);
    parse_fails("", "empty");
    parse_fails("127.0.0.1", "missing :PORT");
    parse_fails("127.0.0.1:", "number");
    parse_fails("127.0.0.1:80x", "number");
    parse_fails("127.0.0.1:65536", "65535");
    parse_fails("::1:8080", "brackets");
    parse_fails("[::1]8080", "after ']'");
    parse_fails("[::1:8080", "missing ']'");
    parse_fails("[]:80", "empty IPv6");
}

/* ---- a server with test routes ---- */

static int h_hello(struct http_request *req, struct http_response *res)
{
    (void)req;
    return http_response_text(res, 200, "hi");
}

static int h_echo(struct http_request *req, struct http_response *res)
{
    res->content_type = "application/octet-stream";
    buf_append(&res->body, req->body.b.data, req->body.b.len);
    return 0;
}

static int h_item(struct http_request *req, struct http_response *res)
{
    http_response_json(res, 200);
    buf_printf(&res->body, "{\"id\":\"%s\",\"q\":\"%s\"}", req->path_param,
               http_query(req, "q") ? http_query(req, "q") : "");
    http_response_header(res, "X-Test", "yes");
    return 0;
}

/* /slow answers once the test releases it (or after 5 s). */
static atomic_bool slow_released;

static int h_slow(struct http_request *req, struct http_response *res)
{
    (void)req;
    for (int i = 0; i < 500 && !atomic_load(&slow_released); i++) {
        struct timespec t = {0, 10 * 1000 * 1000};
        nanosleep(&t, NULL);
    }
    return http_response_text(res, 200, "finally");
}

static int h_fails(struct http_request *req, struct http_response *res)
{
    (void)req;
    (void)res;
    return -1;
}

static int h_app(struct http_request *req, struct http_response *res)
{
    return http_response_text(res, 200, req->app);
}

/* A streaming route: counts the bytes and refuses more once it has seen a '!'. */
static int count_body(struct http_request *req, const char *data, size_t len)
{
    if (!req->state) {
        req->state = calloc(1, sizeof(size_t));
        req->state_free = free;
    }
    *(size_t *)req->state += len;
    return memchr(data, '!', len) ? -1 : 0;
}

static int h_count(struct http_request *req, struct http_response *res)
{
    http_response_json(res, 200);
    buf_printf(&res->body, "{\"bytes\":%zu,\"failed\":%s,\"collected\":%zu}",
               req->state ? *(size_t *)req->state : 0, req->body_failed ? "true" : "false",
               req->body.b.len);
    return 0;
}

/* Routes with access 1 are refused by the guard unless the request has "X-Key: yes". */
#define GUARDED 1

static const struct http_route test_routes[] = {
    {HTTP_POST, "/count", h_count, count_body, 0, 0},
    {HTTP_GET, "/hello", h_hello, NULL, 0, 0},
    {HTTP_POST, "/echo", h_echo, NULL, 16, 0},
    {HTTP_GET, "/items/*", h_item, NULL, 0, 0},
    {HTTP_GET, "/slow", h_slow, NULL, 0, 0},
    {HTTP_GET, "/fails", h_fails, NULL, 0, 0},
    {HTTP_GET | HTTP_DELETE, "/app", h_app, NULL, 0, 0},
    {HTTP_GET, "/guarded", h_hello, NULL, 0, GUARDED},
    {HTTP_POST, "/guarded-count", h_count, count_body, 0, GUARDED},
    {HTTP_GET, "/healthz", h_hello, NULL, 0, 0},
};

static int guard(struct http_request *req, const struct http_route *route,
                 struct http_response *res)
{
    const char *key = http_header(req, "X-Key");
    if (route->access != GUARDED || (key && strcmp(key, "yes") == 0))
        return 0;
    http_response_error(res, 401, "no key");
    return 1;
}

struct fixture {
    struct http_server *srv;
    FILE *log;
};

/* Starts the test server with the defaults, changed by tweak when not NULL. */
static int start_server_with(void **state, void (*tweak)(struct http_config *cfg))
{
    struct fixture *f = calloc(1, sizeof *f);
    f->log = tmpfile();
    struct http_config cfg;
    http_config_default(&cfg);
    cfg.listen = "127.0.0.1:0";
    cfg.routes = test_routes;
    cfg.nroutes = sizeof test_routes / sizeof test_routes[0];
    cfg.app = "the app";
    cfg.access_log = f->log;
    cfg.guard = guard;
    if (tweak)
        tweak(&cfg);
    struct err e;
    err_clear(&e);
    f->srv = http_start(&cfg, &e);
    if (!f->srv) {
        fprintf(stderr, "http_start: %s\n", e.msg);
        return -1;
    }
    *state = f;
    return 0;
}

static int start_server(void **state)
{
    return start_server_with(state, NULL);
}

static int stop_server(void **state)
{
    struct fixture *f = *state;
    http_stop(f->srv);
    fclose(f->log);
    free(f);
    return 0;
}

/* ---- a minimal HTTP/1.1 client ---- */

/* A connection from the loopback address 127.0.0.FROM (every 127/8 address is the loopback
 * on Linux), so that tests can be several clients. */
static int connect_from(unsigned port, unsigned from)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    assert_true(fd >= 0);
    struct timeval tv = {5, 0};
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    struct sockaddr_in src;
    memset(&src, 0, sizeof src);
    src.sin_family = AF_INET;
    src.sin_addr.s_addr = htonl(INADDR_LOOPBACK - 1 + from);
    assert_int_equal(bind(fd, (struct sockaddr *)&src, sizeof src), 0);
    struct sockaddr_in sin;
    memset(&sin, 0, sizeof sin);
    sin.sin_family = AF_INET;
    sin.sin_port = htons((uint16_t)port);
    sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    assert_int_equal(connect(fd, (struct sockaddr *)&sin, sizeof sin), 0);
    return fd;
}

static int connect_to(unsigned port)
{
    return connect_from(port, 1);
}

static void send_text(int fd, const char *s)
{
    size_t len = strlen(s);
    assert_int_equal(send(fd, s, len, MSG_NOSIGNAL), (ssize_t)len);
}

struct reply {
    int status;
    struct buf head; /* status line and headers */
    struct buf body;
};

/* The value of a header in r->head (first match, case-insensitive), copied to out. */
static int reply_header(const struct reply *r, const char *name, char *out, size_t outlen)
{
    const char *p = buf_cstr(&r->head);
    size_t n = strlen(name);
    while ((p = strstr(p, "\r\n")) != NULL) {
        p += 2;
        if (strncasecmp(p, name, n) == 0 && p[n] == ':') {
            const char *v = p + n + 1;
            while (*v == ' ')
                v++;
            size_t len = strcspn(v, "\r");
            snprintf(out, outlen, "%.*s", (int)len, v);
            return 0;
        }
    }
    return -1;
}

/* Reads one response; a HEAD response has no body whatever Content-Length says. */
static int read_reply(int fd, struct reply *r, int is_head)
{
    buf_init(&r->head);
    buf_init(&r->body);
    char c;
    while (!strstr(buf_cstr(&r->head), "\r\n\r\n")) {
        if (recv(fd, &c, 1, 0) != 1)
            return -1;
        buf_putc(&r->head, c);
    }
    r->status = (int)strtol(buf_cstr(&r->head) + 9, NULL, 10);
    char value[64];
    size_t want = 0;
    if (reply_header(r, "Content-Length", value, sizeof value) == 0)
        want = strtoul(value, NULL, 10);
    if (is_head)
        want = 0;
    while (r->body.len < want) {
        char chunk[4096];
        size_t n = want - r->body.len < sizeof chunk ? want - r->body.len : sizeof chunk;
        ssize_t got = recv(fd, chunk, n, 0);
        if (got <= 0)
            return -1;
        buf_append(&r->body, chunk, (size_t)got);
    }
    return 0;
}

static void reply_release(struct reply *r)
{
    buf_release(&r->head);
    buf_release(&r->body);
}

/* One request on a new connection. */
static void request(unsigned port, const char *text, struct reply *r)
{
    int fd = connect_to(port);
    send_text(fd, text);
    assert_int_equal(read_reply(fd, r, strncmp(text, "HEAD ", 5) == 0), 0);
    close(fd);
}

/* ---- tests ---- */

static void routes_exact_and_prefix_paths(void **state)
{
    struct fixture *f = *state;
    unsigned port = http_port(f->srv);
    assert_true(port > 0);
    struct reply r;
    request(port, "GET /hello HTTP/1.1\r\nHost: t\r\n\r\n", &r);
    assert_int_equal(r.status, 200);
    assert_string_equal(buf_cstr(&r.body), "hi");
    char v[128];
    assert_int_equal(reply_header(&r, "Content-Type", v, sizeof v), 0);
    assert_string_equal(v, "text/plain; charset=utf-8");
    reply_release(&r);

    request(port, "GET /items/42?q=a%20b HTTP/1.1\r\nHost: t\r\n\r\n", &r);
    assert_int_equal(r.status, 200);
    assert_string_equal(buf_cstr(&r.body), "{\"id\":\"42\",\"q\":\"a b\"}");
    assert_int_equal(reply_header(&r, "Cache-Control", v, sizeof v), 0);
    assert_string_equal(v, "no-store");
    assert_int_equal(reply_header(&r, "X-Test", v, sizeof v), 0);
    reply_release(&r);

    /* A prefix route needs something after the prefix. */
    request(port, "GET /items/ HTTP/1.1\r\nHost: t\r\n\r\n", &r);
    assert_int_equal(r.status, 404);
    reply_release(&r);

    request(port, "GET /app HTTP/1.1\r\nHost: t\r\n\r\n", &r);
    assert_string_equal(buf_cstr(&r.body), "the app");
    reply_release(&r);
}

static void unknown_api_path_is_json_404_else_text(void **state)
{
    struct fixture *f = *state;
    struct reply r;
    char v[128];
    request(http_port(f->srv), "GET /api/nope HTTP/1.1\r\nHost: t\r\n\r\n", &r);
    assert_int_equal(r.status, 404);
    assert_int_equal(reply_header(&r, "Content-Type", v, sizeof v), 0);
    assert_string_equal(v, "application/json");
    assert_string_equal(buf_cstr(&r.body), "{\"error\":\"no such endpoint: /api/nope\"}\n");
    reply_release(&r);

    request(http_port(f->srv), "GET /nope HTTP/1.1\r\nHost: t\r\n\r\n", &r);
    assert_int_equal(r.status, 404);
    assert_int_equal(reply_header(&r, "Content-Type", v, sizeof v), 0);
    assert_string_equal(v, "text/plain; charset=utf-8");
    reply_release(&r);
}

static void wrong_method_is_405_with_allow(void **state)
{
    struct fixture *f = *state;
    struct reply r;
    char v[128];
    request(http_port(f->srv), "POST /hello HTTP/1.1\r\nHost: t\r\nContent-Length: 0\r\n\r\n", &r);
    assert_int_equal(r.status, 405);
    assert_int_equal(reply_header(&r, "Allow", v, sizeof v), 0);
    assert_string_equal(v, "GET, HEAD");
    reply_release(&r);

    /* With a body: answered without reading it. */
    request(http_port(f->srv), "POST /hello HTTP/1.1\r\nHost: t\r\nContent-Length: 5\r\n\r\nhello",
            &r);
    assert_int_equal(r.status, 405);
    reply_release(&r);

    request(http_port(f->srv), "PUT /app HTTP/1.1\r\nHost: t\r\nContent-Length: 0\r\n\r\n", &r);
    assert_int_equal(r.status, 405);
    assert_int_equal(reply_header(&r, "Allow", v, sizeof v), 0);
    assert_string_equal(v, "GET, HEAD, DELETE");
    reply_release(&r);
}

static void keeps_the_connection_alive_between_requests(void **state)
{
    struct fixture *f = *state;
    int fd = connect_to(http_port(f->srv));
    for (int i = 0; i < 3; i++) {
        send_text(fd, "GET /hello HTTP/1.1\r\nHost: t\r\n\r\n");
        struct reply r;
        assert_int_equal(read_reply(fd, &r, 0), 0);
        assert_int_equal(r.status, 200);
        char v[64];
        assert_true(reply_header(&r, "Connection", v, sizeof v) < 0 || strcasecmp(v, "close") != 0);
        reply_release(&r);
    }
    /* A 404 keeps it open too. */
    send_text(fd, "GET /api/x HTTP/1.1\r\nHost: t\r\n\r\n");
    struct reply r;
    assert_int_equal(read_reply(fd, &r, 0), 0);
    assert_int_equal(r.status, 404);
    reply_release(&r);
    send_text(fd, "GET /hello HTTP/1.1\r\nHost: t\r\n\r\n");
    assert_int_equal(read_reply(fd, &r, 0), 0);
    assert_int_equal(r.status, 200);
    reply_release(&r);
    close(fd);
}

static void head_has_length_but_no_body(void **state)
{
    struct fixture *f = *state;
    int fd = connect_to(http_port(f->srv));
    send_text(fd, "HEAD /hello HTTP/1.1\r\nHost: t\r\n\r\n");
    struct reply r;
    assert_int_equal(read_reply(fd, &r, 1), 0);
    assert_int_equal(r.status, 200);
    char v[64];
    assert_int_equal(reply_header(&r, "Content-Length", v, sizeof v), 0);
    assert_string_equal(v, "2");
    reply_release(&r);
    /* The next response on the connection starts right away: no body was sent. */
    send_text(fd, "GET /hello HTTP/1.1\r\nHost: t\r\n\r\n");
    assert_int_equal(read_reply(fd, &r, 0), 0);
    assert_string_equal(buf_cstr(&r.body), "hi");
    reply_release(&r);
    close(fd);
}

static void body_within_cap_is_collected(void **state)
{
    struct fixture *f = *state;
    struct reply r;
    request(http_port(f->srv),
            "POST /echo HTTP/1.1\r\nHost: t\r\nContent-Length: 11\r\n\r\nhello world", &r);
    assert_int_equal(r.status, 200);
    assert_string_equal(buf_cstr(&r.body), "hello world");
    reply_release(&r);
    /* Chunked, within the cap. */
    request(http_port(f->srv),
            "POST /echo HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n"
            "5\r\nhello\r\n3\r\n123\r\n0\r\n\r\n",
            &r);
    assert_int_equal(r.status, 200);
    assert_string_equal(buf_cstr(&r.body), "hello123");
    reply_release(&r);
}

static void streaming_route_sees_the_body_in_chunks(void **state)
{
    struct fixture *f = *state;
    struct reply r;
    request(http_port(f->srv),
            "POST /count HTTP/1.1\r\nHost: t\r\nContent-Length: 11\r\n\r\nhello world", &r);
    assert_int_equal(r.status, 200);
    assert_string_equal(buf_cstr(&r.body), "{\"bytes\":11,\"failed\":false,\"collected\":0}");
    reply_release(&r);
    request(http_port(f->srv),
            "POST /count HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n"
            "3\r\nab!\r\n3\r\ncde\r\n0\r\n\r\n",
            &r);
    assert_int_equal(r.status, 200);
    assert_non_null(strstr(buf_cstr(&r.body), "\"failed\":true"));
    reply_release(&r);
    /* A client that goes away mid-body: the route's state is still freed (the sanitizer
     * build would report the leak). */
    int fd = connect_to(http_port(f->srv));
    send_text(fd, "POST /count HTTP/1.1\r\nHost: t\r\nContent-Length: 100\r\n\r\nhello");
    struct timespec t = {0, 50 * 1000 * 1000};
    nanosleep(&t, NULL);
    close(fd);
    for (int i = 0; i < 200 && http_inflight(f->srv) != 0; i++)
        nanosleep(&t, NULL);
    assert_int_equal(http_inflight(f->srv), 0);
}

static void declared_body_over_cap_is_413(void **state)
{
    struct fixture *f = *state;
    struct reply r;
    request(http_port(f->srv),
            "POST /echo HTTP/1.1\r\nHost: t\r\nContent-Length: 17\r\n\r\n01234567890123456", &r);
    assert_int_equal(r.status, 413);
    assert_non_null(strstr(buf_cstr(&r.body), "limit of 16 bytes"));
    reply_release(&r);
}

/* The guard's refusal goes out instead of the handler (which never sees the body), after
 * the body is read, on a connection that stays open; with the key the route runs. */
static void guard_refuses_before_the_handler_and_keeps_the_connection(void **state)
{
    struct fixture *f = *state;
    int fd = connect_to(http_port(f->srv));
    struct reply r;
    send_text(fd, "GET /guarded HTTP/1.1\r\nHost: t\r\n\r\n");
    assert_int_equal(read_reply(fd, &r, 0), 0);
    assert_int_equal(r.status, 401);
    assert_string_equal(buf_cstr(&r.body), "{\"error\":\"no key\"}\n");
    reply_release(&r);
    /* a refused body: read and dropped, then the refusal, the connection still open */
    send_text(fd, "POST /guarded-count HTTP/1.1\r\nHost: t\r\nContent-Length: 11\r\n\r\n"
                  "hello world");
    assert_int_equal(read_reply(fd, &r, 0), 0);
    assert_int_equal(r.status, 401);
    reply_release(&r);
    send_text(fd, "POST /guarded-count HTTP/1.1\r\nHost: t\r\nX-Key: yes\r\n"
                  "Content-Length: 5\r\n\r\nhello");
    assert_int_equal(read_reply(fd, &r, 0), 0);
    assert_int_equal(r.status, 200);
    assert_non_null(strstr(buf_cstr(&r.body), "\"bytes\":5"));
    reply_release(&r);
    send_text(fd, "GET /guarded HTTP/1.1\r\nHost: t\r\nX-Key: yes\r\n\r\n");
    assert_int_equal(read_reply(fd, &r, 0), 0);
    assert_int_equal(r.status, 200);
    reply_release(&r);
    close(fd);
    /* a body too large to wait for: refused at once (the client need not send it) */
    fd = connect_to(http_port(f->srv));
    send_text(fd, "POST /guarded-count HTTP/1.1\r\nHost: t\r\nContent-Length: 999999999\r\n\r\n");
    assert_int_equal(read_reply(fd, &r, 0), 0);
    assert_int_equal(r.status, 401);
    reply_release(&r);
    close(fd);
}

/* Everything the server sends until it closes the connection (0), or -1 after 5 s without
 * the end. A reset after the answer counts as the end. */
static int read_to_end(int fd, struct buf *out)
{
    buf_init(out);
    char chunk[4096];
    for (;;) {
        ssize_t n = recv(fd, chunk, sizeof chunk, 0);
        if (n == 0 || (n < 0 && errno == ECONNRESET))
            return 0;
        if (n < 0)
            return -1;
        buf_append(out, chunk, (size_t)n);
    }
}

/* How many status lines ("HTTP/1.1 NNN") the text holds. */
static int status_lines(const char *text)
{
    int n = 0;
    for (const char *p = text; (p = strstr(p, "HTTP/1.")) != NULL; p++)
        n++;
    return n;
}

/* A chunked body found too large as it arrives: answered 413 once, after the body, and the
 * connection stays usable (nothing else was sent on it). */
static void chunked_body_over_cap_is_413_once(void **state)
{
    struct fixture *f = *state;
    int fd = connect_to(http_port(f->srv));
    send_text(fd, "POST /echo HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n"
                  "14\r\n01234567890123456789\r\n5\r\nmore!\r\n0\r\n\r\n");
    struct reply r;
    assert_int_equal(read_reply(fd, &r, 0), 0);
    assert_int_equal(r.status, 413);
    assert_non_null(strstr(buf_cstr(&r.body), "{\"error\":\"request body is larger than the "
                                              "limit of 16 bytes\"}"));
    reply_release(&r);
    send_text(fd, "GET /hello HTTP/1.1\r\nHost: t\r\n\r\n");
    assert_int_equal(read_reply(fd, &r, 0), 0);
    assert_int_equal(r.status, 200);
    assert_string_equal(buf_cstr(&r.body), "hi");
    reply_release(&r);
    close(fd);
    /* On a streaming route, and read to the end: exactly one answer. */
    fd = connect_to(http_port(f->srv));
    send_text(fd, "POST /echo HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n"
                  "Connection: close\r\n\r\n10\r\n0123456789abcdef\r\n1\r\nx\r\n0\r\n\r\n");
    struct buf all;
    assert_int_equal(read_to_end(fd, &all), 0);
    assert_int_equal(status_lines(buf_cstr(&all)), 1);
    assert_true(strncmp(buf_cstr(&all), "HTTP/1.1 413 ", 13) == 0);
    buf_release(&all);
    close(fd);
}

/* libmicrohttpd refuses a Content-Length it cannot read before any callback, and 0.9.75
 * sends that answer's header block twice: the server answers it once, as JSON. */
static void bad_content_length_is_answered_once(void **state)
{
    struct fixture *f = *state;
    static const struct {
        const char *value;
        int status;
    } cases[] = {
        {"abc", 400}, {"12abc", 400}, {"-1", 400},
        {"1 2", 400}, {"0x10", 400},  {"99999999999999999999999", 413},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        int fd = connect_to(http_port(f->srv));
        char text[256];
        snprintf(text, sizeof text, "POST /echo HTTP/1.1\r\nHost: t\r\nContent-Length: %s\r\n\r\n",
                 cases[i].value);
        send_text(fd, text);
        struct buf all;
        assert_int_equal(read_to_end(fd, &all), 0);
        const char *got = buf_cstr(&all);
        char want[32];
        snprintf(want, sizeof want, "HTTP/1.1 %d ", cases[i].status);
        if (status_lines(got) != 1 || strncmp(got, want, strlen(want)) != 0 ||
            !strstr(got, "\r\n\r\n{\"error\":\"the Content-Length header is "))
            fail_msg("Content-Length: %s: got \"%s\"", cases[i].value, got);
        buf_release(&all);
        close(fd);
    }
    /* The server goes on serving. */
    struct reply r;
    request(http_port(f->srv), "GET /hello HTTP/1.1\r\nHost: t\r\n\r\n", &r);
    assert_int_equal(r.status, 200);
    reply_release(&r);
}

/* ---- connection admission ---- */

static void small_pool(struct http_config *cfg)
{
    cfg->connection_limit = 4;
    cfg->per_client_limit = 2;
    cfg->health_reserve = 4; /* 2 per address */
}

static int start_small_pool(void **state)
{
    return start_server_with(state, small_pool);
}

/* Waits until the server counts n open connections (they are counted on its accepting
 * thread, just after the kernel accepted them). */
static void wait_open(struct fixture *f, int n)
{
    for (int i = 0; i < 500; i++) {
        if (http_open_connections(f->srv) == n)
            return;
        struct timespec t = {0, 10 * 1000 * 1000};
        nanosleep(&t, NULL);
    }
    fail_msg("the server never had %d connections open (has %d)", n, http_open_connections(f->srv));
}

/* GET path on a new connection from 127.0.0.FROM: the reply (status -1 without one). */
static void get_from(struct fixture *f, unsigned from, const char *path, struct reply *r)
{
    int fd = connect_from(http_port(f->srv), from);
    char text[128];
    snprintf(text, sizeof text, "GET %s HTTP/1.1\r\nHost: t\r\n\r\n", path);
    send_text(fd, text);
    if (read_reply(fd, r, 0) < 0)
        r->status = -1;
    close(fd);
}

static bool closes_after_answer(const struct reply *r)
{
    char v[32];
    return reply_header(r, "Connection", v, sizeof v) == 0 && strcasecmp(v, "close") == 0;
}

/* One address gets its share of the pool (2), then only the health check (on the
 * reserve); another address is served as usual meanwhile. */
static void one_address_gets_its_share_then_only_health_checks(void **state)
{
    struct fixture *f = *state;
    int held[2];
    for (int i = 0; i < 2; i++) {
        held[i] = connect_from(http_port(f->srv), 2);
        send_text(held[i], "GET /hello HTTP/1.1\r\n"); /* a head that never ends */
    }
    wait_open(f, 2);
    struct reply r;
    get_from(f, 2, "/hello", &r);
    assert_int_equal(r.status, 503);
    char v[64];
    assert_int_equal(reply_header(&r, "Retry-After", v, sizeof v), 0);
    assert_string_equal(v, "1");
    assert_true(closes_after_answer(&r));
    assert_non_null(strstr(buf_cstr(&r.body), "only /healthz is answered"));
    reply_release(&r);
    get_from(f, 2, "/healthz", &r);
    assert_int_equal(r.status, 200);
    assert_true(closes_after_answer(&r));
    reply_release(&r);
    get_from(f, 3, "/hello", &r);
    assert_int_equal(r.status, 200);
    assert_false(closes_after_answer(&r));
    reply_release(&r);
    for (int i = 0; i < 2; i++)
        close(held[i]);
}

/* With the whole pool held by slow heads, /healthz still answers at once (on the reserve,
 * also when slow clients spilled onto it: a stale one gives its place), other requests get
 * 503; once a held connection goes, requests are served again. */
static void health_check_answers_while_the_pool_is_full(void **state)
{
    struct fixture *f = *state;
    int held[6];
    for (int i = 0; i < 6; i++) { /* 4 fill the pool, 2 the reserve's share of 127.0.0.5 */
        held[i] = connect_from(http_port(f->srv), 2 + (unsigned)(i < 4 ? i / 2 : 3));
        send_text(held[i], "GET /hello HTTP/1.1\r\nX-Slow: 1\r\n");
    }
    wait_open(f, 6);
    struct reply r;
    get_from(f, 1, "/hello", &r);
    assert_int_equal(r.status, 503);
    reply_release(&r);
    get_from(f, 1, "/healthz", &r);
    assert_int_equal(r.status, 200);
    assert_string_equal(buf_cstr(&r.body), "hi");
    reply_release(&r);
    /* the reserve's share of 127.0.0.5 is full of heads older than half a second: a health
     * check from there takes the place of one of them */
    struct timespec t = {0, 600 * 1000 * 1000};
    nanosleep(&t, NULL);
    get_from(f, 5, "/healthz", &r);
    assert_int_equal(r.status, 200);
    reply_release(&r);
    close(held[0]);
    wait_open(f, 4);
    get_from(f, 1, "/hello", &r);
    assert_int_equal(r.status, 200);
    reply_release(&r);
    for (int i = 1; i < 6; i++)
        close(held[i]);
}

static void short_header_timeout(struct http_config *cfg)
{
    cfg->header_timeout = 1;
    cfg->connection_timeout = 30;
}

static int start_short_header_timeout(void **state)
{
    return start_server_with(state, short_header_timeout);
}

/* Seconds until the server closes fd while the client sends a header line every 200 ms
 * (-1 when it is still open after 8 s). */
static double trickle_until_closed(int fd)
{
    struct timespec t0, now;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    struct timeval tv = {0, 200 * 1000};
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    for (;;) {
        clock_gettime(CLOCK_MONOTONIC, &now);
        double took = (double)(now.tv_sec - t0.tv_sec) + (double)(now.tv_nsec - t0.tv_nsec) / 1e9;
        if (took > 8)
            return -1;
        if (send(fd, "X-Slow: 1\r\n", 11, MSG_NOSIGNAL) < 0)
            return took;
        char c;
        ssize_t n = recv(fd, &c, 1, 0);
        if (n == 0 || (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK))
            return took;
    }
}

/* The whole head must arrive within header_timeout (1 s), however it trickles in, while an
 * idle kept-alive connection is not cut by it (only by the idle timeout, 30 s here). */
static void request_head_must_arrive_within_header_timeout(void **state)
{
    struct fixture *f = *state;
    int fd = connect_to(http_port(f->srv));
    send_text(fd, "GET /hello HTTP/1.1\r\nHost: t\r\n");
    double took = trickle_until_closed(fd);
    if (took < 0.5 || took > 4)
        fail_msg("a trickled head was cut after %.2f s (header timeout 1 s)", took);
    close(fd);

    fd = connect_to(http_port(f->srv));
    send_text(fd, "GET /hello HTTP/1.1\r\nHost: t\r\n\r\n");
    struct reply r;
    assert_int_equal(read_reply(fd, &r, 0), 0);
    assert_int_equal(r.status, 200);
    reply_release(&r);
    struct timespec pause = {1, 600 * 1000 * 1000};
    nanosleep(&pause, NULL);
    send_text(fd, "GET /hello HTTP/1.1\r\nHost: t\r\n\r\n");
    assert_int_equal(read_reply(fd, &r, 0), 0);
    assert_int_equal(r.status, 200);
    reply_release(&r);
    /* the next head trickled on the kept-alive connection: cut a header timeout after its
     * request line */
    send_text(fd, "GET /hello HTTP/1.1\r\n");
    took = trickle_until_closed(fd);
    if (took < 0.5 || took > 4)
        fail_msg("a trickled head on a kept-alive connection was cut after %.2f s", took);
    close(fd);
}

static void failing_handler_is_500_json(void **state)
{
    struct fixture *f = *state;
    struct reply r;
    request(http_port(f->srv), "GET /fails HTTP/1.1\r\nHost: t\r\n\r\n", &r);
    assert_int_equal(r.status, 500);
    assert_non_null(strstr(buf_cstr(&r.body), "\"error\""));
    reply_release(&r);
}

static void writes_one_access_log_line_per_request(void **state)
{
    struct fixture *f = *state;
    struct reply r;
    request(http_port(f->srv), "GET /hello?secret=1 HTTP/1.1\r\nHost: t\r\n\r\n", &r);
    reply_release(&r);
    request(http_port(f->srv), "GET /a%0Ab HTTP/1.1\r\nHost: t\r\n\r\n", &r);
    reply_release(&r);
    /* The log line is written when the request completes, just after the response. */
    struct timespec t = {0, 50 * 1000 * 1000};
    nanosleep(&t, NULL);
    fflush(f->log);
    rewind(f->log);
    char line[512];
    int saw_hello = 0, saw_escaped = 0;
    while (fgets(line, sizeof line, f->log)) {
        if (strstr(line, " 127.0.0.1 \"GET /hello\" 200 2 ") && strstr(line, "ms\n"))
            saw_hello = 1;
        if (strstr(line, "\"GET /a\\x0ab\" 404"))
            saw_escaped = 1;
        assert_null(strstr(line, "secret"));
    }
    assert_true(saw_hello);
    assert_true(saw_escaped);
}

static void *slow_client(void *arg)
{
    unsigned port = *(unsigned *)arg;
    struct reply *r = calloc(1, sizeof *r);
    int fd = connect_to(port);
    send_text(fd, "GET /slow HTTP/1.1\r\nHost: t\r\n\r\n");
    r->status = read_reply(fd, r, 0) == 0 ? r->status : -1;
    close(fd);
    return r;
}

static void *stop_in_thread(void *arg)
{
    struct fixture *f = arg;
    stop_server((void **)&f);
    return NULL;
}

/* 0 when a TCP connection to the port is accepted by the kernel. */
static int try_connect(unsigned port)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in sin;
    memset(&sin, 0, sizeof sin);
    sin.sin_family = AF_INET;
    sin.sin_port = htons((uint16_t)port);
    sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    int rc = connect(fd, (struct sockaddr *)&sin, sizeof sin);
    close(fd);
    return rc;
}

static void stop_lets_requests_in_flight_finish(void **state)
{
    (void)state;
    struct fixture *f;
    assert_int_equal(start_server((void **)&f), 0);
    unsigned port = http_port(f->srv);
    /* An idle keep-alive connection must not hold the stop up. */
    int idle = connect_to(port);
    send_text(idle, "GET /hello HTTP/1.1\r\nHost: t\r\n\r\n");
    struct reply r;
    assert_int_equal(read_reply(idle, &r, 0), 0);
    reply_release(&r);

    /* That request counts until its completion callback, just after the response. */
    for (int i = 0; i < 200 && http_inflight(f->srv) != 0; i++) {
        struct timespec t = {0, 5 * 1000 * 1000};
        nanosleep(&t, NULL);
    }
    assert_int_equal(http_inflight(f->srv), 0);

    atomic_store(&slow_released, false);
    pthread_t th;
    pthread_create(&th, NULL, slow_client, &port);
    for (int i = 0; i < 200 && http_inflight(f->srv) == 0; i++) {
        struct timespec t = {0, 5 * 1000 * 1000};
        nanosleep(&t, NULL);
    }
    assert_int_equal(http_inflight(f->srv), 1);
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    pthread_t stopper;
    pthread_create(&stopper, NULL, stop_in_thread, f);
    /* While the slow request runs, the stop waits and new connections are refused. */
    struct http_server *srv = f->srv; /* freed by the stopper, after the release below */
    struct timespec pause = {0, 100 * 1000 * 1000};
    nanosleep(&pause, NULL);
    assert_int_equal(http_inflight(srv), 1);
    assert_int_not_equal(try_connect(port), 0);
    atomic_store(&slow_released, true);
    pthread_join(stopper, NULL);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    void *ret;
    pthread_join(th, &ret);
    struct reply *slow = ret;
    assert_int_equal(slow->status, 200);
    assert_string_equal(buf_cstr(&slow->body), "finally");
    reply_release(slow);
    free(slow);
    assert_true(t1.tv_sec - t0.tv_sec < 5);
    /* The listening socket is gone. */
    assert_int_not_equal(try_connect(port), 0);
    close(idle);
}

static void port_in_use_is_a_clear_error(void **state)
{
    struct fixture *f = *state;
    char listen_at[32];
    snprintf(listen_at, sizeof listen_at, "127.0.0.1:%u", http_port(f->srv));
    struct http_config cfg;
    http_config_default(&cfg);
    cfg.listen = listen_at;
    struct err e;
    err_clear(&e);
    assert_null(http_start(&cfg, &e));
    assert_int_equal(e.code, ERR_IO);
    assert_non_null(strstr(e.msg, listen_at));
    assert_non_null(strstr(e.msg, "in use"));
}

static void serves_ipv6_loopback_when_available(void **state)
{
    (void)state;
    struct http_config cfg;
    http_config_default(&cfg);
    cfg.listen = "[::1]:0";
    cfg.routes = test_routes;
    cfg.nroutes = sizeof test_routes / sizeof test_routes[0];
    FILE *log = tmpfile();
    cfg.access_log = log;
    struct err e;
    err_clear(&e);
    struct http_server *srv = http_start(&cfg, &e);
    if (!srv) {
        fclose(log);
        skip(); /* no IPv6 on this machine */
    }
    assert_non_null(strstr(http_url(srv), "http://[::1]:"));
    int fd = socket(AF_INET6, SOCK_STREAM, 0);
    struct sockaddr_in6 sin6;
    memset(&sin6, 0, sizeof sin6);
    sin6.sin6_family = AF_INET6;
    sin6.sin6_port = htons((uint16_t)http_port(srv));
    sin6.sin6_addr = in6addr_loopback;
    assert_int_equal(connect(fd, (struct sockaddr *)&sin6, sizeof sin6), 0);
    send_text(fd, "GET /hello HTTP/1.1\r\nHost: t\r\n\r\n");
    struct reply r;
    assert_int_equal(read_reply(fd, &r, 0), 0);
    assert_int_equal(r.status, 200);
    reply_release(&r);
    close(fd);
    http_stop(srv);
    fclose(log);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(parses_listen_addresses),
        cmocka_unit_test_setup_teardown(routes_exact_and_prefix_paths, start_server, stop_server),
        cmocka_unit_test_setup_teardown(unknown_api_path_is_json_404_else_text, start_server,
                                        stop_server),
        cmocka_unit_test_setup_teardown(wrong_method_is_405_with_allow, start_server, stop_server),
        cmocka_unit_test_setup_teardown(keeps_the_connection_alive_between_requests, start_server,
                                        stop_server),
        cmocka_unit_test_setup_teardown(head_has_length_but_no_body, start_server, stop_server),
        cmocka_unit_test_setup_teardown(body_within_cap_is_collected, start_server, stop_server),
        cmocka_unit_test_setup_teardown(streaming_route_sees_the_body_in_chunks, start_server,
                                        stop_server),
        cmocka_unit_test_setup_teardown(declared_body_over_cap_is_413, start_server, stop_server),
        cmocka_unit_test_setup_teardown(guard_refuses_before_the_handler_and_keeps_the_connection,
                                        start_server, stop_server),
        cmocka_unit_test_setup_teardown(bad_content_length_is_answered_once, start_server,
                                        stop_server),
        cmocka_unit_test_setup_teardown(one_address_gets_its_share_then_only_health_checks,
                                        start_small_pool, stop_server),
        cmocka_unit_test_setup_teardown(health_check_answers_while_the_pool_is_full,
                                        start_small_pool, stop_server),
        cmocka_unit_test_setup_teardown(request_head_must_arrive_within_header_timeout,
                                        start_short_header_timeout, stop_server),
        cmocka_unit_test_setup_teardown(chunked_body_over_cap_is_413_once, start_server,
                                        stop_server),
        cmocka_unit_test_setup_teardown(failing_handler_is_500_json, start_server, stop_server),
        cmocka_unit_test_setup_teardown(writes_one_access_log_line_per_request, start_server,
                                        stop_server),
        cmocka_unit_test(stop_lets_requests_in_flight_finish),
        cmocka_unit_test_setup_teardown(port_in_use_is_a_clear_error, start_server, stop_server),
        cmocka_unit_test(serves_ipv6_loopback_when_available),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
