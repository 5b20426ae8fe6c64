/*
 * Admin commands (see admin.h): one table from command name to handler and
 * arity, like the request table. Passwords come from SPONA_PASSWORD or the
 * first line of standard input, never from the command line.
 */
#include "admin.h"
#include "policy_parse.h"

#include <libpq-fe.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "decision_table.h"
#include "password.h"
#include "policy.h"
#include "policy_diff.h"

typedef int (*admin_handler)(const struct server_config *config, PGconn *db, char **argv);

struct admin_command {
    const char *name;
    int min_args, max_args;
    const char *usage;
    admin_handler handler;
};

/* Runs a parameterised statement; prints the error and returns NULL on failure. */
static PGresult *admin_exec(PGconn *db, const char *sql, int count, const char *const *params)
{
    PGresult *result = PQexecParams(db, sql, count, NULL, params, NULL, NULL, 0);
    ExecStatusType status = PQresultStatus(result);
    if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK) {
        fprintf(stderr, "spona-server: %s", PQresultErrorMessage(result));
        PQclear(result);
        return NULL;
    }
    return result;
}

/* Runs a statement that must touch exactly one row; `what` names it in the error. */
static int admin_exec_one(PGconn *db, const char *sql, int count, const char *const *params,
                          const char *what)
{
    PGresult *result = admin_exec(db, sql, count, params);
    if (result == NULL)
        return 1;
    int rows = PQresultStatus(result) == PGRES_TUPLES_OK ? PQntuples(result)
                                                          : atoi(PQcmdTuples(result));
    PQclear(result);
    if (rows != 1) {
        fprintf(stderr, "spona-server: %s not found\n", what);
        return 1;
    }
    return 0;
}

static int admin_value(PGconn *db, const char *sql, int count, const char *const *params,
                       char *out, size_t out_size);

static int add_municipality(const struct server_config *config, PGconn *db, char **argv)
{
    const char *params[] = {argv[0], argv[1], argv[2] ? argv[2] : ""};
    int status = admin_exec_one(
        db,
        "INSERT INTO municipalities (code, name, region) VALUES ($1, $2, $3)"
        " ON CONFLICT (code) DO UPDATE SET name = EXCLUDED.name, region = EXCLUDED.region"
        " RETURNING id",
        3, params, "municipality");
    if (status == 0)
        printf("municipality %s registered\n", argv[0]);
    return status;
}

static int add_institution(const struct server_config *config, PGconn *db, char **argv)
{
    const char *params[] = {argv[0], argv[1], argv[2], argv[3]};
    char what[256];
    snprintf(what, sizeof(what), "municipality '%s'", argv[0]);
    int status = admin_exec_one(
        db,
        "INSERT INTO institutions (municipality_id, code, role, name)"
        " SELECT id, $2, $3, $4 FROM municipalities WHERE code = $1"
        " ON CONFLICT (code) DO UPDATE SET role = EXCLUDED.role, name = EXCLUDED.name"
        " RETURNING id",
        4, params, what);
    if (status == 0)
        printf("institution %s (%s) registered\n", argv[1], argv[2]);
    return status;
}

/* Reads the new password from SPONA_PASSWORD or the first line of stdin. */
static int read_new_password(char *out, size_t out_size)
{
    const char *from_env = getenv("SPONA_PASSWORD");
    if (from_env != NULL) {
        snprintf(out, out_size, "%s", from_env);
    } else if (fgets(out, (int)out_size, stdin) != NULL) {
        out[strcspn(out, "\r\n")] = '\0';
    } else {
        out[0] = '\0';
    }
    if (strlen(out) < 8) {
        fprintf(stderr, "spona-server: the password (SPONA_PASSWORD or first line of stdin)"
                        " must have at least 8 characters\n");
        return -1;
    }
    return 0;
}

