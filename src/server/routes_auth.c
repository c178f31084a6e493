/* routes_auth.c — sign-in, rights and workspaces over HTTP (docs/accounts.md): the guard
 * every routed request passes before its body is read (cross-origin refusal, session,
 * CSRF token, role, workspace), the sign-in page, POST /login and /logout, /api/session,
 * the audit log (/api/audit[.csv]) and the admin endpoints for users and workspaces.
 * Calls routes_common, site, auth, audit, report (file names), http, html, json, form,
 * format and number. Never writes a password, a hash or a session
 * token anywhere but the Set-Cookie header of a successful sign-in. */
#include "routes_handlers.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <sodium.h>

#include "audit.h"
#include "form.h"
#include "format.h"
#include "html.h"
#include "number.h"
#include "json.h"
#include "report.h"
#include "site.h"

#include "banned.h"

#define COOKIE_NAME "infludash_session"
#define FORM_FIELD_MAX 1100
#define AUDIT_DEFAULT_LIMIT 200
#define AUDIT_MAX_LIMIT 10000

static struct site *req_site(struct http_request *req)
{
    return ((struct app *)req->app)->site;
}

static int is_api(const struct http_request *req)
{
    return strncmp(req->path, "/api/", 5) == 0;
}

static int changes_state(const struct http_request *req)
{
    return req->method & (HTTP_POST | HTTP_PUT | HTTP_PATCH | HTTP_DELETE);
}

/* ---- small parsers ---- */

static const char *cookie_get(struct http_request *req, const char *name, char *out, size_t cap)
{
    return form_cookie(http_header(req, "Cookie"), name, out, cap);
}

static const char *form_get(const struct cbuf *body, const char *name, char *out, size_t cap)
{
    return form_field(body->b.data, body->b.len, name, out, cap);
}

/* A local path to go to after signing in: "/..." but not "//..." (another host), without
 * backslashes or control characters; else "/". */
static const char *safe_next(const char *next)
{
    if (!next || next[0] != '/' || next[1] == '/' || next[1] == '\\' || strlen(next) > 1000)
        return "/";
    for (const unsigned char *p = (const unsigned char *)next; *p; p++)
        if (*p < 0x20 || *p == 0x7f || *p == '\\')
            return "/";
    return next;
}

/* Whether Origin names another site than the one asked (Host, or X-Forwarded-Host when the
 * server is told it runs behind a proxy: serve --trust-proxy; without it, any client could
 * name the Origin's host there itself), or the browser says the request comes from another
 * site. */
static int cross_origin(struct http_request *req)
{
    const char *fetch_site = http_header(req, "Sec-Fetch-Site");
    if (fetch_site && strcasecmp(fetch_site, "cross-site") == 0)
        return 1;
    const char *origin = http_header(req, "Origin");
    if (!origin)
        return 0;
    const char *host_part = strstr(origin, "://");
    if (!host_part)
        return 1; /* "null" and the like */
    host_part += 3;
    const char *hosts[] = {http_header(req, "Host"), req_site(req)->trust_proxy
                                                         ? http_header(req, "X-Forwarded-Host")
                                                         : NULL};
    for (size_t i = 0; i < 2; i++)
        if (hosts[i] && strcasecmp(host_part, hosts[i]) == 0)
            return 0;
    return 1;
}

/* The client's address for the throttle: the connection's, or behind a trusted proxy the
 * last address X-Forwarded-For names (the one the proxy added), copied into out. */
static const char *client_address(struct http_request *req, char *out, size_t cap)
{
    const char *fwd = http_header(req, "X-Forwarded-For");
    if (!req_site(req)->trust_proxy || !fwd)
        return http_client(req);
    const char *last = strrchr(fwd, ',');
    last = last ? last + 1 : fwd;
    last += strspn(last, " \t");
    size_t len = strcspn(last, " \t");
    if (len == 0 || len >= cap)
        return http_client(req);
    memcpy(out, last, len);
    out[len] = '\0';
    return out;
}

/* ---- answers ---- */

/* Not signed in: a page goes to the sign-in page, the API says so. */
static int sign_in_required(struct http_request *req, struct http_response *res)
{
    if (is_api(req) || req->method != HTTP_GET)
        return http_response_err(res, ERR_AUTH,
                                 "sign in required: POST /login with username and "
                                 "password, or open /login");
    struct buf loc = BUF_INIT;
    buf_puts(&loc, "/login?next=");
    for (const unsigned char *p = (const unsigned char *)req->path; *p; p++) {
        if (isalnum(*p) || strchr("/-._~", *p))
            buf_putc(&loc, (char)*p);
        else
            buf_printf(&loc, "%%%02X", *p);
    }
    res->status = 303;
    res->no_store = true;
    http_response_header(res, "Location", buf_cstr(&loc));
    buf_release(&loc);
    buf_puts(&res->body, "sign in required: see /login\n");
    return 0;
}

