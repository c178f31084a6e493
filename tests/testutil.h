/* testutil.h — helpers shared by the unit tests (header-only: each test is one binary). */
#ifndef INFLUDASH_TESTUTIL_H
#define INFLUDASH_TESTUTIL_H

#include <dirent.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Creates a fresh directory under $TMPDIR (or /tmp) named infludash-TAG-XXXXXX into out;
 * NULL when it cannot. */
static inline char *testutil_make_dir(char *out, size_t cap, const char *tag)
{
    const char *tmp = getenv("TMPDIR");
    snprintf(out, cap, "%s/infludash-%s-XXXXXX", tmp && *tmp ? tmp : "/tmp", tag);
    return mkdtemp(out);
}

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
