/* assets.h — the web pages' files built into the binary: a table generated at build time by
 * tools/embed_assets.c from web/src/ and the charting library (STACK.md "assets in the
 * binary"). Each file has a plain and (when smaller) a gzip copy and an ETag; HTML files
 * refer to the others as /assets/NAME?v=ETAG, and an HTML file may carry an import map that
 * sends the JavaScript modules' plain addresses to their versioned ones. Nothing here touches
 * the filesystem. Calls libc only. */
#ifndef INFLUDASH_ASSETS_H
#define INFLUDASH_ASSETS_H

#include <stddef.h>

struct assets_file {
    const char *name; /* the path under /assets/, e.g. "main.js", "pages/dashboard.js" */
    const char *mime; /* the Content-Type */
    const unsigned char *data;
    size_t len;
    const unsigned char *gz; /* NULL: no gzip copy (it would not be smaller) */
    size_t gz_len;
    const char *etag; /* hex digest of data, without quotes */
    /* The Content-Security-Policy script-src source of the page's inline import map (an HTML
     * file with one: "'sha256-...'"), else "". */
    const char *csp_script;
};

/* The generated table, sorted by name (static storage, lives forever). */
extern const struct assets_file assets_files[];
extern const size_t assets_nfiles;

/* The file named name (as under /assets/), or NULL. */
const struct assets_file *assets_find(const char *name);

#endif
