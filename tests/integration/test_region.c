/*
 * Integration test of the region (docs/region.md) against a regional server on its
 * own database (tests/harness/region.sh) and a municipal server that trusts the
 * regional CA: regional administrators log in as users do; a municipality and its
 * institutions are registered; a certificate is issued from a CSR the test makes
 * with openssl (its subject ignored: the region's), used at the municipal server,
 * revoked, and after the new CRL is copied there (by hand until the sync exists)
 * and the server reloads, refused. A forged CSR, a certificate of another CA, a
 * request of a region user who is not an administrator, a municipal request at the
 * region and a regional request at the municipality are all refused; every
 * regional request is on the region's own audit chain, which verifies.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <libpq-fe.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/sha.h>
#include <openssl/x509.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "itest.h"

#define RELOAD_WAIT_MS 15000

static struct itest_server region;
static struct itest_server municipal;
static char region_dir[1024];
static char db_port[32];
static char issued_serial[80];

static char *read_all(const char *path, size_t *length)
{
    FILE *file = fopen(path, "rb");
    assert_non_null(file);
    char *text = calloc(1, 65536);
    assert_non_null(text);
    *length = fread(text, 1, 65535, file);
    fclose(file);
    return text;
}

static void write_all(const char *path, const char *text)
{
    FILE *file = fopen(path, "w");
    assert_non_null(file);
    assert_int_equal(fputs(text, file) >= 0, 1);
    assert_int_equal(fclose(file), 0);
}

static int group_setup(void **state)
{
    (void)state;
    char port_path[1024], ini[8192];
    itest_state_path("region", region_dir, sizeof(region_dir));
    itest_state_path("db/port", port_path, sizeof(port_path));
    if (itest_read_text(port_path, db_port, sizeof(db_port)) != 0)
        return -1;
    db_port[strcspn(db_port, "\n")] = '\0';
    itest_region_ini(ini, sizeof(ini), region_dir, db_port, "spona_region", "published.crl");
    if (itest_server_start_as(&region, "region", ini, "../region/pki/admin") != 0)
        return -1;
    return 0;
}

static int group_teardown(void **state)
{
    (void)state;
    itest_server_kill(&municipal);
    itest_server_kill(&region);
    return 0;
}

static spona_response *call(struct spona_client *client, spona_request *request)
{
    char err[256] = "";
    spona_response *response = spona_client_call(client, request, err, sizeof(err));
    if (response == NULL)
        fail_msg("call failed: %s", err);
    return response;
}

/* A logged-in client of the regional server ("admin" or "viewer" of region/pki). */
static struct spona_client *region_login(const char *cert, const char *username)
{
    char path[64];
    snprintf(path, sizeof(path), "../region/pki/%s", cert);
    struct spona_client *client = itest_connect_ok(&region, path);
    free(itest_login_ok(client, username));
    return client;
}

static spona_response *municipality_add(struct spona_client *client, const char *code,
                                        const char *short_code, const char *name)
{
    Spona__V1__RegionMunicipalityAddRequest add = SPONA__V1__REGION_MUNICIPALITY_ADD_REQUEST__INIT;
    add.code = (char *)(uintptr_t)code;
    add.short_code = (char *)(uintptr_t)short_code;
    add.name = (char *)(uintptr_t)name;
    add.address = "127.0.0.1:7443";
    spona_request request = SPONA__V1__REQUEST__INIT;
    request.body_case = SPONA__V1__REQUEST__BODY_REGION_MUNICIPALITY_ADD;
    request.region_municipality_add = &add;
    return call(client, &request);
}

static spona_response *institution_add(struct spona_client *client, const char *municipality,
                                       const char *code, const char *role)
{
    Spona__V1__RegionInstitutionAddRequest add = SPONA__V1__REGION_INSTITUTION_ADD_REQUEST__INIT;
    add.municipality_code = (char *)(uintptr_t)municipality;
    add.code = (char *)(uintptr_t)code;
    add.name = "Ustanova";
    add.role = (char *)(uintptr_t)role;
    add.contact = "kontakt@example.org";
    spona_request request = SPONA__V1__REQUEST__INIT;
    request.body_case = SPONA__V1__REQUEST__BODY_REGION_INSTITUTION_ADD;
    request.region_institution_add = &add;
    return call(client, &request);
}

static void expect(spona_response *response, spona_status status, const char *needle)
{
    itest_assert_status(response, response->request_id, status);
    if (needle != NULL && strstr(response->message, needle) == NULL)
        fail_msg("'%s' not in the answer '%s'", needle, response->message);
    envelope_free_response(response);
}

