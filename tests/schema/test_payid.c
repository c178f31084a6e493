/* test_payid.c — PAN, GSTIN, IFSC, UPI id and bank account checks with good and bad values:
 * GSTINs built here from the mod-36 check-character scheme (written out again, apart from
 * the code under test) for every state code, the public example 27AAPFU0939F1ZV, each
 * wrong check character refused, and the messages a user reads. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "payid.h"

#include "banned.h"

static void ok(int (*check)(const char *, struct err *), const char *s)
{
    struct err e = {0};
    if (check(s, &e) != 0)
        fail_msg("refused \"%s\": %s", s, e.msg);
}

static void bad(int (*check)(const char *, struct err *), const char *s, const char *msg)
{
    struct err e = {0};
    int rc = check(s, &e);
    if (rc != ERR_INPUT)
        fail_msg("accepted \"%s\"", s);
    if (msg && strcmp(e.msg, msg) != 0)
        fail_msg("\"%s\":\n  %s\nwant\n  %s", s, e.msg, msg);
}

static void test_pan(void **state)
{
    (void)state;
    ok(payid_pan, "ABCPE1234F");
    ok(payid_pan, "abcpe1234f");
    const char types[] = "PCHFATBLJG";
    for (size_t i = 0; types[i]; i++) {
        char pan[] = "AAAPA1234A";
        pan[3] = types[i];
        ok(payid_pan, pan);
    }
    bad(payid_pan, "ABCXE1234F",
        "PAN \"ABCXE1234F\": the 4th character 'X' is not a PAN holder type (P person, C company, "
        "H HUF, F firm, A association of persons, T trust, B body of individuals, L local "
        "authority, J artificial juridical person, G government)");
    bad(payid_pan, "ABCP1234F",
        "PAN \"ABCP1234F\" has 9 characters; a PAN has 10 (AAAAA9999A: five letters, four "
        "digits, a letter)");
    bad(payid_pan, "",
        "PAN is empty (the form is AAAAA9999A: five letters, four digits, a letter)");
    bad(payid_pan, "ABCPE12340",
        "PAN \"ABCPE12340\": the 10th character '0' should be a letter (the form is AAAAA9999A: "
        "five letters, four digits, a letter)");
    bad(payid_pan, "ABCPEI234F",
        "PAN \"ABCPEI234F\": the 6th character 'I' should be a digit (the form is AAAAA9999A: "
        "five letters, four digits, a letter)");
    bad(payid_pan, "1BCPE1234F", NULL);
    bad(payid_pan, "ABCPE 1234F", NULL);
    bad(payid_pan,
        "ABCPE\xc3\xa9"
        "234",
        NULL);
}

/* The GSTIN check character, written out from the scheme: values 0-9 then A-Z as 10-35,
 * factors 1 and 2 alternating from the left, each product's two base-36 digits summed,
 * the check value (36 - sum mod 36) mod 36. */
static char check_char(const char *first14)
{
    const char *alphabet = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ";
    int sum = 0;
    for (int i = 0; i < 14; i++) {
        int v = (int)(strchr(alphabet, first14[i]) - alphabet);
        int p = v * (i % 2 ? 2 : 1);
        sum += p / 36 + p % 36;
    }
    return alphabet[(36 - sum % 36) % 36];
}

static void make_gstin(char out[16], int state, const char *pan, char reg)
{
    snprintf(out, 16, "%02d%s%cZ", state, pan, reg);
    out[14] = check_char(out);
    out[15] = '\0';
}

