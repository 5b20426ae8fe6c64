/*
 * The printable report (client/docs/report_pdf.c), rendered by poppler: builds
 * ReportResponses in memory (a lead view with numbers, a suppressed view with
 * "<5", "x", "n/a" and released_at, an empty one, one of several table pages),
 * writes each to a PDF in a mkdtemp directory, reads the text back with
 * `pdftotext -layout` and rasterises page 1 with `pdftoppm -r 40` (PPM) to check
 * it is A4, not blank, and that the pathway chart's bars are drawn to scale.
 * pdftotext and pdftoppm (poppler-utils, deploy/install-deps.sh) are required:
 * the test fails without them rather than skip.
 */
#define _GNU_SOURCE /* RTLD_DEFAULT */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <dirent.h>
#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cairo.h>

#include "report_pdf.h"

/* The pathway chart's colour of integrated case management (report_pdf.c). */
#define TEST_ICM_RED 31
#define TEST_ICM_GREEN 97
#define TEST_ICM_BLUE 168
#define TEST_COLOUR_TOLERANCE 6

static char test_directory[] = "/tmp/spona-report-pdf-XXXXXX";

/* Not const: protobuf-c's structs take char * (string literals are char[] in C). */
struct test_row {
    char *indicator, *breakdown, *value;
};

/* A report built in memory; test_report_free releases it. */
struct test_report {
    Spona__V1__ReportResponse response;
    Spona__V1__IndicatorRow *storage;
    Spona__V1__IndicatorRow **rows;
    char (*extra_text)[2][32]; /* indicator and value of each extra row */
};

/* A lead agency's view: every figure a number (group codes in Latin and Cyrillic). */
static const struct test_row test_lead_rows[] = {
    { "persons_in_case_management", "all", "154" },
    { "persons_in_case_management", "sex:F", "81" },
    { "persons_in_case_management", "sex:M", "73" },
    { "persons_in_case_management", "sex:unknown", "0" },
    { "persons_in_case_management", "age:15-24", "40" },
    { "persons_in_case_management", "age:25-34", "52" },
    { "persons_in_case_management", "area:rural", "61" },
    { "persons_in_case_management", "area:urban", "93" },
    { "persons_in_case_management", "group:roma", "37" },
    { "persons_in_case_management", "group:žrtve_nasilja", "12" },
    { "persons_in_case_management", "group:расељена_лица", "9" },
    { "persons_in_case_management", "group:none", "96" },
    { "assessed", "all", "131" },
    { "with_plan", "all", "117" },
    { "referred", "all", "98" },
    { "referred", "institution:ZZZ", "44" },
    { "referrals_accepted", "all", "80" },
    { "employed", "all", "72" },
    { "employed", "pathway:integrated_case_management", "60" },
    { "employed", "pathway:social_entrepreneurship", "30" },
    { "employed", "pathway:other", "10" },
    { "still_employed", "months:3", "51" },
    { "median_days_to_employment", "all", "154.5" },
    { "one_time_assistance_recipients", "year:2025", "210" },
    { "one_time_assistance_recipients", "year:2026", "265" },
    { "a_future_indicator", "dimension:thing", "7" },
};

/* The same report with integrated case management at 6. */
static const struct test_row test_small_icm_rows[] = {
    { "persons_in_case_management", "all", "154" },
    { "employed", "all", "46" },
    { "employed", "pathway:integrated_case_management", "6" },
    { "employed", "pathway:social_entrepreneurship", "30" },
    { "employed", "pathway:other", "10" },
};

/* A coordinator's view: small cells suppressed. */
static const struct test_row test_suppressed_rows[] = {
    { "persons_in_case_management", "all", "23" },
    { "persons_in_case_management", "group:roma", "<5" },
    { "persons_in_case_management", "group:none", "x" },
    { "assessed", "all", "19" },
    { "with_plan", "all", "17" },
    { "referred", "all", "11" },
    { "employed", "all", "6" },
    { "employed", "pathway:integrated_case_management", "<5" },
    { "employed", "pathway:social_entrepreneurship", "x" },
    { "employed", "pathway:other", "0" },
    { "median_days_to_employment", "all", "n/a" },
};

