/*
 * The operations of spona-bench's request mix (see ops.h).
 */
#include "ops.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define OPS_MAX_IDS 1000000
#define OPS_LINE_BYTES 512

static const char *const ops_names[OPS_COUNT] = {
    "ping", "person_get", "case_get", "person_search", "note_add",
};

/* The ids each operation needs (index into ops_ids), -1 for none. */
static const int ops_needs[OPS_COUNT] = { -1, 0, 1, 3, 2 };
static const char *const ops_id_kinds[4] = { "person", "case", "open_case", "name" };

const char *ops_name(int op)
{
    return op >= 0 && op < OPS_COUNT ? ops_names[op] : "?";
}

static int ops_lookup(const char *name, size_t length)
{
    for (int op = 0; op < OPS_COUNT; op++)
        if (strlen(ops_names[op]) == length && strncmp(name, ops_names[op], length) == 0)
            return op;
    return -1;
}

int ops_parse_mix(const char *text, unsigned weights[OPS_COUNT])
{
    memset(weights, 0, OPS_COUNT * sizeof(weights[0]));
    if (strcmp(text, "mix") == 0) {
        weights[OPS_PERSON_GET] = 4;
        weights[OPS_CASE_GET] = 3;
        weights[OPS_PERSON_SEARCH] = 2;
        weights[OPS_NOTE_ADD] = 1;
        return 0;
    }
    const char *part = text;
    while (*part != '\0') {
        size_t length = strcspn(part, ",");
        size_t name_length = strcspn(part, "=,");
        int op = ops_lookup(part, name_length);
        long weight = 1;
        if (op >= 0 && name_length < length) {
            char *end = NULL;
            errno = 0;
            weight = strtol(part + name_length + 1, &end, 10);
            if (end != part + length || errno != 0 || weight < 0 || weight > 1000)
                op = -1;
        }
        if (op < 0) {
            fprintf(stderr, "spona-bench: --op is ping, person_get, case_get, person_search, "
                            "note_add, mix or OP=WEIGHT,... (weights 0..1000)\n");
            return -1;
        }
        weights[op] = (unsigned)weight;
        part += length + (part[length] == ',');
    }
    unsigned total = 0;
    for (int op = 0; op < OPS_COUNT; op++)
        total += weights[op];
    if (total == 0) {
        fprintf(stderr, "spona-bench: --op gives no operation a weight\n");
        return -1;
    }
    return 0;
}

/* Appends value to the list of kind; 0 or -1 (out of memory, too many). */
static int ops_ids_add(struct ops_ids *ids, int kind, const char *value)
{
    size_t count = ids->counts[kind];
    if (count >= OPS_MAX_IDS)
        return -1;
    if ((count & (count - 1)) == 0) { /* 0, 1, 2, 4, ...: grow to twice */
        char **grown = realloc(ids->values[kind], (count ? count * 2 : 1) * sizeof(char *));
        if (grown == NULL)
            return -1;
        ids->values[kind] = grown;
    }
    if ((ids->values[kind][count] = strdup(value)) == NULL)
        return -1;
    ids->counts[kind]++;
    return 0;
}

int ops_ids_load(const char *path, struct ops_ids *ids)
{
    memset(ids, 0, sizeof(*ids));
    FILE *file = fopen(path, "r");
    if (file == NULL) {
        fprintf(stderr, "spona-bench: %s: %s\n", path, strerror(errno));
        return -1;
    }
    char line[OPS_LINE_BYTES];
    long number = 0;
    int result = 0;
    while (result == 0 && fgets(line, sizeof(line), file) != NULL) {
        number++;
        line[strcspn(line, "\r\n")] = '\0';
        if (line[0] == '\0' || line[0] == '#')
            continue;
        size_t kind_length = strcspn(line, " ");
        int kind = -1;
        for (int k = 0; k < 4; k++)
            if (strlen(ops_id_kinds[k]) == kind_length &&
                strncmp(line, ops_id_kinds[k], kind_length) == 0)
                kind = k;
        if (kind < 0 || line[kind_length] != ' ' || line[kind_length + 1] == '\0') {
            fprintf(stderr, "spona-bench: %s:%ld: expected \"person|case|open_case|name "
                            "VALUE\"\n", path, number);
            result = -1;
        } else if (ops_ids_add(ids, kind, line + kind_length + 1) != 0) {
            fprintf(stderr, "spona-bench: %s: out of memory or more than %d ids of a kind\n",
                    path, OPS_MAX_IDS);
            result = -1;
        }
    }
    fclose(file);
    return result;
}

