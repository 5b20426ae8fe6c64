/*
 * Sessions and identity: ping, identification of a connection's installation
 * from its certificate, login, resume, whoami, logout, and the session check
 * that dispatch runs before every request that needs a session.
 *
 * Login failures all look the same to the client (unknown user, wrong
 * password, other institution, disabled, locked) and take the same time; the
 * log says which it was, without the password. A login first passes the rate
 * limits (login_limit.h) and takes a place on the hashing pool (hash_pool.h),
 * refused at once when there is none; its scrypt runs there, between two steps
 * on a database worker, so no worker waits for a hash (docs/security.md).
 *
 * A session is bound to the certificate that logged in (its SHA-256): resume
 * needs that very certificate. A login beyond auth.max_sessions_per_user ends
 * the user's oldest sessions; sql/024 ends them when their reason ends.
 */
#include <openssl/evp.h>
#include <openssl/rand.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "handlers.h"
#include "hash_pool.h"
#include "log.h"
#include "login_limit.h"
#include "password.h"
#include "region_sync.h"
#include "statements.h"

#define MAX_USERNAME 128
#define MAX_PASSWORD 1024
#define MAX_PING_PAYLOAD 1024
#define TOKEN_BYTES 32
#define LOGIN_REFUSALS_LOGGED_EVERY 1000 /* a run of rate-limit refusals: its 1st, 1000th, ... */

static const char login_failed_message[] =
    "login failed: wrong username or password, or the account is temporarily locked";

const struct db_statement session_statements[] = {
    {"identify_institution",
     "SELECT id, municipality_id, role, enabled FROM institutions WHERE code = $1"},
    /* the stored hash stays in the database: its parameters and salt come out (sql/017) */
    {"login_lookup",
     "SELECT user_id, hash_settings, usable, locked FROM spona_login_lookup($1, $2)"},
    {"login_verify", "SELECT spona_login_verify($1, $2)"},
    /* an attempt is counted before its password is checked, atomically: at most
     * max_failed_logins checks run against an account at once, however many arrive */
    {"login_claim",
     "UPDATE users SET failed_logins = failed_logins + 1"
     " WHERE id = $1 AND failed_logins < $2::int"
     "   AND (locked_until IS NULL OR locked_until <= now())"
     " RETURNING failed_logins"},
    /* a wrong password that used the last attempt locks the account */
    {"login_failed",
     "UPDATE users SET failed_logins = 0,"
     "  locked_until = now() + make_interval(secs => $3::int)"
     " WHERE id = $1 AND failed_logins >= $2::int RETURNING true"},
    {"login_succeeded", "UPDATE users SET failed_logins = 0, locked_until = NULL WHERE id = $1"},
    /* sessions are under row-level security (sql/034): each statement is a function that
     * acts with the identity given ($1 municipality, $2 institution, $3 user) */
    {"session_create",
     "SELECT spona_session_start($1, $2, $3, $4, $5, $6, $7)"},
    /* the user's open sessions beyond the newest $4 end */
    {"session_cap", "SELECT id FROM spona_session_cap($1, $2, $3, $4::int) id"},
    /* why a session the gate refused is over: its end reason, or none (expired) */
    {"session_end_reason", "SELECT spona_session_end_reason($1, $2, $3, $4)"},
    /* a row when the session $4 is alive (and now touched) */
    {"session_touch", "SELECT true WHERE spona_session_touch($1, $2, $3, $4, $5::int, $6::int)"},
    /* by the token's digest $3, before the user is known */
    {"session_resume",
     "SELECT session_id, user_id FROM spona_session_resume($1, $2, $3, $4, $5::int, $6::int)"},
    {"session_end", "SELECT spona_session_end($1, $2, $3, $4, $5)"},
    {"whoami",
     "SELECT u.id, u.username, u.full_name, i.id, i.code, i.name, i.role, m.id, m.code, m.name"
     "  FROM users u JOIN institutions i ON i.id = u.institution_id"
     "  JOIN municipalities m ON m.id = i.municipality_id WHERE u.id = $1"},
    {NULL, NULL},
};


