/*
 * A command's own arguments: its operands ("person show ID") and its own
 * options ("--to CODE", repeatable "--field NAME=VALUE"), read with
 * getopt_long from what follows the command words, mixed with the options
 * every command takes (those go to struct settings). Values stay text here;
 * the command converts them, with the small checkers below.
 */
#ifndef SPONA_CLI_ARGS_H
#define SPONA_CLI_ARGS_H

#include <stddef.h>
#include <stdint.h>

#include "settings.h"

enum args_flag {
    ARGS_VALUE = 1u << 0,      /* takes a value: --to CODE or --to=CODE */
    ARGS_REPEATABLE = 1u << 1, /* may be given more than once (kept in order) */
    ARGS_REQUIRED = 1u << 2,   /* must be given */
};

/* One option of a command. A table of them ends with a row whose name is NULL. */
struct args_option {
    const char *name;       /* long name without "--" */
    int id;                 /* the command's own number for it, at least 1 */
    unsigned flags;         /* enum args_flag */
    const char *value_name; /* for messages: "CODE" (NULL without a value) */
};

/* One option as given. */
struct args_item {
    int id;
    char *value; /* borrowed from argv (a date: its YYYY-MM-DD copy, local_input.h);
                    NULL for an option without a value */
};

struct args {
    char **operands;         /* borrowed from argv, in order */
    size_t operand_count;
    struct args_item *items; /* the command's options in the order given */
    size_t item_count;
    char **owned;            /* dates rewritten as YYYY-MM-DD, freed by args_free */
    size_t owned_count;
};

/*
 * Reads argv[start..argc-1]: the command's options (a command option shadows a
 * common option of the same name, e.g. `protocol show --version N`), the
 * common options (applied to settings) and the operands. Returns 0, or -1 with
 * a usage error in err; settings->json and ->help are set even then. Whether
 * required options and the right number of operands are there is checked by
 * args_check, after --help has had its say. Free with args_free.
 */
int args_parse(struct args *args, const struct args_option *options, struct settings *settings,
               int argc, char **argv, int start, char *err, size_t err_size);

/*
 * Checks required options and the operand count (operand_names, e.g. "FILE",
 * names what is missing). Returns 0, or -1 with a usage error in err.
 */
int args_check(const struct args *args, const struct args_option *options,
               const char *operand_names, size_t min_operands, size_t max_operands, char *err,
               size_t err_size);

/*
 * The value of the last occurrence of option id; NULL when not given (or
 * valueless). Borrowed from argv, and not const because protobuf-c's request
 * structs take char *; never written to.
 */
char *args_value(const struct args *args, int id);

/* Whether option id was given. */
int args_has(const struct args *args, int id);

/*
 * Parses a whole number from 1 to max ("--version 2"). Returns 0, or -1 with a
 * message naming option (e.g. "--version") in err.
 */
int args_positive(const char *option, const char *text, uint64_t max, uint64_t *out, char *err,
                  size_t err_size);

/* The same from min to max ("--version 0": no plan yet). */
int args_number(const char *option, const char *text, uint64_t min, uint64_t max, uint64_t *out,
                char *err, size_t err_size);

/* Checks a calendar date YYYY-MM-DD. Returns 0, or -1 with a message naming option. */
int args_date(const char *option, const char *text, char *err, size_t err_size);

/*
 * --idempotency-key UUID, which every write command takes: the id of its
 * option is the same everywhere (clear of the commands' own numbers), so that
 * remote_session_write finds it. The help line goes under the command's own.
 */
#define ARGS_IDEMPOTENCY_KEY 1000
#define ARGS_IDEMPOTENCY_OPTION \
    { "idempotency-key", ARGS_IDEMPOTENCY_KEY, ARGS_VALUE, "UUID" }

/*
 * --version N and --fresh of the writes to a versioned record (person, case, plan,
 * referral): the same ids everywhere, so that remote_session_write knows whether to
 * fill the expected version itself (versions.h): without --version, the version
 * last shown or written; with --fresh, the current one read first.
 */
#define ARGS_VERSION 1001
#define ARGS_FRESH 1002
#define ARGS_VERSION_OPTION { "version", ARGS_VERSION, ARGS_VALUE, "N" }
#define ARGS_FRESH_OPTION { "fresh", ARGS_FRESH, 0, NULL }

void args_free(struct args *args);

#endif