static void test_registry(void **state)
{
    (void)state;
    struct spona_client *admin = region_login("admin", "regina");
    spona_response *who = itest_whoami(admin);
    itest_assert_status(who, who->request_id, SPONA__V1__STATUS__OK);
    assert_string_equal(who->whoami->institution_role, "regional_admin");
    envelope_free_response(who);

    spona_response *added = municipality_add(admin, "testgrad", "TG", "Testgrad");
    itest_assert_status(added, added->request_id, SPONA__V1__STATUS__OK);
    assert_string_equal(added->region_municipality_add->code, "testgrad");
    assert_string_equal(added->region_municipality_add->status, "active");
    envelope_free_response(added);
    expect(municipality_add(admin, "testgrad", "TX", "Again"), SPONA__V1__STATUS__CONFLICT,
           "already registered");
    expect(municipality_add(admin, "Bad Code!", "BC", "Bad"), SPONA__V1__STATUS__INVALID_ARGUMENT,
           "the code must be");
    expect(municipality_add(admin, "novigrad", "n1", "Novigrad"),
           SPONA__V1__STATUS__INVALID_ARGUMENT, "short code");
    expect(municipality_add(admin, "novigrad", "NG", "Novigrad"), SPONA__V1__STATUS__OK, NULL);

    expect(institution_add(admin, "testgrad", "testgrad.zzz", "employment_service"),
           SPONA__V1__STATUS__OK, NULL);
    expect(institution_add(admin, "testgrad", "testgrad.csr", "lead_agency"),
           SPONA__V1__STATUS__OK, NULL);
    expect(institution_add(admin, "novigrad", "testgrad.zzz", "employment_service"),
           SPONA__V1__STATUS__CONFLICT, "already registered");
    expect(institution_add(admin, "nowhere", "nowhere.csr", "lead_agency"),
           SPONA__V1__STATUS__NOT_FOUND, "no municipality");
    expect(institution_add(admin, "testgrad", "testgrad.sync", "lead_agency"),
           SPONA__V1__STATUS__INVALID_ARGUMENT, ".sync");

    Spona__V1__RegionMunicipalityShowRequest show = SPONA__V1__REGION_MUNICIPALITY_SHOW_REQUEST__INIT;
    show.code = "testgrad";
    spona_request request = SPONA__V1__REQUEST__INIT;
    request.body_case = SPONA__V1__REQUEST__BODY_REGION_MUNICIPALITY_SHOW;
    request.region_municipality_show = &show;
    spona_response *shown = call(admin, &request);
    itest_assert_status(shown, shown->request_id, SPONA__V1__STATUS__OK);
    assert_string_equal(shown->region_municipality_show->municipality->short_code, "TG");
    assert_int_equal(shown->region_municipality_show->n_institutions, 2);
    envelope_free_response(shown);

    Spona__V1__RegionMunicipalityListRequest list = SPONA__V1__REGION_MUNICIPALITY_LIST_REQUEST__INIT;
    request.body_case = SPONA__V1__REQUEST__BODY_REGION_MUNICIPALITY_LIST;
    request.region_municipality_list = &list;
    spona_response *listed = call(admin, &request);
    itest_assert_status(listed, listed->request_id, SPONA__V1__STATUS__OK);
    assert_int_equal(listed->region_municipality_list->n_municipalities, 2);
    envelope_free_response(listed);
    spona_client_close(admin);
}

static void test_region_refuses_others(void **state)
{
    (void)state;
    /* a region user who is not a regional administrator */
    struct spona_client *viewer = region_login("viewer", "vid");
    Spona__V1__RegionMunicipalityListRequest list = SPONA__V1__REGION_MUNICIPALITY_LIST_REQUEST__INIT;
    spona_request request = SPONA__V1__REQUEST__INIT;
    request.body_case = SPONA__V1__REQUEST__BODY_REGION_MUNICIPALITY_LIST;
    request.region_municipality_list = &list;
    expect(call(viewer, &request), SPONA__V1__STATUS__PERMISSION_DENIED,
           "only a regional administrator");
    spona_client_close(viewer);

    /* a municipal request at the region */
    struct spona_client *admin = region_login("admin", "regina");
    Spona__V1__ProtocolShowRequest protocol = SPONA__V1__PROTOCOL_SHOW_REQUEST__INIT;
    request.body_case = SPONA__V1__REQUEST__BODY_PROTOCOL_SHOW;
    request.protocol_show = &protocol;
    expect(call(admin, &request), SPONA__V1__STATUS__PERMISSION_DENIED,
           "not served by a regional server");
    spona_client_close(admin);

    /* a certificate of the municipal test CA is not the region's */
    char detail[512];
    assert_true(itest_is_refused(&region, "csr", detail, sizeof(detail)));
}

/* openssl: a fresh key and a CSR with a subject the region must ignore. */
static void make_csr(const char *name)
{
    char key[1200], csr[1200];
    snprintf(key, sizeof(key), "%s/%s.key", region_dir, name);
    snprintf(csr, sizeof(csr), "%s/%s.csr", region_dir, name);
    const char *argv[] = {"/usr/bin/openssl", "req", "-new", "-newkey", "ec", "-pkeyopt",
                          "ec_paramgen_curve:P-256", "-nodes", "-keyout", key, "-out", csr,
                          "-subj", "/CN=i-choose-my-own-name/O=elsewhere", NULL};
    assert_int_equal(itest_run(argv), 0);
}

static spona_response *cert_issue(struct spona_client *client, const char *institution,
                                  const char *csr_pem, size_t length)
{
    Spona__V1__RegionCertIssueRequest issue = SPONA__V1__REGION_CERT_ISSUE_REQUEST__INIT;
    issue.municipality_code = "testgrad";
    issue.institution_code = (char *)(uintptr_t)institution;
    issue.purpose = "institution";
    issue.csr_pem.data = (uint8_t *)(uintptr_t)csr_pem;
    issue.csr_pem.len = length;
    spona_request request = SPONA__V1__REQUEST__INIT;
    request.body_case = SPONA__V1__REQUEST__BODY_REGION_CERT_ISSUE;
    request.region_cert_issue = &issue;
    return call(client, &request);
}

