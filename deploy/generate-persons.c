/*
 * spona-generate-persons: fills a database with N synthetic persons for the
 * benchmarks (name search: client/bench/search_bench.c; with --events, their
 * cases for the indicator benchmark, client/bench/report_bench.c, made by
 * generate-cases.c; docs/performance.md).
 * Bosnian/Serbian first and last names, about a third written in Cyrillic;
 * valid, unique JMBGs with the birth date and sex they encode; search keys
 * from common/namekey.c exactly as the server writes them; every person
 * registered by one lead institution of one municipality; about 40% rural, a
 * fifth in one or two priority groups of the Prijedor protocol. This file also
 * holds the COPY streams and progress display both halves use. Rows go in through
 * COPY, so it connects as the owner of the tables (spona_owner): row-level
 * security does not apply to the owner, and COPY FROM is not allowed under it.
 * Optionally writes a sample of the names for the benchmark's queries.
 *
 * Never point it at a production database: the persons are fake but real
 * looking, and nothing marks them.
 */
#include <errno.h>
#include <getopt.h>
#include <libpq-fe.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "generate.h"
#include "jmbg.h"
#include "namekey.h"

#define GENERATE_MAX_PERSONS 20000000L
#define GENERATE_MAX_EVENTS 500000000L
#define GENERATE_BUFFER_BYTES (256 * 1024)
#define GENERATE_DAYS 21915 /* birth dates 1950-01-01 .. 2009-12-31 */

static const char *const male_names[] = {
    "Marko",   "Nikola",  "Stefan",  "Milan",   "Dragan",  "Zoran",   "Goran",   "Nenad",
    "Dejan",   "Aleksandar", "Miloš", "Đorđe",  "Vladimir", "Igor",   "Bojan",   "Saša",
    "Predrag", "Željko",  "Slobodan", "Dušan",  "Jovan",   "Petar",   "Luka",    "Vuk",
    "Ljubomir", "Njegoš", "Džemal",  "Emir",    "Adnan",   "Haris",   "Amar",    "Kenan",
    "Mirza",   "Edin",    "Nedžad",  "Almir",   "Senad",   "Jasmin",  "Tarik",   "Dino",
    "Ivan",    "Josip",   "Ante",    "Mario",   "Davor",   "Tomislav", "Mladen", "Radovan",
    "Branislav", "Čedomir", "Miodrag", "Veljko", "Ognjen",  "Srđan",  "Dalibor", "Rade",
};

static const char *const female_names[] = {
    "Ana",     "Marija",  "Jelena",  "Milica",  "Dragana", "Snežana", "Ljiljana", "Gordana",
    "Vesna",   "Jasmina", "Biljana", "Svetlana", "Tanja",  "Maja",    "Ivana",   "Sanja",
    "Nataša",  "Mirjana", "Đurđa",   "Danijela", "Tijana", "Jovana",  "Katarina", "Njegosava",
    "Amra",    "Emina",   "Lejla",   "Selma",   "Aida",    "Azra",    "Merima",  "Sabina",
    "Alma",    "Edina",   "Amela",   "Belma",   "Dženana", "Mersiha", "Nermina", "Zehra",
    "Mia",     "Petra",   "Lucija",  "Andrea",  "Ksenija", "Željka",  "Zorica",  "Radmila",
    "Slavica", "Branka",  "Čedna",   "Stana",   "Olivera", "Vida",    "Ružica",  "Nada",
};

