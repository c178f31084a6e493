/* httpc.c — GET over libcurl with caps, conditional requests and bounded retries (see
 * httpc.h). One easy handle per call, so calls on different threads never share state.
 * Calls buf and err, and libcurl. */
#include "httpc.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include <curl/curl.h>

#include "banned.h"

/* Query parameters whose values are credentials (compared case-insensitively). */
static const char *const secret_params[] = {
    "access_token",  "key",      "api_key",   "apikey", "token",
    "client_secret", "password", "signature", "sig",    "refresh_token",
};

void httpc_opts_default(struct httpc_opts *o)
{
    memset(o, 0, sizeof *o);
    o->connect_timeout_ms = 10000;
    o->total_timeout_ms = 120000;
    o->low_speed_bytes = 1;
    o->low_speed_seconds = 30;
    o->max_redirects = 5;
    o->max_body = 64ULL << 20;
    o->max_attempts = 4;
    o->max_total_wait = 120;
    o->backoff_initial = 1;
    o->backoff_max = 30;
}

void httpc_response_init(struct httpc_response *r)
{
    memset(r, 0, sizeof *r);
    buf_init(&r->body);
}

static void clear_headers(struct httpc_response *r)
{
    free(r->etag);
    free(r->last_modified);
    free(r->content_type);
    free(r->retry_after);
    free(r->buc_usage);
    r->etag = r->last_modified = r->content_type = r->retry_after = r->buc_usage = NULL;
}

void httpc_response_release(struct httpc_response *r)
{
    clear_headers(r);
    buf_release(&r->body);
    memset(r, 0, sizeof *r);
}

static pthread_once_t curl_once = PTHREAD_ONCE_INIT;
static CURLcode curl_init_rc;

static void curl_init_once(void)
{
    curl_init_rc = curl_global_init(CURL_GLOBAL_DEFAULT);
}

/* ---- redaction ---- */

static int is_secret_param(const char *name, size_t len)
{
    for (size_t i = 0; i < sizeof secret_params / sizeof secret_params[0]; i++)
        if (strlen(secret_params[i]) == len && strncasecmp(name, secret_params[i], len) == 0)
            return 1;
    return 0;
}

static int ends_value(char c)
{
    return c == '\0' || c == '&' || c == '#' || c == '"' || c == '\'' || c == '<' || c == '>' ||
           c == ')' || c == ',' || c == ';' || isspace((unsigned char)c);
}

void httpc_redact_text(const char *text, struct buf *out)
{
    const char *p = text;
    while (*p) {
        /* A parameter name starts the text or follows ? & or a space/quote. */
        int at_start = p == text || p[-1] == '?' || p[-1] == '&' || p[-1] == ' ' || p[-1] == '"' ||
                       p[-1] == '\'' || p[-1] == '(' || p[-1] == '\n';
        if (at_start && (isalnum((unsigned char)*p) || *p == '_')) {
            const char *q = p;
            while (isalnum((unsigned char)*q) || *q == '_')
                q++;
            if (*q == '=' && is_secret_param(p, (size_t)(q - p))) {
                buf_append(out, p, (size_t)(q - p) + 1);
                q++;
                while (!ends_value(*q))
                    q++;
                buf_puts(out, "***");
                p = q;
                continue;
            }
            buf_append(out, p, (size_t)(q - p));
            p = q;
            continue;
        }
        buf_putc(out, *p++);
    }
}

void httpc_redact(const char *url, struct buf *out)
{
    /* user:password@ in the authority */
    const char *scheme_end = strstr(url, "://");
    if (scheme_end) {
        const char *auth = scheme_end + 3;
        size_t alen = strcspn(auth, "/?#");
        const char *at = memchr(auth, '@', alen);
        if (at) {
            buf_append(out, url, (size_t)(auth - url));
            buf_puts(out, "***@");
            url = at + 1;
            struct buf rest = BUF_INIT;
            httpc_redact_text(url, &rest);
            buf_puts(out, buf_cstr(&rest));
            buf_release(&rest);
            return;
        }
    }
    httpc_redact_text(url, out);
}

void httpc_scrub_err(struct err *e, const char *secret)
{
    if (!e)
        return;
    struct buf b = BUF_INIT;
    httpc_redact_text(e->msg, &b);
    const char *s = buf_cstr(&b);
    struct buf c = BUF_INIT;
    size_t slen = secret ? strlen(secret) : 0;
    if (slen) {
        const char *p = s, *hit;
        while ((hit = strstr(p, secret)) != NULL) {
            buf_append(&c, p, (size_t)(hit - p));
            buf_puts(&c, "***");
            p = hit + slen;
        }
        buf_puts(&c, p);
        s = buf_cstr(&c);
    }
    snprintf(e->msg, sizeof e->msg, "%s", s);
    buf_release(&c);
    buf_release(&b);
}