static int role_refused(struct http_response *res, enum auth_role role, const char *what)
{
    return http_response_err(res, ERR_DENIED, "your role (%s) may not %s; ask an admin",
                             auth_role_name(role), what);
}

/* ---- workspaces of a request ---- */

/* The workspace a request works in: ?ws=, else "default" when the user may use it, else
 * their first one. 0 with slug filled; 404 answered when it does not exist or the user is
 * not a member; other errors 503/500 (routes_fail). */
static int resolve_workspace(struct http_request *req, struct http_response *res,
                             const struct routes_auth *ra, char slug[AUTH_SLUG_MAX + 1])
{
    struct site *site = req_site(req);
    const char *asked = http_query(req, "ws");
    struct err e;
    err_clear(&e);
    if (asked && asked[0] && auth_check_slug(asked, &e) < 0)
        return http_response_err(res, ERR_NOTFOUND, "ws: %s", e.msg), -1;
    struct store *acc = site_accounts_begin(site, 0, &e);
    if (!acc && e.code != ERR_NOTFOUND)
        return routes_fail(req, res, "reading the accounts", &e), -1;
    struct auth_workspace *ws = NULL;
    size_t n = 0;
    int rc = ra->signed_in ? auth_workspace_list_member(acc, ra->s.user, &ws, &n, &e)
                           : auth_workspace_list(acc, &ws, &n, &e);
    if (acc)
        site_accounts_end(site);
    if (rc < 0)
        return routes_fail(req, res, "reading the workspaces", &e), -1;
    const char *found = NULL;
    for (size_t i = 0; i < n && !found; i++)
        if (asked && asked[0] ? strcmp(ws[i].slug, asked) == 0 : 1)
            found = ws[i].slug;
    if (found)
        snprintf(slug, AUTH_SLUG_MAX + 1, "%s", found);
    free(ws);
    if (!found) {
        if (asked && asked[0])
            http_response_err(res, ERR_NOTFOUND, "ws: no workspace named \"%s\" that you may use",
                              asked);
        else
            http_response_err(res, ERR_DENIED, "you belong to no workspace; ask an admin");
        return -1;
    }
    return 0;
}

/* The session of the request's cookie: 1 found (ra filled), 0 none, -1 answered 503/500. */
static int load_session(struct http_request *req, struct http_response *res, struct routes_auth *ra)
{
    char token[AUTH_TOKEN_LEN + 2];
    if (!cookie_get(req, COOKIE_NAME, token, sizeof token))
        return 0;
    struct site *site = req_site(req);
    struct err e;
    err_clear(&e);
    struct store *acc = site_accounts_begin(site, 0, &e);
    if (!acc)
        return e.code == ERR_NOTFOUND ? 0 : (routes_fail(req, res, "reading the accounts", &e), -1);
    int rc = auth_session_get(acc, token, &ra->s, &e);
    site_accounts_end(site);
    sodium_memzero(token, sizeof token);
    if (rc < 0)
        return routes_fail(req, res, "reading the session", &e), -1;
    if (rc == 1) {
        ra->signed_in = 1;
        ra->role = ra->s.role;
        ra->actor = ra->s.user;
    }
    return rc;
}

static int csrf_ok(const struct routes_auth *ra, const char *token)
{
    return token && ra->signed_in && auth_equal(token, ra->s.csrf);
}

/* Who the request is: open mode, a session, or nobody (ra->role ROLE_NONE). */
static int identify(struct http_request *req, struct http_response *res, struct routes_auth *ra)
{
    ra->open = site_is_open(req_site(req));
    if (ra->open) {
        ra->role = ROLE_ADMIN;
        ra->actor = "open";
        return 0;
    }
    return load_session(req, res, ra) < 0 ? -1 : 0;
}

/* What a route needs of this request: an import that replaces a dataset (?mode=replace)
 * deletes the rows it replaces, so it needs the right to delete (SPEC §7: admin). */
static int request_access(struct http_request *req, const struct http_route *route)
{
    int access = route->access ? route->access : ACCESS_READ;
    const char *mode = http_query(req, "mode");
    if (access == ACCESS_IMPORT && req->method == HTTP_POST && mode && strcmp(mode, "replace") == 0)
        return ACCESS_DELETE;
    return access;
}

