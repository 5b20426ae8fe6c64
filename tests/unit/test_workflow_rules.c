/*
 * Unit test of the pure rules of issue 13 (docs/cases.md, "Rules the workflow owes
 * its users"): the follow-up window (server/handlers/follow_up_window.c), the
 * priority-group codes against a protocol (priority_groups.c) and the stage a
 * record suggests (case_stage.c).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "case_stage.h"
#include "follow_up_window.h"
#include "priority_groups.h"

static void test_follow_up_window(void **state)
{
    (void)state;
    static const struct {
        const char *occurred;
        unsigned months;
        const char *first, *last;
    } cases[] = {
        {"2026-11-23", 3, "2027-02-09", "2027-05-23"},
        {"2026-11-30", 3, "2027-02-14", "2027-05-30"}, /* Feb 30 -> Feb 28, less 14 days */
        {"2025-04-01", 3, "2025-06-17", "2025-10-01"},
        {"2025-04-01", 6, "2025-09-17", "2026-01-01"},
        {"2025-04-01", 12, "2026-03-18", "2026-07-01"},
        {"2023-11-30", 3, "2024-02-15", "2024-05-30"}, /* leap year: Feb 29 */
        {"2025-01-10", 12, "2025-12-27", "2026-04-10"},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        char first[11], last[11];
        assert_int_equal(follow_up_window(cases[i].occurred, cases[i].months, first, last), 0);
        assert_string_equal(first, cases[i].first);
        assert_string_equal(last, cases[i].last);
    }
    char first[11], last[11];
    assert_int_equal(follow_up_window("2026-02-30", 3, first, last), -1);
    assert_int_equal(follow_up_window("", 3, first, last), -1);
    assert_int_equal(follow_up_window("2026-01-01", 0, first, last), -1);
}

static void test_priority_groups(void **state)
{
    (void)state;
    struct policy_priority_group groups[] = {
        {.code = "women_domestic_violence", .name = "Žene"},
        {.code = "youth_leaving_care", .name = "Mladi"}};
    struct policy policy;
    memset(&policy, 0, sizeof(policy));
    policy.version = 2;
    policy.priority_groups = groups;
    policy.priority_group_count = 2;
    char err[512];
    assert_int_equal(priority_groups_check(&policy, "", err, sizeof(err)), 0);
    assert_int_equal(priority_groups_check(&policy, "women_domestic_violence", err, sizeof(err)), 0);
    assert_int_equal(priority_groups_check(&policy, "youth_leaving_care, women_domestic_violence",
                                           err, sizeof(err)),
                     0);
    assert_int_equal(priority_groups_check(&policy, "zene_zrtve_nasilja", err, sizeof(err)), -1);
    assert_non_null(strstr(err, "priority_groups: entry 1"));
    assert_non_null(strstr(err, "women_domestic_violence, youth_leaving_care"));
    assert_null(strstr(err, "zene_zrtve"));
    assert_int_equal(priority_groups_check(&policy, "youth_leaving_care,x", err, sizeof(err)), -1);
    assert_non_null(strstr(err, "entry 2"));
    assert_int_equal(priority_groups_check(&policy, "youth_leaving_care,,", err, sizeof(err)), -1);
    assert_int_equal(priority_groups_check(&policy, "youth_leaving_care,youth_leaving_care", err,
                                           sizeof(err)),
                     -1);
    assert_non_null(strstr(err, "repeats"));
    assert_int_equal(priority_groups_check(NULL, "youth_leaving_care", err, sizeof(err)), -1);
    assert_non_null(strstr(err, "no protocol"));
    assert_int_equal(priority_groups_check(NULL, "", err, sizeof(err)), 0);
}

static void test_stage_suggestions(void **state)
{
    (void)state;
    enum case_stage to;
    const char *reason;
    assert_int_equal(case_stage_suggest(CASE_STAGE_PLANNING, "employed", &to, &reason), 1);
    assert_int_equal(to, CASE_STAGE_CLOSED);
    assert_string_equal(reason, "employed");
    assert_int_equal(case_stage_suggest(CASE_STAGE_INTAKE, "dropped_out", &to, &reason), 1);
    assert_string_equal(reason, "dropped_out");
    assert_int_equal(case_stage_suggest(CASE_STAGE_INTAKE, "assessment", &to, &reason), 1);
    assert_int_equal(to, CASE_STAGE_ASSESSMENT);
    assert_null(reason);
    assert_int_equal(case_stage_suggest(CASE_STAGE_ASSESSMENT, "assessment", &to, &reason), 1);
    assert_int_equal(to, CASE_STAGE_PLANNING);
    assert_int_equal(case_stage_suggest(CASE_STAGE_PLANNING, "assessment", &to, &reason), 0);
    assert_int_equal(case_stage_suggest(CASE_STAGE_PLANNING, "in_training", &to, &reason), 1);
    assert_int_equal(to, CASE_STAGE_IMPLEMENTATION);
    assert_int_equal(case_stage_suggest(CASE_STAGE_REVIEW, "in_training", &to, &reason), 0);
    assert_int_equal(
        case_stage_suggest(CASE_STAGE_IMPLEMENTATION, "training_completed", &to, &reason), 1);
    assert_int_equal(to, CASE_STAGE_REVIEW);
    assert_int_equal(case_stage_suggest(CASE_STAGE_CLOSED, "employed", &to, &reason), 0);
    assert_int_equal(case_stage_suggest(CASE_STAGE_PLANNING, "nothing", &to, &reason), 0);
    /* every suggestion is a move the machine allows */
    static const char *const records[] = {"assessment", "employed", "self_employed",
                                          "dropped_out", "in_training", "training_completed",
                                          "left_benefits"};
    for (int from = 0; from < CASE_STAGE_CLOSED; from++)
        for (size_t i = 0; i < sizeof(records) / sizeof(records[0]); i++)
            if (case_stage_suggest((enum case_stage)from, records[i], &to, &reason))
                assert_int_not_equal(case_stage_move((enum case_stage)from, to), CASE_MOVE_NONE);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_follow_up_window),
        cmocka_unit_test(test_priority_groups),
        cmocka_unit_test(test_stage_suggestions),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
