/* test_secret.c — unit tests for tokens sealed at rest (src/secret.c): round trips, a
 * wrong or altered key refused without a plaintext in the message, keys from the
 * environment or from a key file created 0600 on first use (and refused when others may
 * read it), the key file's place beside the database, and token files. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "buf.h"
#include "err.h"
#include "secret.h"
#include "testutil.h"
#include "banned.h"

static const char *const TOKEN = "EAAB-this-is-a-long-lived-token-0123456789";

static void key_from(const char *text, struct secret_key *k)
{
    struct err e;
    err_clear(&e);
    if (secret_key_parse(text, k, &e) != 0)
        fail_msg("secret_key_parse: %s", e.msg);
    snprintf(k->source, sizeof k->source, "test key");
}

static void test_secret_round_trip(void **state)
{
    (void)state;
    struct secret_key k;
    key_from("000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f", &k);
    struct buf a = BUF_INIT, b = BUF_INIT, plain = BUF_INIT;
    struct err e;
    err_clear(&e);
    assert_int_equal(secret_seal(&k, TOKEN, strlen(TOKEN), &a, &e), 0);
    assert_int_equal(secret_seal(&k, TOKEN, strlen(TOKEN), &b, &e), 0);
    assert_true(strncmp(buf_cstr(&a), SECRET_PREFIX, strlen(SECRET_PREFIX)) == 0);
    assert_null(strstr(buf_cstr(&a), "EAAB"));
    assert_string_not_equal(buf_cstr(&a), buf_cstr(&b)); /* a fresh nonce each time */
    assert_int_equal(secret_open(&k, buf_cstr(&a), &plain, &e), 0);
    assert_string_equal(buf_cstr(&plain), TOKEN);
    assert_int_equal(secret_open(&k, buf_cstr(&b), &plain, &e), 0);
    assert_string_equal(buf_cstr(&plain), TOKEN);
    /* An empty secret seals and opens too. */
    buf_reset(&a);
    assert_int_equal(secret_seal(&k, "", 0, &a, &e), 0);
    assert_int_equal(secret_open(&k, buf_cstr(&a), &plain, &e), 0);
    assert_int_equal(plain.len, 0);
    secret_wipe(&plain);
    buf_release(&a);
    buf_release(&b);
}

static void test_secret_wrong_or_altered_key_fails_without_the_plaintext(void **state)
{
    (void)state;
    struct secret_key k1, k2;
    key_from("000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f", &k1);
    key_from("ff0102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f", &k2);
    snprintf(k2.source, sizeof k2.source, "/srv/infludash/data.db.key");
    struct buf sealed = BUF_INIT, plain = BUF_INIT;
    struct err e;
    err_clear(&e);
    assert_int_equal(secret_seal(&k1, TOKEN, strlen(TOKEN), &sealed, &e), 0);
    assert_int_equal(secret_open(&k2, buf_cstr(&sealed), &plain, &e), ERR_INPUT);
    assert_non_null(strstr(e.msg, "cannot decrypt the stored secret with the key from "
                                  "/srv/infludash/data.db.key"));
    assert_null(strstr(e.msg, "EAAB"));
    assert_int_equal(plain.len, 0);
    /* One flipped character of the sealed text: refused by the authenticator. */
    char *text = buf_detach(&sealed);
    size_t mid = strlen(SECRET_PREFIX) + 30;
    text[mid] = text[mid] == 'A' ? 'B' : 'A';
    assert_int_equal(secret_open(&k1, text, &plain, &e), ERR_INPUT);
    assert_int_equal(secret_open(&k1, "sb1:not base64!", &plain, &e), ERR_INPUT);
    assert_non_null(strstr(e.msg, "damaged"));
    assert_int_equal(secret_open(&k1, "plaintext-token", &plain, &e), ERR_INPUT);
    assert_non_null(strstr(e.msg, "not in a form this version reads"));
    free(text);
    secret_wipe(&plain);
}