static const char *const last_names[] = {
    "Savić",     "Jovanović", "Petrović", "Nikolić",   "Marković",  "Đorđević",  "Stojanović",
    "Ilić",      "Stanković", "Pavlović", "Milošević", "Popović",   "Kovačević", "Todorović",
    "Đurić",     "Babić",     "Radić",    "Lukić",     "Mitrović",  "Živković",  "Ljubičić",
    "Njegovan",  "Džaferović", "Hodžić",  "Hadžić",    "Begić",     "Mehmedović", "Hasanović",
    "Delić",     "Kovač",     "Čolić",    "Šarić",     "Bešić",     "Mujić",     "Husić",
    "Omerović",  "Alić",      "Suljić",   "Karić",     "Ibrahimović", "Tomić",   "Vuković",
    "Knežević",  "Lazić",     "Ristić",   "Simić",     "Obradović", "Kostić",    "Janković",
    "Krstić",    "Vasić",     "Bogdanović", "Mladenović", "Radovanović", "Stevanović", "Filipović",
    "Cvetković", "Zečević",   "Gajić",    "Perić",     "Blagojević", "Milovanović", "Dimitrijević",
    "Sekulić",   "Grujić",    "Vidović",  "Božić",     "Topić",     "Jurić",     "Marić",
    "Matić",     "Perković",  "Pejić",    "Ćosić",     "Ćurčić",    "Šljivić",   "Đukić",
    "Đokić",     "Dragičević", "Trivić",  "Zubac",     "Kos",       "Prijić",    "Grbić",
    "Kalaba",    "Vranješ",   "Bjelić",   "Kecman",    "Dakić",     "Rodić",     "Malešević",
    "Kuzmanović", "Skorupan", "Ećim",     "Stupar",    "Zgonjanin", "Tadić",     "Škrbić",
    "Brkić",     "Ćirić",     "Ostojić",  "Pašić",     "Mešić",     "Kadić",     "Muratović",
    "Softić",    "Hrnjić",    "Halilović", "Salihović", "Čaušević", "Avdić",     "Jahić",
    "Spahić",    "Fazlić",    "Tabaković", "Zukić",    "Ahmetović", "Jusić",     "Ramić",
};

#define COUNT(array) (sizeof(array) / sizeof((array)[0]))

/* Serbian Latin (Gaj) to Cyrillic: digraphs first, then single letters. */
static const char *const latin_cyrillic[][2] = {
    {"Dž", "Џ"}, {"dž", "џ"}, {"Lj", "Љ"}, {"lj", "љ"}, {"Nj", "Њ"}, {"nj", "њ"},
    {"A", "А"},  {"B", "Б"},  {"C", "Ц"},  {"Č", "Ч"},  {"Ć", "Ћ"},  {"D", "Д"},
    {"Đ", "Ђ"},  {"E", "Е"},  {"F", "Ф"},  {"G", "Г"},  {"H", "Х"},  {"I", "И"},
    {"J", "Ј"},  {"K", "К"},  {"L", "Л"},  {"M", "М"},  {"N", "Н"},  {"O", "О"},
    {"P", "П"},  {"R", "Р"},  {"S", "С"},  {"Š", "Ш"},  {"T", "Т"},  {"U", "У"},
    {"V", "В"},  {"Z", "З"},  {"Ž", "Ж"},  {"a", "а"},  {"b", "б"},  {"c", "ц"},
    {"č", "ч"},  {"ć", "ћ"},  {"d", "д"},  {"đ", "ђ"},  {"e", "е"},  {"f", "ф"},
    {"g", "г"},  {"h", "х"},  {"i", "и"},  {"j", "ј"},  {"k", "к"},  {"l", "л"},
    {"m", "м"},  {"n", "н"},  {"o", "о"},  {"p", "п"},  {"r", "р"},  {"s", "с"},
    {"š", "ш"},  {"t", "т"},  {"u", "у"},  {"v", "в"},  {"z", "з"},  {"ž", "ж"},
};

/* Writes name (Serbian Latin) in Cyrillic; unknown characters are copied. */
static void to_cyrillic(const char *name, char *out, size_t out_size)
{
    size_t used = 0;
    while (*name != '\0' && used + 4 < out_size) {
        size_t matched = 0;
        for (size_t i = 0; i < COUNT(latin_cyrillic) && matched == 0; i++) {
            size_t length = strlen(latin_cyrillic[i][0]);
            if (strncmp(name, latin_cyrillic[i][0], length) == 0) {
                size_t written = strlen(latin_cyrillic[i][1]);
                memcpy(out + used, latin_cyrillic[i][1], written);
                used += written;
                matched = length;
            }
        }
        if (matched == 0) {
            out[used++] = *name;
            matched = 1;
        }
        name += matched;
    }
    out[used] = '\0';
}

