/* secret.c — sealing and opening stored tokens with crypto_secretbox, and finding the key
 * (see secret.h). Calls buf and err, and libsodium. */
#include "secret.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sodium.h>

#include "banned.h"

#define SECRET_MAX_FILE (16 * 1024)

static int sodium_ready(struct err *e)
{
    if (sodium_init() < 0)
        return err_set(e, ERR_IO, "libsodium could not start");
    return 0;
}

void secret_wipe(struct buf *b)
{
    if (b->data)
        sodium_memzero(b->data, b->cap);
    buf_release(b);
}

void secret_key_wipe(struct secret_key *key)
{
    sodium_memzero(key->bytes, sizeof key->bytes);
}

int secret_key_path(const char *db_url, struct buf *out, struct err *e)
{
    if (strncmp(db_url, "postgresql://", 13) == 0 || strncmp(db_url, "postgres://", 11) == 0)
        return err_set(e, ERR_USAGE,
                       "a PostgreSQL database has no key file beside it: set %s to the same "
                       "32-byte key (64 hex digits) on every infludash server of this "
                       "installation",
                       SECRET_ENV);
    const char *p = db_url;
    if (strncmp(p, "sqlite://", 9) == 0)
        p += 9;
    else if (strncmp(p, "sqlite:", 7) == 0)
        p += 7;
    if (!*p)
        return err_set(e, ERR_USAGE, "no database file named in \"%s\"", db_url);
    buf_printf(out, "%s.key", p);
    return 0;
}

int secret_key_parse(const char *text, struct secret_key *key, struct err *e)
{
    if (sodium_ready(e) < 0)
        return ERR_IO;
    size_t n = strlen(text);
    while (n && isspace((unsigned char)text[n - 1]))
        n--;
    while (n && isspace((unsigned char)*text)) {
        text++;
        n--;
    }
    size_t got = 0;
    const char *end = NULL;
    if (n == 2 * SECRET_KEY_BYTES &&
        sodium_hex2bin(key->bytes, sizeof key->bytes, text, n, NULL, &got, &end) == 0 &&
        got == SECRET_KEY_BYTES && end == text + n)
        return 0;
    static const int variants[] = {
        sodium_base64_VARIANT_ORIGINAL, sodium_base64_VARIANT_ORIGINAL_NO_PADDING,
        sodium_base64_VARIANT_URLSAFE, sodium_base64_VARIANT_URLSAFE_NO_PADDING};
    for (size_t i = 0; i < sizeof variants / sizeof variants[0]; i++) {
        unsigned char tmp[SECRET_KEY_BYTES + 8];
        if (sodium_base642bin(tmp, sizeof tmp, text, n, NULL, &got, &end, variants[i]) == 0 &&
            got == SECRET_KEY_BYTES && end == text + n) {
            memcpy(key->bytes, tmp, SECRET_KEY_BYTES);
            sodium_memzero(tmp, sizeof tmp);
            return 0;
        }
        sodium_memzero(tmp, sizeof tmp);
    }
    return err_set(e, ERR_INPUT,
                   "the secret key must be 32 bytes written as 64 hex digits or in base64 (make "
                   "one with: head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \\n')");
}

static int read_small_file(int fd, const char *path, struct buf *out, struct err *e)
{
    char chunk[4096];
    for (;;) {
        ssize_t r = read(fd, chunk, sizeof chunk);
        if (r < 0 && errno == EINTR)
            continue;
        if (r < 0) {
            sodium_memzero(chunk, sizeof chunk);
            return err_set(e, ERR_IO, "cannot read %s: %s", path, strerror(errno));
        }
        if (r == 0)
            break;
        if (out->len + (size_t)r > SECRET_MAX_FILE) {
            sodium_memzero(chunk, sizeof chunk);
            return err_set(e, ERR_INPUT, "%s is larger than 16 KiB: not a token or key file", path);
        }
        buf_append(out, chunk, (size_t)r);
    }
    sodium_memzero(chunk, sizeof chunk);
    return 0;
}

static int load_key_file(const char *path, struct secret_key *key, struct err *e)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
    if (fd < 0)
        return err_set(e, errno == ENOENT ? ERR_NOTFOUND : ERR_IO,
                       "cannot open the key file %s: %s", path, strerror(errno));
    struct stat st;
    if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
        close(fd);
        return err_set(e, ERR_INPUT, "the key file %s is not a regular file", path);
    }
    if (st.st_mode & (S_IRWXG | S_IRWXO)) {
        close(fd);
        return err_set(e, ERR_INPUT,
                       "the key file %s may be read by other users (mode %03o): chmod 600 %s", path,
                       (unsigned)(st.st_mode & 0777), path);
    }
    struct buf text = BUF_INIT;
    int rc = read_small_file(fd, path, &text, e);
    close(fd);
    if (rc == 0 && secret_key_parse(buf_cstr(&text), key, e) < 0) {
        err_prefix(e, "the key file %s", path);
        rc = ERR_INPUT;
    }
    secret_wipe(&text);
    return rc;
}

/* Writes a new random key to path atomically: a private temporary file linked into place,
 * so a concurrent creator either wins or reads the complete key of the winner. */
