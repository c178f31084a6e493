/* test_auth.c — the installation's accounts (auth.c, docs/accounts.md) on each backend:
 * SQLite (no argument or "sqlite") and the throwaway PostgreSQL of scripts/pg-test.sh ("pg":
 * $INFLUDASH_TEST_PG, required). Validation of names, slugs and passwords; roles; users with
 * argon2id hashes that never leave the database; workspaces, their members and their data;
 * sessions (only a hash of the token stored, expiry, logout, ended by a password change);
 * the last-admin rule; the audit of every user and workspace change; the sign-in throttle.
 * Each test gets a fresh temporary directory, and on PostgreSQL a fresh database.
 * Argon2id costs ~0.1 s per hash or check, so the tests add and sign in sparingly. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "testutil.h"
#include "testbackend.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <libpq-fe.h>

#include "auth.h"
#include "schema.h"
#include "store.h"

#include "banned.h"

static int make_fixture(void **state)
{
    return testbackend_setup(state, "auth");
}

static int remove_fixture(void **state)
{
    return testbackend_teardown(state);
}

/* ---- helpers ---- */

static struct store *open_acc(const struct fixture *f)
{
    struct store *acc = NULL;
    struct err e;
    err_clear(&e);
    int rc = auth_open(f->url, 1, &acc, &e);
    if (rc != 0)
        fail_msg("auth_open(%s): %s", f->url, e.msg);
    assert_non_null(acc);
    return acc;
}

static void add_ok(struct store *acc, const char *actor, const char *name, enum auth_role role,
                   const char *password, const char *workspaces)
{
    struct err e;
    err_clear(&e);
    int rc = auth_user_add(acc, actor, name, role, password, workspaces, &e);
    if (rc != 0)
        fail_msg("auth_user_add(%s): %s", name, e.msg);
}

static void set_ok(struct store *acc, const char *actor, const char *name, enum auth_role role,
                   const char *password, const char *workspaces)
{
    struct err e;
    err_clear(&e);
    int rc = auth_user_set(acc, actor, name, role, password, workspaces, &e);
    if (rc != 0)
        fail_msg("auth_user_set(%s): %s", name, e.msg);
}

static void del_ok(struct store *acc, const char *actor, const char *name)
{
    struct err e;
    err_clear(&e);
    int rc = auth_user_del(acc, actor, name, &e);
    if (rc != 0)
        fail_msg("auth_user_del(%s): %s", name, e.msg);
}

static void ws_add_ok(struct store *acc, const struct fixture *f, const char *actor,
                      const char *slug, const char *title)
{
    struct err e;
    err_clear(&e);
    int rc = auth_workspace_add(acc, f->url, actor, slug, title, &e);
    if (rc != 0)
        fail_msg("auth_workspace_add(%s): %s", slug, e.msg);
}

static void ws_del_ok(struct store *acc, const struct fixture *f, const char *actor,
                      const char *slug)
{
    struct err e;
    err_clear(&e);
    int rc = auth_workspace_del(acc, f->url, actor, slug, &e);
    if (rc != 0)
        fail_msg("auth_workspace_del(%s): %s", slug, e.msg);
}

static struct auth_user get_ok(struct store *acc, const char *name)
{
    struct auth_user u;
    struct err e;
    err_clear(&e);
    memset(&u, 0, sizeof u);
    int rc = auth_user_get(acc, name, &u, &e);
    if (rc != 0)
        fail_msg("auth_user_get(%s): %s", name, e.msg);
    return u;
}

static int64_t user_count(struct store *acc)
{
    int64_t n = -1;
    struct err e;
    err_clear(&e);
    if (auth_user_count(acc, &n, &e) != 0)
        fail_msg("auth_user_count: %s", e.msg);
    return n;
}

/* Returns 1/0 from auth_login, failing the test on a database error. */
static int login(struct store *acc, const char *name, const char *password, int64_t ttl,
                 char token[AUTH_TOKEN_LEN + 1], struct auth_session *s)
{
    struct err e;
    err_clear(&e);
    int rc = auth_login(acc, name, password, ttl, token, s, &e);
    if (rc < 0)
        fail_msg("auth_login(%s): %s", name, e.msg);
    return rc;
}

static int session_get(struct store *acc, const char *token, struct auth_session *s)
{
    struct err e;
    err_clear(&e);
    memset(s, 0, sizeof *s);
    int rc = auth_session_get(acc, token, s, &e);
    if (rc < 0)
        fail_msg("auth_session_get: %s", e.msg);
    return rc;
}

static void assert_hex64(const char *s)
{
    assert_int_equal(strlen(s), AUTH_TOKEN_LEN);
    for (const char *p = s; *p; p++)
        if (!((*p >= '0' && *p <= '9') || (*p >= 'a' && *p <= 'f')))
            fail_msg("\"%s\" is not lower-case hex", s);
}

/* Result rows of a store_sql query, as text. */
#define ROWS_MAX 64
#define COLS_MAX 8
struct rows {
    int n, ncols;
    char v[ROWS_MAX][COLS_MAX][256];
    int null[ROWS_MAX][COLS_MAX];
};

static int collect_row(void *ctx, int ncols, const char *const *vals)
{
    struct rows *r = ctx;
    if (r->n >= ROWS_MAX)
        fail_msg("more than %d rows", ROWS_MAX);
    r->ncols = ncols < COLS_MAX ? ncols : COLS_MAX;
    for (int i = 0; i < r->ncols; i++) {
        r->null[r->n][i] = vals[i] == NULL;
        snprintf(r->v[r->n][i], sizeof r->v[r->n][i], "%s", vals[i] ? vals[i] : "");
    }
    r->n++;
    return 0;
}

static struct rows *query(struct store *s, const char *sql, int nparams, const char *const *params)
{
    struct rows *r = calloc(1, sizeof *r);
    assert_non_null(r);
    struct err e;
    err_clear(&e);
    int rc = store_sql(s, sql, nparams, params, collect_row, r, &e);
    if (rc < 0)
        fail_msg("%s: %s", sql, e.msg);
    return r;
}

static int64_t query_int(struct store *s, const char *sql, int nparams, const char *const *params)
{
    struct rows *r = query(s, sql, nparams, params);
    assert_int_equal(r->n, 1);
    int64_t v = strtoll(r->v[0][0], NULL, 10);
    free(r);
    return v;
}

/* The audit entries of a store, newest first. */
struct audit_rows {
    size_t n;
    struct store_audit a[64];
};

