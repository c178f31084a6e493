/* auth.c — the installation's accounts (see auth.h).
 * Calls store, buf and err, and libsodium. */
#include "auth.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <sodium.h>

#include "buf.h"

#include "banned.h"

_Static_assert(AUTH_HASH_MAX == crypto_pwhash_STRBYTES, "AUTH_HASH_MAX is libsodium's size");

static const char *const role_names[] = {"", "viewer", "analyst", "admin"};

const char *auth_role_name(enum auth_role r)
{
    return r >= ROLE_NONE && r <= ROLE_ADMIN ? role_names[r] : "";
}

enum auth_role auth_role_parse(const char *s)
{
    for (int r = ROLE_VIEWER; s && r <= ROLE_ADMIN; r++)
        if (strcmp(s, role_names[r]) == 0)
            return (enum auth_role)r;
    return ROLE_NONE;
}

int auth_check_name(const char *name, struct err *e)
{
    size_t n = name ? strlen(name) : 0;
    int ok = n >= 1 && n <= AUTH_NAME_MAX;
    for (size_t i = 0; ok && i < n; i++) {
        char c = name[i];
        ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
             c == '.' || c == '_' || c == '@' || c == '-';
    }
    if (!ok)
        return err_set(e, ERR_USAGE,
                       "user name \"%.80s\" is not allowed: use 1 to %d of A-Z a-z 0-9 . _ @ -",
                       name ? name : "", AUTH_NAME_MAX);
    return 0;
}

int auth_check_slug(const char *slug, struct err *e)
{
    size_t n = slug ? strlen(slug) : 0;
    int ok = n >= 1 && n <= AUTH_SLUG_MAX && slug[0] != '-';
    for (size_t i = 0; ok && i < n; i++) {
        char c = slug[i];
        ok = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-';
    }
    if (!ok)
        return err_set(e, ERR_USAGE,
                       "workspace \"%.80s\" is not a valid name: use 1 to %d of a-z 0-9 -, "
                       "starting with a letter or digit",
                       slug ? slug : "", AUTH_SLUG_MAX);
    return 0;
}

int auth_check_password(const char *password, struct err *e)
{
    size_t n = password ? strlen(password) : 0;
    if (n < AUTH_PASSWORD_MIN)
        return err_set(e, ERR_USAGE, "the password needs at least %d characters",
                       AUTH_PASSWORD_MIN);
    if (n > AUTH_PASSWORD_MAX)
        return err_set(e, ERR_USAGE, "the password is longer than %d characters",
                       AUTH_PASSWORD_MAX);
    return 0;
}

int auth_init(struct err *e)
{
    if (sodium_init() < 0)
        return err_set(e, ERR_IO, "cannot initialise libsodium");
    return 0;
}

int auth_open(const char *db_url, int create, struct store **out, struct err *e)
{
    return store_open_part(db_url, "accounts", create, out, e);
}

int auth_workspace_store(const char *db_url, const char *slug, int create, struct store **out,
                         struct err *e)
{
    if (strcmp(slug, AUTH_DEFAULT_WORKSPACE) == 0)
        return store_open(db_url, out, e);
    int rc = auth_check_slug(slug, e);
    if (rc < 0)
        return rc;
    char part[AUTH_SLUG_MAX + 8];
    snprintf(part, sizeof part, "ws-%s", slug);
    return store_open_part(db_url, part, create, out, e);
}

/* ---- small SQL helpers ---- */

static int first_int(void *ctx, int ncols, const char *const *v)
{
    if (ncols > 0 && v[0])
        *(int64_t *)ctx = strtoll(v[0], NULL, 10);
    return 0;
}

/* A query yielding one integer (0 when it yields no row). */
static int sql_int(struct store *acc, const char *sql, int nparams, const char *const *params,
                   int64_t *out, struct err *e)
{
    *out = 0;
    int rc = store_sql(acc, sql, nparams, params, first_int, out, e);
    return rc < 0 ? rc : 0;
}

static int sql_run(struct store *acc, const char *sql, int nparams, const char *const *params,
                   struct err *e)
{
    return store_sql(acc, sql, nparams, params, NULL, NULL, e);
}

static void now_text(char out[24])
{
    snprintf(out, 24, "%lld", (long long)time(NULL));
}

/* Runs fn inside one write transaction: committed when it returns 0, else rolled back. */
typedef int (*tx_fn)(struct store *acc, void *ctx, struct err *e);
static int in_transaction(struct store *acc, tx_fn fn, void *ctx, struct err *e)
{
    int rc = store_begin(acc, e);
    if (rc < 0)
        return rc;
    rc = fn(acc, ctx, e);
    if (rc == 0)
        rc = store_commit(acc, e);
    if (rc < 0)
        store_rollback(acc);
    return rc;
}

/* ---- passwords ---- */

static int hash_password(const char *password, char out[crypto_pwhash_STRBYTES], struct err *e)
{
    if (crypto_pwhash_str(out, password, strlen(password), crypto_pwhash_OPSLIMIT_INTERACTIVE,
                          crypto_pwhash_MEMLIMIT_INTERACTIVE) != 0)
        return err_set(e, ERR_IO, "hashing the password failed: out of memory");
    return 0;
}

/* A hash of a random password, checked against when the name is unknown so that an
 * unknown name takes as long as a wrong password. */
