/*
 * Terminal and file input for the CLI (see prompt.h). The terminal is
 * /dev/tty, not stdin, so a password prompt works inside pipelines; echo is
 * turned off with termios and restored even when the reading is interrupted.
 */
#include "prompt.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include "i18n.h"

/* Signal that interrupted a prompt; only the handler below writes it. */
static volatile sig_atomic_t prompt_interrupted;

static void prompt_on_signal(int signal_number)
{
    prompt_interrupted = signal_number;
}

static const int prompt_signals[] = { SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGTSTP };
#define PROMPT_SIGNAL_COUNT (sizeof(prompt_signals) / sizeof(prompt_signals[0]))

void prompt_free_secret(char *secret)
{
    if (secret == NULL)
        return;
    explicit_bzero(secret, strlen(secret));
    free(secret);
}

/* Removes a trailing "\n" or "\r\n". */
static void strip_newline(char *line)
{
    size_t length = strlen(line);
    if (length > 0 && line[length - 1] == '\n')
        line[--length] = '\0';
    if (length > 0 && line[length - 1] == '\r')
        line[--length] = '\0';
}

/* Reads up to a newline from fd into line. 0, 1 when interrupted, -1 on error, -2 too long. */
static int read_line(int fd, char *line, size_t size)
{
    size_t length = 0;
    for (;;) {
        char c;
        ssize_t got = read(fd, &c, 1);
        if (got < 0 && errno == EINTR) {
            if (prompt_interrupted)
                return 1;
            continue;
        }
        if (got < 0)
            return -1;
        if (got == 0 || c == '\n')
            break;
        if (length + 1 >= size)
            return -2;
        line[length++] = c;
    }
    line[length] = '\0';
    strip_newline(line);
    return 0;
}

/* Asks on /dev/tty; secret turns echo off. Caller frees with prompt_free_secret. */
static char *prompt_tty(const char *question, int secret, const char *no_tty_message, char *err,
                        size_t err_size)
{
    char line[PROMPT_MAX_LINE];
    struct termios saved, quiet;
    struct sigaction action, previous[PROMPT_SIGNAL_COUNT];
    int echo_off = 0;
    char *answer = NULL;

    int fd = open("/dev/tty", O_RDWR | O_CLOEXEC | O_NOCTTY);
    if (fd < 0) {
        snprintf(err, err_size, "%s", no_tty_message);
        return NULL;
    }
    memset(&action, 0, sizeof(action));
    action.sa_handler = prompt_on_signal; /* no SA_RESTART: read() returns EINTR */
    sigemptyset(&action.sa_mask);
    prompt_interrupted = 0;
    for (size_t i = 0; i < PROMPT_SIGNAL_COUNT; i++)
        sigaction(prompt_signals[i], &action, &previous[i]);

    if (secret && tcgetattr(fd, &saved) == 0) {
        quiet = saved;
        quiet.c_lflag &= ~(tcflag_t)ECHO;
        quiet.c_lflag |= ECHONL; /* the newline still shows, the password does not */
        echo_off = tcsetattr(fd, TCSAFLUSH, &quiet) == 0;
    }
    int rc = -1;
    if (write(fd, question, strlen(question)) >= 0)
        rc = read_line(fd, line, sizeof(line));
    if (echo_off)
        tcsetattr(fd, TCSAFLUSH, &saved);
    for (size_t i = 0; i < PROMPT_SIGNAL_COUNT; i++)
        sigaction(prompt_signals[i], &previous[i], NULL);
    close(fd);

    if (rc == 1) {
        explicit_bzero(line, sizeof(line));
        raise(prompt_interrupted); /* the terminal is restored: now act on it */
        snprintf(err, err_size, _("interrupted"));
        return NULL;
    }
    if (rc == -2)
        snprintf(err, err_size, _("input longer than %d bytes"), PROMPT_MAX_LINE - 1);
    else if (rc != 0)
        snprintf(err, err_size, _("cannot read from the terminal"));
    else if (line[0] == '\0')
        snprintf(err, err_size, _("nothing entered"));
    else if ((answer = strdup(line)) == NULL)
        snprintf(err, err_size, _("out of memory"));
    explicit_bzero(line, sizeof(line));
    return answer;
}

/* First line of a file. Caller frees with prompt_free_secret. */
static char *read_password_file(const char *path, char *err, size_t err_size)
{
    char line[PROMPT_MAX_LINE];
    char *answer = NULL;
    FILE *file = fopen(path, "r");
    if (file == NULL) {
        snprintf(err, err_size, _("password file %s: %s"), path, strerror(errno));
        return NULL;
    }
    if (fgets(line, sizeof(line), file) == NULL) {
        snprintf(err, err_size, _("password file %s is empty"), path);
        goto cleanup;
    }
    if (strchr(line, '\n') == NULL && !feof(file)) {
        snprintf(err, err_size, _("password file %s: first line too long"), path);
        goto cleanup;
    }
    strip_newline(line);
    if (line[0] == '\0')
        snprintf(err, err_size, _("password file %s: first line is empty"), path);
    else if ((answer = strdup(line)) == NULL)
        snprintf(err, err_size, _("out of memory"));

cleanup:
    explicit_bzero(line, sizeof(line));
    fclose(file);
    return answer;
}

char *prompt_password(const char *password_file, const char *user, char *err, size_t err_size)
{
    if (password_file != NULL)
        return read_password_file(password_file, err, err_size);
    const char *from_env = getenv("SPONA_PASSWORD");
    if (from_env != NULL && from_env[0] != '\0') {
        char *copy = strdup(from_env);
        if (copy == NULL)
            snprintf(err, err_size, _("out of memory"));
        return copy;
    }
    char question[256];
    snprintf(question, sizeof(question), _("Password for %s: "), user);
    return prompt_tty(question, 1,
                      "no password: set SPONA_PASSWORD, use --password-file or run on a terminal",
                      err, err_size);
}

char *prompt_user(char *err, size_t err_size)
{
    return prompt_tty("User name: ", 0,
                      "no user name: give --user, set SPONA_USER or user in the config file", err,
                      err_size);
}