static int collect_audit(void *ctx, const struct store_audit *a)
{
    struct audit_rows *r = ctx;
    if (r->n >= sizeof r->a / sizeof r->a[0])
        fail_msg("too many audit entries");
    r->a[r->n++] = *a;
    return 0;
}

static struct audit_rows *audit_list(struct store *s, enum store_audit_scope scope)
{
    struct audit_rows *r = calloc(1, sizeof *r);
    assert_non_null(r);
    struct err e;
    err_clear(&e);
    if (store_audit_list(s, scope, 0, collect_audit, r, &e) != 0)
        fail_msg("store_audit_list: %s", e.msg);
    return r;
}

static int key_index(enum dataset ds)
{
    const struct schema_dataset *d = schema_dataset(ds);
    for (int i = 0; i < d->ncols; i++)
        if (d->cols[i].flags & SCHEMA_KEY)
            return i;
    fail_msg("dataset %d has no key", ds);
    return -1;
}

/* ---- validation and roles (no database) ---- */

static void validates_names_slugs_and_passwords(void **state)
{
    (void)state;
    struct err e;
    char s65[66], s64[65], s33[34], s32[33], pw1024[1025], pw1025[1026];
    memset(s65, 'a', 65);
    s65[65] = '\0';
    memset(s64, 'B', 64);
    s64[64] = '\0';
    memset(s33, 'z', 33);
    s33[33] = '\0';
    memset(s32, '7', 32);
    s32[32] = '\0';
    memset(pw1024, 'p', 1024);
    pw1024[1024] = '\0';
    memset(pw1025, 'p', 1025);
    pw1025[1025] = '\0';

    const char *good_names[] = {"a", s64, "Ana.B_c@example-1", "Z9"};
    for (size_t i = 0; i < sizeof good_names / sizeof *good_names; i++) {
        err_clear(&e);
        if (auth_check_name(good_names[i], &e) != 0)
            fail_msg("name \"%s\" refused: %s", good_names[i], e.msg);
    }
    const char *bad_names[] = {"", s65, "A b", "ana/x", "ana:x", "caf\xc3\xa9", "a\tb"};
    for (size_t i = 0; i < sizeof bad_names / sizeof *bad_names; i++) {
        err_clear(&e);
        if (auth_check_name(bad_names[i], &e) != ERR_USAGE)
            fail_msg("name \"%s\" accepted", bad_names[i]);
        assert_int_equal(e.code, ERR_USAGE);
        assert_non_null(strstr(e.msg, "A-Z a-z 0-9"));
    }
    assert_int_equal(auth_check_name(NULL, NULL), ERR_USAGE);

    const char *good_slugs[] = {"a", "7", s32, "acme-foods", "x-"};
    for (size_t i = 0; i < sizeof good_slugs / sizeof *good_slugs; i++) {
        err_clear(&e);
        if (auth_check_slug(good_slugs[i], &e) != 0)
            fail_msg("slug \"%s\" refused: %s", good_slugs[i], e.msg);
    }
    const char *bad_slugs[] = {"", s33, "-x", "Acme", "a_b", "a b", "a.b", "a,b"};
    for (size_t i = 0; i < sizeof bad_slugs / sizeof *bad_slugs; i++) {
        err_clear(&e);
        if (auth_check_slug(bad_slugs[i], &e) != ERR_USAGE)
            fail_msg("slug \"%s\" accepted", bad_slugs[i]);
        assert_non_null(strstr(e.msg, "a-z 0-9"));
    }
    assert_int_equal(auth_check_slug(NULL, NULL), ERR_USAGE);

    const char *good_pw[] = {"12345678", "a long pass phrase", pw1024};
    for (size_t i = 0; i < sizeof good_pw / sizeof *good_pw; i++) {
        err_clear(&e);
        if (auth_check_password(good_pw[i], &e) != 0)
            fail_msg("password of %zu characters refused: %s", strlen(good_pw[i]), e.msg);
    }
    const char *bad_pw[] = {"", "1234567", pw1025};
    for (size_t i = 0; i < sizeof bad_pw / sizeof *bad_pw; i++) {
        err_clear(&e);
        if (auth_check_password(bad_pw[i], &e) != ERR_USAGE)
            fail_msg("password of %zu characters accepted", strlen(bad_pw[i]));
        /* the message names the limit, never the password */
        assert_non_null(strstr(e.msg, strlen(bad_pw[i]) > 8 ? "1024" : "8"));
        if (bad_pw[i][0])
            assert_null(strstr(e.msg, bad_pw[i]));
    }
    assert_int_equal(auth_check_password(NULL, NULL), ERR_USAGE);
}

static void role_names_round_trip(void **state)
{
    (void)state;
    assert_string_equal(auth_role_name(ROLE_VIEWER), "viewer");
    assert_string_equal(auth_role_name(ROLE_ANALYST), "analyst");
    assert_string_equal(auth_role_name(ROLE_ADMIN), "admin");
    assert_string_equal(auth_role_name(ROLE_NONE), "");
    for (int r = ROLE_VIEWER; r <= ROLE_ADMIN; r++)
        assert_int_equal(auth_role_parse(auth_role_name((enum auth_role)r)), r);
    const char *unknown[] = {"", "root", "admins", "view", "admin ", "superuser"};
    for (size_t i = 0; i < sizeof unknown / sizeof *unknown; i++)
        assert_int_equal(auth_role_parse(unknown[i]), ROLE_NONE);
    assert_int_equal(auth_role_parse(NULL), ROLE_NONE);

    assert_int_equal(auth_equal("abc", "abc"), 1);
    assert_int_equal(auth_equal("abc", "abd"), 0);
    assert_int_equal(auth_equal("abc", "ab"), 0);
    assert_int_equal(auth_equal("", ""), 1);
}

/* ---- users ---- */

static void accounts_database_is_created_on_demand(void **state)
{
    struct fixture *f = *state;
    struct store *acc = NULL;
    struct err e;
    err_clear(&e);
    assert_int_equal(auth_open(f->url, 0, &acc, &e), ERR_NOTFOUND);
    acc = open_acc(f);
    assert_int_equal(user_count(acc), 0);
    store_close(acc);
    err_clear(&e);
    acc = NULL;
    if (auth_open(f->url, 0, &acc, &e) != 0)
        fail_msg("auth_open without create after creating: %s", e.msg);
    assert_int_equal(user_count(acc), 0);
    store_close(acc);
}