static int is_leap(int year)
{
    return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
}

/* Day number (0 = 1950-01-01) to a date. */
static void day_to_date(long day, int *year, int *month, int *dom)
{
    static const int days[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    *year = 1950;
    while (day >= 365 + is_leap(*year)) {
        day -= 365 + is_leap(*year);
        (*year)++;
    }
    *month = 1;
    while (day >= days[*month - 1] + (*month == 2 && is_leap(*year))) {
        day -= days[*month - 1] + (*month == 2 && is_leap(*year));
        (*month)++;
    }
    *dom = (int)day + 1;
}

/*
 * The JMBG of serial number index (unique per index): birth date spread over
 * 1950-2009, a Bosnian region (10-19), BBB from the rest of the index (000-499
 * men, 500-999 women). Returns 0, or -1 when the control digit cannot be valid
 * (remainder 10): the caller then skips the index.
 */
static int make_jmbg(long index, char sex, char out[32], char birth_date[32])
{
    long day = (index * 7919L) % GENERATE_DAYS; /* 7919 is prime to the period: a permutation */
    long rest = index / GENERATE_DAYS;
    int region = 10 + (int)(rest % 10);
    long serial = rest / 10;
    if (serial >= 500)
        return -1;
    int year, month, dom;
    day_to_date(day, &year, &month, &dom);
    snprintf(out, 32, "%02d%02d%03d%02d%03d", dom % 100, month % 100, year % 1000, region % 100,
             (int)(sex == 'F' ? 500 + serial : serial) % 1000);
    static const int weights[12] = {7, 6, 5, 4, 3, 2, 7, 6, 5, 4, 3, 2};
    int sum = 0;
    for (int i = 0; i < 12; i++)
        sum += weights[i] * (out[i] - '0');
    int control = 11 - sum % 11;
    if (control == 10)
        return -1;
    out[12] = (char)('0' + (control == 11 ? 0 : control));
    out[13] = '\0';
    snprintf(birth_date, 32, "%04d-%02d-%02d", year, month, dom);
    return 0;
}

/* --- COPY streams with a progress display (shared with generate-cases.c) --- */

double generate_seconds_since(const struct timespec *start)
{
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    return (double)(now.tv_sec - start->tv_sec) + (double)(now.tv_nsec - start->tv_nsec) / 1e9;
}

void generate_uuid(uint64_t seed, uint64_t tag, uint64_t index, char out[40])
{
    uint64_t high = generate_hash(seed, tag, index);
    uint64_t low = generate_hash(seed ^ 0x5DEECE66DULL, tag, index);
    high = (high & ~0xF000ULL) | 0x4000ULL;                         /* version 4 */
    low = (low & 0x3FFFFFFFFFFFFFFFULL) | 0x8000000000000000ULL;    /* variant 10 */
    snprintf(out, 40, "%08x-%04x-%04x-%04x-%012llx", (unsigned)(high >> 32),
             (unsigned)((high >> 16) & 0xFFFF), (unsigned)(high & 0xFFFF),
             (unsigned)(low >> 48), (unsigned long long)(low & 0xFFFFFFFFFFFFULL));
}

/* One progress line: in place on a terminal, else at every tenth of the total. */
static void copy_progress(struct copy_stream *copy, int final)
{
    double elapsed = generate_seconds_since(&copy->start);
    double rate = elapsed > 0 ? (double)copy->done / elapsed : 0;
    double percent = copy->total > 0 ? 100.0 * (double)copy->done / (double)copy->total : 100;
    if (final) {
        fprintf(stderr, "%sgenerate: %-20s %10ld rows in %6.1f s (%.0f rows/s)%s\n",
                copy->terminal ? "\r" : "", copy->table, copy->done, elapsed, rate,
                copy->terminal ? "          " : "");
        return;
    }
    if (copy->terminal) {
        if (generate_seconds_since(&copy->shown) < 0.25)
            return;
        clock_gettime(CLOCK_MONOTONIC, &copy->shown);
    } else {
        if (copy->total <= 0 || copy->done * 10 < copy->total * copy->next_tenth)
            return;
        copy->next_tenth = (int)(copy->done * 10 / copy->total) + 1;
    }
    double eta = rate > 0 ? (double)(copy->total - copy->done) / rate : 0;
    fprintf(stderr, "%sgenerate: %-20s %10ld/%ld %5.1f%% %8.0f rows/s ETA %4.0f s%s",
            copy->terminal ? "\r" : "", copy->table, copy->done, copy->total, percent, rate,
            eta > 0 ? eta : 0, copy->terminal ? "  " : "\n");
}

int copy_begin(struct copy_stream *copy, PGconn *conn, const char *table, const char *sql,
               long total)
{
    memset(copy, 0, sizeof(*copy));
    copy->conn = conn;
    copy->table = table;
    copy->total = total;
    copy->terminal = isatty(STDERR_FILENO);
    copy->next_tenth = 1;
    clock_gettime(CLOCK_MONOTONIC, &copy->start);
    copy->shown = copy->start;
    copy->buffer = malloc(GENERATE_BUFFER_BYTES);
    if (copy->buffer == NULL) {
        fprintf(stderr, "generate: out of memory\n");
        return -1;
    }
    PGresult *result = PQexec(conn, sql);
    if (PQresultStatus(result) != PGRES_COPY_IN) {
        fprintf(stderr, "generate: %s: %s", table, PQerrorMessage(conn));
        PQclear(result);
        free(copy->buffer);
        copy->buffer = NULL;
        return -1;
    }
    PQclear(result);
    return 0;
}

/* Sends what the buffer holds as COPY data. */
static void copy_flush(struct copy_stream *copy)
{
    if (copy->used == 0 || copy->failed)
        return;
    if (PQputCopyData(copy->conn, copy->buffer, (int)copy->used) != 1) {
        fprintf(stderr, "generate: %s: %s", copy->table, PQerrorMessage(copy->conn));
        copy->failed = 1;
    }
    copy->used = 0;
}

void copy_row(struct copy_stream *copy, const char *format, ...)
{
    if (copy->failed)
        return;
    for (int attempt = 0; attempt < 2; attempt++) {
        size_t room = GENERATE_BUFFER_BYTES - copy->used;
        va_list arguments;
        va_start(arguments, format);
        int length = vsnprintf(copy->buffer + copy->used, room, format, arguments);
        va_end(arguments);
        if (length < 0) {
            copy->failed = 1;
            return;
        }
        if ((size_t)length < room) {
            copy->used += (size_t)length;
            if (++copy->done % 1024 == 0)
                copy_progress(copy, 0);
            return;
        }
        copy_flush(copy); /* no room: send what there is and write the row again */
    }
    fprintf(stderr, "generate: %s: a row longer than the buffer\n", copy->table);
    copy->failed = 1;
}

int copy_end(struct copy_stream *copy)
{
    if (copy->buffer == NULL)
        return -1;
    copy_flush(copy);
    free(copy->buffer);
    copy->buffer = NULL;
    int failed = copy->failed;
    if (PQputCopyEnd(copy->conn, failed ? "generation failed" : NULL) != 1) {
        fprintf(stderr, "generate: %s: %s", copy->table, PQerrorMessage(copy->conn));
        return -1;
    }
    PGresult *result;
    while ((result = PQgetResult(copy->conn)) != NULL) {
        if (PQresultStatus(result) != PGRES_COMMAND_OK && !failed) {
            fprintf(stderr, "generate: %s: %s", copy->table, PQerrorMessage(copy->conn));
            failed = 1;
        }
        PQclear(result);
    }
    if (!failed)
        copy_progress(copy, 1);
    return failed ? -1 : 0;
}

/* --- options and the run's context --- */

struct generate_options {
    long count;
    long events;
    uint64_t seed;
    const char *dsn;
    const char *municipality;
    const char *institution;
    const char *sample_file;
    const char *today;
    long sample_every;
};

static void generate_usage(FILE *out)
{
    fputs("Usage: spona-generate-persons --dsn DSN --municipality CODE --institution CODE\n"
          "                              [-n COUNT] [--events N] [--today YYYY-MM-DD]\n"
          "                              [--seed N] [--sample FILE [--every K]]\n"
          "\n"
          "Inserts COUNT synthetic persons (default 1000000) registered by the lead\n"
          "institution CODE of the municipality, with COPY, and with --events N about N\n"
          "case events for them (cases, assessments, plans, referrals and their answers,\n"
          "conferences, notes, outcomes, follow-ups, benefit periods; default 0: persons\n"
          "only) dated from 2021-01-01 to --today (default: yesterday). DSN must connect\n"
          "as the owner of the tables (spona_owner). --sample writes every K-th name\n"
          "(default 1000) as \"last first\", one a line, for spona-search-bench. The same\n"
          "seed and --today give the same rows. Progress goes to stderr.\n",
          out);
}

/* A number option in min..max; -1 after reporting. */
static long option_number(const char *text, long min, long max, const char *what)
{
    char *end = NULL;
    errno = 0;
    long value = strtol(text, &end, 10);
    if (text[0] == '\0' || *end != '\0' || errno != 0 || value < min || value > max) {
        fprintf(stderr, "generate-persons: %s must be %ld..%ld\n", what, min, max);
        return -1;
    }
    return value;
}

static int generate_parse(struct generate_options *options, int argc, char **argv)
{
    static const struct option long_options[] = {
        {"dsn", required_argument, NULL, 'd'},
        {"municipality", required_argument, NULL, 'm'},
        {"institution", required_argument, NULL, 'i'},
        {"count", required_argument, NULL, 'n'},
        {"events", required_argument, NULL, 'E'},
        {"today", required_argument, NULL, 't'},
        {"seed", required_argument, NULL, 's'},
        {"sample", required_argument, NULL, 'S'},
        {"every", required_argument, NULL, 'e'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    memset(options, 0, sizeof(*options));
    options->count = 1000000;
    options->seed = 42;
    options->sample_every = 1000;
    for (;;) {
        int option = getopt_long(argc, argv, "n:h", long_options, NULL);
        if (option == -1)
            break;
        long value = 0;
        switch (option) {
        case 'd': options->dsn = optarg; break;
        case 'm': options->municipality = optarg; break;
        case 'i': options->institution = optarg; break;
        case 'S': options->sample_file = optarg; break;
        case 't': options->today = optarg; break;
        case 'n': value = options->count = option_number(optarg, 1, GENERATE_MAX_PERSONS, "-n"); break;
        case 'E':
            value = options->events = option_number(optarg, 0, GENERATE_MAX_EVENTS, "--events");
            break;
        case 's':
            value = option_number(optarg, 1, 1L << 62, "--seed");
            options->seed = (uint64_t)value;
            break;
        case 'e': value = options->sample_every = option_number(optarg, 1, 1L << 30, "--every"); break;
        case 'h': generate_usage(stdout); return 1;
        default: generate_usage(stderr); return -1;
        }
        if (value < 0)
            return -1;
    }
    if (options->dsn == NULL || options->municipality == NULL || options->institution == NULL ||
        optind < argc) {
        generate_usage(stderr);
        return -1;
    }
    return 0;
}

/*
 * Finds the municipality's id, the institution's id (it must be a lead agency
 * there), one of its users, and how many persons the municipality has (the
 * first JMBG index).
 */
static int generate_lookup(struct generate_context *context,
                           const struct generate_options *options)
{
    const char *params[] = {options->municipality, options->institution};
    PGresult *result = PQexecParams(
        context->conn,
        "SELECT m.id, i.id, i.role,"
        "       (SELECT count(*) FROM persons p WHERE p.municipality_id = m.id),"
        "       (SELECT u.id FROM users u WHERE u.institution_id = i.id AND u.enabled"
        "         ORDER BY u.username LIMIT 1)"
        "  FROM municipalities m JOIN institutions i ON i.municipality_id = m.id"
        " WHERE m.code = $1 AND i.code = $2",
        2, NULL, params, NULL, NULL, 0);
    int ok = PQresultStatus(result) == PGRES_TUPLES_OK;
    if (!ok)
        fprintf(stderr, "generate-persons: %s", PQerrorMessage(context->conn));
    else if (PQntuples(result) != 1)
        fprintf(stderr, "generate-persons: no institution %s in municipality %s\n",
                options->institution, options->municipality);
    else if (strcmp(PQgetvalue(result, 0, 2), "lead_agency") != 0)
        fprintf(stderr, "generate-persons: %s is a %s, not a lead_agency\n",
                options->institution, PQgetvalue(result, 0, 2));
    else if (options->events > 0 && PQgetisnull(result, 0, 4))
        fprintf(stderr, "generate-persons: %s has no user to open cases\n",
                options->institution);
    else {
        snprintf(context->municipality_id, sizeof(context->municipality_id), "%s",
                 PQgetvalue(result, 0, 0));
        snprintf(context->institution_id, sizeof(context->institution_id), "%s",
                 PQgetvalue(result, 0, 1));
        snprintf(context->lead_user_id, sizeof(context->lead_user_id), "%s",
                 PQgetvalue(result, 0, 4));
        context->first = strtol(PQgetvalue(result, 0, 3), NULL, 10);
        PQclear(result);
        return 0;
    }
    PQclear(result);
    return -1;
}

/* The partners cases are referred to: the municipality's other institutions but the
 * coordinator and lead agencies, each with one of its users if it has any. */
static int generate_partners(struct generate_context *context)
{
    const char *params[] = {context->municipality_id};
    PGresult *result = PQexecParams(
        context->conn,
        "SELECT i.id, i.code, i.role,"
        "       COALESCE((SELECT u.id::text FROM users u WHERE u.institution_id = i.id"
        "                  AND u.enabled ORDER BY u.username LIMIT 1), '')"
        "  FROM institutions i WHERE i.municipality_id = $1 AND i.enabled"
        "   AND i.role NOT IN ('coordinator', 'lead_agency') ORDER BY i.code",
        1, NULL, params, NULL, NULL, 0);
    if (PQresultStatus(result) != PGRES_TUPLES_OK) {
        fprintf(stderr, "generate-persons: %s", PQerrorMessage(context->conn));
        PQclear(result);
        return -1;
    }
    for (int row = 0; row < PQntuples(result) && row < GENERATE_MAX_PARTNERS; row++) {
        struct generate_partner *partner = &context->partners[context->partner_count++];
        snprintf(partner->id, sizeof(partner->id), "%s", PQgetvalue(result, row, 0));
        snprintf(partner->code, sizeof(partner->code), "%s", PQgetvalue(result, row, 1));
        snprintf(partner->role, sizeof(partner->role), "%s", PQgetvalue(result, row, 2));
        snprintf(partner->user_id, sizeof(partner->user_id), "%s", PQgetvalue(result, row, 3));
    }
    PQclear(result);
    return 0;
}

/* --today (or the local date) as a day number from 2021-01-01. */
static int generate_today(struct generate_context *context, const char *today)
{
    int year, month, dom;
    if (today != NULL) {
        char extra;
        if (sscanf(today, "%4d-%2d-%2d%c", &year, &month, &dom, &extra) != 3 || month < 1 ||
            month > 12 || dom < 1 || dom > 31 || year < GENERATE_EPOCH_YEAR + 1 || year > 2100) {
            fprintf(stderr, "generate-persons: --today must be YYYY-MM-DD after 2022-01-01\n");
            return -1;
        }
    } else {
        time_t now = time(NULL);
        struct tm local;
        localtime_r(&now, &local);
        year = local.tm_year + 1900;
        month = local.tm_mon + 1;
        dom = local.tm_mday;
    }
    /* by default up to yesterday, so that no row lies in the future */
    context->today = generate_day_of(year, month, dom) - (today == NULL);
    return 0;
}

/* --- persons --- */

/*
 * Priority groups of the Prijedor protocol: most persons none, some one, a few
 * two; domestic violence only for women, rural one-time assistance only for
 * rural persons. Returns the PERSON_GROUP_* bits and writes the codes.
 */
static unsigned person_groups(uint64_t *state, unsigned flags, char *out, size_t out_size)
{
    static const struct { unsigned bit; const char *code; } groups[] = {
        {PERSON_GROUP_VIOLENCE, "women_domestic_violence"},
        {PERSON_GROUP_RURAL_OTA, "rural_one_time_assistance"},
        {PERSON_GROUP_DISABILITY, "persons_with_disabilities"},
        {PERSON_GROUP_YOUTH, "youth_leaving_care"},
    };
    size_t roll = random_below(state, 100);
    int wanted = roll < 78 ? 0 : roll < 96 ? 1 : 2;
    unsigned chosen = 0;
    for (int attempt = 0; attempt < 8 && wanted > 0; attempt++) {
        unsigned bit = groups[random_below(state, COUNT(groups))].bit;
        if ((chosen & bit) != 0 || (bit == PERSON_GROUP_VIOLENCE && !(flags & PERSON_FEMALE)) ||
            (bit == PERSON_GROUP_RURAL_OTA && !(flags & PERSON_RURAL)))
            continue;
        chosen |= bit;
        wanted--;
    }
    out[0] = '\0';
    for (size_t i = 0, used = 0; i < COUNT(groups); i++) /* in the protocol's order */
        if (chosen & groups[i].bit)
            used += (size_t)snprintf(out + used, out_size - used, "%s%s", used > 0 ? "," : "",
                                     groups[i].code);
    return chosen;
}

/* The names and keys of one person; -1 when namekey fails. */
struct person_names {
    char first_name[128], last_name[128], full[260], key[300], loose[300], key_first[300];
};

static int person_names_make(uint64_t *state, char sex, struct person_names *names)
{
    const char *first_latin = sex == 'F'
                                  ? female_names[random_below(state, COUNT(female_names))]
                                  : male_names[random_below(state, COUNT(male_names))];
    const char *last_latin = last_names[random_below(state, COUNT(last_names))];
    if (random_below(state, 3) == 0) { /* a third written in Cyrillic */
        to_cyrillic(first_latin, names->first_name, sizeof(names->first_name));
        to_cyrillic(last_latin, names->last_name, sizeof(names->last_name));
    } else {
        snprintf(names->first_name, sizeof(names->first_name), "%s", first_latin);
        snprintf(names->last_name, sizeof(names->last_name), "%s", last_latin);
    }
    /* the server's keys (handlers_person.c): "last first", its loose key, "first last" */
    char full_first[260];
    snprintf(names->full, sizeof(names->full), "%s %s", names->last_name, names->first_name);
    snprintf(full_first, sizeof(full_first), "%s %s", names->first_name, names->last_name);
    if (namekey_make(names->full, names->key, sizeof(names->key)) < 0 ||
        namekey_make_loose(names->full, names->loose, sizeof(names->loose)) < 0 ||
        namekey_make(full_first, names->key_first, sizeof(names->key_first)) < 0) {
        fprintf(stderr, "generate-persons: no name key for a generated name\n");
        return -1;
    }
    return 0;
}

/* Generates and copies the persons, keeping each one's flags; 0, or -1 after reporting. */
static int generate_persons(struct generate_context *context,
                            const struct generate_options *options, FILE *sample)
{
    struct copy_stream copy;
    if (copy_begin(&copy, context->conn, "persons",
                   "COPY persons (id, municipality_id, created_by_institution, first_name,"
                   " last_name, jmbg, birth_date, sex, rural, household_size, priority_groups,"
                   " name_key, name_key_loose, name_key_first) FROM STDIN",
                   options->count) != 0)
        return -1;
    uint64_t state = options->seed;
    long index = context->first;
    while (context->persons < options->count && !copy.failed) {
        char sex = random_below(&state, 2) ? 'F' : 'M';
        char jmbg[32], birth_date[32], err[128];
        if (make_jmbg(index++, sex, jmbg, birth_date) != 0)
            continue;
        if (jmbg_check(jmbg, JMBG_STRICT, NULL, err, sizeof(err)) != 0) {
            fprintf(stderr, "generate-persons: made an invalid JMBG: %s\n", err);
            copy.failed = 1;
            break;
        }
        struct person_names names;
        if (person_names_make(&state, sex, &names) != 0) {
            copy.failed = 1;
            break;
        }
        unsigned flags = (sex == 'F' ? PERSON_FEMALE : 0u) |
                         (random_percent(&state, 40) ? PERSON_RURAL : 0u);
        char groups[160], id[40];
        flags |= person_groups(&state, flags, groups, sizeof(groups));
        long global = context->first + context->persons;
        generate_uuid(context->seed, TAG_PERSON, (uint64_t)global, id);
        copy_row(&copy, "%s\t%s\t%s\t%s\t%s\t%s\t%s\t%c\t%s\t%d\t%s\t%s\t%s\t%s\n", id,
                 context->municipality_id, context->institution_id, names.first_name,
                 names.last_name, jmbg, birth_date, sex, (flags & PERSON_RURAL) ? "t" : "f",
                 1 + (int)random_below(&state, 6), groups[0] != '\0' ? groups : "\\N",
                 names.key, names.loose, names.key_first);
        context->person_flags[context->persons++] = (unsigned char)flags;
        if (sample != NULL && context->persons % options->sample_every == 0)
            fprintf(sample, "%s\n", names.full);
    }
    return copy_end(&copy);
}

/* ANALYZE of every table written, so that the planner knows the new sizes. */
static int generate_analyze(PGconn *conn, int with_cases)
{
    struct timespec start;
    clock_gettime(CLOCK_MONOTONIC, &start);
    PGresult *result = PQexec(conn, with_cases
                                        ? "ANALYZE persons, person_benefits, cases, case_team,"
                                          " assessments, plans, referrals, case_conferences,"
                                          " case_notes, outcomes, outcome_follow_ups"
                                        : "ANALYZE persons");
    int analyzed = PQresultStatus(result) == PGRES_COMMAND_OK;
    PQclear(result);
    if (!analyzed) {
        fprintf(stderr, "generate-persons: ANALYZE: %s", PQerrorMessage(conn));
        return -1;
    }
    fprintf(stderr, "generate: ANALYZE in %.1f s\n", generate_seconds_since(&start));
    return 0;
}

int main(int argc, char **argv)
{
    struct generate_options options;
    int parsed = generate_parse(&options, argc, argv);
    if (parsed != 0)
        return parsed > 0 ? 0 : 1;
    int code = 1;
    FILE *sample = NULL;
    struct generate_context context;
    memset(&context, 0, sizeof(context));
    context.seed = options.seed;
    struct timespec start;
    clock_gettime(CLOCK_MONOTONIC, &start);
    context.conn = PQconnectdb(options.dsn);
    if (PQstatus(context.conn) != CONNECTION_OK) {
        fprintf(stderr, "generate-persons: %s", PQerrorMessage(context.conn));
        goto cleanup;
    }
    if (generate_today(&context, options.today) != 0 ||
        generate_lookup(&context, &options) != 0 || generate_partners(&context) != 0)
        goto cleanup;
    if ((context.person_flags = malloc((size_t)options.count)) == NULL) {
        fprintf(stderr, "generate-persons: out of memory\n");
        goto cleanup;
    }
    if (options.sample_file != NULL && (sample = fopen(options.sample_file, "w")) == NULL) {
        fprintf(stderr, "generate-persons: %s: %s\n", options.sample_file, strerror(errno));
        goto cleanup;
    }
    if (generate_persons(&context, &options, sample) != 0)
        goto cleanup;
    struct case_options case_options = {.events = options.events};
    if (options.events > 0 && generate_cases(&context, &case_options) != 0)
        goto cleanup;
    if (generate_analyze(context.conn, options.events > 0) != 0)
        goto cleanup;
    fprintf(stderr, "generate: done in %.1f s\n", generate_seconds_since(&start));
    code = 0;

cleanup:
    if (sample != NULL && fclose(sample) != 0 && code == 0) {
        fprintf(stderr, "generate-persons: %s: %s\n", options.sample_file, strerror(errno));
        code = 1;
    }
    free(context.person_flags);
    PQfinish(context.conn);
    return code;
}
