/*
 * The command table and the help texts of the spona CLI (see commands.h).
 * docs/cli.md says the same at more length; keep them in step.
 */
#include "commands.h"

#include <string.h>

static const struct command commands_table[] = {
    {
        "ping",
        "check that the server answers (no login needed)",
        "Usage: spona ping [OPTIONS]\n"
        "\n"
        "Connects, sends one ping and prints the server's version and the round-trip time.\n"
        "Needs no login, but the client certificate must belong to a registered institution.\n",
        0,
        command_ping,
    },
    {
        "login",
        "log in and keep the session for later commands",
        "Usage: spona login [--user NAME] [--password-file FILE] [OPTIONS]\n"
        "\n"
        "Logs in as a user of the institution named by the client certificate and\n"
        "stores the session token in the session file (mode 0600) for later commands.\n"
        "\n"
        "  --user NAME           user name (else SPONA_USER, else user in the config\n"
        "                        file, else asked on the terminal)\n"
        "  --password-file FILE  read the password from the first line of FILE\n"
        "                        (else SPONA_PASSWORD, else asked on the terminal\n"
        "                        without echo)\n",
        SETTINGS_FLAG_USER | SETTINGS_FLAG_PASSWORD_FILE,
        command_login,
    },
    {
        "whoami",
        "show the logged-in user, institution, role and municipality",
        "Usage: spona whoami [OPTIONS]\n"
        "\n"
        "Resumes the stored session on a new connection and shows who it belongs to.\n",
        0,
        command_whoami,
    },
    {
        "logout",
        "end the session and delete the session file",
        "Usage: spona logout [OPTIONS]\n"
        "\n"
        "Resumes the stored session, ends it on the server and deletes the session file.\n",
        0,
        command_logout,
    },
};

#define COMMANDS_COUNT (sizeof(commands_table) / sizeof(commands_table[0]))

static const char commands_common_options[] =
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
    "  -h, --help           show help (after a command: that command's help)\n"
    "  -V, --version        show the version\n";

static const char commands_environment[] =
    "Environment: SPONA_SERVER, SPONA_CA, SPONA_CERT, SPONA_KEY, SPONA_USER,\n"
    "SPONA_PASSWORD, SPONA_CONFIG, SPONA_SESSION_FILE. Flags win over the environment,\n"
    "the environment over the config file (section [client], keys server, ca, cert,\n"
    "key, user, session_file; relative paths are relative to the config file).\n"
    "\n"
    "Exit codes: 0 success, 1 usage or local error, 2 connection or TLS failure,\n"
    "3 not logged in or login refused, 4 permission denied, 5 other server error.\n";

const struct command *commands_find(const char *name)
{
    for (size_t i = 0; i < COMMANDS_COUNT; i++)
        if (strcmp(commands_table[i].name, name) == 0)
            return &commands_table[i];
    return NULL;
}

void commands_print_usage(FILE *out)
{
    fputs("Usage: spona COMMAND [OPTIONS]\n"
          "       spona --help | --version\n"
          "\n"
          "Command-line client of a Spona server (mutual TLS 1.3, protocol spona/1).\n"
          "\n"
          "Commands:\n",
          out);
    for (size_t i = 0; i < COMMANDS_COUNT; i++)
        fprintf(out, "  %-8s %s\n", commands_table[i].name, commands_table[i].summary);
    fputs("\nRun `spona COMMAND --help` for a command's own options.\n\n", out);
    fputs(commands_common_options, out);
    fputc('\n', out);
    fputs(commands_environment, out);
}

void commands_print_help(const struct command *command, FILE *out)
{
    fputs(command->help, out);
    fputc('\n', out);
    fputs(commands_common_options, out);
    fputc('\n', out);
    fputs(commands_environment, out);
}