static int add_user(const struct server_config *config, PGconn *db, char **argv)
{
    char password[1024], hash[PASSWORD_HASH_MAX];
    if (read_new_password(password, sizeof(password)) != 0)
        return 1;
    int failed = password_hash(password, config->scrypt_log2_n, hash) != 0;
    memset(password, 0, sizeof(password));
    if (failed) {
        fprintf(stderr, "spona-server: password hashing failed\n");
        return 1;
    }
    const char *params[] = {argv[0], argv[1], argv[2], hash};
    char what[256];
    snprintf(what, sizeof(what), "institution '%s'", argv[0]);
    int status = admin_exec_one(
        db,
        "INSERT INTO users (municipality_id, institution_id, username, full_name, password_hash)"
        " SELECT municipality_id, id, $2, $3, $4 FROM institutions WHERE code = $1"
        " ON CONFLICT (institution_id, username) DO UPDATE SET full_name = EXCLUDED.full_name,"
        "   password_hash = EXCLUDED.password_hash, failed_logins = 0, locked_until = NULL"
        " RETURNING id",
        4, params, what);
    if (status == 0)
        printf("user %s of %s registered\n", argv[1], argv[0]);
    return status;
}

static int set_institution_enabled(const struct server_config *config, PGconn *db, char **argv)
{
    if (strcmp(argv[1], "true") != 0 && strcmp(argv[1], "false") != 0) {
        fprintf(stderr, "spona-server: expected true or false, got '%s'\n", argv[1]);
        return 2;
    }
    const char *params[] = {argv[0], argv[1]};
    char what[256];
    snprintf(what, sizeof(what), "institution '%s'", argv[0]);
    int status = admin_exec_one(db, "UPDATE institutions SET enabled = $2::boolean WHERE code = $1",
                                2, params, what);
    if (status == 0)
        printf("institution %s %s\n", argv[0], strcmp(argv[1], "true") == 0 ? "enabled" : "disabled");
    return status;
}

/* How to reach an institution, shown by `spona directory` (sql/041). */
static int set_institution_contact(const struct server_config *config, PGconn *db, char **argv)
{
    (void)config;
    if (strlen(argv[1]) > 500) {
        fprintf(stderr, "spona-server: a contact has at most 500 bytes\n");
        return 2;
    }
    const char *params[] = {argv[0], argv[1]};
    char what[256];
    snprintf(what, sizeof(what), "institution '%s'", argv[0]);
    int status = admin_exec_one(db, "UPDATE institutions SET contact = $2 WHERE code = $1"
                                    " RETURNING id",
                                2, params, what);
    if (status == 0)
        printf("institution %s: contact set\n", argv[0]);
    return status;
}

/* The short code of a municipality's case numbers (sql/040); numbers given keep theirs. */
static int set_municipality_short_code(const struct server_config *config, PGconn *db,
                                       char **argv)
{
    (void)config;
    size_t length = strlen(argv[1]);
    int ok = length >= 1 && length <= 6;
    for (size_t i = 0; ok && i < length; i++)
        ok = argv[1][i] >= 'A' && argv[1][i] <= 'Z';
    if (!ok) {
        fprintf(stderr, "spona-server: a short code is 1 to 6 capital letters A-Z\n");
        return 2;
    }
    const char *params[] = {argv[0], argv[1]};
    char what[256];
    snprintf(what, sizeof(what), "municipality '%s'", argv[0]);
    int status = admin_exec_one(db, "UPDATE municipalities SET short_code = $2 WHERE code = $1"
                                    " RETURNING id",
                                2, params, what);
    if (status == 0)
        printf("municipality %s: new cases are numbered %s-YEAR-NNNN\n", argv[0], argv[1]);
    return status;
}

static int unlock_user(const struct server_config *config, PGconn *db, char **argv)
{
    const char *params[] = {argv[0], argv[1]};
    char what[256];
    snprintf(what, sizeof(what), "user '%s' of institution '%s'", argv[1], argv[0]);
    int status = admin_exec_one(
        db,
        "UPDATE users u SET failed_logins = 0, locked_until = NULL FROM institutions i"
        " WHERE i.id = u.institution_id AND i.code = $1 AND u.username = $2",
        2, params, what);
    if (status == 0)
        printf("user %s of %s unlocked\n", argv[1], argv[0]);
    return status;
}

/* Enables or disables a user; disabling ends the user's open sessions (sql/024). */
static int set_user_enabled(const struct server_config *config, PGconn *db, char **argv)
{
    if (strcmp(argv[2], "true") != 0 && strcmp(argv[2], "false") != 0) {
        fprintf(stderr, "spona-server: expected true or false, got '%s'\n", argv[2]);
        return 2;
    }
    const char *params[] = {argv[0], argv[1], argv[2]};
    char what[256];
    snprintf(what, sizeof(what), "user '%s' of institution '%s'", argv[1], argv[0]);
    int status = admin_exec_one(
        db,
        "UPDATE users u SET enabled = $3::boolean FROM institutions i"
        " WHERE i.id = u.institution_id AND i.code = $1 AND u.username = $2",
        3, params, what);
    if (status == 0)
        printf("user %s of %s %s\n", argv[1], argv[0],
               strcmp(argv[2], "true") == 0 ? "enabled" : "disabled");
    return status;
}