int routes_guard(struct http_request *req, const struct http_route *route,
                 struct http_response *res)
{
    int access = request_access(req, route);
    struct routes_auth *ra = http_alloc(req, sizeof *ra);
    memset(ra, 0, sizeof *ra);
    req->auth = ra;
    if (changes_state(req) && cross_origin(req))
        return http_response_err(res, ERR_DENIED, "cross-origin request refused"), 1;
    if (access == ACCESS_PUBLIC)
        return 0;
    if (identify(req, res, ra) < 0)
        return 1;
    if (ra->role == ROLE_NONE)
        return sign_in_required(req, res), 1;
    if (ra->signed_in && changes_state(req) && !csrf_ok(ra, http_header(req, "X-CSRF-Token")))
        return http_response_err(res, ERR_DENIED,
                                 "CSRF token missing or wrong: send the X-CSRF-Token header "
                                 "with the token of GET /api/session"),
               1;
    static const struct {
        enum auth_role role;
        const char *what;
    } needs[] = {
        [ACCESS_SIGNED_IN] = {ROLE_VIEWER, "do this"},
        [ACCESS_READ] = {ROLE_VIEWER, "read data"},
        [ACCESS_IMPORT] = {ROLE_ANALYST, "import data"},
        [ACCESS_DELETE] = {ROLE_ADMIN, "delete or replace data"},
        [ACCESS_ADMIN] = {ROLE_ADMIN, "manage users and workspaces"},
    };
    if (ra->role < needs[access].role)
        return role_refused(res, ra->role, needs[access].what), 1;
    if (access == ACCESS_READ || access == ACCESS_IMPORT || access == ACCESS_DELETE) {
        char slug[AUTH_SLUG_MAX + 1];
        if (resolve_workspace(req, res, ra, slug) < 0)
            return 1;
        struct err e;
        err_clear(&e);
        struct app *app = site_app(req_site(req), slug, &e);
        if (!app)
            return routes_fail(req, res, "opening the workspace", &e), 1;
        req->app = app;
        /* the data's API (the pages load, and their calls say what is wrong) */
        if ((is_api(req) || strcmp(req->path, "/status") == 0) && routes_check_store(req, res) < 0)
            return 1;
    }
    return 0;
}

/* ---- the sign-in page ---- */

static const char login_head[] =
    "<!doctype html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
    "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
    "<title>Sign in · infludash</title>\n<style>\n"
    "body{font:15px/1.5 system-ui,sans-serif;margin:0;color:#1d2330;background:#f6f7f9}\n"
    "main{max-width:360px;margin:12vh auto;padding:2rem;background:#fff;border-radius:10px;"
    "box-shadow:0 1px 3px rgba(0,0,0,.12)}\n"
    "h1{margin:0 0 1rem;font-size:1.4rem}label{display:block;margin:.8rem 0 .2rem}\n"
    "input{width:100%;box-sizing:border-box;padding:.5rem;font:inherit;border:1px solid #c8cdd5;"
    "border-radius:6px}\n"
    "button{margin-top:1.2rem;width:100%;padding:.6rem;font:inherit;font-weight:600;color:#fff;"
    "background:#2f5bea;border:0;border-radius:6px;cursor:pointer}\n"
    ".error{color:#b42318;background:#fef3f2;padding:.5rem .7rem;border-radius:6px}\n"
    ".muted{color:#667085;font-size:.9rem}\n</style>\n</head>\n<body>\n<main>\n";

static int login_page(struct http_response *res, int status, const char *next, const char *error)
{
    struct buf *out = &res->body;
    buf_reset(out);
    res->status = status;
    res->content_type = "text/html; charset=utf-8";
    res->no_store = true;
    http_response_header(res, "Content-Security-Policy",
                         "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; "
                         "frame-ancestors 'none'");
    buf_puts(out, login_head);
    buf_puts(out, "<h1>infludash</h1>\n");
    if (error) {
        buf_puts(out, "<p class=\"error\" role=\"alert\" id=\"login-error\">");
        html_puts(out, error);
        buf_puts(out, "</p>\n");
    }
    buf_puts(out, "<form method=\"post\" action=\"/login\">\n"
                  "<input type=\"hidden\" name=\"next\" value=\"");
    html_puts(out, safe_next(next));
    buf_puts(out, "\">\n<label for=\"username\">User name</label>\n"
                  "<input id=\"username\" name=\"username\" autocomplete=\"username\" required "
                  "autofocus>\n<label for=\"password\">Password</label>\n"
                  "<input id=\"password\" name=\"password\" type=\"password\" "
                  "autocomplete=\"current-password\" required>\n"
                  "<button type=\"submit\">Sign in</button>\n</form>\n"
                  "<p class=\"muted\">Accounts are made by an admin "
                  "(<code>infludash user add</code>).</p>\n</main>\n</body>\n</html>\n");
    return 0;
}

