/* embed_assets.c — build-time tool: turns the web assets into an assembler file that
 * .incbin's each file and its gzip copy, plus a C table {path, mime, data, gz, etag,
 * csp_script} that src/assets.c looks up (STACK.md "assets in the binary"). In HTML files,
 * references written as /assets/NAME to another embedded asset become /assets/NAME?v=ETAG, so
 * the pages can ask for them to be cached forever; and the comment "<!-- import map ... -->"
 * becomes an import map that sends every JavaScript asset's plain address to its versioned
 * one, so that ES modules importing each other by relative URL ("./state.js") get the
 * versioned, immutable copy too, while the module files stay byte for byte as written. The
 * map is an inline script: its CSP source ('sha256-...') goes into csp_script. Calls zlib,
 * libsodium (SHA-256) and libc only.
 *
 *     embed_assets OUTDIR NAME=FILE...
 *
 * writes OUTDIR/assets.S, OUTDIR/assets_table.c and OUTDIR/data/ (gzip copies and
 * rewritten HTML). NAME is the path under /assets/ ("main.js", "pages/dashboard.js"). */
#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <sodium.h>
#include <zlib.h>

#include "banned.h"

struct asset {
    const char *name;     /* under /assets/ */
    const char *src;      /* the file as given */
    const char *raw_path; /* what .incbin reads for the plain copy */
    unsigned char *data;
    size_t len;
    size_t gz_len; /* 0: no gzip copy (it would not be smaller) */
    char gz_path[4096];
    char rewritten_path[4096];
    char etag[24];
    const char *mime;
    char csp_script[64]; /* "'sha256-BASE64'" of the inline import map, or "" */
};

/* In HTML: the comment that the import map replaces ("<!-- import map" up to "-->"). */
#define IMPORT_MAP_MARK "<!-- import map"

static void die(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));
static void die(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fputs("embed_assets: ", stderr);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
    exit(1);
}

static void *xmalloc_or_die(size_t n)
{
    void *p = malloc(n ? n : 1);
    if (!p)
        die("out of memory");
    return p;
}

static unsigned char *read_file(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        die("%s: %s", path, strerror(errno));
    size_t cap = 1 << 16, n = 0;
    unsigned char *data = xmalloc_or_die(cap);
    for (;;) {
        if (n == cap) {
            cap *= 2;
            unsigned char *grown = realloc(data, cap);
            if (!grown)
                die("out of memory");
            data = grown;
        }
        size_t got = fread(data + n, 1, cap - n, f);
        n += got;
        if (got == 0)
            break;
    }
    if (ferror(f))
        die("%s: read error", path);
    fclose(f);
    *len = n;
    return data;
}

static void write_file(const char *path, const void *data, size_t len)
{
    FILE *f = fopen(path, "wb");
    if (!f)
        die("%s: %s", path, strerror(errno));
    if (fwrite(data, 1, len, f) != len || fclose(f) != 0)
        die("%s: write error", path);
}

static const char *mime_of(const char *name)
{
    static const struct {
        const char *ext, *mime;
    } types[] = {
        {".html", "text/html; charset=utf-8"},
        {".js", "text/javascript; charset=utf-8"},
        {".mjs", "text/javascript; charset=utf-8"},
        {".css", "text/css; charset=utf-8"},
        {".svg", "image/svg+xml"},
        {".png", "image/png"},
        {".jpg", "image/jpeg"},
        {".jpeg", "image/jpeg"},
        {".gif", "image/gif"},
        {".webp", "image/webp"},
        {".ico", "image/x-icon"},
        {".json", "application/json"},
        {".webmanifest", "application/manifest+json"},
        {".map", "application/json"},
        {".txt", "text/plain; charset=utf-8"},
        {".csv", "text/csv; charset=utf-8"},
        {".woff2", "font/woff2"},
        {".woff", "font/woff"},
        {".ttf", "font/ttf"},
    };
    const char *dot = strrchr(name, '.');
    if (dot) {
        for (size_t i = 0; i < sizeof types / sizeof types[0]; i++) {
            if (strcasecmp(dot, types[i].ext) == 0)
                return types[i].mime;
        }
    }
    return "application/octet-stream";
}

/* 64-bit FNV-1a of the bytes, as 16 hex digits. */
static void etag_of(const unsigned char *data, size_t len, char *out, size_t cap)
{
    uint64_t h = 1469598103934665603ULL;
    for (size_t i = 0; i < len; i++) {
        h ^= data[i];
        h *= 1099511628211ULL;
    }
    snprintf(out, cap, "%016llx", (unsigned long long)h);
}

