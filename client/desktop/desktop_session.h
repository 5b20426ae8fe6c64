/*
 * The desktop client's session (docs/desktop.md, "Sessions and lost connections"):
 * one connection to the server, the session token (kept in the session file the CLI
 * uses), login, resume, logout, and a call that reconnects and resumes by itself when
 * the connection was lost. Blocking: only worker threads (desktop_call.c) call the
 * functions marked "blocking"; a mutex keeps one request at a time on the connection.
 */
#ifndef SPONA_DESKTOP_SESSION_H
#define SPONA_DESKTOP_SESSION_H

#include <stddef.h>

#include "client_config.h"
#include "envelope.h"

struct desktop_session;

/* A session on the settings of config (copied). Not connected yet. */
struct desktop_session *desktop_session_new(const struct spona_config *config);

void desktop_session_free(struct desktop_session *session);

/* The settings it was made with (borrowed). */
const struct spona_config *desktop_session_config(const struct desktop_session *session);

/*
 * Blocking. Sends request, reconnecting and resuming first when there is no connection,
 * and once more after a transport failure (the caller gives writes an idempotency key,
 * so a repeated write is applied once). A Login answered OK keeps its token and writes
 * the session file; a Logout forgets both. Returns the response (caller frees with
 * envelope_free_response) or NULL with err set (no connection).
 */
spona_response *desktop_session_call(struct desktop_session *session, spona_request *request,
                                     char *err, size_t err_size);

/*
 * Blocking. Reads the session file and resumes the stored session on a new connection.
 * Returns the Resume response (its body is the identity; caller frees), NULL with err
 * empty when there is no stored session, or NULL with err set when it failed.
 */
spona_response *desktop_session_resume_stored(struct desktop_session *session, char *err,
                                              size_t err_size);

/* 1 when the session has a token (signed in). */
int desktop_session_signed_in(struct desktop_session *session);

#endif
