/* payid.c — PAN, GSTIN, IFSC, UPI id and bank account checks (see payid.h). Each check
 * walks the value once and stops at the first thing wrong, saying which character, where
 * and what was expected. Calls only err and libc. */
#include "payid.h"

#include <stdio.h>
#include <string.h>

#include "banned.h"

/* Longest value echoed in a message; longer ones are cut with "...". */
#define SHOWN_MAX 40

static int is_upper(int c)
{
    return c >= 'A' && c <= 'Z';
}

static int is_alpha(int c)
{
    return is_upper(c) || (c >= 'a' && c <= 'z');
}

static int is_digit(int c)
{
    return c >= '0' && c <= '9';
}

static int to_upper(int c)
{
    return (c >= 'a' && c <= 'z') ? c - 'a' + 'A' : c;
}

/* The value as it may be shown in a message: quoted, printable ASCII kept, other bytes as
 * \xNN, cut after SHOWN_MAX bytes. */
static void show(char *out, size_t cap, const char *s)
{
    size_t n = 0;
    if (cap < 8)
        return;
    out[n++] = '"';
    for (size_t i = 0; s[i] && n + 8 < cap; i++) {
        unsigned char c = (unsigned char)s[i];
        if (i >= SHOWN_MAX) {
            memcpy(out + n, "...", 3);
            n += 3;
            break;
        }
        if (c >= 0x20 && c < 0x7f && c != '"' && c != '\\')
            out[n++] = (char)c;
        else
            n += (size_t)snprintf(out + n, cap - n, "\\x%02x", c);
    }
    out[n++] = '"';
    out[n] = '\0';
}

/* Ordinal words for the positions messages name. */
static const char *nth(size_t i)
{
    static const char *const words[] = {"1st", "2nd",  "3rd",  "4th",  "5th",  "6th",  "7th", "8th",
                                        "9th", "10th", "11th", "12th", "13th", "14th", "15th"};
    return i < sizeof words / sizeof words[0] ? words[i] : "next";
}

/* A character for a message: 'X', or a code for a non-printable byte. */
static void show_char(char *out, size_t cap, int c)
{
    unsigned char u = (unsigned char)c;
    if (u >= 0x20 && u < 0x7f)
        snprintf(out, cap, "'%c'", u);
    else
        snprintf(out, cap, "byte 0x%02x", u);
}

static int bad_char(struct err *e, const char *what, const char *s, size_t i, const char *expected,
                    const char *form)
{
    char shown[SHOWN_MAX * 4 + 16], ch[16];
    show(shown, sizeof shown, s);
    show_char(ch, sizeof ch, s[i]);
    return err_set(e, ERR_INPUT, "%s %s: the %s character %s should be %s (the form is %s)", what,
                   shown, nth(i), ch, expected, form);
}

static int bad_length(struct err *e, const char *what, const char *s, size_t want, const char *form)
{
    char shown[SHOWN_MAX * 4 + 16];
    show(shown, sizeof shown, s);
    size_t len = strlen(s);
    if (len == 0)
        return err_set(e, ERR_INPUT, "%s is empty (the form is %s)", what, form);
    return err_set(e, ERR_INPUT, "%s %s has %zu characters; a %s has %zu (%s)", what, shown, len,
                   what, want, form);
}

#define PAN_FORM "AAAAA9999A: five letters, four digits, a letter"
static const char pan_holder_types[] = "PCHFATBLJG";

/* Checks the 10 characters of a PAN at s (the whole value is `whole`, for messages). */
static int check_pan_chars(const char *what, const char *whole, size_t at, struct err *e)
{
    const char *s = whole + at;
    for (size_t i = 0; i < 10; i++) {
        int c = (unsigned char)s[i];
        int want_digit = i >= 5 && i <= 8;
        if (want_digit ? !is_digit(c) : !is_alpha(c))
            return bad_char(e, what, whole, at + i, want_digit ? "a digit" : "a letter",
                            at ? "state code, PAN, registration number, Z, check character"
                               : PAN_FORM);
    }
    int type = to_upper((unsigned char)s[3]);
    if (!strchr(pan_holder_types, type)) {
        char shown[SHOWN_MAX * 4 + 16];
        show(shown, sizeof shown, whole);
        return err_set(e, ERR_INPUT,
                       "%s %s: the %s character '%c' is not a PAN holder type (P person, "
                       "C company, H HUF, F firm, A association of persons, T trust, B body of "
                       "individuals, L local authority, J artificial juridical person, "
                       "G government)",
                       what, shown, nth(at + 3), s[3]);
    }
    return 0;
}

