/* cli_options.h — the commands' option tables, in the style of git's parse-options: one
 * table per command gives each option's names, argument, help line and where its value goes;
 * cli_parse reads a command line with it and cli_usage prints the command's usage from it, so
 * that the help and the parsing cannot drift. Calls number and err.
 *
 * A command's values live in a struct of its own (struct import_args ...); each entry names
 * the field its value goes to by offset (the CLI_* macros below), so the tables are static
 * and `infludash help` can print every command's usage. Adding an option is one entry:
 *
 *     CLI_U64(struct demo_args, rows, "--rows", "N", "tracking rows to generate (default 20000)"),
 */
#ifndef INFLUDASH_CLI_OPTIONS_H
#define INFLUDASH_CLI_OPTIONS_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "err.h"

#define EXIT_PARTIAL 2
#define EXIT_USAGE 64
/* cli_parse: the command line was read; go on. */
#define CLI_PARSED (-1)

enum cli_option_type {
    CLI_OPT_END = 0,
    CLI_OPT_STRING,   /* const char *: the value as given */
    CLI_OPT_FLAG,     /* int: set to 1 */
    CLI_OPT_U64,      /* uint64_t: a whole number with an optional K, M or G suffix */
    CLI_OPT_UNSIGNED, /* unsigned: as CLI_OPT_U64 */
    CLI_OPT_SIZE,     /* size_t: as CLI_OPT_U64 */
    CLI_OPT_NUMBER,   /* double: a number from 0 to max */
    CLI_OPT_CALLBACK, /* callback(field, option, value): converts and checks the value itself */
    CLI_OPT_MATCH,    /* match(field, argc, argv, &i, e): a family of options the callee reads
                         (the filters); shown as [arg] and its help as a paragraph */
};

struct cli_option {
    enum cli_option_type type;
    const char *name;    /* "--db" */
    const char *aliases; /* other names, space-separated ("-w"); NULL for none */
    const char *arg;     /* the value's placeholder ("URL"); NULL for a flag */
    const char *help;    /* its line in the option list ('\n' starts another); NULL: not listed */
    size_t offset;       /* where the value goes: the field's offset in the command's struct */
    /* The usage lines (cli_form labels, space-separated) that show it; NULL: every line. */
    const char *forms;
    /* The usage lines that show it without brackets, as required (the command checks). */
    const char *required;
    /* CLI_OPT_U64, CLI_OPT_UNSIGNED, CLI_OPT_SIZE: the range when max > 0, with unit ("seconds")
     * in the message; CLI_OPT_NUMBER: from 0 to max. */
    double min, max;
    const char *unit;
    /* CLI_OPT_CALLBACK: 0, or -1 after printing why the value is bad. data is the entry's. */
    int (*callback)(void *field, const struct cli_option *opt, const char *value);
    const void *data;
    /* CLI_OPT_MATCH: 1 when argv[*i] was one of its options (*i advanced past it), 0 when not,
     * -1 with e set when its value is bad. */
    int (*match)(void *field, int argc, char **argv, int *i, struct err *e);
};

/* One usage line of a command: label (for cli_option.forms) and the words that open it after
 * the command's name ("add NAME"). */
struct cli_form {
    const char *label, *words;
};

struct cli_command {
    const char *name;
    const char *summary;          /* its line in `infludash help` */
    const struct cli_form *forms; /* {NULL, NULL}-terminated; NULL: one usage line */
    const char *operands;         /* after the options on every usage line ("FILE..."), or NULL */
    int max_operands;             /* how many operands it takes; -1: any number */
    const char *text;             /* what it does, after the usage lines; NULL for nothing */
    const struct cli_option *options; /* CLI_OPT_END-terminated */
};

/* The field's offset; comparing its address with a type * warns when the field is not one. */
#define CLI_FIELD_(T, f, type) (offsetof(T, f) + 0 * sizeof(&((T *)0)->f == (type *)0))
/* forms, required: the usage lines that show it, and show it as required (NULL: all, none). */
#define CLI_STRING_F(T, f, name, aliases, arg, help, forms, required)                              \
    {                                                                                              \
        CLI_OPT_STRING, name, aliases, arg, help, CLI_FIELD_(T, f, const char *), forms, required, \
            0, 0, NULL, NULL, NULL, NULL                                                           \
    }