static void adds_users_with_argon2id_hashes_listed_by_name(void **state)
{
    struct fixture *f = *state;
    struct store *acc = open_acc(f);
    static const char *const pw[] = {"zoe-secret-1", "ana-secret-2", "bob-secret-3"};
    int64_t t0 = (int64_t)time(NULL);
    add_ok(acc, "cli:test", "zoe", ROLE_VIEWER, pw[0], NULL);
    add_ok(acc, "cli:test", "ana", ROLE_ADMIN, pw[1], "");
    add_ok(acc, "cli:test", "bob", ROLE_ANALYST, pw[2], "default");
    int64_t t1 = (int64_t)time(NULL);
    assert_int_equal(user_count(acc), 3);

    struct auth_user u = get_ok(acc, "ana");
    assert_string_equal(u.name, "ana");
    assert_int_equal(u.role, ROLE_ADMIN);
    assert_string_equal(u.workspaces, "default");
    assert_in_range(u.created_at, t0, t1);
    u = get_ok(acc, "zoe");
    assert_int_equal(u.role, ROLE_VIEWER);
    assert_string_equal(u.workspaces, "default");
    u = get_ok(acc, "bob");
    assert_int_equal(u.role, ROLE_ANALYST);

    struct err e;
    err_clear(&e);
    assert_int_equal(auth_user_get(acc, "nobody", &u, &e), ERR_NOTFOUND);

    /* The stored hashes: argon2id strings, each different, none holding its password. */
    struct rows *r = query(acc, "SELECT name, pwhash FROM users ORDER BY name", 0, NULL);
    assert_int_equal(r->n, 3);
    for (int i = 0; i < r->n; i++) {
        const char *h = r->v[i][1];
        if (strncmp(h, "$argon2id$", 10) != 0)
            fail_msg("%s's pwhash does not start with $argon2id$: \"%.20s\"", r->v[i][0], h);
        for (size_t k = 0; k < 3; k++)
            if (strstr(h, pw[k]))
                fail_msg("%s's pwhash contains a password", r->v[i][0]);
        for (int j = 0; j < i; j++)
            assert_string_not_equal(h, r->v[j][1]);
    }

    /* The list: by name, and no hash or password anywhere in it. */
    struct auth_user *list = NULL;
    size_t n = 0;
    err_clear(&e);
    if (auth_user_list(acc, &list, &n, &e) != 0)
        fail_msg("auth_user_list: %s", e.msg);
    assert_int_equal(n, 3);
    assert_string_equal(list[0].name, "ana");
    assert_string_equal(list[1].name, "bob");
    assert_string_equal(list[2].name, "zoe");
    assert_int_equal(list[0].role, ROLE_ADMIN);
    assert_int_equal(list[1].role, ROLE_ANALYST);
    assert_int_equal(list[2].role, ROLE_VIEWER);
    for (size_t i = 0; i < n; i++) {
        assert_string_equal(list[i].workspaces, "default");
        assert_null(memmem(&list[i], sizeof list[i], "$argon2", 7));
        for (int j = 0; j < r->n; j++)
            assert_null(memmem(&list[i], sizeof list[i], r->v[j][1], strlen(r->v[j][1])));
        for (size_t k = 0; k < 3; k++)
            assert_null(memmem(&list[i], sizeof list[i], pw[k], strlen(pw[k])));
    }
    free(list);
    free(r);

    /* Refused before anything is hashed or stored. */
    err_clear(&e);
    assert_int_equal(auth_user_add(acc, "t", "eve", ROLE_NONE, "long enough", NULL, &e), ERR_USAGE);
    assert_int_equal(auth_user_add(acc, "t", "e ve", ROLE_VIEWER, "long enough", NULL, &e),
                     ERR_USAGE);
    assert_int_equal(auth_user_add(acc, "t", "eve", ROLE_VIEWER, "short", NULL, &e), ERR_USAGE);
    assert_int_equal(auth_user_add(acc, "t", "eve", ROLE_VIEWER, "long enough", "Bad_Slug", &e),
                     ERR_USAGE);
    assert_int_equal(user_count(acc), 3);
    store_close(acc);
}

static void refuses_duplicates_and_unknown_workspaces(void **state)
{
    struct fixture *f = *state;
    struct store *acc = open_acc(f);
    struct err e;
    add_ok(acc, "t", "ana", ROLE_ADMIN, "first password", NULL);
    struct rows *before = query(acc, "SELECT pwhash, role FROM users", 0, NULL);

    err_clear(&e);
    assert_int_equal(auth_user_add(acc, "t", "ana", ROLE_VIEWER, "second password", NULL, &e),
                     ERR_USAGE);
    assert_non_null(strstr(e.msg, "already exists"));
    struct rows *after = query(acc, "SELECT pwhash, role FROM users", 0, NULL);
    assert_int_equal(after->n, 1);
    assert_string_equal(after->v[0][0], before->v[0][0]); /* the hash is unchanged */
    assert_string_equal(after->v[0][1], "admin");
    free(before);
    free(after);

    /* An unknown workspace: refused, and neither the user nor a membership is stored. */
    err_clear(&e);
    assert_int_equal(auth_user_add(acc, "t", "bob", ROLE_VIEWER, "bob password", "acme", &e),
                     ERR_USAGE);
    assert_non_null(strstr(e.msg, "acme"));
    err_clear(&e);
    assert_int_equal(
        auth_user_add(acc, "t", "bob", ROLE_VIEWER, "bob password", "default,acme", &e), ERR_USAGE);
    struct auth_user u;
    err_clear(&e);
    assert_int_equal(auth_user_get(acc, "bob", &u, &e), ERR_NOTFOUND);
    assert_int_equal(user_count(acc), 1);
    const char *bob[] = {"bob"};
    assert_int_equal(query_int(acc, "SELECT count(*) FROM members WHERE username = ?", 1, bob), 0);

    ws_add_ok(acc, f, "t", "acme", "Acme Foods");
    add_ok(acc, "t", "bob", ROLE_VIEWER, "bob password", "default,acme");
    u = get_ok(acc, "bob");
    assert_string_equal(u.workspaces, "acme,default"); /* sorted */
    struct auth_workspace *ws = NULL;
    size_t n = 0;
    err_clear(&e);
    if (auth_workspace_list_member(acc, "bob", &ws, &n, &e) != 0)
        fail_msg("auth_workspace_list_member: %s", e.msg);
    assert_int_equal(n, 2);
    assert_string_equal(ws[0].slug, "default");
    assert_string_equal(ws[1].slug, "acme");
    assert_string_equal(ws[1].title, "Acme Foods");
    free(ws);

    /* A member of acme only: no "default" in the list. Repeats count once. */
    add_ok(acc, "t", "cy", ROLE_VIEWER, "cy password", " acme,acme ");
    u = get_ok(acc, "cy");
    assert_string_equal(u.workspaces, "acme");
    err_clear(&e);
    if (auth_workspace_list_member(acc, "cy", &ws, &n, &e) != 0)
        fail_msg("auth_workspace_list_member: %s", e.msg);
    assert_int_equal(n, 1);
    assert_string_equal(ws[0].slug, "acme");
    free(ws);
    /* ana still belongs to default only */
    err_clear(&e);
    if (auth_workspace_list_member(acc, "ana", &ws, &n, &e) != 0)
        fail_msg("auth_workspace_list_member: %s", e.msg);
    assert_int_equal(n, 1);
    assert_string_equal(ws[0].slug, "default");
    free(ws);
    store_close(acc);
}