void httpc_query_escape(struct buf *out, const char *s)
{
    static const char hex[] = "0123456789ABCDEF";
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        if (isalnum(*p) || *p == '-' || *p == '.' || *p == '_' || *p == '~')
            buf_putc(out, (char)*p);
        else
            buf_printf(out, "%%%c%c", hex[*p >> 4], hex[*p & 15]);
    }
}

void httpc_url_host(const char *url, struct buf *out)
{
    const char *p = strstr(url, "://");
    p = p ? p + 3 : url;
    size_t n = strcspn(p, "/?#");
    const char *at = memchr(p, '@', n);
    if (at) {
        n -= (size_t)(at + 1 - p);
        p = at + 1;
    }
    buf_append(out, p, n);
}

double httpc_retry_after_seconds(const char *value, time_t now)
{
    if (!value)
        return -1;
    while (*value == ' ' || *value == '\t')
        value++;
    if (*value >= '0' && *value <= '9') {
        char *end;
        errno = 0;
        long long v = strtoll(value, &end, 10);
        while (*end == ' ' || *end == '\t' || *end == '\r' || *end == '\n')
            end++;
        if (errno || *end)
            return -1;
        return (double)v;
    }
    time_t t = curl_getdate(value, NULL);
    if (t == (time_t)-1)
        return -1;
    return t > now ? (double)(t - now) : 0;
}

/* ---- one transfer ---- */

struct transfer {
    struct httpc_response *res;
    FILE *sink;
    uint64_t max_body;
    int over_cap;
    int sink_failed;
};

static size_t on_body(char *ptr, size_t size, size_t nmemb, void *userdata)
{
    struct transfer *t = userdata;
    size_t n = size * nmemb;
    if (t->res->body_bytes + n > t->max_body) {
        t->over_cap = 1;
        return 0;
    }
    if (t->sink) {
        if (fwrite(ptr, 1, n, t->sink) != n) {
            t->sink_failed = 1;
            return 0;
        }
    } else {
        buf_append(&t->res->body, ptr, n); /* within max_body: checked above */
    }
    t->res->body_bytes += n;
    return n;
}

/* Copies a header's value (trimmed) when line is "name: value". */
static int header_value(const char *line, size_t len, const char *name, char **out)
{
    size_t nlen = strlen(name);
    if (len <= nlen || strncasecmp(line, name, nlen) != 0 || line[nlen] != ':')
        return 0;
    const char *v = line + nlen + 1;
    const char *end = line + len;
    while (v < end && (*v == ' ' || *v == '\t'))
        v++;
    while (end > v && (end[-1] == '\r' || end[-1] == '\n' || end[-1] == ' ' || end[-1] == '\t'))
        end--;
    free(*out);
    *out = xstrndup(v, (size_t)(end - v));
    return 1;
}

static size_t on_header(char *buffer, size_t size, size_t nitems, void *userdata)
{
    struct transfer *t = userdata;
    size_t n = size * nitems;
    struct httpc_response *r = t->res;
    /* Each answer of a redirect chain starts with its status line: keep the last's. */
    if (n > 5 && strncmp(buffer, "HTTP/", 5) == 0) {
        clear_headers(r);
        return n;
    }
    if (!header_value(buffer, n, "ETag", &r->etag) &&
        !header_value(buffer, n, "Last-Modified", &r->last_modified) &&
        !header_value(buffer, n, "Content-Type", &r->content_type) &&
        !header_value(buffer, n, "Retry-After", &r->retry_after))
        header_value(buffer, n, "X-Business-Use-Case-Usage", &r->buc_usage);
    return n;
}

static int transient_curl_error(CURLcode rc)
{
    switch (rc) {
    case CURLE_COULDNT_CONNECT:
    case CURLE_OPERATION_TIMEDOUT:
    case CURLE_RECV_ERROR:
    case CURLE_SEND_ERROR:
    case CURLE_GOT_NOTHING:
    case CURLE_PARTIAL_FILE:
    case CURLE_HTTP2:
    case CURLE_HTTP2_STREAM:
        return 1;
    default:
        return 0;
    }
}

static void default_sleep(void *ctx, double seconds)
{
    (void)ctx;
    if (seconds <= 0)
        return;
    struct timespec ts;
    ts.tv_sec = (time_t)seconds;
    ts.tv_nsec = (long)((seconds - (double)ts.tv_sec) * 1e9);
    while (nanosleep(&ts, &ts) != 0 && errno == EINTR) {
    }
}

static int rewind_sink(FILE *f)
{
    if (fflush(f) != 0 || ftruncate(fileno(f), 0) != 0)
        return -1;
    rewind(f);
    return 0;
}