/* The CSR with another public key put in and its signature left: a forgery. */
static char *forge_csr(const char *csr_pem, size_t length)
{
    BIO *in = BIO_new_mem_buf(csr_pem, (int)length);
    X509_REQ *req = PEM_read_bio_X509_REQ(in, NULL, NULL, NULL);
    BIO_free(in);
    assert_non_null(req);
    EVP_PKEY *other = EVP_EC_gen("P-256");
    assert_non_null(other);
    assert_int_equal(X509_REQ_set_pubkey(req, other), 1);
    BIO *out = BIO_new(BIO_s_mem());
    assert_int_equal(PEM_write_bio_X509_REQ(out, req), 1);
    char *data;
    long size = BIO_get_mem_data(out, &data);
    char *forged = calloc(1, (size_t)size + 1);
    memcpy(forged, data, (size_t)size);
    BIO_free(out);
    EVP_PKEY_free(other);
    X509_REQ_free(req);
    return forged;
}

static void test_issue_from_csr(void **state)
{
    (void)state;
    struct spona_client *admin = region_login("admin", "regina");
    make_csr("zzz");
    char path[1200];
    snprintf(path, sizeof(path), "%s/zzz.csr", region_dir);
    size_t length;
    char *csr = read_all(path, &length);

    char *forged = forge_csr(csr, length);
    expect(cert_issue(admin, "testgrad.zzz", forged, strlen(forged)),
           SPONA__V1__STATUS__INVALID_ARGUMENT, "signature does not verify");
    free(forged);
    expect(cert_issue(admin, "testgrad.zzz", "not a csr", 9), SPONA__V1__STATUS__INVALID_ARGUMENT,
           "not a PEM certificate signing request");
    expect(cert_issue(admin, "testgrad.nobody", csr, length), SPONA__V1__STATUS__NOT_FOUND,
           "no institution");

    spona_response *issued = cert_issue(admin, "testgrad.zzz", csr, length);
    itest_assert_status(issued, issued->request_id, SPONA__V1__STATUS__OK);
    const Spona__V1__RegionCertificate *cert = issued->region_cert_issue;
    /* the region's subject, not the CSR's */
    assert_non_null(strstr(cert->subject, "CN=testgrad.zzz"));
    assert_null(strstr(cert->subject, "i-choose-my-own-name"));
    assert_string_equal(cert->purpose, "institution");
    assert_string_equal(cert->institution_code, "testgrad.zzz");
    assert_int_equal(strlen(cert->fingerprint_sha256), 64);
    snprintf(issued_serial, sizeof(issued_serial), "%s", cert->serial);
    snprintf(path, sizeof(path), "%s/zzz.crt", region_dir);
    write_all(path, cert->pem);
    envelope_free_response(issued);
    free(csr);

    /* openssl agrees it is the regional CA's */
    char ca[1200];
    snprintf(ca, sizeof(ca), "%s/pki/ca.crt", region_dir);
    const char *verify[] = {"/usr/bin/openssl", "verify", "-CAfile", ca, path, NULL};
    assert_int_equal(itest_run(verify), 0);
    spona_client_close(admin);
}

static void test_offline_upload(void **state)
{
    (void)state;
    struct spona_client *admin = region_login("admin", "regina");
    make_csr("offline");
    char csr[1200], crt[1200], ca[1200], ca_key[1200];
    snprintf(csr, sizeof(csr), "%s/offline.csr", region_dir);
    snprintf(crt, sizeof(crt), "%s/offline.crt", region_dir);
    snprintf(ca, sizeof(ca), "%s/pki/ca.crt", region_dir);
    snprintf(ca_key, sizeof(ca_key), "%s/pki/ca.key", region_dir);
    /* the administrator signs with openssl, with the subject the registry expects */
    const char *sign[] = {"/usr/bin/openssl", "x509", "-req", "-in", csr, "-CA", ca, "-CAkey",
                          ca_key, "-set_serial", "0x51A7", "-days", "30", "-subj",
                          "/O=testgrad/OU=institution/CN=testgrad.csr", "-out", crt, NULL};
    assert_int_equal(itest_run(sign), 0);

    Spona__V1__RegionCertUploadRequest upload = SPONA__V1__REGION_CERT_UPLOAD_REQUEST__INIT;
    upload.municipality_code = "testgrad";
    upload.institution_code = "testgrad.csr";
    upload.purpose = "institution";
    size_t length;
    char *pem = read_all(crt, &length);
    upload.certificate_pem.data = (uint8_t *)pem;
    upload.certificate_pem.len = length;
    spona_request request = SPONA__V1__REQUEST__INIT;
    request.body_case = SPONA__V1__REQUEST__BODY_REGION_CERT_UPLOAD;
    request.region_cert_upload = &upload;
    spona_response *stored = call(admin, &request);
    itest_assert_status(stored, stored->request_id, SPONA__V1__STATUS__OK);
    assert_string_equal(stored->region_cert_upload->serial, "51A7");
    envelope_free_response(stored);
    expect(call(admin, &request), SPONA__V1__STATUS__CONFLICT, "already stored");
    /* not for that institution: its CN is another's */
    upload.institution_code = "testgrad.zzz";
    expect(call(admin, &request), SPONA__V1__STATUS__INVALID_ARGUMENT, "CN");
    free(pem);

    /* a certificate of another CA (the municipal test CA) */
    char other[1200];
    itest_state_path("pki/csr.crt", other, sizeof(other));
    pem = read_all(other, &length);
    upload.institution_code = "testgrad.csr";
    upload.certificate_pem.data = (uint8_t *)pem;
    upload.certificate_pem.len = length;
    expect(call(admin, &request), SPONA__V1__STATUS__INVALID_ARGUMENT,
           "not signed by the region's CA");
    free(pem);
    spona_client_close(admin);
}

