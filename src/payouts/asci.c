/* asci.c — the ASCI disclosure-label check (see asci.h). Labels and captions are decoded
 * once into folded code points with the byte offset each came from; a label matches at a
 * position when its words follow there and the characters around the match are not part
 * of the same word (letters, digits, '_', or a '-', '\'' or '.' between word characters).
 * Calls only buf, err, json (json_utf8_seq) and libc. */
#include "asci.h"

#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "json.h"

#include "banned.h"

/* ASCI's labels (Advertisement, Ad, Sponsored, Collaboration, Partnership, Employee, Free
 * gift), #collab that ASCI names among the hashtags, and the same labels in Hindi for
 * posts written in Hindi; the Hindi words for collaboration and employee, common in
 * everyday sentences, count only as hashtags. */
const char *const asci_default_labels[] = {
    "Advertisement",
    "Ad",
    "Sponsored",
    "Collaboration",
    "Partnership",
    "Employee",
    "Free gift",
    "#collab",
    "\xe0\xa4\xb5\xe0\xa4\xbf\xe0\xa4\x9c\xe0\xa5\x8d\xe0\xa4\x9e\xe0\xa4\xbe\xe0\xa4\xaa\xe0\xa4"
    "\xa8", /* विज्ञापन, advertisement */
    "\xe0\xa4\xaa\xe0\xa5\x8d\xe0\xa4\xb0\xe0\xa4\xbe\xe0\xa4\xaf\xe0\xa5\x8b\xe0\xa4\x9c\xe0\xa4"
    "\xbf\xe0\xa4\xa4", /* प्रायोजित, sponsored */
    "\xe0\xa4\xb8\xe0\xa4\xbe\xe0\xa4\x9d\xe0\xa5\x87\xe0\xa4\xa6\xe0\xa4\xbe\xe0\xa4\xb0\xe0\xa5"
    "\x80", /* साझेदारी, partnership */
    "\xe0\xa4\xae\xe0\xa5\x81\xe0\xa4\xab\xe0\xa4\xbc\xe0\xa5\x8d\xe0\xa4\xa4 \xe0\xa4\x89\xe0"
    "\xa4\xaa\xe0\xa4\xb9\xe0\xa4\xbe\xe0\xa4\xb0", /* मुफ़्त उपहार, free gift */
    "\xe0\xa4\xae\xe0\xa5\x81\xe0\xa4\xab\xe0\xa5\x8d\xe0\xa4\xa4 \xe0\xa4\x89\xe0\xa4\xaa\xe0"
    "\xa4\xb9\xe0\xa4\xbe\xe0\xa4\xb0", /* मुफ्त उपहार, free gift without the nukta */
    "#\xe0\xa4\xb8\xe0\xa4\xb9\xe0\xa4\xaf\xe0\xa5\x8b\xe0\xa4\x97", /* #सहयोग, collaboration */
    "#\xe0\xa4\x95\xe0\xa4\xb0\xe0\xa5\x8d\xe0\xa4\xae\xe0\xa4\x9a\xe0\xa4\xbe\xe0\xa4\xb0\xe0"
    "\xa5\x80", /* #कर्मचारी, employee */
};
const size_t asci_default_nlabels = sizeof asci_default_labels / sizeof asci_default_labels[0];

/* Scripts a label may be written in. Latin labels count everywhere; a label in a script
 * of one of the 128-code-point blocks from Greek to Malayalam counts where the caption has
 * other letters of that block. */
#define SCRIPT_LATIN (-1)
#define SCRIPT_NONE (-2)

struct asci_label {
    uint32_t *cps; /* folded code points, words separated by ' ' */
    size_t ncps;
    int hashtag_only;
    int script; /* SCRIPT_LATIN, or a block number (code point >> 7) */
};

/* A decoded text: folded code points and the byte offset and length each came from. */
struct folded {
    uint32_t *cps;
    size_t *off;
    size_t *len;
    size_t n;
};

#define REPLACEMENT 0xFFFDu

/* Decodes one code point at s (len > 0 bytes left); sets *used. Invalid input gives
 * REPLACEMENT for one byte. */
static uint32_t decode(const unsigned char *s, size_t len, size_t *used)
{
    int n = json_utf8_seq(s, len);
    *used = 1;
    if (n == 1)
        return s[0];
    if (n < 0)
        return REPLACEMENT;
    uint32_t cp = s[0] & (0x7Fu >> n);
    for (int i = 1; i < n; i++)
        cp = (cp << 6) | (s[i] & 0x3Fu);
    *used = (size_t)n;
    return cp;
}

