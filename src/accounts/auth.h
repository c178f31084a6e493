/* auth.h — the installation's accounts (docs/accounts.md, SPEC §7): users with a role and
 * an argon2id password hash, sessions, workspaces and their members, and the throttling
 * of failed sign-ins. Everything but the throttle lives in the accounts database
 * (store_open_part(url, "accounts")), written with store_sql, so it is the same on SQLite
 * and PostgreSQL. User and workspace changes are recorded in that database's audit log in
 * the change's own transaction. Calls store, libsodium, err, buf.
 *
 * No function here prints or returns a password or a hash; session tokens are handed to
 * the caller once (auth_login) and stored only as their BLAKE2b hash. */
#ifndef INFLUDASH_AUTH_H
#define INFLUDASH_AUTH_H

#include <pthread.h>
#include <stddef.h>
#include <stdint.h>

#include "err.h"
#include "store.h"

enum auth_role {
    ROLE_NONE = 0,
    ROLE_VIEWER = 1,  /* reads and exports */
    ROLE_ANALYST = 2, /* also imports */
    ROLE_ADMIN = 3,   /* also deletes data and manages users and workspaces */
};

#define AUTH_NAME_MAX 64
#define AUTH_SLUG_MAX 32
#define AUTH_TITLE_MAX 128
#define AUTH_PASSWORD_MIN 8
#define AUTH_PASSWORD_MAX 1024
#define AUTH_TOKEN_LEN 64 /* hex characters of a session token and a CSRF token */
#define AUTH_DEFAULT_WORKSPACE "default"
#define AUTH_MAX_WORKSPACES 32 /* a user belongs to at most this many */

const char *auth_role_name(enum auth_role r); /* "viewer", ...; "" for ROLE_NONE */
/* ROLE_NONE when s names no role. */
enum auth_role auth_role_parse(const char *s);

/* Validation, with messages that say what is allowed (ERR_USAGE). */
int auth_check_name(const char *name, struct err *e);
int auth_check_slug(const char *slug, struct err *e);
int auth_check_password(const char *password, struct err *e);

/* Once per process, before any other call (libsodium's sodium_init). */
int auth_init(struct err *e);

/* Opens the accounts database: without create, ERR_NOTFOUND when none exists yet (no user
 * was ever added: the installation is open). */
int auth_open(const char *db_url, int create, struct store **out, struct err *e);
/* A workspace's data: the main database for "default" (always opened, created when
 * missing), else its own part; for those, without create, ERR_NOTFOUND when it has none
 * yet. */
int auth_workspace_store(const char *db_url, const char *slug, int create, struct store **out,
                         struct err *e);

/* ---- users ---- */

struct auth_user {
    char name[AUTH_NAME_MAX + 1];
    enum auth_role role;
    int64_t created_at;
    /* comma-separated slugs, sorted: room for AUTH_MAX_WORKSPACES of the longest */
    char workspaces[AUTH_MAX_WORKSPACES * (AUTH_SLUG_MAX + 1) + 1];
};

int auth_user_count(struct store *acc, int64_t *n, struct err *e);
/* workspaces: comma-separated slugs (NULL or "": "default"); each must exist. */
int auth_user_add(struct store *acc, const char *actor, const char *name, enum auth_role role,
                  const char *password, const char *workspaces, struct err *e);
/* Changes what is given (role ROLE_NONE, password NULL, workspaces NULL: unchanged). A
 * changed password ends the user's sessions. */
int auth_user_set(struct store *acc, const char *actor, const char *name, enum auth_role role,
                  const char *password, const char *workspaces, struct err *e);
/* Refuses to remove or demote the last admin while other users exist. */
int auth_user_del(struct store *acc, const char *actor, const char *name, struct err *e);
/* ERR_NOTFOUND when there is no such user. */
int auth_user_get(struct store *acc, const char *name, struct auth_user *out, struct err *e);
/* Every user, by name; the caller frees *out. */
int auth_user_list(struct store *acc, struct auth_user **out, size_t *n, struct err *e);

/* ---- workspaces ---- */

struct auth_workspace {
    char slug[AUTH_SLUG_MAX + 1];
    char title[AUTH_TITLE_MAX + 1];
    int64_t created_at;
};

/* Every workspace ("default" first, then by slug); acc may be NULL (only "default"). The
 * caller frees *out. */
int auth_workspace_list(struct store *acc, struct auth_workspace **out, size_t *n, struct err *e);
/* Those user belongs to, in the same order. */
int auth_workspace_list_member(struct store *acc, const char *user, struct auth_workspace **out,
                               size_t *n, struct err *e);