/*
 * Ends every open session of a user (--user INSTITUTION_CODE USERNAME) or of an
 * institution (--institution CODE); the next request of each gets
 * UNAUTHENTICATED "your session was ended: ended by an administrator".
 */
static int end_sessions(const struct server_config *config, PGconn *db, char **argv)
{
    int by_user = strcmp(argv[0], "--user") == 0 && argv[1] != NULL && argv[2] != NULL;
    int by_institution = strcmp(argv[0], "--institution") == 0 && argv[2] == NULL;
    if (!by_user && !by_institution) {
        fprintf(stderr, "usage: spona-server -c FILE end-sessions"
                        " --user INSTITUTION_CODE USERNAME | --institution CODE\n");
        return 2;
    }
    const char *params[] = {argv[1], by_user ? argv[2] : ""};
    char found[64];
    int known = admin_value(db,
                            by_user ? "SELECT u.id FROM users u JOIN institutions i"
                                      "  ON i.id = u.institution_id"
                                      " WHERE i.code = $1 AND u.username = $2"
                                    : "SELECT id FROM institutions WHERE code = $1 AND $2 = ''",
                            2, params, found, sizeof(found));
    if (known != 0) {
        if (known > 0)
            fprintf(stderr, "spona-server: %s '%s' not found\n", by_user ? "user" : "institution",
                    by_user ? argv[2] : argv[1]);
        return 1;
    }
    const char *end_params[] = {found};
    PGresult *result = admin_exec(db,
                                  by_user ? "UPDATE sessions SET ended_at = now(),"
                                            "  end_reason = 'ended by an administrator'"
                                            " WHERE user_id = $1 AND ended_at IS NULL"
                                          : "UPDATE sessions SET ended_at = now(),"
                                            "  end_reason = 'ended by an administrator'"
                                            " WHERE institution_id = $1 AND ended_at IS NULL",
                                  1, end_params);
    if (result == NULL)
        return 1;
    printf("%s sessions of %s %s ended\n", PQcmdTuples(result), by_user ? "user" : "institution",
           by_user ? argv[2] : argv[1]);
    PQclear(result);
    return 0;
}

/* The known-institution check of import-protocol: registered in the document's municipality. */
struct admin_lookup {
    PGconn *db;
    int failed;
};

static int admin_institution_known(void *context, const char *municipality,
                                   const char *institution)
{
    struct admin_lookup *lookup = context;
    if (lookup->failed)
        return 1;
    const char *params[] = {municipality, institution};
    PGresult *result = admin_exec(
        lookup->db,
        "SELECT 1 FROM institutions i JOIN municipalities m ON m.id = i.municipality_id"
        " WHERE m.code = $1 AND i.code = $2",
        2, params);
    if (result == NULL) {
        lookup->failed = 1;
        return 1;
    }
    int known = PQntuples(result) == 1;
    PQclear(result);
    return known;
}

/* Runs a statement expected to return one row and copies its first column; 0, 1 (no row) or -1. */
static int admin_value(PGconn *db, const char *sql, int count, const char *const *params,
                       char *out, size_t out_size)
{
    PGresult *result = admin_exec(db, sql, count, params);
    if (result == NULL)
        return -1;
    int found = PQntuples(result) == 1;
    if (found)
        snprintf(out, out_size, "%s", PQgetvalue(result, 0, 0));
    PQclear(result);
    return found ? 0 : 1;
}

/*
 * Compares the document with the latest activated version of its municipality
 * (docs/policy.md, "Amendments"): the gains into *diff (none when no version is
 * activated yet: the first version is the bootstrap). 0, or 1 (printed).
 */
