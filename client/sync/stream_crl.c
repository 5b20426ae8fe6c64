/*
 * The `crl` stream (see stream_crl.h).
 */
#include "stream_crl.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <openssl/bio.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "log.h"
#include "sync_db.h"

int stream_crl_apply(struct sync_run *run, uint64_t seq, const uint8_t *payload, size_t length,
                     char *why, size_t why_size)
{
    Spona__V1__SyncCrl *crl = spona__v1__sync_crl__unpack(NULL, length, payload);
    if (crl == NULL || crl->number != seq) {
        snprintf(why, why_size, "the crl payload does not decode or is not CRL %" PRIu64, seq);
        spona__v1__sync_crl__free_unpacked(crl, NULL);
        return -1;
    }
    BIO *bio = BIO_new_mem_buf(crl->pem, -1);
    X509_CRL *parsed = bio != NULL ? PEM_read_bio_X509_CRL(bio, NULL, NULL, NULL) : NULL;
    BIO_free(bio);
    X509_CRL_free(parsed);
    int rc = -1;
    if (parsed == NULL) {
        snprintf(why, why_size, "CRL %" PRIu64 " is not a PEM CRL", seq);
    } else {
        char number[24];
        snprintf(number, sizeof(number), "%" PRIu64, seq);
        const char *params[] = {run->municipality, number, crl->pem};
        rc = sync_db_do(run,
                        "INSERT INTO sync_crl (municipality, number, pem)"
                        " VALUES ($1, $2::bigint, $3) ON CONFLICT (municipality) DO UPDATE"
                        " SET number = EXCLUDED.number, pem = EXCLUDED.pem, applied_at = now()"
                        " WHERE sync_crl.number < EXCLUDED.number",
                        3, params);
        if (rc != 0)
            snprintf(why, why_size, "%s", run->error);
    }
    spona__v1__sync_crl__free_unpacked(crl, NULL);
    return rc;
}

/* Whether path holds exactly text. */
static int crl_file_same(const char *path, const char *text)
{
    FILE *file = fopen(path, "r");
    if (file == NULL)
        return 0;
    size_t length = strlen(text);
    char *buffer = malloc(length + 2);
    size_t got = buffer != NULL ? fread(buffer, 1, length + 1, file) : 0;
    fclose(file);
    int same = buffer != NULL && got == length && memcmp(buffer, text, length) == 0;
    free(buffer);
    return same;
}

/* Writes text to path: a temporary file beside it, fsync, rename. 0, or -1. */
static int crl_file_write(struct sync_run *run, const char *path, const char *text)
{
    char temporary[1100];
    snprintf(temporary, sizeof(temporary), "%s.sync-tmp", path);
    int fd = open(temporary, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    size_t length = strlen(text);
    int ok = fd >= 0 && write(fd, text, length) == (ssize_t)length && fsync(fd) == 0;
    if (fd >= 0 && close(fd) != 0)
        ok = 0;
    if (ok && rename(temporary, path) != 0)
        ok = 0;
    if (!ok) {
        snprintf(run->error, sizeof(run->error), "writing %s: %s", path, strerror(errno));
        unlink(temporary);
        return -1;
    }
    return 0;
}

/* SIGHUP to the municipal server named by its pid file; a missing server is logged. */
static void crl_reload_server(const char *pid_file)
{
    FILE *file = pid_file[0] != '\0' ? fopen(pid_file, "r") : NULL;
    long pid = 0;
    if (file != NULL && fscanf(file, "%ld", &pid) != 1)
        pid = 0;
    if (file != NULL)
        fclose(file);
    if (pid > 1 && kill((pid_t)pid, SIGHUP) == 0)
        log_info("the municipal server (pid %ld) was told to reload its CRL", pid);
    else if (pid_file[0] != '\0')
        log_warn("the municipal server was not told to reload: no running server in %s",
                 pid_file);
}

int stream_crl_after(struct sync_run *run)
{
    if (run->config->crl_file[0] == '\0')
        return 0;
    const char *params[] = {run->municipality};
    PGresult *result = sync_db_exec(run, "SELECT pem, number FROM sync_crl WHERE municipality = $1",
                                    1, params);
    if (result == NULL)
        return -1;
    int rc = 0;
    if (PQntuples(result) == 1 && !crl_file_same(run->config->crl_file, PQgetvalue(result, 0, 0))) {
        rc = crl_file_write(run, run->config->crl_file, PQgetvalue(result, 0, 0));
        if (rc == 0) {
            log_info("CRL %s written to %s", PQgetvalue(result, 0, 1), run->config->crl_file);
            crl_reload_server(run->config->server_pid_file);
        }
    }
    PQclear(result);
    return rc;
}
