/*
 * Unit test of migration files with shared parts (server/db/migration_text.c): an include
 * line is replaced by the shared file's text, the rest kept byte for byte; an include
 * outside shared/, of a missing file, or inside a shared file is refused (NULL). Works in
 * a temporary folder; no database involved.
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

#include "migration_text.h"

static char root[64];

static void write_file(const char *relative, const char *text)
{
    char path[256];
    snprintf(path, sizeof(path), "%s/%s", root, relative);
    FILE *file = fopen(path, "w");
    assert_non_null(file);
    fputs(text, file);
    fclose(file);
}

static int setup(void **state)
{
    (void)state;
    snprintf(root, sizeof(root), "/tmp/spona-migration-text-XXXXXX");
    assert_non_null(mkdtemp(root));
    char shared[128];
    snprintf(shared, sizeof(shared), "%s/shared", root);
    assert_int_equal(mkdir(shared, 0700), 0);
    char region[128];
    snprintf(region, sizeof(region), "%s/region", root);
    assert_int_equal(mkdir(region, 0700), 0);
    write_file("shared/common_part.sql", "CREATE TABLE t (a int);\n");
    write_file("shared/nested.sql", "--@include shared/common_part.sql\n");
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    char command[128];
    snprintf(command, sizeof(command), "rm -rf '%s'", root);
    return system(command) == 0 ? 0 : -1;
}

static void test_include_is_put_in(void **state)
{
    (void)state;
    write_file("001_a.sql", "-- head\n--@include shared/common_part.sql\nSELECT 1;\n");
    char *text = migration_text_load(root, "001_a.sql");
    assert_non_null(text);
    assert_string_equal(text, "-- head\nCREATE TABLE t (a int);\nSELECT 1;\n");
    free(text);
}

static void test_region_file_reads_from_root(void **state)
{
    (void)state;
    write_file("region/003_b.sql", "--@include shared/common_part.sql  \r\n");
    char *text = migration_text_load(root, "region/003_b.sql");
    assert_non_null(text);
    assert_string_equal(text, "CREATE TABLE t (a int);\n");
    free(text);
}

static void test_text_without_includes_unchanged(void **state)
{
    (void)state;
    const char *plain = "-- --@include in a comment's middle is text\nSELECT 2;";
    write_file("002_c.sql", plain);
    char *text = migration_text_load(root, "002_c.sql");
    assert_non_null(text);
    assert_string_equal(text, plain);
    free(text);
}

static void test_bad_includes_refused(void **state)
{
    (void)state;
    const char *bad[] = {
        "--@include ../outside.sql\n",        "--@include shared/../../etc.sql\n",
        "--@include shared/missing.sql\n",    "--@include /etc/passwd\n",
        "--@include shared/Upper.sql\n",      "--@include shared/.sql\n",
        "--@include shared/common_part.txt\n", "--@include common_part.sql\n",
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        write_file("004_bad.sql", bad[i]);
        char *text = migration_text_load(root, "004_bad.sql");
        if (text != NULL)
            fail_msg("accepted: %s", bad[i]);
    }
}

static void test_nested_include_and_missing_file_refused(void **state)
{
    (void)state;
    write_file("005_nested.sql", "--@include shared/nested.sql\n");
    assert_null(migration_text_load(root, "005_nested.sql"));
    assert_null(migration_text_load(root, "shared/nested.sql"));
    assert_null(migration_text_load(root, "006_absent.sql"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_include_is_put_in),
        cmocka_unit_test(test_region_file_reads_from_root),
        cmocka_unit_test(test_text_without_includes_unchanged),
        cmocka_unit_test(test_bad_includes_refused),
        cmocka_unit_test(test_nested_include_and_missing_file_refused),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