int payid_pan(const char *s, struct err *e)
{
    if (strlen(s) != 10)
        return bad_length(e, "PAN", s, 10, PAN_FORM);
    return check_pan_chars("PAN", s, 0, e);
}

/* The value of a GSTIN character in the mod-36 scheme: 0-9, then A-Z as 10-35. */
static int gstin_value(int c)
{
    c = to_upper(c);
    if (is_digit(c))
        return c - '0';
    if (is_upper(c))
        return c - 'A' + 10;
    return -1;
}

char payid_gstin_check_char(const char *first14)
{
    static const char alphabet[] = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ";
    int sum = 0;
    for (size_t i = 0; i < 14; i++) {
        int v = gstin_value((unsigned char)first14[i]);
        if (v < 0)
            return '\0';
        /* factors 1, 2, 1, 2, ... from the left; each product's base-36 digits are added */
        int product = v * (i % 2 == 0 ? 1 : 2);
        sum += product / 36 + product % 36;
    }
    return alphabet[(36 - sum % 36) % 36];
}

/* GST state codes (the Census 2011 codes the GST registration uses). 25 (Daman and Diu)
 * ended with the merger into 26 on 26 January 2020 and 28 (undivided Andhra Pradesh)
 * predates GST: registrations carry 26 and 37; 97 is "Other Territory". */
static const char *const gst_states[] = {
    [1] = "Jammu and Kashmir",
    [2] = "Himachal Pradesh",
    [3] = "Punjab",
    [4] = "Chandigarh",
    [5] = "Uttarakhand",
    [6] = "Haryana",
    [7] = "Delhi",
    [8] = "Rajasthan",
    [9] = "Uttar Pradesh",
    [10] = "Bihar",
    [11] = "Sikkim",
    [12] = "Arunachal Pradesh",
    [13] = "Nagaland",
    [14] = "Manipur",
    [15] = "Mizoram",
    [16] = "Tripura",
    [17] = "Meghalaya",
    [18] = "Assam",
    [19] = "West Bengal",
    [20] = "Jharkhand",
    [21] = "Odisha",
    [22] = "Chhattisgarh",
    [23] = "Madhya Pradesh",
    [24] = "Gujarat",
    [26] = "Dadra and Nagar Haveli and Daman and Diu",
    [27] = "Maharashtra",
    [29] = "Karnataka",
    [30] = "Goa",
    [31] = "Lakshadweep",
    [32] = "Kerala",
    [33] = "Tamil Nadu",
    [34] = "Puducherry",
    [35] = "Andaman and Nicobar Islands",
    [36] = "Telangana",
    [37] = "Andhra Pradesh",
    [38] = "Ladakh",
    [97] = "Other Territory",
};

const char *payid_gst_state_name(int code)
{
    if (code < 0 || (size_t)code >= sizeof gst_states / sizeof gst_states[0])
        return NULL;
    return gst_states[code];
}

int payid_gstin_state(const char *gstin)
{
    return (gstin[0] - '0') * 10 + (gstin[1] - '0');
}

#define GSTIN_FORM                                                                                 \
    "two-digit state code, the 10-character PAN, registration number, Z, check "                   \
    "character"

int payid_gstin(const char *s, struct err *e)
{
    char shown[SHOWN_MAX * 4 + 16];
    if (strlen(s) != 15)
        return bad_length(e, "GSTIN", s, 15, GSTIN_FORM);
    for (size_t i = 0; i < 2; i++)
        if (!is_digit((unsigned char)s[i]))
            return bad_char(e, "GSTIN", s, i, "a digit", GSTIN_FORM);
    int state = payid_gstin_state(s);
    if (!payid_gst_state_name(state)) {
        show(shown, sizeof shown, s);
        const char *why = state == 25   ? " (Daman and Diu registrations moved to 26 in 2020)"
                          : state == 28 ? " (Andhra Pradesh registrations carry 37)"
                                        : "";
        return err_set(e, ERR_INPUT, "GSTIN %s: %02d is not a GST state code (01 to 38, or 97)%s",
                       shown, state, why);
    }
    int rc = check_pan_chars("GSTIN", s, 2, e);
    if (rc < 0)
        return rc;
    int reg = to_upper((unsigned char)s[12]);
    if (!(is_upper(reg) || (is_digit(reg) && reg != '0')))
        return bad_char(e, "GSTIN", s, 12, "the registration number, 1 to 9 or a letter",
                        GSTIN_FORM);
    if (to_upper((unsigned char)s[13]) != 'Z')
        return bad_char(e, "GSTIN", s, 13, "'Z' (a regular taxpayer's GSTIN)", GSTIN_FORM);
    if (gstin_value((unsigned char)s[14]) < 0)
        return bad_char(e, "GSTIN", s, 14, "a letter or digit", GSTIN_FORM);
    char want = payid_gstin_check_char(s);
    if (to_upper((unsigned char)s[14]) != want) {
        show(shown, sizeof shown, s);
        return err_set(e, ERR_INPUT,
                       "GSTIN %s: the check character is '%c' but the first 14 characters give "
                       "'%c': a character is mistyped (compare with the registration certificate)",
                       shown, s[14], want);
    }
    return 0;
}

