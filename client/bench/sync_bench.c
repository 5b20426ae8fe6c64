/*
 * spona-sync-bench (docs/performance.md, "The nightly sync at the region"): many
 * simulated municipalities syncing against one regional server on this machine. The
 * setup (not timed) registers N municipalities and issues each a sync certificate from
 * a CSR made here, as a regional administrator. The night (timed): THREADS workers take
 * the municipalities in turn; each connects with its sync certificate, says SyncHello,
 * pulls the CRLs and pushes its night's audit_heads (LINKS links of a synthetic chain,
 * BATCH_LINKS per batch, signed as spona-sync signs) and a sync_status batch. This is
 * the region's side of a night: the municipal databases are not involved.
 *
 * usage: spona-sync-bench --region HOST:PORT --ca FILE --cert FILE --key FILE --user U
 *          --password P --dir DIR [--prefix p] [--municipalities 288] [--links 1000]
 *          [--batch-links 150] [--threads 8]
 * Each run needs a fresh --prefix with its own first letter (codes and short codes are
 * unique at the region).
 */
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/sha.h>
#include <openssl/x509.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench_util.h"
#include "spona_client.h"
#include "sync_sign.h"

static const char *program = "spona-sync-bench";

struct bench {
    char host[256], port[16];
    const char *ca, *cert, *key, *user, *password, *dir, *prefix;
    long municipalities, links, batch_links, threads;
    long next; /* the next municipality a worker takes */
    pthread_mutex_t lock;
    double *seconds; /* per municipality */
    long failures, batches;
};

static int bench_ok(spona_response *response, const char *what)
{
    int ok = response != NULL && response->status == SPONA__V1__STATUS__OK;
    if (!ok)
        fprintf(stderr, "%s: %s: %s\n", program, what,
                response != NULL ? response->message : "no answer");
    envelope_free_response(response);
    return ok;
}

static spona_response *bench_call(struct spona_client *client, spona_request *request)
{
    char err[256];
    spona_response *response = spona_client_call(client, request, err, sizeof(err));
    if (response == NULL)
        fprintf(stderr, "%s: %s\n", program, err);
    return response;
}

/* A P-256 key (written to path) and a CSR of it, PEM (caller frees). */
static char *bench_csr(const char *key_path)
{
    EVP_PKEY *key = EVP_EC_gen("P-256");
    X509_REQ *req = X509_REQ_new();
    X509_NAME *name = X509_NAME_new();
    FILE *file = fopen(key_path, "w");
    char *pem = NULL;
    if (key != NULL && req != NULL && name != NULL && file != NULL &&
        PEM_write_PrivateKey(file, key, NULL, NULL, 0, NULL, NULL) == 1 &&
        X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC, (const unsigned char *)"bench", -1,
                                   -1, 0) == 1 &&
        X509_REQ_set_subject_name(req, name) == 1 && X509_REQ_set_pubkey(req, key) == 1 &&
        X509_REQ_sign(req, key, EVP_sha256()) > 0) {
        BIO *out = BIO_new(BIO_s_mem());
        char *data;
        if (out != NULL && PEM_write_bio_X509_REQ(out, req) == 1) {
            long size = BIO_get_mem_data(out, &data);
            pem = calloc(1, (size_t)size + 1);
            if (pem != NULL)
                memcpy(pem, data, (size_t)size);
        }
        BIO_free(out);
    }
    if (file != NULL)
        fclose(file);
    X509_NAME_free(name);
    X509_REQ_free(req);
    EVP_PKEY_free(key);
    return pem;
}