static struct test_report *test_report_new(char *municipality, const struct test_row *rows,
                                           size_t count, size_t extra)
{
    struct test_report *report = calloc(1, sizeof(*report));
    assert_non_null(report);
    spona__v1__report_response__init(&report->response);
    report->response.municipality_code = municipality;
    report->response.from = "2025-12-01";
    report->response.to = "2026-11-30";
    report->response.protocol_version = 2;
    size_t total = count + extra;
    report->storage = calloc(total + 1, sizeof(*report->storage));
    report->rows = calloc(total + 1, sizeof(*report->rows));
    report->extra_text = calloc(extra + 1, sizeof(*report->extra_text));
    assert_non_null(report->storage);
    assert_non_null(report->rows);
    assert_non_null(report->extra_text);
    for (size_t i = 0; i < total; i++) {
        Spona__V1__IndicatorRow *row = &report->storage[i];
        spona__v1__indicator_row__init(row);
        if (i < count) {
            row->indicator = rows[i].indicator;
            row->breakdown = rows[i].breakdown;
            row->value = rows[i].value;
        } else {
            char(*text)[32] = report->extra_text[i - count];
            snprintf(text[0], sizeof(text[0]), "extra_indicator_%03zu", i - count);
            snprintf(text[1], sizeof(text[1]), "%zu", 1000 + i - count);
            row->indicator = text[0];
            row->breakdown = "all";
            row->value = text[1];
        }
        report->rows[i] = row;
    }
    report->response.rows = report->rows;
    report->response.n_rows = total;
    return report;
}

static void test_report_free(struct test_report *report)
{
    free(report->storage);
    free(report->rows);
    free(report->extra_text);
    free(report);
}

/* Writes report to DIRECTORY/name and returns the path (static buffer). */
static char *test_write(const struct test_report *report, const char *name)
{
    static char path[256];
    char err[256] = "";
    snprintf(path, sizeof(path), "%s/%s", test_directory, name);
    int result = report_pdf_write(&report->response, path, err, sizeof(err));
    if (result != 0)
        fail_msg("report_pdf_write %s: %s", path, err);
    return path;
}

/*
 * Runs argv (a program on PATH) and returns what it wrote on stdout, NUL-ended
 * (caller frees), with its length in *length. Fails the test unless it exits 0.
 */
static char *test_run(char *const argv[], size_t *length)
{
    int pipe_ends[2];
    assert_int_equal(pipe(pipe_ends), 0);
    pid_t child = fork();
    assert_true(child >= 0);
    if (child == 0) {
        dup2(pipe_ends[1], STDOUT_FILENO);
        close(pipe_ends[0]);
        close(pipe_ends[1]);
        execvp(argv[0], argv);
        _exit(127);
    }
    close(pipe_ends[1]);
    size_t used = 0, size = 65536;
    char *output = malloc(size);
    assert_non_null(output);
    for (;;) {
        if (size - used < 2) {
            size *= 2;
            output = realloc(output, size);
            assert_non_null(output);
        }
        ssize_t got = read(pipe_ends[0], output + used, size - used - 1);
        if (got <= 0)
            break;
        used += (size_t)got;
    }
    close(pipe_ends[0]);
    int status = 0;
    assert_int_equal(waitpid(child, &status, 0), child);
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
        fail_msg("%s failed (exit %d; 127: not installed, see deploy/install-deps.sh, "
                 "package poppler-utils)",
                 argv[0], WIFEXITED(status) ? WEXITSTATUS(status) : -1);
    output[used] = '\0';
    *length = used;
    return output;
}

/* The text of the PDF at path, as `pdftotext -layout` reads it (caller frees). */
static char *test_text(char *path)
{
    char *argv[] = { "pdftotext", "-layout", path, "-", NULL };
    size_t length;
    return test_run(argv, &length);
}

static void test_contains(const char *text, const char *needle)
{
    if (strstr(text, needle) == NULL)
        fail_msg("\"%s\" not in the PDF's text:\n%s", needle, text);
}

static size_t test_count(const char *text, const char *needle)
{
    size_t count = 0;
    for (const char *at = strstr(text, needle); at != NULL; at = strstr(at + 1, needle))
        count++;
    return count;
}

/* Page 1 rasterised at 40 dpi. */
struct test_page {
    char *ppm;
    const unsigned char *pixels; /* RGB, width * height * 3 */
    unsigned width, height;
};

static void test_render(char *path, struct test_page *page)
{
    char *argv[] = { "pdftoppm", "-r", "40", "-f", "1", "-l", "1", path, NULL };
    size_t length;
    page->ppm = test_run(argv, &length);
    int header = 0;
    assert_int_equal(sscanf(page->ppm, "P6\n%u %u\n255\n%n", &page->width, &page->height, &header),
                     2);
    assert_true(header > 0);
    assert_int_equal(length - (size_t)header, (size_t)page->width * page->height * 3);
    page->pixels = (const unsigned char *)page->ppm + header;
}

static int test_near(int value, int expected)
{
    return abs(value - expected) <= TEST_COLOUR_TOLERANCE;
}

