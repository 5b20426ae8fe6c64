/*
 * Unit tests of common/namekey: one search key for a name whatever its script,
 * case and diacritics (docs/domain.md, "Names in two scripts").
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "namekey.h"

struct key_case {
    const char *name;
    const char *key;
    const char *loose;
};

static const struct key_case key_cases[] = {
    {"Савић", "savic", "savic"},
    {"Savić", "savic", "savic"},
    {"Savic", "savic", "savic"},
    {"SAVIC", "savic", "savic"},
    {"Savic\xcc\x81", "savic", "savic"}, /* decomposed: c + combining acute */
    {"Ђорђевић", "djordjevic", "dordevic"},
    {"Đorđević", "djordjevic", "dordevic"},
    {"Djordjevic", "djordjevic", "dordevic"},
    {"Dordevic", "dordevic", "dordevic"},
    {"Љиљана", "ljiljana", "ljiljana"},
    {"Ljiljana", "ljiljana", "ljiljana"},
    {"Њежић", "njezic", "njezic"},
    {"Џафер", "dzafer", "dzafer"},
    {"Džafer", "dzafer", "dzafer"},
    {"\xc7\x85" "emal", "dzemal", "dzemal"},  /* the ǅ ligature */
    {"\xc7\x88" "ubica", "ljubica", "ljubica"}, /* ǈ */
    {"\xc7\x8b" "egoš", "njegos", "njegos"},  /* ǋ */
    {"ЋОРОВИЋ", "corovic", "corovic"},
    {"  Ana-Marija   Kovačević ", "ana marija kovacevic", "ana marija kovacevic"},
    {"Šćepanović Žarko", "scepanovic zarko", "scepanovic zarko"},
    {"", "", ""},
};

static void test_keys(void **state)
{
    char key[128], loose[128];
    for (size_t i = 0; i < sizeof(key_cases) / sizeof(key_cases[0]); i++) {
        assert_int_equal(namekey_make(key_cases[i].name, key, sizeof(key)),
                         (int)strlen(key_cases[i].key));
        assert_string_equal(key, key_cases[i].key);
        assert_int_equal(namekey_make_loose(key_cases[i].name, loose, sizeof(loose)),
                         (int)strlen(key_cases[i].loose));
        assert_string_equal(loose, key_cases[i].loose);
    }
}

static void test_same_key_across_scripts(void **state)
{
    const char *spellings[] = {"Јелена Ђурић", "Jelena Đurić", "JELENA DJURIC", "jelena djuric"};
    char first[64], other[64];
    assert_true(namekey_make(spellings[0], first, sizeof(first)) > 0);
    for (size_t i = 1; i < sizeof(spellings) / sizeof(spellings[0]); i++) {
        assert_true(namekey_make(spellings[i], other, sizeof(other)) > 0);
        assert_string_equal(first, other);
    }
}

static void test_invalid_utf8_and_small_buffer(void **state)
{
    char key[8];
    assert_int_equal(namekey_make("\xff", key, sizeof(key)), -1);
    assert_int_equal(namekey_make("Sav\xc4", key, sizeof(key)), -1);     /* truncated */
    assert_int_equal(namekey_make("\xc0\xaf", key, sizeof(key)), -1);    /* overlong */
    assert_int_equal(namekey_make("\xed\xa0\x80", key, sizeof(key)), -1); /* surrogate */
    assert_int_equal(namekey_make("Aleksandrović", key, sizeof(key)), -1);
    assert_int_equal(namekey_make("Ana", key, 0), -1);
    assert_int_equal(namekey_make("Ana", key, 4), 3);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_keys),
        cmocka_unit_test(test_same_key_across_scripts),
        cmocka_unit_test(test_invalid_utf8_and_small_buffer),
    };
    return cmocka_run_group_tests_name("namekey", tests, NULL, NULL);
}
