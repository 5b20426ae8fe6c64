/*
 * The printed documents as recorded pages (client/docs/doc_pages.c), what spona-desktop
 * previews, prints and saves: a report of several table pages and a letter of several
 * pages are recorded and written as PDF by the CLI's writers; the recording has the same
 * number of pages as the CLI's PDF (pdfinfo), page 1 replayed into an image is drawn
 * (not blank), and so is every page after a page break; the pages written by
 * doc_pages_write_pdf are a PDF with the same page count whose text is text (pdftotext
 * finds the title and a row). The same page count means the text wraps as in the PDF
 * (the recording measures text without hinted metrics, as the PDF surface does: with
 * hinting the letter took 7 pages instead of 5). pdfinfo and pdftotext (poppler-utils)
 * are required, as for unit.report_pdf.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cairo.h>

#include "letter_pdf.h"
#include "report_pdf.h"

#define TEST_ROWS 150
#define TEST_DISCLOSURES 70

static char test_directory[] = "/tmp/spona-doc-pages-XXXXXX";

/* The page count pdfinfo reads from path (-1 when it cannot). */
static int test_pdf_pages(const char *path)
{
    char command[1200], line[256];
    snprintf(command, sizeof(command), "pdfinfo '%s' 2>/dev/null", path);
    FILE *pipe = popen(command, "r");
    assert_non_null(pipe);
    int pages = -1;
    while (fgets(line, sizeof(line), pipe) != NULL)
        if (strncmp(line, "Pages:", 6) == 0)
            pages = atoi(line + 6);
    pclose(pipe);
    return pages;
}

/* Whether pdftotext finds needle in path's text. */
static int test_pdf_has(const char *path, const char *needle)
{
    char command[1200], line[1024];
    snprintf(command, sizeof(command), "pdftotext '%s' - 2>/dev/null", path);
    FILE *pipe = popen(command, "r");
    assert_non_null(pipe);
    int found = 0;
    while (fgets(line, sizeof(line), pipe) != NULL)
        found |= strstr(line, needle) != NULL;
    pclose(pipe);
    return found;
}

/* The share of page index's pixels that are not white, replayed at 72 dpi. */
static double test_ink(const struct doc_pages *pages, size_t index)
{
    cairo_surface_t *image = cairo_image_surface_create(CAIRO_FORMAT_RGB24, 595, 842);
    cairo_t *cr = cairo_create(image);
    cairo_set_source_rgb(cr, 1, 1, 1);
    cairo_paint(cr);
    doc_pages_draw(pages, index, cr, 1.0);
    cairo_destroy(cr);
    cairo_surface_flush(image);
    const unsigned char *data = cairo_image_surface_get_data(image);
    int stride = cairo_image_surface_get_stride(image);
    size_t ink = 0;
    for (int y = 0; y < 842; y++)
        for (int x = 0; x < 595; x++)
            ink += (*(const uint32_t *)(data + y * stride + x * 4) & 0xffffff) != 0xffffff;
    cairo_surface_destroy(image);
    return (double)ink / (595.0 * 842.0);
}