static void redirect(struct http_response *res, const char *to)
{
    res->status = 303;
    res->no_store = true;
    http_response_header(res, "Location", to);
    buf_reset(&res->body);
}

static int wants_json(struct http_request *req)
{
    const char *accept = http_header(req, "Accept");
    return accept && strstr(accept, "application/json") && !strstr(accept, "text/html");
}

/* GET /login */
int routes_login_page(struct http_request *req, struct http_response *res)
{
    const char *next = http_query(req, "next");
    if (site_is_open(req_site(req))) {
        redirect(res, safe_next(next));
        return 0;
    }
    struct routes_auth *ra = req->auth;
    if (load_session(req, res, ra) < 0)
        return 0;
    if (ra->signed_in) {
        redirect(res, safe_next(next));
        return 0;
    }
    return login_page(res, 200, next, NULL);
}

static void session_cookie(struct http_request *req, struct http_response *res, const char *token,
                           int64_t max_age)
{
    const char *proto = http_header(req, "X-Forwarded-Proto");
    char cookie[256];
    snprintf(cookie, sizeof cookie,
             COOKIE_NAME "=%s; Path=/; HttpOnly; SameSite=Strict; "
                         "Max-Age=%lld%s",
             token, (long long)max_age, proto && !strcasecmp(proto, "https") ? "; Secure" : "");
    http_response_header(res, "Set-Cookie", cookie);
}

/* The server could not check a sign-in: the JSON error, or the sign-in page saying so. */
static void login_failed(struct http_request *req, struct http_response *res, int json,
                         const char *next, const char *what, const struct err *e)
{
    if (json) {
        routes_fail(req, res, what, e);
        return;
    }
    struct buf msg = BUF_INIT;
    int status = routes_fail_message(req, what, e, &msg);
    buf_putc(&msg, '.');
    login_page(res, status, next, msg.data);
    if (status == 503)
        http_response_header(res, "Retry-After", "60");
    buf_release(&msg);
}

/* POST /login (form: username, password, next) */
int routes_login(struct http_request *req, struct http_response *res)
{
    struct site *site = req_site(req);
    char name[FORM_FIELD_MAX], password[FORM_FIELD_MAX], next_buf[FORM_FIELD_MAX];
    const char *user = form_get(&req->body, "username", name, sizeof name);
    const char *pw = form_get(&req->body, "password", password, sizeof password);
    const char *next = safe_next(form_get(&req->body, "next", next_buf, sizeof next_buf));
    int json = wants_json(req);
    int rc = 0;
    if (site_is_open(site)) {
        if (json)
            http_response_err(res, ERR_CONFLICT,
                              "no user accounts exist: the app is open, nothing to "
                              "sign in to");
        else
            redirect(res, next);
        goto out;
    }
    if (!user || !pw || !user[0]) {
        if (json)
            http_response_err(res, ERR_USAGE, "username and password are required (form fields)");
        else
            login_page(res, err_http_status(ERR_USAGE), next, "Enter your user name and password.");
        goto out;
    }
    int64_t now = (int64_t)time(NULL);
    char client_buf[80];
    const char *client = client_address(req, client_buf, sizeof client_buf);
    int64_t wait = auth_throttle_check(&site->throttle, user, client, now);
    if (wait > 0) {
        char after[24], msg[200];
        snprintf(after, sizeof after, "%lld", (long long)wait);
        snprintf(msg, sizeof msg, "Too many failed sign-ins: try again in %lld minute%s.",
                 (long long)((wait + 59) / 60), (wait + 59) / 60 == 1 ? "" : "s");
        if (json)
            http_response_err(res, ERR_BUSY, "%s", msg);
        else
            login_page(res, err_http_status(ERR_BUSY), next, msg);
        http_response_header(res, "Retry-After", after);
        goto out;
    }
    struct err e;
    err_clear(&e);
    char hash[AUTH_HASH_MAX];
    enum auth_role role = ROLE_NONE;
    struct store *acc = site_accounts_begin(site, 0, &e);
    int found = acc ? auth_password_lookup(acc, user, hash, &role, &e) : -1;
    if (acc)
        site_accounts_end(site);
    if (found < 0) {
        login_failed(req, res, json, next, "reading the accounts", &e);
        goto out;
    }
    site_hash_begin(site);
    int ok = auth_password_check(found ? hash : NULL, pw);
    site_hash_end(site);
    sodium_memzero(hash, sizeof hash);
    if (!ok) {
        auth_throttle_fail(&site->throttle, user, client, now);
        if (json)
            http_response_err(res, ERR_AUTH, "wrong user name or password");
        else
            login_page(res, err_http_status(ERR_AUTH), next, "Wrong user name or password.");
        goto out;
    }
    char token[AUTH_TOKEN_LEN + 1];
    struct auth_session s;
    acc = site_accounts_begin(site, 0, &e);
    /* expired sessions go when new ones come, so the table stays the size of the live ones */
    rc = acc ? auth_sessions_prune(acc, &e) : -1;
    if (rc == 0)
        rc = auth_session_create(acc, user, role, site->session_ttl, token, &s, &e);
    if (acc)
        site_accounts_end(site);
    if (rc < 0) {
        rc = 0;
        login_failed(req, res, json, next, "starting the session", &e);
        goto out;
    }
    session_cookie(req, res, token, site->session_ttl);
    sodium_memzero(token, sizeof token);
    if (json) {
        http_response_json(res, 200);
        struct json j;
        json_init(&j, &res->body);
        json_obj_begin(&j);
        json_kv_str(&j, "user", s.user);
        json_kv_str(&j, "role", auth_role_name(s.role));
        json_kv_str(&j, "csrf", s.csrf);
        json_obj_end(&j);
        buf_putc(&res->body, '\n');
    } else {
        redirect(res, next);
    }
out:
    sodium_memzero(password, sizeof password);
    return rc;
}

