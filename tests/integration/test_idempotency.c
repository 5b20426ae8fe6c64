/*
 * Integration test: a write retried with the same idempotency key (after a lost
 * response, on a new connection) is applied once and answered with the first
 * answer; the key cannot be reused for another kind of request; a key that is not
 * a UUID is refused; reads ignore keys (docs/cases.md, "Concurrency and retries").
 * Two requests with the same key sent at the same moment on two connections are
 * applied once too, and both get the one answer: the answer is stored in the write's
 * own transaction, and the one that finds the key taken rolls back and replays.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "idata.h"

static struct itest_server server;

static int group_setup(void **state)
{
    *state = &server;
    return itest_server_start(&server, "idempotency", NULL);
}

/* A person_create request with the given key; fields borrowed from pairs. */
static spona_response *create_with_key(struct spona_client *client, const char *key,
                                       const char *const *pairs)
{
    size_t count = 0;
    while (pairs[2 * count] != NULL)
        count++;
    Spona__V1__PersonField fields[8];
    Spona__V1__PersonField *field_list[8];
    assert_true(count <= 8);
    for (size_t i = 0; i < count; i++) {
        spona__v1__person_field__init(&fields[i]);
        fields[i].name = (char *)(uintptr_t)pairs[2 * i];
        fields[i].value = (char *)(uintptr_t)pairs[2 * i + 1];
        field_list[i] = &fields[i];
    }
    Spona__V1__PersonCreateRequest body;
    spona__v1__person_create_request__init(&body);
    body.fields = field_list;
    body.n_fields = count;
    spona_request request;
    spona__v1__request__init(&request);
    request.idempotency_key = (char *)(uintptr_t)key;
    request.body_case = SPONA__V1__REQUEST__BODY_PERSON_CREATE;
    request.person_create = &body;
    return idata_call(client, &request);
}

static long persons_with_jmbg(const char *jmbg)
{
    PGconn *superuser = idata_pg_connect("postgres");
    const char *p[] = {jmbg};
    char *count = idata_pg_value(superuser, "SELECT count(*) FROM persons WHERE jmbg = $1", 1, p);
    long n = atol(count);
    free(count);
    PQfinish(superuser);
    return n;
}

static void test_retry_is_applied_once(void **state)
{
    (void)state;
    char key[37];
    idata_fresh_key(key);
    char jmbg[14];
    idata_fresh_jmbg(jmbg);
    const char *pairs[] = {"first_name", "Ponovljena", "last_name", "Testić", "jmbg", jmbg, NULL};

    struct spona_client *first = idata_login(&server, "csr", "vesna");
    spona_response *original = create_with_key(first, key, pairs);
    idata_expect(original, SPONA__V1__STATUS__OK);
    spona_client_close(first); /* as if the answer had been lost with the connection */

    struct spona_client *second = idata_login(&server, "csr", "vesna");
    spona_response *retried = create_with_key(second, key, pairs);
    idata_expect(retried, SPONA__V1__STATUS__OK);
    assert_string_equal(retried->person_create->person_id, original->person_create->person_id);
    assert_int_equal(retried->person_create->version, original->person_create->version);
    assert_int_equal(persons_with_jmbg(jmbg), 1);

    /* the same key for another kind of write is refused, naming the first kind */
    Spona__V1__CaseOpenRequest open;
    spona__v1__case_open_request__init(&open);
    open.person_id = original->person_create->person_id;
    spona_request request;
    spona__v1__request__init(&request);
    request.idempotency_key = (char *)(uintptr_t)key;
    request.body_case = SPONA__V1__REQUEST__BODY_CASE_OPEN;
    request.case_open = &open;
    spona_response *misuse = idata_call(second, &request);
    idata_expect(misuse, SPONA__V1__STATUS__CONFLICT);
    assert_non_null(strstr(misuse->message, "person_create"));
    envelope_free_response(misuse);

    /* without a key, the same write is a new one: here a duplicate JMBG */
    spona_response *again = idata_person_create(second, pairs);
    idata_expect(again, SPONA__V1__STATUS__CONFLICT);
    envelope_free_response(again);

    /* another user's key space is its own: vlado with the same key creates his person */
    struct spona_client *other = idata_login(&server, "csr", "vlado");
    char other_jmbg[14];
    idata_fresh_jmbg(other_jmbg);
    const char *other_pairs[] = {"first_name", "Druga", "last_name", "Testić", "jmbg",
                                 other_jmbg, NULL};
    spona_response *others = create_with_key(other, key, other_pairs);
    idata_expect(others, SPONA__V1__STATUS__OK);
    assert_string_not_equal(others->person_create->person_id,
                            original->person_create->person_id);
    envelope_free_response(others);

    envelope_free_response(retried);
    envelope_free_response(original);
    spona_client_close(other);
    spona_client_close(second);
}