/* ---- sessions ---- */

static void login_creates_sessions_that_logout_and_expiry_end(void **state)
{
    struct fixture *f = *state;
    struct store *acc = open_acc(f);
    struct err e;
    add_ok(acc, "t", "ana", ROLE_ANALYST, "right password", NULL);

    char token[AUTH_TOKEN_LEN + 1], token2[AUTH_TOKEN_LEN + 1];
    struct auth_session s, got;
    int64_t t0 = (int64_t)time(NULL);
    assert_int_equal(login(acc, "ana", "right password", 3600, token, &s), 1);
    int64_t t1 = (int64_t)time(NULL);
    assert_hex64(token);
    assert_hex64(s.csrf);
    assert_string_not_equal(token, s.csrf);
    assert_string_equal(s.user, "ana");
    assert_int_equal(s.role, ROLE_ANALYST);
    assert_in_range(s.expires_at, t0 + 3600, t1 + 3600);

    assert_int_equal(login(acc, "ana", "wrong password", 3600, token2, &got), 0);
    assert_int_equal(login(acc, "ana", "right passwor", 3600, token2, &got), 0);
    assert_int_equal(login(acc, "ana", "", 3600, token2, &got), 0);
    assert_int_equal(login(acc, "nobody", "right password", 3600, token2, &got), 0);
    assert_int_equal(login(acc, "Ana", "right password", 3600, token2, &got), 0);
    assert_int_equal(auth_password_check(NULL, "right password"), 0);

    assert_int_equal(session_get(acc, token, &got), 1);
    assert_string_equal(got.user, "ana");
    assert_int_equal(got.role, ROLE_ANALYST);
    assert_string_equal(got.csrf, s.csrf);
    assert_int_equal(got.expires_at, s.expires_at);

    /* Wrong and malformed tokens. */
    char other[AUTH_TOKEN_LEN + 1], upper[AUTH_TOKEN_LEN + 1], longer[AUTH_TOKEN_LEN + 2];
    snprintf(other, sizeof other, "%s", token);
    other[0] = other[0] == '0' ? '1' : '0';
    snprintf(upper, sizeof upper, "%s", token);
    for (char *p = upper; *p; p++)
        if (*p >= 'a' && *p <= 'f')
            *p = (char)(*p - 'a' + 'A');
    snprintf(longer, sizeof longer, "%s0", token);
    const char *bad[] = {
        other, longer, token + 1, s.csrf, "", "not a token", strcmp(upper, token) ? upper : "zz"};
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++)
        if (session_get(acc, bad[i], &got) != 0)
            fail_msg("token \"%s\" gave a session", bad[i]);

    /* Only a hash of the token is stored: no column holds it. */
    struct rows *r =
        query(acc, "SELECT id, username, csrf, created_at, expires_at FROM sessions", 0, NULL);
    assert_int_equal(r->n, 1);
    for (int c = 0; c < r->ncols; c++)
        if (strstr(r->v[0][c], token))
            fail_msg("sessions column %d holds the token", c);
    assert_string_not_equal(r->v[0][0], token);
    assert_int_equal(strlen(r->v[0][0]), AUTH_TOKEN_LEN);
    free(r);

    /* A second session; logging out of the first leaves it. */
    assert_int_equal(login(acc, "ana", "right password", 3600, token2, &got), 1);
    assert_string_not_equal(token, token2);
    err_clear(&e);
    if (auth_logout(acc, token, &e) != 0)
        fail_msg("auth_logout: %s", e.msg);
    assert_int_equal(session_get(acc, token, &got), 0);
    assert_int_equal(session_get(acc, token2, &got), 1);
    assert_int_equal(auth_logout(acc, "malformed", &e), 0);
    assert_int_equal(session_get(acc, token2, &got), 1);

    /* Expiry: a one-second session is gone two seconds later, and pruned. */
    char short_token[AUTH_TOKEN_LEN + 1];
    assert_int_equal(login(acc, "ana", "right password", 1, short_token, &got), 1);
    assert_int_equal(query_int(acc, "SELECT count(*) FROM sessions", 0, NULL), 2);
    sleep(2);
    assert_int_equal(session_get(acc, short_token, &got), 0);
    assert_int_equal(session_get(acc, token2, &got), 1);
    err_clear(&e);
    if (auth_sessions_prune(acc, &e) != 0)
        fail_msg("auth_sessions_prune: %s", e.msg);
    assert_int_equal(query_int(acc, "SELECT count(*) FROM sessions", 0, NULL), 1);
    assert_int_equal(session_get(acc, token2, &got), 1);

    /* A deleted user's sessions end with it. */
    del_ok(acc, "t", "ana");
    assert_int_equal(session_get(acc, token2, &got), 0);
    assert_int_equal(query_int(acc, "SELECT count(*) FROM sessions", 0, NULL), 0);
    store_close(acc);
}

