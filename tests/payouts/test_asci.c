/* test_asci.c — the ASCI disclosure check on captions: each shipped label with and without
 * it, as a word and as a hashtag, in any case; labels inside other words (adorable is not
 * ad); multi-word labels; hashtag-only labels; Hindi labels only on Hindi posts, with and
 * without the precomposed nukta; a configured list; where the match is; odd input. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "asci.h"

#include "banned.h"

/* Hindi words used below. */
#define VIGYAPAN                                                                                   \
    "\xe0\xa4\xb5\xe0\xa4\xbf\xe0\xa4\x9c\xe0\xa5\x8d\xe0\xa4\x9e\xe0\xa4\xbe\xe0\xa4\xaa\xe0\xa4" \
    "\xa8"
#define PRAYOJIT                                                                                   \
    "\xe0\xa4\xaa\xe0\xa5\x8d\xe0\xa4\xb0\xe0\xa4\xbe\xe0\xa4\xaf\xe0\xa5\x8b\xe0\xa4\x9c\xe0\xa4" \
    "\xbf\xe0\xa4\xa4"
#define SAJHEDARI                                                                                  \
    "\xe0\xa4\xb8\xe0\xa4\xbe\xe0\xa4\x9d\xe0\xa5\x87\xe0\xa4\xa6\xe0\xa4\xbe\xe0\xa4\xb0\xe0\xa5" \
    "\x80"
#define SAHYOG "\xe0\xa4\xb8\xe0\xa4\xb9\xe0\xa4\xaf\xe0\xa5\x8b\xe0\xa4\x97"
#define KARMACHARI                                                                                 \
    "\xe0\xa4\x95\xe0\xa4\xb0\xe0\xa5\x8d\xe0\xa4\xae\xe0\xa4\x9a\xe0\xa4\xbe\xe0\xa4\xb0\xe0\xa5" \
    "\x80"
/* मुफ़्त with फ़ precomposed (U+095E), and उपहार */
#define MUFT_PRECOMPOSED "\xe0\xa4\xae\xe0\xa5\x81\xe0\xa5\x9e\xe0\xa5\x8d\xe0\xa4\xa4"
#define MUFT_PLAIN "\xe0\xa4\xae\xe0\xa5\x81\xe0\xa4\xab\xe0\xa5\x8d\xe0\xa4\xa4"
#define UPHAAR "\xe0\xa4\x89\xe0\xa4\xaa\xe0\xa4\xb9\xe0\xa4\xbe\xe0\xa4\xb0"
/* "यह मेरा नया फ़ोन है" — "this is my new phone" */
#define HINDI_SENTENCE                                                                             \
    "\xe0\xa4\xaf\xe0\xa4\xb9 \xe0\xa4\xae\xe0\xa5\x87\xe0\xa4\xb0\xe0\xa4\xbe \xe0\xa4\xa8\xe0"   \
    "\xa4\xaf\xe0\xa4\xbe \xe0\xa4\xab\xe0\xa4\xbc\xe0\xa5\x8b\xe0\xa4\xa8 \xe0\xa4\xb9\xe0\xa5"   \
    "\x88"

static struct asci_labels defaults;

static int setup(void **state)
{
    (void)state;
    struct err e = {0};
    if (asci_labels_init_default(&defaults, &e) < 0) {
        fprintf(stderr, "%s\n", e.msg);
        return -1;
    }
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    asci_labels_release(&defaults);
    return 0;
}

static int check(const struct asci_labels *l, const char *caption, struct asci_match *m)
{
    struct err e = {0};
    int rc = asci_check(l, caption, strlen(caption), m, &e);
    if (rc < 0)
        fail_msg("%s", e.msg);
    return rc;
}

static void disclosed(const char *caption)
{
    if (check(&defaults, caption, NULL) != 1)
        fail_msg("not seen as disclosed: %s", caption);
}

static void undisclosed(const char *caption)
{
    if (check(&defaults, caption, NULL) != 0)
        fail_msg("seen as disclosed: %s", caption);
}

static void test_each_english_label_as_word_and_hashtag(void **state)
{
    (void)state;
    const char *labels[] = {"Advertisement", "Ad",          "Sponsored",
                            "Collaboration", "Partnership", "Employee"};
    for (size_t i = 0; i < sizeof labels / sizeof labels[0]; i++) {
        char caption[200];
        const char *before[] = {"", "New serum! #", "", "(", "new serum - "};
        const char *after[] = {": loving this new serum", "", "", ") new serum", "."};
        for (size_t f = 0; f < sizeof before / sizeof before[0]; f++) {
            snprintf(caption, sizeof caption, "%s%s%s", before[f], labels[i], after[f]);
            disclosed(caption);
            for (char *p = caption; *p; p++) /* any letter case */
                if (*p >= 'a' && *p <= 'z')
                    *p = (char)(*p - 'a' + 'A');
            disclosed(caption);
        }
    }
    disclosed("Ad: my morning routine");
    disclosed("my morning routine #ad");
    disclosed("#AD #skincare");
    disclosed("Paid partnership with @glowco");
    undisclosed("my morning routine with @glowco");
    undisclosed("");
}