static char dummy_hash[crypto_pwhash_STRBYTES];
static pthread_once_t dummy_once = PTHREAD_ONCE_INIT;

static void make_dummy_hash(void)
{
    unsigned char random[24];
    char pw[2 * sizeof random + 1];
    randombytes_buf(random, sizeof random);
    sodium_bin2hex(pw, sizeof pw, random, sizeof random);
    if (crypto_pwhash_str(dummy_hash, pw, strlen(pw), crypto_pwhash_OPSLIMIT_INTERACTIVE,
                          crypto_pwhash_MEMLIMIT_INTERACTIVE) != 0)
        dummy_hash[0] = '\0';
    sodium_memzero(pw, sizeof pw);
}

/* ---- workspaces lists ---- */

/* Splits "a, b,a" into unique slugs, each checked; "" or NULL gives "default". */
struct slug_list {
    char slugs[AUTH_MAX_WORKSPACES][AUTH_SLUG_MAX + 1];
    size_t n;
};

static int parse_slugs(const char *text, struct slug_list *out, struct err *e)
{
    out->n = 0;
    const char *p = text ? text : "";
    while (*p) {
        while (*p == ' ' || *p == ',')
            p++;
        if (!*p)
            break;
        const char *end = p;
        while (*end && *end != ',' && *end != ' ')
            end++;
        char slug[AUTH_SLUG_MAX + 2];
        size_t len = (size_t)(end - p);
        if (len > AUTH_SLUG_MAX)
            len = AUTH_SLUG_MAX + 1;
        memcpy(slug, p, len);
        slug[len] = '\0';
        int rc = auth_check_slug(slug, e);
        if (rc < 0)
            return rc;
        int dup = 0;
        for (size_t i = 0; i < out->n; i++)
            dup |= strcmp(out->slugs[i], slug) == 0;
        if (!dup) {
            if (out->n == AUTH_MAX_WORKSPACES)
                return err_set(e, ERR_USAGE, "a user can belong to at most %d workspaces",
                               AUTH_MAX_WORKSPACES);
            memcpy(out->slugs[out->n++], slug, len + 1); /* len <= AUTH_SLUG_MAX: checked */
        }
        p = end;
    }
    if (out->n == 0)
        snprintf(out->slugs[out->n++], AUTH_SLUG_MAX + 1, "%s", AUTH_DEFAULT_WORKSPACE);
    return 0;
}

int auth_workspace_exists(struct store *acc, const char *slug, struct err *e)
{
    if (strcmp(slug, AUTH_DEFAULT_WORKSPACE) == 0)
        return 1;
    if (!acc)
        return 0;
    int64_t n;
    const char *params[] = {slug};
    int rc = sql_int(acc, "SELECT count(*) FROM workspaces WHERE slug = ?", 1, params, &n, e);
    return rc < 0 ? rc : n > 0;
}

static int check_slugs_exist(struct store *acc, const struct slug_list *l, struct err *e)
{
    for (size_t i = 0; i < l->n; i++) {
        int rc = auth_workspace_exists(acc, l->slugs[i], e);
        if (rc < 0)
            return rc;
        if (rc == 0)
            return err_set(e, ERR_USAGE,
                           "no workspace named \"%s\" (create it with `infludash workspace add "
                           "%s`)",
                           l->slugs[i], l->slugs[i]);
    }
    return 0;
}

static int set_members(struct store *acc, const char *name, const struct slug_list *l,
                       struct err *e)
{
    const char *who[] = {name};
    int rc = sql_run(acc, "DELETE FROM members WHERE username = ?", 1, who, e);
    for (size_t i = 0; i < l->n && rc >= 0; i++) {
        const char *params[] = {l->slugs[i], name};
        rc = sql_run(acc, "INSERT INTO members (workspace, username) VALUES (?, ?)", 2, params, e);
    }
    return rc < 0 ? rc : 0;
}

static void join_slugs(const struct slug_list *l, char *out, size_t size)
{
    struct buf b = BUF_INIT;
    for (size_t i = 0; i < l->n; i++) {
        if (i)
            buf_putc(&b, ',');
        buf_puts(&b, l->slugs[i]);
    }
    snprintf(out, size, "%s", buf_cstr(&b));
    buf_release(&b);
}

/* ---- what a signed-in admin may manage (docs/accounts.md) ---- */

static int is_member(struct store *acc, const char *user, const char *slug, struct err *e)
{
    int64_t n;
    const char *params[] = {slug, user};
    int rc = sql_int(acc, "SELECT count(*) FROM members WHERE workspace = ? AND username = ?", 2,
                     params, &n, e);
    return rc < 0 ? rc : n > 0;
}

static int not_yours(const char *slug, struct err *e)
{
    return err_set(e, ERR_NOTFOUND, "no workspace named \"%s\" that you may use", slug);
}

/* Whether admin (NULL: the operator, who may) belongs to every workspace of l: 0, or
 * ERR_NOTFOUND naming the first they do not. */
static int admin_may_grant(struct store *acc, const char *admin, const struct slug_list *l,
                           struct err *e)
{
    for (size_t i = 0; admin && i < l->n; i++) {
        int rc = is_member(acc, admin, l->slugs[i], e);
        if (rc < 0)
            return rc;
        if (rc == 0)
            return not_yours(l->slugs[i], e);
    }
    return 0;
}

