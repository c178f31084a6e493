/* assets.c — lookup in the generated table of built-in web files (assets.h).
 * Calls only libc. */
#include "assets.h"

#include <string.h>

#include "banned.h"

const struct assets_file *assets_find(const char *name)
{
    size_t lo = 0, hi = assets_nfiles;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int c = strcmp(name, assets_files[mid].name);
        if (c == 0)
            return &assets_files[mid];
        if (c < 0)
            hi = mid;
        else
            lo = mid + 1;
    }
    return NULL;
}
