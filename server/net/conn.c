/*
 * Client connections (see conn.h). The flow of a request is
 *   conn_read_cb → frame_check → envelope_unpack_request → queue →
 *   conn_advance → request_run (inline) or worker → conn_job_done → output.
 * Bad input (oversized, empty or undecodable frames) gets one Response with
 * request id 0, then a lingering close so the client can read it; other
 * connections are never affected.
 */
#include "conn.h"

#include <arpa/inet.h>
#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/bufferevent_ssl.h>
#include <event2/event.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pipeline.h"
#include "frame.h"
#include "log.h"
#include "tls.h"
#include "worker.h"
#include "io_thread.h"

#define HANDSHAKE_TIMEOUT_SECONDS 10
#define LINGER_MS 1000
#define DRAIN_IDLE_MS 250
#define OUTPUT_HIGH_BYTES (4u * 1024u * 1024u)

enum conn_state {
    CONN_HANDSHAKE, /* TLS handshake in progress */
    CONN_OPEN,      /* reading requests */
    CONN_CLOSING,   /* final response being flushed, input discarded */
};

struct conn {
    struct conn *prev, *next; /* io thread's list */
    struct io_thread *io;
    struct bufferevent *bev;
    SSL *ssl; /* owned by bev */
    char peer[64];
    enum conn_state state;
    struct installation installation;
    struct session session;
    struct job *queue_head, *queue_tail;
    int queued;
    int busy;       /* a job of ours is at a worker */
    int released;   /* gone from the io thread's list; free once not busy */
    int draining;
    int read_paused;
    struct event *timer; /* linger or drain-idle */
    spona_status pending_status; /* a stream error to report once earlier requests are answered */
    char *pending_message;
};

static void conn_advance(struct conn *conn);
static void conn_arm_timer(struct conn *conn, int ms);
static void conn_close_after_flush(struct conn *conn);
static void conn_process_input(struct conn *conn);
static int conn_apply_job(struct job *job);

static void conn_describe_peer(const struct sockaddr *address, char *out, size_t out_size)
{
    char host[INET6_ADDRSTRLEN] = "?";
    unsigned port = 0;
    if (address->sa_family == AF_INET) {
        const struct sockaddr_in *v4 = (const struct sockaddr_in *)(const void *)address;
        inet_ntop(AF_INET, &v4->sin_addr, host, sizeof(host));
        port = ntohs(v4->sin_port);
        snprintf(out, out_size, "%s:%u", host, port);
    } else if (address->sa_family == AF_INET6) {
        const struct sockaddr_in6 *v6 = (const struct sockaddr_in6 *)(const void *)address;
        inet_ntop(AF_INET6, &v6->sin6_addr, host, sizeof(host));
        port = ntohs(v6->sin6_port);
        snprintf(out, out_size, "[%s]:%u", host, port);
    } else {
        snprintf(out, out_size, "unknown");
    }
}

static void conn_free_queue(struct conn *conn)
{
    while (conn->queue_head != NULL) {
        struct job *job = conn->queue_head;
        conn->queue_head = job->next;
        job_free(job);
    }
    conn->queue_tail = NULL;
    conn->queued = 0;
}

static void conn_destroy(struct conn *conn)
{
    conn_free_queue(conn);
    free(conn->pending_message);
    if (conn->timer != NULL)
        event_free(conn->timer);
    if (conn->bev != NULL) {
        if (conn->ssl != NULL && conn->state != CONN_HANDSHAKE)
            SSL_shutdown(conn->ssl); /* best effort close_notify; output is flushed */
        bufferevent_free(conn->bev);
    }
    free(conn);
}

/* Takes the connection off its io thread; frees it now or when its job comes back. */
static void conn_release(struct conn *conn)
{
    struct io_thread *io = conn->io;
    if (conn->released)
        return;
    conn->released = 1;
    if (conn->prev != NULL)
        conn->prev->next = conn->next;
    else
        io->connections = conn->next;
    if (conn->next != NULL)
        conn->next->prev = conn->prev;
    io->connection_count--;
    if (conn->bev != NULL)
        bufferevent_disable(conn->bev, EV_READ | EV_WRITE);
    if (!conn->busy)
        conn_destroy(conn);
    if (io->draining && io->connection_count == 0)
        event_base_loopbreak(io->base);
}