/* The users admin manages: every workspace they belong to is one of admin's. */
#define MANAGED_BY_ADMIN                                                                           \
    "NOT EXISTS (SELECT 1 FROM members x WHERE x.username = u.name AND x.workspace NOT IN "        \
    "(SELECT y.workspace FROM members y WHERE y.username = ?))"

/* Whether admin (NULL: the operator) manages the existing user name: 0, or ERR_NOTFOUND. */
static int admin_manages(struct store *acc, const char *admin, const char *name, struct err *e)
{
    if (!admin)
        return 0;
    int64_t n;
    const char *params[] = {name, admin};
    int rc = sql_int(acc, "SELECT count(*) FROM users u WHERE u.name = ? AND " MANAGED_BY_ADMIN, 2,
                     params, &n, e);
    if (rc < 0)
        return rc;
    if (n == 0)
        return err_set(e, ERR_NOTFOUND,
                       "no user named \"%s\" that you manage (an admin manages the users whose "
                       "every workspace is one of theirs)",
                       name);
    return 0;
}

/* ---- users ---- */

int auth_user_count(struct store *acc, int64_t *n, struct err *e)
{
    return sql_int(acc, "SELECT count(*) FROM users", 0, NULL, n, e);
}

static int user_exists(struct store *acc, const char *name, struct err *e)
{
    int64_t n;
    const char *params[] = {name};
    int rc = sql_int(acc, "SELECT count(*) FROM users WHERE name = ?", 1, params, &n, e);
    return rc < 0 ? rc : n > 0;
}

struct user_change {
    const char *actor, *admin, *name;
    enum auth_role role;
    const char *hash;           /* NULL: unchanged */
    const struct slug_list *ws; /* NULL: unchanged */
    int adding;
};

/* Whether taking admin away from name would leave other users without any admin. */
static int last_admin(struct store *acc, const char *name, struct err *e)
{
    int64_t admins, users, is_admin;
    const char *params[] = {name};
    int rc = sql_int(acc, "SELECT count(*) FROM users WHERE role = 'admin'", 0, NULL, &admins, e);
    if (rc == 0)
        rc = sql_int(acc, "SELECT count(*) FROM users", 0, NULL, &users, e);
    if (rc == 0)
        rc = sql_int(acc, "SELECT count(*) FROM users WHERE name = ? AND role = 'admin'", 1, params,
                     &is_admin, e);
    if (rc < 0)
        return rc;
    return is_admin && admins == 1 && users > 1;
}

static int user_change_tx(struct store *acc, void *ctx, struct err *e)
{
    struct user_change *c = ctx;
    int exists = user_exists(acc, c->name, e);
    if (exists < 0)
        return exists;
    if (c->adding && exists)
        return err_set(e, ERR_USAGE,
                       "a user named \"%s\" already exists (change it with `infludash user set` "
                       "or `infludash user passwd`)",
                       c->name);
    if (!c->adding && !exists)
        return err_set(e, ERR_NOTFOUND, "no user named \"%s\"", c->name);
    if (!c->adding) {
        int rc = admin_manages(acc, c->admin, c->name, e);
        if (rc < 0)
            return rc;
    }
    if (c->ws) {
        int rc = admin_may_grant(acc, c->admin, c->ws, e);
        if (rc == 0)
            rc = check_slugs_exist(acc, c->ws, e);
        if (rc < 0)
            return rc;
    }
    char now[24];
    now_text(now);
    struct buf detail = BUF_INIT;
    int rc = 0;
    if (c->adding) {
        const char *params[] = {c->name, auth_role_name(c->role), c->hash, now, now};
        rc = sql_run(acc,
                     "INSERT INTO users (name, role, pwhash, created_at, updated_at) "
                     "VALUES (?, ?, ?, ?, ?)",
                     5, params, e);
        buf_printf(&detail, "role %s", auth_role_name(c->role));
    } else {
        if (c->role != ROLE_NONE) {
            if (c->role != ROLE_ADMIN) {
                int last = last_admin(acc, c->name, e);
                if (last < 0)
                    rc = last;
                else if (last)
                    rc =
                        err_set(e, ERR_USAGE,
                                "\"%s\" is the last admin: make another user admin first", c->name);
            }
            const char *params[] = {auth_role_name(c->role), now, c->name};
            if (rc >= 0)
                rc = sql_run(acc, "UPDATE users SET role = ?, updated_at = ? WHERE name = ?", 3,
                             params, e);
            buf_printf(&detail, "role %s", auth_role_name(c->role));
        }
        if (c->hash && rc >= 0) {
            const char *params[] = {c->hash, now, c->name};
            rc = sql_run(acc, "UPDATE users SET pwhash = ?, updated_at = ? WHERE name = ?", 3,
                         params, e);
            const char *who[] = {c->name};
            if (rc >= 0)
                rc = sql_run(acc, "DELETE FROM sessions WHERE username = ?", 1, who, e);
            buf_printf(&detail, "%spassword changed, sessions ended", detail.len ? "; " : "");
        }
    }
    if (c->ws && rc >= 0) {
        rc = set_members(acc, c->name, c->ws, e);
        char list[sizeof((struct auth_user *)0)->workspaces];
        join_slugs(c->ws, list, sizeof list);
        buf_printf(&detail, "%sworkspaces %s", detail.len ? "; " : "", list);
    }
    const char *action = c->adding                                   ? "user.add"
                         : c->hash && c->role == ROLE_NONE && !c->ws ? "user.passwd"
                                                                     : "user.set";
    if (rc >= 0)
        rc = store_audit_add(acc, c->actor, action, "", c->name, buf_cstr(&detail), e);
    buf_release(&detail);
    return rc < 0 ? rc : 0;
}