#define IFSC_FORM "AAAA0XXXXXX: 4 letters for the bank, a zero, 6 letters or digits for the branch"

int payid_ifsc(const char *s, struct err *e)
{
    if (strlen(s) != 11)
        return bad_length(e, "IFSC", s, 11, IFSC_FORM);
    for (size_t i = 0; i < 4; i++)
        if (!is_alpha((unsigned char)s[i]))
            return bad_char(e, "IFSC", s, i, "a letter", IFSC_FORM);
    if (s[4] != '0')
        return bad_char(e, "IFSC", s, 4, "the digit zero", IFSC_FORM);
    for (size_t i = 5; i < 11; i++)
        if (!is_alpha((unsigned char)s[i]) && !is_digit((unsigned char)s[i]))
            return bad_char(e, "IFSC", s, i, "a letter or digit", IFSC_FORM);
    return 0;
}

#define UPI_FORM "name@handle, e.g. priya.sharma@okaxis"

int payid_upi(const char *s, struct err *e)
{
    char shown[SHOWN_MAX * 4 + 16];
    const char *at = strchr(s, '@');
    if (!at) {
        show(shown, sizeof shown, s);
        return err_set(e, ERR_INPUT, "UPI id %s has no '@' (the form is %s)", shown, UPI_FORM);
    }
    if (strchr(at + 1, '@')) {
        show(shown, sizeof shown, s);
        return err_set(e, ERR_INPUT, "UPI id %s has more than one '@' (the form is %s)", shown,
                       UPI_FORM);
    }
    size_t name_len = (size_t)(at - s), handle_len = strlen(at + 1);
    for (size_t i = 0; i < name_len; i++) {
        int c = (unsigned char)s[i];
        if (!is_alpha(c) && !is_digit(c) && c != '.' && c != '-' && c != '_')
            return bad_char(e, "UPI id", s, i, "a letter, digit, '.', '-' or '_'", UPI_FORM);
    }
    if (name_len < 2 || name_len > 256) {
        show(shown, sizeof shown, s);
        return err_set(e, ERR_INPUT,
                       "UPI id %s: the name before '@' has %zu characters; it needs 2 to 256 (the "
                       "form is %s)",
                       shown, name_len, UPI_FORM);
    }
    if (handle_len < 2 || handle_len > 64 || !is_alpha((unsigned char)at[1])) {
        show(shown, sizeof shown, s);
        return err_set(e, ERR_INPUT,
                       "UPI id %s: the handle after '@' must be 2 to 64 letters or digits starting "
                       "with a letter, the bank's or app's handle (the form is %s)",
                       shown, UPI_FORM);
    }
    for (size_t i = 1; at[i]; i++)
        if (!is_alpha((unsigned char)at[i]) && !is_digit((unsigned char)at[i]))
            return bad_char(e, "UPI id", s, name_len + i, "a letter or digit (in the handle)",
                            UPI_FORM);
    return 0;
}

int payid_bank_account(const char *s, struct err *e)
{
    char shown[SHOWN_MAX * 4 + 16];
    size_t len = strlen(s);
    for (size_t i = 0; i < len; i++)
        if (!is_digit((unsigned char)s[i]))
            return bad_char(e, "bank account number", s, i, "a digit",
                            "9 to 18 digits, no spaces or dashes");
    if (len < 9 || len > 18) {
        show(shown, sizeof shown, s);
        return err_set(e, ERR_INPUT,
                       "bank account number %s has %zu digits; Indian account numbers have 9 to 18",
                       shown, len);
    }
    return 0;
}

size_t payid_upper(char *out, size_t cap, const char *s)
{
    size_t len = strlen(s);
    if (cap == 0)
        return len;
    size_t n = len < cap - 1 ? len : cap - 1;
    for (size_t i = 0; i < n; i++)
        out[i] = (char)to_upper((unsigned char)s[i]);
    out[n] = '\0';
    return len;
}
