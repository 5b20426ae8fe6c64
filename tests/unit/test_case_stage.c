/*
 * Unit test of server/handlers/case_stage.c, the stage machine of a case, and of
 * server/policy/case_domains.c, the assessment domains' categories: every pair of
 * stages against the documented moves (docs/cases.md, "Case lifecycle"), the
 * allowed stages as the error message names them, names both ways, the close
 * reasons, and the domain -> category map of docs/cases.md.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "case_domains.h"
#include "case_stage.h"

/* The documented moves: every pair not listed here is refused. */
static const struct {
    const char *from, *to;
    enum case_move move;
} documented[] = {
    {"intake", "assessment", CASE_MOVE_ADVANCE},
    {"assessment", "planning", CASE_MOVE_ADVANCE},
    {"planning", "implementation", CASE_MOVE_ADVANCE},
    {"implementation", "review", CASE_MOVE_ADVANCE},
    {"review", "implementation", CASE_MOVE_ADVANCE},
    {"intake", "closed", CASE_MOVE_CLOSE},
    {"assessment", "closed", CASE_MOVE_CLOSE},
    {"planning", "closed", CASE_MOVE_CLOSE},
    {"implementation", "closed", CASE_MOVE_CLOSE},
    {"review", "closed", CASE_MOVE_CLOSE},
    {"closed", "assessment", CASE_MOVE_REOPEN},
};
#define DOCUMENTED_COUNT (sizeof(documented) / sizeof(documented[0]))

static void test_names_round_trip(void **state)
{
    (void)state;
    const char *names[] = {"intake", "assessment", "planning", "implementation", "review",
                           "closed"};
    for (int stage = 0; stage < CASE_STAGE_COUNT; stage++) {
        assert_string_equal(case_stage_name((enum case_stage)stage), names[stage]);
        assert_int_equal(case_stage_from_name(names[stage]), stage);
    }
    assert_null(case_stage_name(CASE_STAGE_COUNT));
    assert_int_equal(case_stage_from_name("open"), -1);
    assert_int_equal(case_stage_from_name(""), -1);
    assert_int_equal(case_stage_from_name("Intake"), -1);
}

static void test_every_pair_matches_the_documented_moves(void **state)
{
    (void)state;
    int allowed = 0;
    for (int from = 0; from < CASE_STAGE_COUNT; from++) {
        for (int to = 0; to < CASE_STAGE_COUNT; to++) {
            enum case_move expected = CASE_MOVE_NONE;
            for (size_t i = 0; i < DOCUMENTED_COUNT; i++)
                if (case_stage_from_name(documented[i].from) == from &&
                    case_stage_from_name(documented[i].to) == to)
                    expected = documented[i].move;
            enum case_move got = case_stage_move((enum case_stage)from, (enum case_stage)to);
            if (got != expected)
                fail_msg("%s -> %s: move %d, documented %d",
                         case_stage_name((enum case_stage)from),
                         case_stage_name((enum case_stage)to), got, expected);
            allowed += got != CASE_MOVE_NONE;
        }
    }
    assert_int_equal(allowed, DOCUMENTED_COUNT);
    /* staying put, skipping and going back (but review -> implementation) are refused */
    assert_int_equal(case_stage_move(CASE_STAGE_PLANNING, CASE_STAGE_PLANNING), CASE_MOVE_NONE);
    assert_int_equal(case_stage_move(CASE_STAGE_INTAKE, CASE_STAGE_PLANNING), CASE_MOVE_NONE);
    assert_int_equal(case_stage_move(CASE_STAGE_PLANNING, CASE_STAGE_ASSESSMENT), CASE_MOVE_NONE);
    assert_int_equal(case_stage_move(CASE_STAGE_CLOSED, CASE_STAGE_CLOSED), CASE_MOVE_NONE);
    assert_int_equal(case_stage_move(CASE_STAGE_CLOSED, CASE_STAGE_INTAKE), CASE_MOVE_NONE);
    assert_int_equal(case_stage_move(CASE_STAGE_COUNT, CASE_STAGE_CLOSED), CASE_MOVE_NONE);
    assert_int_equal(case_stage_move(CASE_STAGE_INTAKE, CASE_STAGE_COUNT), CASE_MOVE_NONE);
}