static void conn_timer_cb(evutil_socket_t fd, short what, void *arg)
{
    struct conn *conn = arg;
    if (conn->state == CONN_CLOSING) {
        conn_release(conn); /* linger over */
        return;
    }
    /* drain-idle: still nothing to do, so close once the output is flushed */
    if (!conn->busy && conn->queue_head == NULL)
        conn_close_after_flush(conn);
}

/* Output is flushed on a closing connection: say close_notify, then linger for EOF. */
static void conn_linger(struct conn *conn)
{
    if (conn->ssl != NULL)
        SSL_shutdown(conn->ssl);
    conn_arm_timer(conn, LINGER_MS);
}

static void conn_arm_timer(struct conn *conn, int ms)
{
    if (conn->timer == NULL)
        conn->timer = evtimer_new(conn->io->base, conn_timer_cb, conn);
    struct timeval delay = {ms / 1000, (ms % 1000) * 1000};
    if (conn->timer == NULL)
        return; /* out of memory: the connection ends at EOF or error instead */
    evtimer_add(conn->timer, &delay);
}

/* Queue the final response, stop taking requests, close once it is flushed. */
static void conn_close_after_flush(struct conn *conn)
{
    if (conn->state == CONN_CLOSING)
        return;
    conn->state = CONN_CLOSING;
    conn_free_queue(conn);
    bufferevent_enable(conn->bev, EV_READ); /* to discard until EOF */
    bufferevent_setwatermark(conn->bev, EV_WRITE, 0, 0);
    if (evbuffer_get_length(bufferevent_get_output(conn->bev)) == 0)
        conn_linger(conn);
}

/* Queues bytes for the client; -1 when out of memory (the caller closes). */
static int conn_send_frame(struct conn *conn, const uint8_t *frame, size_t length)
{
    if (bufferevent_write(conn->bev, frame, length) != 0) {
        log_warn("cannot queue %zu bytes for %s", length, conn->peer);
        return -1;
    }
    return 0;
}

/* Sends a connection-level error (request id 0) now and closes after it. */
static void conn_fail_now(struct conn *conn, spona_status status, const char *message)
{
    uint8_t *frame = NULL;
    size_t length = 0;
    if (request_error_frame(0, status, message, &frame, &length) == 0) {
        (void)conn_send_frame(conn, frame, length);
        free(frame);
    }
    conn_close_after_flush(conn);
}

/*
 * The stream is broken (bad frame): read nothing more, answer the requests
 * received before the bad frame, then send the error with request id 0 and close.
 */
static void conn_fail(struct conn *conn, spona_status status, const char *message)
{
    log_warn("closing %s (installation '%s'): %s", conn->peer, conn->installation.cn, message);
    if (!conn->busy && conn->queue_head == NULL) {
        conn_fail_now(conn, status, message);
        return;
    }
    conn->pending_status = status;
    conn->pending_message = strdup(message);
    if (conn->pending_message == NULL) {
        conn_fail_now(conn, status, "out of memory");
        return;
    }
    bufferevent_disable(conn->bev, EV_READ);
    struct evbuffer *input = bufferevent_get_input(conn->bev);
    evbuffer_drain(input, evbuffer_get_length(input));
}

/* Answers one request with an error without closing. */
static void conn_reply_error(struct conn *conn, uint64_t request_id, spona_status status,
                             const char *message)
{
    uint8_t *frame = NULL;
    size_t length = 0;
    if (request_error_frame(request_id, status, message, &frame, &length) == 0) {
        (void)conn_send_frame(conn, frame, length);
        free(frame);
    }
}

static void conn_enqueue(struct conn *conn, struct job *job, int at_front)
{
    if (at_front) {
        job->next = conn->queue_head;
        conn->queue_head = job;
        if (conn->queue_tail == NULL)
            conn->queue_tail = job;
    } else {
        job->next = NULL;
        if (conn->queue_tail != NULL)
            conn->queue_tail->next = job;
        else
            conn->queue_head = job;
        conn->queue_tail = job;
    }
    conn->queued++;
}

static struct job *conn_new_job(struct conn *conn, spona_request *request,
                                const struct request_kind *kind)
{
    struct job *job = calloc(1, sizeof(*job));
    if (job == NULL)
        return NULL;
    job->conn = conn;
    job->home = conn->io;
    job->complete = io_thread_complete;
    job->request = request;
    job->request_id = request != NULL ? request->request_id : 0;
    job->kind = kind;
    return job;
}

