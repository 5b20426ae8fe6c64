/*
 * Unit test of the CLI's --json writer (client/cli/json.c, json-c inside): text from a
 * server with quotes, backslashes, control bytes and invalid UTF-8 comes out as valid
 * JSON (parsed back by json-c's own parser, and every byte valid UTF-8) that says the
 * same, U+FFFD for each bad byte; keys keep their order; numbers, null and booleans.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

/* json-c names a type json_bool, the name of a function of json.h: its headers see it as
 * json_c_bool */
#define json_bool json_c_bool
#include <json-c/json.h>
#undef json_bool
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "json.h"

/* Whether text is valid UTF-8 (no overlong forms, surrogates or code points past U+10FFFF). */
static int valid_utf8(const char *text)
{
    const unsigned char *p = (const unsigned char *)text;
    while (*p != '\0') {
        int length = *p < 0x80 ? 1 : *p >= 0xC2 && *p <= 0xDF ? 2 : *p >= 0xE0 && *p <= 0xEF ? 3
                                 : *p >= 0xF0 && *p <= 0xF4 ? 4 : 0;
        if (length == 0)
            return 0;
        for (int i = 1; i < length; i++)
            if ((p[i] & 0xC0) != 0x80)
                return 0;
        if ((p[0] == 0xE0 && p[1] < 0xA0) || (p[0] == 0xED && p[1] > 0x9F) ||
            (p[0] == 0xF0 && p[1] < 0x90) || (p[0] == 0xF4 && p[1] > 0x8F))
            return 0;
        p += length;
    }
    return 1;
}

/* What the writer printed for one object with the given string member. */
static char *write_one(const char *key, const char *value)
{
    char *buffer = NULL;
    size_t size = 0;
    FILE *out = open_memstream(&buffer, &size);
    assert_non_null(out);
    struct json_writer writer;
    json_init(&writer, out);
    json_object_begin(&writer, NULL);
    json_string(&writer, key, value);
    json_object_end(&writer);
    fclose(out);
    return buffer;
}

static void test_special_characters_round_trip(void **state)
{
    (void)state;
    const char *text = "quote \" backslash \\ slash / tab\t newline\n cr\r bell\a nul-less \x01\x1f"
                       " del\x7f Žena ћирилица \xF0\x9F\x98\x80";
    char *printed = write_one("summary", text);
    assert_true(valid_utf8(printed));
    assert_null(strchr(printed, '\n') == printed + strlen(printed) - 1 ? NULL : "x");
    struct json_object *parsed = json_tokener_parse(printed);
    assert_non_null(parsed);
    struct json_object *value = NULL;
    assert_true(json_object_object_get_ex(parsed, "summary", &value));
    assert_string_equal(json_object_get_string(value), text);
    assert_non_null(strstr(printed, "\\u0001"));     /* control bytes escaped */
    assert_non_null(strstr(printed, "slash / tab")); /* '/' left as it is */
    json_object_put(parsed);
    free(printed);
}

static void test_invalid_utf8_replaced(void **state)
{
    (void)state;
    /* a stray continuation byte, a cut sequence, an overlong '/', a surrogate, 0xFF */
    const char *bad = "a\x80" "b\xC3" "c\xC0\xAF" "d\xED\xA0\x80" "e\xFF" "f";
    char *printed = write_one("name\xFF", bad);
    assert_true(valid_utf8(printed));
    struct json_object *parsed = json_tokener_parse(printed);
    assert_non_null(parsed);
    struct json_object *value = NULL;
    assert_true(json_object_object_get_ex(parsed, "name\xEF\xBF\xBD", &value));
    const char *text = json_object_get_string(value);
    assert_true(valid_utf8(text));
    assert_string_equal(text, "a\xEF\xBF\xBD" "b\xEF\xBF\xBD" "c\xEF\xBF\xBD\xEF\xBF\xBD"
                              "d\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD" "e\xEF\xBF\xBD" "f");
    json_object_put(parsed);
    free(printed);
}

static void test_structure_order_and_numbers(void **state)
{
    (void)state;
    char *buffer = NULL;
    size_t size = 0;
    FILE *out = open_memstream(&buffer, &size);
    assert_non_null(out);
    struct json_writer writer;
    json_init(&writer, out);
    json_object_begin(&writer, NULL);
    json_string(&writer, "z", "first");
    json_uint(&writer, "version", 18446744073709551615ull);
    json_double(&writer, "round_trip_ms", 0.4123);
    json_double(&writer, "nan", NAN);
    json_string(&writer, "none", NULL);
    json_array_begin(&writer, "events");
    json_object_begin(&writer, NULL);
    json_bool(&writer, "allowed", 1);
    json_object_end(&writer);
    json_string(&writer, NULL, "x");
    json_array_end(&writer);
    json_object_begin(&writer, "params");
    json_object_end(&writer);
    json_bool(&writer, "last", 0);
    json_object_end(&writer);
    fclose(out);
    assert_string_equal(buffer,
                        "{\"z\":\"first\",\"version\":18446744073709551615,\"round_trip_ms\":0.412,"
                        "\"nan\":null,\"none\":null,\"events\":[{\"allowed\":true},\"x\"],"
                        "\"params\":{},\"last\":false}\n");
    free(buffer);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_special_characters_round_trip),
        cmocka_unit_test(test_invalid_utf8_replaced),
        cmocka_unit_test(test_structure_order_and_numbers),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