/* Registers municipality i and writes its sync certificate and key under dir. */
static int bench_register(struct bench *b, struct spona_client *admin, long i)
{
    char code[64], short_code[8], path[1200];
    snprintf(code, sizeof(code), "%s%04ld", b->prefix, i);
    /* 4 capitals: the prefix's first letter, then i (so each prefix needs its own letter) */
    snprintf(short_code, sizeof(short_code), "%c%c%c%c",
             'A' + (b->prefix[0] | 0x20) % 26, 'A' + (int)(i / 676 % 26),
             'A' + (int)(i / 26 % 26), 'A' + (int)(i % 26));
    Spona__V1__RegionMunicipalityAddRequest add = SPONA__V1__REGION_MUNICIPALITY_ADD_REQUEST__INIT;
    add.code = code;
    add.short_code = short_code;
    add.name = code;
    add.address = "127.0.0.1:7443";
    spona_request request = SPONA__V1__REQUEST__INIT;
    request.body_case = SPONA__V1__REQUEST__BODY_REGION_MUNICIPALITY_ADD;
    request.region_municipality_add = &add;
    if (!bench_ok(bench_call(admin, &request), "municipality add"))
        return -1;
    snprintf(path, sizeof(path), "%s/%s.key", b->dir, code);
    char *csr = bench_csr(path);
    if (csr == NULL)
        return -1;
    Spona__V1__RegionCertIssueRequest issue = SPONA__V1__REGION_CERT_ISSUE_REQUEST__INIT;
    issue.municipality_code = code;
    issue.institution_code = "";
    issue.purpose = "sync";
    issue.csr_pem = (ProtobufCBinaryData){strlen(csr), (uint8_t *)csr};
    request.body_case = SPONA__V1__REQUEST__BODY_REGION_CERT_ISSUE;
    request.region_cert_issue = &issue;
    spona_response *issued = bench_call(admin, &request);
    free(csr);
    int ok = issued != NULL && issued->status == SPONA__V1__STATUS__OK;
    if (ok) {
        snprintf(path, sizeof(path), "%s/%s.crt", b->dir, code);
        FILE *file = fopen(path, "w");
        ok = file != NULL && fputs(issued->region_cert_issue->pem, file) >= 0;
        if (file != NULL && fclose(file) != 0)
            ok = 0;
        char serial_path[1200];
        snprintf(serial_path, sizeof(serial_path), "%s/%s.serial", b->dir, code);
        file = ok ? fopen(serial_path, "w") : NULL;
        ok = file != NULL && fputs(issued->region_cert_issue->serial, file) >= 0;
        if (file != NULL && fclose(file) != 0)
            ok = 0;
    }
    if (!ok)
        fprintf(stderr, "%s: cert issue for %s failed\n", program, code);
    envelope_free_response(issued);
    return ok ? 0 : -1;
}

/* Pushes one signed batch; 0, or -1. */
static int bench_push(struct spona_client *client, EVP_PKEY *key, const char *serial,
                      const char *stream, const char *code, uint64_t seq, uint8_t *payload,
                      size_t length)
{
    uint8_t sha[32], *signature = NULL;
    size_t signature_length = 0;
    SHA256(payload, length, sha);
    if (sync_sign(key, stream, code, seq, sha, &signature, &signature_length) != 0)
        return -1;
    Spona__V1__SyncBatch batch = SPONA__V1__SYNC_BATCH__INIT;
    batch.stream = (char *)(uintptr_t)stream;
    batch.municipality = (char *)(uintptr_t)code;
    batch.seq = seq;
    batch.payload = (ProtobufCBinaryData){length, payload};
    batch.payload_sha256 = (ProtobufCBinaryData){32, sha};
    batch.signer_serial = (char *)(uintptr_t)serial;
    batch.signature = (ProtobufCBinaryData){signature_length, signature};
    Spona__V1__SyncPushRequest push = SPONA__V1__SYNC_PUSH_REQUEST__INIT;
    push.batch = &batch;
    spona_request request = SPONA__V1__REQUEST__INIT;
    request.body_case = SPONA__V1__REQUEST__BODY_SYNC_PUSH;
    request.sync_push = &push;
    int ok = bench_ok(bench_call(client, &request), stream);
    free(signature);
    return ok ? 0 : -1;
}

/* The night's audit_heads of one municipality: links of lane 0 of a synthetic chain,
 * batch_links per batch; the batches pushed into *batches. 0, or -1. */