/* Takes one decoded request: reject it at once, or queue it. Returns -1 if the conn closed. */
static int conn_take_request(struct conn *conn, spona_request *request)
{
    char message[160];
    if (request->protocol_version > SPONA_PROTOCOL_VERSION) {
        snprintf(message, sizeof(message), "unsupported protocol version %u (this server speaks %u)",
                 request->protocol_version, SPONA_PROTOCOL_VERSION);
        conn_reply_error(conn, request->request_id, SPONA__V1__STATUS__INVALID_ARGUMENT, message);
        envelope_free_request(request);
        return 0;
    }
    if (request->body_case == SPONA__V1__REQUEST__BODY__NOT_SET) {
        conn_reply_error(conn, request->request_id, SPONA__V1__STATUS__INVALID_ARGUMENT,
                         "request has no body");
        envelope_free_request(request);
        return 0;
    }
    const struct request_kind *kind = request_lookup((int)request->body_case);
    if (kind == NULL) {
        snprintf(message, sizeof(message), "unknown request kind %d", (int)request->body_case);
        conn_reply_error(conn, request->request_id, SPONA__V1__STATUS__INVALID_ARGUMENT, message);
        envelope_free_request(request);
        return 0;
    }
    struct job *job = conn_new_job(conn, request, kind);
    if (job == NULL) {
        envelope_free_request(request);
        conn_fail(conn, SPONA__V1__STATUS__INTERNAL, "out of memory");
        return -1;
    }
    conn_enqueue(conn, job, 0);
    return 0;
}

/* Turns whole frames in the input buffer into queued requests. */
static void conn_process_input(struct conn *conn)
{
    struct evbuffer *input = bufferevent_get_input(conn->bev);
    uint32_t max = conn->io->server->config.max_frame_bytes;
    char message[160];
    while (conn->state == CONN_OPEN && conn->pending_message == NULL) {
        if (conn->queued >= conn->io->server->config.max_pipelined) {
            bufferevent_disable(conn->bev, EV_READ); /* back-pressure until the queue drains */
            conn->read_paused = 1;
            break;
        }
        size_t avail = evbuffer_get_length(input);
        if (avail < FRAME_HEADER_BYTES)
            break;
        uint32_t length = 0;
        enum frame_result result =
            frame_check(evbuffer_pullup(input, FRAME_HEADER_BYTES), FRAME_HEADER_BYTES, max, &length);
        if (result == FRAME_TOO_LARGE) {
            snprintf(message, sizeof(message), "frame of %u bytes exceeds the limit of %u", length,
                     max);
            conn_fail(conn, SPONA__V1__STATUS__RESOURCE_EXHAUSTED, message);
            return;
        }
        if (result == FRAME_EMPTY) {
            conn_fail(conn, SPONA__V1__STATUS__INVALID_ARGUMENT, "empty frame (length 0)");
            return;
        }
        if (avail < FRAME_HEADER_BYTES + (size_t)length)
            break;
        const uint8_t *frame = evbuffer_pullup(input, (ev_ssize_t)(FRAME_HEADER_BYTES + length));
        spona_request *request = envelope_unpack_request(frame + FRAME_HEADER_BYTES, length);
        evbuffer_drain(input, FRAME_HEADER_BYTES + (size_t)length);
        if (request == NULL) {
            snprintf(message, sizeof(message),
                     "undecodable request: %u bytes are not a spona.v1.Request", length);
            conn_fail(conn, SPONA__V1__STATUS__INVALID_ARGUMENT, message);
            return;
        }
        if (conn_take_request(conn, request) != 0)
            return;
    }
}

/* Starts the next queued job if none is running. */
static void conn_advance(struct conn *conn)
{
    const struct server *server = conn->io->server;
    while (!conn->busy && conn->queue_head != NULL && conn->state == CONN_OPEN) {
        if (evbuffer_get_length(bufferevent_get_output(conn->bev)) > OUTPUT_HIGH_BYTES)
            return; /* the client is not reading; resume from the write callback */
        struct job *job = conn->queue_head;
        conn->queue_head = job->next;
        if (conn->queue_head == NULL)
            conn->queue_tail = NULL;
        conn->queued--;
        job->next = NULL;
        job->session = conn->session;
        job->installation = conn->installation;
        snprintf(job->peer, sizeof(job->peer), "%s", conn->peer);
        if (request_kind_inline(job->kind)) {
            request_run(job, &server->config, NULL);
            if (conn_apply_job(job) != 0)
                return;
        } else {
            conn->busy = 1;
            worker_pool_submit(server->workers, job);
        }
    }
    if (conn->state != CONN_OPEN)
        return;
    if (conn->pending_message != NULL) {
        if (!conn->busy && conn->queue_head == NULL)
            conn_fail_now(conn, conn->pending_status, conn->pending_message);
        return;
    }
    if (conn->read_paused && conn->queued < server->config.max_pipelined) {
        conn->read_paused = 0;
        bufferevent_enable(conn->bev, EV_READ);
        conn_process_input(conn);
        if (conn->state == CONN_OPEN && !conn->busy && conn->queue_head != NULL)
            conn_advance(conn);
        return;
    }
    if (conn->draining && !conn->busy && conn->queue_head == NULL)
        conn_arm_timer(conn, DRAIN_IDLE_MS);
}

