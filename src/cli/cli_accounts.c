/* cli_accounts.c — the commands over the installation's accounts (docs/accounts.md): user,
 * workspace and audit. Calls cli_common, cli_options, auth, audit, store, format, buf and err;
 * prints to the terminal. */
#include "cli_impl.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include <sodium.h>

#include "audit.h"
#include "auth.h"
#include "buf.h"
#include "format.h"

#include "banned.h"

/* ---- the commands' options ---- */

struct user_args {
    const char *db, *role, *workspaces;
};

static const struct cli_option user_options[] = {
    CLI_STRING_F(struct user_args, role, "--role", NULL, "admin|analyst|viewer",
                 "viewer reads and exports, analyst also imports,\n"
                 "admin also deletes data, manages users and workspaces",
                 "add set", "add"),
    CLI_STRING_F(struct user_args, workspaces, "--workspace", "--workspaces -w", "W[,W2...]",
                 "the user's workspaces (default: default)", "add set", NULL),
    CLI_DB(struct user_args, db),
    CLI_END,
};

static const struct cli_form user_forms[] = {
    {"add", "add NAME"}, {"list", "list"},    {"passwd", "passwd NAME"},
    {"set", "set NAME"}, {"del", "del NAME"}, {NULL, NULL},
};

const struct cli_command cli_user_command = {
    "user",
    "add, list, change or remove users (user add NAME --role admin)",
    user_forms,
    NULL,
    2,
    "While no user exists the server is open to anyone who can reach it; once one does,\n"
    "every page and API call needs a signed-in session. viewer: reads and exports;\n"
    "analyst: also imports; admin: also deletes and replaces data and manages the users\n"
    "and workspaces of the workspaces they belong to (docs/accounts.md).\n"
    "The password (at least 8 characters) is read from standard input's first line, or\n"
    "asked twice on a terminal. A new user belongs to the workspace default unless\n"
    "--workspace lists others. Passwords are stored only as argon2id hashes.\n"
    "These commands open the database directly, as the machine's operator: no role or\n"
    "workspace bound applies to them (whoever may write the database may change it).\n",
    user_options,
};

struct workspace_args {
    const char *db, *title;
};

static const struct cli_option workspace_options[] = {
    CLI_STRING_F(struct workspace_args, title, "--title", NULL, "TITLE",
                 "the name shown for it (default: the slug)", "add", NULL),
    CLI_DB(struct workspace_args, db),
    CLI_END,
};

static const struct cli_form workspace_forms[] = {
    {"add", "add SLUG"}, {"list", "list"}, {"del", "del SLUG"}, {NULL, NULL}};

const struct cli_command cli_workspace_command = {
    "workspace",
    "add, list or remove workspaces",
    workspace_forms,
    NULL,
    2,
    "A workspace is an independent set of the four datasets (a brand, a client) with its\n"
    "own members; default always exists. Slugs: 1 to 32 of a-z 0-9 -. Data commands\n"
    "(import, export, query, status, demo, audit) take --workspace SLUG. del removes the\n"
    "workspace and its data for good. Like every command, these act on the database\n"
    "directly, as the machine's operator: no role applies.\n",
    workspace_options,
};

struct audit_args {
    const char *db, *ws, *format;
    uint64_t limit;
};

static int audit_format_option(void *field, const struct cli_option *o, const char *value)
{
    (void)o;
    if (strcmp(value, "text") != 0 && strcmp(value, "csv") != 0) {
        fprintf(stderr, "infludash audit: --format must be text or csv\n");
        return -1;
    }
    *(const char **)field = value;
    return 0;
}

static const struct cli_option audit_options[] = {
    CLI_DB(struct audit_args, db),
    CLI_WORKSPACE(struct audit_args, ws),
    CLI_CALLBACK(struct audit_args, format, "--format", NULL, "text|csv", "text (default) or CSV",
                 audit_format_option, NULL, NULL, NULL),
    CLI_U64(struct audit_args, limit, "--limit", "N", "the newest N entries (default: all)"),
    CLI_END,
};