static void password_change_ends_sessions_and_role_change_is_live(void **state)
{
    struct fixture *f = *state;
    struct store *acc = open_acc(f);
    struct err e;
    add_ok(acc, "t", "ana", ROLE_ADMIN, "old password", NULL);
    add_ok(acc, "t", "bob", ROLE_VIEWER, "bob password", NULL);
    char ta[AUTH_TOKEN_LEN + 1], tb[AUTH_TOKEN_LEN + 1], tn[AUTH_TOKEN_LEN + 1];
    struct auth_session s;
    assert_int_equal(login(acc, "ana", "old password", 3600, ta, &s), 1);
    assert_int_equal(login(acc, "bob", "bob password", 3600, tb, &s), 1);
    assert_int_equal(session_get(acc, tb, &s), 1);
    assert_int_equal(s.role, ROLE_VIEWER);

    set_ok(acc, "ana", "ana", ROLE_NONE, "new password", NULL);
    assert_int_equal(session_get(acc, ta, &s), 0);
    assert_int_equal(session_get(acc, tb, &s), 1); /* another user's session stays */
    assert_int_equal(login(acc, "ana", "old password", 3600, tn, &s), 0);
    assert_int_equal(login(acc, "ana", "new password", 3600, tn, &s), 1);
    struct auth_user u = get_ok(acc, "ana");
    assert_int_equal(u.role, ROLE_ADMIN); /* unchanged */
    assert_string_equal(u.workspaces, "default");

    /* A role change shows in the existing session. */
    set_ok(acc, "ana", "bob", ROLE_ANALYST, NULL, NULL);
    assert_int_equal(session_get(acc, tb, &s), 1);
    assert_string_equal(s.user, "bob");
    assert_int_equal(s.role, ROLE_ANALYST);
    u = get_ok(acc, "bob");
    assert_int_equal(u.role, ROLE_ANALYST);
    assert_string_equal(u.workspaces, "default");
    assert_int_equal(session_get(acc, tn, &s), 1); /* ana's new session too */
    assert_int_equal(s.role, ROLE_ADMIN);

    /* Refused changes change nothing. */
    err_clear(&e);
    assert_int_equal(auth_user_set(acc, "ana", "bob", ROLE_NONE, NULL, NULL, &e), ERR_USAGE);
    err_clear(&e);
    assert_int_equal(auth_user_set(acc, "ana", "bob", ROLE_VIEWER, NULL, "acme", &e), ERR_USAGE);
    err_clear(&e);
    assert_int_equal(auth_user_set(acc, "ana", "bob", ROLE_NONE, "short", NULL, &e), ERR_USAGE);
    err_clear(&e);
    assert_int_equal(auth_user_set(acc, "ana", "nobody", ROLE_VIEWER, NULL, NULL, &e),
                     ERR_NOTFOUND);
    u = get_ok(acc, "bob");
    assert_int_equal(u.role, ROLE_ANALYST);
    assert_string_equal(u.workspaces, "default");
    assert_int_equal(session_get(acc, tb, &s), 1);
    assert_int_equal(s.role, ROLE_ANALYST);
    store_close(acc);
}

static void last_admin_cannot_be_demoted_or_deleted(void **state)
{
    struct fixture *f = *state;
    struct store *acc = open_acc(f);
    struct err e;
    add_ok(acc, "t", "a", ROLE_ADMIN, "admin password", NULL);
    add_ok(acc, "t", "v", ROLE_VIEWER, "viewer password", NULL);

    err_clear(&e);
    assert_int_equal(auth_user_set(acc, "t", "a", ROLE_VIEWER, NULL, NULL, &e), ERR_USAGE);
    assert_non_null(strstr(e.msg, "last admin"));
    err_clear(&e);
    assert_int_equal(auth_user_set(acc, "t", "a", ROLE_ANALYST, NULL, NULL, &e), ERR_USAGE);
    err_clear(&e);
    assert_int_equal(auth_user_del(acc, "t", "a", &e), ERR_USAGE);
    assert_non_null(strstr(e.msg, "last admin"));
    assert_int_equal(get_ok(acc, "a").role, ROLE_ADMIN);
    assert_int_equal(user_count(acc), 2);
    err_clear(&e);
    assert_int_equal(auth_user_del(acc, "t", "nobody", &e), ERR_NOTFOUND);
    /* Setting the admin's role to admin again is no demotion. */
    set_ok(acc, "t", "a", ROLE_ADMIN, NULL, NULL);

    del_ok(acc, "t", "v");
    assert_int_equal(user_count(acc), 1);
    del_ok(acc, "t", "a");
    assert_int_equal(user_count(acc), 0);

    /* With two admins either may be demoted, then the other is the last one. */
    add_ok(acc, "t", "a", ROLE_ADMIN, "admin password", NULL);
    add_ok(acc, "t", "b", ROLE_ADMIN, "admin password", NULL);
    add_ok(acc, "t", "v", ROLE_VIEWER, "viewer password", NULL);
    set_ok(acc, "t", "a", ROLE_VIEWER, NULL, NULL);
    err_clear(&e);
    assert_int_equal(auth_user_set(acc, "t", "b", ROLE_ANALYST, NULL, NULL, &e), ERR_USAGE);
    err_clear(&e);
    assert_int_equal(auth_user_del(acc, "t", "b", &e), ERR_USAGE);
    del_ok(acc, "t", "v");
    err_clear(&e);
    assert_int_equal(auth_user_del(acc, "t", "b", &e), ERR_USAGE); /* a is still there */
    del_ok(acc, "t", "a");
    del_ok(acc, "t", "b"); /* the very last user: the installation is open again */
    assert_int_equal(user_count(acc), 0);
    assert_int_equal(query_int(acc, "SELECT count(*) FROM members", 0, NULL), 0);
    store_close(acc);
}

/* ---- workspaces ---- */