static int bench_heads(struct bench *b, struct spona_client *client, EVP_PKEY *key,
                       const char *serial, const char *code, long *batches)
{
    long per = b->batch_links;
    Spona__V1__SyncAuditLink *links = calloc((size_t)per, sizeof(*links));
    Spona__V1__SyncAuditLink **pointers = calloc((size_t)per, sizeof(*pointers));
    uint8_t *hashes = calloc((size_t)per + 1, 32);
    int rc = links != NULL && pointers != NULL && hashes != NULL ? 0 : -1;
    uint64_t seq = 0;
    for (long done = 0; rc == 0 && done < b->links; done += per) {
        long n = b->links - done < per ? b->links - done : per;
        memcpy(hashes, hashes + 32 * per, 32); /* the last batch's head (zeros at first) */
        for (long j = 0; j < n; j++) {
            uint8_t input[40];
            memcpy(input, hashes + 32 * j, 32);
            memcpy(input + 32, &j, 8);
            SHA256(input, sizeof(input), hashes + 32 * (j + 1));
            spona__v1__sync_audit_link__init(&links[j]);
            links[j].seq = (uint64_t)(done + j + 1);
            links[j].prev_hash = (ProtobufCBinaryData){32, hashes + 32 * j};
            links[j].hash = (ProtobufCBinaryData){32, hashes + 32 * (j + 1)};
            pointers[j] = &links[j];
        }
        if (n < per)
            memcpy(hashes + 32 * per, hashes + 32 * n, 32);
        Spona__V1__SyncAuditLane lane = SPONA__V1__SYNC_AUDIT_LANE__INIT;
        lane.lane = "0";
        lane.count = (uint64_t)(done + n);
        lane.head_hash = (ProtobufCBinaryData){32, hashes + 32 * n};
        lane.n_links = (size_t)n;
        lane.links = pointers;
        Spona__V1__SyncAuditLane *lanes[] = {&lane};
        Spona__V1__SyncAuditHeads heads = SPONA__V1__SYNC_AUDIT_HEADS__INIT;
        heads.n_lanes = 1;
        heads.lanes = lanes;
        size_t length = spona__v1__sync_audit_heads__get_packed_size(&heads);
        uint8_t *payload = malloc(length + 1);
        if (payload == NULL)
            rc = -1;
        else
            spona__v1__sync_audit_heads__pack(&heads, payload);
        if (rc == 0)
            rc = bench_push(client, key, serial, "audit_heads", code, ++seq, payload, length);
        free(payload);
        (*batches)++;
    }
    free(links);
    free(pointers);
    free(hashes);
    return rc;
}

/* Hello, the CRLs, the night's heads, a sync_status: one municipality's night. */
static int bench_night(struct bench *b, long i, long *batches)
{
    char code[64], crt[1200], key_path[1200], serial_path[1200], serial[80] = "";
    snprintf(code, sizeof(code), "%s%04ld", b->prefix, i);
    snprintf(crt, sizeof(crt), "%s/%s.crt", b->dir, code);
    snprintf(key_path, sizeof(key_path), "%s/%s.key", b->dir, code);
    snprintf(serial_path, sizeof(serial_path), "%s/%s.serial", b->dir, code);
    FILE *file = fopen(serial_path, "r");
    if (file == NULL || fscanf(file, "%79s", serial) != 1) {
        if (file != NULL)
            fclose(file);
        return -1;
    }
    fclose(file);
    file = fopen(key_path, "r");
    EVP_PKEY *key = file != NULL ? PEM_read_PrivateKey(file, NULL, NULL, NULL) : NULL;
    if (file != NULL)
        fclose(file);
    struct spona_client_options options = {.host = b->host, .port = b->port, .ca_file = b->ca,
                                           .cert_file = crt, .key_file = key_path,
                                           .max_frame_bytes = 16u << 20};
    char err[256];
    struct spona_client *client = key != NULL ? spona_client_connect(&options, err, sizeof(err))
                                              : NULL;
    Spona__V1__SyncHelloRequest hello = SPONA__V1__SYNC_HELLO_REQUEST__INIT;
    spona_request request = SPONA__V1__REQUEST__INIT;
    request.body_case = SPONA__V1__REQUEST__BODY_SYNC_HELLO;
    request.sync_hello = &hello;
    int rc = client != NULL && bench_ok(bench_call(client, &request), "hello") ? 0 : -1;
    Spona__V1__SyncPullRequest pull = SPONA__V1__SYNC_PULL_REQUEST__INIT;
    pull.stream = "crl";
    request.body_case = SPONA__V1__REQUEST__BODY_SYNC_PULL;
    request.sync_pull = &pull;
    spona_response *pulled = rc == 0 ? bench_call(client, &request) : NULL;
    if (rc == 0 && (pulled == NULL || pulled->status != SPONA__V1__STATUS__OK))
        rc = -1;
    envelope_free_response(pulled);
    if (rc == 0)
        rc = bench_heads(b, client, key, serial, code, batches);
    Spona__V1__SyncStatus status = SPONA__V1__SYNC_STATUS__INIT;
    uint8_t packed[64];
    size_t length = spona__v1__sync_status__pack(&status, packed);
    if (rc == 0)
        rc = bench_push(client, key, serial, "sync_status", code, 1, packed, length);
    (*batches)++;
    spona_client_close(client);
    EVP_PKEY_free(key);
    return rc;
}