/* Applies a finished job; returns 0 while the connection lives, -1 once it is gone. */
static int conn_apply_job(struct job *job)
{
    struct conn *conn = job->conn;
    if (job->kind != NULL && !request_kind_inline(job->kind))
        conn->busy = 0;
    if (conn->released) {
        job_free(job);
        if (!conn->busy)
            conn_destroy(conn);
        return -1;
    }
    if (conn->state == CONN_CLOSING) {
        job_free(job);
        return 0;
    }
    conn->session = job->session;
    if (job->kind == &request_identify)
        conn->installation = job->installation;
    int failed = job->frame != NULL && conn_send_frame(conn, job->frame, job->frame_length) != 0;
    int close_after = job->close_after;
    job_free(job);
    if (failed) {
        conn_release(conn);
        return -1;
    }
    if (close_after)
        conn_close_after_flush(conn);
    return 0;
}

void conn_job_done(struct job *job)
{
    struct conn *conn = job->conn;
    if (conn_apply_job(job) == 0)
        conn_advance(conn);
}

void conn_job_discard(struct job *job)
{
    struct conn *conn = job->conn;
    conn->busy = 0;
    job_free(job);
    if (conn->released)
        conn_destroy(conn);
}

static void conn_read_cb(struct bufferevent *bev, void *arg)
{
    struct conn *conn = arg;
    if (conn->state == CONN_CLOSING) {
        struct evbuffer *input = bufferevent_get_input(bev);
        evbuffer_drain(input, evbuffer_get_length(input));
        return;
    }
    if (conn->timer != NULL)
        evtimer_del(conn->timer); /* new input while draining: not idle */
    conn_process_input(conn);
    if (!conn->released && conn->state == CONN_OPEN)
        conn_advance(conn);
}

static void conn_write_cb(struct bufferevent *bev, void *arg)
{
    struct conn *conn = arg;
    if (conn->state == CONN_CLOSING) {
        if (evbuffer_get_length(bufferevent_get_output(bev)) == 0)
            conn_linger(conn);
        return;
    }
    conn_advance(conn);
}

/* Copies the verified peer certificate (DER) into the installation; too large: none kept. */
static void conn_keep_certificate(struct conn *conn)
{
    struct installation *installation = &conn->installation;
    installation->certificate_length = 0;
    X509 *cert = SSL_get1_peer_certificate(conn->ssl);
    if (cert == NULL)
        return;
    int length = i2d_X509(cert, NULL);
    if (length > 0 && (size_t)length <= sizeof(installation->certificate)) {
        unsigned char *out = installation->certificate;
        if (i2d_X509(cert, &out) == length)
            installation->certificate_length = (size_t)length;
    }
    X509_free(cert);
}

/* Handshake done: check ALPN, read the certificate's CN, queue identification. */
static void conn_connected(struct conn *conn)
{
    const unsigned char *alpn = NULL;
    unsigned int alpn_length = 0;
    SSL_get0_alpn_selected(conn->ssl, &alpn, &alpn_length);
    conn->state = CONN_OPEN;
    bufferevent_set_timeouts(conn->bev, NULL, NULL);
    if (tls_peer_common_name(conn->ssl, conn->installation.cn, sizeof(conn->installation.cn)) != 0) {
        conn_fail(conn, SPONA__V1__STATUS__UNAUTHENTICATED,
                  "client certificate has no usable common name");
        return;
    }
    conn_keep_certificate(conn);
    log_debug("%s: TLS established, installation '%s', ALPN %.*s", conn->peer,
              conn->installation.cn, (int)alpn_length, alpn ? (const char *)alpn : "none");
    struct job *job = conn_new_job(conn, NULL, &request_identify);
    if (job == NULL) {
        conn_fail(conn, SPONA__V1__STATUS__INTERNAL, "out of memory");
        return;
    }
    conn_enqueue(conn, job, 1);
    conn_process_input(conn);
    if (!conn->released && conn->state == CONN_OPEN)
        conn_advance(conn);
}