static void workspaces_are_added_listed_and_removed_with_their_data(void **state)
{
    struct fixture *f = *state;
    struct store *acc = open_acc(f);
    struct err e;
    struct auth_workspace *ws = NULL;
    size_t n = 0;

    /* Without an accounts database: only default. */
    err_clear(&e);
    assert_int_equal(auth_workspace_list(NULL, &ws, &n, &e), 0);
    assert_int_equal(n, 1);
    assert_string_equal(ws[0].slug, "default");
    free(ws);
    assert_int_equal(auth_workspace_exists(NULL, "default", &e), 1);
    assert_int_equal(auth_workspace_exists(acc, "default", &e), 1);
    assert_int_equal(auth_workspace_exists(acc, "acme", &e), 0);

    const char *refused[] = {"default", "accounts", "Acme", "-acme", ""};
    for (size_t i = 0; i < sizeof refused / sizeof *refused; i++) {
        err_clear(&e);
        if (auth_workspace_add(acc, f->url, "t", refused[i], NULL, &e) != ERR_USAGE)
            fail_msg("workspace \"%s\" was added", refused[i]);
    }
    assert_int_equal(query_int(acc, "SELECT count(*) FROM workspaces", 0, NULL), 0);

    ws_add_ok(acc, f, "t", "acme", "Acme Foods");
    err_clear(&e);
    assert_int_equal(auth_workspace_add(acc, f->url, "t", "acme", "Again", &e), ERR_USAGE);
    ws_add_ok(acc, f, "t", "beta", NULL);
    assert_int_equal(auth_workspace_exists(acc, "acme", &e), 1);
    assert_int_equal(auth_workspace_exists(acc, "beta", &e), 1);
    assert_int_equal(auth_workspace_exists(acc, "gamma", &e), 0);
    err_clear(&e);
    if (auth_workspace_list(acc, &ws, &n, &e) != 0)
        fail_msg("auth_workspace_list: %s", e.msg);
    assert_int_equal(n, 3);
    assert_string_equal(ws[0].slug, "default");
    assert_string_equal(ws[1].slug, "acme");
    assert_string_equal(ws[1].title, "Acme Foods"); /* not "Again" */
    assert_string_equal(ws[2].slug, "beta");
    assert_string_equal(ws[2].title, "beta");
    free(ws);

    /* Data in acme stays in acme. */
    struct store *a = NULL, *d = NULL;
    err_clear(&e);
    if (auth_workspace_store(f->url, "acme", 0, &a, &e) != 0)
        fail_msg("auth_workspace_store(acme): %s", e.msg);
    struct schema_row row;
    schema_row_init(&row, DS_INFLUENCERS);
    schema_row_set_text(&row, key_index(DS_INFLUENCERS), "inf-1", 5);
    err_clear(&e);
    if (store_begin(a, &e) != 0 || store_put(a, &row, &e) != 0 ||
        store_audit_add(a, "ana", "import", "acme", "influencers.csv", "1 row", &e) != 0 ||
        store_commit(a, &e) != 0)
        fail_msg("writing to acme: %s", e.msg);
    schema_row_release(&row);
    int64_t count = -1;
    assert_int_equal(store_count(a, DS_INFLUENCERS, &count, &e), 0);
    assert_int_equal(count, 1);
    struct audit_rows *au = audit_list(a, STORE_AUDIT_DATA);
    assert_int_equal(au->n, 1);
    free(au);
    store_close(a);

    err_clear(&e);
    if (auth_workspace_store(f->url, "default", 1, &d, &e) != 0)
        fail_msg("auth_workspace_store(default): %s", e.msg);
    count = -1;
    assert_int_equal(store_count(d, DS_INFLUENCERS, &count, &e), 0);
    assert_int_equal(count, 0);
    au = audit_list(d, STORE_AUDIT_ALL);
    assert_int_equal(au->n, 0);
    free(au);
    store_close(d);
    err_clear(&e);
    if (auth_workspace_store(f->url, "beta", 0, &d, &e) != 0)
        fail_msg("auth_workspace_store(beta): %s", e.msg);
    assert_int_equal(store_count(d, DS_INFLUENCERS, &count, &e), 0);
    assert_int_equal(count, 0);
    store_close(d);

    /* Removing acme: the workspace, its members and its data. */
    add_ok(acc, "t", "bob", ROLE_VIEWER, "bob password", "default,acme");
    assert_string_equal(get_ok(acc, "bob").workspaces, "acme,default");
    ws_del_ok(acc, f, "t", "acme");
    assert_int_equal(auth_workspace_exists(acc, "acme", &e), 0);
    assert_int_equal(auth_workspace_exists(acc, "beta", &e), 1);
    const char *acme[] = {"acme"};
    assert_int_equal(query_int(acc, "SELECT count(*) FROM members WHERE workspace = ?", 1, acme),
                     0);
    assert_string_equal(get_ok(acc, "bob").workspaces, "default");
    err_clear(&e);
    if (auth_workspace_list_member(acc, "bob", &ws, &n, &e) != 0)
        fail_msg("auth_workspace_list_member: %s", e.msg);
    assert_int_equal(n, 1);
    assert_string_equal(ws[0].slug, "default");
    free(ws);
    struct store *gone = NULL;
    err_clear(&e);
    assert_int_equal(store_open_part(f->url, "ws-acme", 0, &gone, &e), ERR_NOTFOUND);
    err_clear(&e);
    assert_int_equal(auth_workspace_store(f->url, "acme", 0, &gone, &e), ERR_NOTFOUND);

    err_clear(&e);
    assert_int_equal(auth_workspace_del(acc, f->url, "t", "acme", &e), ERR_NOTFOUND);
    err_clear(&e);
    assert_int_equal(auth_workspace_del(acc, f->url, "t", "default", &e), ERR_USAGE);

    /* A new acme starts empty. */
    ws_add_ok(acc, f, "t", "acme", NULL);
    err_clear(&e);
    if (auth_workspace_store(f->url, "acme", 0, &a, &e) != 0)
        fail_msg("auth_workspace_store(acme): %s", e.msg);
    count = -1;
    assert_int_equal(store_count(a, DS_INFLUENCERS, &count, &e), 0);
    assert_int_equal(count, 0);
    au = audit_list(a, STORE_AUDIT_ALL);
    assert_int_equal(au->n, 0);
    free(au);
    store_close(a);
    store_close(acc);
}

/* ---- audit ---- */

static void audit_records_user_and_workspace_changes(void **state)
{
    struct fixture *f = *state;
    struct store *acc = open_acc(f);
    struct err e;
    static const char *const pw[] = {"ana first pw", "bob first pw", "ana second pw",
                                     "bob second pw", "dup user pw"};
    add_ok(acc, "cli:root", "ana", ROLE_ADMIN, pw[0], NULL);
    add_ok(acc, "ana", "bob", ROLE_VIEWER, pw[1], NULL);
    ws_add_ok(acc, f, "ana", "acme", "Acme Foods");
    set_ok(acc, "ana", "bob", ROLE_ANALYST, NULL, "default,acme");
    set_ok(acc, "ana", "ana", ROLE_NONE, pw[2], NULL);
    set_ok(acc, "ana", "bob", ROLE_NONE, pw[3], "default");
    del_ok(acc, "ana", "bob");
    ws_del_ok(acc, f, "ana", "acme");
    /* Refused changes leave no entry. */
    err_clear(&e);
    assert_int_equal(auth_user_add(acc, "eve", "ana", ROLE_ADMIN, pw[4], NULL, &e), ERR_USAGE);
    err_clear(&e);
    assert_int_equal(auth_user_del(acc, "eve", "ana", &e), 0);
    /* (ana was the only user left, so deleting her is allowed: an entry) */

    static const struct {
        const char *actor, *action, *target;
    } want[] = {
        /* newest first */
        {"eve", "user.del", "ana"},       {"ana", "workspace.del", "acme"},
        {"ana", "user.del", "bob"},       {"ana", "user.set", "bob"},
        {"ana", "user.passwd", "ana"},    {"ana", "user.set", "bob"},
        {"ana", "workspace.add", "acme"}, {"ana", "user.add", "bob"},
        {"cli:root", "user.add", "ana"},
    };
    size_t nwant = sizeof want / sizeof *want;
    struct audit_rows *au = audit_list(acc, STORE_AUDIT_ACCOUNTS);
    if (au->n != nwant)
        fail_msg("%zu audit entries, want %zu", au->n, nwant);
    for (size_t i = 0; i < nwant; i++) {
        const struct store_audit *a = &au->a[i];
        if (strcmp(a->action, want[i].action) != 0 || strcmp(a->actor, want[i].actor) != 0 ||
            strcmp(a->target, want[i].target) != 0)
            fail_msg("audit entry %zu: %s %s %s, want %s %s %s", i, a->actor, a->action, a->target,
                     want[i].actor, want[i].action, want[i].target);
        if (i > 0) {
            assert_true(a->id < au->a[i - 1].id);
            assert_true(a->at <= au->a[i - 1].at);
        }
        for (size_t k = 0; k < sizeof pw / sizeof *pw; k++)
            if (strstr(a->detail, pw[k]) || strstr(a->target, pw[k]) || strstr(a->actor, pw[k]))
                fail_msg("audit entry %zu (%s) contains a password", i, a->action);
        assert_null(strstr(a->detail, "$argon2"));
    }
    /* Details say what changed. */
    assert_non_null(strstr(au->a[8].detail, "admin"));
    assert_non_null(strstr(au->a[5].detail, "analyst"));
    assert_non_null(strstr(au->a[5].detail, "acme"));
    assert_non_null(strstr(au->a[6].workspace, "acme"));
    /* Nothing of it among the data events of the accounts database. */
    free(au);
    au = audit_list(acc, STORE_AUDIT_DATA);
    assert_int_equal(au->n, 0);
    free(au);
    store_close(acc);
}