spona_status handle_ping(struct request_context *ctx, const spona_request *request,
                         spona_response *response)
{
    const Spona__V1__PingRequest *ping = request->ping;
    if (ping->payload.len > MAX_PING_PAYLOAD) {
        snprintf(ctx->message, sizeof(ctx->message), "ping payload of %zu bytes exceeds %d",
                 ping->payload.len, MAX_PING_PAYLOAD);
        return SPONA__V1__STATUS__INVALID_ARGUMENT;
    }
    Spona__V1__PingResponse *pong = malloc(sizeof(*pong));
    if (pong == NULL)
        return SPONA__V1__STATUS__INTERNAL;
    spona__v1__ping_response__init(pong);
    response->body_case = SPONA__V1__RESPONSE__BODY_PING;
    response->ping = pong;
    if (ping->payload.len > 0) {
        pong->payload.data = malloc(ping->payload.len);
        if (pong->payload.data == NULL)
            return SPONA__V1__STATUS__INTERNAL;
        memcpy(pong->payload.data, ping->payload.data, ping->payload.len);
        pong->payload.len = ping->payload.len;
    }
    struct timespec now;
    clock_gettime(CLOCK_REALTIME, &now);
    pong->server_time_unix_ms = (uint64_t)now.tv_sec * 1000u + (uint64_t)now.tv_nsec / 1000000u;
    pong->server_version = strdup(SPONA_VERSION);
    pong->protocol_version = SPONA_PROTOCOL_VERSION;
    return pong->server_version ? SPONA__V1__STATUS__OK : SPONA__V1__STATUS__INTERNAL;
}

spona_status handle_identify(struct request_context *ctx, const spona_request *request,
                             spona_response *response)
{
    struct installation *installation = &ctx->job->installation;
    const char *params[] = {installation->cn};
    spona_status status;
    PGresult *result = request_query(ctx, "identify_institution", 1, params, &status);
    if (result == NULL)
        return status;
    if (PQntuples(result) == 0 && ctx->config->mode == SERVER_MODE_REGIONAL) {
        PQclear(result); /* a municipality's sync identity, by its fingerprint */
        return region_sync_identify(ctx);
    }
    if (PQntuples(result) != 1 || strcmp(PQgetvalue(result, 0, 3), "t") != 0) {
        log_warn("refused %s: installation '%s' is %s", ctx->job->peer, installation->cn,
                 PQntuples(result) == 1 ? "a disabled institution" : "not registered");
        if (PQntuples(result) == 1) /* its own institution may know: the certificate is ours */
            snprintf(ctx->message, sizeof(ctx->message),
                     "installation '%s' belongs to a disabled institution", installation->cn);
        else
            snprintf(ctx->message, sizeof(ctx->message),
                     "installation '%s' is not a registered institution", installation->cn);
        PQclear(result);
        return SPONA__V1__STATUS__UNAUTHENTICATED;
    }
    db_copy(result, 0, 0, installation->institution_id, sizeof(installation->institution_id));
    db_copy(result, 0, 1, installation->municipality_id,
            sizeof(installation->municipality_id));
    db_copy(result, 0, 2, installation->role, sizeof(installation->role));
    installation->identified = 1;
    PQclear(result);
    log_info("%s identified as installation '%s'", ctx->job->peer, installation->cn);
    return SPONA__V1__STATUS__OK;
}

/* Fresh identity of the job's session user; NULL with a status on failure. Caller frees. */
static Spona__V1__WhoAmIResponse *build_identity(struct request_context *ctx,
                                                 spona_status *status)
{
    const char *params[] = {ctx->job->session.user_id};
    PGresult *result = request_query(ctx, "whoami", 1, params, status);
    if (result == NULL)
        return NULL;
    if (PQntuples(result) != 1) {
        PQclear(result);
        snprintf(ctx->message, sizeof(ctx->message), "session user no longer exists");
        *status = SPONA__V1__STATUS__UNAUTHENTICATED;
        return NULL;
    }
    Spona__V1__WhoAmIResponse *who = malloc(sizeof(*who));
    if (who == NULL) {
        PQclear(result);
        *status = SPONA__V1__STATUS__INTERNAL;
        return NULL;
    }
    spona__v1__who_am_iresponse__init(who);
    char **fields[] = {&who->user_id,          &who->username,         &who->full_name,
                       &who->institution_id,   &who->institution_code, &who->institution_name,
                       &who->institution_role, &who->municipality_id,  &who->municipality_code,
                       &who->municipality_name};
    int failed = 0;
    for (int i = 0; i < (int)(sizeof(fields) / sizeof(fields[0])); i++) {
        *fields[i] = strdup(PQgetvalue(result, 0, i));
        failed |= *fields[i] == NULL;
    }
    PQclear(result);
    who->installation = strdup(ctx->job->installation.cn);
    who->session_id = strdup(ctx->job->session.session_id);
    if (failed || who->installation == NULL || who->session_id == NULL) {
        spona__v1__who_am_iresponse__free_unpacked(who, NULL);
        *status = SPONA__V1__STATUS__INTERNAL;
        return NULL;
    }
    *status = SPONA__V1__STATUS__OK;
    return who;
}