/* Characters inside a word: ASCII letters, digits and '_', and the letters and marks of
 * the alphabets a caption is written in. Punctuation, symbols, spaces and emoji are not. */
static int is_word(uint32_t c)
{
    if (c < 0x80)
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
               c == '_';
    if (c >= 0xC0 && c <= 0x24F)
        return c != 0xD7 && c != 0xF7;
    if (c >= 0x300 && c <= 0x6FF) /* combining marks, Greek, Cyrillic, Armenian, Hebrew, Arabic */
        return 1;
    if (c >= 0x900 && c <= 0xDFF) /* Indic scripts, without the danda punctuation */
        return c != 0x964 && c != 0x965;
    if (c >= 0xE00 && c <= 0xE7F) /* Thai */
        return 1;
    if (c >= 0x1E00 && c <= 0x1FFF) /* Latin and Greek extended */
        return 1;
    if (c >= 0x3040 && c <= 0x9FFF) /* kana, CJK */
        return 1;
    if (c >= 0xA8E0 && c <= 0xA8FF) /* Devanagari extended */
        return 1;
    if (c >= 0xAC00 && c <= 0xD7AF) /* Hangul */
        return 1;
    if ((c >= 0xFF10 && c <= 0xFF19) || (c >= 0xFF21 && c <= 0xFF3A) ||
        (c >= 0xFF41 && c <= 0xFF5A)) /* fullwidth letters and digits */
        return 1;
    return 0;
}

/* The script a letter belongs to, for the "written in that script" rule. */
static int script_of(uint32_t c)
{
    if (c < 0x80 || (c >= 0xC0 && c <= 0x24F) || (c >= 0x1E00 && c <= 0x1EFF))
        return SCRIPT_LATIN;
    if (c >= 0xA8E0 && c <= 0xA8FF)
        return 0x900 >> 7; /* Devanagari extended counts as Devanagari */
    if (c >= 0x370 && c <= 0xDFF && is_word(c) && !(c >= 0x966 && c <= 0x96F))
        return (int)(c >> 7);
    return SCRIPT_NONE;
}

/* Case folding and the few equivalences matching needs. Returns the number of folded code
 * points written to out (0 for an ignored character, 2 for a decomposed nukta letter). */
static size_t fold(uint32_t c, uint32_t out[2])
{
    if (c == 0x200C || c == 0x200D || c == 0xAD) /* ZWNJ, ZWJ, soft hyphen */
        return 0;
    if (c >= 'A' && c <= 'Z')
        c += 'a' - 'A';
    else if (c >= 0xC0 && c <= 0xDE && c != 0xD7)
        c += 0x20;
    else if (c >= 0xFF21 && c <= 0xFF3A) /* fullwidth A-Z */
        c = c - 0xFF21 + 'a';
    else if (c >= 0xFF41 && c <= 0xFF5A)
        c = c - 0xFF41 + 'a';
    else if (c >= 0xFF10 && c <= 0xFF19)
        c = c - 0xFF10 + '0';
    else if (c == 0xFF03) /* fullwidth number sign */
        c = '#';
    else if (c == 0xA0 || c == 0x2007 || c == 0x202F) /* no-break spaces */
        c = ' ';
    if (c >= 0x958 && c <= 0x95F) {
        /* क़ ख़ ग़ ज़ ड़ ढ़ फ़ य़: the letter followed by the nukta (U+093C) */
        static const uint32_t base[] = {0x915, 0x916, 0x917, 0x91C, 0x921, 0x922, 0x92B, 0x92F};
        out[0] = base[c - 0x958];
        out[1] = 0x93C;
        return 2;
    }
    out[0] = c;
    return 1;
}

static void folded_release(struct folded *f)
{
    free(f->cps);
    free(f->off);
    free(f->len);
    memset(f, 0, sizeof *f);
}