/* POST /logout (the CSRF token in X-CSRF-Token or the form field csrf) */
int routes_logout(struct http_request *req, struct http_response *res)
{
    struct routes_auth *ra = req->auth;
    if (load_session(req, res, ra) < 0)
        return 0;
    if (ra->signed_in) {
        char field[AUTH_TOKEN_LEN + 2];
        const char *token = http_header(req, "X-CSRF-Token");
        if (!token)
            token = form_get(&req->body, "csrf", field, sizeof field);
        if (!csrf_ok(ra, token))
            return http_response_err(res, ERR_DENIED,
                                     "CSRF token missing or wrong: send the "
                                     "X-CSRF-Token header or the csrf field");
        char cookie[AUTH_TOKEN_LEN + 2];
        struct err e;
        err_clear(&e);
        struct site *site = req_site(req);
        struct store *acc = site_accounts_begin(site, 0, &e);
        int rc = acc && cookie_get(req, COOKIE_NAME, cookie, sizeof cookie)
                     ? auth_logout(acc, cookie, &e)
                     : 0;
        if (acc)
            site_accounts_end(site);
        if (rc < 0)
            return routes_fail(req, res, "ending the session", &e);
    }
    session_cookie(req, res, "", 0);
    if (wants_json(req)) {
        http_response_json(res, 200);
        buf_puts(&res->body, "{\"signed_out\":true}\n");
    } else {
        redirect(res, "/login");
    }
    return 0;
}

/* ---- /api/session ---- */

static void put_workspaces(struct json *j, const struct auth_workspace *ws, size_t n)
{
    json_key(j, "workspaces");
    json_arr_begin(j);
    for (size_t i = 0; i < n; i++) {
        json_obj_begin(j);
        json_kv_str(j, "slug", ws[i].slug);
        json_kv_str(j, "title", ws[i].title);
        json_obj_end(j);
    }
    json_arr_end(j);
}

/* The workspaces the request's user may use (every one in open mode); -1 answered 503/500. */
static int visible_workspaces(struct http_request *req, struct http_response *res,
                              const struct routes_auth *ra, struct auth_workspace **ws, size_t *n)
{
    struct site *site = req_site(req);
    struct err e;
    err_clear(&e);
    struct store *acc = site_accounts_begin(site, 0, &e);
    if (!acc && e.code != ERR_NOTFOUND)
        return routes_fail(req, res, "reading the accounts", &e), -1;
    int rc = ra->signed_in ? auth_workspace_list_member(acc, ra->s.user, ws, n, &e)
                           : auth_workspace_list(acc, ws, n, &e);
    if (acc)
        site_accounts_end(site);
    if (rc < 0)
        return routes_fail(req, res, "reading the workspaces", &e), -1;
    return 0;
}