static void test_labels_inside_other_words_do_not_count(void **state)
{
    (void)state;
    undisclosed("such an adorable puppy");
    undisclosed("bad hair day");
    undisclosed("#adidas haul");
    undisclosed("#ads are everywhere"); /* "ads" is not the label "ad" */
    undisclosed("ad-free streaming finally");
    undisclosed("visit shop.ad.example for more");
    undisclosed("thanks @ad_team");
    undisclosed("my ADHD journey");
    undisclosed("Advertisements everywhere");
    undisclosed("my sponsorship story");
    undisclosed("business partnerships 101");
    undisclosed("#sponsoredby nobody");
    undisclosed("x#ad");
    undisclosed("example.com/ad");
    undisclosed("Freegift inside"); /* the words of a label run together only in a hashtag */
    disclosed("Sponsored/Ad");
    disclosed("#ad.");
    disclosed("\"Ad\"");
}

static void test_free_gift_and_hashtag_forms(void **state)
{
    (void)state;
    disclosed("Free gift from @glowco");
    disclosed("free  gift from @glowco");
    disclosed("Free-gift from @glowco");
    disclosed("#FreeGift");
    disclosed("#free_gift");
    disclosed("#free-gift");
    disclosed("\xf0\x9f\x8e\x81"
              "Free gift"
              "\xf0\x9f\x8e\x81");          /* 🎁 around it */
    disclosed("FREE\xc2\xa0GIFT");          /* no-break space */
    undisclosed("free gifts for everyone"); /* "gifts" */
    undisclosed("a free giftcard");
    /* #collab counts as a hashtag only; collaboration in any form */
    disclosed("#collab with @glowco");
    disclosed("#Collab");
    undisclosed("we collab a lot");
    disclosed("Collaboration with @glowco");
    disclosed("#collaboration");
    /* fullwidth forms fold */
    disclosed("\xef\xbc\x83\xef\xbd\x81\xef\xbd\x84"); /* ＃ａｄ */
}

static void test_hindi_labels_on_hindi_posts(void **state)
{
    (void)state;
    disclosed(HINDI_SENTENCE " #" VIGYAPAN);
    disclosed(VIGYAPAN ": " HINDI_SENTENCE);
    disclosed(HINDI_SENTENCE " " PRAYOJIT);
    disclosed(HINDI_SENTENCE " | " SAJHEDARI);
    disclosed(HINDI_SENTENCE " " MUFT_PRECOMPOSED " " UPHAAR);
    disclosed(HINDI_SENTENCE " " MUFT_PLAIN " " UPHAAR);
    disclosed(HINDI_SENTENCE " #" MUFT_PLAIN UPHAAR);
    disclosed(HINDI_SENTENCE "\xe0\xa5\xa4 #" SAHYOG); /* after a danda */
    disclosed(HINDI_SENTENCE " #" KARMACHARI);
    /* collaboration and employee are everyday words in Hindi: only their hashtags count */
    undisclosed(HINDI_SENTENCE " " SAHYOG);
    undisclosed(HINDI_SENTENCE " " KARMACHARI);
    /* a Hindi label on an English post is not in the post's language */
    undisclosed("Loving my new phone #" VIGYAPAN);
    undisclosed(VIGYAPAN);
    /* inside a longer word: विज्ञापनों (advertisements) */
    undisclosed(HINDI_SENTENCE " " VIGYAPAN "\xe0\xa5\x8b\xe0\xa4\x82");
    /* English labels count on Hindi posts too */
    disclosed(HINDI_SENTENCE " #ad");
}