/* A random session token (base64url, no padding) and the hex SHA-256 stored for it. */
static int make_token(char token[64], char digest_hex[65])
{
    unsigned char random[TOKEN_BYTES], digest[32];
    unsigned char encoded[((TOKEN_BYTES + 2) / 3) * 4 + 1];
    if (RAND_bytes(random, sizeof(random)) != 1)
        return -1;
    int length = EVP_EncodeBlock(encoded, random, sizeof(random));
    while (length > 0 && encoded[length - 1] == '=')
        length--;
    for (int i = 0; i < length; i++)
        token[i] = encoded[i] == '+' ? '-' : encoded[i] == '/' ? '_' : (char)encoded[i];
    token[length] = '\0';
    unsigned int digest_length = 0;
    if (EVP_Digest(token, (size_t)length, digest, &digest_length, EVP_sha256(), NULL) != 1)
        return -1;
    for (unsigned int i = 0; i < digest_length; i++)
        snprintf(digest_hex + 2 * i, 3, "%02x", digest[i]);
    return 0;
}

/* The hex SHA-256 of length bytes at data; 0 or -1. */
static int sha256_hex(const void *data, size_t length, char digest_hex[65])
{
    unsigned char digest[32];
    unsigned int digest_length = 0;
    if (EVP_Digest(data, length, digest, &digest_length, EVP_sha256(), NULL) != 1)
        return -1;
    for (unsigned int i = 0; i < digest_length; i++)
        snprintf(digest_hex + 2 * i, 3, "%02x", digest[i]);
    return 0;
}

static int token_digest(const char *token, char digest_hex[65])
{
    return sha256_hex(token, strlen(token), digest_hex);
}

/* The fingerprint a session is bound to: SHA-256 of the connection's certificate (DER). */
static int certificate_digest(const struct installation *installation, char digest_hex[65])
{
    if (installation->certificate_length == 0)
        return -1;
    return sha256_hex(installation->certificate, installation->certificate_length, digest_hex);
}

/*
 * A login between its two steps on a worker: the first counts the attempt
 * (rate limits, then login_claim) and finds what to hash; the hashing pool
 * runs scrypt (login_pending_run); the second lets the database compare and
 * starts the session. An unknown user, a disabled or locked account costs the
 * same scrypt on the pool as a real check, so the answer takes the same time.
 */
enum login_pending_kind {
    LOGIN_PENDING_UNKNOWN, /* no such user at the institution */
    LOGIN_PENDING_REFUSED, /* disabled or locked: not counted, not checked */
    LOGIN_PENDING_CHECK,   /* counted: the password is checked */
};

struct login_pending {
    struct job_deferred base; /* first: job->deferred points here */
    enum login_pending_kind kind;
    const char *password; /* the request's, which the job keeps */
    int log2_n;           /* the cost of the stand-in hash */
    int hashed;           /* candidate holds the password's hash under settings */
    char user_id[UUID_TEXT];
    char settings[PASSWORD_HASH_MAX];
    char candidate[PASSWORD_HASH_MAX];
};

/* On a hashing thread: the password's hash under the user's settings, or a stand-in. */
static void login_pending_run(struct job_deferred *self)
{
    struct login_pending *pending = (struct login_pending *)(void *)self;
    if (pending->kind == LOGIN_PENDING_CHECK)
        pending->hashed =
            password_hash_with(pending->password, pending->settings, pending->candidate) == 0;
    if (!pending->hashed)
        password_verify_dummy(pending->password, pending->log2_n);
}