int routes_api_session(struct http_request *req, struct http_response *res)
{
    struct routes_auth *ra = req->auth;
    if (identify(req, res, ra) < 0)
        return 0;
    if (ra->role == ROLE_NONE)
        return sign_in_required(req, res);
    char slug[AUTH_SLUG_MAX + 1] = "";
    struct auth_workspace *ws = NULL;
    size_t n = 0;
    if (visible_workspaces(req, res, ra, &ws, &n) < 0)
        return 0;
    if (resolve_workspace(req, res, ra, slug) < 0) {
        /* none at all is not an error here: the page says so */
        if (res->status != 403) {
            free(ws);
            return 0;
        }
        slug[0] = '\0';
        buf_reset(&res->body);
    }
    http_response_json(res, 200);
    struct json j;
    json_init(&j, &res->body);
    json_obj_begin(&j);
    json_kv_bool(&j, "open", ra->open);
    json_key(&j, "user");
    if (ra->signed_in) {
        json_obj_begin(&j);
        json_kv_str(&j, "name", ra->s.user);
        json_kv_str(&j, "role", auth_role_name(ra->role));
        json_obj_end(&j);
        json_kv_str(&j, "csrf", ra->s.csrf);
        char expires[32];
        format_utc_time(ra->s.expires_at, expires);
        json_kv_str(&j, "expires_at", expires);
    } else {
        json_null(&j);
        json_kv_null(&j, "csrf");
        json_kv_null(&j, "expires_at");
    }
    if (slug[0])
        json_kv_str(&j, "workspace", slug);
    else
        json_kv_null(&j, "workspace");
    put_workspaces(&j, ws, n);
    json_key(&j, "can");
    json_obj_begin(&j);
    json_kv_bool(&j, "read", ra->role >= ROLE_VIEWER);
    json_kv_bool(&j, "import", ra->role >= ROLE_ANALYST);
    json_kv_bool(&j, "delete", ra->role >= ROLE_ADMIN);
    json_kv_bool(&j, "admin", ra->role >= ROLE_ADMIN);
    json_obj_end(&j);
    json_obj_end(&j);
    buf_putc(&res->body, '\n');
    free(ws);
    return 0;
}

/* ---- the audit log ---- */

static int audit_load(struct http_request *req, struct http_response *res, size_t limit,
                      struct store_audit **entries, size_t *n)
{
    struct app *app = req->app;
    const struct routes_auth *ra = req->auth;
    struct site *site = app->site;
    struct err e;
    err_clear(&e);
    /* user and workspace changes: for admins */
    struct store *acc = ra->role >= ROLE_ADMIN ? site_accounts_begin(site, 0, &e) : NULL;
    if (!acc && ra->role >= ROLE_ADMIN && e.code != ERR_NOTFOUND)
        return routes_fail(req, res, "reading the accounts", &e), -1;
    pthread_mutex_lock(&app->store_lock);
    int rc = audit_collect(app->store, acc, limit, entries, n, &e);
    pthread_mutex_unlock(&app->store_lock);
    if (acc)
        site_accounts_end(site);
    if (rc < 0)
        return routes_fail(req, res, "reading the audit log", &e), -1;
    return 0;
}

/* GET /api/audit?ws=&limit= */
int routes_api_audit(struct http_request *req, struct http_response *res)
{
    size_t limit = AUDIT_DEFAULT_LIMIT;
    const char *l = http_query(req, "limit");
    if (l) {
        uint64_t v;
        if (number_parse_u64(l, strlen(l), &v) < 0 || v < 1 || v > AUDIT_MAX_LIMIT)
            return http_response_err(res, ERR_USAGE, "limit: expected 1 to %d", AUDIT_MAX_LIMIT);
        limit = (size_t)v;
    }
    struct store_audit *entries;
    size_t n;
    if (audit_load(req, res, limit, &entries, &n) < 0)
        return 0;
    http_response_json(res, 200);
    audit_write_json(entries, n, &res->body);
    buf_putc(&res->body, '\n');
    free(entries);
    return 0;
}

/* GET /api/audit.csv?ws= */
int routes_api_audit_csv(struct http_request *req, struct http_response *res)
{
    struct store_audit *entries;
    size_t n;
    if (audit_load(req, res, 0, &entries, &n) < 0)
        return 0;
    res->status = 200;
    res->content_type = "text/csv; charset=utf-8";
    res->no_store = true;
    char name[96], disposition[160];
    report_file_name("audit", "csv", (int64_t)time(NULL), name, sizeof name);
    snprintf(disposition, sizeof disposition, "attachment; filename=\"%s\"", name);
    http_response_header(res, "Content-Disposition", disposition);
    audit_write_csv(entries, n, &res->body);
    free(entries);
    return 0;
}

