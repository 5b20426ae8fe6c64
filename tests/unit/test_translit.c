/*
 * Unit test: Serbian Latin to Cyrillic (client/lib/translit.c), the one source of the
 * sr catalog: letters and digraphs (lj, nj, dž in every case), words where they are two
 * letters, printf conversions, C escapes, commands in backquotes, codes and names kept.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "translit.h"

static void expect(const char *latin, const char *cyrillic)
{
    char out[1024];
    assert_true(translit_latin_to_cyrillic(latin, out, sizeof(out)) >= 0);
    assert_string_equal(out, cyrillic);
}

static void test_letters(void **state)
{
    (void)state;
    expect("abvgdđežzijklmnoprstćufhcčš", "абвгдђежзијклмнопрстћуфхцчш");
    expect("ABVGDĐEŽZIJKLMNOPRSTĆUFHCČŠ", "АБВГДЂЕЖЗИЈКЛМНОПРСТЋУФХЦЧШ");
    expect("Općina Prijedor", "Опћина Приједор");
}

static void test_digraphs(void **state)
{
    (void)state;
    expect("ljubav njiva džep", "љубав њива џеп");
    expect("Ljubav Njiva Džep", "Љубав Њива Џеп");
    expect("LJUBAV NJIVA DŽEP", "ЉУБАВ ЊИВА ЏЕП");
    expect("Ljiljana Đurđević odgovorna", "Љиљана Ђурђевић одговорна");
    /* two letters, not a digraph */
    expect("injekcija nadživjeti podžupan konjunkcija", "инјекција надживјети поджупан конјункција");
}

static void test_placeholders_and_codes(void **state)
{
    (void)state;
    expect("predmet %s: faza %s, sada verzija %llu\\n",
           "предмет %s: фаза %s, сада верзија %llu\\n");
    expect("%1$s je %2$s, %zu zapisa, 100%% tačno", "%1$s је %2$s, %zu записа, 100%% тачно");
    expect("pokrenite `spona login` pa --lang sr-Cyrl", "покрените `spona login` па --lang sr-Cyrl");
    expect("ustanova prijedor.csr, job_search_support, PDF i JSON, UUID",
           "установа prijedor.csr, job_search_support, PDF и JSON, UUID");
    expect("očekuje se \\\"da\\\" ili YYYY-MM-DD", "очекује се \\\"да\\\" или YYYY-MM-DD");
    expect("docs/policy.md i x@y", "docs/policy.md и x@y");
    /* both genders with a slash are a word; a path is not */
    expect("zaposlen/a, odustao/la", "запослен/а, одустао/ла");
    expect("a/b/c /etc/spona", "a/b/c /etc/spona");
    expect("(vidi spona --help)", "(види spona --help)");
}

static void test_small_buffer(void **state)
{
    (void)state;
    char out[4];
    assert_int_equal(translit_latin_to_cyrillic("abc", out, sizeof(out)), -1);
    assert_int_equal(translit_latin_to_cyrillic("", out, sizeof(out)), 0);
    assert_string_equal(out, "");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_letters),
        cmocka_unit_test(test_digraphs),
        cmocka_unit_test(test_placeholders_and_codes),
        cmocka_unit_test(test_small_buffer),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
