/*
 * The printable report: placeholder until the renderer lands.
 */
#include "report_pdf.h"

#include <stdio.h>

int report_pdf_write(const Spona__V1__ReportResponse *report, const char *path, char *err,
                     size_t err_size)
{
    (void)report;
    (void)path;
    snprintf(err, err_size, "the printable report is not built yet");
    return -1;
}