static void conn_event_cb(struct bufferevent *bev, short events, void *arg)
{
    struct conn *conn = arg;
    int socket_error = EVUTIL_SOCKET_ERROR();
    unsigned long tls_error = bufferevent_get_openssl_error(bev);
    if (events & BEV_EVENT_CONNECTED) {
        conn_connected(conn);
        return;
    }
    if (conn->state == CONN_HANDSHAKE) {
        char reason[320];
        if (events & BEV_EVENT_TIMEOUT)
            snprintf(reason, sizeof(reason), "handshake timed out");
        else
            tls_describe_error(conn->ssl, tls_error, socket_error, reason, sizeof(reason));
        log_warn("TLS handshake with %s failed: %s", conn->peer, reason);
    } else if ((events & BEV_EVENT_ERROR) && conn->state == CONN_OPEN) {
        char reason[320];
        tls_describe_error(conn->ssl, tls_error, socket_error, reason, sizeof(reason));
        log_info("connection %s (installation '%s') error: %s", conn->peer,
                 conn->installation.cn, reason);
    } else {
        log_debug("connection %s closed by peer", conn->peer);
    }
    conn_release(conn);
}

void conn_accept(struct io_thread *io, evutil_socket_t fd, const struct sockaddr *address,
                 int address_length)
{
    const struct server *server = io->server;
    char peer[64];
    conn_describe_peer(address, peer, sizeof(peer));
    if (io->draining || io->connection_count >= server->config.max_connections) {
        log_warn("refusing %s: %s", peer, io->draining ? "shutting down" : "too many connections");
        evutil_closesocket(fd);
        return;
    }
    int nodelay = 1; /* small TLS records must not wait for delayed ACKs */
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &nodelay, sizeof(nodelay));
    struct conn *conn = calloc(1, sizeof(*conn));
    SSL *ssl = tls_context_new_ssl(server->tls);
    if (conn == NULL || ssl == NULL) {
        log_error("cannot accept %s: out of memory", peer);
        free(conn);
        SSL_free(ssl);
        evutil_closesocket(fd);
        return;
    }
    conn->io = io;
    conn->ssl = ssl;
    snprintf(conn->peer, sizeof(conn->peer), "%s", peer);
    conn->state = CONN_HANDSHAKE;
    conn->bev = bufferevent_openssl_socket_new(io->base, fd, ssl, BUFFEREVENT_SSL_ACCEPTING,
                                               BEV_OPT_CLOSE_ON_FREE);
    if (conn->bev == NULL) {
        log_error("cannot set up TLS for %s", peer);
        SSL_free(ssl);
        evutil_closesocket(fd);
        free(conn);
        return;
    }
    bufferevent_openssl_set_allow_dirty_shutdown(conn->bev, 1);
    bufferevent_setcb(conn->bev, conn_read_cb, conn_write_cb, conn_event_cb, conn);
    struct timeval handshake = {HANDSHAKE_TIMEOUT_SECONDS, 0};
    bufferevent_set_timeouts(conn->bev, &handshake, &handshake);
    bufferevent_enable(conn->bev, EV_READ | EV_WRITE);

    conn->next = io->connections;
    if (io->connections != NULL)
        io->connections->prev = conn;
    io->connections = conn;
    io->connection_count++;
    log_debug("accepted %s", peer);
}

static void conn_begin_drain(struct conn *conn)
{
    if (conn->state == CONN_HANDSHAKE) {
        conn_release(conn);
        return;
    }
    conn->draining = 1;
    if (conn->state == CONN_OPEN && !conn->busy && conn->queue_head == NULL)
        conn_arm_timer(conn, DRAIN_IDLE_MS);
}

void conn_drain_all(struct io_thread *io)
{
    struct conn *next;
    for (struct conn *conn = io->connections; conn != NULL; conn = next) {
        next = conn->next; /* releasing a connection unlinks only itself */
        conn_begin_drain(conn);
    }
}

void conn_close_all(struct io_thread *io)
{
    while (io->connections != NULL) {
        log_warn("closing %s: server stopping", io->connections->peer);
        conn_release(io->connections);
    }
}
