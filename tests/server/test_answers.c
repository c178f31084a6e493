/* test_answers.c — the answers kept over one engine (answers.c): an answer comes back byte
 * for byte under its key and no other (keys that differ in one byte, or are a prefix of each
 * other), a second put replaces the first, the least recently asked go first when the room
 * is full, an answer over an eighth of the room is not kept, none is kept with no room, and
 * many threads asking and putting at once leave every answer whole. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include "answers.h"
#include "buf.h"

#include "banned.h"

/* Whether the answer under key is want (NULL: none kept). */
static void expect(struct answers *a, const char *key, const char *want)
{
    struct buf out = BUF_INIT;
    int found = answers_get(a, key, strlen(key), &out);
    if (!want) {
        if (found)
            fail_msg("%s: kept \"%s\", expected none", key, buf_cstr(&out));
    } else {
        if (!found)
            fail_msg("%s: none kept, expected \"%s\"", key, want);
        assert_int_equal(out.len, strlen(want));
        assert_memory_equal(out.data, want, out.len);
    }
    buf_release(&out);
}

static void put(struct answers *a, const char *key, const char *body)
{
    answers_put(a, key, strlen(key), body, strlen(body));
}

static void test_an_answer_under_its_key_only(void **state)
{
    (void)state;
    struct answers *a = answers_new(1 << 20);
    expect(a, "/api/dashboard", NULL);
    put(a, "/api/dashboard", "{\"a\":1}\n");
    put(a, "/api/dashboard?x", "{\"b\":2}\n");
    put(a, "/api/dashboarc", "{\"c\":3}\n");
    expect(a, "/api/dashboard", "{\"a\":1}\n");
    expect(a, "/api/dashboard?x", "{\"b\":2}\n");
    expect(a, "/api/dashboarc", "{\"c\":3}\n");
    expect(a, "/api/dashboar", NULL);
    expect(a, "", NULL);
    /* the answer is appended: what out held stays */
    struct buf out = BUF_INIT;
    buf_puts(&out, "head:");
    assert_int_equal(answers_get(a, "/api/dashboard", 14, &out), 1);
    assert_string_equal(buf_cstr(&out), "head:{\"a\":1}\n");
    buf_release(&out);
    /* a second put replaces the first */
    put(a, "/api/dashboard", "{\"a\":9}\n");
    expect(a, "/api/dashboard", "{\"a\":9}\n");
    struct answers_stats st;
    answers_stats(a, &st);
    assert_int_equal(st.entries, 3);
    assert_int_equal(st.hits, 5);
    assert_int_equal(st.misses, 3);
    answers_free(a);
}

static void test_the_least_recently_asked_go_first(void **state)
{
    (void)state;
    char body[1000];
    memset(body, 'x', sizeof body - 1);
    body[sizeof body - 1] = '\0';
    /* room for about ten of them */
    struct answers *a = answers_new(10 * (sizeof body + 100));
    char key[32];
    for (int i = 0; i < 10; i++) {
        snprintf(key, sizeof key, "k%d", i);
        put(a, key, body);
    }
    struct answers_stats st;
    answers_stats(a, &st);
    size_t kept = st.entries;
    assert_true(kept >= 8 && kept <= 10);
    assert_true(st.bytes <= 10 * (sizeof body + 100));
    /* k9 .. k(10-kept) are kept; asking for the oldest kept makes it the newest */
    snprintf(key, sizeof key, "k%zu", 10 - kept);
    expect(a, key, body);
    put(a, "new", body);
    expect(a, key, body); /* asked lately: kept */
    snprintf(key, sizeof key, "k%zu", 10 - kept + 1);
    expect(a, key, NULL); /* the least recently asked: gone */
    expect(a, "new", body);
    answers_stats(a, &st);
    assert_true(st.bytes <= 10 * (sizeof body + 100));
    answers_free(a);
}

static void test_too_large_or_no_room(void **state)
{
    (void)state;
    struct answers *a = answers_new(8000);
    char big[1100];
    memset(big, 'y', sizeof big - 1);
    big[sizeof big - 1] = '\0';
    put(a, "big", big);
    expect(a, "big", NULL);
    put(a, "small", "s");
    expect(a, "small", "s");
    answers_free(a);

    struct answers *none = answers_new(0);
    assert_null(none);
    put(none, "k", "v");
    expect(none, "k", NULL);
    struct answers_stats st;
    answers_stats(none, &st);
    assert_int_equal(st.entries, 0);
    answers_free(none);
}

/* Each thread puts and asks for keys of its own and of the others: every answer found is
 * the one put under its key (its body names its key), whole. */
struct worker {
    struct answers *a;
    int id;
    int bad;
};

static void *work(void *arg)
{
    struct worker *w = arg;
    char key[32], body[600];
    for (int round = 0; round < 2000; round++) {
        int k = (round * 7 + w->id * 13) % 300;
        snprintf(key, sizeof key, "key-%d", k);
        int n = snprintf(body, sizeof body, "answer of %s:", key);
        memset(body + n, 'a' + k % 26, (size_t)(k % 200));
        body[n + k % 200] = '\0';
        struct buf out = BUF_INIT;
        if (answers_get(w->a, key, strlen(key), &out)) {
            if (out.len != strlen(body) || memcmp(out.data, body, out.len) != 0)
                w->bad++;
        } else {
            answers_put(w->a, key, strlen(key), body, strlen(body));
        }
        buf_release(&out);
    }
    return NULL;
}

static void test_many_threads_at_once(void **state)
{
    (void)state;
    struct answers *a = answers_new(64 * 1024); /* smaller than the keys: evictions too */
    pthread_t t[8];
    struct worker w[8];
    for (int i = 0; i < 8; i++) {
        w[i] = (struct worker){a, i, 0};
        assert_int_equal(pthread_create(&t[i], NULL, work, &w[i]), 0);
    }
    for (int i = 0; i < 8; i++) {
        pthread_join(t[i], NULL);
        assert_int_equal(w[i].bad, 0);
    }
    struct answers_stats st;
    answers_stats(a, &st);
    assert_true(st.hits > 0 && st.bytes <= 64 * 1024);
    assert_int_equal(st.hits + st.misses, 8 * 2000);
    answers_free(a);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_an_answer_under_its_key_only),
        cmocka_unit_test(test_the_least_recently_asked_go_first),
        cmocka_unit_test(test_too_large_or_no_room),
        cmocka_unit_test(test_many_threads_at_once),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