static void test_gstin_check_character(void **state)
{
    (void)state;
    /* The example GSTIN guides publish (Maharashtra, a firm). */
    ok(payid_gstin, "27AAPFU0939F1ZV");
    ok(payid_gstin, "27aapfu0939f1zv");
    assert_int_equal(payid_gstin_check_char("27AAPFU0939F1Z"), 'V');
    assert_int_equal(payid_gstin_state("27AAPFU0939F1ZV"), 27);
    /* Built here for every code a GSTIN can carry, several PANs and registration numbers;
     * each of the 35 other check characters is refused. */
    const int states[] = {1,  2,  3,  4,  5,  6,  7,  8,  9,  10, 11, 12, 13,
                          14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 26, 27,
                          29, 30, 31, 32, 33, 34, 35, 36, 37, 38, 97};
    const char *pans[] = {"ABCPE1234F", "AAACR5055K", "ZZZTZ9999Z", "AABCB5576G"};
    const char regs[] = "19AZ";
    const char *alphabet = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ";
    size_t built = 0;
    for (size_t s = 0; s < sizeof states / sizeof states[0]; s++)
        for (size_t p = 0; p < 4; p++) {
            char g[16];
            make_gstin(g, states[s], pans[p], regs[(s + p) % 4]);
            ok(payid_gstin, g);
            assert_non_null(payid_gst_state_name(states[s]));
            assert_int_equal(payid_gstin_state(g), states[s]);
            for (const char *c = alphabet; *c; c++) {
                if (*c == g[14])
                    continue;
                char wrong[16];
                memcpy(wrong, g, sizeof wrong);
                wrong[14] = *c;
                bad(payid_gstin, wrong, NULL);
            }
            built++;
        }
    assert_int_equal(built, 37 * 4);
    /* A one-character typo in the body is caught by the check character. */
    bad(payid_gstin, "27AAPFU0939G1ZV",
        "GSTIN \"27AAPFU0939G1ZV\": the check character is 'V' but the first 14 characters give "
        "'T': a character is mistyped (compare with the registration certificate)");
}

static void test_gstin_structure(void **state)
{
    (void)state;
    char g[16];
    make_gstin(g, 39, "ABCPE1234F", '1');
    bad(payid_gstin, g, NULL);
    struct err e = {0};
    make_gstin(g, 25, "ABCPE1234F", '1');
    payid_gstin(g, &e);
    assert_string_equal(e.msg, "GSTIN \"25ABCPE1234F1ZF\": 25 is not a GST state code (01 to 38, "
                               "or 97) (Daman and Diu registrations moved to 26 in 2020)");
    make_gstin(g, 28, "ABCPE1234F", '1');
    bad(payid_gstin, g, NULL);
    make_gstin(g, 0, "ABCPE1234F", '1');
    bad(payid_gstin, g, NULL);
    make_gstin(g, 99, "ABCPE1234F", '1');
    bad(payid_gstin, g, NULL);
    /* the PAN inside must be a PAN */
    make_gstin(g, 27, "ABCXE1234F", '1');
    bad(payid_gstin, g,
        "GSTIN \"27ABCXE1234F1ZV\": the 6th character 'X' is not a PAN holder type (P person, "
        "C company, H HUF, F firm, A association of persons, T trust, B body of individuals, L "
        "local authority, J artificial juridical person, G government)");
    make_gstin(g, 27, "ABCPE12X4F", '1');
    bad(payid_gstin, g, NULL);
    /* registration number 0 and a 14th character other than Z */
    make_gstin(g, 27, "ABCPE1234F", '0');
    bad(payid_gstin, g,
        "GSTIN \"27ABCPE1234F0ZC\": the 13th character '0' should be the registration number, 1 "
        "to 9 or a letter (the form is two-digit state code, the 10-character PAN, registration "
        "number, Z, check character)");
    char d[16] = "27ABCPE1234F1D";
    d[14] = check_char(d);
    d[15] = '\0';
    bad(payid_gstin, d, NULL);
    bad(payid_gstin, "27AAPFU0939F1Z", NULL);
    bad(payid_gstin, "27AAPFU0939F1ZV ", NULL);
    bad(payid_gstin, "2XAAPFU0939F1ZV", NULL);
    bad(payid_gstin, "27AAPFU0939F1Z-", NULL);
    assert_int_equal(payid_gstin_check_char("27AAPFU0939F1-"), '\0');
    assert_null(payid_gst_state_name(0));
    assert_null(payid_gst_state_name(98));
    assert_null(payid_gst_state_name(-1));
    assert_string_equal(payid_gst_state_name(27), "Maharashtra");
}

