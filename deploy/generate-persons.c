/*
 * spona-generate-persons: fills a database with N synthetic persons for the
 * name-search benchmark (client/bench/search_bench.c, docs/performance.md).
 * Bosnian/Serbian first and last names, about a third written in Cyrillic;
 * valid, unique JMBGs with the birth date and sex they encode; search keys
 * from common/namekey.c exactly as the server writes them; every person
 * registered by one lead institution of one municipality. Rows go in through
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
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "jmbg.h"
#include "namekey.h"

#define GENERATE_MAX_PERSONS 20000000L
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

/* xorshift64*: the same seed gives the same persons. */
static uint64_t random_next(uint64_t *state)
{
    *state ^= *state >> 12;
    *state ^= *state << 25;
    *state ^= *state >> 27;
    return *state * 2685821657736338717ULL;
}

static size_t random_below(uint64_t *state, size_t bound)
{
    return (size_t)(random_next(state) % bound);
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

struct generate_options {
    long count;
    uint64_t seed;
    const char *dsn;
    const char *municipality;
    const char *institution;
    const char *sample_file;
    long sample_every;
};

static void generate_usage(FILE *out)
{
    fputs("Usage: spona-generate-persons --dsn DSN --municipality CODE --institution CODE\n"
          "                              [-n COUNT] [--seed N] [--sample FILE [--every K]]\n"
          "\n"
          "Inserts COUNT synthetic persons (default 1000000) registered by the lead\n"
          "institution CODE of the municipality, with COPY. DSN must connect as the\n"
          "owner of the tables (spona_owner). --sample writes every K-th name\n"
          "(default 1000) as \"last first\", one a line, for spona-search-bench.\n",
          out);
}

static int generate_parse(struct generate_options *options, int argc, char **argv)
{
    static const struct option long_options[] = {
        {"dsn", required_argument, NULL, 'd'},
        {"municipality", required_argument, NULL, 'm'},
        {"institution", required_argument, NULL, 'i'},
        {"count", required_argument, NULL, 'n'},
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
        char *end = NULL;
        errno = 0;
        switch (option) {
        case 'd': options->dsn = optarg; break;
        case 'm': options->municipality = optarg; break;
        case 'i': options->institution = optarg; break;
        case 'S': options->sample_file = optarg; break;
        case 'n':
            options->count = strtol(optarg, &end, 10);
            if (*end != '\0' || errno != 0 || options->count < 1 ||
                options->count > GENERATE_MAX_PERSONS) {
                fprintf(stderr, "generate-persons: -n must be 1..%ld\n", GENERATE_MAX_PERSONS);
                return -1;
            }
            break;
        case 's':
            options->seed = strtoull(optarg, &end, 10);
            if (*end != '\0' || errno != 0 || options->seed == 0) {
                fprintf(stderr, "generate-persons: --seed must be a positive number\n");
                return -1;
            }
            break;
        case 'e':
            options->sample_every = strtol(optarg, &end, 10);
            if (*end != '\0' || errno != 0 || options->sample_every < 1) {
                fprintf(stderr, "generate-persons: --every must be at least 1\n");
                return -1;
            }
            break;
        case 'h': generate_usage(stdout); return 1;
        default: generate_usage(stderr); return -1;
        }
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
 * there) and how many persons the municipality has (the first JMBG index).
 */
static int generate_lookup(PGconn *conn, const struct generate_options *options,
                           char municipality_id[40], char institution_id[40], long *first)
{
    const char *params[] = {options->municipality, options->institution};
    PGresult *result = PQexecParams(
        conn,
        "SELECT m.id, i.id, i.role,"
        "       (SELECT count(*) FROM persons p WHERE p.municipality_id = m.id)"
        "  FROM municipalities m JOIN institutions i ON i.municipality_id = m.id"
        " WHERE m.code = $1 AND i.code = $2",
        2, NULL, params, NULL, NULL, 0);
    int ok = PQresultStatus(result) == PGRES_TUPLES_OK;
    if (!ok)
        fprintf(stderr, "generate-persons: %s", PQerrorMessage(conn));
    else if (PQntuples(result) != 1)
        fprintf(stderr, "generate-persons: no institution %s in municipality %s\n",
                options->institution, options->municipality);
    else if (strcmp(PQgetvalue(result, 0, 2), "lead_agency") != 0)
        fprintf(stderr, "generate-persons: %s is a %s, not a lead_agency\n",
                options->institution, PQgetvalue(result, 0, 2));
    else {
        snprintf(municipality_id, 40, "%s", PQgetvalue(result, 0, 0));
        snprintf(institution_id, 40, "%s", PQgetvalue(result, 0, 1));
        *first = strtol(PQgetvalue(result, 0, 3), NULL, 10);
        PQclear(result);
        return 0;
    }
    PQclear(result);
    return -1;
}

/* Sends buffer as COPY data; -1 on failure. */
static int copy_flush(PGconn *conn, char *buffer, size_t *used)
{
    if (*used == 0)
        return 0;
    if (PQputCopyData(conn, buffer, (int)*used) != 1) {
        fprintf(stderr, "generate-persons: %s", PQerrorMessage(conn));
        return -1;
    }
    *used = 0;
    return 0;
}

static double seconds_since(const struct timespec *start)
{
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    return (double)(now.tv_sec - start->tv_sec) + (double)(now.tv_nsec - start->tv_nsec) / 1e9;
}

/* Generates and copies the rows; 0, or -1 after reporting the error. */
static int generate_copy(PGconn *conn, const struct generate_options *options,
                         const char *municipality_id, const char *institution_id, long first,
                         FILE *sample)
{
    PGresult *result = PQexec(conn,
                              "COPY persons (municipality_id, created_by_institution, first_name,"
                              " last_name, jmbg, birth_date, sex, rural, household_size,"
                              " name_key, name_key_loose, name_key_first) FROM STDIN");
    if (PQresultStatus(result) != PGRES_COPY_IN) {
        fprintf(stderr, "generate-persons: %s", PQerrorMessage(conn));
        PQclear(result);
        return -1;
    }
    PQclear(result);

    char *buffer = malloc(GENERATE_BUFFER_BYTES);
    if (buffer == NULL) {
        PQputCopyEnd(conn, "out of memory");
        return -1;
    }
    uint64_t state = options->seed;
    size_t used = 0;
    long index = first, written = 0;
    struct timespec start;
    clock_gettime(CLOCK_MONOTONIC, &start);
    int failed = 0;
    while (written < options->count && !failed) {
        char sex = random_below(&state, 2) ? 'F' : 'M';
        char jmbg[32], birth_date[32];
        if (make_jmbg(index++, sex, jmbg, birth_date) != 0)
            continue;
        char err[128];
        if (jmbg_check(jmbg, JMBG_STRICT, NULL, err, sizeof(err)) != 0) {
            fprintf(stderr, "generate-persons: made an invalid JMBG: %s\n", err);
            failed = 1;
            break;
        }
        const char *first_latin = sex == 'F'
                                      ? female_names[random_below(&state, COUNT(female_names))]
                                      : male_names[random_below(&state, COUNT(male_names))];
        const char *last_latin = last_names[random_below(&state, COUNT(last_names))];
        char first_name[128], last_name[128], full[260], full_first[260], key[300],
            loose[300], key_first[300];
        if (random_below(&state, 3) == 0) { /* a third written in Cyrillic */
            to_cyrillic(first_latin, first_name, sizeof(first_name));
            to_cyrillic(last_latin, last_name, sizeof(last_name));
        } else {
            snprintf(first_name, sizeof(first_name), "%s", first_latin);
            snprintf(last_name, sizeof(last_name), "%s", last_latin);
        }
        /* the server's keys (handlers_person.c): "last first", its loose key, "first last" */
        snprintf(full, sizeof(full), "%s %s", last_name, first_name);
        snprintf(full_first, sizeof(full_first), "%s %s", first_name, last_name);
        if (namekey_make(full, key, sizeof(key)) < 0 ||
            namekey_make_loose(full, loose, sizeof(loose)) < 0 ||
            namekey_make(full_first, key_first, sizeof(key_first)) < 0) {
            fprintf(stderr, "generate-persons: no name key for a generated name\n");
            failed = 1;
            break;
        }
        if (used + 1024 > GENERATE_BUFFER_BYTES && copy_flush(conn, buffer, &used) != 0) {
            failed = 1;
            break;
        }
        used += (size_t)snprintf(buffer + used, GENERATE_BUFFER_BYTES - used,
                                 "%s\t%s\t%s\t%s\t%s\t%s\t%c\t%s\t%d\t%s\t%s\t%s\n",
                                 municipality_id, institution_id, first_name, last_name, jmbg,
                                 birth_date, sex, random_below(&state, 3) == 0 ? "t" : "f",
                                 1 + (int)random_below(&state, 6), key, loose, key_first);
        written++;
        if (sample != NULL && written % options->sample_every == 0)
            fprintf(sample, "%s\n", full);
        if (written % 100000 == 0 || written == options->count)
            fprintf(stderr, "\rgenerate-persons: %ld/%ld persons, %.0f/s   ", written,
                    options->count, (double)written / seconds_since(&start));
    }
    if (!failed)
        failed = copy_flush(conn, buffer, &used) != 0;
    free(buffer);
    fputc('\n', stderr);
    if (PQputCopyEnd(conn, failed ? "generation failed" : NULL) != 1) {
        fprintf(stderr, "generate-persons: %s", PQerrorMessage(conn));
        return -1;
    }
    result = PQgetResult(conn);
    if (PQresultStatus(result) != PGRES_COMMAND_OK) {
        if (!failed)
            fprintf(stderr, "generate-persons: %s", PQerrorMessage(conn));
        failed = 1;
    }
    PQclear(result);
    while ((result = PQgetResult(conn)) != NULL)
        PQclear(result);
    if (!failed)
        fprintf(stderr, "generate-persons: %ld persons copied in %.1f s\n", written,
                seconds_since(&start));
    return failed ? -1 : 0;
}

int main(int argc, char **argv)
{
    struct generate_options options;
    int parsed = generate_parse(&options, argc, argv);
    if (parsed != 0)
        return parsed > 0 ? 0 : 1;
    int code = 1;
    FILE *sample = NULL;
    PGconn *conn = PQconnectdb(options.dsn);
    if (PQstatus(conn) != CONNECTION_OK) {
        fprintf(stderr, "generate-persons: %s", PQerrorMessage(conn));
        goto cleanup;
    }
    char municipality_id[40], institution_id[40];
    long first = 0;
    if (generate_lookup(conn, &options, municipality_id, institution_id, &first) != 0)
        goto cleanup;
    if (options.sample_file != NULL && (sample = fopen(options.sample_file, "w")) == NULL) {
        fprintf(stderr, "generate-persons: %s: %s\n", options.sample_file, strerror(errno));
        goto cleanup;
    }
    if (generate_copy(conn, &options, municipality_id, institution_id, first, sample) != 0)
        goto cleanup;
    struct timespec start;
    clock_gettime(CLOCK_MONOTONIC, &start);
    PGresult *result = PQexec(conn, "ANALYZE persons");
    int analyzed = PQresultStatus(result) == PGRES_COMMAND_OK;
    PQclear(result);
    if (!analyzed) {
        fprintf(stderr, "generate-persons: ANALYZE: %s", PQerrorMessage(conn));
        goto cleanup;
    }
    fprintf(stderr, "generate-persons: ANALYZE persons in %.1f s\n", seconds_since(&start));
    code = 0;

cleanup:
    if (sample != NULL && fclose(sample) != 0 && code == 0) {
        fprintf(stderr, "generate-persons: %s: %s\n", options.sample_file, strerror(errno));
        code = 1;
    }
    PQfinish(conn);
    return code;
}
