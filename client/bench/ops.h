/*
 * The operations of spona-bench's request mix (docs/performance.md): what they
 * are called, the ids they work on (a file written by deploy/bench/pg-compare.sh
 * from the generated database) and how one request of each is built.
 */
#ifndef SPONA_BENCH_OPS_H
#define SPONA_BENCH_OPS_H

#include <stddef.h>
#include <stdint.h>

#include "envelope.h"

enum ops_kind {
    OPS_PING,          /* answered on the io thread: the transport alone */
    OPS_PERSON_GET,    /* an audited, policy-filtered read of a person */
    OPS_CASE_GET,      /* an audited read of a case */
    OPS_PERSON_SEARCH, /* a name search, every hit audited */
    OPS_NOTE_ADD,      /* an audited write: a note on an open case, with an idempotency key */
    OPS_COUNT
};

/* The ids file: one "KIND VALUE" a line; KIND is person, case, open_case or name. */
struct ops_ids {
    char **values[4]; /* person ids, case ids, open case ids, search queries */
    size_t counts[4];
};

/* "person_get" etc. */
const char *ops_name(int op);

/* "ping", "person_get", "case_get", "person_search", "note_add", "mix" (4:3:2:1 over
 * the last four) or "OP=W,OP=W,..." into weights; 0, or -1 after saying why on stderr. */
int ops_parse_mix(const char *text, unsigned weights[OPS_COUNT]);

/* Reads path into ids. 0, or -1 after saying why on stderr. */
int ops_ids_load(const char *path, struct ops_ids *ids);

/* 0 when ids has what every operation with a weight needs, else -1 after saying so. */
int ops_ids_check(const struct ops_ids *ids, const unsigned weights[OPS_COUNT]);

void ops_ids_free(struct ops_ids *ids);

/* xorshift64*: a fast per-thread random source (state must not be 0). */
uint64_t ops_random(uint64_t *state);

/* An operation drawn by weight. */
int ops_pick(const unsigned weights[OPS_COUNT], uint64_t *state);

/* One request and the storage its fields point to; reused for every send of a thread. */
struct ops_request {
    spona_request request;
    Spona__V1__PingRequest ping;
    Spona__V1__PersonGetRequest person_get;
    Spona__V1__CaseGetRequest case_get;
    Spona__V1__PersonSearchRequest person_search;
    Spona__V1__NoteAddRequest note_add;
    char idempotency_key[37];
    char note_text[64];
};

/* Fills out as a request of op on ids picked at random (request_id 0: the library
 * assigns one). note_add gets a fresh version-4 UUID as its idempotency key. */
void ops_request_build(struct ops_request *out, int op, const struct ops_ids *ids,
                       uint64_t *state);

#endif