static void test_configured_list(void **state)
{
    (void)state;
    struct asci_labels l;
    struct err e = {0};
    const char *mine[] = {"Paid partnership", "#gifted"};
    assert_int_equal(asci_labels_init(&l, mine, 2, &e), 0);
    assert_int_equal(check(&l, "Paid partnership with @glowco", NULL), 1);
    assert_int_equal(check(&l, "#gifted by @glowco", NULL), 1);
    assert_int_equal(check(&l, "gifted by @glowco", NULL), 0);
    assert_int_equal(check(&l, "#ad", NULL), 0); /* not in this list */
    assert_int_equal(check(&l, "partnership", NULL), 0);
    asci_labels_release(&l);

    assert_int_equal(asci_labels_init_list(&l, " Ad , Sponsored,\n#collab\n\n", &e), 0);
    assert_int_equal(l.n, 3);
    assert_int_equal(check(&l, "#collab", NULL), 1);
    assert_int_equal(check(&l, "collab", NULL), 0);
    asci_labels_release(&l);

    assert_int_equal(asci_labels_init_list(&l, " , \n", &e), ERR_USAGE);
    assert_string_equal(e.msg, "the ASCI label list is empty: every post would be flagged");
    assert_int_equal(asci_labels_init_list(&l, "Ad, Ad!", &e), ERR_USAGE);
    assert_string_equal(e.msg, "ASCI label \"Ad!\": only letters, digits and spaces between "
                               "words can be matched as a word (a leading # makes it "
                               "hashtag-only)");
    assert_int_equal(asci_labels_init_list(&l, "Free  gift", &e), ERR_USAGE);
    assert_string_equal(e.msg, "ASCI label \"Free  gift\": separate its words with single "
                               "spaces");
    assert_int_equal(asci_labels_init_list(&l, "#", &e), ERR_USAGE);
    assert_string_equal(e.msg, "ASCI label \"#\" has no word after the #");
    const char *invalid[] = {"Ad\xff"};
    assert_int_equal(asci_labels_init(&l, invalid, 1, &e), ERR_USAGE);
    assert_string_equal(e.msg, "ASCI label \"Ad\xff\" is not valid UTF-8");
    char many[2000];
    size_t n = 0;
    for (int i = 0; i < 300; i++)
        n += (size_t)snprintf(many + n, sizeof many - n, "a%d,", i);
    assert_int_equal(asci_labels_init_list(&l, many, &e), ERR_USAGE);
    assert_string_equal(e.msg, "more than 256 ASCI labels");
    assert_null(l.labels);
}

static void test_match_position(void **state)
{
    (void)state;
    struct asci_match m = {0};
    assert_int_equal(check(&defaults, "Great stuff #Ad today", &m), 1);
    assert_int_equal(m.label, 1); /* "Ad" */
    assert_int_equal(m.offset, 12);
    assert_int_equal(m.len, 3);
    const char *hindi = HINDI_SENTENCE " #" MUFT_PRECOMPOSED UPHAAR;
    assert_int_equal(check(&defaults, hindi, &m), 1);
    assert_int_equal(m.label, 11); /* मुफ़्त उपहार, matched by the precomposed spelling */
    assert_int_equal(m.offset, strlen(HINDI_SENTENCE) + 1);
    assert_int_equal(m.len, 1 + strlen(MUFT_PRECOMPOSED UPHAAR));
    /* the first label in the caption is reported */
    assert_int_equal(check(&defaults, "Sponsored post, #ad", &m), 1);
    assert_int_equal(m.offset, 0);
    assert_int_equal(m.len, 9);
}

static void test_odd_input(void **state)
{
    (void)state;
    /* invalid UTF-8 separates words like a space would, and never matches */
    disclosed("\xff"
              "ad"
              "\xfe");
    undisclosed("a\xc3"
                "d");
    undisclosed("\xc3\xa1"
                "d"); /* ád */
    /* NUL bytes inside the caption */
    struct err e = {0};
    assert_int_equal(asci_check(&defaults, "x\0#ad", 5, NULL, &e), 1);
    assert_int_equal(asci_check(&defaults, "#ad", 2, NULL, &e), 0); /* only "#a" */
    char *big = malloc(ASCI_CAPTION_MAX + 1);
    assert_non_null(big);
    memset(big, 'x', ASCI_CAPTION_MAX + 1);
    assert_int_equal(asci_check(&defaults, big, ASCI_CAPTION_MAX + 1, NULL, &e), ERR_LIMIT);
    memcpy(big + ASCI_CAPTION_MAX - 3, " ad", 3);
    assert_int_equal(asci_check(&defaults, big, ASCI_CAPTION_MAX, NULL, &e), 1);
    free(big);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_each_english_label_as_word_and_hashtag),
        cmocka_unit_test(test_labels_inside_other_words_do_not_count),
        cmocka_unit_test(test_free_gift_and_hashtag_forms),
        cmocka_unit_test(test_hindi_labels_on_hindi_posts),
        cmocka_unit_test(test_configured_list),
        cmocka_unit_test(test_match_position),
        cmocka_unit_test(test_odd_input),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
