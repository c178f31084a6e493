/* cli_common.c — what the command files share (cli_impl.h): option matching and numbers
 * with a size suffix, the database and workspace a command works on, and who the command
 * line acts as. Calls auth, store, number and buf; prints only errors, to stderr. */
#include "cli_impl.h"

#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "auth.h"
#include "buf.h"
#include "number.h"

#include "banned.h"

/* ---- option parsing --------------------------------------------------------------- */

/* Matches "--name VALUE" or "--name=VALUE" at argv[i]; advances past it. */
int cli_opt_value(struct opts *o, const char *name, int *bad)
{
    const char *a = o->argv[o->i];
    size_t n = strlen(name);
    if (strncmp(a, name, n) != 0)
        return 0;
    if (a[n] == '=') {
        o->value = a + n + 1;
        o->i++;
        return 1;
    }
    if (a[n] != '\0')
        return 0;
    if (o->i + 1 >= o->argc) {
        fprintf(stderr, "infludash: %s needs a value\n", name);
        *bad = 1;
        return 0;
    }
    o->value = o->argv[o->i + 1];
    o->i += 2;
    return 1;
}

int cli_opt_flag(struct opts *o, const char *name)
{
    if (strcmp(o->argv[o->i], name) == 0) {
        o->i++;
        return 1;
    }
    return 0;
}

int cli_is_help(const char *a)
{
    return !strcmp(a, "--help") || !strcmp(a, "-h") || !strcmp(a, "help");
}

int cli_parse_u64(const char *name, const char *s, uint64_t *out)
{
    /* the whole text is the number (number.h), with an optional size suffix K, M or G */
    size_t len = strlen(s);
    while (len && s[len - 1] == ' ')
        len--;
    unsigned shift = 0;
    if (len && strchr("KkMmGg", s[len - 1])) {
        char c = (char)(s[len - 1] | 0x20);
        shift = c == 'k' ? 10 : c == 'm' ? 20 : 30;
        len--;
    }
    uint64_t v;
    if (number_parse_u64(s, len, &v) < 0 || (shift && v > UINT64_MAX >> shift)) {
        fprintf(stderr, "infludash: %s: \"%s\" is not a whole number\n", name, s);
        return -1;
    }
    *out = v << shift;
    return 0;
}

const char *cli_default_db(void)
{
    const char *env = getenv("DATABASE_URL");
    return env && *env ? env : "sqlite:infludash.db";
}

int cli_unknown_option(const char *cmd, const char *arg, const char *usage)
{
    fprintf(stderr, "infludash %s: unknown option \"%s\"\n\n%s", cmd, arg, usage);
    return EXIT_USAGE;
}

/* ---- the database and the workspace ---------------------------------------------- */

const char *cli_actor(void)
{
    static char actor[80];
    if (!actor[0]) {
        const char *user = getenv("USER");
        struct passwd pw, *found = NULL;
        char buf[1024];
        if ((!user || !*user) && getpwuid_r(getuid(), &pw, buf, sizeof buf, &found) == 0 && found)
            user = found->pw_name;
        snprintf(actor, sizeof actor, "cli:%s", user && *user ? user : "unknown");
    }
    return actor;
}

struct store *cli_open_accounts(const char *db, int create, int *missing)
{
    struct store *acc = NULL;
    struct err e = {0, ""};
    *missing = 0;
    if (auth_init(&e) < 0 || auth_open(db, create, &acc, &e) < 0) {
        if (e.code == ERR_NOTFOUND) {
            *missing = 1;
            return NULL;
        }
        fprintf(stderr, "infludash: %s\n", e.msg);
        return NULL;
    }
    return acc;
}

struct store *cli_open_store(const char *db, const char *ws)
{
    struct err e = {0, ""};
    struct store *s = NULL;
    if (strcmp(ws, AUTH_DEFAULT_WORKSPACE) != 0) {
        if (auth_check_slug(ws, &e) < 0) {
            fprintf(stderr, "infludash: --workspace: %s\n", e.msg);
            return NULL;
        }
        int missing;
        struct store *acc = cli_open_accounts(db, 0, &missing);
        if (!acc && !missing)
            return NULL;
        int exists = acc ? auth_workspace_exists(acc, ws, &e) : 0;
        store_close(acc);
        if (exists <= 0) {
            if (exists < 0)
                fprintf(stderr, "infludash: %s\n", e.msg);
            else
                fprintf(stderr,
                        "infludash: no workspace named \"%s\" (list them with `infludash "
                        "workspace list`, create it with `infludash workspace add %s`)\n",
                        ws, ws);
            return NULL;
        }
    }
    if (auth_workspace_store(db, ws, 1, &s, &e) < 0) {
        fprintf(stderr, "infludash: %s\n", e.msg);
        return NULL;
    }
    return s;
}

void cli_data_url(const char *db, const char *ws, struct buf *out)
{
    if (strcmp(ws, AUTH_DEFAULT_WORKSPACE) == 0) {
        buf_puts(out, db);
        return;
    }
    char part[AUTH_SLUG_MAX + 8];
    snprintf(part, sizeof part, "ws-%s", ws);
    store_part_url(db, part, out);
}