/* ---- users and workspaces (admin) ---- */

/* The signed-in admin whose workspaces bound what the request may manage, or NULL in open
 * mode (no user exists: whoever reaches the server is the operator). */
static const char *managing_admin(const struct http_request *req)
{
    const struct routes_auth *ra = req->auth;
    return ra && ra->signed_in ? ra->s.user : NULL;
}

/* A refused or failed change of the accounts: the refusal's own words (400, 404), or a
 * failure without its internals (routes_fail decides by the code). */
static int accounts_error(struct http_request *req, struct http_response *res, const char *what,
                          const struct err *e)
{
    return routes_fail(req, res, what, e);
}

static void put_user(struct json *j, const struct auth_user *u)
{
    char created[32];
    format_utc_time(u->created_at, created);
    json_obj_begin(j);
    json_kv_str(j, "name", u->name);
    json_kv_str(j, "role", auth_role_name(u->role));
    json_key(j, "workspaces");
    json_arr_begin(j);
    for (const char *p = u->workspaces; *p;) {
        size_t len = strcspn(p, ",");
        json_strn(j, p, len);
        p += len + (p[len] == ',');
    }
    json_arr_end(j);
    json_kv_str(j, "created_at", created);
    json_obj_end(j);
}

/* GET /api/users */
int routes_api_users(struct http_request *req, struct http_response *res)
{
    struct site *site = req_site(req);
    struct err e;
    err_clear(&e);
    struct auth_user *users = NULL;
    size_t n = 0;
    struct store *acc = site_accounts_begin(site, 0, &e);
    const char *admin = managing_admin(req);
    int rc = !acc    ? (e.code == ERR_NOTFOUND ? 0 : -1)
             : admin ? auth_admin_user_list(acc, admin, &users, &n, &e)
                     : auth_user_list(acc, &users, &n, &e);
    if (acc)
        site_accounts_end(site);
    if (rc < 0)
        return accounts_error(req, res, "reading the users", &e);
    http_response_json(res, 200);
    struct json j;
    json_init(&j, &res->body);
    json_obj_begin(&j);
    json_key(&j, "users");
    json_arr_begin(&j);
    for (size_t i = 0; i < n; i++)
        put_user(&j, &users[i]);
    json_arr_end(&j);
    json_obj_end(&j);
    buf_putc(&res->body, '\n');
    free(users);
    return 0;
}

/* POST /api/users (add: name, role, password, workspaces) and POST /api/users/NAME (any of
 * role, password, workspaces) */
int routes_api_user_write(struct http_request *req, struct http_response *res)
{
    struct site *site = req_site(req);
    int adding = req->path_param == NULL;
    char name_buf[FORM_FIELD_MAX], role_buf[FORM_FIELD_MAX], pw_buf[FORM_FIELD_MAX],
        ws_buf[FORM_FIELD_MAX];
    const char *name =
        adding ? form_get(&req->body, "name", name_buf, sizeof name_buf) : req->path_param;
    const char *role_text = form_get(&req->body, "role", role_buf, sizeof role_buf);
    const char *pw = form_get(&req->body, "password", pw_buf, sizeof pw_buf);
    const char *ws = form_get(&req->body, "workspaces", ws_buf, sizeof ws_buf);
    if (pw && !pw[0])
        pw = NULL;
    if (role_text && !role_text[0])
        role_text = NULL;
    enum auth_role role = role_text ? auth_role_parse(role_text) : ROLE_NONE;
    int rc = 0;
    if (!name)
        rc = http_response_err(res, ERR_USAGE, "name is required");
    else if (role_text && role == ROLE_NONE)
        rc = http_response_err(res, ERR_USAGE, "role must be admin, analyst or viewer");
    else if (adding && (!role_text || !pw))
        rc = http_response_err(res, ERR_USAGE, "name, role and password are required");
    if (res->status != 200) {
        sodium_memzero(pw_buf, sizeof pw_buf);
        return rc;
    }
    struct err e;
    err_clear(&e);
    /* hashing happens inside; held under the accounts lock, so only one at a time */
    site_hash_begin(site);
    struct store *acc = site_accounts_begin(site, 1, &e);
    if (acc) {
        const char *admin = managing_admin(req);
        if (admin)
            rc = adding ? auth_admin_user_add(acc, admin, name, role, pw, ws, &e)
                        : auth_admin_user_set(acc, admin, name, role, pw, ws, &e);
        else
            rc = adding ? auth_user_add(acc, routes_actor(req), name, role, pw, ws, &e)
                        : auth_user_set(acc, routes_actor(req), name, role, pw, ws, &e);
        site_accounts_end(site);
    } else {
        rc = -1;
    }
    site_hash_end(site);
    sodium_memzero(pw_buf, sizeof pw_buf);
    site_accounts_changed(site);
    if (rc < 0)
        return accounts_error(req, res, "changing the user", &e);
    http_response_json(res, adding ? 201 : 200);
    struct json j;
    json_init(&j, &res->body);
    json_obj_begin(&j);
    json_kv_str(&j, "name", name);
    json_kv_bool(&j, adding ? "added" : "changed", true);
    json_obj_end(&j);
    buf_putc(&res->body, '\n');
    return 0;
}