static int admin_compare(PGconn *db, const char *municipality_id, const struct policy *policy,
                         struct policy_diff *diff)
{
    memset(diff, 0, sizeof(*diff));
    const char *params[] = {municipality_id};
    PGresult *result = admin_exec(db,
                                  "SELECT source FROM protocols WHERE municipality_id = $1"
                                  "   AND activated_at IS NOT NULL"
                                  " ORDER BY version DESC LIMIT 1",
                                  1, params);
    if (result == NULL)
        return 1;
    int status = 0;
    if (PQntuples(result) == 1) {
        struct policy old;
        char err[1024];
        const char *source = PQgetvalue(result, 0, 0);
        if (policy_parse_string(source, strlen(source), "stored protocol", NULL, &old, err,
                                sizeof(err)) != 0) {
            fprintf(stderr, "spona-server: the activated protocol cannot be parsed: %s\n", err);
            status = 1;
        } else {
            status = policy_diff(&old, policy, diff) != 0;
            policy_free(&old);
        }
    }
    PQclear(result);
    return status;
}

/*
 * A widening version (gains in diff): one required approval per lead agency and
 * widened institution, printed, so the admin command cannot activate it either.
 * 0, or 1 (printed).
 */
static int admin_require_approvals(PGconn *db, const char *protocol_id,
                                   const char *municipality_id, const struct policy *policy,
                                   const struct policy_diff *diff)
{
    if (diff->gain_count == 0)
        return 0;
    for (size_t i = 0; i < policy->signatory_count; i++) {
        char reason[512];
        policy_diff_reason(diff, policy, policy->signatories[i].institution, reason,
                           sizeof(reason));
        if (reason[0] == '\0')
            continue;
        const char *params[] = {protocol_id, municipality_id,
                                policy->signatories[i].institution, reason};
        char what[200];
        snprintf(what, sizeof(what), "institution '%.64s'", policy->signatories[i].institution);
        if (admin_exec_one(db,
                           "INSERT INTO protocol_approvals (protocol_id, institution_id, reason)"
                           " SELECT $1, id, $4 FROM institutions"
                           "  WHERE code = $3 AND municipality_id = $2",
                           4, params, what) != 0)
            return 1;
        printf("version %d needs the approval of %s (%s)\n", policy->version,
               policy->signatories[i].institution, reason);
    }
    return 0;
}

/* The version's signatories and the audit record of the import; 0, or 1 (printed). */
static int admin_store_signatories(PGconn *db, const char *protocol_id,
                                   const char *municipality_id, const char *version,
                                   const struct policy *policy)
{
    for (size_t i = 0; i < policy->signatory_count; i++) {
        const char *params[] = {protocol_id, municipality_id, policy->signatories[i].institution,
                                policy_role_name(policy->signatories[i].role)};
        char what[200];
        snprintf(what, sizeof(what), "institution '%.64s' of municipality '%.64s'",
                 policy->signatories[i].institution, policy->municipality);
        if (admin_exec_one(db,
                           "INSERT INTO protocol_signatories (protocol_id, municipality_id,"
                           "                                  institution_id, role)"
                           " SELECT $1, $2, id, $4 FROM institutions"
                           "  WHERE code = $3 AND municipality_id = $2",
                           4, params, what) != 0)
            return 1;
    }
    char detail[48];
    snprintf(detail, sizeof(detail), "version %d (admin command)", policy->version);
    const char *audit_params[] = {municipality_id, version, detail};
    PGresult *result = admin_exec(
        db,
        "INSERT INTO audit_log (municipality_id, installation, action, protocol_version,"
        "                       outcome, detail)"
        " VALUES ($1, 'spona-server import-protocol', 'protocol_import', $2::int, 'ok', $3)",
        3, audit_params);
    if (result == NULL)
        return 1;
    PQclear(result);
    return 0;
}

/* The decision table of version protocol_id (sql/022); 0, or 1 (printed). */
static int admin_store_decisions(PGconn *db, const char *protocol_id,
                                 const struct policy *policy)
{
    char *rows = NULL;
    if (decision_table_json(policy, &rows) != 0) {
        fprintf(stderr, "spona-server: out of memory\n");
        return 1;
    }
    const char *params[] = {protocol_id, rows};
    PGresult *result = admin_exec(db, DECISION_TABLE_INSERT, 2, params);
    free(rows);
    if (result == NULL)
        return 1;
    PQclear(result);
    return 0;
}

/*
 * Derives the decision table of every stored version that has none (versions stored
 * before sql/022), from its stored text, in one transaction. 0, or 1 (printed).
 */
