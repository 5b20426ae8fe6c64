/*
 * Unit test: the server's stable error codes (server/request/error_code.c): the code of
 * each class of its own messages with parameters from its lists (never the message's
 * other text), policy refusals by reason, a status's default code, and the response
 * fields 4-5 filled and packed.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "error_code.h"

#define INVALID SPONA__V1__STATUS__INVALID_ARGUMENT
#define CONFLICT SPONA__V1__STATUS__CONFLICT

static void classify(spona_status status, const char *message, struct error_code *error)
{
    memset(error, 0, sizeof(*error));
    error_code_classify(error, status, message);
}

static void test_classes(void **state)
{
    (void)state;
    struct error_code error;
    classify(CONFLICT, "plan was changed meanwhile: current version 12", &error);
    assert_string_equal(error.code, "version_conflict");
    assert_int_equal(error.n_params, 2);
    assert_string_equal(error.params[0].value, "plan");
    assert_string_equal(error.params[1].value, "12");
    classify(CONFLICT, "referral 4f0c was changed meanwhile: current version 3", &error);
    assert_string_equal(error.params[0].value, "referral");
    classify(SPONA__V1__STATUS__NOT_FOUND, "no person 1234 that you may see", &error);
    assert_string_equal(error.code, "not_visible");
    assert_string_equal(error.params[0].value, "person");
    classify(INVALID, "birth_date: not a date YYYY-MM-DD", &error);
    assert_string_equal(error.code, "field_invalid");
    assert_string_equal(error.params[0].value, "birth_date");
    classify(INVALID, "reason: required", &error);
    assert_string_equal(error.code, "field_required");
    assert_string_equal(error.params[0].value, "reason");
    classify(SPONA__V1__STATUS__PERMISSION_DENIED, "only a lead agency may open a case: x",
             &error);
    assert_string_equal(error.code, "lead_agency_only");
}

static void test_no_client_text(void **state)
{
    (void)state;
    struct error_code error;
    /* a name the server does not know is no field: no code, nothing copied */
    classify(INVALID, "evil_name_from_the_client: whatever", &error);
    assert_null(error.code);
    classify(CONFLICT, "<script> was changed meanwhile: current version 7x<b>", &error);
    assert_string_equal(error.params[0].value, "record");
    assert_string_equal(error.params[1].value, "7");
    classify(SPONA__V1__STATUS__NOT_FOUND, "no thing-from-client that you may see", &error);
    assert_string_equal(error.params[0].value, "record");
    /* a code set by the handler wins */
    memset(&error, 0, sizeof(error));
    error_code_set(&error, "case_closed");
    error_code_classify(&error, INVALID, "reason: required");
    assert_string_equal(error.code, "case_closed");
}

static void test_decisions(void **state)
{
    (void)state;
    struct error_code error = { 0 };
    struct policy_decision decision = { .allowed = 0, .clause_number = 4,
                                        .reason_code = POLICY_REASON_NO_CONSENT };
    error_code_decision(&error, &decision, POLICY_CATEGORY_HEALTH_DISABILITY,
                        POLICY_ACTION_READ);
    assert_string_equal(error.code, "consent_required");
    assert_string_equal(error.params[0].value, "health_disability");
    assert_string_equal(error.params[1].value, "4");
    decision.reason_code = POLICY_REASON_NO_CLAUSE;
    error_code_decision(&error, &decision, POLICY_CATEGORY_SAFETY, POLICY_ACTION_WRITE);
    assert_string_equal(error.code, "no_clause");
    assert_string_equal(error.params[1].value, "write");
}

static void test_fill_and_pack(void **state)
{
    (void)state;
    assert_string_equal(error_code_default(SPONA__V1__STATUS__UNAVAILABLE), "unavailable");
    assert_string_equal(error_code_default(SPONA__V1__STATUS__INTERNAL), "internal");
    struct error_code error = { 0 };
    error_code_set(&error, "version_conflict");
    error_code_param(&error, "record", "case");
    error_code_param(&error, "version", "2");
    spona_response *response = malloc(sizeof(*response));
    spona__v1__response__init(response);
    response->request_id = 7;
    response->status = CONFLICT;
    assert_int_equal(error_code_fill(&error, CONFLICT, response), 0);
    uint8_t *frame = NULL;
    size_t length = 0;
    assert_int_equal(envelope_pack(&response->base, &frame, &length), 0);
    spona__v1__response__free_unpacked(response, NULL);
    spona_response *back = envelope_unpack_response(frame + 4, length - 4);
    assert_non_null(back);
    assert_string_equal(back->error_code, "version_conflict");
    assert_int_equal(back->n_error_params, 2);
    assert_string_equal(back->error_params[1]->name, "version");
    assert_string_equal(back->error_params[1]->value, "2");
    envelope_free_response(back);
    free(frame);
    /* without a code of its own, the status's */
    response = malloc(sizeof(*response));
    spona__v1__response__init(response);
    assert_int_equal(error_code_fill(NULL, SPONA__V1__STATUS__NOT_FOUND, response), 0);
    assert_string_equal(response->error_code, "not_found");
    spona__v1__response__free_unpacked(response, NULL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_classes),
        cmocka_unit_test(test_no_client_text),
        cmocka_unit_test(test_decisions),
        cmocka_unit_test(test_fill_and_pack),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