/* gzip (deflate with the gzip wrapper, best compression) of data; *out_len 0 on failure. */
static unsigned char *gzip_of(const unsigned char *data, size_t len, size_t *out_len)
{
    z_stream z;
    memset(&z, 0, sizeof z);
    if (deflateInit2(&z, 9, Z_DEFLATED, 15 + 16, 9, Z_DEFAULT_STRATEGY) != Z_OK)
        die("deflateInit2 failed");
    size_t cap = deflateBound(&z, (uLong)len) + 64;
    unsigned char *out = xmalloc_or_die(cap);
    z.next_in = (unsigned char *)data;
    z.avail_in = (uInt)len;
    z.next_out = out;
    z.avail_out = (uInt)cap;
    if (deflate(&z, Z_FINISH) != Z_STREAM_END)
        die("deflate failed");
    *out_len = z.total_out;
    deflateEnd(&z);
    return out;
}

static int is_html(const struct asset *a)
{
    return strncmp(a->mime, "text/html", 9) == 0;
}

static const struct asset *find_asset(const struct asset *all, size_t n, const char *name,
                                      size_t name_len)
{
    for (size_t i = 0; i < n; i++) {
        if (strlen(all[i].name) == name_len && memcmp(all[i].name, name, name_len) == 0)
            return &all[i];
    }
    return NULL;
}

/* Appends "?v=ETAG" to every /assets/NAME in a's bytes that names an embedded, non-HTML
 * asset and has no query yet. */
static void rewrite_references(struct asset *a, const struct asset *all, size_t n)
{
    static const char prefix[] = "/assets/";
    const size_t plen = sizeof prefix - 1;
    size_t cap = a->len + 64, used = 0;
    unsigned char *out = xmalloc_or_die(cap);
    size_t i = 0;
    while (i < a->len) {
        size_t name_start = i + plen, name_end = name_start;
        const struct asset *ref = NULL;
        if (a->len - i >= plen && memcmp(a->data + i, prefix, plen) == 0) {
            while (name_end < a->len && !strchr("\"'` \t\r\n?#)<>", a->data[name_end]))
                name_end++;
            ref = find_asset(all, n, (const char *)a->data + name_start, name_end - name_start);
            if (ref && is_html(ref))
                ref = NULL;
        }
        size_t copy = ref ? name_end - i : 1;
        size_t need = used + copy + 3 + sizeof ref->etag;
        if (need > cap) {
            cap = need * 2;
            unsigned char *grown = realloc(out, cap);
            if (!grown)
                die("out of memory");
            out = grown;
        }
        memcpy(out + used, a->data + i, copy);
        used += copy;
        i += copy;
        if (ref && !(i < a->len && a->data[i] == '?')) {
            int w = snprintf((char *)out + used, cap - used, "?v=%s", ref->etag);
            used += (size_t)w;
        }
    }
    free(a->data);
    a->data = out;
    a->len = used;
}

static int is_script(const struct asset *a)
{
    return strncmp(a->mime, "text/javascript", 15) == 0;
}

/* A growable byte string for the import map. */
struct text {
    char *p;
    size_t len, cap;
};

static void text_add(struct text *t, const char *s, size_t n)
{
    if (t->len + n + 1 > t->cap) {
        t->cap = (t->len + n + 1) * 2;
        t->p = realloc(t->p, t->cap);
        if (!t->p)
            die("out of memory");
    }
    memcpy(t->p + t->len, s, n);
    t->len += n;
    t->p[t->len] = '\0';
}

static void text_puts(struct text *t, const char *s)
{
    text_add(t, s, strlen(s));
}

/* s as a JSON string, with "<" escaped so that no "</script" can end the element early. */
static void text_json_string(struct text *t, const char *s)
{
    text_puts(t, "\"");
    for (const unsigned char *c = (const unsigned char *)s; *c; c++) {
        char esc[8];
        if (*c == '"' || *c == '\\' || *c < 0x20 || *c == '<') {
            snprintf(esc, sizeof esc, "\\u%04x", *c);
            text_puts(t, esc);
        } else {
            text_add(t, (const char *)c, 1);
        }
    }
    text_puts(t, "\"");
}

/* Replaces the import-map comment in a (rewritten HTML) with
 * <script type="importmap">{"imports":{"/assets/NAME":"/assets/NAME?v=ETAG",...}}</script>
 * listing every JavaScript asset, and sets a->csp_script to the map's SHA-256 source. No
 * comment: nothing changes. */
