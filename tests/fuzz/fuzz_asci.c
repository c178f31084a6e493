/* fuzz_asci.c — libFuzzer target for the ASCI disclosure check (src/asci.c).
 * Input: one option byte, then a caption. Option bit 0: the caption up to its first new
 * line is also read as a label list (asci_labels_init_list), which is then used as well.
 * Invariants: the result is 0 or 1; a match lies inside the caption and starts where a
 * label's text starts ('#' included); spaces added around the caption and ASCII letters
 * changed in case change nothing; a list that is accepted finds each of its plain ASCII
 * one-word labels in a caption made of that label alone. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "asci.h"
#include "buf.h"
#include "err.h"
#include "fuzz_util.h"

#include "banned.h"

static int check(const struct asci_labels *l, const char *s, size_t len, struct asci_match *m)
{
    struct err e = {0};
    int rc = asci_check(l, s, len, m, &e);
    FUZZ_CHECK(rc == 0 || rc == 1, "asci_check gave %d: %s", rc, e.msg);
    return rc;
}

static void invariants(const struct asci_labels *l, const char *caption, size_t len)
{
    struct asci_match m = {0};
    int found = check(l, caption, len, &m);
    if (found) {
        FUZZ_CHECK(m.label < l->n, "label %zu of %zu", m.label, l->n);
        FUZZ_CHECK(m.len > 0 && m.offset + m.len <= len, "match %zu+%zu in %zu bytes", m.offset,
                   m.len, len);
    }
    struct buf spaced = BUF_INIT;
    buf_putc(&spaced, ' ');
    buf_append(&spaced, caption, len);
    buf_putc(&spaced, ' ');
    FUZZ_CHECK(check(l, spaced.data, spaced.len, NULL) == found, "spaces around changed it");
    buf_release(&spaced);
    char *flipped = malloc(len ? len : 1);
    if (!flipped)
        return;
    for (size_t i = 0; i < len; i++) {
        char c = caption[i];
        if (c >= 'a' && c <= 'z')
            c = (char)(c - 'a' + 'A');
        else if (c >= 'A' && c <= 'Z')
            c = (char)(c - 'A' + 'a');
        flipped[i] = c;
    }
    FUZZ_CHECK(check(l, flipped, len, NULL) == found, "letter case changed it");
    free(flipped);
}

/* A plain ASCII one-word label (letters and digits only) must match itself. */
static void labels_find_themselves(const struct asci_labels *l, const char *list)
{
    const char *p = list;
    while (*p) {
        while (*p == ',' || *p == ' ' || *p == '\t' || *p == '\r')
            p++;
        const char *start = p;
        int plain = 1;
        while (*p && *p != ',' && *p != '\n') {
            unsigned char c = (unsigned char)*p;
            if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')))
                plain = 0;
            p++;
        }
        if (plain && p > start)
            FUZZ_CHECK(check(l, start, (size_t)(p - start), NULL) == 1,
                       "label %.*s not found "
                       "alone",
                       (int)(p - start), start);
        if (*p)
            p++;
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static struct asci_labels defaults;
    static int ready;
    struct err e = {0};
    if (!ready) {
        FUZZ_CHECK(asci_labels_init_default(&defaults, &e) == 0, "defaults: %s", e.msg);
        ready = 1;
    }
    unsigned opt = fuzz_take_byte(&data, &size);
    char *caption = malloc(size ? size : 1);
    if (!caption)
        return 0;
    if (size)
        memcpy(caption, data, size);
    invariants(&defaults, caption, size);
    if (opt & 1) {
        const char *nl = memchr(caption, '\n', size);
        size_t list_len = nl ? (size_t)(nl - caption) : size;
        char *list = malloc(list_len + 1);
        if (list) {
            memcpy(list, caption, list_len);
            list[list_len] = '\0';
            struct asci_labels mine;
            if (asci_labels_init_list(&mine, list, &e) == 0) {
                FUZZ_CHECK(mine.n > 0, "an accepted list is empty");
                invariants(&mine, caption, size);
                if (strlen(list) == list_len) /* no NUL cut the list short */
                    labels_find_themselves(&mine, list);
                asci_labels_release(&mine);
            } else {
                FUZZ_CHECK(e.code == ERR_USAGE && !mine.labels, "refused list: %d %s", e.code,
                           e.msg);
            }
            free(list);
        }
    }
    free(caption);
    return 0;
}
