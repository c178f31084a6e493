/* cli.h — the command line (SPEC §5): serve, import, demo, export, status. The only place
 * that prints to the terminal and picks exit codes. */
#ifndef INFLUDASH_CLI_H
#define INFLUDASH_CLI_H

/* Exit codes: 0 everything done; 1 failed (nothing changed); 2 partly done (rows
 * skipped with --skip-invalid); 64 usage error. */
int cli_main(int argc, char **argv);

#endif