static void test_allowed_text_names_the_next_stages(void **state)
{
    (void)state;
    static const char *const expected[CASE_STAGE_COUNT] = {
        "assessment or closed",     "planning or closed", "implementation or closed",
        "review or closed",         "implementation or closed", "assessment",
    };
    char text[128];
    for (int from = 0; from < CASE_STAGE_COUNT; from++) {
        assert_int_equal(case_stage_allowed_text((enum case_stage)from, text, sizeof(text)), 0);
        assert_string_equal(text, expected[from]);
    }
    /* the example of docs/cases.md */
    assert_int_equal(case_stage_allowed_text(CASE_STAGE_PLANNING, text, sizeof(text)), 0);
    assert_string_equal(text, "implementation or closed");
    /* too small: refused, never overrun */
    char small[8];
    assert_int_equal(case_stage_allowed_text(CASE_STAGE_PLANNING, small, sizeof(small)), -1);
    assert_int_equal(case_stage_allowed_text(CASE_STAGE_PLANNING, small, 0), -1);
}

static void test_close_reasons(void **state)
{
    (void)state;
    const char *valid[] = {"employed", "self_employed", "dropped_out", "moved",
                           "no_longer_eligible", "died", "other"};
    for (size_t i = 0; i < sizeof(valid) / sizeof(valid[0]); i++) {
        assert_true(case_close_reason_valid(valid[i]));
        assert_non_null(strstr(case_close_reasons_text(), valid[i]));
    }
    assert_false(case_close_reason_valid(""));
    assert_false(case_close_reason_valid("Employed"));
    assert_false(case_close_reason_valid("employed "));
    assert_false(case_close_reason_valid("retired"));
}

static void test_domain_categories(void **state)
{
    (void)state;
    /* docs/cases.md, "Records of a case and their categories" */
    static const struct {
        const char *domain;
        enum policy_category category;
    } map[] = {
        {"education_skills", POLICY_CATEGORY_EDUCATION_WORK},
        {"work_history", POLICY_CATEGORY_EDUCATION_WORK},
        {"health_disability", POLICY_CATEGORY_HEALTH_DISABILITY},
        {"housing", POLICY_CATEGORY_BENEFITS_HOUSEHOLD},
        {"family_care", POLICY_CATEGORY_BENEFITS_HOUSEHOLD},
        {"finances", POLICY_CATEGORY_BENEFITS_HOUSEHOLD},
        {"domestic_violence", POLICY_CATEGORY_SAFETY},
        {"transport", POLICY_CATEGORY_PLAN_MEASURES},
        {"childcare", POLICY_CATEGORY_PLAN_MEASURES},
        {"documents", POLICY_CATEGORY_PLAN_MEASURES},
        {"discrimination", POLICY_CATEGORY_PLAN_MEASURES},
    };
    for (size_t i = 0; i < sizeof(map) / sizeof(map[0]); i++) {
        assert_int_equal(case_domain_category(map[i].domain), (int)map[i].category);
        assert_non_null(strstr(case_domains_text(), map[i].domain));
    }
    assert_int_equal(CASE_STRENGTHS_CATEGORY, POLICY_CATEGORY_PLAN_MEASURES);
    assert_int_equal(case_domain_category(""), -1);
    assert_int_equal(case_domain_category("health"), -1);
    assert_int_equal(case_domain_category("strengths"), -1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_names_round_trip),
        cmocka_unit_test(test_every_pair_matches_the_documented_moves),
        cmocka_unit_test(test_allowed_text_names_the_next_stages),
        cmocka_unit_test(test_close_reasons),
        cmocka_unit_test(test_domain_categories),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
