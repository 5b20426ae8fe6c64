/*
 * A command's own arguments (see args.h). One getopt_long pass over what
 * follows the command words, with a table built from the command's options
 * and the settings options, in "return in order" mode so that operands and
 * options may be mixed whatever POSIXLY_CORRECT says.
 */
#include "args.h"

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "i18n.h"
#include "local_input.h"

/* getopt_long value of the command's option at index i (clear of the settings' values). */
#define ARGS_OPTION_BASE 0x1000

static size_t args_option_count(const struct args_option *options)
{
    size_t count = 0;
    while (options != NULL && options[count].name != NULL)
        count++;
    return count;
}

/* Whether the command has an option called name (it then shadows a common one). */
static int args_shadows(const struct args_option *options, const char *name)
{
    for (size_t i = 0; options != NULL && options[i].name != NULL; i++)
        if (strcmp(options[i].name, name) == 0)
            return 1;
    return 0;
}

/* The getopt_long table: the command's options, then the settings options it does not
 * shadow. Caller frees; NULL when out of memory. */
static struct option *args_table(const struct args_option *options)
{
    size_t own = args_option_count(options);
    size_t common = 0;
    while (settings_options[common].name != NULL)
        common++;
    struct option *table = calloc(own + common + 1, sizeof(*table));
    if (table == NULL)
        return NULL;
    size_t n = 0;
    for (size_t i = 0; i < own; i++) {
        table[n].name = options[i].name;
        table[n].has_arg = options[i].flags & ARGS_VALUE ? required_argument : no_argument;
        table[n].val = ARGS_OPTION_BASE + (int)i;
        n++;
    }
    for (size_t i = 0; i < common; i++)
        if (!args_shadows(options, settings_options[i].name))
            table[n++] = settings_options[i];
    return table; /* calloc left the terminating row zeroed */
}

/* Appends an item or an operand. 0, or -1 when out of memory. */
static int args_add_item(struct args *args, int id, char *value)
{
    struct args_item *items = realloc(args->items, (args->item_count + 1) * sizeof(*items));
    if (items == NULL)
        return -1;
    args->items = items;
    args->items[args->item_count].id = id;
    args->items[args->item_count].value = value;
    args->item_count++;
    return 0;
}

static int args_add_operand(struct args *args, char *operand)
{
    char **operands = realloc(args->operands, (args->operand_count + 1) * sizeof(*operands));
    if (operands == NULL)
        return -1;
    args->operands = operands;
    args->operands[args->operand_count++] = operand;
    return 0;
}

/* Counts the items of option id. */
static size_t args_count(const struct args *args, int id)
{
    size_t count = 0;
    for (size_t i = 0; i < args->item_count; i++)
        count += args->items[i].id == id;
    return count;
}

/*
 * A date as users write it (dd.mm.yyyy, d.m.yyyy., ISO; local_input.h) replaced by
 * its YYYY-MM-DD copy; anything else is left for args_date to refuse. -1: no memory.
 */
static int args_local_date(struct args *args, char **value)
{
    char iso[11];
    if (local_date(*value, iso) != 0 || strcmp(iso, *value) == 0)
        return 0;
    char **owned = realloc(args->owned, (args->owned_count + 1) * sizeof(*owned));
    if (owned == NULL)
        return -1;
    args->owned = owned;
    char *copy = strdup(iso);
    if (copy == NULL)
        return -1;
    args->owned[args->owned_count++] = copy;
    *value = copy;
    return 0;
}

/* Takes the command's option at index; 0, or -1 with err set. */
static int args_take(struct args *args, const struct args_option *option, char *value,
                     char *err, size_t err_size)
{
    if ((option->flags & ARGS_VALUE) && value[0] == '\0') {
        snprintf(err, err_size, _("option '--%s' needs a non-empty value"), option->name);
        return -1;
    }
    if (!(option->flags & ARGS_REPEATABLE) && args_count(args, option->id) > 0) {
        snprintf(err, err_size, _("option '--%s' is given more than once"), option->name);
        return -1;
    }
    if ((option->flags & ARGS_VALUE) && option->value_name != NULL &&
        strcmp(option->value_name, "YYYY-MM-DD") == 0 && args_local_date(args, &value) != 0) {
        snprintf(err, err_size, _("out of memory"));
        return -1;
    }
    if (args_add_item(args, option->id, option->flags & ARGS_VALUE ? value : NULL) != 0) {
        snprintf(err, err_size, _("out of memory"));
        return -1;
    }
    return 0;
}

