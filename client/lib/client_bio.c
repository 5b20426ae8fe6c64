/*
 * A socket BIO for the client's TLS connections that sends with MSG_NOSIGNAL:
 * OpenSSL's own socket BIO uses write(), which raises SIGPIPE when the server
 * has closed, and a library must not kill its host process nor ask it to
 * ignore signals. Reads and writes only; the socket stays the caller's.
 */
#include "client_internal.h"

#include <errno.h>
#include <pthread.h>
#include <stdint.h>
#include <sys/socket.h>

static int bio_fd(BIO *bio)
{
    return (int)(intptr_t)BIO_get_data(bio);
}

static int is_retryable(int error)
{
    return error == EAGAIN || error == EWOULDBLOCK || error == EINTR;
}

static int client_bio_write(BIO *bio, const char *data, int length)
{
    BIO_clear_retry_flags(bio);
    ssize_t sent = send(bio_fd(bio), data, (size_t)length, MSG_NOSIGNAL);
    if (sent < 0) {
        if (is_retryable(errno))
            BIO_set_retry_write(bio);
        return -1;
    }
    return (int)sent;
}

static int client_bio_read(BIO *bio, char *data, int length)
{
    BIO_clear_retry_flags(bio);
    ssize_t got = recv(bio_fd(bio), data, (size_t)length, 0);
    if (got < 0) {
        if (is_retryable(errno))
            BIO_set_retry_read(bio);
        return -1;
    }
    if (got == 0)
        BIO_set_flags(bio, BIO_FLAGS_IN_EOF); /* lets OpenSSL tell EOF from an error */
    return (int)got;
}

static int client_bio_puts(BIO *bio, const char *text)
{
    size_t length = 0;
    while (text[length] != '\0')
        length++;
    return client_bio_write(bio, text, (int)length);
}

static long client_bio_ctrl(BIO *bio, int command, long number, void *pointer)
{
    switch (command) {
    case BIO_CTRL_FLUSH:
        return 1; /* nothing is buffered here */
    case BIO_CTRL_EOF:
        return BIO_test_flags(bio, BIO_FLAGS_IN_EOF) != 0;
    case BIO_C_GET_FD:
        if (pointer != NULL)
            *(int *)pointer = bio_fd(bio);
        return bio_fd(bio);
    default:
        return 0;
    }
}

static int client_bio_create(BIO *bio)
{
    BIO_set_data(bio, (void *)(intptr_t)-1);
    BIO_set_init(bio, 0);
    return 1;
}

/*
 * The method is built once per process and never changes afterwards (BIO type
 * indexes are a small, process-wide resource, so one per connection would run out).
 */
static pthread_once_t method_once = PTHREAD_ONCE_INIT;
static BIO_METHOD *method_shared;

static void client_bio_method_init(void)
{
    int index = BIO_get_new_index();
    if (index == -1)
        return;
    BIO_METHOD *method =
        BIO_meth_new(index | BIO_TYPE_SOURCE_SINK | BIO_TYPE_DESCRIPTOR, "spona socket");
    if (method == NULL)
        return;
    if (!BIO_meth_set_write(method, client_bio_write) ||
        !BIO_meth_set_read(method, client_bio_read) ||
        !BIO_meth_set_puts(method, client_bio_puts) ||
        !BIO_meth_set_ctrl(method, client_bio_ctrl) ||
        !BIO_meth_set_create(method, client_bio_create)) {
        BIO_meth_free(method);
        return;
    }
    method_shared = method;
}

BIO *client_bio_new(int fd)
{
    if (pthread_once(&method_once, client_bio_method_init) != 0 || method_shared == NULL)
        return NULL;
    BIO *bio = BIO_new(method_shared);
    if (bio == NULL)
        return NULL;
    BIO_set_data(bio, (void *)(intptr_t)fd);
    BIO_set_init(bio, 1);
    return bio;
}