static int user_add(struct store *acc, const char *actor, const char *admin, const char *name,
                    enum auth_role role, const char *password, const char *workspaces,
                    struct err *e)
{
    struct slug_list ws;
    int rc = auth_check_name(name, e);
    if (rc == 0 && role == ROLE_NONE)
        rc = err_set(e, ERR_USAGE, "--role must be admin, analyst or viewer");
    if (rc == 0)
        rc = auth_check_password(password, e);
    if (rc == 0)
        rc = parse_slugs(workspaces, &ws, e);
    if (rc < 0)
        return rc;
    char hash[crypto_pwhash_STRBYTES];
    if ((rc = hash_password(password, hash, e)) < 0)
        return rc;
    struct user_change c = {actor, admin, name, role, hash, &ws, 1};
    rc = in_transaction(acc, user_change_tx, &c, e);
    sodium_memzero(hash, sizeof hash);
    return rc;
}

static int user_set(struct store *acc, const char *actor, const char *admin, const char *name,
                    enum auth_role role, const char *password, const char *workspaces,
                    struct err *e)
{
    struct slug_list ws;
    int rc = auth_check_name(name, e);
    if (rc == 0 && password)
        rc = auth_check_password(password, e);
    if (rc == 0 && workspaces)
        rc = parse_slugs(workspaces, &ws, e);
    if (rc == 0 && role == ROLE_NONE && !password && !workspaces)
        rc = err_set(e, ERR_USAGE, "nothing to change: give a role, a password or workspaces");
    if (rc < 0)
        return rc;
    char hash[crypto_pwhash_STRBYTES];
    if (password && (rc = hash_password(password, hash, e)) < 0)
        return rc;
    struct user_change c = {
        actor, admin, name, role, password ? hash : NULL, workspaces ? &ws : NULL, 0};
    rc = in_transaction(acc, user_change_tx, &c, e);
    sodium_memzero(hash, sizeof hash);
    return rc;
}

int auth_user_add(struct store *acc, const char *actor, const char *name, enum auth_role role,
                  const char *password, const char *workspaces, struct err *e)
{
    return user_add(acc, actor, NULL, name, role, password, workspaces, e);
}

int auth_admin_user_add(struct store *acc, const char *admin, const char *name, enum auth_role role,
                        const char *password, const char *workspaces, struct err *e)
{
    return user_add(acc, admin, admin, name, role, password, workspaces, e);
}

int auth_user_set(struct store *acc, const char *actor, const char *name, enum auth_role role,
                  const char *password, const char *workspaces, struct err *e)
{
    return user_set(acc, actor, NULL, name, role, password, workspaces, e);
}

int auth_admin_user_set(struct store *acc, const char *admin, const char *name, enum auth_role role,
                        const char *password, const char *workspaces, struct err *e)
{
    return user_set(acc, admin, admin, name, role, password, workspaces, e);
}

struct user_del {
    const char *actor, *admin, *name;
};

static int user_del_tx(struct store *acc, void *ctx, struct err *e)
{
    struct user_del *d = ctx;
    int rc = user_exists(acc, d->name, e);
    if (rc < 0)
        return rc;
    if (rc == 0)
        return err_set(e, ERR_NOTFOUND, "no user named \"%s\"", d->name);
    if ((rc = admin_manages(acc, d->admin, d->name, e)) < 0)
        return rc;
    if ((rc = last_admin(acc, d->name, e)) != 0)
        return rc < 0 ? rc
                      : err_set(e, ERR_USAGE,
                                "\"%s\" is the last admin: make another user admin first, or "
                                "remove the other users",
                                d->name);
    const char *who[] = {d->name};
    rc = sql_run(acc, "DELETE FROM sessions WHERE username = ?", 1, who, e);
    if (rc >= 0)
        rc = sql_run(acc, "DELETE FROM members WHERE username = ?", 1, who, e);
    if (rc >= 0)
        rc = sql_run(acc, "DELETE FROM users WHERE name = ?", 1, who, e);
    if (rc >= 0)
        rc = store_audit_add(acc, d->actor, "user.del", "", d->name, "", e);
    return rc < 0 ? rc : 0;
}

static int user_del(struct store *acc, const char *actor, const char *admin, const char *name,
                    struct err *e)
{
    int rc = auth_check_name(name, e);
    if (rc < 0)
        return rc;
    struct user_del d = {actor, admin, name};
    return in_transaction(acc, user_del_tx, &d, e);
}

int auth_user_del(struct store *acc, const char *actor, const char *name, struct err *e)
{
    return user_del(acc, actor, NULL, name, e);
}

int auth_admin_user_del(struct store *acc, const char *admin, const char *name, struct err *e)
{
    return user_del(acc, admin, admin, name, e);
}

struct user_rows {
    struct auth_user *users;
    size_t n, cap;
};

