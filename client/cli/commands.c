/*
 * The top-level command table and the help texts of the spona CLI (see
 * commands.h). docs/cli.md says the same at more length; keep them in step.
 */
#include "commands.h"

#include <string.h>

#include "i18n.h"

static const struct command *const commands_table[] = {
    &command_ping,
    &command_login,
    &command_whoami,
    &command_logout,
    &command_protocol,
    &command_person,
    &command_case,
    &command_assess,
    &command_assessment,
    &command_plan,
    &command_refer,
    &command_referral,
    &command_inbox,
    &command_overdue,
    &command_report,
    &command_directory,
    &command_conference,
    &command_note,
    &command_outcome,
    &command_timeline,
    &command_emergency,
    &command_consent,
    &command_explain,
    &command_disclosures,
    &command_audit,
    &command_region,
};

#define COMMANDS_COUNT (sizeof(commands_table) / sizeof(commands_table[0]))

const char commands_help_idempotency[] = N_(
    "  --idempotency-key UUID\n"
    "                       to retry a write whose answer was lost: the key the error\n"
    "                       named (the server applies it once; default: a new key)\n");
const char commands_help_case_version[] = N_(
    "  --version N      the case's version you last saw (default: the one this CLI last\n"
    "                   showed or wrote; a stale one is refused, saying who changed it)\n"
    "  --fresh          use the case's current version, read from the server first\n");
const char commands_help_person_fields[] = N_(
    "  --field NAME=VALUE  a field (repeatable): first_name, last_name, jmbg,\n"
    "                      birth_date (15.05.1990 or 1990-05-15), sex (Ž/M or F/M),\n"
    "                      address, phone, email, benefit_status, household_size\n"
    "                      (1-50), rural (da/ne or true/false), education_level,\n"
    "                      work_history, skills, disability_status, work_capability,\n"
    "                      health_notes, safety_flag (da/ne), safety_notes,\n"
    "                      priority_groups (codes of the protocol, comma-separated)\n"
    "                      (docs/access.md: each field's category)\n"
    "  --first-name TEXT   the same as --field first_name=TEXT\n"
    "  --last-name TEXT    the same as --field last_name=TEXT\n"
    "  --jmbg DIGITS       the same as --field jmbg=DIGITS\n");
const char commands_help_referral_version[] = N_(
    "  --version N     the referral's version (default: the one this CLI last showed\n"
    "                  or wrote, as in spona inbox; a stale one is refused)\n"
    "  --fresh         use the referral's current version, read from the server first\n");
const char commands_help_plan_change[] = N_(
    "  --version N          the plan version you last saw (0: no plan yet; default: the\n"
    "                       one this CLI last showed or wrote; a stale one is refused)\n"
    "  --fresh              use the plan's current version, read from the server first\n"
    "  --review YYYY-MM-DD  also set the date of the plan's next review\n"
    "  --obligations TEXT   also set the person's obligations under the plan\n");

static const char *const commands_common_options = N_(
    "Options (every command):\n"
    "  --server HOST:PORT   server address (default 127.0.0.1:7443; [V6ADDR]:PORT)\n"
    "  --ca FILE            CA bundle that issued the server certificate (required)\n"
    "  --cert FILE          this installation's client certificate (PEM)\n"
    "  --key FILE           its private key (PEM; default: read from --cert)\n"
    "  --config FILE        config file (default $XDG_CONFIG_HOME/spona/client.conf,\n"
    "                       or ~/.config/spona/client.conf)\n"
    "  --session-file FILE  session file (default $XDG_STATE_HOME/spona/session,\n"
    "                       or ~/.local/state/spona/session)\n"
    "  --json               print one JSON object on stdout, errors included\n"
    "  --lang LANG          language: bs, hr, sr-Latn, sr-Cyrl or en (default: locale)\n"
    "  -h, --help           show help (after a command: that command's help)\n"
    "  -V, --version        show the version\n");

static const char *const commands_environment = N_(
    "Environment: SPONA_SERVER, SPONA_CA, SPONA_CERT, SPONA_KEY, SPONA_USER,\n"
    "SPONA_PASSWORD, SPONA_CONFIG, SPONA_SESSION_FILE, SPONA_LANG. Flags win over the\n"
    "environment, the environment over the config file (section [client], keys server,\n"
    "ca, cert, key, user, session_file, lang; relative paths are relative to the config\n"
    "file).\n"
    "\n"
    "Writes send a new random idempotency key each run; a write that failed with\n"
    "exit code 2 may have been applied: retry it with the --idempotency-key the error\n"
    "names, and the server applies it at most once.\n"
    "\n"
    "Exit codes: 0 success, 1 usage or local error, 2 connection or TLS failure,\n"
    "3 not logged in or login refused, 4 permission denied, 5 other server error,\n"
    "6 `audit verify` found the audit trail broken.\n");

const struct command *commands_find(const char *name)
{
    for (size_t i = 0; i < COMMANDS_COUNT; i++)
        if (strcmp(commands_table[i]->name, name) == 0)
            return commands_table[i];
    return NULL;
}

const struct command *commands_find_sub(const struct command *group, const char *name)
{
    for (size_t i = 0; group->subcommands != NULL && group->subcommands[i] != NULL; i++)
        if (strcmp(group->subcommands[i]->name, name) == 0)
            return group->subcommands[i];
    return NULL;
}

/* One line per command: "  person show       show a person ...". */
static void commands_print_line(FILE *out, const char *group, const struct command *command)
{
    char name[40];
    if (group != NULL)
        snprintf(name, sizeof(name), "%s %s", group, command->name);
    else
        snprintf(name, sizeof(name), "%s", command->name);
    fprintf(out, "  %-17s %s\n", name, _(command->summary));
}

void commands_print_usage(FILE *out)
{
    fputs(_("Usage: spona COMMAND [SUBCOMMAND] [ARGUMENTS] [OPTIONS]\n"
            "       spona --help | --version\n"
            "\n"
            "Command-line client of a Spona server (mutual TLS 1.3, protocol spona/1).\n"
            "\n"
            "Commands:\n"),
          out);
    for (size_t i = 0; i < COMMANDS_COUNT; i++) {
        const struct command *command = commands_table[i];
        if (command->run != NULL)
            commands_print_line(out, NULL, command);
        if (command->subcommands == NULL)
            continue;
        for (size_t j = 0; command->subcommands[j] != NULL; j++)
            commands_print_line(out, command->name, command->subcommands[j]);
    }
    fputs(_("\nRun `spona COMMAND --help` for a command's own options.\n\n"), out);
    fputs(_(commands_common_options), out);
    fputc('\n', out);
    fputs(_(commands_environment), out);
}

void commands_print_help(const struct command *command, const char *path, FILE *out)
{
    fputs(_(command->help), out); /* English when its help is not in the catalogs */
    for (size_t i = 0; i < sizeof(command->help_notes) / sizeof(command->help_notes[0]); i++)
        if (command->help_notes[i] != NULL)
            fputs(_(command->help_notes[i]), out);
    if (command->subcommands != NULL) {
        fputs(_("\nSubcommands:\n"), out);
        for (size_t j = 0; command->subcommands[j] != NULL; j++)
            commands_print_line(out, command->name, command->subcommands[j]);
        fprintf(out, _("\nRun `spona %s SUBCOMMAND --help` for a subcommand's own options.\n"),
                path);
    }
    fputc('\n', out);
    fputs(_(commands_common_options), out);
    fputc('\n', out);
    fputs(_(commands_environment), out);
}