/* Decodes and folds s[0..len); offsets are relative to s. */
static void folded_init(struct folded *f, const char *s, size_t len)
{
    /* at most two folded code points per byte */
    f->cps = xmalloc((2 * len + 1) * sizeof *f->cps);
    f->off = xmalloc((2 * len + 1) * sizeof *f->off);
    f->len = xmalloc((2 * len + 1) * sizeof *f->len);
    f->n = 0;
    for (size_t i = 0; i < len;) {
        size_t used;
        uint32_t c = decode((const unsigned char *)s + i, len - i, &used);
        uint32_t out[2];
        size_t k = fold(c, out);
        for (size_t j = 0; j < k; j++) {
            f->cps[f->n] = out[j];
            f->off[f->n] = i;
            f->len[f->n] = used;
            f->n++;
        }
        i += used;
    }
}

static int is_separator(uint32_t c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '-' || c == '_';
}

static int is_joiner(uint32_t c)
{
    return c == '-' || c == '\'' || c == 0x2019 || c == '.';
}

/* Whether a word may start at position i: nothing before it, or a character that is not
 * part of a word and does not join two words (x-ad, user@ad, site/ad, x#ad). */
static int boundary_before(const struct folded *t, size_t i)
{
    if (i == 0)
        return 1;
    uint32_t c = t->cps[i - 1];
    if (is_word(c) || c == '@')
        return 0;
    if (c == '#') /* a hashtag's word: the boundary is the one before the '#' (x#ad is not) */
        return boundary_before(t, i - 1);
    if ((is_joiner(c) || c == '/') && i >= 2 && is_word(t->cps[i - 2]))
        return 0;
    return 1;
}

static int boundary_after(const struct folded *t, size_t i)
{
    if (i >= t->n)
        return 1;
    uint32_t c = t->cps[i];
    if (is_word(c))
        return 0;
    if (is_joiner(c) && i + 1 < t->n && is_word(t->cps[i + 1]))
        return 0;
    return 1;
}

/* Matches label at t[i..]; returns the position after the match, or 0. hashtag says the
 * match began with '#', where words may also run together. */
static size_t match_at(const struct asci_label *label, const struct folded *t, size_t i,
                       int hashtag)
{
    size_t k = 0;
    while (k < label->ncps) {
        if (label->cps[k] == ' ') {
            /* between words: one or more separators, or none inside a hashtag */
            size_t start = i;
            while (i < t->n && is_separator(t->cps[i]))
                i++;
            if (i == start && !hashtag)
                return 0;
            if (hashtag && i > start) {
                /* a hashtag ends at a space: only '-' and '_' may join its words */
                for (size_t j = start; j < i; j++)
                    if (t->cps[j] != '-' && t->cps[j] != '_')
                        return 0;
            }
            k++;
            continue;
        }
        if (i >= t->n || t->cps[i] != label->cps[k])
            return 0;
        i++;
        k++;
    }
    return i;
}

/* Whether the caption has letters of the label's script outside [from, to). */
static int written_in(const struct folded *t, int script, size_t from, size_t to)
{
    if (script == SCRIPT_LATIN)
        return 1;
    for (size_t i = 0; i < t->n; i++)
        if ((i < from || i >= to) && script_of(t->cps[i]) == script)
            return 1;
    return 0;
}

int asci_check(const struct asci_labels *l, const char *caption, size_t len, struct asci_match *m,
               struct err *e)
{
    if (len > ASCI_CAPTION_MAX)
        return err_set(e, ERR_LIMIT, "caption of %zu bytes is longer than the %zu checked", len,
                       ASCI_CAPTION_MAX);
    struct folded t;
    folded_init(&t, caption, len);
    int found = 0;
    for (size_t i = 0; i < t.n && !found; i++) {
        int hashtag = t.cps[i] == '#';
        size_t start = hashtag ? i + 1 : i;
        if (!boundary_before(&t, i) || start >= t.n)
            continue;
        for (size_t li = 0; li < l->n; li++) {
            const struct asci_label *label = &l->labels[li];
            if (label->hashtag_only && !hashtag)
                continue;
            size_t end = match_at(label, &t, start, hashtag);
            if (end == 0 || !boundary_after(&t, end) || !written_in(&t, label->script, i, end))
                continue;
            if (m) {
                m->label = li;
                m->offset = t.off[i];
                m->len = t.off[end - 1] + t.len[end - 1] - t.off[i];
            }
            found = 1;
            break;
        }
    }
    folded_release(&t);
    return found;
}

/* ---- the label list ---- */

static void label_release(struct asci_label *label)
{
    free(label->cps);
}

void asci_labels_release(struct asci_labels *l)
{
    for (size_t i = 0; i < l->n; i++)
        label_release(&l->labels[i]);
    free(l->labels);
    l->labels = NULL;
    l->n = 0;
}