static long persons_named(const char *last_name)
{
    PGconn *superuser = idata_pg_connect("postgres");
    const char *p[] = {last_name};
    char *count = idata_pg_value(superuser, "SELECT count(*) FROM persons WHERE last_name = $1",
                                 1, p);
    long n = atol(count);
    free(count);
    PQfinish(superuser);
    return n;
}

/* Builds a keyed person_create without a JMBG (nothing unique but the key). */
static void keyed_create(spona_request *request, Spona__V1__PersonCreateRequest *body,
                         Spona__V1__PersonField *fields, Spona__V1__PersonField **list,
                         const char *key, const char *last_name)
{
    static const char *const names[] = {"first_name", "last_name"};
    const char *values[] = {"Istovremena", last_name};
    for (int i = 0; i < 2; i++) {
        spona__v1__person_field__init(&fields[i]);
        fields[i].name = (char *)(uintptr_t)names[i];
        fields[i].value = (char *)(uintptr_t)values[i];
        list[i] = &fields[i];
    }
    spona__v1__person_create_request__init(body);
    body->fields = list;
    body->n_fields = 2;
    spona__v1__request__init(request);
    request->idempotency_key = (char *)(uintptr_t)key;
    request->body_case = SPONA__V1__REQUEST__BODY_PERSON_CREATE;
    request->person_create = body;
}

static void test_simultaneous_same_key_applied_once(void **state)
{
    (void)state;
    struct spona_client *a = idata_login(&server, "csr", "vesna");
    struct spona_client *b = idata_login(&server, "csr", "vesna");
    for (int round = 0; round < 20; round++) {
        char key[37], last_name[48], err[256];
        idata_fresh_key(key);
        snprintf(last_name, sizeof(last_name), "Istovremenić-%.8s", key);
        spona_request request;
        Spona__V1__PersonCreateRequest body;
        Spona__V1__PersonField fields[2], *list[2];
        keyed_create(&request, &body, fields, list, key, last_name);
        assert_true(spona_client_send(a, &request, err, sizeof(err)) > 0);
        assert_true(spona_client_send(b, &request, err, sizeof(err)) > 0);
        spona_response *first = spona_client_receive(a, err, sizeof(err));
        spona_response *second = spona_client_receive(b, err, sizeof(err));
        assert_non_null(first);
        assert_non_null(second);
        idata_expect(first, SPONA__V1__STATUS__OK);
        idata_expect(second, SPONA__V1__STATUS__OK);
        assert_string_equal(first->person_create->person_id, second->person_create->person_id);
        assert_int_equal(persons_named(last_name), 1);
        envelope_free_response(first);
        envelope_free_response(second);
    }
    spona_client_close(a);
    spona_client_close(b);
}

static void test_bad_key_is_refused(void **state)
{
    (void)state;
    struct spona_client *client = idata_login(&server, "csr", "vesna");
    char jmbg[14];
    idata_fresh_jmbg(jmbg);
    const char *pairs[] = {"first_name", "Kljuc", "last_name", "Los", "jmbg", jmbg, NULL};
    spona_response *r = create_with_key(client, "not-a-uuid", pairs);
    idata_expect(r, SPONA__V1__STATUS__INVALID_ARGUMENT);
    assert_non_null(strstr(r->message, "idempotency_key"));
    envelope_free_response(r);
    assert_int_equal(persons_with_jmbg(jmbg), 0);
    spona_client_close(client);
}

int main(void)
{
    if (itest_init() != 0)
        return 1;
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_retry_is_applied_once),
        cmocka_unit_test(test_simultaneous_same_key_applied_once),
        cmocka_unit_test(test_bad_key_is_refused),
        cmocka_unit_test(itest_test_server_stops_cleanly),
    };
    return cmocka_run_group_tests(tests, group_setup, itest_group_teardown);
}