static int derive_decisions(const struct server_config *config, PGconn *db, char **argv)
{
    (void)config;
    (void)argv;
    PGresult *versions = admin_exec(
        db, "SELECT p.id, p.source FROM protocols p WHERE NOT EXISTS"
            " (SELECT 1 FROM policy_decisions d WHERE d.protocol_id = p.id) ORDER BY p.imported_at",
        0, NULL);
    if (versions == NULL)
        return 1;
    PGresult *begin = admin_exec(db, "BEGIN", 0, NULL);
    int failed = begin == NULL;
    PQclear(begin);
    for (int row = 0; row < PQntuples(versions) && !failed; row++) {
        struct policy policy;
        char err[1024];
        const char *source = PQgetvalue(versions, row, 1);
        failed = policy_parse_string(source, strlen(source), "stored protocol", NULL, &policy,
                                     err, sizeof(err)) != 0;
        if (failed)
            fprintf(stderr, "spona-server: stored protocol cannot be parsed: %s\n", err);
        else
            failed = admin_store_decisions(db, PQgetvalue(versions, row, 0), &policy);
        policy_free(&policy);
    }
    PGresult *end = admin_exec(db, failed ? "ROLLBACK" : "COMMIT", 0, NULL);
    failed |= end == NULL;
    PQclear(end);
    if (!failed)
        printf("decision tables derived for %d stored versions\n", PQntuples(versions));
    PQclear(versions);
    return failed;
}

/*
 * Stores the validated document as its municipality's next version, with its
 * signatories and an audit record, inside the open transaction. Returns 0 stored,
 * 1 refused (printed), 2 the same text is already stored as that version.
 */
static int admin_store_protocol(PGconn *db, const struct policy *policy, const char *digest)
{
    char municipality_id[64], version[16], value[64];
    const char *code_params[] = {policy->municipality};
    int found = admin_value(db, "SELECT id FROM municipalities WHERE code = $1 FOR UPDATE", 1,
                            code_params, municipality_id, sizeof(municipality_id));
    if (found != 0) {
        if (found > 0)
            fprintf(stderr, "spona-server: municipality '%s' is not registered\n",
                    policy->municipality);
        return 1;
    }
    snprintf(version, sizeof(version), "%d", policy->version);
    const char *stored_params[] = {municipality_id, version, digest};
    found = admin_value(db,
                        "SELECT source_sha256 = decode($3, 'hex') FROM protocols"
                        " WHERE municipality_id = $1 AND version = $2::int",
                        3, stored_params, value, sizeof(value));
    if (found < 0)
        return 1;
    if (found == 0 && strcmp(value, "t") == 0)
        return 2;
    const char *next_params[] = {municipality_id};
    if (admin_value(db,
                    "SELECT COALESCE(max(version), 0) + 1 FROM protocols WHERE municipality_id = $1",
                    1, next_params, value, sizeof(value)) != 0)
        return 1;
    if (policy->version != atoi(value)) {
        fprintf(stderr, "spona-server: version %d %s; the next version is %s\n", policy->version,
                policy->version < atoi(value) ? "is already stored (with another text)"
                                              : "would skip a version",
                value);
        return 1;
    }
    struct policy_diff diff;
    if (admin_compare(db, municipality_id, policy, &diff) != 0)
        return 1;
    char protocol_id[64];
    const char *insert_params[] = {municipality_id, version, policy->title, policy->effective,
                                   policy->source, digest,
                                   diff.gain_count == 0 ? "true" : "false"};
    int stored = admin_value(db,
                             "INSERT INTO protocols (municipality_id, version, title,"
                             "    effective_date, source, source_sha256, imported_by,"
                             "    activated_at)"
                             " VALUES ($1, $2::int, $3, $4::date, $5, decode($6, 'hex'), NULL,"
                             "         CASE WHEN $7::bool THEN now() END)"
                             " RETURNING id",
                             7, insert_params, protocol_id, sizeof(protocol_id));
    if (stored == 0)
        stored = admin_require_approvals(db, protocol_id, municipality_id, policy, &diff);
    policy_diff_free(&diff);
    if (stored == 0)
        stored = admin_store_decisions(db, protocol_id, policy);
    if (stored != 0)
        return 1;
    return admin_store_signatories(db, protocol_id, municipality_id, version, policy);
}

