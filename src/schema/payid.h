/* payid.h — the identifiers an Indian payout needs, checked before money moves: PAN,
 * GSTIN (with its check character), IFSC, UPI id and bank account number (SPEC §10).
 * Letters are accepted in either case; callers store payid_upper's form. Each check
 * returns 0, or ERR_INPUT with a message that names the value and what to fix, e.g.
 *   PAN "ABCXE1234F": the 4th character 'X' is not a PAN holder type (P, C, H, F, A, T,
 *   B, L, J or G)
 * so an importer can prefix "file:line:column: pan: ". Calls only err and libc. */
#ifndef INFLUDASH_PAYID_H
#define INFLUDASH_PAYID_H

#include <stddef.h>

#include "err.h"

/* PAN: AAAAA9999A, the 4th letter a holder type (P person, C company, H HUF, F firm,
 * A association of persons, T trust, B body of individuals, L local authority,
 * J artificial juridical person, G government). */
int payid_pan(const char *s, struct err *e);

/* GSTIN: 2-digit state code (payid_gst_state_name), the holder's PAN, the registration
 * number in that state (1-9, A-Z), 'Z', and the check character over the first 14. */
int payid_gstin(const char *s, struct err *e);

/* The check character for the first 14 characters of a GSTIN (digits and letters, either
 * case): the standard mod-36 scheme (docs/payouts.md). '\0' when a character is neither. */
char payid_gstin_check_char(const char *first14);

/* The state or territory of a GST state code (1..38, 97), or NULL when the code is not
 * one a GSTIN can carry today. */
const char *payid_gst_state_name(int code);

/* The state code of a GSTIN that passed payid_gstin. */
int payid_gstin_state(const char *gstin);

/* IFSC: 4 letters (the bank), '0', 6 letters or digits (the branch). */
int payid_ifsc(const char *s, struct err *e);

/* UPI id (VPA): name@handle; name 2-256 of letters, digits, '.', '-', '_'; handle 2-64
 * letters or digits starting with a letter. */
int payid_upi(const char *s, struct err *e);

/* Bank account number: 9 to 18 digits. */
int payid_bank_account(const char *s, struct err *e);

/* Copies s into out (cap bytes, always terminated) with ASCII letters upper-cased;
 * returns the length of s (>= cap means it was cut). */
size_t payid_upper(char *out, size_t cap, const char *s);

#endif