/* Pixels within the tolerance of the given colour. */
static size_t test_pixels_of(const struct test_page *page, int red, int green, int blue)
{
    size_t count = 0, total = (size_t)page->width * page->height;
    for (size_t i = 0; i < total; i++) {
        const unsigned char *pixel = page->pixels + i * 3;
        if (test_near(pixel[0], red) && test_near(pixel[1], green) && test_near(pixel[2], blue))
            count++;
    }
    return count;
}

/* A4 portrait (595×842 pt: 331×468 at 40 dpi) and at least 2% of it not white. */
static void test_page_is_a4_and_drawn(const struct test_page *page)
{
    double ratio = (double)page->height / page->width;
    assert_in_range(page->width, 325, 337);
    assert_true(ratio > 1.40 && ratio < 1.43);
    size_t total = (size_t)page->width * page->height;
    size_t white = test_pixels_of(page, 255, 255, 255);
    assert_true(total - white > total / 50);
}

static size_t test_icm_pixels(char *path)
{
    struct test_page page;
    test_render(path, &page);
    test_page_is_a4_and_drawn(&page);
    size_t count = test_pixels_of(&page, TEST_ICM_RED, TEST_ICM_GREEN, TEST_ICM_BLUE);
    free(page.ppm);
    return count;
}

static void test_lead_view(void **state)
{
    (void)state;
    struct test_report *report = test_report_new(
        "TESTGRAD", test_lead_rows, sizeof(test_lead_rows) / sizeof(test_lead_rows[0]), 0);
    char *path = test_write(report, "lead.pdf");
    char *text = test_text(path);
    test_contains(text, "Spona — indicators of the Protocol on cooperation");
    test_contains(text, "Municipality TESTGRAD");
    test_contains(text, "period 2025-12-01 to 2026-11-30");
    test_contains(text, "protocol version 2");
    const char *key_figures[] = { "154", "131", "117", "98", "72", "154.5" };
    for (size_t i = 0; i < sizeof(key_figures) / sizeof(key_figures[0]); i++)
        test_contains(text, key_figures[i]);
    test_contains(text, "median days");
    test_contains(text, "Employed, by pathway");
    test_contains(text, "integrated case management");
    test_contains(text, "social entrepreneurship");
    test_contains(text, "Persons in case management, by priority group");
    test_contains(text, "žrtve_nasilja");
    test_contains(text, "расељена_лица");
    test_contains(text, "no priority group");
    test_contains(text, "One-time assistance recipients, per year");
    test_contains(text, "2025");
    test_contains(text, "265");
    test_contains(text, "a_future_indicator"); /* unknown rows are listed in the table */
    test_contains(text, "dimension:thing");
    test_contains(text, "page 1 of 2");
    test_contains(text, "page 2 of 2");
    assert_null(strstr(text, "Small cells are suppressed"));
    assert_null(strstr(text, "released at"));
    free(text);
    assert_true(test_icm_pixels(path) > 100);
    test_report_free(report);
}

static void test_suppressed_view(void **state)
{
    (void)state;
    struct test_report *report =
        test_report_new("TESTGRAD", test_suppressed_rows,
                        sizeof(test_suppressed_rows) / sizeof(test_suppressed_rows[0]), 0);
    report->response.suppressed_view = 1;
    report->response.released_at = "2026-12-03 10:00";
    char *path = test_write(report, "suppressed.pdf");
    char *text = test_text(path);
    test_contains(text, "Figures released at 2026-12-03 10:00");
    test_contains(text, "Small cells are suppressed");
    test_contains(text, "counts from 1 to 4 are shown");
    test_contains(text, "<5");
    test_contains(text, "n/a");
    test_contains(text, "x: hidden");
    /* the chart prints "<5" and "x" where their bars would be; the table too */
    assert_true(test_count(text, "<5") >= 6);
    free(text);
    /* integrated case management is "<5": no bar of its colour is drawn */
    assert_int_equal(test_icm_pixels(path), 0);
    test_report_free(report);
}

static void test_empty_report(void **state)
{
    (void)state;
    struct test_report *report = test_report_new("TESTGRAD", NULL, 0, 0);
    char *path = test_write(report, "empty.pdf");
    char *text = test_text(path);
    test_contains(text, "TESTGRAD");
    assert_true(test_count(text, "no data") >= 2); /* pathway and priority group charts */
    assert_null(strstr(text, "One-time assistance recipients"));
    test_contains(text, "The report has no rows.");
    /* no empty page: the table starts under the charts of page 1 */
    test_contains(text, "page 1 of 1");
    assert_null(strstr(text, "page 2"));
    free(text);
    assert_int_equal(test_icm_pixels(path), 0);
    test_report_free(report);
}

