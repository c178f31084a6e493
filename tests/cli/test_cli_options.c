/* test_cli_options.c — the option tables (cli_options.h): each kind of value into its field,
 * "--name VALUE" and "--name=VALUE", aliases, a missing value, a bad number, a range, an
 * unknown option, operands moved to the front and counted, a family of options read by its
 * callee, help, and the usage printed from the same table (brackets, required options, forms,
 * wrapping, the option list). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli_options.h"

#include "banned.h"

struct args {
    const char *db, *name, *color;
    int flag;
    uint64_t rows;
    unsigned conns;
    size_t field;
    double ratio;
    int families; /* how many "+x" the family took */
};

static int color_option(void *field, const struct cli_option *o, const char *value)
{
    if (strcmp(value, "red") != 0 && strcmp(value, "blue") != 0) {
        fprintf(stderr, "test: %s must be red or blue\n", o->name);
        return -1;
    }
    *(const char **)field = value;
    return 0;
}

/* Takes "+x" words; "+bad" is an error. */
static int plus_match(void *field, int argc, char **argv, int *i, struct err *e)
{
    (void)argc;
    if (argv[*i][0] != '+')
        return 0;
    if (!strcmp(argv[*i], "+bad"))
        return err_set(e, ERR_USAGE, "%s: a bad family member", argv[*i]);
    (*(int *)field)++;
    (*i)++;
    return 1;
}

static const struct cli_option options[] = {
    CLI_STRING(struct args, db, "--db", "URL", "the database"),
    CLI_STRING_F(struct args, name, "--name", "-n --title", "NAME", "a name\non two lines", "add",
                 "add"),
    CLI_CALLBACK(struct args, color, "--color", NULL, "red|blue", "a colour", color_option, NULL,
                 NULL, NULL),
    CLI_FLAG(struct args, flag, "--flag", "-f", "a flag"),
    CLI_U64(struct args, rows, "--rows", "N", "rows"),
    CLI_UNSIGNED(struct args, conns, "--conns", "N", "connections", 1, 100, "connections"),
    CLI_SIZE(struct args, field, "--field", "BYTES", "a size"),
    CLI_NUMBER(struct args, ratio, "--ratio", "X", "a ratio", 10),
    CLI_MATCH(struct args, families, "PLUS", "plus words:\n  +x  one more\n", plus_match),
    CLI_END,
};

static const struct cli_form forms[] = {{"add", "add ITEM"}, {"list", "list"}, {NULL, NULL}};

static const struct cli_command cmd = {
    "thing", "does things", forms, "FILE...", -1, "Does things to files.\n", options};
static const struct cli_command two = {"two", "at most two", NULL, NULL, 2, NULL, options};
static const struct cli_command none = {"none", "no operands", NULL, NULL, 0, NULL, options};

/* Parses the words (NULL-terminated) into a; returns cli_parse's result. */
static int parse(const struct cli_command *c, struct args *a, int *nops, char **words)
{
    int argc = 0;
    while (words[argc])
        argc++;
    memset(a, 0, sizeof *a);
    return cli_parse(c, a, argc, words, nops);
}

static void every_kind_into_its_field(void **state)
{
    (void)state;
    struct args a;
    int n;
    char *w[] = {"--db", "sqlite:x.db", "--name=Ann", "--color", "blue",    "-f",  "--rows",
                 "2K",   "--conns=7",   "--field",    "1M",      "--ratio", "2.5", NULL};
    assert_int_equal(parse(&cmd, &a, &n, w), CLI_PARSED);
    assert_string_equal(a.db, "sqlite:x.db");
    assert_string_equal(a.name, "Ann");
    assert_string_equal(a.color, "blue");
    assert_int_equal(a.flag, 1);
    assert_int_equal(a.rows, 2048);
    assert_int_equal(a.conns, 7);
    assert_int_equal(a.field, 1 << 20);
    assert_true(a.ratio == 2.5);
    assert_int_equal(n, 0);
}

static void aliases_and_operands(void **state)
{
    (void)state;
    struct args a;
    int n;
    char *w[] = {"one", "-n", "Bo", "two", "+x", "--title=Cy", "-", "+x", "three", NULL};
    assert_int_equal(parse(&cmd, &a, &n, w), CLI_PARSED);
    assert_string_equal(a.name, "Cy"); /* the last one given */
    assert_int_equal(a.families, 2);
    assert_int_equal(n, 4);
    assert_string_equal(w[0], "one");
    assert_string_equal(w[1], "two");
    assert_string_equal(w[2], "-"); /* standard input is an operand, not an option */
    assert_string_equal(w[3], "three");
}

