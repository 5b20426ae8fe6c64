/*
 * Log lines for refusals that an attacker can repeat at will (connections over
 * a limit, handshakes dropped or failed, stalled and idle connections, bad
 * frames). The
 * first of each kind in a window is logged in full; the rest are only counted,
 * and one line per window says how many there were. A flood of refused
 * connections costs a few lines every ten seconds, not a line each.
 * Thread-safe: every io thread notes into the server's one log.
 */
#ifndef SPONA_REFUSAL_LOG_H
#define SPONA_REFUSAL_LOG_H

enum refusal_kind {
    REFUSAL_OVER_MAX_CONNECTIONS, /* accept: the thread holds max_connections */
    REFUSAL_SHUTTING_DOWN,        /* accept while draining */
    REFUSAL_HANDSHAKE_DROPPED,    /* the oldest unfinished handshake made room for a new one */
    REFUSAL_HANDSHAKE_TIMEOUT,    /* handshake_timeout_seconds passed */
    REFUSAL_HANDSHAKE_FAILED,     /* TLS said no (bad certificate, not TLS, ...) */
    REFUSAL_OVER_INSTITUTION,     /* max_connections_per_institution */
    REFUSAL_FRAME_TIMEOUT,        /* a frame begun and not finished in time */
    REFUSAL_IDLE,                 /* idle_timeout_seconds without a request */
    REFUSAL_BAD_FRAME,            /* oversized, empty or undecodable frame: connection closed */
    REFUSAL_KIND_COUNT
};

/* Seconds over which repeated refusals of one kind are counted, not logged. */
#define REFUSAL_LOG_WINDOW_SECONDS 10

struct refusal_log;

/* NULL when out of memory. */
struct refusal_log *refusal_log_new(void);

/* Logs "peer: detail", or counts it when a line of this kind was logged in this window. */
void refusal_log_note(struct refusal_log *log, enum refusal_kind kind, const char *peer,
                      const char *detail);

/* Ends the windows that are over, logging how many refusals each counted. Called periodically. */
void refusal_log_flush(struct refusal_log *log);

/* Logs what is still counted, then frees. */
void refusal_log_free(struct refusal_log *log);

#endif
