/*
 * Logging with levels, to stderr or syslog. Every line names the function.
 * Never pass passwords, session secrets or a beneficiary's personal data here.
 */
#ifndef SPONA_LOG_H
#define SPONA_LOG_H

enum log_level { LOG_LEVEL_ERROR = 0, LOG_LEVEL_WARN, LOG_LEVEL_INFO, LOG_LEVEL_DEBUG };

/* Sets the threshold and destination; ident names the program in syslog. */
void log_init(enum log_level level, int use_syslog, const char *ident);

/* Parses "error", "warn", "info", "debug"; returns -1 for anything else. */
int log_level_parse(const char *name);

int log_enabled(enum log_level level);

void log_write(enum log_level level, const char *func, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

#define log_error(...) log_write(LOG_LEVEL_ERROR, __func__, __VA_ARGS__)
#define log_warn(...) log_write(LOG_LEVEL_WARN, __func__, __VA_ARGS__)
#define log_info(...) log_write(LOG_LEVEL_INFO, __func__, __VA_ARGS__)
#define log_debug(...)                                                                  \
    do {                                                                                \
        if (log_enabled(LOG_LEVEL_DEBUG))                                               \
            log_write(LOG_LEVEL_DEBUG, __func__, __VA_ARGS__);                          \
    } while (0)

#endif
