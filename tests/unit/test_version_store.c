/*
 * Unit test of the CLI's version store (client/cli/version_store.c): versions put are
 * got back by kind and id, the newest replaces the older, another user's login starts
 * the store empty and the same user's keeps it, lines that do not parse are dropped,
 * the file is the user's alone (0600), logout removes it.
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
#include <unistd.h>

#include "version_store.h"

#define CASE_ID "40c0c37a-5958-45c0-8752-d2ffd3abe734"

static char directory[] = "/tmp/spona-version-store-XXXXXX";
static char session[256], store[300];

static int setup(void **state)
{
    (void)state;
    if (mkdtemp(directory) == NULL)
        return -1;
    snprintf(session, sizeof(session), "%s/session", directory);
    snprintf(store, sizeof(store), "%s.versions", session);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    unlink(store);
    rmdir(directory);
    return 0;
}

static void put(const char *kind, const char *id, uint64_t version)
{
    struct version_entry entry = {.version = version};
    snprintf(entry.kind, sizeof(entry.kind), "%s", kind);
    snprintf(entry.id, sizeof(entry.id), "%s", id);
    version_store_put(session, &entry, 1);
}

static void test_put_get_replace(void **state)
{
    (void)state;
    uint64_t version = 0;
    version_store_begin(session, "vesna");
    assert_int_equal(version_store_get(session, "case", CASE_ID, &version), 0);
    put("case", CASE_ID, 2);
    put("plan", CASE_ID, 0);
    put("case", CASE_ID, 3);
    assert_int_equal(version_store_get(session, "case", CASE_ID, &version), 1);
    assert_int_equal(version, 3);
    assert_int_equal(version_store_get(session, "plan", CASE_ID, &version), 1);
    assert_int_equal(version, 0);
    assert_int_equal(version_store_get(session, "person", CASE_ID, &version), 0);
    struct stat info;
    assert_int_equal(stat(store, &info), 0);
    assert_int_equal(info.st_mode & 0777, 0600);
    /* not a kind or an id the store keeps: not stored */
    put("case", "../../etc", 4);
    put("outcome", CASE_ID, 4);
    assert_int_equal(version_store_get(session, "outcome", CASE_ID, &version), 0);
}

static void test_users_and_bad_lines(void **state)
{
    (void)state;
    uint64_t version = 0;
    version_store_begin(session, "vesna"); /* the same user: kept */
    assert_int_equal(version_store_get(session, "case", CASE_ID, &version), 1);
    FILE *file = fopen(store, "a");
    assert_non_null(file);
    fputs("case not-a-uuid!! 7\ngarbage\nreferral abc 5\n", file);
    fclose(file);
    assert_int_equal(version_store_get(session, "referral", "abc", &version), 1);
    assert_int_equal(version, 5);
    assert_int_equal(version_store_get(session, "case", "not-a-uuid!!", &version), 0);
    version_store_begin(session, "vlado"); /* another user: empty */
    assert_int_equal(version_store_get(session, "case", CASE_ID, &version), 0);
    put("case", CASE_ID, 9);
    version_store_remove(session);
    assert_int_equal(version_store_get(session, "case", CASE_ID, &version), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_put_get_replace),
        cmocka_unit_test(test_users_and_bad_lines),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