/* Publishes a CRL; copies it to path (the municipal server's crl_file). Returns its number. */
static uint64_t publish_crl(struct spona_client *admin, const char *path)
{
    Spona__V1__RegionCrlPublishRequest publish = SPONA__V1__REGION_CRL_PUBLISH_REQUEST__INIT;
    spona_request request = SPONA__V1__REQUEST__INIT;
    request.body_case = SPONA__V1__REQUEST__BODY_REGION_CRL_PUBLISH;
    request.region_crl_publish = &publish;
    spona_response *crl = call(admin, &request);
    itest_assert_status(crl, crl->request_id, SPONA__V1__STATUS__OK);
    uint64_t number = crl->region_crl_publish->number;
    write_all(path, crl->region_crl_publish->pem);
    /* the regional server wrote the same to [region] crl */
    char published[1200];
    snprintf(published, sizeof(published), "%s/published.crl", region_dir);
    size_t length;
    char *file = read_all(published, &length);
    assert_string_equal(file, crl->region_crl_publish->pem);
    free(file);
    envelope_free_response(crl);
    return number;
}

static void test_used_then_revoked_at_municipality(void **state)
{
    (void)state;
    struct spona_client *admin = region_login("admin", "regina");
    char crl_path[1200], ini[4096];
    snprintf(crl_path, sizeof(crl_path), "%s/municipal.crl", region_dir);
    uint64_t first = publish_crl(admin, crl_path);
    assert_true(first >= 1);

    /* the municipal server trusts the regional CA and reads the region's CRL */
    snprintf(ini, sizeof(ini), "[tls]\nclient_ca_file = %s/pki/ca.crt\ncrl_file = %s\n",
             region_dir, crl_path);
    assert_int_equal(itest_server_start_as(&municipal, "region-municipal", ini, "../region/zzz"),
                     0);
    struct spona_client *zzz = itest_connect_ok(&municipal, "../region/zzz");
    free(itest_login_ok(zzz, "zoran"));
    spona_response *who = itest_whoami(zzz);
    itest_assert_status(who, who->request_id, SPONA__V1__STATUS__OK);
    assert_string_equal(who->whoami->institution_code, "testgrad.zzz");
    envelope_free_response(who);

    /* a regional request at a municipality */
    Spona__V1__RegionMunicipalityListRequest list = SPONA__V1__REGION_MUNICIPALITY_LIST_REQUEST__INIT;
    spona_request request = SPONA__V1__REQUEST__INIT;
    request.body_case = SPONA__V1__REQUEST__BODY_REGION_MUNICIPALITY_LIST;
    request.region_municipality_list = &list;
    expect(call(zzz, &request), SPONA__V1__STATUS__PERMISSION_DENIED,
           "not served by a municipal server");
    spona_client_close(zzz);

    /* revoked at the region: the next CRL is published at once */
    Spona__V1__RegionCertRevokeRequest revoke = SPONA__V1__REGION_CERT_REVOKE_REQUEST__INIT;
    revoke.serial = issued_serial;
    revoke.reason = "key lost";
    request.body_case = SPONA__V1__REQUEST__BODY_REGION_CERT_REVOKE;
    request.region_cert_revoke = &revoke;
    spona_response *revoked = call(admin, &request);
    itest_assert_status(revoked, revoked->request_id, SPONA__V1__STATUS__OK);
    assert_int_equal(revoked->region_cert_revoke->crl_number, first + 1);
    assert_true(revoked->region_cert_revoke->revoked_at[0] != '\0');
    envelope_free_response(revoked);
    expect(call(admin, &request), SPONA__V1__STATUS__CONFLICT, "already revoked");
    revoke.serial = "ABCDEF";
    expect(call(admin, &request), SPONA__V1__STATUS__NOT_FOUND, "no certificate");

    /* still accepted at the municipality until it reads the new CRL */
    zzz = itest_connect_ok(&municipal, "../region/zzz");
    spona_response *pong = itest_ping(zzz, "x", 1);
    itest_assert_status(pong, pong->request_id, SPONA__V1__STATUS__OK);
    envelope_free_response(pong);
    spona_client_close(zzz);
    assert_int_equal(publish_crl(admin, crl_path), first + 2);
    assert_int_equal(kill(municipal.pid, SIGHUP), 0);
    char detail[512] = "";
    int refused = 0;
    for (int waited = 0; !refused && waited < RELOAD_WAIT_MS; waited += 200) {
        refused = itest_is_refused(&municipal, "../region/zzz", detail, sizeof(detail));
        if (!refused)
            itest_sleep_ms(200);
    }
    if (!refused)
        fail_msg("the revoked certificate is still accepted after the CRL: %s", detail);
    print_message("revoked at the region, refused at the municipality (%s)\n", detail);
    spona_client_close(admin);
    assert_int_equal(itest_server_stop(&municipal), 0);
}

/* --- the sync engine at the region (SyncHello, SyncPull, SyncPush) ------------------ */

static char sync_serial[80];

