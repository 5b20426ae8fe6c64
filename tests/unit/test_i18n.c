/*
 * Unit test: the languages of the clients (client/lib/i18n.c, i18n_mo.c, i18n_errors.c)
 * with the catalogs the build made: names and locales to languages, the .mo reader,
 * plural forms (1, 2-4, 5+, 11-14, 21), labels of codes in context, a message per error
 * code with its parameters' labels, the English fallback for an unknown code, and a
 * missing or damaged catalog falling back to English.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "i18n.h"
#include "i18n_codes.h"
#include "i18n_errors.h"

static void test_language_names(void **state)
{
    (void)state;
    static const struct {
        const char *name;
        enum i18n_language language;
    } cases[] = {
        { "bs", I18N_BS },          { "hr", I18N_HR },           { "sr-Latn", I18N_SR_LATN },
        { "sr_latn", I18N_SR_LATN }, { "SR-CYRL", I18N_SR_CYRL }, { "en", I18N_EN },
        { "sr@latin", I18N_SR_LATN }, { "bs_BA.UTF-8", I18N_BS }, { "hr_HR.utf8", I18N_HR },
        { "sr_RS@latin", I18N_SR_LATN }, { "sr_BA.UTF-8", I18N_SR_CYRL }, { "C", I18N_EN },
        { "POSIX", I18N_EN },       { "en_US.UTF-8", I18N_EN },
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        enum i18n_language language = I18N_EN;
        assert_int_equal(i18n_parse_language(cases[i].name, &language), 0);
        assert_int_equal(language, cases[i].language);
    }
    enum i18n_language language;
    assert_int_equal(i18n_parse_language("de_DE.UTF-8", &language), -1);
    assert_int_equal(i18n_parse_language("", &language), -1);
    assert_int_equal(i18n_parse_language("sr-Glag", &language), -1);
}

static void test_locale_order(void **state)
{
    (void)state;
    setenv("LANG", "hr_HR.UTF-8", 1);
    setenv("LC_MESSAGES", "bs_BA.UTF-8", 1);
    setenv("LC_ALL", "sr_RS.UTF-8", 1);
    assert_int_equal(i18n_language_from_locale(), I18N_SR_CYRL);
    unsetenv("LC_ALL");
    assert_int_equal(i18n_language_from_locale(), I18N_BS);
    unsetenv("LC_MESSAGES");
    assert_int_equal(i18n_language_from_locale(), I18N_HR);
    setenv("LANG", "de_DE.UTF-8", 1);
    assert_int_equal(i18n_language_from_locale(), I18N_EN);
    unsetenv("LANG");
}

static void test_plural_rule(void **state)
{
    (void)state;
    unsigned long n[] = { 0, 1, 2, 4, 5, 11, 12, 14, 21, 22, 25, 101, 111, 112 };
    unsigned expected[] = { 2, 0, 1, 1, 2, 2, 2, 2, 0, 1, 2, 0, 2, 2 };
    for (size_t i = 0; i < sizeof(n) / sizeof(n[0]); i++)
        assert_int_equal(i18n_plural_index(I18N_BS, n[i]), expected[i]);
    assert_int_equal(i18n_plural_index(I18N_EN, 1), 0);
    assert_int_equal(i18n_plural_index(I18N_EN, 2), 1);
}

static void test_bosnian(void **state)
{
    (void)state;
    assert_int_equal(i18n_select(I18N_BS, SPONA_TEST_LOCALEDIR), 0);
    assert_int_equal(i18n_current(), I18N_BS);
    assert_string_equal(_("no command given"), "nije navedena naredba");
    assert_string_equal(i18n_n("%zu user", "%zu users", 1), "%zu korisnik");
    assert_string_equal(i18n_n("%zu user", "%zu users", 3), "%zu korisnika");
    assert_string_equal(i18n_n("%zu user", "%zu users", 5), "%zu korisnika");
    assert_string_equal(i18n_code_label("stage", "planning"), "planiranje");
    assert_string_equal(i18n_code_label("measure_kind", "job_search_support"),
                        "podrška u traženju posla");
    assert_string_equal(i18n_code_label("stage", "no_such_stage"), "no_such_stage");
    assert_string_equal(_("a string no catalog has"), "a string no catalog has");
}

static void test_croatian_and_serbian_differ(void **state)
{
    (void)state;
    assert_int_equal(i18n_select(I18N_HR, SPONA_TEST_LOCALEDIR), 0);
    assert_string_equal(i18n_code_label("category", "benefits_household"), "naknade i kućanstvo");
    assert_int_equal(i18n_select(I18N_SR_LATN, SPONA_TEST_LOCALEDIR), 0);
    assert_string_equal(i18n_code_label("category", "benefits_household"),
                        "naknade i domaćinstvo");
    assert_string_equal(_("no command given"), "nije navedena komanda");
    assert_int_equal(i18n_select(I18N_SR_CYRL, SPONA_TEST_LOCALEDIR), 0);
    assert_string_equal(_("no command given"), "није наведена команда");
    assert_string_equal(i18n_code_label("stage", "planning"), "планирање");
    assert_int_equal(i18n_select(I18N_EN, SPONA_TEST_LOCALEDIR), 0);
    assert_string_equal(i18n_code_label("measure_kind", "job_search_support"),
                        "job search support");
}

/* A response of status with code and the parameter pairs (NULL-ended). */
static void error_message(const char *code, const char *const *params, char *out, size_t size)
{
    spona_response response = SPONA__V1__RESPONSE__INIT;
    Spona__V1__ErrorParam storage[4], *pointers[4];
    size_t count = 0;
    for (; params != NULL && params[2 * count] != NULL && count < 4; count++) {
        spona__v1__error_param__init(&storage[count]);
        storage[count].name = (char *)(uintptr_t)params[2 * count];
        storage[count].value = (char *)(uintptr_t)params[2 * count + 1];
        pointers[count] = &storage[count];
    }
    response.status = SPONA__V1__STATUS__CONFLICT;
    response.message = "plan was changed meanwhile: current version 3";
    response.error_code = (char *)(uintptr_t)code;
    response.error_params = pointers;
    response.n_error_params = count;
    i18n_error_message(&response, out, size);
}

