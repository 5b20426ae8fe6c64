/*
 * Log sink (see log.h). One formatted line per call, written whole so that
 * lines from several threads do not interleave.
 */
#include "log.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <syslog.h>
#include <time.h>

static enum log_level log_threshold = LOG_LEVEL_INFO; /* set once at start-up */
static int log_to_syslog;

static const char *const log_names[] = {"error", "warn", "info", "debug"};

void log_init(enum log_level level, int use_syslog, const char *ident)
{
    log_threshold = level;
    log_to_syslog = use_syslog;
    if (use_syslog)
        openlog(ident, LOG_PID | LOG_NDELAY, LOG_DAEMON);
}

int log_level_parse(const char *name)
{
    for (size_t i = 0; i < sizeof(log_names) / sizeof(log_names[0]); i++)
        if (strcmp(name, log_names[i]) == 0)
            return (int)i;
    return -1;
}

int log_enabled(enum log_level level)
{
    return level <= log_threshold;
}

void log_write(enum log_level level, const char *func, const char *fmt, ...)
{
    if (!log_enabled(level))
        return;
    char message[1024];
    va_list args;
    va_start(args, fmt);
    vsnprintf(message, sizeof(message), fmt, args);
    va_end(args);

    if (log_to_syslog) {
        static const int priorities[] = {LOG_ERR, LOG_WARNING, LOG_INFO, LOG_DEBUG};
        syslog(priorities[level], "%s: %s", func, message);
        return;
    }
    char stamp[32];
    struct timespec now;
    struct tm tm;
    clock_gettime(CLOCK_REALTIME, &now);
    gmtime_r(&now.tv_sec, &tm);
    strftime(stamp, sizeof(stamp), "%Y-%m-%dT%H:%M:%S", &tm);
    fprintf(stderr, "%s.%03ldZ %-5s %s: %s\n", stamp, now.tv_nsec / 1000000L,
            log_names[level], func, message);
}