/* The canonical bytes of a batch, written here again from docs/region.md. */
static size_t canonical(const char *stream, const char *municipality, uint64_t seq,
                        const uint8_t sha[32], uint8_t *out)
{
    size_t used = 0;
    memcpy(out, "spona-sync-v1", 14);
    used = 14;
    memcpy(out + used, stream, strlen(stream) + 1);
    used += strlen(stream) + 1;
    memcpy(out + used, municipality, strlen(municipality) + 1);
    used += strlen(municipality) + 1;
    for (int i = 7; i >= 0; i--)
        out[used++] = (uint8_t)(seq >> (8 * i));
    memcpy(out + used, sha, 32);
    return used + 32;
}

/* An audit_heads payload: lane main, links first..last, hash of record n = n repeated,
 * the first link's prev_hash prev (a record number, 0: zeros). */
static void heads_payload(uint64_t first, uint64_t last, uint8_t prev, ProtobufCBinaryData *out)
{
    static uint8_t hashes[16][32];
    Spona__V1__SyncAuditLink links[16], *pointers[16];
    for (uint64_t n = first; n <= last; n++) {
        size_t k = (size_t)(n - first);
        memset(hashes[n], (int)n, 32);
        spona__v1__sync_audit_link__init(&links[k]);
        links[k].seq = n;
        links[k].hash = (ProtobufCBinaryData){32, hashes[n]};
        memset(hashes[0], 0, 32);
        links[k].prev_hash = (ProtobufCBinaryData){32, n == first ? hashes[prev] : hashes[n - 1]};
        pointers[k] = &links[k];
    }
    Spona__V1__SyncAuditLane lane = SPONA__V1__SYNC_AUDIT_LANE__INIT;
    lane.lane = "0";
    lane.count = last;
    lane.head_hash = (ProtobufCBinaryData){32, hashes[last]};
    lane.n_links = (size_t)(last - first + 1);
    lane.links = pointers;
    Spona__V1__SyncAuditLane *lanes[] = {&lane};
    Spona__V1__SyncAuditHeads heads = SPONA__V1__SYNC_AUDIT_HEADS__INIT;
    heads.n_lanes = 1;
    heads.lanes = lanes;
    out->len = spona__v1__sync_audit_heads__get_packed_size(&heads);
    out->data = malloc(out->len);
    spona__v1__sync_audit_heads__pack(&heads, out->data);
}

/* Lane 0 after record 3 (hash 3s): records 8 and 11 (a lane's seqs have gaps, sql/035),
 * 5 records in all. */
static void heads_gapped(ProtobufCBinaryData *out)
{
    static uint8_t h3[32], h8[32], h11[32];
    memset(h3, 3, 32);
    memset(h8, 8, 32);
    memset(h11, 11, 32);
    Spona__V1__SyncAuditLink links[2];
    Spona__V1__SyncAuditLink *pointers[] = {&links[0], &links[1]};
    spona__v1__sync_audit_link__init(&links[0]);
    spona__v1__sync_audit_link__init(&links[1]);
    links[0].seq = 8;
    links[0].prev_hash = (ProtobufCBinaryData){32, h3};
    links[0].hash = (ProtobufCBinaryData){32, h8};
    links[1].seq = 11;
    links[1].prev_hash = (ProtobufCBinaryData){32, h8};
    links[1].hash = (ProtobufCBinaryData){32, h11};
    Spona__V1__SyncAuditLane lane = SPONA__V1__SYNC_AUDIT_LANE__INIT;
    lane.lane = "0";
    lane.count = 5;
    lane.head_hash = (ProtobufCBinaryData){32, h11};
    lane.n_links = 2;
    lane.links = pointers;
    Spona__V1__SyncAuditLane *lanes[] = {&lane};
    Spona__V1__SyncAuditHeads heads = SPONA__V1__SYNC_AUDIT_HEADS__INIT;
    heads.n_lanes = 1;
    heads.lanes = lanes;
    out->len = spona__v1__sync_audit_heads__get_packed_size(&heads);
    out->data = malloc(out->len);
    spona__v1__sync_audit_heads__pack(&heads, out->data);
}

/* Pushes an audit_heads batch signed with region/sync.key (tamper: a flipped signature). */
static spona_response *push(struct spona_client *client, uint64_t seq, ProtobufCBinaryData payload,
                            int tamper)
{
    uint8_t sha[32], bytes[600];
    SHA256(payload.data, payload.len, sha);
    size_t length = canonical("audit_heads", "testgrad", seq, sha, bytes);
    char path[1200];
    snprintf(path, sizeof(path), "%s/sync.key", region_dir);
    FILE *file = fopen(path, "r");
    assert_non_null(file);
    EVP_PKEY *key = PEM_read_PrivateKey(file, NULL, NULL, NULL);
    fclose(file);
    assert_non_null(key);
    EVP_MD_CTX *md = EVP_MD_CTX_new();
    uint8_t signature[256];
    size_t signature_length = sizeof(signature);
    assert_int_equal(EVP_DigestSignInit(md, NULL, EVP_sha256(), NULL, key), 1);
    assert_int_equal(EVP_DigestSign(md, signature, &signature_length, bytes, length), 1);
    EVP_MD_CTX_free(md);
    EVP_PKEY_free(key);
    if (tamper)
        signature[signature_length / 2] ^= 0x01;
    Spona__V1__SyncBatch batch = SPONA__V1__SYNC_BATCH__INIT;
    batch.stream = "audit_heads";
    batch.municipality = "testgrad";
    batch.seq = seq;
    batch.payload = payload;
    batch.payload_sha256 = (ProtobufCBinaryData){32, sha};
    batch.signer_serial = sync_serial;
    batch.signature = (ProtobufCBinaryData){signature_length, signature};
    Spona__V1__SyncPushRequest request_push = SPONA__V1__SYNC_PUSH_REQUEST__INIT;
    request_push.batch = &batch;
    spona_request request = SPONA__V1__REQUEST__INIT;
    request.body_case = SPONA__V1__REQUEST__BODY_SYNC_PUSH;
    request.sync_push = &request_push;
    return call(client, &request);
}

