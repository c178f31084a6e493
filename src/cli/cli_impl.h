/* cli_impl.h — what the command files share (cli.c: the dispatch and the data commands;
 * cli_accounts.c: user, workspace and audit; cli_sources.c: sources, sync, schedules and
 * scheduled reports; all call cli_common.c): option matching,
 * the database and workspace a command works on, exit codes. Private to src/cli/. */
#ifndef INFLUDASH_CLI_IMPL_H
#define INFLUDASH_CLI_IMPL_H

#include <stdint.h>

#include "store.h"

#define EXIT_PARTIAL 2
#define EXIT_USAGE 64

struct opts {
    int argc;
    char **argv;
    int i;
    const char *value; /* of the option just matched */
};

/* Matches "--name VALUE" or "--name=VALUE" at argv[i] and advances past it; a missing
 * value sets *bad (with a message). */
int cli_opt_value(struct opts *o, const char *name, int *bad);
int cli_opt_flag(struct opts *o, const char *name);
int cli_is_help(const char *a);
/* A whole number with an optional K, M or G suffix; -1 with a message when it is not. */
int cli_parse_u64(const char *name, const char *s, uint64_t *out);
/* $DATABASE_URL, else sqlite:infludash.db. */
const char *cli_default_db(void);
/* Prints the unknown option and the usage; returns EXIT_USAGE. */
int cli_unknown_option(const char *cmd, const char *arg, const char *usage);
/* The accounts database of the installation at db, or NULL when none exists yet (*missing
 * set; only when not create) or on an error (printed). */
struct store *cli_open_accounts(const char *db, int create, int *missing);
/* The data of workspace ws ("default": the database itself), or NULL after printing why
 * (no such workspace, cannot open). */
struct store *cli_open_store(const char *db, const char *ws);
/* The URL that reaches the data of workspace ws (the database itself for "default"), for the
 * extra connections of engine_load_snapshot; appended to out. */
struct buf;
void cli_data_url(const char *db, const char *ws, struct buf *out);
/* Who the command line acts as in the audit log: "cli:$USER". */
const char *cli_actor(void);

/* The account commands (cli_accounts.c), called by cli_main. */
int cli_cmd_user(int argc, char **argv);
int cli_cmd_workspace(int argc, char **argv);
int cli_cmd_audit(int argc, char **argv);
/* The commands of sources and schedules (cli_sources.c). */
int cli_cmd_source(int argc, char **argv);
int cli_cmd_sync(int argc, char **argv);
int cli_cmd_schedule(int argc, char **argv);
int cli_cmd_report(int argc, char **argv);

#endif