static void test_many_pages(void **state)
{
    (void)state;
    struct test_report *report = test_report_new(
        "TESTGRAD", test_lead_rows, sizeof(test_lead_rows) / sizeof(test_lead_rows[0]), 200);
    char *path = test_write(report, "long.pdf");
    char *text = test_text(path);
    test_contains(text, "page 2 of");
    test_contains(text, "page 3 of");
    test_contains(text, "extra_indicator_000");
    test_contains(text, "extra_indicator_199");
    test_contains(text, "1199");
    size_t pages = test_count(text, "page ");
    assert_true(pages >= 6);
    /* the header row is on every page: the table starts under page 1's charts */
    assert_int_equal(test_count(text, "breakdown"), pages);
    free(text);
    test_report_free(report);
}

/* Bars are scaled: integrated case management at 60 (largest) against 6 (of 30). */
static void test_bars_to_scale(void **state)
{
    (void)state;
    struct test_report *large = test_report_new(
        "TESTGRAD", test_lead_rows, sizeof(test_lead_rows) / sizeof(test_lead_rows[0]), 0);
    struct test_report *small =
        test_report_new("TESTGRAD", test_small_icm_rows,
                        sizeof(test_small_icm_rows) / sizeof(test_small_icm_rows[0]), 0);
    size_t large_pixels = test_icm_pixels(test_write(large, "icm60.pdf"));
    size_t small_pixels = test_icm_pixels(test_write(small, "icm6.pdf"));
    assert_true(small_pixels > 0);
    assert_true(large_pixels > 3 * small_pixels);
    test_report_free(large);
    test_report_free(small);
}

/* Text that is not UTF-8 or holds control characters is drawn as '?', not refused. */
static void test_bad_text(void **state)
{
    (void)state;
    const struct test_row rows[] = {
        { "persons_in_case_management", "group:bad\xff\xfe\xc3", "3" },
        { "odd\tindicator\n", "all", "1\x01" },
    };
    struct test_report *report = test_report_new("TEST\x1bGRAD", rows, 2, 0);
    char *path = test_write(report, "bad.pdf");
    char *text = test_text(path);
    test_contains(text, "bad??");
    test_contains(text, "TEST?GRAD");
    free(text);
    test_report_free(report);
}

static void test_unwritable_path(void **state)
{
    (void)state;
    char err[256] = "";
    Spona__V1__ReportResponse report = SPONA__V1__REPORT_RESPONSE__INIT;
    assert_int_equal(report_pdf_write(&report, "/nonexistent/dir/r.pdf", err, sizeof(err)), -1);
    assert_non_null(strstr(err, "cannot write /nonexistent/dir/r.pdf"));
}

static int test_setup(void **state)
{
    (void)state;
    return mkdtemp(test_directory) != NULL ? 0 : -1;
}

/*
 * Releases cairo's font caches and fontconfig's configuration, both kept for
 * the life of the process, which an ASan build would otherwise report as
 * leaks. fontconfig comes in with cairo and is not linked to the test itself,
 * hence dlsym.
 */
static void test_release_fonts(void)
{
    cairo_debug_reset_static_data();
    void (*fontconfig_fini)(void);
    *(void **)&fontconfig_fini = dlsym(RTLD_DEFAULT, "FcFini");
    if (fontconfig_fini != NULL)
        fontconfig_fini();
}

/* Removes the PDFs and the directory (kept, to look at, with SPONA_KEEP_PDF=1). */
static int test_teardown(void **state)
{
    (void)state;
    test_release_fonts();
    if (getenv("SPONA_KEEP_PDF") != NULL) {
        printf("PDFs kept in %s\n", test_directory);
        return 0;
    }
    DIR *directory = opendir(test_directory);
    if (directory == NULL)
        return -1;
    struct dirent *entry;
    char path[512];
    while ((entry = readdir(directory)) != NULL) {
        if (strcmp(entry->d_name, ".") == 0 || strcmp(entry->d_name, "..") == 0)
            continue;
        snprintf(path, sizeof(path), "%s/%s", test_directory, entry->d_name);
        unlink(path);
    }
    closedir(directory);
    return rmdir(test_directory);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_lead_view),    cmocka_unit_test(test_suppressed_view),
        cmocka_unit_test(test_empty_report), cmocka_unit_test(test_many_pages),
        cmocka_unit_test(test_bars_to_scale), cmocka_unit_test(test_bad_text),
        cmocka_unit_test(test_unwritable_path),
    };
    return cmocka_run_group_tests(tests, test_setup, test_teardown);
}