static void insert_import_map(struct asset *a, const struct asset *all, size_t n)
{
    static const char mark[] = IMPORT_MAP_MARK, end_mark[] = "-->";
    const char *data = (const char *)a->data;
    const char *at = memmem(data, a->len, mark, sizeof mark - 1);
    if (!at)
        return;
    const char *end = memmem(at, a->len - (size_t)(at - data), end_mark, sizeof end_mark - 1);
    if (!end)
        die("%s: the import-map comment has no end (-->)", a->src);
    end += sizeof end_mark - 1;
    if (memmem(end, a->len - (size_t)(end - data), mark, sizeof mark - 1))
        die("%s: more than one import-map comment (a page has one import map)", a->src);

    struct text map = {0};
    text_puts(&map, "{\"imports\":{");
    int first = 1;
    for (size_t i = 0; i < n; i++) {
        if (!is_script(&all[i]))
            continue;
        char from[4200], to[4300];
        snprintf(from, sizeof from, "/assets/%s", all[i].name);
        snprintf(to, sizeof to, "/assets/%s?v=%s", all[i].name, all[i].etag);
        if (!first)
            text_puts(&map, ",");
        first = 0;
        text_puts(&map, "\n");
        text_json_string(&map, from);
        text_puts(&map, ":");
        text_json_string(&map, to);
    }
    text_puts(&map, "\n}}");

    unsigned char digest[crypto_hash_sha256_BYTES];
    crypto_hash_sha256(digest, (const unsigned char *)map.p, map.len);
    char b64[sodium_base64_ENCODED_LEN(crypto_hash_sha256_BYTES, sodium_base64_VARIANT_ORIGINAL)];
    sodium_bin2base64(b64, sizeof b64, digest, sizeof digest, sodium_base64_VARIANT_ORIGINAL);
    snprintf(a->csp_script, sizeof a->csp_script, "'sha256-%s'", b64);

    struct text out = {0};
    text_add(&out, data, (size_t)(at - data));
    text_puts(&out, "<script type=\"importmap\">");
    text_add(&out, map.p, map.len);
    text_puts(&out, "</script>");
    text_add(&out, end, a->len - (size_t)(end - data));
    free(map.p);
    free(a->data);
    a->data = (unsigned char *)out.p;
    a->len = out.len;
}

/* Writes s as an assembler string literal's contents. */
static void put_asm_string(FILE *f, const char *s)
{
    for (; *s; s++) {
        if (*s == '"' || *s == '\\')
            fputc('\\', f);
        fputc(*s, f);
    }
}

/* Writes s as a C string literal's contents. */
static void put_c_string(FILE *f, const char *s)
{
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        if (*p == '"' || *p == '\\')
            fprintf(f, "\\%c", *p);
        else if (*p < 0x20 || *p >= 0x7F)
            fprintf(f, "\\%03o", *p);
        else
            fputc(*p, f);
    }
}

static int by_name(const void *x, const void *y)
{
    return strcmp(((const struct asset *)x)->name, ((const struct asset *)y)->name);
}

static void prepare(struct asset *a, const char *outdir, size_t index)
{
    a->raw_path = a->src;
    if (a->rewritten_path[0]) {
        write_file(a->rewritten_path, a->data, a->len);
        a->raw_path = a->rewritten_path;
    }
    size_t gz_len = 0;
    unsigned char *gz = gzip_of(a->data, a->len, &gz_len);
    snprintf(a->gz_path, sizeof a->gz_path, "%s/data/%zu.gz", outdir, index);
    if (gz_len < a->len) {
        write_file(a->gz_path, gz, gz_len);
        a->gz_len = gz_len;
    }
    free(gz);
}

static void write_asm(const char *path, const struct asset *all, size_t n)
{
    FILE *f = fopen(path, "w");
    if (!f)
        die("%s: %s", path, strerror(errno));
    fputs("/* Generated by tools/embed_assets.c: do not edit. */\n"
          "\t.section .rodata\n",
          f);
    for (size_t i = 0; i < n; i++) {
        fprintf(f,
                "\t.balign 16\n\t.global assets_raw_%zu\n\t.type assets_raw_%zu, @object\n"
                "assets_raw_%zu:\n\t.incbin \"",
                i, i, i);
        put_asm_string(f, all[i].raw_path);
        fprintf(f, "\"\n\t.byte 0\n\t.size assets_raw_%zu, . - assets_raw_%zu\n", i, i);
        if (all[i].gz_len) {
            fprintf(f,
                    "\t.balign 16\n\t.global assets_gz_%zu\n\t.type assets_gz_%zu, @object\n"
                    "assets_gz_%zu:\n\t.incbin \"",
                    i, i, i);
            put_asm_string(f, all[i].gz_path);
            fprintf(f, "\"\n\t.size assets_gz_%zu, . - assets_gz_%zu\n", i, i);
        }
    }
    fputs("\t.section .note.GNU-stack,\"\",@progbits\n", f);
    if (fclose(f) != 0)
        die("%s: write error", path);
}

