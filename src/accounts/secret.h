/* secret.h — tokens encrypted at rest (SPEC §9): platform access tokens, API keys and SMTP
 * passwords are sealed with libsodium's crypto_secretbox (XSalsa20-Poly1305, a fresh random
 * nonce each time) before they are stored, and opened only in memory when a sync needs
 * them. The key is 32 bytes from INFLUDASH_SECRET_KEY (64 hex digits or base64) or from a
 * key file beside the database, created with mode 0600 on first use. Nothing here prints
 * or logs a plaintext or a key; buffers that held one are wiped (sodium_memzero).
 * Calls libsodium, buf and err. */
#ifndef INFLUDASH_SECRET_H
#define INFLUDASH_SECRET_H

#include <stddef.h>

#include "buf.h"
#include "err.h"

#define SECRET_KEY_BYTES 32
#define SECRET_ENV "INFLUDASH_SECRET_KEY"
/* Sealed text starts with this tag, so a future format can be told apart. */
#define SECRET_PREFIX "sb1:"

struct secret_key {
    unsigned char bytes[SECRET_KEY_BYTES];
    char source[300]; /* where it came from, for messages: "INFLUDASH_SECRET_KEY" or a path */
};

/* The key file that belongs to a database URL: "sqlite:DIR/data.db" → "DIR/data.db.key"
 * (appended to out). A PostgreSQL database has no place beside it: ERR_USAGE telling to
 * set INFLUDASH_SECRET_KEY (the same on every server of the installation). */
int secret_key_path(const char *db_url, struct buf *out, struct err *e);

/* Loads the key: INFLUDASH_SECRET_KEY when set (and then key_path is not used), else the
 * file at key_path, created with a new random key (mode 0600, atomically, so two processes
 * starting at once agree) when create is set and it does not exist. A key file that others
 * may read (group or world bits) is refused. */
int secret_key_load(const char *key_path, int create, struct secret_key *key, struct err *e);
/* Reads a key given as 64 hex digits or as base64 (standard or URL-safe, padding
 * optional) of 32 bytes. */
int secret_key_parse(const char *text, struct secret_key *key, struct err *e);
/* Wipes the key from memory. */
void secret_key_wipe(struct secret_key *key);

/* Appends SECRET_PREFIX and base64(nonce || secretbox(plain)) to out. */
int secret_seal(const struct secret_key *key, const char *plain, size_t len, struct buf *out,
                struct err *e);
/* Opens sealed text into plain (replaced; NUL-terminated). ERR_INPUT when the text was
 * sealed with another key or altered: the message names the key's source, never a
 * plaintext. Release plain with secret_wipe. */
int secret_open(const struct secret_key *key, const char *sealed, struct buf *plain, struct err *e);
/* Zeroes a buffer's bytes, then releases it. */
void secret_wipe(struct buf *b);

/* Reads a token file (--token-file, --smtp-password-file) into plain: the whole file with
 * trailing spaces and line breaks removed; ERR_INPUT when it is empty or over 16 KiB. */
int secret_read_file(const char *path, struct buf *plain, struct err *e);

#endif