static void login_pending_free(struct login_pending *pending)
{
    OPENSSL_cleanse(pending, sizeof(*pending));
    free(pending);
}

/*
 * Counts the attempt before the password is checked (login_claim): 1 counted, 0 the
 * account is locked or as many attempts as it may fail are already counted, -1 error.
 */
static int login_claim(struct request_context *ctx, const char *user_id, spona_status *status)
{
    char max_failed[16];
    snprintf(max_failed, sizeof(max_failed), "%d", ctx->config->max_failed_logins);
    const char *params[] = {user_id, max_failed};
    PGresult *result = request_query(ctx, "login_claim", 2, params, status);
    if (result == NULL)
        return -1;
    int claimed = PQntuples(result) == 1;
    PQclear(result);
    return claimed;
}

/* A wrong password: locks the account when it used the last attempt. */
static spona_status login_wrong_password(struct request_context *ctx, const char *user_id)
{
    const struct server_config *config = ctx->config;
    char max_failed[16], lockout[16];
    snprintf(max_failed, sizeof(max_failed), "%d", config->max_failed_logins);
    snprintf(lockout, sizeof(lockout), "%d", config->lockout_seconds);
    const char *params[] = {user_id, max_failed, lockout};
    spona_status status;
    PGresult *result = request_query(ctx, "login_failed", 3, params, &status);
    if (result == NULL)
        return status;
    int now_locked = PQntuples(result) == 1;
    PQclear(result);
    log_info("login failed for user %s from %s: wrong password%s", user_id, ctx->job->peer,
             now_locked ? "; account locked" : "");
    return SPONA__V1__STATUS__UNAUTHENTICATED;
}

/*
 * The login rate limits (login_limit.h) for the connection's address, its
 * institution and the username given. OK, or RESOURCE_EXHAUSTED saying which
 * limit and when to try again (never the username: client bytes are not echoed).
 */
static spona_status login_rate_check(struct request_context *ctx, const char *username)
{
    static const char *const limited[] = {"", "from this address", "at this institution",
                                          "for this username"};
    struct job *job = ctx->job;
    if (job->login_limit == NULL)
        return SPONA__V1__STATUS__OK;
    char address[64];
    login_limit_address(job->peer, address, sizeof(address));
    int retry = 0;
    long refused = 0;
    enum login_limit_scope scope = login_limit_take(
        job->login_limit, address, job->installation.institution_id, username, &retry, &refused);
    if (scope == LOGIN_LIMIT_OK)
        return SPONA__V1__STATUS__OK;
    if (refused == 1 || refused % LOGIN_REFUSALS_LOGGED_EVERY == 0) /* not a line each */
        log_warn("login refused from %s (installation '%s'): too many attempts %s "
                 "(%ld refused in a row by this limit)",
                 job->peer, job->installation.cn, limited[scope], refused);
    snprintf(ctx->message, sizeof(ctx->message),
             "too many login attempts %s: try again in %d seconds", limited[scope], retry);
    return SPONA__V1__STATUS__RESOURCE_EXHAUSTED;
}

/*
 * The first step's database work: finds the user, counts the attempt, and
 * says what the pool hashes. OK (pending filled in) or an error status.
 */
static spona_status login_prepare(struct request_context *ctx, const char *username,
                                  struct login_pending *pending)
{
    struct job *job = ctx->job;
    const char *lookup_params[] = {job->installation.institution_id, username};
    spona_status status = SPONA__V1__STATUS__OK;
    PGresult *user = request_query(ctx, "login_lookup", 2, lookup_params, &status);
    if (user == NULL)
        return status;
    if (PQntuples(user) != 1) {
        PQclear(user);
        pending->kind = LOGIN_PENDING_UNKNOWN;
        log_info("login failed from %s: no such user at installation '%s'", job->peer,
                 job->installation.cn);
        return SPONA__V1__STATUS__OK;
    }
    db_copy(user, 0, 0, pending->user_id, sizeof(pending->user_id));
    db_copy(user, 0, 1, pending->settings, sizeof(pending->settings));
    int enabled = strcmp(PQgetvalue(user, 0, 2), "t") == 0;
    int locked = strcmp(PQgetvalue(user, 0, 3), "t") == 0;
    PQclear(user);
    int claimed = enabled && !locked ? login_claim(ctx, pending->user_id, &status) : 0;
    if (claimed < 0)
        return status;
    pending->kind = claimed ? LOGIN_PENDING_CHECK : LOGIN_PENDING_REFUSED;
    if (!claimed)
        log_info("login refused for user %s from %s: %s", pending->user_id, job->peer,
                 !enabled ? "user or institution disabled" : "account locked");
    return SPONA__V1__STATUS__OK;
}