static int create_key_file(const char *path, struct err *e)
{
    struct buf tmp = BUF_INIT;
    buf_printf(&tmp, "%s.tmp-%ld", path, (long)getpid());
    int fd = open(buf_cstr(&tmp), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600);
    if (fd < 0) {
        int rc = err_set(e, ERR_IO, "cannot create the key file %s: %s", path, strerror(errno));
        buf_release(&tmp);
        return rc;
    }
    unsigned char raw[SECRET_KEY_BYTES];
    char hex[2 * SECRET_KEY_BYTES + 2];
    randombytes_buf(raw, sizeof raw);
    sodium_bin2hex(hex, sizeof hex, raw, sizeof raw);
    sodium_memzero(raw, sizeof raw);
    size_t n = strlen(hex);
    hex[n++] = '\n';
    int rc = 0;
    if (write(fd, hex, n) != (ssize_t)n || fsync(fd) != 0)
        rc = err_set(e, ERR_IO, "cannot write the key file %s: %s", path, strerror(errno));
    sodium_memzero(hex, sizeof hex);
    close(fd);
    if (rc == 0 && link(buf_cstr(&tmp), path) != 0 && errno != EEXIST)
        rc = err_set(e, ERR_IO, "cannot create the key file %s: %s", path, strerror(errno));
    unlink(buf_cstr(&tmp));
    buf_release(&tmp);
    return rc;
}

int secret_key_load(const char *key_path, int create, struct secret_key *key, struct err *e)
{
    memset(key, 0, sizeof *key);
    if (sodium_ready(e) < 0)
        return ERR_IO;
    const char *env = getenv(SECRET_ENV);
    if (env && *env) {
        snprintf(key->source, sizeof key->source, "%s", SECRET_ENV);
        if (secret_key_parse(env, key, e) < 0) {
            err_prefix(e, "%s", SECRET_ENV);
            return ERR_INPUT;
        }
        return 0;
    }
    if (!key_path)
        return err_set(e, ERR_USAGE, "no secret key: set %s", SECRET_ENV);
    snprintf(key->source, sizeof key->source, "%s", key_path);
    int rc = load_key_file(key_path, key, e);
    if (rc == ERR_NOTFOUND && create) {
        rc = create_key_file(key_path, e);
        if (rc == 0)
            rc = load_key_file(key_path, key, e);
    } else if (rc == ERR_NOTFOUND) {
        err_set(e, ERR_NOTFOUND,
                "no secret key: the key file %s does not exist and %s is not set (the key "
                "that sealed the stored tokens is needed to read them)",
                key_path, SECRET_ENV);
    }
    return rc;
}

int secret_seal(const struct secret_key *key, const char *plain, size_t len, struct buf *out,
                struct err *e)
{
    if (sodium_ready(e) < 0)
        return ERR_IO;
    size_t boxed = crypto_secretbox_NONCEBYTES + crypto_secretbox_MACBYTES + len;
    unsigned char *raw = xmalloc(boxed);
    randombytes_buf(raw, crypto_secretbox_NONCEBYTES);
    crypto_secretbox_easy(raw + crypto_secretbox_NONCEBYTES, (const unsigned char *)plain, len, raw,
                          key->bytes);
    size_t b64len = sodium_base64_ENCODED_LEN(boxed, sodium_base64_VARIANT_ORIGINAL);
    char *b64 = xmalloc(b64len);
    sodium_bin2base64(b64, b64len, raw, boxed, sodium_base64_VARIANT_ORIGINAL);
    buf_puts(out, SECRET_PREFIX);
    buf_puts(out, b64);
    free(b64);
    free(raw);
    return 0;
}

int secret_open(const struct secret_key *key, const char *sealed, struct buf *plain, struct err *e)
{
    if (sodium_ready(e) < 0)
        return ERR_IO;
    secret_wipe(plain);
    size_t plen = strlen(SECRET_PREFIX);
    if (strncmp(sealed, SECRET_PREFIX, plen) != 0)
        return err_set(e, ERR_INPUT, "the stored secret is not in a form this version reads");
    const char *b64 = sealed + plen;
    size_t n = strlen(b64);
    unsigned char *raw = xmalloc(n + 1);
    size_t got = 0;
    const char *end = NULL;
    int rc = 0;
    if (sodium_base642bin(raw, n + 1, b64, n, NULL, &got, &end, sodium_base64_VARIANT_ORIGINAL) !=
            0 ||
        end != b64 + n || got < crypto_secretbox_NONCEBYTES + crypto_secretbox_MACBYTES) {
        rc = err_set(e, ERR_INPUT, "the stored secret is damaged (not valid sealed text)");
        goto out;
    }
    size_t clen = got - crypto_secretbox_NONCEBYTES;
    size_t mlen = clen - crypto_secretbox_MACBYTES;
    unsigned char *msg = sodium_malloc(mlen + 1);
    if (!msg) {
        rc = err_set(e, ERR_IO, "out of memory");
        goto out;
    }
    if (crypto_secretbox_open_easy(msg, raw + crypto_secretbox_NONCEBYTES, clen, raw, key->bytes) !=
        0) {
        sodium_free(msg);
        rc = err_set(e, ERR_INPUT,
                     "cannot decrypt the stored secret with the key from %s: it was sealed with "
                     "another key (or altered); restore that key, or add the token again",
                     key->source[0] ? key->source : "the key given");
        goto out;
    }
    buf_append(plain, msg, mlen);
    sodium_memzero(msg, mlen);
    sodium_free(msg);
out:
    free(raw);
    return rc;
}

int secret_read_file(const char *path, struct buf *plain, struct err *e)
{
    secret_wipe(plain);
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return err_set(e, ERR_IO, "cannot open %s: %s", path, strerror(errno));
    int rc = read_small_file(fd, path, plain, e);
    close(fd);
    if (rc < 0) {
        secret_wipe(plain);
        return rc;
    }
    while (plain->len && isspace((unsigned char)plain->data[plain->len - 1]))
        plain->data[--plain->len] = '\0';
    if (plain->len == 0) {
        secret_wipe(plain);
        return err_set(e, ERR_INPUT, "%s is empty: it should hold the token", path);
    }
    return 0;
}
