/*
 * Unit tests of server/policy/report_intervals.c: what a suppressed report still tells
 * about its hidden cells, and the hiding that keeps every hidden cell unpinned. The
 * property test builds random tables from random persons, suppresses them, and solves
 * the published figures on its own (every integer assignment the published marks and
 * the linear links allow, enumerated), as someone holding the answer would.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "report_intervals.h"

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))
#define MIN_CELL 5

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

/* The released quarter that could be solved: all=6, F=x, M=<5, unknown=0. */
static void test_pinned_cells_are_found(void **state)
{
    (void)state;
    struct report_figure f[] = {
        {"p", "all", 6, 1, REPORT_CELL_SHOWN},
        {"p", "sex:F", 5, 1, REPORT_CELL_HIDDEN},
        {"p", "sex:M", 1, 1, REPORT_CELL_SMALL},
        {"p", "sex:unknown", 0, 1, REPORT_CELL_SHOWN},
    };
    struct report_interval in[COUNT(f)];
    assert_int_equal(report_intervals(f, COUNT(f), MIN_CELL, in), 0);
    assert_int_equal(in[1].low, 5);
    assert_int_equal(in[1].high, 5);
    assert_int_equal(in[2].low, 1);
    assert_int_equal(in[2].high, 1);
    assert_int_equal(in[0].low, 6);
    assert_int_equal(in[0].high, 6);
}

static void test_pinned_release_hides_all(void **state)
{
    (void)state;
    struct report_figure f[] = {
        {"p", "all", 6, 1, 0}, {"p", "sex:F", 5, 1, 0},
        {"p", "sex:M", 1, 1, 0}, {"p", "sex:unknown", 0, 1, 0},
    };
    report_protect(f, COUNT(f), MIN_CELL);
    assert_string_equal(texts(f, COUNT(f)), "x x <5 0");
    struct report_interval in[COUNT(f)];
    assert_int_equal(report_intervals(f, COUNT(f), MIN_CELL, in), 0);
    assert_int_equal(in[1].high, REPORT_UNBOUNDED);
    assert_int_equal(in[2].low, 1);
    assert_int_equal(in[2].high, 4);
}

/* all = 8, F = 6, M = 2 (the 2019-Q2 fixture): F x and M <5 would pin F to 5..7. */
static void test_hidden_cell_with_too_few_values(void **state)
{
    (void)state;
    struct report_figure f[] = {
        {"p", "all", 8, 1, 0},        {"p", "sex:F", 6, 1, 0},  {"p", "sex:M", 2, 1, 0},
        {"p", "sex:unknown", 0, 1, 0}, {"p", "area:rural", 8, 1, 0},
        {"p", "area:urban", 0, 1, 0},
    };
    report_protect(f, COUNT(f), MIN_CELL);
    /* all hidden; area would give it back, so rural goes too */
    assert_string_equal(texts(f, COUNT(f)), "x x <5 0 x 0");
}

/* A cover (a person referred to two institutions counts in both): each cell <= all. */
static void test_cover_dimension(void **state)
{
    (void)state;
    struct report_figure f[] = {
        {"referred", "all", 7, 1, 0},
        {"referred", "institution:zzz", 7, 1, 0},
        {"referred", "institution:skola", 3, 1, 0},
    };
    report_protect(f, COUNT(f), MIN_CELL);
    assert_string_equal(texts(f, COUNT(f)), "x x <5");
    struct report_figure g[] = {
        {"referred", "all", 20, 1, REPORT_CELL_SHOWN},
        {"referred", "institution:a", 18, 1, REPORT_CELL_HIDDEN},
        {"referred", "institution:b", 3, 1, REPORT_CELL_SMALL},
        {"referred", "institution:c", 19, 1, REPORT_CELL_SHOWN},
    };
    struct report_interval in[COUNT(g)];
    assert_int_equal(report_intervals(g, COUNT(g), MIN_CELL, in), 0);
    assert_int_equal(in[1].low, 5);
    assert_int_equal(in[1].high, 20);
    assert_int_equal(in[2].low, 1);
    assert_int_equal(in[2].high, 4);
}

/* Two small cells making a small total: nothing non-zero is left to hide; withheld. */
static void test_unprotectable_indicator_is_withheld(void **state)
{
    (void)state;
    struct report_figure f[] = {
        {"p", "all", 6, 1, 0},         {"p", "sex:F", 3, 1, 0}, {"p", "sex:M", 3, 1, 0},
        {"p", "sex:unknown", 0, 1, 0}, {"e", "all", 30, 1, 0},
    };
    report_protect(f, COUNT(f), MIN_CELL);
    assert_string_equal(texts(f, COUNT(f)), "x x x x 30");
}