static const char *reason_phrase(long status)
{
    switch (status) {
    case 400:
        return "Bad Request";
    case 401:
        return "Unauthorized";
    case 403:
        return "Forbidden";
    case 404:
        return "Not Found";
    case 408:
        return "Request Timeout";
    case 410:
        return "Gone";
    case 429:
        return "Too Many Requests";
    case 500:
        return "Internal Server Error";
    case 502:
        return "Bad Gateway";
    case 503:
        return "Service Unavailable";
    case 504:
        return "Gateway Timeout";
    default:
        return "";
    }
}

int httpc_status_error(const struct httpc_response *res, const char *url, struct err *e)
{
    struct buf host = BUF_INIT, red = BUF_INIT, snippet = BUF_INIT;
    httpc_url_host(url, &host);
    httpc_redact(url, &red);
    const char *ct = res->content_type ? res->content_type : "";
    int texty = strncasecmp(ct, "text/", 5) == 0 || strstr(ct, "json") != NULL;
    if (texty && res->body.len) {
        size_t n = res->body.len < 200 ? res->body.len : 200;
        for (size_t i = 0; i < n; i++) {
            unsigned char c = (unsigned char)res->body.data[i];
            buf_putc(&snippet, c < 0x20 ? ' ' : (char)c);
        }
        if (res->body.len > n)
            buf_puts(&snippet, "...");
    }
    err_set(e, ERR_IO, "%s answered %ld%s%s for %s%s%s", buf_cstr(&host), res->status,
            *reason_phrase(res->status) ? " " : "", reason_phrase(res->status), buf_cstr(&red),
            snippet.len ? ": " : "", buf_cstr(&snippet));
    httpc_scrub_err(e, NULL);
    buf_release(&host);
    buf_release(&red);
    buf_release(&snippet);
    return ERR_IO;
}

static double backoff_wait(const struct httpc_opts *o, int attempt)
{
    double w = o->backoff_initial * pow(2.0, attempt - 1);
    return w > o->backoff_max ? o->backoff_max : w;
}

int httpc_get(const struct httpc_opts *opts, const struct httpc_request *req,
              struct httpc_response *res, struct err *e)
{
    struct httpc_opts o;
    if (opts)
        o = *opts;
    else
        httpc_opts_default(&o);
    if (o.max_attempts < 1)
        o.max_attempts = 1;
    httpc_sleep_fn sleep_fn = o.sleep ? o.sleep : default_sleep;
    struct buf host = BUF_INIT, red = BUF_INIT;
    httpc_url_host(req->url, &host);
    httpc_redact(req->url, &red);
    int rc = 0;
    CURL *h = NULL;
    struct curl_slist *headers = NULL;

    if (strncasecmp(req->url, "http://", 7) != 0 && strncasecmp(req->url, "https://", 8) != 0) {
        rc = err_set(e, ERR_USAGE, "%s: not an http:// or https:// address", buf_cstr(&red));
        goto out;
    }
    pthread_once(&curl_once, curl_init_once);
    if (curl_init_rc != CURLE_OK) {
        rc = err_set(e, ERR_IO, "libcurl could not start: %s", curl_easy_strerror(curl_init_rc));
        goto out;
    }
    h = curl_easy_init();
    if (!h) {
        rc = err_set(e, ERR_IO, "libcurl could not start a transfer");
        goto out;
    }
    if (req->if_none_match && *req->if_none_match) {
        struct buf line = BUF_INIT;
        buf_printf(&line, "If-None-Match: %s", req->if_none_match);
        headers = curl_slist_append(headers, buf_cstr(&line));
        buf_release(&line);
    }
    if (req->if_modified_since && *req->if_modified_since) {
        struct buf line = BUF_INIT;
        buf_printf(&line, "If-Modified-Since: %s", req->if_modified_since);
        headers = curl_slist_append(headers, buf_cstr(&line));
        buf_release(&line);
    }
    for (const char *const *hp = req->headers; hp && *hp; hp++)
        headers = curl_slist_append(headers, *hp);

