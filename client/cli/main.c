/*
 * spona: the command-line client. Reads the command line in two steps (the
 * options before the command words with settings.c, then the command's own
 * arguments with args.c), handles --help and --version, merges the settings
 * and runs the command from the tables of commands.c. Nothing else lives here.
 */
#include <stdio.h>
#include <string.h>

#include "args.h"
#include "commands.h"
#include "envelope.h"
#include "i18n.h"
#include "output.h"
#include "settings.h"

#ifndef SPONA_VERSION
#define SPONA_VERSION "unknown"
#endif

/* The first settings flag given that command does not take, or NULL. */
static const char *unexpected_flag(const struct settings *settings,
                                   const struct command *command)
{
    unsigned extra = settings->given & ~command->flags;
    if (extra & SETTINGS_FLAG_USER)
        return "--user";
    if (extra & SETTINGS_FLAG_PASSWORD_FILE)
        return "--password-file";
    return NULL;
}

/*
 * Uses the language named by --lang (or, once the settings are resolved, by SPONA_LANG or
 * the config file); without one, the locale's. 0, or -1 with a usage error in err.
 */
static int choose_language(const char *name, char *err, size_t err_size)
{
    enum i18n_language language = i18n_language_from_locale();
    if (name != NULL && i18n_parse_language(name, &language) != 0) {
        snprintf(err, err_size, _("unknown language '%s': expected bs, hr, sr-Latn, sr-Cyrl or en"),
                 name);
        return -1;
    }
    /* English too: its catalog labels the codes (indicators, pathways); a missing catalog
     * leaves the source strings */
    i18n_select(language, NULL);
    return 0;
}

/* Reports a usage error with a pointer to the help that explains it. */
static int usage_error(const struct settings *settings, const char *message, const char *path)
{
    char text[700];
    if (path != NULL)
        snprintf(text, sizeof(text), _("%s (see spona %s --help)"), message, path);
    else
        snprintf(text, sizeof(text), _("%s (see spona --help)"), message);
    return output_error(settings->json, OUTPUT_STATUS_USAGE, text, OUTPUT_EXIT_USAGE);
}

/* A group's subcommand names, "add, show, update". */
static void subcommand_names(const struct command *group, char *out, size_t out_size)
{
    size_t used = 0;
    out[0] = '\0';
    for (size_t i = 0; group->subcommands[i] != NULL && used < out_size; i++)
        used += (size_t)snprintf(out + used, out_size - used, "%s%s", i > 0 ? ", " : "",
                                 group->subcommands[i]->name);
}

int main(int argc, char **argv)
{
    struct settings settings;
    struct args args = { 0 };
    char err[512];
    char path[64] = "";
    int next = argc;
    int code = OUTPUT_EXIT_OK;

    choose_language(NULL, err, sizeof(err));
    if (settings_parse_leading(&settings, argc, argv, &next, err, sizeof(err)) != 0 ||
        choose_language(settings.flag_lang, err, sizeof(err)) != 0) {
        code = usage_error(&settings, err, NULL);
        goto done;
    }
    if (settings.version) {
        printf("spona %s (protocol %s)\n", SPONA_VERSION, SPONA_ALPN);
        goto done;
    }
    if (next >= argc) {
        if (settings.help)
            commands_print_usage(stdout);
        else
            code = usage_error(&settings, _("no command given"), NULL);
        goto done;
    }
    const struct command *command = commands_find(argv[next]);
    if (command == NULL) {
        snprintf(err, sizeof(err), _("unknown command '%s'"), argv[next]);
        code = usage_error(&settings, err, NULL);
        goto done;
    }
    snprintf(path, sizeof(path), "%s", command->name);
    next++;
    /* groups may nest ("region cert issue") */
    while (command->subcommands != NULL && next < argc && argv[next][0] != '-') {
        const struct command *sub = commands_find_sub(command, argv[next]);
        if (sub == NULL && command->run == NULL) {
            snprintf(err, sizeof(err), _("unknown command '%s %s'"), path, argv[next]);
            code = usage_error(&settings, err, path);
            goto done;
        }
        if (sub == NULL) /* a command with its own run: the word is its operand */
            break;
        size_t used = strlen(path);
        snprintf(path + used, sizeof(path) - used, " %s", sub->name);
        command = sub;
        next++;
    }

    if (args_parse(&args, command->options, &settings, argc, argv, next, err, sizeof(err)) !=
            0 ||
        choose_language(settings.flag_lang, err, sizeof(err)) != 0) {
        code = usage_error(&settings, err, path);
        goto done;
    }
    if (settings.version) {
        printf("spona %s (protocol %s)\n", SPONA_VERSION, SPONA_ALPN);
        goto done;
    }
    if (settings.help) {
        commands_print_help(command, path, stdout);
        goto done;
    }
    if (command->run == NULL) {
        char names[200];
        subcommand_names(command, names, sizeof(names));
        snprintf(err, sizeof(err), _("'%s' needs a subcommand: %s"), path, names);
        code = usage_error(&settings, err, path);
        goto done;
    }
    const char *flag = unexpected_flag(&settings, command);
    if (flag != NULL) {
        snprintf(err, sizeof(err), _("%s is not an option of '%s'"), flag, path);
        code = usage_error(&settings, err, path);
        goto done;
    }
    if (args_check(&args, command->options, command->operands, command->min_operands,
                   command->max_operands, err, sizeof(err)) != 0) {
        code = usage_error(&settings, err, path);
        goto done;
    }
    if (settings_resolve(&settings, err, sizeof(err)) != 0 ||
        choose_language(settings.lang, err, sizeof(err)) != 0) {
        code = output_error(settings.json, OUTPUT_STATUS_USAGE, err, OUTPUT_EXIT_USAGE);
        goto done;
    }
    code = command->run(&settings, &args);

done:
    args_free(&args);
    settings_free(&settings);
    return code;
}