/* A sync certificate of testgrad, issued from a CSR; connects with it. */
static struct spona_client *sync_connect(void)
{
    struct spona_client *admin = region_login("admin", "regina");
    make_csr("sync");
    char path[1200];
    snprintf(path, sizeof(path), "%s/sync.csr", region_dir);
    size_t length;
    char *csr = read_all(path, &length);
    Spona__V1__RegionCertIssueRequest issue = SPONA__V1__REGION_CERT_ISSUE_REQUEST__INIT;
    issue.municipality_code = "testgrad";
    issue.institution_code = "";
    issue.purpose = "sync";
    issue.csr_pem = (ProtobufCBinaryData){length, (uint8_t *)csr};
    spona_request request = SPONA__V1__REQUEST__INIT;
    request.body_case = SPONA__V1__REQUEST__BODY_REGION_CERT_ISSUE;
    request.region_cert_issue = &issue;
    spona_response *issued = call(admin, &request);
    itest_assert_status(issued, issued->request_id, SPONA__V1__STATUS__OK);
    assert_non_null(strstr(issued->region_cert_issue->subject, "CN=testgrad.sync"));
    snprintf(sync_serial, sizeof(sync_serial), "%s", issued->region_cert_issue->serial);
    snprintf(path, sizeof(path), "%s/sync.crt", region_dir);
    write_all(path, issued->region_cert_issue->pem);
    envelope_free_response(issued);
    free(csr);

    /* the administrator's session may not speak for a municipality */
    Spona__V1__SyncHelloRequest hello = SPONA__V1__SYNC_HELLO_REQUEST__INIT;
    request.body_case = SPONA__V1__REQUEST__BODY_SYNC_HELLO;
    request.sync_hello = &hello;
    expect(call(admin, &request), SPONA__V1__STATUS__PERMISSION_DENIED, "sync certificate");
    spona_client_close(admin);
    return itest_connect_ok(&region, "../region/sync");
}

static void test_sync_hello_and_crl(void **state)
{
    (void)state;
    struct spona_client *sync = sync_connect();
    spona_response *login = itest_login(sync, "regina", "regina-lozinka-42");
    itest_assert_status(login, login->request_id, SPONA__V1__STATUS__PERMISSION_DENIED);
    envelope_free_response(login);

    Spona__V1__SyncHelloRequest hello = SPONA__V1__SYNC_HELLO_REQUEST__INIT;
    spona_request request = SPONA__V1__REQUEST__INIT;
    request.body_case = SPONA__V1__REQUEST__BODY_SYNC_HELLO;
    request.sync_hello = &hello;
    spona_response *said = call(sync, &request);
    itest_assert_status(said, said->request_id, SPONA__V1__STATUS__OK);
    assert_string_equal(said->sync_hello->municipality, "testgrad");
    uint64_t crls = 0;
    for (size_t i = 0; i < said->sync_hello->n_watermarks; i++)
        if (strcmp(said->sync_hello->watermarks[i]->stream, "crl") == 0)
            crls = said->sync_hello->watermarks[i]->seq;
    assert_true(crls >= 3);
    envelope_free_response(said);

    /* every CRL after 1, signed by the regional server over the canonical bytes */
    Spona__V1__SyncPullRequest pull = SPONA__V1__SYNC_PULL_REQUEST__INIT;
    pull.stream = "crl";
    pull.after_seq = 1;
    request.body_case = SPONA__V1__REQUEST__BODY_SYNC_PULL;
    request.sync_pull = &pull;
    spona_response *pulled = call(sync, &request);
    itest_assert_status(pulled, pulled->request_id, SPONA__V1__STATUS__OK);
    assert_int_equal(pulled->sync_pull->n_batches, crls - 1);
    char path[1200];
    itest_state_path("pki/server.crt", path, sizeof(path));
    FILE *file = fopen(path, "r");
    X509 *server_cert = PEM_read_X509(file, NULL, NULL, NULL);
    fclose(file);
    for (size_t i = 0; i < pulled->sync_pull->n_batches; i++) {
        const Spona__V1__SyncBatch *batch = pulled->sync_pull->batches[i];
        assert_int_equal(batch->seq, i + 2);
        uint8_t sha[32], bytes[600];
        SHA256(batch->payload.data, batch->payload.len, sha);
        assert_memory_equal(sha, batch->payload_sha256.data, 32);
        size_t length = canonical("crl", "testgrad", batch->seq, sha, bytes);
        EVP_MD_CTX *md = EVP_MD_CTX_new();
        assert_int_equal(EVP_DigestVerifyInit(md, NULL, EVP_sha256(), NULL,
                                              X509_get0_pubkey(server_cert)), 1);
        assert_int_equal(EVP_DigestVerify(md, batch->signature.data, batch->signature.len,
                                          bytes, length), 1);
        EVP_MD_CTX_free(md);
        Spona__V1__SyncCrl *crl =
            spona__v1__sync_crl__unpack(NULL, batch->payload.len, batch->payload.data);
        assert_non_null(crl);
        assert_int_equal(crl->number, batch->seq);
        assert_non_null(strstr(crl->pem, "BEGIN X509 CRL"));
        spona__v1__sync_crl__free_unpacked(crl, NULL);
    }
    X509_free(server_cert);
    envelope_free_response(pulled);
    pull.stream = "audit_heads"; /* an up stream is not pulled */
    expect(call(sync, &request), SPONA__V1__STATUS__INVALID_ARGUMENT, "not a down stream");
    spona_client_close(sync);
}

