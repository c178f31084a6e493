/* main.c — the infludash binary: hands the command line to cli_main. */
#include <signal.h>

#include "cli.h"

#include "banned.h"

int main(int argc, char **argv)
{
    /* Past a file size limit (ulimit -f) a write must fail with EFBIG, which the store turns
     * into an error naming the database, instead of SIGXFSZ killing the process mid-import. */
    signal(SIGXFSZ, SIG_IGN);
    return cli_main(argc, argv);
}
