/*
 * Rate-limited outage lines (see outage_log.h). One mutex guards the window;
 * lines are written outside it.
 */
#include "outage_log.h"

#include <pthread.h>
#include <time.h>

#include "log.h"

static pthread_mutex_t outage_lock = PTHREAD_MUTEX_INITIALIZER;
static time_t window_started; /* 0: no failure logged in a window still open */
static time_t last_line;      /* when a line was last written, for the summary's span */
static unsigned long counted; /* failures not logged since the last line */

static time_t outage_now(void)
{
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    return now.tv_sec + 1; /* never 0 */
}

void outage_log_failure(const char *reason)
{
    time_t now = outage_now();
    unsigned long before = 0;
    time_t span = 0;
    int write_line = 0;
    pthread_mutex_lock(&outage_lock);
    if (window_started != 0 && now - window_started < OUTAGE_LOG_WINDOW_SECONDS) {
        counted++;
    } else {
        before = counted;
        span = now - last_line;
        counted = 0;
        window_started = last_line = now;
        write_line = 1;
    }
    pthread_mutex_unlock(&outage_lock);
    if (!write_line)
        return;
    if (before > 0)
        log_error("%s (and %lu more failed reconnections in the last %lld s)", reason, before,
                  (long long)span);
    else
        log_error("%s", reason);
}

void outage_log_recovered(void)
{
    time_t now = outage_now();
    pthread_mutex_lock(&outage_lock);
    unsigned long before = counted;
    time_t span = now - last_line;
    counted = 0;
    window_started = 0;
    pthread_mutex_unlock(&outage_lock);
    if (before > 0)
        log_info("reconnected to the database (%lu more failed reconnections in the last %lld s "
                 "were not logged)",
                 before, (long long)span);
    else
        log_info("reconnected to the database");
}
