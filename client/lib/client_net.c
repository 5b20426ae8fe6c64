/*
 * TCP for the client library: resolve, connect with a timeout, wait on a
 * socket with poll(). Sockets are non-blocking so every wait has a bound; the
 * library's callers still see blocking calls. Knows nothing about TLS.
 */
#include "client_internal.h"
#include "i18n.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

enum client_wait_result client_net_wait(int fd, int want_write, int timeout_ms)
{
    struct pollfd pfd = { .fd = fd, .events = want_write ? POLLOUT : POLLIN };
    for (;;) {
        int ready = poll(&pfd, 1, timeout_ms);
        if (ready > 0)
            return CLIENT_WAIT_READY; /* POLLERR/POLLHUP: the next I/O call reports it */
        if (ready == 0)
            return CLIENT_WAIT_TIMEOUT;
        if (errno != EINTR)
            return CLIENT_WAIT_ERROR;
    }
}

const char *client_strerror(int error, char *buf, size_t buf_size)
{
    if (strerror_r(error, buf, buf_size) != 0) /* the XSI variant */
        snprintf(buf, buf_size, "error %d", error);
    return buf;
}

int client_net_is_ip_address(const char *name)
{
    unsigned char addr[sizeof(struct in6_addr)];
    return inet_pton(AF_INET, name, addr) == 1 || inet_pton(AF_INET6, name, addr) == 1;
}

/* Connects one resolved address; returns the socket or -1 with errno set. */
static int connect_one(const struct addrinfo *ai, int timeout_ms)
{
    int fd = socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC | SOCK_NONBLOCK,
                    ai->ai_protocol);
    if (fd < 0)
        return -1;
    if (connect(fd, ai->ai_addr, ai->ai_addrlen) != 0) {
        if (errno != EINPROGRESS)
            goto failed;
        enum client_wait_result waited = client_net_wait(fd, 1, timeout_ms);
        if (waited == CLIENT_WAIT_TIMEOUT) {
            errno = ETIMEDOUT;
            goto failed;
        }
        if (waited == CLIENT_WAIT_ERROR)
            goto failed;
        int so_error = 0;
        socklen_t so_len = sizeof(so_error);
        if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &so_error, &so_len) != 0)
            goto failed;
        if (so_error != 0) {
            errno = so_error;
            goto failed;
        }
    }
    int one = 1; /* requests are small and latency matters more than segments */
    (void)setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
    return fd;

failed:;
    int saved = errno;
    close(fd);
    errno = saved;
    return -1;
}

int client_net_connect(const char *host, const char *port, int timeout_ms, char *err,
                       size_t err_size)
{
    const char *open_bracket = strchr(host, ':') != NULL ? "[" : "";
    const char *close_bracket = strchr(host, ':') != NULL ? "]" : "";
    struct addrinfo hints = { .ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM };
    struct addrinfo *list = NULL;
    char reason[128];
    int rc = getaddrinfo(host, port, &hints, &list);
    if (rc != 0) {
        snprintf(err, err_size, _("connect to %s%s%s:%s: %s"), open_bracket, host, close_bracket,
                 port,
                 rc == EAI_SYSTEM ? client_strerror(errno, reason, sizeof(reason))
                                  : gai_strerror(rc));
        return -1;
    }
    int fd = -1;
    int last_errno = ECONNREFUSED;
    for (const struct addrinfo *ai = list; ai != NULL && fd < 0; ai = ai->ai_next) {
        fd = connect_one(ai, timeout_ms);
        if (fd < 0)
            last_errno = errno;
    }
    freeaddrinfo(list);
    if (fd < 0) {
        if (last_errno == ETIMEDOUT)
            snprintf(err, err_size, _("connect to %s%s%s:%s: timeout after %d ms"), open_bracket,
                     host, close_bracket, port, timeout_ms);
        else
            snprintf(err, err_size, _("connect to %s%s%s:%s: %s"), open_bracket, host,
                     close_bracket, port, client_strerror(last_errno, reason, sizeof(reason)));
    }
    return fd;
}