static void test_sync_push_audit_heads(void **state)
{
    (void)state;
    struct spona_client *sync = itest_connect_ok(&region, "../region/sync");
    ProtobufCBinaryData first, other, gap, rewritten;
    heads_payload(1, 3, 0, &first);
    heads_payload(1, 2, 0, &other);
    heads_payload(4, 5, 3, &gap);
    heads_payload(4, 5, 2, &rewritten); /* record 4 claims to follow record 2 */

    spona_response *pushed = push(sync, 1, first, 0);
    itest_assert_status(pushed, pushed->request_id, SPONA__V1__STATUS__OK);
    assert_false(pushed->sync_push->already_applied);
    envelope_free_response(pushed);
    /* a replay (a lost acknowledgement): acknowledged, not applied twice */
    pushed = push(sync, 1, first, 0);
    itest_assert_status(pushed, pushed->request_id, SPONA__V1__STATUS__OK);
    assert_true(pushed->sync_push->already_applied);
    envelope_free_response(pushed);
    expect(push(sync, 1, other, 0), SPONA__V1__STATUS__CONFLICT, "other content");
    expect(push(sync, 3, gap, 0), SPONA__V1__STATUS__FAILED_PRECONDITION, "send from 2");
    expect(push(sync, 2, gap, 1), SPONA__V1__STATUS__PERMISSION_DENIED, "signature");
    /* a history that does not extend the head held: applied (proof kept), head kept, alarm */
    pushed = push(sync, 2, rewritten, 0);
    itest_assert_status(pushed, pushed->request_id, SPONA__V1__STATUS__OK);
    envelope_free_response(pushed);
    /* the true continuation, its seqs with gaps as lanes have them: extends the head */
    ProtobufCBinaryData gapped;
    heads_gapped(&gapped);
    pushed = push(sync, 3, gapped, 0);
    itest_assert_status(pushed, pushed->request_id, SPONA__V1__STATUS__OK);
    envelope_free_response(pushed);
    free(gapped.data);
    free(first.data);
    free(other.data);
    free(gap.data);
    free(rewritten.data);
    spona_client_close(sync);

    char dsn[256];
    snprintf(dsn, sizeof(dsn), "host=127.0.0.1 port=%s dbname=spona_region user=spona_app",
             db_port);
    PGconn *db = PQconnectdb(dsn);
    assert_int_equal(PQstatus(db), CONNECTION_OK);
    PGresult *result = PQexec(db,
        "SELECT (SELECT count(*) FROM sync_batches WHERE stream = 'audit_heads'),"
        "       (SELECT seq FROM sync_watermarks WHERE stream = 'audit_heads'),"
        "       (SELECT count || '/' || last_seq FROM region_audit_heads WHERE lane = '0'),"
        "       (SELECT string_agg(kind, ',' ORDER BY id) FROM region_alarms)");
    assert_int_equal(PQresultStatus(result), PGRES_TUPLES_OK);
    assert_string_equal(PQgetvalue(result, 0, 0), "3");
    assert_string_equal(PQgetvalue(result, 0, 1), "3");
    assert_string_equal(PQgetvalue(result, 0, 2), "5/11");
    assert_string_equal(PQgetvalue(result, 0, 3), "seq_conflict,bad_signature,history_rewritten");
    PQclear(result);
    PQfinish(db);
}

/* The CLI (spona region ...) against the regional server, from login to the CRL. */
static void test_cli(void **state)
{
    (void)state;
    const char *cli = getenv("SPONA_CLI");
    assert_non_null(cli);
    char script[4096];
    snprintf(script, sizeof(script),
             "set -euo pipefail; d='%s'; cli='%s'\n"
             "export SPONA_SERVER=127.0.0.1:%s SPONA_CA=$d/../pki/ca.crt\n"
             "export SPONA_CERT=$d/pki/admin.crt SPONA_KEY=$d/pki/admin.key\n"
             "export SPONA_SESSION_FILE=$d/cli-session SPONA_PASSWORD=regina-lozinka-42\n"
             "\"$cli\" login --user regina >/dev/null\n"
             "\"$cli\" region municipality add kozarac --short KZ --name Kozarac"
             "  | grep -qx 'municipality kozarac (KZ) registered'\n"
             "\"$cli\" region institution add kozarac kozarac.csr --role lead_agency"
             "  --name 'CSR Kozarac' | grep -q 'institution kozarac.csr (lead_agency) registered'\n"
             "\"$cli\" region institution list --municipality kozarac | grep -q 'kozarac.csr'\n"
             "openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes"
             "  -keyout $d/cli.key -out $d/cli.csr -subj /CN=whatever 2>/dev/null\n"
             "\"$cli\" region cert issue --municipality kozarac --institution kozarac.csr"
             "  --csr $d/cli.csr --out $d/cli.crt | grep -q 'written to'\n"
             "openssl x509 -in $d/cli.crt -noout -subject | grep -q 'CN *= *kozarac.csr'\n"
             "serial=$(openssl x509 -in $d/cli.crt -noout -serial | cut -d= -f2)\n"
             "\"$cli\" --json region cert list --municipality kozarac | grep -q \"$serial\"\n"
             "\"$cli\" region cert revoke \"$serial\" --reason test | grep -q 'CRL .* published'\n"
             "\"$cli\" region crl publish --out $d/cli.crl >/dev/null\n"
             "openssl crl -in $d/cli.crl -noout -text | grep -qi \"serial number: *$serial\"\n"
             "\"$cli\" region municipality show kozarac | grep -q '1 revoked'\n"
             /* a wrong word is a usage error, not a request */
             "if \"$cli\" region municipality frobnicate 2>/dev/null; then exit 1; fi\n",
             region_dir, cli, region.port);
    const char *argv[] = {"/bin/bash", "-c", script, NULL};
    assert_int_equal(itest_run(argv), 0);
}

