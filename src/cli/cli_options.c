/* cli_options.c — reads a command line with the command's option table and prints the
 * command's usage from the same table (cli_options.h). Calls number and err; prints the
 * usage to the stream given and why a command line is wrong to stderr. */
#include "cli_options.h"

#include <stdlib.h>
#include <string.h>

#include "number.h"

#include "banned.h"

/* Where the usage lines wrap, and the column of the option list's help. */
#define USAGE_WIDTH 80
#define HELP_COLUMN 28

int cli_is_help(const char *a)
{
    return !strcmp(a, "--help") || !strcmp(a, "-h") || !strcmp(a, "help");
}

int cli_parse_u64(const char *name, const char *s, uint64_t *out)
{
    /* the whole text is the number (number.h), with an optional size suffix K, M or G */
    size_t len = strlen(s);
    while (len && s[len - 1] == ' ')
        len--;
    unsigned shift = 0;
    if (len && strchr("KkMmGg", s[len - 1])) {
        char c = (char)(s[len - 1] | 0x20);
        shift = c == 'k' ? 10 : c == 'm' ? 20 : 30;
        len--;
    }
    uint64_t v;
    if (number_parse_u64(s, len, &v) < 0 || (shift && v > UINT64_MAX >> shift)) {
        fprintf(stderr, "infludash: %s: \"%s\" is not a whole number\n", name, s);
        return -1;
    }
    *out = v << shift;
    return 0;
}

/* Whether word is one of the space-separated words of list. */
static int in_list(const char *list, const char *word)
{
    size_t n = strlen(word);
    for (const char *p = list; *p;) {
        size_t len = strcspn(p, " ");
        if (len == n && strncmp(p, word, n) == 0)
            return 1;
        p += len;
        p += strspn(p, " ");
    }
    return 0;
}

/* How argv[i] names the option: the length of the name when it is name or one of its
 * aliases, alone or followed by "=VALUE"; 0 when not. */
static size_t name_match(const struct cli_option *o, const char *a)
{
    const char *names[2] = {o->name, o->aliases ? o->aliases : ""};
    for (int k = 0; k < 2; k++)
        for (const char *p = names[k]; *p;) {
            size_t len = strcspn(p, " ");
            if (len && strncmp(a, p, len) == 0 && (a[len] == '\0' || a[len] == '='))
                return len;
            p += len;
            p += strspn(p, " ");
        }
    return 0;
}

/* The option's value into its field; -1 after printing why it is bad. */
static int store_value(const char *cmd, const struct cli_option *o, const char *value, void *args)
{
    void *field = (char *)args + o->offset;
    uint64_t v = 0;
    switch (o->type) {
    case CLI_OPT_STRING:
        *(const char **)field = value;
        return 0;
    case CLI_OPT_FLAG:
        *(int *)field = 1;
        return 0;
    case CLI_OPT_CALLBACK:
        return o->callback(field, o, value);
    case CLI_OPT_NUMBER: {
        double d;
        if (number_parse_double(value, strlen(value), &d) < 0 || !(d >= 0 && d <= o->max)) {
            fprintf(stderr, "infludash: %s: \"%s\" is not a number from 0 to %g\n", o->name, value,
                    o->max);
            return -1;
        }
        *(double *)field = d;
        return 0;
    }
    case CLI_OPT_U64:
    case CLI_OPT_UNSIGNED:
    case CLI_OPT_SIZE:
        if (cli_parse_u64(o->name, value, &v) < 0)
            return -1;
        if (o->max > 0 && ((double)v < o->min || (double)v > o->max)) {
            fprintf(stderr, "infludash %s: %s %s: expected %.0f to %.0f%s%s\n", cmd, o->name, value,
                    o->min, o->max, o->unit ? " " : "", o->unit ? o->unit : "");
            return -1;
        }
        if (o->type == CLI_OPT_U64)
            *(uint64_t *)field = v;
        else if (o->type == CLI_OPT_UNSIGNED)
            *(unsigned *)field = (unsigned)v;
        else
            *(size_t *)field = (size_t)v;
        return 0;
    case CLI_OPT_MATCH:
    case CLI_OPT_END:
        break;
    }
    return -1;
}

int cli_parse(const struct cli_command *cmd, void *args, int argc, char **argv, int *noperands)
{
    int i = 0, nops = 0;
    *noperands = 0;
    while (i < argc) {
        const char *a = argv[i];
        if (cli_is_help(a)) {
            cli_usage(cmd, stdout);
            return 0;
        }
        int matched = 0;
        for (const struct cli_option *o = cmd->options; o->type != CLI_OPT_END && !matched; o++) {
            if (o->type == CLI_OPT_MATCH)
                continue;
            size_t len = name_match(o, a);
            if (!len)
                continue;
            const char *value = NULL;
            if (!o->arg) { /* a flag: its name alone */
                if (a[len] != '\0')
                    continue;
                i++;
            } else if (a[len] == '=') {
                value = a + len + 1;
                i++;
            } else if (i + 1 < argc) {
                value = argv[i + 1];
                i += 2;
            } else {
                fprintf(stderr, "infludash: %.*s needs a value\n", (int)len, a);
                return EXIT_USAGE;
            }
            if (store_value(cmd->name, o, value, args) < 0)
                return EXIT_USAGE;
            matched = 1;
        }
        for (const struct cli_option *o = cmd->options; o->type != CLI_OPT_END && !matched; o++) {
            if (o->type != CLI_OPT_MATCH)
                continue;
            struct err e = {0, ""};
            int rc = o->match((char *)args + o->offset, argc, argv, &i, &e);
            if (rc < 0) {
                fprintf(stderr, "infludash %s: %s\n", cmd->name, e.msg);
                return EXIT_USAGE;
            }
            matched = rc > 0;
        }
        if (matched)
            continue;
        if (cmd->max_operands == 0 || (a[0] == '-' && a[1] != '\0')) {
            fprintf(stderr, "infludash %s: unknown option \"%s\"\n\n", cmd->name, a);
            cli_usage(cmd, stderr);
            return EXIT_USAGE;
        }
        if (cmd->max_operands > 0 && nops >= cmd->max_operands) {
            fprintf(stderr, "infludash %s: unexpected \"%s\"\n\n", cmd->name, a);
            cli_usage(cmd, stderr);
            return EXIT_USAGE;
        }
        argv[nops++] = argv[i++]; /* nops <= i: an operand moves only forward */
    }
    *noperands = nops;
    return CLI_PARSED;
}