    char errbuf[CURL_ERROR_SIZE];
    struct transfer t = {res, req->sink, o.max_body, 0, 0};
    curl_easy_setopt(h, CURLOPT_URL, req->url);
    curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(h, CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(h, CURLOPT_FOLLOWLOCATION, 1L);
    curl_easy_setopt(h, CURLOPT_MAXREDIRS, (long)o.max_redirects);
    curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS, o.connect_timeout_ms);
    curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, o.total_timeout_ms);
    curl_easy_setopt(h, CURLOPT_LOW_SPEED_LIMIT, o.low_speed_bytes);
    curl_easy_setopt(h, CURLOPT_LOW_SPEED_TIME, o.low_speed_seconds);
    curl_easy_setopt(h, CURLOPT_SSL_VERIFYPEER, 1L);
    curl_easy_setopt(h, CURLOPT_SSL_VERIFYHOST, 2L);
    if (o.ca_file)
        curl_easy_setopt(h, CURLOPT_CAINFO, o.ca_file);
    curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(h, CURLOPT_ACCEPT_ENCODING, "");
    curl_easy_setopt(h, CURLOPT_MAXFILESIZE_LARGE, (curl_off_t)o.max_body);
    curl_easy_setopt(h, CURLOPT_USERAGENT, o.user_agent ? o.user_agent : "infludash");
    curl_easy_setopt(h, CURLOPT_HTTPHEADER, headers);
    curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_body);
    curl_easy_setopt(h, CURLOPT_WRITEDATA, &t);
    curl_easy_setopt(h, CURLOPT_HEADERFUNCTION, on_header);
    curl_easy_setopt(h, CURLOPT_HEADERDATA, &t);
    curl_easy_setopt(h, CURLOPT_ERRORBUFFER, errbuf);

    for (int attempt = 1;; attempt++) {
        errbuf[0] = '\0';
        buf_reset(&res->body);
        res->body_bytes = 0;
        res->status = 0;
        res->not_modified = 0;
        clear_headers(res);
        if (req->sink && rewind_sink(req->sink) < 0) {
            rc = err_set(e, ERR_IO, "cannot rewrite the download of %s: %s", buf_cstr(&red),
                         strerror(errno));
            goto out;
        }
        res->attempts = attempt;
        CURLcode crc = curl_easy_perform(h);
        double wait = -1;
        int server_asked = 0;
        if (t.over_cap || crc == CURLE_FILESIZE_EXCEEDED) {
            rc = err_set(e, ERR_LIMIT,
                         "the answer of %s is larger than the %llu MiB allowed (%s): nothing "
                         "was imported",
                         buf_cstr(&host), (unsigned long long)(o.max_body >> 20), buf_cstr(&red));
            goto out;
        }
        if (t.sink_failed) {
            rc = err_set(e, ERR_IO, "cannot write the download of %s: %s", buf_cstr(&red),
                         strerror(errno));
            goto out;
        }
        if (crc != CURLE_OK) {
            if (!transient_curl_error(crc) || attempt >= o.max_attempts) {
                rc = err_set(e, ERR_IO, "cannot get %s%s: %s%s%s", buf_cstr(&red),
                             attempt > 1 ? " (tried several times)" : "", curl_easy_strerror(crc),
                             errbuf[0] ? ": " : "", errbuf);
                httpc_scrub_err(e, NULL);
                goto out;
            }
        } else {
            curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &res->status);
            long s = res->status;
            if (s == 304 && (req->if_none_match || req->if_modified_since)) {
                res->not_modified = 1;
                break;
            }
            int retry = 0;
            if (s == 429 || s == 503) {
                retry = 1;
                wait = httpc_retry_after_seconds(res->retry_after, time(NULL));
                server_asked = wait >= 0;
            } else if (s == 500 || s == 502 || s == 504) {
                retry = 1;
                wait = httpc_retry_after_seconds(res->retry_after, time(NULL));
                server_asked = wait >= 0;
            } else if ((s < 200 || s >= 300) && req->retry) {
                retry = req->retry(req->retry_ctx, res, &wait);
                server_asked = retry && wait >= 0;
            }
            if (!retry || attempt >= o.max_attempts)
                break;
        }
        if (wait < 0)
            wait = backoff_wait(&o, attempt);
        double left = o.max_total_wait - res->waited;
        if (wait > left) {
            if (server_asked) {
                rc = err_set(e, ERR_LIMIT,
                             "%s asks to wait %.0f s before the next request (answer %ld), "
                             "longer than the %.0f s a sync waits: try again later",
                             buf_cstr(&host), wait, res->status, o.max_total_wait);
                goto out;
            }
            if (left <= 0) {
                if (crc != CURLE_OK) {
                    rc =
                        err_set(e, ERR_IO, "cannot get %s (tried %d times): %s%s%s", buf_cstr(&red),
                                attempt, curl_easy_strerror(crc), errbuf[0] ? ": " : "", errbuf);
                    httpc_scrub_err(e, NULL);
                    goto out;
                }
                break;
            }
            wait = left;
        }
        sleep_fn(o.sleep_ctx, wait);
        res->waited += wait;
    }
    if (req->sink && fflush(req->sink) != 0) {
        rc = err_set(e, ERR_IO, "cannot write the download of %s: %s", buf_cstr(&red),
                     strerror(errno));
        goto out;
    }
out:
    curl_slist_free_all(headers);
    if (h)
        curl_easy_cleanup(h);
    buf_release(&host);
    buf_release(&red);
    return rc;
}
