/* asci.h — does a caption carry one of the disclosure labels ASCI's guidelines for
 * influencer advertising in digital media accept (SPEC §11, docs/payouts.md)? A label
 * counts as a whole word or as a hashtag, in any letter case: "Ad:" and "#ad" do,
 * "adorable", "#adidas" and "ad-free" do not. The list is the caller's; asci_default_labels
 * is the one the product ships. Calls only buf, err, json (json_utf8_seq) and libc.
 *
 * Label syntax: words separated by single spaces ("Free gift"); in a caption the words may
 * be separated by spaces, '-' or '_', and in a hashtag by nothing ("#FreeGift"). A label
 * starting with '#' counts only as a hashtag ("#collab"). A label in another script than
 * Latin (Hindi: "विज्ञापन") counts only in a caption written in that script, as ASCI asks
 * for the label in English or in the language of the post.
 *
 * Matching is on code points: ASCII and Latin-1 letters fold case, Devanagari letters with
 * a nukta match whether precomposed or not, and ZWJ, ZWNJ and soft hyphens are ignored.
 * Invalid UTF-8 never matches and never joins words. */
#ifndef INFLUDASH_ASCI_H
#define INFLUDASH_ASCI_H

#include <stddef.h>
#include <stdint.h>

#include "err.h"

/* The shipped list (docs/payouts.md says where each comes from). */
extern const char *const asci_default_labels[];
extern const size_t asci_default_nlabels;

/* Longest label in bytes, most labels, longest caption checked. */
#define ASCI_LABEL_MAX 64
#define ASCI_LABELS_MAX 256
#define ASCI_CAPTION_MAX ((size_t)1 << 20)

struct asci_label; /* a label folded for matching */

struct asci_labels {
    struct asci_label *labels;
    size_t n;
};

/* Compiles labels (each NUL-terminated UTF-8). ERR_USAGE names a label that is empty,
 * too long, not UTF-8, or holds a character that cannot be part of a word (only letters,
 * digits and single spaces between words, after an optional leading '#'). */
int asci_labels_init(struct asci_labels *l, const char *const *labels, size_t n, struct err *e);
/* The same from one setting: labels separated by commas or new lines, spaces around each
 * dropped ("Ad, Sponsored, #collab"). */
int asci_labels_init_list(struct asci_labels *l, const char *list, struct err *e);
/* The shipped list. */
int asci_labels_init_default(struct asci_labels *l, struct err *e);
void asci_labels_release(struct asci_labels *l);

/* Where a label was found: bytes [offset, offset + len) of the caption ('#' included). */
struct asci_match {
    size_t label; /* index into the list */
    size_t offset;
    size_t len;
};

/* 1 when the caption (len bytes, UTF-8) carries a label (the first in the caption goes
 * into m when m is not NULL), 0 when it carries none, ERR_LIMIT past ASCI_CAPTION_MAX. */
int asci_check(const struct asci_labels *l, const char *caption, size_t len, struct asci_match *m,
               struct err *e);

#endif