static void test_secret_key_text_forms(void **state)
{
    (void)state;
    struct secret_key hex, b64, url;
    key_from("000102030405060708090A0B0C0D0E0F101112131415161718191A1B1C1D1E1F\n", &hex);
    key_from("AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=", &b64);
    key_from("AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8", &url);
    assert_memory_equal(hex.bytes, b64.bytes, SECRET_KEY_BYTES);
    assert_memory_equal(hex.bytes, url.bytes, SECRET_KEY_BYTES);
    assert_int_equal(hex.bytes[31], 0x1f);
    struct secret_key k;
    struct err e;
    assert_int_equal(secret_key_parse("0011", &k, &e), ERR_INPUT);
    assert_non_null(strstr(e.msg, "32 bytes written as 64 hex digits or in base64"));
    assert_int_equal(
        secret_key_parse("zz0102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f", &k,
                         &e),
        ERR_INPUT);
    assert_int_equal(secret_key_parse("AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHg==", &k, &e),
                     ERR_INPUT); /* 31 bytes */
}

static void test_secret_key_file_is_created_private_and_reused(void **state)
{
    (void)state;
    unsetenv(SECRET_ENV);
    char dir[PATH_MAX];
    assert_non_null(testutil_make_dir(dir, sizeof dir, "secret"));
    char path[PATH_MAX + 32];
    snprintf(path, sizeof path, "%s/data.db.key", dir);
    struct secret_key k1, k2;
    struct err e;
    err_clear(&e);
    assert_int_equal(secret_key_load(path, 0, &k1, &e), ERR_NOTFOUND);
    assert_non_null(strstr(e.msg, "does not exist and INFLUDASH_SECRET_KEY is not set"));
    assert_int_equal(secret_key_load(path, 1, &k1, &e), 0);
    struct stat st;
    assert_int_equal(stat(path, &st), 0);
    assert_int_equal(st.st_mode & 0777, 0600);
    assert_string_equal(k1.source, path);
    assert_int_equal(secret_key_load(path, 1, &k2, &e), 0);
    assert_memory_equal(k1.bytes, k2.bytes, SECRET_KEY_BYTES);
    /* A token sealed with the file's key opens with it after a reload. */
    struct buf sealed = BUF_INIT, plain = BUF_INIT;
    assert_int_equal(secret_seal(&k1, TOKEN, strlen(TOKEN), &sealed, &e), 0);
    assert_int_equal(secret_open(&k2, buf_cstr(&sealed), &plain, &e), 0);
    assert_string_equal(buf_cstr(&plain), TOKEN);
    /* Readable by the group: refused, with what to do. */
    assert_int_equal(chmod(path, 0640), 0);
    assert_int_equal(secret_key_load(path, 1, &k2, &e), ERR_INPUT);
    assert_non_null(strstr(e.msg, "may be read by other users (mode 640): chmod 600"));
    assert_int_equal(chmod(path, 0600), 0);
    /* The environment wins over the file. */
    setenv(SECRET_ENV, "ff0102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f", 1);
    assert_int_equal(secret_key_load(path, 1, &k2, &e), 0);
    assert_string_equal(k2.source, SECRET_ENV);
    assert_int_equal(k2.bytes[0], 0xff);
    assert_int_equal(secret_open(&k2, buf_cstr(&sealed), &plain, &e), ERR_INPUT);
    assert_non_null(strstr(e.msg, "with the key from INFLUDASH_SECRET_KEY"));
    setenv(SECRET_ENV, "short", 1);
    assert_int_equal(secret_key_load(path, 1, &k2, &e), ERR_INPUT);
    assert_non_null(strstr(e.msg, "INFLUDASH_SECRET_KEY: the secret key must be 32 bytes"));
    unsetenv(SECRET_ENV);
    secret_wipe(&plain);
    buf_release(&sealed);
    testutil_remove_dir(dir);
}

