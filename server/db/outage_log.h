/*
 * Log lines of a database outage. While PostgreSQL is down every request on
 * every worker fails to reconnect; logging each would write a line per request.
 * The first failure in a window of OUTAGE_LOG_WINDOW_SECONDS is logged in full,
 * the others are counted, and the next line written (a failure in a later
 * window, or the reconnection) says how many there were. Thread-safe: the
 * workers share one count.
 */
#ifndef SPONA_OUTAGE_LOG_H
#define SPONA_OUTAGE_LOG_H

#define OUTAGE_LOG_WINDOW_SECONDS 10

/* A reconnection failed for reason (one line, no secrets): logged, or counted. */
void outage_log_failure(const char *reason);

/* A worker is connected again: logged, with the failures counted since the last line. */
void outage_log_recovered(void);

#endif