/* ---- throttle ---- */

static void throttle_limits_failures_per_name_and_client(void **state)
{
    (void)state;
    struct auth_throttle *t = calloc(1, sizeof *t);
    assert_non_null(t);
    auth_throttle_init(t);
    const int64_t now = 1700000000;
    const char *client = "192.0.2.7";

    assert_int_equal(auth_throttle_check(t, "x", client, now), 0);
    for (int i = 0; i < 4; i++)
        auth_throttle_fail(t, "x", client, now);
    assert_int_equal(auth_throttle_check(t, "x", client, now), 0);
    auth_throttle_fail(t, "x", client, now);
    int64_t wait = auth_throttle_check(t, "x", client, now);
    assert_in_range(wait, 1, 900);
    /* per name: from another client too */
    assert_in_range(auth_throttle_check(t, "x", "198.51.100.1", now), 1, 900);
    /* the wait shrinks as time passes, and ends with the window */
    int64_t later = auth_throttle_check(t, "x", client, now + 100);
    assert_in_range(later, 1, 800);
    assert_true(later < wait);
    assert_in_range(auth_throttle_check(t, "x", client, now + 899), 1, 900);

    /* Per client: other names from the same client go ahead until 20 failures. */
    assert_int_equal(auth_throttle_check(t, "y", client, now), 0);
    for (int i = 0; i < 14; i++) {
        char name[16];
        snprintf(name, sizeof name, "user%d", i);
        auth_throttle_fail(t, name, client, now);
    }
    /* 19 from this client */
    assert_int_equal(auth_throttle_check(t, "y", client, now), 0);
    auth_throttle_fail(t, "user14", client, now);
    assert_in_range(auth_throttle_check(t, "y", client, now), 1, 900);
    assert_int_equal(auth_throttle_check(t, "y", "198.51.100.1", now), 0);

    /* After the window: everything goes ahead again. */
    assert_int_equal(auth_throttle_check(t, "x", client, now + 901), 0);
    assert_int_equal(auth_throttle_check(t, "y", client, now + 901), 0);
    assert_int_equal(auth_throttle_check(t, "user14", client, now + 901), 0);

    /* Flooding the table with new names (one failure each, from many addresses) does not
     * free a name that is held back. */
    for (int i = 0; i < 5; i++)
        auth_throttle_fail(t, "admin", "203.0.113.1", now + 1000);
    assert_in_range(auth_throttle_check(t, "admin", "203.0.113.9", now + 1000), 1, 900);
    for (int i = 0; i < 4 * AUTH_THROTTLE_SLOTS; i++) {
        char name[16], addr[32];
        snprintf(name, sizeof name, "n%d", i);
        snprintf(addr, sizeof addr, "10.%d.%d.1", i / 250, i % 250);
        auth_throttle_fail(t, name, addr, now + 1001);
    }
    assert_in_range(auth_throttle_check(t, "admin", "203.0.113.9", now + 1002), 1, 900);
    auth_throttle_release(t);
    free(t);
}

/* The names of admin's list (auth_admin_user_list), comma-separated. */
static void managed_names(struct store *acc, const char *admin, char *out, size_t cap)
{
    struct auth_user *list = NULL;
    size_t n = 0;
    struct err e;
    err_clear(&e);
    if (auth_admin_user_list(acc, admin, &list, &n, &e) != 0)
        fail_msg("auth_admin_user_list(%s): %s", admin, e.msg);
    out[0] = '\0';
    for (size_t i = 0; i < n; i++) {
        size_t len = strlen(out);
        snprintf(out + len, cap - len, "%s%s", i ? "," : "", list[i].name);
    }
    free(list);
}

/* docs/accounts.md, "Who manages what": an admin manages the users whose every workspace is
 * one of theirs and the workspaces they belong to; nothing else, whatever the request. The
 * operator (the plain calls) manages everything. */