/*
 * The first step: rate limits, a place on the hashing pool (none left: refused
 * at once), the user and the counted attempt. OK with job->deferred set, or the
 * answer (nothing left pending).
 */
static spona_status login_begin(struct request_context *ctx,
                                const Spona__V1__LoginRequest *login)
{
    struct job *job = ctx->job;
    spona_status status = login_rate_check(ctx, login->username);
    if (status != SPONA__V1__STATUS__OK)
        return status;
    if (job->hash_pool != NULL && hash_pool_reserve(job->hash_pool) != 0) {
        log_info("login from %s refused: every password check is taken", job->peer);
        snprintf(ctx->message, sizeof(ctx->message),
                 "the server is busy checking other logins: try again in a few seconds");
        return SPONA__V1__STATUS__UNAVAILABLE;
    }
    struct login_pending *pending = calloc(1, sizeof(*pending));
    status = pending != NULL ? login_prepare(ctx, login->username, pending)
                             : SPONA__V1__STATUS__INTERNAL;
    if (status != SPONA__V1__STATUS__OK) {
        if (job->hash_pool != NULL)
            hash_pool_release(job->hash_pool);
        if (pending != NULL)
            login_pending_free(pending);
        return status;
    }
    pending->base.run = login_pending_run;
    pending->password = login->password;
    pending->log2_n = ctx->config->scrypt_log2_n;
    job->deferred = &pending->base;
    return SPONA__V1__STATUS__OK;
}

/* The second step, after the hash: the database compares. OK, UNAUTHENTICATED or an error. */
static spona_status login_conclude(struct request_context *ctx, struct login_pending *pending)
{
    if (pending->kind != LOGIN_PENDING_CHECK)
        return SPONA__V1__STATUS__UNAUTHENTICATED;
    if (!pending->hashed) {
        log_error("stored password hash of user %s is malformed", pending->user_id);
        return login_wrong_password(ctx, pending->user_id);
    }
    const char *params[] = {pending->user_id, pending->candidate};
    spona_status status;
    PGresult *result = request_query(ctx, "login_verify", 2, params, &status);
    if (result == NULL)
        return status;
    int match = PQntuples(result) == 1 && strcmp(PQgetvalue(result, 0, 0), "t") == 0;
    PQclear(result);
    if (match)
        return SPONA__V1__STATUS__OK; /* login_succeeded gives the attempt back */
    return login_wrong_password(ctx, pending->user_id);
}

/*
 * Ends the user's open sessions beyond the newest auth.max_sessions_per_user
 * (run after the new one is stored, so concurrent logins of one user still
 * leave at most that many). OK or an error status.
 */
static spona_status login_cap_sessions(struct request_context *ctx, const char *user_id)
{
    char keep[16];
    snprintf(keep, sizeof(keep), "%d", ctx->config->max_sessions_per_user);
    const struct installation *installation = &ctx->job->installation;
    const char *params[] = {installation->municipality_id, installation->institution_id,
                            user_id, keep};
    spona_status status;
    PGresult *result = request_query(ctx, "session_cap", 4, params, &status);
    if (result == NULL)
        return status;
    for (int i = 0; i < PQntuples(result); i++)
        log_info("session %s of user %s ended: more than %d sessions", PQgetvalue(result, i, 0),
                 user_id, ctx->config->max_sessions_per_user);
    PQclear(result);
    return SPONA__V1__STATUS__OK;
}

/*
 * After a good password: resets the failure count, starts a session bound to
 * the connection's certificate (token gets its token) and applies the session cap.
 */
