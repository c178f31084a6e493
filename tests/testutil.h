/* testutil.h — helpers shared by the unit tests (header-only: each test is one binary). */
#ifndef INFLUDASH_TESTUTIL_H
#define INFLUDASH_TESTUTIL_H

#include <dirent.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

/* Removes a temporary directory and the files directly in it. */
static inline void testutil_remove_dir(const char *dir)
{
    DIR *d = opendir(dir);
    if (d) {
        for (;;) {
            struct dirent *ent = readdir(d);
            if (!ent)
                break;
            if (strcmp(ent->d_name, ".") == 0 || strcmp(ent->d_name, "..") == 0)
                continue;
            char path[PATH_MAX * 2];
            snprintf(path, sizeof path, "%s/%s", dir, ent->d_name);
            unlink(path);
        }
        closedir(d);
    }
    rmdir(dir);
}

#endif