static int user_row(void *ctx, int ncols, const char *const *v)
{
    struct user_rows *r = ctx;
    if (ncols < 4)
        return 0;
    if (r->n && strcmp(r->users[r->n - 1].name, v[0] ? v[0] : "") == 0) {
        struct auth_user *u = &r->users[r->n - 1];
        size_t len = strlen(u->workspaces);
        if (v[3])
            snprintf(u->workspaces + len, sizeof u->workspaces - len, "%s%s", len ? "," : "", v[3]);
        return 0;
    }
    if (r->n == r->cap) {
        r->cap = r->cap ? 2 * r->cap : 16;
        r->users = xrealloc(r->users, r->cap * sizeof *r->users);
    }
    struct auth_user *u = &r->users[r->n++];
    memset(u, 0, sizeof *u);
    snprintf(u->name, sizeof u->name, "%s", v[0] ? v[0] : "");
    u->role = auth_role_parse(v[1]);
    u->created_at = v[2] ? strtoll(v[2], NULL, 10) : 0;
    snprintf(u->workspaces, sizeof u->workspaces, "%s", v[3] ? v[3] : "");
    return 0;
}

static const char user_select[] = "SELECT u.name, u.role, u.created_at, m.workspace FROM users u "
                                  "LEFT JOIN members m ON m.username = u.name";

static int user_list(struct store *acc, const char *admin, struct auth_user **out, size_t *n,
                     struct err *e)
{
    struct user_rows r = {0};
    char sql[512];
    snprintf(sql, sizeof sql, "%s%s ORDER BY u.name, m.workspace", user_select,
             admin ? " WHERE " MANAGED_BY_ADMIN : "");
    const char *params[] = {admin};
    int rc = store_sql(acc, sql, admin ? 1 : 0, params, user_row, &r, e);
    if (rc < 0) {
        free(r.users);
        return rc;
    }
    *out = r.users;
    *n = r.n;
    return 0;
}

int auth_user_list(struct store *acc, struct auth_user **out, size_t *n, struct err *e)
{
    return user_list(acc, NULL, out, n, e);
}

int auth_admin_user_list(struct store *acc, const char *admin, struct auth_user **out, size_t *n,
                         struct err *e)
{
    return user_list(acc, admin, out, n, e);
}

int auth_user_get(struct store *acc, const char *name, struct auth_user *out, struct err *e)
{
    struct user_rows r = {0};
    char sql[256];
    snprintf(sql, sizeof sql, "%s WHERE u.name = ? ORDER BY m.workspace", user_select);
    const char *params[] = {name};
    int rc = store_sql(acc, sql, 1, params, user_row, &r, e);
    if (rc >= 0 && r.n == 0)
        rc = err_set(e, ERR_NOTFOUND, "no user named \"%s\"", name);
    if (rc >= 0) {
        *out = r.users[0];
        rc = 0;
    }
    free(r.users);
    return rc;
}

/* ---- workspaces ---- */

struct ws_rows {
    struct auth_workspace *ws;
    size_t n, cap;
};

static void ws_push(struct ws_rows *r, const char *slug, const char *title, int64_t created)
{
    if (r->n == r->cap) {
        r->cap = r->cap ? 2 * r->cap : 8;
        r->ws = xrealloc(r->ws, r->cap * sizeof *r->ws);
    }
    struct auth_workspace *w = &r->ws[r->n++];
    snprintf(w->slug, sizeof w->slug, "%s", slug);
    snprintf(w->title, sizeof w->title, "%s", title);
    w->created_at = created;
}

static int ws_row(void *ctx, int ncols, const char *const *v)
{
    if (ncols >= 3 && v[0])
        ws_push(ctx, v[0], v[1] ? v[1] : v[0], v[2] ? strtoll(v[2], NULL, 10) : 0);
    return 0;
}

static int ws_query(struct store *acc, const char *user, struct auth_workspace **out, size_t *n,
                    struct err *e)
{
    struct ws_rows r = {0};
    int rc = 0;
    int with_default = 1;
    if (acc && user) {
        int64_t member;
        const char *params[] = {AUTH_DEFAULT_WORKSPACE, user};
        rc = sql_int(acc, "SELECT count(*) FROM members WHERE workspace = ? AND username = ?", 2,
                     params, &member, e);
        with_default = rc == 0 && member > 0;
    }
    if (rc == 0 && with_default)
        ws_push(&r, AUTH_DEFAULT_WORKSPACE, "Default", 0);
    if (rc == 0 && acc) {
        if (user) {
            const char *params[] = {user};
            rc = store_sql(acc,
                           "SELECT w.slug, w.title, w.created_at FROM workspaces w JOIN members m "
                           "ON m.workspace = w.slug WHERE m.username = ? ORDER BY w.slug",
                           1, params, ws_row, &r, e);
        } else {
            rc = store_sql(acc, "SELECT slug, title, created_at FROM workspaces ORDER BY slug", 0,
                           NULL, ws_row, &r, e);
        }
    }
    if (rc < 0) {
        free(r.ws);
        return rc;
    }
    *out = r.ws;
    *n = r.n;
    return 0;
}

int auth_workspace_list(struct store *acc, struct auth_workspace **out, size_t *n, struct err *e)
{
    return ws_query(acc, NULL, out, n, e);
}