const struct cli_form *cli_form_find(const struct cli_command *cmd, const char *label)
{
    for (const struct cli_form *f = cmd->forms; f && f->label; f++)
        if (strcmp(f->label, label) == 0)
            return f;
    return NULL;
}

/* ---- usage -------------------------------------------------------------------------- */

/* One word of a usage line, wrapped under the first option when the line is full. */
static void usage_word(FILE *f, const char *word, size_t *col, size_t indent)
{
    size_t len = strlen(word);
    if (*col + 1 + len > USAGE_WIDTH && *col > indent) {
        fprintf(f, "\n%*s", (int)indent, "");
        *col = indent;
    } else {
        fputc(' ', f);
        (*col)++;
    }
    fputs(word, f);
    *col += len;
}

static void usage_line(const struct cli_command *cmd, const struct cli_form *form, int first,
                       FILE *f)
{
    char lead[64], word[160];
    snprintf(lead, sizeof lead, "%sinfludash %s", first ? "usage: " : "       ", cmd->name);
    fputs(lead, f);
    size_t col = strlen(lead), indent = col + 1;
    if (form && form->words[0]) {
        /* the form's words as one piece: "add NAME" */
        usage_word(f, form->words, &col, indent);
        indent = col + 1;
    }
    for (const struct cli_option *o = cmd->options; o->type != CLI_OPT_END; o++) {
        if (form && o->forms && !in_list(o->forms, form->label))
            continue;
        int required = form && o->required && in_list(o->required, form->label);
        if (o->type == CLI_OPT_MATCH)
            snprintf(word, sizeof word, "[%s]", o->arg);
        else if (!o->arg)
            snprintf(word, sizeof word, "[%s]", o->name);
        else
            snprintf(word, sizeof word, "%s%s %s%s", required ? "" : "[", o->name, o->arg,
                     required ? "" : "]");
        usage_word(f, word, &col, indent);
    }
    if (cmd->operands)
        usage_word(f, cmd->operands, &col, indent);
    fputc('\n', f);
}

/* "  -w, --workspace SLUG  help", the help's further lines under its first. */
static void option_entry(const struct cli_option *o, FILE *f)
{
    char names[160];
    size_t n = 0;
    names[0] = '\0';
    /* the short aliases (-w), the name, the long aliases (--output) */
    for (int pass = 0; pass < 2; pass++) {
        if (pass == 1)
            n += (size_t)snprintf(names + n, sizeof names - n, "%s, ", o->name);
        for (const char *p = o->aliases ? o->aliases : ""; *p && n < sizeof names;) {
            size_t len = strcspn(p, " ");
            if ((len == 2) == (pass == 0))
                n += (size_t)snprintf(names + n, sizeof names - n, "%.*s, ", (int)len, p);
            p += len;
            p += strspn(p, " ");
        }
    }
    n -= 2; /* the last ", " */
    snprintf(names + n, sizeof names - n, "%s%s", o->arg ? " " : "", o->arg ? o->arg : "");
    int width = fprintf(f, "  %s", names);
    const char *h = o->help;
    int first = 1;
    while (*h) {
        size_t len = strcspn(h, "\n");
        if (!first || width + 2 > HELP_COLUMN) {
            if (first)
                fputc('\n', f);
            width = 0;
        }
        fprintf(f, "%*s%.*s\n", HELP_COLUMN - width, "", (int)len, h);
        h += len;
        if (*h == '\n')
            h++;
        first = 0;
    }
}

void cli_usage(const struct cli_command *cmd, FILE *f)
{
    if (cmd->forms)
        for (const struct cli_form *form = cmd->forms; form->label; form++)
            usage_line(cmd, form, form == cmd->forms, f);
    else
        usage_line(cmd, NULL, 1, f);
    if (cmd->text)
        fprintf(f, "\n%s", cmd->text);
    int listed = 0;
    for (const struct cli_option *o = cmd->options; o->type != CLI_OPT_END; o++) {
        if (o->type == CLI_OPT_MATCH || !o->help)
            continue;
        if (!listed++)
            fputs("\noptions:\n", f);
        option_entry(o, f);
    }
    for (const struct cli_option *o = cmd->options; o->type != CLI_OPT_END; o++)
        if (o->type == CLI_OPT_MATCH && o->help)
            fprintf(f, "\n%s", o->help);
}
