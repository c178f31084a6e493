/* cli_impl.h — what the command files share (cli.c: the dispatch and the data commands;
 * cli_accounts.c: user, workspace and audit; cli_sources.c: sources, sync, schedules and
 * scheduled reports; all call cli_common.c and cli_options.c): the
 * options every data command takes, the database and workspace a command works on. Private
 * to src/cli/. */
#ifndef INFLUDASH_CLI_IMPL_H
#define INFLUDASH_CLI_IMPL_H

#include <stdint.h>

#include "cli_options.h"
#include "store.h"

/* The options every data command takes. */
#define CLI_DB(T, f)                                                                               \
    CLI_STRING(T, f, "--db", "URL",                                                                \
               "sqlite:PATH or postgresql://... (default\n"                                        \
               "$DATABASE_URL, else sqlite:infludash.db)")
#define CLI_WORKSPACE(T, f)                                                                        \
    CLI_STRING_A(T, f, "--workspace", "-w", "SLUG", "the workspace (default: default)")

/* --platforms LIST, the platforms a row may name (schema_config.platforms, a const char *
 * field); the option's data is the command's name, for the message. */
int cli_platforms_option(void *field, const struct cli_option *o, const char *value);
#define CLI_PLATFORMS_HELP                                                                         \
    "the platforms a row may name, comma-separated\n"                                              \
    "(default: " SCHEMA_PLATFORMS_DEFAULT ")"

/* --gst-state NN: a GST state code (payid_gst_state_name) into an int field; data: the
 * command's name. */
int cli_gst_state_option(void *field, const struct cli_option *o, const char *value);

/* $DATABASE_URL, else sqlite:infludash.db. */
const char *cli_default_db(void);
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

/* The account commands (cli_accounts.c), called by cli_main with their tables. */
extern const struct cli_command cli_user_command, cli_workspace_command, cli_audit_command;
int cli_cmd_user(int argc, char **argv);
int cli_cmd_workspace(int argc, char **argv);
int cli_cmd_audit(int argc, char **argv);
/* The commands of sources and schedules (cli_sources.c). */
extern const struct cli_command cli_source_command, cli_sync_command, cli_schedule_command,
    cli_report_command;
int cli_cmd_source(int argc, char **argv);
int cli_cmd_sync(int argc, char **argv);
int cli_cmd_schedule(int argc, char **argv);
int cli_cmd_report(int argc, char **argv);

#endif