static void test_report(void **state)
{
    (void)state;
    static char indicators[TEST_ROWS][32];
    Spona__V1__IndicatorRow storage[TEST_ROWS], *rows[TEST_ROWS];
    for (size_t i = 0; i < TEST_ROWS; i++) {
        spona__v1__indicator_row__init(&storage[i]);
        snprintf(indicators[i], sizeof(indicators[i]), "indicator_%03zu", i);
        storage[i].indicator = indicators[i];
        storage[i].breakdown = "all";
        storage[i].value = i % 7 == 0 ? "<5" : "12";
        rows[i] = &storage[i];
    }
    Spona__V1__ReportResponse report = SPONA__V1__REPORT_RESPONSE__INIT;
    report.municipality_code = "testgrad";
    report.from = "2026-01-01";
    report.to = "2026-06-30";
    report.protocol_version = 2;
    report.n_rows = TEST_ROWS;
    report.rows = rows;
    char cli[256], saved[256], err[512];
    snprintf(cli, sizeof(cli), "%s/cli.pdf", test_directory);
    snprintf(saved, sizeof(saved), "%s/saved.pdf", test_directory);
    assert_int_equal(report_pdf_write_named(&report, NULL, NULL, cli, err, sizeof(err)), 0);
    struct doc_pages pages;
    doc_pages_init(&pages);
    assert_int_equal(report_pdf_record(&report, NULL, NULL, &pages, err, sizeof(err)), 0);
    int cli_pages = test_pdf_pages(cli);
    assert_true(cli_pages >= 3);
    assert_int_equal((int)pages.count, cli_pages);
    assert_true(test_ink(&pages, 0) > 0.01);
    assert_true(test_ink(&pages, pages.count - 1) > 0.001);
    assert_non_null(strstr(pages.title, "testgrad"));
    assert_int_equal(doc_pages_write_pdf(&pages, saved, err, sizeof(err)), 0);
    assert_int_equal(test_pdf_pages(saved), cli_pages);
    assert_true(test_pdf_has(saved, "All indicators"));
    assert_true(test_pdf_has(saved, "indicator_149"));
    /* a file that cannot be written: an error, nothing left */
    assert_int_not_equal(doc_pages_write_pdf(&pages, "/nonexistent-dir/x.pdf", err,
                                             sizeof(err)), 0);
    assert_non_null(strstr(err, "/nonexistent-dir/x.pdf"));
    doc_pages_clear(&pages);
    assert_int_equal((int)pages.count, 0);
    unlink(cli);
    unlink(saved);
}

static void test_letter(void **state)
{
    (void)state;
    Spona__V1__Disclosure storage[TEST_DISCLOSURES], *items[TEST_DISCLOSURES];
    char *categories[] = { "identity", "health_disability" };
    uint32_t clauses[] = { 12 };
    for (size_t i = 0; i < TEST_DISCLOSURES; i++) {
        spona__v1__disclosure__init(&storage[i]);
        storage[i].at = "2026-11-02 10:15:00";
        storage[i].institution_code = "testgrad.zzz";
        storage[i].n_categories = 2;
        storage[i].categories = categories;
        storage[i].n_clauses = 1;
        storage[i].clauses = clauses;
        storage[i].protocol_version = 2;
        items[i] = &storage[i];
    }
    Spona__V1__DisclosuresResponse disclosures = SPONA__V1__DISCLOSURES_RESPONSE__INIT;
    disclosures.person_id = "p";
    disclosures.n_disclosures = TEST_DISCLOSURES;
    disclosures.disclosures = items;
    struct doc_labels labels;
    memset(&labels, 0, sizeof(labels));
    struct letter_pdf_input input = { .disclosures = &disclosures,
                                      .person_name = "Milena Vukadin",
                                      .labels = &labels,
                                      .today = "03.12.2026." };
    char cli[256], saved[256], err[512];
    snprintf(cli, sizeof(cli), "%s/letter.pdf", test_directory);
    snprintf(saved, sizeof(saved), "%s/letter-saved.pdf", test_directory);
    assert_int_equal(letter_pdf_write(&input, cli, err, sizeof(err)), 0);
    struct doc_pages pages;
    doc_pages_init(&pages);
    assert_int_equal(letter_pdf_record(&input, &pages, err, sizeof(err)), 0);
    int cli_pages = test_pdf_pages(cli);
    assert_true(cli_pages >= 2);
    assert_int_equal((int)pages.count, cli_pages);
    assert_int_equal(doc_pages_write_pdf(&pages, saved, err, sizeof(err)), 0);
    assert_int_equal(test_pdf_pages(saved), cli_pages);
    assert_true(test_pdf_has(saved, "Milena Vukadin"));
    /* every page is drawn, the ones after a page break too */
    for (size_t i = 0; i < pages.count; i++)
        assert_true(test_ink(&pages, i) > 0.005);
    doc_pages_clear(&pages);
    unlink(cli);
    unlink(saved);
}

static int test_setup(void **state)
{
    (void)state;
    return mkdtemp(test_directory) != NULL ? 0 : -1;
}

static int test_teardown(void **state)
{
    (void)state;
    return rmdir(test_directory);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_report),
        cmocka_unit_test(test_letter),
    };
    return cmocka_run_group_tests(tests, test_setup, test_teardown);
}