const struct cli_command cli_audit_command = {
    "audit",
    "print the audit log of imports, deletions and user changes",
    NULL,
    NULL,
    0,
    "Prints the audit log of the workspace (imports, deletions, sample data) with the user\n"
    "and workspace changes of the installation, newest first.\n",
    audit_options,
};

/* ---- passwords ---- */

/* One line from f without its line break; -1 at the end of input or when too long. */
static int read_line(FILE *f, char *out, size_t size)
{
    if (!fgets(out, (int)size, f))
        return -1;
    size_t n = strlen(out);
    if (n == size - 1 && out[n - 1] != '\n')
        return -1;
    while (n > 0 && (out[n - 1] == '\n' || out[n - 1] == '\r'))
        out[--n] = '\0';
    return 0;
}

static int prompt_hidden(const char *prompt, char *out, size_t size)
{
    struct termios old, quiet;
    fputs(prompt, stderr);
    fflush(stderr);
    int have_tty = tcgetattr(STDIN_FILENO, &old) == 0;
    if (have_tty) {
        quiet = old;
        quiet.c_lflag &= ~(tcflag_t)ECHO;
        tcsetattr(STDIN_FILENO, TCSAFLUSH, &quiet);
    }
    int rc = read_line(stdin, out, size);
    if (have_tty)
        tcsetattr(STDIN_FILENO, TCSAFLUSH, &old);
    fputc('\n', stderr);
    return rc;
}

/* The new password of name: stdin's first line, or asked twice on a terminal. */
static int read_password(const char *name, char *out, size_t size)
{
    if (!isatty(STDIN_FILENO)) {
        if (read_line(stdin, out, size) < 0) {
            fprintf(stderr,
                    "infludash user: no password on standard input (give it as the "
                    "first line, at most %d characters)\n",
                    AUTH_PASSWORD_MAX);
            return -1;
        }
        return 0;
    }
    char again[AUTH_PASSWORD_MAX + 2];
    char prompt[160];
    snprintf(prompt, sizeof prompt, "New password for %s: ", name);
    int rc = prompt_hidden(prompt, out, size);
    if (rc == 0)
        rc = prompt_hidden("Again: ", again, sizeof again);
    if (rc == 0 && strcmp(out, again) != 0) {
        fprintf(stderr, "infludash user: the passwords differ; nothing was changed\n");
        rc = -1;
    }
    sodium_memzero(again, sizeof again);
    return rc;
}

/* ---- user ---- */

static void print_time(int64_t t, char out[32])
{
    format_utc_time(t, out);
    if (!out[0])
        snprintf(out, 32, "-");
}

static int user_list(struct store *acc)
{
    struct auth_user *users = NULL;
    size_t n = 0;
    struct err e = {0, ""};
    if (auth_user_list(acc, &users, &n, &e) < 0) {
        fprintf(stderr, "infludash user: %s\n", e.msg);
        return 1;
    }
    if (n == 0)
        printf("no users: the server is open to anyone who can reach it (add one with "
               "`infludash user add NAME --role admin`)\n");
    else
        printf("%-24s %-8s %-20s %s\n", "NAME", "ROLE", "CREATED", "WORKSPACES");
    for (size_t i = 0; i < n; i++) {
        char created[32];
        print_time(users[i].created_at, created);
        printf("%-24s %-8s %-20s %s\n", users[i].name, auth_role_name(users[i].role), created,
               users[i].workspaces);
    }
    free(users);
    return 0;
}

