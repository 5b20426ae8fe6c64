/*
 * The CLI's side of a connection: connect with the merged settings, make one
 * call, resume the stored session. Every failure is reported here (through
 * output.h) and turned into the exit code the caller returns.
 */
#ifndef SPONA_CLI_REMOTE_H
#define SPONA_CLI_REMOTE_H

#include "args.h"
#include "json.h"
#include "settings.h"
#include "spona_client.h"

/* Connects; NULL after reporting the failure, with *exit_code set. */
struct spona_client *remote_connect(const struct settings *settings, int *exit_code);

/*
 * Sends request and waits for its answer. Returns 0 with *response set (status
 * OK; caller frees with envelope_free_response), or the exit code after
 * reporting the failure.
 */
int remote_call(struct spona_client *client, const struct settings *settings,
                spona_request *request, spona_response **response);

/*
 * Reads the session file, connects and resumes the session. Returns 0 with
 * *client set (caller closes), or the exit code after reporting the failure
 * (3 with "not logged in" when there is no session file). *token_rejected is
 * set when the server answered that the stored session is over or unknown.
 */
int remote_resume(const struct settings *settings, struct spona_client **client,
                  int *token_rejected);

/*
 * What most commands do: resume the stored session on a new connection, make
 * one call, close. Returns 0 with *response set (status OK; caller frees with
 * envelope_free_response), or the exit code after reporting the failure.
 */
int remote_session_call(const struct settings *settings, spona_request *request,
                        spona_response **response);

/*
 * remote_session_call for a write: puts an idempotency key in the request, the
 * one given with --idempotency-key (ARGS_IDEMPOTENCY_KEY in args) or a new
 * random one, so that the server applies the write once even when it is sent
 * again. When the answer is lost (connection failure after sending), says on
 * stderr how to retry with the same key. request->idempotency_key is reset
 * before returning.
 */
int remote_session_write(const struct settings *settings, const struct args *args,
                         spona_request *request, spona_response **response);

/*
 * How a command shows a successful answer, for remote_write_print and
 * remote_read_print: json writes the members of the one --json object on
 * stdout (opened before and closed after it), text prints the answer for
 * people. Both get the request that was sent, for what the answer does not
 * repeat (the person a case was opened for).
 */
typedef void remote_print_json(struct json_writer *writer, const spona_request *request,
                               const spona_response *response);
typedef void remote_print_text(const spona_request *request, const spona_response *response);

/*
 * "Send a write, print text or JSON": remote_session_write, then on success the
 * answer through json (with --json) or text, and frees it. Returns the exit code.
 */
int remote_write_print(const struct settings *settings, const struct args *args,
                       spona_request *request, remote_print_json *json, remote_print_text *text);

/*
 * remote_write_print for a change to a versioned record: first reads
 * *expected_version (a field of request's body) from the option version_option
 * ("--version N", 1 or more; a bad one is a usage error) when it is given; otherwise
 * remote_session_write fills it (versions.h: the version remembered, or --fresh).
 */
int remote_write_versioned(const struct settings *settings, const struct args *args,
                           int version_option, spona_request *request,
                           uint64_t *expected_version, remote_print_json *json,
                           remote_print_text *text);

/* The same for a read: remote_session_call, then json or text. */
int remote_read_print(const struct settings *settings, spona_request *request,
                      remote_print_json *json, remote_print_text *text);

#endif