/* Nothing small: nothing hidden. */
static void test_large_cells_stay(void **state)
{
    (void)state;
    struct report_figure f[] = {
        {"p", "all", 20, 1, 0}, {"p", "sex:F", 12, 1, 0}, {"p", "sex:M", 8, 1, 0},
        {"p", "sex:unknown", 0, 1, 0}, {"m", "all", 3, 0, 0},
    };
    report_protect(f, COUNT(f), MIN_CELL);
    assert_string_equal(texts(f, COUNT(f)), "20 12 8 0 <5");
}

/* --- the property test -------------------------------------------------------------- */

#define PERSONS_MAX 12
/* The solver's ceiling for a cell marked "x". Every true value is at most PERSONS_MAX and
 * every finite bound at most PERSONS_MAX + 3 * 4 (shown and "<5" cells of a dimension), so
 * a solution at UNBOUNDED_FROM or above only stops at the ceiling: no bound. */
#define CAP 40
#define UNBOUNDED_FROM 25

struct table {
    struct report_figure f[16];
    size_t count;
    long truth[16];
};

static unsigned next_random(unsigned *seed)
{
    *seed = *seed * 1103515245u + 12345u;
    return (*seed >> 16) & 0x7fff;
}

static void table_add(struct table *t, const char *indicator, const char *breakdown, long base)
{
    t->truth[t->count] = base;
    t->f[t->count++] = (struct report_figure){indicator, breakdown, base, 1, 0};
}

/* Random persons: sex, age band, groups (a set of two codes), employment pathways. */
static void table_random(struct table *t, unsigned *seed)
{
    long sex[3] = {0}, age[2] = {0}, group[3] = {0}, path[3] = {0}, all = 0, employed = 0;
    int persons = (int)(next_random(seed) % (PERSONS_MAX + 1));
    for (int p = 0; p < persons; p++) {
        all++;
        sex[next_random(seed) % 7 < 3 ? 0 : next_random(seed) % 4 == 0 ? 2 : 1]++;
        age[next_random(seed) % 3 == 0]++;
        unsigned groups = next_random(seed) % 4;
        if (groups == 0)
            group[2]++;
        for (int g = 0; g < 2; g++)
            group[g] += (groups >> g) & 1;
        unsigned paths = next_random(seed) % 10;
        if (paths < 7) {
            employed++;
            path[paths % 3]++;
            if (paths == 6)
                path[(paths + 1) % 3]++;
        }
    }
    t->count = 0;
    table_add(t, "p", "all", all);
    table_add(t, "p", "sex:F", sex[0]);
    table_add(t, "p", "sex:M", sex[1]);
    table_add(t, "p", "sex:unknown", sex[2]);
    table_add(t, "p", "age:young", age[0]);
    table_add(t, "p", "age:old", age[1]);
    table_add(t, "p", "group:a", group[0]);
    table_add(t, "p", "group:b", group[1]);
    table_add(t, "p", "group:none", group[2]);
    table_add(t, "e", "all", employed);
    table_add(t, "e", "pathway:icm", path[0]);
    table_add(t, "e", "pathway:se", path[1]);
    table_add(t, "e", "pathway:other", path[2]);
}

/* The range a published mark allows, capped. */
static void mark_range(const struct report_figure *f, long *low, long *high)
{
    *low = f->cell == REPORT_CELL_SHOWN ? f->base : f->cell == REPORT_CELL_SMALL ? 1 : MIN_CELL;
    *high = f->cell == REPORT_CELL_SHOWN ? f->base : f->cell == REPORT_CELL_SMALL ? 4 : CAP;
}

/* Enumerating one dimension for a given all (A). */
struct search {
    int cells[4], n, partition;
    long a, low[4], high[4], value[4], seen_low[4], seen_high[4];
    int found;
};

static void search_cells(struct search *s, int k, long sum)
{
    if (s->partition && sum > s->a)
        return;
    if (k == s->n) {
        if (s->partition ? sum != s->a : sum < s->a)
            return;
        for (int i = 0; i < s->n; i++) {
            if (!s->found || s->value[i] < s->seen_low[i])
                s->seen_low[i] = s->value[i];
            if (!s->found || s->value[i] > s->seen_high[i])
                s->seen_high[i] = s->value[i];
        }
        s->found = 1;
        return;
    }
    long high = s->partition ? s->high[k] : (s->high[k] < s->a ? s->high[k] : s->a);
    for (long v = s->low[k]; v <= high; v++) {
        s->value[k] = v;
        search_cells(s, k + 1, sum + v);
    }
}

