/*
 * What spona-generate-persons' two halves share: the deterministic random
 * numbers and ids, calendar days, COPY streams with a progress display, and
 * the run's context (the municipality, its lead institution and user, the
 * persons generated and the few attributes of each that their cases and
 * benefits depend on). deploy/generate-persons.c makes the persons,
 * deploy/generate-cases.c everything that happens to them.
 */
#ifndef SPONA_GENERATE_H
#define SPONA_GENERATE_H

#include <libpq-fe.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

/* Days are counted from 2021-01-01 (day 0), the start of the generated history. */
#define GENERATE_EPOCH_YEAR 2021
#define GENERATE_MAX_PARTNERS 32

/* Person flags (one byte per generated person). */
#define PERSON_FEMALE 0x01u
#define PERSON_RURAL 0x02u
#define PERSON_GROUP_VIOLENCE 0x04u   /* women_domestic_violence */
#define PERSON_GROUP_RURAL_OTA 0x08u  /* rural_one_time_assistance */
#define PERSON_GROUP_DISABILITY 0x10u /* persons_with_disabilities */
#define PERSON_GROUP_YOUTH 0x20u      /* youth_leaving_care */

/* Tags that keep the id and random streams of different row kinds apart. */
enum generate_tag {
    TAG_PERSON = 1, TAG_PERSON_RANDOM, TAG_CASE, TAG_CASE_RANDOM, TAG_ASSESSMENT, TAG_PLAN,
    TAG_REFERRAL, TAG_CONFERENCE, TAG_NOTE, TAG_OUTCOME, TAG_BENEFIT, TAG_ACTIVE,
};

/* An institution cases may be referred to, with one of its users (may be empty). */
struct generate_partner {
    char id[40];
    char code[64];
    char role[48];
    char user_id[40];
};

struct generate_context {
    PGconn *conn;
    uint64_t seed;
    char municipality_id[40];
    char institution_id[40]; /* the lead agency: every case's lead */
    char lead_user_id[40];   /* opens, assesses, plans and writes for every case */
    long first;              /* global index of the first person of this run */
    long persons;            /* persons generated in this run */
    unsigned char *person_flags; /* persons entries, PERSON_* bits */
    int today;               /* day number of the last generated day */
    struct generate_partner partners[GENERATE_MAX_PARTNERS];
    int partner_count;
};

/* splitmix64 of (seed, tag, index): a stateless hash for ids and per-row random streams. */
static inline uint64_t generate_hash(uint64_t seed, uint64_t tag, uint64_t index)
{
    uint64_t x = seed ^ (tag * 0x9E3779B97F4A7C15ULL) ^ (index * 0xD1B54A32D192ED03ULL);
    for (int round = 0; round < 2; round++) {
        x += 0x9E3779B97F4A7C15ULL;
        x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ULL;
        x = (x ^ (x >> 27)) * 0x94D049BB133111EBULL;
        x ^= x >> 31;
    }
    return x;
}

/* xorshift64*: the same seed gives the same sequence (state must not be 0). */
static inline uint64_t random_next(uint64_t *state)
{
    *state ^= *state >> 12;
    *state ^= *state << 25;
    *state ^= *state >> 27;
    return *state * 2685821657736338717ULL;
}

/* A number below bound (bound > 0). */
static inline size_t random_below(uint64_t *state, size_t bound)
{
    return (size_t)(random_next(state) % bound);
}

/* 1 with probability percent/100. */
static inline int random_percent(uint64_t *state, unsigned percent)
{
    return random_below(state, 100) < percent;
}

/* A random stream of its own for one row kind and index. */
static inline uint64_t random_stream(uint64_t seed, uint64_t tag, uint64_t index)
{
    uint64_t state = generate_hash(seed, tag, index);
    return state != 0 ? state : 1;
}

/* A version-4 UUID from (seed, tag, index), as text into out. */
void generate_uuid(uint64_t seed, uint64_t tag, uint64_t index, char out[40]);

/* "YYYY-MM-DD" of day (0 = 2021-01-01; may be negative), into out (11+ bytes). */
void generate_date(int day, char out[16]);
/* Day number of a calendar date. */
int generate_day_of(int year, int month, int dom);

double generate_seconds_since(const struct timespec *start);

/* Rows of one table going in through COPY, with a progress display on stderr. */
struct copy_stream {
    PGconn *conn;
    const char *table;
    char *buffer;
    size_t used;
    long done, total;
    int failed;
    int terminal;  /* stderr is a terminal: refresh one line in place */
    int next_tenth; /* otherwise: the next tenth of total to print a line at */
    struct timespec start, shown;
};

/* Starts COPY sql for table (total rows expected); 0, or -1 after reporting. */
int copy_begin(struct copy_stream *copy, PGconn *conn, const char *table, const char *sql,
               long total);
/* Appends one row (the format ends with "\n"); on failure copy->failed is set. */
void copy_row(struct copy_stream *copy, const char *format, ...)
    __attribute__((format(printf, 2, 3)));
/* Ends the COPY (commits its transaction); 0, or -1 after reporting. */
int copy_end(struct copy_stream *copy);

/* Cases and everything in them for the persons of this run (generate-cases.c). */
struct case_options {
    long events;          /* about this many case events in all */
};
int generate_cases(struct generate_context *context, const struct case_options *options);

#endif
