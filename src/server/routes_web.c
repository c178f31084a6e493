/* routes_web.c — the web app's pages and their assets, all built into the binary (assets.h):
 * every page path answers index.html (its script reads the path), /assets/NAME the file,
 * gzip when the client accepts it, with ETags and cache headers. No filesystem access, so
 * no path can reach outside the table. Calls http and assets. */
#include "routes_handlers.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "assets.h"

#include "banned.h"

#define ROUTES_INDEX "index.html"
/* The page's policy: scripts only from this server, plus the page's inline import map by
 * its hash (assets.h csp_script) where it has one. */
#define ROUTES_PAGE_CSP_SCRIPT "default-src 'self'; script-src 'self'"
#define ROUTES_PAGE_CSP_REST                                                                       \
    "; style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; connect-src 'self'; "         \
    "font-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; "                    \
    "frame-ancestors 'none'"

/* Whether Accept-Encoding allows gzip: a "gzip" (or "x-gzip") coding, or "*" without an
 * explicit gzip entry, with a q-value above 0. */
static bool routes_accepts_gzip(const char *accept)
{
    if (!accept)
        return false;
    int gzip = -1, star = -1; /* -1: not named; else whether q > 0 */
    const char *p = accept;
    while (*p) {
        p += strspn(p, " \t,");
        size_t name_len = strcspn(p, " \t;,");
        if (name_len == 0)
            break;
        const char *name = p;
        p += name_len;
        size_t params_len = strcspn(p, ",");
        const char *q = NULL;
        for (const char *s = p; s < p + params_len; s++) {
            if ((*s == 'q' || *s == 'Q') && s + 1 < p + params_len && s[1] == '=') {
                q = s + 2;
                break;
            }
        }
        bool allowed = true;
        if (q) {
            char *end;
            double v = strtod(q, &end);
            allowed = end != q && v > 0;
        }
        if ((name_len == 4 && strncasecmp(name, "gzip", 4) == 0) ||
            (name_len == 6 && strncasecmp(name, "x-gzip", 6) == 0))
            gzip = allowed;
        else if (name_len == 1 && name[0] == '*')
            star = allowed;
        p += params_len;
    }
    return gzip == 1 || (gzip == -1 && star == 1);
}

/* Whether If-None-Match lists tag (quoted, weak or strong) or is "*". */
static bool routes_etag_matches(const char *if_none_match, const char *tag)
{
    if (!if_none_match)
        return false;
    size_t tag_len = strlen(tag);
    const char *p = if_none_match;
    while (*p) {
        p += strspn(p, " \t,");
        if (*p == '*')
            return true;
        if (strncmp(p, "W/", 2) == 0)
            p += 2;
        size_t len = strcspn(p, ",");
        while (len > 0 && (p[len - 1] == ' ' || p[len - 1] == '\t'))
            len--;
        if (len == tag_len && memcmp(p, tag, len) == 0)
            return true;
        p += len;
        if (len == 0 && *p)
            p++;
    }
    return false;
}

/* The Content-Security-Policy of the page f (request memory, or static). */
static const char *routes_page_csp(struct http_request *req, const struct assets_file *f)
{
    if (!f->csp_script || !f->csp_script[0])
        return ROUTES_PAGE_CSP_SCRIPT ROUTES_PAGE_CSP_REST;
    size_t cap =
        sizeof ROUTES_PAGE_CSP_SCRIPT + 1 + strlen(f->csp_script) + sizeof ROUTES_PAGE_CSP_REST;
    char *csp = http_alloc(req, cap);
    snprintf(csp, cap, "%s %s%s", ROUTES_PAGE_CSP_SCRIPT, f->csp_script, ROUTES_PAGE_CSP_REST);
    return csp;
}

/* Answers with f: the gzip copy when accepted, ETag and 304, and cache_control. */
static int routes_send_file(struct http_request *req, struct http_response *res,
                            const struct assets_file *f, const char *cache_control)
{
    bool gz = f->gz && routes_accepts_gzip(http_header(req, "Accept-Encoding"));
    /* Each encoding is its own representation, so each gets its own strong tag. */
    size_t cap = strlen(f->etag) + 8;
    char *etag = http_alloc(req, cap);
    snprintf(etag, cap, gz ? "\"%s-gz\"" : "\"%s\"", f->etag);
    res->content_type = f->mime;
    res->cache_control = cache_control;
    http_response_header(res, "ETag", etag);
    if (f->gz)
        http_response_header(res, "Vary", "Accept-Encoding");
    if (routes_etag_matches(http_header(req, "If-None-Match"), etag)) {
        res->status = 304;
        return 0;
    }
    res->status = 200;
    if (gz) {
        http_response_header(res, "Content-Encoding", "gzip");
        http_response_static(res, f->gz, f->gz_len);
    } else {
        http_response_static(res, f->data, f->len);
    }
    return 0;
}

int routes_page(struct http_request *req, struct http_response *res)
{
    const struct assets_file *f = assets_find(ROUTES_INDEX);
    if (!f)
        return http_response_text(res, err_http_status(ERR_UNAVAILABLE),
                                  "the web pages were not built into this binary "
                                  "(web/src/index.html was missing at build time)\n");
    http_response_header(res, "Content-Security-Policy", routes_page_csp(req, f));
    http_response_header(res, "Referrer-Policy", "same-origin");
    http_response_header(res, "X-Frame-Options", "DENY");
    const struct routes_auth *ra = req->auth;
    const char *head = f->len ? memmem(f->data, f->len, "<head>", 6) : NULL;
    if (!ra || !ra->signed_in || !head)
        return routes_send_file(req, res, f, "no-cache");
    /* Signed in: the page carries the session's CSRF token (the same as /api/session's),
     * so it is the user's own and never cached. */
    size_t at = (size_t)(head - (const char *)f->data) + 6;
    res->status = 200;
    res->content_type = f->mime;
    res->no_store = true;
    buf_append(&res->body, f->data, at);
    buf_printf(&res->body, "\n<meta name=\"csrf-token\" content=\"%s\">", ra->s.csrf);
    buf_append(&res->body, (const char *)f->data + at, f->len - at);
    return 0;
}

int routes_asset(struct http_request *req, struct http_response *res)
{
    const struct assets_file *f = assets_find(req->path_param);
    if (!f)
        return http_response_text(res, err_http_status(ERR_NOTFOUND), "not found\n");
    const char *v = http_query(req, "v");
    bool versioned = v && strcmp(v, f->etag) == 0;
    if (strcmp(f->name, ROUTES_INDEX) == 0)
        http_response_header(res, "Content-Security-Policy", routes_page_csp(req, f));
    return routes_send_file(req, res, f,
                            versioned ? "public, max-age=31536000, immutable" : "no-cache");
}