int auth_workspace_list_member(struct store *acc, const char *user, struct auth_workspace **out,
                               size_t *n, struct err *e)
{
    return ws_query(acc, user, out, n, e);
}

struct ws_change {
    const char *actor, *admin, *slug, *title;
};

static int ws_add_tx(struct store *acc, void *ctx, struct err *e)
{
    struct ws_change *c = ctx;
    int rc = auth_workspace_exists(acc, c->slug, e);
    if (rc < 0)
        return rc;
    if (rc)
        return err_set(e, ERR_USAGE, "a workspace named \"%s\" already exists", c->slug);
    char now[24];
    now_text(now);
    const char *params[] = {c->slug, c->title, now};
    rc = sql_run(acc, "INSERT INTO workspaces (slug, title, created_at) VALUES (?, ?, ?)", 3,
                 params, e);
    char detail[AUTH_TITLE_MAX + 16];
    snprintf(detail, sizeof detail, "title %s", c->title);
    if (rc >= 0)
        rc = store_audit_add(acc, c->actor, "workspace.add", c->slug, c->slug, detail, e);
    if (rc >= 0 && c->admin) {
        /* its maker belongs to it: else no admin but the operator could reach it */
        const char *member[] = {c->slug, c->admin};
        rc = sql_run(acc, "INSERT INTO members (workspace, username) VALUES (?, ?)", 2, member, e);
    }
    return rc < 0 ? rc : 0;
}

static int workspace_add(struct store *acc, const char *db_url, const char *actor,
                         const char *admin, const char *slug, const char *title, struct err *e)
{
    int rc = auth_check_slug(slug, e);
    if (rc < 0)
        return rc;
    if (strcmp(slug, AUTH_DEFAULT_WORKSPACE) == 0 || strcmp(slug, "accounts") == 0)
        return err_set(e, ERR_USAGE, "\"%s\" is reserved: choose another workspace name", slug);
    if (!title || !title[0])
        title = slug;
    if (strlen(title) > AUTH_TITLE_MAX)
        return err_set(e, ERR_USAGE, "the title is longer than %d characters", AUTH_TITLE_MAX);
    struct store *ws;
    if ((rc = auth_workspace_store(db_url, slug, 1, &ws, e)) < 0)
        return rc;
    store_close(ws);
    struct ws_change c = {actor, admin, slug, title};
    return in_transaction(acc, ws_add_tx, &c, e);
}

int auth_workspace_add(struct store *acc, const char *db_url, const char *actor, const char *slug,
                       const char *title, struct err *e)
{
    return workspace_add(acc, db_url, actor, NULL, slug, title, e);
}

int auth_admin_workspace_add(struct store *acc, const char *db_url, const char *admin,
                             const char *slug, const char *title, struct err *e)
{
    return workspace_add(acc, db_url, admin, admin, slug, title, e);
}

static int ws_del_tx(struct store *acc, void *ctx, struct err *e)
{
    struct ws_change *c = ctx;
    int rc = auth_workspace_exists(acc, c->slug, e);
    if (rc < 0)
        return rc;
    if (rc == 0)
        return err_set(e, ERR_NOTFOUND, "no workspace named \"%s\"", c->slug);
    if (c->admin && (rc = is_member(acc, c->admin, c->slug, e)) <= 0)
        return rc < 0 ? rc : not_yours(c->slug, e);
    const char *params[] = {c->slug};
    rc = sql_run(acc, "DELETE FROM members WHERE workspace = ?", 1, params, e);
    if (rc >= 0)
        rc = sql_run(acc, "DELETE FROM workspaces WHERE slug = ?", 1, params, e);
    if (rc >= 0)
        rc = store_audit_add(acc, c->actor, "workspace.del", c->slug, c->slug,
                             "the workspace and its data were removed", e);
    return rc < 0 ? rc : 0;
}

static int workspace_del(struct store *acc, const char *db_url, const char *actor,
                         const char *admin, const char *slug, struct err *e)
{
    int rc = auth_check_slug(slug, e);
    if (rc < 0)
        return rc;
    if (strcmp(slug, AUTH_DEFAULT_WORKSPACE) == 0)
        return err_set(e, ERR_USAGE, "the default workspace cannot be removed");
    struct ws_change c = {actor, admin, slug, NULL};
    if ((rc = in_transaction(acc, ws_del_tx, &c, e)) < 0)
        return rc;
    char part[AUTH_SLUG_MAX + 8];
    snprintf(part, sizeof part, "ws-%s", slug);
    return store_drop_part(db_url, part, e);
}

int auth_workspace_del(struct store *acc, const char *db_url, const char *actor, const char *slug,
                       struct err *e)
{
    return workspace_del(acc, db_url, actor, NULL, slug, e);
}

int auth_admin_workspace_del(struct store *acc, const char *db_url, const char *admin,
                             const char *slug, struct err *e)
{
    return workspace_del(acc, db_url, admin, admin, slug, e);
}

/* ---- sessions ---- */

int auth_equal(const char *a, const char *b)
{
    size_t n = strlen(a);
    if (n != strlen(b))
        return 0;
    return sodium_memcmp(a, b, n) == 0;
}

static void random_hex(char out[AUTH_TOKEN_LEN + 1])
{
    unsigned char bytes[AUTH_TOKEN_LEN / 2];
    randombytes_buf(bytes, sizeof bytes);
    sodium_bin2hex(out, AUTH_TOKEN_LEN + 1, bytes, sizeof bytes);
}