int cli_cmd_user(int argc, char **argv)
{
    struct user_args a = {cli_default_db(), NULL, NULL};
    int nwords;
    int parsed = cli_parse(&cli_user_command, &a, argc, argv, &nwords);
    if (parsed != CLI_PARSED)
        return parsed;
    const char *db = a.db, *role_text = a.role, *workspaces = a.workspaces;
    const char *const *words = (const char *const *)argv;
    const char *cmd = nwords > 0 ? words[0] : NULL, *name = nwords > 1 ? words[1] : NULL;
    if (!cmd || !cli_form_find(&cli_user_command, cmd)) {
        fprintf(stderr, "infludash user: %s\n\n",
                cmd ? "unknown subcommand (add, list, passwd, set or del)" : "what to do?");
        cli_usage(&cli_user_command, stderr);
        return EXIT_USAGE;
    }
    int is_list = strcmp(cmd, "list") == 0;
    if (!is_list && !name) {
        fprintf(stderr, "infludash user %s: which user?\n\n", cmd);
        cli_usage(&cli_user_command, stderr);
        return EXIT_USAGE;
    }
    enum auth_role role = ROLE_NONE;
    if (role_text && (role = auth_role_parse(role_text)) == ROLE_NONE) {
        fprintf(stderr, "infludash user: --role must be admin, analyst or viewer, not \"%s\"\n",
                role_text);
        return EXIT_USAGE;
    }
    if (!strcmp(cmd, "add") && !role_text) {
        fprintf(stderr, "infludash user add: --role admin|analyst|viewer is required\n");
        return EXIT_USAGE;
    }
    struct err e = {0, ""};
    if (name && auth_check_name(name, &e) < 0) {
        fprintf(stderr, "infludash user: %s\n", e.msg);
        return EXIT_USAGE;
    }

    int missing;
    struct store *acc = cli_open_accounts(db, !is_list && !strcmp(cmd, "add"), &missing);
    if (!acc) {
        if (!missing)
            return 1;
        if (is_list) {
            printf("no users: the server is open to anyone who can reach it (add one with "
                   "`infludash user add NAME --role admin`)\n");
            return 0;
        }
        fprintf(stderr, "infludash user %s: no user named \"%s\" (there are no users yet)\n", cmd,
                name);
        return 1;
    }
    int rc = 0;
    char password[AUTH_PASSWORD_MAX + 2];
    password[0] = '\0';
    if (is_list) {
        rc = user_list(acc);
        store_close(acc);
        return rc;
    }
    int wants_password = !strcmp(cmd, "add") || !strcmp(cmd, "passwd");
    if (wants_password && read_password(name, password, sizeof password) < 0) {
        store_close(acc);
        return 1;
    }
    if (!strcmp(cmd, "add"))
        rc = auth_user_add(acc, cli_actor(), name, role, password, workspaces, &e);
    else if (!strcmp(cmd, "passwd"))
        rc = auth_user_set(acc, cli_actor(), name, ROLE_NONE, password, NULL, &e);
    else if (!strcmp(cmd, "set"))
        rc = auth_user_set(acc, cli_actor(), name, role, NULL, workspaces, &e);
    else
        rc = auth_user_del(acc, cli_actor(), name, &e);
    sodium_memzero(password, sizeof password);
    store_close(acc);
    if (rc < 0) {
        fprintf(stderr, "infludash user %s: %s\n", cmd, e.msg);
        return e.code == ERR_USAGE ? EXIT_USAGE : 1;
    }
    if (!strcmp(cmd, "add"))
        printf("added %s (%s)\n", name, auth_role_name(role));
    else if (!strcmp(cmd, "passwd"))
        printf("changed the password of %s; their sessions have ended\n", name);
    else if (!strcmp(cmd, "set"))
        printf("changed %s\n", name);
    else
        printf("removed %s\n", name);
    return 0;
}

/* ---- workspace ---- */

