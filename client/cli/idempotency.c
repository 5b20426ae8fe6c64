/*
 * Idempotency keys (see idempotency.h). Sixteen bytes from the kernel's
 * random source, with the version (4) and variant (10xx) bits of RFC 9562.
 */
#include "idempotency.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "i18n.h"

/* Reads size bytes from /dev/urandom. 0, or -1 with err set. */
static int idempotency_random(unsigned char *bytes, size_t size, char *err, size_t err_size)
{
    int fd = open("/dev/urandom", O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        snprintf(err, err_size, _("/dev/urandom: %s"), strerror(errno));
        return -1;
    }
    size_t got = 0;
    while (got < size) {
        ssize_t n = read(fd, bytes + got, size - got);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0) {
            snprintf(err, err_size, _("/dev/urandom: %s"),
                     n < 0 ? strerror(errno) : "unexpected end of file");
            close(fd);
            return -1;
        }
        got += (size_t)n;
    }
    close(fd);
    return 0;
}

int idempotency_key_new(char key[IDEMPOTENCY_KEY_SIZE], char *err, size_t err_size)
{
    unsigned char bytes[16];
    if (idempotency_random(bytes, sizeof(bytes), err, err_size) != 0)
        return -1;
    bytes[6] = (unsigned char)((bytes[6] & 0x0F) | 0x40); /* version 4 */
    bytes[8] = (unsigned char)((bytes[8] & 0x3F) | 0x80); /* variant 10xx */
    size_t used = 0;
    for (size_t i = 0; i < sizeof(bytes); i++) {
        if (i == 4 || i == 6 || i == 8 || i == 10)
            key[used++] = '-';
        used += (size_t)snprintf(key + used, IDEMPOTENCY_KEY_SIZE - used, "%02x", bytes[i]);
    }
    key[IDEMPOTENCY_KEY_SIZE - 1] = '\0';
    return 0;
}

int idempotency_key_valid(const char *text)
{
    if (strlen(text) != IDEMPOTENCY_KEY_SIZE - 1)
        return 0;
    for (size_t i = 0; i < IDEMPOTENCY_KEY_SIZE - 1; i++) {
        int dash = i == 8 || i == 13 || i == 18 || i == 23;
        if (dash ? text[i] != '-' : !isxdigit((unsigned char)text[i]))
            return 0;
    }
    return 1;
}
