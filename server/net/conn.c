/*
 * Client connections (see conn.h). The flow of a request is
 *   conn_read_cb → frame_check → decode_request → queue →
 *   conn_advance → request_run (inline) or worker → conn_job_done → output.
 * Bad input (oversized, empty or undecodable frames) gets one Response with
 * request id 0, then a lingering close so the client can read it; other
 * connections are never affected.
 *
 * Budgets (docs/security.md): an unfinished handshake holds a slot of a small
 * budget per io thread (total and per source address) with an absolute
 * deadline; when the budget is full the oldest unfinished handshake is dropped
 * for the newcomer, so a client that completes its handshake quickly is served
 * however many dribblers keep arriving. After the handshake a frame begun must
 * be complete within frame_timeout_seconds, a connection without a request for
 * idle_timeout_seconds is closed, and an institution holds at most
 * max_connections_per_institution connections. conn_sweep enforces the
 * deadlines from the io thread's janitor.
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
#include <time.h>

#include "pipeline.h"
#include "decode.h"
#include "frame.h"
#include "institution_count.h"
#include "log.h"
#include "refusal_log.h"
#include "tls.h"
#include "worker.h"
#include "io_thread.h"

#define LINGER_MS 1000
#define DRAIN_IDLE_MS 250
#define OUTPUT_HIGH_BYTES (4u * 1024u * 1024u)

enum conn_state {
    CONN_HANDSHAKE, /* TLS handshake in progress */
    CONN_OPEN,      /* reading requests */
    CONN_CLOSING,   /* final response being flushed, input discarded */
};

/* A source address without its port: what the per-address handshake budget counts. */
struct conn_address {
    int family;
    unsigned char bytes[16];
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
    size_t held_bytes; /* decoded requests not yet answered (see max_connection_bytes) */
    int busy;       /* a job of ours is at a worker */
    int released;   /* gone from the io thread's list; free once not busy */
    int draining;
    int read_paused;
    struct event *timer; /* linger or drain-idle */
    spona_status pending_status; /* a stream error to report once earlier requests are answered */
    char *pending_message;
    /* budgets and deadlines (monotonic milliseconds; 0: none) */
    struct conn_address address;
    struct conn *handshake_older, *handshake_newer; /* io thread's handshake list */
    int in_handshakes;
    long long handshake_deadline_ms;
    long long last_activity_ms;    /* handshake done, a frame received or a job finished */
    long long frame_deadline_ms;   /* a partial frame waits in the input */
    unsigned long frames_taken;    /* frames read so far */
    unsigned long frame_deadline_frames; /* frames_taken when frame_deadline_ms was set */
    int institution_counted;       /* counted in server->institutions */
    long long closing_since_ms;    /* CONN_CLOSING: when the final response was queued */
    unsigned tls_generation;       /* TLS reloads its peer certificate was checked against */
};

static void conn_advance(struct conn *conn);
static void conn_arm_timer(struct conn *conn, int ms);
static void conn_close_after_flush(struct conn *conn);
static void conn_process_input(struct conn *conn);
static int conn_apply_job(struct job *job);

static long long conn_now_ms(void)
{
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    return (long long)now.tv_sec * 1000 + now.tv_nsec / 1000000;
}

static void conn_address_of(const struct sockaddr *address, struct conn_address *out)
{
    memset(out, 0, sizeof(*out));
    out->family = address->sa_family;
    if (address->sa_family == AF_INET) {
        const struct sockaddr_in *v4 = (const struct sockaddr_in *)(const void *)address;
        memcpy(out->bytes, &v4->sin_addr, sizeof(v4->sin_addr));
    } else if (address->sa_family == AF_INET6) {
        const struct sockaddr_in6 *v6 = (const struct sockaddr_in6 *)(const void *)address;
        memcpy(out->bytes, &v6->sin6_addr, sizeof(v6->sin6_addr));
    }
}

