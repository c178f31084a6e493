/* layer_check.c — the program each layer_check_<layer> links around the whole of its
 * layer (CMakeLists.txt): it runs nothing; its link is the check. */
#include "banned.h"

int main(void)
{
    return 0;
}