/* The dimensions of the test tables: cells (indices) and their link to "all". */
static const struct {
    int all, cells[4], n, partition;
} dimensions[] = {
    {0, {1, 2, 3}, 3, 1}, {0, {4, 5}, 2, 1}, {0, {6, 7, 8}, 3, 0}, {9, {10, 11, 12}, 3, 0},
};

/* Solves the published table: low/high of every figure over every assignment. */
static void solve(const struct table *t, long *low, long *high)
{
    for (size_t i = 0; i < t->count; i++)
        low[i] = CAP + 1, high[i] = -1;
    for (int all = 0; all <= 9; all += 9) {
        long a_low, a_high;
        mark_range(&t->f[all], &a_low, &a_high);
        for (long a = a_low; a <= a_high; a++) {
            struct search found[4];
            int feasible = 1, used = 0;
            for (size_t d = 0; d < COUNT(dimensions) && feasible; d++) {
                if (dimensions[d].all != all)
                    continue;
                struct search *s = &found[used++];
                memset(s, 0, sizeof(*s));
                s->n = dimensions[d].n, s->partition = dimensions[d].partition, s->a = a;
                for (int i = 0; i < s->n; i++) {
                    s->cells[i] = dimensions[d].cells[i];
                    mark_range(&t->f[s->cells[i]], &s->low[i], &s->high[i]);
                }
                search_cells(s, 0, 0);
                feasible = s->found;
            }
            if (!feasible)
                continue;
            if (a < low[all]) low[all] = a;
            if (a > high[all]) high[all] = a;
            for (int u = 0; u < used; u++)
                for (int i = 0; i < found[u].n; i++) {
                    int c = found[u].cells[i];
                    if (found[u].seen_low[i] < low[c]) low[c] = found[u].seen_low[i];
                    if (found[u].seen_high[i] > high[c]) high[c] = found[u].seen_high[i];
                }
        }
    }
}

/* Checks one suppressed table against its own solution. */
static void check_table(const struct table *t)
{
    long low[16], high[16];
    solve(t, low, high);
    struct report_interval in[16];
    int contradiction = report_intervals(t->f, t->count, MIN_CELL, in);
    for (size_t i = 0; i < t->count; i++) {
        const struct report_figure *f = &t->f[i];
        int withheld = 0;
        for (size_t j = 0; j < t->count; j++)
            withheld |= t->f[j].cell == REPORT_CELL_WITHHELD &&
                        strcmp(t->f[j].indicator, f->indicator) == 0;
        if (withheld) {
            assert_int_equal(f->cell, REPORT_CELL_WITHHELD);
            continue;
        }
        assert_int_equal(contradiction, 0);
        /* the truth is among the solutions, and the module agrees with the solver */
        assert_true(low[i] <= t->truth[i] && t->truth[i] <= high[i]);
        assert_int_equal(in[i].low, low[i]);
        if (!(in[i].high == high[i] || (high[i] >= UNBOUNDED_FROM && in[i].high >= CAP)))
            fail_msg("%s %s: module %ld..%ld, solver %ld..%ld (%s)", f->indicator, f->breakdown,
                     in[i].low, in[i].high, low[i], high[i], texts(t->f, t->count));
        if (f->cell == REPORT_CELL_SHOWN)
            continue;
        long values = high[i] >= UNBOUNDED_FROM ? REPORT_UNBOUNDED : high[i] - low[i] + 1;
        if (values < report_interval_required(f, MIN_CELL))
            fail_msg("%s %s (%ld) pinned to %ld..%ld", f->indicator, f->breakdown,
                     t->truth[i], low[i], high[i]);
    }
}

static void test_no_hidden_cell_is_pinned(void **state)
{
    (void)state;
    unsigned seed = 20261203;
    int hidden = 0, withheld = 0;
    for (int round = 0; round < 400; round++) {
        struct table t;
        table_random(&t, &seed);
        report_protect(t.f, t.count, MIN_CELL);
        check_table(&t);
        for (size_t i = 0; i < t.count; i++) {
            hidden += t.f[i].cell == REPORT_CELL_HIDDEN;
            withheld += t.f[i].cell == REPORT_CELL_WITHHELD;
        }
    }
    /* the tables are small: the rules were exercised */
    assert_true(hidden > 100);
    assert_true(withheld > 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_pinned_cells_are_found),
        cmocka_unit_test(test_pinned_release_hides_all),
        cmocka_unit_test(test_hidden_cell_with_too_few_values),
        cmocka_unit_test(test_cover_dimension),
        cmocka_unit_test(test_unprotectable_indicator_is_withheld),
        cmocka_unit_test(test_large_cells_stay),
        cmocka_unit_test(test_no_hidden_cell_is_pinned),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
