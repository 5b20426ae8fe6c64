/*
 * Unit test of the database outage lines (server/db/outage_log.c): a burst of
 * failed reconnections writes a few lines, not one each, and every failure is
 * accounted for: logged in full, or counted in a later line ("and N more ...",
 * "N more failed reconnections ... were not logged"). The log goes to a file
 * for the test. No database involved.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "log.h"
#include "outage_log.h"

#define FAILURES 5000
#define REASON "database connection failed: connection refused (test)"

static double now_seconds(void)
{
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    return (double)now.tv_sec + (double)now.tv_nsec / 1e9;
}

/* Runs the burst with stderr in a temporary file; returns the file, rewound. */
static FILE *burst_logged(double *seconds)
{
    FILE *file = tmpfile();
    assert_non_null(file);
    int saved = dup(STDERR_FILENO);
    assert_true(saved >= 0);
    fflush(stderr);
    dup2(fileno(file), STDERR_FILENO);
    double started = now_seconds();
    for (int i = 0; i < FAILURES; i++)
        outage_log_failure(REASON);
    outage_log_recovered();
    *seconds = now_seconds() - started;
    fflush(stderr);
    dup2(saved, STDERR_FILENO);
    close(saved);
    rewind(file);
    return file;
}

static void test_burst_is_a_few_lines_and_all_counted(void **state)
{
    double seconds = 0;
    FILE *file = burst_logged(&seconds);
    char line[2048];
    int reason_lines = 0, recovered_lines = 0;
    unsigned long counted = 0;
    while (fgets(line, sizeof(line), file) != NULL) {
        const char *more = strstr(line, "(and ");
        if (strstr(line, REASON) != NULL) {
            reason_lines++;
            if (more != NULL)
                counted += strtoul(more + strlen("(and "), NULL, 10);
        }
        if ((more = strstr(line, "reconnected to the database")) != NULL) {
            recovered_lines++;
            const char *open = strchr(more, '(');
            if (open != NULL)
                counted += strtoul(open + 1, NULL, 10);
        }
    }
    fclose(file);
    /* one line per window of OUTAGE_LOG_WINDOW_SECONDS the burst lasted */
    long windows = (long)(seconds / OUTAGE_LOG_WINDOW_SECONDS) + 1;
    if (reason_lines < 1 || reason_lines > windows)
        fail_msg("%d lines for %d failures in %.1f s", reason_lines, FAILURES, seconds);
    assert_int_equal(recovered_lines, 1);
    assert_int_equal((unsigned long)reason_lines + counted, FAILURES);
}

int main(void)
{
    log_init(LOG_LEVEL_INFO, 0, "test_outage_log");
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_burst_is_a_few_lines_and_all_counted),
    };
    return cmocka_run_group_tests_name("unit.outage_log", tests, NULL, NULL);
}
