/*
 * Unit tests of report suppression (server/policy/report_suppress.c): small cells, and the
 * second cell hidden in every linked set (an indicator's "all" and one dimension) that
 * would otherwise give a small cell away by subtraction.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "report_suppress.h"

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

static void suppress(struct report_figure *figures, size_t count)
{
    report_suppress(figures, count, 5);
}

/* The texts of the figures joined by spaces, each shown as its base. */
static const char *texts(const struct report_figure *figures, size_t count)
{
    static char out[512];
    size_t used = 0;
    out[0] = '\0';
    for (size_t i = 0; i < count; i++) {
        char number[24];
        snprintf(number, sizeof(number), "%ld", figures[i].base);
        used += (size_t)snprintf(out + used, sizeof(out) - used, "%s%s", i ? " " : "",
                                 report_cell_text(&figures[i], number));
    }
    return out;
}

static void test_no_small_cells_nothing_hidden(void **state)
{
    (void)state;
    struct report_figure f[] = {
        {"p", "all", 20, 1, 0}, {"p", "sex:F", 12, 1, 0}, {"p", "sex:M", 8, 1, 0},
        {"p", "sex:unknown", 0, 1, 0}, {"e", "all", 0, 1, 0},
    };
    suppress(f, COUNT(f));
    assert_string_equal(texts(f, COUNT(f)), "20 12 8 0 0");
}

/* sex:M = 3 alone would be all - F - unknown = 23 - 20 - 0: F is hidden too, not the 0. */
static void test_one_small_cell_hides_the_next_smallest(void **state)
{
    (void)state;
    struct report_figure f[] = {
        {"p", "all", 23, 1, 0},       {"p", "sex:F", 20, 1, 0}, {"p", "sex:M", 3, 1, 0},
        {"p", "sex:unknown", 0, 1, 0}, {"p", "area:rural", 9, 1, 0},
        {"p", "area:urban", 14, 1, 0},
    };
    suppress(f, COUNT(f));
    assert_string_equal(texts(f, COUNT(f)), "23 x <5 0 9 14");
}

static void test_two_small_cells_are_enough(void **state)
{
    (void)state;
    struct report_figure f[] = {
        {"p", "all", 30, 1, 0}, {"p", "age:15-24", 2, 1, 0}, {"p", "age:25-34", 24, 1, 0},
        {"p", "age:50+", 4, 1, 0},
    };
    suppress(f, COUNT(f));
    assert_string_equal(texts(f, COUNT(f)), "30 <5 24 <5");
}

/* One institution that received referrals: its count is "all"; both go. */
static void test_single_cell_dimension_hides_all(void **state)
{
    (void)state;
    struct report_figure f[] = {
        {"referred", "all", 7, 1, 0},
        {"referred", "institution:zzz", 7, 1, 0},
        {"referred", "institution:skola", 3, 1, 0},
    };
    suppress(f, COUNT(f));
    assert_string_equal(texts(f, COUNT(f)), "7 x <5");
    struct report_figure g[] = {
        {"employed", "all", 9, 1, 0},
        {"employed", "group:a", 4, 1, 0},
        {"employed", "group:none", 0, 1, 0},
    };
    suppress(g, COUNT(g));
    assert_string_equal(texts(g, COUNT(g)), "x <5 0");
}

/* Hiding "all" in one set makes another set of the same indicator hide a second cell. */
static void test_hidden_all_spreads_to_other_dimensions(void **state)
{
    (void)state;
    struct report_figure f[] = {
        {"e", "all", 9, 1, 0},          {"e", "group:a", 4, 1, 0},
        {"e", "group:none", 0, 1, 0},   {"e", "pathway:icm", 6, 1, 0},
        {"e", "pathway:se", 3, 1, 0},   {"e", "pathway:other", 0, 1, 0},
        {"f", "all", 9, 1, 0},          {"f", "sex:F", 9, 1, 0},
    };
    suppress(f, COUNT(f));
    assert_string_equal(texts(f, COUNT(f)), "x <5 0 6 <5 0 9 9");
    /* pathway had two hidden already (all and se); with se shown it would hide icm */
    struct report_figure g[] = {
        {"e", "all", 9, 1, 0},         {"e", "group:a", 4, 1, 0},
        {"e", "group:none", 0, 1, 0},  {"e", "pathway:icm", 9, 1, 0},
        {"e", "pathway:se", 0, 1, 0},
    };
    suppress(g, COUNT(g));
    assert_string_equal(texts(g, COUNT(g)), "x <5 0 x 0");
}