/* The stored id of a token: BLAKE2b-256 of it, in hex. */
static void token_id(const char *token, char out[AUTH_TOKEN_LEN + 1])
{
    unsigned char h[AUTH_TOKEN_LEN / 2];
    crypto_generichash(h, sizeof h, (const unsigned char *)token, strlen(token), NULL, 0);
    sodium_bin2hex(out, AUTH_TOKEN_LEN + 1, h, sizeof h);
}

struct pw_row {
    char hash[crypto_pwhash_STRBYTES];
    enum auth_role role;
    int found;
};

static int pw_row(void *ctx, int ncols, const char *const *v)
{
    struct pw_row *p = ctx;
    if (ncols >= 2 && v[0] && v[1]) {
        snprintf(p->hash, sizeof p->hash, "%s", v[0]);
        p->role = auth_role_parse(v[1]);
        p->found = 1;
    }
    return 0;
}

int auth_password_lookup(struct store *acc, const char *name, char hash[AUTH_HASH_MAX],
                         enum auth_role *role, struct err *e)
{
    struct pw_row p = {{0}, ROLE_NONE, 0};
    hash[0] = '\0';
    *role = ROLE_NONE;
    if (!name || auth_check_name(name, NULL) < 0)
        return 0;
    const char *params[] = {name};
    int rc =
        store_sql(acc, "SELECT pwhash, role FROM users WHERE name = ?", 1, params, pw_row, &p, e);
    if (rc < 0)
        return rc;
    if (!p.found || p.role == ROLE_NONE)
        return 0;
    memcpy(hash, p.hash, AUTH_HASH_MAX);
    sodium_memzero(p.hash, sizeof p.hash);
    *role = p.role;
    return 1;
}

int auth_password_check(const char *hash, const char *password)
{
    size_t len = password ? strlen(password) : 0;
    if (len > AUTH_PASSWORD_MAX)
        return 0;
    if (hash && hash[0])
        return crypto_pwhash_str_verify(hash, password, len) == 0;
    pthread_once(&dummy_once, make_dummy_hash);
    if (dummy_hash[0] && crypto_pwhash_str_verify(dummy_hash, password ? password : "", len) == 0)
        return 0; /* a random password cannot be guessed; never a match either way */
    return 0;
}

int auth_session_create(struct store *acc, const char *name, enum auth_role role,
                        int64_t ttl_seconds, char token[AUTH_TOKEN_LEN + 1],
                        struct auth_session *out, struct err *e)
{
    memset(out, 0, sizeof *out);
    random_hex(token);
    random_hex(out->csrf);
    char id[AUTH_TOKEN_LEN + 1], created[24], expires[24];
    token_id(token, id);
    int64_t now = (int64_t)time(NULL);
    out->expires_at = now + ttl_seconds;
    snprintf(created, sizeof created, "%lld", (long long)now);
    snprintf(expires, sizeof expires, "%lld", (long long)out->expires_at);
    snprintf(out->user, sizeof out->user, "%s", name);
    out->role = role;
    const char *params[] = {id, name, out->csrf, created, expires};
    int rc = sql_run(acc,
                     "INSERT INTO sessions (id, username, csrf, created_at, expires_at) "
                     "VALUES (?, ?, ?, ?, ?)",
                     5, params, e);
    if (rc < 0) {
        sodium_memzero(token, AUTH_TOKEN_LEN + 1);
        return rc;
    }
    return 0;
}

int auth_login(struct store *acc, const char *name, const char *password, int64_t ttl_seconds,
               char token[AUTH_TOKEN_LEN + 1], struct auth_session *out, struct err *e)
{
    char hash[AUTH_HASH_MAX];
    enum auth_role role;
    int rc = auth_password_lookup(acc, name, hash, &role, e);
    if (rc < 0)
        return rc;
    int ok = auth_password_check(rc ? hash : NULL, password);
    sodium_memzero(hash, sizeof hash);
    if (!ok)
        return 0;
    rc = auth_session_create(acc, name, role, ttl_seconds, token, out, e);
    return rc < 0 ? rc : 1;
}

struct session_row {
    struct auth_session *s;
    int found;
};

static int session_row(void *ctx, int ncols, const char *const *v)
{
    struct session_row *r = ctx;
    if (ncols < 4 || !v[0] || !v[1] || !v[2] || !v[3])
        return 0;
    snprintf(r->s->user, sizeof r->s->user, "%s", v[0]);
    r->s->role = auth_role_parse(v[1]);
    snprintf(r->s->csrf, sizeof r->s->csrf, "%s", v[2]);
    r->s->expires_at = strtoll(v[3], NULL, 10);
    r->found = r->s->role != ROLE_NONE;
    return 0;
}

static int token_ok(const char *token)
{
    if (!token || strlen(token) != AUTH_TOKEN_LEN)
        return 0;
    for (const char *p = token; *p; p++)
        if (!((*p >= '0' && *p <= '9') || (*p >= 'a' && *p <= 'f')))
            return 0;
    return 1;
}

