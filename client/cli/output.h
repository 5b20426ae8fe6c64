/*
 * How the spona CLI shows results and errors: plain text for people, one JSON
 * object on stdout with --json, one "spona: <message>" line on stderr for every
 * error, and the exit code that goes with it. Never talks to the server.
 */
#ifndef SPONA_CLI_OUTPUT_H
#define SPONA_CLI_OUTPUT_H

#include <stdio.h>

#include "envelope.h"

enum output_exit {
    OUTPUT_EXIT_OK = 0,
    OUTPUT_EXIT_USAGE = 1,           /* bad command line, config or local file */
    OUTPUT_EXIT_CONNECTION = 2,      /* cannot connect, TLS failure, connection lost */
    OUTPUT_EXIT_UNAUTHENTICATED = 3, /* not logged in, login failed, session expired */
    OUTPUT_EXIT_PERMISSION_DENIED = 4,
    OUTPUT_EXIT_SERVER_ERROR = 5,    /* any other status from the server */
    OUTPUT_EXIT_AUDIT_BROKEN = 6,    /* `audit verify`: the hash chain is broken */
};

/* Status names of errors that do not come from the server. */
#define OUTPUT_STATUS_USAGE "USAGE"
#define OUTPUT_STATUS_CONNECTION "CONNECTION_FAILED"
#define OUTPUT_STATUS_LOCAL "LOCAL_ERROR" /* a local file cannot be read or written */

/*
 * Reports an error: "spona: message" on stderr (a message of several lines,
 * such as a policy document's "FILE:LINE: ..." list, gives one such line each)
 * and, with json, {"error": {"status": ..., "message": ...}} on stdout.
 * Returns exit_code.
 */
int output_error(int json, const char *status, const char *message, int exit_code);

/* Reports a non-OK response; returns the exit code for its status. */
int output_server_error(int json, const spona_response *response);

/* The exit code for a status other than OK. */
int output_exit_code(spona_status status);

/* Prints text from the server with control characters replaced by '?'. */
void output_text(FILE *out, const char *text);

/*
 * Prints text of several lines (a document): keeps newlines and tabs, drops
 * the CR of CRLF, replaces other control characters by '?', and ends with a
 * newline if the text does not.
 */
void output_block(FILE *out, const char *text);

/*
 * printf for messages in the user's language (format from _()): the result is printed
 * with control characters other than the format's newlines replaced by '?', so that
 * text from the server among the arguments cannot drive the terminal.
 */
void output_printf(FILE *out, const char *format, ...) __attribute__((format(printf, 2, 3)));

/* Prints a value whose own line breaks continue after indent spaces. */
void output_indented(FILE *out, const char *text, int indent);

/* Display width of UTF-8 text in a terminal column (one per character). */
size_t output_width(const char *text);

#endif