static void test_secret_key_file_created_by_racing_processes_is_one_key(void **state)
{
    (void)state;
    unsetenv(SECRET_ENV);
    char dir[PATH_MAX];
    assert_non_null(testutil_make_dir(dir, sizeof dir, "secret-race"));
    char path[PATH_MAX + 32];
    snprintf(path, sizeof path, "%s/data.db.key", dir);
    int fds[4][2];
    pid_t pids[4];
    for (int i = 0; i < 4; i++) {
        assert_int_equal(pipe(fds[i]), 0);
        pids[i] = fork();
        assert_true(pids[i] >= 0);
        if (pids[i] == 0) {
            struct secret_key k;
            struct err e;
            int rc = secret_key_load(path, 1, &k, &e);
            if (rc == 0 && write(fds[i][1], k.bytes, SECRET_KEY_BYTES) != SECRET_KEY_BYTES)
                rc = -1;
            _exit(rc == 0 ? 0 : 1);
        }
        close(fds[i][1]);
    }
    unsigned char keys[4][SECRET_KEY_BYTES];
    for (int i = 0; i < 4; i++) {
        int status;
        assert_int_equal(waitpid(pids[i], &status, 0), pids[i]);
        assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
        assert_int_equal(read(fds[i][0], keys[i], SECRET_KEY_BYTES), SECRET_KEY_BYTES);
        close(fds[i][0]);
    }
    for (int i = 1; i < 4; i++)
        assert_memory_equal(keys[0], keys[i], SECRET_KEY_BYTES);
    testutil_remove_dir(dir);
}

static void test_secret_key_path_beside_the_database(void **state)
{
    (void)state;
    struct buf b = BUF_INIT;
    struct err e;
    assert_int_equal(secret_key_path("sqlite:/srv/x/data.db", &b, &e), 0);
    assert_string_equal(buf_cstr(&b), "/srv/x/data.db.key");
    buf_reset(&b);
    assert_int_equal(secret_key_path("sqlite://rel/infludash.db", &b, &e), 0);
    assert_string_equal(buf_cstr(&b), "rel/infludash.db.key");
    buf_reset(&b);
    assert_int_equal(secret_key_path("infludash.db", &b, &e), 0);
    assert_string_equal(buf_cstr(&b), "infludash.db.key");
    assert_int_equal(secret_key_path("postgresql://db/infludash", &b, &e), ERR_USAGE);
    assert_non_null(strstr(e.msg, "set INFLUDASH_SECRET_KEY"));
    buf_release(&b);
}

static void test_secret_token_files_are_trimmed(void **state)
{
    (void)state;
    char dir[PATH_MAX];
    assert_non_null(testutil_make_dir(dir, sizeof dir, "secret-file"));
    char path[PATH_MAX + 32];
    snprintf(path, sizeof path, "%s/token", dir);
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fprintf(f, "%s \r\n\n", TOKEN);
    fclose(f);
    struct buf plain = BUF_INIT;
    struct err e;
    assert_int_equal(secret_read_file(path, &plain, &e), 0);
    assert_string_equal(buf_cstr(&plain), TOKEN);
    f = fopen(path, "w");
    fputs(" \n", f);
    fclose(f);
    assert_int_equal(secret_read_file(path, &plain, &e), ERR_INPUT);
    assert_non_null(strstr(e.msg, "is empty: it should hold the token"));
    assert_int_equal(secret_read_file("/nonexistent/token", &plain, &e), ERR_IO);
    secret_wipe(&plain);
    testutil_remove_dir(dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_secret_round_trip),
        cmocka_unit_test(test_secret_wrong_or_altered_key_fails_without_the_plaintext),
        cmocka_unit_test(test_secret_key_text_forms),
        cmocka_unit_test(test_secret_key_file_is_created_private_and_reused),
        cmocka_unit_test(test_secret_key_file_created_by_racing_processes_is_one_key),
        cmocka_unit_test(test_secret_key_path_beside_the_database),
        cmocka_unit_test(test_secret_token_files_are_trimmed),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