static spona_status login_start_session(struct request_context *ctx, const char *user_id,
                                        char token[64])
{
    struct job *job = ctx->job;
    char digest[65], certificate[65];
    if (make_token(token, digest) != 0 || certificate_digest(&job->installation, certificate) != 0)
        return SPONA__V1__STATUS__INTERNAL;
    const char *reset_params[] = {user_id};
    spona_status status;
    PGresult *result = request_query(ctx, "login_succeeded", 1, reset_params, &status);
    if (result == NULL)
        return status;
    PQclear(result);
    const char *create_params[] = {job->installation.municipality_id,
                                   job->installation.institution_id, user_id,
                                   job->installation.cn, job->peer, digest, certificate};
    result = request_query(ctx, "session_create", 7, create_params, &status);
    if (result == NULL)
        return status;
    job->session.active = 1;
    db_copy(result, 0, 0, job->session.session_id, sizeof(job->session.session_id));
    snprintf(job->session.user_id, sizeof(job->session.user_id), "%s", user_id);
    PQclear(result);
    log_info("user %s logged in from %s (installation '%s', session %s)", user_id, job->peer,
             job->installation.cn, job->session.session_id);
    return login_cap_sessions(ctx, user_id);
}

/* The login's answer once its session is started: identity, session id and token. */
static spona_status login_answer(struct request_context *ctx, char token[64],
                                 spona_response *response)
{
    Spona__V1__LoginResponse *answer = malloc(sizeof(*answer));
    if (answer == NULL)
        return SPONA__V1__STATUS__INTERNAL;
    spona__v1__login_response__init(answer);
    response->body_case = SPONA__V1__RESPONSE__BODY_LOGIN;
    response->login = answer;
    spona_status status;
    answer->identity = build_identity(ctx, &status);
    if (answer->identity == NULL)
        return status;
    answer->session_id = strdup(ctx->job->session.session_id);
    answer->session_token = strdup(token);
    answer->idle_timeout_seconds = (uint64_t)ctx->config->session_idle_seconds;
    if (answer->session_id == NULL || answer->session_token == NULL)
        return SPONA__V1__STATUS__INTERNAL;
    return SPONA__V1__STATUS__OK;
}

/* The second step of a login (job->deferred hashed): check, session, answer. */
static spona_status login_finish(struct request_context *ctx, spona_response *response)
{
    struct login_pending *pending = (struct login_pending *)(void *)ctx->job->deferred;
    ctx->job->deferred = NULL;
    spona_status status = login_conclude(ctx, pending);
    char user_id[UUID_TEXT];
    snprintf(user_id, sizeof(user_id), "%s", pending->user_id);
    login_pending_free(pending);
    if (status != SPONA__V1__STATUS__OK) {
        if (status == SPONA__V1__STATUS__UNAUTHENTICATED)
            snprintf(ctx->message, sizeof(ctx->message), "%s", login_failed_message);
        return status;
    }
    char token[64];
    status = login_start_session(ctx, user_id, token);
    if (status == SPONA__V1__STATUS__OK)
        status = login_answer(ctx, token, response);
    OPENSSL_cleanse(token, sizeof(token));
    return status;
}

/*
 * Login runs in two steps on a worker with scrypt on the hashing pool between
 * them (login_begin, login_pending_run, login_finish): the pipeline answers
 * nothing while job->deferred is set, and the worker hands the job to the pool.
 * Without a pool (the job was not lent one) the hash runs here.
 */
spona_status handle_login(struct request_context *ctx, const spona_request *request,
                          spona_response *response)
{
    const Spona__V1__LoginRequest *login = request->login;
    struct job *job = ctx->job;
    if (job->deferred != NULL)
        return login_finish(ctx, response);
    if (job->session.active) {
        snprintf(ctx->message, sizeof(ctx->message),
                 "this connection already has a session: log out first");
        return SPONA__V1__STATUS__FAILED_PRECONDITION;
    }
    if (job->installation.institution_id[0] == '\0') { /* a sync identity (region_sync.c) */
        snprintf(ctx->message, sizeof(ctx->message),
                 "a sync certificate does not log in: it makes sync requests only");
        return SPONA__V1__STATUS__PERMISSION_DENIED;
    }
    if (login->username[0] == '\0' || strlen(login->username) > MAX_USERNAME ||
        strlen(login->password) > MAX_PASSWORD) {
        snprintf(ctx->message, sizeof(ctx->message),
                 "username must be 1 to %d bytes and password at most %d bytes", MAX_USERNAME,
                 MAX_PASSWORD);
        return SPONA__V1__STATUS__INVALID_ARGUMENT;
    }
    spona_status status = login_begin(ctx, login);
    if (status != SPONA__V1__STATUS__OK || job->hash_pool != NULL)
        return status; /* refused, or answered after the hashing pool */
    job->deferred->run(job->deferred);
    return login_finish(ctx, response);
}