/* DELETE /api/users/NAME */
int routes_api_user_delete(struct http_request *req, struct http_response *res)
{
    struct site *site = req_site(req);
    struct routes_auth *ra = req->auth;
    if (ra->signed_in && strcmp(ra->s.user, req->path_param) == 0)
        return http_response_err(res, ERR_USAGE, "you cannot remove yourself; ask another admin");
    struct err e;
    err_clear(&e);
    struct store *acc = site_accounts_begin(site, 0, &e);
    const char *admin = managing_admin(req);
    int rc = !acc    ? -1
             : admin ? auth_admin_user_del(acc, admin, req->path_param, &e)
                     : auth_user_del(acc, routes_actor(req), req->path_param, &e);
    if (acc)
        site_accounts_end(site);
    site_accounts_changed(site);
    if (rc < 0)
        return accounts_error(req, res, "removing the user", &e);
    http_response_json(res, 200);
    buf_puts(&res->body, "{\"removed\":true}\n");
    return 0;
}

/* GET /api/workspaces */
int routes_api_workspaces(struct http_request *req, struct http_response *res)
{
    struct routes_auth *ra = req->auth;
    struct auth_workspace *ws = NULL;
    size_t n = 0;
    if (visible_workspaces(req, res, ra, &ws, &n) < 0)
        return 0;
    http_response_json(res, 200);
    struct json j;
    json_init(&j, &res->body);
    json_obj_begin(&j);
    put_workspaces(&j, ws, n);
    json_obj_end(&j);
    buf_putc(&res->body, '\n');
    free(ws);
    return 0;
}

/* POST /api/workspaces (slug, title) */
int routes_api_workspace_add(struct http_request *req, struct http_response *res)
{
    struct site *site = req_site(req);
    char slug_buf[FORM_FIELD_MAX], title_buf[FORM_FIELD_MAX];
    const char *slug = form_get(&req->body, "slug", slug_buf, sizeof slug_buf);
    const char *title = form_get(&req->body, "title", title_buf, sizeof title_buf);
    if (!slug)
        return http_response_err(res, ERR_USAGE, "slug is required");
    struct err e;
    err_clear(&e);
    struct store *acc = site_accounts_begin(site, 1, &e);
    const char *admin = managing_admin(req);
    int rc = !acc    ? -1
             : admin ? auth_admin_workspace_add(acc, site->db_url, admin, slug, title, &e)
                     : auth_workspace_add(acc, site->db_url, routes_actor(req), slug, title, &e);
    if (acc)
        site_accounts_end(site);
    if (rc < 0)
        return accounts_error(req, res, "adding the workspace", &e);
    http_response_json(res, 201);
    struct json j;
    json_init(&j, &res->body);
    json_obj_begin(&j);
    json_kv_str(&j, "slug", slug);
    json_kv_bool(&j, "added", true);
    json_obj_end(&j);
    buf_putc(&res->body, '\n');
    return 0;
}

/* DELETE /api/workspaces/SLUG */
int routes_api_workspace_delete(struct http_request *req, struct http_response *res)
{
    struct site *site = req_site(req);
    struct err e;
    err_clear(&e);
    struct store *acc = site_accounts_begin(site, 0, &e);
    const char *admin = managing_admin(req);
    int rc = !acc ? -1
             : admin
                 ? auth_admin_workspace_del(acc, site->db_url, admin, req->path_param, &e)
                 : auth_workspace_del(acc, site->db_url, routes_actor(req), req->path_param, &e);
    if (acc)
        site_accounts_end(site);
    if (rc < 0)
        return accounts_error(req, res, "removing the workspace", &e);
    site_retire(site, req->path_param);
    http_response_json(res, 200);
    buf_puts(&res->body, "{\"removed\":true}\n");
    return 0;
}