static void *bench_worker(void *argument)
{
    struct bench *b = argument;
    for (;;) {
        pthread_mutex_lock(&b->lock);
        long i = b->next < b->municipalities ? b->next++ : -1;
        pthread_mutex_unlock(&b->lock);
        if (i < 0)
            return NULL;
        long batches = 0;
        double start = bench_now_seconds();
        int rc = bench_night(b, i, &batches);
        double took = bench_now_seconds() - start;
        pthread_mutex_lock(&b->lock);
        b->seconds[i] = took;
        b->batches += batches;
        b->failures += rc != 0;
        pthread_mutex_unlock(&b->lock);
    }
}

static int bench_args(struct bench *b, int argc, char **argv)
{
    const char *region = NULL;
    b->prefix = "bench";
    b->municipalities = 288;
    b->links = 1000;
    b->batch_links = 150;
    b->threads = 8;
    for (int i = 1; i + 1 < argc; i += 2) {
        const char *flag = argv[i], *arg = argv[i + 1];
        if (strcmp(flag, "--region") == 0) region = arg;
        else if (strcmp(flag, "--ca") == 0) b->ca = arg;
        else if (strcmp(flag, "--cert") == 0) b->cert = arg;
        else if (strcmp(flag, "--key") == 0) b->key = arg;
        else if (strcmp(flag, "--user") == 0) b->user = arg;
        else if (strcmp(flag, "--password") == 0) b->password = arg;
        else if (strcmp(flag, "--dir") == 0) b->dir = arg;
        else if (strcmp(flag, "--prefix") == 0) b->prefix = arg;
        else if (strcmp(flag, "--municipalities") == 0)
            b->municipalities = bench_parse_long(program, arg, 1, 17576, "--municipalities");
        else if (strcmp(flag, "--links") == 0)
            b->links = bench_parse_long(program, arg, 0, 10000000, "--links");
        else if (strcmp(flag, "--batch-links") == 0)
            b->batch_links = bench_parse_long(program, arg, 1, 100000, "--batch-links");
        else if (strcmp(flag, "--threads") == 0)
            b->threads = bench_parse_long(program, arg, 1, 256, "--threads");
        else
            return -1;
    }
    if (region == NULL || b->ca == NULL || b->cert == NULL || b->key == NULL ||
        b->user == NULL || b->password == NULL || b->dir == NULL || b->municipalities < 0 ||
        b->links < 0 || b->batch_links < 0 || b->threads < 0)
        return -1;
    return bench_loopback_server(program, region, b->host, sizeof(b->host), b->port,
                                 sizeof(b->port));
}

int main(int argc, char **argv)
{
    struct bench b = {0};
    if (bench_args(&b, argc, argv) != 0) {
        fprintf(stderr, "usage: %s --region HOST:PORT --ca FILE --cert FILE --key FILE --user U"
                " --password P --dir DIR [--prefix p] [--municipalities 288] [--links 1000]"
                " [--batch-links 150] [--threads 8]\n", program);
        return 2;
    }
    pthread_mutex_init(&b.lock, NULL);
    b.seconds = calloc((size_t)b.municipalities, sizeof(double));
    struct spona_client *admin = bench_connect_login(program, b.host, b.port, b.ca, b.cert,
                                                     b.key, b.user, b.password);
    double start = bench_now_seconds();
    for (long i = 0; admin != NULL && i < b.municipalities; i++)
        if (bench_register(&b, admin, i) != 0)
            return 1;
    spona_client_close(admin);
    if (admin == NULL || b.seconds == NULL)
        return 1;
    printf("setup: %ld municipalities registered, sync certificates issued in %.1f s\n",
           b.municipalities, bench_now_seconds() - start);
    pthread_t threads[256];
    start = bench_now_seconds();
    for (long t = 0; t < b.threads; t++)
        pthread_create(&threads[t], NULL, bench_worker, &b);
    for (long t = 0; t < b.threads; t++)
        pthread_join(threads[t], NULL);
    double wall = bench_now_seconds() - start;
    qsort(b.seconds, (size_t)b.municipalities, sizeof(double), bench_compare_latency);
    printf("night: %ld municipalities x %ld links (%ld per batch), %ld threads: %.2f s wall, "
           "%ld batches (%.0f/s), %.0f links/s; per municipality p50 %.3f s, p95 %.3f s, "
           "max %.3f s; %ld failed\n",
           b.municipalities, b.links, b.batch_links, b.threads, wall, b.batches,
           (double)b.batches / wall, (double)(b.municipalities * b.links) / wall,
           bench_nearest_rank(b.seconds, b.municipalities, 0.5),
           bench_nearest_rank(b.seconds, b.municipalities, 0.95),
           b.seconds[b.municipalities - 1], b.failures);
    free(b.seconds);
    return b.failures == 0 ? 0 : 1;
}