/* 1 when slug exists ("default" always does), 0 when not. */
int auth_workspace_exists(struct store *acc, const char *slug, struct err *e);
/* Records a workspace and creates its database. */
int auth_workspace_add(struct store *acc, const char *db_url, const char *actor, const char *slug,
                       const char *title, struct err *e);
/* Removes a workspace, its members and its data for good ("default" cannot be removed). */
int auth_workspace_del(struct store *acc, const char *db_url, const char *actor, const char *slug,
                       struct err *e);

/* ---- what a signed-in admin may manage (docs/accounts.md, "Who manages what") ----
 *
 * An admin administers only inside the workspaces they belong to: the users whose every
 * workspace is one of theirs (so no admin can take over, by a password reset, an account
 * that reaches a workspace they may not read), and those workspaces. The auth_admin_*
 * calls below are the functions above with that bound for admin (the signed-in admin, also
 * the audit's actor); the plain ones are for the machine's operator (the command line, and
 * the server while no user exists), who manages everything. Out of bounds is ERR_NOTFOUND,
 * as a workspace one may not use is for reading: "no user named X that you manage", "no
 * workspace named X that you may use". */
int auth_admin_user_add(struct store *acc, const char *admin, const char *name, enum auth_role role,
                        const char *password, const char *workspaces, struct err *e);
int auth_admin_user_set(struct store *acc, const char *admin, const char *name, enum auth_role role,
                        const char *password, const char *workspaces, struct err *e);
int auth_admin_user_del(struct store *acc, const char *admin, const char *name, struct err *e);
/* The users admin manages (themselves among them). */
int auth_admin_user_list(struct store *acc, const char *admin, struct auth_user **out, size_t *n,
                         struct err *e);
/* The new workspace has admin as its first member. */
int auth_admin_workspace_add(struct store *acc, const char *db_url, const char *admin,
                             const char *slug, const char *title, struct err *e);
int auth_admin_workspace_del(struct store *acc, const char *db_url, const char *admin,
                             const char *slug, struct err *e);

/* ---- sessions ---- */

struct auth_session {
    char user[AUTH_NAME_MAX + 1];
    enum auth_role role;
    char csrf[AUTH_TOKEN_LEN + 1];
    int64_t expires_at;
};

#define AUTH_HASH_MAX 128 /* crypto_pwhash_STRBYTES */

/* The three steps of auth_login, for callers that must not hold a lock during the slow
 * middle one: the stored hash and role of name (1), or 0 when there is no such user;
 * whether password matches hash (with hash NULL, as slow as a real check, and 0); a new
 * session. */
int auth_password_lookup(struct store *acc, const char *name, char hash[AUTH_HASH_MAX],
                         enum auth_role *role, struct err *e);
int auth_password_check(const char *hash, const char *password);
int auth_session_create(struct store *acc, const char *name, enum auth_role role,
                        int64_t ttl_seconds, char token[AUTH_TOKEN_LEN + 1],
                        struct auth_session *out, struct err *e);
/* Checks name and password (argon2id; as slow for an unknown name as for a known one).
 * Returns 1 and a new session (token: AUTH_TOKEN_LEN hex characters, for the cookie) when
 * they match, 0 when they do not, negative on a database error. */
int auth_login(struct store *acc, const char *name, const char *password, int64_t ttl_seconds,
               char token[AUTH_TOKEN_LEN + 1], struct auth_session *out, struct err *e);
/* 1 with the session of a token that is known and not expired (the user's current role),
 * 0 when it is not. */
int auth_session_get(struct store *acc, const char *token, struct auth_session *out, struct err *e);
int auth_logout(struct store *acc, const char *token, struct err *e);
/* Removes expired sessions. */
int auth_sessions_prune(struct store *acc, struct err *e);

/* Constant-time comparison of two NUL-terminated strings. */
int auth_equal(const char *a, const char *b);

/* ---- throttling of failed sign-ins (in memory, per process) ---- */

#define AUTH_THROTTLE_SLOTS 256
#define AUTH_THROTTLE_PROBES 16 /* slots a key may use */

struct auth_throttle {
    pthread_mutex_t lock;
    int per_name;   /* failures allowed per name in the window; default 5 */
    int per_client; /* per client address; default 20 */
    int window;     /* seconds; default 900 */
    struct {
        char key[96];      /* "u:NAME" or "c:ADDRESS" */
        int64_t times[32]; /* failure times, a ring */
        int n, next;
    } slots[AUTH_THROTTLE_SLOTS];
};

void auth_throttle_init(struct auth_throttle *t);
void auth_throttle_release(struct auth_throttle *t);
/* Seconds to wait before name may try again from client (0: go ahead). */
int64_t auth_throttle_check(struct auth_throttle *t, const char *name, const char *client,
                            int64_t now);
void auth_throttle_fail(struct auth_throttle *t, const char *name, const char *client, int64_t now);

#endif