static void test_error_codes(void **state)
{
    (void)state;
    char out[512];
    const char *conflict[] = { "record", "plan", "version", "3", NULL };
    assert_int_equal(i18n_select(I18N_BS, SPONA_TEST_LOCALEDIR), 0);
    error_message("version_conflict", conflict, out, sizeof(out));
    assert_non_null(strstr(out, "plan je u međuvremenu izmijenjen"));
    assert_non_null(strstr(out, "verzija je 3"));
    const char *consent[] = { "category", "health_disability", "clause", "7", NULL };
    error_message("consent_required", consent, out, sizeof(out));
    assert_string_equal(out, "za dijeljenje kategorije zdravlje i invaliditet potrebna je "
                             "saglasnost osobe (odredba 7 protokola)");
    error_message("a_code_of_a_newer_server", NULL, out, sizeof(out));
    assert_string_equal(out, "plan was changed meanwhile: current version 3");
    assert_int_equal(i18n_select(I18N_SR_CYRL, SPONA_TEST_LOCALEDIR), 0);
    error_message("case_closed", NULL, out, sizeof(out));
    assert_string_equal(out, "предмет је затворен: не прима нове записе (прво га поново отворите)");
}

static void test_every_code_has_a_label(void **state)
{
    (void)state;
    enum i18n_language languages[] = { I18N_BS, I18N_HR, I18N_SR_LATN, I18N_SR_CYRL };
    for (size_t l = 0; l < sizeof(languages) / sizeof(languages[0]); l++) {
        assert_int_equal(i18n_select(languages[l], SPONA_TEST_LOCALEDIR), 0);
        for (const struct i18n_code *code = i18n_codes; code->kind != NULL; code++) {
            const char *label = i18n_code_label(code->kind, code->code);
            if (label == code->code) /* not found: the code itself */
                fail_msg("%s: no label of %s %s", i18n_language_tag(languages[l]), code->kind,
                         code->code);
        }
    }
}

static void test_missing_or_damaged_catalog(void **state)
{
    (void)state;
    assert_int_equal(i18n_select(I18N_BS, "/nonexistent"), -1);
    assert_int_equal(i18n_current(), I18N_EN);
    assert_string_equal(_("no command given"), "no command given");
    char dir[] = "/tmp/spona-i18n-test.XXXXXX";
    assert_non_null(mkdtemp(dir));
    char path[256];
    snprintf(path, sizeof(path), "%s/bs", dir);
    assert_int_equal(mkdir(path, 0700), 0);
    snprintf(path, sizeof(path), "%s/bs/LC_MESSAGES", dir);
    assert_int_equal(mkdir(path, 0700), 0);
    snprintf(path, sizeof(path), "%s/bs/LC_MESSAGES/spona.mo", dir);
    FILE *file = fopen(path, "wb");
    assert_non_null(file);
    /* the magic, then a count and offsets pointing far outside the file */
    const unsigned char damaged[28] = { 0xde, 0x12, 0x04, 0x95, 0, 0, 0, 0, 0, 0, 0, 100,
                                        0, 0, 0xff, 0xff, 0, 0, 0, 28 };
    assert_int_equal(fwrite(damaged, 1, sizeof(damaged), file), sizeof(damaged));
    fclose(file);
    assert_int_equal(i18n_select(I18N_BS, dir), -1);
    assert_string_equal(_("no command given"), "no command given");
    char command[128];
    snprintf(command, sizeof(command), "rm -rf '%s'", dir);
    assert_int_equal(system(command), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_language_names),
        cmocka_unit_test(test_locale_order),
        cmocka_unit_test(test_plural_rule),
        cmocka_unit_test(test_bosnian),
        cmocka_unit_test(test_croatian_and_serbian_differ),
        cmocka_unit_test(test_error_codes),
        cmocka_unit_test(test_every_code_has_a_label),
        cmocka_unit_test(test_missing_or_damaged_catalog),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