static void write_table(const char *path, const struct asset *all, size_t n)
{
    FILE *f = fopen(path, "w");
    if (!f)
        die("%s: %s", path, strerror(errno));
    fputs("/* Generated by tools/embed_assets.c: do not edit. */\n#include \"assets.h\"\n\n", f);
    for (size_t i = 0; i < n; i++) {
        fprintf(f, "extern const unsigned char assets_raw_%zu[];\n", i);
        if (all[i].gz_len)
            fprintf(f, "extern const unsigned char assets_gz_%zu[];\n", i);
    }
    fputs("\nconst struct assets_file assets_files[] = {\n", f);
    for (size_t i = 0; i < n; i++) {
        fputs("    {\"", f);
        put_c_string(f, all[i].name);
        fprintf(f, "\", \"%s\", assets_raw_%zu, %zuu, ", all[i].mime, i, all[i].len);
        if (all[i].gz_len)
            fprintf(f, "assets_gz_%zu, %zuu, ", i, all[i].gz_len);
        else
            fputs("0, 0u, ", f);
        fprintf(f, "\"%s\", \"%s\"},\n", all[i].etag, all[i].csp_script);
    }
    if (n == 0)
        fputs("    {0, 0, 0, 0u, 0, 0u, 0, 0},\n", f);
    fprintf(f, "};\nconst size_t assets_nfiles = %zu;\n", n);
    if (fclose(f) != 0)
        die("%s: write error", path);
}

int main(int argc, char **argv)
{
    if (argc < 2)
        die("usage: embed_assets OUTDIR NAME=FILE...");
    const char *outdir = argv[1];
    if (sodium_init() < 0)
        die("cannot initialise libsodium");
    char path[4096];
    snprintf(path, sizeof path, "%s/data", outdir);
    if (mkdir(outdir, 0777) < 0 && errno != EEXIST)
        die("%s: %s", outdir, strerror(errno));
    if (mkdir(path, 0777) < 0 && errno != EEXIST)
        die("%s: %s", path, strerror(errno));

    size_t n = (size_t)argc - 2;
    struct asset *all = calloc(n ? n : 1, sizeof *all);
    if (!all)
        die("out of memory");
    for (size_t i = 0; i < n; i++) {
        char *arg = argv[i + 2];
        char *eq = strchr(arg, '=');
        if (!eq || eq == arg || !eq[1])
            die("%s: expected NAME=FILE", arg);
        *eq = '\0';
        all[i].name = arg;
        all[i].src = eq + 1;
        if (strstr(arg, "..") || arg[0] == '/')
            die("%s: asset names are relative paths without \"..\"", arg);
        all[i].mime = mime_of(arg);
        all[i].data = read_file(all[i].src, &all[i].len);
    }
    qsort(all, n, sizeof *all, by_name);
    for (size_t i = 1; i < n; i++) {
        if (strcmp(all[i - 1].name, all[i].name) == 0)
            die("%s: given twice", all[i].name);
    }
    /* The etags of what HTML refers to first, then the rewritten HTML's own (with its import
     * map, made of those etags). */
    for (size_t i = 0; i < n; i++) {
        if (!is_html(&all[i]))
            etag_of(all[i].data, all[i].len, all[i].etag, sizeof all[i].etag);
    }
    for (size_t i = 0; i < n; i++) {
        if (!is_html(&all[i]))
            continue;
        rewrite_references(&all[i], all, n);
        insert_import_map(&all[i], all, n);
        etag_of(all[i].data, all[i].len, all[i].etag, sizeof all[i].etag);
        snprintf(all[i].rewritten_path, sizeof all[i].rewritten_path, "%s/data/%zu.html", outdir,
                 i);
    }
    for (size_t i = 0; i < n; i++)
        prepare(&all[i], outdir, i);

    snprintf(path, sizeof path, "%s/assets.S", outdir);
    write_asm(path, all, n);
    snprintf(path, sizeof path, "%s/assets_table.c", outdir);
    write_table(path, all, n);
    for (size_t i = 0; i < n; i++)
        free(all[i].data);
    free(all);
    return 0;
}