static void usage_errors(void **state)
{
    (void)state;
    struct args a;
    int n;
    char *missing[] = {"--db", NULL};
    assert_int_equal(parse(&cmd, &a, &n, missing), EXIT_USAGE);
    char *flag_value[] = {"--flag=1", NULL}; /* a flag takes no value: not that option */
    assert_int_equal(parse(&cmd, &a, &n, flag_value), EXIT_USAGE);
    char *not_number[] = {"--rows", "abc", NULL};
    assert_int_equal(parse(&cmd, &a, &n, not_number), EXIT_USAGE);
    char *negative[] = {"--rows", "-3", NULL};
    assert_int_equal(parse(&cmd, &a, &n, negative), EXIT_USAGE);
    char *out_of_range[] = {"--conns", "101", NULL};
    assert_int_equal(parse(&cmd, &a, &n, out_of_range), EXIT_USAGE);
    char *zero[] = {"--conns", "0", NULL};
    assert_int_equal(parse(&cmd, &a, &n, zero), EXIT_USAGE);
    char *ratio[] = {"--ratio", "11", NULL};
    assert_int_equal(parse(&cmd, &a, &n, ratio), EXIT_USAGE);
    char *color[] = {"--color", "green", NULL};
    assert_int_equal(parse(&cmd, &a, &n, color), EXIT_USAGE);
    char *unknown[] = {"--colour", "red", NULL};
    assert_int_equal(parse(&cmd, &a, &n, unknown), EXIT_USAGE);
    char *prefix[] = {"--dbx", NULL}; /* a name is matched whole */
    assert_int_equal(parse(&cmd, &a, &n, prefix), EXIT_USAGE);
    char *family[] = {"+bad", NULL};
    assert_int_equal(parse(&cmd, &a, &n, family), EXIT_USAGE);
    char *three[] = {"a", "b", "c", NULL};
    assert_int_equal(parse(&two, &a, &n, three), EXIT_USAGE);
    char *two_ok[] = {"a", "b", NULL};
    assert_int_equal(parse(&two, &a, &n, two_ok), CLI_PARSED);
    assert_int_equal(n, 2);
    char *operand[] = {"file", NULL};
    assert_int_equal(parse(&none, &a, &n, operand), EXIT_USAGE);
}

static void help_anywhere(void **state)
{
    (void)state;
    struct args a;
    int n;
    char *w1[] = {"--db", "x", "--help", "--bogus", NULL};
    assert_int_equal(parse(&cmd, &a, &n, w1), 0);
    char *w2[] = {"-h", NULL};
    assert_int_equal(parse(&none, &a, &n, w2), 0);
    char *w3[] = {"--db", "help", NULL}; /* a value, not a request for help */
    assert_int_equal(parse(&none, &a, &n, w3), CLI_PARSED);
    assert_string_equal(a.db, "help");
}

static char *usage_of(const struct cli_command *c)
{
    char *text = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&text, &len);
    assert_non_null(f);
    cli_usage(c, f);
    fclose(f);
    return text;
}

static void usage_from_the_table(void **state)
{
    (void)state;
    char *u = usage_of(&cmd);
    /* the forms: add shows --name, required; list does not show it */
    assert_non_null(strstr(u, "usage: infludash thing add ITEM [--db URL] --name NAME"));
    assert_non_null(strstr(u, "       infludash thing list [--db URL] [--color red|blue]"));
    assert_null(strstr(u, "[--name"));
    assert_non_null(strstr(u, "[--flag]"));
    assert_non_null(strstr(u, "[PLUS]"));
    assert_non_null(strstr(u, "FILE...\n"));
    /* wrapped under the first option, no line past 80 columns */
    for (const char *line = u; *line;) {
        size_t len = strcspn(line, "\n");
        if (strncmp(line, "usage:", 6) == 0 || strncmp(line, "       ", 7) == 0)
            assert_true(len <= 80);
        line += len + (line[len] == '\n');
    }
    assert_non_null(strstr(u, "\nDoes things to files.\n"));
    /* the option list: short aliases first, then the name, then the long ones */
    assert_non_null(strstr(u, "\noptions:\n  --db URL"));
    assert_non_null(strstr(u, "  -n, --name, --title NAME  a name\n"
                              "                            on two lines\n"));
    assert_non_null(strstr(u, "  -f, --flag                a flag\n"));
    assert_non_null(strstr(u, "\nplus words:\n  +x  one more\n"));
    free(u);
    u = usage_of(&none);
    assert_non_null(strstr(u, "usage: infludash none [--db URL]"));
    free(u);
}

static void forms_found(void **state)
{
    (void)state;
    assert_non_null(cli_form_find(&cmd, "add"));
    assert_non_null(cli_form_find(&cmd, "list"));
    assert_null(cli_form_find(&cmd, "ad"));
    assert_null(cli_form_find(&none, "add"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(every_kind_into_its_field),
        cmocka_unit_test(aliases_and_operands),
        cmocka_unit_test(usage_errors),
        cmocka_unit_test(help_anywhere),
        cmocka_unit_test(usage_from_the_table),
        cmocka_unit_test(forms_found),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