static void admin_manages_only_inside_their_workspaces(void **state)
{
    struct fixture *f = *state;
    struct store *acc = open_acc(f);
    struct err e;
    ws_add_ok(acc, f, "t", "acme", NULL);
    ws_add_ok(acc, f, "t", "beta", NULL);
    add_ok(acc, "t", "boss", ROLE_ADMIN, "boss password", "default,acme,beta");
    add_ok(acc, "t", "acmeadm", ROLE_ADMIN, "acme password", "acme");
    add_ok(acc, "t", "ana", ROLE_VIEWER, "ana password", "acme");
    add_ok(acc, "t", "dan", ROLE_VIEWER, "dan password", "default");
    add_ok(acc, "t", "both", ROLE_ANALYST, "both password", "default,acme");
    struct rows *hashes = query(acc, "SELECT name, pwhash, role FROM users ORDER BY name", 0, NULL);

    char names[256];
    managed_names(acc, "acmeadm", names, sizeof names);
    assert_string_equal(names, "acmeadm,ana");
    managed_names(acc, "boss", names, sizeof names);
    assert_string_equal(names, "acmeadm,ana,boss,both,dan");

    /* outside: a user who also (or only) reaches another workspace, whatever the change */
    const char *outside[] = {"dan", "both", "boss"};
    for (size_t i = 0; i < 3; i++) {
        err_clear(&e);
        assert_int_equal(
            auth_admin_user_set(acc, "acmeadm", outside[i], ROLE_NONE, "taken over!", NULL, &e),
            ERR_NOTFOUND);
        assert_non_null(strstr(e.msg, "that you manage"));
        err_clear(&e);
        assert_int_equal(
            auth_admin_user_set(acc, "acmeadm", outside[i], ROLE_VIEWER, NULL, NULL, &e),
            ERR_NOTFOUND);
        err_clear(&e);
        assert_int_equal(
            auth_admin_user_set(acc, "acmeadm", outside[i], ROLE_NONE, NULL, "acme", &e),
            ERR_NOTFOUND);
        err_clear(&e);
        assert_int_equal(auth_admin_user_del(acc, "acmeadm", outside[i], &e), ERR_NOTFOUND);
    }
    struct rows *unchanged =
        query(acc, "SELECT name, pwhash, role FROM users ORDER BY name", 0, NULL);
    assert_int_equal(unchanged->n, hashes->n);
    for (int i = 0; i < hashes->n; i++)
        for (int c = 0; c < 3; c++)
            assert_string_equal(unchanged->v[i][c], hashes->v[i][c]);
    free(unchanged);
    free(hashes);

    /* granting a workspace one is not a member of: to a new user, to a managed one, to
     * oneself */
    err_clear(&e);
    assert_int_equal(auth_admin_user_add(acc, "acmeadm", "new1", ROLE_VIEWER, "new1 password", NULL,
                                         &e), /* (default) */
                     ERR_NOTFOUND);
    assert_non_null(strstr(e.msg, "no workspace named \"default\" that you may use"));
    err_clear(&e);
    assert_int_equal(
        auth_admin_user_add(acc, "acmeadm", "new1", ROLE_VIEWER, "new1 password", "acme,beta", &e),
        ERR_NOTFOUND);
    err_clear(&e);
    assert_int_equal(auth_admin_user_set(acc, "acmeadm", "ana", ROLE_NONE, NULL, "acme,beta", &e),
                     ERR_NOTFOUND);
    err_clear(&e);
    assert_int_equal(
        auth_admin_user_set(acc, "acmeadm", "acmeadm", ROLE_NONE, NULL, "default,acme", &e),
        ERR_NOTFOUND);
    assert_string_equal(get_ok(acc, "acmeadm").workspaces, "acme");
    err_clear(&e);
    assert_int_equal(auth_user_get(acc, "new1", &(struct auth_user){0}, &e), ERR_NOTFOUND);

    /* inside: the managed user, a new one in acme, a workspace of one's own */
    err_clear(&e);
    assert_int_equal(
        auth_admin_user_set(acc, "acmeadm", "ana", ROLE_ANALYST, "ana new password", NULL, &e), 0);
    assert_int_equal(get_ok(acc, "ana").role, ROLE_ANALYST);
    err_clear(&e);
    assert_int_equal(
        auth_admin_user_add(acc, "acmeadm", "new1", ROLE_VIEWER, "new1 password", "acme", &e), 0);
    err_clear(&e);
    assert_int_equal(auth_admin_workspace_add(acc, f->url, "acmeadm", "gamma", "Gamma", &e), 0);
    struct auth_workspace *ws = NULL;
    size_t n = 0;
    err_clear(&e);
    assert_int_equal(auth_workspace_list_member(acc, "acmeadm", &ws, &n, &e), 0);
    assert_int_equal(n, 2); /* the maker is a member of the new one */
    assert_string_equal(ws[0].slug, "acme");
    assert_string_equal(ws[1].slug, "gamma");
    free(ws);

    /* workspaces: only one's own is removed */
    err_clear(&e);
    assert_int_equal(auth_admin_workspace_del(acc, f->url, "acmeadm", "beta", &e), ERR_NOTFOUND);
    assert_non_null(strstr(e.msg, "no workspace named \"beta\" that you may use"));
    err_clear(&e);
    assert_int_equal(auth_workspace_exists(acc, "beta", &e), 1);
    err_clear(&e);
    assert_int_equal(auth_admin_workspace_del(acc, f->url, "acmeadm", "gamma", &e), 0);
    err_clear(&e);
    assert_int_equal(auth_workspace_exists(acc, "gamma", &e), 0);

    /* an admin of every workspace (and the operator) manages everyone */
    err_clear(&e);
    assert_int_equal(auth_admin_user_set(acc, "boss", "both", ROLE_VIEWER, NULL, NULL, &e), 0);
    err_clear(&e);
    assert_int_equal(auth_admin_user_del(acc, "boss", "dan", &e), 0);
    set_ok(acc, "cli:op", "acmeadm", ROLE_NONE, NULL, "default,acme");
    del_ok(acc, "cli:op", "both");

    /* the audit names the admin as the actor */
    struct rows *audit = query(acc,
                               "SELECT actor FROM audit WHERE action = 'user.add' AND "
                               "target = 'new1'",
                               0, NULL);
    assert_int_equal(audit->n, 1);
    assert_string_equal(audit->v[0][0], "acmeadm");
    free(audit);
    store_close(acc);
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, make_fixture, remove_fixture)

/* argv[1]: the backend (testbackend.h): "sqlite", the default, or "pg". */
int main(int argc, char **argv)
{
    int status = testbackend_args(argc, argv);
    if (status)
        return status;
    struct err e;
    err_clear(&e);
    if (auth_init(&e) != 0) {
        fprintf(stderr, "auth_init: %s\n", e.msg);
        return 1;
    }
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(validates_names_slugs_and_passwords),
        cmocka_unit_test(role_names_round_trip),
        T(accounts_database_is_created_on_demand),
        T(adds_users_with_argon2id_hashes_listed_by_name),
        T(refuses_duplicates_and_unknown_workspaces),
        T(login_creates_sessions_that_logout_and_expiry_end),
        T(password_change_ends_sessions_and_role_change_is_live),
        T(last_admin_cannot_be_demoted_or_deleted),
        T(workspaces_are_added_listed_and_removed_with_their_data),
        T(audit_records_user_and_workspace_changes),
        T(admin_manages_only_inside_their_workspaces),
        cmocka_unit_test(throttle_limits_failures_per_name_and_client),
    };
    return cmocka_run_group_tests_name(
        backend == BACKEND_PG ? "auth on PostgreSQL" : "auth on SQLite", tests, NULL, NULL);
}