static int conn_address_equal(const struct conn_address *a, const struct conn_address *b)
{
    return a->family == b->family && memcmp(a->bytes, b->bytes, sizeof(a->bytes)) == 0;
}

/* Appends a new connection to the io thread's handshake list (it is the newest). */
static void conn_handshake_link(struct conn *conn)
{
    struct io_thread *io = conn->io;
    conn->handshake_older = io->handshakes_newest;
    conn->handshake_newer = NULL;
    if (io->handshakes_newest != NULL)
        io->handshakes_newest->handshake_newer = conn;
    else
        io->handshakes_oldest = conn;
    io->handshakes_newest = conn;
    conn->in_handshakes = 1;
    io->handshake_count++;
}

/* The handshake is over (done, failed or dropped): out of the handshake budget. */
static void conn_handshake_unlink(struct conn *conn)
{
    struct io_thread *io = conn->io;
    if (!conn->in_handshakes)
        return;
    if (conn->handshake_older != NULL)
        conn->handshake_older->handshake_newer = conn->handshake_newer;
    else
        io->handshakes_oldest = conn->handshake_newer;
    if (conn->handshake_newer != NULL)
        conn->handshake_newer->handshake_older = conn->handshake_older;
    else
        io->handshakes_newest = conn->handshake_older;
    conn->handshake_older = conn->handshake_newer = NULL;
    conn->in_handshakes = 0;
    io->handshake_count--;
}

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
        conn->held_bytes -= job->decoded_bytes;
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
    conn_handshake_unlink(conn);
    if (conn->institution_counted) {
        institution_count_release(io->server->institutions, conn->installation.institution_id);
        conn->institution_counted = 0;
    }
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
    conn->closing_since_ms = conn_now_ms();
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
static void conn_fail_unlogged(struct conn *conn, spona_status status, const char *message)
{
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

static void conn_fail(struct conn *conn, spona_status status, const char *message)
{
    log_warn("closing %s (installation '%s'): %s", conn->peer, conn->installation.cn, message);
    conn_fail_unlogged(conn, status, message);
}

/* A bad frame (a client can send them at will): the log line is rate-limited. */
static void conn_fail_frame(struct conn *conn, spona_status status, const char *message)
{
    char detail[400];
    snprintf(detail, sizeof(detail), "closed (installation '%s'): %s", conn->installation.cn,
             message);
    refusal_log_note(conn->io->server->refusals, REFUSAL_BAD_FRAME, conn->peer, detail);
    conn_fail_unlogged(conn, status, message);
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

/* Bytes this connection holds: decoded requests not yet answered and output not yet sent. */
static size_t conn_held(const struct conn *conn)
{
    return conn->held_bytes + evbuffer_get_length(bufferevent_get_output(conn->bev));
}

/* The client does not read its answers: stop reading its requests until it does. */
static int conn_output_full(const struct conn *conn)
{
    return evbuffer_get_length(bufferevent_get_output(conn->bev)) >
           conn->io->server->config.max_connection_bytes;
}

/* Takes one decoded request: reject it at once, or queue it. Returns -1 if the conn closed. */
static int conn_take_request(struct conn *conn, spona_request *request, size_t cost)
{
    char message[160];
    if (conn_held(conn) > 0 &&
        conn_held(conn) + cost > conn->io->server->config.max_connection_bytes) {
        conn_reply_error(conn, request->request_id, SPONA__V1__STATUS__RESOURCE_EXHAUSTED,
                         "this connection holds too many unanswered requests and unread "
                         "responses: read the answers, then retry");
        envelope_free_request(request);
        return 0;
    }
    if (request->protocol_version > SPONA_PROTOCOL_VERSION) {
        snprintf(message, sizeof(message), "unsupported protocol version %u (this server speaks %u)",
                 request->protocol_version, SPONA_PROTOCOL_VERSION);
        conn_reply_error(conn, request->request_id, SPONA__V1__STATUS__INVALID_ARGUMENT, message);
        envelope_free_request(request);
        return 0;
    }
    uint32_t body_case = (uint32_t)request->body_case;
    for (unsigned i = 0; body_case == 0 && i < request->base.n_unknown_fields; i++)
        body_case = request->base.unknown_fields[i].tag; /* a kind newer than this server */
    if (body_case == SPONA__V1__REQUEST__BODY__NOT_SET) {
        conn_reply_error(conn, request->request_id, SPONA__V1__STATUS__INVALID_ARGUMENT,
                         "request has no body");
        envelope_free_request(request);
        return 0;
    }
    const struct request_kind *kind = request_lookup((int)request->body_case);
    if (kind == NULL) {
        snprintf(message, sizeof(message), "unknown request kind %u", body_case);
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
    job->decoded_bytes = cost;
    conn->held_bytes += cost;
    conn_enqueue(conn, job, 0);
    return 0;
}

/* The largest frame this connection may send now: much smaller before login. */
static uint32_t conn_frame_limit(const struct conn *conn)
{
    const struct server_config *config = &conn->io->server->config;
    if (!conn->session.active && config->max_frame_bytes_before_login < config->max_frame_bytes)
        return config->max_frame_bytes_before_login;
    return config->max_frame_bytes;
}

/* Checks the next frame's header: 1 to read its body, 0 to wait, -1 once the connection failed. */
static int conn_frame_header(struct conn *conn, struct evbuffer *input, uint32_t *length)
{
    const struct server_config *config = &conn->io->server->config;
    uint32_t max = conn_frame_limit(conn);
    enum frame_result result =
        frame_check(evbuffer_pullup(input, FRAME_HEADER_BYTES), FRAME_HEADER_BYTES, max, length);
    if (result == FRAME_TOO_LARGE && max < config->max_frame_bytes &&
        *length <= config->max_frame_bytes && (conn->busy || conn->queue_head != NULL)) {
        bufferevent_disable(conn->bev, EV_READ); /* a login may be on its way: wait for it */
        conn->read_paused = 1;
        return 0;
    }
    if (result == FRAME_TOO_LARGE) {
        char message[160];
        snprintf(message, sizeof(message), "frame of %u bytes exceeds the limit of %u%s", *length,
                 max, max < config->max_frame_bytes ? " before login" : "");
        conn_fail_frame(conn, SPONA__V1__STATUS__RESOURCE_EXHAUSTED, message);
        return -1;
    }
    if (result == FRAME_EMPTY) {
        conn_fail_frame(conn, SPONA__V1__STATUS__INVALID_ARGUMENT, "empty frame (length 0)");
        return -1;
    }
    return 1;
}

/* Turns whole frames in the input buffer into queued requests. */
static void conn_read_frames(struct conn *conn)
{
    struct evbuffer *input = bufferevent_get_input(conn->bev);
    const struct server_config *config = &conn->io->server->config;
    while (conn->state == CONN_OPEN && conn->pending_message == NULL) {
        if (conn->queued >= config->max_pipelined || conn_output_full(conn)) {
            bufferevent_disable(conn->bev, EV_READ); /* back-pressure until the queue drains */
            conn->read_paused = 1;
            break;
        }
        size_t avail = evbuffer_get_length(input);
        uint32_t length = 0;
        if (avail < FRAME_HEADER_BYTES || conn_frame_header(conn, input, &length) <= 0)
            break;
        if (avail < FRAME_HEADER_BYTES + (size_t)length)
            break;
        const uint8_t *frame = evbuffer_pullup(input, (ev_ssize_t)(FRAME_HEADER_BYTES + length));
        struct decode_result decoded;
        enum decode_outcome outcome = decode_request(frame + FRAME_HEADER_BYTES, length, &decoded);
        evbuffer_drain(input, FRAME_HEADER_BYTES + (size_t)length);
        conn->frames_taken++;
        conn->last_activity_ms = conn_now_ms();
        if (outcome == DECODE_MALFORMED) {
            conn_fail_frame(conn, decoded.status, decoded.message);
            return;
        }
        if (outcome == DECODE_REFUSED) {
            conn_reply_error(conn, decoded.request_id, decoded.status, decoded.message);
            continue;
        }
        if (conn_take_request(conn, decoded.request, decoded.cost) != 0)
            return;
    }
}

/*
 * Bytes of an unfinished frame wait in the input: the frame must be complete by
 * frame_timeout_seconds after the first of them arrived (a deadline per frame,
 * set again once a frame is read). No deadline while we are the ones not reading.
 */
static void conn_watch_partial_frame(struct conn *conn)
{
    struct evbuffer *input = bufferevent_get_input(conn->bev);
    if (conn->state != CONN_OPEN || conn->read_paused || conn->pending_message != NULL ||
        evbuffer_get_length(input) == 0) {
        conn->frame_deadline_ms = 0;
        return;
    }
    if (conn->frame_deadline_ms != 0 && conn->frame_deadline_frames == conn->frames_taken)
        return; /* the same frame is still unfinished */
    conn->frame_deadline_ms =
        conn_now_ms() + 1000LL * conn->io->server->config.frame_timeout_seconds;
    conn->frame_deadline_frames = conn->frames_taken;
}

static void conn_process_input(struct conn *conn)
{
    conn_read_frames(conn);
    if (!conn->released)
        conn_watch_partial_frame(conn);
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
    if (conn->read_paused && conn->queued < server->config.max_pipelined &&
        !conn_output_full(conn)) {
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

/*
 * An identified connection counts against its institution's limit; over it, the
 * client gets RESOURCE_EXHAUSTED (request id 0) and the connection closes.
 * Returns -1 when refused.
 */
static int conn_count_institution(struct conn *conn)
{
    struct server *server = conn->io->server;
    int limit = server->config.max_connections_per_institution;
    int open = 0;
    if (!conn->installation.identified || conn->institution_counted)
        return 0;
    if (institution_count_take(server->institutions, conn->installation.institution_id, limit,
                               &open) == 0) {
        conn->institution_counted = 1;
        return 0;
    }
    char message[200];
    snprintf(message, sizeof(message),
             "your institution has %d connections open, the limit is %d "
             "(max_connections_per_institution)",
             open, limit);
    char detail[400];
    snprintf(detail, sizeof(detail), "installation '%s': %s", conn->installation.cn, message);
    refusal_log_note(server->refusals, REFUSAL_OVER_INSTITUTION, conn->peer, detail);
    conn_fail_now(conn, SPONA__V1__STATUS__RESOURCE_EXHAUSTED, message);
    return -1;
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
    conn->held_bytes -= job->decoded_bytes;
    conn->session = job->session;
    conn->last_activity_ms = conn_now_ms();
    if (job->kind == &request_identify) {
        conn->installation = job->installation;
        if (conn_count_institution(conn) != 0) {
            job_free(job);
            return 0;
        }
    }
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

/*
 * A resumed TLS session skipped certificate verification: its certificate (kept
 * in the session) is verified again against the CA bundle and CRL in force, so a
 * certificate revoked (or expired) since its full handshake cannot come back by
 * resuming. Refused: the session of the ticket this handshake issued leaves the
 * cache, UNAUTHENTICATED with request id 0, then the connection closes. 1 when refused.
 */
static int conn_resumed_peer_refused(struct conn *conn)
{
    char reason[128] = "unknown", message[200], detail[400];
    if (tls_peer_still_valid(conn->io->server->tls, conn->ssl, reason, sizeof(reason)))
        return 0;
    /* the ticket just sent on this connection must not resume either */
    SSL_CTX_remove_session(SSL_get_SSL_CTX(conn->ssl), SSL_get0_session(conn->ssl));
    snprintf(message, sizeof(message),
             "client certificate no longer valid (%s): resumed TLS session refused", reason);
    snprintf(detail, sizeof(detail), "installation '%s': %s", conn->installation.cn, message);
    refusal_log_note(conn->io->server->refusals, REFUSAL_HANDSHAKE_FAILED, conn->peer, detail);
    conn_fail_now(conn, SPONA__V1__STATUS__UNAUTHENTICATED, message);
    return 1;
}

/* Handshake done: check ALPN, read the certificate's CN, queue identification. */
static void conn_connected(struct conn *conn)
{
    const unsigned char *alpn = NULL;
    unsigned int alpn_length = 0;
    SSL_get0_alpn_selected(conn->ssl, &alpn, &alpn_length);
    conn->state = CONN_OPEN;
    conn_handshake_unlink(conn);
    conn->last_activity_ms = conn_now_ms();
    if (tls_peer_common_name(conn->ssl, conn->installation.cn, sizeof(conn->installation.cn)) != 0) {
        conn_fail(conn, SPONA__V1__STATUS__UNAUTHENTICATED,
                  "client certificate has no usable common name");
        return;
    }
    if (SSL_session_reused(conn->ssl) && conn_resumed_peer_refused(conn))
        return;
    conn_keep_certificate(conn);
    log_debug("%s: TLS %s, installation '%s', ALPN %.*s", conn->peer,
              SSL_session_reused(conn->ssl) ? "resumed" : "established", conn->installation.cn,
              (int)alpn_length, alpn ? (const char *)alpn : "none");
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
        char reason[320], detail[360];
        tls_describe_error(conn->ssl, tls_error, socket_error, reason, sizeof(reason));
        snprintf(detail, sizeof(detail), "TLS handshake failed: %s", reason);
        refusal_log_note(conn->io->server->refusals, REFUSAL_HANDSHAKE_FAILED, conn->peer, detail);
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

/*
 * Tells a client we will not serve that the server is busy, in the only words TLS
 * has before a handshake: one plaintext alert record, fatal internal_error (TLS
 * has no "busy" alert; the client library words this one as the server being at
 * a connection limit). Only for a socket on which nothing was sent yet. What the
 * client already sent is read first, so that the close is a FIN, not a reset that
 * could overtake the alert. The caller closes the socket.
 */
static void conn_send_busy_alert(evutil_socket_t fd)
{
    static const unsigned char alert[] = {
        0x15, 0x03, 0x03, 0x00, 0x02, /* record: alert, TLS 1.2 (as TLS 1.3 sends), 2 bytes */
        0x02, 0x50,                   /* fatal, internal_error (80) */
    };
    char discard[4096];
    for (int i = 0; i < 4 && recv(fd, discard, sizeof(discard), MSG_DONTWAIT) > 0; i++)
        ;
    (void)send(fd, alert, sizeof(alert), MSG_DONTWAIT | MSG_NOSIGNAL);
    shutdown(fd, SHUT_WR);
}

/*
 * An unfinished handshake leaves to make room for a newer one, or at its
 * deadline. While the server has sent nothing yet (the ClientHello is not
 * complete) the client gets the busy alert; later only the close (a plaintext
 * alert would be garbage among encrypted records, and OpenSSL sends no alert of
 * our choosing mid-handshake).
 */
static void conn_drop_handshake(struct conn *conn, enum refusal_kind kind, const char *detail)
{
    refusal_log_note(conn->io->server->refusals, kind, conn->peer, detail);
    BIO *wire = SSL_get_wbio(conn->ssl);
    if (wire != NULL && BIO_number_written(wire) == 0)
        conn_send_busy_alert(bufferevent_getfd(conn->bev));
    conn_release(conn);
}

/*
 * Makes room for a newcomer from source: when that address already has its
 * share of unfinished handshakes, its oldest one goes; otherwise, when the
 * handshake budget or max_connections is full, the oldest handshake of all.
 * A slot held by a finished handshake is never taken back.
 */
static void conn_make_room(struct io_thread *io, const struct conn_address *source)
{
    const struct server_config *config = &io->server->config;
    struct conn *oldest_of_source = NULL;
    int of_source = 0;
    char detail[160];
    for (struct conn *conn = io->handshakes_oldest; conn != NULL; conn = conn->handshake_newer)
        if (conn_address_equal(&conn->address, source) && of_source++ == 0)
            oldest_of_source = conn;
    if (oldest_of_source != NULL && of_source >= config->max_handshakes_per_address) {
        snprintf(detail, sizeof(detail),
                 "unfinished handshake dropped for a newer one from the same address "
                 "(max_handshakes_per_address %d)",
                 config->max_handshakes_per_address);
        conn_drop_handshake(oldest_of_source, REFUSAL_HANDSHAKE_DROPPED, detail);
        return;
    }
    if (io->handshakes_oldest != NULL && (io->handshake_count >= config->max_handshakes ||
                                          io->connection_count >= config->max_connections)) {
        snprintf(detail, sizeof(detail),
                 "unfinished handshake dropped for a newer one (max_handshakes %d)",
                 config->max_handshakes);
        conn_drop_handshake(io->handshakes_oldest, REFUSAL_HANDSHAKE_DROPPED, detail);
    }
}

/* Refuses a new socket before any TLS work: the busy alert, then close. No slot, no state. */
static void conn_refuse(struct io_thread *io, evutil_socket_t fd, const char *peer)
{
    char detail[160];
    if (io->draining) {
        refusal_log_note(io->server->refusals, REFUSAL_SHUTTING_DOWN, peer, "shutting down");
    } else {
        snprintf(detail, sizeof(detail),
                 "refused: %d connections open on this io thread (max_connections)",
                 io->connection_count);
        refusal_log_note(io->server->refusals, REFUSAL_OVER_MAX_CONNECTIONS, peer, detail);
    }
    conn_send_busy_alert(fd);
    evutil_closesocket(fd);
}

/* The new connection's TLS stream; NULL (socket closed, logged) on failure. */
static struct conn *conn_new(struct io_thread *io, evutil_socket_t fd, const char *peer)
{
    struct conn *conn = calloc(1, sizeof(*conn));
    unsigned generation = tls_context_generation(io->server->tls); /* before: a reload in
                                                  between only costs one more check */
    SSL *ssl = tls_context_new_ssl(io->server->tls);
    if (conn == NULL || ssl == NULL) {
        log_error("cannot accept %s: out of memory", peer);
        free(conn);
        SSL_free(ssl);
        evutil_closesocket(fd);
        return NULL;
    }
    conn->io = io;
    conn->ssl = ssl;
    conn->tls_generation = generation;
    snprintf(conn->peer, sizeof(conn->peer), "%s", peer);
    conn->state = CONN_HANDSHAKE;
    conn->bev = bufferevent_openssl_socket_new(io->base, fd, ssl, BUFFEREVENT_SSL_ACCEPTING,
                                               BEV_OPT_CLOSE_ON_FREE);
    if (conn->bev == NULL) {
        log_error("cannot set up TLS for %s", peer);
        SSL_free(ssl);
        evutil_closesocket(fd);
        free(conn);
        return NULL;
    }
    bufferevent_openssl_set_allow_dirty_shutdown(conn->bev, 1);
    bufferevent_setcb(conn->bev, conn_read_cb, conn_write_cb, conn_event_cb, conn);
    bufferevent_enable(conn->bev, EV_READ | EV_WRITE);
    return conn;
}

void conn_accept(struct io_thread *io, evutil_socket_t fd, const struct sockaddr *address,
                 int address_length)
{
    const struct server_config *config = &io->server->config;
    char peer[64];
    struct conn_address source;
    conn_describe_peer(address, peer, sizeof(peer));
    conn_address_of(address, &source);
    if (!io->draining)
        conn_make_room(io, &source);
    if (io->draining || io->connection_count >= config->max_connections) {
        conn_refuse(io, fd, peer);
        return;
    }
    int nodelay = 1; /* small TLS records must not wait for delayed ACKs */
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &nodelay, sizeof(nodelay));
    struct conn *conn = conn_new(io, fd, peer);
    if (conn == NULL)
        return;
    conn->address = source;
    /* absolute: bytes arriving do not move it */
    conn->handshake_deadline_ms = conn_now_ms() + 1000LL * config->handshake_timeout_seconds;
    conn_handshake_link(conn);
    conn->next = io->connections;
    if (io->connections != NULL)
        io->connections->prev = conn;
    io->connections = conn;
    io->connection_count++;
    log_debug("accepted %s", peer);
}

/* An open connection past a deadline: a frame left unfinished, or no request for too long. */
static void conn_check_deadlines(struct conn *conn, long long now)
{
    const struct server_config *config = &conn->io->server->config;
    char message[160];
    if (conn->state == CONN_CLOSING &&
        now - conn->closing_since_ms >= 1000LL * config->frame_timeout_seconds) {
        conn_release(conn); /* the client does not read its final response */
        return;
    }
    if (conn->state != CONN_OPEN || conn->pending_message != NULL)
        return;
    if (conn->frame_deadline_ms != 0 && now >= conn->frame_deadline_ms) {
        conn->frame_deadline_ms = 0;
        snprintf(message, sizeof(message),
                 "frame not complete within %d s (frame_timeout_seconds)",
                 config->frame_timeout_seconds);
        refusal_log_note(conn->io->server->refusals, REFUSAL_FRAME_TIMEOUT, conn->peer, message);
        conn_fail_unlogged(conn, SPONA__V1__STATUS__RESOURCE_EXHAUSTED, message);
        return;
    }
    if (!conn->busy && now - conn->last_activity_ms >= 1000LL * config->idle_timeout_seconds) {
        snprintf(message, sizeof(message),
                 "connection closed after %d s without a request (idle_timeout_seconds)",
                 config->idle_timeout_seconds);
        refusal_log_note(conn->io->server->refusals, REFUSAL_IDLE, conn->peer, message);
        conn_fail_now(conn, SPONA__V1__STATUS__UNAVAILABLE, message);
    }
}

/*
 * After a TLS reload (SIGHUP): an open connection whose certificate no longer
 * verifies (revoked in the new CRL) is cut: its queued requests are dropped,
 * the one at a worker is answered, then UNAUTHENTICATED (request id 0) and the
 * connection closes. Returns 1 when cut.
 */
static int conn_recheck_peer(struct conn *conn, unsigned generation)
{
    if (conn->state != CONN_OPEN || conn->tls_generation == generation)
        return 0;
    conn->tls_generation = generation;
    char reason[128] = "", message[200];
    if (conn->pending_message != NULL ||
        tls_peer_still_valid(conn->io->server->tls, conn->ssl, reason, sizeof(reason)))
        return 0;
    snprintf(message, sizeof(message),
             "client certificate no longer valid (%s): connection closed", reason);
    log_warn("closing %s (installation '%s') after the TLS reload: %s", conn->peer,
             conn->installation.cn, message);
    conn_free_queue(conn);
    conn_fail_unlogged(conn, SPONA__V1__STATUS__UNAUTHENTICATED, message);
    return 1;
}

void conn_sweep(struct io_thread *io)
{
    long long now = conn_now_ms();
    char detail[96];
    /* the list is in arrival order and every deadline is arrival + the same timeout */
    while (io->handshakes_oldest != NULL && io->handshakes_oldest->handshake_deadline_ms <= now) {
        snprintf(detail, sizeof(detail), "handshake not finished within %d s",
                 io->server->config.handshake_timeout_seconds);
        conn_drop_handshake(io->handshakes_oldest, REFUSAL_HANDSHAKE_TIMEOUT, detail);
    }
    unsigned generation = tls_context_generation(io->server->tls);
    struct conn *next;
    for (struct conn *conn = io->connections; conn != NULL; conn = next) {
        next = conn->next; /* nothing here releases another connection */
        if (!conn_recheck_peer(conn, generation))
            conn_check_deadlines(conn, now);
    }
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
