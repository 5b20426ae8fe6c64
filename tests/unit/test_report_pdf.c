/*
 * The printable report: placeholder test until the renderer lands.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "report_pdf.h"

static void test_placeholder(void **state)
{
    (void)state;
    char err[128];
    Spona__V1__ReportResponse report = SPONA__V1__REPORT_RESPONSE__INIT;
    assert_int_equal(report_pdf_write(&report, "/nonexistent/x.pdf", err, sizeof(err)), -1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {cmocka_unit_test(test_placeholder)};
    return cmocka_run_group_tests(tests, NULL, NULL);
}