static int import_protocol(const struct server_config *config, PGconn *db, char **argv)
{
    struct admin_lookup lookup = {db, 0};
    struct policy_known_institutions known = {admin_institution_known, &lookup, NULL, 0};
    struct policy policy;
    size_t errors_size = 16384;
    char *errors = malloc(errors_size);
    if (errors == NULL)
        return 1;
    int parsed = policy_parse_file(argv[0], &known, &policy, errors, errors_size);
    if (parsed != 0 || lookup.failed) {
        if (!lookup.failed)
            fprintf(stderr, "%s\n", errors);
        free(errors);
        policy_free(&policy);
        return 1;
    }
    free(errors);

    unsigned char digest[EVP_MAX_MD_SIZE];
    unsigned int digest_length = 0;
    char digest_hex[2 * EVP_MAX_MD_SIZE + 1];
    if (EVP_Digest(policy.source, strlen(policy.source), digest, &digest_length, EVP_sha256(),
                   NULL) != 1) {
        fprintf(stderr, "spona-server: SHA-256 failed\n");
        policy_free(&policy);
        return 1;
    }
    for (unsigned int i = 0; i < digest_length; i++)
        snprintf(digest_hex + 2 * i, 3, "%02x", digest[i]);

    int status = 1;
    PGresult *result = admin_exec(db, "BEGIN", 0, NULL);
    if (result == NULL)
        goto done;
    PQclear(result);
    int stored = admin_store_protocol(db, &policy, digest_hex);
    result = admin_exec(db, stored == 0 ? "COMMIT" : "ROLLBACK", 0, NULL);
    if (result == NULL)
        goto done;
    PQclear(result);
    if (stored == 0)
        printf("protocol %s version %d imported (%zu clauses); see `spona protocol show "
               "--version %d` for whether it is active or awaits approvals\n",
               policy.municipality, policy.version, policy.clause_count, policy.version);
    else if (stored == 2)
        printf("protocol %s version %d already imported\n", policy.municipality,
               policy.version);
    status = stored == 1;

done:
    policy_free(&policy);
    return status;
}

static const struct admin_command admin_commands[] = {
    {"add-municipality", 2, 3, "CODE NAME [REGION]", add_municipality},
    {"add-institution", 4, 4, "MUNICIPALITY_CODE CODE ROLE NAME", add_institution},
    {"add-user", 3, 3, "INSTITUTION_CODE USERNAME FULL_NAME", add_user},
    {"set-institution-enabled", 2, 2, "CODE true|false", set_institution_enabled},
    {"set-institution-contact", 2, 2, "CODE TEXT", set_institution_contact},
    {"set-municipality-short-code", 2, 2, "CODE LETTERS", set_municipality_short_code},
    {"unlock-user", 2, 2, "INSTITUTION_CODE USERNAME", unlock_user},
    {"set-user-enabled", 3, 3, "INSTITUTION_CODE USERNAME true|false", set_user_enabled},
    {"end-sessions", 2, 3, "--user INSTITUTION_CODE USERNAME | --institution CODE",
     end_sessions},
    {"import-protocol", 1, 1, "FILE", import_protocol},
    {"derive-decisions", 0, 0, "", derive_decisions},
};

static const struct admin_command *admin_find(const char *name)
{
    for (size_t i = 0; i < sizeof(admin_commands) / sizeof(admin_commands[0]); i++)
        if (strcmp(admin_commands[i].name, name) == 0)
            return &admin_commands[i];
    return NULL;
}

int admin_is_command(const char *name)
{
    return admin_find(name) != NULL;
}

int admin_run(const struct server_config *config, const char *name, int argc, char **argv)
{
    const struct admin_command *command = admin_find(name);
    if (command == NULL)
        return 2;
    if (argc < command->min_args || argc > command->max_args) {
        fprintf(stderr, "usage: spona-server -c FILE %s %s\n", command->name, command->usage);
        return 2;
    }
    char *args[8] = {0};
    for (int i = 0; i < argc; i++)
        args[i] = argv[i];
    PGconn *db = PQconnectdb(config->admin_dsn);
    if (PQstatus(db) != CONNECTION_OK) {
        fprintf(stderr, "spona-server: %s", PQerrorMessage(db));
        PQfinish(db);
        return 1;
    }
    int status = command->handler(config, db, args);
    PQfinish(db);
    return status;
}