int ops_ids_check(const struct ops_ids *ids, const unsigned weights[OPS_COUNT])
{
    for (int op = 0; op < OPS_COUNT; op++) {
        if (weights[op] == 0 || ops_needs[op] < 0)
            continue;
        if (ids == NULL || ids->counts[ops_needs[op]] == 0) {
            fprintf(stderr, "spona-bench: %s needs \"%s\" lines in --ids FILE\n", ops_names[op],
                    ops_id_kinds[ops_needs[op]]);
            return -1;
        }
    }
    return 0;
}

void ops_ids_free(struct ops_ids *ids)
{
    for (int kind = 0; kind < 4; kind++) {
        for (size_t i = 0; i < ids->counts[kind]; i++)
            free(ids->values[kind][i]);
        free(ids->values[kind]);
    }
    memset(ids, 0, sizeof(*ids));
}

uint64_t ops_random(uint64_t *state)
{
    uint64_t x = *state;
    x ^= x >> 12;
    x ^= x << 25;
    x ^= x >> 27;
    *state = x;
    return x * 0x2545F4914F6CDD1DULL;
}

int ops_pick(const unsigned weights[OPS_COUNT], uint64_t *state)
{
    unsigned total = 0;
    for (int op = 0; op < OPS_COUNT; op++)
        total += weights[op];
    unsigned draw = (unsigned)(ops_random(state) % total);
    for (int op = 0; op < OPS_COUNT; op++) {
        if (draw < weights[op])
            return op;
        draw -= weights[op];
    }
    return OPS_COUNT - 1;
}

static char *ops_random_id(const struct ops_ids *ids, int kind, uint64_t *state)
{
    return ids->values[kind][ops_random(state) % ids->counts[kind]];
}

/* A version-4 UUID (RFC 9562) from the thread's random source into key[37]. */
static void ops_uuid(char key[37], uint64_t *state)
{
    unsigned char bytes[16];
    uint64_t high = ops_random(state), low = ops_random(state);
    memcpy(bytes, &high, 8);
    memcpy(bytes + 8, &low, 8);
    bytes[6] = (unsigned char)((bytes[6] & 0x0F) | 0x40);
    bytes[8] = (unsigned char)((bytes[8] & 0x3F) | 0x80);
    size_t used = 0;
    for (size_t i = 0; i < sizeof(bytes); i++) {
        if (i == 4 || i == 6 || i == 8 || i == 10)
            key[used++] = '-';
        used += (size_t)snprintf(key + used, 37 - used, "%02x", bytes[i]);
    }
}

void ops_request_build(struct ops_request *out, int op, const struct ops_ids *ids,
                       uint64_t *state)
{
    spona_request request = SPONA__V1__REQUEST__INIT;
    out->request = request;
    spona_request *r = &out->request;
    switch (op) {
    case OPS_PERSON_GET:
        spona__v1__person_get_request__init(&out->person_get);
        out->person_get.person_id = ops_random_id(ids, 0, state);
        r->body_case = SPONA__V1__REQUEST__BODY_PERSON_GET;
        r->person_get = &out->person_get;
        break;
    case OPS_CASE_GET:
        spona__v1__case_get_request__init(&out->case_get);
        out->case_get.case_id = ops_random_id(ids, 1, state);
        r->body_case = SPONA__V1__REQUEST__BODY_CASE_GET;
        r->case_get = &out->case_get;
        break;
    case OPS_PERSON_SEARCH:
        spona__v1__person_search_request__init(&out->person_search);
        out->person_search.query = ops_random_id(ids, 3, state);
        out->person_search.limit = 20;
        r->body_case = SPONA__V1__REQUEST__BODY_PERSON_SEARCH;
        r->person_search = &out->person_search;
        break;
    case OPS_NOTE_ADD:
        spona__v1__note_add_request__init(&out->note_add);
        out->note_add.case_id = ops_random_id(ids, 2, state);
        ops_uuid(out->idempotency_key, state);
        snprintf(out->note_text, sizeof(out->note_text), "spona-bench note %s",
                 out->idempotency_key);
        out->note_add.text = out->note_text;
        r->idempotency_key = out->idempotency_key;
        r->body_case = SPONA__V1__REQUEST__BODY_NOTE_ADD;
        r->note_add = &out->note_add;
        break;
    default:
        spona__v1__ping_request__init(&out->ping);
        r->body_case = SPONA__V1__REQUEST__BODY_PING;
        r->ping = &out->ping;
        break;
    }
}