int cli_cmd_workspace(int argc, char **argv)
{
    struct workspace_args a = {cli_default_db(), NULL};
    int nwords;
    int parsed = cli_parse(&cli_workspace_command, &a, argc, argv, &nwords);
    if (parsed != CLI_PARSED)
        return parsed;
    const char *db = a.db, *title = a.title;
    const char *const *words = (const char *const *)argv;
    const char *cmd = nwords > 0 ? words[0] : NULL, *slug = nwords > 1 ? words[1] : NULL;
    int is_list = cmd && !strcmp(cmd, "list");
    if (!cmd || !cli_form_find(&cli_workspace_command, cmd)) {
        fprintf(stderr, "infludash workspace: %s\n\n",
                cmd ? "unknown subcommand (add, list or del)" : "what to do?");
        cli_usage(&cli_workspace_command, stderr);
        return EXIT_USAGE;
    }
    struct err e = {0, ""};
    if (!is_list && (!slug || auth_check_slug(slug, &e) < 0)) {
        fprintf(stderr, "infludash workspace %s: %s\n", cmd, slug ? e.msg : "which workspace?");
        return EXIT_USAGE;
    }
    int missing;
    struct store *acc = cli_open_accounts(db, !strcmp(cmd, "add"), &missing);
    if (!acc && !missing)
        return 1;
    int rc = 0;
    if (is_list) {
        struct auth_workspace *ws = NULL;
        size_t n = 0;
        rc = auth_workspace_list(acc, &ws, &n, &e);
        if (rc == 0) {
            printf("%-32s %-20s %s\n", "SLUG", "CREATED", "TITLE");
            for (size_t i = 0; i < n; i++) {
                char created[32];
                print_time(ws[i].created_at, created);
                printf("%-32s %-20s %s\n", ws[i].slug, created, ws[i].title);
            }
        }
        free(ws);
    } else if (!strcmp(cmd, "add")) {
        rc = auth_workspace_add(acc, db, cli_actor(), slug, title, &e);
        if (rc == 0)
            printf("added workspace %s\n", slug);
    } else if (!acc) {
        rc = err_set(&e, ERR_NOTFOUND, "no workspace named \"%s\"", slug);
    } else {
        rc = auth_workspace_del(acc, db, cli_actor(), slug, &e);
        if (rc == 0)
            printf("removed workspace %s and its data\n", slug);
    }
    store_close(acc);
    if (rc < 0) {
        fprintf(stderr, "infludash workspace %s: %s\n", cmd, e.msg);
        return e.code == ERR_USAGE ? EXIT_USAGE : 1;
    }
    return 0;
}

/* ---- audit ---- */

int cli_cmd_audit(int argc, char **argv)
{
    struct audit_args a = {cli_default_db(), AUTH_DEFAULT_WORKSPACE, "text", 0};
    int nops;
    int parsed = cli_parse(&cli_audit_command, &a, argc, argv, &nops);
    if (parsed != CLI_PARSED)
        return parsed;
    const char *db = a.db, *ws = a.ws, *format = a.format;
    uint64_t limit = a.limit;
    struct store *data = cli_open_store(db, ws);
    if (!data)
        return 1;
    int missing;
    struct store *acc = cli_open_accounts(db, 0, &missing);
    if (!acc && !missing) {
        store_close(data);
        return 1;
    }
    struct store_audit *entries = NULL;
    size_t n = 0;
    struct err e = {0, ""};
    int rc = audit_collect(data, acc, (size_t)limit, &entries, &n, &e);
    if (rc == 0) {
        struct buf out = BUF_INIT;
        if (!strcmp(format, "csv")) {
            audit_write_csv(entries, n, &out);
        } else {
            for (size_t i = 0; i < n; i++) {
                char at[32];
                print_time(entries[i].at, at);
                buf_printf(&out, "%s  %-16s %-14s %-12s %s%s%s\n", at, entries[i].actor,
                           entries[i].action, entries[i].workspace, entries[i].target,
                           entries[i].detail[0] ? ": " : "", entries[i].detail);
            }
            if (n == 0)
                buf_puts(&out, "the audit log is empty\n");
        }
        if (out.len && fwrite(out.data, 1, out.len, stdout) != out.len)
            rc = err_set(&e, ERR_IO, "cannot write: %s", strerror(errno));
        buf_release(&out);
    }
    free(entries);
    store_close(acc);
    store_close(data);
    if (rc < 0) {
        fprintf(stderr, "infludash audit: %s\n", e.msg);
        return 1;
    }
    return 0;
}