spona_status handle_resume(struct request_context *ctx, const spona_request *request,
                           spona_response *response)
{
    struct job *job = ctx->job;
    if (job->session.active) {
        snprintf(ctx->message, sizeof(ctx->message),
                 "this connection already has a session: log out first");
        return SPONA__V1__STATUS__FAILED_PRECONDITION;
    }
    const char *token = request->resume->session_token;
    char digest[65];
    if (token[0] == '\0' || strlen(token) > 128 || token_digest(token, digest) != 0 ||
        job->installation.institution_id[0] == '\0' /* a sync identity: no sessions */) {
        snprintf(ctx->message, sizeof(ctx->message), "session expired or unknown: log in again");
        error_code_set(&ctx->error, "session_expired");
        return SPONA__V1__STATUS__UNAUTHENTICATED;
    }
    char idle[16], max_age[16], certificate[65];
    if (certificate_digest(&job->installation, certificate) != 0)
        return SPONA__V1__STATUS__INTERNAL;
    snprintf(idle, sizeof(idle), "%d", ctx->config->session_idle_seconds);
    snprintf(max_age, sizeof(max_age), "%d", ctx->config->session_max_seconds);
    const char *params[] = {job->installation.municipality_id, job->installation.institution_id,
                            digest, certificate, idle, max_age};
    spona_status status;
    PGresult *result = request_query(ctx, "session_resume", 6, params, &status);
    if (result == NULL)
        return status;
    if (PQntuples(result) != 1) {
        PQclear(result);
        log_info("resume refused from %s (installation '%s')", job->peer, job->installation.cn);
        snprintf(ctx->message, sizeof(ctx->message), "session expired or unknown: log in again");
        error_code_set(&ctx->error, "session_expired");
        return SPONA__V1__STATUS__UNAUTHENTICATED;
    }
    job->session.active = 1;
    db_copy(result, 0, 0, job->session.session_id, sizeof(job->session.session_id));
    db_copy(result, 0, 1, job->session.user_id, sizeof(job->session.user_id));
    PQclear(result);

    response->resume = build_identity(ctx, &status);
    if (response->resume == NULL)
        return status;
    response->body_case = SPONA__V1__RESPONSE__BODY_RESUME;
    return SPONA__V1__STATUS__OK;
}

spona_status handle_whoami(struct request_context *ctx, const spona_request *request,
                           spona_response *response)
{
    spona_status status;
    response->whoami = build_identity(ctx, &status);
    if (response->whoami == NULL)
        return status;
    response->body_case = SPONA__V1__RESPONSE__BODY_WHOAMI;
    return SPONA__V1__STATUS__OK;
}

spona_status handle_logout(struct request_context *ctx, const spona_request *request,
                           spona_response *response)
{
    struct job *job = ctx->job;
    const char *params[] = {job->installation.municipality_id, job->installation.institution_id,
                            job->session.user_id, job->session.session_id, "logout"};
    spona_status status;
    PGresult *result = request_query(ctx, "session_end", 5, params, &status);
    if (result == NULL)
        return status;
    PQclear(result);
    log_info("session %s ended by logout", job->session.session_id);
    memset(&job->session, 0, sizeof(job->session));

    Spona__V1__LogoutResponse *answer = malloc(sizeof(*answer));
    if (answer == NULL)
        return SPONA__V1__STATUS__INTERNAL;
    spona__v1__logout_response__init(answer);
    response->body_case = SPONA__V1__RESPONSE__BODY_LOGOUT;
    response->logout = answer;
    return SPONA__V1__STATUS__OK;
}

