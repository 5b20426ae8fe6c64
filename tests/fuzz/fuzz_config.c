/*
 * Fuzzer: a server configuration file (INI, deploy/spona-server.conf.example)
 * through config_parse_string and, when it parses, config_validate
 * (server/config.c). Errors must be terminated strings within their buffer.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "fuzz_check.h"
#include "log.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static int initialised;
    if (!initialised) {
        log_init(LOG_LEVEL_ERROR, 0, "fuzz_config");
        initialised = 1;
    }
    char *text = malloc(size + 1);
    FUZZ_ASSERT(text != NULL);
    memcpy(text, data, size);
    text[size] = '\0'; /* config_parse_string takes a C string: it stops at a NUL */
    struct server_config config;
    config_defaults(&config);
    char err[512];
    memset(err, 'x', sizeof(err));
    if (config_parse_string(&config, text, err, sizeof(err)) == 0) {
        memset(err, 'x', sizeof(err));
        if (config_validate(&config, err, sizeof(err)) != 0)
            FUZZ_ASSERT(memchr(err, 0, sizeof(err)) != NULL);
    } else {
        FUZZ_ASSERT(memchr(err, 0, sizeof(err)) != NULL);
    }
    free(text);
    return 0;
}