/* A small "all": its non-zero cells are small too; nothing more to hide. */
static void test_small_all(void **state)
{
    (void)state;
    struct report_figure f[] = {
        {"p", "all", 3, 1, 0}, {"p", "sex:F", 3, 1, 0}, {"p", "sex:M", 0, 1, 0},
    };
    suppress(f, COUNT(f));
    assert_string_equal(texts(f, COUNT(f)), "<5 <5 0");
}

/* A median (not linked) over few persons is "<5"; over none "n/a"; others as they are. */
static void test_median_and_unlinked(void **state)
{
    (void)state;
    struct report_figure f[] = {
        {"median", "all", 3, 0, 0}, {"median", "all", 0, 0, 0}, {"median", "all", 7, 0, 0},
    };
    suppress(f, COUNT(f));
    assert_string_equal(report_cell_text(&f[0], "154.5"), "<5");
    assert_string_equal(report_cell_text(&f[1], ""), "n/a");
    assert_string_equal(report_cell_text(&f[2], "154.5"), "154.5");
}

/* Every linked set ends with zero or at least two hidden cells, whatever the counts. */
static void test_every_set_protected(void **state)
{
    (void)state;
    unsigned seed = 12345;
    for (int round = 0; round < 2000; round++) {
        struct report_figure f[7];
        static const char *const cells[] = {"all", "sex:F", "sex:M", "sex:u",
                                            "area:r", "area:u", "area:x"};
        long sex = 0, area = 0;
        for (int i = 1; i < 7; i++) {
            seed = seed * 1103515245u + 12345u;
            long base = (long)((seed >> 16) % 9); /* 0..8: many small ones */
            f[i] = (struct report_figure){"p", cells[i], base, 1, 0};
            if (i <= 3)
                sex += base;
            else
                area += base;
        }
        f[0] = (struct report_figure){"p", cells[0], sex > area ? sex : area, 1, 0};
        suppress(f, 7);
        for (int set = 0; set < 2; set++) {
            int hidden = f[0].cell != REPORT_CELL_SHOWN;
            for (int i = 1 + set * 3; i < 4 + set * 3; i++) {
                hidden += f[i].cell != REPORT_CELL_SHOWN;
                if (f[i].base >= 1 && f[i].base <= 4)
                    assert_int_equal(f[i].cell, REPORT_CELL_SMALL);
                if (f[i].base == 0)
                    assert_int_equal(f[i].cell, REPORT_CELL_SHOWN);
            }
            /* one hidden cell is allowed only when it is the set's only non-zero one */
            if (hidden == 1) {
                int nonzero = f[0].base > 0;
                for (int i = 1 + set * 3; i < 4 + set * 3; i++)
                    nonzero += f[i].base > 0;
                assert_true(nonzero <= 1 || (f[0].cell == REPORT_CELL_SMALL && nonzero <= 2));
            }
        }
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_no_small_cells_nothing_hidden),
        cmocka_unit_test(test_one_small_cell_hides_the_next_smallest),
        cmocka_unit_test(test_two_small_cells_are_enough),
        cmocka_unit_test(test_single_cell_dimension_hides_all),
        cmocka_unit_test(test_hidden_all_spreads_to_other_dimensions),
        cmocka_unit_test(test_small_all),
        cmocka_unit_test(test_median_and_unlinked),
        cmocka_unit_test(test_every_set_protected),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