static int compile(struct asci_label *label, const char *s, size_t len, struct err *e)
{
    memset(label, 0, sizeof *label);
    if (len == 0)
        return err_set(e, ERR_USAGE, "an ASCI label is empty; give each label in words");
    if (len > ASCI_LABEL_MAX)
        return err_set(e, ERR_USAGE, "ASCI label \"%.*s...\" is longer than %d bytes", 20, s,
                       ASCI_LABEL_MAX);
    struct folded f;
    folded_init(&f, s, len);
    size_t k = 0;
    int rc = 0;
    if (f.n > 0 && f.cps[0] == '#') {
        label->hashtag_only = 1;
        k = 1;
    }
    label->cps = xmalloc((f.n + 1) * sizeof *label->cps);
    label->script = SCRIPT_NONE;
    for (; k < f.n; k++) {
        uint32_t c = f.cps[k];
        if (c == REPLACEMENT && f.len[k] == 1) {
            rc = err_set(e, ERR_USAGE, "ASCI label \"%.*s\" is not valid UTF-8", (int)len, s);
            break;
        }
        if (c == ' ') {
            if (label->ncps == 0 || label->cps[label->ncps - 1] == ' ' || k + 1 == f.n) {
                rc = err_set(e, ERR_USAGE,
                             "ASCI label \"%.*s\": separate its words with single spaces", (int)len,
                             s);
                break;
            }
        } else if (!is_word(c)) {
            rc = err_set(e, ERR_USAGE,
                         "ASCI label \"%.*s\": only letters, digits and spaces between words can "
                         "be matched as a word (a leading # makes it hashtag-only)",
                         (int)len, s);
            break;
        } else if (label->script == SCRIPT_NONE && script_of(c) != SCRIPT_NONE) {
            label->script = script_of(c);
        }
        label->cps[label->ncps++] = c;
    }
    if (rc == 0 && label->ncps == 0)
        rc = err_set(e, ERR_USAGE, "ASCI label \"%.*s\" has no word after the #", (int)len, s);
    if (label->script == SCRIPT_NONE)
        label->script = SCRIPT_LATIN; /* digits only, or scripts without the rule */
    folded_release(&f);
    if (rc < 0)
        label_release(label);
    return rc;
}

static int init_from(struct asci_labels *l, size_t n, const char *const *labels, const size_t *lens,
                     struct err *e)
{
    l->labels = NULL;
    l->n = 0;
    if (n == 0)
        return err_set(e, ERR_USAGE, "the ASCI label list is empty: every post would be flagged");
    if (n > ASCI_LABELS_MAX)
        return err_set(e, ERR_USAGE, "%zu ASCI labels, more than the %d allowed", n,
                       ASCI_LABELS_MAX);
    l->labels = xcalloc(n, sizeof *l->labels);
    for (size_t i = 0; i < n; i++) {
        int rc = compile(&l->labels[i], labels[i], lens ? lens[i] : strlen(labels[i]), e);
        if (rc < 0) {
            asci_labels_release(l);
            return rc;
        }
        l->n++;
    }
    return 0;
}

int asci_labels_init(struct asci_labels *l, const char *const *labels, size_t n, struct err *e)
{
    return init_from(l, n, labels, NULL, e);
}

int asci_labels_init_default(struct asci_labels *l, struct err *e)
{
    return asci_labels_init(l, asci_default_labels, asci_default_nlabels, e);
}

int asci_labels_init_list(struct asci_labels *l, const char *list, struct err *e)
{
    const char *starts[ASCI_LABELS_MAX];
    size_t lens[ASCI_LABELS_MAX];
    size_t n = 0;
    for (const char *p = list;;) {
        const char *end = p;
        while (*end && *end != ',' && *end != '\n')
            end++;
        const char *a = p, *b = end;
        while (a < b && (*a == ' ' || *a == '\t' || *a == '\r'))
            a++;
        while (b > a && (b[-1] == ' ' || b[-1] == '\t' || b[-1] == '\r'))
            b--;
        if (b > a) {
            if (n == ASCI_LABELS_MAX)
                return err_set(e, ERR_USAGE, "more than %d ASCI labels", ASCI_LABELS_MAX);
            starts[n] = a;
            lens[n] = (size_t)(b - a);
            n++;
        }
        if (!*end)
            break;
        p = end + 1;
    }
    return init_from(l, n, starts, lens, e);
}
