/* cli_common.c — what the command files share (cli_impl.h): the database and workspace a
 * command works on, who the command line acts as, and the --platforms and --gst-state
 * options. Calls auth, store, schema, payid, err and buf; prints only errors, to stderr. */
#include "cli_impl.h"

#include <errno.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "auth.h"
#include "buf.h"
#include "payid.h"
#include "schema.h"

#include "banned.h"

const char *cli_default_db(void)
{
    const char *env = getenv("DATABASE_URL");
    return env && *env ? env : "sqlite:infludash.db";
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

/* A list of platforms for schema_config.platforms (the field is a const char *); data: the
 * command, for the message. */
int cli_platforms_option(void *field, const struct cli_option *o, const char *value)
{
    struct err e;
    err_clear(&e);
    if (schema_platforms_check(value, &e) < 0) {
        fprintf(stderr, "infludash %s: --platforms: %s\n", (const char *)o->data, e.msg);
        return -1;
    }
    *(const char **)field = value;
    return 0;
}

/* --gst-state NN: a GST state code (payid_gst_state_name) into an int field. */
int cli_gst_state_option(void *field, const struct cli_option *o, const char *value)
{
    char *end = NULL;
    errno = 0;
    long v = strtol(value, &end, 10);
    if (errno || end == value || *end || v < 1 || v > 99 || !payid_gst_state_name((int)v)) {
        fprintf(stderr,
                "infludash %s: --gst-state %s: not a GST state code (two digits, e.g. 27 for "
                "Maharashtra, 06 for Haryana)\n",
                (const char *)o->data, value);
        return -1;
    }
    *(int *)field = (int)v;
    return 0;
}