int auth_session_get(struct store *acc, const char *token, struct auth_session *out, struct err *e)
{
    if (!token_ok(token))
        return 0;
    char id[AUTH_TOKEN_LEN + 1], now[24];
    token_id(token, id);
    now_text(now);
    struct session_row r = {out, 0};
    const char *params[] = {id, now};
    int rc = store_sql(acc,
                       "SELECT s.username, u.role, s.csrf, s.expires_at FROM sessions s "
                       "JOIN users u ON u.name = s.username WHERE s.id = ? AND s.expires_at > ?",
                       2, params, session_row, &r, e);
    return rc < 0 ? rc : r.found;
}

int auth_logout(struct store *acc, const char *token, struct err *e)
{
    if (!token_ok(token))
        return 0;
    char id[AUTH_TOKEN_LEN + 1];
    token_id(token, id);
    const char *params[] = {id};
    int rc = sql_run(acc, "DELETE FROM sessions WHERE id = ?", 1, params, e);
    return rc < 0 ? rc : 0;
}

int auth_sessions_prune(struct store *acc, struct err *e)
{
    char now[24];
    now_text(now);
    const char *params[] = {now};
    int rc = sql_run(acc, "DELETE FROM sessions WHERE expires_at <= ?", 1, params, e);
    return rc < 0 ? rc : 0;
}

/* ---- throttling ---- */

void auth_throttle_init(struct auth_throttle *t)
{
    memset(t, 0, sizeof *t);
    pthread_mutex_init(&t->lock, NULL);
    t->per_name = 5;
    t->per_client = 20;
    t->window = 900;
}

void auth_throttle_release(struct auth_throttle *t)
{
    pthread_mutex_destroy(&t->lock);
}

static uint32_t key_hash(const char *key)
{
    uint32_t h = 2166136261u;
    for (const unsigned char *p = (const unsigned char *)key; *p; p++)
        h = (h ^ *p) * 16777619u;
    return h;
}

/* Failures of slot i within the window. */
static int throttle_recent(const struct auth_throttle *t, int i, int64_t now)
{
    int n = 0;
    for (int k = 0; k < t->slots[i].n; k++)
        n += t->slots[i].times[k] > now - t->window;
    return n;
}

/* The slot of key, -1 when absent; with insert, a new one when absent: a free or expired
 * slot, else the one with the fewest recent failures. So flooding the table with new
 * names (one failure each) takes over their slots first, never a name that is held back,
 * unless every slot it could use is held back too. */
static int throttle_slot(struct auth_throttle *t, const char *key, int insert, int64_t now)
{
    uint32_t h = key_hash(key) % AUTH_THROTTLE_SLOTS;
    int best = -1, best_recent = INT32_MAX;
    for (int probe = 0; probe < AUTH_THROTTLE_PROBES; probe++) {
        int i = (int)((h + (uint32_t)probe) % AUTH_THROTTLE_SLOTS);
        if (strcmp(t->slots[i].key, key) == 0)
            return i;
        int recent = t->slots[i].key[0] ? throttle_recent(t, i, now) : 0;
        if (recent < best_recent) {
            best_recent = recent;
            best = i;
        }
    }
    if (!insert)
        return -1;
    memset(&t->slots[best], 0, sizeof t->slots[best]);
    snprintf(t->slots[best].key, sizeof t->slots[best].key, "%s", key);
    return best;
}

static int cmp_i64(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return (x > y) - (x < y);
}

/* Seconds until key has fewer than limit failures in the window. */
static int64_t throttle_wait(struct auth_throttle *t, const char *key, int limit, int64_t now)
{
    int i = throttle_slot(t, key, 0, now);
    if (i < 0)
        return 0;
    int64_t recent[32];
    int n = 0;
    for (int k = 0; k < t->slots[i].n; k++)
        if (t->slots[i].times[k] > now - t->window)
            recent[n++] = t->slots[i].times[k];
    if (n < limit)
        return 0;
    qsort(recent, (size_t)n, sizeof recent[0], cmp_i64);
    int64_t wait = recent[n - limit] + t->window - now;
    return wait > 0 ? wait : 1;
}

static void throttle_keys(const char *name, const char *client, char user_key[96],
                          char client_key[96])
{
    snprintf(user_key, 96, "u:%.80s", name ? name : "");
    snprintf(client_key, 96, "c:%.80s", client ? client : "");
}

int64_t auth_throttle_check(struct auth_throttle *t, const char *name, const char *client,
                            int64_t now)
{
    char uk[96], ck[96];
    throttle_keys(name, client, uk, ck);
    pthread_mutex_lock(&t->lock);
    int64_t a = throttle_wait(t, uk, t->per_name < 32 ? t->per_name : 32, now);
    int64_t b = throttle_wait(t, ck, t->per_client < 32 ? t->per_client : 32, now);
    pthread_mutex_unlock(&t->lock);
    return a > b ? a : b;
}

void auth_throttle_fail(struct auth_throttle *t, const char *name, const char *client, int64_t now)
{
    char keys[2][96];
    throttle_keys(name, client, keys[0], keys[1]);
    pthread_mutex_lock(&t->lock);
    for (int k = 0; k < 2; k++) {
        int i = throttle_slot(t, keys[k], 1, now);
        t->slots[i].times[t->slots[i].next] = now;
        t->slots[i].next = (t->slots[i].next + 1) % 32;
        if (t->slots[i].n < 32)
            t->slots[i].n++;
    }
    pthread_mutex_unlock(&t->lock);
}