#define CLI_STRING(T, f, name, arg, help) CLI_STRING_F(T, f, name, NULL, arg, help, NULL, NULL)
#define CLI_STRING_A(T, f, name, aliases, arg, help)                                               \
    CLI_STRING_F(T, f, name, aliases, arg, help, NULL, NULL)
#define CLI_FLAG(T, f, name, aliases, help)                                                        \
    {                                                                                              \
        CLI_OPT_FLAG, name, aliases, NULL, help, CLI_FIELD_(T, f, int), NULL, NULL, 0, 0, NULL,    \
            NULL, NULL, NULL                                                                       \
    }
#define CLI_U64(T, f, name, arg, help)                                                             \
    {                                                                                              \
        CLI_OPT_U64, name, NULL, arg, help, CLI_FIELD_(T, f, uint64_t), NULL, NULL, 0, 0, NULL,    \
            NULL, NULL, NULL                                                                       \
    }
#define CLI_SIZE(T, f, name, arg, help)                                                            \
    {                                                                                              \
        CLI_OPT_SIZE, name, NULL, arg, help, CLI_FIELD_(T, f, size_t), NULL, NULL, 0, 0, NULL,     \
            NULL, NULL, NULL                                                                       \
    }
#define CLI_UNSIGNED(T, f, name, arg, help, lo, hi, unit)                                          \
    {                                                                                              \
        CLI_OPT_UNSIGNED, name, NULL, arg, help, CLI_FIELD_(T, f, unsigned), NULL, NULL, lo, hi,   \
            unit, NULL, NULL, NULL                                                                 \
    }
#define CLI_U64_RANGE(T, f, name, arg, help, lo, hi, unit)                                         \
    {                                                                                              \
        CLI_OPT_U64, name, NULL, arg, help, CLI_FIELD_(T, f, uint64_t), NULL, NULL, lo, hi, unit,  \
            NULL, NULL, NULL                                                                       \
    }
#define CLI_NUMBER(T, f, name, arg, help, hi)                                                      \
    {                                                                                              \
        CLI_OPT_NUMBER, name, NULL, arg, help, CLI_FIELD_(T, f, double), NULL, NULL, 0, hi, NULL,  \
            NULL, NULL, NULL                                                                       \
    }
/* The field is passed to fn as void * (any type); forms/required as in struct cli_option. */
#define CLI_CALLBACK(T, f, name, aliases, arg, help, fn, data, forms, required)                    \
    {                                                                                              \
        CLI_OPT_CALLBACK, name, aliases, arg, help, offsetof(T, f), forms, required, 0, 0, NULL,   \
            fn, data, NULL                                                                         \
    }
#define CLI_MATCH(T, f, arg, help, fn)                                                             \
    {                                                                                              \
        CLI_OPT_MATCH, arg, NULL, arg, help, offsetof(T, f), NULL, NULL, 0, 0, NULL, NULL, NULL,   \
            fn                                                                                     \
    }
#define CLI_END                                                                                    \
    {                                                                                              \
        CLI_OPT_END, NULL, NULL, NULL, NULL, 0, NULL, NULL, 0, 0, NULL, NULL, NULL, NULL           \
    }

/* Reads the command's arguments (argv[0] is the first after its name) with cmd's table into
 * args, the command's struct (its defaults already set). The operands are moved, in order,
 * to the front of argv and counted in *noperands. Returns CLI_PARSED to go on, or the exit
 * status to return at once: 0 after printing the usage to stdout for --help, -h or help;
 * EXIT_USAGE after printing to stderr why the line is wrong (an option without its value,
 * a bad value, an unknown option or operand: those last two with the usage). */
int cli_parse(const struct cli_command *cmd, void *args, int argc, char **argv, int *noperands);

/* The usage lines, the command's text, the option list and the paragraphs of its families. */
void cli_usage(const struct cli_command *cmd, FILE *f);

/* The usage line of cmd labelled label (a subcommand: "add"), or NULL. */
const struct cli_form *cli_form_find(const struct cli_command *cmd, const char *label);

/* "--help", "-h" or "help". */
int cli_is_help(const char *a);
/* A whole number with an optional K, M or G suffix; -1 with a message when it is not. */
int cli_parse_u64(const char *name, const char *s, uint64_t *out);

#endif