static void test_ifsc(void **state)
{
    (void)state;
    ok(payid_ifsc, "SBIN0001234");
    ok(payid_ifsc, "HDFC0ABC123");
    ok(payid_ifsc, "icic0000001");
    bad(payid_ifsc, "SBIN1001234",
        "IFSC \"SBIN1001234\": the 5th character '1' should be the digit zero (the form is "
        "AAAA0XXXXXX: 4 letters for the bank, a zero, 6 letters or digits for the branch)");
    bad(payid_ifsc, "SBI00001234", NULL);
    bad(payid_ifsc, "SBIN000123", NULL);
    bad(payid_ifsc, "SBIN00012345", NULL);
    bad(payid_ifsc, "SBIN000123_", NULL);
    bad(payid_ifsc, "SBINO001234", NULL); /* letter O for zero */
}

static void test_upi(void **state)
{
    (void)state;
    ok(payid_upi, "priya.sharma@okaxis");
    ok(payid_upi, "9876543210@ybl");
    ok(payid_upi, "rahul_k-99@paytm");
    ok(payid_upi, "ab@upi");
    bad(payid_upi, "priya.sharma",
        "UPI id \"priya.sharma\" has no '@' (the form is name@handle, "
        "e.g. priya.sharma@okaxis)");
    bad(payid_upi, "a@b@okaxis", NULL);
    bad(payid_upi, "p@okaxis",
        "UPI id \"p@okaxis\": the name before '@' has 1 characters; it needs 2 to 256 (the form "
        "is name@handle, e.g. priya.sharma@okaxis)");
    bad(payid_upi, "priya sharma@okaxis", NULL);
    bad(payid_upi, "priya@1axis", NULL);
    bad(payid_upi, "priya@x", NULL);
    bad(payid_upi, "priya@ok.axis", NULL);
    bad(payid_upi, "@okaxis", NULL);
}

static void test_bank_account(void **state)
{
    (void)state;
    ok(payid_bank_account, "123456789");
    ok(payid_bank_account, "123456789012345678");
    bad(payid_bank_account, "12345678",
        "bank account number \"12345678\" has 8 digits; Indian account numbers have 9 to 18");
    bad(payid_bank_account, "1234567890123456789", NULL);
    bad(payid_bank_account, "12345 67890",
        "bank account number \"12345 67890\": the 6th character ' ' should be a digit (the form "
        "is 9 to 18 digits, no spaces or dashes)");
    bad(payid_bank_account, "", NULL);
}

static void test_messages_quote_odd_bytes_and_cut_long_values(void **state)
{
    (void)state;
    struct err e = {0};
    payid_pan("AB\"\x01", &e);
    assert_string_equal(e.msg, "PAN \"AB\\x22\\x01\" has 4 characters; a PAN has 10 (AAAAA9999A: "
                               "five letters, four digits, a letter)");
    char longval[200];
    memset(longval, 'A', sizeof longval - 1);
    longval[sizeof longval - 1] = '\0';
    payid_ifsc(longval, &e);
    assert_non_null(strstr(e.msg, "AAAA...\" has 199 characters"));
    char up[16];
    assert_int_equal(payid_upper(up, sizeof up, "27aapfu0939f1zv"), 15);
    assert_string_equal(up, "27AAPFU0939F1ZV");
    assert_int_equal(payid_upper(up, 4, "abcdef"), 6);
    assert_string_equal(up, "ABC");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_pan),
        cmocka_unit_test(test_gstin_check_character),
        cmocka_unit_test(test_gstin_structure),
        cmocka_unit_test(test_ifsc),
        cmocka_unit_test(test_upi),
        cmocka_unit_test(test_bank_account),
        cmocka_unit_test(test_messages_quote_odd_bytes_and_cut_long_values),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