/* A value of sql on the regional database as role (one row, one column), malloc'd. */
static char *region_value(const char *role, const char *sql)
{
    char dsn[256];
    snprintf(dsn, sizeof(dsn), "host=127.0.0.1 port=%s dbname=spona_region user=%s", db_port,
             role);
    PGconn *db = PQconnectdb(dsn);
    assert_int_equal(PQstatus(db), CONNECTION_OK);
    PGresult *result = PQexec(db, sql);
    int ok = PQresultStatus(result) == PGRES_TUPLES_OK && PQntuples(result) == 1;
    char *value = ok ? strdup(PQgetvalue(result, 0, 0)) : NULL;
    if (!ok)
        fprintf(stderr, "%s: %s", sql, PQresultErrorMessage(result));
    PQclear(result);
    PQfinish(db);
    assert_non_null(value);
    return value;
}

/* The regional sessions are under row-level security (sql/region/008): the server's role
 * sees and ends none of them without a session statement's identity, although the
 * administrators' logins above made several. */
static void test_region_sessions_rows(void **state)
{
    (void)state;
    char *all = region_value("spona_owner", "SELECT count(*) FROM sessions");
    assert_true(atoi(all) > 0);
    free(all);
    char *seen = region_value("spona_app", "SELECT count(*) FROM sessions");
    assert_string_equal(seen, "0");
    free(seen);
    char *ended = region_value("spona_app",
                               "WITH e AS (UPDATE sessions SET ended_at = now() RETURNING 1)"
                               " SELECT count(*) FROM e");
    assert_string_equal(ended, "0");
    free(ended);
    char *open = region_value("spona_owner",
                              "SELECT count(*) FROM sessions WHERE ended_at IS NULL");
    assert_true(atoi(open) > 0);
    free(open);
}

/* Every regional request is on the region's own chain, which verifies. */
static void test_region_audit(void **state)
{
    (void)state;
    char dsn[256];
    snprintf(dsn, sizeof(dsn), "host=127.0.0.1 port=%s dbname=spona_region user=spona_app",
             db_port);
    PGconn *db = PQconnectdb(dsn);
    assert_int_equal(PQstatus(db), CONNECTION_OK);
    PGresult *result = PQexec(db,
        "SELECT (SELECT count(*) FROM region_audit WHERE action = 'region_municipality_add'"
        "          AND outcome = 'ok'),"
        "       (SELECT count(*) FROM region_audit WHERE outcome = 'conflict'),"
        "       (SELECT count(*) FROM region_audit WHERE outcome = 'denied'),"
        "       (SELECT count(*) FROM region_audit WHERE action = 'region_cert_revoke'"
        "          AND outcome = 'ok' AND object <> ''),"
        "       (SELECT broken_at IS NULL FROM spona_region_audit_verify())");
    assert_int_equal(PQresultStatus(result), PGRES_TUPLES_OK);
    assert_string_equal(PQgetvalue(result, 0, 0), "3"); /* testgrad, novigrad, kozarac */
    assert_true(atoi(PQgetvalue(result, 0, 1)) >= 4);
    assert_true(atoi(PQgetvalue(result, 0, 2)) >= 1);
    assert_string_equal(PQgetvalue(result, 0, 3), "2"); /* the test's and the CLI's */
    assert_string_equal(PQgetvalue(result, 0, 4), "t");
    PQclear(result);
    /* append-only, for the server's role too */
    result = PQexec(db, "DELETE FROM region_audit");
    assert_int_not_equal(PQresultStatus(result), PGRES_COMMAND_OK);
    PQclear(result);
    PQfinish(db);
}

int main(void)
{
    if (itest_init() != 0)
        return 1;
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_registry),
        cmocka_unit_test(test_region_refuses_others),
        cmocka_unit_test(test_issue_from_csr),
        cmocka_unit_test(test_offline_upload),
        cmocka_unit_test(test_used_then_revoked_at_municipality),
        cmocka_unit_test(test_sync_hello_and_crl),
        cmocka_unit_test(test_sync_push_audit_heads),
        cmocka_unit_test(test_cli),
        cmocka_unit_test(test_region_sessions_rows),
        cmocka_unit_test(test_region_audit),
    };
    return cmocka_run_group_tests_name("integration.region", tests, group_setup, group_teardown);
}