int args_parse(struct args *args, const struct args_option *options, struct settings *settings,
               int argc, char **argv, int start, char *err, size_t err_size)
{
    int failed = 0;
    char message[256];
    memset(args, 0, sizeof(*args));
    struct option *table = args_table(options);
    if (table == NULL) {
        snprintf(err, err_size, _("out of memory"));
        return -1;
    }
    /* getopt sees argv[start - 1] as the program name and argv[start..] as arguments */
    int sub_argc = argc - start + 1;
    char **sub_argv = argv + start - 1;
    opterr = 0;
    optind = 0; /* full reset: "-" (operands in order) takes effect */
    for (;;) {
        int option = getopt_long(sub_argc, sub_argv, "-:hV", table, NULL);
        if (option == -1)
            break;
        const char *spelled = sub_argv[optind - 1];
        int rc = 0;
        message[0] = '\0';
        if (option == 1) {
            if (args_add_operand(args, optarg) != 0) {
                snprintf(message, sizeof(message), _("out of memory"));
                rc = -1;
            }
        } else if (option == ':' || option == '?') {
            settings_option_error(option, spelled, message, sizeof(message));
            rc = -1;
        } else if (option >= ARGS_OPTION_BASE) {
            rc = args_take(args, &options[option - ARGS_OPTION_BASE], optarg, message,
                           sizeof(message));
        } else {
            rc = settings_take_option(settings, option, optarg, message, sizeof(message)) == 1
                     ? 0
                     : -1;
        }
        if (rc != 0 && !failed) {
            snprintf(err, err_size, "%s", message);
            failed = 1;
        }
    }
    /* after "--": operands only */
    for (int i = optind; i < sub_argc && !failed; i++)
        if (args_add_operand(args, sub_argv[i]) != 0) {
            snprintf(err, err_size, _("out of memory"));
            failed = 1;
        }
    free(table);
    return failed ? -1 : 0;
}

int args_check(const struct args *args, const struct args_option *options,
               const char *operand_names, size_t min_operands, size_t max_operands, char *err,
               size_t err_size)
{
    if (args->operand_count < min_operands) {
        snprintf(err, err_size, _("missing %s"), operand_names != NULL ? operand_names : "operand");
        return -1;
    }
    if (args->operand_count > max_operands) {
        snprintf(err, err_size, _("unexpected argument '%s'"), args->operands[max_operands]);
        return -1;
    }
    for (size_t i = 0; options != NULL && options[i].name != NULL; i++)
        if ((options[i].flags & ARGS_REQUIRED) && !args_has(args, options[i].id)) {
            if (options[i].value_name != NULL)
                snprintf(err, err_size, _("missing --%s %s"), options[i].name,
                         options[i].value_name);
            else
                snprintf(err, err_size, _("missing --%s"), options[i].name);
            return -1;
        }
    return 0;
}

char *args_value(const struct args *args, int id)
{
    char *value = NULL;
    for (size_t i = 0; i < args->item_count; i++)
        if (args->items[i].id == id)
            value = args->items[i].value;
    return value;
}

int args_has(const struct args *args, int id)
{
    return args_count(args, id) > 0;
}

int args_positive(const char *option, const char *text, uint64_t max, uint64_t *out, char *err,
                  size_t err_size)
{
    return args_number(option, text, 1, max, out, err, err_size);
}

int args_number(const char *option, const char *text, uint64_t min, uint64_t max, uint64_t *out,
                char *err, size_t err_size)
{
    char *end = NULL;
    errno = 0;
    unsigned long long number = strtoull(text, &end, 10);
    if (text[0] < '0' || text[0] > '9' || *end != '\0' || errno != 0 || number < min ||
        number > max) {
        snprintf(err, err_size, _("%s '%s': expected a whole number from %llu to %llu"), option,
                 text, (unsigned long long)min, (unsigned long long)max);
        return -1;
    }
    *out = number;
    return 0;
}

int args_date(const char *option, const char *text, char *err, size_t err_size)
{
    int year, month, day;
    char tail;
    if (strlen(text) == 10 && text[4] == '-' && text[7] == '-' &&
        sscanf(text, "%4d-%2d-%2d%c", &year, &month, &day, &tail) == 3 && year >= 1900 &&
        month >= 1 && month <= 12 && day >= 1) {
        /* the day exists when normalising does not move it */
        struct tm tm = { .tm_year = year - 1900, .tm_mon = month - 1, .tm_mday = day,
                         .tm_hour = 12 };
        time_t when = timegm(&tm);
        if (when != (time_t)-1 && tm.tm_mday == day && tm.tm_mon == month - 1)
            return 0;
    }
    snprintf(err, err_size, _("%s '%s': expected a date dd.mm.yyyy or YYYY-MM-DD"), option, text);
    return -1;
}

void args_free(struct args *args)
{
    for (size_t i = 0; i < args->owned_count; i++)
        free(args->owned[i]);
    free(args->owned);
    free(args->operands);
    free(args->items);
    memset(args, 0, sizeof(*args));
}
